#!/usr/bin/python3
"""Writes docs/accuracy.md: quantc's int8 accuracy on the digits models
(bench/accuracy/models.py) and the model zoo (bench/zoo/export_zoo.py), for
every calibration method and weight granularity, side by side with PyTorch
FX post-training quantization on the same calibration data.

    /usr/bin/python3 bench/accuracy/run.py --out DIR [--quantc PATH]
        [--zoo ZOODIR [--zoo-models a,b,...]] [--methods m1,m2,...]
        [--doc docs/accuracy.md]
    /usr/bin/python3 bench/accuracy/run.py --out DIR --render [--doc ...]

DIR caches the trained digits models and holds the compiled libraries and
results.json. A calibration method the compiler does not implement (its
diagnostic says so) is shown as "n/a"; any other compiler failure is shown as
"error", reported on stderr, and makes the script exit with status 1 after
writing the document.
"""

import argparse
import copy
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "python"))
sys.path.insert(0, str(REPO_ROOT / "bench" / "accuracy"))
sys.path.insert(0, str(REPO_ROOT / "bench" / "zoo"))

import quantc  # noqa: E402
import models  # noqa: E402

METHODS = ["minmax", "moving-average", "percentile", "entropy", "mse"]
GRANULARITIES = {"per-channel": [], "per-tensor": ["--per-tensor-weights"]}
# Each FX engine's default qconfig fixes the weight granularity; its column
# sits in the row of the quantc granularity it matches.
FX_ENGINES = {"onednn": "per-channel", "qnnpack": "per-tensor"}
ZOO_MODELS = ["resnet18", "mobilenet_v2", "transformer_encoder"]
ZOO_EVAL_SAMPLES = 8
GOAL_POINTS = 0.5


class Unsupported(Exception):
    """The compiler does not implement a requested option."""


# What quantc says when a calibration method (or the flag) does not exist.
_UNSUPPORTED = re.compile(
    r"calibration method .*(not implemented|unknown|unsupported|invalid)|"
    r"(unknown|invalid) calibration method|Unknown command line argument '--calibration-method",
    re.IGNORECASE,
)


def compile_model(binary, model, output, flags, emit="shared"):
    command = [str(binary), "compile", str(model), "-o", str(output), "--emit", emit, *flags]
    # The binary may be mid-relink (missing, not executable, "Text file
    # busy"): wait for it, up to about three minutes.
    for attempt in range(19):
        try:
            result = subprocess.run(command, capture_output=True, text=True)
        except OSError as err:
            if attempt == 18:
                raise
            print(f"  {binary}: {err}; retrying in 10 s", file=sys.stderr, flush=True)
            time.sleep(10)
            continue
        if result.returncode != 0 and attempt < 18 and (
                not Path(binary).exists() or "Text file busy" in result.stderr):
            time.sleep(10)
            continue
        break
    if result.returncode != 0:
        if _UNSUPPORTED.search(result.stderr):
            raise Unsupported(result.stderr.strip().splitlines()[-1])
        raise quantc.CompileError(command, result.returncode, result.stderr)
    return Path(output)


def run_quantc(path, samples):
    model = quantc.load(path)
    shape = model.inputs[0].shape
    return np.stack([model(np.ascontiguousarray(s, dtype=np.float32).reshape(shape)) for s in samples])


def top1(logits, labels):
    return 100.0 * float(np.mean(np.argmax(logits.reshape(len(labels), -1), axis=-1) == labels))


def sqnr_db(got, want):
    got = np.asarray(got, np.float64).ravel()
    want = np.asarray(want, np.float64).ravel()
    noise = np.sum((got - want) ** 2)
    return float(10 * np.log10(np.sum(want ** 2) / max(noise, 1e-30)))


