"""Strategy maps drawn as inline SVG: objectives → themes → plans, every node a link.

The plugin draws the diagrams itself rather than shipping a diagram library: the
SVG renders with no script and no network, its labels are escaped here and nowhere
else, and tests can read it. Colours come from CSS classes (assets/northstar.css),
so the maps follow Material's light and dark schemes.

A map stays readable up to `FULL_LIMIT` nodes in a column (see docs/views.md for the
measurements). Past it, plans are counted per theme and status instead of drawn one
by one; past it in the theme or objective column too, there is no diagram and the
page shows its tables.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable

from ..model import Node, Strategy
from ..read.schema import STATUSES

# Most nodes a column may hold before the map aggregates (plans) or gives up (themes,
# objectives): at 60 plan rows the map is about two screens tall, and more rows turn
# the edges into a hairball. Measured in docs/views.md.
FULL_LIMIT = 60

# Geometry in SVG user units; the SVG scales to the page width with a floor (CSS
# min-width) below which its container scrolls, so labels never shrink past legibility.
COLUMN_WIDTH = 250
COLUMN_GAP = 60
MARGIN = 8
ONE_LINE = 28  # node height of a plan with a one-line label
TWO_LINES = 44  # node height of an objective, a theme or an aggregate (label and detail)
LINE_HEIGHT = 19  # a label's second line adds this much
ROW_GAP = 8
# Labels at 16 units are ~12.5 px at the column width of a desktop and ~10.5 px at MIN_WIDTH.
LABEL_SIZE = 16
# Narrowest the SVG is drawn (CSS px): labels stay at least ~9.5 px tall on a phone,
# whose screen then scrolls the map sideways.
MIN_WIDTH = 600
DETAIL_SIZE = 12
# Characters that fit a line of a node at LABEL_SIZE (sans-serif averages ~0.55 em per
# character); a label takes up to two lines, cut with an ellipsis past them.
LINE_CHARS = 26
LABEL_CHARS = 2 * LINE_CHARS
DETAIL_CHARS = 36

# XML 1.0 forbids most control characters even as entities.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

Url = Callable[[str], str]  # a page below url_prefix ("themes/x.md") -> its href from the current page


def xml(text: object) -> str:
    """Escape text for SVG: element content and attribute values alike."""
    return html.escape(_CONTROL.sub("", str(text)), quote=True)


def shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def label_lines(text: str) -> list[str]:
    """A title as the one or two lines of a node: broken between words, the second cut
    with an ellipsis if the title is longer (a word longer than a line is cut too)."""
    words = " ".join(str(text).split()).split(" ")
    first = ""
    while words and len(f"{first} {words[0]}".strip()) <= LINE_CHARS:
        first = f"{first} {words.pop(0)}".strip()
    if not first:  # one long word
        return [shorten(" ".join(words), LINE_CHARS)]
    return [first, shorten(" ".join(words), LINE_CHARS)] if words else [first]


def node_label(text: str) -> str:
    """A node's label as the map shows it (its lines joined by a space)."""
    return " ".join(label_lines(text))


@dataclass(eq=False)
class Box:
    """One node of a map."""

    label: str
    kind: str  # objective, theme, plan or aggregate
    href: str
    detail: str = ""  # a second line: progress, plan counts, status and team
    tooltip: str = ""  # the full text, shown on hover and read by screen readers
    status: str | None = None
    shares: dict[str, float] = field(default_factory=dict)  # aggregate: weight per status
    source: str | None = None  # the strategy a record comes from, where it is not this one
    x: float = 0
    y: float = 0
    name: str = ""  # the full title, for the phone's list (`tree`); the label otherwise


    @cached_property
    def lines(self) -> list[str]:
        return label_lines(self.label)

    @property
    def height(self) -> int:
        return (ONE_LINE if not self.detail else TWO_LINES) + LINE_HEIGHT * (len(self.lines) - 1)


@dataclass
class Diagram:
    columns: list[list[Box]]
    edges: list[tuple[Box, Box]]
    label: str  # what the map shows, for screen readers

    @property
    def size(self) -> int:
        return max((len(column) for column in self.columns), default=0)


# --- Building diagrams from the strategy ----------------------------------------------


