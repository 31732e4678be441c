"""Reading a revision of the strategy from git's object store (`ls-tree`, `cat-file
--batch`), so the work tree, the index and HEAD are never touched. The head side defaults
to the work tree, uncommitted and untracked files included, exactly as `northstar check`
sees it."""

from __future__ import annotations

import os
import subprocess
import datetime
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from ..analysis import Analysis, analyse, analyse_files
from ..read.files import FILE, LINK, hidden, select
from ..settings import ConfigError, Settings, read_settings

WORK_TREE = "working tree"


class GitError(ConfigError):
    """Not a git repository, git missing, or a revision that does not exist (exit 2)."""


# --- Reading a revision from git -------------------------------------------------------


class Repository:
    """The git repository holding mkdocs.yml, read without touching its work tree."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.top = Path(os.path.realpath(self._git("rev-parse", "--show-toplevel", cwd=folder).decode().strip()))

    def _git(self, *args: str, cwd: Path | None = None, stdin: bytes | None = None) -> bytes:
        try:
            done = subprocess.run(["git", *args], cwd=cwd or self.top, input=stdin, capture_output=True)
        except FileNotFoundError:
            raise GitError("northstar needs git to read a revision, and no 'git' command was found") from None
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip().splitlines()
            if message and "not a git repository" in message[0]:
                raise GitError(f"{self.folder} is not inside a git repository; northstar reads revisions "
                               "from git")
            raise GitError(f"git {args[0]} failed: {message[0] if message else 'exit ' + str(done.returncode)}")
        return done.stdout

    def relative(self, path: Path) -> str | None:
        """A path as git names it (from the top of the repository), or None outside it."""
        relative = os.path.relpath(os.path.realpath(path), self.top).replace(os.sep, "/")
        return None if relative == ".." or relative.startswith("../") else relative

    def commit(self, revision: str) -> str:
        if revision.startswith("-"):
            raise GitError(f"'{revision}' is not a revision")
        try:
            return self._git("rev-parse", "--verify", "--quiet", "--end-of-options",
                             f"{revision}^{{commit}}").decode().strip()
        except GitError:
            raise GitError(f"'{revision}' is not a commit in {self.top}") from None

    def show(self, spec: str) -> bytes:
        """The content of `REV:PATH` as `git show REV:PATH` run in self.folder names it
        (PATH from the top of the repository, or from self.folder when it starts with './')."""
        revision, _, name = spec.partition(":")
        if not revision or revision.startswith("-") or not name:
            raise GitError(f"'{spec}' is not REV:PATH")
        commit = self.commit(revision)
        try:
            return self._git("cat-file", "blob", f"{commit}:{name}", cwd=self.folder)
        except GitError:
            raise GitError(f"'{name}' is not a file at {revision} ({commit[:12]})") from None

    def files(self, commit: str, folder: str) -> dict[str, tuple[str, str]]:
        """Every file below folder at commit: path → (mode, object id)."""
        listing = self._git("ls-tree", "-r", "-z", "--full-tree", commit, "--", folder)
        found = {}
        for entry in listing.split(b"\0"):
            if not entry:
                continue
            meta, path = entry.decode("utf-8", errors="surrogateescape").split("\t", 1)
            mode, kind, object_id = meta.split(" ")
            if kind == "blob":
                found[path] = (mode, object_id)
        return found

    def blobs(self, object_ids: Iterable[str]) -> dict[str, bytes]:
        """The content of many objects in one `git cat-file --batch` call."""
        wanted = list(dict.fromkeys(object_ids))
        if not wanted:
            return {}
        output = self._git("cat-file", "--batch", stdin="".join(f"{oid}\n" for oid in wanted).encode())
        contents, position = {}, 0
        for object_id in wanted:
            header_end = output.index(b"\n", position)
            size = int(output[position:header_end].split(b" ")[2])
            start = header_end + 1
            contents[object_id] = output[start:start + size]
            position = start + size + 1  # the newline after each object
        return contents


def plan_files(repo: Repository, commit: str, plans_path: str,
                plans_root: Path) -> tuple[list[tuple[str, bytes]], list]:
    """(source, content) of every plan file below plans_path at commit, and problems:
    the revision's listing goes through the same `load.select` as the folder on disk
    (mode 120000 is a symbolic link, its blob the target), so both see the same plans."""
    top = plans_path in ("", ".")
    listing = repo.files(commit, "." if top else plans_path)
    skip = 0 if top else len(plans_path.rstrip("/")) + 1
    below = {path[skip:]: entry for path, entry in listing.items() if not hidden(path[skip:])}
    links = {path: object_id for path, (mode, object_id) in below.items() if mode == "120000"}
    targets = repo.blobs(links.values())
    tree: dict[str, tuple[str, str | None]] = {
        path: (LINK, targets[links[path]].decode("utf-8", errors="surrogateescape")) if path in links else (FILE, None)
        for path in below}
    folders = {""} | {path[:end] for path in below for end in range(len(path)) if path[end] == "/"}
    found = select(tree, folders, plans_root)
    chosen = {source: below[found.real.get(source, source)][1] for source in found.plan_files}
    contents = repo.blobs(chosen.values())
    return [(source, contents[object_id]) for source, object_id in chosen.items()], found.problems


@dataclass
class Side:
    label: str  # what the user named: a revision, or "working tree"
    commit: str | None  # None for the working tree
    analysis: Analysis

    def as_dict(self) -> dict:
        return {"revision": self.label, "commit": self.commit, "summary": self.analysis.summary()}


def read_revision(repo: Repository, revision: str, config_file: Path, fallback: Settings,
                  notes: list[str]) -> Side:
    commit = repo.commit(revision)
    config_path = repo.relative(config_file)

    def read_text(path: Path) -> str:
        name = repo.relative(path)
        listing = repo.files(commit, name) if name else {}
        if name not in listing:
            raise FileNotFoundError(path)
        return repo.blobs([listing[name][1]])[listing[name][1]].decode("utf-8")

    name = config_path or config_file.name
    try:
        settings = replace(read_settings(config_file, read_text=read_text), as_of=fallback.as_of)
    except ConfigError as error:
        problem = "is not there" if config_path not in repo.files(commit, name) else f"could not be used ({error})"
        notes.append(f"{name} at {revision} {problem}; the working tree's settings apply")
        settings = fallback
    plans_path = repo.relative(settings.plans_root)
    if plans_path is None:
        raise GitError(f"plans_dir '{settings.plans_dir}' lies outside the git repository {repo.top}")
    files, problems = plan_files(repo, commit, plans_path, settings.plans_root)
    top = plans_path in ("", ".")

    def read_file(relative: str) -> bytes | None:  # a CSV file of measurements, at that revision
        name = relative if top else f"{plans_path.rstrip('/')}/{relative}"
        entry = repo.files(commit, name).get(name)
        if entry is None or entry[0] not in ("100644", "100755"):
            return None
        return repo.blobs([entry[1]])[entry[1]]

    return Side(revision, commit, analyse_files(settings, files, problems, read_file=read_file))


def read_sides(config_file: str | Path, base: str, head: str | None,
               as_of: datetime.date | None = None) -> tuple[Side, Side, list[str]]:
    """Both sides are judged on one day (`as_of`, else the working tree's), so that a health
    that changes is the work's doing, not the calendar's or a setting's."""
    config = Path(config_file).resolve()
    repo = Repository(config.parent)
    current = read_settings(config)
    if as_of is not None:
        current = replace(current, as_of=as_of)
    notes: list[str] = []
    base_side = read_revision(repo, base, config, current, notes)
    if head is None:
        head_side = Side(WORK_TREE, None, analyse(current))
    else:
        head_side = read_revision(repo, head, config, current, notes)
    return base_side, head_side, notes


