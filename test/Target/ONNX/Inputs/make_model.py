"""Writes small ONNX models for the import tests: make_model.py KIND OUT."""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def model(nodes, inputs, outputs, inits=(), opset=13):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(m)
    return m


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def build(kind):
    w = np.arange(12, dtype=np.float32).reshape(3, 4) / 10
    if kind == "mlp":
        # Flatten -> Gemm(transB) -> Relu -> MatMul + Add -> Reshape.
        return model(
            [helper.make_node("Flatten", ["x"], ["flat"], name="flatten", axis=1),
             helper.make_node("Gemm", ["flat", "w1", "b1"], ["g"], name="gemm", transB=1, alpha=2.0),
             helper.make_node("Relu", ["g"], ["r"], name="relu"),
             helper.make_node("MatMul", ["r", "w2"], ["mm"], name="matmul"),
             helper.make_node("Add", ["mm", "b2"], ["y0"], name="add"),
             helper.make_node("Reshape", ["y0", "shape"], ["y"], name="reshape")],
            [f32("x", [1, 1, 2, 2])], [f32("y", [2, 1])],
            [const("w1", w), const("b1", np.array([1, 2, 3], np.float32)),
             const("w2", np.ones((3, 2), np.float32)), const("b2", np.array([0.5, -0.5], np.float32)),
             const("shape", np.array([-1, 1], np.int64))])
    if kind == "add":
        return model([helper.make_node("Add", ["a", "b"], ["s"], name="add"),
                      helper.make_node("Identity", ["s"], ["y"], name="id")],
                     [f32("a", [2, 3]), f32("b", [3])], [f32("y", [2, 3])])
    if kind == "unsupported":
        return model([helper.make_node("Relu", ["x"], ["r"], name="relu"),
                      helper.make_node("Cos", ["r"], ["y"], name="cos_node")],
                     [f32("x", [4])], [f32("y", [4])])
    if kind == "dynamic_free":
        return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                     [f32("x", [4])], [f32("y", [4])])
    if kind == "dynamic":
        return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                     [f32("x", ["batch", 4])], [f32("y", ["batch", 4])])
    if kind == "int_input":
        return model([helper.make_node("Identity", ["x"], ["y"], name="id")],
                     [helper.make_tensor_value_info("x", TensorProto.INT64, [4])],
                     [helper.make_tensor_value_info("y", TensorProto.INT64, [4])])
    raise SystemExit(f"unknown model kind {kind}")


if __name__ == "__main__":
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "garbage":
        open(out, "wb").write(b"this is not a protobuf \xff\xff\xff")
    else:
        onnx.save(build(kind), out)
