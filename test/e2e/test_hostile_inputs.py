"""Hostile, malformed and degenerate inputs (issue 12).

Every case is generated here: an ONNX model, a .npy/.npz/directory of
calibration data, a calibration JSON file, an MLIR file or a command line,
built to hit one class of bug (size overflow, bad attribute, deep nesting,
non-finite values, bad target...). Each case states its exact outcome:
exit code 1 and a diagnostic that names what is wrong (and where), or
success (exit 0, possibly with a named warning). No case may end by a
signal or run past the timeout: that is a crash or a hang, and fails.

Run: QUANTC_BIN=$PWD/build/bin/quantc /usr/bin/python3 -m pytest -q \
    test/e2e/test_hostile_inputs.py
"""

import io
import json
import struct
import subprocess
import zlib

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from e2e_util import quantc

TIMEOUT = 120  # seconds; a case that needs longer is a hang

# ---------------------------------------------------------------------------
# Model builders
# ---------------------------------------------------------------------------


def model(nodes, inputs, outputs, initializers=(), opset=13):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def vi(name, shape, dtype=TensorProto.FLOAT):
    """A value info; shape None: an output whose shape quantc computes (the
    checker wants a shape field, the importer ignores declared outputs)."""
    v = helper.make_tensor_value_info(name, dtype, shape)
    if shape is None:
        v.type.tensor_type.shape.SetInParent()
    return v


def gemm_model(w=None, b=None):
    """y = x @ W^T + b, x [1, 4], W [3, 4]."""
    w = np.ones((3, 4), np.float32) if w is None else w
    b = np.zeros(3, np.float32) if b is None else b
    return model(
        [helper.make_node("Gemm", ["x", "W", "B"], ["y"], transB=1)],
        [vi("x", [1, 4])],
        [vi("y", [1, 3])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")],
    )


def huge_initializer_model(dims):
    """y = x + C where C declares `dims` but holds no data."""
    c = TensorProto()
    c.name = "C"
    c.data_type = TensorProto.FLOAT
    c.dims.extend(dims)
    # onnx's checker computes the same wrapped element count: it wants no
    # data when that count is 0 and some data otherwise.
    wrapped = 1
    for d in dims:
        wrapped = (wrapped * d) % (1 << 64)
    if wrapped:
        c.raw_data = b"\0" * 16
    return model(
        [helper.make_node("Add", ["x", "C"], ["y"])],
        [vi("x", [1, 4])],
        [vi("y", None)],
        [c],
    )


def conv_model(**attrs):
    """Conv of x [1, 4, 8, 8] with W [4, 4 / group, 3, 3]."""
    group = attrs.get("group", 1)
    cin = 4 // group if isinstance(group, int) and group > 0 and 4 % group == 0 else 4
    w = np.ones((4, cin, 3, 3), np.float32)
    return model(
        [helper.make_node("Conv", ["x", "W"], ["y"], **attrs)],
        [vi("x", [1, 4, 8, 8])],
        [vi("y", None)],
        [numpy_helper.from_array(w, "W")],
    )


def conv_transpose_model(**attrs):
    w = np.ones((4, 2, 3, 3), np.float32)
    return model(
        [helper.make_node("ConvTranspose", ["x", "W"], ["y"], **attrs)],
        [vi("x", [1, 4, 8, 8])],
        [vi("y", None)],
        [numpy_helper.from_array(w, "W")],
    )


def pool_model(op, **attrs):
    return model(
        [helper.make_node(op, ["x"], ["y"], **attrs)],
        [vi("x", [1, 4, 8, 8])],
        [vi("y", None)],
    )


def unary_model(op, shape=(2, 3, 4), inits=(), inputs_extra=(), **attrs):
    return model(
        [helper.make_node(op, ["x", *inputs_extra], ["y"], **attrs)],
        [vi("x", list(shape))],
        [vi("y", None)],
        inits,
    )


def gather_model(indices, axis=0):
    return model(
        [helper.make_node("Gather", ["x", "I"], ["y"], axis=axis)],
        [vi("x", [4, 3])],
        [vi("y", None)],
        [numpy_helper.from_array(np.array(indices, np.int64), "I")],
    )


def constant_of_shape_model(shape):
    return model(
        [
            helper.make_node("ConstantOfShape", ["S"], ["c"]),
            helper.make_node("Add", ["x", "c"], ["y"]),
        ],
        [vi("x", [1])],
        [vi("y", None)],
        [numpy_helper.from_array(np.array(shape, np.int64), "S")],
    )


def expand_model(shape):
    return model(
        [
            helper.make_node("Expand", ["C", "S"], ["e"]),
            helper.make_node("Add", ["x", "e"], ["y"]),
        ],
        [vi("x", [1, 1])],
        [vi("y", None)],
        [numpy_helper.from_array(np.array(shape, np.int64), "S"),
         numpy_helper.from_array(np.ones((1, 1), np.float32), "C")],
    )


def range_model(start, limit, delta):
    inits = [
        numpy_helper.from_array(np.array(v, np.float32), n)
        for n, v in (("s", start), ("l", limit), ("d", delta))
    ]
    return model(
        [
            helper.make_node("Range", ["s", "l", "d"], ["r"]),
            helper.make_node("Add", ["x", "r"], ["y"]),
        ],
        [vi("x", [1])],
        [vi("y", None)],
        inits,
    )


def save_model(m, path):
    path.write_bytes(m.SerializeToString())
    return path


# ---------------------------------------------------------------------------
# Calibration data builders
# ---------------------------------------------------------------------------


def npy_bytes(header_dict_text, data=b"", version=1):
    header = header_dict_text.encode("latin1")
    pad = 64 - (10 + len(header) + 1) % 64
    header += b" " * pad + b"\n"
    if version == 1:
        prefix = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header))
    else:
        prefix = b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(header))
    return prefix + header + data


def npy_header(descr="<f4", shape=(2, 4), fortran=False):
    shape_text = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    return (
        "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }"
        % (descr, "True" if fortran else "False", shape_text)
    )


