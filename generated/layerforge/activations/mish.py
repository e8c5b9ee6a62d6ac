"""Mish: x tanh(softplus(x)), with an overflow-free softplus.
Generated from layers_spec/activations/mish.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x):
    """Mish forward pass.

    x tanh(softplus(x)), with an overflow-free softplus.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("mish", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved)
    y, saved = _forward(x)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """Mish backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("mish", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x):
    y = _softplus(x)
    np.tanh(y, out=y)
    y *= x
    return y, (x,)


def _backward(grad_y, x):
    _t1 = _softplus(x)
    np.tanh(_t1, out=_t1)
    grad_x = grad_y * _t1
    _t2 = _t1 * _t1
    np.subtract(1, _t2, out=_t2)
    _t2 *= grad_y
    _t2 *= x
    _t3 = _sigmoid(x)
    _t2 *= _t3
    grad_x += _t2
    return grad_x


def _sigmoid(x):
    """Logistic sigmoid exp(min(x, 0)) / (1 + exp(-|x|)): exp only of non-positive numbers."""
    numerator = np.exp(np.minimum(x, 0))
    numerator /= 1 + np.exp(-np.abs(x))
    return numerator


def _softplus(x):
    """log(1 + exp(x)) without overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


# The CuPy target: fused elementwise kernels, built on first use, and CuPy twins
# of the functions above.


# mish_fwd_0: layers_spec/activations/mish.yaml:8
_mish_fwd_0 = ElementwiseKernel(
    "mish_fwd_0",
    "T x",
    "T y",
    """
    T _t1 = (x > 0 ? x : T(0)) + log1p(exp(-fabs(x)));
    T _t2 = tanh(_t1);
    y = x * _t2;
    """,
)


def _cupy_forward(x):
    y = _mish_fwd_0(x)
    return y, (x,)


# mish_bwd_0: layers_spec/activations/mish.yaml:8; layers_spec/primitives.yaml:55,56,139,167
_mish_bwd_0 = ElementwiseKernel(
    "mish_bwd_0",
    "T x, T grad_y",
    "T grad_x",
    """
    T _t1 = (x > 0 ? x : T(0)) + log1p(exp(-fabs(x)));
    T _t2 = tanh(_t1);
    T _t3 = grad_y * _t2;
    T _t4 = grad_y * x;
    T _t5 = _t2 * _t2;
    T _t6 = T(1) - _t5;
    T _t7 = _t4 * _t6;
    T _t8 = exp(x < 0 ? x : T(0)) / (1 + exp(-fabs(x)));
    T _t9 = _t7 * _t8;
    grad_x = _t3 + _t9;
    """,
)


def _cupy_backward(grad_y, x):
    grad_x = _mish_bwd_0(x, grad_y)
    return grad_x
