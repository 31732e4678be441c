"""Text escaped for the place it lands, and the numbers and words every output writes
the same way (render/text.py)."""

from __future__ import annotations

import html
import re

import markdown
import pytest
import yaml

from mkdocs_northstar.render.text import attr, md, page_title, percent, plural, rounded, value_text, yaml_string

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


@pytest.mark.parametrize("text", ["plain", "é ✓ 日本", "line\u2028separator", "next\x85line", "para\u2029graph"])
def test_a_readable_yaml_string_keeps_its_characters_and_reads_back_on_one_line(text):
    written = yaml_string(text, readable=True)
    assert yaml.safe_load(f"key: {written}") == {"key": text}
    assert len(written.splitlines()) == 1 and "\u2028" not in written and "\x85" not in written
    assert ("é" in text) <= ("é" in written)  # not an escape where the character is safe


@pytest.mark.parametrize("ratio, shown", [(None, "–"), (0, "0%"), (0.333, "33%"), (0.995, "100%"), (1, "100%")])
def test_percent(ratio, shown):
    assert percent(ratio) == shown


@pytest.mark.parametrize("number, word, shown", [(0, "plan", "0 plans"), (1, "plan", "1 plan"), (2, "error", "2 errors")])
def test_plural(number, word, shown):
    assert plural(number, word) == shown


def test_value_text_writes_numbers_lists_and_nothing_alike_and_text_as_told():
    shown = lambda text: f"<{text}>"  # noqa: E731
    assert value_text(None, shown) == "–"
    assert value_text(1234567, shown) == "1,234,567"
    assert value_text(2.50, shown) == "2.5"
    assert value_text(True, shown) == "<True>"  # a boolean is not a figure
    assert value_text([1, "a"], shown) == "1, <a>"
    assert value_text([], shown) == "[]"


def test_rounded_keeps_six_significant_digits_and_whole_parts():
    assert rounded({"a": [0.33333333333333315, 12345678.9, 3, "x"]}) == {"a": [0.333333, 12345679.0, 3, "x"]}
    nan = rounded(float("nan"))
    assert nan != nan
