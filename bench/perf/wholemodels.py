"""Whole-model section: batch 1, one thread, every engine in one process
pinned to one core, runs interleaved round-robin. Each run is timed in CPU
time of the calling thread (every engine runs on it: ORT with one intra-op
thread, PyTorch with one thread, quantc's code) and in wall time.

Models come from bench/zoo/export_zoo.py (torchvision with random weights and
BatchNorm statistics re-estimated, opset 13), plus the zoo's 4-layer encoder
at sequence length 128. Every int8 engine is calibrated on the same
NAME.calib.npy samples; SQNRs are measured on the held-out NAME.input.npy
against PyTorch's fp32 output NAME.expected.npy."""

import gc
import logging
import os
import time
from pathlib import Path

import numpy as np
import torch

import common
import export_zoo

CALIBRATION_SAMPLES = 16
MIN_RUNS = 20
MAX_RUNS = 200
WARMUP_RUNS = 3

SEQ128 = "transformer_encoder_s128"
export_zoo.MODELS.setdefault(SEQ128, (export_zoo.TransformerEncoderModel, (1, 128, 256)))

FULL = ["resnet18", "resnet50", "mobilenet_v2", SEQ128]
QUICK = ["mobilenet_v2", SEQ128]
TITLES = {"resnet18": "ResNet-18", "resnet50": "ResNet-50", "mobilenet_v2": "MobileNetV2",
          SEQ128: "Encoder, seq 128"}

ENGINES = ["quantc_fp32", "quantc_int8", "ort_fp32", "ort_int8", "torch_onednn", "torch_qnnpack"]
INT8 = {"quantc_int8", "ort_int8", "torch_onednn", "torch_qnnpack"}


def export(name, zoo_dir):
    paths = export_zoo.paths(str(zoo_dir), name)
    fresh = all(os.path.exists(p) for p in paths.values()) and \
        len(np.load(paths["calib"], mmap_mode="r")) == CALIBRATION_SAMPLES
    if not fresh:
        export_zoo.export_one(name, str(zoo_dir), CALIBRATION_SAMPLES)
    return paths


