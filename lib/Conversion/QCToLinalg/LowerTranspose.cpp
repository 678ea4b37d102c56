//===- LowerTranspose.cpp - 8-bit layout transposes as 16x16 byte blocks --===//
//
// The NCHW <-> NHWC transposes at the edges of the packed kernels (and any
// transpose that swaps two groups of trailing dimensions) move bytes
// between [N, R, S] and [N, S, R]. As a linalg.transpose LLVM vectorizes
// them into byte gathers (an extract and an insert per byte). Here a
// 16 x 16 block is read as 16 rows, transposed in registers by four rounds
// of interleaves (bytes, then 16-, 32- and 64-bit pairs: punpck* on x86,
// zip on ARM64) and written as 16 rows; the edges that do not fill a block
// are copied element by element.
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
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;
using namespace quantc::lowering;

namespace {

constexpr int64_t kBlock = 16;

/// For perm = [0, .., a-1, b, .., rank-1, a, .., b-1], the split points
/// (a, b): the transpose swaps the dimension groups [a, b) and [b, rank).
std::optional<std::pair<int64_t, int64_t>> swapGroups(ArrayRef<int64_t> perm) {
  int64_t rank = perm.size(), a = 0;
  while (a < rank && perm[a] == a)
    ++a;
  if (a >= rank - 1)
    return std::nullopt;
  int64_t b = perm[a];
  if (b <= a)
    return std::nullopt;
  for (int64_t i = 0; i < rank - b; ++i)
    if (perm[a + i] != b + i)
      return std::nullopt;
  for (int64_t i = 0; i < b - a; ++i)
    if (perm[a + (rank - b) + i] != a + i)
      return std::nullopt;
  return std::make_pair(a, b);
}

/// unpack{lo,hi} of `s`-byte elements: the low (high) halves of `x` and `y`
/// interleaved.
Value interleave(OpBuilder &b, Location loc, Value x, Value y, int64_t s,
                 bool high) {
  SmallVector<int64_t> mask;
  int64_t n = kBlock / s;
  for (int64_t k = high ? n / 2 : 0, e = high ? n : n / 2; k < e; ++k) {
    for (int64_t i = 0; i < s; ++i)
      mask.push_back(k * s + i);
    for (int64_t i = 0; i < s; ++i)
      mask.push_back(kBlock + k * s + i);
  }
  return vector::ShuffleOp::create(b, loc, x, y, mask);
}

/// Rows of a 16 x 16 byte block -> its columns. After the four rounds the
/// vector at j holds column bitreverse4(j).
SmallVector<Value> transposeBlock(OpBuilder &b, Location loc,
                                  SmallVector<Value> rows) {
  for (int64_t s = 1; s < kBlock; s *= 2) {
    SmallVector<Value> next(kBlock);
    for (int64_t i = 0; i < kBlock / 2; ++i) {
      next[i] = interleave(b, loc, rows[2 * i], rows[2 * i + 1], s, false);
      next[i + kBlock / 2] =
          interleave(b, loc, rows[2 * i], rows[2 * i + 1], s, true);
    }
    rows = std::move(next);
  }
  SmallVector<Value> columns(kBlock);
  for (int64_t j = 0; j < kBlock; ++j) {
    int64_t rev =
        ((j & 1) << 3) | ((j & 2) << 1) | ((j & 4) >> 1) | ((j & 8) >> 3);
    columns[rev] = rows[j];
  }
  return columns;
}

struct LowerByteTranspose : OpConversionPattern<TransposeOp> {
  LowerByteTranspose(TypeConverter &converter, MLIRContext *ctx)
      : OpConversionPattern(converter, ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto groups = swapGroups(op.getPerm());
    if (!groups || !inType.hasStaticShape() ||
        !inType.getElementType().isInteger(8))
      return rewriter.notifyMatchFailure(op, "not an 8-bit group swap");
    auto [a, bSplit] = *groups;
    ArrayRef<int64_t> shape = inType.getShape();
    int64_t n = 1, r = 1, s = 1;
    for (int64_t i = 0; i < inType.getRank(); ++i)
      (i < a ? n : i < bSplit ? r : s) *= shape[i];
    if (r < kBlock || s < kBlock)
      return rewriter.notifyMatchFailure(op, "too narrow for 16x16 blocks");

    Location loc = op.getLoc();
    Type i8 = rewriter.getI8Type();
    Value src = reshapeTo(rewriter, loc, adaptor.getInput(),
                          RankedTensorType::get({n, r, s}, i8));
    Value init =
        tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{n, s, r}, i8);
    auto addc = [&](OpBuilder &b, Value x, int64_t c) {
      return addIndex(b, loc, x, c);
    };
    auto mulc = [&](OpBuilder &b, Value x, int64_t c) {
      return mulIndex(b, loc, x, c);
    };
    auto loop = [&](OpBuilder &b, int64_t lo, int64_t hi, Value acc,
                    function_ref<Value(OpBuilder &, Value, Value)> body) {
      return forEachIndex(b, loc, lo, hi, acc, body);
    };
    auto rowType = VectorType::get({kBlock}, i8);
    int64_t rFull = r / kBlock, sFull = s / kBlock;
    Value result =
        loop(rewriter, 0, n, init, [&](OpBuilder &b, Value bn, Value acc) {
          // Full blocks.
          acc = loop(b, 0, rFull, acc, [&](OpBuilder &b, Value rb, Value acc) {
            return loop(
                b, 0, sFull, acc, [&](OpBuilder &b, Value sb, Value acc) {
                  Value r0 = mulc(b, rb, kBlock), s0 = mulc(b, sb, kBlock);
                  Value pad =
                      arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(0));
                  SmallVector<Value> rows;
                  for (int64_t i = 0; i < kBlock; ++i)
                    rows.push_back(vector::TransferReadOp::create(
                        b, loc, rowType, src,
                        ValueRange{bn, addc(b, r0, i), s0}, pad,
                        ArrayRef<bool>{true}));
                  SmallVector<Value> columns = transposeBlock(b, loc, rows);
                  for (int64_t j = 0; j < kBlock; ++j)
                    acc = vector::TransferWriteOp::create(
                              b, loc, columns[j], acc,
                              ValueRange{bn, addc(b, s0, j), r0},
                              ArrayRef<bool>{true})
                              .getResult();
                  return acc;
                });
          });
          // Edges: element by element.
          auto copy = [&](OpBuilder &b, Value ri, Value si,
                          Value acc) -> Value {
            Value v =
                tensor::ExtractOp::create(b, loc, src, ValueRange{bn, ri, si});
            return tensor::InsertOp::create(b, loc, v, acc,
                                            ValueRange{bn, si, ri});
          };
          // Columns past the last full block, every row.
          acc = loop(b, 0, r, acc, [&](OpBuilder &b, Value ri, Value acc) {
            return loop(b, sFull * kBlock, s, acc,
                        [&](OpBuilder &b, Value si, Value acc) {
                          return copy(b, ri, si, acc);
                        });
          });
          // Rows past the last full block, the columns of full blocks.
          return loop(b, rFull * kBlock, r, acc,
                      [&](OpBuilder &b, Value ri, Value acc) {
                        return loop(b, 0, sFull * kBlock, acc,
                                    [&](OpBuilder &b, Value si, Value acc) {
                                      return copy(b, ri, si, acc);
                                    });
                      });
        });
    auto outType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, outType));
    return success();
  }
};