def good_samples(n=8):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 4)).astype(np.float32)


def npz_with_huge_size(path):
    """A deflated .npz entry whose headers claim 2^62 uncompressed bytes."""
    data = io.BytesIO()
    np.save(data, good_samples())
    raw = data.getvalue()
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = comp.compress(raw) + comp.flush()
    name = b"x.npy"
    huge = 1 << 62
    crc = zlib.crc32(raw)
    # Local header with zip64 extra field.
    extra_local = struct.pack("<HHQQ", 1, 16, huge, len(deflated))
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0, crc, 0xFFFFFFFF,
        0xFFFFFFFF, len(name), len(extra_local)
    ) + name + extra_local
    extra_cd = struct.pack("<HHQQ", 1, 16, huge, len(deflated))
    cd = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0, crc,
        0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra_cd), 0, 0, 0, 0, 0
    ) + name + extra_cd
    body = local + deflated
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(cd), len(body), 0)
    path.write_bytes(body + cd + eocd)
    return path


def good_npz(path, **arrays):
    np.savez(path, **arrays)
    return path


# ---------------------------------------------------------------------------
# Running the tools
# ---------------------------------------------------------------------------


def run(cmd, cwd):
    try:
        proc = subprocess.run(
            [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
            timeout=TIMEOUT, errors="replace",
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"hang: {' '.join(map(str, cmd))} ran past {TIMEOUT} s")
    assert proc.returncode >= 0, (
        f"crash: signal {-proc.returncode}\n{proc.stderr[-3000:]}"
    )
    return proc


def expect(proc, code, *messages):
    out = proc.stdout + proc.stderr
    assert proc.returncode == code, (
        f"exit {proc.returncode}, expected {code}\n{out[-3000:]}"
    )
    for m in messages:
        assert m in out, f"missing {m!r} in:\n{out[-3000:]}"
    if code != 0:
        # No raw LLVM/abort diagnostics: every failure is a quantc message.
        for bad in ("LLVM ERROR", "Stack dump", "terminate called",
                    "Assertion", "Segmentation"):
            assert bad not in out, f"{bad!r} in:\n{out[-3000:]}"


@pytest.fixture(scope="module")
def tools(quantc_bin):
    d = quantc_bin.parent
    return {"quantc": quantc_bin, "opt": d / "quantc-opt",
            "translate": d / "quantc-translate"}


def compile_fp32(tools, tmp_path, m, *flags):
    p = save_model(m, tmp_path / "m.onnx")
    return run([tools["quantc"], "compile", p, "--precision", "fp32",
                "-o", tmp_path / "m.o", *flags], tmp_path)


def compile_int8(tools, tmp_path, m, samples, *flags):
    p = save_model(m, tmp_path / "m.onnx")
    np.save(tmp_path / "calib.npy", samples)
    return run([tools["quantc"], "compile", p, "--calibration-data",
                tmp_path / "calib.npy", "-o", tmp_path / "m.o", *flags],
               tmp_path)


# ---------------------------------------------------------------------------
# ONNX: sizes and shapes
# ---------------------------------------------------------------------------

TOO_MANY = "its element count overflows or exceeds the limit"

SHAPE_CASES = {
    "init_2^62x4": ([1 << 62, 4], TOO_MANY),
    "init_2^32x2^32": ([1 << 32, 1 << 32], TOO_MANY),
    "init_2^40": ([1 << 40], TOO_MANY),
    "init_neg": ([-1, 4], "dimension 0 is negative (-1)"),
    "init_neg_inner": ([4, -3], "dimension 1 is negative (-3)"),
    "init_min_int64": ([-(1 << 63)], "dimension 0 is negative"),
}


@pytest.mark.parametrize("case", sorted(SHAPE_CASES))
def test_initializer_shape(tools, tmp_path, case):
    dims, message = SHAPE_CASES[case]
    proc = compile_fp32(tools, tmp_path, huge_initializer_model(dims))
    expect(proc, 1, "tensor 'C': " + message)


def test_initializer_overflow_int8(tools, tmp_path):
    """The int8 path (calibration) used to write past its buffers."""
    proc = compile_int8(tools, tmp_path, huge_initializer_model([1 << 62, 4]),
                        good_samples()[:, None, :].reshape(8, 1, 4))
    expect(proc, 1, "tensor 'C': " + TOO_MANY)


INPUT_CASES = {
    "2^32x2^32": ([1 << 32, 1 << 32], "overflows 64 bits"),
    "2^20x2^20x2^20": ([1 << 20, 1 << 20, 1 << 20], "exceeds the limit"),
    "2^40x2^40": ([1 << 40, 1 << 40], "overflows 64 bits"),
    "2^18x2^18": ([1 << 18, 1 << 18], "exceeds the limit of 17179869184"),
}


@pytest.mark.parametrize("case", sorted(INPUT_CASES))
def test_graph_input_shape(tools, tmp_path, case):
    dims, message = INPUT_CASES[case]
    m = unary_model("Relu", shape=dims)
    proc = compile_fp32(tools, tmp_path, m)
    expect(proc, 1, "graph input 'x' has", message)


@pytest.mark.parametrize("shape,message", [
    ("x=4294967296x4294967296", "overflows 64 bits"),
    ("x=262144x262144", "exceeds the limit"),
])
def test_input_shape_flag_overflow(tools, tmp_path, shape, message):
    m = unary_model("Relu", shape=["N", "M"])
    proc = compile_fp32(tools, tmp_path, m, "--input-shape", shape)
    expect(proc, 1, "graph input 'x' has 2 dimensions", message)


@pytest.mark.parametrize("shape,message", [
    ([1 << 40, 1 << 40], "the requested shape has 2 dimensions whose element "
                         "count overflows"),
    ([1 << 36], "the requested shape has 1 dimensions whose element count "
                "exceeds"),
    ([-2, 3], "the requested shape has negative dimension -2 at index 0"),
])
def test_constant_of_shape_huge(tools, tmp_path, shape, message):
    proc = compile_fp32(tools, tmp_path, constant_of_shape_model(shape))
    expect(proc, 1, message)


def test_expand_huge(tools, tmp_path):
    proc = compile_fp32(tools, tmp_path, expand_model([1 << 40, 1 << 40]))
    expect(proc, 1, "the requested shape has 2 dimensions whose element "
                    "count overflows")


@pytest.mark.parametrize("args,message", [
    ((0, 1e30, 1), "the range has 1.000000e+30 elements (limit "),
    ((0, 4, 0), "delta non-zero"),
])
def test_range_huge(tools, tmp_path, args, message):
    proc = compile_fp32(tools, tmp_path, range_model(*args))
    expect(proc, 1, message)


# ---------------------------------------------------------------------------
# ONNX: attributes
# ---------------------------------------------------------------------------

CONV_CASES = {
    "strides_0": (dict(strides=[0, 0]), "strides entries must be in [1, "
                  "2147483648), got 0"),
    "strides_neg": (dict(strides=[-1, 1]), "strides entries must be in [1, "
                    "2147483648), got -1"),
    "strides_2^40": (dict(strides=[1 << 40, 1]), "strides entries must be in"),
    "dilations_0": (dict(dilations=[0, 1]), "dilations entries must be in"),
    "dilations_2^62": (dict(dilations=[1 << 62, 1]),
                       "dilations entries must be in"),
    "strides_rank": (dict(strides=[1]), "strides and dilations must have 2 "
                     "entries"),
    "group_0": (dict(group=0), "group 0 does not fit 4 input channels"),
    "group_neg": (dict(group=-2), "group -2 does not fit 4 input channels"),
    "group_3": (dict(group=3), "group 3 does not fit 4 input channels"),
    "pads_neg": (dict(pads=[-1, 0, 0, 0]), "negative pads are not supported"),
    "pads_count": (dict(pads=[1, 1]), "has 2 pads for 2 spatial dimensions"),
    "pads_2^40": (dict(pads=[1 << 40, 0, 0, 0]), "pads must be below"),
    "auto_pad_bad": (dict(auto_pad="SIDEWAYS"), "unknown auto_pad 'SIDEWAYS'"),
    "kernel_shape_mismatch": (dict(kernel_shape=[5, 5]),
                              "kernel_shape does not match the weight shape"),
    "too_large_kernel": (dict(dilations=[8, 8]),
                         "is empty after the convolution"),
}


@pytest.mark.parametrize("case", sorted(CONV_CASES))
def test_conv_attributes(tools, tmp_path, case):
    attrs, message = CONV_CASES[case]
    proc = compile_fp32(tools, tmp_path, conv_model(**attrs))
    expect(proc, 1, message)


POOL_CASES = {
    "max_kernel_0": ("MaxPool", dict(kernel_shape=[0, 0]),
                     "kernel_shape entries must be in [1, 2147483648), got 0"),
    "max_kernel_neg": ("MaxPool", dict(kernel_shape=[-1, 2]),
                       "kernel_shape entries must be in"),
    "max_strides_0": ("MaxPool", dict(kernel_shape=[2, 2], strides=[0, 0]),
                      "strides entries must be in"),
    "avg_kernel_0": ("AveragePool", dict(kernel_shape=[0, 3]),
                     "kernel_shape entries must be in"),
    "avg_dilations_0": ("MaxPool", dict(kernel_shape=[2, 2], dilations=[0, 1]),
                        "dilations entries must be in"),
    "kernel_too_big": ("MaxPool", dict(kernel_shape=[9, 9]),
                       "spatial dimension 0 is empty after pooling"),
    "kernel_rank": ("MaxPool", dict(kernel_shape=[2]),
                    "kernel_shape must have 2 entries"),
    "pads_neg": ("AveragePool", dict(kernel_shape=[2, 2], pads=[0, 0, -1, 0]),
                 "negative pads are not supported"),
}


@pytest.mark.parametrize("case", sorted(POOL_CASES))
def test_pool_attributes(tools, tmp_path, case):
    op, attrs, message = POOL_CASES[case]
    proc = compile_fp32(tools, tmp_path, pool_model(op, **attrs))
    expect(proc, 1, message)


CONV_TRANSPOSE_CASES = {
    "strides_0": (dict(strides=[0, 0]), "strides entries must be in"),
    "dilations_neg": (dict(dilations=[-1, 1]), "dilations entries must be in"),
    "output_shape_short": (dict(output_shape=[4]),
                           "output_shape must have 2 positive spatial entries"),
    "output_shape_zero": (dict(output_shape=[0, 4]),
                          "output_shape must have 2 positive spatial entries"),
    "output_padding_neg": (dict(output_padding=[-1, 0]),
                           "output_padding entry -1 is out of range"),
    "pads_neg": (dict(pads=[-1, 0, 0, 0]), "pads must have 4 entries in [0, "),
    "pads_count": (dict(pads=[0, 0]), "pads must have 4 entries in [0, "),
    "pads_empty_output": (dict(pads=[6, 0, 6, 0]),
                          "spatial dimension 0 is empty after the transposed "
                          "convolution"),
}


@pytest.mark.parametrize("case", sorted(CONV_TRANSPOSE_CASES))
def test_conv_transpose_attributes(tools, tmp_path, case):
    attrs, message = CONV_TRANSPOSE_CASES[case]
    proc = compile_fp32(tools, tmp_path, conv_transpose_model(**attrs))
    expect(proc, 1, message)


@pytest.mark.parametrize("perm,message", [
    ([0, 0, 1], "perm entry 0 appears twice"),
    ([0, 1, 5], "perm entry 5 is out of range"),
    ([0, -1, 1], "perm entry -1 is out of range"),
    ([0, 1], "perm must have 3 entries"),
])
def test_transpose_perm(tools, tmp_path, perm, message):
    proc = compile_fp32(tools, tmp_path, unary_model("Transpose", perm=perm))
    expect(proc, 1, message)


@pytest.mark.parametrize("indices,axis,message", [
    ([10], 0, "index 10 is out of range for axis 0 of size 4"),
    ([0, -5], 0, "index -5 is out of range for axis 0 of size 4"),
    ([3], 1, "index 3 is out of range for axis 1 of size 3"),
    ([0], 5, "axis 5 is out of range for rank 2"),
    ([0], -3, "axis -3 is out of range for rank 2"),
])
def test_gather_indices(tools, tmp_path, indices, axis, message):
    proc = compile_fp32(tools, tmp_path, gather_model(indices, axis))
    expect(proc, 1, message)


def test_gather_negative_index_in_range(tools, tmp_path):
    """A negative index inside the range is valid ONNX and compiles."""
    proc = compile_fp32(tools, tmp_path, gather_model([-1, 0]))
    expect(proc, 0)


@pytest.mark.parametrize("op,attrs,message", [
    ("Softmax", dict(axis=7), "axis 7 is out of range for rank 3"),
    ("Flatten", dict(axis=9), "axis 9 is out of range"),
    ("Concat", dict(axis=-9), "axis -9 is out of range for rank 3"),
])
def test_axis_out_of_range(tools, tmp_path, op, attrs, message):
    proc = compile_fp32(tools, tmp_path, unary_model(op, **attrs))
    expect(proc, 1, message)


# ---------------------------------------------------------------------------
# ONNX: files, opsets, non-finite weights
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("opset", [19, 9999])
def test_opset_too_new(tools, tmp_path, opset):
    m = unary_model("Relu")
    m.opset_import[0].version = opset
    p = save_model(m, tmp_path / "m.onnx")
    proc = run([tools["quantc"], "compile", p, "--precision", "fp32",
                "-o", tmp_path / "m.o"], tmp_path)
    expect(proc, 1, f"the model imports ONNX opset {opset}; quantc supports "
                    "opsets up to 18")


def chain_model():
    """y = Relu(Neg(x)), two nodes in order."""
    return model([helper.make_node("Neg", ["x"], ["t"], name="neg"),
                  helper.make_node("Relu", ["t"], ["y"], name="relu")],
                 [vi("x", [2, 3])], [vi("y", None)])


def _ir(version):
    def edit(m):
        m.ir_version = version
    return edit


def _opsets(*pairs):
    def edit(m):
        del m.opset_import[:]
        for domain, version in pairs:
            m.opset_import.append(helper.make_opsetid(domain, version))
    return edit


def _node(index, **fields):
    def edit(m):
        n = m.graph.node[index]
        for key, value in fields.items():
            if key in ("input", "output"):
                del getattr(n, key)[:]
                getattr(n, key).extend(value)
            else:
                setattr(n, key, value)
    return edit


def _reverse_nodes(m):
    nodes = list(m.graph.node)[::-1]
    del m.graph.node[:]
    m.graph.node.extend(nodes)


def _output_name(name):
    def edit(m):
        m.graph.output[0].name = name
    return edit


# The model loader's own checks (the libonnx 1.12 checker stops at IR 8).
@pytest.mark.parametrize("edit,message", [
    (_ir(12), "the model's IR version 12 is newer than quantc supports (IR versions 3 to 11)"),
    (_ir(2), "the model's IR version 2 predates opset imports; quantc reads IR versions 3 to 11"),
    (_opsets(("", 13), ("ai.onnx", 13)), "the model imports domain 'ai.onnx' twice"),
    (_opsets(("ai.onnx.ml", 3)), "the model does not import the default ONNX domain (ai.onnx)"),
    (_opsets(("", 0)), "the model imports domain 'ai.onnx' at version 0"),
    (_node(0, domain="com.microsoft"),
     "node 'neg' (#0, Neg) is in domain 'com.microsoft', which the model does not import"),
    (lambda m: (_opsets(("", 13), ("com.microsoft", 1))(m), _node(1, domain="com.microsoft")(m)),
     "node 'relu' (#1, Relu): operator domain 'com.microsoft' is not supported (quantc imports the "
     "default ONNX domain, ai.onnx)"),
    (_node(1, input=["nowhere"]), "node 'relu' (#1, Relu) reads 'nowhere', which no graph input, initializer "
                                  "or earlier node defines (the graph must be in topological order)"),
    (_reverse_nodes, "node 'relu' (#0, Relu) reads 't', which no graph input, initializer or earlier node "
                     "defines (the graph must be in topological order)"),
    (_node(1, output=["t"]), "node 'relu' (#1, Relu) writes 't', which is already defined"),
    (_node(0, output=["x"]), "node 'neg' (#0, Neg) writes 'x', which is already defined"),
    (_output_name("missing"), "graph output 'missing' is not defined by any node, input or initializer"),
    # Beyond IR 8 the checker does not run; the loader's checks still do.
    (lambda m: (_ir(10)(m), _node(1, input=["nowhere"])(m)), "node 'relu' (#1, Relu) reads 'nowhere'"),
], ids=["ir12", "ir2", "domain_twice", "no_default_domain", "opset0", "domain_not_imported",
        "domain_unsupported", "undefined_input", "not_topological", "written_twice", "shadows_input",
        "output_undefined", "ir10_undefined_input"])
def test_model_loader_rejects(tools, tmp_path, edit, message):
    m = chain_model()
    edit(m)
    proc = compile_fp32(tools, tmp_path, m)
    expect(proc, 1, message)


# Models saved by a current onnx package carry IR 9-11: they load, and the
# result is right (y = relu(-x)).
@pytest.mark.parametrize("ir", [9, 10, 11])
def test_model_loader_reads_new_ir_versions(tools, tmp_path, ir):
    m = chain_model()
    m.ir_version = ir
    p = save_model(m, tmp_path / "m.onnx")
    so = tmp_path / "m.so"
    proc = run([tools["quantc"], "compile", p, "--precision", "fp32", "-o", so, "--emit", "shared"], tmp_path)
    expect(proc, 0)
    x = np.array([[1.5, -2.0, 0.0], [-0.25, 3.0, -7.0]], np.float32)
    np.testing.assert_array_equal(quantc.load(so)(x), np.maximum(-x, 0))


@pytest.mark.parametrize("content,message", [
    (b"", "invalid ONNX model: it has no ir_version"),
    (b"\xff" * 64, "not a valid ONNX model: the protobuf does not parse"),
    (None, "not a valid ONNX model"),  # truncated
])
def test_broken_onnx_file(tools, tmp_path, content, message):
    if content is None:
        content = gemm_model().SerializeToString()[:-7]
    p = tmp_path / "m.onnx"
    p.write_bytes(content)
    proc = run([tools["quantc"], "compile", p, "--precision", "fp32",
                "-o", tmp_path / "m.o"], tmp_path)
    expect(proc, 1, message)


def test_raw_data_wrong_size(tools, tmp_path):
    m = gemm_model()
    m.graph.initializer[0].raw_data = b"\0" * 5
    proc = compile_fp32(tools, tmp_path, m)
    expect(proc, 1, "tensor 'W': raw_data has the wrong size")


@pytest.mark.parametrize("dtype,message", [
    (TensorProto.FLOAT, "float_data has the wrong size"),
    (TensorProto.DOUBLE, "double_data has the wrong size"),
    (TensorProto.INT64, "the data field has the wrong size"),
])
def test_huge_initializer_without_data(tools, tmp_path, dtype, message):
    """Found by quantc-fuzz-onnx: a 2^30-element initializer holding no data
    was allocated (4-8 GiB) before its size was checked. Run with a 2 GiB
    address-space limit, so allocating first fails the test (not under
    ASan, whose shadow memory needs more)."""
    import os
    import resource
    m = unary_model("Relu")
    t = m.graph.initializer.add()
    t.name, t.data_type = "big", dtype
    t.dims.append(1 << 30)
    # One value, in the field of its type; IR 10 so that onnx::checker
    # (IR <= 8) does not see it first: the importer's own check must hold.
    {TensorProto.FLOAT: t.float_data, TensorProto.DOUBLE: t.double_data,
     TensorProto.INT64: t.int64_data}[dtype].append(1)
    m.ir_version = 10
    p = save_model(m, tmp_path / "m.onnx")

    def limit():
        if not os.environ.get("ASAN_OPTIONS"):
            resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    proc = subprocess.run([str(tools["quantc"]), "compile", str(p), "--precision", "fp32", "-o",
                           str(tmp_path / "m.o")], cwd=tmp_path, capture_output=True, text=True,
                          timeout=TIMEOUT, preexec_fn=limit)
    expect(proc, 1, f"tensor 'big': {message}")


def test_external_data_refused(tools, tmp_path):
    m = gemm_model()
    w = m.graph.initializer[0]
    w.ClearField("raw_data")
    w.data_location = TensorProto.EXTERNAL
    entry = w.external_data.add()
    entry.key, entry.value = "location", "/etc/passwd"
    proc = compile_fp32(tools, tmp_path, m)
    expect(proc, 1, "external data")


def test_unsupported_operator(tools, tmp_path):
    proc = compile_fp32(tools, tmp_path, unary_model("Celu"))
    expect(proc, 1, "unsupported ONNX operator 'Celu'")


@pytest.mark.parametrize("where,value,message", [
    ("W", np.nan, "weight 'W' of 'y' holds NaN at element 5"),
    ("W", np.inf, "weight 'W' of 'y' holds +Inf at element 5"),
    ("W", -np.inf, "weight 'W' of 'y' holds -Inf at element 5"),
    ("B", np.nan, "bias 'B' of 'y' holds NaN at element 1"),
    ("B", -np.inf, "bias 'B' of 'y' holds -Inf at element 1"),
])
def test_non_finite_weights_int8(tools, tmp_path, where, value, message):
    w = np.ones((3, 4), np.float32)
    b = np.zeros(3, np.float32)
    (w.reshape(-1) if where == "W" else b)[5 if where == "W" else 1] = value
    proc = compile_int8(tools, tmp_path, gemm_model(w, b), good_samples())
    expect(proc, 1, message, "int8 quantization needs finite weights")


def test_non_finite_weights_dynamic(tools, tmp_path):
    w = np.ones((3, 4), np.float32)
    w[0, 0] = np.nan
    p = save_model(gemm_model(w), tmp_path / "m.onnx")
    proc = run([tools["quantc"], "compile", p, "--mode", "dynamic",
                "-o", tmp_path / "m.o"], tmp_path)
    expect(proc, 1, "weight 'W' of 'y' holds NaN at element 0")


def test_non_finite_weights_fp32_compiles(tools, tmp_path):
    """fp32 keeps ONNX (IEEE) semantics: NaN weights compile."""
    w = np.ones((3, 4), np.float32)
    w[0, 0] = np.nan
    proc = compile_fp32(tools, tmp_path, gemm_model(w))
    expect(proc, 0)
    assert (tmp_path / "m.h").exists()


# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("flags,message", [
    (["--target", "mips-unknown-none"],
     "--target 'mips-unknown-none' is not supported: quantc generates code "
     "for x86_64 and aarch64 only"),
    (["--target", "riscv64-linux-gnu"], "is not supported"),
    (["--target", "nonsense-arch-zzz"], "unknown target"),
    (["--target", "x86_64-linux-gnu", "--mcpu", "pentium-mmmx"],
     "unknown CPU 'pentium-mmmx'"),
])
def test_bad_target_before_any_work(tools, tmp_path, flags, message):
    """The target is checked first: the model path does not even exist."""
    proc = run([tools["quantc"], "compile", tmp_path / "absent.onnx",
                "--calibration-data", tmp_path / "absent.npy",
                "-o", tmp_path / "m.o", *flags], tmp_path)
    expect(proc, 1, message)


