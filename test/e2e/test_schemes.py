"""Quantization schemes and modes end to end (docs/quantization.md,
"Schemes" and "Modes"): every activation scheme, per-channel and per-tensor
weights and 16x8 layers bit for bit against the integer reference; float
islands and weight-only mode against float references."""

import json
import subprocess

import numpy as np
import onnx
import pytest

import ops_model
import qdq_models
import reference
from e2e_util import build_harness, describe_difference, quantc, require_tools, run_harness, run_model, same_bits

SCHEMES = {
    "int8": (reference.Scheme(8, True, False), {}),
    "uint8": (reference.Scheme(8, False, False), {"activation_type": "uint8"}),
    "int8-symmetric": (reference.Scheme(8, True, True), {"symmetric_activations": True}),
    "uint8-symmetric": (
        reference.Scheme(8, False, True),
        {"activation_type": "uint8", "symmetric_activations": True},
    ),
}


@pytest.fixture(scope="module")
def ops(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("schemes")
    path = outdir / "ops.onnx"
    onnx.save(ops_model.make_model(), str(path))
    calib = outdir / "calib.npy"
    np.save(calib, ops_model.calibration_samples())
    calibration = outdir / "calibration.json"
    json.dump(reference.minmax_calibration(path, ops_model.calibration_samples()), calibration.open("w"))
    # Beyond the calibration range too, so that the clamps are exercised.
    samples = 1.5 * ops_model.calibration_samples(n=200, seed=2)
    return path, calibration, samples


@pytest.mark.parametrize("per_channel", [True, False], ids=["per-channel", "per-tensor"])
@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_scheme_matches_reference(quantc_bin, ops, tmp_path, report, scheme, per_channel):
    model, calibration, samples = ops
    ref_scheme, flags = SCHEMES[scheme]
    so = quantc.compile(model, tmp_path / "m.so", load_calibration=calibration, per_channel=per_channel, **flags)
    outputs = run_model(quantc.load(so), samples)
    _, expected = reference.QuantizedModel(model, calibration, per_channel, ref_scheme).run_batch(samples)
    identical = same_bits(outputs, expected)
    report[f"scheme_{scheme}_{'channel' if per_channel else 'tensor'}_equals_reference"] = identical
    assert identical, describe_difference(outputs, expected)


def test_scheme_types_in_ir(quantc_bin, ops, tmp_path):
    model, calibration, _ = ops
    for flags, storage in [
        ({"activation_type": "uint8"}, "u8:f32"),
        ({"symmetric_activations": True}, "i8<-127:127>:f32"),
        ({"int16_nodes": ["fc2"]}, "i16<-32767:32767>:f32"),
    ]:
        mlir = quantc.compile(model, tmp_path / "m.mlir", load_calibration=calibration, **flags).read_text()
        assert storage in mlir, flags


@pytest.mark.parametrize("scheme", ["int8", "uint8"])
def test_16x8_matches_reference(quantc_bin, ops, tmp_path, report, scheme):
    """fc2 (output h2, input h1) with int16 activations and int8 weights;
    its neighbours mix 8- and 16-bit operands."""
    model, calibration, samples = ops
    ref_scheme, flags = SCHEMES[scheme]
    so = quantc.compile(model, tmp_path / "m.so", load_calibration=calibration, int16_nodes=["fc2"], **flags)
    outputs = run_model(quantc.load(so), samples)
    ref = reference.QuantizedModel(model, calibration, True, ref_scheme, int16_ops={"h2"})
    assert ref.params["h1"][3] == 32767 and ref.params["h2"][3] == 32767
    _, expected = ref.run_batch(samples)
    identical = same_bits(outputs, expected)
    report[f"scheme_16x8_{scheme}_equals_reference"] = identical
    assert identical, describe_difference(outputs, expected)


def test_16x8_is_more_accurate(quantc_bin, ops, tmp_path):
    """int16 activations around fc2 bring the output closer to float."""
    model, calibration, samples = ops
    graph = reference.import_model(model)
    exact = np.stack([reference.run_float(graph, s.reshape(ops_model.INPUT_SHAPE))["y"] for s in samples])

    def error(**flags):
        # A distinct path per library: dlopen caches by path.
        so = quantc.compile(model, tmp_path / f"m{len(flags)}.so", load_calibration=calibration, **flags)
        return float(np.abs(run_model(quantc.load(so), samples) - exact).mean())

    assert error(int16_nodes=["fc2", "fc3", "add1", "add2", "add3"]) < error()


def test_exclusion_makes_float_islands(quantc_bin, ops, tmp_path):
    model, calibration, samples = ops
    # By node name, by output tensor name and by operator type.
    for flags in [{"exclude_nodes": ["fc2"]}, {"exclude_nodes": ["h2"]}, {"exclude_op_types": ["Gemm"]}]:
        mlir = quantc.compile(model, tmp_path / "m.mlir", load_calibration=calibration, **flags).read_text()
        gemm = [line for line in mlir.splitlines() if "qc.fully_connected" in line and "(tensor<1x16xf32>, tensor<16x16xf32>" in line]
        assert gemm, f"{flags}: fc2 is not a float fully_connected:\n{mlir}"
    # Excluding everything gives the float model.
    graph = reference.import_model(model)
    exact = np.stack([reference.run_float(graph, s.reshape(ops_model.INPUT_SHAPE))["y"] for s in samples])
    so = quantc.compile(model, tmp_path / "f.so", load_calibration=calibration,
                        exclude_op_types=["MatMul", "Gemm", "Add", "Relu", "Reshape", "Flatten"])
    mlir = quantc.compile(model, tmp_path / "f.mlir", load_calibration=calibration,
                          exclude_op_types=["MatMul", "Gemm", "Add", "Relu", "Reshape", "Flatten"]).read_text()
    assert "quant." not in mlir
    np.testing.assert_allclose(run_model(quantc.load(so), samples), exact, rtol=1e-5, atol=1e-5)


def test_exclusion_typo_is_an_error(quantc_bin, ops, tmp_path):
    model, calibration, _ = ops
    with pytest.raises(quantc.CompileError, match="no node or tensor is named 'fc9'"):
        quantc.compile(model, tmp_path / "m.o", load_calibration=calibration, exclude_nodes=["fc9"])


def test_bad_activation_type(quantc_bin, ops, tmp_path):
    model, calibration, _ = ops
    with pytest.raises(quantc.CompileError, match="activation-type must be int8 or uint8"):
        quantc.compile(model, tmp_path / "m.o", load_calibration=calibration, activation_type="int4")


def test_weight_only(quantc_bin, digits, tmp_path, report):
    """int8 weights, float activations: y = s_w[n] * (x @ Wq^T)[n] + b[n],
    with no calibration data."""
    model = digits["model"]
    so = quantc.compile(model, tmp_path / "wo.so", mode="weight-only")
    m = quantc.load(so)
    x = np.load(digits["test_x"])
    labels = np.load(digits["test_y"])
    outputs = run_model(m, x)
    graph = reference.import_model(model)
    expected = []
    for s in x:
        env = {graph.inputs[0][0]: s.reshape(graph.inputs[0][1]).astype(np.float32)}
        for op in graph.ops:
            v = env[op.inputs[0]]
            if op.kind == "reshape":
                y = reference._reshape(v, op)
            else:
                wq, s_w = reference.weight_params(op.weight)
                y = (v.astype(np.float64) @ wq.T) * s_w + (0 if op.bias is None else op.bias)
                y = np.maximum(y, 0) if op.relu else y
            env[op.output] = y.astype(np.float32)
        expected.append(env[graph.outputs[0]])
    expected = np.stack(expected)
    np.testing.assert_allclose(outputs, expected, rtol=1e-4, atol=1e-4)
    accuracy = 100.0 * float((outputs.reshape(len(x), -1).argmax(1) == labels).mean())
    report["weight_only_accuracy"] = accuracy
    assert accuracy >= digits["float_accuracy"] - 0.5
    # The weights are stored as int8: the object is smaller than fp32's.
    wo = quantc.compile(model, tmp_path / "wo.o", mode="weight-only").stat().st_size
    fp = quantc.compile(model, tmp_path / "fp.o", precision="fp32").stat().st_size
    report["weight_only_object_bytes"] = [wo, fp]
    assert wo < fp


def dynamic_reference(graph, x, per_channel=True):
    """The dynamic-mode model (docs/quantization.md, "Modes") in numpy: each
    fully connected layer quantizes its input with ONNX DynamicQuantizeLinear,
    multiplies the uint8 codes by the int8 weights exactly and rescales in
    float32: y = f32(acc) * (s_x * s_w[n]) + b[n]."""
    env = {graph.inputs[0][0]: x.reshape(graph.inputs[0][1]).astype(np.float32)}
    for op in graph.ops:
        v = env[op.inputs[0]]
        if op.kind == "reshape":
            env[op.output] = reference._reshape(v, op)
            continue
        q, s_x, zp = qdq_models.dynamic_quantize_linear(v)
        wq, s_w = reference.weight_params(op.weight, per_channel)
        acc = (q.astype(np.int64) - int(zp)) @ wq.T
        y = acc.astype(np.float32) * (np.float32(s_x) * s_w)
        if op.bias is not None:
            y = y + op.bias
        env[op.output] = np.maximum(y, np.float32(0)) if op.relu else y
    return env[graph.outputs[0]]


@pytest.mark.parametrize("per_channel", [True, False], ids=["per-channel", "per-tensor"])
def test_dynamic_mode(quantc_bin, digits, tmp_path, report, per_channel):
    """Activation ranges computed by the emitted code at run time, bit for
    bit against the numpy model, with no calibration data."""
    model = digits["model"]
    so = quantc.compile(model, tmp_path / "dyn.so", mode="dynamic", per_channel=per_channel)
    x = np.load(digits["test_x"])
    outputs = run_model(quantc.load(so), x)
    graph = reference.import_model(model)
    expected = np.stack([dynamic_reference(graph, s, per_channel) for s in x])
    identical = same_bits(outputs, expected)
    report[f"dynamic_{'channel' if per_channel else 'tensor'}_equals_reference"] = identical
    assert identical, describe_difference(outputs, expected)
    accuracy = 100.0 * float((outputs.reshape(len(x), -1).argmax(1) == np.load(digits["test_y"])).mean())
    report[f"dynamic_{'channel' if per_channel else 'tensor'}_accuracy"] = accuracy
    assert accuracy >= digits["float_accuracy"] - 0.5
    mlir = quantc.compile(model, tmp_path / "dyn.mlir", mode="dynamic").read_text()
    assert mlir.count("qc.dynamic_quantize") == 3 and "quant." not in mlir


@pytest.mark.parametrize(
    "flags",
    [{"activation_type": "uint8", "symmetric_activations": True, "int16_nodes": ["fc2"]}, {"mode": "dynamic"}],
    ids=["uint8-sym-16x8", "dynamic"],
)
def test_aarch64_matches_x86(quantc_bin, ops, tmp_path, report, flags):
    """The target-independent arithmetic of every scheme: an ARM64 object
    (run under qemu) gives the x86 outputs bit for bit."""
    require_tools("aarch64-linux-gnu-gcc", "qemu-aarch64")
    model, calibration, samples = ops
    so = quantc.compile(model, tmp_path / "x86.so", load_calibration=calibration, **flags)
    expected = run_model(quantc.load(so), samples)
    obj = quantc.compile(model, tmp_path / "a64.o", load_calibration=calibration, target="aarch64-linux-gnu", **flags)
    exe = build_harness("aarch64-linux-gnu-gcc", obj, tmp_path / "harness_a64", "-static")
    outputs = run_harness(["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", exe], samples, expected.shape[1:], tmp_path)
    identical = same_bits(outputs, expected)
    report[f"scheme_aarch64_{'_'.join(flags)}_equals_x86"] = identical
    assert identical, describe_difference(outputs, expected)


def conv_model(seed=0):
    """Conv (padded) -> Relu -> Conv (strided, grouped) -> Add (residual of
    a 1x1 conv) on 1x4x8x8."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)

    def w(name, *shape):
        return numpy_helper.from_array((rng.standard_normal(shape) * 0.3).astype(np.float32), name)

    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="conv2", pads=[1, 1, 1, 1], group=2),
        helper.make_node("Conv", ["x", "w3"], ["c3"], name="conv3"),
        helper.make_node("Add", ["c2", "c3"], ["y"], name="add"),
    ]
    graph = helper.make_graph(
        nodes, "convs",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 8, 8])],
        [w("w1", 8, 4, 3, 3), w("b1", 8), w("w2", 8, 4, 3, 3), w("b2", 8), w("w3", 8, 4, 1, 1)],
    )  # fmt: skip
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_16x8_conv(quantc_bin, tmp_path, report):
    """int16 activations through padded and grouped convs. The weights stay
    int8, so the reference is the float model with int8-rounded weights
    (fake-quantized with the rule of docs/quantization.md): against it only
    activation rounding remains, which 16 bits make far smaller."""
    model = conv_model()
    path = tmp_path / "convs.onnx"
    onnx.save(model, str(path))
    for init in model.graph.initializer:
        if init.name.startswith("w"):
            w = onnx.numpy_helper.to_array(init)
            wq, s_w = reference.weight_params(w.reshape(w.shape[0], -1))
            fake = (wq * s_w.astype(np.float64)[:, None]).astype(np.float32).reshape(w.shape)
            init.CopyFrom(onnx.numpy_helper.from_array(fake, init.name))
    fq_path = tmp_path / "convs_fq.onnx"
    onnx.save(model, str(fq_path))
    rng = np.random.default_rng(1)
    calib = rng.standard_normal((32, 1, 4, 8, 8)).astype(np.float32)
    # Inside the calibrated ranges, so that no clamping adds error.
    samples = calib[:16]
    exact = run_model(quantc.load(quantc.compile(fq_path, tmp_path / "f.so", precision="fp32")), samples)
    errors = {}
    for name, flags in [
        ("int8", {}),
        ("16x8", {"int16_nodes": ["conv1", "conv2", "add"]}),
        ("16x8-uint8", {"int16_nodes": ["conv1", "conv2", "add"], "activation_type": "uint8"}),
    ]:
        so = quantc.compile(path, tmp_path / f"{name}.so", calib, **flags)
        errors[name] = float(np.abs(run_model(quantc.load(so), samples) - exact).max())
    report["conv_max_abs_error_int8_16x8"] = errors
    assert errors["16x8"] < errors["int8"] / 20 and errors["16x8-uint8"] < errors["int8"] / 20, errors
