"""What a change does to the strategy, between two git revisions.

Both sides go through the one pipeline (load → model → rules → coverage); a revision
is read straight from git's object store (`ls-tree`, `cat-file --batch`), so the work
tree, the index and HEAD are never touched. The head side defaults to the work tree,
uncommitted and untracked files included, exactly as `northstar check` sees it.

Records are paired across the sides by id, then by path, then by identical content,
so a moved or renamed file reads as one record that moved, not as one removed and
one added. Only records the change touched are reported.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import baseline
from .analysis import Analysis, analyse, analyse_files
from .diagnostics import ERROR, WARNING, Diagnostic, count, json_text, printable
from .read.files import FILE, LINK, hidden, select
from .model import Node
from .settings import ConfigError, Settings, read_settings

FORMATS = ("markdown", "json")
WORK_TREE = "working tree"
# What a reviewer reads about an objective's measure, in this order.
MEASURE_KEYS = ("metric", "baseline", "target", "current", "unit", "period")


class GitError(ConfigError):
    """Not a git repository, git missing, or a revision that does not exist (exit 2)."""


# --- Reading a revision from git -------------------------------------------------------


class Repository:
    """The git repository holding mkdocs.yml, read without touching its work tree."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.top = Path(os.path.realpath(self._git("rev-parse", "--show-toplevel", cwd=folder).decode().strip()))

    def _git(self, *args: str, cwd: Path | None = None, stdin: bytes | None = None) -> bytes:
        try:
            done = subprocess.run(["git", *args], cwd=cwd or self.top, input=stdin, capture_output=True)
        except FileNotFoundError:
            raise GitError("northstar needs git to read a revision, and no 'git' command was found") from None
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip().splitlines()
            if message and "not a git repository" in message[0]:
                raise GitError(f"{self.folder} is not inside a git repository; northstar reads revisions "
                               "from git")
            raise GitError(f"git {args[0]} failed: {message[0] if message else 'exit ' + str(done.returncode)}")
        return done.stdout

    def relative(self, path: Path) -> str | None:
        """A path as git names it (from the top of the repository), or None outside it."""
        relative = os.path.relpath(os.path.realpath(path), self.top).replace(os.sep, "/")
        return None if relative == ".." or relative.startswith("../") else relative

    def commit(self, revision: str) -> str:
        if revision.startswith("-"):
            raise GitError(f"'{revision}' is not a revision")
        try:
            return self._git("rev-parse", "--verify", "--quiet", "--end-of-options",
                             f"{revision}^{{commit}}").decode().strip()
        except GitError:
            raise GitError(f"'{revision}' is not a commit in {self.top}") from None

    def show(self, spec: str) -> bytes:
        """The content of `REV:PATH` as `git show REV:PATH` run in self.folder names it
        (PATH from the top of the repository, or from self.folder when it starts with './')."""
        revision, _, name = spec.partition(":")
        if not revision or revision.startswith("-") or not name:
            raise GitError(f"'{spec}' is not REV:PATH")
        commit = self.commit(revision)
        try:
            return self._git("cat-file", "blob", f"{commit}:{name}", cwd=self.folder)
        except GitError:
            raise GitError(f"'{name}' is not a file at {revision} ({commit[:12]})") from None

    def files(self, commit: str, folder: str) -> dict[str, tuple[str, str]]:
        """Every file below folder at commit: path → (mode, object id)."""
        listing = self._git("ls-tree", "-r", "-z", "--full-tree", commit, "--", folder)
        found = {}
        for entry in listing.split(b"\0"):
            if not entry:
                continue
            meta, path = entry.decode("utf-8", errors="surrogateescape").split("\t", 1)
            mode, kind, object_id = meta.split(" ")
            if kind == "blob":
                found[path] = (mode, object_id)
        return found

    def blobs(self, object_ids: Iterable[str]) -> dict[str, bytes]:
        """The content of many objects in one `git cat-file --batch` call."""
        wanted = list(dict.fromkeys(object_ids))
        if not wanted:
            return {}
        output = self._git("cat-file", "--batch", stdin="".join(f"{oid}\n" for oid in wanted).encode())
        contents, position = {}, 0
        for object_id in wanted:
            header_end = output.index(b"\n", position)
            size = int(output[position:header_end].split(b" ")[2])
            start = header_end + 1
            contents[object_id] = output[start:start + size]
            position = start + size + 1  # the newline after each object
        return contents


