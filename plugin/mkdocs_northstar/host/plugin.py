"""The MkDocs plugin `northstar`: a thin adapter that hands the core's pages to MkDocs.

All the work (reading plans, the graph, rules, rendering) happens in the core,
which `northstar check` runs too; this module only translates to MkDocs' events.
"""

from __future__ import annotations

import logging
import os
import posixpath
import secrets
from functools import partial
from pathlib import Path
from typing import Callable
from urllib.parse import quote, urljoin

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from ..analysis import Analysis, analyse
from ..cache import RecordCache
from ..diagnostics import ERROR
from ..forked import Stream, available_cores
from ..render.pages import RenderOptions, failure_pages, page_renderers
from ..settings import ConfigError, Settings, settings_from
from .config import NorthstarConfig
from .pages import RecordPage, RenderedPage, SharedConverter, shares_a_converter
from .raw_html import pack, put_back, put_back_unsearched, restored, restored_from, set_aside, unpack

# Plain logger (not get_plugin_logger, which prefixes the plugin's name) so that each
# diagnostic line reads exactly as `northstar check` prints it. MkDocs counts the
# warnings logged here, so `mkdocs build --strict` fails on them.
log = logging.getLogger("mkdocs.plugins.northstar")

STYLESHEET = "assets/northstar/northstar.css"
_PACKAGE_ASSETS = Path(__file__).parent.parent / "assets"
# Markdown extensions the generated pages are written for; harmless to add to any site.
_EXTENSIONS = ("tables", "toc", "attr_list", "md_in_html", "admonition")
# Generated pages that belong in the navigation; record and team pages never do,
# since MkDocs' navigation costs grow with the square of the pages in it.
_NAV_PAGES = ("index.md", "coverage.md", "roadmap.md", "narrative.md", "sources.md")
# Pages rendered in one go where no child renders them, held until MkDocs reads them:
# rendered one by one between MkDocs' conversions, their code and data went cold in
# between (docs/performance.md has the figures).
RENDER_AHEAD = 32


