"""`northstar check` as a user (or CI) runs it: a subprocess in a project folder."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import CLEAN_PLANS, MKDOCS_YML, NORTHSTAR, make_site, mkdocs_build, northstar, run, tree, write

ORPHAN = {"plans/x/orphan.md": "---\ntitle: Orphan\n---\n"}
EMPTY_THEME = {"plans/themes/empty.md": "---\ntitle: Empty\nobjectives: [find-fast]\n---\nWhy.\n"}
# Enough unlinked plans for a report past a pipe's 64 KiB.
MANY_ORPHANS = {f"plans/x/orphan-{number:04}.md": f"---\ntitle: Orphan {number}\n---\n" for number in range(1500)}
BROKEN = {
    "plans/x/orphan.md": "---\ntitle: Orphan\nstatus: doing\n---\n",
    "plans/x/lost.md": "---\ntitle: Lost\nthemes: [better-serch]\n---\n",
    "plans/x/plain.md": "no front matter\n",
    "plans/themes/adrift.md": "---\ntitle: Adrift\n---\n",
}


def test_clean_strategy_passes(clean_site):
    result = northstar(clean_site, "check")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "2 objectives, 2 themes, 3 plans: 0 errors, 0 warnings\n"


def test_errors_exit_1_with_one_line_each(tmp_path):
    root = make_site(tmp_path, {**CLEAN_PLANS, **ORPHAN, **EMPTY_THEME})
    result = northstar(root, "check")
    assert result.returncode == 1
    assert result.stdout == (
        "plans/themes/empty.md:1: warning: [empty-theme] no plan belongs to theme 'empty'\n"
        "plans/x/orphan.md:1: error: [unlinked-plan] plan 'orphan' names no theme\n"
        "2 objectives, 3 themes, 4 plans: 1 error, 1 warning\n")


def test_json_format_is_the_contract(tmp_path):
    root = make_site(tmp_path, {**CLEAN_PLANS, **ORPHAN, **EMPTY_THEME})
    result = northstar(root, "check", "--format", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert list(document) == ["version", "summary", "diagnostics"]
    assert document["version"] == 1
    assert list(document["summary"].items()) == [
        ("objectives", 2), ("themes", 3), ("plans", 4), ("errors", 1), ("warnings", 1)]
    assert [list(d.items()) for d in document["diagnostics"]] == [
        [("rule", "empty-theme"), ("severity", "warning"), ("file", "plans/themes/empty.md"), ("line", 1),
         ("id", "empty"), ("message", "no plan belongs to theme 'empty'")],
        [("rule", "unlinked-plan"), ("severity", "error"), ("file", "plans/x/orphan.md"), ("line", 1),
         ("id", "orphan"), ("message", "plan 'orphan' names no theme")],
    ]


def test_json_null_id_and_clean_document(tmp_path):
    root = make_site(tmp_path, {**CLEAN_PLANS, "plans/x/Bad Name.md": "---\ntitle: B\nthemes: [better-search]\n---\n"})
    document = json.loads(northstar(root, "check", "--format", "json").stdout)
    assert document["diagnostics"] == [
        {"rule": "schema", "severity": "error", "file": "plans/x/Bad Name.md", "line": 1, "id": None,
         "message": "file name 'Bad Name.md' is not a valid id: rename the file or add 'id:'"}]
    clean = json.loads(northstar(make_site(tmp_path / "clean"), "check", "--format", "json").stdout)
    assert clean == {"version": 1, "diagnostics": [],
                     "summary": {"objectives": 2, "themes": 2, "plans": 3, "errors": 0, "warnings": 0}}


def test_warnings_pass_unless_strict(tmp_path):
    root = make_site(tmp_path, {**CLEAN_PLANS, **EMPTY_THEME})
    assert northstar(root, "check").returncode == 0
    assert northstar(root, "check", "--strict").returncode == 1


def test_rule_overrides_from_mkdocs_yml(tmp_path):
    config = MKDOCS_YML.replace("  - northstar\n", "  - northstar:\n      rules:\n        unlinked-plan: warning\n"
                                                   "        empty-theme: off\n")
    root = make_site(tmp_path, {**CLEAN_PLANS, **ORPHAN, **EMPTY_THEME}, config=config)
    result = northstar(root, "check")
    assert result.returncode == 0
    assert result.stdout == ("plans/x/orphan.md:1: warning: [unlinked-plan] plan 'orphan' names no theme\n"
                             "2 objectives, 3 themes, 4 plans: 0 errors, 1 warning\n")


@pytest.mark.parametrize("files, message", [
    ({}, "config file"),
    ({"mkdocs.yml": "site_name: [oops\n"}, "is not valid YAML"),
    ({"mkdocs.yml": MKDOCS_YML.replace("  - northstar\n", "  - northstar:\n      plan_dir: x\n")},
     "unknown option 'plan_dir': did you mean 'plans_dir'?"),
    ({"mkdocs.yml": MKDOCS_YML.replace("  - northstar\n", "  - northstar:\n      rules: {cycle: fatal}\n")},
     "rule 'cycle' has severity 'fatal'"),
    ({"mkdocs.yml": MKDOCS_YML.replace("  - northstar\n", "  - northstar:\n      plans_dir: nowhere\n")},
     "plans_dir 'nowhere' is not a folder"),
])
def test_configuration_problems_exit_2_without_traceback(tmp_path, files, message):
    write(tmp_path, files)
    result = northstar(tmp_path, "check")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("northstar: error: ") and message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_usage_problem_exits_2(clean_site):
    result = northstar(clean_site, "check", "--format", "xml")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_config_file_option_and_paths_from_the_working_folder(tmp_path):
    # Text names files from where the user stands; JSON from the folder of mkdocs.yml.
    root = make_site(tmp_path / "project", {**CLEAN_PLANS, **ORPHAN})
    result = northstar(tmp_path, "check", "-f", "project/mkdocs.yml")
    assert result.returncode == 1
    assert result.stdout.startswith("project/plans/x/orphan.md:1: error: [unlinked-plan]")
    assert northstar(tmp_path, "check", "--config-file", str(root / "mkdocs.yml")).stdout == result.stdout
    found = json.loads(northstar(tmp_path, "check", "-f", "project/mkdocs.yml", "--format", "json").stdout)
    assert [d["file"] for d in found["diagnostics"]] == ["plans/x/orphan.md"]


def test_check_and_build_report_the_same_diagnostics(tmp_path):
    root = make_site(tmp_path, {**CLEAN_PLANS, **BROKEN, **EMPTY_THEME})
    checked = northstar(root, "check")
    built = mkdocs_build(root)
    assert checked.returncode == 1 and built.returncode != 0
    from_check = checked.stdout.splitlines()[:-1]
    from_build = [re.sub(r"^(ERROR|WARNING) +- +", "", line) for line in built.stderr.splitlines()
                  if re.match(r"^(ERROR|WARNING) +- +plans/", line)]
    assert from_check == from_build
    assert len(from_check) >= 8  # front-matter, schema, dangling-link, unlinked-*, warnings


def test_check_does_not_import_mkdocs(clean_site):
    probe = (
        "import sys\n"
        "sys.argv = ['northstar', 'check']\n"
        "from mkdocs_northstar.cli import main\n"
        "try:\n    main()\nexcept SystemExit as done:\n    code = done.code\n"
        "loaded = sorted(m for m in sys.modules if m == 'mkdocs' or m.startswith(('mkdocs.', 'material')))\n"
        "print(code, loaded)\n"
    )
    result = run([sys.executable, "-c", probe], cwd=clean_site)
    assert result.stdout.splitlines()[-1] == "0 []", result.stdout + result.stderr


def test_check_writes_nothing_into_plans_or_docs(clean_site):
    before = {folder: tree(clean_site / folder) for folder in ("plans", "docs")}
    for _ in range(2):  # the second run may read what the first cached
        assert northstar(clean_site, "check").returncode == 0
    assert {folder: tree(clean_site / folder) for folder in ("plans", "docs")} == before


def test_check_sees_an_edit_made_after_a_previous_run(clean_site):
    assert northstar(clean_site, "check").returncode == 0
    plan = clean_site / "plans/growth/rewards.md"
    plan.write_text(plan.read_text().replace("themes: [loyalty]", "themes: [loyalti]"))
    result = northstar(clean_site, "check")
    assert result.returncode == 1
    assert "plans/growth/rewards.md:3: error: [dangling-link] themes names theme 'loyalti', which does not exist: " \
           "did you mean 'loyalty'?" in result.stdout


def test_output_larger_than_a_pipe_arrives_whole(tmp_path):
    # The command leaves without tearing the interpreter down (cli.run): what it printed
    # must still all be flushed first, well past a pipe's 64 KiB buffer.
    root = make_site(tmp_path, {**CLEAN_PLANS, **MANY_ORPHANS})
    result = northstar(root, "check", "--format", "json")
    assert result.returncode == 1
    assert len(result.stdout) > 65536
    assert len(json.loads(result.stdout)["diagnostics"]) == 1500


def test_a_reader_that_stops_early_gets_a_failure_not_a_traceback(tmp_path):
    root = make_site(tmp_path, {**CLEAN_PLANS, **MANY_ORPHANS})
    process = subprocess.Popen([NORTHSTAR, "check"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.read(10) == b"plans/x/or"
    process.stdout.close()  # as `northstar check | head -c 10` does
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in errors
