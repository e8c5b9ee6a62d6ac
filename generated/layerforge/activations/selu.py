"""SELU: Scaled exponential linear unit, scale x for x >= 0 and scale alpha (exp(x) - 1)
otherwise, by default with the fixed constants of Klambauer et al.
(torch.nn.functional.selu); alpha and scale (ONNX's alpha and gamma) may be given other
values.
Generated from layers_spec/activations/selu.yaml by the layerforge transpiler 0.1.0.
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
from layerforge._jit_runtime import (
    fast_exp,
    fast_tanh,
    in_row_runs,
    row_kernel,
    rows,
    use_jit,
    whole_rows,
)

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {
    "alpha": {"kind": "float", "minimum": 0.0},
    "scale": {"kind": "float", "minimum": 0.0},
}


def forward(x, *, alpha=1.6732632423543772, scale=1.0507009873554805):
    """SELU forward pass.

    Scaled exponential linear unit, scale x for x >= 0 and scale alpha (exp(x) - 1)
    otherwise, by default with the fixed constants of Klambauer et al.
    (torch.nn.functional.selu); alpha and scale (ONNX's alpha and gamma) may be given
    other values.

    Args:
        x: float32 or float64 input of shape [..., F].
        alpha: float, default 1.6732632423543772. Scale of the negative part, exp(x) -
            1; Klambauer et al.'s constant by default.
        scale: float, default 1.0507009873554805. Scale of the whole output (ONNX's
            gamma); Klambauer et al.'s constant by default.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("selu", {"x": x}, {"x": ("...", "F")})
    check_attribute("selu", "alpha", alpha, "float", minimum=0.0)
    check_attribute("selu", "scale", scale, "float", minimum=0.0)
    if on_gpu(x):
        y, saved = _cupy_forward(x, alpha, scale)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        y, saved = in_row_blocks(_jit_forward, x, alpha, scale, outs=("out_y",))
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, alpha, scale, outs=("out_y",))
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """SELU backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context("selu", __name__, ctx, {"grad_y": grad_y})
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward(x, alpha, scale, *, out_y=None):
    negative = _expm1(np.clip(x, -np.inf, 0))
    negative *= alpha
    y = np.clip(x, 0, np.inf, out=out_y)
    y += negative
    y *= scale
    return y, (alpha, scale, y)


def _backward(grad_y, alpha, scale, y, *, out_grad_x=None):
    _t1 = scale * alpha
    grad_x = np.clip(y, -np.inf, 0, out=out_grad_x)
    grad_x += _t1
    grad_x *= grad_y
    _t2 = grad_y * (y > 0)
    _t2 *= scale - _t1
    grad_x += _t2
    return grad_x


def _expm1(x, out=None):
    """exp(x) - 1 without cancellation near 0. Where no argument exceeds 1/2 (an ELU's
    never do) it is 2t / (1 - t) for t = tanh(x / 2): one transcendental, and 1 - t is at
    least 3/4, so nothing cancels; otherwise tanh(x / 2) (exp(x) + 1), accurate for all x.
    ``out``, if given, receives the result and must not overlap ``x``.

    NumPy's float32 expm1 has no SIMD loop; tanh and exp do (3-5x faster).
    """
    if np.any(x > 0.5):
        half_tanh = np.tanh(0.5 * x)
        result = np.exp(x, out=out)
        result += 1
        result *= half_tanh
        return result
    half_tanh = np.multiply(x, 0.5)
    np.tanh(half_tanh, out=half_tanh)
    result = np.subtract(1, half_tanh, out=out)
    np.divide(half_tanh, result, out=result)
    result *= 2
    return result


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# selu_fwd_0: layers_spec/activations/selu.yaml:14,15
_selu_fwd_0 = ElementwiseKernel(
    "selu_fwd_0",
    "T x, T alpha, T scale",
    "T y",
    """
    T _t1 = x < T(0) || x != x ? x : T(0);
    T _t2 = expm1(_t1);
    T negative = alpha * _t2;
    T _t3 = x > T(0) || x != x ? x : T(0);
    T _t4 = _t3 + negative;
    y = scale * _t4;
    """,
    scalars=("alpha", "scale"),
)


def _cupy_forward(x, alpha, scale):
    y = _selu_fwd_0(x, alpha, scale)
    return y, (alpha, scale, y)


# selu_bwd_0: layers_spec/activations/selu.yaml:20
_selu_bwd_0 = ElementwiseKernel(
    "selu_bwd_0",
    "T y, T _t6, T grad_y, T _t12",
    "T grad_x",
    """
    T _t5 = y < T(0) || y != y ? y : T(0);
    T _t7 = _t5 + _t6;
    T _t8 = grad_y * _t7;
    bool _t9 = y > T(0);
    T _t10 = grad_y * _t9;
    T _t13 = _t10 * _t12;
    grad_x = _t8 + _t13;
    """,
    scalars=("_t6", "_t12"),
)


def _cupy_backward(grad_y, alpha, scale, y):
    _t6 = scale * alpha
    _t11 = scale * alpha
    _t12 = scale - _t11
    grad_x = _selu_bwd_0(y, _t6, grad_y, _t12)
    return grad_x


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# selu_fwd_loops_0: layers_spec/activations/selu.yaml:14,15
@row_kernel
def _selu_fwd_loops_0(x, alpha, scale, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = (
                x[_row, _j]
                if x[_row, _j] < _float(0.0) or x[_row, _j] != x[_row, _j]
                else _float(0.0)
            )  # selu.yaml:14
            _t2 = fast_tanh(_float(0.5) * _t1) * (
                fast_exp(_t1) + _float(1.0)
            )  # selu.yaml:14
            negative = _float(alpha) * _t2  # selu.yaml:14
            _t3 = (
                x[_row, _j]
                if x[_row, _j] > _float(0.0) or x[_row, _j] != x[_row, _j]
                else _float(0.0)
            )  # selu.yaml:15
            _t4 = _t3 + negative  # selu.yaml:15
            y = _float(scale) * _t4  # selu.yaml:15
            y_out[_row, _j] = y


@whole_rows
def _jit_forward(x, alpha, scale):
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_selu_fwd_loops_0, rows(x), alpha, scale, rows(y))
    return y, (alpha, scale, y)


# selu_bwd_loops_0: layers_spec/activations/selu.yaml:20
@row_kernel
def _selu_bwd_loops_0(y, _t1, grad_y, _t2, grad_x_out):
    _rows, _n = y.shape
    _float = y.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t3 = (
                y[_row, _j]
                if y[_row, _j] < _float(0.0) or y[_row, _j] != y[_row, _j]
                else _float(0.0)
            )  # selu.yaml:20
            _t4 = _t3 + _float(_t1)  # selu.yaml:20
            _t5 = grad_y[_row, _j] * _t4  # selu.yaml:20
            _t6 = y[_row, _j] > _float(0.0)  # selu.yaml:20
            _t7 = grad_y[_row, _j] * _t6  # selu.yaml:20
            _t8 = _t7 * _float(_t2)  # selu.yaml:20
            grad_x = _t5 + _t8  # selu.yaml:20
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward(grad_y, alpha, scale, y):
    _t6 = scale * alpha
    _t11 = scale * alpha
    _t12 = scale - _t11
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_selu_bwd_loops_0, rows(y), _t6, rows(grad_y), _t12, rows(grad_x))
    return grad_x
