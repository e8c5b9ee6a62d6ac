"""GPU check: CuPy-vs-NumPy parity for every generated op, then the GPU benchmark.

    python scripts/gpu_check.py [--out results/gpu] [--ops NAME ...] [--repeat N] [--jobs N]
                                [--skip-parity] [--skip-bench] [--skip-layers]

Needs CuPy and a CUDA device (``make gpu`` installs the ``cupy`` extra first); PyTorch with
CUDA is the baseline of the benchmark, in the same process and on the same arrays.

Parity: every op and variant of the package (every fused activation of Dense, every
structural attribute), float32 and float64, forward and backward, CuPy against the NumPy
module on the same inputs. Tolerances by dtype: float64 rtol 1e-9, float32 rtol 1e-4
(CUDA contracts a*b+c into FMAs, its exp/tanh are within 2 ulp, and row sums run in another
order). A float32 result outside that (a sum of many terms, whose rounding is of the size of
the terms: a recurrence over its steps, attention's products) passes when CuPy's is as close
to NumPy's float64 result as NumPy's float32 one is, within a factor of 2. Random ops in training mode draw from CuPy's generator, so only shapes, dtypes and
finiteness are checked there.

Benchmark (float32): each activation on 2^26 elements (65536 rows of 1024), Dense on
x 8192x4096 by weight 4096x4096, forward and backward timed apart and together (median of
CUDA-event timings after a warm-up), against PyTorch eager CUDA, with the device-to-device
copy bandwidth measured alongside. Effective bandwidth is counted on minimum traffic: forward
reads x and writes y, backward reads x and dy and writes dx. Then the layer rows of
``scripts/bench.py`` (its shapes, its PyTorch computations) on CuPy arrays against the same
computation on CUDA tensors, forward + backward, TF32 off on both sides.

``--jobs N`` checks parity in N processes (NVRTC compiles different ops' kernels at once).

Writes <out>/gpu_check.json and <out>/gpu_check.md (meant to be committed); exits 1 if any
parity check fails.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "generated"), str(ROOT)]

from transpiler.codegen import slot_is_final  # noqa: E402
from harness import as_tuple, attributes, grad_outputs, make_arrays, module, modes, names, spec  # noqa: E402

TOL = {np.float64: dict(rtol=1e-9, atol=1e-12), np.float32: dict(rtol=1e-4, atol=1e-5)}
ACTIVATION_SHAPE = (1 << 16, 1024)  # 2^26 elements
DENSE = {"batch": 8192, "in_features": 4096, "out_features": 4096}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[2:]))
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "gpu", help="results folder (default results/gpu)")
    parser.add_argument("--ops", nargs="*", help="only these ops (default: all)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per measurement (default 20)")
    parser.add_argument("--skip-parity", action="store_true", help="benchmark only")
    parser.add_argument("--skip-bench", action="store_true", help="parity only")
    parser.add_argument("--skip-layers", action="store_true", help="no layer rows in the benchmark")
    parser.add_argument("--jobs", type=int, default=1,
                        help="parity in this many processes, an op at a time each (default 1)")
    return parser.parse_args(argv)


# -- parity ----------------------------------------------------------------------------------


# Window layouts besides a spec's test attributes, for ops that take all of these: stride 1
# runs another path (implicit columns, the input gradient as a convolution), and padding past
# the kernel's reach crops that gradient.
STRIDE_ONE = [{"stride": 1, "padding": 1, "dilation": 1}, {"stride": 1, "padding": 0, "dilation": 2},
              {"stride": 1, "padding": 3, "dilation": 1}]


def cases(name: str):
    s = spec(name)
    # softsign, fused nowhere, composes after the identity variant where the slot is the last step
    composed = [{"activation": "softsign"}] if s.slot and slot_is_final(s) else []
    extras = [{"activation": a} for a in s.slot.fused] + composed if s.slot else [{}]
    for extra in extras:
        for training in modes(s):
            yield {**attributes(s, training), **extra}
    for layout in STRIDE_ONE:
        if not all(s.attribute(key) is not None for key in layout):
            continue
        if layout["padding"] == 3 and (not s.parameters or s.attribute("output_padding") is not None):
            continue  # padding past the kernel's reach: a convolution's (a pooling window must overlap
            # the input, a transposed convolution's output would be empty)
        # a transposed convolution's output padding must be less than its stride
        yield {**attributes(s), **layout, **({"output_padding": 0} if s.attribute("output_padding") is not None else {})}


def parity(cp, ops: list[str]) -> list[dict]:
    rows = []
    for name in ops:
        s = spec(name)
        for dtype in (np.float32, np.float64):
            for attrs in cases(name):
                random_draws = s.random and attrs.get("training", True)
                row = {"op": name, "dtype": np.dtype(dtype).name, "attributes": {k: v for k, v in attrs.items()}}
                try:
                    row.update(_compare(cp, s, dtype, attrs, random_draws))
                except Exception as exc:  # noqa: BLE001 - reported, not hidden
                    row.update(ok=False, error=f"{type(exc).__name__}: {exc}")
                rows.append(row)
                print(f"parity {name:<22} {row['dtype']:<8} {attrs} {'ok' if row['ok'] else 'FAIL ' + row.get('error', '')}")
    return rows


def _parity_of(name: str) -> list[dict]:
    import cupy

    return parity(cupy, [name])


def parity_in_processes(ops: list[str], jobs: int) -> list[dict]:
    """``parity`` of each op in a pool of ``jobs`` processes (each its own CUDA context):
    NVRTC compiles the kernels of different ops at once; rows in the order of ``ops``."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        return [row for rows in pool.map(_parity_of, ops) for row in rows]


