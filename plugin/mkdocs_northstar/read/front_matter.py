"""Front matter: split it from the body and read its YAML, remembering the line of
every top-level key, within the limits that keep hostile input from exhausting the
stack, memory or time (limits.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import frontmatter
import yaml

from ..outcomes.reading import nested_key_lines

from .flat_yaml import read_flat
from .limits import MAX_DEPTH, TooBig, check_depth, check_expansion

try:  # libyaml is much faster; fall back to the pure-Python loader without it
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

FRONT_MATTER = "front-matter"
SCHEMA = "schema"

# Limits that keep hostile YAML from exhausting the stack or memory: see limits.py.
# Front matter holds keys, not prose; a bigger one is refused before YAML reads it:
# a list of hundreds of thousands of items takes seconds to read and check.
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


@dataclass(frozen=True)
class Problem:
    rule: str
    line: int
    message: str



class _Handler(frontmatter.YAMLHandler):
    # Only a line of exactly three dashes opens or closes front matter; the stock
    # pattern also swallows the blank lines after it, which would shift every line number.
    FM_BOUNDARY = re.compile(r"^---[ \t]*$", re.MULTILINE)


_HANDLER = _Handler()


class Loader(_BaseLoader):
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


def _scalars(root: yaml.Node):
    """Every scalar node below root, once each (aliases share nodes), in document order."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            yield node
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in reversed(node.value) for part in reversed(pair))


def _restore_nel(root: yaml.Node, stand_in: str) -> None:
    for node in _scalars(root):
        node.value = node.value.replace(stand_in, _NEL)


class YamlProblem(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message



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
    for node in _scalars(root):
        if node.tag != _STRING_TAG:
            try:
                loader.construct_object(node)
            except yaml.MarkedYAMLError:
                raise
            except Exception as error:  # noqa: BLE001 - each constructor raises its own kind
                what = "date" if node.tag == _TIMESTAMP_TAG else node.tag.rsplit(":", 1)[-1]
                detail = f" ({error})" if type(error) is ValueError else ""
                return lines.of(node.start_mark), f"'{node.value}' is not a valid {what}{detail}"
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
    loader = Loader(matter)
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
        if "key_results" in key_lines or "measurements" in key_lines:  # their nested keys' lines, for diagnostics
            key_lines.update(nested_key_lines(root, first_line))
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



def decode(raw: bytes) -> str:
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


def fallback_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").lstrip("\ufeff").replace("\r\n", "\n")