def _plan_files(repo: Repository, commit: str, plans_path: str,
                plans_root: Path) -> tuple[list[tuple[str, bytes]], list]:
    """(source, content) of every plan file below plans_path at commit, and problems:
    the revision's listing goes through the same `load.select` as the folder on disk
    (mode 120000 is a symbolic link, its blob the target), so both see the same plans."""
    top = plans_path in ("", ".")
    listing = repo.files(commit, "." if top else plans_path)
    skip = 0 if top else len(plans_path.rstrip("/")) + 1
    below = {path[skip:]: entry for path, entry in listing.items() if not hidden(path[skip:])}
    links = {path: object_id for path, (mode, object_id) in below.items() if mode == "120000"}
    targets = repo.blobs(links.values())
    tree: dict[str, tuple[str, str | None]] = {
        path: (LINK, targets[links[path]].decode("utf-8", errors="surrogateescape")) if path in links else (FILE, None)
        for path in below}
    folders = {""} | {path[:end] for path in below for end in range(len(path)) if path[end] == "/"}
    found = select(tree, folders, plans_root)
    chosen = {source: below[found.real.get(source, source)][1] for source in found.plan_files}
    contents = repo.blobs(chosen.values())
    return [(source, contents[object_id]) for source, object_id in chosen.items()], found.problems


@dataclass
class Side:
    label: str  # what the user named: a revision, or "working tree"
    commit: str | None  # None for the working tree
    analysis: Analysis

    def as_dict(self) -> dict:
        return {"revision": self.label, "commit": self.commit, "summary": self.analysis.summary()}


def read_revision(repo: Repository, revision: str, config_file: Path, fallback: Settings,
                  notes: list[str]) -> Side:
    commit = repo.commit(revision)
    config_path = repo.relative(config_file)

    def read_text(path: Path) -> str:
        name = repo.relative(path)
        listing = repo.files(commit, name) if name else {}
        if name not in listing:
            raise FileNotFoundError(path)
        return repo.blobs([listing[name][1]])[listing[name][1]].decode("utf-8")

    name = config_path or config_file.name
    try:
        settings = read_settings(config_file, read_text=read_text)
    except ConfigError as error:
        problem = "is not there" if config_path not in repo.files(commit, name) else f"could not be used ({error})"
        notes.append(f"{name} at {revision} {problem}; the working tree's settings apply")
        settings = fallback
    plans_path = repo.relative(settings.plans_root)
    if plans_path is None:
        raise GitError(f"plans_dir '{settings.plans_dir}' lies outside the git repository {repo.top}")
    files, problems = _plan_files(repo, commit, plans_path, settings.plans_root)
    return Side(revision, commit, analyse_files(settings, files, problems))


def read_sides(config_file: str | Path, base: str, head: str | None) -> tuple[Side, Side, list[str]]:
    config = Path(config_file).resolve()
    repo = Repository(config.parent)
    current = read_settings(config)
    notes: list[str] = []
    base_side = read_revision(repo, base, config, current, notes)
    if head is None:
        head_side = Side(WORK_TREE, None, analyse(current))
    else:
        head_side = read_revision(repo, head, config, current, notes)
    return base_side, head_side, notes


# --- Comparing two analyses ------------------------------------------------------------


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
    """A record as a reviewer compares it: its keys, title, team and body."""
    view = {key: value for key, value in node.record.fields.items() if key not in ("id", "title")}
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
    A line-by-line diff (difflib.ndiff) to count them ran past 120 s on one rewritten
    2,000-line body; counting takes time in step with the lines. A line only moved
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
    return {(rename.get(node.id, node.id), key, rename.get(target.id, target.id))
            for node in nodes if node.id for key, target in _forward_links(node) if target.id}


