"""ConvLSTM: Convolutional LSTM over NCHW frames (Shi et al's, 2015, without peepholes;
Keras ConvLSTM2D with return_sequences): gates = conv(x_t, weight_ih) + bias +
conv(h_(t-1), weight_hh), packed [4 hidden_channels] channels in the order input,
forget, cell, output, each convolution stride 1 and zero-padded to keep H and W
(PyTorch's padding="same"); c_t = f * c_(t-1) + i * g, h_t = o * tanh(c_t), with sigmoid
gates and tanh g. x is batch first [B, T, in_channels, H, W] (batch_first=False: time
first); returns every h_t (y, [B, T, hidden_channels, H, W]), the last h (h_n) and the
last c (c_n), [B, hidden_channels, H, W]. The input convolution of all T steps is one
convolution before the loop. The initial states h0 and c0 may be None (zeros).
Generated from layers_spec/layers/conv_lstm.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_nonempty,
    check_steps,
    in_chunks,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu
from layerforge._jit_runtime import (
    use_jit,
    depthwise_conv,
    depthwise_weight_grad,
    compiled_conv_input_grad,
    window_columns,
)

__all__ = ["forward", "backward"]

INPUTS = ("x", "h0", "c0")
PARAMETERS = ("weight_ih", "weight_hh", "bias")
OUTPUTS = ("y", "h_n", "c_n")
SEQUENCES = ("x",)
STACKED = ("y",)
BATCH_FIRST = "batch_first"


def forward(x, weight_ih, weight_hh, bias, h0=None, c0=None, *, batch_first=True):
    """ConvLSTM forward pass.

    Convolutional LSTM over NCHW frames (Shi et al's, 2015, without peepholes; Keras
    ConvLSTM2D with return_sequences): gates = conv(x_t, weight_ih) + bias +
    conv(h_(t-1), weight_hh), packed [4 hidden_channels] channels in the order input,
    forget, cell, output, each convolution stride 1 and zero-padded to keep H and W
    (PyTorch's padding="same"); c_t = f * c_(t-1) + i * g, h_t = o * tanh(c_t), with
    sigmoid gates and tanh g. x is batch first [B, T, in_channels, H, W]
    (batch_first=False: time first); returns every h_t (y, [B, T, hidden_channels, H,
    W]), the last h (h_n) and the last c (c_n), [B, hidden_channels, H, W]. The input
    convolution of all T steps is one convolution before the loop. The initial states h0
    and c0 may be None (zeros).

    Args:
        x: float32 or float64 input of shape [T, B, in_channels, H, W]. The frames,
            batch first by default ([B, T, in_channels, H, W]).
        weight_ih: float32 or float64 parameter of shape [4*hidden_channels,
            in_channels, kH, kW]. The input filters of the gates i, f, g, o, stacked.
        weight_hh: float32 or float64 parameter of shape [4*hidden_channels,
            hidden_channels, kH, kW]. The recurrent filters of the gates i, f, g, o,
            stacked.
        bias: float32 or float64 parameter of shape [4*hidden_channels].
        h0: float32 or float64 input of shape [B, hidden_channels, H, W], None to leave
            it out. The initial hidden state; None for zeros.
        c0: float32 or float64 input of shape [B, hidden_channels, H, W], None to leave
            it out. The initial cell state; None for zeros.
        batch_first: bool, default True. x and y are [B, T, ...] (the default) instead
            of [T, B, ...].

    Returns:
        ((y, h_n, c_n), ctx): the outputs and the context that backward needs.
    """
    check_arrays(
        "conv_lstm",
        {
            "x": x,
            "weight_ih": weight_ih,
            "weight_hh": weight_hh,
            "bias": bias,
            "h0": h0,
            "c0": c0,
        },
        {
            "x": (
                ("B", "T", "in_channels", "H", "W")
                if batch_first
                else ("T", "B", "in_channels", "H", "W")
            ),
            "weight_ih": ("4*hidden_channels", "in_channels", "kH", "kW"),
            "weight_hh": ("4*hidden_channels", "hidden_channels", "kH", "kW"),
            "bias": ("4*hidden_channels",),
            "h0": ("B", "hidden_channels", "H", "W"),
            "c0": ("B", "hidden_channels", "H", "W"),
        },
        optional=("h0", "c0"),
    )
    check_attribute("conv_lstm", "batch_first", batch_first, "bool")
    check_steps("conv_lstm", "x", x.shape, 1 if batch_first else 0)
    check_nonempty("conv_lstm", "x", x.shape, -3)
    check_nonempty("conv_lstm", "x", x.shape, -2)
    check_nonempty("conv_lstm", "x", x.shape, -1)
    check_nonempty("conv_lstm", "weight_hh", weight_hh.shape, 1)
    check_nonempty("conv_lstm", "weight_ih", weight_ih.shape, -2)
    check_nonempty("conv_lstm", "weight_ih", weight_ih.shape, -1)
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[
            (batch_first, h0 is not None, c0 is not None)
        ]
        y, h_n, c_n, saved = forward_variant(x, weight_ih, weight_hh, bias, h0, c0)
        return (y, h_n, c_n), (
            backward_variant,
            saved,
            (y.dtype, y.shape, h_n.shape, c_n.shape),
            None,
        )
    forward_variant, backward_variant = _VARIANTS[
        (batch_first, h0 is not None, c0 is not None)
    ]
    y, h_n, c_n, saved = forward_variant(x, weight_ih, weight_hh, bias, h0, c0)
    return (y, h_n, c_n), (
        backward_variant,
        saved,
        (y.dtype, y.shape, h_n.shape, c_n.shape),
        None,
    )


def backward(grad_y, grad_h_n, grad_c_n, ctx):
    """ConvLSTM backward pass.

    Args:
        grad_y, grad_h_n, grad_c_n: gradient of the loss with respect to y, h_n, c_n.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight_ih, grad_weight_hh, grad_bias, grad_h0, grad_c0: gradients
            with respect to x, weight_ih, weight_hh, bias, h0, c0, in that order.
    """
    backward_variant, saved = check_context(
        "conv_lstm",
        __name__,
        ctx,
        {"grad_y": grad_y, "grad_h_n": grad_h_n, "grad_c_n": grad_c_n},
    )
    return backward_variant(grad_y, grad_h_n, grad_c_n, *saved)


def _forward_batch_first(x, weight_ih, weight_hh, bias, h0, c0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = np.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = np.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = np.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = np.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = np.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = np.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y.swapaxes(0, 1),
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            h0,
            c0,
            weight_hh,
        ),
    )


def _backward_batch_first(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    grad_c0 = grad_next_c
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, grad_h0, grad_c0


def _forward_no_batch_first_hoisted(x, weight_ih, bias):
    _t1 = bias.reshape(-1, 1, 1)
    hoisted_1 = _conv_same(x, weight_ih) + _t1
    return hoisted_1, (x, weight_ih, bias, _t1)


def _forward_no_batch_first_step(h, c, hoisted_1, weight_hh):
    gates = hoisted_1 + _conv_same(h, weight_hh)
    input_gate = _sigmoid(_chunk(gates, 4, 0, -3))
    forget_gate = _sigmoid(_chunk(gates, 4, 1, -3))
    cell_gate = np.tanh(_chunk(gates, 4, 2, -3))
    output_gate = _sigmoid(_chunk(gates, 4, 3, -3))
    c_next = forget_gate * c
    _t1 = input_gate * cell_gate
    c_next += _t1
    _t2 = np.tanh(c_next)
    h_next = output_gate * _t2
    return h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, _t2


def _backward_no_batch_first_step(
    grad_next_h,
    grad_next_c,
    grad_y,
    c,
    weight_hh,
    input_gate,
    forget_gate,
    cell_gate,
    output_gate,
    _t1,
):
    grad_h_next = grad_next_h + grad_y
    grad_output_gate = grad_h_next * _t1
    grad_c_next = _t1 * _t1
    np.subtract(1, grad_c_next, out=grad_c_next)
    grad_c_next *= grad_h_next
    grad_c_next *= output_gate
    grad_c_next += grad_next_c
    grad_input_gate = np.multiply(grad_c_next, cell_gate, out=grad_h_next)
    grad_cell_gate = grad_c_next * input_gate
    grad_forget_gate = grad_c_next * c
    grad_c = grad_c_next * forget_gate
    grad_gates = np.concatenate(
        (
            grad_input_gate * input_gate * (1 - input_gate),
            grad_forget_gate * forget_gate * (1 - forget_gate),
            grad_cell_gate * (1 - cell_gate * cell_gate),
            grad_output_gate * output_gate * (1 - output_gate),
        ),
        axis=-3,
    )
    grad_h = _conv_same_input_grad(grad_gates, weight_hh)
    return grad_h, grad_c, grad_gates


def _backward_no_batch_first_deferred(h, weight_hh, grad_gates):
    grad_weight_hh = _conv_same_weight_grad(grad_gates, h, weight_hh)
    return grad_weight_hh


def _backward_no_batch_first_hoisted(grad_hoisted_1, x, weight_ih, bias, _t1):
    grad_bias = _sum_to(grad_hoisted_1, _t1.shape).reshape(bias.shape)
    grad_x = _conv_same_input_grad(grad_hoisted_1, weight_ih)
    grad_weight_ih = _conv_same_weight_grad(grad_hoisted_1, x, weight_ih)
    return grad_x, grad_weight_ih, grad_bias


def _forward_batch_first_no_c0(x, weight_ih, weight_hh, bias, h0, c0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c0 = np.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = np.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = np.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = np.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = np.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = np.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = np.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y.swapaxes(0, 1),
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            h0,
            None,
            weight_hh,
        ),
    )


def _backward_batch_first_no_c0(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    c0 = np.zeros_like(c_next_steps[0])
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, grad_h0, None


def _forward_batch_first_no_h0(x, weight_ih, weight_hh, bias, h0, c0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = np.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = np.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = np.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = np.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = np.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = np.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y.swapaxes(0, 1),
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            None,
            c0,
            weight_hh,
        ),
    )


def _backward_batch_first_no_h0(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    h0 = np.zeros_like(y[0])
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_c0 = grad_next_c
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, None, grad_c0


def _forward_batch_first_no_h0_no_c0(x, weight_ih, weight_hh, bias, h0, c0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    h = h0
    c0 = np.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = np.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = np.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = np.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = np.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = np.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = np.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y.swapaxes(0, 1),
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            None,
            None,
            weight_hh,
        ),
    )


def _backward_batch_first_no_h0_no_c0(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    h0 = np.zeros_like(y[0])
    c0 = np.zeros_like(c_next_steps[0])
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, None, None


def _forward_no_batch_first(x, weight_ih, weight_hh, bias, h0, c0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = np.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = np.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = np.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = np.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = np.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = np.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y,
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            h0,
            c0,
            weight_hh,
        ),
    )


def _backward_no_batch_first(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    grad_c0 = grad_next_c
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, grad_h0, grad_c0


def _forward_no_batch_first_no_c0(x, weight_ih, weight_hh, bias, h0, c0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c0 = np.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = np.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = np.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = np.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = np.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = np.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = np.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y,
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            h0,
            None,
            weight_hh,
        ),
    )


def _backward_no_batch_first_no_c0(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    steps = grad_y.shape[0]
    c0 = np.zeros_like(c_next_steps[0])
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, grad_h0, None


def _forward_no_batch_first_no_h0(x, weight_ih, weight_hh, bias, h0, c0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = np.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = np.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = np.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = np.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = np.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = np.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y,
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            None,
            c0,
            weight_hh,
        ),
    )


def _backward_no_batch_first_no_h0(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    steps = grad_y.shape[0]
    h0 = np.zeros_like(y[0])
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_c0 = grad_next_c
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, None, grad_c0


def _forward_no_batch_first_no_h0_no_c0(x, weight_ih, weight_hh, bias, h0, c0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    h = h0
    c0 = np.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = np.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = np.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = np.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = np.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = np.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = np.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y,
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            None,
            None,
            weight_hh,
        ),
    )


def _backward_no_batch_first_no_h0_no_c0(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    steps = grad_y.shape[0]
    h0 = np.zeros_like(y[0])
    c0 = np.zeros_like(c_next_steps[0])
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, None, None


_VARIANTS = {
    (True, True, True): (_forward_batch_first, _backward_batch_first),
    (True, True, False): (_forward_batch_first_no_c0, _backward_batch_first_no_c0),
    (True, False, True): (_forward_batch_first_no_h0, _backward_batch_first_no_h0),
    (True, False, False): (
        _forward_batch_first_no_h0_no_c0,
        _backward_batch_first_no_h0_no_c0,
    ),
    (False, True, True): (_forward_no_batch_first, _backward_no_batch_first),
    (False, True, False): (
        _forward_no_batch_first_no_c0,
        _backward_no_batch_first_no_c0,
    ),
    (False, False, True): (
        _forward_no_batch_first_no_h0,
        _backward_no_batch_first_no_h0,
    ),
    (False, False, False): (
        _forward_no_batch_first_no_h0_no_c0,
        _backward_no_batch_first_no_h0_no_c0,
    ),
}


def _chunk(x, pieces, index, axis):
    """The view of block ``index`` of ``pieces`` equal blocks of x along ``axis``."""
    size = x.shape[axis] // pieces
    where = [slice(None)] * x.ndim
    where[axis] = slice(index * size, (index + 1) * size)
    return x[tuple(where)]


def _conv_apply(weight, columns, x, stride, padding, dilation, groups):
    """weight [C_out, C / groups, kH, kW] times the columns of x -> [N, C_out, H_out,
    W_out], each group of output channels from its group of input channels.

    Stride 1: image by image (on threads, see in_chunks), on the rows of the padded
    grid, in blocks of rows: the block's column matrix [C * kH * kW, rows * W_p]
    gathered from the shifted slices of its padded input (one per kernel offset), and
    one matrix product with weight, batched over the groups (depthwise, groups = C =
    C_out: one 1 x kH * kW by kH * kW x rows * W_p product per channel). The blocks,
    of equal size, keep the gathered columns within 1.5 MiB, about what a core's L2
    cache holds (1 MiB on the Zen cores measured) so that the product reads them from
    there (2x faster for 4 groups of 8 channels of 64 x 64, smaller blocks paying in
    calls), or, with one output channel per group, within 16 MiB (matrix-vector
    products stream their operand, and gain from long rows instead). Depthwise under
    the numba backend (use_jit): the compiled depthwise_conv of the runtime, one
    GIL-free call per run of images (3x faster on one thread, and the threads' runs
    compute at the same time). Other grouped convolutions (groups > 1, a kernel larger
    than 1 x 1) under the numba backend: the block's columns [C * kH * kW, rows * W_out]
    gathered by the compiled window_columns of the runtime (one GIL-free call, without
    the grid's W_p - W_out extra columns per row), and the product written by np.matmul
    straight into the output: two calls a block instead of eleven, and no padded copy
    of x (see _im2col). 4 groups of 8 channels, 16 x 32 x 64 x 64 float32 by 3 x 3, one
    thread, CPU time (loaded machine): 6.3 ms with _im2col against 9.3.
    Larger strides: one matmul (batched over the groups)."""
    c_out, _, kernel_h, kernel_w = weight.shape
    n, c, h, w = x.shape
    (top, bottom), (left, right) = padding
    if not (n and c and c_out):  # no images or no channels: an empty sum, zeros
        out_h = (h + top + bottom - dilation[0] * (kernel_h - 1) - 1) // stride[0] + 1
        out_w = (w + left + right - dilation[1] * (kernel_w - 1) - 1) // stride[1] + 1
        return np.zeros((n, c_out, out_h, out_w), dtype=x.dtype)
    if stride[0] == 1 and stride[1] == 1:
        padded_h, padded_w = h + top + bottom, w + left + right
        out_h = padded_h - dilation[0] * (kernel_h - 1)
        out_w = padded_w - dilation[1] * (kernel_w - 1)
        image = c * padded_h * padded_w
        shifts = [
            dilation[0] * u * padded_w + dilation[1] * v
            for u in range(kernel_h)
            for v in range(kernel_w)
        ]
        flat = columns.reshape(-1)
        planes = columns.reshape(columns.shape[0], c, -1)  # [N (+ 1), C, H_p * W_p]
        result = np.empty((n, c_out, out_h, out_w), dtype=x.dtype)
        matrix = weight.reshape(groups, c_out // groups, -1)
        budget = 1 << 24 if c_out == groups else 3 << 19
        step = max(1, min(out_h, budget // (c * len(shifts) * padded_w * x.itemsize)))
        step = -(
            -out_h // -(-out_h // step)
        )  # blocks of equal size (the last one smaller)
        if c == c_out == groups and use_jit(columns):
            taps = weight.reshape(c, kernel_h, kernel_w)

            def compiled(first, last):
                depthwise_conv(
                    columns, taps, result, first, last, dilation[0], dilation[1]
                )

            in_chunks(compiled, n, x)
            return result
        # (columns that are x itself come from _im2col under numba, even if the backend changed since)
        if (
            groups > 1
            and len(shifts) > 1
            and (use_jit(columns) or columns.shape[0] == n)
        ):
            rows = max(1, min(out_h, budget // (c * len(shifts) * out_w * x.itemsize)))
            rows = -(-out_h // -(-out_h // rows))  # blocks of equal size, as above
            outputs = result.reshape(n, groups, c_out // groups, out_h * out_w)
            corner = (
                (top, left) if columns.shape[0] == n else (0, 0)
            )  # x itself: padding implicit

            def windows(first, last):
                buffer = np.empty(c * len(shifts) * rows * out_w, dtype=x.dtype)
                for image in range(first, last):
                    for row in range(0, out_h, rows):
                        end = min(row + rows, out_h)
                        block = buffer[: c * len(shifts) * (end - row) * out_w]
                        gathered = block.reshape(
                            c, kernel_h, kernel_w, end - row, out_w
                        )
                        window_columns(
                            columns, gathered, image, row, *corner, *dilation
                        )
                        product = outputs[image, :, :, row * out_w : end * out_w]
                        np.matmul(
                            matrix,
                            block.reshape(groups, -1, (end - row) * out_w),
                            out=product,
                        )

            in_chunks(windows, n, x)
            return result

        def images(first, last):
            count = last - first
            gathered = np.empty((count, c, len(shifts), step * padded_w), dtype=x.dtype)
            for row in range(0, out_h, step):
                end = min(row + step, out_h)
                span = (end - row) * padded_w
                if (
                    len(shifts) == 1
                ):  # a 1 x 1 kernel: the rows of the grid are its columns
                    block = planes[
                        first:last, :, None, row * padded_w : row * padded_w + span
                    ]
                else:
                    block = gathered[..., :span]
                    for k, shift in enumerate(shifts):
                        start = first * image + row * padded_w + shift
                        shifted = flat[start : start + count * image].reshape(
                            count, c, -1
                        )
                        block[:, :, k] = shifted[:, :, :span]
                on_grid = np.matmul(matrix, block.reshape(count, groups, -1, span))
                result[first:last, :, row:end] = on_grid.reshape(
                    count, c_out, end - row, padded_w
                )[..., :out_w]

        in_chunks(images, n, x)
        return result
    size, _, out_h, out_w = columns.shape
    if groups == 1:
        product = weight.reshape(c_out, size) @ columns.reshape(size, n * out_h * out_w)
    else:
        product = np.matmul(
            weight.reshape(groups, c_out // groups, -1),
            columns.reshape(groups, size // groups, -1),
        )
    return np.ascontiguousarray(
        product.reshape(c_out, n, out_h, out_w).transpose(1, 0, 2, 3)
    )


def _conv_input_grad(grad, weight, x, stride, padding, dilation, groups, padding_mode):
    """The gradient of a convolution with respect to x [N, C, H, W]. Stride 1: the
    convolution of grad, zero-padded by dilation * (k - 1) - padding (at least 0) on
    each side, with the kernel flipped in both directions and its channel axes swapped
    within each group (_conv_apply, depthwise where the convolution is), cropped to x's
    pixels. Otherwise image by image (on threads, see in_chunks): one product of the
    transposed kernel [C * kH * kW, C_out] (batched over the groups) with the image's
    gradient [C_out, H_out * W_out], whose [C, H_out, W_out] slab for each kernel offset
    is added onto the strided (padded) pixels that offset read, then cropped (under the
    numba backend, use_jit: the runtime's compiled_conv_input_grad, one buffer of
    products per thread's run of images and the compiled transposed_scatter). A
    padding_mode other than zeros: the gradient on the padded grid, folded back onto
    the pixels each padded one copies (_window_fold)."""
    n, c, h, w = x.shape
    c_out, c_group, kernel_h, kernel_w = weight.shape
    if not (grad.size and x.size):  # no images or no channels: an empty sum, zeros
        return np.zeros(x.shape, dtype=grad.dtype)
    out_h, out_w = grad.shape[2], grad.shape[3]
    (top, bottom), (left, right) = padding
    if padding_mode != "zeros":
        grid = np.broadcast_to(
            np.zeros((), dtype=grad.dtype), (n, c, h + top + bottom, w + left + right)
        )
        on_grid = _conv_input_grad(
            grad, weight, grid, stride, ((0, 0), (0, 0)), dilation, groups, "zeros"
        )
        return _window_fold(on_grid, x, padding, padding_mode)
    if stride[0] == 1 and stride[1] == 1:
        reach_h, reach_w = dilation[0] * (kernel_h - 1), dilation[1] * (kernel_w - 1)
        pads = (
            (max(reach_h - top, 0), max(reach_h - bottom, 0)),
            (max(reach_w - left, 0), max(reach_w - right, 0)),
        )
        flipped = weight[:, :, ::-1, ::-1].reshape(
            groups, c_out // groups, c_group, kernel_h, kernel_w
        )
        flipped = np.ascontiguousarray(flipped.transpose(0, 2, 1, 3, 4)).reshape(
            c, c_out // groups, kernel_h, kernel_w
        )
        padded = _im2col(grad, flipped, (1, 1), pads, dilation, "zeros")
        full = _conv_apply(flipped, padded, grad, (1, 1), pads, dilation, groups)
        if full.shape[2:] == (h, w):
            return full
        first_row, first_col = max(top - reach_h, 0), max(left - reach_w, 0)
        return np.ascontiguousarray(
            full[:, :, first_row : first_row + h, first_col : first_col + w]
        )
    result = np.empty(x.shape, dtype=grad.dtype)
    if use_jit(grad):
        compiled_conv_input_grad(
            grad, weight, result, groups, stride, dilation, top, left
        )
        return result
    # [G, C / G * kH * kW, C_out / G], a transposed view (BLAS reads it as it is; a strided
    # slice of weight per kernel offset is no BLAS operand, and runs NumPy's slow loop)
    taps = weight.reshape(groups, c_out // groups, -1).transpose(0, 2, 1)

    def images(first, last):
        count = last - first
        spread = np.matmul(
            taps, grad[first:last].reshape(count, groups, c_out // groups, -1)
        )
        spread = spread.reshape(count, c, kernel_h, kernel_w, out_h, out_w)
        on_grid = np.zeros(
            (count, c, h + top + bottom, w + left + right), dtype=grad.dtype
        )
        for u in range(kernel_h):
            for v in range(kernel_w):
                first_row, first_col = u * dilation[0], v * dilation[1]
                rows = slice(
                    first_row, first_row + stride[0] * (out_h - 1) + 1, stride[0]
                )
                cols = slice(
                    first_col, first_col + stride[1] * (out_w - 1) + 1, stride[1]
                )
                on_grid[:, :, rows, cols] += spread[:, :, u, v]
        result[first:last] = on_grid[:, :, top : top + h, left : left + w]

    in_chunks(images, n, grad)
    return result


def _conv_same(x, weight):
    """x [..., C, H, W] convolved with weight [F, C, kH, kW], padded to keep H and W:
    the leading axes folded into one batch (a view of a contiguous x) for _im2col and
    _conv_apply, and unfolded again."""
    kernel_h, kernel_w = weight.shape[2], weight.shape[3]
    padding = (
        ((kernel_h - 1) // 2, kernel_h // 2),
        ((kernel_w - 1) // 2, kernel_w // 2),
    )
    images = x.reshape(-1, *x.shape[-3:])
    columns = _im2col(images, weight, (1, 1), padding, (1, 1), "zeros")
    out = _conv_apply(weight, columns, images, (1, 1), padding, (1, 1), 1)
    return out.reshape(*x.shape[:-3], *out.shape[1:])


def _conv_same_input_grad(grad, weight):
    """The gradient of _conv_same for x: _conv_input_grad on the folded batch."""
    kernel_h, kernel_w = weight.shape[2], weight.shape[3]
    padding = (
        ((kernel_h - 1) // 2, kernel_h // 2),
        ((kernel_w - 1) // 2, kernel_w // 2),
    )
    rows = grad.reshape(-1, *grad.shape[-3:])
    like = np.broadcast_to(
        np.zeros((), dtype=grad.dtype),
        (rows.shape[0], weight.shape[1], *rows.shape[2:]),
    )
    out = _conv_input_grad(rows, weight, like, (1, 1), padding, (1, 1), 1, "zeros")
    return out.reshape(*grad.shape[:-3], *out.shape[1:])


def _conv_same_weight_grad(grad, x, weight):
    """The gradient of _conv_same for weight: _conv_weight_grad over the folded batch of
    every leading axis of grad and x."""
    kernel_h, kernel_w = weight.shape[2], weight.shape[3]
    padding = (
        ((kernel_h - 1) // 2, kernel_h // 2),
        ((kernel_w - 1) // 2, kernel_w // 2),
    )
    images = x.reshape(-1, *x.shape[-3:])
    columns = _im2col(images, weight, (1, 1), padding, (1, 1), "zeros")
    rows = grad.reshape(-1, *grad.shape[-3:])
    return _conv_weight_grad(rows, columns, weight, images, (1, 1), padding, (1, 1), 1)


def _conv_weight_grad(grad, columns, weight, x, stride, padding, dilation, groups):
    """grad [N, C_out, H_out, W_out] times the columns of x, summed over all positions,
    each group of output channels with its group of input channels.
    Stride 1: image by image (on threads, see in_chunks), in the blocks of rows of
    _conv_apply, the block's column matrix gathered as there times grad laid on the
    rows of the padded grid (zeros past W_out). Depthwise (groups = C = C_out): per
    kernel offset, one dot product per channel of its shifted rows, read in place, with
    grad's (no gathered columns: 1.7x faster on 32 channels of 64 x 64); under the
    numba backend (use_jit) the compiled depthwise_weight_grad of the runtime, one
    GIL-free call per run of images. Other grouped convolutions under the numba
    backend: the columns of _conv_apply's compiled path (window_columns) times grad's
    rows as they lie, one product a block (6.3 ms against 8.6 for the case there).
    Otherwise one matmul [K, P] @ [P, C_out] (the faster order for OpenBLAS, with the
    long P axis contiguous in both), batched over the groups, transposed, shaped like
    weight."""
    n, c_out, out_h, out_w = grad.shape
    if not (grad.size and x.size):  # no images or no channels: an empty sum, zeros
        return np.zeros(weight.shape, dtype=grad.dtype)
    if stride[0] == 1 and stride[1] == 1:
        _, _, kernel_h, kernel_w = weight.shape
        c = x.shape[1]
        (top, bottom), (left, right) = padding
        padded_h, padded_w = x.shape[2] + top + bottom, x.shape[3] + left + right
        image = c * padded_h * padded_w
        shifts = [
            dilation[0] * u * padded_w + dilation[1] * v
            for u in range(kernel_h)
            for v in range(kernel_w)
        ]
        flat = columns.reshape(-1)
        planes = columns.reshape(columns.shape[0], c, -1)  # [N (+ 1), C, H_p * W_p]
        budget = 1 << 24 if c_out == groups else 3 << 19
        step = max(
            1, min(out_h, budget // (c * len(shifts) * padded_w * grad.itemsize))
        )
        step = -(
            -out_h // -(-out_h // step)
        )  # blocks of equal size (the last one smaller)
        if c == c_out == groups and use_jit(grad):

            def compiled(first, last):
                return depthwise_weight_grad(
                    columns,
                    grad,
                    first,
                    last,
                    kernel_h,
                    kernel_w,
                    dilation[0],
                    dilation[1],
                )

            return in_chunks(compiled, n, grad).astype(grad.dtype).reshape(weight.shape)
        # (columns that are x itself come from _im2col under numba, even if the backend changed since)
        grouped = (
            groups > 1 and len(shifts) > 1 and (use_jit(grad) or columns.shape[0] == n)
        )
        if grouped:
            rows = max(
                1, min(out_h, budget // (c * len(shifts) * out_w * grad.itemsize))
            )
            rows = -(-out_h // -(-out_h // rows))  # blocks of equal size, as above
            per_group = grad.reshape(n, groups, c_out // groups, out_h * out_w)
            corner = (
                (top, left) if columns.shape[0] == n else (0, 0)
            )  # x itself: padding implicit

        def windows(first, last):
            buffer = np.empty(c * len(shifts) * rows * out_w, dtype=grad.dtype)
            total = np.zeros(
                (groups, c * len(shifts) // groups, c_out // groups), dtype=grad.dtype
            )
            product = np.empty_like(total)
            for image in range(first, last):
                for row in range(0, out_h, rows):
                    end = min(row + rows, out_h)
                    block = buffer[: c * len(shifts) * (end - row) * out_w]
                    gathered = block.reshape(c, kernel_h, kernel_w, end - row, out_w)
                    window_columns(columns, gathered, image, row, *corner, *dilation)
                    part = per_group[image, :, :, row * out_w : end * out_w].transpose(
                        0, 2, 1
                    )
                    total += np.matmul(
                        block.reshape(groups, -1, (end - row) * out_w),
                        part,
                        out=product,
                    )
            return total

        def depthwise(first, last):
            count = last - first
            on_grid = np.zeros((count, c, out_h, padded_w), dtype=grad.dtype)
            on_grid[..., :out_w] = grad[first:last]
            rows = on_grid.reshape(count, c, -1, 1)
            total = np.zeros((c, len(shifts), 1), dtype=grad.dtype)
            for k, shift in enumerate(shifts):
                start = first * image + shift
                shifted = flat[start : start + count * image].reshape(count, c, -1)
                total[:, k] = np.matmul(
                    shifted[:, :, None, : out_h * padded_w], rows
                ).sum(axis=0)[:, 0]
            return total

        def images(first, last):
            count = last - first
            gathered = np.empty(
                (count, c, len(shifts), step * padded_w), dtype=grad.dtype
            )
            on_grid = np.zeros((count, c_out, step, padded_w), dtype=grad.dtype)
            total = np.zeros(
                (groups, c * len(shifts) // groups, c_out // groups), dtype=grad.dtype
            )
            for row in range(0, out_h, step):
                end = min(row + step, out_h)
                span = (end - row) * padded_w
                if (
                    len(shifts) == 1
                ):  # a 1 x 1 kernel: the rows of the grid are its columns
                    block = planes[
                        first:last, :, None, row * padded_w : row * padded_w + span
                    ]
                else:
                    block = gathered[..., :span]
                    for k, shift in enumerate(shifts):
                        start = first * image + row * padded_w + shift
                        shifted = flat[start : start + count * image].reshape(
                            count, c, -1
                        )
                        block[:, :, k] = shifted[:, :, :span]
                if out_w == padded_w:  # no positions past W_out: grad is on the grid
                    per_group = grad[first:last, :, row:end].reshape(
                        count, groups, c_out // groups, span
                    )
                else:
                    on_grid[:, :, : end - row, :out_w] = grad[first:last, :, row:end]
                    per_group = on_grid[:, :, : end - row].reshape(
                        count, groups, c_out // groups, span
                    )
                total += np.matmul(
                    block.reshape(count, groups, -1, span),
                    per_group.transpose(0, 1, 3, 2),
                ).sum(axis=0)
            return total

        total = in_chunks(
            depthwise if c == c_out == groups else windows if grouped else images, n, x
        )
    elif groups == 1:
        per_channel = grad.transpose(1, 0, 2, 3).reshape(c_out, -1)
        total = columns.reshape(columns.shape[0], -1) @ per_channel.T
    else:
        per_channel = grad.transpose(1, 0, 2, 3).reshape(groups, c_out // groups, -1)
        total = np.matmul(
            columns.reshape(groups, columns.shape[0] // groups, -1),
            per_channel.transpose(0, 2, 1),
        )
    return np.ascontiguousarray(np.swapaxes(total, -1, -2)).reshape(weight.shape)


def _im2col(x, weight, stride, padding, dilation, padding_mode):
    """The windows of x [N, C, H, W] that a weight [C_out, C / groups, kH, kW] sees.

    Stride 1: x padded (with zeros or as ``padding_mode``), [N + 1, C, H_p, W_p] (one
    spare image of zeros at the end). Laid on the padded grid, the row (c, u, v) of
    image i's column matrix is then row c of the flat image shifted by
    dilation_h * u * W_p + dilation_w * v: a slice of the flat array, so the columns are
    never copied out (positions past W_out on the grid, which read into the next row or
    image, are computed and dropped). A 1 x 1 kernel without padding: x itself (its
    columns are x's rows, read in place). A grouped convolution (groups > 1, not
    depthwise, a kernel larger than 1 x 1) with zeros under the numba backend: x itself
    too, its padding implicit (the compiled window_columns reads zeros outside x: no
    padded copy). Larger strides: the columns [C * kH * kW, N, H_out, W_out], one
    strided view and one copy."""
    n, c, h, w = x.shape
    kernel_h, kernel_w = weight.shape[2], weight.shape[3]
    (top, bottom), (left, right) = padding
    if stride[0] == 1 and stride[1] == 1:
        if kernel_h == kernel_w == 1 and not (top or bottom or left or right):
            return x
        # (conv_apply's compiled grouped path: not depthwise, a kernel larger than 1 x 1)
        grouped = weight.shape[1] < c and not (
            weight.shape[1] == 1 and weight.shape[0] == c
        )
        if (
            grouped
            and kernel_h * kernel_w > 1
            and padding_mode == "zeros"
            and use_jit(x)
        ):
            return x
        padded = np.zeros((n + 1, c, h + top + bottom, w + left + right), dtype=x.dtype)
        if padding_mode == "zeros":
            padded[:n, :, top : top + h, left : left + w] = x
        else:
            padded[:n] = _window_pad(x, padding, padding_mode)
        return padded
    if top or bottom or left or right:
        x = _window_pad(x, padding, padding_mode)
    span_h, span_w = dilation[0] * (kernel_h - 1) + 1, dilation[1] * (kernel_w - 1) + 1
    windows = np.lib.stride_tricks.sliding_window_view(x, (span_h, span_w), axis=(2, 3))
    windows = windows[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]
    out_h, out_w = windows.shape[2:4]
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(
        c * kernel_h * kernel_w, n, out_h, out_w
    )


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


def _window_fold(grad, like, padding, padding_mode):
    """The gradient of _window_pad: grad on the padded grid summed back onto the pixels
    of like [N, C, H, W] that each padded pixel copies (one product per axis with the
    0/1 matrix of the copies: exact, each pixel's copies added up)."""
    (top, bottom), (left, right) = padding
    h, w = like.shape[2], like.shape[3]
    if padding_mode == "zeros":
        return np.ascontiguousarray(grad[:, :, top : top + h, left : left + w])
    mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[padding_mode]
    result = grad
    for axis, size, sides in ((2, h, (top, bottom)), (3, w, (left, right))):
        source = np.pad(np.arange(size), sides, mode=mode)
        copies = (source[:, None] == np.arange(size)[None, :]).astype(grad.dtype)
        result = np.moveaxis(np.matmul(np.moveaxis(result, axis, -1), copies), -1, axis)
    return np.ascontiguousarray(result)


def _window_pad(x, padding, padding_mode):
    """x [N, C, H, W] padded by ((top, bottom), (left, right)): with zeros, or with
    PyTorch's reflect, replicate or circular padding (np.pad's reflect, edge, wrap)."""
    widths = ((0, 0), (0, 0), tuple(padding[0]), tuple(padding[1]))
    if padding_mode == "zeros":
        return np.pad(x, widths)
    return np.pad(
        x,
        widths,
        mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[
            padding_mode
        ],
    )


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward_batch_first(x, weight_ih, weight_hh, bias, h0, c0):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = cp.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = cp.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = cp.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = cp.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = cp.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = cp.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y.swapaxes(0, 1),
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            h0,
            c0,
            weight_hh,
        ),
    )


def _cupy_backward_batch_first(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    import cupy as cp

    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _cupy_backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = cp.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    grad_c0 = grad_next_c
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, grad_h0, grad_c0


# conv_lstm_no_batch_first_hoisted_fwd_0: layers_spec/layers/conv_lstm.yaml:32
_conv_lstm_no_batch_first_hoisted_fwd_0 = ElementwiseKernel(
    "conv_lstm_no_batch_first_hoisted_fwd_0",
    "T _t1, T _t2",
    "T hoisted_1",
    """
    hoisted_1 = _t1 + _t2;
    """,
)


def _cupy_forward_no_batch_first_hoisted(x, weight_ih, bias):
    _t1 = _cupy_conv_same(x, weight_ih)
    _t2 = bias.reshape(-1, 1, 1)
    hoisted_1 = _conv_lstm_no_batch_first_hoisted_fwd_0(_t1, _t2)
    return hoisted_1, (x, weight_ih, bias, _t2)


# conv_lstm_no_batch_first_step_fwd_0: layers_spec/layers/conv_lstm.yaml:32
_conv_lstm_no_batch_first_step_fwd_0 = ElementwiseKernel(
    "conv_lstm_no_batch_first_step_fwd_0",
    "T hoisted_1, T _t4",
    "T gates",
    """
    gates = hoisted_1 + _t4;
    """,
)


# conv_lstm_no_batch_first_step_fwd_1: layers_spec/layers/conv_lstm.yaml:33
_conv_lstm_no_batch_first_step_fwd_1 = ElementwiseKernel(
    "conv_lstm_no_batch_first_step_fwd_1",
    "T _t5",
    "T input_gate",
    """
    input_gate = exp(_t5 < 0 ? _t5 : T(0)) / (1 + exp(-fabs(_t5)));
    """,
)


# conv_lstm_no_batch_first_step_fwd_2: layers_spec/layers/conv_lstm.yaml:34
_conv_lstm_no_batch_first_step_fwd_2 = ElementwiseKernel(
    "conv_lstm_no_batch_first_step_fwd_2",
    "T _t6",
    "T forget_gate",
    """
    forget_gate = exp(_t6 < 0 ? _t6 : T(0)) / (1 + exp(-fabs(_t6)));
    """,
)


# conv_lstm_no_batch_first_step_fwd_3: layers_spec/layers/conv_lstm.yaml:35
_conv_lstm_no_batch_first_step_fwd_3 = ElementwiseKernel(
    "conv_lstm_no_batch_first_step_fwd_3",
    "T _t7",
    "T cell_gate",
    """
    cell_gate = tanh(_t7);
    """,
)


# conv_lstm_no_batch_first_step_fwd_4: layers_spec/layers/conv_lstm.yaml:36,37,38
_conv_lstm_no_batch_first_step_fwd_4 = ElementwiseKernel(
    "conv_lstm_no_batch_first_step_fwd_4",
    "T _t8, T forget_gate, T c, T input_gate, T cell_gate",
    "T output_gate, T c_next, T _t11, T h_next",
    """
    output_gate = exp(_t8 < 0 ? _t8 : T(0)) / (1 + exp(-fabs(_t8)));
    T _t9 = forget_gate * c;
    T _t10 = input_gate * cell_gate;
    c_next = _t9 + _t10;
    _t11 = tanh(c_next);
    h_next = output_gate * _t11;
    """,
)


def _cupy_forward_no_batch_first_step(h, c, hoisted_1, weight_hh):
    _t4 = _cupy_conv_same(h, weight_hh)
    gates = _conv_lstm_no_batch_first_step_fwd_0(hoisted_1, _t4)
    _t5 = _chunk(gates, 4, 0, -3)
    input_gate = _conv_lstm_no_batch_first_step_fwd_1(_t5)
    _t6 = _chunk(gates, 4, 1, -3)
    forget_gate = _conv_lstm_no_batch_first_step_fwd_2(_t6)
    _t7 = _chunk(gates, 4, 2, -3)
    cell_gate = _conv_lstm_no_batch_first_step_fwd_3(_t7)
    _t8 = _chunk(gates, 4, 3, -3)
    output_gate, c_next, _t11, h_next = _conv_lstm_no_batch_first_step_fwd_4(
        _t8, forget_gate, c, input_gate, cell_gate
    )
    return h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, _t11


# conv_lstm_no_batch_first_step_bwd_0: <generated>:1; layers_spec/primitives.yaml:61,62,180,201
_conv_lstm_no_batch_first_step_bwd_0 = ElementwiseKernel(
    "conv_lstm_no_batch_first_step_bwd_0",
    "T grad_next_h, T grad_y, T _t11, T output_gate, T grad_next_c, T cell_gate, T input_gate, T c, T forget_gate",
    "T grad_c, T _t23, T _t27, T _t31, T _t35",
    """
    T grad_h_next = grad_next_h + grad_y;
    T grad_output_gate = grad_h_next * _t11;
    T _t13 = grad_h_next * output_gate;
    T _t14 = _t11 * _t11;
    T _t15 = T(1) - _t14;
    T _t16 = _t13 * _t15;
    T grad_c_next = grad_next_c + _t16;
    T grad_input_gate = grad_c_next * cell_gate;
    T grad_cell_gate = grad_c_next * input_gate;
    T grad_forget_gate = grad_c_next * c;
    grad_c = grad_c_next * forget_gate;
    T _t21 = grad_output_gate * output_gate;
    T _t22 = T(1) - output_gate;
    _t23 = _t21 * _t22;
    T _t25 = cell_gate * cell_gate;
    T _t26 = T(1) - _t25;
    _t27 = grad_cell_gate * _t26;
    T _t29 = grad_forget_gate * forget_gate;
    T _t30 = T(1) - forget_gate;
    _t31 = _t29 * _t30;
    T _t33 = grad_input_gate * input_gate;
    T _t34 = T(1) - input_gate;
    _t35 = _t33 * _t34;
    """,
)


def _cupy_backward_no_batch_first_step(
    grad_next_h,
    grad_next_c,
    grad_y,
    c,
    weight_hh,
    input_gate,
    forget_gate,
    cell_gate,
    output_gate,
    _t11,
):
    import cupy as cp

    grad_c, _t23, _t27, _t31, _t35 = _conv_lstm_no_batch_first_step_bwd_0(
        grad_next_h,
        grad_y,
        _t11,
        output_gate,
        grad_next_c,
        cell_gate,
        input_gate,
        c,
        forget_gate,
    )
    grad_gates = cp.concatenate((_t35, _t31, _t27, _t23), axis=-3)
    grad_h = _cupy_conv_same_input_grad(grad_gates, weight_hh)
    return grad_h, grad_c, grad_gates


def _cupy_backward_no_batch_first_deferred(h, weight_hh, grad_gates):
    grad_weight_hh = _cupy_conv_same_weight_grad(grad_gates, h, weight_hh)
    return grad_weight_hh


def _cupy_backward_no_batch_first_hoisted(grad_hoisted_1, x, weight_ih, bias, _t2):
    _t12 = _cupy_sum_to(grad_hoisted_1, _t2.shape)
    grad_bias = _t12.reshape(bias.shape)
    grad_x = _cupy_conv_same_input_grad(grad_hoisted_1, weight_ih)
    grad_weight_ih = _cupy_conv_same_weight_grad(grad_hoisted_1, x, weight_ih)
    return grad_x, grad_weight_ih, grad_bias


def _cupy_forward_batch_first_no_c0(x, weight_ih, weight_hh, bias, h0, c0):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c0 = cp.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = cp.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = cp.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = cp.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = cp.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = cp.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = cp.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y.swapaxes(0, 1),
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            h0,
            None,
            weight_hh,
        ),
    )


def _cupy_backward_batch_first_no_c0(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    import cupy as cp

    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    c0 = cp.zeros_like(c_next_steps[0])
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _cupy_backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = cp.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, grad_h0, None


def _cupy_forward_batch_first_no_h0(x, weight_ih, weight_hh, bias, h0, c0):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = cp.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = cp.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = cp.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = cp.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = cp.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = cp.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y.swapaxes(0, 1),
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            None,
            c0,
            weight_hh,
        ),
    )


