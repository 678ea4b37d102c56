"""Reads clustered weights back from a model quantc emitted as MLIR
(`quantc compile ... --weight-clusters K --emit mlir`), independently of
the compiler: the index and codebook constants of every qc.codebook_lookup
are parsed from the text (dense literals and dense_resource hex blobs) and
the weight is rebuilt as docs/clustering.md specifies."""

import re
from dataclasses import dataclass

import numpy as np

_CONST = re.compile(r"^\s*(%[\w.]+) = arith\.constant (dense(?:_resource)?<.*>) : tensor<([^>]*)>\s*$")
_LOOKUP = re.compile(
    r"^\s*(%[\w.]+) = qc\.codebook_lookup (%[\w.]+), (%[\w.]+) \{bits = (\d+) : i64\}"
    r" : \(tensor<([^>]*)>, tensor<([^>]*)>\) -> tensor<([^>]*)>"
)
_BLOB = re.compile(r'^\s*([\w.]+): "0x([0-9A-Fa-f]*)"')

_DTYPES = {"f32": np.float32, "i8": np.int8}


def _shape_dtype(text):
    *dims, elt = text.split("x")
    return tuple(int(d) for d in dims), _DTYPES[elt]


@dataclass
class Lookup:
    """One qc.codebook_lookup: packed indices (uint8), codebook ([K] or
    [C, K]), index width and the weight shape."""

    indices: np.ndarray
    codebook: np.ndarray
    bits: int
    shape: tuple

    @property
    def per_channel(self):
        return self.codebook.ndim == 2

    def codes(self):
        """The unpacked index of every weight element, row-major."""
        n = int(np.prod(self.shape))
        if self.bits == 8:
            codes = self.indices.astype(np.int64)
        else:
            codes = np.stack([self.indices & 15, self.indices >> 4], axis=1).reshape(-1).astype(np.int64)
        assert len(codes) >= n, "index constant shorter than the weight"
        return codes[:n]

    def weight(self):
        """The weight rebuilt by table lookup (float32, self.shape)."""
        codes = self.codes()
        k = self.codebook.shape[-1]
        assert codes.max() < k, f"index {codes.max()} past a {k}-entry codebook"
        if self.per_channel:
            rows = np.repeat(np.arange(self.shape[0]), len(codes) // self.shape[0])
            return self.codebook[rows, codes].reshape(self.shape)
        return self.codebook[codes].reshape(self.shape)


def _dense(attr, shape, dtype, blobs):
    if attr.startswith("dense_resource<"):
        raw = blobs[attr[len("dense_resource<") : -1]]
        # A resource blob starts with its alignment as a 32-bit integer.
        data = np.frombuffer(raw[4:], dtype=dtype)
        return data.reshape(shape).copy()
    body = attr[len("dense<") : -1]
    if body.startswith('"0x'):
        return np.frombuffer(bytes.fromhex(body[3:-1]), dtype=dtype).reshape(shape).copy()
    values = [v for v in re.split(r"[\[\],\s]+", body) if v]
    array = np.array([float(v) if dtype == np.float32 else int(v) for v in values], dtype=dtype)
    if array.size == 1:
        return np.full(shape, array[0], dtype=dtype)
    return array.reshape(shape)


def read_lookups(mlir_text):
    """Every qc.codebook_lookup in the module text, in order."""
    blobs = {}
    for line in mlir_text.splitlines():
        m = _BLOB.match(line)
        if m:
            blobs[m.group(1)] = bytes.fromhex(m.group(2))
    constants = {}
    lookups = []
    for line in mlir_text.splitlines():
        m = _CONST.match(line)
        if m:
            constants[m.group(1)] = (m.group(2), *_shape_dtype(m.group(3)))
            continue
        m = _LOOKUP.match(line)
        if m:
            _, idx, table, bits, _, _, out = m.groups()
            indices = _dense(constants[idx][0], *constants[idx][1:], blobs).view(np.uint8)
            codebook = _dense(constants[table][0], *constants[table][1:], blobs)
            lookups.append(Lookup(indices, codebook, int(bits), _shape_dtype(out)[0]))
    return lookups


def groups(weight, per_channel):
    """The value groups one codebook covers: the tensor, or its rows."""
    return list(weight.reshape(weight.shape[0], -1)) if per_channel else [weight.reshape(-1)]


def uniform_sse(values, levels):
    """Squared error of rounding `values` to `levels` evenly spaced values
    from their minimum to their maximum (float64)."""
    values = values.astype(np.float64)
    lo, hi = values.min(), values.max()
    if hi == lo:
        return 0.0
    step = (hi - lo) / (levels - 1)
    q = lo + np.clip(np.round((values - lo) / step), 0, levels - 1) * step
    return float(np.sum((values - q) ** 2))
