"""`northstar check --format github|sarif`: annotations GitHub shows inline on the
offending line, and a SARIF 2.1.0 log code-scanning tools read, run as a user runs them."""

from __future__ import annotations

import json
import re
import subprocess

import jsonschema

from conftest import CLEAN_PLANS, make_site, northstar
from mkdocs_northstar.rules import RULES

ORPHAN = {"plans/search/orphan.md": """\
    ---
    title: Orphan work
    themes: []
    effort: 2
    ---
    Nobody asked for this.
    """}

# The parts of the SARIF 2.1.0 schema (sarif-schema-2.1.0.json) that tools rely on:
# what code scanning needs to place a result on a line and explain its rule.
_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}}
SARIF_SCHEMA = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "format": "uri"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["tool", "results"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name", "rules"],
                    "properties": {
                        "name": {"type": "string"},
                        "version": {"type": "string"},
                        "rules": {"type": "array", "items": {
                            "type": "object",
                            "required": ["id", "shortDescription", "help", "defaultConfiguration"],
                            "properties": {
                                "id": {"type": "string"},
                                "shortDescription": _MESSAGE,
                                "fullDescription": _MESSAGE,
                                "help": _MESSAGE,
                                "defaultConfiguration": {"type": "object", "properties": {
                                    "level": {"enum": ["none", "note", "warning", "error"]},
                                    "enabled": {"type": "boolean"}}},
                            }}},
                    }}}},
                "results": {"type": "array", "items": {
                    "type": "object",
                    "required": ["ruleId", "ruleIndex", "level", "message", "locations"],
                    "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": 0},
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "message": _MESSAGE,
                        "baselineState": {"enum": ["new", "unchanged", "updated", "absent"]},
                        "partialFingerprints": {"type": "object", "additionalProperties": {"type": "string"}},
                        "locations": {"type": "array", "minItems": 1, "items": {
                            "type": "object", "required": ["physicalLocation"],
                            "properties": {"physicalLocation": {
                                "type": "object", "required": ["artifactLocation", "region"],
                                "properties": {
                                    "artifactLocation": {"type": "object", "required": ["uri"],
                                                         "properties": {"uri": {"type": "string"},
                                                                        "uriBaseId": {"type": "string"}}},
                                    "region": {"type": "object", "required": ["startLine"],
                                               "properties": {"startLine": {"type": "integer", "minimum": 1}}},
                                }}}}},
                    }}},
            }}},
    },
}


def _unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def _annotations(output: str) -> list[dict]:
    """Parse workflow commands back the way the runner does."""
    found = []
    for line in output.splitlines():
        match = re.fullmatch(r"::(error|warning|notice) ([^:]*)::(.*)", line)
        if match:
            properties = dict(part.split("=", 1) for part in match.group(2).split(","))
            found.append({"command": match.group(1), "message": _unescape(match.group(3)),
                          **{key: _unescape(value) for key, value in properties.items()}})
    return found


def test_an_orphan_plan_is_an_error_annotation_on_its_line(tmp_path):
    make_site(tmp_path, {**CLEAN_PLANS, **ORPHAN})
    result = northstar(tmp_path, "check", "--format", "github")
    assert result.returncode == 1, result.stderr
    assert "::error file=plans/search/orphan.md,line=3,title=northstar unlinked-plan::plan 'orphan' names no theme" \
        in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1].endswith("1 error, 0 warnings")


def test_warnings_are_warning_annotations_and_a_clean_strategy_has_none(tmp_path):
    plans = {key: value for key, value in CLEAN_PLANS.items() if key != "plans/growth/rewards.md"}
    make_site(tmp_path, plans)
    result = northstar(tmp_path, "check", "--format", "github")
    assert result.returncode == 0, result.stdout
    assert {(a["command"], a["file"], a["title"]) for a in _annotations(result.stdout)} == {
        ("warning", "plans/themes/loyalty.md", "northstar empty-theme"),
        ("warning", "plans/objectives/retain.md", "northstar uncovered-objective")}
    clean = make_site(tmp_path / "clean")
    assert northstar(clean, "check", "--format", "github").stdout.count("::") == 0