# ---------------------------------------------------------------------------
# Calibration data: .npy, .npz, directories
# ---------------------------------------------------------------------------

NPY_CASES = {
    "shape_overflow": (npy_bytes(npy_header(shape=(2**56 + 1, 1, 8, 8)),
                                 b"\0" * 64),
                       "shape (72057594037927937, 1, 8, 8) is too large"),
    "shape_product_wraps": (npy_bytes(npy_header(shape=(2**32, 2**32, 4))),
                            "is too large"),
    "shape_above_cap": (npy_bytes(npy_header(shape=(2**33, 4))),
                        "is too large"),
    "negative_dim": (npy_bytes(npy_header(shape=(-8, 4))),
                     "bad dimension '-8'"),
    "truncated_data": (npy_bytes(npy_header(shape=(8, 4)), b"\0" * 16),
                       "expected 32 elements but the data is too short"),
    "bad_magic": (b"\x93NUMPX" + b"\0" * 100, "missing the \\x93NUMPY magic"),
    "version_9": (npy_bytes(npy_header(), version=9),
                  "unknown format version 9"),
    "header_past_end": (b"\x93NUMPY\x01\x00\xff\xff{'descr'",
                        "truncated header"),
    "big_endian": (npy_bytes(npy_header(descr=">f4"), b"\0" * 32),
                   "dtype '>f4' is not a little-endian numeric type"),
    "fortran": (npy_bytes(npy_header(fortran=True), b"\0" * 32),
                "Fortran-ordered arrays are not supported"),
    "object_dtype": (npy_bytes(npy_header(descr="|O"), b"\0" * 64),
                     "is not a little-endian numeric type"),
    "huge_element_size": (npy_bytes(npy_header(descr="<f99999999999"),
                                    b"\0" * 32),
                          "cannot parse the dtype"),
    "int_for_float": (npy_bytes(npy_header(descr="<i4"), b"\0" * 32),
                      "expected dtype float32, float64 or float16, got '<i4'"),
    "wrong_shape": (npy_bytes(npy_header(shape=(2, 5)), b"\0" * 40),
                    "expected calibration data of shape (N, 1, 4) or (N, 4), "
                    "got (2, 5)"),
    "zero_samples": (npy_bytes(npy_header(shape=(0, 4))), "holds no samples"),
    "no_shape": (npy_bytes("{'descr': '<f4', 'fortran_order': False}"),
                 "cannot parse the shape"),
}


