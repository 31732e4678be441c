"""Outcomes over time (contract v1.1) through the whole pipeline: real sites built with
MkDocs, `northstar check`, `export` and `diff` run as a user runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from conftest import MKDOCS_YML, make_site, mkdocs_build, northstar

# Judged on 2026-03-31 (90 of the 181 days of 2026-H1 elapsed: expected progress 0.497).
CONFIG = MKDOCS_YML.replace("  - northstar\n", "  - northstar:\n      as_of: 2026-03-31\n")

SPEED = """\
    ---
    title: Pages load fast
    period: 2026-H1
    key_results:
      - id: load-time
        metric: median page load
        unit: s
        baseline: 4
        target: 2
        weight: 2
        measurements:
          - {date: 2026-01-05, value: 3.9}
          - {date: 2026-02-02, value: 3.4}
          - {date: 2026-03-02, value: 3.0, note: cache warmed}
          - {date: 2026-03-30, value: 2.8, note: images resized}
      - id: errors
        metric: error rate
        direction: stay-below
        target: 1
        unit: "%"
        measurements: errors.csv
      - id: budget
        milestone: publish the performance budget
        done: 2026-02-10
    ---
    Speed sells.
    """
ERRORS_CSV = "date,value,note\n2026-01-05,1.4,\n2026-02-02,0.9,fixed retries\n2026-03-02,0.8,\n"
# Off track: 10 % of the way when half the period is gone.
SIGNUPS = """\
    ---
    title: More signups
    period: 2026-H1
    metric: weekly signups
    baseline: 100
    target: 200
    measurements:
      - {date: 2026-01-12, value: 100}
      - {date: 2026-03-23, value: 110}
    ---
    """
# Ended: score = clamped progress (150 % → 1.0).
LAST_YEAR = """\
    ---
    title: Ship the app
    period: 2025-H2
    metric: app installs
    baseline: 0
    target: 1000
    current: 1500
    ---
    """
PLANS = {
    "plans/objectives/speed.md": SPEED,
    "plans/objectives/errors.csv": ERRORS_CSV,
    "plans/objectives/signups.md": SIGNUPS,
    "plans/objectives/last-year.md": LAST_YEAR,
    "plans/themes/fast.md": "---\ntitle: Fast\nobjectives: [speed, signups, last-year]\n---\nWhy.\n",
    "plans/web/cdn.md": "---\ntitle: CDN\nthemes: [fast]\nstatus: in-progress\n---\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = make_site(tmp_path_factory.mktemp("outcomes"), PLANS, config=CONFIG)
    result = mkdocs_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    return root


def _records(root: Path, *args: str) -> dict:
    result = northstar(root, "export", *args)
    assert result.returncode == 0, result.stderr
    return {record["id"]: record for record in json.loads(result.stdout)["records"]}


def test_objective_page_leads_with_key_results_and_their_charts(site):
    page = (site / "site/strategy/objectives/speed/index.html").read_text()
    assert page.index("northstar-key-results") < page.index('id="strategy-map"')
    charts = re.findall(r'<figure class="northstar-chart[^"]*">.*?</figure>', page, re.S)
    assert len(charts) == 3  # two metrics and the milestone
    load_time = charts[0]
    assert len(re.findall(r'<circle class="northstar-chart__point"', load_time)) == 4
    assert 'class="northstar-chart__target"' in load_time and 'class="northstar-chart__expected"' in load_time
    assert "2026-03-30: 2.8 s (images resized)" in load_time
    assert len(re.findall(r'<circle class="northstar-chart__point"', charts[1])) == 3  # from the CSV file
    assert "done on 2026-02-10" in charts[2]
    # Each key result's progress (unclamped) and health, and its latest note.
    assert 'data-progress="0.6"' in page and "northstar-health--on-track" in page
    assert "Latest check-in, 2026-03-30: 2.8 s: “images resized”" in page


def test_search_finds_an_objective_by_the_words_of_its_key_results(site):
    # The key results go to the index as words only (their charts' markup would cost it
    # a thousand tags per objective): their notes and health are still found.
    index = json.loads((site / "site/search/search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("strategy/objectives/speed/"))
    assert "images resized" in text and "on track" in text and "median page load" in text


def test_overview_puts_the_worst_health_first_with_chips_and_sparklines(site):
    page = (site / "site/strategy/index.html").read_text()
    cards = page[page.index('id="where-each-objective-stands"'):page.index('id="latest-check-ins"')]
    chips = re.findall(r'northstar-health--([a-z-]+)"', cards)
    assert chips == ["off-track", "on-track", "ended"]
    assert "northstar-sparkline" in cards
    checkins = page[page.index('id="latest-check-ins"'):page.index('id="strategy-map"')]
    assert checkins.index("2026-03-30") < checkins.index("2026-03-23") < checkins.index("2026-03-02")


def test_narrative_shows_the_scores_of_an_ended_period(site):
    page = (site / "site/strategy/narrative/index.html").read_text()
    section = page[page.index('id="2025-h2"'):]
    assert "The period has ended" in section and ">100 %<" in section.replace("100%", "100 %")


def test_export_carries_progress_health_score_forecast_and_key_results(site):
    records = _records(site)
    speed = records["speed"]
    # (0.6 × 2 + 1 + 1) / 4: load time 60 % with weight 2, error rate kept below 1 %, milestone done.
    assert speed["progress"] == pytest.approx(0.8)
    assert speed["health"] == "on-track" and speed["score"] is None
    load_time, errors, budget = speed["key_results"]
    assert load_time == {**load_time, "id": "load-time", "kind": "metric", "direction": "decrease", "baseline": 4,
                         "target": 2, "current": 2.8, "progress": pytest.approx(0.6), "weight": 2, "done": None,
                         "health": "on-track"}
    assert load_time["measurements"][-1] == {"date": "2026-03-30", "value": 2.8, "note": "images resized"}
    assert load_time["forecast"] < 2.8  # the trend goes on down
    assert errors["direction"] == "stay-below" and errors["progress"] == 1 and len(errors["measurements"]) == 3
    assert budget == {**budget, "kind": "milestone", "done": "2026-02-10", "progress": 1}
    signups = records["signups"]
    assert signups["progress"] == pytest.approx(0.1) and signups["health"] == "off-track"
    last_year = records["last-year"]
    # Unclamped per key result, clamped for the objective and its score.
    assert last_year["key_results"][0]["progress"] == 1.5
    assert last_year["progress"] == 1 and last_year["score"] == 1 and last_year["health"] == "ended"


def test_as_of_option_and_health_thresholds(site, tmp_path):
    # On 2026-01-31 signups (10 % against 16.6 % expected: 0.6 of it) are at risk with at_risk 0.5.
    config = CONFIG.replace("as_of: 2026-03-31", "as_of: 2026-03-31\n      health: {on_track: 0.9, at_risk: 0.05}")
    root = make_site(tmp_path, PLANS, config=config)
    assert _records(root)["signups"]["health"] == "at-risk"
    assert _records(root, "--as-of", "2025-12-01")["signups"]["health"] == "not-started"
    assert _records(root, "--as-of", "2026-07-01")["signups"]["score"] == pytest.approx(0.1)
    bad = northstar(root, "export", "--as-of", "2026-13-01")
    assert bad.returncode == 2 and "is not a date" in bad.stderr


def test_parent_without_key_results_rolls_up_its_children(tmp_path):
    plans = {**PLANS,
             "plans/objectives/company.md": "---\ntitle: Company grows\nperiod: 2026-H1\n---\n",
             "plans/objectives/speed.md": SPEED.replace("period: 2026-H1\n", "period: 2026-H1\n    parent: company\n"),
             "plans/objectives/signups.md": SIGNUPS.replace("period: 2026-H1\n",
                                                            "period: 2026-H1\n    parent: company\n")}
    plans["plans/themes/fast.md"] = plans["plans/themes/fast.md"].replace("last-year]", "last-year, company]")
    root = make_site(tmp_path, plans, config=CONFIG)
    result = mkdocs_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    company = _records(root)["company"]
    assert company["progress"] == pytest.approx((0.8 + 0.1) / 2) and company["rolled_up"] is True
    page = (root / "site/strategy/objectives/company/index.html").read_text()
    assert "mean of its child objectives" in page


BAD_INPUT = {
    "csv missing": ("measurements: gone.csv", {}, [("plans/objectives/o.md", 8, "'plans/objectives/gone.csv' does not exist")]),
    "not utf-8": ("measurements: m.csv", {"plans/objectives/m.csv": b"date,value\n2026-01-05,1\n2026-02-02,\xff\n"},
                  [("plans/objectives/m.csv", 3, "not UTF-8")]),
    "no value column": ("measurements: m.csv", {"plans/objectives/m.csv": "date,amount\n2026-01-05,1\n"},
                        [("plans/objectives/m.csv", 1, "value")]),
    "bad date": ("measurements: m.csv", {"plans/objectives/m.csv": "date,value\n2026-01-05,1\n2026-02-30,2\n"},
                 [("plans/objectives/m.csv", 3, "2026-02-30")]),
    "non-numeric value": ("measurements: m.csv", {"plans/objectives/m.csv": "date,value\n2026-01-05,1\n2026-02-02,lots\n"},
                          [("plans/objectives/m.csv", 3, "lots")]),
    "duplicate date": ("measurements: m.csv", {"plans/objectives/m.csv": "date,value\n2026-01-05,1\n2026-01-05,2\n"},
                       [("plans/objectives/m.csv", 3, "two measurements on 2026-01-05")]),
    "unknown key_result": ("measurements: m.csv",
                           {"plans/objectives/m.csv": "date,value,key_result\n2026-01-05,1,kr-9\n"},
                           [("plans/objectives/m.csv", 2, "key_result 'kr-9'")]),
    "path leaving plans_dir": ("measurements: ../../mkdocs.yml", {}, [("plans/objectives/o.md", 8, "outside the plans folder")]),
    "current disagrees": ("current: 9\n    measurements:\n      - {date: 2026-01-05, value: 5}", {},
                          [("plans/objectives/o.md", 8, "current is 9 but the latest measurement (2026-01-05) is 5")]),
}
OBJECTIVE = "---\ntitle: O\nperiod: 2026-H1\nkey_results:\n  - metric: m\n    baseline: 1\n    target: 10\n    {extra}\n---\n"


def _check(root: Path) -> list[dict]:
    result = northstar(root, "check", "--format", "json")
    return json.loads(result.stdout)["diagnostics"]


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_is_one_diagnostic_with_file_and_line_and_the_rest_still_builds(tmp_path, case):
    extra, files, expected = BAD_INPUT[case]
    text = OBJECTIVE.replace("{extra}", extra.replace("\n    ", "\n    "))
    plans = {**PLANS, "plans/objectives/o.md": text, **files}
    plans["plans/themes/fast.md"] = plans["plans/themes/fast.md"].replace("last-year]", "last-year, o]")
    root = make_site(tmp_path, plans, config=CONFIG)
    found = [(d["file"], d["line"], d["message"]) for d in _check(root) if d["severity"] == "error"]
    assert len(found) == len(expected), found
    for (file, line, message), (want_file, want_line, want_words) in zip(found, expected):
        assert (file, line) == (want_file, want_line) and want_words in message, found
    assert _records(root)["speed"]["progress"] == pytest.approx(0.8)  # every other record still counts


@pytest.mark.parametrize("key_result, line, words", [
    ("  - metric: m\n    direction: stay-above", 6, "stay-above needs a target"),
    ("  - milestone: launch\n    done: soon", 6, "done: expected true, false or a date"),
    ("  - metric: m\n    milestone: launch", 5, "a metric or a milestone, not both"),
])
def test_bad_key_results_name_their_line(tmp_path, key_result, line, words):
    plans = {**PLANS, "plans/objectives/o.md": f"---\ntitle: O\nperiod: 2026-H1\nkey_results:\n{key_result}\n---\n"}
    plans["plans/themes/fast.md"] = plans["plans/themes/fast.md"].replace("last-year]", "last-year, o]")
    root = make_site(tmp_path, plans, config=CONFIG)
    found = [(d["file"], d["line"], d["message"]) for d in _check(root) if d["rule"] == "schema"]
    assert len(found) == 1 and found[0][:2] == ("plans/objectives/o.md", line) and words in found[0][2], found


def test_diff_names_new_measurements_and_changed_health(tmp_path):
    root = make_site(tmp_path, PLANS, config=CONFIG)
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "base"]):
        subprocess.run(["git", *command], cwd=root, check=True)
    signups = root / "plans/objectives/signups.md"
    text = signups.read_text()
    assert "  - {date: 2026-03-23, value: 110}\n" in text
    signups.write_text(text.replace("  - {date: 2026-03-23, value: 110}\n",
                                    "  - {date: 2026-03-23, value: 110}\n  - {date: 2026-03-30, value: 160}\n"))
    result = northstar(root, "diff", "HEAD", "--format", "json")
    outcomes = json.loads(result.stdout)["outcomes"]
    assert outcomes["key_results"] == [{"id": "signups", "key_result": "kr-1", "title": "weekly signups", "unit": None,
                                        "measurements": [{"date": "2026-03-30", "value": 160, "note": None}],
                                        "before": 110, "after": 160, "health_before": "off-track",
                                        "health_after": "on-track"}]
    assert outcomes["health"] == [{"id": "signups", "title": "More signups", "before": "off-track", "after": "on-track"}]
    markdown = northstar(root, "diff", "HEAD", "--format", "markdown").stdout
    assert "weekly signups: 110 → 160, off-track → on-track (1 measurement added)" in markdown
    text = northstar(root, "diff", "HEAD", "--format", "text").stdout
    assert "weekly signups: 110 -> 160, off-track -> on-track" in text


def test_a_v1_strategy_builds_as_before(tmp_path):
    root = make_site(tmp_path)  # CLEAN_PLANS
    result = mkdocs_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    find_fast = _records(root)["find-fast"]
    assert find_fast["progress"] == pytest.approx(0.5)  # (30 − 40) / (20 − 40), as in v1
    assert find_fast["key_results"][0]["id"] == "kr-1" and find_fast["health"] == "on-track"


def test_the_json_schema_covers_the_new_keys(tmp_path):
    schema = json.loads(northstar(tmp_path, "schema").stdout)
    text = json.dumps(schema)
    assert '"key_results"' in text and '"measurements"' in text and "stay-below" in text


def test_record_adds_a_check_in_the_integrated_model_reads(tmp_path):
    root = make_site(tmp_path, PLANS, config=CONFIG)
    # errors.csv has no key_result column: only one key result names it.
    result = northstar(root, "record", "speed/errors", "1.2", "--date", "2026-03-30", "--note", "a bad deploy")
    assert result.returncode == 0, result.stderr
    assert (root / "plans/objectives/errors.csv").read_text().endswith("2026-03-30,1.2,a bad deploy\n")
    errors = _records(root)["speed"]["key_results"][1]
    assert errors["current"] == 1.2 and errors["progress"] == 0 and errors["health"] == "off-track"
    assert northstar(root, "check").returncode == 0


def test_a_cached_verdict_does_not_outlive_a_changed_csv_file(tmp_path):
    root = make_site(tmp_path, PLANS, config=CONFIG)
    an_hour_ago = time.time() - 3600  # older than a racy stamp: the verdict is kept and reused
    for path in (root / "plans").rglob("*.*"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    assert northstar(root, "check").returncode == 0
    assert northstar(root, "check").returncode == 0  # the stored verdict
    csv_file = root / "plans/objectives/errors.csv"
    csv_file.write_text(csv_file.read_text() + "2026-03-09,lots,\n")
    os.utime(csv_file, (an_hour_ago + 60, an_hour_ago + 60))
    result = northstar(root, "check")
    assert result.returncode == 1 and "plans/objectives/errors.csv:5: error: [schema]" in result.stdout, result.stdout
