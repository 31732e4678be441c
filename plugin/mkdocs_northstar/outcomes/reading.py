"""Reading key results from an objective's front matter (contract v1.1), pure.

From an objective's front matter, `key_results_of` builds its key results (the v1
shorthand keys make exactly one, `kr-1`), each with its measurements, and the schema
problems found, each at the line of the offending key. The rest are small functions of
those key results and a date: progress, health, score, forecast, staleness, overdue
plans and roll-ups. Nothing here imports MkDocs or Markdown, or reads a file: a
`measurements:` string naming a CSV file goes to the `read_csv` callback the caller
gives (see read/measurements.py).

Lines: `lines` maps each top-level key to its file line (as read/front_matter.py gives them), and
dotted paths below `key_results` and `measurements` to theirs, with 1-based positions:
`key_results.2.target`, `key_results.1.measurements.3.date`, `measurements.1`. The
function `nested_key_lines` computes those paths from PyYAML's composed node.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable

from ..read import schema
from .key_results import (MEASUREMENT_KEYS, KEY_RESULT_KEYS, METRIC, MILESTONE, SCHEMA, SHORTHAND_KEYS, ReadCsv,
                          Finding, KeyResult, Measurement, default_direction, parse_date)



class _Reader:
    def __init__(self, lines: dict[str, int], read_csv: ReadCsv | None):
        self.lines = lines
        self.read_csv = read_csv
        self.problems: list[Finding] = []
        self.files: dict[str, list] = {}

    def line(self, path: str) -> int:
        """The line of a dotted path, or of the nearest enclosing one that has a line."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rpartition(".")[0]
        return 1

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Finding(SCHEMA, self.line(path), message))

    def checked(self, path: str, label: str, check: schema.Check, value: object) -> Any:
        try:
            return check(value)
        except schema.Invalid as problem:
            self.problem(path, f"{label}: {problem}")
            return None

    # Measurements written in the front matter, or a CSV file's.
    def measurements(self, path: str, label: str, value: object) -> list[tuple[str | None, Measurement]]:
        if isinstance(value, str):
            if self.read_csv is None:
                self.problem(path, f"{label}: a CSV file cannot be read here")
                return []
            if value in self.files:  # several key results may share one file: it is read once
                return self.files[value]
            rows, problems = self.read_csv(value)
            line = self.line(path)  # a refusal without a file of its own is about this key
            self.problems.extend(p if p.file else Finding(p.rule, line, p.message) for p in problems)
            self.files[value] = rows
            return rows
        if not isinstance(value, list):
            self.problem(path, f"{label}: expected a list of {{date, value, note}} or a CSV file name, "
                               f"got {schema.type_name(value)}")
            return []
        found = []
        for position, item in enumerate(value, 1):
            item_path = f"{path}.{position}"
            where = f"{label} item {position}"
            if not isinstance(item, dict):
                self.problem(item_path, f"{where}: expected a mapping of date, value and note, "
                                        f"got {schema.type_name(item)}")
                continue
            for key in item:
                if key not in MEASUREMENT_KEYS:
                    hint = schema.suggest(str(key), MEASUREMENT_KEYS)
                    self.problem(f"{item_path}.{key}", f"{where}: unknown key '{key}'"
                                                       + (f": did you mean '{hint}'?" if hint else ""))
            date = parse_date(item.get("date"))
            if date is None:
                shown = item.get("date")
                shown = "nothing" if shown is None else f"'{shown}'"
                self.problem(f"{item_path}.date", f"{where}: date {shown} is not a date YYYY-MM-DD")
            number = self.checked(f"{item_path}.value", f"{where}: value", schema.NUMBER, item.get("value"))
            note = None
            if item.get("note") is not None:
                note = self.checked(f"{item_path}.note", f"{where}: note", schema.STRING, item["note"])
            if date is not None and number is not None:
                found.append((None, Measurement(date, number, note, self.line(item_path))))
        return found

    def settle(self, kr: KeyResult, rows: list[Measurement], path: str, label: str) -> None:
        """Order the measurements, refuse a repeated date, and check `current` against the latest."""
        rows = sorted(rows, key=lambda m: m.date)
        kept: list[Measurement] = []
        for row in rows:
            if kept and kept[-1].date == row.date:
                first = kept[-1]
                where = f"line {first.line}" + (f" of {first.file}" if first.file else "")
                self.problems.append(Finding(SCHEMA, row.line, f"{label}: two measurements on {row.date.isoformat()} "
                                                               f"(the first on {where})", row.file))
                continue
            kept.append(row)
        kr.measurements = kept
        if kept and kr.current is not None and kr.current != kept[-1].value:
            self.problem(f"{path}.current" if path else "current",
                         f"{label}: current is {kr.current} but the latest measurement "
                         f"({kept[-1].date.isoformat()}) is {kept[-1].value}")