@pytest.mark.parametrize("case", sorted(NPY_CASES))
def test_npy(tools, tmp_path, case):
    content, message = NPY_CASES[case]
    (tmp_path / "calib.npy").write_bytes(content)
    p = save_model(gemm_model(), tmp_path / "m.onnx")
    proc = run([tools["quantc"], "compile", p, "--calibration-data",
                tmp_path / "calib.npy", "-o", tmp_path / "m.o"], tmp_path)
    expect(proc, 1, message)


def test_npz_huge_declared_size(tools, tmp_path):
    npz_with_huge_size(tmp_path / "calib.npz")
    p = save_model(gemm_model(), tmp_path / "m.onnx")
    proc = run([tools["quantc"], "compile", p, "--calibration-data",
                tmp_path / "calib.npz", "-o", tmp_path / "m.o"], tmp_path)
    expect(proc, 1, "calib.npz:x.npy': the entry declares 4611686018427387904 "
                    "uncompressed bytes")


def _npz_variant(tmp_path, mutate):
    good_npz(tmp_path / "good.npz", x=good_samples())
    data = bytearray((tmp_path / "good.npz").read_bytes())
    mutate(data)
    (tmp_path / "calib.npz").write_bytes(bytes(data))
    return tmp_path / "calib.npz"


def _eocd(data):
    return data.rfind(b"PK\x05\x06")


