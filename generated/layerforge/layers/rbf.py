"""RBF: Gaussian radial basis functions, y[b, j] = exp(-|x_b - centers_j|^2 / (2
widths_j^2)), with centers [out_features, in_features] and one width per centre. The
squared distances come from one matrix product, |x|^2 - 2 x @ centers.T + |centers|^2
(clamped at 0 against rounding), never from a [B, out_features, in_features] difference.
Generated from layers_spec/layers/rbf.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import check_arrays, check_context
from layerforge._cupy_runtime import ElementwiseKernel, RowBlockKernel, on_gpu

__all__ = ["forward", "backward"]

INPUTS = ("x",)
PARAMETERS = ("centers", "widths")
OUTPUTS = ("y",)


def forward(x, centers, widths):
    """RBF forward pass.

    Gaussian radial basis functions, y[b, j] = exp(-|x_b - centers_j|^2 / (2
    widths_j^2)), with centers [out_features, in_features] and one width per centre. The
    squared distances come from one matrix product, |x|^2 - 2 x @ centers.T +
    |centers|^2 (clamped at 0 against rounding), never from a [B, out_features,
    in_features] difference.

    Args:
        x: float32 or float64 input of shape [B, in_features]. A batch of feature
            vectors.
        centers: float32 or float64 parameter of shape [out_features, in_features]. The
            centres, one per row.
        widths: float32 or float64 parameter of shape [out_features]. The width
            (standard deviation) of each Gaussian; 1 at initialisation.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "rbf",
        {"x": x, "centers": centers, "widths": widths},
        {
            "x": ("B", "in_features"),
            "centers": ("out_features", "in_features"),
            "widths": ("out_features",),
        },
    )
    if on_gpu(x):
        y, saved = _cupy_forward(x, centers, widths)
        return y, (_cupy_backward, saved, (y.dtype, y.shape), None)
    y, saved = _forward(x, centers, widths)
    return y, (_backward, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """RBF backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_centers, grad_widths: gradients with respect to x, centers, widths,
            in that order.
    """
    backward_variant, saved = check_context("rbf", __name__, ctx, {"grad_y": grad_y})
    return backward_variant(grad_y, *saved)


def _forward(x, centers, widths):
    _t1 = _dot_last(centers, centers)
    _t2 = _dot_last(x, x) - 2 * _linear(x, centers) + _t1[..., 0]
    distances = np.clip(_t2, 0, np.inf)
    y = np.multiply(distances, -0.5 / (widths * widths), out=distances)
    np.exp(y, out=y)
    return y, (x, centers, widths, _t1, _t2, y)


def _backward(grad_y, x, centers, widths, _t1, _t2, y):
    distances = np.clip(_t2, 0, np.inf)
    _t3 = widths * widths
    _t4 = -0.5 / _t3
    _t5 = grad_y * y
    grad_distances = _t5 * _t4
    _t6 = -np.sum(_t5 * distances, axis=0) * _t4 / _t3 * widths
    _t7 = np.multiply(grad_distances, _t2 > 0, out=grad_distances)
    _t8 = np.sum(_t7, axis=0).reshape(_t1.shape) * centers
    _t9 = np.negative(_t7, out=distances)
    _t9 *= 2
    _t10 = np.sum(_t7, axis=-1, keepdims=True) * x
    grad_x = _linear_backward_input(_t9, centers) + _t10 + _t10
    grad_centers = _t8 + _t8 + _rows(_t9).T @ _rows(x)
    grad_widths = np.add(_t6, _t6, out=_t6)
    return grad_x, grad_centers, grad_widths


def _dot_last(a, b):
    """The sum over the last axis of a * b, kept as a length-1 axis, as matrix products
    (BLAS) that never form a * b: with a vector b [F] one matrix-vector product, with
    rows b [..., F] a stack of row-times-column ones."""
    if b.ndim == 1:
        return np.matmul(a, b)[..., None]
    return np.matmul(a[..., None, :], b[..., :, None])[..., 0]


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


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# rbf_fwd_0: layers_spec/layers/rbf.yaml:15
_rbf_fwd_0 = ElementwiseKernel(
    "rbf_fwd_0",
    "T _t2, T _t1",
    "T _t4",
    """
    T _t3 = T(2) * _t2;
    _t4 = _t1 - _t3;
    """,
)


# rbf_fwd_1: layers_spec/layers/rbf.yaml:15
_rbf_fwd_1 = ElementwiseKernel(
    "rbf_fwd_1",
    "T _t4, T _t6",
    "T _t7, T distances",
    """
    _t7 = _t4 + _t6;
    distances = _t7 > T(0) || _t7 != _t7 ? _t7 : T(0);
    """,
)


# rbf_fwd_2: layers_spec/layers/rbf.yaml:16
_rbf_fwd_2 = ElementwiseKernel(
    "rbf_fwd_2",
    "T widths",
    "T _t9",
    """
    T _t8 = widths * widths;
    _t9 = T(-0.5) / _t8;
    """,
)


# rbf_fwd_3: layers_spec/layers/rbf.yaml:16
_rbf_fwd_3 = ElementwiseKernel(
    "rbf_fwd_3",
    "T distances, T _t9",
    "T y",
    """
    T _t10 = distances * _t9;
    y = exp(_t10);
    """,
)


def _cupy_forward(x, centers, widths):
    _t1 = _cupy_dot_last(x, x)
    _t2 = _linear(x, centers)
    _t4 = _rbf_fwd_0(_t2, _t1)
    _t5 = _cupy_dot_last(centers, centers)
    _t6 = _t5[..., 0]
    _t7, distances = _rbf_fwd_1(_t4, _t6)
    _t9 = _rbf_fwd_2(widths)
    y = _rbf_fwd_3(distances, _t9)
    return y, (x, centers, widths, _t5, _t7, y)


# rbf_bwd_0: layers_spec/layers/rbf.yaml:15
_rbf_bwd_0 = ElementwiseKernel(
    "rbf_bwd_0",
    "T _t7",
    "T distances",
    """
    distances = _t7 > T(0) || _t7 != _t7 ? _t7 : T(0);
    """,
)


# rbf_bwd_1: layers_spec/layers/rbf.yaml:16
_rbf_bwd_1 = ElementwiseKernel(
    "rbf_bwd_1",
    "T widths",
    "T _t8, T _t9",
    """
    _t8 = widths * widths;
    _t9 = T(-0.5) / _t8;
    """,
)


# rbf_bwd_2: layers_spec/primitives.yaml:100,61,62
_rbf_bwd_2 = ElementwiseKernel(
    "rbf_bwd_2",
    "T grad_y, T y, T _t9, T distances",
    "T grad_distances, T _t13",
    """
    T _t11 = grad_y * y;
    grad_distances = _t11 * _t9;
    _t13 = _t11 * distances;
    """,
)


# rbf_bwd_3: layers_spec/primitives.yaml:72,61,62
_rbf_bwd_3 = ElementwiseKernel(
    "rbf_bwd_3",
    "T _t14, T _t9, T _t8, T widths",
    "T _t18, T _t19",
    """
    T _t15 = -_t14;
    T _t16 = _t15 * _t9;
    T _t17 = _t16 / _t8;
    _t18 = _t17 * widths;
    _t19 = _t17 * widths;
    """,
)


# rbf_bwd_4: layers_spec/primitives.yaml:252
_rbf_bwd_4 = ElementwiseKernel(
    "rbf_bwd_4",
    "T _t7, T grad_distances",
    "T _t21",
    """
    bool _t20 = _t7 > T(0);
    _t21 = grad_distances * _t20;
    """,
)


# rbf_bwd_5: layers_spec/primitives.yaml:389,390
_rbf_bwd_5 = ElementwiseKernel(
    "rbf_bwd_5",
    "T _t23, T centers",
    "T _t24, T _t25",
    """
    _t24 = _t23 * centers;
    _t25 = _t23 * centers;
    """,
)


# rbf_bwd_6: layers_spec/layers/rbf.yaml:15; layers_spec/primitives.yaml:52,62
_rbf_bwd_6 = RowBlockKernel(
    "rbf_bwd_6",
    "row T _t21",
    "per_row T _t26, row T _t28",
    """
    T _c__t21[LF_REGISTERS];
    T _t26 = T(0);
    LF_ROW_LOOP(
        const T _t21 = _at.fill(_c__t21, _row__t21, _j);
        _t26 = _Sum()(_t26, _t21);
    )
    _t26 = _row_reduce(_t26, _Sum());
    LF_ROW_LOOP(
        const T _t21 = _at.get(_c__t21, _row__t21, _j);
        const T _t27 = -_t21;
        const T _t28 = _t27 * T(2);
        _row__t28[_j] = _t28;
    )
    """,
)


# rbf_bwd_7: layers_spec/primitives.yaml:389,390
_rbf_bwd_7 = ElementwiseKernel(
    "rbf_bwd_7",
    "T _t26, T x, T _t29",
    "T grad_x",
    """
    T _t31 = _t26 * x;
    T _t32 = _t26 * x;
    T _t33 = _t29 + _t31;
    grad_x = _t33 + _t32;
    """,
)


# rbf_bwd_8: layers_spec/primitives.yaml:390
_rbf_bwd_8 = ElementwiseKernel(
    "rbf_bwd_8",
    "T _t24, T _t25, T _t30",
    "T grad_centers",
    """
    T _t34 = _t24 + _t25;
    grad_centers = _t34 + _t30;
    """,
)


# rbf_bwd_9: layers_spec/primitives.yaml:390
_rbf_bwd_9 = ElementwiseKernel(
    "rbf_bwd_9",
    "T _t18, T _t19",
    "T grad_widths",
    """
    grad_widths = _t18 + _t19;
    """,
)


def _cupy_backward(grad_y, x, centers, widths, _t5, _t7, y):
    import cupy as cp

    distances = _rbf_bwd_0(_t7)
    _t8, _t9 = _rbf_bwd_1(widths)
    grad_distances, _t13 = _rbf_bwd_2(grad_y, y, _t9, distances)
    _t14 = cp.sum(_t13, axis=0)
    _t18, _t19 = _rbf_bwd_3(_t14, _t9, _t8, widths)
    _t21 = _rbf_bwd_4(_t7, grad_distances)
    _t22 = cp.sum(_t21, axis=0)
    _t23 = _t22.reshape(_t5.shape)
    _t24, _t25 = _rbf_bwd_5(_t23, centers)
    _t26, _t28 = _rbf_bwd_6(_t21)
    _t29 = _linear_backward_input(_t28, centers)
    _t30 = _rows(_t28).T @ _rows(x)
    grad_x = _rbf_bwd_7(_t26, x, _t29)
    grad_centers = _rbf_bwd_8(_t24, _t25, _t30)
    grad_widths = _rbf_bwd_9(_t18, _t19)
    return grad_x, grad_centers, grad_widths


def _cupy_dot_last(a, b):
    """The sum over the last axis of a * b, kept as a length-1 axis, as matrix products
    (BLAS) that never form a * b: with a vector b [F] one matrix-vector product, with
    rows b [..., F] a stack of row-times-column ones."""
    import cupy as cp

    if b.ndim == 1:
        return cp.matmul(a, b)[..., None]
    return cp.matmul(a[..., None, :], b[..., :, None])[..., 0]
