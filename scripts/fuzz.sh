#!/usr/bin/env bash
# Builds the libFuzzer targets with ASan+UBSan (every object instrumented)
# into ${BUILD_DIR:-build-fuzz} and runs each for SECONDS (default 600) on a
# seed corpus taken from the tests. Crashes land in build-fuzz/fuzz/TARGET/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   # targets: onnx npy calibration-file mlir
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-fuzz}
SECONDS_EACH=${1:-600}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(onnx npy calibration-file mlir)
SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"
# The sanitizer runtimes (libclang-rt-22-dev) come with the project's packages.
scripts/install-deps.sh
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_CXX_FLAGS="$SAN" -DCMAKE_C_FLAGS="$SAN" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DQUANTC_BUILD_FUZZERS=ON \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
fi
cmake --build "$BUILD_DIR" --target $(printf 'quantc-fuzz-%s ' "${TARGETS[@]}")

# Seed corpora from the repository's tests.
seeds() { # seeds TARGET DIR
  local target=$1 dir=$2
  mkdir -p "$dir"
  case $target in
    # test/data/onnx-backend/* are links into ../shared: follow them (-L).
    onnx) find -L test/data -name '*.onnx' -size -200k | head -200 |
            while read -r f; do cp "$f" "$dir/$(echo "$f" | tr / _)"; done
          # QDQ models (the quantized import path) from the kernel tests.
          /usr/bin/python3 - "$dir" <<'PY'
import sys
sys.path.insert(0, "test/e2e")
import onnx
from test_kernels import CONVS, GEMMS, ConvCase, GemmCase
for shape in CONVS[:4]:
    onnx.save(ConvCase(*shape).model(), f"{sys.argv[1]}/qdq_{shape[0]}.onnx")
for shape in GEMMS[:2]:
    onnx.save(GemmCase(*shape).model(), f"{sys.argv[1]}/qdq_{shape[0]}.onnx")
PY
          n=$(ls "$dir" | wc -l)
          [ "$n" -ge 50 ] || { echo "fuzz: only $n ONNX seeds in $dir" >&2; exit 1; } ;;
    mlir) find test -name '*.mlir' | while read -r f; do
            cp "$f" "$dir/$(echo "$f" | tr / _)"; done ;;
    npy) /usr/bin/python3 - "$dir" <<'PY'
import io, sys, numpy as np
d = sys.argv[1]
np.save(f"{d}/a.npy", np.zeros((3, 4), np.float32))
np.save(f"{d}/b.npy", np.ones((2, 1, 4), np.float64))
np.save(f"{d}/c.npy", np.ones((5, 4), np.float16))
np.savez(f"{d}/d.npz", x=np.zeros((2, 1, 4), np.float32), y=np.ones((2, 2), np.int32))
np.savez_compressed(f"{d}/e.npz", x=np.arange(8, dtype=np.float32).reshape(2, 4), y=np.ones((2, 2), np.int64))
PY
      ;;
    calibration-file) /usr/bin/python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
t = {"min": -1.0, "max": 2.0, "observed_min": -1.0, "observed_max": 2.0,
     "count": 40, "moving_average_min": -0.9, "moving_average_max": 1.9,
     "histogram": {"bins": 2048, "positive": {"width": 0.01, "counts": [5, 10, 0, 5]},
                   "negative": {"width": 0.02, "counts": [10, 10]}}}
json.dump({"version": 2, "method": "minmax", "num_samples": 4,
           "moving_average_constant": 0.01, "tensors": {"x": t, "y": t}},
          open(f"{d}/v2.json", "w"))
json.dump({"version": 1, "method": "minmax", "num_samples": 4,
           "tensors": {"x": {"min": 0, "max": 1}}}, open(f"{d}/v1.json", "w"))
PY
      ;;
  esac
}

status=0
for t in "${TARGETS[@]}"; do
  work="$BUILD_DIR/fuzz/$t"
  seeds "$t" "$work/seeds"
  mkdir -p "$work/corpus"
  echo "== quantc-fuzz-$t for ${SECONDS_EACH}s"
  (cd "$work" && "$OLDPWD/$BUILD_DIR/bin/quantc-fuzz-$t" corpus seeds \
      -max_total_time="$SECONDS_EACH" -rss_limit_mb=4096 -timeout=30 \
      -max_len=262144 -print_final_stats=1) || status=1
done
exit $status
