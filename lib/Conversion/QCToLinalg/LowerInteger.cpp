//===- LowerInteger.cpp - integer ops with explicit zero points to linalg -===//
//
// qc.dynamic_quantize, qc.matmul_integer, qc.conv_integer and qc.cast: the
// ONNX DynamicQuantizeLinear / MatMulInteger / ConvInteger / Cast ops. All
// integer arithmetic is exact (int32 accumulators); the float steps of
// dynamic_quantize are the float32 operations of the ONNX definition.
//
//===----------------------------------------------------------------------===//

#include "quantc/Conversion/Passes.h"
#include "quantc/Dialect/QC/IR/QC.h"

#include "LinalgBuilders.h"

#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;
using namespace quantc::lowering;

namespace {

/// Widens an 8-bit integer to `type`, zero- or sign-extending.
Value extend(OpBuilder &b, Location loc, Type type, Value v, bool isUnsigned) {
  if (isUnsigned)
    return arith::ExtUIOp::create(b, loc, type, v);
  return arith::ExtSIOp::create(b, loc, type, v);
}

/// A zero point (0-d, [1] or [n]) as a 1-D tensor and the map that reads it
/// for loop dimension `dim` of `numDims`.
std::pair<Value, AffineMap> zeroPointOperand(OpBuilder &b, Location loc,
                                             Value zp, int64_t numDims,
                                             int64_t dim) {
  auto t = cast<RankedTensorType>(zp.getType());
  MLIRContext *ctx = b.getContext();
  if (t.getNumElements() == 1 && t.getRank() != 1)
    zp = reshapeTo(b, loc, zp, RankedTensorType::get({1}, t.getElementType()));
  bool scalar = t.getNumElements() == 1;
  AffineExpr e =
      scalar ? getAffineConstantExpr(0, ctx) : getAffineDimExpr(dim, ctx);
  return {zp, AffineMap::get(numDims, 0, {e}, ctx)};
}

/// The scalar value of a one-element tensor.
Value scalarOf(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  if (type.getRank() != 0)
    t = reshapeTo(b, loc, t, RankedTensorType::get({}, type.getElementType()));
  return tensor::ExtractOp::create(b, loc, t, ValueRange{});
}

struct LowerDynamicQuantize : OpConversionPattern<DynamicQuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DynamicQuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t rank = xt.getRank();
    Type f32 = rewriter.getF32Type();
    // lo = min(0, min x), hi = max(0, max x): reductions into 0-d tensors
    // that start at 0; minnumf/maxnumf skip NaN.
    auto scalarType = RankedTensorType::get({}, f32);
    Value zero = constF(rewriter, loc, 0);
    Value init = fillTensor(rewriter, loc, scalarType, zero);
    SmallVector<utils::IteratorType> red(rank, utils::IteratorType::reduction);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank),
                                   AffineMap::get(rank, 0, {}, ctx)};
    auto reduce = [&](bool isMax) {
      return linalg::GenericOp::create(
                 rewriter, loc, scalarType, ValueRange{x}, ValueRange{init},
                 maps, red,
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   Value r =
                       isMax ? arith::MaxNumFOp::create(b, l, args[1], args[0])
                                   .getResult()
                             : arith::MinNumFOp::create(b, l, args[1], args[0])
                                   .getResult();
                   linalg::YieldOp::create(b, l, r);
                 })
          .getResult(0);
    };
    Value lo = scalarOf(rewriter, loc, reduce(false));
    Value hi = scalarOf(rewriter, loc, reduce(true));
    // scale = (hi - lo) / 255, 1 for an all-zero input.
    Value range = arith::SubFOp::create(rewriter, loc, hi, lo);
    Value scale =
        arith::DivFOp::create(rewriter, loc, range, constF(rewriter, loc, 255));
    Value empty =
        arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::OEQ, hi, lo);
    scale = arith::SelectOp::create(rewriter, loc, empty,
                                    constF(rewriter, loc, 1), scale);
    // zero_point = clamp(rne(0 - lo / scale), 0, 255).
    Value zpF = arith::NegFOp::create(
        rewriter, loc, arith::DivFOp::create(rewriter, loc, lo, scale));
    zpF = math::RoundEvenOp::create(rewriter, loc, zpF);
    zpF = arith::MaxNumFOp::create(rewriter, loc, zpF, zero);
    zpF = arith::MinNumFOp::create(rewriter, loc, zpF,
                                   constF(rewriter, loc, 255));
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
    auto toU8 = [&](OpBuilder &b, Location l, Value v) -> Value {
      return arith::TruncIOp::create(b, l, i8,
                                     arith::FPToSIOp::create(b, l, i32, v));
    };
    // y = clamp(rne(x / scale) + zero_point, 0, 255); NaN becomes 0.
    auto yType = RankedTensorType::get(xt.getShape(), i8);
    Value y = buildElementwise(
        rewriter, loc, x, {rewriter.getMultiDimIdentityMap(rank)}, yType,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value v = arith::DivFOp::create(b, l, args[0], scale);
          v = math::RoundEvenOp::create(b, l, v);
          v = arith::AddFOp::create(b, l, v, zpF);
          v = arith::MaxNumFOp::create(b, l, v, constF(b, l, 0));
          v = arith::MinNumFOp::create(b, l, v, constF(b, l, 255));
          return toU8(b, l, v);
        });
    Value scaleT = tensor::FromElementsOp::create(rewriter, loc, scalarType,
                                                  ValueRange{scale});
    Value zpT = tensor::FromElementsOp::create(
        rewriter, loc, RankedTensorType::get({}, i8),
        ValueRange{toU8(rewriter, loc, zpF)});
    rewriter.replaceOp(op, {y, scaleT, zpT});
    return success();
  }
};

