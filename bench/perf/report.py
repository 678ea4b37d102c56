"""Renders results.json (bench/perf/run.py) as docs/benchmarks.md."""

import machine
import wholemodels

ENGINE_TITLES = {
    "quantc_fp32": "quantc fp32", "quantc_int8": "quantc int8", "ort_fp32": "ORT fp32",
    "ort_int8": "ORT int8", "torch_onednn": "PyTorch int8 (onednn)", "torch_qnnpack": "PyTorch int8 (qnnpack)",
}
IMPL_TITLES = {"quantc": "quantc", "dnnl": "oneDNN", "dnnl_vnni": "oneDNN (VNNI only)", "xnnpack": "XNNPACK"}
INT8_TITLES = {"quantc": "quantc int8", "dnnl": "oneDNN u8s8", "dnnl_vnni": "oneDNN u8s8 VNNI only",
               "xnnpack": "XNNPACK qs8"}
FP32_TITLES = {"quantc": "quantc fp32", "dnnl": "oneDNN f32", "xnnpack": "XNNPACK f32"}
PEAK_TITLES = {
    "fma_ymm": "fp32 `vfmadd231ps` ymm", "fma_zmm": "fp32 `vfmadd231ps` zmm",
    "maddwd_ymm": "int16 `vpmaddwd` + `vpaddd` ymm", "maddwd_zmm": "int16 `vpmaddwd` + `vpaddd` zmm",
    "avxvnni_ymm": "int8 `{vex} vpdpbusd` ymm (AVX-VNNI)", "vnni_zmm": "int8 `vpdpbusd` zmm (AVX512-VNNI)",
}


def _ms(value):
    return f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"


def _engine_cell(info, with_sqnr):
    if info is None:
        return "—"
    if "na" in info:
        return "n/a"
    if "error" in info:
        return "error"
    cell = _ms(info["median_ms"])
    return f"{cell} ({info['sqnr_db']:.1f} dB)" if with_sqnr else cell


def _ratio(engines, num, den):
    a, b = engines.get(num, {}), engines.get(den, {})
    if "median_ms" not in a or "median_ms" not in b:
        return "—"
    return f"{a['median_ms'] / b['median_ms']:.2f}×"


def render(r):
    lines = []
    add = lines.append
    m = r["machine"]
    add("# Benchmarks")
    add("")
    add("Speed of quantc's compiled code on one core, beside oneDNN, XNNPACK, ONNX Runtime and PyTorch. "
        "Written by the benchmark itself; times are claimed only here and never asserted in tests.")
    add("")
    add(f"- command: `{r['command']}` ({r['mode']} mode; `bench/run.sh --quick` is the short development run)")
    add(f"- date: {r['date']}; benchmark wall time {r['wall_s'] / 60:.1f} min (compiles included)")
    add(f"- pinned to CPU {','.join(map(str, r['cpu']))} (`taskset`), one thread in every engine; "
        f"load average (1 min) {r['load_before'][0]:.2f} before, {r['load_after'][0]:.2f} after "
        "(other work on the machine's other CPUs shows up here)")
    if max(r["load_before"][0], r["load_after"][0]) > 1.5:
        add("- **the machine was busy during this run** (the benchmark itself accounts for a load of 1): "
            "times are CPU time of the benchmark's thread, so time slices taken by other processes do not "
            "count, but shared caches and memory bandwidth may still make them pessimistic and noisier "
            "than on an idle machine")
    add("")
    add("## Machine")
    add("")
    add(f"- CPU: {m['model']}, {m['cpus']} logical CPUs{' (virtual machine)' if m['hypervisor'] else ''}, "
        f"{', '.join(m['caches'])} (per /sys, cpu0); Linux {m['kernel']}")
    add(f"- ISA features present: {', '.join(m['present'])}")
    add(f"- absent: {', '.join(m['absent']) or 'none of those checked'}")
    if r.get("clock_ghz"):
        add(f"- clock under load: {r['clock_ghz']:.2f} GHz (a chain of dependent adds, bench/peak/peak.c)")
    add("- software: " + "; ".join(f"{k} {v}" for k, v in r["software"].items()))
    add("")
    add("Register-only peaks of one core (`bench/peak/peak.c`, clang-22 -O2: unrolled loops of independent "
        "accumulators on registers, best of ten repetitions in thread CPU time; the CPU's features are detected at run time with "
        "`__builtin_cpu_supports` and a sequence it lacks is reported, never skipped):")
    add("")
    add("| sequence | GMAC/s | MAC/cycle |")
    add("|---|---|---|")
    for name, row in r["peaks"].items():
        title = PEAK_TITLES.get(name, name)
        if "gmacs" in row:
            add(f"| {title} | {row['gmacs']:.1f} | {row['per_cycle']:.1f} |")
        else:
            add(f"| {title} | {row['na']} | |")
    int8_peak_name, int8_peak = machine.reference_peak(r["peaks"], machine.INT8_PEAKS)
    fp32_peak_name, fp32_peak = machine.reference_peak(r["peaks"], machine.FP32_PEAKS)
    add("")
    if "kernels" in r:
        _kernels(r, add, int8_peak_name, int8_peak, fp32_peak_name, fp32_peak)
    if "models" in r:
        _models(r, add)
    if "kernels" in r or "models" in r:
        _goals(r, add, int8_peak)
    return "\n".join(lines) + "\n"


