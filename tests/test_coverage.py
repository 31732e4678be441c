"""Coverage figures: effort-weighted shares per strategy, objective, theme and team."""

from __future__ import annotations

import pytest

from conftest import CLEAN_PLANS, analyse_plans

# find-fast served by ranking (3, in-progress) and index-speed (1, done) via better-search;
# retain by rewards (2, proposed) via loyalty. Added: an unlinked plan of effort 4 in
# team search, a dropped plan (effort 5) and an objective nothing serves.
EXTRA = {
    "plans/search/orphan.md": "---\ntitle: Orphan\neffort: 4\n---\n",
    "plans/growth/dropped.md": "---\ntitle: Dropped\nthemes: [loyalty]\nobjectives: [find-fast]\n"
                               "status: dropped\neffort: 5\n---\n",
    "plans/growth/small.md": "---\ntitle: Small\nthemes: [loyalty]\nstatus: done\n---\n",
    "plans/objectives/lonely.md": "---\ntitle: L\nperiod: 2025\nmetric: m\nbaseline: 1\ntarget: 2\n---\n",
    "plans/themes/empty.md": "---\ntitle: E\nobjectives: [lonely]\n---\nWhy.\n",
}


@pytest.fixture(scope="module")
def coverage(tmp_path_factory):
    analysis = analyse_plans(tmp_path_factory.mktemp("coverage"), {**CLEAN_PLANS, **EXTRA},
                             rules={"unlinked-plan": "warning"})
    return analysis.coverage


def by_slug(entries, attribute):
    return {getattr(entry, attribute).slug: entry for entry in entries}


def test_linked_share_weighs_effort(coverage):
    # linked: 3 + 1 + 2 + 5 + 1 (no effort counts 1) = 12 of 16
    assert (coverage.linked.part, coverage.linked.whole) == (12, 16)
    assert coverage.linked.percent == "75%"


def test_objectives_covered(coverage):
    assert (coverage.covered.part, coverage.covered.whole) == (2, 3)
    assert [node.id for node in coverage.uncovered_objectives] == ["lonely"]


def test_per_objective(coverage):
    objectives = by_slug(coverage.objectives, "objective")
    find_fast = objectives["find-fast"]
    assert [plan.id for plan in find_fast.plans] == ["dropped", "index-speed", "ranking"]
    assert find_fast.weight == 9
    # done: 1 of the live (not dropped) effort 4
    assert (find_fast.status.done.part, find_fast.status.done.whole) == (1, 4)
    assert find_fast.status.plans["dropped"] == 1 and find_fast.status.total == 3
    retain = objectives["retain"]
    assert [plan.id for plan in retain.plans] == ["dropped", "rewards", "small"]
    assert retain.status.done.percent == "33%"  # small (1) of rewards (2) + small (1)
    assert objectives["lonely"].covered is False and objectives["lonely"].status.done.percent == "–"


def test_per_theme(coverage):
    themes = by_slug(coverage.themes, "theme")
    assert themes["loyalty"].weight == 8 and themes["loyalty"].status.total == 3
    assert themes["better-search"].weight == 4
    assert themes["empty"].weight == 0
    assert [node.id for node in coverage.empty_themes] == ["empty"]


def test_per_team(coverage):
    teams = {entry.team: entry for entry in coverage.teams}
    search = teams["search"]
    assert [plan.id for plan in search.plans] == ["index-speed", "orphan", "ranking"]
    assert (search.linked.part, search.linked.whole, search.linked.percent) == (4, 8, "50%")
    assert [node.id for node in search.objectives] == ["find-fast"]
    growth = teams["growth"]
    assert (growth.linked.part, growth.linked.whole) == (8, 8)
    assert [node.id for node in growth.objectives] == ["find-fast", "retain"]


def test_matrix_counts_plans_per_objective_and_theme(coverage):
    assert coverage.matrix == {
        ("find-fast", "better-search"): 2,
        ("retain", "loyalty"): 3,
        # 'dropped' names find-fast directly and sits in loyalty
        ("find-fast", "loyalty"): 1,
    }


def test_unlinked_lists(coverage):
    assert [node.id for node in coverage.unlinked_plans] == ["orphan"]
    assert coverage.unlinked_themes == []
