"""Calibration methods, data formats and the calibration file.

Every method's chosen ranges for the digits MLP are checked against a NumPy
implementation written here from the definitions in docs/quantization.md
("Calibration ranges"), on activations computed by reference.run_float, to
within one histogram bin.
"""

import json
import math
import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import reference
from e2e_util import quantc

BINS = 2048
METHODS = ("minmax", "moving-average", "percentile", "entropy", "mse")
NUM_SAMPLES = 60


def run_quantc(binary, *args, ok=True):
    result = subprocess.run([str(binary), "compile", *map(str, args)], capture_output=True, text=True)
    if ok:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 1, f"expected failure, got {result.returncode}:\n{result.stderr}"
    return result


def calibrate(binary, model, data, out_json, *flags, ok=True):
    """Runs calibration only (--emit mlir skips code generation)."""
    result = run_quantc(
        binary, model, "--calibration-data", data, "--save-calibration", out_json,
        "--emit", "mlir", "-o", out_json.with_suffix(".mlir"), *flags, ok=ok,
    )  # fmt: skip
    return (json.loads(out_json.read_text()) if ok else None), result.stderr


# --------------------------------------------------------------------------
# Independent implementations of the methods
# --------------------------------------------------------------------------


def fold_histogram(values, width):
    """The |x| histogram: 2048 bins of `width` from 0, the last one open."""
    idx = np.minimum(np.floor(np.abs(values.astype(np.float64)) / width), BINS - 1).astype(np.int64)
    return np.bincount(idx, minlength=BINS).astype(np.float64)


def signed_bins(values, pos_width, neg_width):
    """(centers, counts) of the two-sided histogram."""
    v = values.astype(np.float64)
    pos, neg = v[v >= 0], -v[v < 0]
    centers, counts = [], []
    if len(pos):
        c = np.bincount(np.minimum(np.floor(pos / pos_width), BINS - 1).astype(np.int64), minlength=BINS)
        centers.append((np.arange(BINS) + 0.5) * pos_width)
        counts.append(c)
    if len(neg):
        c = np.bincount(np.minimum(np.floor(neg / neg_width), BINS - 1).astype(np.int64), minlength=BINS)
        centers.append(-(np.arange(BINS) + 0.5) * neg_width)
        counts.append(c)
    return np.concatenate(centers), np.concatenate(counts).astype(np.float64)


def kl_threshold(hist, levels):
    """TensorRT entropy calibration: the number of bins i (levels <= i <=
    last non-empty bin + 1, clipping at most half of the values) minimising
    KL(P || Q), ties to the larger i."""
    used = int(np.nonzero(hist)[0][-1]) + 1
    if used <= levels:
        return used
    best, best_kl = used, math.inf
    for i in range(levels, used + 1):
        # A threshold that clips more than half of the values is not a
        # candidate (all mass folded into one bin has KL 0).
        if hist[i:].sum() > hist[:i].sum():
            continue
        p = hist[:i].copy()
        p[i - 1] += hist[i:].sum()
        chunk = (np.arange(i) * levels) // i
        nonzero = hist[:i] > 0
        sums = np.bincount(chunk, weights=hist[:i], minlength=levels)
        counts = np.bincount(chunk, weights=nonzero.astype(np.float64), minlength=levels)
        q = np.where(nonzero, sums[chunk] / np.maximum(counts[chunk], 1), 0.0)
        mask = p > 0
        if np.any(mask & (q == 0)):
            kl = math.inf
        else:
            p, q = p / p.sum(), q / q.sum()
            kl = float(np.sum(p[mask] * np.log(p[mask] / q[mask])))
        if kl <= best_kl:
            best, best_kl = i, kl
    return best


def fake_quant(x, lo, hi):
    scale, zp = reference.activation_params(lo, hi)
    scale = float(scale)
    q = np.clip(np.round(x / scale) + zp, -128, 127)
    return (q - zp) * scale


