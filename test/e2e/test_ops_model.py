"""End to end on ops_model: fused MatMul + Add, Add of activations with and
without Relu, a standalone Relu and Reshape, bit for bit against the
integer reference."""

import json

import numpy as np
import onnx
import pytest

import ops_model
import reference
from e2e_util import describe_difference, quantc, run_model, same_bits


@pytest.fixture(scope="module")
def ops(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("ops")
    path = outdir / "ops.onnx"
    onnx.save(ops_model.make_model(), str(path))
    calib = outdir / "calib.npy"
    np.save(calib, ops_model.calibration_samples())
    # Beyond the calibration range too, so that the clamps are exercised.
    samples = 1.5 * ops_model.calibration_samples(n=256, seed=2)
    return path, calib, samples


def tie_samples(calibration, n_features):
    """Inputs whose float32 quotient x / scale is exactly k + 1/2, so that
    quantizing them depends on rounding ties to even."""
    ranges = json.loads(calibration.read_text())["tensors"]["x"]
    scale, _ = reference.activation_params(ranges["min"], ranges["max"])
    halves = np.arange(-200, 200, dtype=np.float32) + np.float32(0.5)
    x = (halves * scale).astype(np.float32)
    x = x[x / scale == halves]
    return x[: len(x) // n_features * n_features].reshape(-1, n_features)


def test_ops_int8_matches_reference(quantc_bin, ops, tmp_path, report):
    model, calib, samples = ops
    calibration = tmp_path / "calibration.json"
    path = quantc.compile(model, tmp_path / "ops.so", calib, save_calibration=calibration)
    ties = tie_samples(calibration, samples.shape[1])
    assert len(ties) >= 8
    samples = np.concatenate([samples, ties])
    outputs = run_model(quantc.load(path), samples)
    _, expected = reference.QuantizedModel(model, calibration).run_batch(samples)
    identical = same_bits(outputs, expected)
    report["ops_int8_equals_reference"] = identical
    assert identical, describe_difference(outputs, expected)


def test_ops_calibration_names(quantc_bin, ops, tmp_path):
    """Fused ops are recorded under the names of the Relu/Add they absorbed."""
    model, calib, _ = ops
    calibration = tmp_path / "calibration.json"
    quantc.compile(model, tmp_path / "ops.o", calib, save_calibration=calibration)
    saved = json.loads(calibration.read_text())["tensors"]
    assert set(ops_model.QUANTIZED_TENSORS) <= set(saved)
    assert not {"mm1", "fc1", "v"} & set(saved)


def test_ops_fp32(quantc_bin, ops, tmp_path):
    model, _, samples = ops
    path = quantc.compile(model, tmp_path / "ops_fp32.so", precision="fp32")
    outputs = run_model(quantc.load(path), samples)
    graph = reference.import_model(model)
    expected = np.stack([reference.run_float(graph, s.reshape(ops_model.INPUT_SHAPE))["y"] for s in samples])
    np.testing.assert_allclose(outputs, expected, rtol=1e-4, atol=1e-5)
