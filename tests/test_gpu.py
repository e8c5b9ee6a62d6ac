"""CuPy on a real GPU: every op and variant against the NumPy module (skipped without one).

The cases, inputs and tolerances are those of ``scripts/gpu_check.py`` (float64 rtol 1e-9,
float32 rtol 1e-4: CUDA's FMA contraction, its exp/tanh within 2 ulp, another summation order).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from harness import ROOT, names


def gpu_available() -> bool:
    try:
        import cupy
    except ImportError:
        return False
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - a CUDA driver error means no usable GPU
        return False


pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not gpu_available(), reason="needs CuPy and a CUDA device")]


@pytest.fixture(scope="module")
def gpu_check():
    sys.path.insert(0, str(ROOT / "scripts"))
    import gpu_check

    return gpu_check


@pytest.mark.parametrize("name", names("activation") + names("layer"))
def test_cupy_matches_numpy(gpu_check, name):
    import cupy

    rows = gpu_check.parity(cupy, [name])
    failed = [r for r in rows if not r["ok"]]
    assert not failed, failed


def test_kernels_are_built_once_and_named():
    import cupy
    from layerforge.activations import gelu

    x = cupy.linspace(-3, 3, 1000, dtype=cupy.float32)
    y, ctx = gelu.forward(x)
    gelu.forward(x)
    assert isinstance(y, cupy.ndarray) and y.dtype == np.float32
    # Same-shape contiguous arrays run the flat kernel; a strided view runs the same body as a
    # cupy.ElementwiseKernel.
    assert set(gelu._gelu_none_fwd_0._flat) == {"float"} and gelu._gelu_none_fwd_0._kernel is None
    grid = cupy.linspace(-3, 3, 2000, dtype=cupy.float64).reshape(2, 1000)
    y_strided, _ = gelu.forward(grid[:, ::2])
    assert gelu._gelu_none_fwd_0._kernel is not None and gelu._gelu_none_fwd_0._kernel.name == "gelu_none_fwd_0"
    np.testing.assert_allclose(cupy.asnumpy(y_strided), gelu.forward(cupy.asnumpy(grid)[:, ::2])[0], rtol=1e-12)


def test_row_kernels_run_on_the_device():
    """The row-reduction and per-row kernels (softmax, sparsemax, maxout) against NumPy."""
    import cupy
    from layerforge.activations import maxout, softmax, sparsemax

    x = np.random.default_rng(0).standard_normal((64, 48))
    for module, kernel in ((softmax, "_softmax_fwd_0"), (sparsemax, "_sparsemax_fwd_0"), (maxout, "_maxout_fwd_0")):
        y_ref, ctx_ref = module.forward(x)
        y, ctx = module.forward(cupy.asarray(x))
        np.testing.assert_allclose(cupy.asnumpy(y), y_ref, rtol=1e-9, atol=1e-12)
        grad = np.ones_like(y_ref)
        np.testing.assert_allclose(cupy.asnumpy(module.backward(cupy.asarray(grad), ctx)),
                                   module.backward(grad, ctx_ref), rtol=1e-9, atol=1e-12)
        built = getattr(module, kernel)
        assert built._kernels if hasattr(built, "_kernels") else built._kernel is not None


# Row lengths for the row programs' launch shapes: a warp per row with its elements in
# registers (33, 1000), a block per row (5000: 256 threads), and rows longer than a block's
# registers hold (40000: 1024 threads, the elements past 32768 read again from memory).
@pytest.mark.parametrize("n", [33, 1000, 5000, 40000])
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "layer_normalization"])
def test_row_programs_on_long_and_short_rows(name, n):
    import cupy
    from harness import module, spec

    s = spec(name)
    rng = np.random.default_rng(n)
    arrays = {"x": rng.standard_normal((6, n)) * 3, "weight": rng.standard_normal(n), "bias": rng.standard_normal(n)}
    given = [arrays[d.name] for d in s.arrays]
    mod = module(s)
    y_ref, ctx_ref = mod.forward(*given)
    y, ctx = mod.forward(*(cupy.asarray(a) for a in given))
    np.testing.assert_allclose(cupy.asnumpy(y), y_ref, rtol=1e-9, atol=1e-12)
    grad = rng.standard_normal(y_ref.shape)
    for got, want in zip(mod.backward(cupy.asarray(grad), ctx) if s.kind == "layer" else (mod.backward(cupy.asarray(grad), ctx),),
                         mod.backward(grad, ctx_ref) if s.kind == "layer" else (mod.backward(grad, ctx_ref),)):
        np.testing.assert_allclose(cupy.asnumpy(got), want, rtol=1e-9, atol=1e-9)