def expected_range(method, values, per_sample, stats, percentile=99.99, c=0.01):
    """The range `method` chooses for a tensor with these observed values
    (all samples concatenated), per-sample (min, max) pairs and the stored
    histogram grid (`stats`: the tensor's entry of the calibration file)."""
    lo, hi = float(values.min()), float(values.max())
    hist = stats["histogram"]
    wp, wn = hist["positive"]["width"], hist["negative"]["width"]
    if method == "minmax":
        return lo, hi, 0.0
    if method == "moving-average":
        mmin, mmax = per_sample[0]
        for smin, smax in per_sample[1:]:
            mmin += c * (smin - mmin)
            mmax += c * (smax - mmax)
        return mmin, mmax, 0.0
    if method == "percentile":
        # The order statistic at which the CDF reaches q * count, to one bin.
        s = np.sort(values.astype(np.float64))
        n = len(s)

        def at(q):
            return s[min(max(math.ceil(q * n) - 1, 0), n - 1)]

        return max(at((100 - percentile) / 100), lo), min(at(percentile / 100), hi), max(wp, wn)
    width = max(wp, wn)
    folded = fold_histogram(values, width)
    if method == "entropy":
        # Bin 0 (the exact zeros of a ReLU) is left out of the divergence.
        if folded[1:].any():
            folded = folded.copy()
            folded[0] = 0
        t = kl_threshold(folded, 128 if lo < 0 else 256) * width
        return max(lo, -t), min(hi, t), width
    if method == "mse":
        centers, counts = signed_bins(values, wp, wn)
        keep = counts > 0
        centers, counts = centers[keep], counts[keep]
        used = int(np.nonzero(folded)[0][-1]) + 1
        errors = []
        for k in range(1, used + 1):
            a, b = max(lo, -k * width), min(hi, k * width)
            errors.append(float(np.sum(counts * (centers - fake_quant(centers, a, b)) ** 2)))
        k = int(np.argmin(errors)) + 1
        return max(lo, -k * width), min(hi, k * width), width
    raise ValueError(method)


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def calib_samples(digits, tmp_path_factory):
    x = np.load(digits["calib"])[:NUM_SAMPLES]
    path = tmp_path_factory.mktemp("calib") / "calib.npy"
    np.save(path, x)
    return path, x


@pytest.fixture(scope="module")
def activations(digits, calib_samples):
    """{tensor: (all values, [(min, max) per sample])} from the float
    reference runner."""
    graph = reference.import_model(onnx.load(str(digits["model"])))
    shape = graph.inputs[0][1]
    envs = [reference.run_float(graph, s.reshape(shape)) for s in calib_samples[1]]
    return {
        name: (
            np.concatenate([env[name].ravel() for env in envs]),
            [(float(env[name].min()), float(env[name].max())) for env in envs],
        )
        for name in envs[0]
    }


@pytest.fixture(scope="module")
def saved(quantc_bin, digits, calib_samples, tmp_path_factory):
    """The calibration file of every method (plus percentile 99)."""
    out = tmp_path_factory.mktemp("saved")
    files = {}
    for method in METHODS:
        files[method], _ = calibrate(
            quantc_bin, digits["model"], calib_samples[0], out / f"{method}.json", "--calibration-method", method
        )
    files["percentile99"], _ = calibrate(
        quantc_bin, digits["model"], calib_samples[0], out / "p99.json",
        "--calibration-method", "percentile", "--percentile", "99",
    )  # fmt: skip
    return files


# --------------------------------------------------------------------------
# Methods against NumPy
# --------------------------------------------------------------------------


