"""Broken and hostile plan files: each costs located diagnostics, never a crash.

A corpus of several hundred broken files is written into one plans folder and run
through `northstar check` and `mkdocs build` as a user would. Every file must be
named by at least one diagnostic on a line that exists in it, the run must go on
past each of them, and nothing may print a traceback.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import pytest

from conftest import make_site, mkdocs_build, northstar
from mkdocs_northstar.read import schema

# A plan that is valid but for one thing: the theme it names does not exist. A
# mutation of it that still parses therefore still owes a diagnostic.
BASE_PLAN = """\
---
title: Ranking by relevance
themes: [missing-theme]
status: in-progress
effort: 3
owner: Ada
tags: [search, ranking]
links: [https://tracker.example/SEARCH-1]
---
Rank results by what shoppers click.
"""


def _fm(matter: str, body: str = "Body.\n") -> bytes:
    return f"---\n{matter}---\n{body}".encode()


# --- The corpus: (name, content, rule expected, line expected or None) ---------------

STRUCTURE = [
    ("empty", b"", "front-matter", 1),
    ("blank-lines", b"\n\n\n", "front-matter", 1),
    ("body-only", b"# A title\n\nNo front matter.\n", "front-matter", 1),
    ("never-closed", b"---\ntitle: x\nthemes: [a]\n", "front-matter", 1),
    ("only-opening", b"---\n", "front-matter", 1),
    ("nothing-inside", b"---\n---\nBody.\n", "front-matter", 1),
    ("only-comment", b"---\n# just a comment\n---\n", "front-matter", 1),
    ("list", _fm("- a\n- b\n"), "front-matter", 2),
    ("string", _fm("just a sentence\n"), "front-matter", 2),
    ("number", _fm("42\n"), "front-matter", 2),
    ("null", _fm("~\n"), "front-matter", 1),
    ("quoted-string", _fm('"title: x"\n'), "front-matter", 2),
    ("block-literal", _fm("|\n  title: x\n"), "front-matter", 2),
    ("blank-before-opening", b"\n---\ntitle: x\n---\n", "front-matter", 1),
    ("space-before-opening", b" ---\ntitle: x\n---\n", "front-matter", 1),
    ("four-dashes", b"----\ntitle: x\n----\n", "front-matter", 1),
    ("utf16", "---\ntitle: x\n---\n".encode("utf-16"), "front-matter", 1),
    ("utf16-no-bom", "---\ntitle: x\n---\n".encode("utf-16-le"), "front-matter", 1),
    ("latin1", b"---\ntitle: caf\xe9\nthemes: [a]\n---\n", "front-matter", 2),
    ("latin1-in-body", b"---\ntitle: x\n---\ncaf\xe9\n", "front-matter", 4),
    ("bom-then-latin1", b"\xef\xbb\xbf---\ntitle: caf\xe9\n---\n", "front-matter", 2),
    ("truncated-utf8", b"---\ntitle: \xe2\x82\n---\n", "front-matter", 2),
    ("overlong-utf8", b"---\ntitle: \xc0\xaf\n---\n", "front-matter", 2),
    ("utf8-surrogate", b"---\ntitle: \xed\xa0\x80\n---\n", "front-matter", 2),
    ("nul-byte", b"---\ntitle: a\x00b\n---\n", "front-matter", 2),
    ("bell", b"---\ntitle: x\nowner: a\x07b\n---\n", "front-matter", 3),
    ("escape-char", b"---\ntitle: \x1b[31mred\n---\n", "front-matter", 2),
]

# Front matter that does not parse as YAML, or parses into something that is no mapping.
INVALID_YAML = [
    "title: [unclosed\n", "title: {unclosed\n", "title: 'unclosed\n", 'title: "unclosed\n',
    "title: ]\n", "title: }\n", "title: x\n  bad indent: y\n", "title: x\n bad: y\n",
    "title: x: y\n", "title x\nthemes: [a]\n", ":\n", ": value\n", "- a\nb: c\n", "b: c\n- a\n",
    "title: *undefined\n", "title: &a &b x\n", "title: !!python/object:os.system x\n",
    "title: !!python/object/apply:os.system ['true']\n", "title: !!python/name:os.system\n",
    "title: !!python/module:os\n", "title: !!python/object/new:os.system [true]\n",
    "title: !custom x\n", "title: !<tag:example.com,2000:x> y\n", "title: !!int abc\n",
    "title: !!float abc\n", "title: !!bool maybe\n", "title: !!timestamp yesterday\n",
    "title: !!map [a]\n", "title: !!seq {a: b}\n", "title: !!str\n  - a\n", "%YAML 1.1\n",
    "%TAG ! tag:x,2000:\n", "title: x\n...\nthemes: [a]\n",
    "? [a, b]\n: c\n", "? {a: b}\n: c\n", "[a, b]: c\n", "{a: b}: c\n", "title: @x\n", "title: `x`\n",
    "title: %x\n", "title: x\n\t- tab\n", "\ttitle: x\n", "title:\n\t- a\n", "themes:\n  - a\n\t- b\n",
    "title: 'it''s' extra'\n", 'title: "a\\qb"\n', 'title: "\\ud800"\n', 'title: "\\xZZ"\n',
    "title: |\nnot indented\n", "title: >\n  x\n y\n", "title: |-+\n  x\n", "title: |0\n  x\n",
    "title: [a, b\nthemes: c]\n", "title: {a: 1, a: 2\n", "title: [a,, b]\n",
    "title: {,}\n", "title: [a]]\n", "title: x # ok\n  # comment\n   y: z\n", "&anchor\n",
    "*alias\n", "title: &a [*a\n", "!!set\n? a\n", "!!omap\n- a: 1\n", "!!pairs\n- a: 1\n",
    "!!binary aGVsbG8=\n", "title: x\nowner: 2020-13-01\n", "title: x\nowner: 2021-02-29\n",
    "title: x\nowner: 2020-00-10\n", "title: x\nowner: 2020-01-32 10:00:00\n",
    "title: x\nperiod: 2020-01-01 25:61:61\n", "title: x\nfoo: 1" + "0" * 5000 + "\n",
    "title: x\nbad: [\n" + "  a,\n" * 50, "'\n", '"\n', "[\n", "{\n", "- [\n", "? \n? \n:\n:\n",
]

# Nesting, sizes and alias expansion that would crash or exhaust a naive loader.
def _laughs(width: int, levels: int, flow: bool = True) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{aliases}]" if flow else f"a{level}: &a{level} {{{aliases}}}")
    return "\n".join(lines) + "\ntitle: x\n"


def _nested(levels: int, opening: str, closing: str) -> str:
    return "title: " + opening * levels + "x" + closing * levels + "\n"


RESOURCES = [
    ("nested-5000-lists", _nested(5000, "[", "]"), "front-matter"),
    ("nested-100000-lists", _nested(100_000, "[", "]"), "front-matter"),
    ("nested-5000-maps", _nested(5000, "{a: ", "}"), "front-matter"),
    ("nested-100000-maps", _nested(100_000, "{a: ", "}"), "front-matter"),
    ("nested-100000-mixed", "title: " + "[{a: " * 50_000 + "x" + "}]" * 50_000 + "\n", "front-matter"),
    ("nested-100000-unclosed", "title: " + "[" * 100_000 + "\n", "front-matter"),
    ("nested-100000-block-sequences", "themes:\n" + "- " * 100_000 + "x\n", "front-matter"),
    ("nested-100000-keys", "? " * 100_000 + "x\n", "front-matter"),
    ("nested-5000-block-maps", "".join(" " * level + f"k{level}:\n" for level in range(5000)), "front-matter"),
    ("laughs-lists", _laughs(10, 12), "front-matter"),
    ("laughs-maps", "a0: &a0 {k: lol}\n" + "".join(
        f"a{n}: &a{n} {{" + ", ".join(f"k{i}: *a{n - 1}" for i in range(9)) + "}\n" for n in range(1, 12))
        + "title: x\n", "front-matter"),
    ("laughs-wide", _laughs(1000, 3), "front-matter"),
    ("laughs-in-a-key", _laughs(10, 12) + "tags: *a11\n", "front-matter"),
    ("alias-chain-quadratic", "a0: &a0 [x]\n" + "".join(f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}]\n" for n in range(1, 40))
     + "title: x\n", "front-matter"),
]

# Front matter that parses, with one thing wrong: a rule and the line it must be on.
SEMANTIC = [
    ("duplicate-title", "title: A\nthemes: [a]\ntitle: B\n", "schema", 4),
    ("duplicate-quoted-key", "title: A\n\"title\": B\n", "schema", 3),
    ("duplicate-themes", "themes: [a]\ntitle: x\nthemes: [b]\n", "schema", 4),
    ("null-key", "title: x\n~: y\n", "schema", 3),
    ("number-key", "title: x\n1: y\n", "schema", 3),
    ("bool-key", "title: x\nyes: y\n", "schema", 3),
    ("unknown-key-typo", "title: x\nthemse: [a]\n", "schema", 3),
    ("binary-title", "title: !!binary aGVsbG8=\n", "schema", 2),
    ("set-title", "title: !!set {a, b}\n", "schema", 2),
    ("nan-effort", "title: x\neffort: .nan\n", "schema", 3),
    ("infinite-effort", "title: x\neffort: .inf\n", "schema", 3),
    ("huge-float-effort", "title: x\neffort: 1e999\n", "schema", 3),
    ("self-referencing-tags", "title: x\ntags: &t [*t]\n", "schema", 3),
    ("self-referencing-themes", "title: x\nthemes: &t [a, *t]\n", "schema", 3),
    ("date-period", "title: x\nperiod: 2025-01-01\n", "schema", 3),
    ("no-title", "themes: [a]\n", "schema", 1),
    ("javascript-link", "title: x\nlinks: ['javascript:alert(1)']\n", "schema", 3),
    ("data-link", "title: x\nlinks: ['data:text/html,<script>alert(1)</script>']\n", "schema", 3),
    ("vbscript-link", "title: x\nlinks: ['vbscript:msgbox(1)']\n", "schema", 3),
    ("file-link", "title: x\nlinks: ['file:///etc/passwd']\n", "schema", 3),
    ("relative-link", "title: x\nlinks: ['../../secret']\n", "schema", 3),
    ("scheme-relative-link", "title: x\nlinks: ['//evil.example/x']\n", "schema", 3),
    ("link-with-space", "title: x\nlinks: ['https://a.example/x y']\n", "schema", 3),
    ("link-with-newline", "title: x\nlinks: [\"https://a.example/x\\nhttps://b\"]\n", "schema", 3),
    ("id-with-slash", "id: a/b\ntitle: x\n", "schema", 2),
    ("id-with-dots", "id: ../../docs/evil\ntitle: x\n", "schema", 2),
    ("id-with-space", "id: a b\ntitle: x\n", "schema", 2),
    ("id-with-capitals", "id: Search\ntitle: x\n", "schema", 2),
    ("id-non-ascii", "id: café\ntitle: x\n", "schema", 2),
    ("id-leading-dash", "id: -x\ntitle: x\n", "schema", 2),
    ("id-trailing-newline", 'id: "x\\n"\ntitle: x\n', "schema", 2),
    ("id-empty", "id: ''\ntitle: x\n", "schema", 2),
]

# Values of the wrong type for every key: (kind, snippets). A key missing here fails
# test_wrong_types_cover_every_key, so a new key cannot go untested.
WRONG_TYPES = {
    "id": ("plan", ["[a]", "{a: b}", "42", "true", "~", "2025-01-01", "Has Space", "UPPER", "a/b", "'..'", "ünï"]),
    "kind": ("plan", ["epic", "[plan]", "42", "true", "~", "Plan"]),
    "title": ("plan", ["[a]", "{a: b}", "true", "~", "2025-01-01", "''", "'   '"]),
    "owner": ("plan", ["[a]", "{a: b}", "true", "~", "2025-01-01"]),
    "period": ("plan", ["2025-Q5", "2025-H3", "H1", "20251", "25", "[2025]", "true", "~", "2025-01-01", "2025-q1"]),
    "tags": ("plan", ["search", "{a: b}", "42", "[[a]]", "[{a: b}]", "[true]", "[~]", "['']"]),
    "metric": ("objective", ["[a]", "{a: b}", "true", "~", "''"]),
    "baseline": ("objective", ["ten", "[1]", "{a: 1}", "true", "~", "2025-01-01", "'1'", ".nan"]),
    "target": ("objective", ["ten", "[1]", "{a: 1}", "true", "~", "'1'", ".inf"]),
    "current": ("objective", ["ten", "[1]", "true", "~", "'1'", "-.inf"]),
    "unit": ("objective", ["[s]", "{a: b}", "true", "~"]),
    "parent": ("objective", ["[a]", "42", "true", "~", "Bad Id", "../x"]),
    "objectives": ("theme", ["a", "{a: b}", "42", "[1]", "[[a]]", "[Bad Id]", "[~]", "true"]),
    "themes": ("plan", ["a", "{a: b}", "42", "[1]", "[[a]]", "[Bad Id]", "[a/b]", "true"]),
    "team": ("plan", ["[a]", "{a: b}", "true", "~", "''"]),
    "status": ("plan", ["doing", "Done", "[done]", "1", "true", "~"]),
    "effort": ("plan", ["0", "-1", "big", "[1]", "true", "~", ".nan", "'3'"]),
    "depends_on": ("plan", ["a", "{a: b}", "[1]", "[[a]]", "[Bad Id]", "true"]),
    "links": ("plan", ["https://a.example", "[ftp://a.example]", "[1]", "[[a]]", "['javascript:x']", "['mailto:']", "true"]),
    # Contract v1.1: checked item by item by the outcomes reader, each problem at its own line.
    "key_results": ("objective", ["a", "[]", "42", "true", "~", "[1]", "[{metric: m, wieght: 2}]",
                                  "[{milestone: m, done: soon}]", "[{metric: m, direction: up}]"]),
    "measurements": ("objective", ["42", "true", "{a: b}", "[1]", "[{date: soon, value: 1}]",
                                   "[{date: 2025-01-01, value: ten}]", "/etc/passwd", "../../../x.csv"]),
}
# A key that belongs to other kinds is refused too.
WRONG_KIND = [("metric", "plan", "m"), ("baseline", "theme", "1"), ("themes", "objective", "[a]"),
              ("objectives", "objective", "[a]"), ("team", "theme", "a"), ("status", "objective", "done"),
              ("effort", "theme", "1"), ("depends_on", "objective", "[a]"), ("links", "theme", "[https://a.example]"),
              ("parent", "plan", "a"), ("unit", "plan", "s"), ("current", "theme", "1")]


def _folder(kind: str) -> str:
    return {"objective": "objectives", "theme": "themes", "plan": "corpus"}[kind]


def _mutations(count: int) -> list[tuple[str, bytes]]:
    """Deterministic single edits of BASE_PLAN with characters that mean something to YAML."""
    chooser = random.Random(6)
    specials = list(":[]{}\"'&*!%@`|>-#?,\t\n\\") + ["\r", "\ufeff", "---\n", "  ", "\u2028"]
    mutated = []
    for number in range(count):
        text = list(BASE_PLAN)
        for _ in range(chooser.randint(1, 3)):
            position = chooser.randrange(4, BASE_PLAN.index("\n---\n") + 1)
            action = chooser.choice(("insert", "replace", "delete"))
            if action == "delete":
                del text[position]
            else:
                text[position:position + (action == "replace")] = [chooser.choice(specials)]
        mutated.append((f"mutation-{number:03d}", "".join(text).encode("utf-8")))
    return mutated


def corpus() -> list[tuple[str, bytes, str | None, int | None]]:
    """Every broken file: (path below plans/, content, rule expected, line expected)."""
    files: list[tuple[str, bytes, str | None, int | None]] = []
    files += [(f"corpus/{name}.md", raw, rule, line) for name, raw, rule, line in STRUCTURE]
    files += [(f"corpus/invalid-yaml-{number:03d}.md", _fm(matter), "front-matter", None)
              for number, matter in enumerate(INVALID_YAML)]
    files += [(f"corpus/{name}.md", _fm(matter), rule, None) for name, matter, rule in RESOURCES]
    files += [(f"corpus/{name}.md", _fm(matter), rule, line) for name, matter, rule, line in SEMANTIC]
    for key, (kind, values) in WRONG_TYPES.items():
        for number, value in enumerate(values):
            matter = f"title: Wrong {key}\n{key}: {value}\n" if key != "title" else f"{key}: {value}\n"
            files.append((f"{_folder(kind)}/wrong-{key.replace('_', '-')}-{number}.md", _fm(matter), "schema",
                          matter.count("\n") + 1))
    for key, kind, value in WRONG_KIND:
        files.append((f"{_folder(kind)}/not-for-{kind}-{key.replace('_', '-')}.md",
                      _fm(f"title: x\n{key}: {value}\n"), "schema", 3))
    # Line endings and marks that are read as usual, around an error that must keep its line.
    files.append(("corpus/crlf-duplicate.md", b"---\r\ntitle: a\r\ntitle: b\r\n---\r\n", "schema", 3))
    files.append(("corpus/bom-duplicate.md", b"\xef\xbb\xbf---\ntitle: a\ntitle: b\n---\n", "schema", 3))
    files.append(("corpus/cr-only-duplicate.md", b"---\rtitle: a\rtitle: b\r---\r", "schema", 3))
    # YAML also breaks lines at NEL, LS and PS; editors do not, and neither do the lines reported.
    files.append(("corpus/line-separator.md", "---\ntitle: 'a\u2028b'\nfoo: 1\n---\n".encode(), "schema", 3))
    files.append(("corpus/next-line-in-quotes.md", "---\ntitle: \"a\x85b\u2029\"\nfoo: 1\n---\n".encode(), "schema", 3))
    files.append(("corpus/line-separator-unquoted.md", "---\ntitle: a\u2028b\nfoo: 1\n---\n".encode(), "front-matter", 2))
    files.append(("corpus/two-megabyte-title.md", _fm(f"title: {'a' * 2_000_000}\nfoo: 1\n"), "front-matter", 2))
    files.append(("corpus/two-megabyte-key.md", _fm(f"{'k' * 2_000_000}: 1\n"), None, None))
    files.append(("corpus/two-megabyte-flow.md", _fm("tags: [" + "t, " * 700_000 + "t]\nfoo: 1\n"), "front-matter", 2))
    files.append(("corpus/big-but-allowed.md", _fm("tags: [" + "t, " * 20_000 + "t]\nfoo: 1\n"), "schema", 3))
    files.append(("corpus/two-megabyte-body-line.md", _fm("title: x\nfoo: 1\n", "b" * 2_000_000 + "\n"), "schema", 3))
    files += [(f"corpus/{name}.md", raw, None, None) for name, raw in _mutations(150)]
    return files


def _lines_in(raw: bytes) -> int:
    return max(1, raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1)


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    return make_site(root, {f"plans/{path}": raw for path, raw, _, _ in corpus()})


@pytest.fixture(scope="module")
def checked(corpus_site):
    started = time.monotonic()
    result = northstar(corpus_site, "check", "--format", "json")
    return result, time.monotonic() - started


def test_corpus_is_several_hundred_files():
    paths = [path for path, _, _, _ in corpus()]
    assert len(paths) == len(set(paths)) >= 400


def test_wrong_types_cover_every_key():
    assert set(WRONG_TYPES) == set(schema.KEYS)


def test_check_fails_without_a_traceback_in_good_time(checked):
    result, seconds = checked
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr == ""
    assert seconds < 60  # the nesting, alias and 2 MB files are refused quickly, not ground through


def test_every_broken_file_is_named_on_a_line_it_has(checked, corpus_site):
    result, _ = checked
    diagnostics = json.loads(result.stdout)["diagnostics"]
    by_file: dict[str, list[dict]] = {}
    for diagnostic in diagnostics:
        by_file.setdefault(diagnostic["file"], []).append(diagnostic)
    for path, raw, rule, line in corpus():
        found = by_file.get(f"plans/{path}")
        assert found, f"no diagnostic names plans/{path}"
        for diagnostic in found:
            assert 1 <= diagnostic["line"] <= _lines_in(raw), (path, diagnostic)
            assert diagnostic["severity"] in ("error", "warning")
        if rule is not None:
            assert any(d["rule"] == rule and (line is None or d["line"] == line) for d in found), (path, rule, line, found)


def test_python_tags_are_never_executed(tmp_path):
    marker = tmp_path / "executed"
    payloads = [f"title: !!python/object/apply:os.system ['touch {marker}']\n",
                f"title: !!python/object/apply:subprocess.call [['touch', '{marker}']]\n",
                f"title: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n",
                f"!!python/object/apply:os.system ['touch {marker}']\n",
                f"title: x\nowner: !!python/object/apply:builtins.exec [\"open('{marker}', 'w')\"]\n"]
    plans = {f"plans/t/payload-{number}.md": _fm(payload) for number, payload in enumerate(payloads)}
    make_site(tmp_path, plans)
    checked = northstar(tmp_path, "check", "--format", "json")
    built = mkdocs_build(tmp_path)
    assert not marker.exists()
    assert checked.returncode == 1 and built.returncode == 1
    rules = {(d["file"], d["rule"]) for d in json.loads(checked.stdout)["diagnostics"]}
    assert {(f"plans/{path[6:]}", "front-matter") for path in plans} <= rules
    assert "Traceback" not in built.stderr


def test_build_of_the_corpus_fails_listing_every_file(corpus_site):
    result = mkdocs_build(corpus_site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for path, _, _, _ in corpus():
        assert f"plans/{path}:" in result.stderr, path
    assert not (corpus_site / "site" / "strategy").exists()


def test_corpus_as_warnings_still_builds_a_page_per_record(tmp_path):
    """With every rule a warning the build goes on: each broken record gets a page."""
    from mkdocs_northstar.rules import RULES

    config = "site_name: t\ntheme:\n  name: material\nplugins:\n  - northstar:\n      rules:\n" + "".join(
        f"        {rule}: warning\n" for rule in RULES)
    # A sample of every category keeps the build short; the check above reads all of them.
    sample = [entry for number, entry in enumerate(corpus()) if number % 4 == 0]
    make_site(tmp_path, {f"plans/{path}": raw for path, raw, _, _ in sample}, config=config)
    result = mkdocs_build(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    pages = list((tmp_path / "site" / "strategy").rglob("index.html"))
    assert len(pages) >= len(sample)


# --- Ids and paths ---------------------------------------------------------------------

HOSTILE_IDS = ["../../docs/evil", "a/b", "..", "a b", "Search", "café", "x\\y", "/etc/passwd", "%2e%2e"]


def test_hostile_ids_are_schema_errors_and_build_no_path(tmp_path):
    plans = {f"plans/t/record-{number}.md": _fm(f"id: {json.dumps(hostile)}\ntitle: x\n")
             for number, hostile in enumerate(HOSTILE_IDS)}
    make_site(tmp_path, plans)
    diagnostics = json.loads(northstar(tmp_path, "check", "--format", "json").stdout)["diagnostics"]
    for path in plans:
        assert any(d["file"] == path and d["line"] == 2 and d["rule"] == "schema" for d in diagnostics), path
    # With the rules relaxed the records are published, under their files' names only.
    make_site(tmp_path, plans, config="site_name: t\nplugins:\n  - northstar:\n      rules:\n"
                                      "        schema: warning\n        unlinked-plan: warning\n")
    before = sorted(path for path in tmp_path.rglob("*") if "site" not in path.parts)
    assert mkdocs_build(tmp_path).returncode == 0
    assert sorted(path for path in tmp_path.rglob("*") if "site" not in path.parts) == before
    pages = sorted(path.parent.name for path in (tmp_path / "site/strategy/plans").glob("*/index.html"))
    assert pages == sorted(f"record-{number}" for number in range(len(HOSTILE_IDS)))
    assert not list((tmp_path / "site").rglob("evil*")) and not (tmp_path / "docs/evil").exists()


@pytest.mark.parametrize("stem", ["Has Space", "UPPER", "café", "a..b", "-lead", "x.y"])
def test_file_name_that_is_no_id_is_a_schema_error(tmp_path, stem):
    make_site(tmp_path, {f"plans/t/{stem}.md": _fm("title: x\n")})
    diagnostics = json.loads(northstar(tmp_path, "check", "--format", "json").stdout)["diagnostics"]
    assert any(d["rule"] == "schema" and d["file"] == f"plans/t/{stem}.md" and "file name" in d["message"]
               for d in diagnostics)


def test_symlinks_that_leave_loop_or_dangle_are_reported_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: Secret\n---\nnot for the site\n")
    make_site(tmp_path, {"plans/t/ok.md": _fm("title: x\n")})
    plans = tmp_path / "plans"
    os.symlink(outside, plans / "t" / "out-dir")
    os.symlink(outside / "secret.md", plans / "t" / "out-file.md")
    os.symlink("/etc/passwd", plans / "t" / "passwd.md")
    os.symlink(plans, plans / "t" / "loop")
    os.symlink(plans / "t", plans / "t" / "self")
    os.symlink(plans / "nowhere.md", plans / "t" / "dangling.md")
    os.symlink("loop-b.md", plans / "t" / "loop-a.md")
    os.symlink("loop-a.md", plans / "t" / "loop-b.md")
    result = northstar(tmp_path, "check", "--format", "json")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    named = {d["file"]: d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == "front-matter"}
    for link in ("out-dir", "out-file.md", "passwd.md", "loop", "self", "dangling.md", "loop-a.md", "loop-b.md"):
        assert f"plans/t/{link}" in named, link
    assert "Secret" not in result.stdout and "root:" not in result.stdout
    assert mkdocs_build(tmp_path).returncode == 1


def test_pipe_named_like_a_plan_is_reported_not_read(tmp_path):
    make_site(tmp_path, {"plans/t/ok.md": _fm("title: x\n")})
    os.mkfifo(tmp_path / "plans" / "t" / "pipe.md")
    result = northstar(tmp_path, "check", "--format", "json")  # reading the pipe would block until the timeout
    assert any(d["file"] == "plans/t/pipe.md" and d["rule"] == "front-matter"
               for d in json.loads(result.stdout)["diagnostics"])


@pytest.mark.parametrize("levels", [300, 5000, 100_000])
def test_deep_nesting_is_one_located_front_matter_problem(levels):
    """Our depth scan or the YAML reader's own limit (libyaml 0.2.6 stops at 1,000
    levels): whichever refuses first, the author gets one problem on the line where
    the nesting starts. libyaml's composer would crash the interpreter, not raise."""
    from mkdocs_northstar.read.front_matter import MAX_FRONT_MATTER, YamlProblem, parse_yaml
    from mkdocs_northstar.read.limits import MAX_DEPTH
    from mkdocs_northstar.read.records import parse_record

    shapes = [("nested: " + "[" * levels + "]" * levels, 3), ("nested:\n" + "- " * levels + "x", 4),
              ("nested: " + "{a: " * levels + "x" + "}" * levels, 3)]
    for nested, line in shapes:
        matter = f"\ntitle: x\n{nested}\n"  # as split from the file: the newline after '---' first
        with pytest.raises(YamlProblem) as refused:  # the reader alone, whatever the size
            parse_yaml(matter, first_line=1)
        assert refused.value.line == line, refused.value.message
        assert f"{MAX_DEPTH} levels" in refused.value.message  # the author learns the limit, whoever refused
        if len(matter) <= MAX_FRONT_MATTER:
            record = parse_record(_fm(matter[1:]), "plans/t/deep.md", "t/deep.md")
            assert record.broken
            assert [(problem.rule, problem.line) for problem in record.problems] == [("front-matter", line)]


