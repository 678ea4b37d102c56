#!/usr/bin/env bash
# Peak resident memory of `quantc compile` against the number of calibration
# samples: it must not grow with N (samples are read from a memory-mapped
# file one at a time and reduced into fixed-size histograms).
#
#   bench/calibration_memory.sh                 # digits MLP, N = 100, 1000, 100000
#   ZOO=/tmp/zoo COUNTS="100 1000" bench/calibration_memory.sh
#       # also resnet18 from bench/zoo/export_zoo.py --out /tmp/zoo
#       # (ZOO_MODEL=squeezenet1_1 for another 3x224x224 zoo model)
#
# METHOD (default entropy, the most expensive) selects --calibration-method.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
QUANTC=${QUANTC_BIN:-$PWD/build/bin/quantc}
METHOD=${METHOD:-entropy}
WORK=$(mktemp -d /tmp/quantc-calib-mem.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

measure() { # model shape-without-N count label
  local model=$1 shape=$2 n=$3 label=$4
  $PY -c "import numpy as np, sys
rng = np.random.default_rng(0)
x = rng.random(($n,) + tuple(int(d) for d in '$shape'.split('x')), dtype=np.float32)
np.save('$WORK/calib.npy', x)"
  local size
  size=$(du -k "$WORK/calib.npy" | cut -f1)
  /usr/bin/time -f '%M %e' -o "$WORK/time" "$QUANTC" compile "$model" \
    --calibration-data "$WORK/calib.npy" --calibration-method "$METHOD" \
    -o "$WORK/out.o" 2>/dev/null
  read -r rss secs < "$WORK/time"
  printf '%-10s N=%-6s data %8s KiB  peak RSS %8s KiB  %6s s\n' \
    "$label" "$n" "$size" "$rss" "$secs"
  rm -f "$WORK/calib.npy"
}

$PY test/e2e/digits_model.py "$WORK/digits" > /dev/null
for n in ${DIGITS_COUNTS:-100 1000 100000}; do
  measure "$WORK/digits/model.onnx" 1x8x8 "$n" digits
done

if [ -n "${ZOO:-}" ]; then
  ZOO_MODEL=${ZOO_MODEL:-resnet18}
  if [ ! -f "$ZOO/$ZOO_MODEL.onnx" ]; then
    $PY bench/zoo/export_zoo.py --out "$ZOO"
  fi
  for n in ${COUNTS:-100 1000}; do
    measure "$ZOO/$ZOO_MODEL.onnx" 3x224x224 "$n" "$ZOO_MODEL"
  done
fi