def _names(node: Node | None, key: str, target: str) -> bool:
    value = node.record.get(key) if node else None
    return target == value or (isinstance(value, list) and target in value)


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
                    self.measures, self.coverage, self.new, self.fixed))

    def summary(self) -> dict:
        return {"added": len(self.added), "removed": len(self.removed), "moved": len(self.moved),
                "changed": len(self.changed), "links_made": len(self.links_made),
                "links_broken": len(self.links_broken), "measures_moved": len(self.measures),
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
    for source, key, target in sorted(base_links - head_links):
        holder = head_by_id.get(source)
        if holder is None or holder.record.broken:
            reason = "unreadable"
        elif _names(holder, key, former.get(target, target)) and target in former:
            reason = "renamed"  # the target's id changed and this record still names the old one
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


def diff(config_file: str | Path, base: str, head: str | None = None) -> Diff:
    base_side, head_side, notes = read_sides(config_file, base, head)
    return compare(base_side, head_side, notes)


# --- Output ----------------------------------------------------------------------------


def as_json(result: Diff) -> str:
    document = {
        "version": 1,
        "base": result.base.as_dict(),
        "head": result.head.as_dict(),
        "notes": result.notes,
        "summary": result.summary(),
        "records": {"added": result.added, "removed": result.removed, "moved": result.moved,
                    "changed": result.changed},
        "links": {"made": result.links_made, "broken": result.links_broken},
        "measures": result.measures,
        "coverage": {"objectives": result.coverage, **result.totals},
        "diagnostics": {"new": [d.as_dict() for d in result.new],
                        "fixed": [entry.as_dict() for entry in result.fixed]},
    }
    from .export import rounded

    return json_text(rounded(document), default=str)


# The Markdown is posted as a pull request's comment: every string from the plans or the
# command line goes through `_text` (shown as written, never as markup) or `_code`.
# Mentions and references (GitHub's @user and #12, GitLab's also !12, ~label, %milestone,
# $snippet and &epic) are found in the rendered text, where an entity is a plain
# character again: a word joiner after the sigil keeps them inert.
_REFERENCE = re.compile(r"(?<=[@#!~%$&])(?=[0-9A-Za-z])")


def _text(value) -> str:
    """A user string as inline Markdown text: no markup, no line break, no mention."""
    from .render import md

    return md(_REFERENCE.sub("\u2060", printable(value)))


def _code(value, in_table: bool = False) -> str:
    """A user string as a code span, which shows its text as written: fenced by more
    backticks than it holds in a row, padded where it starts or ends with one, on one line."""
    text = printable(value)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") or not text else ""
    span = f"{fence}{pad}{text}{pad}{fence}"
    # A GitHub table splits its row at every '|' first, also inside a code span, unless escaped.
    return span.replace("|", "\\|") if in_table else span


def _value(value) -> str:
    from .render import number

    if value is None:
        return "–"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value)
    if isinstance(value, list):
        return ", ".join(_value(item) for item in value) or "[]"
    return _text(value)


def _percent(ratio: float | None) -> str:
    return "–" if ratio is None else f"{round(ratio * 100)}%"


def _record(entry: dict) -> str:
    name = _code(entry["id"]) if entry.get("id") else _code(entry["path"])
    return f"{entry['kind']} {name} ({_text(entry['title'])})"


def _side_label(side: Side) -> str:
    return _text(side.label) if side.commit is None else f"{_code(side.label)} ({side.commit[:7]})"


def _plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _details(title: str, lines: list[str]) -> list[str]:
    # GitHub and GitLab render Markdown inside <details> only after a blank line.
    return ["", f"<details><summary>{title}</summary>", "", *lines, "", "</details>"] if lines else []


def _field_change(change: dict) -> str:
    if change["key"] == "body":
        return f"body (+{change['lines_added']} −{change['lines_removed']} lines)"
    return f"{_text(change['key'])}: {_value(change['before'])} → {_value(change['after'])}"


_BROKEN_BECAUSE = {"unlinked": "link removed", "removed": "target removed", "renamed": "still names its old id",
                   "wrong kind": "the id now names another kind of record", "unreadable": "file unreadable",
                   "dangling": "now names an id that does not exist"}
# New errors show above the fold; past this many, the rest wait in the details.
SHOWN_ERRORS = 10


