"""Already-quantized ONNX models for test_qdq_import.py, built with
onnx.helper, and numpy references written from the ONNX operator
definitions (onnx 1.12 has no onnx.reference)."""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import reference

ONNX_TYPE = {np.int8: TensorProto.INT8, np.uint8: TensorProto.UINT8}
RANGE = {np.int8: (-128, 127), np.uint8: (0, 255)}


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def scalar(name, value, dtype):
    return numpy_helper.from_array(np.array(value, dtype=dtype), name)


# --------------------------------------------------------------------------
# ONNX operator definitions in numpy
# --------------------------------------------------------------------------


def quantize_linear(x, scale, zp, dtype):
    """ONNX QuantizeLinear: saturate(round_half_even(x / scale) + zp), with
    x / scale one float32 division. Returns int64 codes."""
    lo, hi = RANGE[dtype]
    r = np.rint(np.asarray(x, np.float32) / np.float32(scale)).astype(np.float64)
    return np.clip(r + zp, lo, hi).astype(np.int64)


def dequantize_linear(q, scale, zp, axis=None):
    """ONNX DequantizeLinear: (q - zp) * scale in float32 (per axis when
    scale is 1-D)."""
    q = np.asarray(q, np.int64)
    scale = np.asarray(scale, np.float32)
    zp = np.asarray(zp, np.int64)
    if scale.ndim == 1 and scale.size > 1:
        shape = [1] * q.ndim
        shape[axis] = -1
        scale, zp = scale.reshape(shape), zp.reshape(shape)
    return (q - zp).astype(np.float32) * scale


def conv_int(x, w, pads, strides=(1, 1)):
    """Exact int64 2-D convolution (group 1) of already centered operands;
    zero padding."""
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    oh, ow = (h - kh) // strides[0] + 1, (wd - kw) // strides[1] + 1
    out = np.zeros((n, f, oh, ow), np.int64)
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i : i + strides[0] * oh : strides[0], j : j + strides[1] * ow : strides[1]]
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, i, j])
    return out


def requantize(acc, m, zp, dtype, channel_axis=None):
    """docs/quantization.md requantization of an exact accumulator with the
    real multiplier m (scalar or per channel along channel_axis)."""
    lo, hi = RANGE[dtype]
    m = np.atleast_1d(np.asarray(m, np.float64))
    ms = [reference.multiplier(float(v)) for v in m]
    big = np.array([a for a, _ in ms], np.int64)
    shift = np.array([b for _, b in ms], np.int64)
    if m.size > 1:
        shape = [1] * acc.ndim
        shape[channel_axis] = -1
        big, shift = big.reshape(shape), shift.reshape(shape)
    y = ((acc.astype(np.int64) * big + (np.int64(1) << (shift - 1))) >> shift) + zp
    return np.clip(y, lo, hi)


def dynamic_quantize_linear(x):
    """ONNX DynamicQuantizeLinear in float32 (scale 1 for an all-zero input,
    as ONNX Runtime)."""
    x = np.asarray(x, np.float32)
    lo = np.minimum(np.float32(0), np.nanmin(x))
    hi = np.maximum(np.float32(0), np.nanmax(x))
    scale = np.float32(1) if hi == lo else np.float32((hi - lo) / np.float32(255))
    zp = np.clip(np.rint(np.float32(0) - lo / scale), 0, 255)
    y = np.clip(np.rint(x / scale) + zp, 0, 255)
    return y.astype(np.int64), np.float32(scale), int(zp)


# --------------------------------------------------------------------------
# (a) QDQ: conv (per-axis int8 weight, int32 bias) + relu + flatten + two
# gemms (per-tensor and per-axis weights) + add
# --------------------------------------------------------------------------


class QDQParams:
    def __init__(self, act_types, seed=0):
        rng = np.random.default_rng(seed)
        self.t_x, self.t_c, self.t_r, self.t_g, self.t_o = act_types
        self.s_x, self.zp_x = np.float32(0.02), self.mid(self.t_x, -5)
        self.w = rng.integers(-128, 128, size=(4, 3, 3, 3)).astype(np.int8)
        self.w[0, 0, 0, 0] = -128  # exercised: -128 is kept exact
        self.s_w = np.array([0.004, 0.002, 0.003, 0.0025], np.float32)
        self.b = rng.integers(-2000, 2000, size=4).astype(np.int32)
        self.s_c, self.zp_c = np.float32(0.05), self.mid(self.t_c, 3)
        self.s_r, self.zp_r = np.float32(0.04), RANGE[self.t_r][0]
        self.w1 = rng.integers(-127, 128, size=(10, 256)).astype(np.int8)
        self.s_w1 = np.float32(0.001)
        self.b1 = rng.integers(-5000, 5000, size=10).astype(np.int32)
        self.w2 = rng.integers(-127, 128, size=(256, 10)).astype(np.int8)  # [K, N]
        self.s_w2 = (np.arange(10, dtype=np.float32) + 1) * np.float32(0.0004)
        self.s_g1, self.zp_g1 = np.float32(0.08), self.mid(self.t_g, -2)
        self.s_g2, self.zp_g2 = np.float32(0.06), self.mid(self.t_g, 4)
        self.s_o, self.zp_o = np.float32(0.1), self.mid(self.t_o, 0)

    @staticmethod
    def mid(dtype, offset):
        return (128 if dtype == np.uint8 else 0) + offset


