"""ONNX's own backend conformance models (test/data/onnx-backend/
pytorch-converted, a copy of the ONNX repository's folder; see its README): each model either compiles in fp32 and matches the
expected outputs (rtol 1e-3, atol 1e-5), or is rejected with a diagnostic
naming the unsupported feature. Both sets are listed here, so a model that
regresses, or one that starts to pass, fails the test until the lists are
updated.

The pass/reject counts go to the e2e report ("conformance")."""

import os
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from e2e_util import REPO_ROOT, quantc, require

DATA = Path(os.environ.get("QUANTC_ONNX_BACKEND_DATA",
                           REPO_ROOT / "test" / "data" / "onnx-backend" / "pytorch-converted"))

# Compiled in fp32 and numerically equal to the expected outputs.
PASS = """
AvgPool1d AvgPool1d_stride AvgPool2d AvgPool2d_stride AvgPool3d AvgPool3d_stride
AvgPool3d_stride1_pad0_gpu_input BatchNorm1d_3d_input_eval BatchNorm2d_eval
BatchNorm2d_momentum_eval BatchNorm3d_eval BatchNorm3d_momentum_eval ConstantPad2d
Conv1d Conv1d_dilated Conv1d_groups Conv1d_pad1 Conv1d_pad1size1 Conv1d_pad2
Conv1d_pad2size1 Conv1d_stride Conv2d Conv2d_depthwise Conv2d_depthwise_padded
Conv2d_depthwise_strided Conv2d_depthwise_with_multiplier Conv2d_dilated
Conv2d_groups Conv2d_groups_thnn Conv2d_no_bias Conv2d_padding Conv2d_strided
Conv3d Conv3d_dilated Conv3d_dilated_strided Conv3d_groups Conv3d_no_bias
Conv3d_stride Conv3d_stride_padding ConvTranspose2d ConvTranspose2d_no_bias ELU
Embedding Embedding_sparse GLU GLU_dim LeakyReLU LeakyReLU_with_negval Linear
Linear_no_bias LogSoftmax MaxPool1d MaxPool1d_stride
MaxPool1d_stride_padding_dilation MaxPool2d MaxPool2d_stride_padding_dilation
MaxPool3d MaxPool3d_stride MaxPool3d_stride_padding PReLU_1d PReLU_1d_multiparam
PReLU_2d PReLU_2d_multiparam PReLU_3d PReLU_3d_multiparam PixelShuffle
PoissonNLLLLoss_no_reduce ReLU ReflectionPad2d ReplicationPad2d SELU Sigmoid
Softmax Softmin Softplus Softsign Tanh ZeroPad2d log_softmax_dim3
log_softmax_lastdim softmax_functional_dim3 softmax_lastdim
""".split()

# Rejected, with a substring of the expected diagnostic. (None today: every
# model of the suite compiles.)
REJECT = {}


def load_tensor(path):
    tensor = onnx.TensorProto()
    tensor.ParseFromString(path.read_bytes())
    return numpy_helper.to_array(tensor)


def data_set(model_dir, kind):
    arrays, i = [], 0
    while (path := model_dir / "test_data_set_0" / f"{kind}_{i}.pb").exists():
        arrays.append(load_tensor(path))
        i += 1
    return arrays


def test_lists_cover_the_suite():
    require(DATA.is_dir(), f"{DATA} is missing")
    present = {p.name.removeprefix("test_") for p in DATA.iterdir() if p.is_dir()}
    listed = set(PASS) | set(REJECT)
    assert not set(PASS) & set(REJECT)
    assert present == listed, (
        f"unlisted models: {sorted(present - listed)}; listed but missing: {sorted(listed - present)}"
    )


@pytest.mark.parametrize("name", sorted(PASS) + sorted(REJECT))
def test_conformance(name, quantc_bin, tmp_path, report):
    model_dir = DATA / f"test_{name}"
    require(model_dir.is_dir(), f"{model_dir} is missing")
    stats = report.setdefault("conformance", {"pass": 0, "reject": 0, "reject_reasons": {}})
    library = tmp_path / f"{name}.so"
    if name in REJECT:
        with pytest.raises(quantc.CompileError) as err:
            quantc.compile(model_dir / "model.onnx", library, precision="fp32")
        assert REJECT[name] in err.value.stderr
        assert "error:" in err.value.stderr and err.value.returncode == 1
        stats["reject"] += 1
        stats["reject_reasons"][name] = REJECT[name]
        return
    quantc.compile(model_dir / "model.onnx", library, precision="fp32")
    model = quantc.load(library)
    inputs = data_set(model_dir, "input")[: len(model.inputs)]
    expected = data_set(model_dir, "output")
    outputs = model(*inputs)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-5)
    stats["pass"] += 1
