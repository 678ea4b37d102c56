#!/usr/bin/env bash
# Builds quantc with AddressSanitizer + UndefinedBehaviorSanitizer
# (-DQUANTC_SANITIZE=ON) into ${BUILD_DIR:-build-asan} and runs the lit suite
# and the end-to-end suite against those binaries. Any sanitizer report makes
# the tool exit non-zero, which fails the test that ran it.
#
#   scripts/test-sanitizers.sh [pytest args...]   # default: all of test/e2e
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-asan}
# The sanitizer runtimes (libclang-rt-22-dev) come with the project's packages.
scripts/install-deps.sh
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DQUANTC_SANITIZE=ON \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
fi
cmake --build "$BUILD_DIR"
# abort_on_error: a report is a crash, never a warning a test could miss.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
/usr/lib/llvm-22/bin/lit -sv "$BUILD_DIR/test" || status=1
ARGS=("$@")
[ ${#ARGS[@]} -eq 0 ] && ARGS=(test/e2e)
QUANTC_BIN="$PWD/$BUILD_DIR/bin/quantc" /usr/bin/python3 -m pytest -q -rs \
  -p no:cacheprovider "${ARGS[@]}" || status=1
exit $status
