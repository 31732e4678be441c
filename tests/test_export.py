"""`northstar export`: the whole graph as JSON (version 1) or CSV, for other tools."""

from __future__ import annotations

import csv
import io
import json

from conftest import CLEAN_PLANS, make_site, northstar

# Which link of the other record mirrors each link (parent <-> children and so on).
MIRROR = {
    ("objective", "parent"): "children", ("objective", "children"): "parent",
    ("theme", "objectives"): "themes", ("objective", "themes"): "objectives",
    ("plan", "themes"): "plans", ("theme", "plans"): "themes",
    ("plan", "objectives"): "plans", ("objective", "plans"): "objectives",
    ("plan", "depends_on"): "needed_by", ("plan", "needed_by"): "depends_on",
    ("plan", "serves"): "served_by", ("objective", "served_by"): "serves",
}


def export(root, *args) -> dict:
    result = northstar(root, "export", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def by_ref(document: dict) -> dict[str, dict]:
    return {record["ref"]: record for record in document["records"]}


def test_json_export_holds_records_fields_and_links(clean_site):
    document = export(clean_site)
    assert document["version"] == 1
    check = json.loads(northstar(clean_site, "check", "--format", "json").stdout)
    assert document["summary"] == check["summary"]
    assert document["diagnostics"] == check["diagnostics"] == []

    assert [(r["kind"], r["file"]) for r in document["records"]] == [
        ("objective", "plans/objectives/find-fast.md"), ("objective", "plans/objectives/retain.md"),
        ("theme", "plans/themes/better-search.md"), ("theme", "plans/themes/loyalty.md"),
        ("plan", "plans/growth/rewards.md"), ("plan", "plans/search/index-speed.md"),
        ("plan", "plans/search/ranking.md")]

    records = by_ref(document)
    ranking = records["ranking"]
    assert ranking["title"] == "Ranking by relevance"
    assert ranking["team"] == "search" and ranking["status"] == "in-progress"
    assert ranking["fields"]["effort"] == 3
    assert ranking["fields"]["links"] == ["https://tracker.example/SEARCH-1"]
    assert ranking["fields"]["tags"] == ["search", "ranking"]
    assert ranking["page"] == "strategy/plans/ranking.md"
    assert ranking["period"] == "2025"  # inherited through its theme's objective
    assert ranking["links"]["themes"] == ["better-search"]
    assert ranking["links"]["serves"] == ["find-fast"]
    assert ranking["links"]["needed_by"] == ["index-speed"]
    assert "Rank results by what shoppers click" in ranking["body"]

    assert records["find-fast"]["progress"] == 0.5
    assert records["find-fast"]["links"]["children"] == ["retain"]
    assert records["retain"]["links"]["parent"] == ["find-fast"]
    assert records["retain"]["title"] == "Keep shoppers coming back"
    assert records["better-search"]["links"]["plans"] == ["index-speed", "ranking"]
    assert records["find-fast"]["links"]["served_by"] == ["index-speed", "ranking"]


def test_every_link_is_there_both_ways(clean_site):
    records = by_ref(export(clean_site))
    links_seen = 0
    for ref, record in records.items():
        for name, targets in record["links"].items():
            for target in targets:
                other = records[target]
                mirror = MIRROR[(record["kind"], name)]
                assert ref in other["links"][mirror], (ref, name, target)
                links_seen += 1
    assert links_seen >= 20


def test_coverage_is_exported(clean_site):
    coverage = export(clean_site)["coverage"]
    assert coverage["linked_effort"] == {"part": 6, "whole": 6, "ratio": 1.0}
    assert coverage["covered_objectives"]["ratio"] == 1.0
    assert {"objective": "find-fast", "theme": "better-search", "plans": 2} in coverage["matrix"]
    find_fast = next(entry for entry in coverage["objectives"] if entry["ref"] == "find-fast")
    assert find_fast["plans"] == ["index-speed", "ranking"] and find_fast["effort"] == 4
    assert find_fast["status"]["plans"]["done"] == 1
    search = next(team for team in coverage["teams"] if team["team"] == "search")
    assert search["plans"] == ["index-speed", "ranking"] and search["objectives"] == ["find-fast"]
    assert coverage["unlinked_plans"] == coverage["empty_themes"] == []


def test_diagnostics_and_broken_records_are_exported(tmp_path):
    plans = {**CLEAN_PLANS,
             "plans/search/stray.md": "---\ntitle: Stray\nstatus: in-progress\n---\n",
             "plans/search/Broken File.md": "no front matter here\n"}
    make_site(tmp_path, plans)
    result = northstar(tmp_path, "export")
    assert result.returncode == 0  # errors are part of the export, not a failure of it
    document = json.loads(result.stdout)
    records = by_ref(document)
    assert records["stray"]["linked"] is False and records["stray"]["errors"] == 1
    assert "stray" in document["coverage"]["unlinked_plans"]
    broken = next(r for r in document["records"] if r["file"] == "plans/search/Broken File.md")
    assert broken["broken"] is True and broken["id"] is None and broken["ref"] == "broken-file"
    rules = {(d["file"], d["rule"]) for d in document["diagnostics"]}
    assert ("plans/search/stray.md", "unlinked-plan") in rules
    assert ("plans/search/Broken File.md", "front-matter") in rules


def test_export_is_stable(clean_site):
    first = northstar(clean_site, "export").stdout
    (clean_site / "plans/search/ranking.md").touch()
    assert northstar(clean_site, "export").stdout == first
    assert northstar(clean_site, "export", "--format", "csv").stdout == northstar(
        clean_site, "export", "--format", "csv").stdout


def test_csv_has_one_row_a_record(clean_site):
    result = northstar(clean_site, "export", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    document = export(clean_site)
    assert [row["ref"] for row in rows] == [record["ref"] for record in document["records"]]
    ranking = next(row for row in rows if row["ref"] == "ranking")
    assert ranking["kind"] == "plan" and ranking["team"] == "search" and ranking["effort"] == "3"
    assert ranking["themes"] == "better-search" and ranking["needed_by"] == "index-speed"
    assert ranking["tags"] == "search;ranking" and ranking["links"] == "https://tracker.example/SEARCH-1"
    assert ranking["linked"] == "true" and ranking["errors"] == "0"
    find_fast = next(row for row in rows if row["ref"] == "find-fast")
    assert find_fast["baseline"] == "40" and find_fast["progress"] == "0.5" and find_fast["unit"] == "s"
    assert find_fast["served_by"] == "index-speed;ranking"


def test_csv_text_never_runs_as_a_spreadsheet_formula(tmp_path):
    plans = {**CLEAN_PLANS, "plans/search/ranking.md": CLEAN_PLANS["plans/search/ranking.md"].replace(
        "title: Ranking by relevance", "title: '=HYPERLINK(\"http://evil.example\", \"x\")'")}
    make_site(tmp_path, plans)
    rows = list(csv.DictReader(io.StringIO(northstar(tmp_path, "export", "--format", "csv").stdout)))
    ranking = next(row for row in rows if row["ref"] == "ranking")
    assert ranking["title"] == "'=HYPERLINK(\"http://evil.example\", \"x\")"
    assert next(row for row in rows if row["ref"] == "find-fast")["baseline"] == "40"


def test_output_file_and_bad_config(clean_site):
    result = northstar(clean_site, "export", "--format", "csv", "--output", "strategy.csv")
    assert result.returncode == 0 and result.stdout == ""
    assert (clean_site / "strategy.csv").read_text(encoding="utf-8").startswith("ref,id,kind,title,")
    result = northstar(clean_site, "export", "-f", "missing.yml")
    assert result.returncode == 2 and "does not exist" in result.stderr
