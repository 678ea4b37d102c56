//===- FlattenGlobals.cpp - constant memref globals as 1-D arrays --------===//

#include "quantc/Codegen/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace quantc {
#define GEN_PASS_DEF_QCFLATTENGLOBALS
#include "quantc/Codegen/Passes.h.inc"
} // namespace quantc

using namespace mlir;

namespace {

/// `value` with the 1-D type `flat`, or null if it cannot be reshaped.
Attribute flattenValue(Attribute value, RankedTensorType flat) {
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    return dense.reshape(flat);
  if (auto res = dyn_cast<DenseResourceElementsAttr>(value))
    return DenseResourceElementsAttr::get(flat, res.getRawHandle());
  return {};
}

struct FlattenGlobalsPass
    : quantc::impl::QCFlattenGlobalsBase<FlattenGlobalsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringMap<MemRefType> flattened;
    for (auto global : module.getOps<memref::GlobalOp>()) {
      MemRefType type = global.getType();
      auto init = global.getInitialValue();
      if (type.getRank() < 2 || !type.hasStaticShape() ||
          !type.getLayout().isIdentity() || !init)
        continue;
      auto flatType =
          MemRefType::get({type.getNumElements()}, type.getElementType(),
                          MemRefLayoutAttrInterface(), type.getMemorySpace());
      Attribute value =
          flattenValue(*init, RankedTensorType::get({type.getNumElements()},
                                                    type.getElementType()));
      if (!value)
        continue;
      global.setType(flatType);
      global.setInitialValueAttr(value);
      flattened[global.getSymName()] = type;
    }
    module.walk([&](memref::GetGlobalOp get) {
      auto it = flattened.find(get.getName());
      if (it == flattened.end())
        return;
      MemRefType original = it->second;
      OpBuilder b(get);
      auto flatType = MemRefType::get(
          {original.getNumElements()}, original.getElementType(),
          MemRefLayoutAttrInterface(), original.getMemorySpace());
      Value flat =
          memref::GetGlobalOp::create(b, get.getLoc(), flatType, get.getName());
      ReassociationIndices all;
      for (int64_t i = 0; i < original.getRank(); ++i)
        all.push_back(i);
      Value shaped =
          memref::ExpandShapeOp::create(b, get.getLoc(), original, flat,
                                        SmallVector<ReassociationIndices>{all});
      get.replaceAllUsesWith(shaped);
      get.erase();
    });
  }
};

} // namespace
