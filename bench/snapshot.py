"""Snapshot what Northstar produces, to prove a refactoring changes nothing.

    python bench/snapshot.py take OUT        # the example and a 1,000-plan strategy
    python bench/snapshot.py compare A B     # exit 1 and list the files that differ

`take` writes, for the repository's own site and for the benchmark's 1,000-plan
strategy, the Markdown of every generated page (`northstar generate`) and the whole
built site (`mkdocs build`). Run it before and after a change, with the same
interpreter, and compare: the outputs must be byte-identical. The build date is
pinned with SOURCE_DATE_EPOCH so that sitemaps compare too.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
PLANS = 1000


def _run(*command: str, cwd: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "NO_COLOR": "1"}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # 1: the strategy has errors, which the pages show
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def _snapshot(project: Path, out: Path) -> None:
    _run(str(BIN / "northstar"), "generate", "--out", str(out / "markdown"), cwd=project)
    _run(str(BIN / "mkdocs"), "build", "--quiet", "--site-dir", str(out / "html"), cwd=project)


def take(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as scratch:
        example = Path(scratch) / "example"
        # A copy, so that nothing is written into the working tree (the cache folder).
        shutil.copytree(REPO, example, ignore=shutil.ignore_patterns(
            ".git", ".venv*", "site", ".northstar-cache", "__pycache__", "*.egg-info"))
        _snapshot(example, out / "example")
        large = Path(scratch) / "large"
        _run(sys.executable, str(HERE / "generate.py"), str(large), str(PLANS), cwd=REPO)
        _snapshot(large / "northstar", out / f"plans-{PLANS}")


def _differences(left: Path, right: Path, where: str = "") -> list[str]:
    found = []
    compared = filecmp.dircmp(left, right)
    found += [f"only in {left}: {where}{name}" for name in compared.left_only]
    found += [f"only in {right}: {where}{name}" for name in compared.right_only]
    _, mismatch, errors = filecmp.cmpfiles(left, right, compared.common_files, shallow=False)
    found += [f"differs: {where}{name}" for name in mismatch + errors]
    for name in compared.common_dirs:
        found += _differences(left / name, right / name, f"{where}{name}/")
    return found


def compare(left: Path, right: Path) -> int:
    found = _differences(left, right)
    for line in found:
        print(line)
    print(f"{len(found)} difference{'s' if len(found) != 1 else ''}")
    return 1 if found else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "take":
        take(Path(sys.argv[2]).resolve())
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)
