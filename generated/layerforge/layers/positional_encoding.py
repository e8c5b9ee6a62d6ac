"""PositionalEncoding: Sinusoidal positions added to a sequence: y = x + PE[:S] for x [...,
S, D], PE[p, 2i] = sin(p / 10000^(2i / D)) and PE[p, 2i + 1] = cos(p / 10000^(2i / D))
(Vaswani et al.; an odd D ends with a sine column), computed in float64 and rounded once
to x's dtype. No parameters; the gradient passes through. S may not exceed
max_sequence_length.
Generated from layers_spec/layers/positional_encoding.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_at_most,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, max_sequence_length=5000):
    """PositionalEncoding forward pass.

    Sinusoidal positions added to a sequence: y = x + PE[:S] for x [..., S, D], PE[p,
    2i] = sin(p / 10000^(2i / D)) and PE[p, 2i + 1] = cos(p / 10000^(2i / D)) (Vaswani
    et al.; an odd D ends with a sine column), computed in float64 and rounded once to
    x's dtype. No parameters; the gradient passes through. S may not exceed
    max_sequence_length.

    Args:
        x: float32 or float64 input of shape [..., S, D]. A sequence [..., S, D].
        max_sequence_length: int, default 5000. The longest sequence the table serves.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("positional_encoding", {"x": x}, {"x": ("...", "S", "D")})
    check_attribute(
        "positional_encoding",
        "max_sequence_length",
        max_sequence_length,
        "int",
        minimum=1,
    )
    check_at_most(
        "positional_encoding",
        "max_sequence_length",
        max_sequence_length,
        "x",
        x.shape,
        -2,
    )
    if on_gpu(x):
        y, saved = _cupy_forward(x, max_sequence_length)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, max_sequence_length)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """PositionalEncoding backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "positional_encoding", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, max_sequence_length):
    angles = _position_angles(x)
    table = np.where(
        np.arange(angles.shape[-1]) % 2 == 1, np.cos(angles), np.sin(angles)
    )
    y = x + table.astype(x.dtype)
    return y, (x,)


def _backward(grad_y, x):
    grad_x = _sum_to(grad_y, x.shape)
    return grad_x


def _position_angles(like):
    """The angles p / 10000^(2 floor(i / 2) / D) of positions p < S and features i < D
    for ``like`` [..., S, D], float64 [S, D]."""
    positions, features = like.shape[-2:]
    pairs = np.arange(features) // 2 * 2
    rates = np.exp(pairs * (-np.log(10000.0) / max(features, 1)))
    return np.arange(positions, dtype=np.float64)[:, None] * rates


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


# positional_encoding_fwd_0: layers_spec/layers/positional_encoding.yaml:15
_positional_encoding_fwd_0 = ElementwiseKernel(
    "positional_encoding_fwd_0",
    "T angles",
    "T _t2, T _t3",
    """
    _t2 = cos(angles);
    _t3 = sin(angles);
    """,
)


# positional_encoding_fwd_1: layers_spec/layers/positional_encoding.yaml:15
_positional_encoding_fwd_1 = ElementwiseKernel(
    "positional_encoding_fwd_1",
    "bool _t1, T _t2, T _t3",
    "T table",
    """
    table = _t1 ? _t2 : _t3;
    """,
)


# positional_encoding_fwd_2: layers_spec/layers/positional_encoding.yaml:16
_positional_encoding_fwd_2 = ElementwiseKernel(
    "positional_encoding_fwd_2",
    "T table, T x",
    "T _t4",
    """
    _t4 = table;
    """,
)


# positional_encoding_fwd_3: layers_spec/layers/positional_encoding.yaml:16
_positional_encoding_fwd_3 = ElementwiseKernel(
    "positional_encoding_fwd_3",
    "T x, T _t4",
    "T y",
    """
    y = x + _t4;
    """,
)


def _cupy_forward(x, max_sequence_length):
    import cupy as cp

    angles = _cupy_position_angles(x)
    _t1 = cp.arange(angles.shape[-1]) % 2 == 1
    _t2, _t3 = _positional_encoding_fwd_0(angles)
    table = _positional_encoding_fwd_1(_t1, _t2, _t3)
    _t4 = _positional_encoding_fwd_2(table, x)
    y = _positional_encoding_fwd_3(x, _t4)
    return y, (x,)


def _cupy_backward(grad_y, x):
    grad_x = _cupy_sum_to(grad_y, x.shape)
    return grad_x


def _cupy_position_angles(like):
    """The angles p / 10000^(2 floor(i / 2) / D) of positions p < S and features i < D
    for ``like`` [..., S, D], float64 [S, D]."""
    import cupy as cp

    positions, features = like.shape[-2:]
    pairs = cp.arange(features) // 2 * 2
    rates = cp.exp(pairs * (-cp.log(10000.0) / max(features, 1)))
    return cp.arange(positions, dtype=cp.float64)[:, None] * rates


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
