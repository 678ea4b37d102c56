"""Helpers shared by the end-to-end tests: prerequisites, bit-exact
comparisons, and building and running test/e2e/harness.c."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parents[1]
sys.path.insert(0, str(REPO_ROOT / "python"))

import quantc  # noqa: E402  (needs the path above)


def in_ci():
    return bool(os.environ.get("CI"))


def require(condition, why):
    """Skips the test when a prerequisite is missing, except in CI."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{why} (required because CI is set)")
    pytest.skip(why)


def require_tools(*tools):
    missing = [tool for tool in tools if shutil.which(tool) is None]
    require(not missing, f"missing tools: {', '.join(missing)}")


def same_bits(a, b):
    """Whether two float32 arrays are identical bit for bit."""
    a, b = np.asarray(a), np.asarray(b)
    if not (a.dtype == b.dtype == np.float32 and a.shape == b.shape):
        return False
    return np.array_equal(a.view(np.uint32), b.view(np.uint32))


def describe_difference(a, b):
    """A one-line summary of how two equally shaped output batches differ."""
    differ = (a.view(np.uint32) != b.view(np.uint32)).reshape(len(a), -1).any(axis=1)
    return f"{int(differ.sum())}/{len(a)} samples differ, max |diff| {float(np.nanmax(np.abs(a - b)))}"


def run_model(model, samples):
    """Runs a loaded single-input model on each sample (one per row)."""
    shape = model.inputs[0].shape
    return np.stack([model(np.ascontiguousarray(s, dtype=np.float32).reshape(shape)) for s in samples])


def build_harness(compiler, obj, exe, *flags):
    """Links test/e2e/harness.c with a compiled model object; the header
    sits next to the object and the model name is the object's stem."""
    name = quantc.model_name(obj)
    command = [
        compiler, "-std=c11", "-O2", "-Wall", f"-I{obj.parent}",
        f'-DMODEL_HEADER="{name}.h"', f"-DMODEL={name}",
        str(E2E_DIR / "harness.c"), str(obj), "-lm", "-o", str(exe), *flags,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stderr}"
    return exe


def run_harness(command, samples, output_shape, workdir):
    """Runs a harness command prefix (e.g. [exe] or [qemu, ..., exe]) over
    samples and returns the outputs, one per sample."""
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    in_bin, out_bin = workdir / "in.bin", workdir / "out.bin"
    samples.tofile(in_bin)
    result = subprocess.run([*map(str, command), in_bin, out_bin, str(len(samples))], capture_output=True, text=True)
    assert result.returncode == 0, f"harness failed ({result.returncode}):\n{result.stderr}"
    return np.fromfile(out_bin, dtype=np.float32).reshape(len(samples), *output_shape)
