"""The generated pages: which there are, their front matter, escaping in them, and the
compiled templates kept between runs (render/pages.py)."""

from __future__ import annotations

import html
import re

import pytest
import yaml
from mkdocs.utils.meta import get_data

from conftest import CLEAN_PLANS, analyse_plans
from mkdocs_northstar.render.pages import render_pages, template_environment


# --- Generated pages --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def analysis(tmp_path_factory):
    return analyse_plans(tmp_path_factory.mktemp("render"), CLEAN_PLANS)


def test_rendered_pages(analysis):
    pages = render_pages(analysis)
    expected = {"index.md", "coverage.md", "objectives/find-fast.md", "objectives/retain.md",
                "themes/better-search.md", "themes/loyalty.md", "plans/ranking.md",
                "plans/index-speed.md", "plans/rewards.md", "teams/search.md", "teams/growth.md"}
    assert expected <= set(pages)
    assert not [page for page in pages if re.match(r"(objectives|themes|plans|teams)/", page) and page not in expected]


def test_record_page_front_matter_carries_title_and_tags(analysis):
    page = render_pages(analysis)["plans/ranking.md"]
    front = yaml.safe_load(page.split("---\n")[1])
    assert front["title"] == "Ranking by relevance"
    assert front["tags"] == ["search", "ranking"]


def test_each_page_carries_its_front_matter_as_mkdocs_would_read_it(tmp_path):
    # The plugin hands MkDocs `meta` instead of the YAML (pages.RecordPage): it must be
    # what MkDocs' own reader makes of the text, for titles and tags of every kind.
    tricky = "'Quotes \" & <b>tags</b> — «ünïcode» # not a comment: no'"
    plans = {**CLEAN_PLANS,
             "plans/search/ranking.md": CLEAN_PLANS["plans/search/ranking.md"].replace(
                 "title: Ranking by relevance", f"title: {tricky}").replace("tags: [search, ranking]",
                                                                         f"tags: [search, {tricky}, '123', 'yes']")}
    pages = render_pages(analyse_plans(tmp_path, plans))
    for name, text in pages.items():
        assert text.startswith(text.front), name
        assert get_data(text) == (text[len(text.front):].lstrip("\n"), text.meta), name
    ranking = pages["plans/ranking.md"].meta
    assert ranking["title"] == html.escape(yaml.safe_load(tricky), quote=True)
    assert ranking["tags"][2:] == ["123", "yes"]  # strings, as written, not a number or a boolean
    assert pages["roadmap.md"].meta["search"] == {"exclude": True}


def test_hostile_titles_are_escaped_in_pages(tmp_path):
    plans = {**CLEAN_PLANS,
             "plans/search/ranking.md": CLEAN_PLANS["plans/search/ranking.md"].replace(
                 "title: Ranking by relevance", "title: '<img src=x onerror=alert(1)> *now*'")}
    pages = render_pages(analyse_plans(tmp_path, plans))
    for page in ("plans/ranking.md", "themes/better-search.md", "objectives/find-fast.md", "teams/search.md"):
        assert "<img src" not in pages[page], page
        assert "[&#60;img src&#61;x onerror&#61;alert(1)&#62; &#42;now&#42;](" in pages[page] \
            or "# &#60;img src&#61;x onerror&#61;alert(1)&#62; &#42;now&#42;\n" in pages[page] \
            or '/">&lt;img src=x onerror=alert(1)&gt; *now*</a>' in pages[page], page  # listings are raw HTML


def test_compiled_templates_are_kept_and_used_again(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.dont_write_bytecode", False)
    folder = tmp_path / "__pycache__"
    template_environment(folder).get_template("plan.md.j2")
    assert len(list(folder.iterdir())) == 1

    # A second process loads the compiled code: Jinja does not compile the source again.
    second = template_environment(folder)
    monkeypatch.setattr(second, "compile", lambda *args, **kwargs: pytest.fail("compiled again"))
    assert second.get_template("plan.md.j2").name == "plan.md.j2"

    # A damaged entry is compiled again, not trusted.
    entry = next(folder.iterdir())
    entry.write_bytes(entry.read_bytes()[:40])
    third = template_environment(folder)
    compiled = []
    monkeypatch.setattr(third, "compile", _counting_calls(third.compile, compiled))
    third.get_template("plan.md.j2")
    assert len(compiled) == 1


def test_templates_compile_where_nothing_can_be_written(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.dont_write_bytecode", False)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")  # a folder cannot be made here
    assert template_environment(blocked / "__pycache__").get_template("plan.md.j2").name == "plan.md.j2"

    # Told not to write bytecode (PYTHONDONTWRITEBYTECODE), it writes no templates either.
    monkeypatch.setattr("sys.dont_write_bytecode", True)
    folder = tmp_path / "__pycache__"
    template_environment(folder).get_template("plan.md.j2")
    assert not folder.exists()


def _counting_calls(function, calls: list):
    def counted(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)
    return counted


def test_render_diff_and_views_import_neither_mkdocs_nor_markdown():
    import subprocess
    import sys

    modules = ["render.text", "render.urls", "render.bodies", "render.html", "render.maps",
               "render.charts", "render.timeline", "render.roadmap", "render.html_coverage", "render.pages", "views", "diff.revision", "diff.compare",
               "diff.formats", "diff.text"]
    code = ("import importlib, sys\n"
            f"for name in {modules!r}: importlib.import_module('mkdocs_northstar.' + name)\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'mkdocs', 'markdown', 'material'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr


def test_the_roadmap_counts_each_periods_plans_by_status(analysis):
    roadmap = render_pages(analysis)["roadmap.md"]
    rows = [line for line in roadmap.splitlines() if line.startswith("| 2025")]
    # proposed, planned, in-progress, done, dropped; then plans and effort (a count of none is blank)
    assert rows == ["| 2025-H1 | 1 |  |  |  |  | 1 | 2 |", "| 2025 |  |  | 1 | 1 |  | 2 | 4 |"]
