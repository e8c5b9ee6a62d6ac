"""Time the flat elementwise kernels' launch shape on a GPU: threads per block and elements per
thread, against the same bodies as one-element-per-thread ``cupy.ElementwiseKernel``s.

    python scripts/gpu_tune.py [--out results/gpu] [--ops NAME ...] [--repeat N]

Each op runs forward and backward on 2^26 float32 elements (65536 rows of 1024); the median of
CUDA-event timings after warm-up is reported for every (block, unroll) pair and for the
``cupy.ElementwiseKernel`` path. Writes <out>/gpu_tune.json. The runtime's defaults
(``ElementwiseKernel.block`` and ``.unroll``) should be the fastest row here.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests"), str(ROOT / "generated"), str(ROOT)]

from gpu_check import ACTIVATION_SHAPE, gpu_time  # noqa: E402
from harness import module, spec  # noqa: E402

BLOCKS = (128, 256, 512)
UNROLLS = (2, 4, 8, 16)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "gpu")
    parser.add_argument("--ops", nargs="*", default=["hard_tanh", "gelu", "silu"])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)

    import cupy as cp
    from layerforge._cupy_runtime import ElementwiseKernel

    defaults = (ElementwiseKernel.block, dict(ElementwiseKernel.unroll), ElementwiseKernel._real)
    x = cp.random.uniform(-3, 3, ACTIVATION_SHAPE, dtype=cp.float32)
    dy = cp.random.standard_normal(ACTIVATION_SHAPE, dtype=cp.float32)
    rows = []

    def measure(label, block, unroll):
        for name in args.ops:
            mod = module(spec(name))
            for kernel in vars(mod).values():
                if isinstance(kernel, ElementwiseKernel):
                    kernel._flat.clear()
            y, ctx = mod.forward(x)
            row = {"op": name, "path": label, "block": block, "unroll": unroll,
                   "forward_ms": gpu_time(cp, lambda: mod.forward(x), args.repeat),
                   "backward_ms": gpu_time(cp, lambda: mod.backward(dy, ctx), args.repeat)}
            rows.append(row)
            print(f"{name:<12} {label:<8} block {block!s:>4} unroll {unroll!s:>3}  "
                  f"fwd {row['forward_ms']:.3f} ms  bwd {row['backward_ms']:.3f} ms", flush=True)

    try:
        for block, unroll in itertools.product(BLOCKS, UNROLLS):
            ElementwiseKernel.block, ElementwiseKernel.unroll = block, {"float": unroll, "double": unroll}
            measure("flat", block, unroll)
        ElementwiseKernel._real = lambda self, arrays: None
        measure("cupy", None, None)
    finally:
        ElementwiseKernel.block, ElementwiseKernel.unroll, ElementwiseKernel._real = defaults
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu_tune.json").write_text(json.dumps({"shape": ACTIVATION_SHAPE, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
