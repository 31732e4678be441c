"""The ratchet: `check --write-baseline` records today's diagnostics, `check --baseline`
fails only on new ones and names the fixed ones, through edits that move lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CLEAN_PLANS, make_site, northstar, write

ORPHAN = {"plans/search/orphan.md": """\
    ---
    title: Orphan work
    effort: 2
    ---
    Nobody asked for this.
    """}
SECOND_ORPHAN = {"plans/growth/stray.md": """\
    ---
    title: Stray work
    ---
    """}


def _backlog(root: Path) -> Path:
    make_site(root, {**CLEAN_PLANS, **ORPHAN})
    assert northstar(root, "check").returncode == 1
    written = northstar(root, "check", "--write-baseline", "northstar-baseline.json")
    assert written.returncode == 0, written.stdout + written.stderr
    assert "recorded 1 diagnostic in northstar-baseline.json" in written.stderr
    return root / "northstar-baseline.json"


def test_a_baseline_keeps_check_green_until_a_new_orphan_appears(tmp_path):
    baseline = _backlog(tmp_path)
    document = json.loads(baseline.read_text())
    assert document["version"] == 1
    assert document["diagnostics"] == [{"rule": "unlinked-plan", "severity": "error", "file": "plans/search/orphan.md",
                                        "id": "orphan", "message": "plan 'orphan' names no theme", "count": 1}]

    green = northstar(tmp_path, "check", "--baseline", "northstar-baseline.json")
    assert green.returncode == 0, green.stdout
    assert "orphan" not in green.stdout
    assert "0 errors, 0 warnings not in baseline northstar-baseline.json (1 known)" in green.stdout

    write(tmp_path, SECOND_ORPHAN)
    red = northstar(tmp_path, "check", "--baseline", "northstar-baseline.json")
    assert red.returncode == 1
    assert red.stdout.splitlines()[0] == "plans/growth/stray.md:1: error: [unlinked-plan] plan 'stray' names no theme"
    assert "plans/search/orphan.md" not in red.stdout
    annotations = northstar(tmp_path, "check", "--baseline", "northstar-baseline.json", "--format", "github").stdout
    assert annotations.count("::error ") == 1 and "file=plans/growth/stray.md" in annotations


def test_known_diagnostics_survive_edits_that_move_their_lines(tmp_path):
    _backlog(tmp_path)
    write(tmp_path, {"plans/search/orphan.md": """\
        ---
        owner: Ada
        status: planned
        title: Orphan work, now with an owner
        effort: 3
        ---
        Still nobody asked for this.
        """})
    assert northstar(tmp_path, "check", "--baseline", "northstar-baseline.json").returncode == 0


def test_fixed_diagnostics_are_named_and_can_leave_the_baseline(tmp_path):
    baseline = _backlog(tmp_path)
    write(tmp_path, {"plans/search/orphan.md": "---\ntitle: Orphan work\nthemes: [better-search]\n---\n"})
    result = northstar(tmp_path, "check", "--baseline", "northstar-baseline.json", "--format", "json")
    assert result.returncode == 0
    document = json.loads(result.stdout)
    assert document["diagnostics"] == [] and document["baseline"]["known"] == []
    assert [entry["id"] for entry in document["baseline"]["fixed"]] == ["orphan"]
    text = northstar(tmp_path, "check", "--baseline", "northstar-baseline.json").stdout
    assert "1 fixed" in text and "can leave the baseline" in text
    assert "plans/search/orphan.md: error: [unlinked-plan] plan 'orphan' names no theme" in text

    # Updating against itself drops the fixed entry and never lets a new one in.
    write(tmp_path, SECOND_ORPHAN)
    pruned = northstar(tmp_path, "check", "--baseline", "northstar-baseline.json",
                       "--write-baseline", "northstar-baseline.json")
    assert pruned.returncode == 1  # the new orphan still fails
    assert json.loads(baseline.read_text())["diagnostics"] == []


def test_identical_diagnostics_are_counted(tmp_path):
    # The same key three times: two identical findings ("given twice, first on line N").
    make_site(tmp_path, {**CLEAN_PLANS, "plans/search/ranking.md": """\
        ---
        title: Ranking by relevance
        themes: [better-search]
        owner: A
        owner: B
        owner: C
        ---
        """})
    northstar(tmp_path, "check", "--write-baseline", "b.json")
    [entry] = json.loads((tmp_path / "b.json").read_text())["diagnostics"]
    assert entry["rule"] == "schema" and entry["count"] == 2
    assert northstar(tmp_path, "check", "--baseline", "b.json").returncode == 0
    write(tmp_path, {"plans/search/ranking.md": """\
        ---
        title: Ranking by relevance
        themes: [better-search]
        owner: A
        owner: B
        owner: C
        owner: D
        ---
        """})
    result = northstar(tmp_path, "check", "--baseline", "b.json")
    assert result.returncode == 1
    assert result.stdout.count("[schema]") == 1


def test_a_missing_or_broken_baseline_is_a_usage_error(tmp_path):
    make_site(tmp_path)
    missing = northstar(tmp_path, "check", "--baseline", "nope.json")
    assert missing.returncode == 2
    assert "baseline 'nope.json' does not exist" in missing.stderr and "Traceback" not in missing.stderr
    for content, complaint in (("{not json", "is not valid JSON"), ('{"version": 9}', "has version 9"),
                               ('{"version": 1, "diagnostics": [{"rule": "x"}]}', "entry 1 needs rule, file")):
        (tmp_path / "bad.json").write_text(content)
        result = northstar(tmp_path, "check", "--baseline", "bad.json")
        assert result.returncode == 2 and complaint in result.stderr, result.stderr


def test_sarif_marks_results_new_or_unchanged_against_a_baseline(tmp_path):
    _backlog(tmp_path)
    write(tmp_path, SECOND_ORPHAN)
    log = json.loads(northstar(tmp_path, "check", "--baseline", "northstar-baseline.json", "--format", "sarif").stdout)
    states = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: result["baselineState"]
              for result in log["runs"][0]["results"]}
    assert states == {"plans/search/orphan.md": "unchanged", "plans/growth/stray.md": "new"}


# --- The baseline of the branch a pull request goes into -------------------------------


def test_a_pull_request_cannot_ratchet_its_own_error_in(tmp_path):
    from test_diff_compare import commit, git

    _backlog(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "strategy and its baseline")
    git(tmp_path, "checkout", "-q", "-b", "change")
    write(tmp_path, SECOND_ORPHAN)  # the change adds an error and records it in the baseline
    assert northstar(tmp_path, "check", "--write-baseline", "northstar-baseline.json").returncode == 0
    commit(tmp_path, "a new orphan, and the baseline to let it pass")
    assert northstar(tmp_path, "check", "--baseline", "northstar-baseline.json").returncode == 0

    red = northstar(tmp_path, "check", "--baseline", "main:northstar-baseline.json")
    assert red.returncode == 1, red.stdout + red.stderr
    assert red.stdout.splitlines()[0] == "plans/growth/stray.md:1: error: [unlinked-plan] plan 'stray' names no theme"
    assert "not in baseline main:northstar-baseline.json (1 known)" in red.stdout
    # Relative to the current folder, as git reads './'.
    assert northstar(tmp_path / "plans", "check", "-f", "../mkdocs.yml", "--baseline",
                     "main:./../northstar-baseline.json").returncode == 1


def test_a_file_whose_name_holds_a_colon_stays_a_file(tmp_path):
    baseline = _backlog(tmp_path)
    baseline.rename(tmp_path / "main:baseline.json")  # no git repository here at all
    green = northstar(tmp_path, "check", "--baseline", "main:baseline.json")
    assert green.returncode == 0, green.stdout + green.stderr
    assert "(1 known)" in green.stdout


@pytest.mark.parametrize("spec, message", [
    ("nosuchrev:northstar-baseline.json", "'nosuchrev' is not a commit"),
    ("main:missing.json", "'missing.json' is not a file at main"),
    ("main:", "is not REV:PATH"),
    ("--output=x:y", "is not REV:PATH"),
])
def test_a_revision_that_cannot_be_read_is_a_usage_error(tmp_path, spec, message):
    from test_diff_compare import commit, git

    _backlog(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "strategy")
    result = northstar(tmp_path, "check", "--baseline", spec)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x:y").exists() and not (tmp_path / "--output=x").exists()


def test_a_revision_outside_git_is_a_usage_error(tmp_path):
    _backlog(tmp_path)
    result = northstar(tmp_path, "check", "--baseline", "main:northstar-baseline.json")
    assert result.returncode == 2
    assert "not inside a git repository" in result.stderr and "Traceback" not in result.stderr
