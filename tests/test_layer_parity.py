"""Layers against PyTorch (CPU) as an independent oracle, forward and backward, float32 and
float64.

Tolerances, by dtype: float64 results agree to the rounding of the sums involved (the
longest here is a convolution's C_in * kH * kW = 27 terms, or a batch norm's N * H * W
terms summed in a different order), so rtol 1e-9 with an absolute floor of 1e-12 for values
that cancel to near zero. float32 (eps 1.2e-7): matrix products and reductions of up to a
few hundred terms, summed in a different order and blocking than PyTorch's kernels, differ
by a few hundred ulps in the worst element, so rtol 1e-4; an element that cancels to near
zero (a weight gradient summing 432 terms of size ~4 to 0.02) keeps the absolute error of
the terms, about n * eps * |term|, so the absolute floor is 2e-5 times the largest
reference value of the array (at least 1). A wrong formula is off by O(1) relative.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harness import module, spec

TOL = {np.float64: dict(rtol=1e-9, atol=1e-12), np.float32: dict(rtol=1e-4, atol=2e-5)}
DTYPES = [np.float64, np.float32]
# Largest |ours - torch| / (atol + rtol |torch|) seen per layer, for the report.
WORST: dict[str, float] = {}


def draw(shape, dtype, seed=0, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def compare(ours, theirs, dtype, what):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    assert ours.dtype == dtype, f"{what}: dtype {ours.dtype}, expected {np.dtype(dtype)}"
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, expected {theirs.shape}"
    tol = dict(TOL[dtype])
    if dtype == np.float32:
        tol["atol"] *= max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
    ratio = float(np.max(np.abs(ours - theirs) / (tol["atol"] + tol["rtol"] * np.abs(theirs)), initial=0.0))
    key = f"{what.split()[0]} {np.dtype(dtype).name}"
    WORST[key] = max(WORST.get(key, 0.0), ratio)
    np.testing.assert_allclose(ours, theirs, err_msg=what, **tol)


def check(name, arrays, torch_fn, dtype, attrs=None, outputs=1):
    """Run our forward and backward and PyTorch's autograd on the same arrays and cotangents."""
    mod = module(spec(name))
    y, ctx = mod.forward(*arrays.values(), **(attrs or {}))
    ys = y if outputs > 1 else (y,)
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    expected = torch_fn(**tensors)
    expected = expected if isinstance(expected, tuple) else (expected,)
    cotangents = [draw(o.shape, dtype, seed=10 + i) for i, o in enumerate(ys)]
    for i, (ours, theirs) in enumerate(zip(ys, expected)):
        compare(ours, theirs, dtype, f"{name} forward[{i}]")
    torch.autograd.backward(expected, [torch.tensor(c) for c in cotangents])
    grads = mod.backward(*cotangents, ctx)
    grads = grads if isinstance(grads, tuple) else (grads,)
    assert len(grads) == len(spec(name).differentiable)
    for (key, tensor), grad in zip(tensors.items(), grads):
        compare(grad, tensor.grad, dtype, f"{name} grad_{key}")
    return y, ctx


@pytest.mark.parametrize("dtype", DTYPES)
def test_flatten(dtype):
    check("flatten", {"x": draw((5, 3, 4, 6), dtype)}, lambda x: torch.nn.Flatten()(x), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_reshape(dtype):
    check("reshape", {"x": draw((5, 24), dtype)}, lambda x: x.reshape(5, 2, -1, 3), dtype, {"shape": (5, 2, -1, 3)})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation, torch_act", [("identity", lambda z: z), ("relu", F.relu),
                                                    ("softmax", lambda z: F.softmax(z, -1))])
def test_add_multiply_residual(dtype, activation, torch_act):
    a, b = draw((7, 3, 5), dtype, 1), draw((7, 3, 5), dtype, 2)
    check("add", {"a": a, "b": b}, lambda a, b: torch_act(a + b), dtype, {"activation": activation})
    check("multiply", {"a": a, "b": b}, lambda a, b: torch_act(a * b), dtype, {"activation": activation})
    check("residual", {"x": a, "branch": b}, lambda x, branch: torch_act(x + branch), dtype,
          {"activation": activation})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [-1, 1, 0])
def test_concatenate(dtype, axis):
    shape_b = [4, 3, 6]
    shape_b[axis] = 2
    a, b = draw((4, 3, 6), dtype, 1), draw(tuple(shape_b), dtype, 2)
    check("concatenate", {"a": a, "b": b}, lambda a, b: torch.tanh(torch.cat([a, b], dim=axis)), dtype,
          {"axis": axis, "activation": "tanh"})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis, size", [(-1, 2), (1, 1), (0, 3)])
def test_split(dtype, axis, size):
    x = draw((5, 4, 7), dtype)
    n = x.shape[axis]
    check("split", {"x": x}, lambda x: torch.split(x, [size, n - size], dim=axis), dtype,
          {"dim": axis, "split_size_or_sections": (size, n - size)}, outputs=2)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation, torch_act", [("gelu", F.gelu),
                                                    ("softsign", F.softsign)])
