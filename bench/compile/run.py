"""Compile time against graph length: chains of n elementwise layers
(Add, Mul, Relu, Sub with constant operands on a 1x16x8x8 tensor), int8
with calibration on 4 samples and fp32, compiled to an object file by
build/bin/quantc. Writes docs/compile-time.md with the fitted exponent
(time ~ n^e between consecutive sizes).

    /usr/bin/python3 bench/compile/run.py [--sizes 125,250,500,1000] [--quantc PATH]
"""

import argparse
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = Path(__file__).resolve().parents[2]


def chain(n):
    nodes, inits, prev = [], [], "x"
    for i in range(n):
        op = ("Add", "Mul", "Relu", "Sub")[i % 4]
        out = f"t{i}"
        if op == "Relu":
            nodes.append(helper.make_node("Relu", [prev], [out]))
        else:
            c = f"c{i}"
            inits.append(numpy_helper.from_array(np.full((1, 16, 8, 8), 0.5 + 0.001 * i, np.float32), c))
            nodes.append(helper.make_node(op, [prev, c], [out]))
        prev = out
    nodes.append(helper.make_node("Identity", [prev], ["y"]))
    shape = [1, 16, 8, 8]
    graph = helper.make_graph(nodes, f"chain{n}", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="125,250,500,1000")
    ap.add_argument("--quantc", default=str(REPO / "build/bin/quantc"))
    ap.add_argument("--precisions", default="int8,fp32")
    ap.add_argument("--out", default=str(REPO / "docs/compile-time.md"))
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    precisions = args.precisions.split(",")
    rows = {}
    with tempfile.TemporaryDirectory(prefix="qc-compile-") as tmp:
        tmp = Path(tmp)
        calib = tmp / "calib.npy"
        np.save(calib, np.random.default_rng(0).standard_normal((4, 1, 16, 8, 8)).astype(np.float32))
        for n in sizes:
            path = tmp / f"chain{n}.onnx"
            onnx.save(chain(n), str(path))
            for precision in precisions:
                command = [args.quantc, "compile", str(path), "-o", str(tmp / "m.o"), "--emit", "obj",
                           "--precision", precision]
                if precision == "int8":
                    command += ["--calibration-data", str(calib)]
                start = time.perf_counter()
                result = subprocess.run(command, capture_output=True, text=True)
                seconds = time.perf_counter() - start
                if result.returncode != 0:
                    sys.exit(f"{' '.join(command)} failed:\n{result.stderr}")
                rows[(n, precision)] = seconds
                print(f"n={n} {precision}: {seconds:.1f} s", flush=True)
    lines = ["# Compile time against graph length", "",
             f"Made by `/usr/bin/python3 bench/compile/run.py --sizes {args.sizes} --precisions {args.precisions}` on {cpu_model()} "
             f"({os.cpu_count()} CPUs), one compile per point (wall seconds, calibration included for int8). "
             "The exponent e is log(t2/t1)/log(n2/n1) between consecutive sizes: 1 is linear.", "",
             "| layers | " + " | ".join(f"{p} s | e" for p in precisions) + " |",
             "|---|" + "---|---|" * len(precisions)]
    for i, n in enumerate(sizes):
        cells = [str(n)]
        for precision in precisions:
            t = rows[(n, precision)]
            e = ""
            if i:
                p = sizes[i - 1]
                e = f"{math.log(t / rows[(p, precision)]) / math.log(n / p):.2f}"
            cells += [f"{t:.1f}", e]
        lines.append("| " + " | ".join(cells) + " |")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
