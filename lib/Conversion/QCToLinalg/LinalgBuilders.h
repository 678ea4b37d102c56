//===- LinalgBuilders.h - helpers shared by the qc lowerings ----*- C++ -*-===//
//
// Small builders for linalg-on-tensors IR used by the qc-to-linalg patterns.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTC_LIB_CONVERSION_QCTOLINALG_LINALGBUILDERS_H
#define QUANTC_LIB_CONVERSION_QCTOLINALG_LINALGBUILDERS_H

#include "quantc/Dialect/QC/IR/QC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

namespace quantc::lowering {
using namespace mlir;
using qc::Activation;

using BodyBuilder =
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// An all-parallel linalg.generic producing `resultType` from `inputs`
/// read through `maps`; `body` maps the scalar inputs to the result.
inline Value buildElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                              ArrayRef<AffineMap> maps,
                              RankedTensorType resultType, BodyBuilder body) {
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
inline AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> shape,
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

/// An integer constant of `type` (any width; `v` is sign-extended).
inline Value constI(OpBuilder &b, Location loc, Type type, int64_t v) {
  APInt value(type.getIntOrFloatBitWidth(), v, /*isSigned=*/true,
              /*implicitTrunc=*/true);
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, value));
}
inline Value constF(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32Type(),
                                   b.getF32FloatAttr(static_cast<float>(v)));
}

/// clamp(y, lo, hi) on y's integer type and truncation to `storage`.
inline Value clampToStorage(OpBuilder &b, Location loc, Value y, int64_t lo,
                            int64_t hi, Type storage) {
  Type t = y.getType();
  y = arith::MaxSIOp::create(b, loc, y, constI(b, loc, t, lo));
  y = arith::MinSIOp::create(b, loc, y, constI(b, loc, t, hi));
  if (t == storage)
    return y;
  return arith::TruncIOp::create(b, loc, storage, y);
}

/// (v + 2^(S-1)) >> S on v's integer type; `shift` has the same type.
inline Value roundingShift(OpBuilder &b, Location loc, Value v, Value shift) {
  Value one = constI(b, loc, v.getType(), 1);
  Value half = arith::ShLIOp::create(b, loc, one,
                                     arith::SubIOp::create(b, loc, shift, one));
  return arith::ShRSIOp::create(b, loc, arith::AddIOp::create(b, loc, v, half),
                                shift);
}

/// (x - zp) * multiplier, with x widened to i64.
inline Value centeredProduct(OpBuilder &b, Location loc, Value x, int64_t zp,
                             int64_t multiplier) {
  Type i64 = b.getI64Type();
  Value wide = arith::ExtSIOp::create(b, loc, i64, x);
  Value centered = arith::SubIOp::create(b, loc, wide, constI(b, loc, i64, zp));
  return arith::MulIOp::create(b, loc, centered,
                               constI(b, loc, i64, multiplier));
}

inline quant::UniformQuantizedType perTensor(Value v) {
  return dyn_cast<quant::UniformQuantizedType>(getElementTypeOrSelf(v));
}

/// How a quantized tensor is held in the emitted code. Storage is always
/// signed: an unsigned type (uint8) is stored shifted by -2^(bits-1), with
/// its zero point and range shifted alike, which is bit-identical
/// arithmetic (docs/quantization.md, "uint8 activations").
struct Storage {
  IntegerType type;
  int64_t zeroPoint, qmin, qmax;
  /// The amount added to an unsigned type's codes to get the storage.
  int64_t offset;
};

inline Storage storageOf(quant::QuantizedType q, int64_t zeroPoint = 0) {
  unsigned bits = q.getStorageTypeIntegralWidth();
  int64_t offset = q.isSigned() ? 0 : -(int64_t(1) << (bits - 1));
  return {IntegerType::get(q.getContext(), bits), zeroPoint + offset,
          q.getStorageTypeMin() + offset, q.getStorageTypeMax() + offset,
          offset};
}

