"""The compiled CPU target (numba row kernels, transpiler/jit.py) against the NumPy functions.

Each compiled op (COMPILED_OPS) runs forward and backward under both backends on the same
arrays, float32 and float64, and the results must agree to a few roundings of the dtype: the
kernels compute what the NumPy functions compute, in another order (row sums accumulated in
the dtype in one vectorized loop, where NumPy's are BLAS products), so float32 results differ
by a few ulps of the row's scale, float64 by a few 1e-16; exp in the kernels is the runtime's
fast_exp (at most 1 ulp from the correctly rounded value, test_fast_exp_is_within_an_ulp)
where NumPy's np.exp is within one too, so exponentials differ by at most 2 ulps, well inside
those tolerances. Shapes are small (compiling a
kernel costs about a second, once: numba's on-disk cache keeps them), except one case large
enough to run block by block on two threads (in_row_blocks, its out= slices and its sums).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import threading

import numpy as np
import pytest

import layerforge
from layerforge import _jit_runtime, _runtime
from layerforge._jit_runtime import RowKernel, fast_erf, fast_exp, fast_log, fast_log1p, fast_tanh, rows
from layerforge.activations import hard_tanh, log_softmax, softmax, softmin
from layerforge.layers import batch_normalization, grid_sample, layer_normalization, layer_statistics
from transpiler import jit

pytest.importorskip("numba")  # the dev extra pins it; without it there is nothing compiled

# Absolute tolerance per dtype for values of order 1 (a few units in the last place).
TOL = {np.float32: 4e-6, np.float64: 2e-14}


@pytest.fixture
def backend():
    """Runs a test's body under a backend of its choosing and restores the one before."""
    before = layerforge.get_backend()
    yield layerforge.set_backend
    layerforge.set_backend(before)


def both(backend, call):
    """``call()`` under the numba backend and under the numpy backend."""
    backend("numba")
    compiled = call()
    backend("numpy")
    return compiled, call()


def close(a, b, dtype, scale=1.0):
    if a is None or b is None:
        assert a is None and b is None
        return
    assert a.dtype == b.dtype == dtype and a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=0, atol=TOL[dtype] * scale)


def run(module, x, grad, *params, **attributes):
    y, ctx = module.forward(x, *params, **attributes)
    grads = module.backward(grad, ctx)
    return y, ctx[0].__name__, grads if isinstance(grads, tuple) else (grads,)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_normalization_matches_numpy(backend, dtype, affine):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((3, 4, 19)) * 3 + 1).astype(dtype)
    weight = rng.standard_normal(19).astype(dtype) if affine else None
    bias = rng.standard_normal(19).astype(dtype) if affine else None
    grad = rng.standard_normal(x.shape).astype(dtype)
    (y1, name1, g1), (y0, name0, g0) = both(backend, lambda: run(layer_normalization, x, grad, weight, bias))
    assert name1.startswith("_jit_backward") and not name0.startswith("_jit")
    close(y1, y0, dtype)
    for a, b in zip(g1, g0):
        close(a, b, dtype, scale=x.shape[0] * x.shape[1])  # parameter gradients sum 12 rows


def activation_cases():
    """Every compiled activation (transpiler/jit.py COMPILED_OPS); a random one (rrelu,
    gumbel_softmax) in training and in inference."""
    for name in sorted(jit.COMPILED_OPS):
        if not importlib.util.find_spec(f"layerforge.activations.{name}"):
            continue
        module = importlib.import_module(f"layerforge.activations.{name}")
        if "rng" in inspect.signature(module.forward).parameters:
            yield name, {"training": True}
            yield name, {"training": False}
        else:
            yield name, {}


@pytest.mark.parametrize("name, attributes", list(activation_cases()),
                         ids=lambda a: a if isinstance(a, str) else "-".join(f"{k}={v}" for k, v in a.items()))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_match_numpy(backend, name, attributes, dtype):
    """Forward and backward under both backends; the tolerance scales with the largest
    magnitude of the results (bent_identity and mish grow like x), as roundings do. A random
    activation's calls get generators of one seed: in training both backends draw with
    NumPy (its forward has no twin), the same draws."""
    module = importlib.import_module(f"layerforge.activations.{name}")
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((5, 23)) * 4).astype(dtype)
    grad = rng.standard_normal(x.shape).astype(dtype)
    seeded = "rng" in inspect.signature(module.forward).parameters

    def call():
        return run(module, x, grad, **attributes, **({"rng": np.random.default_rng(3)} if seeded else {}))

    (y1, name1, g1), (y0, name0, g0) = both(backend, call)
    assert not name0.startswith("_jit")
    assert any(n.startswith("_jit_") for n in vars(module))  # a twin, forward or backward
    close(y1, y0, dtype, scale=4 * max(1.0, float(np.abs(y0).max())))
    close(g1[0], g0[0], dtype, scale=4 * max(1.0, float(np.abs(g0[0]).max())))


