"""Where a record's body is prose and where it is code, read the way Python-Markdown reads
it (with MkDocs' fenced code or PyMdown's superfences): a link in code shows as written, a
link in prose is a link.

Code is a fenced block (a run of three or more backticks or tildes, closed by the same
run at the same indentation; an unclosed fence is not one, and as with superfences no
fence follows it, where MkDocs' default fenced code would still find later ones), an
indented block (four spaces deeper than the list item or admonition it may belong to)
and a code span. A code span lies within one paragraph, heading, list item, table cell or
reference line: it never crosses a blank line. Its opening run of backticks is closed by
the next run of the same length; where there is none, Python-Markdown (3.11) falls back
on the longest run after it if that is shorter, and otherwise reads on from twice the
opening's length past its start. tests/test_render_bodies.py holds this reading against
Python-Markdown's own.

Every step is linear in the body's length (up to a logarithm): bodies come from pull
requests, and a body of unclosed fences or unmatched backticks costs no more than any other.
"""

from __future__ import annotations

import posixpath
import re
from bisect import bisect_right
from itertools import accumulate
from typing import Iterator
from urllib.parse import quote, unquote

from ..model import Node, Strategy
from .urls import relative

_FENCE = re.compile(r"( *)(`{3,}|~{3,})([^\n]*)")
_RUN = re.compile("`+")
_PIPE = re.compile(r"\|")
_TABLE_RULE = re.compile(r" *\|?(?: *:?-+:? *\|)+ *(?::?-+:? *)?")
_MAY_BREAK = set("#>[ -_*+=!?0123456789")  # how every line that may end a paragraph starts
_ATX = re.compile(r"#{1,6}")
_RULE = re.compile(r" {0,3}(?:(?:-[ ]{0,2}){3,}|(?:_[ ]{0,2}){3,}|(?:\*[ ]{0,2}){3,})[ \t]*")
_SETEXT = re.compile(r"(?:=+|-+)[ \t]*")
_REFERENCE = re.compile(r" {0,3}\[[^\[\]]*\]:")
_QUOTE = re.compile(r" {0,3}>")
_ITEM = re.compile(r"( *)(?:[*+-]|\d+\.)[ ]+")
# Blocks whose content is indented by four spaces: admonitions, collapsible blocks, tabs.
_CONTAINER = re.compile(r"(?:!!!|\?\?\?\+?|===[+!]*)[ \t]")


