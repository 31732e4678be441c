"""`northstar diff` as JSON, and as Markdown for a pull request's comment."""

from __future__ import annotations

import re

from ..diagnostics import ERROR, WARNING, count, json_text, printable
from ..render.text import md, percent, plural, rounded, value_text
from .compare import Diff
from .revision import Side


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
        "outcomes": {"key_results": result.outcomes, "health": result.health},
        "coverage": {"objectives": result.coverage, **result.totals},
        "diagnostics": {"new": [d.as_dict() for d in result.new],
                        "fixed": [entry.as_dict() for entry in result.fixed]},
    }
    return json_text(rounded(document), default=str)


# The Markdown is posted as a pull request's comment: every string from the plans or the
# command line goes through `_text` (shown as written, never as markup) or `_code`.
# Mentions and references (GitHub's @user and #12, GitLab's also !12, ~label, %milestone,
# $snippet and &epic) are found in the rendered text, where an entity is a plain
# character again: a word joiner after the sigil keeps them inert.
_REFERENCE = re.compile(r"(?<=[@#!~%$&])(?=[0-9A-Za-z])")


def _text(value) -> str:
    """A user string as inline Markdown text: no markup, no line break, no mention."""
    return md(_REFERENCE.sub("\u2060", printable(value)))


def code_span(value, in_table: bool = False) -> str:
    """A user string as a code span, which shows its text as written: fenced by more
    backticks than it holds in a row, padded where it starts or ends with one, on one line."""
    text = printable(value)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") or not text else ""
    span = f"{fence}{pad}{text}{pad}{fence}"
    # A GitHub table splits its row at every '|' first, also inside a code span, unless escaped.
    return span.replace("|", "\\|") if in_table else span


def _value(value) -> str:
    return value_text(value, _text)


def _record(entry: dict) -> str:
    name = code_span(entry["id"]) if entry.get("id") else code_span(entry["path"])
    return f"{entry['kind']} {name} ({_text(entry['title'])})"


def _side_label(side: Side) -> str:
    return _text(side.label) if side.commit is None else f"{code_span(side.label)} ({side.commit[:7]})"


def _details(title: str, lines: list[str]) -> list[str]:
    # GitHub and GitLab render Markdown inside <details> only after a blank line.
    return ["", f"<details><summary>{title}</summary>", "", *lines, "", "</details>"] if lines else []


def outcome_line(entry: dict, shown, arrow: str = "→") -> str:
    """A key result's change as a reviewer reads it: 'time-to-find: 36 s → 33 s, at-risk →
    on-track (2 measurements added)'. `shown` writes the author's text for the output."""
    unit = f" {shown(entry['unit'])}" if entry.get("unit") else ""

    def value(number) -> str:
        return "–" if number is None else value_text(number, shown) + unit

    parts = [f"{shown(entry['title'])}: {value(entry['before'])} {arrow} {value(entry['after'])}"]
    if entry["health_before"] != entry["health_after"]:
        parts.append(f"{entry['health_before'] or '–'} {arrow} {entry['health_after'] or '–'}")
    line = ", ".join(parts)
    added = len(entry["measurements"])
    return line + (f" ({plural(added, 'measurement')} added)" if added else "")


def _field_change(change: dict) -> str:
    if change["key"] == "body":
        return f"body (+{change['lines_added']} −{change['lines_removed']} lines)"
    return f"{_text(change['key'])}: {_value(change['before'])} → {_value(change['after'])}"