@pytest.mark.parametrize("shape", [(1024, 32), (37, 130), (130, 37), (16, 300)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rows_of_a_transposed_matrix_is_its_contiguous_copy(shape, dtype):
    """A kernel's input that is a transposed matrix (a recurrence step's ``(weight_hh @ h.T).T``)
    is copied by the runtime's blocked transpose, 16 rows at a time with the rest after them:
    the same elements as np.ascontiguousarray, C-contiguous, and the source untouched."""
    source = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    kept = source.copy()
    got = rows(source.T)
    assert got.flags.c_contiguous and got.shape == source.T.shape
    np.testing.assert_array_equal(got, np.ascontiguousarray(source.T))
    np.testing.assert_array_equal(source, kept)
    assert rows(source) is not source and np.shares_memory(rows(source), source)  # a view


def test_clip_with_low_above_high_is_high_as_numpy(backend):
    """hard_tanh's kernel clips as np.clip does, min(max(x, low), high): with low above high
    every value is high (ONNX's Clip, test_clip_min_greater_than_max), NaN stays NaN."""
    x = np.array([[-3.0, 0.5, 3.0, np.nan]], np.float32)
    compiled, reference = both(backend, lambda: hard_tanh.forward(x, min_val=2.0, max_val=1.0)[0])
    np.testing.assert_array_equal(compiled, [[1.0, 1.0, 1.0, np.nan]])
    np.testing.assert_array_equal(compiled, reference)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sign_in_a_kernel_is_numpys(backend, dtype):
    """sign's per-element form (its forward's kernel) gives np.sign's values bit for bit: +0
    for -0 and +0, NaN for NaN, -1 and 1 down to the smallest subnormals and at the
    infinities."""
    from layerforge.activations import sign

    tiny = np.finfo(dtype).smallest_subnormal
    x = np.array([[-0.0, 0.0, np.nan, -2.0, 3.0, -tiny, tiny, -np.inf, np.inf]], dtype)
    compiled, reference = both(backend, lambda: sign.forward(x))
    assert hasattr(sign, "_jit_forward")
    np.testing.assert_array_equal(compiled[0], np.sign(x))
    assert not np.signbit(compiled[0][0, :2]).any()


LOSSES = [name for name in sorted(jit.COMPILED_OPS) if importlib.util.find_spec(f"layerforge.losses.{name}")]


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_match_numpy(backend, name, dtype):
    """A compiled loss (binary_cross_entropy: softplus(z) - t z in one kernel, then the mean;
    its backward a batched part, NumPy's) and its gradients under both backends; the terms
    are of order 4, and so are the roundings of their mean."""
    module = importlib.import_module(f"layerforge.losses.{name}")
    rng = np.random.default_rng(4)
    logits = (rng.standard_normal((5, 23)) * 4).astype(dtype)
    target = rng.uniform(0, 1, logits.shape).astype(dtype)

    def call():
        loss, ctx = module.forward(logits, target)
        return loss, ctx[0].__name__, module.backward(np.asarray(1.5, dtype), ctx)

    (loss1, name1, g1), (loss0, name0, g0) = both(backend, call)
    assert hasattr(module, "_jit_forward") and not name0.startswith("_jit")
    close(np.asarray(loss1), np.asarray(loss0), dtype, scale=4)
    for a, b in zip(g1, g0):
        close(a, b, dtype, scale=4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layer_statistics_matches_numpy(backend, dtype):
    """The mean and reciprocal standard deviation (one kernel) and their gradient, over the
    last axis and over the last two (normalized_shape joins them into one row)."""
    rng = np.random.default_rng(6)
    x = (rng.standard_normal((3, 4, 19)) * 3 + 1).astype(dtype)
    grad_mu, grad_rstd = (rng.standard_normal((3, 4, 1)).astype(dtype) for _ in range(2))
    for attributes, grads in (({}, (grad_mu, grad_rstd)), ({"normalized_shape": (4, 19)}, (grad_mu[:, :1], grad_rstd[:, :1]))):

        def call():
            (mu, rstd), ctx = layer_statistics.forward(x, **attributes)
            return mu, rstd, layer_statistics.backward(*grads, ctx)

        compiled, reference = both(backend, call)
        for a, b in zip(compiled, reference):
            close(a, b, dtype, scale=4)


@pytest.mark.parametrize("kind, batch_first, given", [("lstm", False, True), ("lstm", True, False), ("gru", True, True)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_recurrences_match_numpy(backend, kind, batch_first, given, dtype):
    """A scan's compiled backward driver calls its step's twin (the gate math one kernel);
    every output and gradient agrees with the NumPy functions' (6 steps carry a rounding
    from step to step: a few ulps more)."""
    module = importlib.import_module(f"layerforge.layers.{kind}")
    rng = np.random.default_rng(8)
    steps, batch, inputs, hidden = 6, 3, 5, 4
    gates = {"lstm": 4, "gru": 3}[kind]
    x = rng.standard_normal((batch, steps, inputs) if batch_first else (steps, batch, inputs)).astype(dtype)
    params = [(rng.standard_normal(s) * 0.5).astype(dtype)
              for s in ((gates * hidden, inputs), (gates * hidden, hidden), (gates * hidden,), (gates * hidden,))]
    states = [(rng.standard_normal((batch, hidden)).astype(dtype) if given else None)
              for _ in range(2 if kind == "lstm" else 1)]

    def call():
        outputs, ctx = module.forward(x, *params, *states, batch_first=batch_first)
        grads = [np.random.default_rng(9).standard_normal(o.shape).astype(dtype) for o in outputs]
        return outputs, ctx[0].__name__, module.backward(*grads, ctx)

    (outs1, name1, g1), (outs0, name0, g0) = both(backend, call)
    assert name1.startswith("_jit_backward") and not name0.startswith("_jit")
    for a, b in zip(outs1, outs0):
        close(a, b, dtype)
    for a, b in zip(g1, g0):
        close(a, b, dtype, scale=4 * steps * batch)  # parameter gradients sum every step and row


def test_large_inputs_run_on_threads(backend):
    """Over 2 MB of rows on two threads. Layer norm's twins are row kernels alone
    (whole_rows): each runs once on the whole arrays and its kernels take one run of rows
    per thread (in_row_runs), each run's parameter sums added in order; so are softmax's,
    whose row maximum is the runtime's fast_max in the kernel. Softmin's forward twin has
    NumPy before its kernel (-x): in_row_blocks cuts the rows into blocks and hands it the
    slices of the full outputs (out_y)."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1100, 512)).astype(np.float32)
    weight, bias = rng.standard_normal(512).astype(np.float32), rng.standard_normal(512).astype(np.float32)
    grad = rng.standard_normal(x.shape).astype(np.float32)
    assert layer_normalization._jit_forward.whole_rows and layer_normalization._jit_backward.whole_rows
    assert softmax._jit_forward.whole_rows and not hasattr(softmin._jit_forward, "whole_rows")
    threads = layerforge.get_num_threads()
    layerforge.set_num_threads(2)
    try:
        (y1, name1, g1), (y0, _, g0) = both(backend, lambda: run(layer_normalization, x, grad, weight, bias))
        (s1, _, d1), (s0, _, d0) = both(backend, lambda: run(softmax, x, grad))
        (m1, _, e1), (m0, _, e0) = both(backend, lambda: run(softmin, x, grad))
    finally:
        layerforge.set_num_threads(threads)
    assert name1 == "_jit_backward"
    close(y1, y0, np.float32)
    close(g1[0], g0[0], np.float32)
    for a, b in zip(g1[1:], g0[1:]):  # sums over 1100 rows of order-1 terms
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4)
    close(s1, s0, np.float32)
    close(d1[0], d0[0], np.float32, scale=4)  # |grad| up to about 4
    close(m1, m0, np.float32)
    close(e1[0], e0[0], np.float32, scale=4)


def _shift_and_sum(shift, x, y_out, column_sums_out):
    column_sums = np.zeros(x.shape[1])
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            y_out[i, j] = x[i, j] - shift[i, 0]
            column_sums[j] += y_out[i, j]
    column_sums_out[:] = column_sums


def test_in_row_runs_cuts_the_rows_of_the_largest_array():
    """in_row_runs on two threads: the rows cut by the largest 2-D argument (here not the
    first: a row statistic [R, 1] comes first) into tapering runs, a column sum
    (``sums``) per run added in order into the caller's array; the rows' results as in one
    call, and the sums the same on every call (the runs' bounds are fixed, whichever thread
    takes a run)."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1100, 512)).astype(np.float32)
    shift = rng.standard_normal((1100, 1)).astype(np.float32)
    kernel = RowKernel(_shift_and_sum)
    y, sums = np.empty_like(x), np.empty(512, np.float32)
    kernel(shift, x, y, sums)
    threads = layerforge.get_num_threads()
    layerforge.set_num_threads(2)
    runs = []

    def counted(*args):
        runs.append((args[0].shape[0], args[1].shape[0]))
        kernel(*args)

    try:
        y2, sums2 = np.empty_like(x), np.empty(512, np.float32)
        _jit_runtime.in_row_runs(counted, shift, x, y2, sums2, sums=(3,))
        sums3 = np.empty(512, np.float32)
        _jit_runtime.in_row_runs(kernel, shift, x, np.empty_like(x), sums3, sums=(3,))
    finally:
        layerforge.set_num_threads(threads)
    # half of an even share of the rows left each, down to ceil(1100 / 32) = 35 rows, the rest last
    expected = [275, 207, 155, 116, 87, 65, 49, 37, 35, 35, 35, 4]
    assert sum(expected) == 1100 and sorted(runs) == sorted((size, size) for size in expected)
    np.testing.assert_array_equal(y2, y)
    np.testing.assert_allclose(sums2, sums, rtol=1e-5, atol=1e-4)  # partial sums of size or size + 1 terms
    np.testing.assert_array_equal(sums3, sums2)


def test_compiled_kernels_start_no_threads_of_their_own(backend):
    """One owner of the threads: the compiled kernels run on layerforge's threads (nogil, no
    parallel=True), so numba's own pool is never launched, and a blocked call on two threads
    leaves no more threads behind than layerforge's pool."""
    import numba.np.ufunc.parallel as numba_parallel

    rng = np.random.default_rng(5)
    x = rng.standard_normal((1100, 512)).astype(np.float32)
    weight, bias = rng.standard_normal(512).astype(np.float32), rng.standard_normal(512).astype(np.float32)
    threads = layerforge.get_num_threads()
    layerforge.set_num_threads(2)
    try:
        (_, name, _), _ = both(backend, lambda: run(layer_normalization, x, x, weight, bias))
        pool = [t.name for t in threading.enumerate() if t.name.startswith("layerforge")]
    finally:
        layerforge.set_num_threads(threads)
    assert name == "_jit_backward"
    assert not numba_parallel._is_initialized
    assert len(pool) == 1  # two threads: the caller's and one of the pool


def test_softmax_along_another_axis_and_strided_input(backend):
    """dim=0 moves the axis last (a strided view): the twins copy it into rows."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((9, 6, 5))
    grad = rng.standard_normal(x.shape)
    (y1, _, g1), (y0, _, g0) = both(backend, lambda: run(softmax, x, grad, dim=0))
    close(y1, y0, np.float64)
    close(g1[0], g0[0], np.float64)


def test_non_finite_values_propagate_as_in_numpy(backend):
    """NaN and infinities: the kernels use NumPy's error model (no ZeroDivisionError) and
    no fast-math assumption that values are finite."""
    x = np.array([[0.0, np.nan, 1.0, 2.0], [np.inf, 1.0, 2.0, 3.0], [-np.inf, 0.0, 1.0, 2.0]], np.float32)
    grad = np.ones_like(x)
    for module in (softmax, log_softmax, layer_normalization):
        with np.errstate(invalid="ignore"):  # inf - inf in NumPy's (and the twins') array code
            (y1, _, g1), (y0, _, g0) = both(backend, lambda: run(module, x, grad))
        np.testing.assert_array_equal(np.isnan(y1), np.isnan(y0))
        np.testing.assert_array_equal(np.isnan(g1[0]), np.isnan(g0[0]))
        finite = np.isfinite(y0)
        np.testing.assert_allclose(y1[finite], y0[finite], atol=1e-6)


def test_kernels_are_the_same_loops_in_plain_python(backend):
    """A row kernel's source runs as it is without numba (numba only compiles it)."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 8))
    grad = rng.standard_normal(x.shape)
    y, ctx = softmax.forward(x)
    kernel = softmax._softmax_bwd_loops_0
    assert isinstance(kernel, RowKernel)
    compiled, plain = np.empty_like(x), np.empty_like(x)
    kernel(rows(grad), rows(y), rows(compiled))
    kernel.function(rows(grad), rows(y), rows(plain))
    np.testing.assert_allclose(compiled, plain, rtol=0, atol=1e-15)


def test_backend_switch(backend, monkeypatch):
    with pytest.raises(ValueError, match="set_backend: name must be one of numba, numpy, got 'cuda'"):
        layerforge.set_backend("cuda")
    backend("numpy")
    assert layerforge.get_backend() == "numpy"
    monkeypatch.setattr(_runtime, "_backend", {"name": None})
    monkeypatch.setenv("LAYERFORGE_BACKEND", "numpy")
    assert layerforge.get_backend() == "numpy"
    monkeypatch.setattr(_runtime, "_backend", {"name": None})
    monkeypatch.setenv("LAYERFORGE_BACKEND", "fortran")
    with pytest.raises(ValueError, match="LAYERFORGE_BACKEND must be one of numba, numpy, got 'fortran'"):
        layerforge.get_backend()
    monkeypatch.setattr(_runtime, "_backend", {"name": None})
    monkeypatch.delenv("LAYERFORGE_BACKEND")
    assert layerforge.get_backend() == "numba"  # installed: the default


def test_empty_inputs_float16_and_numpy_backend_run_the_numpy_functions(backend):
    backend("numba")
    _, ctx = softmax.forward(np.zeros((4, 0), np.float32))
    assert ctx[0] is softmax._backward
    _, ctx = hard_tanh.forward(np.zeros((4, 3), np.float16))  # numba has no float16 arithmetic
    assert ctx[0] is hard_tanh._backward
    _, ctx = hard_tanh.forward(np.zeros((4, 3), np.float32))
    assert ctx[0] is hard_tanh._jit_backward
    backend("numpy")
    _, ctx = softmax.forward(np.zeros((4, 3), np.float32))
    assert ctx[0] is softmax._backward


def test_o0_stays_numpy():
    from harness import PATHS, catalog
    from transpiler.pipeline import render_op

    optimized = importlib.import_module("layerforge.activations.softmax")
    assert "use_jit" in open(optimized.__file__).read()
    assert "use_jit" not in render_op(catalog().ops["softmax"], catalog(), PATHS, level=0)


def test_the_rule_fuses_exp_and_keeps_libm_calls_over_rows_in_numpy():
    """The generator's measured rule (transpiler/jit.py): exp over a row value joins the
    kernel (the vectorized fast_exp: softmax's shift, exp and sum in one loop), and so does
    expm1 (fast_tanh and fast_exp), while log over a row value would be a NumPy ufunc between
    kernels (a scalar libm call in numba), log of a row
    statistic (once a row) stays in the kernel, a row maximum is fast_max in it, layer norm's
    forward is one kernel, and a function whose kernels would save no pass has no twin."""
    from harness import catalog
    from transpiler import jit
    from transpiler.errors import Collector
    from transpiler.pipeline import compile_op

    def parts(name, direction="forward", unblocked=False):
        compiled = compile_op(catalog().ops[name], catalog(), Collector())[0]
        fn = getattr(compiled, direction)
        planned = jit.plan(fn, catalog().prims, compiled.saved if direction == "forward" else (), unblocked)
        return planned and [[s.prim for s in p.statements] if isinstance(p, jit.Kernel) else p.prim for p in planned]

    assert parts("log_softmax") == [["amax", "stop_gradient", "sub", "exp", "sum", "log", "sub"]]
    assert parts("softmax") == [["amax", "stop_gradient", "sub", "exp", "sum", "div"]]
    assert parts("spherical_softmax")[-1] == ["amax", "stop_gradient", "sub", "exp", "sum", "div"]  # a new kernel:
    # its amax reads the row the kernel before writes
    assert parts("softmax", "backward") == [["mul", "sum", "sub", "mul"]]
    # expm1 is tanh(a / 2) (exp(a) + 1) by fast_tanh and fast_exp (the NumPy helper's form):
    # in the kernel; log and log1p over row values are libm calls: NumPy ufuncs between kernels
    assert parts("elu") == [["maximum", "minimum", "expm1", "mul", "add"]]
    # log and log1p over row values are fast_log and fast_log1p (vectorized); a libm call
    # (math.) would cost more than the NumPy ufunc and the passes it saves
    assert all(jit.rule_keeps_in_kernel(p) for p in ("expm1", "log", "log1p", "softplus"))
    assert jit.CALL_NS["math."] > jit.NUMPY_NS["math."] + 3 * jit.PASS_NS
    assert not any("math." in form.replace("math.sqrt(", "") for form in jit.ELEMENT.values())
    assert parts("layer_normalization") == [
        "axis_size", ["mean", "sub", "dot_last", "div", "add", "sqrt", "div", "mul", "mul", "add"]]
    assert parts("silu") == [["sigmoid", "mul"]]
    assert parts("silu", "backward") == [["sigmoid", "mul", "mul", "mul", "sub", "mul", "add"]]
    # alone, fast_tanh against np.tanh (see jit.py's table); sigmoid: one fast_exp against the
    # helper's exp and 3 passes; softplus: fast_exp and fast_log1p against exp, log and 9 passes
    assert parts("tanh") == [["tanh"]]
    assert parts("sigmoid") == [["sigmoid"]]
    assert parts("softplus") == [["softplus"]]
    assert parts("softplus", "backward") == [["sigmoid", "mul"]]
    assert parts("gelu") == [["mul", "erf", "mul", "add", "mul"]]  # fast_erf: one kernel
    # a lone pass saves nothing in a function run in blocks (each on a thread), but a function
    # that runs whole runs its NumPy code on one thread and a kernel of all of it on all threads
    assert parts("relu") is None and parts("relu", unblocked=True) == [["maximum"]]
    assert "def _jit_forward(x):" in open(importlib.import_module("layerforge.activations.relu").__file__).read()


def test_fast_erf_in_a_kernel():
    """fast_erf compiled in a kernel: float32 the NumPy helper's rational (within its 7 ulps
    of erf, 1 beyond |x| = 4, NaN kept), float64 libm's erf (within an ulp); and in the
    kernel's float32 arithmetic the spec's numbers are float32 (_float), so that it takes
    the float32 road."""
    import math

    from layerforge.activations import gelu

    def erf_of(x, out):
        for i in range(x.shape[0]):
            out[i] = fast_erf(x[i])

    kernel = RowKernel(erf_of)
    for dtype, bound in ((np.float32, 7), (np.float64, 1)):
        x = np.concatenate([np.linspace(-6, 6, 4001), [0.0, 1e-30, -1e-30, np.inf, -np.inf, np.nan]]).astype(dtype)
        y = np.empty_like(x)
        kernel(x, y)
        reference = np.array([math.erf(v) for v in x.astype(np.float64)]).astype(dtype)
        finite = np.isfinite(x)
        assert _ulps(np.abs(y[finite]), np.abs(reference[finite])).max() <= bound
        assert np.array_equal(np.sign(y[finite]), np.sign(reference[finite]))
        np.testing.assert_array_equal(y[-3:], [1.0, -1.0, np.nan])
    assert "fast_erf(_t1)" in open(gelu.__file__).read() and "_float(0.7071067811865476)" in open(gelu.__file__).read()


def _ulps(a, b):
    """Units in the last place between two arrays of non-negative floats (or both NaN)."""
    bits = {np.float32: np.int32, np.float64: np.int64}[a.dtype.type]
    both_nan = np.isnan(a) & np.isnan(b)
    distance = np.abs(a.view(bits).astype(np.int64) - b.view(bits).astype(np.int64))
    return np.where(both_nan, 0, distance)


@pytest.mark.parametrize("dtype, overflow, underflow", [
    (np.float32, 88.72283935546875, -103.97208), (np.float64, 709.782712893384, -745.1332191019411)])
def test_fast_exp_is_within_an_ulp(dtype, overflow, underflow):
    """The kernels' exp (layerforge._jit_runtime.fast_exp, compiled as in a kernel) against
    the correctly rounded exp: float32 against exp in float64 rounded once, float64 against
    exp in long double (80-bit on x86; where long double is double the reference is np.exp,
    itself within an ulp, so the bound is 2). Values over the whole range, around the
    overflow threshold, through the subnormal results down to 0, and inf, -inf, NaN. (The
    measurement over every finite float32 took two minutes: also at most 1 ulp.)"""
    import numba

    finfo = np.finfo(dtype)
    rng = np.random.default_rng(7)
    edges = [0.0, -0.0, finfo.tiny, -finfo.tiny, finfo.eps, 1.0, -1.0, 0.5 * np.log(2), -0.5 * np.log(2),
             overflow, np.nextafter(dtype(overflow), dtype(0)), np.nextafter(dtype(overflow), dtype(np.inf)),
             underflow, np.nextafter(dtype(underflow), dtype(0)), np.nextafter(dtype(underflow), dtype(-np.inf)),
             np.log(finfo.tiny), finfo.max, finfo.min, np.inf, -np.inf, np.nan]
    x = np.concatenate([np.array(edges, dtype), rng.uniform(underflow - 2, overflow + 2, 200_000).astype(dtype),
                        rng.uniform(-1, 1, 100_000).astype(dtype),
                        rng.uniform(np.log(finfo.tiny) - 20, np.log(finfo.tiny) + 1, 100_000).astype(dtype)])

    @numba.njit(error_model="numpy")
    def apply(values, out):  # a loop as in a kernel: fast_exp of each element
        for j in range(values.size):
            out[j] = fast_exp(values[j])

    y = np.empty_like(x)
    _jit_runtime._numba()  # registers fast_exp's compiled versions, as a kernel's first call does
    apply(x, y)
    wide = np.float64 if dtype is np.float32 else np.longdouble
    bound = 1 if dtype is np.float32 or np.finfo(np.longdouble).nmant > 52 else 2
    with np.errstate(over="ignore", under="ignore"):
        reference = np.exp(x.astype(wide)).astype(dtype)
    assert y.dtype == dtype
    assert _ulps(y, reference).max() <= bound
    np.testing.assert_array_equal(y[len(edges) - 3 : len(edges)], [np.inf, 0.0, np.nan])
    assert np.isinf(y[11]) and y[14] == 0 and (y < finfo.tiny).any() and (y[y < finfo.tiny] > 0).any()  # subnormals
    assert fast_exp(dtype(1.0)) == pytest.approx(np.e, rel=float(finfo.eps))  # and as plain Python


@pytest.mark.parametrize("dtype, bound", [(np.float32, 4), (np.float64, 3)])
def test_fast_tanh_is_within_a_few_ulps(dtype, bound):
    """The kernels' tanh (layerforge._jit_runtime.fast_tanh, compiled as in a kernel) against
    tanh in a wider float rounded once (float32: float64; float64: long double, or NumPy's
    tanh where long double is double): its polynomial below 1/2, its form from fast_exp
    above (which loses up to a bit just above 1/2: 3.4 ulp float32 at most there, measured
    over 3M values), odd, and +-1 at +-inf and beyond the range where exp overflows."""
    import numba

    finfo = np.finfo(dtype)
    rng = np.random.default_rng(11)
    edges = [0.0, -0.0, finfo.tiny, -finfo.tiny, 0.5, -0.5, np.nextafter(dtype(0.5), dtype(0)), 45.0, 400.0,
             finfo.max, np.inf, -np.inf, np.nan]
    x = np.concatenate([np.array(edges, dtype), rng.uniform(-10, 10, 100_000).astype(dtype),
                        rng.uniform(-0.7, 0.7, 100_000).astype(dtype), rng.uniform(-1e-6, 1e-6, 1000).astype(dtype)])

    @numba.njit(error_model="numpy")
    def apply(values, out):  # a loop as in a kernel: fast_tanh of each element
        for j in range(values.size):
            out[j] = fast_tanh(values[j])

    y = np.empty_like(x)
    _jit_runtime._numba()
    apply(x, y)
    wide = np.float64 if dtype is np.float32 else np.longdouble
    reference = np.tanh(x.astype(wide)).astype(dtype)
    assert y.dtype == dtype
    assert _ulps(np.abs(y), np.abs(reference)).max() <= bound
    numbers = ~np.isnan(x)
    assert (np.signbit(y) == np.signbit(reference))[numbers].all()
    np.testing.assert_array_equal(y[7:13], [1.0, 1.0, 1.0, 1.0, -1.0, np.nan])
    assert fast_tanh(dtype(0.25)) == pytest.approx(np.tanh(0.25), rel=4 * float(finfo.eps))  # and as plain Python


def _signed_ulps(a, b):
    """Units in the last place between two float arrays of any signs (0 where both are NaN or
    both the same infinity): the floats' bits as integers ordered as the floats are."""
    bits = {np.float32: np.int32, np.float64: np.int64}[a.dtype.type]

    def ordered(v):
        n = v.view(bits).astype(np.int64)
        return np.where(n < 0, np.iinfo(bits).min - n, n)

    same = (np.isnan(a) & np.isnan(b)) | (a == b)
    return np.where(same, 0, np.abs(ordered(a) - ordered(b)))


def _in_a_kernel(function, x):
    """``function`` of each element of ``x`` in a loop compiled as a kernel's (FASTMATH)."""
    import numba

    namespace = {"function": function}
    exec("def apply(values, out):\n    for j in range(values.size):\n        out[j] = function(values[j])\n",
         namespace)
    _jit_runtime._numba()  # registers the compiled versions, as a kernel's first call does
    apply = numba.njit(error_model="numpy", fastmath=set(_jit_runtime.FASTMATH))(namespace["apply"])
    y = np.empty_like(x)
    apply(x, y)
    return y


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_log_is_within_two_ulps(dtype):
    """The kernels' log (layerforge._jit_runtime.fast_log, compiled as in a kernel) against
    log in a wider float rounded once (float32: float64; float64: long double, or NumPy's
    log where long double is double, itself within an ulp: then 3), over bit patterns spread
    over every positive float, the subnormals, and around 1 (where log x is small and its
    reduction matters): at most 2 ulp (measured: 2 over every 7th positive float32, and over
    4M float64s). 0 gives -inf, a negative x NaN, inf inf, NaN NaN."""
    finfo = np.finfo(dtype)
    bits, top = {np.float32: (np.int32, 0x7F800000), np.float64: (np.int64, 0x7FF0000000000000)}[dtype]
    rng = np.random.default_rng(13)
    edges = [1.0, finfo.tiny, finfo.smallest_subnormal, finfo.max, np.nextafter(dtype(1), dtype(0)),
             np.nextafter(dtype(1), dtype(2)), 2.0, 0.5, 0.0, -0.0, -1.0, np.inf, -np.inf, np.nan]
    x = np.concatenate([np.array(edges, dtype), rng.integers(1, top, 400_000, dtype=np.int64).astype(bits).view(dtype),
                        rng.uniform(0.5, 2.0, 200_000).astype(dtype), rng.uniform(1 - 1e-3, 1 + 1e-3, 10_000).astype(dtype)])
    y = _in_a_kernel(fast_log, x)
    wide = np.float64 if dtype is np.float32 else np.longdouble
    with np.errstate(divide="ignore", invalid="ignore"):
        reference = np.log(x.astype(wide)).astype(dtype)
    bound = 2 if np.finfo(wide).nmant > np.finfo(dtype).nmant + 5 else 3
    assert y.dtype == dtype
    assert _signed_ulps(y, reference).max() <= bound
    np.testing.assert_array_equal(y[:2], [0.0, np.log(np.float64(finfo.tiny)).astype(dtype)])
    np.testing.assert_array_equal(y[8:14], [-np.inf, -np.inf, np.nan, np.inf, np.nan, np.nan])
    assert fast_log(dtype(np.e)) == pytest.approx(1.0, rel=2 * float(finfo.eps))  # and as plain Python


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_log1p_is_the_helpers_log1p(dtype):
    """fast_log1p in a kernel computes the NumPy helper _log1p's form (log w for w = 1 + x,
    corrected by (x - (w - 1)) / w), whose correction the kernels' reassociation must not fold
    away: against log1p in a wider float, within 3 ulp over [-0.99, 1e4] and tiny values
    (where the correction is all there is: log1p(x) = x), and within 4 ulp relative of the
    helper itself (np.log within one ulp, fast_log within two)."""
    rng = np.random.default_rng(17)
    x = np.concatenate([rng.uniform(-0.99, 1.0, 100_000), np.exp(rng.uniform(-60, 9, 100_000)),
                        -np.exp(rng.uniform(-60, -0.1, 10_000)), [0.0, 1e-30, -1e-30]]).astype(dtype)
    y = _in_a_kernel(fast_log1p, x)
    wide = np.float64 if dtype is np.float32 else np.longdouble
    reference = np.log1p(x.astype(wide)).astype(dtype)
    assert _signed_ulps(y, reference).max() <= 3
    tiny = np.abs(x) < 1e-20
    np.testing.assert_array_equal(y[tiny], x[tiny])
    w = 1 + x  # the helper's form in NumPy (primitives.yaml, log1p)
    helper = np.log(w) + (x - (w - 1)) / w
    np.testing.assert_allclose(y, helper, rtol=4 * float(np.finfo(dtype).eps), atol=0)


# batch_normalization's variants under test: (training, weight, bias, running_mean, running_var,
# shape): training and inference with every array, training without any (batch statistics only,
# affine=False), inference without running_var (batch statistics again) with a weight only.
BATCH_NORM_CASES = [
    (True, True, True, True, True, (4, 3, 5, 6)),
    (False, True, True, True, True, (4, 3, 7)),
    (True, False, False, False, False, (9, 3)),
    (False, True, False, True, False, (2, 3, 4, 5)),
]


@pytest.mark.parametrize("case", BATCH_NORM_CASES, ids=lambda c: "-".join(map(str, c[:5])) + f"-rank{len(c[5])}")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_normalization_matches_numpy(backend, case, dtype):
    """Channel kernels: per-channel statistics over N and the trailing axes, the running
    statistics' update, and the gradients (x's, and the per-channel sums of weight and bias)."""
    training, *present, shape = case
    rng = np.random.default_rng(7)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    weight, bias, running_mean, running_var = (
        (rng.standard_normal(3) + (2.0 if i == 3 else 0.0)).astype(dtype) if on else None for i, on in enumerate(present))
    grad = rng.standard_normal(shape).astype(dtype)

    def call():
        outputs, ctx = batch_normalization.forward(x, weight, bias, running_mean, running_var, training=training)
        return outputs, ctx, batch_normalization.backward(grad, ctx)

    (y1, ctx1, g1), (y0, ctx0, g0) = both(backend, call)
    compiled_ctx = ctx1[1][0] if ctx1[0] is batch_normalization._backward_joined else ctx1
    assert compiled_ctx[0].__name__.startswith("_jit_backward")
    count = x.size // 3  # a channel's sums add this many terms
    for a, b in zip(y1 + g1, y0 + g0):
        close(a, b, dtype, scale=count if a is not None and a.ndim == 1 else 4)


def test_batch_normalization_channels_run_on_threads(backend, monkeypatch):
    """From 4 MB: in_channel_blocks cuts the channels into one run per thread (below, one
    call: handing runs to the pool costs more than it saves); each channel is computed as
    in one call, so two threads give the one-thread result bit for bit."""
    handed = []
    on_threads = _jit_runtime._on_threads
    monkeypatch.setattr(_jit_runtime, "_on_threads", lambda *a: handed.append(a[1]) or on_threads(*a))
    rng = np.random.default_rng(8)
    x = rng.standard_normal((16, 4, 64, 256)).astype(np.float32)
    weight, bias = rng.standard_normal(4).astype(np.float32), rng.standard_normal(4).astype(np.float32)
    grad = rng.standard_normal(x.shape).astype(np.float32)
    threads = layerforge.get_num_threads()
    results = []
    backend("numba")
    try:
        for count in (1, 2):
            layerforge.set_num_threads(count)
            (y, _, _), ctx = batch_normalization.forward(x, weight, bias)
            results.append((y, *batch_normalization.backward(grad, ctx)))
    finally:
        layerforge.set_num_threads(threads)
    assert handed == [range(4)] * 4  # forward's and backward's channels, on one thread, then two
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
    handed.clear()
    backend("numba")
    batch_normalization.forward(x[:, :, :, :128], weight, bias)  # 2 MB: one call
    assert handed == []
    backend("numpy")
    (y0, _, _), ctx = batch_normalization.forward(x, weight, bias)
    for a, b in zip(results[1], (y0, *batch_normalization.backward(grad, ctx))):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=2e-5 * (1 if a.ndim > 1 else 100))


def test_batch_normalization_plans_one_kernel_a_direction():
    """The channel layout: training's forward is one kernel (the running statistics' update
    in it) after the numbers it reads, its backward one kernel; a channel value of inputs
    and statistics (scale * grad_y) is computed in the loop that reads it."""
    from harness import catalog
    from transpiler.errors import Collector
    from transpiler.pipeline import compile_op

    compiled = compile_op(catalog().ops["batch_normalization"], catalog(), Collector())[0]
    for fn, saved in ((compiled.forward, compiled.saved), (compiled.backward, ())):
        planned = jit.plan(fn, catalog().prims, saved)
        kernels = [p for p in planned if isinstance(p, jit.Kernel)]
        assert len(kernels) == 1 and all(p.prim in ("axis_size", "mul", "sub", "bessel_correction")
                                         for p in planned if not isinstance(p, jit.Kernel))
    assert kernels[0].outputs == ["grad_bias", "grad_weight", "grad_x"]
    source = open(batch_normalization.__file__).read()
    backward_kernel = source.split("def _batch_normalization_train_bwd_loops_0(")[1].split("\n\n\n")[0]
    assert backward_kernel.count("for _i in range") == 2 and "_channel" not in backward_kernel


def _sampling_case(dtype, rng, nan=False):
    """Images [3, 4, 5, 6] and a grid [3, 4, 7, 2] of points on and off them: random ones
    past the edges (|x|, |y| up to 1.3), some on pixel centres and on the image's edges of
    either convention (floor's boundaries), one far away; with ``nan``, one NaN point (ours
    weigh it 0, torch's samples are NaN)."""
    x = rng.standard_normal((3, 4, 5, 6)).astype(dtype)
    grid = rng.uniform(-1.3, 1.3, (3, 4, 7, 2))
    grid[0, 0] = [[-1, -1], [1, 1], [-1, 1], [0, 0], [-5 / 6, 0.2], [5 / 6, -0.6], [1 / 3, 0.5]]
    grid[1, 1, 0] = [40.0, -3.0]
    if nan:
        grid[2, 3, 6] = [np.nan, 0.5]
    grad = rng.standard_normal((3, 4, 4, 7)).astype(dtype)
    return x, grid.astype(dtype), grad


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_kernels_match_torch(backend, align_corners, dtype):
    """grid_sample's hand-written kernel (the runtime's bilinear_samples) and its NumPy
    functions, each against F.grid_sample (bilinear, zeros): the samples, the image's and
    the grid's gradients, the three images shared out over two threads. The kernel takes
    the points' coordinates in float64 (NumPy and torch in the dtype) and sums the grid
    gradient over channels in float64: float32 results agree to a few ulps of the sums."""
    torch = pytest.importorskip("torch")
    x, grid, grad = _sampling_case(dtype, np.random.default_rng(7))
    t_x, t_grid = torch.tensor(x, requires_grad=True), torch.tensor(grid, requires_grad=True)
    expected = torch.nn.functional.grid_sample(t_x, t_grid, mode="bilinear", padding_mode="zeros",
                                               align_corners=align_corners)
    expected.backward(torch.tensor(grad))
    threads = layerforge.get_num_threads()
    layerforge.set_num_threads(2)
    try:
        compiled, reference = both(backend, lambda: run(grid_sample, x, grad, grid, align_corners=align_corners))
    finally:
        layerforge.set_num_threads(threads)
    assert compiled[1] == "_jit_backward" and reference[1] == "_backward"
    for y, name, (grad_x, grad_grid) in (compiled, reference):
        assert y.dtype == grad_x.dtype == grad_grid.dtype == dtype, name
        # the grid gradient scales pixels by W / 2 = 3 and sums 4 channels: scale 16
        close(y, expected.detach().numpy(), dtype, scale=2)
        close(grad_x, t_x.grad.numpy(), dtype, scale=4)
        close(grad_grid, t_grid.grad.numpy(), dtype, scale=16)


def test_grid_sample_kernel_in_plain_python_and_strided_input(backend):
    """bilinear_samples' source runs as it is without numba (the NumPy function's values),
    and the compiled twin takes strided views (made C-ordered), weighs a NaN point 0 as the
    NumPy function does, and rejects a bad grid."""
    from layerforge._jit_runtime import bilinear_samples

    x, grid, grad = _sampling_case(np.float64, np.random.default_rng(8), nan=True)
    x_t = np.ascontiguousarray(x.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)  # x, strided
    backend("numba")
    y, ctx = grid_sample.forward(x_t, grid)
    assert ctx[0] is grid_sample._jit_backward
    grad_x, grad_grid = grid_sample.backward(grad[..., ::-1].copy()[..., ::-1], ctx)
    backend("numpy")
    y0, ctx0 = grid_sample.forward(x, grid)
    grad_x0, grad_grid0 = grid_sample.backward(grad, ctx0)
    for a, b in ((y, y0), (grad_x, grad_x0), (grad_grid, grad_grid0)):
        close(a, b, np.float64, scale=16)
    assert np.abs(y[2, :, 3, 6]).max() == 0 and np.abs(grad_grid[2, 3, 6]).max() == 0
    plain_y, plain_x, plain_grid = np.empty((3, 4, 28)), np.empty((3, 4, 30)), np.empty((3, 28, 2))
    args = (x.reshape(3, 4, 30), grid.reshape(3, 28, 2), 5, 6, False, grad.reshape(3, 4, 28))
    bilinear_samples.function(*args[:5], None, plain_y, None, None)
    bilinear_samples.function(*args, None, plain_x, None)
    bilinear_samples.function(*args, None, None, plain_grid)
    close(plain_y.reshape(y0.shape), y0, np.float64)
    close(plain_x.reshape(grad_x0.shape), grad_x0, np.float64)
    close(plain_grid.reshape(grad_grid0.shape), grad_grid0, np.float64, scale=16)
    backend("numba")
    with pytest.raises(ValueError, match=r"grid_sample: argument 'grid' must have shape \[N, H_out, W_out, 2\]"):
        grid_sample.forward(x, np.zeros((3, 4, 7, 3)))


@pytest.mark.parametrize("entry, message", [
    ('foo: {kind: special, args: [a], numpy: "{a}", jit: "compiled_foo({a}, {b})", shape: unknown}',
     "primitive 'foo'.jit: '{b}' is not an operand"),
    ('foo: {kind: special, args: [a], numpy: "{a}", jit: "{a} + 1", shape: unknown}',
     "primitive 'foo'.jit: must be a call of a _jit_runtime function, 'name({operand}, ...)'"),
])
def test_bad_jit_templates_are_spec_errors(tmp_path, entry, message):
    from transpiler.primitives import SpecError, load_primitives

    path = tmp_path / "primitives.yaml"
    path.write_text(entry + "\n")
    with pytest.raises(SpecError) as info:
        load_primitives(path, "primitives.yaml")
    assert message in str(info.value)


def test_a_jit_template_makes_a_twin_without_row_kernels():
    """grid_sample's primitives call the runtime's kernels: its twins are their calls (no row
    kernel in the module), and its -O0 module stays NumPy."""
    from harness import PATHS, catalog
    from transpiler.pipeline import render_op

    source = open(grid_sample.__file__).read()
    assert "y = compiled_grid_sample(x, grid, align_corners)" in source
    assert "grad_x = compiled_grid_sample_image_grad(grad_y, x, grid, align_corners)" in source
    assert "@row_kernel" not in source
    assert "compiled_grid_sample" not in render_op(catalog().ops["grid_sample"], catalog(), PATHS, level=0)


@pytest.mark.parametrize("name", ["layer_normalization", "layer_statistics", "log_softmax", "softmax", "gelu"])
def test_float32_kernels_compute_in_float32(name):
    """numba types a kernel's variables from what is assigned to them: one float64 value (a
    row mean divided by the int width, as layer norm's was: 0.88 ms forward on 4096 x 512,
    0.38 in float32) makes the whole loop float64, half as wide a vector. Every local of
    every kernel an op runs on float32 arrays is float32, except the float64 totals of the
    column sums (``<name>_sums``) and the Python numbers the kernel is given."""
    import inspect

    import numba

    from harness import catalog

    s = catalog().ops[name]
    module = importlib.import_module(f"layerforge.{s.kind}s.{name}")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 16)).astype(np.float32)
    params = [np.ones(16, np.float32) for _ in s.parameters]
    calls = []
    original = RowKernel.__call__

    def recorded(kernel, *args):
        calls.append((kernel, args))
        return original(kernel, *args)

    RowKernel.__call__ = recorded
    try:
        layerforge.set_backend("numba")
        y, ctx = module.forward(x, *params)
        module.backward(*(np.ones_like(v) for v in (y if isinstance(y, tuple) else (y,))), ctx)
    finally:
        RowKernel.__call__ = original
    assert calls
    for kernel, args in calls:
        fresh = numba.njit(nogil=True, fastmath=set(kernel.fastmath), error_model="numpy")(kernel.function)
        fresh(*(a.copy() if isinstance(a, np.ndarray) else a for a in args))
        (compiled,) = fresh.overloads.values()
        given = set(inspect.signature(kernel.function).parameters)
        wide = {variable: str(kind) for variable, kind in compiled.type_annotation.typemap.items()
                if "float64" in str(kind) and not variable.startswith(("$", "arg."))
                and variable.split(".")[0] not in given and not variable.endswith("_sums")}
        assert not wide, (kernel.__name__, wide)


def test_cheap_row_values_are_computed_again_not_kept():
    """A row value a later loop of the kernel reads is computed again there when its chain
    back to the kernel's inputs is a few cheap statements (layer norm's x_hat = (x - mu) *
    rstd, log_softmax's shifted = x - max), and kept in a row of scratch memory otherwise
    (softmax's exponentials: exp is not cheap)."""
    import inspect

    backward = inspect.getsource(layer_normalization._layer_normalization_bwd_loops_0.function)
    assert "np.empty" not in backward and backward.count("x_hat = _t4 * rstd[_row, 0]") == 2
    forward = inspect.getsource(log_softmax._log_softmax_fwd_loops_0.function)
    assert "np.empty" not in forward and forward.count("shifted = x[_row, _j] - _t1") == 2
    assert "exponentials_row = np.empty(_n, x.dtype)" in inspect.getsource(softmax._softmax_fwd_loops_0.function)
    # a row value its own loop does not use moves into the loop that does: log_softmax's
    # backward sums grad_y alone, then computes exp(y) once where grad_x needs it
    backward = inspect.getsource(log_softmax._log_softmax_bwd_loops_0.function)
    assert "np.empty" not in backward and backward.count("fast_exp(") == 1
    assert backward.index("+= grad_y[_row, _j]") < backward.index("fast_exp(y[_row, _j])")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_max_is_np_max(dtype):
    """fast_max (the integer comparison of the floats' bits) against np.max, compiled and in
    plain Python: NaN of either sign anywhere makes NaN, infinities, -0 and +0 (either
    may be returned where both are the largest: they compare equal), subnormals, rows of
    one element and rows not a multiple of the vector width."""
    from layerforge._jit_runtime import _numba, fast_max

    _numba()

    def maxima(values, out):
        for i in range(values.shape[0]):
            out[i] = fast_max(values[i])

    tiny = np.finfo(dtype).smallest_subnormal
    rng = np.random.default_rng(5)
    cases = [rng.standard_normal(37), -rng.uniform(1, 2, 17), [np.nan, 1.0, 2.0], [1.0, 2.0, -np.nan],
             [np.inf, 1.0], [-np.inf, -np.inf], [-np.inf, -1e30], [-0.0, -1.0], [0.0, -0.0], [-tiny, -2 * tiny],
             [tiny, 0.0], [-5.0], np.full(100, -3.0)]
    width = max(len(c) for c in cases)
    for kernel in (RowKernel(maxima), maxima):
        for case in cases:
            row = np.full((1, width), np.nan, dtype)[:, :len(case)].copy()
            row[0] = case
            out = np.empty(1, dtype)
            kernel(row, out)
            expected = np.max(row)
            assert out[0] == expected or (np.isnan(out[0]) and np.isnan(expected)), (case, out[0], expected)


def test_packed_gates_are_summed_in_the_step_kernel():
    """The LSTM step's packed gates (x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh,
    [..., 4 * H], the input projection hoisted and its bias sunk into the step) are read
    only by the four chunks: the kernel sums them at each gate's offset (wide values,
    transpiler/jit.py _wide) instead of NumPy's three passes over the packed rows before it.
    The GRU's step reads its packed input projection the same way, at each gate's offset."""
    import inspect

    from layerforge.layers import gru, lstm

    twin = inspect.getsource(lstm._jit_forward_no_batch_first_step)
    assert "hoisted_1 +" not in twin and "+ bias_hh" not in twin and "+ bias_ih" not in twin
    kernel = "".join(inspect.getsource(lstm._lstm_no_batch_first_step_fwd_loops_0.function).split())
    for gate in range(4):
        offset = f"{gate}*_n+_j" if gate else "_j"
        assert f"((hoisted_1[_row,{offset}]+bias_ih[{offset}])+_t1[_row,{offset}])+bias_hh[{offset}]" in kernel
    twin = inspect.getsource(gru._jit_forward_no_batch_first_step)
    assert "+ bias_hh" not in twin and "+ bias_ih" not in twin
    kernel = inspect.getsource(gru._gru_no_batch_first_step_fwd_loops_0.function)
    for gate in range(3):
        offset = f"{gate} * _n + _j" if gate else "_j"
        assert f"hoisted_1[_row, {offset}] + bias_ih[{offset}]" in kernel


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_masked_softmax_is_the_helpers(dtype):
    """The runtime's compiled_masked_softmax (masked_softmax's ``jit`` template) against the
    NumPy helper it stands for: ordinary rows, a row of -inf (every key masked: zeros), rows
    partly -inf, a NaN (a NaN row, as np.max and np.exp make it), +inf (NaN where inf - inf),
    large scores, and no rows or no keys at all."""
    from layerforge.layers import multi_head_attention

    rng = np.random.default_rng(5)
    scores = (rng.standard_normal((2, 9, 37)) * 4).astype(dtype)
    scores[0, 1] = -np.inf
    scores[0, 2, ::3] = -np.inf
    scores[0, 3, 5] = np.nan
    scores[0, 4, 7] = np.inf
    scores[1, 0] *= 30  # exponentials down to underflow
    for case in (scores, scores[:, :0], scores[..., :0], scores[..., :1]):
        got = _jit_runtime.compiled_masked_softmax(case)
        with np.errstate(invalid="ignore"):  # inf - inf, the NaN expected
            want = multi_head_attention._masked_softmax(case.copy())
        assert got.dtype == case.dtype and got.shape == case.shape
        np.testing.assert_allclose(got, want, rtol=4 * np.finfo(dtype).eps, atol=TOL[dtype] / 4)
    assert not got.size or (got[0, 1] == 0).all()
    got = _jit_runtime.compiled_masked_softmax(scores)
    assert (got[0, 1] == 0).all() and np.isnan(got[0, 3]).all() and np.isnan(got[0, 4, 7])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["multi_head_attention"])
def test_attention_layers_match_numpy(backend, monkeypatch, name, dtype):
    """The layers whose compiled twins call compiled_masked_softmax on their attention scores
    (the spec's test sizes and masks, every key of the last query hidden where there is a
    boolean attn_mask), compiled against NumPy, forward and every gradient."""
    from harness import attributes, make_arrays, module, spec

    op = spec(name)
    arrays = make_arrays(op, 2, dtype, seed=7)
    for mask in ("attn_mask", "tgt_mask"):
        if arrays.get(mask) is not None and arrays[mask].dtype == bool:
            arrays[mask][..., -1, :] = True  # a query that sees no key: zeros
    mod = module(op)
    attrs = attributes(op)
    calls = []
    monkeypatch.setattr(mod, "compiled_masked_softmax",
                        lambda a: calls.append(a.shape) or _jit_runtime.compiled_masked_softmax(a))

    def run_both():
        y, ctx = mod.forward(**arrays, **attrs)
        grads = mod.backward(np.linspace(-1, 1, y.size).reshape(y.shape).astype(dtype), ctx)
        return y, ctx[0].__name__, grads

    (y1, name1, g1), (y0, name0, g0) = both(backend, run_both)
    assert calls and not name0.startswith("_jit")  # the compiled twin ran, then NumPy's function
    scale = max(1.0, float(np.abs(y0).max()))
    close(y1, y0, dtype, scale=16 * scale)
    for a, b in zip(g1, g0):
        close(a, b, dtype, scale=64 * max(1.0, float(np.abs(b).max())) if b is not None else 1.0)


def test_step_backward_kernel_stores_vector_by_vector():
    """LLVM vectorizes the LSTM step's backward kernel, which writes the four gate blocks of
    one array: through the [B, 4, H] view of ``blocks`` (transpiler/jit.py) its optimized IR
    stores whole vectors of floats. Written at offsets ``gate * H`` of [B, 4 * H] rows it
    stored none (the loop stayed scalar: LLVM cannot rule out H below a vector's width)."""
    import re

    import numba

    from layerforge.layers import lstm

    _jit_runtime._numba()  # the noalias pipeline row kernels compile with
    kernel = lstm._lstm_no_batch_first_step_bwd_loops_0
    compiled = numba.njit(nogil=True, fastmath=set(kernel.fastmath), error_model="numpy",
                          pipeline_class=_jit_runtime._state["apart"])(kernel.function)  # no disk cache
    batch, hidden = 3, 16
    arrays = [np.ones((batch, hidden), np.float32) for _ in range(10)]
    compiled(*arrays, np.empty((batch, 4, hidden), np.float32))
    assert re.search(r"store <\d+ x float>", "".join(compiled.inspect_llvm().values()))


def test_step_backward_kernel_writes_the_joined_gate_gradients():
    """The LSTM step's backward joins its four gate gradients into the packed rows [B, 4 * H]
    that the deferred products read (join_blocks_4): the kernel that computes them writes each
    as its gate's block of that array seen as [B, 4, H] (transpiler/jit.py _joined_after; the
    runtime's ``blocks``, so that LLVM vectorizes the stores), with no four arrays and no
    np.concatenate copying them; the driver's [T, B, 4 * H] buffer row is that array, and
    the result is NumPy's to the last bit's tolerance."""
    import inspect

    from layerforge.layers import lstm

    twin = inspect.getsource(lstm._jit_backward_no_batch_first_step)
    assert "np.concatenate" not in twin and "blocks(grad_gates, 4)" in twin
    kernel = "".join(inspect.getsource(lstm._lstm_no_batch_first_step_bwd_loops_0.function).split())
    # PyTorch's gate order: input, forget, cell, output
    for gate, value in enumerate(("_t17", "_t14", "_t11", "_t8")):
        assert f"grad_gates_out[_row,{gate},_j]={value}" in kernel
    rng = np.random.default_rng(3)
    batch, hidden = 5, 7
    grads = [rng.standard_normal((batch, hidden)) for _ in range(3)]
    saved = [rng.uniform(0.1, 0.9, (batch, hidden)) for _ in range(6)]
    weight_hh = rng.standard_normal((4 * hidden, hidden))
    args = (*grads[:2], grads[2], saved[0], weight_hh, *saved[1:])
    given = np.full((batch, 4 * hidden), np.nan)
    compiled = lstm._jit_backward_no_batch_first_step(*args, out_grad_gates=given)
    reference = lstm._backward_no_batch_first_step(*args)
    assert compiled[2] is given
    for got, want in zip(compiled, reference):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)  # float64: a few ulps apart


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_expm1_in_a_kernel_is_within_a_few_ulps(dtype):
    """expm1 in a kernel is tanh(a / 2) (exp(a) + 1) by fast_tanh and fast_exp (the NumPy
    helper's form: nothing cancels near 0): against expm1 in a wider float rounded once, at
    most 3 ulp measured over 400k values in [-20, 20] and [-1, 1] and tiny ones; 4 allowed.
    -0 stays -0, -inf gives -1, +inf and overflow inf, NaN passes through."""
    import numba

    form = jit.ELEMENT["expm1"].format(a="a")
    namespace = {"fast_tanh": fast_tanh, "fast_exp": fast_exp, "np": np}
    exec(f"def apply(values, out):\n    _float = values.dtype.type\n    for j in range(values.size):\n"
         f"        a = values[j]\n        out[j] = {form}\n", namespace)
    _jit_runtime._numba()
    apply = numba.njit(error_model="numpy", fastmath=set(_jit_runtime.FASTMATH))(namespace["apply"])
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-20, 20, 100_000), rng.uniform(-1, 1, 100_000), rng.uniform(-1e-5, 1e-5, 1000),
                        [0.0, -0.0, np.inf, -np.inf, np.nan, 80.0]]).astype(dtype)
    y = np.empty_like(x)
    apply(x, y)
    wide = np.float64 if dtype is np.float32 else np.longdouble
    reference = np.expm1(x.astype(wide)).astype(dtype)
    finite = np.isfinite(reference)
    assert _ulps(np.abs(y[finite]), np.abs(reference[finite])).max() <= 4
    assert (np.signbit(y) == np.signbit(reference))[~np.isnan(x)].all()
    np.testing.assert_array_equal(y[-6:-1], [0.0, -0.0, np.inf, -1.0, np.nan])