def _kernels(r, add, int8_peak_name, int8_peak, fp32_peak_name, fp32_peak):
    add("## Kernels")
    add("")
    ratios = [c["wall_median_us"] / c["median_us"] for e in r["kernels"].values()
              for p in ("int8", "fp32") for c in e[p].values() if "wall_median_us" in c]
    wall = (f" (wall-clock medians: {100 * (sorted(ratios)[len(ratios) // 2] - 1):.0f} % above it at the median, "
            f"{100 * (max(ratios) - 1):.0f} % at most)") if ratios else ""
    add("One operator, batch 1, one thread. Each figure is the median of at least 20 timed batches "
        "(a batch is as many back-to-back calls as fill 1 ms) after a 0.1 s warm-up "
        f"(`bench/kernels/timing.h`), in CPU time of the calling thread{wall}; GMAC/s counts the multiply-accumulates of the operator "
        "(M·K·N; OH·OW·OC·C/groups·KH·KW), the percentage is of the measured register-only peak: "
        f"int8 against {PEAK_TITLES.get(int8_peak_name, int8_peak_name)} ({int8_peak:.0f} GMAC/s), "
        f"fp32 against {PEAK_TITLES.get(fp32_peak_name, fp32_peak_name)} ({fp32_peak:.0f} GMAC/s).")
    add("")
    add("- **quantc**: `quantc compile` of a one-node ONNX model, timed through "
        "`qc_model_run_with_workspace` (`bench/kernels/qcrun.c`, buffers allocated once). "
        "int8: the operator already quantized, with **uint8 graph input and output** "
        "(`uint8 x → DequantizeLinear → MatMul/Conv → QuantizeLinear → uint8 y`; int8 per-output-channel "
        "weights and int32 bias as DequantizeLinear of initializers; input scale 2/255, zero point 128, "
        "output range from the float operator on 4 uniform [-1, 1) samples), so the compiled function "
        "takes and returns codes and only the kernel is timed; a row marked † could not be compiled that "
        "way and is the float model calibrated on those samples, whose figure includes quantizing the "
        "float input and dequantizing the float output. Conv models are NCHW at the boundary, as ONNX "
        "defines Conv, so quantc's figures include its change to and from channels-last, which the "
        "oneDNN and XNNPACK figures (native layouts) do not. fp32: the float model (MatMul with a constant "
        "weight, no bias; Conv with weight and bias; NCHW), `--precision fp32`.")
    add("- **oneDNN** (`bench/kernels/peers.cpp`): matmul / convolution primitives, layouts chosen by "
        "oneDNN (`format_tag::any`), weights reordered once before timing; int8 is u8 activations × s8 "
        "weights, s32 bias, per-output-channel scales, s8 output (the requantizing layer), fp32 is f32. "
        "On a CPU with AMX oneDNN's int8 runs on the tile unit (`tdpbusd`, outside the `vpdpbusd` peak "
        "the percentages use); the *VNNI only* column is the same primitive with "
        "`ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI`, the instructions quantc's kernel uses.")
    add("- **XNNPACK**: `fully_connected_nc_qs8` (per-tensor weight scale: this XNNPACK has no per-channel "
        "fully connected) and `convolution2d_nhwc_qc8` (per-channel), s8 in/out with zero points; "
        "`*_f32` for fp32; NHWC.")
    add("")
    cells = r["kernels"]
    for precision, titles, peak in (("int8", INT8_TITLES, int8_peak), ("fp32", FP32_TITLES, fp32_peak)):
        add(f"### {precision}")
        add("")
        columns = [i for i in ("quantc", "dnnl", "dnnl_vnni", "xnnpack")
                   if i != "dnnl_vnni" or any(i in e[precision] for e in cells.values())]
        add("| operator | shape | MMAC | quantc µs | " + " | ".join(
            f"{titles[i]} GMAC/s (% peak)" for i in columns) + " |")
        add("|---|---|---|---|" + "---|" * len(columns))
        impls = {}
        for entry in cells.values():
            row = entry[precision]
            out = []
            for impl in columns:
                cell = row.get(impl, {})
                if "gmacs" in cell:
                    mark = " †" if precision == "int8" and cell.get("io") == "float" else ""
                    out.append(f"{cell['gmacs']:.1f} ({100 * cell['gmacs'] / peak:.0f} %){mark}")
                    if impl != "quantc":
                        impls.setdefault(IMPL_TITLES[impl], set()).add(cell["impl"])
                else:
                    out.append("error")
            q = row.get("quantc", {})
            qus = f"{q['median_us']:.0f}" if "median_us" in q else "—"
            add(f"| {entry['case']['label']} | {entry['shape']} | {entry['macs'] / 1e6:.1f} | {qus} | "
                + " | ".join(out) + " |")
        add("")
        add("Implementations the libraries chose: " + "; ".join(
            f"{lib}: {', '.join(sorted(names))}" for lib, names in impls.items()) + ".")
        errors = [(e["shape"], i, c["error"]) for e in cells.values() for i, c in e[precision].items()
                  if "error" in c]
        for shape, impl, message in errors:
            add(f"- {IMPL_TITLES[impl]} {shape}: error: {message}")
        for entry in cells.values():
            if "qdq_error" in entry[precision].get("quantc", {}):
                add(f"- † quantc {entry['shape']}: the uint8-I/O model failed: "
                    f"{entry[precision]['quantc']['qdq_error']}")
        add("")


