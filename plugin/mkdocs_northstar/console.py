"""What the command line does for a person at a terminal: paths from where they
stand, colour when it is wanted, and a sign of life while long work runs.

Piped output and the machine formats (JSON, SARIF, GitHub commands) get none of it.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TextIO

RESET = "\033[0m"
STYLES = {"error": "\033[1;31m", "warning": "\033[33m", "bold": "\033[1m", "dim": "\033[2m",
          "added": "\033[32m", "removed": "\033[31m", "ok": "\033[1;32m"}
# How long work runs before the progress line shows: a quick check stays silent.
PROGRESS_DELAY = 1.0


def from_here(root: Path, file: str, here: Path | None = None) -> str:
    """A path relative to the project's root, as the working folder sees it
    (`plans/search/x.md` is `search/x.md` from inside `plans/`)."""
    here = (here or Path.cwd()).resolve()
    return os.path.relpath(root.resolve() / file, here).replace(os.sep, "/")


def colour_wanted(choice: bool | None, stream: TextIO) -> bool:
    """--color/--no-color first; then NO_COLOR (https://no-color.org) and FORCE_COLOR
    when set to something; else colour only on a terminal."""
    if choice is not None:
        return choice
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _is_terminal(stream)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def paint(text: str, style: str, enabled: bool) -> str:
    return f"{STYLES[style]}{text}{RESET}" if enabled and text else text


@contextmanager
def progress(message: str, stream: TextIO | None = None, delay: float = PROGRESS_DELAY) -> Iterator[None]:
    """Show `message` on a terminal's stderr once the work has run `delay` seconds, and
    erase it when the work ends. A one-shot alarm, not a thread: the work may fork."""
    stream = stream or sys.stderr
    shown: list[bool] = []

    def show(signum, frame) -> None:
        stream.write(f"northstar: {message}\u2026")
        stream.flush()
        shown.append(True)

    try:
        armed = _is_terminal(stream) and hasattr(signal, "setitimer")
        previous = signal.signal(signal.SIGALRM, show) if armed else None
    except ValueError:  # not the main thread: no alarm there
        armed = False
    if not armed:
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, delay)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if shown:
            stream.write("\r\033[K")  # back to the start of the line, and clear it
            stream.flush()