def test_activation_layer(dtype, activation, torch_act):
    check("activation", {"x": draw((6, 9), dtype)}, lambda x: torch_act(x), dtype, {"activation": activation})


@pytest.mark.parametrize("dtype", DTYPES)
def test_input(dtype):
    check("input", {"x": draw((6, 9), dtype)}, lambda x: x * 1, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_mean(dtype, axis):
    check("mean", {"x": draw((6, 5, 4), dtype)}, lambda x: torch.mean(x, dim=axis), dtype, {"dim": axis})


@pytest.mark.parametrize("dtype", DTYPES)
def test_padding(dtype):
    check("padding", {"x": draw((3, 2, 5, 4), dtype)}, lambda x: F.relu(F.pad(x, (1, 1, 2, 2))), dtype,
          {"pad": (1, 1, 2, 2), "activation": "relu"})


@pytest.mark.parametrize("dtype", DTYPES)
def test_cropping(dtype):
    check("cropping", {"x": draw((3, 2, 7, 6), dtype)}, lambda x: x[:, :, 1:5, 0:3], dtype,
          {"crop": (0, 3, 1, 2)})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [1, 2, 3])
def test_upsampling(dtype, scale):
    check("upsampling", {"x": draw((3, 2, 4, 5), dtype)},
          lambda x: F.interpolate(x, scale_factor=scale, mode="nearest"), dtype, {"scale_factor": scale})


@pytest.mark.parametrize("dtype", DTYPES)
def test_feed_forward_and_fully_connected(dtype):
    x, w, b = draw((8, 5), dtype, 1), draw((3, 5), dtype, 2), draw((3,), dtype, 3)
    check("fully_connected", {"x": x, "weight": w, "bias": b}, lambda x, weight, bias: F.silu(F.linear(x, weight, bias)),
          dtype, {"activation": "silu"})
    check("feed_forward", {"x": x, "weight": w, "bias": b},
          lambda x, weight, bias: F.elu(F.linear(x, weight, bias)), dtype, {"activation": "elu"})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 1.0])
def test_dropout_with_the_mask_it_drew(dtype, p):
    """PyTorch cannot draw NumPy's mask, so it gets ours: the mask comes from a forward of
    ones with the same seed; PyTorch's own dropout backward (native_dropout_backward) then
    gives the reference gradient, and the drop rate must match p."""
    dropout = module(spec("dropout"))
    x = draw((64, 300), dtype)
    y, ctx = dropout.forward(x, p=p, rng=np.random.default_rng(5))
    mask, _ = dropout.forward(np.ones_like(x), p=p, rng=np.random.default_rng(5))
    keep = mask != 0
    scale = 1 / (1 - p) if p < 1 else 0.0
    np.testing.assert_array_equal(mask[keep], dtype(scale))
    assert abs((~keep).mean() - p) < 0.01  # 19200 draws: 4 standard deviations at p = 0.5
    xt = torch.tensor(x)
    compare(y, xt * torch.tensor(keep) * scale, dtype, "dropout forward")
    dy = draw(x.shape, dtype, seed=3)
    expected = torch.ops.aten.native_dropout_backward(torch.tensor(dy), torch.tensor(keep), scale)
    compare(dropout.backward(dy, ctx), expected, dtype, "dropout grad_x")
    y_eval, ctx_eval = dropout.forward(x, p=p, training=False)
    np.testing.assert_array_equal(y_eval, x)
    np.testing.assert_array_equal(dropout.backward(dy, ctx_eval), dy)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(32, 17), (4, 6, 33)])
def test_layer_normalization(dtype, shape):
    arrays = {"x": draw(shape, dtype, 1, -3, 5), "weight": draw(shape[-1:], dtype, 2), "bias": draw(shape[-1:], dtype, 3)}
    check("layer_normalization", arrays,
          lambda x, weight, bias: F.layer_norm(x, shape[-1:], weight, bias, eps=1e-3), dtype, {"eps": 1e-3})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("training", [True, False])
