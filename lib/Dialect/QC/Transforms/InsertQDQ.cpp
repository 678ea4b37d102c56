//===- InsertQDQ.cpp - quantize/dequantize pairs from calibration ---------===//

#include "quantc/Calibration/Calibration.h"
#include "quantc/Dialect/QC/Transforms/Passes.h"
#include "quantc/Support/Numerics.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"

namespace quantc::qc {
#define GEN_PASS_DEF_QCINSERTQDQ
#include "quantc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace quantc::qc

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;

namespace {

/// The quantized type for a range under `scheme`.
quant::UniformQuantizedType makeActivationType(MLIRContext *ctx,
                                               const TensorRange &range,
                                               const ActivationScheme &scheme) {
  ActivationParams p = computeActivationParams(range.min, range.max, scheme);
  return quant::UniformQuantizedType::get(
      scheme.isSigned ? quant::QuantizationFlags::Signed : 0,
      IntegerType::get(ctx, scheme.bits), Float32Type::get(ctx), p.scale,
      p.zeroPoint, p.qmin, p.qmax);
}

/// The per-tensor scale of a quantized element type.
double scaleOf(Type element) {
  return cast<quant::UniformQuantizedType>(element).getScale();
}

/// If `v` is `quant.dcast` of a tensor, that tensor's element type.
Type dequantizedFrom(Value v) {
  if (auto dcast = v.getDefiningOp<quant::DequantizeCastOp>())
    return getElementTypeOrSelf(dcast.getInput().getType());
  return {};
}

struct InsertQDQPass : qc::impl::QCInsertQDQBase<InsertQDQPass> {
  using QCInsertQDQBase::QCInsertQDQBase;

  void runOnOperation() override {
    if (activationType != "int8" && activationType != "uint8") {
      getOperation().emitError("qc-insert-qdq: activation-type must be int8 "
                               "or uint8, got '")
          << activationType << "'";
      return signalPassFailure();
    }
    if (mode != "static" && mode != "weight-only") {
      getOperation().emitError("qc-insert-qdq: mode must be static or "
                               "weight-only, got '")
          << mode << "'";
      return signalPassFailure();
    }
    exclusions.nodes = excludeNodes;
    exclusions.opTypes = excludeOpTypes;
    scheme.isSigned = activationType == "int8";
    scheme.symmetric = symmetricActivations;
    wideScheme = {16, true, true};
    if (mode == "static") {
      if (calibrationFile.empty()) {
        getOperation().emitError("qc-insert-qdq needs calibration-file=PATH");
        return signalPassFailure();
      }
      auto table = readCalibrationFile(calibrationFile);
      if (!table) {
        getOperation().emitError(llvm::toString(table.takeError()));
        return signalPassFailure();
      }
      calibration = std::move(*table);
    }
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal() && failed(runOnFunction(func)))
        return signalPassFailure();
    // Names the user gave that match nothing are almost always typos.
    if (failed(exclusions.reportUnused(getOperation(), "--exclude-nodes")))
      return signalPassFailure();
    for (const std::string &name : int16Nodes)
      if (!usedInt16.contains(name)) {
        getOperation().emitError()
            << "--int16-nodes: no node or tensor is named '" << name << "'";
        return signalPassFailure();
      }
  }

  LogicalResult runOnFunction(func::FuncOp func);
  LogicalResult runWeightOnly(func::FuncOp func);

  /// Inserts qcast/dcast to `qType` after `value`; returns the dcast.
  Value insertPair(OpBuilder &b, Value value, Type qType) {
    auto tensorType = cast<RankedTensorType>(value.getType());
    auto qTensor = tensorType.clone(qType);
    auto q = quant::QuantizeCastOp::create(b, value.getLoc(), qTensor, value);
    auto dq = quant::DequantizeCastOp::create(b, value.getLoc(), tensorType, q);
    value.replaceAllUsesExcept(dq.getResult(), q.getOperation());
    return dq;
  }

  FailureOr<quant::UniformQuantizedType> typeFor(Operation *where, Value v) {
    std::string name = getTensorName(v);
    if (name.empty())
      return where->emitError("cannot quantize an unnamed tensor");
    auto it = calibration.ranges.find(name);
    if (it == calibration.ranges.end())
      return where->emitError("tensor '")
             << name << "' has no range in calibration file '"
             << calibrationFile << "'";
    return makeActivationType(where->getContext(), it->second,
                              wide.contains(v) ? wideScheme : scheme);
  }

  bool isExcluded(Operation *op) {
    if (!isa_and_nonnull<QCDialect>(op ? op->getDialect() : nullptr))
      return true;
    return exclusions.excludes(op);
  }

  /// Replaces the constant weight (and, unless `floatBias`, the bias) of a
  /// fully connected or conv op with int8/int32 constants behind scast +
  /// dcast.
  void quantizeWeights(Operation *op, double inputScale, bool floatBias);

