//===- LowerRowwise.cpp - softmax and layer_norm as vector row kernels ----===//
//
// Softmax over the last axis and layer_norm over trailing axes reduce each
// row of a [rows, L] view. Built as linalg reductions, they become scalar
// loops: the float sums cannot be reassociated, the maximum is
// NaN-propagating, and every step writes a temporary. Here a row is one
// vector<L x f32> (L static, at most kMaxRow): it is loaded once, reduced
// with tree reductions, and stored once; LLVM splits it into the target's
// registers; the reductions are a fixed tree written out in the IR, so
// every target adds in the same order. When the op reads a per-tensor
// `quant.dcast` or feeds a per-tensor `quant.qcast` (a float island in a
// quantized model), the row is read and written as int8 codes by the same loop,
// with the dequantize and quantize formulas of the stand-alone casts, so the
// result differs from the unfused lowering only by the order of the sums. These
// patterns run greedily before the dialect conversion of convert-qc-to-linalg.
//
//===----------------------------------------------------------------------===//

#include "quantc/Conversion/Passes.h"
#include "quantc/Dialect/QC/IR/QC.h"

#include "LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;
using namespace quantc::lowering;

namespace {

/// Rows longer than this keep the linalg lowering (a row is held in
/// registers, or close to them).
constexpr int64_t kMaxRow = 1024;

/// How a row enters: float, or the raw codes of a per-tensor quantized
/// tensor, dequantized on load.
struct RowInput {
  Value tensor; // f32, or the codes (quant.scast to the storage type)
  quant::UniformQuantizedType q;
};

/// How a row leaves: float, or as the codes of the qcast it replaces.
struct RowOutput {
  quant::QuantizeCastOp qcast; // null: float result
  quant::UniformQuantizedType q;
};

RowInput rowInput(PatternRewriter &rewriter, Value input) {
  RowInput in{input, {}};
  auto dcast = input.getDefiningOp<quant::DequantizeCastOp>();
  if (!dcast || !isActivationType(dcast.getInput().getType()))
    return in;
  in.q = perTensor(dcast.getInput());
  auto type = cast<RankedTensorType>(dcast.getInput().getType());
  in.tensor = quant::StorageCastOp::create(rewriter, dcast.getLoc(),
                                           type.clone(in.q.getStorageType()),
                                           dcast.getInput());
  return in;
}

RowOutput rowOutput(Operation *op) {
  RowOutput out;
  if (!op->hasOneUse())
    return out;
  auto qcast = dyn_cast<quant::QuantizeCastOp>(*op->getUsers().begin());
  if (!qcast || !isActivationType(qcast.getResult().getType()))
    return out;
  out.qcast = qcast;
  out.q = perTensor(qcast.getResult());
  return out;
}

/// The row as f32: (code - zp) * scale, the value quant.dcast lowers to.
Value loadRow(OpBuilder &b, Location loc, const RowInput &in, Value row,
              int64_t length) {
  auto type = cast<RankedTensorType>(in.tensor.getType());
  Type elt = type.getElementType();
  auto vecType = VectorType::get({length}, elt);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value pad = isa<FloatType>(elt)
                  ? arith::ConstantOp::create(b, loc, b.getFloatAttr(elt, 0))
                        .getResult()
                  : arith::ConstantOp::create(b, loc, b.getIntegerAttr(elt, 0))
                        .getResult();
  Value v = vector::TransferReadOp::create(b, loc, vecType, in.tensor,
                                           ValueRange{row, zero}, pad,
                                           ArrayRef<bool>{true});
  if (!in.q)
    return v;
  auto i32 = VectorType::get({length}, b.getI32Type());
  auto f32 = VectorType::get({length}, b.getF32Type());
  if (in.q.isSigned())
    v = arith::ExtSIOp::create(b, loc, i32, v);
  else
    v = arith::ExtUIOp::create(b, loc, i32, v);
  v = arith::SubIOp::create(
      b, loc, v,
      arith::ConstantOp::create(
          b, loc, i32,
          DenseElementsAttr::get(i32,
                                 b.getI32IntegerAttr(in.q.getZeroPoint()))));
  v = arith::SIToFPOp::create(b, loc, f32, v);
  return arith::MulFOp::create(b, loc, v,
                               constFLike(b, loc, f32, in.q.getScale()));
}

/// The f32 row as the result stores it: the codes quant.qcast lowers to
/// (round half to even, NaN to the lowest code, saturating).
Value storeValue(OpBuilder &b, Location loc, const RowOutput &out, Value v) {
  if (!out.qcast)
    return v;
  auto f32 = cast<VectorType>(v.getType());
  quant::UniformQuantizedType q = out.q;
  // The raw codes (unsigned up to 255): through i32.
  v = quantizeClamped(b, loc, v, q.getScale(), q.getZeroPoint(),
                      q.getStorageTypeMin(), q.getStorageTypeMax());
  v = arith::FPToSIOp::create(b, loc, f32.clone(b.getI32Type()), v);
  return arith::TruncIOp::create(b, loc, f32.clone(q.getStorageType()), v);
}

/// Emits `for r in rows: out[r, :] = store(body(load(in[r, :])))` over the
/// [rows, length] views and replaces `op` (or the qcast it absorbs).
LogicalResult
buildRows(Operation *op, PatternRewriter &rewriter, Value input, int64_t length,
          function_ref<Value(OpBuilder &, Location, Value)> body) {
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t rows = type.getNumElements() / length;
  RowOutput out = rowOutput(op);
  if (out.qcast)
    rewriter.setInsertionPoint(out.qcast);
  RowInput in = rowInput(rewriter, input);
  auto inType = cast<RankedTensorType>(in.tensor.getType());
  in.tensor =
      reshapeTo(rewriter, loc, in.tensor,
                RankedTensorType::get({rows, length}, inType.getElementType()));
  Type outElt = out.qcast ? out.q.getStorageType() : rewriter.getF32Type();
  Value init = tensor::EmptyOp::create(rewriter, loc,
                                       ArrayRef<int64_t>{rows, length}, outElt);
  Value lb = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value ub = arith::ConstantIndexOp::create(rewriter, loc, rows);
  Value step = arith::ConstantIndexOp::create(rewriter, loc, 1);
  auto loop = scf::ForOp::create(
      rewriter, loc, lb, ub, step, ValueRange{init},
      [&](OpBuilder &b, Location l, Value r, ValueRange iter) {
        Value x = loadRow(b, l, in, r, length);
        Value y = storeValue(b, l, out, body(b, l, x));
        Value zero = arith::ConstantIndexOp::create(b, l, 0);
        Value written = vector::TransferWriteOp::create(b, l, y, iter[0],
                                                        ValueRange{r, zero},
                                                        ArrayRef<bool>{true})
                            .getResult();
        scf::YieldOp::create(b, l, written);
      });
  Value result = reshapeTo(rewriter, loc, loop.getResult(0),
                           RankedTensorType::get(type.getShape(), outElt));
  if (out.qcast) {
    Value codes = quant::StorageCastOp::create(
        rewriter, loc, out.qcast.getResult().getType(), result);
    rewriter.replaceOp(out.qcast, codes);
    rewriter.eraseOp(op);
  } else {
    rewriter.replaceOp(op, result);
  }
  return success();
}

bool rowwiseShape(RankedTensorType type, int64_t axis, int64_t &length) {
  if (!type.hasStaticShape() || type.getNumElements() == 0)
    return false;
  length = 1;
  for (int64_t i = axis; i < type.getRank(); ++i)
    length *= type.getDimSize(i);
  return length > 1 && length <= kMaxRow;
}

/// The sum (or NaN-propagating maximum) of the lanes of `v` as a fixed
/// tree: halves combined lane-wise until one lane is left, an odd lane out
/// folded into lane 0. The order is written out, not left to LLVM
/// (`reassoc` would let each target pick its own), so x86-64 and ARM64
/// compute the same float.
Value reduce(OpBuilder &b, Location loc, vector::CombiningKind kind, Value v) {
  auto combine = [&](Value x, Value y) -> Value {
    if (kind == vector::CombiningKind::ADD)
      return arith::AddFOp::create(b, loc, x, y);
    return arith::MaximumFOp::create(b, loc, x, y);
  };
  int64_t n = cast<VectorType>(v.getType()).getNumElements();
  while (n > 1) {
    int64_t h = n / 2;
    auto slice = [&](int64_t offset, int64_t size) -> Value {
      return vector::ExtractStridedSliceOp::create(
          b, loc, v, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{size},
          ArrayRef<int64_t>{1});
    };
    // Named locals: the order of ops in the IR must not depend on the C++
    // compiler's order of evaluating arguments.
    Value low = slice(0, h);
    Value high = slice(h, h);
    Value folded = combine(low, high);
    if (n % 2) {
      Value first =
          vector::ExtractOp::create(b, loc, folded, ArrayRef<int64_t>{0});
      Value last =
          vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{n - 1});
      folded = vector::InsertOp::create(b, loc, combine(first, last), folded,
                                        ArrayRef<int64_t>{0});
    }
    v = folded;
    n = h;
  }
  return vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{0});
}

