"""GridSample: Bilinear sampling of NCHW feature maps at a grid of normalized points, as
F.grid_sample with mode 'bilinear' and padding_mode 'zeros': y[n, c, i, j] interpolates
x[n, c] at grid[n, i, j] = (x, y) in [-1, 1] (-1 the left or top, 1 the right or
bottom), zeros outside the image. Gradients for the image and for the grid.
Generated from layers_spec/layers/grid_sample.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, check_attribute
from layerforge._cupy_runtime import on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x", "grid")
PARAMETERS = ()
OUTPUTS = ("y",)


def forward(x, grid, *, align_corners=False):
    """GridSample forward pass.

    Bilinear sampling of NCHW feature maps at a grid of normalized points, as
    F.grid_sample with mode 'bilinear' and padding_mode 'zeros': y[n, c, i, j]
    interpolates x[n, c] at grid[n, i, j] = (x, y) in [-1, 1] (-1 the left or top, 1 the
    right or bottom), zeros outside the image. Gradients for the image and for the grid.

    Args:
        x: float32 or float64 input of shape [B, C, H, W]. A batch of feature maps.
        grid: float32 or float64 input of shape [B, H_out, W_out, xy]. Sampling points
            (x, y), normalized to [-1, 1].
        align_corners: bool, default False. True: -1 and 1 are the centres of the corner
            pixels; False (PyTorch's default): the outer edges of the image.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "grid_sample",
        {"x": x, "grid": grid},
        {"x": ("B", "C", "H", "W"), "grid": ("B", "H_out", "W_out", "xy")},
    )
    check_attribute("grid_sample", "align_corners", align_corners, "bool")
    if on_gpu(x):
        y, saved = _cupy_forward(x, grid, align_corners)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, grid, align_corners)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """GridSample backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_grid: gradients with respect to x, grid, in that order.
    """
    backward_variant, saved = check_context(
        "grid_sample", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward(x, grid, align_corners):
    y = _grid_sample(x, grid, align_corners)
    return y, (x, grid, align_corners)


def _backward(grad_y, x, grid, align_corners):
    grad_x = _grid_sample_image_grad(grad_y, x, grid, align_corners)
    grad_grid = _grid_sample_grid_grad(grad_y, x, grid, align_corners)
    return grad_x, grad_grid


def _grid_corners(grid, height, width, align_corners):
    """For grid [N, H_out, W_out, 2] of normalized (x, y) points, the four bilinear
    neighbours on an image of height x width pixels (F.grid_sample's pixel centres:
    -1 and 1 are the corner pixels' centres with align_corners, else the image's edges):
    a list of (pixel index y * width + x [N, P], weight [N, P] (0 off the image:
    zeros padding), d weight / d x, d weight / d y), and (d x / d grid_x, d y / d grid_y).
    """
    n, points = grid.shape[0], grid.shape[1] * grid.shape[2]
    gx, gy = grid[..., 0].reshape(n, points), grid[..., 1].reshape(n, points)
    if align_corners:
        scale_x, scale_y = (width - 1) / 2, (height - 1) / 2
        px, py = (gx + 1) * scale_x, (gy + 1) * scale_y
    else:
        scale_x, scale_y = width / 2, height / 2
        px, py = (gx + 1) * scale_x - 0.5, (gy + 1) * scale_y - 0.5
    x0, y0 = np.floor(px), np.floor(py)
    fx, fy = px - x0, py - y0
    corners = []
    for dy, wy, dwy in ((0, 1 - fy, -1.0), (1, fy, 1.0)):
        for dx, wx, dwx in ((0, 1 - fx, -1.0), (1, fx, 1.0)):
            cx, cy = x0 + dx, y0 + dy
            inside = (cx >= 0) & (cx <= width - 1) & (cy >= 0) & (cy <= height - 1)
            index = np.where(inside, cy * width + cx, 0).astype(np.intp)
            corners.append(
                (
                    index,
                    np.where(inside, wx * wy, 0),
                    np.where(inside, dwx * wy, 0),
                    np.where(inside, wx * dwy, 0),
                )
            )
    return corners, (scale_x, scale_y)


def _grid_sample(x, grid, align_corners):
    """Bilinear samples of x [N, C, H, W] at grid [N, H_out, W_out, 2]: each point's
    four neighbours gathered from the channels-last image and weighted (zeros off the
    image) -> [N, C, H_out, W_out]."""
    n, c, h, w = x.shape
    if grid.ndim != 4 or grid.shape[0] != n or grid.shape[3] != 2:
        raise ValueError(
            f"grid_sample: argument 'grid' must have shape [N, H_out, W_out, 2] with N = {n} "
            f"(the images of 'x'), got {tuple(grid.shape)}"
        )
    if not (h and w):
        raise ValueError(
            f"grid_sample: argument 'x' has no pixels to sample (shape {tuple(x.shape)})"
        )
    out_h, out_w = grid.shape[1], grid.shape[2]
    pixels = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).reshape(n, h * w, c)
    images = np.arange(n)[:, None]
    corners, _ = _grid_corners(grid, h, w, align_corners)
    result = np.zeros((n, out_h * out_w, c), dtype=x.dtype)
    for index, weight, _, _ in corners:
        result += pixels[images, index] * weight[..., None].astype(x.dtype)
    return np.ascontiguousarray(
        result.reshape(n, out_h, out_w, c).transpose(0, 3, 1, 2)
    )


