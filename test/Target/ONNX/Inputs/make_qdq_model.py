"""Writes small already-quantized ONNX models for import-qdq.test:
    make_qdq_model.py KIND OUT.onnx
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def t(name, value, dtype):
    return numpy_helper.from_array(np.array(value, dtype=dtype), name)


def info(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def qdq():
    """Q/DQ around a Conv (per-axis int8 weight with a -128, int32 bias)
    and a MatMul (uint8 weight, zero point 128, per column), uint8 and int8
    activations, a weight quantized in float by QuantizeLinear."""
    inits = [
        t("xs", 0.02, np.float32), t("xz", 128, np.uint8),
        t("w", np.full((2, 3, 1, 1), -128), np.int8), t("ws", [0.5, 0.25], np.float32), t("wz", [0, 0], np.int8),
        t("b", [7, -9], np.int32), t("bs", [0.01, 0.005], np.float32), t("bz", [0, 0], np.int32),
        t("cs", 0.1, np.float32), t("cz", -3, np.int8),
        t("m", np.arange(32).reshape(8, 4) + 100, np.uint8), t("ms", [1, 2, 3, 4], np.float32),
        t("mz", [128] * 4, np.uint8),
        t("fw", np.ones((4, 2)), np.float32), t("fs", 0.5, np.float32), t("fz", 0, np.int8),
        t("os", 0.3, np.float32), t("oz", 10, np.uint8),
    ]  # fmt: skip
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
        helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wd"], axis=0),
        helper.make_node("DequantizeLinear", ["b", "bs", "bz"], ["bd"], axis=0),
        helper.make_node("Conv", ["xd", "wd", "bd"], ["c"]),
        helper.make_node("QuantizeLinear", ["c", "cs", "cz"], ["cq"]),
        helper.make_node("DequantizeLinear", ["cq", "cs", "cz"], ["cd"]),
        helper.make_node("Reshape", ["cd", "shape"], ["r"]),
        helper.make_node("DequantizeLinear", ["m", "ms", "mz"], ["md"], axis=1),
        helper.make_node("MatMul", ["r", "md"], ["mm"]),
        helper.make_node("QuantizeLinear", ["fw", "fs", "fz"], ["fq"]),
        helper.make_node("DequantizeLinear", ["fq", "fs", "fz"], ["fd"]),
        helper.make_node("MatMul", ["mm", "fd"], ["o"]),
        helper.make_node("QuantizeLinear", ["o", "os", "oz"], ["oq"]),
        helper.make_node("DequantizeLinear", ["oq", "os", "oz"], ["y"]),
    ]  # fmt: skip
    inits.append(t("shape", [1, 8], np.int64))
    graph = helper.make_graph(nodes, "qdq", [info("x", [1, 3, 2, 2])], [info("y", [1, 2])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def qlinear():
    inits = [
        t("xs", 0.02, np.float32), t("xz", 0, np.int8), t("w", np.ones((2, 3, 1, 1)), np.uint8),
        t("ws", 0.5, np.float32), t("wz", 128, np.uint8), t("ys", 0.1, np.float32), t("yz", 5, np.int8),
        t("b", [1, 2], np.int32),
        t("as", 0.02, np.float32), t("az", 3, np.uint8), t("bm", np.ones((4, 2)), np.int8),
        t("bs", [0.1, 0.2], np.float32), t("bz", [0, 0], np.int8), t("ms", 0.3, np.float32), t("mz", 9, np.uint8),
    ]  # fmt: skip
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
        helper.make_node("QLinearConv", ["xq", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"], ["yq"]),
        helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"]),
        helper.make_node("QuantizeLinear", ["a", "as", "az"], ["aq"]),
        helper.make_node("QLinearMatMul", ["aq", "as", "az", "bm", "bs", "bz", "ms", "mz"], ["mq"]),
        helper.make_node("DequantizeLinear", ["mq", "ms", "mz"], ["m"]),
    ]  # fmt: skip
    graph = helper.make_graph(nodes, "ql", [info("x", [1, 3, 2, 2]), info("a", [3, 4])],
                              [info("y", [1, 2, 2, 2]), info("m", [3, 2])], inits)  # fmt: skip
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 10)])


def dynamic():
    inits = [t("w", np.ones((4, 3)), np.int8), t("wz", [1, 2, 3], np.int8), t("ws", 0.5, np.float32),
             t("cw", np.ones((2, 3, 1, 1)), np.uint8), t("cz", 7, np.uint8)]  # fmt: skip
    nodes = [
        helper.make_node("DynamicQuantizeLinear", ["a"], ["aq", "as", "az"]),
        helper.make_node("MatMulInteger", ["aq", "w", "az", "wz"], ["acc"]),
        helper.make_node("Cast", ["acc"], ["accf"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["as", "ws"], ["s"]),
        helper.make_node("Mul", ["accf", "s"], ["y"]),
        helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
        helper.make_node("ConvInteger", ["xq", "cw", "xz", "cz"], ["cacc"]),
        helper.make_node("Cast", ["cacc"], ["c"], to=TensorProto.FLOAT),
    ]
    graph = helper.make_graph(nodes, "dyn", [info("a", [2, 4]), info("x", [1, 3, 2, 2])],
                              [info("y", [2, 3]), info("c", [1, 2, 2, 2])], inits)  # fmt: skip
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])


def error(kind):
    """Models the importer must reject or warn about."""
    inits = [t("xs", 0.02, np.float32), t("xz", 0, np.int8)]
    inputs = [info("x", [2, 3])]
    nodes = []
    if kind == "runtime-scale":
        inputs.append(info("s", []))
        nodes = [helper.make_node("QuantizeLinear", ["x", "s", "xz"], ["q"]),
                 helper.make_node("DequantizeLinear", ["q", "xs", "xz"], ["y"])]  # fmt: skip
    elif kind == "per-axis-activation":
        inits += [t("vs", [0.1, 0.2, 0.3], np.float32), t("vz", [0, 0, 0], np.int8)]
        nodes = [helper.make_node("QuantizeLinear", ["x", "vs", "vz"], ["q"], axis=1),
                 helper.make_node("DequantizeLinear", ["q", "xs", "xz"], ["y"])]  # fmt: skip
    elif kind == "axis-mismatch":
        inits += [t("w", np.ones((3, 4)), np.int8), t("vs", [0.1, 0.2], np.float32), t("vz", [0, 0], np.int8)]
        nodes = [helper.make_node("DequantizeLinear", ["w", "vs", "vz"], ["wd"], axis=1),
                 helper.make_node("MatMul", ["x", "wd"], ["y"])]  # fmt: skip
    elif kind == "quantized-output":
        nodes = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["y"])]
    elif kind == "zp-weight":
        # uint8 weight with zero point 3: 200 - 3 does not fit int8.
        inits += [t("w", [[200, 1], [2, 3], [4, 5]], np.uint8), t("ws", 0.1, np.float32), t("wz", 3, np.uint8)]
        nodes = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["q"]),
                 helper.make_node("DequantizeLinear", ["q", "xs", "xz"], ["xd"]),
                 helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wd"]),
                 helper.make_node("MatMul", ["xd", "wd"], ["y"], name="mm_zp")]  # fmt: skip
    out = [info("y", [2, 2] if kind in ("axis-mismatch", "zp-weight") else [2, 3],
                TensorProto.INT8 if kind == "quantized-output" else TensorProto.FLOAT)]  # fmt: skip
    graph = helper.make_graph(nodes, kind, inputs, out, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


if __name__ == "__main__":
    kind, out = sys.argv[1], sys.argv[2]
    builders = {"qdq": qdq, "qlinear": qlinear, "dynamic": dynamic}
    model = builders[kind]() if kind in builders else error(kind)
    onnx.save(model, out)
