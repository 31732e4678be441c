"""Other strategies this one names as sources (contract v1.2): `read_source` reads one
source, a project folder (`path`), a file written by `northstar export` (`export`) or a
git repository read without a work tree (`git`, git.py), into a few neutral
`ForeignRecord`s. What is read is never judged again (the source's own CI does that), a
source's own sources are not followed, and a source that cannot be read is one problem
of rule `source`, never an exception."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from pathlib import Path
from typing import Iterable

from .. import schema
from ..front_matter import Problem
from .config import EXPORT_VERSION, LINK_KEYS, MAX_EXPORT_BYTES, RULE, SourceSpec, Unreadable, settings_of
from .git import read_git
from .store import ForeignRecord, SourceResult, cache_get, cache_key, cache_put, from_analysis, page_url

def read_sources(specs: Iterable[SourceSpec], cache_dir: Path | None = None) -> list[SourceResult]:
    return [read_source(spec, cache_dir) for spec in specs]


def read_source(spec: SourceSpec, cache_dir: Path | None = None) -> SourceResult:
    """What `spec` holds; a source that cannot be read comes back with its `problem` set."""
    reader = {"path": _read_path, "export": _read_export, "git": read_git}[spec.kind]
    try:
        result = reader(spec, cache_dir)
    except Unreadable as problem:
        return SourceResult(spec.name, spec.kind, problem=Problem(RULE, spec.line, f"source '{spec.name}': {problem}"))
    except RecursionError:
        return SourceResult(spec.name, spec.kind,
                            problem=Problem(RULE, spec.line, f"source '{spec.name}': nested too deeply to read"))
    return result


def _read_path(spec: SourceSpec, cache_dir: Path | None) -> SourceResult:
    from ...analysis import analyse
    from ...settings import ConfigError

    target = Path(spec.target)
    config_file = target if target.is_file() else target / "mkdocs.yml"
    if not target.exists():
        raise Unreadable(f"folder '{spec.location}' does not exist")
    if not config_file.is_file():
        raise Unreadable(f"'{spec.location}' holds no mkdocs.yml: not a strategy")
    settings, own_name = settings_of(config_file)
    try:
        analysis = analyse(settings)
    except ConfigError as error:
        raise Unreadable(str(error)) from None
    return from_analysis(analysis, spec, own_name, {"path": spec.location})


# Exports ---------------------------------------------------------------------------------------


def _read_export(spec: SourceSpec, cache_dir: Path | None) -> SourceResult:
    try:
        # Non-blocking: a named pipe given as the export fails at once instead of waiting forever.
        handle = os.open(spec.target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(handle, "rb") as stream:
            if os.path.isdir(spec.target):
                raise IsADirectoryError
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                raise Unreadable(f"'{spec.location}' is not a regular file")
            raw = stream.read(MAX_EXPORT_BYTES + 1)
    except FileNotFoundError:
        raise Unreadable(f"export file '{spec.location}' does not exist") from None
    except IsADirectoryError:
        raise Unreadable(f"'{spec.location}' is a folder, not a file written by 'northstar export'") from None
    except OSError as error:
        raise Unreadable(f"cannot read '{spec.location}': {error.strerror or error}") from None
    if len(raw) > MAX_EXPORT_BYTES:
        raise Unreadable(f"'{spec.location}' is larger than {MAX_EXPORT_BYTES // (1024 * 1024)} MB")
    digest = hashlib.sha256(raw).hexdigest()
    read = {"path": spec.location, "sha256": digest}
    key = cache_key("export", digest)
    cached = cache_get(cache_dir, key, spec, read)
    if cached is not None:
        return cached
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Unreadable(f"'{spec.location}' is not JSON written by 'northstar export'") from None
    if not isinstance(document, dict) or "records" not in document:
        raise Unreadable(f"'{spec.location}' is not an export of a strategy (no records)")
    if document.get("version") != EXPORT_VERSION:
        raise Unreadable(f"'{spec.location}' is an export of version {document.get('version')!r}; "
                         f"this Northstar reads version {EXPORT_VERSION}")
    if not isinstance(document["records"], list):
        raise Unreadable(f"'{spec.location}': records must be a list")
    own_name = document.get("name") if schema.is_valid_id(document.get("name")) else None
    result = SourceResult(spec.name, spec.kind, read=read, own_name=own_name,
                          records=[record for entry in document["records"] if (record := _exported(entry, spec))])
    cache_put(cache_dir, key, result)
    return result


_PAGE = re.compile(r"^(objectives|themes|plans)/[a-z0-9][a-z0-9-]*\.md$")


def _exported(entry: object, spec: SourceSpec) -> ForeignRecord | None:
    """A record of an export; None for one nobody could link to (no valid id, broken)."""
    if not isinstance(entry, dict) or not schema.is_valid_id(entry.get("id")) or entry.get("broken"):
        return None
    kind = entry.get("kind")
    if kind not in schema.KINDS:
        return None
    fields = entry.get("fields") if isinstance(entry.get("fields"), dict) else {}
    links = {}
    for key in LINK_KEYS:
        value = fields.get(key)
        value = [value] if isinstance(value, str) else value
        if isinstance(value, list):
            links[key] = [item for item in value if isinstance(item, str)]
    page = entry.get("page") if isinstance(entry.get("page"), str) else ""
    # `<url_prefix>/<kind>s/<slug>.md` in the export; the part below the url_prefix is kept.
    page = "/".join(page.split("/")[-2:])
    if not _PAGE.match(page):  # it names a file of the site: never a path out of its folder
        page = f"{kind}s/{entry['id']}.md"

    def text(value):
        return value if isinstance(value, str) else None

    effort = fields.get("effort")
    progress = entry.get("progress")
    return ForeignRecord(
        source=spec.name, id=entry["id"], kind=kind, title=text(entry.get("title")) or entry["id"],
        status=text(entry.get("status")) if kind == "plan" else None, team=text(entry.get("team")),
        effort=effort if isinstance(effort, (int, float)) and not isinstance(effort, bool) and effort > 0 else None,
        period=text(entry.get("period")), links=links, page=page, url=page_url(spec.url, page),
        progress=progress if isinstance(progress, (int, float)) and not isinstance(progress, bool) else None,
        health=text(entry.get("health")))
