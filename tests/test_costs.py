"""Bounded costs: input that a plan author controls cannot make a check, a diff or a
build take unbounded time, memory or output. Each test builds the hostile input as a
pull request would bring it and holds the work to a generous bound (docs/compatibility.md
lists the cases, with the costs before)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from conftest import MKDOCS_YML, analyse_site, make_site, northstar, write
from test_diff_compare import commit, git

OBJECTIVE = "---\ntitle: Goal\nmetric: m\nbaseline: 0\ntarget: 1\nperiod: 2025\n---\n"


def test_duplicate_ids_print_output_that_grows_linearly(tmp_path: Path):
    holders = 2000
    plans = {"plans/objectives/goal.md": OBJECTIVE, "plans/themes/theme.md": "---\ntitle: T\nobjectives: [goal]\n---\nWhy.\n"}
    for number in range(holders):
        plans[f"plans/team/p{number:04}.md"] = f"---\nid: same\ntitle: P{number}\nthemes: [theme]\n---\n"
    make_site(tmp_path, plans)
    started = time.monotonic()
    result = northstar(tmp_path, "check")
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stdout.splitlines() if "[duplicate-id]" in line]
    assert len(lines) == holders
    # Each names at least one other holder (the contract: both files named) and how many more.
    assert lines[0].startswith("plans/team/p0000.md:2: error: [duplicate-id] id 'same' is also used by "
                               "plans/team/p0001.md and 1,998 other files")
    assert all("is also used by plans/team/p0000.md and 1,998 other files" in line for line in lines[1:])
    # Was 86 MB (every line listed all 1,999 others); now about 100 bytes a holder.
    assert len(result.stdout) < 300 * holders
    assert elapsed < 30


def test_dangling_links_among_thousands_of_themes_are_checked_in_bounded_time(tmp_path: Path):
    themes = 3000
    plans = {"plans/objectives/goal.md": OBJECTIVE}
    for number in range(themes):
        plans[f"plans/themes/theme-{number:04}.md"] = f"---\ntitle: T{number}\nobjectives: [goal]\n---\nWhy.\n"
        # A typo: 'them-' for 'theme-'.
        plans[f"plans/team/p{number:04}.md"] = f"---\ntitle: P{number}\nthemes: [them-{number:04}]\n---\n"
    make_site(tmp_path, plans)
    started = time.monotonic()
    result = northstar(tmp_path, "check", "--format", "json")
    elapsed = time.monotonic() - started
    dangling = [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == "dangling-link"]
    assert len(dangling) == themes
    # The suggestion is still the nearest theme, for every link.
    for diagnostic in dangling:
        number = diagnostic["file"][len("plans/team/p"):-len(".md")]
        assert diagnostic["message"].endswith(f"did you mean 'theme-{number}'?"), diagnostic
    assert elapsed < 20  # was 40 s and more


def test_diff_of_a_long_rewritten_body_takes_bounded_time(tmp_path: Path):
    plan = "---\ntitle: Long\nthemes: [better-search]\n---\n"
    make_site(tmp_path)
    write(tmp_path, {"plans/search/long.md": plan + "".join(f"old line {n} of the body\n" for n in range(2000))})
    git(tmp_path, "init", "-q")
    commit(tmp_path, "before")
    # Every line but one reworded: a line-by-line diff compares each with each, and again.
    body = "".join(f"old line {n} of the body" + (", reworded" if n != 7 else "") + "\n" for n in range(2000))
    write(tmp_path, {"plans/search/long.md": plan + body})
    started = time.monotonic()
    result = northstar(tmp_path, "diff", "HEAD", "--format", "json")
    elapsed = time.monotonic() - started
    assert result.returncode in (0, 1), result.stderr
    changed = {entry["id"]: entry["fields"] for entry in json.loads(result.stdout)["records"]["changed"]}
    assert changed == {"long": [{"key": "body", "lines_added": 1999, "lines_removed": 1999}]}
    assert elapsed < 20  # was past 120 s


def test_a_long_parent_chain_renders_in_bounded_time(tmp_path: Path):
    from mkdocs_northstar.render.pages import page_renderers

    depth = 1500
    plans = {"plans/objectives/o0000.md": OBJECTIVE,
             "plans/themes/t.md": f"---\ntitle: T\nobjectives: [o{depth - 1:04}]\n---\nWhy.\n",
             "plans/team/work.md": "---\ntitle: Work\nthemes: [t]\nstatus: done\neffort: 2\n---\n",
             "plans/themes/t2.md": "---\ntitle: T2\nobjectives: [o0001, o0003]\n---\nWhy.\n",
             "plans/team/more.md": "---\ntitle: More\nthemes: [t2]\n---\n"}
    for number in range(1, depth):
        plans[f"plans/objectives/o{number:04}.md"] = OBJECTIVE.replace("---\n", f"---\nparent: o{number - 1:04}\n", 1)
    make_site(tmp_path, plans)
    started = time.monotonic()
    pages = {page: render() for page, render in page_renderers(analyse_site(tmp_path)).items()}
    elapsed = time.monotonic() - started
    # The root rolls up both plans, the leaf's parent only the one serving the leaf.
    rolled_up = pages["objectives/o0000.md"].split("Rolled up with its child objectives:", 1)[1]
    assert 'aria-label="1 proposed, 1 done"' in rolled_up
    assert "2 proposed" not in rolled_up  # a plan serving two objectives of the chain counts once
    assert 'aria-label="1 done"' in pages[f"objectives/o{depth - 2:04}.md"].split("Rolled up", 1)[1]
    assert "Rolled up" not in pages[f"objectives/o{depth - 1:04}.md"]  # the leaf has no children
    assert elapsed < 10  # was 20 s and more


def _nested_aliases(levels: int) -> str:
    lines = ["l0: &l0 {" + ", ".join(f"k{key}: 1" for key in range(10)) + "}"]
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} {{" + ", ".join(f"k{key}: *l{level - 1}" for key in range(10)) + "}")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_across_inherited_config_files_is_refused(tmp_path: Path):
    # Building either file shares what its aliases name; merging the two (INHERIT)
    # copied every shared mapping: 48 s and gigabytes.
    bomb = _nested_aliases(6)
    make_site(tmp_path, config="INHERIT: base.yml\n" + MKDOCS_YML + bomb)
    write(tmp_path, {"base.yml": bomb})
    assert len(bomb) * 2 < 1600  # 1.5 KB in all
    started = time.monotonic()
    result = northstar(tmp_path, "check")
    elapsed = time.monotonic() - started
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    # l4, on line 12, is the first mapping that expands to more than the limit.
    assert "mkdocs.yml', line 12: anchors and aliases expand to more than 100,000 values" in result.stderr, result.stderr
    assert elapsed < 10


def test_inherited_config_files_share_one_expansion_budget(tmp_path: Path):
    # Each file on its own stays well below the limit; five of them together do not.
    from mkdocs_northstar.settings import ConfigError, read_config

    part = _nested_aliases(3)  # about 25,000 values a file once expanded
    files = {"mkdocs.yml": "INHERIT: c1.yml\n" + part}
    for number in range(1, 5):
        files[f"c{number}.yml"] = (f"INHERIT: c{number + 1}.yml\n" if number < 4 else "") + part
    write(tmp_path, files)
    with pytest.raises(ConfigError, match=r"c4.yml', line 3: .* 100,000 values \(in all the files of the INHERIT chain\)"):
        read_config(tmp_path / "mkdocs.yml")
    write(tmp_path, {"c3.yml": "site_name: x\n"})
    assert read_config(tmp_path / "mkdocs.yml")["l3"]["k0"]["k0"]["k9"] == {f"k{key}": 1 for key in range(10)}


PARENT = os.getpid()


def _stops_in_a_child(number: int) -> int:
    if os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGSTOP)
    return -number


class _Hung(Exception):
    pass


@pytest.fixture
def guard():
    """Fails a test that blocks for more than 20 s instead of hanging the run."""
    def hung(signum, frame):
        raise _Hung("blocked on a stopped child")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forking needs os.fork")
def test_a_stopped_child_costs_a_timeout_not_the_run(monkeypatch, guard):
    from mkdocs_northstar.forked import MIN_ITEMS_PER_PROCESS, Stream, map_forked

    monkeypatch.setenv("NORTHSTAR_CHILD_TIMEOUT", "1")
    items = list(range(2 * MIN_ITEMS_PER_PROCESS))
    started = time.monotonic()
    assert map_forked(_stops_in_a_child, items, processes=2) == [-number for number in items]

    def page(number: int):
        return lambda: _stops_in_a_child(number)

    stream = Stream({number: page(number) for number in range(20)}, processes=2)
    assert [stream.take(number) for number in range(20)] == [-number for number in range(20)]
    stream.close()
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):  # the stopped children were killed and reaped
        os.waitpid(-1, os.WNOHANG)
