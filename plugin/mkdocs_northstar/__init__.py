"""Northstar: strategy as code. Plans in Markdown, linked to measurable objectives,
checked by rules and published as a cross-linked MkDocs site.

Nothing outside `host/` imports MkDocs or Markdown: the MkDocs plugin (`host/`) and the
command line (`cli.py`) are thin adapters over the core (docs/architecture.md)."""

__version__ = "0.1.0"
