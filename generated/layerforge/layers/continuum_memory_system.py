"""ContinuumMemorySystem: A stack of ``levels`` Dense + ReLU levels (D -> H, then H -> H),
forward and backward a plain chain, torch.nn.Sequential(Linear, ReLU, ...): level l's
parameters are level<l>_weight and level<l>_bias (PyTorch's level<l>.weight), given for
l < levels and None beyond. The multi-frequency schedule (per-level update periods and
learning rates) is optimizer metadata of nn.ContinuumMemorySystem, honoured by
layerforge.optim.
Generated from layers_spec/layers/continuum_memory_system.yaml by the layerforge transpiler 0.1.0.
Do not edit by hand: change the spec and run `make generate`.
"""

import numpy as np

from layerforge._runtime import (
    check_arrays,
    check_context,
    check_attribute,
    check_counted,
)
from layerforge._cupy_runtime import ElementwiseKernel, on_gpu

__all__ = ["forward", "backward", "consolidate"]

INPUTS = ("x",)
PARAMETERS = (
    "level0_weight",
    "level0_bias",
    "level1_weight",
    "level1_bias",
    "level2_weight",
    "level2_bias",
    "level3_weight",
    "level3_bias",
    "level4_weight",
    "level4_bias",
    "level5_weight",
    "level5_bias",
    "level6_weight",
    "level6_bias",
    "level7_weight",
    "level7_bias",
    "level8_weight",
    "level8_bias",
    "level9_weight",
    "level9_bias",
)
OUTPUTS = ("y",)
ENTRY_POINTS = ("consolidate",)


