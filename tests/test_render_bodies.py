"""Relative links and images in record bodies, through a real built site: every one
must lead to a file that exists in the site, as Python-Markdown reads the body."""

from __future__ import annotations

import posixpath
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import markdown
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import CLEAN_PLANS, PNG, analyse_plans, make_site, mkdocs_build
from mkdocs_northstar.render.bodies import BodyLinks, code_spans

_EXTERNAL = ("http:", "https:", "mailto:", "/", "#", "data:")


class _ArticleLinks(HTMLParser):
    """The `<a href>` and `<img src>` of a page's article (the body and its listings)."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.depth += 1
        elif self.depth and tag in ("a", "img"):
            url = dict(attrs).get("href" if tag == "a" else "src")
            if url is not None:
                self.links.append((tag, url))

    def handle_endtag(self, tag):
        if tag == "article" and self.depth:
            self.depth -= 1


def article_links(site: Path, page: str) -> list[tuple[str, str]]:
    parser = _ArticleLinks()
    parser.feed((site / page / "index.html").read_text(encoding="utf-8"))
    return parser.links


def missing_targets(site: Path, page: str) -> list[str]:
    """The relative links of a page's article whose file is not in the built site."""
    missing = []
    for _, url in article_links(site, page):
        if url.startswith(_EXTERNAL) or not url:
            continue
        path = posixpath.normpath(posixpath.join(page, urlsplit(url).path))
        target = site / path
        if target.is_dir():
            target = target / "index.html"
        if path.startswith("..") or not target.is_file():
            missing.append(url)
    return missing


def build_with_body(tmp_path: Path, body: str, extra: dict | None = None) -> Path:
    plan = """\
        ---
        title: Bodies
        themes: [better-search]
        ---
        """
    plans = {**CLEAN_PLANS, "plans/search/diagram.png": PNG, "plans/search/bodies.md": plan, **(extra or {})}
    root = make_site(tmp_path, plans)
    with open(root / "plans/search/bodies.md", "a", encoding="utf-8") as file:
        file.write(body)
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    return root / "site"


def test_a_relative_image_or_link_with_a_query_works_on_the_site(tmp_path):
    # GitHub's way of showing a file raw: the query stays, the path is rewritten.
    site = build_with_body(tmp_path, (
        "![inline](diagram.png?raw=true) and [the picture](<diagram.png?raw=true#top>), "
        "[why](../growth/rewards.md?plain=1#why), ![by reference][pic].\n\n"
        "[pic]: diagram.png?raw=true\n"))
    links = article_links(site, "strategy/plans/bodies")
    body_links = [(tag, url) for tag, url in links if "diagram.png" in url or "rewards" in url]
    assert [tag for tag, _ in body_links] == ["img", "a", "a", "img"]
    assert all("?raw=true" in url or "?plain=1" in url for _, url in body_links)
    assert [url for _, url in body_links if "#" in url] == ["../../assets/search/diagram.png?raw=true#top",
                                                           "../rewards/?plain=1#why"]
    assert missing_targets(site, "strategy/plans/bodies") == []


def test_an_image_after_an_unclosed_backtick_in_another_paragraph_works_on_the_site(tmp_path):
    # A code span never crosses a blank line: the backtick left open in the first
    # paragraph does not swallow the image in the second.
    site = build_with_body(tmp_path, "A `b c `d` e.\n\n![b](b.png)\n\nf `g`.\n", {"plans/search/b.png": PNG})
    assert ("img", "../../assets/search/b.png") in article_links(site, "strategy/plans/bodies")
    assert missing_targets(site, "strategy/plans/bodies") == []


# --- The rewriter against Python-Markdown's own reading of many bodies -------------------

# The extensions MkDocs always enables, and those of this project's own site (whose
# highlighting of code blocks changes nothing of what is code, only the time it takes).
MKDOCS_DEFAULT = markdown.Markdown(extensions=["toc", "tables", "fenced_code"])
THIS_SITE = markdown.Markdown(
    extensions=["admonition", "attr_list", "md_in_html", "tables", "toc", "pymdownx.details",
                "pymdownx.highlight", "pymdownx.superfences", "pymdownx.tabbed"],
    extension_configs={"pymdownx.highlight": {"use_pygments": False}})

# A record at plans/t/one.md (page plans/one.md), an image beside it, another plan.
REWRITTEN = {"d.png": "../assets/t/d.png", "../u/other.md": "other.md"}
TARGETS = ["d.png", "d.png?raw=true", "d.png#top", "<d.png?raw=true>", "../u/other.md",
           "../u/other.md?plain=1#why", "missing.png", "https://example.com/d.png"]


def expected(url: str) -> str:
    cut = min((at for at in (url.find("?"), url.find("#")) if at >= 0), default=len(url))
    return REWRITTEN.get(url[:cut], url[:cut]) + url[cut:]


