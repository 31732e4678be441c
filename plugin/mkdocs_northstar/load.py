"""Read plan files into records that remember the line of every key.

A broken file never stops the run: it becomes a record flagged `broken` with the
problems found, so the rest is still checked and nothing the author wrote is lost.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from . import schema
from .flat_yaml import read_flat
from .forked import map_forked
from .yaml_limits import MAX_DEPTH, TooBig, check_depth, check_expansion

try:  # libyaml is ten times faster; fall back to the pure-Python loader without it
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

FRONT_MATTER = "front-matter"
SCHEMA = "schema"

# Limits that keep hostile YAML from exhausting the stack or memory: see yaml_limits.
# Front matter holds keys, not prose; a bigger one is refused before YAML reads it
# (700,000 list items in 2 MB took nine seconds to read and check).
MAX_FRONT_MATTER = 64 * 1024
# Nesting deeper than MAX_DEPTH needs at least that many characters; shorter
# front matter skips the depth scan entirely.
_DEPTH_SCAN_FROM = 2 * MAX_DEPTH
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_STRING_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# YAML 1.1 reads NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR as line breaks; editors
# (and the line numbers of diagnostics) count only '\n', so lines are counted in the text
# (_Lines). In quotes YAML keeps LS and PS but folds NEL into a space; NEL is read as a
# kept break too (as PyYAML writes it), so no character of a quoted scalar is lost.
_YAML_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")
_NEL, _KEPT_BREAKS = "\x85", ("\u2028", "\u2029")
# Every YAML timestamp starts like this; without one (or an explicit tag) no scalar
# can fail to build, and the walk looking for one is skipped.
_DATE_START = re.compile(r"[0-9]{4}-[0-9]")
_HEADING = re.compile(r"\A(?:[ \t]*\n)*# +(.+?)[ \t#]*(?:\n|\Z)")


@dataclass(frozen=True)
class Problem:
    rule: str
    line: int
    message: str


@dataclass
class Record:
    """One plan file as written: validated keys, their lines and the body."""

    path: str  # relative to the directory of mkdocs.yml, with '/'
    source: str  # relative to plans_dir, with '/'
    kind: str
    id: str | None  # None when neither the `id` key nor the file stem is a valid id
    title: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    team: str | None = None
    broken: bool = False  # the front matter could not be read at all
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)

    def get(self, key: str, default=None):
        return self.fields.get(key, default)


class _Handler(frontmatter.YAMLHandler):
    # Only a line of exactly three dashes opens or closes front matter; the stock
    # pattern also swallows the blank lines after it, which would shift every line number.
    FM_BOUNDARY = re.compile(r"^---[ \t]*$", re.MULTILINE)


_HANDLER = _Handler()


class _Loader(_BaseLoader):
    """libyaml's safe loader, remembering what each short plain scalar resolves to:
    plan files repeat the same keys and values ('status', 'planned', ...) thousands
    of times, and the resolver's regular expressions ran for every one of them."""

    _resolved: dict[str, str] = {}
    _MEMO_LENGTH, _MEMO_SIZE = 64, 50_000  # hostile files cannot make it grow without end

    def resolve(self, kind, value, implicit):
        if kind is not yaml.ScalarNode or not implicit[0] or len(value) > self._MEMO_LENGTH:
            return super().resolve(kind, value, implicit)
        tag = self._resolved.get(value)
        if tag is None:
            # A plain scalar's tag depends on its text alone (this loader has no path resolvers).
            tag = super().resolve(kind, value, implicit)
            if len(self._resolved) < self._MEMO_SIZE:
                self._resolved[value] = tag
        return tag


class _Lines:
    """The 0-based line of a mark as editors count it: only '\n' ends a line."""

    __slots__ = ("_text",)

    def __init__(self, matter: str):
        self._text = matter if _YAML_ONLY_BREAK.search(matter) else None

    def of(self, mark) -> int:
        return mark.line if self._text is None else self._text.count("\n", 0, mark.index)

    def plain(self) -> bool:
        """Whether the text holds none of the breaks only YAML sees."""
        return self._text is None

    def text(self, line: int) -> str:
        return self._text.split("\n")[line] if self._text is not None else ""


def _keep_nel(matter: str) -> tuple[str, str | None]:
    """The matter with NEL swapped for a kept break it does not use, and that break."""
    if _NEL in matter:
        for stand_in in _KEPT_BREAKS:
            if stand_in not in matter:
                return matter.replace(_NEL, stand_in), stand_in
    return matter, None


def _restore_nel(root: yaml.Node, stand_in: str) -> None:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            node.value = node.value.replace(stand_in, _NEL)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)