def forward(
    x,
    level0_weight,
    level0_bias,
    level1_weight=None,
    level1_bias=None,
    level2_weight=None,
    level2_bias=None,
    level3_weight=None,
    level3_bias=None,
    level4_weight=None,
    level4_bias=None,
    level5_weight=None,
    level5_bias=None,
    level6_weight=None,
    level6_bias=None,
    level7_weight=None,
    level7_bias=None,
    level8_weight=None,
    level8_bias=None,
    level9_weight=None,
    level9_bias=None,
    *,
    levels=3,
):
    """ContinuumMemorySystem forward pass.

    A stack of ``levels`` Dense + ReLU levels (D -> H, then H -> H), forward and
    backward a plain chain, torch.nn.Sequential(Linear, ReLU, ...): level l's parameters
    are level<l>_weight and level<l>_bias (PyTorch's level<l>.weight), given for l <
    levels and None beyond. The multi-frequency schedule (per-level update periods and
    learning rates) is optimizer metadata of nn.ContinuumMemorySystem, honoured by
    layerforge.optim.

    Args:
        x: float32 or float64 input of shape [..., D]. Feature vectors, any leading
            dimensions.
        level0_weight: float32 or float64 parameter of shape [H, D]. PyTorch's
            level0.weight: the weight of Dense 'level0'.
        level0_bias: float32 or float64 parameter of shape [H]. PyTorch's level0.bias:
            the bias of Dense 'level0'.
        level1_weight: float32 or float64 parameter of shape [H, H]. PyTorch's
            level1.weight: the weight of Dense 'level1'.
        level1_bias: float32 or float64 parameter of shape [H]. PyTorch's level1.bias:
            the bias of Dense 'level1'.
        level2_weight: float32 or float64 parameter of shape [H, H]. PyTorch's
            level2.weight: the weight of Dense 'level2'.
        level2_bias: float32 or float64 parameter of shape [H]. PyTorch's level2.bias:
            the bias of Dense 'level2'.
        level3_weight: float32 or float64 parameter of shape [H, H]. PyTorch's
            level3.weight: the weight of Dense 'level3'.
        level3_bias: float32 or float64 parameter of shape [H]. PyTorch's level3.bias:
            the bias of Dense 'level3'.
        level4_weight: float32 or float64 parameter of shape [H, H]. PyTorch's
            level4.weight: the weight of Dense 'level4'.
        level4_bias: float32 or float64 parameter of shape [H]. PyTorch's level4.bias:
            the bias of Dense 'level4'.
        level5_weight: float32 or float64 parameter of shape [H, H]. PyTorch's
            level5.weight: the weight of Dense 'level5'.
        level5_bias: float32 or float64 parameter of shape [H]. PyTorch's level5.bias:
            the bias of Dense 'level5'.
        level6_weight: float32 or float64 parameter of shape [H, H]. PyTorch's
            level6.weight: the weight of Dense 'level6'.
        level6_bias: float32 or float64 parameter of shape [H]. PyTorch's level6.bias:
            the bias of Dense 'level6'.
        level7_weight: float32 or float64 parameter of shape [H, H]. PyTorch's
            level7.weight: the weight of Dense 'level7'.
        level7_bias: float32 or float64 parameter of shape [H]. PyTorch's level7.bias:
            the bias of Dense 'level7'.
        level8_weight: float32 or float64 parameter of shape [H, H]. PyTorch's
            level8.weight: the weight of Dense 'level8'.
        level8_bias: float32 or float64 parameter of shape [H]. PyTorch's level8.bias:
            the bias of Dense 'level8'.
        level9_weight: float32 or float64 parameter of shape [H, H]. PyTorch's
            level9.weight: the weight of Dense 'level9'.
        level9_bias: float32 or float64 parameter of shape [H]. PyTorch's level9.bias:
            the bias of Dense 'level9'.
        levels: int, default 3. The number of levels.

    Returns:
        (y, ctx): the output and the context that backward needs.
    """
    check_arrays(
        "continuum_memory_system",
        {
            "x": x,
            "level0_weight": level0_weight,
            "level0_bias": level0_bias,
            "level1_weight": level1_weight,
            "level1_bias": level1_bias,
            "level2_weight": level2_weight,
            "level2_bias": level2_bias,
            "level3_weight": level3_weight,
            "level3_bias": level3_bias,
            "level4_weight": level4_weight,
            "level4_bias": level4_bias,
            "level5_weight": level5_weight,
            "level5_bias": level5_bias,
            "level6_weight": level6_weight,
            "level6_bias": level6_bias,
            "level7_weight": level7_weight,
            "level7_bias": level7_bias,
            "level8_weight": level8_weight,
            "level8_bias": level8_bias,
            "level9_weight": level9_weight,
            "level9_bias": level9_bias,
        },
        {
            "x": ("...", "D"),
            "level0_weight": ("H", "D"),
            "level0_bias": ("H",),
            "level1_weight": ("H", "H"),
            "level1_bias": ("H",),
            "level2_weight": ("H", "H"),
            "level2_bias": ("H",),
            "level3_weight": ("H", "H"),
            "level3_bias": ("H",),
            "level4_weight": ("H", "H"),
            "level4_bias": ("H",),
            "level5_weight": ("H", "H"),
            "level5_bias": ("H",),
            "level6_weight": ("H", "H"),
            "level6_bias": ("H",),
            "level7_weight": ("H", "H"),
            "level7_bias": ("H",),
            "level8_weight": ("H", "H"),
            "level8_bias": ("H",),
            "level9_weight": ("H", "H"),
            "level9_bias": ("H",),
        },
        optional=(
            "level1_weight",
            "level1_bias",
            "level2_weight",
            "level2_bias",
            "level3_weight",
            "level3_bias",
            "level4_weight",
            "level4_bias",
            "level5_weight",
            "level5_bias",
            "level6_weight",
            "level6_bias",
            "level7_weight",
            "level7_bias",
            "level8_weight",
            "level8_bias",
            "level9_weight",
            "level9_bias",
        ),
    )
    check_attribute(
        "continuum_memory_system",
        "levels",
        levels,
        "int",
        choices=(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
    )
    check_counted(
        "continuum_memory_system",
        "levels",
        levels,
        {
            "level1_weight": (1, level1_weight),
            "level1_bias": (1, level1_bias),
            "level2_weight": (2, level2_weight),
            "level2_bias": (2, level2_bias),
            "level3_weight": (3, level3_weight),
            "level3_bias": (3, level3_bias),
            "level4_weight": (4, level4_weight),
            "level4_bias": (4, level4_bias),
            "level5_weight": (5, level5_weight),
            "level5_bias": (5, level5_bias),
            "level6_weight": (6, level6_weight),
            "level6_bias": (6, level6_bias),
            "level7_weight": (7, level7_weight),
            "level7_bias": (7, level7_bias),
            "level8_weight": (8, level8_weight),
            "level8_bias": (8, level8_bias),
            "level9_weight": (9, level9_weight),
            "level9_bias": (9, level9_bias),
        },
    )
    if on_gpu(x):
        forward_variant, backward_variant = _CUPY_VARIANTS[levels]
        y, saved = forward_variant(
            x,
            level0_weight,
            level0_bias,
            level1_weight,
            level1_bias,
            level2_weight,
            level2_bias,
            level3_weight,
            level3_bias,
            level4_weight,
            level4_bias,
            level5_weight,
            level5_bias,
            level6_weight,
            level6_bias,
            level7_weight,
            level7_bias,
            level8_weight,
            level8_bias,
            level9_weight,
            level9_bias,
        )
        return y, (backward_variant, saved, (y.dtype, y.shape), None)
    forward_variant, backward_variant = _VARIANTS[levels]
    y, saved = forward_variant(
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level1_bias,
        level2_weight,
        level2_bias,
        level3_weight,
        level3_bias,
        level4_weight,
        level4_bias,
        level5_weight,
        level5_bias,
        level6_weight,
        level6_bias,
        level7_weight,
        level7_bias,
        level8_weight,
        level8_bias,
        level9_weight,
        level9_bias,
    )
    return y, (backward_variant, saved, (y.dtype, y.shape), None)


def backward(grad_y, ctx):
    """ContinuumMemorySystem backward pass.

    Args:
        grad_y: gradient of the loss with respect to y.
        ctx: the context returned by forward.

    Returns:
        grad_x, grad_level0_weight, grad_level0_bias, grad_level1_weight,
            grad_level1_bias, grad_level2_weight, grad_level2_bias, grad_level3_weight,
            grad_level3_bias, grad_level4_weight, grad_level4_bias, grad_level5_weight,
            grad_level5_bias, grad_level6_weight, grad_level6_bias, grad_level7_weight,
            grad_level7_bias, grad_level8_weight, grad_level8_bias, grad_level9_weight,
            grad_level9_bias: gradients with respect to x, level0_weight, level0_bias,
            level1_weight, level1_bias, level2_weight, level2_bias, level3_weight,
            level3_bias, level4_weight, level4_bias, level5_weight, level5_bias,
            level6_weight, level6_bias, level7_weight, level7_bias, level8_weight,
            level8_bias, level9_weight, level9_bias, in that order.
    """
    backward_variant, saved = check_context(
        "continuum_memory_system", __name__, ctx, {"grad_y": grad_y}
    )
    return backward_variant(grad_y, *saved)


def consolidate(lower, upper, *, rate=0.01):
    """ContinuumMemorySystem consolidate: an entry point beside forward and backward.

    The consolidation rule, not a gradient: 1% (rate) of a parameter of level l blended
    into the same parameter of level l + 1, returned as level l + 1's new value (nothing
    is updated in place). nn.ContinuumMemorySystem.consolidate() applies it to every
    pair of adjacent levels whose parameters have one shape.

    Args:
        lower: float32 or float64 array of shape [..., H]. A parameter of level l (its
            weight or its bias).
        upper: float32 or float64 array of shape [..., H]. The same parameter of level l
            + 1, of lower's shape.
        rate: float, default 0.01. The share of level l blended in.

    Returns:
        new_upper: new arrays; no argument is changed. There is no backward: this is not
            a gradient.
    """
    check_arrays(
        "continuum_memory_system.consolidate",
        {"lower": lower, "upper": upper},
        {"lower": ("...", "H"), "upper": ("...", "H")},
    )
    check_attribute(
        "continuum_memory_system.consolidate",
        "rate",
        rate,
        "float",
        minimum=0.0,
        maximum=1.0,
    )
    if on_gpu(lower):
        return _cupy_entry_consolidate(lower, upper, rate)
    return _entry_consolidate(lower, upper, rate)


def _forward_levels_1(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    level0_z = _linear(x, level0_weight)
    level0_z += level0_bias
    y = np.clip(level0_z, 0, np.inf)
    return y, (x, level0_weight, level0_bias, level0_z)


def _backward_levels_1(grad_y, x, level0_weight, level0_bias, level0_z):
    grad_level0_z = grad_y * (level0_z > 0)
    grad_level0_bias = _sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


def _forward_levels_2(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    level0_z = _linear(x, level0_weight)
    level0_z += level0_bias
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_z = _linear(level0_out, level1_weight)
    level1_z += level1_bias
    y = np.clip(level1_z, 0, np.inf, out=level0_out)
    return y, (x, level0_weight, level0_bias, level1_weight, level0_z, level1_z)


def _backward_levels_2(
    grad_y, x, level0_weight, level0_bias, level1_weight, level0_z, level1_z
):
    level0_out = np.clip(level0_z, 0, np.inf)
    grad_level1_z = grad_y * (level1_z > 0)
    grad_level1_bias = _sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = grad_level0_out * (level0_z > 0)
    grad_level0_bias = _sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


def _forward_levels_3(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    level0_z = _linear(x, level0_weight)
    level0_z += level0_bias
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_z = _linear(level0_out, level1_weight)
    level1_z += level1_bias
    level1_out = np.clip(level1_z, 0, np.inf, out=level0_out)
    level2_z = _linear(level1_out, level2_weight)
    level2_z += level2_bias
    y = np.clip(level2_z, 0, np.inf, out=level1_out)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level0_z,
        level1_z,
        level2_z,
    )


def _backward_levels_3(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level0_z,
    level1_z,
    level2_z,
):
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_out = np.clip(level1_z, 0, np.inf)
    grad_level2_z = grad_y * (level2_z > 0)
    grad_level2_bias = _sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = grad_level1_out * (level1_z > 0)
    grad_level1_bias = _sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = grad_level0_out * (level0_z > 0)
    grad_level0_bias = _sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


def _forward_levels_4(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    level0_z = _linear(x, level0_weight)
    level0_z += level0_bias
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_z = _linear(level0_out, level1_weight)
    level1_z += level1_bias
    level1_out = np.clip(level1_z, 0, np.inf, out=level0_out)
    level2_z = _linear(level1_out, level2_weight)
    level2_z += level2_bias
    level2_out = np.clip(level2_z, 0, np.inf, out=level1_out)
    level3_z = _linear(level2_out, level3_weight)
    level3_z += level3_bias
    y = np.clip(level3_z, 0, np.inf, out=level2_out)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level3_weight,
        level0_z,
        level1_z,
        level2_z,
        level3_z,
    )


def _backward_levels_4(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level3_weight,
    level0_z,
    level1_z,
    level2_z,
    level3_z,
):
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_out = np.clip(level1_z, 0, np.inf)
    level2_out = np.clip(level2_z, 0, np.inf)
    grad_level3_z = grad_y * (level3_z > 0)
    grad_level3_bias = _sum_to(grad_level3_z, level0_bias.shape)
    grad_level2_out = _linear_backward_input(grad_level3_z, level3_weight)
    grad_level3_weight = _rows(grad_level3_z).T @ _rows(level2_out)
    grad_level2_z = grad_level2_out * (level2_z > 0)
    grad_level2_bias = _sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = grad_level1_out * (level1_z > 0)
    grad_level1_bias = _sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = grad_level0_out * (level0_z > 0)
    grad_level0_bias = _sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        grad_level3_weight,
        grad_level3_bias,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


def _forward_levels_5(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    level0_z = _linear(x, level0_weight)
    level0_z += level0_bias
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_z = _linear(level0_out, level1_weight)
    level1_z += level1_bias
    level1_out = np.clip(level1_z, 0, np.inf, out=level0_out)
    level2_z = _linear(level1_out, level2_weight)
    level2_z += level2_bias
    level2_out = np.clip(level2_z, 0, np.inf, out=level1_out)
    level3_z = _linear(level2_out, level3_weight)
    level3_z += level3_bias
    level3_out = np.clip(level3_z, 0, np.inf, out=level2_out)
    level4_z = _linear(level3_out, level4_weight)
    level4_z += level4_bias
    y = np.clip(level4_z, 0, np.inf, out=level3_out)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level3_weight,
        level4_weight,
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
    )


def _backward_levels_5(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level3_weight,
    level4_weight,
    level0_z,
    level1_z,
    level2_z,
    level3_z,
    level4_z,
):
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_out = np.clip(level1_z, 0, np.inf)
    level2_out = np.clip(level2_z, 0, np.inf)
    level3_out = np.clip(level3_z, 0, np.inf)
    grad_level4_z = grad_y * (level4_z > 0)
    grad_level4_bias = _sum_to(grad_level4_z, level0_bias.shape)
    grad_level3_out = _linear_backward_input(grad_level4_z, level4_weight)
    grad_level4_weight = _rows(grad_level4_z).T @ _rows(level3_out)
    grad_level3_z = grad_level3_out * (level3_z > 0)
    grad_level3_bias = _sum_to(grad_level3_z, level0_bias.shape)
    grad_level2_out = _linear_backward_input(grad_level3_z, level3_weight)
    grad_level3_weight = _rows(grad_level3_z).T @ _rows(level2_out)
    grad_level2_z = grad_level2_out * (level2_z > 0)
    grad_level2_bias = _sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = grad_level1_out * (level1_z > 0)
    grad_level1_bias = _sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = grad_level0_out * (level0_z > 0)
    grad_level0_bias = _sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        grad_level3_weight,
        grad_level3_bias,
        grad_level4_weight,
        grad_level4_bias,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


def _forward_levels_6(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    level0_z = _linear(x, level0_weight)
    level0_z += level0_bias
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_z = _linear(level0_out, level1_weight)
    level1_z += level1_bias
    level1_out = np.clip(level1_z, 0, np.inf, out=level0_out)
    level2_z = _linear(level1_out, level2_weight)
    level2_z += level2_bias
    level2_out = np.clip(level2_z, 0, np.inf, out=level1_out)
    level3_z = _linear(level2_out, level3_weight)
    level3_z += level3_bias
    level3_out = np.clip(level3_z, 0, np.inf, out=level2_out)
    level4_z = _linear(level3_out, level4_weight)
    level4_z += level4_bias
    level4_out = np.clip(level4_z, 0, np.inf, out=level3_out)
    level5_z = _linear(level4_out, level5_weight)
    level5_z += level5_bias
    y = np.clip(level5_z, 0, np.inf, out=level4_out)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level3_weight,
        level4_weight,
        level5_weight,
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
        level5_z,
    )


def _backward_levels_6(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level3_weight,
    level4_weight,
    level5_weight,
    level0_z,
    level1_z,
    level2_z,
    level3_z,
    level4_z,
    level5_z,
):
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_out = np.clip(level1_z, 0, np.inf)
    level2_out = np.clip(level2_z, 0, np.inf)
    level3_out = np.clip(level3_z, 0, np.inf)
    level4_out = np.clip(level4_z, 0, np.inf)
    grad_level5_z = grad_y * (level5_z > 0)
    grad_level5_bias = _sum_to(grad_level5_z, level0_bias.shape)
    grad_level4_out = _linear_backward_input(grad_level5_z, level5_weight)
    grad_level5_weight = _rows(grad_level5_z).T @ _rows(level4_out)
    grad_level4_z = grad_level4_out * (level4_z > 0)
    grad_level4_bias = _sum_to(grad_level4_z, level0_bias.shape)
    grad_level3_out = _linear_backward_input(grad_level4_z, level4_weight)
    grad_level4_weight = _rows(grad_level4_z).T @ _rows(level3_out)
    grad_level3_z = grad_level3_out * (level3_z > 0)
    grad_level3_bias = _sum_to(grad_level3_z, level0_bias.shape)
    grad_level2_out = _linear_backward_input(grad_level3_z, level3_weight)
    grad_level3_weight = _rows(grad_level3_z).T @ _rows(level2_out)
    grad_level2_z = grad_level2_out * (level2_z > 0)
    grad_level2_bias = _sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = grad_level1_out * (level1_z > 0)
    grad_level1_bias = _sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = grad_level0_out * (level0_z > 0)
    grad_level0_bias = _sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        grad_level3_weight,
        grad_level3_bias,
        grad_level4_weight,
        grad_level4_bias,
        grad_level5_weight,
        grad_level5_bias,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


def _forward_levels_7(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    level0_z = _linear(x, level0_weight)
    level0_z += level0_bias
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_z = _linear(level0_out, level1_weight)
    level1_z += level1_bias
    level1_out = np.clip(level1_z, 0, np.inf, out=level0_out)
    level2_z = _linear(level1_out, level2_weight)
    level2_z += level2_bias
    level2_out = np.clip(level2_z, 0, np.inf, out=level1_out)
    level3_z = _linear(level2_out, level3_weight)
    level3_z += level3_bias
    level3_out = np.clip(level3_z, 0, np.inf, out=level2_out)
    level4_z = _linear(level3_out, level4_weight)
    level4_z += level4_bias
    level4_out = np.clip(level4_z, 0, np.inf, out=level3_out)
    level5_z = _linear(level4_out, level5_weight)
    level5_z += level5_bias
    level5_out = np.clip(level5_z, 0, np.inf, out=level4_out)
    level6_z = _linear(level5_out, level6_weight)
    level6_z += level6_bias
    y = np.clip(level6_z, 0, np.inf, out=level5_out)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level3_weight,
        level4_weight,
        level5_weight,
        level6_weight,
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
        level5_z,
        level6_z,
    )


def _backward_levels_7(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level3_weight,
    level4_weight,
    level5_weight,
    level6_weight,
    level0_z,
    level1_z,
    level2_z,
    level3_z,
    level4_z,
    level5_z,
    level6_z,
):
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_out = np.clip(level1_z, 0, np.inf)
    level2_out = np.clip(level2_z, 0, np.inf)
    level3_out = np.clip(level3_z, 0, np.inf)
    level4_out = np.clip(level4_z, 0, np.inf)
    level5_out = np.clip(level5_z, 0, np.inf)
    grad_level6_z = grad_y * (level6_z > 0)
    grad_level6_bias = _sum_to(grad_level6_z, level0_bias.shape)
    grad_level5_out = _linear_backward_input(grad_level6_z, level6_weight)
    grad_level6_weight = _rows(grad_level6_z).T @ _rows(level5_out)
    grad_level5_z = grad_level5_out * (level5_z > 0)
    grad_level5_bias = _sum_to(grad_level5_z, level0_bias.shape)
    grad_level4_out = _linear_backward_input(grad_level5_z, level5_weight)
    grad_level5_weight = _rows(grad_level5_z).T @ _rows(level4_out)
    grad_level4_z = grad_level4_out * (level4_z > 0)
    grad_level4_bias = _sum_to(grad_level4_z, level0_bias.shape)
    grad_level3_out = _linear_backward_input(grad_level4_z, level4_weight)
    grad_level4_weight = _rows(grad_level4_z).T @ _rows(level3_out)
    grad_level3_z = grad_level3_out * (level3_z > 0)
    grad_level3_bias = _sum_to(grad_level3_z, level0_bias.shape)
    grad_level2_out = _linear_backward_input(grad_level3_z, level3_weight)
    grad_level3_weight = _rows(grad_level3_z).T @ _rows(level2_out)
    grad_level2_z = grad_level2_out * (level2_z > 0)
    grad_level2_bias = _sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = grad_level1_out * (level1_z > 0)
    grad_level1_bias = _sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = grad_level0_out * (level0_z > 0)
    grad_level0_bias = _sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        grad_level3_weight,
        grad_level3_bias,
        grad_level4_weight,
        grad_level4_bias,
        grad_level5_weight,
        grad_level5_bias,
        grad_level6_weight,
        grad_level6_bias,
        None,
        None,
        None,
        None,
        None,
        None,
    )


def _forward_levels_8(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    level0_z = _linear(x, level0_weight)
    level0_z += level0_bias
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_z = _linear(level0_out, level1_weight)
    level1_z += level1_bias
    level1_out = np.clip(level1_z, 0, np.inf, out=level0_out)
    level2_z = _linear(level1_out, level2_weight)
    level2_z += level2_bias
    level2_out = np.clip(level2_z, 0, np.inf, out=level1_out)
    level3_z = _linear(level2_out, level3_weight)
    level3_z += level3_bias
    level3_out = np.clip(level3_z, 0, np.inf, out=level2_out)
    level4_z = _linear(level3_out, level4_weight)
    level4_z += level4_bias
    level4_out = np.clip(level4_z, 0, np.inf, out=level3_out)
    level5_z = _linear(level4_out, level5_weight)
    level5_z += level5_bias
    level5_out = np.clip(level5_z, 0, np.inf, out=level4_out)
    level6_z = _linear(level5_out, level6_weight)
    level6_z += level6_bias
    level6_out = np.clip(level6_z, 0, np.inf, out=level5_out)
    level7_z = _linear(level6_out, level7_weight)
    level7_z += level7_bias
    y = np.clip(level7_z, 0, np.inf, out=level6_out)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level3_weight,
        level4_weight,
        level5_weight,
        level6_weight,
        level7_weight,
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
        level5_z,
        level6_z,
        level7_z,
    )


def _backward_levels_8(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level3_weight,
    level4_weight,
    level5_weight,
    level6_weight,
    level7_weight,
    level0_z,
    level1_z,
    level2_z,
    level3_z,
    level4_z,
    level5_z,
    level6_z,
    level7_z,
):
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_out = np.clip(level1_z, 0, np.inf)
    level2_out = np.clip(level2_z, 0, np.inf)
    level3_out = np.clip(level3_z, 0, np.inf)
    level4_out = np.clip(level4_z, 0, np.inf)
    level5_out = np.clip(level5_z, 0, np.inf)
    level6_out = np.clip(level6_z, 0, np.inf)
    grad_level7_z = grad_y * (level7_z > 0)
    grad_level7_bias = _sum_to(grad_level7_z, level0_bias.shape)
    grad_level6_out = _linear_backward_input(grad_level7_z, level7_weight)
    grad_level7_weight = _rows(grad_level7_z).T @ _rows(level6_out)
    grad_level6_z = grad_level6_out * (level6_z > 0)
    grad_level6_bias = _sum_to(grad_level6_z, level0_bias.shape)
    grad_level5_out = _linear_backward_input(grad_level6_z, level6_weight)
    grad_level6_weight = _rows(grad_level6_z).T @ _rows(level5_out)
    grad_level5_z = grad_level5_out * (level5_z > 0)
    grad_level5_bias = _sum_to(grad_level5_z, level0_bias.shape)
    grad_level4_out = _linear_backward_input(grad_level5_z, level5_weight)
    grad_level5_weight = _rows(grad_level5_z).T @ _rows(level4_out)
    grad_level4_z = grad_level4_out * (level4_z > 0)
    grad_level4_bias = _sum_to(grad_level4_z, level0_bias.shape)
    grad_level3_out = _linear_backward_input(grad_level4_z, level4_weight)
    grad_level4_weight = _rows(grad_level4_z).T @ _rows(level3_out)
    grad_level3_z = grad_level3_out * (level3_z > 0)
    grad_level3_bias = _sum_to(grad_level3_z, level0_bias.shape)
    grad_level2_out = _linear_backward_input(grad_level3_z, level3_weight)
    grad_level3_weight = _rows(grad_level3_z).T @ _rows(level2_out)
    grad_level2_z = grad_level2_out * (level2_z > 0)
    grad_level2_bias = _sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = grad_level1_out * (level1_z > 0)
    grad_level1_bias = _sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = grad_level0_out * (level0_z > 0)
    grad_level0_bias = _sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        grad_level3_weight,
        grad_level3_bias,
        grad_level4_weight,
        grad_level4_bias,
        grad_level5_weight,
        grad_level5_bias,
        grad_level6_weight,
        grad_level6_bias,
        grad_level7_weight,
        grad_level7_bias,
        None,
        None,
        None,
        None,
    )


def _forward_levels_9(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    level0_z = _linear(x, level0_weight)
    level0_z += level0_bias
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_z = _linear(level0_out, level1_weight)
    level1_z += level1_bias
    level1_out = np.clip(level1_z, 0, np.inf, out=level0_out)
    level2_z = _linear(level1_out, level2_weight)
    level2_z += level2_bias
    level2_out = np.clip(level2_z, 0, np.inf, out=level1_out)
    level3_z = _linear(level2_out, level3_weight)
    level3_z += level3_bias
    level3_out = np.clip(level3_z, 0, np.inf, out=level2_out)
    level4_z = _linear(level3_out, level4_weight)
    level4_z += level4_bias
    level4_out = np.clip(level4_z, 0, np.inf, out=level3_out)
    level5_z = _linear(level4_out, level5_weight)
    level5_z += level5_bias
    level5_out = np.clip(level5_z, 0, np.inf, out=level4_out)
    level6_z = _linear(level5_out, level6_weight)
    level6_z += level6_bias
    level6_out = np.clip(level6_z, 0, np.inf, out=level5_out)
    level7_z = _linear(level6_out, level7_weight)
    level7_z += level7_bias
    level7_out = np.clip(level7_z, 0, np.inf, out=level6_out)
    level8_z = _linear(level7_out, level8_weight)
    level8_z += level8_bias
    y = np.clip(level8_z, 0, np.inf, out=level7_out)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level3_weight,
        level4_weight,
        level5_weight,
        level6_weight,
        level7_weight,
        level8_weight,
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
        level5_z,
        level6_z,
        level7_z,
        level8_z,
    )


def _backward_levels_9(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level3_weight,
    level4_weight,
    level5_weight,
    level6_weight,
    level7_weight,
    level8_weight,
    level0_z,
    level1_z,
    level2_z,
    level3_z,
    level4_z,
    level5_z,
    level6_z,
    level7_z,
    level8_z,
):
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_out = np.clip(level1_z, 0, np.inf)
    level2_out = np.clip(level2_z, 0, np.inf)
    level3_out = np.clip(level3_z, 0, np.inf)
    level4_out = np.clip(level4_z, 0, np.inf)
    level5_out = np.clip(level5_z, 0, np.inf)
    level6_out = np.clip(level6_z, 0, np.inf)
    level7_out = np.clip(level7_z, 0, np.inf)
    grad_level8_z = grad_y * (level8_z > 0)
    grad_level8_bias = _sum_to(grad_level8_z, level0_bias.shape)
    grad_level7_out = _linear_backward_input(grad_level8_z, level8_weight)
    grad_level8_weight = _rows(grad_level8_z).T @ _rows(level7_out)
    grad_level7_z = grad_level7_out * (level7_z > 0)
    grad_level7_bias = _sum_to(grad_level7_z, level0_bias.shape)
    grad_level6_out = _linear_backward_input(grad_level7_z, level7_weight)
    grad_level7_weight = _rows(grad_level7_z).T @ _rows(level6_out)
    grad_level6_z = grad_level6_out * (level6_z > 0)
    grad_level6_bias = _sum_to(grad_level6_z, level0_bias.shape)
    grad_level5_out = _linear_backward_input(grad_level6_z, level6_weight)
    grad_level6_weight = _rows(grad_level6_z).T @ _rows(level5_out)
    grad_level5_z = grad_level5_out * (level5_z > 0)
    grad_level5_bias = _sum_to(grad_level5_z, level0_bias.shape)
    grad_level4_out = _linear_backward_input(grad_level5_z, level5_weight)
    grad_level5_weight = _rows(grad_level5_z).T @ _rows(level4_out)
    grad_level4_z = grad_level4_out * (level4_z > 0)
    grad_level4_bias = _sum_to(grad_level4_z, level0_bias.shape)
    grad_level3_out = _linear_backward_input(grad_level4_z, level4_weight)
    grad_level4_weight = _rows(grad_level4_z).T @ _rows(level3_out)
    grad_level3_z = grad_level3_out * (level3_z > 0)
    grad_level3_bias = _sum_to(grad_level3_z, level0_bias.shape)
    grad_level2_out = _linear_backward_input(grad_level3_z, level3_weight)
    grad_level3_weight = _rows(grad_level3_z).T @ _rows(level2_out)
    grad_level2_z = grad_level2_out * (level2_z > 0)
    grad_level2_bias = _sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = grad_level1_out * (level1_z > 0)
    grad_level1_bias = _sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = grad_level0_out * (level0_z > 0)
    grad_level0_bias = _sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        grad_level3_weight,
        grad_level3_bias,
        grad_level4_weight,
        grad_level4_bias,
        grad_level5_weight,
        grad_level5_bias,
        grad_level6_weight,
        grad_level6_bias,
        grad_level7_weight,
        grad_level7_bias,
        grad_level8_weight,
        grad_level8_bias,
        None,
        None,
    )