def make_qdq_model(p):
    nodes, inits = [], []

    def q_dq(src, name, scale, zp, dtype):
        inits.extend([scalar(f"{name}_s", scale, np.float32), scalar(f"{name}_zp", zp, dtype)])
        nodes.append(helper.make_node("QuantizeLinear", [src, f"{name}_s", f"{name}_zp"], [f"{name}_q"]))
        nodes.append(helper.make_node("DequantizeLinear", [f"{name}_q", f"{name}_s", f"{name}_zp"], [f"{name}_dq"]))
        return f"{name}_dq"

    def dq_const(name, q, scale, axis=None):
        inits.extend([init(f"{name}_q", q), init(f"{name}_s", np.asarray(scale, np.float32))])
        zp = np.zeros(np.asarray(scale).shape, q.dtype)
        inits.append(init(f"{name}_zp", zp))
        attrs = {} if axis is None else {"axis": axis}
        nodes.append(helper.make_node("DequantizeLinear", [f"{name}_q", f"{name}_s", f"{name}_zp"], [name], **attrs))
        return name

    x = q_dq("x", "in", p.s_x, p.zp_x, p.t_x)
    w = dq_const("w", p.w, p.s_w, axis=0)
    b = dq_const("b", p.b, (p.s_x * p.s_w.astype(np.float64)).astype(np.float32), axis=0)
    nodes.append(helper.make_node("Conv", [x, w, b], ["conv"], pads=[1, 1, 1, 1]))
    c = q_dq("conv", "c", p.s_c, p.zp_c, p.t_c)
    nodes.append(helper.make_node("Relu", [c], ["relu"]))
    r = q_dq("relu", "r", p.s_r, p.zp_r, p.t_r)
    nodes.append(helper.make_node("Flatten", [r], ["flat"]))
    f = q_dq("flat", "f", p.s_r, p.zp_r, p.t_r)
    w1 = dq_const("w1", p.w1, p.s_w1)
    b1 = dq_const("b1", p.b1, np.float32(p.s_r * p.s_w1))
    nodes.append(helper.make_node("Gemm", [f, w1, b1], ["g1"], transB=1))
    g1 = q_dq("g1", "g1", p.s_g1, p.zp_g1, p.t_g)
    w2 = dq_const("w2", p.w2, p.s_w2, axis=1)
    nodes.append(helper.make_node("Gemm", [f, w2], ["g2"]))
    g2 = q_dq("g2", "g2", p.s_g2, p.zp_g2, p.t_g)
    nodes.append(helper.make_node("Add", [g1, g2], ["sum"]))
    out = q_dq("sum", "o", p.s_o, p.zp_o, p.t_o)
    nodes.append(helper.make_node("Identity", [out], ["y"]))
    graph = helper.make_graph(
        nodes, "qdq", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    return model


def qdq_integer_reference(p, x):
    """The output codes of make_qdq_model by quantc's integer numerics
    (docs/quantization.md) with the model's own scales."""
    xq = quantize_linear(x, p.s_x, p.zp_x, p.t_x)
    acc = conv_int(xq - p.zp_x, p.w.astype(np.int64), [1, 1, 1, 1]) + p.b.reshape(1, -1, 1, 1)
    m = p.s_x.astype(np.float64) * p.s_w.astype(np.float64) / np.float64(p.s_c)
    c = requantize(acc, m, p.zp_c, p.t_c, channel_axis=1)
    # Relu rescales with the single-operand add rule.
    m_a, _, shift = reference.add_multipliers(float(p.s_c) / float(p.s_r), 0.0)
    lo, hi = RANGE[p.t_r]
    r = ((c - p.zp_c) * m_a + (1 << (shift - 1)) >> shift) + p.zp_r
    r = np.clip(r, max(p.zp_r, lo), hi).reshape(1, -1)
    centered = r - p.zp_r
    g1 = requantize(centered @ p.w1.T.astype(np.int64) + p.b1, float(p.s_r) * float(p.s_w1) / float(p.s_g1), p.zp_g1, p.t_g)
    m2 = float(p.s_r) * p.s_w2.astype(np.float64) / float(p.s_g2)
    g2 = requantize(centered @ p.w2.astype(np.int64), m2, p.zp_g2, p.t_g, channel_axis=1)
    m_a, m_b, shift = reference.add_multipliers(float(p.s_g1) / float(p.s_o), float(p.s_g2) / float(p.s_o))
    y = (((g1 - p.zp_g1) * m_a + (g2 - p.zp_g2) * m_b + (1 << (shift - 1))) >> shift) + p.zp_o
    return np.clip(y, *RANGE[p.t_o])


def qdq_float_reference(p, x):
    """The output codes of make_qdq_model by the ONNX definitions: float32
    Conv/Gemm/Add between the Q/DQ pairs."""
    xd = dequantize_linear(quantize_linear(x, p.s_x, p.zp_x, p.t_x), p.s_x, p.zp_x)
    w = dequantize_linear(p.w, p.s_w, 0, axis=0)
    b = dequantize_linear(p.b, (p.s_x * p.s_w.astype(np.float64)).astype(np.float32), 0, axis=0)
    xp = np.pad(xd, ((0, 0), (0, 0), (1, 1), (1, 1)))
    conv = np.zeros((1, 4, 8, 8), np.float32)
    for i in range(3):
        for j in range(3):
            conv += np.einsum("nchw,fc->nfhw", xp[:, :, i : i + 8, j : j + 8], w[:, :, i, j])
    conv += b.reshape(1, -1, 1, 1)
    c = dequantize_linear(quantize_linear(conv, p.s_c, p.zp_c, p.t_c), p.s_c, p.zp_c)
    r = dequantize_linear(quantize_linear(np.maximum(c, 0), p.s_r, p.zp_r, p.t_r), p.s_r, p.zp_r).reshape(1, -1)
    g1 = r @ dequantize_linear(p.w1, p.s_w1, 0).T + dequantize_linear(p.b1, np.float32(p.s_r * p.s_w1), 0)
    g1 = dequantize_linear(quantize_linear(g1, p.s_g1, p.zp_g1, p.t_g), p.s_g1, p.zp_g1)
    g2 = r @ dequantize_linear(p.w2, p.s_w2, 0, axis=1)
    g2 = dequantize_linear(quantize_linear(g2, p.s_g2, p.zp_g2, p.t_g), p.s_g2, p.zp_g2)
    return quantize_linear(g1 + g2, p.s_o, p.zp_o, p.t_o)


# --------------------------------------------------------------------------
# (b) QLinearConv (uint8 weight, zero point 128, int32 bias) and
# QLinearMatMul (int8 per-column weight)
# --------------------------------------------------------------------------


class QLinearParams:
    def __init__(self, act, seed=1):
        rng = np.random.default_rng(seed)
        self.act = act
        mid = 128 if act == np.uint8 else 0
        self.s_x, self.zp_x = np.float32(0.03), mid + 2
        self.w = rng.integers(0, 256, size=(5, 2, 3, 3)).astype(np.uint8)
        self.s_w, self.zp_w = np.float32(0.005), 128
        self.b = rng.integers(-3000, 3000, size=5).astype(np.int32)
        self.s_y, self.zp_y = np.float32(0.07), mid - 6
        self.s_a, self.zp_a = np.float32(0.025), mid + 1
        self.bm = rng.integers(-128, 128, size=(16, 6)).astype(np.int8)
        self.s_b = np.linspace(0.002, 0.006, 6).astype(np.float32)
        self.s_m, self.zp_m = np.float32(0.09), mid - 3


def make_qlinear_model(p):
    act = ONNX_TYPE[p.act]
    inits = [
        scalar("x_s", p.s_x, np.float32), scalar("x_zp", p.zp_x, p.act),
        init("w", p.w), scalar("w_s", p.s_w, np.float32), scalar("w_zp", p.zp_w, np.uint8),
        scalar("y_s", p.s_y, np.float32), scalar("y_zp", p.zp_y, p.act), init("b", p.b),
        scalar("a_s", p.s_a, np.float32), scalar("a_zp", p.zp_a, p.act),
        init("bm", p.bm), init("bm_s", p.s_b), init("bm_zp", np.zeros(6, np.int8)),
        scalar("m_s", p.s_m, np.float32), scalar("m_zp", p.zp_m, p.act),
    ]  # fmt: skip
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "x_s", "x_zp"], ["xq"]),
        helper.make_node("QLinearConv", ["xq", "x_s", "x_zp", "w", "w_s", "w_zp", "y_s", "y_zp", "b"], ["yq"],
                         pads=[1, 0, 1, 0], strides=[1, 2]),
        helper.make_node("DequantizeLinear", ["yq", "y_s", "y_zp"], ["y"]),
        helper.make_node("QuantizeLinear", ["a", "a_s", "a_zp"], ["aq"]),
        helper.make_node("QLinearMatMul", ["aq", "a_s", "a_zp", "bm", "bm_s", "bm_zp", "m_s", "m_zp"], ["mq"]),
        helper.make_node("DequantizeLinear", ["mq", "m_s", "m_zp"], ["m"]),
    ]  # fmt: skip
    graph = helper.make_graph(
        nodes, "qlinear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 6, 7]),
         helper.make_tensor_value_info("a", TensorProto.FLOAT, [3, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5, 6, 3]),
         helper.make_tensor_value_info("m", TensorProto.FLOAT, [3, 6])], inits)  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    return model


