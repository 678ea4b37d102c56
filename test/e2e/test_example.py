"""Builds and runs examples/digits as its main.c describes, and checks its
predictions against the integer reference."""

import subprocess

import numpy as np

import reference
from e2e_util import REPO_ROOT, quantc

EXAMPLE = REPO_ROOT / "examples" / "digits"


def test_digits_example(quantc_bin, tmp_path):
    calibration = tmp_path / "calibration.json"
    obj = quantc.compile(
        EXAMPLE / "mlp.onnx", tmp_path / "digits.o", EXAMPLE / "calib.npy", save_calibration=calibration
    )
    exe = tmp_path / "digits_example"
    subprocess.run(
        ["cc", "-std=c11", "-O2", "-Wall", f"-I{tmp_path}", str(EXAMPLE / "main.c"), str(obj), "-lm", "-o", str(exe)],
        check=True,
    )
    lines = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.splitlines()

    labels = [int(line) for line in (EXAMPLE / "labels.txt").read_text().split()]
    _, logits = reference.QuantizedModel(EXAMPLE / "mlp.onnx", calibration).run_batch(np.load(EXAMPLE / "samples.npy"))
    predicted = logits.reshape(len(labels), -1).argmax(axis=1)
    expected = [f"sample {i}: predicted {p} (label {l})" for i, (p, l) in enumerate(zip(predicted, labels))]
    correct = int((predicted == labels).sum())
    assert lines == expected + [f"accuracy: {correct}/{len(labels)}"]
