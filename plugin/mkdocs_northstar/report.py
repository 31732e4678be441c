"""Diagnostics as the command line prints them: text for people, JSON for tools,
workflow commands for GitHub Actions annotations, SARIF for code-scanning tools.

Every formatter takes the analysis and, when `check` runs against a baseline, the
comparison with it: then only the new diagnostics count, and the fixed ones are named.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from . import __version__
from .analysis import Analysis
from .diagnostics import ERROR, OFF, WARNING, Diagnostic, count, json_text, printable
from .render.text import plural, rounded
from .rules import RULES, severities

if TYPE_CHECKING:  # the baseline module is imported only where one is used: check runs on every commit
    from .baseline import Comparison


def counted(analysis: Analysis, ratchet: Comparison | None) -> list[Diagnostic]:
    """The diagnostics that decide the exit code: all, or the new ones against a baseline."""
    return analysis.diagnostics if ratchet is None else ratchet.new


def summary(analysis: Analysis, ratchet: Comparison | None) -> dict:
    figures = analysis.summary()
    if ratchet is not None:
        figures["errors"] = count(ratchet.new, ERROR)
        figures["warnings"] = count(ratchet.new, WARNING)
    return figures


def summary_line(analysis: Analysis, ratchet: Comparison | None) -> str:
    figures = summary(analysis, ratchet)
    line = (f"{plural(figures['objectives'], 'objective')}, {plural(figures['themes'], 'theme')}, "
            f"{plural(figures['plans'], 'plan')}: {plural(figures['errors'], 'error')}, {plural(figures['warnings'], 'warning')}")
    if ratchet is not None:
        fixed = sum(entry.count for entry in ratchet.fixed)
        line += (f" not in baseline {ratchet.path} ({len(ratchet.known)} known"
                 + (f", {fixed} fixed" if fixed else "") + ")")
    return line


def _fixed_lines(ratchet: Comparison | None) -> list[str]:
    if not ratchet or not ratchet.fixed:
        return []
    return ([f"Fixed, can leave the baseline (northstar check --baseline {ratchet.path} "
             f"--write-baseline {ratchet.path}):"]
            + [f"  {entry.as_text()}" for entry in ratchet.fixed])


def text_line(diagnostic: Diagnostic, root: Path | None = None, colour: bool = False) -> str:
    """A diagnostic's line for a person: its path from the working folder when `root`
    (the project's folder) is given, its severity coloured when `colour`."""
    from dataclasses import replace

    from .console import from_here, paint

    if root is not None:
        diagnostic = replace(diagnostic, file=from_here(root, diagnostic.file))
    line = diagnostic.as_text()
    if not colour:
        return line
    # The severity starts where the line without its message ends, less "severity: [rule] ".
    start = len(replace(diagnostic, message="").as_text()) - len(f"{diagnostic.severity}: [{diagnostic.rule}] ")
    end = start + len(diagnostic.severity)
    return line[:start] + paint(line[start:end], diagnostic.severity, True) + line[end:]


def as_text(analysis: Analysis, ratchet: Comparison | None = None, *, here: bool = False,
            colour: bool = False) -> str:
    """One line a diagnostic and the summary last. `here`: paths from the working folder
    instead of the project's; `colour`: severities and the summary in colour."""
    from .console import paint

    root = analysis.settings.root if here else None
    lines = [text_line(diagnostic, root, colour) for diagnostic in counted(analysis, ratchet)]
    summary = summary_line(analysis, ratchet)
    if colour:
        failing = counted(analysis, ratchet)
        style = "error" if count(failing, ERROR) else "warning" if count(failing, WARNING) else "ok"
        summary = paint(summary, style, True)
    lines.extend(_fixed_lines(ratchet))
    lines.append(summary)
    return "\n".join(lines) + "\n"


def as_json(analysis: Analysis, ratchet: Comparison | None = None) -> str:
    document = {
        "version": 1,
        "summary": summary(analysis, ratchet),
        "diagnostics": [diagnostic.as_dict() for diagnostic in counted(analysis, ratchet)],
    }
    if ratchet is not None:
        document["baseline"] = {
            "file": ratchet.path,
            "known": [diagnostic.as_dict() for diagnostic in ratchet.known],
            "fixed": [entry.as_dict() for entry in ratchet.fixed],
        }
    return json_text(rounded(document))


# --- GitHub Actions workflow commands -------------------------------------------------
# https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions


def _escape_data(text: str) -> str:
    # A CR or LF ends a workflow command; the runner reads %0D and %0A as line breaks.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def repository_prefix(root: Path) -> str:
    """The folder of mkdocs.yml relative to the root of its git repository ('' at the
    root or outside a repository): annotations and SARIF name files from the repo root."""
    folder = root.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            relative = os.path.relpath(folder, candidate).replace(os.sep, "/")
            return "" if relative == "." else relative + "/"
    return ""


def as_github(analysis: Analysis, ratchet: Comparison | None = None) -> str:
    prefix = repository_prefix(analysis.settings.root)
    lines = []
    for diagnostic in counted(analysis, ratchet):
        command = "error" if diagnostic.severity == ERROR else "warning"
        properties = ",".join(f"{name}={_escape_property(value)}" for name, value in (
            ("file", prefix + printable(diagnostic.file)), ("line", str(diagnostic.line)),
            ("title", f"northstar {diagnostic.rule}")))
        # Control characters show as escapes, as in the text format: the annotation is one line.
        lines.append(f"::{command} {properties}::{_escape_data(printable(diagnostic.message))}")
    lines.append(summary_line(analysis, ratchet))
    if ratchet and ratchet.fixed:
        fixed = "\n".join(_fixed_lines(ratchet))
        lines.append(f"::notice title=northstar baseline::{_escape_data(fixed)}")
    return "\n".join(lines) + "\n"


# --- SARIF 2.1.0 ----------------------------------------------------------------------
# https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html

_SARIF_LEVEL = {ERROR: "error", WARNING: "warning", OFF: "none"}
SRCROOT = "%SRCROOT%"


def _rule_descriptor(rule_id: str, severity: str) -> dict:
    rule = RULES[rule_id]
    configure = (f"Set its severity in mkdocs.yml under `plugins: - northstar: rules: {rule_id}:` "
                 "(error, warning or off).")
    return {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in rule_id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": f"{rule.summary} {configure}", "markdown": f"{rule.summary}\n\n{configure}"},
        "defaultConfiguration": {"level": _SARIF_LEVEL[severity], "enabled": severity != OFF},
    }


def as_sarif(analysis: Analysis, ratchet: Comparison | None = None) -> str:
    from .baseline import fingerprint

    chosen = severities(dict(analysis.settings.rules))
    rule_ids = list(RULES)
    prefix = repository_prefix(analysis.settings.root)
    new = set(ratchet.new) if ratchet else set()
    seen: dict = {}
    results = []
    # Against a baseline every finding is listed, marked new or unchanged, as SARIF intends.
    for diagnostic in analysis.diagnostics:
        key = fingerprint(diagnostic)
        seen[key] = seen.get(key, 0) + 1
        result = {
            "ruleId": diagnostic.rule,
            "ruleIndex": rule_ids.index(diagnostic.rule),
            "level": _SARIF_LEVEL[diagnostic.severity],
            "message": {"text": diagnostic.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": quote(prefix + diagnostic.file, safe="/"), "uriBaseId": SRCROOT},
                "region": {"startLine": diagnostic.line},
            }}],
            # The same fingerprint as the baseline's, so code scanning tracks an alert across edits.
            "partialFingerprints": {"northstarFingerprint/v1": "|".join(key) + f"|{seen[key]}"},
        }
        if diagnostic.id:
            result["properties"] = {"recordId": diagnostic.id}
        if ratchet:
            result["baselineState"] = "new" if diagnostic in new else "unchanged"
        results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "northstar",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule_descriptor(rule_id, chosen[rule_id]) for rule_id in rule_ids],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json_text(document)


FORMATTERS = {"text": as_text, "json": as_json, "github": as_github, "sarif": as_sarif}