def fx_ptq(model, engine, calib, example_shape):
    """PyTorch FX graph-mode PTQ with the engine's default qconfig mapping,
    calibrated sample by sample on calib. Returns the converted module (the
    engine's int8 kernels) and the reference module (the same quantization
    parameters simulated in float: quantize/dequantize around float ops)."""
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, convert_to_reference_fx, prepare_fx

    if engine not in torch.backends.quantized.supported_engines:
        raise Unsupported(f"engine {engine} is not in this torch build "
                          f"(supported: {torch.backends.quantized.supported_engines})")
    torch.backends.quantized.engine = engine
    prepared = prepare_fx(copy.deepcopy(model).eval(), get_default_qconfig_mapping(engine),
                          example_inputs=(torch.zeros(example_shape),))
    with torch.no_grad():
        for sample in calib:
            prepared(torch.from_numpy(np.ascontiguousarray(sample)).reshape(example_shape))
    kernels = convert_fx(copy.deepcopy(prepared))
    if "quantize_per_tensor" not in kernels.code:
        raise Unsupported("FX PTQ quantized nothing: the converted graph has no quantize op (the FX tracer "
                          "does not trace into torch.nn modules such as nn.TransformerEncoder, so the "
                          "default qconfig mapping leaves the model in float)")
    return kernels, convert_to_reference_fx(prepared)


def fx_outputs(quantized, samples, shape):
    with torch.no_grad():
        return np.stack([quantized(torch.from_numpy(np.ascontiguousarray(s)).reshape(shape)).numpy()
                         for s in samples])


def float_fallback(binary, model, flags, workdir):
    """Which qc ops run on integers and which in float in the int8 model:
    {op: {"int8": n, "float": n}} from `--emit mlir`."""
    path = compile_model(binary, model, Path(workdir) / "model.mlir", flags, emit="mlir")
    counts = {}
    with open(path) as f:
        for line in f:
            match = re.match(r"\s*%\S+ = (qc\.\w+)", line)
            if not match or match.group(1) == "qc.constant":
                continue
            kind = "int8" if "!quant.uniform" in line else "float"
            counts.setdefault(match.group(1), {"int8": 0, "float": 0})[kind] += 1
    path.unlink()
    return counts


