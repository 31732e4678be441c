"""Write a valid strategy of N plans, with objectives, themes and teams in the
proportions of a large company, and bodies like real plans (headings, lists,
tables, code, links to other plans).

The same input is written every time for the same N (a seeded random generator),
so two runs of the benchmark measure the same work.
"""

from __future__ import annotations

import datetime
import os
import random
import shutil
import sys
import time
from pathlib import Path

from mkdocs_northstar.analysis import analyse
from mkdocs_northstar.render.pages import render_pages
from mkdocs_northstar.settings import read_settings

# Per 10,000 plans: 50 objectives, 250 themes and 200 teams of about 50 plans each.
PLANS_PER_OBJECTIVE = 200
PLANS_PER_THEME = 40
PLANS_PER_TEAM = 50

STATUSES = ("proposed", "planned", "in-progress", "in-progress", "done", "dropped")
WORDS = ("customer search ranking checkout latency catalogue payment fraud signal cohort "
         "experiment rollout index cache warehouse pricing basket retention onboarding mobile "
         "partner invoice refund shipping inventory review recommendation dashboard metric").split()


# The two sites the benchmark builds share these: the Markdown extensions the plugin
# adds, and a small explicit navigation (record pages stay out of it in both).
EXTENSIONS = "\n".join(f"  - {name}" for name in ("tables", "toc", "attr_list", "md_in_html", "admonition"))
NAV = "nav:\n  - index.md\n  - strategy/index.md\n  - strategy/coverage.md\n"


