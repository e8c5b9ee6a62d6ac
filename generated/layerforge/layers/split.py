"""Split: An array cut in two along an axis, the first split_size entries and the rest, as
torch.split(x, [split_size, n - split_size], dim=axis); backward joins the two
gradients.
Generated from layers_spec/layers/split.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_axis,
    check_below,
)
from layerforge._cupy_runtime import on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("first", "second")


def forward(x, *, split_size=1, axis=-1):
    """Split forward pass.

    An array cut in two along an axis, the first split_size entries and the rest, as
    torch.split(x, [split_size, n - split_size], dim=axis); backward joins the two
    gradients.

    Args:
        x: float32 or float64 input of shape [..., F].
        split_size: int, default 1. Length of the first part; at least one entry must
            remain for the second.
        axis: int, default -1. The axis to cut.

    Returns:
        ((first, second), ctx): the outputs and the context that backward needs.
    """
    check_arrays("split", {"x": x}, {"x": ("...", "F")})
    check_attribute("split", "split_size", split_size, "int", minimum=1)
    check_attribute("split", "axis", axis, "int")
    check_axis("split", "axis", axis, "x", x.ndim)
    check_below("split", "split_size", split_size, "x", x.shape, axis)
    if on_gpu(x):
        first, second, saved = _cupy_forward(x, split_size, axis)
        return (first, second), (
            _cupy_backward,
            saved,
            (first.dtype, first.shape, second.shape),
            None,
        )
    first, second, saved = _forward(x, split_size, axis)
    return (first, second), (
        _backward,
        saved,
        (first.dtype, first.shape, second.shape),
        None,
    )


def backward(grad_first, grad_second, ctx):
    """Split backward pass.

    Args:
        grad_first, grad_second: gradient of the loss with respect to first, second.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "split", __name__, ctx, {"grad_first": grad_first, "grad_second": grad_second}
    )
    return backward_variant(grad_first, grad_second, *saved)


def _forward(x, split_size, axis):
    first = _slice_axis(x, 0, split_size, axis)
    second = _slice_axis(x, split_size, x.shape[axis], axis)
    return first, second, (axis,)


def _backward(grad_first, grad_second, axis):
    grad_x = _concatenate(grad_first, grad_second, axis)
    return grad_x


def _concatenate(a, b, axis):
    """a and b joined along ``axis``; a clear error if their other dimensions differ."""
    if a.ndim != b.ndim or any(
        m != n for i, (m, n) in enumerate(zip(a.shape, b.shape)) if i != axis % a.ndim
    ):
        raise ValueError(
            f"concatenate: 'a' {tuple(a.shape)} and 'b' {tuple(b.shape)} must have the same "
            f"shape except along axis {axis}"
        )
    return np.concatenate((a, b), axis=axis)


def _slice_axis(x, start, stop, axis):
    """The view x[start:stop] along ``axis``."""
    index = [slice(None)] * x.ndim
    index[axis] = slice(start, stop)
    return x[tuple(index)]


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward(x, split_size, axis):
    first = _cupy_slice_axis(x, 0, split_size, axis)
    _t1 = x.shape[axis]
    second = _cupy_slice_axis(x, split_size, _t1, axis)
    return first, second, (axis,)


def _cupy_backward(grad_first, grad_second, axis):
    grad_x = _cupy_concatenate(grad_first, grad_second, axis)
    return grad_x


def _cupy_concatenate(a, b, axis):
    """a and b joined along ``axis``; a clear error if their other dimensions differ."""
    import cupy as cp

    if a.ndim != b.ndim or any(
        m != n for i, (m, n) in enumerate(zip(a.shape, b.shape)) if i != axis % a.ndim
    ):
        raise ValueError(
            f"concatenate: 'a' {tuple(a.shape)} and 'b' {tuple(b.shape)} must have the same "
            f"shape except along axis {axis}"
        )
    return cp.concatenate((a, b), axis=axis)


def _cupy_slice_axis(x, start, stop, axis):
    """The view x[start:stop] along ``axis``."""
    index = [slice(None)] * x.ndim
    index[axis] = slice(start, stop)
    return x[tuple(index)]
