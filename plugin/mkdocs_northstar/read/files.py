"""Which files below the plans folder are plans: the scan of a folder on disk and the
selection from any listing (a git revision's too), following only the symbolic links
that stay inside it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .front_matter import FRONT_MATTER, Problem


@dataclass
class Scan:
    """What a walk of plans_dir found."""

    plan_files: list[str] = field(default_factory=list)  # relative to plans_dir
    asset_files: list[str] = field(default_factory=list)
    problems: list[tuple[str, Problem]] = field(default_factory=list)  # (source, problem)
    # The file each path reached through a symbolic link stands for (both below plans_dir).
    real: dict[str, str] = field(default_factory=dict)


# A listing of plans_dir: path below it → (kind, the target of a link), from the
# folder on disk (list_folder) or from a git revision (diff.py); `select` decides
# from it alone which paths are plan files, so both sides see the same strategy.
FILE, LINK, OTHER = "file", "link", "other"
MAX_LINKS = 40  # links followed to reach one file, as the operating system allows


class _Unfollowed(Exception):
    """A symbolic link that is reported rather than followed."""


def hidden(path: str) -> bool:
    """Editors' swap files, .git, .DS_Store, the cache: skipped below plans_dir."""
    return path.startswith(".") or "/." in path


def list_folder(plans_root: Path) -> tuple[dict[str, tuple[str, str | None]], set[str], list[tuple[str, Problem]]]:
    """The listing of the folder on disk, links not followed: (listing, folders, problems)."""
    listing: dict[str, tuple[str, str | None]] = {}
    folders: set[str] = {""}
    problems: list[tuple[str, Problem]] = []

    def walk(folder: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError as error:
            problems.append((prefix.rstrip("/") or ".", Problem(FRONT_MATTER, 1, f"cannot read folder: {error.strerror}")))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relative = prefix + entry.name
            try:
                if entry.is_symlink():
                    listing[relative] = (LINK, os.readlink(entry.path))
                elif entry.is_dir(follow_symlinks=False):
                    folders.add(relative)
                    walk(entry.path, relative + "/")
                else:
                    listing[relative] = (FILE if entry.is_file(follow_symlinks=False) else OTHER, None)
            except OSError:
                listing[relative] = (OTHER, None)

    walk(str(plans_root), "")
    return listing, folders, problems


def _below(position: list[str], roots: list[list[str]]) -> str | None:
    for root in roots:
        if position[:len(root)] == root:
            return "/".join(position[len(root):])
    return None


def _resolve(link: str, listing: dict[str, tuple[str, str | None]], folders: set[str], roots: list[list[str]]) -> str:
    """Where the link at `link` leads, following further links of the listing: a file
    or folder below the plans folder (whose absolute path has the components of one of
    `roots`); _Unfollowed when it leaves it, loops or leads nowhere."""
    position = roots[0] + link.split("/")[:-1]  # the link's folder
    pending = listing[link][1].split("/")
    if pending[0] == "":  # an absolute target
        position = []
    hops = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if position:
                position.pop()
            continue
        position.append(part)
        inside = _below(position, roots)
        if inside is not None and listing.get(inside, (None,))[0] == LINK:
            hops += 1
            if hops > MAX_LINKS:
                raise _Unfollowed("symbolic link loops; not followed")
            position.pop()
            target = listing[inside][1].split("/")
            if target[0] == "":
                position = []
            pending = target + pending
    inside = _below(position, roots)
    if inside is None:
        raise _Unfollowed("symbolic link points outside the plans folder; not followed")
    if inside not in listing and inside not in folders:
        raise _Unfollowed("broken symbolic link")
    return inside


def select(listing: dict[str, tuple[str, str | None]], folders: set[str], root: Path) -> Scan:
    """The plan files and other files of a listing (which holds no hidden path, and
    whose folders hold every parent of its paths), in the order of a walk, following
    links that stay inside the plans folder (at `root`, however an absolute link spells
    it) and do not loop back to a folder above them; each link not followed is a problem."""
    found = Scan()
    children: dict[str, list[str]] = {folder: [] for folder in folders}
    for path in (*listing, *folders):
        if path:
            parent, _, name = path.rpartition("/")
            children[parent].append(name)
    spellings = dict.fromkeys((os.path.realpath(root), os.path.abspath(root)))
    roots = [[part for part in spelling.replace(os.sep, "/").split("/") if part] for spelling in spellings]

    plans, assets = found.plan_files, found.asset_files

    def visit(folder: str, prefix: str, seen: frozenset[str]) -> None:
        base = folder + "/" if folder else ""
        for name in sorted(children[folder]):
            real = base + name
            shown = prefix + name
            if real in folders:
                visit(real, shown + "/", seen | {real})
                continue
            kind = listing[real][0]
            if kind == LINK:
                try:
                    real = _resolve(real, listing, folders, roots)
                except _Unfollowed as reason:
                    found.problems.append((shown, Problem(FRONT_MATTER, 1, str(reason))))
                    continue
                if real in folders:
                    if real in seen:
                        found.problems.append((shown, Problem(FRONT_MATTER, 1, "symbolic link loops back to a folder above it; not followed")))
                    else:
                        visit(real, shown + "/", seen | {real})
                    continue
                kind = listing[real][0]
            if kind == OTHER:  # a pipe or a device would block or never end
                found.problems.append((shown, Problem(FRONT_MATTER, 1, "not a regular file; not read")))
                continue
            if real != shown:
                found.real[shown] = real
            (plans if name.endswith(".md") else assets).append(shown)

    visit("", "", frozenset({""}))
    return found


def scan(plans_root: Path) -> Scan:
    """List the plan files and other files below plans_root, sorted, without
    following links that leave it or loop."""
    if not plans_root.is_dir():
        return Scan()
    listing, folders, problems = list_folder(plans_root)
    found = select(listing, folders, plans_root)
    found.problems[:0] = problems
    return found
