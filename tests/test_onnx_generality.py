"""The generality that the ONNX node tests ask of layerforge's ops, against PyTorch.

Forward and backward in float32 and float64 against a PyTorch expression of the same
formula, and the backward against central finite differences in float64.

Tolerances: float64 agrees to the rounding of a few operations (rtol 1e-9); float32 (eps
1.2e-7) to a few dozen ulps of reordered sums and exp/log (rtol 2e-5, atol 1e-6). The
finite differences use h = 1e-6 in float64 (truncation error ~h^2, rounding ~1e-10 / h):
rtol 1e-6, atol 1e-8.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from harness import central_differences, module, spec

TOL = {np.float64: dict(rtol=1e-9, atol=1e-12), np.float32: dict(rtol=2e-5, atol=1e-6)}


def _compare(ours, theirs, dtype, what):
    assert ours.dtype == dtype, f"{what}: dtype {ours.dtype}, expected {np.dtype(dtype)}"
    np.testing.assert_allclose(ours, theirs.detach().numpy(), err_msg=what, **TOL[dtype])


def _finite_differences(f, x: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """d sum(f(x) * dy) / dx by central differences."""
    return central_differences(lambda values: float(np.sum(f(values[0]) * dy)), [x], 0)


# ---------------------------------------------------------------------------------------
# SELU with ONNX's alpha and gamma (layerforge's scale)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("alpha, scale", [(2.0, 3.0), (0.5, 1.25)])
def test_selu_attributes_match_torch(alpha, scale, dtype):
    selu = module(spec("selu"))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 7)).astype(dtype)
    x[np.abs(x) < 1e-2] = 0.5  # away from the kink
    y, ctx = selu.forward(x, alpha=alpha, scale=scale)
    xt = torch.tensor(x, requires_grad=True)
    expected = scale * torch.where(xt > 0, xt, alpha * torch.expm1(xt))
    _compare(y, expected, dtype, "selu forward")
    dy = rng.standard_normal(y.shape).astype(dtype)
    expected.backward(torch.tensor(dy))
    _compare(selu.backward(dy, ctx), xt.grad, dtype, "selu backward")
    if dtype == np.float64:
        fd = _finite_differences(lambda v: selu.forward(v, alpha=alpha, scale=scale)[0], x, dy)
        np.testing.assert_allclose(selu.backward(dy, ctx), fd, rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------------------------------
# Cross-entropy at torch.nn.functional.cross_entropy's generality: [N, C, d...], class
# weights, ignored labels (rows of zeros), reduction none / sum / mean (weighted mean)

IGNORE = -100


def _labels_and_one_hot(shape, dtype, rng, ignore: bool):
    """Labels [N, d...] (some equal to IGNORE) and their one-hot rows along axis 1."""
    classes = shape[1]
    labels = rng.integers(0, classes, (shape[0],) + shape[2:])
    if ignore:
        labels.reshape(-1)[::3] = IGNORE
    counted = labels != IGNORE
    rows = np.eye(classes, dtype=dtype)[np.where(counted, labels, 0)] * counted[..., None]
    return labels, np.moveaxis(rows, -1, 1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(4, 5), (3, 5, 4), (2, 3, 2, 3, 2)])
def test_cross_entropy_labels_match_torch(shape, weighted, reduction, dtype):
    ce = module(spec("cross_entropy"))
    rng = np.random.default_rng(len(shape))
    logits = rng.standard_normal(shape).astype(dtype)
    labels, one_hot = _labels_and_one_hot(shape, dtype, rng, ignore=True)
    weight = rng.uniform(0.5, 2.0, shape[1]).astype(dtype) if weighted else None
    loss, ctx = ce.forward(logits, one_hot, weight, reduction=reduction)
    xt = torch.tensor(logits, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(
        xt,
        torch.tensor(labels),
        weight=None if weight is None else torch.tensor(weight),
        ignore_index=IGNORE,
        reduction=reduction,
    )
    assert np.shape(loss) == tuple(expected.shape)
    _compare(np.asarray(loss), expected, dtype, "cross_entropy forward")
    dy = rng.standard_normal(np.shape(loss)).astype(dtype)
    expected.backward(torch.tensor(dy))
    grad_logits, grad_target = ce.backward(dy, ctx)
    _compare(grad_logits, xt.grad, dtype, "cross_entropy grad_logits")
    assert grad_target.shape == shape and grad_target.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_cross_entropy_probabilities_match_torch(reduction, dtype):
    """Probability rows along axis 1 of [N, C, d1, d2]: both gradients as torch's."""
    ce = module(spec("cross_entropy"))
    rng = np.random.default_rng(5)
    logits = rng.standard_normal((3, 4, 2, 3)).astype(dtype)
    target = rng.uniform(0.1, 1.0, logits.shape)
    target = (target / target.sum(axis=1, keepdims=True)).astype(dtype)
    loss, ctx = ce.forward(logits, target, reduction=reduction)
    xt, tt = torch.tensor(logits, requires_grad=True), torch.tensor(target, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(xt, tt, reduction=reduction)
    _compare(np.asarray(loss), expected, dtype, "cross_entropy forward")
    dy = rng.standard_normal(np.shape(loss)).astype(dtype)
    expected.backward(torch.tensor(dy))
    grad_logits, grad_target = ce.backward(dy, ctx)
    _compare(grad_logits, xt.grad, dtype, "cross_entropy grad_logits")
    _compare(grad_target, tt.grad, dtype, "cross_entropy grad_target")


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_cross_entropy_gradients_match_finite_differences(reduction):
    ce = module(spec("cross_entropy"))
    rng = np.random.default_rng(7)
    logits = rng.standard_normal((2, 3, 2, 2))
    _, one_hot = _labels_and_one_hot(logits.shape, np.float64, rng, ignore=True)
    weight = rng.uniform(0.5, 2.0, 3)
    loss, ctx = ce.forward(logits, one_hot, weight, reduction=reduction)
    dy = rng.standard_normal(np.shape(loss))
    grad_logits, _ = ce.backward(dy, ctx)
    fd = _finite_differences(lambda v: np.asarray(ce.forward(v, one_hot, weight, reduction=reduction)[0]), logits, dy)
    np.testing.assert_allclose(grad_logits, fd, rtol=1e-6, atol=1e-8)


def test_cross_entropy_refuses_a_target_of_another_shape():
    ce = module(spec("cross_entropy"))
    logits = np.zeros((2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"cross_entropy: argument 'target' must have the shape of 'logits'"):
        ce.forward(logits, np.zeros((2, 3, 5, 4)))


@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_nn_cross_entropy_loss_matches_torch(reduction):
    from layerforge import nn

    rng = np.random.default_rng(3)
    logits = rng.standard_normal((3, 4, 5))
    labels = rng.integers(0, 4, (3, 5))
    labels[0, 0] = 2
    weight = rng.uniform(0.5, 2.0, 4)
    ours = nn.CrossEntropyLoss(weight=weight, ignore_index=2, reduction=reduction)
    theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor(weight), ignore_index=2, reduction=reduction)
    xt = torch.tensor(logits, requires_grad=True)
    expected = theirs(xt, torch.tensor(labels))
    np.testing.assert_allclose(ours(logits, labels), expected.detach().numpy(), rtol=1e-12)
    expected.backward(torch.ones_like(expected))
    np.testing.assert_allclose(ours.backward(), xt.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_cross_entropy_mean_target_gradient_holds_the_count_constant():
    """The mean's divisor, sum(weight * target), is held constant (torch's count of the
    positions, or of the weights of the labels): along directions that keep it (zero
    weighted sum over the classes at every position) the target gradient is the
    derivative."""
    ce = module(spec("cross_entropy"))
    rng = np.random.default_rng(11)
    logits = rng.standard_normal((2, 3, 4))
    target = rng.uniform(0.1, 1.0, logits.shape)
    weight = rng.uniform(0.5, 2.0, 3)
    loss, ctx = ce.forward(logits, target, weight)
    _, grad_target = ce.backward(np.asarray(1.0), ctx)
    direction = rng.standard_normal(logits.shape)
    column = weight[:, None]
    direction -= column * (column * direction).sum(axis=1, keepdims=True) / (column * column).sum()
    assert np.allclose((column * direction).sum(axis=1), 0)
    h = 1e-6
    numeric = (ce.forward(logits, target + h * direction, weight)[0] - ce.forward(logits, target - h * direction, weight)[0]) / (2 * h)
    np.testing.assert_allclose(np.sum(grad_target * direction), numeric, rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------------------------------------
# layer_statistics: the mean and rstd that layer normalization computes (ONNX
# LayerNormalization's Mean and InvStdDev), with their gradients


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("normalized_shape", [None, (4, 5), (3, 4, 5)])
def test_layer_statistics_match_torch(normalized_shape, dtype):
    stats = module(spec("layer_statistics"))
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((2, 3, 4, 5)) * 2 + 1).astype(dtype)
    (mean, rstd), ctx = stats.forward(x, normalized_shape=normalized_shape, eps=1e-3)
    xt = torch.tensor(x, requires_grad=True)
    dims = (-1,) if normalized_shape is None else tuple(range(-len(normalized_shape), 0))
    variance, mean_t = torch.var_mean(xt, dim=dims, keepdim=True, correction=0)
    rstd_t = torch.rsqrt(variance + 1e-3)
    _compare(mean, mean_t, dtype, "layer_statistics mean")
    _compare(rstd, rstd_t, dtype, "layer_statistics rstd")
    # torch.native_layer_norm gives the same statistics
    _, native_mean, native_rstd = torch.native_layer_norm(xt, x.shape[x.ndim - len(dims):], None, None, 1e-3)
    _compare(mean.reshape(native_mean.shape), native_mean, dtype, "native_layer_norm mean")
    _compare(rstd.reshape(native_rstd.shape), native_rstd, dtype, "native_layer_norm rstd")
    grad_mean = rng.standard_normal(mean.shape).astype(dtype)
    grad_rstd = rng.standard_normal(rstd.shape).astype(dtype)
    (mean_t * torch.tensor(grad_mean) + rstd_t * torch.tensor(grad_rstd)).sum().backward()
    _compare(stats.backward(grad_mean, grad_rstd, ctx), xt.grad, dtype, "layer_statistics grad_x")


def test_layer_statistics_gradient_matches_finite_differences():
    stats = module(spec("layer_statistics"))
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 2, 4))
    (mean, rstd), ctx = stats.forward(x, normalized_shape=(2, 4))
    grad_mean, grad_rstd = rng.standard_normal(mean.shape), rng.standard_normal(rstd.shape)

    def combined(v):
        (m, r), _ = stats.forward(v, normalized_shape=(2, 4))
        return np.concatenate([m, r], axis=-1)

    fd = _finite_differences(combined, x, np.concatenate([grad_mean, grad_rstd], axis=-1))
    np.testing.assert_allclose(stats.backward(grad_mean, grad_rstd, ctx), fd, rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------------------------------
# upsampling with ONNX Resize's coordinate_transformation_mode and nearest_mode: where
# PyTorch has the same coordinates, against F.interpolate; the others by finite differences

INTERPOLATE_TWINS = [
    # (our keywords, F.interpolate's keywords)
    ({"mode": "nearest", "coordinate_transformation_mode": "half_pixel", "nearest_mode": "round_prefer_ceil"},
     {"mode": "nearest-exact"}),
    ({"mode": "nearest", "coordinate_transformation_mode": "asymmetric", "nearest_mode": "floor"},
     {"mode": "nearest"}),
    ({"mode": "bilinear", "coordinate_transformation_mode": "half_pixel"},
     {"mode": "bilinear", "align_corners": False}),
    ({"mode": "bilinear", "coordinate_transformation_mode": "align_corners"},
     {"mode": "bilinear", "align_corners": True}),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("size", [(7, 5), (3, 2), (8, 8)])
@pytest.mark.parametrize("ours, theirs", INTERPOLATE_TWINS)
def test_upsampling_onnx_coordinates_match_torch(ours, theirs, size, dtype):
    up = module(spec("upsampling"))
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 4, 4)).astype(dtype)
    y, ctx = up.forward(x, size=size, **ours)
    xt = torch.tensor(x, requires_grad=True)
    expected = torch.nn.functional.interpolate(xt, size=size, **theirs)
    _compare(y, expected, dtype, "upsampling forward")
    dy = rng.standard_normal(y.shape).astype(dtype)
    expected.backward(torch.tensor(dy))
    _compare(up.backward(dy, ctx), xt.grad, dtype, "upsampling backward")


