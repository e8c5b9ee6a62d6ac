"""HierarchicalSoftmax: The catalog's per-depth hierarchical softmax: one weight vector per
level of a binary tree of depth D = ceil(log2(num_classes)); the probability of class c
is the product over levels d of sigmoid(w_d . x) where bit d of c (most significant
first) is 1, and 1 - sigmoid(w_d . x) where it is 0. Computed in log space.
Generated from layers_spec/activations/hierarchical_softmax.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, check_attribute
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight",)
OUTPUTS = ("y",)
ATTRIBUTES = {"num_classes": {"kind": "int", "minimum": 2}}


def forward(x, weight, *, num_classes):
    """HierarchicalSoftmax forward pass.

    The catalog's per-depth hierarchical softmax: one weight vector per level of a
    binary tree of depth D = ceil(log2(num_classes)); the probability of class c is the
    product over levels d of sigmoid(w_d . x) where bit d of c (most significant first)
    is 1, and 1 - sigmoid(w_d . x) where it is 0. Computed in log space.

    Args:
        x: float32 or float64 input of shape [B, in_features].
        weight: float32 or float64 parameter of shape [depth, in_features]. One row per
            tree level; depth = ceil(log2(num_classes)).
        num_classes: int, required. Number of classes K (required).

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "hierarchical_softmax",
        {"x": x, "weight": weight},
        {"x": ("B", "in_features"), "weight": ("depth", "in_features")},
    )
    check_attribute(
        "hierarchical_softmax", "num_classes", num_classes, "int", minimum=2
    )
    if on_gpu(x):
        y, saved = _cupy_forward(x, weight, num_classes)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, weight, num_classes)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """HierarchicalSoftmax backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight: gradients with respect to x, weight, in that order.
    """
    backward_variant, saved = check_context(
        "hierarchical_softmax", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, weight, num_classes):
    logits = _linear(x, weight)
    codes = _binary_codes(num_classes, weight)
    log_probability = _linear(-_softplus(-logits), codes) + _linear(
        -_softplus(logits), 1 - codes
    )
    y = np.exp(log_probability)
    return y, (x, weight, logits, codes, y)


def _backward(grad_y, x, weight, logits, codes, y):
    grad_log_probability = grad_y * y
    grad_logits = -_linear_backward_input(grad_log_probability, 1 - codes) * _sigmoid(
        logits
    ) + -(-_linear_backward_input(grad_log_probability, codes) * _sigmoid(-logits))
    grad_x = _linear_backward_input(grad_logits, weight)
    grad_weight = _rows(grad_logits).T @ _rows(x)
    return grad_x, grad_weight


def _binary_codes(num_classes, weight):
    """Row c holds the bits of class c, most significant first, one bit per row of weight."""
    depth = max(1, (num_classes - 1).bit_length())
    if weight.shape[0] != depth:
        raise ValueError(
            f"hierarchical_softmax: weight must have {depth} rows for num_classes="
            f"{num_classes} (one per tree level), got shape {tuple(weight.shape)}"
        )
    shifts = np.arange(depth - 1, -1, -1)
    return ((np.arange(num_classes)[:, None] >> shifts) & 1).astype(weight.dtype)


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


def _rows(a):
    """``a`` as a matrix of its last axis: its leading axes joined into one (a view when
    ``a`` is contiguous, as a 2-D array always is); the count of rows is spelled out, so
    that an empty last axis keeps them."""
    if a.ndim == 2:
        return a
    rows = 1
    for size in a.shape[:-1]:
        rows *= size
    return a.reshape(rows, a.shape[-1])


def _sigmoid(x, out=None):
    """Logistic sigmoid 1 / (1 + exp(-x)). Where exp(-x) overflows (x below about -88 in
    float32, -709 in float64) it is inf and the result is 0, less than the smallest
    normal number away from the true value: that overflow is expected, not reported.
    ``out``, if given, receives the result (it may be ``x`` itself)."""
    with np.errstate(over="ignore"):
        result = np.negative(x, out=out)
        np.exp(result, out=result)
    result += 1
    np.divide(1, result, out=result)
    return result


def _softplus(x, out=None):
    """log(1 + exp(x)) without overflow, max(x, 0) + log1p(u) for u = exp(-|x|), with
    log1p(u) = log(w) + (u - (w - 1)) / w for w = 1 + u as in _log1p. ``out``, if given,
    receives the result and must not overlap ``x``."""
    u = np.abs(x)
    np.negative(u, out=u)
    np.exp(u, out=u)
    w = 1 + u
    result = np.subtract(w, 1, out=out)
    np.subtract(u, result, out=result)
    result /= w
    np.log(w, out=w)
    result += w
    result += np.clip(
        x, 0, np.inf
    )  # max(x, 0); NumPy clips faster than it takes a maximum
    return result


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# hierarchical_softmax_fwd_0: layers_spec/activations/hierarchical_softmax.yaml:18
_hierarchical_softmax_fwd_0 = ElementwiseKernel(
    "hierarchical_softmax_fwd_0",
    "T logits",
    "T _t3",
    """
    T _t1 = -logits;
    T _t2 = (_t1 > 0 ? _t1 : T(0)) + log1p(exp(-fabs(_t1)));
    _t3 = -_t2;
    """,
)


