"""Render the strategy as Markdown pages from Jinja templates.

The pages are plain Markdown (with Material's attr_list/md_in_html conventions),
keyed by their path below `url_prefix`, so the MkDocs plugin and `northstar
generate` publish exactly the same text. Every user string is escaped for the
place it lands; plan bodies stay the Markdown their authors wrote.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
import sys
from collections import deque
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, pass_context

from . import maps
from .analysis import Analysis
from .model import Node, Strategy, period_sort_key
from .prose import fenced_blocks, prose
from .read.schema import STATUSES

TEMPLATES = Path(__file__).parent / "templates"

# Characters that start Markdown (or a Markdown extension's) syntax inline, as
# numeric entities: they render as themselves and never as markup.
_INLINE = {char: f"&#{ord(char)};" for char in "\\`*_{}[]<>&|~^=:#!$"}
_INLINE_RE = re.compile("[" + re.escape("".join(_INLINE)) + "]")
# At the start of a line these would open a list, a quote or a numbered item.
_LINE_START = re.compile(r"^(\s*)([-+>]|\d+[.)])")


def md(text: object) -> str:
    """Escape text for inline Markdown: it shows as written, never as markup."""
    text = str(text).replace("\r", " ").replace("\n", " ")
    text = _INLINE_RE.sub(lambda match: _INLINE[match.group()], text)
    return _LINE_START.sub(lambda m: m.group(1) + "".join(f"&#{ord(c)};" for c in m.group(2)), text)


def attr(text: object) -> str:
    """Escape text for an HTML attribute value, also inside a Markdown autolink or
    table cell: as entities, '|' cannot end the cell and '`' cannot open code."""
    return html.escape(str(text), quote=True).replace("|", "&#124;").replace("`", "&#96;")


def yaml_string(text: object) -> str:
    """A YAML scalar that reads back as `text` (JSON strings are valid YAML)."""
    return json.dumps(str(text), ensure_ascii=True)


def as_page_html(text: object) -> str:
    # MkDocs and Material put a page's title into HTML without escaping it, and
    # Material's tags plugin its tag names: what they are handed is HTML already.
    return html.escape(str(text), quote=True)


def page_title(text: object) -> str:
    """A title for YAML front matter."""
    return yaml_string(as_page_html(text))


def number(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}"


def percent(ratio: float | None) -> str:
    return "–" if ratio is None else f"{round(ratio * 100)}%"


def relative(target: str, here: str) -> str:
    """Link from page `here` to page `target`, both relative to url_prefix."""
    # posixpath.relpath makes both absolute against the working directory first; at
    # tens of thousands of links per build that was a third of the rendering time.
    target_parts = target.split("/")
    folder_parts = here.split("/")[:-1]
    if any(part in ("", ".", "..") for part in target_parts + folder_parts):
        return posixpath.relpath(target, posixpath.dirname(here) or ".")
    common = 0
    for target_part, folder_part in zip(target_parts, folder_parts):
        if target_part != folder_part:
            break
        common += 1
    return "/".join([".."] * (len(folder_parts) - common) + target_parts[common:]) or "."


@pass_context
def link(context, node: Node, label: str | None = None) -> str:
    return f"[{md(label if label is not None else node.title)}]({relative(node.page, context['here'])})"


@pass_context
def href(context, target: str) -> str:
    return relative(target, context["here"])


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

    def _parts(self, page: str) -> tuple[list[str], bool]:
        found = self._served.get(page)
        if found is None:
            url = served_url(page, self.directory_urls)
            found = self._served[page] = (url.split("/"), url.endswith("/") or not url)
        return found

    def href(self, target: str, here: str) -> str:
        """A relative URL from the served page `here` to the served page `target`."""
        target_parts, target_is_folder = self._parts(target)
        here_parts, _ = self._parts(here)
        # Pages below url_prefix have plain slugs for names (no "." or ".." parts), so the
        # URL is the common folders climbed out of and the rest walked into; posixpath.relpath
        # would resolve both against the working directory, once per link of every listing.
        folder_parts = here_parts[:-1]
        if target_is_folder:
            target_parts = target_parts[:-1]
        common = 0
        for target_part, folder_part in zip(target_parts, folder_parts):
            if target_part != folder_part:
                break
            common += 1
        url = "/".join([".."] * (len(folder_parts) - common) + target_parts[common:])
        if target_is_folder:
            return url + "/" if url else "./"
        return url

    def place(self, target: str, here: str) -> object:
        """What a link from `here` to `target` depends on: pages with the same place get
        the same URL for it. Most links leave the top folder of the page they are on (a
        theme's page listing plans): their URL then depends only on how deep that page is."""
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


# --- Listings as raw HTML ---------------------------------------------------------------
# Python-Markdown sets a raw HTML block aside whole, where a Markdown table is parsed
# cell by cell and then inline by inline: the listings of a large strategy (every plan
# on its theme's, objective's and team's page, the roadmap, each plan's metadata) cost
# MkDocs more than all the plan bodies when they were Markdown. So they are written as
# the HTML Python-Markdown makes of a table, which Material styles and wraps alike.
# MkDocs does not rewrite links in raw HTML: they point where the pages are served.

_RIGHT = ' style="text-align: right;"'


# What the search index gets of a raw HTML block the plugin set aside: the block, its
# words without the markup (a record's metadata: found by its owner's name, at a few
# tags' cost instead of some eighty), or nothing (a listing of records with pages of
# their own). The fence's first line says which.
SEARCH_ALL, SEARCH_TEXT, SEARCH_NONE = "", "~", "-"
_TAG = re.compile(r"<[^>]*>")


@pass_context
def raw_html(context, block: str, search: str = SEARCH_ALL) -> str:
    """A raw HTML block, fenced with the build's marker when the plugin sets blocks aside."""
    if search == SEARCH_NONE and block.startswith("<table>"):  # for Material on any host; the plugin hands it over later
        block = block.replace("<table>", "<table data-search-exclude>", 1)
    marker = context["options"].html_marker
    return f"<!--{search}{marker}-->\n{block}\n<!--/{marker}-->" if marker else block


@dataclass(frozen=True)
class AsideBlock:
    html: str
    search: str  # SEARCH_ALL, SEARCH_TEXT or SEARCH_NONE


def set_aside(markdown: str, marker: str) -> tuple[str, list[AsideBlock]]:
    """The page with each block fenced by `raw_html` replaced by a placeholder paragraph,
    and the blocks. Python-Markdown tokenizes a raw HTML block tag by tag only to pass it
    through unchanged: on a large strategy that was most of what the listings cost."""
    # str.find rather than a regular expression: this reads every generated page (60 MB
    # at 10,000 plans), and a DOTALL pattern anchored at each line start took 0.9 s.
    blocks: list[AsideBlock] = []
    pieces, last = [], 0
    closing = f"\n<!--/{marker}-->"
    at = markdown.find(marker)
    while at != -1:
        search = markdown[at - 1] if at >= 5 and markdown[at - 1] in "~-" and markdown.startswith("<!--", at - 5) else ""
        start = at - 4 - len(search)
        end = markdown.find(closing, at)
        after = end + len(closing)
        fenced = (start >= 0 and markdown.startswith("<!--", start) and (start == 0 or markdown[start - 1] == "\n")
                  and markdown.startswith("-->\n", at + len(marker)) and end != -1
                  and (after == len(markdown) or markdown[after] == "\n"))
        if not fenced:  # not a fence on lines of its own: left as written
            at = markdown.find(marker, at + 1)
            continue
        pieces.append(markdown[last:start])
        pieces.append(f"{marker}x{len(blocks)}")
        blocks.append(AsideBlock(markdown[at + len(marker) + 4:end], search))
        last = after
        at = markdown.find(marker, last)
    if not blocks:
        return markdown, blocks
    pieces.append(markdown[last:])
    return "".join(pieces), blocks


def put_back(html_text: str, marker: str, blocks: list[AsideBlock]) -> str:
    """The converted page with its placeholders replaced by what the search index is to
    get of each block; `put_back_unsearched` puts the blocks themselves in after indexing."""
    def for_search(index: int, block: AsideBlock) -> str:
        if block.search == SEARCH_ALL:
            return block.html
        words = " ".join(_TAG.sub(" ", block.html).split()) if block.search == SEARCH_TEXT else ""
        return f"<!--{marker}x{index}-->{words}<!--/{marker}x{index}-->"

    return _replace_spans(html_text, [(f"<p>{marker}x{index}</p>", None, partial(for_search, index, block))
                                      for index, block in enumerate(blocks)])


def put_back_unsearched(html_text: str, marker: str, blocks: list[AsideBlock]) -> str:
    return _replace_spans(html_text, [(f"<!--{marker}x{index}-->", f"<!--/{marker}x{index}-->", partial(str, block.html))
                                      for index, block in enumerate(blocks) if block.search != SEARCH_ALL])


def _replace_spans(text: str, spans: list[tuple[str, str | None, Callable[[], str]]]) -> str:
    """`text` with each span (from its opening string to its closing one, or the opening
    alone) replaced by what its function returns; a span not found is left alone. With
    str.find, in one assembly: these run over every generated page's HTML."""
    found = []
    for opening, closing, replacement in spans:
        start = text.find(opening)
        if start == -1:
            continue
        end = start + len(opening)
        if closing is not None:
            end = text.find(closing, end)
            if end == -1:
                continue
            end += len(closing)
        found.append((start, end, replacement))
    if not found:
        return text
    found.sort(key=lambda span: span[0])
    pieces, last = [], 0
    for start, end, replacement in found:
        pieces.append(text[last:start])
        pieces.append(replacement())
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


_ALIGN = {False: "", True: _RIGHT, "center": ' style="text-align: center;"'}


def html_table(head: list[tuple[str, bool | str]], rows: list[list[object]]) -> str:
    """A table of `rows` under `head` (a label and its column's alignment: False for
    left, True for right, as figures are, or "center"), as one raw HTML block; labels
    and cells are HTML already."""
    aligns = [_ALIGN[align] for _, align in head]
    return _table(head, aligns, [_table_row(row, aligns) for row in rows])


def _table_row(cells: list[object], aligns: list[str]) -> str:
    return "<tr>" + "".join(f"<td{align}>{cell}</td>" for cell, align in zip(cells, aligns)) + "</tr>"


def _table(head: list[tuple[str, bool | str]], aligns: list[str], rows: list[str]) -> str:
    lines = ["<table>", "<thead>", "<tr>" + "".join(f"<th{align}>{label}</th>"
                                                    for (label, _), align in zip(head, aligns)) + "</tr>",
             "</thead>", "<tbody>", *rows, "</tbody>", "</table>"]
    return "\n".join(lines)


def text(value: object) -> str:
    """Escape text for raw HTML (it is not Markdown there: shown exactly as written)."""
    return html.escape(str(value), quote=False)


def _html_a(context, target: str, label: object) -> str:
    return context["links"].anchor(target, label, context["here"])


@pass_context
def html_link(context, node: Node, label: str | None = None) -> str:
    """A link to a record's page in raw HTML."""
    return _html_a(context, node.page, label if label is not None else node.title)


@pass_context
def html_links(context, nodes: list[Node], empty: str = "none") -> str:
    return ", ".join(_html_a(context, node.page, node.title) for node in nodes) if nodes else empty


@pass_context
def html_team_link(context, name: str | None) -> str:
    """A link to a team's page in raw HTML ("–" for no team)."""
    if not name:
        return "–"
    return _html_a(context, context["strategy"].teams[name].page, name)


def progress_bar(node: Node, compact: bool = False) -> str:
    """An objective's progress as one line of spans ("" where baseline or target is
    missing or equal): baseline on the left, target on the right whichever way is
    better, the fill up to the current value. Compact: the bar and the percentage, for
    a table cell. In Python, not a macro: a team's page shows one per objective served,
    about 9,000 at 10,000 plans."""
    fields = node.fields
    baseline, target = fields["baseline"], fields["target"]
    if baseline is None or target is None or baseline == target:
        return ""
    progress = node.progress
    shown = min(max(progress or 0, 0), 1)
    state = "none" if progress is None else "behind" if progress < 0 else "reached" if progress >= 1 else "on-way"
    unit = md(" " + str(fields["unit"])) if fields["unit"] else ""
    track = (f'<span class="northstar-measure__track" role="progressbar" aria-valuemin="0" aria-valuemax="100" '
             f'aria-valuenow="{int(round(shown * 100))}" aria-label="{attr(percent(progress))} of the way from '
             f'baseline to target"><span class="northstar-measure__fill" style="width: {round(shown * 100, 1)}%">'
             '</span></span>')
    if compact:
        return (f'<span class="northstar-measure northstar-measure--{state} northstar-measure--compact">{track}'
                f'<span class="northstar-measure__label">{percent(progress)}</span></span>')
    current = ("no measurement yet" if progress is None
               else f"current {number(fields['current'])}{unit} · {percent(progress)}")
    direction = "lower is better" if target < baseline else "higher is better"
    direction += {"behind": " · moved away from the target", "reached": " · target reached"}.get(state, "")
    return (f'<span class="northstar-measure northstar-measure--{state}">{track}'
            f'<span class="northstar-measure__scale"><span>baseline {number(baseline)}{unit}</span>'
            f'<span class="northstar-measure__current">{current}</span>'
            f'<span>target {number(target)}{unit}</span></span>'
            f'<span class="northstar-measure__direction">{direction}</span></span>')


class PageText(str):
    """A generated page's Markdown, front matter included, carrying that front matter
    as data too: `front` is its exact text and `meta` what YAML makes of it, so that
    an adapter can skip parsing YAML that was written a moment ago (30 us a page)."""

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


@pass_context
def plan_metadata(context, node: Node) -> str:
    """A plan page's table of status, team, themes, objectives, period, effort, owner,
    dependencies and links. Written in Python rather than in the template: it is on
    every plan page, and the template spent 2 s of a 10,000-plan build building it."""
    fields = node.fields
    rows = [["Status", status_badge(node.status)],
            ["Team", html_team_link(context, node.team)],
            ["Themes", html_links(context, node.themes)],
            ["Objectives", html_links(context, node.served)],
            ["Period", text(node.period or "–")],
            ["Effort", number(node.effort)],
            ["Owner", text(fields["owner"] or "–")]]
    if node.depends_on:
        rows.append(["Depends on", html_links(context, node.depends_on)])
    if node.dependents:
        rows.append(["Needed by", html_links(context, node.dependents)])
    if fields["links"]:
        rows.append(["Links", ", ".join(html_url(url) for url in fields["links"])])
    return raw_html(context, html_table(_METADATA_HEAD, rows), SEARCH_TEXT)


_METADATA_HEAD = [("", False), ("", False)]


def html_url(url: str) -> str:
    return f'<a href="{attr(url)}">{text(url)}</a>'


def status_badge(status: str) -> str:
    return f'<span class="northstar-status northstar-status--{status}">{status}</span>'


@pass_context
def plan_table(context, plans: list[Node], show_team: bool = True) -> str:
    """The plans of a theme, an objective or a team: status, team, effort, period."""
    if not plans:
        return "*No plans.*"
    head = [("Plan", False), ("Status", False)] + [("Team", False)] * show_team + [("Effort", True), ("Period", False)]
    # A plan's row is the same on every page at the same place (its themes', objectives'
    # and team's pages): it is built once per place, not once per listing.
    links, here, rows = context["links"], context["here"], []
    aligns = [_ALIGN[align] for _, align in head]
    for plan in plans:
        key = (plan.page, links.place(plan.page, here))  # strings: no work for the collector
        row = links.rows.get(key) if show_team else None
        if row is None:
            cells = ([html_link(context, plan), status_badge(plan.status)] + [text(plan.team or "–")] * show_team
                     + [number(plan.effort), text(plan.period or "–")])
            row = _table_row(cells, aligns)
            if show_team:  # without the team column it is the team's own page: shown once
                links.rows[key] = row
        rows.append(row)
    return raw_html(context, _table(head, aligns, rows), SEARCH_NONE)


@pass_context
def team_objectives(context, team) -> str:
    """The objectives a team's plans serve: progress, the team's plans and effort for each.
    In Python: a team serves about 45 objectives at 10,000 plans, with 200 teams."""
    serving = plans_serving(team.plans)
    bars, rows = context["links"].rows, []
    for objective in team.objectives:
        mine = serving.get(objective, [])
        bar = bars.get((objective.page, "bar"))
        if bar is None:  # the same on every team's page
            bar = bars[(objective.page, "bar")] = progress_bar(objective, compact=True) or "–"
        rows.append([html_link(context, objective), bar, len(mine), number(sum(plan.weight for plan in mine))])
    head = [("Objective", False), ("Progress", False), ("The team's plans for it", True), ("The team's effort", True)]
    return raw_html(context, html_table(head, rows), SEARCH_NONE)


@pass_context
def roadmap_table(context, groups: list[RoadmapGroup], what: str) -> str:
    """Plans per group and status; only the statuses some plan of the period is in, so
    the table fits a phone."""
    present = {plan.status for group in groups for plan in group.plans}
    shown = [status for status in STATUSES if status in present]
    rows = []
    for group in groups:
        label = _html_a(context, group.page, group.label) if group.page else f"<em>{text(group.label)}</em>"
        rows.append([label] + ["<br>".join(html_link(context, plan) for plan in group.by_status(status))
                               for status in shown])
    return html_table([(what, False)] + [(status, False) for status in shown], rows)


@pass_context
def coverage_cells(context, objective: Node) -> list[object]:
    """The objective's row of the objective × theme matrix: its plans in each theme, blank for none."""
    coverage = context["coverage"]
    return [coverage.cell(objective, theme) or "" for theme in context["strategy"].themes]


@pass_context
def html_heads(context, nodes: list[Node]) -> list[tuple[str, bool]]:
    """Right-aligned column heads linking to each node's page (a matrix's columns)."""
    return [(html_link(context, node), True) for node in nodes]


@pass_context
def html_team_heads(context, teams) -> list[tuple[str, str]]:
    """Centred column heads linking to each team's page (the team × objective matrix)."""
    return [(html_team_link(context, team.team), "center") for team in teams]


@pass_context
def tabs(context, number: int, labels_and_blocks: list[tuple[str, str]]) -> str:
    """Content tabs as pymdownx.tabbed writes them (alternate style, which Material's
    script and styles drive), so pages need not load the extension: the `number`th set
    on its page."""
    if context["options"].flavor == "plain":  # a heading per tab: no script switches them
        return "\n\n".join(f"**{md(label)}**\n\n{block}" for label, block in labels_and_blocks)
    count, checked = len(labels_and_blocks), 'checked="checked" '
    inputs = "".join(f'<input {checked if index == 1 else ""}id="__tabbed_{number}_{index}" '
                     f'name="__tabbed_{number}" type="radio" />' for index in range(1, count + 1))
    labels = "".join(f'<label for="__tabbed_{number}_{index}">{text(label)}</label>'
                     for index, (label, _) in enumerate(labels_and_blocks, 1))
    blocks = "\n".join(f'<div class="tabbed-block">\n{block}\n</div>' for _, block in labels_and_blocks)
    # The roadmap's tabs list plans, each with a page of its own (and the roadmap is out
    # of the search index): they go back into the page only when it is written.
    return raw_html(context, f'<div class="tabbed-set tabbed-alternate" data-tabs="{number}:{count}">{inputs}'
                             f'<div class="tabbed-labels">{labels}</div>\n<div class="tabbed-content">\n{blocks}\n</div>\n</div>',
                    SEARCH_NONE)


@pass_context
def icon(context, name: str) -> str:
    """A Material icon where the site resolves them, else nothing (the text stands alone)."""
    return f":material-{name}: " if context["options"].material_icons else ""


def _map_url(context) -> maps.Url:
    here, links = context["here"], context["links"]
    return lambda target: links.href(target, here)


def _map_html(diagram: maps.Diagram | None) -> str:
    if diagram is None:
        return ""
    legend = "".join(f'<span class="northstar-map__key northstar-map__key--{status}">{status}</span>'
                     for status in STATUSES)
    return (f'<div class="northstar-map">{maps.svg(diagram)}'
            f'<p class="northstar-map__legend">Plan status: {legend}</p></div>')


@pass_context
def objective_map(context, node: Node) -> str:
    """The objective's map as a raw HTML block, or "" when there is none to draw."""
    return _map_block(context, maps.objective_map(node, _map_url(context)))


@pass_context
def strategy_map(context) -> str:
    return _map_block(context, maps.strategy_map(context["strategy"], _map_url(context)))


def _map_block(context, diagram: maps.Diagram | None) -> str:
    # Set aside like the listings: Python-Markdown walked each map tag by tag, and the
    # search index has the records the map names already.
    return raw_html(context, _map_html(diagram), SEARCH_NONE) if diagram else ""


@dataclass(frozen=True)
class StatusRow:
    status: str
    plans: int
    effort: float | None  # the sum of the efforts given; None when no plan gives one
    share: float  # of the total weight (effort, or 1 where none is given)


def status_rows(plans: list[Node]) -> list[StatusRow]:
    """The plans' status roll-up, effort-weighted where efforts are given."""
    total = sum(plan.weight for plan in plans)
    rows = []
    for status in STATUSES:
        chosen = [plan for plan in plans if plan.status == status]
        if chosen:
            efforts = [plan.effort for plan in chosen if plan.effort is not None]
            rows.append(StatusRow(status, len(chosen), sum(efforts) if efforts else None,
                                  sum(plan.weight for plan in chosen) / total))
    return rows


def plans_serving(plans: list[Node]) -> dict[Node, list[Node]]:
    """The plans by each objective they serve, in one pass (a scan of the plans per
    objective grew with objectives × plans: both grow with the strategy)."""
    serving: dict[Node, list[Node]] = {}
    for plan in plans:
        for objective in plan.served:
            serving.setdefault(objective, []).append(plan)
    return serving


def descendants(objective: Node) -> list[Node]:
    """Child objectives, their children and so on (a parent cycle ends the walk)."""
    found: list[Node] = []
    seen = {objective}
    pending = deque(objective.children)
    while pending:
        child = pending.popleft()
        if child not in seen:
            seen.add(child)
            found.append(child)
            pending.extend(child.children)
    return found


class _Tally:
    """The plans of a roll-up, each once, and their status figures as they are added."""

    __slots__ = ("plans", "counts", "efforts", "weights")

    def __init__(self) -> None:
        self.plans: set[Node] = set()
        self.counts: dict[str, int] = {}
        self.efforts: dict[str, float] = {}
        self.weights: dict[str, float] = {}

    def add(self, plan: Node) -> None:
        if plan not in self.plans:
            self.plans.add(plan)
            status = plan.status
            self.counts[status] = self.counts.get(status, 0) + 1
            self.weights[status] = self.weights.get(status, 0) + plan.weight
            if plan.effort is not None:
                self.efforts[status] = self.efforts.get(status, 0) + plan.effort

    def rows(self) -> list[StatusRow]:
        total = sum(self.weights.values())
        return [StatusRow(status, self.counts[status], self.efforts.get(status), self.weights[status] / total)
                for status in STATUSES if status in self.counts]


def _merged(parts: list[_Tally], plans: list[Node]) -> _Tally:
    # The smaller tallies go into the largest: each plan moves O(log n) times in all.
    parts = sorted(parts, key=lambda tally: len(tally.plans), reverse=True)
    tally = parts[0] if parts else _Tally()
    for other in parts[1:]:
        for plan in other.plans:
            tally.add(plan)
    for plan in plans:
        tally.add(plan)
    return tally


def _parent_cycles(objectives: list[Node]) -> list[list[Node]]:
    """The loops through `parent` (each objective has at most one parent, so each
    walk up ends at a top objective or runs into a loop)."""
    walked: dict[Node, int] = {}
    loops = []
    for number, start in enumerate(objectives):
        path, node = [], start
        while node is not None and node not in walked:
            walked[node] = number
            path.append(node)
            node = node.parent
        if node is not None and walked[node] == number:  # back on this walk's own path
            loops.append(path[path.index(node):])
    return loops


def status_rollups(strategy: Strategy) -> dict[Node, list[StatusRow]]:
    """Each objective's status roll-up with its child objectives, theirs and so on: the
    plans serving any of them, each plan once. Computed for every objective at once,
    from the leaves up (walking each objective's descendants for its own page took 20 s
    for a chain of 1,500). The objectives of a parent loop all roll up the same plans."""
    objectives = strategy.of_kind("objective")
    loops = _parent_cycles(objectives)
    looped = {node for loop in loops for node in loop}
    order: list[Node] = []  # parents before their children
    pending = [node for node in objectives if node not in looped and (node.parent is None or node.parent in looped)]
    while pending:
        node = pending.pop()
        order.append(node)
        pending.extend(node.children)
    tallies: dict[Node, _Tally] = {}
    rollups: dict[Node, list[StatusRow]] = {}
    for node in reversed(order):
        tally = tallies[node] = _merged([tallies.pop(child) for child in node.children], node.serving)
        rollups[node] = tally.rows()
    for loop in loops:
        hanging = [tallies.pop(child) for node in loop for child in node.children if child not in looped]
        rows = _merged(hanging, [plan for node in loop for plan in node.serving]).rows()
        rollups.update((node, rows) for node in loop)
    return rollups


class _CompiledTemplates(FileSystemBytecodeCache):
    """Compiled templates kept beside them, as Python keeps compiled modules in
    __pycache__: compiling the ten templates takes 0.11 s, a fifth of the plugin's work
    on 1,000 plans. Jinja checks each entry against its template's source and the Python
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


def _environment(compiled: Path = TEMPLATES / "__pycache__") -> Environment:
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
    environment.filters.update(md=md, attr=attr, yaml_string=yaml_string, page_title=page_title,
                               number=number, percent=percent, link=link, href=href)
    environment.globals.update(STATUSES=STATUSES)
    return environment


_ENVIRONMENT = _environment()


# --- Links inside plan bodies ---------------------------------------------------------

_INLINE_LINK = re.compile(r"(\]\()(<[^>\n]*>|[^)\s]+)")
_REFERENCE = re.compile(r"^( {0,3}\[[^\]\n]+\]:[ \t]*)(<[^>\n]*>|\S+)", re.MULTILINE)
_EXTERNAL = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|/|#)")


class BodyLinks:
    """Rewrites relative links in a record's body: to another plan file, onto that
    record's page; to a file beside the plans, onto its copy in the site."""

    def __init__(self, strategy: Strategy, assets: list[str]):
        self.by_source = strategy.by_source()
        self.assets = set(assets)
        self._done: dict[tuple[int, str], str] = {}  # a plan shows once per theme in the narrative

    def rewrite(self, node: Node, here: str | None = None) -> str:
        """The body with its links made to work from page `here` (default: the record's own page)."""
        body = node.record.body
        if "](" not in body and "]:" not in body:
            return body
        if here is None or here == node.page:  # its own page: rendered once, not worth keeping
            return self._rewrite(body, node, node.page)
        key = (id(node), here)
        if key not in self._done:
            self._done[key] = self._rewrite(body, node, here)
        return self._done[key]

    def _rewrite(self, body: str, node: Node, here: str) -> str:
        """Rewrite the links in prose; code blocks and code spans are left exactly as written."""
        replace = lambda match: match.group(1) + self._target(match.group(2), node, here)  # noqa: E731
        pieces, last = [], 0
        for start, end in prose(body):
            # Run over the whole body, bounded to the stretch: a reference's `^` matches at a
            # line's start only, not where a stretch starts after a code span.
            found = []
            if body.find("](", start, end) >= 0:
                found += _INLINE_LINK.finditer(body, start, end)
            if body.find("]:", start, end) >= 0:
                found += _REFERENCE.finditer(body, start, end)
            for match in sorted(found, key=lambda match: match.start()):
                if match.start() >= last:
                    pieces.append(body[last:match.start()])
                    pieces.append(replace(match))
                    last = match.end()
        pieces.append(body[last:])
        return "".join(pieces)

    def _target(self, target: str, node: Node, here: str) -> str:
        bracketed = target.startswith("<")
        raw = target[1:-1] if bracketed else target
        if not raw or _EXTERNAL.match(raw):
            return target
        cut = min((at for at in (raw.find("?"), raw.find("#")) if at >= 0), default=len(raw))
        path, rest = raw[:cut], raw[cut:]  # GitHub's `?raw=true` and the `#fragment` stay as written
        folder = posixpath.dirname(node.record.source)
        found = None
        for written in dict.fromkeys((path, unquote(path))):  # as written, or percent-encoded as URLs are
            resolved = posixpath.normpath(posixpath.join(folder, written))
            other = self.by_source.get(resolved)
            found = other.page if other is not None else f"assets/{resolved}" if resolved in self.assets else None
            if found is not None:
                break
        if found is None:
            return target
        # Quoted as MkDocs quotes its own URLs: a file's name may hold spaces, quotes or '<'.
        new = quote(relative(found, here), safe="/") + rest
        return f"<{new}>" if bracketed else new


@dataclass(frozen=True)
class HeatCell:
    plans: int
    effort: float  # weight: effort, or 1 per plan without one
    heat: float  # effort relative to the largest cell, 0..1


def heat_map(coverage) -> list[tuple[Node, list[HeatCell]]]:
    """Per objective, per team (in coverage.teams order): the team's plans serving it."""
    # One pass over each team's plans: a scan of every plan per objective grew with
    # objectives × plans, and both grow with the strategy.
    counts: dict[tuple[int, Node], list] = {}
    for column, team in enumerate(coverage.teams):
        for plan in team.plans:
            for objective in plan.served:
                cell = counts.setdefault((column, objective), [0, 0])
                cell[0] += 1
                cell[1] += plan.weight
    rows = [(entry.objective, [counts.get((column, entry.objective), (0, 0)) for column in range(len(coverage.teams))])
            for entry in coverage.objectives]
    most = max((effort for _, cells in rows for _, effort in cells), default=0) or 1
    return [(objective, [HeatCell(plans, effort, effort / most) for plans, effort in cells])
            for objective, cells in rows]


# --- Narrative --------------------------------------------------------------------------

_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_NOT_PROSE = re.compile(r"^( {0,3}(#|>|[-+*] |\d+[.)] |\||<|!\[|```|~~~|\[[^\]]+\]:)| {4}|\t)")


def _outside_fences(text: str, change) -> str:
    pieces, last = [], 0
    for start, end in fenced_blocks(text):
        pieces.append(change(text[last:start]))
        pieces.append(text[start:end])
        last = end
    pieces.append(change(text[last:]))
    return "".join(pieces)


def nest_headings(text: str, levels: int) -> str:
    """Push every heading of a body down by `levels` (at most to level 6), so that a
    body placed under a page's own headings nests below them in the table of contents."""

    def change(chunk: str) -> str:
        lines = chunk.split("\n")
        for index, line in enumerate(lines):
            atx = _ATX.match(line)
            if atx:
                hashes = "#" * min(6, len(atx.group(2)) + levels)
                lines[index] = atx.group(1) + hashes + line[atx.end():]
            elif _SETEXT.match(line) and index and lines[index - 1].strip() and not _NOT_PROSE.match(lines[index - 1]):
                level = 1 if line.strip()[0] == "=" else 2
                lines[index - 1] = "#" * min(6, level + levels) + " " + lines[index - 1].strip()
                lines[index] = ""
        return "\n".join(lines)

    return _outside_fences(text, change)


def first_paragraph(text: str) -> str:
    """The first paragraph of plain prose in a body, on one line ("" if there is none)."""
    bounds = [0] + [offset for fence in fenced_blocks(text) for offset in fence] + [len(text)]
    text = "".join(text[start:end] for start, end in zip(bounds[::2], bounds[1::2]))  # no code blocks
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line.strip() for line in block.strip("\n").split("\n")]
        if lines and lines[0] and not _NOT_PROSE.match(block.strip("\n")) and not any(
                _SETEXT.match(line) for line in lines[1:]):
            return " ".join(lines)
    return ""


