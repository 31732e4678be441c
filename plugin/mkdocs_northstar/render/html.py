"""Every HTML fragment of the generated pages: listings as tables, links, badges,
progress bars, tabs and the maps' frames. Each user string is escaped where it lands."""

from __future__ import annotations

from jinja2 import pass_context

from ..model import Node, remembered_keys
from ..outcomes import default_as_of
from ..read.schema import STATUSES
from ..views import OPEN_ORDER, StatusRow, plans_serving
from . import maps, roadmap, timeline
from .text import attr, md, number, percent, plural, text

# --- Listings as raw HTML ---------------------------------------------------------------
# Python-Markdown sets a raw HTML block aside whole, where a Markdown table is parsed
# cell by cell and then inline by inline: the listings of a large strategy (every plan
# on its theme's, objective's and team's page, the roadmap, each plan's metadata) cost
# MkDocs more than all the plan bodies when they were Markdown. So they are written as
# the HTML Python-Markdown makes of a table, which Material styles and wraps alike.
# MkDocs does not rewrite links in raw HTML: they point where the pages are served.

_RIGHT = ' style="text-align: right;"'

# What the search index gets of a raw HTML block the plugin set aside: the block, its
# words without the markup (a record's metadata: found by its owner's name, at a few
# tags' cost instead of some eighty), or nothing (a listing of records with pages of
# their own). The fence's first line says which.
SEARCH_ALL, SEARCH_TEXT, SEARCH_NONE = "", "~", "-"



@pass_context
def raw_html(context, block: str, search: str = SEARCH_ALL) -> str:
    """A raw HTML block, fenced with the build's marker when the plugin sets blocks aside."""
    if search == SEARCH_NONE:  # for Material on any host; the plugin hands it over later
        block = block.replace("<table>", "<table data-search-exclude>")
    marker = context["options"].html_marker
    return f"<!--{search}{marker}-->\n{block}\n<!--/{marker}-->" if marker else block


_ALIGN = {False: "", True: _RIGHT, "center": ' style="text-align: center;"'}


def html_table(head: list[tuple[str, bool | str]], rows: list[list[object]]) -> str:
    """A table of `rows` under `head` (a label and its column's alignment: False for
    left, True for right, as figures are, or "center"), as one raw HTML block; labels
    and cells are HTML already."""
    aligns = [_ALIGN[align] for _, align in head]
    return _table(head, aligns, [_table_row(row, aligns) for row in rows])


def _table_row(cells: list[object], aligns: list[str]) -> str:
    return "<tr>" + "".join(f"<td{align}>{cell}</td>" for cell, align in zip(cells, aligns)) + "</tr>"


# Every table the pages write as HTML scrolls in a box of its own (assets/northstar.css):
# a wide one never makes the whole page scroll sideways on a phone.
_SCROLL = '<div class="northstar-scroll">'


def _table(head: list[tuple[str, bool | str]], aligns: list[str], rows: list[str]) -> str:
    lines = [_SCROLL + "<table>", "<thead>", "<tr>" + "".join(f"<th{align}>{label}</th>"
                                                              for (label, _), align in zip(head, aligns)) + "</tr>",
             "</thead>", "<tbody>", *rows, "</tbody>", "</table></div>"]
    return "\n".join(lines)


def _html_a(context, target: str, label: object) -> str:
    return context["links"].anchor(target, label, context["here"])


@pass_context
def html_link(context, node: Node, label: str | None = None) -> str:
    """A link to a record's page in raw HTML; a record of another strategy is marked
    and names its source (contract v1.2)."""
    anchor = _html_a(context, node.page, label if label is not None else node.title)
    return anchor + elsewhere(node.source) if node.source else anchor


def elsewhere(source: str) -> str:
    """The small label of a record that comes from another strategy."""
    return f' <span class="northstar-elsewhere">from {text(source)}</span>'



@pass_context
def html_links(context, nodes: list[Node], empty: str = "none") -> str:
    """Links to the records' pages, separated by commas (`empty` for none)."""
    if not nodes:
        return empty
    links, here = context["links"], context["here"]
    memo = links.page_memo(here)
    made = memo.get(id(nodes))
    if made is None or made[0] is not nodes:  # the same list object, still held: the same links
        anchor = links.anchor
        made = memo[id(nodes)] = (nodes, ", ".join([
            anchor(node.page, node.title, here) + (elsewhere(node.source) if node.source else "")
            for node in nodes]))
    return made[1]


