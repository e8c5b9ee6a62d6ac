"""PrimaryCapsule: The primary capsules of a capsule network (Sabour et al., 2017) over
NCHW feature maps: a convolution (no padding by default), u = conv2d(x, weight, stride)
+ bias with C_out = C_caps * capsule_dim channels, read as C_caps capsule types of
capsule_dim entries (channel c * capsule_dim + d is entry d of type c), every type at
every output position one capsule: u reshaped to [B, C_caps, capsule_dim, H_out, W_out],
permuted to [B, C_caps, H_out, W_out, capsule_dim] and joined into the capsule list [B,
C_caps * H_out * W_out, capsule_dim], then the activation (squash by default) over each
capsule's entries.
Generated from layers_spec/layers/primary_capsule.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_divides,
    check_window,
    activation_module,
    check_options,
    blas_flags_ignored,
    in_chunks,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu
from layerforge._jit_runtime import (
    use_jit,
    depthwise_conv,
    depthwise_weight_grad,
    compiled_conv_input_grad,
    window_columns,
)

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight", "bias")
OUTPUTS = ("y",)


def forward(
    x,
    weight,
    bias=None,
    *,
    capsule_dim=8,
    stride=2,
    padding=0,
    activation="squash",
    activation_options=None,
):
    """PrimaryCapsule forward pass.

    The primary capsules of a capsule network (Sabour et al., 2017) over NCHW feature
    maps: a convolution (no padding by default), u = conv2d(x, weight, stride) + bias
    with C_out = C_caps * capsule_dim channels, read as C_caps capsule types of
    capsule_dim entries (channel c * capsule_dim + d is entry d of type c), every type
    at every output position one capsule: u reshaped to [B, C_caps, capsule_dim, H_out,
    W_out], permuted to [B, C_caps, H_out, W_out, capsule_dim] and joined into the
    capsule list [B, C_caps * H_out * W_out, capsule_dim], then the activation (squash
    by default) over each capsule's entries.

    Args:
        x: float32 or float64 input of shape [B, C_in, H, W]. A batch of feature maps.
        weight: float32 or float64 parameter of shape [C_out, C_in, kH, kW]. Filters
            [C_caps * capsule_dim, C_in, kH, kW], as torch.nn.Conv2d.weight.
        bias: float32 or float64 parameter of shape [C_out]. One bias per convolution
            channel; None (or bias=False in the object API) for none.
        capsule_dim: int, default 8. D_caps: the entries of each capsule; it must divide
            the weight's output channels, C_out / capsule_dim being the capsule types.
        stride: int or (int, int), default 2. The convolution's step between windows:
            one int, or (height, width); 2 as in CapsNet's PrimaryCaps.
        padding: int, (int, int), 4 ints per side, 'same' or 'valid', default 0. The
            convolution's padding: 0 (the default, 'valid', as CapsNet), one int,
            (height, width), per side, or 'same' (stride 1).
        activation: name of the activation applied to the result, default 'squash';
            squash, identity are fused into specialized code, any other activation of
            layerforge.activations is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "primary_capsule",
        {"x": x, "weight": weight, "bias": bias},
        {
            "x": ("B", "C_in", "H", "W"),
            "weight": ("C_out", "C_in", "kH", "kW"),
            "bias": ("C_out",),
        },
        optional=("bias",),
    )
    check_attribute("primary_capsule", "capsule_dim", capsule_dim, "int", minimum=1)
    check_divides(
        "primary_capsule",
        "capsule_dim",
        capsule_dim,
        "weight",
        weight.shape[-4],
        dimension="C_out",
    )
    stride, padding = check_window(
        "primary_capsule", "x", x, stride, padding, weight=weight
    )
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get((activation, bias is not None))
        if fused is not None:
            forward_variant, backward_variant = fused
            if options:
                check_options("primary_capsule", activation, options)
            y, saved = forward_variant(
                x, weight, bias, capsule_dim, stride, padding, **options
            )
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        module = activation_module("primary_capsule", activation)
        if options:
            check_options("primary_capsule", activation, options)
        linear_forward, linear_backward = _CUPY_FUSED["identity", bias is not None]
        y_linear, linear_saved = linear_forward(
            x, weight, bias, capsule_dim, stride, padding
        )
        y, activation_ctx = module.forward(y_linear, **options)
        return y, (
            _cupy_backward_composed,
            (module, activation_ctx, linear_backward, linear_saved),
            (y.dtype, y.shape),
            None,
        )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get((activation, bias is not None))
    if fused is not None:
        forward_variant, backward_variant = fused
        if options:
            check_options("primary_capsule", activation, options)
        y, saved = forward_variant(
            x, weight, bias, capsule_dim, stride, padding, **options
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    module = activation_module("primary_capsule", activation)
    if options:
        check_options("primary_capsule", activation, options)
    linear_forward, linear_backward = _FUSED["identity", bias is not None]
    y_linear, linear_saved = linear_forward(
        x, weight, bias, capsule_dim, stride, padding
    )
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (
        _backward_composed,
        (module, activation_ctx, linear_backward, linear_saved),
        (y.dtype, y.shape),
        None,
    )


def backward(grad_y, ctx):
    """PrimaryCapsule backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias: gradients with respect to x, weight, bias, in
            that order.
    """
    backward_variant, saved = check_context(
        "primary_capsule", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_squash(x, weight, bias, capsule_dim, stride, padding, epsilon=1e-07):
    columns = _im2col(x, weight, stride, padding, (1, 1), "zeros")
    _t1 = _conv_apply(weight, columns, x, stride, padding, (1, 1), 1)
    z = _t1 + bias.reshape(1, -1, 1, 1)
    positions = np.swapaxes(_flatten_dims(z, 2, 3), -1, -2)
    capsules = _permute(
        positions.reshape(
            *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
        ),
        (-2, -3, -1),
    )
    u = _flatten_dims(capsules, 1, 2)
    squash_squared_norm = _sum(u * u, -1)
    squash_norm = np.sqrt(squash_squared_norm + epsilon)
    y = u * (squash_norm / (1 + squash_squared_norm))
    return y, (
        x,
        weight,
        bias,
        capsule_dim,
        stride,
        padding,
        columns,
        _t1,
        positions,
        u,
        epsilon,
        squash_squared_norm,
    )


def _backward_squash(
    grad_y,
    x,
    weight,
    bias,
    capsule_dim,
    stride,
    padding,
    columns,
    _t1,
    positions,
    u,
    epsilon,
    squash_squared_norm,
):
    capsules = _permute(
        positions.reshape(
            *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
        ),
        (-2, -3, -1),
    )
    squash_norm = np.sqrt(squash_squared_norm + epsilon)
    _t2 = 1 + squash_squared_norm
    _t3 = squash_norm / _t2
    _t4 = grad_y * u
    grad_squash_norm = _t4 / _t2
    grad_squash_squared_norm = _sum_to(
        -_t4 * _t3 / _t2, squash_squared_norm.shape
    ) + _sum_to(0.5 * grad_squash_norm / squash_norm, squash_squared_norm.shape)
    _t5 = np.broadcast_to(grad_squash_squared_norm, (u * u).shape) * u
    grad_u = grad_y * _t3 + _t5 + _t5
    grad_capsules = grad_u.reshape(capsules.shape)
    grad_positions = _unpermute(grad_capsules, (-2, -3, -1)).reshape(positions.shape)
    grad_z = np.swapaxes(grad_positions, -1, -2).reshape(_t1.shape)
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, (1, 1), 1
    )
    grad_x = _conv_input_grad(grad_z, weight, x, stride, padding, (1, 1), 1, "zeros")
    return grad_x, grad_weight, grad_bias


def _forward_identity(x, weight, bias, capsule_dim, stride, padding):
    columns = _im2col(x, weight, stride, padding, (1, 1), "zeros")
    _t1 = _conv_apply(weight, columns, x, stride, padding, (1, 1), 1)
    z = _t1 + bias.reshape(1, -1, 1, 1)
    positions = np.swapaxes(_flatten_dims(z, 2, 3), -1, -2)
    capsules = _permute(
        positions.reshape(
            *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
        ),
        (-2, -3, -1),
    )
    u = _flatten_dims(capsules, 1, 2)
    return u, (x, weight, bias, capsule_dim, stride, padding, columns, _t1, positions)


def _backward_identity(
    grad_y, x, weight, bias, capsule_dim, stride, padding, columns, _t1, positions
):
    capsules = _permute(
        positions.reshape(
            *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
        ),
        (-2, -3, -1),
    )
    grad_capsules = grad_y.reshape(capsules.shape)
    grad_positions = _unpermute(grad_capsules, (-2, -3, -1)).reshape(positions.shape)
    grad_z = np.swapaxes(grad_positions, -1, -2).reshape(_t1.shape)
    grad_bias = np.sum(grad_z, axis=(-4, -2, -1), keepdims=True).reshape(bias.shape)
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, (1, 1), 1
    )
    grad_x = _conv_input_grad(grad_z, weight, x, stride, padding, (1, 1), 1, "zeros")
    return grad_x, grad_weight, grad_bias


def _forward_squash_no_bias(
    x, weight, bias, capsule_dim, stride, padding, epsilon=1e-07
):
    columns = _im2col(x, weight, stride, padding, (1, 1), "zeros")
    z = _conv_apply(weight, columns, x, stride, padding, (1, 1), 1)
    positions = np.swapaxes(_flatten_dims(z, 2, 3), -1, -2)
    capsules = _permute(
        positions.reshape(
            *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
        ),
        (-2, -3, -1),
    )
    u = _flatten_dims(capsules, 1, 2)
    squash_squared_norm = _sum(u * u, -1)
    squash_norm = np.sqrt(squash_squared_norm + epsilon)
    y = u * (squash_norm / (1 + squash_squared_norm))
    return y, (
        x,
        weight,
        capsule_dim,
        stride,
        padding,
        columns,
        z,
        positions,
        u,
        epsilon,
        squash_squared_norm,
    )


