//===- EmitCInterface.cpp - the C entry points of an emitted model --------===//
//
// The model function, after bufferization and workspace assignment, takes
// (inputs..., outputs..., workspace) as memrefs. This pass wraps it in the
// runtime-free C ABI of DESIGN.md, builds the memref descriptors from the
// caller's raw pointers, and embeds a JSON description of the I/O.
//
//===----------------------------------------------------------------------===//

#include "quantc/Codegen/Passes.h"
#include "quantc/Dialect/QC/IR/QC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/JSON.h"

namespace quantc {
#define GEN_PASS_DEF_QCEMITCINTERFACE
#include "quantc/Codegen/Passes.h.inc"
} // namespace quantc

using namespace mlir;
using namespace quantc;

namespace {

std::string dtypeName(Type t) {
  if (t.isF32())
    return "float32";
  if (t.isSignlessInteger(8))
    return "int8";
  if (t.isSignlessInteger(32))
    return "int32";
  if (t.isSignlessInteger(64))
    return "int64";
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

/// Builds the descriptor of a contiguous memref of `type` over `ptr`.
Value buildDescriptor(OpBuilder &b, Location loc, Value ptr, MemRefType type,
                      int64_t dynamicSize) {
  MLIRContext *ctx = b.getContext();
  Type i64 = b.getI64Type();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  int64_t rank = type.getRank();
  SmallVector<Type> fields = {ptrType, ptrType, i64};
  if (rank > 0) {
    fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
    fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
  }
  auto structType = LLVM::LLVMStructType::getLiteral(ctx, fields);
  auto c = [&](int64_t v) {
    return LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v));
  };
  Value desc = LLVM::PoisonOp::create(b, loc, structType);
  desc = LLVM::InsertValueOp::create(b, loc, desc, ptr, ArrayRef<int64_t>{0});
  desc = LLVM::InsertValueOp::create(b, loc, desc, ptr, ArrayRef<int64_t>{1});
  desc = LLVM::InsertValueOp::create(b, loc, desc, c(0), ArrayRef<int64_t>{2});
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t &d : shape)
    if (ShapedType::isDynamic(d))
      d = dynamicSize;
  int64_t stride = 1;
  for (int64_t i = rank - 1; i >= 0; --i) {
    desc = LLVM::InsertValueOp::create(b, loc, desc, c(shape[i]),
                                       ArrayRef<int64_t>{3, i});
    desc = LLVM::InsertValueOp::create(b, loc, desc, c(stride),
                                       ArrayRef<int64_t>{4, i});
    stride *= shape[i];
  }
  return UnrealizedConversionCastOp::create(b, loc, type, desc).getResult(0);
}

LLVM::LLVMFuncOp declare(OpBuilder &b, ModuleOp module, StringRef name,
                         Type result, ArrayRef<Type> args) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  return LLVM::LLVMFuncOp::create(b, module.getLoc(), name,
                                  LLVM::LLVMFunctionType::get(result, args));
}

struct EmitCInterfacePass
    : quantc::impl::QCEmitCInterfaceBase<EmitCInterfacePass> {
  using QCEmitCInterfaceBase::QCEmitCInterfaceBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> candidates;
    for (auto f : module.getOps<func::FuncOp>())
      if (!f.isExternal() && f.isPublic())
        candidates.push_back(f);
    if (candidates.size() != 1) {
      module.emitError("qc-emit-c-interface expects exactly one public "
                       "function, found ")
          << candidates.size();
      return signalPassFailure();
    }
    if (failed(emit(candidates.front())))
      signalPassFailure();
  }

  LogicalResult emit(func::FuncOp impl);
};