def _forward_levels_10(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    level0_z = _linear(x, level0_weight)
    level0_z += level0_bias
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_z = _linear(level0_out, level1_weight)
    level1_z += level1_bias
    level1_out = np.clip(level1_z, 0, np.inf, out=level0_out)
    level2_z = _linear(level1_out, level2_weight)
    level2_z += level2_bias
    level2_out = np.clip(level2_z, 0, np.inf, out=level1_out)
    level3_z = _linear(level2_out, level3_weight)
    level3_z += level3_bias
    level3_out = np.clip(level3_z, 0, np.inf, out=level2_out)
    level4_z = _linear(level3_out, level4_weight)
    level4_z += level4_bias
    level4_out = np.clip(level4_z, 0, np.inf, out=level3_out)
    level5_z = _linear(level4_out, level5_weight)
    level5_z += level5_bias
    level5_out = np.clip(level5_z, 0, np.inf, out=level4_out)
    level6_z = _linear(level5_out, level6_weight)
    level6_z += level6_bias
    level6_out = np.clip(level6_z, 0, np.inf, out=level5_out)
    level7_z = _linear(level6_out, level7_weight)
    level7_z += level7_bias
    level7_out = np.clip(level7_z, 0, np.inf, out=level6_out)
    level8_z = _linear(level7_out, level8_weight)
    level8_z += level8_bias
    level8_out = np.clip(level8_z, 0, np.inf, out=level7_out)
    level9_z = _linear(level8_out, level9_weight)
    level9_z += level9_bias
    y = np.clip(level9_z, 0, np.inf, out=level8_out)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level3_weight,
        level4_weight,
        level5_weight,
        level6_weight,
        level7_weight,
        level8_weight,
        level9_weight,
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
        level5_z,
        level6_z,
        level7_z,
        level8_z,
        level9_z,
    )


def _backward_levels_10(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level3_weight,
    level4_weight,
    level5_weight,
    level6_weight,
    level7_weight,
    level8_weight,
    level9_weight,
    level0_z,
    level1_z,
    level2_z,
    level3_z,
    level4_z,
    level5_z,
    level6_z,
    level7_z,
    level8_z,
    level9_z,
):
    level0_out = np.clip(level0_z, 0, np.inf)
    level1_out = np.clip(level1_z, 0, np.inf)
    level2_out = np.clip(level2_z, 0, np.inf)
    level3_out = np.clip(level3_z, 0, np.inf)
    level4_out = np.clip(level4_z, 0, np.inf)
    level5_out = np.clip(level5_z, 0, np.inf)
    level6_out = np.clip(level6_z, 0, np.inf)
    level7_out = np.clip(level7_z, 0, np.inf)
    level8_out = np.clip(level8_z, 0, np.inf)
    grad_level9_z = grad_y * (level9_z > 0)
    grad_level9_bias = _sum_to(grad_level9_z, level0_bias.shape)
    grad_level8_out = _linear_backward_input(grad_level9_z, level9_weight)
    grad_level9_weight = _rows(grad_level9_z).T @ _rows(level8_out)
    grad_level8_z = grad_level8_out * (level8_z > 0)
    grad_level8_bias = _sum_to(grad_level8_z, level0_bias.shape)
    grad_level7_out = _linear_backward_input(grad_level8_z, level8_weight)
    grad_level8_weight = _rows(grad_level8_z).T @ _rows(level7_out)
    grad_level7_z = grad_level7_out * (level7_z > 0)
    grad_level7_bias = _sum_to(grad_level7_z, level0_bias.shape)
    grad_level6_out = _linear_backward_input(grad_level7_z, level7_weight)
    grad_level7_weight = _rows(grad_level7_z).T @ _rows(level6_out)
    grad_level6_z = grad_level6_out * (level6_z > 0)
    grad_level6_bias = _sum_to(grad_level6_z, level0_bias.shape)
    grad_level5_out = _linear_backward_input(grad_level6_z, level6_weight)
    grad_level6_weight = _rows(grad_level6_z).T @ _rows(level5_out)
    grad_level5_z = grad_level5_out * (level5_z > 0)
    grad_level5_bias = _sum_to(grad_level5_z, level0_bias.shape)
    grad_level4_out = _linear_backward_input(grad_level5_z, level5_weight)
    grad_level5_weight = _rows(grad_level5_z).T @ _rows(level4_out)
    grad_level4_z = grad_level4_out * (level4_z > 0)
    grad_level4_bias = _sum_to(grad_level4_z, level0_bias.shape)
    grad_level3_out = _linear_backward_input(grad_level4_z, level4_weight)
    grad_level4_weight = _rows(grad_level4_z).T @ _rows(level3_out)
    grad_level3_z = grad_level3_out * (level3_z > 0)
    grad_level3_bias = _sum_to(grad_level3_z, level0_bias.shape)
    grad_level2_out = _linear_backward_input(grad_level3_z, level3_weight)
    grad_level3_weight = _rows(grad_level3_z).T @ _rows(level2_out)
    grad_level2_z = grad_level2_out * (level2_z > 0)
    grad_level2_bias = _sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = grad_level1_out * (level1_z > 0)
    grad_level1_bias = _sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = grad_level0_out * (level0_z > 0)
    grad_level0_bias = _sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        grad_level3_weight,
        grad_level3_bias,
        grad_level4_weight,
        grad_level4_bias,
        grad_level5_weight,
        grad_level5_bias,
        grad_level6_weight,
        grad_level6_bias,
        grad_level7_weight,
        grad_level7_bias,
        grad_level8_weight,
        grad_level8_bias,
        grad_level9_weight,
        grad_level9_bias,
    )


def _entry_consolidate(lower, upper, rate):
    new_upper = (1.0 - rate) * upper
    _t1 = rate * lower
    new_upper += _t1
    return new_upper


_VARIANTS = {
    1: (_forward_levels_1, _backward_levels_1),
    2: (_forward_levels_2, _backward_levels_2),
    3: (_forward_levels_3, _backward_levels_3),
    4: (_forward_levels_4, _backward_levels_4),
    5: (_forward_levels_5, _backward_levels_5),
    6: (_forward_levels_6, _backward_levels_6),
    7: (_forward_levels_7, _backward_levels_7),
    8: (_forward_levels_8, _backward_levels_8),
    9: (_forward_levels_9, _backward_levels_9),
    10: (_forward_levels_10, _backward_levels_10),
}


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


# The CuPy target: fused elementwise and row-reduction kernels, built on first use,
# and CuPy twins of the functions above.