def key_results_of(fields: dict, lines: dict[str, int],
                   read_csv: ReadCsv | None = None) -> tuple[list[KeyResult], list[Finding]]:
    """The key results of an objective from its front-matter fields, and the problems found.

    `fields`: the objective's keys (`key_results` and `measurements` as written, the v1
    keys as read/records.py validated them); `lines`: key -> line, dotted paths included (see
    `nested_key_lines`); `read_csv(name)`: the measurements of a CSV file named relative
    to the record, as (key_result id or None, Measurement) rows, and its problems."""
    reader = _Reader(lines, read_csv)
    shorthand = [key for key in SHORTHAND_KEYS if key in fields]
    if "key_results" in fields:
        if shorthand:
            reader.problem("key_results", f"key_results and the shorthand key{'s' if len(shorthand) > 1 else ''} "
                                          f"{', '.join(shorthand)} are both given: keep one way of measuring")
            return [], reader.problems
        return _key_results(reader, fields["key_results"]), reader.problems
    if not shorthand:
        return [], reader.problems
    kr = KeyResult(id="kr-1", title="", kind=METRIC, line=reader.line("metric") if "metric" in fields else 1)
    for key in ("metric", "unit"):
        value = fields.get(key)
        setattr(kr, key, value if isinstance(value, str) else None)
    for key in ("baseline", "target", "current"):
        value = fields.get(key)
        setattr(kr, key, value if isinstance(value, (int, float)) and not isinstance(value, bool) else None)
    kr.title = kr.metric or "kr-1"
    kr.direction = default_direction(kr.baseline, kr.target)
    rows = reader.measurements("measurements", "measurements", fields["measurements"]) \
        if "measurements" in fields else []
    for key_result, row in rows:
        if key_result not in (None, "kr-1"):
            reader.problems.append(Finding(SCHEMA, row.line, f"key_result '{key_result}' is not a key result of "
                                                             "this objective (its one key result is kr-1)", row.file))
    reader.settle(kr, [row for key_result, row in rows if key_result in (None, "kr-1")], "", "measurements")
    return [kr], reader.problems


def _key_results(reader: _Reader, value: object) -> list[KeyResult]:
    if not isinstance(value, list) or not value:
        reader.problem("key_results", "key_results: expected a non-empty list of key results, "
                                      f"got {schema.type_name(value) if value != [] else 'an empty list'}")
        return []
    results: list[KeyResult] = []
    pending: list[tuple[KeyResult, list, str, str, object]] = []  # rows of a shared CSV wait for every id
    seen: dict[str, int] = {}
    for position, item in enumerate(value, 1):
        path = f"key_results.{position}"
        label = f"key result {position}"
        if not isinstance(item, dict):
            reader.problem(path, f"{label}: expected a mapping, got {schema.type_name(item)}")
            continue
        kr = _key_result(reader, item, path, label, position)
        if kr is None:
            continue
        if kr.id in seen:
            reader.problem(f"{path}.id", f"{label}: id '{kr.id}' is already the id of key result {seen[kr.id]}")
            continue
        seen[kr.id] = position
        results.append(kr)
        label = f"key result '{kr.id}'"
        rows = reader.measurements(f"{path}.measurements", f"{label}: measurements",
                                   item["measurements"]) if "measurements" in item else []
        pending.append((kr, rows, path, label, item.get("measurements")))
    ids = [kr.id for kr in results]
    unknown: set[tuple[str | None, int]] = set()
    # A CSV file one key result names alone holds its rows, key_result column or not; a file
    # several name needs the column to say whose each row is (said once, at its first row).
    named = [item.get("measurements") for item in value if isinstance(item, dict)]
    shared = {name for name in named if isinstance(name, str) and named.count(name) > 1}
    unsorted: set[str | None] = set()
    for kr, rows, path, label, name in pending:
        mine = []
        for key_result, row in rows:
            if key_result is None and row.file is not None and name in shared:
                if row.file not in unsorted:
                    unsorted.add(row.file)
                    reader.problems.append(Finding(SCHEMA, row.line, "several key results name this CSV file: it "
                                                   "needs a key_result column saying whose each row is", row.file))
            elif key_result not in (None, kr.id) and key_result not in ids:
                if (row.file, row.line) not in unknown:  # once, however many key results share the file
                    unknown.add((row.file, row.line))
                    hint = schema.suggest(key_result, ids)
                    reader.problems.append(Finding(SCHEMA, row.line, f"key_result '{key_result}' is not a key result "
                                                   "of this objective" + (f": did you mean '{hint}'?" if hint else ""),
                                                   row.file))
            elif key_result in (None, kr.id):
                mine.append(row)
        reader.settle(kr, mine, path, label)
    return results


