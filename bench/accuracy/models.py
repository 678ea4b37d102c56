"""The three digits models of the accuracy table (docs/accuracy.md), trained
deterministically on sklearn's digits data and exported to ONNX:

    cnn        conv-BN-ReLU stem, a residual block (conv-BN-ReLU, conv-BN,
               add the block input, ReLU), a strided conv-BN-ReLU, global
               average pool, linear
    mlp        the MLP of test/e2e/digits_model.py (64-32-10, ReLU)
    mobilenet  MobileNet-style: a conv-BN-ReLU6 stem and depthwise-separable
               blocks (depthwise 3x3 conv with groups=C, BN, ReLU6, then a
               pointwise 1x1 conv, BN, ReLU6), average pool, linear

Data, split and calibration set are test/e2e/digits_model.py's: 8x8 images
scaled to [0, 1], every 5th sample held out (360 test, 1437 train), the
calibration set is the first 200 training samples. Training is seeded and
single-threaded, so the weights are reproducible.

    /usr/bin/python3 bench/accuracy/models.py OUTDIR [cnn mlp mobilenet]
"""

import hashlib
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
from torch import nn

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "test" / "e2e"))

import digits_model  # noqa: E402

SEED = digits_model.SEED
CALIBRATION_SIZE = digits_model.CALIBRATION_SIZE
INPUT_SHAPE = digits_model.INPUT_SHAPE
BATCH = digits_model.BATCH

# The ops quantc imports that these exports may contain.
SUPPORTED_OPS = {
    "Conv", "BatchNormalization", "Relu", "Clip", "Add", "GlobalAveragePool", "AveragePool",
    "Gemm", "MatMul", "Flatten", "Reshape", "Constant",
}


def conv_bn(cin, cout, kernel=3, stride=1, groups=1):
    return [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]


class ResidualCNN(nn.Module):
    """8x8x1 -> 8x8x16 (stem) -> residual block -> 4x4x32 -> pool -> 10."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn(1, 16), nn.ReLU())
        self.block = nn.Sequential(*conv_bn(16, 16), nn.ReLU(), *conv_bn(16, 16))
        self.relu = nn.ReLU()
        self.down = nn.Sequential(*conv_bn(16, 32, stride=2), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.stem(x)
        x = self.relu(self.block(x) + x)
        return self.fc(self.flatten(self.pool(self.down(x))))


def separable(cin, cout, stride):
    """Depthwise 3x3 (groups=cin) then pointwise 1x1, each with BN and ReLU6."""
    return [*conv_bn(cin, cin, 3, stride, groups=cin), nn.ReLU6(), *conv_bn(cin, cout, 1), nn.ReLU6()]


def make_mobilenet():
    return nn.Sequential(
        *conv_bn(1, 16), nn.ReLU6(),
        *separable(16, 32, 1),
        *separable(32, 64, 2),
        *separable(64, 64, 1),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(64, 10),
    )


# name -> (constructor, epochs, learning rate). The MLP's are digits_model's.
MODELS = {
    "cnn": (ResidualCNN, 20, 3e-3),
    "mlp": (digits_model.make_model, digits_model.EPOCHS, 3e-3),
    "mobilenet": (make_mobilenet, 25, 3e-3),
}


def train(name, train_x, train_y):
    """Adam with digits_model's seeding, batching and shuffling."""
    make, epochs, lr = MODELS[name]
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    model = make()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    x = torch.from_numpy(train_x)
    y = torch.from_numpy(train_y)
    shuffle = torch.Generator().manual_seed(SEED)
    model.train()
    for _ in range(epochs):
        for idx in torch.randperm(len(x), generator=shuffle).split(BATCH):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
    model.eval()
    return model


def export(model, path):
    """A static batch-1 opset-13 ONNX model. BatchNormalization stays a node
    (training=PRESERVE on an eval model keeps torch from folding it into the
    conv), so quantc's own folding is what gets exercised."""
    with warnings.catch_warnings():
        # PRESERVE + constant folding warns even for a model in eval mode.
        warnings.simplefilter("ignore", UserWarning)
        torch.onnx.export(
            model,
            torch.zeros(INPUT_SHAPE),
            str(path),
            opset_version=13,
            input_names=["input"],
            output_names=["logits"],
            do_constant_folding=True,
            training=torch.onnx.TrainingMode.PRESERVE,
        )
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    ops = {node.op_type for node in proto.graph.node}
    if not ops <= SUPPORTED_OPS:
        raise RuntimeError(f"{path}: exported graph uses unsupported ops {sorted(ops - SUPPORTED_OPS)}")
    return sorted(ops)


def _fingerprint(name):
    """Changes when the model definition, the training recipe or the data
    code change, so a stale cache is rebuilt."""
    source = Path(__file__).read_bytes() + Path(digits_model.__file__).read_bytes()
    return hashlib.sha256(source + name.encode() + torch.__version__.encode()).hexdigest()[:16]


def build(name, outdir):
    """Trains (or reuses from outdir/NAME/) and exports one model. Returns a
    dict: model (the torch module, eval mode), onnx, calib, test_x, test_y
    paths, float_accuracy (percent, PyTorch, held-out set), ops (ONNX op
    types), train_s (training seconds, 0 when cached)."""
    import time

    outdir = Path(outdir) / name
    outdir.mkdir(parents=True, exist_ok=True)
    files = {
        "onnx": outdir / "model.onnx",
        "state": outdir / "model.pt",
        "calib": outdir / "calib.npy",
        "test_x": outdir / "test_x.npy",
        "test_y": outdir / "test_y.npy",
        "meta": outdir / "meta.json",
    }
    model = MODELS[name][0]()
    fingerprint = _fingerprint(name)
    if all(p.exists() for p in files.values()):
        meta = json.loads(files["meta"].read_text())
        if meta.get("fingerprint") == fingerprint:
            model.load_state_dict(torch.load(files["state"]))
            model.eval()
            return {**files, **meta, "model": model, "train_s": 0.0}
    train_x, train_y, test_x, test_y = digits_model.load_data()
    start = time.perf_counter()
    model = train(name, train_x, train_y)
    train_s = time.perf_counter() - start
    ops = export(model, files["onnx"])
    torch.save(model.state_dict(), files["state"])
    np.save(files["calib"], train_x[:CALIBRATION_SIZE])
    np.save(files["test_x"], test_x)
    np.save(files["test_y"], test_y)
    logits = digits_model.float_logits(model, test_x)
    meta = {
        "fingerprint": fingerprint,
        "float_accuracy": digits_model.accuracy(logits, test_y),
        "ops": ops,
        "train_s_when_built": round(train_s, 2),
    }
    files["meta"].write_text(json.dumps(meta, indent=2) + "\n")
    return {**files, **meta, "model": model, "train_s": train_s}


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for model_name in sys.argv[2:] or list(MODELS):
        built = build(model_name, sys.argv[1])
        print(f"{model_name}: float test accuracy {built['float_accuracy']:.2f}%, "
              f"trained in {built['train_s']:.1f} s, ops {built['ops']}")