# continuum_memory_system_levels_1_fwd_0: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_1_fwd_0 = ElementwiseKernel(
    "continuum_memory_system_levels_1_fwd_0",
    "T _t1, T level0_bias",
    "T level0_z, T y",
    """
    level0_z = _t1 + level0_bias;
    y = level0_z > T(0) || level0_z != level0_z ? level0_z : T(0);
    """,
)


def _cupy_forward_levels_1(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    _t1 = _linear(x, level0_weight)
    level0_z, y = _continuum_memory_system_levels_1_fwd_0(_t1, level0_bias)
    return y, (x, level0_weight, level0_bias, level0_z)


# continuum_memory_system_levels_1_bwd_0: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_1_bwd_0 = ElementwiseKernel(
    "continuum_memory_system_levels_1_bwd_0",
    "T level0_z, T grad_y",
    "T grad_level0_z",
    """
    bool _t2 = level0_z > T(0);
    grad_level0_z = grad_y * _t2;
    """,
)


def _cupy_backward_levels_1(grad_y, x, level0_weight, level0_bias, level0_z):
    grad_level0_z = _continuum_memory_system_levels_1_bwd_0(level0_z, grad_y)
    grad_level0_bias = _cupy_sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


# continuum_memory_system_levels_2_fwd_0: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_2_fwd_0 = ElementwiseKernel(
    "continuum_memory_system_levels_2_fwd_0",
    "T _t1, T level0_bias",
    "T level0_z, T level0_out",
    """
    level0_z = _t1 + level0_bias;
    level0_out = level0_z > T(0) || level0_z != level0_z ? level0_z : T(0);
    """,
)


# continuum_memory_system_levels_2_fwd_1: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_2_fwd_1 = ElementwiseKernel(
    "continuum_memory_system_levels_2_fwd_1",
    "T _t2, T level1_bias",
    "T level1_z, T y",
    """
    level1_z = _t2 + level1_bias;
    y = level1_z > T(0) || level1_z != level1_z ? level1_z : T(0);
    """,
)


def _cupy_forward_levels_2(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    _t1 = _linear(x, level0_weight)
    level0_z, level0_out = _continuum_memory_system_levels_2_fwd_0(_t1, level0_bias)
    _t2 = _linear(level0_out, level1_weight)
    level1_z, y = _continuum_memory_system_levels_2_fwd_1(_t2, level1_bias)
    return y, (x, level0_weight, level0_bias, level1_weight, level0_z, level1_z)


# continuum_memory_system_levels_2_bwd_0: layers_spec/activations/relu.yaml:8; layers_spec/primitives.yaml:252
_continuum_memory_system_levels_2_bwd_0 = ElementwiseKernel(
    "continuum_memory_system_levels_2_bwd_0",
    "T level0_z, T level1_z, T grad_y",
    "T level0_out, T grad_level1_z",
    """
    level0_out = level0_z > T(0) || level0_z != level0_z ? level0_z : T(0);
    bool _t3 = level1_z > T(0);
    grad_level1_z = grad_y * _t3;
    """,
)


# continuum_memory_system_levels_2_bwd_1: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_2_bwd_1 = ElementwiseKernel(
    "continuum_memory_system_levels_2_bwd_1",
    "T level0_z, T grad_level0_out",
    "T grad_level0_z",
    """
    bool _t8 = level0_z > T(0);
    grad_level0_z = grad_level0_out * _t8;
    """,
)


def _cupy_backward_levels_2(
    grad_y, x, level0_weight, level0_bias, level1_weight, level0_z, level1_z
):
    level0_out, grad_level1_z = _continuum_memory_system_levels_2_bwd_0(
        level0_z, level1_z, grad_y
    )
    grad_level1_bias = _cupy_sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = _continuum_memory_system_levels_2_bwd_1(level0_z, grad_level0_out)
    grad_level0_bias = _cupy_sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


# continuum_memory_system_levels_3_fwd_1: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_3_fwd_1 = ElementwiseKernel(
    "continuum_memory_system_levels_3_fwd_1",
    "T _t2, T level1_bias",
    "T level1_z, T level1_out",
    """
    level1_z = _t2 + level1_bias;
    level1_out = level1_z > T(0) || level1_z != level1_z ? level1_z : T(0);
    """,
)


# continuum_memory_system_levels_3_fwd_2: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_3_fwd_2 = ElementwiseKernel(
    "continuum_memory_system_levels_3_fwd_2",
    "T _t3, T level2_bias",
    "T level2_z, T y",
    """
    level2_z = _t3 + level2_bias;
    y = level2_z > T(0) || level2_z != level2_z ? level2_z : T(0);
    """,
)


def _cupy_forward_levels_3(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    _t1 = _linear(x, level0_weight)
    level0_z, level0_out = _continuum_memory_system_levels_2_fwd_0(_t1, level0_bias)
    _t2 = _linear(level0_out, level1_weight)
    level1_z, level1_out = _continuum_memory_system_levels_3_fwd_1(_t2, level1_bias)
    _t3 = _linear(level1_out, level2_weight)
    level2_z, y = _continuum_memory_system_levels_3_fwd_2(_t3, level2_bias)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level0_z,
        level1_z,
        level2_z,
    )


# continuum_memory_system_levels_3_bwd_0: layers_spec/activations/relu.yaml:8; layers_spec/primitives.yaml:252
_continuum_memory_system_levels_3_bwd_0 = ElementwiseKernel(
    "continuum_memory_system_levels_3_bwd_0",
    "T level0_z, T level1_z, T level2_z, T grad_y",
    "T level0_out, T level1_out, T grad_level2_z",
    """
    level0_out = level0_z > T(0) || level0_z != level0_z ? level0_z : T(0);
    level1_out = level1_z > T(0) || level1_z != level1_z ? level1_z : T(0);
    bool _t4 = level2_z > T(0);
    grad_level2_z = grad_y * _t4;
    """,
)


# continuum_memory_system_levels_3_bwd_1: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_3_bwd_1 = ElementwiseKernel(
    "continuum_memory_system_levels_3_bwd_1",
    "T level1_z, T grad_level1_out",
    "T grad_level1_z",
    """
    bool _t9 = level1_z > T(0);
    grad_level1_z = grad_level1_out * _t9;
    """,
)


# continuum_memory_system_levels_3_bwd_2: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_3_bwd_2 = ElementwiseKernel(
    "continuum_memory_system_levels_3_bwd_2",
    "T level0_z, T grad_level0_out",
    "T grad_level0_z",
    """
    bool _t14 = level0_z > T(0);
    grad_level0_z = grad_level0_out * _t14;
    """,
)


def _cupy_backward_levels_3(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level0_z,
    level1_z,
    level2_z,
):
    level0_out, level1_out, grad_level2_z = _continuum_memory_system_levels_3_bwd_0(
        level0_z, level1_z, level2_z, grad_y
    )
    grad_level2_bias = _cupy_sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = _continuum_memory_system_levels_3_bwd_1(level1_z, grad_level1_out)
    grad_level1_bias = _cupy_sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = _continuum_memory_system_levels_3_bwd_2(level0_z, grad_level0_out)
    grad_level0_bias = _cupy_sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


# continuum_memory_system_levels_4_fwd_2: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_4_fwd_2 = ElementwiseKernel(
    "continuum_memory_system_levels_4_fwd_2",
    "T _t3, T level2_bias",
    "T level2_z, T level2_out",
    """
    level2_z = _t3 + level2_bias;
    level2_out = level2_z > T(0) || level2_z != level2_z ? level2_z : T(0);
    """,
)


# continuum_memory_system_levels_4_fwd_3: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_4_fwd_3 = ElementwiseKernel(
    "continuum_memory_system_levels_4_fwd_3",
    "T _t4, T level3_bias",
    "T level3_z, T y",
    """
    level3_z = _t4 + level3_bias;
    y = level3_z > T(0) || level3_z != level3_z ? level3_z : T(0);
    """,
)


def _cupy_forward_levels_4(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    _t1 = _linear(x, level0_weight)
    level0_z, level0_out = _continuum_memory_system_levels_2_fwd_0(_t1, level0_bias)
    _t2 = _linear(level0_out, level1_weight)
    level1_z, level1_out = _continuum_memory_system_levels_3_fwd_1(_t2, level1_bias)
    _t3 = _linear(level1_out, level2_weight)
    level2_z, level2_out = _continuum_memory_system_levels_4_fwd_2(_t3, level2_bias)
    _t4 = _linear(level2_out, level3_weight)
    level3_z, y = _continuum_memory_system_levels_4_fwd_3(_t4, level3_bias)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level3_weight,
        level0_z,
        level1_z,
        level2_z,
        level3_z,
    )


# continuum_memory_system_levels_4_bwd_0: layers_spec/activations/relu.yaml:8; layers_spec/primitives.yaml:252
_continuum_memory_system_levels_4_bwd_0 = ElementwiseKernel(
    "continuum_memory_system_levels_4_bwd_0",
    "T level0_z, T level1_z, T level2_z, T level3_z, T grad_y",
    "T level0_out, T level1_out, T level2_out, T grad_level3_z",
    """
    level0_out = level0_z > T(0) || level0_z != level0_z ? level0_z : T(0);
    level1_out = level1_z > T(0) || level1_z != level1_z ? level1_z : T(0);
    level2_out = level2_z > T(0) || level2_z != level2_z ? level2_z : T(0);
    bool _t5 = level3_z > T(0);
    grad_level3_z = grad_y * _t5;
    """,
)


# continuum_memory_system_levels_4_bwd_1: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_4_bwd_1 = ElementwiseKernel(
    "continuum_memory_system_levels_4_bwd_1",
    "T level2_z, T grad_level2_out",
    "T grad_level2_z",
    """
    bool _t10 = level2_z > T(0);
    grad_level2_z = grad_level2_out * _t10;
    """,
)


# continuum_memory_system_levels_4_bwd_2: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_4_bwd_2 = ElementwiseKernel(
    "continuum_memory_system_levels_4_bwd_2",
    "T level1_z, T grad_level1_out",
    "T grad_level1_z",
    """
    bool _t15 = level1_z > T(0);
    grad_level1_z = grad_level1_out * _t15;
    """,
)


# continuum_memory_system_levels_4_bwd_3: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_4_bwd_3 = ElementwiseKernel(
    "continuum_memory_system_levels_4_bwd_3",
    "T level0_z, T grad_level0_out",
    "T grad_level0_z",
    """
    bool _t20 = level0_z > T(0);
    grad_level0_z = grad_level0_out * _t20;
    """,
)


def _cupy_backward_levels_4(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level3_weight,
    level0_z,
    level1_z,
    level2_z,
    level3_z,
):
    level0_out, level1_out, level2_out, grad_level3_z = (
        _continuum_memory_system_levels_4_bwd_0(
            level0_z, level1_z, level2_z, level3_z, grad_y
        )
    )
    grad_level3_bias = _cupy_sum_to(grad_level3_z, level0_bias.shape)
    grad_level2_out = _linear_backward_input(grad_level3_z, level3_weight)
    grad_level3_weight = _rows(grad_level3_z).T @ _rows(level2_out)
    grad_level2_z = _continuum_memory_system_levels_4_bwd_1(level2_z, grad_level2_out)
    grad_level2_bias = _cupy_sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = _continuum_memory_system_levels_4_bwd_2(level1_z, grad_level1_out)
    grad_level1_bias = _cupy_sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = _continuum_memory_system_levels_4_bwd_3(level0_z, grad_level0_out)
    grad_level0_bias = _cupy_sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        grad_level3_weight,
        grad_level3_bias,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


# continuum_memory_system_levels_5_fwd_3: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_5_fwd_3 = ElementwiseKernel(
    "continuum_memory_system_levels_5_fwd_3",
    "T _t4, T level3_bias",
    "T level3_z, T level3_out",
    """
    level3_z = _t4 + level3_bias;
    level3_out = level3_z > T(0) || level3_z != level3_z ? level3_z : T(0);
    """,
)


# continuum_memory_system_levels_5_fwd_4: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_5_fwd_4 = ElementwiseKernel(
    "continuum_memory_system_levels_5_fwd_4",
    "T _t5, T level4_bias",
    "T level4_z, T y",
    """
    level4_z = _t5 + level4_bias;
    y = level4_z > T(0) || level4_z != level4_z ? level4_z : T(0);
    """,
)


def _cupy_forward_levels_5(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    _t1 = _linear(x, level0_weight)
    level0_z, level0_out = _continuum_memory_system_levels_2_fwd_0(_t1, level0_bias)
    _t2 = _linear(level0_out, level1_weight)
    level1_z, level1_out = _continuum_memory_system_levels_3_fwd_1(_t2, level1_bias)
    _t3 = _linear(level1_out, level2_weight)
    level2_z, level2_out = _continuum_memory_system_levels_4_fwd_2(_t3, level2_bias)
    _t4 = _linear(level2_out, level3_weight)
    level3_z, level3_out = _continuum_memory_system_levels_5_fwd_3(_t4, level3_bias)
    _t5 = _linear(level3_out, level4_weight)
    level4_z, y = _continuum_memory_system_levels_5_fwd_4(_t5, level4_bias)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level3_weight,
        level4_weight,
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
    )


