"""Every derivative rule of the primitive table against float64 finite differences.

Each case is a one-line probe op, y = <expression>, over an input x [B, F] (or the NCHW
shape given as a fifth entry, for the window primitives) and a parameter w of the shape given; the probe goes through the real pipeline (IR, grad, codegen, passes) and
its backward is checked in random directions like the ops themselves (see test_gradients).
"""

from __future__ import annotations

import types

import numpy as np
import pytest

from harness import PATHS, catalog
from transpiler.pipeline import Catalog, load_op
from transpiler.spec import load_spec

PROBE = """name: probe
kind: layer
title: Probe
summary: one primitive
inputs:
  x: {{shape: {x_shape}}}
parameters:
  w: {{shape: {w_shape}}}
forward: |
  y = {expr}
outputs: [y]
"""

NCHW = "[B, C, H, W]"
# primitive -> (expression, shape of w, how to draw x, how to draw w[, shape of x])
CASES = {
    "add": ("x + w", "[F]", "any", "any"),
    "sub": ("x - w", "[B, 1]", "any", "any"),
    "mul": ("x * w", "[F]", "any", "any"),
    "div": ("x / w", "[B, F]", "any", "positive"),
    "neg": ("-x * w", "[F]", "any", "any"),
    "pow": ("w ** x + x ** 3", "[B, F]", "any", "positive"),
    "exp": ("exp(x) * w", "[F]", "any", "any"),
    "expm1": ("expm1(x * w)", "[F]", "any", "any"),
    "log": ("log(w) * x", "[B, F]", "any", "positive"),
    "log1p": ("log1p(w) * x", "[B, F]", "any", "positive"),
    "sqrt": ("sqrt(w) * x", "[B, F]", "any", "positive"),
    "tanh": ("tanh(x * w)", "[F]", "any", "any"),
    "sigmoid": ("sigmoid(x + w)", "[F]", "any", "any"),
    "softplus": ("softplus(x * w)", "[F]", "any", "any"),
    "abs": ("abs(x) * w", "[F]", "nonzero", "any"),
    "maximum": ("maximum(x, w)", "[B, F]", "any", "any"),
    "minimum": ("minimum(x, w)", "[F]", "any", "any"),
    "clip": ("clip(x * w, -0.5, 0.5)", "[B, F]", "any", "any"),
    "where": ("where(x > 0, x * w, w)", "[B, F]", "nonzero", "any"),
    "sum": ("sum(x * w) * x", "[F]", "any", "any"),
    "mean": ("mean(x * w, axis=0) * x", "[B, F]", "any", "any"),
    "amax": ("amax(x + w) * x", "[B, F]", "any", "any"),
    "dot_last": ("dot_last(x, w) * x + dot_last(x * w, x)", "[F]", "any", "any"),
    "linear": ("linear(x, w)", "[G, F]", "any", "any"),
    "linear_few_rows": ("linear_few_rows(x, w)", "[G, F]", "any", "any"),
    "linear_backward_input": ("linear_backward_input(x, w)", "[F, G]", "any", "any"),
    "matmul": ("matmul(x, w)", "[F, G]", "any", "any"),
    "matmul_few_rows": ("matmul_few_rows(x, w)", "[F, G]", "any", "any"),
    "transpose": ("matmul(transpose(x), w)", "[B, G]", "any", "any"),
    "split_last": ("squeeze_last(amax(split_last(x * w, pieces=2)))", "[B, F]", "any", "any"),
    "squeeze_last": ("squeeze_last(sum(x * w)) * 2", "[B, F]", "any", "any"),
    "sparsemax_threshold": ("sparsemax_threshold(x * w) * x", "[B, F]", "any", "any"),
    "taylor_exp": ("taylor_exp(x * w, order=3)", "[B, F]", "any", "any"),
    "broadcast_like": ("broadcast_like(sum(x), w) * w", "[B, F]", "any", "any"),
    "broadcast_copy": ("broadcast_copy(sum(x), w) * w", "[B, F]", "any", "any"),
    "sum_all": ("sum_all(x * w) * x", "[B, F]", "any", "any"),
    "reshape_like": ("reshape_like(transpose(w), x) * x", "[F, B]", "any", "any"),
    # Layers (issue 5): shapes, slices and windows; NCHW probes are [6, 2, 4, 6].
    "flatten_batch": ("flatten_batch(x * w)", "[W]", "any", "any", NCHW),
    "reshape_batch": ("reshape_batch(x * w, shape=(2, -1))", "[F]", "any", "any"),
    "squeeze_axis": ("squeeze_axis(sum(x * w, axis=0), axis=0)", "[F]", "any", "any"),
    "slice_axis": ("slice_axis(x * w, start=1, stop=3, axis=1)", "[F]", "any", "any"),
    "place_axis": ("place_axis(x * w, concatenate(x, x, axis=1), start=2, axis=1)", "[F]", "any", "any"),
    "concatenate": ("concatenate(x, w * x, axis=0)", "[F]", "any", "any"),
    "pad2d": ("pad2d(x * w, top=1, bottom=2, left=0, right=3)", "[W]", "any", "any", NCHW),
    "crop2d": ("crop2d(x * w, top=1, bottom=2, left=0, right=3)", "[W]", "any", "any", NCHW),
    "upsample_nearest": ("upsample_nearest(x * w, scale=3)", "[W]", "any", "any", NCHW),
    "block_sum": ("block_sum(x * w, scale=2)", "[W]", "any", "any", NCHW),
    "as_channels": ("x * as_channels(w)", "[C]", "any", "any", NCHW),
    # Window statics per axis, as check_window gives them: pairs, padding ((top, bottom), (left, right)).
    "max_pool2d": ("max_pool2d(x * w, kernel=(2, 3), stride=(1, 2), padding=((1, 1), (1, 1)), dilation=(2, 1), ceil_mode=True)",
                   "[W]", "any", "any", NCHW),
    "avg_pool2d": ("avg_pool2d(x * w, kernel=(3, 2), stride=(2, 1), padding=((1, 1), (0, 0)), ceil_mode=True, count_include_pad=False)",
                   "[W]", "any", "any", NCHW),
    "adaptive_avg_pool2d": ("adaptive_avg_pool2d(x * w, output_size=(3, 4))", "[W]", "any", "any", NCHW),
    "adaptive_max_pool2d": ("adaptive_max_pool2d(x * w, output_size=(3, 4))", "[W]", "any", "any", NCHW),
    "window_pad": ("window_pad(x * w, padding=((1, 2), (3, 0)))", "[W]", "any", "any", NCHW),
    "global_max_pool": ("global_max_pool(x * w)", "[W]", "any", "any", NCHW),
    "conv_apply": ("conv_apply(w, im2col(x * x, w, stride=(2, 1), padding=((1, 0), (1, 2)), dilation=(1, 1)), x * x, stride=(2, 1), "
                   "padding=((1, 0), (1, 2)), dilation=(1, 1))", "[G, C, K, K]", "any", "any", NCHW),
    "conv_apply stride 1": ("conv_apply(w, im2col(x * x, w, stride=(1, 1), padding=((1, 0), (1, 2)), dilation=(1, 2)), x * x, "
                            "stride=(1, 1), padding=((1, 0), (1, 2)), dilation=(1, 2))", "[G, C, K, K]", "any", "any", NCHW),
    # Issue 16: blocks of an axis (F = 4: halves; along the batch axis B = 6: thirds).
    "chunk": ("chunk(x * w, pieces=2, index=1) * chunk(x, pieces=2, index=0) + sum_all(chunk(x * x, pieces=3, index=2, axis=0))",
              "[F]", "any", "any"),
    "chunk_place": ("chunk_place(chunk(x * w, pieces=3, index=1, axis=0), x, pieces=3, index=1, axis=0) * x", "[F]", "any", "any"),
    # Issue 15's generality
    "erf": ("erf(x * w)", "[B, F]", "any", "any"),
    "as_axis1": ("x * as_axis1(w, x)", "[C]", "any", "any", NCHW),
    "flatten_dims": ("flatten_dims(x * w, start=1, end=2)", "[W]", "any", "any", NCHW),
    "reshape_to": ("reshape_to(x * w, shape=(4, -1, 3))", "[F]", "any", "any"),
    "mean_dims": ("mean_dims(x * w, dim=(0,), keepdim=False)", "[F]", "any", "any"),
    "crop_nd": ("crop_nd(x * w, crop=(1, 0, 0, 2))", "[W]", "any", "any", NCHW),
    # Issue 18: attention (split_heads of [B, F] is [2, B, F / 2]), positions, patches
    "bmm": ("bmm(split_heads(x, heads=2), swap_last(split_heads(x * w, heads=2))) * sum_all(bmm(x, swap_last(w)))", "[B, F]", "any", "any"),
    "swap_last": ("bmm(swap_last(x * w), x)", "[F]", "any", "any"),
    "permute": ("permute(split_heads(x * w, heads=2), axes=(-1, -3, -2)) * 2", "[F]", "any", "any"),
    "unpermute": ("unpermute(split_heads(x * w, heads=2), axes=(-1, -3, -2)) * 2", "[F]", "any", "any"),
    "split_heads": ("split_heads(x * w, heads=2) * 3", "[F]", "any", "any"),
    "merge_heads": ("merge_heads(split_heads(x, heads=2) * w, heads=2)", "[B, 1]", "any", "any"),
    "apply_mask": ("masked_softmax(apply_mask(x * w, x > 1.5)) * x", "[F]", "any", "any"),
    "apply_causal": ("masked_softmax(apply_causal(bmm(x, swap_last(x * w))))", "[F]", "any", "any"),
    # A key padding mask of the scores' own rank is apply_mask's case (test_attention checks
    # the [batch, S_k] form against nn.MultiheadAttention).
    "apply_key_padding": ("masked_softmax(apply_key_padding(x * w, x > 1.5)) * x", "[F]", "any", "any"),
    "masked_softmax": ("masked_softmax(x * w) * x", "[F]", "any", "any"),
    "sin": ("sin(x * w)", "[F]", "any", "any"),
    "cos": ("cos(x * w)", "[F]", "any", "any"),
    "patchify": ("patchify(x * w, size=2)", "[W]", "any", "any", NCHW),
    "as_column": ("x * as_column(w)", "[G]", "any", "any", "[G, F]"),
    "unpatchify": ("unpatchify(patchify(x * w, size=2) * 2, x, size=2)", "[W]", "any", "any", NCHW),
    # Issue 20: graphs and experts
    "linear_heads": ("linear_heads(x * x, w)", "[G, K, F]", "any", "any"),
    "unsqueeze": ("bmm(swap_last(unsqueeze(x * w, axis=-3)), unsqueeze(x, axis=-3)) * 2", "[F]", "any", "any"),
    # Issue 17: a recurrence's convolution (padded to keep H and W; K = 2, an even kernel)
    "conv_same": ("conv_same(x * x, w)", "[G, C, H, K]", "any", "any", NCHW),
    "as_planes": ("x * as_planes(w)", "[C]", "any", "any", NCHW),
    # Issue 20: capsule votes, quantum's amplitudes (padded, truncated) and RY gates (F = 4:
    # two qubits, K = 2 angles)
    "capsule_votes": ("capsule_votes(x * x, w)", "[C, F, G, H]", "any", "any", "[B, C, F]"),
    "resize_last": ("resize_last(x * w, size=6) * sum_all(resize_last(x, size=2))", "[F]", "any", "any"),
    "ry_gates": ("ry_gates(x * x, w) * 2", "[K]", "any", "any"),
    # Issue 20: the CRF's log-sum-exp, its step's log(exp(a) @ exp(b)), and a carry kept
    # where a mask (here x > 0) is off
    "logsumexp": ("logsumexp(x * w) * x", "[F]", "any", "any"),
    "log_matmul_exp": ("log_matmul_exp(x * x, w)", "[F, G]", "any", "any"),
    "keep_where": ("keep_where(x * w, x > 0, w * 2)", "[B, F]", "nonzero", "any"),
}
# Covered elsewhere: the derivatives of heaviside, spike_atan, spike_sigmoid and
# step_straight_through are declared surrogates (test_gradients, test_spiking,
# test_learning_rules);
# linear_weight_grad, sum_to, sum_axes* and the masks are only ever produced by the grad stage.
SIZES = {"B": 6, "F": 4, "G": 3, "1": 1, "C": 2, "H": 4, "W": 6, "K": 2}