def test_annotation_properties_and_messages_are_escaped(tmp_path):
    # A comma in the file name and a key holding '%', ':' and a line break.
    make_site(tmp_path, {**CLEAN_PLANS, "plans/search/x,y.md": """\
        ---
        title: Odd
        id: xy
        themes: [better-search]
        "50%: a\\nb": 1
        ---
        """})
    result = northstar(tmp_path, "check", "--format", "github")
    line = next(line for line in result.stdout.splitlines() if line.startswith("::error"))
    assert "file=plans/search/x%2Cy.md,line=5," in line
    # The line break shows as an escape, as in the text format: one line in the annotation too.
    assert "\n" not in line and "%0A" not in line and "%25" in line
    [annotation] = _annotations(result.stdout)
    assert annotation["file"] == "plans/search/x,y.md"
    assert annotation["message"].startswith("unknown key '50%: a\\nb'")


def test_annotations_name_files_from_the_repository_root(tmp_path):
    # mkdocs.yml in a sub-folder of the repository: GitHub wants paths from the repo root.
    site = make_site(tmp_path / "strategy-site", {**CLEAN_PLANS, **ORPHAN})
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = northstar(site, "check", "--format", "github")
    assert "::error file=strategy-site/plans/search/orphan.md,line=3," in result.stdout
    sarif = json.loads(northstar(site, "check", "--format", "sarif").stdout)
    [uri] = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uri == "strategy-site/plans/search/orphan.md"


def test_sarif_log_has_every_rule_and_the_orphan_with_its_uri(tmp_path):
    make_site(tmp_path, {**CLEAN_PLANS, **ORPHAN, "plans/search/my plan.md": """\
        ---
        title: Spaced
        themes: [better-search, nowhere]
        ---
        """})
    result = northstar(tmp_path, "check", "--format", "sarif")
    assert result.returncode == 1
    log = json.loads(result.stdout)
    jsonschema.validate(log, SARIF_SCHEMA)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(RULES)
    for rule in rules:
        assert RULES[rule["id"]].summary in rule["help"]["text"]
        assert rule["shortDescription"]["text"] == RULES[rule["id"]].summary
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r
               for r in run["results"]}
    orphan = results[("unlinked-plan", "plans/search/orphan.md")]
    assert orphan["level"] == "error"
    assert orphan["message"]["text"] == "plan 'orphan' names no theme"
    assert orphan["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    assert rules[orphan["ruleIndex"]]["id"] == "unlinked-plan"
    # URIs are percent-encoded, as RFC 3986 wants.
    assert ("dangling-link", "plans/search/my%20plan.md") in results
    assert len(run["results"]) == len(json.loads(northstar(tmp_path, "check", "--format", "json").stdout)["diagnostics"])


def test_sarif_rule_levels_follow_the_configured_severities(tmp_path):
    config = ("site_name: t\nplugins:\n  - northstar:\n      rules:\n"
              "        unlinked-plan: warning\n        missing-narrative: off\n")
    make_site(tmp_path, {**CLEAN_PLANS, **ORPHAN}, config=config)
    log = json.loads(northstar(tmp_path, "check", "--format", "sarif").stdout)
    rules = {rule["id"]: rule["defaultConfiguration"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["unlinked-plan"] == {"level": "warning", "enabled": True}
    assert rules["missing-narrative"] == {"level": "none", "enabled": False}
    assert rules["cycle"] == {"level": "error", "enabled": True}
    [result] = log["runs"][0]["results"]
    assert result["level"] == "warning"


def test_text_and_json_are_unchanged_by_the_new_formats(tmp_path):
    make_site(tmp_path, {**CLEAN_PLANS, **ORPHAN})
    text = northstar(tmp_path, "check").stdout
    assert text.splitlines()[0] == "plans/search/orphan.md:3: error: [unlinked-plan] plan 'orphan' names no theme"
    document = json.loads(northstar(tmp_path, "check", "--format", "json").stdout)
    assert set(document) == {"version", "summary", "diagnostics"}