def as_markdown(result: Diff) -> str:
    lines = [f"### Northstar: strategy changes from {_side_label(result.base)} to {_side_label(result.head)}", ""]
    lines += [f"> {_text(note)}\n" for note in result.notes]
    if not result.touched:
        return "\n".join(lines + ["No change to the strategy."]) + "\n"
    counts = result.summary()
    records = [f"{counts[key]} {label}" for key, label in (
        ("added", "added"), ("removed", "removed"), ("moved", "moved or renamed"), ("changed", "changed"))
        if counts[key]]
    headline = ["records: " + ", ".join(records)] if records else []
    if result.links_made or result.links_broken:
        headline.append("links: " + ", ".join(f"{len(found)} {label}" for found, label in (
            (result.links_made, "made"), (result.links_broken, "broken")) if found))
    if result.measures:
        headline.append(f"{_plural(len({m['id'] for m in result.measures}), 'objective')} re-measured")
    status = (f"❌ {_plural(result.new_errors, 'new error')}" if result.new_errors else "✅ no new error")
    warnings = count(result.new, WARNING)
    if warnings:
        status += f", ⚠️ {_plural(warnings, 'new warning')}"
    if result.fixed:
        status += f", {sum(entry.count for entry in result.fixed)} fixed"
    lines.append(" · ".join([f"**{status}**", *headline]))
    errors = [d for d in result.new if d.severity == ERROR]
    if errors:
        lines.append("")
        lines += [f"- {_code(f'{d.file}:{d.line}')} [{d.rule}] {_text(d.message)}" for d in errors[:SHOWN_ERRORS]]
        if len(errors) > SHOWN_ERRORS:
            lines.append(f"- and {len(errors) - SHOWN_ERRORS} more, listed under Diagnostics")

    records = ([f"- ➕ added {_record(e)} at {_code(e['path'])}" for e in result.added]
               + [f"- ➖ removed {_record(e)} from {_code(e['path'])}" for e in result.removed]
               + [f"- 🔀 {_record(e)}: " + ", ".join(
                   part for part in (f"id {_code(e['from_id'])} → {_code(e['id'])}" if e['from_id'] != e['id'] else "",
                                     f"{_code(e['from_path'])} → {_code(e['path'])}" if e['from_path'] != e['path'] else "")
                   if part) for e in result.moved]
               + [f"- ✏️ {_record(e)}: " + ("front matter could not be read" if e.get("unreadable") else
                                            "front matter readable again; " * bool(e.get("unreadable_before"))
                                            + "; ".join(_field_change(c) for c in e["fields"]))
                  for e in result.changed])
    lines += _details(f"Records ({len(result.added) + len(result.removed) + len(result.moved) + len(result.changed)})",
                      records)
    links = ([f"- 🔗 {_code(link['from'])} {_text(link['key'])} → {_code(link['to'])}" for link in result.links_made]
             + [f"- ✂️ {_code(link['from'])} {_text(link['key'])} → {_code(link['to'])} ({_BROKEN_BECAUSE[link['reason']]})"
                for link in result.links_broken])
    lines += _details(f"Links ({len(result.links_made)} made, {len(result.links_broken)} broken)", links)
    measures = [f"- {_code(m['id'])} {_text(m['key'])}: {_value(m['before'])} → {_value(m['after'])}"
                for m in result.measures]
    lines += _details(f"Objective measures ({len(result.measures)})", measures)
    coverage = []
    if result.coverage:
        coverage += ["| objective | plans | effort | done |", "| --- | --- | --- | --- |"]
        for entry in result.coverage:
            old, new = entry["before"] or {}, entry["after"] or {}
            cells = [f"{_value(old.get(key)) if old else '–'} → {_value(new.get(key)) if new else '–'}"
                     for key in ("plans", "effort")]
            cells.append(f"{_percent(old.get('done'))} → {_percent(new.get('done'))}")
            coverage.append(f"| {_code(entry['id'], in_table=True)} | " + " | ".join(cells) + " |")
    for name, share in result.totals.items():
        label = {"linked": "Effort linked to an objective", "covered": "Objectives with at least one plan"}[name]
        coverage += ["", f"{label}: {_percent(share['before'])} → {_percent(share['after'])}"]
    lines += _details(f"Coverage ({_plural(len(result.coverage), 'objective')})", coverage)
    diagnostics = ([f"- new {d.severity}: {_code(f'{d.file}:{d.line}')} [{d.rule}] {_text(d.message)}"
                    for d in result.new]
                   + [f"- fixed {e.severity}: {_code(e.file)} [{e.rule}] {_text(e.message)}" for e in result.fixed])
    lines += _details(f"Diagnostics ({len(result.new)} new, {sum(e.count for e in result.fixed)} fixed)",
                      diagnostics)
    return "\n".join(lines) + "\n"


FORMATTERS = {"markdown": as_markdown, "json": as_json}
