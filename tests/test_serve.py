"""Live preview: a real `mkdocs serve --livereload` follows edits to the plans, and an
error while serving shows on the problems page (and in the log) instead of stopping it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import CLEAN_PLANS, MKDOCS, make_site

# Generous for a loaded CI machine; the times measured are printed (pytest -s) and
# are a second or two on an idle one.
PATIENCE = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout):
        return 0, ""


class Server:
    def __init__(self, root: Path):
        self.root = root
        self.base = f"http://127.0.0.1:{free_port()}"
        self.log_path = root / "serve.log"
        self.log_file = self.log_path.open("w")
        env = {**os.environ, "NO_COLOR": "1", "PYTHONWARNINGS": "ignore"}
        self.process = subprocess.Popen(
            [MKDOCS, "serve", "--livereload", "--dev-addr", self.base.removeprefix("http://")],
            cwd=root, stdout=self.log_file, stderr=subprocess.STDOUT, env=env)

    def wait_for(self, path: str, condition, what: str) -> tuple[str, float]:
        """Poll a page until condition(status, html) holds; return the html and the seconds it took."""
        start = time.monotonic()
        while time.monotonic() - start < PATIENCE:
            assert self.process.poll() is None, f"mkdocs serve stopped:\n{self.log()}"
            status, html = fetch(self.base + path)
            if condition(status, html):
                return html, time.monotonic() - start
            time.sleep(0.2)
        pytest.fail(f"{what}: not seen on {path} within {PATIENCE}s\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()


@pytest.fixture
def server(clean_site):
    running = Server(clean_site)
    yield running
    running.stop()


def shows(text: str):
    return lambda status, html: status == 200 and text in html


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_edits_to_plans_show_without_a_restart(server):
    root = server.root
    server.wait_for("/strategy/plans/ranking/", shows("Ranking by relevance"), "first build")

    edit(root / "plans/search/ranking.md", "title: Ranking by relevance", "title: Ranking by what shoppers want")
    _, seconds = server.wait_for("/strategy/plans/ranking/", shows("Ranking by what shoppers want"), "new title")
    print(f"changed title served after {seconds:.1f}s")
    # The theme's page lists it under the new title too: the graph was rebuilt, not just the page.
    server.wait_for("/strategy/themes/better-search/", shows("Ranking by what shoppers want"), "title on theme")

    (root / "plans/growth/referrals.md").write_text(
        "---\ntitle: Referral codes\nthemes: [loyalty]\n---\nFriends bring friends.\n", encoding="utf-8")
    _, seconds = server.wait_for("/strategy/plans/referrals/", shows("Friends bring friends."), "added plan")
    print(f"added plan served after {seconds:.1f}s")
    server.wait_for("/strategy/themes/loyalty/", shows("Referral codes"), "added plan on its theme")

    (root / "plans/growth/rewards.md").unlink()
    server.wait_for("/strategy/themes/loyalty/", lambda status, html: status == 200 and "Rewards programme" not in html,
                    "deleted plan gone from its theme")
    server.wait_for("/strategy/plans/rewards/", lambda status, html: status == 404, "deleted plan's page gone")


def test_an_error_while_serving_shows_on_the_problems_page(server):
    root = server.root
    server.wait_for("/strategy/", shows("Strategy"), "first build")
    status, html = fetch(server.base + "/strategy/problems/")
    assert status == 200 and "No problems" in html

    edit(root / "plans/search/ranking.md", "themes: [better-search]", "themse: [better-search]")
    html, seconds = server.wait_for("/strategy/problems/", shows("themse"), "the error on the problems page")
    print(f"error listed after {seconds:.1f}s")
    assert "plans/search/ranking.md" in html and "unknown key" in html and "did you mean" in html
    assert re.search(r"ranking\.md</td>\s*<td[^>]*>3</td>", html)  # the line of the bad key
    assert "unlinked-plan" in html
    # The overview says so and links to the page; the rest of the site is still served.
    overview = server.wait_for("/strategy/", shows("problems/"), "overview linking the problems page")[0]
    assert "errors and" in overview
    assert fetch(server.base + "/strategy/plans/index-speed/")[0] == 200
    log = server.log()
    assert "plans/search/ranking.md:3: error: [schema] unknown key 'themse'" in log
    assert "listed on strategy/problems/" in log

    edit(root / "plans/search/ranking.md", "themse: [better-search]", "themes: [better-search]")
    server.wait_for("/strategy/problems/", shows("No problems"), "the error fixed")


def test_a_plans_folder_that_disappears_is_shown_not_fatal(server):
    root = server.root
    server.wait_for("/strategy/", shows("Strategy"), "first build")
    shutil.move(root / "plans", root / "plans-moved")
    # The watch on plans/ goes with the folder; the next change anywhere rebuilds.
    (root / "docs/index.md").write_text("# Home again\n", encoding="utf-8")
    html, _ = server.wait_for("/strategy/problems/", shows("could not be read"), "missing plans folder")
    assert "is not a folder next to the config file" in html
    assert "could not be read" in fetch(server.base + "/strategy/")[1]
    assert "plans_dir 'plans' is not a folder" in server.log()

    shutil.move(root / "plans-moved", root / "plans")
    (root / "docs/index.md").write_text("# Home\n", encoding="utf-8")
    server.wait_for("/strategy/problems/", shows("No problems"), "plans folder back")


def test_build_still_fails_on_errors(tmp_path):
    # Only serving is lenient: `mkdocs build` still fails, the problems page is no excuse.
    plans = {**CLEAN_PLANS, "plans/search/stray.md": "---\ntitle: Stray\n---\n"}
    make_site(tmp_path, plans)
    result = subprocess.run([MKDOCS, "build"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "plans/search/stray.md:1: error: [unlinked-plan]" in result.stderr
