"""The CuPy target, checked without a GPU.

1. Every generated ``ElementwiseKernel`` compiles with NVRTC for compute_90, wrapped the way
   CuPy wraps it, with T as float and as double; the float instantiation does no double
   arithmetic (a constant or a math call promoted to double would be a silent 2-32x slowdown).
2. The kernel bodies, compiled as host C++ with g++, run the generated CuPy code paths on the
   CPU (NumPy standing in for CuPy's array calls) through the public API; results must agree
   with the NumPy modules for every op and variant, float32 and float64, and every kernel of
   every module must have run in both precisions.
3. Without a CuPy array nothing imports CuPy.

Tolerances: both sides evaluate the same IR, but the NumPy modules are rewritten by the passes
(reordered products, x**3 as x*x*x) and NumPy's vectorized exp/log/tanh differ from glibc's
by a few units in the last place; through cancellations such as 1 - tanh(z)^2 this grows to
~1e3 ulp. float64: rtol 1e-10 (~5e5 ulp of 2.2e-16, still far below any real bug), float32:
rtol 2e-5 (~170 ulp of 1.2e-7); absolute floors of 1e-12 and 1e-6 for values near zero.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import subprocess
import sys

import numpy as np
import pytest

import kernel_tools as kt
from harness import ROOT, as_tuple, attributes, entry_arrays, make_arrays, module, modes, run_forward, spec
from transpiler.codegen import slot_is_final
from transpiler.entry import entry_spec

# float32: parameter gradients sum over the batch (32 rows of O(1) terms), so an element that
# cancels to near zero carries about sqrt(32) * 6e-8 * 3 ~ 1e-6 of rounding: atol 1e-5.
TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=2e-5, atol=1e-5)}


def all_kernels():
    return [k for name in kt.op_names() for k in kt.kernels_of(name)]


# -- NVRTC ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nvrtc():
    path = kt.nvrtc_path()
    if path is None:
        pytest.fail("libnvrtc.so.12 not found: install the dev extra (nvidia-cuda-nvrtc-cu12)")
    return ctypes.CDLL(str(path))


def test_kernel_names_are_unique_and_every_op_has_kernels():
    kernels = all_kernels()
    assert len({k.name for k in kernels}) == len(kernels)
    # These only move data (views, reshapes, slices, repeats), or are window ops whose work is
    # strided CuPy array code (pooling), or a reduction over any axes and its spread (mean): no
    # elementwise arithmetic for a kernel; the embedding and grid sampling are gathers and
    # scatter-adds, pixel shuffle a permutation, an affine grid one batched product.
    without = ["identity", "adaptive_pooling", "affine_grid", "avg_pooling", "embedding", "flatten", "grid_sample",
               "input", "max_pooling", "mean", "pixel_shuffle", "pooling", "reshape", "split", "upsampling"]
    assert [name for name in kt.op_names() if not kt.kernels_of(name)] == without


def test_a_number_computed_in_python_does_not_cut_a_kernel():
    """ELU's backward computes 1 - alpha in Python between elementwise statements: it is
    hoisted ahead of the run, which stays one kernel taking it as a by-value scalar."""
    assert [k.name for k in kt.kernels_of("elu")] == ["elu_fwd_0", "elu_bwd_0"]
    assert "_t10" in module(spec("elu"))._elu_bwd_0.scalars


@pytest.mark.parametrize("name", kt.op_names())
def test_kernels_compile_with_nvrtc(nvrtc, name):
    source = kt.cuda_source(kt.kernels_of(name))
    result, log, ptx = kt.nvrtc_compile(nvrtc, source, name)
    assert result == 0, f"NVRTC failed for {name}:\n{log}\n--- source ---\n{source}"
    for kernel in kt.kernels_of(name):
        entries = [kernel.name] + ([f"{kernel.name}_flat"] if hasattr(kernel, "flat_source") else [])
        for entry in entries:
            body = ptx.split(f".entry {entry}_float(", 1)[1].split(".entry", 1)[0]
            assert ".f64" not in body, f"{entry}: the float kernel computes in double"


def test_nvrtc_rejects_a_broken_body(nvrtc):
    """The compile check has teeth: an undeclared name is an error."""
    from layerforge._cupy_runtime import ElementwiseKernel

    broken = kt.cuda_source([ElementwiseKernel("broken", "T x", "T y", "y = x * undeclared;")])
    result, log, _ = kt.nvrtc_compile(nvrtc, broken, "broken")
    assert result != 0 and "undeclared" in log


# -- host C++ against NumPy ------------------------------------------------------------------


@pytest.fixture(scope="module")
def host_cupy(tmp_path_factory, monkeypatch_module):
    """A fake ``cupy`` whose kernels are the generated bodies compiled for the CPU."""
    kernels = all_kernels()
    library = kt.host_library(kernels, tmp_path_factory.mktemp("kernels"))
    monkeypatch_module.setitem(sys.modules, "cupy", kt.fake_cupy(library, kernels))
    yield library
    for kernel in kernels:  # drop the host kernels the runtime objects built and kept
        kernel._kernel = None
        if hasattr(kernel, "_flat"):
            kernel._flat.clear()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def cases(name):
    s = spec(name)
    # softsign is not fused anywhere: composed after the identity variant where the slot is
    # the last step (a gate slot takes fused activations only).
    composed = [{"activation": "softsign"}] if slot_is_final(s) else []
    extras = [{"activation": a} for a in s.slot.fused] + composed if s.slot else [{}]
    # Each choice of a structural attribute (pooling kind, score mode, gelu's approximate) is
    # its own variant.
    choices = [[{a.name: c} for c in a.choices] for a in s.structural if a.choices]
    # and each value of a structural bool other than training (attention's causal) and a
    # scan's batch_first (which only moves the time axis of arrays made time first here:
    # its variants share their kernels)
    layout = s.scan.batch_first if s.scan is not None else None
    choices += [[{a.name: True}, {a.name: False}] for a in s.structural
                if a.type == "bool" and a.name not in ("training", layout)]
    # a repeat runs twice, so that its step and the step's backward run too (the spec's
    # test attributes may run it once, for finite differences)
    count = {s.repeat.count: 2} if s.repeat is not None else {}
    for extra in extras:
        for training in modes(s):
            for chosen in itertools.product(*choices):
                yield {**attributes(s, training), **count, **extra, **{k: v for c in chosen for k, v in c.items()}}


def gpu_like(arrays):
    return {k: None if v is None else v.view(kt.GpuLike) for k, v in arrays.items()}


def without_optional(s, arrays):
    """``arrays``, and with each subset of the optional parameters and buffers left out
    (None), so that every variant's kernels run."""
    optional = [d.name for d in s.optional if d.counted is None]  # a counted copy: by the count
    for flags in itertools.product((True, False), repeat=len(optional)):
        yield {k: None if k in optional and not flags[optional.index(k)] else v for k, v in arrays.items()}


