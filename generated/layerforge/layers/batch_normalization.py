"""BatchNormalization: Per-channel normalization of a batch [N, C, *] (any rank from 2: [N,
C], [N, C, L], [N, C, H, W], [N, C, D, H, W]), as torch.nn.BatchNorm1d/2d/3d. In
training each channel is normalized with the mean and biased variance over N and the
trailing axes, and the running statistics are returned updated, new = (1 - momentum) *
running + momentum * batch, with the unbiased batch variance for running_var (as
PyTorch; momentum=None is the cumulative average, 1 / (num_batches_tracked + 1)). In
inference the running statistics normalize and are returned unchanged. The buffers are
never modified in place: the caller keeps new_running_mean and new_running_var. Without
running statistics (None, as track_running_stats=False) the batch statistics normalize
in training and inference alike and the new ones are None. Then y = normalized * weight
+ bias; weight and bias may each be left out (None): without both it is affine=False.
Generated from layers_spec/layers/batch_normalization.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import math

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    join_trailing,
    check_nonempty,
    blas_flags_ignored,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu
from layerforge._jit_runtime import channels, in_channel_blocks, row_kernel, use_jit

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight", "bias")
BUFFERS = ("running_mean", "running_var")
OUTPUTS = ("y", "new_running_mean", "new_running_var")


def forward(
    x,
    weight=None,
    bias=None,
    running_mean=None,
    running_var=None,
    *,
    num_batches_tracked=0,
    momentum=0.1,
    eps=1e-05,
    training=True,
):
    """BatchNormalization forward pass.

    Per-channel normalization of a batch [N, C, *] (any rank from 2: [N, C], [N, C, L],
    [N, C, H, W], [N, C, D, H, W]), as torch.nn.BatchNorm1d/2d/3d. In training each
    channel is normalized with the mean and biased variance over N and the trailing
    axes, and the running statistics are returned updated, new = (1 - momentum) *
    running + momentum * batch, with the unbiased batch variance for running_var (as
    PyTorch; momentum=None is the cumulative average, 1 / (num_batches_tracked + 1)). In
    inference the running statistics normalize and are returned unchanged. The buffers
    are never modified in place: the caller keeps new_running_mean and new_running_var.
    Without running statistics (None, as track_running_stats=False) the batch statistics
    normalize in training and inference alike and the new ones are None. Then y =
    normalized * weight + bias; weight and bias may each be left out (None): without
    both it is affine=False.

    Args:
        x: float32 or float64 input of shape [B, C, L]. A batch [N, C, *]: every axis
            after C is one of L's.
        weight: float32 or float64 parameter of shape [C]. Per-channel scale (gamma);
            None for none.
        bias: float32 or float64 parameter of shape [C]. Per-channel shift (beta); None
            for none.
        running_mean: float32 or float64 buffer of shape [C]. Running mean of each
            channel (0 at initialisation); None for none.
        running_var: float32 or float64 buffer of shape [C]. Running variance of each
            channel (1 at initialisation); None for none.
        num_batches_tracked: int, default 0. With momentum=None: how many batches the
            running statistics average (torch's num_batches_tracked before this step).
        momentum: float, default 0.1. Weight of the batch statistics in the running
            update; None: the cumulative average, 1 / (num_batches_tracked + 1).
        eps: float, default 1e-05. Added to the variance.
        training: bool, default True. Batch statistics (and updated running ones) if
            true, running statistics if false.

    Returns:
        ((y, new_running_mean, new_running_var), ctx): the outputs and the context that
            backward needs.
    """
    if hasattr(x, "ndim") and x.ndim != 3:
        (y, new_running_mean, new_running_var), joined_ctx = forward(
            join_trailing("batch_normalization", "x", x, 2, "[B, C, *]"),
            weight,
            bias,
            running_mean,
            running_var,
            num_batches_tracked=num_batches_tracked,
            momentum=momentum,
            eps=eps,
            training=training,
        )
        y = y.reshape(x.shape)
        return (y, new_running_mean, new_running_var), (
            _backward_joined,
            (joined_ctx, x.shape),
            (y.dtype, y.shape),
            None,
        )
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
            "x": ("B", "C", "L"),
            "weight": ("C",),
            "bias": ("C",),
            "running_mean": ("C",),
            "running_var": ("C",),
        },
        optional=("weight", "bias", "running_mean", "running_var"),
    )
    check_attribute(
        "batch_normalization",
        "num_batches_tracked",
        num_batches_tracked,
        "int",
        minimum=0,
    )
    if momentum is None:
        momentum = 1 / (num_batches_tracked + 1)
    check_attribute(
        "batch_normalization", "momentum", momentum, "float", minimum=0.0, maximum=1.0
    )
    check_attribute("batch_normalization", "eps", eps, "float", minimum=0.0)
    check_attribute("batch_normalization", "training", training, "bool")
    check_nonempty("batch_normalization", "x", x.shape, 0, applies=training)
    check_nonempty("batch_normalization", "x", x.shape, 2, applies=training)
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[
            (
                training,
                weight is not None,
                bias is not None,
                running_mean is not None,
                running_var is not None,
            )
        ]
        y, new_running_mean, new_running_var, saved = forward_variant(
            x, weight, bias, running_mean, running_var, momentum, eps
        )
        return (y, new_running_mean, new_running_var), (
            backward_variant,
            saved,
            (y.dtype, y.shape),
            None,
        )
    if use_jit(x):
        forward_variant, backward_variant = _JIT_VARIANTS[
            (
                training,
                weight is not None,
                bias is not None,
                running_mean is not None,
                running_var is not None,
            )
        ]
        y, new_running_mean, new_running_var, saved = forward_variant(
            x, weight, bias, running_mean, running_var, momentum, eps
        )
        return (y, new_running_mean, new_running_var), (
            backward_variant,
            saved,
            (y.dtype, y.shape),
            None,
        )
    forward_variant, backward_variant = _VARIANTS[
        (
            training,
            weight is not None,
            bias is not None,
            running_mean is not None,
            running_var is not None,
        )
    ]
    y, new_running_mean, new_running_var, saved = forward_variant(
        x, weight, bias, running_mean, running_var, momentum, eps
    )
    return (y, new_running_mean, new_running_var), (
        backward_variant,
        saved,
        (y.dtype, y.shape),
        None,
    )


def backward(grad_y, ctx):
    """BatchNormalization backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias: gradients with respect to x, weight, bias, in
            that order.
    """
    backward_variant, saved = check_context(
        "batch_normalization", __name__, ctx, {"grad_y": grad_y}
    )
    if backward_variant is _backward_joined:
        return _backward_joined(grad_y, *saved)
    return backward_variant(grad_y, *saved)


def _forward_train(x, weight, bias, running_mean, running_var, momentum, eps):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = variance + eps
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    _t1 = 1 - momentum
    new_running_mean = _t1 * running_mean + momentum * mu.reshape(weight.shape)
    unbiased = _bessel_correction(count)
    new_running_var = _t1 * running_var + momentum * unbiased * variance.reshape(
        weight.shape
    )
    y = normalized * weight.reshape(-1, 1)
    y += bias.reshape(-1, 1)
    return y, new_running_mean, new_running_var, (weight, count, rstd, normalized)


def _backward_train(grad_y, weight, count, rstd, normalized):
    shift_sums = _sum(grad_y, (0, 2))
    scale_sums = _sum(grad_y * normalized, (0, 2))
    grad_bias = shift_sums.reshape(weight.shape)
    grad_weight = scale_sums.reshape(weight.shape)
    scale = weight.reshape(-1, 1) * rstd
    grad_x = scale * grad_y
    _t1 = normalized * (scale * scale_sums / count)
    grad_x -= _t1
    grad_x -= scale * shift_sums / count
    return grad_x, grad_weight, grad_bias


def _forward_train_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=variance)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    new_running_mean = (1 - momentum) * running_mean + momentum * mu.reshape(
        weight.shape
    )
    y = normalized * weight.reshape(-1, 1)
    y += bias.reshape(-1, 1)
    return y, new_running_mean, None, (weight, count, rstd, normalized)


def _forward_train_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=mu)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    unbiased = _bessel_correction(count)
    new_running_var = (
        1 - momentum
    ) * running_var + momentum * unbiased * variance.reshape(weight.shape)
    y = normalized * weight.reshape(-1, 1)
    y += bias.reshape(-1, 1)
    return y, None, new_running_var, (weight, count, rstd, normalized)


def _forward_train_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=variance)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    y = normalized * weight.reshape(-1, 1)
    y += bias.reshape(-1, 1)
    return y, None, None, (weight, count, rstd, normalized)


def _forward_train_no_bias(x, weight, bias, running_mean, running_var, momentum, eps):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = variance + eps
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    _t1 = 1 - momentum
    new_running_mean = _t1 * running_mean + momentum * mu.reshape(weight.shape)
    unbiased = _bessel_correction(count)
    new_running_var = _t1 * running_var + momentum * unbiased * variance.reshape(
        weight.shape
    )
    y = normalized * weight.reshape(-1, 1)
    return y, new_running_mean, new_running_var, (weight, count, rstd, normalized)


def _backward_train_no_bias(grad_y, weight, count, rstd, normalized):
    shift_sums = _sum(grad_y, (0, 2))
    scale_sums = _sum(grad_y * normalized, (0, 2))
    grad_weight = scale_sums.reshape(weight.shape)
    scale = weight.reshape(-1, 1) * rstd
    grad_x = scale * grad_y
    _t1 = normalized * (scale * scale_sums / count)
    grad_x -= _t1
    grad_x -= scale * shift_sums / count
    return grad_x, grad_weight, None


def _forward_train_no_bias_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=variance)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    new_running_mean = (1 - momentum) * running_mean + momentum * mu.reshape(
        weight.shape
    )
    y = normalized * weight.reshape(-1, 1)
    return y, new_running_mean, None, (weight, count, rstd, normalized)


def _forward_train_no_bias_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=mu)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    unbiased = _bessel_correction(count)
    new_running_var = (
        1 - momentum
    ) * running_var + momentum * unbiased * variance.reshape(weight.shape)
    y = normalized * weight.reshape(-1, 1)
    return y, None, new_running_var, (weight, count, rstd, normalized)


def _forward_train_no_bias_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=variance)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    y = normalized * weight.reshape(-1, 1)
    return y, None, None, (weight, count, rstd, normalized)


def _forward_train_no_weight(x, weight, bias, running_mean, running_var, momentum, eps):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = variance + eps
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    _t1 = 1 - momentum
    new_running_mean = _t1 * running_mean + momentum * mu.reshape(bias.shape)
    unbiased = _bessel_correction(count)
    new_running_var = _t1 * running_var + momentum * unbiased * variance.reshape(
        bias.shape
    )
    y = normalized + bias.reshape(-1, 1)
    return y, new_running_mean, new_running_var, (bias, count, rstd, normalized)


def _backward_train_no_weight(grad_y, bias, count, rstd, normalized):
    shift_sums = _sum(grad_y, (0, 2))
    scale_sums = _sum(grad_y * normalized, (0, 2))
    grad_bias = shift_sums.reshape(bias.shape)
    grad_x = rstd * grad_y
    _t1 = normalized * (rstd * scale_sums / count)
    grad_x -= _t1
    grad_x -= rstd * shift_sums / count
    return grad_x, None, grad_bias


def _forward_train_no_weight_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=variance)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    new_running_mean = (1 - momentum) * running_mean + momentum * mu.reshape(bias.shape)
    y = normalized + bias.reshape(-1, 1)
    return y, new_running_mean, None, (bias, count, rstd, normalized)


def _forward_train_no_weight_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=mu)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    unbiased = _bessel_correction(count)
    new_running_var = (
        1 - momentum
    ) * running_var + momentum * unbiased * variance.reshape(bias.shape)
    y = normalized + bias.reshape(-1, 1)
    return y, None, new_running_var, (bias, count, rstd, normalized)


def _forward_train_no_weight_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=variance)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    y = normalized + bias.reshape(-1, 1)
    return y, None, None, (bias, count, rstd, normalized)


def _forward_train_no_weight_no_bias(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = variance + eps
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    _t1 = 1 - momentum
    new_running_mean = _t1 * running_mean + momentum * mu.reshape(running_mean.shape)
    unbiased = _bessel_correction(count)
    new_running_var = _t1 * running_var + momentum * unbiased * variance.reshape(
        running_mean.shape
    )
    return (
        normalized,
        new_running_mean,
        new_running_var,
        (weight, count, rstd, normalized),
    )


def _backward_train_no_weight_no_bias(grad_y, weight, count, rstd, normalized):
    shift_sums = _sum(grad_y, (0, 2))
    scale_sums = _sum(grad_y * normalized, (0, 2))
    grad_x = rstd * grad_y
    _t1 = normalized * (rstd * scale_sums / count)
    grad_x -= _t1
    grad_x -= rstd * shift_sums / count
    return grad_x, None, None


def _forward_train_no_weight_no_bias_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=variance)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    new_running_mean = (1 - momentum) * running_mean + momentum * mu.reshape(
        running_mean.shape
    )
    return normalized, new_running_mean, None, (weight, count, rstd, normalized)


def _forward_train_no_weight_no_bias_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=mu)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    unbiased = _bessel_correction(count)
    new_running_var = (
        1 - momentum
    ) * running_var + momentum * unbiased * variance.reshape(running_var.shape)
    return normalized, None, new_running_var, (weight, count, rstd, normalized)


def _forward_train_no_weight_no_bias_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=variance)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    return normalized, None, None, (weight, count, rstd, normalized)


def _forward_eval(x, weight, bias, running_mean, running_var, momentum, eps):
    rstd = running_var.reshape(-1, 1) + eps
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = x - running_mean.reshape(-1, 1)
    normalized *= rstd
    y = normalized * weight.reshape(-1, 1)
    y += bias.reshape(-1, 1)
    return y, running_mean, running_var, (weight, rstd, normalized)


def _backward_eval(grad_y, weight, rstd, normalized):
    shift_sums = _sum(grad_y, (0, 2))
    scale_sums = _sum(grad_y * normalized, (0, 2))
    grad_bias = shift_sums.reshape(weight.shape)
    grad_weight = scale_sums.reshape(weight.shape)
    scale = weight.reshape(-1, 1) * rstd
    grad_x = grad_y * scale
    return grad_x, grad_weight, grad_bias


def _forward_eval_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=variance)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    y = normalized * weight.reshape(-1, 1)
    y += bias.reshape(-1, 1)
    return y, running_mean, None, (weight, count, rstd, normalized)


def _forward_eval_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    rstd = running_var.reshape(-1, 1) + eps
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = x * rstd
    y = normalized * weight.reshape(-1, 1)
    y += bias.reshape(-1, 1)
    return y, None, running_var, (weight, rstd, normalized)


def _forward_eval_no_bias(x, weight, bias, running_mean, running_var, momentum, eps):
    rstd = running_var.reshape(-1, 1) + eps
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = x - running_mean.reshape(-1, 1)
    normalized *= rstd
    y = normalized * weight.reshape(-1, 1)
    return y, running_mean, running_var, (weight, rstd, normalized)


def _backward_eval_no_bias(grad_y, weight, rstd, normalized):
    scale_sums = _sum(grad_y * normalized, (0, 2))
    grad_weight = scale_sums.reshape(weight.shape)
    scale = weight.reshape(-1, 1) * rstd
    grad_x = grad_y * scale
    return grad_x, grad_weight, None


def _forward_eval_no_bias_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=variance)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    y = normalized * weight.reshape(-1, 1)
    return y, running_mean, None, (weight, count, rstd, normalized)


def _forward_eval_no_bias_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    rstd = running_var.reshape(-1, 1) + eps
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = x * rstd
    y = normalized * weight.reshape(-1, 1)
    return y, None, running_var, (weight, rstd, normalized)


def _forward_eval_no_weight(x, weight, bias, running_mean, running_var, momentum, eps):
    rstd = running_var.reshape(-1, 1) + eps
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = x - running_mean.reshape(-1, 1)
    normalized *= rstd
    y = normalized + bias.reshape(-1, 1)
    return y, running_mean, running_var, (bias, rstd, normalized)


def _backward_eval_no_weight(grad_y, bias, rstd, normalized):
    shift_sums = _sum(grad_y, (0, 2))
    grad_bias = shift_sums.reshape(bias.shape)
    grad_x = grad_y * rstd
    return grad_x, None, grad_bias


def _forward_eval_no_weight_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=variance)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    y = normalized + bias.reshape(-1, 1)
    return y, running_mean, None, (bias, count, rstd, normalized)


def _forward_eval_no_weight_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    rstd = running_var.reshape(-1, 1) + eps
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = x * rstd
    y = normalized + bias.reshape(-1, 1)
    return y, None, running_var, (bias, rstd, normalized)


def _forward_eval_no_weight_no_bias(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    rstd = running_var.reshape(-1, 1) + eps
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = x - running_mean.reshape(-1, 1)
    normalized *= rstd
    return normalized, running_mean, running_var, (weight, rstd, normalized)


def _backward_eval_no_weight_no_bias(grad_y, weight, rstd, normalized):
    grad_x = grad_y * rstd
    return grad_x, None, None


def _forward_eval_no_weight_no_bias_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=variance)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    return normalized, running_mean, None, (count, rstd, normalized)


def _backward_eval_no_weight_no_bias_no_running_var(grad_y, count, rstd, normalized):
    shift_sums = _sum(grad_y, (0, 2))
    scale_sums = _sum(grad_y * normalized, (0, 2))
    grad_x = rstd * grad_y
    _t1 = normalized * (rstd * scale_sums / count)
    grad_x -= _t1
    grad_x -= rstd * shift_sums / count
    return grad_x, None, None


def _forward_eval_no_weight_no_bias_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    rstd = running_var.reshape(-1, 1) + eps
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = x * rstd
    return normalized, None, running_var, (weight, rstd, normalized)


def _forward_eval_no_weight_no_bias_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    count = x.shape[0] * x.shape[2]
    mu = _sum(x, (0, 2)) / count
    centered = x - mu
    variance = _sum(centered * centered, (0, 2)) / count
    rstd = np.add(variance, eps, out=variance)
    np.sqrt(rstd, out=rstd)
    np.divide(1, rstd, out=rstd)
    normalized = np.multiply(centered, rstd, out=centered)
    return normalized, None, None, (count, rstd, normalized)


def _backward_joined(grad_y, ctx, shape):
    """The backward of a forward on x with its trailing axes joined into one."""
    grad_x, grad_weight, grad_bias = backward(grad_y.reshape(ctx[2][1]), ctx)
    return grad_x.reshape(shape), grad_weight, grad_bias


_VARIANTS = {
    (True, True, True, True, True): (_forward_train, _backward_train),
    (True, True, True, True, False): (_forward_train_no_running_var, _backward_train),
    (True, True, True, False, True): (_forward_train_no_running_mean, _backward_train),
    (True, True, True, False, False): (
        _forward_train_no_running_mean_no_running_var,
        _backward_train,
    ),
    (True, True, False, True, True): (_forward_train_no_bias, _backward_train_no_bias),
    (True, True, False, True, False): (
        _forward_train_no_bias_no_running_var,
        _backward_train_no_bias,
    ),
    (True, True, False, False, True): (
        _forward_train_no_bias_no_running_mean,
        _backward_train_no_bias,
    ),
    (True, True, False, False, False): (
        _forward_train_no_bias_no_running_mean_no_running_var,
        _backward_train_no_bias,
    ),
    (True, False, True, True, True): (
        _forward_train_no_weight,
        _backward_train_no_weight,
    ),
    (True, False, True, True, False): (
        _forward_train_no_weight_no_running_var,
        _backward_train_no_weight,
    ),
    (True, False, True, False, True): (
        _forward_train_no_weight_no_running_mean,
        _backward_train_no_weight,
    ),
    (True, False, True, False, False): (
        _forward_train_no_weight_no_running_mean_no_running_var,
        _backward_train_no_weight,
    ),
    (True, False, False, True, True): (
        _forward_train_no_weight_no_bias,
        _backward_train_no_weight_no_bias,
    ),
    (True, False, False, True, False): (
        _forward_train_no_weight_no_bias_no_running_var,
        _backward_train_no_weight_no_bias,
    ),
    (True, False, False, False, True): (
        _forward_train_no_weight_no_bias_no_running_mean,
        _backward_train_no_weight_no_bias,
    ),
    (True, False, False, False, False): (
        _forward_train_no_weight_no_bias_no_running_mean_no_running_var,
        _backward_train_no_weight_no_bias,
    ),
    (False, True, True, True, True): (_forward_eval, _backward_eval),
    (False, True, True, True, False): (_forward_eval_no_running_var, _backward_train),
    (False, True, True, False, True): (_forward_eval_no_running_mean, _backward_eval),
    (False, True, True, False, False): (
        _forward_train_no_running_mean_no_running_var,
        _backward_train,
    ),
    (False, True, False, True, True): (_forward_eval_no_bias, _backward_eval_no_bias),
    (False, True, False, True, False): (
        _forward_eval_no_bias_no_running_var,
        _backward_train_no_bias,
    ),
    (False, True, False, False, True): (
        _forward_eval_no_bias_no_running_mean,
        _backward_eval_no_bias,
    ),
    (False, True, False, False, False): (
        _forward_train_no_bias_no_running_mean_no_running_var,
        _backward_train_no_bias,
    ),
    (False, False, True, True, True): (
        _forward_eval_no_weight,
        _backward_eval_no_weight,
    ),
    (False, False, True, True, False): (
        _forward_eval_no_weight_no_running_var,
        _backward_train_no_weight,
    ),
    (False, False, True, False, True): (
        _forward_eval_no_weight_no_running_mean,
        _backward_eval_no_weight,
    ),
    (False, False, True, False, False): (
        _forward_train_no_weight_no_running_mean_no_running_var,
        _backward_train_no_weight,
    ),
    (False, False, False, True, True): (
        _forward_eval_no_weight_no_bias,
        _backward_eval_no_weight_no_bias,
    ),
    (False, False, False, True, False): (
        _forward_eval_no_weight_no_bias_no_running_var,
        _backward_eval_no_weight_no_bias_no_running_var,
    ),
    (False, False, False, False, True): (
        _forward_eval_no_weight_no_bias_no_running_mean,
        _backward_eval_no_weight_no_bias,
    ),
    (False, False, False, False, False): (
        _forward_eval_no_weight_no_bias_no_running_mean_no_running_var,
        _backward_eval_no_weight_no_bias_no_running_var,
    ),
}


def _bessel_correction(count):
    """count / (count - 1), for the unbiased variance of ``count`` values (at least 2)."""
    if count < 2:
        raise ValueError(
            f"batch_normalization: training needs more than one value per channel, got "
            f"N * H * W = {count}"
        )
    return count / (count - 1)


def _sum(x, axis):
    """The sum along ``axis`` (one axis or a tuple), kept as length-1 axes. Along the last
    axis of a float array it is a matrix-vector product with ones (BLAS), several times
    faster than NumPy's reduction loop on rows; over several trailing axes of a
    C-contiguous one (per-channel sums over H and W) those are flattened into one such
    product, and any leading axes are then summed over the much smaller result."""
    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        with blas_flags_ignored(x):
            return np.matmul(x, np.ones(x.shape[-1], x.dtype))[..., None]
    axes = sorted(a % x.ndim for a in axis) if isinstance(axis, tuple) else None
    trailing = 0
    while axes and x.ndim - 1 - trailing in axes:
        trailing += 1
    if trailing < 2 or x.dtype.kind != "f" or not x.flags.c_contiguous or not x.size:
        return np.sum(x, axis=axis, keepdims=True)
    inner = 1
    for n in x.shape[x.ndim - trailing :]:
        inner *= n
    sums = np.matmul(x.reshape(-1, inner), np.ones(inner, x.dtype))
    sums = sums.reshape(x.shape[: x.ndim - trailing] + (1,) * trailing)
    rest = tuple(a for a in axes if a < x.ndim - trailing)
    return np.sum(sums, axis=rest, keepdims=True) if rest else sums


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# batch_normalization_train_fwd_0: layers_spec/layers/batch_normalization.yaml:33
_batch_normalization_train_fwd_0 = ElementwiseKernel(
    "batch_normalization_train_fwd_0",
    "T _t3, int64 count",
    "T mu",
    """
    mu = _t3 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_fwd_1: layers_spec/layers/batch_normalization.yaml:34,35
_batch_normalization_train_fwd_1 = ElementwiseKernel(
    "batch_normalization_train_fwd_1",
    "T x, T mu",
    "T centered, T _t4",
    """
    centered = x - mu;
    _t4 = centered * centered;
    """,
)


# batch_normalization_train_fwd_2: layers_spec/layers/batch_normalization.yaml:35,36
_batch_normalization_train_fwd_2 = ElementwiseKernel(
    "batch_normalization_train_fwd_2",
    "T _t5, int64 count, T eps",
    "T variance, T rstd",
    """
    variance = _t5 / count;
    T _t6 = variance + eps;
    T _t7 = sqrt(_t6);
    rstd = T(1) / _t7;
    """,
    scalars=("count", "eps"),
)


# batch_normalization_train_fwd_3: layers_spec/layers/batch_normalization.yaml:37
_batch_normalization_train_fwd_3 = ElementwiseKernel(
    "batch_normalization_train_fwd_3",
    "T centered, T rstd",
    "T normalized",
    """
    normalized = centered * rstd;
    """,
)


# batch_normalization_train_fwd_4: layers_spec/layers/batch_normalization.yaml:39
_batch_normalization_train_fwd_4 = ElementwiseKernel(
    "batch_normalization_train_fwd_4",
    "T _t8, T running_mean",
    "T _t9",
    """
    _t9 = _t8 * running_mean;
    """,
    scalars=("_t8",),
)


# batch_normalization_train_fwd_5: layers_spec/layers/batch_normalization.yaml:39,44
_batch_normalization_train_fwd_5 = ElementwiseKernel(
    "batch_normalization_train_fwd_5",
    "T momentum, T _t10, T _t9, T _t12, T running_var",
    "T new_running_mean, T _t13",
    """
    T _t11 = momentum * _t10;
    new_running_mean = _t9 + _t11;
    _t13 = _t12 * running_var;
    """,
    scalars=("momentum", "_t12"),
)


# batch_normalization_train_fwd_6: layers_spec/layers/batch_normalization.yaml:44
_batch_normalization_train_fwd_6 = ElementwiseKernel(
    "batch_normalization_train_fwd_6",
    "T _t14, T _t15, T _t13",
    "T new_running_var",
    """
    T _t16 = _t14 * _t15;
    new_running_var = _t13 + _t16;
    """,
    scalars=("_t14",),
)


# batch_normalization_train_fwd_7: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_fwd_7 = ElementwiseKernel(
    "batch_normalization_train_fwd_7",
    "T normalized, T _t17",
    "T _t18",
    """
    _t18 = normalized * _t17;
    """,
)


