//===- QCToLinalg.cpp - qc and quant casts to linalg on tensors -----------===//
//
// Float ops become f32 linalg. Quantized ops become integer arithmetic on
// their storage types following docs/quantization.md; the quantization
// parameters are compile-time constants folded into the emitted IR.
//
//===----------------------------------------------------------------------===//

#include "quantc/Conversion/Passes.h"
#include "quantc/Dialect/QC/IR/QC.h"
#include "quantc/Support/Numerics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

namespace quantc {
#define GEN_PASS_DEF_CONVERTQCTOLINALG
#include "quantc/Conversion/Passes.h.inc"
} // namespace quantc

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;

QuantStorageTypeConverter::QuantStorageTypeConverter() {
  addConversion([](Type t) { return t; });
  addConversion([](RankedTensorType t) -> Type {
    if (auto q = dyn_cast<quant::QuantizedType>(t.getElementType()))
      return t.clone(q.getStorageType());
    return t;
  });
}

namespace {

using BodyBuilder =
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// An all-parallel linalg.generic producing `resultType` from `inputs`
/// read through `maps`; `body` maps the scalar inputs to the result.
Value buildElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                       ArrayRef<AffineMap> maps, RankedTensorType resultType,
                       BodyBuilder body) {
  Value empty = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                        resultType.getElementType());
  SmallVector<AffineMap> allMaps(maps);
  allMaps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, empty, allMaps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

/// The map reading an operand of `shape` broadcast NumPy-style into a
/// result of rank `rank`.
AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> shape,
                       ArrayRef<int64_t> resultShape) {
  int64_t rank = resultShape.size();
  SmallVector<AffineExpr> exprs;
  int64_t offset = rank - shape.size();
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == 1 && resultShape[offset + i] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(offset + i, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value constI(OpBuilder &b, Location loc, Type type, int64_t v) {
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, v));
}
Value constF(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32Type(),
                                   b.getF32FloatAttr(static_cast<float>(v)));
}

/// clamp(y, lo, hi) on i64 and truncation to i8.
Value clampToI8(OpBuilder &b, Location loc, Value y, int64_t lo, int64_t hi) {
  Type i64 = b.getI64Type();
  y = arith::MaxSIOp::create(b, loc, y, constI(b, loc, i64, lo));
  y = arith::MinSIOp::create(b, loc, y, constI(b, loc, i64, hi));
  return arith::TruncIOp::create(b, loc, b.getI8Type(), y);
}

/// (v + 2^(S-1)) >> S, on i64; `shift` is an i64 value.
Value roundingShift(OpBuilder &b, Location loc, Value v, Value shift) {
  Type i64 = b.getI64Type();
  Value one = constI(b, loc, i64, 1);
  Value half = arith::ShLIOp::create(b, loc, one,
                                     arith::SubIOp::create(b, loc, shift, one));
  return arith::ShRSIOp::create(b, loc, arith::AddIOp::create(b, loc, v, half),
                                shift);
}

/// (x - zp) * multiplier, with x widened to i64.
Value centeredProduct(OpBuilder &b, Location loc, Value x, int64_t zp,
                      int64_t multiplier) {
  Type i64 = b.getI64Type();
  Value wide = arith::ExtSIOp::create(b, loc, i64, x);
  Value centered = arith::SubIOp::create(b, loc, wide, constI(b, loc, i64, zp));
  return arith::MulIOp::create(b, loc, centered,
                               constI(b, loc, i64, multiplier));
}

quant::UniformQuantizedType perTensor(Value v) {
  return dyn_cast<quant::UniformQuantizedType>(getElementTypeOrSelf(v));
}

/// Lower bound of the result after a fused activation.
int64_t lowerBound(Activation act, int64_t zp) {
  return act == Activation::Relu ? std::max<int64_t>(zp, -128) : -128;
}

/// The integer constant behind `v`: `arith.constant` or `quant.scast` of one.
DenseIntElementsAttr storageConstant(Value v) {
  if (auto scast = v.getDefiningOp<quant::StorageCastOp>())
    v = scast.getInput();
  DenseIntElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)))
    return attr;
  return {};
}

//===----------------------------------------------------------------------===//
// quant casts
//===----------------------------------------------------------------------===//

struct LowerStorageCast : OpConversionPattern<quant::StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