@pytest.mark.parametrize("flat", [True, False], ids=["flat", "cupy-elementwise"])
@pytest.mark.parametrize("name", kt.op_names())
def test_kernels_match_numpy_on_the_cpu(host_cupy, monkeypatch, name, flat):
    """Every op's CuPy path against NumPy, with the flat elementwise kernels (same-shape
    contiguous arrays) and with every elementwise kernel as a ``cupy.ElementwiseKernel``."""
    if not flat:
        from layerforge._cupy_runtime import ElementwiseKernel

        monkeypatch.setattr(ElementwiseKernel, "_real", lambda self, args: None)
    s = spec(name)
    kt.HostKernel.calls.clear()
    for dtype in (np.float64, np.float32):
        for attrs, arrays in ((a, given) for a in cases(name) for given in without_optional(s, make_arrays(s, 32, dtype))):
            y_ref, ctx_ref = run_forward(s, arrays, attrs)
            y, ctx = run_forward(s, gpu_like(arrays), attrs, generator=kt.HostGenerator)
            outputs = dict(zip(s.outputs, as_tuple(y_ref)))
            dy = [np.random.default_rng(3).standard_normal(outputs[o].shape).astype(dtype) for o in s.grad_outputs]
            grads_ref = as_tuple(module(s).backward(*dy, ctx_ref))
            grads = as_tuple(module(s).backward(*(d.view(kt.GpuLike) for d in dy), ctx))
            for got, want in zip(as_tuple(y) + grads, as_tuple(y_ref) + grads_ref):
                if want is None:  # the gradient of an optional parameter left out
                    assert got is None
                    continue
                assert isinstance(got, kt.GpuLike), f"{name} {attrs}: a result left the CuPy path"
                assert got.dtype == want.dtype == dtype
                tolerance = dict(TOL[dtype])
                # Sums of many terms (convolution, products over a batch) cancel: the absolute
                # floor follows the array's largest value.
                tolerance["atol"] *= max(1.0, float(np.max(np.abs(want), initial=0.0)))
                np.testing.assert_allclose(np.asarray(got), want, **tolerance, err_msg=f"{name} {attrs} {dtype.__name__}")
        for entry in s.entry_points:  # the entry points' CuPy twins, the same draws for a random one
            taken = {a.name for a in entry_spec(s, entry).attributes}
            chosen = {k: v for k, v in attributes(s).items() if k in taken}
            # and every variant of their optional inputs (given or None)
            for arrays in without_optional(entry_spec(s, entry), entry_arrays(s, entry, dtype)):
                rng = {"rng": np.random.default_rng(5)} if entry.random else {}
                want = as_tuple(getattr(module(s), entry.name)(*arrays.values(), **chosen, **rng))
                rng = {"rng": kt.HostGenerator(5)} if entry.random else {}
                got = as_tuple(getattr(module(s), entry.name)(*gpu_like(arrays).values(), **chosen, **rng))
                for g, w in zip(got, want):
                    assert isinstance(g, kt.GpuLike), f"{name}.{entry.name}: a result left the CuPy path"
                    np.testing.assert_allclose(np.asarray(g), w, **TOL[dtype], err_msg=f"{name}.{entry.name} {dtype.__name__}")
    missing = {(k.name, real) for k in kt.kernels_of(name) for real in ("float", "double")} - kt.HostKernel.calls
    assert not missing, f"kernels never exercised: {sorted(missing)}"


