//===- Passes.h - qc dialect transformation passes --------------*- C++ -*-===//

#ifndef QUANTC_DIALECT_QC_TRANSFORMS_PASSES_H
#define QUANTC_DIALECT_QC_TRANSFORMS_PASSES_H

#include "quantc/Dialect/QC/IR/QC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace quantc {
namespace qc {

#define GEN_PASS_DECL
#include "quantc/Dialect/QC/Transforms/Passes.h.inc"

/// Adds the patterns of `qc-quantize` to `patterns`.
void populateQuantizePatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "quantc/Dialect/QC/Transforms/Passes.h.inc"

} // namespace qc
} // namespace quantc

#endif // QUANTC_DIALECT_QC_TRANSFORMS_PASSES_H