# continuum_memory_system_levels_5_bwd_0: layers_spec/activations/relu.yaml:8; layers_spec/primitives.yaml:252
_continuum_memory_system_levels_5_bwd_0 = ElementwiseKernel(
    "continuum_memory_system_levels_5_bwd_0",
    "T level0_z, T level1_z, T level2_z, T level3_z, T level4_z, T grad_y",
    "T level0_out, T level1_out, T level2_out, T level3_out, T grad_level4_z",
    """
    level0_out = level0_z > T(0) || level0_z != level0_z ? level0_z : T(0);
    level1_out = level1_z > T(0) || level1_z != level1_z ? level1_z : T(0);
    level2_out = level2_z > T(0) || level2_z != level2_z ? level2_z : T(0);
    level3_out = level3_z > T(0) || level3_z != level3_z ? level3_z : T(0);
    bool _t6 = level4_z > T(0);
    grad_level4_z = grad_y * _t6;
    """,
)


# continuum_memory_system_levels_5_bwd_1: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_5_bwd_1 = ElementwiseKernel(
    "continuum_memory_system_levels_5_bwd_1",
    "T level3_z, T grad_level3_out",
    "T grad_level3_z",
    """
    bool _t11 = level3_z > T(0);
    grad_level3_z = grad_level3_out * _t11;
    """,
)


# continuum_memory_system_levels_5_bwd_2: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_5_bwd_2 = ElementwiseKernel(
    "continuum_memory_system_levels_5_bwd_2",
    "T level2_z, T grad_level2_out",
    "T grad_level2_z",
    """
    bool _t16 = level2_z > T(0);
    grad_level2_z = grad_level2_out * _t16;
    """,
)


# continuum_memory_system_levels_5_bwd_3: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_5_bwd_3 = ElementwiseKernel(
    "continuum_memory_system_levels_5_bwd_3",
    "T level1_z, T grad_level1_out",
    "T grad_level1_z",
    """
    bool _t21 = level1_z > T(0);
    grad_level1_z = grad_level1_out * _t21;
    """,
)


# continuum_memory_system_levels_5_bwd_4: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_5_bwd_4 = ElementwiseKernel(
    "continuum_memory_system_levels_5_bwd_4",
    "T level0_z, T grad_level0_out",
    "T grad_level0_z",
    """
    bool _t26 = level0_z > T(0);
    grad_level0_z = grad_level0_out * _t26;
    """,
)


def _cupy_backward_levels_5(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level3_weight,
    level4_weight,
    level0_z,
    level1_z,
    level2_z,
    level3_z,
    level4_z,
):
    level0_out, level1_out, level2_out, level3_out, grad_level4_z = (
        _continuum_memory_system_levels_5_bwd_0(
            level0_z, level1_z, level2_z, level3_z, level4_z, grad_y
        )
    )
    grad_level4_bias = _cupy_sum_to(grad_level4_z, level0_bias.shape)
    grad_level3_out = _linear_backward_input(grad_level4_z, level4_weight)
    grad_level4_weight = _rows(grad_level4_z).T @ _rows(level3_out)
    grad_level3_z = _continuum_memory_system_levels_5_bwd_1(level3_z, grad_level3_out)
    grad_level3_bias = _cupy_sum_to(grad_level3_z, level0_bias.shape)
    grad_level2_out = _linear_backward_input(grad_level3_z, level3_weight)
    grad_level3_weight = _rows(grad_level3_z).T @ _rows(level2_out)
    grad_level2_z = _continuum_memory_system_levels_5_bwd_2(level2_z, grad_level2_out)
    grad_level2_bias = _cupy_sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = _continuum_memory_system_levels_5_bwd_3(level1_z, grad_level1_out)
    grad_level1_bias = _cupy_sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = _continuum_memory_system_levels_5_bwd_4(level0_z, grad_level0_out)
    grad_level0_bias = _cupy_sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        grad_level3_weight,
        grad_level3_bias,
        grad_level4_weight,
        grad_level4_bias,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


# continuum_memory_system_levels_6_fwd_4: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_6_fwd_4 = ElementwiseKernel(
    "continuum_memory_system_levels_6_fwd_4",
    "T _t5, T level4_bias",
    "T level4_z, T level4_out",
    """
    level4_z = _t5 + level4_bias;
    level4_out = level4_z > T(0) || level4_z != level4_z ? level4_z : T(0);
    """,
)


# continuum_memory_system_levels_6_fwd_5: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_6_fwd_5 = ElementwiseKernel(
    "continuum_memory_system_levels_6_fwd_5",
    "T _t6, T level5_bias",
    "T level5_z, T y",
    """
    level5_z = _t6 + level5_bias;
    y = level5_z > T(0) || level5_z != level5_z ? level5_z : T(0);
    """,
)


def _cupy_forward_levels_6(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    _t1 = _linear(x, level0_weight)
    level0_z, level0_out = _continuum_memory_system_levels_2_fwd_0(_t1, level0_bias)
    _t2 = _linear(level0_out, level1_weight)
    level1_z, level1_out = _continuum_memory_system_levels_3_fwd_1(_t2, level1_bias)
    _t3 = _linear(level1_out, level2_weight)
    level2_z, level2_out = _continuum_memory_system_levels_4_fwd_2(_t3, level2_bias)
    _t4 = _linear(level2_out, level3_weight)
    level3_z, level3_out = _continuum_memory_system_levels_5_fwd_3(_t4, level3_bias)
    _t5 = _linear(level3_out, level4_weight)
    level4_z, level4_out = _continuum_memory_system_levels_6_fwd_4(_t5, level4_bias)
    _t6 = _linear(level4_out, level5_weight)
    level5_z, y = _continuum_memory_system_levels_6_fwd_5(_t6, level5_bias)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level3_weight,
        level4_weight,
        level5_weight,
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
        level5_z,
    )


# continuum_memory_system_levels_6_bwd_0: layers_spec/activations/relu.yaml:8; layers_spec/primitives.yaml:252
_continuum_memory_system_levels_6_bwd_0 = ElementwiseKernel(
    "continuum_memory_system_levels_6_bwd_0",
    "T level0_z, T level1_z, T level2_z, T level3_z, T level4_z, T level5_z, T grad_y",
    "T level0_out, T level1_out, T level2_out, T level3_out, T level4_out, T grad_level5_z",
    """
    level0_out = level0_z > T(0) || level0_z != level0_z ? level0_z : T(0);
    level1_out = level1_z > T(0) || level1_z != level1_z ? level1_z : T(0);
    level2_out = level2_z > T(0) || level2_z != level2_z ? level2_z : T(0);
    level3_out = level3_z > T(0) || level3_z != level3_z ? level3_z : T(0);
    level4_out = level4_z > T(0) || level4_z != level4_z ? level4_z : T(0);
    bool _t7 = level5_z > T(0);
    grad_level5_z = grad_y * _t7;
    """,
)


# continuum_memory_system_levels_6_bwd_1: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_6_bwd_1 = ElementwiseKernel(
    "continuum_memory_system_levels_6_bwd_1",
    "T level4_z, T grad_level4_out",
    "T grad_level4_z",
    """
    bool _t12 = level4_z > T(0);
    grad_level4_z = grad_level4_out * _t12;
    """,
)


# continuum_memory_system_levels_6_bwd_2: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_6_bwd_2 = ElementwiseKernel(
    "continuum_memory_system_levels_6_bwd_2",
    "T level3_z, T grad_level3_out",
    "T grad_level3_z",
    """
    bool _t17 = level3_z > T(0);
    grad_level3_z = grad_level3_out * _t17;
    """,
)


# continuum_memory_system_levels_6_bwd_3: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_6_bwd_3 = ElementwiseKernel(
    "continuum_memory_system_levels_6_bwd_3",
    "T level2_z, T grad_level2_out",
    "T grad_level2_z",
    """
    bool _t22 = level2_z > T(0);
    grad_level2_z = grad_level2_out * _t22;
    """,
)


# continuum_memory_system_levels_6_bwd_4: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_6_bwd_4 = ElementwiseKernel(
    "continuum_memory_system_levels_6_bwd_4",
    "T level1_z, T grad_level1_out",
    "T grad_level1_z",
    """
    bool _t27 = level1_z > T(0);
    grad_level1_z = grad_level1_out * _t27;
    """,
)


# continuum_memory_system_levels_6_bwd_5: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_6_bwd_5 = ElementwiseKernel(
    "continuum_memory_system_levels_6_bwd_5",
    "T level0_z, T grad_level0_out",
    "T grad_level0_z",
    """
    bool _t32 = level0_z > T(0);
    grad_level0_z = grad_level0_out * _t32;
    """,
)


def _cupy_backward_levels_6(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level3_weight,
    level4_weight,
    level5_weight,
    level0_z,
    level1_z,
    level2_z,
    level3_z,
    level4_z,
    level5_z,
):
    level0_out, level1_out, level2_out, level3_out, level4_out, grad_level5_z = (
        _continuum_memory_system_levels_6_bwd_0(
            level0_z, level1_z, level2_z, level3_z, level4_z, level5_z, grad_y
        )
    )
    grad_level5_bias = _cupy_sum_to(grad_level5_z, level0_bias.shape)
    grad_level4_out = _linear_backward_input(grad_level5_z, level5_weight)
    grad_level5_weight = _rows(grad_level5_z).T @ _rows(level4_out)
    grad_level4_z = _continuum_memory_system_levels_6_bwd_1(level4_z, grad_level4_out)
    grad_level4_bias = _cupy_sum_to(grad_level4_z, level0_bias.shape)
    grad_level3_out = _linear_backward_input(grad_level4_z, level4_weight)
    grad_level4_weight = _rows(grad_level4_z).T @ _rows(level3_out)
    grad_level3_z = _continuum_memory_system_levels_6_bwd_2(level3_z, grad_level3_out)
    grad_level3_bias = _cupy_sum_to(grad_level3_z, level0_bias.shape)
    grad_level2_out = _linear_backward_input(grad_level3_z, level3_weight)
    grad_level3_weight = _rows(grad_level3_z).T @ _rows(level2_out)
    grad_level2_z = _continuum_memory_system_levels_6_bwd_3(level2_z, grad_level2_out)
    grad_level2_bias = _cupy_sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = _continuum_memory_system_levels_6_bwd_4(level1_z, grad_level1_out)
    grad_level1_bias = _cupy_sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = _continuum_memory_system_levels_6_bwd_5(level0_z, grad_level0_out)
    grad_level0_bias = _cupy_sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        grad_level3_weight,
        grad_level3_bias,
        grad_level4_weight,
        grad_level4_bias,
        grad_level5_weight,
        grad_level5_bias,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


# continuum_memory_system_levels_7_fwd_5: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_7_fwd_5 = ElementwiseKernel(
    "continuum_memory_system_levels_7_fwd_5",
    "T _t6, T level5_bias",
    "T level5_z, T level5_out",
    """
    level5_z = _t6 + level5_bias;
    level5_out = level5_z > T(0) || level5_z != level5_z ? level5_z : T(0);
    """,
)


# continuum_memory_system_levels_7_fwd_6: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_7_fwd_6 = ElementwiseKernel(
    "continuum_memory_system_levels_7_fwd_6",
    "T _t7, T level6_bias",
    "T level6_z, T y",
    """
    level6_z = _t7 + level6_bias;
    y = level6_z > T(0) || level6_z != level6_z ? level6_z : T(0);
    """,
)


def _cupy_forward_levels_7(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    _t1 = _linear(x, level0_weight)
    level0_z, level0_out = _continuum_memory_system_levels_2_fwd_0(_t1, level0_bias)
    _t2 = _linear(level0_out, level1_weight)
    level1_z, level1_out = _continuum_memory_system_levels_3_fwd_1(_t2, level1_bias)
    _t3 = _linear(level1_out, level2_weight)
    level2_z, level2_out = _continuum_memory_system_levels_4_fwd_2(_t3, level2_bias)
    _t4 = _linear(level2_out, level3_weight)
    level3_z, level3_out = _continuum_memory_system_levels_5_fwd_3(_t4, level3_bias)
    _t5 = _linear(level3_out, level4_weight)
    level4_z, level4_out = _continuum_memory_system_levels_6_fwd_4(_t5, level4_bias)
    _t6 = _linear(level4_out, level5_weight)
    level5_z, level5_out = _continuum_memory_system_levels_7_fwd_5(_t6, level5_bias)
    _t7 = _linear(level5_out, level6_weight)
    level6_z, y = _continuum_memory_system_levels_7_fwd_6(_t7, level6_bias)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level3_weight,
        level4_weight,
        level5_weight,
        level6_weight,
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
        level5_z,
        level6_z,
    )


