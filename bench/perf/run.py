"""The speed benchmark: machine peaks, kernels and whole models, one thread.
Writes OUT/results.json and the document (docs/benchmarks.md).

    bench/run.sh [--quick]                      (builds, pins, then runs this)
    .venv/bin/python bench/perf/run.py --bin-dir DIR --quantc QUANTC --out DIR
        [--quick] [--sections machine,kernels,models] [--doc docs/benchmarks.md]
    .venv/bin/python bench/perf/run.py --out DIR --render   (document only)

Run it pinned to one core (run.sh uses taskset -c 0); it refuses to run on
more than one CPU unless --any-cpu is given."""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import kernels  # noqa: E402
import machine  # noqa: E402
import report  # noqa: E402
import wholemodels  # noqa: E402

SECTIONS = ["machine", "kernels", "models"]
MODEL_SECONDS = {"full": 20.0, "quick": 0.0}  # per model, on top of MIN_RUNS rounds


def log(message):
    print(message, flush=True)


def command_output(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def software(quantc_binary, cache):
    import numpy
    import onnxruntime
    import torch

    def deb(package):
        return command_output(["dpkg-query", "-W", "-f=${Version}", package])

    git = ["git", "-C", str(common.REPO_ROOT)]
    dirty = command_output(git + ["status", "--porcelain", "--", "lib", "include", "tools"])
    return {
        "quantc": f"{command_output(git + ['rev-parse', '--short', 'HEAD'])}"
                  f"{' + uncommitted changes in lib/include/tools' if dirty else ''}, binary sha256 "
                  f"{cache.binary_hash[:12]} ({quantc_binary})",
        "clang": command_output(["clang-22", "--version"]).splitlines()[0],
        "oneDNN": deb("libdnnl-dev"),
        "XNNPACK": deb("libxnnpack-dev"),
        "onnxruntime": onnxruntime.__version__,
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="work directory (models, compile cache, results.json)")
    ap.add_argument("--bin-dir", help="where bench/run.sh built peak, peers and qcrun")
    ap.add_argument("--quantc", help="the quantc binary (a copy: a rebuild must not change it mid-run)")
    ap.add_argument("--quick", action="store_true", help="fewer shapes and models, minimum runs")
    ap.add_argument("--sections", default=",".join(SECTIONS))
    ap.add_argument("--doc", default=str(common.REPO_ROOT / "docs" / "benchmarks.md"))
    ap.add_argument("--command", default="bench/run.sh", help="the command line the document names")
    ap.add_argument("--render", action="store_true", help="only write the document from OUT/results.json")
    ap.add_argument("--any-cpu", action="store_true", help="do not insist on running pinned to one CPU")
    args = ap.parse_args(argv)
    out = Path(args.out)
    results_path = out / "results.json"

    if args.render:
        results = json.loads(results_path.read_text())
    else:
        if not args.bin_dir or not args.quantc:
            ap.error("--bin-dir and --quantc are needed to run the benchmark")
        if len(os.sched_getaffinity(0)) != 1 and not args.any_cpu:
            ap.error(f"not pinned to one CPU (affinity {sorted(os.sched_getaffinity(0))}): "
                     "run through bench/run.sh or taskset -c 0")
        sections = [s for s in args.sections.split(",") if s]
        unknown = set(sections) - set(SECTIONS)
        if unknown:
            ap.error(f"unknown sections: {', '.join(sorted(unknown))}")
        mode = "quick" if args.quick else "full"
        bin_dir = Path(args.bin_dir)
        cache = common.QuantcCache(args.quantc, out / "cache")
        started = time.time()
        results = {
            "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "command": args.command,
            "mode": mode,
            "cpu": sorted(os.sched_getaffinity(0)),
            "load_before": os.getloadavg(),
            "software": software(args.quantc, cache),
            "machine": machine.cpuinfo(),
        }
        log(f"machine: {results['machine']['model']}, {results['machine']['cpus']} CPUs, "
            f"pinned to {results['cpu']}")
        # The peaks are measured whatever the sections: every percentage needs them.
        results["peaks"], results["clock_ghz"] = machine.peaks(bin_dir / "peak")
        for name, row in results["peaks"].items():
            log(f"  {name:<12} " + (f"{row['gmacs']:7.1f} GMAC/s" if "gmacs" in row else row["na"]))
        if "kernels" in sections:
            log("kernels:")
            cases = kernels.QUICK if args.quick else kernels.FULL
            results["kernels"] = kernels.run(cases, cache, bin_dir, out, log)
        if "models" in sections:
            log("models:")
            names = wholemodels.QUICK if args.quick else wholemodels.FULL
            results["models"] = wholemodels.run(names, cache, out, MODEL_SECONDS[mode], log)
        results["load_after"] = os.getloadavg()
        results["wall_s"] = round(time.time() - started, 1)
        results_path.write_text(json.dumps(results, indent=1))
        log(f"wrote {results_path} ({results['wall_s']} s)")

    Path(args.doc).write_text(report.render(results))
    log(f"wrote {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