@pytest.mark.parametrize(
    "keywords",
    [
        {"mode": "nearest", "coordinate_transformation_mode": "half_pixel", "nearest_mode": "ceil"},
        {"mode": "nearest", "coordinate_transformation_mode": "align_corners", "nearest_mode": "round_prefer_floor"},
        {"mode": "bilinear", "coordinate_transformation_mode": "half_pixel_symmetric"},
        {"mode": "bilinear", "coordinate_transformation_mode": "pytorch_half_pixel"},
    ],
)
def test_upsampling_onnx_coordinates_gradient_matches_finite_differences(keywords):
    up = module(spec("upsampling"))
    rng = np.random.default_rng(8)
    x = rng.standard_normal((1, 2, 3, 4))
    y, ctx = up.forward(x, scale_factor=(1.7, 0.75), **keywords)
    dy = rng.standard_normal(y.shape)
    fd = _finite_differences(lambda v: up.forward(v, scale_factor=(1.7, 0.75), **keywords)[0], x, dy)
    np.testing.assert_allclose(up.backward(dy, ctx), fd, rtol=1e-6, atol=1e-8)


def test_upsampling_half_pixel_symmetric_matches_its_formula():
    """Downsampling 4 columns by 0.6 to 2: sources n/2 (1 - out / (s n)) + (i + 1/2) / s - 1/2."""
    up = module(spec("upsampling"))
    x = np.arange(4, dtype=np.float64).reshape(1, 1, 1, 4) * np.ones((1, 1, 2, 1))
    y, _ = up.forward(x, scale_factor=(1.0, 0.6), mode="bilinear", coordinate_transformation_mode="half_pixel_symmetric")
    sources = 2 * (1 - 2 / (0.6 * 4)) + (np.arange(2) + 0.5) / 0.6 - 0.5
    np.testing.assert_allclose(y[0, 0, 0], sources, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("resize", [{"size": (9, 7)}, {"size": (3, 2)}, {"scale_factor": 2}, {"scale_factor": (1.5, 0.75)}])
def test_upsampling_bicubic_matches_torch(resize, align_corners, dtype):
    up = module(spec("upsampling"))
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 3, 5, 4)).astype(dtype)
    y, ctx = up.forward(x, mode="bicubic", align_corners=align_corners, **resize)
    xt = torch.tensor(x, requires_grad=True)
    expected = torch.nn.functional.interpolate(xt, mode="bicubic", align_corners=align_corners, **resize)
    _compare(y, expected, dtype, "bicubic forward")
    dy = rng.standard_normal(y.shape).astype(dtype)
    expected.backward(torch.tensor(dy))
    _compare(up.backward(dy, ctx), xt.grad, dtype, "bicubic backward")