# hierarchical_softmax_fwd_1: layers_spec/activations/hierarchical_softmax.yaml:18
_hierarchical_softmax_fwd_1 = ElementwiseKernel(
    "hierarchical_softmax_fwd_1",
    "T logits",
    "T _t6",
    """
    T _t5 = (logits > 0 ? logits : T(0)) + log1p(exp(-fabs(logits)));
    _t6 = -_t5;
    """,
)


# hierarchical_softmax_fwd_2: layers_spec/activations/hierarchical_softmax.yaml:18
_hierarchical_softmax_fwd_2 = ElementwiseKernel(
    "hierarchical_softmax_fwd_2",
    "T codes",
    "T _t7",
    """
    _t7 = T(1) - codes;
    """,
)


# hierarchical_softmax_fwd_3: layers_spec/activations/hierarchical_softmax.yaml:18
_hierarchical_softmax_fwd_3 = ElementwiseKernel(
    "hierarchical_softmax_fwd_3",
    "T _t4, T _t8",
    "T log_probability",
    """
    log_probability = _t4 + _t8;
    """,
)


# hierarchical_softmax_fwd_4: layers_spec/activations/hierarchical_softmax.yaml:19
_hierarchical_softmax_fwd_4 = ElementwiseKernel(
    "hierarchical_softmax_fwd_4",
    "T log_probability",
    "T y",
    """
    y = exp(log_probability);
    """,
)


def _cupy_forward(x, weight, num_classes):
    logits = _linear(x, weight)
    codes = _cupy_binary_codes(num_classes, weight)
    _t3 = _hierarchical_softmax_fwd_0(logits)
    _t4 = _linear(_t3, codes)
    _t6 = _hierarchical_softmax_fwd_1(logits)
    _t7 = _hierarchical_softmax_fwd_2(codes)
    _t8 = _linear(_t6, _t7)
    log_probability = _hierarchical_softmax_fwd_3(_t4, _t8)
    y = _hierarchical_softmax_fwd_4(log_probability)
    return y, (x, weight, logits, codes, y)


# hierarchical_softmax_bwd_0: layers_spec/activations/hierarchical_softmax.yaml:18
_hierarchical_softmax_bwd_0 = ElementwiseKernel(
    "hierarchical_softmax_bwd_0",
    "T logits",
    "T _t1",
    """
    _t1 = -logits;
    """,
)


# hierarchical_softmax_bwd_2: layers_spec/primitives.yaml:100
_hierarchical_softmax_bwd_2 = ElementwiseKernel(
    "hierarchical_softmax_bwd_2",
    "T grad_y, T y",
    "T grad_log_probability",
    """
    grad_log_probability = grad_y * y;
    """,
)


# hierarchical_softmax_bwd_3: layers_spec/primitives.yaml:81,226
_hierarchical_softmax_bwd_3 = ElementwiseKernel(
    "hierarchical_softmax_bwd_3",
    "T _t10, T logits",
    "T _t13",
    """
    T _t11 = -_t10;
    T _t12 = exp(logits < 0 ? logits : T(0)) / (1 + exp(-fabs(logits)));
    _t13 = _t11 * _t12;
    """,
)


# hierarchical_softmax_bwd_4: layers_spec/primitives.yaml:81,226
_hierarchical_softmax_bwd_4 = ElementwiseKernel(
    "hierarchical_softmax_bwd_4",
    "T _t14, T _t1, T _t13",
    "T grad_logits",
    """
    T _t15 = -_t14;
    T _t16 = exp(_t1 < 0 ? _t1 : T(0)) / (1 + exp(-fabs(_t1)));
    T _t17 = _t15 * _t16;
    T _t18 = -_t17;
    grad_logits = _t13 + _t18;
    """,
)


def _cupy_backward(grad_y, x, weight, logits, codes, y):
    _t1 = _hierarchical_softmax_bwd_0(logits)
    _t7 = _hierarchical_softmax_fwd_2(codes)
    grad_log_probability = _hierarchical_softmax_bwd_2(grad_y, y)
    _t10 = _linear_backward_input(grad_log_probability, _t7)
    _t13 = _hierarchical_softmax_bwd_3(_t10, logits)
    _t14 = _linear_backward_input(grad_log_probability, codes)
    grad_logits = _hierarchical_softmax_bwd_4(_t14, _t1, _t13)
    grad_x = _linear_backward_input(grad_logits, weight)
    grad_weight = _rows(grad_logits).T @ _rows(x)
    return grad_x, grad_weight


def _cupy_binary_codes(num_classes, weight):
    """Row c holds the bits of class c, most significant first, one bit per row of weight."""
    import cupy as cp

    depth = max(1, (num_classes - 1).bit_length())
    if weight.shape[0] != depth:
        raise ValueError(
            f"hierarchical_softmax: weight must have {depth} rows for num_classes="
            f"{num_classes} (one per tree level), got shape {tuple(weight.shape)}"
        )
    shifts = cp.arange(depth - 1, -1, -1)
    return ((cp.arange(num_classes)[:, None] >> shifts) & 1).astype(weight.dtype)