# batch_normalization_train_fwd_8: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_fwd_8 = ElementwiseKernel(
    "batch_normalization_train_fwd_8",
    "T _t18, T _t19",
    "T y",
    """
    y = _t18 + _t19;
    """,
)


def _cupy_forward_train(x, weight, bias, running_mean, running_var, momentum, eps):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    variance, rstd = _batch_normalization_train_fwd_2(_t5, count, eps)
    _t8 = 1 - momentum
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t9 = _batch_normalization_train_fwd_4(_t8, running_mean)
    _t10 = mu.reshape(weight.shape)
    unbiased = _bessel_correction(count)
    _t12 = 1 - momentum
    _t14 = momentum * unbiased
    new_running_mean, _t13 = _batch_normalization_train_fwd_5(
        momentum, _t10, _t9, _t12, running_var
    )
    _t15 = variance.reshape(weight.shape)
    new_running_var = _batch_normalization_train_fwd_6(_t14, _t15, _t13)
    _t17 = weight.reshape(-1, 1)
    _t18 = _batch_normalization_train_fwd_7(normalized, _t17)
    _t19 = bias.reshape(-1, 1)
    y = _batch_normalization_train_fwd_8(_t18, _t19)
    return y, new_running_mean, new_running_var, (weight, count, rstd, normalized)


# batch_normalization_train_bwd_0: layers_spec/layers/batch_normalization.yaml:63
_batch_normalization_train_bwd_0 = ElementwiseKernel(
    "batch_normalization_train_bwd_0",
    "T grad_y, T normalized",
    "T _t20",
    """
    _t20 = grad_y * normalized;
    """,
)


# batch_normalization_train_bwd_1: layers_spec/layers/batch_normalization.yaml:66
_batch_normalization_train_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_bwd_1",
    "T _t21, T rstd",
    "T scale",
    """
    scale = _t21 * rstd;
    """,
)


# batch_normalization_train_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_bwd_2",
    "T scale, T grad_y",
    "T _t22",
    """
    _t22 = scale * grad_y;
    """,
)


# batch_normalization_train_bwd_3: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_bwd_3 = ElementwiseKernel(
    "batch_normalization_train_bwd_3",
    "T scale, T scale_sums, int64 count",
    "T _t24",
    """
    T _t23 = scale * scale_sums;
    _t24 = _t23 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_bwd_4",
    "T normalized, T _t24, T _t22",
    "T _t26",
    """
    T _t25 = normalized * _t24;
    _t26 = _t22 - _t25;
    """,
)


# batch_normalization_train_bwd_5: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_bwd_5 = ElementwiseKernel(
    "batch_normalization_train_bwd_5",
    "T scale, T shift_sums, int64 count",
    "T _t28",
    """
    T _t27 = scale * shift_sums;
    _t28 = _t27 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_bwd_6: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_bwd_6 = ElementwiseKernel(
    "batch_normalization_train_bwd_6",
    "T _t26, T _t28",
    "T grad_x",
    """
    grad_x = _t26 - _t28;
    """,
)


def _cupy_backward_train(grad_y, weight, count, rstd, normalized):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t20 = _batch_normalization_train_bwd_0(grad_y, normalized)
    scale_sums = _cupy_sum(_t20, (0, 2))
    grad_bias = shift_sums.reshape(weight.shape)
    grad_weight = scale_sums.reshape(weight.shape)
    _t21 = weight.reshape(-1, 1)
    scale = _batch_normalization_train_bwd_1(_t21, rstd)
    _t22 = _batch_normalization_train_bwd_2(scale, grad_y)
    _t24 = _batch_normalization_train_bwd_3(scale, scale_sums, count)
    _t26 = _batch_normalization_train_bwd_4(normalized, _t24, _t22)
    _t28 = _batch_normalization_train_bwd_5(scale, shift_sums, count)
    grad_x = _batch_normalization_train_bwd_6(_t26, _t28)
    return grad_x, grad_weight, grad_bias


# batch_normalization_train_no_running_var_fwd_2: layers_spec/layers/batch_normalization.yaml:35,36
_batch_normalization_train_no_running_var_fwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_running_var_fwd_2",
    "T _t5, int64 count, T eps",
    "T rstd",
    """
    T variance = _t5 / count;
    T _t6 = variance + eps;
    T _t7 = sqrt(_t6);
    rstd = T(1) / _t7;
    """,
    scalars=("count", "eps"),
)


# batch_normalization_train_no_running_var_fwd_5: layers_spec/layers/batch_normalization.yaml:39
_batch_normalization_train_no_running_var_fwd_5 = ElementwiseKernel(
    "batch_normalization_train_no_running_var_fwd_5",
    "T momentum, T _t10, T _t9",
    "T new_running_mean",
    """
    T _t11 = momentum * _t10;
    new_running_mean = _t9 + _t11;
    """,
    scalars=("momentum",),
)


# batch_normalization_train_no_running_var_fwd_6: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_no_running_var_fwd_6 = ElementwiseKernel(
    "batch_normalization_train_no_running_var_fwd_6",
    "T normalized, T _t12",
    "T _t13",
    """
    _t13 = normalized * _t12;
    """,
)


# batch_normalization_train_no_running_var_fwd_7: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_no_running_var_fwd_7 = ElementwiseKernel(
    "batch_normalization_train_no_running_var_fwd_7",
    "T _t13, T _t14",
    "T y",
    """
    y = _t13 + _t14;
    """,
)


def _cupy_forward_train_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    rstd = _batch_normalization_train_no_running_var_fwd_2(_t5, count, eps)
    _t8 = 1 - momentum
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t9 = _batch_normalization_train_fwd_4(_t8, running_mean)
    _t10 = mu.reshape(weight.shape)
    new_running_mean = _batch_normalization_train_no_running_var_fwd_5(
        momentum, _t10, _t9
    )
    _t12 = weight.reshape(-1, 1)
    _t13 = _batch_normalization_train_no_running_var_fwd_6(normalized, _t12)
    _t14 = bias.reshape(-1, 1)
    y = _batch_normalization_train_no_running_var_fwd_7(_t13, _t14)
    return y, new_running_mean, None, (weight, count, rstd, normalized)


# batch_normalization_train_no_running_var_bwd_0: layers_spec/layers/batch_normalization.yaml:63
_batch_normalization_train_no_running_var_bwd_0 = ElementwiseKernel(
    "batch_normalization_train_no_running_var_bwd_0",
    "T grad_y, T normalized",
    "T _t15",
    """
    _t15 = grad_y * normalized;
    """,
)


# batch_normalization_train_no_running_var_bwd_1: layers_spec/layers/batch_normalization.yaml:66
_batch_normalization_train_no_running_var_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_no_running_var_bwd_1",
    "T _t16, T rstd",
    "T scale",
    """
    scale = _t16 * rstd;
    """,
)


# batch_normalization_train_no_running_var_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_var_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_running_var_bwd_2",
    "T scale, T grad_y",
    "T _t17",
    """
    _t17 = scale * grad_y;
    """,
)


# batch_normalization_train_no_running_var_bwd_3: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_var_bwd_3 = ElementwiseKernel(
    "batch_normalization_train_no_running_var_bwd_3",
    "T scale, T scale_sums, int64 count",
    "T _t19",
    """
    T _t18 = scale * scale_sums;
    _t19 = _t18 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_running_var_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_var_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_running_var_bwd_4",
    "T normalized, T _t19, T _t17",
    "T _t21",
    """
    T _t20 = normalized * _t19;
    _t21 = _t17 - _t20;
    """,
)


# batch_normalization_train_no_running_var_bwd_5: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_var_bwd_5 = ElementwiseKernel(
    "batch_normalization_train_no_running_var_bwd_5",
    "T scale, T shift_sums, int64 count",
    "T _t23",
    """
    T _t22 = scale * shift_sums;
    _t23 = _t22 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_running_var_bwd_6: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_var_bwd_6 = ElementwiseKernel(
    "batch_normalization_train_no_running_var_bwd_6",
    "T _t21, T _t23",
    "T grad_x",
    """
    grad_x = _t21 - _t23;
    """,
)


def _cupy_backward_train_no_running_var(grad_y, weight, count, rstd, normalized):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t15 = _batch_normalization_train_no_running_var_bwd_0(grad_y, normalized)
    scale_sums = _cupy_sum(_t15, (0, 2))
    grad_bias = shift_sums.reshape(weight.shape)
    grad_weight = scale_sums.reshape(weight.shape)
    _t16 = weight.reshape(-1, 1)
    scale = _batch_normalization_train_no_running_var_bwd_1(_t16, rstd)
    _t17 = _batch_normalization_train_no_running_var_bwd_2(scale, grad_y)
    _t19 = _batch_normalization_train_no_running_var_bwd_3(scale, scale_sums, count)
    _t21 = _batch_normalization_train_no_running_var_bwd_4(normalized, _t19, _t17)
    _t23 = _batch_normalization_train_no_running_var_bwd_5(scale, shift_sums, count)
    grad_x = _batch_normalization_train_no_running_var_bwd_6(_t21, _t23)
    return grad_x, grad_weight, grad_bias


# batch_normalization_train_no_running_mean_fwd_4: layers_spec/layers/batch_normalization.yaml:44
_batch_normalization_train_no_running_mean_fwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_fwd_4",
    "T _t8, T running_var",
    "T _t9",
    """
    _t9 = _t8 * running_var;
    """,
    scalars=("_t8",),
)


# batch_normalization_train_no_running_mean_fwd_5: layers_spec/layers/batch_normalization.yaml:44
_batch_normalization_train_no_running_mean_fwd_5 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_fwd_5",
    "T _t10, T _t11, T _t9",
    "T new_running_var",
    """
    T _t12 = _t10 * _t11;
    new_running_var = _t9 + _t12;
    """,
    scalars=("_t10",),
)


# batch_normalization_train_no_running_mean_fwd_6: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_no_running_mean_fwd_6 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_fwd_6",
    "T normalized, T _t13",
    "T _t14",
    """
    _t14 = normalized * _t13;
    """,
)


# batch_normalization_train_no_running_mean_fwd_7: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_no_running_mean_fwd_7 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_fwd_7",
    "T _t14, T _t15",
    "T y",
    """
    y = _t14 + _t15;
    """,
)


def _cupy_forward_train_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    variance, rstd = _batch_normalization_train_fwd_2(_t5, count, eps)
    unbiased = _bessel_correction(count)
    _t8 = 1 - momentum
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t10 = momentum * unbiased
    _t9 = _batch_normalization_train_no_running_mean_fwd_4(_t8, running_var)
    _t11 = variance.reshape(weight.shape)
    new_running_var = _batch_normalization_train_no_running_mean_fwd_5(_t10, _t11, _t9)
    _t13 = weight.reshape(-1, 1)
    _t14 = _batch_normalization_train_no_running_mean_fwd_6(normalized, _t13)
    _t15 = bias.reshape(-1, 1)
    y = _batch_normalization_train_no_running_mean_fwd_7(_t14, _t15)
    return y, None, new_running_var, (weight, count, rstd, normalized)


# batch_normalization_train_no_running_mean_bwd_0: layers_spec/layers/batch_normalization.yaml:63
_batch_normalization_train_no_running_mean_bwd_0 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_bwd_0",
    "T grad_y, T normalized",
    "T _t16",
    """
    _t16 = grad_y * normalized;
    """,
)


# batch_normalization_train_no_running_mean_bwd_1: layers_spec/layers/batch_normalization.yaml:66
_batch_normalization_train_no_running_mean_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_bwd_1",
    "T _t17, T rstd",
    "T scale",
    """
    scale = _t17 * rstd;
    """,
)


# batch_normalization_train_no_running_mean_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_mean_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_bwd_2",
    "T scale, T grad_y",
    "T _t18",
    """
    _t18 = scale * grad_y;
    """,
)


# batch_normalization_train_no_running_mean_bwd_3: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_mean_bwd_3 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_bwd_3",
    "T scale, T scale_sums, int64 count",
    "T _t20",
    """
    T _t19 = scale * scale_sums;
    _t20 = _t19 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_running_mean_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_mean_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_bwd_4",
    "T normalized, T _t20, T _t18",
    "T _t22",
    """
    T _t21 = normalized * _t20;
    _t22 = _t18 - _t21;
    """,
)


# batch_normalization_train_no_running_mean_bwd_5: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_mean_bwd_5 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_bwd_5",
    "T scale, T shift_sums, int64 count",
    "T _t24",
    """
    T _t23 = scale * shift_sums;
    _t24 = _t23 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_running_mean_bwd_6: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_mean_bwd_6 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_bwd_6",
    "T _t22, T _t24",
    "T grad_x",
    """
    grad_x = _t22 - _t24;
    """,
)


def _cupy_backward_train_no_running_mean(grad_y, weight, count, rstd, normalized):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t16 = _batch_normalization_train_no_running_mean_bwd_0(grad_y, normalized)
    scale_sums = _cupy_sum(_t16, (0, 2))
    grad_bias = shift_sums.reshape(weight.shape)
    grad_weight = scale_sums.reshape(weight.shape)
    _t17 = weight.reshape(-1, 1)
    scale = _batch_normalization_train_no_running_mean_bwd_1(_t17, rstd)
    _t18 = _batch_normalization_train_no_running_mean_bwd_2(scale, grad_y)
    _t20 = _batch_normalization_train_no_running_mean_bwd_3(scale, scale_sums, count)
    _t22 = _batch_normalization_train_no_running_mean_bwd_4(normalized, _t20, _t18)
    _t24 = _batch_normalization_train_no_running_mean_bwd_5(scale, shift_sums, count)
    grad_x = _batch_normalization_train_no_running_mean_bwd_6(_t22, _t24)
    return grad_x, grad_weight, grad_bias


# batch_normalization_train_no_running_mean_no_running_var_fwd_4: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_no_running_mean_no_running_var_fwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_no_running_var_fwd_4",
    "T normalized, T _t8",
    "T _t9",
    """
    _t9 = normalized * _t8;
    """,
)


# batch_normalization_train_no_running_mean_no_running_var_fwd_5: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_no_running_mean_no_running_var_fwd_5 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_no_running_var_fwd_5",
    "T _t9, T _t10",
    "T y",
    """
    y = _t9 + _t10;
    """,
)


def _cupy_forward_train_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    rstd = _batch_normalization_train_no_running_var_fwd_2(_t5, count, eps)
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t8 = weight.reshape(-1, 1)
    _t9 = _batch_normalization_train_no_running_mean_no_running_var_fwd_4(
        normalized, _t8
    )
    _t10 = bias.reshape(-1, 1)
    y = _batch_normalization_train_no_running_mean_no_running_var_fwd_5(_t9, _t10)
    return y, None, None, (weight, count, rstd, normalized)


# batch_normalization_train_no_running_mean_no_running_var_bwd_0: layers_spec/layers/batch_normalization.yaml:63
_batch_normalization_train_no_running_mean_no_running_var_bwd_0 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_no_running_var_bwd_0",
    "T grad_y, T normalized",
    "T _t11",
    """
    _t11 = grad_y * normalized;
    """,
)


# batch_normalization_train_no_running_mean_no_running_var_bwd_1: layers_spec/layers/batch_normalization.yaml:66
_batch_normalization_train_no_running_mean_no_running_var_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_no_running_var_bwd_1",
    "T _t12, T rstd",
    "T scale",
    """
    scale = _t12 * rstd;
    """,
)


# batch_normalization_train_no_running_mean_no_running_var_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_mean_no_running_var_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_no_running_var_bwd_2",
    "T scale, T grad_y",
    "T _t13",
    """
    _t13 = scale * grad_y;
    """,
)