class YamlProblem(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def kind_from_folder(source: str) -> str:
    top = source.split("/", 1)[0] if "/" in source else ""
    return {"objectives": "objective", "themes": "theme"}.get(top, "plan")


def team_from_folder(source: str) -> str | None:
    if "/" not in source:
        return None
    top = source.split("/", 1)[0]
    return None if top in ("objectives", "themes") else top


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Front matter, body, and the file line on which the body starts."""
    if not _HANDLER.detect(text):
        raise YamlProblem(1, "no front matter: the file must start with a '---' line")
    try:
        matter, body = _HANDLER.split(text)
    except ValueError:
        raise YamlProblem(1, "front matter is never closed: no '---' line ends it") from None
    body_line = 1 + matter.count("\n") + 1
    if body.startswith("\n"):
        body = body[1:]
    return matter, body, body_line


def _check_depth(matter: str, lines: _Lines) -> None:
    try:
        check_depth(matter, _BaseLoader)
    except TooBig as problem:
        raise YamlProblem(lines.of(problem.mark) + 1, f"front matter {problem.message}") from None


def _check_expansion(root: yaml.Node, lines: _Lines) -> None:
    try:
        check_expansion(root)
    except TooBig as problem:
        raise YamlProblem(lines.of(problem.mark) + 1, problem.message) from None


def _bad_scalar(loader, root: yaml.Node, lines: _Lines) -> tuple[int, str] | None:
    """The first value that its tag cannot build, with its line: a date such as
    2020-13-01 (PyYAML raises ValueError) or an explicit tag on the wrong text
    (`!!bool maybe` raises KeyError). What is built here is reused by the document."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag != _STRING_TAG:
                try:
                    loader.construct_object(node)
                except yaml.MarkedYAMLError:
                    raise
                except Exception as error:  # noqa: BLE001 - each constructor raises its own kind
                    what = "date" if node.tag == _TIMESTAMP_TAG else node.tag.rsplit(":", 1)[-1]
                    detail = f" ({error})" if type(error) is ValueError else ""
                    return lines.of(node.start_mark), f"'{node.value}' is not a valid {what}{detail}"
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in reversed(node.value) for part in reversed(pair))
    return None


def parse_yaml(matter: str, first_line: int) -> tuple[Any, dict[str, int], list[Problem]]:
    """Parse front matter; return its data, the file line of each top-level key, and
    problems that do not stop the file from being read (duplicate keys)."""
    lines = _Lines(matter)
    if lines.plain():
        flat = read_flat(matter, first_line)  # nearly every plan: flat `key: value` lines, no libyaml needed
        if flat is not None:
            return flat[0], flat[1], []
    matter, stand_in = _keep_nel(matter)
    if len(matter) > _DEPTH_SCAN_FROM:
        try:
            _check_depth(matter, lines)
        except YamlProblem as problem:
            problem.line += first_line - 1
            raise
        except yaml.YAMLError:
            pass  # reported with its location by the full parse below
    loader = _Loader(matter)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, {}, []
        if stand_in:
            _restore_nel(root, stand_in)
        if "&" in matter:
            _check_expansion(root, lines)
        # Only a date or an explicit tag ('!') can fail to build.
        bad_value = _bad_scalar(loader, root, lines) if "!" in matter or _DATE_START.search(matter) else None
        if bad_value:
            raise YamlProblem(bad_value[0] + 1, bad_value[1])
        key_lines, problems = _key_lines(loader, root, first_line, lines)
        data = _construct(loader, root, matter)
    except YamlProblem as problem:
        problem.line += first_line - 1
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (lines.of(mark) if mark else 0) + first_line
        reason = " ".join(part for part in (error.context, error.problem) if part)
        if mark and _indented_with_tab(matter, lines.of(mark)):
            reason += " (a tab indents this line: YAML indents with spaces only)"
        hint = _break_hint(lines, error)
        if hint:
            line, reason = hint[0] + first_line, reason + hint[1]
        raise YamlProblem(line, f"front matter is not valid YAML: {reason}") from None
    except yaml.reader.ReaderError as error:  # a control character; libyaml gives a byte offset
        line = matter.encode("utf-8", "surrogatepass")[: error.position].count(b"\n") + first_line
        raise YamlProblem(line, f"front matter is not valid YAML: character #x{error.character:04x} "
                                f"is not allowed ({error.reason})") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as error:
        # ValueError: PyYAML's constructors raise it for values such as '2020-13-01'.
        raise YamlProblem(first_line, f"front matter is not valid YAML: {error}") from None
    finally:
        loader.dispose()
    return data, key_lines, problems


