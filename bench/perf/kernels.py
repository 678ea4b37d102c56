"""Kernel section: int8 and fp32 GEMM and conv, one thread, quantc beside
oneDNN and XNNPACK.

quantc compiles a one-operator ONNX model (MatMul with a constant weight, or
Conv with weight and bias): for int8 the operator already quantized with
uint8 graph input and output (build_qdq_model), falling back to the float
model calibrated on a few uniform [-1, 1) samples; the library is timed by bench/kernels/qcrun, the peers by bench/kernels/peers
(both use bench/kernels/timing.h: batches of >= 1 ms, median of >= 20)."""

import json
import os
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
IMPLS = ["quantc", "dnnl", "dnnl_vnni", "xnnpack"]
IMPL_NAMES = {"quantc": "quantc", "dnnl": "oneDNN", "dnnl_vnni": "oneDNN (VNNI)", "xnnpack": "XNNPACK"}


def has_amx():
    """On a CPU with AMX, oneDNN's int8 runs on the tile unit (tdpbusd), a
    different peak from vpdpbusd's: the benchmark then also times oneDNN
    capped at AVX-512 VNNI (ONEDNN_MAX_CPU_ISA), the same instructions as
    quantc's kernel."""
    try:
        return "amx_int8" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def _float_weights(case):
    """The operator's float weight and bias (None for the GEMM), seeded."""
    rng = np.random.default_rng(7)
    if case.kind == "gemm":
        return (rng.standard_normal((case.k, case.n)) / np.sqrt(case.k)).astype(np.float32), None
    cin = case.c // case.groups
    fan_in = cin * case.size * case.size
    w = (rng.standard_normal((case.oc, cin, case.size, case.size)) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    return w, (0.1 * rng.standard_normal(case.oc)).astype(np.float32)


def _operator_node(case, x, w, b, y):
    if case.kind == "gemm":
        return helper.make_node("MatMul", [x, w], [y])
    return helper.make_node("Conv", [x, w, b], [y], kernel_shape=[case.size, case.size],
                            pads=[case.pad] * 4, strides=[case.stride] * 2, group=case.groups)


def _save(case, path, nodes, inits, elem_type):
    x = helper.make_tensor_value_info("x", elem_type, list(case.input_shape()))
    y = helper.make_tensor_value_info("y", elem_type, list(case.output_shape()))
    model = helper.make_model(helper.make_graph(nodes, case.id, [x], [y], inits),
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def _calibration_samples(case):
    rng = np.random.default_rng(8)
    return rng.uniform(-1, 1, (CALIBRATION_SAMPLES, *case.input_shape())).astype(np.float32)


def build_model(case, directory):
    """The float one-operator ONNX model and its calibration samples."""
    path = Path(directory) / f"{case.id}.onnx"
    calib = Path(directory) / f"{case.id}.calib.npy"
    if path.exists() and calib.exists():
        return path, calib
    w, b = _float_weights(case)
    inits = [numpy_helper.from_array(w, "W")] + ([numpy_helper.from_array(b, "B")] if b is not None else [])
    _save(case, path, [_operator_node(case, "x", "W", "B", "y")], inits, TensorProto.FLOAT)
    np.save(calib, _calibration_samples(case))
    return path, calib


def _float_output(case, x, w, b):
    import torch

    with torch.no_grad():
        if case.kind == "gemm":
            return torch.from_numpy(x) @ torch.from_numpy(w)
        x = np.ascontiguousarray(x).reshape(-1, case.c, case.h, case.w)  # samples x batch 1
        return torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b),
                                          stride=case.stride, padding=case.pad, groups=case.groups)


