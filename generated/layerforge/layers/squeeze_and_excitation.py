"""SqueezeAndExcitation: Squeeze-and-excitation of NCHW feature maps (Hu et al., 2018), as
torchvision.ops.SqueezeExcitation: each channel's mean over the map is squeezed through
fc1 (C to C / reduction channels) and ReLU, excited through fc2 and a sigmoid, and
scales its channel, y = x * sigmoid(fc2(relu(fc1(mean(x))))). Weights in torch.nn.Linear
layout (torchvision's 1 x 1 convolution weights reshaped); reduction must divide C. The
activations are fixed (ReLU, sigmoid).
Generated from layers_spec/layers/squeeze_and_excitation.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_divides,
    check_quotient,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias")
OUTPUTS = ("y",)


def forward(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias, *, reduction=16):
    """SqueezeAndExcitation forward pass.

    Squeeze-and-excitation of NCHW feature maps (Hu et al., 2018), as
    torchvision.ops.SqueezeExcitation: each channel's mean over the map is squeezed
    through fc1 (C to C / reduction channels) and ReLU, excited through fc2 and a
    sigmoid, and scales its channel, y = x * sigmoid(fc2(relu(fc1(mean(x))))). Weights
    in torch.nn.Linear layout (torchvision's 1 x 1 convolution weights reshaped);
    reduction must divide C. The activations are fixed (ReLU, sigmoid).

    Args:
        x: float32 or float64 input of shape [B, C, H, W]. A batch of feature maps.
        fc1_weight: float32 or float64 parameter of shape [C_over_reduction, C].
        fc1_bias: float32 or float64 parameter of shape [C_over_reduction].
        fc2_weight: float32 or float64 parameter of shape [C, C_over_reduction].
        fc2_bias: float32 or float64 parameter of shape [C].
        reduction: int, default 16. How many times fewer channels the squeeze has.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "squeeze_and_excitation",
        {
            "x": x,
            "fc1_weight": fc1_weight,
            "fc1_bias": fc1_bias,
            "fc2_weight": fc2_weight,
            "fc2_bias": fc2_bias,
        },
        {
            "x": ("B", "C", "H", "W"),
            "fc1_weight": ("C_over_reduction", "C"),
            "fc1_bias": ("C_over_reduction",),
            "fc2_weight": ("C", "C_over_reduction"),
            "fc2_bias": ("C",),
        },
    )
    check_attribute("squeeze_and_excitation", "reduction", reduction, "int", minimum=1)
    check_divides(
        "squeeze_and_excitation",
        "reduction",
        reduction,
        "x",
        x.shape[-3],
        dimension="C",
    )
    check_quotient(
        "squeeze_and_excitation",
        "fc1_weight",
        fc1_weight.shape[-2],
        "C_over_reduction",
        x.shape[-3],
        "reduction",
        reduction,
    )
    if on_gpu(x):
        y, saved = _cupy_forward(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """SqueezeAndExcitation backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias:
            gradients with respect to x, fc1_weight, fc1_bias, fc2_weight, fc2_bias, in
            that order.
    """
    backward_variant, saved = check_context(
        "squeeze_and_excitation", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = _sum(x, (2, 3))
    _t2 = x.shape[2] * x.shape[3]
    pooled = _t1 / _t2
    squeezed = _flatten_batch(pooled)
    _t3 = _linear(squeezed, fc1_weight) + fc1_bias
    hidden = np.clip(_t3, 0, np.inf)
    excitation = _sigmoid(_linear(hidden, fc2_weight) + fc2_bias)
    _t4 = excitation.reshape(_t1.shape)
    y = x * _t4
    return y, (
        x,
        fc1_weight,
        fc1_bias,
        fc2_weight,
        fc2_bias,
        _t1,
        _t2,
        squeezed,
        _t3,
        excitation,
        _t4,
    )


def _backward(
    grad_y,
    x,
    fc1_weight,
    fc1_bias,
    fc2_weight,
    fc2_bias,
    _t1,
    _t2,
    squeezed,
    _t3,
    excitation,
    _t4,
):
    hidden = np.clip(_t3, 0, np.inf)
    grad_excitation = np.sum(grad_y * x, axis=(-2, -1), keepdims=True).reshape(
        excitation.shape
    )
    _t5 = grad_excitation * excitation * (1 - excitation)
    grad_fc2_bias = _sum_to(_t5, fc2_bias.shape)
    grad_hidden = _linear_backward_input(_t5, fc2_weight)
    grad_fc2_weight = _rows(_t5).T @ _rows(hidden)
    _t6 = grad_hidden * (_t3 > 0)
    grad_fc1_bias = _sum_to(_t6, fc1_bias.shape)
    grad_squeezed = _linear_backward_input(_t6, fc1_weight)
    grad_fc1_weight = _rows(_t6).T @ _rows(squeezed)
    grad_pooled = grad_squeezed.reshape(_t1.shape)
    grad_x = grad_y * _t4 + np.broadcast_to(grad_pooled / _t2, x.shape)
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _flatten_batch(x):
    """x [N, ...] as [N, features] in C order; the features counted from the shape, which
    NumPy cannot infer (-1) for an empty batch."""
    features = 1
    for n in x.shape[1:]:
        features *= n
    return x.reshape(x.shape[0], features)


def _linear(x, weight):
    """x @ weight.T over x's last axis, as one matrix product of its rows: NumPy's
    product of a stack [..., in] calls BLAS once per leading index, several times
    slower for a batch of sequences."""
    if x.ndim <= 2:
        return x @ weight.T
    rows = 1
    for size in x.shape[:-1]:
        rows *= size
    return (x.reshape(rows, x.shape[-1]) @ weight.T).reshape(
        *x.shape[:-1], weight.shape[0]
    )


def _linear_backward_input(a, weight):
    """a @ weight over a's last axis, as one matrix product of its rows (see _linear)."""
    if a.ndim <= 2:
        return a @ weight
    rows = 1
    for size in a.shape[:-1]:
        rows *= size
    return (a.reshape(rows, a.shape[-1]) @ weight).reshape(
        *a.shape[:-1], weight.shape[1]
    )


def _rows(a):
    """``a`` as a matrix of its last axis: its leading axes joined into one (a view when
    ``a`` is contiguous, as a 2-D array always is); the count of rows is spelled out, so
    that an empty last axis keeps them."""
    if a.ndim == 2:
        return a
    rows = 1
    for size in a.shape[:-1]:
        rows *= size
    return a.reshape(rows, a.shape[-1])


def _sigmoid(x, out=None):
    """Logistic sigmoid 1 / (1 + exp(-x)). Where exp(-x) overflows (x below about -88 in
    float32, -709 in float64) it is inf and the result is 0, less than the smallest
    normal number away from the true value: that overflow is expected, not reported.
    ``out``, if given, receives the result (it may be ``x`` itself)."""
    with np.errstate(over="ignore"):
        result = np.negative(x, out=out)
        np.exp(result, out=result)
    result += 1
    np.divide(1, result, out=result)
    return result


def _sum(x, axis):
    """The sum along ``axis`` (one axis or a tuple), kept as length-1 axes. Along the last
    axis of a float array it is a matrix-vector product with ones (BLAS), several times
    faster than NumPy's reduction loop on rows; over several trailing axes of a
    C-contiguous one (per-channel sums over H and W) those are flattened into one such
    product, and any leading axes are then summed over the much smaller result."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        with blas_flags_ignored(x):
            return np.matmul(x, np.ones(x.shape[-1], x.dtype))[..., None]
    axes = sorted(a % x.ndim for a in axis) if isinstance(axis, tuple) else None
    trailing = 0
    while axes and x.ndim - 1 - trailing in axes:
        trailing += 1
    if trailing < 2 or x.dtype.kind != "f" or not x.flags.c_contiguous or not x.size:
        return np.sum(x, axis=axis, keepdims=True)
    inner = 1
    for n in x.shape[x.ndim - trailing :]:
        inner *= n
    sums = np.matmul(x.reshape(-1, inner), np.ones(inner, x.dtype))
    sums = sums.reshape(x.shape[: x.ndim - trailing] + (1,) * trailing)
    rest = tuple(a for a in axes if a < x.ndim - trailing)
    return np.sum(sums, axis=rest, keepdims=True) if rest else sums


def _sum_to(grad, shape):
    """Sum ``grad`` over the axes along which an operand of ``shape`` was broadcast; over
    leading axes only (a bias gradient) as a vector-matrix product with ones (BLAS)."""
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes == tuple(range(lead)) and lead and grad.size and grad.dtype.kind == "f":
        rows = grad.reshape(-1, grad[(0,) * lead].size)
        return np.matmul(np.ones(rows.shape[0], grad.dtype), rows).reshape(shape)
    return np.sum(grad, axis=axes).reshape(shape) if axes else grad


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# squeeze_and_excitation_fwd_0: layers_spec/layers/squeeze_and_excitation.yaml:21
_squeeze_and_excitation_fwd_0 = ElementwiseKernel(
    "squeeze_and_excitation_fwd_0",
    "T _t1, int64 _t4",
    "T pooled",
    """
    pooled = _t1 / _t4;
    """,
    scalars=("_t4",),
)


# squeeze_and_excitation_fwd_1: layers_spec/layers/squeeze_and_excitation.yaml:23
_squeeze_and_excitation_fwd_1 = ElementwiseKernel(
    "squeeze_and_excitation_fwd_1",
    "T _t5, T fc1_bias",
    "T _t6",
    """
    _t6 = _t5 + fc1_bias;
    """,
)


# squeeze_and_excitation_fwd_2: layers_spec/layers/squeeze_and_excitation.yaml:23
_squeeze_and_excitation_fwd_2 = ElementwiseKernel(
    "squeeze_and_excitation_fwd_2",
    "T _t6",
    "T hidden",
    """
    hidden = _t6 > T(0) || _t6 != _t6 ? _t6 : T(0);
    """,
)


# squeeze_and_excitation_fwd_3: layers_spec/layers/squeeze_and_excitation.yaml:24
_squeeze_and_excitation_fwd_3 = ElementwiseKernel(
    "squeeze_and_excitation_fwd_3",
    "T _t7, T fc2_bias",
    "T _t8",
    """
    _t8 = _t7 + fc2_bias;
    """,
)


# squeeze_and_excitation_fwd_4: layers_spec/layers/squeeze_and_excitation.yaml:24
_squeeze_and_excitation_fwd_4 = ElementwiseKernel(
    "squeeze_and_excitation_fwd_4",
    "T _t8",
    "T excitation",
    """
    excitation = exp(_t8 < 0 ? _t8 : T(0)) / (1 + exp(-fabs(_t8)));
    """,
)


# squeeze_and_excitation_fwd_5: layers_spec/layers/squeeze_and_excitation.yaml:25
_squeeze_and_excitation_fwd_5 = ElementwiseKernel(
    "squeeze_and_excitation_fwd_5",
    "T x, T _t9",
    "T y",
    """
    y = x * _t9;
    """,
)


def _cupy_forward(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    _t1 = _cupy_sum(x, (2, 3))
    _t2 = x.shape[2]
    _t3 = x.shape[3]
    _t4 = _t2 * _t3
    pooled = _squeeze_and_excitation_fwd_0(_t1, _t4)
    squeezed = _flatten_batch(pooled)
    _t5 = _linear(squeezed, fc1_weight)
    _t6 = _squeeze_and_excitation_fwd_1(_t5, fc1_bias)
    hidden = _squeeze_and_excitation_fwd_2(_t6)
    _t7 = _linear(hidden, fc2_weight)
    _t8 = _squeeze_and_excitation_fwd_3(_t7, fc2_bias)
    excitation = _squeeze_and_excitation_fwd_4(_t8)
    _t9 = excitation.reshape(_t1.shape)
    y = _squeeze_and_excitation_fwd_5(x, _t9)
    return y, (
        x,
        fc1_weight,
        fc1_bias,
        fc2_weight,
        fc2_bias,
        _t1,
        _t4,
        squeezed,
        _t6,
        excitation,
        _t9,
    )


# squeeze_and_excitation_bwd_1: layers_spec/primitives.yaml:61,62
_squeeze_and_excitation_bwd_1 = ElementwiseKernel(
    "squeeze_and_excitation_bwd_1",
    "T grad_y, T _t9, T x",
    "T _t10, T _t11",
    """
    _t10 = grad_y * _t9;
    _t11 = grad_y * x;
    """,
)


# squeeze_and_excitation_bwd_2: layers_spec/primitives.yaml:201
_squeeze_and_excitation_bwd_2 = ElementwiseKernel(
    "squeeze_and_excitation_bwd_2",
    "T grad_excitation, T excitation",
    "T _t14",
    """
    _t14 = grad_excitation * excitation;
    """,
)


# squeeze_and_excitation_bwd_3: layers_spec/primitives.yaml:201
_squeeze_and_excitation_bwd_3 = ElementwiseKernel(
    "squeeze_and_excitation_bwd_3",
    "T excitation",
    "T _t15",
    """
    _t15 = T(1) - excitation;
    """,
)


# squeeze_and_excitation_bwd_4: layers_spec/primitives.yaml:201
_squeeze_and_excitation_bwd_4 = ElementwiseKernel(
    "squeeze_and_excitation_bwd_4",
    "T _t14, T _t15",
    "T _t16",
    """
    _t16 = _t14 * _t15;
    """,
)


# squeeze_and_excitation_bwd_5: layers_spec/primitives.yaml:252
_squeeze_and_excitation_bwd_5 = ElementwiseKernel(
    "squeeze_and_excitation_bwd_5",
    "T _t6",
    "bool _t20",
    """
    _t20 = _t6 > T(0);
    """,
)


# squeeze_and_excitation_bwd_6: layers_spec/primitives.yaml:252
_squeeze_and_excitation_bwd_6 = ElementwiseKernel(
    "squeeze_and_excitation_bwd_6",
    "T grad_hidden, bool _t20",
    "T _t21",
    """
    _t21 = grad_hidden * _t20;
    """,
)


# squeeze_and_excitation_bwd_7: layers_spec/primitives.yaml:71
_squeeze_and_excitation_bwd_7 = ElementwiseKernel(
    "squeeze_and_excitation_bwd_7",
    "T grad_pooled, int64 _t4",
    "T _t26",
    """
    _t26 = grad_pooled / _t4;
    """,
    scalars=("_t4",),
)


# squeeze_and_excitation_bwd_8: layers_spec/primitives.yaml:355
_squeeze_and_excitation_bwd_8 = ElementwiseKernel(
    "squeeze_and_excitation_bwd_8",
    "T _t10, T _t27",
    "T grad_x",
    """
    grad_x = _t10 + _t27;
    """,
)


def _cupy_backward(
    grad_y,
    x,
    fc1_weight,
    fc1_bias,
    fc2_weight,
    fc2_bias,
    _t1,
    _t4,
    squeezed,
    _t6,
    excitation,
    _t9,
):
    import cupy as cp

    hidden = _squeeze_and_excitation_fwd_2(_t6)
    _t10, _t11 = _squeeze_and_excitation_bwd_1(grad_y, _t9, x)
    _t12 = cp.sum(_t11, axis=(-2, -1), keepdims=True)
    grad_excitation = _t12.reshape(excitation.shape)
    _t14 = _squeeze_and_excitation_bwd_2(grad_excitation, excitation)
    _t15 = _squeeze_and_excitation_bwd_3(excitation)
    _t16 = _squeeze_and_excitation_bwd_4(_t14, _t15)
    grad_fc2_bias = _cupy_sum_to(_t16, fc2_bias.shape)
    grad_hidden = _linear_backward_input(_t16, fc2_weight)
    grad_fc2_weight = _rows(_t16).T @ _rows(hidden)
    _t20 = _squeeze_and_excitation_bwd_5(_t6)
    _t21 = _squeeze_and_excitation_bwd_6(grad_hidden, _t20)
    grad_fc1_bias = _cupy_sum_to(_t21, fc1_bias.shape)
    grad_squeezed = _linear_backward_input(_t21, fc1_weight)
    grad_fc1_weight = _rows(_t21).T @ _rows(squeezed)
    grad_pooled = grad_squeezed.reshape(_t1.shape)
    _t26 = _squeeze_and_excitation_bwd_7(grad_pooled, _t4)
    _t27 = cp.broadcast_to(_t26, x.shape)
    grad_x = _squeeze_and_excitation_bwd_8(_t10, _t27)
    return grad_x, grad_fc1_weight, grad_fc1_bias, grad_fc2_weight, grad_fc2_bias


def _cupy_sum(x, axis):
    """The sum along ``axis`` (one axis or a tuple), kept as length-1 axes. Along the last
    axis of a float array it is a matrix-vector product with ones (BLAS), several times
    faster than NumPy's reduction loop on rows; over several trailing axes of a
    C-contiguous one (per-channel sums over H and W) those are flattened into one such
    product, and any leading axes are then summed over the much smaller result."""
    import cupy as cp

    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        with blas_flags_ignored(x):
            return cp.matmul(x, cp.ones(x.shape[-1], x.dtype))[..., None]
    axes = sorted(a % x.ndim for a in axis) if isinstance(axis, tuple) else None
    trailing = 0
    while axes and x.ndim - 1 - trailing in axes:
        trailing += 1
    if trailing < 2 or x.dtype.kind != "f" or not x.flags.c_contiguous or not x.size:
        return cp.sum(x, axis=axis, keepdims=True)
    inner = 1
    for n in x.shape[x.ndim - trailing :]:
        inner *= n
    sums = cp.matmul(x.reshape(-1, inner), cp.ones(inner, x.dtype))
    sums = sums.reshape(x.shape[: x.ndim - trailing] + (1,) * trailing)
    rest = tuple(a for a in axes if a < x.ndim - trailing)
    return cp.sum(sums, axis=rest, keepdims=True) if rest else sums


def _cupy_sum_to(grad, shape):
    """Sum ``grad`` over the axes along which an operand of ``shape`` was broadcast; over
    leading axes only (a bias gradient) as a vector-matrix product with ones (BLAS)."""
    import cupy as cp

    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes == tuple(range(lead)) and lead and grad.size and grad.dtype.kind == "f":
        rows = grad.reshape(-1, grad[(0,) * lead].size)
        return cp.matmul(cp.ones(rows.shape[0], grad.dtype), rows).reshape(shape)
    return cp.sum(grad, axis=axes).reshape(shape) if axes else grad
