"""The PTQ accuracy goal: with default flags (`quantc compile model.onnx
--calibration-data calib.npy`, nothing else) every digits model's int8
top-1 on the held-out set is within GOAL_POINTS of its fp32 (PyTorch) top-1.

The models are bench/accuracy/models.py's (a residual CNN with BatchNorm, the
MLP of digits_model.py, a MobileNet-style depthwise-separable net with
ReLU6), trained here; the full table is docs/accuracy.md
(bench/accuracy/run.py)."""

import subprocess
import sys

import numpy as np
import pytest

import digits_model
from e2e_util import REPO_ROOT, quantc, run_model

sys.path.insert(0, str(REPO_ROOT / "bench" / "accuracy"))

import models  # noqa: E402  (bench/accuracy/models.py, path above)

GOAL_POINTS = 0.5


@pytest.fixture(scope="module")
def trained(digits, tmp_path_factory):
    """name -> onnx, calib, test_x, test_y paths and float_accuracy. The MLP
    is the session's digits fixture (the same model models.py trains)."""
    outdir = tmp_path_factory.mktemp("accuracy_models")
    built = {name: models.build(name, outdir) for name in ("cnn", "mobilenet")}
    built["mlp"] = {**digits, "onnx": digits["model"]}
    return built


@pytest.mark.parametrize("name", ["cnn", "mlp", "mobilenet"])
def test_default_flags_int8_within_goal(name, trained, quantc_bin, tmp_path, report):
    model = trained[name]
    # The bare command line: no flag but the calibration data, so the test
    # measures the compiler's defaults.
    library = tmp_path / f"{name}.so"
    command = [str(quantc_bin), "compile", str(model["onnx"]), "--calibration-data", str(model["calib"]),
               "-o", str(library), "--emit", "shared"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stderr}"

    test_x, test_y = np.load(model["test_x"]), np.load(model["test_y"])
    logits = run_model(quantc.load(library), test_x)
    int8 = digits_model.accuracy(logits.reshape(len(test_y), -1), test_y)
    fp32 = model["float_accuracy"]
    report.setdefault("accuracy_goal", {})[name] = {"fp32": fp32, "int8_default": int8}

    # A model that did not learn would make the goal meaningless.
    assert fp32 >= 95.0, f"{name}: fp32 top-1 {fp32:.2f}% (training regressed)"
    assert int8 >= fp32 - GOAL_POINTS, (
        f"{name}: int8 top-1 {int8:.2f}% is {fp32 - int8:.2f} points below fp32 {fp32:.2f}% "
        f"(goal: within {GOAL_POINTS})"
    )
