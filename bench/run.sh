#!/usr/bin/env bash
# The speed benchmark: builds its C programs, snapshots build/bin/quantc and
# runs bench/perf/run.py pinned to one core; writes docs/benchmarks.md.
#
#   bench/run.sh [--quick] [--out DIR] [any other bench/perf/run.py option]
#
# --quick: five kernel shapes and two models, minimum run counts (a few
# minutes, for development). DIR (default build-bench/) keeps the compile
# cache, the exported models and results.json. Needs build/bin/quantc
# (scripts/build.sh) and what scripts/install-deps.sh installs (oneDNN,
# XNNPACK, the .venv with onnxruntime); it runs install-deps.sh when the
# venv is missing.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/build-bench"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$(realpath -m "$2")"; shift 2 ;;
    --out=*) out="$(realpath -m "${1#--out=}")"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
command_line="bench/run.sh${args[*]:+ ${args[*]}}"

quantc="$repo/build/bin/quantc"
if [ ! -x "$quantc" ]; then
  echo "bench: $quantc not found; build it first (scripts/build.sh)" >&2
  exit 1
fi
python="$repo/.venv/bin/python"
if ! "$python" -c "import onnxruntime" 2>/dev/null; then
  "$repo/scripts/install-deps.sh"
fi

bin="$out/bin"
mkdir -p "$bin"
# A copy of the compiler: a rebuild during the run must not change what is
# measured (and the compile cache is keyed by its hash).
# A copy taken mid-relink would be truncated: retry until the copy runs.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  if cp "$quantc" "$bin/quantc.new" 2>/dev/null && "$bin/quantc.new" compile --help >/dev/null 2>&1; then
    break
  fi
  [ "$attempt" -lt 10 ] || { echo "bench: $quantc does not run" >&2; exit 1; }
  sleep 30
done
mv "$bin/quantc.new" "$bin/quantc"
build() {  # build OUTPUT COMPILER SOURCE FLAGS...: only when the source is newer
  local output="$1" compiler="$2" source="$3"
  shift 3
  if [ ! -x "$output" ] || [ "$source" -nt "$output" ] || [ "$repo/bench/kernels/timing.h" -nt "$output" ]; then
    echo "bench: building $(basename "$output")"
    "$compiler" -O2 -Wall -o "$output" "$source" "$@"
  fi
}
build "$bin/peak" clang-22 "$repo/bench/peak/peak.c"
build "$bin/qcrun" clang-22 "$repo/bench/kernels/qcrun.c" -ldl
build "$bin/peers" clang++-22 "$repo/bench/kernels/peers.cpp" -std=c++17 -ldnnl -lXNNPACK -lpthreadpool -lcpuinfo

# One thread everywhere; every process of the run is pinned to CPU 0.
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
start=$(date +%s)
taskset -c 0 "$python" "$repo/bench/perf/run.py" --out "$out" --bin-dir "$bin" --quantc "$bin/quantc" \
  --command "$command_line" ${args[@]+"${args[@]}"}
echo "bench: done in $(( $(date +%s) - start )) s"
