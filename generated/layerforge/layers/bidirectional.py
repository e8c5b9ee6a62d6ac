"""Bidirectional: Runs an inner sequence layer (layer="lstm", "gru", "recurrent" or
"conv_lstm") over x and, with its own independent parameters, over x reversed in time
(Keras Bidirectional, PyTorch's bidirectional=True); the backward direction's output is
re-reversed and the two are merged: concat (PyTorch's layout: along the features, axis
2, [forward; backward]), sum, or stack ([2, ...]). The inner layer's other outputs (its
final states) are stacked [2, B, ...], forward direction first, as PyTorch's h_n and
c_n. No activation of its own.
Generated from layers_spec/layers/bidirectional.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._cupy_runtime import on_gpu
from layerforge._runtime import (
    check_attribute,
    check_context,
    check_steps,
    sequence_module,
)

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)
MERGES = ("concat", "sum", "stack")


def forward(
    x,
    *arrays,
    states=None,
    layer,
    merge="concat",
    batch_first=False,
    layer_options=None,
):
    """Bidirectional forward pass: the sequence layer ``layer`` over ``x`` in both directions.

    Args:
        x: float32 or float64 array, [T, B, features] ([B, T, features] with
            batch_first).

        *arrays: the forward direction's parameters, then the backward direction's, each in
            the inner layer's order (as PyTorch's weight_ih_l0, ..., weight_ih_l0_reverse, ...).
        states: None, or one entry per initial state of the inner layer, in its order ((h0,
            c0) for lstm, (h0,) for gru and recurrent): None for zeros, or [2, B, ...] with
            the forward direction's state first, as PyTorch's.
        layer: the inner layer's name in layerforge.layers, a sequence layer ("lstm", "gru",
            "recurrent").
        merge: "concat" (along the features, axis 2: [T, B, 2 * hidden, ...], forward
            first), "sum" or "stack" ([2, ...]).
        batch_first: bool, default False. x and y are [B, T, ...] instead of
            [T, B, ...].
        layer_options: keyword arguments for the inner layer (its attributes), such as
            {"activation": "relu"}.

    Returns:
        ((y, *finals), ctx): the merged output and the inner layer's final states, each
        [2, B, ...] (forward direction first), and the context that backward needs.
    """
    module = sequence_module("bidirectional", layer)
    check_attribute("bidirectional", "merge", merge, "str", choices=MERGES)
    check_attribute("bidirectional", "batch_first", batch_first, "bool")
    count = len(module.PARAMETERS)
    if len(arrays) != 2 * count:
        raise TypeError(
            f"bidirectional: {layer!r} has {count} parameters ({', '.join(module.PARAMETERS)}); "
            f"pass them for each direction, {2 * count} arrays after 'x', got {len(arrays)}"
        )
    if not (hasattr(x, "shape") and hasattr(x, "dtype")):
        raise TypeError(
            f"bidirectional: argument 'x' must be a NumPy or CuPy array, got {type(x).__name__}"
        )
    if x.ndim < 3:
        layout = "[B, T, ...]" if batch_first else "[T, B, ...]"
        raise ValueError(
            f"bidirectional: argument 'x' must have shape {layout} (rank 3 or more), got shape {tuple(x.shape)}"
        )
    check_steps("bidirectional", "x", x.shape, 1 if batch_first else 0)
    initial = _states(module, layer, states)
    options = {} if layer_options is None else layer_options
    if "batch_first" in options:
        raise TypeError(
            "bidirectional: pass batch_first to bidirectional itself, not in layer_options"
        )
    time = 1 if batch_first else 0
    xp = _array_module(x)
    ahead, ahead_ctx = module.forward(
        x,
        *arrays[:count],
        *(None if s is None else s[0] for s in initial),
        batch_first=batch_first,
        **options,
    )
    behind, behind_ctx = module.forward(
        xp.flip(x, time),
        *arrays[count:],
        *(None if s is None else s[1] for s in initial),
        batch_first=batch_first,
        **options,
    )
    y = _merge(ahead[0], xp.flip(behind[0], time), merge, xp)
    finals = tuple(xp.stack((a, b)) for a, b in zip(ahead[1:], behind[1:]))
    saved = (module, ahead_ctx, behind_ctx, merge, time, ahead[0].shape[2])
    shapes = (y.shape, *(f.shape for f in finals))
    return (y, *finals), (_backward, saved, (y.dtype, *shapes), None)


def backward(grad_y, *grads_and_ctx):
    """Bidirectional backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        *grads_and_ctx: the gradients of the final states that forward returned (each [2, B,
            ...]), then the context returned by forward.

    Returns:
        grad_x, the gradients of the forward direction's parameters, of the backward
        direction's, then of each initial state ([2, B, ...], None where it was None).
    """
    if not grads_and_ctx:
        raise TypeError(
            "bidirectional: backward takes the gradients of the outputs, then ctx"
        )
    *grads, ctx = grads_and_ctx
    names = ["grad_y", *(f"grad_final_{i}" for i in range(1, len(grads) + 1))]
    backward_variant, saved = check_context(
        "bidirectional", __name__, ctx, dict(zip(names, (grad_y, *grads)))
    )
    return backward_variant(grad_y, tuple(grads), *saved)


def _states(module, layer, states):
    """The inner layer's initial states, each None or [2, B, ...]."""
    count = len(module.INPUTS) - 1
    if states is None:
        return (None,) * count
    if not isinstance(states, (tuple, list)) or len(states) != count:
        raise TypeError(
            f"bidirectional: argument 'states' must be None or a tuple of {count} initial state(s) of "
            f"{layer!r} ({', '.join(module.INPUTS[1:])}), each None or [2, B, ...], got {states!r:.80}"
        )
    for name, state in zip(module.INPUTS[1:], states):
        if state is not None and not (
            hasattr(state, "shape") and state.ndim >= 1 and state.shape[0] == 2
        ):
            raise ValueError(
                f"bidirectional: argument 'states': {name} must be None or [2, B, ...] (one state per "
                f"direction), got {getattr(state, 'shape', type(state).__name__)}"
            )
    return tuple(states)