def _backward_squash_no_bias(
    grad_y,
    x,
    weight,
    capsule_dim,
    stride,
    padding,
    columns,
    z,
    positions,
    u,
    epsilon,
    squash_squared_norm,
):
    capsules = _permute(
        positions.reshape(
            *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
        ),
        (-2, -3, -1),
    )
    squash_norm = np.sqrt(squash_squared_norm + epsilon)
    _t1 = 1 + squash_squared_norm
    _t2 = squash_norm / _t1
    _t3 = grad_y * u
    grad_squash_norm = _t3 / _t1
    grad_squash_squared_norm = _sum_to(
        -_t3 * _t2 / _t1, squash_squared_norm.shape
    ) + _sum_to(0.5 * grad_squash_norm / squash_norm, squash_squared_norm.shape)
    _t4 = np.broadcast_to(grad_squash_squared_norm, (u * u).shape) * u
    grad_u = grad_y * _t2 + _t4 + _t4
    grad_capsules = grad_u.reshape(capsules.shape)
    grad_positions = _unpermute(grad_capsules, (-2, -3, -1)).reshape(positions.shape)
    grad_z = np.swapaxes(grad_positions, -1, -2).reshape(z.shape)
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, (1, 1), 1
    )
    grad_x = _conv_input_grad(grad_z, weight, x, stride, padding, (1, 1), 1, "zeros")
    return grad_x, grad_weight, None


def _forward_identity_no_bias(x, weight, bias, capsule_dim, stride, padding):
    columns = _im2col(x, weight, stride, padding, (1, 1), "zeros")
    z = _conv_apply(weight, columns, x, stride, padding, (1, 1), 1)
    positions = np.swapaxes(_flatten_dims(z, 2, 3), -1, -2)
    capsules = _permute(
        positions.reshape(
            *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
        ),
        (-2, -3, -1),
    )
    u = _flatten_dims(capsules, 1, 2)
    return u, (x, weight, capsule_dim, stride, padding, columns, z, positions)


def _backward_identity_no_bias(
    grad_y, x, weight, capsule_dim, stride, padding, columns, z, positions
):
    capsules = _permute(
        positions.reshape(
            *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
        ),
        (-2, -3, -1),
    )
    grad_capsules = grad_y.reshape(capsules.shape)
    grad_positions = _unpermute(grad_capsules, (-2, -3, -1)).reshape(positions.shape)
    grad_z = np.swapaxes(grad_positions, -1, -2).reshape(z.shape)
    grad_weight = _conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, (1, 1), 1
    )
    grad_x = _conv_input_grad(grad_z, weight, x, stride, padding, (1, 1), 1, "zeros")
    return grad_x, grad_weight, None


