"""Checks of the integer reference itself; they need no compiler."""

import numpy as np
import pytest

import digits_model
import ops_model
import reference


def test_multiplier_rule():
    assert reference.multiplier(0.5) == (2**30, 31)
    assert reference.multiplier(0.75) == (3 * 2**29, 31)
    # f * 2^31 rounds up to 2^31: renormalized.
    assert reference.multiplier(1 - 2.0**-40) == (2**30, 30)
    # Tiny multipliers cap the shift at 62 and lose mantissa bits instead.
    assert reference.multiplier(2.0**-40) == (2**22, 62)
    with pytest.raises(ValueError):
        reference.multiplier(2.0**30)
    rng = np.random.default_rng(0)
    for m in 10.0 ** rng.uniform(-9, 3, 1000):
        big_m, shift = reference.multiplier(m)
        assert 2**30 <= big_m < 2**31 and 1 <= shift <= 62
        assert abs(big_m * 2.0**-shift - m) <= m * 2.0**-31


def test_add_multipliers():
    assert reference.add_multipliers(0.5, 0.25) == (2**30, 2**29, 31)
    assert reference.add_multipliers(1.0, 0.0) == (2**30, 0, 30)


def test_activation_params():
    assert reference.activation_params(0.0, 0.0) == (np.float32(1.0), 0)
    scale, zp = reference.activation_params(0.0, 1.0)
    assert scale == np.float32(1 / 255) and zp == -128
    # Ranges are widened to contain zero.
    assert reference.activation_params(2.0, 3.0) == reference.activation_params(0.0, 3.0)
    scale, zp = reference.activation_params(-3.0, -1.0)
    assert scale == np.float32(3 / 255) and zp == 127


def test_quantize_rounding():
    scale = np.float32(0.5)
    x = np.array([0.25, 0.75, -0.25, 1e30, -1e30, np.nan, np.inf], np.float32)
    # Ties go to even: 0.5 -> 0, 1.5 -> 2, -0.5 -> 0.
    assert reference.quantize(x, scale, 3).tolist() == [3, 5, 3, 127, -128, -128, 127]


def test_weight_params_symmetric_per_channel():
    w = np.array([[0.6, -1.0, 0.25], [0.0, 0.0, 0.0]], np.float32)
    wq, s_w = reference.weight_params(w)
    assert s_w.tolist() == [np.float32(1 / 127), 1.0]
    assert wq.tolist() == [[76, -127, 32], [0, 0, 0]]
    _, s_w = reference.weight_params(w, per_channel=False)
    assert s_w.tolist() == [np.float32(1 / 127)] * 2


def test_import_fuses_like_quantc():
    graph = reference.import_model(ops_model.make_model())
    kinds = [(op.kind, op.output, op.relu) for op in graph.ops]
    assert kinds == [
        ("fully_connected", "h1", True),
        ("fully_connected", "h2", False),
        ("add", "s", False),
        ("relu", "t", False),
        ("add", "s2", False),
        ("add", "u", True),
        ("reshape", "r", False),
        ("reshape", "f", False),
        ("fully_connected", "y", False),
    ]
    cal = reference.minmax_calibration(graph, ops_model.calibration_samples())
    assert list(cal["tensors"]) == ops_model.QUANTIZED_TENSORS


def test_calibration_skips_non_finite_samples():
    samples = ops_model.calibration_samples(n=4)
    samples[1, 3] = np.nan
    with pytest.warns(UserWarning, match="sample 1"):
        cal = reference.minmax_calibration(ops_model.make_model(), samples)
    assert cal["num_samples"] == 3


def test_ops_model_int8_tracks_float():
    graph = reference.import_model(ops_model.make_model())
    samples = ops_model.calibration_samples(n=256, seed=3)
    model = reference.QuantizedModel(graph, reference.minmax_calibration(graph, samples))
    codes, floats = model.run_batch(samples)
    expected = np.stack([reference.run_float(graph, s.reshape(ops_model.INPUT_SHAPE))["y"] for s in samples])
    scale = model.params["y"][0]
    assert codes.dtype == np.int8
    # Rounding in eight requantizations stays within a few output steps.
    assert np.abs(floats - expected).max() <= 8 * scale


def test_digits_int8_tracks_float(digits):
    x, y, logits = (np.load(digits[k]) for k in ("test_x", "test_y", "test_logits"))
    graph = reference.import_model(digits["model"])
    float_runner = np.stack([reference.run_float(graph, s[None])["logits"][0] for s in x])
    np.testing.assert_allclose(float_runner, logits, rtol=1e-5, atol=1e-5)
    model = reference.QuantizedModel(graph, reference.minmax_calibration(graph, np.load(digits["calib"])))
    _, floats = model.run_batch(x)
    floats = floats[:, 0]
    assert np.mean(floats.argmax(axis=1) == logits.argmax(axis=1)) >= 0.98
    assert digits["float_accuracy"] - digits_model.accuracy(floats, y) <= 1.0
