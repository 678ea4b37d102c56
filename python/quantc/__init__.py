"""Python driver for the quantc compiler and loader for what it builds.

    import quantc
    quantc.compile("model.onnx", "digits.so", calibration_data=samples)
    model = quantc.load("digits.so")
    logits = model(x)

`compile` runs the `quantc` binary: $QUANTC_BIN, else build/bin/quantc of
the source tree this package lives in, else `quantc` on PATH. `load` opens a
shared library built with `--emit shared` through ctypes and reads the
model's signature from it.
"""

import ctypes
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections import namedtuple
from pathlib import Path

import numpy as np

__all__ = ["CompileError", "Model", "TensorSpec", "compile", "load", "find_binary", "model_name"]

_REPO_ROOT = Path(__file__).resolve().parents[2]

# --emit values implied by the output file's suffix.
_EMIT_BY_SUFFIX = {".so": "shared", ".o": "obj", ".mlir": "mlir", ".ll": "llvm", ".s": "asm"}


class CompileError(RuntimeError):
    """quantc exited with a non-zero status; the message is its stderr."""

    def __init__(self, command, returncode, stderr):
        self.command = command
        self.returncode = returncode
        self.stderr = stderr
        super().__init__(f"quantc failed with exit code {returncode}:\n{stderr.strip()}")


def find_binary():
    """Path of the quantc binary to run."""
    env = os.environ.get("QUANTC_BIN")
    if env:
        return Path(env)
    built = _REPO_ROOT / "build" / "bin" / "quantc"
    if built.exists():
        return built
    on_path = shutil.which("quantc")
    if on_path:
        return Path(on_path)
    raise FileNotFoundError(f"quantc binary not found: set QUANTC_BIN or build {built}")


