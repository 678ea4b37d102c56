//===- LinalgBuilders.cpp - helpers shared by the qc lowerings -----------===//

#include "LinalgBuilders.h"

#include "quantc/Support/Numerics.h"

using namespace mlir;
using namespace quantc;
using namespace quantc::lowering;

Value quantc::lowering::fillTensor(OpBuilder &b, Location loc,
                                   RankedTensorType type, Value scalar) {
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

Value quantc::lowering::reshapeTo(OpBuilder &b, Location loc, Value v,
                                  RankedTensorType out) {
  auto in = cast<RankedTensorType>(v.getType());
  if (in == out)
    return v;
  auto all = [](int64_t rank) {
    ReassociationIndices dims;
    for (int64_t i = 0; i < rank; ++i)
      dims.push_back(i);
    return SmallVector<ReassociationIndices>{dims};
  };
  if (in.getRank() > 1)
    v = tensor::CollapseShapeOp::create(
        b, loc,
        RankedTensorType::get({in.getNumElements()}, in.getElementType()), v,
        all(in.getRank()));
  else if (in.getRank() == 0)
    v = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({1}, in.getElementType()), v,
        SmallVector<ReassociationIndices>{});
  if (out.getRank() > 1)
    return tensor::ExpandShapeOp::create(b, loc, out, v, all(out.getRank()));
  if (out.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, out, v,
                                           SmallVector<ReassociationIndices>{});
  return v;
}

SmallVector<AffineMap, 3>
quantc::lowering::batchedMatmulMaps(Value lhs, Value rhs,
                                    RankedTensorType result) {
  MLIRContext *ctx = result.getContext();
  ArrayRef<int64_t> resultShape = result.getShape();
  auto shapeOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  };
  int64_t rank = resultShape.size(), batch = rank - 2, numDims = rank + 1;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  auto operandMap = [&](ArrayRef<int64_t> shape, int64_t rowDim,
                        int64_t colDim) {
    int64_t vb = shape.size() - 2;
    SmallVector<AffineExpr> e;
    for (int64_t i = 0; i < vb; ++i) {
      int64_t outDim = batch - vb + i;
      e.push_back(shape[i] == 1 && resultShape[outDim] != 1
                      ? getAffineConstantExpr(0, ctx)
                      : d(outDim));
    }
    e.push_back(d(rowDim));
    e.push_back(d(colDim));
    return AffineMap::get(numDims, 0, e, ctx);
  };
  SmallVector<AffineExpr> oe;
  for (int64_t i = 0; i < batch; ++i)
    oe.push_back(d(i));
  oe.push_back(d(batch));
  oe.push_back(d(batch + 2));
  return {operandMap(shapeOf(lhs), batch, batch + 1),
          operandMap(shapeOf(rhs), batch + 1, batch + 2),
          AffineMap::get(numDims, 0, oe, ctx)};
}

AffineMap quantc::lowering::channelMap(MLIRContext *ctx, int64_t rank,
                                       int64_t dim) {
  return AffineMap::get(rank, 0, {getAffineDimExpr(dim, ctx)}, ctx);
}

