"""Integer reference for quantc's int8 models, written from
docs/quantization.md alone and sharing no code with the compiler.

It imports an ONNX model into the same op set that quantc imports into
(fully connected with fused bias and relu, add, relu, reshape), then either
runs it in float32 to compute min/max calibration ranges or quantizes it with
a calibration JSON and runs it with exact integer (int64) arithmetic:

    cal = minmax_calibration("model.onnx", samples)
    ref = QuantizedModel("model.onnx", cal)          # or a JSON file path
    codes, floats = ref.run(x)                       # one sample per call

Tensor names follow quantc's calibration files: graph inputs and op outputs,
where an op that absorbed a Relu (or a MatMul that absorbed an Add) is named
after the absorbed node's output, and reshapes share their input's
parameters.
"""

import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


# --------------------------------------------------------------------------
# Import: ONNX graph -> list of quantc-level ops
# --------------------------------------------------------------------------


@dataclass
class Op:
    """One op of the imported graph. `inputs` are activation tensor names;
    constants are folded into `weight` ([N, K], float32) and `bias` ([N])."""

    kind: str  # "fully_connected", "add", "relu" or "reshape"
    inputs: list
    output: str
    weight: np.ndarray = None
    bias: np.ndarray = None
    relu: bool = False
    flatten_axis: int = None  # Flatten
    shape: tuple = None  # Reshape target, ONNX semantics (0 copies, -1 infers)


@dataclass
class Graph:
    inputs: list  # (name, shape)
    outputs: list  # names
    ops: list


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _unsupported(node, why):
    return NotImplementedError(f"{node.op_type} node '{node.name}': {why}")


def import_model(model):
    """Imports an ONNX model (path or ModelProto) into a Graph, applying the
    same fusions as quantc: MatMul + Add(constant) -> fully connected, and a
    Relu into the fully connected or add that is its input's only user."""
    proto = model if isinstance(model, onnx.ModelProto) else onnx.load(str(model))
    graph = proto.graph
    consts = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    inputs = [
        (vi.name, tuple(d.dim_value for d in vi.type.tensor_type.shape.dim))
        for vi in graph.input
        if vi.name not in consts
    ]
    outputs = [vi.name for vi in graph.output]

    # Fusing into a producer is only sound when nothing else reads the
    # producer's result.
    users = {}
    for node in graph.node:
        for name in node.input:
            users[name] = users.get(name, 0) + 1
    for name in outputs:
        users[name] = users.get(name, 0) + 1

    ops = []
    producer = {}  # tensor name -> Op that currently produces it

    def emit(op):
        ops.append(op)
        producer[op.output] = op

    def fusable(name):
        """The producer op of `name` when `name` may be absorbed by its user."""
        op = producer.get(name)
        return op if op is not None and users.get(name) == 1 else None

    for node in graph.node:
        attrs = _attrs(node)
        ins = list(node.input)
        out = node.output[0]
        if node.op_type == "Constant":
            consts[out] = numpy_helper.to_array(attrs["value"])
        elif node.op_type == "Flatten":
            emit(Op("reshape", [ins[0]], out, flatten_axis=attrs.get("axis", 1)))
        elif node.op_type == "Reshape":
            if ins[1] not in consts:
                raise _unsupported(node, "the shape must be a constant")
            emit(Op("reshape", [ins[0]], out, shape=tuple(int(d) for d in consts[ins[1]])))
        elif node.op_type == "Gemm":
            if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0:
                raise _unsupported(node, "only transA=0, alpha=1, beta=1 are supported")
            if ins[1] not in consts or (len(ins) > 2 and ins[2] and ins[2] not in consts):
                raise _unsupported(node, "B and C must be constants")
            w = consts[ins[1]] if attrs.get("transB", 0) else consts[ins[1]].T
            bias = None
            if len(ins) > 2 and ins[2]:
                bias = np.broadcast_to(consts[ins[2]], (1, w.shape[0])).reshape(-1)
            emit(Op("fully_connected", [ins[0]], out, weight=w, bias=bias))
        elif node.op_type == "MatMul":
            if ins[1] not in consts or consts[ins[1]].ndim != 2:
                raise _unsupported(node, "only a constant 2-D right-hand side is supported")
            emit(Op("fully_connected", [ins[0]], out, weight=consts[ins[1]].T))
        elif node.op_type == "Add":
            acts = [name for name in ins if name not in consts]
            if len(acts) == 2:
                emit(Op("add", ins, out))
                continue
            fc = fusable(acts[0]) if acts else None
            bias = consts[ins[0] if ins[0] in consts else ins[1]]
            if (
                fc is None
                or fc.kind != "fully_connected"
                or fc.bias is not None
                or fc.relu
                or bias.size != fc.weight.shape[0]
            ):
                raise _unsupported(node, "an Add of a constant must follow a MatMul as its bias")
            fc.bias = bias.reshape(-1)
            del producer[fc.output]
            fc.output = out
            producer[out] = fc
        elif node.op_type == "Relu":
            op = fusable(ins[0])
            if op is not None and op.kind in ("fully_connected", "add") and not op.relu:
                op.relu = True
                del producer[op.output]
                op.output = out
                producer[out] = op
            else:
                emit(Op("relu", [ins[0]], out))
        else:
            raise _unsupported(node, "op not supported")
    return Graph(inputs, outputs, ops)