@pytest.mark.parametrize(
    "keywords",
    [
        {"cubic_coeff_a": -0.5, "exclude_outside": True, "coordinate_transformation_mode": "half_pixel"},
        {"coordinate_transformation_mode": "asymmetric"},
    ],
)
def test_upsampling_bicubic_options_gradient_matches_finite_differences(keywords):
    up = module(spec("upsampling"))
    rng = np.random.default_rng(10)
    x = rng.standard_normal((1, 2, 4, 3))
    y, ctx = up.forward(x, mode="bicubic", scale_factor=(0.75, 1.5), **keywords)
    dy = rng.standard_normal(y.shape)
    fd = _finite_differences(lambda v: up.forward(v, mode="bicubic", scale_factor=(0.75, 1.5), **keywords)[0], x, dy)
    np.testing.assert_allclose(up.backward(dy, ctx), fd, rtol=1e-6, atol=1e-8)


def test_upsampling_bicubic_exclude_outside_keeps_a_constant():
    """Renormalized weights sum to 1: a constant image stays constant, at the edges too."""
    up = module(spec("upsampling"))
    y, _ = up.forward(np.full((1, 1, 4, 4), 3.0), mode="bicubic", size=(7, 5), cubic_coeff_a=-0.5, exclude_outside=True)
    np.testing.assert_allclose(y, 3.0, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mode, coefficient", [("bilinear", -0.75), ("bicubic", -0.5)])
@pytest.mark.parametrize("resize", [{"size": (4, 3)}, {"scale_factor": 0.5}, {"size": (12, 5)}])
def test_upsampling_antialias_matches_torch(resize, mode, coefficient, dtype):
    """PyTorch's antialiasing: the stretched filter with the taps past an edge left out
    (exclude_outside) and, for bicubic, a = -0.5."""
    up = module(spec("upsampling"))
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 3, 9, 8)).astype(dtype)
    keywords = {"mode": mode, "antialias": True, "exclude_outside": True, "cubic_coeff_a": coefficient}
    y, ctx = up.forward(x, **keywords, **resize)
    xt = torch.tensor(x, requires_grad=True)
    expected = torch.nn.functional.interpolate(xt, mode=mode, antialias=True, align_corners=False, **resize)
    _compare(y, expected, dtype, f"{mode} antialias forward")
    dy = rng.standard_normal(y.shape).astype(dtype)
    expected.backward(torch.tensor(dy))
    _compare(up.backward(dy, ctx), xt.grad, dtype, f"{mode} antialias backward")


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_upsampling_antialias_onnx_edges_gradient_matches_finite_differences(mode):
    """ONNX's antialiasing: taps past an edge take the edge entry (exclude_outside off)."""
    up = module(spec("upsampling"))
    rng = np.random.default_rng(13)
    x = rng.standard_normal((1, 1, 7, 6))
    keywords = {"mode": mode, "antialias": True, "coordinate_transformation_mode": "half_pixel", "scale_factor": 0.6}
    y, ctx = up.forward(x, **keywords)
    dy = rng.standard_normal(y.shape)
    fd = _finite_differences(lambda v: up.forward(v, **keywords)[0], x, dy)
    np.testing.assert_allclose(up.backward(dy, ctx), fd, rtol=1e-6, atol=1e-8)