def _backward_composed(grad_y, module, activation_ctx, linear_backward, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_FUSED = {
    ("squash", True): (_forward_squash, _backward_squash),
    ("identity", True): (_forward_identity, _backward_identity),
    ("squash", False): (_forward_squash_no_bias, _backward_squash_no_bias),
    ("identity", False): (_forward_identity_no_bias, _backward_identity_no_bias),
}


def _conv_apply(weight, columns, x, stride, padding, dilation, groups):
    """weight [C_out, C / groups, kH, kW] times the columns of x -> [N, C_out, H_out,
    W_out], each group of output channels from its group of input channels.

    Stride 1: image by image (on threads, see in_chunks), on the rows of the padded
    grid, in blocks of rows: the block's column matrix [C * kH * kW, rows * W_p]
    gathered from the shifted slices of its padded input (one per kernel offset), and
    one matrix product with weight, batched over the groups (depthwise, groups = C =
    C_out: one 1 x kH * kW by kH * kW x rows * W_p product per channel). The blocks,
    of equal size, keep the gathered columns within 1.5 MiB, about what a core's L2
    cache holds (1 MiB on the Zen cores measured) so that the product reads them from
    there (2x faster for 4 groups of 8 channels of 64 x 64, smaller blocks paying in
    calls), or, with one output channel per group, within 16 MiB (matrix-vector
    products stream their operand, and gain from long rows instead). Depthwise under
    the numba backend (use_jit): the compiled depthwise_conv of the runtime, one
    GIL-free call per run of images (3x faster on one thread, and the threads' runs
    compute at the same time). Other grouped convolutions (groups > 1, a kernel larger
    than 1 x 1) under the numba backend: the block's columns [C * kH * kW, rows * W_out]
    gathered by the compiled window_columns of the runtime (one GIL-free call, without
    the grid's W_p - W_out extra columns per row), and the product written by np.matmul
    straight into the output: two calls a block instead of eleven, and no padded copy
    of x (see _im2col). 4 groups of 8 channels, 16 x 32 x 64 x 64 float32 by 3 x 3, one
    thread, CPU time (loaded machine): 6.3 ms with _im2col against 9.3.
    Larger strides: one matmul (batched over the groups)."""
    c_out, _, kernel_h, kernel_w = weight.shape
    n, c, h, w = x.shape
    (top, bottom), (left, right) = padding
    if not (n and c and c_out):  # no images or no channels: an empty sum, zeros
        out_h = (h + top + bottom - dilation[0] * (kernel_h - 1) - 1) // stride[0] + 1
        out_w = (w + left + right - dilation[1] * (kernel_w - 1) - 1) // stride[1] + 1
        return np.zeros((n, c_out, out_h, out_w), dtype=x.dtype)
    if stride[0] == 1 and stride[1] == 1:
        padded_h, padded_w = h + top + bottom, w + left + right
        out_h = padded_h - dilation[0] * (kernel_h - 1)
        out_w = padded_w - dilation[1] * (kernel_w - 1)
        image = c * padded_h * padded_w
        shifts = [
            dilation[0] * u * padded_w + dilation[1] * v
            for u in range(kernel_h)
            for v in range(kernel_w)
        ]
        flat = columns.reshape(-1)
        planes = columns.reshape(columns.shape[0], c, -1)  # [N (+ 1), C, H_p * W_p]
        result = np.empty((n, c_out, out_h, out_w), dtype=x.dtype)
        matrix = weight.reshape(groups, c_out // groups, -1)
        budget = 1 << 24 if c_out == groups else 3 << 19
        step = max(1, min(out_h, budget // (c * len(shifts) * padded_w * x.itemsize)))
        step = -(
            -out_h // -(-out_h // step)
        )  # blocks of equal size (the last one smaller)
        if c == c_out == groups and use_jit(columns):
            taps = weight.reshape(c, kernel_h, kernel_w)

            def compiled(first, last):
                depthwise_conv(
                    columns, taps, result, first, last, dilation[0], dilation[1]
                )

            in_chunks(compiled, n, x)
            return result
        # (columns that are x itself come from _im2col under numba, even if the backend changed since)
        if (
            groups > 1
            and len(shifts) > 1
            and (use_jit(columns) or columns.shape[0] == n)
        ):
            rows = max(1, min(out_h, budget // (c * len(shifts) * out_w * x.itemsize)))
            rows = -(-out_h // -(-out_h // rows))  # blocks of equal size, as above
            outputs = result.reshape(n, groups, c_out // groups, out_h * out_w)
            corner = (
                (top, left) if columns.shape[0] == n else (0, 0)
            )  # x itself: padding implicit

            def windows(first, last):
                buffer = np.empty(c * len(shifts) * rows * out_w, dtype=x.dtype)
                for image in range(first, last):
                    for row in range(0, out_h, rows):
                        end = min(row + rows, out_h)
                        block = buffer[: c * len(shifts) * (end - row) * out_w]
                        gathered = block.reshape(
                            c, kernel_h, kernel_w, end - row, out_w
                        )
                        window_columns(
                            columns, gathered, image, row, *corner, *dilation
                        )
                        product = outputs[image, :, :, row * out_w : end * out_w]
                        np.matmul(
                            matrix,
                            block.reshape(groups, -1, (end - row) * out_w),
                            out=product,
                        )

            in_chunks(windows, n, x)
            return result

        def images(first, last):
            count = last - first
            gathered = np.empty((count, c, len(shifts), step * padded_w), dtype=x.dtype)
            for row in range(0, out_h, step):
                end = min(row + step, out_h)
                span = (end - row) * padded_w
                if (
                    len(shifts) == 1
                ):  # a 1 x 1 kernel: the rows of the grid are its columns
                    block = planes[
                        first:last, :, None, row * padded_w : row * padded_w + span
                    ]
                else:
                    block = gathered[..., :span]
                    for k, shift in enumerate(shifts):
                        start = first * image + row * padded_w + shift
                        shifted = flat[start : start + count * image].reshape(
                            count, c, -1
                        )
                        block[:, :, k] = shifted[:, :, :span]
                on_grid = np.matmul(matrix, block.reshape(count, groups, -1, span))
                result[first:last, :, row:end] = on_grid.reshape(
                    count, c_out, end - row, padded_w
                )[..., :out_w]

        in_chunks(images, n, x)
        return result
    size, _, out_h, out_w = columns.shape
    if groups == 1:
        product = weight.reshape(c_out, size) @ columns.reshape(size, n * out_h * out_w)
    else:
        product = np.matmul(
            weight.reshape(groups, c_out // groups, -1),
            columns.reshape(groups, size // groups, -1),
        )
    return np.ascontiguousarray(
        product.reshape(c_out, n, out_h, out_w).transpose(1, 0, 2, 3)
    )


def _conv_input_grad(grad, weight, x, stride, padding, dilation, groups, padding_mode):
    """The gradient of a convolution with respect to x [N, C, H, W]. Stride 1: the
    convolution of grad, zero-padded by dilation * (k - 1) - padding (at least 0) on
    each side, with the kernel flipped in both directions and its channel axes swapped
    within each group (_conv_apply, depthwise where the convolution is), cropped to x's
    pixels. Otherwise image by image (on threads, see in_chunks): one product of the
    transposed kernel [C * kH * kW, C_out] (batched over the groups) with the image's
    gradient [C_out, H_out * W_out], whose [C, H_out, W_out] slab for each kernel offset
    is added onto the strided (padded) pixels that offset read, then cropped (under the
    numba backend, use_jit: the runtime's compiled_conv_input_grad, one buffer of
    products per thread's run of images and the compiled transposed_scatter). A
    padding_mode other than zeros: the gradient on the padded grid, folded back onto
    the pixels each padded one copies (_window_fold)."""
    n, c, h, w = x.shape
    c_out, c_group, kernel_h, kernel_w = weight.shape
    if not (grad.size and x.size):  # no images or no channels: an empty sum, zeros
        return np.zeros(x.shape, dtype=grad.dtype)
    out_h, out_w = grad.shape[2], grad.shape[3]
    (top, bottom), (left, right) = padding
    if padding_mode != "zeros":
        grid = np.broadcast_to(
            np.zeros((), dtype=grad.dtype), (n, c, h + top + bottom, w + left + right)
        )
        on_grid = _conv_input_grad(
            grad, weight, grid, stride, ((0, 0), (0, 0)), dilation, groups, "zeros"
        )
        return _window_fold(on_grid, x, padding, padding_mode)
    if stride[0] == 1 and stride[1] == 1:
        reach_h, reach_w = dilation[0] * (kernel_h - 1), dilation[1] * (kernel_w - 1)
        pads = (
            (max(reach_h - top, 0), max(reach_h - bottom, 0)),
            (max(reach_w - left, 0), max(reach_w - right, 0)),
        )
        flipped = weight[:, :, ::-1, ::-1].reshape(
            groups, c_out // groups, c_group, kernel_h, kernel_w
        )
        flipped = np.ascontiguousarray(flipped.transpose(0, 2, 1, 3, 4)).reshape(
            c, c_out // groups, kernel_h, kernel_w
        )
        padded = _im2col(grad, flipped, (1, 1), pads, dilation, "zeros")
        full = _conv_apply(flipped, padded, grad, (1, 1), pads, dilation, groups)
        if full.shape[2:] == (h, w):
            return full
        first_row, first_col = max(top - reach_h, 0), max(left - reach_w, 0)
        return np.ascontiguousarray(
            full[:, :, first_row : first_row + h, first_col : first_col + w]
        )
    result = np.empty(x.shape, dtype=grad.dtype)
    if use_jit(grad):
        compiled_conv_input_grad(
            grad, weight, result, groups, stride, dilation, top, left
        )
        return result
    # [G, C / G * kH * kW, C_out / G], a transposed view (BLAS reads it as it is; a strided
    # slice of weight per kernel offset is no BLAS operand, and runs NumPy's slow loop)
    taps = weight.reshape(groups, c_out // groups, -1).transpose(0, 2, 1)

    def images(first, last):
        count = last - first
        spread = np.matmul(
            taps, grad[first:last].reshape(count, groups, c_out // groups, -1)
        )
        spread = spread.reshape(count, c, kernel_h, kernel_w, out_h, out_w)
        on_grid = np.zeros(
            (count, c, h + top + bottom, w + left + right), dtype=grad.dtype
        )
        for u in range(kernel_h):
            for v in range(kernel_w):
                first_row, first_col = u * dilation[0], v * dilation[1]
                rows = slice(
                    first_row, first_row + stride[0] * (out_h - 1) + 1, stride[0]
                )
                cols = slice(
                    first_col, first_col + stride[1] * (out_w - 1) + 1, stride[1]
                )
                on_grid[:, :, rows, cols] += spread[:, :, u, v]
        result[first:last] = on_grid[:, :, top : top + h, left : left + w]

    in_chunks(images, n, grad)
    return result


def _conv_weight_grad(grad, columns, weight, x, stride, padding, dilation, groups):
    """grad [N, C_out, H_out, W_out] times the columns of x, summed over all positions,
    each group of output channels with its group of input channels.
    Stride 1: image by image (on threads, see in_chunks), in the blocks of rows of
    _conv_apply, the block's column matrix gathered as there times grad laid on the
    rows of the padded grid (zeros past W_out). Depthwise (groups = C = C_out): per
    kernel offset, one dot product per channel of its shifted rows, read in place, with
    grad's (no gathered columns: 1.7x faster on 32 channels of 64 x 64); under the
    numba backend (use_jit) the compiled depthwise_weight_grad of the runtime, one
    GIL-free call per run of images. Other grouped convolutions under the numba
    backend: the columns of _conv_apply's compiled path (window_columns) times grad's
    rows as they lie, one product a block (6.3 ms against 8.6 for the case there).
    Otherwise one matmul [K, P] @ [P, C_out] (the faster order for OpenBLAS, with the
    long P axis contiguous in both), batched over the groups, transposed, shaped like
    weight."""
    n, c_out, out_h, out_w = grad.shape
    if not (grad.size and x.size):  # no images or no channels: an empty sum, zeros
        return np.zeros(weight.shape, dtype=grad.dtype)
    if stride[0] == 1 and stride[1] == 1:
        _, _, kernel_h, kernel_w = weight.shape
        c = x.shape[1]
        (top, bottom), (left, right) = padding
        padded_h, padded_w = x.shape[2] + top + bottom, x.shape[3] + left + right
        image = c * padded_h * padded_w
        shifts = [
            dilation[0] * u * padded_w + dilation[1] * v
            for u in range(kernel_h)
            for v in range(kernel_w)
        ]
        flat = columns.reshape(-1)
        planes = columns.reshape(columns.shape[0], c, -1)  # [N (+ 1), C, H_p * W_p]
        budget = 1 << 24 if c_out == groups else 3 << 19
        step = max(
            1, min(out_h, budget // (c * len(shifts) * padded_w * grad.itemsize))
        )
        step = -(
            -out_h // -(-out_h // step)
        )  # blocks of equal size (the last one smaller)
        if c == c_out == groups and use_jit(grad):

            def compiled(first, last):
                return depthwise_weight_grad(
                    columns,
                    grad,
                    first,
                    last,
                    kernel_h,
                    kernel_w,
                    dilation[0],
                    dilation[1],
                )

            return in_chunks(compiled, n, grad).astype(grad.dtype).reshape(weight.shape)
        # (columns that are x itself come from _im2col under numba, even if the backend changed since)
        grouped = (
            groups > 1 and len(shifts) > 1 and (use_jit(grad) or columns.shape[0] == n)
        )
        if grouped:
            rows = max(
                1, min(out_h, budget // (c * len(shifts) * out_w * grad.itemsize))
            )
            rows = -(-out_h // -(-out_h // rows))  # blocks of equal size, as above
            per_group = grad.reshape(n, groups, c_out // groups, out_h * out_w)
            corner = (
                (top, left) if columns.shape[0] == n else (0, 0)
            )  # x itself: padding implicit

        def windows(first, last):
            buffer = np.empty(c * len(shifts) * rows * out_w, dtype=grad.dtype)
            total = np.zeros(
                (groups, c * len(shifts) // groups, c_out // groups), dtype=grad.dtype
            )
            product = np.empty_like(total)
            for image in range(first, last):
                for row in range(0, out_h, rows):
                    end = min(row + rows, out_h)
                    block = buffer[: c * len(shifts) * (end - row) * out_w]
                    gathered = block.reshape(c, kernel_h, kernel_w, end - row, out_w)
                    window_columns(columns, gathered, image, row, *corner, *dilation)
                    part = per_group[image, :, :, row * out_w : end * out_w].transpose(
                        0, 2, 1
                    )
                    total += np.matmul(
                        block.reshape(groups, -1, (end - row) * out_w),
                        part,
                        out=product,
                    )
            return total

        def depthwise(first, last):
            count = last - first
            on_grid = np.zeros((count, c, out_h, padded_w), dtype=grad.dtype)
            on_grid[..., :out_w] = grad[first:last]
            rows = on_grid.reshape(count, c, -1, 1)
            total = np.zeros((c, len(shifts), 1), dtype=grad.dtype)
            for k, shift in enumerate(shifts):
                start = first * image + shift
                shifted = flat[start : start + count * image].reshape(count, c, -1)
                total[:, k] = np.matmul(
                    shifted[:, :, None, : out_h * padded_w], rows
                ).sum(axis=0)[:, 0]
            return total

        def images(first, last):
            count = last - first
            gathered = np.empty(
                (count, c, len(shifts), step * padded_w), dtype=grad.dtype
            )
            on_grid = np.zeros((count, c_out, step, padded_w), dtype=grad.dtype)
            total = np.zeros(
                (groups, c * len(shifts) // groups, c_out // groups), dtype=grad.dtype
            )
            for row in range(0, out_h, step):
                end = min(row + step, out_h)
                span = (end - row) * padded_w
                if (
                    len(shifts) == 1
                ):  # a 1 x 1 kernel: the rows of the grid are its columns
                    block = planes[
                        first:last, :, None, row * padded_w : row * padded_w + span
                    ]
                else:
                    block = gathered[..., :span]
                    for k, shift in enumerate(shifts):
                        start = first * image + row * padded_w + shift
                        shifted = flat[start : start + count * image].reshape(
                            count, c, -1
                        )
                        block[:, :, k] = shifted[:, :, :span]
                if out_w == padded_w:  # no positions past W_out: grad is on the grid
                    per_group = grad[first:last, :, row:end].reshape(
                        count, groups, c_out // groups, span
                    )
                else:
                    on_grid[:, :, : end - row, :out_w] = grad[first:last, :, row:end]
                    per_group = on_grid[:, :, : end - row].reshape(
                        count, groups, c_out // groups, span
                    )
                total += np.matmul(
                    block.reshape(count, groups, -1, span),
                    per_group.transpose(0, 1, 3, 2),
                ).sum(axis=0)
            return total

        total = in_chunks(
            depthwise if c == c_out == groups else windows if grouped else images, n, x
        )
    elif groups == 1:
        per_channel = grad.transpose(1, 0, 2, 3).reshape(c_out, -1)
        total = columns.reshape(columns.shape[0], -1) @ per_channel.T
    else:
        per_channel = grad.transpose(1, 0, 2, 3).reshape(groups, c_out // groups, -1)
        total = np.matmul(
            columns.reshape(groups, columns.shape[0] // groups, -1),
            per_channel.transpose(0, 2, 1),
        )
    return np.ascontiguousarray(np.swapaxes(total, -1, -2)).reshape(weight.shape)


def _flatten_dims(x, start, end):
    """x with its axes ``start`` to ``end`` (inclusive, negative from the end) joined."""
    first, last = start % max(x.ndim, 1), end % max(x.ndim, 1)
    if first > last:
        raise ValueError(
            f"flatten: start_dim {start} comes after end_dim {end} for an input of shape "
            f"{tuple(x.shape)}"
        )
    joined = 1  # the joined size, not -1: an empty x has no size to infer from
    for size in x.shape[first : last + 1]:
        joined *= size
    return (
        x.reshape(x.shape[:first] + (joined,) + x.shape[last + 1 :])
        if x.ndim
        else x.reshape(1)
    )


def _im2col(x, weight, stride, padding, dilation, padding_mode):
    """The windows of x [N, C, H, W] that a weight [C_out, C / groups, kH, kW] sees.

    Stride 1: x padded (with zeros or as ``padding_mode``), [N + 1, C, H_p, W_p] (one
    spare image of zeros at the end). Laid on the padded grid, the row (c, u, v) of
    image i's column matrix is then row c of the flat image shifted by
    dilation_h * u * W_p + dilation_w * v: a slice of the flat array, so the columns are
    never copied out (positions past W_out on the grid, which read into the next row or
    image, are computed and dropped). A 1 x 1 kernel without padding: x itself (its
    columns are x's rows, read in place). A grouped convolution (groups > 1, not
    depthwise, a kernel larger than 1 x 1) with zeros under the numba backend: x itself
    too, its padding implicit (the compiled window_columns reads zeros outside x: no
    padded copy). Larger strides: the columns [C * kH * kW, N, H_out, W_out], one
    strided view and one copy."""
    n, c, h, w = x.shape
    kernel_h, kernel_w = weight.shape[2], weight.shape[3]
    (top, bottom), (left, right) = padding
    if stride[0] == 1 and stride[1] == 1:
        if kernel_h == kernel_w == 1 and not (top or bottom or left or right):
            return x
        # (conv_apply's compiled grouped path: not depthwise, a kernel larger than 1 x 1)
        grouped = weight.shape[1] < c and not (
            weight.shape[1] == 1 and weight.shape[0] == c
        )
        if (
            grouped
            and kernel_h * kernel_w > 1
            and padding_mode == "zeros"
            and use_jit(x)
        ):
            return x
        padded = np.zeros((n + 1, c, h + top + bottom, w + left + right), dtype=x.dtype)
        if padding_mode == "zeros":
            padded[:n, :, top : top + h, left : left + w] = x
        else:
            padded[:n] = _window_pad(x, padding, padding_mode)
        return padded
    if top or bottom or left or right:
        x = _window_pad(x, padding, padding_mode)
    span_h, span_w = dilation[0] * (kernel_h - 1) + 1, dilation[1] * (kernel_w - 1) + 1
    windows = np.lib.stride_tricks.sliding_window_view(x, (span_h, span_w), axis=(2, 3))
    windows = windows[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]
    out_h, out_w = windows.shape[2:4]
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(
        c * kernel_h * kernel_w, n, out_h, out_w
    )


def _permute(x, axes):
    """The view of x whose trailing axes are x's axes ``axes`` (negative, from the end),
    in that order; the leading axes stay where they are."""
    lead = x.ndim - len(axes)
    return x.transpose(tuple(range(lead)) + tuple(x.ndim + a for a in axes))


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


def _sum_to(grad, shape):
    """Sum ``grad`` over the axes along which an operand of ``shape`` was broadcast; over
    leading axes only (a bias gradient) as a vector-matrix product with ones (BLAS)."""
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes == tuple(range(lead)) and lead and grad.size and grad.dtype.kind == "f":
        rows = grad.reshape(-1, grad[(0,) * lead].size)
        return np.matmul(np.ones(rows.shape[0], grad.dtype), rows).reshape(shape)
    return np.sum(grad, axis=axes).reshape(shape) if axes else grad


def _unpermute(x, axes):
    """The view of x that undoes ``_permute(., axes)``: the inverse permutation of the
    trailing axes."""
    lead = x.ndim - len(axes)
    inverse = sorted(range(len(axes)), key=lambda i: axes[i])
    return x.transpose(tuple(range(lead)) + tuple(lead + i for i in inverse))


def _window_fold(grad, like, padding, padding_mode):
    """The gradient of _window_pad: grad on the padded grid summed back onto the pixels
    of like [N, C, H, W] that each padded pixel copies (one product per axis with the
    0/1 matrix of the copies: exact, each pixel's copies added up)."""
    (top, bottom), (left, right) = padding
    h, w = like.shape[2], like.shape[3]
    if padding_mode == "zeros":
        return np.ascontiguousarray(grad[:, :, top : top + h, left : left + w])
    mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[padding_mode]
    result = grad
    for axis, size, sides in ((2, h, (top, bottom)), (3, w, (left, right))):
        source = np.pad(np.arange(size), sides, mode=mode)
        copies = (source[:, None] == np.arange(size)[None, :]).astype(grad.dtype)
        result = np.moveaxis(np.matmul(np.moveaxis(result, axis, -1), copies), -1, axis)
    return np.ascontiguousarray(result)


def _window_pad(x, padding, padding_mode):
    """x [N, C, H, W] padded by ((top, bottom), (left, right)): with zeros, or with
    PyTorch's reflect, replicate or circular padding (np.pad's reflect, edge, wrap)."""
    widths = ((0, 0), (0, 0), tuple(padding[0]), tuple(padding[1]))
    if padding_mode == "zeros":
        return np.pad(x, widths)
    return np.pad(
        x,
        widths,
        mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[
            padding_mode
        ],
    )


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# primary_capsule_squash_fwd_0: layers_spec/layers/primary_capsule.yaml:27
_primary_capsule_squash_fwd_0 = ElementwiseKernel(
    "primary_capsule_squash_fwd_0",
    "T _t1, T _t2",
    "T z",
    """
    z = _t1 + _t2;
    """,
)


# primary_capsule_squash_fwd_1: layers_spec/activations/squash.yaml:12
_primary_capsule_squash_fwd_1 = ElementwiseKernel(
    "primary_capsule_squash_fwd_1",
    "T u",
    "T _t5",
    """
    _t5 = u * u;
    """,
)


# primary_capsule_squash_fwd_2: layers_spec/activations/squash.yaml:13
_primary_capsule_squash_fwd_2 = ElementwiseKernel(
    "primary_capsule_squash_fwd_2",
    "T squash_squared_norm, T epsilon",
    "T _t6",
    """
    _t6 = squash_squared_norm + epsilon;
    """,
    scalars=("epsilon",),
)


# primary_capsule_squash_fwd_3: layers_spec/activations/squash.yaml:13
_primary_capsule_squash_fwd_3 = ElementwiseKernel(
    "primary_capsule_squash_fwd_3",
    "T _t6",
    "T squash_norm",
    """
    squash_norm = sqrt(_t6);
    """,
)


# primary_capsule_squash_fwd_4: layers_spec/activations/squash.yaml:14
_primary_capsule_squash_fwd_4 = ElementwiseKernel(
    "primary_capsule_squash_fwd_4",
    "T squash_squared_norm",
    "T _t7",
    """
    _t7 = T(1) + squash_squared_norm;
    """,
)


# primary_capsule_squash_fwd_5: layers_spec/activations/squash.yaml:14
_primary_capsule_squash_fwd_5 = ElementwiseKernel(
    "primary_capsule_squash_fwd_5",
    "T squash_norm, T _t7",
    "T _t8",
    """
    _t8 = squash_norm / _t7;
    """,
)


# primary_capsule_squash_fwd_6: layers_spec/activations/squash.yaml:14
_primary_capsule_squash_fwd_6 = ElementwiseKernel(
    "primary_capsule_squash_fwd_6",
    "T u, T _t8",
    "T y",
    """
    y = u * _t8;
    """,
)


def _cupy_forward_squash(x, weight, bias, capsule_dim, stride, padding, epsilon=1e-07):
    import cupy as cp

    columns = _cupy_im2col(x, weight, stride, padding, (1, 1), "zeros")
    _t1 = _cupy_conv_apply(weight, columns, x, stride, padding, (1, 1), 1)
    _t2 = bias.reshape(1, -1, 1, 1)
    z = _primary_capsule_squash_fwd_0(_t1, _t2)
    _t3 = _flatten_dims(z, 2, 3)
    positions = cp.swapaxes(_t3, -1, -2)
    _t4 = positions.reshape(
        *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
    )
    capsules = _permute(_t4, (-2, -3, -1))
    u = _flatten_dims(capsules, 1, 2)
    _t5 = _primary_capsule_squash_fwd_1(u)
    squash_squared_norm = _cupy_sum(_t5, -1)
    _t6 = _primary_capsule_squash_fwd_2(squash_squared_norm, epsilon)
    squash_norm = _primary_capsule_squash_fwd_3(_t6)
    _t7 = _primary_capsule_squash_fwd_4(squash_squared_norm)
    _t8 = _primary_capsule_squash_fwd_5(squash_norm, _t7)
    y = _primary_capsule_squash_fwd_6(u, _t8)
    return y, (
        x,
        weight,
        bias,
        capsule_dim,
        stride,
        padding,
        columns,
        _t1,
        positions,
        u,
        epsilon,
        squash_squared_norm,
    )


# primary_capsule_squash_bwd_5: layers_spec/primitives.yaml:61
_primary_capsule_squash_bwd_5 = ElementwiseKernel(
    "primary_capsule_squash_bwd_5",
    "T grad_y, T _t8",
    "T _t9",
    """
    _t9 = grad_y * _t8;
    """,
)


# primary_capsule_squash_bwd_6: layers_spec/primitives.yaml:62
_primary_capsule_squash_bwd_6 = ElementwiseKernel(
    "primary_capsule_squash_bwd_6",
    "T grad_y, T u",
    "T _t10",
    """
    _t10 = grad_y * u;
    """,
)


# primary_capsule_squash_bwd_7: layers_spec/primitives.yaml:71
_primary_capsule_squash_bwd_7 = ElementwiseKernel(
    "primary_capsule_squash_bwd_7",
    "T _t10, T _t7",
    "T grad_squash_norm",
    """
    grad_squash_norm = _t10 / _t7;
    """,
)


# primary_capsule_squash_bwd_8: layers_spec/primitives.yaml:72
_primary_capsule_squash_bwd_8 = ElementwiseKernel(
    "primary_capsule_squash_bwd_8",
    "T _t10",
    "T _t12",
    """
    _t12 = -_t10;
    """,
)


# primary_capsule_squash_bwd_9: layers_spec/primitives.yaml:72
_primary_capsule_squash_bwd_9 = ElementwiseKernel(
    "primary_capsule_squash_bwd_9",
    "T _t12, T _t8",
    "T _t13",
    """
    _t13 = _t12 * _t8;
    """,
)


# primary_capsule_squash_bwd_10: layers_spec/primitives.yaml:72
_primary_capsule_squash_bwd_10 = ElementwiseKernel(
    "primary_capsule_squash_bwd_10",
    "T _t13, T _t7",
    "T _t14",
    """
    _t14 = _t13 / _t7;
    """,
)


# primary_capsule_squash_bwd_11: layers_spec/primitives.yaml:171
_primary_capsule_squash_bwd_11 = ElementwiseKernel(
    "primary_capsule_squash_bwd_11",
    "T grad_squash_norm",
    "T _t16",
    """
    _t16 = T(0.5) * grad_squash_norm;
    """,
)


# primary_capsule_squash_bwd_12: layers_spec/primitives.yaml:171
_primary_capsule_squash_bwd_12 = ElementwiseKernel(
    "primary_capsule_squash_bwd_12",
    "T _t16, T squash_norm",
    "T _t17",
    """
    _t17 = _t16 / squash_norm;
    """,
)


# primary_capsule_squash_bwd_13: layers_spec/activations/squash.yaml:13
_primary_capsule_squash_bwd_13 = ElementwiseKernel(
    "primary_capsule_squash_bwd_13",
    "T _t15, T _t18",
    "T grad_squash_squared_norm",
    """
    grad_squash_squared_norm = _t15 + _t18;
    """,
)


# primary_capsule_squash_bwd_14: layers_spec/primitives.yaml:61
_primary_capsule_squash_bwd_14 = ElementwiseKernel(
    "primary_capsule_squash_bwd_14",
    "T _t19, T u",
    "T _t20",
    """
    _t20 = _t19 * u;
    """,
)


# primary_capsule_squash_bwd_15: layers_spec/primitives.yaml:62
_primary_capsule_squash_bwd_15 = ElementwiseKernel(
    "primary_capsule_squash_bwd_15",
    "T _t19, T u",
    "T _t21",
    """
    _t21 = _t19 * u;
    """,
)


# primary_capsule_squash_bwd_16: layers_spec/primitives.yaml:62
_primary_capsule_squash_bwd_16 = ElementwiseKernel(
    "primary_capsule_squash_bwd_16",
    "T _t9, T _t20",
    "T _t22",
    """
    _t22 = _t9 + _t20;
    """,
)


# primary_capsule_squash_bwd_17: layers_spec/primitives.yaml:62
_primary_capsule_squash_bwd_17 = ElementwiseKernel(
    "primary_capsule_squash_bwd_17",
    "T _t22, T _t21",
    "T grad_u",
    """
    grad_u = _t22 + _t21;
    """,
)


def _cupy_backward_squash(
    grad_y,
    x,
    weight,
    bias,
    capsule_dim,
    stride,
    padding,
    columns,
    _t1,
    positions,
    u,
    epsilon,
    squash_squared_norm,
):
    import cupy as cp

    _t4 = positions.reshape(
        *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
    )
    capsules = _permute(_t4, (-2, -3, -1))
    _t5 = _primary_capsule_squash_fwd_1(u)
    _t6 = _primary_capsule_squash_fwd_2(squash_squared_norm, epsilon)
    squash_norm = _primary_capsule_squash_fwd_3(_t6)
    _t7 = _primary_capsule_squash_fwd_4(squash_squared_norm)
    _t8 = _primary_capsule_squash_fwd_5(squash_norm, _t7)
    _t9 = _primary_capsule_squash_bwd_5(grad_y, _t8)
    _t10 = _primary_capsule_squash_bwd_6(grad_y, u)
    grad_squash_norm = _primary_capsule_squash_bwd_7(_t10, _t7)
    _t12 = _primary_capsule_squash_bwd_8(_t10)
    _t13 = _primary_capsule_squash_bwd_9(_t12, _t8)
    _t14 = _primary_capsule_squash_bwd_10(_t13, _t7)
    _t15 = _cupy_sum_to(_t14, squash_squared_norm.shape)
    _t16 = _primary_capsule_squash_bwd_11(grad_squash_norm)
    _t17 = _primary_capsule_squash_bwd_12(_t16, squash_norm)
    _t18 = _cupy_sum_to(_t17, squash_squared_norm.shape)
    grad_squash_squared_norm = _primary_capsule_squash_bwd_13(_t15, _t18)
    _t19 = cp.broadcast_to(grad_squash_squared_norm, _t5.shape)
    _t20 = _primary_capsule_squash_bwd_14(_t19, u)
    _t21 = _primary_capsule_squash_bwd_15(_t19, u)
    _t22 = _primary_capsule_squash_bwd_16(_t9, _t20)
    grad_u = _primary_capsule_squash_bwd_17(_t22, _t21)
    grad_capsules = grad_u.reshape(capsules.shape)
    _t24 = _unpermute(grad_capsules, (-2, -3, -1))
    grad_positions = _t24.reshape(positions.shape)
    _t26 = cp.swapaxes(grad_positions, -1, -2)
    grad_z = _t26.reshape(_t1.shape)
    _t28 = cp.sum(grad_z, axis=(-4, -2, -1), keepdims=True)
    grad_bias = _t28.reshape(bias.shape)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, (1, 1), 1
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, (1, 1), 1, "zeros"
    )
    return grad_x, grad_weight, grad_bias


def _cupy_forward_identity(x, weight, bias, capsule_dim, stride, padding):
    import cupy as cp

    columns = _cupy_im2col(x, weight, stride, padding, (1, 1), "zeros")
    _t1 = _cupy_conv_apply(weight, columns, x, stride, padding, (1, 1), 1)
    _t2 = bias.reshape(1, -1, 1, 1)
    z = _primary_capsule_squash_fwd_0(_t1, _t2)
    _t3 = _flatten_dims(z, 2, 3)
    positions = cp.swapaxes(_t3, -1, -2)
    _t4 = positions.reshape(
        *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
    )
    capsules = _permute(_t4, (-2, -3, -1))
    u = _flatten_dims(capsules, 1, 2)
    return u, (x, weight, bias, capsule_dim, stride, padding, columns, _t1, positions)


def _cupy_backward_identity(
    grad_y, x, weight, bias, capsule_dim, stride, padding, columns, _t1, positions
):
    import cupy as cp

    _t4 = positions.reshape(
        *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
    )
    capsules = _permute(_t4, (-2, -3, -1))
    grad_capsules = grad_y.reshape(capsules.shape)
    _t6 = _unpermute(grad_capsules, (-2, -3, -1))
    grad_positions = _t6.reshape(positions.shape)
    _t8 = cp.swapaxes(grad_positions, -1, -2)
    grad_z = _t8.reshape(_t1.shape)
    _t10 = cp.sum(grad_z, axis=(-4, -2, -1), keepdims=True)
    grad_bias = _t10.reshape(bias.shape)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, (1, 1), 1
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, (1, 1), 1, "zeros"
    )
    return grad_x, grad_weight, grad_bias


# primary_capsule_squash_no_bias_fwd_0: layers_spec/activations/squash.yaml:12
_primary_capsule_squash_no_bias_fwd_0 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_fwd_0",
    "T u",
    "T _t4",
    """
    _t4 = u * u;
    """,
)


# primary_capsule_squash_no_bias_fwd_1: layers_spec/activations/squash.yaml:13
_primary_capsule_squash_no_bias_fwd_1 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_fwd_1",
    "T squash_squared_norm, T epsilon",
    "T _t5",
    """
    _t5 = squash_squared_norm + epsilon;
    """,
    scalars=("epsilon",),
)


# primary_capsule_squash_no_bias_fwd_2: layers_spec/activations/squash.yaml:13
_primary_capsule_squash_no_bias_fwd_2 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_fwd_2",
    "T _t5",
    "T squash_norm",
    """
    squash_norm = sqrt(_t5);
    """,
)


# primary_capsule_squash_no_bias_fwd_3: layers_spec/activations/squash.yaml:14
_primary_capsule_squash_no_bias_fwd_3 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_fwd_3",
    "T squash_squared_norm",
    "T _t6",
    """
    _t6 = T(1) + squash_squared_norm;
    """,
)


# primary_capsule_squash_no_bias_fwd_4: layers_spec/activations/squash.yaml:14
_primary_capsule_squash_no_bias_fwd_4 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_fwd_4",
    "T squash_norm, T _t6",
    "T _t7",
    """
    _t7 = squash_norm / _t6;
    """,
)


# primary_capsule_squash_no_bias_fwd_5: layers_spec/activations/squash.yaml:14
_primary_capsule_squash_no_bias_fwd_5 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_fwd_5",
    "T u, T _t7",
    "T y",
    """
    y = u * _t7;
    """,
)


def _cupy_forward_squash_no_bias(
    x, weight, bias, capsule_dim, stride, padding, epsilon=1e-07
):
    import cupy as cp

    columns = _cupy_im2col(x, weight, stride, padding, (1, 1), "zeros")
    z = _cupy_conv_apply(weight, columns, x, stride, padding, (1, 1), 1)
    _t2 = _flatten_dims(z, 2, 3)
    positions = cp.swapaxes(_t2, -1, -2)
    _t3 = positions.reshape(
        *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
    )
    capsules = _permute(_t3, (-2, -3, -1))
    u = _flatten_dims(capsules, 1, 2)
    _t4 = _primary_capsule_squash_no_bias_fwd_0(u)
    squash_squared_norm = _cupy_sum(_t4, -1)
    _t5 = _primary_capsule_squash_no_bias_fwd_1(squash_squared_norm, epsilon)
    squash_norm = _primary_capsule_squash_no_bias_fwd_2(_t5)
    _t6 = _primary_capsule_squash_no_bias_fwd_3(squash_squared_norm)
    _t7 = _primary_capsule_squash_no_bias_fwd_4(squash_norm, _t6)
    y = _primary_capsule_squash_no_bias_fwd_5(u, _t7)
    return y, (
        x,
        weight,
        capsule_dim,
        stride,
        padding,
        columns,
        z,
        positions,
        u,
        epsilon,
        squash_squared_norm,
    )


# primary_capsule_squash_no_bias_bwd_5: layers_spec/primitives.yaml:61
_primary_capsule_squash_no_bias_bwd_5 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_bwd_5",
    "T grad_y, T _t7",
    "T _t8",
    """
    _t8 = grad_y * _t7;
    """,
)


# primary_capsule_squash_no_bias_bwd_6: layers_spec/primitives.yaml:62
_primary_capsule_squash_no_bias_bwd_6 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_bwd_6",
    "T grad_y, T u",
    "T _t9",
    """
    _t9 = grad_y * u;
    """,
)


# primary_capsule_squash_no_bias_bwd_7: layers_spec/primitives.yaml:71
_primary_capsule_squash_no_bias_bwd_7 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_bwd_7",
    "T _t9, T _t6",
    "T grad_squash_norm",
    """
    grad_squash_norm = _t9 / _t6;
    """,
)


# primary_capsule_squash_no_bias_bwd_8: layers_spec/primitives.yaml:72
_primary_capsule_squash_no_bias_bwd_8 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_bwd_8",
    "T _t9",
    "T _t11",
    """
    _t11 = -_t9;
    """,
)


# primary_capsule_squash_no_bias_bwd_9: layers_spec/primitives.yaml:72
_primary_capsule_squash_no_bias_bwd_9 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_bwd_9",
    "T _t11, T _t7",
    "T _t12",
    """
    _t12 = _t11 * _t7;
    """,
)


# primary_capsule_squash_no_bias_bwd_10: layers_spec/primitives.yaml:72
_primary_capsule_squash_no_bias_bwd_10 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_bwd_10",
    "T _t12, T _t6",
    "T _t13",
    """
    _t13 = _t12 / _t6;
    """,
)


# primary_capsule_squash_no_bias_bwd_11: layers_spec/primitives.yaml:171
_primary_capsule_squash_no_bias_bwd_11 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_bwd_11",
    "T grad_squash_norm",
    "T _t15",
    """
    _t15 = T(0.5) * grad_squash_norm;
    """,
)


# primary_capsule_squash_no_bias_bwd_12: layers_spec/primitives.yaml:171
_primary_capsule_squash_no_bias_bwd_12 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_bwd_12",
    "T _t15, T squash_norm",
    "T _t16",
    """
    _t16 = _t15 / squash_norm;
    """,
)


# primary_capsule_squash_no_bias_bwd_13: layers_spec/activations/squash.yaml:13
_primary_capsule_squash_no_bias_bwd_13 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_bwd_13",
    "T _t14, T _t17",
    "T grad_squash_squared_norm",
    """
    grad_squash_squared_norm = _t14 + _t17;
    """,
)


# primary_capsule_squash_no_bias_bwd_14: layers_spec/primitives.yaml:61
_primary_capsule_squash_no_bias_bwd_14 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_bwd_14",
    "T _t18, T u",
    "T _t19",
    """
    _t19 = _t18 * u;
    """,
)


# primary_capsule_squash_no_bias_bwd_15: layers_spec/primitives.yaml:62
_primary_capsule_squash_no_bias_bwd_15 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_bwd_15",
    "T _t18, T u",
    "T _t20",
    """
    _t20 = _t18 * u;
    """,
)


# primary_capsule_squash_no_bias_bwd_16: layers_spec/primitives.yaml:62
_primary_capsule_squash_no_bias_bwd_16 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_bwd_16",
    "T _t8, T _t19",
    "T _t21",
    """
    _t21 = _t8 + _t19;
    """,
)


