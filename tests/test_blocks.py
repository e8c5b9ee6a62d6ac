"""Blocked execution (``in_row_blocks``): large inputs run block by block along the leading
axis and must give exactly what one call over the whole array gives."""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import threading

import numpy as np
import pytest
from harness import PATHS, ROOT, as_tuple, attributes, catalog, grad_outputs, make_arrays, module, run_forward, spec

import layerforge._runtime as runtime
from transpiler import pipeline
from transpiler.codegen import blocking
from transpiler.errors import Collector
from transpiler.ir import Const


@contextlib.contextmanager
def on_threads(count: int):
    """layerforge on ``count`` threads inside the block, its default after."""
    runtime.set_num_threads(count)
    try:
        yield
    finally:
        runtime.set_num_threads(runtime._default_threads())


def blocked_ops() -> list[str]:
    cat = catalog()
    chosen = {name: blocking(s, pipeline.compile_op(s, cat, Collector()), cat.prims) for name, s in cat.ops.items()}
    return sorted(name for name, b in chosen.items() if b.forward or b.backward)


def _compiled(name: str):
    cat = catalog()
    return cat.ops[name], pipeline.compile_op(cat.ops[name], cat, Collector()), cat.prims


def test_the_size_of_the_leading_axis_is_not_row_local():
    s, compiled, prims = _compiled("layer_normalization")
    forward = compiled[0].forward
    assert forward.row_sums() == 0
    sizes = [stmt for stmt in forward.body if stmt.prim == "axis_size"]
    assert sizes  # F, the size of x's last axis: the same in every block ...
    leading = dataclasses.replace(sizes[0], statics=(("axis", Const(0)),))
    forward.body[forward.body.index(sizes[0])] = leading
    assert forward.row_sums() is None  # ... but the number of rows is not


def test_the_elementwise_and_row_activations_are_blocked():
    names = blocked_ops()
    assert {"gelu", "elu", "softmax", "log_softmax", "maxout", "sparsemax", "mish"} <= set(names)
    assert "layer_normalization" in names  # its parameter gradients are sums over rows
    assert blocking(*_compiled("layer_normalization")).forward  # F = x.shape[-1] in every block
    # random draws shaped like the rows are blocked (drawn in order: the same numbers) ...
    assert {"gumbel_softmax", "rrelu", "dropout"} <= set(names)
    # ... reductions over the batch stay in one call
    assert not {"dense", "batch_normalization"} & set(names)
    for name in names:
        assert "in_row_blocks(" in (PATHS.generated / pipeline.module_path(spec(name))).read_text()


def _run(s, arrays, attrs):
    outputs, ctx = run_forward(s, arrays, attrs)
    rng = np.random.default_rng(7)
    grads = tuple(rng.standard_normal(o.shape).astype(o.dtype) for o in grad_outputs(s, outputs))
    return as_tuple(outputs), as_tuple(module(s).backward(*grads, ctx)), ctx


@pytest.mark.parametrize("name", blocked_ops())
@pytest.mark.parametrize("lead", [(1031,), (37, 29)])
def test_blocked_equals_one_call(name, lead, monkeypatch):
    s = spec(name)
    arrays = make_arrays(s, int(np.prod(lead)), np.float64, seed=3)
    arrays = {d.name: arrays[d.name].reshape(*lead, *arrays[d.name].shape[1:]) if d.shape.ellipsis else arrays[d.name]
              for d in s.arrays}
    width = arrays[s.arrays[0].name].size // lead[0]
    monkeypatch.setattr(runtime, "BLOCK_BYTES", 8 * (3 * width + 5))  # several blocks, a short last one
    assert arrays[s.arrays[0].name].nbytes >= 4 * runtime.BLOCK_BYTES
    attrs = attributes(s)
    outputs, grads, ctx = _run(s, arrays, attrs)
    monkeypatch.setattr(runtime, "BLOCK_BYTES", 10**12)  # one call
    expected_outputs, expected_grads, _ = _run(s, arrays, attrs)
    row_sums = len(s.parameters)  # parameter gradients: partial sums per block, added up
    for i, (got, want) in enumerate(zip(outputs + grads, expected_outputs + expected_grads)):
        assert got.shape == want.shape and got.dtype == want.dtype
        if i >= len(outputs + grads) - row_sums:
            np.testing.assert_allclose(got, want, rtol=1e-12)  # float64, another summation order
        else:
            np.testing.assert_array_equal(got, want)
    saved = ctx[1]
    for value in saved:  # inputs saved for backward are the caller's arrays, not copies
        for array in arrays.values():
            if isinstance(value, np.ndarray) and value.shape == array.shape and np.array_equal(value, array):
                assert value is array


