"""Weight clustering (--weight-clusters K) end to end, on the digits MLP and
a small CNN: the clustered weights read back from the emitted MLIR have at
most K distinct values per tensor/channel, k-means is no worse than uniform
quantization with K levels, the compiled model computes what PyTorch
computes with those weights, and the object file shrinks."""

import subprocess

import numpy as np
import onnx
import pytest
import torch
from onnx import numpy_helper

import digits_model
from clustering_util import groups, read_lookups, uniform_sse
from e2e_util import quantc, run_model

CASES = [(16, "tensor"), (16, "channel"), (32, "channel"), (64, "tensor"), (256, "tensor")]


def initializers(path):
    model = onnx.load(str(path))
    return model, {t.name: numpy_helper.to_array(t).astype(np.float32) for t in model.graph.initializer}


def clustered_weights(path, lookups):
    """The model's weight initializers with every clustered one replaced by
    its reconstruction; which names were replaced. Weights are matched to
    lookups by shape (unique among the weights of the models here)."""
    model, weights = initializers(path)
    names = [n.input[1] for n in model.graph.node if n.op_type in ("Conv", "Gemm")]
    shapes = [weights[n].shape for n in names]
    assert len(set(shapes)) == len(shapes)
    replaced = []
    for lookup in lookups:
        name = names[shapes.index(lookup.shape)]
        weights[name] = lookup.weight()
        replaced.append(name)
    return model, weights, replaced


def torch_forward(model, weights, x):
    """Runs the Conv/BatchNorm-free graphs exported below (Flatten, Gemm,
    Conv, Relu, MaxPool) with torch, with the given weights."""
    values = {model.graph.input[0].name: torch.from_numpy(x)}
    for node in model.graph.node:
        args = [values[i] if i in values else torch.from_numpy(weights[i]) for i in node.input]
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Gemm":
            assert attrs.get("transB") == 1
            y = torch.nn.functional.linear(args[0], args[1], args[2])
        elif node.op_type == "Conv":
            y = torch.nn.functional.conv2d(args[0], args[1], args[2], padding=attrs["pads"][:2])
        elif node.op_type == "Relu":
            y = torch.relu(args[0])
        elif node.op_type == "MaxPool":
            y = torch.nn.functional.max_pool2d(args[0], attrs["kernel_shape"])
        elif node.op_type == "Flatten":
            y = torch.flatten(args[0], 1)
        else:
            raise AssertionError(f"unexpected op {node.op_type}")
        values[node.output[0]] = y
    return values[model.graph.output[0].name].numpy()


def make_cnn(path):
    """A small conv + BN + ReLU network with seeded random weights and
    BatchNorm statistics, exported in eval mode (BN folds into the convs)."""
    torch.manual_seed(1)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(256, 10),
    )  # fmt: skip
    for bn in (net[1], net[4]):
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 2.0)
        bn.weight.data.uniform_(0.5, 1.5)
    net.eval()
    torch.onnx.export(net, torch.zeros(1, 1, 8, 8), str(path), opset_version=13, input_names=["input"],
                      output_names=["logits"], do_constant_folding=True)  # fmt: skip
    ops = {n.op_type for n in onnx.load(str(path)).graph.node}
    assert "BatchNormalization" not in ops, ops
    return path


def make_odd_mlp(path):
    """An MLP with seeded random weights whose middle weight has an odd
    element count (33 x 33), which packs 4-bit indices with a lone last
    nibble."""
    torch.manual_seed(2)
    net = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(64, 33), torch.nn.ReLU(),
        torch.nn.Linear(33, 33), torch.nn.ReLU(), torch.nn.Linear(33, 10),
    )  # fmt: skip
    torch.onnx.export(net.eval(), torch.zeros(1, 1, 8, 8), str(path), opset_version=13, input_names=["input"],
                      output_names=["logits"], do_constant_folding=True)  # fmt: skip
    return path


@pytest.fixture(scope="module")
def models(digits, tmp_path_factory):
    cnn = make_cnn(tmp_path_factory.mktemp("cnn") / "cnn.onnx")
    odd = make_odd_mlp(tmp_path_factory.mktemp("odd") / "odd.onnx")
    return {"mlp": digits["model"], "cnn": cnn, "odd": odd}


@pytest.fixture(scope="module")
def samples(digits):
    return np.load(digits["test_x"])[:60]


