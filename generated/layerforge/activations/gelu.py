"""GELU: Gaussian error linear unit in its tanh approximation (as the catalog and PyTorch's
approximate="tanh"), 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
Generated from layers_spec/activations/gelu.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, in_row_blocks
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {}


def forward(x):
    """GELU forward pass.

    Gaussian error linear unit in its tanh approximation (as the catalog and PyTorch's
    approximate="tanh"), 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("gelu", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """GELU backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context("gelu", __name__, ctx, {"grad_y": grad_y})
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, *, out_y=None):
    inner = x * x
    inner *= x
    inner *= 0.044715
    inner += x
    inner *= 0.7978845608028654
    y = np.tanh(inner, out=out_y)
    y += 1
    y *= 0.5
    y *= x
    return y, (x,)


def _backward(grad_y, x, *, out_grad_x=None):
    inner = x * x
    inner *= x
    inner *= 0.044715
    inner += x
    inner *= 0.7978845608028654
    _t1 = np.tanh(inner, out=inner)
    grad_inner = _t1 * _t1
    np.subtract(1, grad_inner, out=grad_inner)
    grad_inner *= grad_y
    grad_inner *= 0.5
    grad_inner *= x
    _t2 = grad_inner * 0.7978845608028654
    grad_x = np.add(1, _t1, out=out_grad_x)
    grad_x *= grad_y
    grad_x *= 0.5
    grad_x += _t2
    _t3 = _t2 * 0.044715
    _t3 *= 3
    _t4 = x * x
    _t3 *= _t4
    grad_x += _t3
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# gelu_fwd_0: layers_spec/activations/gelu.yaml:10,11
_gelu_fwd_0 = ElementwiseKernel(
    "gelu_fwd_0",
    "T x",
    "T y",
    """
    T _t1 = x * x * x;
    T _t2 = T(0.044715) * _t1;
    T _t3 = x + _t2;
    T inner = T(0.7978845608028654) * _t3;
    T _t4 = T(0.5) * x;
    T _t5 = tanh(inner);
    T _t6 = T(1) + _t5;
    y = _t4 * _t6;
    """,
)


def _cupy_forward(x):
    y = _gelu_fwd_0(x)
    return y, (x,)


# gelu_bwd_0: layers_spec/activations/gelu.yaml:10,11; layers_spec/primitives.yaml:61,62,180,90
_gelu_bwd_0 = ElementwiseKernel(
    "gelu_bwd_0",
    "T x, T grad_y",
    "T grad_x",
    """
    T _t1 = x * x * x;
    T _t2 = T(0.044715) * _t1;
    T _t3 = x + _t2;
    T inner = T(0.7978845608028654) * _t3;
    T _t4 = T(0.5) * x;
    T _t5 = tanh(inner);
    T _t6 = T(1) + _t5;
    T _t7 = grad_y * _t6;
    T _t8 = grad_y * _t4;
    T _t9 = _t5 * _t5;
    T _t10 = T(1) - _t9;
    T grad_inner = _t8 * _t10;
    T _t12 = _t7 * T(0.5);
    T _t13 = grad_inner * T(0.7978845608028654);
    T _t14 = _t13 * T(0.044715);
    T _t15 = _t14 * T(3);
    T _t16 = x * x;
    T _t17 = _t15 * _t16;
    T _t18 = _t12 + _t13;
    grad_x = _t18 + _t17;
    """,
)


def _cupy_backward(grad_y, x):
    grad_x = _gelu_bwd_0(x, grad_y)
    return grad_x
