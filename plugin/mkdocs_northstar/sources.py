"""Other strategies this one names as sources (contract v1.2): their configuration and reading.

`parse_sources` validates the plugin options `name` and `sources`; `option_lines` finds
the line of each option in mkdocs.yml, so that every problem points at its source's key.
`read_source` reads one source, a project folder (`path`), a file written by `northstar
export` (`export`) or a git repository read without a work tree (`git`), into a few
neutral `ForeignRecord`s. What is read is never judged again (the source's own CI does
that), a source's own sources are not followed, and a source that cannot be read is
one problem of rule `source`, never an exception.

What an export or a git commit held is kept in `.northstar-cache/sources/`, keyed by the
export's content or the commit and config path, so a warm read costs a hash or a
`git rev-parse` per source. The cache never follows a symbolic link.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from .read import schema
from .diagnostics import ERROR, Diagnostic
from .read.front_matter import Problem

RULE = "source"
KINDS = ("path", "export", "git")  # exclusive: each source has exactly one
KEYS = (*KINDS, "ref", "config", "url")
GIT_ONLY = ("ref", "config")
LINK_KEYS = ("objectives", "themes", "parent", "depends_on")
EXPORT_VERSION = 1
MAX_EXPORT_BYTES = 64 * 1024 * 1024  # an export is data for tools: far more is a mistake or an attack
CACHE_FOLDER = ("sources",)  # below .northstar-cache
_CACHE_FORMAT = 1
# scheme://…, transport::address or user@host:path: what git reads as a URL
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*(://|::)|^[^/\s]+@[^/\s]+:")
_ALLOWED_PROTOCOLS = "file:git:http:https:ssh"


@dataclass(frozen=True)
class SourceSpec:
    """One entry of `sources:`, checked; paths already relative to the mkdocs.yml folder."""

    name: str
    kind: str  # path, export or git
    location: str  # as written in mkdocs.yml
    target: str  # an absolute path, or a URL (git only)
    line: int  # of the source's key in mkdocs.yml (1 where unknown)
    ref: str = "HEAD"  # git only
    config: str = "mkdocs.yml"  # git only: the project's config inside the repository
    url: str | None = None  # where the source's site is published (its url_prefix folder)


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


class Unreadable(Exception):
    """Why a source could not be read; becomes its one `source` problem."""


# --- Configuration ---------------------------------------------------------------------------


def option_lines(config_file: str | Path) -> dict[tuple[str, ...], list[int]]:
    """The lines of the northstar plugin's `name` and `sources` options in mkdocs.yml:
    ("name",), ("sources",), ("sources", NAME) and ("sources", NAME, KEY) → the lines
    holding that key, in file order (a key written twice has two). Empty when the file
    cannot be read or the options come from an INHERITed file."""
    from .settings import PLUGIN_NAME, _ConfigLoader
    from .read.limits import TooBig, check_depth

    try:
        text = Path(config_file).read_text(encoding="utf-8")
        check_depth(text, _ConfigLoader)
        loader = _ConfigLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except (OSError, UnicodeDecodeError, yaml.YAMLError, TooBig, ValueError):
        return {}
    plugins = _value(root, "plugins")
    entries = []
    if isinstance(plugins, yaml.SequenceNode):
        entries = [_value(item, PLUGIN_NAME) for item in plugins.value]
    elif isinstance(plugins, yaml.MappingNode):
        entries = [_value(plugins, PLUGIN_NAME)]
    options = next((entry for entry in entries if isinstance(entry, yaml.MappingNode)), None)
    lines: dict[tuple[str, ...], list[int]] = {}
    if options is None:
        return lines
    for key, value in options.value:
        name = _scalar(key)
        if name in ("name", "sources"):
            lines.setdefault((name,), []).append(key.start_mark.line + 1)
        if name == "sources" and isinstance(value, yaml.MappingNode):
            for source_key, source_value in value.value:
                source = _scalar(source_key) or ""
                lines.setdefault(("sources", source), []).append(source_key.start_mark.line + 1)
                if isinstance(source_value, yaml.MappingNode):
                    for inner_key, _ in source_value.value:
                        lines.setdefault(("sources", source, _scalar(inner_key) or ""), []).append(
                            inner_key.start_mark.line + 1)
    return lines


def _scalar(node) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _value(node, key: str):
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if _scalar(key_node) == key:
                return value
    return None


def parse_sources(options: Mapping[str, Any] | None, lines: Mapping[tuple[str, ...], list[int]] | None,
                  config_path: str | Path) -> tuple[str | None, list[SourceSpec], list[Problem]]:
    """This strategy's `name`, its checked sources and the problems found (rule `source`,
    each at the line of its key). A bad source is one problem and is left out; the
    others are still returned."""
    options = options or {}
    lines = lines or {}
    folder = Path(config_path).resolve().parent
    problems: list[Problem] = []

    def line(*path: str, last: bool = False) -> int:
        found = lines.get(path) or lines.get(path[:2]) or lines.get(path[:1]) or [1]
        return found[-1] if last else found[0]

    name = options.get("name")
    if name is not None and not schema.is_valid_id(name):
        problems.append(Problem(RULE, line("name"), f"name {_shown(name)} is not a valid strategy name: use "
                                "lower-case letters, digits and '-', starting with a letter or digit"))
        name = None
    given = options.get("sources")
    if given is None:
        return name, [], problems
    if not isinstance(given, Mapping):
        problems.append(Problem(RULE, line("sources"), f"sources must map source names to a path, export or git "
                                f"location, got {schema.type_name(given)}"))
        return name, [], problems
    specs = []
    for source, entry in given.items():
        where = line("sources", str(source), last=True)  # of a source named twice, the last one is read
        twice = lines.get(("sources", str(source)), [])
        if len(twice) > 1:
            problems.append(Problem(RULE, twice[-1], f"source '{source}' is named twice (also on line {twice[0]}); "
                                    "only this last one is read"))
        try:
            specs.append(_spec(source, entry, where, folder, name))
        except Unreadable as problem:
            key = getattr(problem, "key", None)
            problems.append(Problem(RULE, line("sources", str(source), key, last=True) if key else where,
                                    str(problem)))
    return name, specs, problems


def _shown(value: object) -> str:
    return f"'{value}'" if isinstance(value, str) else f"of type {schema.type_name(value)}"


def _located(message: str, key: str | None = None) -> Unreadable:
    problem = Unreadable(message)
    problem.key = key
    return problem


def _spec(source: object, entry: object, line: int, folder: Path, own_name: str | None) -> SourceSpec:
    if not schema.is_valid_id(source):
        raise _located(f"source name {_shown(source)} is not valid: use lower-case letters, digits and '-', "
                       "starting with a letter or digit")
    if own_name is not None and source == own_name:
        raise _located(f"source '{source}' has this strategy's own name: 'NAME:ID' with it names a local record")
    if isinstance(entry, str):
        raise _located(f"source '{source}' must be a mapping with path, export or git (write 'path: {entry}')")
    if not isinstance(entry, Mapping):
        raise _located(f"source '{source}' must be a mapping with path, export or git, "
                       f"got {schema.type_name(entry)}")
    for key in entry:
        if key not in KEYS:
            hint = schema.suggest(str(key), KEYS)
            raise _located(f"source '{source}' has unknown key '{key}'"
                           + (f": did you mean '{hint}'?" if hint else f" (use {', '.join(KEYS)})"), str(key))
    kinds = [kind for kind in KINDS if kind in entry]
    if len(kinds) != 1:
        said = " and ".join(kinds) if kinds else "none of them"
        raise _located(f"source '{source}' needs exactly one of path, export or git; it has {said}",
                       kinds[-1] if kinds else None)
    kind = kinds[0]
    for key in KEYS[3:]:
        value = entry.get(key)
        if key in entry and (not isinstance(value, str) or not value.strip()):
            raise _located(f"source '{source}': {key} must be a non-empty string, got {schema.type_name(value)}", key)
        if key in GIT_ONLY and key in entry and kind != "git":
            raise _located(f"source '{source}': {key} goes with git only, not with {kind}", key)
    location = entry[kind]
    if not isinstance(location, str) or not location.strip():
        raise _located(f"source '{source}': {kind} must be a non-empty string, got {schema.type_name(location)}", kind)
    url = entry.get("url")
    if url is not None and not re.match(r"^https?://\S+$", url):
        raise _located(f"source '{source}': url '{url}' is not an http or https URL", "url")
    config = entry.get("config", "mkdocs.yml")
    if posixpath.isabs(config) or ".." in config.split("/"):
        raise _located(f"source '{source}': config '{config}' must be a path inside the repository", "config")
    ref = entry.get("ref", "HEAD")
    if ref.startswith("-"):
        raise _located(f"source '{source}': ref '{ref}' is not a revision", "ref")
    if kind == "git" and _URL_RE.match(location):
        target = location
    else:
        target = str((folder / os.path.expanduser(location)).resolve())
    return SourceSpec(name=str(source), kind=kind, location=location, target=target, line=line, ref=ref,
                      config=config, url=url)


def local_name_clashes(specs: Iterable[SourceSpec], local_ids: Mapping[str, str]) -> list[Problem]:
    """Sources named like a record of this strategy (`local_ids`: id → file): `NAME:ID`
    and a record's id would read alike to people, so the name must differ."""
    return [Problem(RULE, spec.line, f"source '{spec.name}' is named like the record '{spec.name}' "
                    f"({local_ids[spec.name]}); give the source another name")
            for spec in specs if spec.name in local_ids]


