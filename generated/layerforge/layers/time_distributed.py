"""TimeDistributed: Applies an inner layer to every time step of batch-major sequences
(Keras TimeDistributed): x [B, T, ...] is folded to [B * T, ...], the inner layer
(layer="convolutional", ...) runs on it with its own parameters, and its output is
unfolded to [B, T, ...]; backward folds the gradient the same way and returns the
gradient of x, then the inner layer's parameter gradients. No activation of its own.
Generated from layers_spec/layers/time_distributed.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

from layerforge._runtime import check_context, check_sequence, layer_module

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *arrays, layer, layer_options=None):
    """TimeDistributed forward pass: the layer ``layer`` on every step of ``x``.

    Args:
        x: float32 or float64 sequences of shape [B, T, ...]. Step t of sequence b is x[b, t].
        *arrays: the inner layer's parameters and buffers, in its order (after its input).
        layer: the inner layer's name in layerforge.layers (one input, one output).
        layer_options: keyword arguments for the inner layer (its attributes), such as
            {"padding": 1}.

    Returns:
        (y, ctx): the inner layer's output for each step, [B, T, ...], and the
        context that backward needs.
    """
    module = layer_module("time_distributed", layer)
    batch, steps = check_sequence("time_distributed", "x", x)
    options = {} if layer_options is None else layer_options
    inner, inner_ctx = module.forward(_fold(x), *arrays, **options)
    y = _unfold(inner, batch, steps)
    return y, (_backward, (module, inner_ctx, batch, steps), (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """TimeDistributed backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, then the gradients of the inner layer's parameters, in its order.
    """
    backward_variant, saved = check_context(
        "time_distributed", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _fold(sequence):
    """[B, T, ...] as [B * T, ...]: every step one row of the inner layer's batch (a view
    of a contiguous array)."""
    return sequence.reshape(sequence.shape[0] * sequence.shape[1], *sequence.shape[2:])


def _unfold(rows, batch, steps):
    """[B * T, ...] back to [B, T, ...]."""
    return rows.reshape(batch, steps, *rows.shape[1:])


def _backward(grad_y, module, inner_ctx, batch, steps):
    grads = module.backward(_fold(grad_y), inner_ctx)
    grads = grads if isinstance(grads, tuple) else (grads,)
    return (_unfold(grads[0], batch, steps), *grads[1:])
