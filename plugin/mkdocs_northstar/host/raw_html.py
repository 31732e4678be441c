"""The raw-HTML protocol between the plugin and MkDocs: the raw HTML blocks of a
generated page are set aside before Python-Markdown runs (it would only tokenize them
to pass them through), put back into the converted HTML, and wait packed until the page
is written (render.set_aside, put_back and put_back_unsearched do the setting aside and
putting back). Once a page is converted its Markdown is made whole again, so that other
plugins read the page as it was rendered, never a placeholder."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from ..render.aside import SEARCH_ALL, AsideBlock


def restored(markdown: str, marker: str, blocks: list[AsideBlock]) -> str:
    """The page's Markdown with each placeholder `set_aside` left replaced by its block,
    as the page reads when rendered without a marker."""
    # A placeholder is a line of its own: `{marker}x1` must not match the start of `{marker}x10`.
    placeholder = re.compile(re.escape(marker) + r"x([0-9]+)(?=\n|\Z)")
    return placeholder.sub(lambda found: blocks[int(found.group(1))].html, markdown)


@dataclass(frozen=True)
class Waiting:
    """A block set aside, waiting in memory from its page's conversion to its writing."""

    payload: bytes
    packed: bool
    search: str

    # A listing compresses about tenfold, its rows repeating the same markup. zlib sets
    # up its tables on every call, which costs the same whatever the size: below this
    # size a block waits as UTF-8 (half the size of a str holding any dash) instead.
    # docs/performance.md has the figures.
    PACK_FROM = 4096

    @classmethod
    def pack(cls, block: AsideBlock) -> Waiting:
        if block.search == SEARCH_ALL:  # back in the page already
            return cls(b"", False, block.search)
        payload = block.html.encode()
        packed = len(payload) >= cls.PACK_FROM
        return cls(zlib.compress(payload, 1) if packed else payload, packed, block.search)

    def unpack(self) -> AsideBlock:
        return AsideBlock((zlib.decompress(self.payload) if self.packed else self.payload).decode(), self.search)
