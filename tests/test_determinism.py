"""The same plans always give the same site, export and generated pages, byte for
byte, whatever the folder, the order files were created in or Python's hash seed;
and building or checking writes nothing into plans/ or docs/."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import MKDOCS, NORTHSTAR, run, tree

REPO = Path(__file__).resolve().parent.parent
# The sitemap carries the build date; nothing else may differ.
_SITEMAP_DATE = re.compile(rb"<lastmod>[^<]*</lastmod>")


# What the example site is made of: its config and every folder the config reads.
EXAMPLE_FOLDERS = ("plans", "docs", "overrides")


def copy_example(destination: Path, reverse: bool = False) -> Path:
    """A copy of the example, its files created in path order or in reverse."""
    files = sorted(path for name in EXAMPLE_FOLDERS if (REPO / name).is_dir()
                   for path in (REPO / name).rglob("*") if path.is_file())
    for source in reversed(files) if reverse else files:
        target = destination / source.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    shutil.copyfile(REPO / "mkdocs.yml", destination / "mkdocs.yml")
    return destination


def _seeded(command: list[str], cwd: Path, seed: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1", "PYTHONWARNINGS": "ignore"}
    return subprocess.run(command, cwd=cwd, capture_output=True, env=env, timeout=300)


def _site_files(site: Path) -> dict[str, bytes]:
    files = tree(site)
    for name in ("sitemap.xml", "sitemap.xml.gz"):
        if name in files:
            content = gzip.decompress(files[name]) if name.endswith(".gz") else files[name]
            files[name] = _SITEMAP_DATE.sub(b"<lastmod/>", content)
    return files


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    builds = []
    for seed, reverse in (("1", False), ("2", True)):
        root = copy_example(tmp_path_factory.mktemp(f"seed{seed}"), reverse=reverse)
        before = tree(root)
        result = _seeded([MKDOCS, "build", "--strict", "--site-dir", "site"], root, seed)
        assert result.returncode == 0, result.stderr.decode()
        builds.append((root, before))
    return builds


def test_two_builds_are_byte_identical(two_builds):
    (first, _), (second, _) = two_builds
    first_files, second_files = _site_files(first / "site"), _site_files(second / "site")
    assert sorted(first_files) == sorted(second_files)
    different = [name for name in first_files if first_files[name] != second_files[name]]
    assert different == []
    assert any(name.startswith("strategy/") for name in first_files)


def test_a_build_writes_nothing_into_plans_or_docs(two_builds):
    for root, before in two_builds:
        after = tree(root)
        for name in before:
            assert after.get(name) == before[name], name
        created = [name for name in after if name not in before and name.startswith(("plans/", "docs/"))]
        assert created == []


@pytest.mark.parametrize("command", [["export", "--format", "json"], ["check", "--format", "json"],
                                     ["check", "--format", "sarif"], ["schema"]])
def test_command_output_is_stable(tmp_path, command):
    outputs = []
    for seed, reverse in (("1", False), ("2", True)):
        root = copy_example(tmp_path / seed, reverse=reverse)
        before = tree(root)
        result = _seeded([NORTHSTAR, *command], root, seed)
        assert result.returncode in (0, 1), result.stderr.decode()
        assert {name: content for name, content in tree(root).items() if name.startswith(("plans/", "docs/"))} == {
            name: content for name, content in before.items() if name.startswith(("plans/", "docs/"))}
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0]


def test_generate_writes_the_same_files_twice(tmp_path):
    outputs = []
    for seed, reverse in (("1", False), ("2", True)):
        root = copy_example(tmp_path / seed, reverse=reverse)
        result = _seeded([NORTHSTAR, "generate", "--out", str(tmp_path / f"out{seed}")], root, seed)
        assert result.returncode == 0, result.stderr.decode()
        outputs.append(tree(tmp_path / f"out{seed}"))
    assert outputs[0] == outputs[1] and len(outputs[0]) > 20


def test_diagnostics_come_in_file_line_rule_order(tmp_path):
    plans = {"plans/b/z.md": "---\ntitle: Z\n---\n", "plans/a/y.md": "---\ntitle: Y\nthemes: [nope]\nfoo: 1\n---\n",
             "plans/a/x.md": "not front matter\n"}
    for name, content in plans.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nplugins: [northstar]\n")
    result = run([NORTHSTAR, "check"], cwd=tmp_path)
    lines = [line for line in result.stdout.splitlines() if line.startswith("plans/")]
    keys = [(line.split(":")[0], int(line.split(":")[1]), line.split("[")[1].split("]")[0]) for line in lines]
    assert keys == sorted(keys) and len(keys) >= 4
