"""SELU: Scaled exponential linear unit with the fixed constants of Klambauer et al.,
lambda x for x >= 0 and lambda alpha (exp(x) - 1) otherwise.
Generated from layers_spec/activations/selu.yaml by the layerforge transpiler 0.1.0.
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
    """SELU forward pass.

    Scaled exponential linear unit with the fixed constants of Klambauer et al., lambda
    x for x >= 0 and lambda alpha (exp(x) - 1) otherwise.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("selu", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved)
    y, saved = _forward(x)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """SELU backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("selu", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x):
    negative = np.minimum(x, 0)
    np.expm1(negative, out=negative)
    negative *= 1.6732632423543772
    y = np.maximum(x, 0)
    y += negative
    y *= 1.0507009873554805
    return y, (x,)


def _backward(grad_y, x):
    _t1 = grad_y * 1.0507009873554805
    grad_x = _t1 * (x > 0)
    _t2 = np.minimum(x, 0)
    np.expm1(_t2, out=_t2)
    _t2 += 1
    _t2 *= _t1
    _t2 *= 1.6732632423543772
    _t2 *= x < 0
    grad_x += _t2
    return grad_x


# The CuPy target: fused elementwise kernels, built on first use, and CuPy twins
# of the functions above.


# selu_fwd_0: layers_spec/activations/selu.yaml:10,11
_selu_fwd_0 = ElementwiseKernel(
    "selu_fwd_0",
    "T x",
    "T y",
    """
    T _t1 = x < T(0) || x != x ? x : T(0);
    T _t2 = expm1(_t1);
    T negative = T(1.6732632423543772) * _t2;
    T _t3 = x > T(0) || x != x ? x : T(0);
    T _t4 = _t3 + negative;
    y = T(1.0507009873554805) * _t4;
    """,
)


def _cupy_forward(x):
    y = _selu_fwd_0(x)
    return y, (x,)


# selu_bwd_0: layers_spec/activations/selu.yaml:10; layers_spec/primitives.yaml:56,193,103,203
_selu_bwd_0 = ElementwiseKernel(
    "selu_bwd_0",
    "T x, T grad_y",
    "T grad_x",
    """
    T _t1 = x < T(0) || x != x ? x : T(0);
    T _t2 = expm1(_t1);
    T _t5 = grad_y * T(1.0507009873554805);
    bool _t6 = x > T(0);
    T _t7 = _t5 * _t6;
    T _t8 = _t5 * T(1.6732632423543772);
    T _t9 = _t2 + T(1);
    T _t10 = _t8 * _t9;
    bool _t11 = x < T(0);
    T _t12 = _t10 * _t11;
    grad_x = _t7 + _t12;
    """,
)


def _cupy_backward(grad_y, x):
    grad_x = _selu_bwd_0(x, grad_y)
    return grad_x
