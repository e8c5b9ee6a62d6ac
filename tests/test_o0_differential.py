"""Every op, optimized (the generated package) against -O0 (no passes), on the same inputs.

The passes may reorder products and replace x**n by products, which changes results by a
few units in the last place: float64 must agree to 1e-12 relative, float32 to 1e-6 relative
(absolute floors of 1e-14 and 1e-7 for values that round to zero). Both run the NumPy
target: the compiled twins (row sums in float64, in another order) are held to NumPy's
results by tests/test_jit.py, with tolerances of their own.
"""

from __future__ import annotations

import functools
import types

import numpy as np
import pytest

from harness import (PATHS, as_tuple, attributes, catalog, grad_outputs, make_arrays, module, modes, names,
                     run_forward, spec)
import layerforge
from transpiler.pipeline import load_op

TOL = {np.float64: dict(rtol=1e-12, atol=1e-14), np.float32: dict(rtol=1e-6, atol=1e-7)}


@functools.lru_cache(maxsize=None)
def o0(name: str) -> types.ModuleType:
    return load_op(spec(name), catalog(), PATHS, level=0)


@pytest.fixture(autouse=True)
def numpy_backend():
    before = layerforge.get_backend()
    layerforge.set_backend("numpy")
    yield
    layerforge.set_backend(before)


def cases():
    for name in names("activation"):
        yield name, {}
    for activation in spec("dense").slot.fused:
        yield "dense", {"activation": activation}
    for name in names("layer"):  # every other layer with its default activation, if it has a slot
        if name != "dense":
            yield name, {}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name, extra", list(cases()), ids=[f"{n}-{e.get('activation', '')}" for n, e in cases()])
def test_optimized_equals_o0(name, extra, dtype):
    s = spec(name)
    assert o0(name).__doc__ == module(s).__doc__
    for training in modes(s):
        attrs = {**attributes(s, training), **extra}
        arrays = make_arrays(s, 32, dtype)
        y1, c1 = run_forward(s, arrays, attrs)
        y2, c2 = run_forward(s, arrays, attrs, mod=o0(name))
        tol = TOL[dtype]
        if s.scan is not None:
            # A recurrence passes one step's rounding difference through every later step, and
            # its parameter gradients sum T * B rows with cancellation: float32 agrees to about
            # T * B ulps of the largest values (1e-5 here), float64 to T times its own tolerance.
            steps = arrays[s.scan.sequences[0]].shape[0]
            tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12 * steps, atol=1e-14 * steps)
        for a, b in zip(as_tuple(y1), as_tuple(y2)):
            np.testing.assert_allclose(a, b, **tol)
        dy = [np.random.default_rng(3).standard_normal(o.shape).astype(dtype) for o in grad_outputs(s, y1)]
        for a, b in zip(as_tuple(module(s).backward(*dy, c1)), as_tuple(o0(name).backward(*dy, c2))):
            if b is None:  # an absent optional array's gradient
                assert a is None
                continue
            assert a.dtype == b.dtype == dtype
            np.testing.assert_allclose(a, b, **tol)


def test_inputs_are_never_written():
    """Fusion writes only into fresh buffers: the caller's arrays and dy stay untouched."""
    for name in names("activation"):
        s = spec(name)
        for training in modes(s):
            arrays = make_arrays(s, 16, np.float64)
            copies = {k: v.copy() for k, v in arrays.items()}
            y, ctx = run_forward(s, arrays, attributes(s, training))
            dy = np.ones_like(as_tuple(y)[0])
            module(s).backward(dy, ctx)
            for k in arrays:
                np.testing.assert_array_equal(arrays[k], copies[k], err_msg=f"{name} wrote into {k}")
            np.testing.assert_array_equal(dy, np.ones_like(dy), err_msg=f"{name} wrote into grad_y")