# continuum_memory_system_levels_7_bwd_0: layers_spec/activations/relu.yaml:8; layers_spec/primitives.yaml:252
_continuum_memory_system_levels_7_bwd_0 = ElementwiseKernel(
    "continuum_memory_system_levels_7_bwd_0",
    "T level0_z, T level1_z, T level2_z, T level3_z, T level4_z, T level5_z, T level6_z, T grad_y",
    "T level0_out, T level1_out, T level2_out, T level3_out, T level4_out, T level5_out, T grad_level6_z",
    """
    level0_out = level0_z > T(0) || level0_z != level0_z ? level0_z : T(0);
    level1_out = level1_z > T(0) || level1_z != level1_z ? level1_z : T(0);
    level2_out = level2_z > T(0) || level2_z != level2_z ? level2_z : T(0);
    level3_out = level3_z > T(0) || level3_z != level3_z ? level3_z : T(0);
    level4_out = level4_z > T(0) || level4_z != level4_z ? level4_z : T(0);
    level5_out = level5_z > T(0) || level5_z != level5_z ? level5_z : T(0);
    bool _t8 = level6_z > T(0);
    grad_level6_z = grad_y * _t8;
    """,
)


# continuum_memory_system_levels_7_bwd_1: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_7_bwd_1 = ElementwiseKernel(
    "continuum_memory_system_levels_7_bwd_1",
    "T level5_z, T grad_level5_out",
    "T grad_level5_z",
    """
    bool _t13 = level5_z > T(0);
    grad_level5_z = grad_level5_out * _t13;
    """,
)


# continuum_memory_system_levels_7_bwd_2: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_7_bwd_2 = ElementwiseKernel(
    "continuum_memory_system_levels_7_bwd_2",
    "T level4_z, T grad_level4_out",
    "T grad_level4_z",
    """
    bool _t18 = level4_z > T(0);
    grad_level4_z = grad_level4_out * _t18;
    """,
)


# continuum_memory_system_levels_7_bwd_3: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_7_bwd_3 = ElementwiseKernel(
    "continuum_memory_system_levels_7_bwd_3",
    "T level3_z, T grad_level3_out",
    "T grad_level3_z",
    """
    bool _t23 = level3_z > T(0);
    grad_level3_z = grad_level3_out * _t23;
    """,
)


# continuum_memory_system_levels_7_bwd_4: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_7_bwd_4 = ElementwiseKernel(
    "continuum_memory_system_levels_7_bwd_4",
    "T level2_z, T grad_level2_out",
    "T grad_level2_z",
    """
    bool _t28 = level2_z > T(0);
    grad_level2_z = grad_level2_out * _t28;
    """,
)


# continuum_memory_system_levels_7_bwd_5: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_7_bwd_5 = ElementwiseKernel(
    "continuum_memory_system_levels_7_bwd_5",
    "T level1_z, T grad_level1_out",
    "T grad_level1_z",
    """
    bool _t33 = level1_z > T(0);
    grad_level1_z = grad_level1_out * _t33;
    """,
)


# continuum_memory_system_levels_7_bwd_6: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_7_bwd_6 = ElementwiseKernel(
    "continuum_memory_system_levels_7_bwd_6",
    "T level0_z, T grad_level0_out",
    "T grad_level0_z",
    """
    bool _t38 = level0_z > T(0);
    grad_level0_z = grad_level0_out * _t38;
    """,
)


def _cupy_backward_levels_7(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level3_weight,
    level4_weight,
    level5_weight,
    level6_weight,
    level0_z,
    level1_z,
    level2_z,
    level3_z,
    level4_z,
    level5_z,
    level6_z,
):
    (
        level0_out,
        level1_out,
        level2_out,
        level3_out,
        level4_out,
        level5_out,
        grad_level6_z,
    ) = _continuum_memory_system_levels_7_bwd_0(
        level0_z, level1_z, level2_z, level3_z, level4_z, level5_z, level6_z, grad_y
    )
    grad_level6_bias = _cupy_sum_to(grad_level6_z, level0_bias.shape)
    grad_level5_out = _linear_backward_input(grad_level6_z, level6_weight)
    grad_level6_weight = _rows(grad_level6_z).T @ _rows(level5_out)
    grad_level5_z = _continuum_memory_system_levels_7_bwd_1(level5_z, grad_level5_out)
    grad_level5_bias = _cupy_sum_to(grad_level5_z, level0_bias.shape)
    grad_level4_out = _linear_backward_input(grad_level5_z, level5_weight)
    grad_level5_weight = _rows(grad_level5_z).T @ _rows(level4_out)
    grad_level4_z = _continuum_memory_system_levels_7_bwd_2(level4_z, grad_level4_out)
    grad_level4_bias = _cupy_sum_to(grad_level4_z, level0_bias.shape)
    grad_level3_out = _linear_backward_input(grad_level4_z, level4_weight)
    grad_level4_weight = _rows(grad_level4_z).T @ _rows(level3_out)
    grad_level3_z = _continuum_memory_system_levels_7_bwd_3(level3_z, grad_level3_out)
    grad_level3_bias = _cupy_sum_to(grad_level3_z, level0_bias.shape)
    grad_level2_out = _linear_backward_input(grad_level3_z, level3_weight)
    grad_level3_weight = _rows(grad_level3_z).T @ _rows(level2_out)
    grad_level2_z = _continuum_memory_system_levels_7_bwd_4(level2_z, grad_level2_out)
    grad_level2_bias = _cupy_sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = _continuum_memory_system_levels_7_bwd_5(level1_z, grad_level1_out)
    grad_level1_bias = _cupy_sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = _continuum_memory_system_levels_7_bwd_6(level0_z, grad_level0_out)
    grad_level0_bias = _cupy_sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        grad_level3_weight,
        grad_level3_bias,
        grad_level4_weight,
        grad_level4_bias,
        grad_level5_weight,
        grad_level5_bias,
        grad_level6_weight,
        grad_level6_bias,
        None,
        None,
        None,
        None,
        None,
        None,
    )


# continuum_memory_system_levels_8_fwd_6: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_8_fwd_6 = ElementwiseKernel(
    "continuum_memory_system_levels_8_fwd_6",
    "T _t7, T level6_bias",
    "T level6_z, T level6_out",
    """
    level6_z = _t7 + level6_bias;
    level6_out = level6_z > T(0) || level6_z != level6_z ? level6_z : T(0);
    """,
)


# continuum_memory_system_levels_8_fwd_7: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_8_fwd_7 = ElementwiseKernel(
    "continuum_memory_system_levels_8_fwd_7",
    "T _t8, T level7_bias",
    "T level7_z, T y",
    """
    level7_z = _t8 + level7_bias;
    y = level7_z > T(0) || level7_z != level7_z ? level7_z : T(0);
    """,
)


def _cupy_forward_levels_8(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    _t1 = _linear(x, level0_weight)
    level0_z, level0_out = _continuum_memory_system_levels_2_fwd_0(_t1, level0_bias)
    _t2 = _linear(level0_out, level1_weight)
    level1_z, level1_out = _continuum_memory_system_levels_3_fwd_1(_t2, level1_bias)
    _t3 = _linear(level1_out, level2_weight)
    level2_z, level2_out = _continuum_memory_system_levels_4_fwd_2(_t3, level2_bias)
    _t4 = _linear(level2_out, level3_weight)
    level3_z, level3_out = _continuum_memory_system_levels_5_fwd_3(_t4, level3_bias)
    _t5 = _linear(level3_out, level4_weight)
    level4_z, level4_out = _continuum_memory_system_levels_6_fwd_4(_t5, level4_bias)
    _t6 = _linear(level4_out, level5_weight)
    level5_z, level5_out = _continuum_memory_system_levels_7_fwd_5(_t6, level5_bias)
    _t7 = _linear(level5_out, level6_weight)
    level6_z, level6_out = _continuum_memory_system_levels_8_fwd_6(_t7, level6_bias)
    _t8 = _linear(level6_out, level7_weight)
    level7_z, y = _continuum_memory_system_levels_8_fwd_7(_t8, level7_bias)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level3_weight,
        level4_weight,
        level5_weight,
        level6_weight,
        level7_weight,
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
        level5_z,
        level6_z,
        level7_z,
    )


# continuum_memory_system_levels_8_bwd_0: layers_spec/activations/relu.yaml:8; layers_spec/primitives.yaml:252
_continuum_memory_system_levels_8_bwd_0 = ElementwiseKernel(
    "continuum_memory_system_levels_8_bwd_0",
    "T level0_z, T level1_z, T level2_z, T level3_z, T level4_z, T level5_z, T level6_z, T level7_z, T grad_y",
    "T level0_out, T level1_out, T level2_out, T level3_out, T level4_out, T level5_out, T level6_out, T grad_level7_z",
    """
    level0_out = level0_z > T(0) || level0_z != level0_z ? level0_z : T(0);
    level1_out = level1_z > T(0) || level1_z != level1_z ? level1_z : T(0);
    level2_out = level2_z > T(0) || level2_z != level2_z ? level2_z : T(0);
    level3_out = level3_z > T(0) || level3_z != level3_z ? level3_z : T(0);
    level4_out = level4_z > T(0) || level4_z != level4_z ? level4_z : T(0);
    level5_out = level5_z > T(0) || level5_z != level5_z ? level5_z : T(0);
    level6_out = level6_z > T(0) || level6_z != level6_z ? level6_z : T(0);
    bool _t9 = level7_z > T(0);
    grad_level7_z = grad_y * _t9;
    """,
)


# continuum_memory_system_levels_8_bwd_1: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_8_bwd_1 = ElementwiseKernel(
    "continuum_memory_system_levels_8_bwd_1",
    "T level6_z, T grad_level6_out",
    "T grad_level6_z",
    """
    bool _t14 = level6_z > T(0);
    grad_level6_z = grad_level6_out * _t14;
    """,
)


# continuum_memory_system_levels_8_bwd_2: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_8_bwd_2 = ElementwiseKernel(
    "continuum_memory_system_levels_8_bwd_2",
    "T level5_z, T grad_level5_out",
    "T grad_level5_z",
    """
    bool _t19 = level5_z > T(0);
    grad_level5_z = grad_level5_out * _t19;
    """,
)


# continuum_memory_system_levels_8_bwd_3: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_8_bwd_3 = ElementwiseKernel(
    "continuum_memory_system_levels_8_bwd_3",
    "T level4_z, T grad_level4_out",
    "T grad_level4_z",
    """
    bool _t24 = level4_z > T(0);
    grad_level4_z = grad_level4_out * _t24;
    """,
)


# continuum_memory_system_levels_8_bwd_4: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_8_bwd_4 = ElementwiseKernel(
    "continuum_memory_system_levels_8_bwd_4",
    "T level3_z, T grad_level3_out",
    "T grad_level3_z",
    """
    bool _t29 = level3_z > T(0);
    grad_level3_z = grad_level3_out * _t29;
    """,
)


# continuum_memory_system_levels_8_bwd_5: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_8_bwd_5 = ElementwiseKernel(
    "continuum_memory_system_levels_8_bwd_5",
    "T level2_z, T grad_level2_out",
    "T grad_level2_z",
    """
    bool _t34 = level2_z > T(0);
    grad_level2_z = grad_level2_out * _t34;
    """,
)


# continuum_memory_system_levels_8_bwd_6: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_8_bwd_6 = ElementwiseKernel(
    "continuum_memory_system_levels_8_bwd_6",
    "T level1_z, T grad_level1_out",
    "T grad_level1_z",
    """
    bool _t39 = level1_z > T(0);
    grad_level1_z = grad_level1_out * _t39;
    """,
)


# continuum_memory_system_levels_8_bwd_7: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_8_bwd_7 = ElementwiseKernel(
    "continuum_memory_system_levels_8_bwd_7",
    "T level0_z, T grad_level0_out",
    "T grad_level0_z",
    """
    bool _t44 = level0_z > T(0);
    grad_level0_z = grad_level0_out * _t44;
    """,
)


def _cupy_backward_levels_8(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level3_weight,
    level4_weight,
    level5_weight,
    level6_weight,
    level7_weight,
    level0_z,
    level1_z,
    level2_z,
    level3_z,
    level4_z,
    level5_z,
    level6_z,
    level7_z,
):
    (
        level0_out,
        level1_out,
        level2_out,
        level3_out,
        level4_out,
        level5_out,
        level6_out,
        grad_level7_z,
    ) = _continuum_memory_system_levels_8_bwd_0(
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
        level5_z,
        level6_z,
        level7_z,
        grad_y,
    )
    grad_level7_bias = _cupy_sum_to(grad_level7_z, level0_bias.shape)
    grad_level6_out = _linear_backward_input(grad_level7_z, level7_weight)
    grad_level7_weight = _rows(grad_level7_z).T @ _rows(level6_out)
    grad_level6_z = _continuum_memory_system_levels_8_bwd_1(level6_z, grad_level6_out)
    grad_level6_bias = _cupy_sum_to(grad_level6_z, level0_bias.shape)
    grad_level5_out = _linear_backward_input(grad_level6_z, level6_weight)
    grad_level6_weight = _rows(grad_level6_z).T @ _rows(level5_out)
    grad_level5_z = _continuum_memory_system_levels_8_bwd_2(level5_z, grad_level5_out)
    grad_level5_bias = _cupy_sum_to(grad_level5_z, level0_bias.shape)
    grad_level4_out = _linear_backward_input(grad_level5_z, level5_weight)
    grad_level5_weight = _rows(grad_level5_z).T @ _rows(level4_out)
    grad_level4_z = _continuum_memory_system_levels_8_bwd_3(level4_z, grad_level4_out)
    grad_level4_bias = _cupy_sum_to(grad_level4_z, level0_bias.shape)
    grad_level3_out = _linear_backward_input(grad_level4_z, level4_weight)
    grad_level4_weight = _rows(grad_level4_z).T @ _rows(level3_out)
    grad_level3_z = _continuum_memory_system_levels_8_bwd_4(level3_z, grad_level3_out)
    grad_level3_bias = _cupy_sum_to(grad_level3_z, level0_bias.shape)
    grad_level2_out = _linear_backward_input(grad_level3_z, level3_weight)
    grad_level3_weight = _rows(grad_level3_z).T @ _rows(level2_out)
    grad_level2_z = _continuum_memory_system_levels_8_bwd_5(level2_z, grad_level2_out)
    grad_level2_bias = _cupy_sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = _continuum_memory_system_levels_8_bwd_6(level1_z, grad_level1_out)
    grad_level1_bias = _cupy_sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = _continuum_memory_system_levels_8_bwd_7(level0_z, grad_level0_out)
    grad_level0_bias = _cupy_sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        grad_level3_weight,
        grad_level3_bias,
        grad_level4_weight,
        grad_level4_bias,
        grad_level5_weight,
        grad_level5_bias,
        grad_level6_weight,
        grad_level6_bias,
        grad_level7_weight,
        grad_level7_bias,
        None,
        None,
        None,
        None,
    )