Value broadcast(OpBuilder &b, Location loc, Value scalar, Value like) {
  return vector::BroadcastOp::create(b, loc, like.getType(), scalar);
}

struct LowerSoftmaxRows : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    int64_t length;
    if (static_cast<int64_t>(op.getAxis()) != type.getRank() - 1 ||
        !rowwiseShape(type, type.getRank() - 1, length))
      return rewriter.notifyMatchFailure(op, "not a short innermost row");
    bool log = op.getLog();
    return buildRows(
        op, rewriter, op.getInput(), length,
        [&](OpBuilder &b, Location l, Value x) -> Value {
          // NaN-propagating, like the linalg lowering's maximumf.
          Value m = broadcast(
              b, l, reduce(b, l, vector::CombiningKind::MAXIMUMF, x), x);
          Value shifted = arith::SubFOp::create(b, l, x, m);
          Value e = math::ExpOp::create(b, l, shifted);
          Value sum = reduce(b, l, vector::CombiningKind::ADD, e);
          if (log)
            return arith::SubFOp::create(
                b, l, shifted,
                broadcast(b, l, math::LogOp::create(b, l, sum), x));
          return arith::DivFOp::create(b, l, e, broadcast(b, l, sum, x));
        });
  }
};

bool isRowConstant(Value v, int64_t length) {
  std::optional<SmallVector<float>> values = getConstantFloats(v);
  return values && static_cast<int64_t>(values->size()) == length;
}