def _compare(cp, s, dtype, attrs, random_draws: bool) -> dict:
    mod = module(s)
    arrays = make_arrays(s, 64, dtype)
    kwargs = dict(attrs)
    if s.random:
        kwargs_np = {**kwargs, "rng": np.random.default_rng(1)}
        kwargs_cp = {**kwargs, "rng": cp.random.default_rng(1)}
    else:
        kwargs_np = kwargs_cp = kwargs
    y_ref, ctx_ref = mod.forward(*(arrays[d.name] for d in s.arrays), **kwargs_np)
    y, ctx = mod.forward(*(cp.asarray(arrays[d.name]) for d in s.arrays), **kwargs_cp)
    dy = [np.random.default_rng(3).standard_normal(o.shape).astype(dtype) for o in grad_outputs(s, y_ref)]
    grads_ref = as_tuple(mod.backward(*dy, ctx_ref))
    grads = as_tuple(mod.backward(*(cp.asarray(d) for d in dy), ctx))
    worst, judged = 0.0, {}
    exact = None
    for index, (got, want) in enumerate(zip(as_tuple(y) + grads, as_tuple(y_ref) + grads_ref)):
        if not isinstance(got, cp.ndarray):
            return {"ok": False, "error": f"a result is {type(got).__name__}, not a CuPy array"}
        host = cp.asnumpy(got)
        if host.dtype != want.dtype or host.shape != want.shape:
            return {"ok": False, "error": f"got {host.dtype}{host.shape}, want {want.dtype}{want.shape}"}
        if random_draws:
            if not np.all(np.isfinite(host)):
                return {"ok": False, "error": "non-finite values"}
            continue
        try:
            np.testing.assert_allclose(host, want, **TOL[dtype])
        except AssertionError:
            if dtype is not np.float32:
                raise
            # float32 sums of many terms (a recurrence, attention's products) carry rounding of
            # the size of the terms, not of the result: then CuPy's result must be as close to
            # the float64 result as NumPy's float32 one is (within twice its error).
            exact = exact or _in_float64(s, mod, arrays, kwargs, dy)
            truth = exact[index]
            gpu_error = float(np.max(np.abs(host - truth)))
            cpu_error = float(np.max(np.abs(want - truth)))
            if gpu_error > 2 * cpu_error + TOL[dtype]["atol"]:
                raise AssertionError(f"output {index}: CuPy float32 is {gpu_error:.3g} from the float64 result, "
                                     f"NumPy float32 {cpu_error:.3g}") from None
            judged[index] = gpu_error / max(cpu_error, np.finfo(np.float64).tiny)
            continue
        scale = np.abs(want) * TOL[dtype]["rtol"] + TOL[dtype]["atol"]
        worst = max(worst, float(np.max(np.abs(host - want) / scale, initial=0.0)))
    row = {"ok": True, "worst_fraction_of_tolerance": worst, "values_compared": not random_draws}
    if judged:  # output index -> CuPy's float32 error over NumPy's, both against float64
        row["error_over_numpy_float32"] = judged
    return row


