"""Memory safety of the generated code on odd shapes (1x1, prime sizes, K
not a multiple of the K group or vector width, channel counts not a
multiple of the tile, several K panels and tap panels).

The generated object is not built by a sanitizing compiler, so it is
checked two ways:
  * test/e2e/guard_harness.c runs it with the input, output and workspace
    each against an inaccessible guard page (at the end, then at the
    start), with two different workspace fill patterns, a second call on
    the same buffers and NAME_run; any out-of-bounds access faults, any
    read of workspace bytes it did not write changes the result;
  * valgrind's memcheck runs the same harness (uninitialised reads that
    decide a branch or reach the output, invalid reads and writes), where
    valgrind can decode the instruction set (3.19 has no AVX-512 and no
    AVX-VNNI: those cases are reported as skipped by name).
The result must equal the integer reference bit for bit (int8) or the
shared-library build of the same model (fp32)."""

import shutil
import subprocess

import numpy as np
import onnx
import onnx.numpy_helper
import pytest
from onnx import TensorProto, helper

import qdq_models as qm
from e2e_util import E2E_DIR, quantc, require
from test_kernels import ISAS, ConvCase, GemmCase, require_isa

GEMMS = [("g1x1x1", 1, 1, 1), ("g7x13x29", 7, 13, 29), ("g3x67x65", 3, 67, 65),
         # K = 300 > one 16 KiB panel for 64 channels (256 bytes of K):
         # partial sums between panels and several row tiles.
         ("g17x300x70", 17, 300, 70)]
# (name, C, F, H, W, kernel, stride, pad, dilation, depthwise, relu)
CONVS = [("unit", 1, 1, 1, 1, 1, 1, 0, 1, False, False),
         ("c5_f67_pad", 5, 67, 7, 7, 3, 1, 1, 1, False, True),
         ("c3_f13_s2_11x13", 3, 13, 11, 13, 3, 2, 1, 1, False, False),
         ("depthwise13_7x11", 13, 13, 7, 11, 3, 1, 1, 1, True, True),
         # 9 taps x 64 channels: tap panels with partial sums.
         ("c64_f64_taps", 64, 64, 9, 9, 3, 1, 1, 1, False, True)]

# Instruction sets valgrind 3.19 decodes.
VALGRIND_ISAS = {"avx2", "generic"}


def build_guard(obj, exe):
    name = quantc.model_name(obj)
    command = ["clang-22", "-std=c11", "-O2", "-g", "-Wall", f"-I{obj.parent}", f'-DMODEL_HEADER="{name}.h"',
               f"-DMODEL={name}", str(E2E_DIR / "guard_harness.c"), str(obj), "-lm", "-o", str(exe)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stderr}"
    return exe


