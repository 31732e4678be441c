""""Did you mean" knows the words other trackers use, not only spelling."""

from __future__ import annotations

import json

import pytest

from conftest import CLEAN_PLANS, make_site, northstar, write


def schema_messages(root) -> list[str]:
    result = northstar(root, "check", "--format", "json")
    return [d["message"] for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == "schema"]


@pytest.mark.parametrize("word, meant", [
    ("doing", "in-progress"), ("WIP", "in-progress"), ("started", "in-progress"), ("active", "in-progress"),
    ("todo", "proposed"), ("backlog", "proposed"), ("idea", "proposed"), ("new", "proposed"),
    ("cancelled", "dropped"), ("canceled", "dropped"), ("abandoned", "dropped"), ("wontfix", "dropped"),
    ("complete", "done"), ("Completed", "done"), ("shipped", "done"), ("finished", "done"),
    ("closed", "done"), ("released", "done"),
    ("scheduled", "planned"), ("committed", "planned"), ("next", "planned"),
    ("dnoe", "done"),  # spelling still helps where no synonym applies
])
def test_status_synonyms(tmp_path, word, meant):
    make_site(tmp_path, {**CLEAN_PLANS, "plans/search/x.md": f"---\ntitle: X\nthemes: [better-search]\n"
                                                               f"status: {word}\n---\n"})
    assert schema_messages(tmp_path) == [f"status: '{word}' is not one of proposed, planned, in-progress, "
                                         f"done, dropped; did you mean '{meant}'?"]


@pytest.mark.parametrize("word", ["blocked", "on-hold", "on hold"])
def test_blocked_work_is_in_progress_with_a_note(tmp_path, word):
    make_site(tmp_path, {**CLEAN_PLANS, "plans/search/x.md": f"---\ntitle: X\nthemes: [better-search]\n"
                                                               f"status: {word}\n---\n"})
    [message] = schema_messages(tmp_path)
    assert "did you mean 'in-progress'? (Northstar has no blocked status" in message
    assert "depends_on" in message


@pytest.mark.parametrize("word, meant", [
    ("goal", "objective"), ("okr", "objective"), ("outcome", "objective"),
    ("epic", "plan"), ("initiative", "plan"), ("project", "plan"), ("task", "plan"), ("story", "plan"),
    ("pillar", "theme"), ("bet", "theme"), ("area", "theme"),
])
def test_kind_synonyms(tmp_path, word, meant):
    make_site(tmp_path, {**CLEAN_PLANS})
    write(tmp_path, {"plans/search/x.md": f"---\ntitle: X\nkind: {word}\n---\n"})
    assert f"kind: '{word}' is not one of objective, theme, plan; did you mean '{meant}'?" in schema_messages(tmp_path)
