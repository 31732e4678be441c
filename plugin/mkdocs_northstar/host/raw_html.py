"""The raw-HTML protocol between the plugin and MkDocs. The raw HTML blocks of a generated
page (fenced by `render.html.raw_html`) are set aside before Python-Markdown runs (it would
only tokenize them to pass them through), put back into the converted HTML, and wait packed
until the page is written. Once a page is converted its Markdown is made whole again, so
that other plugins read the page as it was rendered, never a placeholder."""

from __future__ import annotations

import re
import zlib
from functools import partial
from typing import Callable, NamedTuple

from ..render.html import SEARCH_ALL, SEARCH_TEXT

_TAG = re.compile(r"<[^>]*>")


class AsideBlock(NamedTuple):
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


def restored(markdown: str, marker: str, blocks: list[AsideBlock]) -> str:
    """The page's Markdown with each placeholder `set_aside` left replaced by its block,
    as the page reads when rendered without a marker."""
    # A placeholder is a line of its own: `{marker}x1` must not match the start of `{marker}x10`.
    placeholder = re.compile(re.escape(marker) + r"x([0-9]+)(?=\n|\Z)")
    return placeholder.sub(lambda found: blocks[int(found.group(1))].html, markdown)


def restored_from(markdown: str, waiting: tuple[Waiting, ...], *, marker: str) -> str:
    """`restored` from the blocks as they wait, packed."""
    return restored(markdown, marker, [unpack(block) for block in waiting])


# A block set aside, waiting in memory from its page's conversion to its writing (and, for
# a page whose Markdown is read later, to the end of the build): its HTML as bytes, whether
# they are packed, and how it is searched. A plain tuple of bytes, a bool and a string,
# which Python's cyclic collector stops walking after its first look (it does not for a
# tuple subclass or an object): a large build holds tens of thousands until it ends.
Waiting = tuple[bytes, bool, str]

# A listing compresses about tenfold, its rows repeating the same markup. zlib sets up its
# tables on every call, which costs the same whatever the size: below this size a block
# waits as UTF-8 (half the size of a str holding any dash) instead. docs/performance.md
# has the figures.
PACK_FROM = 4096


def pack(block: AsideBlock) -> Waiting:
    payload = block.html.encode()
    packed = len(payload) >= PACK_FROM
    return (zlib.compress(payload, 1) if packed else payload), packed, block.search


def unpack(waiting: Waiting) -> AsideBlock:
    payload, packed, search = waiting
    return AsideBlock((zlib.decompress(payload) if packed else payload).decode(), search)