def run_guarded(exe, x, out_shape, tmp_path, valgrind=False):
    in_bin, out_bin = tmp_path / "in.bin", tmp_path / "out.bin"
    np.ascontiguousarray(x, dtype=np.float32).tofile(in_bin)
    prefix = []
    if valgrind:
        prefix = ["valgrind", "-q", "--error-exitcode=9", "--track-origins=yes", "--exit-on-first-error=yes"]
    result = subprocess.run([*prefix, str(exe), str(in_bin), str(out_bin)], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, (f"{'valgrind: ' if valgrind else ''}guard harness exited "
                                    f"{result.returncode}:\n{result.stderr[-4000:]}")
    return np.fromfile(out_bin, dtype=np.float32).reshape(out_shape)


def check(name, model, x, out_shape, reference, tmp_path, report, isa, flags=()):
    """Compiles `model` for `isa` to an object, runs it behind guard pages
    and then under valgrind, each time bit for bit against `reference`.
    Skips the valgrind part, by name, for the instruction sets valgrind 3.19
    cannot decode (after the guard-page run passed)."""
    path = tmp_path / f"{name}.onnx"
    onnx.save(model, str(path))
    obj = quantc.compile(path, tmp_path / f"{name}.o", extra_args=[*flags, *ISAS[isa][0]])
    exe = build_guard(obj, tmp_path / f"{name}_guard")
    np.testing.assert_array_equal(run_guarded(exe, x, out_shape, tmp_path), reference)
    key = f"generated_memory_{isa}_{name}"
    if isa not in VALGRIND_ISAS:
        report[key] = "guard pages clean"
        pytest.skip(f"valgrind 3.19 cannot decode the {isa} instructions: memcheck of {name} skipped "
                    "(the guard-page run passed)")
    require(shutil.which("valgrind") is not None, "valgrind is not installed (scripts/install-deps.sh installs it)")
    np.testing.assert_array_equal(run_guarded(exe, x, out_shape, tmp_path, valgrind=True), reference)
    report[key] = "guard pages and memcheck clean"


@pytest.mark.parametrize("isa", list(ISAS))
@pytest.mark.parametrize("shape", GEMMS, ids=[g[0] for g in GEMMS])
def test_gemm_memory(quantc_bin, tmp_path, report, isa, shape):
    require_isa(isa)
    case = GemmCase(*shape)
    x = (np.random.default_rng(1).standard_normal((case.m, case.k)) * 3).astype(np.float32)
    check(case.name, case.model(), x, (case.m, case.n), case.reference(x), tmp_path, report, isa)


@pytest.mark.parametrize("isa", list(ISAS))
@pytest.mark.parametrize("shape", CONVS, ids=[c[0] for c in CONVS])
def test_conv_memory(quantc_bin, tmp_path, report, isa, shape):
    require_isa(isa)
    case = ConvCase(*shape)
    x = (np.random.default_rng(2).standard_normal((1, case.c, case.h, case.w)) * 2.5).astype(np.float32)
    out_shape = (1, case.f, case.out_size(case.h), case.out_size(case.w))
    check(case.name, case.model(), x, out_shape, case.reference(x), tmp_path, report, isa)


def float_model(c, f, h, w, n_out, seed=4):
    """fp32 Conv(3x3, pad 1) -> Relu -> GlobalAveragePool -> Flatten -> Gemm."""
    rng = np.random.default_rng(seed)
    inits = [qm.init("w", rng.standard_normal((f, c, 3, 3)).astype(np.float32) * 0.3),
             qm.init("b", rng.standard_normal(f).astype(np.float32)),
             qm.init("gw", rng.standard_normal((n_out, f)).astype(np.float32) * 0.2),
             qm.init("gb", rng.standard_normal(n_out).astype(np.float32))]
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1] * 4),
             helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("GlobalAveragePool", ["r"], ["p"]),
             helper.make_node("Flatten", ["p"], ["fl"]),
             helper.make_node("Gemm", ["fl", "gw", "gb"], ["y"], transB=1)]
    graph = helper.make_graph(nodes, "float", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, h, w])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n_out])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


FLOATS = [("f1x1", 1, 1, 1, 1, 1), ("f5_f67_7x11", 5, 67, 7, 11, 13), ("f19_f33_13x5", 19, 33, 13, 5, 1000)]


@pytest.mark.parametrize("isa", ["avx512vnni", "avx2", "generic"])
@pytest.mark.parametrize("shape", FLOATS, ids=[f[0] for f in FLOATS])
def test_fp32_memory(quantc_bin, tmp_path, report, isa, shape):
    require_isa(isa)
    name, c, f, h, w, n_out = shape
    model = float_model(c, f, h, w, n_out)
    x = np.random.default_rng(3).standard_normal((1, c, h, w)).astype(np.float32)
    path = tmp_path / f"{name}_ref.onnx"
    onnx.save(model, str(path))
    flags = ["--precision", "fp32"]
    expected = quantc.load(quantc.compile(path, tmp_path / f"{name}_ref.so", extra_args=[*flags, *ISAS[isa][0]]))(x)
    # Close to an independent float reference (PyTorch).
    import torch

    inits = {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
    with torch.no_grad():
        r = torch.relu(torch.nn.functional.conv2d(torch.from_numpy(x), inits["w"], inits["b"], padding=1))
        y = torch.nn.functional.linear(r.mean(dim=(2, 3)), inits["gw"], inits["gb"]).numpy()
    np.testing.assert_allclose(expected, y, rtol=1e-4, atol=1e-4)
    # The same code as an object behind guard pages, bit for bit.
    check(name, model, x, (1, n_out), expected, tmp_path, report, isa, flags)


# The guard harness itself must catch each kind of fault: a hand-written
# stand-in model with one deliberate fault each (test/e2e/data/faulty_model.c).
@pytest.mark.parametrize("fault,outcome", [(0, 0), (1, -11), (2, -11), (3, 3), (4, 4)],
                         ids=["none", "write_past_output", "read_before_input", "uninit_workspace", "writes_input"])
def test_guard_harness_catches_faults(tmp_path, fault, outcome):
    data = E2E_DIR / "data"
    exe = tmp_path / "guard"
    command = ["clang-22", "-std=c11", "-O1", f"-I{data}", '-DMODEL_HEADER="faulty.h"', "-DMODEL=faulty",
               f"-DFAULT={fault}", str(E2E_DIR / "guard_harness.c"), str(data / "faulty_model.c"), "-o", str(exe)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    (tmp_path / "in.bin").write_bytes(np.arange(13, dtype=np.float32).tobytes())
    result = subprocess.run([str(exe), str(tmp_path / "in.bin"), str(tmp_path / "out.bin")], capture_output=True)
    assert result.returncode == outcome, result.stderr
