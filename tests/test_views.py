"""The views (objective progress and roll-ups, strategy maps, roadmap, team pages,
heat map, narrative) in real MkDocs builds, read from the HTML a reader gets; and
the map's aggregation at scale, from the renderer."""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

import pytest

from conftest import CLEAN_PLANS, MKDOCS_YML, analyse_plans, analyse_site, make_site, mkdocs_build
from mkdocs_northstar.render.bodies import nest_headings
from mkdocs_northstar.render.pages import RenderOptions, render_pages
from mkdocs_northstar.render.urls import HtmlLinks
from mkdocs_northstar.views import heat_map, plans_naming, roadmap, status_rollups, status_rows

FLAT_URLS_YML = MKDOCS_YML + "use_directory_urls: false\n"
ICONS_YML = MKDOCS_YML + """\
markdown_extensions:
  - attr_list
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
"""


def article(text: str) -> str:
    match = re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', text, re.DOTALL)
    assert match, "no article in the page"
    return match.group(1)


def built(root: Path, plans: dict | None = None, config: str = MKDOCS_YML) -> Path:
    make_site(root, plans, config=config)
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    return root / "site"


def page(site: Path, path: str) -> str:
    return article((site / path).read_text(encoding="utf-8"))


def maps_in(text: str) -> list[str]:
    """The SVG of each map (its phone's list follows it in the same element)."""
    return re.findall(r'<div class="northstar-map">(<svg.*?</svg>)', text, re.DOTALL)


def map_links(site: Path, path: str, svg: str) -> list[Path]:
    """The files the map's links land on, resolved the way a browser does."""
    here = posixpath.dirname(path)
    targets = []
    for href in re.findall(r'<a href="([^"]*)"', svg):
        target = posixpath.normpath(posixpath.join(here, html.unescape(href).split("#")[0]))
        file = site / target
        targets.append(file / "index.html" if href.split("#")[0].endswith("/") or file.is_dir() else file)
    return targets


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return built(tmp_path_factory.mktemp("views"))


# --- Objective pages --------------------------------------------------------------------


def test_progress_bar_runs_from_baseline_to_target_when_lower_is_better(site):
    text = page(site, "strategy/objectives/find-fast/index.html")
    bar = re.search(r'<span class="northstar-measure northstar-measure--on-way">.*?</p>', text)
    assert bar, text[:2000]
    # 40 s -> 30 s of the way to 20 s: half way, drawn as a half-full bar.
    assert 'aria-valuenow="50"' in bar.group() and "width: 50.0%" in bar.group()
    assert "baseline 40 s" in bar.group() and "current 30 s · 50%" in bar.group() and "target 20 s" in bar.group()
    assert "lower is better" in text


def test_progress_bar_says_when_there_is_no_measurement(site):
    text = page(site, "strategy/objectives/retain/index.html")
    assert "northstar-measure--none" in text and "no measurement yet" in text and "higher is better" in text


def test_progress_that_moved_away_from_the_target_is_flagged(tmp_path):
    plans = {**CLEAN_PLANS, "plans/objectives/find-fast.md": CLEAN_PLANS["plans/objectives/find-fast.md"]
             .replace("current: 30", "current: 45")}
    text = page(built(tmp_path, plans), "strategy/objectives/find-fast/index.html")
    assert "northstar-measure--behind" in text and "moved away from the target" in text
    assert 'aria-valuenow="0"' in text  # the bar never draws a negative width


def test_status_rollup_is_weighted_by_effort(site):
    text = page(site, "strategy/objectives/find-fast/index.html")
    status = text[text.index('id="status-of-the-work"'):text.index('id="child-objectives"')]
    # ranking: in progress, effort 3; index-speed: done, effort 1.
    assert re.search(r'northstar-status--in-progress" style="width: 75.0%"', status)
    assert re.search(r'northstar-status--done" style="width: 25.0%"', status)
    assert re.search(r"in-progress</span></td>\s*<td[^>]*>1</td>\s*<td[^>]*>3</td>\s*<td[^>]*>75%</td>", status)


