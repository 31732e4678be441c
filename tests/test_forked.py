"""Sharing work with forked children: the same results in the same order as doing it
here, whatever happens to a child."""

from __future__ import annotations

import os
import subprocess
import sys
import weakref

import pytest

from mkdocs_northstar import forked
from mkdocs_northstar.forked import MIN_ITEMS_PER_PROCESS, Stream, map_forked

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forking needs os.fork")
PARENT = os.getpid()


def square_and_pid(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


def test_results_come_back_in_order_from_several_processes():
    items = list(range(4 * MIN_ITEMS_PER_PROCESS + 7))
    results = map_forked(square_and_pid, items, processes=4)
    assert [square for square, _ in results] == [number * number for number in items]
    pids = {pid for _, pid in results}
    assert PARENT in pids and len(pids) == 4  # this process did its share too
    assert _no_child_left()


def test_few_items_are_done_here():
    results = map_forked(square_and_pid, list(range(MIN_ITEMS_PER_PROCESS)), processes=4)
    assert {pid for _, pid in results} == {PARENT}


def test_without_fork_the_work_is_done_here(monkeypatch):
    monkeypatch.delattr(os, "fork")
    results = map_forked(square_and_pid, list(range(3 * MIN_ITEMS_PER_PROCESS)), processes=3)
    assert {pid for _, pid in results} == {PARENT}


def fails_in_a_child(number: int) -> int:
    if os.getpid() != PARENT:
        raise RuntimeError("a child's bad day")
    return -number


def test_a_failing_child_costs_time_not_results():
    items = list(range(2 * MIN_ITEMS_PER_PROCESS))
    assert map_forked(fails_in_a_child, items, processes=2) == [-number for number in items]
    assert _no_child_left()


def test_a_child_that_cannot_start_is_replaced_by_work_here(monkeypatch):
    def no_fork():
        raise OSError("no more processes")

    monkeypatch.setattr(os, "fork", no_fork)
    items = list(range(2 * MIN_ITEMS_PER_PROCESS))
    assert map_forked(square_and_pid, items, processes=2) == [(n * n, PARENT) for n in items]


def fails_here(number: int) -> int:
    if os.getpid() == PARENT and number == 3:
        raise ValueError("the parent's bad day")
    return number


def test_a_failure_here_propagates_and_leaves_no_child_behind():
    with pytest.raises(ValueError, match="bad day"):
        map_forked(fails_here, list(range(3 * MIN_ITEMS_PER_PROCESS)), processes=3)
    assert _no_child_left()


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="setting the cores needs Linux")
def test_available_cores_are_those_the_process_may_run_on():
    # A container or `taskset` allows fewer cores than the machine has: count those.
    probe = ("import os; from mkdocs_northstar.forked import available_cores; "
             "os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); print(available_cores())")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "1"


def _no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_while_another_thread_runs_the_work_is_done_here():
    # A fork copies only the calling thread; a lock another thread holds would stay
    # held in the child for ever.
    import threading

    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        results = map_forked(square_and_pid, list(range(3 * MIN_ITEMS_PER_PROCESS)), processes=3)
    finally:
        release.set()
        other.join()
    assert {pid for _, pid in results} == {PARENT}


def _pid_after(number: int):
    return lambda: (number, os.getpid())


def test_a_stream_delivers_what_its_child_computed_in_order():
    stream = Stream({number: _pid_after(number) for number in range(300)}, processes=2)
    results = [stream.take(number) for number in range(300)]
    stream.close()
    assert [number for number, _ in results] == list(range(300))
    assert {pid for _, pid in results} - {PARENT}  # from the child
    assert _no_child_left()


def test_a_stream_taken_out_of_order_or_twice_still_gives_each_result():
    stream = Stream({number: _pid_after(number) for number in range(50)}, processes=2)
    assert stream.take(40)[0] == 40  # the ones before wait here until asked for
    assert [stream.take(number)[0] for number in range(40)] == list(range(40))
    assert stream.take(40) == (40, PARENT)  # again: computed here
    assert stream.take(41)[0] == 41
    stream.close()  # the child may still be writing the rest: stopped and reaped
    assert _no_child_left()
    assert stream.take(49) == (49, PARENT)


def _fails_in_a_child_after(number: int):
    def compute():
        if os.getpid() != PARENT and number >= 5:
            raise RuntimeError("a child's bad day")
        return number, os.getpid()
    return compute


def test_a_stream_whose_child_fails_computes_the_rest_here():
    stream = Stream({number: _fails_in_a_child_after(number) for number in range(10)}, processes=2)
    results = [stream.take(number) for number in range(10)]
    assert [number for number, _ in results] == list(range(10))
    assert {pid for number, pid in results if number >= 5} == {PARENT}
    assert _no_child_left()  # reaped when its messages ran out


def test_a_stream_keeps_what_its_results_carry():
    from mkdocs_northstar.render.pages import PageText

    text = PageText("---\ntitle: X\n---\n# X\n")
    text.front, text.meta = "---\ntitle: X\n---\n", {"title": "X"}
    stream = Stream({"page": lambda: text, "other": lambda: "y"}, processes=2)
    received = stream.take("page")
    stream.close()
    assert received == text and received.front == text.front and received.meta == {"title": "X"}


def test_a_stream_computes_here_with_one_process_or_other_threads():
    stream = Stream({number: _pid_after(number) for number in range(5)}, processes=1)
    assert {stream.take(number)[1] for number in range(5)} == {PARENT}
    import threading

    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        stream = Stream({number: _pid_after(number) for number in range(5)}, processes=2)
    finally:
        release.set()
        other.join()
    assert {stream.take(number)[1] for number in range(5)} == {PARENT}


def test_a_stream_lets_go_of_its_functions_and_makes_them_again_only_when_needed():
    made = []

    def again():
        made.append(1)
        return {number: _pid_after(number) for number in range(10)}

    class Held:  # something the functions hold
        pass

    held = Held()
    alive = weakref.ref(held)
    functions = {number: (lambda number=number, held=held: (number, os.getpid())) for number in range(10)}
    stream = Stream(functions, processes=2, again=again)
    del functions, held
    assert alive() is None  # let go of, with whatever they held
    assert [stream.take(number)[0] for number in range(10)] == list(range(10))
    assert made == []  # the child delivered everything
    assert stream.take(3) == (3, PARENT) and made == [1]  # asked twice: made again, here
    stream.close()

    failing = Stream({number: _fails_in_a_child_after(number) for number in range(10)}, processes=2, again=again)
    assert [failing.take(number)[0] for number in range(10)] == list(range(10))
    assert made == [1, 1]
    assert _no_child_left()


def test_a_stream_without_a_child_computes_a_run_ahead_in_order():
    computed = []

    def noting(number):
        return lambda: computed.append(number) or number

    stream = Stream({number: noting(number) for number in range(10)}, processes=1, ahead=4)
    assert stream.take(0) == 0 and computed == [0, 1, 2, 3] and stream.held == 3
    assert [stream.take(number) for number in (1, 2, 3)] == [1, 2, 3] and computed == [0, 1, 2, 3]
    assert stream.take(5) == 5 and computed[4:] == [5, 6, 7, 8]  # out of order: from there on
    assert stream.take(4) == 4 and computed[8:] == [4]  # the next one waits already: no run
    assert [stream.take(number) for number in range(6, 10)] == [6, 7, 8, 9] and computed[9:] == [9]
    assert stream.take(9) == 9 and computed[10:] == [9]  # taken twice: computed again, alone
    stream.close()
    assert stream.held == 0