def _objective_box(objective: Node, url: Url) -> Box:
    progress = objective.progress
    detail = objective.period or ""
    if progress is not None:
        detail = f"{round(progress * 100)}% to target" + (f" · {detail}" if detail else "")
    return _from_source(objective, Box(node_label(objective.title), "objective", url(objective.page),
                                       detail=shorten(detail, DETAIL_CHARS), tooltip=f"Objective: {objective.title}",
                                       name=objective.title))


def _from_source(node: Node, box: Box) -> Box:
    """A record of another strategy: marked (a CSS class) and labelled with its source."""
    if node.source:
        box.source = node.source
        box.detail = shorten(f"from {node.source}" + (f" · {box.detail}" if box.detail else ""), DETAIL_CHARS)
        box.tooltip += f" (from {node.source})"
    return box


def _theme_box(theme: Node, url: Url, plans: int) -> Box:
    detail = f"{plans} plan{'s' if plans != 1 else ''}"
    return _from_source(theme, Box(node_label(theme.title), "theme", url(theme.page), detail=detail,
                                   tooltip=f"Theme: {theme.title}", name=theme.title))


def _plan_box(plan: Node, url: Url) -> Box:
    team = f" · {plan.team}" if plan.team else ""
    return _from_source(plan, Box(node_label(plan.title), "plan", url(plan.page), status=plan.status,
                                  tooltip=f"Plan: {plan.title} ({plan.status}{team})", name=plan.title))


def _aggregate_box(plans: list[Node], href: str, what: str) -> Box:
    shares = dict.fromkeys(STATUSES, 0.0)
    counts = dict.fromkeys(STATUSES, 0)
    for plan in plans:
        shares[plan.status] += plan.weight
        counts[plan.status] += 1
    summary = ", ".join(f"{counts[status]} {status}" for status in STATUSES if counts[status])
    # The second line has room for three figures; the tooltip and the status strip tell all five.
    to_do = counts["proposed"] + counts["planned"]
    brief = f"{counts['done']} done · {counts['in-progress']} in progress · {to_do} to do"
    label = f"{len(plans)} plan{'s' if len(plans) != 1 else ''}"
    return Box(label, "aggregate", href, detail=brief, tooltip=f"{label} {what}: {summary}", shares=shares)


def _order_by_neighbours(boxes: list[Box], neighbours: dict[Box, list[Box]], previous: list[Box]) -> list[Box]:
    """Order a column by the mean position of its neighbours in the previous column
    (the barycentre heuristic), which removes most edge crossings in layered graphs."""
    position = {box: index for index, box in enumerate(previous)}

    def key(item):
        index, box = item
        places = [position[other] for other in neighbours.get(box, []) if other in position]
        return (sum(places) / len(places) if places else len(previous), index)

    return [box for _, box in sorted(enumerate(boxes), key=key)]


def _grouped_by_theme(plans: list[Box], into: dict[Box, list[Box]], themes: list[Box]) -> list[Box]:
    """Plans in blocks, one per theme in the theme column's order: a plan of several
    themes joins its first one's block (the barycentre alone put it between blocks, and
    the edges of each block fanned across the next). Within a block, by barycentre; a plan
    naming only its objective goes after that objective's last theme."""
    position = {box: index for index, box in enumerate(themes)}
    last_theme: dict[Box, float] = {}
    for theme in themes:
        for objective in into.get(theme, []):
            last_theme[objective] = position[theme] + 0.5

    def key(item):
        index, box = item
        places = [position[other] for other in into.get(box, []) if other in position]
        if places:
            return (min(places), sum(places) / len(places), index)
        after = [last_theme.get(other, len(themes)) for other in into.get(box, [])]
        return (min(after, default=len(themes)), 0, index)

    return [box for _, box in sorted(enumerate(plans), key=key)]


def _layered(objective_boxes: list[Box], theme_links: list[tuple[Box, Box]],
             plan_links: list[tuple[Box, Box]], label: str) -> Diagram:
    themes = list(dict.fromkeys(theme for _, theme in theme_links))
    plans = list(dict.fromkeys(plan for _, plan in plan_links if plan.kind != "theme"))
    into: dict[Box, list[Box]] = {}
    for source, target in theme_links + plan_links:
        into.setdefault(target, []).append(source)
    themes = _order_by_neighbours(themes, into, objective_boxes)
    plans = _grouped_by_theme(plans, into, themes)
    columns = [column for column in (objective_boxes, themes, plans) if column]
    return Diagram(columns, theme_links + plan_links, label)


