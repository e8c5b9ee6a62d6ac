"""BinarySpiking: Heaviside spike, 1 if x >= threshold else 0. Its true derivative is zero
almost everywhere; backward uses the catalog's triangular surrogate slope * max(1 - |x -
threshold| / width, 0).
Generated from layers_spec/activations/binary_spiking.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    in_row_blocks,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu
from layerforge._jit_runtime import in_row_runs, row_kernel, rows, use_jit, whole_rows

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {
    "threshold": {"kind": "float"},
    "slope": {"kind": "float"},
    "width": {"kind": "float", "minimum": 0.0},
}


def forward(x, *, threshold=1.0, slope=1.0, width=0.2):
    """BinarySpiking forward pass.

    Heaviside spike, 1 if x >= threshold else 0. Its true derivative is zero almost
    everywhere; backward uses the catalog's triangular surrogate slope * max(1 - |x -
    threshold| / width, 0).

    Args:
        x: float32 or float64 input of shape [..., F].
        threshold: float, default 1.0. Firing threshold.
        slope: float, default 1.0. Height of the surrogate derivative.
        width: float, default 0.2. Half-width of the surrogate derivative.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("binary_spiking", {"x": x}, {"x": ("...", "F")})
    check_attribute("binary_spiking", "threshold", threshold, "float")
    check_attribute("binary_spiking", "slope", slope, "float")
    check_attribute("binary_spiking", "width", width, "float", minimum=0.0)
    if on_gpu(x):
        y, saved = _cupy_forward(x, threshold, slope, width)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = _jit_forward(x, threshold, slope, width)
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, threshold, slope, width)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """BinarySpiking backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "binary_spiking", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, threshold, slope, width):
    _t1 = x - threshold
    y = (_t1 >= 0).astype(_t1.dtype)
    return y, (slope, width, _t1)


def _backward(grad_y, slope, width, _t1, *, out_grad_x=None):
    grad_x = np.abs(_t1, out=out_grad_x)
    grad_x /= width
    np.subtract(1, grad_x, out=grad_x)
    np.clip(grad_x, 0, np.inf, out=grad_x)
    grad_x *= grad_y
    grad_x *= slope
    return grad_x


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# binary_spiking_fwd_0: layers_spec/activations/binary_spiking.yaml:15
_binary_spiking_fwd_0 = ElementwiseKernel(
    "binary_spiking_fwd_0",
    "T x, T threshold, T slope, T width",
    "T _t1, T y",
    """
    _t1 = x - threshold;
    y = _t1 >= 0;
    """,
    scalars=("threshold", "slope", "width"),
)


def _cupy_forward(x, threshold, slope, width):
    _t1, y = _binary_spiking_fwd_0(x, threshold, slope, width)
    return y, (slope, width, _t1)


# binary_spiking_bwd_0: layers_spec/primitives.yaml:322
_binary_spiking_bwd_0 = ElementwiseKernel(
    "binary_spiking_bwd_0",
    "T grad_y, T slope, T _t1, T width",
    "T grad_x",
    """
    T _t2 = grad_y * slope;
    T _t3 = fabs(_t1);
    T _t4 = _t3 / width;
    T _t5 = T(1) - _t4;
    T _t6 = _t5 > T(0) || _t5 != _t5 ? _t5 : T(0);
    grad_x = _t2 * _t6;
    """,
    scalars=("slope", "width"),
)


def _cupy_backward(grad_y, slope, width, _t1):
    grad_x = _binary_spiking_bwd_0(grad_y, slope, _t1, width)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# binary_spiking_fwd_loops_0: layers_spec/activations/binary_spiking.yaml:15
@row_kernel
def _binary_spiking_fwd_loops_0(x, threshold, slope, width, _t1_out, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = x[_row, _j] - _float(threshold)  # binary_spiking.yaml:15
            _t1_out[_row, _j] = _t1
            y = _float(1.0) if _t1 >= 0 else _float(0.0)  # binary_spiking.yaml:15
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x, threshold, slope, width):
    _t1 = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_row_runs(
        _binary_spiking_fwd_loops_0,
        rows(x),
        threshold,
        slope,
        width,
        rows(_t1),
        rows(y),
    )
    return y, (slope, width, _t1)


# binary_spiking_bwd_loops_0: layers_spec/primitives.yaml:322
@row_kernel
def _binary_spiking_bwd_loops_0(grad_y, slope, _t1, width, grad_x_out):
    _rows, _n = grad_y.shape
    _float = grad_y.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t2 = grad_y[_row, _j] * _float(slope)  # primitives.yaml:322
            _t3 = abs(_t1[_row, _j])  # primitives.yaml:322
            _t4 = _t3 / _float(width)  # primitives.yaml:322
            _t5 = _float(1.0) - _t4  # primitives.yaml:322
            _t6 = (
                _t5 if _t5 > _float(0.0) or _t5 != _t5 else _float(0.0)
            )  # primitives.yaml:322
            grad_x = _t2 * _t6  # primitives.yaml:322
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, slope, width, _t1):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(
        _binary_spiking_bwd_loops_0, rows(grad_y), slope, rows(_t1), width, rows(grad_x)
    )
    return grad_x
