"""Property-based tests: whatever the plans hold, the core never raises, every
diagnostic is located in a file and on a line of it, and any valid strategy renders
to pages whose links all land on generated pages.

Example counts stay modest so that the suite stays fast; the hostile corpus in
test_hostile_input.py covers the known nasty cases one by one."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mkdocs_northstar.read import schema
from mkdocs_northstar.analysis import analyse_files
from mkdocs_northstar.read.records import parse_record
from mkdocs_northstar.render.pages import render_pages
from mkdocs_northstar.settings import Settings

# analyse_files reads nothing from disk: the root only shapes the paths shown.
SETTINGS = Settings(root=Path("/northstar-properties"))
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _line_count(raw: bytes) -> int:
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1


def _assert_located(problems, raw: bytes) -> None:
    for problem in problems:
        assert problem.rule in ("front-matter", "schema")
        assert 1 <= problem.line <= _line_count(raw), (problem, raw[:200])
        assert problem.message


# --- Random front matter ------------------------------------------------------------

yaml_alphabet = st.sampled_from(list("abc:- []{},'\"&*!|>#%@`?\t\n \\") + ["title", "themes", "\r\n", "---\n"])
yaml_like = st.lists(yaml_alphabet, max_size=60).map("".join)


@FAST
@given(matter=yaml_like, body=st.text(max_size=40))
def test_random_front_matter_text_never_raises(matter, body):
    raw = f"---\n{matter}\n---\n{body}".encode("utf-8", "surrogatepass")
    record = parse_record(raw, "plans/t/x.md", "t/x.md")
    _assert_located(record.problems, raw)


@FAST
@given(raw=st.binary(max_size=200))
def test_random_bytes_never_raise(raw):
    record = parse_record(b"---\n" + raw, "plans/t/x.md", "t/x.md")
    _assert_located(record.problems, b"---\n" + raw)


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["2025", "2025-H1", "done", "https://a.example", "x"]))
values = st.recursive(scalars, lambda children: st.lists(children, max_size=3)
                      | st.dictionaries(st.text(max_size=5), children, max_size=3), max_leaves=8)
keys = st.one_of(st.sampled_from(sorted(schema.KEYS)), st.text(max_size=8))


@FAST
@given(data=st.dictionaries(keys, values, max_size=8), folder=st.sampled_from(["objectives", "themes", "team"]))
@example(data={"period": None, "title": None, "\x85": None}, folder="objectives")  # found by this test once
@example(data={"title": "a\u2028b", "c\u2029": "d\x85e"}, folder="team")
@example(data={"\x85\u2028\u2029": None}, folder="team")  # all three breaks in one file: found once
def test_random_mappings_never_raise_and_every_problem_is_on_its_key(data, folder):
    matter = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    raw = f"---\n{matter}---\nBody\n".encode("utf-8", "surrogatepass")
    record = parse_record(raw, f"plans/{folder}/x.md", f"{folder}/x.md")
    _assert_located(record.problems, raw)
    if not record.broken:
        for key in data:
            assert key in record.fields or any(p.line == record.line_of(str(key)) for p in record.problems) \
                or key in ("kind",), key


# --- Random strategies ------------------------------------------------------------------

printable = st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Cn"))
titles = st.text(printable, min_size=1, max_size=20).filter(lambda text: text.strip() != "")
TEAMS = ["search", "growth", "R&D <team>", "ops|infra", "équipe"]


@st.composite
def strategies(draw, valid: bool):
    """Plan files of a strategy: with `valid`, every link lands on a record of the right
    kind and dependencies run one way; without, links and keys go anywhere."""
    objective_ids = [f"o{n}" for n in range(draw(st.integers(1, 3)))]
    theme_ids = [f"t{n}" for n in range(draw(st.integers(1, 3)))]
    plan_count = draw(st.integers(1, 5))
    any_id = st.sampled_from(objective_ids + theme_ids + [f"p{n}" for n in range(plan_count)] + ["missing"])
    files: dict[str, dict] = {}

    def some(ids, minimum=1):
        return draw(st.lists(st.sampled_from(ids) if valid else any_id, min_size=minimum, max_size=3, unique=True))

    for number, identifier in enumerate(objective_ids):
        baseline = draw(st.integers(0, 100))
        files[f"objectives/{identifier}.md"] = {
            "title": draw(titles), "metric": draw(titles), "baseline": baseline,
            "target": baseline + draw(st.integers(1, 50)) * draw(st.sampled_from([1, -1])),
            "current": draw(st.integers(0, 150)), "unit": draw(st.sampled_from(["s", "%", "<b>u</b>"])),
            "period": draw(st.sampled_from(["2025", "2025-H1", "2025-Q3"])), "owner": draw(titles),
            "tags": draw(st.lists(titles, max_size=2)),
            **({"parent": objective_ids[number - 1]} if number and draw(st.booleans()) else {}),
        }
    for identifier in theme_ids:
        files[f"themes/{identifier}.md"] = {"title": draw(titles), "objectives": some(objective_ids)}
    for number in range(plan_count):
        team = draw(st.sampled_from(TEAMS))
        earlier = [f"p{n}" for n in range(number)]
        files[f"{team}/p{number}.md"] = {
            "title": draw(titles), "themes": some(theme_ids),
            "status": draw(st.sampled_from(schema.STATUSES)), "effort": draw(st.integers(1, 8)),
            **({"objectives": some(objective_ids)} if draw(st.booleans()) else {}),
            **({"depends_on": some(earlier)} if earlier and draw(st.booleans()) else {}),
        }
    if not valid:
        for path in draw(st.lists(st.sampled_from(sorted(files)), max_size=3)):
            files[path][draw(keys)] = draw(values)  # a wrong or unknown key here and there
    # Bodies link to other plan files by relative path, as authors do in code review.
    texts = {}
    paths = sorted(files)
    for path, front in files.items():
        targets = draw(st.lists(st.sampled_from(paths), max_size=2))
        links = " ".join(f"[see]({posixpath.relpath(target, posixpath.dirname(path))})" for target in targets)
        matter = "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in front.items())
        texts[path] = f"---\n{matter}---\n{draw(titles)} {links}\n".encode()
    return texts


_MD_LINK = re.compile(r"\]\((<[^>]*>|[^)\s]+)\)")
_HTML_HREF = re.compile(r'href="([^"]+)"')


def _lands_on(pages: dict[str, str], assets: set[str], here: str, target: str, served: bool) -> bool:
    target = target.strip("<>").split("#", 1)[0]
    if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target):
        return True  # an anchor on the same page, or an external URL
    if served:  # raw HTML (the maps) links to where pages are served: x/ for x.md
        folder = posixpath.dirname(here[:-len("index.md")] if here.endswith("index.md") else here[:-3] + "/")
        resolved = posixpath.normpath(posixpath.join(folder or ".", target))
        resolved = "index.md" if resolved == "." else resolved.rstrip("/") + ".md"
    else:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(here), target))
    return resolved in pages or resolved in assets


@SLOW
@given(files=strategies(valid=True))
def test_valid_strategies_render_pages_whose_links_all_land(files):
    analysis = analyse_files(SETTINGS, list(files.items()))
    assert analysis.errors == 0, [d.as_text() for d in analysis.diagnostics]
    pages = render_pages(analysis)
    assets = {f"assets/{asset}" for asset in analysis.assets}
    assert {f"plans/{path.split('/')[-1]}" for path in files if path.split("/")[0] not in ("objectives", "themes")} \
        <= set(pages)
    for here, text in pages.items():
        for target in _MD_LINK.findall(text):
            assert _lands_on(pages, assets, here, target, served=False), (here, target)
        for target in _HTML_HREF.findall(text):
            assert _lands_on(pages, assets, here, target, served=True), (here, target)


@SLOW
@given(files=strategies(valid=False))
def test_any_strategy_is_judged_and_rendered_without_raising(files):
    analysis = analyse_files(SETTINGS, list(files.items()))
    known = {f"plans/{path}": raw for path, raw in files.items()}
    for diagnostic in analysis.diagnostics:
        assert diagnostic.file in known, diagnostic
        assert 1 <= diagnostic.line <= _line_count(known[diagnostic.file]), diagnostic
    assert render_pages(analysis)
