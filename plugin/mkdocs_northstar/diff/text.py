"""`northstar diff` for a person at a terminal: plain lines, no Markdown entities, in
colour where wanted, files named from the working folder, and the verdict last.

Authors' text (titles, messages) is shown with control characters written out, so
a plan cannot move the cursor or recolour the terminal."""

from __future__ import annotations

from ..console import from_here, paint
from ..diagnostics import WARNING, count, printable
from ..render.text import percent, plural, value_text
from .compare import Diff
from .formats import BROKEN_BECAUSE, outcome_line


def safe(value: object) -> str:
    """Authors' text with control characters and bidirectional overrides written out."""
    return printable(value, uniform=True)


def _value(value) -> str:
    return value_text(value, safe)


def as_text(result: Diff, colour: bool = False, here: bool = True) -> str:
    root = result.head.analysis.settings.root

    def where(file: str) -> str:
        return safe(from_here(root, file) if here else file)

    def record(entry: dict) -> str:
        name = entry.get("id") or entry["path"]
        return f"{entry['kind']} {safe(name)} ({safe(entry['title'])})"

    def section(title: str, lines: list[str]) -> list[str]:
        return ["", paint(title, "bold", colour), *(f"  {line}" for line in lines)] if lines else []

    def side(label: str, commit: str | None) -> str:
        return safe(label) if commit is None else f"{safe(label)} ({commit[:7]})"

    lines = [paint(f"Strategy changes from {side(result.base.label, result.base.commit)} "
                   f"to {side(result.head.label, result.head.commit)}", "bold", colour)]
    lines += [f"note: {safe(note)}" for note in result.notes]

    lines += section("Records", [paint("+ added ", "added", colour) + f"{record(e)} at {where(e['path'])}"
                                 for e in result.added]
                     + [paint("- removed ", "removed", colour) + f"{record(e)} from {where(e['path'])}"
                        for e in result.removed]
                     + [f"~ moved {record(e)}: " + ", ".join(part for part in (
                         f"id {safe(e['from_id'])} -> {safe(e['id'])}" if e["from_id"] != e["id"] else "",
                         f"{where(e['from_path'])} -> {where(e['path'])}" if e["from_path"] != e["path"] else "")
                         if part) for e in result.moved]
                     + [f"* changed {record(e)}: " + ("front matter could not be read" if e.get("unreadable") else
                                                      "front matter readable again; " * bool(e.get("unreadable_before"))
                                                      + "; ".join(_change(c) for c in e["fields"]))
                        for e in result.changed])
    def link(mark: str, style: str, entry: dict) -> str:
        return paint(mark, style, colour) + f"{safe(entry['from'])} {entry['key']} -> {safe(entry['to'])}"

    lines += section("Links", [link("+ ", "added", entry) for entry in result.links_made]
                     + [link("- ", "removed", entry) + f" ({BROKEN_BECAUSE[entry['reason']]})"
                        for entry in result.links_broken])
    lines += section("Objective measures", [f"{safe(m['id'])} {m['key']}: {_value(m['before'])} -> "
                                            f"{_value(m['after'])}" for m in result.measures])
    lines += section("Outcomes", [f"{safe(e['id'])} {outcome_line(e, safe, '->')}" for e in result.outcomes]
                     + [f"{safe(h['id'])} health: {h['before'] or '–'} -> {h['after'] or '–'}" for h in result.health])
    coverage = []
    for entry in result.coverage:
        old, new = entry["before"] or {}, entry["after"] or {}
        figures = [f"{key} {_value(old.get(key)) if old else '–'} -> {_value(new.get(key)) if new else '–'}"
                   for key in ("plans", "effort")]
        figures.append(f"done {percent(old.get('done'))} -> {percent(new.get('done'))}")
        coverage.append(f"{safe(entry['id'])}: " + ", ".join(figures))
    for name, share in result.totals.items():
        label = {"linked": "effort linked to an objective", "covered": "objectives with at least one plan"}[name]
        coverage.append(f"{label}: {percent(share['before'])} -> {percent(share['after'])}")
    lines += section("Coverage", coverage)
    diagnostics = []
    for d in result.new:
        severity = paint(d.severity, d.severity, colour)
        diagnostics.append(f"new {severity}: {where(d.file)}:{d.line}: [{d.rule}] {safe(d.message)}")
    diagnostics += [f"fixed {e.severity}: {where(e.file)}: [{e.rule}] {safe(e.message)}" for e in result.fixed]
    lines += section("Diagnostics", diagnostics)

    lines.append("")
    if not result.touched:
        lines.append("No change to the strategy.")
    else:
        warnings = count(result.new, WARNING)
        verdict = (f"{plural(result.new_errors, 'new error')}, {plural(warnings, 'new warning')}, "
                   f"{sum(entry.count for entry in result.fixed)} fixed")
        counts = result.summary()
        changed = ", ".join(f"{counts[key]} {label}" for key, label in (
            ("added", "added"), ("removed", "removed"), ("moved", "moved"), ("changed", "changed")) if counts[key])
        style = "error" if result.new_errors else "warning" if warnings else "ok"
        lines.append(f"{'records: ' + changed + '; ' if changed else ''}" + paint(verdict, style, colour))
    return "\n".join(lines) + "\n"


def _change(change: dict) -> str:
    if change["key"] == "body":
        return f"body (+{change['lines_added']} -{change['lines_removed']} lines)"
    return f"{change['key']}: {_value(change['before'])} -> {_value(change['after'])}"
