"""AnomalyDetector: An anomaly score per sample, in one of two modes. htm: actual and
predicted are binary sparse codes (an entry is on above 0.5) and the score is the
fraction of the entries on in either that differ, 1 - Jaccard(actual, predicted), 0
where none is on (Hierarchical Temporal Memory); comparisons have no derivative, so the
gradients are zero. mse: the mean squared difference over the last axis (actual the
input, predicted its reconstruction), differentiable. Both return the smoothed score
new_ema = (1 - smoothing) * ema + smoothing * the batch's mean score, a state output
without gradient; the threshold test and history are the caller's.
Generated from layers_spec/layers/anomaly_detector.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_nonempty,
    in_row_blocks,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import (
    ElementwiseKernel,
    ReductionKernel,
    RowBlockKernel,
    on_gpu,
)

__all__ = ["forward", "backward"]

INPUTS = ("actual", "predicted")
PARAMETERS = ()
BUFFERS = ("ema",)
OUTPUTS = ("score", "new_ema")


def forward(actual, predicted, ema, *, mode="htm", smoothing=0.1):
    """AnomalyDetector forward pass.

    An anomaly score per sample, in one of two modes. htm: actual and predicted are
    binary sparse codes (an entry is on above 0.5) and the score is the fraction of the
    entries on in either that differ, 1 - Jaccard(actual, predicted), 0 where none is on
    (Hierarchical Temporal Memory); comparisons have no derivative, so the gradients are
    zero. mse: the mean squared difference over the last axis (actual the input,
    predicted its reconstruction), differentiable. Both return the smoothed score
    new_ema = (1 - smoothing) * ema + smoothing * the batch's mean score, a state output
    without gradient; the threshold test and history are the caller's.

    Args:
        actual: float32 or float64 input of shape [..., F]. The observed code (htm) or
            the input (mse).
        predicted: float32 or float64 input of shape [..., F]. The predicted code (htm)
            or the reconstruction (mse).
        ema: float32 or float64 buffer of shape [1]. The exponential moving average of
            the batch mean scores.
        mode: str, default 'htm'. The score: htm (1 - Jaccard of binary codes) or mse.
        smoothing: float, default 0.1. Weight of the batch's mean score in the moving
            average.

    Returns:
        ((score, new_ema), ctx): the outputs and the context that backward needs.
    """
    check_arrays(
        "anomaly_detector",
        {"actual": actual, "predicted": predicted, "ema": ema},
        {"actual": ("...", "F"), "predicted": ("...", "F"), "ema": (1,)},
    )
    check_attribute("anomaly_detector", "mode", mode, "str", choices=("htm", "mse"))
    check_attribute(
        "anomaly_detector", "smoothing", smoothing, "float", minimum=0.0, maximum=1.0
    )
    check_nonempty("anomaly_detector", "actual", actual.shape)
    if on_gpu(actual):
        forward_variant, backward_variant = _CUPY_VARIANTS[mode]
        score, new_ema, saved = forward_variant(actual, predicted, ema, smoothing)
        return (score, new_ema), (
            backward_variant,
            saved,
            (score.dtype, score.shape),
            None,
        )
    forward_variant, backward_variant = _VARIANTS[mode]
    score, new_ema, saved = forward_variant(actual, predicted, ema, smoothing)
    return (score, new_ema), (backward_variant, saved, (score.dtype, score.shape), None)


def backward(grad_score, ctx):
    """AnomalyDetector backward pass.

    Args:
        grad_score: gradient of the loss with respect to score.
        ctx: the context returned by forward.

    Returns:
        grad_actual, grad_predicted: gradients with respect to actual, predicted, in
            that order.
    """
    backward_variant, saved = check_context(
        "anomaly_detector", __name__, ctx, {"grad_score": grad_score}
    )
    return backward_variant(grad_score, *saved)


def _forward_htm_part1(actual, predicted):
    on_actual = actual > 0.5
    on_predicted = predicted > 0.5
    union = on_actual | on_predicted
    differ = union & ~(on_actual & on_predicted)
    mismatched = _sum(differ.astype(actual.dtype), -1)
    active = _sum(union.astype(actual.dtype), -1)
    _t1 = np.clip(active, 1, np.inf, out=active)
    np.divide(mismatched, _t1, out=_t1)
    return _t1


def _forward_htm(actual, predicted, ema, smoothing):
    score = in_row_blocks(_forward_htm_part1, actual, predicted, named=(1, 1))[..., 0]
    new_ema = (1 - smoothing) * ema + smoothing * np.sum(score) / score.size
    return score, new_ema, (actual,)


def _backward_htm(grad_score, actual):
    grad_actual = np.zeros_like(actual)
    grad_predicted = np.zeros_like(actual)
    return grad_actual, grad_predicted


def _forward_mse(actual, predicted, ema, smoothing):
    difference = actual - predicted
    _t1 = _mean(difference * difference, -1)
    score = _t1[..., 0]
    new_ema = (1 - smoothing) * ema + smoothing * np.sum(score) / score.size
    return score, new_ema, (actual, difference, _t1)


def _backward_mse(grad_score, actual, difference, _t1):
    _t2 = (
        np.broadcast_to(grad_score.reshape(_t1.shape), actual.shape)
        / actual.shape[-1]
        * difference
    )
    grad_difference = np.add(_t2, _t2, out=_t2)
    grad_predicted = -grad_difference
    return grad_difference, grad_predicted


_VARIANTS = {
    "htm": (_forward_htm, _backward_htm),
    "mse": (_forward_mse, _backward_mse),
}


def _mean(x, axis):
    """The mean along ``axis``, kept as a length-1 axis; along the last axis of a float
    array a matrix-vector product with 1 / n (BLAS), as in _sum."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        return np.matmul(x, np.full(x.shape[-1], 1 / x.shape[-1], x.dtype))[..., None]
    return np.mean(x, axis=axis, keepdims=True)


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


