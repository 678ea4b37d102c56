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

#include "LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace quantc {
#define GEN_PASS_DEF_CONVERTQCTOLINALG
#include "quantc/Conversion/Passes.h.inc"
} // namespace quantc

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;
using namespace quantc::lowering;

QuantStorageTypeConverter::QuantStorageTypeConverter() {
  addConversion([](Type t) { return t; });
  addConversion([](RankedTensorType t) -> Type {
    if (auto q = dyn_cast<quant::QuantizedType>(t.getElementType()))
      return t.clone(q.getStorageType());
    return t;
  });
}

namespace {

//===----------------------------------------------------------------------===//
// quant casts
//===----------------------------------------------------------------------===//

/// Flips the sign bit of `v` (integer storage) when `q` is unsigned: the
/// emitted code holds unsigned codes shifted by -2^(bits-1).
Value toStorage(OpBuilder &b, Location loc, Value v, quant::QuantizedType q) {
  if (q.isSigned())
    return v;
  auto type = cast<RankedTensorType>(v.getType());
  int64_t bit = int64_t(1) << (q.getStorageTypeIntegralWidth() - 1);
  // Over the flattened tensor: one loop LLVM vectorizes, whatever the
  // innermost dimension (a 14-wide row was left scalar).
  bool flatten = type.hasStaticShape() && type.getRank() > 1;
  auto flat =
      RankedTensorType::get({type.getNumElements()}, type.getElementType());
  Value in = flatten ? reshapeTo(b, loc, v, flat) : v;
  auto inType = cast<RankedTensorType>(in.getType());
  Value out = buildElementwise(
      b, loc, in, {b.getMultiDimIdentityMap(inType.getRank())}, inType,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        return arith::XOrIOp::create(nb, l, args[0],
                                     constI(nb, l, args[0].getType(), bit));
      });
  return flatten ? reshapeTo(b, loc, out, type) : out;
}

struct LowerStorageCast : OpConversionPattern<quant::StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Unsigned codes and their shifted storage differ in the sign bit, in
    // either direction.
    Type q = getElementTypeOrSelf(op.getInput());
    if (!isa<quant::QuantizedType>(q))
      q = getElementTypeOrSelf(op.getResult());
    rewriter.replaceOp(op, toStorage(rewriter, op.getLoc(), adaptor.getInput(),
                                     cast<quant::QuantizedType>(q)));
    return success();
  }
};

/// Per-channel (or per-tensor) scale and storage zero point of a quantized
/// tensor, and the map reading them; per-tensor ones have one entry.
struct ChannelParams {
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  int64_t axis = -1;
};

FailureOr<ChannelParams> channelParams(Type element) {
  ChannelParams p;
  if (auto q = dyn_cast<quant::UniformQuantizedType>(element)) {
    p.scales = {q.getScale()};
    p.zeroPoints = {storageOf(q, q.getZeroPoint()).zeroPoint};
    return p;
  }
  if (auto q = dyn_cast<quant::UniformQuantizedPerAxisType>(element)) {
    p.axis = q.getQuantizedDimension();
    for (auto [s, z] : llvm::zip(q.getScales(), q.getZeroPoints())) {
      p.scales.push_back(s);
      p.zeroPoints.push_back(storageOf(q, z).zeroPoint);
    }
    return p;
  }
  return failure();
}

