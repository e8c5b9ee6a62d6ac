"""Reservoir: Echo state network: a fixed random reservoir driven by a sequence, r_t = (1 -
a) r_(t-1) + a tanh(u_t @ (s weight_in).T + r_(t-1) @ weight_res.T) with leaking rate a
and input scaling s, over u [B, T, input_size] (batch first; time first with
batch_first=False); returns every state r_t (states) and the last (r_n). weight_in and
weight_res are buffers, drawn by the object API (weight_res sparse and rescaled to a
spectral radius) and never trained: backward returns the gradients of u and r0 only,
through every step. The initial state r0 may be None (zeros).
Generated from layers_spec/layers/reservoir.yaml by the layerforge transpiler 0.1.0.
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

INPUTS = ("u", "r0")
PARAMETERS = ()
BUFFERS = ("weight_in", "weight_res")
OUTPUTS = ("states", "r_n")
SEQUENCES = ("u",)
STACKED = ("states",)
BATCH_FIRST = "batch_first"


def forward(
    u,
    weight_in,
    weight_res,
    r0=None,
    *,
    leaking_rate=1.0,
    input_scaling=1.0,
    batch_first=True,
):
    """Reservoir forward pass.

    Echo state network: a fixed random reservoir driven by a sequence, r_t = (1 - a)
    r_(t-1) + a tanh(u_t @ (s weight_in).T + r_(t-1) @ weight_res.T) with leaking rate a
    and input scaling s, over u [B, T, input_size] (batch first; time first with
    batch_first=False); returns every state r_t (states) and the last (r_n). weight_in
    and weight_res are buffers, drawn by the object API (weight_res sparse and rescaled
    to a spectral radius) and never trained: backward returns the gradients of u and r0
    only, through every step. The initial state r0 may be None (zeros).

    Args:
        u: float32 or float64 input of shape [T, B, input_size]. The sequence, batch
            first (time first with batch_first=False).
        weight_in: float32 or float64 buffer of shape [reservoir_size, input_size]. The
            fixed input weights W_in.
        weight_res: float32 or float64 buffer of shape [reservoir_size, reservoir_size].
            The fixed recurrent weights W_res.
        r0: float32 or float64 input of shape [B, reservoir_size], None to leave it out.
            The initial state; None for zeros.
        leaking_rate: float, default 1.0. a: the share of the new state in each step (1:
            no leak).
        input_scaling: float, default 1.0. s: the factor of the input.
        batch_first: bool, default True. u and states are [B, T, ...] (false: [T, B,
            ...]).

    Returns:
        ((states, r_n), ctx): the outputs and the context that backward needs.
    """
    check_arrays(
        "reservoir",
        {"u": u, "weight_in": weight_in, "weight_res": weight_res, "r0": r0},
        {
            "u": ("B", "T", "input_size") if batch_first else ("T", "B", "input_size"),
            "weight_in": ("reservoir_size", "input_size"),
            "weight_res": ("reservoir_size", "reservoir_size"),
            "r0": ("B", "reservoir_size"),
        },
        optional=("r0",),
    )
    check_attribute(
        "reservoir", "leaking_rate", leaking_rate, "float", minimum=0.0, maximum=1.0
    )
    check_attribute("reservoir", "input_scaling", input_scaling, "float")
    check_attribute("reservoir", "batch_first", batch_first, "bool")
    check_steps("reservoir", "u", u.shape, 1 if batch_first else 0)
    check_nonempty("reservoir", "u", u.shape, -1)
    check_nonempty("reservoir", "weight_res", weight_res.shape, -1)
    if on_gpu(u):
        forward_variant, backward_variant = _CUPY_VARIANTS[
            (batch_first, r0 is not None)
        ]
        states, r_n, saved = forward_variant(
            u, weight_in, weight_res, r0, leaking_rate, input_scaling
        )
        return (states, r_n), (
            backward_variant,
            saved,
            (states.dtype, states.shape, r_n.shape),
            None,
        )
    forward_variant, backward_variant = _VARIANTS[(batch_first, r0 is not None)]
    states, r_n, saved = forward_variant(
        u, weight_in, weight_res, r0, leaking_rate, input_scaling
    )
    return (states, r_n), (
        backward_variant,
        saved,
        (states.dtype, states.shape, r_n.shape),
        None,
    )


def backward(grad_states, grad_r_n, ctx):
    """Reservoir backward pass.

    Args:
        grad_states, grad_r_n: gradient of the loss with respect to states, r_n.
        ctx: the context returned by forward.

    Returns:
        grad_u, grad_r0: gradients with respect to u, r0, in that order.
    """
    backward_variant, saved = check_context(
        "reservoir", __name__, ctx, {"grad_states": grad_states, "grad_r_n": grad_r_n}
    )
    return backward_variant(grad_states, grad_r_n, *saved)


def _forward_batch_first(u, weight_in, weight_res, r0, leaking_rate, input_scaling):
    u = u.swapaxes(0, 1)  # time first
    steps = u.shape[0]
    hoisted_1, hoisted_2, hoisted_saved = _forward_no_batch_first_hoisted(
        u.reshape(-1, *u.shape[2:]), weight_in, leaking_rate, input_scaling
    )
    hoisted_2 = hoisted_2.reshape(steps, -1, *hoisted_2.shape[1:])
    r = r0
    for t in range(steps):
        r_next, saved_7 = _forward_no_batch_first_step(
            r, hoisted_1, hoisted_2[t], weight_res, leaking_rate
        )
        if t == 0:
            states = np.empty((steps, *r_next.shape), dtype=r_next.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        states[t] = r_next
        saved_7_steps[t] = saved_7
        r = r_next
    return (
        states.swapaxes(0, 1),
        r,
        (hoisted_saved, hoisted_1, states, saved_7_steps, weight_res, leaking_rate),
    )


def _backward_batch_first(
    grad_states,
    grad_r_n,
    hoisted_saved,
    hoisted_1,
    states,
    saved_7_steps,
    weight_res,
    leaking_rate,
):
    grad_states = grad_states.swapaxes(0, 1)  # time first
    steps = grad_states.shape[0]
    grad_next_r = grad_r_n
    for t in range(steps - 1, -1, -1):
        grad_next_r, chain_12 = _backward_no_batch_first_step(
            grad_next_r,
            grad_states[t],
            weight_res,
            leaking_rate,
            hoisted_1,
            saved_7_steps[t],
        )
        if t == steps - 1:
            chain_12_steps = np.empty((steps, *chain_12.shape), dtype=chain_12.dtype)
        chain_12_steps[t] = chain_12
    grad_u = _backward_no_batch_first_hoisted(
        chain_12_steps.reshape(-1, *chain_12_steps.shape[2:]), *hoisted_saved
    )
    grad_u = grad_u.reshape(steps, -1, *grad_u.shape[1:])
    grad_u = grad_u.swapaxes(0, 1)
    grad_r0 = grad_next_r
    return grad_u, grad_r0


def _forward_no_batch_first_hoisted(u, weight_in, leaking_rate=1.0, input_scaling=1.0):
    hoisted_1 = 1 - leaking_rate
    hoisted_2 = _linear(u, weight_in)
    hoisted_2 *= input_scaling
    return hoisted_1, hoisted_2, (weight_in, input_scaling)


def _forward_no_batch_first_step(r, hoisted_1, hoisted_2, weight_res, leaking_rate=1.0):
    _t1 = np.tanh(hoisted_2 + (weight_res @ r.T).T)
    r_next = hoisted_1 * r
    _t2 = leaking_rate * _t1
    r_next += _t2
    return r_next, _t1


def _backward_no_batch_first_step(
    grad_next_r, grad_states, weight_res, leaking_rate, hoisted_1, _t1
):
    grad_r_next = grad_next_r + grad_states
    _t2 = _t1 * _t1
    np.subtract(1, _t2, out=_t2)
    _t2 *= grad_r_next
    _t2 *= leaking_rate
    grad_r = (weight_res.T @ _t2.T).T + grad_r_next * hoisted_1
    return grad_r, _t2


def _backward_no_batch_first_hoisted(grad_hoisted_2, weight_in, input_scaling):
    grad_u = _linear_backward_input(grad_hoisted_2 * input_scaling, weight_in)
    return grad_u


def _forward_batch_first_no_r0(
    u, weight_in, weight_res, r0, leaking_rate, input_scaling
):
    u = u.swapaxes(0, 1)  # time first
    steps = u.shape[0]
    hoisted_1, hoisted_2, hoisted_saved = _forward_no_batch_first_hoisted(
        u.reshape(-1, *u.shape[2:]), weight_in, leaking_rate, input_scaling
    )
    hoisted_2 = hoisted_2.reshape(steps, -1, *hoisted_2.shape[1:])
    r0 = np.zeros((u.shape[1], weight_in.shape[0]), dtype=u.dtype)
    r = r0
    for t in range(steps):
        r_next, saved_7 = _forward_no_batch_first_step(
            r, hoisted_1, hoisted_2[t], weight_res, leaking_rate
        )
        if t == 0:
            states = np.empty((steps, *r_next.shape), dtype=r_next.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        states[t] = r_next
        saved_7_steps[t] = saved_7
        r = r_next
    return (
        states.swapaxes(0, 1),
        r,
        (hoisted_saved, hoisted_1, states, saved_7_steps, weight_res, leaking_rate),
    )


def _backward_batch_first_no_r0(
    grad_states,
    grad_r_n,
    hoisted_saved,
    hoisted_1,
    states,
    saved_7_steps,
    weight_res,
    leaking_rate,
):
    grad_states = grad_states.swapaxes(0, 1)  # time first
    steps = grad_states.shape[0]
    grad_next_r = grad_r_n
    for t in range(steps - 1, -1, -1):
        grad_next_r, chain_12 = _backward_no_batch_first_step(
            grad_next_r,
            grad_states[t],
            weight_res,
            leaking_rate,
            hoisted_1,
            saved_7_steps[t],
        )
        if t == steps - 1:
            chain_12_steps = np.empty((steps, *chain_12.shape), dtype=chain_12.dtype)
        chain_12_steps[t] = chain_12
    grad_u = _backward_no_batch_first_hoisted(
        chain_12_steps.reshape(-1, *chain_12_steps.shape[2:]), *hoisted_saved
    )
    grad_u = grad_u.reshape(steps, -1, *grad_u.shape[1:])
    grad_u = grad_u.swapaxes(0, 1)
    return grad_u, None


def _forward_no_batch_first(u, weight_in, weight_res, r0, leaking_rate, input_scaling):
    steps = u.shape[0]
    hoisted_1, hoisted_2, hoisted_saved = _forward_no_batch_first_hoisted(
        u.reshape(-1, *u.shape[2:]), weight_in, leaking_rate, input_scaling
    )
    hoisted_2 = hoisted_2.reshape(steps, -1, *hoisted_2.shape[1:])
    r = r0
    for t in range(steps):
        r_next, saved_7 = _forward_no_batch_first_step(
            r, hoisted_1, hoisted_2[t], weight_res, leaking_rate
        )
        if t == 0:
            states = np.empty((steps, *r_next.shape), dtype=r_next.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        states[t] = r_next
        saved_7_steps[t] = saved_7
        r = r_next
    return (
        states,
        r,
        (hoisted_saved, hoisted_1, states, saved_7_steps, weight_res, leaking_rate),
    )


def _backward_no_batch_first(
    grad_states,
    grad_r_n,
    hoisted_saved,
    hoisted_1,
    states,
    saved_7_steps,
    weight_res,
    leaking_rate,
):
    steps = grad_states.shape[0]
    grad_next_r = grad_r_n
    for t in range(steps - 1, -1, -1):
        grad_next_r, chain_12 = _backward_no_batch_first_step(
            grad_next_r,
            grad_states[t],
            weight_res,
            leaking_rate,
            hoisted_1,
            saved_7_steps[t],
        )
        if t == steps - 1:
            chain_12_steps = np.empty((steps, *chain_12.shape), dtype=chain_12.dtype)
        chain_12_steps[t] = chain_12
    grad_u = _backward_no_batch_first_hoisted(
        chain_12_steps.reshape(-1, *chain_12_steps.shape[2:]), *hoisted_saved
    )
    grad_u = grad_u.reshape(steps, -1, *grad_u.shape[1:])
    grad_r0 = grad_next_r
    return grad_u, grad_r0


def _forward_no_batch_first_no_r0(
    u, weight_in, weight_res, r0, leaking_rate, input_scaling
):
    steps = u.shape[0]
    hoisted_1, hoisted_2, hoisted_saved = _forward_no_batch_first_hoisted(
        u.reshape(-1, *u.shape[2:]), weight_in, leaking_rate, input_scaling
    )
    hoisted_2 = hoisted_2.reshape(steps, -1, *hoisted_2.shape[1:])
    r0 = np.zeros((u.shape[1], weight_in.shape[0]), dtype=u.dtype)
    r = r0
    for t in range(steps):
        r_next, saved_7 = _forward_no_batch_first_step(
            r, hoisted_1, hoisted_2[t], weight_res, leaking_rate
        )
        if t == 0:
            states = np.empty((steps, *r_next.shape), dtype=r_next.dtype)
            saved_7_steps = np.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        states[t] = r_next
        saved_7_steps[t] = saved_7
        r = r_next
    return (
        states,
        r,
        (hoisted_saved, hoisted_1, states, saved_7_steps, weight_res, leaking_rate),
    )


def _backward_no_batch_first_no_r0(
    grad_states,
    grad_r_n,
    hoisted_saved,
    hoisted_1,
    states,
    saved_7_steps,
    weight_res,
    leaking_rate,
):
    steps = grad_states.shape[0]
    grad_next_r = grad_r_n
    for t in range(steps - 1, -1, -1):
        grad_next_r, chain_12 = _backward_no_batch_first_step(
            grad_next_r,
            grad_states[t],
            weight_res,
            leaking_rate,
            hoisted_1,
            saved_7_steps[t],
        )
        if t == steps - 1:
            chain_12_steps = np.empty((steps, *chain_12.shape), dtype=chain_12.dtype)
        chain_12_steps[t] = chain_12
    grad_u = _backward_no_batch_first_hoisted(
        chain_12_steps.reshape(-1, *chain_12_steps.shape[2:]), *hoisted_saved
    )
    grad_u = grad_u.reshape(steps, -1, *grad_u.shape[1:])
    return grad_u, None


_VARIANTS = {
    (True, True): (_forward_batch_first, _backward_batch_first),
    (True, False): (_forward_batch_first_no_r0, _backward_batch_first_no_r0),
    (False, True): (_forward_no_batch_first, _backward_no_batch_first),
    (False, False): (_forward_no_batch_first_no_r0, _backward_no_batch_first_no_r0),
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


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward_batch_first(
    u, weight_in, weight_res, r0, leaking_rate, input_scaling
):
    import cupy as cp

    u = u.swapaxes(0, 1)  # time first
    steps = u.shape[0]
    hoisted_1, hoisted_2, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        u.reshape(-1, *u.shape[2:]), weight_in, leaking_rate, input_scaling
    )
    hoisted_2 = hoisted_2.reshape(steps, -1, *hoisted_2.shape[1:])
    r = r0
    for t in range(steps):
        r_next, saved_7 = _cupy_forward_no_batch_first_step(
            r, hoisted_1, hoisted_2[t], weight_res, leaking_rate
        )
        if t == 0:
            states = cp.empty((steps, *r_next.shape), dtype=r_next.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        states[t] = r_next
        saved_7_steps[t] = saved_7
        r = r_next
    return (
        states.swapaxes(0, 1),
        r,
        (hoisted_saved, hoisted_1, states, saved_7_steps, weight_res, leaking_rate),
    )


def _cupy_backward_batch_first(
    grad_states,
    grad_r_n,
    hoisted_saved,
    hoisted_1,
    states,
    saved_7_steps,
    weight_res,
    leaking_rate,
):
    import cupy as cp

    grad_states = grad_states.swapaxes(0, 1)  # time first
    steps = grad_states.shape[0]
    grad_next_r = grad_r_n
    for t in range(steps - 1, -1, -1):
        grad_next_r, chain_12 = _cupy_backward_no_batch_first_step(
            grad_next_r,
            grad_states[t],
            weight_res,
            leaking_rate,
            hoisted_1,
            saved_7_steps[t],
        )
        if t == steps - 1:
            chain_12_steps = cp.empty((steps, *chain_12.shape), dtype=chain_12.dtype)
        chain_12_steps[t] = chain_12
    grad_u = _cupy_backward_no_batch_first_hoisted(
        chain_12_steps.reshape(-1, *chain_12_steps.shape[2:]), *hoisted_saved
    )
    grad_u = grad_u.reshape(steps, -1, *grad_u.shape[1:])
    grad_u = grad_u.swapaxes(0, 1)
    grad_r0 = grad_next_r
    return grad_u, grad_r0


# reservoir_no_batch_first_hoisted_fwd_0: layers_spec/layers/reservoir.yaml:29
_reservoir_no_batch_first_hoisted_fwd_0 = ElementwiseKernel(
    "reservoir_no_batch_first_hoisted_fwd_0",
    "T input_scaling, T _t3",
    "T hoisted_2",
    """
    hoisted_2 = input_scaling * _t3;
    """,
    scalars=("input_scaling",),
)


def _cupy_forward_no_batch_first_hoisted(u, weight_in, leaking_rate, input_scaling):
    hoisted_1 = 1 - leaking_rate
    _t3 = _linear(u, weight_in)
    hoisted_2 = _reservoir_no_batch_first_hoisted_fwd_0(input_scaling, _t3)
    return hoisted_1, hoisted_2, (weight_in, input_scaling)


# reservoir_no_batch_first_step_fwd_0: layers_spec/layers/reservoir.yaml:29
_reservoir_no_batch_first_step_fwd_0 = ElementwiseKernel(
    "reservoir_no_batch_first_step_fwd_0",
    "T hoisted_1, T r",
    "T _t2",
    """
    _t2 = hoisted_1 * r;
    """,
    scalars=("hoisted_1",),
)


# reservoir_no_batch_first_step_fwd_1: layers_spec/layers/reservoir.yaml:29
_reservoir_no_batch_first_step_fwd_1 = ElementwiseKernel(
    "reservoir_no_batch_first_step_fwd_1",
    "T hoisted_2, T _t5, T leaking_rate, T _t2",
    "T _t7, T r_next",
    """
    T _t6 = hoisted_2 + _t5;
    _t7 = tanh(_t6);
    T _t8 = leaking_rate * _t7;
    r_next = _t2 + _t8;
    """,
    scalars=("leaking_rate",),
)


def _cupy_forward_no_batch_first_step(
    r, hoisted_1, hoisted_2, weight_res, leaking_rate
):
    _t2 = _reservoir_no_batch_first_step_fwd_0(hoisted_1, r)
    _t5 = (weight_res @ r.T).T
    _t7, r_next = _reservoir_no_batch_first_step_fwd_1(
        hoisted_2, _t5, leaking_rate, _t2
    )
    return r_next, _t7


# reservoir_no_batch_first_step_bwd_0: <generated>:1; layers_spec/primitives.yaml:62,180
_reservoir_no_batch_first_step_bwd_0 = ElementwiseKernel(
    "reservoir_no_batch_first_step_bwd_0",
    "T grad_next_r, T grad_states, T leaking_rate, T _t7",
    "T grad_r_next, T _t12",
    """
    grad_r_next = grad_next_r + grad_states;
    T _t9 = grad_r_next * leaking_rate;
    T _t10 = _t7 * _t7;
    T _t11 = T(1) - _t10;
    _t12 = _t9 * _t11;
    """,
    scalars=("leaking_rate",),
)


# reservoir_no_batch_first_step_bwd_1: layers_spec/primitives.yaml:62
_reservoir_no_batch_first_step_bwd_1 = ElementwiseKernel(
    "reservoir_no_batch_first_step_bwd_1",
    "T grad_r_next, T hoisted_1, T _t13",
    "T grad_r",
    """
    T _t14 = grad_r_next * hoisted_1;
    grad_r = _t13 + _t14;
    """,
    scalars=("hoisted_1",),
)


def _cupy_backward_no_batch_first_step(
    grad_next_r, grad_states, weight_res, leaking_rate, hoisted_1, _t7
):
    grad_r_next, _t12 = _reservoir_no_batch_first_step_bwd_0(
        grad_next_r, grad_states, leaking_rate, _t7
    )
    _t13 = (weight_res.T @ _t12.T).T
    grad_r = _reservoir_no_batch_first_step_bwd_1(grad_r_next, hoisted_1, _t13)
    return grad_r, _t12


# reservoir_no_batch_first_hoisted_bwd_0: layers_spec/primitives.yaml:62
_reservoir_no_batch_first_hoisted_bwd_0 = ElementwiseKernel(
    "reservoir_no_batch_first_hoisted_bwd_0",
    "T grad_hoisted_2, T input_scaling",
    "T _t9",
    """
    _t9 = grad_hoisted_2 * input_scaling;
    """,
    scalars=("input_scaling",),
)


def _cupy_backward_no_batch_first_hoisted(grad_hoisted_2, weight_in, input_scaling):
    _t9 = _reservoir_no_batch_first_hoisted_bwd_0(grad_hoisted_2, input_scaling)
    grad_u = _linear_backward_input(_t9, weight_in)
    return grad_u


def _cupy_forward_batch_first_no_r0(
    u, weight_in, weight_res, r0, leaking_rate, input_scaling
):
    import cupy as cp

    u = u.swapaxes(0, 1)  # time first
    steps = u.shape[0]
    hoisted_1, hoisted_2, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        u.reshape(-1, *u.shape[2:]), weight_in, leaking_rate, input_scaling
    )
    hoisted_2 = hoisted_2.reshape(steps, -1, *hoisted_2.shape[1:])
    r0 = cp.zeros((u.shape[1], weight_in.shape[0]), dtype=u.dtype)
    r = r0
    for t in range(steps):
        r_next, saved_7 = _cupy_forward_no_batch_first_step(
            r, hoisted_1, hoisted_2[t], weight_res, leaking_rate
        )
        if t == 0:
            states = cp.empty((steps, *r_next.shape), dtype=r_next.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        states[t] = r_next
        saved_7_steps[t] = saved_7
        r = r_next
    return (
        states.swapaxes(0, 1),
        r,
        (hoisted_saved, hoisted_1, states, saved_7_steps, weight_res, leaking_rate),
    )


def _cupy_backward_batch_first_no_r0(
    grad_states,
    grad_r_n,
    hoisted_saved,
    hoisted_1,
    states,
    saved_7_steps,
    weight_res,
    leaking_rate,
):
    import cupy as cp

    grad_states = grad_states.swapaxes(0, 1)  # time first
    steps = grad_states.shape[0]
    grad_next_r = grad_r_n
    for t in range(steps - 1, -1, -1):
        grad_next_r, chain_12 = _cupy_backward_no_batch_first_step(
            grad_next_r,
            grad_states[t],
            weight_res,
            leaking_rate,
            hoisted_1,
            saved_7_steps[t],
        )
        if t == steps - 1:
            chain_12_steps = cp.empty((steps, *chain_12.shape), dtype=chain_12.dtype)
        chain_12_steps[t] = chain_12
    grad_u = _cupy_backward_no_batch_first_hoisted(
        chain_12_steps.reshape(-1, *chain_12_steps.shape[2:]), *hoisted_saved
    )
    grad_u = grad_u.reshape(steps, -1, *grad_u.shape[1:])
    grad_u = grad_u.swapaxes(0, 1)
    return grad_u, None


def _cupy_forward_no_batch_first(
    u, weight_in, weight_res, r0, leaking_rate, input_scaling
):
    import cupy as cp

    steps = u.shape[0]
    hoisted_1, hoisted_2, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        u.reshape(-1, *u.shape[2:]), weight_in, leaking_rate, input_scaling
    )
    hoisted_2 = hoisted_2.reshape(steps, -1, *hoisted_2.shape[1:])
    r = r0
    for t in range(steps):
        r_next, saved_7 = _cupy_forward_no_batch_first_step(
            r, hoisted_1, hoisted_2[t], weight_res, leaking_rate
        )
        if t == 0:
            states = cp.empty((steps, *r_next.shape), dtype=r_next.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        states[t] = r_next
        saved_7_steps[t] = saved_7
        r = r_next
    return (
        states,
        r,
        (hoisted_saved, hoisted_1, states, saved_7_steps, weight_res, leaking_rate),
    )


def _cupy_backward_no_batch_first(
    grad_states,
    grad_r_n,
    hoisted_saved,
    hoisted_1,
    states,
    saved_7_steps,
    weight_res,
    leaking_rate,
):
    import cupy as cp

    steps = grad_states.shape[0]
    grad_next_r = grad_r_n
    for t in range(steps - 1, -1, -1):
        grad_next_r, chain_12 = _cupy_backward_no_batch_first_step(
            grad_next_r,
            grad_states[t],
            weight_res,
            leaking_rate,
            hoisted_1,
            saved_7_steps[t],
        )
        if t == steps - 1:
            chain_12_steps = cp.empty((steps, *chain_12.shape), dtype=chain_12.dtype)
        chain_12_steps[t] = chain_12
    grad_u = _cupy_backward_no_batch_first_hoisted(
        chain_12_steps.reshape(-1, *chain_12_steps.shape[2:]), *hoisted_saved
    )
    grad_u = grad_u.reshape(steps, -1, *grad_u.shape[1:])
    grad_r0 = grad_next_r
    return grad_u, grad_r0


def _cupy_forward_no_batch_first_no_r0(
    u, weight_in, weight_res, r0, leaking_rate, input_scaling
):
    import cupy as cp

    steps = u.shape[0]
    hoisted_1, hoisted_2, hoisted_saved = _cupy_forward_no_batch_first_hoisted(
        u.reshape(-1, *u.shape[2:]), weight_in, leaking_rate, input_scaling
    )
    hoisted_2 = hoisted_2.reshape(steps, -1, *hoisted_2.shape[1:])
    r0 = cp.zeros((u.shape[1], weight_in.shape[0]), dtype=u.dtype)
    r = r0
    for t in range(steps):
        r_next, saved_7 = _cupy_forward_no_batch_first_step(
            r, hoisted_1, hoisted_2[t], weight_res, leaking_rate
        )
        if t == 0:
            states = cp.empty((steps, *r_next.shape), dtype=r_next.dtype)
            saved_7_steps = cp.empty((steps, *saved_7.shape), dtype=saved_7.dtype)
        states[t] = r_next
        saved_7_steps[t] = saved_7
        r = r_next
    return (
        states,
        r,
        (hoisted_saved, hoisted_1, states, saved_7_steps, weight_res, leaking_rate),
    )


def _cupy_backward_no_batch_first_no_r0(
    grad_states,
    grad_r_n,
    hoisted_saved,
    hoisted_1,
    states,
    saved_7_steps,
    weight_res,
    leaking_rate,
):
    import cupy as cp

    steps = grad_states.shape[0]
    grad_next_r = grad_r_n
    for t in range(steps - 1, -1, -1):
        grad_next_r, chain_12 = _cupy_backward_no_batch_first_step(
            grad_next_r,
            grad_states[t],
            weight_res,
            leaking_rate,
            hoisted_1,
            saved_7_steps[t],
        )
        if t == steps - 1:
            chain_12_steps = cp.empty((steps, *chain_12.shape), dtype=chain_12.dtype)
        chain_12_steps[t] = chain_12
    grad_u = _cupy_backward_no_batch_first_hoisted(
        chain_12_steps.reshape(-1, *chain_12_steps.shape[2:]), *hoisted_saved
    )
    grad_u = grad_u.reshape(steps, -1, *grad_u.shape[1:])
    return grad_u, None


_CUPY_VARIANTS = {
    (True, True): (_cupy_forward_batch_first, _cupy_backward_batch_first),
    (True, False): (_cupy_forward_batch_first_no_r0, _cupy_backward_batch_first_no_r0),
    (False, True): (_cupy_forward_no_batch_first, _cupy_backward_no_batch_first),
    (False, False): (
        _cupy_forward_no_batch_first_no_r0,
        _cupy_backward_no_batch_first_no_r0,
    ),
}
