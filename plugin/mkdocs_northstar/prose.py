"""Where a record's body is prose and where it is code, read the way Python-Markdown reads
it (with MkDocs' fenced code or PyMdown's superfences): a link in code shows as written, a
link in prose is a link.

Code is a fenced block (a run of three or more backticks or tildes, closed by the same
run at the same indentation; an unclosed fence is not one, and as with superfences no
fence follows it, where MkDocs' default fenced code would still find later ones), an
indented block (four spaces deeper than the list item or admonition it may belong to)
and a code span. A code span lies within one paragraph, heading, list item or reference
line: it never crosses a blank line. Its opening run of backticks is closed by the next
run of the same length; where there is none, Python-Markdown falls back on the longest
run after it if that is shorter, and otherwise reads on twice the opening's length on.

Every step is linear in the body's length (up to a logarithm): bodies come from pull
requests, and a body of unclosed fences or unmatched backticks costs no more than any other.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterator

_FENCE = re.compile(r"( *)(`{3,}|~{3,})([^\n]*)")
_FENCE_LINE = re.compile(r"^[ \t]*(?:```|~~~)", re.MULTILINE)
_INDENTED = re.compile(r"^(?: {4}|\t)", re.MULTILINE)
_RUN = re.compile("`+")
_MAY_BREAK = set("#>[ -_*+=0123456789")  # how every line that may end a paragraph starts
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


def prose(text: str) -> Iterator[tuple[int, int]]:
    """The (start, end) offsets of the stretches of text that Markdown reads as prose: out
    of code blocks and code spans. A stretch lies within one paragraph (or heading, list
    item, reference line), so a pattern run over it does not reach into the next."""
    if "`" not in text and "~~~" not in text and not _INDENTED.search(text):
        yield 0, len(text)  # no code at all (most bodies): no need to tell paragraphs apart
        return
    lines = _Lines(text)
    bounds = [0] + [offset for first, last in lines.fences for offset in (lines.start[first], lines.end[last])]
    gaps = list(zip(bounds[::2], bounds[1::2] + [len(text)]))
    if not any(text.find("`", start, end) >= 0 or _INDENTED.search(text, start, end) for start, end in gaps):
        yield from gaps  # code blocks, but no code span or indented line between them
        return
    for first, last in lines.units():
        start, end = lines.start[first], lines.end[last]
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


class _Lines:
    """A body's lines, with their offsets, indentation and fenced blocks."""

    def __init__(self, text: str):
        self.text = text
        raw = text.split("\n")
        self.lines = [line.rstrip("\r").expandtabs(4) if "\t" in line or "\r" in line else line for line in raw]
        self.start, self.end, offset = [], [], 0
        for line in raw:
            self.start.append(offset)
            offset += len(line)
            self.end.append(offset)
            offset += 1
        self.indent = [len(line) - len(line.lstrip(" ")) if line.strip() else None for line in self.lines]
        self.fences = self._fences()

    def _fences(self) -> list[tuple[int, int]]:
        """(first line, last line) of each fenced block."""
        starts = (match.start() for match in _FENCE_LINE.finditer(self.text))
        candidates = sorted({bisect_right(self.start, start) - 1 for start in starts})
        # The lines that could close a fence, by their indentation and run; the next line
        # less indented than each line (a fence's content keeps its opening's indentation).
        closers: dict[tuple[int, str], list[int]] = {}
        for number in candidates:
            match = _FENCE.fullmatch(self.lines[number].rstrip(" \t"))
            if match and not match.group(3):
                closers.setdefault((len(match.group(1)), match.group(2)), []).append(number)
        shallower = [len(self.lines)] * len(self.lines)
        if any(self.indent[number] for number in candidates):
            waiting: list[int] = []
            for number, indent in enumerate(self.indent):
                if indent is None:
                    continue
                while waiting and self.indent[waiting[-1]] > indent:
                    shallower[waiting.pop()] = number
                waiting.append(number)
        fences, resume = [], 0
        for number in candidates:
            match = _FENCE.fullmatch(self.lines[number])
            if number < resume or not match or (match.group(2)[0] == "`" and "`" in match.group(3)):
                continue
            same = closers.get((len(match.group(1)), match.group(2)), [])
            position = bisect_right(same, number)
            if position < len(same) and same[position] < shallower[number]:
                fences.append((number, same[position]))
                resume = same[position] + 1
            elif shallower[number] == len(self.lines):
                break  # never closed: superfences reads the rest as text, fences and all
            else:
                resume = shallower[number] + 1  # a line less indented ended it: no fence
        return fences

    def units(self) -> Iterator[tuple[int, int]]:
        """(first line, last line) of each stretch of lines Markdown reads inline as one."""
        fences = dict(self.fences)
        depth, number, count = 0, 0, len(self.lines)
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
            rel = self._relative(number, base)
            if _ATX.match(rel) or _RULE.fullmatch(rel) or _REFERENCE.match(rel):
                yield number, number
                number += 1
                depth = level
                continue
            if number + 1 < end and _SETEXT.fullmatch(self._relative(number + 1, base)):
                yield number, number
                number += 2
                depth = level
                continue
            item = _ITEM.match(rel)
            if item or _CONTAINER.match(rel):
                depth = level + 1 + (len(item.group(1)) // 4 if item else 0)
            else:
                depth = level
            first = number
            number += 1
            while number < end:
                rel = self._relative(number, base)
                if rel[:1] not in _MAY_BREAK:  # prose, as most lines are
                    number += 1
                    continue
                if _ATX.match(rel) or _RULE.fullmatch(rel) or _REFERENCE.match(rel):
                    break
                if item and _ITEM.match(rel):  # a list's next item
                    yield first, number - 1
                    first = number
                    depth = level + 1 + len(_ITEM.match(rel).group(1)) // 4
                elif _QUOTE.match(rel) and not _QUOTE.match(self._relative(first, base)):
                    yield first, number - 1
                    first = number
                number += 1
            yield first, number - 1
        return depth

    def _relative(self, number: int, base: int) -> str:
        line = self.lines[number]
        return line[min(base, self.indent[number]):]
