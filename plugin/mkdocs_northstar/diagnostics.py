"""A finding about the plans, located by file and line, and its plain-text form."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"
OFF = "off"
SEVERITIES = (ERROR, WARNING, OFF)


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
        return f"{self.file}:{self.line}: {self.severity}: [{self.rule}] {self.message}"

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
