"""Issue 15's options at PyTorch's generality, against PyTorch (CPU) forward and backward in
float64 and float32, and against finite differences.

Tolerances as in test_torch_parity: float64 results agree to the rounding of a few dozen
operations (rtol 1e-9, atol 1e-12 for values that cancel to near zero, such as GELU far
below 0, where 1 + erf(x / sqrt(2)) cancels: one ulp of erf near -1 is 1.1e-16 absolute);
float32 (eps 1.2e-7) formulas ordered differently differ by tens of ulps (rtol 2e-5, atol
1e-6). Interpolation and padding move or mix at most four values with weights, so the same
tolerances hold for the layers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harness import finite_differences, module, spec

TOL = {np.float64: dict(rtol=1e-9, atol=1e-12), np.float32: dict(rtol=2e-5, atol=1e-6)}
DTYPES = [np.float64, np.float32]
WORST: dict[str, float] = {}  # largest |ours - torch| / (atol + rtol |torch|), for the report


def compare(ours, theirs, dtype, what, tol=None):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    assert ours.dtype == dtype, f"{what}: dtype {ours.dtype}, expected {np.dtype(dtype)}"
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, expected {theirs.shape}"
    tol = tol or TOL[dtype]
    ratio = float(np.max(np.abs(ours - theirs) / (tol["atol"] + tol["rtol"] * np.abs(theirs)), initial=0.0))
    key = f"{what.split()[0]} {np.dtype(dtype).name}"
    WORST[key] = max(WORST.get(key, 0.0), ratio)
    np.testing.assert_allclose(ours, theirs, err_msg=what, **tol)


def check(name, arrays, torch_fn, dtype, attrs=None, seed=10, grad_tol=None):
    """Our forward and backward against PyTorch's autograd on the same arrays and cotangent
    (the gradients within ``grad_tol`` where given, else TOL)."""
    mod = module(spec(name))
    y, ctx = mod.forward(*arrays, **(attrs or {}))
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    expected = torch_fn(*tensors)
    compare(y, expected, dtype, f"{name} forward {attrs}")
    dy = np.random.default_rng(seed).uniform(-2, 2, y.shape).astype(dtype)
    expected.backward(torch.tensor(dy))
    grads = mod.backward(dy, ctx)
    grads = grads if isinstance(grads, tuple) else (grads,)
    assert len(grads) == len(arrays)
    for i, (grad, tensor) in enumerate(zip(grads, tensors)):
        assert grad.flags.writeable
        compare(grad, tensor.grad, dtype, f"{name} grad[{i}] {attrs}", grad_tol)
    return y, ctx


def draw(shape, dtype, seed=0, low=-3.0, high=3.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def away_from(x, kinks, margin=1e-2):
    """``x`` with entries near the given kinks moved ``margin`` away (finite differences)."""
    x = x.copy()
    for k in kinks:
        near = np.abs(x - k) < margin
        x[near] = k + margin * np.where(x[near] >= k, 2, -2)
    return x


# -- activations -----------------------------------------------------------------------------


def test_erf_is_accurate_to_a_few_ulps():
    from layerforge.activations import gelu

    x = np.concatenate([np.linspace(-8, 8, 40001), np.geomspace(1e-300, 30, 2000), -np.geomspace(1e-300, 30, 2000)])
    erf = gelu._erf(x)
    reference = np.array([math.erf(v) for v in x])
    ulps = np.abs(erf - reference) / np.spacing(np.abs(reference))
    assert np.max(ulps) <= 4
    special = gelu._erf(np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 27.0, -27.0]))
    np.testing.assert_array_equal(special[:4], [0.0, -0.0, 1.0, -1.0])
    assert np.isnan(special[4]) and special[5] == 1.0 and special[6] == -1.0
    x32 = x.astype(np.float32)
    assert gelu._erf(x32).dtype == np.float32
    np.testing.assert_allclose(gelu._erf(x32), torch.erf(torch.tensor(x32)).numpy(), rtol=0, atol=4.5e-7)


def test_float32_erf_is_within_seven_ulps():
    """float32 runs a rational x P(x^2) / Q(x^2) (degrees 6 and 5) fitted on [-4, 4]: against
    math.erf of the same float32 inputs, at most 7 ulps of the result's float32 spacing
    (4e-7 absolute near +-1, relative 2.5e-7 below 0.5, where erf(x) ~ 2x / sqrt(pi)); the
    Cody steps the float64 path takes were 5.5 ulps when run in float32."""
    from layerforge.activations import gelu

    x = np.concatenate([np.linspace(-6, 6, 120001), np.geomspace(1e-38, 6, 4000), -np.geomspace(1e-38, 6, 4000)])
    x32 = x.astype(np.float32)
    ours = gelu._erf(x32).astype(np.float64)
    reference = np.array([math.erf(float(v)) for v in x32])
    spacing = np.spacing(np.abs(reference).astype(np.float32)).astype(np.float64)
    assert np.max(np.abs(ours - reference) / spacing) <= 7
    assert np.max(np.abs(ours - reference)) <= 4e-7
    small = (np.abs(reference) < 0.5) & (reference != 0)  # down to 1e-38: relative, not absolute
    assert np.max(np.abs(ours - reference)[small] / np.abs(reference[small])) <= 2.5e-7
    special = gelu._erf(np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 4.0, -27.0], np.float32))
    np.testing.assert_array_equal(special[:4], [0.0, -0.0, 1.0, -1.0])
    assert np.signbit(special[1]) and np.isnan(special[4]) and special[5] == 1.0 and special[6] == -1.0
    out = np.empty(3, np.float32)
    assert gelu._erf(np.array([0.5, 1.0, 2.0], np.float32), out=out) is out
    np.testing.assert_allclose(out, [math.erf(0.5), math.erf(1.0), math.erf(2.0)], rtol=3e-7)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_approximate(dtype, approximate):
    # float32's tanh saturates to -1 below about -4.5 (GELU's gradient is then 0 in PyTorch's
    # formula, 1e-6 in ours): that range is compared in float64 only.
    bound = 9.0 if dtype == np.float64 else 4.0
    x = draw((6, 5, 40), dtype, low=-bound, high=bound)
    attrs = {} if approximate == "none" else {"approximate": approximate}
    # The tanh form's gradient 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) u' cancels for x near
    # -3 (terms of about 1 summing to 1e-3): an ulp of float32 tanh there (6e-8) times the
    # terms' size, rounded apart in ours (float32 arithmetic in the compiled kernel) and
    # PyTorch's, differ by up to about 1e-6 absolute: float32 gradients within 3e-6.
    grad_tol = dict(rtol=2e-5, atol=3e-6) if dtype == np.float32 and approximate == "tanh" else None
    check("gelu", [x], lambda t: F.gelu(t, approximate=approximate), dtype, attrs, grad_tol=grad_tol)
    finite_differences("gelu", [x.astype(np.float64)], attrs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, oracle", [
    ("softmax", F.softmax), ("log_softmax", F.log_softmax),
    ("softmin", F.softmin), ("log_softmin", lambda t, dim: F.log_softmax(-t, dim)),
])
@pytest.mark.parametrize("dim", [-1, 0, 1, 2, 3, -2, -4])
def test_softmax_family_dim(name, oracle, dim, dtype):
    x = draw((3, 4, 5, 6), dtype)
    attrs = {} if dim == -1 else {"dim": dim}
    check(name, [x], lambda t: oracle(t, dim), dtype, attrs)
    if dtype == np.float64:
        finite_differences(name, [x], attrs)


def test_softmax_dim_out_of_range():
    with pytest.raises(ValueError, match="softmax: attribute 'dim' = 3 is not an axis of 'x'"):
        module(spec("softmax")).forward(np.ones((2, 3, 4)), dim=3)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, channels", [((4, 5, 6, 3), 5), ((4, 5, 6, 3), 1), ((7, 9), 9), ((8,), 1), ((2, 3, 4), 3)])
def test_prelu_weight(shape, channels, dtype):
    x = away_from(draw(shape, dtype), [0.0])
    weight = draw((channels,), dtype, seed=1, low=-0.5, high=1.0)
    check("prelu", [x, weight], F.prelu, dtype)
    if dtype == np.float64:
        finite_differences("prelu", [x, weight], {})


def test_prelu_weight_size_is_checked():
    with pytest.raises(ValueError, match=r"prelu: 'weight' has 3 entries; it takes 1 or one per channel"):
        module(spec("prelu")).forward(np.ones((2, 4, 5)), np.ones(3))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bounds", [(-1.0, 1.0), (-0.5, 2.0), (0.0, 6.0)])
def test_hard_tanh_bounds(bounds, dtype):
    x = away_from(draw((6, 50), dtype, low=-4, high=7), bounds)
    attrs = dict(zip(("min_val", "max_val"), bounds)) if bounds != (-1.0, 1.0) else {}
    check("hard_tanh", [x], lambda t: F.hardtanh(t, *bounds), dtype, attrs)
    if dtype == np.float64:
        finite_differences("hard_tanh", [x], attrs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha, beta, oracle", [
    (0.5, 0.5, lambda t: F.hardtanh(0.5 * t + 0.5, 0.0, 1.0)),  # the catalog's default
    # PyTorch's; its float64 backward multiplies by 1/6 rounded to float32 (3e-8 off), so in
    # float64 the same function written out (its forward is F.hardsigmoid's exactly).
    (1 / 6, 0.5, lambda t: F.hardsigmoid(t) if t.dtype == torch.float32 else torch.clamp(t / 6 + 0.5, 0.0, 1.0)),
    (0.2, 0.5, lambda t: torch.clamp(0.2 * t + 0.5, 0.0, 1.0)),  # ONNX's default
])
def test_hard_sigmoid_alpha_beta(alpha, beta, oracle, dtype):
    x = away_from(draw((6, 50), dtype, low=-5, high=5), [(0 - beta) / alpha, (1 - beta) / alpha])
    attrs = {} if (alpha, beta) == (0.5, 0.5) else {"alpha": alpha, "beta": beta}
    y, _ = check("hard_sigmoid", [x], oracle, dtype, attrs)
    if alpha == 1 / 6:
        compare(y, F.hardsigmoid(torch.tensor(x)), dtype, "hard_sigmoid forward (F.hardsigmoid)")
    if dtype == np.float64:
        finite_differences("hard_sigmoid", [x], attrs)


@pytest.mark.parametrize("dtype", DTYPES)
def test_fused_gelu_follows_the_activation_default(dtype):
    dense = module(spec("dense"))
    x, w, b = draw((8, 6), dtype), draw((5, 6), dtype, 1, -0.5, 0.5), draw((5,), dtype, 2)
    for options, approximate in ((None, "none"), ({"approximate": "none"}, "none"), ({"approximate": "tanh"}, "tanh")):
        y, ctx = dense.forward(x, w, b, activation="gelu", activation_options=options)
        fused = ctx[0] is not dense._backward_composed
        assert fused == (approximate == "none")
        tensors = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
        expected = F.gelu(F.linear(*tensors), approximate=approximate)
        compare(y, expected, dtype, f"dense+gelu forward {options}")
        expected.backward(torch.ones_like(expected))
        for ours, t in zip(dense.backward(np.ones_like(y), ctx), tensors):
            compare(ours, t.grad, dtype, f"dense+gelu backward {options}")


def test_fused_softmax_along_another_axis_is_composed():
    dense = module(spec("dense"))
    x, w, b = draw((8, 6), np.float64), draw((5, 6), np.float64, 1), draw((5,), np.float64, 2)
    y, ctx = dense.forward(x, w, b, activation="softmax", activation_options={"dim": 0})
    tensors = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    expected = F.softmax(F.linear(*tensors), 0)
    compare(y, expected, np.float64, "dense+softmax(dim=0) forward")
    expected.backward(torch.ones_like(expected) * torch.arange(5.0, dtype=torch.float64))
    grads = dense.backward(np.ones_like(y) * np.arange(5.0), ctx)
    for ours, t in zip(grads, tensors):
        compare(ours, t.grad, np.float64, "dense+softmax(dim=0) backward")


# -- shape layers ----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, start, end", [
    ((3, 4, 5, 6), 1, -1), ((3, 4, 5, 6), 0, -1), ((3, 4, 5, 6), 1, 2), ((3, 4, 5, 6), -2, -1),
    ((3, 4, 5, 6), 2, 2), ((3, 4), 0, 1), ((7,), 0, 0), ((2, 3, 4, 5, 6), 0, 2),
])
def test_flatten_start_end(shape, start, end, dtype):
    attrs = {} if (start, end) == (1, -1) else {"start_dim": start, "end_dim": end}
    check("flatten", [draw(shape, dtype)], lambda t: torch.flatten(t, start, end), dtype, attrs)


def test_flatten_start_after_end():
    with pytest.raises(ValueError, match="flatten: start_dim 2 comes after end_dim 1"):
        module(spec("flatten")).forward(np.ones((2, 3, 4)), start_dim=2, end_dim=1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, target", [
    ((5, 24), (5, 2, -1, 3)), ((5, 24), (-1,)), ((5, 24), (4, 30)), ((2, 3, 4), (4, -1, 2)), ((6,), (2, 3)),
])
def test_reshape_whole_array(shape, target, dtype):
    check("reshape", [draw(shape, dtype)], lambda t: torch.reshape(t, target), dtype, {"shape": target})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [-1, 0, 1, 2, (0, 2), (1, -1), (0, 1, 2), (), (-3,)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_mean_dims_keepdim(dim, keepdim, dtype):
    x = draw((6, 5, 4), dtype)
    torch_dim = list(dim) if isinstance(dim, tuple) else dim
    oracle = (lambda t: torch.mean(t, dim=torch_dim, keepdim=keepdim)) if dim != () else (
        lambda t: torch.mean(t).reshape((1, 1, 1) if keepdim else ()))
    check("mean", [x], oracle, dtype, {"dim": dim, "keepdim": keepdim})
    if dtype == np.float64:
        finite_differences("mean", [x], {"dim": dim, "keepdim": keepdim})


def torch_pad(t, pad, mode, value=None):
    """F.pad; PyTorch pads k axes in the non-constant modes only of a (1, C, *k axes) input,
    so the leading axes are merged into one channel axis first (they are not padded)."""
    if mode == "constant":
        return F.pad(t, pad, mode, value or 0.0)
    k = len(pad) // 2
    padded = F.pad(t.reshape((1, -1) + tuple(t.shape[t.ndim - k :])), pad, mode)
    return padded.reshape(tuple(t.shape[: t.ndim - k]) + tuple(padded.shape[2:]))


PADS = [(1, 1, 1, 1), (2, 1, 0, 3), (1, 2), (0, 0, 1, 1, 1, 0), (3, 0, 0, 2)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad", PADS)
def test_padding_modes(pad, mode, dtype):
    x = draw((2, 3, 5, 6), dtype)
    attrs = {"pad": pad, "mode": mode}
    check("padding", [x], lambda t: torch_pad(t, pad, mode), dtype, attrs)
    if mode == "constant":
        check("padding", [x], lambda t: F.pad(t, pad, mode, -1.5), dtype, {**attrs, "value": -1.5})
    if dtype == np.float64:
        finite_differences("padding", [x], attrs)


@pytest.mark.parametrize("dtype", DTYPES)
def test_padding_three_axes_and_negative(dtype):
    x = draw((2, 3, 4, 5, 6), dtype)
    check("padding", [x], lambda t: torch_pad(t, (1, 2, 2, 1, 1, 1), "replicate"), dtype,
          {"pad": (1, 2, 2, 1, 1, 1), "mode": "replicate"})
    check("padding", [x], lambda t: F.pad(t, (-1, 2, 0, -2)), dtype, {"pad": (-1, 2, 0, -2)})
    check("padding", [x], lambda t: F.gelu(torch_pad(t, (1, 1, 2, 0), "circular")), dtype,
          {"pad": (1, 1, 2, 0), "mode": "circular", "activation": "gelu"})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("crop", [(1, 1, 1, 1), (0, 3, 1, 2), (2, 1), (1, 0, 0, 1, 1, 0)])
def test_cropping_sides(crop, dtype):
    x = draw((2, 3, 7, 6), dtype)
    index = [slice(None)] * 4
    for k in range(len(crop) // 2):
        index[3 - k] = slice(crop[2 * k], x.shape[3 - k] - crop[2 * k + 1])
    check("cropping", [x], lambda t: t[tuple(index)], dtype, {"crop": crop})
    check("cropping", [x], lambda t: F.pad(t, tuple(-c for c in crop)), dtype, {"crop": crop})


# -- upsampling ------------------------------------------------------------------------------

RESIZES = [  # (input H, W, keywords)
    (4, 5, {}), (4, 5, {"scale_factor": 2}), (4, 5, {"scale_factor": 3.0}), (4, 5, {"scale_factor": (2, 3)}),
    (4, 5, {"scale_factor": 1.5}), (5, 3, {"scale_factor": (2.5, 1.7)}), (6, 8, {"scale_factor": 0.5}),
    (4, 5, {"size": 7}), (4, 5, {"size": (9, 10)}), (6, 7, {"size": (4, 3)}), (3, 3, {"size": (1, 1)}),
    (4, 5, {"size": (8, 10)}),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode, align_corners", [("nearest", None), ("bilinear", False), ("bilinear", True)])
@pytest.mark.parametrize("h, w, keywords", RESIZES)
def test_upsampling_as_interpolate(h, w, keywords, mode, align_corners, dtype):
    x = draw((2, 3, h, w), dtype)
    attrs = dict(keywords, mode=mode) if mode != "nearest" else dict(keywords)
    if align_corners is not None:
        attrs["align_corners"] = align_corners
    torch_keywords = dict(keywords) if keywords else {"scale_factor": 2}
    check("upsampling", [x], lambda t: F.interpolate(t, mode=mode, align_corners=align_corners, **torch_keywords),
          dtype, attrs)
    if dtype == np.float64:
        finite_differences("upsampling", [x], attrs)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_upsampling_keeps_non_finite_values_local(mode):
    x = draw((1, 2, 4, 4), np.float64)
    x[0, 0, 1, 2] = np.inf
    x[0, 1, 3, 0] = np.nan
    y, ctx = module(spec("upsampling")).forward(x, scale_factor=2, mode=mode)
    expected = F.interpolate(torch.tensor(x), scale_factor=2, mode=mode)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(expected.numpy()))
    np.testing.assert_allclose(y[np.isfinite(y)], expected.numpy()[np.isfinite(y)], rtol=1e-12)



@pytest.mark.parametrize("align_corners", [False, True])
def test_upsampling_bilinear_backward_keeps_non_finite_gradients_local(align_corners):
    """An image whose row sums hold inf or NaN has its columns mixed by slices, not by the
    interpolation matrix's product (0 * inf would spread NaN along the row); the other
    image of the batch still goes through the product."""
    x = draw((2, 2, 4, 5), np.float64)
    attrs = dict(scale_factor=2, mode="bilinear", align_corners=align_corners)
    y, ctx = module(spec("upsampling")).forward(x, **attrs)
    g = draw(y.shape, np.float64, 3)
    g[0, 0, 3, 4] = np.inf
    g[0, 1, 6, 1] = np.nan
    grad_x = module(spec("upsampling")).backward(g, ctx)
    t_x = torch.tensor(x, requires_grad=True)
    F.interpolate(t_x, scale_factor=2, mode="bilinear", align_corners=align_corners).backward(torch.tensor(g))
    expected = t_x.grad.numpy()
    np.testing.assert_array_equal(np.isnan(grad_x), np.isnan(expected))
    np.testing.assert_array_equal(np.isinf(grad_x), np.isinf(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(grad_x[finite], expected[finite], rtol=1e-12)


def test_upsampling_size_and_scale_both():
    with pytest.raises(ValueError, match="upsampling: give either 'size' or 'scale_factor', not both"):
        module(spec("upsampling")).forward(np.ones((1, 1, 2, 2)), size=4, scale_factor=2)


# -- layerforge.nn under PyTorch's names -----------------------------------------------------


@pytest.mark.parametrize("ours, theirs", [
    (lambda nn: nn.GELU(), torch.nn.GELU()),
    (lambda nn: nn.GELU(approximate="tanh"), torch.nn.GELU(approximate="tanh")),
    (lambda nn: nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
    (lambda nn: nn.LogSoftmax(dim=-1), torch.nn.LogSoftmax(dim=-1)),
    (lambda nn: nn.Hardtanh(-0.5, 2.0), torch.nn.Hardtanh(-0.5, 2.0)),
    (lambda nn: nn.Flatten(start_dim=1, end_dim=2), torch.nn.Flatten(1, 2)),
    (lambda nn: nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
    (lambda nn: nn.Upsample(size=(5, 7), mode="bilinear", align_corners=True),
     torch.nn.Upsample(size=(5, 7), mode="bilinear", align_corners=True)),
])
def test_nn_classes_with_pytorch_signatures(ours, theirs):
    from layerforge import nn

    module_ = ours(nn)
    x = draw((2, 3, 4, 6), np.float64)
    t = torch.tensor(x, requires_grad=True)
    expected = theirs(t)
    y = module_(x)
    compare(y, expected, np.float64, f"nn.{type(module_).__name__} forward")
    dy = draw(y.shape, np.float64, seed=5)
    expected.backward(torch.tensor(dy))
    compare(module_.backward(dy), t.grad, np.float64, f"nn.{type(module_).__name__} backward")


@pytest.mark.parametrize("num_parameters", [1, 3])
def test_nn_prelu_loads_torch_weights_and_returns_their_gradient(num_parameters):
    from layerforge import nn

    theirs = torch.nn.PReLU(num_parameters, init=0.1).double()
    with torch.no_grad():
        theirs.weight.uniform_(-0.5, 0.5)
    ours = nn.PReLU(num_parameters, dtype=np.float64)
    np.testing.assert_array_equal(ours.weight, np.full(num_parameters, 0.25))
    nn.load_torch_state_dict(ours, theirs.state_dict())
    x = draw((4, 3, 5), np.float64)
    t = torch.tensor(x, requires_grad=True)
    expected = theirs(t)
    y = ours(x)
    compare(y, expected, np.float64, "nn.PReLU forward")
    dy = draw(y.shape, np.float64, seed=6)
    expected.backward(torch.tensor(dy))
    compare(ours.backward(dy), t.grad, np.float64, "nn.PReLU backward")
    (grad_weight,) = ours.gradients()
    compare(grad_weight, theirs.weight.grad, np.float64, "nn.PReLU weight gradient")


def test_report_worst_parity_ratio():
    """Print the worst |ours - torch| / tolerance per op and dtype (run with -s)."""
    assert all(v <= 1.0 for v in WORST.values())
    for key, value in sorted(WORST.items()):
        print(f"  worst |ours - torch| / tolerance: {key}: {value:.3g}")
