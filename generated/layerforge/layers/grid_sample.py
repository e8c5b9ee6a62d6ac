"""GridSample: Bilinear sampling of NCHW feature maps at a grid of normalized points, as
F.grid_sample with mode 'bilinear' and padding_mode 'zeros': y[n, c, i, j] interpolates
x[n, c] at grid[n, i, j] = (x, y) in [-1, 1] (-1 the left or top, 1 the right or
bottom), zeros outside the image. Gradients for the image and for the grid.
Generated from layers_spec/layers/grid_sample.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_grid,
    in_chunks,
    take_columns,
)
from layerforge._cupy_runtime import on_gpu
from layerforge._jit_runtime import (
    compiled_grid_sample,
    compiled_grid_sample_grid_grad,
    compiled_grid_sample_image_grad,
    use_jit,
)

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
    if use_jit(x):
        y, saved = _jit_forward(x, grid, align_corners)
        return y, (_jit_backward, saved, (y.dtype, y.shape), None)
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
    -1 and 1 are the corner pixels' centres with align_corners, else the image's edges),
    in the order (x0, y0), (x0 + 1, y0), (x0, y0 + 1), (x0 + 1, y0 + 1), each [N, 4, P]:
    the pixel index y * width + x (0 off the image), the weight (0 off the image: zeros
    padding), and its slopes d weight / d x and d weight / d y in pixels; and the scales
    (d x / d grid_x, d y / d grid_y). All in the grid's dtype: no float64 for float32.
    """
    n, points = grid.shape[0], grid.shape[1] * grid.shape[2]
    gx, gy = grid[..., 0].reshape(n, 1, points), grid[..., 1].reshape(n, 1, points)
    if align_corners:
        scale_x, scale_y = (width - 1) / 2, (height - 1) / 2
        px, py = (gx + 1) * scale_x, (gy + 1) * scale_y
    else:
        scale_x, scale_y = width / 2, height / 2
        px, py = (gx + 1) * scale_x - 0.5, (gy + 1) * scale_y - 0.5
    step = np.array([0, 1], dtype=px.dtype)[:, None]  # each axis's two neighbours
    x0, y0 = np.floor(px), np.floor(py)
    fx, fy = px - x0, py - y0
    # per axis [N, 2, P]: the neighbour's coordinate (0 off the image), its weight (0 off
    # the image: zeros padding) and the weight's slope (-1 and 1 on the image)
    cx, cy = x0 + step, y0 + step
    inside_x, inside_y = (cx >= 0) & (cx <= width - 1), (cy >= 0) & (cy <= height - 1)
    ix, iy = np.where(inside_x, cx, 0).astype(np.intp), np.where(
        inside_y, cy, 0
    ).astype(np.intp)
    wx = np.where(inside_x, np.concatenate([1 - fx, fx], axis=1), 0)
    wy = np.where(inside_y, np.concatenate([1 - fy, fy], axis=1), 0)
    sx, sy = inside_x * (2 * step - 1), inside_y * (2 * step - 1)
    corners = (n, 4, points)  # (y, x) of the pairs, x fastest
    index = (iy[:, :, None] * width + ix[:, None]).reshape(corners)
    weight = (wy[:, :, None] * wx[:, None]).reshape(corners)
    slope_x = (wy[:, :, None] * sx[:, None]).reshape(corners)
    slope_y = (sy[:, :, None] * wx[:, None]).reshape(corners)
    return index, weight, slope_x, slope_y, (scale_x, scale_y)


def _grid_sample(x, grid, align_corners):
    """Bilinear samples of x [N, C, H, W] at grid [N, H_out, W_out, 2] -> [N, C, H_out,
    W_out]: per image (on threads, see in_chunks), the four neighbours of every point
    taken from the [C, H * W] view in one take_columns (whole channel rows, no
    transposes) and weighted by one einsum (zeros off the image).

    Measured for 16 x 32 x 32 x 32 float32 at 32 x 32 points on one thread: 2.3 ms;
    gathering channels-last pixels per corner by fancy indexing, 5.8 ms."""
    check_grid("grid_sample", x, grid)
    n, c, h, w = x.shape
    index, weight, _, _, _ = _grid_corners(grid, h, w, align_corners)
    weight = weight.astype(x.dtype, copy=False)
    points = index.shape[2]
    result = np.empty((n, c, points), dtype=x.dtype)

    def images(first, last):
        for i in range(first, last):
            values = take_columns(x[i].reshape(c, h * w), index[i].reshape(-1))
            np.einsum(
                "ckp,kp->cp", values.reshape(c, 4, points), weight[i], out=result[i]
            )

    in_chunks(images, n, x)
    return result.reshape(n, c, grid.shape[1], grid.shape[2])


