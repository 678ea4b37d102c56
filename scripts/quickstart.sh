#!/usr/bin/env bash
# README command (a): install, build, compile the bundled digits MLP to an
# int8 object file, link it into examples/digits/main.c and run it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
out=build/example
mkdir -p "$out"
set -x
build/bin/quantc compile examples/digits/mlp.onnx \
  --calibration-data examples/digits/calib.npy -o "$out/digits.o"
cc -std=c11 -O2 -I "$out" examples/digits/main.c "$out/digits.o" -lm -o "$out/digits"
"$out/digits"