def _models(r, add):
    models = r["models"]
    any_row = next(iter(models.values()))
    add("## Whole models")
    add("")
    add("Batch 1, one thread, all engines loaded in one process pinned to one core; after "
        f"{wholemodels.WARMUP_RUNS} warm-up runs each, the engines run round-robin (the order rotates every round) "
        f"for at least {wholemodels.MIN_RUNS} rounds"
        + (" and 20 s" if r["mode"] == "full" else "") + f" (at most {wholemodels.MAX_RUNS}); "
        "each cell is the median of the runs in CPU time of the calling thread, which every engine computes "
        "on (the wall-clock median is in the details). Models: torchvision with random weights (BatchNorm statistics re-estimated "
        "on random data), input 1×3×224×224, and the zoo's encoder (4 × `nn.TransformerEncoderLayer`, d = 256, "
        "4 heads, feed-forward 1024, ReLU, post-norm) at input 1×128×256, exported at opset 13 "
        "by `bench/zoo/export_zoo.py`.")
    add("")
    add(f"- calibration: the same {any_row['calibration_samples']} N(0, 1) samples (NAME.calib.npy) for every "
        "int8 engine; beside each int8 time, the output SQNR against PyTorch's fp32 output on a held-out "
        "input (NAME.input.npy, not among the calibration samples).")
    add("- **quantc**: `quantc compile --calibration-data NAME.calib.npy` (default flags: static, minmax, "
        "per-channel int8 weights, int8 activations) and `--precision fp32`; called through "
        "`run_with_workspace` with buffers allocated once (ctypes). Float input and output, as the model has.")
    add("- **ORT** (onnxruntime from PyPI, requirements-bench.txt): `intra_op_num_threads=1`, "
        "`inter_op_num_threads=1`, sequential, default graph optimizations; int8 is the model made by "
        "`onnxruntime.quantization.quantize_static` on the same samples: QDQ, QUInt8 activations, "
        "QInt8 per-channel weights, MinMax.")
    add("- **PyTorch** 1.13 FX post-training quantization (`prepare_fx`/`convert_fx` with the engine's default "
        "qconfig mapping, calibrated on the same samples), `torch.set_num_threads(1)`, engine onednn "
        "(per-channel weights) or qnnpack (per-tensor). n/a: FX quantized nothing.")
    add("- ratios are time / time: above 1, quantc int8 is slower.")
    add("")
    add("| model | " + " | ".join(ENGINE_TITLES[e] for e in wholemodels.ENGINES)
        + " | quantc int8 / ORT int8 | quantc int8 / ORT fp32 |")
    add("|---" * (len(wholemodels.ENGINES) + 3) + "|")
    for name, row in models.items():
        row["title"] = wholemodels.TITLES.get(name, row["title"])
        engines = row["engines"]
        cells = [_engine_cell(engines.get(e), e in wholemodels.INT8) for e in wholemodels.ENGINES]
        add(f"| {row['title']} | " + " | ".join(cells) + f" | {_ratio(engines, 'quantc_int8', 'ort_int8')} | "
            f"{_ratio(engines, 'quantc_int8', 'ort_fp32')} |")
    add("")
    add("Details: median / fastest run, runs, SQNR against PyTorch fp32 (fp32 engines too, as a check), "
        "and the one-time setup (quantc compile, ORT quantize_static, FX prepare+calibrate+convert; "
        "\"cached\" when a previous run's output was reused, with the time it took then).")
    add("")
    add("| model | engine | median | fastest | wall-clock median | runs | SQNR | setup |")
    add("|---|---|---|---|---|---|---|---|")
    notes = []
    for row in models.values():
        for engine in wholemodels.ENGINES:
            info = row["engines"].get(engine)
            if info is None:
                continue
            if "median_ms" not in info:
                why = info.get("na") or info.get("error")
                notes.append(f"- {row['title']}, {ENGINE_TITLES[engine]}: "
                             f"{'n/a' if 'na' in info else 'error'}: {why}")
                continue
            setup = f"{info['setup_s']:.1f} s" if info.get("setup_s") is not None else ""
            setup = f"{setup} (cached)".strip() if info.get("cached") else setup or "—"
            wall = _ms(info["wall_median_ms"]) if "wall_median_ms" in info else "—"
            add(f"| {row['title']} | {ENGINE_TITLES[engine]} | {_ms(info['median_ms'])} | {_ms(info['min_ms'])} | "
                f"{wall} | {info['runs']} | {info['sqnr_db']:.1f} dB | {setup} |")
    add("")
    for line in notes:
        add(line)
    if notes:
        add("")