# primary_capsule_squash_no_bias_bwd_17: layers_spec/primitives.yaml:62
_primary_capsule_squash_no_bias_bwd_17 = ElementwiseKernel(
    "primary_capsule_squash_no_bias_bwd_17",
    "T _t21, T _t20",
    "T grad_u",
    """
    grad_u = _t21 + _t20;
    """,
)


def _cupy_backward_squash_no_bias(
    grad_y,
    x,
    weight,
    capsule_dim,
    stride,
    padding,
    columns,
    z,
    positions,
    u,
    epsilon,
    squash_squared_norm,
):
    import cupy as cp

    _t3 = positions.reshape(
        *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
    )
    capsules = _permute(_t3, (-2, -3, -1))
    _t4 = _primary_capsule_squash_no_bias_fwd_0(u)
    _t5 = _primary_capsule_squash_no_bias_fwd_1(squash_squared_norm, epsilon)
    squash_norm = _primary_capsule_squash_no_bias_fwd_2(_t5)
    _t6 = _primary_capsule_squash_no_bias_fwd_3(squash_squared_norm)
    _t7 = _primary_capsule_squash_no_bias_fwd_4(squash_norm, _t6)
    _t8 = _primary_capsule_squash_no_bias_bwd_5(grad_y, _t7)
    _t9 = _primary_capsule_squash_no_bias_bwd_6(grad_y, u)
    grad_squash_norm = _primary_capsule_squash_no_bias_bwd_7(_t9, _t6)
    _t11 = _primary_capsule_squash_no_bias_bwd_8(_t9)
    _t12 = _primary_capsule_squash_no_bias_bwd_9(_t11, _t7)
    _t13 = _primary_capsule_squash_no_bias_bwd_10(_t12, _t6)
    _t14 = _cupy_sum_to(_t13, squash_squared_norm.shape)
    _t15 = _primary_capsule_squash_no_bias_bwd_11(grad_squash_norm)
    _t16 = _primary_capsule_squash_no_bias_bwd_12(_t15, squash_norm)
    _t17 = _cupy_sum_to(_t16, squash_squared_norm.shape)
    grad_squash_squared_norm = _primary_capsule_squash_no_bias_bwd_13(_t14, _t17)
    _t18 = cp.broadcast_to(grad_squash_squared_norm, _t4.shape)
    _t19 = _primary_capsule_squash_no_bias_bwd_14(_t18, u)
    _t20 = _primary_capsule_squash_no_bias_bwd_15(_t18, u)
    _t21 = _primary_capsule_squash_no_bias_bwd_16(_t8, _t19)
    grad_u = _primary_capsule_squash_no_bias_bwd_17(_t21, _t20)
    grad_capsules = grad_u.reshape(capsules.shape)
    _t23 = _unpermute(grad_capsules, (-2, -3, -1))
    grad_positions = _t23.reshape(positions.shape)
    _t25 = cp.swapaxes(grad_positions, -1, -2)
    grad_z = _t25.reshape(z.shape)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, (1, 1), 1
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, (1, 1), 1, "zeros"
    )
    return grad_x, grad_weight, None


