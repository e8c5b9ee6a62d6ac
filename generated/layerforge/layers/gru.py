"""GatedRecurrentUnit: Gated recurrent unit layer as torch.nn.GRU with one layer: with the
input part x_t @ weight_ih.T + bias_ih and the recurrent part h_(t-1) @ weight_hh.T +
bias_hh, each packed [3 hidden_size] in the order reset, update, new: r and z are
sigmoids of their two parts' sums, n = tanh(input part + r * recurrent part), h_t = (1 -
z) * n + z * h_(t-1). x is time-major [T, B, input_size] (batch_first: [B, T,
input_size]); returns every h_t (y) and the last (h_n). The initial state h0 may be None
(zeros).
Generated from layers_spec/layers/gru.yaml by the layerforge transpiler 0.1.0.
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
from layerforge._jit_runtime import fast_exp, fast_tanh, row_kernel, rows, use_jit

__all__ = ["forward", "backward"]

INPUTS = ("x", "h0")
PARAMETERS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
OUTPUTS = ("y", "h_n")
SEQUENCES = ("x",)
STACKED = ("y",)
BATCH_FIRST = "batch_first"


def forward(x, weight_ih, weight_hh, bias_ih, bias_hh, h0=None, *, batch_first=False):
    """GatedRecurrentUnit forward pass.

    Gated recurrent unit layer as torch.nn.GRU with one layer: with the input part x_t @
    weight_ih.T + bias_ih and the recurrent part h_(t-1) @ weight_hh.T + bias_hh, each
    packed [3 hidden_size] in the order reset, update, new: r and z are sigmoids of
    their two parts' sums, n = tanh(input part + r * recurrent part), h_t = (1 - z) * n
    + z * h_(t-1). x is time-major [T, B, input_size] (batch_first: [B, T, input_size]);
    returns every h_t (y) and the last (h_n). The initial state h0 may be None (zeros).

    Args:
        x: float32 or float64 input of shape [T, B, input_size]. The sequence, time
            first (batch first with batch_first=True).
        weight_ih: float32 or float64 parameter of shape [3*hidden_size, input_size].
            The input weights of r, z, n, stacked.
        weight_hh: float32 or float64 parameter of shape [3*hidden_size, hidden_size].
            The recurrent weights of r, z, n, stacked.
        bias_ih: float32 or float64 parameter of shape [3*hidden_size].
        bias_hh: float32 or float64 parameter of shape [3*hidden_size].
        h0: float32 or float64 input of shape [B, hidden_size], None to leave it out.
            The initial state; None for zeros.
        batch_first: bool, default False. x and y are [B, T, ...] instead of [T, B,
            ...].

    Returns:
        ((y, h_n), ctx): the outputs and the context that backward needs.
    """
    check_arrays(
        "gru",
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
            "weight_ih": ("3*hidden_size", "input_size"),
            "weight_hh": ("3*hidden_size", "hidden_size"),
            "bias_ih": ("3*hidden_size",),
            "bias_hh": ("3*hidden_size",),
            "h0": ("B", "hidden_size"),
        },
        optional=("h0",),
    )
    check_attribute("gru", "batch_first", batch_first, "bool")
    check_steps("gru", "x", x.shape, 1 if batch_first else 0)
    check_nonempty("gru", "x", x.shape, -1)
    check_nonempty("gru", "weight_hh", weight_hh.shape, -1)
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[
            (batch_first, h0 is not None)
        ]
        y, h_n, saved = forward_variant(x, weight_ih, weight_hh, bias_ih, bias_hh, h0)
        return (y, h_n), (backward_variant, saved, (y.dtype, y.shape, h_n.shape), None)
    if use_jit(x):
        forward_variant, backward_variant = _JIT_VARIANTS[(batch_first, h0 is not None)]
        y, h_n, saved = forward_variant(x, weight_ih, weight_hh, bias_ih, bias_hh, h0)
        return (y, h_n), (backward_variant, saved, (y.dtype, y.shape, h_n.shape), None)
    forward_variant, backward_variant = _VARIANTS[(batch_first, h0 is not None)]
    y, h_n, saved = forward_variant(x, weight_ih, weight_hh, bias_ih, bias_hh, h0)
    return (y, h_n), (backward_variant, saved, (y.dtype, y.shape, h_n.shape), None)


def backward(grad_y, grad_h_n, ctx):
    """GatedRecurrentUnit backward pass.

    Args:
        grad_y, grad_h_n: gradient of the loss with respect to y, h_n.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0:
            gradients with respect to x, weight_ih, weight_hh, bias_ih, bias_hh, h0, in
            that order.
    """
    backward_variant, saved = check_context(
        "gru", __name__, ctx, {"grad_y": grad_y, "grad_h_n": grad_h_n}
    )
    return backward_variant(grad_y, grad_h_n, *saved)


def _forward_batch_first(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        h_next, reset_gate, update_gate, saved_10, new_gate = (
            _forward_no_batch_first_step(h, hoisted_1[t], weight_hh, bias_ih, bias_hh)
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            reset_gate_steps = np.empty(
                (steps, *reset_gate.shape), dtype=reset_gate.dtype
            )
            update_gate_steps = np.empty(
                (steps, *update_gate.shape), dtype=update_gate.dtype
            )
            saved_10_steps = np.empty((steps, *saved_10.shape), dtype=saved_10.dtype)
            new_gate_steps = np.empty((steps, *new_gate.shape), dtype=new_gate.dtype)
        y[t] = h_next
        reset_gate_steps[t] = reset_gate
        update_gate_steps[t] = update_gate
        saved_10_steps[t] = saved_10
        new_gate_steps[t] = new_gate
        h = h_next
    return (
        y.swapaxes(0, 1),
        h,
        (
            hoisted_saved,
            y,
            reset_gate_steps,
            update_gate_steps,
            saved_10_steps,
            new_gate_steps,
            h0,
            weight_hh,
        ),
    )


def _backward_batch_first(
    grad_y,
    grad_h_n,
    hoisted_saved,
    y,
    reset_gate_steps,
    update_gate_steps,
    saved_10_steps,
    new_gate_steps,
    h0,
    weight_hh,
):
    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
            _backward_no_batch_first_step(
                grad_next_h,
                grad_y[t],
                (y[t - 1] if t else h0),
                weight_hh,
                reset_gate_steps[t],
                update_gate_steps[t],
                saved_10_steps[t],
                new_gate_steps[t],
            )
        )
        if t == steps - 1:
            chain_23_steps = np.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_30_steps = np.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            chain_35_steps = np.empty((steps, *chain_35.shape), dtype=chain_35.dtype)
            grad_recurrent_part_steps = np.empty(
                (steps, *grad_recurrent_part.shape), dtype=grad_recurrent_part.dtype
            )
        chain_23_steps[t] = chain_23
        chain_30_steps[t] = chain_30
        chain_35_steps[t] = chain_35
        grad_recurrent_part_steps[t] = grad_recurrent_part
    deferred_0, grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _backward_no_batch_first_deferred(
            np.concatenate((h0[None], y[:-1])),
            chain_23_steps,
            chain_30_steps,
            chain_35_steps,
            grad_recurrent_part_steps,
        )
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        deferred_0.reshape(-1, *deferred_0.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _forward_no_batch_first_hoisted(x, weight_ih):
    hoisted_1 = _linear(x, weight_ih)
    return hoisted_1, (x, weight_ih)


def _forward_no_batch_first_step(h, hoisted_1, weight_hh, bias_ih, bias_hh):
    recurrent_part = (weight_hh @ h.T).T + bias_hh
    input_part = hoisted_1 + bias_ih
    reset_gate = _sigmoid(
        _chunk(input_part, 3, 0, -1) + _chunk(recurrent_part, 3, 0, -1)
    )
    update_gate = _sigmoid(
        _chunk(input_part, 3, 1, -1) + _chunk(recurrent_part, 3, 1, -1)
    )
    _t1 = _chunk(recurrent_part, 3, 2, -1)
    new_gate = np.tanh(_chunk(input_part, 3, 2, -1) + reset_gate * _t1)
    h_next = 1 - update_gate
    h_next *= new_gate
    _t2 = update_gate * h
    h_next += _t2
    return h_next, reset_gate, update_gate, _t1, new_gate


def _backward_no_batch_first_step(
    grad_next_h, grad_y, h, weight_hh, reset_gate, update_gate, _t1, new_gate
):
    _t2 = 1 - update_gate
    grad_h_next = grad_next_h + grad_y
    grad_new_gate = grad_h_next * _t2
    _t3 = new_gate * new_gate
    np.subtract(1, _t3, out=_t3)
    _t3 *= grad_new_gate
    grad_reset_gate = np.multiply(_t3, _t1, out=grad_new_gate)
    grad_update_gate = grad_h_next * h
    _t4 = grad_h_next * new_gate
    np.negative(_t4, out=_t4)
    grad_update_gate += _t4
    _t5 = np.multiply(grad_update_gate, update_gate, out=grad_update_gate)
    _t5 *= _t2
    _t6 = np.subtract(1, reset_gate, out=_t2)
    _t6 *= grad_reset_gate
    _t6 *= reset_gate
    grad_recurrent_part = np.concatenate((_t6, _t5, _t3 * reset_gate), axis=-1)
    grad_h = grad_h_next * update_gate + (weight_hh.T @ grad_recurrent_part.T).T
    return grad_h, _t3, _t5, _t6, grad_recurrent_part


def _backward_no_batch_first_deferred(h, _t1, _t2, _t3, grad_recurrent_part):
    grad_input_part = np.concatenate((_t3, _t2, _t1), axis=-1)
    grad_bias_ih = _sum_leading(grad_input_part, 1)
    grad_bias_hh = _sum_leading(grad_recurrent_part, 1)
    grad_weight_hh = _rows(grad_recurrent_part).T @ _rows(h)
    return grad_input_part, grad_weight_hh, grad_bias_ih, grad_bias_hh


def _backward_no_batch_first_hoisted(grad_hoisted_1, x, weight_ih):
    grad_x = _linear_backward_input(grad_hoisted_1, weight_ih)
    grad_weight_ih = _rows(grad_hoisted_1).T @ _rows(x)
    return grad_x, grad_weight_ih


def _forward_batch_first_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        h_next, reset_gate, update_gate, saved_10, new_gate = (
            _forward_no_batch_first_step(h, hoisted_1[t], weight_hh, bias_ih, bias_hh)
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            reset_gate_steps = np.empty(
                (steps, *reset_gate.shape), dtype=reset_gate.dtype
            )
            update_gate_steps = np.empty(
                (steps, *update_gate.shape), dtype=update_gate.dtype
            )
            saved_10_steps = np.empty((steps, *saved_10.shape), dtype=saved_10.dtype)
            new_gate_steps = np.empty((steps, *new_gate.shape), dtype=new_gate.dtype)
        y[t] = h_next
        reset_gate_steps[t] = reset_gate
        update_gate_steps[t] = update_gate
        saved_10_steps[t] = saved_10
        new_gate_steps[t] = new_gate
        h = h_next
    return (
        y.swapaxes(0, 1),
        h,
        (
            hoisted_saved,
            y,
            reset_gate_steps,
            update_gate_steps,
            saved_10_steps,
            new_gate_steps,
            None,
            weight_hh,
        ),
    )


def _backward_batch_first_no_h0(
    grad_y,
    grad_h_n,
    hoisted_saved,
    y,
    reset_gate_steps,
    update_gate_steps,
    saved_10_steps,
    new_gate_steps,
    h0,
    weight_hh,
):
    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    h0 = np.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
            _backward_no_batch_first_step(
                grad_next_h,
                grad_y[t],
                (y[t - 1] if t else h0),
                weight_hh,
                reset_gate_steps[t],
                update_gate_steps[t],
                saved_10_steps[t],
                new_gate_steps[t],
            )
        )
        if t == steps - 1:
            chain_23_steps = np.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_30_steps = np.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            chain_35_steps = np.empty((steps, *chain_35.shape), dtype=chain_35.dtype)
            grad_recurrent_part_steps = np.empty(
                (steps, *grad_recurrent_part.shape), dtype=grad_recurrent_part.dtype
            )
        chain_23_steps[t] = chain_23
        chain_30_steps[t] = chain_30
        chain_35_steps[t] = chain_35
        grad_recurrent_part_steps[t] = grad_recurrent_part
    deferred_0, grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _backward_no_batch_first_deferred(
            np.concatenate((h0[None], y[:-1])),
            chain_23_steps,
            chain_30_steps,
            chain_35_steps,
            grad_recurrent_part_steps,
        )
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        deferred_0.reshape(-1, *deferred_0.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


def _forward_no_batch_first(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        h_next, reset_gate, update_gate, saved_10, new_gate = (
            _forward_no_batch_first_step(h, hoisted_1[t], weight_hh, bias_ih, bias_hh)
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            reset_gate_steps = np.empty(
                (steps, *reset_gate.shape), dtype=reset_gate.dtype
            )
            update_gate_steps = np.empty(
                (steps, *update_gate.shape), dtype=update_gate.dtype
            )
            saved_10_steps = np.empty((steps, *saved_10.shape), dtype=saved_10.dtype)
            new_gate_steps = np.empty((steps, *new_gate.shape), dtype=new_gate.dtype)
        y[t] = h_next
        reset_gate_steps[t] = reset_gate
        update_gate_steps[t] = update_gate
        saved_10_steps[t] = saved_10
        new_gate_steps[t] = new_gate
        h = h_next
    return (
        y,
        h,
        (
            hoisted_saved,
            y,
            reset_gate_steps,
            update_gate_steps,
            saved_10_steps,
            new_gate_steps,
            h0,
            weight_hh,
        ),
    )


def _backward_no_batch_first(
    grad_y,
    grad_h_n,
    hoisted_saved,
    y,
    reset_gate_steps,
    update_gate_steps,
    saved_10_steps,
    new_gate_steps,
    h0,
    weight_hh,
):
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
            _backward_no_batch_first_step(
                grad_next_h,
                grad_y[t],
                (y[t - 1] if t else h0),
                weight_hh,
                reset_gate_steps[t],
                update_gate_steps[t],
                saved_10_steps[t],
                new_gate_steps[t],
            )
        )
        if t == steps - 1:
            chain_23_steps = np.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_30_steps = np.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            chain_35_steps = np.empty((steps, *chain_35.shape), dtype=chain_35.dtype)
            grad_recurrent_part_steps = np.empty(
                (steps, *grad_recurrent_part.shape), dtype=grad_recurrent_part.dtype
            )
        chain_23_steps[t] = chain_23
        chain_30_steps[t] = chain_30
        chain_35_steps[t] = chain_35
        grad_recurrent_part_steps[t] = grad_recurrent_part
    deferred_0, grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _backward_no_batch_first_deferred(
            np.concatenate((h0[None], y[:-1])),
            chain_23_steps,
            chain_30_steps,
            chain_35_steps,
            grad_recurrent_part_steps,
        )
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        deferred_0.reshape(-1, *deferred_0.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _forward_no_batch_first_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        h_next, reset_gate, update_gate, saved_10, new_gate = (
            _forward_no_batch_first_step(h, hoisted_1[t], weight_hh, bias_ih, bias_hh)
        )
        if t == 0:
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            reset_gate_steps = np.empty(
                (steps, *reset_gate.shape), dtype=reset_gate.dtype
            )
            update_gate_steps = np.empty(
                (steps, *update_gate.shape), dtype=update_gate.dtype
            )
            saved_10_steps = np.empty((steps, *saved_10.shape), dtype=saved_10.dtype)
            new_gate_steps = np.empty((steps, *new_gate.shape), dtype=new_gate.dtype)
        y[t] = h_next
        reset_gate_steps[t] = reset_gate
        update_gate_steps[t] = update_gate
        saved_10_steps[t] = saved_10
        new_gate_steps[t] = new_gate
        h = h_next
    return (
        y,
        h,
        (
            hoisted_saved,
            y,
            reset_gate_steps,
            update_gate_steps,
            saved_10_steps,
            new_gate_steps,
            None,
            weight_hh,
        ),
    )


def _backward_no_batch_first_no_h0(
    grad_y,
    grad_h_n,
    hoisted_saved,
    y,
    reset_gate_steps,
    update_gate_steps,
    saved_10_steps,
    new_gate_steps,
    h0,
    weight_hh,
):
    steps = grad_y.shape[0]
    h0 = np.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
            _backward_no_batch_first_step(
                grad_next_h,
                grad_y[t],
                (y[t - 1] if t else h0),
                weight_hh,
                reset_gate_steps[t],
                update_gate_steps[t],
                saved_10_steps[t],
                new_gate_steps[t],
            )
        )
        if t == steps - 1:
            chain_23_steps = np.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_30_steps = np.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            chain_35_steps = np.empty((steps, *chain_35.shape), dtype=chain_35.dtype)
            grad_recurrent_part_steps = np.empty(
                (steps, *grad_recurrent_part.shape), dtype=grad_recurrent_part.dtype
            )
        chain_23_steps[t] = chain_23
        chain_30_steps[t] = chain_30
        chain_35_steps[t] = chain_35
        grad_recurrent_part_steps[t] = grad_recurrent_part
    deferred_0, grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _backward_no_batch_first_deferred(
            np.concatenate((h0[None], y[:-1])),
            chain_23_steps,
            chain_30_steps,
            chain_35_steps,
            grad_recurrent_part_steps,
        )
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        deferred_0.reshape(-1, *deferred_0.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


_VARIANTS = {
    (True, True): (_forward_batch_first, _backward_batch_first),
    (True, False): (_forward_batch_first_no_h0, _backward_batch_first_no_h0),
    (False, True): (_forward_no_batch_first, _backward_no_batch_first),
    (False, False): (_forward_no_batch_first_no_h0, _backward_no_batch_first_no_h0),
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


def _cupy_forward_batch_first(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        h_next, reset_gate, update_gate, saved_10, new_gate = (
            _cupy_forward_no_batch_first_step(
                h, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            reset_gate_steps = cp.empty(
                (steps, *reset_gate.shape), dtype=reset_gate.dtype
            )
            update_gate_steps = cp.empty(
                (steps, *update_gate.shape), dtype=update_gate.dtype
            )
            saved_10_steps = cp.empty((steps, *saved_10.shape), dtype=saved_10.dtype)
            new_gate_steps = cp.empty((steps, *new_gate.shape), dtype=new_gate.dtype)
        y[t] = h_next
        reset_gate_steps[t] = reset_gate
        update_gate_steps[t] = update_gate
        saved_10_steps[t] = saved_10
        new_gate_steps[t] = new_gate
        h = h_next
    return (
        y.swapaxes(0, 1),
        h,
        (
            hoisted_saved,
            y,
            reset_gate_steps,
            update_gate_steps,
            saved_10_steps,
            new_gate_steps,
            h0,
            weight_hh,
        ),
    )


def _cupy_backward_batch_first(
    grad_y,
    grad_h_n,
    hoisted_saved,
    y,
    reset_gate_steps,
    update_gate_steps,
    saved_10_steps,
    new_gate_steps,
    h0,
    weight_hh,
):
    import cupy as cp

    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
            _cupy_backward_no_batch_first_step(
                grad_next_h,
                grad_y[t],
                (y[t - 1] if t else h0),
                weight_hh,
                reset_gate_steps[t],
                update_gate_steps[t],
                saved_10_steps[t],
                new_gate_steps[t],
            )
        )
        if t == steps - 1:
            chain_23_steps = cp.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_30_steps = cp.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            chain_35_steps = cp.empty((steps, *chain_35.shape), dtype=chain_35.dtype)
            grad_recurrent_part_steps = cp.empty(
                (steps, *grad_recurrent_part.shape), dtype=grad_recurrent_part.dtype
            )
        chain_23_steps[t] = chain_23
        chain_30_steps[t] = chain_30
        chain_35_steps[t] = chain_35
        grad_recurrent_part_steps[t] = grad_recurrent_part
    deferred_0, grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_deferred(
            cp.concatenate((h0[None], y[:-1])),
            chain_23_steps,
            chain_30_steps,
            chain_35_steps,
            grad_recurrent_part_steps,
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_hoisted(
        deferred_0.reshape(-1, *deferred_0.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _cupy_forward_no_batch_first_hoisted(x, weight_ih):
    hoisted_1 = _linear(x, weight_ih)
    return hoisted_1, (x, weight_ih)


# gru_no_batch_first_step_fwd_0: layers_spec/layers/gru.yaml:29,28,30,31,32,33
_gru_no_batch_first_step_fwd_0 = ElementwiseKernel(
    "gru_no_batch_first_step_fwd_0",
    "T _t16, T _t17, T _t18, T _t19, T _t20, T _t21, T _t22, T _t23, T _t24, T _t25, T _t26, T _t27, T h",
    "T reset_gate, T update_gate, T _t10, T new_gate, T h_next",
    """
    T _t4 = _t16 + _t17;
    T _t3 = _t18 + _t19;
    T _t5 = _t3 + _t4;
    reset_gate = exp(_t5 < 0 ? _t5 : T(0)) / (1 + exp(-fabs(_t5)));
    T _t7 = _t20 + _t21;
    T _t6 = _t22 + _t23;
    T _t8 = _t6 + _t7;
    update_gate = exp(_t8 < 0 ? _t8 : T(0)) / (1 + exp(-fabs(_t8)));
    _t10 = _t24 + _t25;
    T _t11 = reset_gate * _t10;
    T _t9 = _t26 + _t27;
    T _t12 = _t9 + _t11;
    new_gate = tanh(_t12);
    T _t13 = T(1) - update_gate;
    T _t14 = _t13 * new_gate;
    T _t15 = update_gate * h;
    h_next = _t14 + _t15;
    """,
)


def _cupy_forward_no_batch_first_step(h, hoisted_1, weight_hh, bias_ih, bias_hh):
    _t17 = _chunk(bias_hh, 3, 0, -1)
    _t18 = _chunk(hoisted_1, 3, 0, -1)
    _t19 = _chunk(bias_ih, 3, 0, -1)
    _t21 = _chunk(bias_hh, 3, 1, -1)
    _t22 = _chunk(hoisted_1, 3, 1, -1)
    _t23 = _chunk(bias_ih, 3, 1, -1)
    _t25 = _chunk(bias_hh, 3, 2, -1)
    _t26 = _chunk(hoisted_1, 3, 2, -1)
    _t27 = _chunk(bias_ih, 3, 2, -1)
    _t2 = (weight_hh @ h.T).T
    _t16 = _chunk(_t2, 3, 0, -1)
    _t20 = _chunk(_t2, 3, 1, -1)
    _t24 = _chunk(_t2, 3, 2, -1)
    reset_gate, update_gate, _t10, new_gate, h_next = _gru_no_batch_first_step_fwd_0(
        _t16, _t17, _t18, _t19, _t20, _t21, _t22, _t23, _t24, _t25, _t26, _t27, h
    )
    return h_next, reset_gate, update_gate, _t10, new_gate


# gru_no_batch_first_step_bwd_0: layers_spec/layers/gru.yaml:33; <generated>:1; layers_spec/primitives.yaml:61,62,52,180,875,201
_gru_no_batch_first_step_bwd_0 = ElementwiseKernel(
    "gru_no_batch_first_step_bwd_0",
    "T update_gate, T grad_next_h, T grad_y, T h, T new_gate, T _t10, T reset_gate",
    "T _t17, T _t23, T _t26, T _t30, T _t35",
    """
    T _t13 = T(1) - update_gate;
    T grad_h_next = grad_next_h + grad_y;
    T _t16 = grad_h_next * h;
    _t17 = grad_h_next * update_gate;
    T _t18 = grad_h_next * new_gate;
    T grad_new_gate = grad_h_next * _t13;
    T _t20 = -_t18;
    T _t21 = new_gate * new_gate;
    T _t22 = T(1) - _t21;
    _t23 = grad_new_gate * _t22;
    T grad_reset_gate = _t23 * _t10;
    _t26 = _t23 * reset_gate;
    T grad_update_gate = _t16 + _t20;
    T _t28 = grad_update_gate * update_gate;
    T _t29 = T(1) - update_gate;
    _t30 = _t28 * _t29;
    T _t33 = grad_reset_gate * reset_gate;
    T _t34 = T(1) - reset_gate;
    _t35 = _t33 * _t34;
    """,
)


# gru_no_batch_first_step_bwd_1: layers_spec/primitives.yaml:3177
_gru_no_batch_first_step_bwd_1 = ElementwiseKernel(
    "gru_no_batch_first_step_bwd_1",
    "T _t17, T _t40",
    "T grad_h",
    """
    grad_h = _t17 + _t40;
    """,
)


def _cupy_backward_no_batch_first_step(
    grad_next_h, grad_y, h, weight_hh, reset_gate, update_gate, _t10, new_gate
):
    import cupy as cp

    _t17, _t23, _t26, _t30, _t35 = _gru_no_batch_first_step_bwd_0(
        update_gate, grad_next_h, grad_y, h, new_gate, _t10, reset_gate
    )
    grad_recurrent_part = cp.concatenate((_t35, _t30, _t26), axis=-1)
    _t40 = (weight_hh.T @ grad_recurrent_part.T).T
    grad_h = _gru_no_batch_first_step_bwd_1(_t17, _t40)
    return grad_h, _t23, _t30, _t35, grad_recurrent_part


def _cupy_backward_no_batch_first_deferred(h, _t23, _t30, _t35, grad_recurrent_part):
    import cupy as cp

    grad_input_part = cp.concatenate((_t35, _t30, _t23), axis=-1)
    grad_bias_ih = _cupy_sum_leading(grad_input_part, 1)
    grad_bias_hh = _cupy_sum_leading(grad_recurrent_part, 1)
    grad_weight_hh = _rows(grad_recurrent_part).T @ _rows(h)
    return grad_input_part, grad_weight_hh, grad_bias_ih, grad_bias_hh


def _cupy_backward_no_batch_first_hoisted(grad_hoisted_1, x, weight_ih):
    grad_x = _linear_backward_input(grad_hoisted_1, weight_ih)
    grad_weight_ih = _rows(grad_hoisted_1).T @ _rows(x)
    return grad_x, grad_weight_ih


def _cupy_forward_batch_first_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    import cupy as cp

    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        h_next, reset_gate, update_gate, saved_10, new_gate = (
            _cupy_forward_no_batch_first_step(
                h, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            reset_gate_steps = cp.empty(
                (steps, *reset_gate.shape), dtype=reset_gate.dtype
            )
            update_gate_steps = cp.empty(
                (steps, *update_gate.shape), dtype=update_gate.dtype
            )
            saved_10_steps = cp.empty((steps, *saved_10.shape), dtype=saved_10.dtype)
            new_gate_steps = cp.empty((steps, *new_gate.shape), dtype=new_gate.dtype)
        y[t] = h_next
        reset_gate_steps[t] = reset_gate
        update_gate_steps[t] = update_gate
        saved_10_steps[t] = saved_10
        new_gate_steps[t] = new_gate
        h = h_next
    return (
        y.swapaxes(0, 1),
        h,
        (
            hoisted_saved,
            y,
            reset_gate_steps,
            update_gate_steps,
            saved_10_steps,
            new_gate_steps,
            None,
            weight_hh,
        ),
    )


def _cupy_backward_batch_first_no_h0(
    grad_y,
    grad_h_n,
    hoisted_saved,
    y,
    reset_gate_steps,
    update_gate_steps,
    saved_10_steps,
    new_gate_steps,
    h0,
    weight_hh,
):
    import cupy as cp

    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    h0 = cp.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
            _cupy_backward_no_batch_first_step(
                grad_next_h,
                grad_y[t],
                (y[t - 1] if t else h0),
                weight_hh,
                reset_gate_steps[t],
                update_gate_steps[t],
                saved_10_steps[t],
                new_gate_steps[t],
            )
        )
        if t == steps - 1:
            chain_23_steps = cp.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_30_steps = cp.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            chain_35_steps = cp.empty((steps, *chain_35.shape), dtype=chain_35.dtype)
            grad_recurrent_part_steps = cp.empty(
                (steps, *grad_recurrent_part.shape), dtype=grad_recurrent_part.dtype
            )
        chain_23_steps[t] = chain_23
        chain_30_steps[t] = chain_30
        chain_35_steps[t] = chain_35
        grad_recurrent_part_steps[t] = grad_recurrent_part
    deferred_0, grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_deferred(
            cp.concatenate((h0[None], y[:-1])),
            chain_23_steps,
            chain_30_steps,
            chain_35_steps,
            grad_recurrent_part_steps,
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_hoisted(
        deferred_0.reshape(-1, *deferred_0.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


def _cupy_forward_no_batch_first(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        h_next, reset_gate, update_gate, saved_10, new_gate = (
            _cupy_forward_no_batch_first_step(
                h, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            reset_gate_steps = cp.empty(
                (steps, *reset_gate.shape), dtype=reset_gate.dtype
            )
            update_gate_steps = cp.empty(
                (steps, *update_gate.shape), dtype=update_gate.dtype
            )
            saved_10_steps = cp.empty((steps, *saved_10.shape), dtype=saved_10.dtype)
            new_gate_steps = cp.empty((steps, *new_gate.shape), dtype=new_gate.dtype)
        y[t] = h_next
        reset_gate_steps[t] = reset_gate
        update_gate_steps[t] = update_gate
        saved_10_steps[t] = saved_10
        new_gate_steps[t] = new_gate
        h = h_next
    return (
        y,
        h,
        (
            hoisted_saved,
            y,
            reset_gate_steps,
            update_gate_steps,
            saved_10_steps,
            new_gate_steps,
            h0,
            weight_hh,
        ),
    )


def _cupy_backward_no_batch_first(
    grad_y,
    grad_h_n,
    hoisted_saved,
    y,
    reset_gate_steps,
    update_gate_steps,
    saved_10_steps,
    new_gate_steps,
    h0,
    weight_hh,
):
    import cupy as cp

    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
            _cupy_backward_no_batch_first_step(
                grad_next_h,
                grad_y[t],
                (y[t - 1] if t else h0),
                weight_hh,
                reset_gate_steps[t],
                update_gate_steps[t],
                saved_10_steps[t],
                new_gate_steps[t],
            )
        )
        if t == steps - 1:
            chain_23_steps = cp.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_30_steps = cp.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            chain_35_steps = cp.empty((steps, *chain_35.shape), dtype=chain_35.dtype)
            grad_recurrent_part_steps = cp.empty(
                (steps, *grad_recurrent_part.shape), dtype=grad_recurrent_part.dtype
            )
        chain_23_steps[t] = chain_23
        chain_30_steps[t] = chain_30
        chain_35_steps[t] = chain_35
        grad_recurrent_part_steps[t] = grad_recurrent_part
    deferred_0, grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_deferred(
            cp.concatenate((h0[None], y[:-1])),
            chain_23_steps,
            chain_30_steps,
            chain_35_steps,
            grad_recurrent_part_steps,
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_hoisted(
        deferred_0.reshape(-1, *deferred_0.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _cupy_forward_no_batch_first_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    import cupy as cp

    steps = x.shape[0]
    hoisted_1, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = cp.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        h_next, reset_gate, update_gate, saved_10, new_gate = (
            _cupy_forward_no_batch_first_step(
                h, hoisted_1[t], weight_hh, bias_ih, bias_hh
            )
        )
        if t == 0:
            y = cp.empty((steps, *h_next.shape), dtype=h_next.dtype)
            reset_gate_steps = cp.empty(
                (steps, *reset_gate.shape), dtype=reset_gate.dtype
            )
            update_gate_steps = cp.empty(
                (steps, *update_gate.shape), dtype=update_gate.dtype
            )
            saved_10_steps = cp.empty((steps, *saved_10.shape), dtype=saved_10.dtype)
            new_gate_steps = cp.empty((steps, *new_gate.shape), dtype=new_gate.dtype)
        y[t] = h_next
        reset_gate_steps[t] = reset_gate
        update_gate_steps[t] = update_gate
        saved_10_steps[t] = saved_10
        new_gate_steps[t] = new_gate
        h = h_next
    return (
        y,
        h,
        (
            hoisted_saved,
            y,
            reset_gate_steps,
            update_gate_steps,
            saved_10_steps,
            new_gate_steps,
            None,
            weight_hh,
        ),
    )


def _cupy_backward_no_batch_first_no_h0(
    grad_y,
    grad_h_n,
    hoisted_saved,
    y,
    reset_gate_steps,
    update_gate_steps,
    saved_10_steps,
    new_gate_steps,
    h0,
    weight_hh,
):
    import cupy as cp

    steps = grad_y.shape[0]
    h0 = cp.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
            _cupy_backward_no_batch_first_step(
                grad_next_h,
                grad_y[t],
                (y[t - 1] if t else h0),
                weight_hh,
                reset_gate_steps[t],
                update_gate_steps[t],
                saved_10_steps[t],
                new_gate_steps[t],
            )
        )
        if t == steps - 1:
            chain_23_steps = cp.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_30_steps = cp.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            chain_35_steps = cp.empty((steps, *chain_35.shape), dtype=chain_35.dtype)
            grad_recurrent_part_steps = cp.empty(
                (steps, *grad_recurrent_part.shape), dtype=grad_recurrent_part.dtype
            )
        chain_23_steps[t] = chain_23
        chain_30_steps[t] = chain_30
        chain_35_steps[t] = chain_35
        grad_recurrent_part_steps[t] = grad_recurrent_part
    deferred_0, grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _cupy_backward_no_batch_first_deferred(
            cp.concatenate((h0[None], y[:-1])),
            chain_23_steps,
            chain_30_steps,
            chain_35_steps,
            grad_recurrent_part_steps,
        )
    )
    grad_x, grad_weight_ih = _cupy_backward_no_batch_first_hoisted(
        deferred_0.reshape(-1, *deferred_0.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


_CUPY_VARIANTS = {
    (True, True): (_cupy_forward_batch_first, _cupy_backward_batch_first),
    (True, False): (_cupy_forward_batch_first_no_h0, _cupy_backward_batch_first_no_h0),
    (False, True): (_cupy_forward_no_batch_first, _cupy_backward_no_batch_first),
    (False, False): (
        _cupy_forward_no_batch_first_no_h0,
        _cupy_backward_no_batch_first_no_h0,
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


# gru_no_batch_first_step_fwd_loops_0: layers_spec/layers/gru.yaml:29,30,28,31,32,33
@row_kernel
def _gru_no_batch_first_step_fwd_loops_0(
    _t1,
    bias_hh,
    hoisted_1,
    bias_ih,
    h,
    reset_gate_out,
    update_gate_out,
    _t2_out,
    new_gate_out,
    h_next_out,
):
    _rows, _n = h.shape
    _float = h.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t3 = _t1[_row, _j] + bias_hh[_j]  # gru.yaml:30
            _t4 = hoisted_1[_row, _j] + bias_ih[_j]  # gru.yaml:30
            _t5 = _t4 + _t3  # gru.yaml:30
            reset_gate = _float(1.0) / (_float(1.0) + fast_exp(-_t5))  # gru.yaml:30
            reset_gate_out[_row, _j] = reset_gate
            _t6 = _t1[_row, 1 * _n + _j] + bias_hh[1 * _n + _j]  # gru.yaml:31
            _t7 = hoisted_1[_row, 1 * _n + _j] + bias_ih[1 * _n + _j]  # gru.yaml:31
            _t8 = _t7 + _t6  # gru.yaml:31
            update_gate = _float(1.0) / (_float(1.0) + fast_exp(-_t8))  # gru.yaml:31
            update_gate_out[_row, _j] = update_gate
            _t2 = _t1[_row, 2 * _n + _j] + bias_hh[2 * _n + _j]  # gru.yaml:32
            _t2_out[_row, _j] = _t2
            _t9 = reset_gate * _t2  # gru.yaml:32
            _t10 = hoisted_1[_row, 2 * _n + _j] + bias_ih[2 * _n + _j]  # gru.yaml:32
            _t11 = _t10 + _t9  # gru.yaml:32
            new_gate = fast_tanh(_t11)  # gru.yaml:32
            new_gate_out[_row, _j] = new_gate
            _t12 = _float(1.0) - update_gate  # gru.yaml:33
            _t13 = _t12 * new_gate  # gru.yaml:33
            _t14 = update_gate * h[_row, _j]  # gru.yaml:33
            h_next = _t13 + _t14  # gru.yaml:33
            h_next_out[_row, _j] = h_next


def _jit_forward_no_batch_first_step(
    h,
    hoisted_1,
    weight_hh,
    bias_ih,
    bias_hh,
    *,
    out_h_next=None,
    out_reset_gate=None,
    out_update_gate=None,
    out__t10=None,
    out_new_gate=None,
):
    _t2 = (weight_hh @ h.T).T
    reset_gate = (
        np.empty(h.shape, h.dtype) if out_reset_gate is None else out_reset_gate
    )
    update_gate = (
        np.empty(h.shape, h.dtype) if out_update_gate is None else out_update_gate
    )
    _t10 = np.empty(h.shape, h.dtype) if out__t10 is None else out__t10
    new_gate = np.empty(h.shape, h.dtype) if out_new_gate is None else out_new_gate
    h_next = np.empty(h.shape, h.dtype) if out_h_next is None else out_h_next
    _gru_no_batch_first_step_fwd_loops_0(
        rows(_t2),
        bias_hh,
        rows(hoisted_1),
        bias_ih,
        rows(h),
        rows(reset_gate),
        rows(update_gate),
        rows(_t10),
        rows(new_gate),
        rows(h_next),
    )
    return h_next, reset_gate, update_gate, _t10, new_gate


def _jit_forward_batch_first(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        if t == 0:
            h_next, reset_gate, update_gate, saved_10, new_gate = (
                _jit_forward_no_batch_first_step(
                    h, hoisted_1[t], weight_hh, bias_ih, bias_hh
                )
            )
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            reset_gate_steps = np.empty(
                (steps, *reset_gate.shape), dtype=reset_gate.dtype
            )
            update_gate_steps = np.empty(
                (steps, *update_gate.shape), dtype=update_gate.dtype
            )
            saved_10_steps = np.empty((steps, *saved_10.shape), dtype=saved_10.dtype)
            new_gate_steps = np.empty((steps, *new_gate.shape), dtype=new_gate.dtype)
            y[t] = h_next
            reset_gate_steps[t] = reset_gate
            update_gate_steps[t] = update_gate
            saved_10_steps[t] = saved_10
            new_gate_steps[t] = new_gate
        else:  # the step writes these results into their rows
            h_next, reset_gate, update_gate, saved_10, new_gate = (
                _jit_forward_no_batch_first_step(
                    h,
                    hoisted_1[t],
                    weight_hh,
                    bias_ih,
                    bias_hh,
                    out_h_next=y[t],
                    out_reset_gate=reset_gate_steps[t],
                    out_update_gate=update_gate_steps[t],
                    out__t10=saved_10_steps[t],
                    out_new_gate=new_gate_steps[t],
                )
            )
        h = h_next
    return (
        y.swapaxes(0, 1),
        h,
        (
            hoisted_saved,
            y,
            reset_gate_steps,
            update_gate_steps,
            saved_10_steps,
            new_gate_steps,
            h0,
            weight_hh,
        ),
    )


# gru_no_batch_first_step_bwd_loops_0: layers_spec/layers/gru.yaml:33; <generated>:1; layers_spec/primitives.yaml:61,62,52,180,875,201
@row_kernel
def _gru_no_batch_first_step_bwd_loops_0(
    update_gate,
    grad_next_h,
    grad_y,
    h,
    new_gate,
    _t1,
    reset_gate,
    _t2_out,
    _t3_out,
    _t4_out,
    _t5_out,
    _t6_out,
):
    _rows, _n = update_gate.shape
    _float = update_gate.dtype.type
    for _row in range(_rows):
        for _j in range(_n):
            _t7 = _float(1.0) - update_gate[_row, _j]  # gru.yaml:33
            grad_h_next = grad_next_h[_row, _j] + grad_y[_row, _j]  # <generated>:1
            _t8 = grad_h_next * h[_row, _j]  # primitives.yaml:61
            _t2 = grad_h_next * update_gate[_row, _j]  # primitives.yaml:62
            _t2_out[_row, _j] = _t2
            _t9 = grad_h_next * new_gate[_row, _j]  # primitives.yaml:61
            grad_new_gate = grad_h_next * _t7  # primitives.yaml:62
            _t10 = -_t9  # primitives.yaml:52
            _t11 = new_gate[_row, _j] * new_gate[_row, _j]  # primitives.yaml:180
            _t12 = _float(1.0) - _t11  # primitives.yaml:180
            _t3 = grad_new_gate * _t12  # primitives.yaml:180
            _t3_out[_row, _j] = _t3
            grad_reset_gate = _t3 * _t1[_row, _j]  # primitives.yaml:61
            _t4 = _t3 * reset_gate[_row, _j]  # primitives.yaml:62
            _t4_out[_row, _j] = _t4
            grad_update_gate = _t8 + _t10  # primitives.yaml:875
            _t13 = grad_update_gate * update_gate[_row, _j]  # primitives.yaml:201
            _t14 = _float(1.0) - update_gate[_row, _j]  # primitives.yaml:201
            _t5 = _t13 * _t14  # primitives.yaml:201
            _t5_out[_row, _j] = _t5
            _t15 = grad_reset_gate * reset_gate[_row, _j]  # primitives.yaml:201
            _t16 = _float(1.0) - reset_gate[_row, _j]  # primitives.yaml:201
            _t6 = _t15 * _t16  # primitives.yaml:201
            _t6_out[_row, _j] = _t6


def _jit_backward_no_batch_first_step(
    grad_next_h,
    grad_y,
    h,
    weight_hh,
    reset_gate,
    update_gate,
    _t10,
    new_gate,
    *,
    out_grad_recurrent_part=None,
):
    _t17 = np.empty(grad_next_h.shape, grad_next_h.dtype)
    _t23 = np.empty(grad_next_h.shape, grad_next_h.dtype)
    _t26 = np.empty(grad_next_h.shape, grad_next_h.dtype)
    _t30 = np.empty(grad_next_h.shape, grad_next_h.dtype)
    _t35 = np.empty(grad_next_h.shape, grad_next_h.dtype)
    _gru_no_batch_first_step_bwd_loops_0(
        rows(update_gate),
        rows(grad_next_h),
        rows(grad_y),
        rows(h),
        rows(new_gate),
        rows(_t10),
        rows(reset_gate),
        rows(_t17),
        rows(_t23),
        rows(_t26),
        rows(_t30),
        rows(_t35),
    )
    grad_recurrent_part = np.concatenate(
        (_t35, _t30, _t26), axis=-1, out=out_grad_recurrent_part
    )
    _t40 = (weight_hh.T @ grad_recurrent_part.T).T
    grad_h = _t17 + _t40
    return grad_h, _t23, _t30, _t35, grad_recurrent_part


def _jit_backward_batch_first(
    grad_y,
    grad_h_n,
    hoisted_saved,
    y,
    reset_gate_steps,
    update_gate_steps,
    saved_10_steps,
    new_gate_steps,
    h0,
    weight_hh,
):
    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        if t == steps - 1:
            grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
                _jit_backward_no_batch_first_step(
                    grad_next_h,
                    grad_y[t],
                    (y[t - 1] if t else h0),
                    weight_hh,
                    reset_gate_steps[t],
                    update_gate_steps[t],
                    saved_10_steps[t],
                    new_gate_steps[t],
                )
            )
            chain_23_steps = np.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_30_steps = np.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            chain_35_steps = np.empty((steps, *chain_35.shape), dtype=chain_35.dtype)
            grad_recurrent_part_steps = np.empty(
                (steps, *grad_recurrent_part.shape), dtype=grad_recurrent_part.dtype
            )
            chain_23_steps[t] = chain_23
            chain_30_steps[t] = chain_30
            chain_35_steps[t] = chain_35
            grad_recurrent_part_steps[t] = grad_recurrent_part
        else:  # the step writes these results into their rows
            grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
                _jit_backward_no_batch_first_step(
                    grad_next_h,
                    grad_y[t],
                    (y[t - 1] if t else h0),
                    weight_hh,
                    reset_gate_steps[t],
                    update_gate_steps[t],
                    saved_10_steps[t],
                    new_gate_steps[t],
                    out_grad_recurrent_part=grad_recurrent_part_steps[t],
                )
            )
            chain_23_steps[t] = chain_23
            chain_30_steps[t] = chain_30
            chain_35_steps[t] = chain_35
    deferred_0, grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _backward_no_batch_first_deferred(
            np.concatenate((h0[None], y[:-1])),
            chain_23_steps,
            chain_30_steps,
            chain_35_steps,
            grad_recurrent_part_steps,
        )
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        deferred_0.reshape(-1, *deferred_0.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _jit_forward_batch_first_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    x = x.swapaxes(0, 1)  # time first
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        if t == 0:
            h_next, reset_gate, update_gate, saved_10, new_gate = (
                _jit_forward_no_batch_first_step(
                    h, hoisted_1[t], weight_hh, bias_ih, bias_hh
                )
            )
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            reset_gate_steps = np.empty(
                (steps, *reset_gate.shape), dtype=reset_gate.dtype
            )
            update_gate_steps = np.empty(
                (steps, *update_gate.shape), dtype=update_gate.dtype
            )
            saved_10_steps = np.empty((steps, *saved_10.shape), dtype=saved_10.dtype)
            new_gate_steps = np.empty((steps, *new_gate.shape), dtype=new_gate.dtype)
            y[t] = h_next
            reset_gate_steps[t] = reset_gate
            update_gate_steps[t] = update_gate
            saved_10_steps[t] = saved_10
            new_gate_steps[t] = new_gate
        else:  # the step writes these results into their rows
            h_next, reset_gate, update_gate, saved_10, new_gate = (
                _jit_forward_no_batch_first_step(
                    h,
                    hoisted_1[t],
                    weight_hh,
                    bias_ih,
                    bias_hh,
                    out_h_next=y[t],
                    out_reset_gate=reset_gate_steps[t],
                    out_update_gate=update_gate_steps[t],
                    out__t10=saved_10_steps[t],
                    out_new_gate=new_gate_steps[t],
                )
            )
        h = h_next
    return (
        y.swapaxes(0, 1),
        h,
        (
            hoisted_saved,
            y,
            reset_gate_steps,
            update_gate_steps,
            saved_10_steps,
            new_gate_steps,
            None,
            weight_hh,
        ),
    )


def _jit_backward_batch_first_no_h0(
    grad_y,
    grad_h_n,
    hoisted_saved,
    y,
    reset_gate_steps,
    update_gate_steps,
    saved_10_steps,
    new_gate_steps,
    h0,
    weight_hh,
):
    grad_y = grad_y.swapaxes(0, 1)  # time first
    steps = grad_y.shape[0]
    h0 = np.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        if t == steps - 1:
            grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
                _jit_backward_no_batch_first_step(
                    grad_next_h,
                    grad_y[t],
                    (y[t - 1] if t else h0),
                    weight_hh,
                    reset_gate_steps[t],
                    update_gate_steps[t],
                    saved_10_steps[t],
                    new_gate_steps[t],
                )
            )
            chain_23_steps = np.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_30_steps = np.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            chain_35_steps = np.empty((steps, *chain_35.shape), dtype=chain_35.dtype)
            grad_recurrent_part_steps = np.empty(
                (steps, *grad_recurrent_part.shape), dtype=grad_recurrent_part.dtype
            )
            chain_23_steps[t] = chain_23
            chain_30_steps[t] = chain_30
            chain_35_steps[t] = chain_35
            grad_recurrent_part_steps[t] = grad_recurrent_part
        else:  # the step writes these results into their rows
            grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
                _jit_backward_no_batch_first_step(
                    grad_next_h,
                    grad_y[t],
                    (y[t - 1] if t else h0),
                    weight_hh,
                    reset_gate_steps[t],
                    update_gate_steps[t],
                    saved_10_steps[t],
                    new_gate_steps[t],
                    out_grad_recurrent_part=grad_recurrent_part_steps[t],
                )
            )
            chain_23_steps[t] = chain_23
            chain_30_steps[t] = chain_30
            chain_35_steps[t] = chain_35
    deferred_0, grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _backward_no_batch_first_deferred(
            np.concatenate((h0[None], y[:-1])),
            chain_23_steps,
            chain_30_steps,
            chain_35_steps,
            grad_recurrent_part_steps,
        )
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        deferred_0.reshape(-1, *deferred_0.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_x = grad_x.swapaxes(0, 1)
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


def _jit_forward_no_batch_first(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h = h0
    for t in range(steps):
        if t == 0:
            h_next, reset_gate, update_gate, saved_10, new_gate = (
                _jit_forward_no_batch_first_step(
                    h, hoisted_1[t], weight_hh, bias_ih, bias_hh
                )
            )
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            reset_gate_steps = np.empty(
                (steps, *reset_gate.shape), dtype=reset_gate.dtype
            )
            update_gate_steps = np.empty(
                (steps, *update_gate.shape), dtype=update_gate.dtype
            )
            saved_10_steps = np.empty((steps, *saved_10.shape), dtype=saved_10.dtype)
            new_gate_steps = np.empty((steps, *new_gate.shape), dtype=new_gate.dtype)
            y[t] = h_next
            reset_gate_steps[t] = reset_gate
            update_gate_steps[t] = update_gate
            saved_10_steps[t] = saved_10
            new_gate_steps[t] = new_gate
        else:  # the step writes these results into their rows
            h_next, reset_gate, update_gate, saved_10, new_gate = (
                _jit_forward_no_batch_first_step(
                    h,
                    hoisted_1[t],
                    weight_hh,
                    bias_ih,
                    bias_hh,
                    out_h_next=y[t],
                    out_reset_gate=reset_gate_steps[t],
                    out_update_gate=update_gate_steps[t],
                    out__t10=saved_10_steps[t],
                    out_new_gate=new_gate_steps[t],
                )
            )
        h = h_next
    return (
        y,
        h,
        (
            hoisted_saved,
            y,
            reset_gate_steps,
            update_gate_steps,
            saved_10_steps,
            new_gate_steps,
            h0,
            weight_hh,
        ),
    )


def _jit_backward_no_batch_first(
    grad_y,
    grad_h_n,
    hoisted_saved,
    y,
    reset_gate_steps,
    update_gate_steps,
    saved_10_steps,
    new_gate_steps,
    h0,
    weight_hh,
):
    steps = grad_y.shape[0]
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        if t == steps - 1:
            grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
                _jit_backward_no_batch_first_step(
                    grad_next_h,
                    grad_y[t],
                    (y[t - 1] if t else h0),
                    weight_hh,
                    reset_gate_steps[t],
                    update_gate_steps[t],
                    saved_10_steps[t],
                    new_gate_steps[t],
                )
            )
            chain_23_steps = np.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_30_steps = np.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            chain_35_steps = np.empty((steps, *chain_35.shape), dtype=chain_35.dtype)
            grad_recurrent_part_steps = np.empty(
                (steps, *grad_recurrent_part.shape), dtype=grad_recurrent_part.dtype
            )
            chain_23_steps[t] = chain_23
            chain_30_steps[t] = chain_30
            chain_35_steps[t] = chain_35
            grad_recurrent_part_steps[t] = grad_recurrent_part
        else:  # the step writes these results into their rows
            grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
                _jit_backward_no_batch_first_step(
                    grad_next_h,
                    grad_y[t],
                    (y[t - 1] if t else h0),
                    weight_hh,
                    reset_gate_steps[t],
                    update_gate_steps[t],
                    saved_10_steps[t],
                    new_gate_steps[t],
                    out_grad_recurrent_part=grad_recurrent_part_steps[t],
                )
            )
            chain_23_steps[t] = chain_23
            chain_30_steps[t] = chain_30
            chain_35_steps[t] = chain_35
    deferred_0, grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _backward_no_batch_first_deferred(
            np.concatenate((h0[None], y[:-1])),
            chain_23_steps,
            chain_30_steps,
            chain_35_steps,
            grad_recurrent_part_steps,
        )
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        deferred_0.reshape(-1, *deferred_0.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    grad_h0 = grad_next_h
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, grad_h0


def _jit_forward_no_batch_first_no_h0(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):
    steps = x.shape[0]
    hoisted_1, hoisted_saved = _forward_no_batch_first_hoisted(
        x.reshape(-1, *x.shape[2:]), weight_ih
    )
    hoisted_1 = hoisted_1.reshape(steps, -1, *hoisted_1.shape[1:])
    h0 = np.zeros((x.shape[1], weight_hh.shape[1]), dtype=x.dtype)
    h = h0
    for t in range(steps):
        if t == 0:
            h_next, reset_gate, update_gate, saved_10, new_gate = (
                _jit_forward_no_batch_first_step(
                    h, hoisted_1[t], weight_hh, bias_ih, bias_hh
                )
            )
            y = np.empty((steps, *h_next.shape), dtype=h_next.dtype)
            reset_gate_steps = np.empty(
                (steps, *reset_gate.shape), dtype=reset_gate.dtype
            )
            update_gate_steps = np.empty(
                (steps, *update_gate.shape), dtype=update_gate.dtype
            )
            saved_10_steps = np.empty((steps, *saved_10.shape), dtype=saved_10.dtype)
            new_gate_steps = np.empty((steps, *new_gate.shape), dtype=new_gate.dtype)
            y[t] = h_next
            reset_gate_steps[t] = reset_gate
            update_gate_steps[t] = update_gate
            saved_10_steps[t] = saved_10
            new_gate_steps[t] = new_gate
        else:  # the step writes these results into their rows
            h_next, reset_gate, update_gate, saved_10, new_gate = (
                _jit_forward_no_batch_first_step(
                    h,
                    hoisted_1[t],
                    weight_hh,
                    bias_ih,
                    bias_hh,
                    out_h_next=y[t],
                    out_reset_gate=reset_gate_steps[t],
                    out_update_gate=update_gate_steps[t],
                    out__t10=saved_10_steps[t],
                    out_new_gate=new_gate_steps[t],
                )
            )
        h = h_next
    return (
        y,
        h,
        (
            hoisted_saved,
            y,
            reset_gate_steps,
            update_gate_steps,
            saved_10_steps,
            new_gate_steps,
            None,
            weight_hh,
        ),
    )


def _jit_backward_no_batch_first_no_h0(
    grad_y,
    grad_h_n,
    hoisted_saved,
    y,
    reset_gate_steps,
    update_gate_steps,
    saved_10_steps,
    new_gate_steps,
    h0,
    weight_hh,
):
    steps = grad_y.shape[0]
    h0 = np.zeros_like(y[0])
    grad_next_h = grad_h_n
    for t in range(steps - 1, -1, -1):
        if t == steps - 1:
            grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
                _jit_backward_no_batch_first_step(
                    grad_next_h,
                    grad_y[t],
                    (y[t - 1] if t else h0),
                    weight_hh,
                    reset_gate_steps[t],
                    update_gate_steps[t],
                    saved_10_steps[t],
                    new_gate_steps[t],
                )
            )
            chain_23_steps = np.empty((steps, *chain_23.shape), dtype=chain_23.dtype)
            chain_30_steps = np.empty((steps, *chain_30.shape), dtype=chain_30.dtype)
            chain_35_steps = np.empty((steps, *chain_35.shape), dtype=chain_35.dtype)
            grad_recurrent_part_steps = np.empty(
                (steps, *grad_recurrent_part.shape), dtype=grad_recurrent_part.dtype
            )
            chain_23_steps[t] = chain_23
            chain_30_steps[t] = chain_30
            chain_35_steps[t] = chain_35
            grad_recurrent_part_steps[t] = grad_recurrent_part
        else:  # the step writes these results into their rows
            grad_next_h, chain_23, chain_30, chain_35, grad_recurrent_part = (
                _jit_backward_no_batch_first_step(
                    grad_next_h,
                    grad_y[t],
                    (y[t - 1] if t else h0),
                    weight_hh,
                    reset_gate_steps[t],
                    update_gate_steps[t],
                    saved_10_steps[t],
                    new_gate_steps[t],
                    out_grad_recurrent_part=grad_recurrent_part_steps[t],
                )
            )
            chain_23_steps[t] = chain_23
            chain_30_steps[t] = chain_30
            chain_35_steps[t] = chain_35
    deferred_0, grad_weight_hh, grad_bias_ih, grad_bias_hh = (
        _backward_no_batch_first_deferred(
            np.concatenate((h0[None], y[:-1])),
            chain_23_steps,
            chain_30_steps,
            chain_35_steps,
            grad_recurrent_part_steps,
        )
    )
    grad_x, grad_weight_ih = _backward_no_batch_first_hoisted(
        deferred_0.reshape(-1, *deferred_0.shape[2:]), *hoisted_saved
    )
    grad_x = grad_x.reshape(steps, -1, *grad_x.shape[1:])
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh, None


_JIT_VARIANTS = {
    (True, True): (_jit_forward_batch_first, _jit_backward_batch_first),
    (True, False): (_jit_forward_batch_first_no_h0, _jit_backward_batch_first_no_h0),
    (False, True): (_jit_forward_no_batch_first, _jit_backward_no_batch_first),
    (False, False): (
        _jit_forward_no_batch_first_no_h0,
        _jit_backward_no_batch_first_no_h0,
    ),
}
