"""Upsampling: Nearest-neighbour upsampling of [B, C, H, W] by an integer factor, y[b, c,
i, j] = x[b, c, i // s, j // s] (torch.nn.Upsample(mode="nearest")); backward sums each
s x s block.
Generated from layers_spec/layers/upsampling.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, check_attribute, in_chunks
from layerforge._cupy_runtime import on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, *, scale_factor=2):
    """Upsampling forward pass.

    Nearest-neighbour upsampling of [B, C, H, W] by an integer factor, y[b, c, i, j] =
    x[b, c, i // s, j // s] (torch.nn.Upsample(mode="nearest")); backward sums each s x
    s block.

    Args:
        x: float32 or float64 input of shape [B, C, H, W].
        scale_factor: int, default 2. The integer factor s for height and width.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("upsampling", {"x": x}, {"x": ("B", "C", "H", "W")})
    check_attribute("upsampling", "scale_factor", scale_factor, "int", minimum=1)
    if on_gpu(x):
        y, saved = _cupy_forward(x, scale_factor)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, scale_factor)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """Upsampling backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x: gradients with respect to x, in that order.
    """
    backward_variant, saved = check_context(
        "upsampling", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, scale_factor):
    y = _upsample_nearest(x, scale_factor)
    return y, (scale_factor,)


def _backward(grad_y, scale_factor):
    grad_x = _block_sum(grad_y, scale_factor)
    return grad_x


def _block_sum(x, scale):
    """Sums of the scale x scale blocks of x [N, C, H * scale, W * scale]: one strided
    add per position in the block (faster than a reduction over two inner axes), image
    by image (on threads, see in_chunks) so that an image's sums stay in cache."""
    n, c, h, w = x.shape
    total = np.empty((n, c, h // scale, w // scale), dtype=x.dtype)

    def images(first, last):
        part, sums = x[first:last], total[first:last]
        sums[...] = part[:, :, ::scale, ::scale]
        for u in range(scale):
            for v in range(scale):
                if u or v:
                    sums += part[:, :, u::scale, v::scale]

    in_chunks(images, n, x)
    return total


def _upsample_nearest(x, scale):
    """Nearest-neighbour upsampling of x [N, C, H, W] by an integer factor: one strided
    copy of x per position in the scale x scale block, image by image (on threads, see
    in_chunks) so that an image's output is written while it is in the CPU's cache."""
    n, c, h, w = x.shape
    blocks = np.empty((n, c, h, scale, w, scale), dtype=x.dtype)

    def images(first, last):
        for u in range(scale):
            for v in range(scale):
                blocks[first:last, :, :, u, :, v] = x[first:last]

    in_chunks(images, n, x)
    return blocks.reshape(n, c, h * scale, w * scale)


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward(x, scale_factor):
    y = _cupy_upsample_nearest(x, scale_factor)
    return y, (scale_factor,)


def _cupy_backward(grad_y, scale_factor):
    grad_x = _cupy_block_sum(grad_y, scale_factor)
    return grad_x


def _cupy_block_sum(x, scale):
    """Sums of the scale x scale blocks of x [N, C, H * scale, W * scale]: one strided
    add per position in the block (faster than a reduction over two inner axes), image
    by image (on threads, see in_chunks) so that an image's sums stay in cache."""
    import cupy as cp

    n, c, h, w = x.shape
    total = cp.empty((n, c, h // scale, w // scale), dtype=x.dtype)

    def images(first, last):
        part, sums = x[first:last], total[first:last]
        sums[...] = part[:, :, ::scale, ::scale]
        for u in range(scale):
            for v in range(scale):
                if u or v:
                    sums += part[:, :, u::scale, v::scale]

    in_chunks(images, n, x)
    return total


def _cupy_upsample_nearest(x, scale):
    """Nearest-neighbour upsampling of x [N, C, H, W] by an integer factor: one strided
    copy of x per position in the scale x scale block, image by image (on threads, see
    in_chunks) so that an image's output is written while it is in the CPU's cache."""
    import cupy as cp

    n, c, h, w = x.shape
    blocks = cp.empty((n, c, h, scale, w, scale), dtype=x.dtype)

    def images(first, last):
        for u in range(scale):
            for v in range(scale):
                blocks[first:last, :, :, u, :, v] = x[first:last]

    in_chunks(images, n, x)
    return blocks.reshape(n, c, h * scale, w * scale)
