"""The plugin's settings, read from mkdocs.yml without MkDocs.

`northstar check` runs on every commit, so it must not pay for importing MkDocs,
Material and every other plugin just to learn three options. This module reads
the `northstar` entry of `plugins:` itself, and the MkDocs plugin validates its
options with the same function, so the two cannot disagree.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

from .read import schema
from .diagnostics import SEVERITIES
from .outcomes import STALE_AFTER_DAYS, THRESHOLDS, default_as_of, parse_date
from .read.limits import MAX_EXPANDED_NODES, TooBig, check_depth, check_expansion

PLUGIN_NAME = "northstar"
DEFAULTS = {"plans_dir": "plans", "url_prefix": "strategy", "rules": {},
            # Outcomes over time (contract v1.1): the day health is judged on (default: today, or the
            # day of SOURCE_DATE_EPOCH), the health thresholds, and when a measurement is stale.
            "as_of": None, "health": {"on_track": THRESHOLDS[0], "at_risk": THRESHOLDS[1]},
            "stale_after_days": STALE_AFTER_DAYS,
            # Contract v1.2: this strategy's name and the other strategies it reads.
            "name": None, "sources": None}
_URL_PREFIX = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")


class ConfigError(Exception):
    """mkdocs.yml or the plugin's options are unusable (exit code 2)."""


@dataclass(frozen=True)
class Settings:
    root: Path  # the directory of mkdocs.yml; diagnostics' paths are relative to it
    plans_dir: str = "plans"
    url_prefix: str = "strategy"
    rules: Mapping[str, str] = field(default_factory=dict)
    docs_dir: str = "docs"
    repo_url: str | None = None
    edit_uri: str | None = None
    use_directory_urls: bool = True  # how the site serves pages; links in raw HTML depend on it
    # Outcomes over time: the day health is judged on (always a date, so that a cached verdict
    # of another day does not stand), the on-track and at-risk thresholds, and staleness.
    as_of: datetime.date = field(default_factory=default_as_of)
    health: tuple[float, float] = THRESHOLDS
    stale_after_days: int = STALE_AFTER_DAYS
    # Contract v1.2: this strategy's name and its sources, as written; read/sources/config.py
    # checks them, each problem a `source` diagnostic at its line of `config_file`.
    name: Any = None
    sources: Any = None
    config_file: Path | None = None

    @property
    def plans_root(self) -> Path:
        return (self.root / self.plans_dir).resolve()


def validate_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Check the plugin's options; return them with defaults filled in."""
    from .rules import RULES  # imported here: rules import this package's model, not the reverse

    if options is None:
        options = {}
    if not isinstance(options, Mapping):
        raise ConfigError(f"the '{PLUGIN_NAME}' plugin's options must be a mapping")
    # MkDocs gives every plugin an `enabled` switch; `check` validates the plans either way.
    if not isinstance(options.get("enabled", True), bool):
        raise ConfigError(f"plugin '{PLUGIN_NAME}': enabled must be true or false")
    options = {key: value for key, value in options.items() if key != "enabled"}
    unknown = [key for key in options if key not in DEFAULTS]
    for key in unknown:
        hint = schema.suggest(str(key), DEFAULTS)
        hint = f": did you mean '{hint}'?" if hint else ""
        raise ConfigError(f"plugin '{PLUGIN_NAME}': unknown option '{key}'{hint}")
    chosen = {**DEFAULTS, **options}

    plans_dir = chosen["plans_dir"]
    if not isinstance(plans_dir, str) or not plans_dir.strip():
        raise ConfigError(f"plugin '{PLUGIN_NAME}': plans_dir must be a folder name")
    if os.path.isabs(plans_dir) or plans_dir.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", plans_dir):
        raise ConfigError(f"plugin '{PLUGIN_NAME}': plans_dir must be a folder inside the project, relative to "
                          f"mkdocs.yml, without '..' (got {plans_dir!r}): every file in it is published")
    url_prefix = chosen["url_prefix"]
    if not isinstance(url_prefix, str) or not _URL_PREFIX.match(url_prefix.strip("/")):
        raise ConfigError(f"plugin '{PLUGIN_NAME}': url_prefix must be a path of letters, digits, '-' and '_' "
                          f"(got {url_prefix!r})")
    rules = chosen["rules"] or {}
    if not isinstance(rules, Mapping):
        raise ConfigError(f"plugin '{PLUGIN_NAME}': rules must map rule ids to error, warning or off")
    severities = {}
    for rule_id, severity in rules.items():
        if rule_id not in RULES:
            hint = schema.suggest(str(rule_id), RULES)
            hint = f": did you mean '{hint}'?" if hint else ""
            raise ConfigError(f"plugin '{PLUGIN_NAME}': unknown rule '{rule_id}'{hint}")
        if severity is False:  # YAML 1.1 reads a bare `off` as false
            severity = "off"
        if severity not in SEVERITIES:
            raise ConfigError(f"plugin '{PLUGIN_NAME}': rule '{rule_id}' has severity {severity!r}; "
                              f"use one of {', '.join(SEVERITIES)}")
        severities[rule_id] = severity
    return {"plans_dir": plans_dir, "url_prefix": url_prefix.strip("/"), "rules": severities,
            "as_of": check_as_of(chosen["as_of"]), "health": _health(chosen["health"]),
            "stale_after_days": _stale_after_days(chosen["stale_after_days"]),
            # `name` and `sources` are checked where they are read (read/sources/config.py): a bad
            # source is a located diagnostic of rule `source`, and the rest is still read.
            "name": chosen["name"], "sources": chosen["sources"]}


