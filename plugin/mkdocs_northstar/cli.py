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
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the diagnostics.")
@click.option("--strict", is_flag=True, help="Fail on warnings too, like `mkdocs build --strict`.")
def check(config_file: str, output_format: str, strict: bool) -> None:
    """Validate the plans without building the site; same diagnostics as the build."""
    from .report import FORMATTERS

    analysis = analyse(read_settings(config_file))
    click.echo(FORMATTERS[output_format](analysis), nl=False)
    failed = analysis.errors or (strict and analysis.warnings)
    sys.exit(EXIT_ERRORS if failed else EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    main()