def _in_float64(s, mod, arrays: dict, kwargs: dict, dy: list) -> tuple:
    """Forward's outputs and backward's gradients of NumPy in float64, on the same values."""
    wide = {k: v.astype(np.float64) if isinstance(v, np.ndarray) and v.dtype == np.float32 else v
            for k, v in arrays.items()}
    y, ctx = mod.forward(*(wide[d.name] for d in s.arrays), **kwargs)
    return as_tuple(y) + as_tuple(mod.backward(*(d.astype(np.float64) for d in dy), ctx))


# -- benchmark -------------------------------------------------------------------------------


def gpu_time(cp, fn, repeat: int) -> float:
    """Median milliseconds of ``fn`` by CUDA events, after two warm-up calls."""
    fn()
    fn()
    cp.cuda.Device().synchronize()
    times = []
    for _ in range(repeat):
        start, end = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(cp.cuda.get_elapsed_time(start, end))
    return statistics.median(times)


def copy_bandwidth(cp, repeat: int) -> float:
    """Device-to-device copy of 2^26 float32, GB/s counting the read and the write."""
    x = cp.random.standard_normal(ACTIVATION_SHAPE, dtype=cp.float32)
    y = cp.empty_like(x)
    ms = gpu_time(cp, lambda: cp.copyto(y, x), repeat)
    return 2 * x.nbytes / ms / 1e6


def bench_activation(cp, torch, name: str, repeat: int) -> dict:
    from oracles import ORACLES

    s = spec(name)
    mod = module(s)
    oracle = ORACLES.get(name)  # with its attributes, used on both sides
    attrs = {**attributes(s, False if s.attribute("training") is not None else None), **(oracle[1] if oracle else {})}
    x = cp.random.uniform(-3, 3, ACTIVATION_SHAPE, dtype=cp.float32)
    kwargs = {**attrs, **({"rng": cp.random.default_rng(0)} if s.random else {})}
    y, ctx = mod.forward(x, **kwargs)
    dy = cp.random.standard_normal(y.shape, dtype=cp.float32)
    nbytes = x.nbytes
    row = {"op": name, "elements": x.size}
    row["forward_ms"] = gpu_time(cp, lambda: mod.forward(x, **kwargs), repeat)
    row["backward_ms"] = gpu_time(cp, lambda: mod.backward(dy, ctx), repeat)
    row["total_ms"] = gpu_time(cp, lambda: mod.backward(dy, mod.forward(x, **kwargs)[1]), repeat)
    row["forward_GBps"] = 2 * nbytes / row["forward_ms"] / 1e6
    row["backward_GBps"] = 3 * nbytes / row["backward_ms"] / 1e6
    row["total_GBps"] = 5 * nbytes / row["total_ms"] / 1e6
    if torch is not None and oracle is not None:
        fn = oracle[0]
        xt = torch.from_dlpack(x).clone().requires_grad_()
        dyt = torch.from_dlpack(dy)
        yt = fn(xt)

        def torch_total():
            xt.grad = None
            fn(xt).backward(dyt)

        row["torch_forward_ms"] = gpu_time(cp, lambda: fn(xt), repeat)
        row["torch_backward_ms"] = gpu_time(cp, lambda: yt.backward(dyt, retain_graph=True), repeat)
        row["torch_total_ms"] = gpu_time(cp, torch_total, repeat)
        row["torch_over_ours"] = row["torch_total_ms"] / row["total_ms"]
    print(f"bench {name:<22} fwd {row['forward_ms']:7.3f} ms  bwd {row['backward_ms']:7.3f} ms  "
          f"total {row['total_ms']:7.3f} ms ({row['total_GBps']:6.0f} GB/s)  torch {row.get('torch_total_ms', float('nan')):7.3f} ms")
    return row


