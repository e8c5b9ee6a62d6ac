"""SynapticPlasticity: Spike-timing-dependent plasticity over N units: forward and backward
are the identity (y = x; the default mode), the card's eager layer, or with mode linear
y = x W^T and the true gradient dx = dy W (the weights acting, for users who expect them
to). W [N, N] is a buffer that no gradient trains: the separate entry point stdp_update
applies the STDP rule (not a gradient) to the traces and weights and returns the new
ones.
Generated from layers_spec/layers/synaptic_plasticity.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, check_attribute
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward", "stdp_update"]

INPUTS = ("x",)
PARAMETERS = ()
BUFFERS = ("W",)
OUTPUTS = ("y",)
ENTRY_POINTS = ("stdp_update",)


def forward(
    x,
    W,
    *,
    mode="identity",
    ltp_rate=0.005,
    ltd_rate=0.0025,
    homeostasis_rate=0.0001,
    w_min=0.0,
    w_max=1.0,
    trace_decay=0.95,
):
    """SynapticPlasticity forward pass.

    Spike-timing-dependent plasticity over N units: forward and backward are the
    identity (y = x; the default mode), the card's eager layer, or with mode linear y =
    x W^T and the true gradient dx = dy W (the weights acting, for users who expect them
    to). W [N, N] is a buffer that no gradient trains: the separate entry point
    stdp_update applies the STDP rule (not a gradient) to the traces and weights and
    returns the new ones.

    Args:
        x: float32 or float64 input of shape [..., N]. Activity of the N units (a spike
            where above 0.5).
        W: float32 or float64 buffer of shape [N, N]. The synaptic weights, W[i, j] from
            unit i to unit j in the rule.
        mode: str, default 'identity'. identity: y = x; linear: y = x W^T.
        ltp_rate: float, default 0.005. Long-term potentiation rate.
        ltd_rate: float, default 0.0025. Long-term depression rate.
        homeostasis_rate: float, default 0.0001. The pull of every weight towards 0.5.
        w_min: float, default 0.0. The smallest weight.
        w_max: float, default 1.0. The largest weight.
        trace_decay: float, default 0.95. The factor of the traces at each update.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "synaptic_plasticity", {"x": x, "W": W}, {"x": ("...", "N"), "W": ("N", "N")}
    )
    check_attribute(
        "synaptic_plasticity", "mode", mode, "str", choices=("identity", "linear")
    )
    check_attribute("synaptic_plasticity", "ltp_rate", ltp_rate, "float", minimum=0.0)
    check_attribute("synaptic_plasticity", "ltd_rate", ltd_rate, "float", minimum=0.0)
    check_attribute(
        "synaptic_plasticity",
        "homeostasis_rate",
        homeostasis_rate,
        "float",
        minimum=0.0,
    )
    check_attribute("synaptic_plasticity", "w_min", w_min, "float")
    check_attribute("synaptic_plasticity", "w_max", w_max, "float")
    check_attribute(
        "synaptic_plasticity",
        "trace_decay",
        trace_decay,
        "float",
        minimum=0.0,
        maximum=1.0,
    )
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[mode]
        y, saved = forward_variant(x, W)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    forward_variant, backward_variant = _VARIANTS[mode]
    y, saved = forward_variant(x, W)
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """SynapticPlasticity backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.

    Gradients are writable, and no copy is made: grad_x may be grad_y itself or a view
    of it. Copy one before updating it in place if the others must not change.
    """
    backward_variant, saved = check_context(
        "synaptic_plasticity", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def stdp_update(
    x,
    y,
    W,
    pre_trace,
    post_trace,
    *,
    ltp_rate=0.005,
    ltd_rate=0.0025,
    homeostasis_rate=0.0001,
    w_min=0.0,
    w_max=1.0,
    trace_decay=0.95,
    lr=1.0,
):
    """SynapticPlasticity stdp_update: an entry point beside forward and backward.

    One STDP update, not a gradient: the traces decay (times trace_decay) and are set to
    1 where the unit spikes (x_i > 0.5 before, y_j > 0.5 after); then for i != j, W_ij
    += lr (ltp_rate post_j (w_max - W_ij) [pre spike i] - ltd_rate pre_i (W_ij - w_min)
    [post spike j] - homeostasis_rate (W_ij - 0.5)), clipped to [w_min, w_max]; the
    diagonal is left as it is. Returns (W', pre_trace', post_trace').

    Args:
        x: float32 or float64 array of shape [N]. The pre-synaptic activity.
        y: float32 or float64 array of shape [N]. The post-synaptic activity.
        W: float32 or float64 array of shape [N, N] (the layer's). The synaptic weights,
            W[i, j] from unit i to unit j in the rule.
        pre_trace: float32 or float64 array of shape [N]. The pre-synaptic traces.
        post_trace: float32 or float64 array of shape [N]. The post-synaptic traces.
        ltp_rate: float, default 0.005. Long-term potentiation rate.
        ltd_rate: float, default 0.0025. Long-term depression rate.
        homeostasis_rate: float, default 0.0001. The pull of every weight towards 0.5.
        w_min: float, default 0.0. The smallest weight.
        w_max: float, default 1.0. The largest weight.
        trace_decay: float, default 0.95. The factor of the traces at each update.
        lr: float, default 1.0. The learning rate of the update.

    Returns:
        (new_W, new_pre_trace, new_post_trace): new arrays; no argument is changed.
            There is no backward: this is not a gradient.
    """
    check_arrays(
        "synaptic_plasticity.stdp_update",
        {"x": x, "y": y, "W": W, "pre_trace": pre_trace, "post_trace": post_trace},
        {
            "x": ("N",),
            "y": ("N",),
            "W": ("N", "N"),
            "pre_trace": ("N",),
            "post_trace": ("N",),
        },
    )
    check_attribute(
        "synaptic_plasticity.stdp_update", "ltp_rate", ltp_rate, "float", minimum=0.0
    )
    check_attribute(
        "synaptic_plasticity.stdp_update", "ltd_rate", ltd_rate, "float", minimum=0.0
    )
    check_attribute(
        "synaptic_plasticity.stdp_update",
        "homeostasis_rate",
        homeostasis_rate,
        "float",
        minimum=0.0,
    )
    check_attribute("synaptic_plasticity.stdp_update", "w_min", w_min, "float")
    check_attribute("synaptic_plasticity.stdp_update", "w_max", w_max, "float")
    check_attribute(
        "synaptic_plasticity.stdp_update",
        "trace_decay",
        trace_decay,
        "float",
        minimum=0.0,
        maximum=1.0,
    )
    check_attribute("synaptic_plasticity.stdp_update", "lr", lr, "float", minimum=0.0)
    if on_gpu(x):
        return _cupy_entry_stdp_update(
            x,
            y,
            W,
            pre_trace,
            post_trace,
            ltp_rate,
            ltd_rate,
            homeostasis_rate,
            w_min,
            w_max,
            trace_decay,
            lr,
        )
    return _entry_stdp_update(
        x,
        y,
        W,
        pre_trace,
        post_trace,
        ltp_rate,
        ltd_rate,
        homeostasis_rate,
        w_min,
        w_max,
        trace_decay,
        lr,
    )


def _forward_identity(x, W):
    return x, ()


def _backward_identity(grad_y):
    return grad_y


def _forward_linear(x, W):
    y = _linear(x, W)
    return y, (W,)


def _backward_linear(grad_y, W):
    grad_x = _linear_backward_input(grad_y, W)
    return grad_x


def _entry_stdp_update(
    x,
    y,
    W,
    pre_trace,
    post_trace,
    ltp_rate,
    ltd_rate,
    homeostasis_rate,
    w_min,
    w_max,
    trace_decay,
    lr,
):
    pre_spike = x > 0.5
    post_spike = y > 0.5
    new_pre_trace = np.where(pre_spike, 1.0, pre_trace * trace_decay)
    new_post_trace = np.where(post_spike, 1.0, post_trace * trace_decay)
    potentiation = np.where(
        np.expand_dims(x, -1) > 0.5,
        ltp_rate * np.expand_dims(new_post_trace, -2) * (w_max - W),
        0.0,
    )
    depression = np.where(
        np.expand_dims(y, -2) > 0.5,
        ltd_rate * np.expand_dims(new_pre_trace, -1) * (W - w_min),
        0.0,
    )
    updated = np.subtract(potentiation, depression, out=potentiation)
    _t1 = W - 0.5
    _t1 *= homeostasis_rate
    updated -= _t1
    updated *= lr
    updated += W
    np.clip(updated, w_min, w_max, out=updated)
    new_W = np.where(_diagonal(W), W, updated)
    return new_W, new_pre_trace, new_post_trace


_VARIANTS = {
    "identity": (_forward_identity, _backward_identity),
    "linear": (_forward_linear, _backward_linear),
}


def _diagonal(like):
    """A bool array of like's shape, True where the row index equals the column index."""
    return np.broadcast_to(
        np.eye(like.shape[-2], like.shape[-1], dtype=bool), like.shape
    ).copy()


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


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward_identity(x, W):
    return x, ()


def _cupy_backward_identity(grad_y):
    return grad_y


def _cupy_forward_linear(x, W):
    y = _linear(x, W)
    return y, (W,)


def _cupy_backward_linear(grad_y, W):
    grad_x = _linear_backward_input(grad_y, W)
    return grad_x


# synaptic_plasticity_stdp_update_0: layers_spec/layers/synaptic_plasticity.yaml:45,46,47,48
_synaptic_plasticity_stdp_update_0 = ElementwiseKernel(
    "synaptic_plasticity_stdp_update_0",
    "T x, T y, T pre_trace, T trace_decay, T post_trace",
    "T new_pre_trace, T new_post_trace",
    """
    bool pre_spike = x > T(0.5);
    bool post_spike = y > T(0.5);
    T _t1 = pre_trace * trace_decay;
    new_pre_trace = pre_spike ? T(1.0) : _t1;
    T _t2 = post_trace * trace_decay;
    new_post_trace = post_spike ? T(1.0) : _t2;
    """,
    scalars=("trace_decay",),
)


# synaptic_plasticity_stdp_update_1: layers_spec/layers/synaptic_plasticity.yaml:49
_synaptic_plasticity_stdp_update_1 = ElementwiseKernel(
    "synaptic_plasticity_stdp_update_1",
    "T _t3",
    "bool _t4",
    """
    _t4 = _t3 > T(0.5);
    """,
)


# synaptic_plasticity_stdp_update_2: layers_spec/layers/synaptic_plasticity.yaml:49
_synaptic_plasticity_stdp_update_2 = ElementwiseKernel(
    "synaptic_plasticity_stdp_update_2",
    "T ltp_rate, T _t5",
    "T _t6",
    """
    _t6 = ltp_rate * _t5;
    """,
    scalars=("ltp_rate",),
)


# synaptic_plasticity_stdp_update_3: layers_spec/layers/synaptic_plasticity.yaml:49
_synaptic_plasticity_stdp_update_3 = ElementwiseKernel(
    "synaptic_plasticity_stdp_update_3",
    "T w_max, T W, T _t6, bool _t4",
    "T potentiation",
    """
    T _t7 = w_max - W;
    T _t8 = _t6 * _t7;
    potentiation = _t4 ? _t8 : T(0.0);
    """,
    scalars=("w_max",),
)


# synaptic_plasticity_stdp_update_4: layers_spec/layers/synaptic_plasticity.yaml:50
_synaptic_plasticity_stdp_update_4 = ElementwiseKernel(
    "synaptic_plasticity_stdp_update_4",
    "T _t9",
    "bool _t10",
    """
    _t10 = _t9 > T(0.5);
    """,
)


# synaptic_plasticity_stdp_update_5: layers_spec/layers/synaptic_plasticity.yaml:50
_synaptic_plasticity_stdp_update_5 = ElementwiseKernel(
    "synaptic_plasticity_stdp_update_5",
    "T ltd_rate, T _t11",
    "T _t12",
    """
    _t12 = ltd_rate * _t11;
    """,
    scalars=("ltd_rate",),
)


# synaptic_plasticity_stdp_update_6: layers_spec/layers/synaptic_plasticity.yaml:50,51
_synaptic_plasticity_stdp_update_6 = ElementwiseKernel(
    "synaptic_plasticity_stdp_update_6",
    "T W, T w_min, T _t12, bool _t10, T potentiation, T homeostasis_rate, T lr, T w_max",
    "T updated",
    """
    T _t13 = W - w_min;
    T _t14 = _t12 * _t13;
    T depression = _t10 ? _t14 : T(0.0);
    T _t15 = potentiation - depression;
    T _t16 = W - T(0.5);
    T _t17 = homeostasis_rate * _t16;
    T _t18 = _t15 - _t17;
    T _t19 = lr * _t18;
    T _t20 = W + _t19;
    updated = _t20 < w_min ? (w_min > w_max ? w_max : w_min) : _t20 > w_max ? w_max : _t20;
    """,
    scalars=("w_min", "homeostasis_rate", "lr", "w_max"),
)


# synaptic_plasticity_stdp_update_7: layers_spec/layers/synaptic_plasticity.yaml:52
_synaptic_plasticity_stdp_update_7 = ElementwiseKernel(
    "synaptic_plasticity_stdp_update_7",
    "bool _t21, T W, T updated",
    "T new_W",
    """
    new_W = _t21 ? W : updated;
    """,
)


def _cupy_entry_stdp_update(
    x,
    y,
    W,
    pre_trace,
    post_trace,
    ltp_rate,
    ltd_rate,
    homeostasis_rate,
    w_min,
    w_max,
    trace_decay,
    lr,
):
    import cupy as cp

    new_pre_trace, new_post_trace = _synaptic_plasticity_stdp_update_0(
        x, y, pre_trace, trace_decay, post_trace
    )
    _t3 = cp.expand_dims(x, -1)
    _t4 = _synaptic_plasticity_stdp_update_1(_t3)
    _t5 = cp.expand_dims(new_post_trace, -2)
    _t6 = _synaptic_plasticity_stdp_update_2(ltp_rate, _t5)
    potentiation = _synaptic_plasticity_stdp_update_3(w_max, W, _t6, _t4)
    _t9 = cp.expand_dims(y, -2)
    _t10 = _synaptic_plasticity_stdp_update_4(_t9)
    _t11 = cp.expand_dims(new_pre_trace, -1)
    _t12 = _synaptic_plasticity_stdp_update_5(ltd_rate, _t11)
    updated = _synaptic_plasticity_stdp_update_6(
        W, w_min, _t12, _t10, potentiation, homeostasis_rate, lr, w_max
    )
    _t21 = _cupy_diagonal(W)
    new_W = _synaptic_plasticity_stdp_update_7(_t21, W, updated)
    return new_W, new_pre_trace, new_post_trace


_CUPY_VARIANTS = {
    "identity": (_cupy_forward_identity, _cupy_backward_identity),
    "linear": (_cupy_forward_linear, _cupy_backward_linear),
}


def _cupy_diagonal(like):
    """A bool array of like's shape, True where the row index equals the column index."""
    import cupy as cp

    return cp.broadcast_to(
        cp.eye(like.shape[-2], like.shape[-1], dtype=bool), like.shape
    ).copy()
