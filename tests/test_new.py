"""`northstar new`: a new record in the right folder, with its links, that `check`
judges only for what a new record lacks; bad or taken ids are refused, files never
overwritten."""

from __future__ import annotations

import datetime
import json

import pytest
import yaml

from conftest import make_site, northstar, tree
from mkdocs_northstar.load import split_front_matter


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


def test_new_plan_without_links_is_reported_only_as_unlinked(clean_site):
    assert northstar(clean_site, "new", "plan", "lonely", "--team", "growth").returncode == 0
    found = diagnostics_for(clean_site, "plans/growth/lonely.md")
    assert [d["rule"] for d in found] == ["unlinked-plan"]


def test_new_objective_and_theme_report_what_they_lack(clean_site):
    result = northstar(clean_site, "new", "objective", "revenue", "--title", 'Grow "revenue": € & more',
                       "--period", "2025-Q3", "--parent", "find-fast", "--owner", "Grace")
    assert result.returncode == 0, result.stderr
    path = clean_site / "plans/objectives/revenue.md"
    text = path.read_text(encoding="utf-8")
    assert "# metric:" in text and "# baseline:" in text and "# target:" in text  # guidance for the author
    assert front_matter(path) == {"title": 'Grow "revenue": € & more', "owner": "Grace",
                                  "period": "2025-Q3", "parent": "find-fast"}
    found = {d["rule"] for d in diagnostics_for(clean_site, "plans/objectives/revenue.md")}
    assert found == {"unmeasurable-objective", "uncovered-objective"}

    assert northstar(clean_site, "new", "theme", "growth", "--objective", "revenue").returncode == 0
    found = {d["rule"] for d in diagnostics_for(clean_site, "plans/themes/growth.md")}
    assert found == {"missing-narrative", "empty-theme"}
    assert front_matter(clean_site / "plans/themes/growth.md") == {"title": "Growth", "objectives": ["revenue"]}


def test_new_objective_defaults_to_this_year(clean_site):
    assert northstar(clean_site, "new", "objective", "speed").returncode == 0
    period = front_matter(clean_site / "plans/objectives/speed.md")["period"]
    assert period == datetime.date.today().year


@pytest.mark.parametrize("args, message", [
    (["plan", "Bad_Id"], "not a valid id"),
    (["plan", "x", "--theme", "better-serch"], "did you mean 'better-search'"),
    (["plan", "x", "--theme", "find-fast"], "is an objective, not a theme"),
    (["plan", "x", "--objective", "nothing-like-it"], "northstar new objective nothing-like-it"),
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
    result = northstar(tmp_path, "new", "objective", "first", "--period", "2026")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "plans/objectives/first.md").is_file()
