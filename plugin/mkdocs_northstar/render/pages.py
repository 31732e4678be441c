"""Render the strategy as Markdown pages from Jinja templates.

The pages are plain Markdown (with Material's attr_list/md_in_html conventions),
keyed by their path below `url_prefix`, so the MkDocs plugin and `northstar
generate` publish exactly the same text. Every user string is escaped for the
place it lands; plan bodies stay the Markdown their authors wrote.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, pass_context

from ..analysis import Analysis
from ..model import Node
from ..read.schema import STATUSES
from ..views import StatusRow, periods_of, plans_naming, roadmap, status_counts, status_rollups, status_rows
from . import html as fragments, outcome_html
from . import html_coverage as coverage_fragments
from .bodies import BodyLinks, first_paragraph, nest_headings
from .maps import FULL_LIMIT
from .text import as_page_html, md, number, percent, yaml_string
from .urls import HtmlLinks, href, link

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class RenderOptions:
    """How the site that publishes the pages serves them."""

    # MkDocs' use_directory_urls: `themes/x.md` is served at `themes/x/`, else at
    # `themes/x.html`. Markdown links are rewritten by the site generator; links in
    # raw HTML (the SVG maps) are not, so they are computed for the served URLs.
    directory_urls: bool = True
    # Material's icon shortcodes (`:material-target:`) resolve: the plugin turns this
    # on when pymdownx.emoji uses Material's icons; plain Markdown output leaves it off.
    material_icons: bool = False
    # A word no plan can contain (the plugin draws one at random per build): each raw
    # HTML block is fenced with it, so the plugin can set the blocks aside before
    # Python-Markdown runs and put them back after (see `set_aside`). None: plain blocks.
    html_marker: str | None = None
    # "material": Material's grid cards, admonitions and content tabs; "plain": Markdown
    # any generator reads (quotations for call-outs, headings for tabs), for `generate`.
    flavor: str = "material"


class PageText(str):
    """A generated page's Markdown, front matter included, carrying that front matter
    as data too: `front` is its exact text and `meta` what YAML makes of it, so that
    an adapter can skip parsing YAML that was written a moment ago."""

    front: str
    meta: dict


@pass_context
def front_matter(context, title: str, tags=(), extra: dict | None = None) -> str:
    """A generated page's YAML front matter: its title, its tags, and any other keys
    (flat mappings of booleans, such as search: {exclude: true}). The rendering page
    keeps it as data as well (see PageText)."""
    meta: dict = {"title": as_page_html(title)}
    lines = ["---", f"title: {yaml_string(meta['title'])}"]
    if tags:
        meta["tags"] = [as_page_html(tag) for tag in tags]
        lines.append("tags:")
        lines.extend(f"  - {yaml_string(tag)}" for tag in meta["tags"])
    for key, value in (extra or {}).items():
        meta[key] = dict(value)
        flow = ", ".join(f"{name}: {json.dumps(flag)}" for name, flag in value.items())
        lines.append(f"{key}: {{{flow}}}")
    lines.append("---")
    text = "\n".join(lines)
    written = context.get("written_front_matter")
    if written is not None:
        written[:] = [text + "\n", meta]
    return text


class _CompiledTemplates(FileSystemBytecodeCache):
    """Compiled templates kept beside them, as Python keeps compiled modules in
    __pycache__: compiling the templates is a large part of the plugin's work on a small
    strategy (docs/performance.md). Jinja checks each entry against its template's source and the Python
    version; a damaged entry is compiled again. Where the folder cannot be written (a
    read-only install), or Python is told not to write bytecode, templates are compiled
    every time, as before."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - unreadable or cut short (Jinja lets some of that through)
            bucket.reset()  # compiled again, and written anew

    def dump_bytecode(self, bucket) -> None:
        if sys.dont_write_bytecode:
            return
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def template_environment(compiled: Path = TEMPLATES / "__pycache__") -> Environment:
    """The Jinja environment of the page templates, compiled templates kept in `compiled`."""
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=False,  # the output is Markdown: each value is escaped by a filter for its context
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # the templates ship with the package: no stat of the file per page
        bytecode_cache=_CompiledTemplates(str(compiled)),
    )
    environment.filters.update(md=md, number=number, percent=percent, link=link, href=href)
    return environment


def source_read(result) -> str:
    """What was read of a source: the commit of a git source, the content hash of an export."""
    read = result.read
    if "commit" in read:
        return f"{read.get('ref', 'HEAD')} at {read['commit'][:12]}"
    if "sha256" in read:
        return f"{read.get('path', '')} (sha256 {read['sha256'][:12]})"
    return read.get("path", "")


_ENVIRONMENT = template_environment()

