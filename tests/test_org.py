"""Strategies across repositories, end to end (contract v1.2): the worked example in
examples/org/ built with MkDocs, bad sources as located diagnostics, and a strategy
split by team into source projects giving the figures it gave in one repository."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import CLEAN_PLANS, MKDOCS_YML, make_site, mkdocs_build, northstar, write

ROOT = Path(__file__).resolve().parent.parent
ORG = ROOT / "examples" / "org"
TEAMS = ("search", "payments", "growth")


@pytest.fixture
def org(tmp_path: Path) -> Path:
    shutil.copytree(ORG, tmp_path / "org", ignore=shutil.ignore_patterns("site", ".northstar-cache"))
    return tmp_path / "org"


def text_of(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    html = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def check_json(root: Path) -> dict:
    result = northstar(root, "check", "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_the_example_organisation_builds_strictly_and_the_company_lists_every_team_s_plans(org):
    for site in ("company", *TEAMS):
        result = mkdocs_build(org / site, "--strict")
        assert result.returncode == 0, (site, result.stderr)
    company = org / "company"
    strategy = company / "site" / "strategy"
    # Every team plan serving a company objective is listed on that objective's page, its
    # source named, and counted in the objective's figures.
    exported = {team: json.loads(northstar(org / team, "export").stdout) for team in TEAMS}
    company_export = json.loads(northstar(company, "export").stdout)
    assert company_export["name"] == "company"
    figures = {entry["ref"]: entry for entry in company_export["coverage"]["objectives"]}
    every = {**exported, "company": company_export}
    served_anywhere = 0
    for objective in (company / "plans" / "objectives").glob("*.md"):
        page = text_of(strategy / "objectives" / objective.stem / "index.html")
        expected = []
        for team, data in exported.items():
            for record in data["records"]:
                if record["kind"] == "plan" and f"company:{objective.stem}" in _served(record, team, every):
                    expected.append((team, record))
        for team, record in expected:
            assert f"{record['title']} from {team}" in page, (objective.stem, record["title"])
        local = [r for r in company_export["records"] if r["kind"] == "plan" and objective.stem in r["links"]["serves"]]
        weight = sum(r["fields"].get("effort", 1) for _, r in expected) + sum(r["fields"].get("effort", 1) for r in local)
        assert figures[objective.stem]["effort"] == weight
        assert len(figures[objective.stem]["plans"]) == len(expected) + len(local)
        served_anywhere += len(expected)
    assert served_anywhere >= 10
    # Coverage is counted across the teams; the sources page and the read-only pages exist.
    assert company_export["coverage"]["covered_objectives"]["ratio"] == 1
    sources = text_of(strategy / "sources" / "index.html")
    for team in TEAMS:
        assert team in sources
    assert (strategy / "sources" / "search" / "plans" / "ranking" / "index.html").is_file()
    assert "northstar-map__node--elsewhere" in (strategy / "index.html").read_text(encoding="utf-8")
    assert "northstar-elsewhere" in (strategy / "roadmap" / "index.html").read_text(encoding="utf-8")


def _served(record: dict, team: str, exported: dict[str, dict]) -> set[str]:
    """The company objectives a team plan serves, directly or through a theme of its own
    team, of another team or of the company (`NAME:THEME`)."""
    values = list(record["fields"].get("objectives", []))
    for theme in record["fields"].get("themes", []):
        holder, _, name = theme.rpartition(":")
        themes = {r["id"]: r for r in exported.get(holder or team, {"records": []})["records"] if r["kind"] == "theme"}
        if name in themes:
            values += [value if holder != "company" else f"company:{value}"
                       for value in themes[name]["fields"].get("objectives", [])]
    return set(values)


def test_breaking_a_team_link_to_a_company_objective_fails_that_team_s_build(org):
    theme = org / "search" / "plans" / "themes" / "relevance.md"
    theme.write_text(theme.read_text().replace("company:find-fast", "company:find-fats"))
    line = next(number for number, text in enumerate(theme.read_text().splitlines(), 1) if "find-fats" in text)
    result = mkdocs_build(org / "search")
    assert result.returncode != 0
    expected = (f"plans/themes/relevance.md:{line}: error: [dangling-link] objectives names objective 'find-fats' "
                "of source 'company', which does not exist: did you mean 'company:find-fast'?")
    assert expected in result.stderr + result.stdout
    # The company still builds: it reads the team, never judges it again.
    assert mkdocs_build(org / "company", "--strict").returncode == 0


SITE = "site_name: S\nplugins:\n  - northstar:\n      name: here\n      sources:\n"


def _line(config: str, text: str) -> int:
    return next(number for number, line in enumerate(config.splitlines(), 1) if text in line)


def _git(root: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(root), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("entry, key, expected", [
    ("        gone:\n          path: ../gone\n", "gone:", "source 'gone': folder '../gone' does not exist"),
    ("        plain:\n          git: ../plain\n", "plain:", "source 'plain':"),
    ("        repo:\n          git: ../repo\n          ref: nope\n", "repo:", "'nope' is not a commit"),
    ("        old:\n          export: old.json\n", "old:", "is an export of version 7"),
    ("        junk:\n          export: junk.json\n", "junk:", "is not JSON written by 'northstar export'"),
    ("        twice:\n          path: ../team\n        twice:\n          path: ../team\n", "twice:",
     "source 'twice' is named twice"),
    ("        find-fast:\n          path: ../team\n", "find-fast:", "source 'find-fast' is named like the record"),
])
def test_a_bad_source_is_one_located_diagnostic_and_the_plans_are_still_checked(tmp_path, entry, key, expected):
    team = make_site(tmp_path / "team", {"plans/objectives/goal.md": "---\ntitle: G\nmetric: m\nbaseline: 0\n"
                                         "target: 1\nperiod: 2026\n---\n"},
                     config="site_name: T\nplugins:\n  - northstar:\n      name: team\n")
    (tmp_path / "plain").mkdir()
    shutil.copytree(team, tmp_path / "repo")
    _git(tmp_path / "repo", "init", "-q")
    _git(tmp_path / "repo", "add", "-A")
    _git(tmp_path / "repo", "commit", "-qm", "plans")
    config = SITE + entry
    here = make_site(tmp_path / "here", {**CLEAN_PLANS, "plans/search/x.md": "---\ntitle: X\n---\n"}, config=config)
    write(here, {"old.json": json.dumps({"version": 7, "records": []}), "junk.json": "{not json"})
    data = check_json(here)
    found = [d for d in data["diagnostics"] if d["rule"] == "source"]
    line = _line(config, key) if "twice" not in key else len(config.splitlines()) - 1
    assert [(d["file"], d["line"]) for d in found] == [("mkdocs.yml", line)], found
    assert expected in found[0]["message"]
    # The plans are still read and judged beside it.
    assert any(d["rule"] == "unlinked-plan" and d["file"] == "plans/search/x.md" for d in data["diagnostics"])


def test_an_unknown_source_name_and_a_loop_through_two_repositories(tmp_path):
    make_site(tmp_path / "team", {"plans/objectives/team-goal.md": "---\ntitle: T\nmetric: m\nbaseline: 0\n"
                                  "target: 1\nperiod: 2026\nparent: company:find-fast\n---\n"},
              config="site_name: T\nplugins:\n  - northstar:\n      name: team\n")
    plans = dict(CLEAN_PLANS)
    plans["plans/objectives/find-fast.md"] = plans["plans/objectives/find-fast.md"].replace(
        "owner: Ada\n", "owner: Ada\n        parent: team:team-goal\n")
    plans["plans/growth/rewards.md"] = plans["plans/growth/rewards.md"].replace(
        "themes: [loyalty]", "themes: [loyalty, tema:speed]")
    here = make_site(tmp_path / "here", plans, config="site_name: S\nplugins:\n  - northstar:\n      name: company\n"
                     "      sources:\n        team:\n          path: ../team\n")
    data = check_json(here)
    found = {(d["rule"], d["file"], d["line"]): d["message"] for d in data["diagnostics"]}
    assert found[("cycle", "plans/objectives/find-fast.md", 10)] == (
        "cycle through parent: find-fast → team:team-goal → find-fast")
    assert found[("dangling-link", "plans/growth/rewards.md", 3)] == (
        "themes names 'tema:speed', but there is no source 'tema': did you mean 'team:speed'? (the sources are team)")


# --- The same strategy in one repository and split by team ------------------------------------------


def split_by_team(one: Path, out: Path) -> list[str]:
    """Write `one`'s plans as a company project (objectives and themes) and one project per
    team, each link to another project's record qualified with that project's name."""
    owner = {}
    files = sorted((one / "plans").rglob("*.md"))
    for path in files:
        relative = path.relative_to(one / "plans").as_posix()
        top = relative.split("/")[0]
        owner[path.stem] = "company" if top in ("objectives", "themes") else top
    teams = sorted({name for name in owner.values() if name != "company"})
    for path in files:
        relative = path.relative_to(one / "plans").as_posix()
        project = owner[path.stem]
        text = path.read_text(encoding="utf-8")
        _, matter, body = text.split("---\n", 2)
        data = yaml.safe_load(matter)
        for key in ("parent", "objectives", "themes", "depends_on"):
            if key in data:
                values = [data[key]] if isinstance(data[key], str) else data[key]
                values = [value if owner.get(value) == project else f"{owner.get(value, 'company')}:{value}"
                          for value in values]
                data[key] = values[0] if isinstance(data[key], str) else values
        write(out / project, {f"plans/{relative}": "---\n" + yaml.safe_dump(data, sort_keys=False) + "---\n" + body})
    # Other files (an objective's measurements in CSV) go with the records of their folder.
    for path in sorted((one / "plans").rglob("*")):
        relative = path.relative_to(one / "plans").as_posix()
        if path.is_file() and path.suffix != ".md":
            top = relative.split("/")[0]
            write(out / ("company" if top in ("objectives", "themes") else top),
                  {f"plans/{relative}": path.read_text(encoding="utf-8")})
    for project in ["company", *teams]:
        others = [name for name in ["company", *teams] if name != project]
        listed = "".join(f"        {name}:\n          path: ../{name}\n" for name in others)
        write(out / project, {"mkdocs.yml": f"site_name: {project}\nplugins:\n  - northstar:\n      name: {project}\n"
                              f"      sources:\n{listed}"})
    return teams


def _unqualified(refs: list[str]) -> list[str]:
    return sorted(ref.rpartition(":")[2] for ref in refs)


def _figures(export: dict) -> dict:
    coverage = export["coverage"]
    return {
        "objectives": {entry["ref"]: (_unqualified(entry["plans"]), entry["effort"], entry["covered"], entry["status"])
                       for entry in coverage["objectives"]},
        "covered": coverage["covered_objectives"],
        "linked": coverage["linked_effort"],
        "teams": {team["team"]: (_unqualified(team["plans"]), team["linked_effort"], team["status"],
                                 _unqualified(team["objectives"])) for team in coverage["teams"]},
    }


@pytest.mark.parametrize("corpus", ["clean", "generated"])
def test_a_strategy_split_by_team_gives_the_same_coverage_and_diagnostics(tmp_path, corpus):
    one = tmp_path / "one"
    if corpus == "clean":
        make_site(one, {path: text for path, text in CLEAN_PLANS.items()},
                  config=MKDOCS_YML.replace("  - northstar\n", "  - northstar:\n      name: company\n"))
    else:
        sys.path.insert(0, str(ROOT / "bench"))
        try:
            from generate import generate
        finally:
            sys.path.pop(0)
        make_site(one, {}, config="site_name: S\nplugins:\n  - northstar:\n      name: company\n")
        generate(one, 400)
    # A plan of one team left unlinked, one objective left without work: judged alike.
    some_plan = next(path for path in sorted((one / "plans").rglob("*.md"))
                     if path.parent.name not in ("objectives", "themes"))
    some_plan.write_text(re.sub(r"(?m)^themes:.*\n", "", some_plan.read_text(encoding="utf-8")), encoding="utf-8")
    teams = split_by_team(one, tmp_path / "split")
    together = json.loads(northstar(one, "export").stdout)
    company = json.loads(northstar(tmp_path / "split" / "company", "export").stdout)
    assert _figures(company)["objectives"] == _figures(together)["objectives"]
    assert _figures(company)["covered"] == _figures(together)["covered"]
    # Team figures: every plan of a team serves the company here, but the unlinked one, which
    # only its own repository sees; that repository reports it as the single one did.
    split_diagnostics = set()
    for project in ["company", *teams]:
        for diagnostic in check_json(tmp_path / "split" / project)["diagnostics"]:
            split_diagnostics.add((diagnostic["rule"], diagnostic["severity"], diagnostic["id"],
                                   diagnostic["file"].rpartition("/")[2]))
    together_diagnostics = {(d["rule"], d["severity"], d["id"], d["file"].rpartition("/")[2])
                            for d in together["diagnostics"]}
    assert split_diagnostics == together_diagnostics
    assert ("unlinked-plan", "error", some_plan.stem, some_plan.name) in split_diagnostics
    linked_teams = {team: figures for team, figures in _figures(together)["teams"].items()
                    if team != some_plan.parent.name}
    assert {team: figures for team, figures in _figures(company)["teams"].items() if team in linked_teams} == linked_teams


def test_diff_reports_links_made_and_broken_to_another_strategy_s_records(org):
    team = org / "search"
    _git(team, "init", "-q")
    _git(team, "add", "-A")
    _git(team, "commit", "-qm", "plans")
    theme = team / "plans" / "themes" / "relevance.md"
    theme.write_text(theme.read_text().replace("company:find-fast", "company:returning-shoppers"))
    result = northstar(team, "diff", "HEAD", "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    data = json.loads(result.stdout)
    assert {"from": "relevance", "key": "objectives", "to": "company:returning-shoppers"} in data["links"]["made"]
    broken = [link for link in data["links"]["broken"] if link["to"] == "company:find-fast"]
    assert [(link["from"], link["key"]) for link in broken] == [("relevance", "objectives")]


def test_a_warm_check_sees_a_source_that_changed_though_no_plan_here_did(org):
    company = org / "company"
    exported = northstar(org / "search", "export")
    write(org, {"search.json": exported.stdout})
    config = company / "mkdocs.yml"
    config.write_text(config.read_text().replace("path: ../search", "export: ../search.json"))
    assert northstar(company, "check").returncode == 0  # and the cache remembers it
    data = json.loads(exported.stdout)
    for record in data["records"]:  # the search team's themes now serve nothing of the company
        if record["kind"] == "theme":
            record["fields"]["objectives"] = ["company:nothing-here"]
    (org / "search.json").write_text(json.dumps(data))
    result = northstar(company, "check")
    assert "no plan serves objective 'find-fast'" in result.stdout


def test_an_export_cannot_place_a_page_outside_its_folder_nor_run_script(tmp_path):
    hostile = {"version": 1, "name": "team", "records": [
        {"id": "evil", "kind": "plan", "title": "<script>alert(1)</script>", "page": "strategy/../../../../escape.md",
         "fields": {"themes": ["company:better-search"]}}]}
    config = (MKDOCS_YML.replace("  - northstar\n", "  - northstar:\n      name: company\n      sources:\n"
                                 "        team:\n          export: team.json\n"))
    site = make_site(tmp_path / "site", config=config)
    write(site, {"team.json": json.dumps(hostile)})
    result = mkdocs_build(site, "--strict")
    assert result.returncode == 0, result.stderr
    built = site / "site"
    assert not (tmp_path / "escape.md").exists() and not list(tmp_path.rglob("escape*"))
    page = built / "strategy" / "sources" / "team" / "plans" / "evil" / "index.html"
    assert page.is_file()
    theme = (built / "strategy" / "themes" / "better-search" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in theme and "&lt;script&gt;alert(1)&lt;/script&gt;" in theme
    assert "<script>alert(1)</script>" not in page.read_text(encoding="utf-8")
