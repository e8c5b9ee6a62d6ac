"""SpatialPooler: HTM spatial pooler: the binary column activity y_c = [sum_i x_i P[i, c] >
threshold] of the input x [..., I], with the permanences P [I, columns] a buffer
(uniform in [0, 1)). The step has no useful gradient: backward is straight-through, dx =
dy P^T (the identity as a surrogate of the step, as the spiking layer's surrogates; the
threshold ignored), which is not the true gradient (0). P is not trained by gradients
but by a Hebbian rule, the separate entry point learn (no gradient).
Generated from layers_spec/layers/spatial_pooler.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward", "learn"]

INPUTS = ("x",)
PARAMETERS = ()
BUFFERS = ("P",)
OUTPUTS = ("y",)
ENTRY_POINTS = ("learn",)


def forward(x, P, *, threshold):
    """SpatialPooler forward pass.

    HTM spatial pooler: the binary column activity y_c = [sum_i x_i P[i, c] > threshold]
    of the input x [..., I], with the permanences P [I, columns] a buffer (uniform in
    [0, 1)). The step has no useful gradient: backward is straight-through, dx = dy P^T
    (the identity as a surrogate of the step, as the spiking layer's surrogates; the
    threshold ignored), which is not the true gradient (0). P is not trained by
    gradients but by a Hebbian rule, the separate entry point learn (no gradient).

    Args:
        x: float32 or float64 input of shape [..., I]. The input bits (or any real
            values).
        P: float32 or float64 buffer of shape [I, columns]. The permanences of each
            column's synapses.
        threshold: float, required. The overlap a column needs to be active (the card's
            sparsity threshold).

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "spatial_pooler", {"x": x, "P": P}, {"x": ("...", "I"), "P": ("I", "columns")}
    )
    check_attribute("spatial_pooler", "threshold", threshold, "float")
    if on_gpu(x):
        y, saved = _cupy_forward(x, P, threshold)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, P, threshold)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """SpatialPooler backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "spatial_pooler", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def learn(x, P, *, threshold):
    """SpatialPooler learn: an entry point beside forward and backward.

    One step of the pooler's Hebbian rule, not a gradient: for one input x, the active
    columns (overlap above the threshold) move their permanences towards x, P[:, c] +=
    0.01 (x - P[:, c]); the inactive ones grow by 0.005 x; then each column is divided
    by its sum (a column whose sum is not positive is left as it is). Returns the new P.

    Args:
        x: float32 or float64 array of shape [I]. One input pattern.
        P: float32 or float64 array of shape [I, columns] (the layer's). The permanences
            of each column's synapses.
        threshold: float, required. The overlap a column needs to be active (the card's
            sparsity threshold).

    Returns:
        new_P: new arrays; no argument is changed. There is no backward: this is not a
            gradient.
    """
    check_arrays(
        "spatial_pooler.learn", {"x": x, "P": P}, {"x": ("I",), "P": ("I", "columns")}
    )
    check_attribute("spatial_pooler.learn", "threshold", threshold, "float")
    if on_gpu(x):
        return _cupy_entry_learn(x, P, threshold)
    return _entry_learn(x, P, threshold)


def _forward(x, P, threshold):
    _t1 = P.T
    overlaps = _linear(x, _t1)
    _t2 = np.subtract(overlaps, threshold, out=overlaps)
    y = (_t2 > 0).astype(_t2.dtype)
    return y, (_t1,)


def _backward(grad_y, _t1):
    grad_x = _linear_backward_input(grad_y, _t1)
    return grad_x


def _entry_learn(x, P, threshold):
    active = _linear(x, P.T) > threshold
    column_x = np.expand_dims(x, -1)
    updated = np.where(active, P + 0.01 * (column_x - P), P + 0.005 * column_x)
    total = _sum(updated, 0)
    new_P = np.divide(updated, np.where(total > 0, total, 1.0), out=updated)
    return new_P


def _linear(x, weight):
    """x @ weight.T over x's last axis, as one matrix product of its rows: NumPy's
    product of a stack [..., in] calls BLAS once per leading index, several times
    slower for a batch of sequences."""
    if x.ndim <= 2:
        return x @ weight.T
    rows = 1
    for size in x.shape[:-1]:
        rows *= size
    return (x.reshape(rows, x.shape[-1]) @ weight.T).reshape(
        *x.shape[:-1], weight.shape[0]
    )


def _linear_backward_input(a, weight):
    """a @ weight over a's last axis, as one matrix product of its rows (see _linear)."""
    if a.ndim <= 2:
        return a @ weight
    rows = 1
    for size in a.shape[:-1]:
        rows *= size
    return (a.reshape(rows, a.shape[-1]) @ weight).reshape(
        *a.shape[:-1], weight.shape[1]
    )


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


# spatial_pooler_fwd_0: layers_spec/layers/spatial_pooler.yaml:19
_spatial_pooler_fwd_0 = ElementwiseKernel(
    "spatial_pooler_fwd_0",
    "T overlaps, T threshold",
    "T y",
    """
    T _t2 = overlaps - threshold;
    y = _t2 > 0;
    """,
    scalars=("threshold",),
)


def _cupy_forward(x, P, threshold):
    _t1 = P.T
    overlaps = _linear(x, _t1)
    y = _spatial_pooler_fwd_0(overlaps, threshold)
    return y, (_t1,)


def _cupy_backward(grad_y, _t1):
    grad_x = _linear_backward_input(grad_y, _t1)
    return grad_x


# spatial_pooler_learn_0: layers_spec/layers/spatial_pooler.yaml:32
_spatial_pooler_learn_0 = ElementwiseKernel(
    "spatial_pooler_learn_0",
    "T _t2, T threshold",
    "bool active",
    """
    active = _t2 > threshold;
    """,
    scalars=("threshold",),
)


# spatial_pooler_learn_1: layers_spec/layers/spatial_pooler.yaml:34
_spatial_pooler_learn_1 = ElementwiseKernel(
    "spatial_pooler_learn_1",
    "T column_x, T P",
    "T _t5",
    """
    T _t3 = column_x - P;
    T _t4 = T(0.01) * _t3;
    _t5 = P + _t4;
    """,
)


# spatial_pooler_learn_2: layers_spec/layers/spatial_pooler.yaml:34
_spatial_pooler_learn_2 = ElementwiseKernel(
    "spatial_pooler_learn_2",
    "T column_x",
    "T _t6",
    """
    _t6 = T(0.005) * column_x;
    """,
)


# spatial_pooler_learn_3: layers_spec/layers/spatial_pooler.yaml:34
_spatial_pooler_learn_3 = ElementwiseKernel(
    "spatial_pooler_learn_3",
    "T P, T _t6, bool active, T _t5",
    "T updated",
    """
    T _t7 = P + _t6;
    updated = active ? _t5 : _t7;
    """,
)


# spatial_pooler_learn_4: layers_spec/layers/spatial_pooler.yaml:36
_spatial_pooler_learn_4 = ElementwiseKernel(
    "spatial_pooler_learn_4",
    "T total",
    "T _t9",
    """
    bool _t8 = total > T(0);
    _t9 = _t8 ? total : T(1.0);
    """,
)


# spatial_pooler_learn_5: layers_spec/layers/spatial_pooler.yaml:36
_spatial_pooler_learn_5 = ElementwiseKernel(
    "spatial_pooler_learn_5",
    "T updated, T _t9",
    "T new_P",
    """
    new_P = updated / _t9;
    """,
)


def _cupy_entry_learn(x, P, threshold):
    import cupy as cp

    _t1 = P.T
    _t2 = _linear(x, _t1)
    active = _spatial_pooler_learn_0(_t2, threshold)
    column_x = cp.expand_dims(x, -1)
    _t5 = _spatial_pooler_learn_1(column_x, P)
    _t6 = _spatial_pooler_learn_2(column_x)
    updated = _spatial_pooler_learn_3(P, _t6, active, _t5)
    total = _cupy_sum(updated, 0)
    _t9 = _spatial_pooler_learn_4(total)
    new_P = _spatial_pooler_learn_5(updated, _t9)
    return new_P


def _cupy_sum(x, axis):
    """The sum along ``axis`` (one axis or a tuple), kept as length-1 axes. Along the last
    axis of a float array it is a matrix-vector product with ones (BLAS), several times
    faster than NumPy's reduction loop on rows; over several trailing axes of a
    C-contiguous one (per-channel sums over H and W) those are flattened into one such
    product, and any leading axes are then summed over the much smaller result."""
    import cupy as cp

    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        with blas_flags_ignored(x):
            return cp.matmul(x, cp.ones(x.shape[-1], x.dtype))[..., None]
    axes = sorted(a % x.ndim for a in axis) if isinstance(axis, tuple) else None
    trailing = 0
    while axes and x.ndim - 1 - trailing in axes:
        trailing += 1
    if trailing < 2 or x.dtype.kind != "f" or not x.flags.c_contiguous or not x.size:
        return cp.sum(x, axis=axis, keepdims=True)
    inner = 1
    for n in x.shape[x.ndim - trailing :]:
        inner *= n
    sums = cp.matmul(x.reshape(-1, inner), cp.ones(inner, x.dtype))
    sums = sums.reshape(x.shape[: x.ndim - trailing] + (1,) * trailing)
    rest = tuple(a for a in axes if a < x.ndim - trailing)
    return cp.sum(sums, axis=rest, keepdims=True) if rest else sums
