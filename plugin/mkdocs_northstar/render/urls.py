"""Relative URLs between generated pages: as Markdown links (which the site generator
rewrites) and as the served URLs raw HTML needs."""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from jinja2 import pass_context

from ..model import Node
from .text import attr, md, text


def relative(target: str, here: str) -> str:
    """Link from page `here` to page `target`, both relative to url_prefix (a target on
    another site, a source's published page, is its URL)."""
    if "://" in target:
        return external(target)
    # posixpath.relpath makes both absolute against the working directory first; at
    # tens of thousands of links per build that was a third of the rendering time.
    target_parts = target.split("/")
    folder_parts = here.split("/")[:-1]
    if any(part in ("", ".", "..") for part in target_parts + folder_parts):
        return posixpath.relpath(target, posixpath.dirname(here) or ".")
    return _climb(target_parts, folder_parts) or "."


def external(url: str) -> str:
    """A source's published page: characters that could end a Markdown link or start
    markup (parentheses, angle brackets, spaces, quotes) percent-encoded."""
    return quote(url, safe=":/?#[]@!$&*+,;=%-._~")


def _climb(target_parts: list[str], folder_parts: list[str]) -> str:
    """The relative path from a folder to a target, both as plain names (no "." or ".."
    parts): out of the folders they do not share, then into the target's."""
    common = 0
    for target_part, folder_part in zip(target_parts, folder_parts):
        if target_part != folder_part:
            break
        common += 1
    return "/".join([".."] * (len(folder_parts) - common) + target_parts[common:])


@pass_context
def link(context, node: Node, label: str | None = None) -> str:
    shown = f"[{md(label if label is not None else node.title)}]({relative(node.page, context['here'])})"
    # A record of another strategy names its source (contract v1.2).
    return shown + f" *(from {md(node.source)})*" if node.source else shown


@pass_context
def href(context, target: str) -> str:
    return relative(target, context["here"])


def served_url(page: str, directory_urls: bool) -> str:
    """Where a page below url_prefix is served, relative to url_prefix."""
    if not directory_urls:
        return page[:-3] + ".html"
    if page == "index.md" or page.endswith("/index.md"):
        return page[: -len("index.md")]
    return page[:-3] + "/"


class HtmlLinks:
    """Relative links in raw HTML for one build. Where a page is served is worked out
    once per page, and a link's HTML once per URL and label: a plan is listed on its
    themes', objectives' and team's pages and the roadmap, and pages in folders of the
    same depth share the same URL for it."""

    def __init__(self, directory_urls: bool):
        self.directory_urls = directory_urls
        self._served: dict[str, tuple[list[str], bool]] = {}  # page -> URL parts, URL ends in "/"
        self._folders: dict[str, list[str]] = {}  # page -> the folders of its URL
        self._anchors: dict[tuple, str] = {}
        self.rows: dict[tuple, str] = {}  # listing rows (which depend on the place as links do) and bars
        self._page: str | None = None  # the page being rendered, and what it made twice
        self._page_memo: dict = {}

    def _parts(self, page: str) -> tuple[list[str], bool]:
        found = self._served.get(page)
        if found is None:
            url = served_url(page, self.directory_urls)
            found = self._served[page] = (url.split("/"), url.endswith("/") or not url)
        return found

    def href(self, target: str, here: str) -> str:
        """A relative URL from the served page `here` to the served page `target`."""
        if "://" in target:  # a source's published page
            return external(target)
        target_parts, target_is_folder = self._parts(target)
        here_parts, _ = self._parts(here)
        # Pages below url_prefix have plain slugs for names (no "." or ".." parts), so the
        # URL is the common folders climbed out of and the rest walked into; posixpath.relpath
        # would resolve both against the working directory, once per link of every listing.
        folder_parts = here_parts[:-1]
        if target_is_folder:
            target_parts = target_parts[:-1]
        url = _climb(target_parts, folder_parts)
        if target_is_folder:
            return url + "/" if url else "./"
        return url

    def place(self, target: str, here: str) -> object:
        """What a link from `here` to `target` depends on: pages with the same place get
        the same URL for it. Most links leave the top folder of the page they are on (a
        theme's page listing plans): their URL then depends only on how deep that page is."""
        if "://" in target:
            return external(target)
        folder = self._folders.get(here)
        if folder is None:
            folder = self._folders[here] = self._parts(here)[0][:-1]
        return len(folder) if folder and self._parts(target)[0][0] != folder[0] else here

    def anchor(self, target: str, label: object, here: str) -> str:
        """`<a href="...">label</a>` from page `here` to page `target`; the label is text."""
        key = (target, label, self.place(target, here))
        found = self._anchors.get(key)
        if found is None:
            found = self._anchors[key] = f'<a href="{attr(self.href(target, here))}">{text(label)}</a>'
        return found

    def page_memo(self, here: str) -> dict:
        """What the page `here` makes more than once, for that page only: a plan's page lists
        its objectives and themes in its breadcrumb and again in its metadata. Forgotten
        when the next page asks."""
        if here != self._page:
            self._page, self._page_memo = here, {}
        return self._page_memo


