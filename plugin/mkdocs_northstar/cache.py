"""What `northstar check` keeps between runs, so that unchanged plans cost nothing.

`check` runs on every commit, and at thousands of plans parsing YAML is most of
its time. Two things are kept:

- each file's parsed record, reused only while the file has the same size,
  modification time, change time and inode as when it was parsed;
- the last verdict (diagnostics and counts), reused only while every one of those
  stamps, those of the other files below plans_dir (CSV measurements), the list of
  files and the settings (the as_of day among them) are all the same.

The cache is a hint, never a source of truth:

- it lives in `.northstar-cache/` next to mkdocs.yml, which is safe to delete at any
  time and tells git to ignore it;
- a file that cannot be read, is corrupt, or was written by another version of
  Northstar or of Python is ignored and rebuilt;
- it is read with an unpickler that builds nothing but records, so a planted
  cache file cannot run code;
- it is written to a temporary file and renamed into place, so a crash or two
  runs at once never leave half a cache behind; a later run removes the temporary
  file of a writer that died;
- a `.northstar-cache` that is a symbolic link (committed to the repository, say) is
  never followed: the run goes without the cache and says so once.

The MkDocs plugin keeps one in memory instead, so `mkdocs serve` re-parses only
the plans that changed between two rebuilds.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .diagnostics import Diagnostic, Tally
from .read.files import Scan, scan
from .read.front_matter import Problem
from .read.records import Record
from .settings import Settings

CACHE_DIR = ".northstar-cache"
_FORMAT = 2  # 2: records keep the lines of keys nested below key_results and measurements
# A file modified this recently may be modified again within the same tick of
# the file system's clock, keeping its size and time: it is parsed, not cached.
RACY_SECONDS = 2.0
_ALLOWED = {(Record.__module__, "Record"): Record, (Problem.__module__, "Problem"): Problem}
_PACKAGE = Path(__file__).parent


def code_fingerprint() -> str:
    """Changes whenever the code that parses records may have: another release,
    another Python, or an edited source file (in a development install)."""
    parts = [str(_FORMAT), __version__, sys.version]
    for source in sorted(_PACKAGE.rglob("*.py")):
        stat = source.stat()
        parts.append(f"{source.relative_to(_PACKAGE).as_posix()}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class _RecordsOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[module, name]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} has no place in a record cache") from None


def _stamp(stat: os.stat_result) -> tuple[int, int, int, int]:
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def _source_stamps(settings: Settings) -> dict[str, tuple | None] | None:
    """The stamps of a strategy's export sources, or None where any source is a folder or
    git repository (or the options are not usable), whose content no stamp here tells."""
    from .read.sources.config import parse_sources

    try:
        _, specs, problems = parse_sources({"name": settings.name, "sources": settings.sources}, {},
                                           settings.config_file or settings.root / "mkdocs.yml")
    except Exception:  # noqa: BLE001 - the analysis reports what is wrong with them
        return None
    if problems or any(spec.kind != "export" for spec in specs):
        return None
    stamps: dict[str, tuple | None] = {}
    for spec in specs:
        try:
            stamps["source:" + spec.target] = _stamp(os.stat(spec.target))
        except OSError:
            stamps["source:" + spec.target] = None
    return stamps


def _racy(stamp: tuple | None) -> bool:
    return stamp is not None and time.time() - stamp[1] / 1e9 < RACY_SECONDS


_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
# A temporary file this old was left by a writer that died (a write takes milliseconds).
STALE_SECONDS = 600
_TEMPORARY = re.compile(r"^\..+-(\d+)\.tmp$")


def unusable(folder: Path) -> str | None:
    """Why the cache folder must not be used, or None: a symbolic link (committed, say)
    would carry every write somewhere else, so it is never followed."""
    try:
        mode = os.lstat(folder).st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"{folder} cannot be read ({error.strerror}); running without the cache"
    if stat.S_ISLNK(mode):
        return f"{folder} is a symbolic link; running without the cache (delete the link to use one)"
    if not stat.S_ISDIR(mode):
        return f"{folder} is not a folder; running without the cache (delete it to use one)"
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


def sweep(folder: Path, now: float | None = None) -> list[str]:
    """Remove the temporary files of writers that died (their process is gone, or the
    file is older than STALE_SECONDS); return their names."""
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if not match or int(match.group(1)) == os.getpid():
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if _alive(int(match.group(1))) and now - info.st_mtime < STALE_SECONDS:
                continue
            os.unlink(entry.path)  # a link is removed itself, never followed
        except OSError:
            continue
        removed.append(entry.name)
    return removed


def _write_atomically(file: Path, data: bytes) -> None:
    folder = file.parent
    if unusable(folder):
        raise OSError(f"{folder} is not a folder of ours")
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    else:
        # Like .pytest_cache: ignored by git even where .gitignore does not say so.
        _write_new(folder, ".gitignore", b"# Created by northstar: safe to delete.\n*\n")
        _write_new(folder, "CACHEDIR.TAG", b"Signature: 8a477f597d28d172789f06886806bc55\n"
                                          b"# northstar's record cache: safe to delete.\n")
    # Named after this process, so that two runs at once never write the same file
    # (importing tempfile costs a check more than the write).
    _write_new(folder, file.name, data, temporary=f".{file.name}-{os.getpid()}.tmp")


def _write_new(folder: Path, name: str, data: bytes, temporary: str | None = None) -> None:
    """Write folder/name without following a link: the folder is opened with O_NOFOLLOW,
    the file created anew (O_EXCL), and renamed into place when `temporary` is given."""
    directory = os.open(folder, _DIRECTORY)
    try:
        created = temporary or name
        if temporary:
            try:
                os.unlink(temporary, dir_fd=directory)  # our own, left by an earlier write that failed
            except FileNotFoundError:
                pass
        descriptor = os.open(created, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666,
                             dir_fd=directory)
        try:
            with os.fdopen(descriptor, "wb") as output:
                output.write(data)
            if temporary:
                os.replace(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)
        except BaseException:
            os.unlink(created, dir_fd=directory)
            raise
    finally:
        os.close(directory)


def _read(file: Path) -> bytes:
    with open(os.open(file, os.O_RDONLY | os.O_NOFOLLOW), "rb") as handle:
        return handle.read()


@dataclass
class Verdict(Tally):
    """A check's result read back from the cache: what the formatters of `check`
    read from an Analysis (settings, diagnostics, summary), and no more."""

    settings: Settings
    diagnostics: list[Diagnostic]
    counts: dict[str, int]  # objectives, themes, plans


class RecordCache:
    """Records by plan file, on disk (`beside`) or in memory (no file). Pass it to
    `analyse`; `hits` and `misses` count the files taken from it and the files parsed
    in the last run."""

    def __init__(self, file: Path | None = None, verdict_file: Path | None = None):
        self.file = file  # None: kept in memory only
        self.verdict_file = verdict_file
        self.hits = self.misses = 0
        self._loaded: dict[str, tuple[tuple, Record]] | None = None if file else {}
        self._stamps: dict[str, tuple] = {}  # stamps taken in this run, before reading
        self._surveyed: dict[str, tuple | None] = {}  # stamps taken by `verdict`, reused by `get`
        self._verdict_key: str | None = None
        self._scan: Scan | None = None  # the walk `verdict` made, reused by read_plans
        self._seen: set[str] = set()
        self._changed = False
        self.refused: str | None = None  # why the folder on disk is not used: say so once


    @classmethod
    def beside(cls, root: Path, plans_root: Path) -> RecordCache:
        """The on-disk cache of the plans in plans_root, in root/.northstar-cache."""
        name = hashlib.sha256(str(plans_root).encode()).hexdigest()[:16]
        folder = root / CACHE_DIR
        refused = unusable(folder)
        if refused:
            cache = cls()  # in memory: nothing is read from or written to that place
            cache.refused = refused
            return cache
        sweep(folder)
        return cls(folder / f"records-{name}.pickle", folder / f"verdict-{name}.json")

    @property
    def _entries(self) -> dict[str, tuple[tuple, Record]]:
        # Loaded on first use: a check whose verdict is reused never needs the records.
        if self._loaded is None:
            self._loaded = self._load(self.file)
        return self._loaded

    def verdict(self, settings: Settings) -> Verdict | None:
        """The last check's verdict, if nothing it depends on has changed since."""
        if self.verdict_file is None:
            return None
        sources = _source_stamps(settings) if settings.sources else {}
        if sources is None:
            # What a folder or git source holds can change without a file here changing:
            # it is read each time (a git source from the sources' cache, by commit).
            return None
        plans_root = settings.root / settings.plans_dir  # spelled as read_plans spells it
        if not plans_root.is_dir():
            return None  # analyse says what is wrong with it
        found = self._scan = scan(plans_root)
        self._surveyed = {}
        self._surveyed.update(sources)  # export sources: a verdict stands while each file is unchanged
        # The other files too: an objective's measurements may live in a CSV file beside it.
        for source in (*found.plan_files, *found.asset_files):
            absolute = os.path.join(str(plans_root), source)
            try:
                self._surveyed[absolute] = _stamp(os.stat(absolute))
            except OSError:
                self._surveyed[absolute] = None
        if any(_racy(stamp) for stamp in self._surveyed.values()):
            return None  # nor will it be kept: a file may still change unseen
        self._verdict_key = self._key(settings, found)
        try:
            stored = json.loads(_read(self.verdict_file))
            if stored["key"] != self._verdict_key:
                return None
            diagnostics = [Diagnostic(**entry) for entry in stored["diagnostics"]]
            counts = {kind: int(stored["counts"][kind]) for kind in ("objectives", "themes", "plans")}
        except Exception:  # noqa: BLE001 - missing, corrupt or foreign: check again
            return None
        self._verdict_key = None  # nothing new to remember
        return Verdict(settings, diagnostics, counts)

    def _key(self, settings: Settings, found: Scan) -> str:
        state = (code_fingerprint(), repr(settings), found.asset_files, found.problems, sorted(self._surveyed.items()))
        return hashlib.sha256(repr(state).encode()).hexdigest()

    def remember(self, analysis) -> None:
        """Keep the verdict of an analysis that `verdict` found nothing for."""
        if self._verdict_key is None or self.verdict_file is None:
            return
        summary = analysis.summary()
        stored = {"key": self._verdict_key,
                  "counts": {kind: summary[kind] for kind in ("objectives", "themes", "plans")},
                  "diagnostics": [diagnostic.as_dict() for diagnostic in analysis.diagnostics]}
        self._verdict_key = None
        try:
            _write_atomically(self.verdict_file, json.dumps(stored).encode())
        except OSError:
            pass  # a read-only checkout: the next run checks again

    @staticmethod
    def _load(file: Path) -> dict:
        try:
            with open(os.open(file, os.O_RDONLY | os.O_NOFOLLOW), "rb") as handle:
                stored = _RecordsOnly(handle).load()
        except Exception:  # noqa: BLE001 - missing, or any damage at all: start again
            return {}
        if not isinstance(stored, dict) or stored.get("fingerprint") != code_fingerprint():
            return {}
        entries = stored.get("entries")
        return entries if isinstance(entries, dict) else {}

    def take_scan(self) -> Scan | None:
        """The walk of plans_dir that `verdict` just made, once: reading the plans
        after a verdict that could not be reused need not walk the folder again."""
        found, self._scan = self._scan, None
        return found

    def start(self) -> None:
        """Begin a run: counts start at zero and files not seen again are forgotten."""
        self.hits = self.misses = 0
        self._seen = set()
        self._stamps = {}

    def get(self, key: str, path: str, source: str) -> Record | None:
        """The record of the file at absolute path `key`, if it has not changed."""
        self._seen.add(key)
        try:
            stamp = self._surveyed.pop(key) if key in self._surveyed else _stamp(os.stat(key))
        except OSError:
            stamp = None
        if stamp is None:
            self.misses += 1
            return None  # reading it will report the problem
        entry = self._entries.get(key)
        if (isinstance(entry, tuple) and len(entry) == 2 and entry[0] == stamp
                and isinstance(entry[1], Record) and entry[1].path == path and entry[1].source == source):
            self.hits += 1
            return entry[1]
        self._stamps[key] = stamp
        self.misses += 1
        return None

    def put(self, key: str, record: Record) -> None:
        stamp = self._stamps.pop(key, None)
        if stamp is None:
            return
        if _racy(stamp):
            self._entries.pop(key, None)
            return
        self._entries[key] = (stamp, record)
        self._changed = True

    def save(self) -> None:
        """Forget the files this run did not see; write the cache if anything changed."""
        gone = self._entries.keys() - self._seen
        for key in gone:
            del self._entries[key]
        if self.file is None or not (self._changed or gone):
            return
        self._changed = False
        try:
            _write_atomically(self.file, pickle.dumps({"fingerprint": code_fingerprint(), "entries": self._entries},
                                                      protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # a read-only checkout: the next run parses again, nothing is lost
