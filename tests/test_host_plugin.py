"""The MkDocs plugin end to end: real temporary sites built with `mkdocs build`,
asserted on the HTML a reader gets."""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

import pytest

from conftest import CLEAN_PLANS, PNG, make_site, mkdocs_build, tree

SITE_YML = """\
site_name: Test strategy
repo_url: https://github.com/acme/strategy
edit_uri: edit/main/docs/
theme:
  name: material
  features: [content.action.edit]
plugins:
  - search
  - tags
  - northstar
"""


def article(html: str) -> str:
    """The page's content, without the navigation and header around it."""
    match = re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', html, re.DOTALL)
    assert match, "no article in the page"
    return match.group(1)


def page_url(page: Path, site: Path) -> str:
    return posixpath.dirname(page.relative_to(site).as_posix()) + "/"


def links_from(site: Path, page: str, html_part: str | None = None) -> set[str]:
    """The site pages (as 'folder/' URLs from the site root) that a page's content links to."""
    path = site / page
    text = html_part if html_part is not None else article(path.read_text(encoding="utf-8"))
    here = posixpath.dirname(page)
    found = set()
    for href in re.findall(r'href="([^"#]*)(?:#[^"]*)?"', text):
        if not href or re.match(r"^[a-z]+:", href):
            continue
        found.add(posixpath.normpath(posixpath.join(here, href)) + "/")
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, object, dict]:
    root = make_site(tmp_path_factory.mktemp("clean"), config=SITE_YML)
    before = {folder: tree(root / folder) for folder in ("plans", "docs")}
    result = mkdocs_build(root, "--strict")
    return root, result, before


@pytest.fixture(scope="module")
def site(built) -> Path:
    root, result, _ = built
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "site"