/// The storage of a per-tensor quantized value.
inline Storage storageOf(Value v) {
  auto q = perTensor(v);
  return storageOf(q, q.getZeroPoint());
}

/// Lower bound of the result after a fused activation.
inline int64_t lowerBound(Activation act, const Storage &s) {
  return act == Activation::None ? s.qmin : std::max(s.zeroPoint, s.qmin);
}

/// Upper bound of the result after a fused activation: relu6 clamps at the
/// code of 6.0 (quantized with the rule of docs/quantization.md).
int64_t upperBound(Activation act, const Storage &s, double scale);

/// The stored integers of a constant behind `v` (`arith.constant`, or
/// `quant.scast` of one; dense or dense_resource).
template <typename T> std::optional<SmallVector<T>> storageConstant(Value v) {
  if (auto scast = v.getDefiningOp<quant::StorageCastOp>())
    v = scast.getInput();
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return qc::getElementValues<T>(attr);
}

/// The indexing maps of a batched product `lhs[..., m, k] x rhs[..., k, n]
/// -> result[..., m, n]` over the dims (batch..., m, k, n), with NumPy
/// broadcasting of the operands' batch dimensions: {lhs, rhs, result}.
SmallVector<AffineMap, 3> batchedMatmulMaps(Value lhs, Value rhs,
                                            RankedTensorType result);

/// A tensor of `type` filled with `scalar`.
Value fillTensor(OpBuilder &b, Location loc, RankedTensorType type,
                 Value scalar);

/// A float tensor of `type` filled with zeros.
inline Value zeroFilled(OpBuilder &b, Location loc, RankedTensorType type) {
  return fillTensor(b, loc, type, constF(b, loc, 0));
}

/// acc[n, f, o...] += ext(x[n, g*Cg + c, o*s + k*d]) * ext(w[f, c, k...])
/// over an already padded `x` (the qc.conv core, in LowerNN.cpp); integer
/// operands are sign-extended to the accumulator type.
Value buildConvolution(OpBuilder &b, Location loc, Value x, Value w, Value acc,
                       ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                       int64_t group);

/// Pads `x` with `low`/`high` elements of `value` per dimension.
Value padTensor(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, Value value);

/// Any static reshape, as collapse-to-1-D then expand (both are views).
Value reshapeTo(OpBuilder &b, Location loc, Value v, RankedTensorType out);

/// A map over `rank` dims reading a 1-D per-channel tensor along `dim`.
AffineMap channelMap(MLIRContext *ctx, int64_t rank, int64_t dim);

/// A tensor of `type` whose dimension 1 is `perChannel` (1-D).
Value broadcastChannels(OpBuilder &b, Location loc, Value perChannel,
                        RankedTensorType type);

/// The integer form of a quantized op with a weight `[C, ...]` whose output
/// channels run along dimension 1 of its result (fully_connected, conv):
/// the int32 bias with the input zero point folded in (`b - zp * sum(w)`),
/// and the fixed-point multiplier and shift of each channel.
///
/// 8-bit inputs accumulate in i32; 16-bit inputs (16x8) in i64, and their
/// requantization multiplies in i128.
struct RequantPlan {
  SmallVector<int64_t> bias;
  /// sum |w| of each channel's stored weights.
  SmallVector<int64_t> absWeightSums;
  SmallVector<int64_t> multipliers, shifts;
  Storage input, output;
  double outputScale;

  /// The accumulator type: i32 for 8-bit inputs, i64 for 16-bit ones.
  IntegerType accumulatorType(MLIRContext *ctx) const {
    return IntegerType::get(ctx, input.type.getWidth() > 8 ? 64 : 32);
  }
  /// The accumulator of `resultType`'s shape, starting at the bias.
  Value accumulatorInit(OpBuilder &b, Location loc,
                        RankedTensorType resultType) const;
  /// Requantizes the accumulator to `resultType` (storage type), with
  /// the lower bound of the fused activation.
  Value requantize(OpBuilder &b, Location loc, Value acc,
                   RankedTensorType resultType, Activation act) const;
};

