"""PReLU: Parametric ReLU, max(0, x) + weight min(0, x), as torch.nn.PReLU: the slope
weight is a parameter of one entry, or one per channel (axis 1 of x, of rank 2 or more),
with its gradient.
Generated from layers_spec/activations/prelu.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight",)
OUTPUTS = ("y",)
ATTRIBUTES = {}


def forward(x, weight):
    """PReLU forward pass.

    Parametric ReLU, max(0, x) + weight min(0, x), as torch.nn.PReLU: the slope weight
    is a parameter of one entry, or one per channel (axis 1 of x, of rank 2 or more),
    with its gradient.

    Args:
        x: float32 or float64 input of shape [..., F].
        weight: float32 or float64 parameter of shape [P]. The slopes of the negative
            part: 1 or C (the size of axis 1 of x) entries.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "prelu", {"x": x, "weight": weight}, {"x": ("...", "F"), "weight": ("P",)}
    )
    if on_gpu(x):
        y, saved = _cupy_forward(x, weight)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, weight)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """PReLU backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight: gradients with respect to x, weight, in that order.
    """
    backward_variant, saved = check_context("prelu", __name__, ctx, {"grad_y": grad_y})
    return backward_variant(grad_y, *saved)


def _forward(x, weight):
    _t1 = _as_axis1(weight, x)
    y = np.clip(x, 0, np.inf) + _t1 * np.clip(x, -np.inf, 0)
    return y, (x, weight, _t1)


def _backward(grad_y, x, weight, _t1):
    grad_weight = _channel_sum(grad_y * np.clip(x, -np.inf, 0), weight)
    grad_x = _sum_to(grad_y * _t1, x.shape) * (x < 0) + _sum_to(grad_y, x.shape) * (
        x > 0
    )
    return grad_x, grad_weight


def _as_axis1(weight, like):
    """``weight`` [1] or [C] as [C, 1, ...], to broadcast along axis 1 of ``like``."""
    channels = like.shape[1] if like.ndim >= 2 else 1
    if weight.shape[0] not in (1, channels):
        raise ValueError(
            f"prelu: 'weight' has {weight.shape[0]} entries; it takes 1 or one per channel "
            f"(axis 1 of 'x' {tuple(like.shape)}: {channels})"
        )
    return weight.reshape((-1,) + (1,) * max(like.ndim - 2, 0))


def _channel_sum(grad, weight):
    """``grad`` summed over every axis but axis 1 (over all of them for one slope),
    shaped like ``weight``."""
    if weight.shape[0] == 1 or grad.ndim < 2:
        return np.sum(grad, dtype=grad.dtype).reshape(weight.shape)
    return np.sum(grad, axis=(0, *range(2, grad.ndim))).reshape(weight.shape)


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


# prelu_fwd_0: layers_spec/activations/prelu.yaml:13
_prelu_fwd_0 = ElementwiseKernel(
    "prelu_fwd_0",
    "T x",
    "T _t1",
    """
    _t1 = x > T(0) || x != x ? x : T(0);
    """,
)


# prelu_fwd_1: layers_spec/activations/prelu.yaml:13
_prelu_fwd_1 = ElementwiseKernel(
    "prelu_fwd_1",
    "T x",
    "T _t3",
    """
    _t3 = x < T(0) || x != x ? x : T(0);
    """,
)


# prelu_fwd_2: layers_spec/activations/prelu.yaml:13
_prelu_fwd_2 = ElementwiseKernel(
    "prelu_fwd_2",
    "T _t2, T _t3",
    "T _t4",
    """
    _t4 = _t2 * _t3;
    """,
)


# prelu_fwd_3: layers_spec/activations/prelu.yaml:13
_prelu_fwd_3 = ElementwiseKernel(
    "prelu_fwd_3",
    "T _t1, T _t4",
    "T y",
    """
    y = _t1 + _t4;
    """,
)


def _cupy_forward(x, weight):
    _t1 = _prelu_fwd_0(x)
    _t2 = _as_axis1(weight, x)
    _t3 = _prelu_fwd_1(x)
    _t4 = _prelu_fwd_2(_t2, _t3)
    y = _prelu_fwd_3(_t1, _t4)
    return y, (x, weight, _t2)


# prelu_bwd_1: layers_spec/primitives.yaml:61
_prelu_bwd_1 = ElementwiseKernel(
    "prelu_bwd_1",
    "T grad_y, T _t3",
    "T _t6",
    """
    _t6 = grad_y * _t3;
    """,
)


# prelu_bwd_2: layers_spec/primitives.yaml:62
_prelu_bwd_2 = ElementwiseKernel(
    "prelu_bwd_2",
    "T grad_y, T _t2",
    "T _t7",
    """
    _t7 = grad_y * _t2;
    """,
)


# prelu_bwd_3: layers_spec/primitives.yaml:262
_prelu_bwd_3 = ElementwiseKernel(
    "prelu_bwd_3",
    "T x, T _t8",
    "T _t10",
    """
    bool _t9 = x < T(0);
    _t10 = _t8 * _t9;
    """,
)


# prelu_bwd_4: layers_spec/primitives.yaml:252
_prelu_bwd_4 = ElementwiseKernel(
    "prelu_bwd_4",
    "T x, T _t5, T _t10",
    "T grad_x",
    """
    bool _t12 = x > T(0);
    T _t13 = _t5 * _t12;
    grad_x = _t10 + _t13;
    """,
)


def _cupy_backward(grad_y, x, weight, _t2):
    _t3 = _prelu_fwd_1(x)
    _t5 = _cupy_sum_to(grad_y, x.shape)
    _t6 = _prelu_bwd_1(grad_y, _t3)
    _t7 = _prelu_bwd_2(grad_y, _t2)
    _t8 = _cupy_sum_to(_t7, x.shape)
    _t10 = _prelu_bwd_3(x, _t8)
    grad_weight = _cupy_channel_sum(_t6, weight)
    grad_x = _prelu_bwd_4(x, _t5, _t10)
    return grad_x, grad_weight


def _cupy_channel_sum(grad, weight):
    """``grad`` summed over every axis but axis 1 (over all of them for one slope),
    shaped like ``weight``."""
    import cupy as cp

    if weight.shape[0] == 1 or grad.ndim < 2:
        return cp.sum(grad, dtype=grad.dtype).reshape(weight.shape)
    return cp.sum(grad, axis=(0, *range(2, grad.ndim))).reshape(weight.shape)


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
