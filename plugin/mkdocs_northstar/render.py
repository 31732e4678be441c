"""Render the strategy as Markdown pages from Jinja templates.

The pages are plain Markdown (with Material's attr_list/md_in_html conventions),
keyed by their path below `url_prefix`, so the MkDocs plugin and `northstar
generate` publish exactly the same text. Every user string is escaped for the
place it lands; plan bodies stay the Markdown their authors wrote.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from .analysis import Analysis
from .model import Node, Strategy, period_sort_key
from .schema import STATUSES

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


def page_title(text: object) -> str:
    # MkDocs and Material put a page's title into HTML without escaping it, so the
    # title handed over is already HTML; and it sits in YAML front matter.
    return yaml_string(html.escape(str(text), quote=True))


def page_tag(text: object) -> str:
    # Material's tags plugin puts tag names into the page (and its tag listings)
    # unescaped as well.
    return page_title(text)


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
    return posixpath.relpath(target, posixpath.dirname(here) or ".")


@pass_context
def link(context, node: Node, label: str | None = None) -> str:
    return f"[{md(label if label is not None else node.title)}]({relative(node.page, context['here'])})"


@pass_context
def href(context, target: str) -> str:
    return relative(target, context["here"])


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=False,  # the output is Markdown: each value is escaped by a filter for its context
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(md=md, attr=attr, yaml_string=yaml_string, page_title=page_title, page_tag=page_tag,
                               number=number, percent=percent, link=link, href=href)
    environment.globals.update(STATUSES=STATUSES)
    return environment


_ENVIRONMENT = _environment()


# --- Links inside plan bodies ---------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_INLINE_LINK = re.compile(r"(\]\()(<[^>\n]*>|[^)\s]+)")
_REFERENCE = re.compile(r"^( {0,3}\[[^\]\n]+\]:[ \t]*)(<[^>\n]*>|\S+)", re.MULTILINE)
_EXTERNAL = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|/|#)")


class BodyLinks:
    """Rewrites relative links in a record's body: to another plan file, onto that
    record's page; to a file beside the plans, onto its copy in the site."""

    def __init__(self, strategy: Strategy, assets: list[str]):
        self.by_source = strategy.by_source()
        self.assets = set(assets)

    def rewrite(self, node: Node) -> str:
        body = node.record.body
        if "](" not in body and "]:" not in body:
            return body
        pieces, last = [], 0
        for fence in _FENCE.finditer(body):  # code blocks are left exactly as written
            pieces.append(self._rewrite_text(body[last:fence.start()], node))
            pieces.append(fence.group())
            last = fence.end()
        pieces.append(self._rewrite_text(body[last:], node))
        return "".join(pieces)

    def _rewrite_text(self, text: str, node: Node) -> str:
        replace = lambda match: match.group(1) + self._target(match.group(2), node)  # noqa: E731
        return _REFERENCE.sub(replace, _INLINE_LINK.sub(replace, text))

    def _target(self, target: str, node: Node) -> str:
        bracketed = target.startswith("<")
        raw = target[1:-1] if bracketed else target
        if not raw or _EXTERNAL.match(raw):
            return target
        path, _, fragment = raw.partition("#")
        folder = posixpath.dirname(node.record.source)
        resolved = posixpath.normpath(posixpath.join(folder, path))
        other = self.by_source.get(resolved)
        if other is not None:
            new = relative(other.page, node.page)
        elif resolved in self.assets:
            new = relative(f"assets/{resolved}", node.page)
        else:
            return target
        new += f"#{fragment}" if fragment else ""
        return f"<{new}>" if bracketed else new


# --- Pages -----------------------------------------------------------------------------


def _render(template: str, here: str, **context) -> str:
    return _ENVIRONMENT.get_template(template).render(here=here, **context)


def render_pages(analysis: Analysis) -> dict[str, str]:
    """Every generated page, keyed by its path below url_prefix, in a stable order."""
    strategy = analysis.strategy
    coverage = analysis.coverage
    body_links = BodyLinks(strategy, analysis.assets)
    problems_by_file: dict[str, list] = {}
    for diagnostic in analysis.diagnostics:
        problems_by_file.setdefault(diagnostic.file, []).append(diagnostic)
    common = dict(analysis=analysis, strategy=strategy, coverage=coverage)

    pages: dict[str, str] = {}
    pages["index.md"] = _render("index.md.j2", "index.md", **common)
    pages["coverage.md"] = _render("coverage.md.j2", "coverage.md", **common)
    pages["problems.md"] = _render("problems.md.j2", "problems.md", **common)
    for node in strategy.nodes:
        pages[node.page] = _render(
            f"{node.kind}.md.j2", node.page, node=node, body=body_links.rewrite(node),
            problems=problems_by_file.get(node.path, []),
            entry=coverage.for_objective(node) if node.kind == "objective" else None, **common)
    for team in coverage.teams:
        pages[f"teams/{team.slug}.md"] = _render("team.md.j2", f"teams/{team.slug}.md", team=team, **common)
    return dict(sorted(pages.items()))


def periods_of(nodes) -> list[str | None]:
    return sorted({node.period for node in nodes}, key=period_sort_key)


_ENVIRONMENT.globals.update(periods_of=periods_of)
