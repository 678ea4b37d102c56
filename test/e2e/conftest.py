"""Shared fixtures of the end-to-end tests.

Run with the interpreter that sees Debian's numpy/onnx/torch:

    /usr/bin/python3 -m pytest -s test/e2e

The compiler is $QUANTC_BIN, else build/bin/quantc. Missing tools (the
compiler, the aarch64 cross toolchain, qemu) skip the tests that need them,
except when $CI is set: there they fail.

The figures (accuracies, bit-identity checks) are printed at the end of the
session and, if $QUANTC_E2E_REPORT is set, written to it as JSON (into
QUANTC_E2E_REPORT/e2e_report.json when it names a directory).
"""

import json
import os
from pathlib import Path

import pytest

import digits_model
from e2e_util import quantc, require


@pytest.fixture(scope="session")
def quantc_bin():
    try:
        binary = quantc.find_binary()
    except FileNotFoundError as err:
        binary, why = None, str(err)
    else:
        why = f"quantc binary {binary} does not exist"
    require(binary is not None and binary.exists(), why)
    return binary


@pytest.fixture(scope="session")
def report():
    """A dict of figures, printed and saved when the session ends."""
    figures = {}
    yield figures
    print("\nquantc e2e report:")
    for key, value in figures.items():
        print(f"  {key}: {value}")
    target = os.environ.get("QUANTC_E2E_REPORT")
    if target:
        path = Path(target)
        if path.is_dir():
            path = path / "e2e_report.json"
        path.write_text(json.dumps(figures, indent=2) + "\n")


@pytest.fixture(scope="session")
def digits(tmp_path_factory, report):
    """The trained digits model and its data (see digits_model.build)."""
    built = digits_model.build(tmp_path_factory.mktemp("digits"))
    report["float_accuracy"] = built["float_accuracy"]
    return built
