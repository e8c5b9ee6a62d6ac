"""Spiking: Leaky integrate-and-fire neurons over a sequence with backpropagation through
time, as snnTorch's Leaky after a linear layer: the current I_t = x_t @ weight.T + bias,
the membrane v_t = beta v_(t-1) + I_t - threshold s_(t-1) (subtractive reset, the reset
term taking no gradient, as snnTorch's default) and the spikes s_t = H(v_t - threshold),
whose derivative is a surrogate: atan (snnTorch's default, alpha / 2 / (1 + (pi / 2
alpha u)^2)), sigmoid (slope sigmoid'(slope u)) or triangle (max(1 - |u| / width, 0)). x
is [B, T, input_size] (batch first; time first with batch_first=False); returns the
spikes [B, T, output_size] and the last membrane potential v_n. beta = 1 - 1 / tau
unless given; v0 may be None (zeros).
Generated from layers_spec/layers/spiking.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_nonempty,
    check_steps,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x", "v0")
PARAMETERS = ("weight", "bias")
OUTPUTS = ("spikes", "v_n")
SEQUENCES = ("x",)
STACKED = ("spikes",)
BATCH_FIRST = "batch_first"


def forward(
    x,
    weight,
    bias,
    v0=None,
    *,
    tau=10.0,
    beta=None,
    threshold=1.0,
    surrogate="atan",
    alpha=2.0,
    slope=25.0,
    width=1.0,
    batch_first=True,
):
    """Spiking forward pass.

    Leaky integrate-and-fire neurons over a sequence with backpropagation through time,
    as snnTorch's Leaky after a linear layer: the current I_t = x_t @ weight.T + bias,
    the membrane v_t = beta v_(t-1) + I_t - threshold s_(t-1) (subtractive reset, the
    reset term taking no gradient, as snnTorch's default) and the spikes s_t = H(v_t -
    threshold), whose derivative is a surrogate: atan (snnTorch's default, alpha / 2 /
    (1 + (pi / 2 alpha u)^2)), sigmoid (slope sigmoid'(slope u)) or triangle (max(1 -
    |u| / width, 0)). x is [B, T, input_size] (batch first; time first with
    batch_first=False); returns the spikes [B, T, output_size] and the last membrane
    potential v_n. beta = 1 - 1 / tau unless given; v0 may be None (zeros).

    Args:
        x: float32 or float64 input of shape [T, B, input_size]. The input sequence [B,
            T, input_size] (batch_first, the default) or [T, B, input_size].
        weight: float32 or float64 parameter of shape [output_size, input_size]. The
            input weights, as torch.nn.Linear's.
        bias: float32 or float64 parameter of shape [output_size].
        v0: float32 or float64 input of shape [B, output_size], None to leave it out.
            The initial membrane potential; None for zeros.
        tau: float, default 10.0. The membrane time constant in steps: beta = 1 - 1 /
            tau.
        beta: float, default None. The decay of the membrane per step (snnTorch's beta);
            None: 1 - 1 / tau.
        threshold: float, default 1.0. The firing threshold.
        surrogate: str, default 'atan'. The derivative that backward gives the spike.
        alpha: float, default 2.0. The atan surrogate's alpha (snnTorch's default 2).
        slope: float, default 25.0. The sigmoid surrogate's slope (snnTorch's default
            25).
        width: float, default 1.0. The triangle surrogate's half-width (its height is
            1).
        batch_first: bool, default True. x and spikes are [B, T, ...] (false: [T, B,
            ...]).

    Returns:
        ((spikes, v_n), ctx): the outputs and the context that backward needs.
    """
    check_arrays(
        "spiking",
        {"x": x, "weight": weight, "bias": bias, "v0": v0},
        {
            "x": ("B", "T", "input_size") if batch_first else ("T", "B", "input_size"),
            "weight": ("output_size", "input_size"),
            "bias": ("output_size",),
            "v0": ("B", "output_size"),
        },
        optional=("v0",),
    )
    check_attribute("spiking", "tau", tau, "float", minimum=1.0)
    if beta is None:
        beta = 1 - 1 / tau
    if beta is not None:
        check_attribute("spiking", "beta", beta, "float", minimum=0.0, maximum=1.0)
    check_attribute("spiking", "threshold", threshold, "float")
    check_attribute(
        "spiking",
        "surrogate",
        surrogate,
        "str",
        choices=("atan", "sigmoid", "triangle"),
    )
    check_attribute("spiking", "alpha", alpha, "float", minimum=0.0)
    check_attribute("spiking", "slope", slope, "float", minimum=0.0)
    check_attribute("spiking", "width", width, "float", minimum=0.0)
    check_attribute("spiking", "batch_first", batch_first, "bool")
    check_steps("spiking", "x", x.shape, 1 if batch_first else 0)
    check_nonempty("spiking", "x", x.shape, -1)
    check_nonempty("spiking", "weight", weight.shape, 0)
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[
            (surrogate, batch_first, v0 is not None)
        ]
        spikes, v_n, saved = forward_variant(
            x, weight, bias, v0, beta, threshold, alpha, slope, width
        )
        return (spikes, v_n), (
            backward_variant,
            saved,
            (spikes.dtype, spikes.shape, v_n.shape),
            None,
        )
    forward_variant, backward_variant = _VARIANTS[
        (surrogate, batch_first, v0 is not None)
    ]
    spikes, v_n, saved = forward_variant(
        x, weight, bias, v0, beta, threshold, alpha, slope, width
    )
    return (spikes, v_n), (
        backward_variant,
        saved,
        (spikes.dtype, spikes.shape, v_n.shape),
        None,
    )


def backward(grad_spikes, grad_v_n, ctx):
    """Spiking backward pass.

    Args:
        grad_spikes, grad_v_n: gradient of the loss with respect to spikes, v_n.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias, grad_v0: gradients with respect to x, weight,
            bias, v0, in that order.
    """
    backward_variant, saved = check_context(
        "spiking", __name__, ctx, {"grad_spikes": grad_spikes, "grad_v_n": grad_v_n}
    )
    return backward_variant(grad_spikes, grad_v_n, *saved)


def _forward_atan_batch_first(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _forward_atan_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, alpha
        )
        if t == 0:
            spikes = np.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes.swapaxes(0, 1), v, (hoisted_saved, spikes, saved_7_steps, beta, alpha)


def _backward_atan_batch_first(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, alpha
):
    grad_spikes = grad_spikes.swapaxes(0, 1)  # time first
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _backward_atan_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, alpha, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = np.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_v0 = grad_next_v
    return grad_x, grad_weight, grad_bias, grad_v0


def _forward_atan_no_batch_first_hoisted(x, weight):
    hoisted_1 = _linear(x, weight)
    return hoisted_1, (x, weight)


def _forward_atan_no_batch_first_step(
    v, hoisted_1, bias, beta, threshold=1.0, alpha=2.0
):
    current = hoisted_1 + bias
    v_next = beta * v + current - threshold * (v > threshold).astype(v.dtype)
    _t1 = np.subtract(v_next, threshold, out=current)
    fired = (_t1 > 0).astype(_t1.dtype)
    return v_next, fired, _t1


def _backward_atan_no_batch_first_step(grad_next_v, grad_spikes, beta, alpha, _t1):
    _t2 = 1.5707963267948966 * alpha * _t1
    grad_v_next = grad_spikes * (0.5 * alpha)
    _t3 = _t2 * _t2
    _t3 += 1
    grad_v_next /= _t3
    grad_v_next += grad_next_v
    grad_v = np.multiply(grad_v_next, beta, out=_t2)
    return grad_v, grad_v_next


def _backward_atan_no_batch_first_deferred(grad_v_next):
    grad_bias = _sum_leading(grad_v_next, 1)
    return grad_bias


def _backward_atan_no_batch_first_hoisted(grad_hoisted_1, x, weight):
    grad_x = _linear_backward_input(grad_hoisted_1, weight)
    grad_weight = _rows(grad_hoisted_1).T @ _rows(x)
    return grad_x, grad_weight


def _forward_atan_batch_first_no_v0(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v0 = np.zeros((x.shape[1], weight.shape[0]), dtype=x.dtype)
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _forward_atan_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, alpha
        )
        if t == 0:
            spikes = np.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes.swapaxes(0, 1), v, (hoisted_saved, spikes, saved_7_steps, beta, alpha)


def _backward_atan_batch_first_no_v0(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, alpha
):
    grad_spikes = grad_spikes.swapaxes(0, 1)  # time first
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _backward_atan_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, alpha, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = np.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight, grad_bias, None


def _forward_atan_no_batch_first(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _forward_atan_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, alpha
        )
        if t == 0:
            spikes = np.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes, v, (hoisted_saved, spikes, saved_7_steps, beta, alpha)


def _backward_atan_no_batch_first(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, alpha
):
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _backward_atan_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, alpha, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = np.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_v0 = grad_next_v
    return grad_x, grad_weight, grad_bias, grad_v0


def _forward_atan_no_batch_first_no_v0(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v0 = np.zeros((x.shape[1], weight.shape[0]), dtype=x.dtype)
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _forward_atan_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, alpha
        )
        if t == 0:
            spikes = np.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes, v, (hoisted_saved, spikes, saved_7_steps, beta, alpha)


def _backward_atan_no_batch_first_no_v0(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, alpha
):
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _backward_atan_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, alpha, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = np.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight, grad_bias, None


def _forward_sigmoid_batch_first(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _forward_sigmoid_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, slope
        )
        if t == 0:
            spikes = np.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes.swapaxes(0, 1), v, (hoisted_saved, spikes, saved_7_steps, beta, slope)


def _backward_sigmoid_batch_first(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, slope
):
    grad_spikes = grad_spikes.swapaxes(0, 1)  # time first
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _backward_sigmoid_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, slope, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = np.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_v0 = grad_next_v
    return grad_x, grad_weight, grad_bias, grad_v0


def _forward_sigmoid_no_batch_first_step(
    v, hoisted_1, bias, beta, threshold=1.0, slope=25.0
):
    current = hoisted_1 + bias
    v_next = beta * v + current - threshold * (v > threshold).astype(v.dtype)
    _t1 = np.subtract(v_next, threshold, out=current)
    fired = (_t1 > 0).astype(_t1.dtype)
    return v_next, fired, _t1


def _backward_sigmoid_no_batch_first_step(grad_next_v, grad_spikes, beta, slope, _t1):
    _t2 = _sigmoid(slope * _t1)
    grad_v_next = 1 - _t2
    grad_v_next *= grad_spikes
    grad_v_next *= slope
    grad_v_next *= _t2
    grad_v_next += grad_next_v
    grad_v = np.multiply(grad_v_next, beta, out=_t2)
    return grad_v, grad_v_next


def _forward_sigmoid_batch_first_no_v0(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v0 = np.zeros((x.shape[1], weight.shape[0]), dtype=x.dtype)
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _forward_sigmoid_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, slope
        )
        if t == 0:
            spikes = np.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes.swapaxes(0, 1), v, (hoisted_saved, spikes, saved_7_steps, beta, slope)


def _backward_sigmoid_batch_first_no_v0(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, slope
):
    grad_spikes = grad_spikes.swapaxes(0, 1)  # time first
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _backward_sigmoid_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, slope, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = np.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight, grad_bias, None


def _forward_sigmoid_no_batch_first(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _forward_sigmoid_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, slope
        )
        if t == 0:
            spikes = np.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes, v, (hoisted_saved, spikes, saved_7_steps, beta, slope)


def _backward_sigmoid_no_batch_first(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, slope
):
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _backward_sigmoid_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, slope, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = np.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_v0 = grad_next_v
    return grad_x, grad_weight, grad_bias, grad_v0


def _forward_sigmoid_no_batch_first_no_v0(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v0 = np.zeros((x.shape[1], weight.shape[0]), dtype=x.dtype)
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _forward_sigmoid_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, slope
        )
        if t == 0:
            spikes = np.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes, v, (hoisted_saved, spikes, saved_7_steps, beta, slope)


def _backward_sigmoid_no_batch_first_no_v0(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, slope
):
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _backward_sigmoid_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, slope, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = np.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight, grad_bias, None


def _forward_triangle_batch_first(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _forward_triangle_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, width
        )
        if t == 0:
            spikes = np.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes.swapaxes(0, 1), v, (hoisted_saved, spikes, saved_7_steps, beta, width)


def _backward_triangle_batch_first(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, width
):
    grad_spikes = grad_spikes.swapaxes(0, 1)  # time first
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _backward_triangle_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, width, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = np.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_v0 = grad_next_v
    return grad_x, grad_weight, grad_bias, grad_v0


def _forward_triangle_no_batch_first_step(
    v, hoisted_1, bias, beta, threshold=1.0, width=1.0
):
    current = hoisted_1 + bias
    v_next = beta * v + current - threshold * (v >= threshold).astype(v.dtype)
    _t1 = np.subtract(v_next, threshold, out=current)
    fired = (_t1 >= 0).astype(_t1.dtype)
    return v_next, fired, _t1


def _backward_triangle_no_batch_first_step(grad_next_v, grad_spikes, beta, width, _t1):
    grad_v_next = np.abs(_t1)
    grad_v_next /= width
    np.subtract(1, grad_v_next, out=grad_v_next)
    np.clip(grad_v_next, 0, np.inf, out=grad_v_next)
    grad_v_next *= grad_spikes
    grad_v_next += grad_next_v
    grad_v = grad_v_next * beta
    return grad_v, grad_v_next


def _forward_triangle_batch_first_no_v0(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v0 = np.zeros((x.shape[1], weight.shape[0]), dtype=x.dtype)
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _forward_triangle_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, width
        )
        if t == 0:
            spikes = np.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes.swapaxes(0, 1), v, (hoisted_saved, spikes, saved_7_steps, beta, width)


def _backward_triangle_batch_first_no_v0(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, width
):
    grad_spikes = grad_spikes.swapaxes(0, 1)  # time first
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _backward_triangle_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, width, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = np.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight, grad_bias, None


def _forward_triangle_no_batch_first(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _forward_triangle_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, width
        )
        if t == 0:
            spikes = np.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes, v, (hoisted_saved, spikes, saved_7_steps, beta, width)


def _backward_triangle_no_batch_first(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, width
):
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _backward_triangle_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, width, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = np.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_v0 = grad_next_v
    return grad_x, grad_weight, grad_bias, grad_v0


def _forward_triangle_no_batch_first_no_v0(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v0 = np.zeros((x.shape[1], weight.shape[0]), dtype=x.dtype)
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _forward_triangle_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, width
        )
        if t == 0:
            spikes = np.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes, v, (hoisted_saved, spikes, saved_7_steps, beta, width)


def _backward_triangle_no_batch_first_no_v0(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, width
):
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _backward_triangle_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, width, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = np.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight, grad_bias, None


_VARIANTS = {
    ("atan", True, True): (_forward_atan_batch_first, _backward_atan_batch_first),
    ("atan", True, False): (
        _forward_atan_batch_first_no_v0,
        _backward_atan_batch_first_no_v0,
    ),
    ("atan", False, True): (
        _forward_atan_no_batch_first,
        _backward_atan_no_batch_first,
    ),
    ("atan", False, False): (
        _forward_atan_no_batch_first_no_v0,
        _backward_atan_no_batch_first_no_v0,
    ),
    ("sigmoid", True, True): (
        _forward_sigmoid_batch_first,
        _backward_sigmoid_batch_first,
    ),
    ("sigmoid", True, False): (
        _forward_sigmoid_batch_first_no_v0,
        _backward_sigmoid_batch_first_no_v0,
    ),
    ("sigmoid", False, True): (
        _forward_sigmoid_no_batch_first,
        _backward_sigmoid_no_batch_first,
    ),
    ("sigmoid", False, False): (
        _forward_sigmoid_no_batch_first_no_v0,
        _backward_sigmoid_no_batch_first_no_v0,
    ),
    ("triangle", True, True): (
        _forward_triangle_batch_first,
        _backward_triangle_batch_first,
    ),
    ("triangle", True, False): (
        _forward_triangle_batch_first_no_v0,
        _backward_triangle_batch_first_no_v0,
    ),
    ("triangle", False, True): (
        _forward_triangle_no_batch_first,
        _backward_triangle_no_batch_first,
    ),
    ("triangle", False, False): (
        _forward_triangle_no_batch_first_no_v0,
        _backward_triangle_no_batch_first_no_v0,
    ),
}


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


def _sum_leading(grad, rank):
    """``grad`` summed over its leading axes down to its last ``rank`` axes."""
    return _sum_to(grad, grad.shape[grad.ndim - rank :])


def _sum_to(grad, shape):
    """Sum ``grad`` over the axes along which an operand of ``shape`` was broadcast; over
    leading axes only (a bias gradient) as a vector-matrix product with ones (BLAS)."""
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes == tuple(range(lead)) and lead and grad.size and grad.dtype.kind == "f":
        rows = grad.reshape(-1, grad[(0,) * lead].size)
        return np.matmul(np.ones(rows.shape[0], grad.dtype), rows).reshape(shape)
    return np.sum(grad, axis=axes).reshape(shape) if axes else grad


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward_atan_batch_first(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _cupy_forward_atan_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, alpha
        )
        if t == 0:
            spikes = cp.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes.swapaxes(0, 1), v, (hoisted_saved, spikes, saved_7_steps, beta, alpha)


def _cupy_backward_atan_batch_first(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, alpha
):
    import cupy as cp

    grad_spikes = grad_spikes.swapaxes(0, 1)  # time first
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _cupy_backward_atan_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, alpha, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = cp.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _cupy_backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _cupy_backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_v0 = grad_next_v
    return grad_x, grad_weight, grad_bias, grad_v0


def _cupy_forward_atan_no_batch_first_hoisted(x, weight):
    hoisted_1 = _linear(x, weight)
    return hoisted_1, (x, weight)


# spiking_atan_no_batch_first_step_fwd_0: layers_spec/layers/spiking.yaml:37,35,38
_spiking_atan_no_batch_first_step_fwd_0 = ElementwiseKernel(
    "spiking_atan_no_batch_first_step_fwd_0",
    "T beta, T v, T hoisted_1, T bias, T threshold, T alpha",
    "T v_next, T _t7, T fired",
    """
    T _t2 = beta * v;
    T current = hoisted_1 + bias;
    T _t3 = _t2 + current;
    bool _t4 = v > threshold;
    T _t5 = _t4;
    T _t6 = threshold * _t5;
    v_next = _t3 - _t6;
    _t7 = v_next - threshold;
    fired = _t7 > 0;
    """,
    scalars=("beta", "threshold", "alpha"),
)


def _cupy_forward_atan_no_batch_first_step(v, hoisted_1, bias, beta, threshold, alpha):
    v_next, _t7, fired = _spiking_atan_no_batch_first_step_fwd_0(
        beta, v, hoisted_1, bias, threshold, alpha
    )
    return v_next, fired, _t7


# spiking_atan_no_batch_first_step_bwd_0: layers_spec/primitives.yaml:3586,62
_spiking_atan_no_batch_first_step_bwd_0 = ElementwiseKernel(
    "spiking_atan_no_batch_first_step_bwd_0",
    "T grad_spikes, T _t8, T _t10, T _t7, T _t12, T grad_next_v, T beta",
    "T grad_v_next, T grad_v",
    """
    T _t9 = grad_spikes * _t8;
    T _t11 = _t10 * _t7;
    T _t13 = _t12 * _t7;
    T _t14 = _t11 * _t13;
    T _t15 = T(1) + _t14;
    T _t16 = _t9 / _t15;
    grad_v_next = grad_next_v + _t16;
    grad_v = grad_v_next * beta;
    """,
    scalars=("_t8", "_t10", "_t12", "beta"),
)


def _cupy_backward_atan_no_batch_first_step(grad_next_v, grad_spikes, beta, alpha, _t7):
    _t8 = 0.5 * alpha
    _t10 = 1.5707963267948966 * alpha
    _t12 = 1.5707963267948966 * alpha
    grad_v_next, grad_v = _spiking_atan_no_batch_first_step_bwd_0(
        grad_spikes, _t8, _t10, _t7, _t12, grad_next_v, beta
    )
    return grad_v, grad_v_next


def _cupy_backward_atan_no_batch_first_deferred(grad_v_next):
    grad_bias = _cupy_sum_leading(grad_v_next, 1)
    return grad_bias


def _cupy_backward_atan_no_batch_first_hoisted(grad_hoisted_1, x, weight):
    grad_x = _linear_backward_input(grad_hoisted_1, weight)
    grad_weight = _rows(grad_hoisted_1).T @ _rows(x)
    return grad_x, grad_weight


def _cupy_forward_atan_batch_first_no_v0(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v0 = cp.zeros((x.shape[1], weight.shape[0]), dtype=x.dtype)
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _cupy_forward_atan_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, alpha
        )
        if t == 0:
            spikes = cp.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes.swapaxes(0, 1), v, (hoisted_saved, spikes, saved_7_steps, beta, alpha)


def _cupy_backward_atan_batch_first_no_v0(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, alpha
):
    import cupy as cp

    grad_spikes = grad_spikes.swapaxes(0, 1)  # time first
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _cupy_backward_atan_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, alpha, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = cp.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _cupy_backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _cupy_backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight, grad_bias, None


def _cupy_forward_atan_no_batch_first(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _cupy_forward_atan_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, alpha
        )
        if t == 0:
            spikes = cp.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes, v, (hoisted_saved, spikes, saved_7_steps, beta, alpha)


def _cupy_backward_atan_no_batch_first(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, alpha
):
    import cupy as cp

    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _cupy_backward_atan_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, alpha, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = cp.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _cupy_backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _cupy_backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_v0 = grad_next_v
    return grad_x, grad_weight, grad_bias, grad_v0


def _cupy_forward_atan_no_batch_first_no_v0(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v0 = cp.zeros((x.shape[1], weight.shape[0]), dtype=x.dtype)
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _cupy_forward_atan_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, alpha
        )
        if t == 0:
            spikes = cp.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes, v, (hoisted_saved, spikes, saved_7_steps, beta, alpha)


def _cupy_backward_atan_no_batch_first_no_v0(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, alpha
):
    import cupy as cp

    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _cupy_backward_atan_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, alpha, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = cp.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _cupy_backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _cupy_backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight, grad_bias, None


def _cupy_forward_sigmoid_batch_first(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _cupy_forward_sigmoid_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, slope
        )
        if t == 0:
            spikes = cp.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes.swapaxes(0, 1), v, (hoisted_saved, spikes, saved_7_steps, beta, slope)


def _cupy_backward_sigmoid_batch_first(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, slope
):
    import cupy as cp

    grad_spikes = grad_spikes.swapaxes(0, 1)  # time first
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _cupy_backward_sigmoid_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, slope, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = cp.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _cupy_backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _cupy_backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_v0 = grad_next_v
    return grad_x, grad_weight, grad_bias, grad_v0


# spiking_sigmoid_no_batch_first_step_fwd_0: layers_spec/layers/spiking.yaml:40,35,41
_spiking_sigmoid_no_batch_first_step_fwd_0 = ElementwiseKernel(
    "spiking_sigmoid_no_batch_first_step_fwd_0",
    "T beta, T v, T hoisted_1, T bias, T threshold, T slope",
    "T v_next, T _t7, T fired",
    """
    T _t2 = beta * v;
    T current = hoisted_1 + bias;
    T _t3 = _t2 + current;
    bool _t4 = v > threshold;
    T _t5 = _t4;
    T _t6 = threshold * _t5;
    v_next = _t3 - _t6;
    _t7 = v_next - threshold;
    fired = _t7 > 0;
    """,
    scalars=("beta", "threshold", "slope"),
)


def _cupy_forward_sigmoid_no_batch_first_step(
    v, hoisted_1, bias, beta, threshold, slope
):
    v_next, _t7, fired = _spiking_sigmoid_no_batch_first_step_fwd_0(
        beta, v, hoisted_1, bias, threshold, slope
    )
    return v_next, fired, _t7


# spiking_sigmoid_no_batch_first_step_bwd_0: layers_spec/primitives.yaml:3598,62
_spiking_sigmoid_no_batch_first_step_bwd_0 = ElementwiseKernel(
    "spiking_sigmoid_no_batch_first_step_bwd_0",
    "T grad_spikes, T slope, T _t7, T grad_next_v, T beta",
    "T grad_v_next, T grad_v",
    """
    T _t8 = grad_spikes * slope;
    T _t9 = slope * _t7;
    T _t10 = exp(_t9 < 0 ? _t9 : T(0)) / (1 + exp(-fabs(_t9)));
    T _t11 = _t8 * _t10;
    T _t12 = slope * _t7;
    T _t13 = exp(_t12 < 0 ? _t12 : T(0)) / (1 + exp(-fabs(_t12)));
    T _t14 = T(1) - _t13;
    T _t15 = _t11 * _t14;
    grad_v_next = grad_next_v + _t15;
    grad_v = grad_v_next * beta;
    """,
    scalars=("slope", "beta"),
)


def _cupy_backward_sigmoid_no_batch_first_step(
    grad_next_v, grad_spikes, beta, slope, _t7
):
    grad_v_next, grad_v = _spiking_sigmoid_no_batch_first_step_bwd_0(
        grad_spikes, slope, _t7, grad_next_v, beta
    )
    return grad_v, grad_v_next


def _cupy_forward_sigmoid_batch_first_no_v0(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v0 = cp.zeros((x.shape[1], weight.shape[0]), dtype=x.dtype)
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _cupy_forward_sigmoid_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, slope
        )
        if t == 0:
            spikes = cp.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes.swapaxes(0, 1), v, (hoisted_saved, spikes, saved_7_steps, beta, slope)


def _cupy_backward_sigmoid_batch_first_no_v0(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, slope
):
    import cupy as cp

    grad_spikes = grad_spikes.swapaxes(0, 1)  # time first
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _cupy_backward_sigmoid_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, slope, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = cp.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _cupy_backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _cupy_backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight, grad_bias, None


def _cupy_forward_sigmoid_no_batch_first(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _cupy_forward_sigmoid_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, slope
        )
        if t == 0:
            spikes = cp.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes, v, (hoisted_saved, spikes, saved_7_steps, beta, slope)


def _cupy_backward_sigmoid_no_batch_first(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, slope
):
    import cupy as cp

    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _cupy_backward_sigmoid_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, slope, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = cp.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _cupy_backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _cupy_backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_v0 = grad_next_v
    return grad_x, grad_weight, grad_bias, grad_v0


def _cupy_forward_sigmoid_no_batch_first_no_v0(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v0 = cp.zeros((x.shape[1], weight.shape[0]), dtype=x.dtype)
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _cupy_forward_sigmoid_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, slope
        )
        if t == 0:
            spikes = cp.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes, v, (hoisted_saved, spikes, saved_7_steps, beta, slope)


def _cupy_backward_sigmoid_no_batch_first_no_v0(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, slope
):
    import cupy as cp

    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _cupy_backward_sigmoid_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, slope, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = cp.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _cupy_backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _cupy_backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight, grad_bias, None


def _cupy_forward_triangle_batch_first(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _cupy_forward_triangle_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, width
        )
        if t == 0:
            spikes = cp.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes.swapaxes(0, 1), v, (hoisted_saved, spikes, saved_7_steps, beta, width)


def _cupy_backward_triangle_batch_first(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, width
):
    import cupy as cp

    grad_spikes = grad_spikes.swapaxes(0, 1)  # time first
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _cupy_backward_triangle_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, width, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = cp.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _cupy_backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _cupy_backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_v0 = grad_next_v
    return grad_x, grad_weight, grad_bias, grad_v0


# spiking_triangle_no_batch_first_step_fwd_0: layers_spec/layers/spiking.yaml:43,35,44
_spiking_triangle_no_batch_first_step_fwd_0 = ElementwiseKernel(
    "spiking_triangle_no_batch_first_step_fwd_0",
    "T beta, T v, T hoisted_1, T bias, T threshold, T width",
    "T v_next, T _t7, T fired",
    """
    T _t2 = beta * v;
    T current = hoisted_1 + bias;
    T _t3 = _t2 + current;
    bool _t4 = v >= threshold;
    T _t5 = _t4;
    T _t6 = threshold * _t5;
    v_next = _t3 - _t6;
    _t7 = v_next - threshold;
    fired = _t7 >= 0;
    """,
    scalars=("beta", "threshold", "width"),
)


def _cupy_forward_triangle_no_batch_first_step(
    v, hoisted_1, bias, beta, threshold, width
):
    v_next, _t7, fired = _spiking_triangle_no_batch_first_step_fwd_0(
        beta, v, hoisted_1, bias, threshold, width
    )
    return v_next, fired, _t7


# spiking_triangle_no_batch_first_step_bwd_0: layers_spec/primitives.yaml:322,62
_spiking_triangle_no_batch_first_step_bwd_0 = ElementwiseKernel(
    "spiking_triangle_no_batch_first_step_bwd_0",
    "T grad_spikes, T _t7, T width, T grad_next_v, T beta",
    "T grad_v_next, T grad_v",
    """
    T _t8 = grad_spikes * T(1);
    T _t9 = fabs(_t7);
    T _t10 = _t9 / width;
    T _t11 = T(1) - _t10;
    T _t12 = _t11 > T(0) || _t11 != _t11 ? _t11 : T(0);
    T _t13 = _t8 * _t12;
    grad_v_next = grad_next_v + _t13;
    grad_v = grad_v_next * beta;
    """,
    scalars=("width", "beta"),
)


def _cupy_backward_triangle_no_batch_first_step(
    grad_next_v, grad_spikes, beta, width, _t7
):
    grad_v_next, grad_v = _spiking_triangle_no_batch_first_step_bwd_0(
        grad_spikes, _t7, width, grad_next_v, beta
    )
    return grad_v, grad_v_next


def _cupy_forward_triangle_batch_first_no_v0(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v0 = cp.zeros((x.shape[1], weight.shape[0]), dtype=x.dtype)
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _cupy_forward_triangle_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, width
        )
        if t == 0:
            spikes = cp.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes.swapaxes(0, 1), v, (hoisted_saved, spikes, saved_7_steps, beta, width)


def _cupy_backward_triangle_batch_first_no_v0(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, width
):
    import cupy as cp

    grad_spikes = grad_spikes.swapaxes(0, 1)  # time first
    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _cupy_backward_triangle_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, width, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = cp.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _cupy_backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _cupy_backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight, grad_bias, None


def _cupy_forward_triangle_no_batch_first(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _cupy_forward_triangle_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, width
        )
        if t == 0:
            spikes = cp.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes, v, (hoisted_saved, spikes, saved_7_steps, beta, width)


def _cupy_backward_triangle_no_batch_first(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, width
):
    import cupy as cp

    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _cupy_backward_triangle_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, width, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = cp.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _cupy_backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _cupy_backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_v0 = grad_next_v
    return grad_x, grad_weight, grad_bias, grad_v0


def _cupy_forward_triangle_no_batch_first_no_v0(
    x, weight, bias, v0, beta, threshold, alpha, slope, width
):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_atan_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    v0 = cp.zeros((x.shape[1], weight.shape[0]), dtype=x.dtype)
    v = v0
    for t in range(steps):
        v_next, fired, saved_7 = _cupy_forward_triangle_no_batch_first_step(
            v, hoisted_1[t], bias, beta, threshold, width
        )
        if t == 0:
            spikes = cp.empty((steps, *fired.shape), dtype=fired.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        spikes[t] = fired
        saved_7_steps[t] = saved_7
        v = v_next
    return spikes, v, (hoisted_saved, spikes, saved_7_steps, beta, width)


def _cupy_backward_triangle_no_batch_first_no_v0(
    grad_spikes, grad_v_n, hoisted_saved, spikes, saved_7_steps, beta, width
):
    import cupy as cp

    steps = grad_spikes.shape[0]
    grad_next_v = grad_v_n
    for t in range(steps - 1, -1, -1):
        grad_next_v, grad_v_next = _cupy_backward_triangle_no_batch_first_step(
            grad_next_v, grad_spikes[t], beta, width, saved_7_steps[t]
        )
        if t == steps - 1:
            grad_v_next_steps = cp.empty(
                (steps, *grad_v_next.shape), dtype=grad_v_next.dtype
            )
        grad_v_next_steps[t] = grad_v_next
    grad_bias = _cupy_backward_atan_no_batch_first_deferred(grad_v_next_steps)
    grad_x, grad_weight = _cupy_backward_atan_no_batch_first_hoisted(
        grad_v_next_steps.reshape(-1, *grad_v_next_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight, grad_bias, None


_CUPY_VARIANTS = {
    ("atan", True, True): (
        _cupy_forward_atan_batch_first,
        _cupy_backward_atan_batch_first,
    ),
    ("atan", True, False): (
        _cupy_forward_atan_batch_first_no_v0,
        _cupy_backward_atan_batch_first_no_v0,
    ),
    ("atan", False, True): (
        _cupy_forward_atan_no_batch_first,
        _cupy_backward_atan_no_batch_first,
    ),
    ("atan", False, False): (
        _cupy_forward_atan_no_batch_first_no_v0,
        _cupy_backward_atan_no_batch_first_no_v0,
    ),
    ("sigmoid", True, True): (
        _cupy_forward_sigmoid_batch_first,
        _cupy_backward_sigmoid_batch_first,
    ),
    ("sigmoid", True, False): (
        _cupy_forward_sigmoid_batch_first_no_v0,
        _cupy_backward_sigmoid_batch_first_no_v0,
    ),
    ("sigmoid", False, True): (
        _cupy_forward_sigmoid_no_batch_first,
        _cupy_backward_sigmoid_no_batch_first,
    ),
    ("sigmoid", False, False): (
        _cupy_forward_sigmoid_no_batch_first_no_v0,
        _cupy_backward_sigmoid_no_batch_first_no_v0,
    ),
    ("triangle", True, True): (
        _cupy_forward_triangle_batch_first,
        _cupy_backward_triangle_batch_first,
    ),
    ("triangle", True, False): (
        _cupy_forward_triangle_batch_first_no_v0,
        _cupy_backward_triangle_batch_first_no_v0,
    ),
    ("triangle", False, True): (
        _cupy_forward_triangle_no_batch_first,
        _cupy_backward_triangle_no_batch_first,
    ),
    ("triangle", False, False): (
        _cupy_forward_triangle_no_batch_first_no_v0,
        _cupy_backward_triangle_no_batch_first_no_v0,
    ),
}


def _cupy_sum_leading(grad, rank):
    """``grad`` summed over its leading axes down to its last ``rank`` axes."""
    return _cupy_sum_to(grad, grad.shape[grad.ndim - rank :])


def _cupy_sum_to(grad, shape):
    """Sum ``grad`` over the axes along which an operand of ``shape`` was broadcast; over
    leading axes only (a bias gradient) as a vector-matrix product with ones (BLAS)."""
    import cupy as cp

    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes == tuple(range(lead)) and lead and grad.size and grad.dtype.kind == "f":
        rows = grad.reshape(-1, grad[(0,) * lead].size)
        return cp.matmul(cp.ones(rows.shape[0], grad.dtype), rows).reshape(shape)
    return cp.sum(grad, axis=axes).reshape(shape) if axes else grad
