"""Reading plan files: front matter, key lines, titles, defaults, every schema check
and every way a file can fail to be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_northstar.read.files import scan
from mkdocs_northstar.read.front_matter import FRONT_MATTER, SCHEMA, Problem
from mkdocs_northstar.read.records import parse_record, read_plans


def parse(text: str | bytes, source: str = "search/x.md"):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_record(raw, "plans/" + source, source)


def problems(text: str | bytes, source: str = "search/x.md") -> list[tuple[str, int, str]]:
    return sorted((p.rule, p.line, p.message) for p in parse(text, source).problems)


PLAN = """\
---
title: Ranking
themes: [better-search]
objectives:
  - find-fast
effort: 2.5
tags: [search]
---
The body.
"""


def test_fields_lines_and_body():
    record = parse(PLAN)
    assert record.fields == {"title": "Ranking", "themes": ["better-search"], "objectives": ["find-fast"],
                             "effort": 2.5, "tags": ["search"]}
    assert record.lines == {"title": 2, "themes": 3, "objectives": 4, "effort": 6, "tags": 7}
    assert record.body == "The body.\n"
    assert record.body_line == 9
    assert not record.problems and not record.broken


def test_defaults_come_from_the_path():
    record = parse(PLAN, "search/ranking.md")
    assert (record.id, record.kind, record.team) == ("ranking", "plan", "search")
    assert parse(PLAN, "deep/down/below/y.md").team == "deep"
    assert parse(PLAN, "top.md").team is None


@pytest.mark.parametrize("source, kind", [
    ("objectives/a.md", "objective"), ("objectives/2025/a.md", "objective"),
    ("themes/a.md", "theme"), ("themes/deep/a.md", "theme"),
    ("search/a.md", "plan"), ("a.md", "plan"), ("search/objectives/a.md", "plan"),
])
def test_kind_from_folder(source, kind):
    assert parse("---\ntitle: A\n---\n", source).kind == kind


def test_kind_key_beats_the_folder_and_decides_allowed_keys():
    record = parse("---\nkind: theme\ntitle: T\nobjectives: [o]\n---\n", "search/t.md")
    assert record.kind == "theme" and record.team == "search"
    assert record.fields["objectives"] == ["o"] and not record.problems


def test_id_and_team_keys_override_defaults():
    record = parse("---\nid: other\nteam: platform\ntitle: A\n---\n", "search/x.md")
    assert (record.id, record.team) == ("other", "platform")


def test_invalid_stem_leaves_no_id():
    assert parse("---\ntitle: A\n---\n", "search/Not Valid.md").id is None


def test_title_from_first_heading_is_taken_out_of_the_body():
    record = parse("---\nthemes: [t]\n---\n\n# The title  \n\nText.\n")
    assert record.title == "The title"
    assert record.body == "\nText.\n"
    assert record.body_line == 6
    assert not record.problems


def test_title_key_wins_over_heading_and_heading_stays():
    record = parse("---\ntitle: Key\n---\n# Heading\n")
    assert record.title == "Key" and record.body == "# Heading\n"


def test_second_level_heading_is_no_title():
    assert problems("---\nthemes: [t]\n---\n## Not a title\n") == [
        (SCHEMA, 1, "plan has no title: add 'title:' or start the body with '# ' and a heading")]


@pytest.mark.parametrize("line, expected", [
    ("objectve: [a]", "unknown key 'objectve': did you mean 'objectives'?"),
    ("dependson: [a]", "unknown key 'dependson': did you mean 'depends_on'?"),
    ("zzzz: 1", "unknown key 'zzzz'"),
    ("id: Bad_Id", "id: 'Bad_Id' is not a valid id: use lower-case letters, digits and '-', "
                   "starting with a letter or digit"),
    ("title: [a, b]", "title: expected a string, got a list"),
    ("title: ''", "title: expected a non-empty string"),
    ("title: 2025-01-01", "title: expected a string, got a date"),
    ("period: 2025-Q5", "period: '2025-Q5' is not YYYY, YYYY-H1/H2 or YYYY-Q1..Q4"),
    ("period: 25", "period: '25' is not YYYY, YYYY-H1/H2 or YYYY-Q1..Q4"),
    ("status: doing", "status: 'doing' is not one of proposed, planned, in-progress, done, dropped; "
                      "did you mean 'in-progress'?"),
    ("effort: 0", "effort: expected a number greater than 0, got 0"),
    ("effort: lots", "effort: expected a number, got a string"),
    ("effort: .nan", "effort: expected a finite number"),
    ("themes: better-search", "themes: expected a list, got a string"),
    ("themes: [Better]", "themes: item 1: 'Better' is not a valid id"),
    ("depends_on: [1]", "depends_on: item 1: expected an id, got a number"),
    ("links: [ftp://x]", "links: item 1: 'ftp://x' is not an http, https or mailto URL"),
    ("tags: search", "tags: expected a list, got a string"),
    ("metric: speed", "key 'metric' is for objectives, not for a plan"),
    ("kind: plann", "kind: 'plann' is not one of objective, theme, plan; did you mean 'plan'?"),
])
def test_every_schema_check_is_located_on_its_key(line, expected):
    found = problems(f"---\nowner: Ada\n{line}\n---\n# Title from the heading\n")
    assert len(found) == 1, found
    rule, at, message = found[0]
    assert (rule, at) == (SCHEMA, 3)
    assert expected in message


def test_missing_title_and_missing_objective_period():
    assert problems("---\nmetric: m\nbaseline: 1\ntarget: 2\n---\n", "objectives/o.md") == [
        (SCHEMA, 1, "objective 'o' has no period"),
        (SCHEMA, 1, "objective has no title: add 'title:' or start the body with '# ' and a heading"),
    ]


def test_key_given_twice_is_a_schema_problem_on_the_second():
    assert problems("---\ntitle: A\ntitle: B\n---\n") == [
        (SCHEMA, 3, "key 'title' is given twice (first on line 2); the last value wins")]
    assert parse("---\ntitle: A\ntitle: B\n---\n").title == "B"


def test_bare_year_period_reads_as_a_string():
    assert parse("---\ntitle: A\nperiod: 2025\n---\n").fields["period"] == "2025"


def test_repeated_list_items_keep_the_first():
    assert parse("---\ntitle: A\nthemes: [a, b, a]\n---\n").fields["themes"] == ["a", "b"]


# --- Files that cannot be read -----------------------------------------------------------


@pytest.mark.parametrize("raw, line, message", [
    ("Just a body.\n", 1, "no front matter: the file must start with a '---' line"),
    ("", 1, "no front matter"),
    ("---\ntitle: A\nthemes: [a]\n", 1, "front matter is never closed: no '---' line ends it"),
    ("---\n---\nBody\n", 1, "front matter is empty"),
    ("---\n- a\n- b\n---\n", 2, "front matter must be a mapping of keys, not a list"),
    ("---\njust text\n---\n", 2, "front matter must be a mapping of keys, not a string"),
    ("---\ntitle: A\nthemes: [a\n---\n", 4, "front matter is not valid YAML"),
    ("---\ntitle: A\n  bad: indent\n---\n", 3, "front matter is not valid YAML"),
    ("---\ntitle: A\nstarted: 2020-13-01\n---\n", 3, "'2020-13-01' is not a valid date"),
    (b"---\ntitle: A\nowner: \xff\xfe\n---\n", 3, "file is not UTF-8 (byte 0xff at offset 20)"),
])
def test_unreadable_front_matter_is_a_located_front_matter_problem(raw, line, message):
    record = parse(raw)
    assert record.broken
    assert len(record.problems) == 1
    problem = record.problems[0]
    assert (problem.rule, problem.line) == (FRONT_MATTER, line)
    assert message in problem.message


def test_broken_record_keeps_a_title_and_body():
    record = parse("---\n- a\n---\n# Heading\nText\n", "search/broken.md")
    assert record.title == "Heading" and record.body == "Text\n" and record.id == "broken"
    no_matter = parse("Just text\n", "search/plain.md")
    assert no_matter.title == "plain" and no_matter.body == "Just text\n"


def test_byte_order_mark_and_crlf_are_read_like_plain_files():
    plain = parse(PLAN)
    for raw in ("\ufeff" + PLAN, PLAN.replace("\n", "\r\n"), "\ufeff" + PLAN.replace("\n", "\r\n")):
        record = parse(raw)
        assert not record.problems, raw
        assert (record.fields, record.lines, record.body, record.body_line) == \
            (plain.fields, plain.lines, plain.body, plain.body_line)


def test_closing_line_with_trailing_spaces_and_dashes_in_body():
    record = parse("---\ntitle: A\n---  \nText\n\n---\n\nMore\n")
    assert record.title == "A" and record.body == "Text\n\n---\n\nMore\n" and not record.problems


# --- Walking plans_dir -----------------------------------------------------------------------


def test_scan_lists_plans_and_assets_sorted_and_skips_hidden(tmp_path: Path):
    for relative in ("b/z.md", "a.md", "b/img.png", ".git/x.md", "b/.swap.md", "objectives/o.md"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x")
    found = scan(tmp_path)
    assert found.plan_files == ["a.md", "b/z.md", "objectives/o.md"]
    assert found.asset_files == ["b/img.png"]
    assert found.problems == []


def test_read_plans_paths_are_relative_to_the_config_folder(tmp_path: Path):
    (tmp_path / "strategy/plans/search").mkdir(parents=True)
    (tmp_path / "strategy/plans/search/x.md").write_text("---\ntitle: X\n---\n")
    records, _ = read_plans(tmp_path, "strategy/plans")
    assert [(r.path, r.source, r.team) for r in records] == [("strategy/plans/search/x.md", "search/x.md", "search")]


def test_symlink_leaving_plans_dir_is_reported_not_followed(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: S\n---\n")
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "escape").symlink_to(outside, target_is_directory=True)
    found = scan(plans)
    assert found.plan_files == []
    assert found.problems == [("escape", Problem(FRONT_MATTER, 1, "symbolic link points outside the plans folder; not followed"))]
