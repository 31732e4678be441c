"""MkDocs files and pages for the generated pages: the part of the adapter that shapes
how MkDocs holds and converts them.

- `RenderedPage` is a File whose Markdown is rendered when MkDocs reads it.
- `RecordPage` is a Page out of the navigation converted by one Markdown converter per
  build, reset between pages, where MkDocs builds a new one for every page; it takes the
  front matter its renderer wrote as data instead of parsing the YAML again, and puts its
  Markdown together again only when something reads it after conversion.

Both give MkDocs exactly what it would otherwise get; they change when and at what
cost (docs/performance.md has the figures).
"""

from __future__ import annotations

import logging
from typing import Any, Callable

import markdown
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data


class RenderedPage(File):
    """A generated page whose Markdown is rendered when it is read. MkDocs keeps every
    File until the build ends: holding the text of each generated page from on_files on
    would hold all of it at once. Setting its content makes it an ordinary File."""

    render: Callable[[], str] | None = None
    # The front matter of the text last rendered, with the blank lines after it: what
    # MkDocs takes off into page.meta and the page's Markdown leaves out.
    head: str = ""
    # Converted and let go of its renderer (see settle): its text is the front matter
    # and the Markdown its Page holds.
    settled: bool = False

    @property
    def content_string(self) -> str:
        if self.settled:
            return self.head + self.page.markdown
        if self.render is None:
            return File.content_string.fget(self)
        text = self.render()
        front = getattr(text, "front", None)  # a render.PageText straight from its renderer
        if front is not None:
            end = len(front)
            while text.startswith("\n", end):
                end += 1
            self.head = text[:end]
        return text

    @content_string.setter
    def content_string(self, value: str) -> None:
        self.render, self.settled = None, False
        File.content_string.fset(self, value)

    @property
    def content_bytes(self) -> bytes:
        if self.settled or self.render is not None:
            return self.content_string.encode("utf-8")
        return File.content_bytes.fget(self)

    @content_bytes.setter
    def content_bytes(self, value: bytes) -> None:
        self.render, self.settled = None, False
        File.content_bytes.fset(self, value)

    def settle(self) -> None:
        """Once MkDocs has converted the page: let go of the renderer, and with it the
        strategy graph. The file's text is from then on its front matter and the Markdown
        its Page holds anyway, joined only when read."""
        page = self.page
        # Converted (content set), so it has Markdown; asking for page.markdown itself
        # would put a record page's whole text together for nothing.
        if self.render is not None and page is not None and page.content is not None:
            self.render, self.settled = None, True


# Extensions whose state lives in the Markdown instance, or which clear it on reset(), so
# that one converter can convert page after page exactly as fresh ones would: Python-
# Markdown's own and PyMdown's (tests/test_host_pages.py holds the two ways to the same HTML).
# With any other extension configured, each page gets a fresh converter, as MkDocs does.
_RESETTABLE = ("markdown.extensions.", "pymdownx.")
_BUILT_IN = {"abbr", "admonition", "attr_list", "codehilite", "def_list", "extra", "fenced_code", "footnotes",
             "legacy_attrs", "legacy_em", "md_in_html", "meta", "nl2br", "sane_lists", "smarty", "tables", "toc",
             "wikilinks"}
# MkDocs' own per-page processors, which RecordPage registers as Page.render does.
_MKDOCS_PROCESSORS = ("_RawHTMLPreprocessor", "_ExtractAnchorsTreeprocessor", "_RelativePathTreeprocessor",
                      "_ExtractTitleTreeprocessor", "get_toc", "log")


def shares_a_converter(extensions: list) -> bool:
    """Whether pages of a site with these Markdown extensions can share a converter."""
    if not all(hasattr(mkdocs_pages, name) for name in _MKDOCS_PROCESSORS):
        return False  # a host whose Page.render works otherwise: leave it to it
    return all(isinstance(name, str) and (name in _BUILT_IN or name.startswith(_RESETTABLE)) for name in extensions)


class SharedConverter:
    """One Markdown converter for the generated pages of one build. Making one costs
    more the more extensions are configured, and MkDocs makes one per page: at thousands
    of plans that is seconds of every build (docs/performance.md)."""

    def __init__(self, extensions: list, configs: dict):
        self._extensions, self._configs = extensions, configs
        self._markdown: markdown.Markdown | None = None

    def render(self, page: Page, config, files) -> None:
        """What Page.render does, with the shared converter reset instead of a new one."""
        if self._markdown is None:
            self._markdown = markdown.Markdown(extensions=self._extensions, extension_configs=self._configs)
        converter = self._markdown
        converter.reset()
        # Registering under the same names replaces the previous page's processors.
        raw_html = mkdocs_pages._RawHTMLPreprocessor()
        raw_html._register(converter)
        anchors = mkdocs_pages._ExtractAnchorsTreeprocessor(page.file, files, config)
        anchors._register(converter)
        relative_paths = mkdocs_pages._RelativePathTreeprocessor(page.file, files, config)
        relative_paths._register(converter)
        title = mkdocs_pages._ExtractTitleTreeprocessor()
        title._register(converter)
        page.content = converter.convert(page.markdown)
        page.toc = mkdocs_pages.get_toc(getattr(converter, "toc_tokens", []))
        page._title_from_render = title.title
        page.present_anchor_ids = anchors.present_anchor_ids | raw_html.present_anchor_ids
        if mkdocs_pages.log.getEffectiveLevel() > logging.DEBUG:
            page.links_to_anchors = relative_paths.links_to_anchors


class RecordPage(Page):
    """A generated page out of the navigation: converted by the build's shared converter
    where there is one, its front matter taken as the renderer wrote it rather than parsed
    again, and its Markdown, once converted, made whole again only when it is read."""

    converter: SharedConverter | None = None
    _markdown: str | None = None
    _restore: Callable[[str, Any], str] | None = None
    _held: Any = None

    @property
    def markdown(self) -> str | None:
        """The page's Markdown as MkDocs and other plugins read it. After conversion the
        page holds it with placeholders for the raw HTML set aside (kept packed, see
        host/raw_html.py): the whole text is put together on each read, so that thousands
        of pages do not each hold their listings twice until the build ends."""
        if self._restore is not None and self._markdown is not None:
            return self._restore(self._markdown, self._held)
        return self._markdown

    @markdown.setter
    def markdown(self, value: str | None) -> None:
        self._markdown, self._restore, self._held = value, None, None

    def restore_when_read(self, restore: Callable[[str, Any], str], held: Any) -> None:
        """From now on the Markdown held is read as `restore(markdown, held)`, until it is
        set again. One `restore` serves every page: a page adds only what it holds."""
        self._restore, self._held = restore, held

    def read_source(self, config) -> None:
        """What Page.read_source does; only the YAML is not parsed again."""
        source = config.plugins.on_page_read_source(page=self, config=config)
        if source is None:
            source = self.file.content_string  # a rendered page: no file to fail reading
        front = getattr(source, "front", None)  # a render.PageText straight from its renderer
        if front is not None:
            # What mkdocs.utils.meta.get_data makes of it: tests/test_render.py holds the two equal.
            self.markdown, self.meta = source[len(front):].lstrip("\n"), source.meta
        else:
            self.markdown, self.meta = get_data(source)

    def render(self, config, files) -> None:
        if self.converter is None or self.markdown is None:
            return super().render(config, files)  # MkDocs' own way (and its word on what is wrong)
        self.converter.render(self, config, files)
