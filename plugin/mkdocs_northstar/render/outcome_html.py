"""The HTML fragments of outcomes over time (contract v1.1): an objective's key results
(each with its chart), its health chip and sparkline, the latest check-ins and the scores
of ended periods. Like html.py, each user string is escaped where it lands; the SVG and
the key result's card are drawn by charts.py."""

from __future__ import annotations

from jinja2 import pass_context

from ..model import Node
from ..outcomes import default_as_of
from .charts import health_chip, key_result_card, sparkline
from .html import SEARCH_NONE, SEARCH_TEXT, html_link, html_table, raw_html
from .text import number, percent, text


@pass_context
def key_results(context, node: Node) -> str:
    """Every key result of an objective: progress, health, figures, latest note and chart."""
    outcome = node.outcome
    if outcome is None or not outcome.key_results:
        return ""
    as_of = context["strategy"].as_of or default_as_of()
    cards = [key_result_card(kr, period=node.period, as_of=as_of, health=outcome.key_result_health.get(kr.id),
                             forecast_value=outcome.key_result_forecast.get(kr.id), uid=f"{node.slug}-{kr.id}")
             for kr in outcome.key_results]
    # Searched by its words: its charts and their tables of values would cost the index
    # a thousand tags per objective, to no reader's use.
    return raw_html(context, '<div class="northstar-key-results">' + "".join(cards) + "</div>", SEARCH_TEXT)


def objective_health(node: Node) -> str:
    """An objective's health chip and the sparkline of its first measured key result, inline."""
    outcome = node.outcome
    if outcome is None:
        return ""
    values = next(([m.value for m in kr.measurements] for kr in outcome.key_results if len(kr.measurements) > 1), [])
    return " ".join(part for part in (health_chip(outcome.health),
                                      sparkline(values[-12:], label="latest measurements")) if part)


def worst_first(entries: list) -> list:
    """Coverage entries of objectives, those whose health needs attention first (stable)."""
    return sorted(entries, key=lambda entry: entry.objective.outcome.worst_first() if entry.objective.outcome else 9)


@pass_context
def latest_checkins(context, limit: int = 10) -> str:
    """The latest measurements of every objective, newest first ("" without any)."""
    found = [(m, kr, node) for node in context["strategy"].objectives if node.outcome
             for kr in node.outcome.key_results for m in kr.measurements[-limit:]]
    found.sort(key=lambda item: (-item[0].date.toordinal(), item[2].slug, item[1].id))
    rows = [[m.date.isoformat(), html_link(context, node), text(kr.title),
             text(number(m.value) + (f" {kr.unit}" if kr.unit else "")), text(m.note or "")]
            for m, kr, node in found[:limit]]
    head = [("Date", False), ("Objective", False), ("Key result", False), ("Value", True), ("Note", False)]
    return raw_html(context, html_table(head, rows), SEARCH_NONE) if rows else ""


@pass_context
def period_scores(context, objectives: list[Node]) -> str:
    """The scores of objectives whose period has ended, with their key results' ("" for none)."""
    rows = []
    for node in objectives:
        outcome = node.outcome
        if outcome is None or outcome.score is None:
            continue
        details = ", ".join(f"{text(kr.title)} {percent(kr.progress)}" for kr in outcome.key_results)
        rows.append([html_link(context, node), percent(outcome.score),
                     details or ("rolled up from its child objectives" if outcome.rolled_up else "–")])
    head = [("Objective", False), ("Score", True), ("Key results", False)]
    return raw_html(context, html_table(head, rows), SEARCH_NONE) if rows else ""
