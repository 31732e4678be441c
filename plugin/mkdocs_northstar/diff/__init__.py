"""What a change does to the strategy between two git revisions: reading a revision
(`revision`), pairing and comparing the two sides (`compare`), and the outputs
(`formats`: Markdown and JSON; `text`: a terminal's)."""