def build_qdq_model(case, directory):
    """The same operator already quantized, with uint8 graph input and
    output, so that the compiled function takes and returns codes and only
    the kernel is timed:

        x (uint8) -> DequantizeLinear -> MatMul/Conv -> QuantizeLinear -> y (uint8)

    input scale 2/255 and zero point 128 (the [-1, 1) range the float model
    is calibrated on), int8 symmetric per-output-channel weights and int32
    bias as DequantizeLinear of initializers, output range from the float
    operator on the calibration samples."""
    path = Path(directory) / f"{case.id}.u8io.onnx"
    if path.exists():
        return path
    w, b = _float_weights(case)
    axis = 1 if case.kind == "gemm" else 0
    reduce_axes = tuple(a for a in range(w.ndim) if a != axis)
    s_x = np.float32(2.0 / 255)
    s_w = np.maximum(np.abs(w).max(axis=reduce_axes), 1e-8).astype(np.float32) / np.float32(127)
    shape = [1] * w.ndim
    shape[axis] = -1
    wq = np.clip(np.rint(w / s_w.reshape(shape)), -127, 127).astype(np.int8)
    y = _float_output(case, _calibration_samples(case), w, b).numpy()
    lo, hi = min(0.0, float(y.min())), max(0.0, float(y.max()))
    s_y = np.float32((hi - lo) / 255)
    zp_y = np.uint8(np.clip(np.rint(-lo / s_y), 0, 255))
    inits = [
        numpy_helper.from_array(s_x, "x_scale"), numpy_helper.from_array(np.uint8(128), "x_zp"),
        numpy_helper.from_array(wq, "Wq"), numpy_helper.from_array(s_w, "W_scale"),
        numpy_helper.from_array(np.zeros(len(s_w), np.int8), "W_zp"),
        numpy_helper.from_array(s_y, "y_scale"), numpy_helper.from_array(zp_y, "y_zp"),
    ]
    nodes = [helper.make_node("DequantizeLinear", ["x", "x_scale", "x_zp"], ["xf"]),
             helper.make_node("DequantizeLinear", ["Wq", "W_scale", "W_zp"], ["W"], axis=axis)]
    if b is not None:
        s_b = (s_x * s_w).astype(np.float32)
        inits += [numpy_helper.from_array(np.rint(b / s_b).astype(np.int32), "Bq"),
                  numpy_helper.from_array(s_b, "B_scale"),
                  numpy_helper.from_array(np.zeros(len(s_b), np.int32), "B_zp")]
        nodes.append(helper.make_node("DequantizeLinear", ["Bq", "B_scale", "B_zp"], ["B"], axis=0))
    nodes += [_operator_node(case, "xf", "W", "B", "yf"),
              helper.make_node("QuantizeLinear", ["yf", "y_scale", "y_zp"], ["y"])]
    _save(case, path, nodes, inits, TensorProto.UINT8)
    return path


def _json_line(command, env=None):
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))}: {result.stderr.strip()[-500:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_quantc(case, precision, cache, bin_dir, model_dir):
    """int8: the uint8-I/O model (build_qdq_model), or, if quantc cannot
    compile it, the float model calibrated (row["io"] says which)."""
    elements_in, elements_out = int(np.prod(case.input_shape())), int(np.prod(case.output_shape()))
    io, qdq_error = "float", None
    if precision == "int8":
        try:
            lib, compile_s, cached = cache.compile(build_qdq_model(case, model_dir), [])
            io = "uint8"
        except RuntimeError as err:
            qdq_error = str(err).strip().splitlines()[-1][:300]
            model, calib = build_model(case, model_dir)
            lib, compile_s, cached = cache.compile(model, [], calibration=calib)
    else:
        lib, compile_s, cached = cache.compile(build_model(case, model_dir)[0], ["--precision", "fp32"])
    if io == "uint8":
        args = [f"u8:{elements_in}", "--", elements_out]
    else:
        args = [4 * elements_in, "--", 4 * elements_out]
    row = _json_line([Path(bin_dir) / "qcrun", lib, cache.NAME, *args])
    row.update(compile_s=compile_s, cached=cached, io=io)
    if qdq_error:
        row["qdq_error"] = qdq_error
    return row


def run_peer(impl, case, precision, bin_dir):
    if impl == "dnnl_vnni":
        env = dict(os.environ, ONEDNN_MAX_CPU_ISA="AVX512_CORE_VNNI")
        return _json_line([Path(bin_dir) / "peers", "dnnl", precision, *case.peer_args()], env=env)
    return _json_line([Path(bin_dir) / "peers", impl, precision, *case.peer_args()])


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
                if impl == "dnnl_vnni" and (precision != "int8" or not has_amx()):
                    continue
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
