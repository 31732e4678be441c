"""A finding about the plans, located by file and line, and its plain-text form."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"
OFF = "off"
SEVERITIES = (ERROR, WARNING, OFF)

# What ends a line somewhere or hides itself: C0 and C1 controls, DEL, and the Unicode
# line and paragraph separators. A file name or a YAML key may hold any of them; printed
# raw, a newline would start a line of its own, which CI runners read as a command.
# The bidirectional overrides and isolates reorder what a terminal or a browser shows.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: object, uniform: bool = False) -> str:
    """`text` on one line, its control characters and bidirectional overrides written out
    as escapes (a newline as `\\n`, NEL as `\\x85`, U+2028 as `\\u2028`): what goes into
    any line of text output. `uniform`: every one as `\\uXXXX` (ESC as `\\u001b`)."""
    if uniform:
        return _UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", str(text))
    return _UNPRINTABLE.sub(lambda match: _visible(match.group()), str(text))


# JSON leaves these three raw in a string; many readers (and JavaScript before ES2019) take
# them for line ends. As escapes they read back the same.
_JSON_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_text(document: object, **options) -> str:
    """`document` as indented JSON, non-ASCII kept readable, ending in a newline; no
    character in it that any reader takes for a line end, other than its own."""
    return json.dumps(document, indent=2, ensure_ascii=False, **options).translate(_JSON_BREAKS) + "\n"


@dataclass(frozen=True, order=True)
class Diagnostic:
    # Field order is the sort order: by file, then line, then rule.
    file: str
    line: int
    rule: str
    severity: str
    id: str | None
    message: str

    def as_text(self) -> str:
        """One line, whatever the file's name or the message holds."""
        return f"{printable(self.file)}:{self.line}: {self.severity}: [{self.rule}] {printable(self.message)}"

    def as_dict(self) -> dict:
        data = asdict(self)
        return {key: data[key] for key in ("rule", "severity", "file", "line", "id", "message")}


def count(diagnostics, severity: str) -> int:
    return sum(1 for diagnostic in diagnostics if diagnostic.severity == severity)


class Tally:
    """What `check` reports of a run: its errors, warnings and summary. For anything
    with `diagnostics` and `counts` (objectives, themes and plans)."""

    diagnostics: list[Diagnostic]
    counts: dict[str, int]

    @property
    def errors(self) -> int:
        return count(self.diagnostics, ERROR)

    @property
    def warnings(self) -> int:
        return count(self.diagnostics, WARNING)

    def summary(self) -> dict:
        return {**self.counts, "errors": self.errors, "warnings": self.warnings}
