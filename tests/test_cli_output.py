"""Output fit for where it goes: colour and plain text on a terminal, the contract's
formats when piped, numbers without float noise, --version and shell completion."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CLEAN_PLANS, NORTHSTAR, make_site, northstar, on_a_terminal, run, write
from mkdocs_northstar import __version__
from mkdocs_northstar.console import progress
from test_diff_compare import changed_repository

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BROKEN = {"plans/search/x.md": "---\ntitle: X\n---\n"}


def piped(cwd: Path, args: list[str], **env: str) -> subprocess.CompletedProcess:
    """The command with its output in a pipe, NO_COLOR and FORCE_COLOR unset unless given."""
    base = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([NORTHSTAR, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**base, "PYTHONWARNINGS": "ignore", **env})


# --- check --------------------------------------------------------------------------


def test_check_on_a_terminal_is_coloured_with_the_summary_last(clean_site):
    write(clean_site, BROKEN)
    code, screen = on_a_terminal(clean_site / "plans", ["check"], env={})
    assert code == 1
    lines = screen.strip().splitlines()
    assert lines[0] == "search/x.md:1: \x1b[1;31merror\x1b[0m: [unlinked-plan] plan 'x' names no theme"
    assert ANSI.sub("", lines[-1]) == "2 objectives, 2 themes, 4 plans: 1 error, 0 warnings"
    assert lines[-1].startswith("\x1b[1;31m")


@pytest.mark.parametrize("env, args", [({"NO_COLOR": "1"}, []), ({}, ["--no-color"]),
                                       ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, [])])
def test_no_colour_when_asked_on_a_terminal(clean_site, env, args):
    write(clean_site, BROKEN)
    code, screen = on_a_terminal(clean_site, ["check", *args], env=env)
    assert code == 1 and "x.md:1: error: [unlinked-plan]" in screen and not ANSI.search(screen)


def test_piped_check_has_no_colour_unless_forced(clean_site):
    write(clean_site, BROKEN)
    plain = piped(clean_site, ["check"])
    assert not ANSI.search(plain.stdout)
    forced = piped(clean_site, ["check"], FORCE_COLOR="1")
    assert ANSI.sub("", forced.stdout) == plain.stdout and ANSI.search(forced.stdout)
    assert ANSI.search(northstar(clean_site, "check", "--color").stdout)  # NO_COLOR is set; --color wins
    # The machine formats are never coloured.
    assert not ANSI.search(northstar(clean_site, "check", "--format", "github", "--color").stdout)


def test_progress_shows_on_a_terminal_after_the_delay_and_is_erased():
    leader, follower = pty.openpty()
    with open(follower, "w", closefd=True) as terminal:
        with progress("checking the plans in plans/", stream=terminal, delay=0.05):
            time.sleep(0.3)
        with progress("quick", stream=terminal, delay=5):
            pass
    shown = b""
    while select.select([leader], [], [], 0.5)[0]:  # the terminal may hand the bytes over in pieces
        try:
            piece = os.read(leader, 4096)
        except OSError:  # EIO: the other side is closed and everything was read
            break
        if not piece:
            break
        shown += piece
    os.close(leader)
    shown = shown.decode()
    assert shown == "northstar: checking the plans in plans/\u2026\r\x1b[K"


def test_no_progress_off_a_terminal():
    stream = io.StringIO()
    with progress("checking", stream=stream, delay=0.01):
        time.sleep(0.1)
    assert stream.getvalue() == ""


# --- diff ---------------------------------------------------------------------------


def test_diff_on_a_terminal_is_readable_text(tmp_path):
    root = changed_repository(tmp_path)
    code, screen = on_a_terminal(root / "plans", ["diff", "HEAD~1", "HEAD"])
    assert code == 1
    assert screen.startswith("Strategy changes from HEAD~1 (")
    assert "  + added plan referrals (Referral codes) at growth/referrals.md" in screen
    assert "  new error: search/ranking.md:1: [unlinked-plan] plan 'ranking' names no theme" in screen
    assert "&#" not in screen and "###" not in screen and "<details>" not in screen
    assert screen.strip().splitlines()[-1] == "records: 1 added, 1 removed, 2 changed; 1 new error, " \
                                              "2 new warnings, 0 fixed"


def test_diff_piped_or_asked_for_is_markdown(tmp_path):
    root = changed_repository(tmp_path)
    piped = northstar(root, "diff", "HEAD~1", "HEAD")
    assert piped.stdout.startswith("### Northstar: strategy changes from `HEAD~1`")
    code, screen = on_a_terminal(root, ["diff", "HEAD~1", "HEAD", "--format", "markdown"])
    assert screen.replace("\n", "") == piped.stdout.replace("\n", "")
    text = northstar(root, "diff", "HEAD~1", "HEAD", "--format", "text")
    assert text.stdout.startswith("Strategy changes from") and not ANSI.search(text.stdout)


def test_diff_text_writes_control_characters_out(tmp_path):
    root = changed_repository(tmp_path)
    write(root, {"plans/growth/evil.md": '---\ntitle: "Evil \\e[2J\\u202e\\u2028 title"\nthemes: [loyalty]\n---\n'})
    result = northstar(root, "diff", "HEAD", "--format", "text", "--color")
    assert "plan evil (Evil \\u001b[2J\\u202e\\u2028 title)" in result.stdout
    assert "\x1b[2J" not in result.stdout and "\u202e" not in result.stdout and "\u2028" not in result.stdout


# --- numbers in JSON ----------------------------------------------------------------

THIRD = {**CLEAN_PLANS, "plans/objectives/find-fast.md": CLEAN_PLANS["plans/objectives/find-fast.md"].replace(
    "baseline: 40\n        target: 20\n        current: 30",
    "baseline: 0.1\n        target: 0.4\n        current: 0.2")}


def test_export_rounds_floats_to_six_significant_digits_and_keeps_integers(tmp_path):
    make_site(tmp_path, THIRD)
    assert (0.2 - 0.1) / (0.4 - 0.1) != 0.333333  # the noise the rounding removes
    exported = json.loads(northstar(tmp_path, "export").stdout)
    records = {record["id"]: record for record in exported["records"]}
    assert records["find-fast"]["progress"] == 0.333333
    assert records["retain"]["fields"]["baseline"] == 1000 and "1000," in northstar(tmp_path, "export").stdout
    csv = northstar(tmp_path, "export", "--format", "csv").stdout
    assert ",0.333333," in csv and "0.33333333" not in csv


def test_diff_json_rounds_floats(tmp_path):
    root = changed_repository(tmp_path)
    result = northstar(root, "diff", "HEAD~1", "HEAD", "--format", "json")
    linked = json.loads(result.stdout)["coverage"]["linked"]
    assert linked == {"before": 1, "after": 0.571429}  # 4 of 7 weeks of effort, rounded
    assert str(4 / 7) not in result.stdout


# --- version and completion ---------------------------------------------------------


def test_version(tmp_path):
    result = run([NORTHSTAR, "--version"], cwd=tmp_path)  # outside any project
    assert result.returncode == 0 and result.stdout == f"northstar, version {__version__}\n"


def test_bash_completion_script(tmp_path):
    result = piped(tmp_path, [], _NORTHSTAR_COMPLETE="bash_source")
    assert result.returncode == 0 and "_northstar_completion" in result.stdout
    words = piped(tmp_path, [], _NORTHSTAR_COMPLETE="bash_complete", COMP_WORDS="northstar ch", COMP_CWORD="1")
    assert "plain,check" in words.stdout
