"""`northstar diff --format markdown` is posted as a pull request's comment, and the pull
request's author names the files, titles, keys and ids in it: none of them may close the
formatter's `<details>`, add an element (an `<img>` pinging a server), mention anyone or
link an issue. The output is read the way GitHub reads Markdown (code spans first, then
HTML and text), with a small reader below, and with Python-Markdown."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest

from conftest import northstar, write
from test_diff_compare import commit, git, repository

EVIL = "</details><img src=https:evil.example/ping.png onerror=alert(1)> @octocat #12 !3 ~bug <!-- |"
TICKS = "a`b``c` "  # backticks in runs of one and two, and one at the end
BASE = "base-@octocat-</details>"  # a revision name a branch or tag may have
ADDED = f"plans/search/{TICKS}{EVIL}.md"
NO_ID = f"plans/growth/`@you {EVIL}.md"


def _q(text: str) -> str:
    return json.dumps(text)


@pytest.fixture(scope="module")
def comment(tmp_path_factory) -> tuple[str, Path]:
    root = repository(tmp_path_factory.mktemp("comment"))
    git(root, "tag", BASE)
    objective = (root / "plans/objectives/find-fast.md").read_text(encoding="utf-8")
    write(root, {
        ADDED: f"""\
            ---
            id: evil-one
            title: {_q(TICKS + EVIL)}
            themes: [better-search]
            owner: {_q("@org/team " + EVIL)}
            objectives: [{_q("@nobody" + EVIL)}]
            {_q("@admins " + EVIL)}: 1
            ---
            """,
        NO_ID: f"---\ntitle: {_q(EVIL)}\nthemes: [better-search]\n---\n",
        "plans/objectives/find-fast.md": objective.replace("metric: median time to find a product",
                                                            f"metric: {_q('@octocat ' + EVIL)}"),
    })
    commit(root, "a hostile change")
    result = northstar(root, "diff", BASE, "HEAD")
    assert result.returncode == 1, result.stderr  # the added plans bring new errors
    return result.stdout, root


# --- A reader of GitHub-flavoured Markdown, as far as this output needs one -------------

_FORMATTER_TAGS = re.compile(r"</?(details|summary)>")


def _code_spans(line: str) -> tuple[list[str], str]:
    """The code spans of a line (as CommonMark reads them: a run of backticks closed by
    the next run of the same length; one space stripped from each end where both have
    one) and the line with each replaced by a placeholder."""
    spans, rest, at = [], [], 0
    while at < len(line):
        if line[at] != "`":
            rest.append(line[at])
            at += 1
            continue
        run = re.match("`+", line[at:]).group()
        closing = re.compile(rf"(?<!`){run}(?!`)")
        found = closing.search(line, at + len(run))
        if not found:
            rest.append(run)
            at += len(run)
            continue
        content = line[at + len(run):found.start()]
        if len(content) > 1 and content[0] == content[-1] == " " and content.strip():
            content = content[1:-1]
        spans.append(content)
        rest.append("\0")
        at = found.end()
    return spans, "".join(rest)


def _read(text: str) -> tuple[list[str], str]:
    """Every code span's content, and the text outside them."""
    spans, outside = [], []
    for line in text.split("\n"):
        found, rest = _code_spans(line)
        spans += found
        outside.append(rest)
    return spans, "\n".join(outside)


def test_no_user_string_becomes_markup(comment):
    text, _ = comment
    _, outside = _read(text)
    # The only HTML is the formatter's own, each tag on a line of its own.
    assert "<" not in _FORMATTER_TAGS.sub("", outside), outside
    assert all(line.startswith(("<details><summary>", "</details>")) for line in outside.split("\n")
               if _FORMATTER_TAGS.search(line))
    assert outside.count("<details>") == outside.count("</details>") == outside.count("<summary>") == 4
    assert text.count("<details><summary>") == 4  # and no more once code spans are read as text
    assert "](" not in outside and "![" not in outside


def test_no_mention_and_no_issue_reference(comment):
    text, _ = comment
    _, outside = _read(text)
    shown = html.unescape(outside)  # GitHub finds mentions in the rendered text
    assert not re.search(r"(?<![0-9A-Za-z_`])@[0-9A-Za-z]", shown), shown
    assert not re.search(r"#[0-9]", shown), shown
    assert not re.search(r"(?<![0-9A-Za-z_`])[!~][0-9A-Za-z]", shown), shown  # GitLab's merge requests, labels
    assert "@\u2060octocat" in shown and "#\u206012" in shown  # still there to read


def test_hostile_strings_are_shown_as_written(comment):
    text, _ = comment
    spans, outside = _read(text)
    assert ADDED in spans and NO_ID in spans and BASE in spans
    assert f"{ADDED}:1" in spans or any(span.startswith(ADDED + ":") for span in spans)
    shown = html.unescape(outside).replace("\u2060", "")
    assert f"({TICKS}{EVIL})" in shown  # the added plan's title
    assert f"metric: median time to find a product → @octocat {EVIL}" in shown
    assert f"unknown key '@admins {EVIL}'" in shown


@pytest.mark.parametrize("value", [TICKS, EVIL, "`", "``", " `x` ", " lead", "trail ", "a|b", "x\ny\u2028z", ""])
def test_a_code_span_shows_any_string_as_written_in_one_table_cell(value):
    from mkdocs_northstar.diagnostics import printable
    from mkdocs_northstar.diff.formats import code_span

    spans, rest = _code_spans(code_span(value))
    assert rest == "\0" and spans == [printable(value) or "  "]
    row = f"| {code_span(value, in_table=True)} | x |"
    assert len(re.split(r"(?<!\\)\|", row)) == 4  # GitHub splits a row at every unescaped '|'


def test_python_markdown_makes_no_element_of_any_line(comment):
    # Python-Markdown reads a raw HTML block (<details>) to its end before it reads code
    # spans, which GitHub does not: each line of the formatter's own text is read alone.
    text, _ = comment

    class Elements(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []

        def handle_starttag(self, tag, attrs):
            self.found.append((tag, dict(attrs)))

    lines = [line for line in text.split("\n") if line.strip() and not _FORMATTER_TAGS.match(line)]
    assert len(lines) >= 12
    for line in lines:
        parser = Elements()
        parser.feed(markdown.markdown(line))
        tags = {tag for tag, _ in parser.found}
        assert tags <= {"h3", "p", "ul", "li", "code", "strong"}, (line, tags)
        assert not any(name.startswith("on") for _, attrs in parser.found for name in attrs)
