"""scripts/bench.py's timing: batches alternating between the sides of a row, ratios paired by
round, more runs for short rows, and a wait for the process's other threads to go idle before
each batch.

The logic is checked with stand-ins (sides that record their calls, a fake clock of the
other threads' CPU time), so that nothing here depends on the machine's load.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import bench  # noqa: E402


@pytest.fixture
def no_settling(monkeypatch):
    """settle() as a recorded no-op: the order of batches is what is checked."""
    calls = []
    monkeypatch.setattr(bench, "settle", lambda: calls.append("settle") or 0.0)
    return calls


def test_batches_alternate_and_long_sides_get_the_minimum(no_settling):
    log = []
    sides = {"ours": lambda: log.append("ours") or time.sleep(0.02),
             "torch": lambda: log.append("torch") or time.sleep(0.02)}
    before = {"ours": lambda: log.append("before ours")}
    seconds = bench.timed(sides, repeat=9, budget=0.01, before=before)
    # 2 warm-up runs a side, then 7 rounds, A B, B A, A B, ..., of 2, 2, 1, 1, 1, 1, 1 timed
    # runs (9 in all), each batch after one untimed run
    assert bench.ROUNDS == 7
    expected = ["before ours", "ours", "ours", "torch", "torch"]
    for round_, runs in enumerate([2, 2, 1, 1, 1, 1, 1]):
        ours, torch = ["before ours", *["ours"] * (1 + runs)], ["torch"] * (1 + runs)
        expected += ours + torch if round_ % 2 == 0 else torch + ours
    assert log == expected
    assert no_settling == ["settle"] * 14  # before each timed batch, not before the warm-ups
    assert set(seconds) == {"ours", "torch"}
    assert [len(batch) for batch in seconds.rounds["torch"]] == [2, 2, 1, 1, 1, 1, 1]
    assert all(0.019 < value < 1.0 for value in seconds.values())  # sleeps of 20 ms


def test_ratios_are_paired_by_round():
    # PyTorch 1.5 times as long as ours throughout; a slow spell (everything twice as long)
    # over rounds 0-3 of ours and 0-2 of PyTorch (it ended between the two batches of
    # round 3): the overall medians say 1.5 / 2 = 0.75, the rounds' ratios 1.5 in six of seven
    ours = [[2.0], [2.0], [2.0], [2.0], [1.0], [1.0], [1.0]]
    torch = [[3.0], [3.0], [3.0], [1.5], [1.5], [1.5], [1.5]]
    timing = bench.Timing({"ours": ours, "torch": torch})
    assert timing["ours"] == 2.0 and timing["torch"] == 1.5
    assert timing.ratio("torch", "ours") == pytest.approx(1.5)
    assert timing.rounds_ms()["torch"] == [3000.0, 3000.0, 3000.0, 1500.0, 1500.0, 1500.0, 1500.0]
    # rounds where a side ran nothing are left out; with none left, the medians' ratio
    timing = bench.Timing({"ours": [[1.0], [], [1.0]], "torch": [[3.0], [2.0], []]})
    assert timing.ratio("torch", "ours") == pytest.approx(3.0)
    assert timing.rounds_ms()["ours"] == [1000.0, None, 1000.0]
    timing = bench.Timing({"ours": [[1.0], []], "torch": [[], [2.0]]})
    assert timing.ratio("torch", "ours") == pytest.approx(2.0)


def test_a_row_times_ours_against_pytorch_and_against_O0_apart(no_settling, monkeypatch):
    # the first table's row: never the -O0 side and PyTorch in the same rounds, so that
    # neither ours nor PyTorch runs right after -O0 in some rounds only (README, "Benchmark")
    log = []
    sides = {"ours": lambda: log.append("ours") or time.sleep(0.002),
             "O0": lambda: log.append("O0") or time.sleep(0.004),
             "torch": lambda: log.append("torch") or time.sleep(0.003)}
    monkeypatch.setattr(bench, "module", lambda s: "ours")
    monkeypatch.setattr(bench, "step", lambda mod, s, arrays, attrs: sides[mod])
    monkeypatch.setattr(bench, "torch_step", lambda name, arrays, attrs: sides["torch"])
    monkeypatch.setattr(bench, "peak_bytes", lambda fn: 1 << 20)
    monkeypatch.setattr(bench, "saved_bytes", lambda mod, s, arrays, attrs: 0)
    row = bench.measure("relu", None, {}, {}, repeat=7, o0="O0", budget=0.05)
    switch = log.index("O0")
    assert "O0" not in log[:switch] and "torch" not in log[switch:]
    assert row["torch_over_ours"] == pytest.approx(1.5, rel=0.3)
    assert row["speedup_vs_O0"] == pytest.approx(2.0, rel=0.3)
    assert set(row["rounds_ms"]) == {"ours", "torch"} and set(row["rounds_ms_against_O0"]) == {"ours", "O0"}
    # a row without PyTorch's op: ours against -O0 only, on the whole budget
    monkeypatch.setattr(bench, "torch_step", lambda name, arrays, attrs: None)
    log.clear()
    row = bench.measure("relu", None, {}, {}, repeat=7, o0="O0", budget=0.05)
    assert set(log) == {"ours", "O0"} and row["torch_over_ours"] is None and row["torch_ms"] is None
    assert row["optimized_ms"] == pytest.approx(2.0, rel=0.5)


def test_the_compiled_side_is_timed_against_each_other_apart(no_settling):
    # the compiled table: one function under two backends (set before each batch) and
    # PyTorch; the NumPy target's side and PyTorch never in the same rounds
    log, backend = [], []
    ours = lambda: log.append(backend[-1]) or time.sleep(0.001)  # noqa: E731
    theirs = lambda: log.append("torch") or time.sleep(0.001)  # noqa: E731
    before = {"numba": lambda: backend.append("numba"), "numpy": lambda: backend.append("numpy")}
    pairs = bench.timed_apart("numba", ours, {"torch": theirs, "numpy": ours, "absent": None}, repeat=7,
                              budget=0.03, before=before)
    assert set(pairs) == {"torch", "numpy"}
    assert set(pairs["torch"]) == {"numba", "torch"} and set(pairs["numpy"]) == {"numba", "numpy"}
    switch = log.index("numpy")
    assert set(log[:switch]) == {"numba", "torch"} and set(log[switch:]) == {"numba", "numpy"}


def test_short_sides_get_more_runs_within_the_budget(no_settling):
    counts = {"short": 0, "long": 0}

    def short():
        counts["short"] += 1

    def long():
        counts["long"] += 1
        time.sleep(0.01)

    bench.timed({"short": short, "long": long}, repeat=3, budget=0.3)
    # the long side: 2 warm-ups, an untimed run a round, at least 3 timed runs, about
    # budget / 2 / 10 ms = 15
    assert 5 + bench.ROUNDS <= counts["long"] <= 2 + bench.ROUNDS + 16
    # the short one (microseconds a run): capped at MAX_RUNS timed runs
    assert counts["short"] == 2 + bench.ROUNDS + bench.MAX_RUNS


def test_settle_waits_until_the_other_threads_are_idle(monkeypatch):
    # the other threads' CPU clock: busy (1 ms of CPU a poll) for 10 polls, then idle
    readings = iter([0] + [1_000_000 * i for i in range(1, 11)] + [10_000_000] * 10)
    polls = []
    monkeypatch.setattr(bench, "_background_cpu_ns", lambda: polls.append(1) or next(readings))
    monkeypatch.setattr(bench.time, "sleep", lambda seconds: None)
    bench.settle()
    assert len(polls) == 1 + 10 + 2  # the first reading, 10 busy polls, two quiet ones


def test_settle_gives_up_after_its_limit(monkeypatch):
    clock = iter(range(1_000_000))
    monkeypatch.setattr(bench, "_background_cpu_ns", lambda: 1_000_000 * next(clock))  # always busy
    monkeypatch.setattr(bench.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(bench, "SETTLE_LIMIT_S", 0.05)
    started = time.perf_counter()
    bench.settle()
    assert time.perf_counter() - started < 1.0


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="Linux's per-thread CPU times")
def test_background_cpu_counts_the_other_threads_only():
    bench.settle()  # earlier work's spinning BLAS workers, if any, gone idle
    before, own = bench._background_cpu_ns(), time.thread_time_ns()
    while time.thread_time_ns() - own < 50_000_000:  # 50 ms of this thread's CPU: not counted
        pass
    assert bench._background_cpu_ns() - before < 25_000_000

    spun, done, spent = threading.Event(), threading.Event(), []

    def spin():  # 30 ms of CPU on another thread, which then waits (counted while it exists)
        start = time.thread_time_ns()
        while time.thread_time_ns() - start < 30_000_000:
            pass
        spent.append(time.thread_time_ns() - start)
        spun.set()
        done.wait()

    before = bench._background_cpu_ns()
    worker = threading.Thread(target=spin)
    worker.start()
    try:
        spun.wait()
        busy = bench._background_cpu_ns() - before
    finally:
        done.set()
        worker.join()
    assert busy >= 0.9 * spent[0]
