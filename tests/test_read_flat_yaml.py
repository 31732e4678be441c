"""The flat front-matter reader agrees with libyaml on everything it accepts, and
leaves to libyaml everything it cannot read the same way."""

from __future__ import annotations

import datetime

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdocs_northstar.read.flat_yaml import read_flat
from mkdocs_northstar.read.front_matter import Loader, parse_yaml

MANY = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def libyaml(matter: str):
    """What the full reader makes of the text: data and key lines, or the error."""
    try:
        return yaml.load(matter, Loader=Loader)
    except Exception as error:  # noqa: BLE001 - any refusal counts as one
        return type(error)


def agrees(matter: str) -> bool:
    """Either the flat reader stands aside, or it reads what libyaml reads, key lines included."""
    flat = read_flat(matter, 1)
    if flat is None:
        return True
    data, lines = flat
    expected = libyaml(matter)
    assert data == expected and [type(v) for v in data.values()] == [type(v) for v in expected.values()], matter
    for key, line in lines.items():
        assert matter.split("\n")[line - 1].startswith(key + ":"), (matter, key, line)
    return True


def test_reads_a_plan_as_libyaml_does():
    matter = ("\ntitle: Plan 42 — search:ranking C#1\nthemes: [search, ranking-v2, https://x.example/a?b=c]\n"
              "effort: 3\nbaseline: -2.5\nactive: yes\nnothing: ~\nstarts: 2026-01-05\nperiod: 2026-Q4\n"
              "objectives:\n  - grow-revenue\n  - keep-users\nempty: []\nlast:\n")
    data, lines = read_flat(matter, 1)
    assert data == yaml.load(matter, Loader=yaml.CSafeLoader)
    assert data["starts"] == datetime.date(2026, 1, 5) and data["active"] is True and data["effort"] == 3
    assert lines == {"title": 2, "themes": 3, "effort": 4, "baseline": 5, "active": 6, "nothing": 7,
                     "starts": 8, "period": 9, "objectives": 10, "empty": 13, "last": 14}
    assert read_flat(matter, 5)[1]["title"] == 6


@pytest.mark.parametrize("matter", [
    "title: 'quoted'", 'title: "quoted"', "title: a # comment", "title: a: b", "title: |\n  text",
    "title: >\n  text", "title: &a x\nother: *a", "title: !!str 3", "<<: {a: 1}", "parent:\n  child: 1",
    "title: first\n  continued", "title: a\ntitle: b", "yes: 1", "title:\ttab", "title: {a: 1}",
    "themes: [a, [b]]", "themes: [a,, b]", "themes: [a: b]", "themes: [a,\n b]", "themes:\n  - a\n - b",
    "themes:\n  - a: 1", "themes:\n  -", "starts: 2020-13-01", "key: =", "key: -", "- a\n- b", "just text",
    "title: a\x07b", "title:value", "key : value", "%YAML 1.1", "title: \ufeffx", "",
])
def test_leaves_anything_else_to_libyaml(matter):
    assert read_flat(matter, 1) is None


def test_parse_yaml_reports_what_the_flat_reader_leaves_aside():
    with pytest.raises(Exception, match="not a valid date"):
        parse_yaml("\nstarts: 2020-13-01\n", 1)
    assert parse_yaml("\ntitle: a\ntitle: b\n", 1)[2][0].message.startswith("key 'title' is given twice")


# Lines built from the pieces YAML treats specially, so that most examples come close
# to the edge of what the flat reader accepts.
piece = st.sampled_from(["a", "b1", "2026", "-5", "-.5", "1.5", "0x1f", "yes", "Off", "~", "null", "2026-01-05",
                         "2026-02-30", "2026-Q1", ":", ": ", " ", "  ", "#", " #", "-", "- ", "?", ",", "[", "]",
                         "{", "}", "'", '"', "&", "*", "!", "|", ">", "%", "@", "`", "<<", "=", "\\", "/",
                         "https://x.example", "é", "—", "\xa0", "\u3000", "\t", "\x00"])
word = st.sampled_from(["a", "b1", "plan", "2026", "1.5", "-5", "yes", "~", "2026-01-05", "2026-Q1", " ", "x.y",
                        "https://x.example/p?q=1", "é—", "C#", "a:b"])
# Mostly ordinary words, now and then a special piece: both sides of the edge.
scalar = st.lists(st.one_of(word, word, word, piece), min_size=0, max_size=5).map("".join)
key = st.one_of(st.sampled_from(["title", "themes", "effort", "a", "b_c", "d-e", "_x"]),
                st.sampled_from(["yes", "null", "on", "x:y", " t", "t ", "-"]))
line = st.one_of(
    st.tuples(key, scalar).map(lambda pair: f"{pair[0]}:{pair[1]}"),
    st.tuples(key, scalar).map(lambda pair: f"{pair[0]}: {pair[1]}"),
    st.tuples(key, st.lists(scalar, max_size=4)).map(lambda pair: f"{pair[0]}: [{', '.join(pair[1])}]"),
    st.tuples(key, st.lists(scalar, max_size=4)).map(lambda pair: f"{pair[0]}: [{','.join(pair[1])}]"),
    st.tuples(st.sampled_from(["", " ", "  ", "   "]), scalar).map(lambda pair: f"{pair[0]}- {pair[1]}"),
    st.sampled_from(["", "  ", "# note", "  # note", "..."]),
)


# Whole entries (a key and its value, scalar or list), as authors write them.
good_key = st.sampled_from(["title", "themes", "effort", "a", "b_c", "d-e", "_x", "k1", "k2", "k3", "k4", "k5"])
value = st.one_of(st.lists(word, min_size=1, max_size=4).map("".join), scalar)
entry = st.one_of(
    st.tuples(good_key, value).map(lambda pair: f"{pair[0]}: {pair[1]}"),
    st.tuples(good_key, st.lists(value, max_size=3)).map(lambda pair: f"{pair[0]}: [{', '.join(pair[1])}]"),
    st.tuples(good_key, st.sampled_from(["", " ", "  "]), st.lists(value, min_size=1, max_size=3)).map(
        lambda parts: f"{parts[0]}:\n" + "\n".join(f"{parts[1]}- {item}" for item in parts[2])),
)


@MANY
@given(lines=st.lists(line, min_size=1, max_size=8))
def test_agrees_with_libyaml_on_random_flat_lines(lines):
    assert agrees("\n" + "\n".join(lines) + "\n")


@MANY
@given(entries=st.lists(st.one_of(entry, entry, entry, line), min_size=1, max_size=6))
def test_agrees_with_libyaml_on_random_entries(entries):
    assert agrees("\n" + "\n".join(entries) + "\n")


@MANY
@given(lines=st.lists(line, min_size=1, max_size=8))
def test_parse_yaml_reads_random_lines_as_libyaml_does(lines):
    """Through the whole reader: the same data, or an error where libyaml has one."""
    matter = "\n" + "\n".join(lines) + "\n"
    expected = libyaml(matter)
    try:
        data = parse_yaml(matter, 1)[0]
    except Exception:  # noqa: BLE001
        assert isinstance(expected, type)
        return
    if data is not None and not isinstance(expected, type):
        assert data == expected
