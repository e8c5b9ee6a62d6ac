"""Checking the generated CuPy kernels without a GPU.

* ``cuda_source`` wraps each ``ElementwiseKernel`` body the way CuPy does (a ``__global__``
  function over an index, typed parameters, ``T`` a typedef for float or double), and each
  ``ReductionKernel`` as a row loop calling its map function and combining with its reduce
  expression, so that NVRTC can compile them for compute_90; ``nvrtc_compile`` loads
  ``libnvrtc.so.12`` from the ``nvidia-cuda-nvrtc-cu12`` wheel with ctypes.
* ``host_library`` compiles the same bodies as host C++ with g++ into one shared library, and
  ``fake_cupy`` is NumPy plus an ``ElementwiseKernel`` and a ``ReductionKernel`` that run
  them, so the generated CuPy code paths run on the CPU and can be compared with NumPy.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import os
import shutil
import subprocess
import types
from pathlib import Path

import numpy as np

from harness import module, names, spec

CTYPES = {"T": "T", "bool": "bool", "int64": "long long"}
NUMPY_TYPES = {"bool": np.bool_, "int64": np.int64}


def runtime_kernel_type():
    from layerforge._cupy_runtime import ElementwiseKernel, ReductionKernel, RowBlockKernel, RowKernel

    return (ElementwiseKernel, ReductionKernel, RowKernel, RowBlockKernel)


def is_row_block(kernel) -> bool:
    """A row program (``RowBlockKernel``): its own CUDA source for each float type."""
    return hasattr(kernel, "lanes")


def _row_block_entry(k, real: str) -> str:
    """A row program's source for ``real`` in a namespace of its own (each instance defines
    T and the reduction helpers)."""
    return f"namespace {k.name}_{real}_ns {{\n{k.source(real)}}}  // namespace {k.name}_{real}_ns\n"


def is_reduction(kernel) -> bool:
    return hasattr(kernel, "reduce_expr")


def is_row(kernel) -> bool:
    return hasattr(kernel, "row_width")


def _row_entry(k, real: str, device: bool) -> str:
    """One instance of a row kernel: a loop (host) or a thread (device) per row calling the
    row function on ``a + i * n`` and ``out + i * m``; with folded masks (``k.masks``), the
    runtime's body for row ``i`` (its masking, then the row function on ``out``), each mask
    a pointer and its ``div`` and ``rows``."""
    masks = "".join(f", const {real}* mask{j}, long long div{j}, long long rows{j}" for j in range(len(getattr(k, "masks", ()))))
    head = (f'extern "C" {"__global__ " if device else ""}void {k.name}_{real}(const {real}* a, {real}* out, '
            f"long long rows, long long n, long long m{masks}) {{\n")
    if device:
        loop = "    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n    if (i >= rows) return;\n"
    else:
        loop = "    for (long long i = 0; i < rows; ++i)\n"
    if not masks:
        return head + loop + f"    {k.function}<{real}>(a + i * n, out + i * m, n);\n}}\n"
    body = k.operation().replace(f"{k.function}(", f"{k.function}<{real}>(")
    return head + f"    typedef {real} T;\n" + loop + "    {\n" + "".join(f"        {line}\n" for line in body.splitlines()) + "    }\n}\n"


def op_names() -> list[str]:
    return names("activation") + names("layer")


def kernels_of(name: str) -> list:
    """The kernel objects of one generated module, in the order the module defines them."""
    kind = runtime_kernel_type()
    return [v for v in vars(module(spec(name))).values() if isinstance(v, kind)]


def parse_params(text: str) -> list[tuple[str, str]]:
    """``"T x, bool mask"`` -> ``[("T", "x"), ("bool", "mask")]``."""
    params = []
    for item in text.split(","):
        ctype, name = item.split()
        if ctype not in CTYPES:
            raise ValueError(f"unexpected kernel parameter type {ctype!r} in {text!r}")
        params.append((ctype, name))
    return params


def _c_type(ctype: str, real: str) -> str:
    return real if ctype == "T" else CTYPES[ctype]


# -- NVRTC ---------------------------------------------------------------------------------


def cuda_source(kernels) -> str:
    """One CUDA program with every kernel instantiated for float and double, as CuPy would
    compile it: inputs are const references into the arrays, outputs references."""
    parts = []
    for k in kernels:
        if is_row_block(k):
            parts += [_row_block_entry(k, real) for real in ("float", "double")]
            continue
        parts.append(f"namespace {k.name}_ns {{\n{k.preamble}\n")
        if is_row(k):
            parts += [_row_entry(k, real, device=True) for real in ("float", "double")]
            parts.append(f"}}  // namespace {k.name}_ns\n")
            continue
        if is_reduction(k):
            k = cub_form(k)
        ins, outs = parse_params(k.in_params), parse_params(k.out_params)
        if is_reduction(k):
            parts.append(_cuda_reduction(k, ins, outs))
            continue
        for real in ("float", "double"):
            params = _device_params(ins, outs, real)
            binds = [f"    const {_c_type(t, real)} &{n} = _raw_{n}[i];" for t, n in ins]
            binds += [f"    {_c_type(t, real)} &{n} = _raw_{n}[i];" for t, n in outs]
            parts.append(
                f'extern "C" __global__ void {k.name}_{real}({", ".join(params)}, const long long _size) {{\n'
                f"  typedef {real} T;\n"
                "  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < _size;\n"
                "       i += (long long)blockDim.x * gridDim.x) {\n"
                + "\n".join(binds)
                + f"\n    {k.operation.strip()}\n  }}\n}}\n"
            )
        parts.append(f"}}  // namespace {k.name}_ns\n")
        parts += [flat_entry(k, real) for real in ("float", "double")]
    return "\n".join(parts)


def flat_entry(k, real: str) -> str:
    """The runtime's flat kernel for ``real`` (its CUDA source as ``cupy.RawKernel`` gets it),
    in a namespace of its own and renamed ``<name>_flat_<real>`` beside the other instances."""
    source = k.flat_source(real).replace(f"void {k.name}_{real}(", f"void {k.name}_flat_{real}(")
    return f"namespace {k.name}_{real}_flat {{\n{source}}}  // namespace {k.name}_{real}_flat\n"


def _device_params(ins, outs, real: str) -> list[str]:
    """Array parameters of a kernel instance: inputs const, all through raw pointers."""
    return ([f"const {_c_type(t, real)}* __restrict__ _raw_{n}" for t, n in ins]
            + [f"{_c_type(t, real)}* __restrict__ _raw_{n}" for t, n in outs])


def cub_form(k):
    """A reduction kernel as CuPy's CUB path compiles it (one input and one output, C
    contiguous: the common case on a GPU): the parameters become in0 and out0, renamed in
    the map and post-map expressions by plain text replacement (``str.replace``, not by
    identifier), so a name that contains a parameter's name is mangled as on the device; and
    the types of in0 and out0 (``type_in0_raw``, ``type_out0_raw``) are declared only when
    the parameters had other names."""
    ins, outs = parse_params(k.in_params), parse_params(k.out_params)
    if len(ins) != 1 or len(outs) != 1:
        return k
    (t_in, old_in), (t_out, old_out) = ins[0], outs[0]
    return types.SimpleNamespace(
        name=k.name, identity=k.identity, reduce_expr=k.reduce_expr, preamble=k.preamble,
        in_params=f"{t_in} in0", out_params=f"{t_out} out0",
        map_expr=k.map_expr.replace(old_in, "in0"), post_map_expr=k.post_map_expr.replace(old_out, "out0"),
        cub=True, typedefs=old_in != "in0" or old_out != "out0")


def _index_objects(k, device: bool) -> str:
    """CuPy's ``_in_ind`` and ``_out_ind`` (their sizes), which CUB's kernels do not have."""
    if getattr(k, "cub", False):
        return ""
    return (f"  struct {{ long long n; {'__device__ ' if device else ''}long long size() const {{ return n; }} }} "
            "_in_ind{_rows * _width}, _out_ind{_rows};\n")


def _row_loop(k, ins, outs, real: str, index: str) -> str:
    """The body of one row of a reduction kernel: map every element, combine, post-map."""
    binds = [f"        const {_c_type(t, real)} &{n} = _raw_{n}[{index}];" for t, n in ins]
    (t_out, out), = outs
    out_type = _c_type(t_out, real)
    types_ = ""
    if getattr(k, "cub", False):  # CUB's kernels read and write through these types
        binds = [f"        const type_in0_raw {n} = _raw_{n}[{index}];" for _, n in ins]
        out_type = "type_out0_raw"
        if k.typedefs:
            types_ = f"    typedef {_c_type(ins[0][0], real)} type_in0_raw;\n    typedef {_c_type(t_out, real)} type_out0_raw;\n"
    return types_ + (  # as CuPy: start from T(identity), combine the mapped values one by one
        f"    T a = T({k.identity or ''});\n"
        "    for (long long _j = 0; _j < _width; ++_j) {\n"
        + "\n".join(binds)
        + f"\n        T b = {k.map_expr};\n"
        f"        a = {k.reduce_expr};\n"
        "    }\n"
        f"    {out_type} &{out} = _raw_{out}[_row];\n"
        f"    {k.post_map_expr};\n"
    )


def _cuda_reduction(k, ins, outs) -> str:
    parts = []
    for real in ("float", "double"):
        params = _device_params(ins, outs, real)
        parts.append(
            f'extern "C" __global__ void {k.name}_{real}({", ".join(params)}, const long long _rows, const long long _width) {{\n'
            f"  typedef {real} T;\n"
            + _index_objects(k, device=True) +
            "  long long _row = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n"
            "  if (_row >= _rows) return;\n"
            + _row_loop(k, ins, outs, real, "_row * _width + _j")
            + "}\n"
        )
    parts.append(f"}}  // namespace {k.name}_ns\n")
    return "\n".join(parts)


def nvrtc_path() -> Path | None:
    found = importlib.util.find_spec("nvidia.cuda_nvrtc")
    if found is None or not found.submodule_search_locations:
        return None
    for root in found.submodule_search_locations:
        candidate = Path(root) / "lib" / "libnvrtc.so.12"
        if candidate.exists():
            return candidate
    return None


def nvrtc_compile(lib: ctypes.CDLL, source: str, name: str, arch: str = "compute_90") -> tuple[int, str, str]:
    """Compile ``source`` to PTX; returns NVRTC's result code (0 = success), its log and the
    PTX (empty on failure)."""
    program = ctypes.c_void_p()
    status = lib.nvrtcCreateProgram(ctypes.byref(program), source.encode(), f"{name}.cu".encode(), 0, None, None)
    if status:
        return status, "nvrtcCreateProgram failed", ""
    options = [f"--gpu-architecture={arch}".encode(), b"--std=c++17"]
    array = (ctypes.c_char_p * len(options))(*options)
    result = lib.nvrtcCompileProgram(program, len(options), array)
    size = ctypes.c_size_t()
    lib.nvrtcGetProgramLogSize(program, ctypes.byref(size))
    log = ctypes.create_string_buffer(size.value)
    lib.nvrtcGetProgramLog(program, log)
    ptx = ""
    if result == 0:
        lib.nvrtcGetPTXSize(program, ctypes.byref(size))
        text = ctypes.create_string_buffer(size.value)
        lib.nvrtcGetPTX(program, text)
        ptx = text.value.decode()
    lib.nvrtcDestroyProgram(ctypes.byref(program))
    return result, log.value.decode(errors="replace"), ptx


# -- host C++ ------------------------------------------------------------------------------


def host_source(kernels) -> str:
    """The same bodies as host C++: a loop over contiguous, already broadcast arrays."""
    parts = ["#include <cmath>", "#include <cstdint>", "#include <cstring>", "#define __device__", "#define __global__",
             "using namespace std;", "static struct { unsigned x, y; } blockIdx, threadIdx, blockDim;",
             "static double __longlong_as_double(unsigned long long bits) {",
             "    double value;", "    memcpy(&value, &bits, sizeof value);", "    return value;", "}",
             "static float __int_as_float(unsigned bits) {",
             "    float value;", "    memcpy(&value, &bits, sizeof value);", "    return value;", "}",
             # CUDA's fast float intrinsics (sin and cos after their range reduction): the C library's
             "#define __sinf sinf", "#define __cosf cosf",
             # A row program runs with one thread per row here: its reductions across threads
             # have nothing to combine.
             "#define __shared__ static", "#define __syncthreads()", "#define __shfl_xor_sync(mask, v, offset) (v)", ""]
    for k in kernels:
        if is_row_block(k):
            for real in ("float", "double"):
                parts.append(_row_block_entry(k, real))
                typed = [f"{'' if kind == 'scalar' else 'const '}{_c_type(t, real)}{'' if kind == 'scalar' else '*'} {n}"
                         for kind, t, n in k._ins]
                typed += [f"{_c_type(t, real)}* {n}" for _, t, n in k._outs]
                args = ", ".join([n for _, _, n in k._ins + k._outs] + ["rows", "n"])
                parts.append(
                    f'extern "C" void {k.name}_launch_{real}({", ".join(typed)}, long long rows, long long n) {{\n'
                    "    blockDim.x = blockDim.y = 1;\n    threadIdx.x = threadIdx.y = 0;\n"
                    "    for (blockIdx.x = 0; blockIdx.x < rows; ++blockIdx.x)\n"
                    f"        {k.name}_{real}_ns::{k.name}_{real}({args});\n}}\n"
                )
            continue
        if is_row(k):
            parts.append(f"namespace {k.name}_ns {{\n{k.preamble}\n}}\n")
            parts += [_row_entry(k, real, device=False).replace(f"{k.function}<", f"{k.name}_ns::{k.function}<")
                      for real in ("float", "double")]
            continue
        if is_reduction(k):
            k = cub_form(k)
        ins, outs = parse_params(k.in_params), parse_params(k.out_params)
        if is_reduction(k):
            parts.append(_host_reduction(k, ins, outs))
            continue
        params = [f"const {CTYPES[t]}* _raw_{n}" for t, n in ins] + [f"{CTYPES[t]}* _raw_{n}" for t, n in outs]
        binds = [f"        const {CTYPES[t]} &{n} = _raw_{n}[_index];" for t, n in ins]
        binds += [f"        {CTYPES[t]} &{n} = _raw_{n}[_index];" for t, n in outs]
        parts.append(
            f"namespace {k.name}_ns {{\n{k.preamble}\n"
            f"template <typename T>\nvoid run({', '.join(params)}, int64_t _size) {{\n"
            "    for (int64_t _index = 0; _index < _size; ++_index) {\n"
            + "\n".join(binds)
            + f"\n        {k.operation.strip()}\n    }}\n}}\n}}\n"
        )
        for real in ("float", "double"):
            typed = [f"const {_c_type(t, real)}* {n}" for t, n in ins] + [f"{_c_type(t, real)}* {n}" for t, n in outs]
            args = ", ".join([n for _, n in ins + outs] + ["size"])
            parts.append(
                f'extern "C" void {k.name}_{real}({", ".join(typed)}, int64_t size) {{\n'
                f"    {k.name}_ns::run<{real}>({args});\n}}\n"
            )
            # The flat kernel, and a launch: every thread of every block, one after another.
            parts.append(flat_entry(k, real))
            typed = [f"{_c_type(t, real)} {n}" if n in k.scalars else f"const {_c_type(t, real)}* {n}" for t, n in ins]
            typed += [f"{_c_type(t, real)}* {n}" for t, n in outs]
            parts.append(
                f'extern "C" void {k.name}_launch_{real}({", ".join(typed)}, long long n, unsigned grid, unsigned block) {{\n'
                "    for (blockIdx.x = 0; blockIdx.x < grid; ++blockIdx.x)\n"
                "        for (threadIdx.x = 0; threadIdx.x < block; ++threadIdx.x)\n"
                f"            {k.name}_{real}_flat::{k.name}_flat_{real}({', '.join([n for _, n in ins + outs] + ['n'])});\n}}\n"
            )
    return "\n".join(parts)


def _host_reduction(k, ins, outs) -> str:
    """A reduction kernel as host C++: a loop over rows of contiguous, broadcast inputs."""
    params = [f"const {CTYPES[t]}* _raw_{n}" for t, n in ins] + [f"{CTYPES[t]}* _raw_{n}" for t, n in outs]
    text = (
        f"namespace {k.name}_ns {{\n{k.preamble}\n"
        f"template <typename T>\nvoid run({', '.join(params)}, long long _rows, long long _width) {{\n"
        + _index_objects(k, device=False) +
        "  for (long long _row = 0; _row < _rows; ++_row) {\n"
        + _row_loop(k, ins, outs, "T", "_row * _width + _j")
        + "  }\n}\n}\n"
    )
    for real in ("float", "double"):
        typed = [f"const {_c_type(t, real)}* {n}" for t, n in ins] + [f"{_c_type(t, real)}* {n}" for t, n in outs]
        args = ", ".join([n for _, n in ins + outs] + ["rows", "width"])
        text += (f'extern "C" void {k.name}_{real}({", ".join(typed)}, long long rows, long long width) {{\n'
                 f"    {k.name}_ns::run<{real}>({args});\n}}\n")
    return text


def host_library(kernels, folder: Path) -> ctypes.CDLL:
    """Compile every kernel into one shared library (cached in ``folder`` by source digest).

    The bodies are split into one translation unit per core, compiled side by side, and built
    without optimisation: the library runs small test arrays once, so g++'s time is what
    counts (-O0 compiles ten megabytes of kernels about three times faster than -O1), and
    IEEE arithmetic is the same at every level with contraction into FMA turned off."""
    compiler = shutil.which("g++") or shutil.which("c++")
    if compiler is None:
        raise RuntimeError("no C++ compiler (g++) found")
    units = max(1, min(len(kernels), os.cpu_count() or 1))
    sources = [host_source(kernels[i::units]) for i in range(units)]
    digest = hashlib.sha256("\0".join(sources).encode()).hexdigest()[:16]
    library = folder / f"kernels_{digest}.so"
    if library.exists():
        return ctypes.CDLL(str(library))
    flags = ["-std=c++17", "-O0", "-ffp-contract=off", "-fPIC"]
    objects, jobs = [], []
    for index, source in enumerate(sources):
        path = folder / f"kernels_{digest}_{index}.cpp"
        path.write_text(source)
        objects.append(path.with_suffix(".o"))
        jobs.append(subprocess.Popen([compiler, *flags, "-c", "-o", str(objects[-1]), str(path)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for job in jobs:
        log = job.communicate()[0]
        if job.returncode:
            raise RuntimeError(f"g++ failed on the host kernels:\n{log}")
    subprocess.run([compiler, "-shared", "-o", str(library), *map(str, objects)], check=True, capture_output=True,
                   text=True)
    return ctypes.CDLL(str(library))


class GpuLike(np.ndarray):
    """A NumPy array whose type claims to come from CuPy: the generated modules dispatch on
    the type's module, so it takes the CuPy code path, with NumPy behind it."""

    @property
    def __cuda_array_interface__(self):  # as a CuPy array has (its memory is on the device)
        return {"shape": self.shape, "typestr": self.dtype.str, "data": (self.ctypes.data, False), "version": 3}


