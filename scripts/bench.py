"""Benchmark: forward+backward of every generated op, optimized vs -O0 vs PyTorch eager (CPU).

    python scripts/bench.py [--ops NAME ...] [--repeat N] [--budget S] [--compiled-only] [--out DIR]

All three run in one process on the same inputs: activations on 4M float32 elements
(4096 x 1024), Dense at batch 256, 1024 -> 1024. Each timing is the median wall time of
repeated forward+backward runs, the sides of a row in alternating batches (ours and
PyTorch, then ours and -O0 apart: ``measure``), each batch started once the process's other threads are idle (``timed``, and the
comment above it for why: BLAS's and OpenMP's spinning workers made a row's numbers depend on
what ran before it); at least ``--repeat`` runs a side, more for short rows, up to about
``--budget`` seconds a row. PyTorch, NumPy's BLAS and layerforge's blocked
execution (``layerforge.set_num_threads``: each NumPy ufunc call runs on one thread, the
blocks of a large input are shared out over threads) get the same thread count. Peak
memory is the peak of traced NumPy allocations during one forward+backward (tracemalloc),
optimized vs -O0.

Both sides run with glibc's malloc told to keep freed memory (``MALLOC_MMAP_THRESHOLD_`` and
``MALLOC_TRIM_THRESHOLD_``, set by re-executing the script unless ``--system-malloc``): by
default, depending on what the process allocated before, glibc hands large freed buffers
back to the system and every step faults them in again (2,000 page faults and twice the
time for layer norm after the convolution; about 1,100 per step for PyTorch's convolution),
which makes the order of the table change its numbers. This is the glibc form of PyTorch's
CPU tuning advice to run with a caching allocator (jemalloc, tcmalloc).

The transpiler runs in a child process (the generation timings and the -O0 modules'
sources), never in the measuring one: its memory churn changes how glibc serves later
allocations, and after an in-process generation layer norm's step took 2,000 page faults
(8 MB returned to the system and faulted back each step) and twice the time.

Both CPU targets get a table of their own (issue 24): the ops with compiled twins (numba row
kernels, ``layerforge.set_backend``) and the other layer rows that run compiled kernels (the
runtime's hand-written convolution kernels, or an inner op's row kernels; found by running them
once), under the numba backend, the numpy backend and PyTorch, by wall time at
the same thread count, timed as above (``--compiled-only`` runs just that table; with ``--ops``
the rows of those ops). The tables before it time the default backend (numba where installed).

Writes bench-results/bench.json, bench-results/summary.md and bench-results/ratios.png.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing
import os
import platform
import statistics
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "generated"), str(ROOT)]

import layerforge  # noqa: E402
from harness import PATHS, attributes, catalog, module, spec  # noqa: E402
from oracles import FUSED, ORACLES  # noqa: E402
from transpiler.pipeline import generate, module_from_source, render_op  # noqa: E402

ACTIVATION_SHAPE = (4096, 1024)
DENSE = {"batch": 256, "in_features": 1024, "out_features": 1024}


# glibc malloc: arrays up to 32 MiB (its largest threshold) from the heap, freed memory kept
# (see the docstring).
KEEP_FREED_MEMORY = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}


def threads() -> int:
    return int(os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1)


# Timing (``timed``): the sides of a row (ours, PyTorch, ...) run in batches of consecutive
# runs, the batches alternating (A B C, C B A, A B C), so that a change of the machine's load
# during a row weighs on every side alike; each side's figure is the median of all its runs.
# Before each batch the process waits until its other threads are idle (``settle``): after a
# call, OpenBLAS's workers spin (sched_yield in a loop) for about 0.1 s and PyTorch's OpenMP
# workers (libgomp) for several ms, waiting for more work, and on two cores a spinning thread
# takes one of the cores that the next side's two threads need. Measured on this machine
# (loaded: a spinning thread got a part of a core; on a quiet one, a whole core that long):
# after a 1024 x 1024 float32 product on two BLAS threads its worker ran 15-18 ms of CPU over
# the next 90-100 ms, after our fully_connected and global_pooling rows (BLAS on two threads)
# 16-28 ms, after PyTorch's add 7 ms over 30-60 ms, after our add, convolutions or layer norm
# (layerforge's pool waits without spinning) nothing; our add took 2.2 times as long right
# after that product as after settle(). Timed straight after another row or the other side,
# a short row paid for that spinning, so the table's order changed its numbers. A side's own
# spinning between its runs stays in its figure: that is what a program running it in a loop
# gets.
# Seven rounds, not three: this VM's speed changes within a second (the same spin loop on one
# core took 80 ms or 140 ms from one half second to the next), and so does the share of the
# 32 MiB L3 it gets (our layer norm step, whose 40 MB of traffic fits there between
# consecutive runs, took 1.3 ms warm and 2.5-2.7 ms evicted). With three rounds of 0.1-0.2 s
# batches, a change in the middle of a row could fall on one side's two batches and not the
# other's: one full bench put our layer norm at 2.56 ms and PyTorch's at 1.71 ms, the same
# run's compiled table (same functions, minutes later) at 1.75 and 2.83. Short batches in
# seven alternating rounds give every side the same mix of the machine's states. The first
# run of each batch is not timed: it pays for the idle wait before it (threads asleep, a
# virtual CPU the host may have given to someone else meanwhile): PyTorch's log_softmax took
# 8-14 ms right after the wait and 4.5-5.7 ms the run after; with one run a batch (a side of
# seven runs over seven rounds) every figure would be such a first run.
ROUNDS = 7
MAX_RUNS = 300  # per side and row
BUDGET_S = 0.5  # per row (--budget)
SETTLE_LIMIT_S = 0.3
TIMING = (f"wall time; each side in batches of consecutive runs, the batches alternating over {ROUNDS} rounds, each "
          "batch after the process's other threads went idle, its first run untimed; times: medians of all runs; "
          "ratios: medians over the rounds of the ratio of the sides' medians in that round")


# The 1-minute load average when the bench started (summary.md reports it with the one at the end).
LOAD_AT_START = float("nan")
# Where the bench's time goes (seconds), reported at the end.
SPENT = {"warm_up_s": 0.0, "timed_s": 0.0, "settling_s": 0.0}


def _background_cpu_ns() -> int | None:
    """CPU time (ns) run so far by this process's threads other than the calling one (Linux's
    /proc/self/task/*/schedstat), or None where that is not available."""
    me = threading.get_native_id()
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return None
    total = 0
    for tid in tids:
        if int(tid) == me:
            continue
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as stat:
                total += int(stat.read().split()[0])
        except (OSError, ValueError, IndexError):  # a thread that ended meanwhile
            continue
    return total


def settle() -> float:
    """Wait until this process's other threads (BLAS, OpenMP and layerforge workers) have been
    idle for two 2 ms windows in a row (under 0.1 ms of CPU in each), at most SETTLE_LIMIT_S;
    the seconds waited. Without schedstat, a fixed 0.1 s."""
    started = time.perf_counter()
    before = _background_cpu_ns()
    if before is None:
        time.sleep(0.1)
        return 0.1
    quiet = 0
    while quiet < 2 and time.perf_counter() - started < SETTLE_LIMIT_S:
        time.sleep(0.002)
        now = _background_cpu_ns()
        quiet = quiet + 1 if now - before < 100_000 else 0
        before = now
    return time.perf_counter() - started


class Timing(dict):
    """What ``timed`` measured: side -> median wall seconds of all its runs, and each side's
    runs by round (``rounds``) for ``ratio``."""

    def __init__(self, rounds: dict[str, list[list[float]]]):
        super().__init__((name, statistics.median(t for batch in batches for t in batch))
                         for name, batches in rounds.items())
        self.rounds = rounds

    def ratio(self, slower: str, faster: str) -> float:
        """``slower``'s time over ``faster``'s, paired by round: the median over the rounds
        of the ratio of the two sides' medians in that round (rounds where either side ran
        nothing left out; the ratio of the overall medians if none is left). The machine's
        state changes from second to second (see ROUNDS), a round's batches follow each other
        within a fraction of a second: a slow spell that falls on one round weighs on both
        sides of that round's ratio, and on one of the seven ratios."""
        pairs = [statistics.median(a) / statistics.median(b)
                 for a, b in zip(self.rounds[slower], self.rounds[faster]) if a and b]
        return statistics.median(pairs) if pairs else self[slower] / self[faster]

    def rounds_ms(self) -> dict[str, list[float | None]]:
        """Each side's median in each round, in ms (None: no run that round), for bench.json."""
        return {name: [round(1e3 * statistics.median(batch), 3) if batch else None for batch in batches]
                for name, batches in self.rounds.items()}


def timed(sides: dict, repeat: int, budget: float, before: dict | None = None) -> Timing:
    """Wall seconds of the runs of each side (name -> function), timed as the comment above
    says: two warm-up runs a side (compiling, faulting memory in), then ROUNDS rounds of one
    batch a side (an untimed run, then the timed ones), at least ``repeat`` runs a side in
    all and, for short sides, more, up to about ``budget`` seconds for the row (MAX_RUNS at
    most). ``before``: what to call before a side's batch (name -> function; the backend it
    runs under)."""
    before = before or {}

    def batch(name, count, times, warm_up=False):
        if name in before:
            before[name]()
        if not warm_up:
            SPENT["settling_s"] += settle()
        run = sides[name]
        if not warm_up:
            run()  # untimed: the first run after settle() pays for the idle wait (see above)
        started = time.perf_counter()
        for _ in range(count):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        SPENT["warm_up_s" if warm_up else "timed_s"] += time.perf_counter() - started

    warm = {name: [] for name in sides}
    for name in sides:
        batch(name, 2, warm[name], warm_up=True)
    # each side's runs in all, shared out over the rounds (9 in 7 rounds: 2, 2, 1, 1, 1, 1, 1)
    counts = {name: max(repeat, min(MAX_RUNS, int(budget / len(sides) / max(min(warm[name]), 1e-6)))) for name in sides}
    rounds = {name: [[] for _ in range(ROUNDS)] for name in sides}
    order = list(sides)
    for round_ in range(ROUNDS):
        for name in order if round_ % 2 == 0 else order[::-1]:
            batch(name, counts[name] // ROUNDS + (round_ < counts[name] % ROUNDS), rounds[name][round_])
    return Timing(rounds)


def peak_bytes(fn) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def transpile_apart(names: list[str]) -> tuple[dict[str, str], float, float]:
    """In a child process: the -O0 sources of ``names`` and how long generating everything
    takes, from scratch and unchanged (seconds)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_transpile, (names,))


def _transpile(names: list[str]) -> tuple[dict[str, str], float, float]:
    sources = {name: render_op(spec(name), catalog(), PATHS, level=0) for name in names}
    started = time.perf_counter()
    generate(PATHS, cache=False)
    generate_s = time.perf_counter() - started
    generate(PATHS)  # fills the render cache where it is cold (a fresh clone); cache=False wrote none
    started = time.perf_counter()
    generate(PATHS)
    return sources, generate_s, time.perf_counter() - started


def activation_inputs(name: str):
    s = spec(name)
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, ACTIVATION_SHAPE).astype(np.float32)
    arrays = {"x": x}
    attrs = attributes(s, False if s.attribute("training") else None)
    if name == "hierarchical_softmax":  # a 1024 -> 16 class tree
        attrs = {"num_classes": 16}
        arrays["weight"] = rng.uniform(-0.1, 0.1, (4, ACTIVATION_SHAPE[1])).astype(np.float32)
    elif name == "prelu":  # one slope, PyTorch's default
        arrays["weight"] = np.full(1, 0.25, np.float32)
    return s, arrays, attrs


def step(mod, s, arrays, attrs):
    def run():
        y, ctx = mod.forward(*(arrays[d.name] for d in s.arrays), **attrs)
        return mod.backward(np.ones_like(y), ctx)

    return run


def torch_step(name, arrays, attrs):
    if name == "dense":
        activation = attrs["activation"]
        tensors = [torch.tensor(arrays[k], requires_grad=True) for k in ("x", "weight", "bias")]

        def run():
            y = FUSED[activation](torch.nn.functional.linear(*tensors))
            y.backward(torch.ones_like(y))

        return run
    if name not in ORACLES:
        return None
    oracle, _ = ORACLES[name]
    x = torch.tensor(arrays["x"], requires_grad=True)

    def run():
        y = oracle(x)
        y.backward(torch.ones_like(y))

    return run


def saved_bytes(mod, s, arrays, attrs) -> int:
    """Bytes of the arrays forward keeps for backward (views of inputs counted in full)."""
    _, ctx = mod.forward(*(arrays[d.name] for d in s.arrays), **attrs)
    saved = ctx[1]  # ctx: (backward variant, saved values, what backward checks, input shapes)
    return sum(v.nbytes for v in saved if isinstance(v, np.ndarray))


def timed_apart(side: str, run, others: dict, repeat: int, budget: float, before: dict | None = None) -> dict:
    """``side`` timed against each of ``others`` (name -> function, None: left out) apart, each
    pair in alternating rounds of its own (``timed``), a third of ``budget`` a side when there
    are two others; other's name -> that pair's Timing. A side that runs NumPy code on one
    thread (-O0) or in blocks (the NumPy target) is a memory-heavy phase after which the next
    side can fall into this VM's slow spells (README, "Benchmark"): with three sides in the
    same rounds, ``side`` followed it in every other round and PyTorch in the others, a bias
    on PyTorch / ours that belonged to neither (softmax 0.96 and log_softmax 0.94 in one
    first table, 1.07 and 1.20 in its compiled table; layer norm 0.90 in a compiled table,
    1.15 in its first)."""
    others = {name: other for name, other in others.items() if other is not None}
    share = 2 * budget / 3 if len(others) > 1 else budget
    return {name: timed({side: run, name: other}, repeat, share, before) for name, other in others.items()}


def measure(name, s, arrays, attrs, repeat, o0, budget=BUDGET_S):
    """A row of the first table: ours against PyTorch and, apart, against -O0
    (``timed_apart``); ours' time is the one against PyTorch."""
    optimized = step(module(s), s, arrays, attrs)
    unoptimized = step(o0, s, arrays, attrs)
    reference = torch_step(name, arrays, attrs)
    pairs = timed_apart("ours", optimized, {"torch": reference, "O0": unoptimized}, repeat, budget)
    against_torch, against_o0 = pairs.get("torch"), pairs["O0"]
    seconds = against_torch or against_o0
    row = {
        "op": name if name != "dense" else f"dense+{attrs['activation']}",
        "optimized_ms": 1e3 * seconds["ours"],
        "O0_ms": 1e3 * against_o0["O0"],
        "optimized_peak_MB": peak_bytes(optimized) / 2**20,
        "O0_peak_MB": peak_bytes(unoptimized) / 2**20,
        "saved_MB": saved_bytes(module(s), s, arrays, attrs) / 2**20 if name != "dense" or attrs["activation"] in FUSED else None,
    }
    row["torch_ms"] = 1e3 * against_torch["torch"] if reference else None
    row["speedup_vs_O0"] = against_o0.ratio("O0", "ours")
    row["torch_over_ours"] = against_torch.ratio("torch", "ours") if reference else None
    row["memory_vs_O0"] = row["optimized_peak_MB"] / row["O0_peak_MB"]
    row["rounds_ms"] = seconds.rounds_ms()
    if reference:
        row["rounds_ms_against_O0"] = against_o0.rounds_ms()
    return row


def layer_cases():
    """Layer benchmarks: name -> (arrays, attributes, the same computation in PyTorch); a
    name's first word is the op."""
    rng = np.random.default_rng(0)

    def f32(*shape, scale=1.0):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    F = torch.nn.functional
    images = f32(16, 32, 32, 32)
    conv = {"x": images, "weight": f32(32, 32, 3, 3, scale=0.05), "bias": f32(32)}
    wide = f32(4096, 512)
    large = f32(16, 32, 64, 64)
    depthwise = {"x": large, "weight": f32(32, 1, 3, 3, scale=0.3), "bias": f32(32)}
    grouped = {"x": large, "weight": f32(32, 8, 3, 3, scale=0.1), "bias": f32(32)}
    return {
        "convolutional": (conv, {"padding": 1}, lambda t: F.conv2d(t["x"], t["weight"], t["bias"], padding=1)),
        # Rows named "<op> <variant>" run the op with other attributes.
        "convolutional depthwise": (depthwise, {"padding": 1, "groups": 32},
                                    lambda t: F.conv2d(t["x"], t["weight"], t["bias"], padding=1, groups=32)),
        "convolutional groups=4": (grouped, {"padding": 1, "groups": 4},
                                   lambda t: F.conv2d(t["x"], t["weight"], t["bias"], padding=1, groups=4)),
        "layer_normalization": ({"x": wide, "weight": f32(512), "bias": f32(512)}, {},
                                lambda t: F.layer_norm(t["x"], (512,), t["weight"], t["bias"])),
        "layer_statistics": ({"x": wide}, {}, _layer_statistics),
        "batch_normalization": ({"x": images, "weight": f32(32), "bias": f32(32), "running_mean": np.zeros(32, np.float32),
                                 "running_var": np.ones(32, np.float32)}, {"training": True},
                                lambda t: F.batch_norm(t["x"], torch.zeros(32), torch.ones(32), t["weight"], t["bias"], training=True)),
        "max_pooling": ({"x": images}, {"kernel_size": 2, "stride": 2}, lambda t: F.max_pool2d(t["x"], 2)),
        "avg_pooling": ({"x": images}, {"kernel_size": 2, "stride": 2}, lambda t: F.avg_pool2d(t["x"], 2)),
        "global_pooling": ({"x": images}, {}, lambda t: F.adaptive_avg_pool2d(t["x"], 1)),
        "dropout": ({"x": wide}, {"p": 0.5, "training": False}, lambda t: F.dropout(t["x"], 0.5, training=False) * 1),
        "flatten": ({"x": images}, {}, lambda t: t["x"].flatten(1)),
        "add": ({"a": wide, "b": f32(4096, 512)}, {}, lambda t: t["a"] + t["b"]),
        "multiply": ({"a": wide, "b": f32(4096, 512)}, {}, lambda t: t["a"] * t["b"]),
        "concatenate": ({"a": wide, "b": f32(4096, 512)}, {"axis": 1}, lambda t: torch.cat([t["a"], t["b"]], 1)),
        "padding": ({"x": images}, {"pad": (1, 1, 1, 1)}, lambda t: F.pad(t["x"], (1, 1, 1, 1))),
        "upsampling": ({"x": images}, {"scale_factor": 2}, lambda t: F.interpolate(t["x"], scale_factor=2)),
        "upsampling bilinear": ({"x": f32(16, 32, 64, 64)}, {"scale_factor": 2, "mode": "bilinear"},
                                lambda t: F.interpolate(t["x"], scale_factor=2, mode="bilinear")),
        "adaptive_pooling": ({"x": images}, {"output_size": (7, 7)}, lambda t: F.adaptive_avg_pool2d(t["x"], (7, 7))),
        "adaptive_pooling max": ({"x": images}, {"output_size": (7, 7), "kind": "max"},
                                 lambda t: F.adaptive_max_pool2d(t["x"], (7, 7))),
        "mean": ({"x": images}, {"dim": (2, 3), "keepdim": True}, lambda t: t["x"].mean((2, 3), keepdim=True)),
        "dilated_convolutional": ({**conv}, {"padding": 2, "dilation": 2},
                                  lambda t: F.conv2d(t["x"], t["weight"], t["bias"], padding=2, dilation=2)),
        # Issue 19: 16 x 32 x 32 x 32 to 32 channels, 3 x 3, stride 2 (64 x 64 out).
        "deconvolutional": ({"x": images, "weight": f32(32, 32, 3, 3, scale=0.05), "bias": f32(32)},
                            {"stride": 2, "padding": 1, "output_padding": 1},
                            lambda t: F.conv_transpose2d(t["x"], t["weight"], t["bias"], stride=2, padding=1,
                                                         output_padding=1)),
        "pixel_shuffle": ({"x": f32(16, 128, 32, 32)}, {"upscale_factor": 2}, lambda t: F.pixel_shuffle(t["x"], 2)),
        "subpixel_convolutional": ({"x": images, "weight": f32(128, 32, 3, 3, scale=0.05), "bias": f32(128)},
                                   {"upscale_factor": 2},
                                   lambda t: F.pixel_shuffle(F.conv2d(t["x"], t["weight"], t["bias"], padding=1), 2)),
        "depthwise_separable_convolutional": (
            {"x": images, "depthwise_weight": f32(32, 1, 3, 3, scale=0.3), "pointwise_weight": f32(64, 32, 1, 1, scale=0.1),
             "bias": f32(64)}, {"padding": 1},
            lambda t: F.conv2d(F.conv2d(t["x"], t["depthwise_weight"], padding=1, groups=32), t["pointwise_weight"],
                               t["bias"])),
        "grid_sample": ({"x": images, "grid": (rng.uniform(-1.1, 1.1, (16, 32, 32, 2))).astype(np.float32)},
                        {"align_corners": False}, lambda t: F.grid_sample(t["x"], t["grid"], align_corners=False)),
        "locally_connected": ({"x": f32(16, 16, 16, 16), "weight": f32(14, 14, 32, 16, 3, 3, scale=0.05), "bias": f32(32)},
                              {}, lambda t: torch.einsum("bkl,lok->bol", F.unfold(t["x"], 3),
                                                         t["weight"].reshape(196, 32, -1)).reshape(16, 32, 14, 14)
                              + t["bias"][None, :, None, None]),
        "separable_convolutional": (
            {"x": images, "depthwise_weight": f32(64, 1, 3, 3, scale=0.3), "pointwise_weight": f32(64, 64, 1, 1, scale=0.1),
             "bias": f32(64)}, {"padding": 1},
            lambda t: F.conv2d(F.conv2d(t["x"], t["depthwise_weight"], padding=1, groups=32), t["pointwise_weight"],
                               t["bias"])),
        # CapsNet's PrimaryCaps (Sabour et al.): 256 channels of 20 x 20 to 32 capsule types of 8,
        # 9 x 9, stride 2 (1152 capsules per image), batch 8.
        "primary_capsule": ({"x": f32(8, 256, 20, 20), "weight": f32(256, 256, 9, 9, scale=0.01), "bias": f32(256)},
                            {"capsule_dim": 8, "stride": 2}, _primary_capsule),
        # A localisation network on 32 x 32 x 32 maps (32 hidden units), its theta near the
        # identity, then the affine grid and bilinear sampling at the input's size.
        "spatial_transformer": ({"x": images, "loc_weight1": f32(32, 32, 32, 32, scale=0.005), "loc_bias1": f32(32),
                                 "loc_weight2": f32(6, 32, scale=0.05),
                                 "loc_bias2": np.array([1, 0, 0, 0, 1, 0], np.float32) + f32(6, scale=0.05)},
                                {}, _spatial_transformer),
        "affine_grid": ({"theta": f32(64, 2, 3)}, {"size": (128, 128), "align_corners": False},
                        lambda t: F.affine_grid(t["theta"], (64, 1, 128, 128), align_corners=False)),
        "log_variance": ({"x": wide}, {}, lambda t: torch.log(torch.var(t["x"], -1, unbiased=False) + 1e-8)),
        "fully_connected": ({"x": f32(256, 1024), "weight": f32(1024, 1024, scale=0.03), "bias": f32(1024)}, {},
                            lambda t: F.linear(t["x"], t["weight"], t["bias"])),
        # Group A (issue 16): PyTorch compositions as the peers, as in the parity tests.
        "highway": ({"x": f32(256, 1024), "weight_hidden": f32(1024, 1024, scale=0.03), "bias_hidden": f32(1024),
                     "weight_transform": f32(1024, 1024, scale=0.03), "bias_transform": f32(1024)}, {}, _highway),
        "gated_linear_unit": ({"x": f32(256, 1024), "weight_linear": f32(1024, 1024, scale=0.03), "bias_linear": f32(1024),
                               "weight_gate": f32(1024, 1024, scale=0.03), "bias_gate": f32(1024)}, {},
                              lambda t: F.glu(F.linear(t["x"], torch.cat([t["weight_linear"], t["weight_gate"]]),
                                                       torch.cat([t["bias_linear"], t["bias_gate"]])), dim=-1)),
        "squeeze_and_excitation": ({"x": f32(16, 64, 32, 32), "fc1_weight": f32(4, 64, scale=0.1), "fc1_bias": f32(4),
                                    "fc2_weight": f32(64, 4, scale=0.1), "fc2_bias": f32(64)}, {"reduction": 16},
                                   _squeeze_and_excitation),
        "rbf": ({"x": f32(256, 256, scale=0.1), "centers": f32(256, 256, scale=0.1),
                 "widths": np.full(256, 2.0, np.float32)}, {},
                lambda t: torch.exp(-((t["x"][:, None] - t["centers"][None]) ** 2).sum(-1) / (2 * t["widths"] ** 2))),
        "reconstruction": ({"x": f32(256, 160), "fc1_weight": f32(512, 160, scale=0.08), "fc1_bias": f32(512),
                            "fc2_weight": f32(1024, 512, scale=0.04), "fc2_bias": f32(1024),
                            "fc3_weight": f32(784, 1024, scale=0.03), "fc3_bias": f32(784)}, {},
                           lambda t: torch.sigmoid(F.linear(F.relu(F.linear(F.relu(F.linear(
                               t["x"], t["fc1_weight"], t["fc1_bias"])), t["fc2_weight"], t["fc2_bias"])),
                               t["fc3_weight"], t["fc3_bias"]))),
        # TransformerEncoderLayer (issue 18): batch 8, 256 tokens, E 512, 8 heads, F 2048, post-LN, relu.
        "transformer_encoder": (_encoder_arrays(f32), {"nhead": 8}, _encoder),
        # A wrapper (issue 17): a convolution on each of 8 steps of 16 image sequences.
        "time_distributed": ({"x": f32(16, 8, 16, 32, 32), "weight": f32(32, 16, 3, 3, scale=0.05), "bias": f32(32)},
                             {"layer": "convolutional", "layer_options": {"padding": 1}},
                             lambda t: F.conv2d(t["x"].reshape(128, 16, 32, 32), t["weight"], t["bias"],
                                                padding=1).reshape(16, 8, 32, 32, 32)),
        # lambda_ (issue 21): a user's NumPy function and derivative composed at run time with a
        # tanh, against the same function in torch (autograd's backward).
        "lambda_": ({"x": f32(256, 4096)}, {"function": _sin_times, "derivative": _sin_times_derivative,
                                            "activation": "tanh"},
                    lambda t: torch.tanh(torch.sin(t["x"]) * t["x"])),
        # Composition (issue 18): a transformer's feed-forward sublayer, batch 8 x 256 tokens, E 512, F 2048.
        "feed_forward_block": ({"x": f32(8, 256, 512), "linear1_weight": f32(2048, 512, scale=0.04),
                                "linear1_bias": f32(2048), "linear2_weight": f32(512, 2048, scale=0.02),
                                "linear2_bias": f32(512), "norm_weight": f32(512), "norm_bias": f32(512)}, {},
                               lambda t: F.layer_norm(t["x"] + F.linear(F.relu(F.linear(
                                   t["x"], t["linear1_weight"], t["linear1_bias"])), t["linear2_weight"],
                                   t["linear2_bias"]), (512,), t["norm_weight"], t["norm_bias"])),
        "memory_read": ({"x": f32(256, 1024), "memory": f32(512, 256), "key_weight": f32(256, 1024, scale=0.03),
                         "value_weight": f32(1024, 256, scale=0.06), "output_weight": f32(1024, 1024, scale=0.03),
                         "output_bias": f32(1024)}, {}, _memory_read),
        # Group B (issue 18): nn.MultiheadAttention's computation (its packed projection,
        # F.scaled_dot_product_attention per head, the output projection), and the embedding.
        "multi_head_attention": (_attention_inputs(f32), {"num_heads": 8}, _multi_head_attention),
        "embedding": ({"ids": rng.integers(0, 32000, (8, 512)), "weight": f32(32000, 512)}, {},
                      lambda t: F.embedding(t["ids"], t["weight"])),
        # The catalog's decoder (issue 18): batch 8, 128 targets, 128 encoder positions, D 256,
        # F 1024, a causal self-attention mask; the same composition in torch ops.
        "decoder": (_decoder_arrays(f32, rng), {}, _decoder),
        # Recurrence (issue 17): batch 32, 64 steps, 256 -> 256, time-major, initial states
        # zeros (None); PyTorch's nn.LSTM/GRU/RNN with the same weights.
        **{name: _recurrent_case(name, f32) for name in ("lstm", "gru", "recurrent")},
        # An echo state network of 256 units, the same sizes batch first; leaking rate 1 is
        # nn.RNN(bias=False) with frozen weights (gradients for the input only, as ours).
        "reservoir": _reservoir_case(f32),
        # Leaky integrate-and-fire (snnTorch's Leaky, atan surrogate), the same sizes batch
        # first; PyTorch: nn.Linear over all steps, then the membrane loop under autograd.
        "spiking": _spiking_case(f32),
        # Graphs (issue 20): 8 graphs of 256 nodes, 256 -> 256 features, a dense adjacency
        # with about 10% of the edges (no gradient).
        "graph_convolutional": ({"x": f32(8, 256, 256), "adjacency": _adjacency(rng, 8, 256),
                                 "weight": f32(256, 256, scale=0.06), "bias": f32(256)}, {},
                                lambda t: torch.bmm(t["adjacency"], F.linear(t["x"], t["weight"])) + t["bias"]),
        # GAT: the same graphs, 8 heads of 32 features, averaged; the peer is the dense
        # composition of the parity test (PyG's GATConv, concat=False, without self loops).
        "graph_attention": ({"x": f32(8, 256, 256), "adjacency": _adjacency(rng, 8, 256),
                             "lin_weight": f32(8, 32, 256, scale=0.06), "att_src": f32(1, 8, 32, scale=0.2),
                             "att_dst": f32(1, 8, 32, scale=0.2), "bias": f32(32)}, {}, _graph_attention),
        # Experts (issue 20): 512 tokens, 256 -> 512 -> 256 per expert, 8 experts, top 2, every
        # expert evaluated (dense); the peer is the parity test's composition (einsum over
        # the stacked experts, a torch.topk mask).
        "mixture_of_experts": ({"x": f32(512, 256), "router_weight": f32(8, 256, scale=0.06), "router_bias": f32(8),
                                "expert_w1": f32(8, 512, 256, scale=0.06), "expert_b1": f32(8, 512),
                                "expert_w2": f32(8, 256, 512, scale=0.04), "expert_b2": f32(8, 256)},
                               {"top_k": 2}, _mixture_of_experts),
        # Capsule routing (issue 20): CapsNet's DigitCaps, 1152 primary capsules of 8 to 10
        # classes of 16, 3 routing iterations, batch 16; the peer is the parity test's torch
        # composition (einsum votes, c.detach() per iteration: routing_gradient 'stop').
        "digit_capsule": ({"x": f32(16, 1152, 8), "weight": f32(1152, 10, 8, 16, scale=0.05)},
                          {"routing_iterations": 3}, lambda t: _routing(torch.einsum("bid,ijdk->bijk", t["x"], t["weight"]), 0, 3)),
        # The general capsule layer (with a bias), routing_gradient 'full': 256 capsules of 8 to
        # 32 of 16, batch 16.
        "capsule": ({"x": f32(16, 256, 8), "weight": f32(256, 8, 32, 16, scale=0.05), "bias": f32(32, 16, scale=0.1)},
                    {"routing_iterations": 3, "routing_gradient": "full"},
                    lambda t: _routing(torch.einsum("bid,idjk->bijk", t["x"], t["weight"]), t["bias"], 3, detach=False)),
        # Quantum (issue 20): 10 qubits (1024 amplitudes) of 1000 features, batch 256; the peer
        # is the parity test's torch.kron chain of the RY gates (a 1024 x 1024 matrix product).
        "quantum": ({"x": f32(256, 1000), "theta": f32(10)}, {"output_size": 1024}, _quantum),
        # A linear-chain CRF's negative log-likelihood (issue 20): batch 64, 50 steps, 20 tags,
        # sequences of 25 to 50 steps (a mask); the peer is pytorch-crf's CRF (a Python loop
        # over time with torch ops).
        "conditional_random_field": _crf_case(f32, rng),
        # Its Viterbi decode (an entry point, no gradient) on the same emissions and mask,
        # against pytorch-crf's decode (lists of tags).
        "conditional_random_field decode": _crf_decode_case(f32, rng),
        # The same LSTM in both directions (concat), against nn.LSTM(bidirectional=True).
        "bidirectional": _bidirectional_case(f32),
        # Learning rules (issue 21): forward and backward of the temporal memory's product
        # form, 4096 binary patterns of 64 columns of 32 cells.
        "temporal_memory": ({"x": (rng.random((4096, 64)) < 0.5).astype(np.float32), "S": f32(64, 32)}, {},
                            lambda t: (t["x"][..., :, None] * t["S"]).flatten(-2)),
        # The RBM's forward (hidden probabilities) and its true gradient: 4096 x 784 -> 256.
        "rbm": ({"v": (rng.random((4096, 784)) < 0.3).astype(np.float32), "W": f32(256, 784, scale=0.05),
                 "b_v": f32(784), "b_h": f32(256)}, {},
                lambda t: torch.sigmoid(F.linear(t["v"], t["W"], t["b_h"]))),
        # The spatial pooler: 4096 binary inputs of 784 bits, 256 columns, straight-through backward.
        "spatial_pooler": ({"x": (rng.random((4096, 784)) < 0.3).astype(np.float32),
                            "P": rng.random((784, 256)).astype(np.float32)}, {"threshold": 60.0},
                           lambda t: _StraightThrough.apply(t["x"] @ t["P"] - 60.0)),
        # Synaptic plasticity's opt-in structural mode, y = x W^T (W a buffer): 4096 x 512 units.
        "synaptic_plasticity linear": ({"x": f32(4096, 512), "W": f32(512, 512, scale=0.04)}, {"mode": "linear"},
                                       lambda t: F.linear(t["x"], t["W"])),
        # The continuum memory system (issue 21): 3 Dense + ReLU levels, 4096 x 512 -> 512 ->
        # 512 -> 512, the later levels' parameters None, against nn.Sequential(Linear, ReLU, ...).
        "continuum_memory_system": (_continuum_arrays(f32), {"levels": 3},
                                    lambda t: torch.relu(F.linear(torch.relu(F.linear(torch.relu(F.linear(
                                        t["x"], t["level0_weight"], t["level0_bias"])), t["level1_weight"], t["level1_bias"])),
                                        t["level2_weight"], t["level2_bias"]))),
        # A ConvLSTM: batch 4, 8 frames, 16 -> 16 channels of 16 x 16, 3 x 3 kernels, against
        # the loop of F.conv2d and gate math (PyTorch has no ConvLSTM).
        "conv_lstm": ({"x": f32(4, 8, 16, 16, 16), "weight_ih": f32(64, 16, 3, 3, scale=0.08),
                       "weight_hh": f32(64, 16, 3, 3, scale=0.08), "bias": f32(64), "h0": None, "c0": None}, {},
                      _conv_lstm),
    }


def _continuum_arrays(f32):
    """The continuum memory system's arrays: three levels of 512 -> 512, the others None."""
    levels = {}
    for level in range(10):
        given = level < 3
        levels[f"level{level}_weight"] = f32(512, 512, scale=0.04) if given else None
        levels[f"level{level}_bias"] = f32(512, scale=0.04) if given else None
    return {"x": f32(4096, 512), **levels}


def rule_cases():
    """Learning rules against the peer a user knows: name -> (ours, theirs, peer), each a
    function running the whole workload once.

    rbm: one training epoch over scikit-learn's digits (1797 x 64, scaled to [0, 1]) in
    batches of 10, 256 hidden units, learning rate 0.1, float64: ours CD-1
    (``nn.RBM.contrastive_divergence``) with ``layerforge.optim.SGD`` applying the
    pseudo-gradients, theirs ``BernoulliRBM.partial_fit`` per batch (its own loop: PCD-1)."""
    from sklearn.datasets import load_digits
    from sklearn.neural_network import BernoulliRBM

    from layerforge import nn
    from layerforge.optim import SGD

    digits = load_digits().data / 16.0
    batches = [digits[i:i + 10] for i in range(0, len(digits), 10)]

    def ours():
        layer = nn.RBM(64, 256, rng=np.random.default_rng(0), dtype=np.float64)
        optimizer, rng = SGD(layer.parameters(), lr=0.1), np.random.default_rng(0)
        for batch in batches:
            optimizer.step(list(layer.contrastive_divergence(batch, rng=rng)))

    def theirs():
        rbm = BernoulliRBM(n_components=256, learning_rate=0.1, batch_size=10, random_state=0)
        for batch in batches:
            rbm.partial_fit(batch)

    return {"rbm CD-1 epoch (digits)": (ours, theirs, "sklearn BernoulliRBM.partial_fit")}


def _crf_case(f32, rng):
    import torchcrf

    batch, steps, tags = 64, 50, 20
    lengths = rng.integers(steps // 2, steps + 1, batch)
    arrays = {"emissions": f32(batch, steps, tags), "tags": rng.integers(0, tags, (batch, steps)),
              "start_transitions": f32(tags, scale=0.1), "end_transitions": f32(tags, scale=0.1),
              "transitions": f32(tags, tags, scale=0.1), "mask": np.arange(steps)[None] < lengths[:, None]}
    crf = torchcrf.CRF(tags, batch_first=True)  # its own parameters (same values) take the gradients
    with torch.no_grad():
        for name in ("start_transitions", "end_transitions", "transitions"):
            getattr(crf, name).copy_(torch.from_numpy(arrays[name]))

    def oracle(t):
        return -crf(t["emissions"], t["tags"], t["mask"], reduction="none")

    return arrays, {}, oracle


def _crf_decode_case(f32, rng):
    arrays, _, _ = _crf_case(f32, rng)
    import torchcrf

    crf = torchcrf.CRF(arrays["emissions"].shape[-1], batch_first=True)
    with torch.no_grad():
        for name in ("start_transitions", "end_transitions", "transitions"):
            getattr(crf, name).copy_(torch.from_numpy(arrays[name]))
    del arrays["tags"]
    return arrays, {ENTRY: "decode"}, lambda t: crf.decode(t["emissions"], t["mask"])


def _mixture_of_experts(t):
    F = torch.nn.functional
    logits = F.linear(t["x"], t["router_weight"], t["router_bias"])
    kept = torch.zeros_like(logits, dtype=torch.bool).scatter_(-1, torch.topk(logits, 2).indices, True)
    gates = torch.softmax(logits.masked_fill(~kept, float("-inf")), -1)
    hidden = torch.relu(torch.einsum("bd,ehd->ebh", t["x"], t["expert_w1"]) + t["expert_b1"][:, None])
    outs = torch.einsum("ebh,eoh->ebo", hidden, t["expert_w2"]) + t["expert_b2"][:, None]
    return torch.einsum("be,ebo->bo", gates, outs)


def _graph_attention(t):
    F = torch.nn.functional
    h = torch.einsum("bnf,hcf->bhnc", t["x"], t["lin_weight"])
    source = (h * t["att_src"][0][None, :, None, :]).sum(-1)
    target = (h * t["att_dst"][0][None, :, None, :]).sum(-1)
    e = F.leaky_relu(target[..., :, None] + source[..., None, :], 0.2)
    e = e.masked_fill((t["adjacency"] == 0)[:, None], float("-inf"))
    alpha = torch.nan_to_num(torch.softmax(e, -1), nan=0.0)  # a node without neighbours: 0
    return (alpha @ h).mean(1) + t["bias"]


def _adjacency(rng, graphs, nodes):
    """Dense float32 adjacency matrices [graphs, nodes, nodes] of weights in [0.5, 1] on about
    10% of the edges, 0 elsewhere."""
    weights = rng.uniform(0.5, 1.0, (graphs, nodes, nodes))
    return (weights * (rng.random((graphs, nodes, nodes)) < 0.1)).astype(np.float32)


def _attention_inputs(f32):
    """Batch 8, 256 tokens, E = 512, 8 heads; self-attention without a mask."""
    return {"x": f32(8, 256, 512), "in_proj_weight": f32(1536, 512, scale=0.04), "in_proj_bias": f32(1536),
            "out_proj_weight": f32(512, 512, scale=0.04), "out_proj_bias": f32(512), "kv": None, "attn_mask": None,
            "key_padding_mask": None}


def _multi_head_attention(t):
    F = torch.nn.functional
    batch, length, width = t["x"].shape
    q, k, v = F.linear(t["x"], t["in_proj_weight"], t["in_proj_bias"]).chunk(3, dim=-1)
    heads = [a.reshape(batch, length, 8, width // 8).transpose(1, 2) for a in (q, k, v)]
    joined = F.scaled_dot_product_attention(*heads).transpose(1, 2).reshape(batch, length, width)
    return F.linear(joined, t["out_proj_weight"], t["out_proj_bias"])


# The peak memory of one step (forward + backward) of these rows is measured too, in a fresh
# process each with glibc's default malloc (large blocks go back to the system when freed):
# the peak resident set (reset just before the step, Linux's clear_refs) over the resident
# set before it, which holds the inputs. The arrays of the other rows, made and dropped by
# layer_cases(), are handed back to the system first (malloc_trim): left in glibc's heap,
# they stayed resident and a step reused them unseen (attention's step read 11 MB).
PEAK_MEMORY_ROWS = ("multi_head_attention",)
_PEAK = """
import ctypes
import sys
sys.path[:0] = {paths!r}
import numpy as np, torch
import layerforge
from bench import layer_cases, layer_sides, threads
torch.set_num_threads(threads())
layerforge.set_num_threads(threads())
arrays, attrs, oracle = layer_cases()[{name!r}]
step = layer_sides({name!r}, arrays, attrs, oracle)[{side!r}]


def status(key):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(key + ":"))


ctypes.CDLL("libc.so.6").malloc_trim(0)
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
before = status("VmRSS")
step()
print((status("VmHWM") - before) / 1024)
"""


def peak_step_MB(name, side):
    """The growth of the peak resident set (MB) of one step of ``side`` ("ours" or "theirs")
    of the layer row ``name``, in a fresh process (so that earlier rows leave nothing)."""
    import subprocess

    code = _PEAK.format(paths=[str(ROOT / "scripts"), str(ROOT / "generated"), str(ROOT), str(ROOT / "tests")],
                        name=name, side=side)
    env = {k: v for k, v in os.environ.items() if k not in KEEP_FREED_MEMORY}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return float(done.stdout.split()[-1])


def _encoder_arrays(f32):
    e, f = 512, 2048
    return {"x": f32(8, 256, e), "src_mask": None, "src_key_padding_mask": None,
            "self_attn_in_proj_weight": f32(3 * e, e, scale=0.04),
            "self_attn_in_proj_bias": f32(3 * e, scale=0.1), "self_attn_out_proj_weight": f32(e, e, scale=0.04),
            "self_attn_out_proj_bias": f32(e, scale=0.1), "linear1_weight": f32(f, e, scale=0.04),
            "linear1_bias": f32(f, scale=0.1), "linear2_weight": f32(e, f, scale=0.02), "linear2_bias": f32(e, scale=0.1),
            "norm1_weight": f32(e), "norm1_bias": f32(e), "norm2_weight": f32(e), "norm2_bias": f32(e)}


def _encoder(t):
    """torch.nn.TransformerEncoderLayer's computation (dropout 0, post-LN, relu) on the same
    tensors, through its functional pieces (as the layer's own forward runs them)."""
    F = torch.nn.functional
    x = t["x"]
    attended, _ = F.multi_head_attention_forward(
        x.transpose(0, 1), x.transpose(0, 1), x.transpose(0, 1), 512, 8, t["self_attn_in_proj_weight"],
        t["self_attn_in_proj_bias"], None, None, False, 0.0, t["self_attn_out_proj_weight"],
        t["self_attn_out_proj_bias"], need_weights=False)
    h = F.layer_norm(x + attended.transpose(0, 1), (512,), t["norm1_weight"], t["norm1_bias"])
    f = F.linear(F.relu(F.linear(h, t["linear1_weight"], t["linear1_bias"])), t["linear2_weight"], t["linear2_bias"])
    return F.layer_norm(h + f, (512,), t["norm2_weight"], t["norm2_bias"])


def _decoder_arrays(f32, rng):
    width, hidden, length = 256, 1024, 128
    arrays = {"x": f32(8, length, width), "encoder_output": f32(8, length, width)}
    for prefix in ("self_attn", "cross_attn"):
        arrays |= {f"{prefix}_{name}_weight": f32(width, width, scale=0.06) for name in ("query", "key", "value")}
    arrays |= {"linear1_weight": f32(hidden, width, scale=0.06), "linear1_bias": f32(hidden),
               "linear2_weight": f32(width, hidden, scale=0.03), "linear2_bias": f32(width)}
    arrays |= {f"norm{i}_{name}": f32(width) for i in (1, 2, 3) for name in ("weight", "bias")}
    arrays |= {"mask": np.triu(np.ones((length, length), dtype=bool), 1), "memory_mask": None}
    return arrays


def _decoder(t):
    """decoder's computation in torch ops: single-head SDPA (attn_mask True = may attend),
    post-LN, relu."""
    F = torch.nn.functional

    def attend(q_in, kv_in, prefix, allowed=None):
        q, k, v = (F.linear(a, t[f"{prefix}_{n}_weight"]) for a, n in ((q_in, "query"), (kv_in, "key"), (kv_in, "value")))
        return F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)

    def norm(a, i):
        return F.layer_norm(a, (256,), t[f"norm{i}_weight"], t[f"norm{i}_bias"])

    h1 = norm(t["x"] + attend(t["x"], t["x"], "self_attn", ~t["mask"]), 1)
    h2 = norm(h1 + attend(h1, t["encoder_output"], "cross_attn"), 2)
    f = F.linear(F.relu(F.linear(h2, t["linear1_weight"], t["linear1_bias"])), t["linear2_weight"], t["linear2_bias"])
    return norm(h2 + f, 3)


RECURRENT = {"steps": 64, "batch": 32, "input_size": 256, "hidden_size": 256}


def _recurrent_case(name, f32):
    steps, batch, inputs, hidden = (RECURRENT[k] for k in ("steps", "batch", "input_size", "hidden_size"))
    gates = {"lstm": 4, "gru": 3, "recurrent": 1}[name]
    scale = hidden ** -0.5
    arrays = {"x": f32(steps, batch, inputs), "h0": None, "weight_ih": f32(gates * hidden, inputs, scale=scale),
              "weight_hh": f32(gates * hidden, hidden, scale=scale), "bias_ih": f32(gates * hidden, scale=scale),
              "bias_hh": f32(gates * hidden, scale=scale)}
    if name == "lstm":
        arrays["c0"] = None
    torch_module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "recurrent": torch.nn.RNN}[name](inputs, hidden)
    with torch.no_grad():
        for key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(torch_module, f"{key}_l0").copy_(torch.from_numpy(arrays[key]))

    def oracle(t):
        y, state = torch_module(t["x"])
        return (y, *state) if isinstance(state, tuple) else (y, state)

    return arrays, {}, oracle


def _reservoir_case(f32):
    steps, batch, inputs, units = (RECURRENT[k] for k in ("steps", "batch", "input_size", "hidden_size"))
    arrays = {"u": f32(batch, steps, inputs), "weight_in": f32(units, inputs, scale=inputs ** -0.5),
              "weight_res": f32(units, units, scale=0.9 * units ** -0.5), "r0": None}
    rnn = torch.nn.RNN(inputs, units, bias=False, batch_first=True)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(arrays["weight_in"]))
        rnn.weight_hh_l0.copy_(torch.from_numpy(arrays["weight_res"]))
    rnn.requires_grad_(False)

    def oracle(t):
        states, r_n = rnn(t["u"])
        return states, r_n[0]

    return arrays, {}, oracle


class _StraightThrough(torch.autograd.Function):
    """[a > 0] forward, the gradient passed through unchanged (the spatial pooler's backward)."""

    @staticmethod
    def forward(ctx, a):
        return (a > 0).to(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad


class _ATanSpike(torch.autograd.Function):
    """snnTorch's spike: [u > 0], backward alpha / 2 / (1 + (pi / 2 alpha u)^2), alpha = 2."""

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return (u > 0).to(u.dtype)

    @staticmethod
    def backward(ctx, grad):
        (u,) = ctx.saved_tensors
        return grad / (1 + (math.pi * u) ** 2)


def _spiking_case(f32):
    steps, batch, inputs, units = (RECURRENT[k] for k in ("steps", "batch", "input_size", "hidden_size"))
    arrays = {"x": f32(batch, steps, inputs), "weight": f32(units, inputs, scale=inputs ** -0.5),
              "bias": f32(units, scale=0.1), "v0": None}

    def oracle(t):
        current = torch.nn.functional.linear(t["x"], t["weight"], t["bias"])
        mem, spikes = torch.zeros(batch, units), []
        for step in range(steps):
            reset = (mem > 1.0).to(mem.dtype)
            mem = 0.9 * mem + current[:, step] - reset
            spikes.append(_ATanSpike.apply(mem - 1.0))
        return torch.stack(spikes, 1), mem

    return arrays, {}, oracle
def _bidirectional_case(f32):
    """An LSTM of the recurrence rows' size run both ways (merge concat): its eight parameters
    are nn.LSTM(bidirectional=True)'s, forward direction first."""
    steps, batch, inputs, hidden = (RECURRENT[k] for k in ("steps", "batch", "input_size", "hidden_size"))
    scale = hidden ** -0.5
    torch_module = torch.nn.LSTM(inputs, hidden, bidirectional=True)
    arrays = {"x": f32(steps, batch, inputs)}
    for suffix in ("", "_reverse"):
        arrays |= {f"{key}{suffix}": f32(*shape, scale=scale) for key, shape in (
            ("weight_ih", (4 * hidden, inputs)), ("weight_hh", (4 * hidden, hidden)), ("bias_ih", (4 * hidden,)),
            ("bias_hh", (4 * hidden,)))}
    with torch.no_grad():
        for key, value in arrays.items():
            if key != "x":
                name = key.replace("_reverse", "_l0_reverse") if key.endswith("_reverse") else f"{key}_l0"
                getattr(torch_module, name).copy_(torch.from_numpy(value))

    def oracle(t):
        y, (h_n, c_n) = torch_module(t["x"])
        return y, h_n, c_n

    return arrays, {"layer": "lstm"}, oracle


def _conv_lstm(t):
    F = torch.nn.functional
    h = c = torch.zeros(4, 16, 16, 16)
    ys = []
    for frame in t["x"].unbind(1):
        gates = F.conv2d(frame, t["weight_ih"], t["bias"], padding=1) + F.conv2d(h, t["weight_hh"], padding=1)
        i, f, g, o = gates.chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        ys.append(h)
    return torch.stack(ys, 1), h, c


def _highway(t):
    F = torch.nn.functional
    gate = torch.sigmoid(F.linear(t["x"], t["weight_transform"], t["bias_transform"]))
    return gate * torch.tanh(F.linear(t["x"], t["weight_hidden"], t["bias_hidden"])) + (1 - gate) * t["x"]


def _squeeze_and_excitation(t):
    F = torch.nn.functional
    scale = F.relu(F.linear(F.adaptive_avg_pool2d(t["x"], 1).flatten(1), t["fc1_weight"], t["fc1_bias"]))
    scale = torch.sigmoid(F.linear(scale, t["fc2_weight"], t["fc2_bias"]))
    return t["x"] * scale[:, :, None, None]


def _routing(u_hat, bias, iterations, detach=True):
    """Dynamic routing over votes [B, N_i, N_o, D_o] (tests/test_capsules.py's composition)."""
    logits = torch.zeros(u_hat.shape[:3], dtype=u_hat.dtype)
    for r in range(iterations):
        c = torch.softmax(logits, -1)
        c = c.detach() if detach else c
        s = (c[..., None] * u_hat).sum(1) + bias
        squared = (s * s).sum(-1, keepdim=True)
        v = s * torch.sqrt(squared + 1e-7) / (1 + squared)
        if r < iterations - 1:
            logits = logits + (u_hat * v[:, None]).sum(-1)
    return v


def _quantum(t):
    """First 2^n features (zero-padded), normalized, through kron(RY(theta[n-1]), ..., RY(theta[0])), squared."""
    theta = t["theta"]
    size = 2 ** theta.shape[0]
    psi = torch.nn.functional.pad(t["x"], (0, max(0, size - t["x"].shape[-1])))[:, :size]
    psi = psi / torch.sqrt((psi * psi).sum(-1, keepdim=True) + 1e-12)
    gates = None
    for q in range(theta.shape[0] - 1, -1, -1):
        c, s = torch.cos(theta[q] / 2), torch.sin(theta[q] / 2)
        gate = torch.stack([torch.stack([c, -s]), torch.stack([s, c])])
        gates = gate if gates is None else torch.kron(gates, gate)
    return (psi @ gates.T) ** 2


def _primary_capsule(t):
    """F.conv2d, the channels as [32 types, 8 entries], permuted to [B, 32, 6, 6, 8] and listed,
    then squash (tests/oracles.py's formula)."""
    u = torch.nn.functional.conv2d(t["x"], t["weight"], t["bias"], stride=2)
    u = u.reshape(u.shape[0], -1, 8, *u.shape[2:]).permute(0, 1, 3, 4, 2).reshape(u.shape[0], -1, 8)
    squared = (u * u).sum(-1, keepdim=True)
    return u * torch.sqrt(squared + 1e-7) / (1 + squared)


def _spatial_transformer(t):
    F = torch.nn.functional
    hidden = torch.tanh(F.linear(t["x"].flatten(1), t["loc_weight1"].flatten(1), t["loc_bias1"]))
    theta = F.linear(hidden, t["loc_weight2"], t["loc_bias2"]).reshape(-1, 2, 3)
    grid = F.affine_grid(theta, t["x"].shape, align_corners=True)
    return F.grid_sample(t["x"], grid, align_corners=True)


def _layer_statistics(t):
    """The mean and 1 / sqrt(var + eps) of each row, side by side (one output to backward)."""
    variance, mean = torch.var_mean(t["x"], dim=-1, keepdim=True, correction=0)
    return torch.cat([mean, torch.rsqrt(variance + 1e-5)], dim=-1)


def _sin_times(x):
    """lambda_'s benchmark function, sin(x) x, as a user writes it in NumPy."""
    return np.sin(x) * x


def _sin_times_derivative(x, grad):
    return grad * (np.cos(x) * x + np.sin(x))


def _memory_read(t):
    F = torch.nn.functional
    attention = torch.softmax(F.linear(t["x"], t["key_weight"]) @ t["memory"].T, dim=-1)
    return F.linear(F.linear(attention @ t["memory"], t["value_weight"]), t["output_weight"], t["output_bias"])


# In a layer row's attributes: the entry point measured instead of forward + backward
# (its arguments are the row's arrays in order; PyTorch's side runs without autograd).
ENTRY = "entry point"


def layer_sides(name, arrays, attrs, oracle, xp=np, device="cpu"):
    """The two sides of a layer row, each a forward and a backward (an entry point's row: the
    entry alone, PyTorch's side without autograd): ``ours`` on ``xp`` arrays (NumPy or CuPy),
    ``theirs`` on PyTorch tensors on ``device``, tensors the oracle makes itself included."""
    s = spec(name.split()[0])  # "upsampling bilinear": the op, then the variant measured
    mod = module(s)
    given = {k: xp.asarray(v) if isinstance(v, np.ndarray) else v for k, v in arrays.items()}
    attrs = dict(attrs)
    entry = attrs.pop(ENTRY, None)
    differentiable = set() if entry else set(arrays) if s.wrap is not None else {d.name for d in s.differentiable}
    tensors = {k: torch.tensor(v, requires_grad=k in differentiable, device=device)
               for k, v in arrays.items() if v is not None}


    def placed():  # the oracle's own factory calls (batch norm's running statistics) on device
        return contextlib.nullcontext() if device == "cpu" else torch.device(device)

    if entry:
        run_entry = getattr(mod, entry)

        def ours():
            return run_entry(*given.values(), **attrs)

        def theirs():
            with torch.no_grad(), placed():
                oracle(tensors)

        return {"ours": ours, "theirs": theirs}

    def forward():
        # a wrapper (time_distributed) takes its inner layer's arrays after its input
        return mod.forward(*(given.values() if s.wrap is not None else (given[d.name] for d in s.arrays)), **attrs)

    def ours():
        out, ctx = forward()
        if s.wrap is not None:  # bidirectional also returns its inner layer's final states
            return mod.backward(*(xp.ones_like(o) for o in (out if isinstance(out, tuple) else (out,))), ctx)
        outs = dict(zip(s.outputs, out if isinstance(out, tuple) else (out,)))
        return mod.backward(*(xp.ones_like(outs[g]) for g in s.grad_outputs), ctx)

    def theirs():
        with placed():
            y = oracle(tensors)
            ys = y if isinstance(y, tuple) else (y,)  # several outputs (a recurrence's y, h_n, c_n)
            torch.autograd.backward(ys, [torch.ones_like(o) for o in ys])

    return {"ours": ours, "theirs": theirs, "forward": forward, "torch_forward": lambda: oracle(tensors)}


def measure_layer(name, arrays, attrs, oracle, repeat, budget=BUDGET_S):
    sides = layer_sides(name, arrays, attrs, oracle)
    seconds = timed({"ours": sides["ours"], "torch": sides["theirs"]}, repeat, budget)
    row = {"op": name, "optimized_ms": 1e3 * seconds["ours"], "torch_ms": 1e3 * seconds["torch"]}
    row["torch_over_ours"] = seconds.ratio("torch", "ours")
    row["rounds_ms"] = seconds.rounds_ms()
    if ENTRY in attrs:
        row.update(saved_MB=0.0, torch_saved_MB=0.0)
        return row
    if name in PEAK_MEMORY_ROWS:
        row["peak_MB"] = peak_step_MB(name, "ours")
        row["torch_peak_MB"] = peak_step_MB(name, "theirs")
    row["saved_MB"] = _nested_bytes(sides["forward"]()[1]) / 2**20
    row["torch_saved_MB"] = _torch_saved_bytes(sides["torch_forward"]) / 2**20
    return row


def _nested_bytes(saved) -> int:
    """Bytes of the distinct arrays in a context (nested tuples too; a view counts its base once)."""
    seen: dict[int, int] = {}

    def visit(value):
        if isinstance(value, tuple):
            for item in value:
                visit(item)
        elif isinstance(value, np.ndarray):
            owner = value if value.base is None else value.base
            seen[id(owner)] = max(seen.get(id(owner), 0), owner.nbytes if isinstance(owner, np.ndarray) else value.nbytes)

    visit(saved)
    return sum(seen.values())


def _torch_saved_bytes(run) -> int:
    """Bytes of the distinct tensors PyTorch's autograd saves for the backward of ``run``."""
    storages: dict[int, int] = {}

    def pack(tensor):
        storages[tensor.untyped_storage().data_ptr()] = tensor.untyped_storage().nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        run()
    return sum(storages.values())


def compiled_rows(repeat: int, budget: float = BUDGET_S, ops=None) -> list[dict]:
    """Both CPU targets against PyTorch: forward + backward of the ops with compiled twins
    (COMPILED_OPS) and of the other layer rows that run a compiled kernel (the runtime's
    hand-written ones, an inner op's row kernels: ``_runs_compiled_kernels``), under the numba
    backend, the numpy backend and PyTorch, by wall time at the bench's thread count
    (``timed_apart``: the compiled side against PyTorch and, apart, against the NumPy target,
    batches alternating, the backend set before each, after a warm-up that compiles the
    kernels or loads them from numba's cache).
    ``ops``: only these ops' rows."""
    if layerforge.get_backend() != "numba":
        return []
    from transpiler.jit import COMPILED_OPS

    cases = {}
    layers = layer_cases()
    for name in sorted(COMPILED_OPS):
        s = spec(name)
        if ops and name not in ops:
            continue
        if s.kind == "activation":
            s, arrays, attrs = activation_inputs(name)
            cases[name] = (step(module(s), s, arrays, attrs), torch_step(name, arrays, attrs))
        elif s.kind == "loss":
            cases[name] = _loss_steps(name)
    for name, (arrays, attrs, oracle) in layers.items():
        op = name.split()[0]
        if (ops and op not in ops) or ENTRY in attrs or not (op in COMPILED_OPS or _imports_compiled_runtime(op)):
            continue
        both = layer_sides(name, arrays, attrs, oracle)
        if op not in COMPILED_OPS and not _runs_compiled_kernels(both["ours"]):
            continue  # a variant that runs the NumPy functions under both backends (groups=4)
        shape = "x".join(str(n) for n in next(iter(arrays.values())).shape)
        cases[f"{name} {shape}"] = (both["ours"], both["theirs"])
    rows = []
    backends = {"numba": lambda: layerforge.set_backend("numba"), "numpy": lambda: layerforge.set_backend("numpy")}
    for name, (ours, theirs) in cases.items():
        try:
            pairs = timed_apart("numba", ours, {"torch": theirs, "numpy": ours}, repeat, budget, before=backends)
        finally:
            layerforge.set_backend("numba")
        seconds = pairs.get("torch") or pairs["numpy"]  # the compiled side's time: the one against PyTorch
        row = {"op": name, "torch_ms": 1e3 * seconds["torch"] if theirs else float("nan"),
               "numba_ms": 1e3 * seconds["numba"], "numpy_ms": 1e3 * pairs["numpy"]["numpy"]}
        row["torch_over_compiled"] = seconds.ratio("torch", "numba") if theirs else float("nan")
        row["numpy_over_compiled"] = pairs["numpy"].ratio("numpy", "numba")
        row["rounds_ms"] = seconds.rounds_ms()
        if theirs:
            row["rounds_ms_against_numpy"] = pairs["numpy"].rounds_ms()
        rows.append(row)
        print(f"{name:<36} compiled {row['numba_ms']:7.2f} ms  numpy {row['numpy_ms']:7.2f} ms  torch "
              f"{row['torch_ms']:7.2f} ms  torch/compiled {row['torch_over_compiled']:5.2f}  numpy/compiled "
              f"{row['numpy_over_compiled']:5.2f}", flush=True)
    return rows


def _imports_compiled_runtime(op) -> bool:
    """Whether the generated module of ``op`` imports the compiled runtime (hand-written
    kernels of its primitive helpers; the ops of COMPILED_OPS have row kernels too)."""
    return "layerforge._jit_runtime" in Path(module(spec(op)).__file__).read_text()


def _runs_compiled_kernels(run) -> bool:
    """Whether one call of ``run`` under the numba backend calls a compiled kernel (a
    RowKernel: an op's row kernels or the runtime's hand-written ones), on any thread."""
    from layerforge._jit_runtime import RowKernel

    calls = []
    original = RowKernel.__call__

    def counted(kernel, *args):
        calls.append(kernel.__name__)
        return original(kernel, *args)

    RowKernel.__call__ = counted
    try:
        run()
    finally:
        RowKernel.__call__ = original
    return bool(calls)


def _loss_steps(name):
    """A loss on 4096 x 1024 float32 logits and its gradient, ours and PyTorch's."""
    rng = np.random.default_rng(0)
    logits = rng.uniform(-3, 3, ACTIVATION_SHAPE).astype(np.float32)
    target = rng.uniform(0, 1, ACTIVATION_SHAPE).astype(np.float32)
    mod = module(spec(name))
    losses = {"binary_cross_entropy": torch.nn.functional.binary_cross_entropy_with_logits}
    tensors = (torch.tensor(logits, requires_grad=True), torch.tensor(target))

    def ours():
        loss, ctx = mod.forward(logits, target)
        return mod.backward(np.ones_like(loss), ctx)

    def theirs():
        losses[name](*tensors).backward()

    return ours, theirs


def geomean(values):
    """The geometric mean of the finite positive values (a row without a peer has None or NaN)."""
    values = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", nargs="+", help="only these ops (default: all)")
    parser.add_argument("--repeat", type=int, default=7, help="at least this many timed runs of each side of a row")
    parser.add_argument("--budget", type=float, default=BUDGET_S,
                        help="seconds of timed runs a row aims at: short rows get more runs (default %(default)s)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results")
    parser.add_argument("--compiled-only", action="store_true", help="only the compiled target's table")
    parser.add_argument("--system-malloc", action="store_true",
                        help="leave glibc's malloc settings as they are (see above)")
    args = parser.parse_args()
    if not args.system_malloc and any(name not in os.environ for name in KEEP_FREED_MEMORY):
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **KEEP_FREED_MEMORY})
    torch.set_num_threads(threads())
    layerforge.set_num_threads(threads())
    global LOAD_AT_START
    LOAD_AT_START = os.getloadavg()[0]

    if args.compiled_only:
        rows = compiled_rows(args.repeat, args.budget, args.ops)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "compiled.md").write_text(_compiled_markdown(rows))
        print(_compiled_markdown(rows))
        return
    names = args.ops or sorted(catalog().of_kind("activation"))
    activation_names = [n for n in names if n != "dense" and spec(n).kind == "activation"]
    dense = not args.ops or "dense" in args.ops
    sources, generate_s, regenerate_s = transpile_apart(activation_names + ["dense"] * dense)

    rows = []
    for name in activation_names:
        s, arrays, attrs = activation_inputs(name)
        rows.append(measure(name, s, arrays, attrs, args.repeat, module_from_source(f"{name}_O0", sources[name]),
                            args.budget))
        print(_line(rows[-1]), flush=True)
    if dense:
        s = spec("dense")
        o0 = module_from_source("dense_O0", sources["dense"])
        rng = np.random.default_rng(0)
        arrays = {
            "x": rng.standard_normal((DENSE["batch"], DENSE["in_features"])).astype(np.float32),
            "weight": (rng.standard_normal((DENSE["out_features"], DENSE["in_features"])) * 0.03).astype(np.float32),
            "bias": np.zeros(DENSE["out_features"], np.float32),
        }
        for activation in sorted(FUSED):
            rows.append(measure("dense", s, arrays, {"activation": activation}, args.repeat, o0, args.budget))
            print(_line(rows[-1]), flush=True)

    layer_rows = []
    for name, (arrays, attrs, oracle) in layer_cases().items():
        if args.ops and name.split()[0] not in args.ops:
            continue
        layer_rows.append(measure_layer(name, arrays, attrs, oracle, args.repeat, budget=args.budget))
        r = layer_rows[-1]
        peak = f"  peak MB ours {r['peak_MB']:.0f} torch {r['torch_peak_MB']:.0f}" if "peak_MB" in r else ""
        print(f"{name:<26} ours {r['optimized_ms']:8.2f} ms  torch {r['torch_ms']:8.2f} ms  torch/ours {r['torch_over_ours']:5.2f}"
              f"  saved MB ours {r['saved_MB']:7.2f} torch {r['torch_saved_MB']:7.2f}{peak}", flush=True)

    compiled = compiled_rows(args.repeat, args.budget, args.ops)
    rule_rows = []
    for name, (ours, theirs, peer) in rule_cases().items():
        if args.ops and name.split()[0] not in args.ops:
            continue
        seconds = timed({"ours": ours, "peer": theirs}, args.repeat, args.budget)
        row = {"op": name, "optimized_ms": 1e3 * seconds["ours"], "peer_ms": 1e3 * seconds["peer"], "peer": peer}
        row["peer_over_ours"] = seconds.ratio("peer", "ours")
        rule_rows.append(row)
        print(f"{name:<26} ours {row['optimized_ms']:8.2f} ms  {peer} {row['peer_ms']:8.2f} ms  "
              f"peer/ours {row['peer_over_ours']:5.2f}", flush=True)

    activations = [r for r in rows if not r["op"].startswith("dense")]
    summary = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "malloc": ", ".join(f"{k}={os.environ[k]}" for k in KEEP_FREED_MEMORY if k in os.environ) or "glibc defaults",
        "numpy": np.__version__,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "numpy_blas_threads": threads(),
        "layerforge_threads": layerforge.get_num_threads(),
        "generate_from_scratch_s": generate_s,
        "regenerate_unchanged_s": regenerate_s,
        "geomean_speedup_vs_O0_activations": geomean([r["speedup_vs_O0"] for r in activations]),
        "geomean_torch_over_ours_activations": geomean([r["torch_over_ours"] for r in activations]),
        # issue 24's item 4: the activations and the layers together, default backend (numba
        # where installed), torch_over_ours of each row counted once
        "geomean_torch_over_ours_activations_and_layers": geomean(
            [r["torch_over_ours"] for r in activations] + [r["torch_over_ours"] for r in layer_rows]),
        "backend": layerforge.get_backend(),
        "timing": TIMING,
        "budget_s": args.budget,
        "min_runs": args.repeat,
        "spent": dict(SPENT),
        # other processes' load: on 2 cores, PyTorch's OpenMP regions wait for a descheduled
        # thread at every barrier, and its wall times under load stop meaning anything
        "load_average_at_start_and_end": [LOAD_AT_START, os.getloadavg()[0]],
        **_compiled_geomeans(compiled),
        "rows": rows,
        "layers": layer_rows,
        "compiled": compiled,
        "rules": rule_rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(summary, indent=2) + "\n")
    (args.out / "summary.md").write_text(_markdown(summary))
    _chart(rows, args.out / "ratios.png")
    print(_markdown(summary).split("\n| op")[0])
    print("seconds spent: " + ", ".join(f"{k} {v:.0f}" for k, v in SPENT.items()))


def _line(row) -> str:
    torch_ms = f"{row['torch_ms']:8.2f}" if row["torch_ms"] else "     n/a"
    ratio = f"{row['torch_over_ours']:5.2f}" if row["torch_over_ours"] else "  n/a"
    return (f"{row['op']:<22} ours {row['optimized_ms']:8.2f} ms  -O0 {row['O0_ms']:8.2f} ms  torch {torch_ms} ms"
            f"  torch/ours {ratio}  -O0/ours {row['speedup_vs_O0']:5.2f}  memory {row['memory_vs_O0']:4.2f} of -O0")


def _markdown(summary) -> str:
    lines = [
        "# Benchmark: forward + backward",
        "",
        f"- machine: {summary['machine']}; malloc: {summary['malloc']}; NumPy {summary['numpy']} (BLAS threads {summary['numpy_blas_threads']}); "
        f"layerforge blocks on {summary['layerforge_threads']} threads; PyTorch {summary['torch']} eager with {summary['torch_threads']} threads",
        f"- activations on {ACTIVATION_SHAPE[0]}x{ACTIVATION_SHAPE[1]} float32; dense at batch {DENSE['batch']}, "
        f"{DENSE['in_features']} -> {DENSE['out_features']}",
        f"- geometric mean over activations of -O0 / optimized: {summary['geomean_speedup_vs_O0_activations']:.2f}",
        f"- geometric mean over activations of PyTorch / optimized: {summary['geomean_torch_over_ours_activations']:.2f}",
        f"- geometric mean over activations and layers of PyTorch / ours ({summary.get('backend', 'numba')} backend): "
        f"{summary.get('geomean_torch_over_ours_activations_and_layers', float('nan')):.2f}",
        f"- timing: {summary.get('timing', 'medians of wall time')}; at least {summary.get('min_runs', '?')} runs a side, "
        f"short rows up to about {summary.get('budget_s', '?')} s a row",
        "- load average (1 minute) at the start and the end: "
        + " and ".join(f"{v:.1f}" for v in summary.get("load_average_at_start_and_end", []))
        + f" on {os.cpu_count()} cores (wall times, PyTorch's most, are only meaningful on a quiet machine)",
        f"- make generate from scratch: {summary['generate_from_scratch_s']:.1f} s; unchanged regeneration: "
        f"{summary['regenerate_unchanged_s']:.1f} s",
        "",
        "| op | ours ms | -O0 ms | PyTorch ms | PyTorch/ours | -O0/ours | peak MB ours | peak MB -O0 | saved for backward MB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in summary["rows"]:
        torch_ms = f"{r['torch_ms']:.2f}" if r["torch_ms"] else "n/a"
        ratio = f"{r['torch_over_ours']:.2f}" if r["torch_over_ours"] else "n/a"
        lines.append(f"| {r['op']} | {r['optimized_ms']:.2f} | {r['O0_ms']:.2f} | {torch_ms} | {ratio} | "
                     f"{r['speedup_vs_O0']:.2f} | {r['optimized_peak_MB']:.0f} | {r['O0_peak_MB']:.0f} | {r['saved_MB']:.0f} |")
    lines += ["", "## Layers (forward + backward)", "",
              "Convolution: batch 16, 32 -> 32 channels, 32x32, 3x3, padding 1; layer norm 4096x512; "
              "batch norm and pooling on 16x32x32x32; elementwise layers on 4096x512; fully connected 256, 1024 -> 1024. "
              "Highway and gated linear unit: 256 x 1024 -> 1024; squeeze-and-excitation 16x64x32x32, reduction 16; "
              "rbf 256 x 256 against 256 centres (PyTorch: the direct [B, out, in] difference); reconstruction "
              "256 x 160 -> 512 -> 1024 -> 784; memory read 256 x 1024, 512 slots of 256, -> 1024; "
              "lstm, gru and recurrent (Elman, tanh): batch 32, 64 steps, 256 -> 256, against nn.LSTM/GRU/RNN; "
              "reservoir: the same sizes, leaking rate 1, against nn.RNN(bias=False) with frozen weights; "
              "spiking: the same sizes (atan surrogate), against nn.Linear and snnTorch's Leaky as a loop under autograd. "
              "bidirectional: that LSTM both ways (concat) against nn.LSTM(bidirectional=True); conv_lstm: batch 4, "
              "8 frames, 16 -> 16 channels of 16 x 16, 3 x 3, against a loop of F.conv2d and the gate math. "
              "Multi-head attention: batch 8, 256 tokens, E = 512, 8 heads (self, no mask); embedding: a 32000 x 512 "
              "table, 8 x 512 ids. Graph convolution and attention (8 heads of 32, averaged): 8 graphs of 256 nodes, "
              "256 features, a dense adjacency with 10% of the edges; mixture of experts: 512 x 256 -> 512 -> 256, "
              "8 experts, top 2, dense evaluation, against the parity tests' PyTorch compositions. "
              "Temporal memory: 4096 binary patterns of 64 columns of 32 cells, against (x[..., None] * S).flatten(-2); "
              "rbm: 4096 x 784 -> 256, against sigmoid(F.linear); spatial pooler: 4096 x 784 bits, 256 columns, "
              "against a straight-through autograd.Function; synaptic plasticity (mode linear): 4096 x 512 units, "
              "against F.linear. "
              "Saved MB: what forward keeps for backward. Peak MB: the growth of the peak resident "
              "set in one step, each side in a fresh process.",
              "", "| layer | ours ms | PyTorch ms | PyTorch/ours | saved MB ours | saved MB PyTorch | peak MB ours | peak MB PyTorch |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in summary["layers"]:
        peaks = f"{r['peak_MB']:.0f} | {r['torch_peak_MB']:.0f}" if "peak_MB" in r else "| "
        lines.append(f"| {r['op']} | {r['optimized_ms']:.2f} | {r['torch_ms']:.2f} | {r['torch_over_ours']:.2f} | "
                     f"{r['saved_MB']:.2f} | {r['torch_saved_MB']:.2f} | {peaks} |")
    if summary.get("rules"):
        lines += ["", "## Learning rules (no gradient) against their peers", "",
                  "rbm: one CD-1 training epoch on scikit-learn's digits (1797 x 64 in [0, 1], batches of 10, "
                  "256 hidden units, learning rate 0.1, float64), nn.RBM.contrastive_divergence with "
                  "layerforge.optim.SGD, against BernoulliRBM.partial_fit per batch.",
                  "", "| rule | ours ms | peer | peer ms | peer/ours |", "| --- | --- | --- | --- | --- |"]
        for r in summary["rules"]:
            lines.append(f"| {r['op']} | {r['optimized_ms']:.2f} | {r['peer']} | {r['peer_ms']:.2f} | {r['peer_over_ours']:.2f} |")
    return "\n".join(lines) + "\n" + (_compiled_markdown(summary["compiled"]) if summary.get("compiled") else "")


def _compiled_geomeans(rows) -> dict:
    return {"geomean_torch_over_compiled": geomean([r["torch_over_compiled"] for r in rows]),
            "geomean_numpy_over_compiled": geomean([r["numpy_over_compiled"] for r in rows])}


def _compiled_markdown(rows) -> str:
    means = _compiled_geomeans(rows)
    lines = ["", "## Both CPU targets: compiled (numba kernels) and NumPy, against PyTorch", "",
             "Forward + backward of the ops with compiled twins and of the other layer rows that run compiled "
             "kernels (the runtime's hand-written convolution kernels, an inner op's row kernels), under "
             "`layerforge.set_backend(\"numba\")` "
             "and `set_backend(\"numpy\")`, and PyTorch eager: wall time at the bench's thread count (the same "
             "for layerforge, its BLAS and PyTorch), medians of runs in alternating batches in one process, "
             "timed as the tables above. The tables above time the default backend, which is the compiled one "
             "where numba is installed. PyTorch has no sparsemax or binary_spiking.", "",
             f"- geometric mean of PyTorch / compiled: {means['geomean_torch_over_compiled']:.2f}",
             f"- geometric mean of NumPy / compiled: {means['geomean_numpy_over_compiled']:.2f}", "",
             "| op | compiled ms | NumPy ms | PyTorch ms | PyTorch/compiled | NumPy/compiled |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        torch_ms = f"{r['torch_ms']:.2f}" if math.isfinite(r["torch_ms"]) else "-"
        ratio = f"{r['torch_over_compiled']:.2f}" if math.isfinite(r["torch_over_compiled"]) else "-"
        lines.append(f"| {r['op']} | {r['numba_ms']:.2f} | {r['numpy_ms']:.2f} | {torch_ms} | {ratio} | "
                     f"{r['numpy_over_compiled']:.2f} |")
    return "\n".join(lines) + "\n"


def _chart(rows, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r["op"] for r in rows]
    fig, ax = plt.subplots(figsize=(12, 0.28 * len(rows) + 1.5))
    y = np.arange(len(rows))
    ax.barh(y - 0.2, [r["torch_over_ours"] or 0 for r in rows], height=0.4, label="PyTorch eager / ours")
    ax.barh(y + 0.2, [r["speedup_vs_O0"] for r in rows], height=0.4, label="-O0 / ours")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks(y, names, fontsize=7)
    ax.set_xlabel("time ratio (higher is better for ours)")
    ax.legend(loc="lower right")
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
