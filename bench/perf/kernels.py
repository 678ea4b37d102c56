"""Kernel section: int8 and fp32 GEMM and conv, one thread, quantc beside
oneDNN and XNNPACK.

quantc compiles a one-operator ONNX model (MatMul with a constant weight, or
Conv with weight and bias) calibrated on a few uniform [-1, 1) samples; the
library is timed by bench/kernels/qcrun, the peers by bench/kernels/peers
(both use bench/kernels/timing.h: batches of >= 1 ms, median of >= 20)."""

import json
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CALIBRATION_SAMPLES = 4


@dataclass(frozen=True)
class Case:
    kind: str        # "gemm" or "conv"
    label: str       # what the table shows in its first column
    m: int = 0       # gemm: M x K x N
    k: int = 0
    n: int = 0
    h: int = 0       # conv: H x W x C -> OC, KH = KW = size, NHWC batch 1
    w: int = 0
    c: int = 0
    oc: int = 0
    size: int = 1
    stride: int = 1
    groups: int = 1

    @property
    def pad(self):
        return self.size // 2

    @property
    def oh(self):
        return (self.h + 2 * self.pad - self.size) // self.stride + 1

    @property
    def ow(self):
        return (self.w + 2 * self.pad - self.size) // self.stride + 1

    @property
    def macs(self):
        if self.kind == "gemm":
            return self.m * self.k * self.n
        return self.oh * self.ow * self.oc * (self.c // self.groups) * self.size * self.size

    @property
    def shape(self):
        if self.kind == "gemm":
            return f"{self.m}x{self.k}x{self.n}"
        kind = "dw " if self.groups > 1 else ""
        s = f" s{self.stride}" if self.stride > 1 else ""
        return f"{self.h}x{self.w}x{self.c}->{self.oc} {kind}{self.size}x{self.size}{s}"

    @property
    def id(self):
        return self.shape.replace("->", "_").replace(" ", "_")

    def peer_args(self):
        if self.kind == "gemm":
            return ["gemm", self.m, self.k, self.n]
        return ["conv", self.h, self.w, self.c, self.oc, self.size, self.size, self.stride, self.pad,
                self.groups]

    def input_shape(self):
        return (self.m, self.k) if self.kind == "gemm" else (1, self.c, self.h, self.w)

    def output_shape(self):
        return (self.m, self.n) if self.kind == "gemm" else (1, self.oc, self.oh, self.ow)


def gemm(m, k, n, label):
    return Case("gemm", label, m=m, k=k, n=n)


def conv(h, c, oc, size, label, stride=1, groups=1):
    return Case("conv", label, h=h, w=h, c=c, oc=oc, size=size, stride=stride, groups=groups)


FULL = [
    gemm(1, 1024, 1024, "GEMM, M = 1"),
    gemm(64, 1024, 1024, "GEMM"),
    gemm(256, 768, 3072, "GEMM (BERT FFN)"),
    gemm(1024, 1024, 1024, "GEMM"),
    conv(56, 64, 64, 3, "ResNet conv2_x 3x3"),
    conv(28, 128, 128, 3, "ResNet conv3_x 3x3"),
    conv(14, 256, 256, 3, "ResNet conv4_x 3x3"),
    conv(7, 512, 512, 3, "ResNet conv5_x 3x3"),
    conv(56, 64, 256, 1, "ResNet-50 1x1 expand"),
    conv(14, 1024, 256, 1, "ResNet-50 1x1 reduce"),
    conv(7, 512, 2048, 1, "ResNet-50 1x1 expand"),
    conv(112, 32, 32, 3, "MobileNetV2 depthwise", groups=32),
    conv(56, 144, 144, 3, "MobileNetV2 depthwise", groups=144),
    conv(56, 144, 144, 3, "MobileNetV2 depthwise", stride=2, groups=144),
    conv(14, 576, 576, 3, "MobileNetV2 depthwise", groups=576),
]
QUICK = [FULL[0], FULL[1], FULL[4], FULL[8], FULL[12]]

# Implementations and what their int8 / fp32 rows compute.
IMPLS = ["quantc", "dnnl", "xnnpack"]
IMPL_NAMES = {"quantc": "quantc", "dnnl": "oneDNN", "xnnpack": "XNNPACK"}


def build_model(case, directory):
    """The one-operator ONNX model and its calibration samples."""
    path = Path(directory) / f"{case.id}.onnx"
    calib = Path(directory) / f"{case.id}.calib.npy"
    if path.exists() and calib.exists():
        return path, calib
    rng = np.random.default_rng(7)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(case.input_shape()))
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, list(case.output_shape()))
    if case.kind == "gemm":
        w = (rng.standard_normal((case.k, case.n)) / np.sqrt(case.k)).astype(np.float32)
        nodes = [helper.make_node("MatMul", ["x", "W"], ["y"])]
        inits = [numpy_helper.from_array(w, "W")]
    else:
        cin = case.c // case.groups
        fan_in = cin * case.size * case.size
        w = (rng.standard_normal((case.oc, cin, case.size, case.size)) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        b = (0.1 * rng.standard_normal(case.oc)).astype(np.float32)
        nodes = [helper.make_node("Conv", ["x", "W", "B"], ["y"], kernel_shape=[case.size, case.size],
                                  pads=[case.pad] * 4, strides=[case.stride] * 2, group=case.groups)]
        inits = [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")]
    graph = helper.make_graph(nodes, case.id, [x], [y], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    samples = rng.uniform(-1, 1, (CALIBRATION_SAMPLES, *case.input_shape())).astype(np.float32)
    np.save(calib, samples)
    return path, calib


def _json_line(command):
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))}: {result.stderr.strip()[-500:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_quantc(case, precision, cache, bin_dir, model_dir):
    model, calib = build_model(case, model_dir)
    if precision == "int8":
        lib, compile_s, cached = cache.compile(model, [], calibration=calib)
    else:
        lib, compile_s, cached = cache.compile(model, ["--precision", "fp32"])
    in_bytes = 4 * int(np.prod(case.input_shape()))
    out_bytes = 4 * int(np.prod(case.output_shape()))
    row = _json_line([Path(bin_dir) / "qcrun", lib, cache.NAME, in_bytes, "--", out_bytes])
    row.update(compile_s=compile_s, cached=cached)
    return row


def run_peer(lib, case, precision, bin_dir):
    return _json_line([Path(bin_dir) / "peers", lib, precision, *case.peer_args()])


def run(cases, cache, bin_dir, work_dir, log):
    """{case.id: {"case": ..., "int8": {impl: row}, "fp32": {impl: row}}}; a
    failure is a row {"error": message}."""
    model_dir = Path(work_dir) / "kernels"
    model_dir.mkdir(parents=True, exist_ok=True)
    results = {}
    for case in cases:
        entry = {"case": asdict(case), "shape": case.shape, "macs": case.macs}
        for precision in ("int8", "fp32"):
            entry[precision] = {}
            for impl in IMPLS:
                try:
                    if impl == "quantc":
                        row = run_quantc(case, precision, cache, bin_dir, model_dir)
                    else:
                        row = run_peer(impl, case, precision, bin_dir)
                    row["gmacs"] = case.macs / row["median_us"] * 1e-3
                    log(f"  {case.shape:<28} {precision} {impl:<8} {row['median_us']:10.1f} us "
                        f"{row['gmacs']:7.1f} GMAC/s  [{row.get('impl', '')}]")
                except Exception as err:  # noqa: BLE001 -- shown in the table
                    row = {"error": str(err).strip().splitlines()[-1][:300]}
                    log(f"  {case.shape:<28} {precision} {impl:<8} error: {row['error']}")
                entry[precision][impl] = row
        results[case.id] = entry
    return results