@pass_context
def html_team_link(context, name: str | None) -> str:
    """A link to a team's page in raw HTML ("–" for no team)."""
    if not name:
        return "–"
    team = context["strategy"].teams.get(name)  # another strategy's team shown here may have no page
    return _html_a(context, team.page, name) if team is not None else text(name)


def progress_bar(node: Node, compact: bool = False) -> str:
    """An objective's progress as one line of spans ("" where baseline or target is
    missing or equal): baseline on the left, target on the right whichever way is
    better, the fill up to the current value. Compact: the bar and the percentage, for
    a table cell. In Python, not a macro: a team's page shows one per objective served."""
    fields = node.fields
    baseline, target = fields["baseline"], fields["target"]
    if baseline is None or target is None or baseline == target:
        return _objective_bar(node, compact) if node.progress is not None else ""
    shorthand = node.outcome.key_results if node.outcome is not None else []
    # The v1 shorthand's one key result: unclamped, its latest measurement or `current`.
    progress = shorthand[0].progress if shorthand else node.progress
    current_value = shorthand[0].value if shorthand else fields["current"]
    unit = md(" " + str(fields["unit"])) if fields["unit"] else ""
    state, track = _track(progress, "of the way from baseline to target")
    if compact:
        return (f'<span class="northstar-measure northstar-measure--{state} northstar-measure--compact">{track}'
                f'<span class="northstar-measure__label">{percent(progress)}</span></span>')
    current = ("no measurement yet" if progress is None
               else f"current {number(current_value)}{unit} · {percent(progress)}")
    direction = "lower is better" if target < baseline else "higher is better"
    direction += {"behind": " · moved away from the target", "reached": " · target reached"}.get(state, "")
    return (f'<span class="northstar-measure northstar-measure--{state}">{track}'
            f'<span class="northstar-measure__scale"><span>baseline {number(baseline)}{unit}</span>'
            f'<span class="northstar-measure__current">{current}</span>'
            f'<span>target {number(target)}{unit}</span></span>'
            f'<span class="northstar-measure__direction">{direction}</span></span>')


def _track(progress: float | None, what: str) -> tuple[str, str]:
    shown = min(max(progress or 0, 0), 1)
    state = "none" if progress is None else "behind" if progress < 0 else "reached" if progress >= 1 else "on-way"
    return state, (f'<span class="northstar-measure__track" role="progressbar" aria-valuemin="0" aria-valuemax="100" '
                   f'aria-valuenow="{int(round(shown * 100))}" aria-label="{attr(percent(progress))} {what}">'
                   f'<span class="northstar-measure__fill" style="width: {round(shown * 100, 1)}%"></span></span>')


def _objective_bar(node: Node, compact: bool) -> str:
    """The progress of an objective measured by key results, or rolled up from its children."""
    outcome = node.outcome
    if outcome is None:  # another strategy's record: its progress as that strategy gives it
        how = f"as {node.source or 'its strategy'} reports it"
    else:
        how = ("rolled up from its child objectives" if outcome.rolled_up
               else f"over {plural(len(outcome.key_results), 'key result')}")
    state, track = _track(node.progress, f"of the way, {how}")
    label = f'<span class="northstar-measure__label">{percent(node.progress)}</span>'
    if compact:
        return f'<span class="northstar-measure northstar-measure--{state} northstar-measure--compact">{track}{label}</span>'
    return (f'<span class="northstar-measure northstar-measure--{state}">{track}'
            f'<span class="northstar-measure__direction">{percent(node.progress)} of the way, {how}</span></span>')


@pass_context
def plan_metadata(context, node: Node) -> str:
    """A plan page's table of status, team, themes, objectives, period, effort, owner,
    dependencies and links. Written in Python rather than in the template: it is on
    every plan page (docs/performance.md)."""
    fields = node.fields
    rows = [["Status", status_badge(node.status)],
            ["Team", html_team_link(context, node.team)],
            ["Themes", html_links(context, node.themes)],
            ["Objectives", html_links(context, node.served)],
            ["Period", period(node.period)],
            ["Effort", number(node.effort)],
            ["Owner", text(fields["owner"] or "–")]]
    if node.depends_on:
        rows.append(["Depends on", html_links(context, node.depends_on)])
    if node.dependents:
        rows.append(["Needed by", html_links(context, node.dependents)])
    if fields["links"]:
        rows.append(["Links", ", ".join(html_url(url) for url in fields["links"])])
    return raw_html(context, html_table(_METADATA_HEAD, rows), SEARCH_TEXT)


