//===- Instrument.cpp - expose activations for calibration ----------------===//

#include "quantc/Dialect/QC/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

namespace quantc::qc {
#define GEN_PASS_DEF_QCINSTRUMENT
#include "quantc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace quantc::qc

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;

namespace {
struct InstrumentPass : qc::impl::QCInstrumentBase<InstrumentPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      SmallVector<Value> observed;
      SmallVector<Attribute> names;
      llvm::StringSet<> seen;
      auto observe = [&](Value v) {
        auto type = dyn_cast<RankedTensorType>(v.getType());
        std::string name = getTensorName(v);
        if (!type || !type.getElementType().isF32() || name.empty() ||
            !seen.insert(name).second)
          return;
        observed.push_back(v);
        names.push_back(StringAttr::get(func.getContext(), name));
      };
      for (BlockArgument arg : func.getArguments())
        observe(arg);
      func.walk([&](Operation *op) {
        if (isa<QCDialect>(op->getDialect()))
          for (Value r : op->getResults())
            observe(r);
      });
      auto ret = cast<func::ReturnOp>(func.front().getTerminator());
      SmallVector<Value> results(ret.getOperands());
      results.append(observed);
      OpBuilder b(ret);
      func::ReturnOp::create(b, ret.getLoc(), results);
      ret.erase();
      SmallVector<Type> resultTypes;
      for (Value v : results)
        resultTypes.push_back(v.getType());
      func.setFunctionType(FunctionType::get(
          func.getContext(), func.getFunctionType().getInputs(), resultTypes));
      if (ArrayAttr resAttrs = func.getResAttrsAttr()) {
        SmallVector<Attribute> attrs(resAttrs.getValue());
        attrs.resize(results.size(),
                     DictionaryAttr::get(func.getContext(), {}));
        func.setResAttrsAttr(ArrayAttr::get(func.getContext(), attrs));
      }
      func->setAttr("qc.observed", ArrayAttr::get(func.getContext(), names));
    }
  }
};
} // namespace