def _cupy_backward_batch_first_no_h0(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    import cupy as cp

    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    h0 = cp.zeros_like(y[0])
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _cupy_backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = cp.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_c0 = grad_next_c
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, None, grad_c0


def _cupy_forward_batch_first_no_h0_no_c0(x, weight_ih, weight_hh, bias, h0, c0):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    h = h0
    c0 = cp.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = cp.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = cp.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = cp.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = cp.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = cp.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = cp.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y.swapaxes(0, 1),
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            None,
            None,
            weight_hh,
        ),
    )


def _cupy_backward_batch_first_no_h0_no_c0(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    import cupy as cp

    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    h0 = cp.zeros_like(y[0])
    c0 = cp.zeros_like(c_next_steps[0])
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _cupy_backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = cp.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, None, None


def _cupy_forward_no_batch_first(x, weight_ih, weight_hh, bias, h0, c0):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = cp.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = cp.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = cp.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = cp.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = cp.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = cp.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y,
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            h0,
            c0,
            weight_hh,
        ),
    )


def _cupy_backward_no_batch_first(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    import cupy as cp

    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _cupy_backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = cp.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    grad_c0 = grad_next_c
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, grad_h0, grad_c0


def _cupy_forward_no_batch_first_no_c0(x, weight_ih, weight_hh, bias, h0, c0):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c0 = cp.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = cp.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = cp.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = cp.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = cp.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = cp.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = cp.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y,
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            h0,
            None,
            weight_hh,
        ),
    )


