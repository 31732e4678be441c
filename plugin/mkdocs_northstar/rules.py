"""The rules: one small function each, in one table with its id and default severity.

A rule yields findings (node or path, line, message); `run` turns them into
diagnostics with the severity the settings give the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from .read import schema
from .diagnostics import ERROR, OFF, WARNING, Diagnostic
from .read.front_matter import FRONT_MATTER, SCHEMA
from .model import LINK_KEYS, Node, Strategy, period_within
from .outcomes import SHORTHAND_KEYS, incomplete, overdue, period_bounds, stale


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    id: str | None
    message: str


def _at(node: Node, key: str | None, message: str) -> Finding:
    line = node.record.line_of(key) if key else 1
    return Finding(node.path, line, node.id, message)


def _live(strategy: Strategy, kind: str) -> Iterator[Node]:
    # Records whose front matter could not be read already carry an error; judging
    # their (unknown) links would only add noise.
    return (node for node in strategy.of_kind(kind) if not node.record.broken)


def _given_but_invalid(node: Node, key: str) -> bool:
    # A key whose value the schema refused is already an error; its rule stays quiet.
    return key in node.record.lines and key not in node.record.fields


def _problems(rule: str):
    def check(strategy: Strategy) -> Iterator[Finding]:
        for node in strategy.nodes:
            for problem in node.record.problems:
                if problem.rule == rule:
                    yield Finding(node.path, problem.line, node.id, problem.message)
        for path, problem in strategy.scan_problems:
            if problem.rule == rule:
                yield Finding(path, problem.line, None, problem.message)
        if rule == SCHEMA:  # key results and their measurements (a CSV file's at its own lines)
            for path, line, record_id, message in strategy.outcome_problems:
                yield Finding(path, line, record_id, message)

    return check


def duplicate_id(strategy: Strategy) -> Iterator[Finding]:
    # Each holder names one other (the first of the others) and counts the rest: listing
    # them all made the output grow with the square of the holders (86 MB for 2,000).
    for key, holders in strategy.duplicates.items():
        for node in holders:
            first = holders[1] if node is holders[0] else holders[0]
            rest = len(holders) - 2
            more = f" and {rest:,} other file{'s' if rest != 1 else ''}" if rest else ""
            yield _at(node, "id" if "id" in node.record.lines else None,
                      f"id '{key}' is also used by {first.path}{more}")


def dangling_link(strategy: Strategy) -> Iterator[Finding]:
    nearest: dict[str, schema.Nearest] = {}  # per kind: its ids are gathered once, not per link
    for link in strategy.dangling:
        wanted = LINK_KEYS[link.key]
        if link.found is not None:
            message = f"{link.key} names '{link.target}', which is {schema.a_kind(link.found.kind)}, not {schema.a_kind(wanted)}"
        else:
            if wanted not in nearest:
                nearest[wanted] = schema.Nearest(node.id for node in strategy.of_kind(wanted) if node.id)
            hint = nearest[wanted](link.target)
            hint = f": did you mean '{hint}'?" if hint else ""
            message = f"{link.key} names {wanted} '{link.target}', which does not exist{hint}"
        yield _at(link.node, link.key, message)
    for node, link in strategy.foreign_dangling:  # NAME:ID naming nothing in source NAME
        yield _at(node, link.key, link.message)


def unlinked_plan(strategy: Strategy) -> Iterator[Finding]:
    for plan in _live(strategy, "plan"):
        if _given_but_invalid(plan, "themes") or _given_but_invalid(plan, "objectives"):
            continue
        name = plan.id or plan.slug
        if not plan.themes:
            named = "names no existing theme" if plan.record.get("themes") else "names no theme"
            yield _at(plan, "themes" if "themes" in plan.record.lines else None, f"plan '{name}' {named}")
        elif not plan.served:
            yield _at(plan, "themes", f"plan '{name}' serves no objective: neither it nor its themes name an existing one")


def unlinked_theme(strategy: Strategy) -> Iterator[Finding]:
    for theme in _live(strategy, "theme"):
        if theme.objectives or _given_but_invalid(theme, "objectives"):
            continue
        named = "names no existing objective" if theme.record.get("objectives") else "serves no objective"
        yield _at(theme, "objectives" if "objectives" in theme.record.lines else None,
                  f"theme '{theme.id or theme.slug}' {named}")


def unmeasurable_objective(strategy: Strategy) -> Iterator[Finding]:
    for objective in _live(strategy, "objective"):
        fields = objective.record.fields
        name = objective.id or objective.slug
        if "key_results" in objective.record.lines:  # contract v1.1; both ways at once is a schema error
            if "key_results" in fields and not any(key in fields for key in SHORTHAND_KEYS):
                for kr in objective.outcome.key_results if objective.outcome else ():
                    reason = incomplete(kr)
                    if reason:
                        yield Finding(objective.path, kr.line, objective.id, f"objective '{name}' is unmeasurable: {reason}")
            continue
        if objective.children and not any(key in objective.record.lines for key in SHORTHAND_KEYS):
            continue  # no key results of its own: measured by its child objectives' progress
        missing = [key for key in ("metric", "baseline", "target")
                   if key not in fields and not _given_but_invalid(objective, key)]
        if missing:
            yield _at(objective, None, f"objective '{name}' is unmeasurable: no {' and no '.join(missing)}")
        elif "baseline" in fields and "target" in fields and fields["target"] == fields["baseline"]:
            yield _at(objective, "target",
                      f"objective '{name}' is unmeasurable: target equals baseline ({fields['target']})")


def cycle(strategy: Strategy) -> Iterator[Finding]:
    for key, kind in (("parent", "objective"), ("depends_on", "plan")):
        nodes = list(_live(strategy, kind))
        for loop in _cycles(nodes, key):
            # A loop may run through other strategies' records; it is reported on this
            # strategy's first record in it (a loop among a source's own is its CI's).
            own = [node for node in loop if node.source is None]
            if not own:
                continue
            first = min(own, key=lambda node: node.path)
            start = loop.index(first)
            ordered = loop[start:] + loop[:start] + [first]
            chain = " → ".join(node.ref for node in ordered)
            yield _at(first, key, f"cycle through {key}: {chain}")


def _cycles(nodes: list[Node], key: str) -> list[list[Node]]:
    """Each loop once, as the list of its members in link order (Tarjan's algorithm,
    iterative so that long chains cannot exhaust the stack)."""

    def successors(node: Node) -> list[Node]:
        if key == "parent":
            return [node.parent] if node.parent else []
        return node.depends_on

    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[Node] = []
    loops: list[list[Node]] = []
    counter = 0
    for root in nodes:
        if id(root) in index:
            continue
        work = [(root, iter(successors(root)))]
        index[id(root)] = low[id(root)] = counter
        counter += 1
        stack.append(root)
        on_stack.add(id(root))
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if id(child) not in index:
                    index[id(child)] = low[id(child)] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(id(child))
                    work.append((child, iter(successors(child))))
                    advanced = True
                    break
                if id(child) in on_stack:
                    low[id(node)] = min(low[id(node)], index[id(child)])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[id(parent)] = min(low[id(parent)], low[id(node)])
            if low[id(node)] == index[id(node)]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(id(member))
                    component.append(member)
                    if member is node:
                        break
                if len(component) > 1 or node in successors(node):
                    loops.append(_in_link_order(component, successors))
    return loops


def _in_link_order(component: list[Node], successors) -> list[Node]:
    members = {id(node) for node in component}
    start = min(component, key=lambda node: node.path)
    ordered, node = [start], start
    while True:
        following = [n for n in successors(node) if id(n) in members]
        node = min(following, key=lambda n: n.path)
        if node is start or node in ordered:
            return ordered
        ordered.append(node)


def uncovered_objective(strategy: Strategy) -> Iterator[Finding]:
    for objective in _live(strategy, "objective"):
        if not objective.serving:
            yield _at(objective, None, f"no plan serves objective '{objective.id or objective.slug}'")


def empty_theme(strategy: Strategy) -> Iterator[Finding]:
    for theme in _live(strategy, "theme"):
        if not theme.plans:
            yield _at(theme, None, f"no plan belongs to theme '{theme.id or theme.slug}'")


def missing_narrative(strategy: Strategy) -> Iterator[Finding]:
    for theme in _live(strategy, "theme"):
        if not theme.record.body.strip():
            yield _at(theme, None, f"theme '{theme.id or theme.slug}' has no narrative: "
                                   "say in its body why the team climbs this hill")


def period_mismatch(strategy: Strategy) -> Iterator[Finding]:
    for node in strategy.nodes:
        own = node.record.get("period")
        if node.record.broken or node.kind == "objective" or own is None:
            continue
        for objective in (node.served if node.kind == "plan" else node.objectives):
            if objective.period and not period_within(own, objective.period):
                yield _at(node, "period", f"{node.kind} '{node.id or node.slug}' ({own}) lies outside the period "
                                          f"of objective '{objective.id}' ({objective.period})")


def stale_measurement(strategy: Strategy) -> Iterator[Finding]:
    as_of, days = strategy.as_of, strategy.stale_after_days
    if as_of is None:
        return
    for objective in _live(strategy, "objective"):
        if objective.outcome is None or not objective.period:
            continue
        for kr in objective.outcome.key_results:
            if stale(kr, as_of, days, objective.period):
                latest = kr.measurements[-1].date
                yield Finding(objective.path, kr.line, objective.id,
                              f"key result '{kr.id}' of objective '{objective.id or objective.slug}': the latest "
                              f"measurement ({latest.isoformat()}) is {(as_of - latest).days} days old on "
                              f"{as_of.isoformat()} (stale after {days}): record a new one")


def overdue_plan(strategy: Strategy) -> Iterator[Finding]:
    as_of = strategy.as_of
    if as_of is None:
        return
    for plan in _live(strategy, "plan"):
        if overdue(plan.period, plan.status, as_of):
            yield _at(plan, "period" if "period" in plan.record.lines else "status" if "status" in plan.record.lines
                      else None, f"plan '{plan.id or plan.slug}' is {plan.status} but its period {plan.period} ended "
                                 f"on {period_bounds(plan.period)[1].isoformat()}: carry it over to a later period "
                                 "or close it (done or dropped)")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    check: Callable[[Strategy], Iterable[Finding]]
    summary: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(FRONT_MATTER, ERROR, _problems(FRONT_MATTER),
             "The file has no front matter, YAML that does not parse, front matter that is not a mapping, or is not UTF-8."),
        Rule(SCHEMA, ERROR, _problems(SCHEMA),
             "An unknown key, a value of the wrong type, a bad id, period, status or kind, or a missing title or period."),
        Rule("duplicate-id", ERROR, duplicate_id, "Two records share an id."),
        Rule("dangling-link", ERROR, dangling_link, "A link names an id that does not exist, or a record of the wrong kind."),
        Rule("unlinked-plan", ERROR, unlinked_plan,
             "A plan names no theme, or serves no objective directly or through its themes."),
        Rule("unlinked-theme", ERROR, unlinked_theme, "A theme serves no existing objective."),
        Rule("unmeasurable-objective", ERROR, unmeasurable_objective,
             "An objective lacks a metric, baseline or target (or key results), its target equals its baseline, "
             "or a key result is incomplete."),
        Rule("cycle", ERROR, cycle, "A loop through parent or depends_on, within this strategy or through its sources."),
        Rule("source", ERROR, _problems("source"),
             "A source that cannot be read, a bad name or sources option, or a source named like a local record."),
        Rule("uncovered-objective", WARNING, uncovered_objective, "No plan serves the objective."),
        Rule("empty-theme", WARNING, empty_theme, "No plan belongs to the theme."),
        Rule("missing-narrative", WARNING, missing_narrative, "A theme whose body is empty."),
        Rule("period-mismatch", WARNING, period_mismatch,
             "A plan or theme whose period lies outside the period of an objective it serves."),
        Rule("stale-measurement", WARNING, stale_measurement,
             "A key result of an objective under way whose latest measurement is older than stale_after_days."),
        Rule("overdue-plan", WARNING, overdue_plan,
             "A plan neither done nor dropped whose period ended before as_of."),
    )
}


def severities(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Each rule's severity: its default, unless the settings override it."""
    chosen = {rule_id: rule.severity for rule_id, rule in RULES.items()}
    chosen.update(overrides or {})
    return chosen


def run(strategy: Strategy, overrides: dict[str, str] | None = None) -> list[Diagnostic]:
    """Every diagnostic, sorted by file, line and rule; rules set to 'off' do not run."""
    chosen = severities(overrides)
    diagnostics = []
    for rule_id, rule in RULES.items():
        severity = chosen[rule_id]
        if severity == OFF:
            continue
        for finding in rule.check(strategy):
            diagnostics.append(Diagnostic(finding.path, finding.line, rule_id, severity, finding.id, finding.message))
    # Sorted by location; an id may be None, so it is compared as text.
    return sorted(set(diagnostics), key=lambda d: (d.file, d.line, d.rule, d.severity, d.id or "", d.message))