NPZ_CASES = {
    "cd_offset_past_end": (
        lambda d: d.__setitem__(slice(_eocd(d) + 16, _eocd(d) + 20),
                                struct.pack("<I", 0x7FFFFFF0)),
        "the central directory lies outside the file"),
    "cd_size_huge": (
        lambda d: d.__setitem__(slice(_eocd(d) + 12, _eocd(d) + 16),
                                struct.pack("<I", 0xFFFFFFF0)),
        "the central directory lies outside the file"),
    "no_eocd": (
        lambda d: d.__setitem__(slice(_eocd(d), _eocd(d) + 4), b"XXXX"),
        "no zip end-of-central-directory record"),
    "zip64_locator_missing": (
        lambda d: d.__setitem__(slice(_eocd(d) + 16, _eocd(d) + 20),
                                b"\xff\xff\xff\xff"),
        "missing the zip64 locator"),
    "local_header_offset_bad": (
        lambda d: d.__setitem__(
            slice(d.find(b"PK\x01\x02") + 42, d.find(b"PK\x01\x02") + 46),
            struct.pack("<I", 0xFFFFFF00)),
        "corrupt local header of 'x.npy'"),
    "entry_size_past_end": (
        lambda d: d.__setitem__(
            slice(d.find(b"PK\x01\x02") + 20, d.find(b"PK\x01\x02") + 24),
            struct.pack("<I", 0x7FFFFFFF)),
        "entry 'x.npy' lies outside the file"),
    "compression_method_bzip2": (
        lambda d: d.__setitem__(
            slice(d.find(b"PK\x01\x02") + 10, d.find(b"PK\x01\x02") + 12),
            struct.pack("<H", 12)),
        "uses zip compression method 12"),
}


