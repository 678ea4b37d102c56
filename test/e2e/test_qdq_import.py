"""Already-quantized ONNX models (QDQ, QLinearConv/QLinearMatMul, dynamic
quantization with MatMulInteger/ConvInteger) compile without calibration
data and compute what their own scales say.

Comparisons: against quantc's integer numerics (docs/quantization.md) with
the model's scales, bit for bit; and against the ONNX operator definitions
evaluated in float32 (qdq_models.py), within two output codes and at least
80% identical: the ONNX definition sums in float32 and divides by the
output scale, quantc sums exactly in int32 and multiplies by a 31-bit
fixed-point multiplier, so each requantization can differ by one code when
a value lies within float32 noise of a rounding tie, and a one-code
difference in the conv or relu output moves the gemm/add outputs of the
next stages (four stages here). The dynamic-quantization models are
integer up to the final float32 Cast/Mul/Add and match bit for bit."""

import subprocess

import numpy as np
import onnx
import pytest

import qdq_models as qm
from e2e_util import quantc

ACT_TYPES = {
    "int8": (np.int8,) * 5,
    # uint8 input, int8 conv, uint8 relu, int8 gemms, uint8 sum.
    "mixed": (np.uint8, np.int8, np.uint8, np.int8, np.uint8),
}


def compile_model(model, tmp_path, name, **kwargs):
    path = tmp_path / f"{name}.onnx"
    onnx.save(model, str(path))
    return quantc.load(quantc.compile(path, tmp_path / f"{name}.so", **kwargs))


def codes(y, scale, zp):
    """The integer codes behind dequantized outputs; asserts they are
    integers, i.e. the output really is on the grid of the given scale."""
    c = y.astype(np.float64) / np.float64(scale) + zp
    assert np.all(np.abs(c - np.rint(c)) < 1e-3), "outputs are not on the output scale's grid"
    return np.rint(c).astype(np.int64)


@pytest.mark.parametrize("acts", sorted(ACT_TYPES))
def test_qdq_model(quantc_bin, tmp_path, acts, report):
    p = qm.QDQParams(ACT_TYPES[acts])
    model = compile_model(qm.make_qdq_model(p), tmp_path, f"qdq_{acts}")
    rng = np.random.default_rng(7)
    identical, within_two, total = 0, 0, 0
    for _ in range(16):
        x = (rng.standard_normal((1, 3, 8, 8)) * 1.5).astype(np.float32)
        y = model(x)
        got = codes(y, p.s_o, p.zp_o)
        # Dequantized with the model's own output parameters.
        np.testing.assert_array_equal(y, qm.dequantize_linear(got, p.s_o, p.zp_o))
        np.testing.assert_array_equal(got, qm.qdq_integer_reference(p, x))
        spec = qm.qdq_float_reference(p, x)
        identical += int(np.sum(got == spec))
        within_two += int(np.sum(np.abs(got - spec) <= 2))
        total += got.size
    report[f"qdq_{acts}_identical_to_onnx_float_definition"] = f"{identical}/{total}"
    assert within_two == total
    assert identical >= 0.8 * total


def test_qdq_ignores_calibration_data(quantc_bin, tmp_path):
    p = qm.QDQParams(ACT_TYPES["int8"])
    path = tmp_path / "qdq.onnx"
    onnx.save(qm.make_qdq_model(p), str(path))
    # Deliberately unrepresentative samples: calibrating on them would
    # change the scales; the model's own scales must be used.
    samples = tmp_path / "samples.npy"
    np.save(samples, np.full((4, 1, 3, 8, 8), 100.0, np.float32))
    out = tmp_path / "qdq_cal.so"
    result = subprocess.run(
        [str(quantc_bin), "compile", str(path), "--emit", "shared", "-o", str(out), "--calibration-data", str(samples)],
        capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "already quantized" in result.stderr and "calibration options are ignored" in result.stderr
    model = quantc.load(out)
    x = np.random.default_rng(3).standard_normal((1, 3, 8, 8)).astype(np.float32)
    np.testing.assert_array_equal(codes(model(x), p.s_o, p.zp_o), qm.qdq_integer_reference(p, x))


@pytest.mark.parametrize("act", [np.int8, np.uint8], ids=["int8", "uint8"])
def test_qlinear_ops(quantc_bin, tmp_path, act):
    p = qm.QLinearParams(act)
    model = compile_model(qm.make_qlinear_model(p), tmp_path, f"qlinear_{np.dtype(act).name}")
    rng = np.random.default_rng(11)
    for _ in range(8):
        x = rng.standard_normal((1, 2, 6, 7)).astype(np.float32) * 2
        a = rng.standard_normal((3, 16)).astype(np.float32) * 2
        y, m = model(x, a)
        want_y, want_m = qm.qlinear_reference(p, x, a)
        np.testing.assert_array_equal(codes(y, p.s_y, p.zp_y), want_y)
        np.testing.assert_array_equal(codes(m, p.s_m, p.zp_m), want_m)


def test_dynamic_quantization(quantc_bin, tmp_path):
    p = qm.DynamicParams()
    model = compile_model(qm.make_dynamic_model(p), tmp_path, "dynamic")
    rng = np.random.default_rng(5)
    cases = [
        (rng.standard_normal((5, 16)) * 3, rng.standard_normal((1, 3, 7, 6))),
        (np.abs(rng.standard_normal((5, 16))), -np.abs(rng.standard_normal((1, 3, 7, 6)))),  # one-sided ranges
        (np.zeros((5, 16)), np.zeros((1, 3, 7, 6))),  # all zero: scale 1
    ]
    for a, x in cases:
        a, x = a.astype(np.float32), x.astype(np.float32)
        y, c = model(a, x)
        want_y, want_c = qm.dynamic_reference(p, a, x)
        assert np.array_equal(y.view(np.uint32), want_y.view(np.uint32)), np.abs(y - want_y).max()
        assert np.array_equal(c.view(np.uint32), want_c.view(np.uint32)), np.abs(c - want_c).max()


def test_dynamic_quantize_ties(quantc_bin, tmp_path):
    """x / scale exactly k + 1/2 rounds half to even, as ONNX specifies."""
    p = qm.DynamicParams()
    model = compile_model(qm.make_dynamic_model(p), tmp_path, "dynamic_ties")
    # Range [-0.5*255/... ]: choose lo = -1.275, hi = 1.275 -> scale 0.01.
    a = np.linspace(-1.275, 1.275, 80, dtype=np.float32).reshape(5, 16)
    a[0, :6] = np.float32([0.005, 0.015, 0.025, -0.005, -0.015, 1.275])
    x = np.zeros((1, 3, 7, 6), np.float32)
    y, _ = model(a, x)
    want_y, _ = qm.dynamic_reference(p, a, x)
    assert np.array_equal(y.view(np.uint32), want_y.view(np.uint32))
