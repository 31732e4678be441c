"""The one pipeline (analysis.analyse): the same verdict with or without the record
cache and with the parsing shared between processes or not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import make_site
from mkdocs_northstar import forked
from mkdocs_northstar.analysis import analyse
from mkdocs_northstar.cache import RecordCache
from mkdocs_northstar.forked import MIN_ITEMS_PER_PROCESS
from mkdocs_northstar.settings import read_settings

PLANS = 3 * MIN_ITEMS_PER_PROCESS


def _plans() -> dict[str, str]:
    plans = {"plans/objectives/grow.md": "---\ntitle: Grow\nperiod: 2025-H1\n---\n"}
    for number in range(PLANS):
        # Good plans, broken YAML, unknown keys, a date that PyYAML refuses: all in every share.
        front = {0: f"title: Plan {number}\nobjectives: [grow]", 1: "title: [unclosed",
                 2: f"title: P{number}\nsize: 3\nobjectives: [grow]", 3: "title: Dated\ndue: 2020-13-01"}[number % 4]
        plans[f"plans/team-a/plan-{number:04}.md"] = f"---\n{front}\n---\nBody {number}.\n"
    return plans


@pytest.fixture
def site(tmp_path: Path):
    make_site(tmp_path, _plans())
    for file in (tmp_path / "plans").rglob("*.md"):
        os.utime(file, (1_700_000_000, 1_700_000_000))  # not written this instant: the cache keeps it
    return read_settings(str(tmp_path / "mkdocs.yml"))


@pytest.fixture
def forks(monkeypatch) -> list[int]:
    """The children forked in this test (counted in this process)."""
    started: list[int] = []
    fork = os.fork

    def counting():
        pid = fork()
        if pid:
            started.append(pid)
        return pid

    monkeypatch.setattr(forked.os, "fork", counting)
    return started


def test_one_process_reads_every_plan_in_path_order(site):
    analysis = analyse(site)
    assert [record.source for record in analysis.records] == sorted(
        (record.source for record in analysis.records), key=lambda source: source.split("/"))
    assert len(analysis.records) == PLANS + 1
    assert analysis.summary()["plans"] == PLANS


@pytest.mark.skipif(not forked.can_fork(), reason="this process cannot fork")
def test_parsing_shared_with_children_gives_the_same_verdict(site, forks):
    alone = analyse(site)
    assert forks == []
    shared = analyse(site, processes=3)
    assert len(forks) == 2  # the work really went to two children
    assert shared.records == alone.records
    assert [d.as_dict() for d in shared.diagnostics] == [d.as_dict() for d in alone.diagnostics]
    assert any(record.problems for record in alone.records)


@pytest.mark.skipif(not forked.can_fork(), reason="this process cannot fork")
def test_records_parsed_by_children_are_cached_like_its_own(site, tmp_path, forks):
    alone = analyse(site)
    cache = RecordCache(tmp_path / "records.pickle")
    analyse(site, cache, processes=3)
    assert cache.misses == len(alone.records) and cache.hits == 0 and len(forks) == 2

    cache = RecordCache(tmp_path / "records.pickle")  # read back from disk
    again = analyse(site, cache, processes=3)
    assert again.records == alone.records and cache.hits == len(alone.records)
    assert len(forks) == 2  # nothing left to parse: no child


def test_a_plans_dir_that_is_not_a_folder_is_a_configuration_error(tmp_path):
    from mkdocs_northstar.settings import ConfigError

    make_site(tmp_path, {})
    (tmp_path / "plans").rmdir()
    (tmp_path / "plans").write_text("not a folder")
    with pytest.raises(ConfigError, match="is not a folder"):
        analyse(read_settings(str(tmp_path / "mkdocs.yml")))
