"""Key results, measurements, progress, health, score and forecast (contract v1.1)."""

from __future__ import annotations

import datetime
import textwrap

import pytest
import yaml
from hypothesis import given, strategies as st

from mkdocs_northstar.read.front_matter import parse_yaml
from mkdocs_northstar.outcomes import (
    KeyResult, Measurement, default_as_of, expected_progress, forecast, health, incomplete, key_results_of,
    nested_key_lines, objective_progress, overdue, period_bounds, rolled_up, score, stale)

D = datetime.date


def front(text: str, read_csv=None):
    """Key results and problems of front matter as a plan file holds it (its first key on line 2)."""
    matter = "\n" + textwrap.dedent(text)  # the newline ending the opening '---'
    data, lines, _ = parse_yaml(matter, first_line=1)
    lines.update(nested_key_lines(yaml.compose(matter), first_line=1))
    return key_results_of(data, lines, read_csv)


def messages(problems):
    return [(p.line, p.message) for p in problems]


def test_v1_shorthand_is_one_key_result():
    krs, problems = front("""\
        metric: median time to find
        baseline: 40
        target: 20
        current: 30
        unit: s
        """)
    assert problems == []
    [kr] = krs
    assert (kr.id, kr.title, kr.kind, kr.direction, kr.value, kr.progress) == (
        "kr-1", "median time to find", "metric", "decrease", 30, 0.5)


def test_shorthand_measurements_make_the_latest_the_value_and_are_ordered():
    krs, problems = front("""\
        metric: signups
        baseline: 100
        target: 200
        measurements:
          - {date: 2026-03-01, value: 150, note: spring}
          - {date: 2026-02-01, value: 120}
        """)
    assert problems == []
    [kr] = krs
    assert [m.date for m in kr.measurements] == [D(2026, 2, 1), D(2026, 3, 1)]
    assert kr.value == 150 and kr.progress == 0.5
    assert kr.measurements[1].note == "spring" and kr.measurements[1].line == 6


def test_both_ways_of_measuring_is_a_schema_problem_at_key_results():
    krs, problems = front("""\
        metric: signups
        target: 3
        key_results:
          - {metric: a, baseline: 0, target: 1}
        """)
    assert krs == []
    [(line, message)] = messages(problems)
    assert line == 4 and "both given" in message and "metric, target" in message


def test_key_results_with_defaults_weights_and_milestone():
    krs, problems = front("""\
        key_results:
          - metric: conversion
            baseline: 2
            target: 3
            current: 4
          - id: launch
            milestone: launch the appdex measure
            done: 2026-02-03
          - metric: uptime
            direction: stay-above
            target: 99.9
            current: 99.0
            weight: 2
        """)
    assert problems == []
    assert [kr.id for kr in krs] == ["kr-1", "launch", "kr-3"]
    assert [kr.kind for kr in krs] == ["metric", "milestone", "metric"]
    assert krs[1].title == "launch the appdex measure" and krs[1].done == D(2026, 2, 3)
    assert [kr.progress for kr in krs] == [2.0, 1.0, 0.0]
    # clamped 1, 1, and 0 weighing 2
    assert objective_progress(krs) == pytest.approx(2 / 4)


@pytest.mark.parametrize("text, line, words", [
    ("key_results:\n  - metric: a\n    targte: 3\n", 4, "unknown key 'targte': did you mean 'target'?"),
    ("key_results:\n  - metric: a\n    target: lots\n", 4, "target: expected a number"),
    ("key_results:\n  - id: A_1\n    metric: a\n", 3, "is not a valid id"),
    ("key_results:\n  - {id: x, metric: a, target: 1, baseline: 0}\n  - {id: x, metric: b, target: 1, baseline: 0}\n",
     4, "already the id of key result 1"),
    ("key_results:\n  - metric: a\n    direction: upwards\n", 4, "'upwards' is not one of increase"),
    ("key_results:\n  - metric: a\n    milestone: b\n", 3, "a metric or a milestone, not both"),
    ("key_results:\n  - metric: a\n    direction: stay-below\n", 4, "stay-below needs a target"),
    ("key_results:\n  - milestone: m\n    done: soon\n", 4, "done: expected true, false or a date"),
    ("key_results:\n  - metric: a\n    weight: 0\n", 4, "weight: expected a number greater than 0"),
    ("key_results:\n  - metric: a\n    measurements:\n      - {date: '2026-13-01', value: 1}\n", 5,
     "is not a date YYYY-MM-DD"),
    ("key_results:\n  - metric: a\n    measurements:\n      - date: '2026-01-02'\n        value: x\n", 6,
     "value: expected a number"),
    ("key_results:\n  - metric: a\n    measurements:\n      - {date: 2026-01-02, value: 1}\n"
     "      - {date: 2026-01-02, value: 2}\n", 6, "two measurements on 2026-01-02 (the first on line 5)"),
    ("key_results:\n  - metric: a\n    current: 5\n    measurements:\n      - {date: 2026-01-02, value: 1}\n", 4,
     "current is 5 but the latest measurement (2026-01-02) is 1"),
    ("key_results:\n  - metric: a\n    measurements:\n      - {dat: 2026-01-02, value: 1}\n", 5,
     "unknown key 'dat': did you mean 'date'?"),
    ("key_results: []\n", 2, "expected a non-empty list"),
])
def test_each_problem_is_at_the_line_of_its_key(text, line, words):
    _, problems = front(text)
    assert any(found == line and words in message for found, message in messages(problems)), messages(problems)


