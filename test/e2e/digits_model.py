"""A small MLP on the sklearn digits data set, trained deterministically and
exported to ONNX: the model that the end-to-end tests and examples/digits
compile.

    /usr/bin/python3 test/e2e/digits_model.py OUTDIR
"""

import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from sklearn.datasets import load_digits

# Every TEST_STRIDE-th sample of load_digits() (index % TEST_STRIDE == 0, 360
# samples) is held out; the rest trains. An interleaved split mixes the
# writers: holding out the last 360 samples tests on unseen writers and caps
# this MLP near 92%.
TEST_STRIDE = 5
CALIBRATION_SIZE = 200
INPUT_SHAPE = (1, 1, 8, 8)
SEED = 0
EPOCHS = 40
BATCH = 64

# The ops quantc imports; the export must not produce anything else.
SUPPORTED_OPS = {"Gemm", "MatMul", "Add", "Relu", "Flatten", "Reshape"}


def load_data():
    """Returns (train_x, train_y, test_x, test_y); x is float32 of shape
    (N, 1, 8, 8) scaled to [0, 1], y is int64."""
    digits = load_digits()
    x = (digits.data.astype(np.float32) / np.float32(16.0)).reshape(-1, *INPUT_SHAPE[1:])
    y = digits.target.astype(np.int64)
    test = np.arange(len(x)) % TEST_STRIDE == 0
    return x[~test], y[~test], x[test], y[test]


def make_model():
    return torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(64, 64),
        torch.nn.ReLU(),
        torch.nn.Linear(64, 32),
        torch.nn.ReLU(),
        torch.nn.Linear(32, 10),
    )


def train(train_x, train_y):
    # One thread and seeded generators make the weights, and so the
    # committed example model, reproducible.
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    model = make_model()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    x = torch.from_numpy(train_x)
    y = torch.from_numpy(train_y)
    shuffle = torch.Generator().manual_seed(SEED)
    model.train()
    for _ in range(EPOCHS):
        for idx in torch.randperm(len(x), generator=shuffle).split(BATCH):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
    model.eval()
    return model


def export(model, path):
    """Writes a static batch-1 ONNX model and checks it."""
    torch.onnx.export(
        model,
        torch.zeros(INPUT_SHAPE),
        str(path),
        opset_version=13,
        input_names=["input"],
        output_names=["logits"],
        do_constant_folding=True,
    )
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    ops = {node.op_type for node in proto.graph.node}
    if not ops <= SUPPORTED_OPS:
        raise RuntimeError(f"exported graph uses unsupported ops {sorted(ops - SUPPORTED_OPS)}")


def float_logits(model, x):
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy().astype(np.float32)


def accuracy(logits, labels):
    """Top-1 accuracy in percent."""
    return 100.0 * float(np.mean(np.argmax(logits, axis=-1) == labels))


def build(outdir):
    """Trains and exports the model into outdir and returns a dict with the
    paths of what it wrote and the float test accuracy (percent):

    model.onnx, calib.npy (first CALIBRATION_SIZE training samples),
    test_x.npy (float32, (N, 1, 8, 8)), test_y.npy (int64) and
    test_logits.npy (the float torch logits for test_x).
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    train_x, train_y, test_x, test_y = load_data()
    model = train(train_x, train_y)
    logits = float_logits(model, test_x)
    files = {
        "model": outdir / "model.onnx",
        "calib": outdir / "calib.npy",
        "test_x": outdir / "test_x.npy",
        "test_y": outdir / "test_y.npy",
        "test_logits": outdir / "test_logits.npy",
    }
    export(model, files["model"])
    np.save(files["calib"], train_x[:CALIBRATION_SIZE])
    np.save(files["test_x"], test_x)
    np.save(files["test_y"], test_y)
    np.save(files["test_logits"], logits)
    return {**files, "float_accuracy": accuracy(logits, test_y)}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    result = build(sys.argv[1])
    print(f"float test accuracy: {result['float_accuracy']:.2f}%")
