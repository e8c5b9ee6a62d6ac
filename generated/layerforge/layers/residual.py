"""Residual: A skip connection, y = activation(x + branch), where branch is the output of
the inner layer applied to x (shape-preserving); backward returns the gradients for x
(the skip path only) and for branch, which the caller passes on to the inner layer's
backward.
Generated from layers_spec/layers/residual.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, activation_module

__all__ = ["forward", "backward"]

INPUTS = ("x", "branch")
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, branch, *, activation="identity", activation_options=None):
    """Residual forward pass.

    A skip connection, y = activation(x + branch), where branch is the output of the
    inner layer applied to x (shape-preserving); backward returns the gradients for x
    (the skip path only) and for branch, which the caller passes on to the inner layer's
    backward.

    Args:
        x: float32 or float64 input of shape [..., F]. The input of the block.
        branch: float32 or float64 input of shape [..., F]. The inner layer's output for
            x.
        activation: name of the activation applied to the result, default 'identity';
            relu, sigmoid, tanh, softmax, identity, gelu, elu, mish, swish, silu are
            fused into specialized code, any other activation of layerforge.activations
            is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "residual",
        {"x": x, "branch": branch},
        {"x": ("...", "F"), "branch": ("...", "F")},
    )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get(activation)
    if fused is not None:
        forward_variant, backward_variant = fused
        y, saved = forward_variant(x, branch, **options)
        return y, (backward_variant, saved)
    module = activation_module("residual", activation)
    y_linear, linear_saved = _forward_identity(x, branch)
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (_backward_composed, (module, activation_ctx, linear_saved))


def backward(grad_y, ctx):
    """Residual backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_branch: gradients with respect to x, branch, in that order.
    """
    check_arrays("residual", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward_relu(x, branch):
    z = x + branch
    y = np.maximum(z, 0)
    return y, (z,)


def _backward_relu(grad_y, z):
    grad_z = grad_y * (z > 0)
    return grad_z, grad_z


def _forward_sigmoid(x, branch):
    z = x + branch
    y = _sigmoid(z)
    return y, (y,)


def _backward_sigmoid(grad_y, y):
    grad_z = 1 - y
    grad_z *= grad_y
    grad_z *= y
    return grad_z, grad_z


def _forward_tanh(x, branch):
    z = x + branch
    y = np.tanh(z)
    return y, (y,)


def _backward_tanh(grad_y, y):
    grad_z = y * y
    np.subtract(1, grad_z, out=grad_z)
    grad_z *= grad_y
    return grad_z, grad_z


def _forward_softmax(x, branch):
    z = x + branch
    softmax_shifted = z - np.max(z, axis=-1, keepdims=True)
    softmax_exponentials = np.exp(softmax_shifted)
    y = softmax_exponentials / np.sum(softmax_exponentials, axis=-1, keepdims=True)
    return y, (y,)


def _backward_softmax(grad_y, y):
    grad_z = y * (grad_y - np.sum(grad_y * y, axis=-1, keepdims=True))
    return grad_z, grad_z


def _forward_identity(x, branch):
    z = x + branch
    return z, ()


def _backward_identity(grad_y):
    return grad_y, grad_y


def _forward_gelu(x, branch):
    z = x + branch
    gelu_inner = z * z
    gelu_inner *= z
    gelu_inner *= 0.044715
    gelu_inner += z
    gelu_inner *= 0.7978845608028654
    _t1 = 0.5 * z
    _t2 = np.tanh(gelu_inner)
    _t3 = 1 + _t2
    y = _t1 * _t3
    return y, (z, _t1, _t2, _t3)


def _backward_gelu(grad_y, z, _t1, _t2, _t3):
    grad_gelu_inner = _t2 * _t2
    np.subtract(1, grad_gelu_inner, out=grad_gelu_inner)
    grad_gelu_inner *= grad_y
    grad_gelu_inner *= _t1
    _t4 = grad_gelu_inner * 0.7978845608028654
    grad_z = grad_y * _t3
    grad_z *= 0.5
    grad_z += _t4
    _t5 = _t4 * 0.044715
    _t5 *= 3
    _t6 = z * z
    _t5 *= _t6
    grad_z += _t5
    return grad_z, grad_z


def _forward_elu(x, branch, alpha=1.0):
    z = x + branch
    _t1 = z > 0
    _t2 = np.minimum(z, 0)
    np.expm1(_t2, out=_t2)
    y = np.where(_t1, z, alpha * _t2)
    return y, (z, alpha, _t1, _t2)


def _backward_elu(grad_y, z, alpha, _t1, _t2):
    grad_z = grad_y * _t1
    _t3 = _t2 + 1
    _t3 *= grad_y
    _t3 *= ~_t1
    _t3 *= alpha
    _t3 *= z < 0
    grad_z += _t3
    return grad_z, grad_z


def _forward_mish(x, branch):
    z = x + branch
    _t1 = _softplus(z)
    np.tanh(_t1, out=_t1)
    y = z * _t1
    return y, (z, _t1)


def _backward_mish(grad_y, z, _t1):
    grad_z = grad_y * _t1
    _t2 = _t1 * _t1
    np.subtract(1, _t2, out=_t2)
    _t2 *= grad_y
    _t2 *= z
    _t3 = _sigmoid(z)
    _t2 *= _t3
    grad_z += _t2
    return grad_z, grad_z


def _forward_swish(x, branch):
    z = x + branch
    _t1 = _sigmoid(z)
    y = z * _t1
    return y, (z, _t1)


def _backward_swish(grad_y, z, _t1):
    grad_z = grad_y * _t1
    _t2 = 1 - _t1
    _t2 *= grad_y
    _t2 *= z
    _t2 *= _t1
    grad_z += _t2
    return grad_z, grad_z


def _forward_silu(x, branch):
    z = x + branch
    _t1 = _sigmoid(z)
    y = z * _t1
    return y, (z, _t1)


def _backward_silu(grad_y, z, _t1):
    grad_z = grad_y * _t1
    _t2 = 1 - _t1
    _t2 *= grad_y
    _t2 *= z
    _t2 *= _t1
    grad_z += _t2
    return grad_z, grad_z


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