_METADATA_HEAD = [("", False), ("", False)]


@pass_context
def source_metadata(context, node: Node) -> str:
    """The table of a read-only page of another strategy's record (contract v1.2): in
    Python, as a plan's, since a company site may show thousands of them."""
    rows = [["Source", f"<strong>{text(node.source)}</strong>"], ["Id", text(node.ref)], ["Kind", node.kind]]
    if node.kind == "plan":
        rows += [["Status", status_badge(node.status)], ["Team", html_team_link(context, node.team)],
                 ["Themes", html_links(context, node.themes)], ["Effort", number(node.effort)]]
    rows.append(["Period", text(node.period or "–")])
    if node.progress is not None:
        rows.append(["Progress", percent(node.progress)])
    if node.parent is not None:
        rows.append(["Parent objective", html_link(context, node.parent)])
    if node.kind != "objective":
        rows.append(["Serves", html_links(context, node.served if node.kind == "plan" else node.objectives)])
    if node.depends_on:
        rows.append(["Depends on", html_links(context, node.depends_on)])
    return raw_html(context, html_table(_METADATA_HEAD, rows), SEARCH_TEXT)


@pass_context
def breadcrumb(context, node: Node) -> str:
    """Where a theme or a plan sits: objective › theme › the record itself."""
    trail = [html_links(context, node.served if node.kind == "plan" else node.objectives, "no objective")]
    if node.kind == "plan":
        trail.append(html_links(context, node.themes, "no theme"))
    trail.append(f'<span aria-current="page">{text(node.title)}</span>')
    return raw_html(context, f'<nav class="northstar-breadcrumb" aria-label="Where it sits">{" › ".join(trail)}</nav>',
                    SEARCH_NONE)


def html_url(url: str) -> str:
    return f'<a href="{attr(url)}">{text(url)}</a>'


def period(value: str | None) -> str:
    """A period that never breaks across lines ("–" for none)."""
    return f'<span class="northstar-period">{text(value)}</span>' if value else "–"


def status_badge(status: str) -> str:
    return f'<span class="northstar-status northstar-status--{status}">{status}</span>'


@pass_context
def plan_table(context, plans: list[Node], show_team: bool = True, open_rows: int | None = None) -> str:
    """The plans of a theme, an objective or a team: status, team, effort, period; at most
    `open_rows` (default FOLD_AFTER) open, those in progress first (see `folded`)."""
    if not plans:
        return "*No plans.*"
    head = [("Plan", False), ("Status", False)] + [("Team", False)] * show_team + [("Effort", True), ("Period", False)]
    # A plan's row is the same on every page at the same place (its themes', objectives'
    # and team's pages): it is built once per place, not once per listing.
    links, here = context["links"], context["here"]
    aligns = [_ALIGN[align] for _, align in head]

    def table(chosen: list[Node]) -> str:
        return _table(head, aligns, [row_of(plan) for plan in chosen])

    def row_of(plan: Node) -> str:
        key = (plan.page, links.place(plan.page, here))  # strings: no work for the collector
        row = links.rows.get(key) if show_team else None
        if row is None:
            cells = ([html_link(context, plan), status_badge(plan.status)] + [text(plan.team or "–")] * show_team
                     + [number(plan.effort), period(plan.period)])
            row = _table_row(cells, aligns)
            if show_team:  # without the team column it is the team's own page: shown once
                links.rows[key] = row
        return row

    shown, more, closed = folded(plans, FOLD_AFTER if open_rows is None else open_rows)
    block = table(shown) if shown else ""
    if more:
        block += "\n" + _details(f"{plural(len(more), 'more plan' if shown else 'plan')} in progress or to do", table(more))
    if closed:
        block += "\n" + _details(_closed_summary(closed), table(closed))
    return raw_html(context, block.lstrip("\n"), SEARCH_NONE)


# --- Long lists fold ------------------------------------------------------------------
# Work in progress first, then what comes next; at most FOLD_AFTER of those open, the
# rest and all done or dropped work folded in <details> that say what they hold.
FOLD_AFTER = 20


