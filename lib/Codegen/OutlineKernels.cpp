//===- OutlineKernels.cpp - one function per layer ------------------------===//
//
// LLVM's function passes (dominator tree updates, scalar evolution, the loop
// passes) grow faster than linearly with the size of one function: a model
// of n layers emitted as one function compiled in time ~n^1.8. Each layer's
// loop nest becomes its own noinline function here, so compile time grows
// linearly with the number of layers.
//
//===----------------------------------------------------------------------===//

#include "quantc/Codegen/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace quantc {
#define GEN_PASS_DEF_QCOUTLINEKERNELS
#include "quantc/Codegen/Passes.h.inc"
} // namespace quantc

using namespace mlir;
using namespace quantc;

namespace {

/// Decides which values of the model function's body a kernel recomputes
/// instead of receiving as an argument: results of region-free,
/// side-effect-free ops (constants, views of globals) or memref.get_global,
/// whose operands are all such values too. Memoized across kernels; the
/// operand walk uses an explicit stack (chains may be long).
class Rematerializer {
public:
  explicit Rematerializer(Block &body) : body(body) {}

  bool canClone(Value v) {
    if (auto it = memo.find(v); it != memo.end())
      return it->second;
    SmallVector<std::pair<Value, bool>> stack = {{v, false}};
    while (!stack.empty()) {
      auto [value, operandsDone] = stack.pop_back_val();
      if (memo.count(value))
        continue;
      Operation *def = value.getDefiningOp();
      if (!def || def->getBlock() != &body || def->getNumRegions() != 0 ||
          !(isa<memref::GetGlobalOp>(def) || isMemoryEffectFree(def))) {
        memo[value] = false;
        continue;
      }
      if (!operandsDone) {
        stack.push_back({value, true});
        for (Value operand : def->getOperands())
          if (!memo.count(operand))
            stack.push_back({operand, false});
        continue;
      }
      memo[value] = llvm::all_of(def->getOperands(),
                                 [&](Value o) { return memo.lookup(o); });
    }
    return memo.lookup(v);
  }

  /// The ops computing `values` (all cloneable), operands first, in the
  /// order of the function body.
  SmallVector<Operation *> opsFor(ArrayRef<Value> values) {
    llvm::SetVector<Operation *> ops;
    SmallVector<Value> worklist(values.begin(), values.end());
    while (!worklist.empty()) {
      Operation *def = worklist.pop_back_val().getDefiningOp();
      if (ops.insert(def))
        llvm::append_range(worklist, def->getOperands());
    }
    SmallVector<Operation *> sorted = ops.takeVector();
    llvm::sort(sorted, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    return sorted;
  }

private:
  Block &body;
  DenseMap<Value, bool> memo;
};

struct OutlineKernelsPass
    : public quantc::impl::QCOutlineKernelsBase<OutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> models;
    for (auto f : module.getOps<func::FuncOp>())
      if (!f.isExternal() && f->hasAttr(kWorkspaceSizeAttr))
        models.push_back(f);
    SymbolTable symbols(module);
    for (func::FuncOp f : models)
      outlineAll(f, symbols);
  }

  void outlineAll(func::FuncOp f, SymbolTable &symbols) {
    if (!f.getBody().hasOneBlock())
      return;
    Block &body = f.getBody().front();
    SmallVector<Operation *> nests;
    for (Operation &op : body)
      if (op.getNumRegions() != 0 && op.getNumResults() == 0)
        nests.push_back(&op);
    Rematerializer remat(body);
    // Kernels follow the model function in the order they run.
    Operation *last = f;
    int64_t index = 0;
    for (Operation *op : nests)
      last = outline(f, op, (f.getSymName() + "_k" + Twine(index++)).str(),
                     last, remat, symbols);
  }

  func::FuncOp outline(func::FuncOp f, Operation *op, const std::string &name,
                       Operation *after, Rematerializer &remat,
                       SymbolTable &symbols) {
    MLIRContext *ctx = f.getContext();
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(op->getRegions(), used);
    used.insert(op->operand_begin(), op->operand_end());
    SmallVector<Value> args, cloned;
    for (Value v : used)
      (remat.canClone(v) ? cloned : args).push_back(v);

    OpBuilder b(ctx);
    b.setInsertionPointAfter(after);
    auto kernel = func::FuncOp::create(
        b, op->getLoc(), name,
        b.getFunctionType(ValueRange(args).getTypes(), {}));
    kernel.setPrivate();
    kernel.setNoInline(true);
    // Belt and braces: the LLVM attribute itself, whichever way func-to-llvm
    // carries no_inline.
    kernel->setAttr("passthrough",
                    b.getArrayAttr({b.getStringAttr("noinline")}));
    kernel->setAttr("llvm.linkage",
                    LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
    kernel->setAttr("qc.kernel", b.getUnitAttr());
    symbols.insert(kernel);

    Block *entry = kernel.addEntryBlock();
    IRMapping map;
    for (auto [v, arg] : llvm::zip_equal(args, entry->getArguments()))
      map.map(v, arg);
    OpBuilder kb = OpBuilder::atBlockEnd(entry);
    for (Operation *def : remat.opsFor(cloned))
      kb.clone(*def, map);

    OpBuilder cb(op);
    func::CallOp::create(cb, op->getLoc(), kernel, args);
    op->moveBefore(entry, entry->end());
    op->walk([&](Operation *inner) {
      for (OpOperand &operand : inner->getOpOperands())
        if (Value mapped = map.lookupOrNull(operand.get()))
          operand.set(mapped);
    });
    kb.setInsertionPointToEnd(entry);
    func::ReturnOp::create(kb, op->getLoc());
    return kernel;
  }
};

} // namespace