@pytest.mark.parametrize("case", sorted(NPZ_CASES))
def test_npz(tools, tmp_path, case):
    mutate, message = NPZ_CASES[case]
    calib = _npz_variant(tmp_path, mutate)
    p = save_model(gemm_model(), tmp_path / "m.onnx")
    proc = run([tools["quantc"], "compile", p, "--calibration-data", calib,
                "-o", tmp_path / "m.o"], tmp_path)
    expect(proc, 1, message)


def test_npz_corrupt_deflate(tools, tmp_path):
    np.savez_compressed(tmp_path / "good.npz", x=good_samples(64))
    data = bytearray((tmp_path / "good.npz").read_bytes())
    start = data.find(b"x.npy") + 5 + 20
    for i in range(start, start + 40):
        data[i] ^= 0x5A
    (tmp_path / "calib.npz").write_bytes(bytes(data))
    p = save_model(gemm_model(), tmp_path / "m.onnx")
    proc = run([tools["quantc"], "compile", p, "--calibration-data",
                tmp_path / "calib.npz", "-o", tmp_path / "m.o"], tmp_path)
    expect(proc, 1, "corrupt deflated data")


def test_npz_missing_input(tools, tmp_path):
    good_npz(tmp_path / "calib.npz", a=good_samples(), b=good_samples())
    p = save_model(gemm_model(), tmp_path / "m.onnx")
    proc = run([tools["quantc"], "compile", p, "--calibration-data",
                tmp_path / "calib.npz", "-o", tmp_path / "m.o"], tmp_path)
    expect(proc, 1, "has no array for model input 'x' (it holds: a, b)")