class Runner:
    def __init__(self, args):
        self.binary = Path(args.quantc)
        self.out = Path(args.out)
        self.methods = args.methods
        self.errors = []
        self.timings = {}

    def int8_variants(self, model_path, calib, workdir, evaluate):
        """evaluate(outputs) for every method x granularity; a cell is a
        number, "n/a" (method not implemented) or "error"."""
        cells = {}
        for granularity, gflags in GRANULARITIES.items():
            for method in self.methods:
                key = f"{method}/{granularity}"
                flags = ["--calibration-data", str(calib), "--calibration-method", method, *gflags]
                cells[key] = self.try_compile_and_run(model_path, workdir / f"{method}-{granularity}.so",
                                                      flags, evaluate)
        return cells

    def try_compile_and_run(self, model_path, output, flags, evaluate, samples=None):
        start = time.perf_counter()
        try:
            compile_model(self.binary, model_path, output, flags)
        except Unsupported as why:
            return {"value": "n/a", "why": str(why)}
        except quantc.CompileError as err:
            self.errors.append(f"{model_path} {' '.join(flags)}: {err}")
            print(f"error: {self.errors[-1]}", file=sys.stderr)
            return {"value": "error", "why": str(err).splitlines()[-1]}
        compile_s = time.perf_counter() - start
        value = evaluate(output)
        return {"value": value, "compile_s": round(compile_s, 2)}

    def digits(self, name):
        start = time.perf_counter()
        built = models.build(name, self.out / "models")
        workdir = self.out / "digits" / name
        workdir.mkdir(parents=True, exist_ok=True)
        test_x, test_y = np.load(built["test_x"]), np.load(built["test_y"])
        calib = np.load(built["calib"])
        torch_logits = np.stack([models.digits_model.float_logits(built["model"], s[None]) for s in test_x])

        def evaluate(path):
            logits = run_quantc(path, test_x)
            return {"top1": top1(logits, test_y), "sqnr_db": sqnr_db(logits, torch_logits)}

        row = {"fp32_torch": top1(torch_logits, test_y), "ops": built["ops"],
               "train_s": round(built["train_s"], 2), "calibration_samples": len(calib),
               "test_samples": len(test_x)}
        fp32 = self.try_compile_and_run(built["onnx"], workdir / "fp32.so", ["--precision", "fp32"], evaluate)
        row["fp32_quantc"] = fp32["value"]["top1"] if isinstance(fp32["value"], dict) else fp32["value"]
        row["default"] = self.try_compile_and_run(built["onnx"], workdir / "default.so",
                                                  ["--calibration-data", str(built["calib"])], evaluate)
        row["int8"] = self.int8_variants(built["onnx"], built["calib"], workdir, evaluate)
        row["fx"] = {}
        for engine in FX_ENGINES:
            try:
                kernels, simulated = fx_ptq(built["model"], engine, calib, models.INPUT_SHAPE)
                cell = {}
                for key, module in (("value", kernels), ("simulated", simulated)):
                    logits = fx_outputs(module, test_x, models.INPUT_SHAPE)
                    cell[key] = {"top1": top1(logits, test_y), "sqnr_db": sqnr_db(logits, torch_logits)}
                row["fx"][engine] = cell
            except Exception as err:  # noqa: BLE001 -- reported in the table
                row["fx"][engine] = {"value": "n/a", "why": f"{type(err).__name__}: {err}"}
        row["fallback"] = float_fallback(self.binary, built["onnx"], ["--calibration-data", str(built["calib"])],
                                         workdir)
        row["wall_s"] = round(time.perf_counter() - start, 1)
        return row

    def zoo(self, zoo_dir, name):
        import export_zoo

        start = time.perf_counter()
        paths = export_zoo.paths(str(zoo_dir), name)
        if not all(os.path.exists(p) for p in paths.values()):
            subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "zoo" / "export_zoo.py"), "--out",
                            str(zoo_dir), "--models", name], check=True)
        workdir = self.out / "zoo" / name
        workdir.mkdir(parents=True, exist_ok=True)
        model = rebuild_zoo_model(export_zoo, name)
        x = np.load(paths["input"])
        expected = np.load(paths["expected"])
        with torch.no_grad():
            check = model(torch.from_numpy(x)).numpy()
        rel = float(np.max(np.abs(check - expected)) / np.max(np.abs(expected)))
        if rel > 1e-4:
            raise RuntimeError(f"{name}: rebuilt PyTorch model differs from {paths['expected']} (rel {rel:.3g})")
        # The exported input plus seeded random inputs of the same
        # distribution (the zoo's calibration and test data are N(0, 1)).
        gen = torch.Generator().manual_seed(1234)
        extra = torch.randn((ZOO_EVAL_SAMPLES - 1, *x.shape[1:]), generator=gen).numpy()
        samples = np.concatenate([x, extra]).astype(np.float32)
        with torch.no_grad():
            reference = np.stack([model(torch.from_numpy(s[None])).numpy() for s in samples])
        calib = np.load(paths["calib"])

        def evaluate(path):
            return {"sqnr_db": sqnr_db(run_quantc(path, samples), reference)}

        row = {"calibration_samples": len(calib), "eval_samples": len(samples)}
        row["default"] = self.try_compile_and_run(paths["onnx"], workdir / "default.so",
                                                  ["--calibration-data", paths["calib"]], evaluate)
        row["int8"] = self.int8_variants(paths["onnx"], paths["calib"], workdir, evaluate)
        row["fx"] = {}
        for engine in FX_ENGINES:
            try:
                kernels, simulated = fx_ptq(model, engine, calib, x.shape)
                row["fx"][engine] = {key: {"sqnr_db": sqnr_db(fx_outputs(module, samples, x.shape), reference)}
                                     for key, module in (("value", kernels), ("simulated", simulated))}
            except Exception as err:  # noqa: BLE001 -- reported in the table
                row["fx"][engine] = {"value": "n/a", "why": f"{type(err).__name__}: {str(err)[:300]}"}
        row["fallback"] = float_fallback(self.binary, paths["onnx"], ["--calibration-data", paths["calib"]],
                                         workdir)
        row["wall_s"] = round(time.perf_counter() - start, 1)
        return row


