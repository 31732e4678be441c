"""What a site needs in `mkdocs.yml` to publish the pages `northstar generate` writes.

Under MkDocs the plugin wires the stylesheet itself; a generator that runs no MkDocs
plugins (Zensical, or MkDocs without the plugin) reads `mkdocs.yml` as written. This
module reads that config (as `settings.read_config` returns it) and says what is missing:
the stylesheet in `extra_css`, the Markdown extensions the pages are written for, and
whether Material's icon shortcodes resolve there. Pure: no MkDocs, no writing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# The Python-Markdown extensions the pages of each flavour are written for.
EXTENSIONS = {
    "material": ("tables", "toc", "attr_list", "md_in_html", "admonition"),
    "plain": ("tables",),
}
# Icon indexes whose `:material-name:` shortcodes resolve (as written after `!!python/name:`).
_ICON_INDEXES = ("material.extensions.emoji.", "zensical.extensions.emoji.")


@dataclass
class Needs:
    stylesheet: str  # the stylesheet's path as `extra_css` names it (relative to docs_dir)
    missing_css: bool  # extra_css does not list it
    missing_extensions: list[str] = field(default_factory=list)
    outside_docs: bool = False  # the folder is not below docs_dir: the stylesheet path is a guess

    @property
    def complete(self) -> bool:
        return not self.missing_css and not self.missing_extensions and not self.outside_docs


def extension_names(config: dict) -> list[str]:
    """The names in `markdown_extensions` (entries are names or one-key mappings)."""
    entries = config.get("markdown_extensions") or []
    if isinstance(entries, dict):
        return [str(name) for name in entries]
    names = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict):
            names.extend(str(name) for name in entry)
    return names


def _extension_options(config: dict, name: str) -> dict:
    entries = config.get("markdown_extensions") or []
    if isinstance(entries, dict):
        entries = [entries]
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get(name), dict):
            return entry[name]
    return {}


def material_icons(config: dict) -> bool:
    """Whether `:material-name:` shortcodes resolve on this site: pymdownx.emoji with the
    icon index of Material for MkDocs or of Zensical (which reads Material's name too)."""
    if "pymdownx.emoji" not in extension_names(config):
        return False
    index = _extension_options(config, "pymdownx.emoji").get("emoji_index")
    return isinstance(index, str) and index.startswith(_ICON_INDEXES)


def needs(config: dict, config_dir: Path, out: Path, stylesheet: str, flavor: str = "material") -> Needs:
    """What `mkdocs.yml` (read into `config`, in `config_dir`) lacks to publish pages written
    to `out` with their stylesheet at `out/<stylesheet>`."""
    docs = (config_dir / str(config.get("docs_dir") or "docs")).resolve()
    target = out.resolve() / stylesheet
    outside = not target.is_relative_to(docs)
    # Outside docs_dir the folder must be copied in; guess it lands under its own name.
    href = (PurePosixPath(out.resolve().name) / stylesheet if outside
            else PurePosixPath(target.relative_to(docs).as_posix())).as_posix()
    extra_css = config.get("extra_css") or []
    listed = {str(entry.get("path") if isinstance(entry, dict) else entry).lstrip("/")
              for entry in (extra_css if isinstance(extra_css, list) else [])}
    present = set(extension_names(config))
    missing = [name for name in EXTENSIONS.get(flavor, ()) if name not in present]
    return Needs(href, href not in listed, missing, outside)


def advice(found: Needs, config_name: str = "mkdocs.yml") -> list[str]:
    """Lines telling the user what to add to the config; none when nothing is missing."""
    lines = []
    if found.outside_docs:
        lines.append(f"note: the folder is outside docs_dir; where it lands in your site's docs, link its "
                     f"stylesheet (assumed here: {found.stylesheet}).")
    if found.missing_css:
        lines.append(f"note: add to {config_name} so progress bars, status badges and maps are styled:\n"
                     f"  extra_css:\n    - {found.stylesheet}")
    if found.missing_extensions:
        listing = "".join(f"\n    - {name}" for name in found.missing_extensions)
        lines.append(f"note: add to {config_name} the Markdown extensions the pages are written for:\n"
                     f"  markdown_extensions:{listing}")
    return lines
