"""The one pipeline both adapters run: read the plans, build the graph, apply the rules.

`northstar check` and `mkdocs build` call `analyse`, so they cannot disagree.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Iterable

from . import rules
from .diagnostics import Diagnostic, Tally
from .forked import map_forked
from .read.files import Scan, scan
from .read.front_matter import Problem
from .read.records import Record, display_prefix, parse_record, plan_files, read_record
from .model import Strategy, build
from .outcomes.figures import measure
from .read.measurements import csv_reader
from .settings import ConfigError, Settings

if TYPE_CHECKING:
    from .coverage import Coverage


@dataclass
class Analysis(Tally):
    settings: Settings
    records: list[Record]
    strategy: Strategy
    diagnostics: list[Diagnostic]
    assets: list[str]  # files below plans_dir that are not plans, relative to it

    @cached_property
    def coverage(self) -> Coverage:
        from .coverage import compute  # not needed by `check`, which runs on every commit

        return compute(self.strategy)

    @property
    def counts(self) -> dict[str, int]:
        strategy = self.strategy
        return {"objectives": len(strategy.objectives), "themes": len(strategy.themes), "plans": len(strategy.plans)}


@contextmanager
def _collector_paused():
    """Reading and linking the plans makes tens of thousands of objects and no reference
    cycles worth collecting: Python's cyclic collector would walk the growing records
    again and again, a third of a large check, and free nothing (docs/performance.md).
    It runs again, as it was, afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_collector_paused()
def analyse(settings: Settings, cache=None, processes: int = 1) -> Analysis:
    """Read, link and judge the plans. A `cache.RecordCache` spares parsing the
    files that did not change since it last saw them; `processes` above 1 shares
    the parsing with forked children (forked.py)."""
    if not settings.plans_root.is_dir():
        raise ConfigError(f"plans_dir '{settings.plans_dir}' is not a folder next to the config file "
                          f"({settings.plans_root})")
    if cache is not None:
        cache.start()
    records, found = _read(settings, cache, processes)
    if cache is not None:
        cache.save()
    return _judge(settings, records, found.problems, found.asset_files)


def _read(settings: Settings, cache, processes: int) -> tuple[list[Record], Scan]:
    """Every record below plans_dir, in path order, and what the walk found: the
    records of unchanged files from the cache, the others parsed here or, with more
    than one process, shared with forked children."""
    plans_root = settings.root / settings.plans_dir  # spelled as the cache spells it
    found = cache.take_scan() if cache is not None else None
    if found is None:
        found = scan(plans_root)
    files = plan_files(settings.root, plans_root, found)
    if cache is None:
        to_parse, records = files, [None] * len(files)
    else:
        records = [cache.get(*file) for file in files]
        to_parse = [file for file, record in zip(files, records) if record is None]
    parsed = iter(map_forked(read_record, to_parse, processes) if processes > 1 else map(read_record, to_parse))
    for place, record in enumerate(records):
        if record is None:
            records[place], readable = next(parsed)
            if cache is not None and readable:
                cache.put(files[place][0], records[place])
    return records, found


@_collector_paused()
def analyse_files(settings: Settings, files: Iterable[tuple[str, bytes]],
                  problems: Iterable[tuple[str, Problem]] = (), read_file=None) -> Analysis:
    """The same pipeline over plan files held in memory, such as a git revision's:
    (path below plans_dir, content) pairs, and problems met while listing them;
    `read_file(path below plans_dir)` gives the bytes of a CSV file of measurements."""
    prefix = display_prefix(settings.root, settings.plans_root)
    # The order of a walk of the folder, which decides who owns a duplicate id.
    ordered = sorted(files, key=lambda item: item[0].split("/"))
    records = [parse_record(raw, prefix + source, source) for source, raw in ordered]
    return _judge(settings, records, list(problems), [], read_file)


def read_sources(settings: Settings, records: list[Record]):
    """The other strategies this one names (contract v1.2), as an index for the model,
    and the problems met, each at its line of mkdocs.yml (rule `source`). What an export
    or a git commit held is kept in the cache folder, so a warm run reads a hash or a
    commit id per source."""
    from .cache import CACHE_DIR
    from .qualified import Sources
    from .read.sources.config import local_name_clashes, option_lines, parse_sources
    from .read.sources.reading import read_sources as read_all
    from .read.sources.store import problems_of

    config_file = settings.config_file or settings.root / "mkdocs.yml"
    if settings.name is None and settings.sources is None:
        return Sources([], None), []
    options = {"name": settings.name, "sources": settings.sources}
    name, specs, problems = parse_sources(options, option_lines(config_file), config_file)
    results = read_all(specs, settings.root / CACHE_DIR)
    local = {record.id: record.path for record in records if record.id and not record.broken}
    problems += problems_of(results) + local_name_clashes(specs, local)
    return Sources(results, name), problems


def _judge(settings: Settings, records: list[Record], problems: list[tuple[str, Problem]],
           assets: list[str], read_file=None) -> Analysis:
    index, source_problems = read_sources(settings, records)
    strategy = build(records, index)
    prefix = display_prefix(settings.root, settings.plans_root)
    strategy.scan_problems = [(prefix + source, problem) for source, problem in problems]
    # A source's problems are reported on mkdocs.yml (paths are relative to its folder).
    config_name = (settings.config_file or settings.root / "mkdocs.yml").name
    strategy.scan_problems += [(config_name, problem) for problem in source_problems]
    _measure(strategy, settings, prefix, read_file)
    diagnostics = rules.run(strategy, dict(settings.rules))
    return Analysis(settings, records, strategy, diagnostics, assets)


def _measure(strategy: Strategy, settings: Settings, prefix: str, read_file) -> None:
    """Every objective's key results and their figures as of settings.as_of; the problems
    found in them (in the record, or in a CSV file at its own line) go to the `schema` rule."""
    plans_root = settings.plans_root
    strategy.as_of, strategy.stale_after_days = settings.as_of, settings.stale_after_days
    found = measure(strategy.objectives, settings.as_of, settings.health,
                    lambda node: csv_reader(plans_root, node.record.source, prefix, read_file))
    strategy.outcome_problems = [(finding.file or node.path, finding.line, node.id, finding.message)
                                 for node, finding in found]