def rebuild_zoo_model(export_zoo, name):
    """The PyTorch model export_zoo.export_one exported, rebuilt with the
    same seeds (checked against NAME.expected.npy by the caller)."""
    ctor, input_shape = export_zoo.MODELS[name]
    seed = export_zoo.model_seed(name)
    torch.manual_seed(seed)
    model = ctor()
    gen = torch.Generator().manual_seed(seed + 1)
    export_zoo.recalibrate_batchnorm(model, input_shape, gen)
    model.eval()
    # Plain-op paths, as in the export (see export_zoo.export_one); FX
    # tracing needs the module, not autograd, so grads stay off here.
    for prm in model.parameters():
        prm.requires_grad_(False)
    return model


# ---------------------------------------------------------------- document


# A PyTorch FX figure from the engine's kernels that is this far below the
# same model simulated in float (convert_to_reference_fx) is marked.
KERNEL_GAP = {"top1": 1.0, "sqnr_db": 3.0}


def fmt(cell, metric, base=None):
    value = cell["value"]
    if not isinstance(value, dict):
        return value
    text = f"{value[metric]:.2f}" if metric == "top1" else f"{value[metric]:.1f}"
    if base is not None:
        text += f" ({value[metric] - base:+.2f})"
    simulated = cell.get("simulated")
    if simulated and simulated[metric] - value[metric] > KERNEL_GAP[metric]:
        text += f" [simulated: {simulated[metric]:.2f}]" if metric == "top1" else \
            f" [simulated: {simulated[metric]:.1f}]"
    return text


def machine():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def compiler_tree(binary):
    """The source tree the binary was built from (BINARY is
    TREE/build/bin/quantc) and its git commit, when it is one."""
    tree = Path(binary).resolve().parents[2]
    result = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return f"{tree} at commit {result.stdout.strip()}" if result.returncode == 0 else str(tree)


def fallback_text(counts):
    floats = [f"{op} x{c['float']}" for op, c in sorted(counts.items()) if c["float"]]
    ints = [f"{op} x{c['int8']}" for op, c in sorted(counts.items()) if c["int8"]]
    return ", ".join(ints) or "none", ", ".join(floats) or "none"


