"""Split: An array cut into parts along an axis, as torch.split(x, split_size_or_sections,
dim): parts of split_size_or_sections entries (the last smaller), or of the sizes it
lists; forward returns a tuple of the parts, backward joins their gradients.
Generated from layers_spec/layers/split.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_axis,
    check_parts,
)
from layerforge._cupy_runtime import on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("first", "rest")


def forward(x, *, split_size_or_sections, dim=-1):
    """Split forward pass.

    An array cut into parts along an axis, as torch.split(x, split_size_or_sections,
    dim): parts of split_size_or_sections entries (the last smaller), or of the sizes it
    lists; forward returns a tuple of the parts, backward joins their gradients.

    Args:
        x: float32 or float64 input of shape [..., F].
        split_size_or_sections: int_or_ints, required. The size of each part (the last
            may be smaller), or a tuple of the sizes, which sum to the size of x along
            dim.
        dim: int, default -1. The axis to cut.

    Returns:
        (parts, ctx): a tuple of the parts along dim, as split_size_or_sections gives
            them, and the context that backward needs.
    """
    check_arrays("split", {"x": x}, {"x": ("...", "F")})
    check_attribute(
        "split",
        "split_size_or_sections",
        split_size_or_sections,
        "int_or_ints",
        minimum=0,
    )
    check_attribute("split", "dim", dim, "int")
    check_axis("split", "dim", dim, "x", x.ndim)
    sizes = check_parts(
        "split", "split_size_or_sections", split_size_or_sections, "x", x.shape, dim
    )
    if len(sizes) != 2:
        return _parts_forward(x, sizes, dim=dim)
    split_size_or_sections = sizes[0]
    if on_gpu(x):
        first, rest, saved = _cupy_forward(x, split_size_or_sections, dim)
        return (first, rest), (
            _cupy_backward,
            saved,
            (first.dtype, first.shape, rest.shape),
            None,
        )
    first, rest, saved = _forward(x, split_size_or_sections, dim)
    return (first, rest), (
        _backward,
        saved,
        (first.dtype, first.shape, rest.shape),
        None,
    )


def backward(*args):
    """Split backward pass.

    Args:
        *args: the gradient of the loss with respect to each part that forward returned,
            in order, then ctx, the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
        With one part, grad_x is its gradient itself (not a copy).
    """
    *grads, ctx = args or (None,)
    # two parts are the outputs of the cut; others, the parts of its fold
    names = (
        ("grad_first", "grad_rest")
        if len(grads) == 2
        else [f"grad_parts[{i}]" for i in range(len(grads))]
    )
    backward_variant, saved = check_context(
        "split", __name__, ctx, dict(zip(names, grads))
    )
    if backward_variant is _parts_backward:
        return _parts_backward(grads, *saved)
    grad_first, grad_rest = grads
    return backward_variant(grad_first, grad_rest, *saved)


def _forward(x, split_size_or_sections, dim):
    first = _slice_axis(x, 0, split_size_or_sections, dim)
    rest = _slice_axis(x, split_size_or_sections, x.shape[dim], dim)
    return first, rest, (dim,)


def _backward(grad_first, grad_rest, dim):
    grad_x = _concatenate(grad_first, grad_rest, dim)
    return grad_x


def _parts_forward(x, sizes, *, dim):
    """forward into other than two parts: the cut folded over the sizes, part by part."""
    parts, contexts, rest = [], [], x
    for size in sizes[:-1]:
        remaining = rest.shape[dim] - size
        (part, rest), ctx = forward(
            rest, split_size_or_sections=(size, remaining), dim=dim
        )
        parts.append(part)
        contexts.append(ctx)
    parts.append(rest)
    return tuple(parts), (
        _parts_backward,
        (contexts,),
        (x.dtype, *(p.shape for p in parts)),
        None,
    )


def _parts_backward(grads, contexts):
    """backward of _parts_forward: its steps' backward passes in reverse."""
    grad_rest = grads[-1]
    for grad_part, ctx in zip(reversed(grads[:-1]), reversed(contexts)):
        grad_rest = backward(grad_part, grad_rest, ctx)
    return grad_rest


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


def _cupy_forward(x, split_size_or_sections, dim):
    first = _slice_axis(x, 0, split_size_or_sections, dim)
    _t1 = x.shape[dim]
    rest = _slice_axis(x, split_size_or_sections, _t1, dim)
    return first, rest, (dim,)


def _cupy_backward(grad_first, grad_rest, dim):
    grad_x = _cupy_concatenate(grad_first, grad_rest, dim)
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
