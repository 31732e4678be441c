"""Diagnostics as the command line prints them: text for people, JSON for tools."""

from __future__ import annotations

import json

from .analysis import Analysis

FORMATS = ("text", "json")


def as_text(analysis: Analysis) -> str:
    lines = [diagnostic.as_text() for diagnostic in analysis.diagnostics]
    summary = analysis.summary()
    errors, warnings = summary["errors"], summary["warnings"]
    lines.append(
        f"{summary['objectives']} objectives, {summary['themes']} themes, {summary['plans']} plans: "
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    )
    return "\n".join(lines) + "\n"


def as_json(analysis: Analysis) -> str:
    document = {
        "version": 1,
        "summary": analysis.summary(),
        "diagnostics": [diagnostic.as_dict() for diagnostic in analysis.diagnostics],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


FORMATTERS = {"text": as_text, "json": as_json}