# continuum_memory_system_levels_9_fwd_7: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_9_fwd_7 = ElementwiseKernel(
    "continuum_memory_system_levels_9_fwd_7",
    "T _t8, T level7_bias",
    "T level7_z, T level7_out",
    """
    level7_z = _t8 + level7_bias;
    level7_out = level7_z > T(0) || level7_z != level7_z ? level7_z : T(0);
    """,
)


# continuum_memory_system_levels_9_fwd_8: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_9_fwd_8 = ElementwiseKernel(
    "continuum_memory_system_levels_9_fwd_8",
    "T _t9, T level8_bias",
    "T level8_z, T y",
    """
    level8_z = _t9 + level8_bias;
    y = level8_z > T(0) || level8_z != level8_z ? level8_z : T(0);
    """,
)


def _cupy_forward_levels_9(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    _t1 = _linear(x, level0_weight)
    level0_z, level0_out = _continuum_memory_system_levels_2_fwd_0(_t1, level0_bias)
    _t2 = _linear(level0_out, level1_weight)
    level1_z, level1_out = _continuum_memory_system_levels_3_fwd_1(_t2, level1_bias)
    _t3 = _linear(level1_out, level2_weight)
    level2_z, level2_out = _continuum_memory_system_levels_4_fwd_2(_t3, level2_bias)
    _t4 = _linear(level2_out, level3_weight)
    level3_z, level3_out = _continuum_memory_system_levels_5_fwd_3(_t4, level3_bias)
    _t5 = _linear(level3_out, level4_weight)
    level4_z, level4_out = _continuum_memory_system_levels_6_fwd_4(_t5, level4_bias)
    _t6 = _linear(level4_out, level5_weight)
    level5_z, level5_out = _continuum_memory_system_levels_7_fwd_5(_t6, level5_bias)
    _t7 = _linear(level5_out, level6_weight)
    level6_z, level6_out = _continuum_memory_system_levels_8_fwd_6(_t7, level6_bias)
    _t8 = _linear(level6_out, level7_weight)
    level7_z, level7_out = _continuum_memory_system_levels_9_fwd_7(_t8, level7_bias)
    _t9 = _linear(level7_out, level8_weight)
    level8_z, y = _continuum_memory_system_levels_9_fwd_8(_t9, level8_bias)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level3_weight,
        level4_weight,
        level5_weight,
        level6_weight,
        level7_weight,
        level8_weight,
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
        level5_z,
        level6_z,
        level7_z,
        level8_z,
    )


# continuum_memory_system_levels_9_bwd_0: layers_spec/activations/relu.yaml:8; layers_spec/primitives.yaml:252
_continuum_memory_system_levels_9_bwd_0 = ElementwiseKernel(
    "continuum_memory_system_levels_9_bwd_0",
    "T level0_z, T level1_z, T level2_z, T level3_z, T level4_z, T level5_z, T level6_z, T level7_z, T level8_z, T grad_y",
    "T level0_out, T level1_out, T level2_out, T level3_out, T level4_out, T level5_out, T level6_out, T level7_out, T grad_level8_z",
    """
    level0_out = level0_z > T(0) || level0_z != level0_z ? level0_z : T(0);
    level1_out = level1_z > T(0) || level1_z != level1_z ? level1_z : T(0);
    level2_out = level2_z > T(0) || level2_z != level2_z ? level2_z : T(0);
    level3_out = level3_z > T(0) || level3_z != level3_z ? level3_z : T(0);
    level4_out = level4_z > T(0) || level4_z != level4_z ? level4_z : T(0);
    level5_out = level5_z > T(0) || level5_z != level5_z ? level5_z : T(0);
    level6_out = level6_z > T(0) || level6_z != level6_z ? level6_z : T(0);
    level7_out = level7_z > T(0) || level7_z != level7_z ? level7_z : T(0);
    bool _t10 = level8_z > T(0);
    grad_level8_z = grad_y * _t10;
    """,
)


# continuum_memory_system_levels_9_bwd_1: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_9_bwd_1 = ElementwiseKernel(
    "continuum_memory_system_levels_9_bwd_1",
    "T level7_z, T grad_level7_out",
    "T grad_level7_z",
    """
    bool _t15 = level7_z > T(0);
    grad_level7_z = grad_level7_out * _t15;
    """,
)


# continuum_memory_system_levels_9_bwd_2: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_9_bwd_2 = ElementwiseKernel(
    "continuum_memory_system_levels_9_bwd_2",
    "T level6_z, T grad_level6_out",
    "T grad_level6_z",
    """
    bool _t20 = level6_z > T(0);
    grad_level6_z = grad_level6_out * _t20;
    """,
)


# continuum_memory_system_levels_9_bwd_3: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_9_bwd_3 = ElementwiseKernel(
    "continuum_memory_system_levels_9_bwd_3",
    "T level5_z, T grad_level5_out",
    "T grad_level5_z",
    """
    bool _t25 = level5_z > T(0);
    grad_level5_z = grad_level5_out * _t25;
    """,
)


# continuum_memory_system_levels_9_bwd_4: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_9_bwd_4 = ElementwiseKernel(
    "continuum_memory_system_levels_9_bwd_4",
    "T level4_z, T grad_level4_out",
    "T grad_level4_z",
    """
    bool _t30 = level4_z > T(0);
    grad_level4_z = grad_level4_out * _t30;
    """,
)


# continuum_memory_system_levels_9_bwd_5: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_9_bwd_5 = ElementwiseKernel(
    "continuum_memory_system_levels_9_bwd_5",
    "T level3_z, T grad_level3_out",
    "T grad_level3_z",
    """
    bool _t35 = level3_z > T(0);
    grad_level3_z = grad_level3_out * _t35;
    """,
)


# continuum_memory_system_levels_9_bwd_6: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_9_bwd_6 = ElementwiseKernel(
    "continuum_memory_system_levels_9_bwd_6",
    "T level2_z, T grad_level2_out",
    "T grad_level2_z",
    """
    bool _t40 = level2_z > T(0);
    grad_level2_z = grad_level2_out * _t40;
    """,
)


# continuum_memory_system_levels_9_bwd_7: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_9_bwd_7 = ElementwiseKernel(
    "continuum_memory_system_levels_9_bwd_7",
    "T level1_z, T grad_level1_out",
    "T grad_level1_z",
    """
    bool _t45 = level1_z > T(0);
    grad_level1_z = grad_level1_out * _t45;
    """,
)


# continuum_memory_system_levels_9_bwd_8: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_9_bwd_8 = ElementwiseKernel(
    "continuum_memory_system_levels_9_bwd_8",
    "T level0_z, T grad_level0_out",
    "T grad_level0_z",
    """
    bool _t50 = level0_z > T(0);
    grad_level0_z = grad_level0_out * _t50;
    """,
)


def _cupy_backward_levels_9(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level3_weight,
    level4_weight,
    level5_weight,
    level6_weight,
    level7_weight,
    level8_weight,
    level0_z,
    level1_z,
    level2_z,
    level3_z,
    level4_z,
    level5_z,
    level6_z,
    level7_z,
    level8_z,
):
    (
        level0_out,
        level1_out,
        level2_out,
        level3_out,
        level4_out,
        level5_out,
        level6_out,
        level7_out,
        grad_level8_z,
    ) = _continuum_memory_system_levels_9_bwd_0(
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
        level5_z,
        level6_z,
        level7_z,
        level8_z,
        grad_y,
    )
    grad_level8_bias = _cupy_sum_to(grad_level8_z, level0_bias.shape)
    grad_level7_out = _linear_backward_input(grad_level8_z, level8_weight)
    grad_level8_weight = _rows(grad_level8_z).T @ _rows(level7_out)
    grad_level7_z = _continuum_memory_system_levels_9_bwd_1(level7_z, grad_level7_out)
    grad_level7_bias = _cupy_sum_to(grad_level7_z, level0_bias.shape)
    grad_level6_out = _linear_backward_input(grad_level7_z, level7_weight)
    grad_level7_weight = _rows(grad_level7_z).T @ _rows(level6_out)
    grad_level6_z = _continuum_memory_system_levels_9_bwd_2(level6_z, grad_level6_out)
    grad_level6_bias = _cupy_sum_to(grad_level6_z, level0_bias.shape)
    grad_level5_out = _linear_backward_input(grad_level6_z, level6_weight)
    grad_level6_weight = _rows(grad_level6_z).T @ _rows(level5_out)
    grad_level5_z = _continuum_memory_system_levels_9_bwd_3(level5_z, grad_level5_out)
    grad_level5_bias = _cupy_sum_to(grad_level5_z, level0_bias.shape)
    grad_level4_out = _linear_backward_input(grad_level5_z, level5_weight)
    grad_level5_weight = _rows(grad_level5_z).T @ _rows(level4_out)
    grad_level4_z = _continuum_memory_system_levels_9_bwd_4(level4_z, grad_level4_out)
    grad_level4_bias = _cupy_sum_to(grad_level4_z, level0_bias.shape)
    grad_level3_out = _linear_backward_input(grad_level4_z, level4_weight)
    grad_level4_weight = _rows(grad_level4_z).T @ _rows(level3_out)
    grad_level3_z = _continuum_memory_system_levels_9_bwd_5(level3_z, grad_level3_out)
    grad_level3_bias = _cupy_sum_to(grad_level3_z, level0_bias.shape)
    grad_level2_out = _linear_backward_input(grad_level3_z, level3_weight)
    grad_level3_weight = _rows(grad_level3_z).T @ _rows(level2_out)
    grad_level2_z = _continuum_memory_system_levels_9_bwd_6(level2_z, grad_level2_out)
    grad_level2_bias = _cupy_sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = _continuum_memory_system_levels_9_bwd_7(level1_z, grad_level1_out)
    grad_level1_bias = _cupy_sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = _continuum_memory_system_levels_9_bwd_8(level0_z, grad_level0_out)
    grad_level0_bias = _cupy_sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        grad_level3_weight,
        grad_level3_bias,
        grad_level4_weight,
        grad_level4_bias,
        grad_level5_weight,
        grad_level5_bias,
        grad_level6_weight,
        grad_level6_bias,
        grad_level7_weight,
        grad_level7_bias,
        grad_level8_weight,
        grad_level8_bias,
        None,
        None,
    )


# continuum_memory_system_levels_10_fwd_8: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_10_fwd_8 = ElementwiseKernel(
    "continuum_memory_system_levels_10_fwd_8",
    "T _t9, T level8_bias",
    "T level8_z, T level8_out",
    """
    level8_z = _t9 + level8_bias;
    level8_out = level8_z > T(0) || level8_z != level8_z ? level8_z : T(0);
    """,
)


# continuum_memory_system_levels_10_fwd_9: layers_spec/layers/dense.yaml:17; layers_spec/activations/relu.yaml:8
_continuum_memory_system_levels_10_fwd_9 = ElementwiseKernel(
    "continuum_memory_system_levels_10_fwd_9",
    "T _t10, T level9_bias",
    "T level9_z, T y",
    """
    level9_z = _t10 + level9_bias;
    y = level9_z > T(0) || level9_z != level9_z ? level9_z : T(0);
    """,
)