@pytest.mark.parametrize("method", [*METHODS, "percentile99"])
def test_method_matches_numpy(method, saved, activations):
    table = saved[method]
    assert table["method"] == method.replace("99", "")
    assert table["num_samples"] == NUM_SAMPLES
    common = [name for name in table["tensors"] if name in activations]
    assert len(common) >= 4, (list(table["tensors"]), list(activations))
    for name in common:
        values, per_sample = activations[name]
        stats = table["tensors"][name]
        # Exact statistics.
        assert stats["observed_min"] == pytest.approx(values.min(), rel=1e-5, abs=1e-6)
        assert stats["observed_max"] == pytest.approx(values.max(), rel=1e-5, abs=1e-6)
        assert stats["count"] == values.size
        lo, hi, tol = expected_range(
            method.replace("99", ""), values, per_sample, stats, percentile=99 if method.endswith("99") else 99.99
        )
        tol = tol * 1.0001 + 1e-5 * max(1.0, abs(hi), abs(lo))
        assert abs(stats["min"] - lo) <= tol, (name, "min", stats["min"], lo, tol)
        assert abs(stats["max"] - hi) <= tol, (name, "max", stats["max"], hi, tol)


def test_histogram_matches_numpy(saved, activations):
    """The streamed, merged histogram equals NumPy's on the final grid (up
    to values that float32 summation order moves across a bin edge)."""
    table = saved["minmax"]
    for name, stats in table["tensors"].items():
        if name not in activations:
            continue
        values = activations[name][0].astype(np.float64)
        hist = stats["histogram"]
        assert hist["bins"] == BINS
        for side, sign in (("positive", 1), ("negative", -1)):
            width = hist[side]["width"]
            got = np.zeros(BINS)
            got[: len(hist[side]["counts"])] = hist[side]["counts"]
            part = values[values >= 0] if sign > 0 else -values[values < 0]
            if width == 0:
                assert got.sum() == len(part) == np.count_nonzero(values == 0) or len(part) == 0
                continue
            # The range grew by doubling from the first sample's max |x|.
            assert part.size == 0 or part.max() <= BINS * width
            want = np.bincount(np.minimum(np.floor(part / width), BINS - 1).astype(np.int64), minlength=BINS)
            assert np.abs(got - want).sum() <= max(2, 1e-3 * values.size), (name, side)


def test_methods_differ(saved):
    """The methods are not all the same range (clipping methods clip)."""
    tensor = "logits"
    ranges = {m: (saved[m]["tensors"][tensor]["min"], saved[m]["tensors"][tensor]["max"]) for m in METHODS}
    assert ranges["moving-average"][1] < ranges["minmax"][1]
    assert ranges["entropy"] != ranges["minmax"]


# --------------------------------------------------------------------------
# Data formats
# --------------------------------------------------------------------------


def test_npz_and_directory_match_npy(quantc_bin, digits, calib_samples, saved, tmp_path):
    x = calib_samples[1]
    expected = {k: (v["min"], v["max"]) for k, v in saved["minmax"]["tensors"].items()}
    np.savez(tmp_path / "named.npz", input=x)
    np.savez(tmp_path / "anykey.npz", whatever=x.reshape(len(x), 1, 1, 8, 8).astype(np.float64))
    np.savez_compressed(tmp_path / "compressed.npz", input=x.astype(np.float16).astype(np.float32))
    samples = tmp_path / "samples"
    samples.mkdir()
    for i, s in enumerate(x):
        np.save(samples / f"{i:04d}.npy", s)  # (1, 8, 8): the input shape without batch
    for data in ("named.npz", "anykey.npz", "samples"):
        table, _ = calibrate(quantc_bin, digits["model"], tmp_path / data, tmp_path / "t.json")
        assert {k: (v["min"], v["max"]) for k, v in table["tensors"].items()} == expected, data
        assert table["num_samples"] == len(x)
    table, _ = calibrate(quantc_bin, digits["model"], tmp_path / "compressed.npz", tmp_path / "c.json")
    assert table["num_samples"] == len(x)
    # float16 samples.
    np.save(tmp_path / "half.npy", x.astype(np.float16))
    table, _ = calibrate(quantc_bin, digits["model"], tmp_path / "half.npy", tmp_path / "h.json")
    assert table["tensors"]["input"]["max"] == float(x.astype(np.float16).max())