def _array_module(array):
    """NumPy, or CuPy for a CuPy array (whose flip, concatenate and stack are CuPy's)."""
    if on_gpu(array):
        import cupy

        return cupy
    return np


def _merge(ahead, behind, merge, xp):
    """The two directions' outputs (both in time order) as one: concat along the features
    (axis 2, after time and batch: an LSTM's hidden units, a ConvLSTM's channels)."""
    if merge == "concat":
        return xp.concatenate((ahead, behind), axis=2)
    if merge == "sum":
        return ahead + behind
    return xp.stack((ahead, behind))


def _split(grad, merge, features):
    """The gradient of a merged output as the two directions' gradients."""
    if merge == "concat":
        return grad[:, :, :features], grad[:, :, features:]
    if merge == "sum":
        return grad, grad
    return grad[0], grad[1]


def _backward(grad_y, grads, module, ahead_ctx, behind_ctx, merge, time, features):
    xp = _array_module(grad_y)
    grad_ahead, grad_behind = _split(grad_y, merge, features)
    ahead = module.backward(grad_ahead, *(g[0] for g in grads), ahead_ctx)
    behind = module.backward(
        xp.flip(grad_behind, time), *(g[1] for g in grads), behind_ctx
    )
    count = len(module.PARAMETERS)
    grad_x = ahead[0] + xp.flip(behind[0], time)
    grad_states = tuple(
        None if a is None else xp.stack((a, b))
        for a, b in zip(ahead[1 + count :], behind[1 + count :])
    )
    return (grad_x, *ahead[1 : 1 + count], *behind[1 : 1 + count], *grad_states)