# anomaly_detector_htm_fwd_0: layers_spec/layers/anomaly_detector.yaml:24,25,26
_anomaly_detector_htm_fwd_0 = ElementwiseKernel(
    "anomaly_detector_htm_fwd_0",
    "T actual, T predicted",
    "bool on_actual, bool on_predicted, bool union_",
    """
    on_actual = actual > T(0.5);
    on_predicted = predicted > T(0.5);
    union_ = on_actual || on_predicted;
    """,
)


# anomaly_detector_htm_fwd_1: layers_spec/layers/anomaly_detector.yaml:27,28
_anomaly_detector_htm_fwd_1 = ReductionKernel(
    "anomaly_detector_htm_fwd_1",
    "bool X0, bool X1, bool X2, T X3",
    map_expr="anomaly_detector_htm_fwd_1_map(X0, X1, X2, X3)",
    reduce_expr="a + b",
    identity="0",
    preamble="""
    template <typename T>
    __device__ T anomaly_detector_htm_fwd_1_map(const bool on_actual, const bool on_predicted, const bool union_, const T actual) {
        bool _t1 = on_actual && on_predicted;
        bool _t2 = !_t1;
        bool differ = union_ && _t2;
        T _t3 = differ;
        return _t3;
    }
    """,
)


# anomaly_detector_htm_fwd_2: layers_spec/layers/anomaly_detector.yaml:29,30
_anomaly_detector_htm_fwd_2 = RowBlockKernel(
    "anomaly_detector_htm_fwd_2",
    "row bool union_, row T actual, per_row T mismatched",
    "per_row T _t6",
    """
    T active = T(0);
    LF_ROW_LOOP(
        const bool union_ = _row_union_[_j];
        const T actual = _row_actual[_j];
        const T _t4 = union_;
        active = _Sum()(active, _t4);
    )
    active = _row_reduce(active, _Sum());
    const T _t5 = active > T(1) || active != active ? active : T(1);
    const T _t6 = mismatched / _t5;
    """,
)


# anomaly_detector_htm_fwd_3: layers_spec/layers/anomaly_detector.yaml:34
_anomaly_detector_htm_fwd_3 = ElementwiseKernel(
    "anomaly_detector_htm_fwd_3",
    "T _t7, T ema, T _t12",
    "T new_ema",
    """
    T _t8 = _t7 * ema;
    new_ema = _t8 + _t12;
    """,
    scalars=("_t7", "_t12"),
)