Value quantc::lowering::broadcastChannels(OpBuilder &b, Location loc,
                                          Value perChannel,
                                          RankedTensorType type) {
  return buildElementwise(
      b, loc, perChannel, {channelMap(b.getContext(), type.getRank(), 1)}, type,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

int64_t quantc::lowering::upperBound(Activation act, const Storage &s,
                                     double scale) {
  if (act != Activation::Relu6)
    return s.qmax;
  // The code of 6.0: one float32 division, rne, + zero point.
  float q = std::nearbyint(6.0f / static_cast<float>(scale));
  return std::clamp<int64_t>(static_cast<int64_t>(q) + s.zeroPoint,
                             lowerBound(act, s), s.qmax);
}

FailureOr<RequantPlan>
quantc::lowering::planWeightedRequant(Operation *op, Value input, Value weight,
                                      Value biasValue, Value result) {
  auto weights = storageConstant<int8_t>(weight);
  if (!weights)
    return op->emitOpError("quantized weights must be an i8 constant");
  std::optional<SmallVector<int32_t>> bias;
  if (biasValue && !(bias = storageConstant<int32_t>(biasValue)))
    return op->emitOpError("quantized bias must be an i32 constant");
  auto in = perTensor(input);
  auto out = perTensor(result);
  auto wType = cast<ShapedType>(weight.getType());
  int64_t channels = wType.getDimSize(0);
  int64_t perChannel = wType.getNumElements() / channels;
  SmallVector<double> wScales = qc::getQuantScales(wType.getElementType());

  RequantPlan plan;
  plan.input = storageOf(input);
  plan.output = storageOf(result);
  plan.outputScale = out.getScale();
  unsigned accBits = plan.accumulatorType(op->getContext()).getWidth();
  int64_t accMax = accBits == 32 ? INT32_MAX : INT64_MAX / 2;
  // Every partial sum, bias first, must fit: |acc| <= |bias| + max|x| *
  // sum|w| over the stored codes x.
  int64_t inMag =
      std::max(std::abs(plan.input.qmin), std::abs(plan.input.qmax));
  for (int64_t c = 0; c < channels; ++c) {
    int64_t sum = 0, absSum = 0;
    for (int64_t i = 0; i < perChannel; ++i) {
      sum += (*weights)[c * perChannel + i];
      absSum += std::abs((*weights)[c * perChannel + i]);
    }
    int64_t b = bias ? (*bias)[c] : 0;
    // The input zero point is folded into the bias: the kernel then
    // multiplies the stored codes directly.
    int64_t folded = b - plan.input.zeroPoint * sum;
    if (static_cast<double>(inMag) * absSum + std::abs(folded) >
        static_cast<double>(accMax))
      return op->emitOpError("accumulator of channel ")
             << c << " can leave the int" << accBits << " range";
    plan.bias.push_back(folded);
    plan.absWeightSums.push_back(absSum);
    double m =
        in.getScale() * wScales[wScales.size() == 1 ? 0 : c] / out.getScale();
    auto fixed = decomposeMultiplier(m);
    if (!fixed)
      return op->emitOpError("requantization multiplier ")
             << m << " of channel " << c << " is out of range";
    plan.multipliers.push_back(fixed->multiplier);
    plan.shifts.push_back(fixed->shift);
  }
  return plan;
}

Value RequantPlan::accumulatorInit(OpBuilder &b, Location loc,
                                   RankedTensorType resultType) const {
  IntegerType acc = accumulatorType(b.getContext());
  auto biasType = RankedTensorType::get({(int64_t)bias.size()}, acc);
  DenseElementsAttr attr;
  if (acc.getWidth() == 32) {
    SmallVector<int32_t> narrow(bias.begin(), bias.end());
    attr = DenseElementsAttr::get(biasType, ArrayRef(narrow));
  } else {
    attr = DenseElementsAttr::get(biasType, ArrayRef(bias));
  }
  Value biasConst = arith::ConstantOp::create(b, loc, biasType, attr);
  return broadcastChannels(b, loc, biasConst,
                           RankedTensorType::get(resultType.getShape(), acc));
}

Value RequantPlan::requantize(OpBuilder &b, Location loc, Value acc,
                              RankedTensorType resultType,
                              Activation act) const {
  // acc * M needs 31 + 32 bits for an i32 accumulator and up to 31 + 64
  // for an i64 one.
  bool wide = accumulatorType(b.getContext()).getWidth() > 32;
  Type work = wide ? b.getIntegerType(128) : b.getI64Type();
  Type i64 = b.getI64Type();
  auto vecType = RankedTensorType::get({(int64_t)multipliers.size()}, i64);
  Value mConst = arith::ConstantOp::create(
      b, loc, vecType, DenseElementsAttr::get(vecType, ArrayRef(multipliers)));
  Value sConst = arith::ConstantOp::create(
      b, loc, vecType, DenseElementsAttr::get(vecType, ArrayRef(shifts)));
  int64_t rank = resultType.getRank();
  AffineMap cm = channelMap(b.getContext(), rank, 1);
  int64_t zp = output.zeroPoint, lo = lowerBound(act, output);
  int64_t hi = upperBound(act, output, outputScale);
  Type storage = output.type;
  return buildElementwise(
      b, loc, ValueRange{acc, mConst, sConst},
      {b.getMultiDimIdentityMap(rank), cm, cm}, resultType,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        auto widen = [&](Value v) -> Value {
          if (v.getType() == work)
            return v;
          return arith::ExtSIOp::create(nb, l, work, v);
        };
        Value acc = widen(args[0]);
        Value multiplier = widen(args[1]);
        Value v = arith::MulIOp::create(nb, l, acc, multiplier);
        v = roundingShift(nb, l, v, widen(args[2]));
        v = arith::AddIOp::create(nb, l, v, constI(nb, l, work, zp));
        return clampToStorage(nb, l, v, lo, hi, storage);
      });
}
