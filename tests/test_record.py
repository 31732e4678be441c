"""`northstar record`: a measurement added where the objective keeps them, nothing else changed."""

from __future__ import annotations

import datetime
import textwrap
from pathlib import Path

import yaml

from conftest import make_site, northstar
from mkdocs_northstar.outcomes import key_results_of, nested_key_lines

THEME = {"plans/themes/t.md": "---\ntitle: T\nobjectives: [find]\n---\nWhy.\n"}


def site(tmp_path: Path, objective: str | bytes, extra: dict | None = None) -> Path:
    text = objective if isinstance(objective, bytes) else textwrap.dedent(objective).encode()
    return make_site(tmp_path, {**THEME, "plans/objectives/find.md": text, **(extra or {})})


def objective_file(root: Path) -> bytes:
    return (root / "plans/objectives/find.md").read_bytes()


def added(before: bytes, after: bytes) -> tuple[list[bytes], list[bytes]]:
    """The lines only in `before` and only in `after`, given that one is the other with a block of
    lines replaced: what a splice changed, and proof that every other byte is the same."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return old[head:len(old) - tail], new[head:len(new) - tail]


def key_results(root: Path):
    text = objective_file(root).decode("utf-8-sig").replace("\r\n", "\n")
    matter = text.split("---\n")[1]
    matter = "\n" + matter
    lines = {key.value: key.start_mark.line + 1 for key, _ in yaml.compose(matter).value}
    lines.update(nested_key_lines(yaml.compose(matter)))
    return key_results_of(yaml.safe_load(matter), lines)


HOSTILE_SHORTHAND = (
    b"---\r\n"
    b"title: 'Find  products'   # the title, quoted\r\n"
    b"metric: \"median time \\u00e9\"\r\n"
    b"baseline: 40\r\n"
    b"target:   20\r\n"
    b"tags: [a,  b]    # odd spacing\r\n"
    b"period: 2026\r\n"
    b"# a closing comment\r\n"
    b"---\r\n"
    b"Body stays.\r\n")


def test_shorthand_without_measurements_gets_the_key_and_keeps_every_other_byte(tmp_path):
    root = site(tmp_path, HOSTILE_SHORTHAND)
    result = northstar(root, "record", "find", "31.5", "--date", "2026-02-01", "--note", 'after "the" fix')
    assert result.returncode == 0, result.stderr
    assert "find: 31.5 on 2026-02-01 recorded in plans/objectives/find.md" in result.stdout
    removed, new = added(HOSTILE_SHORTHAND, objective_file(root))
    assert removed == []
    assert new == [b"measurements:\r\n", b'  - {date: 2026-02-01, value: 31.5, note: "after \\"the\\" fix"}\r\n']
    [kr], problems = key_results(root)
    assert problems == [] and kr.value == 31.5 and kr.measurements[0].note == 'after "the" fix'


def test_appends_to_a_block_list_in_its_style_and_refuses_a_recorded_date(tmp_path):
    root = site(tmp_path, """\
        ---
        title: Find
        metric: time
        baseline: 40
        target: 20
        period: 2026
        measurements:
          - date: 2026-01-05
            value: 39   # first
          - date: 2026-02-05
            value: 35
        owner: Ada
        ---
        """)
    before = objective_file(root)
    assert northstar(root, "record", "find", "33", "--date", "2026-03-01").returncode == 0
    removed, new = added(before, objective_file(root))
    assert removed == [] and new == [b"  - date: 2026-03-01\n", b"    value: 33\n"]
    after = objective_file(root)
    result = northstar(root, "record", "find", "30", "--date", "2026-02-05")
    assert result.returncode == 1 and objective_file(root) == after
    assert "already has a measurement on 2026-02-05 (line 10 of plans/objectives/find.md)" in result.stderr
    result = northstar(root, "record", "find", "34", "--date", "2026-02-05", "--replace")
    assert result.returncode == 0 and "replaced" in result.stdout
    removed, new = added(after, objective_file(root))
    assert (removed, new) == ([b"    value: 35\n"], [b"    value: 34\n"])  # the date line is the same
    assert [m.value for m in key_results(root)[0][0].measurements] == [39, 34, 33]


def test_flow_list_and_current_follow_the_latest(tmp_path):
    root = site(tmp_path, """\
        ---
        title: Find
        metric: time
        baseline: 40
        target: 20
        current: 35
        period: 2026
        measurements: [{date: 2026-01-05, value: 39}, {date: 2026-02-05, value: 35}]  # kept
        ---
        """)
    before = objective_file(root)
    result = northstar(root, "record", "find", "30", "--date", "2026-03-01")
    assert result.returncode == 0 and "current updated" in result.stdout
    removed, new = added(before, objective_file(root))
    assert removed == [b"current: 35\n", b"period: 2026\n",
                       b"measurements: [{date: 2026-01-05, value: 39}, {date: 2026-02-05, value: 35}]  # kept\n"]
    assert new == [b"current: 30\n", b"period: 2026\n",
                   b"measurements: [{date: 2026-01-05, value: 39}, {date: 2026-02-05, value: 35}, "
                   b"{date: 2026-03-01, value: 30}]  # kept\n"]
    # An older measurement leaves current alone.
    before = objective_file(root)
    assert northstar(root, "record", "find", "37", "--date", "2026-01-20").returncode == 0
    assert b"current: 30\n" in objective_file(root)
    krs, problems = key_results(root)
    assert problems == [] and krs[0].value == 30


KEY_RESULTS = """\
    ---
    title: Find
    period: 2026
    key_results:
      - id: speed
        metric: time   # seconds
        baseline: 40
        target: 20
      - {id: conversion, metric: buyers, baseline: 2, target: 3}
      - id: launch
        milestone: launch it
    ---
    """


def test_key_results_take_the_key_inside_their_own_mapping(tmp_path):
    root = site(tmp_path, KEY_RESULTS)
    before = objective_file(root)
    result = northstar(root, "record", "find", "33", "--date", "2026-03-01")
    assert result.returncode == 2 and "has 3 key results: name one, as find/ID (speed, conversion, launch)" \
        in result.stderr
    assert northstar(root, "record", "find/sped", "1").returncode == 2
    assert northstar(root, "record", "find/speed", "33", "--date", "2026-03-01").returncode == 0
    removed, new = added(before, objective_file(root))
    assert removed == [] and new == [b"    measurements:\n", b"      - {date: 2026-03-01, value: 33}\n"]
    before = objective_file(root)
    assert northstar(root, "record", "find/conversion", "2.5", "--date", "2026-03-01").returncode == 0
    removed, new = added(before, objective_file(root))
    assert new == [b"  - {id: conversion, metric: buyers, baseline: 2, target: 3, "
                   b"measurements: [{date: 2026-03-01, value: 2.5}]}\n"]
    krs, problems = key_results(root)
    assert problems == [] and [kr.value for kr in krs[:2]] == [33, 2.5]


def test_csv_file_gets_a_row_in_its_own_line_endings(tmp_path):
    csv_before = b"date,value,note\r\n2026-01-05,40,start\r\n"
    root = site(tmp_path, """\
        ---
        title: Find
        metric: time
        baseline: 40
        target: 20
        period: 2026
        measurements: find.csv
        ---
        """, {"plans/objectives/find.csv": csv_before})
    before = objective_file(root)
    result = northstar(root, "record", "find", "36", "--date", "2026-02-01", "--note", "a, b")
    assert result.returncode == 0, result.stderr
    assert "recorded in plans/objectives/find.csv" in result.stdout
    assert objective_file(root) == before
    assert (root / "plans/objectives/find.csv").read_bytes() == csv_before + b'2026-02-01,36,"a, b"\r\n'
    result = northstar(root, "record", "find", "35", "--date", "2026-01-05")
    assert result.returncode == 1 and "line 2 of plans/objectives/find.csv" in result.stderr
    assert northstar(root, "record", "find", "35", "--date", "2026-01-05", "--replace").returncode == 0
    assert (root / "plans/objectives/find.csv").read_bytes() == \
        b'date,value,note\r\n2026-01-05,35,\r\n2026-02-01,36,"a, b"\r\n'


def test_bad_arguments_exit_2_and_change_nothing(tmp_path):
    root = site(tmp_path, HOSTILE_SHORTHAND)
    for args, words in ((["fnd", "3"], "no objective 'fnd': did you mean 'find'?"),
                        (["t", "3"], "'t' is a theme"),
                        (["find", "3", "--date", "01/02/2026"], "is not a date YYYY-MM-DD"),
                        (["find/kr-2", "3"], "has one key result, kr-1"),
                        (["find", "lots"], "'lots' is not a number")):
        result = northstar(root, "record", *args)
        assert result.returncode == 2 and words in result.stderr, (args, result.stderr)
    assert objective_file(root) == HOSTILE_SHORTHAND


def test_date_defaults_to_source_date_epoch(tmp_path):
    import os
    import subprocess

    from conftest import NORTHSTAR

    root = site(tmp_path, HOSTILE_SHORTHAND)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "NO_COLOR": "1"}
    result = subprocess.run([NORTHSTAR, "record", "find", "38"], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert datetime.date(2026, 1, 1) == key_results(root)[0][0].measurements[0].date


def test_hostile_notes_and_names_stay_data(tmp_path):
    root = site(tmp_path, HOSTILE_SHORTHAND)
    note = "line one\nline two\u2028--- # not a fence\x85end"
    assert northstar(root, "record", "find", "30", "--date", "2026-02-01", "--note", note).returncode == 0
    [kr], problems = key_results(root)
    assert problems == [] and kr.measurements[0].note == note
    assert objective_file(root).count(b"---\r\n") == 2  # the front matter still closes where it did
    result = northstar(root, "record", "find\n::error::x", "3")
    assert result.returncode == 2 and "'find\\n::error::x' is not OBJECTIVE" in result.stderr
