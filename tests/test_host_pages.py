"""The MkDocs files and pages the plugin hands over (host/pages.py): rendered when read, and
converted by one shared Markdown converter exactly as MkDocs' fresh one per page would."""

from __future__ import annotations

import gc
import os
import weakref

import markdown
import pytest
from mkdocs.config import load_config
from mkdocs.plugins import BasePlugin

import mkdocs_northstar.forked
import mkdocs_northstar.host.plugin
from conftest import CLEAN_PLANS, MKDOCS_YML, PNG, build_here, make_site
from mkdocs_northstar.forked import Stream
from mkdocs_northstar.host.pages import RenderedPage, SharedConverter, shares_a_converter

# Extensions that keep state between the blocks of a page (footnote numbers, abbreviations,
# tab and heading ids, stashed code): a shared converter that did not reset them would
# carry one plan's into the next plan's page.
RICH_YML = MKDOCS_YML + """\
markdown_extensions:
  - abbr
  - admonition
  - attr_list
  - def_list
  - footnotes
  - md_in_html
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.highlight
  - pymdownx.inlinehilite
  - pymdownx.tabbed:
      alternate_style: true
  - pymdownx.tasklist
  - pymdownx.mark
  - pymdownx.critic
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
"""

STATEFUL_BODY = """\
Search[^first-{n}] is the front door, says the HTML[^note] team. :material-magnify:

*[HTML]: HyperText Markup Language

## Approach { #approach-{n} }

=== "Now"

    Fast answers.

=== "Later"

    Better answers.

??? note "Details"
    Hidden until opened.

- [x] ranked
- [ ] personalised

```python
print({n})
```

Term
:   Definition {n}.

{++added++} and ==marked==.

[^first-{n}]: A footnote of plan {n}.
[^note]: Another.
"""


def _rich_plans() -> dict[str, str]:
    plans = {**CLEAN_PLANS, "plans/search/diagram.png": PNG}
    for number in range(3):
        plans[f"plans/search/stateful-{number}.md"] = (
            "---\ntitle: Stateful " + str(number) + "\nthemes: [better-search]\n---\n"
            + STATEFUL_BODY.replace("{n}", str(number)))
    return plans


def test_a_shared_converter_makes_the_pages_a_fresh_one_makes(tmp_path, monkeypatch):
    converted = []
    monkeypatch.setattr(SharedConverter, "render", _counting(SharedConverter.render, converted))
    shared = build_here(make_site(tmp_path / "shared", _rich_plans(), config=RICH_YML))
    assert len(converted) > 10  # the record pages went through the shared converter
    monkeypatch.setattr(mkdocs_northstar.host.plugin, "shares_a_converter", lambda extensions: False)
    fresh = build_here(make_site(tmp_path / "fresh", _rich_plans(), config=RICH_YML))
    pages = [name for name in fresh if name.endswith(".html")]
    assert len(pages) > 15 and set(shared) == set(fresh)
    differing = [name for name in pages if shared[name] != fresh[name]]
    assert differing == []
    # The stateful pieces are there, each plan with its own numbering and ids.
    plan = shared["strategy/plans/stateful-2/index.html"].decode()
    assert 'id="fn:first-2"' in plan and "A footnote of plan 2." in plan and "A footnote of plan 1." not in plan
    assert '<abbr title="HyperText Markup Language">HTML</abbr>' in plan and 'id="approach-2"' in plan
    assert 'id="__tabbed_1_1"' in plan and "Definition 2." in plan


def test_a_converter_that_kept_one_pages_state_would_be_caught(tmp_path, monkeypatch):
    # The comparison above can fail: without reset() one plan's footnotes show on the next.
    monkeypatch.setattr(markdown.Markdown, "reset", lambda self: self)
    shared = build_here(make_site(tmp_path / "kept", _rich_plans(), config=RICH_YML))
    assert "A footnote of plan 1." in shared["strategy/plans/stateful-2/index.html"].decode()


def test_record_pages_take_their_front_matter_without_parsing_yaml(tmp_path, monkeypatch):
    parsed = []
    monkeypatch.setattr(mkdocs_northstar.host.pages, "get_data", _counting(mkdocs_northstar.host.pages.get_data, parsed))
    site = build_here(make_site(tmp_path / "site", _rich_plans(), config=RICH_YML))
    assert parsed == []
    plan = site["strategy/plans/stateful-1/index.html"].decode()
    assert "<title>Stateful 1 - " in plan  # the title still reached the theme


