"""Northstar: strategy as code. Plans in Markdown, linked to measurable objectives,
checked by rules and published as a cross-linked MkDocs site.

The core modules (load, model, rules, coverage, views, render/, diff/) never import MkDocs; the
MkDocs plugin (`plugin.py`) and the command line (`cli.py`) are thin adapters."""

__version__ = "0.1.0"