def check_as_of(value: Any, where: str = f"plugin '{PLUGIN_NAME}': as_of") -> datetime.date:
    """The day outcomes are judged on: a date YYYY-MM-DD; None means today (or SOURCE_DATE_EPOCH's day)."""
    if value is None:
        return default_as_of()
    day = parse_date(value)
    if day is None:
        raise ConfigError(f"{where} must be a date YYYY-MM-DD (got {value!r})")
    return day


def _health(value: Any) -> tuple[float, float]:
    where = f"plugin '{PLUGIN_NAME}': health"
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must map on_track and at_risk to shares of the expected progress "
                          "(on_track: 0.9, at_risk: 0.7)")
    for key in value:
        if key not in ("on_track", "at_risk"):
            hint = schema.suggest(str(key), ("on_track", "at_risk"))
            raise ConfigError(f"{where}: unknown key '{key}'" + (f": did you mean '{hint}'?" if hint else ""))
    chosen = {"on_track": THRESHOLDS[0], "at_risk": THRESHOLDS[1], **value}
    for key, number in chosen.items():
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 <= number <= 10:
            raise ConfigError(f"{where}: {key} must be a number from 0 to 10 (a share of the expected "
                              f"progress; got {number!r})")
    if chosen["at_risk"] > chosen["on_track"]:
        raise ConfigError(f"{where}: at_risk ({chosen['at_risk']}) is above on_track ({chosen['on_track']})")
    return float(chosen["on_track"]), float(chosen["at_risk"])


def _stale_after_days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"plugin '{PLUGIN_NAME}': stale_after_days must be a whole number of days, "
                          f"at least 1 (got {value!r})")
    return value


def check_inside(root: Path, plans_dir: str) -> None:
    """Refuse a plans_dir that leads out of the project (the directory of mkdocs.yml)
    through a symbolic link: every file below it is copied into the site."""
    project = Path(os.path.realpath(root))
    target = Path(os.path.realpath(project / plans_dir))
    if not (target == project or target.is_relative_to(project)):
        raise ConfigError(f"plugin '{PLUGIN_NAME}': plans_dir '{plans_dir}' leads to {target}, outside the project "
                          f"folder {project} (a symbolic link?); keep the plans inside it")


def settings_from(root: Path, options: Mapping[str, Any] | None, *, docs_dir: str = "docs",
                  repo_url: str | None = None, edit_uri: str | None = None,
                  config_file: Path | None = None) -> Settings:
    checked = validate_options(options or {})
    check_inside(root, checked["plans_dir"])
    return Settings(root=root, plans_dir=checked["plans_dir"], url_prefix=checked["url_prefix"],
                    rules=checked["rules"], docs_dir=docs_dir, repo_url=repo_url, edit_uri=edit_uri,
                    as_of=checked["as_of"], health=checked["health"],
                    stale_after_days=checked["stale_after_days"],
                    name=checked["name"], sources=checked["sources"],
                    config_file=config_file or root / "mkdocs.yml")


# --- Reading mkdocs.yml --------------------------------------------------------------


class ConfigLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loading that understands MkDocs' own tags and tolerates any other."""