def write_doc(path, results, meta):
    lines = []
    add = lines.append
    methods = meta["methods"]
    add("# Post-training quantization accuracy\n")
    add("Generated by `bench/accuracy/run.py`; do not edit by hand. Rerun with:\n")
    add(f"```\n{meta['command']}\n```\n")
    add(f"- date: {meta['date']}")
    add(f"- machine: {meta['machine']}")
    add(f"- compiler: a copy of `{meta['quantc']}` taken when the run started (source tree "
        f"{meta['quantc_tree']})")
    add(f"- PyTorch {torch.__version__}, quantized engines in this build: "
        f"{', '.join(torch.backends.quantized.supported_engines)}")
    add(f"- total wall time: {meta['wall_s']:.0f} s (digits: {meta['digits_s']:.0f} s"
        + (f", zoo: {meta['zoo_s']:.0f} s" if "zoo_s" in meta else ", zoo not run") + ")")
    add("")
    digits = results.get("digits", {})
    if digits:
        first = next(iter(digits.values()))
        add("## Digits models\n")
        add(f"sklearn `load_digits` (8x8 images scaled to [0, 1]); every 5th sample is held out "
            f"({first['test_samples']} test samples, 1437 train). Calibration: the first "
            f"{first['calibration_samples']} training samples, the same for quantc and PyTorch FX. "
            f"Models from `bench/accuracy/models.py`, trained with seed {models.SEED}, one thread, Adam: "
            "`cnn` (conv-BN-ReLU stem, a residual block with an add, strided conv, global average pool, "
            "linear), `mlp` (`test/e2e/digits_model.py`, 64-64-32-10), `mobilenet` (conv-BN-ReLU6 stem, three "
            "depthwise-separable blocks: depthwise 3x3 + BN + ReLU6, pointwise 1x1 + BN + ReLU6, global average "
            "pool, linear). Exported to ONNX opset 13, batch 1, with BatchNormalization kept as nodes.\n")
        add("### Top-1 with default flags\n")
        add("`quantc compile model.onnx --calibration-data calib.npy` (no other flag). Deltas are "
            f"in points against PyTorch fp32. Goal: int8 within {GOAL_POINTS} point of fp32.\n")
        add("| model | PyTorch fp32 | quantc fp32 | quantc int8, default flags | goal met | "
            "FX PTQ onednn | FX PTQ qnnpack |")
        add("|---|---|---|---|---|---|---|")
        for name, row in digits.items():
            base = row["fp32_torch"]
            default = row["default"]["value"]
            met = "yes" if isinstance(default, dict) and default["top1"] >= base - GOAL_POINTS else "**no**"
            add(
                f"| {name} | {base:.2f} | {_num(row['fp32_quantc'])} | {fmt(row['default'], 'top1', base)} | {met} | "
                f"{fmt(row['fx']['onednn'], 'top1', base)} | {fmt(row['fx']['qnnpack'], 'top1', base)} |"
            )
        add("")
        add("### Top-1 by calibration method and weight granularity\n")
        add("`--calibration-method METHOD`, plus `--per-tensor-weights` in the per-tensor rows. "
            "The PyTorch column is FX PTQ with the engine whose default qconfig has that weight "
            "granularity: onednn (per-channel symmetric weights) in the per-channel rows, qnnpack "
            "(per-tensor symmetric weights) in the per-tensor rows; both use a HistogramObserver "
            "(L2-optimal range search) for activations. Deltas against PyTorch fp32.\n")
        add("| model | weights | " + " | ".join(methods) + " | PyTorch FX |")
        add("|---|---|" + "---|" * len(methods) + "---|")
        for name, row in digits.items():
            for granularity in GRANULARITIES:
                engine = next(e for e, g in FX_ENGINES.items() if g == granularity)
                cells = [fmt(row["int8"][f"{m}/{granularity}"], "top1", row["fp32_torch"]) for m in methods]
                add(f"| {name} | {granularity} | " + " | ".join(cells)
                    + f" | {fmt(row['fx'][engine], 'top1', row['fp32_torch'])} ({engine}) |")
        add("")
        add("### Logit SQNR against PyTorch fp32 (dB)\n")
        add("Top-1 on 360 samples moves in steps of 0.28 points, so the signal-to-quantization-noise "
            "ratio of the logits (10 log10 of sum y^2 / sum (y_int8 - y)^2 over the test set) "
            "separates the methods better. Higher is better.\n")
        add("| model | weights | default | " + " | ".join(methods) + " | PyTorch FX |")
        add("|---|---|---|" + "---|" * len(methods) + "---|")
        for name, row in digits.items():
            for granularity in GRANULARITIES:
                engine = next(e for e, g in FX_ENGINES.items() if g == granularity)
                cells = [fmt(row["int8"][f"{m}/{granularity}"], "sqnr_db") for m in methods]
                default = fmt(row["default"], "sqnr_db") if granularity == "per-channel" else ""
                add(f"| {name} | {granularity} | {default} | " + " | ".join(cells)
                    + f" | {fmt(row['fx'][engine], 'sqnr_db')} ({engine}) |")
        add("")
    zoo = results.get("zoo", {})
    if zoo:
        first = next(iter(zoo.values()))
        add("## Model zoo: output SQNR against PyTorch fp32 (dB)\n")
        add("`bench/zoo/export_zoo.py`: torchvision models and a 4-layer transformer encoder with random "
            "weights (BatchNorm statistics re-estimated on random data), so there is no accuracy to "
            f"measure, only how close int8 stays to fp32. Calibration: the zoo's {first['calibration_samples']} "
            f"N(0, 1) samples (NAME.calib.npy), for quantc and FX alike. Evaluation: NAME.input.npy plus "
            f"{first['eval_samples'] - 1} more seeded N(0, 1) inputs; the reference is the PyTorch fp32 "
            "model rebuilt with the exporter's seeds (checked against NAME.expected.npy). Higher is better.\n")
        add("| model | weights | default | " + " | ".join(methods) + " | PyTorch FX |")
        add("|---|---|---|" + "---|" * len(methods) + "---|")
        for name, row in zoo.items():
            for granularity in GRANULARITIES:
                engine = next(e for e, g in FX_ENGINES.items() if g == granularity)
                cells = [fmt(row["int8"][f"{m}/{granularity}"], "sqnr_db") for m in methods]
                default = fmt(row["default"], "sqnr_db") if granularity == "per-channel" else ""
                add(f"| {name} | {granularity} | {default} | " + " | ".join(cells)
                    + f" | {fmt(row['fx'][engine], 'sqnr_db')} ({engine}) |")
        add("")
    add("## What runs on integers\n")
    add("From `quantc compile model.onnx --calibration-data calib.npy --emit mlir` (default flags): "
        "a `qc` op whose operands or result carry `!quant.uniform` types runs on integers; the others "
        "run in float between `quant.dcast` and `quant.qcast`.\n")
    add("| model | int8 ops | float ops |")
    add("|---|---|---|")
    for group in ("digits", "zoo"):
        for name, row in results.get(group, {}).items():
            ints, floats = fallback_text(row["fallback"])
            add(f"| {name} | {ints} | {floats} |")
    add("")
    notes = [(f"{group}/{name}", key, cell["why"]) for group in ("digits", "zoo")
             for name, row in results.get(group, {}).items()
             for key, cell in [*row["int8"].items(), *((f"FX {e}", c) for e, c in row["fx"].items())]
             if not isinstance(cell["value"], dict)]
    if notes:
        add("## Cells without a figure\n")
        grouped = {}
        for where, key, why in notes:
            entry = grouped.setdefault(why, ([], []))
            for item, names in ((key.split("/")[0], entry[0]), (where, entry[1])):
                if item not in names:
                    names.append(item)
        for why, (keys, wheres) in grouped.items():
            add(f"- {', '.join(f'`{k}`' for k in keys)} on {', '.join(wheres)}: {why}")
        add("")
    add("## Timings\n")
    add("| part | wall (s) | quantc int8 compile (s, per variant, min-max) |")
    add("|---|---|---|")
    for group in ("digits", "zoo"):
        for name, row in results.get(group, {}).items():
            times = [c["compile_s"] for c in row["int8"].values() if "compile_s" in c]
            span = f"{min(times):.1f}-{max(times):.1f}" if times else "-"
            add(f"| {group} {name} | {row['wall_s']:.0f} | {span} |")
    add("")
    add("## Observations from this run\n")
    lines.extend(observations(results, methods))
    add("")
    add(DISCUSSION)
    Path(path).write_text("\n".join(lines) + "\n")


