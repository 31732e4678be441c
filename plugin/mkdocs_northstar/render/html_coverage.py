"""The coverage page's matrices and tables as raw HTML (render/html.py holds the pieces
they are made of): objective × theme, per objective, theme and team, team × objective
and the gaps. A matrix shows at most MATRIX_COLUMNS columns, the rest summed in one."""

from __future__ import annotations

from jinja2 import pass_context

from ..model import Node
from ..views import HeatCell, heat_map
from .html import SEARCH_NONE, html_link, html_links, html_table, html_team_link, raw_html
from .text import number, plural


@pass_context
def coverage_cells(context, objective: Node) -> list[object]:
    """The objective's row of the objective × theme matrix: its plans in each theme, blank for none."""
    coverage = context["coverage"]
    return [coverage.cell(objective, theme) or "" for theme in context["strategy"].themes]


@pass_context
def html_heads(context, nodes: list[Node]) -> list[tuple[str, bool]]:
    """Right-aligned column heads linking to each node's page (a matrix's columns)."""
    return [(html_link(context, node), True) for node in nodes]


@pass_context
def html_team_heads(context, teams) -> list[tuple[str, str]]:
    """Centred column heads linking to each team's page (the team × objective matrix)."""
    return [(html_team_link(context, team.team), "center") for team in teams]


# A matrix shows at most this many columns, the largest; the rest are summed in one
# column whose head links to the full list further down the page.
MATRIX_COLUMNS = 12


def _capped(columns: list, size) -> tuple[list[int], list[int]]:
    """The indexes of the columns shown (the largest by `size`, in their own order) and of the rest."""
    if len(columns) <= MATRIX_COLUMNS:
        return list(range(len(columns))), []
    largest = sorted(range(len(columns)), key=lambda index: -size(columns[index]))[:MATRIX_COLUMNS]
    shown = sorted(largest)
    chosen = set(shown)
    return shown, [index for index in range(len(columns)) if index not in chosen]


def _more_head(rest: list, what: str, anchor: str) -> list[tuple[str, bool]]:
    return [(f'<a href="#{anchor}">{plural(len(rest), "more " + what)}</a>', True)] if rest else []


@pass_context
def objective_theme_matrix(context) -> str:
    """Plans in each theme that serve each objective; past MATRIX_COLUMNS themes, the
    largest and a column for the rest."""
    themes = context["strategy"].themes
    shown, rest = _capped(themes, lambda theme: len(theme.plans))
    rows = []
    for entry in context["coverage"].objectives:
        cells = coverage_cells(context, entry.objective)
        more = [sum(cells[index] or 0 for index in rest) or ""] if rest else []
        rows.append([html_link(context, entry.objective)] + [cells[index] for index in shown] + more
                    + [len(entry.plans)])
    head = ([("Objective", False)] + html_heads(context, [themes[index] for index in shown])
            + _more_head(rest, "theme", "per-theme") + [("Total", True)])
    return raw_html(context, html_table(head, rows), SEARCH_NONE)


@pass_context
def objectives_coverage(context) -> str:
    rows = [[html_link(context, entry.objective), len(entry.plans), number(entry.weight), entry.status.done.percent,
             "yes" if entry.covered else "<strong>no</strong>"] for entry in context["coverage"].objectives]
    head = [("Objective", False), ("Plans", True), ("Effort", True), ("Done", True), ("Covered", False)]
    return raw_html(context, html_table(head, rows), SEARCH_NONE)


@pass_context
def themes_coverage(context) -> str:
    rows = [[html_link(context, entry.theme), entry.status.total, number(entry.weight), entry.status.done.percent]
            for entry in context["coverage"].themes]
    head = [("Theme", False), ("Plans", True), ("Effort", True), ("Done", True)]
    return raw_html(context, html_table(head, rows), SEARCH_NONE)


@pass_context
def teams_coverage(context) -> str:
    rows = [[html_team_link(context, team.team), len(team.plans),
             f"{team.linked.percent} ({number(team.linked.part)} of {number(team.linked.whole)})",
             html_links(context, team.objectives)] for team in context["coverage"].teams]
    head = [("Team", False), ("Plans", True), ("Linked effort", True), ("Objectives served", False)]
    return raw_html(context, html_table(head, rows), SEARCH_NONE)


@pass_context
def coverage_gaps(context) -> str:
    """The records that break the chain from plan to objective, by kind of gap."""
    coverage = context["coverage"]
    rows = [["Unlinked plans", html_links(context, coverage.unlinked_plans)],
            ["Unlinked themes", html_links(context, coverage.unlinked_themes)],
            ["Uncovered objectives", html_links(context, coverage.uncovered_objectives)],
            ["Empty themes", html_links(context, coverage.empty_themes)]]
    return raw_html(context, html_table([("", False), ("Records", False)], rows), SEARCH_NONE)


def _heat(cell: HeatCell) -> str:
    if not cell.plans:
        return ""
    return (f'<span class="northstar-heat" style="--northstar-heat: {int(round(cell.heat * 100, 0))}%" '
            f'title="{plural(cell.plans, "plan")}">{number(cell.effort)} ({cell.plans})</span>')


@pass_context
def team_objective_heat(context) -> str:
    """Effort each team puts into each objective, each cell as dark as its share of the largest."""
    coverage = context["coverage"]
    shown, rest = _capped(coverage.teams, lambda team: sum(plan.weight for plan in team.plans))
    rows = []
    for objective, cells in heat_map(coverage):
        others = [cells[index] for index in rest]
        more = [_heat(HeatCell(sum(cell.plans for cell in others), sum(cell.effort for cell in others), 0))] if rest else []
        rows.append([html_link(context, objective)] + [_heat(cells[index]) for index in shown] + more
                    + [number(sum(cell.effort for cell in cells))])
    head = ([("Objective", False)] + html_team_heads(context, [coverage.teams[index] for index in shown])
            + _more_head(rest, "team", "per-team") + [("Total", True)])
    return raw_html(context, html_table(head, rows), SEARCH_NONE)
