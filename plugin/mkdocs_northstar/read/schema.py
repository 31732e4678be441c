"""The front-matter keys of a record: one table that both validates plan files and
produces the JSON Schema editors use, so the two can never drift apart."""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from typing import Any, Callable

KINDS = ("objective", "theme", "plan")
STATUSES = ("proposed", "planned", "in-progress", "done", "dropped")
ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
# A link names a local id, or `NAME:ID`: record ID of the strategy (source) called NAME (v1.2).
LINK_PATTERN = r"^([a-z0-9][a-z0-9-]*:)?[a-z0-9][a-z0-9-]*$"
PERIOD_PATTERN = r"^[0-9]{4}(-H[12]|-Q[1-4])?$"


def _caseless(word: str) -> str:
    # JSON Schema patterns are ECMA regexes, which have no inline (?i) flag.
    return "".join(f"[{char.lower()}{char.upper()}]" for char in word)


# Surrounding blanks are allowed: the check strips them.
URL_PATTERN = (r"^\s*(" + _caseless("http") + r"[sS]?://[^\s/$.?#]\S*|"
               + _caseless("mailto") + r":[^\s@]+@[^\s@]+)\s*$")
# Patterns are matched whole (fullmatch): '$' alone would also accept a trailing newline.
_ID_RE = re.compile(ID_PATTERN)
_LINK_RE = re.compile(LINK_PATTERN)
_PERIOD_RE = re.compile(PERIOD_PATTERN)
_URL_RE = re.compile(URL_PATTERN)


class Invalid(ValueError):
    """A value that does not fit its key; the message says what was expected."""


@dataclass(frozen=True)
class Check:
    """How a key's value is checked, and the JSON Schema that says the same thing to
    an editor; the two sit side by side so that they cannot drift apart."""

    accept: Callable[[object], Any]  # returns the value to keep, or raises Invalid
    json: dict

    def __call__(self, value: object) -> Any:
        return self.accept(value)


def a_kind(kind: str) -> str:
    """'an objective', 'a theme', 'a plan': the kind with its article, for messages."""
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def is_valid_id(value: object) -> bool:
    return isinstance(value, str) and bool(_ID_RE.fullmatch(value))


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
    if not _ID_RE.fullmatch(value):
        raise Invalid(f"'{value}' is not a valid id: use lower-case letters, digits and '-', starting with a letter or digit")
    return value


def _link(value: object) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected an id, got {type_name(value)}")
    if not _LINK_RE.fullmatch(value):
        raise Invalid(f"'{value}' is not a valid id: use lower-case letters, digits and '-', starting with a letter "
                      "or digit (or NAME:ID for a record of the source NAME)")
    return value


def _list_of(item: Check) -> Check:
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

    return Check(check, {"type": "array", "items": item.json})


def _period(value: object) -> str:
    # YAML reads a bare year as an integer.
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _PERIOD_RE.fullmatch(value):
        shown = value if isinstance(value, str) else type_name(value)
        raise Invalid(f"'{shown}' is not YYYY, YYYY-H1/H2 or YYYY-Q1..Q4")
    return value


def _choice(options: tuple[str, ...]) -> Check:
    def check(value: object) -> str:
        if not isinstance(value, str) or value not in options:
            shown = value if isinstance(value, str) else type_name(value)
            hint = synonym(str(shown), options) or suggest(str(shown), options)
            hint = f"; did you mean '{hint}'?{synonym_note(str(shown))}" if hint else ""
            raise Invalid(f"'{shown}' is not one of {', '.join(options)}{hint}")
        return value

    return Check(check, {"enum": list(options)})


def _url(value: object) -> str:
    if not isinstance(value, str) or not _URL_RE.fullmatch(value):
        shown = value if isinstance(value, str) else type_name(value)
        raise Invalid(f"'{shown}' is not an http, https or mailto URL")
    return value.strip()


