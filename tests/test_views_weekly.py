"""The views people open every week, read from a real MkDocs build: natural order of
titles and ids, long lists folded with open work first, figures that say what they
count (each plan once, dropped work out of shares), the overview's warning box."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import make_site, mkdocs_build
from mkdocs_northstar.model import natural_key
from test_views import page

OBJECTIVE = "---\ntitle: {title}\nmetric: m\nbaseline: 0\ntarget: 10\nunit: users\nperiod: 2026\n---\nWhy.\n"
PLAN = "---\ntitle: {title}\nthemes: [both]\nstatus: {status}\neffort: {effort}\nteam: {team}\n---\nBody.\n"

PLANS = {
    "plans/objectives/grow.md": OBJECTIVE.format(title="Grow"),
    "plans/objectives/keep.md": OBJECTIVE.format(title="Keep"),
    "plans/themes/both.md": "---\ntitle: Both\nobjectives: [grow, keep]\n---\nServes two objectives.\n",
    "plans/themes/spare.md": "---\ntitle: Spare\nobjectives: [grow]\n---\nNothing in it yet.\n",
    # Paths and titles whose digits sort wrongly as text: 108 < 12 < 9.
    "plans/work/plan-108.md": PLAN.format(title="Plan 108", status="planned", effort=1, team="team-10"),
    "plans/work/plan-12.md": PLAN.format(title="Plan 12", status="planned", effort=1, team="team-2"),
    "plans/work/plan-9.md": PLAN.format(title="Plan 9", status="planned", effort=1, team="team-2"),
    "plans/work/shipped.md": PLAN.format(title="Shipped", status="done", effort=3, team="team-2"),
    "plans/work/stopped.md": PLAN.format(title="Stopped", status="dropped", effort=4, team="team-2"),
    "plans/work/underway.md": PLAN.format(title="Underway", status="in-progress", effort=1, team="team-2"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = make_site(tmp_path_factory.mktemp("weekly"), PLANS)
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    return root / "site"


def _linked_titles(html: str) -> list[str]:
    return re.findall(r'<a href="[^"]*plans/[^"]*">([^<]*)</a>', html)


def test_natural_key_orders_numbers_by_value_and_paths_folder_by_folder():
    titles = ["Plan 108", "Plan 12", "plan 9", "Plan 12b", "Plan"]
    assert sorted(titles, key=natural_key) == ["Plan", "Plan 12", "Plan 12b", "Plan 108", "plan 9"]
    assert sorted(["a-b/x.md", "a/z.md", "a10/y.md", "a2/y.md"], key=natural_key) == [
        "a/z.md", "a2/y.md", "a10/y.md", "a-b/x.md"]


def test_lists_are_in_natural_order(site):
    theme = page(site, "strategy/themes/both/index.html")
    assert _linked_titles(theme)[:4] == ["Underway", "Plan 9", "Plan 12", "Plan 108"]
    coverage = page(site, "strategy/coverage/index.html")
    per_team = coverage[coverage.index('id="per-team"'):]
    assert per_team.index(">team-2</a>") < per_team.index(">team-10</a>")


def test_done_and_dropped_work_folds_below_the_open_work(site):
    theme = page(site, "strategy/themes/both/index.html")
    open_part, folded = theme.split('<details class="northstar-fold">', 1)
    assert "Shipped" not in open_part and "Stopped" not in open_part
    assert "<summary>1 done and 1 dropped</summary>" in folded
    assert _linked_titles(folded) == ["Shipped", "Stopped"]
    assert '<div class="northstar-scroll"><table' in open_part  # a wide table scrolls in its own box


def test_many_open_plans_fold_past_the_first_twenty(tmp_path):
    plans = dict(PLANS, **{f"plans/more/p{index}.md": PLAN.format(title=f"More {index}", status="proposed",
                                                                     effort=1, team="team-2")
                           for index in range(25)})
    root = make_site(tmp_path, plans)
    assert mkdocs_build(root).returncode == 0
    theme = page(root / "site", "strategy/themes/both/index.html")
    open_part, more = theme.split('<details class="northstar-fold">', 1)
    assert len(_linked_titles(open_part)) == 20
    # Open: the one in progress, the three planned, then the proposed in natural order.
    assert _linked_titles(open_part)[:5] == ["Underway", "Plan 9", "Plan 12", "Plan 108", "More 0"]
    assert "<summary>9 more plans in progress or to do</summary>" in more
    assert _linked_titles(more)[:9] == [f"More {index}" for index in range(16, 25)]


def test_shares_of_effort_leave_dropped_work_out_and_say_so(site):
    objective = page(site, "strategy/objectives/grow/index.html")
    status = objective[objective.index('id="status-of-the-work"'):]
    shares = dict(re.findall(r'northstar-status--([a-z-]+)">[a-z-]+</span></td>.*?<td[^>]*>([^<]*)</td>\s*</tr>',
                             status[:status.index("</table>")], re.DOTALL))
    # Live effort 1 + 3 + 3 = 7: dropped work (4) would have made the done share 3 / 11.
    assert shares == {"planned": "43%", "in-progress": "14%", "done": "43%", "dropped": "excluded"}
    assert "dropped work is excluded" in status


def test_team_page_says_a_plan_serving_two_objectives_counts_under_each(site):
    team = page(site, "strategy/teams/team-2/index.html")
    rows = re.findall(r'href="../../objectives/(\w+)/">.*?<td[^>]*>(\d+)</td>', team, re.DOTALL)
    assert rows == [("grow", "5"), ("keep", "5")]  # 10 under the team's 5 plans: the caption says why
    assert "counts under each, so these rows can add up to more than the team's 5 plans" in team


def test_overview_names_its_warnings_in_a_warning_box(site):
    overview = page(site, "strategy/index.html")
    assert "admonition failure" not in overview
    box = re.search(r'<div class="admonition warning">(.*?)</div>', overview, re.DOTALL)
    assert box and "1 warning in the plans" in box.group(1)
    assert "[empty-theme]" in box.group(1) and "spare.md" in box.group(1)


def test_maps_are_also_lists_for_phones_with_status_chips(site):
    objective = page(site, "strategy/objectives/grow/index.html")
    tree = re.search(r'<ul class="northstar-map__tree">(.*?)</ul>\s*</div>', objective, re.DOTALL).group(1)
    assert re.search(r'<li><a href="\./">Grow</a>.*?<ul><li><a href="../../themes/both/">Both</a>', tree)
    assert re.search(r'<a href="../../plans/plan-108/">Plan 108</a> '
                     r'<span class="northstar-status northstar-status--planned">planned</span>', tree)
    css = (Path(__file__).parent.parent / "plugin/mkdocs_northstar/assets/northstar.css").read_text()
    assert re.search(r"max-width: 37\.4375em\) \{\s*\.northstar-map \.northstar-map__svg", css)


def test_a_wide_matrix_shows_its_largest_columns_and_links_to_the_rest(tmp_path):
    plans = {"plans/objectives/grow.md": OBJECTIVE.format(title="Grow")}
    for index in range(1, 15):  # 14 themes, theme N with N plans: themes 1 and 2 are the smallest
        plans[f"plans/themes/t{index}.md"] = f"---\ntitle: Theme {index}\nobjectives: [grow]\n---\nWhy.\n"
        for number in range(index):
            plans[f"plans/work/t{index}-{number}.md"] = (
                f"---\ntitle: P{index}-{number}\nthemes: [t{index}]\nteam: team-{number}\n---\n")
    root = make_site(tmp_path, plans)
    assert mkdocs_build(root).returncode == 0
    coverage = page(root / "site", "strategy/coverage/index.html")
    matrix = coverage[coverage.index('id="objective-theme"'):coverage.index('id="per-objective"')]
    heads = re.findall(r"<th[^>]*>(.*?)</th>", matrix)
    assert [re.sub("<[^>]+>", "", head) for head in heads] == (
        ["Objective"] + [f"Theme {index}" for index in range(3, 15)] + ["2 more themes", "Total"])
    assert '<a href="#per-theme">2 more themes</a>' in heads[-2]
    row = re.findall(r"<td[^>]*>([^<]*)</td>", matrix)
    assert row[-2:] == ["3", "105"]  # the two smallest themes' 1 + 2 plans; each plan once in the total
    heat = coverage[coverage.index('id="team-objective"'):]
    assert '<a href="#per-team">2 more teams</a>' in heat  # 14 teams, 12 shown


def test_theme_and_plan_pages_say_where_they_sit(site):
    plan = page(site, "strategy/plans/plan-9/index.html")
    trail = re.search(r'<nav class="northstar-breadcrumb"[^>]*>(.*?)</nav>', plan).group(1)
    assert re.sub("<[^>]+>", "", trail) == "Grow, Keep › Both › Plan 9"
    assert '<a href="../../themes/both/">Both</a>' in trail
    theme = page(site, "strategy/themes/spare/index.html")
    assert re.sub("<[^>]+>", "", re.search(r'<nav class="northstar-breadcrumb"[^>]*>(.*?)</nav>', theme).group(1)) == (
        "Grow › Spare")


def test_figures_and_periods_do_not_break_across_lines(site):
    overview = page(site, "strategy/index.html")
    assert re.search(r'<span class="northstar-figure">0 users</span> → \? → '
                     r'<span class="northstar-figure">10 users</span>', overview)
    assert '<span class="northstar-period">2026</span>' in overview


def test_map_plans_are_grouped_by_theme(tmp_path):
    from conftest import analyse_plans
    from mkdocs_northstar.render import maps

    plans = {"plans/objectives/grow.md": OBJECTIVE.format(title="Grow")}
    for name in ("a", "b", "c", "d"):
        plans[f"plans/themes/{name}.md"] = f"---\ntitle: Theme {name}\nobjectives: [grow]\n---\nWhy.\n"
    plans["plans/work/a1.md"] = "---\ntitle: A1\nthemes: [a]\n---\n"
    plans["plans/work/ad.md"] = "---\ntitle: A and D\nthemes: [a, d]\n---\n"  # barycentre: between b's and c's
    for name in ("b1", "b2", "b3"):
        plans[f"plans/work/{name}.md"] = f"---\ntitle: {name.upper()}\nthemes: [b]\n---\n"
    plans["plans/work/c1.md"] = "---\ntitle: C1\nthemes: [c]\n---\n"
    plans["plans/work/d1.md"] = "---\ntitle: D1\nthemes: [d]\n---\n"
    strategy = analyse_plans(tmp_path, plans).strategy
    diagram = maps.objective_map(strategy.by_id["grow"], lambda page: page)
    assert [box.label for box in diagram.columns[1]] == ["Theme a", "Theme b", "Theme c", "Theme d"]
    assert [box.label for box in diagram.columns[2]] == ["A1", "A and D", "B1", "B2", "B3", "C1", "D1"]


def test_map_labels_wrap_to_two_lines_before_they_are_cut():
    from mkdocs_northstar.render import maps

    assert maps.label_lines("Short title") == ["Short title"]
    assert maps.label_lines("Recover from zero-result searches with synonyms") == [
        "Recover from zero-result", "searches with synonyms"]
    lines = maps.label_lines("A title that is much too long for two lines of a node in the map")
    assert lines[0] == "A title that is much too" and lines[1].endswith("…") and len(lines[1]) == maps.LINE_CHARS
