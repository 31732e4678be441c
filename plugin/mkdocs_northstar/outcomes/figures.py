"""The outcome figures of every objective of a strategy, as of a date (contract v1.1).

`measure` reads each objective's key results (with the `read_csv` reader the caller
makes for its record) and works out, as judging.py says: the objective's progress (its
own, or its child objectives' mean where it has no key results of its own), its health,
its score once its period has ended, and its forecast. The problems found are returned
as (file or None, line, message) for the `schema` rule.

An objective's forecast is the progress its key results would reach on the period's last
day: each key result with a forecast value counts with the progress of that value, the
others with their progress today; None when no key result has a forecast.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

from .judging import (THRESHOLDS, forecast, health, key_result_health, objective_progress, rolled_up, score)
from .key_results import Finding, KeyResult
from .reading import key_results_of


@dataclass
class Outcome:
    """An objective's key results and what is judged of them as of `as_of`."""

    key_results: list[KeyResult] = field(default_factory=list)
    own_progress: float | None = None  # from its own key results
    progress: float | None = None  # own_progress, or rolled up from its children
    rolled_up: bool = False  # progress comes from the child objectives (it has no key results)
    health: str | None = None
    score: float | None = None
    forecast: float | None = None  # projected progress on the period's last day
    key_result_health: dict[str, str | None] = field(default_factory=dict)
    key_result_forecast: dict[str, float | None] = field(default_factory=dict)  # projected values

    def worst_first(self) -> int:
        """Rank for lists that put the objectives needing attention first."""
        return _RANK.get(self.health, len(_RANK))


_RANK = {"off-track": 0, "at-risk": 1, "on-track": 2, "not-started": 3, "ended": 4}


def _objective_forecast(key_results: list[KeyResult], values: dict[str, float | None]) -> float | None:
    if not any(values.get(kr.id) is not None for kr in key_results):
        return None
    projected = [replace(kr, measurements=[], current=values[kr.id]) if values.get(kr.id) is not None else kr
                 for kr in key_results]
    return objective_progress(projected)


def measure(objectives: Iterable, as_of: datetime.date, thresholds=THRESHOLDS,
            reader: Callable[[object], Callable] | None = None) -> list[tuple[object, Finding]]:
    """Give every objective node its `outcome`; return (node, finding) for each problem.
    `objectives`: nodes with `record`, `period`, `children`; `reader(node)`: its CSV reader."""
    objectives = list(objectives)
    problems: list[tuple[object, Finding]] = []
    for node in objectives:
        record = node.record
        outcome = Outcome()
        if not record.broken:
            outcome.key_results, found = key_results_of(record.fields, record.lines,
                                                        reader(node) if reader else None)
            problems.extend((node, finding) for finding in found)
        outcome.own_progress = outcome.progress = objective_progress(outcome.key_results)
        node.outcome = outcome

    # Roll-ups, children first; a loop through `parent` (reported by the cycle rule) stops there.
    done: set[int] = set()

    def settle(node, visiting: set[int]) -> float | None:
        outcome = node.outcome
        if id(node) in done or id(node) in visiting:
            return outcome.progress
        visiting.add(id(node))
        if not outcome.key_results and node.children:
            children = [settle(child, visiting) for child in node.children]
            outcome.progress = rolled_up(None, False, children)
            outcome.rolled_up = True
        visiting.discard(id(node))
        done.add(id(node))
        return outcome.progress

    for node in objectives:
        settle(node, set())
        outcome, period = node.outcome, node.period
        if not period:
            continue
        for kr in outcome.key_results:
            outcome.key_result_health[kr.id] = key_result_health(kr, period, as_of, thresholds)
            outcome.key_result_forecast[kr.id] = forecast(kr, period, as_of)
        progress = outcome.progress
        outcome.health = health(progress, period, as_of, thresholds, reached=progress is not None and progress >= 1)
        outcome.score = score(progress, period, as_of)
        outcome.forecast = _objective_forecast(outcome.key_results, outcome.key_result_forecast)
    return problems
