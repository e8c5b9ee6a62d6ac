"""Recurrent: Elman recurrent layer, h_t = activation(x_t @ weight_ih.T + bias_ih + h_(t-1)
@ weight_hh.T + bias_hh) with tanh or relu, over a time-major sequence x [T, B,
input_size] (batch_first: [B, T, input_size]), as torch.nn.RNN with one layer; returns
every h_t (y) and the last (h_n). The initial state h0 may be None (zeros).
Generated from layers_spec/layers/recurrent.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_nonempty,
    check_steps,
    activation_module,
    check_options,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x", "h0")
PARAMETERS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
OUTPUTS = ("y", "h_n")
SEQUENCES = ("x",)
STACKED = ("y",)
BATCH_FIRST = "batch_first"


def forward(
    x,
    weight_ih,
    weight_hh,
    bias_ih,
    bias_hh,
    h0=None,
    *,
    batch_first=False,
    activation="tanh",
    activation_options=None,
):
    """Recurrent forward pass.

    Elman recurrent layer, h_t = activation(x_t @ weight_ih.T + bias_ih + h_(t-1) @
    weight_hh.T + bias_hh) with tanh or relu, over a time-major sequence x [T, B,
    input_size] (batch_first: [B, T, input_size]), as torch.nn.RNN with one layer;
    returns every h_t (y) and the last (h_n). The initial state h0 may be None (zeros).

    Args:
        x: float32 or float64 input of shape [T, B, input_size]. The sequence, time
            first (batch first with batch_first=True).
        weight_ih: float32 or float64 parameter of shape [hidden_size, input_size].
        weight_hh: float32 or float64 parameter of shape [hidden_size, hidden_size].
        bias_ih: float32 or float64 parameter of shape [hidden_size].
        bias_hh: float32 or float64 parameter of shape [hidden_size].
        h0: float32 or float64 input of shape [B, hidden_size], None to leave it out.
            The initial state; None for zeros.
        batch_first: bool, default False. x and y are [B, T, ...] instead of [T, B,
            ...].
        activation: name of the activation applied to the result, default 'tanh'; tanh,
            relu, identity are fused into specialized code, and only these: the slot is
            not the layer's last step.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        ((y, h_n), ctx): the outputs and the context that backward needs.
    """
    check_arrays(
        "recurrent",
        {
            "x": x,
            "weight_ih": weight_ih,
            "weight_hh": weight_hh,
            "bias_ih": bias_ih,
            "bias_hh": bias_hh,
            "h0": h0,
        },
        {
            "x": ("B", "T", "input_size") if batch_first else ("T", "B", "input_size"),
            "weight_ih": ("hidden_size", "input_size"),
            "weight_hh": ("hidden_size", "hidden_size"),
            "bias_ih": ("hidden_size",),
            "bias_hh": ("hidden_size",),
            "h0": ("B", "hidden_size"),
        },
        optional=("h0",),
    )
    check_attribute("recurrent", "batch_first", batch_first, "bool")
    check_steps("recurrent", "x", x.shape, 1 if batch_first else 0)
    check_nonempty("recurrent", "x", x.shape, -1)
    check_nonempty("recurrent", "weight_hh", weight_hh.shape, -1)
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get((activation, batch_first, h0 is not None))
        if fused is not None:
            forward_variant, backward_variant = fused
            if options:
                check_options("recurrent", activation, options)
            y, h_n, saved = forward_variant(
                x, weight_ih, weight_hh, bias_ih, bias_hh, h0, **options
            )
            return (y, h_n), (
                backward_variant,
                saved,
                (y.dtype, y.shape, h_n.shape),
                None,
            )
        raise ValueError(
            f"recurrent: activation {activation!r} cannot fill this layer's slot, "
            "which is not its last step (no composition); choose one of "
            f"{', '.join(dict.fromkeys(key[0] for key in _CUPY_FUSED))}"
        )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get((activation, batch_first, h0 is not None))
    if fused is not None:
        forward_variant, backward_variant = fused
        if options:
            check_options("recurrent", activation, options)
        y, h_n, saved = forward_variant(
            x, weight_ih, weight_hh, bias_ih, bias_hh, h0, **options
        )
        return (y, h_n), (backward_variant, saved, (y.dtype, y.shape, h_n.shape), None)
    raise ValueError(
        f"recurrent: activation {activation!r} cannot fill this layer's slot, "
        "which is not its last step (no composition); choose one of "
        f"{', '.join(dict.fromkeys(key[0] for key in _FUSED))}"
    )


def backward(grad_y, grad_h_n, ctx):
    """Recurrent backward pass.

    Args:
        grad_y, grad_h_n: gradient of the loss with respect to y, h_n.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0:
            gradients with respect to x, weight_ih, weight_hh, bias_ih, bias_hh, h0, in
            that order.
    """
    backward_variant, saved = check_context(
        "recurrent", __name__, ctx, {"grad_y": grad_y, "grad_h_n": grad_h_n}
    )
    return backward_variant(grad_y, grad_h_n, *saved)


def _forward_batch_first_tanh(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        h_next = _forward_no_batch_first_tanh_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
        y[t] = h_next
        h = h_next
    return y.swapaxes(0, 1), h, (hoisted_saved, y, h0, weight_hh)


def _backward_batch_first_tanh(grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh):
    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_8 = _backward_no_batch_first_tanh_step(
            grad_next_h, grad_y[t], weight_hh, y[t]
        )
        if t == steps - 1:
            chain_8_steps = np.empty((steps, *chain_8.shape), dtype=chain_8.dtype)
        chain_8_steps[t] = chain_8
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_tanh_deferred(
        np.concatenate((h0[None], y[:-1])), chain_8_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_tanh_hoisted(
        chain_8_steps.reshape(-1, *chain_8_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _forward_no_batch_first_tanh_hoisted(x, weight_ih):
    hoisted_1 = _linear(x, weight_ih)
    return hoisted_1, (x, weight_ih)


def _forward_no_batch_first_tanh_step(h, hoisted_1, weight_hh, bias_ih, bias_hh):
    h_next = np.tanh(hoisted_1 + bias_ih + (weight_hh @ h.T).T + bias_hh)
    return h_next


def _backward_no_batch_first_tanh_step(grad_next_h, grad_y, weight_hh, h_next):
    grad_h_next = grad_next_h + grad_y
    _t1 = h_next * h_next
    np.subtract(1, _t1, out=_t1)
    _t1 *= grad_h_next
    grad_h = (weight_hh.T @ _t1.T).T
    return grad_h, _t1


def _backward_no_batch_first_tanh_deferred(h, _t1):
    grad_bias_hh = _sum_leading(_t1, 1)
    grad_bias_ih = grad_bias_hh.copy()
    grad_weight_hh = _rows(_t1).T @ _rows(h)
    return grad_weight_hh, grad_bias_ih, grad_bias_hh


def _backward_no_batch_first_tanh_hoisted(grad_hoisted_1, x, weight_ih):
    grad_x = _linear_backward_input(grad_hoisted_1, weight_ih)
    grad_weight_ih = _rows(grad_hoisted_1).T @ _rows(x)
    return grad_x, grad_weight_ih


def _forward_batch_first_relu(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        h_next, saved_5 = _forward_no_batch_first_relu_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            saved_5_steps = np.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = h_next
        saved_5_steps[t] = saved_5
        h = h_next
    return y.swapaxes(0, 1), h, (hoisted_saved, y, saved_5_steps, h0, weight_hh)


def _backward_batch_first_relu(
    grad_y, grad_h_n, hoisted_saved, y, saved_5_steps, h0, weight_hh
):
    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_7 = _backward_no_batch_first_relu_step(
            grad_next_h, grad_y[t], weight_hh, saved_5_steps[t]
        )
        if t == steps - 1:
            chain_7_steps = np.empty((steps, *chain_7.shape), dtype=chain_7.dtype)
        chain_7_steps[t] = chain_7
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_tanh_deferred(
        np.concatenate((h0[None], y[:-1])), chain_7_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_tanh_hoisted(
        chain_7_steps.reshape(-1, *chain_7_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _forward_no_batch_first_relu_step(h, hoisted_1, weight_hh, bias_ih, bias_hh):
    _t1 = hoisted_1 + bias_ih + (weight_hh @ h.T).T + bias_hh
    h_next = np.clip(_t1, 0, np.inf)
    return h_next, _t1


def _backward_no_batch_first_relu_step(grad_next_h, grad_y, weight_hh, _t1):
    grad_h_next = grad_next_h + grad_y
    _t2 = np.multiply(grad_h_next, _t1 > 0, out=grad_h_next)
    grad_h = (weight_hh.T @ _t2.T).T
    return grad_h, _t2


def _forward_batch_first_identity(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        saved_5 = _forward_no_batch_first_identity_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = np.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = saved_5
        h = saved_5
    return y.swapaxes(0, 1), h, (hoisted_saved, y, h0, weight_hh)


def _backward_batch_first_identity(grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh):
    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_6 = _backward_no_batch_first_identity_step(
            grad_next_h, grad_y[t], weight_hh
        )
        if t == steps - 1:
            chain_6_steps = np.empty((steps, *chain_6.shape), dtype=chain_6.dtype)
        chain_6_steps[t] = chain_6
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_tanh_deferred(
        np.concatenate((h0[None], y[:-1])), chain_6_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_tanh_hoisted(
        chain_6_steps.reshape(-1, *chain_6_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _forward_no_batch_first_identity_step(h, hoisted_1, weight_hh, bias_ih, bias_hh):
    _t1 = hoisted_1 + bias_ih + (weight_hh @ h.T).T + bias_hh
    return _t1


def _backward_no_batch_first_identity_step(grad_next_h, grad_y, weight_hh):
    _t1 = grad_next_h + grad_y
    grad_h = (weight_hh.T @ _t1.T).T
    return grad_h, _t1


def _forward_batch_first_tanh_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_ih.shape[0]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        h_next = _forward_no_batch_first_tanh_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
        y[t] = h_next
        h = h_next
    return y.swapaxes(0, 1), h, (hoisted_saved, y, None, weight_hh)


def _backward_batch_first_tanh_no_h0(grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh):
    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    h0 = np.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_8 = _backward_no_batch_first_tanh_step(
            grad_next_h, grad_y[t], weight_hh, y[t]
        )
        if t == steps - 1:
            chain_8_steps = np.empty((steps, *chain_8.shape), dtype=chain_8.dtype)
        chain_8_steps[t] = chain_8
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_tanh_deferred(
        np.concatenate((h0[None], y[:-1])), chain_8_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_tanh_hoisted(
        chain_8_steps.reshape(-1, *chain_8_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


def _forward_batch_first_relu_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_ih.shape[0]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        h_next, saved_5 = _forward_no_batch_first_relu_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            saved_5_steps = np.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = h_next
        saved_5_steps[t] = saved_5
        h = h_next
    return y.swapaxes(0, 1), h, (hoisted_saved, y, saved_5_steps, None, weight_hh)


def _backward_batch_first_relu_no_h0(
    grad_y, grad_h_n, hoisted_saved, y, saved_5_steps, h0, weight_hh
):
    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    h0 = np.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_7 = _backward_no_batch_first_relu_step(
            grad_next_h, grad_y[t], weight_hh, saved_5_steps[t]
        )
        if t == steps - 1:
            chain_7_steps = np.empty((steps, *chain_7.shape), dtype=chain_7.dtype)
        chain_7_steps[t] = chain_7
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_tanh_deferred(
        np.concatenate((h0[None], y[:-1])), chain_7_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_tanh_hoisted(
        chain_7_steps.reshape(-1, *chain_7_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


def _forward_batch_first_identity_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_ih.shape[0]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        saved_5 = _forward_no_batch_first_identity_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = np.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = saved_5
        h = saved_5
    return y.swapaxes(0, 1), h, (hoisted_saved, y, None, weight_hh)


def _backward_batch_first_identity_no_h0(
    grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh
):
    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    h0 = np.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_6 = _backward_no_batch_first_identity_step(
            grad_next_h, grad_y[t], weight_hh
        )
        if t == steps - 1:
            chain_6_steps = np.empty((steps, *chain_6.shape), dtype=chain_6.dtype)
        chain_6_steps[t] = chain_6
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_tanh_deferred(
        np.concatenate((h0[None], y[:-1])), chain_6_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_tanh_hoisted(
        chain_6_steps.reshape(-1, *chain_6_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


def _forward_no_batch_first_tanh(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        h_next = _forward_no_batch_first_tanh_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
        y[t] = h_next
        h = h_next
    return y, h, (hoisted_saved, y, h0, weight_hh)


def _backward_no_batch_first_tanh(grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh):
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_8 = _backward_no_batch_first_tanh_step(
            grad_next_h, grad_y[t], weight_hh, y[t]
        )
        if t == steps - 1:
            chain_8_steps = np.empty((steps, *chain_8.shape), dtype=chain_8.dtype)
        chain_8_steps[t] = chain_8
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_tanh_deferred(
        np.concatenate((h0[None], y[:-1])), chain_8_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_tanh_hoisted(
        chain_8_steps.reshape(-1, *chain_8_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _forward_no_batch_first_relu(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        h_next, saved_5 = _forward_no_batch_first_relu_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            saved_5_steps = np.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = h_next
        saved_5_steps[t] = saved_5
        h = h_next
    return y, h, (hoisted_saved, y, saved_5_steps, h0, weight_hh)


def _backward_no_batch_first_relu(
    grad_y, grad_h_n, hoisted_saved, y, saved_5_steps, h0, weight_hh
):
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_7 = _backward_no_batch_first_relu_step(
            grad_next_h, grad_y[t], weight_hh, saved_5_steps[t]
        )
        if t == steps - 1:
            chain_7_steps = np.empty((steps, *chain_7.shape), dtype=chain_7.dtype)
        chain_7_steps[t] = chain_7
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_tanh_deferred(
        np.concatenate((h0[None], y[:-1])), chain_7_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_tanh_hoisted(
        chain_7_steps.reshape(-1, *chain_7_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _forward_no_batch_first_identity(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        saved_5 = _forward_no_batch_first_identity_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = np.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = saved_5
        h = saved_5
    return y, h, (hoisted_saved, y, h0, weight_hh)


def _backward_no_batch_first_identity(
    grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh
):
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_6 = _backward_no_batch_first_identity_step(
            grad_next_h, grad_y[t], weight_hh
        )
        if t == steps - 1:
            chain_6_steps = np.empty((steps, *chain_6.shape), dtype=chain_6.dtype)
        chain_6_steps[t] = chain_6
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_tanh_deferred(
        np.concatenate((h0[None], y[:-1])), chain_6_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_tanh_hoisted(
        chain_6_steps.reshape(-1, *chain_6_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _forward_no_batch_first_tanh_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_ih.shape[0]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        h_next = _forward_no_batch_first_tanh_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
        y[t] = h_next
        h = h_next
    return y, h, (hoisted_saved, y, None, weight_hh)


def _backward_no_batch_first_tanh_no_h0(
    grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh
):
    steps = grad_y.shape[0]
    h0 = np.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_8 = _backward_no_batch_first_tanh_step(
            grad_next_h, grad_y[t], weight_hh, y[t]
        )
        if t == steps - 1:
            chain_8_steps = np.empty((steps, *chain_8.shape), dtype=chain_8.dtype)
        chain_8_steps[t] = chain_8
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_tanh_deferred(
        np.concatenate((h0[None], y[:-1])), chain_8_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_tanh_hoisted(
        chain_8_steps.reshape(-1, *chain_8_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


def _forward_no_batch_first_relu_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_ih.shape[0]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        h_next, saved_5 = _forward_no_batch_first_relu_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            saved_5_steps = np.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = h_next
        saved_5_steps[t] = saved_5
        h = h_next
    return y, h, (hoisted_saved, y, saved_5_steps, None, weight_hh)


def _backward_no_batch_first_relu_no_h0(
    grad_y, grad_h_n, hoisted_saved, y, saved_5_steps, h0, weight_hh
):
    steps = grad_y.shape[0]
    h0 = np.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_7 = _backward_no_batch_first_relu_step(
            grad_next_h, grad_y[t], weight_hh, saved_5_steps[t]
        )
        if t == steps - 1:
            chain_7_steps = np.empty((steps, *chain_7.shape), dtype=chain_7.dtype)
        chain_7_steps[t] = chain_7
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_tanh_deferred(
        np.concatenate((h0[None], y[:-1])), chain_7_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_tanh_hoisted(
        chain_7_steps.reshape(-1, *chain_7_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


def _forward_no_batch_first_identity_no_h0(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0
):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_ih.shape[0]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        saved_5 = _forward_no_batch_first_identity_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = np.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = saved_5
        h = saved_5
    return y, h, (hoisted_saved, y, None, weight_hh)


def _backward_no_batch_first_identity_no_h0(
    grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh
):
    steps = grad_y.shape[0]
    h0 = np.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_6 = _backward_no_batch_first_identity_step(
            grad_next_h, grad_y[t], weight_hh
        )
        if t == steps - 1:
            chain_6_steps = np.empty((steps, *chain_6.shape), dtype=chain_6.dtype)
        chain_6_steps[t] = chain_6
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_tanh_deferred(
        np.concatenate((h0[None], y[:-1])), chain_6_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_tanh_hoisted(
        chain_6_steps.reshape(-1, *chain_6_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


_FUSED = {
    ("tanh", True, True): (_forward_batch_first_tanh, _backward_batch_first_tanh),
    ("relu", True, True): (_forward_batch_first_relu, _backward_batch_first_relu),
    ("identity", True, True): (
        _forward_batch_first_identity,
        _backward_batch_first_identity,
    ),
    ("tanh", True, False): (
        _forward_batch_first_tanh_no_h0,
        _backward_batch_first_tanh_no_h0,
    ),
    ("relu", True, False): (
        _forward_batch_first_relu_no_h0,
        _backward_batch_first_relu_no_h0,
    ),
    ("identity", True, False): (
        _forward_batch_first_identity_no_h0,
        _backward_batch_first_identity_no_h0,
    ),
    ("tanh", False, True): (
        _forward_no_batch_first_tanh,
        _backward_no_batch_first_tanh,
    ),
    ("relu", False, True): (
        _forward_no_batch_first_relu,
        _backward_no_batch_first_relu,
    ),
    ("identity", False, True): (
        _forward_no_batch_first_identity,
        _backward_no_batch_first_identity,
    ),
    ("tanh", False, False): (
        _forward_no_batch_first_tanh_no_h0,
        _backward_no_batch_first_tanh_no_h0,
    ),
    ("relu", False, False): (
        _forward_no_batch_first_relu_no_h0,
        _backward_no_batch_first_relu_no_h0,
    ),
    ("identity", False, False): (
        _forward_no_batch_first_identity_no_h0,
        _backward_no_batch_first_identity_no_h0,
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


def _cupy_forward_batch_first_tanh(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        h_next = _cupy_forward_no_batch_first_tanh_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
        y[t] = h_next
        h = h_next
    return y.swapaxes(0, 1), h, (hoisted_saved, y, h0, weight_hh)


def _cupy_backward_batch_first_tanh(grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh):
    import cupy as cp

    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_8 = _cupy_backward_no_batch_first_tanh_step(
            grad_next_h, grad_y[t], weight_hh, y[t]
        )
        if t == steps - 1:
            chain_8_steps = cp.empty((steps, *chain_8.shape), dtype=chain_8.dtype)
        chain_8_steps[t] = chain_8
    grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_tanh_deferred(
            cp.concatenate((h0[None], y[:-1])), chain_8_steps
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_tanh_hoisted(
        chain_8_steps.reshape(-1, *chain_8_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _cupy_forward_no_batch_first_tanh_hoisted(x, weight_ih):
    hoisted_1 = _linear(x, weight_ih)
    return hoisted_1, (x, weight_ih)


# recurrent_no_batch_first_tanh_step_fwd_0: layers_spec/layers/recurrent.yaml:29; layers_spec/activations/tanh.yaml:8
_recurrent_no_batch_first_tanh_step_fwd_0 = ElementwiseKernel(
    "recurrent_no_batch_first_tanh_step_fwd_0",
    "T hoisted_1, T bias_ih, T _t3, T bias_hh",
    "T h_next",
    """
    T _t2 = hoisted_1 + bias_ih;
    T _t4 = _t2 + _t3;
    T _t5 = _t4 + bias_hh;
    h_next = tanh(_t5);
    """,
)


def _cupy_forward_no_batch_first_tanh_step(h, hoisted_1, weight_hh, bias_ih, bias_hh):
    _t3 = (weight_hh @ h.T).T
    h_next = _recurrent_no_batch_first_tanh_step_fwd_0(hoisted_1, bias_ih, _t3, bias_hh)
    return h_next


# recurrent_no_batch_first_tanh_step_bwd_0: <generated>:1; layers_spec/primitives.yaml:180
_recurrent_no_batch_first_tanh_step_bwd_0 = ElementwiseKernel(
    "recurrent_no_batch_first_tanh_step_bwd_0",
    "T grad_next_h, T grad_y, T h_next",
    "T _t8",
    """
    T grad_h_next = grad_next_h + grad_y;
    T _t6 = h_next * h_next;
    T _t7 = T(1) - _t6;
    _t8 = grad_h_next * _t7;
    """,
)


def _cupy_backward_no_batch_first_tanh_step(grad_next_h, grad_y, weight_hh, h_next):
    _t8 = _recurrent_no_batch_first_tanh_step_bwd_0(grad_next_h, grad_y, h_next)
    grad_h = (weight_hh.T @ _t8.T).T
    return grad_h, _t8


def _cupy_backward_no_batch_first_tanh_deferred(h, _t8):
    grad_bias_hh = _cupy_sum_leading(_t8, 1)
    grad_bias_ih = _cupy_sum_leading(_t8, 1)
    grad_weight_hh = _rows(_t8).T @ _rows(h)
    return grad_weight_hh, grad_bias_ih, grad_bias_hh


def _cupy_backward_no_batch_first_tanh_hoisted(grad_hoisted_1, x, weight_ih):
    grad_x = _linear_backward_input(grad_hoisted_1, weight_ih)
    grad_weight_ih = _rows(grad_hoisted_1).T @ _rows(x)
    return grad_x, grad_weight_ih


def _cupy_forward_batch_first_relu(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        h_next, saved_5 = _cupy_forward_no_batch_first_relu_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            saved_5_steps = cp.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = h_next
        saved_5_steps[t] = saved_5
        h = h_next
    return y.swapaxes(0, 1), h, (hoisted_saved, y, saved_5_steps, h0, weight_hh)


def _cupy_backward_batch_first_relu(
    grad_y, grad_h_n, hoisted_saved, y, saved_5_steps, h0, weight_hh
):
    import cupy as cp

    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_7 = _cupy_backward_no_batch_first_relu_step(
            grad_next_h, grad_y[t], weight_hh, saved_5_steps[t]
        )
        if t == steps - 1:
            chain_7_steps = cp.empty((steps, *chain_7.shape), dtype=chain_7.dtype)
        chain_7_steps[t] = chain_7
    grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_relu_deferred(
            cp.concatenate((h0[None], y[:-1])), chain_7_steps
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_tanh_hoisted(
        chain_7_steps.reshape(-1, *chain_7_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


# recurrent_no_batch_first_relu_step_fwd_0: layers_spec/layers/recurrent.yaml:29; layers_spec/activations/relu.yaml:8
_recurrent_no_batch_first_relu_step_fwd_0 = ElementwiseKernel(
    "recurrent_no_batch_first_relu_step_fwd_0",
    "T hoisted_1, T bias_ih, T _t3, T bias_hh",
    "T _t5, T h_next",
    """
    T _t2 = hoisted_1 + bias_ih;
    T _t4 = _t2 + _t3;
    _t5 = _t4 + bias_hh;
    h_next = _t5 > T(0) || _t5 != _t5 ? _t5 : T(0);
    """,
)


def _cupy_forward_no_batch_first_relu_step(h, hoisted_1, weight_hh, bias_ih, bias_hh):
    _t3 = (weight_hh @ h.T).T
    _t5, h_next = _recurrent_no_batch_first_relu_step_fwd_0(
        hoisted_1, bias_ih, _t3, bias_hh
    )
    return h_next, _t5


# recurrent_no_batch_first_relu_step_bwd_0: <generated>:1; layers_spec/primitives.yaml:252
_recurrent_no_batch_first_relu_step_bwd_0 = ElementwiseKernel(
    "recurrent_no_batch_first_relu_step_bwd_0",
    "T grad_next_h, T grad_y, T _t5",
    "T _t7",
    """
    T grad_h_next = grad_next_h + grad_y;
    bool _t6 = _t5 > T(0);
    _t7 = grad_h_next * _t6;
    """,
)


def _cupy_backward_no_batch_first_relu_step(grad_next_h, grad_y, weight_hh, _t5):
    _t7 = _recurrent_no_batch_first_relu_step_bwd_0(grad_next_h, grad_y, _t5)
    grad_h = (weight_hh.T @ _t7.T).T
    return grad_h, _t7


def _cupy_backward_no_batch_first_relu_deferred(h, _t7):
    grad_bias_hh = _cupy_sum_leading(_t7, 1)
    grad_bias_ih = _cupy_sum_leading(_t7, 1)
    grad_weight_hh = _rows(_t7).T @ _rows(h)
    return grad_weight_hh, grad_bias_ih, grad_bias_hh


def _cupy_forward_batch_first_identity(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        saved_5 = _cupy_forward_no_batch_first_identity_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = cp.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = saved_5
        h = saved_5
    return y.swapaxes(0, 1), h, (hoisted_saved, y, h0, weight_hh)


def _cupy_backward_batch_first_identity(
    grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh
):
    import cupy as cp

    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_6 = _cupy_backward_no_batch_first_identity_step(
            grad_next_h, grad_y[t], weight_hh
        )
        if t == steps - 1:
            chain_6_steps = cp.empty((steps, *chain_6.shape), dtype=chain_6.dtype)
        chain_6_steps[t] = chain_6
    grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_identity_deferred(
            cp.concatenate((h0[None], y[:-1])), chain_6_steps
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_tanh_hoisted(
        chain_6_steps.reshape(-1, *chain_6_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


# recurrent_no_batch_first_identity_step_fwd_0: layers_spec/layers/recurrent.yaml:29
_recurrent_no_batch_first_identity_step_fwd_0 = ElementwiseKernel(
    "recurrent_no_batch_first_identity_step_fwd_0",
    "T hoisted_1, T bias_ih, T _t3, T bias_hh",
    "T _t5",
    """
    T _t2 = hoisted_1 + bias_ih;
    T _t4 = _t2 + _t3;
    _t5 = _t4 + bias_hh;
    """,
)


def _cupy_forward_no_batch_first_identity_step(
    h, hoisted_1, weight_hh, bias_ih, bias_hh
):
    _t3 = (weight_hh @ h.T).T
    _t5 = _recurrent_no_batch_first_identity_step_fwd_0(
        hoisted_1, bias_ih, _t3, bias_hh
    )
    return _t5


# recurrent_no_batch_first_identity_step_bwd_0: <generated>:1
_recurrent_no_batch_first_identity_step_bwd_0 = ElementwiseKernel(
    "recurrent_no_batch_first_identity_step_bwd_0",
    "T grad_next_h, T grad_y",
    "T _t6",
    """
    _t6 = grad_next_h + grad_y;
    """,
)


def _cupy_backward_no_batch_first_identity_step(grad_next_h, grad_y, weight_hh):
    _t6 = _recurrent_no_batch_first_identity_step_bwd_0(grad_next_h, grad_y)
    grad_h = (weight_hh.T @ _t6.T).T
    return grad_h, _t6


def _cupy_backward_no_batch_first_identity_deferred(h, _t6):
    grad_bias_hh = _cupy_sum_leading(_t6, 1)
    grad_bias_ih = _cupy_sum_leading(_t6, 1)
    grad_weight_hh = _rows(_t6).T @ _rows(h)
    return grad_weight_hh, grad_bias_ih, grad_bias_hh


def _cupy_forward_batch_first_tanh_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros((x.shape[1], weight_ih.shape[0]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        h_next = _cupy_forward_no_batch_first_tanh_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
        y[t] = h_next
        h = h_next
    return y.swapaxes(0, 1), h, (hoisted_saved, y, None, weight_hh)


def _cupy_backward_batch_first_tanh_no_h0(
    grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh
):
    import cupy as cp

    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    h0 = cp.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_8 = _cupy_backward_no_batch_first_tanh_step(
            grad_next_h, grad_y[t], weight_hh, y[t]
        )
        if t == steps - 1:
            chain_8_steps = cp.empty((steps, *chain_8.shape), dtype=chain_8.dtype)
        chain_8_steps[t] = chain_8
    grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_tanh_deferred(
            cp.concatenate((h0[None], y[:-1])), chain_8_steps
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_tanh_hoisted(
        chain_8_steps.reshape(-1, *chain_8_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


def _cupy_forward_batch_first_relu_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros((x.shape[1], weight_ih.shape[0]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        h_next, saved_5 = _cupy_forward_no_batch_first_relu_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            saved_5_steps = cp.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = h_next
        saved_5_steps[t] = saved_5
        h = h_next
    return y.swapaxes(0, 1), h, (hoisted_saved, y, saved_5_steps, None, weight_hh)


def _cupy_backward_batch_first_relu_no_h0(
    grad_y, grad_h_n, hoisted_saved, y, saved_5_steps, h0, weight_hh
):
    import cupy as cp

    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    h0 = cp.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_7 = _cupy_backward_no_batch_first_relu_step(
            grad_next_h, grad_y[t], weight_hh, saved_5_steps[t]
        )
        if t == steps - 1:
            chain_7_steps = cp.empty((steps, *chain_7.shape), dtype=chain_7.dtype)
        chain_7_steps[t] = chain_7
    grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_relu_deferred(
            cp.concatenate((h0[None], y[:-1])), chain_7_steps
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_tanh_hoisted(
        chain_7_steps.reshape(-1, *chain_7_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


def _cupy_forward_batch_first_identity_no_h0(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0
):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros((x.shape[1], weight_ih.shape[0]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        saved_5 = _cupy_forward_no_batch_first_identity_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = cp.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = saved_5
        h = saved_5
    return y.swapaxes(0, 1), h, (hoisted_saved, y, None, weight_hh)


def _cupy_backward_batch_first_identity_no_h0(
    grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh
):
    import cupy as cp

    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    h0 = cp.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_6 = _cupy_backward_no_batch_first_identity_step(
            grad_next_h, grad_y[t], weight_hh
        )
        if t == steps - 1:
            chain_6_steps = cp.empty((steps, *chain_6.shape), dtype=chain_6.dtype)
        chain_6_steps[t] = chain_6
    grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_identity_deferred(
            cp.concatenate((h0[None], y[:-1])), chain_6_steps
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_tanh_hoisted(
        chain_6_steps.reshape(-1, *chain_6_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


def _cupy_forward_no_batch_first_tanh(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        h_next = _cupy_forward_no_batch_first_tanh_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
        y[t] = h_next
        h = h_next
    return y, h, (hoisted_saved, y, h0, weight_hh)


def _cupy_backward_no_batch_first_tanh(
    grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh
):
    import cupy as cp

    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_8 = _cupy_backward_no_batch_first_tanh_step(
            grad_next_h, grad_y[t], weight_hh, y[t]
        )
        if t == steps - 1:
            chain_8_steps = cp.empty((steps, *chain_8.shape), dtype=chain_8.dtype)
        chain_8_steps[t] = chain_8
    grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_tanh_deferred(
            cp.concatenate((h0[None], y[:-1])), chain_8_steps
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_tanh_hoisted(
        chain_8_steps.reshape(-1, *chain_8_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _cupy_forward_no_batch_first_relu(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        h_next, saved_5 = _cupy_forward_no_batch_first_relu_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            saved_5_steps = cp.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = h_next
        saved_5_steps[t] = saved_5
        h = h_next
    return y, h, (hoisted_saved, y, saved_5_steps, h0, weight_hh)


def _cupy_backward_no_batch_first_relu(
    grad_y, grad_h_n, hoisted_saved, y, saved_5_steps, h0, weight_hh
):
    import cupy as cp

    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_7 = _cupy_backward_no_batch_first_relu_step(
            grad_next_h, grad_y[t], weight_hh, saved_5_steps[t]
        )
        if t == steps - 1:
            chain_7_steps = cp.empty((steps, *chain_7.shape), dtype=chain_7.dtype)
        chain_7_steps[t] = chain_7
    grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_relu_deferred(
            cp.concatenate((h0[None], y[:-1])), chain_7_steps
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_tanh_hoisted(
        chain_7_steps.reshape(-1, *chain_7_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _cupy_forward_no_batch_first_identity(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0
):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        saved_5 = _cupy_forward_no_batch_first_identity_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = cp.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = saved_5
        h = saved_5
    return y, h, (hoisted_saved, y, h0, weight_hh)


def _cupy_backward_no_batch_first_identity(
    grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh
):
    import cupy as cp

    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_6 = _cupy_backward_no_batch_first_identity_step(
            grad_next_h, grad_y[t], weight_hh
        )
        if t == steps - 1:
            chain_6_steps = cp.empty((steps, *chain_6.shape), dtype=chain_6.dtype)
        chain_6_steps[t] = chain_6
    grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_identity_deferred(
            cp.concatenate((h0[None], y[:-1])), chain_6_steps
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_tanh_hoisted(
        chain_6_steps.reshape(-1, *chain_6_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _cupy_forward_no_batch_first_tanh_no_h0(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0
):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros((x.shape[1], weight_ih.shape[0]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        h_next = _cupy_forward_no_batch_first_tanh_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
        y[t] = h_next
        h = h_next
    return y, h, (hoisted_saved, y, None, weight_hh)


def _cupy_backward_no_batch_first_tanh_no_h0(
    grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh
):
    import cupy as cp

    steps = grad_y.shape[0]
    h0 = cp.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_8 = _cupy_backward_no_batch_first_tanh_step(
            grad_next_h, grad_y[t], weight_hh, y[t]
        )
        if t == steps - 1:
            chain_8_steps = cp.empty((steps, *chain_8.shape), dtype=chain_8.dtype)
        chain_8_steps[t] = chain_8
    grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_tanh_deferred(
            cp.concatenate((h0[None], y[:-1])), chain_8_steps
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_tanh_hoisted(
        chain_8_steps.reshape(-1, *chain_8_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


def _cupy_forward_no_batch_first_relu_no_h0(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0
):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros((x.shape[1], weight_ih.shape[0]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        h_next, saved_5 = _cupy_forward_no_batch_first_relu_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            saved_5_steps = cp.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = h_next
        saved_5_steps[t] = saved_5
        h = h_next
    return y, h, (hoisted_saved, y, saved_5_steps, None, weight_hh)


def _cupy_backward_no_batch_first_relu_no_h0(
    grad_y, grad_h_n, hoisted_saved, y, saved_5_steps, h0, weight_hh
):
    import cupy as cp

    steps = grad_y.shape[0]
    h0 = cp.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_7 = _cupy_backward_no_batch_first_relu_step(
            grad_next_h, grad_y[t], weight_hh, saved_5_steps[t]
        )
        if t == steps - 1:
            chain_7_steps = cp.empty((steps, *chain_7.shape), dtype=chain_7.dtype)
        chain_7_steps[t] = chain_7
    grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_relu_deferred(
            cp.concatenate((h0[None], y[:-1])), chain_7_steps
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_tanh_hoisted(
        chain_7_steps.reshape(-1, *chain_7_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


def _cupy_forward_no_batch_first_identity_no_h0(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0
):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_tanh_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros((x.shape[1], weight_ih.shape[0]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        saved_5 = _cupy_forward_no_batch_first_identity_step(
            h, hoisted_1[t], weight_hh, bias_ih, bias_hh
        )
        if t == 0:
            y = cp.empty((steps, *saved_5.shape), dtype=saved_5.dtype)
        y[t] = saved_5
        h = saved_5
    return y, h, (hoisted_saved, y, None, weight_hh)


def _cupy_backward_no_batch_first_identity_no_h0(
    grad_y, grad_h_n, hoisted_saved, y, h0, weight_hh
):
    import cupy as cp

    steps = grad_y.shape[0]
    h0 = cp.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_6 = _cupy_backward_no_batch_first_identity_step(
            grad_next_h, grad_y[t], weight_hh
        )
        if t == steps - 1:
            chain_6_steps = cp.empty((steps, *chain_6.shape), dtype=chain_6.dtype)
        chain_6_steps[t] = chain_6
    grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_identity_deferred(
            cp.concatenate((h0[None], y[:-1])), chain_6_steps
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_tanh_hoisted(
        chain_6_steps.reshape(-1, *chain_6_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


_CUPY_FUSED = {
    ("tanh", True, True): (
        _cupy_forward_batch_first_tanh,
        _cupy_backward_batch_first_tanh,
    ),
    ("relu", True, True): (
        _cupy_forward_batch_first_relu,
        _cupy_backward_batch_first_relu,
    ),
    ("identity", True, True): (
        _cupy_forward_batch_first_identity,
        _cupy_backward_batch_first_identity,
    ),
    ("tanh", True, False): (
        _cupy_forward_batch_first_tanh_no_h0,
        _cupy_backward_batch_first_tanh_no_h0,
    ),
    ("relu", True, False): (
        _cupy_forward_batch_first_relu_no_h0,
        _cupy_backward_batch_first_relu_no_h0,
    ),
    ("identity", True, False): (
        _cupy_forward_batch_first_identity_no_h0,
        _cupy_backward_batch_first_identity_no_h0,
    ),
    ("tanh", False, True): (
        _cupy_forward_no_batch_first_tanh,
        _cupy_backward_no_batch_first_tanh,
    ),
    ("relu", False, True): (
        _cupy_forward_no_batch_first_relu,
        _cupy_backward_no_batch_first_relu,
    ),
    ("identity", False, True): (
        _cupy_forward_no_batch_first_identity,
        _cupy_backward_no_batch_first_identity,
    ),
    ("tanh", False, False): (
        _cupy_forward_no_batch_first_tanh_no_h0,
        _cupy_backward_no_batch_first_tanh_no_h0,
    ),
    ("relu", False, False): (
        _cupy_forward_no_batch_first_relu_no_h0,
        _cupy_backward_no_batch_first_relu_no_h0,
    ),
    ("identity", False, False): (
        _cupy_forward_no_batch_first_identity_no_h0,
        _cupy_backward_no_batch_first_identity_no_h0,
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