def qlinear_reference(p, x, a):
    """Output codes of make_qlinear_model: the QLinearConv/QLinearMatMul
    definitions (exact integer sums, real multiplier s_x*s_w/s_y) with
    quantc's fixed-point requantization."""
    xq = quantize_linear(x, p.s_x, p.zp_x, p.act)
    acc = conv_int(xq - p.zp_x, p.w.astype(np.int64) - p.zp_w, [1, 0, 1, 0], (1, 2)) + p.b.reshape(1, -1, 1, 1)
    y = requantize(acc, float(p.s_x) * float(p.s_w) / float(p.s_y), p.zp_y, p.act)
    aq = quantize_linear(a, p.s_a, p.zp_a, p.act)
    acc = (aq - p.zp_a) @ p.bm.astype(np.int64)
    m = requantize(acc, float(p.s_a) * p.s_b.astype(np.float64) / float(p.s_m), p.zp_m, p.act, channel_axis=1)
    return y, m


# --------------------------------------------------------------------------
# (c) DynamicQuantizeLinear + MatMulInteger + Cast + Mul + Add, and
# (d) DynamicQuantizeLinear + ConvInteger + Cast + Mul
# --------------------------------------------------------------------------


class DynamicParams:
    def __init__(self, seed=2):
        rng = np.random.default_rng(seed)
        self.w = rng.integers(-128, 128, size=(16, 8)).astype(np.int8)
        self.w_zp = rng.integers(-3, 4, size=8).astype(np.int8)  # per column
        self.s_w = np.float32(0.0123)
        self.bias = rng.standard_normal(8).astype(np.float32)
        self.cw = rng.integers(0, 256, size=(4, 3, 3, 3)).astype(np.uint8)
        self.cw_zp = np.uint8(120)
        self.s_cw = np.float32(0.0071)