def _value(cell, metric):
    return cell["value"][metric] if isinstance(cell["value"], dict) else None


def observations(results, methods):
    """Bullets computed from the results (so they stay true on a rerun)."""
    out = []
    for name, row in results.get("digits", {}).items():
        base = row["fp32_torch"]
        default = _value(row["default"], "top1")
        if default is None:
            out.append(f"- digits `{name}`: the default-flags int8 model did not build ({row['default']['value']}).")
            continue
        verdict = "meets" if default >= base - GOAL_POINTS else "**misses**"
        out.append(f"- digits `{name}`: default flags give {default:.2f}% against {base:.2f}% fp32 "
                   f"({default - base:+.2f} points), which {verdict} the {GOAL_POINTS}-point goal; logit SQNR "
                   f"{_value(row['default'], 'sqnr_db'):.1f} dB against {_sqnr_text(row['fx']['onednn'])} for "
                   "FX onednn.")
    for group in ("digits", "zoo"):
        for name, row in results.get(group, {}).items():
            for granularity in GRANULARITIES:
                scored = [(m, _value(row["int8"][f"{m}/{granularity}"], "sqnr_db")) for m in methods]
                scored = [(m, v) for m, v in scored if v is not None]
                if len(scored) > 1:
                    best = max(scored, key=lambda item: item[1])
                    worst = min(scored, key=lambda item: item[1])
                    out.append(f"- {group} `{name}`, {granularity} weights: best method by SQNR `{best[0]}` "
                               f"({best[1]:.1f} dB), worst `{worst[0]}` ({worst[1]:.1f} dB).")
            channel = _value(row["int8"].get("minmax/per-channel", {"value": None}), "sqnr_db")
            tensor = _value(row["int8"].get("minmax/per-tensor", {"value": None}), "sqnr_db")
            if channel is not None and tensor is not None:
                out.append(f"- {group} `{name}`: per-tensor weights cost {channel - tensor:.1f} dB of SQNR "
                           "against per-channel (minmax).")
    return out


