"""`northstar new` (scaffold.py): a new record in the right folder, with its links, that `check`
judges only for what a new record lacks; bad or taken ids are refused, files never
overwritten."""

from __future__ import annotations

import datetime
import json

import pytest
import yaml

from conftest import make_site, northstar, on_a_terminal, tree
from mkdocs_northstar.read.front_matter import split_front_matter


def diagnostics_for(root, path: str) -> list[dict]:
    result = northstar(root, "check", "--format", "json")
    return [d for d in json.loads(result.stdout)["diagnostics"] if d["file"] == path]


def front_matter(path) -> dict:
    matter, _, _ = split_front_matter(path.read_text(encoding="utf-8"))
    return yaml.safe_load(matter)


def test_new_plan_with_a_theme_is_clean(clean_site):
    result = northstar(clean_site, "new", "plan", "x", "--theme", "better-search", "--team", "search")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "plans/search/x.md"
    assert front_matter(clean_site / "plans/search/x.md") == {
        "title": "X", "themes": ["better-search"], "status": "proposed"}
    assert diagnostics_for(clean_site, "plans/search/x.md") == []
    check = northstar(clean_site, "check")
    assert check.returncode == 0, check.stdout


def test_new_plan_without_a_team_sits_at_the_top(clean_site):
    result = northstar(clean_site, "new", "plan", "x", "--theme", "loyalty")
    assert result.returncode == 0, result.stderr
    assert (clean_site / "plans/x.md").is_file()
    assert "no --team" in result.stderr
    assert diagnostics_for(clean_site, "plans/x.md") == []


MEASURE = ("--metric", "monthly revenue", "--baseline", "100", "--target", "150")


@pytest.mark.parametrize("args, message", [
    (["plan", "lonely", "--team", "growth"], "a plan needs a theme, or `northstar check` fails (unlinked-plan): "
                                             "give --theme, or run on a terminal to be asked"),
    (["theme", "lonely"], "a theme needs an objective it serves, or `northstar check` fails (unlinked-theme): "
                          "give --objective"),
    (["objective", "lonely"], "an objective needs a metric, a baseline and a target, or `northstar check` fails "
                              "(unmeasurable-objective): give --metric, --baseline and --target"),
    (["objective", "lonely", "--metric", "revenue", "--target", "3"], "give --baseline, or run"),
])
def test_off_a_terminal_what_check_needs_is_refused(clean_site, args, message):
    # The tests' stdin is not a terminal, as in CI or a script: nothing is asked, nothing written.
    before = tree(clean_site)
    result = northstar(clean_site, "new", *args)
    assert result.returncode == 2
    assert result.stderr.startswith("northstar: error: ") and message in result.stderr
    assert tree(clean_site) == before


def test_new_objective_and_theme_report_what_they_lack(clean_site):
    result = northstar(clean_site, "new", "objective", "revenue", "--title", 'Grow "revenue": € & more',
                       "--period", "2025-Q3", "--parent", "find-fast", "--owner", "Grace",
                       "--metric", 'revenue "net"', "--baseline", "1.5", "--target", "2e3", "--unit", "€")
    assert result.returncode == 0, result.stderr
    path = clean_site / "plans/objectives/revenue.md"
    text = path.read_text(encoding="utf-8")
    assert "# current:" in text  # guidance for the author
    assert front_matter(path) == {"title": 'Grow "revenue": € & more', "owner": "Grace",
                                  "period": "2025-Q3", "parent": "find-fast", "metric": 'revenue "net"',
                                  "baseline": 1.5, "target": 2000.0, "unit": "€"}
    found = {d["rule"] for d in diagnostics_for(clean_site, "plans/objectives/revenue.md")}
    assert found == {"uncovered-objective"}  # a warning: nothing serves it yet

    assert northstar(clean_site, "new", "theme", "growth", "--objective", "revenue").returncode == 0
    found = {d["rule"] for d in diagnostics_for(clean_site, "plans/themes/growth.md")}
    assert found == {"missing-narrative", "empty-theme"}
    assert front_matter(clean_site / "plans/themes/growth.md") == {"title": "Growth", "objectives": ["revenue"]}


def test_new_objective_defaults_to_this_year(clean_site):
    assert northstar(clean_site, "new", "objective", "speed", *MEASURE).returncode == 0
    assert front_matter(clean_site / "plans/objectives/speed.md")["baseline"] == 100  # an integer stays one
    period = front_matter(clean_site / "plans/objectives/speed.md")["period"]
    assert period == datetime.date.today().year


