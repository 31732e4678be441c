"""Write an organisation of strategies and time reading them as sources (contract v1.2).

    PYTHONPATH=plugin python bench/org.py OUT [--teams 100] [--plans 100] [--objectives 50]

writes, only below OUT (which must not exist yet or be empty):

- `company/`: a strategy of OBJECTIVES objectives (name: company), naming every team as a
  source by path;
- `team-NNN/`: TEAMS team strategies of PLANS plans each (name: team-NNN, source company),
  whose themes serve `company:OBJECTIVE`; each folder is also a git repository with one commit;
- `exports/team-NNN.json`: each team as `northstar export` writes it;

then reads the teams from the company's point of view as path, export and git sources,
cold (empty cache) and warm, and prints the times, and the warm time of the first 50.

It then writes `company-exports/` (the company reading every team from its export) and
`together/` (the same objectives and plans in one repository, links unqualified) and
times `northstar check` (cold and warm) of both, and, with --build, `mkdocs build`:
the strategy split across repositories should cost at most 1.3 times the one repository.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from mkdocs_northstar import qualified
from mkdocs_northstar.read.sources import config as sources_config
from mkdocs_northstar.read.sources import reading, store
from mkdocs_northstar.analysis import analyse
from mkdocs_northstar.export import as_json

STATUSES = ("proposed", "planned", "in-progress", "done", "dropped")
THEMES_PER_TEAM = 5


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def company(out: Path, teams: list[str], objectives: int) -> None:
    listed = "".join(f"        {team}:\n          path: ../{team}\n" for team in teams)
    write(out / "company" / "mkdocs.yml", "site_name: Company\nplugins:\n  - northstar:\n      name: company\n"
          f"      sources:\n{listed}")
    for number in range(objectives):
        parent = f"parent: objective-{number // 5:03d}\n" if number >= 5 else ""
        write(out / "company" / "plans" / "objectives" / f"objective-{number:03d}.md",
              f"---\ntitle: Objective {number}\nmetric: m{number}\nbaseline: 0\ntarget: 100\ncurrent: {number % 100}\n"
              f"period: 2026\n{parent}---\nWhy objective {number} matters.\n")


def team(out: Path, name: str, plans: int, objectives: int, rng: random.Random) -> None:
    folder = out / name
    write(folder / "mkdocs.yml", f"site_name: {name}\nplugins:\n  - northstar:\n      name: {name}\n"
          "      sources:\n        company:\n          path: ../company\n")
    for number in range(THEMES_PER_TEAM):
        served = sorted({f"company:objective-{rng.randrange(objectives):03d}" for _ in range(2)})
        write(folder / "plans" / "themes" / f"{name}-theme-{number}.md",
              f"---\ntitle: Theme {number} of {name}\nobjectives: [{', '.join(served)}]\n---\nWhy.\n")
    for number in range(plans):
        depends = f"depends_on: [{name}-plan-{number - 1:03d}]\n" if number and number % 7 == 0 else ""
        write(folder / "plans" / name / f"{name}-plan-{number:03d}.md",
              f"---\ntitle: Plan {number} of {name}\nthemes: [{name}-theme-{number % THEMES_PER_TEAM}]\n"
              f"status: {rng.choice(STATUSES)}\neffort: {rng.randint(1, 8)}\nperiod: 2026-H1\n{depends}---\n"
              f"What plan {number} does.\n")


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com", *args], cwd=folder,
                   check=True, capture_output=True)


def generate(out: Path, teams: int, plans: int, objectives: int) -> list[str]:
    rng = random.Random(1)
    names = [f"team-{number:03d}" for number in range(teams)]
    company(out, names, objectives)
    for name in names:
        team(out, name, plans, objectives, rng)
        settings, _ = sources_config.settings_of(out / name / "mkdocs.yml")
        write(out / "exports" / f"{name}.json", as_json(analyse(settings)))
        git(out / name, "init", "-q")
        git(out / name, "add", "-A")
        git(out / name, "commit", "-q", "-m", "plans")
    return names


def specs(out: Path, names: list[str], kind: str) -> list[sources_config.SourceSpec]:
    target = {"path": lambda name: out / name, "git": lambda name: out / name,
              "export": lambda name: out / "exports" / f"{name}.json"}[kind]
    return [sources_config.SourceSpec(name, kind, str(target(name)), str(target(name)), 1) for name in names]


def timed(what: str, chosen: list[sources_config.SourceSpec], cache: Path | None) -> list[store.SourceResult]:
    start = time.perf_counter()
    results = reading.read_sources(chosen, cache)
    elapsed = time.perf_counter() - start
    records = sum(len(result.records) for result in results)
    bad = [result.problem for result in results if not result.ok]
    print(f"{what:<32} {elapsed:7.3f} s  {len(chosen)} sources, {records} records"
          + (f", {len(bad)} unreadable: {bad[0]}" if bad else ""))
    return results


def split_and_together(out: Path, names: list[str]) -> None:
    """company-exports/ reads each team from its export; together/ holds everything in one
    repository, each `company:` and `team-NNN:` qualifier dropped (ids are unique across)."""
    listed = "".join(f"        {name}:\n          export: ../exports/{name}.json\n" for name in names)
    shutil.copytree(out / "company" / "plans", out / "company-exports" / "plans")
    write(out / "company-exports" / "mkdocs.yml", "site_name: Company\nplugins:\n  - northstar:\n"
          f"      name: company\n      sources:\n{listed}")
    shutil.copytree(out / "company" / "plans", out / "together" / "plans")
    write(out / "together" / "mkdocs.yml", "site_name: Together\nplugins:\n  - northstar\n")
    qualifier = re.compile(r"\b(?:company|team-\d{3}):")
    for name in names:
        for path in (out / name / "plans").rglob("*.md"):
            target = out / "together" / "plans" / path.relative_to(out / name / "plans")
            write(target, qualifier.sub("", path.read_text(encoding="utf-8")))
    for site in ("company-exports", "together"):
        write(out / site / "docs" / "index.md", "# Home\n")


def run_timed(what: str, command: list[str], folder: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    tail = (result.stdout + result.stderr).strip().splitlines()[-1:] or [""]
    print(f"{what:<32} {elapsed:7.3f} s  exit {result.returncode}: {tail[0][:100]}")
    return elapsed


def compare(out: Path, build: bool) -> None:
    northstar = [sys.executable, "-m", "mkdocs_northstar.cli"]
    times: dict[str, float] = {}
    for site in ("together", "company-exports"):
        shutil.rmtree(out / site / ".northstar-cache", ignore_errors=True)
        times[f"{site} check cold"] = run_timed(f"{site}: check, cold", [*northstar, "check"], out / site)
        times[f"{site} check warm"] = run_timed(f"{site}: check, warm", [*northstar, "check"], out / site)
        if build:
            times[f"{site} build"] = run_timed(f"{site}: mkdocs build", [sys.executable, "-m", "mkdocs", "build", "-q"], out / site)
    for what in ("check cold", "check warm", "build"):
        if f"together {what}" in times:
            ratio = times[f"company-exports {what}"] / times[f"together {what}"]
            print(f"{'split / together, ' + what:<32} {ratio:7.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--teams", type=int, default=100)
    parser.add_argument("--plans", type=int, default=100)
    parser.add_argument("--objectives", type=int, default=50)
    parser.add_argument("--build", action="store_true", help="also time mkdocs build of both sites")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if out.exists() and any(out.iterdir()):
        parser.error(f"{out} is not empty")
    start = time.perf_counter()
    names = generate(out, args.teams, args.plans, args.objectives)
    print(f"generated {args.teams} teams of {args.plans} plans and {args.objectives} objectives in "
          f"{time.perf_counter() - start:.1f} s, below {out}")
    cache = out / "company" / ".northstar-cache"
    timed("path, cold (never cached)", specs(out, names, "path"), None)
    for kind in ("export", "git"):
        timed(f"{kind}, cold", specs(out, names, kind), cache)
        results = timed(f"{kind}, warm", specs(out, names, kind), cache)
        timed(f"{kind}, warm, first 50", specs(out, names[:50], kind), cache)
    start = time.perf_counter()
    index = qualified.Sources(results, "company")
    serving = index.serving({})
    served = sum(len(plans) for plans in serving.objectives.values())
    print(f"{'serving index':<32} {time.perf_counter() - start:7.3f} s  {served} (objective, plan) pairs")
    split_and_together(out, names)
    compare(out, args.build)
    return 0


if __name__ == "__main__":
    sys.exit(main())