def _break_hint(lines: _Lines, error: yaml.MarkedYAMLError) -> tuple[int, str] | None:
    """Why YAML saw a line end where the editor shows none: the line that holds the
    break and what to do about it."""
    for mark in (error.context_mark, error.problem_mark):
        line = lines.of(mark) if mark else 0
        found = _YAML_ONLY_BREAK.search(lines.text(line)) if mark else None
        if found:
            return line, (f" (YAML reads the invisible character U+{ord(found.group()):04X} on this line "
                          "as a line break: remove it, or put the value in quotes)")
    return None


_SEQUENCE_TAG = "tag:yaml.org,2002:seq"
_MAPPING_TAG = "tag:yaml.org,2002:map"


class _Unusual(Exception):
    """A node the fast constructor leaves to PyYAML."""


def _construct(loader, root: yaml.Node, matter: str) -> Any:
    """The document's data exactly as `loader.construct_document` builds it, three
    times faster for what front matter nearly always is: mappings, lists and plain
    scalars. Anchors, merge keys and explicit tags go to PyYAML's constructor."""
    if "&" in matter or "<<" in matter or "!" in matter:
        return loader.construct_document(root)

    def build(node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _STRING_TAG:
            return node.value
        if tag == _MAPPING_TAG:
            data = {}
            for key_node, value_node in node.value:
                data[build(key_node)] = build(value_node)  # an unhashable key raises TypeError
            return data
        if tag == _SEQUENCE_TAG:
            return [build(child) for child in node.value]
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_object(node)  # numbers, booleans, null, dates
        raise _Unusual

    try:
        return build(root)
    except (_Unusual, TypeError):
        return loader.construct_document(root)  # which also words the error


def _key_lines(loader, root: yaml.Node, first_line: int, editor: _Lines) -> tuple[dict[str, int], list[Problem]]:
    """The file line of each top-level key, by the key's text as the record looks it
    up (`~:` is 'None'), and a problem for each key given twice. Read before the
    document is built, which rewrites the keys that `<<:` merges in."""
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    if not isinstance(root, yaml.MappingNode):
        return lines, problems
    for key_node, _ in root.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
            continue
        key = key_node.value if key_node.tag == _STRING_TAG else str(loader.construct_object(key_node))
        line = editor.of(key_node.start_mark) + first_line
        if key in lines:
            # PyYAML keeps the last value silently; the author meant one of them.
            problems.append(Problem(SCHEMA, line, f"key '{key}' is given twice (first on line {lines[key]}); the last value wins"))
        lines[key] = line
    return lines, problems


def _indented_with_tab(matter: str, line: int) -> bool:
    lines = matter.split("\n")
    text = lines[line] if line < len(lines) else ""
    return "\t" in text[: len(text) - len(text.lstrip())]


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise YamlProblem(line, f"file is not UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _fallback_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").lstrip("\ufeff").replace("\r\n", "\n")


def parse_record(raw: bytes, path: str, source: str) -> Record:
    """Turn the bytes of one plan file into a Record; never raises for bad content."""
    stem = source.rsplit("/", 1)[-1][:-3]
    record = Record(path=path, source=source, kind=kind_from_folder(source),
                    id=stem if schema.is_valid_id(stem) else None, title=None,
                    team=team_from_folder(source))
    try:
        text = _decode(raw)
        matter, body, record.body_line = split_front_matter(text)
        if len(matter) > MAX_FRONT_MATTER:
            raise YamlProblem(2, f"front matter is {len(matter):,} characters long, over the limit of "
                                 f"{MAX_FRONT_MATTER:,}: keep long text in the body")
        data, record.lines, record.problems = parse_yaml(matter, first_line=1)  # matter keeps the newline ending the opening ---
        if data is None:
            raise YamlProblem(1, "front matter is empty")
        if not isinstance(data, dict):
            raise YamlProblem(2, f"front matter must be a mapping of keys, not {schema.type_name(data)}")
    except YamlProblem as problem:
        record.broken = True
        record.problems = [Problem(FRONT_MATTER, problem.line, problem.message)]
        text = _fallback_text(raw)
        try:
            _, record.body, record.body_line = split_front_matter(text)
        except YamlProblem:
            record.body = text
        record.title = _take_heading(record) or stem
        return record

    record.body = body
    _apply_fields(record, data)
    if record.title is None:
        heading = _take_heading(record)
        if heading:
            record.title = heading
        elif "title" not in data:  # a refused title is already reported
            record.problems.append(Problem(SCHEMA, 1, f"{record.kind} has no title: add 'title:' or start the body with '# ' and a heading"))
    return record


def _take_heading(record: Record) -> str | None:
    """Remove a leading '# ' heading from the body and return its text."""
    match = _HEADING.match(record.body)
    if not match:
        return None
    record.body_line += record.body[: match.end()].count("\n")
    record.body = record.body[match.end():]
    return match.group(1).strip()


def _apply_fields(record: Record, data: dict) -> None:
    # The kind decides which keys are allowed, so settle it first.
    if "kind" in data:
        try:
            record.kind = schema.KEYS["kind"].check(data["kind"])
            record.fields["kind"] = record.kind
        except schema.Invalid as problem:
            record.problems.append(Problem(SCHEMA, record.line_of("kind"), f"kind: {problem}"))
    for key, value in data.items():
        if key == "kind":
            continue
        line = record.line_of(str(key))
        spec = schema.KEYS.get(key) if isinstance(key, str) else None
        if spec is None:
            hint = schema.suggest(key, schema.KEYS) if isinstance(key, str) else None
            hint = f": did you mean '{hint}'?" if hint else ""
            record.problems.append(Problem(SCHEMA, line, f"unknown key '{key}'{hint}"))
            continue
        if record.kind not in spec.kinds:
            allowed = " or ".join(f"{kind}s" for kind in spec.kinds)
            record.problems.append(Problem(SCHEMA, line, f"key '{key}' is for {allowed}, not for {schema.a_kind(record.kind)}"))
            continue
        try:
            record.fields[key] = spec.check(value)
        except schema.Invalid as problem:
            record.problems.append(Problem(SCHEMA, line, f"{key}: {problem}"))
    if "id" in data:
        record.id = record.fields.get("id")  # None when the id was refused
    elif record.id is None:  # the file name would be the id, but is not a valid one
        record.problems.append(Problem(SCHEMA, 1, f"file name '{record.source.rsplit('/', 1)[-1]}' is not a valid id: "
                                                  "rename the file or add 'id:'"))
    record.title = record.fields.get("title")
    if "team" in record.fields:
        record.team = record.fields["team"]
    if record.kind == "objective" and "period" not in data:
        record.problems.append(Problem(SCHEMA, 1, f"objective '{record.id or record.source}' has no period"))


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


def read_plans(root: Path, plans_dir: str, cache=None, processes: int = 1) -> tuple[list[Record], Scan]:
    """Every record below root/plans_dir, in path order, plus what the walk found.

    `cache` (a cache.RecordCache), when given, returns the Record of a file that has
    not changed since it was parsed, so that it is not parsed again. With more than
    one process, the files to parse are shared with forked children (forked.py)."""
    plans_root = (root / plans_dir)
    found = cache.take_scan() if cache is not None else None
    if found is None:
        found = scan(plans_root)
    prefix = display_prefix(root, plans_root)
    folder = str(plans_root)
    records: list[Record | None] = []
    to_parse: list[tuple[str, str, str]] = []  # (absolute path, shown path, source)
    places: list[int] = []  # where each parsed record goes in `records`
    for source in found.plan_files:
        absolute = os.path.join(folder, source)  # a str: Path objects cost a tenth of a second per 10,000 files
        path = prefix + source
        record = cache.get(absolute, path, source) if cache is not None else None
        if record is None:
            places.append(len(records))
            to_parse.append((absolute, path, source))
        records.append(record)
    parsed = map_forked(read_record, to_parse, processes) if processes > 1 else map(read_record, to_parse)
    for place, (absolute, _, _), (record, readable) in zip(places, to_parse, parsed):
        records[place] = record
        if cache is not None and readable:
            cache.put(absolute, record)
    return records, found


def read_record(file: tuple[str, str, str]) -> tuple[Record, bool]:
    """The record of one plan file (absolute path, shown path, source), and whether
    the file could be read at all (an unreadable one is not worth caching)."""
    absolute, path, source = file
    try:
        with open(absolute, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        return Record(path=path, source=source, kind=kind_from_folder(source), id=None, title=source, broken=True,
                      problems=[Problem(FRONT_MATTER, 1, f"cannot read file: {error.strerror}")]), False
    return parse_record(raw, path, source), True


def display_prefix(root: Path, plans_root: Path) -> str:
    """How paths below plans_root are shown: relative to root when inside it."""
    try:
        relative = os.path.relpath(plans_root, root)
    except ValueError:  # another drive on Windows
        relative = str(plans_root)
    relative = relative.replace(os.sep, "/")
    return "" if relative == "." else relative.rstrip("/") + "/"
