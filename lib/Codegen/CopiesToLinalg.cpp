//===- CopiesToLinalg.cpp - memref.copy as linalg.copy --------------------===//

#include "quantc/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace quantc {
#define GEN_PASS_DEF_QCCOPIESTOLINALG
#include "quantc/Codegen/Passes.h.inc"
} // namespace quantc

using namespace mlir;

namespace {
struct CopiesToLinalgPass
    : quantc::impl::QCCopiesToLinalgBase<CopiesToLinalgPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp op) { copies.push_back(op); });
    for (memref::CopyOp op : copies) {
      OpBuilder b(op);
      linalg::CopyOp::create(b, op.getLoc(), op.getSource(), op.getTarget());
      op.erase();
    }
  }
};
} // namespace