GpuLike.__module__ = "cupy._fake"


class HostKernel:
    """``cupy.ElementwiseKernel`` for the CPU: broadcasts, allocates, calls the C++ body."""

    calls: set[tuple[str, str]] = set()  # (kernel name, dtype) of every call

    def __init__(self, library: ctypes.CDLL, in_params, out_params, operation, name, preamble=""):
        self.library = library
        self.name = name
        self.ins = parse_params(in_params)
        self.outs = parse_params(out_params)

    def _inputs(self, args):
        """The C type name of T, the broadcast shape, the NumPy dtypes by C type, and the
        inputs as contiguous arrays of that shape."""
        if len(args) != len(self.ins):
            raise TypeError(f"{self.name}: {len(self.ins)} arguments expected, got {len(args)}")
        floats = [a.dtype for (t, _), a in zip(self.ins, args) if t == "T" and isinstance(a, np.ndarray)]
        generic = any(t == "T" for t, _ in self.ins + self.outs)
        if generic and (not floats or any(d != floats[0] for d in floats)):
            raise TypeError(f"{self.name}: T must come from arrays of one float dtype, got {floats}")
        if not generic:  # masks only: the body does not depend on T, either instance will do
            floats = [np.dtype(np.float32)]
            HostKernel.calls.add((self.name, "double"))
        real = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}[floats[0]]
        shape = np.broadcast_shapes(*(np.shape(a) for a in args))
        dtype = {"T": floats[0], **NUMPY_TYPES}
        buffers = [np.ascontiguousarray(np.broadcast_to(np.asarray(a, dtype=dtype[t]), shape)) for (t, _), a in zip(self.ins, args)]
        return real, shape, dtype, buffers

    def __call__(self, *args):
        real, shape, dtype, buffers = self._inputs(args)
        outputs = [np.empty(shape, dtype=dtype[t]) for t, _ in self.outs]
        function = getattr(self.library, f"{self.name}_{real}")
        pointers = [ctypes.c_void_p(b.ctypes.data) for b in buffers + outputs]
        function(*pointers, ctypes.c_int64(int(np.prod(shape))))
        HostKernel.calls.add((self.name, real))
        results = [o.view(GpuLike) for o in outputs]
        return results[0] if len(results) == 1 else tuple(results)