# batch_normalization_train_no_running_mean_no_running_var_bwd_3: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_mean_no_running_var_bwd_3 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_no_running_var_bwd_3",
    "T scale, T scale_sums, int64 count",
    "T _t15",
    """
    T _t14 = scale * scale_sums;
    _t15 = _t14 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_running_mean_no_running_var_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_mean_no_running_var_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_no_running_var_bwd_4",
    "T normalized, T _t15, T _t13",
    "T _t17",
    """
    T _t16 = normalized * _t15;
    _t17 = _t13 - _t16;
    """,
)


# batch_normalization_train_no_running_mean_no_running_var_bwd_5: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_mean_no_running_var_bwd_5 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_no_running_var_bwd_5",
    "T scale, T shift_sums, int64 count",
    "T _t19",
    """
    T _t18 = scale * shift_sums;
    _t19 = _t18 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_running_mean_no_running_var_bwd_6: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_running_mean_no_running_var_bwd_6 = ElementwiseKernel(
    "batch_normalization_train_no_running_mean_no_running_var_bwd_6",
    "T _t17, T _t19",
    "T grad_x",
    """
    grad_x = _t17 - _t19;
    """,
)


def _cupy_backward_train_no_running_mean_no_running_var(
    grad_y, weight, count, rstd, normalized
):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t11 = _batch_normalization_train_no_running_mean_no_running_var_bwd_0(
        grad_y, normalized
    )
    scale_sums = _cupy_sum(_t11, (0, 2))
    grad_bias = shift_sums.reshape(weight.shape)
    grad_weight = scale_sums.reshape(weight.shape)
    _t12 = weight.reshape(-1, 1)
    scale = _batch_normalization_train_no_running_mean_no_running_var_bwd_1(_t12, rstd)
    _t13 = _batch_normalization_train_no_running_mean_no_running_var_bwd_2(
        scale, grad_y
    )
    _t15 = _batch_normalization_train_no_running_mean_no_running_var_bwd_3(
        scale, scale_sums, count
    )
    _t17 = _batch_normalization_train_no_running_mean_no_running_var_bwd_4(
        normalized, _t15, _t13
    )
    _t19 = _batch_normalization_train_no_running_mean_no_running_var_bwd_5(
        scale, shift_sums, count
    )
    grad_x = _batch_normalization_train_no_running_mean_no_running_var_bwd_6(_t17, _t19)
    return grad_x, grad_weight, grad_bias


# batch_normalization_train_no_bias_fwd_7: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_no_bias_fwd_7 = ElementwiseKernel(
    "batch_normalization_train_no_bias_fwd_7",
    "T normalized, T _t17",
    "T y",
    """
    y = normalized * _t17;
    """,
)


def _cupy_forward_train_no_bias(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    variance, rstd = _batch_normalization_train_fwd_2(_t5, count, eps)
    _t8 = 1 - momentum
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t9 = _batch_normalization_train_fwd_4(_t8, running_mean)
    _t10 = mu.reshape(weight.shape)
    unbiased = _bessel_correction(count)
    _t12 = 1 - momentum
    _t14 = momentum * unbiased
    new_running_mean, _t13 = _batch_normalization_train_fwd_5(
        momentum, _t10, _t9, _t12, running_var
    )
    _t15 = variance.reshape(weight.shape)
    new_running_var = _batch_normalization_train_fwd_6(_t14, _t15, _t13)
    _t17 = weight.reshape(-1, 1)
    y = _batch_normalization_train_no_bias_fwd_7(normalized, _t17)
    return y, new_running_mean, new_running_var, (weight, count, rstd, normalized)


# batch_normalization_train_no_bias_bwd_0: layers_spec/layers/batch_normalization.yaml:63
_batch_normalization_train_no_bias_bwd_0 = ElementwiseKernel(
    "batch_normalization_train_no_bias_bwd_0",
    "T grad_y, T normalized",
    "T _t18",
    """
    _t18 = grad_y * normalized;
    """,
)


# batch_normalization_train_no_bias_bwd_1: layers_spec/layers/batch_normalization.yaml:66
_batch_normalization_train_no_bias_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_no_bias_bwd_1",
    "T _t19, T rstd",
    "T scale",
    """
    scale = _t19 * rstd;
    """,
)


# batch_normalization_train_no_bias_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_bias_bwd_2",
    "T scale, T grad_y",
    "T _t20",
    """
    _t20 = scale * grad_y;
    """,
)


# batch_normalization_train_no_bias_bwd_3: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_bwd_3 = ElementwiseKernel(
    "batch_normalization_train_no_bias_bwd_3",
    "T scale, T scale_sums, int64 count",
    "T _t22",
    """
    T _t21 = scale * scale_sums;
    _t22 = _t21 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_bias_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_bias_bwd_4",
    "T normalized, T _t22, T _t20",
    "T _t24",
    """
    T _t23 = normalized * _t22;
    _t24 = _t20 - _t23;
    """,
)


# batch_normalization_train_no_bias_bwd_5: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_bwd_5 = ElementwiseKernel(
    "batch_normalization_train_no_bias_bwd_5",
    "T scale, T shift_sums, int64 count",
    "T _t26",
    """
    T _t25 = scale * shift_sums;
    _t26 = _t25 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_bias_bwd_6: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_bwd_6 = ElementwiseKernel(
    "batch_normalization_train_no_bias_bwd_6",
    "T _t24, T _t26",
    "T grad_x",
    """
    grad_x = _t24 - _t26;
    """,
)


def _cupy_backward_train_no_bias(grad_y, weight, count, rstd, normalized):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t18 = _batch_normalization_train_no_bias_bwd_0(grad_y, normalized)
    scale_sums = _cupy_sum(_t18, (0, 2))
    grad_weight = scale_sums.reshape(weight.shape)
    _t19 = weight.reshape(-1, 1)
    scale = _batch_normalization_train_no_bias_bwd_1(_t19, rstd)
    _t20 = _batch_normalization_train_no_bias_bwd_2(scale, grad_y)
    _t22 = _batch_normalization_train_no_bias_bwd_3(scale, scale_sums, count)
    _t24 = _batch_normalization_train_no_bias_bwd_4(normalized, _t22, _t20)
    _t26 = _batch_normalization_train_no_bias_bwd_5(scale, shift_sums, count)
    grad_x = _batch_normalization_train_no_bias_bwd_6(_t24, _t26)
    return grad_x, grad_weight, None


# batch_normalization_train_no_bias_no_running_var_fwd_6: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_no_bias_no_running_var_fwd_6 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_var_fwd_6",
    "T normalized, T _t12",
    "T y",
    """
    y = normalized * _t12;
    """,
)


def _cupy_forward_train_no_bias_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    rstd = _batch_normalization_train_no_running_var_fwd_2(_t5, count, eps)
    _t8 = 1 - momentum
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t9 = _batch_normalization_train_fwd_4(_t8, running_mean)
    _t10 = mu.reshape(weight.shape)
    new_running_mean = _batch_normalization_train_no_running_var_fwd_5(
        momentum, _t10, _t9
    )
    _t12 = weight.reshape(-1, 1)
    y = _batch_normalization_train_no_bias_no_running_var_fwd_6(normalized, _t12)
    return y, new_running_mean, None, (weight, count, rstd, normalized)


# batch_normalization_train_no_bias_no_running_var_bwd_0: layers_spec/layers/batch_normalization.yaml:63
_batch_normalization_train_no_bias_no_running_var_bwd_0 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_var_bwd_0",
    "T grad_y, T normalized",
    "T _t13",
    """
    _t13 = grad_y * normalized;
    """,
)


# batch_normalization_train_no_bias_no_running_var_bwd_1: layers_spec/layers/batch_normalization.yaml:66
_batch_normalization_train_no_bias_no_running_var_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_var_bwd_1",
    "T _t14, T rstd",
    "T scale",
    """
    scale = _t14 * rstd;
    """,
)


# batch_normalization_train_no_bias_no_running_var_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_var_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_var_bwd_2",
    "T scale, T grad_y",
    "T _t15",
    """
    _t15 = scale * grad_y;
    """,
)


# batch_normalization_train_no_bias_no_running_var_bwd_3: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_var_bwd_3 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_var_bwd_3",
    "T scale, T scale_sums, int64 count",
    "T _t17",
    """
    T _t16 = scale * scale_sums;
    _t17 = _t16 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_bias_no_running_var_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_var_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_var_bwd_4",
    "T normalized, T _t17, T _t15",
    "T _t19",
    """
    T _t18 = normalized * _t17;
    _t19 = _t15 - _t18;
    """,
)


# batch_normalization_train_no_bias_no_running_var_bwd_5: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_var_bwd_5 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_var_bwd_5",
    "T scale, T shift_sums, int64 count",
    "T _t21",
    """
    T _t20 = scale * shift_sums;
    _t21 = _t20 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_bias_no_running_var_bwd_6: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_var_bwd_6 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_var_bwd_6",
    "T _t19, T _t21",
    "T grad_x",
    """
    grad_x = _t19 - _t21;
    """,
)


def _cupy_backward_train_no_bias_no_running_var(
    grad_y, weight, count, rstd, normalized
):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t13 = _batch_normalization_train_no_bias_no_running_var_bwd_0(grad_y, normalized)
    scale_sums = _cupy_sum(_t13, (0, 2))
    grad_weight = scale_sums.reshape(weight.shape)
    _t14 = weight.reshape(-1, 1)
    scale = _batch_normalization_train_no_bias_no_running_var_bwd_1(_t14, rstd)
    _t15 = _batch_normalization_train_no_bias_no_running_var_bwd_2(scale, grad_y)
    _t17 = _batch_normalization_train_no_bias_no_running_var_bwd_3(
        scale, scale_sums, count
    )
    _t19 = _batch_normalization_train_no_bias_no_running_var_bwd_4(
        normalized, _t17, _t15
    )
    _t21 = _batch_normalization_train_no_bias_no_running_var_bwd_5(
        scale, shift_sums, count
    )
    grad_x = _batch_normalization_train_no_bias_no_running_var_bwd_6(_t19, _t21)
    return grad_x, grad_weight, None


# batch_normalization_train_no_bias_no_running_mean_fwd_6: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_no_bias_no_running_mean_fwd_6 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_fwd_6",
    "T normalized, T _t13",
    "T y",
    """
    y = normalized * _t13;
    """,
)


def _cupy_forward_train_no_bias_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    variance, rstd = _batch_normalization_train_fwd_2(_t5, count, eps)
    unbiased = _bessel_correction(count)
    _t8 = 1 - momentum
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t10 = momentum * unbiased
    _t9 = _batch_normalization_train_no_running_mean_fwd_4(_t8, running_var)
    _t11 = variance.reshape(weight.shape)
    new_running_var = _batch_normalization_train_no_running_mean_fwd_5(_t10, _t11, _t9)
    _t13 = weight.reshape(-1, 1)
    y = _batch_normalization_train_no_bias_no_running_mean_fwd_6(normalized, _t13)
    return y, None, new_running_var, (weight, count, rstd, normalized)


# batch_normalization_train_no_bias_no_running_mean_bwd_0: layers_spec/layers/batch_normalization.yaml:63
_batch_normalization_train_no_bias_no_running_mean_bwd_0 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_bwd_0",
    "T grad_y, T normalized",
    "T _t14",
    """
    _t14 = grad_y * normalized;
    """,
)


# batch_normalization_train_no_bias_no_running_mean_bwd_1: layers_spec/layers/batch_normalization.yaml:66
_batch_normalization_train_no_bias_no_running_mean_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_bwd_1",
    "T _t15, T rstd",
    "T scale",
    """
    scale = _t15 * rstd;
    """,
)


# batch_normalization_train_no_bias_no_running_mean_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_mean_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_bwd_2",
    "T scale, T grad_y",
    "T _t16",
    """
    _t16 = scale * grad_y;
    """,
)


# batch_normalization_train_no_bias_no_running_mean_bwd_3: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_mean_bwd_3 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_bwd_3",
    "T scale, T scale_sums, int64 count",
    "T _t18",
    """
    T _t17 = scale * scale_sums;
    _t18 = _t17 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_bias_no_running_mean_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_mean_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_bwd_4",
    "T normalized, T _t18, T _t16",
    "T _t20",
    """
    T _t19 = normalized * _t18;
    _t20 = _t16 - _t19;
    """,
)


# batch_normalization_train_no_bias_no_running_mean_bwd_5: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_mean_bwd_5 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_bwd_5",
    "T scale, T shift_sums, int64 count",
    "T _t22",
    """
    T _t21 = scale * shift_sums;
    _t22 = _t21 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_bias_no_running_mean_bwd_6: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_mean_bwd_6 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_bwd_6",
    "T _t20, T _t22",
    "T grad_x",
    """
    grad_x = _t20 - _t22;
    """,
)


def _cupy_backward_train_no_bias_no_running_mean(
    grad_y, weight, count, rstd, normalized
):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t14 = _batch_normalization_train_no_bias_no_running_mean_bwd_0(grad_y, normalized)
    scale_sums = _cupy_sum(_t14, (0, 2))
    grad_weight = scale_sums.reshape(weight.shape)
    _t15 = weight.reshape(-1, 1)
    scale = _batch_normalization_train_no_bias_no_running_mean_bwd_1(_t15, rstd)
    _t16 = _batch_normalization_train_no_bias_no_running_mean_bwd_2(scale, grad_y)
    _t18 = _batch_normalization_train_no_bias_no_running_mean_bwd_3(
        scale, scale_sums, count
    )
    _t20 = _batch_normalization_train_no_bias_no_running_mean_bwd_4(
        normalized, _t18, _t16
    )
    _t22 = _batch_normalization_train_no_bias_no_running_mean_bwd_5(
        scale, shift_sums, count
    )
    grad_x = _batch_normalization_train_no_bias_no_running_mean_bwd_6(_t20, _t22)
    return grad_x, grad_weight, None


# batch_normalization_train_no_bias_no_running_mean_no_running_var_fwd_4: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_no_bias_no_running_mean_no_running_var_fwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_no_running_var_fwd_4",
    "T normalized, T _t8",
    "T y",
    """
    y = normalized * _t8;
    """,
)


def _cupy_forward_train_no_bias_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    rstd = _batch_normalization_train_no_running_var_fwd_2(_t5, count, eps)
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t8 = weight.reshape(-1, 1)
    y = _batch_normalization_train_no_bias_no_running_mean_no_running_var_fwd_4(
        normalized, _t8
    )
    return y, None, None, (weight, count, rstd, normalized)


# batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_0: layers_spec/layers/batch_normalization.yaml:63
_batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_0 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_0",
    "T grad_y, T normalized",
    "T _t9",
    """
    _t9 = grad_y * normalized;
    """,
)


# batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_1: layers_spec/layers/batch_normalization.yaml:66
_batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_1",
    "T _t10, T rstd",
    "T scale",
    """
    scale = _t10 * rstd;
    """,
)


# batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_2",
    "T scale, T grad_y",
    "T _t11",
    """
    _t11 = scale * grad_y;
    """,
)


# batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_3: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_3 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_3",
    "T scale, T scale_sums, int64 count",
    "T _t13",
    """
    T _t12 = scale * scale_sums;
    _t13 = _t12 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_4",
    "T normalized, T _t13, T _t11",
    "T _t15",
    """
    T _t14 = normalized * _t13;
    _t15 = _t11 - _t14;
    """,
)


# batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_5: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_5 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_5",
    "T scale, T shift_sums, int64 count",
    "T _t17",
    """
    T _t16 = scale * shift_sums;
    _t17 = _t16 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_6: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_6 = ElementwiseKernel(
    "batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_6",
    "T _t15, T _t17",
    "T grad_x",
    """
    grad_x = _t15 - _t17;
    """,
)


def _cupy_backward_train_no_bias_no_running_mean_no_running_var(
    grad_y, weight, count, rstd, normalized
):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t9 = _batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_0(
        grad_y, normalized
    )
    scale_sums = _cupy_sum(_t9, (0, 2))
    grad_weight = scale_sums.reshape(weight.shape)
    _t10 = weight.reshape(-1, 1)
    scale = _batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_1(
        _t10, rstd
    )
    _t11 = _batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_2(
        scale, grad_y
    )
    _t13 = _batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_3(
        scale, scale_sums, count
    )
    _t15 = _batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_4(
        normalized, _t13, _t11
    )
    _t17 = _batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_5(
        scale, shift_sums, count
    )
    grad_x = _batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_6(
        _t15, _t17
    )
    return grad_x, grad_weight, None


# batch_normalization_train_no_weight_fwd_7: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_no_weight_fwd_7 = ElementwiseKernel(
    "batch_normalization_train_no_weight_fwd_7",
    "T normalized, T _t17",
    "T y",
    """
    y = normalized + _t17;
    """,
)


def _cupy_forward_train_no_weight(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    variance, rstd = _batch_normalization_train_fwd_2(_t5, count, eps)
    _t8 = 1 - momentum
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t9 = _batch_normalization_train_fwd_4(_t8, running_mean)
    _t10 = mu.reshape(bias.shape)
    unbiased = _bessel_correction(count)
    _t12 = 1 - momentum
    _t14 = momentum * unbiased
    new_running_mean, _t13 = _batch_normalization_train_fwd_5(
        momentum, _t10, _t9, _t12, running_var
    )
    _t15 = variance.reshape(bias.shape)
    new_running_var = _batch_normalization_train_fwd_6(_t14, _t15, _t13)
    _t17 = bias.reshape(-1, 1)
    y = _batch_normalization_train_no_weight_fwd_7(normalized, _t17)
    return y, new_running_mean, new_running_var, (bias, count, rstd, normalized)


# batch_normalization_train_no_weight_bwd_1: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_no_weight_bwd_1",
    "T rstd, T grad_y",
    "T _t19",
    """
    _t19 = rstd * grad_y;
    """,
)


# batch_normalization_train_no_weight_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_weight_bwd_2",
    "T rstd, T scale_sums, int64 count",
    "T _t21",
    """
    T _t20 = rstd * scale_sums;
    _t21 = _t20 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_weight_bwd_3: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_bwd_3 = ElementwiseKernel(
    "batch_normalization_train_no_weight_bwd_3",
    "T normalized, T _t21, T _t19",
    "T _t23",
    """
    T _t22 = normalized * _t21;
    _t23 = _t19 - _t22;
    """,
)


# batch_normalization_train_no_weight_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_weight_bwd_4",
    "T rstd, T shift_sums, int64 count",
    "T _t25",
    """
    T _t24 = rstd * shift_sums;
    _t25 = _t24 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_weight_bwd_5: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_bwd_5 = ElementwiseKernel(
    "batch_normalization_train_no_weight_bwd_5",
    "T _t23, T _t25",
    "T grad_x",
    """
    grad_x = _t23 - _t25;
    """,
)


def _cupy_backward_train_no_weight(grad_y, bias, count, rstd, normalized):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t18 = _batch_normalization_train_no_bias_bwd_0(grad_y, normalized)
    scale_sums = _cupy_sum(_t18, (0, 2))
    grad_bias = shift_sums.reshape(bias.shape)
    _t19 = _batch_normalization_train_no_weight_bwd_1(rstd, grad_y)
    _t21 = _batch_normalization_train_no_weight_bwd_2(rstd, scale_sums, count)
    _t23 = _batch_normalization_train_no_weight_bwd_3(normalized, _t21, _t19)
    _t25 = _batch_normalization_train_no_weight_bwd_4(rstd, shift_sums, count)
    grad_x = _batch_normalization_train_no_weight_bwd_5(_t23, _t25)
    return grad_x, None, grad_bias


# batch_normalization_train_no_weight_no_running_var_fwd_6: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_no_weight_no_running_var_fwd_6 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_var_fwd_6",
    "T normalized, T _t12",
    "T y",
    """
    y = normalized + _t12;
    """,
)


def _cupy_forward_train_no_weight_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    rstd = _batch_normalization_train_no_running_var_fwd_2(_t5, count, eps)
    _t8 = 1 - momentum
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t9 = _batch_normalization_train_fwd_4(_t8, running_mean)
    _t10 = mu.reshape(bias.shape)
    new_running_mean = _batch_normalization_train_no_running_var_fwd_5(
        momentum, _t10, _t9
    )
    _t12 = bias.reshape(-1, 1)
    y = _batch_normalization_train_no_weight_no_running_var_fwd_6(normalized, _t12)
    return y, new_running_mean, None, (bias, count, rstd, normalized)


# batch_normalization_train_no_weight_no_running_var_bwd_1: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_running_var_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_var_bwd_1",
    "T rstd, T grad_y",
    "T _t14",
    """
    _t14 = rstd * grad_y;
    """,
)


# batch_normalization_train_no_weight_no_running_var_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_running_var_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_var_bwd_2",
    "T rstd, T scale_sums, int64 count",
    "T _t16",
    """
    T _t15 = rstd * scale_sums;
    _t16 = _t15 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_weight_no_running_var_bwd_3: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_running_var_bwd_3 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_var_bwd_3",
    "T normalized, T _t16, T _t14",
    "T _t18",
    """
    T _t17 = normalized * _t16;
    _t18 = _t14 - _t17;
    """,
)


# batch_normalization_train_no_weight_no_running_var_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_running_var_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_var_bwd_4",
    "T rstd, T shift_sums, int64 count",
    "T _t20",
    """
    T _t19 = rstd * shift_sums;
    _t20 = _t19 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_weight_no_running_var_bwd_5: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_running_var_bwd_5 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_var_bwd_5",
    "T _t18, T _t20",
    "T grad_x",
    """
    grad_x = _t18 - _t20;
    """,
)