@pytest.mark.parametrize("activation, options", [("elu", {"alpha": 0.5}), ("softsign", {})])
def test_a_slot_layer_runs_fused_variants_blocked_and_composed_ones_whole(activation, options, monkeypatch):
    """multiply's fused variants run block by block with the activation's attributes passed
    to every block; a composed activation (softsign) keeps whole arrays in its context."""
    s = spec("multiply")
    arrays = make_arrays(s, 1031, np.float64, seed=4)
    attrs = {"activation": activation, "activation_options": options}
    monkeypatch.setattr(runtime, "BLOCK_BYTES", 8 * (3 * arrays["a"][0].size + 5))
    outputs, grads, _ = _run(s, arrays, attrs)
    monkeypatch.setattr(runtime, "BLOCK_BYTES", 10**12)
    expected_outputs, expected_grads, _ = _run(s, arrays, attrs)
    for got, want in zip(outputs + grads, expected_outputs + expected_grads):
        np.testing.assert_array_equal(got, want)
    product = arrays["a"] * arrays["b"]
    want = np.where(product > 0, product, 0.5 * np.expm1(product)) if activation == "elu" else product / (1 + np.abs(product))
    np.testing.assert_allclose(outputs[0], want, rtol=1e-12, atol=1e-15)


def test_runner_passes_small_one_dimensional_and_foreign_arrays_whole():
    calls = []

    def kernel(rows, *args):
        calls.append(rows.shape)
        return rows * 2

    runtime.in_row_blocks(kernel, np.ones(10))
    runtime.in_row_blocks(kernel, np.ones(runtime.BLOCK_BYTES))  # 1-D: no rows to cut
    runtime.in_row_blocks(kernel, np.ones((4, 1000)))  # small
    assert calls == [(10,), (runtime.BLOCK_BYTES,), (4, 1000)]


def test_runner_results_argument_repeat_and_value():
    rows = np.arange(8 * 4 * 65536, dtype=np.float64).reshape(8 * 64, 4096)
    scale = np.full(4096, 2.0)

    def kernel(x, s, k):
        y = x * s
        return y, (x, y, s, k, x[:, :1].copy())

    y, (x, y_again, s, k, first) = runtime.in_row_blocks(kernel, rows, scale, 3.5)
    np.testing.assert_array_equal(y, rows * scale)
    assert x is rows and y_again is y and s is scale and k == 3.5
    np.testing.assert_array_equal(first, rows[:, :1])


def test_runner_hands_out_buffers_result_by_result():
    """``outs`` names a buffer per result, None where a result has none: a saved value gets
    its block's slice of the full array to write into, as an output does."""
    rows = np.arange(8 * 4 * 65536, dtype=np.float64).reshape(8 * 64, 4096)
    given = []

    def kernel(x, *, out_y=None, out_scaled=None):
        given.append((out_y is None, out_scaled is None))
        scaled = np.multiply(x, 2.0, out=out_scaled)
        return np.add(scaled, 1.0, out=out_y), (x, scaled)

    y, (x, scaled) = runtime.in_row_blocks(kernel, rows, outs=("out_y", None, "out_scaled"))
    np.testing.assert_array_equal(y, rows * 2 + 1)
    np.testing.assert_array_equal(scaled, rows * 2)
    assert x is rows and given[0] == (True, True) and set(given[1:]) == {(False, False)}


def test_saved_values_are_written_into_the_full_arrays():
    """Layer norm's blocks write y and the saved rstd straight into the full arrays (x and
    weight are the caller's and have no buffer; the row means, a new array of NumPy's
    mean, are copied in)."""
    b = blocking(*_compiled("layer_normalization"))
    assert b.forward_outs == ("out_y", None, None, None, "out_rstd")
    assert b.backward_outs == ("out_grad_x",)


def test_runner_adds_up_row_sums():
    rows = np.random.default_rng(0).standard_normal((1000, 600))

    def kernel(grad, x):
        return grad * x, np.sum(grad * x, axis=0), np.sum(grad, axis=0)

    grad_x, grad_w, grad_b = runtime.in_row_blocks(kernel, rows, rows, sums=2)
    np.testing.assert_array_equal(grad_x, rows * rows)
    np.testing.assert_allclose(grad_w, np.sum(rows * rows, axis=0), rtol=1e-12)
    np.testing.assert_allclose(grad_b, np.sum(rows, axis=0), rtol=1e-12)