def _env(loader: yaml.Loader, node: yaml.Node) -> Any:
    # `!ENV NAME` or `!ENV [NAME, OTHER, default]`: the first variable set wins.
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        items = loader.construct_sequence(node)
        names, default = items[:-1] or items, (items[-1] if len(items) > 1 else None)
    for name in names:
        if isinstance(name, str) and name in os.environ:
            return yaml.load(os.environ[name], Loader=yaml.SafeLoader) if os.environ[name] else None
    return default


def _any_tag(loader: yaml.Loader, suffix: str, node: yaml.Node) -> Any:
    # `!!python/name:material.extensions.emoji.twemoji` and friends name code in other
    # packages; they matter to MkDocs, not to us, so keep the plain value, or the name
    # such a tag gives (its value is empty): `generate` asks whose icon index it is.
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node) or (suffix[len("name:"):] if suffix.startswith("name:") else "")
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


ConfigLoader.add_constructor("!ENV", _env)
ConfigLoader.add_multi_constructor("!", _any_tag)
ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _any_tag)


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _read_yaml(path: Path, read_text: Callable[[Path], str] = _read_text,
               budget: int = MAX_EXPANDED_NODES) -> tuple[dict, int]:
    """The file's data, and how many values it holds with its aliases expanded (at most
    `budget`: more is a ConfigError naming the file and line)."""
    try:
        text = read_text(path)
    except FileNotFoundError:
        raise ConfigError(f"config file '{path}' does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read config file '{path}': {error}") from None
    loader = ConfigLoader(text)
    try:
        check_depth(text, ConfigLoader)
        root = loader.get_single_node()
        size = check_expansion(root, budget) if root is not None else 0
        data = loader.construct_document(root) if root is not None else None
    except TooBig as error:
        raise ConfigError(f"config file '{path}', line {error.line}: {error.message}"
                          + (" (in all the files of the INHERIT chain)" if budget < MAX_EXPANDED_NODES else "")) from None
    except (yaml.YAMLError, ValueError) as error:
        raise ConfigError(f"config file '{path}' is not valid YAML: {error}") from None
    finally:
        loader.dispose()
    if data is None:
        return {}, size
    if not isinstance(data, dict):
        raise ConfigError(f"config file '{path}' must be a mapping")
    return data, size


def _merge(parent: dict, child: dict) -> dict:
    # How MkDocs' INHERIT works: mappings merge key by key, anything else is replaced.
    # Merging walks (and copies) what aliases share, so read_config holds every file of
    # an INHERIT chain to one budget of expanded values.
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_config(path: Path, _seen: tuple[Path, ...] = (), read_text: Callable[[Path], str] = _read_text,
                _budget: int = MAX_EXPANDED_NODES) -> dict:
    """mkdocs.yml as data, with INHERIT resolved. `read_text` reads a file (from
    another place than the disk, such as a git revision, for `northstar diff`)."""
    path = path.resolve()
    if path in _seen:
        raise ConfigError(f"config file '{path}' inherits from itself")
    data, size = _read_yaml(path, read_text, _budget)
    parent = data.pop("INHERIT", None)
    if parent:
        data = _merge(read_config(path.parent / str(parent), _seen + (path,), read_text, _budget - size), data)
    return data


def plugin_options(config: dict) -> dict | None:
    """The options of the northstar entry in `plugins:`, or None if it is not there."""
    plugins = config.get("plugins")
    if isinstance(plugins, dict):  # MkDocs also accepts plugins as a mapping
        plugins = [{name: options} for name, options in plugins.items()]
    for entry in plugins or []:
        if entry == PLUGIN_NAME:
            return {}
        if isinstance(entry, dict) and PLUGIN_NAME in entry:
            return entry[PLUGIN_NAME] or {}
    return None


def read_settings(config_file: str | Path = "mkdocs.yml", read_text: Callable[[Path], str] = _read_text) -> Settings:
    """Settings from an mkdocs.yml; a missing northstar entry means the defaults."""
    path = Path(config_file)
    config = read_config(path, read_text=read_text)
    options = plugin_options(config)
    docs_dir = config.get("docs_dir") or "docs"
    repo_url = config.get("repo_url") if isinstance(config.get("repo_url"), str) else None
    edit_uri = config.get("edit_uri") if isinstance(config.get("edit_uri"), str) else None
    settings = settings_from(path.resolve().parent, options, docs_dir=str(docs_dir), repo_url=repo_url,
                             edit_uri=edit_uri, config_file=path.resolve())
    return replace(settings, use_directory_urls=config.get("use_directory_urls") is not False)
