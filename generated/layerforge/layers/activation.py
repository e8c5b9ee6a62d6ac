"""Activation: Applies an activation of layerforge.activations as a layer, y =
activation(x); vector activations act on the last axis.
Generated from layers_spec/layers/activation.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, activation_module

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, activation="identity", activation_options=None):
    """Activation forward pass.

    Applies an activation of layerforge.activations as a layer, y = activation(x);
    vector activations act on the last axis.

    Args:
        x: float32 or float64 input of shape [..., F].
        activation: name of the activation applied to the result, default 'identity';
            relu, sigmoid, tanh, softmax, identity, gelu, elu, mish, swish, silu are
            fused into specialized code, any other activation of layerforge.activations
            is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("activation", {"x": x}, {"x": ("...", "F")})
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get(activation)
    if fused is not None:
        forward_variant, backward_variant = fused
        y, saved = forward_variant(x, **options)
        return y, (backward_variant, saved)
    module = activation_module("activation", activation)
    y_linear, linear_saved = _forward_identity(x)
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (_backward_composed, (module, activation_ctx, linear_saved))


def backward(grad_y, ctx):
    """Activation backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    check_arrays("activation", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward_relu(x):
    y = np.maximum(x, 0)
    return y, (x,)


def _backward_relu(grad_y, x):
    grad_x = grad_y * (x > 0)
    return grad_x


def _forward_sigmoid(x):
    y = _sigmoid(x)
    return y, (y,)


def _backward_sigmoid(grad_y, y):
    grad_x = 1 - y
    grad_x *= grad_y
    grad_x *= y
    return grad_x


def _forward_tanh(x):
    y = np.tanh(x)
    return y, (y,)


def _backward_tanh(grad_y, y):
    grad_x = y * y
    np.subtract(1, grad_x, out=grad_x)
    grad_x *= grad_y
    return grad_x


def _forward_softmax(x):
    softmax_shifted = x - np.max(x, axis=-1, keepdims=True)
    softmax_exponentials = np.exp(softmax_shifted)
    y = softmax_exponentials / np.sum(softmax_exponentials, axis=-1, keepdims=True)
    return y, (y,)


def _backward_softmax(grad_y, y):
    grad_x = y * (grad_y - np.sum(grad_y * y, axis=-1, keepdims=True))
    return grad_x


def _forward_identity(x):
    return x, ()


def _backward_identity(grad_y):
    return grad_y


def _forward_gelu(x):
    gelu_inner = x * x
    gelu_inner *= x
    gelu_inner *= 0.044715
    gelu_inner += x
    gelu_inner *= 0.7978845608028654
    y = np.tanh(gelu_inner)
    y += 1
    y *= 0.5
    y *= x
    return y, (x,)


def _backward_gelu(grad_y, x):
    gelu_inner = x * x
    gelu_inner *= x
    gelu_inner *= 0.044715
    gelu_inner += x
    gelu_inner *= 0.7978845608028654
    _t1 = np.tanh(gelu_inner)
    grad_gelu_inner = _t1 * _t1
    np.subtract(1, grad_gelu_inner, out=grad_gelu_inner)
    grad_gelu_inner *= grad_y
    grad_gelu_inner *= 0.5
    grad_gelu_inner *= x
    _t2 = grad_gelu_inner * 0.7978845608028654
    grad_x = 1 + _t1
    grad_x *= grad_y
    grad_x *= 0.5
    grad_x += _t2
    _t3 = _t2 * 0.044715
    _t3 *= 3
    _t4 = x * x
    _t3 *= _t4
    grad_x += _t3
    return grad_x


def _forward_elu(x, alpha=1.0):
    y = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    return y, (x, alpha)


def _backward_elu(grad_y, x, alpha):
    _t1 = x > 0
    grad_x = grad_y * _t1
    _t2 = np.minimum(x, 0)
    np.expm1(_t2, out=_t2)
    _t2 += 1
    _t2 *= grad_y
    _t2 *= ~_t1
    _t2 *= alpha
    _t2 *= x < 0
    grad_x += _t2
    return grad_x


def _forward_mish(x):
    y = _softplus(x)
    np.tanh(y, out=y)
    y *= x
    return y, (x,)


def _backward_mish(grad_y, x):
    _t1 = _softplus(x)
    np.tanh(_t1, out=_t1)
    grad_x = grad_y * _t1
    _t2 = _t1 * _t1
    np.subtract(1, _t2, out=_t2)
    _t2 *= grad_y
    _t2 *= x
    _t3 = _sigmoid(x)
    _t2 *= _t3
    grad_x += _t2
    return grad_x


def _forward_swish(x):
    y = _sigmoid(x)
    y *= x
    return y, (x,)


def _backward_swish(grad_y, x):
    _t1 = _sigmoid(x)
    grad_x = grad_y * _t1
    _t2 = 1 - _t1
    _t2 *= grad_y
    _t2 *= x
    _t2 *= _t1
    grad_x += _t2
    return grad_x


def _forward_silu(x):
    y = _sigmoid(x)
    y *= x
    return y, (x,)


def _backward_silu(grad_y, x):
    _t1 = _sigmoid(x)
    grad_x = grad_y * _t1
    _t2 = 1 - _t1
    _t2 *= grad_y
    _t2 *= x
    _t2 *= _t1
    grad_x += _t2
    return grad_x


def _backward_composed(grad_y, module, activation_ctx, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return _backward_identity(grad_linear, *linear_saved)


_FUSED = {
    "relu": (_forward_relu, _backward_relu),
    "sigmoid": (_forward_sigmoid, _backward_sigmoid),
    "tanh": (_forward_tanh, _backward_tanh),
    "softmax": (_forward_softmax, _backward_softmax),
    "identity": (_forward_identity, _backward_identity),
    "gelu": (_forward_gelu, _backward_gelu),
    "elu": (_forward_elu, _backward_elu),
    "mish": (_forward_mish, _backward_mish),
    "swish": (_forward_swish, _backward_swish),
    "silu": (_forward_silu, _backward_silu),
}


def _sigmoid(x):
    """Logistic sigmoid exp(min(x, 0)) / (1 + exp(-|x|)): exp only of non-positive numbers."""
    numerator = np.exp(np.minimum(x, 0))
    numerator /= 1 + np.exp(-np.abs(x))
    return numerator


def _softplus(x):
    """log(1 + exp(x)) without overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
