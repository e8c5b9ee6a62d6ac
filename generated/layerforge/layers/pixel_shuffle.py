"""PixelShuffling: Rearranges [B, C * r * r, H, W] into [B, C, H * r, W * r] as
torch.nn.PixelShuffle (r the upscale factor), or back as torch.nn.PixelUnshuffle with
inverse true: channel c * r * r + i * r + j becomes pixel (i, j) of each r x r block
(PyTorch's channel-major order). Each direction's gradient is the other.
Generated from layers_spec/layers/pixel_shuffle.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    copy_by_images,
)
from layerforge._cupy_runtime import on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, upscale_factor=2, inverse=False):
    """PixelShuffling forward pass.

    Rearranges [B, C * r * r, H, W] into [B, C, H * r, W * r] as torch.nn.PixelShuffle
    (r the upscale factor), or back as torch.nn.PixelUnshuffle with inverse true:
    channel c * r * r + i * r + j becomes pixel (i, j) of each r x r block (PyTorch's
    channel-major order). Each direction's gradient is the other.

    Args:
        x: float32 or float64 input of shape [B, C, H, W]. A batch of feature maps.
        upscale_factor: int, default 2. r: how many times larger each side becomes
            (smaller, with inverse).
        inverse: bool, default False. True for torch.nn.PixelUnshuffle (space to depth).

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("pixel_shuffle", {"x": x}, {"x": ("B", "C", "H", "W")})
    check_attribute("pixel_shuffle", "upscale_factor", upscale_factor, "int", minimum=1)
    check_attribute("pixel_shuffle", "inverse", inverse, "bool")
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[inverse]
        y, saved = forward_variant(x, upscale_factor)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    forward_variant, backward_variant = _VARIANTS[inverse]
    y, saved = forward_variant(x, upscale_factor)
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """PixelShuffling backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "pixel_shuffle", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_inverse(x, upscale_factor):
    y = _pixel_unshuffle(x, upscale_factor)
    return y, (upscale_factor,)


def _backward_inverse(grad_y, upscale_factor):
    grad_x = _pixel_shuffle(grad_y, upscale_factor)
    return grad_x


def _forward_no_inverse(x, upscale_factor):
    y = _pixel_shuffle(x, upscale_factor)
    return y, (upscale_factor,)


def _backward_no_inverse(grad_y, upscale_factor):
    grad_x = _pixel_unshuffle(grad_y, upscale_factor)
    return grad_x


_VARIANTS = {
    True: (_forward_inverse, _backward_inverse),
    False: (_forward_no_inverse, _backward_no_inverse),
}


def _pixel_shuffle(x, factor):
    """x [N, C * r * r, H, W] -> [N, C, H * r, W * r]: channel c * r * r + i * r + j
    becomes the pixel offset (i, j) of each r x r block (PyTorch's order)."""
    n, c, h, w = x.shape
    if c % (factor * factor):
        raise ValueError(
            f"pixel_shuffle: attribute 'upscale_factor' = {factor}: the input's channels ({c}) "
            f"must be divisible by upscale_factor squared ({factor * factor}); got shape {tuple(x.shape)}"
        )
    blocks = x.reshape(n, c // (factor * factor), factor, factor, h, w)
    return copy_by_images(blocks.transpose(0, 1, 4, 2, 5, 3)).reshape(
        n, c // (factor * factor), h * factor, w * factor
    )


def _pixel_unshuffle(x, factor):
    """x [N, C, H * r, W * r] -> [N, C * r * r, H, W]: the pixel offset (i, j) of each
    r x r block becomes channel c * r * r + i * r + j (F.pixel_unshuffle)."""
    n, c, h, w = x.shape
    if h % factor or w % factor:
        raise ValueError(
            f"pixel_unshuffle: attribute 'downscale_factor' = {factor} must divide the input's "
            f"height ({h}) and width ({w}); got shape {tuple(x.shape)}"
        )
    blocks = x.reshape(n, c, h // factor, factor, w // factor, factor)
    return copy_by_images(blocks.transpose(0, 1, 3, 5, 2, 4)).reshape(
        n, c * factor * factor, h // factor, w // factor
    )


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward_inverse(x, upscale_factor):
    y = _pixel_unshuffle(x, upscale_factor)
    return y, (upscale_factor,)


def _cupy_backward_inverse(grad_y, upscale_factor):
    grad_x = _pixel_shuffle(grad_y, upscale_factor)
    return grad_x


def _cupy_forward_no_inverse(x, upscale_factor):
    y = _pixel_shuffle(x, upscale_factor)
    return y, (upscale_factor,)


def _cupy_backward_no_inverse(grad_y, upscale_factor):
    grad_x = _pixel_unshuffle(grad_y, upscale_factor)
    return grad_x


_CUPY_VARIANTS = {
    True: (_cupy_forward_inverse, _cupy_backward_inverse),
    False: (_cupy_forward_no_inverse, _cupy_backward_no_inverse),
}
