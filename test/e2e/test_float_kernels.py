"""The vector kernels of float ops (docs/design.md, "Float islands"):

- qc.matmul of two activations (register tiles of 4 rows x 16/32 columns)
  is bit-identical to float32 evaluated as the generic lowering does:
  ((0 + a0*b0) + a1*b1) + ... in k order, one rounding per multiply and
  per add (a NumPy loop over k in float32 computes exactly that);
- softmax over the last axis and layer normalization over trailing axes
  (one vector row per row, tree reductions) agree with NumPy to float32
  rounding, alone and as float islands of an int8 model, where the
  result codes are those of quantizing NumPy's float result (within one
  code: the sums are reassociated).
"""

import re

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from e2e_util import build_harness, quantc, require_tools, run_harness


def save(tmp_path, name, nodes, inputs, outputs, inits=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    path = tmp_path / f"{name}.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    return path


def vinfo(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def sequential_matmul(a, b):
    acc = np.zeros(a.shape[:-1] + b.shape[-1:], np.float32)
    for k in range(a.shape[-1]):
        acc = (acc + (a[..., :, k:k + 1] * b[..., k:k + 1, :]).astype(np.float32)).astype(np.float32)
    return acc


# (batch, M, K, N): row tail (M % 4), one or two column vectors per tile,
# a masked last column vector (37 = 2 x 16 + 5).
MATMULS = [(2, 13, 24, 48), (3, 8, 64, 64), (1, 1, 7, 16), (2, 5, 9, 37)]


@pytest.mark.parametrize("shape", MATMULS, ids=["x".join(map(str, s)) for s in MATMULS])
def test_matmul_tiles_bit_identical(quantc_bin, tmp_path, shape):
    bsz, m, k, n = shape
    path = save(tmp_path, "mm", [helper.make_node("MatMul", ["a", "b"], ["y"])],
                [vinfo("a", (bsz, m, k)), vinfo("b", (bsz, k, n))], [vinfo("y", (bsz, m, n))])
    asm = quantc.compile(path, tmp_path / "mm.s", precision="fp32").read_text()
    # The tile's k loop: multiplies of whole vectors (by a broadcast row
    # element, often folded as {1to16}) and adds; never a fused FMA.
    assert re.search(r"vmulps\s.*%[yz]mm", asm) and "vfmadd" not in asm
    model = quantc.load(quantc.compile(path, tmp_path / "mm.so", precision="fp32"))
    rng = np.random.default_rng(11)
    for _ in range(3):
        a = rng.standard_normal((bsz, m, k)).astype(np.float32)
        b = rng.standard_normal((bsz, k, n)).astype(np.float32)
        np.testing.assert_array_equal(model(a, b), sequential_matmul(a, b))


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def layer_norm(x, g, b, axes):
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * g + b


def test_softmax_rows(quantc_bin, tmp_path):
    path = save(tmp_path, "sm", [helper.make_node("Softmax", ["x"], ["y"], axis=-1)],
                [vinfo("x", (2, 5, 100))], [vinfo("y", (2, 5, 100))])
    model = quantc.load(quantc.compile(path, tmp_path / "sm.so", precision="fp32"))
    x = (np.random.default_rng(1).standard_normal((2, 5, 100)) * 4).astype(np.float32)
    np.testing.assert_allclose(model(x), softmax(x.astype(np.float64)), rtol=2e-6, atol=1e-7)


def test_layer_norm_rows(quantc_bin, tmp_path):
    rng = np.random.default_rng(2)
    g = rng.uniform(0.5, 2.0, (3, 16)).astype(np.float32)
    b = rng.standard_normal((3, 16)).astype(np.float32)
    path = save(tmp_path, "ln",
                [helper.make_node("ReduceMean", ["x"], ["m"], axes=[2, 3]),
                 helper.make_node("Sub", ["x", "m"], ["d"]),
                 helper.make_node("Pow", ["d", "two"], ["p"]),
                 helper.make_node("ReduceMean", ["p"], ["v"], axes=[2, 3]),
                 helper.make_node("Add", ["v", "eps"], ["e"]),
                 helper.make_node("Sqrt", ["e"], ["s"]),
                 helper.make_node("Div", ["d", "s"], ["n"]),
                 helper.make_node("Mul", ["n", "g"], ["ng"]),
                 helper.make_node("Add", ["ng", "b"], ["y"])],
                [vinfo("x", (4, 2, 3, 16))], [vinfo("y", (4, 2, 3, 16))],
                [helper.make_tensor("two", TensorProto.FLOAT, [], [2.0]),
                 helper.make_tensor("eps", TensorProto.FLOAT, [], [1e-5]),
                 helper.make_tensor("g", TensorProto.FLOAT, [3, 16], g.ravel()),
                 helper.make_tensor("b", TensorProto.FLOAT, [3, 16], b.ravel())])
    mlir = quantc.compile(path, tmp_path / "ln.mlir", precision="fp32", emit="mlir").read_text()
    assert "qc.layer_norm" in mlir and "qc.reduce" not in mlir, "the decomposition was not fused"
    model = quantc.load(quantc.compile(path, tmp_path / "ln.so", precision="fp32"))
    x = (rng.standard_normal((4, 2, 3, 16)) * 3 + 1).astype(np.float32)
    np.testing.assert_allclose(model(x), layer_norm(x.astype(np.float64), g, b, (2, 3)), rtol=1e-5, atol=1e-5)


def test_softmax_island_in_int8_model(quantc_bin, tmp_path):
    """MatMul -> Softmax -> MatMul quantized: the softmax reads and writes
    int8 codes in one loop; its output codes are those of quantizing the
    float softmax of the dequantized input codes (within one code)."""
    rng = np.random.default_rng(4)
    w = rng.standard_normal((32, 32)).astype(np.float32)
    path = save(tmp_path, "island",
                [helper.make_node("MatMul", ["x", "w"], ["h"]),
                 helper.make_node("Softmax", ["h"], ["y"], axis=-1)],
                [vinfo("x", (8, 32))], [vinfo("y", (8, 32))],
                [helper.make_tensor("w", TensorProto.FLOAT, [32, 32], w.ravel())])
    calib = tmp_path / "calib.npy"
    np.save(calib, rng.standard_normal((16, 8, 32)).astype(np.float32))
    model = quantc.load(quantc.compile(path, tmp_path / "island.so", calib))
    x = rng.standard_normal((8, 32)).astype(np.float32)
    y = model(x)
    # Softmax outputs are quantized in [0, 1] with a scale near 1/255.
    np.testing.assert_allclose(y, softmax((x @ w).astype(np.float64)), atol=0.05)
    assert np.allclose(y.sum(axis=-1), 1, atol=0.1)


@pytest.mark.parametrize("n", [37, 64])
def test_fully_connected_tiles_bit_identical(quantc_bin, tmp_path, n):
    """Gemm + Relu in float: bias, then the products in k order, then relu,
    as the linalg lowering computes (the weight transposed at compile
    time); 37 output features end in a masked column vector."""
    m, k = 7, 50
    rng = np.random.default_rng(6)
    w = rng.standard_normal((n, k)).astype(np.float32)
    b = rng.standard_normal(n).astype(np.float32)
    path = save(tmp_path, "fc",
                [helper.make_node("Gemm", ["x", "w", "b"], ["g"], transB=1),
                 helper.make_node("Relu", ["g"], ["y"])],
                [vinfo("x", (m, k))], [vinfo("y", (m, n))],
                [helper.make_tensor("w", TensorProto.FLOAT, [n, k], w.ravel()),
                 helper.make_tensor("b", TensorProto.FLOAT, [n], b)])
    model = quantc.load(quantc.compile(path, tmp_path / "fc.so", precision="fp32"))
    x = rng.standard_normal((m, k)).astype(np.float32)
    acc = np.broadcast_to(b, (m, n)).astype(np.float32)
    for kk in range(k):
        acc = (acc + (x[:, kk:kk + 1] * w[:, kk]).astype(np.float32)).astype(np.float32)
    np.testing.assert_array_equal(model(x), np.maximum(acc, 0))


def attention_block(tmp_path, rng):
    """x -> q = x Wq, k = x Wk -> softmax(q k^T) x -> LayerNorm (written out
    as PyTorch exports it below opset 17): the row kernels, the byte-block
    transpose (int8) and the float matmul tiles in one model."""
    d, s = 32, 16
    wq = (rng.standard_normal((d, d)) * 0.3).astype(np.float32)
    wk = (rng.standard_normal((d, d)) * 0.3).astype(np.float32)
    g = rng.uniform(0.5, 1.5, d).astype(np.float32)
    b = rng.standard_normal(d).astype(np.float32)
    nodes = [
        helper.make_node("MatMul", ["x", "wq"], ["q"]),
        helper.make_node("MatMul", ["x", "wk"], ["k"]),
        helper.make_node("Transpose", ["k"], ["kt"], perm=[1, 0]),
        helper.make_node("MatMul", ["q", "kt"], ["sc"]),
        helper.make_node("Softmax", ["sc"], ["p"], axis=-1),
        helper.make_node("MatMul", ["p", "x"], ["o"]),
        helper.make_node("ReduceMean", ["o"], ["m"], axes=[-1]),
        helper.make_node("Sub", ["o", "m"], ["dv"]),
        helper.make_node("Mul", ["dv", "dv"], ["sq"]),
        helper.make_node("ReduceMean", ["sq"], ["v"], axes=[-1]),
        helper.make_node("Add", ["v", "eps"], ["ve"]),
        helper.make_node("Sqrt", ["ve"], ["sd"]),
        helper.make_node("Div", ["dv", "sd"], ["n"]),
        helper.make_node("Mul", ["n", "g"], ["ng"]),
        helper.make_node("Add", ["ng", "b"], ["y"]),
    ]
    inits = [helper.make_tensor("wq", TensorProto.FLOAT, [d, d], wq.ravel()),
             helper.make_tensor("wk", TensorProto.FLOAT, [d, d], wk.ravel()),
             helper.make_tensor("eps", TensorProto.FLOAT, [], [1e-5]),
             helper.make_tensor("g", TensorProto.FLOAT, [d], g),
             helper.make_tensor("b", TensorProto.FLOAT, [d], b)]
    return save(tmp_path, "attn", nodes, [vinfo("x", (s, d))], [vinfo("y", (s, d))], inits), (s, d)


@pytest.mark.parametrize("precision", ["int8", "fp32"])
def test_float_kernels_aarch64_match_x86(quantc_bin, tmp_path, report, precision):
    """The reductions are a fixed tree and the float ops plain IEEE
    multiplies and adds: an ARM64 object under qemu gives the x86 outputs
    bit for bit, also for the float islands of the int8 model."""
    require_tools("aarch64-linux-gnu-gcc", "qemu-aarch64")
    rng = np.random.default_rng(8)
    path, shape = attention_block(tmp_path, rng)
    samples = rng.standard_normal((6, *shape)).astype(np.float32)
    calib = None
    if precision == "int8":
        calib = tmp_path / "calib.npy"
        np.save(calib, rng.standard_normal((16, *shape)).astype(np.float32))
    mlir = quantc.compile(path, tmp_path / "attn.mlir", calib, precision=precision, emit="mlir").read_text()
    assert "qc.layer_norm" in mlir and "qc.softmax" in mlir and "qc.matmul" in mlir
    model = quantc.load(quantc.compile(path, tmp_path / "attn.so", calib, precision=precision))
    expected = np.stack([model(x) for x in samples])
    obj = quantc.compile(path, tmp_path / "attn_a64.o", calib, precision=precision, target="aarch64-linux-gnu")
    exe = build_harness("aarch64-linux-gnu-gcc", obj, tmp_path / "attn_a64", "-static")
    outputs = run_harness(["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", exe], samples, shape, tmp_path)
    identical = bool(np.array_equal(outputs.view(np.uint32), expected.view(np.uint32)))
    report[f"float_kernels_aarch64_{precision}_equals_x86"] = identical
    assert identical, f"max difference {np.abs(outputs - expected).max()}"