class HostReduction(HostKernel):
    """``cupy.ReductionKernel`` for the CPU, over the last axis (kept): broadcasts the
    inputs, calls the C++ row loop."""

    def __init__(self, library, in_params, out_params, map_expr, reduce_expr, post_map_expr, identity, name,
                 preamble=""):
        super().__init__(library, in_params, out_params, "", name, preamble)

    def __call__(self, *args, axis=-1, keepdims=False):
        assert axis == -1 and keepdims, f"{self.name}: generated code reduces the last axis, kept"
        real, shape, dtype, buffers = self._inputs(args)
        output = np.empty(shape[:-1] + (1,), dtype=dtype["T"])
        width = shape[-1]
        pointers = [ctypes.c_void_p(b.ctypes.data) for b in buffers + [output]]
        getattr(self.library, f"{self.name}_{real}")(*pointers, ctypes.c_longlong(output.size), ctypes.c_longlong(width))
        HostKernel.calls.add((self.name, real))
        return output.view(GpuLike)


# The by-value arguments of a flat kernel: NumPy scalars of the kernel's parameter types.
SCALAR_CTYPES = {np.float32: ctypes.c_float, np.float64: ctypes.c_double, np.bool_: ctypes.c_bool,
                 np.int32: ctypes.c_int, np.int64: ctypes.c_longlong}


