"""`northstar generate`: the plugin's pages as plain Markdown files that build with
plain MkDocs, no plugin; refuses folders that would mix pages with the sources."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import CLEAN_PLANS, MKDOCS, make_site, northstar, run, tree, write
from mkdocs_northstar.analysis import analyse
from mkdocs_northstar.render.pages import render_pages
from mkdocs_northstar.settings import read_settings

# A site that knows nothing of Northstar: the built-in theme, no plugins, and the
# Markdown extensions the generated pages are written for.
PLAIN_MKDOCS_YML = """\
site_name: Published elsewhere
theme:
  name: mkdocs
plugins: []
markdown_extensions:
  - tables
  - toc
  - attr_list
  - md_in_html
  - admonition
  - pymdownx.tabbed:
      alternate_style: true
extra_css:
  - strategy/northstar.css
"""


def generated(root: Path, out: Path, *extra: str):
    return northstar(root, "generate", "--out", str(out), *extra)


def test_pages_are_those_of_the_plugin(clean_site, tmp_path):
    out = tmp_path / "out"
    result = generated(clean_site, out)
    assert result.returncode == 0, result.stderr
    pages = render_pages(analyse(read_settings(clean_site / "mkdocs.yml")))
    for uri, content in pages.items():
        assert (out / uri).read_text(encoding="utf-8") == content
    written = {path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()}
    assert written == {*pages, "assets/search/diagram.png", "northstar.css", ".northstar-generated"}
    assert (out / "plans/ranking.md").read_text(encoding="utf-8").startswith('---\ntitle: "Ranking by relevance"')
    assert f"{len(written) - 1} files written" in result.stdout


def test_output_builds_with_plain_mkdocs(clean_site, tmp_path):
    other = tmp_path / "elsewhere"
    write(other, {"mkdocs.yml": PLAIN_MKDOCS_YML, "docs/index.md": "# Home\n\nSee [the strategy](strategy/index.md).\n"})
    assert generated(clean_site, other / "docs/strategy").returncode == 0
    result = run([MKDOCS, "build", "--strict"], cwd=other)
    assert result.returncode == 0, result.stderr
    assert "northstar" not in result.stderr.lower()  # the plugin took no part

    site = other / "site/strategy"
    ranking = (site / "plans/ranking/index.html").read_text(encoding="utf-8")
    assert "<title>Ranking by relevance" in ranking
    assert "<table>" in ranking
    assert 'href="../../themes/better-search/"' in ranking
    assert 'href="../rewards/#why"' in ranking  # a body link to another plan file, onto its page
    assert 'src="../../assets/search/diagram.png"' in ranking
    assert (site / "assets/search/diagram.png").is_file()
    theme = (site / "themes/better-search/index.html").read_text(encoding="utf-8")
    assert 'href="../../plans/ranking/"' in theme  # and back
    objective = (site / "objectives/find-fast/index.html").read_text(encoding="utf-8")
    assert "median time to find a product" in objective
    overview = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="objectives/find-fast/"' in overview
    assert (other / "site/strategy/northstar.css").is_file()
    for page in ("coverage", "roadmap", "problems"):
        assert (site / page / "index.html").is_file(), page


def test_problems_show_on_the_pages_and_fail_the_run(tmp_path):
    plans = {**CLEAN_PLANS, "plans/search/stray.md": "---\ntitle: Stray\n---\n"}
    project = make_site(tmp_path / "project", plans)
    out = tmp_path / "out"
    result = generated(project, out)
    assert result.returncode == 1  # as `mkdocs build` fails
    assert "plans/search/stray.md:1: error: [unlinked-plan]" in result.stderr
    assert "unlinked-plan" in (out / "plans/stray.md").read_text(encoding="utf-8")
    assert "plans/search/stray.md" in (out / "problems.md").read_text(encoding="utf-8")
    problems = (out / "index.md").read_text(encoding="utf-8")
    assert "(problems.md)" in problems


def test_a_second_run_removes_pages_of_deleted_records_only(clean_site, tmp_path):
    out = tmp_path / "out"
    assert generated(clean_site, out).returncode == 0
    (out / "notes.md").write_text("mine\n")  # a file of the user's, added later
    untouched = out / "plans/index-speed.md"
    stamp = untouched.stat().st_mtime_ns

    (clean_site / "plans/growth/rewards.md").unlink()
    (clean_site / "plans/themes/loyalty.md").write_text(
        "---\ntitle: Loyalty\nobjectives: [retain]\n---\nReturning shoppers buy twice as much.\n")
    result = generated(clean_site, out)
    assert result.returncode == 0, result.stderr
    assert "2 removed" in result.stdout
    assert not (out / "plans/rewards.md").exists()
    assert not (out / "teams/growth.md").exists()  # the team had no other plan
    assert (out / "teams/search.md").exists()
    assert (out / "notes.md").read_text() == "mine\n"
    assert untouched.stat().st_mtime_ns == stamp  # unchanged pages are not rewritten


def test_a_team_folder_emptied_by_a_removal_goes(clean_site, tmp_path):
    out = tmp_path / "out"
    generated(clean_site, out)
    for name in ("ranking", "index-speed"):
        (clean_site / f"plans/search/{name}.md").unlink()
    (clean_site / "plans/search/diagram.png").unlink()
    (clean_site / "plans/search").rmdir()
    generated(clean_site, out)
    assert not (out / "assets").exists()  # emptied folders go too


@pytest.mark.parametrize("target", ["plans", "plans/search/pages", ".", ".."])
def test_refuses_the_plans_folder_and_folders_holding_it(clean_site, target):
    before = tree(clean_site)
    result = generated(clean_site, clean_site / target)
    assert result.returncode == 2
    assert "plans folder" in result.stderr
    assert tree(clean_site) == before


def test_refuses_docs_while_the_plugin_builds_the_site(clean_site):
    result = generated(clean_site, clean_site / "docs/strategy")
    assert result.returncode == 2
    assert "runs the northstar plugin" in result.stderr
    assert not (clean_site / "docs/strategy").exists()


def test_into_docs_writes_there_for_a_generator_that_ignores_the_plugin(clean_site):
    # Zensical reads mkdocs.yml but does not run the plugin, whose entry still holds the settings.
    result = generated(clean_site, clean_site / "docs/strategy", "--into-docs")
    assert result.returncode == 0, result.stderr
    assert (clean_site / "docs/strategy/plans/ranking.md").is_file()


def test_writes_into_docs_once_the_plugin_is_gone(clean_site):
    # Moving to another generator: northstar stays as a command, the plugin leaves mkdocs.yml.
    (clean_site / "mkdocs.yml").write_text("site_name: x\ndocs_dir: docs\n")
    result = generated(clean_site, clean_site / "docs/strategy")
    assert result.returncode == 0, result.stderr
    assert (clean_site / "docs/strategy/plans/ranking.md").is_file()


def test_refuses_a_folder_of_someone_elses_files(clean_site, tmp_path):
    out = tmp_path / "content"
    write(out, {"index.md": "# My home page\n"})
    result = generated(clean_site, out)
    assert result.returncode == 2
    assert "not empty" in result.stderr
    assert (out / "index.md").read_text() == "# My home page\n"


def test_a_hand_edited_manifest_cannot_delete_outside_the_folder(clean_site, tmp_path):
    out = tmp_path / "out"
    generated(clean_site, out)
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    with (out / ".northstar-generated").open("a") as manifest:
        manifest.write("../precious.txt\n")
    assert generated(clean_site, out).returncode == 0
    assert victim.read_text() == "keep me"


# Syntax only Material for MkDocs (or its Markdown extensions) reads.
MATERIAL_ONLY = ("{ .grid", "grid cards", ' markdown>', ":material-", '=== "', "!!! ", "??? ", "tabbed-set",
                 "{: ", "{ .")
PROBLEMS = {"plans/search/orphan.md": "---\ntitle: Orphan\n---\n", "plans/themes/quiet.md": "---\ntitle: Quiet\n"
            "objectives: [find-fast]\n---\n", "plans/objectives/lonely.md": "---\ntitle: Lonely\nperiod: 2025\n---\n"}


def test_plain_flavor_has_no_material_syntax(tmp_path):
    root = make_site(tmp_path / "project", {**CLEAN_PLANS, **PROBLEMS})
    out = tmp_path / "plain"
    assert generated(root, out, "--flavor", "plain").returncode == 1  # the plans have errors
    pages = {path.relative_to(out).as_posix(): path.read_text(encoding="utf-8") for path in out.rglob("*.md")}
    for uri, text in pages.items():
        for syntax in MATERIAL_ONLY:
            assert syntax not in text, (uri, syntax)
    # What was an admonition is a quotation, the tabs are headings, the cards a list.
    assert "> **This theme has no narrative yet**\n>\n> Say in the theme's file" in pages["themes/quiet.md"]
    assert "**By objective**" in pages["roadmap.md"] and "**By team**" in pages["roadmap.md"]
    assert "-   **3** objectives" in pages["index.md"]
    # Markdown links name .md files; links inside raw HTML the .html file each page becomes.
    assert "[the narrative](narrative.md)" in pages["index.md"]
    assert 'href="../plans/ranking.html"' in pages["themes/better-search.md"]
    # The material flavour (the default) still has them.
    material = tmp_path / "material"
    generated(root, material)
    assert "!!! warning" in (material / "themes/quiet.md").read_text(encoding="utf-8")
    assert "grid cards" in (material / "index.md").read_text(encoding="utf-8")


def test_plain_flavor_builds_with_no_markdown_extension_at_all(clean_site, tmp_path):
    other = tmp_path / "elsewhere"
    write(other, {"mkdocs.yml": "site_name: Bare\ntheme:\n  name: mkdocs\nplugins: []\nuse_directory_urls: false\n"
                                "markdown_extensions: [tables]\n",
                  "docs/index.md": "# Home\n\nSee [the strategy](strategy/index.md).\n"})
    assert generated(clean_site, other / "docs/strategy", "--flavor", "plain").returncode == 0
    result = run([MKDOCS, "build", "--strict"], cwd=other)
    assert result.returncode == 0, result.stderr
    site = other / "site/strategy"
    html = (site / "themes/better-search.html").read_text(encoding="utf-8")
    for target in re.findall(r'href="(\.\./plans/[a-z-]+\.html)"', html):
        assert (site / "themes" / target).resolve().is_file(), target
    assert 'href="../plans/ranking.html"' in html
def _files_below(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.is_symlink()}


def test_never_writes_through_links_planted_in_the_output(clean_site, tmp_path):
    out = clean_site / "out"
    assert generated(clean_site, out).returncode == 0
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours\n")
    shutil.rmtree(out / "objectives")
    (out / "objectives").symlink_to("../plans/objectives")
    (out / "index.md").unlink()
    (out / "index.md").symlink_to(outside)
    plans = _files_below(clean_site / "plans")

    result = generated(clean_site, out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "symbolic link" in result.stderr and "Traceback" not in result.stderr
    assert "'objectives'" in result.stderr and "'index.md'" in result.stderr
    assert _files_below(clean_site / "plans") == plans
    assert outside.read_text() == "not yours\n"
    assert (out / "objectives").is_symlink() and (out / "index.md").is_symlink()


def test_a_link_as_manifest_is_refused(clean_site, tmp_path):
    out = tmp_path / "out"
    assert generated(clean_site, out).returncode == 0
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours\n")
    (out / ".northstar-generated").unlink()
    (out / ".northstar-generated").symlink_to(outside)
    result = generated(clean_site, out)
    assert result.returncode == 2 and "symbolic link" in result.stderr
    assert outside.read_text() == "not yours\n"


def test_files_are_replaced_not_written_in_place(clean_site, tmp_path):
    # A hard link shares the file itself: only a new file renamed into place leaves the other name alone.
    out = tmp_path / "out"
    assert generated(clean_site, out).returncode == 0
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours\n")
    (out / "coverage.md").unlink()
    os.link(outside, out / "coverage.md")
    result = generated(clean_site, out)
    assert result.returncode == 0, result.stderr
    assert outside.read_text() == "not yours\n"
    assert (out / "coverage.md").read_text(encoding="utf-8").startswith("---")
    assert not [path for path in out.rglob("*.tmp")]


def test_a_link_that_appears_after_the_first_look_is_not_written_through(clean_site, tmp_path, monkeypatch):
    # The link is made between the look before writing and the writes (simulated by
    # skipping the look): the folders are opened without following links all the same.
    from mkdocs_northstar import generate as generate_module

    out = tmp_path / "out"
    assert generated(clean_site, out).returncode == 0
    shutil.rmtree(out / "objectives")
    (out / "objectives").symlink_to(clean_site / "plans/objectives")
    plans = _files_below(clean_site / "plans")
    monkeypatch.setattr(generate_module, "_links_below", lambda out, paths: [])
    analysis = analyse(read_settings(clean_site / "mkdocs.yml"))
    with pytest.raises(generate_module.Refused, match="symbolic link"):
        generate_module.generate(analysis, out, plugin_builds_docs=True)
    assert _files_below(clean_site / "plans") == plans