def test_a_helper_may_call_another_helper():
    """A helper that calls another helper's function brings it into the module, and its CuPy
    copy calls the other's CuPy copy (the convolution's input gradient is a convolution)."""
    from transpiler.cuda import cupy_helper
    from transpiler.primitives import with_called_helpers

    from harness import catalog

    prims = catalog().prims
    # The input gradient pads grad (im2col), convolves it (conv_apply) and, for a padding mode
    # other than zeros, folds the padded grid back (window_fold); im2col pads with window_pad.
    called = ["conv_input_grad", "window_fold", "im2col", "conv_apply", "window_pad"]
    assert with_called_helpers(["conv_input_grad"], prims) == called
    assert with_called_helpers(["conv_apply"], prims) == ["conv_apply"]
    text = cupy_helper(prims["conv_input_grad"], [prims[name].helper_name for name in called])
    assert "_cupy_conv_apply(flipped, padded" in text and " _conv_apply(" not in text
    assert "_cupy_window_fold(on_grid" in text and " _window_fold(" not in text
    source = (ROOT / "generated" / "layerforge" / "layers" / "convolutional.py").read_text()
    assert source.count("\ndef _conv_apply(") == 1 and source.count("\ndef _cupy_conv_apply(") == 1


def test_numpy_only_never_imports_cupy():
    code = (
        "import sys, importlib, numpy as np\n"
        "import layerforge.activations as acts, layerforge.layers as layers\n"
        "for n in acts.__all__: importlib.import_module('layerforge.activations.' + n)\n"
        "for n in layers.__all__: importlib.import_module('layerforge.layers.' + n)\n"
        "from layerforge.activations import gelu\n"
        "y, ctx = gelu.forward(np.ones((2, 3)))\n"
        "gelu.backward(np.ones((2, 3)), ctx)\n"
        "assert 'cupy' not in sys.modules, 'cupy was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT / "generated"), "PATH": ""})
    assert result.returncode == 0, result.stderr


# -- the primitive table's cuda fields -------------------------------------------------------


@pytest.mark.parametrize("entry, message", [
    ('foo: {kind: elementwise, args: [a], numpy: "{a}", cuda: "exp({b})", shape: broadcast}',
     "primitive 'foo'.cuda: '{b}' is not an operand"),
    ('foo: {kind: reduction, args: [a], numpy: "{a}", cuda: "{a}", shape: reduce}',
     "primitive 'foo'.cuda: only elementwise primitives have a C template"),
    ('foo: {kind: elementwise, args: [a], numpy: "{a}", cuda_helper: "int f();", shape: broadcast}',
     "primitive 'foo'.cuda_helper: needs a 'cuda' template that calls it"),
    ('foo: {kind: elementwise, args: [a], numpy: "{a}", cuda: "f({a})", cuda_helper: "int f();", shape: broadcast}',
     "primitive 'foo'.cuda_helper: must be a function template over T"),
    ('foo: {kind: special, args: [a], numpy: "{a}", cuda_row: "void f(const float* a);", shape: reduce}',
     "primitive 'foo'.cuda_row: must be 'template <typename T> __device__ void name(...)'"),
])
def test_bad_cuda_fields_are_spec_errors(tmp_path, entry, message):
    from transpiler.primitives import SpecError, load_primitives

    path = tmp_path / "primitives.yaml"
    path.write_text(entry + "\n")
    with pytest.raises(SpecError) as info:
        load_primitives(path, "primitives.yaml")
    assert message in str(info.value)


def test_row_maximum_starts_from_minus_infinity(host_cupy):
    """Softmax's row program on rows of very negative numbers (a maximum starting from 0 would
    leave every exponential 0, and 0 / 0), and NaN wins as in NumPy."""
    softmax = module(spec("softmax"))
    x = -1000 - np.random.default_rng(0).random((5, 7))
    x[2, 3] = np.nan
    got = softmax._softmax_fwd_0(x.view(kt.GpuLike))
    want = softmax.forward(x)[0]
    assert np.isnan(want[2]).all() and np.isfinite(np.delete(want, 2, axis=0)).all()
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "layer_normalization"])
def test_row_programs_on_rows_longer_than_the_registers(host_cupy, name):
    """Rows of 100 here (one thread per row: 32 elements in its registers, the other 68
    read from memory in every pass) against NumPy, forward and backward."""
    s = spec(name)
    rng = np.random.default_rng(1)
    arrays = {"x": rng.standard_normal((4, 100)) * 3, "weight": rng.standard_normal(100), "bias": rng.standard_normal(100)}
    given = [arrays[d.name] for d in s.arrays]
    mod = module(s)
    y_ref, ctx_ref = mod.forward(*given)
    y, ctx = mod.forward(*(a.view(kt.GpuLike) for a in given))
    np.testing.assert_allclose(np.asarray(y), y_ref, **TOL[np.float64])
    grad = rng.standard_normal(y_ref.shape)
    np.testing.assert_allclose(np.asarray(as_tuple(mod.backward(grad.view(kt.GpuLike), ctx))[0]),
                               as_tuple(mod.backward(grad, ctx_ref))[0], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("stride, padding, dilation", [(1, 1, 1), (1, 2, 2), (2, 1, 1)])
def test_convolution_window_layouts_on_the_cupy_path(host_cupy, stride, padding, dilation):
    """The convolution's helpers branch on the stride (implicit columns for stride 1): both
    branches of their CuPy twins against the NumPy module, forward and backward."""
    conv = module(spec("convolutional"))
    rng = np.random.default_rng(5)
    x, weight, bias = rng.standard_normal((3, 2, 9, 10)), rng.standard_normal((4, 2, 3, 2)), rng.standard_normal(4)
    attrs = {"stride": stride, "padding": padding, "dilation": dilation}
    y_ref, ctx_ref = conv.forward(x, weight, bias, **attrs)
    y, ctx = conv.forward(*(a.view(kt.GpuLike) for a in (x, weight, bias)), **attrs)
    dy = rng.standard_normal(y_ref.shape)
    for got, want in zip((y,) + conv.backward(dy.view(kt.GpuLike), ctx), (y_ref,) + conv.backward(dy, ctx_ref)):
        assert isinstance(got, kt.GpuLike)
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride, padding, output_padding, groups", [(1, 1, 0, 1), (2, 1, 1, 2), (3, 0, 2, 1)])
def test_transposed_convolution_on_the_cupy_path(host_cupy, stride, padding, output_padding, groups):
    """The transposed convolution runs the convolution's helpers with the roles swapped:
    their CuPy twins (both stride branches) against the NumPy module, forward and backward."""
    deconv = module(spec("deconvolutional"))
    rng = np.random.default_rng(6)
    x, weight, bias = rng.standard_normal((3, 4, 5, 6)), rng.standard_normal((4, 6 // groups, 3, 2)), rng.standard_normal(6)
    attrs = {"stride": stride, "padding": padding, "output_padding": output_padding, "groups": groups}
    y_ref, ctx_ref = deconv.forward(x, weight, bias, **attrs)
    y, ctx = deconv.forward(*(a.view(kt.GpuLike) for a in (x, weight, bias)), **attrs)
    dy = rng.standard_normal(y_ref.shape)
    for got, want in zip((y,) + deconv.backward(dy.view(kt.GpuLike), ctx), (y_ref,) + deconv.backward(dy, ctx_ref)):
        assert isinstance(got, kt.GpuLike)
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12, atol=1e-12)


def _kernel_launches(function) -> list[str]:
    """The module-level kernels a CuPy twin calls (``_<op>_..._fwd_0(...)``), in order."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(function))
    return [node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and isinstance(getattr(function.__globals__.get(node.func.id), "operation", None), str)]


@pytest.mark.parametrize("name, forward, backward", [("lstm", 1, 1), ("gru", 1, 2)])
def test_a_recurrent_step_is_one_fused_gate_kernel(name, forward, backward):
    """The CuPy twin of a step computes its gate math in one elementwise kernel besides the
    recurrent product (cuBLAS): the blocks of the packed gates are views of the hoisted input
    part, the product and the bias, summed inside the kernel (the packed sum and a kernel per
    gate were five launches per LSTM step). Backward: LSTM's gate gradients are one kernel;
    GRU's recurrent gradient adds the product's result in a second."""
    mod = module(spec(name))
    assert len(_kernel_launches(mod._cupy_forward_no_batch_first_step)) == forward
    assert len(_kernel_launches(mod._cupy_backward_no_batch_first_step)) == backward


def _launches(function) -> list:
    """The module-level kernel objects a CuPy twin calls, in order."""
    import ast
    import inspect

    kinds = kt.runtime_kernel_type()
    tree = ast.parse(inspect.getsource(function))
    return [function.__globals__[node.func.id] for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name) and isinstance(function.__globals__.get(node.func.id), kinds)]


def test_row_programs_replace_the_kernels_of_a_row():
    """Softmax forward (a maximum, exponentials, their sum, quotients: four kernels before)
    and backward are one row program each, which reads its row input once; layer norm's
    backward is one, its parameter gradients' sums over rows moved after it, reading the
    ``p`` it writes; a lone reduction stays a ReductionKernel (maxout's maximum)."""
    import inspect

    from layerforge._cupy_runtime import ReductionKernel, RowBlockKernel

    softmax = module(spec("softmax"))
    for twin in (softmax._cupy_forward, softmax._cupy_backward):
        assert [type(k) for k in _launches(twin)] == [RowBlockKernel]
    assert softmax._softmax_fwd_0.in_params == "row T x" and softmax._softmax_fwd_0.out_params == "row T y"
    assert softmax._softmax_fwd_0.body.count("_at.fill(_c_x") == 1  # loaded once, into registers
    norm = module(spec("layer_normalization"))
    source = inspect.getsource(norm._cupy_backward)
    assert [type(k) for k in _launches(norm._cupy_backward)] == [RowBlockKernel]
    assert source.index("_layer_normalization_bwd_0(") < source.index("_cupy_sum_to(p, weight.shape)")
    assert "row T p" in norm._layer_normalization_bwd_0.out_params
    assert "per_row T mu, per_row T rstd" in norm._layer_normalization_fwd_0.out_params
    assert type(_launches(module(spec("maxout"))._cupy_forward)[0]) is ReductionKernel


def test_row_registers_come_from_the_environment():
    """LAYERFORGE_ROW_REGISTERS sets a row program's cached elements per thread (the source's
    LF_CACHE, and the lanes a row gets); anything but a non-negative integer is refused by
    name when layerforge is imported."""
    code = ("from layerforge._cupy_runtime import RowBlockKernel as K; from layerforge.activations import softmax; "
            "print(K.cached, K('k', 'row T x', 'row T y', '').lanes(1024), "
            "'#define LF_CACHE 0' in softmax._softmax_fwd_0.source('float'))")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "generated")}
    done = subprocess.run([sys.executable, "-c", code], env={**env, "LAYERFORGE_ROW_REGISTERS": "0"},
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "32", "True"]  # no registers: a warp per row up to 1024
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["8", "128", "False"]
    refused = subprocess.run([sys.executable, "-c", code], env={**env, "LAYERFORGE_ROW_REGISTERS": "many"},
                             capture_output=True, text=True)
    assert refused.returncode and "LAYERFORGE_ROW_REGISTERS must be a non-negative integer, got 'many'" in refused.stderr


def test_sinking_blocks_is_the_cupy_twins_only():
    """The NumPy step keeps the packed form: one sum over the packed gates, then views."""
    import inspect

    source = inspect.getsource(module(spec("lstm"))._forward_no_batch_first_step)
    assert source.count("_chunk(gates, 4,") == 4
def test_lambda_on_the_cupy_path(host_cupy):
    """lambda_ composes a user's function (array operations, which CuPy arrays dispatch) with
    an activation's CuPy variant (tanh's kernels, emulated): forward and backward as NumPy's."""
    from layerforge.layers import lambda_

    rng = np.random.default_rng(9)
    x, g = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    keywords = dict(function=lambda v: np.sin(v) * v, derivative=lambda v, grad: grad * (np.cos(v) * v + np.sin(v)),
                    activation="tanh")
    y_ref, ctx_ref = lambda_.forward(x, **keywords)
    y, ctx = lambda_.forward(x.view(kt.GpuLike), **keywords)
    assert isinstance(y, kt.GpuLike)
    np.testing.assert_allclose(np.asarray(y), y_ref, rtol=1e-14, atol=1e-15)  # float64: the same math
    grad = lambda_.backward(g.view(kt.GpuLike), ctx)
    np.testing.assert_allclose(np.asarray(grad), lambda_.backward(g, ctx_ref), rtol=1e-13, atol=1e-15)


def test_bidirectional_on_the_cupy_path(host_cupy):
    """bidirectional runs its inner layer's CuPy variants on the reversed (negatively strided)
    sequence and merges with array functions that CuPy arrays dispatch: against the NumPy
    module, forward and backward, an LSTM with initial states, batch first."""
    from layerforge.layers import bidirectional

    rng = np.random.default_rng(8)
    shapes = [(8, 3), (8, 2), (8,), (8,)]
    arrays = [rng.standard_normal((2, 4, 3))] + [rng.standard_normal(s) for s in shapes * 2]
    states = tuple(rng.standard_normal((2, 2, 2)) for _ in range(2))
    keywords = dict(layer="lstm", batch_first=True)
    outs_ref, ctx_ref = bidirectional.forward(*arrays, states=states, **keywords)
    outs, ctx = bidirectional.forward(*(a.view(kt.GpuLike) for a in arrays),
                                      states=tuple(s.view(kt.GpuLike) for s in states), **keywords)
    grads = [rng.standard_normal(o.shape) for o in outs_ref]
    got = outs + bidirectional.backward(*(g.view(kt.GpuLike) for g in grads), ctx)
    want = outs_ref + bidirectional.backward(*grads, ctx_ref)
    assert len(got) == len(want) == 14
    for a, b in zip(got, want):
        assert isinstance(a, kt.GpuLike)
        np.testing.assert_allclose(np.asarray(a), b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kinds, causal", [(("bool", "bool"), True), (("float", "float"), False), (("bool", None), False),
                                           ((None, "float"), True)])