  CalibrationTable calibration;
  ActivationScheme scheme, wideScheme;
  /// Tensors that get the 16-bit scheme.
  llvm::DenseSet<Value> wide;
  /// Set from the options when the pass runs.
  Exclusions exclusions;
  llvm::StringSet<> usedInt16;
};

LogicalResult InsertQDQPass::runOnFunction(func::FuncOp func) {
  if (mode == "weight-only")
    return runWeightOnly(func);

  // Which ops are quantized, and which tensors are 16-bit.
  llvm::DenseSet<Operation *> quantized;
  func.walk([&](Operation *op) {
    if (!isa<QCDialect>(op->getDialect()))
      return;
    OpIdentity id = identifyOp(op);
    if (!exclusions.excludes(id))
      quantized.insert(op);
    for (const std::string &name : int16Nodes) {
      if (!id.names.contains(name))
        continue;
      usedInt16.insert(name);
      wide.insert(op->getResult(0));
      for (Value v : op->getOperands()) {
        if (v.getDefiningOp<arith::ConstantOp>())
          continue;
        // Data movement keeps its input's type: widen the source.
        Operation *producer = v.getDefiningOp();
        while (producer && isa<QCDialect>(producer->getDialect()) &&
               movesDataOnly(producer)) {
          v = producer->getOperand(0);
          producer = v.getDefiningOp();
        }
        wide.insert(v);
      }
    }
  });
  // A tensor is quantized when its producer or one of its users is.
  auto needsPair = [&](Value v) {
    if (quantized.contains(v.getDefiningOp()))
      return true;
    return llvm::any_of(v.getUsers(), [&](Operation *user) {
      return quantized.contains(user);
    });
  };

  OpBuilder b(func.getContext());
  b.setInsertionPointToStart(&func.front());
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.getElementType().isF32() || !needsPair(arg))
      continue;
    FailureOr<quant::UniformQuantizedType> q = typeFor(func, arg);
    if (failed(q))
      return failure();
    insertPair(b, arg, *q);
  }

  WalkResult walk = func.walk([&](Operation *op) {
    if (!isa<QCDialect>(op->getDialect()))
      return WalkResult::advance();
    Value result = op->getResult(0);
    if (!cast<RankedTensorType>(result.getType()).getElementType().isF32() ||
        !needsPair(result))
      return WalkResult::advance();
    Type qType;
    if (movesDataOnly(op) && quantized.contains(op)) {
      // These ops move or select data; they keep the quantization
      // parameters of their input.
      qType = dequantizedFrom(op->getOperand(0));
    }
    if (!qType) {
      FailureOr<quant::UniformQuantizedType> q = typeFor(op, result);
      if (failed(q))
        return WalkResult::interrupt();
      qType = *q;
    }
    if (isa<FullyConnectedOp, ConvOp>(op) && quantized.contains(op))
      if (Type in = dequantizedFrom(op->getOperand(0)))
        quantizeWeights(op, scaleOf(in), /*floatBias=*/false);
    b.setInsertionPointAfter(op);
    insertPair(b, result, qType);
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

LogicalResult InsertQDQPass::runWeightOnly(func::FuncOp func) {
  if (!int16Nodes.empty())
    return func.emitError("int16-nodes needs mode=static");
  func.walk([&](FullyConnectedOp op) {
    if (!isExcluded(op))
      quantizeWeights(op, 0, /*floatBias=*/true);
  });
  return success();
}

void InsertQDQPass::quantizeWeights(Operation *op, double inputScale,
                                    bool floatBias) {
  // Operand 1 is the weight ([out_channels, ...]), operand 2 the bias.
  Value weightValue = op->getOperand(1);
  std::optional<SmallVector<float>> values = getConstantFloats(weightValue);
  if (!values)
    return; // Not a constant: the op stays in float.
  MLIRContext *ctx = op->getContext();
  auto wType = cast<RankedTensorType>(weightValue.getType());
  int64_t n = wType.getDimSize(0), k = wType.getNumElements() / n;

  QuantizedWeights qw =
      quantc::quantizeWeights(values->data(), n * k, n, perChannel);
  SmallVector<double> scales(qw.scales.begin(), qw.scales.end());
  SmallVector<int8_t> q(qw.codes.begin(), qw.codes.end());

  auto i8 = IntegerType::get(ctx, 8);
  auto i32 = IntegerType::get(ctx, 32);
  auto f32 = Float32Type::get(ctx);
  auto makeType = [&](IntegerType storage, ArrayRef<double> s, int64_t qmin,
                      int64_t qmax) -> Type {
    if (s.size() == 1)
      return quant::UniformQuantizedType::get(
          quant::QuantizationFlags::Signed, storage, f32, s[0], 0, qmin, qmax);
    SmallVector<int64_t> zps(s.size(), 0);
    return quant::UniformQuantizedPerAxisType::get(
        quant::QuantizationFlags::Signed, storage, f32, s, zps, 0, qmin, qmax);
  };

  OpBuilder b(op);
  Location loc = weightValue.getLoc();
  auto storage = RankedTensorType::get(wType.getShape(), i8);
  Value raw = createConstant<int8_t>(b, loc, storage, q, "weight_i8");
  Value wq = quant::StorageCastOp::create(
      b, loc, wType.clone(makeType(i8, scales, -127, 127)), raw);
  Value wd = quant::DequantizeCastOp::create(b, loc, wType, wq);
  op->setOperand(1, wd);

  if (op->getNumOperands() < 3 || floatBias)
    return;
  Value biasValue = op->getOperand(2);
  std::optional<SmallVector<float>> bias = getConstantFloats(biasValue);
  if (!bias)
    return;
  SmallVector<double> biasScales;
  for (double s : scales)
    biasScales.push_back(inputScale * s);
  SmallVector<int32_t> bq;
  int64_t c = 0;
  for (float v : *bias) {
    double s = biasScales[biasScales.size() == 1 ? 0 : c++];
    bq.push_back(
        static_cast<int32_t>(quantizeToStorage(v, s, 0, INT32_MIN, INT32_MAX)));
  }
  auto bType = cast<RankedTensorType>(biasValue.getType());
  auto bStorage = RankedTensorType::get(bType.getShape(), i32);
  Value braw = createConstant<int32_t>(b, loc, bStorage, bq, "bias_i32");
  Value bqv = quant::StorageCastOp::create(
      b, loc, bType.clone(makeType(i32, biasScales, INT32_MIN, INT32_MAX)),
      braw);
  Value bd = quant::DequantizeCastOp::create(b, loc, bType, bqv);
  op->setOperand(2, bd);
}

} // namespace