def objective_map(objective: Node, url: Url) -> Diagram | None:
    """Objective → the themes serving it → their plans (and the plans naming it
    directly). None when there is nothing to draw or too much to draw."""
    themes = objective.themes
    if not themes and not objective.serving:
        return None
    if len(themes) > FULL_LIMIT:
        return None
    root = _objective_box(objective, url)
    theme_boxes = {theme: _theme_box(theme, url, len(theme.plans)) for theme in themes}
    direct = [plan for plan in objective.plans if not any(theme in themes for theme in plan.themes)]
    theme_links = [(root, box) for box in theme_boxes.values()]
    plan_links: list[tuple[Box, Box]] = []
    if len(objective.serving) <= FULL_LIMIT:
        boxes = {plan: _plan_box(plan, url) for plan in objective.serving}
        for theme, theme_box in theme_boxes.items():
            plan_links += [(theme_box, boxes[plan]) for plan in theme.plans if plan in boxes]
        plan_links += [(root, boxes[plan]) for plan in direct]
    else:
        for theme, theme_box in theme_boxes.items():
            if theme.plans:
                plan_links.append((theme_box, _aggregate_box(theme.plans, url(theme.page), f"in {theme.title}")))
        if direct:
            plan_links.append((root, _aggregate_box(direct, url(objective.page) + "#plans-naming-it-directly",
                                                    "naming the objective directly")))
    return _layered([root], theme_links, plan_links, f"Strategy map of {objective.title}")


def strategy_map(strategy: Strategy, url: Url) -> Diagram | None:
    """Every objective → its themes → their plans; plans counted per theme past
    FULL_LIMIT; None when the objectives or themes alone are too many to draw."""
    # With the themes and plans of sources that serve this strategy's objectives (contract v1.2).
    objectives = strategy.objectives
    themes = strategy.themes + [guest for guest in strategy.guests
                                if guest.kind == "theme" and any(o.source is None for o in guest.objectives)]
    if not objectives or len(objectives) > FULL_LIMIT or len(themes) > FULL_LIMIT:
        return None
    roots = {objective: _objective_box(objective, url) for objective in _parents_first(objectives)}
    theme_boxes = {theme: _theme_box(theme, url, len(theme.plans)) for theme in themes if theme.objectives}
    theme_links = [(roots[objective], box) for theme, box in theme_boxes.items() for objective in theme.objectives
                   if objective in roots]
    served = [plan for plan in strategy.plans + strategy.guest_plans if plan.served]
    plan_links: list[tuple[Box, Box]] = []
    if len(served) <= FULL_LIMIT:
        boxes = {plan: _plan_box(plan, url) for plan in served}
        for plan, box in boxes.items():
            plan_links += [(theme_boxes[theme], box) for theme in plan.themes if theme in theme_boxes]
            plan_links += [(roots[objective], box) for objective in plan.objectives if objective in roots
                           and not any(theme in theme_boxes and objective in theme.objectives for theme in plan.themes)]
    else:
        for theme, box in theme_boxes.items():
            if theme.plans:
                plan_links.append((box, _aggregate_box(theme.plans, url(theme.page), f"in {theme.title}")))
        for objective, box in roots.items():
            direct = [plan for plan in objective.plans if not plan.themes]
            if direct:
                plan_links.append((box, _aggregate_box(direct, url(objective.page), "with no theme")))
    return _layered(list(roots.values()), theme_links, plan_links, "Strategy map: objectives, themes and plans")


def _parents_first(objectives: list[Node]) -> list[Node]:
    """Each objective right after its parent, so that a hierarchy reads top-down."""
    ordered: list[Node] = []

    def visit(objective: Node, seen: frozenset) -> None:
        if objective in ordered or objective in seen:
            return
        ordered.append(objective)
        for child in objective.children:
            visit(child, seen | {objective})

    for objective in objectives:
        if objective.parent is None or objective.parent not in objectives:
            visit(objective, frozenset())
    for objective in objectives:  # objectives on a parent cycle have no root
        visit(objective, frozenset())
    return ordered


# --- Drawing --------------------------------------------------------------------------


def _place(diagram: Diagram) -> tuple[float, float]:
    heights = [sum(box.height for box in column) + ROW_GAP * (len(column) - 1) for column in diagram.columns]
    total = max(heights)
    for index, (column, height) in enumerate(zip(diagram.columns, heights)):
        y = MARGIN + (total - height) / 2  # columns centred on each other
        for box in column:
            box.x, box.y = MARGIN + index * (COLUMN_WIDTH + COLUMN_GAP), y
            y += box.height + ROW_GAP
    width = 2 * MARGIN + len(diagram.columns) * COLUMN_WIDTH + (len(diagram.columns) - 1) * COLUMN_GAP
    return width, total + 2 * MARGIN