def make_dynamic_model(p):
    inits = [
        init("w", p.w), init("w_zp", p.w_zp), scalar("w_s", p.s_w, np.float32), init("bias", p.bias),
        init("cw", p.cw), scalar("cw_zp", p.cw_zp, np.uint8), scalar("cw_s", p.s_cw, np.float32),
    ]  # fmt: skip
    nodes = [
        helper.make_node("DynamicQuantizeLinear", ["a"], ["aq", "a_s", "a_zp"]),
        helper.make_node("MatMulInteger", ["aq", "w", "a_zp", "w_zp"], ["acc"]),
        helper.make_node("Cast", ["acc"], ["accf"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["a_s", "w_s"], ["s"]),
        helper.make_node("Mul", ["accf", "s"], ["scaled"]),
        helper.make_node("Add", ["scaled", "bias"], ["y"]),
        helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "x_s", "x_zp"]),
        helper.make_node("ConvInteger", ["xq", "cw", "x_zp", "cw_zp"], ["cacc"], pads=[1, 1, 1, 1], strides=[2, 1]),
        helper.make_node("Cast", ["cacc"], ["caccf"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["x_s", "cw_s"], ["cs"]),
        helper.make_node("Mul", ["caccf", "cs"], ["c"]),
    ]  # fmt: skip
    graph = helper.make_graph(
        nodes, "dynamic",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [5, 16]),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 7, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [5, 8]),
         helper.make_tensor_value_info("c", TensorProto.FLOAT, [1, 4, 4, 6])], inits)  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    return model


def dynamic_reference(p, a, x):
    """make_dynamic_model by the ONNX definitions: integer parts exact,
    float32 Cast/Mul/Add in graph order."""
    aq, a_s, a_zp = dynamic_quantize_linear(a)
    acc = (aq - a_zp) @ (p.w.astype(np.int64) - p.w_zp.astype(np.int64))
    y = acc.astype(np.int32).astype(np.float32) * (a_s * p.s_w) + p.bias
    xq, x_s, x_zp = dynamic_quantize_linear(x)
    cacc = conv_int(xq - x_zp, p.cw.astype(np.int64) - int(p.cw_zp), [1, 1, 1, 1], (2, 1))
    c = cacc.astype(np.int32).astype(np.float32) * (x_s * p.s_cw)
    return y.astype(np.float32), c.astype(np.float32)
