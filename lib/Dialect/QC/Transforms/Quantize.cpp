//===- Quantize.cpp - absorb dcast -> op -> qcast into quantized ops ------===//

#include "quantc/Dialect/QC/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace quantc::qc {
#define GEN_PASS_DEF_QCQUANTIZE
#include "quantc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace quantc::qc

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;

namespace {

/// The quantized value behind `v` if it is a `quant.dcast`.
Value quantizedSource(Value v) {
  if (auto dcast = v.getDefiningOp<quant::DequantizeCastOp>())
    return dcast.getInput();
  return {};
}

/// Matches `qcast(op(dcast(a), dcast(b), ...))` where the op's result has
/// no other use, and rebuilds the op on the quantized operands with the
/// qcast's result type. `accept` checks op-specific conditions.
template <typename OpTy> struct QuantizeOp : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  virtual bool accept(OpTy op, ArrayRef<Value> operands,
                      Type resultType) const {
    return true;
  }

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (isQuantizedTensor(op->getResult(0).getType()) ||
        !op->getResult(0).hasOneUse())
      return failure();
    auto qcast =
        dyn_cast<quant::QuantizeCastOp>(*op->getResult(0).getUsers().begin());
    if (!qcast)
      return failure();
    SmallVector<Value> operands;
    for (Value v : op->getOperands()) {
      Value q = quantizedSource(v);
      if (!q)
        return failure();
      operands.push_back(q);
    }
    Type resultType = qcast.getResult().getType();
    if (!accept(op, operands, resultType))
      return failure();
    Operation *quantized =
        rewriter.create(op->getLoc(), op->getName().getIdentifier(), operands,
                        {resultType}, op->getAttrs());
    rewriter.replaceOp(qcast, quantized->getResults());
    rewriter.eraseOp(op);
    return success();
  }
};

/// Weights quantized symmetrically by qc-insert-qdq, an int32 bias and int8
/// activations: the conditions shared by fully_connected and conv.
template <typename OpTy> struct QuantizeWeightedOp : QuantizeOp<OpTy> {
  using QuantizeOp<OpTy>::QuantizeOp;
  bool accept(OpTy op, ArrayRef<Value> operands,
              Type resultType) const override {
    // Weights must be symmetric int8 (qc-insert-qdq, or an imported QDQ
    // model; -128 is allowed) and the bias int32; the verifier checks the
    // details.
    auto w = dyn_cast<quant::QuantizedType>(
        getElementTypeOrSelf(operands[1].getType()));
    if (!w || w.getStorageTypeIntegralWidth() != 8 || !w.isSigned())
      return false;
    if (operands.size() == 3) {
      auto b = dyn_cast<quant::QuantizedType>(
          getElementTypeOrSelf(operands[2].getType()));
      if (!b || b.getStorageTypeIntegralWidth() != 32)
        return false;
    }
    return isActivationType(operands[0].getType()) &&
           isActivationType(resultType);
  }
};

using QuantizeFullyConnected = QuantizeWeightedOp<FullyConnectedOp>;
using QuantizeConv = QuantizeWeightedOp<ConvOp>;

struct QuantizeElementwise {
  static bool accept(ArrayRef<Value> operands, Type resultType) {
    return llvm::all_of(
               operands,
               [](Value v) { return isActivationType(v.getType()); }) &&
           isActivationType(resultType);
  }
};

struct QuantizeAdd : QuantizeOp<AddOp> {
  using QuantizeOp::QuantizeOp;
  bool accept(AddOp, ArrayRef<Value> operands, Type resultType) const override {
    return QuantizeElementwise::accept(operands, resultType);
  }
};

struct QuantizeRelu : QuantizeOp<ReluOp> {
  using QuantizeOp::QuantizeOp;
  bool accept(ReluOp, ArrayRef<Value> operands,
              Type resultType) const override {
    return QuantizeElementwise::accept(operands, resultType);
  }
};