struct LowerQuantizeCast : OpConversionPattern<quant::QuantizeCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::QuantizeCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto q = perTensor(op.getResult());
    if (!isInt8ActivationType(op.getResult().getType()))
      return rewriter.notifyMatchFailure(op, "only i8 per-tensor qcast");
    auto resultType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getResult().getType()));
    Location loc = op.getLoc();
    double scale = q.getScale();
    int64_t zp = q.getZeroPoint();
    Value out = buildElementwise(
        rewriter, loc, adaptor.getInput(),
        {rewriter.getMultiDimIdentityMap(resultType.getRank())}, resultType,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value v = arith::DivFOp::create(b, l, args[0], constF(b, l, scale));
          v = math::RoundEvenOp::create(b, l, v);
          v = arith::AddFOp::create(b, l, v, constF(b, l, zp));
          // maxnumf maps NaN to the lower bound.
          v = arith::MaxNumFOp::create(b, l, v, constF(b, l, -128));
          v = arith::MinNumFOp::create(b, l, v, constF(b, l, 127));
          return arith::FPToSIOp::create(b, l, b.getI8Type(), v);
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

struct LowerDequantizeCast : OpConversionPattern<quant::DequantizeCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::DequantizeCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto q = perTensor(op.getInput());
    if (!q)
      return rewriter.notifyMatchFailure(op, "only per-tensor dcast");
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    double scale = q.getScale();
    int64_t zp = q.getZeroPoint();
    Value out = buildElementwise(
        rewriter, op.getLoc(), adaptor.getInput(),
        {rewriter.getMultiDimIdentityMap(resultType.getRank())}, resultType,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Type i32 = b.getI32Type();
          Value v = arith::ExtSIOp::create(b, l, i32, args[0]);
          v = arith::SubIOp::create(b, l, v, constI(b, l, i32, zp));
          v = arith::SIToFPOp::create(b, l, b.getF32Type(), v);
          return arith::MulFOp::create(b, l, v, constF(b, l, scale));
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// fully_connected
//===----------------------------------------------------------------------===//

/// acc[m, n] = init[m, n] + sum_k ext(A[m, k]) * ext(B[n, k]).
Value buildContraction(OpBuilder &b, Location loc, Value a, Value w,
                       Value init) {
  MLIRContext *ctx = b.getContext();
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {m, k}, ctx),
                                 AffineMap::get(3, 0, {n, k}, ctx),
                                 AffineMap::get(3, 0, {m, n}, ctx)};
  SmallVector<utils::IteratorType> iterators = {utils::IteratorType::parallel,
                                                utils::IteratorType::parallel,
                                                utils::IteratorType::reduction};
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{a, w}, init, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Type accType = args[2].getType();
        Value sum;
        if (isa<FloatType>(accType)) {
          sum = arith::AddFOp::create(
              nb, l, args[2], arith::MulFOp::create(nb, l, args[0], args[1]));
        } else {
          Value x = arith::ExtSIOp::create(nb, l, accType, args[0]);
          Value y = arith::ExtSIOp::create(nb, l, accType, args[1]);
          sum = arith::AddIOp::create(nb, l, args[2],
                                      arith::MulIOp::create(nb, l, x, y));
        }
        linalg::YieldOp::create(nb, l, sum);
      });
  return generic.getResult(0);
}

