"""MixtureOfExperts: A mixture of experts with a softmax router: logits = x @
router_weight.T + router_bias, the gates are their softmax over the top_k largest logits
of each row (the others get 0; top_k = 0 keeps every expert), and y = activation(sum
over experts e of gate_e * expert_e(x)), each expert the builder preset Dense(in ->
hidden, ReLU) -> Dense(hidden -> out) with its weights stacked over the experts in
torch.nn.Linear's layout. Which experts are kept is a selection without gradient; the
renormalising softmax over them has its exact gradient. Every expert is evaluated on
every row (dense evaluation: the products are batched over the experts, and the gates of
the experts not kept are 0). The entry point load_balancing_loss gives the Switch
Transformer's load-balancing loss of the router and its gradients, to add to a training
loss.
Generated from layers_spec/layers/mixture_of_experts.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_not_above,
    activation_module,
    check_options,
    blas_on_one_thread,
    blas_flags_ignored,
    in_chunks,
    in_row_products,
)
from layerforge._cupy_runtime import (
    ElementwiseKernel,
    ReductionKernel,
    RowBlockKernel,
    RowKernel,
    on_gpu,
)

__all__ = ["forward", "backward", "load_balancing_loss"]

INPUTS = ("x",)
PARAMETERS = (
    "router_weight",
    "router_bias",
    "expert_w1",
    "expert_b1",
    "expert_w2",
    "expert_b2",
)
OUTPUTS = ("y",)
ENTRY_POINTS = ("load_balancing_loss",)


def forward(
    x,
    router_weight,
    router_bias,
    expert_w1,
    expert_b1,
    expert_w2,
    expert_b2,
    *,
    top_k=0,
    activation="identity",
    activation_options=None,
):
    """MixtureOfExperts forward pass.

    A mixture of experts with a softmax router: logits = x @ router_weight.T +
    router_bias, the gates are their softmax over the top_k largest logits of each row
    (the others get 0; top_k = 0 keeps every expert), and y = activation(sum over
    experts e of gate_e * expert_e(x)), each expert the builder preset Dense(in ->
    hidden, ReLU) -> Dense(hidden -> out) with its weights stacked over the experts in
    torch.nn.Linear's layout. Which experts are kept is a selection without gradient;
    the renormalising softmax over them has its exact gradient. Every expert is
    evaluated on every row (dense evaluation: the products are batched over the experts,
    and the gates of the experts not kept are 0). The entry point load_balancing_loss
    gives the Switch Transformer's load-balancing loss of the router and its gradients,
    to add to a training loss.

    Args:
        x: float32 or float64 input of shape [B, in_features]. A batch of feature
            vectors (tokens).
        router_weight: float32 or float64 parameter of shape [num_experts, in_features].
            The router's logits' weights [experts, in].
        router_bias: float32 or float64 parameter of shape [num_experts].
        expert_w1: float32 or float64 parameter of shape [num_experts, hidden_features,
            in_features]. Each expert's first Linear weight [hidden, in].
        expert_b1: float32 or float64 parameter of shape [num_experts, hidden_features].
        expert_w2: float32 or float64 parameter of shape [num_experts, out_features,
            hidden_features]. Each expert's second Linear weight [out, hidden].
        expert_b2: float32 or float64 parameter of shape [num_experts, out_features].
        top_k: int, default 0. How many experts each row keeps (its largest logits); 0
            keeps all (a dense mixture).
        activation: name of the activation applied to the result, default 'identity';
            identity, relu are fused into specialized code, any other activation of
            layerforge.activations is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "mixture_of_experts",
        {
            "x": x,
            "router_weight": router_weight,
            "router_bias": router_bias,
            "expert_w1": expert_w1,
            "expert_b1": expert_b1,
            "expert_w2": expert_w2,
            "expert_b2": expert_b2,
        },
        {
            "x": ("B", "in_features"),
            "router_weight": ("num_experts", "in_features"),
            "router_bias": ("num_experts",),
            "expert_w1": ("num_experts", "hidden_features", "in_features"),
            "expert_b1": ("num_experts", "hidden_features"),
            "expert_w2": ("num_experts", "out_features", "hidden_features"),
            "expert_b2": ("num_experts", "out_features"),
        },
    )
    check_attribute("mixture_of_experts", "top_k", top_k, "int", minimum=0)
    check_not_above(
        "mixture_of_experts", "top_k", top_k, "router_weight", router_weight.shape, 0
    )
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get(activation)
        if fused is not None:
            forward_variant, backward_variant = fused
            if options:
                check_options("mixture_of_experts", activation, options)
            y, saved = forward_variant(
                x,
                router_weight,
                router_bias,
                expert_w1,
                expert_b1,
                expert_w2,
                expert_b2,
                top_k,
                **options,
            )
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        module = activation_module("mixture_of_experts", activation)
        if options:
            check_options("mixture_of_experts", activation, options)
        y_linear, linear_saved = _cupy_forward_identity(
            x,
            router_weight,
            router_bias,
            expert_w1,
            expert_b1,
            expert_w2,
            expert_b2,
            top_k,
        )
        y, activation_ctx = module.forward(y_linear, **options)
        return y, (
            _cupy_backward_composed,
            (module, activation_ctx, linear_saved),
            (y.dtype, y.shape),
            None,
        )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get(activation)
    if fused is not None:
        forward_variant, backward_variant = fused
        if options:
            check_options("mixture_of_experts", activation, options)
        y, saved = forward_variant(
            x,
            router_weight,
            router_bias,
            expert_w1,
            expert_b1,
            expert_w2,
            expert_b2,
            top_k,
            **options,
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    module = activation_module("mixture_of_experts", activation)
    if options:
        check_options("mixture_of_experts", activation, options)
    y_linear, linear_saved = _forward_identity(
        x, router_weight, router_bias, expert_w1, expert_b1, expert_w2, expert_b2, top_k
    )
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (
        _backward_composed,
        (module, activation_ctx, linear_saved),
        (y.dtype, y.shape),
        None,
    )


def backward(grad_y, ctx):
    """MixtureOfExperts backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_router_weight, grad_router_bias, grad_expert_w1, grad_expert_b1,
            grad_expert_w2, grad_expert_b2: gradients with respect to x, router_weight,
            router_bias, expert_w1, expert_b1, expert_w2, expert_b2, in that order.
    """
    backward_variant, saved = check_context(
        "mixture_of_experts", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def load_balancing_loss(x, router_weight, router_bias):
    """MixtureOfExperts load_balancing_loss: an entry point beside forward and backward.

    The Switch Transformer's load-balancing loss of the router and its gradients, for
    adding coef * loss to a training loss: p = softmax(x @ router_weight.T +
    router_bias) over all experts, f_e = the fraction of rows whose largest logit (top
    1) is expert e (a selection, constant), P_e = the mean of p_e over the rows, loss =
    E * sum_e f_e P_e (1 when routing is uniform). Returns (loss, dx, d_router_weight,
    d_router_bias), the loss's gradients (f held constant), which add to backward's
    gradients scaled by coef. Ties at the largest logit are resolved by np.argpartition
    (as top_k).

    Args:
        x: float32 or float64 array of shape [B, in_features]. A batch of feature
            vectors (tokens).
        router_weight: float32 or float64 array of shape [num_experts, in_features] (the
            layer's). The router's logits' weights [experts, in].
        router_bias: float32 or float64 array of shape [num_experts] (the layer's).

    Returns:
        (loss, dx, d_router_weight, d_router_bias): new arrays; no argument is changed.
            There is no backward: this is not a gradient.
    """
    check_arrays(
        "mixture_of_experts.load_balancing_loss",
        {"x": x, "router_weight": router_weight, "router_bias": router_bias},
        {
            "x": ("B", "in_features"),
            "router_weight": ("num_experts", "in_features"),
            "router_bias": ("num_experts",),
        },
    )
    if on_gpu(x):
        return _cupy_entry_load_balancing_loss(x, router_weight, router_bias)
    return _entry_load_balancing_loss(x, router_weight, router_bias)


@blas_on_one_thread
def _forward_identity(
    x, router_weight, router_bias, expert_w1, expert_b1, expert_w2, expert_b2, top_k
):
    logits = _linear(x, router_weight)
    logits += router_bias
    gates = _masked_softmax(_apply_mask(logits, _outside_top_k(logits, top_k)))
    _t1 = _linear_heads(x, expert_w1) + np.expand_dims(expert_b1, -2)
    hidden = np.clip(_t1, 0, np.inf)
    _t2 = np.swapaxes(expert_w2, -1, -2)
    _t3 = _bmm(hidden, _t2)
    outs = _t3 + np.expand_dims(expert_b2, -2)
    _t4 = _sum(outs * np.expand_dims(np.swapaxes(gates, -1, -2), -1), -3)
    z = np.squeeze(_t4, axis=-3)
    return z, (
        x,
        router_weight,
        expert_w1,
        expert_b1,
        expert_b2,
        gates,
        _t1,
        _t2,
        _t3,
        _t4,
    )


@blas_on_one_thread
def _backward_identity(
    grad_y, x, router_weight, expert_w1, expert_b1, expert_b2, gates, _t1, _t2, _t3, _t4
):
    hidden = np.clip(_t1, 0, np.inf)
    outs = _t3 + np.expand_dims(expert_b2, -2)
    _t5 = np.swapaxes(gates, -1, -2)
    _t6 = np.broadcast_to(grad_y.reshape(_t4.shape), _t3.shape)
    grad_outs = _t6 * np.expand_dims(_t5, -1)
    grad_gates = np.swapaxes(
        np.sum(_t6 * outs, axis=-1, keepdims=True).reshape(_t5.shape), -1, -2
    )
    grad_expert_b2 = np.sum(grad_outs, axis=-2, keepdims=True).reshape(expert_b2.shape)
    grad_hidden = _bmm(grad_outs, np.swapaxes(_t2, -1, -2))
    grad_expert_w2 = np.swapaxes(_bmm(np.swapaxes(hidden, -1, -2), grad_outs), -1, -2)
    _t7 = np.multiply(grad_hidden, _t1 > 0, out=grad_hidden)
    grad_expert_b1 = np.sum(_t7, axis=-2, keepdims=True).reshape(expert_b1.shape)
    _t8 = _merge_heads(_t7, expert_w1.shape[0])
    grad_expert_w1 = _linear_heads_weight_grad(_t8, x, expert_w1)
    grad_logits = grad_gates - _dot_last(grad_gates, gates)
    grad_logits *= gates
    grad_router_bias = np.sum(grad_logits, axis=0)
    grad_router_weight = _rows(grad_logits).T @ _rows(x)
    grad_x = _linear_heads_input_grad(_t8, expert_w1) + _linear_backward_input(
        grad_logits, router_weight
    )
    return (
        grad_x,
        grad_router_weight,
        grad_router_bias,
        grad_expert_w1,
        grad_expert_b1,
        grad_expert_w2,
        grad_expert_b2,
    )


@blas_on_one_thread
def _forward_relu(
    x, router_weight, router_bias, expert_w1, expert_b1, expert_w2, expert_b2, top_k
):
    logits = _linear(x, router_weight)
    logits += router_bias
    gates = _masked_softmax(_apply_mask(logits, _outside_top_k(logits, top_k)))
    _t1 = _linear_heads(x, expert_w1) + np.expand_dims(expert_b1, -2)
    hidden = np.clip(_t1, 0, np.inf)
    _t2 = np.swapaxes(expert_w2, -1, -2)
    _t3 = _bmm(hidden, _t2)
    outs = _t3 + np.expand_dims(expert_b2, -2)
    _t4 = _sum(outs * np.expand_dims(np.swapaxes(gates, -1, -2), -1), -3)
    z = np.squeeze(_t4, axis=-3)
    y = np.clip(z, 0, np.inf)
    return y, (
        x,
        router_weight,
        expert_w1,
        expert_b1,
        expert_b2,
        gates,
        _t1,
        _t2,
        _t3,
        _t4,
        z,
    )


@blas_on_one_thread
def _backward_relu(
    grad_y,
    x,
    router_weight,
    expert_w1,
    expert_b1,
    expert_b2,
    gates,
    _t1,
    _t2,
    _t3,
    _t4,
    z,
):
    hidden = np.clip(_t1, 0, np.inf)
    outs = _t3 + np.expand_dims(expert_b2, -2)
    _t5 = np.swapaxes(gates, -1, -2)
    grad_z = grad_y * (z > 0)
    _t6 = np.broadcast_to(grad_z.reshape(_t4.shape), _t3.shape)
    grad_outs = _t6 * np.expand_dims(_t5, -1)
    grad_gates = np.swapaxes(
        np.sum(_t6 * outs, axis=-1, keepdims=True).reshape(_t5.shape), -1, -2
    )
    grad_expert_b2 = np.sum(grad_outs, axis=-2, keepdims=True).reshape(expert_b2.shape)
    grad_hidden = _bmm(grad_outs, np.swapaxes(_t2, -1, -2))
    grad_expert_w2 = np.swapaxes(_bmm(np.swapaxes(hidden, -1, -2), grad_outs), -1, -2)
    _t7 = np.multiply(grad_hidden, _t1 > 0, out=grad_hidden)
    grad_expert_b1 = np.sum(_t7, axis=-2, keepdims=True).reshape(expert_b1.shape)
    _t8 = _merge_heads(_t7, expert_w1.shape[0])
    grad_expert_w1 = _linear_heads_weight_grad(_t8, x, expert_w1)
    grad_logits = grad_gates - _dot_last(grad_gates, gates)
    grad_logits *= gates
    grad_router_bias = np.sum(grad_logits, axis=0)
    grad_router_weight = _rows(grad_logits).T @ _rows(x)
    grad_x = _linear_heads_input_grad(_t8, expert_w1) + _linear_backward_input(
        grad_logits, router_weight
    )
    return (
        grad_x,
        grad_router_weight,
        grad_router_bias,
        grad_expert_w1,
        grad_expert_b1,
        grad_expert_w2,
        grad_expert_b2,
    )


def _backward_composed(grad_y, module, activation_ctx, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return _backward_identity(grad_linear, *linear_saved)


def _entry_load_balancing_loss(x, router_weight, router_bias):
    _t1 = _linear(x, router_weight)
    logits = _t1 + router_bias
    probs = _masked_softmax(logits)
    routed = (~_outside_top_k(logits, 1)).astype(_t1.dtype)
    experts = router_weight.shape[0]
    rows = x.shape[0]
    fraction = _mean(routed, 0)
    loss = np.sum(fraction * _mean(probs, 0)) * experts
    weight_of = np.multiply(fraction, experts / rows, out=fraction)
    d_logits = weight_of - _sum(weight_of * probs, -1)
    d_logits *= probs
    d_router_bias = np.squeeze(_sum(d_logits, 0), axis=0)
    d_router_weight = d_logits.T @ x
    dx = d_logits @ router_weight
    return loss, dx, d_router_weight, d_router_bias


_FUSED = {
    "identity": (_forward_identity, _backward_identity),
    "relu": (_forward_relu, _backward_relu),
}


def _apply_mask(scores, mask, out=None):
    """scores with -inf where a bool mask is True, or plus a float mask; ``out``, if
    given, receives the result (it may be ``scores``). No mask (None): the scores
    themselves (or their copy in ``out``)."""
    if mask is None:
        if out is None or out is scores:
            return scores
        np.copyto(out, scores)
        return out
    if mask.dtype != bool:
        return np.add(scores, mask, out=out)
    if out is None:
        out = scores.copy()
    elif out is not scores:
        np.copyto(out, scores)
    np.copyto(out, -np.inf, where=mask)
    return out


def _bmm(a, b):
    """a [..., M, K] @ b [..., K, N]. Stacks of equal leading shape are shared out over
    the threads (set_num_threads) by their first axis, each product with one BLAS
    thread: attention's many small per-head products run several times faster so than
    with BLAS's own threads (which spin and contend for the cores); others are np.matmul.
    """
    if a.ndim < 3 or a.shape[:-2] != b.shape[:-2]:
        return np.matmul(a, b)
    out = np.empty(a.shape[:-1] + b.shape[-1:], dtype=a.dtype)

    def products(first, last):
        np.matmul(a[first:last], b[first:last], out=out[first:last])

    in_chunks(products, a.shape[0], a)
    return out


def _dot_last(a, b):
    """The sum over the last axis of a * b, kept as a length-1 axis, as matrix products
    (BLAS) that never form a * b: with a vector b [F] one matrix-vector product, with
    rows b [..., F] a stack of row-times-column ones."""
    if b.ndim == 1:
        return np.matmul(a, b)[..., None]
    return np.matmul(a[..., None, :], b[..., :, None])[..., 0]


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


def _linear_heads(x, weight):
    """x [..., S, F] @ weight[h].T for every head h of weight [H, C, F], as [..., H, S, C]:
    one product of x's rows with the H * C rows of weight, shared out over the threads
    (in_row_products), the heads then split as _split_heads splits them (a view)."""
    heads, width = weight.shape[0], weight.shape[1]
    joined = in_row_products(_rows(x), weight.reshape(heads * width, weight.shape[2]).T)
    return joined.reshape(x.shape[:-1] + (heads, width)).swapaxes(-2, -3)


def _linear_heads_input_grad(merged, weight):
    """merged [..., S, H * C] @ weight [H, C, F] as [H * C, F], as [..., S, F]: one product
    of rows shared out over the threads (in_row_products)."""
    heads, width, features = (
        weight.shape
    )  # spelled out: reshape(-1, 0) fails on no features
    joined = in_row_products(_rows(merged), weight.reshape(heads * width, features))
    return joined.reshape(merged.shape[:-1] + (features,))


def _linear_heads_weight_grad(merged, x, weight):
    """merged [..., S, H * C] transposed @ x [..., S, F], summed over the leading axes, as
    weight's [H, C, F]: one product, its H * C rows shared out over the threads."""
    return in_row_products(_rows(merged).T, _rows(x)).reshape(weight.shape)


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


def _mean(x, axis):
    """The mean along ``axis``, kept as a length-1 axis; along the last axis of a float
    array a matrix-vector product with 1 / n (BLAS), as in _sum."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        return np.matmul(x, np.full(x.shape[-1], 1 / x.shape[-1], x.dtype))[..., None]
    return np.mean(x, axis=axis, keepdims=True)


def _merge_heads(x, heads):
    """x [..., heads, S, D] as [..., S, heads * D], head after head along the last axis."""
    moved = x.swapaxes(-2, -3)
    return moved.reshape(moved.shape[:-2] + (heads * x.shape[-1],))


def _outside_top_k(x, k):
    """A bool mask, True where x is not among the k largest of its last axis (ties at
    the k-th value resolved by np.argpartition's order); all False when k is 0 or
    covers the axis."""
    n = x.shape[-1]
    if k == 0 or k >= n:
        return np.zeros(x.shape, dtype=bool)
    kept = np.argpartition(x, n - k, axis=-1)[..., n - k :]
    return ~np.any(kept[..., :, None] == np.arange(n), axis=-2)


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


# mixture_of_experts_identity_fwd_0: layers_spec/layers/mixture_of_experts.yaml:30
_mixture_of_experts_identity_fwd_0 = ElementwiseKernel(
    "mixture_of_experts_identity_fwd_0",
    "T _t1, T router_bias",
    "T logits",
    """
    logits = _t1 + router_bias;
    """,
)


# mixture_of_experts_identity_fwd_1: layers_spec/layers/mixture_of_experts.yaml:31
_mixture_of_experts_identity_fwd_1 = RowKernel(
    "mixture_of_experts_identity_fwd_1",
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
    masks=("mask",),
)


# mixture_of_experts_identity_fwd_2: layers_spec/layers/mixture_of_experts.yaml:32
_mixture_of_experts_identity_fwd_2 = ElementwiseKernel(
    "mixture_of_experts_identity_fwd_2",
    "T _t4, T _t5",
    "T _t6, T hidden",
    """
    _t6 = _t4 + _t5;
    hidden = _t6 > T(0) || _t6 != _t6 ? _t6 : T(0);
    """,
)


# mixture_of_experts_identity_fwd_3: layers_spec/layers/mixture_of_experts.yaml:33
_mixture_of_experts_identity_fwd_3 = ElementwiseKernel(
    "mixture_of_experts_identity_fwd_3",
    "T _t8, T _t9",
    "T outs",
    """
    outs = _t8 + _t9;
    """,
)


# mixture_of_experts_identity_fwd_4: layers_spec/layers/mixture_of_experts.yaml:34
_mixture_of_experts_identity_fwd_4 = ElementwiseKernel(
    "mixture_of_experts_identity_fwd_4",
    "T outs, T _t11",
    "T _t12",
    """
    _t12 = outs * _t11;
    """,
)


def _cupy_forward_identity(
    x, router_weight, router_bias, expert_w1, expert_b1, expert_w2, expert_b2, top_k
):
    import cupy as cp

    _t1 = _linear(x, router_weight)
    logits = _mixture_of_experts_identity_fwd_0(_t1, router_bias)
    _t2 = _cupy_outside_top_k(logits, top_k)
    gates = _mixture_of_experts_identity_fwd_1(logits, _t2)
    _t4 = _linear_heads(x, expert_w1)
    _t5 = cp.expand_dims(expert_b1, -2)
    _t6, hidden = _mixture_of_experts_identity_fwd_2(_t4, _t5)
    _t7 = cp.swapaxes(expert_w2, -1, -2)
    _t8 = _cupy_bmm(hidden, _t7)
    _t9 = cp.expand_dims(expert_b2, -2)
    outs = _mixture_of_experts_identity_fwd_3(_t8, _t9)
    _t10 = cp.swapaxes(gates, -1, -2)
    _t11 = cp.expand_dims(_t10, -1)
    _t12 = _mixture_of_experts_identity_fwd_4(outs, _t11)
    _t13 = _cupy_sum(_t12, -3)
    z = cp.squeeze(_t13, axis=-3)
    return z, (
        x,
        router_weight,
        expert_w1,
        expert_b1,
        expert_b2,
        gates,
        _t6,
        _t7,
        _t8,
        _t13,
    )


# mixture_of_experts_identity_bwd_0: layers_spec/layers/mixture_of_experts.yaml:32
_mixture_of_experts_identity_bwd_0 = ElementwiseKernel(
    "mixture_of_experts_identity_bwd_0",
    "T _t6",
    "T hidden",
    """
    hidden = _t6 > T(0) || _t6 != _t6 ? _t6 : T(0);
    """,
)


# mixture_of_experts_identity_bwd_2: layers_spec/primitives.yaml:61,62; layers_spec/layers/mixture_of_experts.yaml:34
_mixture_of_experts_identity_bwd_2 = RowBlockKernel(
    "mixture_of_experts_identity_bwd_2",
    "row T _t15, per_row T _t11, row T outs",
    "row T grad_outs, per_row T _t18",
    """
    T _c__t15[LF_REGISTERS];
    T _t18 = T(0);
    LF_ROW_LOOP(
        const T _t15 = _at.fill(_c__t15, _row__t15, _j);
        const T outs = _row_outs[_j];
        const T _t17 = _t15 * outs;
        _t18 = _Sum()(_t18, _t17);
    )
    _t18 = _row_reduce(_t18, _Sum());
    LF_ROW_LOOP(
        const T _t15 = _at.get(_c__t15, _row__t15, _j);
        const T grad_outs = _t15 * _t11;
        _row_grad_outs[_j] = grad_outs;
    )
    """,
)


# mixture_of_experts_identity_bwd_3: layers_spec/primitives.yaml:252
_mixture_of_experts_identity_bwd_3 = ElementwiseKernel(
    "mixture_of_experts_identity_bwd_3",
    "T _t6, T grad_hidden",
    "T _t29",
    """
    bool _t28 = _t6 > T(0);
    _t29 = grad_hidden * _t28;
    """,
)


# mixture_of_experts_identity_bwd_4: layers_spec/primitives.yaml:2973
_mixture_of_experts_identity_bwd_4 = RowBlockKernel(
    "mixture_of_experts_identity_bwd_4",
    "row T grad_gates, row T gates",
    "row T grad_logits",
    """
    T _c_grad_gates[LF_REGISTERS];
    T _c_gates[LF_REGISTERS];
    T _t38 = T(0);
    LF_ROW_LOOP(
        const T grad_gates = _at.fill(_c_grad_gates, _row_grad_gates, _j);
        const T gates = _at.fill(_c_gates, _row_gates, _j);
        _t38 = _Sum()(_t38, grad_gates * gates);
    )
    _t38 = _row_reduce(_t38, _Sum());
    LF_ROW_LOOP(
        const T grad_gates = _at.get(_c_grad_gates, _row_grad_gates, _j);
        const T gates = _at.get(_c_gates, _row_gates, _j);
        const T _t39 = grad_gates - _t38;
        const T grad_logits = gates * _t39;
        _row_grad_logits[_j] = grad_logits;
    )
    """,
)


# mixture_of_experts_identity_bwd_5: layers_spec/primitives.yaml:522
_mixture_of_experts_identity_bwd_5 = ElementwiseKernel(
    "mixture_of_experts_identity_bwd_5",
    "T _t34, T _t42",
    "T grad_x",
    """
    grad_x = _t34 + _t42;
    """,
)


def _cupy_backward_identity(
    grad_y,
    x,
    router_weight,
    expert_w1,
    expert_b1,
    expert_b2,
    gates,
    _t6,
    _t7,
    _t8,
    _t13,
):
    import cupy as cp

    hidden = _mixture_of_experts_identity_bwd_0(_t6)
    _t9 = cp.expand_dims(expert_b2, -2)
    outs = _mixture_of_experts_identity_fwd_3(_t8, _t9)
    _t10 = cp.swapaxes(gates, -1, -2)
    _t11 = cp.expand_dims(_t10, -1)
    _t14 = grad_y.reshape(_t13.shape)
    _t15 = cp.broadcast_to(_t14, _t8.shape)
    grad_outs, _t18 = _mixture_of_experts_identity_bwd_2(_t15, _t11, outs)
    _t19 = _t18.reshape(_t10.shape)
    grad_gates = cp.swapaxes(_t19, -1, -2)
    _t21 = cp.sum(grad_outs, axis=-2, keepdims=True)
    grad_expert_b2 = _t21.reshape(expert_b2.shape)
    _t23 = cp.swapaxes(_t7, -1, -2)
    grad_hidden = _cupy_bmm(grad_outs, _t23)
    _t25 = cp.swapaxes(hidden, -1, -2)
    _t26 = _cupy_bmm(_t25, grad_outs)
    grad_expert_w2 = cp.swapaxes(_t26, -1, -2)
    _t29 = _mixture_of_experts_identity_bwd_3(_t6, grad_hidden)
    _t30 = cp.sum(_t29, axis=-2, keepdims=True)
    grad_expert_b1 = _t30.reshape(expert_b1.shape)
    _t32 = expert_w1.shape[0]
    _t33 = _merge_heads(_t29, _t32)
    _t34 = _linear_heads_input_grad(_t33, expert_w1)
    _t35 = expert_w1.shape[0]
    _t36 = _merge_heads(_t29, _t35)
    grad_expert_w1 = _linear_heads_weight_grad(_t36, x, expert_w1)
    grad_logits = _mixture_of_experts_identity_bwd_4(grad_gates, gates)
    grad_router_bias = cp.sum(grad_logits, axis=0)
    _t42 = _linear_backward_input(grad_logits, router_weight)
    grad_router_weight = _rows(grad_logits).T @ _rows(x)
    grad_x = _mixture_of_experts_identity_bwd_5(_t34, _t42)
    return (
        grad_x,
        grad_router_weight,
        grad_router_bias,
        grad_expert_w1,
        grad_expert_b1,
        grad_expert_w2,
        grad_expert_b2,
    )


# mixture_of_experts_relu_fwd_5: layers_spec/activations/relu.yaml:8
_mixture_of_experts_relu_fwd_5 = ElementwiseKernel(
    "mixture_of_experts_relu_fwd_5",
    "T z",
    "T y",
    """
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_relu(
    x, router_weight, router_bias, expert_w1, expert_b1, expert_w2, expert_b2, top_k
):
    import cupy as cp

    _t1 = _linear(x, router_weight)
    logits = _mixture_of_experts_identity_fwd_0(_t1, router_bias)
    _t2 = _cupy_outside_top_k(logits, top_k)
    gates = _mixture_of_experts_identity_fwd_1(logits, _t2)
    _t4 = _linear_heads(x, expert_w1)
    _t5 = cp.expand_dims(expert_b1, -2)
    _t6, hidden = _mixture_of_experts_identity_fwd_2(_t4, _t5)
    _t7 = cp.swapaxes(expert_w2, -1, -2)
    _t8 = _cupy_bmm(hidden, _t7)
    _t9 = cp.expand_dims(expert_b2, -2)
    outs = _mixture_of_experts_identity_fwd_3(_t8, _t9)
    _t10 = cp.swapaxes(gates, -1, -2)
    _t11 = cp.expand_dims(_t10, -1)
    _t12 = _mixture_of_experts_identity_fwd_4(outs, _t11)
    _t13 = _cupy_sum(_t12, -3)
    z = cp.squeeze(_t13, axis=-3)
    y = _mixture_of_experts_relu_fwd_5(z)
    return y, (
        x,
        router_weight,
        expert_w1,
        expert_b1,
        expert_b2,
        gates,
        _t6,
        _t7,
        _t8,
        _t13,
        z,
    )


# mixture_of_experts_relu_bwd_2: layers_spec/primitives.yaml:252
_mixture_of_experts_relu_bwd_2 = ElementwiseKernel(
    "mixture_of_experts_relu_bwd_2",
    "T z, T grad_y",
    "T grad_z",
    """
    bool _t14 = z > T(0);
    grad_z = grad_y * _t14;
    """,
)


# mixture_of_experts_relu_bwd_3: layers_spec/primitives.yaml:61,62; layers_spec/layers/mixture_of_experts.yaml:34
_mixture_of_experts_relu_bwd_3 = RowBlockKernel(
    "mixture_of_experts_relu_bwd_3",
    "row T _t17, per_row T _t11, row T outs",
    "row T grad_outs, per_row T _t20",
    """
    T _c__t17[LF_REGISTERS];
    T _t20 = T(0);
    LF_ROW_LOOP(
        const T _t17 = _at.fill(_c__t17, _row__t17, _j);
        const T outs = _row_outs[_j];
        const T _t19 = _t17 * outs;
        _t20 = _Sum()(_t20, _t19);
    )
    _t20 = _row_reduce(_t20, _Sum());
    LF_ROW_LOOP(
        const T _t17 = _at.get(_c__t17, _row__t17, _j);
        const T grad_outs = _t17 * _t11;
        _row_grad_outs[_j] = grad_outs;
    )
    """,
)


# mixture_of_experts_relu_bwd_4: layers_spec/primitives.yaml:252
_mixture_of_experts_relu_bwd_4 = ElementwiseKernel(
    "mixture_of_experts_relu_bwd_4",
    "T _t6, T grad_hidden",
    "T _t31",
    """
    bool _t30 = _t6 > T(0);
    _t31 = grad_hidden * _t30;
    """,
)


# mixture_of_experts_relu_bwd_5: layers_spec/primitives.yaml:2973
_mixture_of_experts_relu_bwd_5 = RowBlockKernel(
    "mixture_of_experts_relu_bwd_5",
    "row T grad_gates, row T gates",
    "row T grad_logits",
    """
    T _c_grad_gates[LF_REGISTERS];
    T _c_gates[LF_REGISTERS];
    T _t40 = T(0);
    LF_ROW_LOOP(
        const T grad_gates = _at.fill(_c_grad_gates, _row_grad_gates, _j);
        const T gates = _at.fill(_c_gates, _row_gates, _j);
        _t40 = _Sum()(_t40, grad_gates * gates);
    )
    _t40 = _row_reduce(_t40, _Sum());
    LF_ROW_LOOP(
        const T grad_gates = _at.get(_c_grad_gates, _row_grad_gates, _j);
        const T gates = _at.get(_c_gates, _row_gates, _j);
        const T _t41 = grad_gates - _t40;
        const T grad_logits = gates * _t41;
        _row_grad_logits[_j] = grad_logits;
    )
    """,
)


# mixture_of_experts_relu_bwd_6: layers_spec/primitives.yaml:522
_mixture_of_experts_relu_bwd_6 = ElementwiseKernel(
    "mixture_of_experts_relu_bwd_6",
    "T _t36, T _t44",
    "T grad_x",
    """
    grad_x = _t36 + _t44;
    """,
)


def _cupy_backward_relu(
    grad_y,
    x,
    router_weight,
    expert_w1,
    expert_b1,
    expert_b2,
    gates,
    _t6,
    _t7,
    _t8,
    _t13,
    z,
):
    import cupy as cp

    hidden = _mixture_of_experts_identity_bwd_0(_t6)
    _t9 = cp.expand_dims(expert_b2, -2)
    outs = _mixture_of_experts_identity_fwd_3(_t8, _t9)
    _t10 = cp.swapaxes(gates, -1, -2)
    _t11 = cp.expand_dims(_t10, -1)
    grad_z = _mixture_of_experts_relu_bwd_2(z, grad_y)
    _t16 = grad_z.reshape(_t13.shape)
    _t17 = cp.broadcast_to(_t16, _t8.shape)
    grad_outs, _t20 = _mixture_of_experts_relu_bwd_3(_t17, _t11, outs)
    _t21 = _t20.reshape(_t10.shape)
    grad_gates = cp.swapaxes(_t21, -1, -2)
    _t23 = cp.sum(grad_outs, axis=-2, keepdims=True)
    grad_expert_b2 = _t23.reshape(expert_b2.shape)
    _t25 = cp.swapaxes(_t7, -1, -2)
    grad_hidden = _cupy_bmm(grad_outs, _t25)
    _t27 = cp.swapaxes(hidden, -1, -2)
    _t28 = _cupy_bmm(_t27, grad_outs)
    grad_expert_w2 = cp.swapaxes(_t28, -1, -2)
    _t31 = _mixture_of_experts_relu_bwd_4(_t6, grad_hidden)
    _t32 = cp.sum(_t31, axis=-2, keepdims=True)
    grad_expert_b1 = _t32.reshape(expert_b1.shape)
    _t34 = expert_w1.shape[0]
    _t35 = _merge_heads(_t31, _t34)
    _t36 = _linear_heads_input_grad(_t35, expert_w1)
    _t37 = expert_w1.shape[0]
    _t38 = _merge_heads(_t31, _t37)
    grad_expert_w1 = _linear_heads_weight_grad(_t38, x, expert_w1)
    grad_logits = _mixture_of_experts_relu_bwd_5(grad_gates, gates)
    grad_router_bias = cp.sum(grad_logits, axis=0)
    _t44 = _linear_backward_input(grad_logits, router_weight)
    grad_router_weight = _rows(grad_logits).T @ _rows(x)
    grad_x = _mixture_of_experts_relu_bwd_6(_t36, _t44)
    return (
        grad_x,
        grad_router_weight,
        grad_router_bias,
        grad_expert_w1,
        grad_expert_b1,
        grad_expert_w2,
        grad_expert_b2,
    )


# mixture_of_experts_load_balancing_loss_1: layers_spec/layers/mixture_of_experts.yaml:53
_mixture_of_experts_load_balancing_loss_1 = RowKernel(
    "mixture_of_experts_load_balancing_loss_1",
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


# mixture_of_experts_load_balancing_loss_2: layers_spec/layers/mixture_of_experts.yaml:54
_mixture_of_experts_load_balancing_loss_2 = ElementwiseKernel(
    "mixture_of_experts_load_balancing_loss_2",
    "bool _t2, T _t1",
    "T routed",
    """
    bool _t3 = !_t2;
    routed = _t3;
    """,
)


# mixture_of_experts_load_balancing_loss_3: layers_spec/layers/mixture_of_experts.yaml:58
_mixture_of_experts_load_balancing_loss_3 = ElementwiseKernel(
    "mixture_of_experts_load_balancing_loss_3",
    "T fraction, T _t4",
    "T _t5",
    """
    _t5 = fraction * _t4;
    """,
)


# mixture_of_experts_load_balancing_loss_4: layers_spec/layers/mixture_of_experts.yaml:59
_mixture_of_experts_load_balancing_loss_4 = ElementwiseKernel(
    "mixture_of_experts_load_balancing_loss_4",
    "T fraction, T _t7",
    "T weight_of",
    """
    weight_of = fraction * _t7;
    """,
    scalars=("_t7",),
)


# mixture_of_experts_load_balancing_loss_5: layers_spec/layers/mixture_of_experts.yaml:60
_mixture_of_experts_load_balancing_loss_5 = ReductionKernel(
    "mixture_of_experts_load_balancing_loss_5",
    "T X0, T X1",
    map_expr="mixture_of_experts_load_balancing_loss_5_map(X0, X1)",
    reduce_expr="a + b",
    identity="0",
    preamble="""
    template <typename T>
    __device__ T mixture_of_experts_load_balancing_loss_5_map(const T weight_of, const T probs) {
        T _t8 = weight_of * probs;
        return _t8;
    }
    """,
)


# mixture_of_experts_load_balancing_loss_6: layers_spec/layers/mixture_of_experts.yaml:60
_mixture_of_experts_load_balancing_loss_6 = ElementwiseKernel(
    "mixture_of_experts_load_balancing_loss_6",
    "T weight_of, T _t9, T probs",
    "T d_logits",
    """
    T _t10 = weight_of - _t9;
    d_logits = probs * _t10;
    """,
)


def _cupy_entry_load_balancing_loss(x, router_weight, router_bias):
    import cupy as cp

    _t1 = _linear(x, router_weight)
    logits = _mixture_of_experts_identity_fwd_0(_t1, router_bias)
    probs = _mixture_of_experts_load_balancing_loss_1(logits)
    _t2 = _cupy_outside_top_k(logits, 1)
    experts = router_weight.shape[0]
    rows = x.shape[0]
    routed = _mixture_of_experts_load_balancing_loss_2(_t2, _t1)
    fraction = _cupy_mean(routed, 0)
    _t4 = _cupy_mean(probs, 0)
    _t5 = _mixture_of_experts_load_balancing_loss_3(fraction, _t4)
    _t6 = cp.sum(_t5)
    loss = _t6 * experts
    _t7 = experts / rows
    weight_of = _mixture_of_experts_load_balancing_loss_4(fraction, _t7)
    _t9 = _mixture_of_experts_load_balancing_loss_5(weight_of, probs)
    d_logits = _mixture_of_experts_load_balancing_loss_6(weight_of, _t9, probs)
    _t11 = _cupy_sum(d_logits, 0)
    d_router_bias = cp.squeeze(_t11, axis=0)
    _t12 = d_logits.T
    d_router_weight = _t12 @ x
    dx = d_logits @ router_weight
    return loss, dx, d_router_weight, d_router_bias


def _cupy_backward_composed(grad_y, module, activation_ctx, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return _cupy_backward_identity(grad_linear, *linear_saved)


_CUPY_FUSED = {
    "identity": (_cupy_forward_identity, _cupy_backward_identity),
    "relu": (_cupy_forward_relu, _cupy_backward_relu),
}


def _cupy_bmm(a, b):
    """a [..., M, K] @ b [..., K, N]. Stacks of equal leading shape are shared out over
    the threads (set_num_threads) by their first axis, each product with one BLAS
    thread: attention's many small per-head products run several times faster so than
    with BLAS's own threads (which spin and contend for the cores); others are np.matmul.
    """
    import cupy as cp

    if a.ndim < 3 or a.shape[:-2] != b.shape[:-2]:
        return cp.matmul(a, b)
    out = cp.empty(a.shape[:-1] + b.shape[-1:], dtype=a.dtype)

    def products(first, last):
        cp.matmul(a[first:last], b[first:last], out=out[first:last])

    in_chunks(products, a.shape[0], a)
    return out


def _cupy_mean(x, axis):
    """The mean along ``axis``, kept as a length-1 axis; along the last axis of a float
    array a matrix-vector product with 1 / n (BLAS), as in _sum."""
    import cupy as cp

    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        return cp.matmul(x, cp.full(x.shape[-1], 1 / x.shape[-1], x.dtype))[..., None]
    return cp.mean(x, axis=axis, keepdims=True)


def _cupy_outside_top_k(x, k):
    """A bool mask, True where x is not among the k largest of its last axis (ties at
    the k-th value resolved by np.argpartition's order); all False when k is 0 or
    covers the axis."""
    import cupy as cp

    n = x.shape[-1]
    if k == 0 or k >= n:
        return cp.zeros(x.shape, dtype=bool)
    kept = cp.argpartition(x, n - k, axis=-1)[..., n - k :]
    return ~cp.any(kept[..., :, None] == cp.arange(n), axis=-2)


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
