"""`northstar new`: write a new record from a template, in the folder its kind needs.

The file holds the links given and YAML comments that tell the author what to fill
in; anything not given stays a comment, so `northstar check` reports exactly what
the new record still lacks. An existing file is never overwritten.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .load import read_plans
from .settings import Settings

# A team is a folder below plans_dir; these folders mean other kinds.
_RESERVED_FOLDERS = ("objectives", "themes")
_TEAM_FOLDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class Refused(Exception):
    """The record cannot be written; `usage` says whether the arguments were at fault
    (exit 2) or the plans on disk (exit 1: the id or the file is taken)."""

    def __init__(self, message: str, usage: bool):
        super().__init__(message)
        self.usage = usage


@dataclass
class Request:
    kind: str
    id: str
    title: str | None = None
    team: str | None = None
    themes: list[str] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)
    parent: str | None = None
    period: str | None = None
    owner: str | None = None


def yaml_scalar(text: str) -> str:
    """A double-quoted YAML scalar that reads back as `text`."""
    quoted = json.dumps(text, ensure_ascii=False)
    # YAML treats these as line breaks even inside quotes; JSON leaves them raw.
    for char in ("\u0085", "\u2028", "\u2029"):
        quoted = quoted.replace(char, f"\\u{ord(char):04x}")
    return quoted


def default_title(record_id: str) -> str:
    return record_id.replace("-", " ").capitalize()


def _refuse_usage(message: str) -> Refused:
    return Refused(message, usage=True)


def _check_request(request: Request) -> None:
    if not schema.is_valid_id(request.id):
        raise _refuse_usage(f"'{request.id}' is not a valid id: use lower-case letters, digits and '-', "
                            "starting with a letter or digit")
    allowed = {"objective": {"parent", "period", "owner"},
               "theme": {"objectives", "period", "owner"},
               "plan": {"team", "themes", "objectives", "period", "owner"}}[request.kind]
    options = {"team": request.team, "themes": request.themes, "objectives": request.objectives,
               "parent": request.parent, "period": request.period, "owner": request.owner}
    for name, value in options.items():
        if value and name not in allowed:
            flag = {"themes": "--theme", "objectives": "--objective"}.get(name, f"--{name}")
            raise _refuse_usage(f"{flag} does not apply to {schema.a_kind(request.kind)}")
    if request.period is not None:
        try:
            schema.PERIOD(request.period)
        except schema.Invalid as problem:
            raise _refuse_usage(f"period {problem}") from None
    if request.team is not None and (not _TEAM_FOLDER.match(request.team) or request.team in _RESERVED_FOLDERS):
        raise _refuse_usage(f"team '{request.team}' cannot be a folder name: use letters, digits, '-' and '_' "
                            f"(and not {' or '.join(_RESERVED_FOLDERS)})")
    for value in (request.title, request.owner):
        if value is not None and not value.strip():
            raise _refuse_usage("--title and --owner need some text")


def _check_links(request: Request, kinds_by_id: dict[str, str]) -> None:
    wanted = [("theme", target) for target in request.themes]
    wanted += [("objective", target) for target in request.objectives]
    wanted += [("objective", request.parent)] if request.parent else []
    for kind, target in wanted:
        found = kinds_by_id.get(target)
        if found == kind:
            continue
        if found is None:
            same_kind = [key for key, value in kinds_by_id.items() if value == kind]
            hint = schema.suggest(target, same_kind)
            hint = f": did you mean '{hint}'?" if hint else f"; create it first with `northstar new {kind} {target}`"
            raise _refuse_usage(f"there is no {kind} '{target}'{hint}")
        raise _refuse_usage(f"'{target}' is {schema.a_kind(found)}, not {schema.a_kind(kind)}")


def target_path(settings: Settings, request: Request) -> Path:
    folder = {"objective": "objectives", "theme": "themes"}.get(request.kind, request.team or "")
    return settings.plans_root / folder / f"{request.id}.md"


def render(request: Request) -> str:
    """The text of the new file."""
    title = request.title.strip() if request.title else default_title(request.id)
    lines = ["---", f"title: {yaml_scalar(title)}"]
    if request.owner:
        lines.append(f"owner: {yaml_scalar(request.owner.strip())}")
    else:
        lines.append("# owner: who answers for it")

    def id_list(key: str, ids: list[str], comment: str) -> None:
        if ids:
            lines.append(f"{key}: [{', '.join(ids)}]")
        else:
            lines.append(f"# {key}: [] {comment}")

    if request.kind == "objective":
        lines += [
            f"period: {request.period or datetime.date.today().year}  # YYYY, YYYY-H1/H2 or YYYY-Q1..Q4",
            "# Make it measurable: what is measured, where it starts and where it must get to.",
            "# metric: median time to find a product",
            "# baseline: 40",
            "# target: 20   # below the baseline means lower is better",
            "# current: 40  # the latest measurement; progress is measured from baseline to target",
            "# unit: s",
        ]
        lines.append(f"parent: {request.parent}" if request.parent
                     else "# parent: a higher objective this one rolls up to")
    elif request.kind == "theme":
        id_list("objectives", request.objectives, "# the objectives this theme serves: at least one")
        lines.append(f"period: {request.period}" if request.period
                     else "# period: default: the period of its objectives")
        lines.append("# Below the closing '---', tell the story: why the team climbs this hill.")
    else:
        id_list("themes", request.themes, "# the themes this plan belongs to: at least one")
        id_list("objectives", request.objectives, "# objectives it serves directly (its themes' objectives count too)")
        lines.append("status: proposed  # proposed, planned, in-progress, done or dropped")
        lines += [
            "# effort: 3   # in the team's unit (weeks, points); weights the coverage figures",
            "# depends_on: [] # plans this one waits for",
            "# links: []   # tracker tickets, design documents (http, https or mailto URLs)",
        ]
        lines.append(f"period: {request.period}" if request.period
                     else "# period: default: the period of the objectives it serves")
        if not request.team:
            lines.append("# team: default: the folder below the plans folder (none at the top)")
        lines.append("# Below the closing '---': what the work is, why, and how you will know it is done.")
    lines.append("---")
    return "\n".join(lines) + "\n"


def create(settings: Settings, request: Request) -> Path:
    """Write the new record; raise Refused without writing anything if it cannot be."""
    _check_request(request)
    records, _ = read_plans(settings.root, settings.plans_dir) if settings.plans_root.is_dir() else ([], None)
    kinds_by_id: dict[str, str] = {}
    for record in records:
        if record.id is not None:
            if record.id == request.id:
                raise Refused(f"id '{request.id}' is taken by {record.path}", usage=False)
            kinds_by_id.setdefault(record.id, record.kind)
    _check_links(request, kinds_by_id)

    path = target_path(settings, request)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as file:  # "x": never overwrite
            file.write(render(request))
    except FileExistsError:
        raise Refused(f"{path} already exists; it is never overwritten", usage=False) from None
    return path
