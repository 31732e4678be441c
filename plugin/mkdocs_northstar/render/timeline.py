"""The roadmap as a timeline: lanes of plan bars on one time axis, drawn as inline SVG.

`timeline(lanes, as_of, href=...)` returns one block of HTML for a Markdown page: an
element of class `northstar-map` holding the SVG (for wide screens) and, beside it, the
same plans as a vertical list per period (an `<ol>`, for phones). Both are always
emitted; the stylesheet (assets/northstar.css) shows one or the other by screen width.

A lane is an objective or a team (the caller decides); a bar is a plan, spanning the
days of its period (`YYYY`, `YYYY-Hn`, `YYYY-Qn`), coloured by its status through the
class `northstar-timeline__bar--<status>`. Each plan is drawn once per lane. A lane
holds at most `FOLD` bars in `MAX_ROWS` rows, those not ended by `as_of` first; the rest
are counted in an "N more" link to the lane's page.
`as_of` is marked by a vertical line. Labels are escaped here (`maps.xml`). The size of
the output grows with the number of bars and lanes only: the axis has a fixed widest
extent and at most `MAX_TICKS` labelled ticks, whatever periods the plans name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Callable, Iterable

from ..model import period_span, period_sort_key, remembered_keys
from ..read.schema import STATUSES
from ..views import OPEN_ORDER
from .maps import shorten, xml

# A lane shows at most this many bars, and at most MAX_ROWS rows of them: a roadmap of
# hundreds of plans stays about a screen and a half tall (docs/views.md, "Timeline").
FOLD = 24

# A lane is at most this many rows of bars tall: bars that would need another row are
# folded too (many plans in one quarter stack up, whatever FOLD says).
MAX_ROWS = 6

# Geometry in SVG user units (the SVG scales to the page width, with a floor below which
# its container scrolls; phones get the list instead).
LANE_LABEL_WIDTH = 190
QUARTER_WIDTH = 120  # one quarter on a short axis (two years: about 1,170 units wide)
MAX_AXIS_WIDTH = 1800  # the axis never grows wider: long spans get a smaller scale
AXIS_HEIGHT = 28
BAR_HEIGHT = 22
ROW_GAP = 4
LANE_GAP = 12
MARGIN = 8
MIN_BAR_WIDTH = 6
LABEL_SIZE = 12
CHAR_WIDTH = 6.8  # average width of a character at LABEL_SIZE
# The SVG shrinks to the column down to this share of its size (labels at 12 units stay
# at least 9 px tall); narrower, its box scrolls sideways. Phones get the list instead.
MIN_SCALE = 0.75
MAX_TICKS = 40

Href = Callable[[str], str]  # a page below url_prefix ("plans/x.md") -> its href from the current page


@dataclass(frozen=True)
class Bar:
    plan_id: str
    title: str
    url: str  # the plan's page below url_prefix ("plans/x.md")
    period: str | None  # YYYY, YYYY-Hn or YYYY-Qn; a bar without one is listed, not drawn
    status: str = "proposed"


@dataclass(frozen=True)
class Lane:
    title: str
    url: str | None  # the lane's page (objective or team) below url_prefix; None: no link
    bars: list[Bar] = field(default_factory=list)


_LAST_QUARTER = 9999 * 4 + 3

# --- Time ------------------------------------------------------------------------------


def _quarter_start(quarter: int) -> date:
    """The first day of a quarter counted as in `model.period_span` (year * 4 + q - 1)."""
    year, index = divmod(min(max(quarter, 4), _LAST_QUARTER), 4)  # within date's years
    return date(year, index * 3 + 1, 1)


def _quarter_after(quarter: int) -> date:
    """The first day after the quarter (its end, exclusive); date.max + 1 day for 9999-Q4."""
    if quarter >= _LAST_QUARTER:
        return date.max
    return _quarter_start(quarter + 1)


@lru_cache(maxsize=4096)  # a strategy names a few periods, each asked for by every bar in it
def period_days(period: str) -> tuple[date, date]:
    """The first day of the period and the first day after it (half-open). Year 0000, which
    the period pattern lets through, counts as year 1; 9999 ends on its last day."""
    first, last = (min(max(quarter, 4), _LAST_QUARTER) for quarter in period_span(period))
    return _quarter_start(first), _quarter_after(last)


def _quarter_of(day: date) -> int:
    return day.year * 4 + (day.month - 1) // 3


# --- Layout ------------------------------------------------------------------------------


@dataclass
class _Axis:
    start: date
    end: date  # exclusive
    x0: float
    scale: float  # SVG units per day

    def x(self, day: date) -> float:
        return self.x0 + (day - self.start).days * self.scale

    @property
    def width(self) -> float:
        return (self.end - self.start).days * self.scale


def _axis(bars: Iterable[Bar], as_of: date) -> _Axis:
    quarters = [_quarter_of(as_of)]
    for bar in bars:
        first, last = period_span(bar.period)
        quarters += (first, last)
    start, end = _quarter_start(min(quarters)), _quarter_after(max(quarters))
    days = max((end - start).days, 1)
    scale = min(QUARTER_WIDTH / 91.3, MAX_AXIS_WIDTH / days)
    return _Axis(start, end, MARGIN + LANE_LABEL_WIDTH, scale)


def _ticks(axis: _Axis) -> list[tuple[date, str]]:
    """Tick dates with their labels: quarters on a short axis, every k-th year on a long one."""
    first, last = _quarter_of(axis.start), _quarter_of(axis.end - timedelta(days=1))
    if last - first + 1 <= MAX_TICKS // 2:
        return [(_quarter_start(q), f"{q // 4}-Q{q % 4 + 1}") for q in range(first, last + 1)]
    years = last // 4 - first // 4 + 1
    step = -(-years // MAX_TICKS)
    return [(date(year, 1, 1), str(year)) for year in range(first // 4, last // 4 + 1, step)
            if date(year, 1, 1) >= axis.start]


def _visible(lane: Lane, fold: int, as_of: date, order: Callable[[str], tuple]) -> tuple[list[Bar], int]:
    """The lane's bars with a period, each plan once, those that have not ended by `as_of`
    first (then the past, latest first), then by title and id; the first `fold` of them,
    and how many are folded away."""
    seen: set[str] = set()
    bars: list[Bar] = []
    heads: dict[str, tuple[bool, int]] = {}  # a period's place: a lane names a few periods

    def when(bar: Bar) -> tuple[bool, int]:
        head = heads.get(bar.period)
        if head is None:
            start, end = period_days(bar.period)
            ended = end <= as_of
            head = heads[bar.period] = (ended, -end.toordinal() if ended else start.toordinal())
        return head

    for bar in lane.bars:
        if bar.period and bar.plan_id not in seen:
            seen.add(bar.plan_id)
            bars.append(bar)
    shown = _first_by(bars, fold, when, lambda bar: (order(bar.title.casefold()), order(bar.plan_id)))
    return shown, max(len(bars) - fold, 0)


def _first_by(items: list, fold: int, rank: Callable, by_name: Callable) -> list:
    """The first `fold` of `items` sorted by rank, then by name, as a stable sort would give
    them. Only the ranks shown are sorted by name: a lane or a period of a large strategy
    holds hundreds or thousands of plans and shows two dozen."""
    ranked: dict = {}
    for item in items:
        ranked.setdefault(rank(item), []).append(item)
    chosen: list = []
    for place in sorted(ranked):
        if len(chosen) >= fold:
            break
        chosen += sorted(ranked[place], key=by_name)
    return chosen[:fold]


def _rows(bars: list[Bar], axis: _Axis) -> list[tuple[Bar, int, float, float]]:
    """Pack bars, in the order given, into the first row where each fits between the
    others, at most MAX_ROWS: (bar, row, x, width) of the bars that fit, in time order."""
    rows: list[list[tuple[float, float]]] = []
    placed = []
    for bar in bars:
        start, end = period_days(bar.period)
        x, width = axis.x(start), max(axis.x(end) - axis.x(start), MIN_BAR_WIDTH)
        fits = (index for index, taken in enumerate(rows)
                if all(x + width <= left + 0.01 or right <= x + 0.01 for left, right in taken))
        row = next(fits, len(rows))
        if row == MAX_ROWS:
            continue
        if row == len(rows):
            rows.append([])
        rows[row].append((x, x + width))
        placed.append((bar, row, x, width))
    placed.sort(key=lambda entry: (entry[2], entry[1]))
    return placed


# --- Drawing ------------------------------------------------------------------------------


def _status(bar: Bar) -> str:
    return bar.status if bar.status in STATUSES else "proposed"


def _bar(bar: Bar, x: float, y: float, width: float, href: Href) -> str:
    start, end = period_days(bar.period)
    label = shorten(bar.title, max(int((width - 8) / CHAR_WIDTH), 0)) if width > 8 + 2 * CHAR_WIDTH else ""
    text = (f'<text x="{x + 4:g}" y="{y + 15:g}" font-size="{LABEL_SIZE}">{xml(label)}</text>' if label else "")
    return (f'<a href="{xml(href(bar.url))}" class="northstar-timeline__bar northstar-timeline__bar--{_status(bar)}" '
            f'data-plan="{xml(bar.plan_id)}" data-start="{start.isoformat()}" '
            f'data-end="{(end - timedelta(days=1)).isoformat()}">'
            f'<title>{xml(bar.title)} ({xml(bar.period)}, {xml(_status(bar))})</title>'
            f'<rect x="{x:g}" y="{y:g}" width="{width:g}" height="{BAR_HEIGHT}" rx="3"/>{text}</a>')


def _lane_label(lane: Lane, y: float, height: float, href: Href, odd: bool) -> str:
    text = (f'<text x="{MARGIN:g}" y="{y + 15:g}" font-size="{LABEL_SIZE + 1}">'
            f'{xml(shorten(lane.title, int(LANE_LABEL_WIDTH / CHAR_WIDTH) - 2))}</text>')
    title = f"<title>{xml(lane.title)}</title>"
    band = (f'<rect class="northstar-timeline__band{" northstar-timeline__band--odd" if odd else ""}" x="0" y="{y - LANE_GAP / 2:g}" width="100%" '
            f'height="{height + LANE_GAP:g}"/>')
    if lane.url is None:
        return f'{band}<g class="northstar-timeline__lane">{title}{text}</g>'
    return f'{band}<a href="{xml(href(lane.url))}" class="northstar-timeline__lane">{title}{text}</a>'


def _more(lane: Lane, folded: int, y: float, href: Href) -> str:
    text = f'<text x="{MARGIN:g}" y="{y + 14:g}" font-size="{LABEL_SIZE}">{folded} more…</text>'
    if lane.url is None:
        return f'<g class="northstar-timeline__more">{text}</g>'
    return (f'<a href="{xml(href(lane.url))}" class="northstar-timeline__more">'
            f'<title>{folded} more plans in {xml(lane.title)}</title>{text}</a>')


def svg(lanes: list[Lane], as_of: date, href: Href, fold: int = FOLD,
        order: Callable[[str], tuple] | None = None) -> str:
    """The timeline as one line of SVG (no blank line can end Markdown's raw HTML block)."""
    order = order or remembered_keys()
    shown = [(lane, *_visible(lane, fold, as_of, order)) for lane in lanes]
    axis = _axis((bar for _, bars, _ in shown for bar in bars), as_of)
    width = axis.x0 + axis.width + MARGIN
    parts: list[str] = []
    y = MARGIN + AXIS_HEIGHT + LANE_GAP / 2
    plans = 0
    for index, (lane, bars, folded) in enumerate(shown):
        plans += len(bars) + folded
        placed = _rows(bars, axis)
        folded += len(bars) - len(placed)  # past MAX_ROWS
        rows = max((row for _, row, _, _ in placed), default=-1) + 1
        height = max(rows, 1) * (BAR_HEIGHT + ROW_GAP) - ROW_GAP
        if folded:
            height = max(height, 2 * BAR_HEIGHT + ROW_GAP)
        parts.append(_lane_label(lane, y, height, href, odd=index % 2 == 1))
        if folded:
            parts.append(_more(lane, folded, y + BAR_HEIGHT + ROW_GAP, href))
        parts.extend(_bar(bar, x, y + row * (BAR_HEIGHT + ROW_GAP), bar_width, href)
                     for bar, row, x, bar_width in placed)
        y += height + LANE_GAP
    height = y - LANE_GAP / 2 + MARGIN
    ticks = "".join(
        f'<line class="northstar-timeline__tick" data-date="{day.isoformat()}" x1="{axis.x(day):g}" '
        f'y1="{MARGIN + AXIS_HEIGHT - 6:g}" x2="{axis.x(day):g}" y2="{height - MARGIN:g}"/>'
        f'<text class="northstar-timeline__tick-label" x="{axis.x(day) + 4:g}" y="{MARGIN + 14:g}" '
        f'font-size="{LABEL_SIZE}">{label}</text>'
        for day, label in _ticks(axis))
    now = ""
    if axis.start <= as_of < axis.end:
        x = axis.x(as_of)
        now = (f'<g class="northstar-timeline__now" data-date="{as_of.isoformat()}"><title>As of {as_of.isoformat()}'
               f'</title><line x1="{x:g}" y1="{MARGIN:g}" x2="{x:g}" y2="{height - MARGIN:g}"/></g>')
    label = f"Timeline of {plans} plan{'s' if plans != 1 else ''} in {len(lanes)} lane{'s' if len(lanes) != 1 else ''}"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="northstar-timeline__svg" viewBox="0 0 {width:g} {height:g}" '
            f'width="{width:g}" height="{height:g}" role="group" aria-label="{xml(label)}" '
            f'style="min-width: {round(width * MIN_SCALE)}px">'
            f'<g class="northstar-timeline__grid">{ticks}</g>{"".join(parts)}{now}</svg>')


