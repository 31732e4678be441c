"""What other plugins see of the generated pages (host/raw_html.py): the raw HTML
blocks set aside during conversion are back in the page's Markdown once it is
converted (put together when read, for pages out of the navigation), so that a plugin reading the pages at the end of the build (an RSS feed, a
print page, llms.txt) reads them as rendered, front matter and all."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from mkdocs.plugins import BasePlugin

import mkdocs_northstar.host.plugin
from conftest import build_here, make_site
from mkdocs_northstar.analysis import analyse
from mkdocs_northstar.host.raw_html import PACK_FROM, pack, restored, unpack
from mkdocs_northstar.host.raw_html import AsideBlock, set_aside
from mkdocs_northstar.render.html import SEARCH_NONE, SEARCH_TEXT
from mkdocs_northstar.render.pages import RenderOptions, render_pages
from mkdocs_northstar.settings import read_settings


class Reader(BasePlugin):
    """Another plugin: keeps the generated files and reads them once the site is built."""

    def __init__(self):
        self.files = []
        self.seen: dict[str, tuple[str, str]] = {}

    def on_env(self, env, *, config, files):
        self.files = [file for file in files if file.generated_by == "northstar" and file.page is not None]
        return env

    def on_post_build(self, *, config):
        self.seen = {file.src_uri: (file.page.markdown, file.content_string) for file in self.files}


def _build(root: Path) -> Reader:
    reader = Reader()
    build_here(root, reader=reader)
    return reader


@pytest.mark.parametrize("shared", [True, False], ids=["shared converter", "MkDocs' converter"])
@pytest.mark.parametrize("cores", [1, 2], ids=["here", "in a child"])
def test_other_plugins_read_the_generated_pages_as_rendered(tmp_path, monkeypatch, cores, shared):
    monkeypatch.setattr(mkdocs_northstar.host.plugin, "available_cores", lambda: cores)
    if not shared:  # as with a Markdown extension not known to reset
        monkeypatch.setattr(mkdocs_northstar.host.plugin, "shares_a_converter", lambda extensions: False)
    root = make_site(tmp_path)
    seen = _build(root).seen
    expected = render_pages(analyse(read_settings(str(root / "mkdocs.yml"))), RenderOptions())
    assert {uri.removeprefix("strategy/") for uri in seen} == set(expected)
    assert any("<table" in text for text in expected.values())  # pages with raw HTML blocks
    for uri, (markdown, content) in seen.items():
        text = expected[uri.removeprefix("strategy/")]
        assert content == text, uri
        assert markdown == text[len(text.front):].lstrip("\n"), uri


def test_restored_puts_each_block_back_in_its_place():
    marker = "northstar0123"
    blocks = [f"<table>\n<tr><td>{number}</td></tr>\n</table>" for number in range(12)]
    page = "# Title\n\n" + "\n\nBetween.\n\n".join(f"<!--{SEARCH_NONE}{marker}-->\n{block}\n<!--/{marker}-->"
                                                   for block in blocks) + "\n"
    plain = "# Title\n\n" + "\n\nBetween.\n\n".join(blocks) + "\n"
    aside, found = set_aside(page, marker)
    assert marker + "x11" in aside and "<table>" not in aside
    assert restored(aside, marker, found) == plain


@pytest.mark.parametrize("size", [10, PACK_FROM + 10])
def test_a_waiting_block_comes_back_whole(size):
    block = AsideBlock("<td>–</td>" * size, SEARCH_TEXT)
    assert unpack(pack(block)) == block


def test_waiting_blocks_drop_out_of_the_collectors_walk():
    # A large build holds one per listing until it ends: once the collector has looked at
    # them (the blocks, then the page's tuple of them), its full collections no longer walk
    # them (docs/performance.md).
    waiting = tuple(pack(AsideBlock("<td>–</td>" * size, SEARCH_TEXT)) for size in (10, PACK_FROM + 10))
    gc.collect()
    gc.collect()
    assert not gc.is_tracked(waiting) and not any(gc.is_tracked(block) for block in waiting)
