"""The model zoo (bench/zoo/export_zoo.py): torchvision resnet18, resnet50,
mobilenet_v2, squeezenet1_1, shufflenet_v2_x1_0 and a 4-layer transformer
encoder, exported from PyTorch with BatchNorm statistics re-estimated on
random data. Each compiles in fp32 and matches PyTorch within 1e-3 relative
error (max |y - y_torch| / max |y_torch|), and compiles to int8 and runs.
The int8 output SQNR against PyTorch is reported, not asserted: the PTQ
accuracy goals belong to docs/accuracy.md.

The exported models are cached in $QUANTC_ZOO_DIR (default build/zoo)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from e2e_util import REPO_ROOT, quantc

MODELS = ["resnet18", "resnet50", "mobilenet_v2", "squeezenet1_1", "shufflenet_v2_x1_0",
          "transformer_encoder"]


@pytest.fixture(scope="session")
def zoo_dir():
    out = Path(os.environ.get("QUANTC_ZOO_DIR", REPO_ROOT / "build" / "zoo"))
    subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "zoo" / "export_zoo.py"), "--out", str(out)],
                   check=True, capture_output=True, text=True)
    return out


def sqnr_db(got, want):
    noise = np.sum((got.astype(np.float64) - want) ** 2)
    return float(10 * np.log10(np.sum(want.astype(np.float64) ** 2) / max(noise, 1e-30)))


@pytest.mark.parametrize("name", MODELS)
def test_zoo_model(name, zoo_dir, quantc_bin, tmp_path, report):
    model_path = zoo_dir / f"{name}.onnx"
    x = np.load(zoo_dir / f"{name}.input.npy")
    expected = np.load(zoo_dir / f"{name}.expected.npy")
    figures = report.setdefault("zoo", {}).setdefault(name, {})

    start = time.perf_counter()
    fp32 = quantc.load(quantc.compile(model_path, tmp_path / f"{name}_fp32.so", precision="fp32"))
    figures["fp32_compile_s"] = round(time.perf_counter() - start, 2)
    y = fp32(x)
    assert y.shape == expected.shape
    rel = float(np.max(np.abs(y - expected)) / np.max(np.abs(expected)))
    figures["fp32_max_rel_error"] = rel
    assert rel <= 1e-3, f"{name}: fp32 max relative error {rel:.3g}"

    start = time.perf_counter()
    int8 = quantc.load(quantc.compile(model_path, tmp_path / f"{name}_int8.so",
                                      calibration_data=zoo_dir / f"{name}.calib.npy"))
    figures["int8_compile_s"] = round(time.perf_counter() - start, 2)
    yq = int8(x)
    assert yq.shape == expected.shape and np.isfinite(yq).all()
    figures["int8_sqnr_db"] = round(sqnr_db(yq, expected), 1)
    # Quantized, not garbage: the int8 output must track the float one.
    assert figures["int8_sqnr_db"] > 5, f"{name}: int8 SQNR {figures['int8_sqnr_db']} dB"
