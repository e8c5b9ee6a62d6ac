"""CrossEntropy: Softmax cross-entropy on logits, averaged over the batch: -mean_b sum_c
target[b, c] log softmax(logits)[b, c], with target one-hot rows or class probabilities
(as torch.nn.functional.cross_entropy with probability targets;
layerforge.nn.CrossEntropyLoss takes integer class labels).
Generated from layers_spec/losses/cross_entropy.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, check_nonempty
from layerforge._cupy_runtime import ElementwiseKernel, ReductionKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("logits", "target")
PARAMETERS = ()
OUTPUTS = ("loss",)


def forward(logits, target):
    """CrossEntropy forward pass.

    Softmax cross-entropy on logits, averaged over the batch: -mean_b sum_c target[b, c]
    log softmax(logits)[b, c], with target one-hot rows or class probabilities (as
    torch.nn.functional.cross_entropy with probability targets;
    layerforge.nn.CrossEntropyLoss takes integer class labels).

    Args:
        logits: float32 or float64 input of shape [B, C]. Unnormalized scores.
        target: float32 or float64 input of shape [B, C]. One-hot rows or class
            probabilities.

    Returns:
        (loss, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "cross_entropy",
        {"logits": logits, "target": target},
        {"logits": ("B", "C"), "target": ("B", "C")},
    )
    check_nonempty("cross_entropy", "logits", logits.shape)
    if on_gpu(logits):
        loss, saved = _cupy_forward(logits, target)
        return loss, (_cupy_backward, saved, (loss.dtype, loss.shape), None)
    loss, saved = _forward(logits, target)
    return loss, (_backward, saved, (loss.dtype, loss.shape), None)


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
    return backward_variant(grad_loss, *saved)


def _forward(logits, target):
    shifted = logits - _amax(logits, -1)
    log_probability = np.subtract(
        shifted, np.log(_sum(np.exp(shifted), -1)), out=shifted
    )
    loss = -np.sum(target * log_probability) / logits.shape[0]
    return loss, (logits, target, log_probability)


def _backward(grad_loss, logits, target, log_probability):
    scale = grad_loss / logits.shape[0]
    grad_logits = np.exp(log_probability)
    grad_logits *= _sum(target, -1)
    grad_logits -= target
    grad_logits *= scale
    grad_target = -log_probability
    grad_target *= scale
    return grad_logits, grad_target


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


# cross_entropy_fwd_0: layers_spec/losses/cross_entropy.yaml:14
_cross_entropy_fwd_0 = ReductionKernel(
    "cross_entropy_fwd_0",
    "T X0",
    map_expr="cross_entropy_fwd_0_map(X0)",
    reduce_expr="(a > b || a != a) ? a : b",
    identity="__longlong_as_double(0xfff0000000000000ULL)",
    preamble="""
    template <typename T>
    __device__ T cross_entropy_fwd_0_map(const T logits) {
        return logits;
    }
    """,
)


# cross_entropy_fwd_1: layers_spec/losses/cross_entropy.yaml:14
_cross_entropy_fwd_1 = ElementwiseKernel(
    "cross_entropy_fwd_1",
    "T logits, T _t2",
    "T shifted",
    """
    shifted = logits - _t2;
    """,
)


# cross_entropy_fwd_2: layers_spec/losses/cross_entropy.yaml:15
_cross_entropy_fwd_2 = ReductionKernel(
    "cross_entropy_fwd_2",
    "T X0",
    map_expr="cross_entropy_fwd_2_map(X0)",
    reduce_expr="a + b",
    identity="0",
    preamble="""
    template <typename T>
    __device__ T cross_entropy_fwd_2_map(const T shifted) {
        T _t3 = exp(shifted);
        return _t3;
    }
    """,
)


# cross_entropy_fwd_3: layers_spec/losses/cross_entropy.yaml:15
_cross_entropy_fwd_3 = ElementwiseKernel(
    "cross_entropy_fwd_3",
    "T _t4",
    "T _t5",
    """
    _t5 = log(_t4);
    """,
)


# cross_entropy_fwd_4: layers_spec/losses/cross_entropy.yaml:15,16
_cross_entropy_fwd_4 = ElementwiseKernel(
    "cross_entropy_fwd_4",
    "T shifted, T _t5, T target",
    "T log_probability, T _t6",
    """
    log_probability = shifted - _t5;
    _t6 = target * log_probability;
    """,
)


def _cupy_forward(logits, target):
    import cupy as cp

    _t1 = _cross_entropy_fwd_0(logits)
    _t2 = _t1
    shifted = _cross_entropy_fwd_1(logits, _t2)
    _t4 = _cross_entropy_fwd_2(shifted)
    _t5 = _cross_entropy_fwd_3(_t4)
    log_probability, _t6 = _cross_entropy_fwd_4(shifted, _t5, target)
    _t7 = cp.sum(_t6)
    _t8 = -_t7
    _t9 = logits.shape[0]
    loss = _t8 / _t9
    return loss, (logits, target, log_probability)


# cross_entropy_bwd_0: layers_spec/losses/cross_entropy.yaml:19
_cross_entropy_bwd_0 = ElementwiseKernel(
    "cross_entropy_bwd_0",
    "T log_probability",
    "T _t11",
    """
    _t11 = exp(log_probability);
    """,
)


# cross_entropy_bwd_1: layers_spec/losses/cross_entropy.yaml:19
_cross_entropy_bwd_1 = ReductionKernel(
    "cross_entropy_bwd_1",
    "T X0",
    map_expr="cross_entropy_bwd_1_map(X0)",
    reduce_expr="a + b",
    identity="0",
    preamble="""
    template <typename T>
    __device__ T cross_entropy_bwd_1_map(const T target) {
        return target;
    }
    """,
)


# cross_entropy_bwd_2: layers_spec/losses/cross_entropy.yaml:19,20
_cross_entropy_bwd_2 = ElementwiseKernel(
    "cross_entropy_bwd_2",
    "T _t11, T _t12, T target, T scale, T log_probability",
    "T grad_logits, T grad_target",
    """
    T _t13 = _t11 * _t12;
    T _t14 = _t13 - target;
    grad_logits = _t14 * scale;
    T _t15 = -log_probability;
    grad_target = _t15 * scale;
    """,
    scalars=("scale",),
)


def _cupy_backward(grad_loss, logits, target, log_probability):
    _t10 = logits.shape[0]
    scale = grad_loss / _t10
    _t11 = _cross_entropy_bwd_0(log_probability)
    _t12 = _cross_entropy_bwd_1(target)
    grad_logits, grad_target = _cross_entropy_bwd_2(
        _t11, _t12, target, scale, log_probability
    )
    return grad_logits, grad_target
