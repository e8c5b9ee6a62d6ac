"""BinaryCrossEntropy: Binary cross-entropy on logits, averaged over all elements:
mean(softplus(z) - t z), which equals -mean(t log sigmoid(z) + (1 - t) log(1 -
sigmoid(z))) without overflow (as torch.nn.functional.binary_cross_entropy_with_logits).
Generated from layers_spec/losses/binary_cross_entropy.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_nonempty,
    in_row_blocks,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu
from layerforge._jit_runtime import (
    fast_exp,
    fast_log1p,
    in_row_runs,
    row_kernel,
    rows,
    use_jit,
    whole_rows,
)

__all__ = ["forward", "backward"]

INPUTS = ("logits", "target")
PARAMETERS = ()
OUTPUTS = ("loss",)


def forward(logits, target):
    """BinaryCrossEntropy forward pass.

    Binary cross-entropy on logits, averaged over all elements: mean(softplus(z) - t z),
    which equals -mean(t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))) without overflow
    (as torch.nn.functional.binary_cross_entropy_with_logits).

    Args:
        logits: float32 or float64 input of shape [..., F].
        target: float32 or float64 input of shape [..., F]. Probabilities in [0, 1].

    Returns:
        (loss, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "binary_cross_entropy",
        {"logits": logits, "target": target},
        {"logits": ("...", "F"), "target": ("...", "F")},
    )
    check_nonempty("binary_cross_entropy", "logits", logits.shape)
    if on_gpu(logits):
        loss, saved = _cupy_forward(logits, target)
        return loss, (_cupy_backward, saved, (loss.dtype, loss.shape), None)
    if use_jit(logits):
        loss, saved = _jit_forward(logits, target)
        return loss, (_backward, saved, (loss.dtype, loss.shape), None)
    loss, saved = _forward(logits, target)
    return loss, (_backward, saved, (loss.dtype, loss.shape), None)


def backward(grad_loss, ctx):
    """BinaryCrossEntropy backward pass.

    Args:
        grad_loss: gradient of the loss with respect to loss.
        ctx: the context returned by forward.

    Returns:
        grad_logits, grad_target: gradients with respect to logits, target, in that
            order.
    """
    backward_variant, saved = check_context(
        "binary_cross_entropy", __name__, ctx, {"grad_loss": grad_loss}
    )
    return backward_variant(grad_loss, *saved)


def _forward(logits, target):
    _t1 = logits.size
    loss = np.sum(_softplus(logits) - target * logits) / _t1
    return loss, (logits, target, _t1)


def _backward_part1(logits, _t1, target):
    _t2 = np.broadcast_to(_t1, logits.shape)
    _t3 = -_t2
    grad_target = _t3 * logits
    grad_logits = np.multiply(_t3, target, out=_t3)
    _t4 = _sigmoid(logits)
    _t4 *= _t2
    grad_logits += _t4
    return grad_target, grad_logits


def _backward(grad_loss, logits, target, _t1):
    _t2 = grad_loss / _t1
    grad_target, grad_logits = in_row_blocks(
        _backward_part1, logits, _t2, target, named=(1, None, 1)
    )
    return grad_logits, grad_target


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


# binary_cross_entropy_fwd_0: layers_spec/losses/binary_cross_entropy.yaml:13
_binary_cross_entropy_fwd_0 = ElementwiseKernel(
    "binary_cross_entropy_fwd_0",
    "T logits, T target",
    "T _t3",
    """
    T _t1 = (logits > 0 ? logits : T(0)) + log1p(exp(-fabs(logits)));
    T _t2 = target * logits;
    _t3 = _t1 - _t2;
    """,
)


def _cupy_forward(logits, target):
    import cupy as cp

    _t3 = _binary_cross_entropy_fwd_0(logits, target)
    _t4 = cp.sum(_t3)
    _t5 = logits.size
    loss = _t4 / _t5
    return loss, (logits, target, _t5)


# binary_cross_entropy_bwd_0: layers_spec/primitives.yaml:52,61,62,226
_binary_cross_entropy_bwd_0 = ElementwiseKernel(
    "binary_cross_entropy_bwd_0",
    "T _t7, T logits, T target",
    "T grad_target, T grad_logits",
    """
    T _t8 = -_t7;
    grad_target = _t8 * logits;
    T _t10 = _t8 * target;
    T _t11 = exp(logits < 0 ? logits : T(0)) / (1 + exp(-fabs(logits)));
    T _t12 = _t7 * _t11;
    grad_logits = _t10 + _t12;
    """,
)


def _cupy_backward(grad_loss, logits, target, _t5):
    import cupy as cp

    _t6 = grad_loss / _t5
    _t7 = cp.broadcast_to(_t6, logits.shape)
    grad_target, grad_logits = _binary_cross_entropy_bwd_0(_t7, logits, target)
    return grad_logits, grad_target


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# binary_cross_entropy_fwd_loops_0: layers_spec/losses/binary_cross_entropy.yaml:13
@row_kernel
def _binary_cross_entropy_fwd_loops_0(logits, target, _t1_out):
    _rows, _n = logits.shape
    _float = logits.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t2 = (
                logits[_row, _j] if logits[_row, _j] > _float(0.0) else _float(0.0)
            ) + fast_log1p(
                fast_exp(-abs(logits[_row, _j]))
            )  # binary_cross_entropy.yaml:13
            _t3 = target[_row, _j] * logits[_row, _j]  # binary_cross_entropy.yaml:13
            _t1 = _t2 - _t3  # binary_cross_entropy.yaml:13
            _t1_out[_row, _j] = _t1


@whole_rows
def _jit_forward(logits, target):
    _t3 = np.empty(logits.shape, logits.dtype)
    in_row_runs(
        _binary_cross_entropy_fwd_loops_0, rows(logits), rows(target), rows(_t3)
    )
    _t4 = np.sum(_t3)
    _t5 = logits.size
    loss = _t4 / _t5
    return loss, (logits, target, _t5)