/// Ops that move or select data: quantized only when the result keeps the
/// input's parameters.
template <typename OpTy> struct QuantizeDataMovement : QuantizeOp<OpTy> {
  using QuantizeOp<OpTy>::QuantizeOp;
  bool accept(OpTy op, ArrayRef<Value> operands,
              Type resultType) const override {
    return movesDataOnly(op) && isActivationType(resultType) &&
           getElementTypeOrSelf(operands[0].getType()) ==
               getElementTypeOrSelf(resultType);
  }
};

/// qcast(dcast(x)) -> x when the types agree.
struct FoldQDQPair : OpRewritePattern<quant::QuantizeCastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(quant::QuantizeCastOp op,
                                PatternRewriter &rewriter) const override {
    Value source = quantizedSource(op.getInput());
    if (!source || source.getType() != op.getType())
      return failure();
    rewriter.replaceOp(op, source);
    return success();
  }
};

struct QuantizePass : qc::impl::QCQuantizeBase<QuantizePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateQuantizePatterns(patterns);
    // Folding must stay off: upstream folds dcast(qcast(x)) to x, which
    // would erase the very pairs this pass absorbs (and the rounding they
    // stand for around float-fallback ops).
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
    dequantizeUnabsorbedConstants();
  }

  /// A per-axis quantized constant (an imported QDQ weight) whose op could
  /// not be quantized becomes the float constant it stands for:
  /// f32(q - zp) * scale, as the dcast would compute it, so that the float
  /// op does not dequantize it on every run. Weights of float
  /// fully_connected ops stay int8: that is weight-only mode, whose kernel
  /// reads the codes.
  void dequantizeUnabsorbedConstants() {
    SmallVector<quant::DequantizeCastOp> dcasts;
    getOperation().walk([&](quant::DequantizeCastOp op) {
      bool weightOnly =
          !op->use_empty() && llvm::all_of(op->getUses(), [](OpOperand &use) {
            return isa<FullyConnectedOp>(use.getOwner()) &&
                   use.getOperandNumber() == 1;
          });
      if (!weightOnly && isa<quant::UniformQuantizedPerAxisType>(
                             getElementTypeOrSelf(op.getInput().getType())))
        dcasts.push_back(op);
    });
    for (quant::DequantizeCastOp op : dcasts) {
      auto scast = op.getInput().getDefiningOp<quant::StorageCastOp>();
      Attribute attr;
      if (!scast || !matchPattern(scast.getInput(), m_Constant(&attr)))
        continue;
      std::optional<SmallVector<int64_t>> q;
      if (auto v = getElementValues<int8_t>(attr))
        q = SmallVector<int64_t>(v->begin(), v->end());
      else if (auto v = getElementValues<int32_t>(attr))
        q = SmallVector<int64_t>(v->begin(), v->end());
      if (!q)
        continue;
      auto type = cast<quant::UniformQuantizedPerAxisType>(
          getElementTypeOrSelf(op.getInput().getType()));
      auto resultType = cast<RankedTensorType>(op.getType());
      auto shape = resultType.getShape();
      int64_t axis = type.getQuantizedDimension(), inner = 1;
      for (size_t d = axis + 1; d < shape.size(); ++d)
        inner *= shape[d];
      bool isUnsigned = !type.isSigned();
      SmallVector<float> values;
      for (auto [i, raw] : llvm::enumerate(*q)) {
        int64_t c = (i / inner) % shape[axis];
        int64_t v = isUnsigned ? (raw & 0xff) : raw;
        values.push_back(static_cast<float>(v - type.getZeroPoints()[c]) *
                         static_cast<float>(type.getScales()[c]));
      }
      OpBuilder b(op);
      Value f = createConstant<float>(b, op.getLoc(), resultType, values,
                                      "dequantized");
      op.replaceAllUsesWith(f);
      op.erase();
      if (scast->use_empty())
        scast->erase();
    }
  }
};

} // namespace

void quantc::qc::populateQuantizePatterns(RewritePatternSet &patterns) {
  patterns.add<QuantizeFullyConnected, QuantizeConv, QuantizeAdd, QuantizeRelu,
               QuantizeDataMovement<ReshapeOp>,
               QuantizeDataMovement<TransposeOp>, QuantizeDataMovement<SliceOp>,
               QuantizeDataMovement<PoolOp>, FoldQDQPair>(
      patterns.getContext());
}
