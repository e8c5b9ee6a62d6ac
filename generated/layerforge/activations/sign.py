"""Sign: -1, 0 or 1 by the sign of x; its gradient is zero everywhere (as in PyTorch).
Generated from layers_spec/activations/sign.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu
from layerforge._jit_runtime import in_row_runs, row_kernel, rows, use_jit, whole_rows

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {}


def forward(x):
    """Sign forward pass.

    -1, 0 or 1 by the sign of x; its gradient is zero everywhere (as in PyTorch).

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("sign", {"x": x}, {"x": ("...", "F")})
    if on_gpu(x):
        y, saved = _cupy_forward(x)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = _jit_forward(x)
        return y, (_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Sign backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context("sign", __name__, ctx, {"grad_y": grad_y})
    return backward_variant(grad_y, *saved)


def _forward(x):
    y = np.sign(x)
    return y, (x,)


def _backward(grad_y, x):
    grad_x = np.zeros_like(x)
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# sign_fwd_0: layers_spec/activations/sign.yaml:8
_sign_fwd_0 = ElementwiseKernel(
    "sign_fwd_0",
    "T x",
    "T y",
    """
    y = x != x ? x : T((x > 0) - (x < 0));
    """,
)


def _cupy_forward(x):
    y = _sign_fwd_0(x)
    return y, (x,)


# sign_bwd_0: layers_spec/activations/sign.yaml:8
_sign_bwd_0 = ElementwiseKernel(
    "sign_bwd_0",
    "T x",
    "T grad_x",
    """
    grad_x = 0;
    """,
)


def _cupy_backward(grad_y, x):
    grad_x = _sign_bwd_0(x)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# sign_fwd_loops_0: layers_spec/activations/sign.yaml:8
@row_kernel
def _sign_fwd_loops_0(x, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            y = (
                _float(1.0)
                if x[_row, _j] > 0
                else _float(-1.0) if x[_row, _j] < 0 else x[_row, _j] - x[_row, _j]
            )  # sign.yaml:8
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_sign_fwd_loops_0, rows(x), rows(y))
    return y, (x,)
