"""The record cache: unchanged plan files are not parsed again, by `northstar check`
(on disk, in .northstar-cache/) or by `mkdocs serve` (in memory, across rebuilds);
anything changed, corrupt, foreign or planted is parsed again, never trusted."""

from __future__ import annotations

import os
import pickle
import subprocess
import time
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import make_site, northstar
from mkdocs_northstar import cache as cache_module
from mkdocs_northstar.read import records
from mkdocs_northstar.analysis import analyse
from mkdocs_northstar.cache import CACHE_DIR, RecordCache
from mkdocs_northstar.settings import read_settings

RANKING = "plans/search/ranking.md"
AN_HOUR = 3600


def age(root: Path, seconds: float = AN_HOUR) -> None:
    """Make every plan file as old as in any repository; a file written this very
    second is never cached (it could change again within the same clock tick)."""
    then = time.time() - seconds
    for path in (root / "plans").rglob("*"):
        os.utime(path, (then, then))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    make_site(tmp_path)
    age(tmp_path)
    return tmp_path


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The plan files parsed, in order, by whoever reads plans in this test."""
    parsed: list[str] = []
    parse = records.parse_record

    def counting(raw: bytes, path: str, source: str):
        parsed.append(path)
        return parse(raw, path, source)

    monkeypatch.setattr(records, "parse_record", counting)
    return parsed


def check_in_process(root: Path):
    """What one `northstar check` does, each time with a cache freshly read from disk."""
    settings = read_settings(str(root / "mkdocs.yml"))
    return analyse(settings, RecordCache.beside(settings.root, settings.plans_root))


def cache_files(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR).glob("records-*.pickle"))


def test_unchanged_files_are_not_parsed_again(site, parses):
    first = check_in_process(site)
    assert len(parses) == 7
    parses.clear()
    second = check_in_process(site)
    assert parses == []
    assert second.diagnostics == first.diagnostics
    assert [record.fields for record in second.records] == [record.fields for record in first.records]
    assert [record.body for record in second.records] == [record.body for record in first.records]


def test_only_the_edited_file_is_parsed_again(site, parses):
    check_in_process(site)
    parses.clear()
    plan = site / RANKING
    plan.write_text(plan.read_text().replace("status: in-progress", "status: planned"))
    analysis = check_in_process(site)
    assert parses == [RANKING]
    assert analysis.strategy.by_id["ranking"].status == "planned"


def test_an_edit_keeping_size_and_modification_time_is_still_seen(site, parses):
    check_in_process(site)
    plan = site / RANKING
    before = plan.stat()
    text = plan.read_text()
    plan.write_text(text.replace("effort: 3", "effort: 5"))  # same size
    os.utime(plan, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `cp -p` or `rsync -t` leave it
    assert plan.stat().st_size == before.st_size and plan.stat().st_mtime_ns == before.st_mtime_ns
    parses.clear()
    analysis = check_in_process(site)
    assert parses == [RANKING]  # the change time gives it away
    assert analysis.strategy.by_id["ranking"].effort == 5


def test_a_file_written_just_now_is_parsed_every_time_until_it_settles(site, parses):
    plan = site / RANKING
    plan.write_text(plan.read_text())  # modified this second
    check_in_process(site)
    parses.clear()
    check_in_process(site)
    assert parses == [RANKING]
    age(site)
    check_in_process(site)
    parses.clear()
    check_in_process(site)
    assert parses == []


@pytest.mark.parametrize("damage", [b"", b"not a pickle at all", b"\x80\x05\x95\xff\xff\xff"])
def test_a_corrupt_cache_is_rebuilt(site, parses, damage):
    expected = check_in_process(site).diagnostics
    [cache_file] = cache_files(site)
    cache_file.write_bytes(damage)
    parses.clear()
    assert check_in_process(site).diagnostics == expected
    assert len(parses) == 7
    parses.clear()
    check_in_process(site)
    assert parses == []  # written again, whole


def test_a_cache_from_another_version_is_not_trusted(site, parses, monkeypatch):
    check_in_process(site)
    monkeypatch.setattr(cache_module, "__version__", "99.0")
    parses.clear()
    check_in_process(site)
    assert len(parses) == 7


class _Payload:
    def __reduce__(self):
        return (os.system, ("touch planted-cache-ran",))


def test_a_planted_cache_cannot_run_code(site, parses, monkeypatch):
    monkeypatch.chdir(site)  # where the payload would leave its mark
    check_in_process(site)
    [cache_file] = cache_files(site)
    cache_file.write_bytes(pickle.dumps({"fingerprint": "x", "entries": _Payload()}))
    parses.clear()
    analysis = check_in_process(site)
    assert not (site / "planted-cache-ran").exists()
    assert len(parses) == 7 and analysis.errors == 0


def test_a_deleted_file_leaves_the_cache(site, parses):
    check_in_process(site)
    (site / "plans/growth/rewards.md").unlink()
    analysis = check_in_process(site)
    assert "rewards" not in analysis.strategy.by_id
    with open(cache_files(site)[0], "rb") as handle:
        entries = pickle.load(handle)["entries"]
    assert len(entries) == 6 and not any(key.endswith("rewards.md") for key in entries)


# --- northstar check, as a user runs it ----------------------------------------------


def test_check_keeps_its_cache_out_of_git_and_reports_the_same(site):
    first = northstar(site, "check", "--format", "json")
    second = northstar(site, "check", "--format", "json")
    assert first.returncode == second.returncode == 0
    assert second.stdout == first.stdout
    folder = site / CACHE_DIR
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert cache_files(site) and list(folder.glob("verdict-*.json"))
    assert not list(folder.glob("*.tmp"))  # written atomically, nothing left behind


def test_check_never_trusts_a_verdict_after_a_change(site):
    assert northstar(site, "check").returncode == 0
    plan = site / "plans/growth/rewards.md"
    plan.write_text(plan.read_text().replace("themes: [loyalty]\n", ""))
    age(site)
    result = northstar(site, "check")
    assert result.returncode == 1
    assert "plans/growth/rewards.md:1: error: [unlinked-plan] plan 'rewards' names no theme" in result.stdout
    # A setting changes the verdict too.
    config = site / "mkdocs.yml"
    config.write_text(config.read_text().replace(
        "  - northstar\n", "  - northstar:\n      rules:\n        unlinked-plan: warning\n"))
    result = northstar(site, "check")
    assert result.returncode == 0
    assert "warning: [unlinked-plan]" in result.stdout
    # So does a new file below plans_dir.
    (site / "plans/growth/extra.md").write_text("---\ntitle: Extra\n---\n")
    age(site)
    assert "plan 'extra' names no theme" in northstar(site, "check").stdout


def test_check_with_a_corrupt_verdict_checks_again(site):
    expected = northstar(site, "check", "--format", "json").stdout
    for verdict in (site / CACHE_DIR).glob("verdict-*.json"):
        verdict.write_text('{"key": ')
    assert northstar(site, "check", "--format", "json").stdout == expected


def test_check_no_cache_writes_nothing(site):
    result = northstar(site, "check", "--no-cache")
    assert result.returncode == 0
    assert not (site / CACHE_DIR).exists()


def test_check_never_follows_a_committed_cache_link(site, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "keep.txt").write_text("mine\n")
    (site / CACHE_DIR).symlink_to(elsewhere, target_is_directory=True)
    expected = northstar(site, "check", "--format", "json", "--no-cache").stdout
    for _ in range(2):
        result = northstar(site, "check", "--format", "json")
        assert result.returncode == 0, result.stderr
        assert result.stdout == expected
        assert result.stderr.count("symbolic link") == 1 and "without the cache" in result.stderr
        assert [path.name for path in elsewhere.iterdir()] == ["keep.txt"]  # nothing written through it
    assert (site / CACHE_DIR).is_symlink()


def test_never_writes_through_a_planted_temporary_file(site, tmp_path_factory):
    # A committed real folder holding links named as this process names its temporary
    # files: a writer that opened one would write outside.
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    victim = elsewhere / "victim.txt"
    victim.write_text("mine\n")
    check_in_process(site)
    folder = site / CACHE_DIR
    for cached in cache_files(site):
        (folder / f".{cached.name}-{os.getpid()}.tmp").symlink_to(victim)
        cached.unlink()
    check_in_process(site)
    assert victim.read_text() == "mine\n"
    assert cache_files(site) and not list(folder.glob("*.tmp"))


def test_a_killed_writers_temporary_file_is_removed_by_a_later_run(site):
    assert northstar(site, "check").returncode == 0
    folder = site / CACHE_DIR
    dead = _a_dead_pid()
    left = folder / f".records-0123456789abcdef.pickle-{dead}.tmp"
    left.write_bytes(b"half a cache")
    old = folder / f".verdict-0123456789abcdef.json-{os.getppid()}.tmp"  # a live process, but an old file
    old.write_bytes(b"{")
    then = time.time() - cache_module.STALE_SECONDS - 60
    os.utime(old, (then, then))
    fresh = folder / f".verdict-0123456789abcdef.json-{os.getppid()}.tmp.keep"  # not ours: left alone
    fresh.write_bytes(b"")
    assert northstar(site, "check").returncode == 0  # nothing to write: the verdict stands
    assert not left.exists() and not old.exists() and fresh.exists()


def _a_dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


# --- mkdocs serve: one plugin instance across rebuilds --------------------------------


def test_a_rebuild_after_editing_one_plan_parses_only_that_plan(site, parses, tmp_path_factory):
    output = tmp_path_factory.mktemp("site")

    def rebuild() -> None:
        # As `mkdocs serve` does on every change: the config is loaded again, and
        # MkDocs hands back the same plugin instance, because it has on_startup.
        config = load_config(str(site / "mkdocs.yml"), site_dir=str(output))
        build(config)

    config = load_config(str(site / "mkdocs.yml"), site_dir=str(output))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        rebuild()
        assert len(parses) == 7
        parses.clear()
        plan = site / RANKING
        plan.write_text(plan.read_text().replace("Rank results by what shoppers click.", "Rank by clicks and carts."))
        rebuild()
        assert parses == [RANKING]
        assert "Rank by clicks and carts." in (output / "strategy/plans/ranking/index.html").read_text()
    finally:
        # The instance outlives this test in this process: later builds are not served.
        config.plugins.on_startup(command="build", dirty=False)


def test_check_does_not_reuse_a_verdict_once_plans_dir_is_gone(tmp_path):
    make_site(tmp_path, plans={})
    assert northstar(tmp_path, "check").returncode == 0  # an empty strategy: a verdict is kept
    (tmp_path / "plans").rmdir()
    result = northstar(tmp_path, "check")
    assert result.returncode == 2
    assert "plans_dir 'plans' is not a folder" in result.stderr
