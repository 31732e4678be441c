"""A reader for the front matter nearly every plan file has: flat `key: value` lines.

At thousands of plans, libyaml through PyYAML costs more than everything else
`check` does (a node object per scalar and a Python call to resolve each). This
reads the common shape directly, with the same resolver and constructors as
PyYAML's safe loader, so the result is the same, value for value:

    title: Plan 42 — search ranking
    themes: [search, ranking]
    effort: 3
    objectives:
      - grow-revenue

Anything else — quotes, comments after a value, anchors, tags, nesting, block
scalars, a value continued on the next line, a repeated key, a tab, a character
YAML refuses — returns None and the caller parses the text with libyaml, which
also words any error.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_TEXT = "tag:yaml.org,2002:str"
_CONSTRUCTED = {"tag:yaml.org,2002:" + name for name in ("int", "float", "bool", "null", "timestamp")}
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# Characters that cannot start a plain scalar ('-' can, before a digit or a dot: -5, -.inf).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` ")
# What YAML refuses or reads differently (control characters, a BOM, tabs): libyaml's turn.
_UNUSUAL_CHARACTER = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_MEMO_LENGTH, _MEMO_SIZE = 64, 50_000  # hostile files cannot make the memo grow without end
_values: dict[str, Any] = {}  # plain scalar -> value
_keys: set[str] = set()


class _Refused(Exception):
    """Not the flat shape: libyaml reads it."""


def _plain(text: str) -> bool:
    """Whether a stripped, non-empty text on one line reads as itself, a plain scalar:
    no indicator first, no ': ' or ' #' inside, no ':' last."""
    first = text[0]
    return ((first not in _INDICATORS or (first == "-" and text[1:2] in _DIGITS_OR_DOT))
            and ": " not in text and " #" not in text and text[-1] != ":")


_DIGITS_OR_DOT = frozenset("0123456789.")


def _scalar(text: str) -> Any:
    """What PyYAML's safe loader makes of `text` as a plain scalar; _Refused when it is
    not one, or not one of the plain types."""
    try:
        return _values[text]  # only plain scalars get in
    except KeyError:
        pass
    if not text or not _plain(text):
        raise _Refused
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _TEXT:
        value = text
    elif tag in _CONSTRUCTED:  # all immutable, so sharing them is safe
        try:
            value = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, text))
        except Exception:  # noqa: BLE001 - a date such as 2020-13-01: libyaml's path words it
            raise _Refused from None
    else:
        raise _Refused
    if len(text) <= _MEMO_LENGTH and len(_values) < _MEMO_SIZE:
        _values[text] = value
    return value


def _key(text: str) -> bool:
    """Whether `text` is a key this reader takes: a name that YAML reads as that string."""
    if text in _keys:
        return True
    if not _KEY.fullmatch(text) or _scalar(text) != text:
        return False
    if len(_keys) < _MEMO_SIZE:
        _keys.add(text)
    return True


def _flow_sequence(text: str) -> list:
    """`[a, b]` on one line, every item plain; `[]`."""
    inner = text[1:-1]
    if text[-1] != "]" or "[" in inner or "]" in inner or "{" in inner or "}" in inner:
        raise _Refused
    if not inner.strip(" "):
        return []
    return [_scalar(item.strip(" ")) for item in inner.split(",")]  # an empty item is refused


def read_flat(matter: str, first_line: int) -> tuple[dict, dict[str, int]] | None:
    """The mapping and the file line of each key, or None when the front matter is
    not flat `key: value` lines (the caller then parses it with libyaml)."""
    if _UNUSUAL_CHARACTER.search(matter):
        return None
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    open_key: str | None = None  # a key with nothing after it: block sequence items may follow
    items: list | None = None
    indent = -1
    try:
        for number, line in enumerate(matter.split("\n")):
            if not line.strip(" ") or line[0] == "#":
                continue
            if open_key is not None:
                item = line.lstrip(" ")
                if item[0] == "-":
                    if item[1:2] != " ":
                        return None
                    if items is None:
                        items, indent = [], len(line) - len(item)
                        data[open_key] = items
                    elif len(line) - len(item) != indent:
                        return None
                    items.append(_scalar(item[2:].strip(" ")))
                    continue
            key, colon, rest = line.partition(":")
            if not colon or (rest and rest[0] != " ") or not _key(key):
                return None  # nesting, a continued value, `yes:` (a boolean)...
            if key in lines:
                return None  # the full reader reports the repeated key
            lines[key] = number + first_line
            open_key, items = None, None
            value = rest.strip(" ")
            if not value:
                data[key] = None
                open_key = key
            elif value[0] == "[":
                data[key] = _flow_sequence(value)
            else:
                data[key] = _scalar(value)  # quotes, a comment, an anchor, a tag... are refused
    except _Refused:
        return None
    return (data, lines) if data else None