def _cupy_backward_train_no_weight_no_running_var(
    grad_y, bias, count, rstd, normalized
):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t13 = _batch_normalization_train_no_bias_no_running_var_bwd_0(grad_y, normalized)
    scale_sums = _cupy_sum(_t13, (0, 2))
    grad_bias = shift_sums.reshape(bias.shape)
    _t14 = _batch_normalization_train_no_weight_no_running_var_bwd_1(rstd, grad_y)
    _t16 = _batch_normalization_train_no_weight_no_running_var_bwd_2(
        rstd, scale_sums, count
    )
    _t18 = _batch_normalization_train_no_weight_no_running_var_bwd_3(
        normalized, _t16, _t14
    )
    _t20 = _batch_normalization_train_no_weight_no_running_var_bwd_4(
        rstd, shift_sums, count
    )
    grad_x = _batch_normalization_train_no_weight_no_running_var_bwd_5(_t18, _t20)
    return grad_x, None, grad_bias


# batch_normalization_train_no_weight_no_running_mean_fwd_6: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_no_weight_no_running_mean_fwd_6 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_mean_fwd_6",
    "T normalized, T _t13",
    "T y",
    """
    y = normalized + _t13;
    """,
)


def _cupy_forward_train_no_weight_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    variance, rstd = _batch_normalization_train_fwd_2(_t5, count, eps)
    unbiased = _bessel_correction(count)
    _t8 = 1 - momentum
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t10 = momentum * unbiased
    _t9 = _batch_normalization_train_no_running_mean_fwd_4(_t8, running_var)
    _t11 = variance.reshape(bias.shape)
    new_running_var = _batch_normalization_train_no_running_mean_fwd_5(_t10, _t11, _t9)
    _t13 = bias.reshape(-1, 1)
    y = _batch_normalization_train_no_weight_no_running_mean_fwd_6(normalized, _t13)
    return y, None, new_running_var, (bias, count, rstd, normalized)


# batch_normalization_train_no_weight_no_running_mean_bwd_1: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_running_mean_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_mean_bwd_1",
    "T rstd, T grad_y",
    "T _t15",
    """
    _t15 = rstd * grad_y;
    """,
)


# batch_normalization_train_no_weight_no_running_mean_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_running_mean_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_mean_bwd_2",
    "T rstd, T scale_sums, int64 count",
    "T _t17",
    """
    T _t16 = rstd * scale_sums;
    _t17 = _t16 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_weight_no_running_mean_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_running_mean_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_mean_bwd_4",
    "T rstd, T shift_sums, int64 count",
    "T _t21",
    """
    T _t20 = rstd * shift_sums;
    _t21 = _t20 / count;
    """,
    scalars=("count",),
)


def _cupy_backward_train_no_weight_no_running_mean(
    grad_y, bias, count, rstd, normalized
):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t14 = _batch_normalization_train_no_bias_no_running_mean_bwd_0(grad_y, normalized)
    scale_sums = _cupy_sum(_t14, (0, 2))
    grad_bias = shift_sums.reshape(bias.shape)
    _t15 = _batch_normalization_train_no_weight_no_running_mean_bwd_1(rstd, grad_y)
    _t17 = _batch_normalization_train_no_weight_no_running_mean_bwd_2(
        rstd, scale_sums, count
    )
    _t19 = _batch_normalization_train_no_bias_no_running_var_bwd_4(
        normalized, _t17, _t15
    )
    _t21 = _batch_normalization_train_no_weight_no_running_mean_bwd_4(
        rstd, shift_sums, count
    )
    grad_x = _batch_normalization_train_no_bias_no_running_var_bwd_6(_t19, _t21)
    return grad_x, None, grad_bias


# batch_normalization_train_no_weight_no_running_mean_no_running_var_fwd_4: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_train_no_weight_no_running_mean_no_running_var_fwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_mean_no_running_var_fwd_4",
    "T normalized, T _t8",
    "T y",
    """
    y = normalized + _t8;
    """,
)


def _cupy_forward_train_no_weight_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    rstd = _batch_normalization_train_no_running_var_fwd_2(_t5, count, eps)
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t8 = bias.reshape(-1, 1)
    y = _batch_normalization_train_no_weight_no_running_mean_no_running_var_fwd_4(
        normalized, _t8
    )
    return y, None, None, (bias, count, rstd, normalized)


# batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_1: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_1",
    "T rstd, T grad_y",
    "T _t10",
    """
    _t10 = rstd * grad_y;
    """,
)


# batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_2",
    "T rstd, T scale_sums, int64 count",
    "T _t12",
    """
    T _t11 = rstd * scale_sums;
    _t12 = _t11 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_3: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_3 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_3",
    "T normalized, T _t12, T _t10",
    "T _t14",
    """
    T _t13 = normalized * _t12;
    _t14 = _t10 - _t13;
    """,
)


# batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_4",
    "T rstd, T shift_sums, int64 count",
    "T _t16",
    """
    T _t15 = rstd * shift_sums;
    _t16 = _t15 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_5: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_5 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_5",
    "T _t14, T _t16",
    "T grad_x",
    """
    grad_x = _t14 - _t16;
    """,
)


def _cupy_backward_train_no_weight_no_running_mean_no_running_var(
    grad_y, bias, count, rstd, normalized
):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t9 = _batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_0(
        grad_y, normalized
    )
    scale_sums = _cupy_sum(_t9, (0, 2))
    grad_bias = shift_sums.reshape(bias.shape)
    _t10 = _batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_1(
        rstd, grad_y
    )
    _t12 = _batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_2(
        rstd, scale_sums, count
    )
    _t14 = _batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_3(
        normalized, _t12, _t10
    )
    _t16 = _batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_4(
        rstd, shift_sums, count
    )
    grad_x = _batch_normalization_train_no_weight_no_running_mean_no_running_var_bwd_5(
        _t14, _t16
    )
    return grad_x, None, grad_bias


def _cupy_forward_train_no_weight_no_bias(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    variance, rstd = _batch_normalization_train_fwd_2(_t5, count, eps)
    _t8 = 1 - momentum
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t9 = _batch_normalization_train_fwd_4(_t8, running_mean)
    _t10 = mu.reshape(running_mean.shape)
    unbiased = _bessel_correction(count)
    _t12 = 1 - momentum
    _t14 = momentum * unbiased
    new_running_mean, _t13 = _batch_normalization_train_fwd_5(
        momentum, _t10, _t9, _t12, running_var
    )
    _t15 = variance.reshape(running_mean.shape)
    new_running_var = _batch_normalization_train_fwd_6(_t14, _t15, _t13)
    return (
        normalized,
        new_running_mean,
        new_running_var,
        (weight, count, rstd, normalized),
    )


# batch_normalization_train_no_weight_no_bias_bwd_0: layers_spec/layers/batch_normalization.yaml:63
_batch_normalization_train_no_weight_no_bias_bwd_0 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_bias_bwd_0",
    "T grad_y, T normalized",
    "T _t17",
    """
    _t17 = grad_y * normalized;
    """,
)


# batch_normalization_train_no_weight_no_bias_bwd_1: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_bias_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_bias_bwd_1",
    "T rstd, T grad_y",
    "T _t18",
    """
    _t18 = rstd * grad_y;
    """,
)


# batch_normalization_train_no_weight_no_bias_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_bias_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_bias_bwd_2",
    "T rstd, T scale_sums, int64 count",
    "T _t20",
    """
    T _t19 = rstd * scale_sums;
    _t20 = _t19 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_weight_no_bias_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_bias_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_bias_bwd_4",
    "T rstd, T shift_sums, int64 count",
    "T _t24",
    """
    T _t23 = rstd * shift_sums;
    _t24 = _t23 / count;
    """,
    scalars=("count",),
)


def _cupy_backward_train_no_weight_no_bias(grad_y, weight, count, rstd, normalized):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t17 = _batch_normalization_train_no_weight_no_bias_bwd_0(grad_y, normalized)
    scale_sums = _cupy_sum(_t17, (0, 2))
    _t18 = _batch_normalization_train_no_weight_no_bias_bwd_1(rstd, grad_y)
    _t20 = _batch_normalization_train_no_weight_no_bias_bwd_2(rstd, scale_sums, count)
    _t22 = _batch_normalization_train_no_running_mean_bwd_4(normalized, _t20, _t18)
    _t24 = _batch_normalization_train_no_weight_no_bias_bwd_4(rstd, shift_sums, count)
    grad_x = _batch_normalization_train_no_running_mean_bwd_6(_t22, _t24)
    return grad_x, None, None


def _cupy_forward_train_no_weight_no_bias_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    rstd = _batch_normalization_train_no_running_var_fwd_2(_t5, count, eps)
    _t8 = 1 - momentum
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t9 = _batch_normalization_train_fwd_4(_t8, running_mean)
    _t10 = mu.reshape(running_mean.shape)
    new_running_mean = _batch_normalization_train_no_running_var_fwd_5(
        momentum, _t10, _t9
    )
    return normalized, new_running_mean, None, (weight, count, rstd, normalized)


# batch_normalization_train_no_weight_no_bias_no_running_var_bwd_0: layers_spec/layers/batch_normalization.yaml:63
_batch_normalization_train_no_weight_no_bias_no_running_var_bwd_0 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_bias_no_running_var_bwd_0",
    "T grad_y, T normalized",
    "T _t12",
    """
    _t12 = grad_y * normalized;
    """,
)


# batch_normalization_train_no_weight_no_bias_no_running_var_bwd_1: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_bias_no_running_var_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_bias_no_running_var_bwd_1",
    "T rstd, T grad_y",
    "T _t13",
    """
    _t13 = rstd * grad_y;
    """,
)


# batch_normalization_train_no_weight_no_bias_no_running_var_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_bias_no_running_var_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_bias_no_running_var_bwd_2",
    "T rstd, T scale_sums, int64 count",
    "T _t15",
    """
    T _t14 = rstd * scale_sums;
    _t15 = _t14 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_weight_no_bias_no_running_var_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_bias_no_running_var_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_bias_no_running_var_bwd_4",
    "T rstd, T shift_sums, int64 count",
    "T _t19",
    """
    T _t18 = rstd * shift_sums;
    _t19 = _t18 / count;
    """,
    scalars=("count",),
)


def _cupy_backward_train_no_weight_no_bias_no_running_var(
    grad_y, weight, count, rstd, normalized
):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t12 = _batch_normalization_train_no_weight_no_bias_no_running_var_bwd_0(
        grad_y, normalized
    )
    scale_sums = _cupy_sum(_t12, (0, 2))
    _t13 = _batch_normalization_train_no_weight_no_bias_no_running_var_bwd_1(
        rstd, grad_y
    )
    _t15 = _batch_normalization_train_no_weight_no_bias_no_running_var_bwd_2(
        rstd, scale_sums, count
    )
    _t17 = _batch_normalization_train_no_running_mean_no_running_var_bwd_4(
        normalized, _t15, _t13
    )
    _t19 = _batch_normalization_train_no_weight_no_bias_no_running_var_bwd_4(
        rstd, shift_sums, count
    )
    grad_x = _batch_normalization_train_no_running_mean_no_running_var_bwd_6(_t17, _t19)
    return grad_x, None, None


def _cupy_forward_train_no_weight_no_bias_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    variance, rstd = _batch_normalization_train_fwd_2(_t5, count, eps)
    unbiased = _bessel_correction(count)
    _t8 = 1 - momentum
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t10 = momentum * unbiased
    _t9 = _batch_normalization_train_no_running_mean_fwd_4(_t8, running_var)
    _t11 = variance.reshape(running_var.shape)
    new_running_var = _batch_normalization_train_no_running_mean_fwd_5(_t10, _t11, _t9)
    return normalized, None, new_running_var, (weight, count, rstd, normalized)


def _cupy_backward_train_no_weight_no_bias_no_running_mean(
    grad_y, weight, count, rstd, normalized
):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t13 = _batch_normalization_train_no_bias_no_running_var_bwd_0(grad_y, normalized)
    scale_sums = _cupy_sum(_t13, (0, 2))
    _t14 = _batch_normalization_train_no_weight_no_running_var_bwd_1(rstd, grad_y)
    _t16 = _batch_normalization_train_no_weight_no_running_var_bwd_2(
        rstd, scale_sums, count
    )
    _t18 = _batch_normalization_train_no_weight_no_running_var_bwd_3(
        normalized, _t16, _t14
    )
    _t20 = _batch_normalization_train_no_weight_no_running_var_bwd_4(
        rstd, shift_sums, count
    )
    grad_x = _batch_normalization_train_no_weight_no_running_var_bwd_5(_t18, _t20)
    return grad_x, None, None


def _cupy_forward_train_no_weight_no_bias_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    rstd = _batch_normalization_train_no_running_var_fwd_2(_t5, count, eps)
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    return normalized, None, None, (weight, count, rstd, normalized)


# batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_0: layers_spec/layers/batch_normalization.yaml:63
_batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_0 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_0",
    "T grad_y, T normalized",
    "T _t8",
    """
    _t8 = grad_y * normalized;
    """,
)


# batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_1: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_1 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_1",
    "T rstd, T grad_y",
    "T _t9",
    """
    _t9 = rstd * grad_y;
    """,
)


# batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_2: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_2 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_2",
    "T rstd, T scale_sums, int64 count",
    "T _t11",
    """
    T _t10 = rstd * scale_sums;
    _t11 = _t10 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_3: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_3 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_3",
    "T normalized, T _t11, T _t9",
    "T _t13",
    """
    T _t12 = normalized * _t11;
    _t13 = _t9 - _t12;
    """,
)


# batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_4: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_4 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_4",
    "T rstd, T shift_sums, int64 count",
    "T _t15",
    """
    T _t14 = rstd * shift_sums;
    _t15 = _t14 / count;
    """,
    scalars=("count",),
)


# batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_5: layers_spec/layers/batch_normalization.yaml:68
_batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_5 = ElementwiseKernel(
    "batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_5",
    "T _t13, T _t15",
    "T grad_x",
    """
    grad_x = _t13 - _t15;
    """,
)


def _cupy_backward_train_no_weight_no_bias_no_running_mean_no_running_var(
    grad_y, weight, count, rstd, normalized
):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t8 = _batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_0(
        grad_y, normalized
    )
    scale_sums = _cupy_sum(_t8, (0, 2))
    _t9 = _batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_1(
        rstd, grad_y
    )
    _t11 = _batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_2(
        rstd, scale_sums, count
    )
    _t13 = _batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_3(
        normalized, _t11, _t9
    )
    _t15 = _batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_4(
        rstd, shift_sums, count
    )
    grad_x = _batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_5(
        _t13, _t15
    )
    return grad_x, None, None


# batch_normalization_eval_fwd_0: layers_spec/layers/batch_normalization.yaml:49
_batch_normalization_eval_fwd_0 = ElementwiseKernel(
    "batch_normalization_eval_fwd_0",
    "T _t1, T eps",
    "T rstd",
    """
    T _t2 = _t1 + eps;
    T _t3 = sqrt(_t2);
    rstd = T(1) / _t3;
    """,
    scalars=("eps",),
)


# batch_normalization_eval_fwd_1: layers_spec/layers/batch_normalization.yaml:50
_batch_normalization_eval_fwd_1 = ElementwiseKernel(
    "batch_normalization_eval_fwd_1",
    "T x, T _t4, T rstd",
    "T normalized",
    """
    T _t5 = x - _t4;
    normalized = _t5 * rstd;
    """,
)


# batch_normalization_eval_fwd_2: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_eval_fwd_2 = ElementwiseKernel(
    "batch_normalization_eval_fwd_2",
    "T normalized, T _t6",
    "T _t7",
    """
    _t7 = normalized * _t6;
    """,
)


# batch_normalization_eval_fwd_3: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_eval_fwd_3 = ElementwiseKernel(
    "batch_normalization_eval_fwd_3",
    "T _t7, T _t8",
    "T y",
    """
    y = _t7 + _t8;
    """,
)


def _cupy_forward_eval(x, weight, bias, running_mean, running_var, momentum, eps):
    _t1 = running_var.reshape(-1, 1)
    rstd = _batch_normalization_eval_fwd_0(_t1, eps)
    _t4 = running_mean.reshape(-1, 1)
    normalized = _batch_normalization_eval_fwd_1(x, _t4, rstd)
    _t6 = weight.reshape(-1, 1)
    _t7 = _batch_normalization_eval_fwd_2(normalized, _t6)
    _t8 = bias.reshape(-1, 1)
    y = _batch_normalization_eval_fwd_3(_t7, _t8)
    return y, running_mean, running_var, (weight, rstd, normalized)


# batch_normalization_eval_bwd_2: layers_spec/layers/batch_normalization.yaml:71
_batch_normalization_eval_bwd_2 = ElementwiseKernel(
    "batch_normalization_eval_bwd_2",
    "T grad_y, T scale",
    "T grad_x",
    """
    grad_x = grad_y * scale;
    """,
)


def _cupy_backward_eval(grad_y, weight, rstd, normalized):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t9 = _batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_0(
        grad_y, normalized
    )
    scale_sums = _cupy_sum(_t9, (0, 2))
    grad_bias = shift_sums.reshape(weight.shape)
    grad_weight = scale_sums.reshape(weight.shape)
    _t10 = weight.reshape(-1, 1)
    scale = _batch_normalization_train_no_bias_no_running_mean_no_running_var_bwd_1(
        _t10, rstd
    )
    grad_x = _batch_normalization_eval_bwd_2(grad_y, scale)
    return grad_x, grad_weight, grad_bias


def _cupy_forward_eval_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    rstd = _batch_normalization_train_no_running_var_fwd_2(_t5, count, eps)
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t8 = weight.reshape(-1, 1)
    _t9 = _batch_normalization_train_no_running_mean_no_running_var_fwd_4(
        normalized, _t8
    )
    _t10 = bias.reshape(-1, 1)
    y = _batch_normalization_train_no_running_mean_no_running_var_fwd_5(_t9, _t10)
    return y, running_mean, None, (weight, count, rstd, normalized)


# batch_normalization_eval_no_running_mean_fwd_1: layers_spec/layers/batch_normalization.yaml:50
_batch_normalization_eval_no_running_mean_fwd_1 = ElementwiseKernel(
    "batch_normalization_eval_no_running_mean_fwd_1",
    "T x, T rstd",
    "T normalized",
    """
    normalized = x * rstd;
    """,
)


# batch_normalization_eval_no_running_mean_fwd_2: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_eval_no_running_mean_fwd_2 = ElementwiseKernel(
    "batch_normalization_eval_no_running_mean_fwd_2",
    "T normalized, T _t4",
    "T _t5",
    """
    _t5 = normalized * _t4;
    """,
)


# batch_normalization_eval_no_running_mean_fwd_3: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_eval_no_running_mean_fwd_3 = ElementwiseKernel(
    "batch_normalization_eval_no_running_mean_fwd_3",
    "T _t5, T _t6",
    "T y",
    """
    y = _t5 + _t6;
    """,
)


def _cupy_forward_eval_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = running_var.reshape(-1, 1)
    rstd = _batch_normalization_eval_fwd_0(_t1, eps)
    normalized = _batch_normalization_eval_no_running_mean_fwd_1(x, rstd)
    _t4 = weight.reshape(-1, 1)
    _t5 = _batch_normalization_eval_no_running_mean_fwd_2(normalized, _t4)
    _t6 = bias.reshape(-1, 1)
    y = _batch_normalization_eval_no_running_mean_fwd_3(_t5, _t6)
    return y, None, running_var, (weight, rstd, normalized)


# batch_normalization_eval_no_running_mean_bwd_0: layers_spec/layers/batch_normalization.yaml:63
_batch_normalization_eval_no_running_mean_bwd_0 = ElementwiseKernel(
    "batch_normalization_eval_no_running_mean_bwd_0",
    "T grad_y, T normalized",
    "T _t7",
    """
    _t7 = grad_y * normalized;
    """,
)


# batch_normalization_eval_no_running_mean_bwd_1: layers_spec/layers/batch_normalization.yaml:66
_batch_normalization_eval_no_running_mean_bwd_1 = ElementwiseKernel(
    "batch_normalization_eval_no_running_mean_bwd_1",
    "T _t8, T rstd",
    "T scale",
    """
    scale = _t8 * rstd;
    """,
)


def _cupy_backward_eval_no_running_mean(grad_y, weight, rstd, normalized):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t7 = _batch_normalization_eval_no_running_mean_bwd_0(grad_y, normalized)
    scale_sums = _cupy_sum(_t7, (0, 2))
    grad_bias = shift_sums.reshape(weight.shape)
    grad_weight = scale_sums.reshape(weight.shape)
    _t8 = weight.reshape(-1, 1)
    scale = _batch_normalization_eval_no_running_mean_bwd_1(_t8, rstd)
    grad_x = _batch_normalization_eval_bwd_2(grad_y, scale)
    return grad_x, grad_weight, grad_bias


# batch_normalization_eval_no_bias_fwd_2: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_eval_no_bias_fwd_2 = ElementwiseKernel(
    "batch_normalization_eval_no_bias_fwd_2",
    "T normalized, T _t6",
    "T y",
    """
    y = normalized * _t6;
    """,
)


