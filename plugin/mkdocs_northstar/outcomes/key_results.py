"""The key results of an objective and their measurements (contract v1.1): plain data.

The v1 shorthand keys make exactly one key result, `kr-1`. Progress of one key result is
unclamped (1.25 is 125 %); see judging.py for what follows from it as of a date.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Callable

from ..read.schema import DIRECTIONS  # noqa: F401  (the directions of a key result)

SCHEMA = "schema"
METRIC, MILESTONE = "metric", "milestone"
HEALTHS = ("not-started", "on-track", "at-risk", "off-track", "ended")
THRESHOLDS = (0.9, 0.7)
STALE_AFTER_DAYS = 30
# The keys of one key result, and of one measurement.
KEY_RESULT_KEYS = ("id", "title", "metric", "baseline", "target", "direction", "current", "unit", "weight",
                   "measurements", "milestone", "done")
MEASUREMENT_KEYS = ("date", "value", "note")
# The v1 keys that make an objective's one shorthand key result.
SHORTHAND_KEYS = ("metric", "baseline", "target", "current", "unit", "measurements")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Finding:
    """A problem found in a key result: `file` is None for the record's own file, else the
    shown path of the CSV file it is in (lines are then that file's lines)."""

    rule: str
    line: int
    message: str
    file: str | None = None


@dataclass(frozen=True)
class Measurement:
    date: datetime.date
    value: float
    note: str | None
    line: int
    file: str | None = None  # None: the record's own file; else the CSV file's shown path

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "value": self.value, "note": self.note}


@dataclass
class KeyResult:
    id: str
    title: str
    kind: str  # METRIC or MILESTONE
    metric: str | None = None
    unit: str | None = None
    direction: str | None = None
    baseline: float | None = None
    target: float | None = None
    current: float | None = None
    weight: float = 1
    done: bool | datetime.date | None = None
    measurements: list[Measurement] = field(default_factory=list)  # ordered by date
    line: int = 1
    milestone: str | None = None

    @property
    def value(self) -> float | None:
        """The latest measurement's value, else `current`."""
        return self.measurements[-1].value if self.measurements else self.current

    @property
    def progress(self) -> float | None:
        """Unclamped progress (1.25 is 125 %); None while it cannot be worked out."""
        if self.kind == MILESTONE:
            return 1.0 if self.done else 0.0
        value, target = self.value, self.target
        if value is None or target is None:
            return None
        if self.direction == "stay-above":
            return 1.0 if value >= target else 0.0
        if self.direction == "stay-below":
            return 1.0 if value <= target else 0.0
        if self.baseline is None or target == self.baseline:
            return None
        return (value - self.baseline) / (target - self.baseline)

    @property
    def reached(self) -> bool:
        progress = self.progress
        return progress is not None and progress >= 1

    def as_dict(self) -> dict:
        """The key result as `northstar export` writes it (progress and health added by the caller)."""
        done = self.done.isoformat() if isinstance(self.done, datetime.date) else self.done
        return {"id": self.id, "title": self.title, "kind": self.kind, "metric": self.metric, "unit": self.unit,
                "direction": self.direction, "baseline": self.baseline, "target": self.target,
                "current": self.value, "progress": self.progress, "weight": self.weight, "done": done,
                "measurements": [m.as_dict() for m in self.measurements]}


ReadCsv = Callable[[str], "tuple[list[tuple[str | None, Measurement]], list[Finding]]"]


def parse_date(value: object) -> datetime.date | None:
    """A YYYY-MM-DD date, as YAML gives it (a date) or as quoted text; None otherwise."""
    if isinstance(value, datetime.datetime):
        return None
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def default_direction(baseline: float | None, target: float | None) -> str | None:
    if baseline is None or target is None or baseline == target:
        return None
    return "increase" if target > baseline else "decrease"