/// Computes the plan from the constant weight and bias of `op`; emits an
/// error on `op` and fails when they are not constants or a value is out
/// of range.
FailureOr<RequantPlan> planWeightedRequant(Operation *op, Value input,
                                           Value weight, Value bias,
                                           Value result);

/// A float constant of `type`: f32, or a vector of f32 (splat).
inline Value constFLike(OpBuilder &b, Location loc, Type type, double v) {
  if (auto vt = dyn_cast<VectorType>(type))
    return arith::ConstantOp::create(
        b, loc, vt,
        DenseElementsAttr::get(vt, b.getF32FloatAttr(static_cast<float>(v))));
  return constF(b, loc, v);
}

/// quant.qcast's rule up to the integer conversion: clamp(roundeven(v /
/// scale) + zp, lo, hi) in float, NaN to `lo` (maxnumf). On f32 scalars
/// and vectors alike; the callers convert to their integer type.
inline Value quantizeClamped(OpBuilder &b, Location loc, Value v, double scale,
                             double zeroPoint, double lo, double hi) {
  Type t = v.getType();
  v = arith::DivFOp::create(b, loc, v, constFLike(b, loc, t, scale));
  v = math::RoundEvenOp::create(b, loc, v);
  v = arith::AddFOp::create(b, loc, v, constFLike(b, loc, t, zeroPoint));
  v = arith::MaxNumFOp::create(b, loc, v, constFLike(b, loc, t, lo));
  return arith::MinNumFOp::create(b, loc, v, constFLike(b, loc, t, hi));
}

/// An index constant.
inline Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// x + c on indices (x itself for c = 0).
inline Value addIndex(OpBuilder &b, Location loc, Value x, int64_t c) {
  return c == 0 ? x : arith::AddIOp::create(b, loc, x, indexConst(b, loc, c));
}

/// x * c on indices.
inline Value mulIndex(OpBuilder &b, Location loc, Value x, int64_t c) {
  return arith::MulIOp::create(b, loc, x, indexConst(b, loc, c));
}

/// `for i in [lo, hi): acc = body(i, acc)` as an scf.for carrying one value
/// (the tensor a vector kernel writes); `acc` itself for an empty range.
inline Value forEachIndex(OpBuilder &b, Location loc, int64_t lo, int64_t hi,
                          Value acc,
                          function_ref<Value(OpBuilder &, Value, Value)> body) {
  if (lo >= hi)
    return acc;
  Value lower = indexConst(b, loc, lo);
  Value upper = indexConst(b, loc, hi);
  Value step = indexConst(b, loc, 1);
  return scf::ForOp::create(
             b, loc, lower, upper, step, ValueRange{acc},
             [&](OpBuilder &nb, Location l, Value iv, ValueRange iter) {
               scf::YieldOp::create(nb, l, body(nb, iv, iter[0]));
             })
      .getResult(0);
}

/// The fused activation `act` applied to a float scalar.
inline Value activate(OpBuilder &b, Location loc, Value v, Activation act) {
  if (act == Activation::None)
    return v;
  v = arith::MaximumFOp::create(b, loc, v, constF(b, loc, 0));
  if (act == Activation::Relu6)
    v = arith::MinimumFOp::create(b, loc, v, constF(b, loc, 6));
  return v;
}

/// The fused activation `act` applied to a float tensor.
inline Value activateTensor(OpBuilder &b, Location loc, Value x,
                            Activation act) {
  if (act == Activation::None)
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  return buildElementwise(
      b, loc, x, {b.getMultiDimIdentityMap(type.getRank())}, type,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        return activate(nb, l, args[0], act);
      });
}

inline Value relu(OpBuilder &b, Location loc, Value x) {
  return activateTensor(b, loc, x, Activation::Relu);
}

} // namespace quantc::lowering

#endif // QUANTC_LIB_CONVERSION_QCTOLINALG_LINALGBUILDERS_H
