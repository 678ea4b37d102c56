"""Quantized models whose graph inputs and outputs are int8 or uint8
tensors (docs/quantization.md, "QDQ import"):

    x (INT8/UINT8) -> DequantizeLinear -> ... -> QuantizeLinear -> y (INT8/UINT8)

compile without calibration into functions that take and return the raw
codes: the caller passes int8 (or the real uint8 bytes) and receives int8
(or uint8), and the header and signature name the element type, scale and
zero point. The codes are compared bit for bit with quantc's integer
numerics (exact integer sums, the fixed-point requantization rule of
reference.py), through quantc.load and through a C program linked with the
object file (x86-64 and, under qemu, ARM64); and with the ONNX definitions
evaluated in float32 (within one code: those divide by the output scale in
float32, see test_qdq_import.py)."""

import json
import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import qdq_models as qm
from e2e_util import quantc, require_tools

ONNX_TYPE = {np.int8: TensorProto.INT8, np.uint8: TensorProto.UINT8}
C_TYPE = {np.int8: "int8_t", np.uint8: "uint8_t"}

# Runs a model with one 8-bit input and one 8-bit output over a file of
# samples through both entry points, and prints the header's dtypes.
HARNESS = r"""
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include MODEL_HEADER
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define SYM(suffix) CAT(MODEL, suffix)
enum { IN_SIZE = SYM(_INPUT0_SIZE), OUT_SIZE = SYM(_OUTPUT0_SIZE) };
int main(int argc, char **argv) {
  static IN_T x[IN_SIZE];
  static OUT_T y[OUT_SIZE], y_ws[OUT_SIZE];
  const void *in[1] = {x};
  void *out[1] = {y}, *out_ws[1] = {y_ws};
  FILE *fi = fopen(argv[1], "rb"), *fo = fopen(argv[2], "wb");
  void *ws = malloc(SYM(_workspace_size)() + 1);
  if (!fi || !fo || !ws)
    return 1;
  printf("%s %s\n", SYM(_INPUT0_DTYPE), SYM(_OUTPUT0_DTYPE));
  for (long i = 0, n = atol(argv[3]); i < n; ++i) {
    if (fread(x, sizeof x, 1, fi) != 1 || SYM(_run)(in, out) != 0 ||
        SYM(_run_with_workspace)(in, out_ws, ws) != 0 ||
        memcmp(y, y_ws, sizeof y) != 0 || fwrite(y, sizeof y, 1, fo) != 1)
      return 1;
  }
  free(ws);
  return fclose(fo) != 0;
}
"""


