"""CrossEntropy: Softmax cross-entropy on logits [N, C] or [N, C, d1, ...] (softmax over
the classes, axis 1), loss[n, d] = -sum_c weight[c] target[n, c, d] log
softmax(logits)[n, c, d], with target one-hot rows (class labels; a row of zeros for a
label to ignore) or class probabilities, as torch.nn.functional.cross_entropy. reduction
"none" gives the loss per position [N, d1, ...], "sum" their sum, "mean" their weighted
mean, the sum divided by the sum of weight * target (for labels, the weights of the
labels that count, as torch's class-index form with ignore_index; for probability rows
without weights, the number of positions), a divisor the gradient holds constant as
torch does. layerforge.nn.CrossEntropyLoss takes integer class labels.
Generated from layers_spec/losses/cross_entropy.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    join_trailing,
    check_nonempty,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("logits", "target")
PARAMETERS = ()
BUFFERS = ("weight",)
OUTPUTS = ("loss",)


def forward(logits, target, weight=None, *, reduction="mean"):
    """CrossEntropy forward pass.

    Softmax cross-entropy on logits [N, C] or [N, C, d1, ...] (softmax over the classes,
    axis 1), loss[n, d] = -sum_c weight[c] target[n, c, d] log softmax(logits)[n, c, d],
    with target one-hot rows (class labels; a row of zeros for a label to ignore) or
    class probabilities, as torch.nn.functional.cross_entropy. reduction "none" gives
    the loss per position [N, d1, ...], "sum" their sum, "mean" their weighted mean, the
    sum divided by the sum of weight * target (for labels, the weights of the labels
    that count, as torch's class-index form with ignore_index; for probability rows
    without weights, the number of positions), a divisor the gradient holds constant as
    torch does. layerforge.nn.CrossEntropyLoss takes integer class labels.

    Args:
        logits: float32 or float64 input of shape [B, C, L]. Unnormalized scores [N, C,
            *], the classes along axis 1.
        target: float32 or float64 input of shape [B, C, L]. One-hot rows or class
            probabilities along axis 1, of logits' shape.
        weight: float32 or float64 buffer of shape [C]. Per-class weights (torch's
            weight); None: every class weighs 1.
        reduction: str, default 'mean'. none: the loss per position; sum: their sum;
            mean: their weighted mean.

    Returns:
        (loss, ctx): the output and the context that backward needs.
    """
    if hasattr(logits, "ndim") and logits.ndim != 3:
        loss, joined_ctx = forward(
            join_trailing("cross_entropy", "logits", logits, 2, "[B, C, *]"),
            join_trailing(
                "cross_entropy",
                "target",
                target,
                2,
                "[B, C, *]",
                like=("logits", logits),
            ),
            weight,
            reduction=reduction,
        )
        if reduction == "none":
            loss = loss.reshape((logits.shape[0], *logits.shape[2:]))
        return loss, (
            _backward_joined,
            (joined_ctx, logits.shape),
            (loss.dtype, loss.shape),
            None,
        )
    check_arrays(
        "cross_entropy",
        {"logits": logits, "target": target, "weight": weight},
        {"logits": ("B", "C", "L"), "target": ("B", "C", "L"), "weight": ("C",)},
        optional=("weight",),
    )
    check_attribute(
        "cross_entropy", "reduction", reduction, "str", choices=("none", "sum", "mean")
    )
    check_nonempty("cross_entropy", "logits", logits.shape)
    if on_gpu(logits):
        forward_variant, backward_variant = _CUPY_VARIANTS[
            (reduction, weight is not None)
        ]
        loss, saved = forward_variant(logits, target, weight)
        return loss, (backward_variant, saved, (loss.dtype, loss.shape), None)
    forward_variant, backward_variant = _VARIANTS[(reduction, weight is not None)]
    loss, saved = forward_variant(logits, target, weight)
    return loss, (backward_variant, saved, (loss.dtype, loss.shape), None)


def backward(grad_loss, ctx):
    """CrossEntropy backward pass.

    Args:
        grad_loss: gradient of the loss with respect to loss.
        ctx: the context returned by forward.

    Returns:
        grad_logits, grad_target: gradients with respect to logits, target, in that
            order.
    """
    backward_variant, saved = check_context(
        "cross_entropy", __name__, ctx, {"grad_loss": grad_loss}
    )
    if backward_variant is _backward_joined:
        return _backward_joined(grad_loss, *saved)
    return backward_variant(grad_loss, *saved)


def _forward_none(logits, target, weight):
    _t1 = _amax(logits, 1)
    shifted = logits - _t1
    _t2 = _sum(np.exp(shifted), 1)
    log_probability = np.subtract(shifted, np.log(_t2), out=shifted)
    _t3 = weight.reshape(-1, 1)
    weighted = target * _t3
    losses = _sum(weighted * log_probability, 1)
    np.negative(losses, out=losses)
    loss = np.squeeze(losses, axis=1)
    return loss, (logits, _t1, _t2, _t3, weighted)


def _backward_none(grad_loss, logits, _t1, _t2, _t3, weighted):
    shifted = logits - _t1
    log_probability = shifted - np.log(_t2)
    grad_losses = grad_loss.reshape(_t1.shape)
    _t4 = np.broadcast_to(-grad_losses, logits.shape)
    grad_weighted = np.multiply(_t4, log_probability, out=log_probability)
    grad_log_probability = _t4 * weighted
    grad_target = np.multiply(grad_weighted, _t3, out=grad_weighted)
    grad_shifted = grad_log_probability + np.broadcast_to(
        np.sum(-grad_log_probability, axis=-2, keepdims=True) / _t2, logits.shape
    ) * np.exp(shifted)
    return grad_shifted, grad_target


def _forward_none_no_weight(logits, target, weight):
    _t1 = _amax(logits, 1)
    shifted = logits - _t1
    _t2 = _sum(np.exp(shifted), 1)
    log_probability = np.subtract(shifted, np.log(_t2), out=shifted)
    losses = _sum(target * log_probability, 1)
    np.negative(losses, out=losses)
    loss = np.squeeze(losses, axis=1)
    return loss, (logits, target, _t1, _t2)


def _backward_none_no_weight(grad_loss, logits, target, _t1, _t2):
    shifted = logits - _t1
    log_probability = shifted - np.log(_t2)
    grad_losses = grad_loss.reshape(_t1.shape)
    _t3 = np.broadcast_to(-grad_losses, logits.shape)
    grad_target = np.multiply(_t3, log_probability, out=log_probability)
    grad_log_probability = _t3 * target
    grad_shifted = grad_log_probability + np.broadcast_to(
        np.sum(-grad_log_probability, axis=-2, keepdims=True) / _t2, logits.shape
    ) * np.exp(shifted)
    return grad_shifted, grad_target


def _forward_sum(logits, target, weight):
    _t1 = _amax(logits, 1)
    shifted = logits - _t1
    _t2 = _sum(np.exp(shifted), 1)
    log_probability = np.subtract(shifted, np.log(_t2), out=shifted)
    _t3 = weight.reshape(-1, 1)
    weighted = target * _t3
    losses = _sum(weighted * log_probability, 1)
    np.negative(losses, out=losses)
    loss = np.sum(losses)
    return loss, (logits, _t1, _t2, _t3, weighted)


def _backward_sum(grad_loss, logits, _t1, _t2, _t3, weighted):
    shifted = logits - _t1
    log_probability = shifted - np.log(_t2)
    grad_losses = np.broadcast_to(grad_loss, _t1.shape)
    _t4 = np.broadcast_to(-grad_losses, logits.shape)
    grad_weighted = np.multiply(_t4, log_probability, out=log_probability)
    grad_log_probability = _t4 * weighted
    grad_target = np.multiply(grad_weighted, _t3, out=grad_weighted)
    grad_shifted = grad_log_probability + np.broadcast_to(
        np.sum(-grad_log_probability, axis=-2, keepdims=True) / _t2, logits.shape
    ) * np.exp(shifted)
    return grad_shifted, grad_target


def _forward_sum_no_weight(logits, target, weight):
    _t1 = _amax(logits, 1)
    shifted = logits - _t1
    _t2 = _sum(np.exp(shifted), 1)
    log_probability = np.subtract(shifted, np.log(_t2), out=shifted)
    losses = _sum(target * log_probability, 1)
    np.negative(losses, out=losses)
    loss = np.sum(losses)
    return loss, (logits, target, _t1, _t2)


def _backward_sum_no_weight(grad_loss, logits, target, _t1, _t2):
    shifted = logits - _t1
    log_probability = shifted - np.log(_t2)
    grad_losses = np.broadcast_to(grad_loss, _t1.shape)
    _t3 = np.broadcast_to(-grad_losses, logits.shape)
    grad_target = np.multiply(_t3, log_probability, out=log_probability)
    grad_log_probability = _t3 * target
    grad_shifted = grad_log_probability + np.broadcast_to(
        np.sum(-grad_log_probability, axis=-2, keepdims=True) / _t2, logits.shape
    ) * np.exp(shifted)
    return grad_shifted, grad_target


def _forward_mean(logits, target, weight):
    _t1 = _amax(logits, 1)
    shifted = logits - _t1
    _t2 = _sum(np.exp(shifted), 1)
    log_probability = np.subtract(shifted, np.log(_t2), out=shifted)
    _t3 = weight.reshape(-1, 1)
    weighted = target * _t3
    losses = _sum(weighted * log_probability, 1)
    np.negative(losses, out=losses)
    _t4 = np.sum(weighted)
    loss = np.sum(losses) / _t4
    return loss, (logits, _t1, _t2, _t3, weighted, _t4)


def _backward_mean(grad_loss, logits, _t1, _t2, _t3, weighted, _t4):
    shifted = logits - _t1
    log_probability = shifted - np.log(_t2)
    grad_losses = np.broadcast_to(grad_loss / _t4, _t1.shape)
    _t5 = np.broadcast_to(-grad_losses, logits.shape)
    grad_weighted = np.multiply(_t5, log_probability, out=log_probability)
    grad_log_probability = _t5 * weighted
    grad_target = np.multiply(grad_weighted, _t3, out=grad_weighted)
    grad_shifted = grad_log_probability + np.broadcast_to(
        np.sum(-grad_log_probability, axis=-2, keepdims=True) / _t2, logits.shape
    ) * np.exp(shifted)
    return grad_shifted, grad_target


def _forward_mean_no_weight(logits, target, weight):
    _t1 = _amax(logits, 1)
    shifted = logits - _t1
    _t2 = _sum(np.exp(shifted), 1)
    log_probability = np.subtract(shifted, np.log(_t2), out=shifted)
    losses = _sum(target * log_probability, 1)
    np.negative(losses, out=losses)
    _t3 = np.sum(target)
    loss = np.sum(losses) / _t3
    return loss, (logits, target, _t1, _t2, _t3)


def _backward_mean_no_weight(grad_loss, logits, target, _t1, _t2, _t3):
    shifted = logits - _t1
    log_probability = shifted - np.log(_t2)
    grad_losses = np.broadcast_to(grad_loss / _t3, _t1.shape)
    _t4 = np.broadcast_to(-grad_losses, logits.shape)
    grad_target = np.multiply(_t4, log_probability, out=log_probability)
    grad_log_probability = _t4 * target
    grad_shifted = grad_log_probability + np.broadcast_to(
        np.sum(-grad_log_probability, axis=-2, keepdims=True) / _t2, logits.shape
    ) * np.exp(shifted)
    return grad_shifted, grad_target


def _backward_joined(grad_loss, ctx, shape):
    """The backward of a forward on logits with its trailing axes joined into one."""
    grad_logits, grad_target = backward(grad_loss.reshape(ctx[2][1]), ctx)
    return grad_logits.reshape(shape), grad_target.reshape(shape)


_VARIANTS = {
    ("none", True): (_forward_none, _backward_none),
    ("none", False): (_forward_none_no_weight, _backward_none_no_weight),
    ("sum", True): (_forward_sum, _backward_sum),
    ("sum", False): (_forward_sum_no_weight, _backward_sum_no_weight),
    ("mean", True): (_forward_mean, _backward_mean),
    ("mean", False): (_forward_mean_no_weight, _backward_mean_no_weight),
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


# cross_entropy_none_fwd_0: layers_spec/losses/cross_entropy.yaml:23,24
_cross_entropy_none_fwd_0 = ElementwiseKernel(
    "cross_entropy_none_fwd_0",
    "T logits, T _t2",
    "T shifted, T _t3",
    """
    shifted = logits - _t2;
    _t3 = exp(shifted);
    """,
)


# cross_entropy_none_fwd_1: layers_spec/losses/cross_entropy.yaml:24
_cross_entropy_none_fwd_1 = ElementwiseKernel(
    "cross_entropy_none_fwd_1",
    "T _t4",
    "T _t5",
    """
    _t5 = log(_t4);
    """,
)


# cross_entropy_none_fwd_2: layers_spec/losses/cross_entropy.yaml:24
_cross_entropy_none_fwd_2 = ElementwiseKernel(
    "cross_entropy_none_fwd_2",
    "T shifted, T _t5",
    "T log_probability",
    """
    log_probability = shifted - _t5;
    """,
)


# cross_entropy_none_fwd_3: layers_spec/losses/cross_entropy.yaml:25,26
_cross_entropy_none_fwd_3 = ElementwiseKernel(
    "cross_entropy_none_fwd_3",
    "T target, T _t6, T log_probability",
    "T weighted, T _t7",
    """
    weighted = target * _t6;
    _t7 = weighted * log_probability;
    """,
)


# cross_entropy_none_fwd_4: layers_spec/losses/cross_entropy.yaml:26
_cross_entropy_none_fwd_4 = ElementwiseKernel(
    "cross_entropy_none_fwd_4",
    "T _t8",
    "T losses",
    """
    losses = -_t8;
    """,
)


def _cupy_forward_none(logits, target, weight):
    import cupy as cp

    _t1 = _cupy_amax(logits, 1)
    _t2 = _t1
    shifted, _t3 = _cross_entropy_none_fwd_0(logits, _t2)
    _t4 = _cupy_sum(_t3, 1)
    _t5 = _cross_entropy_none_fwd_1(_t4)
    log_probability = _cross_entropy_none_fwd_2(shifted, _t5)
    _t6 = weight.reshape(-1, 1)
    weighted, _t7 = _cross_entropy_none_fwd_3(target, _t6, log_probability)
    _t8 = _cupy_sum(_t7, 1)
    losses = _cross_entropy_none_fwd_4(_t8)
    loss = cp.squeeze(losses, axis=1)
    return loss, (logits, _t1, _t4, _t6, weighted)


# cross_entropy_none_bwd_3: layers_spec/primitives.yaml:81
_cross_entropy_none_bwd_3 = ElementwiseKernel(
    "cross_entropy_none_bwd_3",
    "T grad_losses",
    "T _t10",
    """
    _t10 = -grad_losses;
    """,
)


# cross_entropy_none_bwd_4: layers_spec/primitives.yaml:61,62,52
_cross_entropy_none_bwd_4 = ElementwiseKernel(
    "cross_entropy_none_bwd_4",
    "T _t11, T log_probability, T weighted, T _t6",
    "T grad_log_probability, T grad_target, T _t15",
    """
    T grad_weighted = _t11 * log_probability;
    grad_log_probability = _t11 * weighted;
    grad_target = grad_weighted * _t6;
    _t15 = -grad_log_probability;
    """,
)


# cross_entropy_none_bwd_5: layers_spec/primitives.yaml:139
_cross_entropy_none_bwd_5 = ElementwiseKernel(
    "cross_entropy_none_bwd_5",
    "T _t16, T _t4",
    "T _t17",
    """
    _t17 = _t16 / _t4;
    """,
)


# cross_entropy_none_bwd_6: layers_spec/primitives.yaml:100
_cross_entropy_none_bwd_6 = ElementwiseKernel(
    "cross_entropy_none_bwd_6",
    "T _t18, T _t3, T grad_log_probability",
    "T grad_shifted",
    """
    T _t19 = _t18 * _t3;
    grad_shifted = grad_log_probability + _t19;
    """,
)


def _cupy_backward_none(grad_loss, logits, _t1, _t4, _t6, weighted):
    import cupy as cp

    _t2 = _t1
    shifted, _t3 = _cross_entropy_none_fwd_0(logits, _t2)
    _t5 = _cross_entropy_none_fwd_1(_t4)
    log_probability = _cross_entropy_none_fwd_2(shifted, _t5)
    grad_losses = grad_loss.reshape(_t1.shape)
    _t10 = _cross_entropy_none_bwd_3(grad_losses)
    _t11 = cp.broadcast_to(_t10, logits.shape)
    grad_log_probability, grad_target, _t15 = _cross_entropy_none_bwd_4(
        _t11, log_probability, weighted, _t6
    )
    _t16 = cp.sum(_t15, axis=-2, keepdims=True)
    _t17 = _cross_entropy_none_bwd_5(_t16, _t4)
    _t18 = cp.broadcast_to(_t17, logits.shape)
    grad_shifted = _cross_entropy_none_bwd_6(_t18, _t3, grad_log_probability)
    return grad_shifted, grad_target


# cross_entropy_none_no_weight_fwd_2: layers_spec/losses/cross_entropy.yaml:24,26
_cross_entropy_none_no_weight_fwd_2 = ElementwiseKernel(
    "cross_entropy_none_no_weight_fwd_2",
    "T shifted, T _t5, T target",
    "T _t6",
    """
    T log_probability = shifted - _t5;
    _t6 = target * log_probability;
    """,
)


# cross_entropy_none_no_weight_fwd_3: layers_spec/losses/cross_entropy.yaml:26
_cross_entropy_none_no_weight_fwd_3 = ElementwiseKernel(
    "cross_entropy_none_no_weight_fwd_3",
    "T _t7",
    "T losses",
    """
    losses = -_t7;
    """,
)


def _cupy_forward_none_no_weight(logits, target, weight):
    import cupy as cp

    _t1 = _cupy_amax(logits, 1)
    _t2 = _t1
    shifted, _t3 = _cross_entropy_none_fwd_0(logits, _t2)
    _t4 = _cupy_sum(_t3, 1)
    _t5 = _cross_entropy_none_fwd_1(_t4)
    _t6 = _cross_entropy_none_no_weight_fwd_2(shifted, _t5, target)
    _t7 = _cupy_sum(_t6, 1)
    losses = _cross_entropy_none_no_weight_fwd_3(_t7)
    loss = cp.squeeze(losses, axis=1)
    return loss, (logits, target, _t1, _t4)


# cross_entropy_none_no_weight_bwd_3: layers_spec/primitives.yaml:81
_cross_entropy_none_no_weight_bwd_3 = ElementwiseKernel(
    "cross_entropy_none_no_weight_bwd_3",
    "T grad_losses",
    "T _t9",
    """
    _t9 = -grad_losses;
    """,
)


# cross_entropy_none_no_weight_bwd_4: layers_spec/primitives.yaml:61,62,52
_cross_entropy_none_no_weight_bwd_4 = ElementwiseKernel(
    "cross_entropy_none_no_weight_bwd_4",
    "T _t10, T log_probability, T target",
    "T grad_target, T grad_log_probability, T _t13",
    """
    grad_target = _t10 * log_probability;
    grad_log_probability = _t10 * target;
    _t13 = -grad_log_probability;
    """,
)


# cross_entropy_none_no_weight_bwd_5: layers_spec/primitives.yaml:139
_cross_entropy_none_no_weight_bwd_5 = ElementwiseKernel(
    "cross_entropy_none_no_weight_bwd_5",
    "T _t14, T _t4",
    "T _t15",
    """
    _t15 = _t14 / _t4;
    """,
)


# cross_entropy_none_no_weight_bwd_6: layers_spec/primitives.yaml:100
_cross_entropy_none_no_weight_bwd_6 = ElementwiseKernel(
    "cross_entropy_none_no_weight_bwd_6",
    "T _t16, T _t3, T grad_log_probability",
    "T grad_shifted",
    """
    T _t17 = _t16 * _t3;
    grad_shifted = grad_log_probability + _t17;
    """,
)


def _cupy_backward_none_no_weight(grad_loss, logits, target, _t1, _t4):
    import cupy as cp

    _t2 = _t1
    shifted, _t3 = _cross_entropy_none_fwd_0(logits, _t2)
    _t5 = _cross_entropy_none_fwd_1(_t4)
    log_probability = _cross_entropy_none_fwd_2(shifted, _t5)
    grad_losses = grad_loss.reshape(_t1.shape)
    _t9 = _cross_entropy_none_no_weight_bwd_3(grad_losses)
    _t10 = cp.broadcast_to(_t9, logits.shape)
    grad_target, grad_log_probability, _t13 = _cross_entropy_none_no_weight_bwd_4(
        _t10, log_probability, target
    )
    _t14 = cp.sum(_t13, axis=-2, keepdims=True)
    _t15 = _cross_entropy_none_no_weight_bwd_5(_t14, _t4)
    _t16 = cp.broadcast_to(_t15, logits.shape)
    grad_shifted = _cross_entropy_none_no_weight_bwd_6(_t16, _t3, grad_log_probability)
    return grad_shifted, grad_target


def _cupy_forward_sum(logits, target, weight):
    import cupy as cp

    _t1 = _cupy_amax(logits, 1)
    _t2 = _t1
    shifted, _t3 = _cross_entropy_none_fwd_0(logits, _t2)
    _t4 = _cupy_sum(_t3, 1)
    _t5 = _cross_entropy_none_fwd_1(_t4)
    log_probability = _cross_entropy_none_fwd_2(shifted, _t5)
    _t6 = weight.reshape(-1, 1)
    weighted, _t7 = _cross_entropy_none_fwd_3(target, _t6, log_probability)
    _t8 = _cupy_sum(_t7, 1)
    losses = _cross_entropy_none_fwd_4(_t8)
    loss = cp.sum(losses)
    return loss, (logits, _t1, _t4, _t6, weighted)


def _cupy_backward_sum(grad_loss, logits, _t1, _t4, _t6, weighted):
    import cupy as cp

    _t2 = _t1
    shifted, _t3 = _cross_entropy_none_fwd_0(logits, _t2)
    _t5 = _cross_entropy_none_fwd_1(_t4)
    log_probability = _cross_entropy_none_fwd_2(shifted, _t5)
    grad_losses = cp.broadcast_to(grad_loss, _t1.shape)
    _t10 = _cross_entropy_none_bwd_3(grad_losses)
    _t11 = cp.broadcast_to(_t10, logits.shape)
    grad_log_probability, grad_target, _t15 = _cross_entropy_none_bwd_4(
        _t11, log_probability, weighted, _t6
    )
    _t16 = cp.sum(_t15, axis=-2, keepdims=True)
    _t17 = _cross_entropy_none_bwd_5(_t16, _t4)
    _t18 = cp.broadcast_to(_t17, logits.shape)
    grad_shifted = _cross_entropy_none_bwd_6(_t18, _t3, grad_log_probability)
    return grad_shifted, grad_target


def _cupy_forward_sum_no_weight(logits, target, weight):
    import cupy as cp

    _t1 = _cupy_amax(logits, 1)
    _t2 = _t1
    shifted, _t3 = _cross_entropy_none_fwd_0(logits, _t2)
    _t4 = _cupy_sum(_t3, 1)
    _t5 = _cross_entropy_none_fwd_1(_t4)
    _t6 = _cross_entropy_none_no_weight_fwd_2(shifted, _t5, target)
    _t7 = _cupy_sum(_t6, 1)
    losses = _cross_entropy_none_no_weight_fwd_3(_t7)
    loss = cp.sum(losses)
    return loss, (logits, target, _t1, _t4)


def _cupy_backward_sum_no_weight(grad_loss, logits, target, _t1, _t4):
    import cupy as cp

    _t2 = _t1
    shifted, _t3 = _cross_entropy_none_fwd_0(logits, _t2)
    _t5 = _cross_entropy_none_fwd_1(_t4)
    log_probability = _cross_entropy_none_fwd_2(shifted, _t5)
    grad_losses = cp.broadcast_to(grad_loss, _t1.shape)
    _t9 = _cross_entropy_none_no_weight_bwd_3(grad_losses)
    _t10 = cp.broadcast_to(_t9, logits.shape)
    grad_target, grad_log_probability, _t13 = _cross_entropy_none_no_weight_bwd_4(
        _t10, log_probability, target
    )
    _t14 = cp.sum(_t13, axis=-2, keepdims=True)
    _t15 = _cross_entropy_none_no_weight_bwd_5(_t14, _t4)
    _t16 = cp.broadcast_to(_t15, logits.shape)
    grad_shifted = _cross_entropy_none_no_weight_bwd_6(_t16, _t3, grad_log_probability)
    return grad_shifted, grad_target


def _cupy_forward_mean(logits, target, weight):
    import cupy as cp

    _t1 = _cupy_amax(logits, 1)
    _t2 = _t1
    shifted, _t3 = _cross_entropy_none_fwd_0(logits, _t2)
    _t4 = _cupy_sum(_t3, 1)
    _t5 = _cross_entropy_none_fwd_1(_t4)
    log_probability = _cross_entropy_none_fwd_2(shifted, _t5)
    _t6 = weight.reshape(-1, 1)
    weighted, _t7 = _cross_entropy_none_fwd_3(target, _t6, log_probability)
    _t8 = _cupy_sum(_t7, 1)
    losses = _cross_entropy_none_fwd_4(_t8)
    _t9 = cp.sum(losses)
    _t10 = cp.sum(weighted)
    _t11 = _t10
    loss = _t9 / _t11
    return loss, (logits, _t1, _t4, _t6, weighted, _t11)


# cross_entropy_mean_bwd_3: layers_spec/primitives.yaml:81
_cross_entropy_mean_bwd_3 = ElementwiseKernel(
    "cross_entropy_mean_bwd_3",
    "T grad_losses",
    "T _t14",
    """
    _t14 = -grad_losses;
    """,
)


# cross_entropy_mean_bwd_4: layers_spec/primitives.yaml:61,62,52
_cross_entropy_mean_bwd_4 = ElementwiseKernel(
    "cross_entropy_mean_bwd_4",
    "T _t15, T log_probability, T weighted, T _t6",
    "T grad_log_probability, T grad_target, T _t19",
    """
    T grad_weighted = _t15 * log_probability;
    grad_log_probability = _t15 * weighted;
    grad_target = grad_weighted * _t6;
    _t19 = -grad_log_probability;
    """,
)


# cross_entropy_mean_bwd_5: layers_spec/primitives.yaml:139
_cross_entropy_mean_bwd_5 = ElementwiseKernel(
    "cross_entropy_mean_bwd_5",
    "T _t20, T _t4",
    "T _t21",
    """
    _t21 = _t20 / _t4;
    """,
)


# cross_entropy_mean_bwd_6: layers_spec/primitives.yaml:100
_cross_entropy_mean_bwd_6 = ElementwiseKernel(
    "cross_entropy_mean_bwd_6",
    "T _t22, T _t3, T grad_log_probability",
    "T grad_shifted",
    """
    T _t23 = _t22 * _t3;
    grad_shifted = grad_log_probability + _t23;
    """,
)


def _cupy_backward_mean(grad_loss, logits, _t1, _t4, _t6, weighted, _t11):
    import cupy as cp

    _t2 = _t1
    shifted, _t3 = _cross_entropy_none_fwd_0(logits, _t2)
    _t5 = _cross_entropy_none_fwd_1(_t4)
    _t12 = grad_loss / _t11
    log_probability = _cross_entropy_none_fwd_2(shifted, _t5)
    grad_losses = cp.broadcast_to(_t12, _t1.shape)
    _t14 = _cross_entropy_mean_bwd_3(grad_losses)
    _t15 = cp.broadcast_to(_t14, logits.shape)
    grad_log_probability, grad_target, _t19 = _cross_entropy_mean_bwd_4(
        _t15, log_probability, weighted, _t6
    )
    _t20 = cp.sum(_t19, axis=-2, keepdims=True)
    _t21 = _cross_entropy_mean_bwd_5(_t20, _t4)
    _t22 = cp.broadcast_to(_t21, logits.shape)
    grad_shifted = _cross_entropy_mean_bwd_6(_t22, _t3, grad_log_probability)
    return grad_shifted, grad_target


def _cupy_forward_mean_no_weight(logits, target, weight):
    import cupy as cp

    _t1 = _cupy_amax(logits, 1)
    _t2 = _t1
    shifted, _t3 = _cross_entropy_none_fwd_0(logits, _t2)
    _t4 = _cupy_sum(_t3, 1)
    _t5 = _cross_entropy_none_fwd_1(_t4)
    _t6 = _cross_entropy_none_no_weight_fwd_2(shifted, _t5, target)
    _t7 = _cupy_sum(_t6, 1)
    losses = _cross_entropy_none_no_weight_fwd_3(_t7)
    _t8 = cp.sum(losses)
    _t9 = cp.sum(target)
    _t10 = _t9
    loss = _t8 / _t10
    return loss, (logits, target, _t1, _t4, _t10)


# cross_entropy_mean_no_weight_bwd_3: layers_spec/primitives.yaml:81
_cross_entropy_mean_no_weight_bwd_3 = ElementwiseKernel(
    "cross_entropy_mean_no_weight_bwd_3",
    "T grad_losses",
    "T _t13",
    """
    _t13 = -grad_losses;
    """,
)


# cross_entropy_mean_no_weight_bwd_4: layers_spec/primitives.yaml:61,62,52
_cross_entropy_mean_no_weight_bwd_4 = ElementwiseKernel(
    "cross_entropy_mean_no_weight_bwd_4",
    "T _t14, T log_probability, T target",
    "T grad_target, T grad_log_probability, T _t17",
    """
    grad_target = _t14 * log_probability;
    grad_log_probability = _t14 * target;
    _t17 = -grad_log_probability;
    """,
)


# cross_entropy_mean_no_weight_bwd_5: layers_spec/primitives.yaml:139
_cross_entropy_mean_no_weight_bwd_5 = ElementwiseKernel(
    "cross_entropy_mean_no_weight_bwd_5",
    "T _t18, T _t4",
    "T _t19",
    """
    _t19 = _t18 / _t4;
    """,
)


# cross_entropy_mean_no_weight_bwd_6: layers_spec/primitives.yaml:100
_cross_entropy_mean_no_weight_bwd_6 = ElementwiseKernel(
    "cross_entropy_mean_no_weight_bwd_6",
    "T _t20, T _t3, T grad_log_probability",
    "T grad_shifted",
    """
    T _t21 = _t20 * _t3;
    grad_shifted = grad_log_probability + _t21;
    """,
)


def _cupy_backward_mean_no_weight(grad_loss, logits, target, _t1, _t4, _t10):
    import cupy as cp

    _t2 = _t1
    shifted, _t3 = _cross_entropy_none_fwd_0(logits, _t2)
    _t5 = _cross_entropy_none_fwd_1(_t4)
    _t11 = grad_loss / _t10
    log_probability = _cross_entropy_none_fwd_2(shifted, _t5)
    grad_losses = cp.broadcast_to(_t11, _t1.shape)
    _t13 = _cross_entropy_mean_no_weight_bwd_3(grad_losses)
    _t14 = cp.broadcast_to(_t13, logits.shape)
    grad_target, grad_log_probability, _t17 = _cross_entropy_mean_no_weight_bwd_4(
        _t14, log_probability, target
    )
    _t18 = cp.sum(_t17, axis=-2, keepdims=True)
    _t19 = _cross_entropy_mean_no_weight_bwd_5(_t18, _t4)
    _t20 = cp.broadcast_to(_t19, logits.shape)
    grad_shifted = _cross_entropy_mean_no_weight_bwd_6(_t20, _t3, grad_log_probability)
    return grad_shifted, grad_target


_CUPY_VARIANTS = {
    ("none", True): (_cupy_forward_none, _cupy_backward_none),
    ("none", False): (_cupy_forward_none_no_weight, _cupy_backward_none_no_weight),
    ("sum", True): (_cupy_forward_sum, _cupy_backward_sum),
    ("sum", False): (_cupy_forward_sum_no_weight, _cupy_backward_sum_no_weight),
    ("mean", True): (_cupy_forward_mean, _cupy_backward_mean),
    ("mean", False): (_cupy_forward_mean_no_weight, _cupy_backward_mean_no_weight),
}


def _cupy_amax(x, axis):
    """The maximum along ``axis``, kept as a length-1 axis, NaN if any is. A short axis
    (maxout's pieces) is folded with np.maximum over its slices: NumPy's reduction loop
    is slow on a few elements at a time. Over an empty axis it is -inf (the identity of
    the maximum), so that softmax and its kin return empty rows."""
    import cupy as cp

    if not x.shape[axis]:
        return cp.full(
            x.shape[: axis % x.ndim] + (1,) + x.shape[axis % x.ndim + 1 :],
            -cp.inf,
            x.dtype,
        )
    if x.shape[axis] > 8:
        return cp.max(x, axis=axis, keepdims=True)
    pieces = cp.moveaxis(x, axis, 0)
    top = pieces[0].copy()
    for piece in pieces[1:]:
        cp.maximum(top, piece, out=top)
    return cp.expand_dims(top, axis)


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
