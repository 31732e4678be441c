"""`northstar record`: add a measurement where an objective keeps them, changing nothing else.

The measurement goes to the list under the key result (or the shorthand objective),
or to the CSV file that `measurements:` names; without `measurements:`, the key is
added (at the end of a shorthand objective's front matter, or at the end of the key
result's mapping). A date already recorded for the key result is refused unless
`replace` is given, which rewrites that entry where it is. When the objective has a
`current` key and the new measurement is the latest, `current` takes its value too
(a `current` that disagrees with the latest measurement is a schema error).

How: PyYAML only LOCATES the nodes (their line and column marks) and the new text is
spliced in, line by line. A round-trip library (ruamel.yaml 0.19) was tried first and
rewrites more than the change: it dropped CRLF line endings, re-spaced flow lists
(`[a,  b]`) and the gap before a comment, and unescaped double-quoted strings. By
splicing, comments, key order, quoting, flow lists and line endings survive by
construction; a new line takes the file's line ending. Before anything is written the
new front matter is read back and must equal the old one with just the measurement
(and `current`) changed, else nothing is written.
"""

from __future__ import annotations

import copy
import csv
import datetime
import io
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .read import schema
from .diagnostics import printable
from .read.records import Record, read_plans
from .read.measurements import parse_csv, read_csv_file, resolve
from .outcomes import parse_date
from .render.text import yaml_string
from .scaffold import Refused
from .settings import Settings

_FENCE = re.compile(r"---[ \t]*")
_YAML_ONLY_BREAKS = str.maketrans({"\x85": " ", "\u2028": " ", "\u2029": " "})


@dataclass
class Entry:
    date: datetime.date
    value: float
    note: str | None = None

    def flow(self) -> str:
        note = f", note: {yaml_string(self.note, readable=True)}" if self.note else ""
        return f"{{date: {self.date.isoformat()}, value: {_number(self.value)}{note}}}"

    def block(self, column: int) -> list[str]:
        """The entry as a block mapping whose keys sit at `column` (the first line gets no indent)."""
        lines = [f"date: {self.date.isoformat()}", f"{' ' * column}value: {_number(self.value)}"]
        if self.note:
            lines.append(f"{' ' * column}note: {yaml_string(self.note, readable=True)}")
        return lines


@dataclass
class Outcome:
    path: Path  # the file written: the record's or its CSV file
    replaced: bool
    current_updated: bool


def _number(value: float) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def record_measurement(settings: Settings, target: str, value: float, date: datetime.date,
                       note: str | None = None, replace: bool = False) -> Outcome:
    """Add the measurement `OBJECTIVE[/KEY_RESULT]`; raise Refused (writing nothing) if it cannot be."""
    objective_id, _, kr_id = target.partition("/")
    kr_id = kr_id or None
    if not schema.is_valid_id(objective_id) or (kr_id is not None and not schema.is_valid_id(kr_id)):
        raise Refused(f"'{printable(target)}' is not OBJECTIVE or OBJECTIVE/KEY_RESULT (ids of lower-case letters, digits "
                      "and '-')", usage=True)
    record = _find(settings, objective_id)
    path = settings.root / record.path
    if record.broken:
        raise Refused(f"{record.path}: {record.problems[0].message}; fix the file first", usage=False)
    entry = Entry(date, value, note)
    return _File(path, record, settings).add(kr_id, entry, replace)


def _find(settings: Settings, objective_id: str) -> Record:
    records, _ = read_plans(settings.root, settings.plans_dir)
    objectives = [record for record in records if record.kind == "objective" and record.id]
    for record in objectives:
        if record.id == objective_id:
            return record
    other = next((record for record in records if record.id == objective_id), None)
    if other is not None:
        raise Refused(f"'{objective_id}' is {schema.a_kind(other.kind)} ({other.path}), not an objective", usage=True)
    hint = schema.suggest(objective_id, [record.id for record in objectives])
    raise Refused(f"no objective '{objective_id}'" + (f": did you mean '{hint}'?" if hint else ""), usage=True)


