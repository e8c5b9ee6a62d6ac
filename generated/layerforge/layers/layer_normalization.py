"""LayerNormalization: Normalizes each feature vector over the last axis to zero mean and
unit variance (the biased variance), then scales and shifts it, y = (x - mean) /
sqrt(var + epsilon) * weight + bias, as torch.nn.LayerNorm(F).
Generated from layers_spec/layers/layer_normalization.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_attribute

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight", "bias")
OUTPUTS = ("y",)


def forward(x, weight, bias, *, epsilon=1e-05):
    """LayerNormalization forward pass.

    Normalizes each feature vector over the last axis to zero mean and unit variance
    (the biased variance), then scales and shifts it, y = (x - mean) / sqrt(var +
    epsilon) * weight + bias, as torch.nn.LayerNorm(F).

    Args:
        x: float32 or float64 input of shape [..., F].
        weight: float32 or float64 parameter of shape [F]. Per-feature scale (gamma), 1
            at initialisation.
        bias: float32 or float64 parameter of shape [F]. Per-feature shift (beta), 0 at
            initialisation.
        epsilon: float, default 1e-05. Added to the variance.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "layer_normalization",
        {"x": x, "weight": weight, "bias": bias},
        {"x": ("...", "F"), "weight": ("F",), "bias": ("F",)},
    )
    check_attribute("layer_normalization", "epsilon", epsilon, "float", minimum=0.0)
    y, saved = _forward(x, weight, bias, epsilon)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """LayerNormalization backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias: gradients with respect to x, weight, bias, in
            that order.
    """
    check_arrays("layer_normalization", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x, weight, bias, epsilon):
    mu = np.mean(x, axis=-1, keepdims=True)
    centered = x - mu
    variance = np.mean(centered * centered, axis=-1, keepdims=True)
    rstd = variance + epsilon
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = centered * rstd
    y = normalized * weight
    y += bias
    return y, (weight, rstd, normalized)


def _backward(grad_y, weight, rstd, normalized):
    grad_normalized = grad_y * weight
    grad_x = rstd * (
        grad_normalized
        - np.mean(grad_normalized, axis=-1, keepdims=True)
        - normalized * np.mean(grad_normalized * normalized, axis=-1, keepdims=True)
    )
    grad_weight = _sum_to(grad_y * normalized, weight.shape)
    grad_bias = _sum_to(grad_y, weight.shape)
    return grad_x, grad_weight, grad_bias


def _sum_to(grad, shape):
    """Sum ``grad`` over the axes along which an operand of ``shape`` was broadcast."""
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    return np.sum(grad, axis=axes).reshape(shape) if axes else grad