def _cupy_forward_eval_no_bias(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = running_var.reshape(-1, 1)
    rstd = _batch_normalization_eval_fwd_0(_t1, eps)
    _t4 = running_mean.reshape(-1, 1)
    normalized = _batch_normalization_eval_fwd_1(x, _t4, rstd)
    _t6 = weight.reshape(-1, 1)
    y = _batch_normalization_eval_no_bias_fwd_2(normalized, _t6)
    return y, running_mean, running_var, (weight, rstd, normalized)


def _cupy_backward_eval_no_bias(grad_y, weight, rstd, normalized):
    _t7 = _batch_normalization_eval_no_running_mean_bwd_0(grad_y, normalized)
    scale_sums = _cupy_sum(_t7, (0, 2))
    grad_weight = scale_sums.reshape(weight.shape)
    _t8 = weight.reshape(-1, 1)
    scale = _batch_normalization_eval_no_running_mean_bwd_1(_t8, rstd)
    grad_x = _batch_normalization_eval_bwd_2(grad_y, scale)
    return grad_x, grad_weight, None


def _cupy_forward_eval_no_bias_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    rstd = _batch_normalization_train_no_running_var_fwd_2(_t5, count, eps)
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t8 = weight.reshape(-1, 1)
    y = _batch_normalization_train_no_bias_no_running_mean_no_running_var_fwd_4(
        normalized, _t8
    )
    return y, running_mean, None, (weight, count, rstd, normalized)


# batch_normalization_eval_no_bias_no_running_mean_fwd_2: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_eval_no_bias_no_running_mean_fwd_2 = ElementwiseKernel(
    "batch_normalization_eval_no_bias_no_running_mean_fwd_2",
    "T normalized, T _t4",
    "T y",
    """
    y = normalized * _t4;
    """,
)


def _cupy_forward_eval_no_bias_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = running_var.reshape(-1, 1)
    rstd = _batch_normalization_eval_fwd_0(_t1, eps)
    normalized = _batch_normalization_eval_no_running_mean_fwd_1(x, rstd)
    _t4 = weight.reshape(-1, 1)
    y = _batch_normalization_eval_no_bias_no_running_mean_fwd_2(normalized, _t4)
    return y, None, running_var, (weight, rstd, normalized)


# batch_normalization_eval_no_bias_no_running_mean_bwd_0: layers_spec/layers/batch_normalization.yaml:63
_batch_normalization_eval_no_bias_no_running_mean_bwd_0 = ElementwiseKernel(
    "batch_normalization_eval_no_bias_no_running_mean_bwd_0",
    "T grad_y, T normalized",
    "T _t5",
    """
    _t5 = grad_y * normalized;
    """,
)


# batch_normalization_eval_no_bias_no_running_mean_bwd_1: layers_spec/layers/batch_normalization.yaml:66
_batch_normalization_eval_no_bias_no_running_mean_bwd_1 = ElementwiseKernel(
    "batch_normalization_eval_no_bias_no_running_mean_bwd_1",
    "T _t6, T rstd",
    "T scale",
    """
    scale = _t6 * rstd;
    """,
)


def _cupy_backward_eval_no_bias_no_running_mean(grad_y, weight, rstd, normalized):
    _t5 = _batch_normalization_eval_no_bias_no_running_mean_bwd_0(grad_y, normalized)
    scale_sums = _cupy_sum(_t5, (0, 2))
    grad_weight = scale_sums.reshape(weight.shape)
    _t6 = weight.reshape(-1, 1)
    scale = _batch_normalization_eval_no_bias_no_running_mean_bwd_1(_t6, rstd)
    grad_x = _batch_normalization_eval_bwd_2(grad_y, scale)
    return grad_x, grad_weight, None


# batch_normalization_eval_no_weight_fwd_2: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_eval_no_weight_fwd_2 = ElementwiseKernel(
    "batch_normalization_eval_no_weight_fwd_2",
    "T normalized, T _t6",
    "T y",
    """
    y = normalized + _t6;
    """,
)