def _sqnr_text(cell):
    value = _value(cell, "sqnr_db")
    return f"{value:.1f} dB" if value is not None else str(cell["value"])


def _num(value):
    return f"{value:.2f}" if isinstance(value, float) else str(value)


DISCUSSION = """## Discussion

How to read the tables, and what explains the differences (written from the
compiler's design and the `--emit mlir` listings above, not from one run's
numbers):

- **Schemes.** quantc quantizes activations asymmetrically per tensor (int8,
  zero point) and weights symmetrically to [-127, 127], per output channel by
  default (`docs/quantization.md`). FX onednn uses the same weight scheme per
  channel, FX qnnpack per tensor; both FX engines quantize activations to
  quint8 with a HistogramObserver that searches for the range minimizing the
  L2 quantization error, which is what `minmax` does not do. The closest
  quantc counterpart of the FX activation observer is the `mse` method.
- **Where the digits models lose.** The models are small and the
  activations well scaled ([0, 1] inputs), so top-1 barely moves; the logit
  SQNR shows the quantization noise itself. An all-integer MLP has one
  rounding per layer; the residual CNN adds the requantization of the
  residual add; MobileNet adds the float round trips described next.
- **Float fallback.** ReLU6 (ONNX `Clip(0, 6)`) is fused into the
  preceding convolution, fully connected layer or add as a `relu6`
  activation: the int8 result is calibrated on the clipped tensor and the
  requantization clamps at the code of 6.0, so no codes are spent on values
  ReLU6 discards. Global average pooling (and, in mobilenet_v2, the final
  add feeding it) still runs in float between dequantize and quantize; the
  table above lists what stays in float per model. An integer average pool
  would remove that round trip.
- **Per-tensor weights** use one scale for all output channels, so every
  channel whose weights span a smaller range than the largest one loses
  resolution; how much depends on how unequal the channels are (BatchNorm
  folding multiplies each channel by its own gamma / sigma, which spreads
  them). The "per-tensor weights cost" observations quantify it per model.
- **Zoo figures** use random weights and N(0, 1) inputs with 8 calibration
  samples: they compare methods and engines on the same footing but are not
  the accuracy a trained network reaches; a deep random network accumulates
  quantization noise layer after layer, so its SQNR says little about the
  top-1 a trained one would keep.
- **PyTorch's qnnpack kernels and ReLU6.** In this PyTorch build (1.13) the
  qnnpack FX model of a network with a ReLU6 after a convolution is broken:
  the qnnpack convolution returns a channels-last quint8 tensor and the
  quantized ReLU6 that follows reads its memory as if it were contiguous
  (`relu6(c)` differs from `relu6(c.contiguous())`), scrambling every
  activation. The tables mark such a cell with the figure of the same FX
  model simulated in float (`convert_to_reference_fx`: identical
  quantization parameters, float arithmetic between quantize/dequantize),
  which is what qnnpack's quantization would give without the kernel bug.
- **FX and the transformer.** FX's symbolic tracer treats every `torch.nn`
  module as a leaf, so `nn.TransformerEncoder` is one opaque call and the
  default qconfig mapping quantizes nothing in it; FX PTQ of that model
  would need a custom tracer or rewritten layers, so its cells are "n/a"
  rather than a float model's SQNR.
- **Granularity in FX.** The FX column is not a free choice of granularity:
  onednn's default is per-channel, qnnpack's per-tensor, so each sits next to
  the matching quantc row. FX also fuses conv-BN-ReLU before observing, as
  quantc folds BatchNormalization into the convolution.
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="work directory (models, libraries, results.json)")
    parser.add_argument("--quantc", default=os.environ.get("QUANTC_BIN", str(REPO_ROOT / "build" / "bin" / "quantc")))
    parser.add_argument("--zoo", help="zoo directory (bench/zoo/export_zoo.py --out); omit to skip the zoo")
    parser.add_argument("--zoo-models", default=",".join(ZOO_MODELS))
    parser.add_argument("--digits-models", default=",".join(models.MODELS))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--doc", default=str(REPO_ROOT / "docs" / "accuracy.md"))
    parser.add_argument("--render", action="store_true",
                        help="only rewrite --doc from OUT/results.json of an earlier run (its command is kept)")
    args = parser.parse_args(argv)
    if args.render:
        saved = json.loads((Path(args.out) / "results.json").read_text())
        write_doc(args.doc, saved["results"], saved["meta"])
        print(f"wrote {args.doc} from {Path(args.out) / 'results.json'}")
        return 0
    args.methods = [m for m in args.methods.split(",") if m]
    if not Path(args.quantc).exists():
        parser.error(f"quantc binary {args.quantc} does not exist (pass --quantc)")
    digits_names = [m for m in args.digits_models.split(",") if m]
    unknown = [m for m in digits_names if m not in models.MODELS]
    if unknown:
        parser.error(f"unknown digits model(s) {unknown}; choose from {list(models.MODELS)}")
    zoo_names = [m for m in args.zoo_models.split(",") if m] if args.zoo else []

    torch.set_num_threads(1)
    start = time.perf_counter()
    # Every cell comes from one compiler: a snapshot of the binary, taken
    # before anything runs (the source tree may relink it meanwhile).
    tree = compiler_tree(args.quantc)
    snapshot = Path(args.out) / "bin" / "quantc"
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(19):
        try:
            shutil.copy2(args.quantc, snapshot)
            if subprocess.run([str(snapshot), "compile", "--help"], capture_output=True).returncode == 0:
                break
        except OSError:
            pass
        if attempt == 18:
            parser.error(f"{args.quantc} does not run (compile --help failed)")
        time.sleep(10)
    source_binary, args.quantc = args.quantc, str(snapshot)
    runner = Runner(args)
    results = {"digits": {}, "zoo": {}}
    for name in digits_names:
        print(f"[digits] {name}", flush=True)
        results["digits"][name] = runner.digits(name)
    digits_s = time.perf_counter() - start
    for name in zoo_names:
        print(f"[zoo] {name}", flush=True)
        results["zoo"][name] = runner.zoo(Path(args.zoo), name)
    meta = {
        "command": "/usr/bin/python3 bench/accuracy/run.py " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:])),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "quantc": source_binary,
        "quantc_tree": tree,
        "methods": args.methods,
        "wall_s": time.perf_counter() - start,
        "digits_s": digits_s,
    }
    if zoo_names:
        meta["zoo_s"] = meta["wall_s"] - digits_s
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    write_doc(args.doc, results, meta)
    print(f"wrote {args.doc} and {Path(args.out) / 'results.json'} in {meta['wall_s']:.0f} s")
    for name, row in results["digits"].items():
        value = row["default"]["value"]
        if isinstance(value, dict):
            print(f"  {name}: fp32 {row['fp32_torch']:.2f}, int8 default {value['top1']:.2f} "
                  f"({value['top1'] - row['fp32_torch']:+.2f})")
    if runner.errors:
        print(f"{len(runner.errors)} compile error(s), see above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
