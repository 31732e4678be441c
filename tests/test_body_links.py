"""Relative links and images in record bodies, through a real built site: every one
must lead to a file that exists in the site, as Python-Markdown reads the body."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from conftest import CLEAN_PLANS, PNG, make_site, mkdocs_build

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