def bench_dense(cp, torch, activation: str, repeat: int) -> dict:
    from oracles import FUSED

    mod = module(spec("dense"))
    rng = cp.random.default_rng(0)
    x = rng.standard_normal((DENSE["batch"], DENSE["in_features"]), dtype=cp.float32)
    w = rng.standard_normal((DENSE["out_features"], DENSE["in_features"]), dtype=cp.float32) * 0.02
    b = rng.standard_normal(DENSE["out_features"], dtype=cp.float32)
    y, ctx = mod.forward(x, w, b, activation=activation)
    dy = rng.standard_normal(y.shape, dtype=cp.float32)
    flops = 2 * DENSE["batch"] * DENSE["in_features"] * DENSE["out_features"]
    row = {"op": f"dense[{activation}]", **DENSE}
    row["forward_ms"] = gpu_time(cp, lambda: mod.forward(x, w, b, activation=activation), repeat)
    row["backward_ms"] = gpu_time(cp, lambda: mod.backward(dy, ctx), repeat)
    row["total_ms"] = gpu_time(cp, lambda: mod.backward(dy, mod.forward(x, w, b, activation=activation)[1]), repeat)
    row["total_TFLOPs"] = 3 * flops / row["total_ms"] / 1e9
    if torch is not None:
        fn = FUSED[activation]
        xt, wt, bt = (torch.from_dlpack(a).clone().requires_grad_() for a in (x, w, b))
        dyt = torch.from_dlpack(dy)

        def torch_total():
            for t in (xt, wt, bt):
                t.grad = None
            fn(torch.nn.functional.linear(xt, wt, bt)).backward(dyt)

        row["torch_total_ms"] = gpu_time(cp, torch_total, repeat)
        row["torch_over_ours"] = row["torch_total_ms"] / row["total_ms"]
    print(f"bench {row['op']:<22} total {row['total_ms']:7.3f} ms ({row['total_TFLOPs']:5.1f} TFLOP/s)  "
          f"torch {row.get('torch_total_ms', float('nan')):7.3f} ms")
    return row


def bench_layers(cp, torch, repeat: int, ops: list[str] | None) -> list[dict]:
    """The layer rows of ``scripts/bench.py`` (same shapes, same PyTorch computations) on the
    GPU: forward + backward of ours on CuPy arrays against PyTorch eager CUDA on the same data,
    in float32 (TF32 off on PyTorch's side, as on ours: ``CUPY_TF32`` unset)."""
    import bench

    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    with torch.device("cuda"):  # the torch modules the cases build (nn.LSTM, ...) on the GPU
        cases = {**bench.layer_cases(), **gpu_layer_cases(torch)}
    rows = []
    for name, (arrays, attrs, oracle) in cases.items():
        if ops and name.split()[0] not in ops:
            continue
        rows.append(_reported(lambda: bench_layer(cp, bench.layer_sides(name, arrays, attrs, oracle, cp, "cuda"),
                                                  name, repeat), name))
    return rows


def gpu_layer_cases(torch) -> dict:
    """Sizes of issue 22 beyond the CPU bench's: a ResNet stage's convolution (64 x 64 x 56 x 56,
    3 x 3) and a wide layer norm (65536 x 1024)."""
    rng = np.random.default_rng(0)
    F = torch.nn.functional

    def f32(*shape, scale=1.0):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    return {
        "convolutional 64x64x56x56": ({"x": f32(64, 64, 56, 56), "weight": f32(64, 64, 3, 3, scale=0.04), "bias": f32(64)},
                                      {"padding": 1}, lambda t: F.conv2d(t["x"], t["weight"], t["bias"], padding=1)),
        "layer_normalization 65536x1024": ({"x": f32(65536, 1024), "weight": f32(1024), "bias": f32(1024)}, {},
                                           lambda t: F.layer_norm(t["x"], (1024,), t["weight"], t["bias"])),
    }


def bench_layer(cp, sides: dict, name: str, repeat: int) -> dict:
    row = {"op": name, "total_ms": gpu_time(cp, sides["ours"], repeat),
           "torch_total_ms": gpu_time(cp, sides["theirs"], repeat)}
    row["torch_over_ours"] = row["torch_total_ms"] / row["total_ms"]
    print(f"bench {name:<34} total {row['total_ms']:8.3f} ms  torch {row['torch_total_ms']:8.3f} ms  "
          f"torch/ours {row['torch_over_ours']:5.2f}")
    return row


def _reported(run, name: str) -> dict:
    """One row of the benchmark; an error is recorded in the row, not raised, so that one op
    that fails does not lose the others' timings."""
    try:
        return run()
    except Exception as exc:  # noqa: BLE001 - reported in the results
        print(f"bench {name:<22} FAILED {type(exc).__name__}: {exc}")
        return {"op": name, "error": f"{type(exc).__name__}: {exc}"}