def _cupy_backward_no_batch_first_no_c0(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    import cupy as cp

    steps = grad_y.shape[0]
    c0 = cp.zeros_like(c_next_steps[0])
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _cupy_backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = cp.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, grad_h0, None


def _cupy_forward_no_batch_first_no_h0(x, weight_ih, weight_hh, bias, h0, c0):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = cp.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = cp.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = cp.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = cp.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = cp.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = cp.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y,
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            None,
            c0,
            weight_hh,
        ),
    )


def _cupy_backward_no_batch_first_no_h0(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    import cupy as cp

    steps = grad_y.shape[0]
    h0 = cp.zeros_like(y[0])
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _cupy_backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = cp.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_c0 = grad_next_c
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, None, grad_c0


def _cupy_forward_no_batch_first_no_h0_no_c0(x, weight_ih, weight_hh, bias, h0, c0):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih, bias
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    h = h0
    c0 = cp.zeros(
        (x.shape[1], weight_hh.shape[1], x.shape[3], x.shape[4]), dtype=x.dtype
    )
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(h, c, hoisted_1[t], weight_hh)
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            c_next_steps = cp.empty((steps, *c_next.shape), dtype=c_next.dtype)
            input_gate_steps = cp.empty(
                (steps, *input_gate.shape), dtype=input_gate.dtype
            )
            forget_gate_steps = cp.empty(
                (steps, *forget_gate.shape), dtype=forget_gate.dtype
            )
            cell_gate_steps = cp.empty((steps, *cell_gate.shape), dtype=cell_gate.dtype)
            output_gate_steps = cp.empty(
                (steps, *output_gate.shape), dtype=output_gate.dtype
            )
            saved_11_steps = cp.empty((steps, *saved_11.shape), dtype=saved_11.dtype)
        y[t] = h_next
        c_next_steps[t] = c_next
        input_gate_steps[t] = input_gate
        forget_gate_steps[t] = forget_gate
        cell_gate_steps[t] = cell_gate
        output_gate_steps[t] = output_gate
        saved_11_steps[t] = saved_11
        h = h_next
        c = c_next
    return (
        y,
        h,
        c,
        (
            hoisted_saved,
            y,
            c_next_steps,
            input_gate_steps,
            forget_gate_steps,
            cell_gate_steps,
            output_gate_steps,
            saved_11_steps,
            None,
            None,
            weight_hh,
        ),
    )


def _cupy_backward_no_batch_first_no_h0_no_c0(
    grad_y,
    grad_h_n,
    grad_c_n,
    hoisted_saved,
    y,
    c_next_steps,
    input_gate_steps,
    forget_gate_steps,
    cell_gate_steps,
    output_gate_steps,
    saved_11_steps,
    h0,
    c0,
    weight_hh,
):
    import cupy as cp

    steps = grad_y.shape[0]
    h0 = cp.zeros_like(y[0])
    c0 = cp.zeros_like(c_next_steps[0])
    grad_next_h = grad_h_n
    grad_next_c = grad_c_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, grad_next_c, grad_gates = _cupy_backward_no_batch_first_step(
            grad_next_h,
            grad_next_c,
            grad_y[t],
            (c_next_steps[t - 1] if t else c0),
            weight_hh,
            input_gate_steps[t],
            forget_gate_steps[t],
            cell_gate_steps[t],
            output_gate_steps[t],
            saved_11_steps[t],
        )
        if t == steps - 1:
            grad_gates_steps = cp.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
        grad_gates_steps[t] = grad_gates
    grad_weight_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), weight_hh, grad_gates_steps
    )
    grad_x, grad_weight_ih, grad_bias = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias, None, None