def ort_session(path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # not the unused-initializer warnings of every exported model
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def ort_quantize(model, calib, out_dir):
    """onnxruntime.quantization.quantize_static: QDQ, QUInt8 activations,
    QInt8 per-channel weights, its default MinMax calibration on calib."""
    import onnxruntime
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    key = common.file_hash(Path(model), Path(calib), onnxruntime.__version__, "qdq-u8s8-per-channel")[:24]
    out = Path(out_dir) / f"{key}.onnx"
    if out.exists():
        return out, None
    samples = np.load(calib)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter(samples)

        def get_next(self):
            sample = next(self.it, None)
            return None if sample is None else {"input": sample[None].astype(np.float32)}

    start = time.perf_counter()
    tmp = out.with_suffix(".tmp.onnx")
    onnxruntime.set_default_logger_severity(3)
    logging.disable(logging.WARNING)  # its advice to run its pre-processing first
    try:
        quantize_static(str(model), str(tmp), Reader(), quant_format=QuantFormat.QDQ,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=True)
    finally:
        logging.disable(logging.NOTSET)
    tmp.rename(out)
    return out, round(time.perf_counter() - start, 2)


def build_engines(name, paths, cache, work_dir, log):
    """{engine: (callable returning the output, info dict)}; engines that
    cannot be built get an info dict with "error" (or "na") and no callable."""
    x = np.load(paths["input"])
    engines = {}

    def add(engine, builder):
        start = time.perf_counter()
        try:
            fn, info = builder()
            info.setdefault("setup_s", round(time.perf_counter() - start, 2))
            engines[engine] = (fn, info)
        except common.accuracy.Unsupported as why:
            engines[engine] = (None, {"na": str(why)})
        except Exception as err:  # noqa: BLE001 -- shown in the document
            message = str(err).strip().splitlines()
            engines[engine] = (None, {"error": (message[-1] if message else type(err).__name__)[:300]})
        info = engines[engine][1]
        if engines[engine][0] is None:
            log(f"  {engine:<14} unavailable: {info.get('error') or info.get('na')}")
        else:
            log(f"  {engine:<14} ready ({'cached' if info.get('cached') else str(info['setup_s']) + ' s'})")

    def quantc_engine(flags, calibration=None):
        def build():
            lib, compile_s, cached = cache.compile(paths["onnx"], flags, calibration=calibration)
            model = common.QuantcModel(lib)
            model.set_inputs(x)
            return model.run, {"setup_s": compile_s, "cached": cached}
        return build

    def ort_engine(int8):
        def build():
            info = {}
            model = paths["onnx"]
            if int8:
                model, seconds = ort_quantize(model, paths["calib"], Path(work_dir) / "ort")
                info = {"setup_s": seconds, "cached": seconds is None}
            session = ort_session(model)
            feeds = {session.get_inputs()[0].name: x}
            return (lambda: session.run(None, feeds)[0]), info
        return build

    def torch_engine(engine):
        def build():
            module = common.accuracy.rebuild_zoo_model(export_zoo, name)
            kernels, _ = common.accuracy.fx_ptq(module, engine, np.load(paths["calib"]), x.shape)
            xt = torch.from_numpy(x)

            def run():
                torch.backends.quantized.engine = engine
                with torch.no_grad():
                    return kernels(xt).numpy()
            return run, {}
        return build

    add("quantc_fp32", quantc_engine(["--precision", "fp32"]))
    add("quantc_int8", quantc_engine([], calibration=paths["calib"]))
    add("ort_fp32", ort_engine(False))
    add("ort_int8", ort_engine(True))
    add("torch_onednn", torch_engine("onednn"))
    add("torch_qnnpack", torch_engine("qnnpack"))
    return engines


def measure(engines, min_seconds):
    """Warm-up, then rounds over the engines (the order rotates each round)
    until MIN_RUNS rounds and min_seconds have passed, or MAX_RUNS rounds."""
    live = [e for e, (fn, _) in engines.items() if fn is not None]
    for engine in live:
        for _ in range(WARMUP_RUNS):
            engines[engine][0]()
    times = {e: ([], []) for e in live}  # (thread CPU seconds, wall seconds) per run
    gc.collect()
    gc.disable()
    start = time.perf_counter()
    rounds = 0
    try:
        while rounds < MAX_RUNS and (rounds < MIN_RUNS or time.perf_counter() - start < min_seconds):
            shift = rounds % len(live) if live else 0
            for engine in live[shift:] + live[:shift]:
                wall, cpu = time.perf_counter(), time.thread_time()
                engines[engine][0]()
                times[engine][0].append(time.thread_time() - cpu)
                times[engine][1].append(time.perf_counter() - wall)
            rounds += 1
    finally:
        gc.enable()
    return times, rounds, time.perf_counter() - start


def run(names, cache, work_dir, min_seconds, log):
    torch.set_num_threads(1)
    zoo_dir = Path(work_dir) / "zoo"
    zoo_dir.mkdir(parents=True, exist_ok=True)
    (Path(work_dir) / "ort").mkdir(parents=True, exist_ok=True)
    results = {}
    for name in names:
        log(f"[{name}]")
        start = time.perf_counter()
        paths = export(name, zoo_dir)
        expected = np.load(paths["expected"])
        engines = build_engines(name, paths, cache, work_dir, log)
        row = {"title": TITLES.get(name, name), "engines": {}}
        for engine, (fn, info) in engines.items():
            if fn is not None:
                info["sqnr_db"] = common.sqnr_db(np.asarray(fn()), expected)
            row["engines"][engine] = info
        times, rounds, seconds = measure(engines, min_seconds)
        for engine, (cpu, wall) in times.items():
            info = row["engines"][engine]
            info.update(median_ms=1e3 * common.median(cpu), min_ms=1e3 * min(cpu),
                        wall_median_ms=1e3 * common.median(wall), runs=len(cpu))
            log(f"  {engine:<14} {info['median_ms']:9.2f} ms (wall {info['wall_median_ms']:9.2f} ms)  "
                f"SQNR {info['sqnr_db']:6.1f} dB")
        row.update(rounds=rounds, timed_s=round(seconds, 1), wall_s=round(time.perf_counter() - start, 1),
                   calibration_samples=CALIBRATION_SAMPLES, input_shape=list(np.load(paths["input"]).shape))
        results[name] = row
    return results
