"""GumbelSoftmax: softmax((x + g) / temperature) over the last axis with Gumbel noise g
drawn in training and held fixed for backward; without noise in inference.
Generated from layers_spec/activations/gumbel_softmax.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    in_row_blocks,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import RowBlockKernel, on_gpu, default_gpu_rng
from layerforge._jit_runtime import (
    fast_exp,
    fast_max,
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
    "temperature": {"kind": "float", "minimum": 0.0},
    "training": {"kind": "bool"},
}
RANDOM = True


def forward(x, *, temperature=1.0, training=True, rng=None):
    """GumbelSoftmax forward pass.

    softmax((x + g) / temperature) over the last axis with Gumbel noise g drawn in
    training and held fixed for backward; without noise in inference.

    Args:
        x: float32 or float64 input of shape [..., F].
        temperature: float, default 1.0. Softmax temperature; must be positive.
        training: bool, default True. Add Gumbel noise if true.
        rng: a numpy.random.Generator (or CuPy's) for the random draws; a fresh one if
            None.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("gumbel_softmax", {"x": x}, {"x": ("...", "F")})
    check_attribute("gumbel_softmax", "temperature", temperature, "float", minimum=0.0)
    check_attribute("gumbel_softmax", "training", training, "bool")
    if on_gpu(x):
        if rng is None:
            rng = default_gpu_rng()
        forward_variant, backward_variant = _CUPY_VARIANTS[training]
        y, saved = forward_variant(rng, x, temperature)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    if use_jit(x):
        if rng is None:
            rng = np.random.default_rng()
        forward_variant, backward_variant = _JIT_VARIANTS[training]
        y, saved = in_row_blocks(
            forward_variant, x, temperature, rng=rng, outs=("out_y",)
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    if rng is None:
        rng = np.random.default_rng()
    forward_variant, backward_variant = _VARIANTS[training]
    y, saved = in_row_blocks(forward_variant, x, temperature, rng=rng, outs=("out_y",))
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """GumbelSoftmax backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "gumbel_softmax", __name__, ctx, {"grad_y": grad_y}
    )
    return in_row_blocks(backward_variant, grad_y, *saved, outs=("out_grad_x",))


def _forward_train(rng, x, temperature, *, out_y=None):
    _t1 = _gumbel(rng, x)
    logits = x + _t1
    logits /= temperature
    shifted = np.subtract(logits, _amax(logits, -1), out=logits)
    exponentials = np.exp(shifted, out=shifted)
    y = np.divide(exponentials, _sum(exponentials, -1), out=out_y)
    return y, (temperature, y)


def _backward_train(grad_y, temperature, y, *, out_grad_x=None):
    grad_x = np.subtract(grad_y, _sum(grad_y * y, -1), out=out_grad_x)
    grad_x *= y
    grad_x /= temperature
    return grad_x


def _forward_eval(rng, x, temperature, *, out_y=None):
    logits = x / temperature
    shifted = np.subtract(logits, _amax(logits, -1), out=logits)
    exponentials = np.exp(shifted, out=shifted)
    y = np.divide(exponentials, _sum(exponentials, -1), out=out_y)
    return y, (temperature, y)


_VARIANTS = {
    True: (_forward_train, _backward_train),
    False: (_forward_eval, _backward_train),
}


def _amax(x, axis):
    """The maximum along ``axis``, kept as a length-1 axis, NaN if any is. A short axis
    (maxout's pieces) is folded with np.maximum over its slices: NumPy's reduction loop
    is slow on a few elements at a time. Over an empty axis it is -inf (the identity of
    the maximum), so that softmax and its kin return empty rows."""
    if not x.shape[axis]:
        return np.full(
            x.shape[: axis % x.ndim] + (1,) + x.shape[axis % x.ndim + 1 :],
            -np.inf,
            x.dtype,
        )
    if x.shape[axis] > 8:
        return np.max(x, axis=axis, keepdims=True)
    pieces = np.moveaxis(x, axis, 0)
    top = pieces[0].copy()
    for piece in pieces[1:]:
        np.maximum(top, piece, out=top)
    return np.expand_dims(top, axis)


def _gumbel(rng, like):
    """Standard Gumbel noise shaped like ``like``, in its dtype (float32 draws and logs
    for float32): -log(-log(U)), U clipped away from 0 and 1 (float32 draws stay below
    1 - 2^-24 by themselves: 1 - 1e-10 rounds to 1)."""
    u = np.clip(rng.random(like.shape, dtype=like.dtype), 1e-10, 1 - 1e-10)
    np.log(u, out=u)
    np.negative(u, out=u)
    np.log(u, out=u)
    return np.negative(u, out=u)


def _sum(x, axis):
    """The sum along ``axis`` (one axis or a tuple), kept as length-1 axes. Along the last
    axis of a float array it is a matrix-vector product with ones (BLAS), several times
    faster than NumPy's reduction loop on rows; over several trailing axes of a
    C-contiguous one (per-channel sums over H and W) those are flattened into one such
    product, and any leading axes are then summed over the much smaller result."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        with blas_flags_ignored(x):
            return np.matmul(x, np.ones(x.shape[-1], x.dtype))[..., None]
    axes = sorted(a % x.ndim for a in axis) if isinstance(axis, tuple) else None
    trailing = 0
    while axes and x.ndim - 1 - trailing in axes:
        trailing += 1
    if trailing < 2 or x.dtype.kind != "f" or not x.flags.c_contiguous or not x.size:
        return np.sum(x, axis=axis, keepdims=True)
    inner = 1
    for n in x.shape[x.ndim - trailing :]:
        inner *= n
    sums = np.matmul(x.reshape(-1, inner), np.ones(inner, x.dtype))
    sums = sums.reshape(x.shape[: x.ndim - trailing] + (1,) * trailing)
    rest = tuple(a for a in axes if a < x.ndim - trailing)
    return np.sum(sums, axis=rest, keepdims=True) if rest else sums


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# gumbel_softmax_train_fwd_0: layers_spec/activations/gumbel_softmax.yaml:15,18,19,20
_gumbel_softmax_train_fwd_0 = RowBlockKernel(
    "gumbel_softmax_train_fwd_0",
    "row T x, row T _t1, scalar T temperature",
    "row T y",
    """
    T _c_x[LF_REGISTERS];
    T _c__t1[LF_REGISTERS];
    T _t3 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T x = _at.fill(_c_x, _row_x, _j);
        const T _t1 = _at.fill(_c__t1, _row__t1, _j);
        const T _t2 = x + _t1;
        const T logits = _t2 / temperature;
        _t3 = _Max()(_t3, logits);
    )
    _t3 = _row_reduce(_t3, _Max());
    const T _t4 = _t3;
    T _t5 = T(0);
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T _t1 = _at.get(_c__t1, _row__t1, _j);
        const T _t2 = x + _t1;
        const T logits = _t2 / temperature;
        const T shifted = logits - _t4;
        const T exponentials = exp(shifted);
        _t5 = _Sum()(_t5, exponentials);
    )
    _t5 = _row_reduce(_t5, _Sum());
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T _t1 = _at.get(_c__t1, _row__t1, _j);
        const T _t2 = x + _t1;
        const T logits = _t2 / temperature;
        const T shifted = logits - _t4;
        const T exponentials = exp(shifted);
        const T y = exponentials / _t5;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_train(rng, x, temperature):
    _t1 = _cupy_gumbel(rng, x)
    y = _gumbel_softmax_train_fwd_0(x, _t1, temperature)
    return y, (temperature, y)


# gumbel_softmax_train_bwd_0: layers_spec/activations/gumbel_softmax.yaml:22
_gumbel_softmax_train_bwd_0 = RowBlockKernel(
    "gumbel_softmax_train_bwd_0",
    "row T grad_y, row T y, scalar T temperature",
    "row T grad_x",
    """
    T _c_grad_y[LF_REGISTERS];
    T _c_y[LF_REGISTERS];
    T _t7 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T y = _at.fill(_c_y, _row_y, _j);
        const T _t6 = grad_y * y;
        _t7 = _Sum()(_t7, _t6);
    )
    _t7 = _row_reduce(_t7, _Sum());
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T y = _at.get(_c_y, _row_y, _j);
        const T _t8 = grad_y - _t7;
        const T _t9 = y * _t8;
        const T grad_x = _t9 / temperature;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


def _cupy_backward_train(grad_y, temperature, y):
    grad_x = _gumbel_softmax_train_bwd_0(grad_y, y, temperature)
    return grad_x


# gumbel_softmax_eval_fwd_0: layers_spec/activations/gumbel_softmax.yaml:17,18,19,20
_gumbel_softmax_eval_fwd_0 = RowBlockKernel(
    "gumbel_softmax_eval_fwd_0",
    "row T x, scalar T temperature",
    "row T y",
    """
    T _c_x[LF_REGISTERS];
    T _t1 = LF_MINUS_INF;
    LF_ROW_LOOP(
        const T x = _at.fill(_c_x, _row_x, _j);
        const T logits = x / temperature;
        _t1 = _Max()(_t1, logits);
    )
    _t1 = _row_reduce(_t1, _Max());
    const T _t2 = _t1;
    T _t3 = T(0);
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T logits = x / temperature;
        const T shifted = logits - _t2;
        const T exponentials = exp(shifted);
        _t3 = _Sum()(_t3, exponentials);
    )
    _t3 = _row_reduce(_t3, _Sum());
    LF_ROW_LOOP(
        const T x = _at.get(_c_x, _row_x, _j);
        const T logits = x / temperature;
        const T shifted = logits - _t2;
        const T exponentials = exp(shifted);
        const T y = exponentials / _t3;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_eval(rng, x, temperature):
    y = _gumbel_softmax_eval_fwd_0(x, temperature)
    return y, (temperature, y)


# gumbel_softmax_eval_bwd_0: layers_spec/activations/gumbel_softmax.yaml:22
_gumbel_softmax_eval_bwd_0 = RowBlockKernel(
    "gumbel_softmax_eval_bwd_0",
    "row T grad_y, row T y, scalar T temperature",
    "row T grad_x",
    """
    T _c_grad_y[LF_REGISTERS];
    T _c_y[LF_REGISTERS];
    T _t5 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T y = _at.fill(_c_y, _row_y, _j);
        const T _t4 = grad_y * y;
        _t5 = _Sum()(_t5, _t4);
    )
    _t5 = _row_reduce(_t5, _Sum());
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T y = _at.get(_c_y, _row_y, _j);
        const T _t6 = grad_y - _t5;
        const T _t7 = y * _t6;
        const T grad_x = _t7 / temperature;
        _row_grad_x[_j] = grad_x;
    )
    """,
)


def _cupy_backward_eval(grad_y, temperature, y):
    grad_x = _gumbel_softmax_eval_bwd_0(grad_y, y, temperature)
    return grad_x


_CUPY_VARIANTS = {
    True: (_cupy_forward_train, _cupy_backward_train),
    False: (_cupy_forward_eval, _cupy_backward_eval),
}


def _cupy_gumbel(rng, like):
    """Standard Gumbel noise shaped like ``like``, in its dtype (float32 draws and logs
    for float32): -log(-log(U)), U clipped away from 0 and 1 (float32 draws stay below
    1 - 2^-24 by themselves: 1 - 1e-10 rounds to 1)."""
    import cupy as cp

    u = cp.clip(rng.random(like.shape, dtype=like.dtype), 1e-10, 1 - 1e-10)
    cp.log(u, out=u)
    cp.negative(u, out=u)
    cp.log(u, out=u)
    return cp.negative(u, out=u)


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# gumbel_softmax_train_bwd_loops_0: layers_spec/activations/gumbel_softmax.yaml:22
@row_kernel
def _gumbel_softmax_train_bwd_loops_0(grad_y, y, temperature, grad_x_out):
    _rows, _n = grad_y.shape
    _float = grad_y.dtype.type
    _zero = grad_y.dtype.type(0.0)
    for _row in range(_rows):
        _t1 = _zero  # gumbel_softmax.yaml:22
        for _j in range(_n):
            _t2 = grad_y[_row, _j] * y[_row, _j]  # gumbel_softmax.yaml:22
            _t1 += _t2
        for _j in range(_n):
            _t3 = grad_y[_row, _j] - _t1  # gumbel_softmax.yaml:22
            _t4 = y[_row, _j] * _t3  # gumbel_softmax.yaml:22
            grad_x = _t4 / _float(temperature)  # gumbel_softmax.yaml:22
            grad_x_out[_row, _j] = grad_x


@whole_rows
def _jit_backward_train(grad_y, temperature, y):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_row_runs(
        _gumbel_softmax_train_bwd_loops_0,
        rows(grad_y),
        rows(y),
        temperature,
        rows(grad_x),
    )
    return grad_x


# gumbel_softmax_eval_fwd_loops_0: layers_spec/activations/gumbel_softmax.yaml:18,19,20
@row_kernel
def _gumbel_softmax_eval_fwd_loops_0(logits, y_out):
    _rows, _n = logits.shape
    _zero = logits.dtype.type(0.0)
    exponentials_row = np.empty(_n, logits.dtype)
    for _row in range(_rows):
        _t1 = fast_max(logits[_row])  # gumbel_softmax.yaml:18
        _t2 = _zero  # gumbel_softmax.yaml:20
        for _j in range(_n):
            shifted = logits[_row, _j] - _t1  # gumbel_softmax.yaml:18
            exponentials = fast_exp(shifted)  # gumbel_softmax.yaml:19
            exponentials_row[_j] = exponentials
            _t2 += exponentials
        for _j in range(_n):
            y = exponentials_row[_j] / _t2  # gumbel_softmax.yaml:20
            y_out[_row, _j] = y


def _jit_forward_eval(rng, x, temperature, *, out_y=None):
    logits = x / temperature
    y = np.empty(x.shape, x.dtype) if out_y is None else out_y
    _gumbel_softmax_eval_fwd_loops_0(rows(logits), rows(y))
    return y, (temperature, y)


_JIT_VARIANTS = {
    True: (_forward_train, _jit_backward_train),
    False: (_jit_forward_eval, _jit_backward_train),
}
