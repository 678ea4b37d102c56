#!/usr/bin/env bash
# Installs everything quantc needs to build and test on Debian 12 (bookworm).
set -euo pipefail

packages=(
  # Toolchain and build
  cmake ninja-build ccache clang-22 lld-22 clang-format-22
  # LLVM/MLIR 22 (libMLIR.so, mlir-tblgen, lit, FileCheck, llc)
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  zlib1g-dev libzstd-dev libedit-dev libcurl4-openssl-dev libxml2-dev
  # ONNX import
  libonnx-dev libprotobuf-dev protobuf-compiler
  # Tests: models, reference, Python package
  python3-numpy python3-onnx python3-torch python3-torchvision python3-sklearn python3-pytest
  # ARM64 cross build and emulation
  g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
  # Sanitizers, fuzzers and the generated-code memory check
  libclang-rt-22-dev valgrind
  # Speed benchmark (bench/run.sh): oneDNN and XNNPACK peers, Python venv
  libdnnl-dev libxnnpack-dev libpthreadpool-dev libcpuinfo-dev python3-venv
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The benchmark's Python packages (requirements-bench.txt: onnxruntime and
# what its quantizer needs) in .venv, on top of Debian's numpy and torch.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -x "$repo/.venv/bin/python" ]; then
  echo "install-deps: creating $repo/.venv"
  /usr/bin/python3 -m venv --system-site-packages "$repo/.venv"
fi
# Only the benchmark needs it: without PyPI the build and the tests still go on.
"$repo/.venv/bin/python" -m pip install -q --disable-pip-version-check -r "$repo/requirements-bench.txt" ||
  echo "install-deps: warning: pip could not install requirements-bench.txt; bench/run.sh needs it" >&2