def test_a_date_written_with_a_time_is_refused():
    # YAML would read 2026-01-02 10:00:00 as a datetime, not a day.
    _, problems = front("measurements:\n  - {date: '2026-01-02 10:00', value: 1}\nmetric: a\n")
    assert "is not a date YYYY-MM-DD" in problems[0].message


def test_incomplete_key_results_say_why():
    krs, _ = front("key_results:\n  - metric: a\n  - {metric: b, baseline: 1, target: 1}\n"
                   "  - {metric: c, direction: stay-above, target: 5}\n  - milestone: m\n")
    assert [incomplete(kr) for kr in krs] == [
        "key result 'kr-1' has no target and no baseline", "key result 'kr-2': target equals baseline (1)", None, None]


def test_csv_rows_go_to_their_key_result_and_unknown_ids_are_named():
    def read_csv(name):
        assert name == "data.csv"
        rows = [("speed", Measurement(D(2026, 1, 5), 7, None, 2, "plans/data.csv")),
                ("sped", Measurement(D(2026, 1, 6), 8, None, 3, "plans/data.csv"))]
        return rows, []

    krs, problems = front("key_results:\n  - {id: speed, metric: s, baseline: 10, target: 5, measurements: data.csv}\n", read_csv)
    assert krs[0].value == 7
    [problem] = problems
    assert (problem.file, problem.line) == ("plans/data.csv", 3)
    assert "key_result 'sped' is not a key result of this objective: did you mean 'speed'?" in problem.message


def test_a_csv_refusal_without_a_file_is_at_the_measurements_key():
    from mkdocs_northstar.outcomes import Finding

    _, problems = front("metric: a\nbaseline: 0\ntarget: 1\nmeasurements: ../../etc/passwd\n",
                        read_csv=lambda name: ([], [Finding("schema", 1, "outside")]))
    assert [(p.line, p.file) for p in problems] == [(5, None)]


def test_period_bounds():
    assert period_bounds("2026") == (D(2026, 1, 1), D(2026, 12, 31))
    assert period_bounds(2026) == (D(2026, 1, 1), D(2026, 12, 31))
    assert period_bounds("2026-H1") == (D(2026, 1, 1), D(2026, 6, 30))
    assert period_bounds("2026-H2") == (D(2026, 7, 1), D(2026, 12, 31))
    assert period_bounds("2024-Q1") == (D(2024, 1, 1), D(2024, 3, 31))
    assert period_bounds("2026-Q4") == (D(2026, 10, 1), D(2026, 12, 31))


def test_health_over_a_period():
    # 2026-Q1 has 90 days; by the end of 15 Feb 46 have passed.
    expected = 46 / 90
    assert expected_progress("2026-Q1", D(2026, 2, 15)) == pytest.approx(expected)
    assert health(0.5, "2026-Q1", D(2025, 12, 31)) == "not-started"
    assert health(0.5, "2026-Q1", D(2026, 4, 1)) == "ended"
    assert health(0.9 * expected, "2026-Q1", D(2026, 2, 15)) == "on-track"
    assert health(0.89 * expected, "2026-Q1", D(2026, 2, 15)) == "at-risk"
    assert health(0.7 * expected, "2026-Q1", D(2026, 2, 15)) == "at-risk"
    assert health(0.69 * expected, "2026-Q1", D(2026, 2, 15)) == "off-track"
    assert health(0.1, "2026-Q1", D(2026, 2, 15), reached=True) == "on-track"
    assert health(0.45, "2026-Q1", D(2026, 2, 15), thresholds=(0.8, 0.5)) == "on-track"
    assert health(None, "2026-Q1", D(2026, 2, 15)) is None
    assert health(0.0, "2026-Q1", D(2026, 3, 31)) == "off-track"  # the last day is still under way


