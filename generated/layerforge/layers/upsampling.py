"""Upsampling: Resizing of [B, C, H, W] feature maps as torch.nn.Upsample and
F.interpolate: mode nearest (y[b, c, i, j] = x[b, c, floor(i r_h), floor(j r_w)]),
bilinear or bicubic (align_corners or not), to a size= or by a scale_factor= (a float or
one per axis; the output is floor(in * scale)); with neither, a factor of 2.
coordinate_transformation_mode (and, for nearest, nearest_mode) take ONNX Resize's
source coordinates instead of PyTorch's. Backward adds each output's gradient back onto
the inputs it was made from.
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


def forward(
    x,
    *,
    size=None,
    scale_factor=None,
    mode="nearest",
    align_corners=False,
    coordinate_transformation_mode=None,
    cubic_coeff_a=-0.75,
    exclude_outside=False,
    antialias=False,
    nearest_mode="round_prefer_floor",
):
    """Upsampling forward pass.

    Resizing of [B, C, H, W] feature maps as torch.nn.Upsample and F.interpolate: mode
    nearest (y[b, c, i, j] = x[b, c, floor(i r_h), floor(j r_w)]), bilinear or bicubic
    (align_corners or not), to a size= or by a scale_factor= (a float or one per axis;
    the output is floor(in * scale)); with neither, a factor of 2.
    coordinate_transformation_mode (and, for nearest, nearest_mode) take ONNX Resize's
    source coordinates instead of PyTorch's. Backward adds each output's gradient back
    onto the inputs it was made from.

    Args:
        x: float32 or float64 input of shape [B, C, H, W].
        size: int_or_ints, default None. The output height and width (an int for both).
        scale_factor: float_or_floats, default None. The factor for height and width, or
            one per axis.
        mode: str, default 'nearest'. The interpolation.
        align_corners: bool, default False. Bilinear and bicubic: corner pixels aligned
            (ignored by nearest).
        coordinate_transformation_mode: str, default None. ONNX Resize's source
            coordinate of each output (align_corners then ignored); None: PyTorch's.
        cubic_coeff_a: float, default -0.75. Bicubic: the coefficient a of Keys' cubic
            convolution (PyTorch's -0.75; ONNX's cubic_coeff_a).
        exclude_outside: bool, default False. Bilinear with antialias and bicubic: taps
            past the edge weigh 0 and the others are renormalized (ONNX's
            exclude_outside), instead of taking the edge entry.
        antialias: bool, default False. Bilinear and bicubic: when downsampling, the
            filter stretched by 1 / scale (ONNX's antialias; PyTorch's antialias=True
            with exclude_outside=True, and for bicubic cubic_coeff_a=-0.5).
        nearest_mode: str, default 'round_prefer_floor'. Nearest with
            coordinate_transformation_mode: how the source coordinate is rounded (ONNX
            Resize's nearest_mode).

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays("upsampling", {"x": x}, {"x": ("B", "C", "H", "W")})
    if size is not None:
        check_attribute("upsampling", "size", size, "int_or_ints", minimum=1)
    if scale_factor is not None:
        check_attribute("upsampling", "scale_factor", scale_factor, "float_or_floats")
    check_attribute(
        "upsampling", "mode", mode, "str", choices=("nearest", "bilinear", "bicubic")
    )
    check_attribute("upsampling", "align_corners", align_corners, "bool")
    if coordinate_transformation_mode is not None:
        check_attribute(
            "upsampling",
            "coordinate_transformation_mode",
            coordinate_transformation_mode,
            "str",
            choices=(
                "half_pixel",
                "half_pixel_symmetric",
                "pytorch_half_pixel",
                "align_corners",
                "asymmetric",
                "tf_half_pixel_for_nn",
            ),
        )
    check_attribute("upsampling", "cubic_coeff_a", cubic_coeff_a, "float")
    check_attribute("upsampling", "exclude_outside", exclude_outside, "bool")
    check_attribute("upsampling", "antialias", antialias, "bool")
    check_attribute(
        "upsampling",
        "nearest_mode",
        nearest_mode,
        "str",
        choices=("round_prefer_floor", "round_prefer_ceil", "floor", "ceil"),
    )
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[mode]
        y, saved = forward_variant(
            x,
            size,
            scale_factor,
            align_corners,
            coordinate_transformation_mode,
            cubic_coeff_a,
            exclude_outside,
            antialias,
            nearest_mode,
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    forward_variant, backward_variant = _VARIANTS[mode]
    y, saved = forward_variant(
        x,
        size,
        scale_factor,
        align_corners,
        coordinate_transformation_mode,
        cubic_coeff_a,
        exclude_outside,
        antialias,
        nearest_mode,
    )
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


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


def _forward_nearest(
    x,
    size,
    scale_factor,
    align_corners,
    coordinate_transformation_mode,
    cubic_coeff_a,
    exclude_outside,
    antialias,
    nearest_mode,
):
    y = _interpolate_nearest(
        x, size, scale_factor, coordinate_transformation_mode, nearest_mode
    )
    return y, (x, size, scale_factor, coordinate_transformation_mode, nearest_mode)


def _backward_nearest(
    grad_y, x, size, scale_factor, coordinate_transformation_mode, nearest_mode
):
    grad_x = _interpolate_nearest_grad(
        grad_y, x, size, scale_factor, coordinate_transformation_mode, nearest_mode
    )
    return grad_x


def _forward_bilinear(
    x,
    size,
    scale_factor,
    align_corners,
    coordinate_transformation_mode,
    cubic_coeff_a,
    exclude_outside,
    antialias,
    nearest_mode,
):
    y = _interpolate_bilinear(
        x,
        size,
        scale_factor,
        align_corners,
        coordinate_transformation_mode,
        exclude_outside,
        antialias,
    )
    return y, (
        x,
        size,
        scale_factor,
        align_corners,
        coordinate_transformation_mode,
        exclude_outside,
        antialias,
    )


def _backward_bilinear(
    grad_y,
    x,
    size,
    scale_factor,
    align_corners,
    coordinate_transformation_mode,
    exclude_outside,
    antialias,
):
    grad_x = _interpolate_bilinear_grad(
        grad_y,
        x,
        size,
        scale_factor,
        align_corners,
        coordinate_transformation_mode,
        exclude_outside,
        antialias,
    )
    return grad_x


def _forward_bicubic(
    x,
    size,
    scale_factor,
    align_corners,
    coordinate_transformation_mode,
    cubic_coeff_a,
    exclude_outside,
    antialias,
    nearest_mode,
):
    y = _interpolate_filtered(
        x,
        size,
        scale_factor,
        align_corners,
        coordinate_transformation_mode,
        True,
        cubic_coeff_a,
        exclude_outside,
        antialias,
    )
    return y, (
        x,
        size,
        scale_factor,
        align_corners,
        coordinate_transformation_mode,
        cubic_coeff_a,
        exclude_outside,
        antialias,
    )


def _backward_bicubic(
    grad_y,
    x,
    size,
    scale_factor,
    align_corners,
    coordinate_transformation_mode,
    cubic_coeff_a,
    exclude_outside,
    antialias,
):
    grad_x = _interpolate_filtered_grad(
        grad_y,
        x,
        size,
        scale_factor,
        align_corners,
        coordinate_transformation_mode,
        True,
        cubic_coeff_a,
        exclude_outside,
        antialias,
    )
    return grad_x


_VARIANTS = {
    "nearest": (_forward_nearest, _backward_nearest),
    "bilinear": (_forward_bilinear, _backward_bilinear),
    "bicubic": (_forward_bicubic, _backward_bicubic),
}


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


def _copied_rows_grad(grad, sources, n):
    """Rows of grad [N, ..., n_out, W] added onto rows ``sources`` of an array of n rows,
    one output row at a time, image by image (on threads, see in_chunks)."""
    out = np.zeros(grad.shape[:-2] + (n, grad.shape[-1]), grad.dtype)

    def images(start, stop):
        source, target = grad[start:stop], out[start:stop]
        for i, row in enumerate(sources.tolist()):
            target[..., row, :] += source[..., i, :]

    in_chunks(images, grad.shape[0], grad)
    return out


def _interpolate_bilinear(
    x, size, scale, align_corners, coordinates, exclude, antialias
):
    """Bilinear resizing of x [N, C, H, W] as F.interpolate(mode="bilinear"), one axis
    after the other as PyTorch mixes them (columns, then rows): the columns as a matrix
    product with the [W, W_out] interpolation matrix (two weights a column; BLAS), the
    rows mixed two at a time, image by image (_mix_rows: an image's product is mixed
    while it is in the CPU's cache). An input with inf or NaN has its columns mixed
    that way too, so that they stay where they are (0 * inf would spread NaN). With
    antialias, the filter matrices of _interpolate_filtered."""
    if antialias:
        return _interpolate_filtered(
            x, size, scale, align_corners, coordinates, False, None, exclude, True
        )
    (out_h, out_w), (scale_h, scale_w) = _interpolate_size(x, size, scale)
    n, c, h, w = x.shape
    c0, c1, cw0, cw1 = _linear_weights(
        w, out_w, scale_w, align_corners, x.dtype, coordinates
    )
    r0, r1, rw0, rw1 = _linear_weights(
        h, out_h, scale_h, align_corners, x.dtype, coordinates
    )
    if np.isfinite(x).all():
        entries = np.arange(w)[:, None]
        mixing = (entries == c0) * cw0 + (entries == c1) * cw1  # [W, W_out]
        return _mix_rows(x, r0, r1, rw0, rw1, mixing)
    columns = np.swapaxes(_mix_rows(np.swapaxes(x, 2, 3), c0, c1, cw0, cw1), 2, 3)
    return _mix_rows(columns, r0, r1, rw0, rw1)


def _interpolate_bilinear_grad(
    grad, x, size, scale, align_corners, coordinates, exclude, antialias
):
    """The gradient of _interpolate_bilinear, its steps transposed in reverse, image by
    image (_mix_rows_grad): each output row's weighted gradient added onto its two source
    rows, then the columns through the transposed interpolation matrix (row by row as
    well where those sums are not finite); with antialias, that of _interpolate_filtered.
    """
    if antialias:
        return _interpolate_filtered_grad(
            grad, x, size, scale, align_corners, coordinates, False, None, exclude, True
        )
    (out_h, out_w), (scale_h, scale_w) = _interpolate_size(x, size, scale)
    n, c, h, w = x.shape
    r0, r1, rw0, rw1 = _linear_weights(
        h, out_h, scale_h, align_corners, grad.dtype, coordinates
    )
    c0, c1, cw0, cw1 = _linear_weights(
        w, out_w, scale_w, align_corners, grad.dtype, coordinates
    )
    entries = np.arange(w)
    mixing = (c0[:, None] == entries) * cw0[:, None] + (c1[:, None] == entries) * cw1[
        :, None
    ]
    return _mix_rows_grad(grad, r0, r1, rw0, rw1, h, (mixing, c0, c1, cw0, cw1))


def _interpolate_filtered(
    x, size, scale, align_corners, coordinates, cubic, coefficient, exclude, antialias
):
    """Resizing of x [N, C, H, W] through each axis's [in, out] filter matrix
    (_resize_matrix): the columns, then the rows, one matrix product each (BLAS)."""
    (out_h, out_w), (scale_h, scale_w) = _interpolate_size(x, size, scale)
    n, c, h, w = x.shape
    options = (
        align_corners,
        coordinates,
        cubic,
        coefficient,
        exclude,
        antialias,
        x.dtype,
    )
    columns = _resize_matrix(w, out_w, scale_w, *options)
    rows = _resize_matrix(h, out_h, scale_h, *options)
    mixed = np.matmul(x.reshape(-1, w), columns).reshape(n, c, h, out_w)
    return np.matmul(rows.T, mixed)


def _interpolate_filtered_grad(
    grad,
    x,
    size,
    scale,
    align_corners,
    coordinates,
    cubic,
    coefficient,
    exclude,
    antialias,
):
    """The gradient of _interpolate_filtered: its two matrix products transposed, in reverse."""
    (out_h, out_w), (scale_h, scale_w) = _interpolate_size(x, size, scale)
    n, c, h, w = x.shape
    options = (
        align_corners,
        coordinates,
        cubic,
        coefficient,
        exclude,
        antialias,
        grad.dtype,
    )
    columns = _resize_matrix(w, out_w, scale_w, *options)
    rows = _resize_matrix(h, out_h, scale_h, *options)
    mixed = np.matmul(rows, grad)  # [N, C, H, W_out]
    return np.matmul(mixed.reshape(-1, out_w), columns.T).reshape(x.shape)


def _interpolate_nearest(x, size, scale, coordinates, rounding):
    """Nearest-neighbour resizing of x [N, C, H, W] as F.interpolate(mode="nearest"):
    by one integer factor for both axes, the block copy of _upsample_nearest; otherwise
    (or with ONNX's coordinates and rounding) the source rows, then the source
    columns, gathered."""
    (out_h, out_w), (scale_h, scale_w) = _interpolate_size(x, size, scale)
    n, c, h, w = x.shape
    if (
        coordinates is None and out_h % h == 0 and out_h * w == out_w * h
    ):  # one integer factor
        return _upsample_nearest(x, out_h // h)
    rows = np.take(
        x, _nearest_sources(h, out_h, scale_h, coordinates, rounding), axis=2
    )
    return np.take(
        rows, _nearest_sources(w, out_w, scale_w, coordinates, rounding), axis=3
    )


def _interpolate_nearest_grad(grad, x, size, scale, coordinates, rounding):
    """The gradient of _interpolate_nearest: every output's gradient added onto the
    input it copied (the block sums of _block_sum for one integer factor)."""
    (out_h, out_w), (scale_h, scale_w) = _interpolate_size(x, size, scale)
    n, c, h, w = x.shape
    if (
        coordinates is None and out_h % h == 0 and out_h * w == out_w * h
    ):  # one integer factor
        return _block_sum(grad, out_h // h)
    sources_w = _nearest_sources(w, out_w, scale_w, coordinates, rounding)
    sources_h = _nearest_sources(h, out_h, scale_h, coordinates, rounding)
    columns = _copied_rows_grad(np.swapaxes(grad, 2, 3), sources_w, w)
    return np.ascontiguousarray(
        _copied_rows_grad(np.swapaxes(columns, 2, 3), sources_h, h)
    )


def _interpolate_size(x, size, scale):
    """The output height and width of upsampling x [N, C, H, W], and the scale per axis
    PyTorch's coordinates use (None where the size was given): ``size`` (an int or a
    pair) or ``scale_factor`` (a float or a pair; the size is floor(in * scale)); with
    neither, a factor of 2. A clear error for both, or an empty output."""
    if size is not None and scale is not None:
        raise ValueError("upsampling: give either 'size' or 'scale_factor', not both")
    if size is None and scale is None:
        scale = 2
    values = size if size is not None else scale
    values = tuple(values) if isinstance(values, (tuple, list)) else (values, values)
    if len(values) != 2:
        name = "size" if size is not None else "scale_factor"
        raise ValueError(
            f"upsampling: '{name}' {values} must give one value or one per spatial axis (2)"
        )
    if size is not None:
        out, scales = tuple(int(v) for v in values), (None, None)
    else:
        out, scales = (
            tuple(int(np.floor(n * float(s))) for n, s in zip(x.shape[2:], values)),
            values,
        )
    if min(out) < 1:
        raise ValueError(
            f"upsampling: the output size {out} of 'x' {tuple(x.shape)} must be at least 1"
        )
    return out, scales


def _linear_weights(n_in, n_out, scale, align_corners, dtype, coordinates=None):
    """For each of n_out outputs along an axis of n_in entries, the two input indices
    i0 <= i1 it mixes and their weights w0 + w1 = 1, as PyTorch's linear modes: the
    source coordinate is i (n_in - 1) / (n_out - 1) with align_corners, else
    (i + 1/2) r - 1/2 clamped at 0, r = 1 / scale_factor if one was given, else
    n_in / n_out; i1 stops at the last entry. With ONNX Resize's ``coordinates``
    (coordinate_transformation_mode), its source coordinate, clamped to the input."""
    i = np.arange(n_out, dtype=np.float64)
    if coordinates is not None:
        source = np.clip(
            _resize_coordinates(n_in, n_out, scale, coordinates), 0, n_in - 1
        )
    elif align_corners:
        source = i * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        ratio = 1 / scale if scale else n_in / n_out
        source = np.maximum((i + 0.5) * ratio - 0.5, 0)
    first = np.minimum(source.astype(np.int64), n_in - 1)
    second = np.minimum(first + 1, n_in - 1)
    w1 = np.clip(source - first, 0, 1)
    return first, second, (1 - w1).astype(dtype), w1.astype(dtype)


def _mix_rows(x, first, second, w0, w1, columns=None):
    """Rows of x [N, ..., n, W] mixed two at a time: out[..., i, :] = w0[i] x[..., first[i], :]
    + w1[i] x[..., second[i], :], run by run of rows (_row_runs: a few strided slices for
    an integer upscaling; no gathered copy is made), image by image along the first axis
    (on threads, see in_chunks) so that an image's rows are read from the CPU's cache.
    With ``columns``, a [W_in, W] matrix, x is [N, ..., n, W_in] and each image is first
    multiplied by it (the column stage of a separable resize), its product mixed while
    in cache: 16 x 32 x 64 x 64 float32 upscaled by 2 in 25 ms on one thread, against
    29 ms for the whole product first (which leaves the cache)."""
    width = x.shape[-1] if columns is None else columns.shape[1]
    out = np.empty(x.shape[:-2] + (len(first), width), x.dtype)
    runs = _row_runs(len(first), first, second, w0, w1, x.shape[-2])

    def images(start, stop):
        source, target = x[start:stop], out[start:stop]
        if columns is not None:
            source = np.matmul(source.reshape(-1, source.shape[-1]), columns).reshape(
                source.shape[:-1] + (width,)
            )
        with np.errstate(
            invalid="ignore"
        ):  # inf times a weight of 0 is NaN, as in PyTorch
            for head, stride, count, a, b, u, v in runs:
                rows = target[..., head : head + stride * (count - 1) + 1 : stride, :]
                np.multiply(source[..., a : a + count, :], u, out=rows)
                rows += v * source[..., b : b + count, :]

    in_chunks(images, x.shape[0], x)
    return out


def _mix_rows_grad(grad, first, second, w0, w1, n, columns=None):
    """The gradient of _mix_rows for an input of n rows: grad[..., i, :] times w0[i] added
    onto row first[i] and times w1[i] onto row second[i], run by run (_row_runs: within a
    run the sources differ, so each run is one slice addition per weight), image by image
    (on threads, see in_chunks). With ``columns`` (a [W, W_in] matrix, and the first,
    second, w0, w1 of its columns' two entries), each image's sums are then multiplied
    by it while in the CPU's cache, or, where they hold inf or NaN, mixed as columns by
    the same slices (0 * inf would spread NaN through the product)."""
    width = grad.shape[-1] if columns is None else columns[0].shape[1]
    out = (
        np.zeros(grad.shape[:-2] + (n, grad.shape[-1]), grad.dtype)
        if columns is None
        else None
    )
    final = (
        out if columns is None else np.empty(grad.shape[:-2] + (n, width), grad.dtype)
    )
    runs = _row_runs(grad.shape[-2], first, second, w0, w1, n)

    def images(start, stop):
        source = grad[start:stop]
        if columns is None:
            target = out[start:stop]
        else:  # the image's sums, in cache until multiplied
            target = np.zeros(source.shape[:-2] + (n, source.shape[-1]), grad.dtype)
        with np.errstate(invalid="ignore"):
            for head, stride, count, a, b, u, v in runs:
                rows = source[..., head : head + stride * (count - 1) + 1 : stride, :]
                target[..., a : a + count, :] += u * rows
                target[..., b : b + count, :] += v * rows
        if columns is None:
            return
        if np.isfinite(target).all():
            np.matmul(
                target.reshape(-1, target.shape[-1]),
                columns[0],
                out=final[start:stop].reshape(-1, width),
            )
        else:
            mixed = _mix_rows_grad(np.swapaxes(target, -1, -2), *columns[1:], width)
            final[start:stop] = np.swapaxes(mixed, -1, -2)

    in_chunks(images, grad.shape[0], grad)
    return final


def _nearest_sources(n_in, n_out, scale, coordinates=None, rounding=None):
    """The input index each of n_out outputs copies, as PyTorch's mode="nearest":
    floor(i * r) in float32 arithmetic, r = 1 / scale_factor if one was given, else
    n_in / n_out (an equal size copies, twice the size halves the index exactly). With
    ONNX Resize's ``coordinates`` (coordinate_transformation_mode), its source
    coordinate rounded by ``rounding`` (nearest_mode), within the input."""
    if coordinates is not None:
        source = _resize_coordinates(n_in, n_out, scale, coordinates)
        if rounding == "round_prefer_floor":
            source = np.ceil(source - 0.5)
        elif rounding == "round_prefer_ceil":
            source = np.floor(source + 0.5)
        elif rounding == "ceil":
            source = np.ceil(source)
        else:
            source = np.floor(source)
        return np.clip(source, 0, n_in - 1).astype(np.int64)
    i = np.arange(n_out)
    if n_out == n_in:
        return i
    if n_out == 2 * n_in:
        return i >> 1
    ratio = np.float32(1 / scale) if scale else np.float32(n_in) / np.float32(n_out)
    return np.minimum(np.floor(i.astype(np.float32) * ratio).astype(np.int64), n_in - 1)


def _resize_coordinates(n_in, n_out, scale, coordinates):
    """The source coordinate of each of n_out outputs along an axis of n_in entries by
    ONNX Resize's coordinate_transformation_mode, with s the scale factor if one was
    given, else n_out / n_in: half_pixel (i + 1/2) / s - 1/2; half_pixel_symmetric the
    same, centred; pytorch_half_pixel as half_pixel but 0 for one output;
    align_corners i (n_in - 1) / (n_in s - 1) (0 for one output); asymmetric i / s;
    tf_half_pixel_for_nn (i + 1/2) / s."""
    s = float(scale) if scale else n_out / n_in
    i = np.arange(n_out, dtype=np.float64)
    if coordinates == "half_pixel":
        return (i + 0.5) / s - 0.5
    if coordinates == "half_pixel_symmetric":
        return n_in / 2 * (1 - n_out / (s * n_in)) + (i + 0.5) / s - 0.5
    if coordinates == "pytorch_half_pixel":
        return (i + 0.5) / s - 0.5 if n_out > 1 else np.zeros(n_out)
    if coordinates == "align_corners":
        return i * (n_in - 1) / (s * n_in - 1) if n_out > 1 else np.zeros(n_out)
    if coordinates == "asymmetric":
        return i / s
    return (i + 0.5) / s


def _resize_matrix(
    n_in,
    n_out,
    scale,
    align_corners,
    coordinates,
    cubic,
    coefficient,
    exclude,
    antialias,
    dtype,
):
    """[n_in, n_out]: column j the weights of the inputs around output j's source
    coordinate x, that of ONNX Resize's ``coordinates`` if given, else PyTorch's, i (n_in
    - 1) / (n_out - 1) with align_corners or (i + 1/2) r - 1/2 (not clamped), r = 1 /
    scale_factor if one was given, else n_in / n_out. The filter: the triangle 1 - |d|
    (linear), or Keys' cubic convolution with coefficient a (-0.75 as PyTorch's
    bicubic), of d = (tap - x) s', s' = 1, or with ``antialias`` the scale s (out / in)
    where it is below 1 (the filter stretched by 1 / s, its weights normalized to sum
    1). Taps past an edge take the edge entry, or with ``exclude`` weigh 0 and the
    others are renormalized (ONNX's exclude_outside; PyTorch's antialiasing)."""
    i = np.arange(n_out, dtype=np.float64)
    if coordinates is not None:
        source = _resize_coordinates(n_in, n_out, scale, coordinates)
    elif align_corners:
        source = i * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        source = (i + 0.5) * (1 / float(scale) if scale else n_in / n_out) - 0.5
    stretch = min(float(scale) if scale else n_out / n_in, 1.0) if antialias else 1.0
    reach = (2 if cubic else 1) / stretch
    start = int(np.floor(-reach)) + 1
    offsets = np.arange(start, 2 - start)[:, None]
    first = np.floor(source)
    taps = first[None, :].astype(np.int64) + offsets  # [taps, n_out]
    d = np.abs((source - first)[None, :] - offsets) * stretch
    if cubic:
        a = coefficient
        near = ((a + 2) * d - (a + 3)) * d * d + 1
        far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
        weights = np.where(d <= 1, near, np.where(d < 2, far, 0.0))
    else:
        weights = np.maximum(1 - d, 0.0)
    if antialias:
        weights = weights / weights.sum(axis=0, keepdims=True)
    if exclude:
        weights = weights * ((taps >= 0) & (taps < n_in))
        weights = weights / weights.sum(axis=0, keepdims=True)
    taps = np.clip(taps, 0, n_in - 1)
    entries = np.arange(n_in)[:, None, None]
    return ((entries == taps[None]) * weights[None]).sum(axis=1).astype(dtype)


def _row_runs(n_out, first, second, w0, w1, n):
    """Output rows of _mix_rows grouped into runs (start, stride, count, first, second,
    w0, w1): rows start, start + stride, ... whose sources advance by one row and whose
    weights agree, so that a run is three operations on strided slices rather than three
    per row. The stride is the integer factor of an upscaling (its phases; PyTorch's
    weights repeat with it), else 1."""
    stride = n_out // n if n_out % n == 0 and n_out >= n else 1
    first, second, w0, w1 = first.tolist(), second.tolist(), w0.tolist(), w1.tolist()
    runs = []
    for phase in range(stride):
        rows = range(phase, n_out, stride)
        start = 0
        for k in range(1, len(rows) + 1):
            i, j = rows[k - 1], rows[k] if k < len(rows) else None
            if j is None or (first[j], second[j], w0[j], w1[j]) != (
                first[i] + 1,
                second[i] + 1,
                w0[i],
                w1[i],
            ):
                head = rows[start]
                runs.append(
                    (
                        head,
                        stride,
                        k - start,
                        first[head],
                        second[head],
                        w0[head],
                        w1[head],
                    )
                )
                start = k
    return runs


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


def _cupy_forward_nearest(
    x,
    size,
    scale_factor,
    align_corners,
    coordinate_transformation_mode,
    cubic_coeff_a,
    exclude_outside,
    antialias,
    nearest_mode,
):
    y = _cupy_interpolate_nearest(
        x, size, scale_factor, coordinate_transformation_mode, nearest_mode
    )
    return y, (x, size, scale_factor, coordinate_transformation_mode, nearest_mode)


def _cupy_backward_nearest(
    grad_y, x, size, scale_factor, coordinate_transformation_mode, nearest_mode
):
    grad_x = _cupy_interpolate_nearest_grad(
        grad_y, x, size, scale_factor, coordinate_transformation_mode, nearest_mode
    )
    return grad_x


def _cupy_forward_bilinear(
    x,
    size,
    scale_factor,
    align_corners,
    coordinate_transformation_mode,
    cubic_coeff_a,
    exclude_outside,
    antialias,
    nearest_mode,
):
    y = _cupy_interpolate_bilinear(
        x,
        size,
        scale_factor,
        align_corners,
        coordinate_transformation_mode,
        exclude_outside,
        antialias,
    )
    return y, (
        x,
        size,
        scale_factor,
        align_corners,
        coordinate_transformation_mode,
        exclude_outside,
        antialias,
    )


def _cupy_backward_bilinear(
    grad_y,
    x,
    size,
    scale_factor,
    align_corners,
    coordinate_transformation_mode,
    exclude_outside,
    antialias,
):
    grad_x = _cupy_interpolate_bilinear_grad(
        grad_y,
        x,
        size,
        scale_factor,
        align_corners,
        coordinate_transformation_mode,
        exclude_outside,
        antialias,
    )
    return grad_x


def _cupy_forward_bicubic(
    x,
    size,
    scale_factor,
    align_corners,
    coordinate_transformation_mode,
    cubic_coeff_a,
    exclude_outside,
    antialias,
    nearest_mode,
):
    y = _cupy_interpolate_filtered(
        x,
        size,
        scale_factor,
        align_corners,
        coordinate_transformation_mode,
        True,
        cubic_coeff_a,
        exclude_outside,
        antialias,
    )
    return y, (
        x,
        size,
        scale_factor,
        align_corners,
        coordinate_transformation_mode,
        cubic_coeff_a,
        exclude_outside,
        antialias,
    )


def _cupy_backward_bicubic(
    grad_y,
    x,
    size,
    scale_factor,
    align_corners,
    coordinate_transformation_mode,
    cubic_coeff_a,
    exclude_outside,
    antialias,
):
    grad_x = _cupy_interpolate_filtered_grad(
        grad_y,
        x,
        size,
        scale_factor,
        align_corners,
        coordinate_transformation_mode,
        True,
        cubic_coeff_a,
        exclude_outside,
        antialias,
    )
    return grad_x


_CUPY_VARIANTS = {
    "nearest": (_cupy_forward_nearest, _cupy_backward_nearest),
    "bilinear": (_cupy_forward_bilinear, _cupy_backward_bilinear),
    "bicubic": (_cupy_forward_bicubic, _cupy_backward_bicubic),
}


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


def _cupy_copied_rows_grad(grad, sources, n):
    """Rows of grad [N, ..., n_out, W] added onto rows ``sources`` of an array of n rows,
    one output row at a time, image by image (on threads, see in_chunks)."""
    import cupy as cp

    out = cp.zeros(grad.shape[:-2] + (n, grad.shape[-1]), grad.dtype)

    def images(start, stop):
        source, target = grad[start:stop], out[start:stop]
        for i, row in enumerate(sources.tolist()):
            target[..., row, :] += source[..., i, :]

    in_chunks(images, grad.shape[0], grad)
    return out


def _cupy_interpolate_bilinear(
    x, size, scale, align_corners, coordinates, exclude, antialias
):
    """Bilinear resizing of x [N, C, H, W] as F.interpolate(mode="bilinear"), one axis
    after the other as PyTorch mixes them (columns, then rows): the columns as a matrix
    product with the [W, W_out] interpolation matrix (two weights a column; BLAS), the
    rows mixed two at a time, image by image (_mix_rows: an image's product is mixed
    while it is in the CPU's cache). An input with inf or NaN has its columns mixed
    that way too, so that they stay where they are (0 * inf would spread NaN). With
    antialias, the filter matrices of _interpolate_filtered."""
    import cupy as cp

    if antialias:
        return _cupy_interpolate_filtered(
            x, size, scale, align_corners, coordinates, False, None, exclude, True
        )
    (out_h, out_w), (scale_h, scale_w) = _cupy_interpolate_size(x, size, scale)
    n, c, h, w = x.shape
    c0, c1, cw0, cw1 = _cupy_linear_weights(
        w, out_w, scale_w, align_corners, x.dtype, coordinates
    )
    r0, r1, rw0, rw1 = _cupy_linear_weights(
        h, out_h, scale_h, align_corners, x.dtype, coordinates
    )
    if cp.isfinite(x).all():
        entries = cp.arange(w)[:, None]
        mixing = (entries == c0) * cw0 + (entries == c1) * cw1  # [W, W_out]
        return _cupy_mix_rows(x, r0, r1, rw0, rw1, mixing)
    columns = cp.swapaxes(_cupy_mix_rows(cp.swapaxes(x, 2, 3), c0, c1, cw0, cw1), 2, 3)
    return _cupy_mix_rows(columns, r0, r1, rw0, rw1)


def _cupy_interpolate_bilinear_grad(
    grad, x, size, scale, align_corners, coordinates, exclude, antialias
):
    """The gradient of _interpolate_bilinear, its steps transposed in reverse, image by
    image (_mix_rows_grad): each output row's weighted gradient added onto its two source
    rows, then the columns through the transposed interpolation matrix (row by row as
    well where those sums are not finite); with antialias, that of _interpolate_filtered.
    """
    import cupy as cp

    if antialias:
        return _cupy_interpolate_filtered_grad(
            grad, x, size, scale, align_corners, coordinates, False, None, exclude, True
        )
    (out_h, out_w), (scale_h, scale_w) = _cupy_interpolate_size(x, size, scale)
    n, c, h, w = x.shape
    r0, r1, rw0, rw1 = _cupy_linear_weights(
        h, out_h, scale_h, align_corners, grad.dtype, coordinates
    )
    c0, c1, cw0, cw1 = _cupy_linear_weights(
        w, out_w, scale_w, align_corners, grad.dtype, coordinates
    )
    entries = cp.arange(w)
    mixing = (c0[:, None] == entries) * cw0[:, None] + (c1[:, None] == entries) * cw1[
        :, None
    ]
    return _cupy_mix_rows_grad(grad, r0, r1, rw0, rw1, h, (mixing, c0, c1, cw0, cw1))


def _cupy_interpolate_filtered(
    x, size, scale, align_corners, coordinates, cubic, coefficient, exclude, antialias
):
    """Resizing of x [N, C, H, W] through each axis's [in, out] filter matrix
    (_resize_matrix): the columns, then the rows, one matrix product each (BLAS)."""
    import cupy as cp

    (out_h, out_w), (scale_h, scale_w) = _cupy_interpolate_size(x, size, scale)
    n, c, h, w = x.shape
    options = (
        align_corners,
        coordinates,
        cubic,
        coefficient,
        exclude,
        antialias,
        x.dtype,
    )
    columns = _cupy_resize_matrix(w, out_w, scale_w, *options)
    rows = _cupy_resize_matrix(h, out_h, scale_h, *options)
    mixed = cp.matmul(x.reshape(-1, w), columns).reshape(n, c, h, out_w)
    return cp.matmul(rows.T, mixed)


def _cupy_interpolate_filtered_grad(
    grad,
    x,
    size,
    scale,
    align_corners,
    coordinates,
    cubic,
    coefficient,
    exclude,
    antialias,
):
    """The gradient of _interpolate_filtered: its two matrix products transposed, in reverse."""
    import cupy as cp

    (out_h, out_w), (scale_h, scale_w) = _cupy_interpolate_size(x, size, scale)
    n, c, h, w = x.shape
    options = (
        align_corners,
        coordinates,
        cubic,
        coefficient,
        exclude,
        antialias,
        grad.dtype,
    )
    columns = _cupy_resize_matrix(w, out_w, scale_w, *options)
    rows = _cupy_resize_matrix(h, out_h, scale_h, *options)
    mixed = cp.matmul(rows, grad)  # [N, C, H, W_out]
    return cp.matmul(mixed.reshape(-1, out_w), columns.T).reshape(x.shape)


def _cupy_interpolate_nearest(x, size, scale, coordinates, rounding):
    """Nearest-neighbour resizing of x [N, C, H, W] as F.interpolate(mode="nearest"):
    by one integer factor for both axes, the block copy of _upsample_nearest; otherwise
    (or with ONNX's coordinates and rounding) the source rows, then the source
    columns, gathered."""
    import cupy as cp

    (out_h, out_w), (scale_h, scale_w) = _cupy_interpolate_size(x, size, scale)
    n, c, h, w = x.shape
    if (
        coordinates is None and out_h % h == 0 and out_h * w == out_w * h
    ):  # one integer factor
        return _cupy_upsample_nearest(x, out_h // h)
    rows = cp.take(
        x, _cupy_nearest_sources(h, out_h, scale_h, coordinates, rounding), axis=2
    )
    return cp.take(
        rows, _cupy_nearest_sources(w, out_w, scale_w, coordinates, rounding), axis=3
    )


def _cupy_interpolate_nearest_grad(grad, x, size, scale, coordinates, rounding):
    """The gradient of _interpolate_nearest: every output's gradient added onto the
    input it copied (the block sums of _block_sum for one integer factor)."""
    import cupy as cp

    (out_h, out_w), (scale_h, scale_w) = _cupy_interpolate_size(x, size, scale)
    n, c, h, w = x.shape
    if (
        coordinates is None and out_h % h == 0 and out_h * w == out_w * h
    ):  # one integer factor
        return _cupy_block_sum(grad, out_h // h)
    sources_w = _cupy_nearest_sources(w, out_w, scale_w, coordinates, rounding)
    sources_h = _cupy_nearest_sources(h, out_h, scale_h, coordinates, rounding)
    columns = _cupy_copied_rows_grad(cp.swapaxes(grad, 2, 3), sources_w, w)
    return cp.ascontiguousarray(
        _cupy_copied_rows_grad(cp.swapaxes(columns, 2, 3), sources_h, h)
    )


def _cupy_interpolate_size(x, size, scale):
    """The output height and width of upsampling x [N, C, H, W], and the scale per axis
    PyTorch's coordinates use (None where the size was given): ``size`` (an int or a
    pair) or ``scale_factor`` (a float or a pair; the size is floor(in * scale)); with
    neither, a factor of 2. A clear error for both, or an empty output."""
    import cupy as cp

    if size is not None and scale is not None:
        raise ValueError("upsampling: give either 'size' or 'scale_factor', not both")
    if size is None and scale is None:
        scale = 2
    values = size if size is not None else scale
    values = tuple(values) if isinstance(values, (tuple, list)) else (values, values)
    if len(values) != 2:
        name = "size" if size is not None else "scale_factor"
        raise ValueError(
            f"upsampling: '{name}' {values} must give one value or one per spatial axis (2)"
        )
    if size is not None:
        out, scales = tuple(int(v) for v in values), (None, None)
    else:
        out, scales = (
            tuple(int(cp.floor(n * float(s))) for n, s in zip(x.shape[2:], values)),
            values,
        )
    if min(out) < 1:
        raise ValueError(
            f"upsampling: the output size {out} of 'x' {tuple(x.shape)} must be at least 1"
        )
    return out, scales


def _cupy_linear_weights(n_in, n_out, scale, align_corners, dtype, coordinates=None):
    """For each of n_out outputs along an axis of n_in entries, the two input indices
    i0 <= i1 it mixes and their weights w0 + w1 = 1, as PyTorch's linear modes: the
    source coordinate is i (n_in - 1) / (n_out - 1) with align_corners, else
    (i + 1/2) r - 1/2 clamped at 0, r = 1 / scale_factor if one was given, else
    n_in / n_out; i1 stops at the last entry. With ONNX Resize's ``coordinates``
    (coordinate_transformation_mode), its source coordinate, clamped to the input."""
    import cupy as cp

    i = cp.arange(n_out, dtype=cp.float64)
    if coordinates is not None:
        source = cp.clip(
            _cupy_resize_coordinates(n_in, n_out, scale, coordinates), 0, n_in - 1
        )
    elif align_corners:
        source = i * ((n_in - 1) / (n_out - 1)) if n_out > 1 else cp.zeros(n_out)
    else:
        ratio = 1 / scale if scale else n_in / n_out
        source = cp.maximum((i + 0.5) * ratio - 0.5, 0)
    first = cp.minimum(source.astype(cp.int64), n_in - 1)
    second = cp.minimum(first + 1, n_in - 1)
    w1 = cp.clip(source - first, 0, 1)
    return first, second, (1 - w1).astype(dtype), w1.astype(dtype)


def _cupy_mix_rows(x, first, second, w0, w1, columns=None):
    """Rows of x [N, ..., n, W] mixed two at a time: out[..., i, :] = w0[i] x[..., first[i], :]
    + w1[i] x[..., second[i], :], run by run of rows (_row_runs: a few strided slices for
    an integer upscaling; no gathered copy is made), image by image along the first axis
    (on threads, see in_chunks) so that an image's rows are read from the CPU's cache.
    With ``columns``, a [W_in, W] matrix, x is [N, ..., n, W_in] and each image is first
    multiplied by it (the column stage of a separable resize), its product mixed while
    in cache: 16 x 32 x 64 x 64 float32 upscaled by 2 in 25 ms on one thread, against
    29 ms for the whole product first (which leaves the cache)."""
    import cupy as cp

    width = x.shape[-1] if columns is None else columns.shape[1]
    out = cp.empty(x.shape[:-2] + (len(first), width), x.dtype)
    runs = _row_runs(len(first), first, second, w0, w1, x.shape[-2])

    def images(start, stop):
        source, target = x[start:stop], out[start:stop]
        if columns is not None:
            source = cp.matmul(source.reshape(-1, source.shape[-1]), columns).reshape(
                source.shape[:-1] + (width,)
            )
        for head, stride, count, a, b, u, v in runs:
            rows = target[..., head : head + stride * (count - 1) + 1 : stride, :]
            cp.multiply(source[..., a : a + count, :], u, out=rows)
            rows += v * source[..., b : b + count, :]

    in_chunks(images, x.shape[0], x)
    return out


def _cupy_mix_rows_grad(grad, first, second, w0, w1, n, columns=None):
    """The gradient of _mix_rows for an input of n rows: grad[..., i, :] times w0[i] added
    onto row first[i] and times w1[i] onto row second[i], run by run (_row_runs: within a
    run the sources differ, so each run is one slice addition per weight), image by image
    (on threads, see in_chunks). With ``columns`` (a [W, W_in] matrix, and the first,
    second, w0, w1 of its columns' two entries), each image's sums are then multiplied
    by it while in the CPU's cache, or, where they hold inf or NaN, mixed as columns by
    the same slices (0 * inf would spread NaN through the product)."""
    import cupy as cp

    width = grad.shape[-1] if columns is None else columns[0].shape[1]
    out = (
        cp.zeros(grad.shape[:-2] + (n, grad.shape[-1]), grad.dtype)
        if columns is None
        else None
    )
    final = (
        out if columns is None else cp.empty(grad.shape[:-2] + (n, width), grad.dtype)
    )
    runs = _row_runs(grad.shape[-2], first, second, w0, w1, n)

    def images(start, stop):
        source = grad[start:stop]
        if columns is None:
            target = out[start:stop]
        else:  # the image's sums, in cache until multiplied
            target = cp.zeros(source.shape[:-2] + (n, source.shape[-1]), grad.dtype)
        for head, stride, count, a, b, u, v in runs:
            rows = source[..., head : head + stride * (count - 1) + 1 : stride, :]
            target[..., a : a + count, :] += u * rows
            target[..., b : b + count, :] += v * rows
        if columns is None:
            return
        if cp.isfinite(target).all():
            cp.matmul(
                target.reshape(-1, target.shape[-1]),
                columns[0],
                out=final[start:stop].reshape(-1, width),
            )
        else:
            mixed = _cupy_mix_rows_grad(
                cp.swapaxes(target, -1, -2), *columns[1:], width
            )
            final[start:stop] = cp.swapaxes(mixed, -1, -2)

    in_chunks(images, grad.shape[0], grad)
    return final


def _cupy_nearest_sources(n_in, n_out, scale, coordinates=None, rounding=None):
    """The input index each of n_out outputs copies, as PyTorch's mode="nearest":
    floor(i * r) in float32 arithmetic, r = 1 / scale_factor if one was given, else
    n_in / n_out (an equal size copies, twice the size halves the index exactly). With
    ONNX Resize's ``coordinates`` (coordinate_transformation_mode), its source
    coordinate rounded by ``rounding`` (nearest_mode), within the input."""
    import cupy as cp

    if coordinates is not None:
        source = _cupy_resize_coordinates(n_in, n_out, scale, coordinates)
        if rounding == "round_prefer_floor":
            source = cp.ceil(source - 0.5)
        elif rounding == "round_prefer_ceil":
            source = cp.floor(source + 0.5)
        elif rounding == "ceil":
            source = cp.ceil(source)
        else:
            source = cp.floor(source)
        return cp.clip(source, 0, n_in - 1).astype(cp.int64)
    i = cp.arange(n_out)
    if n_out == n_in:
        return i
    if n_out == 2 * n_in:
        return i >> 1
    ratio = cp.float32(1 / scale) if scale else cp.float32(n_in) / cp.float32(n_out)
    return cp.minimum(cp.floor(i.astype(cp.float32) * ratio).astype(cp.int64), n_in - 1)


def _cupy_resize_coordinates(n_in, n_out, scale, coordinates):
    """The source coordinate of each of n_out outputs along an axis of n_in entries by
    ONNX Resize's coordinate_transformation_mode, with s the scale factor if one was
    given, else n_out / n_in: half_pixel (i + 1/2) / s - 1/2; half_pixel_symmetric the
    same, centred; pytorch_half_pixel as half_pixel but 0 for one output;
    align_corners i (n_in - 1) / (n_in s - 1) (0 for one output); asymmetric i / s;
    tf_half_pixel_for_nn (i + 1/2) / s."""
    import cupy as cp

    s = float(scale) if scale else n_out / n_in
    i = cp.arange(n_out, dtype=cp.float64)
    if coordinates == "half_pixel":
        return (i + 0.5) / s - 0.5
    if coordinates == "half_pixel_symmetric":
        return n_in / 2 * (1 - n_out / (s * n_in)) + (i + 0.5) / s - 0.5
    if coordinates == "pytorch_half_pixel":
        return (i + 0.5) / s - 0.5 if n_out > 1 else cp.zeros(n_out)
    if coordinates == "align_corners":
        return i * (n_in - 1) / (s * n_in - 1) if n_out > 1 else cp.zeros(n_out)
    if coordinates == "asymmetric":
        return i / s
    return (i + 0.5) / s


def _cupy_resize_matrix(
    n_in,
    n_out,
    scale,
    align_corners,
    coordinates,
    cubic,
    coefficient,
    exclude,
    antialias,
    dtype,
):
    """[n_in, n_out]: column j the weights of the inputs around output j's source
    coordinate x, that of ONNX Resize's ``coordinates`` if given, else PyTorch's, i (n_in
    - 1) / (n_out - 1) with align_corners or (i + 1/2) r - 1/2 (not clamped), r = 1 /
    scale_factor if one was given, else n_in / n_out. The filter: the triangle 1 - |d|
    (linear), or Keys' cubic convolution with coefficient a (-0.75 as PyTorch's
    bicubic), of d = (tap - x) s', s' = 1, or with ``antialias`` the scale s (out / in)
    where it is below 1 (the filter stretched by 1 / s, its weights normalized to sum
    1). Taps past an edge take the edge entry, or with ``exclude`` weigh 0 and the
    others are renormalized (ONNX's exclude_outside; PyTorch's antialiasing)."""
    import cupy as cp

    i = cp.arange(n_out, dtype=cp.float64)
    if coordinates is not None:
        source = _cupy_resize_coordinates(n_in, n_out, scale, coordinates)
    elif align_corners:
        source = i * ((n_in - 1) / (n_out - 1)) if n_out > 1 else cp.zeros(n_out)
    else:
        source = (i + 0.5) * (1 / float(scale) if scale else n_in / n_out) - 0.5
    stretch = min(float(scale) if scale else n_out / n_in, 1.0) if antialias else 1.0
    reach = (2 if cubic else 1) / stretch
    start = int(cp.floor(-reach)) + 1
    offsets = cp.arange(start, 2 - start)[:, None]
    first = cp.floor(source)
    taps = first[None, :].astype(cp.int64) + offsets  # [taps, n_out]
    d = cp.abs((source - first)[None, :] - offsets) * stretch
    if cubic:
        a = coefficient
        near = ((a + 2) * d - (a + 3)) * d * d + 1
        far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
        weights = cp.where(d <= 1, near, cp.where(d < 2, far, 0.0))
    else:
        weights = cp.maximum(1 - d, 0.0)
    if antialias:
        weights = weights / weights.sum(axis=0, keepdims=True)
    if exclude:
        weights = weights * ((taps >= 0) & (taps < n_in))
        weights = weights / weights.sum(axis=0, keepdims=True)
    taps = cp.clip(taps, 0, n_in - 1)
    entries = cp.arange(n_in)[:, None, None]
    return ((entries == taps[None]) * weights[None]).sum(axis=1).astype(dtype)


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