class HostRawKernel:
    """``cupy.RawKernel`` for the CPU, for the runtime's flat elementwise kernels: checks that
    the source is the one compiled into the library, then runs its launch loop."""

    def __init__(self, library: ctypes.CDLL, kernels: dict, code: str, name: str):
        self.kernel_name, self.real = name.rsplit("_", 1)
        kernel = kernels[self.kernel_name]
        self.row_block = is_row_block(kernel)
        source = kernel.source(self.real) if self.row_block else kernel.flat_source(self.real)
        assert code == source, f"{name}: the source differs from the one compiled"
        self.block = None if self.row_block else kernel.block
        self.function = getattr(library, f"{self.kernel_name}_launch_{self.real}")

    def __call__(self, grid, block, args):
        if self.row_block:  # a row per thread here, every row of the launch
            *values, rows, n = args
            assert len(block) == 2 and grid[0] * block[1] >= rows
            self.function(*(ctypes.c_void_p(v.ctypes.data) if isinstance(v, np.ndarray) else SCALAR_CTYPES[type(v)](v)
                            for v in values), ctypes.c_longlong(int(rows)), ctypes.c_longlong(int(n)))
            HostKernel.calls.add((self.kernel_name, self.real))
            return
        assert block == (self.block,), f"{self.kernel_name}: launched with {block}, written for ({self.block},)"
        *values, size = args
        assert all(v.flags.c_contiguous for v in values if isinstance(v, np.ndarray))
        self.function(*(ctypes.c_void_p(v.ctypes.data) if isinstance(v, np.ndarray) else SCALAR_CTYPES[type(v)](v)
                        for v in values),
                      ctypes.c_longlong(int(size)), ctypes.c_uint(grid[0]), ctypes.c_uint(block[0]))
        HostKernel.calls.add((self.kernel_name, self.real))