def _pairs(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {key.value: (key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _last_line(node: yaml.Node) -> int:
    """The last line (0-based, in the front matter) that holds part of the node."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        end = node.end_mark
        return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line
    return max(_last_line(part) for pair_or_node in node.value
               for part in (pair_or_node if isinstance(pair_or_node, tuple) else (pair_or_node,)))


class _File:
    """One plan file's lines, their line ends kept, and the splices made to them."""

    def __init__(self, path: Path, record: Record, settings: Settings):
        self.path, self.record, self.settings = path, record, settings
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        self.bom = "\ufeff" if text.startswith("\ufeff") else ""
        parts = text[len(self.bom):].split("\n")
        self.cr = [part.endswith("\r") for part in parts]
        self.lines = [part[:-1] if cr else part for part, cr in zip(parts, self.cr)]
        self.newline_cr = "\r\n" in text
        if not self.lines or not _FENCE.fullmatch(self.lines[0]):
            raise Refused(f"{record.path}: no front matter", usage=False)
        self.close = next((i for i in range(1, len(self.lines)) if _FENCE.fullmatch(self.lines[i])), None)
        if self.close is None:
            raise Refused(f"{record.path}: front matter is never closed", usage=False)
        self.old_data = self._data()

    # --- the text -------------------------------------------------------------------
    def matter(self) -> str:
        return "\n".join(self.lines[1:self.close]).translate(_YAML_ONLY_BREAKS) + "\n"

    def _data(self):
        return yaml.safe_load(self.matter())

    def insert(self, index: int, new_lines: list[str]) -> None:
        """Insert whole lines before file line `index` (0-based), with the file's line ending."""
        self.lines[index:index] = new_lines
        self.cr[index:index] = [self.newline_cr] * len(new_lines)
        self.close += len(new_lines) if index <= self.close else 0

    def splice(self, start: tuple[int, int], end: tuple[int, int], text: list[str]) -> None:
        """Replace the text from (line, column) to (line, column), front-matter based, with `text`'s lines."""
        (l1, c1), (l2, c2) = (start[0] + 1, start[1]), (end[0] + 1, end[1])
        head, tail = self.lines[l1][:c1], self.lines[l2][c2:]
        new = [head + text[0], *text[1:]]
        new[-1] += tail
        removed = l2 - l1 + 1
        self.lines[l1:l2 + 1] = new
        self.cr[l1:l2 + 1] = [self.cr[l1]] * len(new) if len(new) <= removed else \
            [self.cr[l1]] * removed + [self.newline_cr] * (len(new) - removed)
        self.close += len(new) - removed

    def text(self) -> str:
        return self.bom + "\n".join(line + ("\r" if cr else "") for line, cr in zip(self.lines, self.cr))

    # --- the change -----------------------------------------------------------------
    def add(self, kr_id: str | None, entry: Entry, replace: bool) -> Outcome:
        root = yaml.compose(self.matter())
        if not isinstance(root, yaml.MappingNode):
            raise Refused(f"{self.record.path}: front matter is not a mapping", usage=False)
        container, position, kr_name = self._key_result(root, kr_id)
        pairs = _pairs(container)
        expected = copy.deepcopy(self.old_data)
        mapping = expected if position is None else expected["key_results"][position]
        measurements = pairs.get("measurements")
        replaced = False
        if measurements is not None and isinstance(measurements[1], yaml.ScalarNode) \
                and measurements[1].tag == "tag:yaml.org,2002:str":
            outcome_path, replaced, latest = self._csv(measurements[1].value, kr_name, entry, replace)
        else:
            replaced, latest = self._inline(container, measurements, kr_name, entry, replace, position is None)
            mapping.setdefault("measurements", None)
            items = [item for item in (mapping["measurements"] or [])
                     if parse_date(item.get("date") if isinstance(item, dict) else None) != entry.date]
            items.append({"date": entry.date, "value": entry.value, **({"note": entry.note} if entry.note else {})})
            mapping["measurements"] = items
            outcome_path = self.path
        current_updated = False
        if latest and "current" in pairs and isinstance(pairs["current"][1], yaml.ScalarNode) \
                and mapping.get("current") != entry.value:
            node = pairs["current"][1]
            self.splice((node.start_mark.line, node.start_mark.column), (node.end_mark.line, node.end_mark.column),
                        [_number(entry.value)])
            mapping["current"] = entry.value
            current_updated = True
        if outcome_path == self.path or current_updated:
            self._check(expected)
            self.path.write_bytes(self.text().encode("utf-8"))
        return Outcome(outcome_path, replaced, current_updated)

    def _check(self, expected) -> None:
        try:
            new = self._data()
        except yaml.YAMLError:
            new = None
        if _normal(new) != _normal(expected):
            raise Refused(f"{self.record.path}: the measurement could not be added without changing something "
                          "else; add it by hand", usage=False)

    def _key_result(self, root: yaml.MappingNode, kr_id: str | None):
        pairs = _pairs(root)
        objective = self.record.id
        if "key_results" not in pairs:
            if kr_id not in (None, "kr-1"):
                raise Refused(f"objective '{objective}' has one key result, kr-1, not '{kr_id}'", usage=True)
            return root, None, "kr-1"
        sequence = pairs["key_results"][1]
        if not isinstance(sequence, yaml.SequenceNode) or not sequence.value:
            raise Refused(f"{self.record.path}: key_results is not a list of key results", usage=False)
        ids = []
        for position, item in enumerate(sequence.value):
            if not isinstance(item, yaml.MappingNode):
                raise Refused(f"{self.record.path}: key result {position + 1} is not a mapping", usage=False)
            given = _pairs(item).get("id")
            ids.append(given[1].value if given else f"kr-{position + 1}")
        if kr_id is None:
            if len(ids) > 1:
                raise Refused(f"objective '{objective}' has {len(ids)} key results: name one, as "
                              f"{objective}/ID ({', '.join(ids)})", usage=True)
            kr_id = ids[0]
        if kr_id not in ids:
            hint = schema.suggest(kr_id, ids)
            raise Refused(f"objective '{objective}' has no key result '{kr_id}'"
                          + (f": did you mean '{hint}'?" if hint else f" ({', '.join(ids)})"), usage=True)
        position = ids.index(kr_id)
        return sequence.value[position], position, kr_id

    def _inline(self, container: yaml.MappingNode, measurements, kr_name: str, entry: Entry,
                replace: bool, objective: bool) -> tuple[bool, bool]:
        """Add the entry to the list in the front matter; (replaced, is the latest)."""
        if measurements is None:
            self._new_key(container, entry, objective)
            return False, True
        key, sequence = measurements
        if isinstance(sequence, yaml.ScalarNode) and sequence.value == "" and sequence.tag.endswith(":null"):
            self.insert(key.start_mark.line + 2, [" " * (key.start_mark.column + 2) + "- " + entry.flow()])
            return False, True
        if not isinstance(sequence, yaml.SequenceNode):
            raise Refused(f"{self.record.path}: measurements of '{kr_name}' is neither a list nor a CSV file name",
                          usage=False)
        dates = []
        for item in sequence.value:
            when = _pairs(item).get("date") if isinstance(item, yaml.MappingNode) else None
            day = parse_date(when[1].value) if when else None
            if day == entry.date:
                if not replace:
                    raise Refused(f"{kr_name} already has a measurement on {day.isoformat()} (line "
                                  f"{item.start_mark.line + 2} of {self.record.path}); --replace replaces it",
                                  usage=False)
                self._replace(item, entry)
                return True, all(other <= entry.date for other in dates + self._later_dates(sequence, item))
            if day:
                dates.append(day)
        latest = all(day < entry.date for day in dates)
        if sequence.flow_style:
            end = sequence.end_mark  # just after ']'
            text = entry.flow() if not sequence.value else ", " + entry.flow()
            self.splice((end.line, end.column - 1), (end.line, end.column - 1), [text])
            return False, latest
        last = sequence.value[-1]
        column = sequence.start_mark.column  # of the '-' indicators
        if isinstance(last, yaml.MappingNode) and not last.flow_style:
            first, *rest = entry.block(last.start_mark.column)
            new = [" " * column + "- " + " " * (last.start_mark.column - column - 2) + first, *rest]
        else:
            new = [" " * column + "- " + entry.flow()]
        self.insert(_last_line(sequence) + 2, new)
        return False, latest

    @staticmethod
    def _later_dates(sequence, skip) -> list[datetime.date]:
        days = []
        for item in sequence.value:
            when = _pairs(item).get("date") if isinstance(item, yaml.MappingNode) and item is not skip else None
            day = parse_date(when[1].value) if when else None
            if day:
                days.append(day)
        return days

    def _replace(self, item: yaml.Node, entry: Entry) -> None:
        start = (item.start_mark.line, item.start_mark.column)
        if isinstance(item, yaml.MappingNode) and not item.flow_style:
            last = _last_line(item)
            self.splice(start, (last, len(self.lines[last + 1])), entry.block(item.start_mark.column))
        else:
            self.splice(start, (item.end_mark.line, item.end_mark.column), [entry.flow()])

    def _new_key(self, container: yaml.MappingNode, entry: Entry, objective: bool) -> None:
        if objective:  # a key at the end of the front matter
            self.insert(self.close, ["measurements:", "  - " + entry.flow()])
            return
        if container.flow_style:  # `- {metric: a, target: 3}`
            end = container.end_mark
            self.splice((end.line, end.column - 1), (end.line, end.column - 1), [f", measurements: [{entry.flow()}]"])
            return
        column = container.value[0][0].start_mark.column
        self.insert(_last_line(container) + 2, [" " * column + "measurements:", " " * column + "  - " + entry.flow()])

    def _csv(self, name: str, kr_name: str, entry: Entry, replace: bool) -> tuple[Path, bool, bool]:
        settings = self.settings
        relative, refusal = resolve(settings.plans_root, self.record.source, name)
        if relative is None:
            raise Refused(f"{self.record.path}: {refusal}", usage=False)
        shown = self.record.path[: len(self.record.path) - len(self.record.source)] + relative
        path = settings.plans_root / relative
        rows, problems = read_csv_file(settings.plans_root, relative, shown)
        if problems:
            first = problems[0]
            raise Refused(f"{first.file or self.record.path}:{first.line}: {first.message}; fix the file first",
                          usage=False)
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        header = next(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
        columns = [column.strip().lower() for column in header]
        # As outcomes.key_results_of reads it: a file one key result names alone needs no
        # key_result column; a file several name does.
        key_results = self.old_data.get("key_results")
        named = [item.get("measurements") for item in key_results if isinstance(item, dict)] \
            if isinstance(key_results, list) else []
        shared = sum(1 for name in named if isinstance(name, str)
                     and posixpath.normpath(posixpath.join(posixpath.dirname(self.record.source), name)) == relative)
        if shared > 1 and "key_result" not in columns:
            raise Refused(f"{shown}: several key results name this file: it needs a key_result column",
                          usage=False)
        mine = [m for kr, m in rows if kr in (None, kr_name)]
        cells = {"date": entry.date.isoformat(), "value": _number(entry.value), "note": entry.note or "",
                 "key_result": kr_name if "key_result" in columns else ""}
        newline = "\r\n" if "\r\n" in text else "\n"
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=newline).writerow([cells.get(column, "") for column in columns])
        row = buffer.getvalue()
        same = [m for m in mine if m.date == entry.date]
        latest = all(m.date <= entry.date for m in mine)
        if same:
            if not replace:
                raise Refused(f"{kr_name} already has a measurement on {entry.date.isoformat()} (line "
                              f"{same[0].line} of {shown}); --replace replaces it", usage=False)
            lines = text.split("\n")
            index = same[0].line - 1
            alone, _ = parse_csv(lines[0] + "\n" + lines[index] + "\n", shown)
            if len(alone) != 1 or alone[0][1].date != entry.date:
                raise Refused(f"{shown}: the row on line {same[0].line} spans several lines; replace it by hand",
                              usage=False)
            lines[index] = row.rstrip("\r\n") + ("\r" if lines[index].endswith("\r") else "")
            new_text = "\n".join(lines)
        else:
            new_text = text + ("" if text.endswith("\n") or not text else newline) + row
        path.write_bytes(new_text.encode("utf-8"))
        return path, bool(same), latest


def _normal(data):
    """Front-matter data with measurement dates as dates, however they were written."""
    if isinstance(data, dict):
        return {key: (_normal_measurements(value) if key == "measurements" else _normal(value))
                for key, value in data.items()}
    if isinstance(data, list):
        return [_normal(item) for item in data]
    return data


def _normal_measurements(value):
    if not isinstance(value, list):
        return value
    items = []
    for item in value:
        if isinstance(item, dict):
            item = {**item, "date": parse_date(item.get("date")) or item.get("date")}
        items.append(item)
    return sorted(items, key=lambda item: str(item.get("date")) if isinstance(item, dict) else "")

