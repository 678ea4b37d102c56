"""End to end: the digits MLP through quantc, checked against torch (fp32),
the integer reference (int8, bit for bit), and across x86-64 and ARM64."""

import json
from types import SimpleNamespace

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import digits_model
import reference
from e2e_util import build_harness, describe_difference, quantc, require_tools, run_harness, run_model, same_bits


@pytest.fixture(scope="module")
def heldout(digits):
    return SimpleNamespace(
        x=np.load(digits["test_x"]), y=np.load(digits["test_y"]), logits=np.load(digits["test_logits"])
    )


@pytest.fixture(scope="module")
def int8_so(quantc_bin, digits, heldout, tmp_path_factory, report):
    """The int8 model as a shared library, its saved calibration, and its
    outputs on the test set (the x86-64 results everything is compared to)."""
    outdir = tmp_path_factory.mktemp("int8_so")
    calibration = outdir / "calibration.json"
    path = quantc.compile(digits["model"], outdir / "digits.so", digits["calib"], save_calibration=calibration)
    model = quantc.load(path)
    outputs = run_model(model, heldout.x)
    accuracy = digits_model.accuracy(outputs, heldout.y[:, None])
    report["int8_accuracy_x86"] = accuracy
    return SimpleNamespace(path=path, model=model, calibration=calibration, outputs=outputs, accuracy=accuracy)


def test_fp32_matches_torch(quantc_bin, digits, heldout, tmp_path, report):
    path = quantc.compile(digits["model"], tmp_path / "digits_fp32.so", precision="fp32")
    outputs = run_model(quantc.load(path), heldout.x)
    report["fp32_max_abs_diff_vs_torch"] = float(np.abs(outputs[:, 0] - heldout.logits).max())
    np.testing.assert_allclose(outputs[:, 0], heldout.logits, rtol=1e-4, atol=1e-5)
    assert digits_model.accuracy(outputs, heldout.y[:, None]) == digits["float_accuracy"]


def test_float_accuracy(digits):
    assert digits["float_accuracy"] >= 95.0


def test_int8_accuracy(int8_so, digits):
    assert digits["float_accuracy"] - int8_so.accuracy <= 1.0


def test_int8_matches_reference(int8_so, digits, heldout, report):
    _, expected = reference.QuantizedModel(digits["model"], int8_so.calibration).run_batch(heldout.x)
    identical = same_bits(int8_so.outputs, expected)
    report["int8_x86_equals_reference"] = identical
    assert identical, describe_difference(int8_so.outputs, expected)


def test_calibration_matches_reference(int8_so, digits):
    """quantc's min/max ranges agree with the reference's float runner (up
    to float32 summation order) on every tensor that has its own parameters."""
    saved = json.loads(int8_so.calibration.read_text())
    expected = reference.minmax_calibration(digits["model"], np.load(digits["calib"]))
    assert (saved["version"], saved["method"], saved["num_samples"]) == (2, "minmax", expected["num_samples"])
    for name, ranges in expected["tensors"].items():
        assert name in saved["tensors"], f"calibration lacks tensor '{name}'"
        for key in ("min", "max"):
            assert saved["tensors"][name][key] == pytest.approx(ranges[key], rel=1e-5, abs=1e-6), (name, key)


def test_load_calibration_round_trip(int8_so, digits, heldout, tmp_path, report):
    path = quantc.compile(digits["model"], tmp_path / "digits_reloaded.so", load_calibration=int8_so.calibration)
    outputs = run_model(quantc.load(path), heldout.x)
    identical = same_bits(outputs, int8_so.outputs)
    report["load_calibration_round_trip_identical"] = identical
    assert identical, describe_difference(outputs, int8_so.outputs)


def test_object_with_harness(int8_so, digits, heldout, tmp_path, report):
    obj = quantc.compile(digits["model"], tmp_path / "digits.o", digits["calib"])
    assert obj.with_suffix(".h").exists()
    exe = build_harness("cc", obj, tmp_path / "harness")
    outputs = run_harness([exe], heldout.x, (1, 10), tmp_path)
    identical = same_bits(outputs, int8_so.outputs)
    report["int8_object_equals_shared"] = identical
    assert identical, describe_difference(outputs, int8_so.outputs)


def test_aarch64_matches_x86(int8_so, digits, heldout, tmp_path, report):
    require_tools("aarch64-linux-gnu-gcc", "qemu-aarch64")
    obj = quantc.compile(digits["model"], tmp_path / "digits_a64.o", digits["calib"], target="aarch64-linux-gnu")
    exe = build_harness("aarch64-linux-gnu-gcc", obj, tmp_path / "harness_a64", "-static")
    outputs = run_harness(["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", exe], heldout.x, (1, 10), tmp_path)
    report["int8_accuracy_aarch64"] = digits_model.accuracy(outputs, heldout.y[:, None])
    identical = same_bits(outputs, int8_so.outputs)
    report["int8_aarch64_equals_x86"] = identical
    assert identical, describe_difference(outputs, int8_so.outputs)


def test_python_model_interface(int8_so):
    model = int8_so.model
    assert model.name == "digits"
    assert model.inputs == [quantc.TensorSpec("input", (1, 1, 8, 8), np.dtype(np.float32))]
    assert model.outputs == [quantc.TensorSpec("logits", (1, 10), np.dtype(np.float32))]
    with pytest.raises(ValueError, match=r"'input'.*\(1, 1, 8, 8\).*\(1, 64\)"):
        model(np.zeros((1, 64), np.float32))
    with pytest.raises(ValueError, match="dtype"):
        model(np.zeros((1, 1, 8, 8), np.float64))
    with pytest.raises(ValueError, match="1 input"):
        model()


def test_unsupported_op(quantc_bin, tmp_path):
    node = helper.make_node("Cos", ["x"], ["y"], name="cos_node")
    graph = helper.make_graph(
        [node],
        "cos",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, (1, 4))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, (1, 4))],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, str(tmp_path / "cos.onnx"))
    samples = np.linspace(-1, 1, 32, dtype=np.float32).reshape(8, 4)
    with pytest.raises(quantc.CompileError) as err:
        quantc.compile(tmp_path / "cos.onnx", tmp_path / "cos.o", samples)
    assert err.value.returncode == 1
    assert "Cos" in err.value.stderr and "cos_node" in err.value.stderr


def test_calibration_shape_mismatch(quantc_bin, digits, tmp_path):
    with pytest.raises(quantc.CompileError) as err:
        quantc.compile(digits["model"], tmp_path / "bad.o", np.zeros((10, 7), np.float32))
    # A positive status: a diagnostic, not a crash (which reads as -signal).
    assert err.value.returncode > 0
    assert "shape" in err.value.stderr.lower()