class HostRowKernel:
    """``cupy.ElementwiseKernel("raw T a, int64 n, int64 m", "raw T out", ...)`` as
    ``RowKernel`` builds it, for the CPU: calls the C++ row loop."""

    def __init__(self, library: ctypes.CDLL, name: str):
        self.library = library
        self.name = name

    def __call__(self, a, n, m, *rest, size):
        *masks, out = rest  # a folded mask's table [rows, n], div and rows, after n and m
        real = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}[a.dtype]
        assert a.flags.c_contiguous and out.flags.c_contiguous and a.size == size * n and out.size == size * m
        extra = []
        for table, div, rows in zip(masks[0::3], masks[1::3], masks[2::3]):
            assert table.dtype == a.dtype and table.flags.c_contiguous and table.shape == (rows, n)
            extra += [ctypes.c_void_p(table.ctypes.data), ctypes.c_longlong(div), ctypes.c_longlong(rows)]
        function = getattr(self.library, f"{self.name}_{real}")
        function(ctypes.c_void_p(a.ctypes.data), ctypes.c_void_p(out.ctypes.data), ctypes.c_longlong(size),
                 ctypes.c_longlong(n), ctypes.c_longlong(m), *extra)
        HostKernel.calls.add((self.name, real))


def on_device(value):
    """NumPy results come back as GpuLike, as CuPy's functions return CuPy arrays (a 0-d one
    where NumPy returns a number: a sum over all elements)."""
    if isinstance(value, np.ndarray) and not isinstance(value, GpuLike):
        return value.view(GpuLike)
    if isinstance(value, np.generic):
        return np.asarray(value).view(GpuLike)
    if isinstance(value, tuple):
        return tuple(on_device(v) for v in value)
    if isinstance(value, list):
        return [on_device(v) for v in value]
    return value


