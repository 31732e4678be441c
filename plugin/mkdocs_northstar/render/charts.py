"""Charts of key results over time, drawn as inline SVG text (contract v1.1).

`key_result_chart` returns a `<figure class="northstar-chart">`: an SVG of the
measurements (a line with a point each), the baseline and target, the expected path
through the period, the forecast and the as-of day, then a table of the values that
screen readers read and eyes do not see. No script, no external font or file: the SVG
scales to its container (viewBox, width 100%) and takes its colours from CSS classes
and `currentColor` (assets/northstar.css), so light and dark schemes both read.
Every string an author wrote is escaped. `sparkline` draws a small line for lists and
`health_chip` names a health in a coloured chip.

(A top-level module: `render` is already a module, so there is no `render/` folder yet.)
"""

from __future__ import annotations

import datetime
from html import escape

from ..outcomes import MILESTONE, KeyResult, forecast, period_bounds

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36
_HEALTH_WORDS = {"not-started": "not started", "on-track": "on track", "at-risk": "at risk",
                 "off-track": "off track", "ended": "ended"}


def _text(value: object) -> str:
    """Escaped for XML text and attribute values alike."""
    return escape(str(value), quote=True)


def _number(value: float) -> str:
    """A value as people read it: 40, 12.5, 0.333."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.3g}" if abs(value) < 1e-3 or abs(value) >= 1e6 else f"{value:.3f}".rstrip("0").rstrip(".")


def _with_unit(value: float, unit: str | None) -> str:
    return f"{_number(value)} {unit}" if unit else _number(value)


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first day of each month from start to end."""
    days, day = [], start.replace(day=1)
    while day <= end:
        if day >= start:
            days.append(day)
        day = day.replace(year=day.year + 1, month=1) if day.month == 12 else day.replace(month=day.month + 1)
    return days


def key_result_chart(kr: KeyResult, period: str, as_of: datetime.date, *, title: str, uid: str | None = None) -> str:
    """A figure with the key result's chart and a table of its values (a marker for a milestone).
    `uid` makes the SVG's element ids unique on a page with several charts (default: the kr id)."""
    if kr.kind == MILESTONE:
        return _milestone(kr, title)
    start, end = period_bounds(period)
    measurements = list(kr.measurements)
    projected = forecast(kr, period, as_of)
    first = min([start] + [m.date for m in measurements])
    last = max([end] + [m.date for m in measurements])
    span_days = max(1, (last - first).days)
    values = [m.value for m in measurements]
    values += [v for v in (kr.baseline, kr.target, kr.current, projected) if v is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: datetime.date) -> float:
        return round(LEFT + plot_w * (day - first).days / span_days, 1)

    def y(value: float) -> float:
        return round(TOP + plot_h * (high - value) / (high - low), 1)

    unit = kr.unit
    parts = [f'<rect class="northstar-chart__frame" x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}"/>']
    for month in _months(first, last):
        parts.append(f'<g class="northstar-chart__tick"><line x1="{x(month)}" y1="{TOP + plot_h}" x2="{x(month)}" '
                     f'y2="{TOP + plot_h + 4}"/><text x="{x(month)}" y="{HEIGHT - 14}" text-anchor="middle">'
                     f'{month.strftime("%b")}</text></g>')
    for name, value in (("baseline", kr.baseline), ("target", kr.target)):
        if value is not None:
            parts.append(f'<g class="northstar-chart__{name}"><line x1="{LEFT}" y1="{y(value)}" x2="{LEFT + plot_w}" '
                         f'y2="{y(value)}"/><text x="{LEFT - 4}" y="{y(value) + 4}" text-anchor="end">'
                         f'{_text(_number(value))}</text><text x="{LEFT + plot_w - 2}" y="{y(value) - 4}" '
                         f'text-anchor="end">{name}</text></g>')
    if kr.baseline is not None and kr.target is not None and kr.direction in ("increase", "decrease", None):
        parts.append(f'<line class="northstar-chart__expected" x1="{x(start)}" y1="{y(kr.baseline)}" '
                     f'x2="{x(end)}" y2="{y(kr.target)}" stroke-dasharray="6 4"/>')
    if first <= as_of <= last:
        parts.append(f'<line class="northstar-chart__today" x1="{x(as_of)}" y1="{TOP}" x2="{x(as_of)}" '
                     f'y2="{TOP + plot_h}"><title>as of {as_of.isoformat()}</title></line>')
    if projected is not None and measurements:
        latest = measurements[-1]
        parts.append(f'<line class="northstar-chart__forecast" x1="{x(latest.date)}" y1="{y(latest.value)}" '
                     f'x2="{x(end)}" y2="{y(projected)}" stroke-dasharray="2 4"/>')
    if measurements:
        points = " ".join(f"{x(m.date)},{y(m.value)}" for m in measurements)
        parts.append(f'<polyline class="northstar-chart__line" points="{points}"/>')
        for m in measurements:
            label = f"{m.date.isoformat()}: {_with_unit(m.value, unit)}" + (f" ({m.note})" if m.note else "")
            parts.append(f'<circle class="northstar-chart__point" cx="{x(m.date)}" cy="{y(m.value)}" r="3.5">'
                         f'<title>{_text(label)}</title></circle>')
    desc = _description(kr, period, as_of, projected)
    uid = _text(f"northstar-chart-{uid or kr.id}")
    svg = (f'<svg role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet" '
           f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="{uid}-t {uid}-d">'
           f'<title id="{uid}-t">{_text(title)}</title><desc id="{uid}-d">{_text(desc)}</desc>'
           + "".join(parts) + "</svg>")
    return f'<figure class="northstar-chart">{svg}{_table(kr, title, projected, end)}</figure>'