/// A [m, n] tensor whose rows are `bias` ([n]).
Value broadcastRows(OpBuilder &b, Location loc, Value bias,
                    RankedTensorType type) {
  MLIRContext *ctx = b.getContext();
  AffineMap map = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
  return buildElementwise(
      b, loc, bias, {map}, type,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

/// A float tensor of `type` filled with zeros.
Value zeroFilled(OpBuilder &b, Location loc, RankedTensorType type) {
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return linalg::FillOp::create(b, loc, constF(b, loc, 0), empty).getResult(0);
}

Value relu(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  return buildElementwise(
      b, loc, x, {b.getMultiDimIdentityMap(type.getRank())}, type,
      [](OpBuilder &nb, Location l, ValueRange args) -> Value {
        return arith::MaximumFOp::create(nb, l, args[0], constF(nb, l, 0));
      });
}

struct LowerFullyConnected : OpConversionPattern<FullyConnectedOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FullyConnectedOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (isQuantizedTensor(op.getType()))
      return lowerQuantized(op, adaptor, rewriter);
    Location loc = op.getLoc();
    auto type = op.getType();
    Value init = adaptor.getBias()
                     ? broadcastRows(rewriter, loc, adaptor.getBias(), type)
                     : zeroFilled(rewriter, loc, type);
    Value out = buildContraction(rewriter, loc, adaptor.getInput(),
                                 adaptor.getWeight(), init);
    if (op.getFusedActivation() == Activation::Relu)
      out = relu(rewriter, loc, out);
    rewriter.replaceOp(op, out);
    return success();
  }

  LogicalResult lowerQuantized(FullyConnectedOp op, OpAdaptor adaptor,
                               ConversionPatternRewriter &rewriter) const {
    Location loc = op.getLoc();
    auto wAttr = storageConstant(op.getWeight());
    if (!wAttr)
      return op.emitOpError("quantized weights must be constant");
    DenseIntElementsAttr bAttr;
    if (op.getBias() && !(bAttr = storageConstant(op.getBias())))
      return op.emitOpError("quantized bias must be constant");
    auto in = perTensor(op.getInput());
    auto out = perTensor(op.getResult());
    auto wType = op.getWeight().getType();
    int64_t n = wType.getDimSize(0), k = wType.getDimSize(1);
    SmallVector<double> wScales =
        getQuantScales(cast<ShapedType>(wType).getElementType());

    // Fold the input zero point into the bias: the kernel is then a plain
    // i8 x i8 dot product.
    SmallVector<int8_t> weights(wAttr.getValues<int8_t>());
    SmallVector<int32_t> bias(n);
    SmallVector<int64_t> multipliers(n), shifts(n);
    for (int64_t c = 0; c < n; ++c) {
      int64_t rowSum = 0;
      for (int64_t i = 0; i < k; ++i)
        rowSum += weights[c * k + i];
      int64_t b = bAttr ? bAttr.getValues<int32_t>()[c] : 0;
      int64_t folded = b - in.getZeroPoint() * rowSum;
      if (folded < INT32_MIN || folded > INT32_MAX)
        return op.emitOpError("bias of channel ")
               << c << " overflows int32 after folding the input zero point";
      bias[c] = static_cast<int32_t>(folded);
      double m =
          in.getScale() * wScales[wScales.size() == 1 ? 0 : c] / out.getScale();
      auto fixed = decomposeMultiplier(m);
      if (!fixed)
        return op.emitOpError("requantization multiplier ")
               << m << " of channel " << c << " is out of range";
      multipliers[c] = fixed->multiplier;
      shifts[c] = fixed->shift;
    }

    Type i32 = rewriter.getI32Type(), i64 = rewriter.getI64Type();
    auto accType = RankedTensorType::get(op.getType().getShape(), i32);
    auto biasType = RankedTensorType::get({n}, i32);
    Value biasConst = arith::ConstantOp::create(
        rewriter, loc, biasType,
        DenseElementsAttr::get(biasType, ArrayRef<int32_t>(bias)));
    Value init = broadcastRows(rewriter, loc, biasConst, accType);
    Value acc = buildContraction(rewriter, loc, adaptor.getInput(),
                                 adaptor.getWeight(), init);

    auto vecType = RankedTensorType::get({n}, i64);
    Value mConst = arith::ConstantOp::create(
        rewriter, loc, vecType,
        DenseElementsAttr::get(vecType, ArrayRef<int64_t>(multipliers)));
    Value sConst = arith::ConstantOp::create(
        rewriter, loc, vecType,
        DenseElementsAttr::get(vecType, ArrayRef<int64_t>(shifts)));
    MLIRContext *ctx = rewriter.getContext();
    AffineMap rowMap = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
    int64_t zp = out.getZeroPoint();
    int64_t lo = lowerBound(op.getFusedActivation(), zp);
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value result = buildElementwise(
        rewriter, loc, ValueRange{acc, mConst, sConst},
        {rewriter.getMultiDimIdentityMap(2), rowMap, rowMap}, resultType,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value wide = arith::ExtSIOp::create(b, l, i64, args[0]);
          Value v = arith::MulIOp::create(b, l, wide, args[1]);
          v = roundingShift(b, l, v, args[2]);
          v = arith::AddIOp::create(b, l, v, constI(b, l, i64, zp));
          return clampToI8(b, l, v, lo, 127);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// add, relu, reshape, matmul
//===----------------------------------------------------------------------===//

/// The two-operand rescale of docs/quantization.md; `b` may be null (relu).
LogicalResult buildRescale(Operation *op, ConversionPatternRewriter &rewriter,
                           ValueRange converted, ArrayRef<Value> originals,
                           Activation act, const TypeConverter *converter) {
  auto resultType = cast<RankedTensorType>(
      converter->convertType(op->getResult(0).getType()));
  auto out = perTensor(op->getResult(0));
  double maxM = 0;
  SmallVector<double> ms;
  for (Value v : originals) {
    ms.push_back(perTensor(v).getScale() / out.getScale());
    maxM = std::max(maxM, ms.back());
  }
  std::optional<int64_t> shift = rescaleShift(maxM);
  if (!shift)
    return op->emitOpError("rescale multiplier ") << maxM << " is out of range";
  SmallVector<int64_t> multipliers, zps;
  for (auto [i, m] : llvm::enumerate(ms)) {
    multipliers.push_back(
        static_cast<int64_t>(roundHalfEven(std::ldexp(m, *shift))));
    zps.push_back(perTensor(originals[i]).getZeroPoint());
  }
  SmallVector<AffineMap> maps;
  for (Value v : converted)
    maps.push_back(broadcastMap(rewriter.getContext(),
                                cast<RankedTensorType>(v.getType()).getShape(),
                                resultType.getShape()));
  int64_t zpOut = out.getZeroPoint();
  int64_t lo = lowerBound(act, zpOut);
  Value result = buildElementwise(
      rewriter, op->getLoc(), converted, maps, resultType,
      [&](OpBuilder &b, Location l, ValueRange args) -> Value {
        Value sum;
        for (auto [i, x] : llvm::enumerate(args)) {
          Value p = centeredProduct(b, l, x, zps[i], multipliers[i]);
          sum = sum ? arith::AddIOp::create(b, l, sum, p).getResult() : p;
        }
        Value v =
            roundingShift(b, l, sum, constI(b, l, b.getI64Type(), *shift));
        v = arith::AddIOp::create(b, l, v, constI(b, l, b.getI64Type(), zpOut));
        return clampToI8(b, l, v, lo, 127);
      });
  rewriter.replaceOp(op, result);
  return success();
}

struct LowerAdd : OpConversionPattern<AddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (isQuantizedTensor(op.getType()))
      return buildRescale(op, rewriter, adaptor.getOperands(),
                          {op.getLhs(), op.getRhs()}, op.getFusedActivation(),
                          getTypeConverter());
    auto type = op.getType();
    SmallVector<AffineMap> maps;
    for (Value v : adaptor.getOperands())
      maps.push_back(broadcastMap(
          op.getContext(), cast<RankedTensorType>(v.getType()).getShape(),
          type.getShape()));
    bool withRelu = op.getFusedActivation() == Activation::Relu;
    Value out = buildElementwise(
        rewriter, op.getLoc(), adaptor.getOperands(), maps, type,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value s = arith::AddFOp::create(b, l, args[0], args[1]);
          if (withRelu)
            s = arith::MaximumFOp::create(b, l, s, constF(b, l, 0));
          return s;
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

struct LowerRelu : OpConversionPattern<ReluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (isQuantizedTensor(op.getType()))
      return buildRescale(op, rewriter, adaptor.getOperands(), {op.getInput()},
                          Activation::Relu, getTypeConverter());
    rewriter.replaceOp(op, relu(rewriter, op.getLoc(), adaptor.getInput()));
    return success();
  }
};

struct LowerReshape : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value v = adaptor.getInput();
    auto inType = cast<RankedTensorType>(v.getType());
    auto outType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    if (inType.getRank() == 0 || outType.getRank() == 0)
      return rewriter.notifyMatchFailure(op, "rank-0 reshape");
    // Collapse to 1-D, then expand: both are views after bufferization.
    auto flatType = RankedTensorType::get({inType.getNumElements()},
                                          inType.getElementType());
    auto allDims = [](int64_t rank) {
      ReassociationIndices dims;
      for (int64_t i = 0; i < rank; ++i)
        dims.push_back(i);
      return SmallVector<ReassociationIndices>{dims};
    };
    if (inType.getRank() != 1)
      v = tensor::CollapseShapeOp::create(rewriter, loc, flatType, v,
                                          allDims(inType.getRank()));
    if (outType.getRank() != 1)
      v = tensor::ExpandShapeOp::create(rewriter, loc, outType, v,
                                        allDims(outType.getRank()));
    rewriter.replaceOp(op, v);
    return success();
  }
};