# CuPy functions that take a shape or a list of numbers first; the others want an array.
SHAPE_FIRST = {"zeros", "ones", "empty", "full", "array", "asarray"}


class HostGenerator:
    """``cupy.random.Generator`` for the CPU: a NumPy Generator's draws (so results can be
    compared with NumPy's exactly), but only the methods CuPy's Generator has."""

    METHODS = {"random", "integers", "uniform", "standard_normal", "standard_exponential", "standard_gamma",
               "exponential", "gamma", "beta", "binomial", "chisquare", "dirichlet", "f", "geometric",
               "hypergeometric", "logseries", "poisson", "power"}

    def __init__(self, seed=None):
        self._numpy = np.random.default_rng(seed)

    def __getattr__(self, name):
        if name not in self.METHODS:
            raise AttributeError(f"'Generator' object has no attribute '{name}'")
        method = getattr(self._numpy, name)
        return lambda *args, **kwargs: on_device(method(*args, **kwargs))


# What CuPy 14 lacks of NumPy's API where the generated code could reach for it (found on an
# H200: the CRF's log_matmul_exp called cp.errstate, grid_sample cp.einsum(..., out=...)).
NOT_IN_CUPY = {"errstate", "seterr", "geterr"}
KEYWORDS_CUPY_REFUSES = {"einsum": {"out"}}


