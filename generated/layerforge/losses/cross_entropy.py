"""CrossEntropy: Softmax cross-entropy on logits, averaged over the batch: -mean_b sum_c
target[b, c] log softmax(logits)[b, c], with target one-hot rows or class probabilities
(as torch.nn.functional.cross_entropy with probability targets;
layerforge.nn.CrossEntropyLoss takes integer class labels).
Generated from layers_spec/losses/cross_entropy.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays

__all__ = ["forward", "backward"]

INPUTS = ("logits", "target")
PARAMETERS = ()
OUTPUTS = ("loss",)


def forward(logits, target):
    """CrossEntropy forward pass.

    Softmax cross-entropy on logits, averaged over the batch: -mean_b sum_c target[b, c]
    log softmax(logits)[b, c], with target one-hot rows or class probabilities (as
    torch.nn.functional.cross_entropy with probability targets;
    layerforge.nn.CrossEntropyLoss takes integer class labels).

    Args:
        logits: float32 or float64 input of shape [B, C]. Unnormalized scores.
        target: float32 or float64 input of shape [B, C]. One-hot rows or class
            probabilities.

    Returns:
        (loss, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "cross_entropy",
        {"logits": logits, "target": target},
        {"logits": ("B", "C"), "target": ("B", "C")},
    )
    loss, saved = _forward(logits, target)
    return loss, (_backward, saved)


def backward(grad_loss, ctx):
    """CrossEntropy backward pass.

    Args:
        grad_loss: gradient of the loss with respect to loss.
        ctx: the context returned by forward.

    Returns:
        grad_logits, grad_target: gradients with respect to logits, target, in that
            order.
    """
    check_arrays("cross_entropy", {"grad_loss": grad_loss}, {"grad_loss": ("...",)})
    backward_variant, saved = ctx
    return backward_variant(grad_loss, *saved)


def _forward(logits, target):
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    log_probability = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    loss = -np.sum(target * log_probability) / logits.shape[0]
    return loss, (logits, target, log_probability)


def _backward(grad_loss, logits, target, log_probability):
    scale = grad_loss / logits.shape[0]
    grad_logits = (
        np.exp(log_probability) * np.sum(target, axis=-1, keepdims=True) - target
    ) * scale
    grad_target = -log_probability
    grad_target *= scale
    return grad_logits, grad_target