/// quant.qcast followed by a group-swap transpose with fewer than 16 rows
/// (an image's NCHW -> NHWC with C = 3 at the model's input): per 16 pixels,
/// the C float rows are read, quantized with quant.qcast's formula, and
/// interleaved into 16 x C codes stored at once; the quantized NCHW tensor
/// is never written.
struct LowerQuantizeTranspose : OpConversionPattern<TransposeOp> {
  LowerQuantizeTranspose(TypeConverter &converter, MLIRContext *ctx)
      : OpConversionPattern(converter, ctx, /*benefit=*/3) {}
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto qcast = op.getInput().getDefiningOp<quant::QuantizeCastOp>();
    auto groups = swapGroups(op.getPerm());
    if (!qcast || !qcast->hasOneUse() || !groups ||
        !isActivationType(qcast.getResult().getType()))
      return rewriter.notifyMatchFailure(op, "not transpose(qcast)");
    Value x = rewriter.getRemappedValue(qcast.getInput());
    auto inType = dyn_cast_or_null<RankedTensorType>(x ? x.getType() : Type());
    Storage st = storageOf(qcast.getResult());
    if (!inType || !inType.hasStaticShape() ||
        !inType.getElementType().isF32() || !st.type.isInteger(8))
      return rewriter.notifyMatchFailure(op, "not a static float source");
    auto [a, bSplit] = *groups;
    ArrayRef<int64_t> shape = inType.getShape();
    int64_t n = 1, r = 1, s = 1;
    for (int64_t i = 0; i < inType.getRank(); ++i)
      (i < a ? n : i < bSplit ? r : s) *= shape[i];
    if (r >= kBlock || s < kBlock)
      return rewriter.notifyMatchFailure(op, "not a narrow-row transpose");

