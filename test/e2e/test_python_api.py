"""The Python driver's command lines and errors, against a stand-in
compiler script; they need no real compiler."""

import json
import sys

import numpy as np
import pytest

from e2e_util import quantc

# Records its arguments and the calibration array it was given, then exits
# with the status in $FAKE_STATUS.
FAKE_QUANTC = f"""#!{sys.executable}
import json, os, sys
import numpy as np
args = sys.argv[1:]
record = {{"args": args}}
if "--calibration-data" in args:
    data = np.load(args[args.index("--calibration-data") + 1])
    record["calibration"] = [str(data.dtype), list(data.shape)]
with open(os.environ["FAKE_RECORD"], "w") as f:
    json.dump(record, f)
sys.stderr.write("error: something is wrong\\n")
sys.exit(int(os.environ.get("FAKE_STATUS", "0")))
"""


@pytest.fixture
def fake(tmp_path, monkeypatch):
    binary = tmp_path / "quantc"
    binary.write_text(FAKE_QUANTC)
    binary.chmod(0o755)
    record = tmp_path / "record.json"
    monkeypatch.setenv("QUANTC_BIN", str(binary))
    monkeypatch.setenv("FAKE_RECORD", str(record))
    return lambda: json.loads(record.read_text())


def test_command_line(fake, tmp_path):
    out = quantc.compile(
        "m.onnx", tmp_path / "m.so", np.zeros((3, 4)), target="aarch64-linux-gnu", save_calibration="c.json"
    )
    assert out == tmp_path / "m.so"
    record = fake()
    args = record["args"]
    assert args[:4] == ["compile", "m.onnx", "-o", str(tmp_path / "m.so")]
    options = dict(zip(args[4::2], args[5::2]))
    assert options["--precision"] == "int8"
    assert options["--emit"] == "shared"
    assert options["--target"] == "aarch64-linux-gnu"
    assert options["--save-calibration"] == "c.json"
    # Arrays reach the compiler as float32 .npy files.
    assert record["calibration"] == ["float32", [3, 4]]


def test_emit_from_suffix(fake, tmp_path):
    for suffix, emit in ((".o", "obj"), (".mlir", "mlir"), (".ll", "llvm"), (".s", "asm")):
        quantc.compile("m.onnx", tmp_path / f"m{suffix}")
        args = fake()["args"]
        assert args[args.index("--emit") + 1] == emit
    quantc.compile("m.onnx", tmp_path / "m.bin", extra_args=["--per-tensor-weights"])
    args = fake()["args"]
    assert "--emit" not in args and args[-1] == "--per-tensor-weights"


def test_compile_error(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_STATUS", "1")
    with pytest.raises(quantc.CompileError, match="something is wrong") as err:
        quantc.compile("m.onnx", tmp_path / "m.o")
    assert err.value.returncode == 1
    assert err.value.stderr == "error: something is wrong\n"


@pytest.mark.parametrize(
    "path, name",
    [("digits.so", "digits"), ("out/my-model.v2.so", "my_model_v2"), ("3layer.o", "_3layer")],
)
def test_model_name(path, name):
    assert quantc.model_name(path) == name