def test_calibration_directory_empty(tools, tmp_path):
    (tmp_path / "samples").mkdir()
    p = save_model(gemm_model(), tmp_path / "m.onnx")
    proc = run([tools["quantc"], "compile", p, "--calibration-data",
                tmp_path / "samples", "-o", tmp_path / "m.o"], tmp_path)
    expect(proc, 1, "contains no .npy or .npz files")


def test_calibration_directory_bad_sample(tools, tmp_path):
    d = tmp_path / "samples"
    d.mkdir()
    np.save(d / "a.npy", good_samples()[0])
    (d / "b.npy").write_bytes(npy_bytes(npy_header(shape=(2**40, 2**40))))
    p = save_model(gemm_model(), tmp_path / "m.onnx")
    proc = run([tools["quantc"], "compile", p, "--calibration-data", d,
                "-o", tmp_path / "m.o"], tmp_path)
    expect(proc, 1, "b.npy' is not a usable .npy array", "is too large")


def test_all_zero_calibration_warns(tools, tmp_path):
    """Degenerate ranges compile, with a warning naming the tensors."""
    proc = compile_int8(tools, tmp_path, gemm_model(),
                        np.zeros((8, 4), np.float32))
    expect(proc, 0, "quantc: warning: calibration saw a single value for",
           "'x'", "'y'", "all-zero or constant calibration data")


def test_good_calibration_does_not_warn(tools, tmp_path):
    proc = compile_int8(tools, tmp_path, gemm_model(), good_samples())
    expect(proc, 0)
    assert "calibration saw a single value" not in proc.stderr


# ---------------------------------------------------------------------------
# Calibration JSON files
# ---------------------------------------------------------------------------


def calibration_json(counts=None, count=16, min_=-1.0, max_=1.0):
    side = {"width": 0.01, "counts": counts if counts is not None else [16]}
    tensor = {
        "min": min_, "max": max_, "observed_min": min_, "observed_max": max_,
        "count": count,
        "histogram": {"bins": 2048, "positive": side,
                      "negative": {"width": 0.01, "counts": [0]}},
    }
    return {"version": 2, "method": "minmax", "num_samples": 1,
            "moving_average_constant": 0.01,
            "tensors": {"x": tensor, "y": dict(tensor)}}


JSON_CASES = {
    "nested_200000": ("[" * 200000 + "]" * 200000,
                      "nests arrays or objects more than 256 levels deep"),
    "nested_objects": ('{"a":' * 100000 + "1" + "}" * 100000,
                       "nests arrays or objects more than 256 levels deep"),
    "not_json": ("{tensors: nope", "is not valid JSON"),
    "no_tensors": (json.dumps({"version": 2}), 'has no "tensors" object'),
    "min_above_max": (json.dumps({"tensors": {"x": {"min": 2, "max": 1}}}),
                      "tensor 'x' needs numbers \"min\" <= \"max\""),
    "min_missing": (json.dumps({"tensors": {"x": {"max": 1}}}),
                    "tensor 'x' needs numbers"),
    "count_2^62": (json.dumps(calibration_json(counts=[2**62, 2**62])),
                   "tensor 'x' has malformed statistics"),
    "total_count_2^62": (json.dumps(calibration_json(count=2**62)),
                         "tensor 'x' has malformed statistics"),
    "count_negative": (json.dumps(calibration_json(counts=[-5])),
                       "tensor 'x' has malformed statistics"),
    # Found by quantc-fuzz-calibration-file: a histogram holding fewer
    # values than "count" (here none) crashed the percentile search.
    "histogram_empty_count_4": (json.dumps(calibration_json(counts=[0, 0], count=4)),
                                "tensor 'x' has malformed statistics"),
    "histogram_short_of_count": (json.dumps(calibration_json(counts=[3], count=4)),
                                 "tensor 'x' has malformed statistics"),
    "too_many_bins": (json.dumps(calibration_json(counts=[1] * 5000)),
                      "tensor 'x' has malformed statistics"),
    "huge_number": ('{"tensors": {"x": {"min": -1e999, "max": 1}}}',
                    "tensor 'x' needs numbers"),
}


@pytest.mark.parametrize("case", sorted(JSON_CASES))
def test_calibration_json(tools, tmp_path, case):
    text, message = JSON_CASES[case]
    (tmp_path / "c.json").write_text(text)
    p = save_model(gemm_model(), tmp_path / "m.onnx")
    proc = run([tools["quantc"], "compile", p, "--load-calibration",
                tmp_path / "c.json", "--calibration-method", "entropy",
                "-o", tmp_path / "m.o"], tmp_path)
    expect(proc, 1, message)


def test_calibration_json_absent(tools, tmp_path):
    p = save_model(gemm_model(), tmp_path / "m.onnx")
    proc = run([tools["quantc"], "compile", p, "--load-calibration",
                tmp_path / "nope.json", "-o", tmp_path / "m.o"], tmp_path)
    expect(proc, 1, "cannot read calibration file")


def test_calibration_json_valid_nesting_accepted(tools, tmp_path):
    (tmp_path / "c.json").write_text(json.dumps(calibration_json()))
    p = save_model(gemm_model(), tmp_path / "m.onnx")
    proc = run([tools["quantc"], "compile", p, "--load-calibration",
                tmp_path / "c.json", "--calibration-method", "entropy",
                "-o", tmp_path / "m.o"], tmp_path)
    expect(proc, 0)


