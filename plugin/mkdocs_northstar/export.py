"""`northstar export`: the whole strategy graph as data for other tools.

JSON (format version 1) holds every record with its fields, its links in both
directions, the coverage figures and the diagnostics; CSV holds one row a record.
Records are ordered by kind (objectives, themes, plans), then by file; every list
has a fixed order, so two exports of the same plans are byte for byte the same.

Records refer to each other by `ref`: the record's id, or, for a record without a
valid id or one repeating an earlier record's id, a unique stand-in made from its
file name.
"""

from __future__ import annotations

import csv
import datetime
import io
import json

from .analysis import Analysis
from .coverage import Share, StatusRollup
from .diagnostics import ERROR, WARNING
from .model import Node
from .render.text import rounded
from .read.schema import KINDS

VERSION = 1

# Links of a record, in both directions: name -> how to read them from a Node.
LINKS = {
    "parent": lambda node: [node.parent] if node.parent else [],
    "children": lambda node: node.children,  # objectives rolling up to it
    "objectives": lambda node: node.objectives,  # theme/plan: named; objective: none
    "themes": lambda node: node.themes,  # plan: named; objective: themes serving it
    "plans": lambda node: node.plans,  # theme: its plans; objective: plans naming it directly
    "depends_on": lambda node: node.depends_on,
    "needed_by": lambda node: node.dependents,
    "serves": lambda node: node.served,  # plan: objectives served directly or through a theme
    "served_by": lambda node: node.serving,  # objective: plans serving it directly or through a theme
}


def ordered(analysis: Analysis) -> list[Node]:
    rank = {kind: position for position, kind in enumerate(KINDS)}
    return sorted(analysis.strategy.nodes, key=lambda node: (rank[node.kind], node.path))


def _refs(nodes) -> list[str]:
    return [node.slug for node in nodes]


def _share(share: Share) -> dict:
    return {"part": share.part, "whole": share.whole, "ratio": share.ratio}


def _status(rollup: StatusRollup) -> dict:
    return {"plans": dict(rollup.plans), "effort": dict(rollup.weight), "done": _share(rollup.done)}


def _counts(analysis: Analysis) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for diagnostic in analysis.diagnostics:
        if diagnostic.severity in (ERROR, WARNING):
            entry = counts.setdefault(diagnostic.file, {ERROR: 0, WARNING: 0})
            entry[diagnostic.severity] += 1
    return counts


def _record(node: Node, analysis: Analysis, counts: dict) -> dict:
    found = counts.get(node.path, {ERROR: 0, WARNING: 0})
    return {
        "ref": node.slug,
        "id": node.id,
        "kind": node.kind,
        "title": node.title,
        "file": node.path,
        "page": f"{analysis.settings.url_prefix}/{node.page}",
        "team": node.team,
        "status": node.status if node.kind == "plan" else None,
        "period": node.period,  # its own, or inherited from its objectives
        "progress": node.progress,
        "linked": node.linked,
        "broken": node.record.broken,
        "fields": _plain(node.record.fields),  # the front matter as validated; invalid values left out
        "links": {name: _refs(read(node)) for name, read in LINKS.items()},
        "errors": found[ERROR],
        "warnings": found[WARNING],
        "body": node.record.body,
        **(_outcome(node) if node.kind == "objective" else {}),
    }


def _plain(value):
    """JSON-ready: the dates YAML reads in key results and measurements as YYYY-MM-DD."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _outcome(node: Node) -> dict:
    """Contract v1.1: an objective's health, score, forecast and key results."""
    outcome = node.outcome
    if outcome is None:
        return {"health": None, "score": None, "forecast": None, "rolled_up": False, "key_results": []}
    return {"health": outcome.health, "score": outcome.score, "forecast": outcome.forecast,
            "rolled_up": outcome.rolled_up,  # progress is the mean of its child objectives'
            "key_results": [{**kr.as_dict(), "health": outcome.key_result_health.get(kr.id),
                             "forecast": outcome.key_result_forecast.get(kr.id)}
                            for kr in outcome.key_results]}


def _coverage(analysis: Analysis) -> dict:
    coverage = analysis.coverage
    return {
        "linked_effort": _share(coverage.linked),
        "covered_objectives": _share(coverage.covered),
        "objectives": [{"ref": entry.objective.slug, "plans": _refs(entry.plans), "effort": entry.weight,
                        "covered": entry.covered, "status": _status(entry.status)}
                       for entry in coverage.objectives],
        "themes": [{"ref": entry.theme.slug, "plans": _refs(entry.theme.plans), "effort": entry.weight,
                    "status": _status(entry.status)} for entry in coverage.themes],
        "teams": [{"team": team.team, "plans": _refs(team.plans), "linked_effort": _share(team.linked),
                   "objectives": _refs(team.objectives), "status": _status(team.status)}
                  for team in coverage.teams],
        "matrix": [{"objective": objective, "theme": theme, "plans": plans}
                   for (objective, theme), plans in sorted(coverage.matrix.items())],
        "unlinked_plans": _refs(coverage.unlinked_plans),
        "unlinked_themes": _refs(coverage.unlinked_themes),
        "uncovered_objectives": _refs(coverage.uncovered_objectives),
        "empty_themes": _refs(coverage.empty_themes),
    }


def as_data(analysis: Analysis) -> dict:
    counts = _counts(analysis)
    return {
        "version": VERSION,
        # Contract v1.2: the strategy's own name (null without one), as others qualify its records.
        "name": analysis.strategy.sources.own_name if analysis.strategy.sources else None,
        "summary": analysis.summary(),
        "records": [_record(node, analysis, counts) for node in ordered(analysis)],
        "coverage": _coverage(analysis),
        "diagnostics": [diagnostic.as_dict() for diagnostic in analysis.diagnostics],  # sorted by file and line
    }


def as_json(analysis: Analysis) -> str:
    return json.dumps(rounded(as_data(analysis)), indent=2, ensure_ascii=False) + "\n"


# --- CSV ----------------------------------------------------------------------------------

# Front-matter values of their own columns (the links have theirs below).
_FIELD_COLUMNS = ("owner", "metric", "unit", "baseline", "target", "current", "effort", "tags", "links")
COLUMNS = ("ref", "id", "kind", "title", "file", "page", "team", "status", "period", "progress", "linked",
           "errors", "warnings", *_FIELD_COLUMNS, *LINKS, "health", "score", "forecast")
_LIST_SEPARATOR = ";"
# A spreadsheet runs a cell that starts with one of these as a formula; authors' text
# must not (CSV injection), so such text gets a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TEXT_COLUMNS = {"title", "owner", "metric", "unit", "tags", "team"}


def _cell(column: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = _LIST_SEPARATOR.join(str(item) for item in value)
    text = str(value)
    if column in _TEXT_COLUMNS and text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def as_csv(analysis: Analysis) -> str:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in rounded(as_data(analysis))["records"]:
        # The front-matter key `links` (URLs) is a column; the record's graph links are the last columns.
        row = {"health": None, "score": None, "forecast": None,
               **record, **record["links"], **{key: record["fields"].get(key) for key in _FIELD_COLUMNS}}
        writer.writerow([_cell(column, row[column]) for column in COLUMNS])
    return output.getvalue()


FORMATTERS = {"json": as_json, "csv": as_csv}
