"""Raw HTML blocks set aside from Python-Markdown behind the build's marker, and put
back after it converted the page (what the search index gets of each, then the block)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Callable

# What the search index gets of a raw HTML block the plugin set aside: the block, its
# words without the markup (a record's metadata: found by its owner's name, at a few
# tags' cost instead of some eighty), or nothing (a listing of records with pages of
# their own). The fence's first line says which.
SEARCH_ALL, SEARCH_TEXT, SEARCH_NONE = "", "~", "-"
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class AsideBlock:
    html: str
    search: str  # SEARCH_ALL, SEARCH_TEXT or SEARCH_NONE


def set_aside(markdown: str, marker: str) -> tuple[str, list[AsideBlock]]:
    """The page with each block fenced by `raw_html` replaced by a placeholder paragraph,
    and the blocks. Python-Markdown tokenizes a raw HTML block tag by tag only to pass it
    through unchanged: on a large strategy that was most of what the listings cost."""
    # str.find rather than a regular expression: this reads every generated page, and a
    # DOTALL pattern anchored at each line start cost far more (docs/performance.md).
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
