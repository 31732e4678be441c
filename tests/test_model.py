"""The strategy graph: links both ways, inherited periods, duplicates, dangling
links and teams, built from real parsed records."""

from __future__ import annotations

import textwrap

import pytest

from conftest import CLEAN_PLANS
from mkdocs_northstar.read.records import parse_record
from mkdocs_northstar.model import build, period_span, period_within, slugify


def strategy(files: dict[str, str]):
    records = []
    for path in sorted(files):
        source = path.removeprefix("plans/")
        records.append(parse_record(textwrap.dedent(files[path]).encode(), path, source))
    return build(records)


@pytest.fixture(scope="module")
def clean():
    return strategy(CLEAN_PLANS)


def ids(nodes) -> list[str]:
    return [node.id for node in nodes]


def test_nodes_by_kind_in_path_order(clean):
    assert ids(clean.objectives) == ["find-fast", "retain"]
    assert ids(clean.themes) == ["better-search", "loyalty"]
    assert ids(clean.plans) == ["rewards", "index-speed", "ranking"]  # plans/growth/ before plans/search/


def test_plan_and_theme_link_both_ways(clean):
    by_id = clean.by_id
    assert ids(by_id["ranking"].themes) == ["better-search"]
    assert ids(by_id["better-search"].plans) == ["index-speed", "ranking"]
    assert ids(by_id["better-search"].objectives) == ["find-fast"]
    assert ids(by_id["find-fast"].themes) == ["better-search"]


def test_plans_serve_objectives_through_their_themes(clean):
    by_id = clean.by_id
    assert ids(by_id["rewards"].served) == ["retain"]
    assert ids(by_id["find-fast"].serving) == ["index-speed", "ranking"]
    assert by_id["find-fast"].plans == []  # no plan names it directly
    assert all(plan.linked for plan in clean.plans)


def test_parent_children_and_dependencies_both_ways(clean):
    by_id = clean.by_id
    assert by_id["retain"].parent is by_id["find-fast"]
    assert ids(by_id["find-fast"].children) == ["retain"]
    assert ids(by_id["index-speed"].depends_on) == ["ranking"]
    assert ids(by_id["ranking"].dependents) == ["index-speed"]


def test_periods_are_inherited_from_objectives(clean):
    by_id = clean.by_id
    assert by_id["loyalty"].period == "2025-H1"  # from retain
    assert by_id["rewards"].period == "2025-H1"  # through loyalty
    assert by_id["ranking"].period == "2025"


def test_own_period_wins_and_direct_objective_gives_one():
    graph = strategy({
        **CLEAN_PLANS,
        "plans/x/own.md": "---\ntitle: O\nthemes: [loyalty]\nperiod: 2025-Q1\n---\n",
        "plans/x/direct.md": "---\ntitle: D\nthemes: [loyalty]\nobjectives: [find-fast]\n---\n",
    })
    assert graph.by_id["own"].period == "2025-Q1"
    # served: direct objectives first, then those of its themes
    assert ids(graph.by_id["direct"].served) == ["find-fast", "retain"]
    assert graph.by_id["direct"].period == "2025"


def test_plan_naming_an_objective_directly_is_listed_on_it():
    graph = strategy({**CLEAN_PLANS, "plans/x/direct.md": "---\ntitle: D\nthemes: [loyalty]\nobjectives: [find-fast]\n---\n"})
    assert ids(graph.by_id["find-fast"].plans) == ["direct"]
    assert ids(graph.by_id["find-fast"].serving) == ["direct", "index-speed", "ranking"]


def test_duplicates_keep_the_first_by_path_and_get_unique_slugs():
    graph = strategy({**CLEAN_PLANS, "plans/zz/ranking.md": "---\ntitle: Again\nthemes: [loyalty]\n---\n"})
    first, second = graph.duplicates["ranking"]
    assert (first.path, second.path) == ("plans/search/ranking.md", "plans/zz/ranking.md")
    assert graph.by_id["ranking"] is first
    assert (first.slug, second.slug) == ("ranking", "ranking-2")
    assert second.page == "plans/ranking-2.md"
    # the second is linked in its own right
    assert ids(second.themes) == ["loyalty"] and second in graph.by_id["loyalty"].plans


def test_dangling_links_are_kept_aside():
    graph = strategy({**CLEAN_PLANS,
                      "plans/x/p.md": "---\ntitle: P\nthemes: [nope, better-search]\nobjectives: [loyalty]\n---\n"})
    node = graph.by_id["p"]
    assert [(link.key, link.target, link.found) for link in graph.dangling] == [
        ("themes", "nope", None), ("objectives", "loyalty", graph.by_id["loyalty"])]
    assert all(link.node is node for link in graph.dangling)
    assert ids(node.themes) == ["better-search"] and node.objectives == []


def test_broken_records_link_nowhere():
    graph = strategy({**CLEAN_PLANS, "plans/x/broken.md": "---\nthemes: [better-search\n---\n"})
    broken = next(node for node in graph.nodes if node.path == "plans/x/broken.md")
    assert broken.record.broken and broken.themes == [] and graph.dangling == []
    assert broken not in graph.by_id["better-search"].plans


def test_teams_from_folders_and_keys():
    graph = strategy({**CLEAN_PLANS,
                      "plans/search/moved.md": "---\ntitle: M\nthemes: [loyalty]\nteam: Growth Hackers\n---\n",
                      "plans/top.md": "---\ntitle: T\nthemes: [loyalty]\n---\n"})
    assert {name: (team.slug, ids(team.plans)) for name, team in graph.teams.items()} == {
        "growth": ("growth", ["rewards"]),
        "Growth Hackers": ("growth-hackers", ["moved"]),
        "search": ("search", ["index-speed", "ranking"]),
    }
    assert graph.by_id["top"].team is None
    assert graph.by_id["find-fast"].team is None  # only plans have teams


def test_status_effort_weight_and_progress(clean):
    by_id = clean.by_id
    assert (by_id["rewards"].status, by_id["rewards"].weight) == ("proposed", 2)
    assert (by_id["ranking"].status, by_id["ranking"].effort) == ("in-progress", 3)
    assert by_id["find-fast"].progress == pytest.approx(0.5)  # 40 -> 30 of the way to 20
    assert by_id["retain"].progress is None  # no current value


@pytest.mark.parametrize("inner, outer, within", [
    ("2025-Q1", "2025", True), ("2025-Q3", "2025-H1", False), ("2025-H2", "2025-H2", True),
    ("2025", "2025-H1", False), ("2024-Q4", "2025", False), ("2025-Q4", "2025-H2", True),
])
def test_period_within(inner, outer, within):
    assert period_within(inner, outer) is within


def test_period_span_orders_quarters():
    assert period_span("2025") == (8100, 8103)
    assert period_span("2025-H2") == (8102, 8103)
    assert period_span("2025-Q3") == (8102, 8102)


def test_slugify():
    assert slugify("Équipe Données & IA") == "equipe-donnees-ia"
    assert slugify("!!!") == "record"
