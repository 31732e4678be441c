"""Every user string lands escaped for its place: a valid strategy whose titles,
owners, metrics, units, team folder names, teams and tags are hostile builds with
MkDocs and Material (tags plugin on), and the HTML is parsed to prove that none of
it became an element, an attribute or a Jinja expression. Plan bodies stay Markdown."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import make_site, mkdocs_build
from mkdocs_northstar.render.text import attr, md, page_title, yaml_string

# Each payload would become markup somewhere if one context forgot its escaping: an
# element, an event handler, a table cell break, a link, a code span, a Jinja
# expression or statement, a diagram label's end, a YAML document end, an entity.
PAYLOAD = ('<script>alert(1)</script><img src=x onerror=alert(2)><ns-injected data-x="1">'
           ' | "dq" \'sq\' [link](https://evil.example) ![i](x.png) {{ 7*7 }} {% raw %}'
           ' ]) }} --> `code` *em* _u_ &amp; \\ #h :smile: ${x}')
INJECTED_ELEMENTS = {"ns-injected", "img"}


def _q(text: str) -> str:
    return json.dumps(text)


def hostile_plans(payload: str = PAYLOAD) -> dict[str, str]:
    def value(label: str) -> str:
        return _q(f"{label} {payload}")

    return {
        "plans/objectives/grow.md": f"""\
            ---
            title: {value("OBJ")}
            metric: {value("MET")}
            unit: {value("UNIT")}
            owner: {value("OWN")}
            baseline: 10
            target: 20
            current: 12
            period: 2025
            tags: [{value("TAG")}, {_q("<b>bold</b>")}]
            ---
            Why it matters.
            """,
        "plans/objectives/child.md": f"""\
            ---
            title: {value("CHILD")}
            metric: m
            baseline: 1
            target: 0
            period: 2025-H1
            parent: grow
            ---
            """,
        "plans/themes/theme.md": f"""\
            ---
            title: {value("THEME")}
            objectives: [grow, child]
            owner: {value("OWN2")}
            tags: [{value("TAG2")}]
            ---
            The narrative.
            """,
        "plans/<img src=x onerror=alert(3)> team/plan.md": f"""\
            ---
            title: {value("PLAN")}
            themes: [theme]
            owner: {value("OWN3")}
            status: in-progress
            effort: 2
            links: ["https://tracker.example/a?b=<c>&d=\\"e\\"|f`g`"]
            tags: [{value("TAG3")}]
            ---
            Plan body.
            """,
        "plans/ops/other.md": f"""\
            ---
            title: Plain
            themes: [theme]
            objectives: [child]
            team: {value("TEAM")}
            depends_on: [plan]
            status: done
            ---
            Other body.
            """,
    }


CONFIG = """\
site_name: Hostile
theme:
  name: material
plugins:
  - search
  - tags
  - northstar
markdown_extensions:
  - pymdownx.superfences
"""


class _Elements(HTMLParser):
    """Every element with its attributes, and the text of every script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)


def parse(path: Path) -> _Elements:
    parser = _Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = make_site(tmp_path_factory.mktemp("hostile"), hostile_plans(), config=CONFIG,
                     docs={"docs/index.md": "# Home\n", "docs/tags.md": "# Tags\n\n<!-- material/tags -->\n"})
    result = mkdocs_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    return root / "site"


def _pages(site: Path) -> list[Path]:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 10
    return pages


def test_no_payload_becomes_an_element_or_attribute(hostile_site):
    for page in _pages(hostile_site):
        parsed = parse(page)
        for tag, attributes in parsed.elements:
            assert tag not in INJECTED_ELEMENTS, (page, tag, attributes)
            assert tag != "b", page
            assert not any(name.startswith("on") for name in attributes), (page, tag, attributes)
            assert "data-x" not in attributes, page
            for name in ("href", "src"):
                assert not (attributes.get(name) or "").startswith(("javascript:", "https://evil.example")), page
        assert not any("alert(" in script for script in parsed.scripts), page


def test_payload_is_shown_as_text_where_it_appears(hostile_site):
    """Escaped, not dropped: the record pages show each hostile value as written."""
    shown = {
        "strategy/objectives/grow/index.html": ["OBJ", "MET", "UNIT", "OWN", "TAG"],
        "strategy/themes/theme/index.html": ["THEME", "OWN2", "TAG2"],
        "strategy/plans/plan/index.html": ["PLAN", "OWN3", "TAG3"],
        "strategy/plans/other/index.html": ["TEAM"],
    }
    for page, labels in shown.items():
        text = " ".join(" ".join(parse(hostile_site / page).text).split())
        for label in labels:
            assert f"{label} {' '.join(PAYLOAD.split())}" in text, (page, label)
        assert "49" not in text  # {{ 7*7 }} was never evaluated