class _Reading(HTMLParser):
    """What a reader gets from HTML: elements, their attributes, and each text with
    whether it shows inside <code>."""

    def __init__(self, url=lambda url: url):
        super().__init__(convert_charrefs=True)
        self.url, self.code, self.events = url, 0, []

    def handle_starttag(self, tag, attrs):
        attrs = [(name, self.url(value) if (tag, name) in (("a", "href"), ("img", "src")) else value)
                 for name, value in attrs]
        self.events.append((tag, attrs))
        self.code += tag == "code"

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.code -= tag == "code"

    def handle_endtag(self, tag):
        self.events.append(("/" + tag,))
        self.code -= tag == "code"

    def handle_data(self, data):
        self.events.append(("in code" if self.code else "text", data))


def reading(text: str, converter: markdown.Markdown, url=lambda url: url) -> list:
    parser = _Reading(url)
    parser.feed(converter.reset().convert(text))
    parser.close()
    return parser.events


def code_texts(events: list) -> list[str]:
    return [event[1] for event in events if event[0] == "in code"]


@pytest.fixture(scope="module")
def one_record(tmp_path_factory):
    """Rewrites a body as the record plans/t/one.md's, beside plans/t/d.png and plans/u/other.md."""
    root = tmp_path_factory.mktemp("one")
    plans = {"plans/t/d.png": PNG, "plans/t/one.md": "---\ntitle: One\n---\n",
             "plans/u/other.md": "---\ntitle: Other\n---\n"}
    analysis = analyse_plans(root, plans, rules={rule: "off" for rule in ("unlinked-plan", "missing-narrative")})
    strategy = analysis.strategy
    node = strategy.by_id["one"]

    def rewrite(body: str) -> str:
        node.record.body = body
        return BodyLinks(strategy, analysis.assets).rewrite(node)
    return rewrite


def _run(min_size: int = 1) -> st.SearchStrategy[str]:
    backslashes = st.sampled_from(["", "", "", "\\", "\\\\"])
    return st.builds(lambda slashes, ticks: slashes + "`" * ticks, backslashes, st.integers(min_size, 4))


_LINK = st.builds(lambda bang, label, target: f"{bang}[{label}]({target})",
                  st.sampled_from(["", "!"]), st.sampled_from(["x", "a b"]), st.sampled_from(TARGETS))
_TOKEN = st.one_of(st.sampled_from(["a", "b c", "d.png"]), _run(), _LINK)
# A line of prose starts with a word: a line of backticks alone could open a fence.
_LINE = st.builds(lambda tokens, glue: "w " + glue.join(tokens), st.lists(_TOKEN, max_size=7),
                  st.sampled_from(["", " "]))
_LINES = st.lists(_LINE, min_size=1, max_size=3)


def _fence(lines, char, length, info, closing) -> str:
    fence = char * length  # blank lines around: a fence that touches a paragraph is read two ways
    return "\n".join(["", fence + info, *lines, fence + closing, ""])


_BLOCK = st.one_of(
    _LINES.map("\n".join),  # a paragraph
    st.builds(_fence, st.lists(_LINE, max_size=2), st.sampled_from("`~"), st.integers(3, 4),
              st.sampled_from(["", "markdown"]), st.sampled_from(["", "", " ", "`"])),  # "`": not its end
    _LINES.map(lambda lines: "\n".join("    " + line for line in lines)),  # indented code
    _LINES.map(lambda lines: "\n".join(f"- {line}" for line in lines)),  # a list, an item a line
    _LINES.map(lambda lines: "\n".join("    " + line for line in lines)),  # an item's next paragraph...
    _LINES.map(lambda lines: "\n".join("        " + line for line in lines)),  # ...or its code
    _LINE.map(lambda line: "# " + line),
    _LINES.map(lambda lines: "\n".join("> " + line for line in lines)),  # a quote
    _LINES.map(lambda lines: "w | v\n--- | ---\n" + "\n".join(line + " | x" for line in lines)),  # a table
    _LINES.map(lambda lines: "!!! note\n" + "\n".join("    " + line for line in lines)),  # an admonition
    _LINES.map(lambda lines: '=== "Tab"\n\n' + "\n".join("    " + line for line in lines)),
    st.builds(lambda lines, under: "\n".join(lines) + under, _LINES, st.sampled_from(["\n---", "\n==="])),
)
_BODY = st.builds(
    lambda blocks, gaps, unclosed: "".join(block + gap for block, gap in zip(blocks, gaps)) + unclosed,
    st.lists(_BLOCK, min_size=1, max_size=6),
    st.lists(st.sampled_from(["\n\n", "\n\n", "\n \n", "\n\n\n", "\n"]), min_size=6, max_size=6),
    st.sampled_from(["", "", "```\nw [x](d.png) `\n", "~~~~\n"]),  # an unclosed fence, last: it is no fence
)