def as_diagnostics(problems: Iterable[Problem], config_file: str | Path,
                   severity: str = ERROR) -> list[Diagnostic]:
    """Problems of rule `source` as diagnostics on mkdocs.yml (its name: paths are relative
    to its folder); severity `off` gives none."""
    if severity == "off":
        return []
    name = Path(config_file).name
    return [Diagnostic(file=name, line=problem.line, rule=problem.rule, severity=severity, id=None,
                       message=problem.message) for problem in problems]


def problems_of(results: Iterable[SourceResult]) -> list[Problem]:
    return [result.problem for result in results if result.problem is not None]


# --- Reading ---------------------------------------------------------------------------------


def read_sources(specs: Iterable[SourceSpec], cache_dir: Path | None = None) -> list[SourceResult]:
    return [read_source(spec, cache_dir) for spec in specs]


def read_source(spec: SourceSpec, cache_dir: Path | None = None) -> SourceResult:
    """What `spec` holds; a source that cannot be read comes back with its `problem` set."""
    reader = {"path": _read_path, "export": _read_export, "git": _read_git}[spec.kind]
    try:
        result = reader(spec, cache_dir)
    except Unreadable as problem:
        return SourceResult(spec.name, spec.kind, problem=Problem(RULE, spec.line, f"source '{spec.name}': {problem}"))
    except RecursionError:
        return SourceResult(spec.name, spec.kind,
                            problem=Problem(RULE, spec.line, f"source '{spec.name}': nested too deeply to read"))
    return result


