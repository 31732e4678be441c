"""`northstar generate`: the generated pages as Markdown files, for any site generator.

The pages are exactly those the MkDocs plugin publishes (`render.render_pages`), with
their front matter, plus the files beside the plans their bodies link to and the
stylesheet. A manifest in the output folder lists what was written, so that a later
run removes the pages of deleted records and never touches a file it did not write.

Nothing is ever written or removed through a symbolic link below the output folder:
a run that finds one refuses (exit 2) before writing anything, every folder is
opened without following links, and every file is written to a temporary file and
renamed into place.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import Analysis
from .render.pages import RenderOptions, render_pages

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


class _Folders:
    """The output folder and the folders below it, opened one component at a time
    without following a symbolic link (O_NOFOLLOW), so that no write or removal can
    land outside the folder, however the links below it change while we run."""

    _FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)

    def __init__(self, out: Path):
        self.out = out
        self._open: dict[str, int] = {"": os.open(out, self._FLAGS)}

    def close(self) -> None:
        for descriptor in self._open.values():
            os.close(descriptor)
        self._open.clear()

    def folder(self, relative: str, create: bool) -> int | None:
        """The descriptor of folder `relative` ('' is out), or None where it does not exist."""
        if relative in self._open:
            return self._open[relative]
        parent, _, name = relative.rpartition("/")
        above = self.folder(parent, create)
        if above is None:
            return None
        try:
            descriptor = os.open(name, self._FLAGS, dir_fd=above)
        except FileNotFoundError:
            if not create:
                return None
            os.mkdir(name, dir_fd=above)
            descriptor = os.open(name, self._FLAGS, dir_fd=above)
        except OSError:
            _refuse_link(self.out, relative, above, name)
            raise
        self._open[relative] = descriptor
        return descriptor

    def read(self, relative: str) -> bytes | None:
        """The content of a regular file written before, or None."""
        parent, _, name = relative.rpartition("/")
        folder = self.folder(parent, create=False)
        if folder is None:
            return None
        try:
            descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
        except FileNotFoundError:
            return None
        except OSError:
            _refuse_link(self.out, relative, folder, name)
            raise
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read()

    def write(self, relative: str, data: bytes, like: os.stat_result | None = None) -> None:
        """Write a file atomically: a new temporary file beside it, renamed over it. A
        rename replaces a link itself, never what it points to."""
        parent, _, name = relative.rpartition("/")
        folder = self.folder(parent, create=True)
        temporary = f".{name}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666, dir_fd=folder)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                if like is not None:  # an asset keeps its mode and times, as a copy would
                    os.fchmod(handle.fileno(), stat.S_IMODE(like.st_mode))
                    os.utime(handle.fileno(), ns=(like.st_atime_ns, like.st_mtime_ns))
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            os.unlink(temporary, dir_fd=folder)
            raise

    def remove(self, relative: str) -> bool:
        """Remove a regular file and the folders its removal empties; never a link's target."""
        parent, _, name = relative.rpartition("/")
        folder = self.folder(parent, create=False)
        if folder is None:
            return False
        try:
            if not stat.S_ISREG(os.lstat(name, dir_fd=folder).st_mode):
                return False
            os.unlink(name, dir_fd=folder)
        except FileNotFoundError:
            return False
        while parent:  # drop folders the removal emptied
            above, _, name = parent.rpartition("/")
            try:
                os.rmdir(name, dir_fd=self._open[above])
            except OSError:
                break
            os.close(self._open.pop(parent))
            parent = above
        return True


def _refuse_link(out: Path, relative: str, folder: int, name: str) -> None:
    try:
        is_link = stat.S_ISLNK(os.lstat(name, dir_fd=folder).st_mode)
    except OSError:
        return
    if is_link:
        raise Refused(f"'{out / relative}' is a symbolic link; generate never writes or removes through a link. "
                      "Remove the link (or the whole folder) and run again.")


def _links_below(out: Path, paths: list[str]) -> list[str]:
    """The paths below out (and their folders) that are symbolic links, checked before
    anything is written so that a refusal leaves the folder as it was."""
    links, checked = [], set()
    for relative in paths:
        parts = relative.split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            if prefix in checked:
                continue
            checked.add(prefix)
            try:
                if (out / prefix).is_symlink():
                    links.append(prefix)
                    break
            except OSError:
                break
    return links


def _safe(relative: str) -> bool:
    """A manifest line naming a file below the folder (a hand-edited one may name anything)."""
    return not relative.startswith("/") and all(part not in ("", ".", "..") for part in relative.split("/"))


def generate(analysis: Analysis, out: Path, plugin_builds_docs: bool, flavor: str = "material",
             material_icons: bool = False) -> Outcome:
    check_target(analysis, out, plugin_builds_docs)
    out = out.resolve()
    if (out / MANIFEST).is_symlink():
        raise Refused(f"'{out / MANIFEST}' is a symbolic link; generate never writes or removes through a link. "
                      "Remove it and run again.")
    before = set()
    if (out / MANIFEST).is_file():
        before = {line for line in (out / MANIFEST).read_text(encoding="utf-8").splitlines()
                  if line and not line.startswith("#") and _safe(line)}
    files = _files(analysis, flavor, material_icons)
    links = _links_below(out, sorted({*files, *before}))
    if links:
        shown = ", ".join(f"'{link}'" for link in links[:5]) + (" and more" if len(links) > 5 else "")
        raise Refused(f"{shown} in '{out}' {'is a symbolic link' if len(links) == 1 else 'are symbolic links'}; "
                      "generate never writes or removes through a link. Remove the links (or the whole folder) "
                      "and run again.")

    out.mkdir(parents=True, exist_ok=True)
    outcome = Outcome()
    folders = _Folders(out)
    try:
        for relative, content in files.items():
            data = content.read_bytes() if isinstance(content, Path) else content
            if folders.read(relative) == data:
                outcome.unchanged.append(relative)  # left alone, so watchers see no change
                continue
            folders.write(relative, data, content.stat() if isinstance(content, Path) else None)
            outcome.written.append(relative)
        for relative in sorted(before - set(files)):
            if folders.remove(relative):
                outcome.removed.append(relative)
        folders.write(MANIFEST, (_MANIFEST_HEADER + "".join(f"{relative}\n" for relative in files)).encode("utf-8"))
    except OSError as error:
        raise Refused(f"cannot write to '{out}': {error}") from None
    finally:
        folders.close()
    return outcome
