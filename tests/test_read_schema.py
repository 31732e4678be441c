"""The key table (read/schema.py) and `northstar schema`: the JSON Schema editors use says what `northstar check` says.

The schema is made from the same KEYS table that validates plan files; these tests
hold the two to each other: every example plan passes, a bad key fails, and for each
key the check and its JSON Schema fragment accept exactly the same values.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from conftest import northstar
from mkdocs_northstar.read import schema
from mkdocs_northstar.read.front_matter import split_front_matter
from mkdocs_northstar.read.records import kind_from_folder

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_PLANS = sorted((REPO / "plans").rglob("*.md"))


def schema_from_command(*args: str) -> dict:
    result = northstar(REPO, "schema", *args)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(document)
    return document


def _as_an_editor_reads(value):
    # Editors read YAML 1.2, which has no date type: a measurement's date is text there.
    if isinstance(value, dict):
        return {key: _as_an_editor_reads(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_an_editor_reads(item) for item in value]
    return value.isoformat() if isinstance(value, datetime.date) else value


def front_matter(text: str) -> dict:
    matter, _, _ = split_front_matter(text)
    return _as_an_editor_reads(yaml.safe_load(matter))


def errors(document: dict, data: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(document)
    return [error.message for error in validator.iter_errors(data)]


@pytest.fixture(scope="module")
def schemas() -> dict:
    return {kind: schema_from_command(*(["--kind", kind] if kind else [])) for kind in (None, *schema.KINDS)}


def test_the_repository_has_example_plans_of_every_kind():
    kinds = {kind_from_folder(path.relative_to(REPO / "plans").as_posix()) for path in EXAMPLE_PLANS}
    assert kinds == set(schema.KINDS)


@pytest.mark.parametrize("path", EXAMPLE_PLANS, ids=lambda path: path.relative_to(REPO).as_posix())
def test_every_example_plan_is_valid(path: Path, schemas):
    data = front_matter(path.read_text(encoding="utf-8"))
    folder_kind = kind_from_folder(path.relative_to(REPO / "plans").as_posix())
    assert errors(schemas[None], data) == []
    assert errors(schemas[folder_kind], data) == []


def test_an_unknown_key_is_rejected(schemas):
    plan = {"title": "Ranking", "themes": ["findability"], "objectve": ["time-to-find"]}
    for document in schemas.values():
        found = errors(document, plan)
        assert any("objectve" in message for message in found), found


def test_a_key_of_another_kind_is_rejected_in_its_folder(schemas):
    plan = {"title": "Ranking", "themes": ["findability"], "metric": "clicks"}
    assert errors(schemas["plan"], plan)
    assert errors(schemas["objective"], {**plan, "kind": "plan"})
    # Without a folder, nothing says the record is a plan: any known key may appear.
    assert errors(schemas[None], plan) == []
    assert errors(schemas[None], {**plan, "kind": "plan"})


def test_kind_overrides_the_folder(schemas):
    objective = {"kind": "objective", "title": "Fast", "period": 2025, "metric": "s", "baseline": 2, "target": 1}
    assert errors(schemas["plan"], objective) == []


def test_an_objective_needs_a_period(schemas):
    objective = {"title": "Fast", "metric": "seconds", "baseline": 2, "target": 1}
    assert any("period" in message for message in errors(schemas["objective"], objective))
    assert errors(schemas["objective"], {**objective, "period": "2025-Q3"}) == []


def test_bad_values_are_rejected(schemas):
    plan = schemas["plan"]
    assert errors(plan, {"title": "x", "status": "doing"})
    assert errors(plan, {"title": "x", "effort": 0})
    assert errors(plan, {"title": "x", "themes": ["Not An Id"]})
    assert errors(plan, {"title": "x", "links": ["ftp://example.com/x"]})
    assert errors(plan, {"title": "x", "period": "2025-Q5"})
    assert errors(plan, {"title": " "})


def test_draft_7_for_older_tools_says_the_same(schemas):
    document = schema_from_command("--kind", "plan", "--draft", "7")
    assert document["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(document)
    assert {**document, "$schema": None} == {**schemas["plan"], "$schema": None}
    for path in EXAMPLE_PLANS:
        data = front_matter(path.read_text(encoding="utf-8"))
        if "/objectives/" not in path.as_posix() and "/themes/" not in path.as_posix():
            assert list(jsonschema.Draft7Validator(document).iter_errors(data)) == [], path
    assert not jsonschema.Draft7Validator(document).is_valid({"title": "x", "metric": "y"})


def test_every_key_has_a_description_for_hover_help(schemas):
    for name, spec in schemas[None]["properties"].items():
        assert spec.get("description"), name


# --- The check and the schema fragment of each key accept the same values -----------------

def _no_trailing_newline(text: str) -> bool:
    # Python's `$` (used by jsonschema) matches before a final newline, unlike the ECMA
    # regexes editors use; the checks match whole strings, as editors do.
    return not text.endswith("\n")


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10_000, 100_000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12).filter(_no_trailing_newline),
    st.from_regex(schema.ID_PATTERN, fullmatch=True).filter(_no_trailing_newline),
    st.from_regex(schema.PERIOD_PATTERN, fullmatch=True).filter(_no_trailing_newline),
    st.sampled_from(["https://tracker.example/T-1", " HTTP://x.org ", "mailto:a@b.c", "http://", "in-progress",
                     "objective", "2025-H3", "", "  ", "a b", "-x", "x-"]),
)
_values = st.one_of(_scalars, st.lists(_scalars, max_size=4), st.dictionaries(st.text(max_size=3), _scalars, max_size=2))


def _accepted_by_check(key: schema.Key, value) -> bool:
    try:
        key.check(value)
    except schema.Invalid:
        return False
    return True


# key_results and measurements pass through the key table: outcomes.key_results_of checks
# them, item by item, at the lines of their nested keys (tests/test_outcomes.py).
@pytest.mark.parametrize("name", [name for name in schema.KEYS if name not in ("key_results", "measurements")])
@settings(max_examples=300, deadline=None)
@given(value=_values)
def test_check_and_schema_agree(name: str, value):
    key = schema.KEYS[name]
    by_schema = jsonschema.Draft202012Validator(key.check.json).is_valid(value)
    assert _accepted_by_check(key, value) == by_schema, (name, value)
