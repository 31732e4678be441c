"""Diagnostics point at the line of the offending key, counted from 1 in the file,
and read as plain English: checked through `northstar check` as a user runs it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest


def _write(root: Path, files: dict[str, str]) -> None:
    (root / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - northstar\n")
    for name, text in files.items():
        path = root / "plans" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _check(root: Path) -> list[dict]:
    result = subprocess.run([sys.executable, "-m", "mkdocs_northstar.cli", "check", "--format", "json"],
                            cwd=root, capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["diagnostics"]


OBJECTIVE = "---\ntitle: O\nperiod: 2025\nmetric: m\nbaseline: 2\ntarget: 1\n---\n"
THEME = "---\ntitle: T\nobjectives: [o]\n---\nWhy.\n"


@pytest.mark.parametrize("opening", ["---", "---  "])
def test_key_lines_count_from_the_first_line_of_the_file(tmp_path, opening):
    _write(tmp_path, {
        "objectives/o.md": OBJECTIVE,
        "themes/t.md": THEME,
        "team/p.md": f"{opening}\ntitle: P\nthemes: [t]\nobjectve: [o]\nstatus: ongoing\n---\n",
    })
    found = {(d["rule"], d["line"], d["message"]) for d in _check(tmp_path) if d["file"] == "plans/team/p.md"}
    assert found == {
        ("schema", 4, "unknown key 'objectve': did you mean 'objectives'?"),
        ("schema", 5, "status: 'ongoing' is not one of proposed, planned, in-progress, done, dropped; did you mean 'in-progress'?"),
    }


def test_yaml_error_on_the_first_key_points_at_line_two(tmp_path):
    _write(tmp_path, {"objectives/o.md": OBJECTIVE, "themes/t.md": THEME,
                      "team/p.md": "---\ntitle: a: b\nthemes: [t]\n---\n"})
    broken = [d for d in _check(tmp_path) if d["file"] == "plans/team/p.md"]
    assert [(d["rule"], d["line"]) for d in broken] == [("front-matter", 2)]


def test_kind_mismatch_messages_use_the_right_article(tmp_path):
    _write(tmp_path, {
        "objectives/o.md": OBJECTIVE.replace("---\n", "---\nthemes: [t]\n", 1),
        "themes/t.md": THEME,
        "team/p.md": "---\ntitle: P\nthemes: [t]\nobjectives: [t]\n---\n",
    })
    messages = {d["message"] for d in _check(tmp_path)}
    assert "key 'themes' is for plans, not for an objective" in messages
    assert "objectives names 't', which is a theme, not an objective" in messages


def test_a_file_name_that_is_not_an_id_needs_an_id_key(tmp_path):
    _write(tmp_path, {"objectives/o.md": OBJECTIVE, "themes/t.md": THEME,
                      "team/Spell Correction.md": "---\ntitle: P\nthemes: [t]\n---\n",
                      "team/Typo_Fix.md": "---\nid: typo-fix\ntitle: Q\nthemes: [t]\n---\n"})
    found = [(d["file"], d["rule"], d["line"], d["id"], d["message"]) for d in _check(tmp_path)]
    assert found == [("plans/team/Spell Correction.md", "schema", 1, None,
                      "file name 'Spell Correction.md' is not a valid id: rename the file or add 'id:'")]