def _grid_sample_grid_grad(grad, x, grid, align_corners):
    """The gradient of _grid_sample for the grid: per point, the sum over channels of
    the gradient times each neighbour's value times the slope of its weight along x and
    y, scaled from pixels to normalized coordinates."""
    n, c, h, w = x.shape
    corners, (scale_x, scale_y) = _grid_corners(grid, h, w, align_corners)
    per_point = np.ascontiguousarray(grad.transpose(0, 2, 3, 1)).reshape(
        n, grid.shape[1] * grid.shape[2], c
    )
    pixels = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).reshape(n, h * w, c)
    images = np.arange(n)[:, None]
    slope_x = np.zeros(per_point.shape[:2], dtype=grad.dtype)
    slope_y = np.zeros_like(slope_x)
    for index, _, dwx, dwy in corners:
        along = np.einsum("npc,npc->np", per_point, pixels[images, index])
        slope_x += along * dwx
        slope_y += along * dwy
    return (
        np.stack([slope_x * scale_x, slope_y * scale_y], axis=-1)
        .reshape(grid.shape)
        .astype(grid.dtype, copy=False)
    )


def _grid_sample_image_grad(grad, x, grid, align_corners):
    """The gradient of _grid_sample for x: each sample's gradient, weighted, added onto
    its four neighbours (one bincount per channel over all corners of all points)."""
    n, c, h, w = x.shape
    corners, _ = _grid_corners(grid, h, w, align_corners)
    per_point = np.ascontiguousarray(grad.transpose(0, 2, 3, 1)).reshape(
        n * grid.shape[1] * grid.shape[2], c
    )
    offsets = (np.arange(n) * (h * w))[:, None]
    index = np.concatenate([(i + offsets).reshape(-1) for i, _, _, _ in corners])
    spread = np.concatenate(
        [per_point * weight.reshape(-1, 1) for _, weight, _, _ in corners]
    )
    pixels = np.empty((n * h * w, c), dtype=grad.dtype)
    for k in range(c):
        pixels[:, k] = np.bincount(index, spread[:, k], minlength=n * h * w)
    return np.ascontiguousarray(pixels.reshape(n, h, w, c).transpose(0, 3, 1, 2))


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward(x, grid, align_corners):
    y = _cupy_grid_sample(x, grid, align_corners)
    return y, (x, grid, align_corners)


def _cupy_backward(grad_y, x, grid, align_corners):
    grad_x = _cupy_grid_sample_image_grad(grad_y, x, grid, align_corners)
    grad_grid = _cupy_grid_sample_grid_grad(grad_y, x, grid, align_corners)
    return grad_x, grad_grid


def _cupy_grid_corners(grid, height, width, align_corners):
    """For grid [N, H_out, W_out, 2] of normalized (x, y) points, the four bilinear
    neighbours on an image of height x width pixels (F.grid_sample's pixel centres:
    -1 and 1 are the corner pixels' centres with align_corners, else the image's edges):
    a list of (pixel index y * width + x [N, P], weight [N, P] (0 off the image:
    zeros padding), d weight / d x, d weight / d y), and (d x / d grid_x, d y / d grid_y).
    """
    import cupy as cp

    n, points = grid.shape[0], grid.shape[1] * grid.shape[2]
    gx, gy = grid[..., 0].reshape(n, points), grid[..., 1].reshape(n, points)
    if align_corners:
        scale_x, scale_y = (width - 1) / 2, (height - 1) / 2
        px, py = (gx + 1) * scale_x, (gy + 1) * scale_y
    else:
        scale_x, scale_y = width / 2, height / 2
        px, py = (gx + 1) * scale_x - 0.5, (gy + 1) * scale_y - 0.5
    x0, y0 = cp.floor(px), cp.floor(py)
    fx, fy = px - x0, py - y0
    corners = []
    for dy, wy, dwy in ((0, 1 - fy, -1.0), (1, fy, 1.0)):
        for dx, wx, dwx in ((0, 1 - fx, -1.0), (1, fx, 1.0)):
            cx, cy = x0 + dx, y0 + dy
            inside = (cx >= 0) & (cx <= width - 1) & (cy >= 0) & (cy <= height - 1)
            index = cp.where(inside, cy * width + cx, 0).astype(cp.intp)
            corners.append(
                (
                    index,
                    cp.where(inside, wx * wy, 0),
                    cp.where(inside, dwx * wy, 0),
                    cp.where(inside, wx * dwy, 0),
                )
            )
    return corners, (scale_x, scale_y)