LogicalResult EmitCInterfacePass::emit(func::FuncOp impl) {
  MLIRContext *ctx = impl.getContext();
  ModuleOp module = getOperation();
  auto wsAttr = impl->getAttrOfType<IntegerAttr>(kWorkspaceSizeAttr);
  auto outNames = impl->getAttrOfType<ArrayAttr>("qc.output_names");
  if (!wsAttr || !outNames)
    return impl.emitError("qc-emit-c-interface needs the attributes '")
           << kWorkspaceSizeAttr
           << "' (run qc-assign-workspace) and 'qc.output_names'";
  int64_t wsSize = wsAttr.getInt();
  int64_t numArgs = impl.getNumArguments();
  int64_t numOutputs = outNames.size();
  int64_t numInputs = numArgs - 1 - numOutputs;
  if (numInputs < 0)
    return impl.emitError("fewer arguments than outputs + workspace");
  for (Type t : impl.getArgumentTypes())
    if (!isa<MemRefType>(t))
      return impl.emitError("every argument must be a memref, got ") << t;
  if (impl.getNumResults() != 0)
    return impl.emitError("results must have been turned into out-params");

  // The signature as JSON. 8-bit inputs and outputs of a quantized model
  // (raw int8 or uint8 codes) are described by the importer's
  // "qc.quantization" argument attribute and "qc.output_quantization"
  // function attribute: the dtype the caller uses (the memref holds uint8
  // as i8 bit patterns), the scale and the zero point.
  auto outQuantization =
      impl->getAttrOfType<ArrayAttr>("qc.output_quantization");
  llvm::json::Array inputs, outputs;
  for (int64_t i = 0; i < numInputs + numOutputs; ++i) {
    auto type = cast<MemRefType>(impl.getArgumentTypes()[i]);
    std::string name;
    if (i < numInputs) {
      if (auto n = impl.getArgAttrOfType<StringAttr>(i, qc::kNameAttr))
        name = n.str();
    } else {
      name = cast<StringAttr>(outNames[i - numInputs]).str();
    }
    llvm::json::Array shape;
    for (int64_t d : type.getShape())
      shape.push_back(d);
    llvm::json::Object entry{{"name", name},
                             {"shape", std::move(shape)},
                             {"dtype", dtypeName(type.getElementType())}};
    DictionaryAttr quantization;
    if (i < numInputs)
      quantization =
          impl.getArgAttrOfType<DictionaryAttr>(i, "qc.quantization");
    else if (outQuantization && (int64_t)outQuantization.size() == numOutputs)
      quantization = dyn_cast<DictionaryAttr>(outQuantization[i - numInputs]);
    if (quantization && type.getElementType().isSignlessInteger(8)) {
      if (auto dtype = quantization.getAs<StringAttr>("dtype"))
        entry["dtype"] = dtype.str();
      if (auto scale = quantization.getAs<FloatAttr>("scale"))
        entry["scale"] = scale.getValueAsDouble();
      if (auto zp = quantization.getAs<IntegerAttr>("zero_point"))
        entry["zero_point"] = zp.getInt();
    }
    (i < numInputs ? inputs : outputs).push_back(std::move(entry));
  }
  std::string signature;
  llvm::raw_string_ostream(signature)
      << llvm::json::Value(llvm::json::Object{{"name", modelName},
                                              {"inputs", std::move(inputs)},
                                              {"outputs", std::move(outputs)},
                                              {"workspace_size", wsSize}});

  OpBuilder b(ctx);
  Location loc = impl.getLoc();
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  b.setInsertionPointToEnd(module.getBody());

  std::string sigData = signature + '\0';
  LLVM::GlobalOp::create(
      b, loc, LLVM::LLVMArrayType::get(b.getI8Type(), sigData.size()),
      /*isConstant=*/true, LLVM::Linkage::External, modelName + "_signature",
      b.getStringAttr(sigData));

  impl.setSymName(modelName + "_impl");
  impl.setPrivate();
  // Visibility alone does not survive func-to-llvm: ask for internal
  // linkage so only the C ABI is exported from the object.
  impl->setAttr("llvm.linkage",
                LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));

  // size_t NAME_workspace_size(void)
  {
    auto f = func::FuncOp::create(b, loc, modelName + "_workspace_size",
                                  b.getFunctionType({}, {i64}));
    OpBuilder fb = OpBuilder::atBlockBegin(f.addEntryBlock());
    func::ReturnOp::create(fb, loc,
                           ValueRange{arith::ConstantOp::create(
                               fb, loc, fb.getI64IntegerAttr(wsSize))});
  }

  // int NAME_run_with_workspace(const void *const *in, void *const *out,
  //                             void *ws)
  func::FuncOp runWs;
  {
    runWs = func::FuncOp::create(
        b, loc, modelName + "_run_with_workspace",
        b.getFunctionType({ptrType, ptrType, ptrType}, {i32}));
    Block *entry = runWs.addEntryBlock();
    OpBuilder fb = OpBuilder::atBlockBegin(entry);
    SmallVector<Value> args;
    for (int64_t i = 0; i < numInputs + numOutputs; ++i) {
      Value array = entry->getArgument(i < numInputs ? 0 : 1);
      int64_t slot = i < numInputs ? i : i - numInputs;
      Value addr = LLVM::GEPOp::create(fb, loc, ptrType, ptrType, array,
                                       ArrayRef<LLVM::GEPArg>{slot});
      Value ptr = LLVM::LoadOp::create(fb, loc, ptrType, addr);
      args.push_back(buildDescriptor(
          fb, loc, ptr, cast<MemRefType>(impl.getArgumentTypes()[i]), 0));
    }
    args.push_back(buildDescriptor(
        fb, loc, entry->getArgument(2),
        cast<MemRefType>(impl.getArgumentTypes().back()), wsSize));
    func::CallOp::create(fb, loc, impl, args);
    func::ReturnOp::create(fb, loc,
                           ValueRange{arith::ConstantOp::create(
                               fb, loc, fb.getI32IntegerAttr(0))});
  }

  // int NAME_run(const void *const *in, void *const *out): allocates the
  // workspace with malloc, so it is re-entrant too.
  {
    auto mallocFn = declare(b, module, "malloc", ptrType, {i64});
    auto freeFn =
        declare(b, module, "free", LLVM::LLVMVoidType::get(ctx), {ptrType});
    auto f = func::FuncOp::create(b, loc, modelName + "_run",
                                  b.getFunctionType({ptrType, ptrType}, {i32}));
    Block *entry = f.addEntryBlock();
    OpBuilder fb = OpBuilder::atBlockBegin(entry);
    Value size = LLVM::ConstantOp::create(
        fb, loc, i64, fb.getI64IntegerAttr(std::max<int64_t>(wsSize, 1)));
    Value ws =
        LLVM::CallOp::create(fb, loc, mallocFn, ValueRange{size}).getResult();
    Value null = LLVM::ZeroOp::create(fb, loc, ptrType);
    Value failed =
        LLVM::ICmpOp::create(fb, loc, LLVM::ICmpPredicate::eq, ws, null);
    auto ifOp = scf::IfOp::create(fb, loc, TypeRange{i32}, failed,
                                  /*withElseRegion=*/true);
    {
      OpBuilder tb = ifOp.getThenBodyBuilder();
      scf::YieldOp::create(tb, loc,
                           ValueRange{arith::ConstantOp::create(
                               tb, loc, tb.getI32IntegerAttr(1))});
    }
    {
      OpBuilder eb = ifOp.getElseBodyBuilder();
      Value rc = func::CallOp::create(eb, loc, runWs,
                                      ValueRange{entry->getArgument(0),
                                                 entry->getArgument(1), ws})
                     .getResult(0);
      LLVM::CallOp::create(eb, loc, freeFn, ValueRange{ws});
      scf::YieldOp::create(eb, loc, ValueRange{rc});
    }
    func::ReturnOp::create(fb, loc, ifOp.getResults());
  }
  return success();
}

} // namespace
