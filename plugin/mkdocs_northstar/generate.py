"""`northstar generate`: the generated pages as Markdown files, for any site generator.

The pages are exactly those the MkDocs plugin publishes (`render.render_pages`), with
their front matter, plus the files beside the plans their bodies link to and the
stylesheet. A manifest in the output folder lists what was written, so that a later
run removes the pages of deleted records and never touches a file it did not write.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import Analysis
from .render import RenderOptions, render_pages

MANIFEST = ".northstar-generated"
STYLESHEET = "northstar.css"
_PACKAGE_STYLESHEET = Path(__file__).parent / "assets" / "northstar.css"
_MANIFEST_HEADER = "# Files written by `northstar generate`; it removes them when they are no longer generated.\n"


class Refused(Exception):
    """The output folder is not one generate may write to (a usage problem: exit 2)."""


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)  # new or changed
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # generated before, gone from the plans since


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def check_target(analysis: Analysis, out: Path, plugin_builds_docs: bool) -> None:
    """Refuse an output folder that would mix generated pages with the sources."""
    settings = analysis.settings
    out = out.resolve()
    plans = settings.plans_root
    if _inside(out, plans) or _inside(plans, out):
        raise Refused(f"'{out}' holds or is inside the plans folder ({plans}); the pages would be read back "
                      "as plans. Choose a folder outside it.")
    docs = (settings.root / settings.docs_dir).resolve()
    if plugin_builds_docs and _inside(out, docs):
        raise Refused(f"'{out}' is inside docs_dir ({docs}) of a site that runs the northstar plugin, which "
                      "generates these pages on every build: the copies would clash with them. Write elsewhere, "
                      "or pass --into-docs if a generator that ignores the plugin (Zensical) publishes the site.")
    if out.exists() and not out.is_dir():
        raise Refused(f"'{out}' is a file, not a folder")
    if out.is_dir() and not (out / MANIFEST).is_file() and any(out.iterdir()):
        raise Refused(f"'{out}' is not empty and northstar did not write it (no {MANIFEST} in it); "
                      "choose a new or empty folder so no file of yours is overwritten")


FLAVORS = ("material", "plain")


def render_options(analysis: Analysis, flavor: str = "material", material_icons: bool = False) -> RenderOptions:
    """material: the pages as the plugin publishes them, for Material for MkDocs and
    Zensical (with Material's icons where the site resolves them: `site_setup.material_icons`).
    plain: Markdown any generator reads; links in raw HTML (the listings and
    maps) point at the `.html` file each page becomes, as no generator rewrites them."""
    if flavor == "plain":
        return RenderOptions(directory_urls=False, flavor="plain")
    return RenderOptions(directory_urls=analysis.settings.use_directory_urls, material_icons=material_icons)


def _files(analysis: Analysis, flavor: str = "material", material_icons: bool = False) -> dict[str, bytes | Path]:
    """Every file to write, relative to the output folder: text, or a file to copy."""
    options = render_options(analysis, flavor, material_icons)
    files: dict[str, bytes | Path] = {
        uri: content.encode("utf-8") for uri, content in render_pages(analysis, options).items()}
    for source in analysis.assets:  # body links point at assets/<path below plans_dir>
        files[f"assets/{source}"] = analysis.settings.plans_root / source
    files[STYLESHEET] = _PACKAGE_STYLESHEET
    return dict(sorted(files.items()))


def generate(analysis: Analysis, out: Path, plugin_builds_docs: bool, flavor: str = "material",
             material_icons: bool = False) -> Outcome:
    check_target(analysis, out, plugin_builds_docs)
    out = out.resolve()
    manifest = out / MANIFEST
    before = set()
    if manifest.is_file():
        before = {line for line in manifest.read_text(encoding="utf-8").splitlines()
                  if line and not line.startswith("#")}

    outcome = Outcome()
    files = _files(analysis, flavor, material_icons)
    for relative, content in files.items():
        target = out / relative
        data = content.read_bytes() if isinstance(content, Path) else content
        if target.is_file() and target.read_bytes() == data:
            outcome.unchanged.append(relative)  # left alone, so watchers see no change
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if isinstance(content, Path):
            shutil.copystat(content, target)
        outcome.written.append(relative)

    for relative in sorted(before - set(files)):
        target = (out / relative).resolve()
        if not target.is_relative_to(out) or not target.is_file():
            continue  # a manifest edited by hand cannot make us delete outside the folder
        target.unlink()
        outcome.removed.append(relative)
        for folder in target.parents:  # drop folders the removal emptied
            if folder == out or any(folder.iterdir()):
                break
            folder.rmdir()

    manifest.write_text(_MANIFEST_HEADER + "".join(f"{relative}\n" for relative in files), encoding="utf-8")
    return outcome
