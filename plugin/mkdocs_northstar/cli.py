"""The `northstar` command: a thin adapter over the core, like the MkDocs plugin.

It never imports MkDocs: `check` runs in pre-commit on every commit and reads the
plugin's settings from mkdocs.yml by itself.
"""

from __future__ import annotations

import sys

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
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False),
              help="Fail only on diagnostics not recorded in this baseline file; name the fixed ones.")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False),
              help="Record today's diagnostics in this file (with --baseline: keep only the known ones).")
def check(config_file: str, output_format: str, strict: bool, baseline_file: str | None,
          write_baseline: str | None) -> None:
    """Validate the plans without building the site; same diagnostics as the build."""
    from . import baseline
    from .report import FORMATTERS, counted

    analysis = analyse(read_settings(config_file))
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
@click.option("--kind", type=click.Choice(["objective", "theme", "plan"]),
              help="The kind a record has when `kind:` is absent, i.e. the folder the schema is for "
                   "(objectives/, themes/, a team's folder). Without it, a record without `kind:` may use any key.")
def schema(kind: str | None) -> None:
    """Print the JSON Schema (draft 2020-12) of the front matter, for editors."""
    import json

    from .schema import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))


if __name__ == "__main__":  # pragma: no cover
    main()
