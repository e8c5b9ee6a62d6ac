"""TaylorSoftmax: t(x_i) / sum_j t(x_j) over the last axis, with t the Taylor polynomial of
exp of degree order, floored at 1e-10 (even orders keep t positive).
Generated from layers_spec/activations/taylor_softmax.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_attribute

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, order=2):
    """TaylorSoftmax forward pass.

    t(x_i) / sum_j t(x_j) over the last axis, with t the Taylor polynomial of exp of
    degree order, floored at 1e-10 (even orders keep t positive).

    Args:
        x: float32 or float64 input of shape [..., F].
        order: int, default 2. Degree of the Taylor polynomial.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("taylor_softmax", {"x": x}, {"x": ("...", "F")})
    check_attribute("taylor_softmax", "order", order, "int", minimum=1)
    y, saved = _forward(x, order)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """TaylorSoftmax backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("taylor_softmax", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x, order):
    t = np.maximum(_taylor_exp(x, order), 1e-10)
    _t1 = np.sum(t, axis=-1, keepdims=True)
    y = t / _t1
    return y, (x, order, _t1, y)


def _backward(grad_y, x, order, _t1, y):
    grad_t = grad_y / _t1 + np.broadcast_to(
        np.sum(-grad_y * y / _t1, axis=-1, keepdims=True), x.shape
    )
    grad_x = grad_t * (_taylor_exp(x, order) > 1e-10) * _taylor_exp(x, order - 1)
    return grad_x


def _taylor_exp(x, order):
    """The Taylor polynomial of exp of degree ``order``, by Horner's rule."""
    result = np.ones_like(x)
    for n in range(order, 0, -1):
        result = 1 + result * x / n
    return result