struct LowerQuantizeCast : OpConversionPattern<quant::QuantizeCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::QuantizeCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isActivationType(op.getResult().getType()))
      return rewriter.notifyMatchFailure(op, "only per-tensor qcast");
    auto q = perTensor(op.getResult());
    Storage st = storageOf(op.getResult());
    auto resultType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getResult().getType()));
    Location loc = op.getLoc();
    double scale = q.getScale();
    Value out = buildElementwise(
        rewriter, loc, adaptor.getInput(),
        {rewriter.getMultiDimIdentityMap(resultType.getRank())}, resultType,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value v = quantizeClamped(b, l, args[0], scale, st.zeroPoint, st.qmin,
                                    st.qmax);
          return arith::FPToSIOp::create(b, l, st.type, v);
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
    FailureOr<ChannelParams> p =
        channelParams(getElementTypeOrSelf(op.getInput()));
    if (failed(p))
      return rewriter.notifyMatchFailure(op, "not a uniform quantized type");
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    int64_t rank = resultType.getRank();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Type i32 = rewriter.getI32Type();
    SmallVector<Value> inputs = {adaptor.getInput()};
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    if (p->axis >= 0) {
      // Per-axis: scale and zero point are read along the axis.
      SmallVector<float> scales(p->scales.begin(), p->scales.end());
      SmallVector<int32_t> zps(p->zeroPoints.begin(), p->zeroPoints.end());
      auto sType = RankedTensorType::get({(int64_t)scales.size()},
                                         rewriter.getF32Type());
      auto zType = RankedTensorType::get({(int64_t)zps.size()}, i32);
      inputs.push_back(arith::ConstantOp::create(
          rewriter, loc, sType,
          DenseElementsAttr::get(sType, ArrayRef(scales))));
      inputs.push_back(arith::ConstantOp::create(
          rewriter, loc, zType, DenseElementsAttr::get(zType, ArrayRef(zps))));
      maps.append(2, channelMap(ctx, rank, p->axis));
    }
    double scale = p->scales[0];
    int64_t zp = p->zeroPoints[0];
    Value out = buildElementwise(
        rewriter, loc, inputs, maps, resultType,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value v = arith::ExtSIOp::create(b, l, i32, args[0]);
          Value z = args.size() > 1 ? args[2] : constI(b, l, i32, zp);
          v = arith::SubIOp::create(b, l, v, z);
          v = arith::SIToFPOp::create(b, l, b.getF32Type(), v);
          Value s = args.size() > 1 ? args[1] : constF(b, l, scale);
          return arith::MulFOp::create(b, l, v, s);
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
          // Integer weights (weight-only mode) are converted in the loop.
          Value w = args[1];
          if (isa<IntegerType>(w.getType()))
            w = arith::SIToFPOp::create(nb, l, accType, w);
          sum = arith::AddFOp::create(nb, l, args[2],
                                      arith::MulFOp::create(nb, l, args[0], w));
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

struct LowerFullyConnected : OpConversionPattern<FullyConnectedOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FullyConnectedOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (isQuantizedTensor(op.getType()))
      return lowerQuantized(op, adaptor, rewriter);
    if (auto dcast = op.getWeight().getDefiningOp<quant::DequantizeCastOp>())
      if (succeeded(lowerWeightOnly(op, adaptor, dcast, rewriter)))
        return success();
    Location loc = op.getLoc();
    auto type = op.getType();
    Value init = adaptor.getBias()
                     ? broadcastChannels(rewriter, loc, adaptor.getBias(), type)
                     : zeroFilled(rewriter, loc, type);
    Value out = buildContraction(rewriter, loc, adaptor.getInput(),
                                 adaptor.getWeight(), init);
    out = activateTensor(rewriter, loc, out, op.getFusedActivation());
    rewriter.replaceOp(op, out);
    return success();
  }

  /// Float activations, int8 weights (weight-only mode): the kernel reads
  /// the stored codes, and the per-channel scale, the bias and the fused
  /// relu are applied to the float accumulator:
  /// y[m, n] = s[n] * sum_k x[m, k] * w[n, k] + b[n] (zero points 0).
  LogicalResult lowerWeightOnly(FullyConnectedOp op, OpAdaptor adaptor,
                                quant::DequantizeCastOp dcast,
                                ConversionPatternRewriter &rewriter) const {
    FailureOr<ChannelParams> p =
        channelParams(getElementTypeOrSelf(dcast.getInput()));
    if (failed(p) ||
        llvm::any_of(p->zeroPoints, [](int64_t z) { return z != 0; }))
      return failure(); // The plain float path dequantizes the weights.
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t n = type.getDimSize(1);
    Value codes = rewriter.getRemappedValue(dcast.getInput());
    Value acc = buildContraction(rewriter, loc, adaptor.getInput(), codes,
                                 zeroFilled(rewriter, loc, type));
    SmallVector<float> scales(n, static_cast<float>(p->scales[0]));
    if (p->axis >= 0)
      scales.assign(p->scales.begin(), p->scales.end());
    auto vecType = RankedTensorType::get({n}, rewriter.getF32Type());
    SmallVector<Value> inputs = {
        acc, arith::ConstantOp::create(
                 rewriter, loc, vecType,
                 DenseElementsAttr::get(vecType, ArrayRef(scales)))};
    AffineMap cm = channelMap(op.getContext(), 2, 1);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(2), cm};
    if (adaptor.getBias()) {
      inputs.push_back(adaptor.getBias());
      maps.push_back(cm);
    }
    Activation act = op.getFusedActivation();
    Value out = buildElementwise(
        rewriter, loc, inputs, maps, type,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value v = arith::MulFOp::create(b, l, args[0], args[1]);
          if (args.size() > 2)
            v = arith::AddFOp::create(b, l, v, args[2]);
          return activate(b, l, v, act);
        });
    rewriter.replaceOp(op, out);
    return success();
  }

  LogicalResult lowerQuantized(FullyConnectedOp op, OpAdaptor adaptor,
                               ConversionPatternRewriter &rewriter) const {
    FailureOr<RequantPlan> plan = planWeightedRequant(
        op, op.getInput(), op.getWeight(), op.getBias(), op.getResult());
    if (failed(plan))
      return failure();
    Location loc = op.getLoc();
    Value acc =
        buildContraction(rewriter, loc, adaptor.getInput(), adaptor.getWeight(),
                         plan->accumulatorInit(rewriter, loc, op.getType()));
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    rewriter.replaceOp(op, plan->requantize(rewriter, loc, acc, resultType,
                                            op.getFusedActivation()));
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
    zps.push_back(storageOf(originals[i]).zeroPoint);
  }
  SmallVector<AffineMap> maps;
  for (Value v : converted)
    maps.push_back(broadcastMap(rewriter.getContext(),
                                cast<RankedTensorType>(v.getType()).getShape(),
                                resultType.getShape()));
  Storage so = storageOf(op->getResult(0));
  int64_t zpOut = so.zeroPoint;
  int64_t lo = lowerBound(act, so);
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
        return clampToStorage(b, l, v, lo, upperBound(act, so, out.getScale()),
                              so.type);
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
    Activation act = op.getFusedActivation();
    Value out = buildElementwise(
        rewriter, op.getLoc(), adaptor.getOperands(), maps, type,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value s = arith::AddFOp::create(b, l, args[0], args[1]);
          return activate(b, l, s, act);
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
    v = reshapeTo(rewriter, loc, v, outType);
    rewriter.replaceOp(op, v);
    return success();
  }
};