def test_team_from_a_hostile_folder_name_is_text(hostile_site):
    teams = sorted(path.parent.name for path in (hostile_site / "strategy" / "teams").glob("*/index.html"))
    assert all(set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-") for name in teams)
    text = " ".join(parse(hostile_site / "strategy/plans/plan/index.html").text)
    assert "<img src=x onerror=alert(3)> team" in text


def test_titles_reach_head_header_and_h1_escaped(hostile_site):
    html = (hostile_site / "strategy/objectives/grow/index.html").read_text(encoding="utf-8")
    assert "<title>OBJ &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("OBJ &lt;script&gt;") >= 3  # <title>, the header and the <h1> at least


def test_link_url_keeps_its_characters_and_its_table_row(hostile_site):
    parsed = parse(hostile_site / "strategy/plans/plan/index.html")
    hrefs = [attributes.get("href") for tag, attributes in parsed.elements if tag == "a"]
    assert 'https://tracker.example/a?b=<c>&d="e"|f`g`' in hrefs
    rows = [attributes for tag, attributes in parsed.elements if tag == "td"]
    assert rows  # the metadata table was not broken up by the '|'


def test_tags_listing_shows_hostile_tags_as_text(hostile_site):
    parsed = parse(hostile_site / "tags/index.html")
    assert not any(tag == "b" for tag, _ in parsed.elements)
    assert "<b>bold</b>" in " ".join(parsed.text)


def test_plan_bodies_stay_markdown(tmp_path):
    plans = {
        "plans/objectives/o.md": "---\ntitle: O\nmetric: m\nbaseline: 1\ntarget: 2\nperiod: 2025\n---\n",
        "plans/themes/t.md": "---\ntitle: T\nobjectives: [o]\n---\nWhy.\n",
        "plans/team/p.md": "---\ntitle: P\nthemes: [t]\n---\n**bold** and <kbd>Ctrl</kbd>\n",
    }
    make_site(tmp_path, plans)
    assert mkdocs_build(tmp_path).returncode == 0
    parsed = parse(tmp_path / "site/strategy/plans/p/index.html")
    tags = [tag for tag, _ in parsed.elements]
    assert "strong" in tags and "kbd" in tags


# --- The filters, one context each ------------------------------------------------------

@pytest.mark.parametrize("text", [PAYLOAD, "a\nb\r\nc", "---\n...", "- item", "1. item", "> quote", "#", ""])
def test_md_filter_is_inert_inline_markdown_on_one_line(text):
    import markdown

    escaped = md(text)
    assert "\n" not in escaped
    html = markdown.markdown(f"| a |\n| --- |\n| {escaped} |", extensions=["tables", "attr_list"])
    parsed = _Elements()
    parsed.feed(html)
    assert [tag for tag, _ in parsed.elements] == ["table", "thead", "tr", "th", "tbody", "tr", "td"]
    assert " ".join("".join(parsed.text).split()) == " ".join(f"a {text}".replace("\r", " ").split())


@pytest.mark.parametrize("text", [PAYLOAD, "x\n...\n---\nkey: value", "'", '"', "\\", "\u2028", "#"])
def test_front_matter_values_read_back_as_written(text):
    import html
    import yaml

    assert yaml.safe_load(f"v: {yaml_string(text)}")["v"] == text
    assert yaml.safe_load(f"v: {page_title(text)}")["v"] == html.escape(text)


def test_attr_filter_is_safe_in_an_attribute_and_a_table_cell():
    assert attr(PAYLOAD).count('"') == 0 and "<" not in attr(PAYLOAD) and "|" not in attr(PAYLOAD)
    assert "`" not in attr(PAYLOAD)


# --- Paths placed in URLs ---------------------------------------------------------------

EDIT_CONFIG = """\
site_name: Paths
repo_url: https://github.com/owner/repo
edit_uri: edit/main/docs/
theme:
  name: material
  features: [content.action.edit, content.action.view]
plugins:
  - northstar
"""
HOSTILE_PLAN = 'plans/team/q" onmouseover="alert(1)" x=".md'
HOSTILE_ASSET = "a \"b\" onerror=alert(2) 'x'.png"


@pytest.fixture(scope="module")
def path_site(tmp_path_factory) -> Path:
    plans = {
        "plans/objectives/o.md": "---\ntitle: O\nmetric: m\nbaseline: 1\ntarget: 2\nperiod: 2025\n---\n",
        "plans/themes/t.md": "---\ntitle: T\nobjectives: [o]\n---\nWhy.\n",
        HOSTILE_PLAN: f"---\nid: q\ntitle: Q\nthemes: [t]\n---\n![one](<{HOSTILE_ASSET}>) ![two](c%20d.png)\n",
        f"plans/team/{HOSTILE_ASSET}": b"\x89PNG",
        "plans/team/c d.png": b"\x89PNG",
    }
    root = make_site(tmp_path_factory.mktemp("paths"), plans, config=EDIT_CONFIG)
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    return root / "site", result.stderr


def test_a_file_name_in_the_edit_url_is_quoted(path_site):
    from urllib.parse import quote

    page = path_site[0] / "strategy/plans/q/index.html"
    parsed = parse(page)
    assert not any(name.startswith("on") for _, attributes in parsed.elements for name in attributes)
    buttons = {attributes.get("rel") or attributes.get("title"): attributes["href"]
               for tag, attributes in parsed.elements if tag == "a" and "md-content__button" in attributes.get("class", "")}
    path = quote(HOSTILE_PLAN, safe="/")
    assert buttons == {"edit": f"https://github.com/owner/repo/edit/main/{path}",
                       "View source of this page": f"https://github.com/owner/repo/raw/main/{path}"}
    assert "%22%20onmouseover%3D%22alert%281%29%22" in path


def test_asset_links_from_a_body_are_quoted_and_reach_the_copy(path_site):
    from urllib.parse import unquote

    site, log = path_site
    assert "WARNING" not in log  # every link reached its file
    page = site / "strategy/plans/q/index.html"
    parsed = parse(page)
    images = [attributes for tag, attributes in parsed.elements if tag == "img"]
    assert [set(image) for image in images] == [{"alt", "src"}] * 2
    sources = [image["src"] for image in images]
    assert sources == ["../../assets/team/a%20%22b%22%20onerror%3Dalert%282%29%20%27x%27.png",
                       "../../assets/team/c%20d.png"]
    for source in sources:  # each points at the copy of the file beside the plan
        assert (page.parent / unquote(source)).resolve().read_bytes() == b"\x89PNG"


# --- Problems shown on the site -----------------------------------------------------------
# A non-strict build (and `mkdocs serve`) shows each record's problems in a box on its
# page and all of them on the problems page: file names, keys and values are hostile.

EVIL = "<img src=x onerror=alert(1)><script>alert(2)</script><ns-injected>"
PROBLEM_CONFIG = """\
site_name: Problems
theme:
  name: material
plugins:
  - northstar:
      rules:
        schema: warning
        dangling-link: warning
        unlinked-plan: warning
        unlinked-theme: warning
"""


@pytest.fixture(scope="module")
def problem_site(tmp_path_factory) -> Path:
    evil = _q(EVIL)
    plans = {
        "plans/objectives/o.md": "---\ntitle: O\nmetric: m\nbaseline: 1\ntarget: 2\nperiod: 2025\n---\n",
        # No narrative and no plan: two warnings on a theme whose file name is hostile.
        f"plans/themes/t`{EVIL}`.md": "---\nid: t\ntitle: T\nobjectives: [o]\n---\n",
        f"plans/{EVIL} team/p`{EVIL}.md": f"""\
            ---
            id: p
            title: P
            themes: [{evil}]
            objectives: [o, {_q("x" + EVIL)}]
            status: {evil}
            period: {evil}
            effort: {evil}
            {evil}: 1
            "@everyone `a` | b": 2
            ---
            """,
    }
    root = make_site(tmp_path_factory.mktemp("problems"), plans, config=PROBLEM_CONFIG)
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    return root / "site"


def test_problems_on_the_site_inject_nothing(problem_site):
    pages = [problem_site / "strategy/problems/index.html", problem_site / "strategy/themes/t/index.html",
             problem_site / "strategy/plans/p/index.html", problem_site / "strategy/roadmap/index.html",
             problem_site / "strategy/narrative/index.html", problem_site / "strategy/index.html",
             problem_site / "strategy/coverage/index.html"]
    for page in pages:
        parsed = parse(page)
        for tag, attributes in parsed.elements:
            assert tag not in ("img", "ns-injected"), (page, tag, attributes)
            assert not any(name.startswith("on") for name in attributes), (page, tag, attributes)
        assert not any("alert(" in script for script in parsed.scripts), page


def test_problems_show_the_hostile_names_as_written(problem_site):
    box = " ".join(parse(problem_site / "strategy/themes/t/index.html").text)
    assert f"plans/themes/t`{EVIL}`.md:1" in box
    listed = " ".join(parse(problem_site / "strategy/problems/index.html").text)
    assert f"plans/themes/t`{EVIL}`.md" in listed and f"plans/{EVIL} team/p`{EVIL}.md" in listed
    plan = " ".join(parse(problem_site / "strategy/plans/p/index.html").text)
    assert f"unknown key '{EVIL}'" in plan
