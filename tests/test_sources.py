"""Sources (contract v1.2): the `name` and `sources` options, located problems, and reading
other strategies from a folder, an export or a git repository, with a cache."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import CLEAN_PLANS, make_site, northstar, tree, write
from mkdocs_northstar.read.sources import config as sources_config
from mkdocs_northstar.read.sources import reading, store
from mkdocs_northstar.settings import plugin_options, read_config

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "org"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
                          cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


def configured(root: Path, options: str) -> tuple[str | None, list[sources_config.SourceSpec], list]:
    """Write an mkdocs.yml with these northstar options and parse its sources as the plugin would."""
    config = write(root, {"mkdocs.yml": "site_name: x\nplugins:\n  - search\n  - northstar:\n"
                          + textwrap.indent(textwrap.dedent(options), "      ")}) / "mkdocs.yml"
    return sources_config.parse_sources(plugin_options(read_config(config)), sources_config.option_lines(config), config)


def spec(root: Path, options: str) -> list[sources_config.SourceSpec]:
    name, specs, problems = configured(root, options)
    assert problems == []
    return specs


def read(root: Path, options: str, cache: Path | None = None) -> list[store.SourceResult]:
    return reading.read_sources(spec(root, options), cache)


def committed_strategy(root: Path, plans: dict | None = None) -> str:
    """A git repository holding a strategy; the commit."""
    make_site(root, plans, config="site_name: team\nplugins:\n  - northstar:\n      name: team\n"
                                  "      sources:\n        company:\n          path: ../company\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "plans")
    return git(root, "rev-parse", "HEAD").strip()


# --- Configuration ------------------------------------------------------------------------------


def test_good_sources_are_parsed_with_their_lines_and_paths_relative_to_mkdocs_yml(tmp_path):
    name, specs, problems = configured(tmp_path / "site", """\
        name: company
        sources:
          search-team:
            path: ../search-team
          payments:
            export: exports/payments.json
            url: https://payments.example.com/strategy/
          growth:
            git: ../growth.git
            ref: main
            config: site/mkdocs.yml
          remote:
            git: https://example.com/remote.git
        """)
    assert (name, problems) == ("company", [])
    by_name = {spec.name: spec for spec in specs}
    assert [spec.name for spec in specs] == ["search-team", "payments", "growth", "remote"]
    assert by_name["search-team"].kind == "path" and by_name["search-team"].target == str(tmp_path / "search-team")
    assert by_name["search-team"].line == 7  # the options start on line 5
    assert by_name["payments"].target == str(tmp_path / "site" / "exports" / "payments.json")
    assert by_name["payments"].url == "https://payments.example.com/strategy/"
    assert (by_name["growth"].ref, by_name["growth"].config) == ("main", "site/mkdocs.yml")
    assert by_name["remote"].target == "https://example.com/remote.git"
    assert (by_name["remote"].ref, by_name["remote"].config) == ("HEAD", "mkdocs.yml")


def test_each_bad_source_is_one_problem_on_its_own_line_and_the_good_ones_are_kept(tmp_path):
    name, specs, problems = configured(tmp_path, """\
        name: Company
        sources:
          good:
            path: ../good
          Bad_Name:
            path: ../x
          neither:
            url: https://x.example/
          both:
            path: ../x
            export: x.json
          typo:
            pth: ../x
          ref-on-path:
            path: ../x
            ref: main
          not-http:
            export: x.json
            url: ftp://x.example/
          plain: ../x
          escape:
            git: ../x.git
            config: ../../etc/mkdocs.yml
          empty:
            path: ""
        """)
    assert name is None
    assert [spec.name for spec in specs] == ["good"]
    found = {(problem.line, problem.message.split(":")[0] if "source" in problem.message else problem.message)
             for problem in problems}
    lines = {problem.line: problem.message for problem in problems}
    assert all(problem.rule == "source" for problem in problems)
    assert "name 'Company' is not a valid strategy name" in lines[5]
    assert "source name 'Bad_Name' is not valid" in lines[9]
    assert "needs exactly one of path, export or git; it has none of them" in lines[11]
    assert "it has path and export" in lines[15]  # on the second of the two keys
    assert "unknown key 'pth': did you mean 'path'?" in lines[17]
    assert "ref goes with git only, not with path" in lines[20]
    assert "url 'ftp://x.example/' is not an http or https URL" in lines[23]
    assert "must be a mapping with path, export or git (write 'path: ../x')" in lines[24]
    assert "config '../../etc/mkdocs.yml' must be a path inside the repository" in lines[27]
    assert "path must be a non-empty string" in lines[29]
    assert len(problems) == len(found) == 10


def test_a_source_named_twice_is_a_problem_on_the_second_and_the_last_is_read(tmp_path):
    name, specs, problems = configured(tmp_path, """\
        sources:
          search:
            path: ../one
          search:
            path: ../two
        """)
    assert [(problem.rule, problem.line) for problem in problems] == [("source", 8)]
    assert "source 'search' is named twice (also on line 6)" in problems[0].message
    assert [(spec.name, spec.location, spec.line) for spec in specs] == [("search", "../two", 8)]


def test_sources_that_are_not_a_mapping_and_a_source_with_the_strategy_s_own_name(tmp_path):
    assert [(p.line, p.message) for p in configured(tmp_path, "sources: [a, b]\n")[2]] == [
        (5, "sources must map source names to a path, export or git location, got a list")]
    name, specs, problems = configured(tmp_path, "name: company\nsources:\n  company:\n    path: ../c\n")
    assert specs == [] and [(p.line, "own name" in p.message) for p in problems] == [(7, True)]
    assert configured(tmp_path, "plans_dir: plans\n") == (None, [], [])


def test_a_source_named_like_a_local_record_is_a_problem(tmp_path):
    specs = spec(tmp_path, "sources:\n  ranking:\n    path: ../x\n  other:\n    path: ../y\n")
    clashes = sources_config.local_name_clashes(specs, {"ranking": "plans/search/ranking.md", "find-fast": "x.md"})
    assert [(p.rule, p.line, p.message) for p in clashes] == [
        ("source", 6, "source 'ranking' is named like the record 'ranking' (plans/search/ranking.md); "
                      "give the source another name")]


def test_problems_become_diagnostics_on_mkdocs_yml_with_the_configured_severity(tmp_path):
    _, _, problems = configured(tmp_path, "sources:\n  x:\n    pth: y\n")
    [diagnostic] = sources_config.as_diagnostics(problems, tmp_path / "mkdocs.yml", "warning")
    assert diagnostic.as_text() == ("mkdocs.yml:7: warning: [source] source 'x' has unknown key 'pth': "
                                    "did you mean 'path'?")
    assert sources_config.as_diagnostics(problems, tmp_path / "mkdocs.yml", "off") == []


def test_lines_of_options_inherited_or_unreadable_fall_back_to_line_1(tmp_path):
    write(tmp_path, {"base.yml": "plugins:\n  - northstar:\n      sources:\n        x:\n          pth: y\n",
                     "mkdocs.yml": "INHERIT: base.yml\nsite_name: x\n"})
    config = tmp_path / "mkdocs.yml"
    assert sources_config.option_lines(config) == {}
    _, _, problems = sources_config.parse_sources(plugin_options(read_config(config)), sources_config.option_lines(config), config)
    assert [problem.line for problem in problems] == [1]
    write(tmp_path, {"broken.yml": "plugins: [\n"})
    assert sources_config.option_lines(tmp_path / "broken.yml") == {}


# --- Reading a folder -------------------------------------------------------------------------------


def test_a_folder_is_read_with_its_own_settings_and_links_as_written_and_its_sources_not_followed(tmp_path):
    [search] = read(tmp_path, f"sources:\n  search-team:\n    path: {EXAMPLES / 'search'}\n")
    assert search.ok and search.own_name == "search" and search.read == {"path": str(EXAMPLES / "search")}
    assert search.counts() == {"objectives": 0, "themes": 2, "plans": 5}  # the company it names is not read
    records = {record.id: record for record in search.records}
    assert records["speed"].links == {"objectives": ["company:find-fast", "company:revenue-per-visit"]}
    assert records["edge-cache"].links == {"themes": ["speed"], "depends_on": ["index-speed"]}
    edge = records["edge-cache"]
    assert (edge.source, edge.kind, edge.team, edge.status, edge.effort, edge.period, edge.page, edge.url) == (
        "search-team", "plan", "search", "proposed", 4, "2026-H1", "plans/edge-cache.md", None)


def test_a_folder_s_own_errors_are_not_judged_again(tmp_path):
    make_site(tmp_path / "team", {**CLEAN_PLANS, "plans/search/orphan.md": "---\ntitle: Orphan\n---\n"})
    [team] = read(tmp_path, "sources:\n  team:\n    path: team\n")
    assert team.ok and "orphan" in {record.id for record in team.records}


@pytest.mark.parametrize("layout, expected", [
    ({}, "source 'team': folder 'team' does not exist"),
    ({"team/README.md": "hi\n"}, "source 'team': 'team' holds no mkdocs.yml: not a strategy"),
    ({"team/mkdocs.yml": "site_name: x\n"}, "source 'team': mkdocs.yml has no northstar plugin: not a strategy"),
    ({"team/mkdocs.yml": "plugins: [northstar]\n"}, "plans_dir 'plans' is not a folder next to the config file"),
    ({"team/mkdocs.yml": "plugins: [\n"}, "is not valid YAML"),
])
def test_a_folder_that_is_not_a_strategy_is_one_located_problem(tmp_path, layout, expected):
    write(tmp_path, layout)
    [team] = read(tmp_path, "sources:\n  team:\n    path: team\n")
    assert not team.ok and team.records == []
    assert (team.problem.rule, team.problem.line) == ("source", 6)
    assert expected in team.problem.message


# --- Reading an export ------------------------------------------------------------------------------


def exported(root: Path) -> Path:
    make_site(root / "payments", config="site_name: p\nplugins:\n  - northstar:\n      url_prefix: plans/strategy\n")
    result = northstar(root / "payments", "export")
    assert result.returncode == 0, result.stderr
    return write(root, {"payments.json": result.stdout}) / "payments.json"


def test_an_export_is_read_and_kept_in_the_cache_by_its_content(tmp_path):
    export = exported(tmp_path)
    cache = tmp_path / "site" / ".northstar-cache"
    options = "sources:\n  payments:\n    export: ../payments.json\n    url: https://p.example/strategy/\n"
    [cold] = read(tmp_path / "site", options, cache)
    assert cold.ok and not cold.cached
    assert cold.read["sha256"] and cold.read["path"] == "../payments.json" and cold.own_name is None
    records = {record.id: record for record in cold.records}
    assert cold.counts() == {"objectives": 2, "themes": 2, "plans": 3}
    ranking = records["ranking"]
    assert (ranking.source, ranking.team, ranking.status, ranking.effort, ranking.links, ranking.page) == (
        "payments", "search", "in-progress", 3, {"themes": ["better-search"]}, "plans/ranking.md")
    assert ranking.url == "https://p.example/strategy/plans/ranking/"
    assert records["find-fast"].progress == 0.5 and records["retain"].links == {"parent": ["find-fast"]}

    [warm] = read(tmp_path / "site", options, cache)
    assert warm.cached and warm.records == cold.records and warm.read == cold.read
    # Another content is another key: the change is seen.
    document = json.loads(export.read_text())
    document["name"] = "payments"
    document["records"] = [record for record in document["records"] if record["id"] != "ranking"]
    export.write_text(json.dumps(document))
    [changed] = read(tmp_path / "site", options, cache)
    assert not changed.cached and changed.own_name == "payments" and "ranking" not in {r.id for r in changed.records}


@pytest.mark.parametrize("content, expected", [
    (b'{"version": 2, "records": []}', "'x.json' is an export of version 2; this Northstar reads version 1"),
    (b"not json at all", "'x.json' is not JSON written by 'northstar export'"),
    (b"\xff\xfe", "'x.json' is not JSON written by 'northstar export'"),
    (b'{"version": 1}', "'x.json' is not an export of a strategy (no records)"),
    (b'[1, 2]', "'x.json' is not an export of a strategy (no records)"),
    (b'{"version": 1, "records": {}}', "'x.json': records must be a list"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply to read"),
])
def test_an_export_that_cannot_be_read_is_one_problem(tmp_path, content, expected):
    write(tmp_path, {"x.json": content})
    [result] = read(tmp_path, "sources:\n  x:\n    export: x.json\n")
    assert not result.ok and result.problem.line == 6 and expected in result.problem.message


def test_a_missing_export_and_a_folder_given_as_export(tmp_path):
    (tmp_path / "folder").mkdir()
    missing, folder = read(tmp_path, "sources:\n  a:\n    export: none.json\n  b:\n    export: folder\n")
    assert missing.problem.message == "source 'a': export file 'none.json' does not exist"
    assert folder.problem.message == "source 'b': 'folder' is a folder, not a file written by 'northstar export'"
    assert (missing.problem.line, folder.problem.line) == (6, 8)


def test_records_of_an_export_nobody_could_link_to_are_left_out(tmp_path):
    write(tmp_path, {"x.json": json.dumps({"version": 1, "name": "Not Valid", "records": [
        {"id": "ok", "kind": "plan", "title": "Ok", "fields": {"themes": ["t", 3], "effort": -1}},
        {"id": "Bad Id", "kind": "plan"}, {"id": "odd", "kind": "epic"}, {"id": "gone", "kind": "plan", "broken": True},
        "not a record"]})})
    [result] = read(tmp_path, "sources:\n  x:\n    export: x.json\n")
    assert result.ok and result.own_name is None
    assert [(r.id, r.links, r.effort, r.title) for r in result.records] == [("ok", {"themes": ["t"]}, None, "Ok")]


# --- Reading git --------------------------------------------------------------------------------------


def test_git_is_read_at_a_ref_without_a_work_tree_and_cached_by_commit(tmp_path):
    repo = tmp_path / "team"
    first = committed_strategy(repo)
    git(repo, "checkout", "-q", "-b", "next")
    write(repo, {"plans/search/extra.md": "---\ntitle: Extra\nthemes: [company:trust]\n---\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "extra")
    write(repo, {"plans/search/uncommitted.md": "---\ntitle: Not committed\n---\n"})
    before, status = tree(repo), git(repo, "status", "--porcelain")
    site, cache = tmp_path / "site", tmp_path / "site" / ".northstar-cache"

    [at_first] = read(site, f"sources:\n  team:\n    git: ../team\n    ref: {first}\n", cache)
    [at_head] = read(site, "sources:\n  team:\n    git: ../team\n", cache)
    assert at_first.ok and at_first.read == {"commit": first, "ref": first, "config": "mkdocs.yml"}
    assert at_first.own_name == "team"
    assert "extra" not in {r.id for r in at_first.records} and len(at_first.records) == 7
    ids = {record.id: record for record in at_head.records}
    assert "extra" in ids and "uncommitted" not in ids
    assert ids["extra"].links == {"themes": ["company:trust"]} and ids["extra"].team == "search"
    assert tree(repo) == before and git(repo, "status", "--porcelain") == status

    [again] = read(site, "sources:\n  team:\n    git: ../team\n", cache)
    assert again.cached and again.records == at_head.records and again.read == at_head.read


def test_a_bare_repository_and_a_config_in_a_sub_folder(tmp_path):
    work = tmp_path / "work"
    # plans_dir stays inside the project folder (a configuration error otherwise), here a sub folder's.
    make_site(work / "site", config="site_name: x\nplugins:\n  - northstar:\n      plans_dir: strategy\n")
    (work / "site" / "plans").rename(work / "site" / "strategy")
    git(work, "init", "-q")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "plans")
    git(tmp_path, "clone", "-q", "--bare", str(work), "bare.git")
    [result] = read(tmp_path, "sources:\n  x:\n    git: bare.git\n    config: site/mkdocs.yml\n")
    assert result.ok and result.counts() == {"objectives": 2, "themes": 2, "plans": 3}


@pytest.mark.parametrize("options, expected", [
    ("git: missing.git", "source 'team': git repository 'missing.git' does not exist"),
    ("git: plain", "source 'team': 'plain' is not a git repository"),
    ("git: inner/plain", "source 'team': 'inner/plain' is not a git repository"),  # no look further up
    ("git: team\n    ref: no-such-branch", "source 'team': 'no-such-branch' is not a commit in 'team'"),
    ("git: team\n    ref: --output=/tmp/x", None),  # refused by the configuration already
    ("git: team\n    config: other.yml", "config file '/revision/other.yml' does not exist"),
    ("git: empty", "is not a commit in 'empty'"),
])
def test_git_that_fails_is_one_problem(tmp_path, options, expected):
    committed_strategy(tmp_path / "team")
    (tmp_path / "plain").mkdir()
    committed_strategy(tmp_path / "inner")
    (tmp_path / "inner" / "plain").mkdir()
    git(tmp_path, "init", "-q", "empty")
    name, specs, problems = configured(tmp_path, f"sources:\n  team:\n    {options}\n")
    if expected is None:
        assert specs == [] and problems[0].line == 8 and "is not a revision" in problems[0].message
        return
    [result] = reading.read_sources(specs)
    assert not result.ok and result.problem.line == 6 and expected in result.problem.message, result.problem


def test_a_repository_whose_plans_dir_is_missing_at_the_ref(tmp_path):
    committed_strategy(tmp_path / "team")
    git(tmp_path / "team", "rm", "-q", "-r", "plans")
    git(tmp_path / "team", "commit", "-q", "-m", "gone")
    [result] = read(tmp_path, "sources:\n  team:\n    git: team\n")
    assert "no plans in 'plans' at HEAD" in result.problem.message


# --- The cache ------------------------------------------------------------------------------------------


def test_the_cache_never_follows_a_symbolic_link(tmp_path):
    export = exported(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    site = tmp_path / "site"
    (site / ".northstar-cache").mkdir(parents=True)
    os.symlink(elsewhere, site / ".northstar-cache" / "sources")
    options = f"sources:\n  p:\n    export: {export}\n"
    [result] = read(site, options, site / ".northstar-cache")
    assert result.ok and list(elsewhere.iterdir()) == []
    [again] = read(site, options, site / ".northstar-cache")
    assert not again.cached

    # A cache file that is a link to a planted entry is not read, and is replaced, not written through.
    os.unlink(site / ".northstar-cache" / "sources")
    [cold] = read(site, options, site / ".northstar-cache")
    [entry] = (site / ".northstar-cache" / "sources").glob("*.json")
    planted = write(tmp_path, {"planted.json": entry.read_text().replace("Ranking by relevance", "Forged")})
    entry.unlink()
    os.symlink(planted / "planted.json" if planted.is_dir() else planted, entry)
    [warm] = read(site, options, site / ".northstar-cache")
    assert not warm.cached and "Forged" not in {record.title for record in warm.records}
    assert not entry.is_symlink() and "Forged" in (tmp_path / "planted.json").read_text()


def test_a_corrupt_cache_entry_is_read_again(tmp_path):
    export = exported(tmp_path)
    cache = tmp_path / "cache"
    [cold] = reading.read_sources(spec(tmp_path, f"sources:\n  p:\n    export: {export}\n"), cache)
    [entry] = (cache / "sources").glob("*.json")
    entry.write_text("{broken")
    [again] = reading.read_sources(spec(tmp_path, f"sources:\n  p:\n    export: {export}\n"), cache)
    assert not again.cached and again.records == cold.records
    assert (cache / ".gitignore").is_file()


def test_the_cache_s_gitignore_is_not_written_through_a_planted_link(tmp_path):
    export = exported(tmp_path)
    cache = tmp_path / "cache"
    cache.mkdir()
    os.symlink(tmp_path / "outside.txt", cache / ".gitignore")  # dangling: it would create the target
    [result] = reading.read_sources(spec(tmp_path, f"sources:\n  p:\n    export: {export}\n"), cache)
    assert result.ok and not (tmp_path / "outside.txt").exists()


def test_strategies_naming_each_other_read_only_what_the_other_holds():
    # The company names the teams; the teams name the company: nothing loops.
    config = EXAMPLES / "company" / "mkdocs.yml"
    name, specs, problems = sources_config.parse_sources(plugin_options(read_config(config)),
                                                  sources_config.option_lines(config), config)
    results = reading.read_sources(specs)
    assert name == "company" and problems == []
    assert {result.name: (result.ok, result.own_name, result.counts()["plans"]) for result in results} == {
        "search": (True, "search", 5), "payments": (True, "payments", 4), "growth": (True, "growth", 5)}


def test_a_warm_read_of_git_sees_a_moved_branch_and_lets_git_settle_what_is_not_plain(tmp_path):
    repo, site = tmp_path / "team", tmp_path / "site"
    cache = site / ".northstar-cache"
    committed_strategy(repo)
    options = "sources:\n  team:\n    git: ../team\n    ref: {}\n"
    branch = git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip()
    for ref in ("HEAD", branch):
        [cold] = read(site, options.format(ref), cache)
        [warm] = read(site, options.format(ref), cache)
        assert warm.cached and warm.read["commit"] == git(repo, "rev-parse", "HEAD").strip()
    write(repo, {"plans/search/later.md": "---\ntitle: Later\nthemes: [better-search]\n---\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "later")
    git(repo, "pack-refs", "--all")  # the branch now only in packed-refs
    [moved] = read(site, options.format(branch), cache)
    assert not moved.cached and "later" in {record.id for record in moved.records}
    assert moved.read["commit"] == git(repo, "rev-parse", "HEAD").strip()
    [again] = read(site, options.format(branch), cache)
    assert again.cached and again.read == moved.read
    # A tag named like the branch wins in git; the warm read must agree.
    git(repo, "tag", branch, "HEAD~1")
    [tagged] = read(site, options.format(branch), cache)
    assert tagged.read["commit"] == git(repo, "rev-parse", "HEAD~1").strip()
    assert "later" not in {record.id for record in tagged.records}


def test_an_export_that_is_a_named_pipe_fails_at_once(tmp_path):
    os.mkfifo(tmp_path / "pipe.json")
    [result] = read(tmp_path, "sources:\n  x:\n    export: pipe.json\n")
    assert result.problem.message == "source 'x': 'pipe.json' is not a regular file"


def test_a_repository_given_by_url_is_cloned_bare_into_the_cache_and_fetched_again(tmp_path):
    repo = tmp_path / "team"
    committed_strategy(repo)
    site = tmp_path / "site"
    cache = site / ".northstar-cache"
    options = f"sources:\n  team:\n    git: file://{repo}\n"
    [first] = read(site, options, cache)
    assert first.ok and first.counts()["plans"] == 3
    [clone] = (cache / "sources").glob("git-*")
    assert (clone / "HEAD").is_file() and not (clone / "plans").exists()  # bare: no work tree
    write(repo, {"plans/search/later.md": "---\ntitle: Later\nthemes: [better-search]\n---\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "later")
    [second] = read(site, options, cache)
    assert second.read["commit"] == git(repo, "rev-parse", "HEAD").strip() and second.counts()["plans"] == 4
    [gone] = read(site, f"sources:\n  team:\n    git: file://{tmp_path}/nowhere\n", cache)
    assert not gone.ok and gone.problem.message.startswith("source 'team': cannot fetch 'file://")
    [refused] = read(site, "sources:\n  team:\n    git: ext::sh -c touch% /tmp/pwned\n", cache)
    assert not refused.ok and not Path("/tmp/pwned").exists()
    assert "cannot fetch 'ext::sh" in refused.problem.message  # git's ext transport runs commands: refused


def test_what_can_be_read_is_still_read_beside_a_source_that_cannot(tmp_path):
    good, bad, also_good = read(tmp_path, f"sources:\n  good:\n    path: {EXAMPLES / 'payments'}\n"
                                          "  bad:\n    git: nowhere.git\n"
                                          f"  also-good:\n    path: {EXAMPLES / 'growth'}\n")
    assert (good.ok, bad.ok, also_good.ok) == (True, False, True)
    assert [problem.line for problem in store.problems_of([good, bad, also_good])] == [8]
    assert good.counts()["plans"] == 4 and also_good.counts()["plans"] == 5