def test_masks_fold_into_the_softmax_row_kernel(host_cupy, kinds, causal, dtype):
    """Attention's masking steps are operands of the softmax's row kernel (no array call per
    mask over the [batch, heads, S, S] scores); bool and float attn_mask and key_padding_mask,
    causal, and a query that sees no key (zeros), against the NumPy module."""
    mha = module(spec("multi_head_attention"))
    cupy_source = "\n".join(line for line in open(mha.__file__) if "_cupy_apply_mask(" in line)
    assert not cupy_source, "the CuPy twins still mask the scores by array calls"
    assert mha._multi_head_attention_causal_fwd_4.masks == ("mask", "key_padding", "causal")
    rng = np.random.default_rng(4)
    batch, length, width = 2, 5, 8
    x = rng.standard_normal((batch, length, width)).astype(dtype)
    shapes = ((3 * width, width), (3 * width,), (width, width), (width,))
    params = [rng.standard_normal(shape).astype(dtype) * 0.3 for shape in shapes]
    hidden = rng.random((length, length)) < 0.3
    hidden[:, 0] = False
    padding = np.zeros((batch, length), dtype=bool)
    padding[0, 3:] = True
    masks = []
    for kind, bool_mask in zip(kinds, (hidden, padding)):
        if kind is None:
            masks.append(None)
        elif kind == "bool":
            masks.append(bool_mask)
        else:  # additive: -inf where hidden, small offsets elsewhere
            masks.append(np.where(bool_mask, -np.inf, rng.uniform(-0.5, 0.5, bool_mask.shape)).astype(dtype))
    if kinds[1] is not None:  # every key of the second image hidden: its queries get zeros
        masks[1] = masks[1].copy()
        if masks[1].dtype == bool:
            masks[1][1] = True
        else:
            masks[1][1] = -np.inf
    y_ref, ctx_ref = mha.forward(x, *params, None, *masks, num_heads=2, causal=causal)
    on_device = [None if m is None else m.view(kt.GpuLike) for m in masks]
    y, ctx = mha.forward(x.view(kt.GpuLike), *(p.view(kt.GpuLike) for p in params), None, *on_device, num_heads=2,
                         causal=causal)
    assert isinstance(y, kt.GpuLike)
    np.testing.assert_allclose(np.asarray(y), y_ref, **TOL[dtype])
    dy = rng.standard_normal(y_ref.shape).astype(dtype)
    for got, want in zip(mha.backward(dy.view(kt.GpuLike), ctx), mha.backward(dy, ctx_ref)):
        if want is None:
            assert got is None
            continue
        floor = TOL[dtype]["atol"] * max(1.0, float(np.abs(want).max()))
        np.testing.assert_allclose(np.asarray(got), want, rtol=TOL[dtype]["rtol"], atol=floor)
