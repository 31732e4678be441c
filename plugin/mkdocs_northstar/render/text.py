"""Text for the places it lands: escaped for inline Markdown, an HTML attribute, raw
HTML or YAML, and the numbers, percentages and plurals every output writes the same way
(pages, the diff, the report, the export)."""

from __future__ import annotations

import html
import json
import re
from typing import Callable

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


def yaml_string(text: object, readable: bool = False) -> str:
    """A double-quoted YAML scalar that reads back as `text` (JSON strings are valid YAML):
    all ASCII, or `readable` with other characters as written, except the three that YAML
    takes for line breaks even inside quotes (JSON leaves them raw)."""
    if not readable:
        return json.dumps(str(text), ensure_ascii=True)
    return json.dumps(str(text), ensure_ascii=False).translate(_YAML_BREAKS)


_YAML_BREAKS = str.maketrans({char: f"\\u{ord(char):04x}" for char in "\u0085\u2028\u2029"})


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


def value_text(value, shown: Callable[[object], str]) -> str:
    """A field's value in a line of output: a number as `number` writes it, a list item by
    item, "–" for none, and any other value as `shown` writes text."""
    if value is None:
        return "–"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value)
    if isinstance(value, list):
        return ", ".join(value_text(item, shown) for item in value) or "[]"
    return shown(value)


SIGNIFICANT_DIGITS = 6


def rounded(data):
    """`data` with every float rounded to six significant digits (0.33333333333333315 is
    0.333333): sums of shares carry noise no reader needs. Integers stay integers, and a
    large float keeps its whole part (a target of 12345678.9 is 12345679.0, not 12345700.0)."""
    if isinstance(data, float):
        if data != data or data in (float("inf"), float("-inf")):
            return data
        return float(f"{data:.{max(SIGNIFICANT_DIGITS, len(str(int(abs(data)))))}g}")
    if isinstance(data, dict):
        return {key: rounded(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [rounded(value) for value in data]
    return data


def plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def text(value: object) -> str:
    """Escape text for raw HTML (it is not Markdown there: shown exactly as written)."""
    return html.escape(str(value), quote=False)
