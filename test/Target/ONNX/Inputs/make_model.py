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
    # The checker wants output shapes: let ONNX's shape inference fill in
    # the ones declared without (the importer computes its own).
    inferred = onnx.shape_inference.infer_shapes(m)
    known = {v.name: v for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    for o in m.graph.output:
        if not o.type.tensor_type.HasField("shape"):
            o.type.CopyFrom(known[o.name].type)
    onnx.checker.check_model(m)
    return m


def f32(name, shape=None):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def i64(name, shape=None):
    return helper.make_tensor_value_info(name, TensorProto.INT64, shape)


def node(op, inputs, outputs, **attrs):
    """A node named after its first output."""
    return helper.make_node(op, inputs, outputs, name=outputs[0], **attrs)


def ints(*values):
    return np.array(values, np.int64)


def floats(shape, scale=0.1):
    n = int(np.prod(shape))
    return (np.arange(n, dtype=np.float32) * scale).reshape(shape)


def outs(*names):
    """Float graph outputs; a name without a shape gets the one ONNX's shape
    inference finds (the importer computes its own)."""
    return [f32(*n) if isinstance(n, tuple) else f32(n) for n in names]


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


# Models of import-ops.test: one kind per group of related operators. Every
# node is named after its output; outputs are left without shapes.
def build_ops(kind):
    if kind == "conv":
        x2 = f32("x2", [1, 3, 7, 7])
        return model(
            [node("Conv", ["x1", "w1", "b4"], ["c1d"], strides=[2], pads=[1, 1]),
             node("Conv", ["x2", "w2"], ["c2d"], dilations=[2, 2], pads=[1, 2, 1, 2]),
             node("Conv", ["x4", "wg"], ["cgroup"], group=2),
             node("Conv", ["x4", "wdw", "b4"], ["cdw"], group=4, pads=[1, 1, 1, 1]),
             node("Conv", ["x2", "wk4"], ["csu"], auto_pad="SAME_UPPER", strides=[2, 2]),
             node("Conv", ["x2", "wk4"], ["csl"], auto_pad="SAME_LOWER", strides=[2, 2]),
             node("Conv", ["x2", "wk4"], ["cvalid"], auto_pad="VALID")],
            [f32("x1", [1, 2, 8]), x2, f32("x4", [1, 4, 6, 6])],
            outs("c1d", "c2d", "cgroup", "cdw", "csu", "csl", "cvalid"),
            [const("w1", floats([4, 2, 3])), const("b4", floats([4])),
             const("w2", floats([2, 3, 3, 3])), const("wg", floats([6, 2, 3, 3])),
             const("wdw", floats([4, 1, 3, 3])), const("wk4", floats([2, 3, 4, 4]))])
    if kind == "conv_transpose":
        return model(
            [node("ConvTranspose", ["x", "w"], ["ct_strided"], strides=[2, 2],
                  pads=[1, 1, 1, 1], output_padding=[1, 1]),
             node("ConvTranspose", ["x", "w", "b"], ["ct_bias"]),
             node("ConvTranspose", ["x", "wg"], ["ct_group"], group=2, strides=[1, 2])],
            [f32("x", [1, 4, 3, 3])], outs("ct_strided", "ct_bias", "ct_group"),
            [const("w", floats([4, 2, 3, 3])), const("b", floats([2])),
             const("wg", floats([4, 1, 3, 3]))])
    if kind == "gemm":
        return model(
            [node("Gemm", ["a", "B", "C"], ["g_transb"], transB=1, alpha=2.0, beta=0.5),
             node("Gemm", ["at", "B2"], ["g_transa"], transA=1),
             node("Gemm", ["a", "bin", "cin"], ["g_dynamic"], alpha=0.5)],
            [f32("a", [3, 4]), f32("at", [4, 3]), f32("bin", [4, 5]), f32("cin", [3, 5])],
            outs("g_transb", "g_transa", "g_dynamic"),
            [const("B", floats([5, 4])), const("C", np.array([1, 2, 3, 4, 5], np.float32)),
             const("B2", floats([4, 5]))])
    if kind == "matmul":
        return model(
            [node("MatMul", ["a4", "b3"], ["mm_batched"]),
             node("MatMul", ["v", "b3b"], ["mm_vec_lhs"]),
             node("MatMul", ["a3", "v"], ["mm_vec_rhs"]),
             node("MatMul", ["a3", "W"], ["mm_const"])],
            [f32("a4", [2, 1, 3, 4]), f32("b3", [5, 4, 6]), f32("v", [4]),
             f32("b3b", [2, 4, 3]), f32("a3", [2, 3, 4])],
            outs("mm_batched", "mm_vec_lhs", "mm_vec_rhs", "mm_const"),
            [const("W", floats([4, 5]))])
    if kind == "elementwise":
        return model(
            [node("Add", ["a", "b"], ["add"]),
             node("Sub", ["a", "c"], ["sub"]),
             node("Mul", ["b", "c"], ["mul"]),
             node("Div", ["a", "b"], ["div"]),
             node("Sum", ["a", "b", "c"], ["sum"]),
             node("Max", ["a", "c"], ["max"]),
             node("Min", ["a", "b", "c"], ["min"]),
             node("Pow", ["a", "three"], ["pow"])],
            [f32("a", [2, 3, 4]), f32("b", [3, 1]), f32("c", [4])],
            outs("add", "sub", "mul", "div", "sum", "max", "min", "pow"),
            [const("three", np.array(3.0, np.float32))])
    if kind == "activations":
        unary = ["Relu", "Sigmoid", "Tanh", "HardSwish", "Erf", "Exp", "Neg",
                 "Sqrt", "Abs", "Log", "Reciprocal", "Selu", "Softplus", "Softsign"]
        nodes = [node(op, ["x"], [op.lower()]) for op in unary]
        nodes += [node("LeakyRelu", ["x"], ["leakyrelu"], alpha=0.25),
                  node("HardSigmoid", ["x"], ["hardsigmoid"], alpha=0.25, beta=0.375),
                  node("Elu", ["x"], ["elu"], alpha=0.5),
                  node("PRelu", ["x", "slope"], ["prelu"]),
                  node("Clip", ["x", "zero", "six"], ["clip"]),
                  node("Clip", ["x", "zero"], ["clip_relu"])]
        return model(nodes, [f32("x", [1, 3, 2, 2])], outs(*[n.output[0] for n in nodes]),
                     [const("slope", np.array([0.1, 0.2, 0.3], np.float32)),
                      const("zero", np.array(0.0, np.float32)),
                      const("six", np.array(6.0, np.float32))], opset=14)
    if kind == "clip6":
        return model([node("Clip", ["x"], ["clip"], min=-1.0, max=1.0),
                      node("Clip", ["x"], ["clip_relu"], min=0.0)],
                     [f32("x", [2, 3])], outs("clip", "clip_relu"), opset=6)
    if kind in ("softmax11", "softmax13"):
        return model([node("Softmax", ["x"], ["softmax"], axis=1),
                      node("LogSoftmax", ["x"], ["logsoftmax"], axis=-1),
                      node("LogSoftmax", ["x"], ["logsoftmax1"], axis=1)],
                     [f32("x", [2, 3, 4])], outs("softmax", "logsoftmax", "logsoftmax1"),
                     opset=11 if kind == "softmax11" else 13)
    if kind == "pool":
        return model(
            [node("MaxPool", ["x"], ["max_pad"], kernel_shape=[3, 3], strides=[2, 2],
                  pads=[1, 1, 1, 1]),
             node("MaxPool", ["x"], ["max_ceil"], kernel_shape=[2, 2], strides=[2, 2],
                  ceil_mode=1),
             node("AveragePool", ["x"], ["avg_count_pad"], kernel_shape=[3, 3],
                  pads=[1, 1, 1, 1], count_include_pad=1),
             node("AveragePool", ["x"], ["avg"], kernel_shape=[3, 2], strides=[2, 2],
                  pads=[0, 1, 0, 0]),
             node("GlobalAveragePool", ["x"], ["gap"]),
             node("GlobalMaxPool", ["x"], ["gmp"])],
            [f32("x", [1, 2, 7, 7])],
            outs("max_pad", "max_ceil", "avg_count_pad", "avg", "gap", "gmp"))
    if kind == "batchnorm":
        # scale = gamma / sqrt(var + 1) = [1, 2, 1];
        # shift = beta - mean * scale = [-0.5, -1.5, -1.5].
        return model(
            [node("BatchNormalization", ["x", "gamma", "beta", "mean", "var"], ["bn"],
                  epsilon=1.0)],
            [f32("x", [1, 3, 4, 4])], outs("bn"),
            [const("gamma", np.array([2, 2, 3], np.float32)),
             const("beta", np.array([0.5, 0.5, 0.5], np.float32)),
             const("mean", np.array([1, 1, 2], np.float32)),
             const("var", np.array([3, 0, 8], np.float32))])
    if kind == "conv_bn":
        # BN scale = [1, 2] and shift = [0, 1] fold into the 1x1 conv.
        return model(
            [node("Conv", ["x", "w", "b"], ["conv"]),
             node("BatchNormalization", ["conv", "gamma", "beta", "mean", "var"], ["bn"],
                  epsilon=1.0),
             node("Relu", ["bn"], ["y"])],
            [f32("x", [1, 3, 4, 4])], outs("y"),
            [const("w", floats([2, 3, 1, 1])), const("b", np.array([1, 1], np.float32)),
             const("gamma", np.array([2, 4], np.float32)),
             const("beta", np.array([1, 1], np.float32)),
             const("mean", np.array([1, 0], np.float32)),
             const("var", np.array([3, 3], np.float32))])
    if kind == "layernorm17":
        return model(
            [node("LayerNormalization", ["x", "g4", "b4"], ["ln"], epsilon=1e-3),
             node("LayerNormalization", ["x", "g34"], ["ln_axis1"], axis=1)],
            [f32("x", [2, 3, 4])], outs("ln", "ln_axis1"),
            [const("g4", floats([4])), const("b4", floats([4])),
             const("g34", floats([3, 4]))], opset=17)
    if kind == "layernorm_decomposed":
        return model(
            [node("ReduceMean", ["x"], ["mean"], axes=[-1]),
             node("Sub", ["x", "mean"], ["d"]),
             node("Pow", ["d", "two"], ["sq"]),
             node("ReduceMean", ["sq"], ["var"], axes=[-1]),
             node("Add", ["var", "eps"], ["var_eps"]),
             node("Sqrt", ["var_eps"], ["std"]),
             node("Div", ["d", "std"], ["norm"]),
             node("Mul", ["norm", "gamma"], ["scaled"]),
             node("Add", ["scaled", "beta"], ["y"])],
            [f32("x", [2, 4])], outs("y"),
            [const("two", np.array(2.0, np.float32)),
             const("eps", np.array(1e-5, np.float32)),
             const("gamma", floats([4])), const("beta", floats([4]))])
    if kind == "shapes":
        fill = helper.make_tensor("fill", TensorProto.FLOAT, [1], [1.5])
        cst = helper.make_tensor("cst", TensorProto.FLOAT, [4], [1, 2, 3, 4])
        return model(
            [node("Concat", ["x", "y"], ["concat"], axis=1),
             node("Reshape", ["x", "shape"], ["reshape"]),
             node("Flatten", ["x"], ["flatten"], axis=2),
             node("Transpose", ["x"], ["transpose"], perm=[2, 0, 1]),
             node("Transpose", ["x"], ["transpose_default"]),
             node("Squeeze", ["y", "one"], ["squeeze"]),
             node("Unsqueeze", ["x", "unsq_axes"], ["unsqueeze"]),
             node("Identity", ["x"], ["identity"]),
             node("Dropout", ["x"], ["dropout"]),
             node("Constant", [], ["c"], value=cst),
             node("Add", ["x", "c"], ["add_constant"]),
             node("ConstantOfShape", ["cos_shape"], ["cos"], value=fill),
             node("Add", ["x", "cos"], ["add_cos"])],
            [f32("x", [2, 3, 4]), f32("y", [2, 1, 4])],
            outs("concat", "reshape", "flatten", "transpose", "transpose_default",
                 "squeeze", "unsqueeze", "identity", "dropout", "add_constant",
                 "add_cos"),
            [const("shape", ints(0, -1)), const("one", ints(1)),
             const("unsq_axes", ints(0, -1)), const("cos_shape", ints(3, 4))])
    if kind == "squeeze11":
        return model([node("Squeeze", ["y"], ["squeeze"], axes=[1]),
                      node("Squeeze", ["y"], ["squeeze_all"]),
                      node("Unsqueeze", ["y"], ["unsqueeze"], axes=[0, 3])],
                     [f32("y", [2, 1, 4, 1])], outs("squeeze", ("squeeze_all", [2, 4]), "unsqueeze"),
                     opset=11)
    if kind == "shape_subgraph":
        # The exporter's x.view(x.size(0), -1).
        return model(
            [node("Shape", ["x"], ["shape"]),
             node("Gather", ["shape", "zero"], ["batch"], axis=0),
             node("Unsqueeze", ["batch", "axes0"], ["batch1"]),
             node("Concat", ["batch1", "minus1"], ["target"], axis=0),
             node("Reshape", ["x", "target"], ["y"])],
            [f32("x", [2, 3, 4])], outs(("y", [2, 12])),
            [const("zero", np.array(0, np.int64)), const("axes0", ints(0)),
             const("minus1", ints(-1))])
    if kind == "reduce":
        return model(
            [node("ReduceMean", ["x"], ["mean_keep"], axes=[1]),
             node("ReduceMean", ["x"], ["mean_drop"], axes=[-1, 0], keepdims=0),
             node("ReduceSum", ["x", "axes2"], ["sum"], keepdims=0),
             node("ReduceMax", ["x"], ["max"], axes=[-1]),
             node("ReduceMin", ["x"], ["min_all"], keepdims=0)],
            [f32("x", [2, 3, 4])], outs("mean_keep", "mean_drop", "sum", "max", "min_all"),
            [const("axes2", ints(2))])
    if kind == "split11":
        return model([node("Split", ["x"], ["s0", "s1"], axis=1, split=[1, 5])],
                     [f32("x", [2, 6])], outs("s0", "s1"), opset=11)
    if kind == "split13":
        return model([node("Split", ["x", "sizes"], ["s0", "s1"], axis=1),
                      node("Split", ["x"], ["e0", "e1", "e2"], axis=-1)],
                     [f32("x", [2, 6])], outs("s0", "s1", "e0", "e1", "e2"),
                     [const("sizes", ints(2, 4))])
    if kind == "slice9":
        return model([node("Slice", ["x"], ["rows"], starts=[1], ends=[3], axes=[0]),
                      node("Slice", ["x"], ["tail"], starts=[0, -3], ends=[100, -1])],
                     [f32("x", [4, 6])], outs("rows", "tail"), opset=9)
    if kind == "slice13":
        big = np.iinfo(np.int64).max
        return model(
            [node("Slice", ["x", "s1", "e1", "a1", "st1"], ["neg_step"]),
             node("Slice", ["x", "s2", "e2", "a2", "st2"], ["reverse"]),
             node("Slice", ["x", "s3", "e3", "a3", "st3"], ["strided"])],
            [f32("x", [4, 6])], outs("neg_step", "reverse", "strided"),
            [const("s1", ints(3)), const("e1", ints(-100)), const("a1", ints(1)),
             const("st1", ints(-2)),
             const("s2", ints(-1)), const("e2", ints(-big)), const("a2", ints(0)),
             const("st2", ints(-1)),
             const("s3", ints(0, 1)), const("e3", ints(big, 6)), const("a3", ints(-2, -1)),
             const("st3", ints(2, 2))])
    if kind == "gather":
        return model(
            [node("Gather", ["table", "cidx"], ["const_idx"]),
             node("Gather", ["table", "ids"], ["input_idx"]),
             node("Gather", ["x", "ids"], ["axis1"], axis=1)],
            [f32("x", [2, 5]), i64("ids", [3])], outs("const_idx", "input_idx", "axis1"),
            [const("table", floats([5, 3])), const("cidx", ints(0, 4, -1, 2).reshape(2, 2))])
    if kind == "pad13":
        return model(
            [node("Pad", ["x", "p_const", "value"], ["constant"]),
             node("Pad", ["x", "p_reflect"], ["reflect"], mode="reflect"),
             node("Pad", ["x", "p_edge"], ["edge"], mode="edge")],
            [f32("x", [1, 1, 3, 4])], outs("constant", "reflect", "edge"),
            [const("p_const", ints(0, 0, 1, 2, 0, 0, 1, 0)),
             const("value", np.array(1.5, np.float32)),
             const("p_reflect", ints(0, 0, 1, 1, 0, 0, 1, 1)),
             const("p_edge", ints(0, 0, 0, 2, 0, 0, 3, 0))])
    if kind == "pad2":
        return model(
            [node("Pad", ["x"], ["constant"], pads=[0, 0, 1, 2, 0, 0, 1, 0], value=2.5),
             node("Pad", ["x"], ["reflect"], pads=[0, 0, 2, 0, 0, 0, 0, 3], mode="reflect")],
            [f32("x", [1, 1, 3, 4])], outs("constant", "reflect"), opset=2)
    return None


# Models of errors.test that the importer must reject.
def build_errors(kind):
    x = [f32("x", [1, 4, 6, 6])]
    if kind == "pad_negative":
        return model([node("Pad", ["x", "pads"], ["y"])], x, outs("y"),
                     [const("pads", ints(0, 0, -1, 0, 0, 0, 0, 0))])
    if kind == "maxpool_storage_order":
        return model([node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], storage_order=1)],
                     x, outs("y"))
    if kind == "maxpool_indices":
        return model([node("MaxPool", ["x"], ["y", "idx"], kernel_shape=[2, 2])],
                     x, outs("y") + [i64("idx")])
    if kind == "bn_training":
        return model(
            [node("BatchNormalization", ["x", "s", "s", "s", "s"], ["y"], training_mode=1)],
            x, outs(("y", [1, 4, 6, 6])), [const("s", np.ones(4, np.float32))], opset=15)
    if kind == "dropout_mask":
        return model([node("Dropout", ["x"], ["y", "mask"])], x,
                     outs("y") + [helper.make_tensor_value_info("mask", TensorProto.BOOL, None)])
    if kind == "conv_group":
        return model([node("Conv", ["x", "w"], ["y"], group=3)], x, outs("y"),
                     [const("w", floats([6, 1, 3, 3]))])
    if kind == "conv_negative_pads":
        return model([node("Conv", ["x", "w"], ["y"], pads=[0, -1, 0, 0])], x, outs("y"),
                     [const("w", floats([2, 4, 3, 3]))])
    if kind == "int_mul":
        return model([node("Gather", ["table", "ids"], ["rows"]),
                      node("Mul", ["ids", "ids"], ["sq"])],
                     [i64("ids", [3])], outs("rows") + [i64("sq")],
                     [const("table", floats([5, 2]))])
    return None


if __name__ == "__main__":
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "garbage":
        open(out, "wb").write(b"this is not a protobuf \xff\xff\xff")
    else:
        m = build_ops(kind) or build_errors(kind) or build(kind)
        onnx.save(m, out)