# --- Roadmap ----------------------------------------------------------------------------


@dataclass
class RoadmapGroup:
    label: str
    page: str | None  # the group's page below url_prefix; None for "no objective" and "no team"
    plans: list[Node]

    def by_status(self, status: str) -> list[Node]:
        return [plan for plan in self.plans if plan.status == status]


@dataclass
class RoadmapPeriod:
    period: str | None
    plans: list[Node]
    by_objective: list[RoadmapGroup]
    by_team: list[RoadmapGroup]


def roadmap(strategy: Strategy) -> list[RoadmapPeriod]:
    """Plans per period (their own or inherited), grouped by the objectives they serve
    (a plan serving two objectives shows under both) and by team."""
    periods = []
    in_period: dict[str | None, list[Node]] = {}
    for plan in strategy.plans:
        in_period.setdefault(plan.period, []).append(plan)
    for period in periods_of(strategy.plans):
        plans = in_period[period]
        # One pass over the plans per period: scanning them once per objective and once
        # per team grew with the square of the strategy (teams grow with the plans).
        serving: dict[Node, list[Node]] = {objective: [] for objective in strategy.objectives}
        of_team: dict[str, list[Node]] = {name: [] for name in strategy.teams}
        for plan in plans:
            for objective in plan.served:
                serving[objective].append(plan)
            if plan.team:
                of_team[plan.team].append(plan)
        by_objective = [RoadmapGroup(objective.title, objective.page, serving[objective])
                        for objective in strategy.objectives]
        by_objective.append(RoadmapGroup("No objective", None, [plan for plan in plans if not plan.served]))
        by_team = [RoadmapGroup(team.name, team.page, of_team[name]) for name, team in strategy.teams.items()]
        by_team.append(RoadmapGroup("No team", None, [plan for plan in plans if not plan.team]))
        periods.append(RoadmapPeriod(period, plans, [g for g in by_objective if g.plans],
                                     [g for g in by_team if g.plans]))
    return periods


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
    so the text of every page (60 MB at 10,000 plans) is never held all at once."""
    strategy = analysis.strategy
    coverage = analysis.coverage
    body_links = BodyLinks(strategy, analysis.assets)
    problems_by_file: dict[str, list] = {}
    for diagnostic in analysis.diagnostics:
        problems_by_file.setdefault(diagnostic.file, []).append(diagnostic)
    # Jinja's render copies the environment's globals (about fifty) into a new context
    # for every page; the pages share one copy instead (0.4 s at 10,000 plans).
    rollups: dict[Node, list[StatusRow]] = {}

    def rolled_up(objective: Node) -> list[StatusRow]:
        if not rollups:  # once per build, for every objective
            rollups.update(status_rollups(strategy))
        return rollups[objective]

    common = dict(_ENVIRONMENT.globals, analysis=analysis, strategy=strategy, coverage=coverage,
                  options=options, links=HtmlLinks(options.directory_urls), rolled_up=rolled_up)

    def render(template: str, here: str, **context) -> PageText:
        compiled = _ENVIRONMENT.get_template(template)
        written: list = []
        variables = dict(common, here=here, written_front_matter=written, **context)
        try:
            page = PageText(_ENVIRONMENT.concat(compiled.root_render_func(compiled.new_context(variables, shared=True))))
        except Exception:
            _ENVIRONMENT.handle_exception()  # raises it again, pointing at the template's line
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
    for team in coverage.teams:
        pages[f"teams/{team.slug}.md"] = partial(render, "team.md.j2", f"teams/{team.slug}.md", team=team)
    return dict(sorted(pages.items()))


def render_pages(analysis: Analysis, options: RenderOptions = RenderOptions()) -> dict[str, str]:
    """Every generated page, keyed by its path below url_prefix, in a stable order."""
    return {page: render() for page, render in page_renderers(analysis, options).items()}


def periods_of(nodes) -> list[str | None]:
    return sorted({node.period for node in nodes}, key=period_sort_key)


_ENVIRONMENT.globals.update(
    periods_of=periods_of, icon=icon, objective_map=objective_map, strategy_map=strategy_map,
    status_rows=status_rows, descendants=descendants,
    nest_headings=nest_headings, first_paragraph=first_paragraph, heat_map=heat_map, FULL_LIMIT=maps.FULL_LIMIT,
    html_table=html_table, html_heads=html_heads, html_team_heads=html_team_heads, coverage_cells=coverage_cells, html_link=html_link, html_links=html_links, html_team_link=html_team_link, status_badge=status_badge,
    plan_table=plan_table, roadmap_table=roadmap_table, tabs=tabs, front_matter=front_matter,
    plan_metadata=plan_metadata, progress_bar=progress_bar, team_objectives=team_objectives)
# Pages that only gather what record pages say (the narrative repeats every plan's first
# paragraph, the roadmap and coverage their titles) stay out of Material's search index:
# a search finds the record, not three pages that mention it (docs/performance.md).
# Most plans a theme's story in the narrative tells with their first paragraphs; more
# are listed by name. A dozen paragraphs under one heading is already a long read (the
# example's largest theme has 7 plans); at 40 per theme, as in the benchmark, the
# paragraphs were most of a 1.3 MB page per 1,000 plans.
_ENVIRONMENT.globals["NARRATIVE_TEASERS"] = 12
_ENVIRONMENT.globals.update(SEARCH_NONE=SEARCH_NONE)
_ENVIRONMENT.globals["NOT_SEARCHED"] = {"search": {"exclude": True}}
_ENVIRONMENT.filters.update(raw_html=raw_html, text=text)
