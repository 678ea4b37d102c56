"""Helpers shared by the sections of the speed benchmark (bench/perf/run.py):
the compile cache for quantc, a ctypes runner for what it builds, and the
pieces reused from bench/accuracy/run.py (SQNR, PyTorch FX PTQ, the zoo model
rebuild)."""

import ctypes
import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "python"))
sys.path.insert(0, str(REPO_ROOT / "bench" / "zoo"))


def _load_accuracy():
    # bench/accuracy/run.py, under a name that does not clash with this
    # benchmark's run.py.
    spec = importlib.util.spec_from_file_location("accuracy_run", REPO_ROOT / "bench" / "accuracy" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


accuracy = _load_accuracy()
sqnr_db = accuracy.sqnr_db


def file_hash(*parts):
    """sha256 over files (Path) and strings, in order."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            with open(part, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        else:
            h.update(str(part).encode())
        h.update(b"\0")
    return h.hexdigest()


class QuantcCache:
    """Compiles with one snapshot of the quantc binary into DIR/KEY.so, KEY
    being the hash of the binary, the model, the calibration data and the
    flags: a rebuilt compiler or a changed model recompiles, nothing else
    does. Every library is compiled with --name qc_model."""

    NAME = "qc_model"

    def __init__(self, binary, cache_dir):
        self.binary = Path(binary)
        self.dir = Path(cache_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.binary_hash = file_hash(self.binary)

    def compile(self, model, flags, calibration=None):
        """Returns (path of the .so, compile seconds, cached?)."""
        flags = list(flags)
        if calibration is not None:
            flags += ["--calibration-data", str(calibration)]
        parts = [self.binary_hash, Path(model), *flags]
        if calibration is not None:
            parts.append(Path(calibration))
        key = file_hash(*parts)[:24]
        lib, meta = self.dir / f"{key}.so", self.dir / f"{key}.json"
        if lib.exists() and meta.exists():
            return lib, json.loads(meta.read_text())["compile_s"], True
        tmp = self.dir / f"{key}.tmp.so"
        command = [str(self.binary), "compile", str(model), "-o", str(tmp), "--emit", "shared",
                   "--name", self.NAME, *flags]
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            raise RuntimeError(f"quantc failed ({' '.join(command)}):\n{result.stderr.strip()}")
        tmp.with_suffix(".h").unlink(missing_ok=True)
        shutil.move(tmp, lib)
        meta.write_text(json.dumps({"compile_s": round(seconds, 2), "command": command}))
        return lib, round(seconds, 2), False


class QuantcModel:
    """A library from QuantcCache, run through NAME_run_with_workspace with
    input, output and workspace buffers allocated once (what an application
    that keeps the model loaded does; NAME_run would malloc the workspace on
    every call)."""

    def __init__(self, path, name=QuantcCache.NAME):
        self._lib = ctypes.CDLL(str(path))
        signature = ctypes.c_char.in_dll(self._lib, f"{name}_signature")
        self.signature = json.loads(ctypes.string_at(ctypes.addressof(signature)).decode())
        self._run = getattr(self._lib, f"{name}_run_with_workspace")
        self._run.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
        self._run.restype = ctypes.c_int
        size = getattr(self._lib, f"{name}_workspace_size")
        size.restype = ctypes.c_size_t
        self._workspace = np.empty(size() + 64, np.uint8)
        address = self._workspace.ctypes.data
        self._ws_ptr = ctypes.c_void_p(address + (-address) % 64)
        self.inputs = [np.zeros(t["shape"], np.dtype(t["dtype"])) for t in self.signature["inputs"]]
        self.outputs = [np.zeros(t["shape"], np.dtype(t["dtype"])) for t in self.signature["outputs"]]
        self._in = (ctypes.c_void_p * len(self.inputs))(*(a.ctypes.data for a in self.inputs))
        self._out = (ctypes.c_void_p * len(self.outputs))(*(a.ctypes.data for a in self.outputs))

    def set_inputs(self, *arrays):
        for buffer, array in zip(self.inputs, arrays):
            buffer[...] = np.asarray(array).reshape(buffer.shape)

    def run(self):
        if self._run(self._in, self._out, self._ws_ptr) != 0:
            raise RuntimeError("quantc model returned an error")
        return self.outputs[0]


def median(values):
    return float(np.median(np.asarray(values, np.float64)))
