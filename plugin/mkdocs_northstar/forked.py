"""Share pure, CPU-bound work with forked copies of this process.

`northstar check` parses thousands of plan files on every commit, and a build renders
thousands of pages; that is plain Python, so one process uses one core however many
the machine has. Forked children start with everything already imported and send
their results back pickled. Nothing is forked while other threads run (a fork copies
one thread, and a lock another one held would stay held in the child for ever), nor on
macOS; the work is then done in the process itself, with the same result.

A child that sends nothing for CHILD_TIMEOUT seconds (stopped, or stuck) is killed and
its share done here, as for a child that failed: a child working on a long share sends a
byte now and then to show that it is still at work.
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import sys
import threading
import time
from typing import BinaryIO, Callable, Generic, Hashable, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Key = TypeVar("Key", bound=Hashable)

# Below this many items per process, forking and pickling cost more than they save
# (docs/performance.md has the costs measured).
MIN_ITEMS_PER_PROCESS = 250
MAX_PROCESSES = 8
# Seconds a child may send nothing before it is given up on (the environment variable
# NORTHSTAR_CHILD_TIMEOUT overrides it); a child at work sends a byte every BEAT seconds.
CHILD_TIMEOUT = 30.0
BEAT = 1.0
_BEAT_BYTE = b"."  # before a pickle, which starts with b"\x80"


def child_timeout() -> float:
    """CHILD_TIMEOUT, or the number of seconds NORTHSTAR_CHILD_TIMEOUT gives."""
    try:
        chosen = float(os.environ.get("NORTHSTAR_CHILD_TIMEOUT", CHILD_TIMEOUT))
    except ValueError:
        return CHILD_TIMEOUT
    return chosen if chosen > 0 else CHILD_TIMEOUT


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


def map_forked(function: Callable[[Item], Result], items: Sequence[Item], processes: int,
               timeout: float | None = None) -> list[Result]:
    """`[function(item) for item in items]`, the items split into contiguous runs
    between this process and up to `processes - 1` forked children.

    Only for a function whose results pickle. Where forking is not possible (see
    can_fork), for few items, or if a child fails for any reason or sends nothing for
    `timeout` seconds (default: child_timeout()), the work is done here: the result is
    the same, only slower."""
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
    timeout = timeout or child_timeout()
    for child, run in children:
        results.extend(_collect(child, function, run, timeout))
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
    """Start a child that pickles `function` over `run` into a pipe, after a beat byte
    every BEAT seconds while it works."""
    def write(pipe: BinaryIO) -> None:
        results, beaten = [], time.monotonic()
        for item in run:
            results.append(function(item))
            if time.monotonic() - beaten >= BEAT:
                pipe.write(_BEAT_BYTE)
                pipe.flush()
                beaten = time.monotonic()
        pipe.write(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))

    return _start_child(write)


class _Pipe:
    """The reading end of a child's pipe, read with patience for `timeout` seconds of
    silence at a time: after that the child counts as hung (`hung` is set)."""

    def __init__(self, descriptor: int, timeout: float):
        self.descriptor = descriptor
        self.timeout_ms = max(1, int(timeout * 1000))
        self.buffer = bytearray()
        self.hung = False
        self._poll = select.poll()
        self._poll.register(descriptor, select.POLLIN)

    def _fill(self) -> bool:
        """Read what the child sent next; False at its end or when it has sent nothing in time."""
        if not self._poll.poll(self.timeout_ms):
            self.hung = True
            return False
        chunk = os.read(self.descriptor, 1 << 16)
        self.buffer += chunk
        return bool(chunk)

    def read(self, size: int) -> bytes | None:
        """Exactly `size` bytes, or None if the child ended or hung first."""
        while len(self.buffer) < size:
            if not self._fill():
                return None
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def read_all(self) -> bytes | None:
        """Everything until the child closes its end; None if it hung first."""
        while self._fill():
            pass
        return None if self.hung else bytes(self.buffer)

    def close(self) -> None:
        os.close(self.descriptor)


def _collect(child: tuple[int, int] | None, function: Callable, run: Sequence, timeout: float) -> list:
    """A child's results; computed here instead if it could not deliver them."""
    if child is None:
        return [function(item) for item in run]
    pid, reading = child
    pipe = _Pipe(reading, timeout)
    try:
        payload = pipe.read_all()  # until the child closes its end: it has finished or died
    finally:
        pipe.close()
    status = _reap(pid, timeout) if payload is not None else _kill(pid)
    if status == 0:
        try:
            results = pickle.loads(payload.lstrip(_BEAT_BYTE))
        except Exception:  # noqa: BLE001 - cut short: fall back to the work itself
            results = None
        if isinstance(results, list) and len(results) == len(run):
            return results
    return [function(item) for item in run]


