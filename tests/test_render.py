"""Rendering: escaping filters, body link rewriting, the set of generated pages."""

from __future__ import annotations

import html
import re

import markdown
import pytest
import yaml
from mkdocs.utils.meta import get_data

from conftest import CLEAN_PLANS, PNG, analyse_plans
from mkdocs_northstar.render import BodyLinks, _environment, attr, md, page_title, render_pages, yaml_string

HOSTILE = [
    "<script>alert(1)</script>", "*bold* _em_ **x**", "[link](http://evil.example)", "`code`",
    "# heading", "- item", "+ item", "1. one", "2) two", "> quote", "a | b | c", "&amp; &lt;",
    "{: .class #id }", ":smile:", "$x$", "~~strike~~", "==mark==", "^sup^", "![img](x.png)",
    "back\\slash", "<!-- comment -->", "Ünïcödé ✓",
]
EXTENSIONS = ["tables", "attr_list", "md_in_html", "pymdownx.emoji", "pymdownx.tilde",
              "pymdownx.mark", "pymdownx.caret", "admonition"]


@pytest.mark.parametrize("text", HOSTILE)
def test_md_shows_text_as_written(text):
    rendered = markdown.markdown(md(text), extensions=EXTENSIONS)
    inner = re.fullmatch(r"<p>(.*)</p>", rendered, re.DOTALL)
    assert inner, rendered
    assert "<" not in inner.group(1)  # no element of any kind came out of it
    assert html.unescape(inner.group(1)) == text


def test_md_joins_lines():
    assert html.unescape(markdown.markdown(md("one\n- two\nthree"))) == "<p>one - two three</p>"


@pytest.mark.parametrize("text", HOSTILE + ['"quoted" \'single\''])
def test_md_in_a_table_cell_stays_in_its_cell(text):
    table = f"| a | b |\n| --- | --- |\n| {md(text)} | after |\n"
    rendered = markdown.markdown(table, extensions=["tables"])
    cells = re.findall(r"<td>(.*?)</td>", rendered, re.DOTALL)
    assert [html.unescape(cell) for cell in cells] == [text, "after"]


def test_attr_escapes_quotes_and_markup():
    value = attr('x" onclick="alert(1)" <b>')
    assert '"' not in value and "<" not in value
    assert html.unescape(value) == 'x" onclick="alert(1)" <b>'


@pytest.mark.parametrize("text", ["plain", "a: b", "- x", "'quoted'", '"double"', "#not comment", "é ✓", "yes", "1e3"])
def test_yaml_string_reads_back(text):
    assert yaml.safe_load(f"key: {yaml_string(text)}") == {"key": text}


def test_page_title_is_yaml_holding_escaped_html():
    title = 'Q&A: <b>"fast"</b>'
    assert yaml.safe_load(f"title: {page_title(title)}") == {"title": html.escape(title, quote=True)}


# --- Generated pages and body links ---------------------------------------------------------


@pytest.fixture(scope="module")
def analysis(tmp_path_factory):
    plans = {
        **CLEAN_PLANS,
        "plans/search/diagram.png": PNG,
        "plans/search/links.md": """\
            ---
            title: Links
            themes: [better-search]
            ---
            Inline [rank](ranking.md), fragment [why](../growth/rewards.md#why),
            objective [goal](../objectives/find-fast.md), angle [a](<ranking.md>),
            image ![d](diagram.png), missing [m](nowhere.md), external [e](https://example.com/ranking.md),
            absolute [abs](/ranking.md), anchor [top](#top), mail [me](mailto:a@b.example).

            [ref]: ../growth/rewards.md

            ```markdown
            [in code](ranking.md)
            ```
            """,
        "plans/themes/story.md": """\
            ---
            title: Story
            objectives: [find-fast]
            ---
            The work: [ranking](../search/ranking.md).
            """,
    }
    return analyse_plans(tmp_path_factory.mktemp("render"), plans)