def _nowhere(period: str | None) -> None:
    return None


def listing(lanes: list[Lane], href: Href, fold: int = FOLD, more: Callable[[str | None], str | None] = _nowhere,
            order: Callable[[str], tuple] | None = None) -> str:
    """The phone's view: one list item per period, its plans below (each plan once, its
    lanes named). A period of more than `fold` plans shows the work not finished first and
    counts the rest in a line pointing at `more(period)`, the place listing them all (a
    URL, or None for none to link to)."""
    by_period: dict[str | None, dict[str, tuple[Bar, list[str]]]] = {}
    for lane in lanes:
        for bar in lane.bars:
            plans = by_period.setdefault(bar.period, {})
            entry = plans.setdefault(bar.plan_id, (bar, []))
            if lane.title not in entry[1]:
                entry[1].append(lane.title)
    order = order or remembered_keys()
    items = []
    for period in sorted(by_period, key=period_sort_key):
        plans = _first(list(by_period[period].values()), fold, order)
        folded = len(by_period[period]) - len(plans)
        rows = "".join(
            f'<li><a href="{xml(href(bar.url))}">{xml(bar.title)}</a> '
            f'<span class="northstar-status northstar-status--{_status(bar)}">{_status(bar)}</span> '
            f'<span class="northstar-timeline__lanes">{xml(" · ".join(lane_titles))}</span></li>'
            for bar, lane_titles in plans)
        name = period or "No period"
        if folded:
            where, line = more(period), f"{folded:,} more plan{'s' if folded != 1 else ''} in {xml(name)}"
            line = f'<a href="{xml(where)}">{line}</a>' if where is not None else line
            rows += f'<li class="northstar-timeline__more-plans">{line}</li>'
        items.append(f'<li><span class="northstar-timeline__period">{xml(name)}</span>'
                     f'<ul>{rows}</ul></li>')
    return f'<ol class="northstar-timeline__list">{"".join(items)}</ol>'


