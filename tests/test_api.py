"""The public API of the generated package: signatures, dtypes, modes, randomness, errors."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from harness import (as_tuple, attributes, differentiable, grad_outputs, make_arrays, module, modes,
                     names, run_forward, spec)

ALL = names("activation") + names("layer") + names("loss")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ALL)
def test_output_and_gradient_dtype_follow_input(name, dtype):
    s = spec(name)
    for training in modes(s):
        arrays = make_arrays(s, 8, dtype)
        y, ctx = run_forward(s, arrays, attributes(s, training))
        for out in as_tuple(y):
            assert out.dtype == dtype
        grads = as_tuple(module(s).backward(*(np.ones_like(o) for o in grad_outputs(s, y)), ctx))
        assert [g.dtype for g in grads] == [dtype] * len(s.differentiable)
        assert [g.shape for g in grads] == [a.shape for a in differentiable(s, arrays).values()]


@pytest.mark.parametrize("name", ALL)
def test_numeric_attributes_are_keywords_with_spec_defaults(name):
    s = spec(name)
    params = inspect.signature(module(s).forward).parameters
    assert list(params)[: len(s.arrays)] == [d.name for d in s.arrays]
    for attr in s.attributes:
        param = params[attr.name]
        assert param.kind is inspect.Parameter.KEYWORD_ONLY
        if attr.default is None:  # required, or None for an optional attribute (pooling's stride)
            expected = None if attr.optional else inspect.Parameter.empty
        else:
            expected = attr.default
        assert param.default == expected


def test_documented_defaults():
    def default(op, attr):
        return inspect.signature(module(spec(op)).forward).parameters[attr].default

    assert default("leaky_relu", "alpha") == 0.01
    assert default("elu", "alpha") == 1.0
    assert default("taylor_softmax", "order") == 2
    assert default("maxout", "num_pieces") == 2
    assert default("dense", "activation") == "identity"


def test_readme_api():
    from layerforge.activations import gelu
    from layerforge.layers import dense

    x = np.random.default_rng(0).standard_normal((4, 6))
    y, ctx = gelu.forward(x)
    dx = gelu.backward(np.ones_like(y), ctx)
    assert dx.shape == x.shape
    weight, bias = np.ones((3, 6)), np.zeros(3)
    y, ctx = dense.forward(x, weight, bias, activation="gelu")
    dx, dweight, dbias = dense.backward(np.ones_like(y), ctx)
    assert (dx.shape, dweight.shape, dbias.shape) == ((4, 6), (3, 6), (3,))


def test_rrelu_inference_uses_mean_slope():
    x = np.array([[-2.0, -1.0, 0.5, 3.0]])
    y, ctx = module(spec("rrelu")).forward(x, lower=0.1, upper=0.3, training=False)
    np.testing.assert_allclose(y, [[-0.4, -0.2, 0.5, 3.0]])
    dx = module(spec("rrelu")).backward(np.ones_like(x), ctx)
    np.testing.assert_allclose(dx, [[0.2, 0.2, 1.0, 1.0]])


def test_rrelu_training_slopes_are_drawn_once_and_reused():
    x = -np.ones((64, 50))
    rrelu = module(spec("rrelu"))
    y, ctx = rrelu.forward(x, rng=np.random.default_rng(5))
    slopes = -y
    assert slopes.min() >= 0.125 and slopes.max() <= 1 / 3
    assert np.unique(slopes).size > 1000  # one slope per element
    np.testing.assert_array_equal(rrelu.backward(np.ones_like(x), ctx), slopes)
    again, _ = rrelu.forward(x, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(again, y)


def test_gumbel_softmax_noise_is_seeded_and_off_in_inference():
    gumbel = module(spec("gumbel_softmax"))
    x = np.random.default_rng(0).standard_normal((5, 9))
    a, _ = gumbel.forward(x, rng=np.random.default_rng(1))
    b, _ = gumbel.forward(x, rng=np.random.default_rng(1))
    c, _ = gumbel.forward(x, rng=np.random.default_rng(2))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    np.testing.assert_allclose(a.sum(-1), 1.0)
    d, _ = gumbel.forward(x, temperature=2.0, training=False)
    e = np.exp(x / 2 - (x / 2).max(-1, keepdims=True))
    np.testing.assert_allclose(d, e / e.sum(-1, keepdims=True))


def test_vector_activations_act_on_last_axis():
    x = np.random.default_rng(0).standard_normal((2, 3, 5))
    for name in ("softmax", "softmin", "sparsemax", "spherical_softmax", "taylor_softmax"):
        y, _ = module(spec(name)).forward(x)
        np.testing.assert_allclose(y.sum(-1), np.ones((2, 3)), err_msg=name)
    y, _ = module(spec("log_softmax")).forward(x)
    np.testing.assert_allclose(np.exp(y).sum(-1), np.ones((2, 3)))


def test_sparsemax_is_sparse_and_matches_known_projection():
    y, _ = module(spec("sparsemax")).forward(np.array([[0.1, 1.1, 0.2], [2.0, 0.0, -1.0]]))
    np.testing.assert_allclose(y, [[0.0, 0.95, 0.05], [1.0, 0.0, 0.0]])
    y, _ = module(spec("sparsemax")).forward(np.array([[1.0, 0.8, 0.0]]))
    np.testing.assert_allclose(y, [[0.6, 0.4, 0.0]])


def test_non_contiguous_inputs_give_the_same_result():
    base = np.random.default_rng(0).standard_normal((16, 16))
    strided = base[:, ::2]
    assert not strided.flags.c_contiguous
    for name in ("gelu", "softmax", "maxout", "sparsemax"):
        mod = module(spec(name))
        y1, c1 = mod.forward(strided)
        y2, c2 = mod.forward(np.ascontiguousarray(strided))
        np.testing.assert_array_equal(y1, y2)
        np.testing.assert_array_equal(mod.backward(np.ones_like(y1), c1), mod.backward(np.ones_like(y2), c2))


def test_dense_composes_any_activation():
    dense = module(spec("dense"))
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((6, 5)), rng.standard_normal((3, 5)), rng.standard_normal(3)
    y, ctx = dense.forward(x, w, b, activation="leaky_relu", activation_options={"alpha": 0.2})
    z = x @ w.T + b
    np.testing.assert_allclose(y, np.where(z > 0, z, 0.2 * z))
    dy = rng.standard_normal(y.shape)
    dx, dw, db = dense.backward(dy, ctx)
    dz = dy * np.where(z > 0, 1.0, 0.2)
    np.testing.assert_allclose(dx, dz @ w)
    np.testing.assert_allclose(dw, dz.T @ x)
    np.testing.assert_allclose(db, dz.sum(0))


def test_dense_fused_variant_matches_composition():
    dense = module(spec("dense"))
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((6, 5)), rng.standard_normal((3, 5)), rng.standard_normal(3)
    y, ctx = dense.forward(x, w, b, activation="elu", activation_options={"alpha": 0.5})
    lin, lctx = dense.forward(x, w, b)
    act = module(spec("elu"))
    ref, actx = act.forward(lin, alpha=0.5)
    np.testing.assert_allclose(y, ref)
    dy = rng.standard_normal(y.shape)
    for ours, theirs in zip(dense.backward(dy, ctx), dense.backward(act.backward(dy, actx), lctx)):
        np.testing.assert_allclose(ours, theirs)


BAD_CALLS = [
    ("dense", lambda m: m.forward(np.ones((2, 5)), np.ones((3, 4)), np.ones(3)), ValueError,
     "dense: argument 'weight' has in_features = 4"),
    ("dense", lambda m: m.forward(np.ones(()), np.ones((3, 5)), np.ones(3)), ValueError,
     "dense: argument 'x' must have rank at least 1"),
    ("dense", lambda m: m.forward(np.ones((2, 5)), np.ones((3, 5)), np.ones(4)), ValueError,
     "dense: argument 'bias' has out_features = 4"),
    ("dense", lambda m: m.forward(np.ones((2, 5), dtype=np.int64), np.ones((3, 5)), np.ones(3)), TypeError,
     "dense: argument 'x' must have dtype float32 or float64, got int64"),
    ("dense", lambda m: m.forward(np.ones((2, 5), np.float32), np.ones((3, 5)), np.ones(3)), TypeError,
     "dense: argument 'weight' has dtype float64 but 'x' has float32"),
    ("dense", lambda m: m.forward(np.ones((2, 5)), np.ones((3, 5)), np.ones(3), activation="nope"), ValueError,
     "dense: unknown activation 'nope'"),
    ("dense", lambda m: m.forward(np.ones((2, 5)), np.ones((3, 5)), np.ones(3), activation="hierarchical_softmax"),
     ValueError, "has parameters of its own"),
    ("gelu", lambda m: m.forward([1.0, 2.0]), TypeError, "gelu: argument 'x' must be a NumPy or CuPy array, got list"),
    ("softmax", lambda m: m.forward(np.float64(1.0)), ValueError, "softmax: argument 'x' must have rank at least 1"),
    ("maxout", lambda m: m.forward(np.ones((2, 7))), ValueError, "maxout: attribute 'num_pieces' = 2 must divide"),
    ("taylor_softmax", lambda m: m.forward(np.ones((2, 7)), order=0), ValueError,
     "taylor_softmax: attribute 'order' must be at least 1"),
    ("taylor_softmax", lambda m: m.forward(np.ones((2, 7)), order=1.5), TypeError,
     "taylor_softmax: attribute 'order' must be int"),
    ("rrelu", lambda m: m.forward(np.ones((2, 7)), training="yes"), TypeError, "rrelu: attribute 'training' must be bool"),
    ("hierarchical_softmax", lambda m: m.forward(np.ones((2, 5)), np.ones((2, 5)), num_classes=6), ValueError,
     "weight must have 3 rows for num_classes=6"),
]


@pytest.mark.parametrize("name, call, error, message", BAD_CALLS, ids=[m for *_, m in BAD_CALLS])
def test_bad_arguments_name_the_op_and_argument(name, call, error, message):
    with pytest.raises(error) as info:
        call(module(spec(name)))
    assert message in str(info.value)


def test_importing_touches_no_gpu_library():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['cupy'] = None\n"
        "import importlib, pkgutil, layerforge.activations as a, layerforge.layers as l\n"
        "for pkg in (a, l):\n"
        "    for name in pkg.__all__: importlib.import_module(f'{pkg.__name__}.{name}')\n"
        "assert 'torch' not in sys.modules\n"
        "print('ok')\n"
    )
    from harness import ROOT

    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT / "generated", capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_readme_example_runs():
    import re

    from harness import ROOT

    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
