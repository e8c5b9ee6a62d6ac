"""The compiled CPU target: the same IR functions as numba row kernels, rendered into each module.

A function whose first parameter holds the rows (shape ``[..., F]``) gets a compiled twin
(``_jit_forward...``) when the plan below gives it at least one kernel. Values are classed by
their shape against the rows': a row value ``[..., F]``, a row statistic ``[..., 1]``, a
per-feature parameter ``[F]`` and a number. (A function whose first parameter is a batch of
channels ``[B, C, L]`` is planned the same way with the classes of its layout, channel values
and channel statistics, into channel kernels: see "Channel kernels" below.) The body is split
into parts, in program order:

- a **row kernel**: a maximal run of statements that the loops can compute, i.e. elementwise
  statements with a per-element form (``ELEMENT``) over row values, statistics, parameters and
  numbers; sums and means of a row value along the last axis and ``dot_last`` (row
  statistics); ``sum_to`` of a row value to a parameter's shape (a column sum, a parameter
  gradient). It is one Python function, compiled by numba, with one loop over the rows it
  is given (a block of ``in_row_blocks``, or a thread's run of ``in_row_runs``); each row
  runs its statements in order as loops over the row's elements, a loop per group of
  reductions (the statements that feed a reduction fuse into its loop, and a reduction joins
  the first loop that has its operands). A row value read by a later loop is computed
  again there when that takes a few cheap statements from the kernel's inputs (layer norm's
  x_hat = (x - mu) * rstd), and kept otherwise in a row of scratch memory (or in its
  output). A sum or product over packed rows [..., k * F] (a recurrence's gates) that only
  chunks read is computed inside each chunk's read, at its offset (``_wide``); row values
  that only a join of blocks right after the kernel reads (the gates' gradient) are written
  as the blocks of the joined rows, seen as [R, k, F] (``_joined_after``; stored at offsets
  of a matrix row instead, LLVM does not vectorize the loop: ``blocks`` of the runtime). Row sums
  accumulate in the arrays' dtype, column sums in it too, SUM_ROWS rows
  at a time, each part added to float64 totals;
- **NumPy array code** for every other statement, from its NumPy template, as in the
  unoptimized NumPy function; a number (``x.shape[-1]``, ``1 - alpha``) is computed there
  too, before the kernel that reads it.

**The rule for transcendental functions.** numba compiles ``math.exp`` and its kin to scalar
libm calls (the llvmlite wheel has no vector math library), 3-6 ns an element. So the runtime
has its own, written so that LLVM vectorizes them with the loop around them (a range
reduction, a polynomial, exponent bits, all selects): ``fast_exp`` (at most 1 ulp from the
correctly rounded exp), ``fast_tanh`` (fast_exp's form above 1/2, a polynomial below: at most
4 ulp float32, 3 float64), ``fast_log`` (2 atanh of the mantissa's (m - 1) / (m + 1): at most
2 ulp), ``fast_log1p`` (the NumPy helper's corrected log of 1 + x: at most 3 ulp),
``fast_erf`` (the NumPy helper's float32 rational; libm's erf in float64). expm1 is
``tanh(a / 2) (exp(a) + 1)`` by two of them (the NumPy helper's form, nothing cancels near 0;
at most 3 ulp measured).

Whether a statement runs in a kernel or as NumPy code depends on what NumPy's own loops cost,
and that depends on the machine. Measured (one thread, 2M float32 elements, CPU time):

| ns an element | fast_exp | fast_tanh | fast_log | np.exp | np.tanh | np.log | a NumPy pass |
| --- | --- | --- | --- | --- | --- | --- | --- |
| AVX2 (AMD EPYC, session 18) | 0.7 | 1.6 | 0.9 | 1.8 | 2.6 | 2.1 | 0.18 |
| AVX-512 (Zen 4, sessions before) | 0.38 | 0.75 | | 0.47 | 0.38 | 0.47 | 0.25 |

NumPy's float32 exp, tanh and log have SIMD loops for AVX-512 only; elsewhere they are scalar.
``CALL_NS``, ``NUMPY_NS`` and ``PASS_NS`` below are the AVX2 figures (most machines people run
on have no AVX-512: laptops, Zen 2 and 3), and on both tables they give the same choices but
one: an elementwise statement over row values goes into the kernel when its cost there is
below its NumPy code's plus the three passes that cutting the kernel costs (every fast_
function on both tables, fast_log on the AVX2 one, where it was measured; ``math.`` calls,
scalar libm, never: over row statistics, once per row, they stay in the kernel). A run of kernel statements that saves less than
``MIN_PASSES_SAVED`` NumPy passes (a lone elementwise statement) stays NumPy unless it is all
of a function that runs whole (a direction too short to be cut into blocks, whose NumPy code
then runs on one thread, where the kernel runs on all: relu's and hard_tanh's forward, one
np.clip) or the statement alone costs less in the kernel than its NumPy code
(``_cheaper_alone``): sigmoid
(one fast_exp against the helper's np.exp and three passes), softplus (fast_exp and
fast_log1p against np.exp, np.log and nine passes), and tanh. tanh is the one choice the
tables differ on: on AVX2 fast_tanh is 1.6 times as fast as np.tanh; on AVX-512 half as fast
on one thread, but a lone np.tanh runs on one thread (a one-statement function is not cut
into blocks), the kernel on all of layerforge's threads (``in_row_runs``), level at two. The
tanh activation's forward + backward, 4096 x 1024 float32 on two threads here: 18.6 ms with
np.tanh, 8.0 with the kernel, PyTorch 13.2 (``make bench``).

The spec's numbers in a kernel are typed as the arrays (``_float(0.5)``,
``_float(alpha)``), as NumPy takes a Python number with a float32 array: a float64 literal
would make the arithmetic around it float64, half as wide a vector, and erf libm's.

Kernels are decorated with ``row_kernel`` of ``layerforge._jit_runtime``, which compiles them
with numba on first call (``nogil``, ``cache=True``); the twins are chosen in the public
forward when ``use_jit`` says so (a NumPy array with elements, numba installed, backend not
set to NumPy) and run where the NumPy functions run, through ``in_row_blocks`` with the same
``out_<name>`` slices, so blocks, threads and parameter sums work as for NumPy. A twin made of
kernels alone (and numbers) is marked ``whole_rows`` instead: ``in_row_blocks`` calls it once
on the whole arrays and each kernel call is ``in_row_runs``, one contiguous run of rows per
thread, a GIL-free call each (a block's twin call costs Python and numba dispatch under the
GIL, and the first block runs alone: layer norm forward 1.33 ms in blocks, 1.05 whole, one
thread). At -O0 no module has twins.

A primitive may instead name a hand-written kernel of the runtime in a ``jit`` template (a call
written like its ``numpy`` one; grid sampling's gather and scatter fit no row kernel): a
function with such a statement gets a twin whatever its rows, which calls it in place of the
NumPy template (``render_compiled``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .ir import Const, Function, Operand, Stmt
from .primitives import Primitives
from .shapes import SCALAR, Shape
from .spec import OpSpec

RUNTIME = "layerforge._jit_runtime"

# Per-element Python forms of the primitives the loops compute (operands are Python floats
# or bools; ``math`` and the runtime's ``fast_exp`` are imported). Any other primitive runs as
# NumPy array code.
ELEMENT = {
    "add": "{a} + {b}",
    "sub": "{a} - {b}",
    "mul": "{a} * {b}",
    "div": "{a} / {b}",
    "neg": "-{a}",
    "exp": "fast_exp({a})",
    # exp(a) - 1 without cancellation near 0, as the NumPy helper's tanh form: vectorized
    "expm1": "fast_tanh(_float(0.5) * {a}) * (fast_exp({a}) + _float(1.0))",
    "log": "fast_log({a})",
    "log1p": "fast_log1p({a})",
    "sqrt": "math.sqrt({a})",
    "tanh": "fast_tanh({a})",
    "erf": "fast_erf({a})",
    "sigmoid": "_float(1.0) / (_float(1.0) + fast_exp(-{a}))",  # exp(-a) = inf: 0, as the exact value rounds
    # max(a, 0) + log1p(exp(-|a|)), as the NumPy helper (NaN: the comparison is false, the sum NaN)
    "softplus": "({a} if {a} > _float(0.0) else _float(0.0)) + fast_log1p(fast_exp(-abs({a})))",
    "abs": "abs({a})",
    "sign": "_float(1.0) if {a} > 0 else _float(-1.0) if {a} < 0 else {a} - {a}",  # 0 for -0, NaN kept
    "maximum": "{a} if {a} > {b} or {a} != {a} else {b}",
    "minimum": "{a} if {a} < {b} or {a} != {a} else {b}",
    # np.clip's min(max(a, low), high): high where low > high too (ONNX's Clip), NaN kept
    "clip": "({high} if {low} > {high} else {low}) if {a} < {low} else {high} if {a} > {high} else {a}",
    "where": "{a} if {condition} else {b}",
    "gt": "{a} > {b}",
    "ge": "{a} >= {b}",
    "lt": "{a} < {b}",
    "le": "{a} <= {b}",
    "eq": "{a} == {b}",
    "logical_and": "{a} and {b}",
    "logical_or": "{a} or {b}",
    "logical_not": "not {a}",
    "stop_gradient": "{a}",
    "heaviside": "_float(1.0) if {a} >= 0 else _float(0.0)",
}
# Measured costs per element in ns (see the module docstring, float32, one thread): of a call
# in a numba loop (a libm call, the runtime's vectorized fast_ functions), of the same function
# as NumPy array code (a transcendental ufunc; erf: the NumPy helper's 25 passes), and of one
# NumPy arithmetic pass over memory.
# Measured on the AVX2 machine of session 18 (AMD EPYC, no AVX-512), the least of two runs of
# 15; the Zen 4 machine (AVX-512) of the sessions before measured fast_exp 0.38, fast_tanh 0.75,
# fast_erf 0.5 against np.exp 0.47, np.tanh 0.38, np.log 0.47 and a pass 0.25 (NumPy's
# float32 exp, tanh and log have SIMD loops there; on AVX2 they are scalar): see the docstring.
PASS_NS = 0.18
CALL_NS = {"math.": 3.1, "fast_exp(": 0.7, "fast_erf(": 0.7, "fast_tanh(": 1.6, "fast_log(": 0.9, "fast_log1p(": 1.0}
NUMPY_NS = {"math.": 2.1, "fast_exp(": 1.8, "fast_erf(": 25 * PASS_NS, "fast_tanh(": 2.6, "fast_log(": 2.1,
            "fast_log1p(": 2.1}  # log1p: the helper's np.log (and HELPER_PASSES)
MIN_PASSES_SAVED = 2
# Arithmetic passes a primitive's NumPy helper makes besides its transcendental ufunc
# (_sigmoid: negative, + 1 and the division around np.exp; _expm1: x / 2, exp(x) + 1 and the
# product around np.tanh; _log1p: 1 + x, two subtractions, the division and the sum around
# np.log; _softplus: those, |x|, its negation, the clip and its sum).
HELPER_PASSES = {"sigmoid": 3, "expm1": 3, "log1p": 4, "softplus": 9}
SUM_ROWS = 64  # rows of a column sum's part in the arrays' dtype (see _fill)
REDUCTIONS = ("sum", "mean", "amax", "dot_last")  # amax: fast_max over an input's row

ROW, STAT, PARAM, NUMBER = "row", "stat", "param", "number"
# The classes of the channel layout (first parameter [B, C, L]; see "Channel kernels" below).
CHANNEL, CHANNEL_STAT = "channel", "channel_stat"
# Names the loops use for themselves; spec names never start with an underscore and a letter
# other than t (temporaries are _t1, _t2, ...).
ROWS, WIDTH, ROW_INDEX, J, ZERO, FLOAT = "_rows", "_n", "_row", "_j", "_zero", "_float"


def _calls(prim: str) -> dict[str, int]:
    """The transcendental calls in the per-element form of ``prim``, by kind."""
    form = ELEMENT.get(prim, "").replace("math.sqrt(", "")
    return {kind: form.count(kind) for kind in CALL_NS}


def transcendental(prim: str) -> bool:
    """Does the per-element form of ``prim`` call a libm function or the vectorized exp?"""
    return any(_calls(prim).values())


def rule_keeps_in_kernel(prim: str) -> bool:
    """The measured rule for one elementwise statement over row values: in the kernel when
    its per-element cost there is below its NumPy code's plus the passes that cutting costs
    (its operand written and read again, the kernel's inputs read again)."""
    in_kernel, as_numpy = _costs(prim)
    return in_kernel <= as_numpy + 3 * PASS_NS


def _costs(prim: str) -> tuple[float, float]:
    """ns an element of one statement of ``prim``: in a kernel, and as its NumPy code (its
    transcendental ufunc, and the arithmetic passes its helper makes around it)."""
    calls = _calls(prim)
    in_kernel = sum(n * CALL_NS[kind] for kind, n in calls.items())
    as_numpy = sum(n * NUMPY_NS[kind] for kind, n in calls.items()) + HELPER_PASSES.get(prim, 0) * PASS_NS
    return in_kernel, as_numpy


@dataclass
class Shapes:
    """Classes of a function's values against the rows' shape ``[..., F]``."""

    fn: Function
    rows: Shape
    wide: dict[str, Stmt] = field(default_factory=dict)  # see _wide

    @property
    def channels(self) -> bool:
        """The channel layout: the first parameter is [B, C, L] (a batch of channels)."""
        return not self.rows.ellipsis and len(self.rows.dims) == 3

    def of(self, operand: Operand) -> str | None:
        if isinstance(operand, Const):
            return NUMBER if isinstance(operand.value, (int, float, bool)) else None
        value = self.fn.values.get(operand)
        if value is None or value.shape is None:
            return None
        shape = value.shape
        if shape == SCALAR:
            return NUMBER
        if value.dtype not in ("float", "bool"):
            return None
        if self.channels:
            return _channel_class(shape, self.rows)
        if shape.ellipsis and shape.dims == self.rows.dims:
            return ROW
        if shape.ellipsis and shape.dims == (1,):
            return STAT
        if not shape.ellipsis and shape.dims == self.rows.dims:
            return PARAM
        return None


def _axis_last(stmt: Stmt) -> bool:
    axis = dict(stmt.statics).get("axis", Const(-1))
    return isinstance(axis, Const) and axis.value in (-1, (-1,))


def in_kernel(stmt: Stmt, shapes: Shapes) -> bool:
    """Can a row kernel compute ``stmt`` (and should it, by the rule)?"""
    if shapes.channels:
        return in_channel_kernel(stmt, shapes)
    target = shapes.of(stmt.target)
    kinds = [shapes.of(a) for a in stmt.args]
    if stmt.prim == "amax":  # the runtime's fast_max over an array's row (see plan)
        return target == STAT and kinds == [ROW] and _axis_last(stmt) and _float(stmt.args[0], shapes)
    if stmt.prim in ("sum", "mean"):
        return target == STAT and kinds == [ROW] and _axis_last(stmt) and _float(stmt.args[0], shapes)
    if stmt.prim == "dot_last":
        return target == STAT and kinds[0] == ROW and kinds[1] in (ROW, PARAM)
    if stmt.prim == "sum_to":
        return target == PARAM and kinds[0] == ROW and _float(stmt.args[0], shapes)
    if stmt.prim == "chunk":  # a block of a row's last axis (a gate of a recurrence's gates)
        return target == ROW and _last_axis_block(stmt, shapes)
    if stmt.prim not in ELEMENT or dict(stmt.statics) and stmt.prim != "clip":
        return False
    if stmt.prim == "clip" and not all(isinstance(v, Const) or shapes.of(v) == NUMBER for _, v in stmt.statics):
        return False
    if target == ROW:
        return all(k in (ROW, STAT, PARAM, NUMBER) for k in kinds) and (
            not transcendental(stmt.prim) or rule_keeps_in_kernel(stmt.prim))
    if target == STAT:
        return all(k in (STAT, NUMBER) for k in kinds)
    return False


def _last_axis_block(stmt: Stmt, shapes: Shapes) -> bool:
    """Is ``stmt`` (a chunk) a block of the last axis of rows [..., pieces * F], which a
    kernel reads at an offset in each row?"""
    statics = dict(stmt.statics)
    return (_packed_rows(stmt.args[0], shapes.fn) is not None and _axis_last(stmt)
            and all(isinstance(statics.get(k), Const) for k in ("pieces", "index")))


def _packed_rows(operand: Operand, fn: Function) -> Shape | None:
    """The shape of ``operand`` if it is float rows [..., K] (packed gates, or the rows), else None."""
    value = fn.values.get(operand) if isinstance(operand, str) else None
    shape = value.shape if value is not None else None
    return shape if shape is not None and value.dtype == "float" and shape.ellipsis and shape.rank == 1 else None


def _blocked_sources(kernel: Kernel, shapes: Shapes) -> set[str]:
    """The arrays of packed rows a kernel reads blocks of (chunks, and the wide values'
    operands), passed as rows [R, k * F]."""
    sources = {s.args[0] for s in kernel.statements if s.prim == "chunk"}
    sources |= {a for s in kernel.statements if s.target in shapes.wide for a in s.args}
    return {a for a in sources if a not in shapes.wide and _packed_rows(a, shapes.fn) is not None}


def _float(operand: Operand, shapes: Shapes) -> bool:
    return isinstance(operand, str) and shapes.fn.values[operand].dtype == "float"


@dataclass
class Kernel:
    """One row kernel: its name, what it reads and writes, and its lines (the function)."""

    name: str
    statements: list[Stmt]
    inputs: list[str] = field(default_factory=list)  # arrays and numbers read, in order of first use
    outputs: list[str] = field(default_factory=list)  # row values, statistics and column sums written
    packed: set[str] = field(default_factory=set)  # arrays of packed rows it reads (_blocked_sources)
    lines: list[str] = field(default_factory=list)
    # the packed rows [R, k * F] it writes whole (``_joined_after``): each name's blocks, in order
    joins: dict[str, list[str]] = field(default_factory=dict)


def plan(fn: Function, prims: Primitives, saved: tuple[str, ...], unblocked: bool = False) -> list[Kernel | Stmt] | None:
    """The parts of ``fn``'s twin (kernels and statements left to NumPy), or None when the
    function has no kernel (its twin would be the NumPy function). ``unblocked``: the NumPy
    function runs whole, on the calling thread (its direction is not cut into blocks: too
    short to gain, ``codegen.blocking``), so that a row kernel of all its statements, run on
    all of layerforge's threads (``in_row_runs``), gains even where it saves no pass (relu's
    forward, one np.clip: 0.95 ms on one thread, the kernel 0.57 on two, 4096 x 1024
    float32)."""
    if fn.loop is not None or not fn.params:
        return None
    if any(prims[s.prim].kind == "random" for s in fn.body):
        return None  # a function that draws: both backends draw the same numbers, NumPy's
    hand_written = any(prims[s.prim].jit for s in fn.body)  # a call of a _jit_runtime function
    first = fn.values.get(fn.params[0])
    if first is None or first.shape is None or first.shape.ellipsis != (len(first.shape.dims) == 1) \
            or len(first.shape.dims) not in (1, 3):  # rows [..., F], or channels [B, C, L]
        return list(fn.body) if hand_written else None  # neither: no kernel
    shapes = Shapes(fn, first.shape)
    results = {o for o in fn.outputs if isinstance(o, str)} | set(saved)
    shapes.wide = _wide(fn, shapes, results)
    parts = _runs(fn, shapes)
    if any(isinstance(p, Stmt) and p.target in shapes.wide for p in parts) or any(
            shapes.wide.get(r) is not None and shapes.wide[r] not in part
            for part in parts if isinstance(part, list) for s in part for r in s.reads()):
        shapes.wide = {}  # a wide value and a chunk reading it in different runs: NumPy's
        parts = _runs(fn, shapes)
    out: list[Kernel | Stmt] = []
    joined: set[int] = set()  # the joins that kernels write (_joined_after)
    for position, part in enumerate(parts):
        if isinstance(part, Stmt):
            if id(part) not in joined:
                out.append(part)
            continue
        if not (_worth_a_kernel(part, shapes) or unblocked and not shapes.channels and _only_run(part, parts, shapes)):
            out.extend(part)
            continue
        join = None if shapes.channels else _joined_after(part, parts[position + 1:], results, shapes)
        if join is not None:
            joined.add(id(join))
        later = _reads([p for p in parts[position + 1:] if not (isinstance(p, Stmt) and id(p) in joined)])
        out.append(Kernel("", part, joins={join.target: list(join.args)} if join else {}))  # type: ignore[arg-type]
        fill = _fill_channels if shapes.channels else _fill
        fill(out[-1], shapes, later | results, prims)  # type: ignore[arg-type]
    if not hand_written and not any(isinstance(p, Kernel) for p in out):
        return None
    return out


def _only_run(run: list[Stmt], parts: list[list[Stmt] | Stmt], shapes: Shapes) -> bool:
    """Is ``run`` the function's one run, beside numbers (its twin would be a kernel alone)?"""
    return all(p is run or isinstance(p, Stmt) and shapes.of(p.target) == NUMBER for p in parts)


def _joined_after(run: list[Stmt], after: list[list[Stmt] | Stmt], results: set[str], shapes: Shapes) -> Stmt | None:
    """The join of blocks along the last axis (``join_blocks_k``: the packed gates' gradient of a
    recurrence's step) that directly follows ``run`` and joins row values of it that nothing
    else reads: the kernel writes each block at its offset in the packed rows, instead of
    writing k arrays that ``np.concatenate`` then copies (the LSTM step's backward: four)."""
    join = after[0] if after else None
    if not isinstance(join, Stmt) or not join.prim.startswith("join_blocks_") or not _axis_last(join):
        return None
    made = {s.target for s in run}
    if not all(isinstance(a, str) and a in made and shapes.of(a) == ROW for a in join.args) \
            or len(set(join.args)) != len(join.args) or set(join.args) & results:
        return None
    return None if set(join.args) & _reads(after[1:]) else join


def _reads(parts: list[list[Stmt] | Stmt]) -> set[str]:
    """The names that the statements of ``parts`` (runs and single statements) read."""
    return {r for p in parts for s in (p if isinstance(p, list) else [p]) for r in s.reads()}


def _runs(fn: Function, shapes: Shapes) -> list[list[Stmt] | Stmt]:
    """``fn``'s body as runs of kernel statements (lists) and statements left to NumPy."""
    parts: list[list[Stmt] | Stmt] = []
    run: list[Stmt] = []

    def flush() -> None:
        if run:
            parts.append(list(run))
            run.clear()

    for stmt in fn.body:
        if stmt.target in shapes.wide or in_kernel(stmt, shapes):
            if stmt.prim == "amax" and stmt.args[0] in {s.target for s in run}:
                flush()  # fast_max reads an array's row: the kernel before writes it
            run.append(stmt)
            continue
        defined = {s.target for s in run}
        if shapes.of(stmt.target) == NUMBER and not set(stmt.reads()) & defined:
            parts.append(stmt)  # a number: computed before the open run, which goes on after it
            continue
        flush()
        parts.append(stmt)
    flush()
    return parts


def _wide(fn: Function, shapes: Shapes, results: set[str]) -> dict[str, Stmt]:
    """The **wide values** of ``fn``: a sum, difference or product over rows of packed gates
    [..., k * F] (and a parameter [k * F], numbers) that only chunks read (or other wide
    values), and no result keeps. A kernel computes them inside the chunks' reads, at the
    gate's offset, instead of NumPy's passes over the packed rows before it (the LSTM step:
    gates = hoisted + h @ weight_hh.T + bias_hh, read as four blocks)."""
    if shapes.channels:
        return {}

    def packed(name: Operand) -> Shape | None:
        shape = _packed_rows(name, fn)
        return shape if shape is not None and shape.dims != shapes.rows.dims else None

    readers: dict[str, list[Stmt]] = {}
    for stmt in fn.body:
        for r in stmt.reads():
            readers.setdefault(r, []).append(stmt)
    wide: dict[str, Stmt] = {}
    for stmt in fn.body:
        shape = packed(stmt.target)
        if stmt.prim not in ("add", "sub", "mul") or stmt.statics or shape is None or stmt.target in results:
            continue
        operands_fit = all(
            isinstance(a, Const) or shapes.of(a) == NUMBER or a in wide or packed(a) == shape
            or (fn.values[a].shape is not None and not fn.values[a].shape.ellipsis  # type: ignore[union-attr]
                and fn.values[a].shape.dims == shape.dims and fn.values[a].dtype == "float")  # type: ignore[union-attr]
            for a in stmt.args)
        if operands_fit:
            wide[stmt.target] = stmt
    changed = True
    while changed:  # keep those read by kernel chunks and kept wide values alone
        changed = False
        for name in list(wide):
            if not all(r.target in wide or (r.prim == "chunk" and _last_axis_block(r, shapes))
                       for r in readers.get(name, [])) or not readers.get(name):
                del wide[name]
                changed = True
    return wide


def _worth_a_kernel(run: list[Stmt], shapes: Shapes) -> bool:
    """A run with a reduction, or with passes enough over row values to save some, or a
    transcendental statement cheaper in the kernel than its NumPy code alone (sigmoid: one
    vectorized fast_exp against the helper's exp and three arithmetic passes)."""
    if any(s.prim in REDUCTIONS or s.prim == "sum_to" for s in run):
        return True
    rows = [s for s in run if shapes.of(s.target) in (ROW, CHANNEL) and s.prim != "stop_gradient"]
    return len(rows) >= MIN_PASSES_SAVED or any(_cheaper_alone(s.prim) for s in rows)


def _cheaper_alone(prim: str) -> bool:
    """Does one statement of ``prim`` cost less as a kernel than as its NumPy code?"""
    if not transcendental(prim):
        return False
    in_kernel, as_numpy = _costs(prim)
    return in_kernel < as_numpy


def _typed(value) -> str:
    """A number of the spec in a kernel: in the arrays' dtype (``_float``), as NumPy takes a
    Python number with a float32 array (``0.5 * x`` is float32). numba would make it a
    float64 and the arithmetic around it float64, half as wide a vector (gelu's backward
    on 4096 x 1024 float32: 8.5 ms, 3.8 in float32) and libm's scalar erf for fast_erf's
    vectorized float32 one."""
    text = _literal(value)
    return text if isinstance(value, bool) or not isinstance(value, (int, float)) else f"{FLOAT}({text})"


def _number(operand: str, shapes: "Shapes") -> str:
    """A number the twin computes or takes (``alpha``, ``x.shape[-1]``), typed as a literal."""
    return f"{FLOAT}({operand})" if shapes.fn.values[operand].dtype in ("float", "int") else operand


def _literal(value) -> str:
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "math.nan"
        if math.isinf(value):
            return "math.inf" if value > 0 else "-math.inf"
        return repr(value)
    if isinstance(value, int):
        return f"{value}.0"  # float arithmetic, as NumPy's with a float array
    return repr(value)


def _fill(kernel: Kernel, shapes: Shapes, live_after: set[str], prims: Primitives) -> None:
    """The kernel's parameters and lines: loops over the rows of each block, and in each row
    the statements as loops over its elements (a new loop where a value needs a reduction
    of the loop before it finished)."""
    run = kernel.statements
    defined = {s.target for s in run}
    kernel.inputs = list(dict.fromkeys(r for s in run for r in s.reads() if r not in defined
                                       and not (s.prim == "sum_to" and r == s.args[1])))
    kernel.outputs = [s.target for s in run if s.target in live_after or shapes.of(s.target) == PARAM]
    blocks = {part: (joined, index) for joined, parts in kernel.joins.items() for index, part in enumerate(parts)}
    kernel.outputs += list(kernel.joins)
    # a statistic's stop_gradient (softmax's shift) is its operand under another name: read as it
    alias = {s.target: s.args[0] for s in run if s.prim == "stop_gradient" and shapes.of(s.target) == STAT
             and isinstance(s.args[0], str) and s.target not in kernel.outputs}
    run = [s for s in run if s.target not in alias]

    # Segments of a row: ("stat", stmt) or ("loop", [stmts]).
    segments: list[tuple[str, object]] = []
    loop: list[Stmt] | None = None
    reduced: set[str] = set()
    defined_at: dict[str, int] = {}  # the segment defining each of the run's values
    for stmt in run:
        kind = shapes.of(stmt.target)
        reads = set(stmt.reads())
        if stmt.target in shapes.wide:  # computed inside the chunks that read it
            continue
        if stmt.prim == "amax":  # a call over an input's row: first in the row
            segments.insert(0, ("stat", stmt))
            defined_at = {n: i + 1 for n, i in defined_at.items()}
            defined_at[stmt.target] = 0
            continue
        if stmt.prim in REDUCTIONS or kind == PARAM:
            # into the first loop that has its operands: a row value of that loop or of one
            # before it, a statistic of a segment before it (dot(grad_y, weight) joins the
            # first loop over grad_y instead of making a loop of its own)
            need = max([defined_at[r] + (shapes.of(r) != ROW) for r in reads if r in defined_at], default=0)
            early = next((i for i, (k, _) in enumerate(segments) if k == "loop" and i >= need), None)
            if early is not None and segments[early][1] is not loop:
                segments[early][1].append(stmt)  # type: ignore[union-attr]
                defined_at[stmt.target] = early
                continue
            if loop is None or reads & reduced:
                loop = []
                segments.append(("loop", loop))
                reduced = set()
            loop.append(stmt)
            defined_at[stmt.target] = len(segments) - 1
            if kind == STAT:
                reduced.add(stmt.target)
        elif kind == ROW:
            if loop is None or reads & reduced:
                loop = []
                segments.append(("loop", loop))
                reduced = set()
            loop.append(stmt)
            defined_at[stmt.target] = len(segments) - 1
        else:  # a statistic from statistics and numbers
            if loop is not None and not reads & reduced:
                segments.insert(len(segments) - 1, ("stat", stmt))  # ahead of the open loop
                defined_at = {n: i + (i >= len(segments) - 2) for n, i in defined_at.items()}
                defined_at[stmt.target] = len(segments) - 2
            else:
                loop = None
                reduced = set()
                segments.append(("stat", stmt))
                defined_at[stmt.target] = len(segments) - 1

    kept = live_after | set(blocks)  # written to the kernel's outputs
    _sink(segments, shapes, kept)
    # Where each row value lives after its loop: its output, or a row of scratch memory, or
    # nowhere when a later loop computes it again (``_recomputed``).
    again = _recomputed(segments, shapes, kept)
    recomputed = {s.target for chain in again.values() for s in chain}
    stored: dict[str, str] = {}  # the element of a row value's place read and written in a loop
    for i, (k, body) in enumerate(segments):
        if k != "loop":
            continue
        for s in body:  # type: ignore[union-attr]
            if shapes.of(s.target) != ROW:
                continue
            later = any(s.target in t.reads() for j, (kk, b) in enumerate(segments) if j > i and kk == "loop"
                        for t in b)  # type: ignore[union-attr]
            if s.target in blocks:  # its block of the packed rows it is joined into
                joined, index = blocks[s.target]
                stored[s.target] = f"{joined}_out[{ROW_INDEX}, {index}, {J}]"
            elif s.target in live_after:
                stored[s.target] = f"{s.target}_out[{ROW_INDEX}, {J}]"
            elif later and s.target not in recomputed:
                stored[s.target] = f"{s.target}_row[{J}]"

    rows_array = next(n for n in kernel.inputs + kernel.outputs if shapes.of(n) == ROW)
    rows_name = rows_array if rows_array in kernel.inputs else f"{rows_array}_out"
    params = [*kernel.inputs, *(f"{n}_out" for n in kernel.outputs)]
    lines = [f"def {{name}}({', '.join(params)}):"]
    lines.append(f"    {ROWS}, {WIDTH} = {rows_name}.shape")
    # Row sums accumulate, and scratch rows hold values, in the arrays' dtype (as NumPy's
    # BLAS sums do): float32 vectorizes twice as wide as float64 (softmax's exp-and-sum loop
    # on 4096 x 1024 float32: 1.5 ms, against 2.2 with a float64 sum).
    floats = next((n for n in kernel.inputs + kernel.outputs if shapes.of(n) == ROW and _float(n, shapes)), None)
    dtype = f"{floats if floats in kernel.inputs else f'{floats}_out'}.dtype" if floats else None
    sums = [s for s in run if shapes.of(s.target) == PARAM]
    if dtype and (sums or any(shapes.of(s.target) == STAT and s.prim in REDUCTIONS and s.prim != "amax" for s in run)):
        lines.append(f"    {ZERO} = {dtype}.type(0.0)")
    # A column sum (a parameter's gradient) adds up SUM_ROWS rows at a time in the arrays'
    # dtype, each such part added to float64 totals: the loop keeps float32's vector width
    # (layer norm's backward on 4096 x 512 float32: 0.74 ms, 1.1 with float64 sums per
    # element), and a part of SUM_ROWS terms loses no more than their float32 sum does.
    for s in sums:
        lines.append(f"    {s.target}_sums = np.zeros({WIDTH})")
        lines.append(f"    {s.target}_part = np.zeros({WIDTH}, {dtype})")
    for name, place in stored.items():
        if place == f"{name}_row[{J}]":
            lines.append(f"    {name}_row = np.empty({WIDTH}{f', {dtype}' if dtype else ''})")
    lines.append(f"    for {ROW_INDEX} in range({ROWS}):")
    body: list[str] = []
    local: set[str] = set()  # statistics and the current loop's row values

    def read(operand: Operand, in_loop: bool) -> str:
        if isinstance(operand, Const):
            return _typed(operand.value)
        operand = alias.get(operand, operand)
        kind = shapes.of(operand)
        if kind == NUMBER:
            return _number(operand, shapes)
        if operand in local:
            return operand
        if kind == STAT:
            return f"{operand}[{ROW_INDEX}, 0]"
        if kind == PARAM:
            return f"{operand}[{J}]"
        if operand in stored:
            return stored[operand]
        return f"{operand}[{ROW_INDEX}, {J}]"

    def packed(operand: Operand, at: str) -> str:
        """Element ``at`` of a row of packed gates: of an array, a parameter, or a wide value."""
        if isinstance(operand, Const):
            return _typed(operand.value)
        if shapes.of(operand) == NUMBER:
            return _number(operand, shapes)
        wide = shapes.wide.get(operand)
        if wide is None:
            shape = shapes.fn.values[operand].shape
            return f"{operand}[{ROW_INDEX}, {at}]" if shape.ellipsis else f"{operand}[{at}]"  # type: ignore[union-attr]
        names = {arg: packed(a, at) for arg, a in zip(prims[wide.prim].args, wide.args)}
        return f"({ELEMENT[wide.prim].format(**names)})"

    def expression(stmt: Stmt) -> str:
        if stmt.prim == "chunk":  # block ``index`` of the row: the elements from index * F on
            index = dict(stmt.statics)["index"].value  # type: ignore[union-attr]
            return packed(stmt.args[0], f"{f'{index} * {WIDTH} + ' if index else ''}{J}")
        names = {arg: read(a, True) for arg, a in zip(prims[stmt.prim].args, stmt.args)}
        names.update((k, read(v, True)) for k, v in stmt.statics)
        if stmt.prim == "stop_gradient":
            return names["a"]
        return ELEMENT[stmt.prim].format(**names)

    for k, item in segments:
        if k == "stat":
            stmt = item  # type: ignore[assignment]
            value = f"fast_max({stmt.args[0]}[{ROW_INDEX}])" if stmt.prim == "amax" else expression(stmt)
            body.append(f"{stmt.target} = {value}{_where(stmt)}")
            local.add(stmt.target)
            if stmt.target in kernel.outputs:
                body.append(f"{stmt.target}_out[{ROW_INDEX}, 0] = {stmt.target}")
            continue
        statements: list[Stmt] = item  # type: ignore[assignment]
        reductions = [s for s in statements if shapes.of(s.target) == STAT]
        for s in reductions:
            start = ZERO if dtype else "0.0"
            body.append(f"{s.target} = {start}{_where(s)}")
        body.append(f"for {J} in range({WIDTH}):")
        inner: list[str] = []
        needed = {r for s in statements for r in s.reads()}
        for s in again.get(id(statements), ()):  # earlier loops' values, computed again
            if s.target in needed:
                needed |= set(s.reads())
        for s in again.get(id(statements), ()):
            if s.target in needed:
                inner.append(f"{s.target} = {expression(s)}{_where(s)}")
                local.add(s.target)
        for s in statements:
            kind = shapes.of(s.target)
            if kind == STAT:
                a = read(s.args[0], True)
                if s.prim == "dot_last":
                    inner.append(f"{s.target} += {a} * {read(s.args[1], True)}")
                else:
                    inner.append(f"{s.target} += {a}")
                continue
            if kind == PARAM:
                inner.append(f"{s.target}_part[{J}] += {read(s.args[0], True)}")
                continue
            inner.append(f"{s.target} = {expression(s)}{_where(s)}")
            local.add(s.target)
            if s.target in stored:
                inner.append(f"{stored[s.target]} = {s.target}")
        body += [f"    {line}" for line in inner]
        for s in [*statements, *again.get(id(statements), ())]:  # a loop's row values are
            if shapes.of(s.target) == ROW:  # not readable by name after it
                local.discard(s.target)
        for s in reductions:
            if s.prim == "mean":  # by the width as a float of the rows' dtype (an int made it float64)
                body.append(f"{s.target} /= {FLOAT}({WIDTH})")
            local.add(s.target)
            if s.target in kernel.outputs:
                body.append(f"{s.target}_out[{ROW_INDEX}, 0] = {s.target}")
    if sums:
        body.append(f"if {ROW_INDEX} % {SUM_ROWS} == {SUM_ROWS - 1} or {ROW_INDEX} == {ROWS} - 1:")
        body.append(f"    for {J} in range({WIDTH}):")
        for s in sums:
            body.append(f"        {s.target}_sums[{J}] += {s.target}_part[{J}]")
            body.append(f"        {s.target}_part[{J}] = {ZERO}")
    if any(f"{FLOAT}(" in line for line in body):
        lines.insert(2, f"    {FLOAT} = {dtype}.type" if dtype else f"    {FLOAT} = float")
    lines += [f"        {line}" for line in body]
    for s in sums:  # summed in float64, stored in the arrays' dtype
        lines.append(f"    {s.target}_out[:] = {s.target}_sums")
    kernel.lines = lines
    kernel.packed = _blocked_sources(kernel, shapes)


def _sink(segments: list[tuple[str, object]], shapes: Shapes, live_after: set[str]) -> None:
    """Moves a row value that its loop does not use (no reduction or output of that loop
    reads it) into the first later loop that does, when it reads no row value of its own
    loop: computed once, where it is needed, with no scratch row between (log_softmax's
    backward: exp(y) in the loop that writes grad_x, the first loop summing grad_y alone)."""
    loops = [body for kind, body in segments if kind == "loop"]
    for i, body in enumerate(loops):
        statements: list[Stmt] = body  # type: ignore[assignment]
        for s in reversed(list(statements)):
            own = {t.target for t in statements if shapes.of(t.target) == ROW}
            used_here = any(s.target in t.reads() for t in statements)
            if shapes.of(s.target) != ROW or s.target in live_after or used_here or set(s.reads()) & own:
                continue
            later = next((b for b in loops[i + 1:] if any(s.target in t.reads() for t in b)), None)  # type: ignore[union-attr]
            if later is not None:
                statements.remove(s)
                later.insert(0, s)  # type: ignore[union-attr]


# Elementwise primitives cheaper to compute again in a later loop than to keep in a row of
# scratch memory (a store, and a load in the later loop): one or two vector instructions.
CHEAP = frozenset({"add", "sub", "mul", "neg", "abs", "maximum", "minimum", "where", "gt", "ge", "lt", "le", "eq"})
RECOMPUTE_MAX = 3  # statements of one value's chain, at most


def _recomputed(segments: list[tuple[str, object]], shapes: Shapes, live_after: set[str]) -> dict[int, list[Stmt]]:
    """For each later loop (by ``id`` of its statement list), the statements of earlier loops
    that it computes again instead of reading them from scratch rows, in program order: a row
    value that no output keeps, whose chain back to the kernel's inputs and statistics is at
    most RECOMPUTE_MAX CHEAP statements (layer norm's backward: x_hat = (x - mu) * rstd in
    both loops, 0.78 ms against 1.1 with it stored on 4096 x 512 float32)."""
    definition: dict[str, Stmt] = {}
    result: dict[int, list[Stmt]] = {}
    for kind, body in segments:
        if kind != "loop":
            continue
        statements: list[Stmt] = body  # type: ignore[assignment]
        chosen: dict[str, list[Stmt]] = {}
        for s in statements:
            for r in s.reads():
                chain = _chain(r, definition)
                if r not in chosen and chain is not None and r not in live_after:
                    chosen[r] = chain
        if chosen:
            wanted = {c.target for chain in chosen.values() for c in chain}
            result[id(statements)] = [d for d in definition.values() if d.target in wanted]
        for s in statements:
            if shapes.of(s.target) == ROW:
                definition[s.target] = s
    return result


def _chain(name: str, definition: dict[str, Stmt]) -> list[Stmt] | None:
    """The statements that compute row value ``name`` of an earlier loop from values the
    kernel has anyway, if they are few and cheap; None otherwise (and for anything else)."""
    stmt = definition.get(name)
    if stmt is None or stmt.prim not in CHEAP:
        return None
    chain = [stmt]
    for r in stmt.reads():
        if r in definition:
            below = _chain(r, definition)
            if below is None:
                return None
            chain = below + [c for c in chain if c not in below]
    return chain if len(chain) <= RECOMPUTE_MAX else None


def _where(stmt: Stmt) -> str:
    return f"  # {stmt.loc.path.rsplit('/', 1)[-1]}:{stmt.loc.line}"


def kernel_base(spec: OpSpec, fn: Function) -> str:
    """``_softmax_bwd_loops``: the CuPy kernel's name (op, variant, direction), with ``loops``
    so that the two targets' module-level names never meet."""
    from .cuda import kernel_base as base

    return f"_{base(spec, fn)}_loops"


@dataclass
class JitSection:
    """What ``codegen.render_module`` adds to a module for the compiled target."""

    imports: list[str]
    blocks: list[str]
    twins: set[str]  # the functions with a compiled twin

    @property
    def uses_math(self) -> bool:
        return any("math." in block for block in self.blocks)

    def dispatch(self, spec: OpSpec, body: list[str]) -> list[str]:
        """The NumPy choice of a variant (``body``), with a branch for the compiled twins in
        front when the op has any (``use_jit``); ``in_row_blocks`` runs a twin whole and
        the NumPy functions of variants without one block by block, as before."""
        if not self.blocks:
            return body
        first = spec.arrays[0].name
        return [f"if use_jit({first}):"] + [f"    {_jit_names(line, self.twins)}" for line in body] + body


def _jit_names(line: str, twins: set[str]) -> str:
    import re

    line = re.sub(r"\b_VARIANTS\b", "_JIT_VARIANTS", line)
    return re.sub(r"\b(_forward\w*|_backward\w*)\b", lambda m: f"_jit{m.group(1)}" if m.group(1) in twins else m.group(1), line)


def _allocation(name: str, kind: str, rows: str, dtype: str) -> str:
    like = f"{rows}.dtype" if dtype == "float" else "np.bool_"
    shape = {ROW: f"{rows}.shape", STAT: f"{rows}.shape[:-1] + (1,)", PARAM: f"{rows}.shape[-1:]"}[kind]
    return f"{name} = np.empty({shape}, {like})"


def render_function(spec: OpSpec, fn: Function, prims: Primitives, returns: str, saved: tuple[str, ...],
                    outs: tuple[str | None, ...], rng: bool = False, unblocked: bool = False
                    ) -> tuple[list[str], str] | None:
    """The kernels and the compiled twin of ``fn``, or None when it has none. ``outs``: the
    ``out_<name>`` keywords that ``in_row_blocks`` passes the NumPy function (the slices of
    the full results): a kernel writes those results there. ``rng``: the twin takes the
    generator first, as the NumPy function does (a random op's forward that draws nothing:
    rrelu in inference). ``unblocked``: the NumPy function is not run in blocks (``plan``)."""

    parts = plan(fn, prims, saved, unblocked)
    if parts is None:
        return None
    first_params = ["rng"] * rng + fn.params
    if not any(isinstance(p, Kernel) for p in parts):  # hand-written kernels only
        lines = [render_compiled(stmt, prims) for stmt in parts]  # type: ignore[arg-type]
        function = "\n".join([f"def _jit{fn.name}({', '.join(first_params)}):"] + [f"    {line}" for line in lines]
                             + [f"    return {returns}"])
        return [], function
    shapes = Shapes(fn, fn.values[fn.params[0]].shape)  # type: ignore[arg-type]
    rows = fn.params[0]
    # row kernels alone (and numbers): the twin runs whole, its kernels over the threads' runs
    whole = not shapes.channels and all(isinstance(p, Kernel) or shapes.of(p.target) == NUMBER for p in parts)
    results = {o for o in fn.outputs if isinstance(o, str)} | set(saved)
    last_read: dict[str, int] = {}
    for position, part in enumerate(parts):
        for stmt in part.statements if isinstance(part, Kernel) else [part]:
            for name in stmt.reads():
                last_read[name] = position
    keywords = [] if whole else [o for o in outs if o]
    kernels: list[str] = []
    lines: list[str] = []
    index = 0
    for position, part in enumerate(parts):
        if isinstance(part, Stmt):
            line = _in_place(render_compiled(part, prims), part, shapes, results, last_read, position)
            if f"out_{part.target}" in keywords and line.startswith(f"{part.target} = np.concatenate("):
                line = f"{line[:-1]}, out=out_{part.target})"  # joined into the caller's array
            lines.append(line)
            continue
        name = f"{kernel_base(spec, fn)}_{index}"
        index += 1
        files: dict[str, list[str]] = {}
        for stmt in part.statements:
            lines_of = files.setdefault(stmt.loc.path, [])
            if str(stmt.loc.line) not in lines_of:
                lines_of.append(str(stmt.loc.line))
        where = "; ".join(f"{path}:{','.join(numbers)}" for path, numbers in files.items())
        kernels.append("\n".join([f"# {name[1:]}: {where}", "@row_kernel", part.lines[0].format(name=name), *part.lines[1:]]))
        if shapes.channels:
            lines += _channel_call(name, part, shapes, rows)
            continue
        for out in part.outputs:
            if out in part.joins:  # packed rows [..., k * F], its blocks written by the kernel
                allocation = f"{out} = np.empty({rows}.shape[:-1] + ({len(part.joins[out])} * {rows}.shape[-1],), {rows}.dtype)"
            else:
                allocation = _allocation(out, shapes.of(out), rows, fn.values[out].dtype)  # type: ignore[arg-type]
            if f"out_{out}" in keywords:
                allocation += f" if out_{out} is None else out_{out}"
            lines.append(allocation)
        args = [f"blocks({n}, {len(part.joins[n])})" if n in part.joins
                else f"rows({n})" if shapes.of(n) in (ROW, STAT) or n in part.packed else n
                for n in part.inputs + part.outputs]
        if not whole:
            lines.append(f"{name}({', '.join(args)})")
            continue
        sums = [i for i, n in enumerate(part.inputs + part.outputs) if n in part.outputs and shapes.of(n) == PARAM]
        keyword = f", sums=({', '.join(map(str, sums))}{',' * (len(sums) == 1)})" if sums else ""
        lines.append(f"in_row_runs({', '.join([name] + args)}{keyword})")
    params = ", ".join(first_params) + "".join(f"{', *' if i == 0 else ''}, {k}=None" for i, k in enumerate(keywords))
    function = "\n".join(["@whole_rows"] * whole + [f"def _jit{fn.name}({params}):"] + [f"    {line}" for line in lines]
                         + [f"    return {returns}"])
    return kernels, function


def render_compiled(stmt: Stmt, prims: Primitives) -> str:
    """A statement of a twin: its primitive's ``jit`` call (a hand-written kernel of the
    runtime) where it has one, else its NumPy template."""
    from .codegen import render_statement, template_names

    template = prims[stmt.prim].jit
    if template is None:
        return render_statement(stmt, prims)
    return f"{stmt.target} = {template.format(**template_names(stmt, prims))}"


def _in_place(line: str, stmt: Stmt, shapes: Shapes, results: set[str], last_read: dict[str, int], position: int) -> str:
    """A ufunc of one operand (``np.exp(shifted)``) writes over that operand when nothing
    reads it after (a temporary of the twin, not a result): no new array to fault in."""
    operand = stmt.args[0] if len(stmt.args) == 1 else None
    call = line.split(" = ", 1)[1]
    if (not isinstance(operand, str) or call != f"np.{stmt.prim}({operand})" or shapes.of(operand) != ROW
            or operand in results or operand in shapes.fn.params or last_read.get(operand) != position
            or shapes.fn.values[operand].dtype != "float"):
        return line
    return f"{stmt.target} = np.{stmt.prim}({operand}, out={operand})"


# --- Channel kernels -------------------------------------------------------------------------
# A function whose first parameter is a batch of channels [B, C, L] (batch normalization) is
# planned with the same runs, but its values are classed against [B, C, L]: a **channel
# value** has that shape, a **channel statistic** one number per channel ([1, C, 1] from a
# sum over (0, 2), [C, 1] from as_column, [C]: a parameter, a running statistic, a gradient).
# A kernel loops channel-outer: for each channel of its block (first..last), its statements
# in order, as loops over the channel's B x L elements (``sum``/``mean`` over (0, 2) reduce
# such a loop to a statistic) and as single statements for its statistics (the running
# statistics' updates and the parameter gradients included: as_column and reshape_like of a
# statistic are the statistic itself). A channel's elements (B * L values: 64 KB for the
# bench's 16 x 32 x 32 images) stay in the CPU's cache between its loops, so that the loops
# after the first (the centred values, the normalization) read the cache, not memory; a
# channel value read by a later loop is kept in a channel's worth of scratch memory (or in its
# output). ``in_channel_blocks`` shares the channels out over layerforge's threads.
CHANNEL_ELEMENT = {"as_column": "{a}", "reshape_like": "{a}"}  # a statistic, reshaped
CHANNEL_INDEX, BATCH, FIRST, LAST = "_ch", "_i", "_first", "_last"


def _channel_class(shape: Shape, rows: Shape) -> str | None:
    dims = tuple(str(d) for d in shape.dims)
    channels = str(rows.dims[1])
    if shape.ellipsis:
        return None
    if shape.dims == rows.dims:
        return CHANNEL
    if dims in (("1", channels, "1"), (channels, "1"), (channels,)):
        return CHANNEL_STAT
    return None


def in_channel_kernel(stmt: Stmt, shapes: Shapes) -> bool:
    """Can a channel kernel compute ``stmt`` (and should it, by the rule)?"""
    target = shapes.of(stmt.target)
    kinds = [shapes.of(a) for a in stmt.args]
    if stmt.prim in ("sum", "mean"):
        axis = dict(stmt.statics).get("axis")
        axes = axis.value if isinstance(axis, Const) and isinstance(axis.value, tuple) else ()
        return (target == CHANNEL_STAT and kinds == [CHANNEL] and sorted(a % 3 for a in axes) == [0, 2]
                and _float(stmt.args[0], shapes))
    if stmt.prim in CHANNEL_ELEMENT:
        return target == CHANNEL_STAT and kinds[0] == CHANNEL_STAT
    if stmt.prim not in ELEMENT or dict(stmt.statics) and stmt.prim != "clip":
        return False
    if stmt.prim == "clip" and not all(isinstance(v, Const) or shapes.of(v) == NUMBER for _, v in stmt.statics):
        return False
    if target == CHANNEL:
        return all(k in (CHANNEL, CHANNEL_STAT, NUMBER) for k in kinds) and (
            not transcendental(stmt.prim) or rule_keeps_in_kernel(stmt.prim))
    if target == CHANNEL_STAT:
        return all(k in (CHANNEL_STAT, NUMBER) for k in kinds)
    return False


def _channel_reads(stmt: Stmt) -> list[str]:
    """What ``stmt`` reads in a channel kernel (reshape_like reads no values of its like)."""
    reads = list(stmt.reads())
    return reads[:1] if stmt.prim == "reshape_like" else reads


def _fill_channels(kernel: Kernel, shapes: Shapes, live_after: set[str], prims: Primitives) -> None:
    """A channel kernel's parameters and lines: a loop over the channels of its block, and in
    each channel its statements as loops over the channel's elements and statistics."""
    run = kernel.statements
    defined = {s.target for s in run}
    kernel.inputs = list(dict.fromkeys(r for s in run for r in _channel_reads(s) if r not in defined))
    kernel.outputs = [s.target for s in run if s.target in live_after]

    # Segments of a channel, in order: a statistic (a Stmt) or a loop (a list of Stmts). Each
    # statement goes to the first place after what it reads (a value of a loop can be read in
    # that loop, a statistic only after its segment): a reduction and a channel value into the
    # first such loop (a new one at the end if none), a statistic just there.
    segments: list[Stmt | list[Stmt]] = []
    home: dict[str, int] = {}  # id of the segment defining each of the run's values

    def position(name: str) -> int:
        return next(i for i, seg in enumerate(segments) if id(seg) == home[name])

    for stmt in run:
        need = max((position(r) + (shapes.of(r) != CHANNEL) for r in _channel_reads(stmt) if r in home), default=0)
        if shapes.of(stmt.target) == CHANNEL_STAT and stmt.prim not in ("sum", "mean"):
            at = next((i for i in range(need, len(segments)) if isinstance(segments[i], list)), len(segments))
            segments.insert(at, stmt)
            home[stmt.target] = id(stmt)
            continue
        loop = next((seg for seg in segments[need:] if isinstance(seg, list)), None)
        if loop is None:
            loop = []
            segments.append(loop)
        loop.append(stmt)
        home[stmt.target] = id(loop)
    # A channel value of inputs and statistics that its own loop does not read moves to the
    # loop that first reads it: computed again there rather than kept in scratch memory.
    loops = [seg for seg in segments if isinstance(seg, list)]
    for k, loop in enumerate(loops):
        for stmt in reversed(list(loop)):
            readers = [m for m, other in enumerate(loops) for t in other if stmt.target in _channel_reads(t)]
            if (shapes.of(stmt.target) != CHANNEL or not readers or min(readers) <= k or stmt.target in live_after
                    or any(r in home and shapes.of(r) == CHANNEL for r in _channel_reads(stmt))):
                continue
            loop.remove(stmt)
            loops[min(readers)].insert(0, stmt)
            home[stmt.target] = id(loops[min(readers)])

    # Where each channel value lives after its loop: its output, or a channel of scratch memory.
    stored: dict[str, str] = {}
    for i, seg in enumerate(segments):
        for s in seg if isinstance(seg, list) else []:
            if shapes.of(s.target) != CHANNEL:
                continue
            later = any(s.target in _channel_reads(t) for other in segments[i + 1:] if isinstance(other, list)
                        for t in other)
            if s.target in live_after:
                stored[s.target] = f"{s.target}_out"
            elif later:
                stored[s.target] = f"{s.target}_channel"

    values = next(n for n in kernel.inputs + kernel.outputs if shapes.of(n) == CHANNEL)
    values = values if values in kernel.inputs else f"{values}_out"
    params = [FIRST, LAST, *kernel.inputs, *(f"{n}_out" for n in kernel.outputs)]
    lines = [f"def {{name}}({', '.join(params)}):", f"    {BATCH}_count, _, {WIDTH} = {values}.shape"]
    for place in stored.values():
        if place.endswith("_channel"):
            lines.append(f"    {place} = np.empty(({BATCH}_count, {WIDTH}))")
    lines.append(f"    for {CHANNEL_INDEX} in range({FIRST}, {LAST}):")
    local: set[str] = set()  # the channel's statistics and the current loop's values

    def read(operand: Operand) -> str:
        if isinstance(operand, Const):
            return _typed(operand.value)
        if shapes.of(operand) == NUMBER:
            return _number(operand, shapes)
        if operand in local:
            return operand
        if shapes.of(operand) == CHANNEL_STAT:
            return f"{operand}[{CHANNEL_INDEX}]"
        if stored.get(operand, "").endswith("_channel"):
            return f"{stored[operand]}[{BATCH}, {J}]"
        place = stored.get(operand, operand)
        return f"{place}[{BATCH}, {CHANNEL_INDEX}, {J}]"

    def expression(stmt: Stmt) -> str:
        names = {arg: read(a) for arg, a in zip(prims[stmt.prim].args, stmt.args)}
        names.update((k, read(v)) for k, v in stmt.statics)
        if stmt.prim == "stop_gradient":
            return names["a"]
        return {**ELEMENT, **CHANNEL_ELEMENT}[stmt.prim].format(**names)

    body: list[str] = []
    for seg in segments:
        if isinstance(seg, Stmt):
            body.append(f"{seg.target} = {expression(seg)}{_where(seg)}")
            local.add(seg.target)
            if seg.target in kernel.outputs:
                body.append(f"{seg.target}_out[{CHANNEL_INDEX}] = {seg.target}")
            continue
        reductions = [s for s in seg if shapes.of(s.target) == CHANNEL_STAT]
        body += [f"{s.target} = 0.0{_where(s)}" for s in reductions]
        body += [f"for {BATCH} in range({BATCH}_count):", f"    for {J} in range({WIDTH}):"]
        for s in seg:
            if s in reductions:
                body.append(f"        {s.target} += {read(s.args[0])}")
                continue
            body.append(f"        {s.target} = {expression(s)}{_where(s)}")
            local.add(s.target)
            if s.target in stored:
                scratch = stored[s.target].endswith("_channel")
                index = f"[{BATCH}, {J}]" if scratch else f"[{BATCH}, {CHANNEL_INDEX}, {J}]"
                body.append(f"        {stored[s.target]}{index} = {s.target}")
        local.difference_update(s.target for s in seg if s not in reductions)
        for s in reductions:
            if s.prim == "mean":
                body.append(f"{s.target} /= {BATCH}_count * {WIDTH}")
            local.add(s.target)
            if s.target in kernel.outputs:
                body.append(f"{s.target}_out[{CHANNEL_INDEX}] = {s.target}")
    if any(f"{FLOAT}(" in line for line in body):
        lines.insert(2, f"    {FLOAT} = {values}.dtype.type")
    lines += [f"        {line}" for line in body]
    kernel.lines = lines


def _channel_call(name: str, kernel: Kernel, shapes: Shapes, first: str) -> list[str]:
    """The twin's lines for one channel kernel: its outputs allocated (a statistic in its own
    shape, passed as a vector by ``channels``) and the kernel run over the channels' blocks."""
    lines = []
    for out in kernel.outputs:
        dims = shapes.fn.values[out].shape.dims  # type: ignore[union-attr]
        size = [f"{first}.shape[{shapes.rows.dims.index(d)}]" if str(d) != "1" else "1" for d in dims]
        like = f"{first}.dtype" if shapes.fn.values[out].dtype == "float" else "np.bool_"
        shape = f"{first}.shape" if dims == shapes.rows.dims else f"({', '.join(size)}{',' * (len(size) == 1)})"
        lines.append(f"{out} = np.empty({shape}, {like})")
    args = [f"channels({n})" if shapes.of(n) == CHANNEL_STAT else n for n in kernel.inputs + kernel.outputs]
    lines.append(f"in_channel_blocks({name}, {first}, {', '.join(args)})")
    return lines


def render_section(spec: OpSpec, compiled, prims: Primitives, enabled: bool, blocked) -> JitSection:
    """The row kernels, compiled twins and variant table of one module (nothing when the op
    is not compiled, or at -O0)."""
    from .codegen import _outputs, _tuple, operand

    if not enabled or spec.name not in COMPILED_OPS or spec.slot is not None:
        return JitSection([], [], set())
    blocks: list[str] = []
    twins: set[str] = set()
    called: set[str] = set()  # the hand-written kernels' functions
    for c in compiled:
        fwd_returns = f"{_outputs([operand(o) for o in c.forward.outputs])}, {_tuple(list(c.saved)) if c.saved else '()'}"
        for fn, returns in ((c.forward, fwd_returns), (c.backward, _outputs([operand(o) for o in c.backward.outputs]))):
            outs = blocked.forward_outs if fn is c.forward else blocked.backward_outs
            unblocked = not (blocked.forward if fn is c.forward else blocked.backward)
            rendered = render_function(spec, fn, prims, returns, c.saved if fn is c.forward else (), outs,
                                       rng=spec.random and fn is c.forward, unblocked=unblocked)
            if rendered is None:
                continue
            kernel_blocks, function = rendered
            blocks += kernel_blocks + [function]
            twins.add(fn.name)
            called.update(prims[s.prim].jit_name for s in fn.body if prims[s.prim].jit)  # type: ignore[misc]
        blocks += _scan_twins(spec, c, prims, twins)
    if not blocks:
        return JitSection([], [], set())
    optional = [d.name for d in spec.keyed_optional]
    if spec.structural or optional:
        entries = ""
        for c in compiled:
            values = [v for _, v in c.variant.structural] + [n not in c.variant.absent for n in optional]
            key = repr(values[0]) if len(values) == 1 else repr(tuple(values))
            pair = [f"_jit{f.name}" if f.name in twins else f.name for f in (c.forward, c.backward)]
            entries += f"    {key}: ({pair[0]}, {pair[1]}),\n"
        blocks.append(f"_JIT_VARIANTS = {{\n{entries}}}")
    kernels = ["row_kernel", "rows"] if any("@row_kernel" in block for block in blocks) else []
    header = ("# The compiled CPU target: row kernels (numba, compiled on first use) and compiled\n"
              "# twins of the functions above." if kernels else
              "# The compiled CPU target: compiled twins of the functions above, which call the\n"
              "# runtime's hand-written kernels (numba, compiled on first use).")
    blocks[0] = f"{header}\n\n\n{blocks[0]}"
    used = {n for n in ("blocks", "channels", "fast_exp", "fast_erf", "fast_log", "fast_log1p", "fast_max", "fast_tanh",
                        "in_channel_blocks", "in_row_runs")
            if any(re.search(rf"\b{n}\(", b) for b in blocks)}
    used |= {"whole_rows"} if any("@whole_rows" in b for b in blocks) else set()
    used |= set(kernels) if "rows(" in "".join(blocks) else set(kernels[:1])
    imports = [f"from {RUNTIME} import {', '.join(sorted(used | called | {'use_jit'}))}"]
    return JitSection(imports, blocks, twins)


def _scan_twins(spec: OpSpec, c, prims: Primitives, twins: set[str]) -> list[str]:
    """A scan's compiled twins: of its step and of its step's backward (the gate math of a
    recurrence: one kernel over the rows of the batch, called once a step, which reads the
    gates as blocks of the packed gates and computes sigmoid and tanh by fast_exp and
    fast_tanh) and of the drivers, calling them. Measured on the LSTM bench row (batch 32,
    64 steps, 256 -> 256, float32, two threads): the forward step 155 us, 182 with NumPy's
    gate math, its product 97 of either."""
    from .codegen import scan_part_returns
    from .scan import Scan

    parts = c.forward.loop
    if not isinstance(parts, Scan):
        return []
    from .scan import render_backward, render_forward

    blocks: list[str] = []
    for step, driver in ((parts.step, c.forward), (parts.step_backward, c.backward)):
        # the forward step's kernel outputs that it returns: the driver passes their rows of
        # the [T, ...] buffers (out_<name>) instead of copying them there after each step
        written = _kernel_results(step, prims) if step is parts.step else _joined_results(step, prims, parts)
        if step.name not in twins:  # a part shared by variants: its twin once
            rendered = render_function(spec, step, prims, scan_part_returns(c, step), (),
                                       tuple(f"out_{name}" for name in written))
            if rendered is None:
                continue
            kernel_blocks, function = rendered
            blocks += kernel_blocks + [function]
            twins.add(step.name)
        if step.name in twins:
            twins.add(driver.name)
            text = (render_forward(driver, written=written) if step is parts.step
                    else render_backward(driver, written=written))
            blocks.append("\n".join(_jit_names(line, twins) for line in text.split("\n")))
    return blocks


def _joined_results(step: Function, prims: Primitives, parts) -> tuple[str, ...]:
    """The results of a step's backward that the deferred part reads stacked and that a
    ``np.concatenate`` makes (the packed gates' gradient): written into the caller's array."""
    joined = {s.target for s in step.body if (prims[s.prim].numpy or "").startswith("np.concatenate(")}
    return tuple(o for o in step.outputs if isinstance(o, str) and o in joined and o in parts.chain)


def _kernel_results(step: Function, prims: Primitives) -> tuple[str, ...]:
    """The results of ``step`` that its compiled twin's row kernels write (allocated by the
    twin, so a caller may give the arrays instead), in the order it returns them."""
    parts = plan(step, prims, ())
    if parts is None or Shapes(step, step.values[step.params[0]].shape).channels:  # type: ignore[arg-type]
        return ()
    outputs = {o for part in parts if isinstance(part, Kernel) for o in part.outputs}
    return tuple(dict.fromkeys(o for o in step.outputs if isinstance(o, str) and o in outputs))


# The ops with a compiled twin (parity-tested in tests/test_jit.py); the others run their NumPy
# functions whatever the backend. grid_sample's twins call the runtime's hand-written kernels
# (its primitives' ``jit`` templates; measured 2.5x faster than its NumPy functions on one
# thread, and they scale to two). Another op is listed when the rule above gives it a kernel and its
# forward + backward measured faster than the NumPy target's by more than the noise (5%) in two
# runs (single thread, CPU time, 4096 x 1024 float32; README "On the CPU, compiled: numba").
# batch_normalization (channel kernels): 16 x 32 x 32 x 32 float32, training. Pooling windows
# have no kernels: numba loops over the windows (max pooling, its argmax saved as an int8
# offset) measured 0.58-0.86 of the NumPy target's speed (2x2 stride 2, 3x3 stride 1 and 2).
# binary_cross_entropy, sqrbf and taylor_softmax, planned but measured level with NumPy on the
# Zen 4 machine (a kernel of one or two passes beside a transcendental ufunc or NumPy
# statements that dominate), joined in session 19 (AVX2, two threads, wall, two runs each:
# the NumPy target's scalar log and exp dominate there): binary_cross_entropy 20.3-21.4 ms
# against 45.5-55.8 (PyTorch 18.7-22.4), sqrbf 6.0-6.1 against 9.9-11.7, taylor_softmax
# 17.1-21.2 against 21.9-25.7. gaussian, gelu and spherical_softmax joined with fast_exp (their exp fuses:
# 1.38-1.50, 1.11-1.12 and 1.23-1.25 times the NumPy target's speed in two or three runs);
# gelu's erf fuses too since fast_erf (one kernel a direction: 6.9 ms CPU, NumPy's 35 ms).
# tanh's forward is a kernel too and softplus joined with fast_log1p (session 18, AVX2, forward
# + backward on two threads, wall: tanh 8.0 ms against the NumPy target's 22.8, softplus 11.8
# against 29.1; PyTorch 14.2 and 13.5).
# rrelu and gumbel_softmax (random ops: the functions that draw nothing, in inference and the
# backward; render_section) in session 19, AVX2, forward + backward on two threads, wall, in
# inference: rrelu 3.7 ms against the NumPy target's 10.6, gumbel_softmax 8.8 against 17.5
# (PyTorch 4.2 and 11.4); in training, whose draws stay NumPy's, 19.4 against 22.6 and 42
# against 54.
# sign joined with its per-element form (one kernel, on all threads: its forward runs whole),
# 3.3-3.5 ms against the NumPy target's 4.2-4.6 (PyTorch 3.9-4.5); softsign's backward, whose
# np.sign split it in two kernels, became one (4.0-4.4 ms against 5.9-8.1 before).
# multi_head_attention: its twins call the runtime's compiled_masked_softmax (masked_softmax's
# ``jit`` template) on the attention scores, the rest NumPy's code (session 20: the bench row's
# 8 x 8 x 256 x 256 float32 scores, 2.8 ms against the helper's 13.7-14.9; the layer's forward
# + backward 153.9-162.8 ms against 167.0-175.2, two threads, interleaved). Not the transformer
# layers made of it: a twin of a function with no row kernel is its body as the IR gives it,
# without the passes' in-place updates and fusions, and transformer_encoder's lost what the
# softmax gained (440 ms against the NumPy target's 434). The other ops with masked_softmax
# have an activation slot (self_attention, graph_attention, mixture_of_experts), which the
# target skips, or run in a repeat (the capsules).
# lstm and gru: their step and its backward (the LSTM bench row, batch 32, 64 steps, 256 -> 256,
# two threads: forward 18.8 ms against 21.5 with NumPy's gate math; backward 54 ms against 56
# on one thread, the kernel 0.7 ms of it). recurrent (Elman) has a fused
# activation slot, which the target skips.
COMPILED_OPS = frozenset({
    "batch_normalization",  # channel kernels
    "grid_sample",  # hand-written kernels
    "multi_head_attention",  # the attention softmax
    "lstm", "gru",  # the step's backward
    "binary_cross_entropy",
    "bent_identity", "binary_spiking", "celu", "elu", "gaussian", "gelu", "gumbel_softmax", "hard_sigmoid",
    "hard_tanh", "isru", "layer_normalization", "layer_statistics", "leaky_relu", "lisht", "log_softmax",
    "log_softmin", "mish", "relu", "rrelu", "selu", "sigmoid", "sign", "silu", "softmax", "softmin", "softplus",
    "softsign", "sparsemax", "spherical_softmax", "sqrbf", "squash", "swish", "tanh", "taylor_softmax",
    "thresholded_relu",
})

__all__ = ["ELEMENT", "JitSection", "render_section", "plan", "in_kernel", "COMPILED_OPS"]
