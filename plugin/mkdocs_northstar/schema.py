"""The front-matter keys of a record: one table that both validates plan files and
produces the JSON Schema editors use, so the two can never drift apart."""

from __future__ import annotations

import datetime
import difflib
import math
import re
from dataclasses import dataclass
from typing import Any, Callable

KINDS = ("objective", "theme", "plan")
STATUSES = ("proposed", "planned", "in-progress", "done", "dropped")
ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
PERIOD_PATTERN = r"^[0-9]{4}(-H[12]|-Q[1-4])?$"
URL_SCHEMES = ("http", "https", "mailto")

_ID_RE = re.compile(ID_PATTERN)
_PERIOD_RE = re.compile(PERIOD_PATTERN)
_URL_RE = re.compile(r"^(https?://[^\s/$.?#][^\s]*|mailto:[^\s@]+@[^\s@]+)$", re.IGNORECASE)


class Invalid(ValueError):
    """A value that does not fit its key; the message says what was expected."""


def a_kind(kind: str) -> str:
    """'an objective', 'a theme', 'a plan': the kind with its article, for messages."""
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def is_valid_id(value: object) -> bool:
    return isinstance(value, str) and bool(_ID_RE.match(value))


def type_name(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    return f"a {type(value).__name__}"


def _string(value: object) -> str:
    # Numbers are common in owner/metric/unit strings ("2024", 42); a date or a
    # list is a real mistake.
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise Invalid(f"expected a string, got {type_name(value)}")
    text = str(value).strip()
    if not text:
        raise Invalid("expected a non-empty string")
    return text


def _number(value: object) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(f"expected a number, got {type_name(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid("expected a finite number")
    return value


def _positive_number(value: object) -> float | int:
    number = _number(value)
    if number <= 0:
        raise Invalid(f"expected a number greater than 0, got {number}")
    return number


def _identifier(value: object) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected an id, got {type_name(value)}")
    if not _ID_RE.match(value):
        raise Invalid(f"'{value}' is not a valid id: use lower-case letters, digits and '-', starting with a letter or digit")
    return value


def _list_of(item: Callable[[object], Any]) -> Callable[[object], list]:
    def check(value: object) -> list:
        if not isinstance(value, list):
            raise Invalid(f"expected a list, got {type_name(value)}")
        items = []
        for position, element in enumerate(value, 1):
            try:
                items.append(item(element))
            except Invalid as problem:
                raise Invalid(f"item {position}: {problem}") from None
        # Keep the first of repeated items: a repeat adds nothing.
        return list(dict.fromkeys(items))

    return check


def _period(value: object) -> str:
    # YAML reads a bare year as an integer.
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _PERIOD_RE.match(value):
        shown = value if isinstance(value, str) else type_name(value)
        raise Invalid(f"period '{shown}' is not YYYY, YYYY-H1/H2 or YYYY-Q1..Q4")
    return value


def _choice(options: tuple[str, ...], what: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        if not isinstance(value, str) or value not in options:
            shown = value if isinstance(value, str) else type_name(value)
            hint = suggest(str(shown), options)
            hint = f"; did you mean '{hint}'?" if hint else ""
            raise Invalid(f"{what} '{shown}' is not one of {', '.join(options)}{hint}")
        return value

    return check


def _url(value: object) -> str:
    if not isinstance(value, str) or not _URL_RE.match(value.strip()):
        shown = value if isinstance(value, str) else type_name(value)
        raise Invalid(f"'{shown}' is not an http, https or mailto URL")
    return value.strip()


@dataclass(frozen=True)
class Key:
    """One front-matter key: who may use it, how it is checked, how editors see it."""

    name: str
    kinds: tuple[str, ...]
    check: Callable[[object], Any]
    json: dict
    description: str


_ID_LIST_JSON = {"type": "array", "items": {"type": "string", "pattern": ID_PATTERN}}
_ALL = KINDS

KEYS: dict[str, Key] = {
    key.name: key
    for key in (
        Key("id", _ALL, _identifier, {"type": "string", "pattern": ID_PATTERN},
            "Unique id across all records; default: the file's stem."),
        Key("kind", _ALL, _choice(KINDS, "kind"), {"enum": list(KINDS)},
            "objective, theme or plan; default from the folder (objectives/, themes/, anything else)."),
        Key("title", _ALL, _string, {"type": "string", "minLength": 1},
            "Required unless the body starts with a '# ' heading."),
        Key("owner", _ALL, _string, {"type": ["string", "number"]}, "Who answers for this record."),
        Key("period", _ALL, _period, {"type": ["string", "integer"], "pattern": PERIOD_PATTERN},
            "YYYY, YYYY-H1/H2 or YYYY-Q1..Q4. Required on objectives."),
        Key("tags", _ALL, _list_of(_string), {"type": "array", "items": {"type": "string"}},
            "Tags passed on to the page (Material's tags plugin)."),
        Key("metric", ("objective",), _string, {"type": "string", "minLength": 1},
            "What is measured."),
        Key("baseline", ("objective",), _number, {"type": "number"}, "The value when the period starts."),
        Key("target", ("objective",), _number, {"type": "number"},
            "Where the metric must get to; lower than baseline means lower is better."),
        Key("current", ("objective",), _number, {"type": "number"}, "The latest measurement."),
        Key("unit", ("objective",), _string, {"type": ["string", "number"]}, "Unit of the metric: s, %, users."),
        Key("parent", ("objective",), _identifier, {"type": "string", "pattern": ID_PATTERN},
            "A higher objective this one rolls up to."),
        Key("objectives", ("theme", "plan"), _list_of(_identifier), _ID_LIST_JSON,
            "Objectives served (directly, for a plan)."),
        Key("themes", ("plan",), _list_of(_identifier), _ID_LIST_JSON, "Themes this plan belongs to."),
        Key("team", ("plan",), _string, {"type": "string", "minLength": 1},
            "Default: the first folder below plans_dir."),
        Key("status", ("plan",), _choice(STATUSES, "status"), {"enum": list(STATUSES)},
            "Default: proposed."),
        Key("effort", ("plan",), _positive_number, {"type": "number", "exclusiveMinimum": 0},
            "Size in the team's unit (weeks, points); weights coverage."),
        Key("depends_on", ("plan",), _list_of(_identifier), _ID_LIST_JSON, "Plans this one waits for."),
        Key("links", ("plan",), _list_of(_url),
            {"type": "array", "items": {"type": "string", "pattern": "^(https?://|mailto:)"}},
            "Tracker tickets, documents: http, https or mailto URLs."),
    )
}


def suggest(word: str, candidates, cutoff: float = 0.6) -> str | None:
    """The nearest candidate to a mistyped word, if any is close enough."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def json_schema() -> dict:
    """JSON Schema (draft 2020-12) of a record's front matter, from KEYS."""

    def properties(kind: str) -> dict:
        return {
            name: {**key.json, "description": key.description}
            for name, key in KEYS.items()
            if kind in key.kinds
        }

    def variant(kind: str, required: list[str]) -> dict:
        return {
            "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
            "then": {"properties": properties(kind), "additionalProperties": False, "required": required},
        }

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://northstar.invalid/schema/record-v1.json",
        "title": "Northstar record front matter",
        "description": "Front matter of a Northstar objective, theme or plan (plans/**/*.md).",
        "type": "object",
        "properties": {name: {**key.json, "description": key.description} for name, key in KEYS.items()},
        "additionalProperties": False,
        "allOf": [variant("objective", ["period"]), variant("theme", []), variant("plan", [])],
    }