def _edge(source: Box, target: Box) -> str:
    x1, y1 = source.x + COLUMN_WIDTH, source.y + source.height / 2
    x2, y2 = target.x, target.y + target.height / 2
    bend = (x2 - x1) / 2
    return f'<path d="M{x1:g} {y1:g}C{x1 + bend:g} {y1:g} {x2 - bend:g} {y2:g} {x2:g} {y2:g}"/>'


def _status_strip(box: Box) -> Iterable[str]:
    total = sum(box.shares.values())
    x = box.x + 1
    for status in STATUSES:
        share = box.shares.get(status, 0)
        if share:
            width = (COLUMN_WIDTH - 2) * share / total
            yield (f'<rect class="northstar-map__share northstar-map__share--{status}" x="{x:g}" '
                   f'y="{box.y + box.height - 5:g}" width="{width:g}" height="4"/>')
            x += width


def _node(box: Box) -> str:
    classes = f"northstar-map__node northstar-map__node--{box.kind}"
    if box.source:
        classes += " northstar-map__node--elsewhere"
    if box.status:
        classes += f" northstar-map__node--{box.status}"
    parts = [f'<a href="{xml(box.href)}" class="{classes}">',
             f"<title>{xml(box.tooltip or box.label)}</title>",
             f'<rect x="{box.x:g}" y="{box.y:g}" width="{COLUMN_WIDTH}" height="{box.height}" rx="5"/>']
    text_x, lines = box.x + 10, box.lines
    # A two-line label is one text of two spans (the first ends with the space between them).
    shown = xml(lines[0]) if len(lines) == 1 else (
        f'<tspan>{xml(lines[0])} </tspan><tspan x="{text_x:g}" dy="{LINE_HEIGHT}">{xml(lines[1])}</tspan>')
    parts.append(f'<text x="{text_x:g}" y="{box.y + 19:g}" font-size="{LABEL_SIZE}">{shown}</text>')
    if box.detail:
        parts.append(f'<text class="northstar-map__detail" x="{text_x:g}" '
                     f'y="{box.y + 36 + LINE_HEIGHT * (len(lines) - 1):g}" font-size="{DETAIL_SIZE}">{xml(box.detail)}</text>')
    parts.extend(_status_strip(box))
    parts.append("</a>")
    return "".join(parts)


def svg(diagram: Diagram) -> str:
    """The diagram as one line of SVG (no blank line can end Markdown's raw HTML block)."""
    width, height = _place(diagram)
    edges = "".join(_edge(source, target) for source, target in diagram.edges)
    nodes = "".join(_node(box) for column in diagram.columns for box in column)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="northstar-map__svg" viewBox="0 0 {width:g} {height:g}" '
            f'width="{width:g}" height="{height:g}" role="group" aria-label="{xml(diagram.label)}" '
            f'style="min-width: {min(width, MIN_WIDTH):g}px">'
            f'<g class="northstar-map__edges">{edges}</g>{nodes}</svg>')


def tree(diagram: Diagram) -> str:
    """The diagram as nested lists, for a phone (the stylesheet shows it below ~600 px
    instead of the SVG): each objective, its themes under it, their plans under them
    with a status chip. A node reached twice is listed under each of its parents."""
    children: dict[Box, list[Box]] = {}
    for source, target in diagram.edges:
        children.setdefault(source, []).append(target)

    def item(box: Box, seen: frozenset) -> str:
        chip = (f' <span class="northstar-status northstar-status--{box.status}">{xml(box.status)}</span>'
                if box.status else "")
        detail = f' <span class="northstar-map__tree-detail">{xml(box.detail)}</span>' if box.detail else ""
        below = [child for child in children.get(box, []) if child not in seen]
        nested = f"<ul>{''.join(item(child, seen | {box}) for child in below)}</ul>" if below else ""
        return f'<li><a href="{xml(box.href)}">{xml(box.name or box.label)}</a>{chip}{detail}{nested}</li>'

    roots = diagram.columns[0] if diagram.columns else []
    return f'<ul class="northstar-map__tree">{"".join(item(box, frozenset()) for box in roots)}</ul>'
