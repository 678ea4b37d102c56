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
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