def test_generated_kernels_tell_numba_their_arrays_are_apart():
    """A generated kernel's twin allocates every array the kernel writes, and ``row_kernel``
    tells numba so (``noalias`` on the arrays' data): without it LLVM vectorizes each loop
    behind run-time overlap checks, which fail for some places malloc puts the arrays (a
    1-D parameter read at a gate's offset just below an output: the GRU step's forward
    kernel then ran scalar, 180 us against 24). Here the GRU step kernel gets its bias right
    below its first output in one buffer: what it computes is what it computes on separate
    arrays, and the compiled code marks the data pointers noalias. The runtime's
    hand-written kernels stay without the mark."""
    import inspect

    import numba

    from layerforge.layers import gru

    kernel = gru._gru_no_batch_first_step_fwd_loops_0
    assert kernel.apart and not _jit_runtime.depthwise_conv.apart and not _jit_runtime.bilinear_samples.apart
    rng = np.random.default_rng(0)
    batch, hidden = 4, 32
    names = list(inspect.signature(kernel.function).parameters)  # the packed rows, biases, h, outputs
    width = {name: hidden if name == "h" or name.endswith("_out") else 3 * hidden for name in names}
    inputs = {name: rng.standard_normal(width[name] if name.startswith("bias") else (batch, width[name]))
              .astype(np.float32) for name in names if not name.endswith("_out")}
    outputs = [name for name in names if name.endswith("_out")]
    arena = np.zeros(3 * hidden + len(outputs) * batch * hidden, np.float32)
    bias = next(name for name in names if name.startswith("bias"))
    arena[: 3 * hidden] = inputs[bias]
    near = {**inputs, bias: arena[: 3 * hidden]}
    packed = [arena[3 * hidden + i * batch * hidden:][: batch * hidden].reshape(batch, hidden)
              for i in range(len(outputs))]
    apart = [np.empty((batch, hidden), np.float32) for _ in outputs]
    kernel(*inputs.values(), *apart)
    kernel(*near.values(), *packed)
    for got, want in zip(packed, apart):
        np.testing.assert_array_equal(got, want)
    # a fresh compilation (a cached one keeps no IR) with the options row_kernel gives
    fresh = numba.njit(nogil=True, fastmath=set(kernel.fastmath), error_model="numpy",
                       pipeline_class=_jit_runtime._state["apart"])(kernel.function)
    fresh(*near.values(), *packed)
    (ir,) = fresh.inspect_llvm().values()
    header = next(line for line in ir.splitlines() if line.startswith("define") and "_gru_no_batch_first" in line)
    assert header.count("noalias") >= 11  # each array's data pointer (and numba's own return slots)
