"""The SVG maps: what they draw, what they fold, and how they escape (render/maps.py)."""

from __future__ import annotations

from conftest import analyse_site, make_site
from mkdocs_northstar.render import maps
from mkdocs_northstar.render.pages import render_pages


def test_xml_escaping_drops_characters_xml_forbids():
    assert maps.xml('a\x01<b>"\x7f') == "a&lt;b&gt;&quot;"


def _many_plans(count: int, themes: int = 10) -> dict[str, str]:
    files = {"plans/objectives/grow.md": "---\ntitle: Grow\nmetric: m\nbaseline: 0\ntarget: 10\nperiod: 2025\n---\n"}
    for index in range(themes):
        files[f"plans/themes/t{index}.md"] = f"---\ntitle: Theme {index}\nobjectives: [grow]\n---\nWhy.\n"
    statuses = ("proposed", "planned", "in-progress", "done", "dropped")
    for index in range(count):
        files[f"plans/team{index % 7}/p{index}.md"] = (
            f"---\ntitle: Plan {index}\nthemes: [t{index % themes}]\nstatus: {statuses[index // themes % 5]}\n"
            f"effort: {1 + index % 4}\n---\n")
    return files


def test_maps_draw_each_plan_up_to_the_limit(tmp_path):
    make_site(tmp_path, _many_plans(maps.FULL_LIMIT))
    strategy = analyse_site(tmp_path).strategy
    diagram = maps.strategy_map(strategy, lambda page: page)
    assert [len(column) for column in diagram.columns] == [1, 10, maps.FULL_LIMIT]
    assert all(box.kind == "plan" for box in diagram.columns[2])


def test_maps_count_plans_per_theme_past_the_limit(tmp_path):
    make_site(tmp_path, _many_plans(500))
    strategy = analyse_site(tmp_path).strategy
    for diagram in (maps.strategy_map(strategy, lambda page: page),
                    maps.objective_map(strategy.by_id["grow"], lambda page: page)):
        assert [len(column) for column in diagram.columns] == [1, 10, 10]
        aggregates = diagram.columns[2]
        assert all(box.kind == "aggregate" for box in aggregates)
        assert sum(int(box.label.split()[0]) for box in aggregates) == 500
        assert aggregates[0].href == "themes/t0.md"
        assert aggregates[0].detail == "10 done · 10 in progress · 20 to do"
        assert aggregates[0].tooltip.endswith("10 proposed, 10 planned, 10 in-progress, 10 done, 10 dropped")
    drawn = maps.svg(diagram)
    assert len(drawn) < 20_000 and drawn.count("<a ") == 21


def test_too_many_themes_fold_the_map_into_tables(tmp_path):
    make_site(tmp_path, _many_plans(maps.FULL_LIMIT + 1, themes=maps.FULL_LIMIT + 1))
    analysis = analyse_site(tmp_path)
    assert maps.strategy_map(analysis.strategy, lambda page: page) is None
    overview = render_pages(analysis)["index.md"]
    assert "Too large to draw" in overview and "northstar-map" not in overview