def _description(kr: KeyResult, period: str, as_of: datetime.date, projected: float | None) -> str:
    unit = kr.unit
    words = [f"{len(kr.measurements)} measurement{'s' if len(kr.measurements) != 1 else ''} in period {period}"]
    if kr.baseline is not None:
        words.append(f"baseline {_with_unit(kr.baseline, unit)}")
    if kr.target is not None:
        words.append(f"target {_with_unit(kr.target, unit)}")
    if kr.value is not None:
        words.append(f"latest {_with_unit(kr.value, unit)}")
    if projected is not None:
        words.append(f"forecast {_with_unit(projected, unit)} at the end of the period")
    words.append(f"as of {as_of.isoformat()}")
    return ", ".join(words) + "."


def _table(kr: KeyResult, title: str, projected: float | None, end: datetime.date) -> str:
    rows = "".join(f"<tr><td>{m.date.isoformat()}</td><td>{_text(_with_unit(m.value, kr.unit))}</td>"
                   f"<td>{_text(m.note or '')}</td></tr>" for m in kr.measurements)
    if projected is not None:
        rows += f"<tr><td>{end.isoformat()}</td><td>{_text(_with_unit(projected, kr.unit))}</td><td>forecast</td></tr>"
    return (f'<table class="northstar-chart__values"><caption>{_text(title)}</caption>'
            f"<thead><tr><th>date</th><th>value</th><th>note</th></tr></thead><tbody>{rows}</tbody></table>")


def _milestone(kr: KeyResult, title: str) -> str:
    done = bool(kr.done)
    when = f" on {kr.done.isoformat()}" if isinstance(kr.done, datetime.date) else ""
    state = f"done{when}" if done else "not done"
    mark = ('<path class="northstar-chart__done" d="M6 13 l5 5 l10 -11"/>' if done
            else '<circle class="northstar-chart__pending" cx="13" cy="13" r="8"/>')
    return (f'<figure class="northstar-chart northstar-chart--milestone">'
            f'<svg role="img" viewBox="0 0 26 26" width="1.6em" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{_text(title)}: {state}</title>{mark}</svg>"
            f"<figcaption>{_text(title)}: {state}</figcaption></figure>")


def sparkline(values: list[float], *, label: str = "trend", width: int = 80, height: int = 20) -> str:
    """A small inline line of values, for lists and tables; empty text without two values."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    spread = (high - low) or 1
    step = (width - 2) / (len(values) - 1)
    points = " ".join(f"{round(1 + i * step, 1)},{round(1 + (height - 2) * (high - v) / spread, 1)}"
                      for i, v in enumerate(values))
    return (f'<svg class="northstar-sparkline" role="img" viewBox="0 0 {width} {height}" '
            f'width="{width / 16:g}em" xmlns="http://www.w3.org/2000/svg"><title>{_text(label)}: '
            f'{_text(", ".join(_number(v) for v in values))}</title><polyline points="{points}"/></svg>')


def health_chip(health: str | None) -> str:
    """A chip naming the health (on track, at risk, ...); empty text for none."""
    if health not in _HEALTH_WORDS:
        return ""
    return f'<span class="northstar-health northstar-health--{health}">{_HEALTH_WORDS[health]}</span>'


def key_result_card(kr: KeyResult, *, period: str | None, as_of: datetime.date, health: str | None,
                    forecast_value: float | None, uid: str) -> str:
    """One key result as an objective page leads with it: its title, health chip and
    progress, its figures, the latest check-in's note, and its chart (with a period)."""
    unit = kr.unit
    progress = kr.progress
    shown = "–" if progress is None else f"{round(progress * 100):d} %"
    facts = []
    if kr.kind == MILESTONE:
        facts.append("milestone")
    else:
        if kr.baseline is not None:
            facts.append(f"baseline {_with_unit(kr.baseline, unit)}")
        facts.append("current " + ("–" if kr.value is None else _with_unit(kr.value, unit)))
        if kr.target is not None:
            word = {"stay-above": "stay at or above", "stay-below": "stay at or below"}.get(kr.direction, "target")
            facts.append(f"{word} {_with_unit(kr.target, unit)}")
        if forecast_value is not None:
            facts.append(f"forecast {_with_unit(forecast_value, unit)} at the period's end")
    if kr.weight != 1:
        facts.append(f"weight {_number(kr.weight)}")
    parts = [f'<div class="northstar-kr" id="{_text("kr-" + kr.id)}">',
             f'<p class="northstar-kr__head"><strong>{_text(kr.title)}</strong> {health_chip(health)} '
             f'<span class="northstar-kr__progress" data-progress="{"" if progress is None else round(progress, 6)}">'
             f'{shown}</span></p>',
             f'<p class="northstar-kr__facts">{_text(" · ".join(facts))}</p>']
    latest = kr.measurements[-1] if kr.measurements else None
    if latest is not None:
        note = f": “{_text(latest.note)}”" if latest.note else ""
        parts.append(f'<p class="northstar-kr__note">Latest check-in, {latest.date.isoformat()}: '
                     f'{_text(_with_unit(latest.value, unit))}{note}</p>')
    if period or kr.kind == MILESTONE:
        parts.append(key_result_chart(kr, period or "", as_of, title=kr.title, uid=uid))
    parts.append("</div>")
    return "".join(parts)
