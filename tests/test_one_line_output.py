"""Every diagnostic is one line of output, in every format and in the build's log: file
names and YAML keys holding line breaks or other control characters cannot start a
line of their own, which a CI runner would read as a workflow command (`::error::`,
`::stop-commands::`). The control characters show as escapes instead."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote
from pathlib import Path

import pytest

from conftest import make_site, mkdocs_build, northstar
from mkdocs_northstar.diagnostics import printable

OBJECTIVE = "---\ntitle: O\nperiod: 2025\nmetric: m\nbaseline: 2\ntarget: 1\n---\n"
THEME = "---\ntitle: T\nobjectives: [o]\n---\nWhy.\n"
# Keys in double-quoted YAML, whose escapes make a newline, CR, NEL, ESC and U+2028.
HOSTILE_KEYS = ('"a\\n::stop-commands::x": 1\n"b\\x85::error::c": 2\n"c\\r::warning::d": 3\n'
                '"e\\e[31m\\L::error::f": 4\n"g\\x7f\\x9b::error::h": 5\n')
HOSTILE_FILES = ("plans/team/x\n::error::forged.md", "plans/team/y\u2029::error::forged.md",
                 "plans/team/z\r::notice::forged.md")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    plans = {
        "plans/objectives/o.md": OBJECTIVE,
        "plans/themes/t.md": THEME,
        "plans/team/p.md": "---\ntitle: P\nthemes: [t]\n" + HOSTILE_KEYS + "---\n",
        **{name: "---\ntitle: X\nthemes: [t]\n---\n" for name in HOSTILE_FILES},
    }
    return make_site(tmp_path_factory.mktemp("forged"), plans)


def _diagnostics(site: Path) -> list[dict]:
    result = northstar(site, "check", "--format", "json")
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)["diagnostics"]


def _lines(text: str) -> list[str]:
    # str.splitlines breaks at every character some reader takes for a line end (NEL,
    # U+2028, VT, FF, the file and group separators...): the strictest count there is.
    return text.splitlines()


def test_the_hostile_names_and_keys_are_found(site):
    diagnostics = _diagnostics(site)
    files = {d["file"] for d in diagnostics}
    assert set(HOSTILE_FILES) <= files  # JSON keeps the names exactly
    assert sum(1 for d in diagnostics if d["file"] == "plans/team/p.md" and d["rule"] == "schema") == 5


def test_text_format_prints_one_line_per_diagnostic_and_no_command(site):
    diagnostics = _diagnostics(site)
    result = northstar(site, "check")
    assert result.returncode == 1
    lines = _lines(result.stdout)
    assert len(lines) == len(diagnostics) + 1  # and the summary
    assert not [line for line in lines if line.lstrip().startswith("::")]
    assert all(re.match(r"^plans/\S.*:\d+: (error|warning): \[[a-z-]+\] ", line) for line in lines[:-1]), lines
    text = result.stdout
    assert "plans/team/x\\n::error::forged.md:1: error: [schema]" in text
    assert "plans/team/y\\u2029::error::forged.md" in text
    assert "plans/team/z\\r::notice::forged.md" in text
    for shown in ("'a\\n::stop-commands::x'", "'b\\x85::error::c'", "'c\\r::warning::d'",
                  "'e\\x1b[31m\\u2028::error::f'", "'g\\x7f\\x9b::error::h'"):
        assert f"unknown key {shown}" in text, shown


def test_github_format_prints_one_command_per_diagnostic(site):
    diagnostics = _diagnostics(site)
    result = northstar(site, "check", "--format", "github")
    assert result.returncode == 1
    lines = _lines(result.stdout)
    commands = [line for line in lines if line.lstrip().startswith("::")]
    assert len(commands) == len(diagnostics) and len(lines) == len(diagnostics) + 1
    legitimate = re.compile(r"^::(error|warning) file=[^,:]*,line=\d+,title=northstar [a-z-]+::[^\x00-\x1f]*$")
    assert all(legitimate.match(line) for line in commands), commands
    assert "::error file=plans/team/x\\n%3A%3Aerror%3A%3Aforged.md,line=1," in result.stdout


def test_build_log_prints_one_line_per_diagnostic(site):
    diagnostics = _diagnostics(site)
    result = mkdocs_build(site)
    assert result.returncode == 1
    lines = _lines(result.stderr)
    assert not [line for line in lines if line.lstrip().startswith("::")], lines
    logged = [line for line in lines if re.match(r"^(ERROR|WARNING) +- +plans/", line)]
    assert len(logged) == len(diagnostics), lines
    assert "plans/team/x\\n::error::forged.md:1: error: [schema]" in result.stderr


@pytest.mark.parametrize("char, shown", [("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\x00", "\\x00"),
                                         ("\x1b", "\\x1b"), ("\x7f", "\\x7f"), ("\x85", "\\x85"),
                                         ("\x9f", "\\x9f"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"),
                                         ("\u202e", "\\u202e"), ("\u2066", "\\u2066")])
def test_printable_writes_control_characters_as_escapes(char, shown):
    assert printable(f"a{char}b") == f"a{shown}b"
    assert len(printable(f"a{char}b").splitlines()) == 1


def test_printable_leaves_other_text_alone():
    text = "plans/équipe/été 2025 — “quoted” 日本 \\n"
    assert printable(text) == text


@pytest.mark.parametrize("format", ["json", "sarif"])
def test_json_formats_keep_the_names_exactly_and_break_lines_only_their_own_way(site, format):
    result = northstar(site, "check", "--format", format)
    assert result.returncode == 1
    # Every line end is JSON's own "\n": none hides in a string for a stricter reader.
    assert len(_lines(result.stdout)) == result.stdout.count("\n")
    document = json.loads(result.stdout)
    if format == "json":
        files = {d["file"] for d in document["diagnostics"]}
        messages = {d["message"] for d in document["diagnostics"]}
    else:
        results = document["runs"][0]["results"]
        files = {unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results}
        messages = {r["message"]["text"] for r in results}
    assert set(HOSTILE_FILES) <= files
    assert "unknown key 'g\x7f\x9b::error::h'" in messages and "unknown key 'e\x1b[31m\u2028::error::f'" in messages