def _page_url(base: str | None, page: str) -> str | None:
    if not base:
        return None
    return f"{base.rstrip('/')}/{page[:-3] if page.endswith('.md') else page}/"


def _settings_of(config_file: Path, read_text=None):
    """The source project's settings and its own `name`, from its mkdocs.yml. Its
    `sources` are not followed."""
    from .settings import ConfigError, plugin_options, read_config, settings_from

    try:
        config = read_config(config_file, **({"read_text": read_text} if read_text else {}))
        options = plugin_options(config)
        if options is None:
            raise Unreadable(f"{config_file.name} has no northstar plugin: not a strategy")
        if not isinstance(options, Mapping):
            raise Unreadable(f"the northstar options of its {config_file.name} are not a mapping")
        own_name = options.get("name")
        rest = {key: value for key, value in options.items() if key not in ("name", "sources")}
        settings = settings_from(config_file.resolve().parent, rest, docs_dir=str(config.get("docs_dir") or "docs"))
    except ConfigError as error:
        raise Unreadable(str(error)) from None
    return settings, own_name if schema.is_valid_id(own_name) else None


def _from_analysis(analysis, spec: SourceSpec, own_name: str | None, read: dict) -> SourceResult:
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
            period=node.period, links=links, page=node.page, url=_page_url(spec.url, node.page),
            progress=node.progress, health=getattr(node, "health", None)))
    return SourceResult(name=spec.name, kind=spec.kind, read=read, own_name=own_name, records=records)


def _read_path(spec: SourceSpec, cache_dir: Path | None) -> SourceResult:
    from .analysis import analyse
    from .settings import ConfigError

    target = Path(spec.target)
    config_file = target if target.is_file() else target / "mkdocs.yml"
    if not target.exists():
        raise Unreadable(f"folder '{spec.location}' does not exist")
    if not config_file.is_file():
        raise Unreadable(f"'{spec.location}' holds no mkdocs.yml: not a strategy")
    settings, own_name = _settings_of(config_file)
    try:
        analysis = analyse(settings)
    except ConfigError as error:
        raise Unreadable(str(error)) from None
    return _from_analysis(analysis, spec, own_name, {"path": spec.location})


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
    key = _cache_key("export", digest)
    cached = _cache_get(cache_dir, key, spec, read)
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
    _cache_put(cache_dir, key, result)
    return result


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
    page = "/".join(page.split("/")[-2:]) if page.endswith(".md") and "/" in page else f"{kind}s/{entry['id']}.md"

    def text(value):
        return value if isinstance(value, str) else None

    effort = fields.get("effort")
    progress = entry.get("progress")
    return ForeignRecord(
        source=spec.name, id=entry["id"], kind=kind, title=text(entry.get("title")) or entry["id"],
        status=text(entry.get("status")) if kind == "plan" else None, team=text(entry.get("team")),
        effort=effort if isinstance(effort, (int, float)) and not isinstance(effort, bool) and effort > 0 else None,
        period=text(entry.get("period")), links=links, page=page, url=_page_url(spec.url, page),
        progress=progress if isinstance(progress, (int, float)) and not isinstance(progress, bool) else None,
        health=text(entry.get("health")))


