"""The packed int8 microkernels (qc-pack-weights, qc-lower-packed-kernels)
for every x86 instruction set, bit for bit against the integer reference of
docs/quantization.md on shapes that exercise every edge of the tiling: odd
channel counts (K not a multiple of the K group, output channels not a
multiple of the vector or the 64-wide block), strides, dilations, padding,
depthwise, M = 1 and row tails. Each instruction set the CPU lacks is
reported as skipped by name; the generic linalg path is checked too."""

import re
import subprocess
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import qdq_models as qm
import reference
from e2e_util import quantc

# quantc flags selecting each kernel on a CPU that has them all, the
# /proc/cpuinfo flags it needs, and the instruction its object must hold.
ISAS = {
    "avx512vnni": ([], ["avx512f", "avx512bw", "avx512_vnni"], r"vpdpbusd\s.*%zmm"),
    "avxvnni": (["--mattr=-avx512f"], ["avx2", "avx_vnni"], r"\{vex\}\s+vpdpbusd"),
    "avx2": (["--mattr=-avx512f,-avxvnni"], ["avx2"], r"vpmaddwd"),
    "generic": (["--mattr=-avx2"], [], None),
}


def cpu_flags():
    text = Path("/proc/cpuinfo").read_text()
    line = next(l for l in text.splitlines() if l.startswith("flags"))
    return set(line.split(":", 1)[1].split())


def require_isa(isa):
    missing = [f for f in ISAS[isa][1] if f not in cpu_flags()]
    if missing:
        pytest.skip(f"the {isa} kernels cannot run on this CPU (it lacks {', '.join(missing)})")


# (name, C, F, H, W, kernel, stride, pad, dilation, depthwise, relu)
CONVS = [
    ("rgb_stem", 3, 64, 9, 9, 3, 2, 1, 1, False, True),
    ("pointwise_20", 16, 20, 5, 6, 1, 1, 0, 1, False, False),
    ("block_plus_tail", 64, 70, 7, 7, 3, 1, 1, 1, False, True),
    ("dilated_130", 5, 130, 11, 11, 3, 1, 2, 2, False, False),
    ("depthwise_19", 19, 19, 10, 10, 3, 1, 1, 1, True, True),
    ("depthwise_40_5x5_s2", 40, 40, 13, 13, 5, 2, 2, 1, True, False),
    # Input rows beyond one cache block (256 KiB): two row chunks and a
    # remainder, two channel blocks and a tail.
    ("cache_blocked_136", 64, 136, 31, 31, 3, 1, 1, 1, False, True),
]


