"""Squash: The capsule squashing function over the last axis, v |v| / (1 + |v|^2), with |v|
= sqrt(sum v^2 + epsilon) so that the gradient at v = 0 is finite.
Generated from layers_spec/activations/squash.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_attribute

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, epsilon=1e-07):
    """Squash forward pass.

    The capsule squashing function over the last axis, v |v| / (1 + |v|^2), with |v| =
    sqrt(sum v^2 + epsilon) so that the gradient at v = 0 is finite.

    Args:
        x: float32 or float64 input of shape [..., F].
        epsilon: float, default 1e-07. Added under the square root of the norm.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("squash", {"x": x}, {"x": ("...", "F")})
    check_attribute("squash", "epsilon", epsilon, "float", minimum=0.0)
    y, saved = _forward(x, epsilon)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """Squash backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("squash", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x, epsilon):
    squared_norm = np.sum(x * x, axis=-1, keepdims=True)
    norm = squared_norm + epsilon
    np.sqrt(norm, out=norm)
    _t1 = 1 + squared_norm
    _t2 = norm / _t1
    y = x * _t2
    return y, (x, norm, _t1, _t2)


def _backward(grad_y, x, norm, _t1, _t2):
    _t3 = np.sum(grad_y * x, axis=-1, keepdims=True)
    grad_norm = _t3 / _t1
    grad_squared_norm = -_t3
    grad_squared_norm *= _t2
    grad_squared_norm /= _t1
    _t4 = 0.5 * grad_norm
    _t4 /= norm
    grad_squared_norm += _t4
    _t5 = np.broadcast_to(grad_squared_norm, x.shape) * x
    grad_x = grad_y * _t2
    grad_x += _t5
    grad_x += _t5
    return grad_x
