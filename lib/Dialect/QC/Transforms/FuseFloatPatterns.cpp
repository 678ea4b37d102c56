//===- FuseFloatPatterns.cpp - decomposed LayerNorm / GELU -> one op ------===//
//
// Exporters for older opsets write LayerNormalization and GELU as chains of
// element-wise ops and reductions. Quantizing such a chain op by op gives
// every intermediate (squared deviations, variance, erf argument) an int8
// range of its own and a loop of its own; the fused op keeps the whole
// computation in float inside one quantized island.
//
//===----------------------------------------------------------------------===//

#include "quantc/Dialect/QC/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <optional>

namespace quantc::qc {
#define GEN_PASS_DEF_QCFUSEFLOATPATTERNS
#include "quantc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace quantc::qc

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;

namespace {

/// The single value of a float constant with one element (any shape).
std::optional<double> scalarConstant(Value v) {
  std::optional<SmallVector<float>> values = getConstantFloats(v);
  if (!values || values->size() != 1)
    return std::nullopt;
  return (*values)[0];
}

bool isScalar(Value v, double expected, double tolerance = 0) {
  std::optional<double> c = scalarConstant(v);
  return c && std::abs(*c - expected) <= tolerance * std::abs(expected);
}

/// `reduce <mean>` of `input` over the trailing axes [axis, rank) with
/// keepdims; returns the first axis.
std::optional<int64_t> trailingMean(Value v, Value &input) {
  auto reduce = v.getDefiningOp<ReduceOp>();
  if (!reduce || reduce.getKind() != ReduceKind::Mean || !reduce.getKeepdims())
    return std::nullopt;
  ArrayRef<int64_t> axes = reduce.getAxes();
  int64_t rank = reduce.getInput().getType().getRank();
  if (axes.empty() || axes.back() != rank - 1)
    return std::nullopt;
  for (auto [i, a] : llvm::enumerate(axes))
    if (a != axes.front() + static_cast<int64_t>(i))
      return std::nullopt;
  input = reduce.getInput();
  return axes.front();
}

BinaryOp binaryOf(Value v, BinaryKind kind) {
  auto op = v ? v.getDefiningOp<BinaryOp>() : BinaryOp();
  return op && op.getKind() == kind ? op : BinaryOp();
}

/// Whether `shape` (a constant's) broadcasts to the trailing `normalized`
/// shape without growing it.
bool broadcastsToTrailing(Value v, ArrayRef<int64_t> normalized) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(v.getType()).getShape();
  // Leading size-1 dimensions are harmless.
  while (shape.size() > normalized.size() && shape.front() == 1)
    shape = shape.drop_front();
  if (shape.size() > normalized.size())
    return false;
  ArrayRef<int64_t> tail = normalized.take_back(shape.size());
  for (auto [s, n] : llvm::zip(shape, tail))
    if (s != 1 && s != n)
      return false;
  return true;
}

/// Constant `v`, broadcast to exactly the normalized trailing shape.
Value constantForTrailing(PatternRewriter &rewriter, Value v,
                          ArrayRef<float> values,
                          ArrayRef<int64_t> normalized) {
  auto type = RankedTensorType::get(normalized, rewriter.getF32Type());
  int64_t n = type.getNumElements();
  if (static_cast<int64_t>(values.size()) == n)
    return createConstant<float>(rewriter, v.getLoc(), type, values,
                                 "layer_norm_param");
  // Align `v`'s shape to the right of `normalized` and broadcast.
  ArrayRef<int64_t> shape = cast<RankedTensorType>(v.getType()).getShape();
  int64_t rank = normalized.size();
  SmallVector<int64_t> aligned(rank, 1);
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()) && i < rank; ++i)
    aligned[rank - 1 - i] = shape[shape.size() - 1 - i];
  SmallVector<float> out;
  out.reserve(n);
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t rem = flat, srcIndex = 0, stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      int64_t idx = rem % normalized[d];
      rem /= normalized[d];
      srcIndex += (aligned[d] == 1 ? 0 : idx) * stride;
      stride *= aligned[d];
    }
    out.push_back(values[srcIndex]);
  }
  return createConstant<float>(rewriter, v.getLoc(), type, out,
                               "layer_norm_param");
}