def _reshape(x, op):
    if op.flatten_axis is not None:
        axis = op.flatten_axis % x.ndim if x.ndim else 0
        return x.reshape(math.prod(x.shape[:axis]), math.prod(x.shape[axis:]))
    shape = [x.shape[i] if d == 0 else d for i, d in enumerate(op.shape)]
    return x.reshape(shape)


# --------------------------------------------------------------------------
# Float runner and min/max calibration
# --------------------------------------------------------------------------


def run_float(graph, *inputs):
    """Runs the graph in float32; returns {tensor name: value} for the graph
    inputs and every op output."""
    env = {name: np.asarray(x, dtype=np.float32) for (name, _), x in zip(graph.inputs, inputs)}
    for op in graph.ops:
        x = [env[name] for name in op.inputs]
        if op.kind == "reshape":
            y = _reshape(x[0], op)
        elif op.kind == "fully_connected":
            y = x[0] @ op.weight.T
            if op.bias is not None:
                y = y + op.bias
        elif op.kind == "add":
            y = x[0] + x[1]
        else:
            y = x[0]
        if op.relu or op.kind == "relu":
            y = np.maximum(y, np.float32(0))
        env[op.output] = y.astype(np.float32, copy=False)
    return env


def _quantized_tensors(graph):
    """Names that carry their own quantization parameters: graph inputs and
    the outputs of every op except reshapes."""
    return [name for name, _ in graph.inputs] + [op.output for op in graph.ops if op.kind != "reshape"]


def minmax_calibration(model, samples):
    """The calibration JSON dict (see docs/quantization.md) for a
    single-input model. `samples` holds one sample per row, of shape
    (N, *input_shape[1:]) or, for a batch-1 input, (N, *input_shape).
    Samples with NaN or Inf are skipped with a warning, like quantc does."""
    graph = model if isinstance(model, Graph) else import_model(model)
    if len(graph.inputs) != 1:
        raise ValueError("minmax_calibration handles single-input models")
    shape = graph.inputs[0][1]
    samples = np.asarray(samples, dtype=np.float32)
    if samples.shape[1:] not in (shape, shape[1:]):
        raise ValueError(f"samples of shape {samples.shape} do not match the input shape {shape}")
    names = _quantized_tensors(graph)
    lo = {name: math.inf for name in names}
    hi = {name: -math.inf for name in names}
    used = 0
    for i, sample in enumerate(samples):
        if not np.all(np.isfinite(sample)):
            warnings.warn(f"calibration sample {i} contains NaN or Inf; skipped")
            continue
        used += 1
        env = run_float(graph, sample.reshape(shape))
        for name in names:
            lo[name] = min(lo[name], float(env[name].min()))
            hi[name] = max(hi[name], float(env[name].max()))
    if not used:
        raise ValueError("no finite calibration sample")
    return {
        "version": 1,
        "method": "minmax",
        "num_samples": used,
        "tensors": {name: {"min": lo[name], "max": hi[name]} for name in names},
    }


# --------------------------------------------------------------------------
# Quantization parameters
# --------------------------------------------------------------------------


def f32(x):
    """Rounds a double (or array of doubles) to the nearest float32."""
    return np.float32(x)


def rne(x):
    """Round to nearest integer, ties to even, of a double; returns an int."""
    return int(np.round(np.float64(x)))


def activation_params(lo, hi):
    """(scale as float32, zero point) of an int8 activation with range
    [lo, hi]."""
    return scheme_params(lo, hi)[:2]


@dataclass(frozen=True)
class Scheme:
    """An activation scheme of docs/quantization.md ("Schemes")."""

    bits: int = 8
    signed: bool = True
    symmetric: bool = False

    @property
    def qmin(self):
        lowest = -(2 ** (self.bits - 1)) if self.signed else 0
        return lowest + 1 if self.symmetric else lowest

    @property
    def qmax(self):
        return 2 ** (self.bits - 1) - 1 if self.signed else 2**self.bits - 1


INT16 = Scheme(16, True, True)


