"""Coverage figures: how much of the work serves the objectives, and how well each
objective, theme and team is served. Plans weigh their effort where given, else 1."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Node, Strategy, natural_key
from .render.text import percent
from .read.schema import STATUSES


@dataclass
class Share:
    part: float = 0
    whole: float = 0

    @property
    def ratio(self) -> float | None:
        return self.part / self.whole if self.whole else None

    @property
    def percent(self) -> str:
        return percent(self.ratio)

    def add(self, weight: float, counted: bool) -> None:
        self.whole += weight
        if counted:
            self.part += weight


@dataclass
class StatusRollup:
    """How many plans (and how much effort) sit in each status."""

    plans: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    weight: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    def add(self, plan: Node) -> None:
        self.plans[plan.status] += 1
        self.weight[plan.status] += plan.weight

    @property
    def total(self) -> int:
        return sum(self.plans.values())

    @property
    def done(self) -> Share:
        """Share of the live (not dropped) effort that is done."""
        live = sum(weight for status, weight in self.weight.items() if status != "dropped")
        return Share(self.weight["done"], live)


@dataclass
class ObjectiveCoverage:
    objective: Node
    plans: list[Node]  # directly or through a theme
    status: StatusRollup
    weight: float

    @property
    def covered(self) -> bool:
        return bool(self.plans)


@dataclass
class ThemeCoverage:
    theme: Node
    status: StatusRollup
    weight: float


@dataclass
class TeamCoverage:
    team: str
    slug: str
    plans: list[Node]
    linked: Share  # effort-weighted share of the team's plans that are linked
    objectives: list[Node]  # objectives its plans serve
    status: StatusRollup


@dataclass
class Coverage:
    objectives: list[ObjectiveCoverage]
    themes: list[ThemeCoverage]
    teams: list[TeamCoverage]
    # (objective slug, theme slug) -> plans in the theme that serve the objective
    matrix: dict[tuple[str, str], int]
    linked: Share  # over all plans
    covered: Share  # objectives with at least one plan
    unlinked_plans: list[Node]
    unlinked_themes: list[Node]
    uncovered_objectives: list[Node]
    empty_themes: list[Node]
    _by_objective: dict[Node, ObjectiveCoverage] | None = field(default=None, init=False, repr=False, compare=False)

    def cell(self, objective: Node, theme: Node) -> int:
        return self.matrix.get((objective.slug, theme.slug), 0)

    def for_objective(self, objective: Node) -> ObjectiveCoverage:
        if self._by_objective is None:  # a scan per objective page grew with objectives²
            self._by_objective = {entry.objective: entry for entry in self.objectives}
        return self._by_objective[objective]


def _rollup(plans) -> StatusRollup:
    rollup = StatusRollup()
    for plan in plans:
        rollup.add(plan)
    return rollup


def compute(strategy: Strategy) -> Coverage:
    objectives = [
        ObjectiveCoverage(objective, objective.serving, _rollup(objective.serving),
                          sum(plan.weight for plan in objective.serving))
        for objective in strategy.objectives
    ]
    themes = [ThemeCoverage(theme, _rollup(theme.plans), sum(plan.weight for plan in theme.plans))
              for theme in strategy.themes]
    teams = []
    for team in strategy.teams.values():
        linked = Share()
        for plan in team.plans:
            linked.add(plan.weight, plan.linked)
        served = {objective.slug: objective for plan in team.plans for objective in plan.served}
        teams.append(TeamCoverage(team.name, team.slug, team.plans, linked,
                                  [served[key] for key in sorted(served, key=natural_key)], _rollup(team.plans)))

    # The plans of sources that serve this strategy count like its own (contract v1.2):
    # the same weight, the same statuses, so a strategy split across repositories gives
    # the figures it gave in one.
    every = strategy.plans + strategy.guest_plans
    matrix: dict[tuple[str, str], int] = {}
    for plan in every:
        for theme in plan.themes:
            for objective in plan.served:
                if objective in theme.objectives or objective in plan.objectives:
                    key = (objective.slug, theme.slug)
                    matrix[key] = matrix.get(key, 0) + 1

    linked = Share()
    for plan in every:
        linked.add(plan.weight, plan.linked)
    covered = Share()
    for entry in objectives:
        covered.add(1, entry.covered)

    return Coverage(
        objectives=objectives,
        themes=themes,
        teams=teams,
        matrix=matrix,
        linked=linked,
        covered=covered,
        unlinked_plans=[plan for plan in strategy.plans if not plan.linked],
        unlinked_themes=[theme for theme in strategy.themes if not theme.linked],
        uncovered_objectives=[entry.objective for entry in objectives if not entry.covered],
        empty_themes=[theme for theme in strategy.themes if not theme.plans],
    )
