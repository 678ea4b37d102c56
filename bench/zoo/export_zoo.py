#!/usr/bin/python3
"""Export a small, deterministic model zoo to ONNX for fp32/int8 testing.

    /usr/bin/python3 bench/zoo/export_zoo.py --out DIR [--models a,b,...]
                                            [--calib-samples N] [--force]

Models (all randomly initialised, weights=None; nothing is downloaded):

    resnet18, resnet50, mobilenet_v2, squeezenet1_1, shufflenet_v2_x1_0
        torchvision, input 1x3x224x224, output 1x1000 logits
    transformer_encoder
        4 x nn.TransformerEncoderLayer(d_model=256, nhead=4,
        dim_feedforward=1024, batch_first=True, dropout=0),
        input 1x32x256, output 1x32x256

Because there are no pretrained weights, the BatchNorm running statistics of
the CNNs are re-estimated on random data (cumulative average over a few
train-mode forward passes) so that activations stay well scaled.

For each model NAME the script writes into DIR:

    NAME.onnx           opset 13, constant-folded, static shapes, input
                        "input", output "output", weights embedded
    NAME.input.npy      one fixed random input (float32, the input shape)
    NAME.expected.npy   PyTorch's float32 output on NAME.input.npy
    NAME.calib.npy      N random calibration samples, float32, shape
                        (N, *input_shape[1:])

A model whose four files already exist is skipped unless --force is given.
Everything is seeded, so reruns produce the same tensors.

Requires torch and torchvision (Debian: python3-torch, python3-torchvision)
and onnx.
"""

import argparse
import os
import sys
import time
import zlib

import numpy as np
import onnx
import torch
import torch.nn as nn
import torchvision

OPSET = 13
SEED = 0
BN_PASSES = 8
BN_BATCH = 8

CNN_INPUT = (1, 3, 224, 224)
TRANSFORMER_INPUT = (1, 32, 256)


class TransformerEncoderModel(nn.Module):
    """4-layer post-norm transformer encoder (ReLU feed-forward, no mask).

    nn.TransformerEncoder deep-copies one layer, so freshly built layers share
    identical weights, and PyTorch's default init leaves LayerNorm at
    gamma=1/beta=0 and the attention biases at 0. The exporter would then
    deduplicate the repeated initializers into Identity nodes, and a compiler
    bug in a bias or LayerNorm affine term could go unnoticed. So every layer
    is re-initialised independently, LayerNorm gets gamma ~ 1 + 0.1 N(0,1),
    beta ~ 0.1 N(0,1), and the attention biases ~ 0.02 N(0,1).
    """

    def __init__(self, d_model=256, nhead=4, dim_feedforward=1024, num_layers=4):
        super().__init__()
        layer = nn.TransformerEncoderLayer(
            d_model=d_model,
            nhead=nhead,
            dim_feedforward=dim_feedforward,
            dropout=0.0,
            batch_first=True,
        )
        # enable_nested_tensor only matters for padded batches; keep it off.
        self.encoder = nn.TransformerEncoder(
            layer, num_layers=num_layers, enable_nested_tensor=False
        )
        with torch.no_grad():
            for lyr in self.encoder.layers:
                attn = lyr.self_attn
                attn.out_proj.reset_parameters()
                attn._reset_parameters()  # xavier in_proj, zero biases
                attn.in_proj_bias.copy_(0.02 * torch.randn_like(attn.in_proj_bias))
                attn.out_proj.bias.copy_(0.02 * torch.randn_like(attn.out_proj.bias))
                lyr.linear1.reset_parameters()
                lyr.linear2.reset_parameters()
                for ln in (lyr.norm1, lyr.norm2):
                    ln.weight.copy_(1.0 + 0.1 * torch.randn_like(ln.weight))
                    ln.bias.copy_(0.1 * torch.randn_like(ln.bias))

    def forward(self, x):
        return self.encoder(x)


def _cnn(ctor):
    return lambda: ctor(weights=None), CNN_INPUT


MODELS = {
    "resnet18": _cnn(torchvision.models.resnet18),
    "resnet50": _cnn(torchvision.models.resnet50),
    "mobilenet_v2": _cnn(torchvision.models.mobilenet_v2),
    "squeezenet1_1": _cnn(torchvision.models.squeezenet1_1),
    "shufflenet_v2_x1_0": _cnn(torchvision.models.shufflenet_v2_x1_0),
    "transformer_encoder": (TransformerEncoderModel, TRANSFORMER_INPUT),
}


def model_seed(name):
    """A per-model seed that does not depend on which models are selected."""
    return SEED + zlib.crc32(name.encode()) % 100000


