"""MarginLoss: The capsule networks' margin loss (Sabour et al., 2017) on the lengths of
class capsules [B, C, D]: per sample, sum over the classes of target_c max(0, m_plus -
|v_c|)^2 + negative_weight (1 - target_c) max(0, |v_c| - m_minus)^2, averaged over the
batch, with |v| = sqrt(sum v^2 + epsilon). target is one-hot [B, C] (or any weights in
[0, 1]) and takes no gradient. layerforge.nn.MarginLoss takes integer class labels.
Generated from layers_spec/losses/margin_loss.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_nonempty,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import (
    ElementwiseKernel,
    ReductionKernel,
    RowBlockKernel,
    on_gpu,
)

__all__ = ["forward", "backward"]

INPUTS = ("capsules", "target")
PARAMETERS = ()
OUTPUTS = ("loss",)


def forward(
    capsules, target, *, m_plus=0.9, m_minus=0.1, negative_weight=0.5, epsilon=1e-12
):
    """MarginLoss forward pass.

    The capsule networks' margin loss (Sabour et al., 2017) on the lengths of class
    capsules [B, C, D]: per sample, sum over the classes of target_c max(0, m_plus -
    |v_c|)^2 + negative_weight (1 - target_c) max(0, |v_c| - m_minus)^2, averaged over
    the batch, with |v| = sqrt(sum v^2 + epsilon). target is one-hot [B, C] (or any
    weights in [0, 1]) and takes no gradient. layerforge.nn.MarginLoss takes integer
    class labels.

    Args:
        capsules: float32 or float64 input of shape [B, C, D]. The class capsules; their
            lengths are the class scores.
        target: float32 or float64 (no gradient) input of shape [B, C]. One-hot rows: 1
            for the sample's class.
        m_plus: float, default 0.9. A present class's length should reach this.
        m_minus: float, default 0.1. An absent class's length should stay below this.
        negative_weight: float, default 0.5. The weight of the absent classes' term (the
            paper's lambda).
        epsilon: float, default 1e-12. Added under the square root of the length (a
            finite gradient at 0).

    Returns:
        (loss, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "margin_loss",
        {"capsules": capsules, "target": target},
        {"capsules": ("B", "C", "D"), "target": ("B", "C")},
    )
    check_attribute("margin_loss", "m_plus", m_plus, "float")
    check_attribute("margin_loss", "m_minus", m_minus, "float")
    check_attribute(
        "margin_loss", "negative_weight", negative_weight, "float", minimum=0.0
    )
    check_attribute("margin_loss", "epsilon", epsilon, "float", minimum=0.0)
    check_nonempty("margin_loss", "capsules", capsules.shape)
    if on_gpu(capsules):
        loss, saved = _cupy_forward(
            capsules, target, m_plus, m_minus, negative_weight, epsilon
        )
        return loss, (_cupy_backward, saved, (loss.dtype, loss.shape), None)
    loss, saved = _forward(capsules, target, m_plus, m_minus, negative_weight, epsilon)
    return loss, (_backward, saved, (loss.dtype, loss.shape), None)


def backward(grad_loss, ctx):
    """MarginLoss backward pass.

    Args:
        grad_loss: gradient of the loss with respect to loss.
        ctx: the context returned by forward.

    Returns:
        grad_capsules: gradients with respect to capsules, in that order.
    """
    backward_variant, saved = check_context(
        "margin_loss", __name__, ctx, {"grad_loss": grad_loss}
    )
    return backward_variant(grad_loss, *saved)


def _forward(capsules, target, m_plus, m_minus, negative_weight, epsilon):
    _t1 = _sum(capsules * capsules, -1)
    lengths = np.sqrt(_t1 + epsilon)[..., 0]
    short = m_plus - lengths
    np.clip(short, 0, np.inf, out=short)
    long = lengths - m_minus
    np.clip(long, 0, np.inf, out=long)
    per_class = target * short
    per_class *= short
    _t2 = 1 - target
    _t2 *= negative_weight
    _t2 *= long
    _t2 *= long
    per_class += _t2
    per_sample = _sum(per_class, -1)
    _t3 = per_sample.size
    loss = np.sum(per_sample) / _t3
    return loss, (
        capsules,
        target,
        m_plus,
        m_minus,
        negative_weight,
        epsilon,
        _t1,
        per_sample,
        _t3,
    )


