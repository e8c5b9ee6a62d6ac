"""PatchEmbedding: A vision transformer's patch embedding: images [B, C, H, W] cut into P x
P patches, each projected to E features, y [B, (H / P)(W / P), E] with the patches row-
major; the same as torch's Conv2d(C, E, kernel_size=P, stride=P) followed by
flatten(2).transpose(1, 2), with weight [E, C, P, P] as that convolution's, computed as
one copy into patches and one matrix product. H and W must be multiples of P. The
activation defaults to identity.
Generated from layers_spec/layers/patch_embedding.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_nonempty,
    activation_module,
    check_options,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("weight", "bias")
OUTPUTS = ("y",)


def forward(x, weight, bias=None, *, activation="identity", activation_options=None):
    """PatchEmbedding forward pass.

    A vision transformer's patch embedding: images [B, C, H, W] cut into P x P patches,
    each projected to E features, y [B, (H / P)(W / P), E] with the patches row-major;
    the same as torch's Conv2d(C, E, kernel_size=P, stride=P) followed by
    flatten(2).transpose(1, 2), with weight [E, C, P, P] as that convolution's, computed
    as one copy into patches and one matrix product. H and W must be multiples of P. The
    activation defaults to identity.

    Args:
        x: float32 or float64 input of shape [B, C, H, W]. A batch of images.
        weight: float32 or float64 parameter of shape [E, C, P, P]. The patch
            projection, as Conv2d.weight.
        bias: float32 or float64 parameter of shape [E]. None for a projection without
            bias.
        activation: name of the activation applied to the result, default 'identity';
            identity, relu, gelu are fused into specialized code, any other activation
            of layerforge.activations is composed.
        activation_options: keyword arguments for the activation, such as {'alpha':
            0.5}.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "patch_embedding",
        {"x": x, "weight": weight, "bias": bias},
        {"x": ("B", "C", "H", "W"), "weight": ("E", "C", "P", "P"), "bias": ("E",)},
        optional=("bias",),
    )
    check_nonempty("patch_embedding", "x", x.shape, 1)
    check_nonempty("patch_embedding", "weight", weight.shape, 0)
    check_nonempty("patch_embedding", "weight", weight.shape, -1)
    if on_gpu(x):
        options = {} if activation_options is None else activation_options
        fused = _CUPY_FUSED.get((activation, bias is not None))
        fixed = _FUSED_FIXED.get(activation, {})
        if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
            options = {k: v for k, v in options.items() if k not in fixed}
            forward_variant, backward_variant = fused
            if options:
                check_options("patch_embedding", activation, options)
            y, saved = forward_variant(x, weight, bias, **options)
            return y, (backward_variant, saved, (y.dtype, y.shape), None)
        module = activation_module("patch_embedding", activation)
        if options:
            check_options("patch_embedding", activation, options)
        linear_forward, linear_backward = _CUPY_FUSED["identity", bias is not None]
        y_linear, linear_saved = linear_forward(x, weight, bias)
        y, activation_ctx = module.forward(y_linear, **options)
        return y, (
            _cupy_backward_composed,
            (module, activation_ctx, linear_backward, linear_saved),
            (y.dtype, y.shape),
            None,
        )
    options = {} if activation_options is None else activation_options
    fused = _FUSED.get((activation, bias is not None))
    fixed = _FUSED_FIXED.get(activation, {})
    if fused is not None and all(options.get(k, v) == v for k, v in fixed.items()):
        options = {k: v for k, v in options.items() if k not in fixed}
        forward_variant, backward_variant = fused
        if options:
            check_options("patch_embedding", activation, options)
        y, saved = forward_variant(x, weight, bias, **options)
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    module = activation_module("patch_embedding", activation)
    if options:
        check_options("patch_embedding", activation, options)
    linear_forward, linear_backward = _FUSED["identity", bias is not None]
    y_linear, linear_saved = linear_forward(x, weight, bias)
    y, activation_ctx = module.forward(y_linear, **options)
    return y, (
        _backward_composed,
        (module, activation_ctx, linear_backward, linear_saved),
        (y.dtype, y.shape),
        None,
    )


