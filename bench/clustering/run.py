#!/usr/bin/python3
"""Weight clustering figures: size and accuracy of k-means clustered
weights (quantc --weight-clusters K --cluster-granularity G, fp32
activations) next to fp32 and uniform int8 (quantc --precision int8,
per-channel weights, min/max calibration).

    /usr/bin/python3 bench/clustering/run.py [--zoo DIR] [--out docs/clustering.md]

Models: the digits MLP (test/e2e/digits_model.py), a small digits CNN
trained here (conv+BN+ReLU x2, max pool, linear; seeded, one thread), and,
with --zoo DIR holding resnet18.{onnx,input.npy,expected.npy,calib.npy}
(bench/zoo/export_zoo.py), resnet18 by output SQNR against PyTorch.

Per configuration: weight bytes (Conv/Gemm weights as stored: indices +
codebooks for clustered ones, 4 bytes a float weight left unclustered, 1
byte an int8 weight), the object file's text+data+bss (`size`), the
workspace the model needs at run time (bytes), and top-1
accuracy on the 360 held-out digits (SQNR in dB for resnet18). Writes the
table into the figures section of --out (between the markers) and prints
it.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "test" / "e2e"))

import digits_model  # noqa: E402
import quantc  # noqa: E402
from clustering_util import read_lookups  # noqa: E402

CLUSTERS = [16, 32, 64, 256]
GRANULARITIES = ["tensor", "channel"]
BEGIN, END = "<!-- clustering-figures:begin -->", "<!-- clustering-figures:end -->"


def train_cnn(train_x, train_y, epochs=6):
    torch.manual_seed(0)
    torch.set_num_threads(1)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.BatchNorm2d(32), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(32 * 4 * 4, 10),
    )  # fmt: skip
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    x, y = torch.from_numpy(train_x), torch.from_numpy(train_y)
    shuffle = torch.Generator().manual_seed(0)
    net.train()
    for _ in range(epochs):
        for idx in torch.randperm(len(x), generator=shuffle).split(64):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x[idx]), y[idx]).backward()
            opt.step()
    net.eval()
    return net


def export(net, path):
    torch.onnx.export(net, torch.zeros(1, 1, 8, 8), str(path), opset_version=13, input_names=["input"],
                      output_names=["logits"], do_constant_folding=True)  # fmt: skip


def weight_elements(path):
    """Element counts of the Conv/Gemm weight initializers."""
    model = onnx.load(str(path))
    inits = {t.name: t for t in model.graph.initializer}
    names = {n.input[1] for n in model.graph.node if n.op_type in ("Conv", "Gemm") and n.input[1] in inits}
    return [int(np.prod(numpy_helper.to_array(inits[n]).shape)) for n in sorted(names)]


def object_size(obj):
    out = subprocess.run(["size", str(obj)], capture_output=True, text=True, check=True).stdout
    return sum(int(v) for v in out.splitlines()[1].split()[:3])


class Bench:
    def __init__(self, path, evaluate, calib, tmp):
        self.path, self.evaluate, self.calib, self.tmp = path, evaluate, calib, Path(tmp)
        # Separate directories: ctypes would reuse a library already loaded
        # from the same path.
        self.tmp.mkdir(parents=True)
        self.elements = weight_elements(path)

    def run(self, label, **options):
        stem = self.tmp / label.replace(" ", "_").replace("=", "")
        start = time.time()
        if options.get("precision") == "int8":
            options["calibration_data"] = self.calib
        quantc.compile(self.path, stem.with_suffix(".o"), **options)
        seconds = time.time() - start
        size = object_size(stem.with_suffix(".o"))
        if "weight_clusters" in options:
            lookups = read_lookups(quantc.compile(self.path, stem.with_suffix(".mlir"), **options).read_text())
            clustered = sum(int(np.prod(l.shape)) for l in lookups)
            stored = sum(l.indices.nbytes + l.codebook.nbytes for l in lookups)
            weight_bytes = stored + 4 * (sum(self.elements) - clustered)
        else:
            weight_bytes = sum(self.elements) * (1 if options.get("precision") == "int8" else 4)
        model = quantc.load(quantc.compile(self.path, stem.with_suffix(".so"), **options))
        return dict(label=label, weight_bytes=weight_bytes, object_bytes=size, metric=self.evaluate(model),
                    workspace=model.signature["workspace_size"], compile_s=seconds)  # fmt: skip

    def table(self):
        rows = [self.run("fp32", precision="fp32"), self.run("int8 (uniform, per-channel)", precision="int8")]
        for g in GRANULARITIES:
            for k in CLUSTERS:
                rows.append(self.run(f"K={k} per {g}", precision="fp32", weight_clusters=k, cluster_granularity=g))
        return rows


def digits_accuracy(x, y):
    def evaluate(model):
        shape = model.inputs[0].shape
        logits = np.stack([model(np.ascontiguousarray(s).reshape(shape)) for s in x])
        return f"{digits_model.accuracy(logits, y[:, None]):.2f}%"

    return evaluate


def sqnr(expected, inp):
    def evaluate(model):
        out = model(inp)
        noise = np.sum((out.astype(np.float64) - expected) ** 2)
        return f"{10 * np.log10(np.sum(expected.astype(np.float64) ** 2) / noise):.1f} dB"

    return evaluate


def markdown(title, rows, metric):
    fp32 = rows[0]
    lines = [f"**{title}**", "",
             f"| weights | weight bytes | vs fp32 | .o size (text+data+bss) | workspace | {metric} |",
             "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in rows:
        ratio = fp32["weight_bytes"] / r["weight_bytes"]
        lines.append(f"| {r['label']} | {r['weight_bytes']:,} | {ratio:.2f}x | {r['object_bytes']:,} "
                     f"| {r['workspace']:,} | {r['metric']} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zoo", type=Path, help="directory with resnet18.onnx etc. (bench/zoo/export_zoo.py)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "clustering.md")
    args = parser.parse_args()
    sections = []
    with tempfile.TemporaryDirectory(prefix="quantc-clustering-") as tmp:
        tmp = Path(tmp)
        built = digits_model.build(tmp / "digits")
        test_x, test_y = np.load(built["test_x"]), np.load(built["test_y"])
        evaluate = digits_accuracy(test_x, test_y)
        mlp = Bench(built["model"], evaluate, built["calib"], tmp / "mlp")
        sections.append(markdown("digits MLP (64-64-32-10, 6,464 weights)", mlp.table(), "top-1 (360 held out)"))
        print(sections[-1], flush=True)

        train_x, train_y, _, _ = digits_model.load_data()
        cnn_path = tmp / "cnn.onnx"
        export(train_cnn(train_x, train_y), cnn_path)
        cnn = Bench(cnn_path, evaluate, built["calib"], tmp / "cnn")
        title = f"digits CNN (conv16-conv32-pool-fc, BN folded, {sum(cnn.elements):,} weights)"
        sections.append(markdown(title, cnn.table(), "top-1 (360 held out)"))
        print(sections[-1], flush=True)

        if args.zoo:
            onnx_path = args.zoo / "resnet18.onnx"
            expected = np.load(args.zoo / "resnet18.expected.npy")
            inp = np.load(args.zoo / "resnet18.input.npy")
            resnet = Bench(onnx_path, sqnr(expected, inp), args.zoo / "resnet18.calib.npy", tmp / "zoo")
            title = f"resnet18 (random init, {sum(resnet.elements):,} weights)"
            sections.append(markdown(title, resnet.table(), "output SQNR vs PyTorch"))
            print(sections[-1], flush=True)

    body = "\n".join(sections)
    text = args.out.read_text() if args.out.exists() else f"{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    args.out.write_text(f"{head}{BEGIN}\n{body}{END}{tail}")


if __name__ == "__main__":
    main()
