"""SphericalSoftmax: softmax(x / |x|) over the last axis, with the norm floored at 1e-12
and the logits shifted by their maximum.
Generated from layers_spec/activations/spherical_softmax.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x):
    """SphericalSoftmax forward pass.

    softmax(x / |x|) over the last axis, with the norm floored at 1e-12 and the logits
    shifted by their maximum.

    Args:
        x: float32 or float64 input of shape [..., F].

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("spherical_softmax", {"x": x}, {"x": ("...", "F")})
    y, saved = _forward(x)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """SphericalSoftmax backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("spherical_softmax", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x):
    _t1 = np.sum(x * x, axis=-1, keepdims=True)
    norm = np.maximum(_t1, 1e-24)
    np.sqrt(norm, out=norm)
    scaled = x / norm
    shifted = scaled - np.max(scaled, axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    _t2 = np.sum(exponentials, axis=-1, keepdims=True)
    y = exponentials / _t2
    return y, (x, _t1, exponentials, _t2, y)


def _backward(grad_y, x, _t1, exponentials, _t2, y):
    norm = np.maximum(_t1, 1e-24)
    np.sqrt(norm, out=norm)
    scaled = x / norm
    grad_exponentials = grad_y / _t2 + np.broadcast_to(
        np.sum(-grad_y * y / _t2, axis=-1, keepdims=True), x.shape
    )
    grad_shifted = grad_exponentials * exponentials
    grad_norm = np.sum(-grad_shifted * scaled / norm, axis=-1, keepdims=True)
    _t3 = np.broadcast_to(0.5 * grad_norm / norm * (_t1 > 1e-24), x.shape) * x
    grad_x = grad_shifted / norm
    grad_x += _t3
    grad_x += _t3
    return grad_x