def test_child_objectives_are_rolled_up(site):
    text = page(site, "strategy/objectives/find-fast/index.html")
    children = text[text.index('id="child-objectives"'):text.index('id="why-it-matters"')]
    assert 'href="../retain/"' in children
    # Rolled up: find-fast's own two plans plus rewards (proposed, effort 2) through retain.
    rolled = children[children.index("Rolled up"):]
    assert re.search(r"proposed</span></td>\s*<td[^>]*>1</td>\s*<td[^>]*>2</td>\s*<td[^>]*>33%</td>", rolled)


# --- Strategy maps ----------------------------------------------------------------------


def test_objective_map_links_objective_themes_and_plans(site):
    path = "strategy/objectives/find-fast/index.html"
    [svg] = maps_in(page(site, path))
    for label in ("Find products fast", "Better search", "Ranking by relevance", "Faster index"):
        assert f">{label}</text>" in svg
    assert "Rewards programme" not in svg  # serves retain, not find-fast
    targets = map_links(site, path, svg)
    assert len(targets) == 4 and all(target.is_file() for target in targets), targets
    assert site / "strategy/plans/ranking/index.html" in targets


def test_strategy_map_on_the_overview_links_every_record(site):
    path = "strategy/index.html"
    [svg] = maps_in(page(site, path))
    for label in ("Find products fast", "Keep shoppers coming back", "Loyalty", "Rewards programme"):
        assert f">{label}</text>" in svg
    targets = map_links(site, path, svg)
    assert len(targets) == 7 and all(target.is_file() for target in targets), targets


def test_map_links_follow_use_directory_urls_false(tmp_path):
    site = built(tmp_path, config=FLAT_URLS_YML)
    path = "strategy/objectives/find-fast.html"
    [svg] = maps_in(page(site, path))
    assert 'href="../plans/ranking.html"' in svg
    targets = map_links(site, path, svg)
    assert all(target.is_file() for target in targets), targets


@pytest.mark.parametrize("directory_urls, here, target, expected", [
    (True, "index.md", "themes/x.md", "themes/x/"),
    (True, "objectives/a.md", "themes/x.md", "../../themes/x/"),
    (True, "objectives/a.md", "objectives/a.md", "./"),
    (True, "objectives/a.md", "index.md", "../../"),
    (False, "index.md", "themes/x.md", "themes/x.html"),
    (False, "objectives/a.md", "index.md", "../index.html"),
])
def test_html_links_match_where_pages_are_served(directory_urls, here, target, expected):
    assert HtmlLinks(directory_urls).href(target, here) == expected


HOSTILE_TITLE = 'Fast & <script>alert("x")</script> ]]> search'


