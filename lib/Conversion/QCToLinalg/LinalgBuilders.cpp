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
  plan.outputZeroPoint = out.getZeroPoint();
  for (int64_t c = 0; c < channels; ++c) {
    int64_t sum = 0;
    for (int64_t i = 0; i < perChannel; ++i)
      sum += (*weights)[c * perChannel + i];
    int64_t folded = (bias ? (*bias)[c] : 0) - in.getZeroPoint() * sum;
    if (folded < INT32_MIN || folded > INT32_MAX)
      return op->emitOpError("bias of channel ")
             << c << " overflows int32 after folding the input zero point";
    plan.bias.push_back(static_cast<int32_t>(folded));
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
  Type i32 = b.getI32Type();
  auto biasType = RankedTensorType::get({(int64_t)bias.size()}, i32);
  Value biasConst = arith::ConstantOp::create(
      b, loc, biasType, DenseElementsAttr::get(biasType, ArrayRef(bias)));
  return broadcastChannels(b, loc, biasConst,
                           RankedTensorType::get(resultType.getShape(), i32));
}

Value RequantPlan::requantize(OpBuilder &b, Location loc, Value acc,
                              RankedTensorType resultType,
                              Activation act) const {
  Type i64 = b.getI64Type();
  auto vecType = RankedTensorType::get({(int64_t)multipliers.size()}, i64);
  Value mConst = arith::ConstantOp::create(
      b, loc, vecType, DenseElementsAttr::get(vecType, ArrayRef(multipliers)));
  Value sConst = arith::ConstantOp::create(
      b, loc, vecType, DenseElementsAttr::get(vecType, ArrayRef(shifts)));
  int64_t rank = resultType.getRank();
  AffineMap cm = channelMap(b.getContext(), rank, 1);
  int64_t zp = outputZeroPoint, lo = lowerBound(act, zp);
  return buildElementwise(
      b, loc, ValueRange{acc, mConst, sConst},
      {b.getMultiDimIdentityMap(rank), cm, cm}, resultType,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value wide = arith::ExtSIOp::create(nb, l, i64, args[0]);
        Value v = arith::MulIOp::create(nb, l, wide, args[1]);
        v = roundingShift(nb, l, v, args[2]);
        v = arith::AddIOp::create(nb, l, v, constI(nb, l, i64, zp));
        return clampToI8(nb, l, v, lo, 127);
      });
}
