"""BatchNormalization: Per-channel normalization of NCHW feature maps, as
torch.nn.BatchNorm2d. In training each channel is normalized with the mean and biased
variance over (N, H, W), and the running statistics are returned updated, new = (1 -
momentum) * running + momentum * batch, with the unbiased batch variance for running_var
(as PyTorch). In inference the running statistics normalize and are returned unchanged.
The buffers are never modified in place: the caller keeps new_running_mean and
new_running_var. Then y = normalized * weight + bias.
Generated from layers_spec/layers/batch_normalization.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_attribute

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight", "bias")
BUFFERS = ("running_mean", "running_var")
OUTPUTS = ("y", "new_running_mean", "new_running_var")


def forward(
    x,
    weight,
    bias,
    running_mean,
    running_var,
    *,
    momentum=0.1,
    epsilon=1e-05,
    training=True,
):
    """BatchNormalization forward pass.

    Per-channel normalization of NCHW feature maps, as torch.nn.BatchNorm2d. In training
    each channel is normalized with the mean and biased variance over (N, H, W), and the
    running statistics are returned updated, new = (1 - momentum) * running + momentum *
    batch, with the unbiased batch variance for running_var (as PyTorch). In inference
    the running statistics normalize and are returned unchanged. The buffers are never
    modified in place: the caller keeps new_running_mean and new_running_var. Then y =
    normalized * weight + bias.

    Args:
        x: float32 or float64 input of shape [B, C, H, W]. A batch of feature maps.
        weight: float32 or float64 parameter of shape [C]. Per-channel scale (gamma).
        bias: float32 or float64 parameter of shape [C]. Per-channel shift (beta).
        running_mean: float32 or float64 buffer of shape [C]. Running mean of each
            channel (0 at initialisation).
        running_var: float32 or float64 buffer of shape [C]. Running variance of each
            channel (1 at initialisation).
        momentum: float, default 0.1. Weight of the batch statistics in the running
            update.
        epsilon: float, default 1e-05. Added to the variance.
        training: bool, default True. Batch statistics (and updated running ones) if
            true, running statistics if false.

    Returns:
        ((y, new_running_mean, new_running_var), ctx): the outputs and the context that
            backward needs.
    """
    check_arrays(
        "batch_normalization",
        {
            "x": x,
            "weight": weight,
            "bias": bias,
            "running_mean": running_mean,
            "running_var": running_var,
        },
        {
            "x": ("B", "C", "H", "W"),
            "weight": ("C",),
            "bias": ("C",),
            "running_mean": ("C",),
            "running_var": ("C",),
        },
    )
    check_attribute(
        "batch_normalization", "momentum", momentum, "float", minimum=0.0, maximum=1.0
    )
    check_attribute("batch_normalization", "epsilon", epsilon, "float", minimum=0.0)
    check_attribute("batch_normalization", "training", training, "bool")
    forward_variant, backward_variant = _VARIANTS[training]
    y, new_running_mean, new_running_var, saved = forward_variant(
        x, weight, bias, running_mean, running_var, momentum, epsilon
    )
    return (y, new_running_mean, new_running_var), (backward_variant, saved)


def backward(grad_y, ctx):
    """BatchNormalization backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias: gradients with respect to x, weight, bias, in
            that order.
    """
    check_arrays("batch_normalization", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward_train(x, weight, bias, running_mean, running_var, momentum, epsilon):
    count = x.shape[0] * x.shape[2] * x.shape[3]
    mu = np.sum(x, axis=(0, 2, 3), keepdims=True) / count
    centered = x - mu
    variance = np.sum(centered * centered, axis=(0, 2, 3), keepdims=True) / count
    rstd = variance + epsilon
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = centered * rstd
    unbiased = _bessel_correction(count)
    _t1 = 1 - momentum
    new_running_mean = _t1 * running_mean + momentum * mu.reshape(weight.shape)
    new_running_var = _t1 * running_var + momentum * unbiased * variance.reshape(
        weight.shape
    )
    y = normalized * weight.reshape(1, -1, 1, 1) + bias.reshape(1, -1, 1, 1)
    return y, new_running_mean, new_running_var, (weight, count, rstd, normalized)


def _backward_train(grad_y, weight, count, rstd, normalized):
    grad_bias = np.sum(grad_y, axis=(0, 2, 3), keepdims=True).reshape(weight.shape)
    grad_weight = np.sum(grad_y * normalized, axis=(0, 2, 3), keepdims=True).reshape(
        weight.shape
    )
    correction = (
        grad_bias.reshape(1, -1, 1, 1) + normalized * grad_weight.reshape(1, -1, 1, 1)
    ) / count
    grad_x = weight.reshape(1, -1, 1, 1) * rstd * (grad_y - correction)
    return grad_x, grad_weight, grad_bias


def _forward_eval(x, weight, bias, running_mean, running_var, momentum, epsilon):
    rstd = 1 / np.sqrt(running_var.reshape(1, -1, 1, 1) + epsilon)
    normalized = (x - running_mean.reshape(1, -1, 1, 1)) * rstd
    y = normalized * weight.reshape(1, -1, 1, 1) + bias.reshape(1, -1, 1, 1)
    return y, running_mean, running_var, (weight, rstd, normalized)


def _backward_eval(grad_y, weight, rstd, normalized):
    grad_bias = np.sum(grad_y, axis=(0, 2, 3), keepdims=True).reshape(weight.shape)
    grad_weight = np.sum(grad_y * normalized, axis=(0, 2, 3), keepdims=True).reshape(
        weight.shape
    )
    grad_x = grad_y * (weight.reshape(1, -1, 1, 1) * rstd)
    return grad_x, grad_weight, grad_bias


_VARIANTS = {
    True: (_forward_train, _backward_train),
    False: (_forward_eval, _backward_eval),
}


def _bessel_correction(count):
    """count / (count - 1), for the unbiased variance of ``count`` values (at least 2)."""
    if count < 2:
        raise ValueError(
            f"batch_normalization: training needs more than one value per channel, got "
            f"N * H * W = {count}"
        )
    return count / (count - 1)
