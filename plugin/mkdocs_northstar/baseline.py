"""The ratchet: record today's diagnostics, then fail only on new ones.

A team adopting Northstar on a backlog full of orphans cannot fix them all before
turning the check on. `check --write-baseline FILE` records what is wrong today;
`check --baseline FILE` then fails only on what is not in the file, and names the
recorded diagnostics that are gone so they can leave it.

Diagnostics match on a fingerprint of rule, file, record id and message, never on
line numbers, so an edit above a known problem does not turn it into a new one.
Identical diagnostics are counted: a baseline that holds two of them lets two pass.

A pull request could add its own new diagnostic to the committed file and pass, so
`--baseline` also reads `REV:PATH` from git (`origin/main:.northstar-baseline.json`):
the baseline of the branch the change goes into, which the change cannot edit.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .diagnostics import Diagnostic, printable
from .settings import ConfigError

VERSION = 1
# Some messages quote another line ("first on line 3"); that number moves with edits.
_LINE_NUMBER = re.compile(r"\b(lines?) \d+")

Fingerprint = tuple[str, str, str, str]


class BaselineError(ConfigError):
    """The baseline file cannot be read or written (exit code 2, like a bad config)."""


def _fingerprint(rule: str, file: str, record_id: str | None, message: str) -> Fingerprint:
    return rule, file, record_id or "", _LINE_NUMBER.sub(r"\1 N", message)


def fingerprint(diagnostic: Diagnostic) -> Fingerprint:
    return _fingerprint(diagnostic.rule, diagnostic.file, diagnostic.id, diagnostic.message)


@dataclass(frozen=True)
class Entry:
    """One recorded diagnostic (or `count` identical ones)."""

    rule: str
    file: str
    id: str | None
    message: str
    severity: str
    count: int = 1

    @property
    def fingerprint(self) -> Fingerprint:
        return _fingerprint(self.rule, self.file, self.id, self.message)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "file": self.file, "id": self.id,
                "message": self.message, "count": self.count}

    def as_text(self) -> str:
        times = f" (x{self.count})" if self.count > 1 else ""
        return f"{printable(self.file)}: {self.severity}: [{self.rule}] {printable(self.message)}{times}"


@dataclass
class Split:
    """Diagnostics compared against a known set: what is new, what was known, what is gone."""

    new: list[Diagnostic] = field(default_factory=list)
    known: list[Diagnostic] = field(default_factory=list)
    fixed: list[Entry] = field(default_factory=list)


@dataclass
class Comparison(Split):
    """A check run against a baseline file."""

    path: str = ""


def entries(diagnostics: Iterable[Diagnostic]) -> list[Entry]:
    """Diagnostics folded into entries, identical ones counted, in a stable order."""
    first: dict[Fingerprint, Diagnostic] = {}
    counts: Counter = Counter()
    for diagnostic in sorted(diagnostics):
        key = fingerprint(diagnostic)
        first.setdefault(key, diagnostic)
        counts[key] += 1
    return [Entry(d.rule, d.file, d.id, d.message, d.severity, counts[key])
            for key, d in sorted(first.items(), key=lambda item: item[0])]


def split(diagnostics: Iterable[Diagnostic], known: Iterable[Entry]) -> Split:
    """Match diagnostics against known entries, counting identical ones."""
    remaining = Counter()
    by_key: dict[Fingerprint, Entry] = {}
    for entry in known:
        remaining[entry.fingerprint] += entry.count
        by_key.setdefault(entry.fingerprint, entry)
    result = Split()
    for diagnostic in sorted(diagnostics):
        key = fingerprint(diagnostic)
        if remaining[key] > 0:
            remaining[key] -= 1
            result.known.append(diagnostic)
        else:
            result.new.append(diagnostic)
    result.fixed = [Entry(**{**by_key[key].as_dict(), "count": left})
                    for key, left in sorted(remaining.items()) if left > 0]
    return result


def compare(diagnostics: Iterable[Diagnostic], path: str | Path) -> Comparison:
    found = split(diagnostics, read(path))
    return Comparison(found.new, found.known, found.fixed, path=str(path))


def write(path: str | Path, diagnostics: Iterable[Diagnostic]) -> int:
    """Record diagnostics in a baseline file; return how many were recorded."""
    recorded = entries(diagnostics)
    document = {
        "version": VERSION,
        "tool": "northstar",
        "about": "Known diagnostics that `northstar check --baseline` lets pass. "
                 "Shrink it with `northstar check --baseline FILE --write-baseline FILE`.",
        "diagnostics": [entry.as_dict() for entry in recorded],
    }
    try:
        Path(path).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as error:
        raise BaselineError(f"cannot write baseline '{path}': {error.strerror}") from None
    return sum(entry.count for entry in recorded)


def _text(path: str | Path) -> str:
    """The baseline's text: a file, or `REV:PATH` read from git where no file of that
    name exists (a file on disk wins, so a path holding ':' still works)."""
    spec = str(path)
    if ":" not in spec or os.path.lexists(spec):
        return Path(path).read_text(encoding="utf-8")
    from .diff.revision import Repository  # only then: git is not needed for a file

    try:
        return Repository(Path.cwd()).show(spec).decode("utf-8")
    except ConfigError as error:
        raise BaselineError(f"cannot read baseline '{spec}' from git: {error}") from None
    except UnicodeDecodeError as error:
        raise BaselineError(f"cannot read baseline '{spec}': {error}") from None


def read(path: str | Path) -> list[Entry]:
    try:
        text = _text(path)
    except FileNotFoundError:
        raise BaselineError(f"baseline '{path}' does not exist; write one with "
                            f"`northstar check --write-baseline {path}`") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BaselineError(f"cannot read baseline '{path}': {error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(f"baseline '{path}' is not valid JSON: line {error.lineno}: {error.msg}") from None
    if not isinstance(document, dict) or "version" not in document:
        raise BaselineError(f"baseline '{path}' is not a northstar baseline (no 'version')")
    if document["version"] != VERSION:
        raise BaselineError(f"baseline '{path}' has version {document['version']!r}; "
                            f"this northstar reads version {VERSION}")
    recorded = []
    for number, item in enumerate(document.get("diagnostics") or [], start=1):
        try:
            count = item.get("count", 1)
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise TypeError
            recorded.append(Entry(rule=str(item["rule"]), file=str(item["file"]), id=item.get("id"),
                                  message=str(item["message"]), severity=str(item.get("severity", "error")),
                                  count=count))
        except (KeyError, TypeError, AttributeError):
            raise BaselineError(f"baseline '{path}': entry {number} needs rule, file and message "
                                "(and a count of at least 1)") from None
    return recorded
