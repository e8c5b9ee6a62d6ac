"""RReLU: Randomized leaky ReLU: in training each negative element gets its own slope drawn
uniformly from [lower, upper] and kept for backward; in inference the slope is the mean
(lower + upper) / 2.
Generated from layers_spec/activations/rrelu.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_attribute

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, lower=0.125, upper=0.3333333333333333, training=True, rng=None):
    """RReLU forward pass.

    Randomized leaky ReLU: in training each negative element gets its own slope drawn
    uniformly from [lower, upper] and kept for backward; in inference the slope is the
    mean (lower + upper) / 2.

    Args:
        x: float32 or float64 input of shape [..., F].
        lower: float, default 0.125. Lower bound of the random slope.
        upper: float, default 0.3333333333333333. Upper bound of the random slope.
        training: bool, default True. Random slopes if true, the mean slope if false.
        rng: a numpy.random.Generator (or CuPy's) for the random draws; a fresh one if
            None.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("rrelu", {"x": x}, {"x": ("...", "F")})
    check_attribute("rrelu", "lower", lower, "float")
    check_attribute("rrelu", "upper", upper, "float")
    check_attribute("rrelu", "training", training, "bool")
    if rng is None:
        rng = np.random.default_rng()
    forward_variant, backward_variant = _VARIANTS[training]
    y, saved = forward_variant(rng, x, lower, upper)
    return y, (backward_variant, saved)


def backward(grad_y, ctx):
    """RReLU backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("rrelu", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward_train(rng, x, lower, upper):
    slope = rng.uniform(lower, upper, size=x.shape).astype(x.dtype)
    _t1 = x >= 0
    y = np.where(_t1, x, slope * x)
    return y, (slope, _t1)


def _backward_train(grad_y, slope, _t1):
    grad_x = grad_y * _t1
    _t2 = grad_y * ~_t1
    _t2 *= slope
    grad_x += _t2
    return grad_x


def _forward_eval(rng, x, lower, upper):
    slope = 0.5 * (lower + upper)
    _t1 = x >= 0
    y = np.where(_t1, x, slope * x)
    return y, (lower, upper, _t1)


def _backward_eval(grad_y, lower, upper, _t1):
    slope = 0.5 * (lower + upper)
    grad_x = grad_y * _t1
    _t2 = grad_y * ~_t1
    _t2 *= slope
    grad_x += _t2
    return grad_x


_VARIANTS = {
    True: (_forward_train, _backward_train),
    False: (_forward_eval, _backward_eval),
}
