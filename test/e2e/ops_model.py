"""A small hand-built ONNX graph that exercises every path of the numerics
contract the digits MLP does not: MatMul + Add(bias) fused into one fully
connected op, Add of two activations (with and without a fused Relu), a
standalone Relu, Reshape, and a Gemm with transB = 0.

    x[1,16] -> MatMul, Add(b1), Relu             -> h1   (fc, relu)
    h1      -> Gemm(transB=1)                    -> h2   (fc)
    h1 + h2                                      -> s    (add; 2 users)
    Relu(s)                                      -> t    (standalone relu)
    t + s                                        -> s2   (add)
    Relu(s2 + h2)                                -> u    (add, relu)
    u -> Reshape[1,2,8] -> Flatten -> Gemm(transB=0) -> y[1,4]
"""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INPUT_SHAPE = (1, 16)

# The tensors that carry their own quantization parameters, in graph order,
# as quantc names them after fusion.
QUANTIZED_TENSORS = ["x", "h1", "h2", "s", "t", "s2", "u", "y"]


def make_model(seed=0):
    rng = np.random.default_rng(seed)

    def const(name, *shape, scale=0.3):
        return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)

    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["mm1"], name="mm1"),
        helper.make_node("Add", ["mm1", "b1"], ["fc1"], name="fc1"),
        helper.make_node("Relu", ["fc1"], ["h1"], name="relu1"),
        helper.make_node("Gemm", ["h1", "w2", "b2"], ["h2"], name="fc2", transB=1),
        helper.make_node("Add", ["h1", "h2"], ["s"], name="add1"),
        helper.make_node("Relu", ["s"], ["t"], name="relu2"),
        helper.make_node("Add", ["t", "s"], ["s2"], name="add2"),
        helper.make_node("Add", ["s2", "h2"], ["v"], name="add3"),
        helper.make_node("Relu", ["v"], ["u"], name="relu3"),
        helper.make_node("Reshape", ["u", "shape"], ["r"], name="reshape"),
        helper.make_node("Flatten", ["r"], ["f"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f", "w3", "b3"], ["y"], name="fc3"),
    ]
    initializers = [
        const("w1", 16, 16),
        const("b1", 16, scale=0.1),
        const("w2", 16, 16),
        const("b2", 16, scale=0.1),
        const("w3", 16, 4),
        const("b3", 4, scale=0.1),
        numpy_helper.from_array(np.array([1, 2, 8], np.int64), "shape"),
    ]
    graph = helper.make_graph(
        nodes,
        "ops",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, INPUT_SHAPE)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, (1, 4))],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    return model


def calibration_samples(n=64, seed=1):
    return np.random.default_rng(seed).standard_normal((n, INPUT_SHAPE[1])).astype(np.float32)