struct LowerMatMulInteger : OpConversionPattern<MatMulIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank(), batch = rank - 2;
    // dims: batch..., m, k, n.
    int64_t numDims = rank + 1;
    SmallVector<AffineMap, 3> mm =
        batchedMatmulMaps(adaptor.getLhs(), adaptor.getRhs(), type);
    auto [azp, azpMap] = zeroPointOperand(
        rewriter, loc, adaptor.getLhsZeroPoint(), numDims, batch);
    auto [bzp, bzpMap] = zeroPointOperand(
        rewriter, loc, adaptor.getRhsZeroPoint(), numDims, batch + 2);
    SmallVector<AffineMap> maps = {mm[0], mm[1], azpMap, bzpMap, mm[2]};
    SmallVector<utils::IteratorType> its(numDims,
                                         utils::IteratorType::parallel);
    its[batch + 1] = utils::IteratorType::reduction;
    Type i32 = rewriter.getI32Type();
    Value init = fillTensor(rewriter, loc, type, constI(rewriter, loc, i32, 0));
    bool au = op.getLhsUnsigned(), bu = op.getRhsUnsigned();
    Value out =
        linalg::GenericOp::create(
            rewriter, loc, type,
            ValueRange{adaptor.getLhs(), adaptor.getRhs(), azp, bzp}, init,
            maps, its,
            [&](OpBuilder &b, Location l, ValueRange args) {
              // Named locals: the order of creation must not depend on the
              // C++ compiler's order of evaluating arguments.
              Value a32 = extend(b, l, i32, args[0], au);
              Value azp32 = extend(b, l, i32, args[2], au);
              Value a = arith::SubIOp::create(b, l, a32, azp32);
              Value w32 = extend(b, l, i32, args[1], bu);
              Value bzp32 = extend(b, l, i32, args[3], bu);
              Value w = arith::SubIOp::create(b, l, w32, bzp32);
              Value sum = arith::AddIOp::create(
                  b, l, args[4], arith::MulIOp::create(b, l, a, w));
              linalg::YieldOp::create(b, l, sum);
            })
            .getResult(0);
    rewriter.replaceOp(op, out);
    return success();
  }
};

struct LowerConvInteger : OpConversionPattern<ConvIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto type = op.getType();
    int64_t rank = type.getRank(), s = rank - 2;
    Type i16 = rewriter.getI16Type(), i32 = rewriter.getI32Type();
    // Both operands minus their zero points, in i16 (|v| <= 255): the conv
    // core then pads with 0 and accumulates exactly in i32.
    bool xu = op.getInputUnsigned(), wu = op.getWeightUnsigned();
    Value xzp =
        extend(rewriter, loc, i16,
               scalarOf(rewriter, loc, adaptor.getInputZeroPoint()), xu);
    auto xt = cast<RankedTensorType>(adaptor.getInput().getType());
    Value x = buildElementwise(
        rewriter, loc, adaptor.getInput(),
        {rewriter.getMultiDimIdentityMap(rank)}, xt.clone(i16),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::SubIOp::create(b, l, extend(b, l, i16, args[0], xu),
                                       xzp);
        });
    auto wt = cast<RankedTensorType>(adaptor.getWeight().getType());
    auto [wzp, wzpMap] =
        zeroPointOperand(rewriter, loc, adaptor.getWeightZeroPoint(), rank, 0);
    Value w = buildElementwise(
        rewriter, loc, ValueRange{adaptor.getWeight(), wzp},
        {rewriter.getMultiDimIdentityMap(rank), wzpMap}, wt.clone(i16),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value w16 = extend(b, l, i16, args[0], wu);
          Value zp16 = extend(b, l, i16, args[1], wu);
          return arith::SubIOp::create(b, l, w16, zp16);
        });
    ArrayRef<int64_t> pads = op.getPads();
    SmallVector<int64_t> low(2, 0), high(2, 0);
    low.append(pads.begin(), pads.begin() + s);
    high.append(pads.begin() + s, pads.end());
    x = padTensor(rewriter, loc, x, low, high, constI(rewriter, loc, i16, 0));
    Value acc = fillTensor(rewriter, loc, type, constI(rewriter, loc, i32, 0));
    (void)ctx;
    rewriter.replaceOp(op, buildConvolution(rewriter, loc, x, w, acc,
                                            op.getStrides(), op.getDilations(),
                                            op.getGroup()));
    return success();
  }
};

struct LowerCast : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    Type out = type.getElementType();
    bool isUnsigned = op.getInputUnsigned();
    Value result = buildElementwise(
        rewriter, op.getLoc(), adaptor.getInput(),
        {rewriter.getMultiDimIdentityMap(type.getRank())}, type,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          if (isa<IntegerType>(out))
            return extend(b, l, out, args[0], isUnsigned);
          if (isUnsigned)
            return arith::UIToFPOp::create(b, l, out, args[0]);
          return arith::SIToFPOp::create(b, l, out, args[0]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void quantc::populateQCIntegerToLinalgPatterns(
    QuantStorageTypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<LowerDynamicQuantize, LowerMatMulInteger, LowerConvInteger,
               LowerCast>(converter, patterns.getContext());
}
