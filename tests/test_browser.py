"""The example site in a real browser: headless Debian chromium driven by playwright,
the network cut off except 127.0.0.1, every outside request recorded.

Skipped as a whole, with one reason, where chromium or playwright is missing, except
under CI (env var CI set), where a missing browser is a failure: `.ci/run` installs it. Screenshots go to a
folder printed at the end; set NORTHSTAR_SCREENSHOTS_DIR=docs/img to refresh the
README's.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import NORTHSTAR, mkdocs_build
from mkdocs_northstar.render import maps
from mkdocs_northstar.analysis import analyse
from mkdocs_northstar.settings import read_settings

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("NORTHSTAR_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = {
    "overview": "strategy/",
    "objective": "strategy/objectives/time-to-find/",
    "coverage": "strategy/coverage/",
    "roadmap": "strategy/roadmap/",
}


# The absolute URL of each link (an SVG link's `href` property is not a string).
_RESOLVED_HREFS = "nodes => nodes.map(node => new URL(node.getAttribute('href'), document.baseURI).href)"


def _why_no_browser() -> str | None:
    if not Path(CHROMIUM).is_file():
        return (f"no chromium at {CHROMIUM} (Debian: apt-get install chromium; "
                "or point NORTHSTAR_CHROMIUM at one)")
    if importlib.util.find_spec("playwright") is None:
        return "python playwright is not installed (pip install -e '.[test]')"
    return None


NO_BROWSER = _why_no_browser()
if NO_BROWSER and not os.environ.get("CI"):
    pytest.skip(f"browser tests: {NO_BROWSER}", allow_module_level=True)


@pytest.fixture(scope="module")
def sync_playwright():
    if NO_BROWSER:  # only under CI, where the module is not skipped
        pytest.fail(f"{NO_BROWSER}; CI must run the browser tests (.ci/run installs chromium)")
    from playwright.sync_api import sync_playwright

    return sync_playwright


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The project's own example site, built as `make site` builds it."""
    out = tmp_path_factory.mktemp("example") / "site"
    result = mkdocs_build(REPO, "--strict", "--site-dir", str(out))
    assert result.returncode == 0, result.stderr
    return out


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output for the assertions
        pass