@pytest.mark.parametrize("which", ["mlp", "cnn", "odd"])
@pytest.mark.parametrize("k,granularity", CASES)
def test_clustered_model(quantc_bin, models, samples, tmp_path, report, which, k, granularity):
    path = models[which]
    options = dict(precision="fp32", weight_clusters=k, cluster_granularity=granularity)
    mlir = quantc.compile(path, tmp_path / "m.mlir", **options).read_text()
    lookups = read_lookups(mlir)
    model, weights, replaced = clustered_weights(path, lookups)
    _, original = initializers(path)
    assert replaced, "no weight was clustered"
    for lookup, name in zip(lookups, replaced):
        per_channel = granularity == "channel"
        assert lookup.per_channel == per_channel
        # (a) at most K distinct values per tensor / channel; 4-bit indices
        # (half a byte per weight) for K <= 16.
        assert lookup.codebook.shape[-1] <= k
        assert len(lookup.indices) == (lookup.weight().size * lookup.bits + 7) // 8
        assert lookup.bits == (4 if lookup.codebook.shape[-1] <= 16 else 8)
        for rebuilt, source in zip(groups(weights[name], per_channel), groups(original[name], per_channel)):
            assert len(np.unique(rebuilt)) <= k
            # (c) the k-means objective is no worse than K uniform levels.
            sse = float(np.sum((rebuilt.astype(np.float64) - source) ** 2))
            assert sse <= uniform_sse(source, k) * (1 + 1e-6) + 1e-12, name
        assert not np.array_equal(weights[name], original[name]), f"{name} was not changed by clustering"
    # Every weight of at least 1024 elements (min-elements) that clustering
    # makes smaller was clustered.
    for name in {n.input[1] for n in model.graph.node if n.op_type in ("Conv", "Gemm")} - set(replaced):
        w = original[name]
        c = w.shape[0] if granularity == "channel" else 1
        kk = min(k, w.size // c)
        assert w.size < 1024 or (w.size * (4 if kk <= 16 else 8) + 7) // 8 + c * kk * 4 >= w.size * 4, name

    # (b) the compiled model equals PyTorch with the rebuilt weights.
    so = quantc.compile(path, tmp_path / "m.so", **options)
    outputs = run_model(quantc.load(so), samples)[:, 0]
    expected = np.concatenate([torch_forward(model, weights, s[None]) for s in samples])
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())
    report[f"clustering_{which}_k{k}_{granularity}_max_abs_diff"] = float(np.abs(outputs - expected).max())


def text_and_data_size(obj):
    """Bytes in text, data and bss of an object file (`size`)."""
    out = subprocess.run(["size", str(obj)], capture_output=True, text=True, check=True).stdout
    text, data, bss = (int(v) for v in out.splitlines()[1].split()[:3])
    return text + data + bss


def test_object_shrinks(quantc_bin, models, tmp_path, report):
    """4-bit indices make the MLP's object file much smaller than fp32 (the
    weights, 4 bytes each, dominate it) and smaller than with 8-bit ones."""
    fp32 = text_and_data_size(quantc.compile(models["mlp"], tmp_path / "f.o", precision="fp32"))
    k16 = text_and_data_size(
        quantc.compile(models["mlp"], tmp_path / "k16.o", precision="fp32", weight_clusters=16)
    )
    k256 = text_and_data_size(
        quantc.compile(models["mlp"], tmp_path / "k256.o", precision="fp32", weight_clusters=256)
    )
    report["clustering_mlp_object_bytes"] = {"fp32": fp32, "k16": k16, "k256": k256}
    # fp32 holds 4 bytes a weight, K=16 half a byte for the two large
    # layers (plus 64-byte tables), K=256 one byte (plus 1 KiB tables); the
    # 320-weight last layer stays float.
    big = 64 * 64 + 32 * 64
    assert fp32 - k16 >= 3 * big, (fp32, k16)
    assert k256 - k16 >= big // 2 - 2 * 1024, (k256, k16)


def test_rejects_bad_options(quantc_bin, models, tmp_path):
    with pytest.raises(quantc.CompileError, match="between 16 and 256, got 8"):
        quantc.compile(models["mlp"], tmp_path / "x.o", precision="fp32", weight_clusters=8)
    with pytest.raises(quantc.CompileError, match="cannot be combined with int8"):
        quantc.compile(models["mlp"], tmp_path / "x.o", weight_clusters=16)
    with pytest.raises(quantc.CompileError, match="needs --weight-clusters"):
        quantc.compile(models["mlp"], tmp_path / "x.o", precision="fp32", cluster_granularity="channel")


def test_accuracy_kept(quantc_bin, digits, tmp_path, report):
    """256 clusters per tensor keep the digits MLP's accuracy within a point."""
    x, y = np.load(digits["test_x"]), np.load(digits["test_y"])
    so = quantc.compile(digits["model"], tmp_path / "k.so", precision="fp32", weight_clusters=256)
    accuracy = digits_model.accuracy(run_model(quantc.load(so), x), y[:, None])
    report["clustering_mlp_k256_accuracy"] = accuracy
    assert accuracy >= digits["float_accuracy"] - 1.0
