"""Judging key results as of a date (contract v1.1): progress of an objective, health,
score, forecast, staleness and overdue plans. Small pure functions of key results, periods
and dates; elapsed share counts the as_of day itself."""

from __future__ import annotations

import datetime
import os
from typing import Iterable

from .key_results import METRIC, THRESHOLDS, STALE_AFTER_DAYS, KeyResult



def default_as_of() -> datetime.date:
    """Today, or the day of SOURCE_DATE_EPOCH (UTC) when it is set, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).date()
        except (ValueError, OverflowError, OSError):
            pass
    return datetime.date.today()


def period_bounds(period: str | int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a period: 2026, 2026-H1, 2026-Q3."""
    period = str(period)
    year = int(period[:4])
    if len(period) == 4:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    months = 6 if period[5] == "H" else 3
    first_month = (int(period[6]) - 1) * months + 1
    last_month = first_month + months - 1
    end = datetime.date(year + 1, 1, 1) if last_month == 12 else datetime.date(year, last_month + 1, 1)
    return datetime.date(year, first_month, 1), end - datetime.timedelta(days=1)


def expected_progress(period: str, as_of: datetime.date) -> float:
    """The share of the period elapsed at the end of `as_of`: 0 before it, 1 after it."""
    start, end = period_bounds(period)
    days = (end - start).days + 1
    return min(1.0, max(0.0, ((as_of - start).days + 1) / days))


def health(progress: float | None, period: str, as_of: datetime.date, thresholds=THRESHOLDS,
           reached: bool = False) -> str | None:
    """not-started, on-track, at-risk, off-track or ended; None while under way without a value."""
    start, end = period_bounds(period)
    if as_of < start:
        return "not-started"
    if as_of > end:
        return "ended"
    if progress is None:
        return None
    expected = expected_progress(period, as_of)
    on_track, at_risk = thresholds
    if reached or progress >= on_track * expected:
        return "on-track"
    if progress >= at_risk * expected:
        return "at-risk"
    return "off-track"


def key_result_health(kr: KeyResult, period: str, as_of: datetime.date, thresholds=THRESHOLDS) -> str | None:
    return health(kr.progress, period, as_of, thresholds, reached=kr.reached)


def clamp(progress: float) -> float:
    return min(1.0, max(0.0, progress))


def score(progress: float | None, period: str, as_of: datetime.date) -> float | None:
    """Progress clamped to [0, 1] once the period has ended; None before."""
    if progress is None or as_of <= period_bounds(period)[1]:
        return None
    return clamp(progress)


def objective_progress(krs: Iterable[KeyResult]) -> float | None:
    """The weighted mean of the key results' clamped progress, over those with a value."""
    total = weights = 0.0
    for kr in krs:
        progress = kr.progress
        if progress is not None:
            total += kr.weight * clamp(progress)
            weights += kr.weight
    return total / weights if weights else None


def rolled_up(own: float | None, has_key_results: bool, children: Iterable[float | None]) -> float | None:
    """An objective's progress: its own, or, without key results of its own, the mean of
    its children's progress (those with one)."""
    if has_key_results:
        return own
    known = [child for child in children if child is not None]
    return sum(known) / len(known) if known else None


def forecast(kr: KeyResult, period: str, as_of: datetime.date | None = None) -> float | None:
    """The value the linear trend of the measurements in the period (up to as_of) projects
    for its last day, by least squares; None with fewer than two of them."""
    start, end = period_bounds(period)
    last = end if as_of is None else min(end, as_of)
    points = [(m.date.toordinal(), m.value) for m in kr.measurements if start <= m.date <= last]
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return mean_y + slope * (end.toordinal() - mean_x)


def under_way(period: str, as_of: datetime.date) -> bool:
    start, end = period_bounds(period)
    return start <= as_of <= end


def stale(kr: KeyResult, as_of: datetime.date, days: int = STALE_AFTER_DAYS, period: str | None = None) -> bool:
    """A metric key result whose latest measurement is more than `days` old as of `as_of`
    (and, given its objective's period, only while that period is under way)."""
    if kr.kind != METRIC or not kr.measurements:
        return False
    if period is not None and not under_way(period, as_of):
        return False
    return (as_of - kr.measurements[-1].date).days > days


def overdue(period: str | None, status: str, as_of: datetime.date) -> bool:
    """A plan neither done nor dropped whose period ended before `as_of`."""
    if not period or status in ("done", "dropped"):
        return False
    return period_bounds(period)[1] < as_of