def test_rendered_pages(analysis):
    pages = render_pages(analysis)
    expected = {"index.md", "coverage.md", "objectives/find-fast.md", "objectives/retain.md",
                "themes/better-search.md", "themes/loyalty.md", "themes/story.md", "plans/ranking.md",
                "plans/index-speed.md", "plans/rewards.md", "plans/links.md", "teams/search.md", "teams/growth.md"}
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


def body_of(analysis, record_id: str) -> str:
    node = analysis.strategy.by_id[record_id]
    return BodyLinks(analysis.strategy, analysis.assets).rewrite(node)


def test_body_links_to_plan_files_land_on_record_pages(analysis):
    body = body_of(analysis, "links")
    assert "[rank](ranking.md)" in body  # plans/ranking.md, from plans/links.md
    assert "[why](rewards.md#why)" in body
    assert "[goal](../objectives/find-fast.md)" in body
    assert "[a](<ranking.md>)" in body
    assert "[ref]: rewards.md" in body


def test_body_links_to_files_beside_plans_land_on_their_copy(analysis):
    assert "![d](../assets/search/diagram.png)" in body_of(analysis, "links")
    assert "search/diagram.png" in analysis.assets


def test_other_body_links_are_left_alone(analysis):
    body = body_of(analysis, "links")
    for kept in ("[m](nowhere.md)", "[e](https://example.com/ranking.md)", "[abs](/ranking.md)",
                 "[top](#top)", "[me](mailto:a@b.example)", "```markdown\n[in code](ranking.md)\n```"):
        assert kept in body


def test_theme_body_links_to_plan_page(analysis):
    assert body_of(analysis, "story") == "The work: [ranking](../plans/ranking.md).\n"


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


def test_a_link_inside_an_inline_code_span_is_left_as_written():
    from mkdocs_northstar.read.records import parse_record
    from mkdocs_northstar.model import build
    from mkdocs_northstar.render import BodyLinks

    other = parse_record(b"---\ntitle: Other\n---\nBody\n", "plans/u/other.md", "u/other.md")
    record = parse_record(b"---\ntitle: One\n---\nSee [it](../u/other.md), not `[it](../u/other.md)`.\n",
                          "plans/t/one.md", "t/one.md")
    strategy = build([other, record])
    body = BodyLinks(strategy, []).rewrite(strategy.by_id["one"])
    assert body == "See [it](other.md), not `[it](../u/other.md)`.\n"


def test_compiled_templates_are_kept_and_used_again(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.dont_write_bytecode", False)
    folder = tmp_path / "__pycache__"
    _environment(folder).get_template("plan.md.j2")
    assert len(list(folder.iterdir())) == 1

    # A second process loads the compiled code: Jinja does not compile the source again.
    second = _environment(folder)
    monkeypatch.setattr(second, "compile", lambda *args, **kwargs: pytest.fail("compiled again"))
    assert second.get_template("plan.md.j2").name == "plan.md.j2"

    # A damaged entry is compiled again, not trusted.
    entry = next(folder.iterdir())
    entry.write_bytes(entry.read_bytes()[:40])
    third = _environment(folder)
    compiled = []
    monkeypatch.setattr(third, "compile", _counting_calls(third.compile, compiled))
    third.get_template("plan.md.j2")
    assert len(compiled) == 1


def test_templates_compile_where_nothing_can_be_written(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.dont_write_bytecode", False)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")  # a folder cannot be made here
    assert _environment(blocked / "__pycache__").get_template("plan.md.j2").name == "plan.md.j2"

    # Told not to write bytecode (PYTHONDONTWRITEBYTECODE), it writes no templates either.
    monkeypatch.setattr("sys.dont_write_bytecode", True)
    folder = tmp_path / "__pycache__"
    _environment(folder).get_template("plan.md.j2")
    assert not folder.exists()


def _counting_calls(function, calls: list):
    def counted(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)
    return counted
