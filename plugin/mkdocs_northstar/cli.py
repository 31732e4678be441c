"""The `northstar` command: a thin adapter over the core, like the MkDocs plugin.

It never imports MkDocs: `check` runs in pre-commit on every commit and reads the
plugin's settings from mkdocs.yml by itself.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import click

from . import __version__
from .analysis import analyse
from .settings import ConfigError, read_settings

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class _Group(click.Group):
    def main(self, *args, **kwargs):
        # click exits with 2 on usage errors already; a configuration problem does too.
        try:
            return super().main(*args, **kwargs)
        except ConfigError as error:
            click.echo(f"northstar: error: {error}", err=True)
            sys.exit(EXIT_USAGE)


CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


def find_config(start: Path) -> Path:
    """The project's config: mkdocs.yml (or mkdocs.yaml) in `start` or the nearest folder
    above it, as git finds its repository; the search stops at the filesystem root."""
    start = start.absolute()
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
    raise ConfigError(f"no config file ({' or '.join(CONFIG_NAMES)}) in {start} or any folder above it; "
                      "run northstar inside the project, or name the config with -f")


def _locate_config(ctx, param, value: str | None) -> Path:
    return Path(value) if value else find_config(Path.cwd())


config_option = click.option(
    "-f", "--config-file", default=None, type=click.Path(dir_okay=False), callback=_locate_config,
    help="The MkDocs config whose northstar settings apply. Default: mkdocs.yml (or mkdocs.yaml) in the "
         "working folder or the nearest folder above it.")


def _as_of(ctx, param, value: str | None):
    if value is None:
        return None
    from .outcomes import parse_date

    day = parse_date(value)
    if day is None:
        raise click.BadParameter(f"'{value}' is not a date YYYY-MM-DD")
    return day


as_of_option = click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD", default=None, callback=_as_of,
    help="The day health, scores and staleness are judged on. Default: the plugin's as_of option, "
         "else today (the day of SOURCE_DATE_EPOCH when set).")


def _on(settings, as_of):
    """The settings, judged on --as-of where it is given."""
    from dataclasses import replace

    return settings if as_of is None else replace(settings, as_of=as_of)


colour_option = click.option(
    "--color/--no-color", "colour", default=None,
    help="Colour the text output. Default: on a terminal, unless NO_COLOR is set (FORCE_COLOR forces it).")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="northstar")
def main() -> None:
    """Northstar: strategy as code. Check plans, compare revisions, export the graph."""


def run() -> None:
    """The `northstar` console script: `main`, then out of the process without tearing
    down the interpreter: freeing every parsed record one by one is a fair part of a cold
    check of thousands of plans (docs/performance.md), and a command has nothing left to
    do once its output is flushed and its files closed.

    The cyclic garbage collector is off for the same reason: a command reads the plans,
    answers and leaves. Once the plans were read, its first collection walked every
    record just made (60 ms of a cold check of 10,000 plans) to free nothing: what a
    command lets go of, reference counting frees, and the graph it keeps to the end."""
    gc.disable()
    try:
        main()
        code = EXIT_OK
    except SystemExit as done:
        code = done.code
    if code is None:
        code = EXIT_OK
    elif not isinstance(code, int):  # a message, as sys.exit("...") prints it
        print(code, file=sys.stderr)
        code = EXIT_ERRORS
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: Python's own exit would fail the same way
        code = 120
    os._exit(code)


@main.command()
@config_option
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github", "sarif"]), default="text",
              show_default=True, help="How to print the diagnostics: github prints workflow commands "
                                      "(inline annotations), sarif a SARIF 2.1.0 log for code scanning.")
@click.option("--strict", is_flag=True, help="Fail on warnings too, like `mkdocs build --strict`.")
@colour_option
@as_of_option
@click.option("--no-cache", is_flag=True,
              help="Parse every plan file, neither reading nor writing the cache in .northstar-cache/.")
@click.option("--baseline", "baseline_file", metavar="FILE|REV:PATH",
              help="Fail only on diagnostics not recorded in this baseline file; name the fixed ones. "
                   "REV:PATH reads it from git (origin/main:northstar-baseline.json) unless a file of that name exists.")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False),
              help="Record today's diagnostics in this file (with --baseline: keep only the known ones).")
def check(config_file: Path, output_format: str, strict: bool, colour: bool | None, as_of, no_cache: bool,
          baseline_file: str | None, write_baseline: str | None) -> None:
    """Validate the plans without building the site; same diagnostics as the build.

    Text output names files from the working folder; the other formats from the
    folder of mkdocs.yml (github and sarif: from the root of its git repository)."""
    from .cache import RecordCache
    from .console import colour_wanted, progress
    from .forked import available_cores
    from .report import FORMATTERS, as_text, counted

    settings = _on(read_settings(config_file), as_of)
    cache = None if no_cache else RecordCache.beside(settings.root, settings.plans_root)
    if cache and cache.refused:
        click.echo(f"northstar: warning: {cache.refused}", err=True)
    # Nothing changed since the last check: its verdict stands, no plan is read.
    analysis = cache and cache.verdict(settings)
    if not analysis:
        with progress(f"checking the plans in {settings.plans_dir}/"):
            analysis = analyse(settings, cache, processes=available_cores())
            if cache:
                cache.remember(analysis)
    if baseline_file or write_baseline:
        from . import baseline  # only then: check runs on every commit
    ratchet = baseline.compare(analysis.diagnostics, baseline_file) if baseline_file else None
    coloured = output_format == "text" and colour_wanted(colour, sys.stdout)
    if output_format == "text":
        output = as_text(analysis, ratchet, here=True, colour=coloured)
    else:
        output = FORMATTERS[output_format](analysis, ratchet)
    click.echo(output, nl=False, color=coloured or None)  # None: click strips escapes off a terminal
    if write_baseline:
        # Against a baseline, only what it already knew is kept: the file can shrink, never grow.
        recorded = baseline.write(write_baseline, ratchet.known if ratchet else analysis.diagnostics)
        click.echo(f"northstar: recorded {recorded} diagnostic{'s' if recorded != 1 else ''} "
                   f"in {write_baseline}", err=True)
        if not ratchet:
            sys.exit(EXIT_OK)
    failing = counted(analysis, ratchet)
    failed = any(d.severity == "error" or (strict and d.severity == "warning") for d in failing)
    sys.exit(EXIT_ERRORS if failed else EXIT_OK)


@main.command()
@config_option
@click.argument("base")
@click.argument("head", required=False)
@click.option("--format", "output_format", type=click.Choice(["markdown", "json", "text"]), default=None,
              help="markdown is fit to post as a pull-request comment; json is for tools; text is for a "
                   "terminal. Default: text on a terminal, markdown when piped or redirected.")
@colour_option
@as_of_option
def diff(config_file: Path, base: str, head: str | None, output_format: str | None, colour: bool | None,
         as_of) -> None:
    """What changed in the strategy between git revisions BASE and HEAD (default: the
    working tree, uncommitted changes included). Exit 1 when the change adds errors."""
    from .console import colour_wanted, progress
    from .diff.compare import diff as compare_revisions
    from .diff.formats import FORMATTERS

    if output_format is None:
        output_format = "text" if sys.stdout.isatty() else "markdown"
    with progress(f"comparing the strategy at {base} and {head or 'the working tree'}"):
        result = compare_revisions(config_file, base, head, as_of=as_of)
    if output_format == "text":
        from .diff.text import as_text

        coloured = colour_wanted(colour, sys.stdout)
        click.echo(as_text(result, coloured), nl=False, color=coloured or None)
    else:
        click.echo(FORMATTERS[output_format](result), nl=False)
    sys.exit(EXIT_ERRORS if result.new_errors else EXIT_OK)


@main.command()
@click.option("--kind", type=click.Choice(["objective", "theme", "plan"]),
              help="The kind a record has when `kind:` is absent, i.e. the folder the schema is for "
                   "(objectives/, themes/, a team's folder). Without it, a record without `kind:` may use any key.")
@click.option("--draft", type=click.Choice(["2020-12", "7"]), default="2020-12", show_default=True,
              help="The JSON Schema draft to declare, for tools that read only draft 7; the content is the same.")
def schema(kind: str | None, draft: str) -> None:
    """Print the JSON Schema (draft 2020-12) of the front matter, for editors."""
    import json

    from .read.schema import json_schema

    click.echo(json.dumps(json_schema(kind, draft), indent=2, ensure_ascii=False))


class _Number(click.ParamType):
    """A finite number, kept an integer when written as one (`baseline: 40`, not 40.0)."""

    name = "number"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)):
            return value
        from .read.measurements import finite_number

        number = finite_number(str(value).strip())
        if number is None:
            self.fail(f"'{value}' is not a number", param, ctx)
        return number


NUMBER = _Number()


def _ask(request, lacking: list[str], kinds_by_id: dict[str, str]) -> None:
    """Ask on the terminal for what the new record needs to pass `check`."""
    from .scaffold import Refused

    def pick(kind: str, what: str) -> list[str]:
        ids = sorted(key for key, value in kinds_by_id.items() if value == kind)
        if not ids:
            raise Refused(f"there is no {kind} yet for {what}: create one first with "
                          f"`northstar new {kind} ID`", usage=True)
        click.echo(f"Existing {kind}s: {', '.join(ids)}", err=True)
        return [click.prompt(f"{kind.capitalize()} {what}", type=click.Choice(ids), show_choices=False,
                             err=True)]

    if "metric" in lacking:
        request.metric = click.prompt("Metric (what is measured)", err=True)
    if "baseline" in lacking:
        request.baseline = click.prompt("Baseline (its value when the period starts)", type=NUMBER, err=True)
    if "target" in lacking:
        request.target = click.prompt("Target (where it must get to)", type=NUMBER, err=True)
        while request.target == request.baseline:
            request.target = click.prompt("Target (different from the baseline)", type=NUMBER, err=True)
    if "objectives" in lacking:
        request.objectives = pick("objective", "the theme serves")
    if "themes" in lacking:
        request.themes = pick("theme", "the plan belongs to")


@main.command()
@config_option
@click.argument("kind", type=click.Choice(["objective", "theme", "plan"]))
@click.argument("record_id", metavar="ID")
@click.option("--title", help="Default: made from the id.")
@click.option("--team", help="A plan's team: the folder below plans_dir it is written to.")
@click.option("--theme", "themes", multiple=True, metavar="ID", help="A theme the plan belongs to (repeatable).")
@click.option("--objective", "objectives", multiple=True, metavar="ID",
              help="An objective the theme or plan serves (repeatable).")
@click.option("--parent", metavar="ID", help="The objective an objective rolls up to.")
@click.option("--period", help="YYYY, YYYY-H1/H2 or YYYY-Q1..Q4 (an objective's default: this year).")
@click.option("--owner", help="Who answers for the record.")
@click.option("--metric", help="An objective's measure: what is measured.")
@click.option("--baseline", type=NUMBER, help="An objective's value when the period starts.")
@click.option("--target", type=NUMBER, help="Where an objective's metric must get to (below the baseline: "
                                            "lower is better).")
@click.option("--unit", help="The unit of an objective's metric: s, %, users.")
def new(config_file: Path, kind: str, record_id: str, title, team, themes, objectives, parent, period, owner,
        metric, baseline, target, unit) -> None:
    """Write a new objective, theme or plan from a template; never overwrites a file.

    The record passes `northstar check`: an objective needs --metric, --baseline and
    --target, a theme an --objective, a plan a --theme. What is missing is asked for
    on a terminal, and refused (exit 2) elsewhere.

    Prints the path of the new file. Exit 2 for a bad id, option or link, or a
    missing measure or link; exit 1 when the id or the file is taken.
    """
    from .scaffold import Refused, Request, create

    settings = read_settings(config_file)
    request = Request(kind, record_id, title=title, team=team, themes=list(themes), objectives=list(objectives),
                      parent=parent, period=period, owner=owner, metric=metric, baseline=baseline, target=target,
                      unit=unit)
    try:
        path = create(settings, request, ask=_ask if sys.stdin.isatty() else None)
    except Refused as refusal:
        click.echo(f"northstar: error: {refusal}", err=True)
        sys.exit(EXIT_USAGE if refusal.usage else EXIT_ERRORS)
    click.echo(os.path.relpath(path))
    if kind == "plan" and not team:
        click.echo("northstar: note: no --team, so the plan sits at the top of the plans folder with no team",
                   err=True)


@main.command()
@config_option
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json", show_default=True,
              help="json: the whole graph (version 1); csv: one row a record.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="Write to this file instead of standard output.")
@as_of_option
def export(config_file: str, output_format: str, output, as_of) -> None:
    """Print the whole strategy graph for other tools: records, links both ways, coverage, diagnostics.

    Exits 0 even when the plans have errors: they are part of the export.
    """
    from .export import FORMATTERS

    analysis = analyse(_on(read_settings(config_file), as_of))
    output.write(FORMATTERS[output_format](analysis))


@main.command()
@config_option
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write the pages to: new, empty, or written by an earlier generate.")
@click.option("--into-docs", is_flag=True,
              help="Allow a folder inside docs_dir although mkdocs.yml lists the northstar plugin "
                   "(for a generator that ignores the plugin, such as Zensical).")
@click.option("--flavor", type=click.Choice(["material", "plain"]), default="material", show_default=True,
              help="material: the pages as the plugin publishes them (grid cards, admonitions, content tabs, "
                   "for Material for MkDocs or Zensical); plain: Markdown any site generator reads.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
def generate(config_file: Path, out: Path, into_docs: bool, flavor: str, strict: bool) -> None:
    """Write the generated pages as Markdown files (with front matter), for any site generator.

    The pages are written even when the plans have errors (they show them); the exit
    code is 1 then, as `mkdocs build` fails.
    """
    from .generate import STYLESHEET, Refused, generate as write_pages
    from .settings import plugin_options, read_config
    from .site_setup import advice, material_icons, needs

    settings = read_settings(config_file)
    config = read_config(Path(config_file))
    plugin_builds_docs = not into_docs and plugin_options(config) is not None
    analysis = analyse(settings)
    try:
        outcome = write_pages(analysis, out, plugin_builds_docs, flavor, material_icons=material_icons(config))
    except Refused as refusal:
        click.echo(f"northstar: error: {refusal}", err=True)
        sys.exit(EXIT_USAGE)
    from .report import text_line

    for diagnostic in analysis.diagnostics:
        click.echo(text_line(diagnostic, settings.root), err=True)
    click.echo(f"{len(outcome.written)} files written, {len(outcome.unchanged)} unchanged and "
               f"{len(outcome.removed)} removed in {out}")
    for line in advice(needs(config, settings.root, out, STYLESHEET, flavor), Path(config_file).name):
        click.echo(line)
    failed = analysis.errors or (strict and analysis.warnings)
    sys.exit(EXIT_ERRORS if failed else EXIT_OK)


@main.command()
@config_option
@click.argument("target", metavar="OBJECTIVE[/KEY_RESULT]")
@click.argument("value", type=NUMBER)
@click.option("--date", "day", metavar="YYYY-MM-DD",
              help="The day measured. Default: today (the day of SOURCE_DATE_EPOCH when set).")
@click.option("--note", help="A few words on the measurement.")
@click.option("--replace", is_flag=True, help="Replace the measurement already recorded on that date.")
def record(config_file: Path, target: str, value, day: str | None, note: str | None, replace: bool) -> None:
    """Add a measurement of an objective's key result, where the objective keeps them: the list in
    its front matter or the CSV file it names. Nothing else in the file changes.

    Name the key result when the objective has several (OBJECTIVE/KEY_RESULT). Exit 1 when the
    date is already recorded (without --replace) or the file cannot take it; exit 2 for a bad
    argument or an unknown objective or key result."""
    from .checkin import Refused, record_measurement
    from .outcomes import default_as_of, parse_date

    settings = read_settings(config_file)
    when = default_as_of() if day is None else parse_date(day)
    if when is None:
        from .diagnostics import printable

        click.echo(f"northstar: error: --date '{printable(day)}' is not a date YYYY-MM-DD", err=True)
        sys.exit(EXIT_USAGE)
    try:
        outcome = record_measurement(settings, target, value, when, note or None, replace)
    except Refused as refusal:
        click.echo(f"northstar: error: {refusal}", err=True)
        sys.exit(EXIT_USAGE if refusal.usage else EXIT_ERRORS)
    what = "replaced" if outcome.replaced else "recorded"
    click.echo(f"{target}: {value} on {when.isoformat()} {what} in {os.path.relpath(outcome.path)}"
               + (" (current updated to match)" if outcome.current_updated else ""))


if __name__ == "__main__":  # pragma: no cover
    main()