def _grid_sample_grid_grad(grad, x, grid, align_corners):
    """The gradient of _grid_sample for the grid: per point, the sum over channels of
    the gradient times each neighbour's value (taken as in _grid_sample, image by image
    on threads) times the slope of its weight along x and y, scaled from pixels to
    normalized coordinates."""
    n, c, h, w = x.shape
    index, _, slope_x, slope_y, (scale_x, scale_y) = _grid_corners(
        grid, h, w, align_corners
    )
    points = index.shape[2]
    per_point = grad.reshape(n, c, points)
    along = np.empty((n, 4, points), dtype=grad.dtype)

    def images(first, last):
        for i in range(first, last):
            values = take_columns(x[i].reshape(c, h * w), index[i].reshape(-1))
            np.einsum(
                "cp,ckp->kp", per_point[i], values.reshape(c, 4, points), out=along[i]
            )

    in_chunks(images, n, x)
    result = np.empty((n, points, 2), dtype=grid.dtype)
    result[..., 0] = np.einsum("nkp,nkp->np", along, slope_x) * scale_x
    result[..., 1] = np.einsum("nkp,nkp->np", along, slope_y) * scale_y
    return result.reshape(grid.shape)


def _grid_sample_image_grad(grad, x, grid, align_corners):
    """The gradient of _grid_sample for x: each sample's gradient, weighted, added onto
    its four neighbours; channel by channel (on threads, see in_chunks: np.bincount
    lets go of the GIL), one np.bincount over all corners of all points of all images
    (the pixel indices offset per image, made once).

    Measured for 16 x 32 x 32 x 32 float32 at 32 x 32 points on one thread: 3.9 ms;
    np.add.at per image on channel-offset indices 3.3 ms plus 2 ms or more to make those
    indices (and np.add.at holds the GIL), a bincount per image and channel 4.4 ms,
    np.add.at on channels-last rows 18 ms."""
    n, c, h, w = x.shape
    index, weight, _, _, _ = _grid_corners(grid, h, w, align_corners)
    pixels = (index + (np.arange(n) * (h * w))[:, None, None]).reshape(-1)
    per_point = grad.reshape(n, c, 1, index.shape[2])
    result = np.empty((n, c, h * w), dtype=grad.dtype)

    def channels(first, last):
        spread = np.empty(index.shape, dtype=np.float64)  # what np.bincount sums in
        for k in range(first, last):
            np.multiply(per_point[:, k], weight, out=spread)
            result[:, k] = np.bincount(
                pixels, spread.reshape(-1), minlength=n * h * w
            ).reshape(n, h * w)

    in_chunks(channels, c, grad)
    return result.reshape(x.shape)


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
    -1 and 1 are the corner pixels' centres with align_corners, else the image's edges),
    in the order (x0, y0), (x0 + 1, y0), (x0, y0 + 1), (x0 + 1, y0 + 1), each [N, 4, P]:
    the pixel index y * width + x (0 off the image), the weight (0 off the image: zeros
    padding), and its slopes d weight / d x and d weight / d y in pixels; and the scales
    (d x / d grid_x, d y / d grid_y). All in the grid's dtype: no float64 for float32.
    """
    import cupy as cp

    n, points = grid.shape[0], grid.shape[1] * grid.shape[2]
    gx, gy = grid[..., 0].reshape(n, 1, points), grid[..., 1].reshape(n, 1, points)
    if align_corners:
        scale_x, scale_y = (width - 1) / 2, (height - 1) / 2
        px, py = (gx + 1) * scale_x, (gy + 1) * scale_y
    else:
        scale_x, scale_y = width / 2, height / 2
        px, py = (gx + 1) * scale_x - 0.5, (gy + 1) * scale_y - 0.5
    step = cp.array([0, 1], dtype=px.dtype)[:, None]  # each axis's two neighbours
    x0, y0 = cp.floor(px), cp.floor(py)
    fx, fy = px - x0, py - y0
    # per axis [N, 2, P]: the neighbour's coordinate (0 off the image), its weight (0 off
    # the image: zeros padding) and the weight's slope (-1 and 1 on the image)
    cx, cy = x0 + step, y0 + step
    inside_x, inside_y = (cx >= 0) & (cx <= width - 1), (cy >= 0) & (cy <= height - 1)
    ix, iy = cp.where(inside_x, cx, 0).astype(cp.intp), cp.where(
        inside_y, cy, 0
    ).astype(cp.intp)
    wx = cp.where(inside_x, cp.concatenate([1 - fx, fx], axis=1), 0)
    wy = cp.where(inside_y, cp.concatenate([1 - fy, fy], axis=1), 0)
    sx, sy = inside_x * (2 * step - 1), inside_y * (2 * step - 1)
    corners = (n, 4, points)  # (y, x) of the pairs, x fastest
    index = (iy[:, :, None] * width + ix[:, None]).reshape(corners)
    weight = (wy[:, :, None] * wx[:, None]).reshape(corners)
    slope_x = (wy[:, :, None] * sx[:, None]).reshape(corners)
    slope_y = (sy[:, :, None] * wx[:, None]).reshape(corners)
    return index, weight, slope_x, slope_y, (scale_x, scale_y)


def _cupy_grid_sample(x, grid, align_corners):
    """Bilinear samples of x [N, C, H, W] at grid [N, H_out, W_out, 2] -> [N, C, H_out,
    W_out]: per image (on threads, see in_chunks), the four neighbours of every point
    taken from the [C, H * W] view in one take_columns (whole channel rows, no
    transposes) and weighted by one einsum (zeros off the image).

    Measured for 16 x 32 x 32 x 32 float32 at 32 x 32 points on one thread: 2.3 ms;
    gathering channels-last pixels per corner by fancy indexing, 5.8 ms."""
    import cupy as cp

    check_grid("grid_sample", x, grid)
    n, c, h, w = x.shape
    index, weight, _, _, _ = _cupy_grid_corners(grid, h, w, align_corners)
    weight = weight.astype(x.dtype, copy=False)
    points = index.shape[2]
    result = cp.empty((n, c, points), dtype=x.dtype)

    def images(first, last):
        for i in range(first, last):
            values = take_columns(x[i].reshape(c, h * w), index[i].reshape(-1))
            result[i] = cp.einsum("ckp,kp->cp", values.reshape(c, 4, points), weight[i])

    in_chunks(images, n, x)
    return result.reshape(n, c, grid.shape[1], grid.shape[2])


def _cupy_grid_sample_grid_grad(grad, x, grid, align_corners):
    """The gradient of _grid_sample for the grid: per point, the sum over channels of
    the gradient times each neighbour's value (taken as in _grid_sample, image by image
    on threads) times the slope of its weight along x and y, scaled from pixels to
    normalized coordinates."""
    import cupy as cp

    n, c, h, w = x.shape
    index, _, slope_x, slope_y, (scale_x, scale_y) = _cupy_grid_corners(
        grid, h, w, align_corners
    )
    points = index.shape[2]
    per_point = grad.reshape(n, c, points)
    along = cp.empty((n, 4, points), dtype=grad.dtype)

    def images(first, last):
        for i in range(first, last):
            values = take_columns(x[i].reshape(c, h * w), index[i].reshape(-1))
            along[i] = cp.einsum(
                "cp,ckp->kp", per_point[i], values.reshape(c, 4, points)
            )

    in_chunks(images, n, x)
    result = cp.empty((n, points, 2), dtype=grid.dtype)
    result[..., 0] = cp.einsum("nkp,nkp->np", along, slope_x) * scale_x
    result[..., 1] = cp.einsum("nkp,nkp->np", along, slope_y) * scale_y
    return result.reshape(grid.shape)


def _cupy_grid_sample_image_grad(grad, x, grid, align_corners):
    """The gradient of _grid_sample for x: each sample's gradient, weighted, added onto
    its four neighbours; channel by channel (on threads, see in_chunks: np.bincount
    lets go of the GIL), one np.bincount over all corners of all points of all images
    (the pixel indices offset per image, made once).

    Measured for 16 x 32 x 32 x 32 float32 at 32 x 32 points on one thread: 3.9 ms;
    np.add.at per image on channel-offset indices 3.3 ms plus 2 ms or more to make those
    indices (and np.add.at holds the GIL), a bincount per image and channel 4.4 ms,
    np.add.at on channels-last rows 18 ms."""
    import cupy as cp

    n, c, h, w = x.shape
    index, weight, _, _, _ = _cupy_grid_corners(grid, h, w, align_corners)
    pixels = (index + (cp.arange(n) * (h * w))[:, None, None]).reshape(-1)
    per_point = grad.reshape(n, c, 1, index.shape[2])
    result = cp.empty((n, c, h * w), dtype=grad.dtype)

    def channels(first, last):
        spread = cp.empty(index.shape, dtype=cp.float64)  # what cp.bincount sums in
        for k in range(first, last):
            cp.multiply(per_point[:, k], weight, out=spread)
            result[:, k] = cp.bincount(
                pixels, spread.reshape(-1), minlength=n * h * w
            ).reshape(n, h * w)

    in_chunks(channels, c, grad)
    return result.reshape(x.shape)


# The compiled CPU target: compiled twins of the functions above, which call the
# runtime's hand-written kernels (numba, compiled on first use).


def _jit_forward(x, grid, align_corners):
    y = compiled_grid_sample(x, grid, align_corners)
    return y, (x, grid, align_corners)


def _jit_backward(grad_y, x, grid, align_corners):
    grad_x = compiled_grid_sample_image_grad(grad_y, x, grid, align_corners)
    grad_grid = compiled_grid_sample_grid_grad(grad_y, x, grid, align_corners)
    return grad_x, grad_grid
