"""The `northstar` command: a thin adapter over the core, like the MkDocs plugin.

It never imports MkDocs: `check` runs in pre-commit on every commit and reads the
plugin's settings from mkdocs.yml by itself.
"""

from __future__ import annotations

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


config_option = click.option(
    "-f", "--config-file", default="mkdocs.yml", show_default=True, type=click.Path(dir_okay=False),
    help="The MkDocs config whose northstar settings apply.")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="northstar")
def main() -> None:
    """Northstar: strategy as code. Check plans, compare revisions, export the graph."""


@main.command()
@config_option
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github", "sarif"]), default="text",
              show_default=True, help="How to print the diagnostics: github prints workflow commands "
                                      "(inline annotations), sarif a SARIF 2.1.0 log for code scanning.")
@click.option("--strict", is_flag=True, help="Fail on warnings too, like `mkdocs build --strict`.")
@click.option("--no-cache", is_flag=True,
              help="Parse every plan file, neither reading nor writing the cache in .northstar-cache/.")
@click.option("--baseline", "baseline_file", metavar="FILE|REV:PATH",
              help="Fail only on diagnostics not recorded in this baseline file; name the fixed ones. "
                   "REV:PATH reads it from git (origin/main:northstar-baseline.json) unless a file of that name exists.")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False),
              help="Record today's diagnostics in this file (with --baseline: keep only the known ones).")
def check(config_file: str, output_format: str, strict: bool, no_cache: bool, baseline_file: str | None,
          write_baseline: str | None) -> None:
    """Validate the plans without building the site; same diagnostics as the build."""
    from .cache import RecordCache
    from .forked import available_cores
    from .report import FORMATTERS, counted

    settings = read_settings(config_file)
    cache = None if no_cache else RecordCache.beside(settings.root, settings.plans_root)
    if cache and cache.refused:
        click.echo(f"northstar: warning: {cache.refused}", err=True)
    # Nothing changed since the last check: its verdict stands, no plan is read.
    analysis = cache and cache.verdict(settings)
    if not analysis:
        analysis = analyse(settings, cache, processes=available_cores())
        if cache:
            cache.remember(analysis)
    if baseline_file or write_baseline:
        from . import baseline  # only then: check runs on every commit
    ratchet = baseline.compare(analysis.diagnostics, baseline_file) if baseline_file else None
    click.echo(FORMATTERS[output_format](analysis, ratchet), nl=False)
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
@click.option("--format", "output_format", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True, help="markdown is fit to post as a pull-request comment; json is for tools.")
def diff(config_file: str, base: str, head: str | None, output_format: str) -> None:
    """What changed in the strategy between git revisions BASE and HEAD (default: the
    working tree, uncommitted changes included). Exit 1 when the change adds errors."""
    from .diff import FORMATTERS, diff as compare_revisions

    result = compare_revisions(config_file, base, head)
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

    from .schema import json_schema

    click.echo(json.dumps(json_schema(kind, draft), indent=2, ensure_ascii=False))


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
def new(config_file: str, kind: str, record_id: str, title, team, themes, objectives, parent, period, owner) -> None:
    """Write a new objective, theme or plan from a template; never overwrites a file.

    Prints the path of the new file. Exit 2 for a bad id, option or link; exit 1 when
    the id or the file is taken.
    """
    from .scaffold import Refused, Request, create

    settings = read_settings(config_file)
    request = Request(kind, record_id, title=title, team=team, themes=list(themes), objectives=list(objectives),
                      parent=parent, period=period, owner=owner)
    try:
        path = create(settings, request)
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
def export(config_file: str, output_format: str, output) -> None:
    """Print the whole strategy graph for other tools: records, links both ways, coverage, diagnostics.

    Exits 0 even when the plans have errors: they are part of the export.
    """
    from .export import FORMATTERS

    analysis = analyse(read_settings(config_file))
    output.write(FORMATTERS[output_format](analysis))


@main.command()
@config_option
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write the pages to: new, empty, or written by an earlier generate.")
@click.option("--into-docs", is_flag=True,
              help="Allow a folder inside docs_dir although mkdocs.yml lists the northstar plugin "
                   "(for a generator that ignores the plugin, such as Zensical).")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
def generate(config_file: str, out: Path, into_docs: bool, strict: bool) -> None:
    """Write the generated pages as Markdown files (with front matter), for any site generator.

    The pages are written even when the plans have errors (they show them); the exit
    code is 1 then, as `mkdocs build` fails.
    """
    from .generate import Refused, generate as write_pages
    from .settings import plugin_options, read_config

    settings = read_settings(config_file)
    plugin_builds_docs = not into_docs and plugin_options(read_config(Path(config_file))) is not None
    analysis = analyse(settings)
    try:
        outcome = write_pages(analysis, out, plugin_builds_docs)
    except Refused as refusal:
        click.echo(f"northstar: error: {refusal}", err=True)
        sys.exit(EXIT_USAGE)
    for diagnostic in analysis.diagnostics:
        click.echo(diagnostic.as_text(), err=True)
    click.echo(f"{len(outcome.written)} files written, {len(outcome.unchanged)} unchanged and "
               f"{len(outcome.removed)} removed in {out}")
    failed = analysis.errors or (strict and analysis.warnings)
    sys.exit(EXIT_ERRORS if failed else EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    main()