# ---------------------------------------------------------------------------
# MLIR (quantc-opt)
# ---------------------------------------------------------------------------

QTYPE = "!quant.uniform<i8:f32, {scale}:0>"
# The type through an alias: a NaN scale makes a type unequal to itself,
# so spelled out twice it would fail as a type mismatch instead.
RELU = """!q = {q}
func.func @f(%x: tensor<4x!q>) -> tensor<4x!q> {{
  %y = qc.relu %x : (tensor<4x!q>) -> tensor<4x!q>
  return %y : tensor<4x!q>
}}
"""
POOL = """func.func @f(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x9x9xf32> {
  %y = qc.pool <max> %x {kernel = array<i64: 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x9x9xf32>
  return %y : tensor<1x1x9x9xf32>
}
"""

MLIR_CASES = {
    "nested_modules_10000": ("module {\n" * 10000 + "}\n" * 10000,
                             "nests regions, parentheses or brackets more "
                             "than 256 levels deep"),
    "nested_parens": ("func.func @f() -> " + "(" * 100000 + ")" * 100000,
                      "more than 256 levels deep"),
    "garbage": ("this is not mlir }}}", "error:"),
    "nan_scale": (RELU.format(q=QTYPE.format(scale="0x7FF8000000000000")),
                  "has quantization scale nan; scales must be finite and "
                  "positive"),
    "inf_scale": (RELU.format(q=QTYPE.format(scale="0x7FF0000000000000")),
                  "scale INF out of expressed type range"),
    "zero_scale": (RELU.format(q=QTYPE.format(scale="0.0")),
                   "error:"),
    "pool_kernel_0": (POOL, "kernel sizes must be positive"),
}


@pytest.mark.parametrize("case", sorted(MLIR_CASES))
def test_mlir(tools, tmp_path, case):
    text, message = MLIR_CASES[case]
    (tmp_path / "in.mlir").write_text(text)
    proc = run([tools["opt"], tmp_path / "in.mlir"], tmp_path)
    expect(proc, 1, message)


def test_mlir_moderate_nesting_accepted(tools, tmp_path):
    (tmp_path / "in.mlir").write_text("module {\n" * 100 + "}\n" * 100)
    proc = run([tools["opt"], tmp_path / "in.mlir"], tmp_path)
    expect(proc, 0)


# ---------------------------------------------------------------------------
# Command-line values
# ---------------------------------------------------------------------------

CLI_CASES = {
    "input_shape_syntax": (["--input-shape", "x=axb"],
                           "dimension 'a' in 'x=axb' is not a positive "
                           "integer"),
    "input_shape_zero": (["--input-shape", "x=0x4"],
                         "dimension '0' in 'x=0x4' is not a positive "
                         "integer"),
    "input_shape_overflow_digits": (["--input-shape",
                                     "x=99999999999999999999999x4"],
                                    "is not a positive integer"),
    "input_shape_no_eq": (["--input-shape", "x"], "expected NAME=D0xD1x..."),
    "input_shape_unknown": (["--input-shape", "zz=1x4"],
                            "--input-shape names 'zz', which is not a graph "
                            "input"),
    "clusters_3": (["--precision", "fp32", "--weight-clusters", "3"],
                   "--weight-clusters must be between 16 and 256, got 3"),
    "percentile_200": (["--percentile", "200"],
                       "--percentile must be in [50, 100], got 200"),
    "moving_average_0": (["--moving-average-constant", "0"],
                         "--moving-average-constant must be in (0, 1]"),
    "method_unknown": (["--calibration-method", "astrology"],
                       "unknown --calibration-method 'astrology'"),
    "name_not_c": (["--precision", "fp32", "--name", "1bad-name"],
                   "--name '1bad-name' is not a C identifier"),
    "exclude_unknown": (["--exclude-nodes", "nope"],
                        "no node or tensor is named 'nope'"),
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_cli(tools, tmp_path, case):
    flags, message = CLI_CASES[case]
    p = save_model(gemm_model(), tmp_path / "m.onnx")
    np.save(tmp_path / "calib.npy", good_samples())
    proc = run([tools["quantc"], "compile", p, "--calibration-data",
                tmp_path / "calib.npy", "-o", tmp_path / "m.o", *flags],
               tmp_path)
    expect(proc, 1, message)


def test_long_chain_compiles_one_function_per_layer(tools, tmp_path):
    """Compile time linear in graph length (docs/compile-time.md): each
    layer's loop nest is its own noinline function, so no LLVM function
    grows with the model. 64 chained elementwise layers give at least 64
    internal functions, each far smaller than the whole; the result is
    right."""
    nodes, inits, prev = [], [], "x"
    for i in range(64):
        c = f"c{i}"
        inits.append(numpy_helper.from_array(np.full((2, 3), 0.01 * (i + 1), np.float32), c))
        nodes.append(helper.make_node("Add" if i % 2 else "Mul", [prev, c], [f"t{i}"]))
        prev = f"t{i}"
    m = model(nodes, [vi("x", [2, 3])], [vi(prev, None)], inits)
    p = save_model(m, tmp_path / "m.onnx")
    proc = run([tools["quantc"], "compile", p, "--precision", "fp32", "-o", tmp_path / "m.ll",
                "--emit", "llvm"], tmp_path)
    expect(proc, 0)
    ir = (tmp_path / "m.ll").read_text()
    kernels = [line for line in ir.splitlines() if line.startswith("define internal") and "_k" in line]
    assert len(kernels) >= 64, f"{len(kernels)} layer functions for 64 layers"
    proc = run([tools["quantc"], "compile", p, "--precision", "fp32", "-o", tmp_path / "m.so", "--emit", "shared"],
               tmp_path)
    expect(proc, 0)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    want = x.copy()
    for i in range(64):
        want = want + np.float32(0.01 * (i + 1)) if i % 2 else want * np.float32(0.01 * (i + 1))
    np.testing.assert_allclose(quantc.load(tmp_path / "m.so")(x), want, rtol=1e-5, atol=1e-30)