def save(graph, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def compile_cli(quantc_bin, model, out, *args):
    """`quantc compile MODEL -o OUT`: no calibration data."""
    result = subprocess.run(
        [str(quantc_bin), "compile", str(model), "-o", str(out), *args], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    return out


def run_c(quantc_bin, model, tmp_path, samples, in_t, out_t, out_shape, target=None):
    """Links HARNESS with the object file of `model` and runs it over
    `samples`; returns (the header's "IN OUT" dtypes, the outputs)."""
    suffix = "a64" if target else "host"
    obj = tmp_path / f"{model.stem}_{suffix}.o"
    compile_cli(quantc_bin, model, obj, *(["--target", target] if target else []))
    source = tmp_path / "harness_io.c"
    source.write_text(HARNESS)
    exe = tmp_path / f"harness_{model.stem}_{suffix}"
    compiler, prefix, flags = "cc", [], []
    if target:
        compiler, prefix, flags = "aarch64-linux-gnu-gcc", ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"], ["-static"]
    name = quantc.model_name(obj)
    command = [
        compiler, "-std=c11", "-O2", "-Wall", f"-I{tmp_path}", f'-DMODEL_HEADER="{name}.h"', f"-DMODEL={name}",
        f"-DIN_T={C_TYPE[in_t]}", f"-DOUT_T={C_TYPE[out_t]}", str(source), str(obj), "-lm", "-o", str(exe), *flags,
    ]  # fmt: skip
    built = subprocess.run(command, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    samples = np.ascontiguousarray(samples, dtype=in_t)
    in_bin, out_bin = tmp_path / "in.bin", tmp_path / "out.bin"
    samples.tofile(in_bin)
    ran = subprocess.run([*prefix, str(exe), str(in_bin), str(out_bin), str(len(samples))], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    return ran.stdout.strip(), np.fromfile(out_bin, dtype=out_t).reshape(len(samples), *out_shape)


def full_range_samples(rng, dtype, shape, n):
    """n samples of uniformly random codes, the first holding the extremes."""
    lo, hi = qm.RANGE[dtype]
    x = rng.integers(lo, hi + 1, size=(n, *shape)).astype(dtype)
    x.reshape(n, -1)[0, :4] = [lo, hi, lo, hi]
    return x


# --------------------------------------------------------------------------
# MatMul: x [4, 64] -> DQ -> MatMul(DQ int8 weight, per column) -> Q -> y
# --------------------------------------------------------------------------


class MatMulParams:
    def __init__(self, act, seed=0):
        rng = np.random.default_rng(seed)
        mid = 128 if act == np.uint8 else 0
        self.act = act
        self.s_x, self.zp_x = np.float32(0.02), mid + 3
        self.w = rng.integers(-128, 128, size=(64, 24)).astype(np.int8)  # [K, N]
        self.s_w = np.linspace(0.002, 0.004, 24).astype(np.float32)
        self.s_y, self.zp_y = np.float32(0.03), mid - 5


def io_graph(name, p, act, shapes, inits, nodes):
    """x (act) -> DequantizeLinear -> "xd" -> nodes -> "out" ->
    QuantizeLinear -> y (act), with p's input and output parameters."""
    inits = [
        qm.scalar("x_s", p.s_x, np.float32), qm.scalar("x_zp", p.zp_x, act),
        qm.scalar("y_s", p.s_y, np.float32), qm.scalar("y_zp", p.zp_y, act), *inits,
    ]  # fmt: skip
    nodes = [
        helper.make_node("DequantizeLinear", ["x", "x_s", "x_zp"], ["xd"]),
        *nodes,
        helper.make_node("QuantizeLinear", ["out", "y_s", "y_zp"], ["y"]),
    ]
    io = [helper.make_tensor_value_info(n, ONNX_TYPE[act], shape) for n, shape in zip("xy", shapes)]
    return helper.make_graph(nodes, name, io[:1], io[1:], inits)


def dq_const(name, q, scale, axis):
    """DequantizeLinear of the constant q with zero point 0, per axis."""
    inits = [qm.init(f"{name}_q", q), qm.init(f"{name}_s", scale), qm.init(f"{name}_zp", np.zeros(scale.shape, q.dtype))]
    return inits, helper.make_node("DequantizeLinear", [f"{name}_q", f"{name}_s", f"{name}_zp"], [name], axis=axis)


def matmul_graph(p):
    inits, w = dq_const("w", p.w, p.s_w, axis=1)
    matmul = helper.make_node("MatMul", ["xd", "w"], ["out"], name="matmul")
    return io_graph("int8_io_matmul", p, p.act, ([4, 64], [4, 24]), inits, [w, matmul])


def make_matmul_model(p, path):
    return save(matmul_graph(p), path)


def matmul_integer_reference(p, x):
    acc = (x.astype(np.int64) - p.zp_x) @ p.w.astype(np.int64)
    m = float(p.s_x) * p.s_w.astype(np.float64) / float(p.s_y)
    return qm.requantize(acc, m, p.zp_y, p.act, channel_axis=1).astype(p.act)


def matmul_float_reference(p, x):
    xd = qm.dequantize_linear(x, p.s_x, p.zp_x)
    y = xd @ qm.dequantize_linear(p.w, p.s_w, 0, axis=1)
    return qm.quantize_linear(y, p.s_y, p.zp_y, p.act)


def check_codes(got, want, spec, report, key):
    """Bit for bit against the integer reference; within one code of the
    float32 ONNX definition."""
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    diff = np.abs(got.astype(np.int64) - spec)
    report[key] = f"{int(np.sum(diff == 0))}/{got.size} identical to the float ONNX definition"
    assert diff.max() <= 1
    assert np.mean(diff == 0) >= 0.9


def check_signature(entry, name, shape, act, scale, zp):
    assert entry["name"] == name and tuple(entry["shape"]) == shape
    assert entry["dtype"] == np.dtype(act).name
    assert np.float32(entry["scale"]) == scale and entry["zero_point"] == zp


@pytest.mark.parametrize("act", [np.int8, np.uint8], ids=["int8", "uint8"])
def test_matmul_8bit_io(quantc_bin, tmp_path, act, report):
    p = MatMulParams(act)
    path = make_matmul_model(p, tmp_path / f"mm_{np.dtype(act).name}.onnx")

    # The function takes and returns the storage type; the input is
    # storage-cast to the DequantizeLinear's type, the output back.
    mlir = compile_cli(quantc_bin, path, tmp_path / "mm.mlir", "--emit", "mlir").read_text()
    u = "u8" if act == np.uint8 else "i8"
    assert "func.func @main(%arg0: tensor<4x64xi8>" in mlir and "-> (tensor<4x24xi8>" in mlir
    assert f"quant.scast %arg0 : tensor<4x64xi8> to tensor<4x64x!quant.uniform<{u}:f32, " in mlir
    assert f"qc.fully_connected %0, %1 : (tensor<4x64x!quant.uniform<{u}:f32" in mlir
    assert f"-> tensor<4x24x!quant.uniform<{u}:f32, 0.02999" in mlir
    assert f"quant.scast %2 : tensor<4x24x!quant.uniform<{u}:f32, 0.029999999329447746:{p.zp_y}>> to tensor<4x24xi8>" in mlir

    model = quantc.load(compile_cli(quantc_bin, path, tmp_path / f"mm_{np.dtype(act).name}.so", "--emit", "shared"))
    assert model.inputs == [quantc.TensorSpec("x", (4, 64), np.dtype(act))]
    assert model.outputs == [quantc.TensorSpec("y", (4, 24), np.dtype(act))]
    check_signature(model.signature["inputs"][0], "x", (4, 64), act, p.s_x, p.zp_x)
    check_signature(model.signature["outputs"][0], "y", (4, 24), act, p.s_y, p.zp_y)
    with pytest.raises(ValueError, match="dtype"):
        model(np.zeros((4, 64), np.float32))

    rng = np.random.default_rng(1)
    samples = full_range_samples(rng, act, (4, 64), 12)
    got = np.stack([model(x) for x in samples])
    want = np.stack([matmul_integer_reference(p, x) for x in samples])
    spec = np.stack([matmul_float_reference(p, x) for x in samples])
    lo, hi = qm.RANGE[act]
    assert (want == lo).any() and (want == hi).any()  # saturation is exercised
    check_codes(got, want, spec, report, f"int8_io_matmul_{np.dtype(act).name}")

    # The C interface: raw codes in, raw codes out; the header names them.
    dtypes, out = run_c(quantc_bin, path, tmp_path, samples, act, act, (4, 24))
    assert dtypes == f"{np.dtype(act).name} {np.dtype(act).name}"
    np.testing.assert_array_equal(out, want)
    header = (tmp_path / f"{path.stem}_host.h").read_text()
    assert f'#define {path.stem}_host_INPUT0_DTYPE "{np.dtype(act).name}"' in header


def test_matmul_8bit_io_aarch64(quantc_bin, tmp_path):
    require_tools("aarch64-linux-gnu-gcc", "qemu-aarch64")
    for act in (np.int8, np.uint8):
        p = MatMulParams(act, seed=4)
        path = make_matmul_model(p, tmp_path / f"mm_{np.dtype(act).name}.onnx")
        samples = full_range_samples(np.random.default_rng(5), act, (4, 64), 6)
        _, out = run_c(quantc_bin, path, tmp_path, samples, act, act, (4, 24), target="aarch64-linux-gnu")
        np.testing.assert_array_equal(out, np.stack([matmul_integer_reference(p, x) for x in samples]))


# --------------------------------------------------------------------------
# Conv: x [1, 16, 8, 8] int8 -> DQ -> Conv(3x3, pad 1, DQ int8 weight per
# channel, DQ int32 bias) -> Relu -> Q -> y int8
# --------------------------------------------------------------------------


class ConvParams:
    def __init__(self, seed=2):
        rng = np.random.default_rng(seed)
        self.s_x, self.zp_x = np.float32(0.05), -7
        self.w = rng.integers(-127, 128, size=(8, 16, 3, 3)).astype(np.int8)
        self.s_w = np.linspace(0.001, 0.003, 8).astype(np.float32)
        self.s_b = (self.s_x * self.s_w.astype(np.float64)).astype(np.float32)
        self.b = rng.integers(-20000, 20000, size=8).astype(np.int32)
        self.s_y, self.zp_y = np.float32(0.1), -20


def make_conv_model(p, path):
    w_inits, w = dq_const("w", p.w, p.s_w, axis=0)
    b_inits, b = dq_const("b", p.b, p.s_b, axis=0)
    nodes = [
        w, b,
        helper.make_node("Conv", ["xd", "w", "b"], ["c"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["out"]),
    ]  # fmt: skip
    return save(io_graph("int8_io_conv", p, np.int8, ([1, 16, 8, 8], [1, 8, 8, 8]), w_inits + b_inits, nodes), path)


def conv_integer_reference(p, x):
    acc = qm.conv_int(x.astype(np.int64) - p.zp_x, p.w.astype(np.int64), [1, 1, 1, 1]) + p.b.reshape(1, -1, 1, 1)
    m = float(p.s_x) * p.s_w.astype(np.float64) / float(p.s_y)
    y = qm.requantize(acc, m, p.zp_y, np.int8, channel_axis=1)
    return np.maximum(y, p.zp_y).astype(np.int8)  # the fused relu


def conv_float_reference(p, x):
    xd = np.pad(qm.dequantize_linear(x, p.s_x, p.zp_x), ((0, 0), (0, 0), (1, 1), (1, 1)))
    w = qm.dequantize_linear(p.w, p.s_w, 0, axis=0)
    c = np.zeros((1, 8, 8, 8), np.float32)
    for i in range(3):
        for j in range(3):
            c += np.einsum("nchw,fc->nfhw", xd[:, :, i : i + 8, j : j + 8], w[:, :, i, j])
    c += qm.dequantize_linear(p.b, p.s_b, 0, axis=0).reshape(1, -1, 1, 1)
    return qm.quantize_linear(np.maximum(c, 0), p.s_y, p.zp_y, np.int8)


def test_conv_int8_io(quantc_bin, tmp_path, report):
    p = ConvParams()
    path = make_conv_model(p, tmp_path / "conv_io.onnx")
    mlir = compile_cli(quantc_bin, path, tmp_path / "conv.mlir", "--emit", "mlir").read_text()
    assert "func.func @main(%arg0: tensor<1x16x8x8xi8>" in mlir
    conv = [line for line in mlir.splitlines() if "qc.conv" in line]
    assert len(conv) == 1 and "-> tensor<1x8x8x8x!quant.uniform<i8:f32, 0.1000" in conv[0], conv

    model = quantc.load(compile_cli(quantc_bin, path, tmp_path / "conv_io.so", "--emit", "shared"))
    check_signature(model.signature["inputs"][0], "x", (1, 16, 8, 8), np.int8, p.s_x, p.zp_x)
    check_signature(model.signature["outputs"][0], "y", (1, 8, 8, 8), np.int8, p.s_y, p.zp_y)
    samples = full_range_samples(np.random.default_rng(3), np.int8, (1, 16, 8, 8), 6)
    got = np.stack([model(x) for x in samples])
    want = np.stack([conv_integer_reference(p, x) for x in samples])
    assert (want == p.zp_y).any() and (want == 127).any()  # relu and saturation
    check_codes(got, want, np.stack([conv_float_reference(p, x) for x in samples]), report, "int8_io_conv")

    _, out = run_c(quantc_bin, path, tmp_path, samples, np.int8, np.int8, (1, 8, 8, 8))
    np.testing.assert_array_equal(out, want)


# --------------------------------------------------------------------------
# An 8-bit input read by two DequantizeLinear nodes with the same
# parameters, an int8 output and a float output in one model
# --------------------------------------------------------------------------


def test_shared_input_and_mixed_outputs(quantc_bin, tmp_path):
    p = MatMulParams(np.int8, seed=6)
    graph = matmul_graph(p)
    # The second reader has its own (equal) scale and zero point tensors.
    graph.initializer.extend([qm.scalar("x_s2", p.s_x, np.float32), qm.scalar("x_zp2", p.zp_x, np.int8)])
    graph.node.extend([
        helper.make_node("DequantizeLinear", ["x", "x_s2", "x_zp2"], ["xd2"]),
        helper.make_node("Relu", ["xd2"], ["r"]),
    ])  # fmt: skip
    graph.output.append(helper.make_tensor_value_info("r", TensorProto.FLOAT, [4, 64]))
    path = save(graph, tmp_path / "shared.onnx")
    mlir = compile_cli(quantc_bin, path, tmp_path / "shared.mlir", "--emit", "mlir").read_text()
    assert mlir.count("quant.scast %arg0") == 1
    model = quantc.load(compile_cli(quantc_bin, path, tmp_path / "shared.so", "--emit", "shared"))
    assert [o.dtype for o in model.outputs] == [np.dtype(np.int8), np.dtype(np.float32)]
    assert "scale" not in model.signature["outputs"][1]
    x = full_range_samples(np.random.default_rng(7), np.int8, (4, 64), 1)[0]
    y, r = model(x)
    np.testing.assert_array_equal(y, matmul_integer_reference(p, x))
    np.testing.assert_array_equal(r, np.maximum(qm.dequantize_linear(x, p.s_x, p.zp_x), 0))


# --------------------------------------------------------------------------
# Errors: an 8-bit input must be read only by DequantizeLinear, with one
# set of parameters
# --------------------------------------------------------------------------


def error_model(kind):
    inits = [qm.scalar("s", 0.5, np.float32), qm.scalar("zp", 1, np.int8), qm.scalar("s2", 0.25, np.float32)]
    nodes = [helper.make_node("DequantizeLinear", ["x", "s", "zp"], ["xd"])]
    if kind == "cast":
        nodes = [helper.make_node("Cast", ["x"], ["xd"], name="to_float", to=TensorProto.FLOAT)]
    elif kind == "two_scales":
        nodes.append(helper.make_node("DequantizeLinear", ["x", "s2", "zp"], ["xd2"], name="dq2"))
        nodes.append(helper.make_node("Add", ["xd", "xd2"], ["sum"]))
    out = "sum" if kind == "two_scales" else "xd"
    return helper.make_graph(
        nodes + [helper.make_node("Relu", [out], ["y"])], kind,
        [helper.make_tensor_value_info("x", TensorProto.INT8, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])], inits)  # fmt: skip


@pytest.mark.parametrize(
    "kind,message",
    [
        (
            "cast",
            "error: graph input 'x' is an INT8 tensor; 8-bit graph inputs must be read only by "
            "DequantizeLinear (as its input x), but node 'to_float' (Cast) reads it as input 0",
        ),
        (
            "two_scales",
            "error: node 'dq2' (#1, DequantizeLinear): graph input 'x' is dequantized here with scale 0.25 "
            "and zero point 1 but elsewhere with scale 0.5 and zero point 1; an 8-bit graph input must have "
            "one scale and zero point",
        ),
    ],
)
def test_8bit_input_errors(quantc_bin, tmp_path, kind, message):
    path = save(error_model(kind), tmp_path / f"{kind}.onnx")
    result = subprocess.run(
        [str(quantc_bin), "compile", str(path), "-o", str(tmp_path / f"{kind}.o")], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert message in result.stderr, result.stderr


def test_signature_json_of_float_model_unchanged(quantc_bin, tmp_path):
    """Float inputs and outputs keep the three-field description."""
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])], "float",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])  # fmt: skip
    path = save(graph, tmp_path / "float_io.onnx")
    model = quantc.load(compile_cli(quantc_bin, path, tmp_path / "float_io.so", "--emit", "shared", "--precision", "fp32"))
    assert json.dumps(model.signature["inputs"]) == '[{"dtype": "float32", "name": "x", "shape": [2, 3]}]'