# Each check beside the JSON Schema that accepts the same values (tests/test_schema_cmd.py
# holds them to it). A string key also takes a number: YAML reads `owner: 2024` as one.
STRING = Check(_string, {"type": ["string", "number"], "pattern": r"\S"})
NUMBER = Check(_number, {"type": "number"})
POSITIVE_NUMBER = Check(_positive_number, {"type": "number", "exclusiveMinimum": 0})
IDENTIFIER = Check(_identifier, {"type": "string", "pattern": ID_PATTERN})
IDENTIFIERS = _list_of(IDENTIFIER)
LINK = Check(_link, {"type": "string", "pattern": LINK_PATTERN})
LINKS = _list_of(LINK)
# YAML reads a bare year as an integer.
PERIOD = Check(_period, {"anyOf": [{"type": "string", "pattern": PERIOD_PATTERN},
                                   {"type": "integer", "minimum": 1000, "maximum": 9999}]})
URL = Check(_url, {"type": "string", "pattern": URL_PATTERN})


DIRECTIONS = ("increase", "decrease", "stay-above", "stay-below")
DIRECTION = _choice(DIRECTIONS)
# The two objective keys of contract v1.1. Their checks pass the value through: the key
# results are validated by outcomes.key_results_of, which knows the lines of nested keys.
_MEASUREMENT_JSON = {"type": "object", "additionalProperties": False, "required": ["date", "value"],
                     "properties": {"date": {"type": "string", "format": "date"}, "value": {"type": "number"},
                                    "note": {"type": ["string", "number"]}}}
MEASUREMENTS_JSON = {"anyOf": [{"type": "array", "items": _MEASUREMENT_JSON},
                               {"type": "string", "pattern": r"\.csv$"}]}
KEY_RESULTS_JSON = {"type": "array", "minItems": 1, "items": {
    "type": "object", "additionalProperties": False,
    "properties": {"id": {"type": "string", "pattern": ID_PATTERN}, "title": {"type": ["string", "number"]},
                   "metric": {"type": ["string", "number"]}, "baseline": {"type": "number"},
                   "target": {"type": "number"}, "direction": {"enum": list(DIRECTIONS)},
                   "current": {"type": "number"}, "unit": {"type": ["string", "number"]},
                   "weight": {"type": "number", "exclusiveMinimum": 0}, "measurements": MEASUREMENTS_JSON,
                   "milestone": {"type": ["string", "number"]},
                   "done": {"anyOf": [{"type": "boolean"}, {"type": "string", "format": "date"}]}}}}
MEASUREMENTS = Check(lambda value: value, MEASUREMENTS_JSON)
KEY_RESULTS = Check(lambda value: value, KEY_RESULTS_JSON)


@dataclass(frozen=True)
class Key:
    """One front-matter key: who may use it, how it is checked, how editors see it."""

    name: str
    kinds: tuple[str, ...]
    check: Check
    description: str

    @property
    def json(self) -> dict:
        return {**self.check.json, "description": self.description}


_ALL = KINDS

KEYS: dict[str, Key] = {
    key.name: key
    for key in (
        Key("id", _ALL, IDENTIFIER, "Unique id across all records; default: the file's stem."),
        Key("kind", _ALL, _choice(KINDS),
            "objective, theme or plan; default from the folder (objectives/, themes/, anything else)."),
        Key("title", _ALL, STRING, "Required unless the body starts with a '# ' heading."),
        Key("owner", _ALL, STRING, "Who answers for this record."),
        Key("period", _ALL, PERIOD, "YYYY, YYYY-H1/H2 or YYYY-Q1..Q4. Required on objectives."),
        Key("tags", _ALL, _list_of(STRING), "Tags passed on to the page (Material's tags plugin)."),
        Key("metric", ("objective",), STRING, "What is measured."),
        Key("baseline", ("objective",), NUMBER, "The value when the period starts."),
        Key("target", ("objective",), NUMBER,
            "Where the metric must get to; lower than baseline means lower is better."),
        Key("current", ("objective",), NUMBER, "The latest measurement."),
        Key("unit", ("objective",), STRING, "Unit of the metric: s, %, users."),
        Key("parent", ("objective",), LINK, "A higher objective this one rolls up to."),
        Key("key_results", ("objective",), KEY_RESULTS,
            "The objective's key results (instead of metric, baseline, target, current, unit)."),
        Key("measurements", ("objective",), MEASUREMENTS,
            "Dated values {date, value, note}, or the name of a CSV file next to the record."),
        Key("objectives", ("theme", "plan"), LINKS, "Objectives served (directly, for a plan)."),
        Key("themes", ("plan",), LINKS, "Themes this plan belongs to."),
        Key("team", ("plan",), STRING, "Default: the first folder below plans_dir."),
        Key("status", ("plan",), _choice(STATUSES), "Default: proposed."),
        Key("effort", ("plan",), POSITIVE_NUMBER, "Size in the team's unit (weeks, points); weights coverage."),
        Key("depends_on", ("plan",), LINKS, "Plans this one waits for."),
        Key("links", ("plan",), _list_of(URL), "Tracker tickets, documents: http, https or mailto URLs."),
    )
}
# Keys a record of each kind must have (a title may come from the body's heading instead).
REQUIRED = {"objective": ("period",), "theme": (), "plan": ()}


