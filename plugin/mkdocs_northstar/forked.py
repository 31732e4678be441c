"""Share pure, CPU-bound work with forked copies of this process.

`northstar check` parses thousands of plan files on every commit, and a build renders
thousands of pages; that is plain Python, so one process uses one core however many
the machine has. Forked children start with everything already imported and send
their results back pickled. Nothing is forked while other threads run (a fork copies
one thread, and a lock another one held would stay held in the child for ever), nor on
macOS; the work is then done in the process itself, with the same result.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
import threading
from typing import BinaryIO, Callable, Generic, Hashable, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Key = TypeVar("Key", bound=Hashable)

# Below this many items per process, forking and pickling cost more than they save
# (about 2 ms for a fork and 4 ms for 500 records, against 0.08 ms per plan file).
MIN_ITEMS_PER_PROCESS = 250
MAX_PROCESSES = 8


def available_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer
    than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether this process may fork: it has os.fork, runs no other thread, and is not on
    macOS, where system libraries a process has used may not survive a fork (which is why
    Python's multiprocessing does not fork there either)."""
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def map_forked(function: Callable[[Item], Result], items: Sequence[Item], processes: int) -> list[Result]:
    """`[function(item) for item in items]`, the items split into contiguous runs
    between this process and up to `processes - 1` forked children.

    Only for a function whose results pickle. Where forking is not possible (see
    can_fork), for few items, or if a child fails for any reason, the work is done
    here: the result is the same, only slower."""
    count = min(processes, MAX_PROCESSES, len(items) // MIN_ITEMS_PER_PROCESS)
    if count < 2 or not can_fork():
        return [function(item) for item in items]
    size = -(-len(items) // count)  # ceiling division
    runs = [items[start:start + size] for start in range(0, len(items), size)]
    children = [(_fork(function, run), run) for run in runs[1:]]
    try:
        results = [function(item) for item in runs[0]]
    except BaseException:
        for child, _ in children:
            _abandon(child)
        raise
    for child, run in children:
        results.extend(_collect(child, function, run))
    return results


def _start_child(write: Callable[[BinaryIO], None]) -> tuple[int, int] | None:
    """Fork a child that calls `write` with the writing end of a pipe, then exits;
    (its pid, the reading end), or None when no child could be started."""
    try:
        reading, writing = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        return None
    if pid == 0:  # the child: never returns into the caller's code
        status = 1
        try:
            gc.disable()  # short-lived: whatever it makes goes at its exit
            os.close(reading)
            with open(writing, "wb") as pipe:
                write(pipe)
            status = 0
        finally:
            # _exit: no atexit handlers, no flushing of buffers copied from the parent.
            os._exit(status)
    os.close(writing)
    return pid, reading


def _fork(function: Callable, run: Sequence) -> tuple[int, int] | None:
    """Start a child that pickles `function` over `run` into a pipe."""
    return _start_child(lambda pipe: pipe.write(
        pickle.dumps([function(item) for item in run], protocol=pickle.HIGHEST_PROTOCOL)))


def _collect(child: tuple[int, int] | None, function: Callable, run: Sequence) -> list:
    """A child's results; computed here instead if it could not deliver them."""
    if child is None:
        return [function(item) for item in run]
    pid, reading = child
    with open(reading, "rb") as pipe:
        payload = pipe.read()  # until the child closes its end: it has finished or died
    _, status = os.waitpid(pid, 0)
    if status == 0:
        try:
            results = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - cut short: fall back to the work itself
            results = None
        if isinstance(results, list) and len(results) == len(run):
            return results
    return [function(item) for item in run]


def _abandon(child: tuple[int, int] | None) -> None:
    """Stop waiting for a child: closing the pipe ends its writing, then reap it."""
    if child is not None:
        pid, reading = child
        os.close(reading)
        os.waitpid(pid, 0)


class Stream(Generic[Key, Result]):
    """The results of `functions`, computed ahead by a forked child in their order and
    taken here one by one: the child's work overlaps this process's own.

    The child writes each result into a pipe and waits while the pipe is full, so it
    runs only a little ahead, and results wait in the pipe rather than in memory. A
    result taken out of order, taken twice, or not delivered because the child failed
    or could not start, is computed here instead: the same result, only slower.

    With `again`, a function that makes the functions anew, this process lets go of
    `functions` (and all they hold) once the child has started, and calls `again` only
    if it has to compute a result itself."""

    _HEADER = 8  # bytes of a message's length

    def __init__(self, functions: dict[Key, Callable[[], Result]], processes: int,
                 again: Callable[[], dict[Key, Callable[[], Result]]] | None = None):
        self._functions: dict[Key, Callable[[], Result]] | None = functions
        self._again = again
        self._arrived: dict[Key, Result] = {}  # sent ahead of the one asked for
        self._taken: set[Key] = set()
        self._child: tuple[int, BinaryIO] | None = None  # (pid, the pipe's reading end)
        if processes > 1 and len(functions) > 1 and can_fork():
            self._child = self._fork()
            if self._child is not None and again is not None:
                self._functions = None

    def _fork(self) -> tuple[int, BinaryIO] | None:
        def write(pipe: BinaryIO) -> None:
            for key, function in self._functions.items():
                message = pickle.dumps((key, function()), protocol=pickle.HIGHEST_PROTOCOL)
                pipe.write(len(message).to_bytes(self._HEADER, "little"))
                pipe.write(message)

        child = _start_child(write)
        if child is None:
            return None
        pid, reading = child
        return pid, open(reading, "rb", buffering=1 << 16)

    def take(self, key: Key) -> Result:
        """The result for `key`."""
        if key in self._arrived:
            self._taken.add(key)
            return self._arrived.pop(key)
        if key not in self._taken:
            self._taken.add(key)
            while self._child is not None:
                message = self._receive()
                if message is None:
                    break
                sent, result = message
                if sent == key:
                    return result
                if sent not in self._taken:
                    self._arrived[sent] = result
        if self._functions is None:
            self._functions = self._again()
        return self._functions[key]()

    def _receive(self) -> tuple | None:
        """The child's next message; None, and the child reaped, when it has no more."""
        pipe = self._child[1]
        try:
            header = pipe.read(self._HEADER)
            if len(header) == self._HEADER:
                size = int.from_bytes(header, "little")
                message = pipe.read(size)
                if len(message) == size:
                    return pickle.loads(message)
        except Exception:  # noqa: BLE001 - cut short or garbled: computed here from now on
            pass
        self.close()
        return None

    def close(self) -> None:
        """Stop the child if it still runs (closing the pipe ends its writing) and reap it."""
        if self._child is not None:
            pid, pipe = self._child
            self._child = None
            pipe.close()
            os.waitpid(pid, 0)
        self._arrived.clear()