@pytest.mark.parametrize("args, message", [
    (["plan", "Bad_Id"], "not a valid id"),
    (["plan", "x", "--theme", "better-serch"], "did you mean 'better-search'"),
    (["plan", "x", "--theme", "find-fast"], "is an objective, not a theme"),
    (["plan", "x", "--theme", "loyalty", "--objective", "nothing-like-it"], "northstar new objective nothing-like-it"),
    (["objective", "x", *MEASURE[:4], "--target", "100"], "--target must differ from --baseline (100)"),
    (["objective", "x", *MEASURE[:4], "--target", "lots"], "'lots' is not a number"),
    (["objective", "x", *MEASURE[:4], "--target", "nan"], "'nan' is not a number"),
    (["plan", "x", "--theme", "loyalty", "--metric", "m"], "--metric does not apply to a plan"),
    (["theme", "x", "--team", "search"], "--team does not apply to a theme"),
    (["objective", "x", "--theme", "loyalty"], "--theme does not apply to an objective"),
    (["objective", "x", "--period", "2025-Q5"], "is not YYYY"),
    (["plan", "x", "--team", "objectives"], "cannot be a folder name"),
    (["plan", "x", "--team", "../elsewhere"], "cannot be a folder name"),
    (["epic", "x"], "Invalid value"),
])
def test_bad_arguments_exit_2_and_write_nothing(clean_site, args, message):
    before = tree(clean_site)
    result = northstar(clean_site, "new", *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(clean_site) == before


def test_a_taken_id_exits_1_whatever_the_kind(clean_site):
    before = tree(clean_site)
    for kind in ("objective", "theme", "plan"):
        result = northstar(clean_site, "new", kind, "ranking", "--team", "search") if kind == "plan" else \
            northstar(clean_site, "new", kind, "ranking")
        assert result.returncode == 1, result.stderr
        assert "id 'ranking' is taken by plans/search/ranking.md" in result.stderr
    assert tree(clean_site) == before


def test_an_existing_file_is_never_overwritten(clean_site):
    # The file's own id differs from its stem, so the id is free but the file is not.
    (clean_site / "plans/growth/promo.md").write_text("---\nid: promo-2025\ntitle: Promo\nthemes: [loyalty]\n---\n")
    before = tree(clean_site)
    result = northstar(clean_site, "new", "plan", "promo", "--team", "growth", "--theme", "loyalty")
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert tree(clean_site) == before


def test_new_works_before_the_plans_folder_exists(tmp_path):
    make_site(tmp_path, plans={})
    (tmp_path / "plans").rmdir()
    result = northstar(tmp_path, "new", "objective", "first", "--period", "2026", *MEASURE)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "plans/objectives/first.md").is_file()


def test_on_a_terminal_an_objective_asks_for_its_measure(clean_site):
    code, screen = on_a_terminal(clean_site, ["new", "objective", "speed", "--unit", "s"],
                                 ["median search time", "40", "40", "20"])
    assert code == 0, screen
    assert "Metric (what is measured):" in screen and "Baseline" in screen
    assert "Target (different from the baseline):" in screen  # 40 again was refused
    assert front_matter(clean_site / "plans/objectives/speed.md") == {
        "title": "Speed", "period": datetime.date.today().year, "metric": "median search time",
        "baseline": 40, "target": 20, "unit": "s"}
    assert diagnostics_for(clean_site, "plans/objectives/speed.md")[0]["rule"] == "uncovered-objective"


def test_on_a_terminal_a_plan_asks_for_a_theme_among_the_existing_ones(clean_site):
    code, screen = on_a_terminal(clean_site, ["new", "plan", "x", "--team", "search"], ["nope", "loyalty"])
    assert code == 0, screen
    assert "Existing themes: better-search, loyalty" in screen
    assert "'nope' is not one of" in screen  # asked again
    assert front_matter(clean_site / "plans/search/x.md")["themes"] == ["loyalty"]
    assert diagnostics_for(clean_site, "plans/search/x.md") == []


def test_on_a_terminal_without_any_theme_the_plan_is_refused(tmp_path):
    make_site(tmp_path, plans={})
    code, screen = on_a_terminal(tmp_path, ["new", "plan", "x"], [])
    assert code == 2
    assert "there is no theme yet" in screen and "northstar new theme ID" in screen
    assert not (tmp_path / "plans/x.md").exists()