/// A constant gamma/beta with exactly `length` elements, as a vector.
std::optional<Value> paramVector(OpBuilder &b, Location loc, Value v,
                                 int64_t length) {
  if (!v)
    return Value();
  std::optional<SmallVector<float>> values = getConstantFloats(v);
  if (!values || static_cast<int64_t>(values->size()) != length)
    return std::nullopt;
  auto type = VectorType::get({length}, b.getF32Type());
  return arith::ConstantOp::create(
             b, loc, type, DenseElementsAttr::get(type, ArrayRef(*values)))
      .getResult();
}

struct LowerLayerNormRows : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    int64_t length;
    if (!rowwiseShape(type, op.getAxis(), length))
      return rewriter.notifyMatchFailure(op, "not a short trailing row");
    // Constant gamma/beta over the whole row (a broadcast one keeps the
    // linalg lowering).
    Location loc = op.getLoc();
    if (!isRowConstant(op.getScale(), length) ||
        (op.getBias() && !isRowConstant(op.getBias(), length)))
      return rewriter.notifyMatchFailure(op, "gamma/beta not row constants");
    std::optional<Value> gamma =
        paramVector(rewriter, loc, op.getScale(), length);
    std::optional<Value> beta =
        paramVector(rewriter, loc, op.getBias(), length);
    double invCount = 1.0 / static_cast<double>(length);
    double eps = op.getEpsilon().convertToDouble();
    return buildRows(
        op, rewriter, op.getInput(), length,
        [&](OpBuilder &b, Location l, Value x) -> Value {
          Value invN = constF(b, l, invCount);
          Value mean = arith::MulFOp::create(
              b, l, reduce(b, l, vector::CombiningKind::ADD, x), invN);
          Value centered =
              arith::SubFOp::create(b, l, x, broadcast(b, l, mean, x));
          Value sq = arith::MulFOp::create(b, l, centered, centered);
          Value var = arith::MulFOp::create(
              b, l, reduce(b, l, vector::CombiningKind::ADD, sq), invN);
          Value denom = math::SqrtOp::create(
              b, l, arith::AddFOp::create(b, l, var, constF(b, l, eps)));
          Value y = arith::MulFOp::create(
              b, l,
              arith::DivFOp::create(b, l, centered, broadcast(b, l, denom, x)),
              *gamma);
          if (*beta)
            y = arith::AddFOp::create(b, l, y, *beta);
          return y;
        });
  }
};

} // namespace

void quantc::populateQCRowwiseToVectorPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerSoftmaxRows, LowerLayerNormRows>(patterns.getContext());
}
