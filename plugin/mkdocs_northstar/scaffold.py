"""`northstar new`: write a new record from a template, in the folder its kind needs.

The file holds the links and measure given and YAML comments that tell the author
what else to fill in. What a record needs to pass `northstar check` (an objective's
measure, a theme's objective, a plan's theme) is asked for on a terminal and refused
without it elsewhere. An existing file is never overwritten.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .read import schema
from .read.records import read_plans
from .render.text import yaml_string
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
    metric: str | None = None
    baseline: int | float | None = None
    target: int | float | None = None
    unit: str | None = None


# What each kind needs to pass `check`, as the options that give it: an objective is
# unmeasurable without its measure, a theme or a plan unlinked without its links.
NEEDED = {"objective": ("metric", "baseline", "target"), "theme": ("objectives",), "plan": ("themes",)}
FLAGS = {"themes": "--theme", "objectives": "--objective"}


def flag(name: str) -> str:
    return FLAGS.get(name, f"--{name}")


def missing(request: Request) -> list[str]:
    """The fields a record of its kind needs to pass `check` that the request lacks."""
    return [name for name in NEEDED[request.kind] if getattr(request, name) in (None, [], "")]


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def default_title(record_id: str) -> str:
    return record_id.replace("-", " ").capitalize()


def _refuse_usage(message: str) -> Refused:
    return Refused(message, usage=True)


def _check_request(request: Request) -> None:
    if not schema.is_valid_id(request.id):
        raise _refuse_usage(f"'{request.id}' is not a valid id: use lower-case letters, digits and '-', "
                            "starting with a letter or digit")
    allowed = {"objective": {"parent", "period", "owner", "metric", "baseline", "target", "unit"},
               "theme": {"objectives", "period", "owner"},
               "plan": {"team", "themes", "objectives", "period", "owner"}}[request.kind]
    options = {name: getattr(request, name) for name in ("team", "themes", "objectives", "parent", "period",
                                                          "owner", "metric", "baseline", "target", "unit")}
    for name, value in options.items():
        if value not in (None, [], "") and name not in allowed:
            raise _refuse_usage(f"{flag(name)} does not apply to {schema.a_kind(request.kind)}")
    if request.baseline is not None and request.baseline == request.target:
        raise _refuse_usage(f"--target must differ from --baseline ({request.baseline}): the objective "
                            "would have nowhere to go")
    if request.period is not None:
        try:
            schema.PERIOD(request.period)
        except schema.Invalid as problem:
            raise _refuse_usage(f"period {problem}") from None
    if request.team is not None and (not _TEAM_FOLDER.match(request.team) or request.team in _RESERVED_FOLDERS):
        raise _refuse_usage(f"team '{request.team}' cannot be a folder name: use letters, digits, '-' and '_' "
                            f"(and not {' or '.join(_RESERVED_FOLDERS)})")
    for name in ("title", "owner", "metric", "unit"):
        value = getattr(request, name)
        if value is not None and not value.strip():
            raise _refuse_usage(f"--{name} needs some text")


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
    lines = ["---", f"title: {yaml_string(title, readable=True)}"]
    if request.owner:
        lines.append(f"owner: {yaml_string(request.owner.strip(), readable=True)}")
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
            f"metric: {yaml_string(request.metric.strip(), readable=True)}" if request.metric
            else "# metric: median time to find a product",
            f"baseline: {request.baseline!r}" if request.baseline is not None else "# baseline: 40",
            f"target: {request.target!r}  # below the baseline means lower is better" if request.target is not None
            else "# target: 20   # below the baseline means lower is better",
            f"# current: {request.baseline if request.baseline is not None else 40}  # the latest measurement; "
            "progress is measured from baseline to target",
            f"unit: {yaml_string(request.unit.strip(), readable=True)}" if request.unit else "# unit: s",
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


def _refuse_missing(request: Request, lacking: list[str]) -> Refused:
    what, rule = {"objective": ("a metric, a baseline and a target", "unmeasurable-objective"),
                  "theme": ("an objective it serves", "unlinked-theme"),
                  "plan": ("a theme", "unlinked-plan")}[request.kind]
    return _refuse_usage(f"{schema.a_kind(request.kind)} needs {what}, or `northstar check` fails ({rule}): "
                         f"give {_and([flag(name) for name in lacking])}, or run on a terminal to be asked")


# Asks the author for what a request lacks: (request, fields lacking, kinds by id) -> None.
Ask = Callable[[Request, list, dict], None]


def create(settings: Settings, request: Request, ask: Ask | None = None) -> Path:
    """Write the new record; raise Refused without writing anything if it cannot be.
    What the record needs to pass `check` and lacks is asked for with `ask` (on a
    terminal), else refused."""
    _check_request(request)
    records, _ = read_plans(settings.root, settings.plans_dir) if settings.plans_root.is_dir() else ([], None)
    kinds_by_id: dict[str, str] = {}
    for record in records:
        if record.id is not None:
            if record.id == request.id:
                raise Refused(f"id '{request.id}' is taken by {record.path}", usage=False)
            kinds_by_id.setdefault(record.id, record.kind)
    lacking = missing(request)
    if lacking:
        if ask is None:
            raise _refuse_missing(request, lacking)
        ask(request, lacking, kinds_by_id)
        _check_request(request)
        if missing(request):
            raise _refuse_missing(request, missing(request))
    _check_links(request, kinds_by_id)

    path = target_path(settings, request)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as file:  # "x": never overwrite
            file.write(render(request))
    except FileExistsError:
        raise Refused(f"{path} already exists; it is never overwritten", usage=False) from None
    return path