def test_pages_rendered_by_a_forked_child_make_the_same_site(tmp_path, monkeypatch):
    monkeypatch.setattr(mkdocs_northstar.host.plugin, "available_cores", lambda: 2)
    rendered_by = tmp_path / "rendered-by"  # each page's renderer notes its process here, the child's too
    renderers = mkdocs_northstar.host.plugin.page_renderers

    def noting(analysis, options):
        def note(render):
            def noted():
                with open(rendered_by, "a") as notes:
                    notes.write(f"{os.getpid()}\n")
                return render()
            return noted
        return {uri: note(render) for uri, render in renderers(analysis, options).items()}

    held, take = [], Stream.take

    def taking(stream, key):
        result = take(stream, key)
        held.append(stream.held)
        return result

    monkeypatch.setattr(mkdocs_northstar.host.plugin, "page_renderers", noting)
    monkeypatch.setattr(Stream, "take", taking)
    forked = build_here(make_site(tmp_path / "forked", _rich_plans(), config=RICH_YML))
    processes = rendered_by.read_text().split()
    assert len(processes) > 15 and str(os.getpid()) not in processes  # all rendered in the child
    assert len(held) > 15 and max(held) == 0  # in the order MkDocs read them: none waited in memory
    monkeypatch.setattr(mkdocs_northstar.host.plugin, "available_cores", lambda: 1)
    here = build_here(make_site(tmp_path / "here", _rich_plans(), config=RICH_YML))
    assert set(forked) == set(here) and [name for name in here if forked[name] != here[name]] == []


def test_a_rendering_child_that_fails_costs_a_second_reading_of_the_plans_not_a_page(tmp_path, monkeypatch):
    monkeypatch.setattr(mkdocs_northstar.host.plugin, "available_cores", lambda: 2)
    parent, dumps = os.getpid(), mkdocs_northstar.forked.pickle.dumps

    def dumps_here_only(*args, **kwargs):
        if os.getpid() != parent:
            raise MemoryError("the child's bad day")
        return dumps(*args, **kwargs)

    monkeypatch.setattr(mkdocs_northstar.forked.pickle, "dumps", dumps_here_only)
    analysed = []
    monkeypatch.setattr(mkdocs_northstar.host.plugin, "analyse", _counting(mkdocs_northstar.host.plugin.analyse, analysed))
    failed = build_here(make_site(tmp_path / "failed", _rich_plans(), config=RICH_YML))
    assert len(analysed) == 2  # the build's reading, and the one the parent needed to render
    monkeypatch.setattr(mkdocs_northstar.host.plugin, "available_cores", lambda: 1)
    here = build_here(make_site(tmp_path / "here", _rich_plans(), config=RICH_YML))
    assert set(failed) == set(here) and [name for name in here if failed[name] != here[name]] == []


def _counting(function, calls: list):
    def counted(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)
    return counted


def test_only_extensions_known_to_reset_share_a_converter():
    assert shares_a_converter(["toc", "tables", "fenced_code", "markdown.extensions.footnotes", "pymdownx.tabbed"])
    assert not shares_a_converter(["toc", "material.extensions.preview"])
    assert not shares_a_converter(["toc", "some_company.markdown_extension"])


def test_a_rendered_page_renders_when_read_and_becomes_plain_once_set(tmp_path):
    config = load_config(str(make_site(tmp_path) / "mkdocs.yml"))
    config.plugins._current_plugin = "northstar"  # as while a plugin's on_files runs
    calls = []
    file = RenderedPage.generated(config, "strategy/x.md", content="")
    file.render = lambda: calls.append(1) or "# X\n"
    assert file.content_string == "# X\n" and file.content_bytes == b"# X\n" and len(calls) == 2
    file.content_string = "# Y\n"
    assert file.content_string == "# Y\n" and file.content_bytes == b"# Y\n" and len(calls) == 2


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")


def test_without_a_child_pages_render_in_runs_and_the_graph_goes_before_any_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(mkdocs_northstar.host.plugin, "available_cores", lambda: 1)
    graphs, renderers = [], mkdocs_northstar.host.plugin.page_renderers

    def keeping(analysis, options):
        graphs.append(weakref.ref(analysis.strategy))
        return renderers(analysis, options)

    held, take = [], Stream.take

    def taking(stream, key):
        result = take(stream, key)
        held.append(stream.held)
        return result

    class Writer(BasePlugin):
        """Another plugin, there when the first page is written."""

        alive: list[bool] = []

        def on_post_page(self, output, *, page, config):
            if not self.alive:
                gc.collect()
                self.alive.append(graphs[0]() is not None)
            return output

    monkeypatch.setattr(mkdocs_northstar.host.plugin, "page_renderers", keeping)
    monkeypatch.setattr(Stream, "take", taking)
    writer = Writer()
    build_here(make_site(tmp_path / "site", _rich_plans(), config=RICH_YML), writer=writer)
    assert writer.alive == [False]  # the renderers and the graph went at on_env
    # Rendered a run at a time, in the order MkDocs read them: those ahead waited, never
    # more than a run.
    assert len(held) > 15 and 0 < max(held) < mkdocs_northstar.host.plugin.RENDER_AHEAD