def folded(plans: list[Node], limit: int = FOLD_AFTER) -> tuple[list[Node], list[Node], list[Node]]:
    """The plans shown open, the open ones folded past `limit`, and the done or dropped ones."""
    open_plans = sorted((plan for plan in plans if plan.status in OPEN_ORDER), key=lambda plan: OPEN_ORDER[plan.status])
    closed = [plan for plan in plans if plan.status not in OPEN_ORDER]
    return open_plans[:limit], open_plans[limit:], closed


def _closed_summary(closed: list[Node]) -> str:
    done = sum(plan.status == "done" for plan in closed)
    parts = [f"{done} done"] * bool(done) + [f"{len(closed) - done} dropped"] * bool(len(closed) - done)
    return " and ".join(parts)


def _details(summary: str, block: str) -> str:
    return f'<details class="northstar-fold">\n<summary>{text(summary)}</summary>\n{block}\n</details>'


@pass_context
def team_objectives(context, team) -> str:
    """The objectives a team's plans serve: progress, the team's plans and effort for each.
    In Python: a team of a large strategy serves dozens of objectives."""
    serving = plans_serving(team.plans)
    bars, rows = context["links"].rows, []
    for objective in team.objectives:
        mine = serving.get(objective, [])
        bar = bars.get((objective.page, "bar"))
        if bar is None:  # the same on every team's page
            bar = bars[(objective.page, "bar")] = progress_bar(objective, compact=True) or "–"
        rows.append([html_link(context, objective), bar, len(mine), number(sum(plan.weight for plan in mine))])
    head = [("Objective", False), ("Progress", False), ("The team's plans for it", True), ("The team's effort", True)]
    return raw_html(context, html_table(head, rows), SEARCH_NONE)


@pass_context
def roadmap_timeline(context) -> str:
    """The roadmap's lead: the plans on one time axis, a lane per objective and, in a second
    tab, per team (render/timeline.py draws both the SVG and the phone's list per period).
    Plain Markdown gets the lists only: no stylesheet chooses between the two there."""
    strategy, url = context["strategy"], _map_url(context)
    # The same plans in both views: their bars and their sort keys are made once.
    bars, order = roadmap.Bars(), remembered_keys()
    views = [("By objective", roadmap.objective_lanes(strategy, bars)), ("By team", roadmap.team_lanes(strategy, bars))]
    if context["options"].flavor == "plain":  # headings have the host's ids there: the rest is named, not linked
        return tabs(context, 1, [(label, timeline.listing(lanes, url, order=order)) for label, lanes in views])
    as_of = strategy.as_of or default_as_of()  # the day outcomes are judged on: settings.as_of
    return tabs(context, 1, [(label, timeline.timeline(lanes, as_of, href=url, more=_period_section, order=order))
                             for label, lanes in views])


def _period_section(period: str | None) -> str:
    return f"#{period_anchor(period)}"  # the period's section further down lists all its plans


def period_anchor(period: str | None) -> str:
    """The id of a period's section on the roadmap page, as the toc extension's default
    slugify makes it (written out, so that it stays the same whatever slugify a site uses)."""
    return period.lower() if period else "no-period"


@pass_context
def tabs(context, number: int, labels_and_blocks: list[tuple[str, str]]) -> str:
    """Content tabs as pymdownx.tabbed writes them (alternate style, which Material's
    script and styles drive), so pages need not load the extension: the `number`th set
    on its page."""
    if context["options"].flavor == "plain":  # a heading per tab: no script switches them
        return "\n\n".join(f"**{md(label)}**\n\n{block}" for label, block in labels_and_blocks)
    count, checked = len(labels_and_blocks), 'checked="checked" '
    inputs = "".join(f'<input {checked if index == 1 else ""}id="__tabbed_{number}_{index}" '
                     f'name="__tabbed_{number}" type="radio" />' for index in range(1, count + 1))
    labels = "".join(f'<label for="__tabbed_{number}_{index}">{text(label)}</label>'
                     for index, (label, _) in enumerate(labels_and_blocks, 1))
    blocks = "\n".join(f'<div class="tabbed-block">\n{block}\n</div>' for _, block in labels_and_blocks)
    # The roadmap's tabs list plans, each with a page of its own (and the roadmap is out
    # of the search index): they go back into the page only when it is written.
    return raw_html(context, f'<div class="tabbed-set tabbed-alternate" data-tabs="{number}:{count}">{inputs}'
                             f'<div class="tabbed-labels">{labels}</div>\n<div class="tabbed-content">\n{blocks}\n</div>\n</div>',
                    SEARCH_NONE)


