"""What a change does to the strategy, between two git revisions.

Both sides go through the one pipeline (load → model → rules → coverage); see
`revision` for how a revision is read.

Records are paired across the sides by id, then by path, then by identical content,
so a moved or renamed file reads as one record that moved, not as one removed and
one added. Only records the change touched are reported.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .. import baseline
from ..analysis import Analysis
from ..diagnostics import ERROR, WARNING, Diagnostic, count
from ..model import Node
from .revision import Side, read_sides

# What a reviewer reads about an objective's measure, in this order.
MEASURE_KEYS = ("metric", "baseline", "target", "current", "unit", "period")


def _content(node: Node):
    if node.record.broken:
        return None
    fields = {key: value for key, value in node.record.fields.items() if key != "id"}
    return node.kind, json.dumps(fields, sort_keys=True, default=str), node.record.body.strip()


def pair(before: list[Node], after: list[Node]) -> tuple[list[tuple[Node, Node]], list[Node], list[Node]]:
    """Records that are the same across the sides (by id, then path, then content),
    and the removed and added ones."""
    pairs: list[tuple[Node, Node]] = []
    left, right = list(before), list(after)
    keys: list[Callable[[Node], object]] = [lambda node: node.id, lambda node: node.path, _content]
    for key in keys:
        waiting: dict[object, list[Node]] = {}
        for node in right:
            if key(node) is not None:
                waiting.setdefault(key(node), []).append(node)
        unmatched = []
        for node in left:
            match = waiting.get(key(node)) if key(node) is not None else None
            if match:
                partner = match.pop(0)
                pairs.append((node, partner))
                right.remove(partner)
            else:
                unmatched.append(node)
        left = unmatched
    return pairs, left, right


def _view(node: Node) -> dict:
    """A record as a reviewer compares it: its keys, title, team and body. Measurements
    are compared by `_outcome_changes`, so a new check-in is not a changed key result."""
    view = {key: value for key, value in node.record.fields.items() if key not in ("id", "title", "measurements")}
    if isinstance(view.get("key_results"), list):
        view["key_results"] = [{k: v for k, v in item.items() if k != "measurements"} if isinstance(item, dict)
                               else item for item in view["key_results"]]
    view.update(kind=node.kind, title=node.record.title, body=node.record.body.strip())
    if node.kind == "plan":
        view["team"] = node.team
    return view


def _field_changes(old: Node, new: Node) -> list[dict]:
    before, after = _view(old), _view(new)
    changes = []
    for key in sorted(set(before) | set(after), key=lambda k: (k == "body", k)):
        if before.get(key) == after.get(key):
            continue
        if key == "body":
            added, removed = _changed_lines(before.get(key, ""), after.get(key, ""))
            changes.append({"key": "body", "lines_added": added, "lines_removed": removed})
        else:
            changes.append({"key": key, "before": before.get(key), "after": after.get(key)})
    return changes


def _changed_lines(before: str, after: str) -> tuple[int, int]:
    """Lines added and removed: each line counted as often as the other side lacks it.
    A line-by-line diff (difflib.ndiff) grows with the square of a rewritten body;
    counting takes time in step with the lines. A line only moved
    elsewhere in the body counts as neither."""
    old, new = Counter(before.splitlines()), Counter(after.splitlines())
    return (new - old).total(), (old - new).total()


def _brief(node: Node) -> dict:
    entry = {"kind": node.kind, "id": node.id, "title": node.title, "path": node.path}
    if node.record.broken:
        entry["unreadable"] = True
    return entry


def _forward_links(node: Node) -> list[tuple[str, Node]]:
    if node.kind == "objective":
        return [("parent", node.parent)] if node.parent else []
    if node.kind == "theme":
        return [("objectives", target) for target in node.objectives]
    return [(key, target) for key, targets in
            (("themes", node.themes), ("objectives", node.objectives), ("depends_on", node.depends_on))
            for target in targets]


def _links(nodes: Iterable[Node], rename: dict[str, str]) -> set[tuple[str, str, str]]:
    # A link to another strategy's record is named as written, `NAME:ID` (contract v1.2).
    return {(rename.get(node.id, node.id), key, target.ref if target.source else rename.get(target.id, target.id))
            for node in nodes if node.id for key, target in _forward_links(node) if target.id}


def _names(node: Node | None, key: str, target: str) -> bool:
    value = node.record.get(key) if node else None
    return target == value or (isinstance(value, list) and target in value)


def _outcome_changes(old: Node, new: Node) -> list[dict]:
    """Per key result of an objective: the measurements added (or given another value)
    and its value and health before and after, where either changed."""
    if old.outcome is None or new.outcome is None:
        return []
    before = {kr.id: kr for kr in old.outcome.key_results}
    entries = []
    for kr in new.outcome.key_results:
        prior = before.get(kr.id)
        seen = {m.date: m.value for m in prior.measurements} if prior else {}
        added = [m.as_dict() for m in kr.measurements if m.date not in seen or seen[m.date] != m.value]
        health_before = old.outcome.key_result_health.get(kr.id) if prior else None
        health_after = new.outcome.key_result_health.get(kr.id)
        if added or health_before != health_after:
            entries.append({"id": new.id, "key_result": kr.id, "title": kr.title, "unit": kr.unit,
                            "measurements": added, "before": prior.value if prior else None, "after": kr.value,
                            "health_before": health_before, "health_after": health_after})
    return entries


def _objective_figures(analysis: Analysis) -> dict[str, dict]:
    figures = {}
    for entry in analysis.coverage.objectives:
        if entry.objective.id:
            figures[entry.objective.id] = {"plans": len(entry.plans), "effort": entry.weight,
                                           "done": entry.status.done.ratio}
    return figures


@dataclass
class Diff:
    base: Side
    head: Side
    notes: list[str] = field(default_factory=list)
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    moved: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    links_made: list[dict] = field(default_factory=list)
    links_broken: list[dict] = field(default_factory=list)
    measures: list[dict] = field(default_factory=list)
    # Contract v1.1: measurements added and health changed, per key result and per objective.
    outcomes: list[dict] = field(default_factory=list)
    health: list[dict] = field(default_factory=list)
    coverage: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)  # linked and covered shares, where they moved
    new: list[Diagnostic] = field(default_factory=list)
    fixed: list[baseline.Entry] = field(default_factory=list)

    @property
    def new_errors(self) -> int:
        return count(self.new, ERROR)

    @property
    def touched(self) -> bool:
        return any((self.added, self.removed, self.moved, self.changed, self.links_made, self.links_broken,
                    self.measures, self.outcomes, self.health, self.coverage, self.new, self.fixed))

    def summary(self) -> dict:
        return {"added": len(self.added), "removed": len(self.removed), "moved": len(self.moved),
                "changed": len(self.changed), "links_made": len(self.links_made),
                "links_broken": len(self.links_broken), "measures_moved": len(self.measures),
                "measurements_added": sum(len(entry["measurements"]) for entry in self.outcomes),
                "health_changed": len(self.health),
                "new_errors": self.new_errors, "new_warnings": count(self.new, WARNING),
                "fixed": sum(entry.count for entry in self.fixed)}


def compare(base: Side, head: Side, notes: list[str] | None = None) -> Diff:
    before, after = base.analysis, head.analysis
    result = Diff(base, head, notes or [])
    pairs, removed, added = pair(before.strategy.nodes, after.strategy.nodes)
    result.added = [_brief(node) for node in added]
    result.removed = [_brief(node) for node in removed]
    rename = {old.id: new.id for old, new in pairs if old.id and new.id and old.id != new.id}
    moved_paths = {old.path: new.path for old, new in pairs if old.path != new.path}

    for old, new in pairs:
        if old.path != new.path or old.id != new.id:
            result.moved.append({**_brief(new), "from_id": old.id, "from_path": old.path})
        changes = _field_changes(old, new)
        if changes or old.record.broken != new.record.broken:
            entry = {**_brief(new), "fields": changes}
            if old.record.broken:
                entry["unreadable_before"] = True
            result.changed.append(entry)
        if new.kind == "objective" == old.kind:
            for key in MEASURE_KEYS:
                if old.record.get(key) != new.record.get(key):
                    result.measures.append({"id": new.id, "title": new.title, "key": key,
                                            "before": old.record.get(key), "after": new.record.get(key)})
            result.outcomes += _outcome_changes(old, new)
            health_before, health_after = (node.outcome.health if node.outcome else None for node in (old, new))
            if health_before != health_after:
                result.health.append({"id": new.id, "title": new.title, "before": health_before,
                                      "after": health_after})

    # Links of added and removed records go with those records; the rest are listed here.
    surviving_before = [old for old, _ in pairs]
    surviving_after = [new for _, new in pairs]
    base_links = _links(surviving_before, rename)
    head_links = _links(surviving_after, {})
    head_by_id = {node.id: node for node in surviving_after if node.id}
    base_of_removed = {node.id for node in removed}
    for source, key, target in sorted(head_links - base_links):
        result.links_made.append({"from": source, "key": key, "to": target})
    former = {new: old for old, new in rename.items()}
    dangling = {(link.node, link.key) for link in after.strategy.dangling}
    dangling |= {(node, link.key) for node, link in after.strategy.foreign_dangling}
    for source, key, target in sorted(base_links - head_links):
        holder = head_by_id.get(source)
        if holder is None or holder.record.broken:
            reason = "unreadable"
        elif _names(holder, key, former.get(target, target)) and target in former:
            reason = "renamed"  # the target's id changed and this record still names the old one
        elif ":" in target and (holder, key) in dangling and _names(holder, key, target):
            reason = "dangling"  # the source no longer holds that record
        elif _names(holder, key, target):
            reason = "removed" if target in base_of_removed else "wrong kind"
        elif (holder, key) in dangling:
            reason = "dangling"  # replaced by an id that names nothing, as a typo does
        else:
            reason = "unlinked"
        result.links_broken.append({"from": source, "key": key, "to": target, "reason": reason})

    figures_before = {rename.get(key, key): value for key, value in _objective_figures(before).items()}
    figures_after = _objective_figures(after)
    for key in sorted(set(figures_before) | set(figures_after)):
        if figures_before.get(key) != figures_after.get(key):
            result.coverage.append({"id": key, "before": figures_before.get(key), "after": figures_after.get(key)})
    for name in ("linked", "covered"):
        old_share, new_share = getattr(before.coverage, name), getattr(after.coverage, name)
        if (old_share.part, old_share.whole) != (new_share.part, new_share.whole):
            result.totals[name] = {"before": old_share.ratio, "after": new_share.ratio}

    # Diagnostics match like the baseline's, with the paths of moved records followed.
    known = baseline.entries(Diagnostic(moved_paths.get(d.file, d.file), d.line, d.rule, d.severity,
                                        rename.get(d.id, d.id), d.message) for d in before.diagnostics)
    found = baseline.split(after.diagnostics, known)
    result.new, result.fixed = found.new, found.fixed
    return result


def diff(config_file: str | Path, base: str, head: str | None = None, as_of=None) -> Diff:
    base_side, head_side, notes = read_sides(config_file, base, head, as_of)
    return compare(base_side, head_side, notes)