def _cupy_forward_levels_10(
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level1_bias,
    level2_weight,
    level2_bias,
    level3_weight,
    level3_bias,
    level4_weight,
    level4_bias,
    level5_weight,
    level5_bias,
    level6_weight,
    level6_bias,
    level7_weight,
    level7_bias,
    level8_weight,
    level8_bias,
    level9_weight,
    level9_bias,
):
    _t1 = _linear(x, level0_weight)
    level0_z, level0_out = _continuum_memory_system_levels_2_fwd_0(_t1, level0_bias)
    _t2 = _linear(level0_out, level1_weight)
    level1_z, level1_out = _continuum_memory_system_levels_3_fwd_1(_t2, level1_bias)
    _t3 = _linear(level1_out, level2_weight)
    level2_z, level2_out = _continuum_memory_system_levels_4_fwd_2(_t3, level2_bias)
    _t4 = _linear(level2_out, level3_weight)
    level3_z, level3_out = _continuum_memory_system_levels_5_fwd_3(_t4, level3_bias)
    _t5 = _linear(level3_out, level4_weight)
    level4_z, level4_out = _continuum_memory_system_levels_6_fwd_4(_t5, level4_bias)
    _t6 = _linear(level4_out, level5_weight)
    level5_z, level5_out = _continuum_memory_system_levels_7_fwd_5(_t6, level5_bias)
    _t7 = _linear(level5_out, level6_weight)
    level6_z, level6_out = _continuum_memory_system_levels_8_fwd_6(_t7, level6_bias)
    _t8 = _linear(level6_out, level7_weight)
    level7_z, level7_out = _continuum_memory_system_levels_9_fwd_7(_t8, level7_bias)
    _t9 = _linear(level7_out, level8_weight)
    level8_z, level8_out = _continuum_memory_system_levels_10_fwd_8(_t9, level8_bias)
    _t10 = _linear(level8_out, level9_weight)
    level9_z, y = _continuum_memory_system_levels_10_fwd_9(_t10, level9_bias)
    return y, (
        x,
        level0_weight,
        level0_bias,
        level1_weight,
        level2_weight,
        level3_weight,
        level4_weight,
        level5_weight,
        level6_weight,
        level7_weight,
        level8_weight,
        level9_weight,
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
        level5_z,
        level6_z,
        level7_z,
        level8_z,
        level9_z,
    )


# continuum_memory_system_levels_10_bwd_0: layers_spec/activations/relu.yaml:8; layers_spec/primitives.yaml:252
_continuum_memory_system_levels_10_bwd_0 = ElementwiseKernel(
    "continuum_memory_system_levels_10_bwd_0",
    "T level0_z, T level1_z, T level2_z, T level3_z, T level4_z, T level5_z, T level6_z, T level7_z, T level8_z, T level9_z, T grad_y",
    "T level0_out, T level1_out, T level2_out, T level3_out, T level4_out, T level5_out, T level6_out, T level7_out, T level8_out, T grad_level9_z",
    """
    level0_out = level0_z > T(0) || level0_z != level0_z ? level0_z : T(0);
    level1_out = level1_z > T(0) || level1_z != level1_z ? level1_z : T(0);
    level2_out = level2_z > T(0) || level2_z != level2_z ? level2_z : T(0);
    level3_out = level3_z > T(0) || level3_z != level3_z ? level3_z : T(0);
    level4_out = level4_z > T(0) || level4_z != level4_z ? level4_z : T(0);
    level5_out = level5_z > T(0) || level5_z != level5_z ? level5_z : T(0);
    level6_out = level6_z > T(0) || level6_z != level6_z ? level6_z : T(0);
    level7_out = level7_z > T(0) || level7_z != level7_z ? level7_z : T(0);
    level8_out = level8_z > T(0) || level8_z != level8_z ? level8_z : T(0);
    bool _t11 = level9_z > T(0);
    grad_level9_z = grad_y * _t11;
    """,
)


# continuum_memory_system_levels_10_bwd_1: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_10_bwd_1 = ElementwiseKernel(
    "continuum_memory_system_levels_10_bwd_1",
    "T level8_z, T grad_level8_out",
    "T grad_level8_z",
    """
    bool _t16 = level8_z > T(0);
    grad_level8_z = grad_level8_out * _t16;
    """,
)


# continuum_memory_system_levels_10_bwd_2: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_10_bwd_2 = ElementwiseKernel(
    "continuum_memory_system_levels_10_bwd_2",
    "T level7_z, T grad_level7_out",
    "T grad_level7_z",
    """
    bool _t21 = level7_z > T(0);
    grad_level7_z = grad_level7_out * _t21;
    """,
)


# continuum_memory_system_levels_10_bwd_3: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_10_bwd_3 = ElementwiseKernel(
    "continuum_memory_system_levels_10_bwd_3",
    "T level6_z, T grad_level6_out",
    "T grad_level6_z",
    """
    bool _t26 = level6_z > T(0);
    grad_level6_z = grad_level6_out * _t26;
    """,
)


# continuum_memory_system_levels_10_bwd_4: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_10_bwd_4 = ElementwiseKernel(
    "continuum_memory_system_levels_10_bwd_4",
    "T level5_z, T grad_level5_out",
    "T grad_level5_z",
    """
    bool _t31 = level5_z > T(0);
    grad_level5_z = grad_level5_out * _t31;
    """,
)


# continuum_memory_system_levels_10_bwd_5: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_10_bwd_5 = ElementwiseKernel(
    "continuum_memory_system_levels_10_bwd_5",
    "T level4_z, T grad_level4_out",
    "T grad_level4_z",
    """
    bool _t36 = level4_z > T(0);
    grad_level4_z = grad_level4_out * _t36;
    """,
)


# continuum_memory_system_levels_10_bwd_6: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_10_bwd_6 = ElementwiseKernel(
    "continuum_memory_system_levels_10_bwd_6",
    "T level3_z, T grad_level3_out",
    "T grad_level3_z",
    """
    bool _t41 = level3_z > T(0);
    grad_level3_z = grad_level3_out * _t41;
    """,
)


# continuum_memory_system_levels_10_bwd_7: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_10_bwd_7 = ElementwiseKernel(
    "continuum_memory_system_levels_10_bwd_7",
    "T level2_z, T grad_level2_out",
    "T grad_level2_z",
    """
    bool _t46 = level2_z > T(0);
    grad_level2_z = grad_level2_out * _t46;
    """,
)


# continuum_memory_system_levels_10_bwd_8: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_10_bwd_8 = ElementwiseKernel(
    "continuum_memory_system_levels_10_bwd_8",
    "T level1_z, T grad_level1_out",
    "T grad_level1_z",
    """
    bool _t51 = level1_z > T(0);
    grad_level1_z = grad_level1_out * _t51;
    """,
)


# continuum_memory_system_levels_10_bwd_9: layers_spec/primitives.yaml:252
_continuum_memory_system_levels_10_bwd_9 = ElementwiseKernel(
    "continuum_memory_system_levels_10_bwd_9",
    "T level0_z, T grad_level0_out",
    "T grad_level0_z",
    """
    bool _t56 = level0_z > T(0);
    grad_level0_z = grad_level0_out * _t56;
    """,
)


def _cupy_backward_levels_10(
    grad_y,
    x,
    level0_weight,
    level0_bias,
    level1_weight,
    level2_weight,
    level3_weight,
    level4_weight,
    level5_weight,
    level6_weight,
    level7_weight,
    level8_weight,
    level9_weight,
    level0_z,
    level1_z,
    level2_z,
    level3_z,
    level4_z,
    level5_z,
    level6_z,
    level7_z,
    level8_z,
    level9_z,
):
    (
        level0_out,
        level1_out,
        level2_out,
        level3_out,
        level4_out,
        level5_out,
        level6_out,
        level7_out,
        level8_out,
        grad_level9_z,
    ) = _continuum_memory_system_levels_10_bwd_0(
        level0_z,
        level1_z,
        level2_z,
        level3_z,
        level4_z,
        level5_z,
        level6_z,
        level7_z,
        level8_z,
        level9_z,
        grad_y,
    )
    grad_level9_bias = _cupy_sum_to(grad_level9_z, level0_bias.shape)
    grad_level8_out = _linear_backward_input(grad_level9_z, level9_weight)
    grad_level9_weight = _rows(grad_level9_z).T @ _rows(level8_out)
    grad_level8_z = _continuum_memory_system_levels_10_bwd_1(level8_z, grad_level8_out)
    grad_level8_bias = _cupy_sum_to(grad_level8_z, level0_bias.shape)
    grad_level7_out = _linear_backward_input(grad_level8_z, level8_weight)
    grad_level8_weight = _rows(grad_level8_z).T @ _rows(level7_out)
    grad_level7_z = _continuum_memory_system_levels_10_bwd_2(level7_z, grad_level7_out)
    grad_level7_bias = _cupy_sum_to(grad_level7_z, level0_bias.shape)
    grad_level6_out = _linear_backward_input(grad_level7_z, level7_weight)
    grad_level7_weight = _rows(grad_level7_z).T @ _rows(level6_out)
    grad_level6_z = _continuum_memory_system_levels_10_bwd_3(level6_z, grad_level6_out)
    grad_level6_bias = _cupy_sum_to(grad_level6_z, level0_bias.shape)
    grad_level5_out = _linear_backward_input(grad_level6_z, level6_weight)
    grad_level6_weight = _rows(grad_level6_z).T @ _rows(level5_out)
    grad_level5_z = _continuum_memory_system_levels_10_bwd_4(level5_z, grad_level5_out)
    grad_level5_bias = _cupy_sum_to(grad_level5_z, level0_bias.shape)
    grad_level4_out = _linear_backward_input(grad_level5_z, level5_weight)
    grad_level5_weight = _rows(grad_level5_z).T @ _rows(level4_out)
    grad_level4_z = _continuum_memory_system_levels_10_bwd_5(level4_z, grad_level4_out)
    grad_level4_bias = _cupy_sum_to(grad_level4_z, level0_bias.shape)
    grad_level3_out = _linear_backward_input(grad_level4_z, level4_weight)
    grad_level4_weight = _rows(grad_level4_z).T @ _rows(level3_out)
    grad_level3_z = _continuum_memory_system_levels_10_bwd_6(level3_z, grad_level3_out)
    grad_level3_bias = _cupy_sum_to(grad_level3_z, level0_bias.shape)
    grad_level2_out = _linear_backward_input(grad_level3_z, level3_weight)
    grad_level3_weight = _rows(grad_level3_z).T @ _rows(level2_out)
    grad_level2_z = _continuum_memory_system_levels_10_bwd_7(level2_z, grad_level2_out)
    grad_level2_bias = _cupy_sum_to(grad_level2_z, level0_bias.shape)
    grad_level1_out = _linear_backward_input(grad_level2_z, level2_weight)
    grad_level2_weight = _rows(grad_level2_z).T @ _rows(level1_out)
    grad_level1_z = _continuum_memory_system_levels_10_bwd_8(level1_z, grad_level1_out)
    grad_level1_bias = _cupy_sum_to(grad_level1_z, level0_bias.shape)
    grad_level0_out = _linear_backward_input(grad_level1_z, level1_weight)
    grad_level1_weight = _rows(grad_level1_z).T @ _rows(level0_out)
    grad_level0_z = _continuum_memory_system_levels_10_bwd_9(level0_z, grad_level0_out)
    grad_level0_bias = _cupy_sum_to(grad_level0_z, level0_bias.shape)
    grad_x = _linear_backward_input(grad_level0_z, level0_weight)
    grad_level0_weight = _rows(grad_level0_z).T @ _rows(x)
    return (
        grad_x,
        grad_level0_weight,
        grad_level0_bias,
        grad_level1_weight,
        grad_level1_bias,
        grad_level2_weight,
        grad_level2_bias,
        grad_level3_weight,
        grad_level3_bias,
        grad_level4_weight,
        grad_level4_bias,
        grad_level5_weight,
        grad_level5_bias,
        grad_level6_weight,
        grad_level6_bias,
        grad_level7_weight,
        grad_level7_bias,
        grad_level8_weight,
        grad_level8_bias,
        grad_level9_weight,
        grad_level9_bias,
    )


# continuum_memory_system_consolidate_0: layers_spec/layers/continuum_memory_system.yaml:32
_continuum_memory_system_consolidate_0 = ElementwiseKernel(
    "continuum_memory_system_consolidate_0",
    "T _t1, T upper, T rate, T lower",
    "T new_upper",
    """
    T _t2 = _t1 * upper;
    T _t3 = rate * lower;
    new_upper = _t2 + _t3;
    """,
    scalars=("_t1", "rate"),
)


def _cupy_entry_consolidate(lower, upper, rate):
    _t1 = 1.0 - rate
    new_upper = _continuum_memory_system_consolidate_0(_t1, upper, rate, lower)
    return new_upper


_CUPY_VARIANTS = {
    1: (_cupy_forward_levels_1, _cupy_backward_levels_1),
    2: (_cupy_forward_levels_2, _cupy_backward_levels_2),
    3: (_cupy_forward_levels_3, _cupy_backward_levels_3),
    4: (_cupy_forward_levels_4, _cupy_backward_levels_4),
    5: (_cupy_forward_levels_5, _cupy_backward_levels_5),
    6: (_cupy_forward_levels_6, _cupy_backward_levels_6),
    7: (_cupy_forward_levels_7, _cupy_backward_levels_7),
    8: (_cupy_forward_levels_8, _cupy_backward_levels_8),
    9: (_cupy_forward_levels_9, _cupy_backward_levels_9),
    10: (_cupy_forward_levels_10, _cupy_backward_levels_10),
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