def scheme_params(lo, hi, scheme=Scheme()):
    """(scale as float32, zero point, qmin, qmax) of an activation with
    range [lo, hi] under `scheme`."""
    qmin, qmax = scheme.qmin, scheme.qmax
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    if scheme.symmetric:
        zp = (qmin + qmax) // 2
        amax = max(-lo, hi)
        return (np.float32(1.0) if amax == 0 else f32(amax / (qmax - zp))), zp, qmin, qmax
    if hi == lo:
        return np.float32(1.0), (0 if scheme.signed else (qmax + 1) // 2), qmin, qmax
    scale = f32((hi - lo) / (qmax - qmin))
    zp = min(max(qmin - rne(lo / float(scale)), qmin), qmax)
    return scale, zp, qmin, qmax


def weight_params(w, per_channel=True):
    """(Wq int64 [N, K], s_w float32 [N]) for a float32 weight [N, K]."""
    w64 = w.astype(np.float64)
    amax = np.abs(w64).max(axis=1) if per_channel else np.full(w.shape[0], np.abs(w64).max())
    s_w = np.where(amax == 0, np.float32(1.0), f32(amax / 127)).astype(np.float32)
    wq = np.clip(np.round(w64 / s_w.astype(np.float64)[:, None]), -127, 127)
    return wq.astype(np.int64), s_w


def bias_params(b, s_in, s_w):
    """Bq int64 [N]: the float32 bias in units of s_in * s_w[n]."""
    s_b = float(s_in) * s_w.astype(np.float64)
    return np.clip(np.round(b.astype(np.float64) / s_b), INT32_MIN, INT32_MAX).astype(np.int64)


def multiplier(m):
    """(M, S) with m ~= M * 2^-S, M in [2^30, 2^31), by the frexp rule."""
    f, e = math.frexp(m)
    big_m, shift = rne(f * 2.0**31), 31 - e
    if big_m == 2**31:
        big_m, shift = 2**30, shift - 1
    if shift > 62:
        big_m, shift = rne(big_m / 2.0 ** (shift - 62)), 62
    if shift < 1:
        raise ValueError(f"requantization multiplier {m} is >= 2^30")
    return big_m, shift


def add_multipliers(m_a, m_b):
    """(M_a, M_b, S) of the add rule; m_b = 0 gives the single-operand form."""
    _, e = math.frexp(max(m_a, m_b))
    shift = min(31 - e, 62)
    if shift < 1:
        raise ValueError(f"add multiplier {max(m_a, m_b)} is >= 2^30")
    return rne(m_a * 2.0**shift), rne(m_b * 2.0**shift), shift


# --------------------------------------------------------------------------
# Integer inference
# --------------------------------------------------------------------------


@dataclass
class QTensor:
    q: np.ndarray  # int64 codes in [qmin, qmax]
    scale: np.float32
    zp: int
    qmin: int = -128
    qmax: int = 127


def quantize(x, scale, zp, qmin=-128, qmax=127):
    """float32 -> integer codes (as int64): one float32 division, rne on the
    float32 quotient, exact add and clamp; NaN -> qmin."""
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        r = np.round(np.asarray(x, dtype=np.float32) / np.float32(scale))
    y = np.clip(r.astype(np.float64) + zp, qmin, qmax)
    return np.where(np.isnan(y), qmin, y).astype(np.int64)


def _code_dtype(t):
    """The storage type of a tensor's codes: int8, uint8 or int16."""
    if t.qmin >= 0:
        return np.uint8
    return np.int8 if t.qmax <= 127 else np.int16


def dequantize(t):
    return (t.q - t.zp).astype(np.float32) * np.float32(t.scale)


def _requantize(prod, shift, zp_out, relu, qmin=-128, qmax=127):
    """The one rounding rule: ((acc * M + 2^(S-1)) >> S) + zp_out, clamped,
    given prod = acc * M (int64, or Python ints for 16-bit inputs; shift may
    be per channel)."""
    if prod.dtype == object:
        shift = np.asarray(shift).astype(object)
        y = ((prod + (1 << (shift - 1))) >> shift) + zp_out
        return np.clip(y, max(zp_out, qmin) if relu else qmin, qmax).astype(np.int64)
    y = ((prod + (np.int64(1) << (shift - 1))) >> shift) + zp_out
    return np.clip(y, max(zp_out, qmin) if relu else qmin, qmax)


class QuantizedModel:
    """The int8 model that quantc builds for `model` from `calibration` (a
    calibration dict as minmax_calibration returns, or a JSON file path)."""

    def __init__(self, model, calibration, per_channel=True, scheme=Scheme(), int16_ops=()):
        """`scheme` is the activation scheme; the inputs and output of the
        ops named (by output tensor) in `int16_ops` use INT16 (16x8)."""
        self.graph = model if isinstance(model, Graph) else import_model(model)
        if not isinstance(calibration, dict):
            calibration = json.loads(Path(calibration).read_text())
        ranges = calibration["tensors"]
        # Reshapes carry their input's parameters, so an int16 input that a
        # reshape produced makes the reshape's source int16.
        producer = {op.output: op for op in self.graph.ops}
        wide = set()
        for op in self.graph.ops:
            if op.output in int16_ops:
                wide.add(op.output)
                for name in op.inputs:
                    while name in producer and producer[name].kind == "reshape":
                        name = producer[name].inputs[0]
                    wide.add(name)
        self.params = {}
        for name in _quantized_tensors(self.graph):
            if name not in ranges:
                raise KeyError(f"calibration has no range for tensor '{name}'")
            self.params[name] = scheme_params(
                ranges[name]["min"], ranges[name]["max"], INT16 if name in wide else scheme
            )
        # Reshapes keep their input's parameters.
        for op in self.graph.ops:
            if op.kind == "reshape":
                self.params[op.output] = self.params[op.inputs[0]]
        self.per_channel = per_channel
        self.layers = {op.output: self._prepare(op) for op in self.graph.ops}

    def _prepare(self, op):
        """The compile-time constants of one op."""
        s_out = self.params[op.output][0]
        if op.kind == "fully_connected":
            s_in, zp_in = self.params[op.inputs[0]][:2]
            wq, s_w = weight_params(op.weight, self.per_channel)
            bq = np.zeros(wq.shape[0], np.int64) if op.bias is None else bias_params(op.bias, s_in, s_w)
            ms = [multiplier(float(s_in) * float(s) / float(s_out)) for s in s_w]
            return {
                "wq": wq,
                # The zero-point term folded into the bias.
                "bias": bq - zp_in * wq.sum(axis=1),
                "M": np.array([m for m, _ in ms], np.int64),
                "S": np.array([s for _, s in ms], np.int64),
            }
        if op.kind == "add":
            s_a, s_b = (self.params[name][0] for name in op.inputs)
            return dict(zip(("Ma", "Mb", "S"), add_multipliers(float(s_a) / float(s_out), float(s_b) / float(s_out))))
        if op.kind == "relu":
            s_a = self.params[op.inputs[0]][0]
            return dict(zip(("Ma", "Mb", "S"), add_multipliers(float(s_a) / float(s_out), 0.0)))
        return {}

    def run(self, *inputs):
        """Runs one sample (each input of the model's exact shape). Returns
        (codes, floats): per graph output, the int8 codes and their
        dequantized float32 values."""
        env = {}
        for (name, shape), x in zip(self.graph.inputs, inputs):
            x = np.asarray(x, dtype=np.float32)
            if x.shape != shape:
                raise ValueError(f"input '{name}' has shape {x.shape}, expected {shape}")
            env[name] = QTensor(quantize(x, *self.params[name]), *self.params[name])
        for op in self.graph.ops:
            env[op.output] = self._run_op(op, [env[name] for name in op.inputs])
        outs = [env[name] for name in self.graph.outputs]
        return [t.q.astype(_code_dtype(t)) for t in outs], [dequantize(t) for t in outs]

    def run_batch(self, samples):
        """Runs a single-input model over samples (one per row); returns
        (codes, floats) stacked over the samples for the first output."""
        shape = self.graph.inputs[0][1]
        results = [self.run(np.reshape(s, shape)) for s in samples]
        return (np.stack([c[0] for c, _ in results]), np.stack([f[0] for _, f in results]))

    def _run_op(self, op, x):
        p = self.params[op.output]
        scale, zp, qmin, qmax = p
        c = self.layers[op.output]
        if op.kind == "reshape":
            return QTensor(_reshape(x[0].q, op), *p)
        if op.kind == "fully_connected":
            acc = x[0].q @ c["wq"].T + c["bias"]
            if x[0].qmax > 255:
                # 16-bit inputs: quantc accumulates in int64 and multiplies
                # in int128; Python integers are exact.
                prod = acc.astype(object) * c["M"].astype(object)
                return QTensor(_requantize(prod, c["S"], zp, op.relu, qmin, qmax), *p)
            # quantc accumulates in int32; the doc's exactness bound must hold.
            if acc.min() < INT32_MIN or acc.max() > INT32_MAX:
                raise OverflowError(f"accumulator of '{op.output}' leaves the int32 range")
            return QTensor(_requantize(acc * c["M"], c["S"], zp, op.relu, qmin, qmax), *p)
        prod = (x[0].q - x[0].zp) * c["Ma"]
        if op.kind == "add":
            prod = prod + (x[1].q - x[1].zp) * c["Mb"]
        return QTensor(_requantize(prod, c["S"], zp, op.relu or op.kind == "relu", qmin, qmax), *p)
