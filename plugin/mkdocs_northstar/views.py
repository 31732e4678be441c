"""The graph queries the pages need: status rows and roll-ups, the plans serving each
objective and those naming it directly, the heat map and the roadmap's periods and groups."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .model import Node, Strategy, period_sort_key
from .read.schema import STATUSES

# Open work in the order lists show it, work in progress first; done and dropped come after.
OPEN_ORDER = {"in-progress": 0, "planned": 1, "proposed": 2}


@dataclass(frozen=True)
class StatusRow:
    status: str
    plans: int
    effort: float | None  # the sum of the efforts given; None when no plan gives one
    # Of the live weight (effort, or 1 where none is given): dropped work is not part of
    # the effort, so its row has no share (None) and the others add up to 100 %.
    share: float | None


def _share(status: str, weight: float, live: float) -> float | None:
    return None if status == "dropped" or not live else weight / live


def status_rows(plans: list[Node]) -> list[StatusRow]:
    """The plans' status roll-up, each plan once, effort-weighted where efforts are given."""
    plans = list(dict.fromkeys(plans))
    live = sum(plan.weight for plan in plans if plan.status != "dropped")
    rows = []
    for status in STATUSES:
        chosen = [plan for plan in plans if plan.status == status]
        if chosen:
            efforts = [plan.effort for plan in chosen if plan.effort is not None]
            rows.append(StatusRow(status, len(chosen), sum(efforts) if efforts else None,
                                  _share(status, sum(plan.weight for plan in chosen), live)))
    return rows


def status_counts(plans: list[Node]) -> Counter[str]:
    """How many of the plans have each status (none: 0), in one pass over them."""
    return Counter(plan.status for plan in plans)


def plans_serving(plans: list[Node]) -> dict[Node, list[Node]]:
    """The plans by each objective they serve, in one pass (a scan of the plans per
    objective grew with objectives × plans: both grow with the strategy)."""
    serving: dict[Node, list[Node]] = {}
    for plan in plans:
        for objective in plan.served:
            serving.setdefault(objective, []).append(plan)
    return serving


def plans_naming(objective: Node) -> list[Node]:
    """The plans that serve an objective by naming it, not through one of its themes."""
    themes = set(objective.themes)
    return [plan for plan in objective.plans if themes.isdisjoint(plan.themes)]


class _Tally:
    """The plans of a roll-up, each once, and their status figures as they are added."""

    __slots__ = ("plans", "counts", "efforts", "weights")

    def __init__(self) -> None:
        self.plans: set[Node] = set()
        self.counts: dict[str, int] = {}
        self.efforts: dict[str, float] = {}
        self.weights: dict[str, float] = {}

    def add(self, plan: Node) -> None:
        if plan not in self.plans:
            self.plans.add(plan)
            status = plan.status
            self.counts[status] = self.counts.get(status, 0) + 1
            self.weights[status] = self.weights.get(status, 0) + plan.weight
            if plan.effort is not None:
                self.efforts[status] = self.efforts.get(status, 0) + plan.effort

    def rows(self) -> list[StatusRow]:
        live = sum(weight for status, weight in self.weights.items() if status != "dropped")
        return [StatusRow(status, self.counts[status], self.efforts.get(status), _share(status, self.weights[status], live))
                for status in STATUSES if status in self.counts]


def _merged(parts: list[_Tally], plans: list[Node]) -> _Tally:
    # The smaller tallies go into the largest: each plan moves O(log n) times in all.
    parts = sorted(parts, key=lambda tally: len(tally.plans), reverse=True)
    tally = parts[0] if parts else _Tally()
    for other in parts[1:]:
        for plan in other.plans:
            tally.add(plan)
    for plan in plans:
        tally.add(plan)
    return tally


def _parent_cycles(objectives: list[Node]) -> list[list[Node]]:
    """The loops through `parent` (each objective has at most one parent, so each
    walk up ends at a top objective or runs into a loop)."""
    walked: dict[Node, int] = {}
    loops = []
    for number, start in enumerate(objectives):
        path, node = [], start
        while node is not None and node not in walked:
            walked[node] = number
            path.append(node)
            node = node.parent
        if node is not None and walked[node] == number:  # back on this walk's own path
            loops.append(path[path.index(node):])
    return loops


