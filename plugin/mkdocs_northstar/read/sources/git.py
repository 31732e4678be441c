"""Reading a source from a git repository without a work tree: fetched once into the
cache folder, then read at a commit as `northstar diff` reads a revision."""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import stat
import subprocess
from pathlib import Path

from .config import ALLOWED_PROTOCOLS, URL_RE, SourceSpec, Unreadable, settings_of
from .store import SourceResult, cache_folder, cache_get, cache_key, cache_put, from_analysis

def _store(git_dir: Path):
    """diff.Repository over a repository given by its git folder, bare or not: no work
    tree is needed or touched, and git never looks for a repository further up."""
    from ...diff.revision import GitError, Repository

    class Store(Repository):
        def __init__(self, folder: Path):  # noqa: D401 - no `rev-parse --show-toplevel`: may be bare
            self.folder = self.top = folder

        def _git(self, *args: str, cwd: Path | None = None, stdin: bytes | None = None) -> bytes:
            environment = {**os.environ, "GIT_ALLOW_PROTOCOL": ALLOWED_PROTOCOLS, "GIT_TERMINAL_PROMPT": "0"}
            try:
                done = subprocess.run(["git", f"--git-dir={self.folder}", *args], input=stdin, capture_output=True,
                                      env=environment, cwd=self.folder)
            except FileNotFoundError:
                raise GitError("no 'git' command was found") from None
            if done.returncode != 0:
                message = done.stderr.decode(errors="replace").strip().splitlines()
                raise GitError(f"git {args[0]} failed: {message[0] if message else 'exit ' + str(done.returncode)}")
            return done.stdout

    return Store(git_dir), GitError


def _git_dir(spec: SourceSpec, cache_dir: Path | None) -> Path:
    if URL_RE.match(spec.target):
        return _fetched(spec, cache_dir)
    folder = Path(spec.target)
    if not folder.is_dir():
        raise Unreadable(f"git repository '{spec.location}' does not exist")
    inner = folder / ".git"
    if inner.is_dir():
        return inner
    if (folder / "HEAD").is_file() and (folder / "objects").is_dir():
        return folder  # a bare repository
    raise Unreadable(f"'{spec.location}' is not a git repository")


_COMMIT = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")
_BRANCH = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")