/// div(d, sqrt(mean(d^2) + eps)) with d = x - mean(x) -> layer_norm(x, 1).
struct FuseLayerNorm : OpRewritePattern<BinaryOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BinaryOp div,
                                PatternRewriter &rewriter) const override {
    if (div.getKind() != BinaryKind::Div)
      return failure();
    BinaryOp sub = binaryOf(div.getLhs(), BinaryKind::Sub);
    auto sqrt = div.getRhs().getDefiningOp<UnaryOp>();
    if (!sub || !sqrt || sqrt.getKind() != UnaryKind::Sqrt)
      return failure();
    Value x;
    std::optional<int64_t> axis = trailingMean(sub.getRhs(), x);
    if (!axis || x != sub.getLhs() || sub.getType() != x.getType())
      return failure();
    auto addEps = sqrt.getInput().getDefiningOp<AddOp>();
    if (!addEps || addEps.getFusedActivation() != Activation::None)
      return failure();
    Value varValue = addEps.getLhs(), epsValue = addEps.getRhs();
    if (!scalarConstant(epsValue))
      std::swap(varValue, epsValue);
    std::optional<double> eps = scalarConstant(epsValue);
    if (!eps || *eps < 0)
      return failure();
    Value squared;
    std::optional<int64_t> varAxis = trailingMean(varValue, squared);
    if (!varAxis || *varAxis != *axis)
      return failure();
    BinaryOp pow = binaryOf(squared, BinaryKind::Pow);
    BinaryOp mul = binaryOf(squared, BinaryKind::Mul);
    bool isSquare = (pow && pow.getLhs() == sub.getResult() &&
                     isScalar(pow.getRhs(), 2.0)) ||
                    (mul && mul.getLhs() == sub.getResult() &&
                     mul.getRhs() == sub.getResult());
    if (!isSquare || div.getType() != x.getType())
      return failure();
    auto type = cast<RankedTensorType>(x.getType());
    auto scaleType = RankedTensorType::get(type.getShape().drop_front(*axis),
                                           rewriter.getF32Type());
    Value ones = arith::ConstantOp::create(
        rewriter, div.getLoc(), scaleType,
        DenseElementsAttr::get(scaleType,
                               rewriter.getF32FloatAttr(1.0f).getValue()));
    rewriter.replaceOpWithNewOp<LayerNormOp>(div, type, x, ones, Value(),
                                             static_cast<uint64_t>(*axis),
                                             APFloat(static_cast<float>(*eps)));
    return success();
  }
};

/// Whether `v` is a constant of ones (the scale a fused layer_norm starts
/// with).
bool isOnes(Value v) {
  std::optional<SmallVector<float>> values = getConstantFloats(v);
  return values && llvm::all_of(*values, [](float f) { return f == 1.0f; });
}

/// mul(layer_norm(x, 1), gamma) -> layer_norm(x, gamma), and
/// add(layer_norm(x, g), beta) -> layer_norm(x, g, beta), for constant
/// gamma and beta over the normalized axes.
struct AbsorbAffineIntoLayerNorm : RewritePattern {
  AbsorbAffineIntoLayerNorm(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    bool isMul = false;
    if (auto mul = dyn_cast<BinaryOp>(op)) {
      if (mul.getKind() != BinaryKind::Mul)
        return failure();
      isMul = true;
    } else if (auto add = dyn_cast<AddOp>(op)) {
      if (add.getFusedActivation() != Activation::None)
        return failure();
    } else {
      return failure();
    }
    for (unsigned i = 0; i < 2; ++i) {
      auto ln = op->getOperand(i).getDefiningOp<LayerNormOp>();
      Value c = op->getOperand(1 - i);
      std::optional<SmallVector<float>> values = getConstantFloats(c);
      if (!ln || !ln->hasOneUse() || !values || ln.getBias() ||
          (isMul && !isOnes(ln.getScale())) ||
          op->getResult(0).getType() != ln.getType())
        continue;
      ArrayRef<int64_t> normalized =
          ln.getType().getShape().drop_front(ln.getAxis());
      if (!broadcastsToTrailing(c, normalized))
        continue;
      Value param = constantForTrailing(rewriter, c, *values, normalized);
      Value scale = isMul ? param : ln.getScale();
      Value bias = isMul ? Value() : param;
      rewriter.replaceOpWithNewOp<LayerNormOp>(op, ln.getType(), ln.getInput(),
                                               scale, bias, ln.getAxis(),
                                               ln.getEpsilon());
      return success();
    }
    return failure();
  }
};