def _key_result(reader: _Reader, item: dict, path: str, label: str, position: int) -> KeyResult | None:
    for key in item:
        if key not in KEY_RESULT_KEYS:
            hint = schema.suggest(str(key), KEY_RESULT_KEYS)
            reader.problem(f"{path}.{key}", f"{label}: unknown key '{key}'" + (f": did you mean '{hint}'?" if hint else ""))

    def take(key: str, check: schema.Check) -> Any:
        return reader.checked(f"{path}.{key}", f"{label}: {key}", check, item[key]) if key in item else None

    kr_id = take("id", schema.IDENTIFIER) if "id" in item else f"kr-{position}"
    if kr_id is None:
        return None
    kr = KeyResult(id=kr_id, title="", kind=METRIC, line=reader.line(path))
    label = f"key result '{kr_id}'"
    kr.metric, kr.unit, kr.milestone = take("metric", schema.STRING), take("unit", schema.STRING), \
        take("milestone", schema.STRING)
    kr.baseline, kr.target, kr.current = (take(key, schema.NUMBER) for key in ("baseline", "target", "current"))
    kr.weight = take("weight", schema.POSITIVE_NUMBER) or 1
    direction = take("direction", _DIRECTION)
    if "milestone" in item:
        kr.kind = MILESTONE
        if "metric" in item:
            reader.problem(f"{path}.metric", f"{label}: a key result has a metric or a milestone, not both")
        for key in ("baseline", "target", "current", "direction", "unit", "measurements"):
            if key in item:
                reader.problem(f"{path}.{key}", f"{label}: '{key}' is for a metric, not a milestone")
        if "done" in item:
            done = item["done"]
            if isinstance(done, bool) or (isinstance(done, datetime.date) and not isinstance(done, datetime.datetime)):
                kr.done = done
            else:
                kr.done = parse_date(done)
                if kr.done is None:
                    reader.problem(f"{path}.done", f"{label}: done: expected true, false or a date YYYY-MM-DD, "
                                                   f"got {schema.type_name(done)}")
    elif "done" in item:
        reader.problem(f"{path}.done", f"{label}: 'done' is for a milestone, not a metric")
    if direction in ("stay-above", "stay-below") and kr.target is None and "target" not in item:
        reader.problem(f"{path}.direction", f"{label}: {direction} needs a target")
    if direction in ("increase", "decrease") and kr.baseline is not None and kr.target is not None:
        implied = default_direction(kr.baseline, kr.target)
        if implied and implied != direction:
            reader.problem(f"{path}.direction", f"{label}: direction {direction}, but the target "
                                                f"{kr.target} is {'above' if implied == 'increase' else 'below'} "
                                                f"the baseline {kr.baseline}")
    kr.direction = direction or default_direction(kr.baseline, kr.target)
    title = take("title", schema.STRING)
    kr.title = title or kr.metric or kr.milestone or kr_id
    return kr


_DIRECTION = schema.DIRECTION


def incomplete(kr: KeyResult) -> str | None:
    """Why a key result leaves its objective unmeasurable (for `unmeasurable-objective`), or None."""
    if kr.kind == MILESTONE:
        return None
    missing = [key for key in ("metric", "target") if getattr(kr, key) is None]
    if kr.direction not in ("stay-above", "stay-below") and kr.baseline is None:
        missing.append("baseline")
    if missing:
        return f"key result '{kr.id}' has no {' and no '.join(missing)}"
    if kr.direction in (None, "increase", "decrease") and kr.target == kr.baseline:
        return f"key result '{kr.id}': target equals baseline ({kr.target})"
    return None




def nested_key_lines(root, first_line: int = 1) -> dict[str, int]:
    """Dotted paths below the top-level `key_results` and `measurements` keys of a composed
    PyYAML mapping node, each with its file line (`first_line` is the line of the node's
    first line): `key_results.1`, `key_results.1.target`, `measurements.2.date`, ..."""
    import yaml

    lines: dict[str, int] = {}

    def walk(node, path: str, depth: int) -> None:
        if depth > 4:
            return
        if isinstance(node, yaml.SequenceNode):
            for position, child in enumerate(node.value, 1):
                lines[f"{path}.{position}"] = child.start_mark.line + first_line
                walk(child, f"{path}.{position}", depth + 1)
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    lines.setdefault(f"{path}.{key_node.value}", key_node.start_mark.line + first_line)
                    if key_node.value == "measurements":
                        walk(value_node, f"{path}.{key_node.value}", depth + 1)

    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value in ("key_results", "measurements"):
                walk(value_node, key_node.value, 0)
    return lines


