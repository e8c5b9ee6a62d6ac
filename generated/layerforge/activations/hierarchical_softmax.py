"""HierarchicalSoftmax: The catalog's per-depth hierarchical softmax: one weight vector per
level of a binary tree of depth D = ceil(log2(num_classes)); the probability of class c
is the product over levels d of sigmoid(w_d . x) where bit d of c (most significant
first) is 1, and 1 - sigmoid(w_d . x) where it is 0. Computed in log space.
Generated from layers_spec/activations/hierarchical_softmax.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_attribute

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight",)
OUTPUTS = ("y",)


def forward(x, weight, *, num_classes):
    """HierarchicalSoftmax forward pass.

    The catalog's per-depth hierarchical softmax: one weight vector per level of a
    binary tree of depth D = ceil(log2(num_classes)); the probability of class c is the
    product over levels d of sigmoid(w_d . x) where bit d of c (most significant first)
    is 1, and 1 - sigmoid(w_d . x) where it is 0. Computed in log space.

    Args:
        x: float32 or float64 input of shape [B, in_features].
        weight: float32 or float64 parameter of shape [depth, in_features]. One row per
            tree level; depth = ceil(log2(num_classes)).
        num_classes: int, required. Number of classes K (required).

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "hierarchical_softmax",
        {"x": x, "weight": weight},
        {"x": ("B", "in_features"), "weight": ("depth", "in_features")},
    )
    check_attribute(
        "hierarchical_softmax", "num_classes", num_classes, "int", minimum=2
    )
    y, saved = _forward(x, weight, num_classes)
    return y, (_backward, saved)


def backward(grad_y, ctx):
    """HierarchicalSoftmax backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight: gradients with respect to x, weight, in that order.
    """
    check_arrays("hierarchical_softmax", {"grad_y": grad_y}, {"grad_y": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_y, *saved)


def _forward(x, weight, num_classes):
    logits = x @ weight.T
    codes = _binary_codes(num_classes, weight)
    log_probability = -_softplus(-logits) @ codes.T + -_softplus(logits) @ (1 - codes).T
    y = np.exp(log_probability)
    return y, (x, weight, logits, codes, y)


def _backward(grad_y, x, weight, logits, codes, y):
    grad_log_probability = grad_y * y
    grad_logits = -(grad_log_probability @ (1 - codes)) * _sigmoid(logits) + -(
        -(grad_log_probability @ codes) * _sigmoid(-logits)
    )
    grad_x = grad_logits @ weight
    grad_weight = grad_logits.T @ x
    return grad_x, grad_weight


def _binary_codes(num_classes, weight):
    """Row c holds the bits of class c, most significant first, one bit per row of weight."""
    depth = max(1, (num_classes - 1).bit_length())
    if weight.shape[0] != depth:
        raise ValueError(
            f"hierarchical_softmax: weight must have {depth} rows for num_classes="
            f"{num_classes} (one per tree level), got shape {tuple(weight.shape)}"
        )
    shifts = np.arange(depth - 1, -1, -1)
    return ((np.arange(num_classes)[:, None] >> shifts) & 1).astype(weight.dtype)


def _sigmoid(x):
    """Logistic sigmoid exp(min(x, 0)) / (1 + exp(-|x|)): exp only of non-positive numbers."""
    numerator = np.exp(np.minimum(x, 0))
    numerator /= 1 + np.exp(-np.abs(x))
    return numerator


def _softplus(x):
    """log(1 + exp(x)) without overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
