#!/usr/bin/env bash
# README command (b): install, build and run every test: the lit/FileCheck
# regression suite and the end-to-end tests (compile -> link -> run ->
# compare, x86-64 and ARM64 under qemu).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
status=0
/usr/lib/llvm-22/bin/lit -sv build/test || status=1
# The generated reference in docs/ must match the ODS it comes from.
cmake --build build --target mlir-doc >/dev/null
for f in Dialects/QCDialect.md Passes/QCPasses.md Passes/QCConversionPasses.md Passes/QCCodegenPasses.md; do
  diff -q "build/docs/$f" "docs/$f" >/dev/null || { echo "docs/$f is stale: run scripts/update-docs.sh"; status=1; }
done
QUANTC_BIN="$PWD/build/bin/quantc" /usr/bin/python3 -m pytest -q -rs -p no:cacheprovider test/e2e || status=1
exit $status