def _goals(r, add, int8_peak):
    """Issue 9's acceptance figures, read off the tables above."""
    add("## Against issue 9's targets")
    add("")
    add("| target | measured | met |")
    add("|---|---|---|")

    def row(target, value, ok):
        add(f"| {target} | {value} | {'yes' if ok else 'no'} |")

    models = r.get("models", {})
    for name, limit in (("resnet18", 1.0), ("resnet50", 1.0), ("mobilenet_v2", 1.2)):
        e = models.get(name, {}).get("engines", {})
        if "median_ms" in e.get("quantc_int8", {}) and "median_ms" in e.get("ort_int8", {}):
            ratio = e["quantc_int8"]["median_ms"] / e["ort_int8"]["median_ms"]
            row(f"{models[name]['title']} int8 ≤ {limit}× ORT int8", f"{ratio:.2f}×", ratio <= limit)
    vnni = "gmacs" in r["peaks"].get("vnni_zmm", {}) or "gmacs" in r["peaks"].get("avxvnni_ymm", {})
    need = 2.0 if vnni else 1.3
    for name, m in models.items():
        e = m["engines"]
        if "median_ms" in e.get("quantc_int8", {}) and "median_ms" in e.get("ort_fp32", {}):
            speedup = e["ort_fp32"]["median_ms"] / e["quantc_int8"]["median_ms"]
            row(f"{m['title']} int8 ≥ {need}× faster than ORT fp32", f"{speedup:.2f}×", speedup >= need)
    for entry in r.get("kernels", {}).values():
        case, q = entry["case"], entry["int8"].get("quantc", {})
        if case["kind"] != "gemm" or "gmacs" not in q:
            continue
        if case["m"] >= 64:
            pct = 100 * q["gmacs"] / int8_peak
            row(f"int8 GEMM {entry['shape']} ≥ 70 % of peak", f"{pct:.0f} %", pct >= 70)
        elif case["m"] == 1 and "gmacs" in entry["int8"].get("dnnl", {}):
            d = entry["int8"]["dnnl"]["gmacs"]
            row(f"int8 GEMM {entry['shape']} ≥ oneDNN u8s8", f"{q['gmacs']:.1f} vs {d:.1f} GMAC/s",
                q["gmacs"] >= d)
    add("")
