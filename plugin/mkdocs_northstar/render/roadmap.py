"""The roadmap's timeline: the strategy's plans as lanes of bars for render/timeline.py,
one lane per objective (a plan serving two objectives is a bar in both) or one per team."""

from __future__ import annotations

from ..model import Node, Strategy
from .timeline import Bar, Lane


def _bar(plan: Node) -> Bar:
    return Bar(plan.slug, plan.title, plan.page, plan.period, plan.status)


def objective_lanes(strategy: Strategy) -> list[Lane]:
    """A lane per objective with the plans serving it (directly or through a theme), and
    one for the plans serving none; lanes without plans are left out."""
    lanes = [Lane(objective.title, objective.page, [_bar(plan) for plan in objective.serving])
             for objective in strategy.objectives]
    lanes.append(Lane("No objective", None, [_bar(plan) for plan in strategy.plans if not plan.served]))
    return [lane for lane in lanes if lane.bars]


def team_lanes(strategy: Strategy) -> list[Lane]:
    """A lane per team with its plans, and one for the plans of no team."""
    lanes = [Lane(team.name, team.page, [_bar(plan) for plan in team.plans]) for team in strategy.teams.values()]
    lanes.append(Lane("No team", None, [_bar(plan) for plan in strategy.plans if not plan.team]))
    return [lane for lane in lanes if lane.bars]
