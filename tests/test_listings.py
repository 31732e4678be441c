"""Listings at scale: plan tables and the roadmap written as raw HTML that the plugin
sets aside from Python-Markdown, listings and aggregate pages kept out of the search
index, and the narrative naming a large theme's plans without their paragraphs. Read
from real MkDocs builds and from the renderer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import CLEAN_PLANS, make_site, mkdocs_build
from mkdocs_northstar.host.raw_html import AsideBlock, put_back, put_back_unsearched, set_aside
from mkdocs_northstar.render.html import SEARCH_ALL, SEARCH_NONE, SEARCH_TEXT
from mkdocs_northstar.render.timeline import FOLD

MARKER = "northstar0123abcd"


def test_set_aside_takes_only_fenced_blocks_and_put_back_restores_them():
    page = (f"# Title\n\n<!--{MARKER}-->\n<table>\n<tr><td>a</td></tr>\n</table>\n<!--/{MARKER}-->\n\n"
            "```html\n<!--northstarffff-->\n<b>code</b>\n<!--/northstarffff-->\n```\n\n"
            f"<!---{MARKER}-->\n<table data-search-exclude>\n</table>\n<!--/{MARKER}-->\n\n"
            f"<!--~{MARKER}-->\n<table>\n<tr><td>Owner</td><td><a href=\"x/\">Ada &amp; Bo</a></td></tr>\n</table>\n"
            f"<!--/{MARKER}-->\n")
    markdown, blocks = set_aside(page, MARKER)
    assert [block.search for block in blocks] == [SEARCH_ALL, SEARCH_NONE, SEARCH_TEXT]
    assert blocks[0].html == "<table>\n<tr><td>a</td></tr>\n</table>"
    assert "<table" not in markdown and "<!--northstarffff-->" in markdown  # another marker is text
    converted = f"<h1>Title</h1>\n<p>{MARKER}x0</p>\n<pre>...</pre>\n<p>{MARKER}x1</p>\n<p>{MARKER}x2</p>"
    searched = put_back(converted, MARKER, blocks)
    assert "<tr><td>a</td></tr>" in searched and "data-search-exclude" not in searched
    assert "Owner Ada &amp; Bo" in searched and "<td>Owner" not in searched  # its words, not its markup
    assert put_back_unsearched(searched, MARKER, blocks) == (
        "<h1>Title</h1>\n<table>\n<tr><td>a</td></tr>\n</table>\n<pre>...</pre>\n<table data-search-exclude>\n</table>\n"
        + blocks[2].html)


def test_set_aside_leaves_fences_that_are_not_on_lines_of_their_own_as_written():
    page = (f"text <!--{MARKER}-->\n<b>mid-line</b>\n<!--/{MARKER}-->\n\n"
            f"<!--{MARKER}-->\n<i>tail after the closing</i>\n<!--/{MARKER}--> tail\n\n"
            f"<!--{MARKER}-->\n<u>never closed</u>\n")
    assert set_aside(page, MARKER) == (page, [])
    fenced = f"<!--{MARKER}-->\n<b>first</b>\n<!--/{MARKER}-->"  # at the very start and end
    assert set_aside(fenced, MARKER) == (f"{MARKER}x0", [AsideBlock("<b>first</b>", SEARCH_ALL)])


def _large_theme(plans: int) -> dict[str, str]:
    files = {key: value for key, value in CLEAN_PLANS.items() if "/search/" not in key}
    for index in range(plans):
        files[f"plans/search/p{index}.md"] = (
            f"---\ntitle: Plan {index}\nthemes: [better-search]\nstatus: planned\n---\n"
            f"Paragraph of plan {index}.\n")
    return files


@pytest.fixture(scope="module")
def large_site(tmp_path_factory) -> Path:
    root = make_site(tmp_path_factory.mktemp("large"), _large_theme(13))
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    return root / "site"


def test_a_large_themes_story_names_its_plans_without_their_paragraphs(large_site):
    narrative = (large_site / "strategy/narrative/index.html").read_text(encoding="utf-8")
    assert "The work, 13 plans" in narrative
    assert re.search(r'<li><strong><a href="../plans/p12/">Plan 12</a></strong> \(planned, team search, 2025\)</li>',
                     narrative)
    assert "Paragraph of plan" not in narrative
    loyalty = narrative.split("Loyalty", 1)[1]  # a small theme keeps its plans' paragraphs
    assert "Points for every order." in loyalty


def test_listings_show_every_plan_with_served_links(large_site):
    theme = (large_site / "strategy/themes/better-search/index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr><td><a href="\.\./\.\./plans/(p\d+)/">Plan \d+</a></td>', theme)
    assert sorted(rows) == sorted(f"p{index}" for index in range(13))
    for row in rows:
        assert (large_site / f"strategy/plans/{row}/index.html").is_file()


def test_search_indexes_records_not_the_pages_and_listings_that_repeat_them(large_site):
    index = json.loads((large_site / "search/search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert "strategy/plans/p3/" in locations and "strategy/themes/better-search/" in locations
    assert not locations & {"strategy/narrative/", "strategy/roadmap/", "strategy/coverage/"}
    theme_text = " ".join(doc["text"] for doc in index["docs"]
                          if doc["location"].startswith("strategy/themes/better-search/"))
    assert "Search is the front door of the shop." in theme_text  # the theme's own words
    assert "Plan 3" not in theme_text  # its listing of plans: those have pages of their own
    plan_text = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("strategy/plans/p3/"))
    assert "Better search" in plan_text and "Paragraph of plan 3." in plan_text  # a record's metadata stays
    assert "Owner" in plan_text and "planned" in plan_text
    assert not re.search(r"northstar[0-9a-f]{24}", json.dumps(index))  # no placeholder leaked


def test_no_placeholder_reaches_any_page(large_site):
    for page in large_site.rglob("*.html"):
        assert not re.search(r"northstar[0-9a-f]{24}", page.read_text(encoding="utf-8")), page


def test_the_roadmaps_phone_list_folds_a_crowded_period_into_a_link_to_its_section(tmp_path):
    root = make_site(tmp_path, _large_theme(FOLD + 3))
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    roadmap = (root / "site/strategy/roadmap/index.html").read_text(encoding="utf-8")
    more = re.findall(r'<li class="northstar-timeline__more-plans"><a href="#([^"]+)">(\d+) more plans in ([^<]+)</a></li>',
                      roadmap)
    assert more, "no period was folded"
    for anchor, count, period in more:
        # The link leads to the period's own section, which lists every plan of it.
        assert re.search(rf'<h2 id="{re.escape(anchor)}">{re.escape(period)}', roadmap), anchor
    assert int(more[0][1]) >= 3
