"""The one pipeline both adapters run: read the plans, build the graph, apply the rules.

`northstar check` and `mkdocs build` call `analyse`, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from . import rules
from .coverage import Coverage, compute
from .diagnostics import ERROR, WARNING, Diagnostic, count
from .load import Record, display_prefix, read_plans
from .model import Strategy, build
from .settings import ConfigError, Settings


@dataclass
class Analysis:
    settings: Settings
    records: list[Record]
    strategy: Strategy
    diagnostics: list[Diagnostic]
    assets: list[str]  # files below plans_dir that are not plans, relative to it

    @cached_property
    def coverage(self) -> Coverage:
        return compute(self.strategy)

    @property
    def errors(self) -> int:
        return count(self.diagnostics, ERROR)

    @property
    def warnings(self) -> int:
        return count(self.diagnostics, WARNING)

    def summary(self) -> dict:
        return {
            "objectives": len(self.strategy.objectives),
            "themes": len(self.strategy.themes),
            "plans": len(self.strategy.plans),
            "errors": self.errors,
            "warnings": self.warnings,
        }

    def diagnostics_for(self, path: str) -> list[Diagnostic]:
        return [diagnostic for diagnostic in self.diagnostics if diagnostic.file == path]


def analyse(settings: Settings, cache=None) -> Analysis:
    if not settings.plans_root.is_dir():
        raise ConfigError(f"plans_dir '{settings.plans_dir}' is not a folder next to the config file "
                          f"({settings.plans_root})")
    records, found = read_plans(settings.root, settings.plans_dir, cache=cache)
    strategy = build(records)
    prefix = display_prefix(settings.root, settings.plans_root)
    strategy.scan_problems = [(prefix + source, problem) for source, problem in found.problems]
    diagnostics = rules.run(strategy, dict(settings.rules))
    return Analysis(settings, records, strategy, diagnostics, found.asset_files)
