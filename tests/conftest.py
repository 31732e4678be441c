"""Shared helpers: write small strategies to disk, analyse them, build them with
MkDocs and run the `northstar` command as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mkdocs_northstar.analysis import Analysis, analyse
from mkdocs_northstar.settings import read_settings

BIN = Path(sys.executable).parent
# The day outcomes are judged on in every test (SOURCE_DATE_EPOCH, as a reproducible build
# sets it): 2025-03-01, while the periods of CLEAN_PLANS are under way, so that no plan of
# theirs is overdue on the day the tests happen to run.
# Set for the whole session, so that fixtures built once per module see it too.
AS_OF_EPOCH = "1740787200"
os.environ["SOURCE_DATE_EPOCH"] = AS_OF_EPOCH
MKDOCS = str(BIN / "mkdocs")
NORTHSTAR = str(BIN / "northstar")

# A small strategy that every rule finds clean: two objectives (one rolling up to the
# other), two themes with narratives, three plans in two teams, a dependency, an
# image beside a plan and a relative link from one plan body to another.
CLEAN_PLANS = {
    "plans/objectives/find-fast.md": """\
        ---
        title: Find products fast
        metric: median time to find a product
        baseline: 40
        target: 20
        current: 30
        unit: s
        period: 2025
        owner: Ada
        ---
        Shoppers leave when search is slow.
        """,
    "plans/objectives/retain.md": """\
        ---
        metric: monthly returning users
        baseline: 1000
        target: 1500
        period: 2025-H1
        parent: find-fast
        ---
        # Keep shoppers coming back
        """,
    "plans/themes/better-search.md": """\
        ---
        title: Better search
        objectives: [find-fast]
        ---
        Search is the front door of the shop.
        """,
    "plans/themes/loyalty.md": """\
        ---
        title: Loyalty
        objectives:
          - retain
        ---
        Returning shoppers buy twice as much.
        """,
    "plans/search/ranking.md": """\
        ---
        title: Ranking by relevance
        themes: [better-search]
        status: in-progress
        effort: 3
        tags: [search, ranking]
        links: [https://tracker.example/SEARCH-1]
        ---
        Rank results by what shoppers click. See [rewards](../growth/rewards.md#why) for the loyalty side.

        ![How ranking works](diagram.png)
        """,
    "plans/search/index-speed.md": """\
        ---
        title: Faster index
        themes: [better-search]
        depends_on: [ranking]
        status: done
        effort: 1
        ---
        Rebuild the index in minutes, not hours.
        """,
    "plans/growth/rewards.md": """\
        ---
        title: Rewards programme
        themes: [loyalty]
        effort: 2
        ---
        ## Why

        Points for every order.
        """,
}
# A 1x1 PNG: an asset that must be copied to the site next to the plan's page.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")

MKDOCS_YML = """\
site_name: Test strategy
theme:
  name: material
plugins:
  - search
  - northstar
"""


def host_tool(path: Path, how: str) -> str:
    """The script of a host that lives in a venv of its own (ProperDocs, Zensical): its path,
    or the test skips saying how to get it; under CI, where `make test` creates it, it fails."""
    if path.exists():
        return str(path)
    message = f"{path} is missing: {how}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write files below root; text is dedented so tests can indent it."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def make_site(root: Path, plans: dict[str, str | bytes] | None = None, config: str = MKDOCS_YML,
              docs: dict[str, str] | None = None) -> Path:
    """A complete MkDocs project: mkdocs.yml, docs/ and plans/."""
    write(root, {"mkdocs.yml": config, **(docs or {"docs/index.md": "# Home\n"})})
    (root / "plans").mkdir(exist_ok=True)
    write(root, plans if plans is not None else {**CLEAN_PLANS, "plans/search/diagram.png": PNG})
    return root


def analyse_site(root: Path) -> Analysis:
    return analyse(read_settings(root / "mkdocs.yml"))


def analyse_plans(root: Path, plans: dict[str, str | bytes], rules: dict | None = None) -> Analysis:
    """Analyse just these plan files with default settings (plus rule overrides)."""
    config = MKDOCS_YML
    if rules:
        config = config.replace("  - northstar\n", "  - northstar:\n      rules:\n" + "".join(
            f"        {rule}: {severity}\n" for rule, severity in rules.items()))
    make_site(root, plans, config=config)
    return analyse_site(root)


def run(command: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONWARNINGS": "ignore", "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=120, **kwargs)


def mkdocs_build(root: Path, *extra: str) -> subprocess.CompletedProcess:
    return run([MKDOCS, "build", "--site-dir", str(root / "site"), *extra], cwd=root)


def northstar(root: Path, *args: str) -> subprocess.CompletedProcess:
    return run([NORTHSTAR, *args], cwd=root)


def tree(root: Path) -> dict[str, bytes]:
    """Every file below root with its content, to prove nothing was written there."""
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def build_here(root: Path, **plugins) -> dict[str, bytes]:
    """`mkdocs build` of the site at root in this process, so that a test can patch the
    plugin, with other plugins added under the names given; the built site's files."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    cwd = os.getcwd()
    os.chdir(root)  # the plugin finds plans_dir beside mkdocs.yml; MkDocs logs paths from here
    try:
        config = load_config(str(root / "mkdocs.yml"))
        for name, plugin in plugins.items():
            config.plugins[name] = plugin
        build(config)
    finally:
        os.chdir(cwd)
    return tree(root / "site")


def on_a_terminal(root: Path, args: list[str], answers: list[str] = (), env: dict | None = None) -> tuple[int, str]:
    """Run `northstar ARGS` on a pseudo-terminal (its stdin, stdout and stderr), typing each
    answer after the prompt before it; the exit code and everything the terminal showed."""
    import pty
    import time

    env = {**os.environ, "PYTHONWARNINGS": "ignore", **(env if env is not None else {"NO_COLOR": "1"})}
    pid, fd = pty.fork()
    if pid == 0:  # the child
        os.chdir(root)
        os.execve(NORTHSTAR, [NORTHSTAR, *args], env)
    seen, pending, deadline = b"", list(answers), time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
        if pending and seen.rstrip().endswith(b":"):
            os.write(fd, pending.pop(0).encode() + b"\n")
            seen += b"\n"
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace").replace("\r\n", "\n")


@pytest.fixture
def clean_site(tmp_path: Path) -> Path:
    return make_site(tmp_path)