class NorthstarPlugin(BasePlugin[NorthstarConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.analysis: Analysis | None = None
        self.serving = False
        self._record_paths: dict[str, str] = {}  # src_uri of a record page -> its plan file
        # Parsed plans, kept across `mkdocs serve` rebuilds (MkDocs keeps a plugin with
        # on_startup alive between them): an edit re-parses the files that changed.
        self.records = RecordCache()
        # Raw HTML blocks of the generated pages skip Python-Markdown (see render.set_aside):
        # fenced with a word drawn per process, which no plan can know to contain.
        self._html_marker = f"northstar{secrets.token_hex(12)}"
        self._aside: dict[str, tuple] = {}  # src_uri -> the page's blocks, until it is written
        self._restore = partial(restored_from, marker=self._html_marker)  # a record page's Markdown, whole
        self._converter: SharedConverter | None = None
        self._stream: Stream | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Under `mkdocs serve` an error must not stop the server: it is shown instead.
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path or ".").resolve().parent
        try:
            self.settings = settings_from(
                root, dict(self.config), docs_dir=os.path.relpath(config.docs_dir, root),
                repo_url=config.repo_url, edit_uri=config.edit_uri,
                config_file=Path(config.config_file_path).resolve() if config.config_file_path else None)
        except ConfigError as error:
            raise PluginError(str(error)) from None
        for extension in _EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        return config

    # Late, so that pages other plugins generate in on_files cannot shadow ours
    # unnoticed: a collision is reported below.
    @event_priority(-50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.settings is not None
        self._stop_rendering()
        # Only `mkdocs serve` builds again: a build's cache would be a stat of every plan
        # file, and a copy of every record, for nothing.
        cache = self.records if self.serving else None
        try:
            self.analysis = analysis = analyse(self.settings, cache, processes=available_cores())
        except ConfigError as error:
            if not self.serving:
                raise PluginError(str(error)) from None
            return self._show_failure(files, config, str(error))
        if cache is not None:
            parsed = cache.misses
            log.debug(f"northstar: {parsed} plan file{'s' if parsed != 1 else ''} parsed, "
                      f"{cache.hits} unchanged reused")
        self._report(analysis)

        prefix = self.settings.url_prefix
        self._record_paths = {f"{prefix}/{node.page}": node.path for node in analysis.strategy.nodes}
        self._converter = (SharedConverter(config.markdown_extensions, config.mdx_configs or {})
                           if shares_a_converter(config.markdown_extensions) else None)
        options = RenderOptions(directory_urls=config.use_directory_urls,
                                material_icons=_material_icons(config), html_marker=self._html_marker)
        renderers = page_renderers(analysis, options)
        # A forked child renders the pages in the order MkDocs reads them, a few ahead,
        # while this process converts and writes them: the rendering moves to another
        # core where there is one; without one, the pages are rendered here, a run of
        # RENDER_AHEAD at a time. A build with a child lets go of the graph here and reads
        # the plans again only if it has to render a page itself; `mkdocs serve` keeps it,
        # to re-parse only what changed. docs/performance.md weighs the child's costs.
        settings = self.settings
        again = None if self.serving else lambda: page_renderers(analyse(settings), options)
        self._stream = Stream(renderers, available_cores(), again=again, ahead=RENDER_AHEAD)
        self._add_pages(files, config, {uri: partial(self._stream.take, uri) for uri in renderers})
        for source in analysis.assets:
            self._add(files, File.generated(
                config, f"{prefix}/assets/{source}", abs_src_path=str(self.settings.plans_root / source),
                inclusion=InclusionLevel.NOT_IN_NAV))
        self._add(files, File.generated(config, STYLESHEET, abs_src_path=str(_PACKAGE_ASSETS / "northstar.css")))
        if not self.serving:
            # A build reads the plans once: from here on only the pages' renderers hold
            # the graph (none here when a child renders), until on_env.
            self.analysis = None
        return files

    def _report(self, analysis: Analysis) -> None:
        for diagnostic in analysis.diagnostics:
            (log.error if diagnostic.severity == ERROR else log.warning)(diagnostic.as_text())
        if analysis.errors and not self.serving:
            raise PluginError(
                f"northstar: {analysis.errors} error{'s' if analysis.errors != 1 else ''} in "
                f"{self.settings.plans_dir}/; the site was not built. Run `northstar check` to see them again.")
        if analysis.errors:
            log.info(f"northstar: serving the site despite {analysis.errors} error"
                     f"{'s' if analysis.errors != 1 else ''}; they are listed on {self.settings.url_prefix}/problems/")

    def _show_failure(self, files: Files, config: MkDocsConfig, message: str) -> Files:
        # While serving, a strategy that cannot be read at all (plans_dir deleted or
        # renamed) must not stop the server: the overview and problems pages say why.
        log.error(f"northstar: {message}")
        self.analysis, self._record_paths = None, {}
        self._add_pages(files, config, {uri: partial(str, text) for uri, text in failure_pages(message).items()})
        return files

    def _add_pages(self, files: Files, config: MkDocsConfig, pages: dict[str, Callable[[], str]]) -> None:
        """Hand pages to MkDocs, each rendered when MkDocs reads it; only the overview
        pages go into the navigation."""
        for uri, render in pages.items():
            inclusion = InclusionLevel.UNDEFINED if uri in _NAV_PAGES else InclusionLevel.NOT_IN_NAV
            file = RenderedPage.generated(config, f"{self.settings.url_prefix}/{uri}", content="", inclusion=inclusion)
            file.render = render
            if inclusion is InclusionLevel.NOT_IN_NAV:
                # A page out of the navigation keeps the Page made here (MkDocs makes
                # one only for a file that has none). Those in it get MkDocs' own, which
                # takes its title from the nav.
                RecordPage(None, file, config).converter = self._converter
            self._add(files, file)

    @staticmethod
    def _add(files: Files, file: File) -> None:
        existing = files.src_uris.get(file.src_uri)
        if existing is not None:
            log.warning(f"northstar: the generated page '{file.src_uri}' replaces the file of the same name")
            files.remove(existing)
        files.append(file)

    # Last, so that other plugins' on_page_markdown see the blocks' placeholders only
    # once they have run; first to put them back, before others read the HTML.
    @event_priority(-100)
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if page.file.generated_by != "northstar":
            return markdown
        markdown, self._aside[page.file.src_uri] = set_aside(markdown, self._html_marker)
        return markdown

    @event_priority(100)
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        blocks = self._aside.get(page.file.src_uri)
        if not blocks:
            return html
        # The blocks wait packed (docs/performance.md has the figures): those still to go
        # back until the page is written, after every other page has been converted.
        self._aside[page.file.src_uri] = waiting = tuple(pack(block) for block in blocks)
        # Converted: from here on other plugins read the page's Markdown as rendered.
        if isinstance(page, RecordPage):
            page.restore_when_read(self._restore, waiting)
        else:
            page.markdown = restored(page.markdown, self._html_marker, blocks)
        return put_back(html, self._html_marker, blocks)

    @event_priority(-100)
    def on_page_context(self, context, *, page: Page, config: MkDocsConfig, nav):
        # A generated page has no file in docs_dir to edit; a record page's edit button
        # opens its plan file instead, and the others lose it.
        if page.file.generated_by == "northstar":
            plan_file = self._record_paths.get(page.file.src_uri)
            page.edit_url = self._edit_url(config, plan_file) if plan_file else None
        return context

    # First, so that other plugins' on_post_page see the finished page. The listings
    # that repeat other records go back in only now: after Material's search indexed the
    # page (so they cost the index nothing), and into the written HTML, not into
    # page.content, which MkDocs keeps for every page until the build ends.
    @event_priority(100)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        waiting = self._aside.pop(page.file.src_uri, None)
        if not waiting:
            return output
        blocks = [unpack(block) for block in waiting]
        return put_back_unsearched(output, self._html_marker, blocks)

    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        # MkDocs has read and converted every page by now. A build that rendered them
        # here (no child) lets go of the graph and the renderers' caches now (objects the
        # garbage collector would otherwise walk to the end): each generated file reads as
        # its front matter and the Markdown MkDocs holds anyway as page.markdown.
        self._stop_rendering()
        if not self.serving:
            for file in files:
                if isinstance(file, RenderedPage):
                    file.settle()
            # The renderers, and the graph they hold, go now: the collector would walk
            # them in every full collection of the rest of the build.
            self._stream = None
        return env

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_rendering()

    def _stop_rendering(self) -> None:
        # Every page has been read (or the build failed): the rendering child has
        # finished, or is stopped; a page read again later renders here.
        if self._stream is not None:
            self._stream.close()

    def _edit_url(self, config: MkDocsConfig, plan_file: str) -> str | None:
        if not config.repo_url or not config.edit_uri:
            return None
        edit_uri = config.edit_uri
        docs = self.settings.docs_dir.strip("/")
        # edit_uri points at docs_dir ("edit/main/docs/"); plans sit beside docs_dir.
        trimmed = edit_uri.rstrip("/")
        if trimmed == docs or trimmed.endswith("/" + docs):
            base = trimmed[: len(trimmed) - len(docs)]
        elif "?" in edit_uri or "#" in edit_uri:
            return None  # a query-style edit_uri cannot be re-aimed safely
        else:
            base = posixpath.join(trimmed, posixpath.relpath(".", docs)) + "/"
        # The file's path is quoted as MkDocs quotes its pages' URLs: themes print the edit
        # URL into an href unescaped, and a file may be named `q" onmouseover="....md`.
        return urljoin(config.repo_url.rstrip("/") + "/", base.lstrip("/") + quote(plan_file, safe="/"))

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        # Plans live outside docs_dir, so MkDocs would not notice them change.
        if self.settings is not None:
            server.watch(str(self.settings.plans_root))
        return server


def _material_icons(config: MkDocsConfig) -> bool:
    """Whether `:material-name:` shortcodes resolve: pymdownx.emoji with Material's icon index."""
    if "pymdownx.emoji" not in config.markdown_extensions:
        return False
    index = config.mdx_configs.get("pymdownx.emoji", {}).get("emoji_index")
    return getattr(index, "__module__", "").startswith("material.")