def probe_module(expr: str, w_shape: str, tmp_path, x_shape: str = "[B, F]") -> types.ModuleType:
    path = tmp_path / "probe.yaml"
    path.write_text(PROBE.format(expr=expr, w_shape=w_shape, x_shape=x_shape))
    spec = load_spec(path, "probe.yaml")
    return load_op(spec, Catalog(catalog().prims, {**catalog().ops, "probe": spec}), PATHS, name="probe")


def draw(kind: str, shape, rng):
    values = rng.uniform(-2, 2, shape)
    if kind == "positive":
        return rng.uniform(0.5, 2, shape)
    if kind == "nonzero":
        return np.where(np.abs(values) < 0.1, 0.5, values)
    return values


def test_every_differentiable_primitive_has_a_case():
    ruled = {name for name, prim in catalog().prims.items() if prim.derivatives}
    # pad_nd and interpolate_* take a string (mode) or None (size, scale_factor) that a probe
    # statement cannot spell: test_generality checks them by finite differences.
    layers = {"pad_nd", "interpolate_nearest", "interpolate_bilinear", "interpolate_filtered"}
    # take_rows reads integer ids, which a probe's float input cannot be: test_attention
    # checks it (the embedding) against F.embedding.
    layers.add("take_rows")
    # take_along and pick_rows read integer tags: test_crf checks them through the CRF's
    # gold-path score by finite differences (float64) and against pytorch-crf.
    layers |= {"take_along", "pick_rows"}
    # The convolution family's primitives take windows, grids and factors a probe cannot
    # declare: test_conv_family checks each by finite differences (float64) through its
    # layer (deconvolutional, pixel_shuffle both ways, locally_connected, grid sampling
    # with theta through affine_grid).
    layers |= {"conv_transpose", "pixel_shuffle", "pixel_unshuffle", "local_apply", "grid_sample", "affine_grid"}
    # Steps whose derivative is a declared surrogate, not the true one (0): heaviside against
    # its rule (test_gradients), spike_atan and spike_sigmoid against snnTorch's (test_spiking),
    # step_straight_through against a straight-through torch.autograd.Function (test_learning_rules).
    surrogates = {"heaviside", "spike_atan", "spike_sigmoid", "step_straight_through"}
    assert ruled - surrogates - layers <= set(CASES) | {"linear_weight_grad"}
    # the rest are gradient kernels (conv_input_grad, pooling gradients, ...).


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_matches_finite_differences(name, tmp_path):
    expr, w_shape, x_kind, w_kind, *rest = CASES[name]
    x_shape = rest[0] if rest else "[B, F]"
    mod = probe_module(expr, w_shape, tmp_path, x_shape)
    rng = np.random.default_rng(0)

    def sizes(shape):
        return [SIZES[d] for d in shape.strip("[]").replace(" ", "").split(",")]

    x, w = draw(x_kind, sizes(x_shape), rng), draw(w_kind, sizes(w_shape), rng)
    y, ctx = mod.forward(x, w)
    dy = rng.standard_normal(y.shape)
    grads = mod.backward(dy, ctx)
    step = 1e-6
    for index, value in enumerate((x, w)):
        assert grads[index].shape == value.shape
        direction = rng.standard_normal(value.shape)
        args_plus, args_minus = [x, w], [x, w]
        args_plus[index] = value + step * direction
        args_minus[index] = value - step * direction
        numeric = (np.sum(mod.forward(*args_plus)[0] * dy) - np.sum(mod.forward(*args_minus)[0] * dy)) / (2 * step)
        analytic = np.sum(grads[index] * direction)
        assert abs(numeric - analytic) <= 1e-6 * max(1.0, np.sum(np.abs(grads[index] * direction))), (name, index)


@pytest.mark.parametrize("shape, axis", [
    ((4, 3, 5, 6), (0, 2, 3)),  # per channel, over N, H and W
    ((4, 3, 5, 6), (2, 3)),
    ((4, 3, 5, 6), (1, 2, 3)),
    ((4, 3, 5, 6), (0, 1)),  # leading axes only: NumPy's own loop
    ((4, 3, 5, 6), -1),
    ((7, 9), 0),
    ((0, 3, 2, 2), (0, 2, 3)),
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sum_helper_agrees_with_numpy(shape, axis, dtype):
    """The sum helper's BLAS paths (last axis; several trailing axes of a contiguous array)
    and its fallback, against np.sum with keepdims, also on a strided view."""
    from layerforge.layers import batch_normalization

    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    tolerance = {np.float64: 1e-12, np.float32: 2e-6}[dtype]  # different summation orders
    for array in (x, x[..., ::-1]):
        got = batch_normalization._sum(array, axis)
        want = np.sum(array.astype(np.float64), axis=axis, keepdims=True)
        assert got.shape == want.shape and got.dtype == dtype
        np.testing.assert_allclose(got, want, rtol=tolerance, atol=tolerance * 30)
