"""Read the measurements an objective keeps in a CSV file (contract v1.1).

`measurements: search-times.csv` names a file relative to the record's file; it must
stay below plans_dir (no absolute path, no `..` that leaves it, no symbolic link that
points out of it). The file is UTF-8 (a BOM is allowed) with a header row naming
`date` and `value`, and optionally `note` and `key_result`. Every problem names the CSV
file and the line in it. A file over MAX_BYTES or MAX_ROWS is refused, so a pull
request cannot make a check read without end.

`csv_reader(plans_root, record_source, shown_prefix)` gives the `read_csv` callback
that `outcomes.key_results_of` takes.
"""

from __future__ import annotations

import csv
import io
import os
import posixpath
from pathlib import Path
from typing import Callable

from . import schema
from ..outcomes import SCHEMA, Finding, Measurement, parse_date

MAX_BYTES = 1024 * 1024
MAX_ROWS = 100_000
COLUMNS = ("date", "value", "note", "key_result")

Rows = list[tuple[str | None, Measurement]]
ReadFile = Callable[[str], "bytes | None"]


def resolve(plans_root: Path, record_source: str, name: str,
            on_disk: bool = True) -> tuple[str | None, str | None]:
    """The CSV file's path relative to plans_root (with '/'), or None and why not
    (`on_disk`: also follow symbolic links on disk, which must stay below plans_root)."""
    if not name.strip():
        return None, "measurements: the CSV file name is empty"
    if name.startswith(("/", "\\")) or os.path.isabs(name) or (len(name) > 1 and name[1] == ":"):
        return None, f"measurements: '{name}' is an absolute path; name the CSV file relative to the record"
    if "\\" in name or "\x00" in name:
        return None, f"measurements: '{name}' is not a usable path: separate folders with '/'"
    relative = posixpath.normpath(posixpath.join(posixpath.dirname(record_source), name))
    if relative == ".." or relative.startswith("../") or relative == ".":
        return None, f"measurements: '{name}' is outside the plans folder"
    if not on_disk:
        return relative, None
    root = os.path.realpath(plans_root)
    real = os.path.realpath(os.path.join(root, relative))
    if os.path.commonpath([real, root]) != root:
        return None, f"measurements: '{name}' leads outside the plans folder (a symbolic link); not read"
    return relative, None


def read_csv_file(plans_root: Path, relative: str, shown: str,
                  read_file: ReadFile | None = None) -> tuple[Rows, list[Finding]]:
    """The rows of one CSV file below plans_root, each with its line in that file.
    `read_file(relative)` gives the bytes from elsewhere (a git revision): None when absent."""
    if read_file is not None:
        raw = read_file(relative)
        if raw is None:
            return [], [Finding(SCHEMA, 1, f"measurements: '{shown}' does not exist")]
        return _rows(raw[:MAX_BYTES + 1], shown)
    path = os.path.join(plans_root, relative)
    try:
        if not os.path.isfile(path):  # said at the record's `measurements` key: the file has no lines
            what = "does not exist" if not os.path.exists(path) else "is not a regular file; not read"
            return [], [Finding(SCHEMA, 1, f"measurements: '{shown}' {what}")]
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        return [], [Finding(SCHEMA, 1, f"cannot read measurements file: {error.strerror}", shown)]
    return _rows(raw, shown)


def _rows(raw: bytes, shown: str) -> tuple[Rows, list[Finding]]:
    def problem(line: int, message: str) -> tuple[Rows, list[Finding]]:
        return [], [Finding(SCHEMA, line, message, shown)]

    if len(raw) > MAX_BYTES:
        return problem(1, f"measurements file is over the limit of {MAX_BYTES:,} bytes; not read")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return problem(raw.count(b"\n", 0, error.start) + 1,
                       f"measurements file is not UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})")
    return parse_csv(text.removeprefix("\ufeff"), shown)


def parse_csv(text: str, shown: str) -> tuple[Rows, list[Finding]]:
    """Rows and problems of CSV text; lines are the text's own (a quoted note may span lines)."""
    problems: list[Finding] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        return [], [Finding(SCHEMA, 1, f"measurements file is not valid CSV: {error}", shown)]
    if header is None:
        return [], [Finding(SCHEMA, 1, "measurements file is empty: it needs a header row with date and value", shown)]
    names = [name.strip().lower() for name in header]
    unknown = []
    for name in names:
        if name not in COLUMNS:
            hint = schema.suggest(name, COLUMNS)
            unknown.append(f"unknown column '{name}'" + (f": did you mean '{hint}'?" if hint else ""))
    missing = [name for name in ("date", "value") if name not in names]
    if missing:  # one problem: the header row, with what it holds instead
        unknown = [f"the header row has no {' and no '.join(missing)} column"
                   + (f" ({'; '.join(unknown)})" if unknown else "")]
    problems += [Finding(SCHEMA, 1, f"{words} (columns: {', '.join(COLUMNS)})", shown) for words in unknown]
    if missing:
        return [], problems
    where = {name: names.index(name) for name in COLUMNS if name in names}
    rows: Rows = []
    line = reader.line_num + 1
    count = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Finding(SCHEMA, line, f"not valid CSV: {error}", shown))
            break
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            problems.append(Finding(SCHEMA, start, f"measurements file has over {MAX_ROWS:,} rows; the rest is not read",
                                    shown))
            break

        def cell(name: str) -> str | None:
            index = where.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else None

        date_text, value_text = cell("date"), cell("value")
        date = parse_date(date_text) if date_text else None
        if date is None:
            problems.append(Finding(SCHEMA, start, f"date '{date_text or ''}' is not a date YYYY-MM-DD", shown))
        value = finite_number(value_text)
        if value is None:
            problems.append(Finding(SCHEMA, start, f"value '{value_text or ''}' is not a number", shown))
        if date is None or value is None:
            continue
        key_result = cell("key_result") or None
        rows.append((key_result, Measurement(date, value, cell("note") or None, start, shown)))
    return rows, problems


def finite_number(text: str | None) -> int | float | None:
    """A finite number written as text, an integer when written as one; None otherwise."""
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def csv_reader(plans_root: Path, record_source: str, shown_prefix: str = "",
               read_file: ReadFile | None = None) -> Callable[[str], tuple[Rows, list[Finding]]]:
    """The `read_csv` callback for one record: `record_source` is its path below plans_root,
    `shown_prefix` what goes before a path below plans_root in a diagnostic ('plans/');
    `read_file`, where given, reads the files of a git revision instead of the disk."""

    def read_csv(name: str) -> tuple[Rows, list[Finding]]:
        relative, refusal = resolve(plans_root, record_source, name, on_disk=read_file is None)
        if relative is None:
            return [], [Finding(SCHEMA, 1, refusal)]  # file None: key_results_of puts it at the key's line
        return read_csv_file(plans_root, relative, shown_prefix + relative, read_file)

    return read_csv
