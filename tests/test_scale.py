"""Nothing in the pipeline grows faster than the strategy: checked by counting the
Python function calls it makes (deterministic, unlike a stopwatch) for a strategy
and for one eight times its size. A linear pipeline makes about eight times the
calls; a per-page scan of all records or a quadratic link resolution makes twelve
times or more at these sizes.

The timed figures are the benchmark's job (bench/bench.py, `make bench`)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from click.testing import CliRunner

from mkdocs_northstar import forked
from mkdocs_northstar.analysis import analyse
from mkdocs_northstar.cli import main
from mkdocs_northstar.render.pages import render_pages
from mkdocs_northstar.settings import read_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from generate import generate  # noqa: E402

SMALL, LARGE = 100, 800
# Linear growth is 8x; at these sizes the objectives, themes and teams round to
# slightly different proportions (the coverage matrix grows with objectives x
# themes), which measures 8.5x today.
MOST_GROWTH = 10.0


def strategy(root: Path, plans: int) -> Path:
    generate(root, plans)
    (root / "docs").mkdir()
    (root / "mkdocs.yml").write_text("site_name: Scale\nplugins:\n  - northstar\n")
    return root / "mkdocs.yml"


def calls_made(work) -> int:
    """How many Python functions `work` calls, its callees' callees included, once
    warmed up (Jinja compiles each template on its first use)."""
    work()
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(count)
    try:
        work()
    finally:
        sys.setprofile(None)
    return calls


@pytest.fixture(scope="module")
def configs(tmp_path_factory) -> dict[int, Path]:
    return {plans: strategy(tmp_path_factory.mktemp(f"plans-{plans}"), plans) for plans in (SMALL, LARGE)}


def test_the_generated_strategy_is_clean(configs):
    # Otherwise the growth measured below would be that of error reporting.
    analysis = analyse(read_settings(str(configs[SMALL])))
    assert analysis.diagnostics == []
    assert analysis.summary()["plans"] == SMALL


@pytest.mark.parametrize("stage", ["analyse", "render"])
def test_work_grows_linearly_with_the_plans(configs, stage):
    def work(config: Path):
        settings = read_settings(str(config))
        if stage == "analyse":
            return lambda: analyse(settings)
        analysis = analyse(settings)
        return lambda: render_pages(analysis)

    small, large = (calls_made(work(configs[plans])) for plans in (SMALL, LARGE))
    growth = large / small
    assert growth <= MOST_GROWTH, (
        f"{stage}: {small:,} calls at {SMALL} plans, {large:,} at {LARGE}: {growth:.1f}x for {LARGE // SMALL}x the plans")


def test_the_benchmark_strategy_scales_in_proportion(tmp_path):
    # The generator keeps a large company's proportions: ~200 plans per objective,
    # 40 per theme, 50 per team.
    counts = generate(tmp_path, 2000)
    assert counts == {"objective": 10, "theme": 50, "plan": 2000}
    assert len(list((tmp_path / "plans").glob("team-*"))) == 40


@pytest.mark.skipif(not forked.can_fork(), reason="this process cannot fork")
def test_the_check_shares_parsing_between_processes_without_changing_a_word(tmp_path, monkeypatch):
    # 800 plans with mistakes in every share: the command parses them in forked
    # children (two cores are made available, and the forks counted); its verdict is
    # the single process's.
    root = tmp_path / "site"
    root.mkdir()
    config = strategy(root, LARGE)
    for number, plan in enumerate(sorted((root / "plans").rglob("plan-*.md"))):
        if number % 97 == 0:
            plan.write_text(plan.read_text().replace("status:", "stauts:", 1))
    expected = analyse(read_settings(str(config)))
    children, fork = [], os.fork

    def counting():
        pid = fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(forked.os, "fork", counting)
    monkeypatch.setattr(forked, "available_cores", lambda: 2)
    monkeypatch.chdir(root)
    checked = CliRunner().invoke(main, ["check", "--format", "json", "--no-cache"])
    assert checked.exit_code == 1, checked.output
    assert len(children) == 1  # the other half of the plans was parsed in a child
    reported = json.loads(checked.stdout)["diagnostics"]
    assert reported == [diagnostic.as_dict() for diagnostic in expected.diagnostics]
    assert len(reported) == len(range(0, LARGE, 97))
