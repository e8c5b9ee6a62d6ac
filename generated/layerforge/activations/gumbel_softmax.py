"""GumbelSoftmax: softmax((x + g) / temperature) over the last axis with Gumbel noise g
drawn in training and held fixed for backward; without noise in inference.
Generated from layers_spec/activations/gumbel_softmax.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_attribute

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, temperature=1.0, training=True, rng=None):
    """GumbelSoftmax forward pass.

    softmax((x + g) / temperature) over the last axis with Gumbel noise g drawn in
    training and held fixed for backward; without noise in inference.

    Args:
        x: float32 or float64 input of shape [..., F].
        temperature: float, default 1.0. Softmax temperature; must be positive.
        training: bool, default True. Add Gumbel noise if true.
        rng: a numpy.random.Generator (or CuPy's) for the random draws; a fresh one if
            None.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("gumbel_softmax", {"x": x}, {"x": ("...", "F")})
    check_attribute("gumbel_softmax", "temperature", temperature, "float", minimum=0.0)
    check_attribute("gumbel_softmax", "training", training, "bool")
    if rng is None:
        rng = np.random.default_rng()
    forward_variant, backward_variant = _VARIANTS[training]
    y, saved = forward_variant(rng, x, temperature)
    return y, (backward_variant, saved)


def backward(grad_y, ctx):
    """GumbelSoftmax backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("gumbel_softmax", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward_train(rng, x, temperature):
    _t1 = _gumbel(rng, x)
    logits = x + _t1
    logits /= temperature
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    y = exponentials / np.sum(exponentials, axis=-1, keepdims=True)
    return y, (temperature, y)


def _backward_train(grad_y, temperature, y):
    grad_x = y * (grad_y - np.sum(grad_y * y, axis=-1, keepdims=True)) / temperature
    return grad_x


def _forward_eval(rng, x, temperature):
    logits = x / temperature
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    y = exponentials / np.sum(exponentials, axis=-1, keepdims=True)
    return y, (temperature, y)


def _backward_eval(grad_y, temperature, y):
    grad_x = y * (grad_y - np.sum(grad_y * y, axis=-1, keepdims=True)) / temperature
    return grad_x


_VARIANTS = {
    True: (_forward_train, _backward_train),
    False: (_forward_eval, _backward_eval),
}


def _gumbel(rng, like):
    """Standard Gumbel noise shaped like ``like``: -log(-log(U)), U clipped away from 0 and 1."""
    u = np.clip(rng.random(like.shape), 1e-10, 1 - 1e-10)
    return (-np.log(-np.log(u))).astype(like.dtype)