# The words other trackers use for a status or a kind, and the one Northstar means by
# them: a spelling suggestion alone would turn "doing" into "done". Consulted before
# `suggest`, which only knows spelling.
SYNONYMS = {
    **dict.fromkeys(("doing", "wip", "started", "active", "ongoing", "in-flight", "blocked", "on-hold",
                     "paused", "waiting"), "in-progress"),
    **dict.fromkeys(("todo", "to-do", "backlog", "idea", "new", "open", "draft", "candidate"), "proposed"),
    **dict.fromkeys(("cancelled", "canceled", "abandoned", "wontfix", "won-t-fix", "rejected", "descoped",
                     "killed"), "dropped"),
    **dict.fromkeys(("complete", "completed", "shipped", "finished", "closed", "released", "delivered",
                     "resolved", "launched"), "done"),
    **dict.fromkeys(("scheduled", "committed", "next", "ready", "accepted", "approved"), "planned"),
    **dict.fromkeys(("goal", "okr", "outcome", "north-star", "kpi"), "objective"),
    **dict.fromkeys(("epic", "initiative", "project", "task", "story", "feature", "work", "milestone"), "plan"),
    **dict.fromkeys(("pillar", "bet", "area", "focus", "bucket", "strategy"), "theme"),
}
_BLOCKED = ("blocked", "on-hold", "paused", "waiting")


def synonym(word: str, candidates) -> str | None:
    """The candidate another tracker's word means ("doing" -> "in-progress"), if it is one."""
    meant = SYNONYMS.get(re.sub(r"[\s_']+", "-", word.strip().lower()))
    return meant if meant in candidates else None


def synonym_note(word: str) -> str:
    """A word on what a synonym loses: 'blocked' work is still in progress, and says what blocks it."""
    if re.sub(r"[\s_']+", "-", word.strip().lower()) in _BLOCKED:
        return " (Northstar has no blocked status: the work is still in progress; name what it waits for " \
               "in depends_on or the body)"
    return ""


def suggest(word: str, candidates, cutoff: float = 0.6) -> str | None:
    """The nearest candidate to a mistyped word, if any is close enough."""
    return Nearest(candidates, cutoff)(word)


