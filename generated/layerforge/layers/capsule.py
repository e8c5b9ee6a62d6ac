"""Capsule: A capsule layer with dynamic routing by agreement (Sabour et al., 2017). Every
input capsule i votes for every output capsule j, u_hat[b, i, j, :] = sum_d x[b, i, d]
weight[i, d, j, :]; the routing logits start at zero and, routing_iterations times, c =
softmax over j of the logits, s_j = sum_i c_ij u_hat_ij + bias_j, v_j = squash(s_j), and
(but after the last) the logits grow by the agreement u_hat_ij . v_j. The output is the
last v [B, N_o, D_o]. routing_gradient 'stop' (the default) treats the coupling
coefficients c as constants in the backward (the gradient runs through the last s and
squash); 'full' differentiates through every routing iteration.
Generated from layers_spec/layers/capsule.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import (
    ElementwiseKernel,
    RowBlockKernel,
    RowKernel,
    on_gpu,
)

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight", "bias")
OUTPUTS = ("y",)


def forward(x, weight, bias, *, routing_iterations=3, routing_gradient="stop"):
    """Capsule forward pass.

    A capsule layer with dynamic routing by agreement (Sabour et al., 2017). Every input
    capsule i votes for every output capsule j, u_hat[b, i, j, :] = sum_d x[b, i, d]
    weight[i, d, j, :]; the routing logits start at zero and, routing_iterations times,
    c = softmax over j of the logits, s_j = sum_i c_ij u_hat_ij + bias_j, v_j =
    squash(s_j), and (but after the last) the logits grow by the agreement u_hat_ij .
    v_j. The output is the last v [B, N_o, D_o]. routing_gradient 'stop' (the default)
    treats the coupling coefficients c as constants in the backward (the gradient runs
    through the last s and squash); 'full' differentiates through every routing
    iteration.

    Args:
        x: float32 or float64 input of shape [B, in_capsules, in_dim]. The input
            capsules: B samples of in_capsules capsules of in_dim entries.
        weight: float32 or float64 parameter of shape [in_capsules, in_dim,
            out_capsules, out_dim]. One [in_dim, out_capsules, out_dim] transform per
            input capsule.
        bias: float32 or float64 parameter of shape [out_capsules, out_dim]. Added to
            each output capsule before the squash (zeros at first).
        routing_iterations: int, default 3. How many times the coupling coefficients are
            computed (the logits are updated between them).
        routing_gradient: str, default 'stop'. 'stop': the coupling coefficients are
            constants in the backward (as c.detach()); 'full': the backward runs through
            every routing iteration.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "capsule",
        {"x": x, "weight": weight, "bias": bias},
        {
            "x": ("B", "in_capsules", "in_dim"),
            "weight": ("in_capsules", "in_dim", "out_capsules", "out_dim"),
            "bias": ("out_capsules", "out_dim"),
        },
    )
    check_attribute(
        "capsule", "routing_iterations", routing_iterations, "int", minimum=1
    )
    check_attribute(
        "capsule", "routing_gradient", routing_gradient, "str", choices=("stop", "full")
    )
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[routing_gradient]
        y, saved = forward_variant(x, weight, bias, routing_iterations)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    forward_variant, backward_variant = _VARIANTS[routing_gradient]
    y, saved = forward_variant(x, weight, bias, routing_iterations)
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Capsule backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias: gradients with respect to x, weight, bias, in
            that order.
    """
    backward_variant, saved = check_context(
        "capsule", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_stop(x, weight, bias, routing_iterations):
    u_hat, hoisted_saved = _forward_stop_hoisted(x, weight)
    logits = np.zeros((x.shape[0], x.shape[1], weight.shape[2]), dtype=x.dtype)
    for _ in range(routing_iterations - 1):
        logits = _forward_stop_step(logits, u_hat, bias)
    y, saved_2, saved_4, saved_5, s, squash_norm, saved_8 = _forward_stop_last(
        logits, u_hat, bias
    )
    return y, (hoisted_saved, u_hat, saved_2, saved_4, saved_5, s, squash_norm, saved_8)


def _backward_stop(
    grad_y, hoisted_saved, u_hat, saved_2, saved_4, saved_5, s, squash_norm, saved_8
):
    grad_u_hat, grad_bias = _backward_stop_last(
        grad_y, u_hat, saved_2, saved_4, saved_5, s, squash_norm, saved_8
    )
    grad_x, grad_weight = _backward_stop_hoisted(grad_u_hat, *hoisted_saved)
    return grad_x, grad_weight, grad_bias


def _forward_stop_hoisted(x, weight):
    u_hat = _capsule_votes(x, weight)
    return u_hat, (x, weight)


def _forward_stop_step(logits, u_hat, bias):
    c = _masked_softmax(logits)
    s = np.squeeze(_sum(np.expand_dims(c, -1) * u_hat, -3), axis=-3) + bias
    squash_squared_norm = _sum(s * s, -1)
    squash_norm = squash_squared_norm + 1e-07
    np.sqrt(squash_norm, out=squash_norm)
    y = np.multiply(s, squash_norm / (1 + squash_squared_norm), out=s)
    logits_next = logits + _dot_last(u_hat, np.expand_dims(y, -3))[..., 0]
    return logits_next


def _forward_stop_last(logits, u_hat, bias):
    c = _masked_softmax(logits)
    _t1 = np.expand_dims(c, -1)
    _t2 = _sum(_t1 * u_hat, -3)
    _t3 = np.squeeze(_t2, axis=-3)
    s = _t3 + bias
    squash_squared_norm = _sum(s * s, -1)
    squash_norm = squash_squared_norm + 1e-07
    np.sqrt(squash_norm, out=squash_norm)
    _t4 = np.add(1, squash_squared_norm, out=squash_squared_norm)
    y = s * (squash_norm / _t4)
    return y, _t1, _t2, _t3, s, squash_norm, _t4


def _backward_stop_last(grad_y, u_hat, _t1, _t2, _t3, s, squash_norm, _t4):
    _t5 = squash_norm / _t4
    _t6 = np.sum(grad_y * s, axis=-1, keepdims=True)
    grad_squash_norm = _t6 / _t4
    grad_squash_squared_norm = -_t6
    grad_squash_squared_norm *= _t5
    grad_squash_squared_norm /= _t4
    _t7 = 0.5 * grad_squash_norm
    _t7 /= squash_norm
    grad_squash_squared_norm += _t7
    _t8 = np.broadcast_to(grad_squash_squared_norm, _t3.shape) * s
    grad_s = grad_y * _t5
    grad_s += _t8
    grad_s += _t8
    grad_bias = np.sum(grad_s, axis=0)
    grad_u_hat = np.broadcast_to(grad_s.reshape(_t2.shape), u_hat.shape) * _t1
    return grad_u_hat, grad_bias


def _backward_stop_hoisted(grad_u_hat, x, weight):
    grad_x = _capsule_votes_input_grad(grad_u_hat, weight, x)
    grad_weight = _capsule_votes_weight_grad(grad_u_hat, x, weight)
    return grad_x, grad_weight


def _forward_full(x, weight, bias, routing_iterations):
    u_hat, hoisted_saved = _forward_stop_hoisted(x, weight)
    logits = np.zeros((x.shape[0], x.shape[1], weight.shape[2]), dtype=x.dtype)
    history = []  # what each iteration's backward reads
    for _ in range(routing_iterations - 1):
        logits_next, c, saved_3, saved_4, s, squash_norm, saved_7 = _forward_full_step(
            logits, u_hat, bias
        )
        history.append((logits, c, saved_3, saved_4, s, squash_norm, saved_7))
        logits = logits_next
    y, c, saved_3, saved_4, s, squash_norm, saved_7 = _forward_full_last(
        logits, u_hat, bias
    )
    return y, (
        hoisted_saved,
        history,
        logits,
        u_hat,
        c,
        saved_3,
        saved_4,
        s,
        squash_norm,
        saved_7,
    )


def _backward_full(
    grad_y,
    hoisted_saved,
    history,
    logits,
    u_hat,
    c,
    saved_3,
    saved_4,
    s,
    squash_norm,
    saved_7,
):
    grad_logits, grad_u_hat, grad_bias = _backward_full_last(
        grad_y, logits, u_hat, c, saved_3, saved_4, s, squash_norm, saved_7
    )
    for iteration in reversed(history):
        logits, c, saved_3, saved_4, s, squash_norm, saved_7 = iteration
        grad_logits, step_grad_u_hat, step_grad_bias = _backward_full_step(
            grad_logits, logits, c, saved_3, saved_4, s, squash_norm, saved_7, u_hat
        )
        grad_u_hat = grad_u_hat + step_grad_u_hat
        grad_bias = grad_bias + step_grad_bias
    grad_x, grad_weight = _backward_stop_hoisted(grad_u_hat, *hoisted_saved)
    return grad_x, grad_weight, grad_bias


def _forward_full_step(logits, u_hat, bias):
    c = _masked_softmax(logits)
    _t1 = _sum(np.expand_dims(c, -1) * u_hat, -3)
    _t2 = np.squeeze(_t1, axis=-3)
    s = _t2 + bias
    squash_squared_norm = _sum(s * s, -1)
    squash_norm = squash_squared_norm + 1e-07
    np.sqrt(squash_norm, out=squash_norm)
    _t3 = np.add(1, squash_squared_norm, out=squash_squared_norm)
    y = s * (squash_norm / _t3)
    logits_next = logits + _dot_last(u_hat, np.expand_dims(y, -3))[..., 0]
    return logits_next, c, _t1, _t2, s, squash_norm, _t3


def _forward_full_last(logits, u_hat, bias):
    c = _masked_softmax(logits)
    _t1 = _sum(np.expand_dims(c, -1) * u_hat, -3)
    _t2 = np.squeeze(_t1, axis=-3)
    s = _t2 + bias
    squash_squared_norm = _sum(s * s, -1)
    squash_norm = squash_squared_norm + 1e-07
    np.sqrt(squash_norm, out=squash_norm)
    _t3 = np.add(1, squash_squared_norm, out=squash_squared_norm)
    y = s * (squash_norm / _t3)
    return y, c, _t1, _t2, s, squash_norm, _t3


def _backward_full_last(grad_y, logits, u_hat, c, _t1, _t2, s, squash_norm, _t3):
    _t4 = squash_norm / _t3
    _t5 = np.sum(grad_y * s, axis=-1, keepdims=True)
    grad_squash_norm = _t5 / _t3
    grad_squash_squared_norm = -_t5
    grad_squash_squared_norm *= _t4
    grad_squash_squared_norm /= _t3
    _t6 = 0.5 * grad_squash_norm
    _t6 /= squash_norm
    grad_squash_squared_norm += _t6
    _t7 = np.broadcast_to(grad_squash_squared_norm, _t2.shape) * s
    grad_s = grad_y * _t4
    grad_s += _t7
    grad_s += _t7
    grad_bias = np.sum(grad_s, axis=0)
    _t8 = np.broadcast_to(grad_s.reshape(_t1.shape), u_hat.shape)
    grad_u_hat = _t8 * np.expand_dims(c, -1)
    grad_c = np.sum(_t8 * u_hat, axis=-1, keepdims=True).reshape(logits.shape)
    grad_logits = grad_c - _dot_last(grad_c, c)
    grad_logits *= c
    return grad_logits, grad_u_hat, grad_bias


def _backward_full_step(
    grad_next_logits, logits, c, _t1, _t2, s, squash_norm, _t3, u_hat
):
    _t4 = np.expand_dims(c, -1)
    _t5 = squash_norm / _t3
    y = s * _t5
    _t6 = grad_next_logits.reshape(_t4.shape)
    grad_y = np.sum(_t6 * u_hat, axis=-3, keepdims=True).reshape(_t2.shape)
    _t7 = np.sum(grad_y * s, axis=-1, keepdims=True)
    grad_squash_norm = _t7 / _t3
    grad_squash_squared_norm = -_t7
    grad_squash_squared_norm *= _t5
    grad_squash_squared_norm /= _t3
    _t8 = 0.5 * grad_squash_norm
    _t8 /= squash_norm
    grad_squash_squared_norm += _t8
    _t9 = np.broadcast_to(grad_squash_squared_norm, _t2.shape) * s
    grad_s = grad_y * _t5
    grad_s += _t9
    grad_s += _t9
    grad_bias = np.sum(grad_s, axis=0)
    _t10 = np.broadcast_to(grad_s.reshape(_t1.shape), u_hat.shape)
    grad_c = np.sum(_t10 * u_hat, axis=-1, keepdims=True).reshape(logits.shape)
    grad_logits = grad_c - _dot_last(grad_c, c)
    grad_logits *= c
    grad_logits += grad_next_logits
    grad_u_hat = _t6 * np.expand_dims(y, -3) + _t10 * _t4
    return grad_logits, grad_u_hat, grad_bias


_VARIANTS = {
    "stop": (_forward_stop, _backward_stop),
    "full": (_forward_full, _backward_full),
}


def _capsule_votes(x, weight):
    """x [..., N_i, D_i] with weight [N_i, D_i, N_o, D_o] to [..., N_i, N_o, D_o]: per
    input capsule i, its rows [R, D_i] @ weight[i] as [D_i, N_o * D_o] (batched over i).
    """
    n_in, d_in, n_out, d_out = weight.shape
    count = 1  # the rows: every leading axis (reshape's -1 fails on 0 sizes)
    for size in x.shape[:-2]:
        count *= size
    rows = x.reshape(count, n_in, d_in).swapaxes(0, 1)
    votes = np.matmul(rows, weight.reshape(n_in, d_in, n_out * d_out))
    return votes.swapaxes(0, 1).reshape(x.shape[:-1] + (n_out, d_out))


def _capsule_votes_input_grad(grad, weight, x):
    """grad [..., N_i, N_o, D_o] to [..., N_i, D_i] (shaped like x)."""
    n_in, d_in, n_out, d_out = weight.shape
    count = 1
    for size in x.shape[:-2]:
        count *= size
    rows = grad.reshape(count, n_in, n_out * d_out).swapaxes(0, 1)
    out = np.matmul(rows, weight.reshape(n_in, d_in, n_out * d_out).swapaxes(1, 2))
    return out.swapaxes(0, 1).reshape(x.shape)


def _capsule_votes_weight_grad(grad, x, weight):
    """[N_i, D_i, N_o, D_o]: for each input capsule, its rows of x transposed times its
    rows of grad."""
    n_in, d_in, n_out, d_out = weight.shape
    count = 1
    for size in x.shape[:-2]:
        count *= size
    rows = x.reshape(count, n_in, d_in).swapaxes(0, 1).swapaxes(1, 2)
    grads = grad.reshape(count, n_in, n_out * d_out).swapaxes(0, 1)
    return np.matmul(rows, grads).reshape(weight.shape)


def _dot_last(a, b):
    """The sum over the last axis of a * b, kept as a length-1 axis, as matrix products
    (BLAS) that never form a * b: with a vector b [F] one matrix-vector product, with
    rows b [..., F] a stack of row-times-column ones."""
    if b.ndim == 1:
        return np.matmul(a, b)[..., None]
    return np.matmul(a[..., None, :], b[..., :, None])[..., 0]


def _masked_softmax(x, out=None):
    """exp(x - max) / sum over the last axis, in four passes over x; a row of -inf
    (fully masked) gives zeros, as torch's scaled_dot_product_attention does, where a
    plain softmax gives NaN. ``out``, if given, receives the result (it may be x)."""
    top = np.max(x, axis=-1, keepdims=True, initial=-np.inf)  # -inf over no keys
    np.putmask(top, top == -np.inf, 0)
    out = np.subtract(x, top, out=out)
    np.exp(out, out=out)
    total = np.sum(out, axis=-1, keepdims=True)
    np.putmask(total, total == 0, 1)
    out /= total
    return out


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


def _cupy_forward_stop(x, weight, bias, routing_iterations):
    import cupy as cp

    u_hat, hoisted_saved = _cupy_forward_stop_hoisted(x, weight)
    logits = cp.zeros((x.shape[0], x.shape[1], weight.shape[2]), dtype=x.dtype)
    for _ in range(routing_iterations - 1):
        logits = _cupy_forward_stop_step(logits, u_hat, bias)
    y, saved_2, saved_4, saved_5, s, squash_norm, saved_8 = _cupy_forward_stop_last(
        logits, u_hat, bias
    )
    return y, (hoisted_saved, u_hat, saved_2, saved_4, saved_5, s, squash_norm, saved_8)


def _cupy_backward_stop(
    grad_y, hoisted_saved, u_hat, saved_2, saved_4, saved_5, s, squash_norm, saved_8
):
    import cupy as cp

    grad_u_hat, grad_bias = _cupy_backward_stop_last(
        grad_y, u_hat, saved_2, saved_4, saved_5, s, squash_norm, saved_8
    )
    grad_x, grad_weight = _cupy_backward_stop_hoisted(grad_u_hat, *hoisted_saved)
    return grad_x, grad_weight, grad_bias


def _cupy_forward_stop_hoisted(x, weight):
    u_hat = _cupy_capsule_votes(x, weight)
    return u_hat, (x, weight)


# capsule_stop_step_fwd_0: layers_spec/layers/capsule.yaml:28
_capsule_stop_step_fwd_0 = RowKernel(
    "capsule_stop_step_fwd_0",
    "masked_softmax_row",
    row_width=None,
    preamble="""
    template <typename T>
    __device__ void masked_softmax_row(const T* row, T* out, long long n) {
        // One pass for the maximum (0 for a row of -inf, whose entries then give 0), one for
        // the exponentials and their sum, one to divide: the scores are read from memory once
        // per pass and the probabilities written once, by one kernel.
        if (n == 0) return;
        T top = row[0];
        for (long long k = 1; k < n; ++k) top = row[k] > top ? row[k] : top;
        if (isinf(top) && top < T(0)) top = T(0);
        T total = T(0);
        for (long long k = 0; k < n; ++k) {
            out[k] = exp(row[k] - top);
            total += out[k];
        }
        if (total == T(0)) total = T(1);
        for (long long k = 0; k < n; ++k) out[k] /= total;
    }
    """,
)


# capsule_stop_step_fwd_1: layers_spec/layers/capsule.yaml:31
_capsule_stop_step_fwd_1 = ElementwiseKernel(
    "capsule_stop_step_fwd_1",
    "T _t2, T u_hat",
    "T _t3",
    """
    _t3 = _t2 * u_hat;
    """,
)


# capsule_stop_step_fwd_2: layers_spec/layers/capsule.yaml:31
_capsule_stop_step_fwd_2 = ElementwiseKernel(
    "capsule_stop_step_fwd_2",
    "T _t5, T bias",
    "T s",
    """
    s = _t5 + bias;
    """,
)


# capsule_stop_step_fwd_3: layers_spec/activations/squash.yaml:12,13,14
_capsule_stop_step_fwd_3 = RowBlockKernel(
    "capsule_stop_step_fwd_3",
    "row T s",
    "row T y",
    """
    T _c_s[LF_REGISTERS];
    T squash_squared_norm = T(0);
    LF_ROW_LOOP(
        const T s = _at.fill(_c_s, _row_s, _j);
        const T _t6 = s * s;
        squash_squared_norm = _Sum()(squash_squared_norm, _t6);
    )
    squash_squared_norm = _row_reduce(squash_squared_norm, _Sum());
    const T _t7 = squash_squared_norm + T(1e-07);
    const T squash_norm = sqrt(_t7);
    const T _t8 = T(1) + squash_squared_norm;
    const T _t9 = squash_norm / _t8;
    LF_ROW_LOOP(
        const T s = _at.get(_c_s, _row_s, _j);
        const T y = s * _t9;
        _row_y[_j] = y;
    )
    """,
)


# capsule_stop_step_fwd_4: layers_spec/layers/capsule.yaml:33
_capsule_stop_step_fwd_4 = ElementwiseKernel(
    "capsule_stop_step_fwd_4",
    "T logits, T _t12",
    "T logits_next",
    """
    logits_next = logits + _t12;
    """,
)


def _cupy_forward_stop_step(logits, u_hat, bias):
    import cupy as cp

    _t1 = _capsule_stop_step_fwd_0(logits)
    c = _t1
    _t2 = cp.expand_dims(c, -1)
    _t3 = _capsule_stop_step_fwd_1(_t2, u_hat)
    _t4 = _cupy_sum(_t3, -3)
    _t5 = cp.squeeze(_t4, axis=-3)
    s = _capsule_stop_step_fwd_2(_t5, bias)
    y = _capsule_stop_step_fwd_3(s)
    _t10 = cp.expand_dims(y, -3)
    _t11 = _cupy_dot_last(u_hat, _t10)
    _t12 = _t11[..., 0]
    logits_next = _capsule_stop_step_fwd_4(logits, _t12)
    return logits_next


# capsule_stop_last_fwd_3: layers_spec/activations/squash.yaml:12,13,14
_capsule_stop_last_fwd_3 = RowBlockKernel(
    "capsule_stop_last_fwd_3",
    "row T s",
    "per_row T squash_norm, per_row T _t8, row T y",
    """
    T _c_s[LF_REGISTERS];
    T squash_squared_norm = T(0);
    LF_ROW_LOOP(
        const T s = _at.fill(_c_s, _row_s, _j);
        const T _t6 = s * s;
        squash_squared_norm = _Sum()(squash_squared_norm, _t6);
    )
    squash_squared_norm = _row_reduce(squash_squared_norm, _Sum());
    const T _t7 = squash_squared_norm + T(1e-07);
    const T squash_norm = sqrt(_t7);
    const T _t8 = T(1) + squash_squared_norm;
    const T _t9 = squash_norm / _t8;
    LF_ROW_LOOP(
        const T s = _at.get(_c_s, _row_s, _j);
        const T y = s * _t9;
        _row_y[_j] = y;
    )
    """,
)


def _cupy_forward_stop_last(logits, u_hat, bias):
    import cupy as cp

    _t1 = _capsule_stop_step_fwd_0(logits)
    c = _t1
    _t2 = cp.expand_dims(c, -1)
    _t3 = _capsule_stop_step_fwd_1(_t2, u_hat)
    _t4 = _cupy_sum(_t3, -3)
    _t5 = cp.squeeze(_t4, axis=-3)
    s = _capsule_stop_step_fwd_2(_t5, bias)
    squash_norm, _t8, y = _capsule_stop_last_fwd_3(s)
    return y, _t2, _t4, _t5, s, squash_norm, _t8


# capsule_stop_last_bwd_0: layers_spec/activations/squash.yaml:14
_capsule_stop_last_bwd_0 = ElementwiseKernel(
    "capsule_stop_last_bwd_0",
    "T squash_norm, T _t8",
    "T _t9",
    """
    _t9 = squash_norm / _t8;
    """,
)


# capsule_stop_last_bwd_1: layers_spec/primitives.yaml:61,62,71,72,171; layers_spec/activations/squash.yaml:14
_capsule_stop_last_bwd_1 = RowBlockKernel(
    "capsule_stop_last_bwd_1",
    "row T grad_y, per_row T _t9, row T s, per_row T _t8, per_row T squash_norm",
    "row T _t15, per_row T grad_squash_squared_norm",
    """
    T _c_grad_y[LF_REGISTERS];
    T _t17 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T s = _row_s[_j];
        const T _t16 = grad_y * s;
        _t17 = _Sum()(_t17, _t16);
    )
    _t17 = _row_reduce(_t17, _Sum());
    const T grad_squash_norm = _t17 / _t8;
    const T _t19 = -_t17;
    const T _t20 = _t19 * _t9;
    const T _t21 = _t20 / _t8;
    const T _t22 = T(0.5) * grad_squash_norm;
    const T _t23 = _t22 / squash_norm;
    const T grad_squash_squared_norm = _t21 + _t23;
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t15 = grad_y * _t9;
        _row__t15[_j] = _t15;
    )
    """,
)


# capsule_stop_last_bwd_2: layers_spec/primitives.yaml:61,62
_capsule_stop_last_bwd_2 = ElementwiseKernel(
    "capsule_stop_last_bwd_2",
    "T _t24, T s, T _t15",
    "T grad_s",
    """
    T _t25 = _t24 * s;
    T _t26 = _t24 * s;
    T _t27 = _t15 + _t25;
    grad_s = _t27 + _t26;
    """,
)


# capsule_stop_last_bwd_3: layers_spec/primitives.yaml:62
_capsule_stop_last_bwd_3 = ElementwiseKernel(
    "capsule_stop_last_bwd_3",
    "T _t30, T _t2",
    "T grad_u_hat",
    """
    grad_u_hat = _t30 * _t2;
    """,
)


def _cupy_backward_stop_last(grad_y, u_hat, _t2, _t4, _t5, s, squash_norm, _t8):
    import cupy as cp

    _t9 = _capsule_stop_last_bwd_0(squash_norm, _t8)
    _t15, grad_squash_squared_norm = _capsule_stop_last_bwd_1(
        grad_y, _t9, s, _t8, squash_norm
    )
    _t24 = cp.broadcast_to(grad_squash_squared_norm, _t5.shape)
    grad_s = _capsule_stop_last_bwd_2(_t24, s, _t15)
    grad_bias = cp.sum(grad_s, axis=0)
    _t29 = grad_s.reshape(_t4.shape)
    _t30 = cp.broadcast_to(_t29, u_hat.shape)
    grad_u_hat = _capsule_stop_last_bwd_3(_t30, _t2)
    return grad_u_hat, grad_bias


def _cupy_backward_stop_hoisted(grad_u_hat, x, weight):
    grad_x = _cupy_capsule_votes_input_grad(grad_u_hat, weight, x)
    grad_weight = _cupy_capsule_votes_weight_grad(grad_u_hat, x, weight)
    return grad_x, grad_weight


def _cupy_forward_full(x, weight, bias, routing_iterations):
    import cupy as cp

    u_hat, hoisted_saved = _cupy_forward_stop_hoisted(x, weight)
    logits = cp.zeros((x.shape[0], x.shape[1], weight.shape[2]), dtype=x.dtype)
    history = []  # what each iteration's backward reads
    for _ in range(routing_iterations - 1):
        logits_next, c, saved_3, saved_4, s, squash_norm, saved_7 = (
            _cupy_forward_full_step(logits, u_hat, bias)
        )
        history.append((logits, c, saved_3, saved_4, s, squash_norm, saved_7))
        logits = logits_next
    y, c, saved_3, saved_4, s, squash_norm, saved_7 = _cupy_forward_full_last(
        logits, u_hat, bias
    )
    return y, (
        hoisted_saved,
        history,
        logits,
        u_hat,
        c,
        saved_3,
        saved_4,
        s,
        squash_norm,
        saved_7,
    )


def _cupy_backward_full(
    grad_y,
    hoisted_saved,
    history,
    logits,
    u_hat,
    c,
    saved_3,
    saved_4,
    s,
    squash_norm,
    saved_7,
):
    import cupy as cp

    grad_logits, grad_u_hat, grad_bias = _cupy_backward_full_last(
        grad_y, logits, u_hat, c, saved_3, saved_4, s, squash_norm, saved_7
    )
    for iteration in reversed(history):
        logits, c, saved_3, saved_4, s, squash_norm, saved_7 = iteration
        grad_logits, step_grad_u_hat, step_grad_bias = _cupy_backward_full_step(
            grad_logits, logits, c, saved_3, saved_4, s, squash_norm, saved_7, u_hat
        )
        grad_u_hat = grad_u_hat + step_grad_u_hat
        grad_bias = grad_bias + step_grad_bias
    grad_x, grad_weight = _cupy_backward_stop_hoisted(grad_u_hat, *hoisted_saved)
    return grad_x, grad_weight, grad_bias


# capsule_full_step_fwd_0: layers_spec/layers/capsule.yaml:30
_capsule_full_step_fwd_0 = RowKernel(
    "capsule_full_step_fwd_0",
    "masked_softmax_row",
    row_width=None,
    preamble="""
    template <typename T>
    __device__ void masked_softmax_row(const T* row, T* out, long long n) {
        // One pass for the maximum (0 for a row of -inf, whose entries then give 0), one for
        // the exponentials and their sum, one to divide: the scores are read from memory once
        // per pass and the probabilities written once, by one kernel.
        if (n == 0) return;
        T top = row[0];
        for (long long k = 1; k < n; ++k) top = row[k] > top ? row[k] : top;
        if (isinf(top) && top < T(0)) top = T(0);
        T total = T(0);
        for (long long k = 0; k < n; ++k) {
            out[k] = exp(row[k] - top);
            total += out[k];
        }
        if (total == T(0)) total = T(1);
        for (long long k = 0; k < n; ++k) out[k] /= total;
    }
    """,
)


# capsule_full_step_fwd_1: layers_spec/layers/capsule.yaml:31
_capsule_full_step_fwd_1 = ElementwiseKernel(
    "capsule_full_step_fwd_1",
    "T _t1, T u_hat",
    "T _t2",
    """
    _t2 = _t1 * u_hat;
    """,
)


# capsule_full_step_fwd_2: layers_spec/layers/capsule.yaml:31
_capsule_full_step_fwd_2 = ElementwiseKernel(
    "capsule_full_step_fwd_2",
    "T _t4, T bias",
    "T s",
    """
    s = _t4 + bias;
    """,
)


# capsule_full_step_fwd_3: layers_spec/activations/squash.yaml:12,13,14
_capsule_full_step_fwd_3 = RowBlockKernel(
    "capsule_full_step_fwd_3",
    "row T s",
    "per_row T squash_norm, per_row T _t7, row T y",
    """
    T _c_s[LF_REGISTERS];
    T squash_squared_norm = T(0);
    LF_ROW_LOOP(
        const T s = _at.fill(_c_s, _row_s, _j);
        const T _t5 = s * s;
        squash_squared_norm = _Sum()(squash_squared_norm, _t5);
    )
    squash_squared_norm = _row_reduce(squash_squared_norm, _Sum());
    const T _t6 = squash_squared_norm + T(1e-07);
    const T squash_norm = sqrt(_t6);
    const T _t7 = T(1) + squash_squared_norm;
    const T _t8 = squash_norm / _t7;
    LF_ROW_LOOP(
        const T s = _at.get(_c_s, _row_s, _j);
        const T y = s * _t8;
        _row_y[_j] = y;
    )
    """,
)


# capsule_full_step_fwd_4: layers_spec/layers/capsule.yaml:33
_capsule_full_step_fwd_4 = ElementwiseKernel(
    "capsule_full_step_fwd_4",
    "T logits, T _t11",
    "T logits_next",
    """
    logits_next = logits + _t11;
    """,
)


def _cupy_forward_full_step(logits, u_hat, bias):
    import cupy as cp

    c = _capsule_full_step_fwd_0(logits)
    _t1 = cp.expand_dims(c, -1)
    _t2 = _capsule_full_step_fwd_1(_t1, u_hat)
    _t3 = _cupy_sum(_t2, -3)
    _t4 = cp.squeeze(_t3, axis=-3)
    s = _capsule_full_step_fwd_2(_t4, bias)
    squash_norm, _t7, y = _capsule_full_step_fwd_3(s)
    _t9 = cp.expand_dims(y, -3)
    _t10 = _cupy_dot_last(u_hat, _t9)
    _t11 = _t10[..., 0]
    logits_next = _capsule_full_step_fwd_4(logits, _t11)
    return logits_next, c, _t3, _t4, s, squash_norm, _t7


def _cupy_forward_full_last(logits, u_hat, bias):
    import cupy as cp

    c = _capsule_full_step_fwd_0(logits)
    _t1 = cp.expand_dims(c, -1)
    _t2 = _capsule_full_step_fwd_1(_t1, u_hat)
    _t3 = _cupy_sum(_t2, -3)
    _t4 = cp.squeeze(_t3, axis=-3)
    s = _capsule_full_step_fwd_2(_t4, bias)
    squash_norm, _t7, y = _capsule_full_step_fwd_3(s)
    return y, c, _t3, _t4, s, squash_norm, _t7


# capsule_full_last_bwd_0: layers_spec/activations/squash.yaml:14
_capsule_full_last_bwd_0 = ElementwiseKernel(
    "capsule_full_last_bwd_0",
    "T squash_norm, T _t7",
    "T _t8",
    """
    _t8 = squash_norm / _t7;
    """,
)


# capsule_full_last_bwd_1: layers_spec/primitives.yaml:61,62,71,72,171; layers_spec/activations/squash.yaml:14
_capsule_full_last_bwd_1 = RowBlockKernel(
    "capsule_full_last_bwd_1",
    "row T grad_y, per_row T _t8, row T s, per_row T _t7, per_row T squash_norm",
    "row T _t14, per_row T grad_squash_squared_norm",
    """
    T _c_grad_y[LF_REGISTERS];
    T _t16 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T s = _row_s[_j];
        const T _t15 = grad_y * s;
        _t16 = _Sum()(_t16, _t15);
    )
    _t16 = _row_reduce(_t16, _Sum());
    const T grad_squash_norm = _t16 / _t7;
    const T _t18 = -_t16;
    const T _t19 = _t18 * _t8;
    const T _t20 = _t19 / _t7;
    const T _t21 = T(0.5) * grad_squash_norm;
    const T _t22 = _t21 / squash_norm;
    const T grad_squash_squared_norm = _t20 + _t22;
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t14 = grad_y * _t8;
        _row__t14[_j] = _t14;
    )
    """,
)


# capsule_full_last_bwd_2: layers_spec/primitives.yaml:61,62
_capsule_full_last_bwd_2 = ElementwiseKernel(
    "capsule_full_last_bwd_2",
    "T _t23, T s, T _t14",
    "T grad_s",
    """
    T _t24 = _t23 * s;
    T _t25 = _t23 * s;
    T _t26 = _t14 + _t24;
    grad_s = _t26 + _t25;
    """,
)


# capsule_full_last_bwd_3: layers_spec/primitives.yaml:61,62; layers_spec/layers/capsule.yaml:31
_capsule_full_last_bwd_3 = RowBlockKernel(
    "capsule_full_last_bwd_3",
    "row T _t29, row T u_hat, per_row T _t1",
    "per_row T _t31, row T grad_u_hat",
    """
    T _c__t29[LF_REGISTERS];
    T _t31 = T(0);
    LF_ROW_LOOP(
        const T _t29 = _at.fill(_c__t29, _row__t29, _j);
        const T u_hat = _row_u_hat[_j];
        const T _t30 = _t29 * u_hat;
        _t31 = _Sum()(_t31, _t30);
    )
    _t31 = _row_reduce(_t31, _Sum());
    LF_ROW_LOOP(
        const T _t29 = _at.get(_c__t29, _row__t29, _j);
        const T grad_u_hat = _t29 * _t1;
        _row_grad_u_hat[_j] = grad_u_hat;
    )
    """,
)


# capsule_full_last_bwd_4: layers_spec/primitives.yaml:2973
_capsule_full_last_bwd_4 = RowBlockKernel(
    "capsule_full_last_bwd_4",
    "row T grad_c, row T c",
    "row T grad_logits",
    """
    T _c_grad_c[LF_REGISTERS];
    T _c_c[LF_REGISTERS];
    T _t34 = T(0);
    LF_ROW_LOOP(
        const T grad_c = _at.fill(_c_grad_c, _row_grad_c, _j);
        const T c = _at.fill(_c_c, _row_c, _j);
        _t34 = _Sum()(_t34, grad_c * c);
    )
    _t34 = _row_reduce(_t34, _Sum());
    LF_ROW_LOOP(
        const T grad_c = _at.get(_c_grad_c, _row_grad_c, _j);
        const T c = _at.get(_c_c, _row_c, _j);
        const T _t35 = grad_c - _t34;
        const T grad_logits = c * _t35;
        _row_grad_logits[_j] = grad_logits;
    )
    """,
)


def _cupy_backward_full_last(grad_y, logits, u_hat, c, _t3, _t4, s, squash_norm, _t7):
    import cupy as cp

    _t1 = cp.expand_dims(c, -1)
    _t8 = _capsule_full_last_bwd_0(squash_norm, _t7)
    _t14, grad_squash_squared_norm = _capsule_full_last_bwd_1(
        grad_y, _t8, s, _t7, squash_norm
    )
    _t23 = cp.broadcast_to(grad_squash_squared_norm, _t4.shape)
    grad_s = _capsule_full_last_bwd_2(_t23, s, _t14)
    grad_bias = cp.sum(grad_s, axis=0)
    _t28 = grad_s.reshape(_t3.shape)
    _t29 = cp.broadcast_to(_t28, u_hat.shape)
    _t31, grad_u_hat = _capsule_full_last_bwd_3(_t29, u_hat, _t1)
    grad_c = _t31.reshape(logits.shape)
    grad_logits = _capsule_full_last_bwd_4(grad_c, c)
    return grad_logits, grad_u_hat, grad_bias


# capsule_full_step_bwd_1: layers_spec/activations/squash.yaml:14
_capsule_full_step_bwd_1 = ElementwiseKernel(
    "capsule_full_step_bwd_1",
    "T s, T _t8",
    "T y",
    """
    y = s * _t8;
    """,
)


# capsule_full_step_bwd_2: layers_spec/primitives.yaml:389,390
_capsule_full_step_bwd_2 = ElementwiseKernel(
    "capsule_full_step_bwd_2",
    "T _t37, T _t9, T u_hat",
    "T _t38, T _t39",
    """
    _t38 = _t37 * _t9;
    _t39 = _t37 * u_hat;
    """,
)


# capsule_full_step_bwd_3: layers_spec/primitives.yaml:61,62,71,72,171; layers_spec/activations/squash.yaml:14
_capsule_full_step_bwd_3 = RowBlockKernel(
    "capsule_full_step_bwd_3",
    "row T grad_y, per_row T _t8, row T s, per_row T _t7, per_row T squash_norm",
    "row T _t42, per_row T grad_squash_squared_norm",
    """
    T _c_grad_y[LF_REGISTERS];
    T _t44 = T(0);
    LF_ROW_LOOP(
        const T grad_y = _at.fill(_c_grad_y, _row_grad_y, _j);
        const T s = _row_s[_j];
        const T _t43 = grad_y * s;
        _t44 = _Sum()(_t44, _t43);
    )
    _t44 = _row_reduce(_t44, _Sum());
    const T grad_squash_norm = _t44 / _t7;
    const T _t46 = -_t44;
    const T _t47 = _t46 * _t8;
    const T _t48 = _t47 / _t7;
    const T _t49 = T(0.5) * grad_squash_norm;
    const T _t50 = _t49 / squash_norm;
    const T grad_squash_squared_norm = _t48 + _t50;
    LF_ROW_LOOP(
        const T grad_y = _at.get(_c_grad_y, _row_grad_y, _j);
        const T _t42 = grad_y * _t8;
        _row__t42[_j] = _t42;
    )
    """,
)


# capsule_full_step_bwd_4: layers_spec/primitives.yaml:61,62
_capsule_full_step_bwd_4 = ElementwiseKernel(
    "capsule_full_step_bwd_4",
    "T _t51, T s, T _t42",
    "T grad_s",
    """
    T _t52 = _t51 * s;
    T _t53 = _t51 * s;
    T _t54 = _t42 + _t52;
    grad_s = _t54 + _t53;
    """,
)


# capsule_full_step_bwd_5: layers_spec/primitives.yaml:61,62; layers_spec/layers/capsule.yaml:31
_capsule_full_step_bwd_5 = RowBlockKernel(
    "capsule_full_step_bwd_5",
    "row T _t57, row T u_hat, per_row T _t1",
    "per_row T _t59, row T _t60",
    """
    T _c__t57[LF_REGISTERS];
    T _t59 = T(0);
    LF_ROW_LOOP(
        const T _t57 = _at.fill(_c__t57, _row__t57, _j);
        const T u_hat = _row_u_hat[_j];
        const T _t58 = _t57 * u_hat;
        _t59 = _Sum()(_t59, _t58);
    )
    _t59 = _row_reduce(_t59, _Sum());
    LF_ROW_LOOP(
        const T _t57 = _at.get(_c__t57, _row__t57, _j);
        const T _t60 = _t57 * _t1;
        _row__t60[_j] = _t60;
    )
    """,
)


# capsule_full_step_bwd_6: layers_spec/primitives.yaml:2973
_capsule_full_step_bwd_6 = RowBlockKernel(
    "capsule_full_step_bwd_6",
    "row T grad_c, row T c, row T grad_next_logits",
    "row T grad_logits",
    """
    T _c_grad_c[LF_REGISTERS];
    T _c_c[LF_REGISTERS];
    T _c_grad_next_logits[LF_REGISTERS];
    T _t62 = T(0);
    LF_ROW_LOOP(
        _at.fill(_c_grad_next_logits, _row_grad_next_logits, _j);
        const T grad_c = _at.fill(_c_grad_c, _row_grad_c, _j);
        const T c = _at.fill(_c_c, _row_c, _j);
        _t62 = _Sum()(_t62, grad_c * c);
    )
    _t62 = _row_reduce(_t62, _Sum());
    LF_ROW_LOOP(
        const T grad_c = _at.get(_c_grad_c, _row_grad_c, _j);
        const T c = _at.get(_c_c, _row_c, _j);
        const T grad_next_logits = _at.get(_c_grad_next_logits, _row_grad_next_logits, _j);
        const T _t63 = grad_c - _t62;
        const T _t64 = c * _t63;
        const T grad_logits = grad_next_logits + _t64;
        _row_grad_logits[_j] = grad_logits;
    )
    """,
)


# capsule_full_step_bwd_7: layers_spec/primitives.yaml:2973
_capsule_full_step_bwd_7 = ElementwiseKernel(
    "capsule_full_step_bwd_7",
    "T _t38, T _t60",
    "T grad_u_hat",
    """
    grad_u_hat = _t38 + _t60;
    """,
)


def _cupy_backward_full_step(
    grad_next_logits, logits, c, _t3, _t4, s, squash_norm, _t7, u_hat
):
    import cupy as cp

    _t1 = cp.expand_dims(c, -1)
    _t8 = _capsule_full_last_bwd_0(squash_norm, _t7)
    y = _capsule_full_step_bwd_1(s, _t8)
    _t9 = cp.expand_dims(y, -3)
    _t37 = grad_next_logits.reshape(_t1.shape)
    _t38, _t39 = _capsule_full_step_bwd_2(_t37, _t9, u_hat)
    _t40 = cp.sum(_t39, axis=-3, keepdims=True)
    grad_y = _t40.reshape(_t4.shape)
    _t42, grad_squash_squared_norm = _capsule_full_step_bwd_3(
        grad_y, _t8, s, _t7, squash_norm
    )
    _t51 = cp.broadcast_to(grad_squash_squared_norm, _t4.shape)
    grad_s = _capsule_full_step_bwd_4(_t51, s, _t42)
    grad_bias = cp.sum(grad_s, axis=0)
    _t56 = grad_s.reshape(_t3.shape)
    _t57 = cp.broadcast_to(_t56, u_hat.shape)
    _t59, _t60 = _capsule_full_step_bwd_5(_t57, u_hat, _t1)
    grad_c = _t59.reshape(logits.shape)
    grad_logits = _capsule_full_step_bwd_6(grad_c, c, grad_next_logits)
    grad_u_hat = _capsule_full_step_bwd_7(_t38, _t60)
    return grad_logits, grad_u_hat, grad_bias


_CUPY_VARIANTS = {
    "stop": (_cupy_forward_stop, _cupy_backward_stop),
    "full": (_cupy_forward_full, _cupy_backward_full),
}


def _cupy_capsule_votes(x, weight):
    """x [..., N_i, D_i] with weight [N_i, D_i, N_o, D_o] to [..., N_i, N_o, D_o]: per
    input capsule i, its rows [R, D_i] @ weight[i] as [D_i, N_o * D_o] (batched over i).
    """
    import cupy as cp

    n_in, d_in, n_out, d_out = weight.shape
    count = 1  # the rows: every leading axis (reshape's -1 fails on 0 sizes)
    for size in x.shape[:-2]:
        count *= size
    rows = x.reshape(count, n_in, d_in).swapaxes(0, 1)
    votes = cp.matmul(rows, weight.reshape(n_in, d_in, n_out * d_out))
    return votes.swapaxes(0, 1).reshape(x.shape[:-1] + (n_out, d_out))


def _cupy_capsule_votes_input_grad(grad, weight, x):
    """grad [..., N_i, N_o, D_o] to [..., N_i, D_i] (shaped like x)."""
    import cupy as cp

    n_in, d_in, n_out, d_out = weight.shape
    count = 1
    for size in x.shape[:-2]:
        count *= size
    rows = grad.reshape(count, n_in, n_out * d_out).swapaxes(0, 1)
    out = cp.matmul(rows, weight.reshape(n_in, d_in, n_out * d_out).swapaxes(1, 2))
    return out.swapaxes(0, 1).reshape(x.shape)


def _cupy_capsule_votes_weight_grad(grad, x, weight):
    """[N_i, D_i, N_o, D_o]: for each input capsule, its rows of x transposed times its
    rows of grad."""
    import cupy as cp

    n_in, d_in, n_out, d_out = weight.shape
    count = 1
    for size in x.shape[:-2]:
        count *= size
    rows = x.reshape(count, n_in, d_in).swapaxes(0, 1).swapaxes(1, 2)
    grads = grad.reshape(count, n_in, n_out * d_out).swapaxes(0, 1)
    return cp.matmul(rows, grads).reshape(weight.shape)


def _cupy_dot_last(a, b):
    """The sum over the last axis of a * b, kept as a length-1 axis, as matrix products
    (BLAS) that never form a * b: with a vector b [F] one matrix-vector product, with
    rows b [..., F] a stack of row-times-column ones."""
    import cupy as cp

    if b.ndim == 1:
        return cp.matmul(a, b)[..., None]
    return cp.matmul(a[..., None, :], b[..., :, None])[..., 0]


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