# Git ---------------------------------------------------------------------------------------------


def _store(git_dir: Path):
    """diff.Repository over a repository given by its git folder, bare or not: no work
    tree is needed or touched, and git never looks for a repository further up."""
    from .diff import GitError, Repository

    class Store(Repository):
        def __init__(self, folder: Path):  # noqa: D401 - no `rev-parse --show-toplevel`: may be bare
            self.folder = self.top = folder

        def _git(self, *args: str, cwd: Path | None = None, stdin: bytes | None = None) -> bytes:
            environment = {**os.environ, "GIT_ALLOW_PROTOCOL": _ALLOWED_PROTOCOLS, "GIT_TERMINAL_PROMPT": "0"}
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
    if _URL_RE.match(spec.target):
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
    folder = _cache_folder(cache_dir, create=True)
    if folder is None:
        raise Unreadable("the cache folder is a symbolic link or cannot be written; not cloning into it")
    clone = folder / ("git-" + hashlib.sha256(spec.target.encode()).hexdigest()[:24])
    if os.path.islink(clone):
        raise Unreadable("the cache folder holds a symbolic link where the clone belongs; not following it")
    environment = {**os.environ, "GIT_ALLOW_PROTOCOL": _ALLOWED_PROTOCOLS, "GIT_TERMINAL_PROMPT": "0"}
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


def _read_git(spec: SourceSpec, cache_dir: Path | None) -> SourceResult:
    from .analysis import analyse_files
    from .diff import _plan_files

    git_dir = _git_dir(spec, cache_dir)
    # A warm read needs only the commit: read from the ref files where that is plain, as git
    # would (a subprocess per source cost more than all the rest of a warm read).
    commit = _quick_commit(git_dir, spec.ref) if cache_dir is not None else None
    if commit is not None:
        read = {"commit": commit, "ref": spec.ref, "config": spec.config}
        cached = _cache_get(cache_dir, _cache_key("git", commit, spec.config), spec, read)
        if cached is not None:
            return cached
    store, GitError = _store(git_dir)
    try:
        commit = store.commit(spec.ref)
    except GitError:
        raise Unreadable(f"'{spec.ref}' is not a commit in '{spec.location}'") from None
    read = {"commit": commit, "ref": spec.ref, "config": spec.config}
    key = _cache_key("git", commit, spec.config)
    cached = _cache_get(cache_dir, key, spec, read)
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
        settings, own_name = _settings_of(root / spec.config, read_text)
        plans_path = posixpath.normpath(posixpath.join(posixpath.dirname(spec.config), settings.plans_dir))
        if plans_path.startswith("../") or plans_path == "..":
            raise Unreadable(f"plans_dir '{settings.plans_dir}' lies outside the repository")
        files, problems = _plan_files(store, commit, plans_path, settings.plans_root)
    except GitError as error:
        raise Unreadable(f"'{spec.location}': {error}") from None
    if not files:
        raise Unreadable(f"no plans in '{plans_path}' at {spec.ref} ({commit[:12]})")
    result = _from_analysis(analyse_files(settings, files, problems), spec, own_name, read)
    _cache_put(cache_dir, key, result)
    return result


# Cache -------------------------------------------------------------------------------------------

_FINGERPRINT: list[str] = []


def _cache_key(*parts: str) -> str:
    if not _FINGERPRINT:
        from .cache import _fingerprint

        _FINGERPRINT.append(_fingerprint())
    return hashlib.sha256("\0".join((str(_CACHE_FORMAT), _FINGERPRINT[0], *parts)).encode()).hexdigest()


def _cache_folder(cache_dir: Path, create: bool = False) -> Path | None:
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


def _cache_get(cache_dir: Path | None, key: str, spec: SourceSpec, read: dict) -> SourceResult | None:
    folder = _cache_folder(cache_dir) if cache_dir is not None else None
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
                                 _page_url(base, page) if base else None, progress, health)
                   for record_id, kind, title, status, team, effort, period, links, page, progress, health
                   in stored["records"]]
        own_name = stored.get("own_name")
        return SourceResult(spec.name, spec.kind, read=read, own_name=own_name if schema.is_valid_id(own_name) else None,
                            records=records, cached=True)
    except Exception:  # noqa: BLE001 - missing, a link, corrupt or foreign: read the source again
        return None


def _cache_put(cache_dir: Path | None, key: str, result: SourceResult) -> None:
    folder = _cache_folder(cache_dir, create=True) if cache_dir is not None else None
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
