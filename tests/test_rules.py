"""Every rule of the contract: it fires on the right file, line, id and message,
stays quiet on a clean strategy, and takes the severity the settings give it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CLEAN_PLANS, analyse_plans
from mkdocs_northstar.rules import RULES

CONTRACT_RULES = {
    "front-matter": "error", "schema": "error", "duplicate-id": "error", "dangling-link": "error",
    "unlinked-plan": "error", "unlinked-theme": "error", "unmeasurable-objective": "error", "cycle": "error",
    "uncovered-objective": "warning", "empty-theme": "warning", "missing-narrative": "warning",
    "period-mismatch": "warning",
    "stale-measurement": "warning",  # contract v1.1
    "overdue-plan": "warning",
    "source": "error",  # contract v1.2
}


def diagnostics(tmp_path: Path, extra: dict[str, str], rules: dict | None = None) -> list[tuple]:
    analysis = analyse_plans(tmp_path, {**CLEAN_PLANS, **extra}, rules=rules)
    return [(d.file, d.line, d.rule, d.severity, d.id, d.message) for d in analysis.diagnostics]


def test_rules_table_matches_the_contract():
    assert {rule_id: rule.severity for rule_id, rule in RULES.items()} == CONTRACT_RULES


def test_clean_strategy_has_no_findings(tmp_path):
    assert diagnostics(tmp_path, {}) == []


THEME = "---\ntitle: T\nobjectives: [find-fast]\n---\nWhy.\n"

CASES = {
    "front-matter": (
        {"plans/x/plain.md": "Just text.\n"},
        [("plans/x/plain.md", 1, "front-matter", "error", "plain",
          "no front matter: the file must start with a '---' line")]),
    "front-matter-bad-date": (
        {"plans/x/dated.md": "---\ntitle: D\nthemes: [better-search]\nstarted: 2020-13-01\n---\n"},
        [("plans/x/dated.md", 4, "front-matter", "error", "dated",
          "'2020-13-01' is not a valid date (month must be in 1..12)")]),
    "schema": (
        {"plans/x/typo.md": "---\ntitle: T\nthemes: [better-search]\nobjectve: [find-fast]\n---\n"},
        [("plans/x/typo.md", 4, "schema", "error", "typo", "unknown key 'objectve': did you mean 'objectives'?")]),
    "duplicate-id": (
        {"plans/x/other.md": "---\ntitle: D\nid: ranking\nthemes: [better-search]\n---\n"},
        [("plans/search/ranking.md", 1, "duplicate-id", "error", "ranking",
          "id 'ranking' is also used by plans/x/other.md"),
         ("plans/x/other.md", 3, "duplicate-id", "error", "ranking",
          "id 'ranking' is also used by plans/search/ranking.md")]),
    "dangling-link": (
        {"plans/x/p.md": "---\ntitle: P\nthemes: [better-serch]\nobjectives: [find-fast]\n---\n"},
        [("plans/x/p.md", 3, "dangling-link", "error", "p",
          "themes names theme 'better-serch', which does not exist: did you mean 'better-search'?"),
         ("plans/x/p.md", 3, "unlinked-plan", "error", "p", "plan 'p' names no existing theme")]),
    "dangling-link-wrong-kind": (
        {"plans/x/p.md": "---\ntitle: P\nthemes: [better-search]\nobjectives: [loyalty]\n"
                         "depends_on: [find-fast]\n---\n"},
        [("plans/x/p.md", 4, "dangling-link", "error", "p",
          "objectives names 'loyalty', which is a theme, not an objective"),
         ("plans/x/p.md", 5, "dangling-link", "error", "p",
          "depends_on names 'find-fast', which is an objective, not a plan")]),
    "dangling-link-parent": (
        {"plans/objectives/sub.md": "---\ntitle: S\nperiod: 2025\nmetric: m\nbaseline: 1\ntarget: 2\n"
                                    "parent: find-fats\n---\n",
         "plans/x/p.md": "---\ntitle: P\nthemes: [better-search]\nobjectives: [sub]\n---\n"},
        [("plans/objectives/sub.md", 7, "dangling-link", "error", "sub",
          "parent names objective 'find-fats', which does not exist: did you mean 'find-fast'?")]),
    "unlinked-plan": (
        {"plans/x/orphan.md": "---\ntitle: Orphan\n---\n"},
        [("plans/x/orphan.md", 1, "unlinked-plan", "error", "orphan", "plan 'orphan' names no theme")]),
    "unlinked-plan-objectives-only": (
        {"plans/x/direct.md": "---\ntitle: Direct\nobjectives: [find-fast]\n---\n"},
        [("plans/x/direct.md", 1, "unlinked-plan", "error", "direct", "plan 'direct' names no theme")]),
    "unlinked-plan-through-unlinked-theme": (
        {"plans/themes/adrift.md": "---\ntitle: A\nobjectives: []\n---\nWhy.\n",
         "plans/x/p.md": "---\ntitle: P\nthemes: [adrift]\n---\n"},
        [("plans/themes/adrift.md", 3, "unlinked-theme", "error", "adrift", "theme 'adrift' serves no objective"),
         ("plans/x/p.md", 3, "unlinked-plan", "error", "p",
          "plan 'p' serves no objective: neither it nor its themes name an existing one")]),
    "unlinked-theme": (
        {"plans/themes/adrift.md": "---\ntitle: A\n---\nWhy.\n",
         "plans/x/p.md": "---\ntitle: P\nthemes: [adrift]\nobjectives: [find-fast]\n---\n"},
        [("plans/themes/adrift.md", 1, "unlinked-theme", "error", "adrift", "theme 'adrift' serves no objective")]),
    "unmeasurable-objective": (
        {"plans/objectives/vague.md": "---\ntitle: V\nperiod: 2025\nbaseline: 3\n---\n",
         "plans/x/p.md": "---\ntitle: P\nthemes: [better-search]\nobjectives: [vague]\n---\n"},
        [("plans/objectives/vague.md", 1, "unmeasurable-objective", "error", "vague",
          "objective 'vague' is unmeasurable: no metric and no target")]),
    "unmeasurable-objective-flat": (
        {"plans/objectives/flat.md": "---\ntitle: F\nperiod: 2025\nmetric: m\nbaseline: 3\ntarget: 3.0\n---\n",
         "plans/x/p.md": "---\ntitle: P\nthemes: [better-search]\nobjectives: [flat]\n---\n"},
        [("plans/objectives/flat.md", 6, "unmeasurable-objective", "error", "flat",
          "objective 'flat' is unmeasurable: target equals baseline (3.0)")]),
    "cycle": (
        {"plans/x/a.md": "---\ntitle: A\nthemes: [better-search]\ndepends_on: [b]\n---\n",
         "plans/x/b.md": "---\ntitle: B\nthemes: [better-search]\ndepends_on: [c]\n---\n",
         "plans/x/c.md": "---\ntitle: C\nthemes: [better-search]\ndepends_on: [a]\n---\n"},
        [("plans/x/a.md", 4, "cycle", "error", "a", "cycle through depends_on: a → b → c → a")]),
    "cycle-self": (
        {"plans/x/s.md": "---\ntitle: S\nthemes: [better-search]\ndepends_on: [s]\n---\n"},
        [("plans/x/s.md", 4, "cycle", "error", "s", "cycle through depends_on: s → s")]),
    "cycle-parent": (
        {"plans/objectives/a.md": "---\ntitle: A\nperiod: 2025\nmetric: m\nbaseline: 1\ntarget: 2\nparent: b\n---\n",
         "plans/objectives/b.md": "---\ntitle: B\nperiod: 2025\nmetric: m\nbaseline: 1\ntarget: 2\nparent: a\n---\n",
         "plans/x/p.md": "---\ntitle: P\nthemes: [better-search]\nobjectives: [a, b]\n---\n"},
        [("plans/objectives/a.md", 7, "cycle", "error", "a", "cycle through parent: a → b → a")]),
    "uncovered-objective": (
        {"plans/objectives/lonely.md": "---\ntitle: L\nperiod: 2025\nmetric: m\nbaseline: 1\ntarget: 2\n---\n"},
        [("plans/objectives/lonely.md", 1, "uncovered-objective", "warning", "lonely",
          "no plan serves objective 'lonely'")]),
    "empty-theme": (
        {"plans/themes/t.md": THEME},
        [("plans/themes/t.md", 1, "empty-theme", "warning", "t", "no plan belongs to theme 't'")]),
    "missing-narrative": (
        {"plans/themes/t.md": THEME.replace("Why.\n", "\n  \n"),
         "plans/x/p.md": "---\ntitle: P\nthemes: [t]\n---\n"},
        [("plans/themes/t.md", 1, "missing-narrative", "warning", "t",
          "theme 't' has no narrative: say in its body why the team climbs this hill")]),
    "period-mismatch": (
        {"plans/x/p.md": "---\ntitle: P\nthemes: [loyalty]\nperiod: 2025-Q3\n---\n"},
        [("plans/x/p.md", 4, "period-mismatch", "warning", "p",
          "plan 'p' (2025-Q3) lies outside the period of objective 'retain' (2025-H1)")]),
    "period-mismatch-theme": (
        {"plans/themes/t.md": THEME.replace("title: T\n", "title: T\nperiod: 2026-Q1\n"),
         "plans/x/p.md": "---\ntitle: P\nthemes: [t]\n---\n"},
        [("plans/themes/t.md", 3, "period-mismatch", "warning", "t",
          "theme 't' (2026-Q1) lies outside the period of objective 'find-fast' (2025)")]),
    # Contract v1.1, judged on 2025-03-01 (tests/conftest.py).
    "stale-measurement": (
        {"plans/objectives/checked.md": "---\ntitle: C\nperiod: 2025\nkey_results:\n  - metric: m\n"
                                        "    baseline: 1\n    target: 2\n    measurements:\n"
                                        "      - {date: 2025-01-06, value: 1.2}\n"
                                        "      - {date: 2025-01-20, value: 1.3}\n---\n",
         "plans/x/p.md": "---\ntitle: P\nthemes: [better-search]\nobjectives: [checked]\n---\n"},
        [("plans/objectives/checked.md", 5, "stale-measurement", "warning", "checked",
          "key result 'kr-1' of objective 'checked': the latest measurement (2025-01-20) is 40 days old on "
          "2025-03-01 (stale after 30): record a new one")]),
    "overdue-plan": (
        {"plans/x/late.md": "---\ntitle: L\nthemes: [better-search]\nstatus: in-progress\nperiod: 2024-Q4\n---\n"},
        [("plans/x/late.md", 5, "overdue-plan", "warning", "late",
          "plan 'late' is in-progress but its period 2024-Q4 ended on 2024-12-31: carry it over to a later period "
          "or close it (done or dropped)"),
         ("plans/x/late.md", 5, "period-mismatch", "warning", "late",
          "plan 'late' (2024-Q4) lies outside the period of objective 'find-fast' (2025)")]),
}


@pytest.mark.parametrize("case", CASES)
def test_rule_fires_with_file_line_id_and_message(tmp_path, case):
    files, expected = CASES[case]
    assert diagnostics(tmp_path, files) == expected


def test_period_within_objective_period_is_fine(tmp_path):
    plan = "---\ntitle: P\nthemes: [loyalty]\nperiod: 2025-Q2\n---\n"
    assert diagnostics(tmp_path, {"plans/x/p.md": plan}) == []


def test_every_contract_rule_is_exercised():
    fired = {diagnostic[2] for _, expected in CASES.values() for diagnostic in expected}
    assert fired == set(CONTRACT_RULES) - {"source"}  # judged on mkdocs.yml: tests/test_org.py


# --- Severity overrides --------------------------------------------------------------------

ORPHAN = {"plans/x/orphan.md": "---\ntitle: Orphan\n---\n", "plans/themes/t.md": THEME}


@pytest.mark.parametrize("rules, expected", [
    (None, {("unlinked-plan", "error"), ("empty-theme", "warning")}),
    ({"unlinked-plan": "warning"}, {("unlinked-plan", "warning"), ("empty-theme", "warning")}),
    ({"empty-theme": "error"}, {("unlinked-plan", "error"), ("empty-theme", "error")}),
    ({"unlinked-plan": "off", "empty-theme": "'off'"}, set()),
    ({"unlinked-plan": "false"}, {("empty-theme", "warning")}),
])
def test_severity_overrides(tmp_path, rules, expected):
    # A bare `off` in YAML reads as false; both spellings turn the rule off.
    found = diagnostics(tmp_path, ORPHAN, rules=rules)
    assert {(rule, severity) for _, _, rule, severity, _, _ in found} == expected


def test_record_with_duplicate_id_is_still_checked_by_every_other_rule(tmp_path):
    files = {
        # a second 'ranking' plan (different folder) with its own faults
        "plans/x/ranking.md": "---\ntitle: Dup\nthemes: [nope]\nperiod: 2026\nobjectives: [find-fast]\n---\n",
        # a second 'loyalty' theme with no narrative and a typo
        "plans/themes/more/loyalty.md": "---\ntitle: L2\nobjectives: [retain]\nownr: me\n---\n",
        # a second 'find-fast' objective that cannot be measured
        "plans/objectives/more/find-fast.md": "---\ntitle: F2\nperiod: 2025\n---\n",
    }
    found = {(file, rule) for file, _, rule, _, _, _ in diagnostics(tmp_path, files)}
    assert {
        ("plans/x/ranking.md", "duplicate-id"), ("plans/x/ranking.md", "dangling-link"),
        ("plans/x/ranking.md", "period-mismatch"),
        ("plans/themes/more/loyalty.md", "duplicate-id"), ("plans/themes/more/loyalty.md", "schema"),
        ("plans/themes/more/loyalty.md", "missing-narrative"),
        ("plans/objectives/more/find-fast.md", "duplicate-id"),
        ("plans/objectives/more/find-fast.md", "unmeasurable-objective"),
    } <= found


def test_duplicate_id_across_kinds_links_to_the_record_of_the_wanted_kind(tmp_path):
    # A theme and a plan share an id: a plan naming it as a theme means the theme.
    files = {"plans/themes/ranking.md": "---\ntitle: R\nobjectives: [find-fast]\n---\nWhy.\n",
             "plans/x/p.md": "---\ntitle: P\nthemes: [ranking]\n---\n"}
    found = diagnostics(tmp_path, files)
    assert {rule for _, _, rule, _, _, _ in found} == {"duplicate-id"}


def test_broken_record_is_not_judged_by_link_rules(tmp_path):
    found = diagnostics(tmp_path, {"plans/themes/broken.md": "---\n- a\n---\n"})
    assert found == [("plans/themes/broken.md", 2, "front-matter", "error", "broken",
                      "front matter must be a mapping of keys, not a list")]


def test_diagnostics_are_sorted_by_file_then_line(tmp_path):
    found = diagnostics(tmp_path, {**ORPHAN, "plans/a.md": "nothing\n"})
    assert found == sorted(found, key=lambda d: (d[0], d[1], d[2]))
    assert len(found) == 3