class ConvCase:
    def __init__(self, name, c, f, h, w, k, stride, pad, dil, depthwise, relu, seed=0):
        rng = np.random.default_rng(seed)
        self.name, self.c, self.f, self.h, self.w = name, c, f, h, w
        self.k, self.stride, self.pad, self.dil, self.relu = k, stride, pad, dil, relu
        self.group = c if depthwise else 1
        self.wq = rng.integers(-127, 128, size=(f, c // self.group, k, k)).astype(np.int8)
        self.s_w = (rng.uniform(0.5, 2.0, size=f) * 0.002).astype(np.float32)
        self.s_x, self.zp_x = np.float32(0.03), 7
        self.b = rng.integers(-3000, 3000, size=f).astype(np.int32)
        self.s_b = (np.float64(self.s_x) * self.s_w.astype(np.float64)).astype(np.float32)
        self.s_y, self.zp_y = np.float32(0.05 * np.sqrt(c // self.group * k * k) / 4), -11

    def model(self):
        nodes, inits = [], []
        sc = lambda n, v, t: inits.append(qm.scalar(n, v, t))
        sc("xs", self.s_x, np.float32), sc("xz", self.zp_x, np.int8)
        sc("ys", self.s_y, np.float32), sc("yz", self.zp_y, np.int8)
        inits += [qm.init("wq", self.wq), qm.init("ws", self.s_w), qm.init("wz", np.zeros(self.f, np.int8)),
                  qm.init("bq", self.b), qm.init("bs", self.s_b), qm.init("bz", np.zeros(self.f, np.int32))]
        nodes += [
            helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
            helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
            helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["wd"], axis=0),
            helper.make_node("DequantizeLinear", ["bq", "bs", "bz"], ["bd"], axis=0),
            helper.make_node("Conv", ["xd", "wd", "bd"], ["c"], pads=[self.pad] * 4, strides=[self.stride] * 2,
                             dilations=[self.dil] * 2, group=self.group),
        ]
        last = "c"
        if self.relu:
            nodes.append(helper.make_node("Relu", ["c"], ["r"]))
            last = "r"
        nodes += [helper.make_node("QuantizeLinear", [last, "ys", "yz"], ["yq"]),
                  helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"])]
        oh, ow = self.out_size(self.h), self.out_size(self.w)
        graph = helper.make_graph(
            nodes, self.name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, self.c, self.h, self.w])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, self.f, oh, ow])], inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])

    def out_size(self, n):
        return (n + 2 * self.pad - self.dil * (self.k - 1) - 1) // self.stride + 1

    def reference(self, x):
        """quantc's integer numerics: exact int64 conv of the centered
        codes, the bias, the fixed-point requantization, relu as the clamp
        at the zero point (the relu is fused into the conv)."""
        xq = qm.quantize_linear(x, self.s_x, self.zp_x, np.int8) - self.zp_x
        xp = np.pad(xq, ((0, 0), (0, 0), (self.pad, self.pad), (self.pad, self.pad)))
        oh, ow = self.out_size(self.h), self.out_size(self.w)
        acc = np.zeros((1, self.f, oh, ow), np.int64)
        cg = self.c // self.group
        fg = self.f // self.group
        for g in range(self.group):
            for i in range(self.k):
                for j in range(self.k):
                    y0, x0 = i * self.dil, j * self.dil
                    patch = xp[:, g * cg:(g + 1) * cg,
                               y0:y0 + self.stride * oh:self.stride, x0:x0 + self.stride * ow:self.stride]
                    acc[:, g * fg:(g + 1) * fg] += np.einsum(
                        "nchw,fc->nfhw", patch, self.wq[g * fg:(g + 1) * fg, :, i, j].astype(np.int64))
        acc += self.b.reshape(1, -1, 1, 1)
        m = np.float64(self.s_x) * self.s_w.astype(np.float64) / np.float64(self.s_y)
        q = qm.requantize(acc, m, self.zp_y, np.int8, channel_axis=1)
        if self.relu:
            q = np.maximum(q, self.zp_y)
        return qm.dequantize_linear(q, self.s_y, self.zp_y)


def compile_case(case, tmp_path, isa):
    path = tmp_path / f"{case.name}.onnx"
    onnx.save(case.model(), str(path))
    flags = ISAS[isa][0]
    so = quantc.compile(path, tmp_path / f"{case.name}_{isa}.so", extra_args=flags)
    pattern = ISAS[isa][2]
    if case.group > 1 and pattern:
        # The depthwise kernel: one int16 multiply-add per tap and lane on
        # channels-last vectors, vpdpwssd with VNNI, vpmaddwd on AVX2.
        pattern = {"avx512vnni": r"vpdpwssd\s.*%zmm",
                   "avxvnni": r"\{vex\}\s*vpdpwssd\s.*%ymm",
                   "avx2": r"vpmaddwd\s.*%ymm"}[isa]
    asm = quantc.compile(path, tmp_path / f"{case.name}_{isa}.s", extra_args=flags).read_text()
    if pattern:
        assert re.search(pattern, asm), f"the {isa} kernel is not in the object"
    else:
        assert "vpdpbusd" not in asm and "packed" not in asm
    return quantc.load(so)