def fenced_blocks(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of every fenced code block in text, in order."""
    lines = _Lines(text)
    return [(lines.start[first], lines.end[last]) for first, last in lines.fences]


def between(blocks: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The (start, end) offsets of the text around `blocks` (ordered, as fenced_blocks
    gives them) in a text of `length`: one stretch more than there are blocks."""
    bounds = [0] + [offset for block in blocks for offset in block] + [length]
    return list(zip(bounds[::2], bounds[1::2]))


def prose(text: str) -> Iterator[tuple[int, int]]:
    """The (start, end) offsets of the stretches of text that Markdown reads as prose: out
    of code blocks and code spans. A stretch ends where code starts, but may hold several
    paragraphs where no code lies between them: run patterns over it that do not cross a
    line break (Markdown links do not)."""
    if "`" not in text and "~~~" not in text and not _indented(text, 0, len(text)):
        yield 0, len(text)  # no code at all (most bodies): no need to tell paragraphs apart
        return
    lines = _Lines(text)
    gaps = between([(lines.start[first], lines.end[last]) for first, last in lines.fences], len(text))
    if not any(text.find("`", start, end) >= 0 or _indented(text, start, end) for start, end in gaps):
        yield from gaps  # code blocks, but no code span or indented line between them
        return
    for start, end in lines.units():
        if text.find("`", start, end) < 0:
            yield start, end
            continue
        for span_start, span_end in code_spans(text, start, end):
            if span_start > start:
                yield start, span_start
            start = span_end
        if end > start:
            yield start, end


def code_spans(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """The (start, end) offsets of the code spans in text[start:end], one paragraph."""
    end = len(text) if end is None else end
    if text.find("`", start, end) < 0:
        return
    runs = [(match.start(), match.end()) for match in _RUN.finditer(text[start:end])]
    # Where each length of run occurs, and from each run on the longest run at or after it
    # (the first of them): the closing run, or the fallback, without a scan per opening.
    lengths = [run_end - run_start for run_start, run_end in runs] + [0]
    at_length: dict[int, list[int]] = {}
    for index, length in enumerate(lengths[:-1]):
        at_length.setdefault(length, []).append(index)
    longest = [len(runs)] * (len(runs) + 1)  # len(runs): no run
    for index in range(len(runs) - 1, -1, -1):
        after = longest[index + 1]
        longest[index] = index if lengths[index] >= lengths[after] else after
    index, position = 0, 0  # the run where the next opening may be, and where it may start
    while index < len(runs):
        run_start, run_end = runs[index]
        opening = max(run_start, position)
        if opening >= run_end:
            index += 1
            continue
        if opening == run_start and _escaped(text, start + run_start, start + position):
            opening += 1  # a backslash takes the first backtick; the rest may still open
        ticks = run_end - opening
        same = at_length.get(ticks, [])
        found = bisect_right(same, index)
        closing = same[found] if found < len(same) else longest[index + 1]
        if ticks and (lengths[closing] == ticks or 0 < lengths[closing] < ticks):
            yield start + opening, start + runs[closing][1]
            index, position = closing + 1, runs[closing][1]
        else:
            # Python-Markdown 3.11 reads on twice the opening's length past its start, not
            # just past it: a later run of backticks may open a span from its middle.
            position = opening + 2 * ticks
            index += 1 if ticks else 0
            while index < len(runs) and runs[index][1] <= position:
                index += 1


def _escaped(text: str, at: int, searched_from: int) -> bool:
    """Whether a backslash takes the backtick at `at` when Python-Markdown looks for an
    opening from `searched_from` on: it takes backslashes in pairs from where it starts,
    and a backslash left over, or one before where it starts, escapes the backtick."""
    before = at
    while before > searched_from and text[before - 1] == "\\":
        before -= 1
    if before == searched_from and text[before - 1:before] == "\\":
        return True
    return (at - before) % 2 == 1


def _cells(text: str, start: int, end: int | None = None) -> Iterator[tuple[int, int]]:
    """The (start, end) offsets of the cells of the table row text[start:end]: split at each
    `|` outside a pair of equally long runs of backticks, as the tables extension does."""
    end = len(text) if end is None else end
    runs = [(match.start(), match.end()) for match in _RUN.finditer(text, start, end)]
    at_length: dict[int, list[int]] = {}
    for index, (run_start, run_end) in enumerate(runs):
        at_length.setdefault(run_end - run_start, []).append(index)
    paired, index = [], 0
    while index < len(runs):
        same = at_length[runs[index][1] - runs[index][0]]
        found = bisect_right(same, index)
        if found < len(same):
            paired.append((runs[index][0], runs[same[found]][1]))
            index = same[found] + 1
        else:
            index += 1
    cell, pair = start, 0
    for pipe in (match.start() for match in _PIPE.finditer(text, start, end)):
        while pair < len(paired) and paired[pair][1] <= pipe:
            pair += 1
        if pair < len(paired) and paired[pair][0] < pipe:
            continue
        yield cell, pipe
        cell = pipe + 1
    yield cell, end


def _indented(text: str, start: int, end: int) -> bool:
    """Whether a line in text[start:end] may be indented by four columns (any tab counts)."""
    return text.find("\t", start, end) >= 0 or text.find("\n    ", start, end) >= 0 or \
        (start == 0 and text.startswith("    "))


def _fence_marks(text: str) -> Iterator[int]:
    """Where a line starts with ``` or ~~~ after spaces or tabs (a possible fence)."""
    for mark in ("```", "~~~"):
        at = text.find(mark)
        while at >= 0:
            line = text.rfind("\n", 0, at) + 1
            if not text[line:at].strip(" \t"):
                yield at
            after = text.find("\n", at)
            at = text.find(mark, after) if after >= 0 else -1


class _Ends:
    """Where each line ends: where the next one starts, but for the line break."""

    def __init__(self, start: list[int]):
        self.start = start

    def __getitem__(self, number: int) -> int:
        return self.start[number + 1] - 1


def _expanded(line: str) -> str:
    return line.rstrip("\r").expandtabs(4) if "\t" in line or "\r" in line else line


class _Lines:
    """A body's lines, with their offsets, indentation and fenced blocks."""

    def __init__(self, text: str):
        self.text = text
        self.raw = text.split("\n")
        self.start = list(accumulate((len(line) + 1 for line in self.raw), initial=0))
        self.end = _Ends(self.start)
        self.lines: list[str] = []  # each line as Markdown reads it, once asked for
        self.indent: list[int | None] = []  # and its indentation in spaces; None if blank
        self.fences = self._fences()
        self.boxed = 0  # the level of the admonition (or tab) whose content may follow, if any

    def _read_lines(self) -> None:
        if not self.lines:
            self.lines = [_expanded(line) for line in self.raw]
            self.indent = [len(line) - len(line.lstrip(" ")) if line.strip() else None for line in self.lines]

    def _fences(self) -> list[tuple[int, int]]:
        """(first line, last line) of each fenced block."""
        candidates = sorted({bisect_right(self.start, at) - 1 for at in _fence_marks(self.text)})
        # The lines that could close a fence, by their indentation and run; the next line
        # less indented than each line (a fence's content keeps its opening's indentation).
        closers: dict[tuple[int, str], list[int]] = {}
        for number in candidates:
            match = _FENCE.fullmatch(_expanded(self.raw[number]).rstrip(" \t"))
            if match and not match.group(3):
                closers.setdefault((len(match.group(1)), match.group(2)), []).append(number)
        count = len(self.raw)
        shallower = None
        if any(self.raw[number][:1] in (" ", "\t") for number in candidates):
            shallower = [count] * count
            self._read_lines()
            waiting: list[int] = []
            for number, indent in enumerate(self.indent):
                if indent is None:
                    continue
                while waiting and self.indent[waiting[-1]] > indent:
                    shallower[waiting.pop()] = number
                waiting.append(number)
        fences, resume = [], 0
        for number in candidates:
            match = _FENCE.fullmatch(_expanded(self.raw[number]))
            if number < resume or not match or (match.group(2)[0] == "`" and "`" in match.group(3)):
                continue
            same = closers.get((len(match.group(1)), match.group(2)), [])
            position = bisect_right(same, number)
            ended = shallower[number] if shallower else count
            if position < len(same) and same[position] < ended:
                fences.append((number, same[position]))
                resume = same[position] + 1
            elif ended == count:
                break  # never closed: superfences reads the rest as text, fences and all
            else:
                resume = ended + 1  # a line less indented ended it: no fence
        return fences

    def units(self) -> Iterator[tuple[int, int]]:
        """(start, end) offsets of each stretch of text Markdown reads inline as one: a
        paragraph, heading, list item, reference line or table cell."""
        fences = dict(self.fences)
        self._read_lines()
        depth, number, count = 0, 0, len(self.raw)
        while number < count:  # one block of lines between blank lines and fences at a time
            if number in fences:  # a block at its indentation: deeper content is code again
                depth = min(depth, self.indent[number] // 4)
                number = fences[number] + 1
                continue
            if self.indent[number] is None:
                number += 1
                continue
            end = number
            while end < count and self.indent[end] is not None and end not in fences:
                end += 1
            depth = yield from self._block(number, end, depth)
            number = end

    def _block(self, number: int, end: int, depth: int):
        """The units of the lines number..end-1 (no blank line among them); returns the depth
        of list items and admonitions whose indented content may follow."""
        while number < end:
            level = self.indent[number] // 4
            if level > depth:  # an indented code block, up to the first line less indented
                while number < end and self.indent[number] >= 4 * (depth + 1):
                    number += 1
                continue
            base = 4 * level
            stop = end
            if level and level == self.boxed:  # an admonition's content ends with its indentation
                stop = number + 1
                while stop < end and self.indent[stop] >= base:
                    stop += 1
            elif level < self.boxed:
                self.boxed = 0
            rel = self._relative(number, base)
            if _ATX.match(rel) or _RULE.fullmatch(rel) or _REFERENCE.match(rel):
                yield self.start[number], self.end[number]
                number += 1
                depth = level
                continue
            if number + 1 < stop and _TABLE_RULE.fullmatch(self._relative(number + 1, base)) and \
                    len(list(_cells(rel, 0))) > 1:  # a table: each cell of each row on its own
                while number < stop and not _CONTAINER.match(self._relative(number, base)):
                    yield from _cells(self.text, self.start[number], self.end[number])
                    number += 1
                depth = level
                continue
            if number + 1 < stop and _SETEXT.fullmatch(self._relative(number + 1, base)):
                yield self.start[number], self.end[number]
                number += 2
                depth = level
                continue
            if _CONTAINER.match(rel):  # its title, then its content: the lines indented below it
                yield self.start[number], self.end[number]
                number += 1
                content = number
                while number < stop and self.indent[number] >= base + 4:
                    number += 1
                depth = self.boxed = level + 1
                yield from self._block(content, number, depth)
                depth = self.boxed = level + 1
                continue
            item = _ITEM.match(rel)
            depth = level + 1 + len(item.group(1)) // 4 if item else level
            if item:
                self.boxed = 0
            first = number
            number += 1
            while number < stop:
                rel = self._relative(number, base)
                if rel[:1] not in _MAY_BREAK:  # prose, as most lines are
                    number += 1
                    continue
                if _ATX.match(rel) or _RULE.fullmatch(rel) or _REFERENCE.match(rel) or _CONTAINER.match(rel):
                    break  # a line of its own, and a new block after it
                if item and _ITEM.match(rel):  # a list's next item
                    yield self.start[first], self.end[number - 1]
                    first = number
                    depth = level + 1 + len(_ITEM.match(rel).group(1)) // 4
                elif _QUOTE.match(rel) and not _QUOTE.match(self._relative(first, base)):
                    yield self.start[first], self.end[number - 1]
                    first = number
                number += 1
            yield self.start[first], self.end[number - 1]
        return depth

    def _relative(self, number: int, base: int) -> str:
        line = self.lines[number]
        return line[min(base, self.indent[number]):]


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


# --- Narrative --------------------------------------------------------------------------

_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_NOT_PROSE = re.compile(r"^( {0,3}(#|>|[-+*] |\d+[.)] |\||<|!\[|```|~~~|\[[^\]]+\]:)| {4}|\t)")


def _outside_fences(text: str, change) -> str:
    pieces, last = [], 0
    for start, end in between(fenced_blocks(text), len(text)):
        pieces.append(text[last:start])  # the fenced block before this stretch, as written
        pieces.append(change(text[start:end]))
        last = end
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
    text = "".join(text[start:end] for start, end in between(fenced_blocks(text), len(text)))  # no code blocks
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line.strip() for line in block.strip("\n").split("\n")]
        if lines and lines[0] and not _NOT_PROSE.match(block.strip("\n")) and not any(
                _SETEXT.match(line) for line in lines[1:]):
            return " ".join(lines)
    return ""