_CUPY_VARIANTS = {
    (True, True, True): (_cupy_forward_batch_first, _cupy_backward_batch_first),
    (True, True, False): (
        _cupy_forward_batch_first_no_c0,
        _cupy_backward_batch_first_no_c0,
    ),
    (True, False, True): (
        _cupy_forward_batch_first_no_h0,
        _cupy_backward_batch_first_no_h0,
    ),
    (True, False, False): (
        _cupy_forward_batch_first_no_h0_no_c0,
        _cupy_backward_batch_first_no_h0_no_c0,
    ),
    (False, True, True): (_cupy_forward_no_batch_first, _cupy_backward_no_batch_first),
    (False, True, False): (
        _cupy_forward_no_batch_first_no_c0,
        _cupy_backward_no_batch_first_no_c0,
    ),
    (False, False, True): (
        _cupy_forward_no_batch_first_no_h0,
        _cupy_backward_no_batch_first_no_h0,
    ),
    (False, False, False): (
        _cupy_forward_no_batch_first_no_h0_no_c0,
        _cupy_backward_no_batch_first_no_h0_no_c0,
    ),
}


def _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups):
    """weight [C_out, C / groups, kH, kW] times the columns of x -> [N, C_out, H_out,
    W_out], each group of output channels from its group of input channels.

    Stride 1: image by image (on threads, see in_chunks), on the rows of the padded
    grid, in blocks of rows: the block's column matrix [C * kH * kW, rows * W_p]
    gathered from the shifted slices of its padded input (one per kernel offset), and
    one matrix product with weight, batched over the groups (depthwise, groups = C =
    C_out: one 1 x kH * kW by kH * kW x rows * W_p product per channel). The blocks,
    of equal size, keep the gathered columns within 1.5 MiB, about what a core's L2
    cache holds (1 MiB on the Zen cores measured) so that the product reads them from
    there (2x faster for 4 groups of 8 channels of 64 x 64, smaller blocks paying in
    calls), or, with one output channel per group, within 16 MiB (matrix-vector
    products stream their operand, and gain from long rows instead). Depthwise under
    the numba backend (use_jit): the compiled depthwise_conv of the runtime, one
    GIL-free call per run of images (3x faster on one thread, and the threads' runs
    compute at the same time). Other grouped convolutions (groups > 1, a kernel larger
    than 1 x 1) under the numba backend: the block's columns [C * kH * kW, rows * W_out]
    gathered by the compiled window_columns of the runtime (one GIL-free call, without
    the grid's W_p - W_out extra columns per row), and the product written by np.matmul
    straight into the output: two calls a block instead of eleven, and no padded copy
    of x (see _im2col). 4 groups of 8 channels, 16 x 32 x 64 x 64 float32 by 3 x 3, one
    thread, CPU time (loaded machine): 6.3 ms with _im2col against 9.3.
    Larger strides: one matmul (batched over the groups)."""
    import cupy as cp

    c_out, _, kernel_h, kernel_w = weight.shape
    n, c, h, w = x.shape
    (top, bottom), (left, right) = padding
    if not (n and c and c_out):  # no images or no channels: an empty sum, zeros
        out_h = (h + top + bottom - dilation[0] * (kernel_h - 1) - 1) // stride[0] + 1
        out_w = (w + left + right - dilation[1] * (kernel_w - 1) - 1) // stride[1] + 1
        return cp.zeros((n, c_out, out_h, out_w), dtype=x.dtype)
    if stride[0] == 1 and stride[1] == 1:
        padded_h, padded_w = h + top + bottom, w + left + right
        out_h = padded_h - dilation[0] * (kernel_h - 1)
        out_w = padded_w - dilation[1] * (kernel_w - 1)
        image = c * padded_h * padded_w
        shifts = [
            dilation[0] * u * padded_w + dilation[1] * v
            for u in range(kernel_h)
            for v in range(kernel_w)
        ]
        flat = columns.reshape(-1)
        planes = columns.reshape(columns.shape[0], c, -1)  # [N (+ 1), C, H_p * W_p]
        result = cp.empty((n, c_out, out_h, out_w), dtype=x.dtype)
        matrix = weight.reshape(groups, c_out // groups, -1)
        budget = 1 << 24 if c_out == groups else 3 << 19
        step = max(1, min(out_h, budget // (c * len(shifts) * padded_w * x.itemsize)))
        step = -(
            -out_h // -(-out_h // step)
        )  # blocks of equal size (the last one smaller)
        if c == c_out == groups and use_jit(columns):
            taps = weight.reshape(c, kernel_h, kernel_w)

            def compiled(first, last):
                depthwise_conv(
                    columns, taps, result, first, last, dilation[0], dilation[1]
                )

            in_chunks(compiled, n, x)
            return result
        # (columns that are x itself come from _im2col under numba, even if the backend changed since)
        if (
            groups > 1
            and len(shifts) > 1
            and (use_jit(columns) or columns.shape[0] == n)
        ):
            rows = max(1, min(out_h, budget // (c * len(shifts) * out_w * x.itemsize)))
            rows = -(-out_h // -(-out_h // rows))  # blocks of equal size, as above
            outputs = result.reshape(n, groups, c_out // groups, out_h * out_w)
            corner = (
                (top, left) if columns.shape[0] == n else (0, 0)
            )  # x itself: padding implicit

            def windows(first, last):
                buffer = cp.empty(c * len(shifts) * rows * out_w, dtype=x.dtype)
                for image in range(first, last):
                    for row in range(0, out_h, rows):
                        end = min(row + rows, out_h)
                        block = buffer[: c * len(shifts) * (end - row) * out_w]
                        gathered = block.reshape(
                            c, kernel_h, kernel_w, end - row, out_w
                        )
                        window_columns(
                            columns, gathered, image, row, *corner, *dilation
                        )
                        product = outputs[image, :, :, row * out_w : end * out_w]
                        cp.matmul(
                            matrix,
                            block.reshape(groups, -1, (end - row) * out_w),
                            out=product,
                        )

            in_chunks(windows, n, x)
            return result

        def images(first, last):
            count = last - first
            gathered = cp.empty((count, c, len(shifts), step * padded_w), dtype=x.dtype)
            for row in range(0, out_h, step):
                end = min(row + step, out_h)
                span = (end - row) * padded_w
                if (
                    len(shifts) == 1
                ):  # a 1 x 1 kernel: the rows of the grid are its columns
                    block = planes[
                        first:last, :, None, row * padded_w : row * padded_w + span
                    ]
                else:
                    block = gathered[..., :span]
                    for k, shift in enumerate(shifts):
                        start = first * image + row * padded_w + shift
                        shifted = flat[start : start + count * image].reshape(
                            count, c, -1
                        )
                        block[:, :, k] = shifted[:, :, :span]
                on_grid = cp.matmul(matrix, block.reshape(count, groups, -1, span))
                result[first:last, :, row:end] = on_grid.reshape(
                    count, c_out, end - row, padded_w
                )[..., :out_w]

        in_chunks(images, n, x)
        return result
    size, _, out_h, out_w = columns.shape
    if groups == 1:
        product = weight.reshape(c_out, size) @ columns.reshape(size, n * out_h * out_w)
    else:
        product = cp.matmul(
            weight.reshape(groups, c_out // groups, -1),
            columns.reshape(groups, size // groups, -1),
        )
    return cp.ascontiguousarray(
        product.reshape(c_out, n, out_h, out_w).transpose(1, 0, 2, 3)
    )


def _cupy_conv_input_grad(
    grad, weight, x, stride, padding, dilation, groups, padding_mode
):
    """The gradient of a convolution with respect to x [N, C, H, W]. Stride 1: the
    convolution of grad, zero-padded by dilation * (k - 1) - padding (at least 0) on
    each side, with the kernel flipped in both directions and its channel axes swapped
    within each group (_conv_apply, depthwise where the convolution is), cropped to x's
    pixels. Otherwise image by image (on threads, see in_chunks): one product of the
    transposed kernel [C * kH * kW, C_out] (batched over the groups) with the image's
    gradient [C_out, H_out * W_out], whose [C, H_out, W_out] slab for each kernel offset
    is added onto the strided (padded) pixels that offset read, then cropped (under the
    numba backend, use_jit: the runtime's compiled_conv_input_grad, one buffer of
    products per thread's run of images and the compiled transposed_scatter). A
    padding_mode other than zeros: the gradient on the padded grid, folded back onto
    the pixels each padded one copies (_window_fold)."""
    import cupy as cp

    n, c, h, w = x.shape
    c_out, c_group, kernel_h, kernel_w = weight.shape
    if not (grad.size and x.size):  # no images or no channels: an empty sum, zeros
        return cp.zeros(x.shape, dtype=grad.dtype)
    out_h, out_w = grad.shape[2], grad.shape[3]
    (top, bottom), (left, right) = padding
    if padding_mode != "zeros":
        grid = cp.broadcast_to(
            cp.zeros((), dtype=grad.dtype), (n, c, h + top + bottom, w + left + right)
        )
        on_grid = _cupy_conv_input_grad(
            grad, weight, grid, stride, ((0, 0), (0, 0)), dilation, groups, "zeros"
        )
        return _cupy_window_fold(on_grid, x, padding, padding_mode)
    if stride[0] == 1 and stride[1] == 1:
        reach_h, reach_w = dilation[0] * (kernel_h - 1), dilation[1] * (kernel_w - 1)
        pads = (
            (max(reach_h - top, 0), max(reach_h - bottom, 0)),
            (max(reach_w - left, 0), max(reach_w - right, 0)),
        )
        flipped = weight[:, :, ::-1, ::-1].reshape(
            groups, c_out // groups, c_group, kernel_h, kernel_w
        )
        flipped = cp.ascontiguousarray(flipped.transpose(0, 2, 1, 3, 4)).reshape(
            c, c_out // groups, kernel_h, kernel_w
        )
        padded = _cupy_im2col(grad, flipped, (1, 1), pads, dilation, "zeros")
        full = _cupy_conv_apply(flipped, padded, grad, (1, 1), pads, dilation, groups)
        if full.shape[2:] == (h, w):
            return full
        first_row, first_col = max(top - reach_h, 0), max(left - reach_w, 0)
        return cp.ascontiguousarray(
            full[:, :, first_row : first_row + h, first_col : first_col + w]
        )
    result = cp.empty(x.shape, dtype=grad.dtype)
    if use_jit(grad):
        compiled_conv_input_grad(
            grad, weight, result, groups, stride, dilation, top, left
        )
        return result
    # [G, C / G * kH * kW, C_out / G], a transposed view (BLAS reads it as it is; a strided
    # slice of weight per kernel offset is no BLAS operand, and runs NumPy's slow loop)
    taps = weight.reshape(groups, c_out // groups, -1).transpose(0, 2, 1)

    def images(first, last):
        count = last - first
        spread = cp.matmul(
            taps, grad[first:last].reshape(count, groups, c_out // groups, -1)
        )
        spread = spread.reshape(count, c, kernel_h, kernel_w, out_h, out_w)
        on_grid = cp.zeros(
            (count, c, h + top + bottom, w + left + right), dtype=grad.dtype
        )
        for u in range(kernel_h):
            for v in range(kernel_w):
                first_row, first_col = u * dilation[0], v * dilation[1]
                rows = slice(
                    first_row, first_row + stride[0] * (out_h - 1) + 1, stride[0]
                )
                cols = slice(
                    first_col, first_col + stride[1] * (out_w - 1) + 1, stride[1]
                )
                on_grid[:, :, rows, cols] += spread[:, :, u, v]
        result[first:last] = on_grid[:, :, top : top + h, left : left + w]

    in_chunks(images, n, grad)
    return result


def _cupy_conv_same(x, weight):
    """x [..., C, H, W] convolved with weight [F, C, kH, kW], padded to keep H and W:
    the leading axes folded into one batch (a view of a contiguous x) for _im2col and
    _conv_apply, and unfolded again."""
    kernel_h, kernel_w = weight.shape[2], weight.shape[3]
    padding = (
        ((kernel_h - 1) // 2, kernel_h // 2),
        ((kernel_w - 1) // 2, kernel_w // 2),
    )
    images = x.reshape(-1, *x.shape[-3:])
    columns = _cupy_im2col(images, weight, (1, 1), padding, (1, 1), "zeros")
    out = _cupy_conv_apply(weight, columns, images, (1, 1), padding, (1, 1), 1)
    return out.reshape(*x.shape[:-3], *out.shape[1:])


def _cupy_conv_same_input_grad(grad, weight):
    """The gradient of _conv_same for x: _conv_input_grad on the folded batch."""
    import cupy as cp

    kernel_h, kernel_w = weight.shape[2], weight.shape[3]
    padding = (
        ((kernel_h - 1) // 2, kernel_h // 2),
        ((kernel_w - 1) // 2, kernel_w // 2),
    )
    rows = grad.reshape(-1, *grad.shape[-3:])
    like = cp.broadcast_to(
        cp.zeros((), dtype=grad.dtype),
        (rows.shape[0], weight.shape[1], *rows.shape[2:]),
    )
    out = _cupy_conv_input_grad(rows, weight, like, (1, 1), padding, (1, 1), 1, "zeros")
    return out.reshape(*grad.shape[:-3], *out.shape[1:])


def _cupy_conv_same_weight_grad(grad, x, weight):
    """The gradient of _conv_same for weight: _conv_weight_grad over the folded batch of
    every leading axis of grad and x."""
    kernel_h, kernel_w = weight.shape[2], weight.shape[3]
    padding = (
        ((kernel_h - 1) // 2, kernel_h // 2),
        ((kernel_w - 1) // 2, kernel_w // 2),
    )
    images = x.reshape(-1, *x.shape[-3:])
    columns = _cupy_im2col(images, weight, (1, 1), padding, (1, 1), "zeros")
    rows = grad.reshape(-1, *grad.shape[-3:])
    return _cupy_conv_weight_grad(
        rows, columns, weight, images, (1, 1), padding, (1, 1), 1
    )


def _cupy_conv_weight_grad(grad, columns, weight, x, stride, padding, dilation, groups):
    """grad [N, C_out, H_out, W_out] times the columns of x, summed over all positions,
    each group of output channels with its group of input channels.
    Stride 1: image by image (on threads, see in_chunks), in the blocks of rows of
    _conv_apply, the block's column matrix gathered as there times grad laid on the
    rows of the padded grid (zeros past W_out). Depthwise (groups = C = C_out): per
    kernel offset, one dot product per channel of its shifted rows, read in place, with
    grad's (no gathered columns: 1.7x faster on 32 channels of 64 x 64); under the
    numba backend (use_jit) the compiled depthwise_weight_grad of the runtime, one
    GIL-free call per run of images. Other grouped convolutions under the numba
    backend: the columns of _conv_apply's compiled path (window_columns) times grad's
    rows as they lie, one product a block (6.3 ms against 8.6 for the case there).
    Otherwise one matmul [K, P] @ [P, C_out] (the faster order for OpenBLAS, with the
    long P axis contiguous in both), batched over the groups, transposed, shaped like
    weight."""
    import cupy as cp

    n, c_out, out_h, out_w = grad.shape
    if not (grad.size and x.size):  # no images or no channels: an empty sum, zeros
        return cp.zeros(weight.shape, dtype=grad.dtype)
    if stride[0] == 1 and stride[1] == 1:
        _, _, kernel_h, kernel_w = weight.shape
        c = x.shape[1]
        (top, bottom), (left, right) = padding
        padded_h, padded_w = x.shape[2] + top + bottom, x.shape[3] + left + right
        image = c * padded_h * padded_w
        shifts = [
            dilation[0] * u * padded_w + dilation[1] * v
            for u in range(kernel_h)
            for v in range(kernel_w)
        ]
        flat = columns.reshape(-1)
        planes = columns.reshape(columns.shape[0], c, -1)  # [N (+ 1), C, H_p * W_p]
        budget = 1 << 24 if c_out == groups else 3 << 19
        step = max(
            1, min(out_h, budget // (c * len(shifts) * padded_w * grad.itemsize))
        )
        step = -(
            -out_h // -(-out_h // step)
        )  # blocks of equal size (the last one smaller)
        if c == c_out == groups and use_jit(grad):

            def compiled(first, last):
                return depthwise_weight_grad(
                    columns,
                    grad,
                    first,
                    last,
                    kernel_h,
                    kernel_w,
                    dilation[0],
                    dilation[1],
                )

            return in_chunks(compiled, n, grad).astype(grad.dtype).reshape(weight.shape)
        # (columns that are x itself come from _im2col under numba, even if the backend changed since)
        grouped = (
            groups > 1 and len(shifts) > 1 and (use_jit(grad) or columns.shape[0] == n)
        )
        if grouped:
            rows = max(
                1, min(out_h, budget // (c * len(shifts) * out_w * grad.itemsize))
            )
            rows = -(-out_h // -(-out_h // rows))  # blocks of equal size, as above
            per_group = grad.reshape(n, groups, c_out // groups, out_h * out_w)
            corner = (
                (top, left) if columns.shape[0] == n else (0, 0)
            )  # x itself: padding implicit

        def windows(first, last):
            buffer = cp.empty(c * len(shifts) * rows * out_w, dtype=grad.dtype)
            total = cp.zeros(
                (groups, c * len(shifts) // groups, c_out // groups), dtype=grad.dtype
            )
            product = cp.empty_like(total)
            for image in range(first, last):
                for row in range(0, out_h, rows):
                    end = min(row + rows, out_h)
                    block = buffer[: c * len(shifts) * (end - row) * out_w]
                    gathered = block.reshape(c, kernel_h, kernel_w, end - row, out_w)
                    window_columns(columns, gathered, image, row, *corner, *dilation)
                    part = per_group[image, :, :, row * out_w : end * out_w].transpose(
                        0, 2, 1
                    )
                    total += cp.matmul(
                        block.reshape(groups, -1, (end - row) * out_w),
                        part,
                        out=product,
                    )
            return total

        def depthwise(first, last):
            count = last - first
            on_grid = cp.zeros((count, c, out_h, padded_w), dtype=grad.dtype)
            on_grid[..., :out_w] = grad[first:last]
            rows = on_grid.reshape(count, c, -1, 1)
            total = cp.zeros((c, len(shifts), 1), dtype=grad.dtype)
            for k, shift in enumerate(shifts):
                start = first * image + shift
                shifted = flat[start : start + count * image].reshape(count, c, -1)
                total[:, k] = cp.matmul(
                    shifted[:, :, None, : out_h * padded_w], rows
                ).sum(axis=0)[:, 0]
            return total

        def images(first, last):
            count = last - first
            gathered = cp.empty(
                (count, c, len(shifts), step * padded_w), dtype=grad.dtype
            )
            on_grid = cp.zeros((count, c_out, step, padded_w), dtype=grad.dtype)
            total = cp.zeros(
                (groups, c * len(shifts) // groups, c_out // groups), dtype=grad.dtype
            )
            for row in range(0, out_h, step):
                end = min(row + step, out_h)
                span = (end - row) * padded_w
                if (
                    len(shifts) == 1
                ):  # a 1 x 1 kernel: the rows of the grid are its columns
                    block = planes[
                        first:last, :, None, row * padded_w : row * padded_w + span
                    ]
                else:
                    block = gathered[..., :span]
                    for k, shift in enumerate(shifts):
                        start = first * image + row * padded_w + shift
                        shifted = flat[start : start + count * image].reshape(
                            count, c, -1
                        )
                        block[:, :, k] = shifted[:, :, :span]
                if out_w == padded_w:  # no positions past W_out: grad is on the grid
                    per_group = grad[first:last, :, row:end].reshape(
                        count, groups, c_out // groups, span
                    )
                else:
                    on_grid[:, :, : end - row, :out_w] = grad[first:last, :, row:end]
                    per_group = on_grid[:, :, : end - row].reshape(
                        count, groups, c_out // groups, span
                    )
                total += cp.matmul(
                    block.reshape(count, groups, -1, span),
                    per_group.transpose(0, 1, 3, 2),
                ).sum(axis=0)
            return total

        total = in_chunks(
            depthwise if c == c_out == groups else windows if grouped else images, n, x
        )
    elif groups == 1:
        per_channel = grad.transpose(1, 0, 2, 3).reshape(c_out, -1)
        total = columns.reshape(columns.shape[0], -1) @ per_channel.T
    else:
        per_channel = grad.transpose(1, 0, 2, 3).reshape(groups, c_out // groups, -1)
        total = cp.matmul(
            columns.reshape(groups, columns.shape[0] // groups, -1),
            per_channel.transpose(0, 2, 1),
        )
    return cp.ascontiguousarray(cp.swapaxes(total, -1, -2)).reshape(weight.shape)


def _cupy_im2col(x, weight, stride, padding, dilation, padding_mode):
    """The windows of x [N, C, H, W] that a weight [C_out, C / groups, kH, kW] sees.

    Stride 1: x padded (with zeros or as ``padding_mode``), [N + 1, C, H_p, W_p] (one
    spare image of zeros at the end). Laid on the padded grid, the row (c, u, v) of
    image i's column matrix is then row c of the flat image shifted by
    dilation_h * u * W_p + dilation_w * v: a slice of the flat array, so the columns are
    never copied out (positions past W_out on the grid, which read into the next row or
    image, are computed and dropped). A 1 x 1 kernel without padding: x itself (its
    columns are x's rows, read in place). A grouped convolution (groups > 1, not
    depthwise, a kernel larger than 1 x 1) with zeros under the numba backend: x itself
    too, its padding implicit (the compiled window_columns reads zeros outside x: no
    padded copy). Larger strides: the columns [C * kH * kW, N, H_out, W_out], one
    strided view and one copy."""
    import cupy as cp

    n, c, h, w = x.shape
    kernel_h, kernel_w = weight.shape[2], weight.shape[3]
    (top, bottom), (left, right) = padding
    if stride[0] == 1 and stride[1] == 1:
        if kernel_h == kernel_w == 1 and not (top or bottom or left or right):
            return x
        # (conv_apply's compiled grouped path: not depthwise, a kernel larger than 1 x 1)
        grouped = weight.shape[1] < c and not (
            weight.shape[1] == 1 and weight.shape[0] == c
        )
        if (
            grouped
            and kernel_h * kernel_w > 1
            and padding_mode == "zeros"
            and use_jit(x)
        ):
            return x
        padded = cp.zeros((n + 1, c, h + top + bottom, w + left + right), dtype=x.dtype)
        if padding_mode == "zeros":
            padded[:n, :, top : top + h, left : left + w] = x
        else:
            padded[:n] = _cupy_window_pad(x, padding, padding_mode)
        return padded
    if top or bottom or left or right:
        x = _cupy_window_pad(x, padding, padding_mode)
    span_h, span_w = dilation[0] * (kernel_h - 1) + 1, dilation[1] * (kernel_w - 1) + 1
    windows = cp.lib.stride_tricks.sliding_window_view(x, (span_h, span_w), axis=(2, 3))
    windows = windows[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]
    out_h, out_w = windows.shape[2:4]
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(
        c * kernel_h * kernel_w, n, out_h, out_w
    )


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


def _cupy_window_fold(grad, like, padding, padding_mode):
    """The gradient of _window_pad: grad on the padded grid summed back onto the pixels
    of like [N, C, H, W] that each padded pixel copies (one product per axis with the
    0/1 matrix of the copies: exact, each pixel's copies added up)."""
    import cupy as cp

    (top, bottom), (left, right) = padding
    h, w = like.shape[2], like.shape[3]
    if padding_mode == "zeros":
        return cp.ascontiguousarray(grad[:, :, top : top + h, left : left + w])
    mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[padding_mode]
    result = grad
    for axis, size, sides in ((2, h, (top, bottom)), (3, w, (left, right))):
        source = cp.pad(cp.arange(size), sides, mode=mode)
        copies = (source[:, None] == cp.arange(size)[None, :]).astype(grad.dtype)
        result = cp.moveaxis(cp.matmul(cp.moveaxis(result, axis, -1), copies), -1, axis)
    return cp.ascontiguousarray(result)


def _cupy_window_pad(x, padding, padding_mode):
    """x [N, C, H, W] padded by ((top, bottom), (left, right)): with zeros, or with
    PyTorch's reflect, replicate or circular padding (np.pad's reflect, edge, wrap)."""
    import cupy as cp

    widths = ((0, 0), (0, 0), tuple(padding[0]), tuple(padding[1]))
    if padding_mode == "zeros":
        return cp.pad(x, widths)
    return cp.pad(
        x,
        widths,
        mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[
            padding_mode
        ],
    )