def _cupy_forward_eval_no_weight(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = running_var.reshape(-1, 1)
    rstd = _batch_normalization_eval_fwd_0(_t1, eps)
    _t4 = running_mean.reshape(-1, 1)
    normalized = _batch_normalization_eval_fwd_1(x, _t4, rstd)
    _t6 = bias.reshape(-1, 1)
    y = _batch_normalization_eval_no_weight_fwd_2(normalized, _t6)
    return y, running_mean, running_var, (bias, rstd, normalized)


# batch_normalization_eval_no_weight_bwd_0: layers_spec/layers/batch_normalization.yaml:71
_batch_normalization_eval_no_weight_bwd_0 = ElementwiseKernel(
    "batch_normalization_eval_no_weight_bwd_0",
    "T grad_y, T rstd",
    "T grad_x",
    """
    grad_x = grad_y * rstd;
    """,
)


def _cupy_backward_eval_no_weight(grad_y, bias, rstd, normalized):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    grad_bias = shift_sums.reshape(bias.shape)
    grad_x = _batch_normalization_eval_no_weight_bwd_0(grad_y, rstd)
    return grad_x, None, grad_bias


def _cupy_forward_eval_no_weight_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    rstd = _batch_normalization_train_no_running_var_fwd_2(_t5, count, eps)
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    _t8 = bias.reshape(-1, 1)
    y = _batch_normalization_train_no_weight_no_running_mean_no_running_var_fwd_4(
        normalized, _t8
    )
    return y, running_mean, None, (bias, count, rstd, normalized)


# batch_normalization_eval_no_weight_no_running_mean_fwd_2: layers_spec/layers/batch_normalization.yaml:60
_batch_normalization_eval_no_weight_no_running_mean_fwd_2 = ElementwiseKernel(
    "batch_normalization_eval_no_weight_no_running_mean_fwd_2",
    "T normalized, T _t4",
    "T y",
    """
    y = normalized + _t4;
    """,
)


def _cupy_forward_eval_no_weight_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = running_var.reshape(-1, 1)
    rstd = _batch_normalization_eval_fwd_0(_t1, eps)
    normalized = _batch_normalization_eval_no_running_mean_fwd_1(x, rstd)
    _t4 = bias.reshape(-1, 1)
    y = _batch_normalization_eval_no_weight_no_running_mean_fwd_2(normalized, _t4)
    return y, None, running_var, (bias, rstd, normalized)


def _cupy_forward_eval_no_weight_no_bias(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = running_var.reshape(-1, 1)
    rstd = _batch_normalization_eval_fwd_0(_t1, eps)
    _t4 = running_mean.reshape(-1, 1)
    normalized = _batch_normalization_eval_fwd_1(x, _t4, rstd)
    return normalized, running_mean, running_var, (weight, rstd, normalized)


def _cupy_backward_eval_no_weight_no_bias(grad_y, weight, rstd, normalized):
    grad_x = _batch_normalization_eval_no_weight_bwd_0(grad_y, rstd)
    return grad_x, None, None


def _cupy_forward_eval_no_weight_no_bias_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    rstd = _batch_normalization_train_no_running_var_fwd_2(_t5, count, eps)
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    return normalized, running_mean, None, (count, rstd, normalized)


def _cupy_backward_eval_no_weight_no_bias_no_running_var(
    grad_y, count, rstd, normalized
):
    shift_sums = _cupy_sum(grad_y, (0, 2))
    _t8 = _batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_0(
        grad_y, normalized
    )
    scale_sums = _cupy_sum(_t8, (0, 2))
    _t9 = _batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_1(
        rstd, grad_y
    )
    _t11 = _batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_2(
        rstd, scale_sums, count
    )
    _t13 = _batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_3(
        normalized, _t11, _t9
    )
    _t15 = _batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_4(
        rstd, shift_sums, count
    )
    grad_x = _batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_bwd_5(
        _t13, _t15
    )
    return grad_x, None, None


def _cupy_forward_eval_no_weight_no_bias_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = running_var.reshape(-1, 1)
    rstd = _batch_normalization_eval_fwd_0(_t1, eps)
    normalized = _batch_normalization_eval_no_running_mean_fwd_1(x, rstd)
    return normalized, None, running_var, (weight, rstd, normalized)


def _cupy_forward_eval_no_weight_no_bias_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t3 = _cupy_sum(x, (0, 2))
    mu = _batch_normalization_train_fwd_0(_t3, count)
    centered, _t4 = _batch_normalization_train_fwd_1(x, mu)
    _t5 = _cupy_sum(_t4, (0, 2))
    rstd = _batch_normalization_train_no_running_var_fwd_2(_t5, count, eps)
    normalized = _batch_normalization_train_fwd_3(centered, rstd)
    return normalized, None, None, (count, rstd, normalized)


_CUPY_VARIANTS = {
    (True, True, True, True, True): (_cupy_forward_train, _cupy_backward_train),
    (True, True, True, True, False): (
        _cupy_forward_train_no_running_var,
        _cupy_backward_train_no_running_var,
    ),
    (True, True, True, False, True): (
        _cupy_forward_train_no_running_mean,
        _cupy_backward_train_no_running_mean,
    ),
    (True, True, True, False, False): (
        _cupy_forward_train_no_running_mean_no_running_var,
        _cupy_backward_train_no_running_mean_no_running_var,
    ),
    (True, True, False, True, True): (
        _cupy_forward_train_no_bias,
        _cupy_backward_train_no_bias,
    ),
    (True, True, False, True, False): (
        _cupy_forward_train_no_bias_no_running_var,
        _cupy_backward_train_no_bias_no_running_var,
    ),
    (True, True, False, False, True): (
        _cupy_forward_train_no_bias_no_running_mean,
        _cupy_backward_train_no_bias_no_running_mean,
    ),
    (True, True, False, False, False): (
        _cupy_forward_train_no_bias_no_running_mean_no_running_var,
        _cupy_backward_train_no_bias_no_running_mean_no_running_var,
    ),
    (True, False, True, True, True): (
        _cupy_forward_train_no_weight,
        _cupy_backward_train_no_weight,
    ),
    (True, False, True, True, False): (
        _cupy_forward_train_no_weight_no_running_var,
        _cupy_backward_train_no_weight_no_running_var,
    ),
    (True, False, True, False, True): (
        _cupy_forward_train_no_weight_no_running_mean,
        _cupy_backward_train_no_weight_no_running_mean,
    ),
    (True, False, True, False, False): (
        _cupy_forward_train_no_weight_no_running_mean_no_running_var,
        _cupy_backward_train_no_weight_no_running_mean_no_running_var,
    ),
    (True, False, False, True, True): (
        _cupy_forward_train_no_weight_no_bias,
        _cupy_backward_train_no_weight_no_bias,
    ),
    (True, False, False, True, False): (
        _cupy_forward_train_no_weight_no_bias_no_running_var,
        _cupy_backward_train_no_weight_no_bias_no_running_var,
    ),
    (True, False, False, False, True): (
        _cupy_forward_train_no_weight_no_bias_no_running_mean,
        _cupy_backward_train_no_weight_no_bias_no_running_mean,
    ),
    (True, False, False, False, False): (
        _cupy_forward_train_no_weight_no_bias_no_running_mean_no_running_var,
        _cupy_backward_train_no_weight_no_bias_no_running_mean_no_running_var,
    ),
    (False, True, True, True, True): (_cupy_forward_eval, _cupy_backward_eval),
    (False, True, True, True, False): (
        _cupy_forward_eval_no_running_var,
        _cupy_backward_train_no_running_mean_no_running_var,
    ),
    (False, True, True, False, True): (
        _cupy_forward_eval_no_running_mean,
        _cupy_backward_eval_no_running_mean,
    ),
    (False, True, True, False, False): (
        _cupy_forward_train_no_running_mean_no_running_var,
        _cupy_backward_train_no_running_mean_no_running_var,
    ),
    (False, True, False, True, True): (
        _cupy_forward_eval_no_bias,
        _cupy_backward_eval_no_bias,
    ),
    (False, True, False, True, False): (
        _cupy_forward_eval_no_bias_no_running_var,
        _cupy_backward_train_no_bias_no_running_mean_no_running_var,
    ),
    (False, True, False, False, True): (
        _cupy_forward_eval_no_bias_no_running_mean,
        _cupy_backward_eval_no_bias_no_running_mean,
    ),
    (False, True, False, False, False): (
        _cupy_forward_train_no_bias_no_running_mean_no_running_var,
        _cupy_backward_train_no_bias_no_running_mean_no_running_var,
    ),
    (False, False, True, True, True): (
        _cupy_forward_eval_no_weight,
        _cupy_backward_eval_no_weight,
    ),
    (False, False, True, True, False): (
        _cupy_forward_eval_no_weight_no_running_var,
        _cupy_backward_train_no_weight_no_running_mean_no_running_var,
    ),
    (False, False, True, False, True): (
        _cupy_forward_eval_no_weight_no_running_mean,
        _cupy_backward_eval_no_weight,
    ),
    (False, False, True, False, False): (
        _cupy_forward_train_no_weight_no_running_mean_no_running_var,
        _cupy_backward_train_no_weight_no_running_mean_no_running_var,
    ),
    (False, False, False, True, True): (
        _cupy_forward_eval_no_weight_no_bias,
        _cupy_backward_eval_no_weight_no_bias,
    ),
    (False, False, False, True, False): (
        _cupy_forward_eval_no_weight_no_bias_no_running_var,
        _cupy_backward_eval_no_weight_no_bias_no_running_var,
    ),
    (False, False, False, False, True): (
        _cupy_forward_eval_no_weight_no_bias_no_running_mean,
        _cupy_backward_eval_no_weight_no_bias,
    ),
    (False, False, False, False, False): (
        _cupy_forward_eval_no_weight_no_bias_no_running_mean_no_running_var,
        _cupy_backward_eval_no_weight_no_bias_no_running_var,
    ),
}


def _cupy_sum(x, axis):
    """The sum along ``axis`` (one axis or a tuple), kept as length-1 axes. Along the last
    axis of a float array it is a matrix-vector product with ones (BLAS), several times
    faster than NumPy's reduction loop on rows; over several trailing axes of a
    C-contiguous one (per-channel sums over H and W) those are flattened into one such
    product, and any leading axes are then summed over the much smaller result."""
    import cupy as cp

    if x.dtype.kind == "f" and x.ndim >= 1 and axis in (-1, x.ndim - 1):
        with blas_flags_ignored(x):
            return cp.matmul(x, cp.ones(x.shape[-1], x.dtype))[..., None]
    axes = sorted(a % x.ndim for a in axis) if isinstance(axis, tuple) else None
    trailing = 0
    while axes and x.ndim - 1 - trailing in axes:
        trailing += 1
    if trailing < 2 or x.dtype.kind != "f" or not x.flags.c_contiguous or not x.size:
        return cp.sum(x, axis=axis, keepdims=True)
    inner = 1
    for n in x.shape[x.ndim - trailing :]:
        inner *= n
    sums = cp.matmul(x.reshape(-1, inner), cp.ones(inner, x.dtype))
    sums = sums.reshape(x.shape[: x.ndim - trailing] + (1,) * trailing)
    rest = tuple(a for a in axes if a < x.ndim - trailing)
    return cp.sum(sums, axis=rest, keepdims=True) if rest else sums


# The compiled CPU target: row kernels (numba, compiled on first use) and compiled
# twins of the functions above.


# batch_normalization_train_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,39,44,60
@row_kernel
def _batch_normalization_train_fwd_loops_0(
    _first,
    _last,
    x,
    count,
    eps,
    _t1,
    running_mean,
    momentum,
    _t2,
    running_var,
    _t3,
    weight,
    bias,
    rstd_out,
    normalized_out,
    new_running_mean_out,
    new_running_var_out,
    y_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t4 = _float(_t1) * running_mean[_ch]  # batch_normalization.yaml:39
        _t5 = _float(_t2) * running_var[_ch]  # batch_normalization.yaml:44
        _t6 = weight[_ch]  # batch_normalization.yaml:60
        _t7 = bias[_ch]  # batch_normalization.yaml:60
        _t8 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t8 += x[_i, _ch, _j]
        mu = _t8 / _float(count)  # batch_normalization.yaml:33
        _t9 = mu  # batch_normalization.yaml:39
        _t10 = _float(momentum) * _t9  # batch_normalization.yaml:39
        new_running_mean = _t4 + _t10  # batch_normalization.yaml:39
        new_running_mean_out[_ch] = new_running_mean
        _t11 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t12 = centered * centered  # batch_normalization.yaml:35
                _t11 += _t12
        variance = _t11 / _float(count)  # batch_normalization.yaml:35
        _t13 = variance + _float(eps)  # batch_normalization.yaml:36
        _t14 = math.sqrt(_t13)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t14  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        _t15 = variance  # batch_normalization.yaml:44
        _t16 = _float(_t3) * _t15  # batch_normalization.yaml:44
        new_running_var = _t5 + _t16  # batch_normalization.yaml:44
        new_running_var_out[_ch] = new_running_var
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized
                _t17 = normalized * _t6  # batch_normalization.yaml:60
                y = _t17 + _t7  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_train(x, weight, bias, running_mean, running_var, momentum, eps):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t8 = 1 - momentum
    unbiased = _bessel_correction(count)
    _t12 = 1 - momentum
    _t14 = momentum * unbiased
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    new_running_mean = np.empty((x.shape[1],), x.dtype)
    new_running_var = np.empty((x.shape[1],), x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_train_fwd_loops_0,
        x,
        x,
        count,
        eps,
        _t8,
        channels(running_mean),
        momentum,
        _t12,
        channels(running_var),
        _t14,
        channels(weight),
        channels(bias),
        channels(rstd),
        normalized,
        channels(new_running_mean),
        channels(new_running_var),
        y,
    )
    return y, new_running_mean, new_running_var, (weight, count, rstd, normalized)


# batch_normalization_train_bwd_loops_0: layers_spec/layers/batch_normalization.yaml:62,63,64,65,66,68
@row_kernel
def _batch_normalization_train_bwd_loops_0(
    _first,
    _last,
    grad_y,
    normalized,
    weight,
    rstd,
    count,
    grad_bias_out,
    grad_weight_out,
    grad_x_out,
):
    _i_count, _, _n = grad_y.shape
    _float = grad_y.dtype.type
    for _ch in range(_first, _last):
        _t1 = weight[_ch]  # batch_normalization.yaml:66
        scale = _t1 * rstd[_ch]  # batch_normalization.yaml:66
        shift_sums = 0.0  # batch_normalization.yaml:62
        scale_sums = 0.0  # batch_normalization.yaml:63
        for _i in range(_i_count):
            for _j in range(_n):
                shift_sums += grad_y[_i, _ch, _j]
                _t2 = (
                    grad_y[_i, _ch, _j] * normalized[_i, _ch, _j]
                )  # batch_normalization.yaml:63
                scale_sums += _t2
        grad_bias = shift_sums  # batch_normalization.yaml:64
        grad_bias_out[_ch] = grad_bias
        grad_weight = scale_sums  # batch_normalization.yaml:65
        grad_weight_out[_ch] = grad_weight
        _t3 = scale * scale_sums  # batch_normalization.yaml:68
        _t4 = _t3 / _float(count)  # batch_normalization.yaml:68
        _t5 = scale * shift_sums  # batch_normalization.yaml:68
        _t6 = _t5 / _float(count)  # batch_normalization.yaml:68
        for _i in range(_i_count):
            for _j in range(_n):
                _t7 = scale * grad_y[_i, _ch, _j]  # batch_normalization.yaml:68
                _t8 = normalized[_i, _ch, _j] * _t4  # batch_normalization.yaml:68
                _t9 = _t7 - _t8  # batch_normalization.yaml:68
                grad_x = _t9 - _t6  # batch_normalization.yaml:68
                grad_x_out[_i, _ch, _j] = grad_x


def _jit_backward_train(grad_y, weight, count, rstd, normalized):
    grad_bias = np.empty((grad_y.shape[1],), grad_y.dtype)
    grad_weight = np.empty((grad_y.shape[1],), grad_y.dtype)
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_channel_blocks(
        _batch_normalization_train_bwd_loops_0,
        grad_y,
        grad_y,
        normalized,
        channels(weight),
        channels(rstd),
        count,
        channels(grad_bias),
        channels(grad_weight),
        grad_x,
    )
    return grad_x, grad_weight, grad_bias


# batch_normalization_train_no_running_var_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,39,60
@row_kernel
def _batch_normalization_train_no_running_var_fwd_loops_0(
    _first,
    _last,
    x,
    count,
    eps,
    _t1,
    running_mean,
    momentum,
    weight,
    bias,
    rstd_out,
    normalized_out,
    new_running_mean_out,
    y_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t2 = _float(_t1) * running_mean[_ch]  # batch_normalization.yaml:39
        _t3 = weight[_ch]  # batch_normalization.yaml:60
        _t4 = bias[_ch]  # batch_normalization.yaml:60
        _t5 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t5 += x[_i, _ch, _j]
        mu = _t5 / _float(count)  # batch_normalization.yaml:33
        _t6 = mu  # batch_normalization.yaml:39
        _t7 = _float(momentum) * _t6  # batch_normalization.yaml:39
        new_running_mean = _t2 + _t7  # batch_normalization.yaml:39
        new_running_mean_out[_ch] = new_running_mean
        _t8 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t9 = centered * centered  # batch_normalization.yaml:35
                _t8 += _t9
        variance = _t8 / _float(count)  # batch_normalization.yaml:35
        _t10 = variance + _float(eps)  # batch_normalization.yaml:36
        _t11 = math.sqrt(_t10)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t11  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized
                _t12 = normalized * _t3  # batch_normalization.yaml:60
                y = _t12 + _t4  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_train_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t8 = 1 - momentum
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    new_running_mean = np.empty((x.shape[1],), x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        _t8,
        channels(running_mean),
        momentum,
        channels(weight),
        channels(bias),
        channels(rstd),
        normalized,
        channels(new_running_mean),
        y,
    )
    return y, new_running_mean, None, (weight, count, rstd, normalized)


# batch_normalization_train_no_running_mean_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,44,60
@row_kernel
def _batch_normalization_train_no_running_mean_fwd_loops_0(
    _first,
    _last,
    x,
    count,
    eps,
    _t1,
    running_var,
    _t2,
    weight,
    bias,
    rstd_out,
    normalized_out,
    new_running_var_out,
    y_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t3 = _float(_t1) * running_var[_ch]  # batch_normalization.yaml:44
        _t4 = weight[_ch]  # batch_normalization.yaml:60
        _t5 = bias[_ch]  # batch_normalization.yaml:60
        _t6 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t6 += x[_i, _ch, _j]
        mu = _t6 / _float(count)  # batch_normalization.yaml:33
        _t7 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t8 = centered * centered  # batch_normalization.yaml:35
                _t7 += _t8
        variance = _t7 / _float(count)  # batch_normalization.yaml:35
        _t9 = variance + _float(eps)  # batch_normalization.yaml:36
        _t10 = math.sqrt(_t9)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t10  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        _t11 = variance  # batch_normalization.yaml:44
        _t12 = _float(_t2) * _t11  # batch_normalization.yaml:44
        new_running_var = _t3 + _t12  # batch_normalization.yaml:44
        new_running_var_out[_ch] = new_running_var
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized
                _t13 = normalized * _t4  # batch_normalization.yaml:60
                y = _t13 + _t5  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_train_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    unbiased = _bessel_correction(count)
    _t8 = 1 - momentum
    _t10 = momentum * unbiased
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    new_running_var = np.empty((x.shape[1],), x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_running_mean_fwd_loops_0,
        x,
        x,
        count,
        eps,
        _t8,
        channels(running_var),
        _t10,
        channels(weight),
        channels(bias),
        channels(rstd),
        normalized,
        channels(new_running_var),
        y,
    )
    return y, None, new_running_var, (weight, count, rstd, normalized)


# batch_normalization_train_no_running_mean_no_running_var_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,60
@row_kernel
def _batch_normalization_train_no_running_mean_no_running_var_fwd_loops_0(
    _first, _last, x, count, eps, weight, bias, rstd_out, normalized_out, y_out
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t1 = weight[_ch]  # batch_normalization.yaml:60
        _t2 = bias[_ch]  # batch_normalization.yaml:60
        _t3 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t3 += x[_i, _ch, _j]
        mu = _t3 / _float(count)  # batch_normalization.yaml:33
        _t4 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t5 = centered * centered  # batch_normalization.yaml:35
                _t4 += _t5
        variance = _t4 / _float(count)  # batch_normalization.yaml:35
        _t6 = variance + _float(eps)  # batch_normalization.yaml:36
        _t7 = math.sqrt(_t6)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t7  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized
                _t8 = normalized * _t1  # batch_normalization.yaml:60
                y = _t8 + _t2  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_train_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_running_mean_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        channels(weight),
        channels(bias),
        channels(rstd),
        normalized,
        y,
    )
    return y, None, None, (weight, count, rstd, normalized)


# batch_normalization_train_no_bias_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,39,44,60
@row_kernel
def _batch_normalization_train_no_bias_fwd_loops_0(
    _first,
    _last,
    x,
    count,
    eps,
    _t1,
    running_mean,
    momentum,
    _t2,
    running_var,
    _t3,
    weight,
    rstd_out,
    normalized_out,
    new_running_mean_out,
    new_running_var_out,
    y_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t4 = _float(_t1) * running_mean[_ch]  # batch_normalization.yaml:39
        _t5 = _float(_t2) * running_var[_ch]  # batch_normalization.yaml:44
        _t6 = weight[_ch]  # batch_normalization.yaml:60
        _t7 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t7 += x[_i, _ch, _j]
        mu = _t7 / _float(count)  # batch_normalization.yaml:33
        _t8 = mu  # batch_normalization.yaml:39
        _t9 = _float(momentum) * _t8  # batch_normalization.yaml:39
        new_running_mean = _t4 + _t9  # batch_normalization.yaml:39
        new_running_mean_out[_ch] = new_running_mean
        _t10 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t11 = centered * centered  # batch_normalization.yaml:35
                _t10 += _t11
        variance = _t10 / _float(count)  # batch_normalization.yaml:35
        _t12 = variance + _float(eps)  # batch_normalization.yaml:36
        _t13 = math.sqrt(_t12)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t13  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        _t14 = variance  # batch_normalization.yaml:44
        _t15 = _float(_t3) * _t14  # batch_normalization.yaml:44
        new_running_var = _t5 + _t15  # batch_normalization.yaml:44
        new_running_var_out[_ch] = new_running_var
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized
                y = normalized * _t6  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_train_no_bias(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t8 = 1 - momentum
    unbiased = _bessel_correction(count)
    _t12 = 1 - momentum
    _t14 = momentum * unbiased
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    new_running_mean = np.empty((x.shape[1],), x.dtype)
    new_running_var = np.empty((x.shape[1],), x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_bias_fwd_loops_0,
        x,
        x,
        count,
        eps,
        _t8,
        channels(running_mean),
        momentum,
        _t12,
        channels(running_var),
        _t14,
        channels(weight),
        channels(rstd),
        normalized,
        channels(new_running_mean),
        channels(new_running_var),
        y,
    )
    return y, new_running_mean, new_running_var, (weight, count, rstd, normalized)


# batch_normalization_train_no_bias_bwd_loops_0: layers_spec/layers/batch_normalization.yaml:62,63,65,66,68
@row_kernel
def _batch_normalization_train_no_bias_bwd_loops_0(
    _first, _last, grad_y, normalized, weight, rstd, count, grad_weight_out, grad_x_out
):
    _i_count, _, _n = grad_y.shape
    _float = grad_y.dtype.type
    for _ch in range(_first, _last):
        _t1 = weight[_ch]  # batch_normalization.yaml:66
        scale = _t1 * rstd[_ch]  # batch_normalization.yaml:66
        shift_sums = 0.0  # batch_normalization.yaml:62
        scale_sums = 0.0  # batch_normalization.yaml:63
        for _i in range(_i_count):
            for _j in range(_n):
                shift_sums += grad_y[_i, _ch, _j]
                _t2 = (
                    grad_y[_i, _ch, _j] * normalized[_i, _ch, _j]
                )  # batch_normalization.yaml:63
                scale_sums += _t2
        grad_weight = scale_sums  # batch_normalization.yaml:65
        grad_weight_out[_ch] = grad_weight
        _t3 = scale * scale_sums  # batch_normalization.yaml:68
        _t4 = _t3 / _float(count)  # batch_normalization.yaml:68
        _t5 = scale * shift_sums  # batch_normalization.yaml:68
        _t6 = _t5 / _float(count)  # batch_normalization.yaml:68
        for _i in range(_i_count):
            for _j in range(_n):
                _t7 = scale * grad_y[_i, _ch, _j]  # batch_normalization.yaml:68
                _t8 = normalized[_i, _ch, _j] * _t4  # batch_normalization.yaml:68
                _t9 = _t7 - _t8  # batch_normalization.yaml:68
                grad_x = _t9 - _t6  # batch_normalization.yaml:68
                grad_x_out[_i, _ch, _j] = grad_x


def _jit_backward_train_no_bias(grad_y, weight, count, rstd, normalized):
    grad_weight = np.empty((grad_y.shape[1],), grad_y.dtype)
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_bias_bwd_loops_0,
        grad_y,
        grad_y,
        normalized,
        channels(weight),
        channels(rstd),
        count,
        channels(grad_weight),
        grad_x,
    )
    return grad_x, grad_weight, None


# batch_normalization_train_no_bias_no_running_var_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,39,60
@row_kernel
def _batch_normalization_train_no_bias_no_running_var_fwd_loops_0(
    _first,
    _last,
    x,
    count,
    eps,
    _t1,
    running_mean,
    momentum,
    weight,
    rstd_out,
    normalized_out,
    new_running_mean_out,
    y_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t2 = _float(_t1) * running_mean[_ch]  # batch_normalization.yaml:39
        _t3 = weight[_ch]  # batch_normalization.yaml:60
        _t4 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t4 += x[_i, _ch, _j]
        mu = _t4 / _float(count)  # batch_normalization.yaml:33
        _t5 = mu  # batch_normalization.yaml:39
        _t6 = _float(momentum) * _t5  # batch_normalization.yaml:39
        new_running_mean = _t2 + _t6  # batch_normalization.yaml:39
        new_running_mean_out[_ch] = new_running_mean
        _t7 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t8 = centered * centered  # batch_normalization.yaml:35
                _t7 += _t8
        variance = _t7 / _float(count)  # batch_normalization.yaml:35
        _t9 = variance + _float(eps)  # batch_normalization.yaml:36
        _t10 = math.sqrt(_t9)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t10  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized
                y = normalized * _t3  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_train_no_bias_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t8 = 1 - momentum
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    new_running_mean = np.empty((x.shape[1],), x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_bias_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        _t8,
        channels(running_mean),
        momentum,
        channels(weight),
        channels(rstd),
        normalized,
        channels(new_running_mean),
        y,
    )
    return y, new_running_mean, None, (weight, count, rstd, normalized)


# batch_normalization_train_no_bias_no_running_mean_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,44,60
@row_kernel
def _batch_normalization_train_no_bias_no_running_mean_fwd_loops_0(
    _first,
    _last,
    x,
    count,
    eps,
    _t1,
    running_var,
    _t2,
    weight,
    rstd_out,
    normalized_out,
    new_running_var_out,
    y_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t3 = _float(_t1) * running_var[_ch]  # batch_normalization.yaml:44
        _t4 = weight[_ch]  # batch_normalization.yaml:60
        _t5 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t5 += x[_i, _ch, _j]
        mu = _t5 / _float(count)  # batch_normalization.yaml:33
        _t6 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t7 = centered * centered  # batch_normalization.yaml:35
                _t6 += _t7
        variance = _t6 / _float(count)  # batch_normalization.yaml:35
        _t8 = variance + _float(eps)  # batch_normalization.yaml:36
        _t9 = math.sqrt(_t8)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t9  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        _t10 = variance  # batch_normalization.yaml:44
        _t11 = _float(_t2) * _t10  # batch_normalization.yaml:44
        new_running_var = _t3 + _t11  # batch_normalization.yaml:44
        new_running_var_out[_ch] = new_running_var
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized
                y = normalized * _t4  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_train_no_bias_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    unbiased = _bessel_correction(count)
    _t8 = 1 - momentum
    _t10 = momentum * unbiased
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    new_running_var = np.empty((x.shape[1],), x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_bias_no_running_mean_fwd_loops_0,
        x,
        x,
        count,
        eps,
        _t8,
        channels(running_var),
        _t10,
        channels(weight),
        channels(rstd),
        normalized,
        channels(new_running_var),
        y,
    )
    return y, None, new_running_var, (weight, count, rstd, normalized)


# batch_normalization_train_no_bias_no_running_mean_no_running_var_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,60
@row_kernel
def _batch_normalization_train_no_bias_no_running_mean_no_running_var_fwd_loops_0(
    _first, _last, x, count, eps, weight, rstd_out, normalized_out, y_out
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t1 = weight[_ch]  # batch_normalization.yaml:60
        _t2 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t2 += x[_i, _ch, _j]
        mu = _t2 / _float(count)  # batch_normalization.yaml:33
        _t3 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t4 = centered * centered  # batch_normalization.yaml:35
                _t3 += _t4
        variance = _t3 / _float(count)  # batch_normalization.yaml:35
        _t5 = variance + _float(eps)  # batch_normalization.yaml:36
        _t6 = math.sqrt(_t5)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t6  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized
                y = normalized * _t1  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_train_no_bias_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_bias_no_running_mean_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        channels(weight),
        channels(rstd),
        normalized,
        y,
    )
    return y, None, None, (weight, count, rstd, normalized)


# batch_normalization_train_no_weight_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,39,44,60
@row_kernel
def _batch_normalization_train_no_weight_fwd_loops_0(
    _first,
    _last,
    x,
    count,
    eps,
    _t1,
    running_mean,
    momentum,
    _t2,
    running_var,
    _t3,
    bias,
    rstd_out,
    normalized_out,
    new_running_mean_out,
    new_running_var_out,
    y_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t4 = _float(_t1) * running_mean[_ch]  # batch_normalization.yaml:39
        _t5 = _float(_t2) * running_var[_ch]  # batch_normalization.yaml:44
        _t6 = bias[_ch]  # batch_normalization.yaml:60
        _t7 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t7 += x[_i, _ch, _j]
        mu = _t7 / _float(count)  # batch_normalization.yaml:33
        _t8 = mu  # batch_normalization.yaml:39
        _t9 = _float(momentum) * _t8  # batch_normalization.yaml:39
        new_running_mean = _t4 + _t9  # batch_normalization.yaml:39
        new_running_mean_out[_ch] = new_running_mean
        _t10 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t11 = centered * centered  # batch_normalization.yaml:35
                _t10 += _t11
        variance = _t10 / _float(count)  # batch_normalization.yaml:35
        _t12 = variance + _float(eps)  # batch_normalization.yaml:36
        _t13 = math.sqrt(_t12)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t13  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        _t14 = variance  # batch_normalization.yaml:44
        _t15 = _float(_t3) * _t14  # batch_normalization.yaml:44
        new_running_var = _t5 + _t15  # batch_normalization.yaml:44
        new_running_var_out[_ch] = new_running_var
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized
                y = normalized + _t6  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_train_no_weight(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t8 = 1 - momentum
    unbiased = _bessel_correction(count)
    _t12 = 1 - momentum
    _t14 = momentum * unbiased
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    new_running_mean = np.empty((x.shape[1],), x.dtype)
    new_running_var = np.empty((x.shape[1],), x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_weight_fwd_loops_0,
        x,
        x,
        count,
        eps,
        _t8,
        channels(running_mean),
        momentum,
        _t12,
        channels(running_var),
        _t14,
        channels(bias),
        channels(rstd),
        normalized,
        channels(new_running_mean),
        channels(new_running_var),
        y,
    )
    return y, new_running_mean, new_running_var, (bias, count, rstd, normalized)


# batch_normalization_train_no_weight_bwd_loops_0: layers_spec/layers/batch_normalization.yaml:62,63,64,68
@row_kernel
def _batch_normalization_train_no_weight_bwd_loops_0(
    _first, _last, grad_y, normalized, rstd, count, grad_bias_out, grad_x_out
):
    _i_count, _, _n = grad_y.shape
    _float = grad_y.dtype.type
    for _ch in range(_first, _last):
        shift_sums = 0.0  # batch_normalization.yaml:62
        scale_sums = 0.0  # batch_normalization.yaml:63
        for _i in range(_i_count):
            for _j in range(_n):
                shift_sums += grad_y[_i, _ch, _j]
                _t1 = (
                    grad_y[_i, _ch, _j] * normalized[_i, _ch, _j]
                )  # batch_normalization.yaml:63
                scale_sums += _t1
        grad_bias = shift_sums  # batch_normalization.yaml:64
        grad_bias_out[_ch] = grad_bias
        _t2 = rstd[_ch] * scale_sums  # batch_normalization.yaml:68
        _t3 = _t2 / _float(count)  # batch_normalization.yaml:68
        _t4 = rstd[_ch] * shift_sums  # batch_normalization.yaml:68
        _t5 = _t4 / _float(count)  # batch_normalization.yaml:68
        for _i in range(_i_count):
            for _j in range(_n):
                _t6 = rstd[_ch] * grad_y[_i, _ch, _j]  # batch_normalization.yaml:68
                _t7 = normalized[_i, _ch, _j] * _t3  # batch_normalization.yaml:68
                _t8 = _t6 - _t7  # batch_normalization.yaml:68
                grad_x = _t8 - _t5  # batch_normalization.yaml:68
                grad_x_out[_i, _ch, _j] = grad_x


def _jit_backward_train_no_weight(grad_y, bias, count, rstd, normalized):
    grad_bias = np.empty((grad_y.shape[1],), grad_y.dtype)
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_weight_bwd_loops_0,
        grad_y,
        grad_y,
        normalized,
        channels(rstd),
        count,
        channels(grad_bias),
        grad_x,
    )
    return grad_x, None, grad_bias


# batch_normalization_train_no_weight_no_running_var_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,39,60
@row_kernel
def _batch_normalization_train_no_weight_no_running_var_fwd_loops_0(
    _first,
    _last,
    x,
    count,
    eps,
    _t1,
    running_mean,
    momentum,
    bias,
    rstd_out,
    normalized_out,
    new_running_mean_out,
    y_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t2 = _float(_t1) * running_mean[_ch]  # batch_normalization.yaml:39
        _t3 = bias[_ch]  # batch_normalization.yaml:60
        _t4 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t4 += x[_i, _ch, _j]
        mu = _t4 / _float(count)  # batch_normalization.yaml:33
        _t5 = mu  # batch_normalization.yaml:39
        _t6 = _float(momentum) * _t5  # batch_normalization.yaml:39
        new_running_mean = _t2 + _t6  # batch_normalization.yaml:39
        new_running_mean_out[_ch] = new_running_mean
        _t7 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t8 = centered * centered  # batch_normalization.yaml:35
                _t7 += _t8
        variance = _t7 / _float(count)  # batch_normalization.yaml:35
        _t9 = variance + _float(eps)  # batch_normalization.yaml:36
        _t10 = math.sqrt(_t9)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t10  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized
                y = normalized + _t3  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_train_no_weight_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t8 = 1 - momentum
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    new_running_mean = np.empty((x.shape[1],), x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_weight_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        _t8,
        channels(running_mean),
        momentum,
        channels(bias),
        channels(rstd),
        normalized,
        channels(new_running_mean),
        y,
    )
    return y, new_running_mean, None, (bias, count, rstd, normalized)


# batch_normalization_train_no_weight_no_running_mean_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,44,60
@row_kernel
def _batch_normalization_train_no_weight_no_running_mean_fwd_loops_0(
    _first,
    _last,
    x,
    count,
    eps,
    _t1,
    running_var,
    _t2,
    bias,
    rstd_out,
    normalized_out,
    new_running_var_out,
    y_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t3 = _float(_t1) * running_var[_ch]  # batch_normalization.yaml:44
        _t4 = bias[_ch]  # batch_normalization.yaml:60
        _t5 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t5 += x[_i, _ch, _j]
        mu = _t5 / _float(count)  # batch_normalization.yaml:33
        _t6 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t7 = centered * centered  # batch_normalization.yaml:35
                _t6 += _t7
        variance = _t6 / _float(count)  # batch_normalization.yaml:35
        _t8 = variance + _float(eps)  # batch_normalization.yaml:36
        _t9 = math.sqrt(_t8)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t9  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        _t10 = variance  # batch_normalization.yaml:44
        _t11 = _float(_t2) * _t10  # batch_normalization.yaml:44
        new_running_var = _t3 + _t11  # batch_normalization.yaml:44
        new_running_var_out[_ch] = new_running_var
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized
                y = normalized + _t4  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_train_no_weight_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    unbiased = _bessel_correction(count)
    _t8 = 1 - momentum
    _t10 = momentum * unbiased
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    new_running_var = np.empty((x.shape[1],), x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_weight_no_running_mean_fwd_loops_0,
        x,
        x,
        count,
        eps,
        _t8,
        channels(running_var),
        _t10,
        channels(bias),
        channels(rstd),
        normalized,
        channels(new_running_var),
        y,
    )
    return y, None, new_running_var, (bias, count, rstd, normalized)


# batch_normalization_train_no_weight_no_running_mean_no_running_var_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,60
@row_kernel
def _batch_normalization_train_no_weight_no_running_mean_no_running_var_fwd_loops_0(
    _first, _last, x, count, eps, bias, rstd_out, normalized_out, y_out
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t1 = bias[_ch]  # batch_normalization.yaml:60
        _t2 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t2 += x[_i, _ch, _j]
        mu = _t2 / _float(count)  # batch_normalization.yaml:33
        _t3 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t4 = centered * centered  # batch_normalization.yaml:35
                _t3 += _t4
        variance = _t3 / _float(count)  # batch_normalization.yaml:35
        _t5 = variance + _float(eps)  # batch_normalization.yaml:36
        _t6 = math.sqrt(_t5)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t6  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized
                y = normalized + _t1  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_train_no_weight_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_weight_no_running_mean_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        channels(bias),
        channels(rstd),
        normalized,
        y,
    )
    return y, None, None, (bias, count, rstd, normalized)


# batch_normalization_train_no_weight_no_bias_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,39,44
@row_kernel
def _batch_normalization_train_no_weight_no_bias_fwd_loops_0(
    _first,
    _last,
    x,
    count,
    eps,
    _t1,
    running_mean,
    momentum,
    _t2,
    running_var,
    _t3,
    rstd_out,
    normalized_out,
    new_running_mean_out,
    new_running_var_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t4 = _float(_t1) * running_mean[_ch]  # batch_normalization.yaml:39
        _t5 = _float(_t2) * running_var[_ch]  # batch_normalization.yaml:44
        _t6 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t6 += x[_i, _ch, _j]
        mu = _t6 / _float(count)  # batch_normalization.yaml:33
        _t7 = mu  # batch_normalization.yaml:39
        _t8 = _float(momentum) * _t7  # batch_normalization.yaml:39
        new_running_mean = _t4 + _t8  # batch_normalization.yaml:39
        new_running_mean_out[_ch] = new_running_mean
        _t9 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t10 = centered * centered  # batch_normalization.yaml:35
                _t9 += _t10
        variance = _t9 / _float(count)  # batch_normalization.yaml:35
        _t11 = variance + _float(eps)  # batch_normalization.yaml:36
        _t12 = math.sqrt(_t11)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t12  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        _t13 = variance  # batch_normalization.yaml:44
        _t14 = _float(_t3) * _t13  # batch_normalization.yaml:44
        new_running_var = _t5 + _t14  # batch_normalization.yaml:44
        new_running_var_out[_ch] = new_running_var
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized


def _jit_forward_train_no_weight_no_bias(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t8 = 1 - momentum
    unbiased = _bessel_correction(count)
    _t12 = 1 - momentum
    _t14 = momentum * unbiased
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    new_running_mean = np.empty((x.shape[1],), x.dtype)
    new_running_var = np.empty((x.shape[1],), x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_weight_no_bias_fwd_loops_0,
        x,
        x,
        count,
        eps,
        _t8,
        channels(running_mean),
        momentum,
        _t12,
        channels(running_var),
        _t14,
        channels(rstd),
        normalized,
        channels(new_running_mean),
        channels(new_running_var),
    )
    return (
        normalized,
        new_running_mean,
        new_running_var,
        (weight, count, rstd, normalized),
    )


# batch_normalization_train_no_weight_no_bias_bwd_loops_0: layers_spec/layers/batch_normalization.yaml:62,63,68
@row_kernel
def _batch_normalization_train_no_weight_no_bias_bwd_loops_0(
    _first, _last, grad_y, normalized, rstd, count, grad_x_out
):
    _i_count, _, _n = grad_y.shape
    _float = grad_y.dtype.type
    for _ch in range(_first, _last):
        shift_sums = 0.0  # batch_normalization.yaml:62
        scale_sums = 0.0  # batch_normalization.yaml:63
        for _i in range(_i_count):
            for _j in range(_n):
                shift_sums += grad_y[_i, _ch, _j]
                _t1 = (
                    grad_y[_i, _ch, _j] * normalized[_i, _ch, _j]
                )  # batch_normalization.yaml:63
                scale_sums += _t1
        _t2 = rstd[_ch] * scale_sums  # batch_normalization.yaml:68
        _t3 = _t2 / _float(count)  # batch_normalization.yaml:68
        _t4 = rstd[_ch] * shift_sums  # batch_normalization.yaml:68
        _t5 = _t4 / _float(count)  # batch_normalization.yaml:68
        for _i in range(_i_count):
            for _j in range(_n):
                _t6 = rstd[_ch] * grad_y[_i, _ch, _j]  # batch_normalization.yaml:68
                _t7 = normalized[_i, _ch, _j] * _t3  # batch_normalization.yaml:68
                _t8 = _t6 - _t7  # batch_normalization.yaml:68
                grad_x = _t8 - _t5  # batch_normalization.yaml:68
                grad_x_out[_i, _ch, _j] = grad_x


def _jit_backward_train_no_weight_no_bias(grad_y, weight, count, rstd, normalized):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_weight_no_bias_bwd_loops_0,
        grad_y,
        grad_y,
        normalized,
        channels(rstd),
        count,
        grad_x,
    )
    return grad_x, None, None


# batch_normalization_train_no_weight_no_bias_no_running_var_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,39
@row_kernel
def _batch_normalization_train_no_weight_no_bias_no_running_var_fwd_loops_0(
    _first,
    _last,
    x,
    count,
    eps,
    _t1,
    running_mean,
    momentum,
    rstd_out,
    normalized_out,
    new_running_mean_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t2 = _float(_t1) * running_mean[_ch]  # batch_normalization.yaml:39
        _t3 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t3 += x[_i, _ch, _j]
        mu = _t3 / _float(count)  # batch_normalization.yaml:33
        _t4 = mu  # batch_normalization.yaml:39
        _t5 = _float(momentum) * _t4  # batch_normalization.yaml:39
        new_running_mean = _t2 + _t5  # batch_normalization.yaml:39
        new_running_mean_out[_ch] = new_running_mean
        _t6 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t7 = centered * centered  # batch_normalization.yaml:35
                _t6 += _t7
        variance = _t6 / _float(count)  # batch_normalization.yaml:35
        _t8 = variance + _float(eps)  # batch_normalization.yaml:36
        _t9 = math.sqrt(_t8)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t9  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized


def _jit_forward_train_no_weight_no_bias_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    _t8 = 1 - momentum
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    new_running_mean = np.empty((x.shape[1],), x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_weight_no_bias_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        _t8,
        channels(running_mean),
        momentum,
        channels(rstd),
        normalized,
        channels(new_running_mean),
    )
    return normalized, new_running_mean, None, (weight, count, rstd, normalized)


# batch_normalization_train_no_weight_no_bias_no_running_mean_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37,44
@row_kernel
def _batch_normalization_train_no_weight_no_bias_no_running_mean_fwd_loops_0(
    _first,
    _last,
    x,
    count,
    eps,
    _t1,
    running_var,
    _t2,
    rstd_out,
    normalized_out,
    new_running_var_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t3 = _float(_t1) * running_var[_ch]  # batch_normalization.yaml:44
        _t4 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t4 += x[_i, _ch, _j]
        mu = _t4 / _float(count)  # batch_normalization.yaml:33
        _t5 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t6 = centered * centered  # batch_normalization.yaml:35
                _t5 += _t6
        variance = _t5 / _float(count)  # batch_normalization.yaml:35
        _t7 = variance + _float(eps)  # batch_normalization.yaml:36
        _t8 = math.sqrt(_t7)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t8  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        _t9 = variance  # batch_normalization.yaml:44
        _t10 = _float(_t2) * _t9  # batch_normalization.yaml:44
        new_running_var = _t3 + _t10  # batch_normalization.yaml:44
        new_running_var_out[_ch] = new_running_var
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized


def _jit_forward_train_no_weight_no_bias_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    unbiased = _bessel_correction(count)
    _t8 = 1 - momentum
    _t10 = momentum * unbiased
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    new_running_var = np.empty((x.shape[1],), x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_weight_no_bias_no_running_mean_fwd_loops_0,
        x,
        x,
        count,
        eps,
        _t8,
        channels(running_var),
        _t10,
        channels(rstd),
        normalized,
        channels(new_running_var),
    )
    return normalized, None, new_running_var, (weight, count, rstd, normalized)


# batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:33,34,35,36,37
@row_kernel
def _batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_fwd_loops_0(
    _first, _last, x, count, eps, rstd_out, normalized_out
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t1 = 0.0  # batch_normalization.yaml:33
        for _i in range(_i_count):
            for _j in range(_n):
                _t1 += x[_i, _ch, _j]
        mu = _t1 / _float(count)  # batch_normalization.yaml:33
        _t2 = 0.0  # batch_normalization.yaml:35
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:34
                centered_channel[_i, _j] = centered
                _t3 = centered * centered  # batch_normalization.yaml:35
                _t2 += _t3
        variance = _t2 / _float(count)  # batch_normalization.yaml:35
        _t4 = variance + _float(eps)  # batch_normalization.yaml:36
        _t5 = math.sqrt(_t4)  # batch_normalization.yaml:36
        rstd = _float(1.0) / _t5  # batch_normalization.yaml:36
        rstd_out[_ch] = rstd
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:37
                normalized_out[_i, _ch, _j] = normalized


def _jit_forward_train_no_weight_no_bias_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_train_no_weight_no_bias_no_running_mean_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        channels(rstd),
        normalized,
    )
    return normalized, None, None, (weight, count, rstd, normalized)


# batch_normalization_eval_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:49,50,60
@row_kernel
def _batch_normalization_eval_fwd_loops_0(
    _first,
    _last,
    running_var,
    eps,
    running_mean,
    x,
    weight,
    bias,
    rstd_out,
    normalized_out,
    y_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    for _ch in range(_first, _last):
        _t1 = running_var[_ch]  # batch_normalization.yaml:49
        _t2 = _t1 + _float(eps)  # batch_normalization.yaml:49
        _t3 = math.sqrt(_t2)  # batch_normalization.yaml:49
        rstd = _float(1.0) / _t3  # batch_normalization.yaml:49
        rstd_out[_ch] = rstd
        _t4 = running_mean[_ch]  # batch_normalization.yaml:50
        _t5 = weight[_ch]  # batch_normalization.yaml:60
        _t6 = bias[_ch]  # batch_normalization.yaml:60
        for _i in range(_i_count):
            for _j in range(_n):
                _t7 = x[_i, _ch, _j] - _t4  # batch_normalization.yaml:50
                normalized = _t7 * rstd  # batch_normalization.yaml:50
                normalized_out[_i, _ch, _j] = normalized
                _t8 = normalized * _t5  # batch_normalization.yaml:60
                y = _t8 + _t6  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_eval(x, weight, bias, running_mean, running_var, momentum, eps):
    rstd = np.empty((x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_fwd_loops_0,
        x,
        channels(running_var),
        eps,
        channels(running_mean),
        x,
        channels(weight),
        channels(bias),
        channels(rstd),
        normalized,
        y,
    )
    return y, running_mean, running_var, (weight, rstd, normalized)


# batch_normalization_eval_bwd_loops_0: layers_spec/layers/batch_normalization.yaml:62,63,64,65,66,71
@row_kernel
def _batch_normalization_eval_bwd_loops_0(
    _first,
    _last,
    grad_y,
    normalized,
    weight,
    rstd,
    grad_bias_out,
    grad_weight_out,
    grad_x_out,
):
    _i_count, _, _n = grad_y.shape
    for _ch in range(_first, _last):
        _t1 = weight[_ch]  # batch_normalization.yaml:66
        scale = _t1 * rstd[_ch]  # batch_normalization.yaml:66
        shift_sums = 0.0  # batch_normalization.yaml:62
        scale_sums = 0.0  # batch_normalization.yaml:63
        for _i in range(_i_count):
            for _j in range(_n):
                shift_sums += grad_y[_i, _ch, _j]
                _t2 = (
                    grad_y[_i, _ch, _j] * normalized[_i, _ch, _j]
                )  # batch_normalization.yaml:63
                scale_sums += _t2
                grad_x = grad_y[_i, _ch, _j] * scale  # batch_normalization.yaml:71
                grad_x_out[_i, _ch, _j] = grad_x
        grad_bias = shift_sums  # batch_normalization.yaml:64
        grad_bias_out[_ch] = grad_bias
        grad_weight = scale_sums  # batch_normalization.yaml:65
        grad_weight_out[_ch] = grad_weight


def _jit_backward_eval(grad_y, weight, rstd, normalized):
    grad_bias = np.empty((grad_y.shape[1],), grad_y.dtype)
    grad_weight = np.empty((grad_y.shape[1],), grad_y.dtype)
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_channel_blocks(
        _batch_normalization_eval_bwd_loops_0,
        grad_y,
        grad_y,
        normalized,
        channels(weight),
        channels(rstd),
        channels(grad_bias),
        channels(grad_weight),
        grad_x,
    )
    return grad_x, grad_weight, grad_bias


# batch_normalization_eval_no_running_var_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:53,54,55,56,57,60
@row_kernel
def _batch_normalization_eval_no_running_var_fwd_loops_0(
    _first, _last, x, count, eps, weight, bias, rstd_out, normalized_out, y_out
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t1 = weight[_ch]  # batch_normalization.yaml:60
        _t2 = bias[_ch]  # batch_normalization.yaml:60
        _t3 = 0.0  # batch_normalization.yaml:53
        for _i in range(_i_count):
            for _j in range(_n):
                _t3 += x[_i, _ch, _j]
        mu = _t3 / _float(count)  # batch_normalization.yaml:53
        _t4 = 0.0  # batch_normalization.yaml:55
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:54
                centered_channel[_i, _j] = centered
                _t5 = centered * centered  # batch_normalization.yaml:55
                _t4 += _t5
        variance = _t4 / _float(count)  # batch_normalization.yaml:55
        _t6 = variance + _float(eps)  # batch_normalization.yaml:56
        _t7 = math.sqrt(_t6)  # batch_normalization.yaml:56
        rstd = _float(1.0) / _t7  # batch_normalization.yaml:56
        rstd_out[_ch] = rstd
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:57
                normalized_out[_i, _ch, _j] = normalized
                _t8 = normalized * _t1  # batch_normalization.yaml:60
                y = _t8 + _t2  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_eval_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        channels(weight),
        channels(bias),
        channels(rstd),
        normalized,
        y,
    )
    return y, running_mean, None, (weight, count, rstd, normalized)


# batch_normalization_eval_no_running_var_bwd_loops_0: layers_spec/layers/batch_normalization.yaml:62,63,64,65,66,73
@row_kernel
def _batch_normalization_eval_no_running_var_bwd_loops_0(
    _first,
    _last,
    grad_y,
    normalized,
    weight,
    rstd,
    count,
    grad_bias_out,
    grad_weight_out,
    grad_x_out,
):
    _i_count, _, _n = grad_y.shape
    _float = grad_y.dtype.type
    for _ch in range(_first, _last):
        _t1 = weight[_ch]  # batch_normalization.yaml:66
        scale = _t1 * rstd[_ch]  # batch_normalization.yaml:66
        shift_sums = 0.0  # batch_normalization.yaml:62
        scale_sums = 0.0  # batch_normalization.yaml:63
        for _i in range(_i_count):
            for _j in range(_n):
                shift_sums += grad_y[_i, _ch, _j]
                _t2 = (
                    grad_y[_i, _ch, _j] * normalized[_i, _ch, _j]
                )  # batch_normalization.yaml:63
                scale_sums += _t2
        grad_bias = shift_sums  # batch_normalization.yaml:64
        grad_bias_out[_ch] = grad_bias
        grad_weight = scale_sums  # batch_normalization.yaml:65
        grad_weight_out[_ch] = grad_weight
        _t3 = scale * scale_sums  # batch_normalization.yaml:73
        _t4 = _t3 / _float(count)  # batch_normalization.yaml:73
        _t5 = scale * shift_sums  # batch_normalization.yaml:73
        _t6 = _t5 / _float(count)  # batch_normalization.yaml:73
        for _i in range(_i_count):
            for _j in range(_n):
                _t7 = scale * grad_y[_i, _ch, _j]  # batch_normalization.yaml:73
                _t8 = normalized[_i, _ch, _j] * _t4  # batch_normalization.yaml:73
                _t9 = _t7 - _t8  # batch_normalization.yaml:73
                grad_x = _t9 - _t6  # batch_normalization.yaml:73
                grad_x_out[_i, _ch, _j] = grad_x


def _jit_backward_eval_no_running_var(grad_y, weight, count, rstd, normalized):
    grad_bias = np.empty((grad_y.shape[1],), grad_y.dtype)
    grad_weight = np.empty((grad_y.shape[1],), grad_y.dtype)
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_running_var_bwd_loops_0,
        grad_y,
        grad_y,
        normalized,
        channels(weight),
        channels(rstd),
        count,
        channels(grad_bias),
        channels(grad_weight),
        grad_x,
    )
    return grad_x, grad_weight, grad_bias


# batch_normalization_eval_no_running_mean_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:49,50,60
@row_kernel
def _batch_normalization_eval_no_running_mean_fwd_loops_0(
    _first, _last, running_var, eps, x, weight, bias, rstd_out, normalized_out, y_out
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    for _ch in range(_first, _last):
        _t1 = running_var[_ch]  # batch_normalization.yaml:49
        _t2 = _t1 + _float(eps)  # batch_normalization.yaml:49
        _t3 = math.sqrt(_t2)  # batch_normalization.yaml:49
        rstd = _float(1.0) / _t3  # batch_normalization.yaml:49
        rstd_out[_ch] = rstd
        _t4 = weight[_ch]  # batch_normalization.yaml:60
        _t5 = bias[_ch]  # batch_normalization.yaml:60
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = x[_i, _ch, _j] * rstd  # batch_normalization.yaml:50
                normalized_out[_i, _ch, _j] = normalized
                _t6 = normalized * _t4  # batch_normalization.yaml:60
                y = _t6 + _t5  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_eval_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    rstd = np.empty((x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_running_mean_fwd_loops_0,
        x,
        channels(running_var),
        eps,
        x,
        channels(weight),
        channels(bias),
        channels(rstd),
        normalized,
        y,
    )
    return y, None, running_var, (weight, rstd, normalized)


def _jit_forward_eval_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        channels(weight),
        channels(bias),
        channels(rstd),
        normalized,
        y,
    )
    return y, None, None, (weight, count, rstd, normalized)


# batch_normalization_eval_no_bias_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:49,50,60
@row_kernel
def _batch_normalization_eval_no_bias_fwd_loops_0(
    _first,
    _last,
    running_var,
    eps,
    running_mean,
    x,
    weight,
    rstd_out,
    normalized_out,
    y_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    for _ch in range(_first, _last):
        _t1 = running_var[_ch]  # batch_normalization.yaml:49
        _t2 = _t1 + _float(eps)  # batch_normalization.yaml:49
        _t3 = math.sqrt(_t2)  # batch_normalization.yaml:49
        rstd = _float(1.0) / _t3  # batch_normalization.yaml:49
        rstd_out[_ch] = rstd
        _t4 = running_mean[_ch]  # batch_normalization.yaml:50
        _t5 = weight[_ch]  # batch_normalization.yaml:60
        for _i in range(_i_count):
            for _j in range(_n):
                _t6 = x[_i, _ch, _j] - _t4  # batch_normalization.yaml:50
                normalized = _t6 * rstd  # batch_normalization.yaml:50
                normalized_out[_i, _ch, _j] = normalized
                y = normalized * _t5  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_eval_no_bias(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    rstd = np.empty((x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_bias_fwd_loops_0,
        x,
        channels(running_var),
        eps,
        channels(running_mean),
        x,
        channels(weight),
        channels(rstd),
        normalized,
        y,
    )
    return y, running_mean, running_var, (weight, rstd, normalized)


# batch_normalization_eval_no_bias_bwd_loops_0: layers_spec/layers/batch_normalization.yaml:63,65,66,71
@row_kernel
def _batch_normalization_eval_no_bias_bwd_loops_0(
    _first, _last, grad_y, normalized, weight, rstd, grad_weight_out, grad_x_out
):
    _i_count, _, _n = grad_y.shape
    for _ch in range(_first, _last):
        _t1 = weight[_ch]  # batch_normalization.yaml:66
        scale = _t1 * rstd[_ch]  # batch_normalization.yaml:66
        scale_sums = 0.0  # batch_normalization.yaml:63
        for _i in range(_i_count):
            for _j in range(_n):
                _t2 = (
                    grad_y[_i, _ch, _j] * normalized[_i, _ch, _j]
                )  # batch_normalization.yaml:63
                scale_sums += _t2
                grad_x = grad_y[_i, _ch, _j] * scale  # batch_normalization.yaml:71
                grad_x_out[_i, _ch, _j] = grad_x
        grad_weight = scale_sums  # batch_normalization.yaml:65
        grad_weight_out[_ch] = grad_weight


def _jit_backward_eval_no_bias(grad_y, weight, rstd, normalized):
    grad_weight = np.empty((grad_y.shape[1],), grad_y.dtype)
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_bias_bwd_loops_0,
        grad_y,
        grad_y,
        normalized,
        channels(weight),
        channels(rstd),
        channels(grad_weight),
        grad_x,
    )
    return grad_x, grad_weight, None


# batch_normalization_eval_no_bias_no_running_var_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:53,54,55,56,57,60
@row_kernel
def _batch_normalization_eval_no_bias_no_running_var_fwd_loops_0(
    _first, _last, x, count, eps, weight, rstd_out, normalized_out, y_out
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t1 = weight[_ch]  # batch_normalization.yaml:60
        _t2 = 0.0  # batch_normalization.yaml:53
        for _i in range(_i_count):
            for _j in range(_n):
                _t2 += x[_i, _ch, _j]
        mu = _t2 / _float(count)  # batch_normalization.yaml:53
        _t3 = 0.0  # batch_normalization.yaml:55
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:54
                centered_channel[_i, _j] = centered
                _t4 = centered * centered  # batch_normalization.yaml:55
                _t3 += _t4
        variance = _t3 / _float(count)  # batch_normalization.yaml:55
        _t5 = variance + _float(eps)  # batch_normalization.yaml:56
        _t6 = math.sqrt(_t5)  # batch_normalization.yaml:56
        rstd = _float(1.0) / _t6  # batch_normalization.yaml:56
        rstd_out[_ch] = rstd
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:57
                normalized_out[_i, _ch, _j] = normalized
                y = normalized * _t1  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_eval_no_bias_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_bias_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        channels(weight),
        channels(rstd),
        normalized,
        y,
    )
    return y, running_mean, None, (weight, count, rstd, normalized)


# batch_normalization_eval_no_bias_no_running_var_bwd_loops_0: layers_spec/layers/batch_normalization.yaml:62,63,65,66,73
@row_kernel
def _batch_normalization_eval_no_bias_no_running_var_bwd_loops_0(
    _first, _last, grad_y, normalized, weight, rstd, count, grad_weight_out, grad_x_out
):
    _i_count, _, _n = grad_y.shape
    _float = grad_y.dtype.type
    for _ch in range(_first, _last):
        _t1 = weight[_ch]  # batch_normalization.yaml:66
        scale = _t1 * rstd[_ch]  # batch_normalization.yaml:66
        shift_sums = 0.0  # batch_normalization.yaml:62
        scale_sums = 0.0  # batch_normalization.yaml:63
        for _i in range(_i_count):
            for _j in range(_n):
                shift_sums += grad_y[_i, _ch, _j]
                _t2 = (
                    grad_y[_i, _ch, _j] * normalized[_i, _ch, _j]
                )  # batch_normalization.yaml:63
                scale_sums += _t2
        grad_weight = scale_sums  # batch_normalization.yaml:65
        grad_weight_out[_ch] = grad_weight
        _t3 = scale * scale_sums  # batch_normalization.yaml:73
        _t4 = _t3 / _float(count)  # batch_normalization.yaml:73
        _t5 = scale * shift_sums  # batch_normalization.yaml:73
        _t6 = _t5 / _float(count)  # batch_normalization.yaml:73
        for _i in range(_i_count):
            for _j in range(_n):
                _t7 = scale * grad_y[_i, _ch, _j]  # batch_normalization.yaml:73
                _t8 = normalized[_i, _ch, _j] * _t4  # batch_normalization.yaml:73
                _t9 = _t7 - _t8  # batch_normalization.yaml:73
                grad_x = _t9 - _t6  # batch_normalization.yaml:73
                grad_x_out[_i, _ch, _j] = grad_x


def _jit_backward_eval_no_bias_no_running_var(grad_y, weight, count, rstd, normalized):
    grad_weight = np.empty((grad_y.shape[1],), grad_y.dtype)
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_bias_no_running_var_bwd_loops_0,
        grad_y,
        grad_y,
        normalized,
        channels(weight),
        channels(rstd),
        count,
        channels(grad_weight),
        grad_x,
    )
    return grad_x, grad_weight, None


# batch_normalization_eval_no_bias_no_running_mean_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:49,50,60
@row_kernel
def _batch_normalization_eval_no_bias_no_running_mean_fwd_loops_0(
    _first, _last, running_var, eps, x, weight, rstd_out, normalized_out, y_out
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    for _ch in range(_first, _last):
        _t1 = running_var[_ch]  # batch_normalization.yaml:49
        _t2 = _t1 + _float(eps)  # batch_normalization.yaml:49
        _t3 = math.sqrt(_t2)  # batch_normalization.yaml:49
        rstd = _float(1.0) / _t3  # batch_normalization.yaml:49
        rstd_out[_ch] = rstd
        _t4 = weight[_ch]  # batch_normalization.yaml:60
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = x[_i, _ch, _j] * rstd  # batch_normalization.yaml:50
                normalized_out[_i, _ch, _j] = normalized
                y = normalized * _t4  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_eval_no_bias_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    rstd = np.empty((x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_bias_no_running_mean_fwd_loops_0,
        x,
        channels(running_var),
        eps,
        x,
        channels(weight),
        channels(rstd),
        normalized,
        y,
    )
    return y, None, running_var, (weight, rstd, normalized)


def _jit_forward_eval_no_bias_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_bias_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        channels(weight),
        channels(rstd),
        normalized,
        y,
    )
    return y, None, None, (weight, count, rstd, normalized)


# batch_normalization_eval_no_weight_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:49,50,60
@row_kernel
def _batch_normalization_eval_no_weight_fwd_loops_0(
    _first,
    _last,
    running_var,
    eps,
    running_mean,
    x,
    bias,
    rstd_out,
    normalized_out,
    y_out,
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    for _ch in range(_first, _last):
        _t1 = running_var[_ch]  # batch_normalization.yaml:49
        _t2 = _t1 + _float(eps)  # batch_normalization.yaml:49
        _t3 = math.sqrt(_t2)  # batch_normalization.yaml:49
        rstd = _float(1.0) / _t3  # batch_normalization.yaml:49
        rstd_out[_ch] = rstd
        _t4 = running_mean[_ch]  # batch_normalization.yaml:50
        _t5 = bias[_ch]  # batch_normalization.yaml:60
        for _i in range(_i_count):
            for _j in range(_n):
                _t6 = x[_i, _ch, _j] - _t4  # batch_normalization.yaml:50
                normalized = _t6 * rstd  # batch_normalization.yaml:50
                normalized_out[_i, _ch, _j] = normalized
                y = normalized + _t5  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_eval_no_weight(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    rstd = np.empty((x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_weight_fwd_loops_0,
        x,
        channels(running_var),
        eps,
        channels(running_mean),
        x,
        channels(bias),
        channels(rstd),
        normalized,
        y,
    )
    return y, running_mean, running_var, (bias, rstd, normalized)


# batch_normalization_eval_no_weight_bwd_loops_0: layers_spec/layers/batch_normalization.yaml:62,64,71
@row_kernel
def _batch_normalization_eval_no_weight_bwd_loops_0(
    _first, _last, grad_y, rstd, grad_bias_out, grad_x_out
):
    _i_count, _, _n = grad_y.shape
    for _ch in range(_first, _last):
        shift_sums = 0.0  # batch_normalization.yaml:62
        for _i in range(_i_count):
            for _j in range(_n):
                shift_sums += grad_y[_i, _ch, _j]
                grad_x = grad_y[_i, _ch, _j] * rstd[_ch]  # batch_normalization.yaml:71
                grad_x_out[_i, _ch, _j] = grad_x
        grad_bias = shift_sums  # batch_normalization.yaml:64
        grad_bias_out[_ch] = grad_bias


def _jit_backward_eval_no_weight(grad_y, bias, rstd, normalized):
    grad_bias = np.empty((grad_y.shape[1],), grad_y.dtype)
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_weight_bwd_loops_0,
        grad_y,
        grad_y,
        channels(rstd),
        channels(grad_bias),
        grad_x,
    )
    return grad_x, None, grad_bias


# batch_normalization_eval_no_weight_no_running_var_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:53,54,55,56,57,60
@row_kernel
def _batch_normalization_eval_no_weight_no_running_var_fwd_loops_0(
    _first, _last, x, count, eps, bias, rstd_out, normalized_out, y_out
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t1 = bias[_ch]  # batch_normalization.yaml:60
        _t2 = 0.0  # batch_normalization.yaml:53
        for _i in range(_i_count):
            for _j in range(_n):
                _t2 += x[_i, _ch, _j]
        mu = _t2 / _float(count)  # batch_normalization.yaml:53
        _t3 = 0.0  # batch_normalization.yaml:55
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:54
                centered_channel[_i, _j] = centered
                _t4 = centered * centered  # batch_normalization.yaml:55
                _t3 += _t4
        variance = _t3 / _float(count)  # batch_normalization.yaml:55
        _t5 = variance + _float(eps)  # batch_normalization.yaml:56
        _t6 = math.sqrt(_t5)  # batch_normalization.yaml:56
        rstd = _float(1.0) / _t6  # batch_normalization.yaml:56
        rstd_out[_ch] = rstd
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:57
                normalized_out[_i, _ch, _j] = normalized
                y = normalized + _t1  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_eval_no_weight_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_weight_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        channels(bias),
        channels(rstd),
        normalized,
        y,
    )
    return y, running_mean, None, (bias, count, rstd, normalized)


# batch_normalization_eval_no_weight_no_running_var_bwd_loops_0: layers_spec/layers/batch_normalization.yaml:62,63,64,73
@row_kernel
def _batch_normalization_eval_no_weight_no_running_var_bwd_loops_0(
    _first, _last, grad_y, normalized, rstd, count, grad_bias_out, grad_x_out
):
    _i_count, _, _n = grad_y.shape
    _float = grad_y.dtype.type
    for _ch in range(_first, _last):
        shift_sums = 0.0  # batch_normalization.yaml:62
        scale_sums = 0.0  # batch_normalization.yaml:63
        for _i in range(_i_count):
            for _j in range(_n):
                shift_sums += grad_y[_i, _ch, _j]
                _t1 = (
                    grad_y[_i, _ch, _j] * normalized[_i, _ch, _j]
                )  # batch_normalization.yaml:63
                scale_sums += _t1
        grad_bias = shift_sums  # batch_normalization.yaml:64
        grad_bias_out[_ch] = grad_bias
        _t2 = rstd[_ch] * scale_sums  # batch_normalization.yaml:73
        _t3 = _t2 / _float(count)  # batch_normalization.yaml:73
        _t4 = rstd[_ch] * shift_sums  # batch_normalization.yaml:73
        _t5 = _t4 / _float(count)  # batch_normalization.yaml:73
        for _i in range(_i_count):
            for _j in range(_n):
                _t6 = rstd[_ch] * grad_y[_i, _ch, _j]  # batch_normalization.yaml:73
                _t7 = normalized[_i, _ch, _j] * _t3  # batch_normalization.yaml:73
                _t8 = _t6 - _t7  # batch_normalization.yaml:73
                grad_x = _t8 - _t5  # batch_normalization.yaml:73
                grad_x_out[_i, _ch, _j] = grad_x


def _jit_backward_eval_no_weight_no_running_var(grad_y, bias, count, rstd, normalized):
    grad_bias = np.empty((grad_y.shape[1],), grad_y.dtype)
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_weight_no_running_var_bwd_loops_0,
        grad_y,
        grad_y,
        normalized,
        channels(rstd),
        count,
        channels(grad_bias),
        grad_x,
    )
    return grad_x, None, grad_bias


# batch_normalization_eval_no_weight_no_running_mean_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:49,50,60
@row_kernel
def _batch_normalization_eval_no_weight_no_running_mean_fwd_loops_0(
    _first, _last, running_var, eps, x, bias, rstd_out, normalized_out, y_out
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    for _ch in range(_first, _last):
        _t1 = running_var[_ch]  # batch_normalization.yaml:49
        _t2 = _t1 + _float(eps)  # batch_normalization.yaml:49
        _t3 = math.sqrt(_t2)  # batch_normalization.yaml:49
        rstd = _float(1.0) / _t3  # batch_normalization.yaml:49
        rstd_out[_ch] = rstd
        _t4 = bias[_ch]  # batch_normalization.yaml:60
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = x[_i, _ch, _j] * rstd  # batch_normalization.yaml:50
                normalized_out[_i, _ch, _j] = normalized
                y = normalized + _t4  # batch_normalization.yaml:60
                y_out[_i, _ch, _j] = y


def _jit_forward_eval_no_weight_no_running_mean(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    rstd = np.empty((x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_weight_no_running_mean_fwd_loops_0,
        x,
        channels(running_var),
        eps,
        x,
        channels(bias),
        channels(rstd),
        normalized,
        y,
    )
    return y, None, running_var, (bias, rstd, normalized)


def _jit_forward_eval_no_weight_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    y = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_weight_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        channels(bias),
        channels(rstd),
        normalized,
        y,
    )
    return y, None, None, (bias, count, rstd, normalized)


# batch_normalization_eval_no_weight_no_bias_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:49,50
@row_kernel
def _batch_normalization_eval_no_weight_no_bias_fwd_loops_0(
    _first, _last, running_var, eps, running_mean, x, rstd_out, normalized_out
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    for _ch in range(_first, _last):
        _t1 = running_var[_ch]  # batch_normalization.yaml:49
        _t2 = _t1 + _float(eps)  # batch_normalization.yaml:49
        _t3 = math.sqrt(_t2)  # batch_normalization.yaml:49
        rstd = _float(1.0) / _t3  # batch_normalization.yaml:49
        rstd_out[_ch] = rstd
        _t4 = running_mean[_ch]  # batch_normalization.yaml:50
        for _i in range(_i_count):
            for _j in range(_n):
                _t5 = x[_i, _ch, _j] - _t4  # batch_normalization.yaml:50
                normalized = _t5 * rstd  # batch_normalization.yaml:50
                normalized_out[_i, _ch, _j] = normalized


def _jit_forward_eval_no_weight_no_bias(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    rstd = np.empty((x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_weight_no_bias_fwd_loops_0,
        x,
        channels(running_var),
        eps,
        channels(running_mean),
        x,
        channels(rstd),
        normalized,
    )
    return normalized, running_mean, running_var, (weight, rstd, normalized)


# batch_normalization_eval_no_weight_no_bias_no_running_var_fwd_loops_0: layers_spec/layers/batch_normalization.yaml:53,54,55,56,57
@row_kernel
def _batch_normalization_eval_no_weight_no_bias_no_running_var_fwd_loops_0(
    _first, _last, x, count, eps, rstd_out, normalized_out
):
    _i_count, _, _n = x.shape
    _float = x.dtype.type
    centered_channel = np.empty((_i_count, _n))
    for _ch in range(_first, _last):
        _t1 = 0.0  # batch_normalization.yaml:53
        for _i in range(_i_count):
            for _j in range(_n):
                _t1 += x[_i, _ch, _j]
        mu = _t1 / _float(count)  # batch_normalization.yaml:53
        _t2 = 0.0  # batch_normalization.yaml:55
        for _i in range(_i_count):
            for _j in range(_n):
                centered = x[_i, _ch, _j] - mu  # batch_normalization.yaml:54
                centered_channel[_i, _j] = centered
                _t3 = centered * centered  # batch_normalization.yaml:55
                _t2 += _t3
        variance = _t2 / _float(count)  # batch_normalization.yaml:55
        _t4 = variance + _float(eps)  # batch_normalization.yaml:56
        _t5 = math.sqrt(_t4)  # batch_normalization.yaml:56
        rstd = _float(1.0) / _t5  # batch_normalization.yaml:56
        rstd_out[_ch] = rstd
        for _i in range(_i_count):
            for _j in range(_n):
                normalized = (
                    centered_channel[_i, _j] * rstd
                )  # batch_normalization.yaml:57
                normalized_out[_i, _ch, _j] = normalized


def _jit_forward_eval_no_weight_no_bias_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_weight_no_bias_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        channels(rstd),
        normalized,
    )
    return normalized, running_mean, None, (count, rstd, normalized)


# batch_normalization_eval_no_weight_no_bias_no_running_var_bwd_loops_0: layers_spec/layers/batch_normalization.yaml:62,63,73
@row_kernel
def _batch_normalization_eval_no_weight_no_bias_no_running_var_bwd_loops_0(
    _first, _last, grad_y, normalized, rstd, count, grad_x_out
):
    _i_count, _, _n = grad_y.shape
    _float = grad_y.dtype.type
    for _ch in range(_first, _last):
        shift_sums = 0.0  # batch_normalization.yaml:62
        scale_sums = 0.0  # batch_normalization.yaml:63
        for _i in range(_i_count):
            for _j in range(_n):
                shift_sums += grad_y[_i, _ch, _j]
                _t1 = (
                    grad_y[_i, _ch, _j] * normalized[_i, _ch, _j]
                )  # batch_normalization.yaml:63
                scale_sums += _t1
        _t2 = rstd[_ch] * scale_sums  # batch_normalization.yaml:73
        _t3 = _t2 / _float(count)  # batch_normalization.yaml:73
        _t4 = rstd[_ch] * shift_sums  # batch_normalization.yaml:73
        _t5 = _t4 / _float(count)  # batch_normalization.yaml:73
        for _i in range(_i_count):
            for _j in range(_n):
                _t6 = rstd[_ch] * grad_y[_i, _ch, _j]  # batch_normalization.yaml:73
                _t7 = normalized[_i, _ch, _j] * _t3  # batch_normalization.yaml:73
                _t8 = _t6 - _t7  # batch_normalization.yaml:73
                grad_x = _t8 - _t5  # batch_normalization.yaml:73
                grad_x_out[_i, _ch, _j] = grad_x


def _jit_backward_eval_no_weight_no_bias_no_running_var(
    grad_y, count, rstd, normalized
):
    grad_x = np.empty(grad_y.shape, grad_y.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_weight_no_bias_no_running_var_bwd_loops_0,
        grad_y,
        grad_y,
        normalized,
        channels(rstd),
        count,
        grad_x,
    )
    return grad_x, None, None


def _jit_forward_eval_no_weight_no_bias_no_running_mean_no_running_var(
    x, weight, bias, running_mean, running_var, momentum, eps
):
    _t1 = x.shape[0]
    _t2 = x.shape[2]
    count = _t1 * _t2
    rstd = np.empty((1, x.shape[1], 1), x.dtype)
    normalized = np.empty(x.shape, x.dtype)
    in_channel_blocks(
        _batch_normalization_eval_no_weight_no_bias_no_running_var_fwd_loops_0,
        x,
        x,
        count,
        eps,
        channels(rstd),
        normalized,
    )
    return normalized, None, None, (count, rstd, normalized)


_JIT_VARIANTS = {
    (True, True, True, True, True): (_jit_forward_train, _jit_backward_train),
    (True, True, True, True, False): (
        _jit_forward_train_no_running_var,
        _jit_backward_train,
    ),
    (True, True, True, False, True): (
        _jit_forward_train_no_running_mean,
        _jit_backward_train,
    ),
    (True, True, True, False, False): (
        _jit_forward_train_no_running_mean_no_running_var,
        _jit_backward_train,
    ),
    (True, True, False, True, True): (
        _jit_forward_train_no_bias,
        _jit_backward_train_no_bias,
    ),
    (True, True, False, True, False): (
        _jit_forward_train_no_bias_no_running_var,
        _jit_backward_train_no_bias,
    ),
    (True, True, False, False, True): (
        _jit_forward_train_no_bias_no_running_mean,
        _jit_backward_train_no_bias,
    ),
    (True, True, False, False, False): (
        _jit_forward_train_no_bias_no_running_mean_no_running_var,
        _jit_backward_train_no_bias,
    ),
    (True, False, True, True, True): (
        _jit_forward_train_no_weight,
        _jit_backward_train_no_weight,
    ),
    (True, False, True, True, False): (
        _jit_forward_train_no_weight_no_running_var,
        _jit_backward_train_no_weight,
    ),
    (True, False, True, False, True): (
        _jit_forward_train_no_weight_no_running_mean,
        _jit_backward_train_no_weight,
    ),
    (True, False, True, False, False): (
        _jit_forward_train_no_weight_no_running_mean_no_running_var,
        _jit_backward_train_no_weight,
    ),
    (True, False, False, True, True): (
        _jit_forward_train_no_weight_no_bias,
        _jit_backward_train_no_weight_no_bias,
    ),
    (True, False, False, True, False): (
        _jit_forward_train_no_weight_no_bias_no_running_var,
        _jit_backward_train_no_weight_no_bias,
    ),
    (True, False, False, False, True): (
        _jit_forward_train_no_weight_no_bias_no_running_mean,
        _jit_backward_train_no_weight_no_bias,
    ),
    (True, False, False, False, False): (
        _jit_forward_train_no_weight_no_bias_no_running_mean_no_running_var,
        _jit_backward_train_no_weight_no_bias,
    ),
    (False, True, True, True, True): (_jit_forward_eval, _jit_backward_eval),
    (False, True, True, True, False): (
        _jit_forward_eval_no_running_var,
        _jit_backward_eval_no_running_var,
    ),
    (False, True, True, False, True): (
        _jit_forward_eval_no_running_mean,
        _jit_backward_eval,
    ),
    (False, True, True, False, False): (
        _jit_forward_eval_no_running_mean_no_running_var,
        _jit_backward_eval_no_running_var,
    ),
    (False, True, False, True, True): (
        _jit_forward_eval_no_bias,
        _jit_backward_eval_no_bias,
    ),
    (False, True, False, True, False): (
        _jit_forward_eval_no_bias_no_running_var,
        _jit_backward_eval_no_bias_no_running_var,
    ),
    (False, True, False, False, True): (
        _jit_forward_eval_no_bias_no_running_mean,
        _jit_backward_eval_no_bias,
    ),
    (False, True, False, False, False): (
        _jit_forward_eval_no_bias_no_running_mean_no_running_var,
        _jit_backward_eval_no_bias_no_running_var,
    ),
    (False, False, True, True, True): (
        _jit_forward_eval_no_weight,
        _jit_backward_eval_no_weight,
    ),
    (False, False, True, True, False): (
        _jit_forward_eval_no_weight_no_running_var,
        _jit_backward_eval_no_weight_no_running_var,
    ),
    (False, False, True, False, True): (
        _jit_forward_eval_no_weight_no_running_mean,
        _jit_backward_eval_no_weight,
    ),
    (False, False, True, False, False): (
        _jit_forward_eval_no_weight_no_running_mean_no_running_var,
        _jit_backward_eval_no_weight_no_running_var,
    ),
    (False, False, False, True, True): (
        _jit_forward_eval_no_weight_no_bias,
        _backward_eval_no_weight_no_bias,
    ),
    (False, False, False, True, False): (
        _jit_forward_eval_no_weight_no_bias_no_running_var,
        _jit_backward_eval_no_weight_no_bias_no_running_var,
    ),
    (False, False, False, False, True): (
        _forward_eval_no_weight_no_bias_no_running_mean,
        _backward_eval_no_weight_no_bias,
    ),
    (False, False, False, False, False): (
        _jit_forward_eval_no_weight_no_bias_no_running_mean_no_running_var,
        _jit_backward_eval_no_weight_no_bias_no_running_var,
    ),
}