def _backward(
    grad_loss,
    capsules,
    target,
    m_plus,
    m_minus,
    negative_weight,
    epsilon,
    _t1,
    per_sample,
    _t2,
):
    _t3 = _t1 + epsilon
    np.sqrt(_t3, out=_t3)
    lengths = _t3[..., 0]
    _t4 = m_plus - lengths
    short = np.clip(_t4, 0, np.inf)
    _t5 = lengths - m_minus
    long = np.clip(_t5, 0, np.inf)
    _t6 = 1 - target
    _t6 *= negative_weight
    grad_per_sample = np.broadcast_to(grad_loss / _t2, per_sample.shape)
    grad_per_class = np.broadcast_to(grad_per_sample, target.shape)
    grad_long = _t6 * long
    grad_long *= grad_per_class
    _t7 = grad_per_class * long
    _t7 *= _t6
    grad_long += _t7
    grad_short = np.multiply(target, short, out=_t6)
    grad_short *= grad_per_class
    _t8 = grad_per_class * short
    _t8 *= target
    grad_short += _t8
    grad_lengths = np.multiply(grad_long, _t5 > 0, out=_t5)
    _t9 = grad_short * (_t4 > 0)
    np.negative(_t9, out=_t9)
    grad_lengths += _t9
    _t10 = (
        np.broadcast_to(0.5 * grad_lengths.reshape(_t1.shape) / _t3, capsules.shape)
        * capsules
    )
    grad_capsules = np.add(_t10, _t10, out=_t10)
    return grad_capsules


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


# margin_loss_fwd_0: layers_spec/losses/margin_loss.yaml:20
_margin_loss_fwd_0 = RowBlockKernel(
    "margin_loss_fwd_0",
    "row T capsules, scalar T epsilon",
    "per_row T _t2, per_row T _t4",
    """
    T _t2 = T(0);
    LF_ROW_LOOP(
        const T capsules = _row_capsules[_j];
        const T _t1 = capsules * capsules;
        _t2 = _Sum()(_t2, _t1);
    )
    _t2 = _row_reduce(_t2, _Sum());
    const T _t3 = _t2 + epsilon;
    const T _t4 = sqrt(_t3);
    """,
)


# margin_loss_fwd_1: layers_spec/losses/margin_loss.yaml:21,22,23,24
_margin_loss_fwd_1 = ReductionKernel(
    "margin_loss_fwd_1",
    "T X0, T X1, T X2, T X3, T X4",
    map_expr="margin_loss_fwd_1_map(X0, X1, X2, X3, X4)",
    reduce_expr="a + b",
    identity="0",
    preamble="""
    template <typename T>
    __device__ T margin_loss_fwd_1_map(const T m_plus, const T lengths, const T m_minus, const T target, const T negative_weight) {
        T _t5 = m_plus - lengths;
        T short_ = _t5 > T(0) || _t5 != _t5 ? _t5 : T(0);
        T _t6 = lengths - m_minus;
        T long_ = _t6 > T(0) || _t6 != _t6 ? _t6 : T(0);
        T _t7 = target * short_;
        T _t8 = _t7 * short_;
        T _t9 = T(1) - target;
        T _t10 = negative_weight * _t9;
        T _t11 = _t10 * long_;
        T _t12 = _t11 * long_;
        T per_class = _t8 + _t12;
        return per_class;
    }
    """,
)


def _cupy_forward(capsules, target, m_plus, m_minus, negative_weight, epsilon):
    import cupy as cp

    _t2, _t4 = _margin_loss_fwd_0(capsules, epsilon)
    lengths = _t4[..., 0]
    per_sample = _margin_loss_fwd_1(m_plus, lengths, m_minus, target, negative_weight)
    _t13 = cp.sum(per_sample)
    _t14 = per_sample.size
    loss = _t13 / _t14
    return loss, (
        capsules,
        target,
        m_plus,
        m_minus,
        negative_weight,
        epsilon,
        _t2,
        per_sample,
        _t14,
    )