def _cupy_forward_identity_no_bias(x, weight, bias, capsule_dim, stride, padding):
    import cupy as cp

    columns = _cupy_im2col(x, weight, stride, padding, (1, 1), "zeros")
    z = _cupy_conv_apply(weight, columns, x, stride, padding, (1, 1), 1)
    _t2 = _flatten_dims(z, 2, 3)
    positions = cp.swapaxes(_t2, -1, -2)
    _t3 = positions.reshape(
        *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
    )
    capsules = _permute(_t3, (-2, -3, -1))
    u = _flatten_dims(capsules, 1, 2)
    return u, (x, weight, capsule_dim, stride, padding, columns, z, positions)


def _cupy_backward_identity_no_bias(
    grad_y, x, weight, capsule_dim, stride, padding, columns, z, positions
):
    import cupy as cp

    _t3 = positions.reshape(
        *positions.shape[:-1], positions.shape[-1] // capsule_dim, capsule_dim
    )
    capsules = _permute(_t3, (-2, -3, -1))
    grad_capsules = grad_y.reshape(capsules.shape)
    _t5 = _unpermute(grad_capsules, (-2, -3, -1))
    grad_positions = _t5.reshape(positions.shape)
    _t7 = cp.swapaxes(grad_positions, -1, -2)
    grad_z = _t7.reshape(z.shape)
    grad_weight = _cupy_conv_weight_grad(
        grad_z, columns, weight, x, stride, padding, (1, 1), 1
    )
    grad_x = _cupy_conv_input_grad(
        grad_z, weight, x, stride, padding, (1, 1), 1, "zeros"
    )
    return grad_x, grad_weight, None