def status_rollups(strategy: Strategy) -> dict[Node, list[StatusRow]]:
    """Each objective's status roll-up with its child objectives, theirs and so on: the
    plans serving any of them, each plan once. Computed for every objective at once,
    from the leaves up (walking each objective's descendants for its own page grew with
    the square of a chain's length). The objectives of a parent loop all roll up the same plans."""
    objectives = strategy.of_kind("objective")
    loops = _parent_cycles(objectives)
    looped = {node for loop in loops for node in loop}
    order: list[Node] = []  # parents before their children
    # Roots: no parent, a parent in a loop, or another strategy's objective as parent (whose
    # chain this strategy does not walk; a loop through it is the `cycle` rule's).
    pending = [node for node in objectives if node not in looped
               and (node.parent is None or node.parent in looped or node.parent.source is not None)]
    seen: set[Node] = set()
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        pending.extend(child for child in node.children if child.source is None)
    tallies: dict[Node, _Tally] = {}
    rollups: dict[Node, list[StatusRow]] = {}
    for node in reversed(order):
        tally = tallies[node] = _merged([tallies.pop(child) for child in node.children], node.serving)
        rollups[node] = tally.rows()
    for loop in loops:
        hanging = [tallies.pop(child) for node in loop for child in node.children if child not in looped]
        rows = _merged(hanging, [plan for node in loop for plan in node.serving]).rows()
        rollups.update((node, rows) for node in loop)
    return rollups


@dataclass(frozen=True)
class HeatCell:
    plans: int
    effort: float  # weight: effort, or 1 per plan without one
    heat: float  # effort relative to the largest cell, 0..1


def heat_map(coverage) -> list[tuple[Node, list[HeatCell]]]:
    """Per objective, per team (in coverage.teams order): the team's plans serving it."""
    # One pass over each team's plans: a scan of every plan per objective grew with
    # objectives × plans, and both grow with the strategy.
    counts: dict[tuple[int, Node], list] = {}
    for column, team in enumerate(coverage.teams):
        for plan in team.plans:
            for objective in plan.served:
                cell = counts.setdefault((column, objective), [0, 0])
                cell[0] += 1
                cell[1] += plan.weight
    rows = [(entry.objective, [counts.get((column, entry.objective), (0, 0)) for column in range(len(coverage.teams))])
            for entry in coverage.objectives]
    most = max((effort for _, cells in rows for _, effort in cells), default=0) or 1
    return [(objective, [HeatCell(plans, effort, effort / most) for plans, effort in cells])
            for objective, cells in rows]


@dataclass
class RoadmapGroup:
    label: str
    page: str | None  # the group's page below url_prefix; None for "no objective" and "no team"
    plans: list[Node]

    def by_status(self, status: str) -> list[Node]:
        return [plan for plan in self.plans if plan.status == status]


@dataclass
class RoadmapPeriod:
    period: str | None
    plans: list[Node]
    by_objective: list[RoadmapGroup]
    by_team: list[RoadmapGroup]


def roadmap(strategy: Strategy) -> list[RoadmapPeriod]:
    """Plans per period (their own or inherited), grouped by the objectives they serve
    (a plan serving two objectives shows under both) and by team."""
    periods = []
    in_period: dict[str | None, list[Node]] = {}
    every = strategy.plans + strategy.guest_plans  # with the plans of sources serving this strategy
    # Another strategy's objectives this one's plans serve are groups too (contract v1.2).
    objectives = strategy.objectives + [guest for guest in strategy.guests if guest.kind == "objective"]
    for plan in every:
        in_period.setdefault(plan.period, []).append(plan)
    for period in periods_of(every):
        plans = in_period[period]
        # One pass over the plans per period: scanning them once per objective and once
        # per team grew with the square of the strategy (teams grow with the plans).
        serving: dict[Node, list[Node]] = {objective: [] for objective in objectives}
        of_team: dict[str, list[Node]] = {name: [] for name in strategy.teams}
        for plan in plans:
            for objective in plan.served:
                serving[objective].append(plan)
            if plan.team:
                of_team[plan.team].append(plan)
        by_objective = [RoadmapGroup(objective.title, objective.page, serving[objective])
                        for objective in objectives]
        by_objective.append(RoadmapGroup("No objective", None, [plan for plan in plans if not plan.served]))
        by_team = [RoadmapGroup(team.name, team.page, of_team[name]) for name, team in strategy.teams.items()]
        by_team.append(RoadmapGroup("No team", None, [plan for plan in plans if not plan.team]))
        periods.append(RoadmapPeriod(period, plans, [g for g in by_objective if g.plans],
                                     [g for g in by_team if g.plans]))
    return periods


def periods_of(nodes) -> list[str | None]:
    return sorted({node.period for node in nodes}, key=period_sort_key)