/// The packed kernel op keeps its form; only its tensors change to their
/// storage types.
struct LowerPackedConv : OpConversionPattern<PackedConv2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PackedConv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Type> results;
    if (failed(getTypeConverter()->convertTypes(op->getResultTypes(), results)))
      return failure();
    // The init is a fresh tensor of the storage type (qc-pack-weights
    // makes a tensor.empty of the quantized type).
    SmallVector<Value> operands(adaptor.getOperands());
    auto initType = cast<RankedTensorType>(results.front());
    operands.back() = tensor::EmptyOp::create(
        rewriter, op.getLoc(), initType.getShape(), initType.getElementType());
    OperationState state(op->getLoc(), op->getName(), operands, results,
                         op->getAttrs());
    rewriter.replaceOp(op, rewriter.create(state)->getResults());
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
                           arith::ArithDialect, math::MathDialect,
                           scf::SCFDialect, vector::VectorDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp f) {
      return converter.isSignatureLegal(f.getFunctionType());
    });
    target.addDynamicallyLegalOp<PackedConv2DOp>(
        [&](PackedConv2DOp op) { return converter.isLegal(op); });
    target.addDynamicallyLegalOp<func::ReturnOp>(
        [&](func::ReturnOp r) { return converter.isLegal(r); });
    // Softmax / layer_norm rows first, with the casts around them.
    RewritePatternSet rowwise(ctx);
    populateQCRowwiseToVectorPatterns(rowwise);
    // No folding: it would drop the rounding of dcast(qcast(x)) pairs.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    config.enableConstantCSE(false);
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(rowwise), config)))
      return signalPassFailure();
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
  patterns.add<LowerStorageCast, LowerQuantizeCast, LowerDequantizeCast,
               LowerFullyConnected, LowerPackedConv, LowerAdd, LowerRelu, LowerReshape>(
      converter, patterns.getContext());
  populateQCNNToLinalgPatterns(converter, patterns);
  populateQCTransposeToVectorPatterns(converter, patterns);
  populateQCFloatMatMulToVectorPatterns(converter, patterns);
  populateCodebookToLinalgPatterns(converter, patterns);
  populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                 converter);
  populateReturnOpTypeConversionPattern(patterns, converter);
}