def _reap(pid: int, timeout: float) -> int:
    """The exit status of a child that has closed its pipe; one that does not exit
    within `timeout` is killed."""
    deadline, pause = time.monotonic() + timeout, 0.0005
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            return _kill(pid)
        time.sleep(pause)
        pause = min(2 * pause, 0.05)


def _kill(pid: int) -> int:
    """Stop a child for good (stopped or not) and reap it; its exit status."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:  # pragma: no cover - already reaped elsewhere
        return -1
    return os.waitpid(pid, 0)[1] or -1


def _abandon(child: tuple[int, int] | None) -> None:
    """Stop waiting for a child: stop it and reap it."""
    if child is not None:
        pid, reading = child
        os.close(reading)
        _kill(pid)


class Stream(Generic[Key, Result]):
    """The results of `functions`, computed ahead by a forked child in their order and
    taken here one by one: the child's work overlaps this process's own.

    The child writes each result into a pipe and waits while the pipe is full, so it
    runs only a little ahead, and results wait in the pipe rather than in memory. A
    result taken out of order, taken twice, or not delivered because the child failed
    or could not start, is computed here instead: the same result, only slower. So is
    every result from the first one the child has not sent within `timeout` seconds
    (default: child_timeout()) of being asked for: the child is then killed.

    With `again`, a function that makes the functions anew, this process lets go of
    `functions` (and all they hold) once the child has started, and calls `again` only
    if it has to compute a result itself.

    Without a child, the result asked for is computed with the next `ahead - 1` in order
    not taken yet, which wait here until they are: one result after another in one go,
    where computing each between whatever the caller does in between ran the functions'
    code and data cold (docs/performance.md)."""

    _HEADER = 8  # bytes of a message's length

    def __init__(self, functions: dict[Key, Callable[[], Result]], processes: int,
                 again: Callable[[], dict[Key, Callable[[], Result]]] | None = None, timeout: float | None = None,
                 ahead: int = 1):
        self._functions: dict[Key, Callable[[], Result]] | None = functions
        self._timeout = timeout or child_timeout()
        self._again = again
        self._arrived: dict[Key, Result] = {}  # sent ahead of the one asked for
        self._taken: set[Key] = set()
        self._child: tuple[int, _Pipe] | None = None  # (pid, the pipe's reading end)
        self._ahead = ahead
        self._keys: list[Key] | None = None  # the keys in order, and where each is
        self._places: dict[Key, int] = {}
        if processes > 1 and len(functions) > 1 and can_fork():
            self._child = self._fork()
            if self._child is not None and again is not None:
                self._functions = None

    def _fork(self) -> tuple[int, _Pipe] | None:
        def write(pipe: BinaryIO) -> None:
            for key, function in self._functions.items():
                message = pickle.dumps((key, function()), protocol=pickle.HIGHEST_PROTOCOL)
                pipe.write(len(message).to_bytes(self._HEADER, "little"))
                pipe.write(message)

        child = _start_child(write)
        if child is None:
            return None
        pid, reading = child
        return pid, _Pipe(reading, self._timeout)

    @property
    def held(self) -> int:
        """How many results wait here, sent or computed ahead of the one asked for."""
        return len(self._arrived)

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
        result = self._functions[key]()
        if self._child is None and self._ahead > 1:
            self._compute_ahead(key)
        return result

    def _compute_ahead(self, key: Key) -> None:
        """The results of the keys after `key`, in order, up to `ahead` in all, as far as
        the first one already taken or waiting."""
        if self._keys is None:
            self._keys = list(self._functions)
            self._places = {each: place for place, each in enumerate(self._keys)}
        place = self._places.get(key)
        if place is None:
            return
        for each in self._keys[place + 1:place + self._ahead]:
            if each in self._taken or each in self._arrived:
                break
            self._arrived[each] = self._functions[each]()

    def _receive(self) -> tuple | None:
        """The child's next message; None, and the child reaped, when it has no more."""
        pipe = self._child[1]
        try:
            header = pipe.read(self._HEADER)
            if header is not None:
                message = pipe.read(int.from_bytes(header, "little"))
                if message is not None:
                    return pickle.loads(message)
        except Exception:  # noqa: BLE001 - cut short or garbled: computed here from now on
            pass
        self.close()
        return None

    def close(self) -> None:
        """Stop the child if it still runs (stopped or not) and reap it."""
        if self._child is not None:
            pid, pipe = self._child
            self._child = None
            pipe.close()
            _kill(pid)
        self._arrived.clear()