def _first(entries: list[tuple[Bar, list[str]]], fold: int, order: Callable[[str], tuple]) -> list[tuple[Bar, list[str]]]:
    """A period's plans by title and id; past `fold` of them, the `fold` first of those not
    finished (in progress, then planned, then proposed), then the rest."""
    def by_name(entry: tuple[Bar, list[str]]) -> tuple:
        return order(entry[0].title.casefold()), order(entry[0].plan_id)

    if len(entries) <= fold:
        return sorted(entries, key=by_name)
    return _first_by(entries, fold, lambda entry: OPEN_ORDER.get(entry[0].status, len(OPEN_ORDER)), by_name)


def timeline(lanes: list[Lane], as_of: date, *, href: Href = lambda url: url, fold: int = FOLD,
             more: Callable[[str | None], str | None] = _nowhere, order: Callable[[str], tuple] | None = None) -> str:
    """The timeline block for a Markdown page: the SVG and the phone's list, in one element
    of class `northstar-map`, on one line (raw HTML in Markdown ends at a blank line).
    `order`: sort keys shared with other drawings of the same plans (model.remembered_keys)."""
    order = order or remembered_keys()
    return (f'<div class="northstar-map northstar-timeline">{svg(lanes, as_of, href, fold, order)}'
            f'{listing(lanes, href, fold, more, order)}</div>')
