"""The timeline (render/timeline.py): lanes of plan bars on one time axis, as SVG a parser reads,
with a list per period for phones."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from datetime import date

from mkdocs_northstar.render.timeline import FOLD, MAX_ROWS, Bar, Lane, period_days, timeline

SVG = "{http://www.w3.org/2000/svg}"
AS_OF = date(2026, 5, 15)


def parse(lanes, as_of=AS_OF, **options):
    out = timeline(lanes, as_of, href=lambda url: "../" + url.removesuffix(".md") + "/", **options)
    assert "\n\n" not in out  # one raw HTML block in Markdown
    return ET.fromstring(out)


def bars(root):
    return root.findall(f".//{SVG}a[@data-plan]")


def ticks(root):
    return {line.get("data-date"): float(line.get("x1")) for line in root.iter(f"{SVG}line")
            if line.get("class") == "northstar-timeline__tick"}


def extent(bar):
    rect = bar.find(f"{SVG}rect")
    return float(rect.get("x")), float(rect.get("x")) + float(rect.get("width"))


def plan(plan_id, period, status="planned", title=None):
    return Bar(plan_id, title or plan_id.title(), f"plans/{plan_id}.md", period, status)


def test_one_bar_per_plan_per_lane_in_a_northstar_map():
    search = Lane("Find fast", "objectives/find-fast.md", [plan("a", "2026-Q1"), plan("b", "2026-H2"),
                                                          plan("a", "2026-Q1")])
    team = Lane("Team search", "teams/search.md", [plan("a", "2026-Q1"), plan("c", "2027", "done")])
    root = parse([search, team])
    assert "northstar-map" in root.get("class").split()
    drawn = [bar.get("data-plan") for bar in bars(root)]
    assert sorted(drawn) == ["a", "a", "b", "c"]  # a twice: once in each lane, never twice in one
    done = next(bar for bar in bars(root) if bar.get("data-plan") == "c")
    assert done.get("class") == "northstar-timeline__bar northstar-timeline__bar--done"
    assert done.get("href") == "../plans/c/"
    lanes = [lane for lane in root.iter(f"{SVG}a") if lane.get("class") == "northstar-timeline__lane"]
    assert [lane.get("href") for lane in lanes] == ["../objectives/find-fast/", "../teams/search/"]


def test_a_bar_spans_the_days_of_its_period_on_one_axis():
    lane = Lane("Lane", None, [plan("quarter", "2026-Q2"), plan("half", "2026-H2"), plan("year", "2027")])
    root = parse([lane])
    axis = ticks(root)
    # From the first quarter drawn (as of 15 May 2026: the second) to the last, quarter by quarter.
    assert list(axis) == [f"{year}-{month:02}-01" for year in (2026, 2027) for month in (1, 4, 7, 10)][1:]
    scale = (axis["2027-04-01"] - axis["2026-04-01"]) / 365
    drawn = {bar.get("data-plan"): extent(bar) for bar in bars(root)}
    assert drawn["quarter"][0] == axis["2026-04-01"]
    assert abs(drawn["quarter"][1] - (axis["2026-04-01"] + 91 * scale)) < 0.01  # April to June: 91 days
    assert drawn["half"][0] == axis["2026-07-01"]
    assert abs(drawn["half"][1] - drawn["half"][0] - 184 * scale) < 0.01
    assert drawn["year"][0] == axis["2027-01-01"]
    assert abs(drawn["year"][1] - drawn["year"][0] - 365 * scale) < 0.01
    assert period_days("2028-Q1") == (date(2028, 1, 1), date(2028, 4, 1))  # a leap year's quarter
    year = next(bar for bar in bars(root) if bar.get("data-plan") == "year")
    assert (year.get("data-start"), year.get("data-end")) == ("2027-01-01", "2027-12-31")


def test_as_of_is_marked_where_it_falls():
    root = parse([Lane("Lane", None, [plan("a", "2026")])])
    axis = ticks(root)
    now = next(group for group in root.iter(f"{SVG}g") if group.get("class") == "northstar-timeline__now")
    assert now.get("data-date") == "2026-05-15"
    x = float(now.find(f"{SVG}line").get("x1"))
    scale = (axis["2026-07-01"] - axis["2026-04-01"]) / 91
    assert abs(x - (axis["2026-04-01"] + 44 * scale)) < 0.01  # 1 April + 44 days


def test_a_lane_folds_past_the_limit_with_a_link_to_its_page():
    many = [plan(f"p{index:03}", f"{2020 + index // 4}-Q{index % 4 + 1}") for index in range(FOLD + 7)]
    root = parse([Lane("Crowded", "objectives/crowded.md", many), Lane("Quiet", "teams/quiet.md", many[:3])])
    drawn = [bar.get("data-plan") for bar in bars(root)]
    assert len(drawn) == FOLD + 3
    more = [link for link in root.iter(f"{SVG}a") if link.get("class") == "northstar-timeline__more"]
    assert len(more) == 1
    assert more[0].get("href") == "../objectives/crowded/"
    assert "".join(more[0].find(f"{SVG}text").itertext()) == "7 more…"
    # The phone's list still names every plan, once, under its period.
    items = root.findall(".//ol[@class='northstar-timeline__list']/li")
    assert [item.find("span").text for item in items][:5] == ["2020-Q1", "2020-Q2", "2020-Q3", "2020-Q4", "2021-Q1"]
    assert sum(len(item.findall("ul/li")) for item in items) == FOLD + 7


def test_the_phone_list_of_a_crowded_period_shows_open_work_first_and_links_to_the_rest():
    statuses = ["done", "dropped", "proposed", "planned", "in-progress"]
    crowd = [plan(f"p{index:03}", "2026-Q3", statuses[index % 5]) for index in range(FOLD + 6)]
    quiet = [plan("q1", "2026-Q4", "done"), plan("q2", "2026-Q4", "in-progress")]
    sections = {"2026-Q3": "#2026-q3"}
    root = parse([Lane("Crowded", "objectives/crowded.md", crowd + quiet)], more=sections.get)
    crowded, small = root.findall(".//ol[@class='northstar-timeline__list']/li")
    shown = crowded.findall("ul/li/a")
    assert len(shown) == FOLD + 1  # FOLD plans, then the line counting the rest
    # The 18 open plans come first, in progress, planned, proposed; then the first of the done and dropped.
    status_of = {bar.title: bar.status for bar in crowd}
    order = [status_of[link.text] for link in shown[:-1]]
    assert order[:18] == ["in-progress"] * 6 + ["planned"] * 6 + ["proposed"] * 6
    assert set(order[18:]) <= {"done", "dropped"}
    assert (shown[-1].get("href"), shown[-1].text) == ("#2026-q3", "6 more plans in 2026-Q3")
    # A period that fits keeps every plan in title order, and says nothing more.
    assert [link.text for link in small.findall("ul/li/a")] == ["Q1", "Q2"]


def test_without_a_place_to_link_the_rest_is_counted_in_words():
    crowd = [plan(f"p{index:03}", None) for index in range(FOLD + 1)]
    root = parse([Lane("Crowded", None, crowd)])
    more = root.find(".//li[@class='northstar-timeline__more-plans']")
    assert more.text == "1 more plan in No period" and more.find("a") is None


def test_a_lane_folds_past_its_rows_when_plans_share_a_period():
    crowd = [plan(f"p{index}", "2026-Q3") for index in range(MAX_ROWS + 2)]
    root = parse([Lane("Crowded", "objectives/crowded.md", crowd)])
    assert len(bars(root)) == MAX_ROWS
    more = [link for link in root.iter(f"{SVG}a") if link.get("class") == "northstar-timeline__more"]
    assert "".join(more[0].find(f"{SVG}text").itertext()) == "2 more…"


def test_labels_and_links_are_escaped():
    evil = Bar("x", '<script>alert(1)</script> & "quotes"', 'plans/x.md"onmouseover="alert(1)', "2026-Q1",
               'done" onclick="alert(1)')
    root = parse([Lane("<b>lane</b>", "teams/t.md", [evil])])
    out = ET.tostring(root, encoding="unicode")
    assert "<script" not in out and "<b>" not in out
    bar = bars(root)[0]
    assert bar.get("onclick") is None and bar.get("onmouseover") is None
    assert bar.get("class").endswith("--proposed")  # an unknown status is not a class name
    assert bar.find(f"{SVG}title").text.startswith('<script>alert(1)</script> & "quotes"')
    listed = root.find(".//ol/li/ul/li/a")
    assert listed.text == '<script>alert(1)</script> & "quotes"'


def test_hostile_periods_cost_a_bounded_axis():
    lane = Lane("Lane", None, [plan("old", "0000"), plan("new", "9999-Q4"), plan("none", None)])
    started = time.perf_counter()
    root = parse([lane])
    assert time.perf_counter() - started < 1
    assert len(ticks(root)) <= 40
    assert float(root.find(f"{SVG}svg").get("width")) < 2100
    assert sorted(bar.get("data-plan") for bar in bars(root)) == ["new", "old"]
    periods = [item.find("span").text for item in root.findall(".//ol/li")]
    assert periods[-1] == "No period"  # listed for phones, not drawn


def test_five_hundred_plans_render_quickly_and_stay_bounded():
    statuses = ("proposed", "planned", "in-progress", "done", "dropped")
    lanes = [Lane(f"Objective {lane}", f"objectives/o{lane}.md",
                  [plan(f"p{lane}-{index}", f"{2026 + index % 2}-Q{index % 4 + 1}", statuses[index % 5])
                   for index in range(84)]) for lane in range(6)]
    started = time.perf_counter()
    root = parse(lanes)
    assert time.perf_counter() - started < 1
    drawn = len(bars(root))
    assert FOLD * 6 >= drawn >= 6 * MAX_ROWS  # 21 plans share each period: rows fill before FOLD
    more = [text for text in root.iter(f"{SVG}text") if (text.text or "").endswith("more…")]
    assert sum(int(text.text.split()[0]) for text in more) + drawn == 6 * 84
    assert float(root.find(f"{SVG}svg").get("height")) <= 6 * (MAX_ROWS * 26 + 12) + 60


def test_folding_keeps_the_work_not_yet_ended():
    past = [plan(f"old{index}", f"{2018 + index // 4}-Q{index % 4 + 1}", "done") for index in range(FOLD + 5)]
    coming = [plan(f"new{index}", "2026-Q3") for index in range(3)]
    root = parse([Lane("Lane", "teams/t.md", past + coming)])
    drawn = {bar.get("data-plan") for bar in bars(root)}
    assert {"new0", "new1", "new2"} <= drawn
    assert "old0" not in drawn and f"old{FOLD + 4}" in drawn  # the latest of the past fill the rest