def _small_file(path: Path, limit: int = 4096) -> str | None:
    """A small regular file's text, never through a link, never waiting on a pipe; None
    for anything else, or a file of `limit` bytes or more."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        data = os.read(handle, limit)
        return data.decode("ascii", errors="replace") if len(data) < limit else None
    finally:
        os.close(handle)


def _quick_commit(git_dir: Path, ref: str) -> str | None:
    """The commit of HEAD or of a branch, where the repository's files plainly say it;
    None for anything else (a tag, a commit id, a name git could read another way),
    which `git rev-parse` then resolves."""
    if ref == "HEAD":
        head = (_small_file(git_dir / "HEAD") or "").strip()
        if _COMMIT.fullmatch(head):
            return head
        if not head.startswith("ref: refs/heads/"):
            return None
        name, shadows = head[len("ref: "):], ()
    else:
        # git reads a name as $GIT_DIR/NAME, refs/NAME, refs/tags/NAME, then refs/heads/NAME.
        name, shadows = f"refs/heads/{ref}", (ref, f"refs/{ref}", f"refs/tags/{ref}")
    if not _BRANCH.fullmatch(name) or ".." in name or name.endswith(".lock"):
        return None
    packed_file = git_dir / "packed-refs"
    packed = _small_file(packed_file, 1 << 20) if packed_file.exists() else ""
    if packed is None:
        return None
    packed_refs = {}
    for line in packed.splitlines():
        value, _, refname = line.partition(" ")
        packed_refs[refname] = value
    if any(os.path.lexists(git_dir / shadow) or shadow in packed_refs for shadow in shadows):
        return None
    loose = _small_file(git_dir / name)
    found = loose.strip() if loose is not None else packed_refs.get(name, "")
    return found if _COMMIT.fullmatch(found) else None


def _fetched(spec: SourceSpec, cache_dir: Path | None) -> Path:
    """A bare, blob-less clone of a remote repository in the cache, fetched anew."""
    if cache_dir is None:
        raise Unreadable(f"reading '{spec.location}' needs a cache folder to clone into")
    folder = cache_folder(cache_dir, create=True)
    if folder is None:
        raise Unreadable("the cache folder is a symbolic link or cannot be written; not cloning into it")
    clone = folder / ("git-" + hashlib.sha256(spec.target.encode()).hexdigest()[:24])
    if os.path.islink(clone):
        raise Unreadable("the cache folder holds a symbolic link where the clone belongs; not following it")
    environment = {**os.environ, "GIT_ALLOW_PROTOCOL": ALLOWED_PROTOCOLS, "GIT_TERMINAL_PROMPT": "0"}
    if not clone.is_dir():
        command = ["git", "clone", "--quiet", "--bare", "--filter=blob:none", "--", spec.target, str(clone)]
    else:
        command = ["git", f"--git-dir={clone}", "fetch", "--quiet", "--prune", "--update-head-ok",
                   "--filter=blob:none", "--", spec.target, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]
    try:
        done = subprocess.run(command, capture_output=True, env=environment, timeout=300)
    except (FileNotFoundError, subprocess.TimeoutExpired) as error:
        raise Unreadable(f"cannot fetch '{spec.location}': {error}") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise Unreadable(f"cannot fetch '{spec.location}': {message[-1] if message else 'git failed'}")
    return clone


def read_git(spec: SourceSpec, cache_dir: Path | None) -> SourceResult:
    from ...analysis import analyse_files
    from ...diff.revision import plan_files

    git_dir = _git_dir(spec, cache_dir)
    # A warm read needs only the commit: read from the ref files where that is plain, as git
    # would (a subprocess per source cost more than all the rest of a warm read).
    commit = _quick_commit(git_dir, spec.ref) if cache_dir is not None else None
    if commit is not None:
        read = {"commit": commit, "ref": spec.ref, "config": spec.config}
        cached = cache_get(cache_dir, cache_key("git", commit, spec.config), spec, read)
        if cached is not None:
            return cached
    store, GitError = _store(git_dir)
    try:
        commit = store.commit(spec.ref)
    except GitError:
        raise Unreadable(f"'{spec.ref}' is not a commit in '{spec.location}'") from None
    read = {"commit": commit, "ref": spec.ref, "config": spec.config}
    key = cache_key("git", commit, spec.config)
    cached = cache_get(cache_dir, key, spec, read)
    if cached is not None:
        return cached
    root = Path("/") / "revision"  # where the revision's files seem to lie, for read_config

    def read_text(path: Path) -> str:
        name = posixpath.normpath(os.path.relpath(path, root).replace(os.sep, "/"))
        if name.startswith("../"):
            raise FileNotFoundError(path)
        listing = store.files(commit, name)
        if name not in listing:
            raise FileNotFoundError(path)
        object_id = listing[name][1]
        return store.blobs([object_id])[object_id].decode("utf-8")

    try:
        settings, own_name = settings_of(root / spec.config, read_text)
        plans_path = posixpath.normpath(posixpath.join(posixpath.dirname(spec.config), settings.plans_dir))
        if plans_path.startswith("../") or plans_path == "..":
            raise Unreadable(f"plans_dir '{settings.plans_dir}' lies outside the repository")
        files, problems = plan_files(store, commit, plans_path, settings.plans_root)
    except GitError as error:
        raise Unreadable(f"'{spec.location}': {error}") from None
    if not files:
        raise Unreadable(f"no plans in '{plans_path}' at {spec.ref} ({commit[:12]})")
    result = from_analysis(analyse_files(settings, files, problems), spec, own_name, read)
    cache_put(cache_dir, key, result)
    return result