class Nearest:
    """`suggest` for many words against one set of candidates (the ids of a kind, for
    every dangling link), at a bounded cost per word.

    Comparing each word with every candidate grew with links x ids (tens of seconds for
    thousands of dangling links among thousands of themes). Up to SCAN_ALL candidates are all compared, as before;
    among more, only a SHORTLIST: those sharing the most distinctive character pairs
    with the word, each as often as both hold it (a pair that most candidates hold says
    nothing, and is not counted), or, where the word has
    none, those of the nearest lengths. A word is looked up once, however often it is
    mistyped; a word longer than any id would be is not looked up at all."""

    SCAN_ALL = 200
    SHORTLIST = 20
    MAX_WORD = 100

    def __init__(self, candidates, cutoff: float = 0.6):
        self.candidates = [c for c in dict.fromkeys(candidates) if isinstance(c, str) and len(c) <= self.MAX_WORD]
        self.cutoff = cutoff
        self._found: dict[str, str | None] = {}
        self._pairs: dict[str, list[tuple[int, int]]] | None = None
        self._by_length: list[list[int]] = []

    def __call__(self, word: str) -> str | None:
        if word not in self._found:
            if len(word) > self.MAX_WORD:
                return None
            pool = self.candidates if len(self.candidates) <= self.SCAN_ALL else self._shortlist(word)
            import difflib  # only for a mistake: a clean check never needs it

            matches = difflib.get_close_matches(word, pool, n=1, cutoff=self.cutoff)
            self._found[word] = matches[0] if matches else None
        return self._found[word]

    def _index(self) -> dict[str, list[tuple[int, int]]]:
        if self._pairs is None:
            pairs: dict[str, list[tuple[int, int]]] = {}
            for position, candidate in enumerate(self.candidates):
                for pair, times in _pairs(candidate).items():
                    pairs.setdefault(pair, []).append((position, times))
                while len(self._by_length) <= len(candidate):
                    self._by_length.append([])
                self._by_length[len(candidate)].append(position)
            common = max(self.SHORTLIST, len(self.candidates) // 4)
            self._pairs = {pair: held for pair, held in pairs.items() if len(held) <= common}
        return self._pairs

    def _shortlist(self, word: str) -> list[str]:
        import heapq

        index = self._index()
        shared: dict[int, int] = {}
        for pair, times in _pairs(word).items():
            for position, held in index.get(pair, ()):
                shared[position] = shared.get(position, 0) + min(times, held)
        if shared:
            best = heapq.nlargest(self.SHORTLIST, shared, key=lambda position: (shared[position], -position))
        else:  # nearest lengths first: from the word's own length outwards
            best, distance = [], 0
            while len(best) < self.SHORTLIST and distance < max(len(word), len(self._by_length)) + 1:
                for length in {len(word) - distance, len(word) + distance}:
                    if 0 <= length < len(self._by_length):
                        best.extend(self._by_length[length][:self.SHORTLIST - len(best)])
                distance += 1
        return [self.candidates[position] for position in best]


def _pairs(word: str) -> dict[str, int]:
    """The word's pairs of adjacent characters, each with how often it holds it."""
    counted: dict[str, int] = {}
    for start in range(len(word) - 1):
        pair = word[start:start + 2]
        counted[pair] = counted.get(pair, 0) + 1
    return counted


# The schema uses no keyword newer than draft 7, so it can declare either draft: some
# editor tooling (ajv's default build, older yaml-language-server) reads only draft 7.
DRAFTS = {"2020-12": "https://json-schema.org/draft/2020-12/schema", "7": "http://json-schema.org/draft-07/schema#"}


def json_schema(default_kind: str | None = None, draft: str = "2020-12") -> dict:
    """JSON Schema (draft 2020-12) of a record's front matter, made from KEYS.

    The folder of a file decides its kind when `kind:` is absent, and a schema cannot
    see the folder: with `default_kind` the schema is for one folder (objectives/,
    themes/ or a team's), without it a record whose kind is not written may use any key.
    """
    if default_kind is not None and default_kind not in KINDS:
        raise ValueError(f"unknown kind {default_kind!r}")

    def variant(kind: str) -> dict:
        kind_is = {"properties": {"kind": {"const": kind}}}
        if kind != default_kind:
            kind_is["required"] = ["kind"]  # absent `kind` means the default kind only
        # A `false` schema per key that is not for this kind: editors say "not allowed".
        barred = {name: False for name, key in KEYS.items() if kind not in key.kinds}
        then = {"properties": barred}
        if REQUIRED[kind]:
            then["required"] = list(REQUIRED[kind])
        return {"if": kind_is, "then": then}

    folder = {"objective": "objectives/", "theme": "themes/", "plan": "a team's folder"}
    about = (f"Front matter of a Northstar record in {folder[default_kind]}: {default_kind} unless `kind:` says otherwise."
             if default_kind else "Front matter of a Northstar objective, theme or plan (plans/**/*.md).")
    return {
        "$schema": DRAFTS[draft],
        "$id": f"https://northstar.invalid/schema/v1/{default_kind or 'record'}.json",
        "title": "Northstar record front matter",
        "description": about,
        "type": "object",
        "properties": {name: key.json for name, key in KEYS.items()},
        "additionalProperties": False,
        "allOf": [variant(kind) for kind in KINDS],
    }
