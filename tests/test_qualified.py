"""Qualified links (`NAME:ID`, contract v1.2): resolving them against sources, and the
records of sources that serve this strategy's records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CLEAN_PLANS, analyse_plans, northstar, write
from mkdocs_northstar import qualified
from mkdocs_northstar.read.sources import config as sources_config
from mkdocs_northstar.read.sources import reading, store
from mkdocs_northstar.qualified import Dangling, Ref
from mkdocs_northstar.settings import plugin_options, read_config

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "org"


def project(name: str) -> tuple[str, list[store.SourceResult]]:
    """An example project's own name and its sources, read as the plugin would."""
    config = EXAMPLES / name / "mkdocs.yml"
    own, specs, problems = sources_config.parse_sources(plugin_options(read_config(config)), sources_config.option_lines(config),
                                                 config)
    assert problems == []
    return own, reading.read_sources(specs)


def own_records(name: str) -> list[store.ForeignRecord]:
    """An example project's own records with their links as written."""
    result = reading.read_source(sources_config.SourceSpec(name, "path", name, str(EXAMPLES / name), 1))
    assert result.ok
    return result.records


def export_source(root: Path, name: str, records: list[dict], own_name: str | None = None) -> store.SourceResult:
    """A source read from an export file holding these records."""
    document = {"version": 1, "records": [{"kind": "plan", "fields": {}, **record} for record in records]}
    if own_name:
        document["name"] = own_name
    write(root, {f"{name}.json": json.dumps(document)})
    return reading.read_source(sources_config.SourceSpec(name, "export", f"{name}.json", str(root / f"{name}.json"), 1))


def test_split_tells_qualified_from_local_values():
    assert qualified.split("company:find-fast") == ("company", "find-fast")
    assert qualified.split("find-fast") == (None, "find-fast")
    assert qualified.split("company:find-fast", own_name="company") == (None, "find-fast")
    assert qualified.is_qualified("search:x", "company") and not qualified.is_qualified("company:x", "company")
    assert not qualified.is_qualified("x") and not qualified.is_qualified(3)


@pytest.mark.parametrize("name", ["search", "payments", "growth", "company"])
def test_every_qualified_link_of_the_examples_resolves_to_a_record_of_the_right_kind(name):
    own, results = project(name)
    index = qualified.Sources(results, own)
    assert all(result.ok for result in results)
    checked = 0
    for record in own_records(name):
        for key, values in record.links.items():
            for value in values:
                found = index.resolve(key, value)
                if qualified.is_qualified(value, own):
                    assert isinstance(found, store.ForeignRecord), (record.id, value, found)
                    assert found.kind == qualified.WANTED[key] and f"{found.source}:{found.id}" == value
                    checked += 1
                else:
                    assert found is None  # local: the model's to resolve
    assert checked >= (0 if name == "company" else 3)


def test_a_qualified_link_that_names_nothing_says_why(tmp_path):
    company = export_source(tmp_path, "company", [
        {"id": "find-fast", "kind": "objective"}, {"id": "trust", "kind": "theme"}])
    other = export_source(tmp_path, "other", [{"id": "find-fasts", "kind": "objective"}])
    index = qualified.Sources([company, other], own_name="search")

    assert index.resolve("objectives", "company:find-fast").title == "find-fast"
    assert index.resolve("objectives", "company:find-fats") == Dangling(
        "objectives", "company:find-fats",
        "objectives names objective 'find-fats' of source 'company', which does not exist: "
        "did you mean 'company:find-fast'?")
    # The nearest id comes from that source alone, of the kind wanted.
    assert index.resolve("themes", "other:trust").message == (
        "themes names theme 'trust' of source 'other', which does not exist")
    assert index.resolve("themes", "company:find-fast").message == (
        "themes names 'company:find-fast', which is an objective of source 'company', not a theme")
    assert index.resolve("themes", "compnay:trust").message == (
        "themes names 'compnay:trust', but there is no source 'compnay': did you mean 'company:trust'? "
        "(the sources are company, other)")
    assert qualified.Sources([], "search").resolve("parent", "x:y").message == (
        "parent names 'x:y', but there is no source 'x' (this strategy names no sources)")
    # Local values, and those qualified with this strategy's own name, are left to the model.
    assert index.resolve("themes", "trust") is None and index.resolve("themes", "search:trust") is None


def test_links_into_a_source_that_could_not_be_read_are_not_judged_again(tmp_path):
    broken = reading.read_source(sources_config.SourceSpec("company", "export", "none.json", str(tmp_path / "none.json"), 4))
    assert not broken.ok
    index = qualified.Sources([broken], "search")
    assert index.resolve("objectives", "company:find-fast") is None  # its `source` problem says it all
    assert index.names == ["company"]