def test_deep_nesting_is_reported_by_check_with_file_and_line(tmp_path):
    make_site(tmp_path, {"plans/t/deep.md": _fm("title: x\nnested: " + "[" * 5000 + "]" * 5000 + "\n")})
    result = northstar(tmp_path, "check")
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert [line for line in result.stdout.splitlines() if "front-matter" in line] == [
        line for line in result.stdout.splitlines() if line.startswith("plans/t/deep.md:3: error: [front-matter]")]
    assert "plans/t/deep.md:3: error: [front-matter]" in result.stdout


def test_breaks_only_yaml_sees_keep_quoted_text_and_editor_lines():
    """NEL, LS and PS are line breaks to YAML 1.1, not to editors: quoted, each is kept
    as written; the keys after them are on the lines an editor shows."""
    from mkdocs_northstar.read.records import parse_record

    raw = _fm("title: 'a\x85  b\u2028  c'\n? '\x85  '\n: 1\nowner: \"x\u2028y\"\nfoo: 2\n")
    record = parse_record(raw, "plans/t/breaks.md", "t/breaks.md")
    assert record.title == "a\x85b\u2028c" and record.get("owner") == "x\u2028y"
    unknown = sorted((problem.line, problem.message) for problem in record.problems)
    assert unknown == [(3, "unknown key '\x85'"), (6, "unknown key 'foo'")]
