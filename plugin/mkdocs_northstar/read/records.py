"""Turn the bytes of a plan file into a Record that remembers the line of every key.

A broken file never stops the run: it becomes a record flagged `broken` with the
problems found, so the rest is still checked and nothing the author wrote is lost.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import schema
from .files import Scan, scan
from .front_matter import (FRONT_MATTER, MAX_FRONT_MATTER, SCHEMA, Problem, YamlProblem, decode, fallback_text,
                           parse_yaml, split_front_matter)

_HEADING = re.compile(r"\A(?:[ \t]*\n)*# +(.+?)[ \t#]*(?:\n|\Z)")


@dataclass
class Record:
    """One plan file as written: validated keys, their lines and the body."""

    path: str  # relative to the directory of mkdocs.yml, with '/'
    source: str  # relative to plans_dir, with '/'
    kind: str
    id: str | None  # None when neither the `id` key nor the file stem is a valid id
    title: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    team: str | None = None
    broken: bool = False  # the front matter could not be read at all
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)

    def get(self, key: str, default=None):
        return self.fields.get(key, default)



def kind_from_folder(source: str) -> str:
    top = source.split("/", 1)[0] if "/" in source else ""
    return {"objectives": "objective", "themes": "theme"}.get(top, "plan")


def team_from_folder(source: str) -> str | None:
    if "/" not in source:
        return None
    top = source.split("/", 1)[0]
    return None if top in ("objectives", "themes") else top



def parse_record(raw: bytes, path: str, source: str) -> Record:
    """Turn the bytes of one plan file into a Record; never raises for bad content."""
    stem = source.rsplit("/", 1)[-1][:-3]
    record = Record(path=path, source=source, kind=kind_from_folder(source),
                    id=stem if schema.is_valid_id(stem) else None, title=None,
                    team=team_from_folder(source))
    try:
        text = decode(raw)
        matter, body, record.body_line = split_front_matter(text)
        if len(matter) > MAX_FRONT_MATTER:
            raise YamlProblem(2, f"front matter is {len(matter):,} characters long, over the limit of "
                                 f"{MAX_FRONT_MATTER:,}: keep long text in the body")
        data, record.lines, record.problems = parse_yaml(matter, first_line=1)  # matter keeps the newline ending the opening ---
        if data is None:
            raise YamlProblem(1, "front matter is empty")
        if not isinstance(data, dict):
            raise YamlProblem(2, f"front matter must be a mapping of keys, not {schema.type_name(data)}")
    except YamlProblem as problem:
        record.broken = True
        record.problems = [Problem(FRONT_MATTER, problem.line, problem.message)]
        text = fallback_text(raw)
        try:
            _, record.body, record.body_line = split_front_matter(text)
        except YamlProblem:
            record.body = text
        record.title = _take_heading(record) or stem
        return record

    record.body = body
    _apply_fields(record, data)
    if record.title is None:
        heading = _take_heading(record)
        if heading:
            record.title = heading
        elif "title" not in data:  # a refused title is already reported
            record.problems.append(Problem(SCHEMA, 1, f"{record.kind} has no title: add 'title:' or start the body with '# ' and a heading"))
    return record


def _take_heading(record: Record) -> str | None:
    """Remove a leading '# ' heading from the body and return its text."""
    match = _HEADING.match(record.body)
    if not match:
        return None
    record.body_line += record.body[: match.end()].count("\n")
    record.body = record.body[match.end():]
    return match.group(1).strip()


def _apply_fields(record: Record, data: dict) -> None:
    # The kind decides which keys are allowed, so settle it first.
    if "kind" in data:
        try:
            record.kind = schema.KEYS["kind"].check(data["kind"])
            record.fields["kind"] = record.kind
        except schema.Invalid as problem:
            record.problems.append(Problem(SCHEMA, record.line_of("kind"), f"kind: {problem}"))
    for key, value in data.items():
        if key == "kind":
            continue
        line = record.line_of(str(key))
        spec = schema.KEYS.get(key) if isinstance(key, str) else None
        if spec is None:
            hint = schema.suggest(key, schema.KEYS) if isinstance(key, str) else None
            hint = f": did you mean '{hint}'?" if hint else ""
            record.problems.append(Problem(SCHEMA, line, f"unknown key '{key}'{hint}"))
            continue
        if record.kind not in spec.kinds:
            allowed = " or ".join(f"{kind}s" for kind in spec.kinds)
            record.problems.append(Problem(SCHEMA, line, f"key '{key}' is for {allowed}, not for {schema.a_kind(record.kind)}"))
            continue
        try:
            record.fields[key] = spec.check(value)
        except schema.Invalid as problem:
            record.problems.append(Problem(SCHEMA, line, f"{key}: {problem}"))
    if "id" in data:
        record.id = record.fields.get("id")  # None when the id was refused
    elif record.id is None:  # the file name would be the id, but is not a valid one
        record.problems.append(Problem(SCHEMA, 1, f"file name '{record.source.rsplit('/', 1)[-1]}' is not a valid id: "
                                                  "rename the file or add 'id:'"))
    record.title = record.fields.get("title")
    if "team" in record.fields:
        record.team = record.fields["team"]
    for key in schema.REQUIRED.get(record.kind, ()):  # the JSON Schema requires the same keys
        if key not in data:
            record.problems.append(Problem(SCHEMA, 1, f"{record.kind} '{record.id or record.source}' has no {key}"))

def plan_files(root: Path, plans_root: Path, found: Scan) -> list[tuple[str, str, str]]:
    """The plan files a scan found, as read_record takes them: (absolute path, path as
    shown, source below plans_root)."""
    prefix = display_prefix(root, plans_root)
    folder = str(plans_root)
    # Strings, not Path objects, which cost measurably more per file at this count.
    return [(os.path.join(folder, source), prefix + source, source) for source in found.plan_files]


def read_plans(root: Path, plans_dir: str) -> tuple[list[Record], Scan]:
    """Every record below root/plans_dir, in path order, plus what the walk found.
    (analysis.analyse reads them the same way, with its cache and worker processes.)"""
    plans_root = root / plans_dir
    found = scan(plans_root)
    return [read_record(file)[0] for file in plan_files(root, plans_root, found)], found


def read_record(file: tuple[str, str, str]) -> tuple[Record, bool]:
    """The record of one plan file (absolute path, shown path, source), and whether
    the file could be read at all (an unreadable one is not worth caching)."""
    absolute, path, source = file
    try:
        with open(absolute, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        return Record(path=path, source=source, kind=kind_from_folder(source), id=None, title=source, broken=True,
                      problems=[Problem(FRONT_MATTER, 1, f"cannot read file: {error.strerror}")]), False
    return parse_record(raw, path, source), True


def display_prefix(root: Path, plans_root: Path) -> str:
    """How paths below plans_root are shown: relative to root when inside it."""
    try:
        relative = os.path.relpath(plans_root, root)
    except ValueError:  # another drive on Windows
        relative = str(plans_root)
    relative = relative.replace(os.sep, "/")
    return "" if relative == "." else relative.rstrip("/") + "/"