@pytest.fixture(scope="module")
def server(site):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("NORTHSTAR_SCREENSHOTS_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    print(f"\nbrowser screenshots: {folder}")


@pytest.fixture(scope="module")
def browser(sync_playwright):
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def outside() -> list[str]:
    """Every request the pages tried to make to anything but 127.0.0.1."""
    return []


def _context(browser, outside, **options):
    context = browser.new_context(**options)

    def guard(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:  # recorded, and blocked so that a failing test never waits on the network
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context


@pytest.fixture(scope="module")
def expected_labels() -> dict[str, list[str]]:
    """Node labels each map must show, from the example plans themselves."""
    strategy = analyse(read_settings(REPO / "mkdocs.yml")).strategy
    objective = strategy.by_id["time-to-find"]
    label = lambda node: maps.node_label(node.title)  # noqa: E731
    return {
        "overview": [label(node) for node in strategy.objectives + strategy.themes],
        "objective": [label(objective)] + [label(node) for node in objective.themes + objective.serving],
    }


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_offline(name, browser, server, outside, screenshots, expected_labels):
    context = _context(browser, outside, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(server + PAGES[name], wait_until="networkidle")
    assert response.status == 200
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)

    if name in expected_labels:
        svg = page.locator(".northstar-map svg")
        assert svg.count() == 1
        box = svg.bounding_box()
        assert box["width"] > 500 and box["height"] > 50, box  # drawn, not collapsed
        shown = svg.locator("text").all_text_contents()
        missing = [label for label in expected_labels[name] if label not in shown]
        assert not missing, (missing, shown)
        # Every node is a link to a page that exists.
        hrefs = svg.locator("a").evaluate_all(_RESOLVED_HREFS)
        assert len(hrefs) >= len(expected_labels[name])
        for href in set(hrefs):
            assert context.request.get(href).status == 200, href
    assert not errors
    context.close()
    assert not outside, f"requests to outside 127.0.0.1: {outside}"


def test_a_map_node_opens_its_page(browser, server, outside):
    context = _context(browser, outside)
    page = context.new_page()
    page.goto(server + PAGES["objective"])
    page.locator(".northstar-map a", has_text="Findability").first.click()
    page.wait_for_url("**/strategy/themes/findability/")
    assert page.title().startswith("Findability")
    context.close()
    assert not outside


def test_links_in_the_content_work(browser, server, outside):
    context = _context(browser, outside)
    page = context.new_page()
    for path in PAGES.values():
        page.goto(server + path)
        hrefs = page.locator("article a[href]").evaluate_all(_RESOLVED_HREFS)
        local = {href.split("#")[0] for href in hrefs if href.startswith(server)}
        for href in local:
            assert context.request.get(href).status == 200, (path, href)
    context.close()
    assert not outside


@pytest.mark.parametrize("scheme, width", [("dark", 1280), ("light", 390), ("dark", 390)])
def test_dark_scheme_and_phone_width(scheme, width, browser, server, outside, screenshots):
    context = _context(browser, outside, viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    for name in ("overview", "objective", "roadmap"):
        page.goto(server + PAGES[name], wait_until="networkidle")
        page.screenshot(path=str(screenshots / f"{name}-{scheme}-{width}.png"), full_page=True)
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == (
            "slate" if scheme == "dark" else "default")
        # Nothing but a map's own scroller may be wider than the screen.
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, (name, overflow)
        if name != "roadmap" and width < maps.MIN_WIDTH:  # a phone gets the map as a list
            assert not page.locator(".northstar-map svg").first.is_visible()
            assert page.locator(".northstar-map__tree").first.is_visible()
        elif name != "roadmap":
            svg = page.locator(".northstar-map svg").bounding_box()
            # Labels stay legible: the SVG is never drawn narrower than its minimum width.
            assert svg["width"] >= maps.MIN_WIDTH - 1, svg
    context.close()
    assert not outside


def test_screenshots_are_saved(browser, screenshots):
    saved = sorted(path.name for path in screenshots.glob("*.png"))
    assert {"overview.png", "objective.png", "coverage.png", "roadmap.png"} <= set(saved), saved



def test_key_result_charts_show_their_points_and_target(browser, server, outside, screenshots):
    """The example's objective page leads with its key results' charts (contract v1.1): the
    measurements' points and the target line are drawn, inside the screen, at desk and phone width."""
    for width in (1280, 390):
        context = _context(browser, outside, viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(server + PAGES["objective"], wait_until="networkidle")
        chart = page.locator(".northstar-chart").first
        chart.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"objective-charts-{width}.png"), full_page=True)
        points = chart.locator("circle.northstar-chart__point")
        assert points.count() == 23  # the weekly check-ins of plans/objectives/time-to-find.csv
        target = chart.locator(".northstar-chart__target line").bounding_box()
        box = chart.bounding_box()
        assert target and target["width"] > box["width"] / 2, (width, target, box)
        last = points.last.bounding_box()
        assert last and box["x"] <= last["x"] <= box["x"] + box["width"] <= width, (width, last, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
    assert not outside


# --- Every page type, phone and desktop, light and dark, on the example and at 500 plans ---

PAGE_TYPES = ("overview", "objective", "theme", "plan", "team", "coverage", "roadmap", "narrative", "problems")
LARGE_PLANS = 500
LARGE_YML = """\
site_name: Five hundred plans
theme:
  name: material
  font: false
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
plugins:
  - search
  - northstar
markdown_extensions: [admonition, attr_list, md_in_html, tables, pymdownx.details]
"""
# The objective page of a large strategy folds its plan lists: at most this tall at 1280 px.
MOST_OBJECTIVE_HEIGHT = 6000


def _page_paths(config: Path) -> dict[str, str]:
    """A page of each type, as served below the site's root."""
    strategy = analyse(read_settings(config)).strategy
    served = lambda page: "strategy/" + page[:-3] + "/"  # noqa: E731
    return {"overview": "strategy/", "coverage": "strategy/coverage/", "roadmap": "strategy/roadmap/",
            "narrative": "strategy/narrative/", "problems": "strategy/problems/",
            "objective": served(strategy.objectives[0].page), "theme": served(strategy.themes[0].page),
            "plan": served(strategy.plans[0].page), "team": served(next(iter(strategy.teams.values())).page)}


@pytest.fixture(scope="session")
def large_site(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A strategy of 500 plans from bench/generate.py, built once per session."""
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    root = tmp_path_factory.mktemp("large")
    generate(root, LARGE_PLANS)
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Home\n")
    (root / "mkdocs.yml").write_text(LARGE_YML)
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    return root / "site", _page_paths(root / "mkdocs.yml")


def _serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The example as `northstar generate` writes it, built by Zensical (which runs no MkDocs
    plugin), with the one line of mkdocs.yml that generate asks for."""
    import re
    import subprocess

    from test_determinism import copy_example
    from test_zensical import zensical

    script = zensical()
    root = copy_example(tmp_path_factory.mktemp("zensical"))
    generated = subprocess.run([NORTHSTAR, "generate", "--out", "docs/strategy", "--into-docs"], cwd=root,
                               capture_output=True, text=True)
    assert generated.returncode == 0, generated.stderr
    wanted = re.search(r"  extra_css:\n    - (\S+)", generated.stdout)
    assert wanted, generated.stdout
    with (root / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write(f"extra_css:\n  - {wanted.group(1)}\n")
    built = subprocess.run([script, "build", "--clean"], cwd=root, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    return root / "site", _page_paths(root / "mkdocs.yml")


@pytest.mark.parametrize("which", ["example", "large", "zensical"])
def test_no_page_scrolls_sideways_on_a_phone_or_a_desktop(which, request, browser, outside, screenshots):
    if which == "example":
        folder, paths = request.getfixturevalue("site"), _page_paths(REPO / "mkdocs.yml")
    else:
        folder, paths = request.getfixturevalue(f"{which}_site")
    assert set(paths) == set(PAGE_TYPES)
    httpd, root = _serve(folder)
    wide: list = []
    try:
        for width in (390, 1280):
            for scheme in ("light", "dark"):
                context = _context(browser, outside, viewport={"width": width, "height": 800}, color_scheme=scheme)
                # The search index (megabytes at 500 plans) changes no layout: not loaded, for time.
                context.route("**/search/search_index.json", lambda route: route.abort())
                page = context.new_page()
                for name in PAGE_TYPES:
                    assert page.goto(root + paths[name], wait_until="load").status == 200, name
                    page.screenshot(path=str(screenshots / f"{which}-{name}-{width}-{scheme}.png"),
                                    full_page=which == "example" and width == 1280 and scheme == "light")
                    size = page.evaluate("[document.scrollingElement.scrollWidth,"
                                         " document.scrollingElement.scrollHeight]")
                    if size[0] > width:
                        wide.append((name, width, scheme, size[0]))
                    if which == "large" and name == "objective" and width == 1280:
                        assert size[1] <= MOST_OBJECTIVE_HEIGHT, size
                context.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert not wide, f"pages wider than the screen: {wide}"
    assert not outside, f"requests to outside 127.0.0.1: {outside}"