def make_multi_input_model(path):
    """out = (x + y) + Gather(table, idx): two float inputs and an int64
    index input."""
    table = np.arange(20, dtype=np.float32).reshape(5, 4) - 7
    graph = helper.make_graph(
        [
            helper.make_node("Add", ["x", "y"], ["s"]),
            helper.make_node("Gather", ["table", "idx"], ["g"], axis=0),
            helper.make_node("Add", ["s", "g"], ["out"]),
        ],
        "multi",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4]),
            helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4]),
            helper.make_tensor_value_info("idx", TensorProto.INT64, [1]),
        ],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 4])],
        [numpy_helper.from_array(table, "table")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return table


def test_multi_input(quantc_bin, tmp_path):
    model = tmp_path / "multi.onnx"
    table = make_multi_input_model(model)
    rng = np.random.default_rng(1)
    n = 12
    x = rng.standard_normal((n, 4)).astype(np.float32)  # batch-1: (N, 4)
    y = (3 * rng.standard_normal((n, 1, 4))).astype(np.float32)  # (N, 1, 4)
    idx = rng.integers(0, 5, size=(n, 1)).astype(np.int64)
    s = x + y[:, 0]
    out = s + table[idx[:, 0]]
    expected = {"x": x, "y": y, "s": s, "out": out}

    np.savez(tmp_path / "multi.npz", x=x, y=y, idx=idx)
    samples = tmp_path / "samples"
    samples.mkdir()
    for i in range(n):
        np.savez(samples / f"s{i:03d}.npz", x=x[i : i + 1], y=y[i], idx=idx[i].astype(np.int32))
    for data in (tmp_path / "multi.npz", samples):
        got, _ = calibrate(quantc_bin, model, data, tmp_path / "m.json")
        assert got["num_samples"] == n
        for name, values in expected.items():
            assert got["tensors"][name]["min"] == pytest.approx(values.min(), abs=1e-6), (data, name)
            assert got["tensors"][name]["max"] == pytest.approx(values.max(), abs=1e-6), (data, name)

    # Through the Python API, from a dict of arrays.
    quantc.compile(model, tmp_path / "m.mlir", {"x": x, "y": y, "idx": idx}, save_calibration=tmp_path / "py.json",
                   calibration_method="percentile", percentile=99.0)  # fmt: skip
    py = json.loads((tmp_path / "py.json").read_text())
    assert py["method"] == "percentile" and py["percentile"] == 99.0 and py["num_samples"] == n

    # Errors name the file, the input and expected vs got.
    np.savez(tmp_path / "badtype.npz", x=x, y=y, idx=idx.astype(np.float32))
    _, err = calibrate(quantc_bin, model, tmp_path / "badtype.npz", tmp_path / "e.json", ok=False)
    assert "badtype.npz:idx.npy': input 'idx' is int64 in the model; expected dtype int32 or int64, got '<f4'" in err
    np.savez(tmp_path / "badshape.npz", x=x, y=y[:, :, :3], idx=idx)
    _, err = calibrate(quantc_bin, model, tmp_path / "badshape.npz", tmp_path / "e.json", ok=False)
    assert "badshape.npz:y.npy': input 'y' has shape (1, 4) in the model" in err
    assert "expected calibration data of shape (N, 1, 4) or (N, 4), got (12, 1, 3)" in err
    np.savez(tmp_path / "count.npz", x=x, y=y[:5], idx=idx)
    _, err = calibrate(quantc_bin, model, tmp_path / "count.npz", tmp_path / "e.json", ok=False)
    assert "holds 5 samples for input 'y'" in err
    np.savez(tmp_path / "missing.npz", x=x, idx=idx)
    _, err = calibrate(quantc_bin, model, tmp_path / "missing.npz", tmp_path / "e.json", ok=False)
    assert "has no array for model input 'y' (it holds: x, idx)" in err
    np.save(tmp_path / "one.npy", x)
    _, err = calibrate(quantc_bin, model, tmp_path / "one.npy", tmp_path / "e.json", ok=False)
    assert "the model has 3 inputs" in err
    bad_dir = tmp_path / "bad_dir"
    bad_dir.mkdir()
    np.savez(bad_dir / "a.npz", x=x[0], y=y[0], idx=idx[0])
    np.savez(bad_dir / "b.npz", x=x[:2], y=y[0], idx=idx[0])
    _, err = calibrate(quantc_bin, model, bad_dir, tmp_path / "e.json", ok=False)
    assert "b.npz:x.npy': input 'x' expects one sample of shape (1, 4) or (4,), got (2, 4)" in err


def test_nan_samples_skipped_or_rejected(quantc_bin, digits, calib_samples, tmp_path):
    x = calib_samples[1][:10].copy()
    x[3, 0, 2, 2] = np.nan
    x[7, 0, 0, 0] = np.inf
    np.save(tmp_path / "nan.npy", x)
    table, err = calibrate(quantc_bin, digits["model"], tmp_path / "nan.npy", tmp_path / "n.json")
    assert "skipped 2 calibration sample(s) containing NaN or Inf: 3, 7" in err
    assert table["num_samples"] == 8
    _, err = calibrate(quantc_bin, digits["model"], tmp_path / "nan.npy", tmp_path / "s.json", "--strict", ok=False)
    assert "calibration sample 3 contains NaN or Inf (input 'input'); rejected under --strict" in err


def test_no_progress_bar_when_not_a_terminal(saved, quantc_bin, digits, calib_samples, tmp_path):
    _, err = calibrate(quantc_bin, digits["model"], calib_samples[0], tmp_path / "p.json")
    assert "calibrating" not in err and err == ""


# --------------------------------------------------------------------------
# The calibration file
# --------------------------------------------------------------------------


def test_reload_and_recompute(quantc_bin, digits, calib_samples, saved, tmp_path):
    model = digits["model"]
    direct = tmp_path / "entropy.json"
    calibrate(quantc_bin, model, calib_samples[0], direct, "--calibration-method", "entropy")
    # Reloading as is gives the same quantized model.
    run_quantc(quantc_bin, model, "--calibration-data", calib_samples[0], "--calibration-method", "entropy",
               "--emit", "mlir", "-o", tmp_path / "a.mlir")  # fmt: skip
    run_quantc(quantc_bin, model, "--load-calibration", direct, "--emit", "mlir", "-o", tmp_path / "b.mlir")
    assert (tmp_path / "a.mlir").read_text() == (tmp_path / "b.mlir").read_text()
    # Another method recomputes the ranges from the stored histograms: the
    # same as calibrating with that method directly.
    for method, flags in (("mse", ()), ("percentile", ("--percentile", "99")), ("minmax", ()),
                          ("moving-average", ())):  # fmt: skip
        out = tmp_path / f"re-{method}.json"
        run_quantc(quantc_bin, model, "--load-calibration", direct, "--calibration-method", method, *flags,
                   "--save-calibration", out, "--emit", "mlir", "-o", tmp_path / "r.mlir")  # fmt: skip
        recomputed = json.loads(out.read_text())
        reference_table = saved["percentile99" if flags else method]
        assert recomputed["method"] == method
        for name, t in reference_table["tensors"].items():
            assert recomputed["tensors"][name]["min"] == t["min"], (method, name)
            assert recomputed["tensors"][name]["max"] == t["max"], (method, name)
    # The moving averages depend on the constant: not recomputable.
    r = run_quantc(quantc_bin, model, "--load-calibration", direct, "--calibration-method", "moving-average",
                   "--moving-average-constant", "0.5", "--emit", "mlir", "-o", tmp_path / "r.mlir", ok=False)  # fmt: skip
    assert "recorded with constant 0.01" in r.stderr
    # A version-1 file (ranges only) cannot be recomputed.
    v1 = tmp_path / "v1.json"
    v1.write_text(json.dumps({"version": 1, "method": "minmax", "num_samples": 1,
                              "tensors": {"input": {"min": 0.0, "max": 1.0}}}))  # fmt: skip
    r = run_quantc(quantc_bin, model, "--load-calibration", v1, "--calibration-method", "mse", "--emit", "mlir",
                   "-o", tmp_path / "r.mlir", ok=False)  # fmt: skip
    assert "holds only minmax ranges, no statistics" in r.stderr
