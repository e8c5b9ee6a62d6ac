"""MeanSquaredError: The mean over all elements of (prediction - target)^2, the two
broadcast against each other, as torch.nn.functional.mse_loss.
Generated from layers_spec/losses/mean_squared_error.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    broadcast_inputs,
    sum_to_shapes,
    check_nonempty,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("prediction", "target")
PARAMETERS = ()
OUTPUTS = ("loss",)


def forward(prediction, target):
    """MeanSquaredError forward pass.

    The mean over all elements of (prediction - target)^2, the two broadcast against
    each other, as torch.nn.functional.mse_loss.

    Args:
        prediction: float32 or float64 input of shape [..., F].
        target: float32 or float64 input of shape [..., F].

    Returns:
        (loss, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "mean_squared_error",
        {"prediction": prediction, "target": target},
        {"prediction": ("...", "F"), "target": ("...", "F")},
        leading="broadcast",
    )
    check_nonempty("mean_squared_error", "prediction", prediction.shape)
    check_nonempty("mean_squared_error", "target", target.shape)
    prediction, target, input_shapes = broadcast_inputs(prediction, target)
    if on_gpu(prediction):
        loss, saved = _cupy_forward(prediction, target)
        return loss, (_cupy_backward, saved, (loss.dtype, loss.shape), input_shapes)
    loss, saved = _forward(prediction, target)
    return loss, (_backward, saved, (loss.dtype, loss.shape), input_shapes)


def backward(grad_loss, ctx):
    """MeanSquaredError backward pass.

    Args:
        grad_loss: gradient of the loss with respect to loss.
        ctx: the context returned by forward.

    Returns:
        grad_prediction, grad_target: gradients with respect to prediction, target, in
            that order.
    """
    backward_variant, saved = check_context(
        "mean_squared_error", __name__, ctx, {"grad_loss": grad_loss}
    )
    return sum_to_shapes(backward_variant(grad_loss, *saved), ctx[3])


def _forward(prediction, target):
    difference = prediction - target
    _t1 = prediction.size
    loss = np.sum(difference * difference) / _t1
    return loss, (prediction, difference, _t1)


def _backward(grad_loss, prediction, difference, _t1):
    _t2 = np.broadcast_to(grad_loss / _t1, prediction.shape) * difference
    grad_difference = np.add(_t2, _t2, out=_t2)
    grad_target = -grad_difference
    return grad_difference, grad_target


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# mean_squared_error_fwd_0: layers_spec/losses/mean_squared_error.yaml:11,12
_mean_squared_error_fwd_0 = ElementwiseKernel(
    "mean_squared_error_fwd_0",
    "T prediction, T target",
    "T difference, T _t1",
    """
    difference = prediction - target;
    _t1 = difference * difference;
    """,
)


def _cupy_forward(prediction, target):
    import cupy as cp

    difference, _t1 = _mean_squared_error_fwd_0(prediction, target)
    _t2 = cp.sum(_t1)
    _t3 = prediction.size
    loss = _t2 / _t3
    return loss, (prediction, difference, _t3)


# mean_squared_error_bwd_0: layers_spec/primitives.yaml:61,62,52
_mean_squared_error_bwd_0 = ElementwiseKernel(
    "mean_squared_error_bwd_0",
    "T _t5, T difference",
    "T grad_difference, T grad_target",
    """
    T _t6 = _t5 * difference;
    T _t7 = _t5 * difference;
    grad_difference = _t6 + _t7;
    grad_target = -grad_difference;
    """,
)


def _cupy_backward(grad_loss, prediction, difference, _t3):
    import cupy as cp

    _t4 = grad_loss / _t3
    _t5 = cp.broadcast_to(_t4, prediction.shape)
    grad_difference, grad_target = _mean_squared_error_bwd_0(_t5, difference)
    return grad_difference, grad_target