@pytest.mark.parametrize("isa", list(ISAS))
@pytest.mark.parametrize("shape", CONVS, ids=[c[0] for c in CONVS])
def test_conv_kernel_matches_reference(quantc_bin, tmp_path, report, isa, shape):
    require_isa(isa)
    case = ConvCase(*shape)
    model = compile_case(case, tmp_path, isa)
    rng = np.random.default_rng(3)
    for _ in range(3):
        # Beyond the input range too, so that the input clamps are exercised.
        x = (rng.standard_normal((1, case.c, case.h, case.w)) * 2.5).astype(np.float32)
        np.testing.assert_array_equal(model(x), case.reference(x))
    report[f"kernel_{isa}_{case.name}_equals_reference"] = True


# (name, M, K, N)
GEMMS = [("m1_k33_n1000", 1, 33, 1000), ("m7_k128_n65", 7, 128, 65), ("m13_k64_n64", 13, 64, 64),
         # M x K beyond one cache block: a row chunk and a remainder.
         ("m301_k1024_n130", 301, 1024, 130)]


class GemmCase:
    """Gemm through QDQ import: y = requant(x_q W^T + b), float I/O."""

    def __init__(self, name, m, k, n, seed=5):
        self.name, self.m, self.k, self.n = name, m, k, n
        rng = np.random.default_rng(seed)
        self.wq = rng.integers(-127, 128, size=(n, k)).astype(np.int8)
        self.s_w = (rng.uniform(0.5, 2.0, size=n) * 0.001).astype(np.float32)
        self.s_x, self.zp_x, self.s_y, self.zp_y = np.float32(0.04), -9, np.float32(0.02 * np.sqrt(k)), 3
        self.b = rng.integers(-2000, 2000, size=n).astype(np.int32)

    def model(self):
        m, k, n = self.m, self.k, self.n
        s_b = (np.float64(self.s_x) * self.s_w.astype(np.float64)).astype(np.float32)
        inits = [qm.scalar("xs", self.s_x, np.float32), qm.scalar("xz", self.zp_x, np.int8),
                 qm.scalar("ys", self.s_y, np.float32), qm.scalar("yz", self.zp_y, np.int8),
                 qm.init("wq", self.wq), qm.init("ws", self.s_w), qm.init("wz", np.zeros(n, np.int8)),
                 qm.init("bq", self.b), qm.init("bs", s_b), qm.init("bz", np.zeros(n, np.int32))]
        nodes = [
            helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
            helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
            helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["wd"], axis=0),
            helper.make_node("DequantizeLinear", ["bq", "bs", "bz"], ["bd"], axis=0),
            helper.make_node("Gemm", ["xd", "wd", "bd"], ["g"], transB=1),
            helper.make_node("QuantizeLinear", ["g", "ys", "yz"], ["yq"]),
            helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"]),
        ]
        graph = helper.make_graph(nodes, self.name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])], inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])

    def reference(self, x):
        xq = qm.quantize_linear(x, self.s_x, self.zp_x, np.int8) - self.zp_x
        acc = xq @ self.wq.T.astype(np.int64) + self.b
        q = qm.requantize(acc, np.float64(self.s_x) * self.s_w.astype(np.float64) / np.float64(self.s_y),
                          self.zp_y, np.int8, channel_axis=1)
        return qm.dequantize_linear(q, self.s_y, self.zp_y)


@pytest.mark.parametrize("isa", list(ISAS))
@pytest.mark.parametrize("shape", GEMMS, ids=[g[0] for g in GEMMS])
def test_gemm_kernel_matches_reference(quantc_bin, tmp_path, report, isa, shape):
    """Gemm through QDQ import: y = requant(x_q W^T + b)."""
    require_isa(isa)
    case = GemmCase(*shape)
    name, m, k = case.name, case.m, case.k
    rng = np.random.default_rng(5)
    path = tmp_path / f"{name}.onnx"
    onnx.save(case.model(), str(path))
    flags = ISAS[isa][0]
    model = quantc.load(quantc.compile(path, tmp_path / f"{name}.so", extra_args=flags))
    for _ in range(3):
        x = (rng.standard_normal((m, k)) * 3).astype(np.float32)
        np.testing.assert_array_equal(model(x), case.reference(x))
    report[f"kernel_{isa}_gemm_{name}_equals_reference"] = True