/// The x in `x / sqrt(2)` or `x * (1 / sqrt(2))`.
Value erfArgument(Value v) {
  if (BinaryOp div = binaryOf(v, BinaryKind::Div))
    if (isScalar(div.getRhs(), std::sqrt(2.0), 1e-5))
      return div.getLhs();
  if (BinaryOp mul = binaryOf(v, BinaryKind::Mul)) {
    if (isScalar(mul.getRhs(), 1.0 / std::sqrt(2.0), 1e-5))
      return mul.getLhs();
    if (isScalar(mul.getLhs(), 1.0 / std::sqrt(2.0), 1e-5))
      return mul.getRhs();
  }
  return {};
}

/// The x in `1 + erf(x / sqrt(2))` (either operand order).
Value onePlusErfArgument(Value v) {
  auto add = v ? v.getDefiningOp<AddOp>() : AddOp();
  if (!add || add.getFusedActivation() != Activation::None)
    return {};
  for (unsigned i = 0; i < 2; ++i) {
    auto erf = add->getOperand(i).getDefiningOp<UnaryOp>();
    if (erf && erf.getKind() == UnaryKind::Erf &&
        isScalar(add->getOperand(1 - i), 1.0))
      return erfArgument(erf.getInput());
  }
  return {};
}

/// Splits a mul into (a, b) in both orders.
SmallVector<std::pair<Value, Value>> operandOrders(BinaryOp mul) {
  return {{mul.getLhs(), mul.getRhs()}, {mul.getRhs(), mul.getLhs()}};
}

/// x * 0.5 * (1 + erf(x / sqrt(2))) in its usual groupings -> gelu(x).
struct FuseGelu : OpRewritePattern<BinaryOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BinaryOp root,
                                PatternRewriter &rewriter) const override {
    if (root.getKind() != BinaryKind::Mul)
      return failure();
    Value x = match(root);
    if (!x || x.getType() != root.getType())
      return failure();
    rewriter.replaceOpWithNewOp<UnaryOp>(root, root.getType(), UnaryKind::Gelu,
                                         x, APFloat(0.0f), APFloat(0.0f));
    return success();
  }

  static Value match(BinaryOp root) {
    for (auto [a, b] : operandOrders(root)) {
      // (x * 0.5) * (1 + erf(x / sqrt2)) or (x * (1 + erf)) * 0.5 with the
      // inner product in either order.
      if (BinaryOp inner = binaryOf(a, BinaryKind::Mul)) {
        for (auto [p, q] : operandOrders(inner)) {
          if (isScalar(q, 0.5)) {
            Value arg = onePlusErfArgument(b);
            if (arg && arg == p)
              return p;
          }
          if (isScalar(b, 0.5)) {
            Value arg = onePlusErfArgument(q);
            if (arg && arg == p)
              return p;
          }
        }
      }
      // x * ((1 + erf(x / sqrt2)) * 0.5)
      if (BinaryOp half = binaryOf(b, BinaryKind::Mul)) {
        for (auto [p, q] : operandOrders(half)) {
          Value arg = onePlusErfArgument(p);
          if (arg && arg == a && isScalar(q, 0.5))
            return a;
        }
      }
    }
    return {};
  }
};

struct FuseFloatPatternsPass
    : qc::impl::QCFuseFloatPatternsBase<FuseFloatPatternsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseLayerNorm, AbsorbAffineIntoLayerNorm, FuseGelu>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