def recalibrate_batchnorm(model, input_shape, gen):
    """Re-estimate BatchNorm running stats on random data (cumulative mean)."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return 0
    for bn in bns:
        bn.momentum = None
        bn.reset_running_stats()
    model.train()
    shape = (BN_BATCH,) + tuple(input_shape[1:])
    with torch.no_grad():
        for _ in range(BN_PASSES):
            model(torch.randn(shape, generator=gen))
    model.eval()
    return len(bns)


def paths(out_dir, name):
    base = os.path.join(out_dir, name)
    return {
        "onnx": base + ".onnx",
        "input": base + ".input.npy",
        "expected": base + ".expected.npy",
        "calib": base + ".calib.npy",
    }


def export_one(name, out_dir, calib_samples):
    ctor, input_shape = MODELS[name]
    seed = model_seed(name)
    torch.manual_seed(seed)
    model = ctor()
    gen = torch.Generator().manual_seed(seed + 1)

    n_bn = recalibrate_batchnorm(model, input_shape, gen)
    model.eval()

    x = torch.randn(input_shape, generator=gen)
    calib = torch.randn((calib_samples,) + tuple(input_shape[1:]), generator=gen)

    # Reference output and export both run with autograd enabled and the
    # parameters requiring grad: in eval mode that is what keeps PyTorch's
    # TransformerEncoderLayer / MultiheadAttention off their fused fast paths
    # (aten::_transformer_encoder_layer_fwd, aten::_native_multi_head_attention,
    # which have no ONNX symbolic), so the graph is built from plain ops and
    # the expected output comes from the same math that is exported.
    for prm in model.parameters():
        prm.requires_grad_(True)
    with torch.enable_grad():
        y = model(x)
    y_np = y.detach().numpy().astype(np.float32)
    if not np.all(np.isfinite(y_np)):
        raise RuntimeError(f"{name}: non-finite output")
    print(
        f"[{name}] bn_layers={n_bn} output shape={tuple(y_np.shape)} "
        f"std={y_np.std():.4g} absmax={np.abs(y_np).max():.4g}",
        flush=True,
    )

    p = paths(out_dir, name)
    with torch.enable_grad():
        torch.onnx.export(
            model,
            (x,),
            p["onnx"],
            export_params=True,
            opset_version=OPSET,
            do_constant_folding=True,
            input_names=["input"],
            output_names=["output"],
            dynamic_axes=None,
            training=torch.onnx.TrainingMode.EVAL,
        )
    # Weights must live inside the file (they do below 2 GiB; verify).
    m = onnx.load(p["onnx"], load_external_data=False)
    for init in m.graph.initializer:
        if init.data_location == onnx.TensorProto.EXTERNAL:
            raise RuntimeError(f"{name}: initializer {init.name} is external")
    onnx.checker.check_model(m)
    fused = {n.op_type for n in m.graph.node} & {"ATen", "PythonOp"}
    if fused:
        raise RuntimeError(f"{name}: unexportable fallback ops {sorted(fused)}")

    np.save(p["input"], x.numpy().astype(np.float32))
    np.save(p["expected"], y_np)
    np.save(p["calib"], calib.numpy().astype(np.float32))


def summarize(name, out_dir):
    p = paths(out_dir, name)
    m = onnx.load(p["onnx"])
    ops = sorted({n.op_type for n in m.graph.node})
    params = sum(int(np.prod(init.dims)) for init in m.graph.initializer)
    opset = max(
        (o.version for o in m.opset_import if o.domain in ("", "ai.onnx")), default=0
    )

    def shape(vi):
        return "x".join(
            str(d.dim_value) if d.HasField("dim_value") else (d.dim_param or "?")
            for d in vi.type.tensor_type.shape.dim
        )

    return {
        "model": name,
        "opset": opset,
        "nodes": len(m.graph.node),
        "ops": ops,
        "params": params,
        "size": os.path.getsize(p["onnx"]),
        "io": f"{shape(m.graph.input[0])} -> {shape(m.graph.output[0])}",
    }


def print_table(rows):
    hdr = ("model", "opset", "nodes", "params", "size_MB", "in -> out")
    fmt = "{:<20} {:>5} {:>6} {:>11} {:>8}  {}"
    print(fmt.format(*hdr))
    for r in rows:
        print(
            fmt.format(
                r["model"], r["opset"], r["nodes"], r["params"],
                f"{r['size'] / 1e6:.2f}", r["io"],
            )
        )
    print()
    for r in rows:
        print(f"{r['model']}: {', '.join(r['ops'])}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument(
        "--models",
        default=",".join(MODELS),
        help="comma-separated subset of: " + ",".join(MODELS),
    )
    ap.add_argument("--calib-samples", type=int, default=8)
    ap.add_argument("--force", action="store_true", help="re-export existing models")
    args = ap.parse_args(argv)

    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        ap.error(f"unknown model(s): {', '.join(unknown)}")
    if args.calib_samples < 1:
        ap.error("--calib-samples must be >= 1")
    os.makedirs(args.out, exist_ok=True)

    rows = []
    for name in names:
        p = paths(args.out, name)
        if not args.force and all(os.path.exists(f) for f in p.values()):
            print(f"[{name}] exists, skipping (use --force to re-export)", flush=True)
        else:
            t0 = time.time()
            export_one(name, args.out, args.calib_samples)
            print(f"[{name}] exported in {time.time() - t0:.1f}s", flush=True)
        rows.append(summarize(name, args.out))
    print()
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