BROKEN_BECAUSE = {"unlinked": "link removed", "removed": "target removed", "renamed": "still names its old id",
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
        headline.append(f"{plural(len({m['id'] for m in result.measures}), 'objective')} re-measured")
    if result.outcomes:
        headline.append("; ".join(outcome_line(e, _text) for e in result.outcomes[:3])
                        + (" …" if len(result.outcomes) > 3 else ""))
    status = (f"❌ {plural(result.new_errors, 'new error')}" if result.new_errors else "✅ no new error")
    warnings = count(result.new, WARNING)
    if warnings:
        status += f", ⚠️ {plural(warnings, 'new warning')}"
    if result.fixed:
        status += f", {sum(entry.count for entry in result.fixed)} fixed"
    lines.append(" · ".join([f"**{status}**", *headline]))
    errors = [d for d in result.new if d.severity == ERROR]
    if errors:
        lines.append("")
        lines += [f"- {code_span(f'{d.file}:{d.line}')} [{d.rule}] {_text(d.message)}" for d in errors[:SHOWN_ERRORS]]
        if len(errors) > SHOWN_ERRORS:
            lines.append(f"- and {len(errors) - SHOWN_ERRORS} more, listed under Diagnostics")

    records = ([f"- ➕ added {_record(e)} at {code_span(e['path'])}" for e in result.added]
               + [f"- ➖ removed {_record(e)} from {code_span(e['path'])}" for e in result.removed]
               + [f"- 🔀 {_record(e)}: " + ", ".join(
                   part for part in (f"id {code_span(e['from_id'])} → {code_span(e['id'])}" if e['from_id'] != e['id'] else "",
                                     f"{code_span(e['from_path'])} → {code_span(e['path'])}" if e['from_path'] != e['path'] else "")
                   if part) for e in result.moved]
               + [f"- ✏️ {_record(e)}: " + ("front matter could not be read" if e.get("unreadable") else
                                            "front matter readable again; " * bool(e.get("unreadable_before"))
                                            + "; ".join(_field_change(c) for c in e["fields"]))
                  for e in result.changed])
    lines += _details(f"Records ({len(result.added) + len(result.removed) + len(result.moved) + len(result.changed)})",
                      records)
    links = ([f"- 🔗 {code_span(link['from'])} {_text(link['key'])} → {code_span(link['to'])}" for link in result.links_made]
             + [f"- ✂️ {code_span(link['from'])} {_text(link['key'])} → {code_span(link['to'])} ({BROKEN_BECAUSE[link['reason']]})"
                for link in result.links_broken])
    lines += _details(f"Links ({len(result.links_made)} made, {len(result.links_broken)} broken)", links)
    measures = [f"- {code_span(m['id'])} {_text(m['key'])}: {_value(m['before'])} → {_value(m['after'])}"
                for m in result.measures]
    lines += _details(f"Objective measures ({len(result.measures)})", measures)
    outcomes = ([f"- 📈 {code_span(e['id'])} {outcome_line(e, _text)}" for e in result.outcomes]
                + [f"- 🩺 {code_span(h['id'])} health: {h['before'] or '–'} → {h['after'] or '–'}" for h in result.health])
    lines += _details(f"Outcomes ({plural(sum(len(e['measurements']) for e in result.outcomes), 'measurement')} "
                      f"added, {plural(len(result.health), 'health')} changed)", outcomes)
    coverage = []
    if result.coverage:
        coverage += ["| objective | plans | effort | done |", "| --- | --- | --- | --- |"]
        for entry in result.coverage:
            old, new = entry["before"] or {}, entry["after"] or {}
            cells = [f"{_value(old.get(key)) if old else '–'} → {_value(new.get(key)) if new else '–'}"
                     for key in ("plans", "effort")]
            cells.append(f"{percent(old.get('done'))} → {percent(new.get('done'))}")
            coverage.append(f"| {code_span(entry['id'], in_table=True)} | " + " | ".join(cells) + " |")
    for name, share in result.totals.items():
        label = {"linked": "Effort linked to an objective", "covered": "Objectives with at least one plan"}[name]
        coverage += ["", f"{label}: {percent(share['before'])} → {percent(share['after'])}"]
    lines += _details(f"Coverage ({plural(len(result.coverage), 'objective')})", coverage)
    diagnostics = ([f"- new {d.severity}: {code_span(f'{d.file}:{d.line}')} [{d.rule}] {_text(d.message)}"
                    for d in result.new]
                   + [f"- fixed {e.severity}: {code_span(e.file)} [{e.rule}] {_text(e.message)}" for e in result.fixed])
    lines += _details(f"Diagnostics ({len(result.new)} new, {sum(e.count for e in result.fixed)} fixed)",
                      diagnostics)
    return "\n".join(lines) + "\n"


FORMATTERS = {"markdown": as_markdown, "json": as_json}
