"""The `name` and `sources` options of a strategy (contract v1.2): checked into
SourceSpecs, each problem pointing at its line in mkdocs.yml; and a source project's
own settings."""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from ...diagnostics import ERROR, Diagnostic
from .. import schema
from ..front_matter import Problem

RULE = "source"
KINDS = ("path", "export", "git")  # exclusive: each source has exactly one
KEYS = (*KINDS, "ref", "config", "url")
GIT_ONLY = ("ref", "config")
LINK_KEYS = ("objectives", "themes", "parent", "depends_on")
EXPORT_VERSION = 1
MAX_EXPORT_BYTES = 64 * 1024 * 1024  # an export is data for tools: far more is a mistake or an attack
# scheme://…, transport::address or user@host:path: what git reads as a URL
URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*(://|::)|^[^/\s]+@[^/\s]+:")
ALLOWED_PROTOCOLS = "file:git:http:https:ssh"


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


class Unreadable(Exception):
    """Why a source could not be read; becomes its one `source` problem."""


def option_lines(config_file: str | Path) -> dict[tuple[str, ...], list[int]]:
    """The lines of the northstar plugin's `name` and `sources` options in mkdocs.yml:
    ("name",), ("sources",), ("sources", NAME) and ("sources", NAME, KEY) → the lines
    holding that key, in file order (a key written twice has two). Empty when the file
    cannot be read or the options come from an INHERITed file."""
    from ...settings import PLUGIN_NAME, ConfigLoader
    from ..limits import TooBig, check_depth

    try:
        text = Path(config_file).read_text(encoding="utf-8")
        check_depth(text, ConfigLoader)
        loader = ConfigLoader(text)
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
    if kind == "git" and URL_RE.match(location):
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


def settings_of(config_file: Path, read_text=None):
    """The source project's settings and its own `name`, from its mkdocs.yml. Its
    `sources` are not followed."""
    from ...settings import ConfigError, plugin_options, read_config, settings_from

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