def fake_cupy(library: ctypes.CDLL, kernels=()) -> types.ModuleType:
    """A ``cupy`` module for the CPU: NumPy's functions and ``HostKernel``. As in CuPy, a
    function that wants an array refuses a Python list or tuple of numbers, and what CuPy
    lacks (NOT_IN_CUPY, KEYWORDS_CUPY_REFUSES) is refused."""
    fake = types.ModuleType("cupy")

    def attribute(name):
        if name in NOT_IN_CUPY:
            raise AttributeError(f"module 'cupy' has no attribute {name!r}")
        value = getattr(np, name)
        if callable(value) and not isinstance(value, type):
            def call(*args, **kwargs):
                refused = sorted(set(kwargs) & KEYWORDS_CUPY_REFUSES.get(name, set()))
                if refused:
                    raise TypeError(f"cupy.{name}: Did not understand the following kwargs: {refused}")
                if (name not in SHAPE_FIRST and args and isinstance(args[0], (list, tuple))
                        and not any(isinstance(a, np.ndarray) for a in args[0])):
                    raise TypeError(f"cupy.{name}: Unsupported type {type(args[0])}")
                return on_device(value(*args, **kwargs))
            if isinstance(value, np.ufunc):  # np.add.at: CuPy's ufuncs have at() too
                call.at = value.at  # type: ignore[attr-defined]
            return call
        return value

    fake.__getattr__ = attribute  # type: ignore[attr-defined]

    def elementwise(in_params, out_params, operation, name, preamble=""):
        if in_params.startswith("raw "):  # a RowKernel's rows
            return HostRowKernel(library, name)
        return HostKernel(library, in_params, out_params, operation, name, preamble)

    fake.ElementwiseKernel = elementwise  # type: ignore[attr-defined]

    def reduction(in_params, out_params, map_expr, reduce_expr, post_map_expr, identity, name, preamble=""):
        return HostReduction(library, in_params, out_params, map_expr, reduce_expr, post_map_expr, identity, name,
                             preamble)

    fake.ReductionKernel = reduction  # type: ignore[attr-defined]
    fake.random = types.SimpleNamespace(default_rng=HostGenerator)  # type: ignore[attr-defined]
    by_name = {k.name: k for k in kernels}
    fake.RawKernel = lambda code, name: HostRawKernel(library, by_name, code, name)  # type: ignore[attr-defined]
    return fake