def test_the_company_is_served_by_the_teams_plans_directly_and_through_any_theme():
    own, results = project("company")
    index = qualified.Sources(results, own)
    serving = index.serving({"trust": ["checkout-success", "returning-shoppers"]})

    def named(group):
        return {key: sorted(f"{record.source}:{record.id}" for record in records) for key, records in group.items()}

    objectives = named(serving.objectives)
    assert objectives["find-fast"] == [  # through search's themes, and growth's plan naming search's theme
        "growth:search-hints", "search:edge-cache", "search:index-speed", "search:ranking", "search:synonyms"]
    # payments:fraud-scores names the company's own theme `trust`, which serves two objectives.
    assert "payments:fraud-scores" in objectives["checkout-success"]
    assert "payments:fraud-scores" in objectives["returning-shoppers"]
    assert "payments:wallets" in objectives["revenue-per-visit"]  # named directly
    assert named(serving.themes) == {"trust": ["payments:fraud-scores", "search:trusted-sellers"]}
    assert named(serving.theme_objectives)["find-fast"] == ["search:relevance", "search:speed"]
    assert serving.children == {} and serving.dependents == {}
    assert [f"{r.source}:{r.id}" for r in serving.of("trust")] == ["payments:fraud-scores", "search:trusted-sellers"]
    assert index.effort_share("payments", serving) == (13, 13)


def test_a_team_reading_the_company_is_served_by_nothing_and_resolves_third_party_names():
    own, results = project("growth")
    index = qualified.Sources(results, own)
    assert index.serving({}).objectives == {}
    [hints] = [record for record in index.records["search"].values() if record.id == "relevance"]
    # search writes `company:find-fast`; growth reads the company as a source of its own.
    assert index.objectives_of_theme(hints) == [Ref("company", "find-fast")]


def test_sources_name_this_strategy_and_each_other_by_their_own_names(tmp_path):
    # The company calls the team "search-team"; the team calls itself "search", and the
    # company "hq". Links are read in this strategy's terms whatever the names.
    team = export_source(tmp_path, "search-team", [
        {"id": "ranking", "fields": {"themes": ["hq:trust"], "objectives": ["search:speedy"], "effort": 3}},
        {"id": "cleanup", "fields": {"themes": ["tidy"], "depends_on": ["hq:audit"]}},
        {"id": "tidy", "kind": "theme", "fields": {"objectives": ["hq:find-fast", "nobody:x"]}},
        {"id": "speedy", "kind": "objective", "fields": {"parent": "hq:find-fast"}},
        {"id": "idle", "fields": {"themes": ["tidy-not"], "effort": 5}},
    ], own_name="search")
    index = qualified.Sources([team], own_name="hq")
    [ranking, cleanup, tidy, speedy, idle] = team.records
    assert index.links(ranking, "objectives") == [Ref("search-team", "speedy")]
    assert index.links(tidy, "objectives") == [Ref(None, "find-fast")]  # nobody:x is no source here
    serving = index.serving({"trust": ["find-fast", "retain"]})
    assert {key: [r.id for r in records] for key, records in serving.objectives.items()} == {
        "find-fast": ["ranking", "cleanup"], "retain": ["ranking"]}
    assert [r.id for r in serving.children["find-fast"]] == ["speedy"]
    assert [r.id for r in serving.dependents["audit"]] == ["cleanup"]
    assert [r.id for r in serving.themes["trust"]] == ["ranking"]
    assert index.effort_share("search-team", serving) == (4, 9)  # ranking 3 + cleanup 1, of 3 + 1 + 5
    assert qualified.Sources([team]).serving({"trust": ["find-fast"]}).objectives == {}  # no own name


def test_a_qualified_link_is_kept_as_written_and_exported(tmp_path):
    plans = {**CLEAN_PLANS, "plans/search/shared.md": "---\ntitle: Shared\nthemes: [company:trust]\n---\n"}
    analysis = analyse_plans(tmp_path, plans)
    shared = next(record for record in analysis.records if record.id == "shared")
    assert shared.fields["themes"] == ["company:trust"] and shared.problems == []
    assert not any(d.rule == "schema" for d in analysis.diagnostics if d.file == "plans/search/shared.md")
    document = json.loads(northstar(tmp_path, "export").stdout)
    [exported] = [record for record in document["records"] if record["id"] == "shared"]
    assert exported["fields"]["themes"] == ["company:trust"]
    bad = analyse_plans(tmp_path / "bad", {"plans/search/x.md": "---\ntitle: X\nthemes: ['Company:Trust']\n---\n"})
    assert [d.rule for d in bad.diagnostics if d.rule == "schema"] == ["schema"]
