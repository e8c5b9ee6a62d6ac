"""Maxout: The maximum of each group of num_pieces consecutive features along the last
axis, [..., F] to [..., F / num_pieces]; the gradient goes to the first maximum of each
group.
Generated from layers_spec/activations/maxout.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_divides,
    in_row_blocks,
)
from layerforge._cupy_runtime import (
    ElementwiseKernel,
    ReductionKernel,
    RowKernel,
    on_gpu,
)

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
ATTRIBUTES = {"num_pieces": {"kind": "int", "minimum": 2}}


def forward(x, *, num_pieces=2):
    """Maxout forward pass.

    The maximum of each group of num_pieces consecutive features along the last axis,
    [..., F] to [..., F / num_pieces]; the gradient goes to the first maximum of each
    group.

    Args:
        x: float32 or float64 input of shape [..., F].
        num_pieces: int, default 2. Group size; must divide F.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("maxout", {"x": x}, {"x": ("...", "F")})
    check_attribute("maxout", "num_pieces", num_pieces, "int", minimum=2)
    check_divides("maxout", "num_pieces", num_pieces, "x", x.shape[-1])
    if on_gpu(x):
        y, saved = _cupy_forward(x, num_pieces)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = in_row_blocks(_forward, x, num_pieces)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Maxout backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context("maxout", __name__, ctx, {"grad_y": grad_y})
    return in_row_blocks(backward_variant, grad_y, *saved)


def _forward(x, num_pieces):
    groups = x.reshape(*x.shape[:-1], x.shape[-1] // num_pieces, num_pieces)
    _t1 = _amax(groups, -1)
    y = _t1[..., 0]
    return y, (x, num_pieces, _t1)


def _backward(grad_y, x, num_pieces, _t1):
    groups = x.reshape(*x.shape[:-1], x.shape[-1] // num_pieces, num_pieces)
    grad_groups = grad_y.reshape(_t1.shape) * _first_max_mask(groups, -1)
    grad_x = grad_groups.reshape(x.shape)
    return grad_x


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


def _first_max_mask(x, axis):
    """1 at the first maximum along ``axis`` (or the first NaN, as argmax), 0 elsewhere.
    A short axis is scanned slice by slice, a long one goes through argmax."""
    mask = np.zeros_like(x)
    if x.shape[axis] > 8:
        np.put_along_axis(mask, np.argmax(x, axis=axis, keepdims=True), 1, axis=axis)
        return mask
    pieces, slots = np.moveaxis(x, axis, 0), np.moveaxis(mask, axis, 0)
    top = pieces[0].copy()
    for piece in pieces[1:]:
        np.maximum(top, piece, out=top)
    free = np.ones(top.shape, dtype=bool)
    for piece, slot in zip(pieces, slots):
        hit = (piece == top) | np.isnan(piece)
        hit &= free
        slot[...] = hit
        free &= ~hit
    return mask


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# maxout_fwd_0: layers_spec/activations/maxout.yaml:13
_maxout_fwd_0 = ReductionKernel(
    "maxout_fwd_0",
    "T X0",
    map_expr="maxout_fwd_0_map(X0)",
    reduce_expr="(a > b || a != a) ? a : b",
    identity="__longlong_as_double(0xfff0000000000000ULL)",
    preamble="""
    template <typename T>
    __device__ T maxout_fwd_0_map(const T groups) {
        return groups;
    }
    """,
)


def _cupy_forward(x, num_pieces):
    groups = x.reshape(*x.shape[:-1], x.shape[-1] // num_pieces, num_pieces)
    _t1 = _maxout_fwd_0(groups)
    y = _t1[..., 0]
    return y, (x, num_pieces, _t1)


# maxout_bwd_0: layers_spec/primitives.yaml:414
_maxout_bwd_0 = RowKernel(
    "maxout_bwd_0",
    "first_max_mask_row",
    row_width=None,
    preamble="""
    template <typename T>
    __device__ void first_max_mask_row(const T* row, T* out, long long n) {
        long long best = 0;
        for (long long k = 1; k < n; ++k) {
            bool first_nan = row[k] != row[k] && row[best] == row[best];
            if (row[k] > row[best] || first_nan) best = k;
        }
        for (long long k = 0; k < n; ++k) out[k] = k == best ? T(1) : T(0);
    }
    """,
)


# maxout_bwd_1: layers_spec/primitives.yaml:414
_maxout_bwd_1 = ElementwiseKernel(
    "maxout_bwd_1",
    "T _t2, T _t3",
    "T grad_groups",
    """
    grad_groups = _t2 * _t3;
    """,
)


def _cupy_backward(grad_y, x, num_pieces, _t1):
    groups = x.reshape(*x.shape[:-1], x.shape[-1] // num_pieces, num_pieces)
    _t2 = grad_y.reshape(_t1.shape)
    _t3 = _maxout_bwd_0(groups)
    grad_groups = _maxout_bwd_1(_t2, _t3)
    grad_x = grad_groups.reshape(x.shape)
    return grad_x