def backward(grad_y, ctx):
    """PatchEmbedding backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_weight, grad_bias: gradients with respect to x, weight, bias, in
            that order.
    """
    backward_variant, saved = check_context(
        "patch_embedding", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def _forward_identity(x, weight, bias):
    _t1 = weight.shape[-1]
    patches = _patchify(x, _t1)
    _t2 = _flatten_dims(weight, 1, 3)
    z = _linear(patches, _t2) + bias
    return z, (x, weight, bias, _t1, patches, _t2)


def _backward_identity(grad_y, x, weight, bias, _t1, patches, _t2):
    grad_bias = _sum_to(grad_y, bias.shape)
    grad_patches = _linear_backward_input(grad_y, _t2)
    grad_weight = (_rows(grad_y).T @ _rows(patches)).reshape(weight.shape)
    grad_x = _unpatchify(grad_patches, x, _t1)
    return grad_x, grad_weight, grad_bias


def _forward_relu(x, weight, bias):
    _t1 = weight.shape[-1]
    patches = _patchify(x, _t1)
    _t2 = _flatten_dims(weight, 1, 3)
    z = _linear(patches, _t2) + bias
    y = np.clip(z, 0, np.inf)
    return y, (x, weight, bias, _t1, patches, _t2, z)


def _backward_relu(grad_y, x, weight, bias, _t1, patches, _t2, z):
    grad_z = grad_y * (z > 0)
    grad_bias = _sum_to(grad_z, bias.shape)
    grad_patches = _linear_backward_input(grad_z, _t2)
    grad_weight = (_rows(grad_z).T @ _rows(patches)).reshape(weight.shape)
    grad_x = _unpatchify(grad_patches, x, _t1)
    return grad_x, grad_weight, grad_bias


def _forward_gelu(x, weight, bias):
    _t1 = weight.shape[-1]
    patches = _patchify(x, _t1)
    _t2 = _flatten_dims(weight, 1, 3)
    z = _linear(patches, _t2) + bias
    y = z * (0.5 + 0.5 * _erf(0.7071067811865476 * z))
    return y, (x, weight, bias, _t1, patches, _t2, z)


def _backward_gelu(grad_y, x, weight, bias, _t1, patches, _t2, z):
    _t3 = 0.7071067811865476 * z
    grad_z = (
        grad_y * (0.5 + 0.5 * _erf(_t3))
        + grad_y
        * z
        * 0.5
        * 1.1283791670955126
        * np.exp(-(_t3 * _t3))
        * 0.7071067811865476
    )
    grad_bias = _sum_to(grad_z, bias.shape)
    grad_patches = _linear_backward_input(grad_z, _t2)
    grad_weight = (_rows(grad_z).T @ _rows(patches)).reshape(weight.shape)
    grad_x = _unpatchify(grad_patches, x, _t1)
    return grad_x, grad_weight, grad_bias


def _forward_identity_no_bias(x, weight, bias):
    _t1 = weight.shape[-1]
    patches = _patchify(x, _t1)
    _t2 = _flatten_dims(weight, 1, 3)
    z = _linear(patches, _t2)
    return z, (x, weight, bias, _t1, patches, _t2)


def _backward_identity_no_bias(grad_y, x, weight, bias, _t1, patches, _t2):
    grad_patches = _linear_backward_input(grad_y, _t2)
    grad_weight = (_rows(grad_y).T @ _rows(patches)).reshape(weight.shape)
    grad_x = _unpatchify(grad_patches, x, _t1)
    return grad_x, grad_weight, None


def _forward_relu_no_bias(x, weight, bias):
    _t1 = weight.shape[-1]
    patches = _patchify(x, _t1)
    _t2 = _flatten_dims(weight, 1, 3)
    z = _linear(patches, _t2)
    y = np.clip(z, 0, np.inf)
    return y, (x, weight, bias, _t1, patches, _t2, z)


def _backward_relu_no_bias(grad_y, x, weight, bias, _t1, patches, _t2, z):
    grad_z = grad_y * (z > 0)
    grad_patches = _linear_backward_input(grad_z, _t2)
    grad_weight = (_rows(grad_z).T @ _rows(patches)).reshape(weight.shape)
    grad_x = _unpatchify(grad_patches, x, _t1)
    return grad_x, grad_weight, None


def _forward_gelu_no_bias(x, weight, bias):
    _t1 = weight.shape[-1]
    patches = _patchify(x, _t1)
    _t2 = _flatten_dims(weight, 1, 3)
    z = _linear(patches, _t2)
    y = z * (0.5 + 0.5 * _erf(0.7071067811865476 * z))
    return y, (x, weight, bias, _t1, patches, _t2, z)


def _backward_gelu_no_bias(grad_y, x, weight, bias, _t1, patches, _t2, z):
    _t3 = 0.7071067811865476 * z
    grad_z = (
        grad_y * (0.5 + 0.5 * _erf(_t3))
        + grad_y
        * z
        * 0.5
        * 1.1283791670955126
        * np.exp(-(_t3 * _t3))
        * 0.7071067811865476
    )
    grad_patches = _linear_backward_input(grad_z, _t2)
    grad_weight = (_rows(grad_z).T @ _rows(patches)).reshape(weight.shape)
    grad_x = _unpatchify(grad_patches, x, _t1)
    return grad_x, grad_weight, None


def _backward_composed(grad_y, module, activation_ctx, linear_backward, linear_saved):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_FUSED = {
    ("identity", True): (_forward_identity, _backward_identity),
    ("relu", True): (_forward_relu, _backward_relu),
    ("gelu", True): (_forward_gelu, _backward_gelu),
    ("identity", False): (_forward_identity_no_bias, _backward_identity_no_bias),
    ("relu", False): (_forward_relu_no_bias, _backward_relu_no_bias),
    ("gelu", False): (_forward_gelu_no_bias, _backward_gelu_no_bias),
}
# The options each fused activation is specialized at; other values run it composed.
_FUSED_FIXED = {
    "gelu": {"approximate": "none"},
}


def _erf(x, out=None):
    """The error function, elementwise, by W. J. Cody's rational Chebyshev approximations
    (Math. Comp. 23, 1969), accurate to a few ulps in float64: x P(x^2) / Q(x^2) for
    |x| <= 0.46875, 1 - exp(-x^2) R(|x|) up to 4 with R rational in |x|, and in 1 / x^2
    beyond, exp(-x^2) split as exp(-s^2) exp(-(|x| - s)(|x| + s)) for s = |x| rounded
    down to 1/16 so that no rounding of x^2 is magnified. The first two are computed for
    every entry (clamped to their ranges) and selected, which runs at NumPy's speed on
    cache-sized blocks; the rare entries beyond 4 (and inf) are patched. NaN stays NaN;
    computed in x's dtype. ``out``, if given, receives the result.

    float32 takes a shorter road, 25 passes instead of about 60: x P(x^2) / Q(x^2) with x
    clamped to [-4, 4] (beyond, erf is 1 in float32), P of degree 6 and Q of degree 5
    fitted by this project to erf's relative error on [0, 4] (2e-9 in exact arithmetic;
    float32's roundings give at most 7 ulps, 4e-7, against 5.5 ulps for the steps above
    in float32), the result clamped to [-1, 1]."""
    if x.dtype == np.float32:
        z = np.clip(x, -4.0, 4.0)
        t = z * z
        num = t * -2.0916970806414932e-4
        for a in (
            7.422902684888677e-2,
            6.015142938213274e00,
            6.100214860057954e01,
            8.607209142664759e02,
            2.934813762236417e03,
        ):
            num += a
            num *= t
        num += 1.7880702929117764e04
        den = t + 2.0719813199168364e01
        for b in (
            2.450165158979446e02,
            1.8058271607889747e03,
            7.883032367986196e03,
            1.5846360349782708e04,
        ):
            den *= t
            den += b
        num *= z
        num /= den
        return np.clip(num, -1.0, 1.0, out=num if out is None else out)
    y = np.abs(x)
    z = np.minimum(y, 0.46875)
    z *= z
    num = 1.85777706184603153e-1 * z
    den = z + 2.36012909523441209e01
    for a, b in (
        (3.16112374387056560e00, 2.44024637934444173e02),
        (1.13864154151050156e02, 1.28261652607737228e03),
    ):
        num += a
        num *= z
        den *= z
        den += b
    num += 3.77485237685302021e02
    num *= z
    den *= z
    num += 3.20937758913846947e03
    den += 2.84423683343917062e03
    small = np.multiply(x, num, out=num)
    small /= den
    u = np.clip(y, 0.46875, 4.0)
    num = 2.15311535474403846e-8 * u
    den = u + 1.57449261107098347e01
    for a, b in (
        (5.64188496988670089e-1, 1.17693950891312499e02),
        (8.88314979438837594e00, 5.37181101862009858e02),
        (6.61191906371416295e01, 1.62138957456669019e03),
        (2.98635138197400131e02, 3.29079923573345963e03),
        (8.81952221241769090e02, 4.36261909014324716e03),
        (1.71204761263407058e03, 3.43936767414372164e03),
    ):
        num += a
        num *= u
        den *= u
        den += b
    num += 2.05107837782607147e03
    num *= u
    den *= u
    num += 1.23033935479799725e03
    den += 1.23033935480374942e03
    num /= den
    s = np.trunc(u * 16)
    s *= 1 / 16
    u -= s  # |x| - s, then times |x| + s
    u *= u + 2 * s
    s *= s
    s += u
    np.negative(s, out=s)
    np.exp(s, out=s)
    num *= s
    result = np.subtract(1, num, out=out)
    np.copysign(result, x, out=result)
    np.copyto(result, small, where=y <= 0.46875)
    far = np.nonzero(y > 4.0)
    if far[0].size:
        t = y[far]
        w = 1 / (t * t)
        num = 1.63153871373020978e-2 * w
        den = w.copy()
        for a, b in (
            (3.05326634961232344e-1, 2.56852019228982242e00),
            (3.60344899949804439e-1, 1.87295284992346725e00),
            (1.25781726111229246e-1, 5.27905102951428412e-1),
            (1.60837851487422766e-2, 6.05183413124413191e-2),
        ):
            num += a
            num *= w
            den += b
            den *= w
        tail = (
            5.6418958354775628695e-1
            - w * (num + 6.58749161529837803e-4) / (den + 2.33520497626869185e-3)
        ) / t
        s = np.trunc(t * 16) / 16
        with np.errstate(invalid="ignore"):  # inf - inf for x = inf, replaced below
            tail *= np.exp(-s * s) * np.exp(-(t - s) * (t + s))
        tail[t > 26.6] = 0  # past where erfc underflows (and for inf)
        result[far] = np.copysign((0.5 - tail) + 0.5, x[far])
    return result


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


def _linear(x, weight):
    """x @ weight.T over x's last axis, as one matrix product of its rows: NumPy's
    product of a stack [..., in] calls BLAS once per leading index, several times
    slower for a batch of sequences."""
    if x.ndim <= 2:
        return x @ weight.T
    rows = 1
    for size in x.shape[:-1]:
        rows *= size
    return (x.reshape(rows, x.shape[-1]) @ weight.T).reshape(
        *x.shape[:-1], weight.shape[0]
    )


def _linear_backward_input(a, weight):
    """a @ weight over a's last axis, as one matrix product of its rows (see _linear)."""
    if a.ndim <= 2:
        return a @ weight
    rows = 1
    for size in a.shape[:-1]:
        rows *= size
    return (a.reshape(rows, a.shape[-1]) @ weight).reshape(
        *a.shape[:-1], weight.shape[1]
    )


def _patchify(x, size):
    """x [N, C, H, W] as patches [N, (H / size)(W / size), C size size] (one copy); H
    and W must be multiples of size."""
    n, c, h, w = x.shape
    if h % size or w % size:
        raise ValueError(
            f"patch_embedding: argument 'x' of shape {tuple(x.shape)} does not split into "
            f"{size} x {size} patches: H and W must be multiples of the patch size {size}"
        )
    tiles = x.reshape(n, c, h // size, size, w // size, size).transpose(
        0, 2, 4, 1, 3, 5
    )
    return tiles.reshape(n, (h // size) * (w // size), c * size * size)


def _rows(a):
    """``a`` as a matrix of its last axis: its leading axes joined into one (a view when
    ``a`` is contiguous, as a 2-D array always is); the count of rows is spelled out, so
    that an empty last axis keeps them."""
    if a.ndim == 2:
        return a
    rows = 1
    for size in a.shape[:-1]:
        rows *= size
    return a.reshape(rows, a.shape[-1])


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


def _unpatchify(patches, like, size):
    """Patches [N, L, C size size] as the image [N, C, H, W] of ``like``'s shape."""
    n, c, h, w = like.shape
    tiles = patches.reshape(n, h // size, w // size, c, size, size).transpose(
        0, 3, 1, 4, 2, 5
    )
    return tiles.reshape(n, c, h, w)


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# patch_embedding_identity_fwd_0: layers_spec/layers/patch_embedding.yaml:20
_patch_embedding_identity_fwd_0 = ElementwiseKernel(
    "patch_embedding_identity_fwd_0",
    "T _t3, T bias",
    "T z",
    """
    z = _t3 + bias;
    """,
)


def _cupy_forward_identity(x, weight, bias):
    _t1 = weight.shape[-1]
    patches = _patchify(x, _t1)
    _t2 = _flatten_dims(weight, 1, 3)
    _t3 = _linear(patches, _t2)
    z = _patch_embedding_identity_fwd_0(_t3, bias)
    return z, (x, weight, bias, _t1, patches, _t2)


def _cupy_backward_identity(grad_y, x, weight, bias, _t1, patches, _t2):
    grad_bias = _cupy_sum_to(grad_y, bias.shape)
    grad_patches = _linear_backward_input(grad_y, _t2)
    _t6 = _rows(grad_y).T @ _rows(patches)
    grad_weight = _t6.reshape(weight.shape)
    grad_x = _unpatchify(grad_patches, x, _t1)
    return grad_x, grad_weight, grad_bias


# patch_embedding_relu_fwd_1: layers_spec/activations/relu.yaml:8
_patch_embedding_relu_fwd_1 = ElementwiseKernel(
    "patch_embedding_relu_fwd_1",
    "T z",
    "T y",
    """
    y = z > T(0) || z != z ? z : T(0);
    """,
)


def _cupy_forward_relu(x, weight, bias):
    _t1 = weight.shape[-1]
    patches = _patchify(x, _t1)
    _t2 = _flatten_dims(weight, 1, 3)
    _t3 = _linear(patches, _t2)
    z = _patch_embedding_identity_fwd_0(_t3, bias)
    y = _patch_embedding_relu_fwd_1(z)
    return y, (x, weight, bias, _t1, patches, _t2, z)


# patch_embedding_relu_bwd_0: layers_spec/primitives.yaml:252
_patch_embedding_relu_bwd_0 = ElementwiseKernel(
    "patch_embedding_relu_bwd_0",
    "T z",
    "bool _t4",
    """
    _t4 = z > T(0);
    """,
)


# patch_embedding_relu_bwd_1: layers_spec/primitives.yaml:252
_patch_embedding_relu_bwd_1 = ElementwiseKernel(
    "patch_embedding_relu_bwd_1",
    "T grad_y, bool _t4",
    "T grad_z",
    """
    grad_z = grad_y * _t4;
    """,
)


def _cupy_backward_relu(grad_y, x, weight, bias, _t1, patches, _t2, z):
    _t4 = _patch_embedding_relu_bwd_0(z)
    grad_z = _patch_embedding_relu_bwd_1(grad_y, _t4)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    grad_patches = _linear_backward_input(grad_z, _t2)
    _t8 = _rows(grad_z).T @ _rows(patches)
    grad_weight = _t8.reshape(weight.shape)
    grad_x = _unpatchify(grad_patches, x, _t1)
    return grad_x, grad_weight, grad_bias


# patch_embedding_gelu_fwd_1: layers_spec/activations/gelu.yaml:23
_patch_embedding_gelu_fwd_1 = ElementwiseKernel(
    "patch_embedding_gelu_fwd_1",
    "T z",
    "T _t4",
    """
    _t4 = T(0.7071067811865476) * z;
    """,
)


# patch_embedding_gelu_fwd_2: layers_spec/activations/gelu.yaml:23
_patch_embedding_gelu_fwd_2 = ElementwiseKernel(
    "patch_embedding_gelu_fwd_2",
    "T _t4",
    "T _t5",
    """
    _t5 = erf(_t4);
    """,
)


# patch_embedding_gelu_fwd_3: layers_spec/activations/gelu.yaml:23
_patch_embedding_gelu_fwd_3 = ElementwiseKernel(
    "patch_embedding_gelu_fwd_3",
    "T _t5",
    "T _t6",
    """
    _t6 = T(0.5) * _t5;
    """,
)


# patch_embedding_gelu_fwd_4: layers_spec/activations/gelu.yaml:23
_patch_embedding_gelu_fwd_4 = ElementwiseKernel(
    "patch_embedding_gelu_fwd_4",
    "T _t6",
    "T _t7",
    """
    _t7 = T(0.5) + _t6;
    """,
)


# patch_embedding_gelu_fwd_5: layers_spec/activations/gelu.yaml:23
_patch_embedding_gelu_fwd_5 = ElementwiseKernel(
    "patch_embedding_gelu_fwd_5",
    "T z, T _t7",
    "T y",
    """
    y = z * _t7;
    """,
)


def _cupy_forward_gelu(x, weight, bias):
    _t1 = weight.shape[-1]
    patches = _patchify(x, _t1)
    _t2 = _flatten_dims(weight, 1, 3)
    _t3 = _linear(patches, _t2)
    z = _patch_embedding_identity_fwd_0(_t3, bias)
    _t4 = _patch_embedding_gelu_fwd_1(z)
    _t5 = _patch_embedding_gelu_fwd_2(_t4)
    _t6 = _patch_embedding_gelu_fwd_3(_t5)
    _t7 = _patch_embedding_gelu_fwd_4(_t6)
    y = _patch_embedding_gelu_fwd_5(z, _t7)
    return y, (x, weight, bias, _t1, patches, _t2, z)


# patch_embedding_gelu_bwd_4: layers_spec/primitives.yaml:61
_patch_embedding_gelu_bwd_4 = ElementwiseKernel(
    "patch_embedding_gelu_bwd_4",
    "T grad_y, T _t7",
    "T _t8",
    """
    _t8 = grad_y * _t7;
    """,
)


# patch_embedding_gelu_bwd_5: layers_spec/primitives.yaml:62
_patch_embedding_gelu_bwd_5 = ElementwiseKernel(
    "patch_embedding_gelu_bwd_5",
    "T grad_y, T z",
    "T _t9",
    """
    _t9 = grad_y * z;
    """,
)


# patch_embedding_gelu_bwd_6: layers_spec/primitives.yaml:62
_patch_embedding_gelu_bwd_6 = ElementwiseKernel(
    "patch_embedding_gelu_bwd_6",
    "T _t9",
    "T _t10",
    """
    _t10 = _t9 * T(0.5);
    """,
)


# patch_embedding_gelu_bwd_7: layers_spec/primitives.yaml:1973
_patch_embedding_gelu_bwd_7 = ElementwiseKernel(
    "patch_embedding_gelu_bwd_7",
    "T _t10",
    "T _t11",
    """
    _t11 = _t10 * T(1.1283791670955126);
    """,
)


# patch_embedding_gelu_bwd_8: layers_spec/primitives.yaml:1973
_patch_embedding_gelu_bwd_8 = ElementwiseKernel(
    "patch_embedding_gelu_bwd_8",
    "T _t4",
    "T _t12",
    """
    _t12 = _t4 * _t4;
    """,
)


# patch_embedding_gelu_bwd_9: layers_spec/primitives.yaml:1973
_patch_embedding_gelu_bwd_9 = ElementwiseKernel(
    "patch_embedding_gelu_bwd_9",
    "T _t12",
    "T _t13",
    """
    _t13 = -_t12;
    """,
)


# patch_embedding_gelu_bwd_10: layers_spec/primitives.yaml:1973
_patch_embedding_gelu_bwd_10 = ElementwiseKernel(
    "patch_embedding_gelu_bwd_10",
    "T _t13",
    "T _t14",
    """
    _t14 = exp(_t13);
    """,
)


# patch_embedding_gelu_bwd_11: layers_spec/primitives.yaml:1973
_patch_embedding_gelu_bwd_11 = ElementwiseKernel(
    "patch_embedding_gelu_bwd_11",
    "T _t11, T _t14",
    "T _t15",
    """
    _t15 = _t11 * _t14;
    """,
)


# patch_embedding_gelu_bwd_12: layers_spec/primitives.yaml:62
_patch_embedding_gelu_bwd_12 = ElementwiseKernel(
    "patch_embedding_gelu_bwd_12",
    "T _t15",
    "T _t16",
    """
    _t16 = _t15 * T(0.7071067811865476);
    """,
)


# patch_embedding_gelu_bwd_13: layers_spec/primitives.yaml:62
_patch_embedding_gelu_bwd_13 = ElementwiseKernel(
    "patch_embedding_gelu_bwd_13",
    "T _t8, T _t16",
    "T grad_z",
    """
    grad_z = _t8 + _t16;
    """,
)


def _cupy_backward_gelu(grad_y, x, weight, bias, _t1, patches, _t2, z):
    _t4 = _patch_embedding_gelu_fwd_1(z)
    _t5 = _patch_embedding_gelu_fwd_2(_t4)
    _t6 = _patch_embedding_gelu_fwd_3(_t5)
    _t7 = _patch_embedding_gelu_fwd_4(_t6)
    _t8 = _patch_embedding_gelu_bwd_4(grad_y, _t7)
    _t9 = _patch_embedding_gelu_bwd_5(grad_y, z)
    _t10 = _patch_embedding_gelu_bwd_6(_t9)
    _t11 = _patch_embedding_gelu_bwd_7(_t10)
    _t12 = _patch_embedding_gelu_bwd_8(_t4)
    _t13 = _patch_embedding_gelu_bwd_9(_t12)
    _t14 = _patch_embedding_gelu_bwd_10(_t13)
    _t15 = _patch_embedding_gelu_bwd_11(_t11, _t14)
    _t16 = _patch_embedding_gelu_bwd_12(_t15)
    grad_z = _patch_embedding_gelu_bwd_13(_t8, _t16)
    grad_bias = _cupy_sum_to(grad_z, bias.shape)
    grad_patches = _linear_backward_input(grad_z, _t2)
    _t19 = _rows(grad_z).T @ _rows(patches)
    grad_weight = _t19.reshape(weight.shape)
    grad_x = _unpatchify(grad_patches, x, _t1)
    return grad_x, grad_weight, grad_bias


def _cupy_forward_identity_no_bias(x, weight, bias):
    _t1 = weight.shape[-1]
    patches = _patchify(x, _t1)
    _t2 = _flatten_dims(weight, 1, 3)
    z = _linear(patches, _t2)
    return z, (x, weight, bias, _t1, patches, _t2)


def _cupy_backward_identity_no_bias(grad_y, x, weight, bias, _t1, patches, _t2):
    grad_patches = _linear_backward_input(grad_y, _t2)
    _t4 = _rows(grad_y).T @ _rows(patches)
    grad_weight = _t4.reshape(weight.shape)
    grad_x = _unpatchify(grad_patches, x, _t1)
    return grad_x, grad_weight, None


def _cupy_forward_relu_no_bias(x, weight, bias):
    _t1 = weight.shape[-1]
    patches = _patchify(x, _t1)
    _t2 = _flatten_dims(weight, 1, 3)
    z = _linear(patches, _t2)
    y = _patch_embedding_relu_fwd_1(z)
    return y, (x, weight, bias, _t1, patches, _t2, z)


# patch_embedding_relu_no_bias_bwd_0: layers_spec/primitives.yaml:252
_patch_embedding_relu_no_bias_bwd_0 = ElementwiseKernel(
    "patch_embedding_relu_no_bias_bwd_0",
    "T z",
    "bool _t3",
    """
    _t3 = z > T(0);
    """,
)


# patch_embedding_relu_no_bias_bwd_1: layers_spec/primitives.yaml:252
_patch_embedding_relu_no_bias_bwd_1 = ElementwiseKernel(
    "patch_embedding_relu_no_bias_bwd_1",
    "T grad_y, bool _t3",
    "T grad_z",
    """
    grad_z = grad_y * _t3;
    """,
)


def _cupy_backward_relu_no_bias(grad_y, x, weight, bias, _t1, patches, _t2, z):
    _t3 = _patch_embedding_relu_no_bias_bwd_0(z)
    grad_z = _patch_embedding_relu_no_bias_bwd_1(grad_y, _t3)
    grad_patches = _linear_backward_input(grad_z, _t2)
    _t6 = _rows(grad_z).T @ _rows(patches)
    grad_weight = _t6.reshape(weight.shape)
    grad_x = _unpatchify(grad_patches, x, _t1)
    return grad_x, grad_weight, None


def _cupy_forward_gelu_no_bias(x, weight, bias):
    _t1 = weight.shape[-1]
    patches = _patchify(x, _t1)
    _t2 = _flatten_dims(weight, 1, 3)
    z = _linear(patches, _t2)
    _t4 = _patch_embedding_gelu_fwd_1(z)
    _t5 = _patch_embedding_gelu_fwd_2(_t4)
    _t6 = _patch_embedding_gelu_fwd_3(_t5)
    _t7 = _patch_embedding_gelu_fwd_4(_t6)
    y = _patch_embedding_gelu_fwd_5(z, _t7)
    return y, (x, weight, bias, _t1, patches, _t2, z)


def _cupy_backward_gelu_no_bias(grad_y, x, weight, bias, _t1, patches, _t2, z):
    _t4 = _patch_embedding_gelu_fwd_1(z)
    _t5 = _patch_embedding_gelu_fwd_2(_t4)
    _t6 = _patch_embedding_gelu_fwd_3(_t5)
    _t7 = _patch_embedding_gelu_fwd_4(_t6)
    _t8 = _patch_embedding_gelu_bwd_4(grad_y, _t7)
    _t9 = _patch_embedding_gelu_bwd_5(grad_y, z)
    _t10 = _patch_embedding_gelu_bwd_6(_t9)
    _t11 = _patch_embedding_gelu_bwd_7(_t10)
    _t12 = _patch_embedding_gelu_bwd_8(_t4)
    _t13 = _patch_embedding_gelu_bwd_9(_t12)
    _t14 = _patch_embedding_gelu_bwd_10(_t13)
    _t15 = _patch_embedding_gelu_bwd_11(_t11, _t14)
    _t16 = _patch_embedding_gelu_bwd_12(_t15)
    grad_z = _patch_embedding_gelu_bwd_13(_t8, _t16)
    grad_patches = _linear_backward_input(grad_z, _t2)
    _t18 = _rows(grad_z).T @ _rows(patches)
    grad_weight = _t18.reshape(weight.shape)
    grad_x = _unpatchify(grad_patches, x, _t1)
    return grad_x, grad_weight, None


def _cupy_backward_composed(
    grad_y, module, activation_ctx, linear_backward, linear_saved
):
    grad_linear = module.backward(grad_y, activation_ctx)
    return linear_backward(grad_linear, *linear_saved)


_CUPY_FUSED = {
    ("identity", True): (_cupy_forward_identity, _cupy_backward_identity),
    ("relu", True): (_cupy_forward_relu, _cupy_backward_relu),
    ("gelu", True): (_cupy_forward_gelu, _cupy_backward_gelu),
    ("identity", False): (
        _cupy_forward_identity_no_bias,
        _cupy_backward_identity_no_bias,
    ),
    ("relu", False): (_cupy_forward_relu_no_bias, _cupy_backward_relu_no_bias),
    ("gelu", False): (_cupy_forward_gelu_no_bias, _cupy_backward_gelu_no_bias),
}


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