def test_batch_normalization_with_running_statistics(dtype, training):
    """Forward, backward and the running statistics: PyTorch updates the buffers it is given
    in place (running_var with the unbiased batch variance); ours returns them."""
    arrays = {"x": draw((8, 3, 5, 4), dtype, 1, -1, 3), "weight": draw((3,), dtype, 2),
              "bias": draw((3,), dtype, 3)}
    running_mean, running_var = draw((3,), dtype, 4), draw((3,), dtype, 5, 0.5, 1.5)
    torch_mean, torch_var = torch.tensor(running_mean), torch.tensor(running_var)

    def reference(x, weight, bias):
        return F.batch_norm(x, torch_mean, torch_var, weight, bias, training=training, momentum=0.3, eps=1e-4)

    bn = module(spec("batch_normalization"))
    (y, new_mean, new_var), ctx = bn.forward(*arrays.values(), running_mean, running_var, momentum=0.3,
                                             eps=1e-4, training=training)
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    expected = reference(**tensors)
    compare(y, expected, dtype, "batch_normalization forward")
    compare(new_mean, torch_mean, dtype, "batch_normalization running_mean")
    compare(new_var, torch_var, dtype, "batch_normalization running_var")
    dy = draw(y.shape, dtype, 6)
    expected.backward(torch.tensor(dy))
    for (key, tensor), grad in zip(tensors.items(), bn.backward(dy, ctx)):
        compare(grad, tensor.grad, dtype, f"batch_normalization grad_{key}")
    # The buffers passed in are never modified.
    np.testing.assert_array_equal(running_mean, draw((3,), dtype, 4))


# (kernel, stride, padding): windows that tile the input, overlap, or skip cells (stride > kernel),
# down to single cells
POOL_CASES = [(2, 2, 0), (3, 2, 1), (3, 1, 1), (2, 1, 0), (2, 3, 0), (3, 3, 1), (1, 2, 0)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kernel, stride, padding", POOL_CASES)
def test_max_and_avg_pooling(dtype, kernel, stride, padding):
    x = {"x": draw((4, 3, 9, 8), dtype)}
    attrs = {"kernel_size": kernel, "stride": stride, "padding": padding}
    check("max_pooling", x, lambda x: F.max_pool2d(x, kernel, stride, padding), dtype, attrs)
    check("avg_pooling", x, lambda x: F.avg_pool2d(x, kernel, stride, padding, count_include_pad=True), dtype, attrs)
    check("pooling", x, lambda x: F.max_pool2d(x, kernel, stride, padding), dtype, {**attrs, "kind": "max"})
    check("pooling", x, lambda x: F.avg_pool2d(x, kernel, stride, padding), dtype, {**attrs, "kind": "average"})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("stride", [1, 2])  # overlapping windows, and windows that tile the input
def test_max_pooling_ties_go_to_the_first_maximum(dtype, stride):
    """Equal values in a window: PyTorch's CPU kernel also picks the first in row-major order."""
    x = {"x": np.round(draw((2, 2, 6, 6), dtype) * 2) / 2}  # few distinct values: many ties
    check("max_pooling", x, lambda x: F.max_pool2d(x, 2, stride, 0), dtype, {"kernel_size": 2, "stride": stride})


@pytest.mark.parametrize("dtype", DTYPES)
def test_global_pooling(dtype):
    x = {"x": draw((5, 3, 7, 6), dtype)}
    check("global_pooling", x, lambda x: F.adaptive_avg_pool2d(x, 1), dtype)
    check("global_pooling", x, lambda x: F.adaptive_max_pool2d(x, 1), dtype, {"kind": "max"})


CONV_CASES = [  # (C_in, C_out, kH, kW, stride, padding, dilation, H, W)
    (3, 4, 3, 3, 1, 0, 1, 8, 9),
    (3, 4, 3, 3, 1, 1, 1, 8, 9),
    (2, 5, 3, 2, 2, 1, 1, 9, 7),
    (3, 2, 3, 3, 2, 2, 2, 10, 11),
    (4, 3, 1, 1, 1, 0, 1, 5, 6),
    (2, 3, 3, 2, 1, 2, 2, 9, 10),  # stride 1 (implicit columns) with dilation, non-square
    (3, 2, 3, 3, 1, 3, 1, 6, 5),  # padding past the kernel's reach: the input gradient is cropped
    (2, 3, 5, 5, 3, 0, 1, 11, 13),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("c_in, c_out, kh, kw, stride, padding, dilation, h, w", CONV_CASES)
def test_convolution(dtype, c_in, c_out, kh, kw, stride, padding, dilation, h, w):
    arrays = {"x": draw((6, c_in, h, w), dtype, 1), "weight": draw((c_out, c_in, kh, kw), dtype, 2),
              "bias": draw((c_out,), dtype, 3)}
    attrs = {"stride": stride, "padding": padding, "dilation": dilation}
    check("convolutional", arrays,
          lambda x, weight, bias: F.conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation),
          dtype, attrs)
    check("convolutional", arrays,
          lambda x, weight, bias: F.gelu(F.conv2d(x, weight, bias, stride, padding, dilation)),
          dtype, {**attrs, "activation": "gelu"})


def test_report_worst_parity_ratio(capsys):
    """Not a check: prints the worst error ratios of this module's comparisons (run with -s)."""
    with capsys.disabled():
        for dtype in ("float64", "float32"):
            ranked = sorted(((r, k) for k, r in WORST.items() if k.endswith(dtype)), reverse=True)
            for ratio, key in ranked[:4]:
                print(f"  worst |ours - torch| / tolerance: {key}: {ratio:.3g}")
    assert all(ratio <= 1.0 for ratio in WORST.values())
