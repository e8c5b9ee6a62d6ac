"""RReLU: Randomized leaky ReLU: in training each negative element gets its own slope drawn
uniformly from [lower, upper] and kept for backward; in inference the slope is the mean
(lower + upper) / 2.
Generated from layers_spec/activations/rrelu.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    in_row_blocks,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu, default_gpu_rng
from layerforge._jit_runtime import in_row_runs, row_kernel, rows, use_jit, whole_rows

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {
    "lower": {"kind": "float"},
    "upper": {"kind": "float"},
    "training": {"kind": "bool"},
}
RANDOM = True


def forward(x, *, lower=0.125, upper=0.3333333333333333, training=True, rng=None):
    """RReLU forward pass.

    Randomized leaky ReLU: in training each negative element gets its own slope drawn
    uniformly from [lower, upper] and kept for backward; in inference the slope is the
    mean (lower + upper) / 2.

    Args:
        x: float32 or float64 input of shape [..., F].
        lower: float, default 0.125. Lower bound of the random slope.
        upper: float, default 0.3333333333333333. Upper bound of the random slope.
        training: bool, default True. Random slopes if true, the mean slope if false.
        rng: a numpy.random.Generator (or CuPy's) for the random draws; a fresh one if
            None.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("rrelu", {"x": x}, {"x": ("...", "F")})
    check_attribute("rrelu", "lower", lower, "float")
    check_attribute("rrelu", "upper", upper, "float")
    check_attribute("rrelu", "training", training, "bool")
    if on_gpu(x):
        if rng is None:
            rng = default_gpu_rng()
        forward_variant, backward_variant = _CUPY_VARIANTS[training]
        y, saved = forward_variant(rng, x, lower, upper)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        if rng is None:
            rng = np.random.default_rng()
        forward_variant, backward_variant = _JIT_VARIANTS[training]
        y, saved = in_row_blocks(
            forward_variant, x, lower, upper, rng=rng, outs=("out_y",)
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    if rng is None:
        rng = np.random.default_rng()
    forward_variant, backward_variant = _VARIANTS[training]
    y, saved = in_row_blocks(forward_variant, x, lower, upper, rng=rng, outs=("out_y",))
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """RReLU backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context("rrelu", __name__, ctx, {"grad_y": grad_y})
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward_train(rng, x, lower, upper, *, out_y=None):
    slope = _uniform(rng, lower, upper, x)
    y = np.clip(x, 0, np.inf, out=out_y)
    _t1 = np.clip(x, -np.inf, 0)
    _t1 *= slope
    y += _t1
    return y, (x, slope)


def _backward_train(grad_y, x, slope, *, out_grad_x=None):
    grad_x = np.multiply(grad_y, slope, out=out_grad_x)
    grad_x *= x < 0
    _t1 = grad_y * (x > 0)
    grad_x += _t1
    return grad_x


def _forward_eval(rng, x, lower, upper, *, out_y=None):
    slope = 0.5 * (lower + upper)
    y = np.clip(x, 0, np.inf, out=out_y)
    _t1 = np.clip(x, -np.inf, 0)
    _t1 *= slope
    y += _t1
    return y, (x, lower, upper)


def _backward_eval(grad_y, x, lower, upper, *, out_grad_x=None):
    slope = 0.5 * (lower + upper)
    grad_x = np.multiply(grad_y, slope, out=out_grad_x)
    grad_x *= x < 0
    _t1 = grad_y * (x > 0)
    grad_x += _t1
    return grad_x


_VARIANTS = {
    True: (_forward_train, _backward_train),
    False: (_forward_eval, _backward_eval),
}


def _uniform(rng, low, high, like):
    """Uniform draws on [low, high) shaped like ``like``, in its dtype, as PyTorch draws
    them: float32 draws for float32 (2.5x faster than float64 draws cast down: 9 ms
    against 24 for 4096 x 1024); float64 ones are Generator.uniform's (low + (high -
    low) * U, the same stream)."""
    draws = rng.random(like.shape, dtype=like.dtype)
    draws *= high - low
    draws += low
    return draws


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# rrelu_train_fwd_0: layers_spec/activations/rrelu.yaml:20
_rrelu_train_fwd_0 = ElementwiseKernel(
    "rrelu_train_fwd_0",
    "T x, T slope",
    "T y",
    """
    T _t1 = x > T(0) || x != x ? x : T(0);
    T _t2 = x < T(0) || x != x ? x : T(0);
    T _t3 = slope * _t2;
    y = _t1 + _t3;
    """,
)


def _cupy_forward_train(rng, x, lower, upper):
    slope = _uniform(rng, lower, upper, x)
    y = _rrelu_train_fwd_0(x, slope)
    return y, (x, slope)


# rrelu_train_bwd_0: layers_spec/primitives.yaml:62,262,252
_rrelu_train_bwd_0 = ElementwiseKernel(
    "rrelu_train_bwd_0",
    "T grad_y, T slope, T x",
    "T grad_x",
    """
    T _t4 = grad_y * slope;
    bool _t5 = x < T(0);
    T _t6 = _t4 * _t5;
    bool _t7 = x > T(0);
    T _t8 = grad_y * _t7;
    grad_x = _t6 + _t8;
    """,
)


def _cupy_backward_train(grad_y, x, slope):
    grad_x = _rrelu_train_bwd_0(grad_y, slope, x)
    return grad_x


# rrelu_eval_fwd_0: layers_spec/activations/rrelu.yaml:20
_rrelu_eval_fwd_0 = ElementwiseKernel(
    "rrelu_eval_fwd_0",
    "T x, T slope",
    "T y",
    """
    T _t2 = x > T(0) || x != x ? x : T(0);
    T _t3 = x < T(0) || x != x ? x : T(0);
    T _t4 = slope * _t3;
    y = _t2 + _t4;
    """,
    scalars=("slope",),
)


def _cupy_forward_eval(rng, x, lower, upper):
    _t1 = lower + upper
    slope = 0.5 * _t1
    y = _rrelu_eval_fwd_0(x, slope)
    return y, (x, lower, upper)


# rrelu_eval_bwd_0: layers_spec/primitives.yaml:62,262,252
_rrelu_eval_bwd_0 = ElementwiseKernel(
    "rrelu_eval_bwd_0",
    "T grad_y, T slope, T x",
    "T grad_x",
    """
    T _t5 = grad_y * slope;
    bool _t6 = x < T(0);
    T _t7 = _t5 * _t6;
    bool _t8 = x > T(0);
    T _t9 = grad_y * _t8;
    grad_x = _t7 + _t9;
    """,
    scalars=("slope",),
)


def _cupy_backward_eval(grad_y, x, lower, upper):
    _t1 = lower + upper
    slope = 0.5 * _t1
    grad_x = _rrelu_eval_bwd_0(grad_y, slope, x)
    return grad_x


_CUPY_VARIANTS = {
    True: (_cupy_forward_train, _cupy_backward_train),
    False: (_cupy_forward_eval, _cupy_backward_eval),
}


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# rrelu_train_bwd_loops_0: layers_spec/primitives.yaml:62,262,252
@row_kernel
def _rrelu_train_bwd_loops_0(grad_y, slope, x, grad_x_out):
    _rows, _n = grad_y.shape
    _float = grad_y.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = grad_y[_row, _j] * slope[_row, _j]  # primitives.yaml:62
            _t2 = x[_row, _j] < _float(0.0)  # primitives.yaml:262
            _t3 = _t1 * _t2  # primitives.yaml:262
            _t4 = x[_row, _j] > _float(0.0)  # primitives.yaml:252
            _t5 = grad_y[_row, _j] * _t4  # primitives.yaml:252
            grad_x = _t3 + _t5  # primitives.yaml:252
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward_train(grad_y, x, slope):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(
        _rrelu_train_bwd_loops_0, rows(grad_y), rows(slope), rows(x), rows(grad_x)
    )
    return grad_x


# rrelu_eval_fwd_loops_0: layers_spec/activations/rrelu.yaml:20
@row_kernel
def _rrelu_eval_fwd_loops_0(x, slope, y_out):
    _rows, _n = x.shape
    _float = x.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = (
                x[_row, _j]
                if x[_row, _j] > _float(0.0) or x[_row, _j] != x[_row, _j]
                else _float(0.0)
            )  # rrelu.yaml:20
            _t2 = (
                x[_row, _j]
                if x[_row, _j] < _float(0.0) or x[_row, _j] != x[_row, _j]
                else _float(0.0)
            )  # rrelu.yaml:20
            _t3 = _float(slope) * _t2  # rrelu.yaml:20
            y = _t1 + _t3  # rrelu.yaml:20
            y_out[_row, _j] = y


@whole_rows
def _jit_forward_eval(rng, x, lower, upper):
    _t1 = lower + upper
    slope = 0.5 * _t1
    y = np.empty(x.shape, x.dtype)
    in_row_runs(_rrelu_eval_fwd_loops_0, rows(x), slope, rows(y))
    return y, (x, lower, upper)


# rrelu_eval_bwd_loops_0: layers_spec/primitives.yaml:62,262,252
@row_kernel
def _rrelu_eval_bwd_loops_0(grad_y, slope, x, grad_x_out):
    _rows, _n = grad_y.shape
    _float = grad_y.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t1 = grad_y[_row, _j] * _float(slope)  # primitives.yaml:62
            _t2 = x[_row, _j] < _float(0.0)  # primitives.yaml:262
            _t3 = _t1 * _t2  # primitives.yaml:262
            _t4 = x[_row, _j] > _float(0.0)  # primitives.yaml:252
            _t5 = grad_y[_row, _j] * _t4  # primitives.yaml:252
            grad_x = _t3 + _t5  # primitives.yaml:252
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward_eval(grad_y, x, lower, upper):
    _t1 = lower + upper
    slope = 0.5 * _t1
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(_rrelu_eval_bwd_loops_0, rows(grad_y), slope, rows(x), rows(grad_x))
    return grad_x


_JIT_VARIANTS = {
    True: (_forward_train, _jit_backward_train),
    False: (_jit_forward_eval, _jit_backward_eval),
}
