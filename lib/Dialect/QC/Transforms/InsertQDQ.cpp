//===- InsertQDQ.cpp - quantize/dequantize pairs from calibration ---------===//

#include "quantc/Calibration/Calibration.h"
#include "quantc/Dialect/QC/Transforms/Passes.h"
#include "quantc/Support/Numerics.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

namespace quantc::qc {
#define GEN_PASS_DEF_QCINSERTQDQ
#include "quantc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace quantc::qc

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;

namespace {

/// The int8 asymmetric activation type for a range.
quant::UniformQuantizedType activationType(MLIRContext *ctx,
                                           const TensorRange &range) {
  ActivationParams p = computeActivationParams(range.min, range.max);
  return quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, IntegerType::get(ctx, 8),
      Float32Type::get(ctx), p.scale, p.zeroPoint, -128, 127);
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
    if (calibrationFile.empty()) {
      getOperation().emitError("qc-insert-qdq needs calibration-file=PATH");
      return signalPassFailure();
    }
    auto table = readCalibrationFile(calibrationFile);
    if (!table) {
      getOperation().emitError(llvm::toString(table.takeError()));
      return signalPassFailure();
    }
    calibration = &*table;
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal() && failed(runOnFunction(func)))
        return signalPassFailure();
  }

  LogicalResult runOnFunction(func::FuncOp func);

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
    auto it = calibration->ranges.find(name);
    if (it == calibration->ranges.end())
      return where->emitError("tensor '")
             << name << "' has no range in calibration file '"
             << calibrationFile << "'";
    return activationType(where->getContext(), it->second);
  }

  /// Replaces the constant weight and bias of a fully connected op with
  /// int8/int32 constants behind scast + dcast.
  void quantizeWeights(Operation *op, double inputScale);

  const CalibrationTable *calibration = nullptr;
};

LogicalResult InsertQDQPass::runOnFunction(func::FuncOp func) {
  OpBuilder b(func.getContext());
  b.setInsertionPointToStart(&func.front());
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.getElementType().isF32())
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
    if (!cast<RankedTensorType>(result.getType()).getElementType().isF32())
      return WalkResult::advance();
    Type qType;
    if (movesDataOnly(op)) {
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
    if (isa<FullyConnectedOp, ConvOp>(op))
      if (Type in = dequantizedFrom(op->getOperand(0)))
        quantizeWeights(op, scaleOf(in));
    b.setInsertionPointAfter(op);
    insertPair(b, result, qType);
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

void InsertQDQPass::quantizeWeights(Operation *op, double inputScale) {
  // Operand 1 is the weight ([out_channels, ...]), operand 2 the bias.
  Value weightValue = op->getOperand(1);
  std::optional<SmallVector<float>> values = getConstantFloats(weightValue);
  if (!values)
    return; // Not a constant: the op stays in float.
  MLIRContext *ctx = op->getContext();
  auto wType = cast<RankedTensorType>(weightValue.getType());
  int64_t n = wType.getDimSize(0), k = wType.getNumElements() / n;

  SmallVector<double> scales;
  auto absMax = [&](int64_t begin, int64_t end) {
    double m = 0;
    for (int64_t i = begin; i < end; ++i)
      m = std::max(m, std::abs(static_cast<double>((*values)[i])));
    return m;
  };
  if (perChannel) {
    for (int64_t c = 0; c < n; ++c)
      scales.push_back(computeWeightScale(absMax(c * k, (c + 1) * k)));
  } else {
    scales.push_back(computeWeightScale(absMax(0, n * k)));
  }
  SmallVector<int8_t> q(values->size());
  for (int64_t i = 0; i < n * k; ++i) {
    double s = scales[scales.size() == 1 ? 0 : i / k];
    q[i] =
        static_cast<int8_t>(quantizeToStorage((*values)[i], s, 0, -127, 127));
  }

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

  if (op->getNumOperands() < 3)
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
