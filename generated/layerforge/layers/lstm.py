"""LongShortTermMemory: Long short-term memory layer as torch.nn.LSTM with one layer: gates
= x_t @ weight_ih.T + bias_ih + h_(t-1) @ weight_hh.T + bias_hh, packed [4 hidden_size]
in the order input, forget, cell, output; c_t = f * c_(t-1) + i * g, h_t = o *
tanh(c_t), with sigmoid gates and tanh g. x is time-major [T, B, input_size]
(batch_first: [B, T, input_size]); returns every h_t (y), the last h (h_n) and the last
c (c_n). The initial states h0 and c0 may be None (zeros).
Generated from layers_spec/layers/lstm.yaml by the layerforge transpiler 0.1.0.
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
from layerforge._jit_runtime import (
    blocks,
    fast_exp,
    fast_tanh,
    row_kernel,
    rows,
    use_jit,
)

__all__ = ["forward", "backward"]

INPUTS = ("x", "h0", "c0")
PARAMETERS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
OUTPUTS = ("y", "h_n", "c_n")
SEQUENCES = ("x",)
STACKED = ("y",)
BATCH_FIRST = "batch_first"


def forward(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0=None, c0=None, *, batch_first=False
):
    """LongShortTermMemory forward pass.

    Long short-term memory layer as torch.nn.LSTM with one layer: gates = x_t @
    weight_ih.T + bias_ih + h_(t-1) @ weight_hh.T + bias_hh, packed [4 hidden_size] in
    the order input, forget, cell, output; c_t = f * c_(t-1) + i * g, h_t = o *
    tanh(c_t), with sigmoid gates and tanh g. x is time-major [T, B, input_size]
    (batch_first: [B, T, input_size]); returns every h_t (y), the last h (h_n) and the
    last c (c_n). The initial states h0 and c0 may be None (zeros).

    Args:
        x: float32 or float64 input of shape [T, B, input_size]. The sequence, time
            first (batch first with batch_first=True).
        weight_ih: float32 or float64 parameter of shape [4*hidden_size, input_size].
            The input weights of the gates i, f, g, o, stacked.
        weight_hh: float32 or float64 parameter of shape [4*hidden_size, hidden_size].
            The recurrent weights of the gates i, f, g, o, stacked.
        bias_ih: float32 or float64 parameter of shape [4*hidden_size].
        bias_hh: float32 or float64 parameter of shape [4*hidden_size].
        h0: float32 or float64 input of shape [B, hidden_size], None to leave it out.
            The initial hidden state; None for zeros.
        c0: float32 or float64 input of shape [B, hidden_size], None to leave it out.
            The initial cell state; None for zeros.
        batch_first: bool, default False. x and y are [B, T, ...] instead of [T, B,
            ...].

    Returns:
        ((y, h_n, c_n), ctx): the outputs and the context that backward needs.
    """
    check_arrays(
        "lstm",
        {
            "x": x,
            "weight_ih": weight_ih,
            "weight_hh": weight_hh,
            "bias_ih": bias_ih,
            "bias_hh": bias_hh,
            "h0": h0,
            "c0": c0,
        },
        {
            "x": ("B", "T", "input_size") if batch_first else ("T", "B", "input_size"),
            "weight_ih": ("4*hidden_size", "input_size"),
            "weight_hh": ("4*hidden_size", "hidden_size"),
            "bias_ih": ("4*hidden_size",),
            "bias_hh": ("4*hidden_size",),
            "h0": ("B", "hidden_size"),
            "c0": ("B", "hidden_size"),
        },
        optional=("h0", "c0"),
    )
    check_attribute("lstm", "batch_first", batch_first, "bool")
    check_steps("lstm", "x", x.shape, 1 if batch_first else 0)
    check_nonempty("lstm", "x", x.shape, -1)
    check_nonempty("lstm", "weight_hh", weight_hh.shape, -1)
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[
            (batch_first, h0 is not None, c0 is not None)
        ]
        y, h_n, c_n, saved = forward_variant(
            x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0
        )
        return (y, h_n, c_n), (
            backward_variant,
            saved,
            (y.dtype, y.shape, h_n.shape, c_n.shape),
            None,
        )
    if use_jit(x):
        forward_variant, backward_variant = _JIT_VARIANTS[
            (batch_first, h0 is not None, c0 is not None)
        ]
        y, h_n, c_n, saved = forward_variant(
            x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0
        )
        return (y, h_n, c_n), (
            backward_variant,
            saved,
            (y.dtype, y.shape, h_n.shape, c_n.shape),
            None,
        )
    forward_variant, backward_variant = _VARIANTS[
        (batch_first, h0 is not None, c0 is not None)
    ]
    y, h_n, c_n, saved = forward_variant(
        x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0
    )
    return (y, h_n, c_n), (
        backward_variant,
        saved,
        (y.dtype, y.shape, h_n.shape, c_n.shape),
        None,
    )


def backward(grad_y, grad_h_n, grad_c_n, ctx):
    """LongShortTermMemory backward pass.

    Args:
        grad_y, grad_h_n, grad_c_n: gradient of the loss with respect to y, h_n, c_n.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0,
            grad_c0: gradients with respect to x, weight_ih, weight_hh, bias_ih,
            bias_hh, h0, c0, in that order.
    """
    backward_variant, saved = check_context(
        "lstm",
        __name__,
        ctx,
        {"grad_y": grad_y, "grad_h_n": grad_h_n, "grad_c_n": grad_c_n},
    )
    return backward_variant(grad_y, grad_h_n, grad_c_n, *saved)


def _forward_batch_first(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    grad_c0 = grad_next_c
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        grad_h0,
        grad_c0,
    )


def _forward_no_batch_first_hoisted(x, weight_ih):
    hoisted_1 = _linear(x, weight_ih)
    return hoisted_1, (x, weight_ih)


def _forward_no_batch_first_step(h, c, hoisted_1, weight_hh, bias_ih, bias_hh):
    gates = hoisted_1 + bias_ih + (weight_hh @ h.T).T + bias_hh
    input_gate = _sigmoid(_chunk(gates, 4, 0, -1))
    forget_gate = _sigmoid(_chunk(gates, 4, 1, -1))
    cell_gate = np.tanh(_chunk(gates, 4, 2, -1))
    output_gate = _sigmoid(_chunk(gates, 4, 3, -1))
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
        axis=-1,
    )
    grad_h = (weight_hh.T @ grad_gates.T).T
    return grad_h, grad_c, grad_gates


def _backward_no_batch_first_deferred(h, grad_gates):
    grad_bias_hh = _sum_leading(grad_gates, 1)
    grad_bias_ih = grad_bias_hh.copy()
    grad_weight_hh = _rows(grad_gates).T @ _rows(h)
    return grad_weight_hh, grad_bias_ih, grad_bias_hh


def _backward_no_batch_first_hoisted(grad_hoisted_1, x, weight_ih):
    grad_x = _linear_backward_input(grad_hoisted_1, weight_ih)
    grad_weight_ih = _rows(grad_hoisted_1).T @ _rows(x)
    return grad_x, grad_weight_ih


def _forward_batch_first_no_c0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        grad_h0,
        None,
    )


def _forward_batch_first_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_c0 = grad_next_c
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        None,
        grad_c0,
    )


def _forward_batch_first_no_h0_no_c0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    c0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        None,
        None,
    )


def _forward_no_batch_first(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    grad_c0 = grad_next_c
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        grad_h0,
        grad_c0,
    )


def _forward_no_batch_first_no_c0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        grad_h0,
        None,
    )


def _forward_no_batch_first_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_c0 = grad_next_c
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        None,
        grad_c0,
    )


def _forward_no_batch_first_no_h0_no_c0(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0
):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    c0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        None,
        None,
    )


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


def _cupy_forward_batch_first(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    grad_c0 = grad_next_c
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        grad_h0,
        grad_c0,
    )


def _cupy_forward_no_batch_first_hoisted(x, weight_ih):
    hoisted_1 = _linear(x, weight_ih)
    return hoisted_1, (x, weight_ih)


# lstm_no_batch_first_step_fwd_0: layers_spec/layers/lstm.yaml:29,30,31,32,33,34,35
_lstm_no_batch_first_step_fwd_0 = ElementwiseKernel(
    "lstm_no_batch_first_step_fwd_0",
    "T _t28, T _t29, T _t30, T _t31, T _t32, T _t33, T _t34, T _t35, T _t21, T _t23, T _t25, T _t27, T _t13, T _t15, T _t17, T _t19, T c",
    "T input_gate, T forget_gate, T cell_gate, T output_gate, T c_next, T _t11, T h_next",
    """
    T _t20 = _t28 + _t29;
    T _t22 = _t30 + _t31;
    T _t24 = _t32 + _t33;
    T _t26 = _t34 + _t35;
    T _t12 = _t20 + _t21;
    T _t14 = _t22 + _t23;
    T _t16 = _t24 + _t25;
    T _t18 = _t26 + _t27;
    T _t5 = _t12 + _t13;
    input_gate = exp(_t5 < 0 ? _t5 : T(0)) / (1 + exp(-fabs(_t5)));
    T _t6 = _t14 + _t15;
    forget_gate = exp(_t6 < 0 ? _t6 : T(0)) / (1 + exp(-fabs(_t6)));
    T _t7 = _t16 + _t17;
    cell_gate = tanh(_t7);
    T _t8 = _t18 + _t19;
    output_gate = exp(_t8 < 0 ? _t8 : T(0)) / (1 + exp(-fabs(_t8)));
    T _t9 = forget_gate * c;
    T _t10 = input_gate * cell_gate;
    c_next = _t9 + _t10;
    _t11 = tanh(c_next);
    h_next = output_gate * _t11;
    """,
)


def _cupy_forward_no_batch_first_step(h, c, hoisted_1, weight_hh, bias_ih, bias_hh):
    _t13 = _chunk(bias_hh, 4, 0, -1)
    _t15 = _chunk(bias_hh, 4, 1, -1)
    _t17 = _chunk(bias_hh, 4, 2, -1)
    _t19 = _chunk(bias_hh, 4, 3, -1)
    _t28 = _chunk(hoisted_1, 4, 0, -1)
    _t29 = _chunk(bias_ih, 4, 0, -1)
    _t30 = _chunk(hoisted_1, 4, 1, -1)
    _t31 = _chunk(bias_ih, 4, 1, -1)
    _t32 = _chunk(hoisted_1, 4, 2, -1)
    _t33 = _chunk(bias_ih, 4, 2, -1)
    _t34 = _chunk(hoisted_1, 4, 3, -1)
    _t35 = _chunk(bias_ih, 4, 3, -1)
    _t3 = (weight_hh @ h.T).T
    _t21 = _chunk(_t3, 4, 0, -1)
    _t23 = _chunk(_t3, 4, 1, -1)
    _t25 = _chunk(_t3, 4, 2, -1)
    _t27 = _chunk(_t3, 4, 3, -1)
    input_gate, forget_gate, cell_gate, output_gate, c_next, _t11, h_next = (
        _lstm_no_batch_first_step_fwd_0(
            _t28,
            _t29,
            _t30,
            _t31,
            _t32,
            _t33,
            _t34,
            _t35,
            _t21,
            _t23,
            _t25,
            _t27,
            _t13,
            _t15,
            _t17,
            _t19,
            c,
        )
    )
    return h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, _t11


# lstm_no_batch_first_step_bwd_0: <generated>:1; layers_spec/primitives.yaml:61,62,180,201
_lstm_no_batch_first_step_bwd_0 = ElementwiseKernel(
    "lstm_no_batch_first_step_bwd_0",
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

    grad_c, _t23, _t27, _t31, _t35 = _lstm_no_batch_first_step_bwd_0(
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
    grad_gates = cp.concatenate((_t35, _t31, _t27, _t23), axis=-1)
    grad_h = (weight_hh.T @ grad_gates.T).T
    return grad_h, grad_c, grad_gates


def _cupy_backward_no_batch_first_deferred(h, grad_gates):
    grad_bias_hh = _cupy_sum_leading(grad_gates, 1)
    grad_bias_ih = _cupy_sum_leading(grad_gates, 1)
    grad_weight_hh = _rows(grad_gates).T @ _rows(h)
    return grad_weight_hh, grad_bias_ih, grad_bias_hh


def _cupy_backward_no_batch_first_hoisted(grad_hoisted_1, x, weight_ih):
    grad_x = _linear_backward_input(grad_hoisted_1, weight_ih)
    grad_weight_ih = _rows(grad_hoisted_1).T @ _rows(x)
    return grad_x, grad_weight_ih


def _cupy_forward_batch_first_no_c0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c0 = cp.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        grad_h0,
        None,
    )


def _cupy_forward_batch_first_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_c0 = grad_next_c
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        None,
        grad_c0,
    )


def _cupy_forward_batch_first_no_h0_no_c0(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0
):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    c0 = cp.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        None,
        None,
    )


def _cupy_forward_no_batch_first(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    grad_c0 = grad_next_c
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        grad_h0,
        grad_c0,
    )


def _cupy_forward_no_batch_first_no_c0(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0
):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c0 = cp.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        grad_h0,
        None,
    )


def _cupy_forward_no_batch_first_no_h0(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0
):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_c0 = grad_next_c
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        None,
        grad_c0,
    )


def _cupy_forward_no_batch_first_no_h0_no_c0(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0
):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    c0 = cp.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    c = c0
    for t in range(steps):
        h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, saved_11 = (
            _cupy_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _cupy_backward_no_batch_first_deferred(
        cp.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        None,
        None,
    )


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


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# lstm_no_batch_first_step_fwd_loops_0: layers_spec/layers/lstm.yaml:29,30,31,32,33,34,35
@row_kernel
def _lstm_no_batch_first_step_fwd_loops_0(
    hoisted_1,
    bias_ih,
    _t1,
    bias_hh,
    c,
    input_gate_out,
    forget_gate_out,
    cell_gate_out,
    output_gate_out,
    c_next_out,
    _t2_out,
    h_next_out,
):
    _rows, _n = c.shape
    _float = c.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t3 = ((hoisted_1[_row, _j] + bias_ih[_j]) + _t1[_row, _j]) + bias_hh[
                _j
            ]  # lstm.yaml:30
            input_gate = _float(1.0) / (_float(1.0) + fast_exp(-_t3))  # lstm.yaml:30
            input_gate_out[_row, _j] = input_gate
            _t4 = (
                (hoisted_1[_row, 1 * _n + _j] + bias_ih[1 * _n + _j])
                + _t1[_row, 1 * _n + _j]
            ) + bias_hh[
                1 * _n + _j
            ]  # lstm.yaml:31
            forget_gate = _float(1.0) / (_float(1.0) + fast_exp(-_t4))  # lstm.yaml:31
            forget_gate_out[_row, _j] = forget_gate
            _t5 = (
                (hoisted_1[_row, 2 * _n + _j] + bias_ih[2 * _n + _j])
                + _t1[_row, 2 * _n + _j]
            ) + bias_hh[
                2 * _n + _j
            ]  # lstm.yaml:32
            cell_gate = fast_tanh(_t5)  # lstm.yaml:32
            cell_gate_out[_row, _j] = cell_gate
            _t6 = (
                (hoisted_1[_row, 3 * _n + _j] + bias_ih[3 * _n + _j])
                + _t1[_row, 3 * _n + _j]
            ) + bias_hh[
                3 * _n + _j
            ]  # lstm.yaml:33
            output_gate = _float(1.0) / (_float(1.0) + fast_exp(-_t6))  # lstm.yaml:33
            output_gate_out[_row, _j] = output_gate
            _t7 = forget_gate * c[_row, _j]  # lstm.yaml:34
            _t8 = input_gate * cell_gate  # lstm.yaml:34
            c_next = _t7 + _t8  # lstm.yaml:34
            c_next_out[_row, _j] = c_next
            _t2 = fast_tanh(c_next)  # lstm.yaml:35
            _t2_out[_row, _j] = _t2
            h_next = output_gate * _t2  # lstm.yaml:35
            h_next_out[_row, _j] = h_next


def _jit_forward_no_batch_first_step(
    h,
    c,
    hoisted_1,
    weight_hh,
    bias_ih,
    bias_hh,
    *,
    out_h_next=None,
    out_c_next=None,
    out_input_gate=None,
    out_forget_gate=None,
    out_cell_gate=None,
    out_output_gate=None,
    out__t11=None,
):
    _t3 = (weight_hh @ h.T).T
    input_gate = (
        np.empty(h.shape, h.dtype) if out_input_gate is None else out_input_gate
    )
    forget_gate = (
        np.empty(h.shape, h.dtype) if out_forget_gate is None else out_forget_gate
    )
    cell_gate = np.empty(h.shape, h.dtype) if out_cell_gate is None else out_cell_gate
    output_gate = (
        np.empty(h.shape, h.dtype) if out_output_gate is None else out_output_gate
    )
    c_next = np.empty(h.shape, h.dtype) if out_c_next is None else out_c_next
    _t11 = np.empty(h.shape, h.dtype) if out__t11 is None else out__t11
    h_next = np.empty(h.shape, h.dtype) if out_h_next is None else out_h_next
    _lstm_no_batch_first_step_fwd_loops_0(
        rows(hoisted_1),
        bias_ih,
        rows(_t3),
        bias_hh,
        rows(c),
        rows(input_gate),
        rows(forget_gate),
        rows(cell_gate),
        rows(output_gate),
        rows(c_next),
        rows(_t11),
        rows(h_next),
    )
    return h_next, c_next, input_gate, forget_gate, cell_gate, output_gate, _t11


def _jit_forward_batch_first(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c = c0
    for t in range(steps):
        if t == 0:
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
        else:  # the step writes these results into their rows
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h,
                c,
                hoisted_1[t],
                weight_hh,
                bias_ih,
                bias_hh,
                out_h_next=y[t],
                out_c_next=c_next_steps[t],
                out_input_gate=input_gate_steps[t],
                out_forget_gate=forget_gate_steps[t],
                out_cell_gate=cell_gate_steps[t],
                out_output_gate=output_gate_steps[t],
                out__t11=saved_11_steps[t],
            )
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


# lstm_no_batch_first_step_bwd_loops_0: <generated>:1; layers_spec/primitives.yaml:61,62,180,201
@row_kernel
def _lstm_no_batch_first_step_bwd_loops_0(
    grad_next_h,
    grad_y,
    _t1,
    output_gate,
    grad_next_c,
    cell_gate,
    input_gate,
    c,
    forget_gate,
    grad_c_out,
    grad_gates_out,
):
    _rows, _n = grad_next_h.shape
    _float = grad_next_h.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            grad_h_next = grad_next_h[_row, _j] + grad_y[_row, _j]  # <generated>:1
            grad_output_gate = grad_h_next * _t1[_row, _j]  # primitives.yaml:61
            _t2 = grad_h_next * output_gate[_row, _j]  # primitives.yaml:62
            _t3 = _t1[_row, _j] * _t1[_row, _j]  # primitives.yaml:180
            _t4 = _float(1.0) - _t3  # primitives.yaml:180
            _t5 = _t2 * _t4  # primitives.yaml:180
            grad_c_next = grad_next_c[_row, _j] + _t5  # primitives.yaml:180
            grad_input_gate = grad_c_next * cell_gate[_row, _j]  # primitives.yaml:61
            grad_cell_gate = grad_c_next * input_gate[_row, _j]  # primitives.yaml:62
            grad_forget_gate = grad_c_next * c[_row, _j]  # primitives.yaml:61
            grad_c = grad_c_next * forget_gate[_row, _j]  # primitives.yaml:62
            grad_c_out[_row, _j] = grad_c
            _t6 = grad_output_gate * output_gate[_row, _j]  # primitives.yaml:201
            _t7 = _float(1.0) - output_gate[_row, _j]  # primitives.yaml:201
            _t8 = _t6 * _t7  # primitives.yaml:201
            grad_gates_out[_row, 3, _j] = _t8
            _t9 = cell_gate[_row, _j] * cell_gate[_row, _j]  # primitives.yaml:180
            _t10 = _float(1.0) - _t9  # primitives.yaml:180
            _t11 = grad_cell_gate * _t10  # primitives.yaml:180
            grad_gates_out[_row, 2, _j] = _t11
            _t12 = grad_forget_gate * forget_gate[_row, _j]  # primitives.yaml:201
            _t13 = _float(1.0) - forget_gate[_row, _j]  # primitives.yaml:201
            _t14 = _t12 * _t13  # primitives.yaml:201
            grad_gates_out[_row, 1, _j] = _t14
            _t15 = grad_input_gate * input_gate[_row, _j]  # primitives.yaml:201
            _t16 = _float(1.0) - input_gate[_row, _j]  # primitives.yaml:201
            _t17 = _t15 * _t16  # primitives.yaml:201
            grad_gates_out[_row, 0, _j] = _t17


def _jit_backward_no_batch_first_step(
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
    *,
    out_grad_gates=None,
):
    grad_c = np.empty(grad_next_h.shape, grad_next_h.dtype)
    grad_gates = (
        np.empty(
            grad_next_h.shape[:-1] + (4 * grad_next_h.shape[-1],), grad_next_h.dtype
        )
        if out_grad_gates is None
        else out_grad_gates
    )
    _lstm_no_batch_first_step_bwd_loops_0(
        rows(grad_next_h),
        rows(grad_y),
        rows(_t11),
        rows(output_gate),
        rows(grad_next_c),
        rows(cell_gate),
        rows(input_gate),
        rows(c),
        rows(forget_gate),
        rows(grad_c),
        blocks(grad_gates, 4),
    )
    grad_h = (weight_hh.T @ grad_gates.T).T
    return grad_h, grad_c, grad_gates


def _jit_backward_batch_first(
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
        if t == steps - 1:
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
            grad_gates_steps[t] = grad_gates
        else:  # the step writes these results into their rows
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
                out_grad_gates=grad_gates_steps[t],
            )
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    grad_c0 = grad_next_c
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        grad_h0,
        grad_c0,
    )


def _jit_forward_batch_first_no_c0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    c = c0
    for t in range(steps):
        if t == 0:
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
        else:  # the step writes these results into their rows
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h,
                c,
                hoisted_1[t],
                weight_hh,
                bias_ih,
                bias_hh,
                out_h_next=y[t],
                out_c_next=c_next_steps[t],
                out_input_gate=input_gate_steps[t],
                out_forget_gate=forget_gate_steps[t],
                out_cell_gate=cell_gate_steps[t],
                out_output_gate=output_gate_steps[t],
                out__t11=saved_11_steps[t],
            )
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


def _jit_backward_batch_first_no_c0(
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
        if t == steps - 1:
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
            grad_gates_steps[t] = grad_gates
        else:  # the step writes these results into their rows
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
                out_grad_gates=grad_gates_steps[t],
            )
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        grad_h0,
        None,
    )


def _jit_forward_batch_first_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    c = c0
    for t in range(steps):
        if t == 0:
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
        else:  # the step writes these results into their rows
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h,
                c,
                hoisted_1[t],
                weight_hh,
                bias_ih,
                bias_hh,
                out_h_next=y[t],
                out_c_next=c_next_steps[t],
                out_input_gate=input_gate_steps[t],
                out_forget_gate=forget_gate_steps[t],
                out_cell_gate=cell_gate_steps[t],
                out_output_gate=output_gate_steps[t],
                out__t11=saved_11_steps[t],
            )
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


def _jit_backward_batch_first_no_h0(
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
        if t == steps - 1:
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
            grad_gates_steps[t] = grad_gates
        else:  # the step writes these results into their rows
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
                out_grad_gates=grad_gates_steps[t],
            )
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_c0 = grad_next_c
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        None,
        grad_c0,
    )


def _jit_forward_batch_first_no_h0_no_c0(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0
):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    c0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    c = c0
    for t in range(steps):
        if t == 0:
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
        else:  # the step writes these results into their rows
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h,
                c,
                hoisted_1[t],
                weight_hh,
                bias_ih,
                bias_hh,
                out_h_next=y[t],
                out_c_next=c_next_steps[t],
                out_input_gate=input_gate_steps[t],
                out_forget_gate=forget_gate_steps[t],
                out_cell_gate=cell_gate_steps[t],
                out_output_gate=output_gate_steps[t],
                out__t11=saved_11_steps[t],
            )
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


def _jit_backward_batch_first_no_h0_no_c0(
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
        if t == steps - 1:
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
            grad_gates_steps[t] = grad_gates
        else:  # the step writes these results into their rows
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
                out_grad_gates=grad_gates_steps[t],
            )
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        None,
        None,
    )


def _jit_forward_no_batch_first(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c = c0
    for t in range(steps):
        if t == 0:
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
        else:  # the step writes these results into their rows
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h,
                c,
                hoisted_1[t],
                weight_hh,
                bias_ih,
                bias_hh,
                out_h_next=y[t],
                out_c_next=c_next_steps[t],
                out_input_gate=input_gate_steps[t],
                out_forget_gate=forget_gate_steps[t],
                out_cell_gate=cell_gate_steps[t],
                out_output_gate=output_gate_steps[t],
                out__t11=saved_11_steps[t],
            )
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


def _jit_backward_no_batch_first(
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
        if t == steps - 1:
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
            grad_gates_steps[t] = grad_gates
        else:  # the step writes these results into their rows
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
                out_grad_gates=grad_gates_steps[t],
            )
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    grad_c0 = grad_next_c
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        grad_h0,
        grad_c0,
    )


def _jit_forward_no_batch_first_no_c0(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0
):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    c0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    c = c0
    for t in range(steps):
        if t == 0:
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
        else:  # the step writes these results into their rows
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h,
                c,
                hoisted_1[t],
                weight_hh,
                bias_ih,
                bias_hh,
                out_h_next=y[t],
                out_c_next=c_next_steps[t],
                out_input_gate=input_gate_steps[t],
                out_forget_gate=forget_gate_steps[t],
                out_cell_gate=cell_gate_steps[t],
                out_output_gate=output_gate_steps[t],
                out__t11=saved_11_steps[t],
            )
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


def _jit_backward_no_batch_first_no_c0(
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
        if t == steps - 1:
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
            grad_gates_steps[t] = grad_gates
        else:  # the step writes these results into their rows
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
                out_grad_gates=grad_gates_steps[t],
            )
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        grad_h0,
        None,
    )


def _jit_forward_no_batch_first_no_h0(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0
):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    c = c0
    for t in range(steps):
        if t == 0:
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
        else:  # the step writes these results into their rows
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h,
                c,
                hoisted_1[t],
                weight_hh,
                bias_ih,
                bias_hh,
                out_h_next=y[t],
                out_c_next=c_next_steps[t],
                out_input_gate=input_gate_steps[t],
                out_forget_gate=forget_gate_steps[t],
                out_cell_gate=cell_gate_steps[t],
                out_output_gate=output_gate_steps[t],
                out__t11=saved_11_steps[t],
            )
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


def _jit_backward_no_batch_first_no_h0(
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
        if t == steps - 1:
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
            grad_gates_steps[t] = grad_gates
        else:  # the step writes these results into their rows
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
                out_grad_gates=grad_gates_steps[t],
            )
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_c0 = grad_next_c
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        None,
        grad_c0,
    )


def _jit_forward_no_batch_first_no_h0_no_c0(
    x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0
):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    c0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    c = c0
    for t in range(steps):
        if t == 0:
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h, c, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
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
        else:  # the step writes these results into their rows
            (
                h_next,
                c_next,
                input_gate,
                forget_gate,
                cell_gate,
                output_gate,
                saved_11,
            ) = _jit_forward_no_batch_first_step(
                h,
                c,
                hoisted_1[t],
                weight_hh,
                bias_ih,
                bias_hh,
                out_h_next=y[t],
                out_c_next=c_next_steps[t],
                out_input_gate=input_gate_steps[t],
                out_forget_gate=forget_gate_steps[t],
                out_cell_gate=cell_gate_steps[t],
                out_output_gate=output_gate_steps[t],
                out__t11=saved_11_steps[t],
            )
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


def _jit_backward_no_batch_first_no_h0_no_c0(
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
        if t == steps - 1:
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
            grad_gates_steps = np.empty(
                (steps, *grad_gates.shape), dtype=grad_gates.dtype
            )
            grad_gates_steps[t] = grad_gates
        else:  # the step writes these results into their rows
            grad_next_h, grad_next_c, grad_gates = _jit_backward_no_batch_first_step(
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
                out_grad_gates=grad_gates_steps[t],
            )
    grad_weight_hh, grad_bias_ih, grad_bias_hh = _backward_no_batch_first_deferred(
        np.concatenate((h0[None], y[:-1])), grad_gates_steps
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        grad_gates_steps.reshape(-1, *grad_gates_steps.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return (
        grad_x,
        grad_weight_ih,
        grad_weight_hh,
        grad_bias_ih,
        grad_bias_hh,
        None,
        None,
    )


_JIT_VARIANTS = {
    (True, True, True): (_jit_forward_batch_first, _jit_backward_batch_first),
    (True, True, False): (
        _jit_forward_batch_first_no_c0,
        _jit_backward_batch_first_no_c0,
    ),
    (True, False, True): (
        _jit_forward_batch_first_no_h0,
        _jit_backward_batch_first_no_h0,
    ),
    (True, False, False): (
        _jit_forward_batch_first_no_h0_no_c0,
        _jit_backward_batch_first_no_h0_no_c0,
    ),
    (False, True, True): (_jit_forward_no_batch_first, _jit_backward_no_batch_first),
    (False, True, False): (
        _jit_forward_no_batch_first_no_c0,
        _jit_backward_no_batch_first_no_c0,
    ),
    (False, False, True): (
        _jit_forward_no_batch_first_no_h0,
        _jit_backward_no_batch_first_no_h0,
    ),
    (False, False, False): (
        _jit_forward_no_batch_first_no_h0_no_c0,
        _jit_backward_no_batch_first_no_h0_no_c0,
    ),
}