# margin_loss_bwd_0: layers_spec/losses/margin_loss.yaml:20
_margin_loss_bwd_0 = ElementwiseKernel(
    "margin_loss_bwd_0",
    "T _t2, T epsilon",
    "T _t4",
    """
    T _t3 = _t2 + epsilon;
    _t4 = sqrt(_t3);
    """,
    scalars=("epsilon",),
)


# margin_loss_bwd_1: layers_spec/losses/margin_loss.yaml:21,22,23
_margin_loss_bwd_1 = ElementwiseKernel(
    "margin_loss_bwd_1",
    "T m_plus, T lengths, T m_minus, T target, T negative_weight",
    "T _t5, T short_, T _t6, T long_, T _t7, T _t10, T _t11",
    """
    _t5 = m_plus - lengths;
    short_ = _t5 > T(0) || _t5 != _t5 ? _t5 : T(0);
    _t6 = lengths - m_minus;
    long_ = _t6 > T(0) || _t6 != _t6 ? _t6 : T(0);
    _t7 = target * short_;
    T _t9 = T(1) - target;
    _t10 = negative_weight * _t9;
    _t11 = _t10 * long_;
    """,
    scalars=("m_plus", "m_minus", "negative_weight"),
)


# margin_loss_bwd_2: layers_spec/primitives.yaml:61,62,252,52
_margin_loss_bwd_2 = ElementwiseKernel(
    "margin_loss_bwd_2",
    "T grad_per_class, T long_, T _t11, T _t10, T short_, T _t7, T target, T _t6, T _t5",
    "T grad_lengths",
    """
    T _t18 = grad_per_class * long_;
    T _t19 = grad_per_class * _t11;
    T _t20 = _t18 * _t10;
    T _t21 = grad_per_class * short_;
    T _t22 = grad_per_class * _t7;
    T _t23 = _t21 * target;
    T grad_long = _t19 + _t20;
    bool _t24 = _t6 > T(0);
    T _t25 = grad_long * _t24;
    T grad_short = _t22 + _t23;
    bool _t26 = _t5 > T(0);
    T _t27 = grad_short * _t26;
    T _t28 = -_t27;
    grad_lengths = _t25 + _t28;
    """,
)


# margin_loss_bwd_3: layers_spec/primitives.yaml:171
_margin_loss_bwd_3 = ElementwiseKernel(
    "margin_loss_bwd_3",
    "T _t29, T _t4",
    "T _t31",
    """
    T _t30 = T(0.5) * _t29;
    _t31 = _t30 / _t4;
    """,
)


# margin_loss_bwd_4: layers_spec/primitives.yaml:61,62
_margin_loss_bwd_4 = ElementwiseKernel(
    "margin_loss_bwd_4",
    "T _t32, T capsules",
    "T grad_capsules",
    """
    T _t33 = _t32 * capsules;
    T _t34 = _t32 * capsules;
    grad_capsules = _t33 + _t34;
    """,
)


def _cupy_backward(
    grad_loss,
    capsules,
    target,
    m_plus,
    m_minus,
    negative_weight,
    epsilon,
    _t2,
    per_sample,
    _t14,
):
    import cupy as cp

    _t4 = _margin_loss_bwd_0(_t2, epsilon)
    lengths = _t4[..., 0]
    _t15 = grad_loss / _t14
    _t5, short, _t6, long, _t7, _t10, _t11 = _margin_loss_bwd_1(
        m_plus, lengths, m_minus, target, negative_weight
    )
    grad_per_sample = cp.broadcast_to(_t15, per_sample.shape)
    grad_per_class = cp.broadcast_to(grad_per_sample, target.shape)
    grad_lengths = _margin_loss_bwd_2(
        grad_per_class, long, _t11, _t10, short, _t7, target, _t6, _t5
    )
    _t29 = grad_lengths.reshape(_t2.shape)
    _t31 = _margin_loss_bwd_3(_t29, _t4)
    _t32 = cp.broadcast_to(_t31, capsules.shape)
    grad_capsules = _margin_loss_bwd_4(_t32, capsules)
    return grad_capsules
