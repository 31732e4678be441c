"""Measurements kept in a CSV file: read below plans_dir only, every problem at the CSV's own line."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from mkdocs_northstar.read import measurements
from mkdocs_northstar.read.measurements import csv_reader

D = datetime.date


def plans(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    root = tmp_path / "plans"
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    root.mkdir(exist_ok=True)
    return root


def read(root: Path, name: str, source: str = "objectives/find.md"):
    rows, problems = csv_reader(root, source, "plans/")(name)
    return rows, [(p.file, p.line, p.message) for p in problems]


def test_rows_with_bom_crlf_notes_and_key_results(tmp_path):
    root = plans(tmp_path, {"objectives/data/find.csv":
                            "\ufeffDate,Value,note,key_result\r\n2026-01-05,40,,speed\r\n"
                            '2026-02-05,35.5,"after the\r\nindex, rebuilt",speed\r\n\r\n2026-03-01,1,,launch\r\n'})
    rows, problems = read(root, "data/find.csv")
    assert problems == []
    assert [(kr, m.date, m.value, m.note, m.line, m.file) for kr, m in rows] == [
        ("speed", D(2026, 1, 5), 40, None, 2, "plans/objectives/data/find.csv"),
        ("speed", D(2026, 2, 5), 35.5, "after the\r\nindex, rebuilt", 3, "plans/objectives/data/find.csv"),
        ("launch", D(2026, 3, 1), 1, None, 6, "plans/objectives/data/find.csv")]


def test_bad_rows_are_named_by_their_own_line(tmp_path):
    root = plans(tmp_path, {"objectives/find.csv": "date,value,nots\n2026-01-05,40\n2026-02-30,3\n"
                                                   "05/03/2026,4\n2026-03-01,lots\n2026-03-02,nan\n"})
    rows, problems = read(root, "find.csv")
    assert [m.line for _, m in rows] == [2]
    shown = "plans/objectives/find.csv"
    assert problems == [
        (shown, 1, "unknown column 'nots': did you mean 'note'? (columns: date, value, note, key_result)"),
        (shown, 3, "date '2026-02-30' is not a date YYYY-MM-DD"),
        (shown, 4, "date '05/03/2026' is not a date YYYY-MM-DD"),
        (shown, 5, "value 'lots' is not a number"),
        (shown, 6, "value 'nan' is not a number")]


def test_missing_columns_and_empty_file(tmp_path):
    root = plans(tmp_path, {"objectives/a.csv": "day,value\n2026-01-01,3\n", "objectives/b.csv": ""})
    # One problem for the header row, naming what it holds instead.
    assert read(root, "a.csv")[1] == [("plans/objectives/a.csv", 1, "the header row has no date column (unknown "
                                       "column 'day') (columns: date, value, note, key_result)")]
    assert "empty" in read(root, "b.csv")[1][0][2]


def test_not_utf8_is_a_problem_at_its_line(tmp_path):
    root = plans(tmp_path, {"objectives/a.csv": b"date,value,note\n2026-01-01,3,ok\n2026-01-02,4,caf\xe9\n"})
    [(file, line, message)] = read(root, "a.csv")[1]
    assert (file, line) == ("plans/objectives/a.csv", 3) and "not UTF-8" in message


@pytest.mark.parametrize("name, words", [
    ("../../secret.csv", "outside the plans folder"),
    ("/etc/passwd", "absolute path"),
    ("..\\x.csv", "separate folders with '/'"),
    ("", "empty"),
    ("nowhere.csv", "'plans/objectives/nowhere.csv' does not exist"),
])
def test_paths_that_leave_the_plans_folder_or_do_not_exist_are_refused(tmp_path, name, words):
    (tmp_path / "secret.csv").write_text("date,value\n2026-01-01,1\n")
    root = plans(tmp_path, {"objectives/find.md": "x"})
    rows, problems = read(root, name)
    assert rows == [] and len(problems) == 1
    file, line, message = problems[0]
    assert file is None and words in message  # said at the record's `measurements` key


def test_a_symbolic_link_out_of_the_plans_folder_is_not_followed(tmp_path):
    (tmp_path / "secret.csv").write_text("date,value\n2026-01-01,1\n")
    root = plans(tmp_path, {"objectives/find.md": "x"})
    os.symlink(tmp_path / "secret.csv", root / "objectives" / "data.csv")
    rows, problems = read(root, "data.csv")
    assert rows == [] and "symbolic link" in problems[0][2]


def test_a_csv_beside_another_folder_inside_plans_is_fine(tmp_path):
    root = plans(tmp_path, {"data/find.csv": "date,value\n2026-01-01,1\n"})
    rows, problems = read(root, "../data/find.csv")
    assert problems == [] and rows[0][1].file == "plans/data/find.csv"


def test_size_bounds(tmp_path, monkeypatch):
    root = plans(tmp_path, {"objectives/big.csv": "date,value\n" + "2026-01-01,1\n" * 20})
    monkeypatch.setattr(measurements, "MAX_ROWS", 5)
    rows, problems = read(root, "big.csv")
    assert len(rows) == 5 and problems == [("plans/objectives/big.csv", 7, "measurements file has over 5 rows; "
                                                                           "the rest is not read")]
    monkeypatch.setattr(measurements, "MAX_BYTES", 100)
    rows, problems = read(root, "big.csv")
    assert rows == [] and "over the limit of 100 bytes" in problems[0][2]


def test_duplicate_dates_and_unknown_key_results_through_key_results_of(tmp_path):
    from mkdocs_northstar.outcomes import key_results_of

    root = plans(tmp_path, {"objectives/find.csv": "date,value,key_result\n2026-01-01,1,a\n2026-01-01,2,a\n"
                                                   "2026-01-02,3,b\n2026-01-03,4,c\n"})
    fields = {"key_results": [{"id": "a", "metric": "x", "baseline": 0, "target": 9, "measurements": "find.csv"},
                              {"id": "b", "metric": "y", "baseline": 0, "target": 9, "measurements": "find.csv"}]}
    krs, problems = key_results_of(fields, {"key_results": 2}, csv_reader(root, "objectives/find.md", "plans/"))
    assert [kr.value for kr in krs] == [1, 3]
    assert sorted((p.file, p.line, p.message) for p in problems) == [
        ("plans/objectives/find.csv", 3, "key result 'a': two measurements on 2026-01-01 (the first on line 2 of "
                                         "plans/objectives/find.csv)"),
        ("plans/objectives/find.csv", 5, "key_result 'c' is not a key result of this objective")]