struct LowerMatMul : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Value zero = zeroFilled(rewriter, loc, type);
    auto mm = linalg::MatmulOp::create(
        rewriter, loc, TypeRange{type},
        ValueRange{adaptor.getLhs(), adaptor.getRhs()}, ValueRange{zero});
    rewriter.replaceOp(op, mm.getResult(0));
    return success();
  }
};

struct ConvertQCToLinalgPass
    : quantc::impl::ConvertQCToLinalgBase<ConvertQCToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    QuantStorageTypeConverter converter;
    ConversionTarget target(*ctx);
    target.addIllegalDialect<QCDialect, quant::QuantDialect>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp f) {
      return converter.isSignatureLegal(f.getFunctionType());
    });
    target.addDynamicallyLegalOp<func::ReturnOp>(
        [&](func::ReturnOp r) { return converter.isLegal(r); });
    RewritePatternSet patterns(ctx);
    populateQCToLinalgPatterns(converter, patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void quantc::populateQCToLinalgPatterns(QuantStorageTypeConverter &converter,
                                        RewritePatternSet &patterns) {
  patterns
      .add<LowerStorageCast, LowerQuantizeCast, LowerDequantizeCast,
           LowerFullyConnected, LowerAdd, LowerRelu, LowerReshape, LowerMatMul>(
          converter, patterns.getContext());
  populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                 converter);
  populateReturnOpTypeConversionPattern(patterns, converter);
}
