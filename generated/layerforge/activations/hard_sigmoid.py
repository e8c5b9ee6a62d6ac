"""HardSigmoid: clip((x + 1) / 2, 0, 1), the catalog's definition (not PyTorch's relu6(x +
3) / 6).
Generated from layers_spec/activations/hard_sigmoid.yaml by the layerforge transpiler 0.1.0.
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
    """HardSigmoid forward pass.

    clip((x + 1) / 2, 0, 1), the catalog's definition (not PyTorch's relu6(x + 3) / 6).

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("hard_sigmoid", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """HardSigmoid backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "hard_sigmoid", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, *, out_y=None):
    _t1 = x + 1
    _t1 *= 0.5
    y = np.clip(_t1, 0, 1, out=out_y)
    return y, (_t1,)


def _backward(grad_y, _t1, *, out_grad_x=None):
    grad_x = np.multiply(grad_y, (_t1 > 0) & (_t1 < 1), out=out_grad_x)
    grad_x *= 0.5
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# hard_sigmoid_fwd_0: layers_spec/activations/hard_sigmoid.yaml:9
_hard_sigmoid_fwd_0 = ElementwiseKernel(
    "hard_sigmoid_fwd_0",
    "T x",
    "T _t2, T y",
    """
    T _t1 = x + T(1);
    _t2 = T(0.5) * _t1;
    y = _t2 < T(0) ? T(0) : _t2 > T(1) ? T(1) : _t2;
    """,
)


def _cupy_forward(x):
    _t2, y = _hard_sigmoid_fwd_0(x)
    return y, (_t2,)


# hard_sigmoid_bwd_0: layers_spec/primitives.yaml:272,62
_hard_sigmoid_bwd_0 = ElementwiseKernel(
    "hard_sigmoid_bwd_0",
    "T _t2, T grad_y",
    "T grad_x",
    """
    bool _t3 = _t2 > T(0);
    bool _t4 = _t2 < T(1);
    bool _t5 = _t3 && _t4;
    T _t6 = grad_y * _t5;
    grad_x = _t6 * T(0.5);
    """,
)


def _cupy_backward(grad_y, _t2):
    grad_x = _hard_sigmoid_bwd_0(_t2, grad_y)
    return grad_x
