#!/usr/bin/env bash
# Regenerates the dialect and pass reference (from ODS) into docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target mlir-doc
mkdir -p docs/Dialects docs/Passes
cp build/docs/Dialects/QCDialect.md docs/Dialects/
cp build/docs/Passes/QCPasses.md build/docs/Passes/QCConversionPasses.md \
   build/docs/Passes/QCCodegenPasses.md docs/Passes/