    Location loc = op.getLoc();
    Type i8 = rewriter.getI8Type(), f32 = rewriter.getF32Type();
    double scale = perTensor(qcast.getResult()).getScale();
    Value src =
        reshapeTo(rewriter, loc, x, RankedTensorType::get({n, r, s}, f32));
    Value init =
        tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{n, s * r}, i8);
    auto idx = [&](OpBuilder &b, int64_t v) { return indexConst(b, loc, v); };
    auto loop = [&](OpBuilder &b, int64_t lo, int64_t hi, Value acc,
                    function_ref<Value(OpBuilder &, Value, Value)> body) {
      return forEachIndex(b, loc, lo, hi, acc, body);
    };
    // quant.qcast's rule (LowerQuantizeCast) on a scalar or vector.
    auto quantize = [&](OpBuilder &b, Value v) -> Value {
      Type t = v.getType();
      Type out = isa<VectorType>(t) ? Type(cast<VectorType>(t).clone(i8)) : i8;
      return arith::FPToSIOp::create(
          b, loc, out,
          quantizeClamped(b, loc, v, scale, st.zeroPoint, st.qmin, st.qmax));
    };
    auto rowType = VectorType::get({kBlock}, f32);
    int64_t sFull = s / kBlock;
    Value result =
        loop(rewriter, 0, n, init, [&](OpBuilder &b, Value bn, Value acc) {
          acc = loop(b, 0, sFull, acc, [&](OpBuilder &b, Value sb, Value acc) {
            Value s0 = arith::MulIOp::create(b, loc, sb, idx(b, kBlock));
            Value pad = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
            // The C rows' codes, concatenated: [c][pixel].
            Value all;
            for (int64_t c = 0; c < r; ++c) {
              Value row = quantize(b, vector::TransferReadOp::create(
                                          b, loc, rowType, src,
                                          ValueRange{bn, idx(b, c), s0}, pad,
                                          ArrayRef<bool>{true}));
              if (!all) {
                all = row;
                continue;
              }
              int64_t len = cast<VectorType>(all.getType()).getNumElements();
              all = vector::ShuffleOp::create(
                  b, loc, all, row,
                  llvm::to_vector(llvm::seq<int64_t>(0, len + kBlock)));
            }
            // Interleaved: [pixel][c].
            SmallVector<int64_t> mask;
            for (int64_t p = 0; p < kBlock; ++p)
              for (int64_t c = 0; c < r; ++c)
                mask.push_back(c * kBlock + p);
            Value codes = vector::ShuffleOp::create(b, loc, all, all, mask);
            Value at = arith::MulIOp::create(b, loc, s0, idx(b, r));
            return vector::TransferWriteOp::create(b, loc, codes, acc,
                                                   ValueRange{bn, at},
                                                   ArrayRef<bool>{true})
                .getResult();
          });
          // Pixels past the last block, element by element.
          return loop(
              b, sFull * kBlock, s, acc,
              [&](OpBuilder &b, Value si, Value acc) {
                return loop(
                    b, 0, r, acc, [&](OpBuilder &b, Value ci, Value acc) {
                      Value v =
                          quantize(b, tensor::ExtractOp::create(
                                          b, loc, src, ValueRange{bn, ci, si}));
                      Value at = arith::AddIOp::create(
                          b, loc, arith::MulIOp::create(b, loc, si, idx(b, r)),
                          ci);
                      return tensor::InsertOp::create(b, loc, v, acc,
                                                      ValueRange{bn, at})
                          .getResult();
                    });
              });
        });
    auto outType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, outType));
    return success();
  }
};

} // namespace

void quantc::populateQCTransposeToVectorPatterns(
    QuantStorageTypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<LowerByteTranspose, LowerQuantizeTranspose>(
      converter, patterns.getContext());
}
