"""Charts of key results: inline SVG with no script, every author's string escaped."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

from mkdocs_northstar.render.charts import health_chip, key_result_chart, sparkline
from mkdocs_northstar.outcomes import KeyResult, Measurement

D = datetime.date
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & \'quoted\''


def metric(points, **extra):
    fields = {"id": "kr-1", "title": "t", "kind": "metric", "metric": "signups", "baseline": 100, "target": 200,
              "direction": "increase", "unit": "users"}
    fields.update(extra)
    return KeyResult(measurements=[Measurement(day, value, note, 3 + i) for i, (day, value, note)
                                   in enumerate(points)], **fields)


def classes(root, name):
    return [element for element in root.iter() if name in (element.get("class") or "").split()]


def chart(kr, as_of=D(2026, 2, 15), title="Signups"):
    return ET.fromstring(key_result_chart(kr, "2026-Q1", as_of, title=title))


def test_chart_shows_points_lines_and_a_values_table():
    kr = metric([(D(2026, 1, 10), 110, None), (D(2026, 1, 31), 125, "after launch"), (D(2026, 2, 10), 140, None)])
    figure = chart(kr)
    assert figure.tag == "figure" and figure.get("class") == "northstar-chart"
    svg = figure.find(f"{SVG}svg")
    assert svg.get("role") == "img" and svg.get("viewBox") == "0 0 640 300" and svg.get("width") == "100%"
    assert svg.find(f"{SVG}title").text == "Signups"
    assert "baseline 100 users" in svg.find(f"{SVG}desc").text
    assert len(classes(svg, "northstar-chart__point")) == 3
    assert len(classes(svg, "northstar-chart__line")[0].get("points").split()) == 3
    for name in ("baseline", "target", "expected", "forecast", "today"):
        assert classes(svg, f"northstar-chart__{name}"), name
    assert [t.text for t in svg.iter(f"{SVG}text") if t.text in ("Jan", "Feb", "Mar")] == ["Jan", "Feb", "Mar"]
    table = classes(figure, "northstar-chart__values")[0]
    rows = [[cell.text for cell in row] for row in table.find("tbody")]
    assert rows[0] == ["2026-01-10", "110 users", None]
    assert rows[1][2] == "after launch" and rows[-1][2] == "forecast"


def test_target_line_sits_above_the_baseline_line_when_increasing():
    svg = chart(metric([(D(2026, 1, 10), 110, None)]))
    target_y = float(classes(svg, "northstar-chart__target")[0].find(f"{SVG}line").get("y1"))
    baseline_y = float(classes(svg, "northstar-chart__baseline")[0].find(f"{SVG}line").get("y1"))
    assert target_y < baseline_y


def test_no_forecast_with_one_measurement_and_no_today_outside_the_period():
    svg = chart(metric([(D(2026, 1, 10), 110, None)]), as_of=D(2026, 6, 1))
    assert not classes(svg, "northstar-chart__forecast") and not classes(svg, "northstar-chart__today")


def test_author_strings_are_escaped_and_nothing_runs():
    kr = metric([(D(2026, 1, 10), 110, HOSTILE), (D(2026, 2, 1), 120, None)], unit=HOSTILE, title=HOSTILE)
    text = key_result_chart(kr, "2026-Q1", D(2026, 2, 15), title=HOSTILE)
    figure = ET.fromstring(text)  # well-formed XML despite the markup in the strings
    assert "<script" not in text and not [e for e in figure.iter() if e.tag.endswith("script")]
    assert figure.find(f"{SVG}svg").find(f"{SVG}title").text == HOSTILE
    assert not any(name.startswith("on") for element in figure.iter() for name in element.attrib)


def test_flat_series_and_stay_below_draw_without_an_expected_path():
    kr = metric([(D(2026, 1, 10), 5, None), (D(2026, 2, 1), 5, None)], baseline=None, target=5,
                direction="stay-below")
    svg = chart(kr)
    assert not classes(svg, "northstar-chart__expected") and classes(svg, "northstar-chart__target")


def test_milestone_is_a_marker_not_a_line():
    kr = KeyResult(id="launch", title="Launch", kind="milestone", milestone="Launch", done=D(2026, 2, 3))
    figure = ET.fromstring(key_result_chart(kr, "2026-Q1", D(2026, 2, 15), title="Launch <b>"))
    assert not classes(figure, "northstar-chart__line") and classes(figure, "northstar-chart__done")
    assert figure.find("figcaption").text == "Launch <b>: done on 2026-02-03"
    kr.done = False
    figure = ET.fromstring(key_result_chart(kr, "2026-Q1", D(2026, 2, 15), title="Launch"))
    assert classes(figure, "northstar-chart__pending") and "not done" in figure.find("figcaption").text


def test_sparkline_and_health_chip():
    line = ET.fromstring(sparkline([1, 3, 2], label="a<b"))
    assert len(line.find(f"{SVG}polyline").get("points").split()) == 3
    assert line.find(f"{SVG}title").text == "a<b: 1, 3, 2"
    assert sparkline([1]) == ""
    chip = ET.fromstring(health_chip("at-risk"))
    assert chip.get("class") == "northstar-health northstar-health--at-risk" and chip.text == "at risk"
    assert health_chip(None) == "" and health_chip("<x>") == ""


def test_every_chart_class_has_a_style():
    from pathlib import Path

    import mkdocs_northstar

    css = (Path(mkdocs_northstar.__file__).parent / "assets" / "northstar.css").read_text()
    for name in ("point", "baseline", "target", "expected", "forecast", "today", "values", "line"):
        assert f".northstar-chart__{name}" in css