def _cupy_grid_sample(x, grid, align_corners):
    """Bilinear samples of x [N, C, H, W] at grid [N, H_out, W_out, 2]: each point's
    four neighbours gathered from the channels-last image and weighted (zeros off the
    image) -> [N, C, H_out, W_out]."""
    import cupy as cp

    n, c, h, w = x.shape
    if grid.ndim != 4 or grid.shape[0] != n or grid.shape[3] != 2:
        raise ValueError(
            f"grid_sample: argument 'grid' must have shape [N, H_out, W_out, 2] with N = {n} "
            f"(the images of 'x'), got {tuple(grid.shape)}"
        )
    if not (h and w):
        raise ValueError(
            f"grid_sample: argument 'x' has no pixels to sample (shape {tuple(x.shape)})"
        )
    out_h, out_w = grid.shape[1], grid.shape[2]
    pixels = cp.ascontiguousarray(x.transpose(0, 2, 3, 1)).reshape(n, h * w, c)
    images = cp.arange(n)[:, None]
    corners, _ = _cupy_grid_corners(grid, h, w, align_corners)
    result = cp.zeros((n, out_h * out_w, c), dtype=x.dtype)
    for index, weight, _, _ in corners:
        result += pixels[images, index] * weight[..., None].astype(x.dtype)
    return cp.ascontiguousarray(
        result.reshape(n, out_h, out_w, c).transpose(0, 3, 1, 2)
    )


def _cupy_grid_sample_grid_grad(grad, x, grid, align_corners):
    """The gradient of _grid_sample for the grid: per point, the sum over channels of
    the gradient times each neighbour's value times the slope of its weight along x and
    y, scaled from pixels to normalized coordinates."""
    import cupy as cp

    n, c, h, w = x.shape
    corners, (scale_x, scale_y) = _cupy_grid_corners(grid, h, w, align_corners)
    per_point = cp.ascontiguousarray(grad.transpose(0, 2, 3, 1)).reshape(
        n, grid.shape[1] * grid.shape[2], c
    )
    pixels = cp.ascontiguousarray(x.transpose(0, 2, 3, 1)).reshape(n, h * w, c)
    images = cp.arange(n)[:, None]
    slope_x = cp.zeros(per_point.shape[:2], dtype=grad.dtype)
    slope_y = cp.zeros_like(slope_x)
    for index, _, dwx, dwy in corners:
        along = cp.einsum("npc,npc->np", per_point, pixels[images, index])
        slope_x += along * dwx
        slope_y += along * dwy
    return (
        cp.stack([slope_x * scale_x, slope_y * scale_y], axis=-1)
        .reshape(grid.shape)
        .astype(grid.dtype, copy=False)
    )


def _cupy_grid_sample_image_grad(grad, x, grid, align_corners):
    """The gradient of _grid_sample for x: each sample's gradient, weighted, added onto
    its four neighbours (one bincount per channel over all corners of all points)."""
    import cupy as cp

    n, c, h, w = x.shape
    corners, _ = _cupy_grid_corners(grid, h, w, align_corners)
    per_point = cp.ascontiguousarray(grad.transpose(0, 2, 3, 1)).reshape(
        n * grid.shape[1] * grid.shape[2], c
    )
    offsets = (cp.arange(n) * (h * w))[:, None]
    index = cp.concatenate([(i + offsets).reshape(-1) for i, _, _, _ in corners])
    spread = cp.concatenate(
        [per_point * weight.reshape(-1, 1) for _, weight, _, _ in corners]
    )
    pixels = cp.empty((n * h * w, c), dtype=grad.dtype)
    for k in range(c):
        pixels[:, k] = cp.bincount(index, spread[:, k], minlength=n * h * w)
    return cp.ascontiguousarray(pixels.reshape(n, h, w, c).transpose(0, 3, 1, 2))
