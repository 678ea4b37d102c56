"""Compiling the same model twice gives byte-identical outputs (issue 12).

The object file, the header and the calibration file of two runs of
`quantc compile` on the same model and data must be equal byte for byte:
nothing in them may depend on addresses, hash order, time or temporary
file names.
"""

import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper


def conv_mlp(path):
    rng = np.random.default_rng(1)
    inits = [
        numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "W1"),
        numpy_helper.from_array(rng.standard_normal(8).astype(np.float32), "B1"),
        numpy_helper.from_array(rng.standard_normal((5, 8 * 6 * 6)).astype(np.float32), "W2"),
        numpy_helper.from_array(rng.standard_normal(5).astype(np.float32), "B2"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "W1", "B1"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"]),
        helper.make_node("Gemm", ["f", "W2", "B2"], ["y"], transB=1),
        helper.make_node("Softmax", ["y"], ["s"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 12, 12])],
        [helper.make_tensor_value_info("s", TensorProto.FLOAT, [1, 5])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.save(m, path)


@pytest.mark.parametrize("method", ["minmax", "entropy"])
def test_byte_identical_rebuilds(quantc_bin, tmp_path, method):
    conv_mlp(tmp_path / "m.onnx")
    np.save(tmp_path / "calib.npy",
            np.random.default_rng(2).standard_normal((16, 3, 12, 12)).astype(np.float32))
    outputs = []
    for run in ("a", "b"):
        d = tmp_path / run
        d.mkdir()
        subprocess.run(
            [str(quantc_bin), "compile", str(tmp_path / "m.onnx"),
             "--calibration-data", str(tmp_path / "calib.npy"),
             "--calibration-method", method,
             "--save-calibration", str(d / "calib.json"),
             "-o", str(d / "model.o")],
            check=True, timeout=300, capture_output=True)
        outputs.append({name: (d / name).read_bytes()
                        for name in ("model.o", "model.h", "calib.json")})
    for name in outputs[0]:
        assert outputs[0][name], f"{name} is empty"
        assert outputs[0][name] == outputs[1][name], f"{name} differs between runs"
