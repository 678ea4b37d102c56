//===- ApproximateMath.cpp - polynomial approximations of math ops -------===//

#include "quantc/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace quantc {
#define GEN_PASS_DEF_QCAPPROXIMATEMATH
#include "quantc/Codegen/Passes.h.inc"
} // namespace quantc

using namespace mlir;

namespace {
struct ApproximateMathPass
    : quantc::impl::QCApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet expand(&getContext());
    math::populateExpansionPatterns(expand, {"powf", "fpowi"});
    if (failed(applyPatternsGreedily(getOperation(), std::move(expand))))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
