"""AffineGrid: The sampling grid of a 2-D affine transform, as F.affine_grid(theta, (N, C,
H_out, W_out)): grid[n, i, j] = theta[n] @ (x_j, y_i, 1) for the output's normalized
pixel coordinates, to be sampled by grid_sample (a spatial transformer's grid
generator). Linear in theta.
Generated from layers_spec/layers/affine_grid.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context, check_attribute
from layerforge._cupy_runtime import on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("theta",)
PARAMETERS = ()
OUTPUTS = ("grid",)


def forward(theta, *, size=(4, 4), align_corners=False):
    """AffineGrid forward pass.

    The sampling grid of a 2-D affine transform, as F.affine_grid(theta, (N, C, H_out,
    W_out)): grid[n, i, j] = theta[n] @ (x_j, y_i, 1) for the output's normalized pixel
    coordinates, to be sampled by grid_sample (a spatial transformer's grid generator).
    Linear in theta.

    Args:
        theta: float32 or float64 input of shape [B, rows, columns]. Affine matrices [B,
            2, 3], mapping output coordinates to input ones.
        size: ints, default (4, 4). (H_out, W_out): the grid's height and width.
        align_corners: bool, default False. True: -1 and 1 are the centres of the corner
            pixels; False (PyTorch's default): the outer edges.

    Returns:
        (grid, ctx): the output and the context that backward needs.
    """
    check_arrays("affine_grid", {"theta": theta}, {"theta": ("B", "rows", "columns")})
    check_attribute("affine_grid", "size", size, "ints")
    check_attribute("affine_grid", "align_corners", align_corners, "bool")
    if on_gpu(theta):
        grid, saved = _cupy_forward(theta, size, align_corners)
        return grid, (_cupy_backward, saved, (grid.dtype, grid.shape), None)
    grid, saved = _forward(theta, size, align_corners)
    return grid, (_backward, saved, (grid.dtype, grid.shape), None)


def backward(grad_grid, ctx):
    """AffineGrid backward pass.

    Args:
        grad_grid: gradient of the loss with respect to grid.
        ctx: the context returned by forward.

    Returns:
        grad_theta: gradients with respect to theta, in that order.
    """
    backward_variant, saved = check_context(
        "affine_grid", __name__, ctx, {"grad_grid": grad_grid}
    )
    return backward_variant(grad_grid, *saved)


def _forward(theta, size, align_corners):
    grid = _affine_grid(theta, size, align_corners)
    return grid, (theta, size, align_corners)


def _backward(grad_grid, theta, size, align_corners):
    grad_theta = _affine_grid_grad(grad_grid, theta, size, align_corners)
    return grad_theta


def _affine_grid(theta, size, align_corners):
    """The points theta [N, 2, 3] maps the output grid's (x, y, 1) to: one matrix
    product per image, [H_out * W_out, 3] @ theta[n].T, as [N, H_out, W_out, 2]."""
    if theta.ndim != 3 or theta.shape[1:] != (2, 3):
        raise ValueError(
            f"affine_grid: argument 'theta' must have shape [N, 2, 3], got {tuple(theta.shape)}"
        )
    if len(size) != 2 or min(size) < 1:
        raise ValueError(
            f"affine_grid: attribute 'size' must be two positive ints (H_out, W_out), got {size!r}"
        )
    base = _affine_grid_base(size, align_corners, theta.dtype)
    return np.matmul(base, theta.transpose(0, 2, 1)).reshape(
        theta.shape[0], size[0], size[1], 2
    )


def _affine_grid_base(size, align_corners, dtype):
    """Rows (x, y, 1) for the H_out x W_out output points in [-1, 1] (row major): the
    corner pixels' centres at -1 and 1 with align_corners, else pixel centres of an
    image spanning [-1, 1]; a single point is 0 (as PyTorch)."""

    def axis(count):
        if count == 1:
            return np.zeros(1)
        if align_corners:
            return np.linspace(-1.0, 1.0, count)
        return (np.arange(count) * 2.0 + 1.0) / count - 1.0

    ys, xs = np.meshgrid(axis(size[0]), axis(size[1]), indexing="ij")
    return np.stack([xs.reshape(-1), ys.reshape(-1), np.ones(xs.size)], axis=-1).astype(
        dtype
    )


def _affine_grid_grad(grad, theta, size, align_corners):
    """Per image, the points' gradients [2, H_out * W_out] times their rows (x, y, 1)."""
    base = _affine_grid_base(size, align_corners, grad.dtype)
    per_point = grad.reshape(grad.shape[0], size[0] * size[1], 2)
    return np.matmul(per_point.transpose(0, 2, 1), base)


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


def _cupy_forward(theta, size, align_corners):
    grid = _cupy_affine_grid(theta, size, align_corners)
    return grid, (theta, size, align_corners)


def _cupy_backward(grad_grid, theta, size, align_corners):
    grad_theta = _cupy_affine_grid_grad(grad_grid, theta, size, align_corners)
    return grad_theta


def _cupy_affine_grid(theta, size, align_corners):
    """The points theta [N, 2, 3] maps the output grid's (x, y, 1) to: one matrix
    product per image, [H_out * W_out, 3] @ theta[n].T, as [N, H_out, W_out, 2]."""
    import cupy as cp

    if theta.ndim != 3 or theta.shape[1:] != (2, 3):
        raise ValueError(
            f"affine_grid: argument 'theta' must have shape [N, 2, 3], got {tuple(theta.shape)}"
        )
    if len(size) != 2 or min(size) < 1:
        raise ValueError(
            f"affine_grid: attribute 'size' must be two positive ints (H_out, W_out), got {size!r}"
        )
    base = _cupy_affine_grid_base(size, align_corners, theta.dtype)
    return cp.matmul(base, theta.transpose(0, 2, 1)).reshape(
        theta.shape[0], size[0], size[1], 2
    )


def _cupy_affine_grid_base(size, align_corners, dtype):
    """Rows (x, y, 1) for the H_out x W_out output points in [-1, 1] (row major): the
    corner pixels' centres at -1 and 1 with align_corners, else pixel centres of an
    image spanning [-1, 1]; a single point is 0 (as PyTorch)."""
    import cupy as cp

    def axis(count):
        if count == 1:
            return cp.zeros(1)
        if align_corners:
            return cp.linspace(-1.0, 1.0, count)
        return (cp.arange(count) * 2.0 + 1.0) / count - 1.0

    ys, xs = cp.meshgrid(axis(size[0]), axis(size[1]), indexing="ij")
    return cp.stack([xs.reshape(-1), ys.reshape(-1), cp.ones(xs.size)], axis=-1).astype(
        dtype
    )


def _cupy_affine_grid_grad(grad, theta, size, align_corners):
    """Per image, the points' gradients [2, H_out * W_out] times their rows (x, y, 1)."""
    import cupy as cp

    base = _cupy_affine_grid_base(size, align_corners, grad.dtype)
    per_point = grad.reshape(grad.shape[0], size[0] * size[1], 2)
    return cp.matmul(per_point.transpose(0, 2, 1), base)