def test_score_only_once_ended():
    assert score(1.3, "2026-Q1", D(2026, 3, 31)) is None
    assert score(1.3, "2026-Q1", D(2026, 4, 1)) == 1.0
    assert score(-0.2, "2026-Q1", D(2026, 4, 1)) == 0.0


def kr_with(points, **extra):
    return KeyResult(id="kr-1", title="t", kind="metric", baseline=0, target=100, direction="increase",
                     measurements=[Measurement(day, value, None, 1) for day, value in points], **extra)


@given(st.floats(-50, 50), st.floats(-1000, 1000),
       st.lists(st.integers(0, 89), min_size=2, max_size=10, unique=True))
def test_forecast_on_exact_linear_data_is_the_line_at_the_period_end(slope, intercept, days):
    start = D(2026, 1, 1)
    kr = kr_with([(start + datetime.timedelta(days=day), intercept + slope * day) for day in sorted(days)])
    assert forecast(kr, "2026-Q1", D(2026, 12, 31)) == pytest.approx(intercept + slope * 89, abs=1e-6)


def test_forecast_needs_two_measurements_in_the_period_up_to_as_of():
    kr = kr_with([(D(2025, 12, 1), 1), (D(2026, 1, 10), 5), (D(2026, 2, 10), 9)])
    assert forecast(kr, "2026-Q1", D(2026, 1, 31)) is None
    assert forecast(kr, "2026-Q1", D(2026, 2, 28)) is not None


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
def test_progress_is_zero_at_baseline_one_at_target_and_linear(baseline, target, value):
    if abs(target - baseline) < 1e-3:
        return
    kr = KeyResult(id="k", title="t", kind="metric", baseline=baseline, target=target, current=value)
    assert kr.progress == pytest.approx((value - baseline) / (target - baseline))
    assert KeyResult(id="k", title="t", kind="metric", baseline=baseline, target=target, current=target).progress \
        == pytest.approx(1)
    assert KeyResult(id="k", title="t", kind="metric", baseline=baseline, target=target, current=baseline).progress \
        == 0


@given(st.lists(st.tuples(st.floats(-5, 5), st.floats(0.1, 10)), min_size=1, max_size=6))
def test_objective_progress_stays_in_zero_one(parts):
    krs = [KeyResult(id="k", title="t", kind="metric", baseline=0, target=1, current=p, weight=w) for p, w in parts]
    assert 0 <= objective_progress(krs) <= 1


def test_objective_progress_skips_key_results_without_a_value():
    without = KeyResult(id="a", title="a", kind="metric", baseline=0, target=1)
    assert objective_progress([without]) is None
    assert objective_progress([without, kr_with([(D(2026, 1, 1), 50)])]) == 0.5


def test_stay_below_by_the_latest_value():
    kr = kr_with([(D(2026, 1, 1), 10), (D(2026, 2, 1), 3)], )
    kr.direction, kr.target, kr.baseline = "stay-below", 5, None
    assert kr.progress == 1.0
    kr.measurements.append(Measurement(D(2026, 3, 1), 6, None, 1))
    assert kr.progress == 0.0


def test_stale_and_overdue():
    kr = kr_with([(D(2026, 1, 1), 10)])
    assert not stale(kr, D(2026, 1, 31))
    assert stale(kr, D(2026, 2, 1))
    assert not stale(kr, D(2026, 2, 1), days=45)
    assert not stale(kr, D(2027, 2, 1), period="2026")  # the objective's period is over
    assert overdue("2025-Q4", "in-progress", D(2026, 1, 1))
    assert not overdue("2025-Q4", "in-progress", D(2025, 12, 31))
    assert not overdue("2025-Q4", "done", D(2026, 1, 1)) and not overdue(None, "planned", D(2026, 1, 1))


def test_roll_up_from_children():
    assert rolled_up(None, False, [0.5, None, 1.0]) == 0.75
    assert rolled_up(None, False, [None]) is None
    assert rolled_up(0.2, True, [1.0]) == 0.2


def test_default_as_of_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    assert default_as_of() == D(2026, 1, 1)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert default_as_of() == datetime.date.today()


def test_export_shape():
    kr = kr_with([(D(2026, 1, 1), 10, )])
    data = kr.as_dict()
    assert set(data) >= {"id", "title", "kind", "metric", "unit", "direction", "baseline", "target", "current",
                         "progress", "weight", "done", "measurements"}
    assert data["measurements"] == [{"date": "2026-01-01", "value": 10, "note": None}]


def test_outcomes_imports_neither_mkdocs_nor_markdown():
    import subprocess
    import sys

    code = ("import sys, mkdocs_northstar.outcomes, mkdocs_northstar.read.measurements, mkdocs_northstar.render.charts, "
            "mkdocs_northstar.checkin; print(any(m.split('.')[0] in ('mkdocs', 'markdown') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
