"""The stylesheet in a real browser (chromium, as tests/test_browser.py drives it), on a
strategy big enough to fold its map: status colours, tracks on the dark scheme, figures
kept on one line, no sideways scrolling at 390 px, no holes in card grids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import MKDOCS_YML, make_site, mkdocs_build
from test_browser import browser, sync_playwright  # noqa: F401 (fixtures)

STATUSES = ("proposed", "planned", "in-progress", "done", "dropped")
OBJECTIVE = """\
---
title: Objective {n}
metric: share of carts paid
baseline: 1.8
target: 0.5
current: 1.1
unit: " %"
period: 2026-H1
---
"""
# Material picks the scheme from the browser's preference, as the example does.
CONFIG = MKDOCS_YML.replace("  name: material\n", """  name: material
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
""")
PLAN = """\
---
title: Plan {n} with a title
themes: [all]
objectives: [o1]
status: {status}
period: 2026-Q{quarter}
---
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Three objectives (an odd number of cards) and 70 plans (past a map's limit: folded)."""
    plans = {f"plans/objectives/o{n}.md": OBJECTIVE.format(n=n) for n in (1, 2, 3)}
    plans["plans/themes/all.md"] = "---\ntitle: All\nobjectives: [o1, o2, o3]\n---\nWhy.\n"
    for n in range(70):
        plans[f"plans/team-{n % 3}/p{n}.md"] = PLAN.format(n=n, status=STATUSES[n % 5], quarter=n % 2 + 1)
    root = make_site(tmp_path_factory.mktemp("styles"), plans, config=CONFIG)
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    return root / "site"


def _page(browser, site: Path, page: str, width: int = 1280, scheme: str = "light"):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    tab = context.new_page()
    tab.goto((site / page / "index.html").as_uri())
    return context, tab


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(part) for part in re.findall(r"[\d.]+", css)[:3])


def _contrast(one: str, other: str) -> float:
    def luminance(colour):
        channels = [c / 255 for c in _rgb(colour)]
        channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


_STYLE = "([selector, property]) => getComputedStyle(document.querySelector(selector))[property]"
_BACKGROUND = "() => getComputedStyle(document.querySelector('.md-main')).backgroundColor === 'rgba(0, 0, 0, 0)' " \
              "? getComputedStyle(document.body).backgroundColor : getComputedStyle(document.querySelector('.md-main')).backgroundColor"


def test_a_folded_map_shows_its_status_strip_in_status_colours(browser, site):  # noqa: F811
    context, tab = _page(browser, site, "strategy")
    shares = tab.eval_on_selector_all(".northstar-map__share", "nodes => nodes.map(node => [node.getAttribute('class'), "
                                      "getComputedStyle(node).fill])")
    assert len(shares) == 5, "the map did not fold"
    badge = tab.evaluate("() => { const b = document.createElement('span'); b.className = 'northstar-status "
                         "northstar-status--done'; document.body.append(b); return getComputedStyle(b).backgroundColor }")
    fills = {cls.split("--")[-1]: fill for cls, fill in shares}
    assert fills["done"] == badge
    assert len(set(fills.values())) == 5  # not white, and no two alike
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_progress_tracks_and_status_colours_stand_out_on_both_schemes(scheme, browser, site):  # noqa: F811
    context, tab = _page(browser, site, "strategy", scheme=scheme)
    assert tab.evaluate("document.body.dataset.mdColorScheme") == ("slate" if scheme == "dark" else "default")
    page = tab.evaluate(_BACKGROUND)
    track = tab.evaluate(_STYLE, [".northstar-measure__track", "backgroundColor"])
    edge = tab.evaluate(_STYLE, [".northstar-measure__track", "boxShadow"])
    edge_colour = re.match(r"rgba?\([^)]*\)", edge).group(0) if edge != "none" else track
    assert max(_contrast(track, page), _contrast(edge_colour, page)) >= 3, (track, edge, page)
    colours = {}
    for status in ("proposed", "dropped"):
        colours[status] = tab.evaluate(
            f"() => {{ const b = document.createElement('span'); b.className = 'northstar-status northstar-status--{status}';"
            " document.querySelector('.md-content').append(b); return getComputedStyle(b).backgroundColor }")
        assert _contrast(colours[status], page) >= 3, (status, colours[status], page)
    assert colours["proposed"] != colours["dropped"]
    context.close()


def test_figures_stay_on_one_line_and_no_page_scrolls_sideways_on_a_phone(browser, site):  # noqa: F811
    for page in ("strategy", "strategy/objectives/o1", "strategy/themes/all", "strategy/plans/p1",
                 "strategy/teams/team-1", "strategy/coverage", "strategy/roadmap", "strategy/narrative"):
        context, tab = _page(browser, site, page, width=390)
        assert tab.evaluate("document.scrollingElement.scrollWidth") <= 390, page
        lines = tab.eval_on_selector_all(".northstar-measure__scale > span, .northstar-measure__label",
                                         "nodes => nodes.map(node => [node.textContent, node.getClientRects().length])")
        assert all(count == 1 for _, count in lines), (page, lines)
        context.close()
    context, tab = _page(browser, site, "strategy/roadmap", width=390)
    box = tab.evaluate("() => { const wrap = document.querySelector('table').closest('.md-typeset__scrollwrap');"
                       " const s = getComputedStyle(wrap); return [s.overflowX, s.backgroundImage] }")
    assert box[0] == "auto" and "gradient" in box[1]  # scrolls in its own box, with an edge shadow
    context.close()


def test_an_odd_number_of_cards_leaves_no_hole(browser, site):  # noqa: F811
    context, tab = _page(browser, site, "strategy", width=1280)
    grid, cards = tab.evaluate("() => { const g = document.querySelector('.northstar-objectives');"
                               " return [g.getBoundingClientRect().right, [...g.querySelectorAll(':scope > ul > li')]"
                               ".map(li => li.getBoundingClientRect().right)] }")
    assert len(cards) == 3
    assert abs(cards[-1] - grid) <= 1  # the last card reaches the grid's right edge
    context.close()
