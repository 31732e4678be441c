"""The roadmap's timeline: the strategy's plans as lanes of bars for render/timeline.py,
one lane per objective (a plan serving two objectives is a bar in both) or one per team."""

from __future__ import annotations

from ..model import Node, Strategy
from .timeline import Bar, Lane


class Bars:
    """A plan's bar, made once for every lane it is in (of both views)."""

    def __init__(self) -> None:
        self._made: dict[Node, Bar] = {}

    def __call__(self, plan: Node) -> Bar:
        bar = self._made.get(plan)
        if bar is None:
            bar = self._made[plan] = Bar(plan.slug, plan.title, plan.page, plan.period, plan.status)
        return bar


def objective_lanes(strategy: Strategy, bar: Bars | None = None) -> list[Lane]:
    """A lane per objective with the plans serving it (directly or through a theme), and
    one for the plans serving none; lanes without plans are left out."""
    bar = bar or Bars()
    lanes = [Lane(objective.title, objective.page, [bar(plan) for plan in objective.serving])
             for objective in strategy.objectives]
    lanes.append(Lane("No objective", None, [bar(plan) for plan in strategy.plans if not plan.served]))
    return [lane for lane in lanes if lane.bars]


def team_lanes(strategy: Strategy, bar: Bars | None = None) -> list[Lane]:
    """A lane per team with its plans, and one for the plans of no team."""
    bar = bar or Bars()
    lanes = [Lane(team.name, team.page, [bar(plan) for plan in team.plans]) for team in strategy.teams.values()]
    lanes.append(Lane("No team", None, [bar(plan) for plan in strategy.plans if not plan.team]))
    return [lane for lane in lanes if lane.bars]