def _cupy_backward_composed(
    grad_y, module, activation_ctx, linear_backward, linear_saved
):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_CUPY_FUSED = {
    ("squash", True): (_cupy_forward_squash, _cupy_backward_squash),
    ("identity", True): (_cupy_forward_identity, _cupy_backward_identity),
    ("squash", False): (_cupy_forward_squash_no_bias, _cupy_backward_squash_no_bias),
    ("identity", False): (
        _cupy_forward_identity_no_bias,
        _cupy_backward_identity_no_bias,
    ),
}


def _cupy_conv_apply(weight, columns, x, stride, padding, dilation, groups):
    """weight [C_out, C / groups, kH, kW] times the columns of x -> [N, C_out, H_out,
    W_out], each group of output channels from its group of input channels.

    Stride 1: image by image (on threads, see in_chunks), on the rows of the padded
    grid, in blocks of rows: the block's column matrix [C * kH * kW, rows * W_p]
    gathered from the shifted slices of its padded input (one per kernel offset), and
    one matrix product with weight, batched over the groups (depthwise, groups = C =
    C_out: one 1 x kH * kW by kH * kW x rows * W_p product per channel). The blocks,
    of equal size, keep the gathered columns within 1.5 MiB, about what a core's L2
    cache holds (1 MiB on the Zen cores measured) so that the product reads them from
    there (2x faster for 4 groups of 8 channels of 64 x 64, smaller blocks paying in
    calls), or, with one output channel per group, within 16 MiB (matrix-vector
    products stream their operand, and gain from long rows instead). Depthwise under
    the numba backend (use_jit): the compiled depthwise_conv of the runtime, one
    GIL-free call per run of images (3x faster on one thread, and the threads' runs
    compute at the same time). Other grouped convolutions (groups > 1, a kernel larger
    than 1 x 1) under the numba backend: the block's columns [C * kH * kW, rows * W_out]
    gathered by the compiled window_columns of the runtime (one GIL-free call, without
    the grid's W_p - W_out extra columns per row), and the product written by np.matmul
    straight into the output: two calls a block instead of eleven, and no padded copy
    of x (see _im2col). 4 groups of 8 channels, 16 x 32 x 64 x 64 float32 by 3 x 3, one
    thread, CPU time (loaded machine): 6.3 ms with _im2col against 9.3.
    Larger strides: one matmul (batched over the groups)."""
    import cupy as cp

    c_out, _, kernel_h, kernel_w = weight.shape
    n, c, h, w = x.shape
    (top, bottom), (left, right) = padding
    if not (n and c and c_out):  # no images or no channels: an empty sum, zeros
        out_h = (h + top + bottom - dilation[0] * (kernel_h - 1) - 1) // stride[0] + 1
        out_w = (w + left + right - dilation[1] * (kernel_w - 1) - 1) // stride[1] + 1
        return cp.zeros((n, c_out, out_h, out_w), dtype=x.dtype)
    if stride[0] == 1 and stride[1] == 1:
        padded_h, padded_w = h + top + bottom, w + left + right
        out_h = padded_h - dilation[0] * (kernel_h - 1)
        out_w = padded_w - dilation[1] * (kernel_w - 1)
        image = c * padded_h * padded_w
        shifts = [
            dilation[0] * u * padded_w + dilation[1] * v
            for u in range(kernel_h)
            for v in range(kernel_w)
        ]
        flat = columns.reshape(-1)
        planes = columns.reshape(columns.shape[0], c, -1)  # [N (+ 1), C, H_p * W_p]
        result = cp.empty((n, c_out, out_h, out_w), dtype=x.dtype)
        matrix = weight.reshape(groups, c_out // groups, -1)
        budget = 1 << 24 if c_out == groups else 3 << 19
        step = max(1, min(out_h, budget // (c * len(shifts) * padded_w * x.itemsize)))
        step = -(
            -out_h // -(-out_h // step)
        )  # blocks of equal size (the last one smaller)
        if c == c_out == groups and use_jit(columns):
            taps = weight.reshape(c, kernel_h, kernel_w)

            def compiled(first, last):
                depthwise_conv(
                    columns, taps, result, first, last, dilation[0], dilation[1]
                )

            in_chunks(compiled, n, x)
            return result
        # (columns that are x itself come from _im2col under numba, even if the backend changed since)
        if (
            groups > 1
            and len(shifts) > 1
            and (use_jit(columns) or columns.shape[0] == n)
        ):
            rows = max(1, min(out_h, budget // (c * len(shifts) * out_w * x.itemsize)))
            rows = -(-out_h // -(-out_h // rows))  # blocks of equal size, as above
            outputs = result.reshape(n, groups, c_out // groups, out_h * out_w)
            corner = (
                (top, left) if columns.shape[0] == n else (0, 0)
            )  # x itself: padding implicit

            def windows(first, last):
                buffer = cp.empty(c * len(shifts) * rows * out_w, dtype=x.dtype)
                for image in range(first, last):
                    for row in range(0, out_h, rows):
                        end = min(row + rows, out_h)
                        block = buffer[: c * len(shifts) * (end - row) * out_w]
                        gathered = block.reshape(
                            c, kernel_h, kernel_w, end - row, out_w
                        )
                        window_columns(
                            columns, gathered, image, row, *corner, *dilation
                        )
                        product = outputs[image, :, :, row * out_w : end * out_w]
                        cp.matmul(
                            matrix,
                            block.reshape(groups, -1, (end - row) * out_w),
                            out=product,
                        )

            in_chunks(windows, n, x)
            return result

        def images(first, last):
            count = last - first
            gathered = cp.empty((count, c, len(shifts), step * padded_w), dtype=x.dtype)
            for row in range(0, out_h, step):
                end = min(row + step, out_h)
                span = (end - row) * padded_w
                if (
                    len(shifts) == 1
                ):  # a 1 x 1 kernel: the rows of the grid are its columns
                    block = planes[
                        first:last, :, None, row * padded_w : row * padded_w + span
                    ]
                else:
                    block = gathered[..., :span]
                    for k, shift in enumerate(shifts):
                        start = first * image + row * padded_w + shift
                        shifted = flat[start : start + count * image].reshape(
                            count, c, -1
                        )
                        block[:, :, k] = shifted[:, :, :span]
                on_grid = cp.matmul(matrix, block.reshape(count, groups, -1, span))
                result[first:last, :, row:end] = on_grid.reshape(
                    count, c_out, end - row, padded_w
                )[..., :out_w]

        in_chunks(images, n, x)
        return result
    size, _, out_h, out_w = columns.shape
    if groups == 1:
        product = weight.reshape(c_out, size) @ columns.reshape(size, n * out_h * out_w)
    else:
        product = cp.matmul(
            weight.reshape(groups, c_out // groups, -1),
            columns.reshape(groups, size // groups, -1),
        )
    return cp.ascontiguousarray(
        product.reshape(c_out, n, out_h, out_w).transpose(1, 0, 2, 3)
    )


def _cupy_conv_input_grad(
    grad, weight, x, stride, padding, dilation, groups, padding_mode
):
    """The gradient of a convolution with respect to x [N, C, H, W]. Stride 1: the
    convolution of grad, zero-padded by dilation * (k - 1) - padding (at least 0) on
    each side, with the kernel flipped in both directions and its channel axes swapped
    within each group (_conv_apply, depthwise where the convolution is), cropped to x's
    pixels. Otherwise image by image (on threads, see in_chunks): one product of the
    transposed kernel [C * kH * kW, C_out] (batched over the groups) with the image's
    gradient [C_out, H_out * W_out], whose [C, H_out, W_out] slab for each kernel offset
    is added onto the strided (padded) pixels that offset read, then cropped (under the
    numba backend, use_jit: the runtime's compiled_conv_input_grad, one buffer of
    products per thread's run of images and the compiled transposed_scatter). A
    padding_mode other than zeros: the gradient on the padded grid, folded back onto
    the pixels each padded one copies (_window_fold)."""
    import cupy as cp

    n, c, h, w = x.shape
    c_out, c_group, kernel_h, kernel_w = weight.shape
    if not (grad.size and x.size):  # no images or no channels: an empty sum, zeros
        return cp.zeros(x.shape, dtype=grad.dtype)
    out_h, out_w = grad.shape[2], grad.shape[3]
    (top, bottom), (left, right) = padding
    if padding_mode != "zeros":
        grid = cp.broadcast_to(
            cp.zeros((), dtype=grad.dtype), (n, c, h + top + bottom, w + left + right)
        )
        on_grid = _cupy_conv_input_grad(
            grad, weight, grid, stride, ((0, 0), (0, 0)), dilation, groups, "zeros"
        )
        return _cupy_window_fold(on_grid, x, padding, padding_mode)
    if stride[0] == 1 and stride[1] == 1:
        reach_h, reach_w = dilation[0] * (kernel_h - 1), dilation[1] * (kernel_w - 1)
        pads = (
            (max(reach_h - top, 0), max(reach_h - bottom, 0)),
            (max(reach_w - left, 0), max(reach_w - right, 0)),
        )
        flipped = weight[:, :, ::-1, ::-1].reshape(
            groups, c_out // groups, c_group, kernel_h, kernel_w
        )
        flipped = cp.ascontiguousarray(flipped.transpose(0, 2, 1, 3, 4)).reshape(
            c, c_out // groups, kernel_h, kernel_w
        )
        padded = _cupy_im2col(grad, flipped, (1, 1), pads, dilation, "zeros")
        full = _cupy_conv_apply(flipped, padded, grad, (1, 1), pads, dilation, groups)
        if full.shape[2:] == (h, w):
            return full
        first_row, first_col = max(top - reach_h, 0), max(left - reach_w, 0)
        return cp.ascontiguousarray(
            full[:, :, first_row : first_row + h, first_col : first_col + w]
        )
    result = cp.empty(x.shape, dtype=grad.dtype)
    if use_jit(grad):
        compiled_conv_input_grad(
            grad, weight, result, groups, stride, dilation, top, left
        )
        return result
    # [G, C / G * kH * kW, C_out / G], a transposed view (BLAS reads it as it is; a strided
    # slice of weight per kernel offset is no BLAS operand, and runs NumPy's slow loop)
    taps = weight.reshape(groups, c_out // groups, -1).transpose(0, 2, 1)

    def images(first, last):
        count = last - first
        spread = cp.matmul(
            taps, grad[first:last].reshape(count, groups, c_out // groups, -1)
        )
        spread = spread.reshape(count, c, kernel_h, kernel_w, out_h, out_w)
        on_grid = cp.zeros(
            (count, c, h + top + bottom, w + left + right), dtype=grad.dtype
        )
        for u in range(kernel_h):
            for v in range(kernel_w):
                first_row, first_col = u * dilation[0], v * dilation[1]
                rows = slice(
                    first_row, first_row + stride[0] * (out_h - 1) + 1, stride[0]
                )
                cols = slice(
                    first_col, first_col + stride[1] * (out_w - 1) + 1, stride[1]
                )
                on_grid[:, :, rows, cols] += spread[:, :, u, v]
        result[first:last] = on_grid[:, :, top : top + h, left : left + w]

    in_chunks(images, n, grad)
    return result


def _cupy_conv_weight_grad(grad, columns, weight, x, stride, padding, dilation, groups):
    """grad [N, C_out, H_out, W_out] times the columns of x, summed over all positions,
    each group of output channels with its group of input channels.
    Stride 1: image by image (on threads, see in_chunks), in the blocks of rows of
    _conv_apply, the block's column matrix gathered as there times grad laid on the
    rows of the padded grid (zeros past W_out). Depthwise (groups = C = C_out): per
    kernel offset, one dot product per channel of its shifted rows, read in place, with
    grad's (no gathered columns: 1.7x faster on 32 channels of 64 x 64); under the
    numba backend (use_jit) the compiled depthwise_weight_grad of the runtime, one
    GIL-free call per run of images. Other grouped convolutions under the numba
    backend: the columns of _conv_apply's compiled path (window_columns) times grad's
    rows as they lie, one product a block (6.3 ms against 8.6 for the case there).
    Otherwise one matmul [K, P] @ [P, C_out] (the faster order for OpenBLAS, with the
    long P axis contiguous in both), batched over the groups, transposed, shaped like
    weight."""
    import cupy as cp

    n, c_out, out_h, out_w = grad.shape
    if not (grad.size and x.size):  # no images or no channels: an empty sum, zeros
        return cp.zeros(weight.shape, dtype=grad.dtype)
    if stride[0] == 1 and stride[1] == 1:
        _, _, kernel_h, kernel_w = weight.shape
        c = x.shape[1]
        (top, bottom), (left, right) = padding
        padded_h, padded_w = x.shape[2] + top + bottom, x.shape[3] + left + right
        image = c * padded_h * padded_w
        shifts = [
            dilation[0] * u * padded_w + dilation[1] * v
            for u in range(kernel_h)
            for v in range(kernel_w)
        ]
        flat = columns.reshape(-1)
        planes = columns.reshape(columns.shape[0], c, -1)  # [N (+ 1), C, H_p * W_p]
        budget = 1 << 24 if c_out == groups else 3 << 19
        step = max(
            1, min(out_h, budget // (c * len(shifts) * padded_w * grad.itemsize))
        )
        step = -(
            -out_h // -(-out_h // step)
        )  # blocks of equal size (the last one smaller)
        if c == c_out == groups and use_jit(grad):

            def compiled(first, last):
                return depthwise_weight_grad(
                    columns,
                    grad,
                    first,
                    last,
                    kernel_h,
                    kernel_w,
                    dilation[0],
                    dilation[1],
                )

            return in_chunks(compiled, n, grad).astype(grad.dtype).reshape(weight.shape)
        # (columns that are x itself come from _im2col under numba, even if the backend changed since)
        grouped = (
            groups > 1 and len(shifts) > 1 and (use_jit(grad) or columns.shape[0] == n)
        )
        if grouped:
            rows = max(
                1, min(out_h, budget // (c * len(shifts) * out_w * grad.itemsize))
            )
            rows = -(-out_h // -(-out_h // rows))  # blocks of equal size, as above
            per_group = grad.reshape(n, groups, c_out // groups, out_h * out_w)
            corner = (
                (top, left) if columns.shape[0] == n else (0, 0)
            )  # x itself: padding implicit

        def windows(first, last):
            buffer = cp.empty(c * len(shifts) * rows * out_w, dtype=grad.dtype)
            total = cp.zeros(
                (groups, c * len(shifts) // groups, c_out // groups), dtype=grad.dtype
            )
            product = cp.empty_like(total)
            for image in range(first, last):
                for row in range(0, out_h, rows):
                    end = min(row + rows, out_h)
                    block = buffer[: c * len(shifts) * (end - row) * out_w]
                    gathered = block.reshape(c, kernel_h, kernel_w, end - row, out_w)
                    window_columns(columns, gathered, image, row, *corner, *dilation)
                    part = per_group[image, :, :, row * out_w : end * out_w].transpose(
                        0, 2, 1
                    )
                    total += cp.matmul(
                        block.reshape(groups, -1, (end - row) * out_w),
                        part,
                        out=product,
                    )
            return total

        def depthwise(first, last):
            count = last - first
            on_grid = cp.zeros((count, c, out_h, padded_w), dtype=grad.dtype)
            on_grid[..., :out_w] = grad[first:last]
            rows = on_grid.reshape(count, c, -1, 1)
            total = cp.zeros((c, len(shifts), 1), dtype=grad.dtype)
            for k, shift in enumerate(shifts):
                start = first * image + shift
                shifted = flat[start : start + count * image].reshape(count, c, -1)
                total[:, k] = cp.matmul(
                    shifted[:, :, None, : out_h * padded_w], rows
                ).sum(axis=0)[:, 0]
            return total

        def images(first, last):
            count = last - first
            gathered = cp.empty(
                (count, c, len(shifts), step * padded_w), dtype=grad.dtype
            )
            on_grid = cp.zeros((count, c_out, step, padded_w), dtype=grad.dtype)
            total = cp.zeros(
                (groups, c * len(shifts) // groups, c_out // groups), dtype=grad.dtype
            )
            for row in range(0, out_h, step):
                end = min(row + step, out_h)
                span = (end - row) * padded_w
                if (
                    len(shifts) == 1
                ):  # a 1 x 1 kernel: the rows of the grid are its columns
                    block = planes[
                        first:last, :, None, row * padded_w : row * padded_w + span
                    ]
                else:
                    block = gathered[..., :span]
                    for k, shift in enumerate(shifts):
                        start = first * image + row * padded_w + shift
                        shifted = flat[start : start + count * image].reshape(
                            count, c, -1
                        )
                        block[:, :, k] = shifted[:, :, :span]
                if out_w == padded_w:  # no positions past W_out: grad is on the grid
                    per_group = grad[first:last, :, row:end].reshape(
                        count, groups, c_out // groups, span
                    )
                else:
                    on_grid[:, :, : end - row, :out_w] = grad[first:last, :, row:end]
                    per_group = on_grid[:, :, : end - row].reshape(
                        count, groups, c_out // groups, span
                    )
                total += cp.matmul(
                    block.reshape(count, groups, -1, span),
                    per_group.transpose(0, 1, 3, 2),
                ).sum(axis=0)
            return total

        total = in_chunks(
            depthwise if c == c_out == groups else windows if grouped else images, n, x
        )
    elif groups == 1:
        per_channel = grad.transpose(1, 0, 2, 3).reshape(c_out, -1)
        total = columns.reshape(columns.shape[0], -1) @ per_channel.T
    else:
        per_channel = grad.transpose(1, 0, 2, 3).reshape(groups, c_out // groups, -1)
        total = cp.matmul(
            columns.reshape(groups, columns.shape[0] // groups, -1),
            per_channel.transpose(0, 2, 1),
        )
    return cp.ascontiguousarray(cp.swapaxes(total, -1, -2)).reshape(weight.shape)


def _cupy_im2col(x, weight, stride, padding, dilation, padding_mode):
    """The windows of x [N, C, H, W] that a weight [C_out, C / groups, kH, kW] sees.

    Stride 1: x padded (with zeros or as ``padding_mode``), [N + 1, C, H_p, W_p] (one
    spare image of zeros at the end). Laid on the padded grid, the row (c, u, v) of
    image i's column matrix is then row c of the flat image shifted by
    dilation_h * u * W_p + dilation_w * v: a slice of the flat array, so the columns are
    never copied out (positions past W_out on the grid, which read into the next row or
    image, are computed and dropped). A 1 x 1 kernel without padding: x itself (its
    columns are x's rows, read in place). A grouped convolution (groups > 1, not
    depthwise, a kernel larger than 1 x 1) with zeros under the numba backend: x itself
    too, its padding implicit (the compiled window_columns reads zeros outside x: no
    padded copy). Larger strides: the columns [C * kH * kW, N, H_out, W_out], one
    strided view and one copy."""
    import cupy as cp

    n, c, h, w = x.shape
    kernel_h, kernel_w = weight.shape[2], weight.shape[3]
    (top, bottom), (left, right) = padding
    if stride[0] == 1 and stride[1] == 1:
        if kernel_h == kernel_w == 1 and not (top or bottom or left or right):
            return x
        # (conv_apply's compiled grouped path: not depthwise, a kernel larger than 1 x 1)
        grouped = weight.shape[1] < c and not (
            weight.shape[1] == 1 and weight.shape[0] == c
        )
        if (
            grouped
            and kernel_h * kernel_w > 1
            and padding_mode == "zeros"
            and use_jit(x)
        ):
            return x
        padded = cp.zeros((n + 1, c, h + top + bottom, w + left + right), dtype=x.dtype)
        if padding_mode == "zeros":
            padded[:n, :, top : top + h, left : left + w] = x
        else:
            padded[:n] = _cupy_window_pad(x, padding, padding_mode)
        return padded
    if top or bottom or left or right:
        x = _cupy_window_pad(x, padding, padding_mode)
    span_h, span_w = dilation[0] * (kernel_h - 1) + 1, dilation[1] * (kernel_w - 1) + 1
    windows = cp.lib.stride_tricks.sliding_window_view(x, (span_h, span_w), axis=(2, 3))
    windows = windows[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]
    out_h, out_w = windows.shape[2:4]
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(
        c * kernel_h * kernel_w, n, out_h, out_w
    )


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


def _cupy_sum_to(grad, shape):
    """Sum ``grad`` over the axes along which an operand of ``shape`` was broadcast; over
    leading axes only (a bias gradient) as a vector-matrix product with ones (BLAS)."""
    import cupy as cp

    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes == tuple(range(lead)) and lead and grad.size and grad.dtype.kind == "f":
        rows = grad.reshape(-1, grad[(0,) * lead].size)
        return cp.matmul(cp.ones(rows.shape[0], grad.dtype), rows).reshape(shape)
    return cp.sum(grad, axis=axes).reshape(shape) if axes else grad


def _cupy_window_fold(grad, like, padding, padding_mode):
    """The gradient of _window_pad: grad on the padded grid summed back onto the pixels
    of like [N, C, H, W] that each padded pixel copies (one product per axis with the
    0/1 matrix of the copies: exact, each pixel's copies added up)."""
    import cupy as cp

    (top, bottom), (left, right) = padding
    h, w = like.shape[2], like.shape[3]
    if padding_mode == "zeros":
        return cp.ascontiguousarray(grad[:, :, top : top + h, left : left + w])
    mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[padding_mode]
    result = grad
    for axis, size, sides in ((2, h, (top, bottom)), (3, w, (left, right))):
        source = cp.pad(cp.arange(size), sides, mode=mode)
        copies = (source[:, None] == cp.arange(size)[None, :]).astype(grad.dtype)
        result = cp.moveaxis(cp.matmul(cp.moveaxis(result, axis, -1), copies), -1, axis)
    return cp.ascontiguousarray(result)


def _cupy_window_pad(x, padding, padding_mode):
    """x [N, C, H, W] padded by ((top, bottom), (left, right)): with zeros, or with
    PyTorch's reflect, replicate or circular padding (np.pad's reflect, edge, wrap)."""
    import cupy as cp

    widths = ((0, 0), (0, 0), tuple(padding[0]), tuple(padding[1]))
    if padding_mode == "zeros":
        return cp.pad(x, widths)
    return cp.pad(
        x,
        widths,
        mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[
            padding_mode
        ],
    )
