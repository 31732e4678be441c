"""Zensical publishes what `northstar generate` writes: the stylesheet is linked, the
maps keep their classes, the icons resolve; and `generate` says what mkdocs.yml lacks.

Zensical lives in its own environment, `.venv-zensical`, which `make test` sets up
(or name its `zensical` script in NORTHSTAR_ZENSICAL). Without it the build test is
skipped locally and fails in CI (`CI` set), like the ProperDocs tests.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from conftest import host_tool, make_site, northstar, run
from test_determinism import copy_example

REPO = Path(__file__).resolve().parent.parent
ZENSICAL = Path(os.environ.get("NORTHSTAR_ZENSICAL") or REPO / ".venv-zensical" / "bin" / "zensical")

COMPLETE_YML = """\
site_name: Strategy
theme:
  name: material
plugins:
  - northstar
markdown_extensions:
  - tables
  - toc
  - attr_list
  - md_in_html
  - admonition
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
extra_css:
  - strategy/northstar.css
"""


def zensical() -> str:
    """The zensical script (`.venv-zensical`, which `make test` creates, or NORTHSTAR_ZENSICAL)."""
    return host_tool(ZENSICAL, "`make test` creates it (or set NORTHSTAR_ZENSICAL)")


def test_generate_says_what_mkdocs_yml_lacks(tmp_path):
    bare = COMPLETE_YML.replace("  - attr_list\n  - md_in_html\n", "").replace(
        "extra_css:\n  - strategy/northstar.css\n", "")
    root = make_site(tmp_path, config=bare)
    result = northstar(root, "generate", "--out", "docs/strategy", "--into-docs")
    assert result.returncode == 0, result.stderr
    assert "extra_css:\n    - strategy/northstar.css" in result.stdout
    assert "markdown_extensions:\n    - attr_list\n    - md_in_html\n" in result.stdout
    assert (root / "docs/strategy/northstar.css").is_file()

    (root / "mkdocs.yml").write_text(COMPLETE_YML, encoding="utf-8")
    result = northstar(root, "generate", "--out", "docs/strategy", "--into-docs")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].endswith("removed in docs/strategy")  # nothing to add


def test_generated_pages_carry_material_icons_where_the_site_resolves_them(tmp_path):
    root = make_site(tmp_path / "icons", config=COMPLETE_YML)
    assert northstar(root, "generate", "--out", "docs/strategy", "--into-docs").returncode == 0
    assert ":material-" in (root / "docs/strategy/index.md").read_text(encoding="utf-8")
    # Without Material's icon index the shortcodes would show as text: none are written.
    plain = make_site(tmp_path / "plain", config=COMPLETE_YML.split("  - pymdownx.emoji")[0] + "extra_css:\n"
                      "  - strategy/northstar.css\n")
    assert northstar(plain, "generate", "--out", "docs/strategy", "--into-docs").returncode == 0
    assert ":material-" not in (plain / "docs/strategy/index.md").read_text(encoding="utf-8")


def test_the_example_builds_with_zensical_styled_as_under_mkdocs(tmp_path):
    zensical_script = zensical()
    root = copy_example(tmp_path)
    generated = northstar(root, "generate", "--out", "docs/strategy", "--into-docs")
    assert generated.returncode == 0, generated.stderr
    wanted = re.search(r"  extra_css:\n    - (\S+)", generated.stdout)
    assert wanted and wanted.group(1) == "strategy/northstar.css", generated.stdout
    with (root / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write(f"extra_css:\n  - {wanted.group(1)}\n")  # as the output says

    result = run([zensical_script, "build", "--clean"], cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    site = root / "site/strategy"
    stylesheet = (site / "northstar.css").read_text(encoding="utf-8")
    overview = (site / "index.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="./northstar.css">' in overview
    objective = (site / "objectives/time-to-find/index.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="../../northstar.css">' in objective

    # The maps keep their classes, and the stylesheet styles every one of them.
    svg = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="northstar-map__svg".*?</svg>', overview)
    assert svg, "no map on the overview"
    classes = {name for value in re.findall(r'class="([^"]+)"', svg.group(0)) for name in value.split()}
    assert {"northstar-map__node", "northstar-map__node--objective", "northstar-map__node--plan"} <= classes
    unstyled = {name for name in classes if f".{name}" not in stylesheet}
    assert not unstyled
    assert 'class="northstar-measure__fill"' in overview
    assert '<span class="twemoji">' in overview  # the icons resolved, as under MkDocs
    assert ":material-" not in overview
