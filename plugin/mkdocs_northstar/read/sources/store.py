"""What reading a source gives (neutral ForeignRecords) and where it is kept: what an
export or a git commit held is kept in `.northstar-cache/sources/`, keyed by the
export's content or the commit and config path, so a warm read costs a hash or a
`git rev-parse` per source. The cache never follows a symbolic link."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .. import schema
from ..front_matter import Problem
from .config import LINK_KEYS, SourceSpec

CACHE_FOLDER = ("sources",)  # below .northstar-cache
_CACHE_FORMAT = 1


@dataclass(slots=True)
class ForeignRecord:
    """A record of another strategy, as that strategy holds it. (Not frozen: made by the
    ten thousand from the cache, where a frozen dataclass's slower creation shows.)"""

    source: str  # the name this strategy gives the source
    id: str
    kind: str  # objective, theme or plan
    title: str
    status: str | None  # plans only
    team: str | None
    effort: float | int | None
    period: str | None
    links: dict[str, list[str]]  # objectives, themes, parent, depends_on: as written, qualified or not
    page: str  # below the source's url_prefix: objectives/<slug>.md, ...
    url: str | None = None  # its page on the source's site, where the source's `url` is given
    progress: float | None = None
    health: str | None = None


@dataclass
class SourceResult:
    name: str
    kind: str
    read: dict[str, Any] = field(default_factory=dict)  # commit / path and sha256 of what was read
    own_name: str | None = None  # the `name` the source gives itself
    records: list[ForeignRecord] = field(default_factory=list)
    problem: Problem | None = None  # set when the source could not be read
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.problem is None

    def counts(self) -> dict[str, int]:
        found = {"objectives": 0, "themes": 0, "plans": 0}
        for record in self.records:
            found[record.kind + "s"] += 1
        return found


def problems_of(results: Iterable[SourceResult]) -> list[Problem]:
    return [result.problem for result in results if result.problem is not None]


def page_url(base: str | None, page: str) -> str | None:
    if not base:
        return None
    return f"{base.rstrip('/')}/{page[:-3] if page.endswith('.md') else page}/"


def from_analysis(analysis, spec: SourceSpec, own_name: str | None, read: dict) -> SourceResult:
    records = []
    seen = set()
    for node in analysis.strategy.nodes:
        if node.record.broken or not node.id or node.id in seen:
            continue  # only what others can link to: one record per id
        seen.add(node.id)
        fields = node.record.fields
        links = {}
        for key in LINK_KEYS:
            value = fields.get(key)
            if value:
                links[key] = [value] if isinstance(value, str) else list(value)
        records.append(ForeignRecord(
            source=spec.name, id=node.id, kind=node.kind, title=node.title,
            status=node.status if node.kind == "plan" else None, team=node.team, effort=node.effort,
            period=node.period, links=links, page=node.page, url=page_url(spec.url, node.page),
            progress=node.progress, health=getattr(node, "health", None)))
    return SourceResult(name=spec.name, kind=spec.kind, read=read, own_name=own_name, records=records)


_FINGERPRINT: list[str] = []


def cache_key(*parts: str) -> str:
    if not _FINGERPRINT:
        from ...cache import code_fingerprint

        _FINGERPRINT.append(code_fingerprint())
    return hashlib.sha256("\0".join((str(_CACHE_FORMAT), _FINGERPRINT[0], *parts)).encode()).hexdigest()


def cache_folder(cache_dir: Path, create: bool = False) -> Path | None:
    """cache_dir/sources, or None where any of the two is a symbolic link (or cannot be made)."""
    folder = Path(cache_dir)
    for part in CACHE_FOLDER:
        if os.path.islink(folder):
            return None
        folder = folder / part
    if os.path.islink(folder):
        return None
    if not folder.is_dir():
        if not create:
            return None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            ignore = Path(cache_dir) / ".gitignore"
            if not os.path.lexists(ignore):  # like the record cache: ignored by git (never through a link)
                handle = os.open(ignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
                with os.fdopen(handle, "w") as stream:
                    stream.write("# Created by northstar: safe to delete.\n*\n")
        except OSError:
            return None
        if os.path.islink(folder) or os.path.islink(cache_dir):
            return None
    return folder


# A record in the cache: its fields but `source` and `url`, which the spec gives.
_ROW = ("id", "kind", "title", "status", "team", "effort", "period", "links", "page", "progress", "health")


def cache_get(cache_dir: Path | None, key: str, spec: SourceSpec, read: dict) -> SourceResult | None:
    folder = cache_folder(cache_dir) if cache_dir is not None else None
    if folder is None:
        return None
    try:
        handle = os.open(folder / f"{key}.json", os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(handle, "rb") as stream:
            stored = json.loads(stream.read())
        if stored.get("key") != key:
            return None
        if stored.get("row") != list(_ROW):
            return None
        name, base = spec.name, spec.url
        records = [ForeignRecord(name, record_id, kind, title, status, team, effort, period, links, page,
                                 page_url(base, page) if base else None, progress, health)
                   for record_id, kind, title, status, team, effort, period, links, page, progress, health
                   in stored["records"]]
        own_name = stored.get("own_name")
        return SourceResult(spec.name, spec.kind, read=read, own_name=own_name if schema.is_valid_id(own_name) else None,
                            records=records, cached=True)
    except Exception:  # noqa: BLE001 - missing, a link, corrupt or foreign: read the source again
        return None


def cache_put(cache_dir: Path | None, key: str, result: SourceResult) -> None:
    folder = cache_folder(cache_dir, create=True) if cache_dir is not None else None
    if folder is None:
        return
    rows = [[getattr(record, name) for name in _ROW] for record in result.records]
    data = json.dumps({"key": key, "row": _ROW, "own_name": result.own_name, "records": rows},
                      separators=(",", ":")).encode()
    temporary = folder / f".{key}-{os.getpid()}.tmp"
    try:
        # O_EXCL and O_NOFOLLOW: a file or link planted under the temporary name is never written through.
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, folder / f"{key}.json")  # replaces a link itself, never its target
    except OSError:
        try:
            if not os.path.islink(temporary):
                temporary.unlink(missing_ok=True)
        except OSError:
            pass
