"""Parsed records kept between runs, so that an unchanged plan file is not parsed again.

`northstar check` runs on every commit, and at thousands of plans parsing YAML is
most of its time. A record is reused only while its file has the same size,
modification time, change time and inode as when it was parsed; anything else is
parsed again. The cache is a hint, never a source of truth:

- it lives in `.northstar-cache/` next to mkdocs.yml, which is safe to delete at any
  time and tells git to ignore it;
- a file that cannot be read, is corrupt, or was written by another version of
  Northstar or of Python is ignored and rebuilt;
- it is read with an unpickler that builds nothing but records, so a planted
  cache file cannot run code;
- it is written to a temporary file and renamed into place, so a crash or two
  runs at once never leave half a cache behind.

The MkDocs plugin keeps one in memory instead, so `mkdocs serve` re-parses only
the plans that changed between two rebuilds.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

from . import __version__
from .load import Problem, Record

CACHE_DIR = ".northstar-cache"
_FORMAT = 1
# A file modified this recently may be modified again within the same tick of
# the file system's clock, keeping its size and time: it is parsed, not cached.
RACY_SECONDS = 2.0
_ALLOWED = {("mkdocs_northstar.load", "Record"): Record, ("mkdocs_northstar.load", "Problem"): Problem}
_PACKAGE = Path(__file__).parent


def _fingerprint() -> str:
    """Changes whenever the code that parses records may have: another release,
    another Python, or an edited source file (in a development install)."""
    parts = [str(_FORMAT), __version__, sys.version]
    for source in sorted(_PACKAGE.glob("*.py")):
        stat = source.stat()
        parts.append(f"{source.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class _RecordsOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[module, name]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} has no place in a record cache") from None


def _stamp(stat: os.stat_result) -> tuple[int, int, int, int]:
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


class RecordCache:
    """Records by plan file. Pass it to `analyse`; `hits` and `misses` count the
    files taken from it and the files parsed in the last run."""

    def __init__(self, file: Path | None = None):
        self.file = file  # None: kept in memory only
        self.hits = self.misses = 0
        self._entries: dict[str, tuple[tuple, Record]] = {}  # absolute path -> (stamp, record)
        self._stamps: dict[str, tuple] = {}  # stamps taken in this run, before reading
        self._seen: set[str] = set()
        self._changed = False
        if file is not None:
            self._entries = self._load(file)

    @classmethod
    def beside(cls, root: Path, plans_root: Path) -> RecordCache:
        """The on-disk cache of the plans in plans_root, in root/.northstar-cache."""
        name = hashlib.sha256(str(plans_root).encode()).hexdigest()[:16]
        return cls(root / CACHE_DIR / f"records-{name}.pickle")

    @staticmethod
    def _load(file: Path) -> dict:
        try:
            with open(file, "rb") as handle:
                stored = _RecordsOnly(handle).load()
        except FileNotFoundError:
            return {}
        except Exception:  # noqa: BLE001 - any damage at all means: start again
            return {}
        if not isinstance(stored, dict) or stored.get("fingerprint") != _fingerprint():
            return {}
        entries = stored.get("entries")
        return entries if isinstance(entries, dict) else {}

    def start(self) -> None:
        """Begin a run: counts start at zero and files not seen again are forgotten."""
        self.hits = self.misses = 0
        self._seen = set()
        self._stamps = {}

    def get(self, absolute: Path, path: str, source: str) -> Record | None:
        key = str(absolute)
        self._seen.add(key)
        try:
            stamp = _stamp(os.stat(key))
        except OSError:
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

    def put(self, absolute: Path, record: Record) -> None:
        key = str(absolute)
        stamp = self._stamps.pop(key, None)
        if stamp is None:
            return
        if time.time() - stamp[1] / 1e9 < RACY_SECONDS:
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
            self._write(self.file)
        except OSError:
            pass  # a read-only checkout: the next run parses again, nothing is lost

    def _write(self, file: Path) -> None:
        folder = file.parent
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            # Like .pytest_cache: ignored by git even where .gitignore does not say so.
            (folder / ".gitignore").write_text("# Created by northstar: safe to delete.\n*\n")
            (folder / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n"
                                                 "# northstar's record cache: safe to delete.\n")
        data = pickle.dumps({"fingerprint": _fingerprint(), "entries": self._entries},
                            protocol=pickle.HIGHEST_PROTOCOL)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".records-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as output:
                output.write(data)
            os.replace(temporary, file)
        except BaseException:
            os.unlink(temporary)
            raise