@pass_context
def icon(context, name: str) -> str:
    """A Material icon where the site resolves them, else nothing (the text stands alone)."""
    return f":material-{name}: " if context["options"].material_icons else ""


def _map_url(context) -> maps.Url:
    here, links = context["here"], context["links"]
    return lambda target: links.href(target, here)


def _map_html(diagram: maps.Diagram | None) -> str:
    if diagram is None:
        return ""
    legend = "".join(f'<span class="northstar-map__key northstar-map__key--{status}">{status}</span>'
                     for status in STATUSES)
    # The SVG and the same map as a list: the stylesheet shows the list on a phone.
    return (f'<div class="northstar-map">{maps.svg(diagram)}'
            f'<p class="northstar-map__legend">Plan status: {legend}</p>{maps.tree(diagram)}</div>')


@pass_context
def objective_map(context, node: Node) -> str:
    """The objective's map as a raw HTML block, or "" when there is none to draw."""
    return _map_block(context, maps.objective_map(node, _map_url(context)))


@pass_context
def strategy_map(context) -> str:
    return _map_block(context, maps.strategy_map(context["strategy"], _map_url(context)))


def _map_block(context, diagram: maps.Diagram | None) -> str:
    # Set aside like the listings: Python-Markdown walked each map tag by tag, and the
    # search index has the records the map names already.
    return raw_html(context, _map_html(diagram), SEARCH_NONE) if diagram else ""


# --- Figures: stacked bars and the coverage tables ---------------------------------------


def status_stack(rows: list[StatusRow]) -> str:
    """Plans per status as one stacked bar, each status's part as wide as its share."""
    label = ", ".join(f"{row.plans} {row.status}" for row in rows)
    parts = "".join(f'<span class="northstar-stack__part northstar-status--{row.status}" '
                    f'style="width: {round(row.share * 100, 2)}%" title="{row.status}: {row.plans}"></span>'
                    for row in rows if row.share is not None)  # dropped work has no share of the effort
    return f'<span class="northstar-stack" role="img" aria-label="{label}">{parts}</span>'


def linked_stack(team) -> str:
    """The share of a team's effort linked to an objective, as a bar."""
    return (f'<span class="northstar-stack northstar-stack--linked" role="img" aria-label="{team.linked.percent} '
            "of the team's effort is linked to an objective\"><span class=\"northstar-stack__part "
            f'northstar-status--done" style="width: {round((team.linked.ratio or 0) * 100, 2)}%" '
            'title="linked"></span></span>')


@pass_context
def status_listing(context, rows: list[StatusRow]) -> str:
    """Plans, effort and share of effort per status."""
    cells = [[status_badge(row.status), row.plans, number(row.effort), percent(row.share) if row.share is not None
              else "excluded"] for row in rows]
    head = [("Status", False), ("Plans", True), ("Effort", True), ("Share of effort", True)]
    caption = ("<p class=\"northstar-caption\">Each plan counted once. Share of effort: of the effort not dropped "
               "(a plan without an effort counts 1); dropped work is excluded.</p>")
    return raw_html(context, html_table(head, cells) + "\n" + caption, SEARCH_NONE)


@pass_context
def child_objectives(context, node: Node) -> str:
    """An objective's child objectives: progress, plans and done share of each."""
    coverage, rows = context["coverage"], []
    for child in node.children:
        entry = coverage.for_objective(child)
        rows.append([html_link(context, child), progress_bar(child, compact=True) or "–", len(entry.plans),
                     entry.status.done.percent])
    head = [("Objective", False), ("Progress", False), ("Plans", True), ("Done", True)]
    return raw_html(context, html_table(head, rows), SEARCH_NONE)


@pass_context
def plan_list(context, plans: list[Node]) -> str:
    """Plans named and linked, with status, team and period: a long list in the narrative."""
    items = "".join(f"<li><strong>{html_link(context, plan)}</strong> ({plan.status.replace('-', ' ')}"
                    f"{', team ' + text(plan.team) if plan.team else ''}{', ' + text(plan.period) if plan.period else ''})"
                    "</li>\n" for plan in plans)
    return raw_html(context, f"<ul>\n{items}</ul>", SEARCH_NONE)


def problem_at(diagnostic) -> str:
    """Where a problem is, as code: not a code span, which a backtick in a file's name would close."""
    return f"<code>{md(diagnostic.file)}:{diagnostic.line}</code>"