def read(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def test_clean_strategy_builds_strictly_without_findings(built):
    _, result, _ = built
    assert result.returncode == 0, result.stderr
    assert "northstar" not in result.stderr.lower(), result.stderr


@pytest.mark.parametrize("page", [
    "strategy/index.html", "strategy/coverage/index.html",
    "strategy/objectives/find-fast/index.html", "strategy/objectives/retain/index.html",
    "strategy/themes/better-search/index.html", "strategy/themes/loyalty/index.html",
    "strategy/plans/ranking/index.html", "strategy/plans/index-speed/index.html",
    "strategy/plans/rewards/index.html", "strategy/teams/search/index.html", "strategy/teams/growth/index.html",
])
def test_every_page_exists(site, page):
    assert (site / page).is_file()


def test_title_from_heading_reaches_the_page(site):
    assert "<h1" in read(site, "strategy/objectives/retain/index.html")
    assert "Keep shoppers coming back" in article(read(site, "strategy/objectives/retain/index.html"))


def test_plan_links_to_its_theme_and_objective_and_they_link_back(site):
    plan = "strategy/plans/ranking/index.html"
    assert {"strategy/themes/better-search/", "strategy/objectives/find-fast/"} <= links_from(site, plan)
    assert "strategy/plans/ranking/" in links_from(site, "strategy/themes/better-search/index.html")
    assert "strategy/plans/ranking/" in links_from(site, "strategy/objectives/find-fast/index.html")


def test_objective_and_theme_link_both_ways(site):
    assert "strategy/objectives/retain/" in links_from(site, "strategy/themes/loyalty/index.html")
    assert "strategy/themes/loyalty/" in links_from(site, "strategy/objectives/retain/index.html")
    # and the theme that serves the other objective is not listed on this one
    assert "strategy/themes/better-search/" not in links_from(site, "strategy/objectives/retain/index.html")


def test_parent_and_child_objectives_link_both_ways(site):
    assert "strategy/objectives/find-fast/" in links_from(site, "strategy/objectives/retain/index.html")
    assert "strategy/objectives/retain/" in links_from(site, "strategy/objectives/find-fast/index.html")


def test_depends_on_and_needed_by(site):
    waiting = article(read(site, "strategy/plans/index-speed/index.html"))
    needed = article(read(site, "strategy/plans/ranking/index.html"))
    assert re.search(r"Depends on</td>\s*<td><a href=\"../ranking/\">Ranking by relevance</a>", waiting)
    assert re.search(r"Needed by</td>\s*<td><a href=\"../index-speed/\">Faster index</a>", needed)
    assert "Needed by" not in waiting and "Depends on" not in needed


def test_plan_inherits_period_and_team_from_folder(site):
    page = article(read(site, "strategy/plans/rewards/index.html"))
    assert re.search(r'Period</td>\s*<td><span class="northstar-period">2025-H1</span></td>', page)
    assert re.search(r'Team</td>\s*<td><a href="../../teams/growth/">growth</a>', page)


def test_coverage_figures(site):
    page = article(read(site, "strategy/coverage/index.html"))
    assert "100% of the planned effort is linked" in page
    assert "2 of 2 objectives are served" in page
    # find-fast: ranking (3, in progress) + index-speed (1, done) directly through better-search,
    # and rewards (2) through loyalty -> retain, which is not find-fast.
    per_objective = page[page.index('id="per-objective"'):page.index('id="per-theme"')]
    row = re.search(r'<td><a href="../objectives/find-fast/">Find products fast</a></td>\s*'
                    r"<td[^>]*>(\d+)</td>\s*<td[^>]*>([\d.]+)</td>\s*<td[^>]*>([^<]+)</td>", per_objective)
    assert row, per_objective
    assert row.groups() == ("2", "4", "25%")
    per_team = page[page.index('id="per-team"'):]
    team = re.search(r'<td><a href="../teams/search/">search</a></td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>([^<]+)</td>',
                     per_team)
    assert team, per_team
    assert team.groups() == ("2", "100% (4 of 4)")


def test_overview_shows_counts_and_progress(site):
    page = article(read(site, "strategy/index.html"))
    assert re.search(r"<strong>2</strong> objectives", page)
    assert re.search(r"<strong>3</strong> plans in <strong>2</strong> teams", page)
    # find-fast: 40 -> 30 of the way to 20 is 50%
    assert re.search(r'find-fast/">Find products fast</a>.*?<td>50%</td>', page, re.DOTALL)


def test_overview_and_coverage_in_navigation_record_pages_not(site):
    home = read(site, "index.html")
    nav = set(re.findall(r'href="([^"]*)" class="md-nav__link', home))
    assert {"strategy/", "strategy/coverage/"} <= nav
    assert not [link for link in nav if re.search(r"strategy/(plans|themes|objectives|teams)/", link)], nav


def test_relative_link_in_plan_body_lands_on_record_page(site):
    page = article(read(site, "strategy/plans/ranking/index.html"))
    assert '<a href="../rewards/#why">rewards</a>' in page
    target = site / "strategy/plans/rewards/index.html"
    assert 'id="why"' in read(site, "strategy/plans/rewards/index.html") and target.is_file()


def test_image_beside_plan_reaches_the_site(site):
    page = article(read(site, "strategy/plans/ranking/index.html"))
    source = re.search(r'<img alt="How ranking works" src="([^"]+)"', page).group(1)
    image = (site / "strategy/plans/ranking" / source).resolve()
    assert image.read_bytes() == PNG


def test_tags_reach_material_tags_plugin(site):
    page = read(site, "strategy/plans/ranking/index.html")
    assert re.findall(r'class="md-tag[^"]*">([^<]+)<', page) == ["ranking", "search"]
    assert "md-tag" not in read(site, "strategy/plans/rewards/index.html")


def test_edit_button_of_a_record_opens_its_plan_file(site):
    record = read(site, "strategy/plans/ranking/index.html")
    edit = re.search(r'<a href="([^"]+)" title="Edit this page"', record)
    assert edit and edit.group(1) == "https://github.com/acme/strategy/edit/main/plans/search/ranking.md"
    # a generated page with no source file has no edit button
    assert 'title="Edit this page"' not in read(site, "strategy/coverage/index.html")
    # a docs page keeps its own
    assert "edit/main/docs/index.md" in read(site, "index.html")


def test_build_writes_nothing_into_plans_or_docs(built, site):
    root, _, before = built
    assert {folder: tree(root / folder) for folder in ("plans", "docs")} == before


def test_hostile_title_is_shown_as_text_everywhere(tmp_path):
    hostile = "<img src=x onerror=alert(1)> *now*"
    ranking = CLEAN_PLANS["plans/search/ranking.md"].replace("title: Ranking by relevance", f"title: '{hostile}'")
    root = make_site(tmp_path, {**CLEAN_PLANS, "plans/search/ranking.md": ranking}, config=SITE_YML)
    assert mkdocs_build(root).returncode == 0
    for page in (root / "site/strategy").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<img src=x" not in text and "<em>now</em>" not in text, page
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", read(root / "site", "strategy/plans/ranking/index.html")).group(1)
    assert html.unescape(re.sub(r"<a class=\"headerlink\".*", "", heading)) == hostile


# --- Failure paths -----------------------------------------------------------------------


def test_orphan_plan_fails_the_build_naming_file_and_rule(tmp_path):
    orphan = "---\ntitle: Orphan\n---\nNobody asked for this.\n"
    root = make_site(tmp_path, {**CLEAN_PLANS, "plans/x/orphan.md": orphan}, config=SITE_YML)
    result = mkdocs_build(root)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "plans/x/orphan.md:1: error: [unlinked-plan] plan 'orphan' names no theme" in output
    assert "Traceback" not in output
    assert not (root / "site/strategy/plans/orphan/index.html").exists()


def test_warnings_fail_a_strict_build_but_not_a_normal_one(tmp_path):
    plans = {**CLEAN_PLANS, "plans/themes/empty.md": "---\ntitle: Empty\nobjectives: [find-fast]\n---\nWhy.\n"}
    root = make_site(tmp_path, plans, config=SITE_YML)
    relaxed = mkdocs_build(root)
    assert relaxed.returncode == 0, relaxed.stderr
    assert "plans/themes/empty.md:1: warning: [empty-theme] no plan belongs to theme 'empty'" in relaxed.stderr
    strict = mkdocs_build(root, "--strict")
    assert strict.returncode != 0
    assert "[empty-theme]" in strict.stderr and "Traceback" not in strict.stderr


BROKEN = {
    "plans/objectives/vague.md": "---\ntitle: Vague\nperiod: 2025\n---\n",
    "plans/themes/adrift.md": "---\ntitle: Adrift\n---\n",
    "plans/x/orphan.md": "---\ntitle: Orphan\n---\nBody.\n",
    "plans/x/lost.md": "---\ntitle: Lost\nthemes: [nowhere]\n---\n",
    "plans/x/no-front-matter.md": "Just text.\n",
}


def test_rules_set_to_warning_let_a_broken_corpus_build_with_a_page_per_record(tmp_path):
    relaxed = "".join(f"        {rule}: warning\n" for rule in (
        "front-matter", "unlinked-plan", "unlinked-theme", "unmeasurable-objective", "dangling-link"))
    # a bare `off` is YAML for false, and still means off
    config = SITE_YML.replace("  - northstar\n", "  - northstar:\n      rules:\n" + relaxed
                              + "        missing-narrative: off\n")
    root = make_site(tmp_path, BROKEN, config=config)
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    assert "[empty-theme]" in result.stderr and "[missing-narrative]" not in result.stderr
    for page in ("objectives/vague", "themes/adrift", "plans/orphan", "plans/lost", "plans/no-front-matter"):
        assert (root / f"site/strategy/{page}/index.html").is_file(), page
    assert "plans/x/lost.md:3: warning: [dangling-link] themes names theme 'nowhere', which does not exist" \
        in result.stderr
    # each record page shows its own problems
    assert "[unlinked-plan]" in read(root / "site", "strategy/plans/orphan/index.html")


def test_bad_plugin_option_is_a_config_error_not_a_traceback(tmp_path):
    config = SITE_YML.replace("  - northstar\n", "  - northstar:\n      rules:\n        unlinked-plans: off\n")
    root = make_site(tmp_path, config=config)
    result = mkdocs_build(root)
    assert result.returncode != 0
    assert "unknown rule 'unlinked-plans': did you mean 'unlinked-plan'?" in result.stderr
    assert "Traceback" not in result.stderr


# --- A site laid out differently: explicit nav, other docs_dir and url_prefix ------------------

OTHER_YML = """\
site_name: Other layout
repo_url: https://github.com/acme/strategy
docs_dir: documentation
theme:
  name: material
  features: [content.action.edit]
plugins:
  - northstar:
      url_prefix: company/strategy
nav:
  - Home: index.md
  - Strategy:
      - company/strategy/index.md
      - Coverage: company/strategy/coverage.md
"""


@pytest.fixture(scope="module")
def other_site(tmp_path_factory) -> Path:
    root = make_site(tmp_path_factory.mktemp("other"), config=OTHER_YML, docs={
        "documentation/index.md": "# Home\n\nOur [ranking work](company/strategy/plans/ranking.md).\n"})
    result = mkdocs_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return root / "site"


def test_url_prefix_places_every_page(other_site):
    for page in ("", "coverage/", "plans/ranking/", "themes/loyalty/", "objectives/retain/", "teams/search/"):
        assert (other_site / f"company/strategy/{page}index.html").is_file(), page
    assert (other_site / "company/strategy/assets/search/diagram.png").read_bytes() == PNG
    assert not (other_site / "strategy").exists()


def test_docs_page_can_link_to_a_record_page(other_site):
    assert '<a href="company/strategy/plans/ranking/">ranking work</a>' in article(read(other_site, "index.html"))


def test_explicit_nav_holds_only_what_it_names(other_site):
    nav = set(re.findall(r'href="([^"]*)" class="md-nav__link', read(other_site, "index.html")))
    assert nav == {".", "company/strategy/", "company/strategy/coverage/"}


def test_default_github_edit_uri_is_aimed_at_the_plan_file(other_site):
    # MkDocs defaults edit_uri to edit/master/<docs_dir>/ for GitHub; plans sit beside docs_dir.
    record = read(other_site, "company/strategy/plans/ranking/index.html")
    edit = re.search(r'<a href="([^"]+)" title="Edit this page"', record)
    assert edit and edit.group(1) == "https://github.com/acme/strategy/edit/master/plans/search/ranking.md"


def test_missing_plans_dir_fails_the_build_cleanly(tmp_path):
    root = make_site(tmp_path, {}, config=SITE_YML.replace("  - northstar\n", "  - northstar:\n      plans_dir: gone\n"))
    result = mkdocs_build(root)
    assert result.returncode != 0
    assert "plans_dir 'gone' is not a folder" in result.stderr and "Traceback" not in result.stderr


def test_disabled_plugin_leaves_the_strategy_out(tmp_path):
    config = SITE_YML.replace("  - northstar\n", "  - northstar:\n      enabled: false\n")
    root = make_site(tmp_path, {**CLEAN_PLANS, "plans/x/orphan.md": "---\ntitle: Orphan\n---\n"}, config=config)
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    assert not (root / "site/strategy").exists() and (root / "site/index.html").is_file()
