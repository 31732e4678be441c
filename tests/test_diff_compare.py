"""`northstar diff`: what a change does to the strategy, read from real git
repositories made for each test, run as a reviewer's CI runs it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from textwrap import dedent

from conftest import CLEAN_PLANS, make_site, northstar, tree, write

# A plan added, a plan removed, a plan unlinked and an objective's target moved.
CHANGE = {
    "plans/growth/referrals.md": """\
        ---
        title: Referral codes
        themes: [loyalty]
        effort: 2
        ---
        Shoppers bring their friends.
        """,
    "plans/search/ranking.md": dedent(CLEAN_PLANS["plans/search/ranking.md"]).replace("themes: [better-search]\n", ""),
    "plans/objectives/retain.md": CLEAN_PLANS["plans/objectives/retain.md"].replace("target: 1500", "target: 1800"),
}
REMOVED = "plans/search/index-speed.md"
# Records the change does not touch: nothing may be said about them.
UNTOUCHED = ("rewards", "Rewards programme", "plans/growth/rewards.md", "index-speed-2")


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
                          cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def repository(root: Path) -> Path:
    make_site(root)
    git(root, "init", "-q")
    commit(root, "strategy")
    return root


def changed_repository(root: Path) -> Path:
    repository(root)
    write(root, CHANGE)
    (root / REMOVED).unlink()
    commit(root, "change")
    return root


def diff_json(root: Path, *args: str) -> tuple[dict, subprocess.CompletedProcess]:
    result = northstar(root, "diff", *args, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout), result


def test_diff_names_the_added_removed_unlinked_and_retargeted_records_and_nothing_else(tmp_path):
    root = changed_repository(tmp_path)
    document, result = diff_json(root, "HEAD~1", "HEAD")
    assert result.returncode == 1  # the unlinked plan is a new error
    records = document["records"]
    assert [(e["kind"], e["id"], e["path"]) for e in records["added"]] == [("plan", "referrals", "plans/growth/referrals.md")]
    assert [(e["kind"], e["id"], e["path"]) for e in records["removed"]] == [("plan", "index-speed", REMOVED)]
    assert records["moved"] == []
    changed = {entry["id"]: entry["fields"] for entry in records["changed"]}
    assert changed == {"ranking": [{"key": "themes", "before": ["better-search"], "after": None}],
                       "retain": [{"key": "target", "before": 1500, "after": 1800}]}
    assert document["links"] == {"made": [], "broken": [
        {"from": "ranking", "key": "themes", "to": "better-search", "reason": "unlinked"}]}
    assert document["measures"] == [{"id": "retain", "title": "Keep shoppers coming back", "key": "target",
                                     "before": 1500, "after": 1800}]
    coverage = {entry["id"]: (entry["before"]["plans"], entry["after"]["plans"])
                for entry in document["coverage"]["objectives"]}
    assert coverage == {"find-fast": (2, 0), "retain": (1, 2)}
    new = {(d["rule"], d["file"]) for d in document["diagnostics"]["new"]}
    assert ("unlinked-plan", "plans/search/ranking.md") in new
    assert ("uncovered-objective", "plans/objectives/find-fast.md") in new
    assert document["diagnostics"]["fixed"] == []
    assert document["base"]["commit"] == git(root, "rev-parse", "HEAD~1").strip()
    assert document["summary"]["new_errors"] == 1
    for untouched in UNTOUCHED:
        assert untouched not in result.stdout


def test_markdown_for_a_pull_request_summarises_first_and_folds_the_details(tmp_path):
    root = changed_repository(tmp_path)
    result = northstar(root, "diff", "HEAD~1", "HEAD")
    assert result.returncode == 1
    text = result.stdout
    head, _, details = text.partition("<details>")
    assert "❌ 1 new error" in head and "records: 1 added, 1 removed, 2 changed" in head
    assert "`plans/search/ranking.md:1` [unlinked-plan]" in head
    for expected in ("added plan `referrals`", "removed plan `index-speed`", "plan `ranking`",
                     "themes: better-search → –", "`retain` target: 1,500 → 1,800",
                     "`ranking` themes → `better-search` (link removed)", "| `find-fast` | 2 → 0 |"):
        assert expected in details, expected
    assert text.count("<details>") == text.count("</details>") >= 4
    for untouched in UNTOUCHED:
        assert untouched not in text


def test_the_working_tree_is_the_default_head_and_is_never_touched(tmp_path):
    root = repository(tmp_path)
    write(root, {"plans/search/ranking.md": CLEAN_PLANS["plans/search/ranking.md"].replace("effort: 3", "effort: 5"),
                 "plans/search/untracked.md": "---\ntitle: Draft\nthemes: [better-search]\n---\n"})
    git(root, "add", "plans/search/ranking.md")  # staged and untracked changes both count
    before, status = tree(root), git(root, "status", "--porcelain")
    document, result = diff_json(root, "HEAD")
    assert result.returncode == 0
    assert document["head"] == {**document["head"], "revision": "working tree", "commit": None}
    assert [entry["id"] for entry in document["records"]["added"]] == ["untracked"]
    assert [(entry["id"], entry["fields"]) for entry in document["records"]["changed"]] == [
        ("ranking", [{"key": "effort", "before": 3, "after": 5}])]
    assert tree(root) == before and git(root, "status", "--porcelain") == status


def test_a_moved_or_renamed_record_is_one_record_and_keeps_its_diagnostics(tmp_path):
    root = repository(tmp_path)
    write(root, {"plans/search/orphan.md": "---\ntitle: Orphan\n---\n"})
    commit(root, "a known orphan")
    git(root, "mv", "plans/search/orphan.md", "plans/growth/orphan.md")
    git(root, "mv", "plans/themes/loyalty.md", "plans/themes/retention.md")  # a new id from the stem
    document, result = diff_json(root, "HEAD")
    records = document["records"]
    assert records["added"] == [] and records["removed"] == []
    moved = {(e["from_id"], e["id"], e["from_path"], e["path"]) for e in records["moved"]}
    assert moved == {("orphan", "orphan", "plans/search/orphan.md", "plans/growth/orphan.md"),
                     ("loyalty", "retention", "plans/themes/loyalty.md", "plans/themes/retention.md")}
    # The orphan's error moved with it: not new. The theme's old id is still named by rewards.
    assert ("unlinked-plan", "plans/growth/orphan.md") not in {(d["rule"], d["file"]) for d in document["diagnostics"]["new"]}
    assert {"from": "rewards", "key": "themes", "to": "retention", "reason": "renamed"} in document["links"]["broken"]
    assert result.returncode == 1


def test_an_unparsable_file_on_one_side_is_reported_not_a_crash(tmp_path):
    root = repository(tmp_path)
    write(root, {"plans/growth/rewards.md": "---\ntitle: [unclosed\n---\n"})
    commit(root, "broken")
    document, result = diff_json(root, "HEAD~1", "HEAD")
    assert result.returncode == 1
    [entry] = document["records"]["changed"]
    assert entry["id"] == "rewards" and entry["unreadable"] is True
    assert [d["rule"] for d in document["diagnostics"]["new"] if d["file"] == "plans/growth/rewards.md"] == ["front-matter"]
    # And back: the fix shows as fixed, exit 0.
    document, result = diff_json(root, "HEAD", "HEAD~1")
    assert result.returncode == 0
    assert "front-matter" in [e["rule"] for e in document["diagnostics"]["fixed"]]
    assert "front matter could not be read" in northstar(root, "diff", "HEAD~1", "HEAD").stdout


def test_the_revision_s_own_settings_are_used(tmp_path):
    # plans_dir was renamed in the change: each side reads its own mkdocs.yml.
    root = repository(tmp_path)
    git(root, "mv", "plans", "strategy")
    (root / "mkdocs.yml").write_text((root / "mkdocs.yml").read_text().replace(
        "  - northstar\n", "  - northstar:\n      plans_dir: strategy\n"))
    commit(root, "move the plans")
    document, _ = diff_json(root, "HEAD~1", "HEAD")
    assert document["records"]["added"] == [] and document["records"]["removed"] == []
    assert len(document["records"]["moved"]) == len(CLEAN_PLANS)


def test_a_site_in_a_sub_folder_of_the_repository(tmp_path):
    make_site(tmp_path / "site-src")
    git(tmp_path, "init", "-q")
    commit(tmp_path, "strategy")
    (tmp_path / "site-src" / "plans/growth/rewards.md").unlink()
    document, _ = diff_json(tmp_path / "site-src", "HEAD")
    assert [entry["path"] for entry in document["records"]["removed"]] == ["plans/growth/rewards.md"]


def test_no_change_says_so(tmp_path):
    root = repository(tmp_path)
    result = northstar(root, "diff", "HEAD")
    assert result.returncode == 0
    assert "No change to the strategy." in result.stdout and "<details>" not in result.stdout


def test_outside_a_repository_or_with_a_bad_revision_exit_2(tmp_path):
    outside = make_site(tmp_path / "plain")
    result = northstar(outside, "diff", "HEAD")
    assert result.returncode == 2
    assert "not inside a git repository" in result.stderr and "Traceback" not in result.stderr
    root = repository(tmp_path / "repo")
    for revision in ("no-such-branch", "HEAD~5"):
        result = northstar(root, "diff", revision)
        assert result.returncode == 2, result.stdout
        assert "is not a" in result.stderr and "Traceback" not in result.stderr


def test_a_revision_without_mkdocs_yml_uses_the_working_tree_s_settings_and_says_so(tmp_path):
    make_site(tmp_path)
    (tmp_path / "mkdocs.yml").rename(tmp_path / "later.yml")
    git(tmp_path, "init", "-q")
    commit(tmp_path, "plans before the site")
    (tmp_path / "later.yml").rename(tmp_path / "mkdocs.yml")
    document, result = diff_json(tmp_path, "HEAD")
    assert document["notes"] == ["mkdocs.yml at HEAD is not there; the working tree's settings apply"]
    assert document["records"] == {"added": [], "removed": [], "moved": [], "changed": []}
    assert "> mkdocs.yml at HEAD is not there" in northstar(tmp_path, "diff", "HEAD").stdout


# --- diff sees what check sees: one scanner for the folder and for a revision -----------


def _check_and_diff(root: Path) -> tuple[dict, dict]:
    """check of the working tree, and diff of the commit holding that very tree."""
    checked = northstar(root, "check", "--format", "json")
    assert checked.returncode in (0, 1) and "Traceback" not in checked.stderr, checked.stderr
    git(root, "init", "-q")
    commit(root, "strategy")
    document, _ = diff_json(root, "HEAD")
    return json.loads(checked.stdout), document


def _same_strategy(root: Path, check: dict, document: dict) -> None:
    records = document["records"]
    assert records["added"] == records["removed"] == records["moved"] == records["changed"] == []
    assert document["diagnostics"]["new"] == document["diagnostics"]["fixed"] == []
    counts = ("objectives", "themes", "plans", "errors", "warnings")
    for side in ("base", "head"):
        assert {key: document[side]["summary"][key] for key in counts} == {key: check["summary"][key] for key in counts}
    assert document["base"]["summary"] == document["head"]["summary"]
    text = northstar(root, "diff", "HEAD")
    assert text.returncode == 0 and "No change to the strategy." in text.stdout


def test_diff_reads_a_revision_as_check_reads_the_folder_with_plans_dir_dot(tmp_path):
    write(tmp_path, {"mkdocs.yml": "site_name: S\nplugins:\n  - northstar:\n      plans_dir: .\n",
                     **{path.removeprefix("plans/"): content for path, content in CLEAN_PLANS.items()}})
    check, document = _check_and_diff(tmp_path)
    assert check["summary"]["plans"] == 3 and check["diagnostics"] == []
    _same_strategy(tmp_path, check, document)


def test_diff_reads_links_in_a_revision_as_check_reads_them(tmp_path):
    make_site(tmp_path)
    (tmp_path / "elsewhere.md").write_text("---\ntitle: Outside\nthemes: [better-search]\n---\n")
    plans = tmp_path / "plans"
    (plans / "search/loop").symlink_to("..")  # back to a folder above it
    (plans / "search/outside.md").symlink_to("../../elsewhere.md")  # a file outside plans
    (plans / "growth/all-search").symlink_to("../search")  # a folder inside: followed
    (plans / "growth/ranking-again.md").symlink_to("../search/ranking.md")
    (plans / "growth/dangling.md").symlink_to("nowhere.md")
    check, document = _check_and_diff(tmp_path)
    problems = {(d["file"], d["message"]) for d in check["diagnostics"] if d["rule"] == "front-matter"}
    assert problems == {
        ("plans/search/loop", "symbolic link loops back to a folder above it; not followed"),
        ("plans/search/outside.md", "symbolic link points outside the plans folder; not followed"),
        ("plans/growth/all-search/loop", "symbolic link loops back to a folder above it; not followed"),
        ("plans/growth/all-search/outside.md", "symbolic link points outside the plans folder; not followed"),
        ("plans/growth/dangling.md", "broken symbolic link")}
    assert "Outside" not in json.dumps(document)
    _same_strategy(tmp_path, check, document)