def counts(plans: int) -> tuple[int, int, int]:
    """How many objectives, themes and teams go with this many plans."""
    return (max(2, plans // PLANS_PER_OBJECTIVE), max(3, plans // PLANS_PER_THEME),
            max(2, plans // PLANS_PER_TEAM))


def _sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, sentences: int = 4) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def plan_body(rng: random.Random, index: int, neighbour: str | None) -> str:
    """About 2 KB of Markdown, shaped like a plan a team writes."""
    see = f" See [the related plan]({neighbour}) for the other half." if neighbour else ""
    rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} | {rng.randint(1, 99)} |" for _ in range(4))
    steps = "\n".join(f"- {_sentence(rng, 8)}" for _ in range(4))
    return f"""\
{_paragraph(rng)}{see}

## Why now

{_paragraph(rng, 3)}

## Milestones

{steps}

| Step | Weeks | People |
| --- | ---: | ---: |
{rows}

## Rollout

```python
def rollout_share(week: int) -> float:
    # Ramp from 1% to everyone over {index % 6 + 2} weeks.
    return min(1.0, 0.01 * 2 ** week)
```

1. {_sentence(rng, 10)}
2. {_sentence(rng, 10)}

> **Risk:** {_sentence(rng, 12)}
"""


# Outcomes over time: each objective has KEY_RESULTS key results with a weekly check-in
# through 2026 (52 of them); half the objectives keep theirs in a CSV file, half inline.
KEY_RESULTS = 3
WEEKS = [datetime.date(2026, 1, 5) + datetime.timedelta(weeks=week) for week in range(52)]


def key_results(rng: random.Random, number: int, folder: Path) -> str:
    """The `key_results:` front matter of objective `number` (and its CSV file, for even numbers)."""
    lines, rows = ["key_results:"], ["date,key_result,value,note"]
    for kr in range(1, KEY_RESULTS + 1):
        baseline = rng.randint(10, 90)
        lines += [f"  - id: kr-{kr}", f"    metric: median {rng.choice(WORDS)} time", f"    baseline: {baseline}",
                  f"    target: {baseline // 2}", "    unit: s"]
        values = [round(baseline - baseline / 2 * week / 60 + rng.uniform(-1, 1), 1) for week in range(len(WEEKS))]
        if number % 2 == 0:
            lines.append(f"    measurements: objective-{number}.csv")
            rows += [f"{day.isoformat()},kr-{kr},{value}," for day, value in zip(WEEKS, values)]
        else:
            lines.append("    measurements:")
            lines += [f"      - {{date: {day.isoformat()}, value: {value}}}" for day, value in zip(WEEKS, values)]
    if number % 2 == 0:
        (folder / f"objective-{number}.csv").write_text("\n".join(rows) + "\n")
    return "\n".join(lines) + "\n"


def generate(root: Path, plans: int, seed: int = 1) -> dict[str, int]:
    """Write `plans` plans and their objectives and themes below root/plans.
    Return the number of records of each kind."""
    rng = random.Random(seed)
    objectives, themes, teams = counts(plans)
    base = root / "plans"
    for folder in ("objectives", "themes"):
        (base / folder).mkdir(parents=True, exist_ok=True)

    for number in range(objectives):
        parent = f"parent: objective-{number // 5 * 5}\n" if number % 5 else ""
        measured = key_results(rng, number, base / "objectives")
        (base / "objectives" / f"objective-{number}.md").write_text(f"""\
---
title: Objective {number} — move {rng.choice(WORDS)} {rng.choice(WORDS)}
period: 2026
owner: Owner {number}
{parent}tags: [{rng.choice(WORDS)}]
{measured}---

{_paragraph(rng, 6)}

## How we measure it

- {_sentence(rng)}
- {_sentence(rng)}
""")

    for number in range(themes):
        served = sorted({f"objective-{number % objectives}", f"objective-{rng.randrange(objectives)}"})
        (base / "themes" / f"theme-{number}.md").write_text(f"""\
---
title: Theme {number}
objectives: [{", ".join(served)}]
owner: Lead {number % teams}
---

{_paragraph(rng, 5)}

## What we will not do

- {_sentence(rng)}
- {_sentence(rng)}
""")

    for team in range(teams):
        (base / f"team-{team}").mkdir(exist_ok=True)
    for number in range(plans):
        team = number % teams
        named = sorted({f"theme-{number % themes}", f"theme-{rng.randrange(themes)}"})
        earlier = number - teams  # the previous plan of the same team: dependencies never loop
        depends = f"depends_on: [plan-{earlier}]\n" if earlier >= 0 and number % 3 == 0 else ""
        neighbour = f"../team-{earlier % teams}/plan-{earlier}.md" if earlier >= 0 else None
        effort = f"effort: {rng.randint(1, 13)}\n" if number % 4 else ""
        (base / f"team-{team}" / f"plan-{number}.md").write_text(f"""\
---
title: Plan {number} — {rng.choice(WORDS)} {rng.choice(WORDS)} for {rng.choice(WORDS)}
themes: [{", ".join(named)}]
status: {STATUSES[number % len(STATUSES)]}
{effort}{depends}owner: Engineer {number % 997}
period: 2026-Q{number % 4 + 1}
tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]
links: [https://tracker.example/PLAN-{number}]
---

{plan_body(rng, number, neighbour)}""")
    return {"objective": objectives, "theme": themes, "plan": plans}


def write_sites(folder: Path, plans: int) -> int:
    """The plugin's site (folder/northstar) and a plain site (folder/plain) with the
    same pages and bodies as files in docs_dir; return the number of pages."""
    site, plain = folder / "northstar", folder / "plain"
    generate(site, plans)
    # Files as old as in any repository, so the cache's guard against files
    # changed in the same instant as they were cached does not apply.
    an_hour_ago = time.time() - 3600
    for path in (site / "plans").rglob("*.md"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    (site / "docs").mkdir()
    (site / "docs" / "index.md").write_text("# Home\n\nThe strategy is under Strategy.\n")
    (site / "mkdocs.yml").write_text(
        # as_of pinned: the same site, warnings and all, whatever day the benchmark runs.
        f"site_name: Bench\ntheme:\n  name: material\nplugins:\n  - search\n  - northstar:\n      as_of: 2026-03-31\n"
        f"markdown_extensions:\n{EXTENSIONS}\n{NAV}")

    # The same pages, bodies and all, as files in docs_dir of a site without the plugin.
    analysis = analyse(read_settings(str(site / "mkdocs.yml")))
    by_page = {node.page: node for node in analysis.strategy.nodes}
    shutil.copytree(site / "docs", plain / "docs")
    pages = render_pages(analysis)
    for uri in pages:
        target = plain / "docs" / "strategy" / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        node = by_page.get(uri)
        body = f"# {node.title}\n\n{node.record.body}" if node else f"# {uri}\n\nA page of the strategy.\n"
        target.write_text(body)
    (plain / "mkdocs.yml").write_text(
        f"site_name: Bench\ntheme:\n  name: material\nplugins:\n  - search\n"
        f"markdown_extensions:\n{EXTENSIONS}\n{NAV}not_in_nav: /strategy/\n")
    return len(pages)


if __name__ == "__main__":  # python generate.py FOLDER PLANS: used by bench.py
    print("pages", write_sites(Path(sys.argv[1]), int(sys.argv[2])))