@example("A `b c `d` e.\n\n![b](d.png)\n\nf `g`.\n")  # a backtick left open ends with its paragraph
@example("a ``b\n\n[x](d.png) `` `[y](d.png)` ```[z](d.png)`` c\n")
@example("```\n[x](d.png)\n````\n[y](d.png)\n```\n\n```\n[z](d.png)\n")
@example("- a\n\n    [x](d.png)\n\n        [y](d.png)\n\n[z](d.png) \\`[w](d.png)`\n")
@settings(max_examples=150, deadline=None)
@given(_BODY)
def test_links_python_markdown_shows_are_rewritten_and_code_is_not(one_record, body):
    rewritten = one_record(body)
    assert reading(rewritten, THIS_SITE) == reading(body, THIS_SITE, expected)
    # MkDocs' own fenced code differs from superfences after a fence that never closes
    # (it finds fences after it); where the two agree on what is code, so does the rewriter.
    if code_texts(reading(body, MKDOCS_DEFAULT)) == code_texts(reading(body, THIS_SITE)):
        assert reading(rewritten, MKDOCS_DEFAULT) == reading(body, MKDOCS_DEFAULT, expected)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_run(), st.sampled_from(["a", " ", "\n", "\\"])), max_size=12).map("".join))
def test_code_spans_are_those_python_markdown_finds(text):
    text = "w " + text  # one paragraph: no blank line, no fence, no indented code
    if re.search(r"\n[ \t]*\n|\n {4}|\n\s*```", text):
        return
    shown = code_texts(reading(text, MKDOCS_DEFAULT))
    found = []
    for start, end in code_spans(text):
        span = text[start:end]
        ticks = len(span) - len(span.rstrip("`"))
        found.append(span[ticks:-ticks].strip())
    assert "".join(found) == "".join(shown)


@pytest.mark.parametrize("body", [
    "".join("`" * (n % 40 + 1) + " [x](d.png) " for n in range(10_000)),  # no run closes another
    "".join(f"{'`' * (n % 9 + 3)}\n[x](d.png)\n" for n in range(10_000)),  # fences that never close
    "".join(f"{' ' * (n % 13)}```\n[x](d.png) `\n" for n in range(10_000)),  # fences ended by indentation
    "- a\n\n" + "    b ` [x](d.png)\n\n" * 10_000 + "| a | `b |\n| - | - |\n" + "| `` | ` [x](d.png) |\n" * 10_000,
    "\\" * 100_000 + "`" * 100_000,
], ids=["backticks", "unclosed-fences", "indented-fences", "lists-and-tables", "backslashes"])
def test_a_hostile_body_is_rewritten_in_time_in_proportion_to_its_length(one_record, body):
    # A quadratic reading of any of these (about 200 KB) would take minutes, on a busy machine too.
    started = time.perf_counter()
    rewritten = one_record(body)
    assert time.perf_counter() - started < 5
    assert len(rewritten) >= len(body)


# --- Rewriting links in a built analysis ---------------------------------------------------


@pytest.fixture(scope="module")
def links_analysis(tmp_path_factory):
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
    return analyse_plans(tmp_path_factory.mktemp("bodies"), plans)


def body_of(analysis, record_id: str) -> str:
    node = analysis.strategy.by_id[record_id]
    return BodyLinks(analysis.strategy, analysis.assets).rewrite(node)


def test_body_links_to_plan_files_land_on_record_pages(links_analysis):
    body = body_of(links_analysis, "links")
    assert "[rank](ranking.md)" in body  # plans/ranking.md, from plans/links.md
    assert "[why](rewards.md#why)" in body
    assert "[goal](../objectives/find-fast.md)" in body
    assert "[a](<ranking.md>)" in body
    assert "[ref]: rewards.md" in body


def test_body_links_to_files_beside_plans_land_on_their_copy(links_analysis):
    assert "![d](../assets/search/diagram.png)" in body_of(links_analysis, "links")
    assert "search/diagram.png" in links_analysis.assets


def test_other_body_links_are_left_alone(links_analysis):
    body = body_of(links_analysis, "links")
    for kept in ("[m](nowhere.md)", "[e](https://example.com/ranking.md)", "[abs](/ranking.md)",
                 "[top](#top)", "[me](mailto:a@b.example)", "```markdown\n[in code](ranking.md)\n```"):
        assert kept in body


def test_theme_body_links_to_plan_page(links_analysis):
    assert body_of(links_analysis, "story") == "The work: [ranking](../plans/ranking.md).\n"


def test_a_link_inside_an_inline_code_span_is_left_as_written():
    from mkdocs_northstar.read.records import parse_record
    from mkdocs_northstar.model import build

    other = parse_record(b"---\ntitle: Other\n---\nBody\n", "plans/u/other.md", "u/other.md")
    record = parse_record(b"---\ntitle: One\n---\nSee [it](../u/other.md), not `[it](../u/other.md)`.\n",
                          "plans/t/one.md", "t/one.md")
    strategy = build([other, record])
    body = BodyLinks(strategy, []).rewrite(strategy.by_id["one"])
    assert body == "See [it](other.md), not `[it](../u/other.md)`.\n"