def model_name(path):
    """The C symbol prefix quantc derives from an output path: the file stem
    with every non-identifier character replaced by '_', and a '_' prefix
    when it starts with a digit."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", Path(path).stem)
    return "_" + name if not name or name[0].isdigit() else name


def compile(
    model,
    output,
    calibration_data=None,
    *,
    precision="int8",
    target=None,
    mcpu=None,
    mattr=None,
    emit=None,
    name=None,
    save_calibration=None,
    load_calibration=None,
    mode=None,
    per_channel=True,
    activation_type=None,
    symmetric_activations=False,
    int16_nodes=(),
    exclude_nodes=(),
    exclude_op_types=(),
    calibration_method=None,
    percentile=None,
    moving_average_constant=None,
    strict=False,
    weight_clusters=None,
    cluster_granularity=None,
    extra_args=(),
):
    """Compiles an ONNX model with quantc and returns the output path.

    calibration_data is a path (a .npy, a .npz keyed by input name, or a
    directory of one-sample .npy/.npz files), an array of samples (one per
    row; written to a temporary .npy, float32 unless it holds integers), or
    a dict {input_name: array of samples} (written to a temporary .npz).
    calibration_method is "minmax" (the compiler's default),
    "moving-average", "percentile", "entropy" or "mse"; percentile and
    moving_average_constant parameterise those methods; strict=True rejects
    samples containing NaN/Inf instead of skipping them. emit defaults from
    the output suffix (.so -> shared, .o -> obj, .mlir, .ll, .s).
    weight_clusters=K (16..256, with precision="fp32") stores each float
    weight as K-centroid codebook indices (docs/clustering.md);
    cluster_granularity is "tensor" (default) or "channel". Raises
    CompileError with the compiler's diagnostics if it fails.

    Quantization schemes and modes (docs/quantization.md): mode is
    "static" (default), "dynamic" or "weight-only"; per_channel=False gives
    per-tensor weights; activation_type "int8" or "uint8";
    symmetric_activations; int16_nodes (16x8), exclude_nodes and
    exclude_op_types are lists of ONNX node names, output tensor names or
    operator types.
    """
    output = Path(output)
    if emit is None:
        emit = _EMIT_BY_SUFFIX.get(output.suffix)
    options = {
        "--precision": precision,
        "--target": target,
        "--mcpu": mcpu,
        "--mattr": mattr,
        "--emit": emit,
        "--name": name,
        "--save-calibration": save_calibration,
        "--load-calibration": load_calibration,
        "--mode": mode,
        "--activation-type": activation_type,
        "--calibration-method": calibration_method,
        "--percentile": percentile,
        "--moving-average-constant": moving_average_constant,
        "--weight-clusters": weight_clusters,
        "--cluster-granularity": cluster_granularity,
    }
    for flag, names in (
        ("--int16-nodes", int16_nodes),
        ("--exclude-nodes", exclude_nodes),
        ("--exclude-op-types", exclude_op_types),
    ):
        if names:
            options[flag] = ",".join(names)
    with tempfile.TemporaryDirectory(prefix="quantc-") as tmp:
        if isinstance(calibration_data, dict):
            path = Path(tmp) / "calibration.npz"
            np.savez(path, **{name: _calibration_array(a) for name, a in calibration_data.items()})
            calibration_data = path
        elif calibration_data is not None and not isinstance(calibration_data, (str, os.PathLike)):
            path = Path(tmp) / "calibration.npy"
            np.save(path, _calibration_array(calibration_data))
            calibration_data = path
        options["--calibration-data"] = calibration_data
        command = [str(find_binary()), "compile", str(model), "-o", str(output)]
        for flag, value in options.items():
            if value is not None:
                command += [flag, str(value)]
        if not per_channel:
            command.append("--per-tensor-weights")
        if symmetric_activations:
            command.append("--symmetric-activations")
        if strict:
            command.append("--strict")
        command += [str(arg) for arg in extra_args]
        result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise CompileError(command, result.returncode, result.stderr)
    return output


def _calibration_array(array):
    """Samples as the compiler reads them: integer arrays (e.g. Gather
    indices) keep their dtype, everything else becomes float32."""
    array = np.asarray(array)
    if array.dtype.kind in "iu":
        return np.ascontiguousarray(array)
    return np.ascontiguousarray(array, dtype=np.float32)


TensorSpec = namedtuple("TensorSpec", ["name", "shape", "dtype"])


class Model:
    """A compiled model in a shared library. Call it with one array per
    input (exact shape and dtype); it returns one array per output, or the
    array itself for a single-output model.

    The model's workspace (NAME_workspace_size() bytes, 64-byte aligned) is
    allocated once here and reused by every call through
    NAME_run_with_workspace, so a call allocates only its outputs. A Model is
    therefore not safe to call from several threads at once: load one per
    thread."""

    def __init__(self, path, name=None):
        self.path = Path(path).resolve()
        self.name = name or model_name(self.path)
        # ctypes resolves symbols through this handle, so models with the
        # same name in different libraries do not clash.
        self._lib = ctypes.CDLL(str(self.path))
        try:
            signature = ctypes.c_char.in_dll(self._lib, f"{self.name}_signature")
            self._run = getattr(self._lib, f"{self.name}_run_with_workspace")
            workspace_size = getattr(self._lib, f"{self.name}_workspace_size")
        except (AttributeError, ValueError) as err:
            raise ValueError(f"{self.path} does not define model '{self.name}' (pass name=)") from err
        self.signature = json.loads(ctypes.string_at(ctypes.addressof(signature)).decode())
        self._run.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p]
        self._run.restype = ctypes.c_int
        workspace_size.restype = ctypes.c_size_t
        self.workspace_size = int(workspace_size())
        # 64-byte aligned view into an over-allocated buffer.
        self._workspace = np.empty(self.workspace_size + 64, np.uint8)
        address = self._workspace.ctypes.data
        self._workspace_ptr = ctypes.c_void_p(address + (-address) % 64)
        self.inputs = [self._spec(t) for t in self.signature["inputs"]]
        self.outputs = [self._spec(t) for t in self.signature["outputs"]]

    @staticmethod
    def _spec(tensor):
        return TensorSpec(tensor["name"], tuple(tensor["shape"]), np.dtype(tensor["dtype"]))

    def run(self, *arrays):
        if len(arrays) != len(self.inputs):
            raise ValueError(f"model '{self.name}' takes {len(self.inputs)} input(s), got {len(arrays)}")
        inputs = []
        for spec, array in zip(self.inputs, arrays):
            array = np.asarray(array)
            if array.shape != spec.shape:
                raise ValueError(
                    f"input '{spec.name}' of model '{self.name}': expected shape {spec.shape}, got {array.shape}"
                )
            if array.dtype != spec.dtype:
                raise ValueError(
                    f"input '{spec.name}' of model '{self.name}': expected dtype {spec.dtype}, got {array.dtype}"
                )
            inputs.append(np.ascontiguousarray(array))
        outputs = [np.empty(spec.shape, spec.dtype) for spec in self.outputs]
        in_ptrs = (ctypes.c_void_p * len(inputs))(*(a.ctypes.data for a in inputs))
        out_ptrs = (ctypes.c_void_p * len(outputs))(*(a.ctypes.data for a in outputs))
        status = self._run(in_ptrs, out_ptrs, self._workspace_ptr)
        if status != 0:
            raise RuntimeError(f"{self.name}_run failed with status {status}")
        return outputs[0] if len(outputs) == 1 else outputs

    __call__ = run

    def __repr__(self):
        return f"<quantc.Model '{self.name}' from {self.path}>"


def load(path, name=None):
    """Loads a model compiled with `--emit shared`. name is the C symbol
    prefix, by default derived from the file name like quantc does."""
    return Model(path, name)