# Every name the templates use besides their filters, in one place. They reach a page as
# its variables (see page_renderers), not as the environment's globals.
TEMPLATE_NAMES = dict(
    STATUSES=STATUSES, FULL_LIMIT=FULL_LIMIT,
    # Pages that only gather what record pages say (the narrative repeats every plan's
    # first paragraph, the roadmap and coverage their titles) stay out of Material's
    # search index: a search finds the record, not three pages that mention it
    # (docs/performance.md).
    NOT_SEARCHED={"search": {"exclude": True}},
    # Most plans a theme's story in the narrative tells with their first paragraphs; more
    # are listed by name. A dozen paragraphs under one heading is already a long read.
    NARRATIVE_TEASERS=12,
    # Warnings the overview names in its call-out when there is no error (the problems page lists all).
    WARNINGS_NAMED=5,
    periods_of=periods_of, status_rows=status_rows, status_counts=status_counts, plans_naming=plans_naming,
    nest_headings=nest_headings, first_paragraph=first_paragraph, front_matter=front_matter,
    # The HTML fragments: every piece of markup made from the strategy's data is built in html.py.
    icon=fragments.icon, objective_map=fragments.objective_map, strategy_map=fragments.strategy_map,
    status_badge=fragments.status_badge, progress_bar=fragments.progress_bar, plan_metadata=fragments.plan_metadata,
    plan_table=fragments.plan_table, team_objectives=fragments.team_objectives, roadmap_timeline=fragments.roadmap_timeline,
    period_anchor=fragments.period_anchor,
    tabs=fragments.tabs, status_stack=fragments.status_stack, status_listing=fragments.status_listing,
    linked_stack=fragments.linked_stack, child_objectives=fragments.child_objectives,
    objective_theme_matrix=coverage_fragments.objective_theme_matrix,
    objectives_coverage=coverage_fragments.objectives_coverage, themes_coverage=coverage_fragments.themes_coverage,
    teams_coverage=coverage_fragments.teams_coverage, team_objective_heat=coverage_fragments.team_objective_heat,
    coverage_gaps=coverage_fragments.coverage_gaps,
    plan_list=fragments.plan_list, breadcrumb=fragments.breadcrumb, period=fragments.period, problem_at=fragments.problem_at,
    source_metadata=fragments.source_metadata, source_read=source_read,
    # Outcomes over time (contract v1.1).
    key_results=outcome_html.key_results, objective_health=outcome_html.objective_health,
    worst_first=outcome_html.worst_first, latest_checkins=outcome_html.latest_checkins,
    period_scores=outcome_html.period_scores)


# --- Pages -----------------------------------------------------------------------------


def failure_pages(message: str) -> dict[str, str]:
    """The overview and problems pages of a strategy that cannot be read at all
    (plans_dir deleted or renamed while serving): they say why, and nothing else."""
    problem = (f"!!! failure \"The strategy could not be read\"\n\n    {md(message)}\n\n"
               "Fix it and save: the site rebuilds by itself.\n")
    pages = {}
    for uri, title in (("index.md", "Strategy"), ("problems.md", "Problems")):
        pages[uri] = f"---\ntitle: {title}\n---\n\n# {title}\n\n{problem}"
    pages["index.md"] += "\nSee [the problems](problems.md).\n"
    return pages


def page_renderers(analysis: Analysis, options: RenderOptions = RenderOptions()) -> dict[str, Callable[[], PageText]]:
    """A function rendering each generated page, keyed by the page's path below
    url_prefix, in a stable order. The plugin renders a page only when MkDocs reads it,
    so the text of every page is never held all at once."""
    strategy = analysis.strategy
    coverage = analysis.coverage
    body_links = BodyLinks(strategy, analysis.assets)
    problems_by_file: dict[str, list] = {}
    for diagnostic in analysis.diagnostics:
        problems_by_file.setdefault(diagnostic.file, []).append(diagnostic)
    rollups: dict[Node, list[StatusRow]] = {}

    def rolled_up(objective: Node) -> list[StatusRow]:
        if not rollups:  # once per build, for every objective
            rollups.update(status_rollups(strategy))
        return rollups[objective]

    # Jinja's own globals (range, namespace, ...) with the templates' names, once per build.
    common = dict(_ENVIRONMENT.globals, **TEMPLATE_NAMES, analysis=analysis, strategy=strategy, coverage=coverage,
                  options=options, links=HtmlLinks(options.directory_urls), rolled_up=rolled_up)

    def render(template: str, here: str, **context) -> PageText:
        compiled = _ENVIRONMENT.get_template(template)
        written: list = []
        variables = dict(common, here=here, written_front_matter=written, **context)
        # Rendered as a module on a shared context (Jinja's public make_module): the page's
        # variables are handed over as they are, where render would copy them per page.
        page = PageText(str(compiled.make_module(variables, shared=True)))
        if written and page.startswith(written[0]):
            page.front, page.meta = written
        return page

    def record_page(node: Node) -> str:
        return render(f"{node.kind}.md.j2", node.page, node=node, body=body_links.rewrite(node),
                      problems=problems_by_file.get(node.path, []),
                      entry=coverage.for_objective(node) if node.kind == "objective" else None)

    pages: dict[str, Callable[[], str]] = {
        "index.md": partial(render, "index.md.j2", "index.md"),
        "coverage.md": partial(render, "coverage.md.j2", "coverage.md"),
        "problems.md": partial(render, "problems.md.j2", "problems.md"),
        "roadmap.md": lambda: render("roadmap.md.j2", "roadmap.md", periods=roadmap(strategy)),
        "narrative.md": partial(render, "narrative.md.j2", "narrative.md",
                                body_of=lambda node: body_links.rewrite(node, "narrative.md")),
    }
    for node in strategy.nodes:
        pages[node.page] = partial(record_page, node)
    if strategy.sources is not None and strategy.sources.results:  # contract v1.2
        pages["sources.md"] = partial(render, "sources.md.j2", "sources.md")
        for guest in strategy.guests:
            if "://" not in guest.page:  # else its page is on the source's published site
                pages[guest.page] = partial(render, "source_record.md.j2", guest.page, node=guest)
    for team in coverage.teams:
        pages[f"teams/{team.slug}.md"] = partial(render, "team.md.j2", f"teams/{team.slug}.md", team=team)
    return dict(sorted(pages.items()))


def render_pages(analysis: Analysis, options: RenderOptions = RenderOptions()) -> dict[str, str]:
    """Every generated page, keyed by its path below url_prefix, in a stable order."""
    return {page: render() for page, render in page_renderers(analysis, options).items()}
