"""Both hosts: the example strategy builds under MkDocs 1.6 and under ProperDocs 1.6,
into the same pages, and both fail the same way on a broken plan.

ProperDocs lives in its own environment, `.venv-properdocs`, which `make test` sets
up. Without it the ProperDocs tests are skipped locally; in CI (`CI` set, as
`.ci/run` does) they fail instead, so that a host can never go untested there.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import MKDOCS, host_tool, run
from test_determinism import copy_example

REPO = Path(__file__).resolve().parent.parent
PROPERDOCS = REPO / ".venv-properdocs" / "bin" / "properdocs"
# What may differ between the hosts' pages: the generator named in <meta>, and the
# build date in the sitemap.
_GENERATOR = re.compile(r'<meta name="generator" content="[^"]*">')


def _properdocs() -> str:
    return host_tool(PROPERDOCS, "`make test` creates it")


def _build(host: str, root: Path, *extra: str) -> subprocess.CompletedProcess:
    return run([host, "build", "-f", "mkdocs.yml", "--site-dir", str(root / "site"), *extra], cwd=root)


def _pages(site: Path) -> dict[str, str]:
    return {str(path.relative_to(site)): _GENERATOR.sub("", path.read_text(encoding="utf-8"))
            for path in sorted(site.rglob("*.html"))}


def _version(host: str) -> str:
    result = subprocess.run([host, "--version"], capture_output=True, text=True, check=True)
    return re.search(r"version (\d+\.\d+)\.", result.stdout).group(1)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    properdocs = _properdocs()
    sites = {}
    for name, host in (("mkdocs", MKDOCS), ("properdocs", properdocs)):
        root = copy_example(tmp_path_factory.mktemp(name))
        result = _build(host, root, "--strict")
        assert result.returncode == 0, f"{name}:\n{result.stderr}"
        assert "Traceback" not in result.stderr
        sites[name] = root / "site"
    return sites


def test_supported_versions_are_the_ones_tested():
    assert _version(MKDOCS) == "1.6"
    assert _version(_properdocs()) == "1.6"


def test_example_builds_strictly_under_both_hosts_into_the_same_pages(built):
    mkdocs_pages, properdocs_pages = _pages(built["mkdocs"]), _pages(built["properdocs"])
    assert sorted(mkdocs_pages) == sorted(properdocs_pages)
    strategy = [page for page in mkdocs_pages if page.startswith("strategy/")]
    assert len(strategy) > 20
    for page in strategy:
        assert mkdocs_pages[page] == properdocs_pages[page], page


def test_properdocs_fails_on_a_broken_plan_listing_it(tmp_path):
    root = copy_example(tmp_path)
    (root / "plans" / "orphan.md").write_text("---\ntitle: Orphan\n---\n", encoding="utf-8")
    result = _build(_properdocs(), root)
    assert result.returncode == 1
    assert "plans/orphan.md:1: error: [unlinked-plan]" in result.stderr
    assert "Traceback" not in result.stderr


def test_properdocs_strict_fails_on_a_warning(tmp_path):
    root = copy_example(tmp_path)
    (root / "plans" / "objectives" / "lonely.md").write_text(
        "---\ntitle: Lonely\nmetric: m\nbaseline: 1\ntarget: 2\nperiod: 2026\n---\n", encoding="utf-8")
    result = _build(_properdocs(), root, "--strict")
    assert result.returncode == 1
    assert "[uncovered-objective]" in result.stderr