def markdown(summary: dict) -> str:
    lines = [f"# GPU check: {summary['device']}", "",
             f"CuPy {summary['cupy']}, CUDA runtime {summary['cuda_runtime']}, PyTorch {summary['torch']}, "
             f"NumPy {summary['numpy']}, Python {summary['python']}.", ""]
    if summary["parity"] is not None:
        failed = [r for r in summary["parity"] if not r["ok"]]
        lines += [f"## Parity: {len(summary['parity']) - len(failed)} of {len(summary['parity'])} cases agree", ""]
        lines += [f"- FAIL {r['op']} {r['dtype']} {r['attributes']}: {r.get('error', '')}" for r in failed]
        lines.append("")
    if summary["bench"] is not None:
        bench = summary["bench"]
        lines += ["## Benchmark (float32, forward+backward, median of CUDA-event timings)", "",
                  f"Device-to-device copy: {bench['copy_GBps']:.0f} GB/s.", "",
                  "| op | fwd ms | bwd ms | total ms | fwd GB/s | bwd GB/s | total GB/s | torch ms | torch / ours |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for r in bench["activations"]:
            if "error" in r:
                lines.append(f"| {r['op']} | failed: {r['error']} | | | | | | | |")
                continue
            torch_ms = f"{r['torch_total_ms']:.3f}" if "torch_total_ms" in r else "n/a"
            ratio = f"{r['torch_over_ours']:.2f}" if "torch_over_ours" in r else "n/a"
            lines.append(f"| {r['op']} | {r['forward_ms']:.3f} | {r['backward_ms']:.3f} | {r['total_ms']:.3f} | "
                         f"{r['forward_GBps']:.0f} | {r['backward_GBps']:.0f} | {r['total_GBps']:.0f} | {torch_ms} | {ratio} |")
        lines += ["", "| dense | fwd ms | bwd ms | total ms | TFLOP/s | torch ms | torch / ours |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for r in bench["dense"]:
            torch_ms = f"{r['torch_total_ms']:.3f}" if "torch_total_ms" in r else "n/a"
            ratio = f"{r['torch_over_ours']:.2f}" if "torch_over_ours" in r else "n/a"
            lines.append(f"| {r['op']} | {r['forward_ms']:.3f} | {r['backward_ms']:.3f} | {r['total_ms']:.3f} | "
                         f"{r['total_TFLOPs']:.1f} | {torch_ms} | {ratio} |")
        if bench.get("layers"):
            lines += ["", "Layers: the rows of scripts/bench.py (its shapes and PyTorch computations), forward + "
                      "backward, TF32 off on both sides.", "",
                      "| layer | total ms | torch ms | torch / ours |", "| --- | ---: | ---: | ---: |"]
            lines += [f"| {r['op']} | failed: {r['error']} | | |" if "error" in r else
                      f"| {r['op']} | {r['total_ms']:.3f} | {r['torch_total_ms']:.3f} | {r['torch_over_ours']:.2f} |"
                      for r in bench["layers"]]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        import cupy as cp
    except ImportError:
        print("gpu_check: CuPy is not installed (pip install -e '.[cupy]')", file=sys.stderr)
        return 2
    if cp.cuda.runtime.getDeviceCount() == 0:
        print("gpu_check: no CUDA device", file=sys.stderr)
        return 2
    try:
        import torch

        torch = torch if torch.cuda.is_available() else None
    except ImportError:
        torch = None
    ops = args.ops or names("activation") + names("layer")
    unknown = [n for n in ops if n not in names("activation") + names("layer")]
    if unknown:
        print(f"gpu_check: unknown ops: {', '.join(unknown)}", file=sys.stderr)
        return 2
    summary = {
        "device": cp.cuda.runtime.getDeviceProperties(0)["name"].decode(),
        "cupy": cp.__version__,
        "cuda_runtime": cp.cuda.runtime.runtimeGetVersion(),
        "torch": torch.__version__ if torch is not None else None,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "parity": None if args.skip_parity else parity(cp, ops) if args.jobs == 1 else parity_in_processes(ops, args.jobs),
        "bench": None,
    }
    if not args.skip_bench:
        benchable = [n for n in ops if spec(n).kind == "activation" and not spec(n).parameters]
        summary["bench"] = {
            "copy_GBps": copy_bandwidth(cp, args.repeat),
            "activations": [_reported(lambda: bench_activation(cp, torch, n, args.repeat), n) for n in benchable],
            "dense": [bench_dense(cp, torch, a, args.repeat) for a in spec("dense").slot.fused] if "dense" in ops else [],
            "layers": [] if args.skip_layers or torch is None else bench_layers(cp, torch, args.repeat, args.ops),
        }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu_check.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    (args.out / "gpu_check.md").write_text(markdown(summary))
    print(f"wrote {args.out / 'gpu_check.json'} and {args.out / 'gpu_check.md'}")
    failed = summary["parity"] and any(not r["ok"] for r in summary["parity"])
    failed = failed or (summary["bench"] and any("error" in r for key in ("activations", "layers")
                                                 for r in summary["bench"][key]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
