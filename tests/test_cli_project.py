"""Every command finds its project as git does: mkdocs.yml (or mkdocs.yaml) in the
working folder or the nearest one above it; text output names files from there."""

from __future__ import annotations

import json
import subprocess

from conftest import NORTHSTAR, make_site, northstar, run, write

BROKEN = {"plans/search/x.md": "---\ntitle: X\n---\n"}


def test_check_from_a_folder_below_the_project(clean_site):
    write(clean_site, BROKEN)
    result = northstar(clean_site / "plans" / "search", "check")
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == "x.md:1: error: [unlinked-plan] plan 'x' names no theme"
    assert result.stdout.splitlines()[-1].startswith("2 objectives, 2 themes, 4 plans: 1 error")


def test_text_paths_from_beside_the_plans_folder(clean_site):
    write(clean_site, BROKEN)
    (clean_site / "docs" / "sub").mkdir()
    result = northstar(clean_site / "docs" / "sub", "check")
    assert result.stdout.startswith("../../plans/search/x.md:1: error: [unlinked-plan]")


def test_machine_formats_keep_paths_relative_to_the_project(clean_site):
    write(clean_site, BROKEN)
    result = northstar(clean_site / "plans", "check", "--format", "json")
    assert [d["file"] for d in json.loads(result.stdout)["diagnostics"]] == ["plans/search/x.md"]


def test_github_annotations_name_files_from_the_repository_root(tmp_path):
    # The project sits in a folder of its repository: annotations need repo-relative paths.
    project = make_site(tmp_path / "site", BROKEN)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = northstar(project / "plans" / "search", "check", "--format", "github")
    assert result.stdout.startswith("::error file=site/plans/search/x.md,line=1,")


def test_mkdocs_yaml_is_found_too(tmp_path):
    make_site(tmp_path, BROKEN)
    (tmp_path / "mkdocs.yml").rename(tmp_path / "mkdocs.yaml")
    result = northstar(tmp_path / "plans", "check")
    assert result.returncode == 1 and "search/x.md:1: error" in result.stdout


def test_the_nearest_config_wins_and_f_wins_over_it(tmp_path):
    outer = make_site(tmp_path, {"plans/search/outer.md": "---\ntitle: O\n---\n"})
    inner = make_site(tmp_path / "nested", BROKEN)
    assert "x.md" in northstar(inner / "plans", "check").stdout
    result = northstar(inner / "plans", "check", "-f", str(outer / "mkdocs.yml"))
    assert "outer.md" in result.stdout and "x.md" not in result.stdout


def test_no_config_anywhere_above_is_a_usage_error(tmp_path):
    folder = tmp_path / "nowhere"
    folder.mkdir()
    result = northstar(folder, "check")
    assert result.returncode == 2
    assert "no config file (mkdocs.yml or mkdocs.yaml) in" in result.stderr and "Traceback" not in result.stderr


def test_new_and_export_work_from_below_the_project(clean_site):
    here = clean_site / "plans" / "search"
    result = northstar(here, "new", "plan", "y", "--theme", "better-search", "--team", "search")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "y.md" and (here / "y.md").is_file()
    exported = json.loads(run([NORTHSTAR, "export"], cwd=here).stdout)
    assert "plans/search/y.md" in [record["file"] for record in exported["records"]]