def _cupy_forward_htm(actual, predicted, ema, smoothing):
    import cupy as cp

    on_actual, on_predicted, union = _anomaly_detector_htm_fwd_0(actual, predicted)
    mismatched = _anomaly_detector_htm_fwd_1(on_actual, on_predicted, union, actual)
    _t6 = _anomaly_detector_htm_fwd_2(union, actual, mismatched)
    score = _t6[..., 0]
    _t7 = 1 - smoothing
    _t9 = cp.sum(score)
    _t10 = smoothing * _t9
    _t11 = score.size
    _t12 = _t10 / _t11
    new_ema = _anomaly_detector_htm_fwd_3(_t7, ema, _t12)
    return score, new_ema, (actual,)


# anomaly_detector_htm_bwd_0: layers_spec/layers/anomaly_detector.yaml:24
_anomaly_detector_htm_bwd_0 = ElementwiseKernel(
    "anomaly_detector_htm_bwd_0",
    "T actual",
    "T grad_actual, T grad_predicted",
    """
    grad_actual = 0;
    grad_predicted = 0;
    """,
)


def _cupy_backward_htm(grad_score, actual):
    grad_actual, grad_predicted = _anomaly_detector_htm_bwd_0(actual)
    return grad_actual, grad_predicted


# anomaly_detector_mse_fwd_0: layers_spec/layers/anomaly_detector.yaml:32,33
_anomaly_detector_mse_fwd_0 = RowBlockKernel(
    "anomaly_detector_mse_fwd_0",
    "row T actual, row T predicted",
    "row T difference, per_row T _t2",
    """
    T _c_actual[LF_REGISTERS];
    T _c_predicted[LF_REGISTERS];
    T _t2 = T(0);
    LF_ROW_LOOP(
        const T actual = _at.fill(_c_actual, _row_actual, _j);
        const T predicted = _at.fill(_c_predicted, _row_predicted, _j);
        const T difference = actual - predicted;
        const T _t1 = difference * difference;
        _t2 = _Sum()(_t2, _t1);
    )
    _t2 = _row_reduce(_t2, _Sum());
    _t2 = _t2 / T(_n);
    LF_ROW_LOOP(
        const T actual = _at.get(_c_actual, _row_actual, _j);
        const T predicted = _at.get(_c_predicted, _row_predicted, _j);
        const T difference = actual - predicted;
        _row_difference[_j] = difference;
    )
    """,
)


# anomaly_detector_mse_fwd_1: layers_spec/layers/anomaly_detector.yaml:34
_anomaly_detector_mse_fwd_1 = ElementwiseKernel(
    "anomaly_detector_mse_fwd_1",
    "T _t3, T ema, T _t8",
    "T new_ema",
    """
    T _t4 = _t3 * ema;
    new_ema = _t4 + _t8;
    """,
    scalars=("_t3", "_t8"),
)


def _cupy_forward_mse(actual, predicted, ema, smoothing):
    import cupy as cp

    difference, _t2 = _anomaly_detector_mse_fwd_0(actual, predicted)
    score = _t2[..., 0]
    _t3 = 1 - smoothing
    _t5 = cp.sum(score)
    _t6 = smoothing * _t5
    _t7 = score.size
    _t8 = _t6 / _t7
    new_ema = _anomaly_detector_mse_fwd_1(_t3, ema, _t8)
    return score, new_ema, (actual, difference, _t2)


# anomaly_detector_mse_bwd_0: layers_spec/primitives.yaml:371,61,62,52
_anomaly_detector_mse_bwd_0 = ElementwiseKernel(
    "anomaly_detector_mse_bwd_0",
    "T _t10, int64 _t11, T difference",
    "T grad_difference, T grad_predicted",
    """
    T _t12 = _t10 / _t11;
    T _t13 = _t12 * difference;
    T _t14 = _t12 * difference;
    grad_difference = _t13 + _t14;
    grad_predicted = -grad_difference;
    """,
    scalars=("_t11",),
)


def _cupy_backward_mse(grad_score, actual, difference, _t2):
    import cupy as cp

    _t9 = grad_score.reshape(_t2.shape)
    _t10 = cp.broadcast_to(_t9, actual.shape)
    _t11 = actual.shape[-1]
    grad_difference, grad_predicted = _anomaly_detector_mse_bwd_0(
        _t10, _t11, difference
    )
    return grad_difference, grad_predicted


_CUPY_VARIANTS = {
    "htm": (_cupy_forward_htm, _cupy_backward_htm),
    "mse": (_cupy_forward_mse, _cupy_backward_mse),
}