@pytest.mark.parametrize("threads", [1, 2, 3, 7])
def test_threads_give_each_block_once_and_sums_in_a_fixed_order(threads, monkeypatch):
    rows = np.random.default_rng(1).standard_normal((1000, 600))
    seen = []

    def kernel(grad, x):
        seen.append(len(grad))
        return grad * x, np.sum(grad * x, axis=0)

    monkeypatch.setattr(runtime, "BLOCK_BYTES", 8 * 600 * 37)  # 28 blocks, a short last one
    with on_threads(threads):
        grad_x, grad_w = runtime.in_row_blocks(kernel, rows, rows, sums=1)
        again_x, again_w = runtime.in_row_blocks(kernel, rows, rows, sums=1)
    assert sorted(seen[: len(seen) // 2]) == sorted([37] * 27 + [1000 - 27 * 37])
    np.testing.assert_array_equal(grad_x, rows * rows)
    np.testing.assert_allclose(grad_w, np.sum(rows * rows, axis=0), rtol=1e-12)
    np.testing.assert_array_equal(again_w, grad_w)  # the same thread count, the same sums
    np.testing.assert_array_equal(again_x, grad_x)


@pytest.mark.parametrize("name, count, attrs", [
    ("layer_normalization", 1031, {}),  # blocks of rows, with row sums
    ("convolutional", 5, {"padding": 1, "dilation": 2}),  # images (in_chunks), with sums over images
    ("upsampling", 5, {}),  # images (in_chunks), each written by one call
])
def test_results_agree_across_thread_counts(name, count, attrs, monkeypatch):
    s = spec(name)
    arrays = make_arrays(s, count, np.float64, seed=5)
    monkeypatch.setattr(runtime, "BLOCK_BYTES", 8 * (3 * arrays["x"][0].size + 5))
    results = []
    for count in (1, 4):
        with on_threads(count):
            results.append(_run(s, arrays, {**attributes(s), **attrs}))
    (out_1, grads_1, _), (out_4, grads_4, _) = results
    np.testing.assert_array_equal(out_1[0], out_4[0])
    np.testing.assert_array_equal(grads_1[0], grads_4[0])  # grad_x: row by row or image by image, exact
    for got, want in zip(grads_4[1:], grads_1[1:]):  # parameter gradients: another order of sums
        np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("threads", [1, 2, 3, 7])
def test_chunks_take_each_item_once_and_add_in_a_fixed_order(threads):
    values = np.random.default_rng(2).standard_normal((23, 5))
    written = np.zeros_like(values)
    calls = []

    def task(first, last):
        calls.append((first, last, threading.current_thread().name))
        written[first:last] = 2 * values[first:last]
        return values[first:last].sum(axis=0)

    with on_threads(threads):
        total = runtime.in_chunks(task, 23, values)
        again = runtime.in_chunks(task, 23, values)
    assert sorted((first, last) for first, last, _ in calls[:23]) == [(i, i + 1) for i in range(23)]
    names = {name for _, _, name in calls}
    assert threading.current_thread().name in names and (len(names) > 1) == (threads > 1)
    np.testing.assert_array_equal(written, 2 * values)
    np.testing.assert_allclose(total, values.sum(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(again, total)  # the same thread count, the same sums
    assert runtime.in_chunks(lambda first, last: None, 23, values) is None


def test_chunks_of_a_foreign_array_or_one_item_are_one_call():
    calls = []

    def task(first, last):
        calls.append((first, last))
        return np.ones(2)

    np.testing.assert_array_equal(runtime.in_chunks(task, 9, [1.0, 2.0]), np.ones(2))
    np.testing.assert_array_equal(runtime.in_chunks(task, 1, np.ones(3)), np.ones(2))
    assert calls == [(0, 9), (0, 1)]


def controlled_blas_threads():
    """The thread counts of the BLAS libraries the runtime controls: those loaded when it first
    needed BLAS (NumPy's among them). A BLAS loaded later by another package (SciPy's own
    OpenBLAS, through scikit-learn in other tests) is not one generated code calls."""
    pytest.importorskip("threadpoolctl")
    controller = runtime._blas()
    counts = [lib.num_threads for lib in controller.select(user_api="blas").lib_controllers] if controller else []
    if not counts:
        pytest.skip("NumPy's BLAS is not one that threadpoolctl controls")
    return counts


def test_blas_keeps_to_one_thread_while_layerforge_threads_run():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    controlled_blas_threads()
    seen = []

    def task(first, last):
        seen.append(max(controlled_blas_threads()))

    with on_threads(2):
        before = threadpoolctl.threadpool_info()
        runtime.in_chunks(task, 4, np.ones(4))
        assert threadpoolctl.threadpool_info() == before  # restored afterwards
    assert seen == [1, 1, 1, 1]


def test_blas_limit_is_the_main_thread_s_and_always_lifted():
    """The main thread and another of the caller's threads inside in_chunks at once: the main
    thread's call keeps BLAS to one thread, the other's leaves the count alone, and BLAS has
    its own count back once both are done."""

    def blas_threads():
        return max(controlled_blas_threads())

    before = blas_threads()
    both_inside = threading.Barrier(2)
    seen = {}

    def task(first, last):
        if first == 0:  # each caller's first item, on its own thread: meet the other one
            both_inside.wait(timeout=10)
        seen.setdefault(threading.current_thread().name, []).append(blas_threads())

    with on_threads(2):
        other = threading.Thread(target=runtime.in_chunks, args=(task, 4, np.ones(4)), name="other caller")
        other.start()
        runtime.in_chunks(task, 4, np.ones(4))
        other.join(timeout=30)
    assert set(seen[threading.main_thread().name]) == {1}  # each item it took, BLAS on one thread
    assert seen["other caller"] and sum(len(v) for v in seen.values()) == 8
    assert blas_threads() == before


def test_set_num_threads_bounds_blas_too():
    """One owner of the threads: set_num_threads(n) gives BLAS n threads for the products it
    shares out itself, so that set_num_threads(1) means one thread everywhere; a block of
    in_chunks keeps it to one and then gives it back that count."""
    controlled_blas_threads()
    seen = []
    for count in (1, 2, 1):
        with on_threads(count):
            assert controlled_blas_threads() == [count] * len(controlled_blas_threads())
            runtime.in_chunks(lambda first, last: seen.append(max(controlled_blas_threads())), 4, np.ones(4))
            assert max(controlled_blas_threads()) == count
    assert seen == [1] * 12


def test_layerforge_num_threads_bounds_blas_from_the_start():
    """LAYERFORGE_NUM_THREADS is read when layerforge is imported: BLAS gets that count too."""
    import os
    import subprocess
    import sys

    pytest.importorskip("threadpoolctl")
    code = ("import numpy, threadpoolctl, layerforge; "
            "print(layerforge.get_num_threads(), "
            "sorted({i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas'}))")
    env = dict(os.environ, LAYERFORGE_NUM_THREADS="1", OPENBLAS_NUM_THREADS="2",
               PYTHONPATH=os.pathsep.join([str(ROOT / "generated"), str(ROOT)]))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    count, blas = done.stdout.split(" ", 1)
    assert count == "1" and blas.strip() in ("[1]", "[]")


def test_blas_on_one_thread_holds_blas_through_the_call():
    """A function decorated with blas_on_one_thread (a forward or backward whose products
    run on layerforge's threads) runs with BLAS on one thread throughout when layerforge runs
    more than one; BLAS has its count back after, also when the function raises."""
    controlled_blas_threads()

    @runtime.blas_on_one_thread
    def step(fail=False):
        """doc"""
        if fail:
            raise KeyError("fails")
        return max(controlled_blas_threads())

    assert step.__doc__ == "doc" and step.__name__ == "step"
    with on_threads(2):
        assert step() == 1
        assert max(controlled_blas_threads()) == 2
        with pytest.raises(KeyError):
            step(fail=True)
        assert max(controlled_blas_threads()) == 2
    with on_threads(1):
        assert step() == 1


@pytest.mark.parametrize("rows", [100, 300])
def test_in_row_products_is_the_product_on_any_thread_count(rows):
    """in_row_products(a, b) is a @ b, blocks of rows on the threads (a transposed view as
    well); the same numbers on one and two threads. Fewer rows than two blocks: one product."""
    rng = np.random.default_rng(0)
    a, b, c = rng.standard_normal((rows, 70)), rng.standard_normal((50, 70)), rng.standard_normal((70, rows))
    results = []
    for count in (1, 2):
        with on_threads(count):
            results.append((runtime.in_row_products(a, b.T), runtime.in_row_products(c.T, b.T)))
    # float64 products of 70 terms of size ~1: rounding near 1e-14
    np.testing.assert_allclose(results[0][0], np.einsum("rk,nk->rn", a, b), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(results[0][1], np.einsum("kr,nk->rn", c, b), rtol=1e-12, atol=1e-12)
    for ours, again in zip(results[0], results[1]):
        np.testing.assert_array_equal(ours, again)
    if rows < 2 * runtime.PRODUCT_ROWS[0]:
        np.testing.assert_array_equal(results[0][0], a @ b.T)


def test_a_forked_child_runs_blocks_on_threads_of_its_own():
    import multiprocessing

    rows = np.arange(8000.0).reshape(800, 10)
    with on_threads(2):
        runtime.in_chunks(lambda first, last: None, 4, rows)  # the parent's pool is started
        context = multiprocessing.get_context("fork")
        with context.Pool(1) as pool:
            total = pool.apply(runtime.in_chunks, (_row_sums, 800, rows))
    np.testing.assert_array_equal(total, rows.sum(axis=0))


def _row_sums(first, last):
    return np.arange(8000.0).reshape(800, 10)[first:last].sum(axis=0)


def test_a_kernel_error_in_a_worker_reaches_the_caller(monkeypatch):
    monkeypatch.setattr(runtime, "BLOCK_BYTES", 8 * 100)

    def kernel(x):
        if x[0, 0] > 500:
            raise FloatingPointError("bad block")
        return x + 1

    with on_threads(2), pytest.raises(FloatingPointError, match="bad block"):
        runtime.in_row_blocks(kernel, np.arange(1000.0).reshape(100, 10))


def test_thread_count_is_checked_and_read_from_the_environment(monkeypatch):
    import layerforge

    assert layerforge.set_num_threads is runtime.set_num_threads
    for bad in (0, -1, 1.5, "2", True):
        with pytest.raises(ValueError, match="set_num_threads: count must be a positive integer"):
            runtime.set_num_threads(bad)
    monkeypatch.setenv("LAYERFORGE_NUM_THREADS", "3")
    assert runtime._default_threads() == 3
    monkeypatch.setenv("LAYERFORGE_NUM_THREADS", "many")
    with pytest.raises(ValueError, match="LAYERFORGE_NUM_THREADS must be a positive integer, got 'many'"):
        runtime._default_threads()
    monkeypatch.delenv("LAYERFORGE_NUM_THREADS")
    assert runtime._default_threads() >= 1


def test_random_blocks_draw_in_order_on_the_calling_thread(monkeypatch):
    """Blocks with ``rng`` run in order on the calling thread, whatever the thread count. A
    Generator consumes its stream element by element, so one draw per kernel gives the
    numbers of one call; two draws interleave block by block (why the transpiler blocks
    only kernels that draw once)."""
    monkeypatch.setattr(runtime, "BLOCK_BYTES", 4 * 7 * 37)
    threads = set()

    def kernel(rng, x, scale):
        threads.add(threading.get_ident())
        return x + scale * rng.random(x.shape, dtype=x.dtype), rng.standard_normal(x.shape)

    rows = np.zeros((1001, 37), np.float32)
    with on_threads(3):
        noisy, normal = runtime.in_row_blocks(kernel, rows, 2.0, rng=np.random.default_rng(11))
    rng = np.random.default_rng(11)
    first = 2.0 * rng.random((7, 37), dtype=np.float32)
    assert threads == {threading.get_ident()}
    np.testing.assert_array_equal(noisy[:7], first)
    whole_rng = np.random.default_rng(11)
    expected_noisy, expected_normal = kernel(whole_rng, rows, 2.0)
    assert not np.array_equal(noisy, expected_noisy)  # one call draws uniform, then normal ...
    blocks = np.random.default_rng(11)
    by_block = [kernel(blocks, rows[i:i + 7], 2.0) for i in range(0, 1001, 7)]  # ... blocks alternate
    np.testing.assert_array_equal(noisy, np.concatenate([b[0] for b in by_block]))
    np.testing.assert_array_equal(normal, np.concatenate([b[1] for b in by_block]))


def test_every_out_buffer_parameter_is_written():
    """Blocked functions take ``out_<output>`` buffers only where the passes write the
    output into them (else the parameter would be dead code and each block copied); a
    variant without an optional array may return another value where its full variant
    returns ``<output>`` (layer norm without weight and bias returns normalized as y), and
    then leaves that buffer alone: in_row_blocks copies its own value in."""
    import ast

    seen = 0
    for name in blocked_ops():
        tree = ast.parse((PATHS.generated / pipeline.module_path(spec(name))).read_text())
        kernels = (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                   and node.name.startswith(("_forward", "_backward")))
        without = tuple(f"_no_{d.name}" for d in spec(name).optional)
        for fn in kernels:
            for param in fn.args.kwonlyargs:
                assert param.arg.startswith("out_"), (name, fn.name, param.arg)
                uses = [node for node in ast.walk(fn) if isinstance(node, ast.keyword) and node.arg == "out"
                        and isinstance(node.value, ast.Name) and node.value.id == param.arg]
                made = any(isinstance(node, ast.Name) and node.id == param.arg[4:] and isinstance(node.ctx, ast.Store)
                           for node in ast.walk(fn))
                if without and any(w in fn.name for w in without) and not made:
                    assert not uses, (name, fn.name, param.arg)
                    continue
                assert len(uses) == 1, (name, fn.name, param.arg)
                seen += 1
    assert seen >= 60


def test_a_loop_of_small_products_holds_blas_on_one_thread(monkeypatch):
    """The CRF's forward algorithm runs log_matmul_exp (owns_threads) once per time step, in
    the parts its scan calls: its forward and backward keep BLAS to one thread throughout
    on two threads (BLAS would otherwise wake and park its threads at every step)."""
    controlled_blas_threads()
    crf = module(spec("conditional_random_field"))
    seen = []
    for name in ("_log_matmul_exp", "_log_matmul_exp_grad_a", "_log_matmul_exp_grad_b"):
        original = getattr(crf, name)

        def watched(*args, _original=original):
            seen.append(max(controlled_blas_threads()))
            return _original(*args)

        monkeypatch.setattr(crf, name, watched)
    rng = np.random.default_rng(0)
    emissions, tags = rng.standard_normal((3, 4, 5)), rng.integers(0, 5, (3, 4))
    start, end, transitions = rng.standard_normal(5), rng.standard_normal(5), rng.standard_normal((5, 5))
    with on_threads(2):
        nll, ctx = crf.forward(emissions, tags, start, end, transitions)
        crf.backward(np.ones_like(nll), ctx)
        assert max(controlled_blas_threads()) == 2
    assert len(seen) >= 4 and set(seen) == {1}
# -- batched parts (transpiler/batched.py) ---------------------------------------------------


def test_graph_attention_s_attention_core_is_a_batched_part():
    """The scores, mask, softmax and the products around them run as one part in forward (the
    adjacency, of fewer named axes, cut along the same batch axis); the permuted attention
    vectors are made ahead of it and passed whole; backward's part ends in att_dst's gradient,
    a sum over the blocks. A random draw (dropout) is never inside a part."""
    from transpiler.batched import split

    s, compiled, prims = _compiled("graph_attention")
    plain = next(c for c in compiled if not c.variant.absent and dict(c.variant.structural)["training"] is False)
    (part,) = split(plain.forward, prims, plain.saved)
    body = [stmt.prim for stmt in part.function.body]
    assert body[:2] == ["bmm", "bmm"] and {"masked_softmax", "apply_mask", "where", "mean"} <= set(body)
    assert dict(zip(part.function.params, part.named))["adjacency"] == 2
    assert [stmt.prim for stmt in part.before] == ["permute", "permute"]
    assert all(part.named[part.function.params.index(p)] is None for p in ("_t1", "_t2"))
    backward_parts = split(plain.backward, prims)
    assert [p.sums for p in backward_parts] == [1]
    dropped = next(c for c in compiled if not c.variant.absent and dict(c.variant.structural)["training"] is True)
    for p in split(dropped.forward, prims, dropped.saved):
        assert all(prims[stmt.prim].kind != "random" for stmt in p.function.body)


def test_runner_cuts_batched_arguments_by_their_named_axes(monkeypatch):
    """``named``: a batched argument of fewer axes than the rows is cut along the batch axis
    too, an array passed whole is not even where its first size is the batch's, the calling
    thread computes the first block, and without batch axes the kernel runs in one call."""
    rng = np.random.default_rng(3)
    scores, mask, whole = rng.standard_normal((6, 4, 6, 6)), rng.random((6, 6, 6)) < 0.5, rng.standard_normal((6, 6))
    calls = []

    def kernel(scores, mask, whole):
        calls.append((len(scores), threading.current_thread() is threading.main_thread()))
        return np.where(np.expand_dims(mask, -3), scores, 0.0) + whole, np.sum(scores, axis=(0, 1))

    expected = np.where(mask[:, None], scores, 0.0) + whole
    monkeypatch.setattr(runtime, "BLOCK_BYTES", scores[0].nbytes)  # a block a batch item
    with on_threads(2):
        y, total = runtime.in_row_blocks(kernel, scores, mask, whole, sums=1, named=(3, 2, None))
    np.testing.assert_array_equal(y, expected)
    np.testing.assert_allclose(total, np.sum(scores, axis=(0, 1)), rtol=1e-12)
    assert [n for n, _ in calls] == [1] * 6
    assert calls[0][1]  # the first block, on this thread (the others as the threads take them)
    calls.clear()
    y, _ = runtime.in_row_blocks(kernel, scores[0], mask[0], whole[0], sums=1, named=(3, 2, None))
    assert [n for n, _ in calls] == [4]  # no batch axes: one call


@pytest.mark.parametrize("name, lead", [("graph_attention", (5,)), ("graph_attention", ()),
                                        ("multi_head_attention", (3,))])
def test_batched_parts_agree_across_thread_counts(name, lead, monkeypatch):
    """Blocks of one batch item on 1 and 3 threads against one call: outputs and the input's
    gradient exactly, parameter gradients (sums over the blocks) to rounding; a graph without
    a batch axis runs in one call."""
    s = spec(name)
    arrays = make_arrays(s, lead[0] if lead else 1, np.float64, seed=5)
    if not lead:
        arrays = {k: (v[0] if k in ("x", "adjacency") else v) for k, v in arrays.items()}
    whole = _run(s, arrays, attributes(s))
    monkeypatch.setattr(runtime, "BLOCK_BYTES", 64)
    shared, blocked = runtime._on_threads, []

    def on_threads_seen(run, items, serial=False):
        blocked.append(sys._getframe(1).f_locals.get("named") is not None)  # from a batched part's in_row_blocks
        return shared(run, items, serial)

    monkeypatch.setattr(runtime, "_on_threads", on_threads_seen)
    for count in (1, 3):
        with on_threads(count):
            out, grads, _ = _run(s, arrays, attributes(s))
        assert (True in blocked) == bool(lead)  # the parts ran block by block (not without a batch axis)
        blocked.clear()
        np.testing.assert_array_equal(out[0], whole[0][0])
        for got, want in zip(grads, whole[1]):
            if got is not None:
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_what_mixes_batch_items_is_never_in_a_batched_part():
    """A reduction over an axis of the batch, a random draw and the heads' projection (a
    product over the whole batch's rows) are not local to a batch item; the mean over the
    heads (a named axis) is."""
    from transpiler.batched import batch_local

    s, compiled, prims = _compiled("graph_attention")
    dropped = next(c for c in compiled if not c.variant.absent and dict(c.variant.structural)["training"] is True)
    forward = dropped.forward
    by_prim = {stmt.prim: stmt for stmt in forward.body}
    assert batch_local(forward, by_prim["mean"], prims)  # over the heads, axis -3
    assert not batch_local(forward, dataclasses.replace(by_prim["mean"], statics=(("axis", Const(-5)),)), prims)
    assert not batch_local(forward, dataclasses.replace(by_prim["mean"], statics=(("axis", Const(0)),)), prims)
    assert not batch_local(forward, by_prim["dropout_mask"], prims)
    assert not batch_local(forward, by_prim["linear_heads"], prims)


def test_copy_by_images_is_a_contiguous_copy_on_any_thread_count():
    """copy_by_images(view) of a transposed view of a batch (pixel shuffle's) equals its
    C-ordered copy on one and two threads, and is C-contiguous."""
    x = np.arange(6 * 8 * 4 * 4, dtype=np.float32).reshape(6, 2, 2, 2, 4, 4)
    view = x.transpose(0, 1, 4, 2, 5, 3)
    for count in (1, 2):
        with on_threads(count):
            copied = runtime.copy_by_images(view)
        assert copied.flags.c_contiguous and copied.dtype == x.dtype
        np.testing.assert_array_equal(copied, np.ascontiguousarray(view))
