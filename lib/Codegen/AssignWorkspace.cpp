//===- AssignWorkspace.cpp - temporaries in one caller-owned buffer -------===//

#include "quantc/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"

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

/// The live range of a buffer: positions (in the function body's op list)
/// of the top-level op that allocates it and of the last top-level op that
/// uses it or any view of it.
struct LiveRange {
  memref::AllocOp alloc;
  int64_t begin, end, size;
};

/// The op of `body` that contains `op`.
Operation *topLevel(Block &body, Operation *op) {
  while (op && op->getBlock() != &body)
    op = op->getParentOp();
  return op;
}

/// Every value that may refer to `root`'s memory: itself, and any memref
/// result of an op, or block argument of a region, fed by one of them
/// (views, casts, loop-carried buffers: conservatively all of them).
SmallVector<Value> aliasesOf(Value root) {
  SmallVector<Value> worklist = {root}, all;
  DenseSet<Value> seen = {root};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    all.push_back(v);
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      auto visit = [&](Value r) {
        if (isa<BaseMemRefType>(r.getType()) && seen.insert(r).second)
          worklist.push_back(r);
      };
      for (Value r : user->getResults())
        visit(r);
      // A buffer passed into a loop or region (scf.for iter_args).
      for (Region &region : user->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            visit(arg);
      // Yielded out of a region: the parent's results.
      if (user->hasTrait<OpTrait::IsTerminator>())
        if (Operation *parent = user->getParentOp())
          for (Value r : parent->getResults())
            visit(r);
    }
  }
  return all;
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
    Block &body = func.getBody().front();
    DenseMap<Operation *, int64_t> position;
    for (auto [i, op] : llvm::enumerate(body))
      position[&op] = static_cast<int64_t>(i);

    SmallVector<LiveRange> ranges;
    WalkResult walk = func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity()) {
        alloc.emitError("cannot place a dynamically shaped or strided "
                        "allocation in the workspace: ")
            << type;
        return WalkResult::interrupt();
      }
      LiveRange range{
          alloc, position[topLevel(body, alloc)], 0,
          static_cast<int64_t>(llvm::alignTo(byteSize(type), kAlignment))};
      range.end = range.begin;
      for (Value alias : aliasesOf(alloc.getResult()))
        for (Operation *user : alias.getUsers())
          if (!isa<memref::DeallocOp>(user))
            range.end = std::max(range.end, position[topLevel(body, user)]);
      ranges.push_back(range);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();

    // First fit in allocation order: a buffer takes the lowest offset not
    // used by a buffer still live when it is allocated. Lifetimes that meet
    // at one op (read by the op that writes the other) overlap.
    struct Placed {
      int64_t offset, size, end;
    };
    SmallVector<Placed> live;
    int64_t total = 0;
    SmallVector<int64_t> offsets;
    for (const LiveRange &r : ranges) {
      llvm::erase_if(live, [&](const Placed &p) { return p.end < r.begin; });
      llvm::sort(live, [](const Placed &a, const Placed &b) {
        return a.offset < b.offset;
      });
      int64_t offset = 0;
      for (const Placed &p : live) {
        if (offset + r.size <= p.offset)
          break;
        offset = std::max(offset, p.offset + p.size);
      }
      live.push_back({offset, r.size, r.end});
      offsets.push_back(offset);
      total = std::max(total, offset + r.size);
    }

    for (auto [r, offset] : llvm::zip(ranges, offsets)) {
      memref::AllocOp alloc = r.alloc;
      OpBuilder b(alloc);
      Value off = arith::ConstantIndexOp::create(b, alloc.getLoc(), offset);
      Value view = memref::ViewOp::create(b, alloc.getLoc(), alloc.getType(),
                                          ws, off, ValueRange{});
      // Deallocations of workspace buffers disappear with them.
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      alloc.replaceAllUsesWith(view);
      alloc.erase();
    }
    func->setAttr(kWorkspaceSizeAttr,
                  IntegerAttr::get(IntegerType::get(ctx, 64), total));
    return success();
  }
};

} // namespace
