//===- AssignWorkspace.cpp - temporaries in one caller-owned buffer -------===//

#include "quantc/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace quantc {
#define GEN_PASS_DEF_QCASSIGNWORKSPACE
#include "quantc/Codegen/Passes.h.inc"
} // namespace quantc

using namespace mlir;
using namespace quantc;

namespace {

constexpr int64_t kAlignment = 64;

int64_t byteSize(MemRefType type) {
  int64_t bits = type.getElementTypeBitWidth();
  return type.getNumElements() * ((bits + 7) / 8);
}

struct AssignWorkspacePass
    : quantc::impl::QCAssignWorkspaceBase<AssignWorkspacePass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal() || func.isPrivate())
        continue;
      if (failed(assign(func)))
        return signalPassFailure();
    }
  }

  LogicalResult assign(func::FuncOp func) {
    MLIRContext *ctx = func.getContext();
    auto wsType =
        MemRefType::get({ShapedType::kDynamic}, IntegerType::get(ctx, 8));
    if (failed(func.insertArgument(func.getNumArguments(), wsType,
                                   DictionaryAttr::get(ctx, {}),
                                   func.getLoc())))
      return failure();
    Value ws = func.getArguments().back();

    SmallVector<memref::AllocOp> allocs;
    func.walk([&](memref::AllocOp op) { allocs.push_back(op); });
    int64_t offset = 0;
    for (memref::AllocOp alloc : allocs) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity())
        return alloc.emitError("cannot place a dynamically shaped or strided "
                               "allocation in the workspace: ")
               << type;
      OpBuilder b(alloc);
      Value off = arith::ConstantIndexOp::create(b, alloc.getLoc(), offset);
      Value view = memref::ViewOp::create(b, alloc.getLoc(), type, ws, off,
                                          ValueRange{});
      // Deallocations of workspace buffers disappear with them.
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      alloc.replaceAllUsesWith(view);
      alloc.erase();
      offset += llvm::alignTo(byteSize(type), kAlignment);
    }
    func->setAttr(kWorkspaceSizeAttr,
                  IntegerAttr::get(IntegerType::get(ctx, 64), offset));
    return success();
  }
};

} // namespace
