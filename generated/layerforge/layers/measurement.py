"""Measurement: Born-rule measurement of real amplitudes: the probabilities p = x^2 /
sum(x^2) over the last axis. A row of zeros gives probabilities 0 (the sum is guarded by
epsilon).
Generated from layers_spec/layers/measurement.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    in_row_blocks,
)
from layerforge._cupy_runtime import RowBlockKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, epsilon=1e-30):
    """Measurement forward pass.

    Born-rule measurement of real amplitudes: the probabilities p = x^2 / sum(x^2) over
    the last axis. A row of zeros gives probabilities 0 (the sum is guarded by epsilon).

    Args:
        x: float32 or float64 input of shape [..., F]. Real amplitudes.
        epsilon: float, default 1e-30. Added to the sum of squares, so that a zero row
            gives 0, not NaN.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("measurement", {"x": x}, {"x": ("...", "F")})
    check_attribute("measurement", "epsilon", epsilon, "float", minimum=0.0)
    if on_gpu(x):
        y, saved = _cupy_forward(x, epsilon)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, epsilon, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Measurement backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "measurement", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, epsilon, *, out_y=None):
    _t1 = _dot_last(x, x)
    _t1 += epsilon
    y = np.multiply(x, x, out=out_y)
    y /= _t1
    return y, (x, _t1, y)


def _backward(grad_y, x, _t1, y, *, out_grad_x=None):
    _t2 = np.sum(-grad_y * y / _t1, axis=-1, keepdims=True) * x
    _t3 = grad_y / _t1
    _t3 *= x
    grad_x = np.add(_t2, _t2, out=out_grad_x)
    grad_x += _t3
    grad_x += _t3
    return grad_x


def _dot_last(a, b):
    """The sum over the last axis of a * b, kept as a length-1 axis, as matrix products
    (BLAS) that never form a * b: with a vector b [F] one matrix-vector product, with
    rows b [..., F] a stack of row-times-column ones."""
    if b.ndim == 1:
        return np.matmul(a, b)[..., None]
    return np.matmul(a[..., None, :], b[..., :, None])[..., 0]


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# measurement_fwd_0: layers_spec/layers/measurement.yaml:12
_measurement_fwd_0 = RowBlockKernel(
    "measurement_fwd_0",
    "row T x, scalar T epsilon",
    "per_row T _t3, row T y",
    """
    T _c_x[LF_REGISTERS];
    T _t2 = T(0);
    LF_ROW_LOOP(
        const T x = _at.fill(_c_x, _row_x, _j);
        _t2 = _Sum()(_t2, x * x);
    )
    _t2 = _row_reduce(_t2, _Sum());
    const T _t3 = _t2 + epsilon;
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T _t1 = x * x;
        const T y = _t1 / _t3;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward(x, epsilon):
    _t3, y = _measurement_fwd_0(x, epsilon)
    return y, (x, _t3, y)


# measurement_bwd_0: layers_spec/primitives.yaml:71,72,389,390,61,62; layers_spec/layers/measurement.yaml:12
_measurement_bwd_0 = RowBlockKernel(
    "measurement_bwd_0",
    "row T grad_y, per_row T _t3, row T y, row T x",
    "row T grad_x",
    """
    T _c_grad_y[LF_REGISTERS];
    T _c_x[LF_REGISTERS];
    T _t8 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_x, _row_x, _j);
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T y = _row_y[_j];
        const T _t5 = -grad_y;
        const T _t6 = _t5 * y;
        const T _t7 = _t6 / _t3;
        _t8 = _Sum()(_t8, _t7);
    )
    _t8 = _row_reduce(_t8, _Sum());
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T x = _at.get(_c_x, _row_x, _j);
        const T _t4 = grad_y / _t3;
        const T _t9 = _t8 * x;
        const T _t10 = _t8 * x;
        const T _t11 = _t4 * x;
        const T _t12 = _t4 * x;
        const T _t13 = _t9 + _t10;
        const T _t14 = _t13 + _t11;
        const T grad_x = _t14 + _t12;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


def _cupy_backward(grad_y, x, _t3, y):
    grad_x = _measurement_bwd_0(grad_y, _t3, y, x)
    return grad_x
