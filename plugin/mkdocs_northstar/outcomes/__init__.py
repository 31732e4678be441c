"""Outcomes over time (contract v1.1): key results, their measurements, and what is judged
of them as of a date. Nothing here imports MkDocs or Markdown, or reads a file itself: a
`measurements:` string naming a CSV file goes to the reader the caller gives
(read/measurements.py).

- key_results.py: the data (KeyResult, Measurement, Finding) and its constants;
- reading.py: key results from an objective's front matter, each problem at its line;
- judging.py: progress, health, score, forecast, staleness, overdue plans, roll-ups;
- figures.py: those figures for every objective of a strategy, as of a date.
"""

from .judging import (clamp, default_as_of, expected_progress, forecast, health, key_result_health,
                      objective_progress, overdue, period_bounds, rolled_up, score, stale, under_way)
from .key_results import (DIRECTIONS, HEALTHS, KEY_RESULT_KEYS, MEASUREMENT_KEYS, METRIC, MILESTONE, SCHEMA,
                          SHORTHAND_KEYS, STALE_AFTER_DAYS, THRESHOLDS, Finding, KeyResult, Measurement,
                          default_direction, parse_date)
from .reading import incomplete, key_results_of, nested_key_lines
from ..read.schema import KEY_RESULTS, MEASUREMENTS  # noqa: F401  (their JSON Schema, kept in the one key table)

__all__ = [name for name in dir() if not name.startswith("_")]
