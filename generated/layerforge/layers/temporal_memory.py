"""TemporalMemory: HTM temporal memory in product form: y[..., i, j] = x[..., i] S[i, j]
for the binary column activity x [..., C] and the cell states S [C, K] (a buffer),
returned flattened as [..., C K]. The gradient is exact for the product (dx_i = sum_j
dy_ij S_ij); S is not trained by gradients but by a rule, the separate entry point learn
(no gradient), and predictions reads which columns it predicts.
Generated from layers_spec/layers/temporal_memory.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, blas_flags_ignored
from layerforge._cupy_runtime import (
    ElementwiseKernel,
    ReductionKernel,
    RowBlockKernel,
    on_gpu,
)

__all__ = ["forward", "backward", "learn", "predictions"]

INPUTS = ("x",)
PARAMETERS = ()
BUFFERS = ("S",)
OUTPUTS = ("y",)
ENTRY_POINTS = ("learn", "predictions")


def forward(x, S):
    """TemporalMemory forward pass.

    HTM temporal memory in product form: y[..., i, j] = x[..., i] S[i, j] for the binary
    column activity x [..., C] and the cell states S [C, K] (a buffer), returned
    flattened as [..., C K]. The gradient is exact for the product (dx_i = sum_j dy_ij
    S_ij); S is not trained by gradients but by a rule, the separate entry point learn
    (no gradient), and predictions reads which columns it predicts.

    Args:
        x: float32 or float64 input of shape [..., C]. The active columns (1) and the
            inactive ones (0).
        S: float32 or float64 buffer of shape [C, K]. The cell states, K cells per
            column.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "temporal_memory", {"x": x, "S": S}, {"x": ("...", "C"), "S": ("C", "K")}
    )
    if on_gpu(x):
        y, saved = _cupy_forward(x, S)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, S)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """TemporalMemory backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "temporal_memory", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def learn(x, prev, S):
    """TemporalMemory learn: an entry point beside forward and backward.

    One step of the temporal-memory rule, not a gradient: in every active column (x_i =
    1) the cells whose previous state is 1 gain 0.1; every cell of an inactive column
    loses 0.05; then each column is divided by its sum (a column whose sum is not
    positive is left unnormalised). Returns the new S.

    Args:
        x: float32 or float64 array of shape [C]. One pattern of active columns (1) and
            inactive ones (0).
        prev: float32 or float64 array of shape [C, K]. The previous cell states (1:
            active).
        S: float32 or float64 array of shape [C, K] (the layer's). The cell states, K
            cells per column.

    Returns:
        new_S: new arrays; no argument is changed. There is no backward: this is not a
            gradient.
    """
    check_arrays(
        "temporal_memory.learn",
        {"x": x, "prev": prev, "S": S},
        {"x": ("C",), "prev": ("C", "K"), "S": ("C", "K")},
    )
    if on_gpu(x):
        return _cupy_entry_learn(x, prev, S)
    return _entry_learn(x, prev, S)


def predictions(S):
    """TemporalMemory predictions: an entry point beside forward and backward.

    The predicted columns: those with a cell whose state is above 0.3 (not a gradient).

    Args:
        S: float32 or float64 array of shape [C, K] (the layer's). The cell states, K
            cells per column.

    Returns:
        predicted: new arrays; no argument is changed. There is no backward: this is not
            a gradient.
    """
    check_arrays("temporal_memory.predictions", {"S": S}, {"S": ("C", "K")})
    if on_gpu(S):
        return _cupy_entry_predictions(S)
    return _entry_predictions(S)


def _forward(x, S):
    cells = np.expand_dims(x, -1) * S
    y = _flatten_dims(cells, -2, -1)
    return y, (x, S)


def _backward(grad_y, x, S):
    cells = np.expand_dims(x, -1) * S
    grad_cells = grad_y.reshape(cells.shape)
    grad_x = np.sum(grad_cells * S, axis=-1, keepdims=True).reshape(x.shape)
    return grad_x


def _entry_learn(x, prev, S):
    active = np.expand_dims(x, -1) == 1
    updated = np.where(active, np.where(prev == 1, S + 0.1, S), S - 0.05)
    total = _sum(updated, -1)
    new_S = np.divide(updated, np.where(total > 0, total, 1.0), out=updated)
    return new_S


def _entry_predictions(S):
    predicted = np.any(S > 0.3, axis=-1, keepdims=True)[..., 0]
    return predicted


def _flatten_dims(x, start, end):
    """x with its axes ``start`` to ``end`` (inclusive, negative from the end) joined."""
    first, last = start % max(x.ndim, 1), end % max(x.ndim, 1)
    if first > last:
        raise ValueError(
            f"flatten: start_dim {start} comes after end_dim {end} for an input of shape "
            f"{tuple(x.shape)}"
        )
    joined = 1  # the joined size, not -1: an empty x has no size to infer from
    for size in x.shape[first : last + 1]:
        joined *= size
    return (
        x.reshape(x.shape[:first] + (joined,) + x.shape[last + 1 :])
        if x.ndim
        else x.reshape(1)
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


# temporal_memory_fwd_0: layers_spec/layers/temporal_memory.yaml:15
_temporal_memory_fwd_0 = ElementwiseKernel(
    "temporal_memory_fwd_0",
    "T _t1, T S",
    "T cells",
    """
    cells = _t1 * S;
    """,
)


def _cupy_forward(x, S):
    import cupy as cp

    _t1 = cp.expand_dims(x, -1)
    cells = _temporal_memory_fwd_0(_t1, S)
    y = _flatten_dims(cells, -2, -1)
    return y, (x, S)


# temporal_memory_bwd_1: layers_spec/primitives.yaml:61; layers_spec/layers/temporal_memory.yaml:15
_temporal_memory_bwd_1 = ReductionKernel(
    "temporal_memory_bwd_1",
    "T X0, T X1",
    map_expr="temporal_memory_bwd_1_map(X0, X1)",
    reduce_expr="a + b",
    identity="0",
    preamble="""
    template <typename T>
    __device__ T temporal_memory_bwd_1_map(const T grad_cells, const T S) {
        T _t3 = grad_cells * S;
        return _t3;
    }
    """,
)


def _cupy_backward(grad_y, x, S):
    import cupy as cp

    _t1 = cp.expand_dims(x, -1)
    cells = _temporal_memory_fwd_0(_t1, S)
    grad_cells = grad_y.reshape(cells.shape)
    _t4 = _temporal_memory_bwd_1(grad_cells, S)
    grad_x = _t4.reshape(x.shape)
    return grad_x


# temporal_memory_learn_0: layers_spec/layers/temporal_memory.yaml:30
_temporal_memory_learn_0 = ElementwiseKernel(
    "temporal_memory_learn_0",
    "T _t1",
    "bool active",
    """
    active = _t1 == T(1);
    """,
)


# temporal_memory_learn_1: layers_spec/layers/temporal_memory.yaml:31
_temporal_memory_learn_1 = ElementwiseKernel(
    "temporal_memory_learn_1",
    "T prev, T S, bool active",
    "T updated",
    """
    bool _t2 = prev == T(1);
    T _t3 = S + T(0.1);
    T _t4 = _t2 ? _t3 : S;
    T _t5 = S - T(0.05);
    updated = active ? _t4 : _t5;
    """,
)


# temporal_memory_learn_2: layers_spec/layers/temporal_memory.yaml:32,33
_temporal_memory_learn_2 = RowBlockKernel(
    "temporal_memory_learn_2",
    "row T updated",
    "row T new_S",
    """
    T _c_updated[LF_REGISTERS];
    T total = T(0);
    LF_ROW_LOOP(
        const T updated = _at.fill(_c_updated, _row_updated, _j);
        total = _Sum()(total, updated);
    )
    total = _row_reduce(total, _Sum());
    const bool _t6 = total > T(0);
    const T _t7 = _t6 ? total : T(1.0);
    LF_ROW_LOOP(
        const T updated = _at.get(_c_updated, _row_updated, _j);
        const T new_S = updated / _t7;
        _row_new_S[_j] = new_S;
    )
    """,
)


def _cupy_entry_learn(x, prev, S):
    import cupy as cp

    _t1 = cp.expand_dims(x, -1)
    active = _temporal_memory_learn_0(_t1)
    updated = _temporal_memory_learn_1(prev, S, active)
    new_S = _temporal_memory_learn_2(updated)
    return new_S


# temporal_memory_predictions_0: layers_spec/layers/temporal_memory.yaml:40
_temporal_memory_predictions_0 = ElementwiseKernel(
    "temporal_memory_predictions_0",
    "T S",
    "bool _t1",
    """
    _t1 = S > T(0.3);
    """,
)


def _cupy_entry_predictions(S):
    import cupy as cp

    _t1 = _temporal_memory_predictions_0(S)
    _t2 = cp.any(_t1, axis=-1, keepdims=True)
    predicted = _t2[..., 0]
    return predicted
