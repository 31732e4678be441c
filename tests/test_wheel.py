"""The wheel as a user installs it: built from this source tree, installed into a new
venv, and used from there to build a site and check plans.

Offline and fast: the new venv sees the third-party packages of the venv running the
tests (through a .pth file and a folder of links that leaves out this project's own
editable install), and pip installs only the wheel, with --no-deps. Every command
runs from a temporary folder without PYTHONPATH, so the source tree cannot stand in
for the installed package."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest

from conftest import make_site

REPO = Path(__file__).resolve().parent.parent
BUDGET = 30  # seconds for the whole module: building, installing and using the wheel
_CLOCK: dict[str, float] = {}


def _run(command: list, cwd: Path, timeout: float = 20) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(NO_COLOR="1", NO_MKDOCS_2_WARNING="1", PYTHONWARNINGS="ignore")
    return subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _offline_build() -> list[str]:
    """Build with this venv's setuptools where it can make wheels itself (70.1 on, as
    the lock installs); an older one gets an isolated build, which fetches setuptools."""
    try:
        version = tuple(int(part) for part in importlib.metadata.version("setuptools").split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return []
    return ["--no-build-isolation"] if version >= (70, 1) else []


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built once from a copy of the files a build reads (no build/ or
    *.egg-info left in the source tree)."""
    _CLOCK["started"] = time.monotonic()
    work = tmp_path_factory.mktemp("wheel-build")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "plugin", source / "plugin",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
    built = _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", *_offline_build(),
                  "--wheel-dir", work / "dist", source], cwd=work, timeout=60)
    assert built.returncode == 0, built.stderr[-3000:]
    (found,) = (work / "dist").glob("mkdocs_northstar-*.whl")
    return found


def _third_party_view(folder: Path) -> Path:
    """Links to every package of the running venv but this project's own (its editable
    finder, .pth file and metadata); .pth files are left out, so none is processed."""
    folder.mkdir()
    seen: set[str] = set()
    for place in dict.fromkeys((sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"])):
        for entry in Path(place).iterdir():
            name = entry.name.lower()
            if (name.startswith(("mkdocs_northstar", "__editable__", "mkdocs-northstar")) or name.endswith(".pth")
                    or name in seen or name == "__pycache__"):
                continue
            seen.add(name)
            (folder / entry.name).symlink_to(entry)
    return folder


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("wheel-venv")
    venv = root / "venv"
    created = _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=root)
    assert created.returncode == 0, created.stderr
    site_packages = Path(_run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              cwd=root).stdout.strip())
    view = _third_party_view(root / "third-party")
    (site_packages / "third_party.pth").write_text(f"{view}\n")
    installed = _run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet",
                      "--no-deps", "--no-index", wheel], cwd=root, timeout=60)
    assert installed.returncode == 0, installed.stderr[-3000:]
    return venv


def test_wheel_holds_templates_stylesheet_and_both_entry_points(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points,) = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
        entry_text = archive.read(entry_points).decode()
    templates = sorted(path.name for path in (REPO / "plugin/mkdocs_northstar/render/templates").glob("*.j2"))
    assert templates and all(f"mkdocs_northstar/render/templates/{name}" in names for name in templates)
    assert "mkdocs_northstar/assets/northstar.css" in names
    package = REPO / "plugin/mkdocs_northstar"
    modules = sorted(path.relative_to(package).as_posix() for path in package.rglob("*.py"))
    assert "render/pages.py" in modules and "diff/compare.py" in modules
    assert all(f"mkdocs_northstar/{name}" in names for name in modules), sorted(names)
    assert not any(name.startswith(("tests/", "plans/", "docs/", "bench/")) for name in names), sorted(names)
    for group in ("[mkdocs.plugins]", "[properdocs.plugins]"):
        section = entry_text.split(group, 1)[1].split("[", 1)[0]
        assert "northstar = mkdocs_northstar.host.plugin:NorthstarPlugin" in section, entry_text
    assert "northstar = mkdocs_northstar.cli:run" in entry_text.split("[console_scripts]", 1)[1]


def test_installed_wheel_is_what_runs(venv, tmp_path):
    probe = ("import importlib.metadata as m, json, mkdocs_northstar, mkdocs_northstar.host.plugin; "
             "print(json.dumps({'file': mkdocs_northstar.__file__, "
             "'groups': {g: [e.value for e in m.entry_points(group=g) if e.name == 'northstar'] "
             "for g in ('mkdocs.plugins', 'properdocs.plugins')}, "
             "'dists': sorted(str(d.locate_file('')) for d in m.distributions() if d.metadata['Name'] == 'mkdocs-northstar')}))")
    result = _run([venv / "bin" / "python", "-c", probe], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert Path(found["file"]).resolve().is_relative_to(venv.resolve()), found["file"]
    assert not Path(found["file"]).resolve().is_relative_to(REPO)
    assert found["groups"] == {"mkdocs.plugins": ["mkdocs_northstar.host.plugin:NorthstarPlugin"],
                               "properdocs.plugins": ["mkdocs_northstar.host.plugin:NorthstarPlugin"]}
    assert len(found["dists"]) == 1 and Path(found["dists"][0]).resolve().is_relative_to(venv.resolve()), found


def test_installed_wheel_builds_a_site_and_checks_plans(venv, tmp_path):
    site = make_site(tmp_path / "project")
    checked = _run([venv / "bin" / "northstar", "check"], cwd=site)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = _run([venv / "bin" / "python", "-m", "mkdocs", "build", "--strict", "--site-dir", site / "site"], cwd=site)
    assert built.returncode == 0, built.stderr[-3000:]
    assert (site / "site/strategy/coverage/index.html").is_file()
    assert (site / "site/assets/northstar/northstar.css").read_bytes() == \
        (REPO / "plugin/mkdocs_northstar/assets/northstar.css").read_bytes()
    # The broken plan fails both, from the installed package as from the source tree.
    (site / "plans/search/unlinked.md").write_text("---\ntitle: Unlinked\n---\n")
    assert _run([venv / "bin" / "northstar", "check"], cwd=site).returncode == 1
    assert _run([venv / "bin" / "python", "-m", "mkdocs", "build", "--site-dir", site / "site"], cwd=site).returncode == 1


def test_within_budget(venv):
    """Runs last in this module: the wheel's round trip stays cheap enough for every run."""
    assert time.monotonic() - _CLOCK["started"] < BUDGET