def test_map_labels_are_escaped(tmp_path):
    plans = {**CLEAN_PLANS, "plans/search/ranking.md": CLEAN_PLANS["plans/search/ranking.md"].replace(
        "title: Ranking by relevance", "title: '" + HOSTILE_TITLE.replace("'", "''") + "'")}
    site = built(tmp_path, plans)
    text = (site / "strategy/objectives/find-fast/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in text
    [svg] = maps_in(article(text))
    assert "Fast &amp; &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; ]]&gt; search" in svg


# --- Roadmap, teams, coverage, narrative -----------------------------------------------


def test_roadmap_leads_with_a_timeline_by_objective_and_by_team_then_lists_each_period(site):
    text = page(site, "strategy/roadmap/index.html")
    assert text.index('id="timeline"') < text.index('id="at-a-glance"') < text.index('id="2025-h1"')
    assert text.index('id="2025-h1"') < text.index('id="2025"')  # the half-year starts with the year
    assert text.count('class="tabbed-set tabbed-alternate') == 1  # the timeline's, without tabbed configured
    by_objective, by_team = text.split('class="tabbed-block"')[1:3]
    lanes = re.findall(r'class="northstar-timeline__lane"><title>([^<]*)</title>', by_objective)
    assert lanes == ["Find products fast", "Keep shoppers coming back"]
    # A plan is a bar once per lane: the one serving find-fast through its theme is in its lane.
    assert re.search(r'href="../plans/ranking/" class="northstar-timeline__bar '
                     r'northstar-timeline__bar--in-progress" data-plan="ranking"', by_objective)
    assert re.findall(r'class="northstar-timeline__lane"><title>([^<]*)</title>', by_team) == ["growth", "search"]
    # Below, each period lists its plans once, in progress first.
    period_2025 = text[text.index('id="2025"'):]
    assert period_2025.index('href="../plans/ranking/"') < period_2025.index('href="../plans/index-speed/"')


def test_roadmap_and_narrative_are_in_the_navigation(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    nav = set(re.findall(r'href="([^"]*)" class="md-nav__link', home))
    assert {"strategy/roadmap/", "strategy/narrative/"} <= nav


def test_team_page_shows_objectives_served_and_linked_share(site):
    text = page(site, "strategy/teams/search/index.html")
    assert "<strong>100%</strong> of the effort linked (4 of 4)" in text
    assert re.search(r'href="../../objectives/find-fast/">Find products fast</a></td>\s*<td>'
                     r'<span class="northstar-measure northstar-measure--on-way northstar-measure--compact">', text)
    assert re.search(r"</td>\s*<td[^>]*>2</td>\s*<td[^>]*>4</td>", text)


def test_team_page_warns_about_unlinked_plans(tmp_path):
    plans = {**CLEAN_PLANS, "plans/search/orphan.md": "---\ntitle: Orphan\neffort: 4\n---\n"}
    make_site(tmp_path, plans)
    pages = render_pages(analyse_site(tmp_path))
    assert '!!! warning "1 plan not linked to an objective"' in pages["teams/search.md"]
    assert "**50%** of the effort linked (4 of 8)" in pages["teams/search.md"]


def test_coverage_heat_map_of_objectives_by_team(site):
    text = page(site, "strategy/coverage/index.html")
    heat = text[text.index('id="team-objective"'):text.index('id="problems"')]
    # Teams in order growth, search: find-fast is all search's, 4 effort in 2 plans.
    assert re.search(r'find-fast/">Find products fast</a></td>\s*<td[^>]*></td>\s*<td[^>]*>'
                     r'<span class="northstar-heat" style="--northstar-heat: 100%" title="2 plans">4 \(2\)</span>', heat)
    assert '--northstar-heat: 50%" title="1 plan">2 (1)</span>' in heat


def test_narrative_tells_each_period_with_objectives_themes_and_plans(site):
    text = page(site, "strategy/narrative/index.html")
    assert 'id="2025"' in text and 'id="2025-h1"' in text
    assert text.index('id="2025-h1"') < text.index('id="2025"')  # the half-year starts with the year
    year = text[text.index('id="2025"'):]
    assert "We measure median time to find a product: from 40 s at the start to 20 s (lower is better)" in year
    assert "Shoppers leave when search is slow." in year  # the objective's body
    assert "Search is the front door of the shop." in year  # the theme's narrative
    # The plan with its first paragraph, its link rewritten for this page.
    assert re.search(r'<a href="../plans/ranking/">Ranking by relevance</a></strong> \(in progress, team search, 2025\): '
                     r'Rank results by what shoppers click. See <a href="../plans/rewards/#why">rewards</a>', year)
    half = text[text.index('id="2025-h1"'):text.index('id="2025"')]
    assert "Returning shoppers buy twice as much." in half and "Rewards programme" in half


def test_body_headings_nest_under_the_page_headings():
    body = "## Why\n\ntext\n\n```\n# not a heading\n```\n\nSetext\n------\n\n###### deep\n"
    assert nest_headings(body, 2) == "#### Why\n\ntext\n\n```\n# not a heading\n```\n\n#### Setext\n\n\n###### deep\n"


# --- Material icons -----------------------------------------------------------------------


def test_icons_only_where_material_icons_resolve(tmp_path):
    make_site(tmp_path)
    analysis = analyse_site(tmp_path)
    assert ":material-" not in "".join(render_pages(analysis).values())
    assert ":material-bullseye-arrow:" in render_pages(analysis, RenderOptions(material_icons=True))["index.md"]
    site = built(tmp_path / "icons", config=ICONS_YML)
    text = page(site, "strategy/index.html")
    assert ":material-" not in text and 'class="twemoji"' in text


# --- The graph queries, from an analysis -------------------------------------------------


def test_plans_naming_an_objective_are_those_not_reaching_it_through_its_themes(tmp_path):
    plans = {**CLEAN_PLANS,
             "plans/search/direct.md": "---\ntitle: Direct\nobjectives: [find-fast]\n---\n",
             "plans/search/both.md": "---\ntitle: Both\nobjectives: [find-fast]\nthemes: [better-search]\n---\n",
             "plans/growth/elsewhere.md": "---\ntitle: Elsewhere\nobjectives: [find-fast]\nthemes: [loyalty]\n---\n"}
    strategy = analyse_plans(tmp_path, plans).strategy
    assert [plan.id for plan in plans_naming(strategy.by_id["find-fast"])] == ["direct", "elsewhere"]
    assert plans_naming(strategy.by_id["retain"]) == []


def test_status_rollups_count_each_plan_once_and_share_a_parent_loop(tmp_path):
    plans = {**CLEAN_PLANS,
             "plans/objectives/a.md": "---\ntitle: A\nparent: b\n---\n",
             "plans/objectives/b.md": "---\ntitle: B\nparent: a\n---\n",
             "plans/search/for-a.md": "---\ntitle: For A\nobjectives: [a, b]\nstatus: done\neffort: 4\n---\n"}
    strategy = analyse_plans(tmp_path, plans).strategy
    rollups = status_rollups(strategy)
    # find-fast rolls up its own plans and retain's (its child); rewards is proposed.
    find_fast = {row.status: (row.plans, row.effort) for row in rollups[strategy.by_id["find-fast"]]}
    assert find_fast == {"proposed": (1, 2), "in-progress": (1, 3), "done": (1, 1)}
    assert rollups[strategy.by_id["find-fast"]] == status_rows(strategy.by_id["find-fast"].serving
                                                             + strategy.by_id["retain"].serving)
    # A loop of parents ends; both its objectives roll up the plan serving both, once.
    looped = [rollups[strategy.by_id[name]] for name in ("a", "b")]
    assert looped[0] == looped[1] and [(row.status, row.plans, row.share) for row in looped[0]] == [("done", 1, 1.0)]


def test_roadmap_groups_plans_by_period_objective_and_team(tmp_path):
    strategy = analyse_plans(tmp_path, CLEAN_PLANS).strategy
    periods = roadmap(strategy)
    assert [period.period for period in periods] == ["2025-H1", "2025"]
    first = periods[0]
    assert [(group.label, [plan.id for plan in group.plans]) for group in first.by_objective] == [
        ("Keep shoppers coming back", ["rewards"])]
    assert [(group.label, group.page) for group in first.by_team] == [("growth", "teams/growth.md")]


def test_heat_map_cells_are_each_team_s_effort_relative_to_the_largest(tmp_path):
    analysis = analyse_plans(tmp_path, CLEAN_PLANS)
    rows = {objective.id: [(cell.plans, cell.effort, cell.heat) for cell in cells]
            for objective, cells in heat_map(analysis.coverage)}
    teams = [team.team for team in analysis.coverage.teams]
    search, growth = teams.index("search"), teams.index("growth")
    assert rows["find-fast"][search] == (2, 4, 1.0) and rows["find-fast"][growth] == (0, 0, 0.0)
    assert rows["retain"][growth] == (1, 2, 0.5)
