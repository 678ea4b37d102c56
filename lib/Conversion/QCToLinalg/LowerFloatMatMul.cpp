//===- LowerFloatMatMul.cpp - float batched matmul as register tiles ------===//
//
// qc.matmul of two activations (attention's Q·Kᵀ and P·V) stays in float
// in a quantized model. As a linalg.generic it becomes a loop nest whose
// innermost loop LLVM vectorizes along n with a load, multiply, add and
// store of the result row per k. Here each tile of 4 rows x 32 (or 16)
// columns keeps its 8 (or 4) accumulator vectors in registers over the
// whole k loop: per k, one broadcast per row, one load per column vector.
// Every result element is still `((0 + a0·b0) + a1·b1) + ...` in k order
// with separate multiplies and adds, exactly what the generic computes.
//
//===----------------------------------------------------------------------===//

#include "quantc/Conversion/Passes.h"
#include "quantc/Dialect/QC/IR/QC.h"

#include "LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;
using namespace quantc::lowering;

namespace {

constexpr int64_t kLanes = 16;
constexpr int64_t kTileRows = 4;

/// Where the accumulators start: zero, bias[n] (per column) or bias[m]
/// (per row).
enum class BiasKind { None, PerColumn, PerRow };

/// result[b, m, n] = act(init + sum_k lhs[b|0, m, k] * rhs[b|0, k, n]) as
/// register tiles. Columns past the last multiple of 16 use masked loads
/// and stores.
Value buildTiledMatmul(OpBuilder &rewriter, Location loc, Value lhs, Value rhs,
                       int64_t batch, int64_t m, int64_t k, int64_t n,
                       bool lhsBatched, bool rhsBatched, Value bias,
                       BiasKind biasKind, Activation act) {
  Type f32 = rewriter.getF32Type();
  auto vecType = VectorType::get({kLanes}, f32);
  Value init = tensor::EmptyOp::create(rewriter, loc,
                                       ArrayRef<int64_t>{batch, m, n}, f32);
  auto idx = [&](OpBuilder &b, int64_t v) { return indexConst(b, loc, v); };
  auto addc = [&](OpBuilder &b, Value x, int64_t c) {
    return addIndex(b, loc, x, c);
  };
  // Bounds as integers, materialized here in a fixed order (not as
  // arguments, whose evaluation order the C++ compiler picks).
  auto forLoop =
      [&](OpBuilder &b, int64_t lo, int64_t hi, int64_t step, ValueRange iter,
          function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)>
              body) {
        Value lower = idx(b, lo);
        Value upper = idx(b, hi);
        Value stride = idx(b, step);
        return scf::ForOp::create(
                   b, loc, lower, upper, stride, iter,
                   [&](OpBuilder &nb, Location, Value iv, ValueRange args) {
                     scf::YieldOp::create(nb, loc, body(nb, iv, args));
                   })
            .getResults();
      };
  auto splat = [&](OpBuilder &b, double v) {
    return constFLike(b, loc, vecType, v);
  };
  // One tile of `rows` rows at (bi, i0), `vectors` column vectors at j0,
  // the last of them masked when `masked`.
  auto tile = [&](OpBuilder &b, Value bi, Value i0, Value j0, int64_t rows,
                  int64_t vectors, bool masked, Value acc) -> Value {
    SmallVector<bool> inBounds(vectors, true);
    if (masked)
      inBounds.back() = false;
    Value pad = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    SmallVector<Value> start;
    for (int64_t v = 0; v < vectors; ++v) {
      Value s = splat(b, 0);
      if (biasKind == BiasKind::PerColumn)
        s = vector::TransferReadOp::create(b, loc, vecType, bias,
                                           ValueRange{addc(b, j0, v * kLanes)},
                                           pad, ArrayRef<bool>{inBounds[v]});
      start.push_back(s);
    }
    SmallVector<Value> zeros;
    for (int64_t r = 0; r < rows; ++r) {
      if (biasKind == BiasKind::PerRow) {
        Value row = vector::BroadcastOp::create(
            b, loc, vecType,
            tensor::ExtractOp::create(b, loc, bias,
                                      ValueRange{addc(b, i0, r)}));
        zeros.append(vectors, row);
      } else {
        zeros.append(start);
      }
    }
    Value rb = rhsBatched ? bi : idx(b, 0);
    Value lb = lhsBatched ? bi : idx(b, 0);
    SmallVector<Value> sums = llvm::to_vector_of<Value>(forLoop(
        b, 0, k, 1, zeros, [&](OpBuilder &b, Value kk, ValueRange accs) {
          SmallVector<Value> cols;
          for (int64_t v = 0; v < vectors; ++v)
            cols.push_back(vector::TransferReadOp::create(
                b, loc, vecType, rhs,
                ValueRange{rb, kk, addc(b, j0, v * kLanes)}, pad,
                ArrayRef<bool>{inBounds[v]}));
          SmallVector<Value> next;
          for (int64_t r = 0; r < rows; ++r) {
            Value a = tensor::ExtractOp::create(
                b, loc, lhs, ValueRange{lb, addc(b, i0, r), kk});
            Value av = vector::BroadcastOp::create(b, loc, vecType, a);
            for (int64_t v = 0; v < vectors; ++v)
              next.push_back(arith::AddFOp::create(
                  b, loc, accs[r * vectors + v],
                  arith::MulFOp::create(b, loc, av, cols[v])));
          }
          return next;
        }));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t v = 0; v < vectors; ++v) {
        Value y = sums[r * vectors + v];
        if (act != Activation::None)
          y = arith::MaximumFOp::create(b, loc, y, splat(b, 0));
        if (act == Activation::Relu6)
          y = arith::MinimumFOp::create(b, loc, y, splat(b, 6));
        acc = vector::TransferWriteOp::create(
                  b, loc, y, acc,
                  ValueRange{bi, addc(b, i0, r), addc(b, j0, v * kLanes)},
                  ArrayRef<bool>{inBounds[v]})
                  .getResult();
      }
    return acc;
  };
  int64_t mainRows = m - m % kTileRows;
  int64_t full = n / kLanes, tail = n % kLanes;
  int64_t vectors = full % 2 == 0 ? 2 : 1;
  return forLoop(
      rewriter, 0, batch, 1, ValueRange{init},
      [&](OpBuilder &b, Value bi, ValueRange accIn) {
        Value acc = accIn[0];
        auto rowsOf = [&](int64_t lo, int64_t hi, int64_t rows) {
          if (lo >= hi)
            return;
          acc = forLoop(
              b, lo, hi, rows, ValueRange{acc},
              [&](OpBuilder &b, Value i0, ValueRange a) {
                Value cur = a[0];
                if (full > 0)
                  cur = forLoop(
                      b, 0, full * kLanes, vectors * kLanes, ValueRange{cur},
                      [&](OpBuilder &b, Value j0, ValueRange a2) {
                        return SmallVector<Value>{
                            tile(b, bi, i0, j0, rows, vectors, false, a2[0])};
                      })[0];
                if (tail > 0)
                  cur = tile(b, bi, i0, idx(b, full * kLanes), rows, 1, true,
                             cur);
                return SmallVector<Value>{cur};
              })[0];
        };
        rowsOf(0, mainRows, kTileRows);
        rowsOf(mainRows, m, 1);
        return SmallVector<Value>{acc};
      })[0];
}

struct LowerMatMulTiles : OpConversionPattern<MatMulOp> {
  LowerMatMulTiles(TypeConverter &converter, MLIRContext *ctx)
      : OpConversionPattern(converter, ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    auto lhsType = cast<RankedTensorType>(adaptor.getLhs().getType());
    auto rhsType = cast<RankedTensorType>(adaptor.getRhs().getType());
    int64_t rank = type.getRank();
    if (!type.hasStaticShape() || !lhsType.hasStaticShape() ||
        !rhsType.hasStaticShape() || lhsType.getRank() != rank ||
        rhsType.getRank() != rank)
      return rewriter.notifyMatchFailure(op, "dynamic or broadcast operands");
    for (int64_t i = 0; i < rank - 2; ++i)
      if (lhsType.getDimSize(i) != type.getDimSize(i) ||
          rhsType.getDimSize(i) != type.getDimSize(i))
        return rewriter.notifyMatchFailure(op, "broadcast batch");
    int64_t m = type.getDimSize(rank - 2), n = type.getDimSize(rank - 1);
    int64_t k = lhsType.getDimSize(rank - 1);
    if (n < kLanes || m == 0 || k == 0)
      return rewriter.notifyMatchFailure(op, "fewer than 16 columns");
    int64_t batch = type.getNumElements() / (m * n);
    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    Value lhs = reshapeTo(rewriter, loc, adaptor.getLhs(),
                          RankedTensorType::get({batch, m, k}, f32));
    Value rhs = reshapeTo(rewriter, loc, adaptor.getRhs(),
                          RankedTensorType::get({batch, k, n}, f32));
    Value result = buildTiledMatmul(rewriter, loc, lhs, rhs, batch, m, k, n,
                                    /*lhsBatched=*/true, /*rhsBatched=*/true,
                                    Value(), BiasKind::None, Activation::None);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, type));
    return success();
  }
};

/// Float fully_connected with a constant weight: the weight transposed to
/// [K, N] at compile time, the bias as the accumulators' start (the order
/// of the linalg lowering: bias, then the products in k order).
struct LowerFullyConnectedTiles : OpConversionPattern<FullyConnectedOp> {
  LowerFullyConnectedTiles(TypeConverter &converter, MLIRContext *ctx)
      : OpConversionPattern(converter, ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(FullyConnectedOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    if (isQuantizedTensor(type) || !type.hasStaticShape() ||
        type.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "not a static float fc");
    std::optional<SmallVector<float>> w = getConstantFloats(op.getWeight());
    if (!w)
      return rewriter.notifyMatchFailure(op, "weight not a float constant");
    if (op.getBias() && !getConstantFloats(op.getBias()))
      return rewriter.notifyMatchFailure(op, "bias not a float constant");
    int64_t m = type.getDimSize(0), n = type.getDimSize(1);
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    int64_t k = inType.getDimSize(1);
    if (n < kLanes || m == 0 || k == 0 ||
        static_cast<int64_t>(w->size()) != n * k)
      return rewriter.notifyMatchFailure(op, "fewer than 16 columns");
    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    SmallVector<float> wt(n * k);
    for (int64_t j = 0; j < n; ++j)
      for (int64_t kk = 0; kk < k; ++kk)
        wt[kk * n + j] = (*w)[j * k + kk];
    Value rhs = createConstant<float>(rewriter, loc,
                                      RankedTensorType::get({1, k, n}, f32), wt,
                                      "fc_weight_kn");
    Value lhs = reshapeTo(rewriter, loc, adaptor.getInput(),
                          RankedTensorType::get({1, m, k}, f32));
    Value result = buildTiledMatmul(
        rewriter, loc, lhs, rhs, 1, m, k, n, /*lhsBatched=*/true,
        /*rhsBatched=*/false, adaptor.getBias(),
        adaptor.getBias() ? BiasKind::PerColumn : BiasKind::None,
        op.getFusedActivation());
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, type));
    return success();
  }
};

/// Float 2-D convolution (group 1) with a constant weight as the tiled
/// matmul W[F, C·kh·kw] x cols[C·kh·kw, OH·OW] per image, the columns
/// gathered from the padded input (im2col; the input itself for an
/// unpadded 1x1 stride-1 convolution) in the (c, kh, kw) order the linalg
/// lowering reduces in, the bias as each row's start: bit-identical to it.
/// The result is NCHW as the op's.
struct LowerConvTiles : OpConversionPattern<ConvOp> {
  LowerConvTiles(TypeConverter &converter, MLIRContext *ctx)
      : OpConversionPattern(converter, ctx, /*benefit=*/2) {}
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    auto xType = cast<RankedTensorType>(adaptor.getInput().getType());
    if (isQuantizedTensor(type) || type.getRank() != 4 ||
        !type.hasStaticShape() || !xType.hasStaticShape() || op.getGroup() != 1)
      return rewriter.notifyMatchFailure(op, "not a static 2-D float conv");
    std::optional<SmallVector<float>> w = getConstantFloats(op.getWeight());
    if (!w || (op.getBias() && !getConstantFloats(op.getBias())))
      return rewriter.notifyMatchFailure(op, "weight/bias not constants");
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    int64_t nb = type.getDimSize(0), f = type.getDimSize(1);
    int64_t oh = type.getDimSize(2), ow = type.getDimSize(3);
    int64_t c = xType.getDimSize(1), kh = wType.getDimSize(2),
            kw = wType.getDimSize(3);
    int64_t k = c * kh * kw, ohw = oh * ow;
    if (ohw < kLanes || static_cast<int64_t>(w->size()) != f * k)
      return rewriter.notifyMatchFailure(op, "fewer than 16 output pixels");
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(),
                      pads = op.getPads();
    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    bool direct = kh == 1 && kw == 1 &&
                  llvm::all_of(strides, [](int64_t v) { return v == 1; }) &&
                  llvm::all_of(pads, [](int64_t v) { return v == 0; });
    Value cols;
    if (direct) {
      cols = reshapeTo(rewriter, loc, adaptor.getInput(),
                       RankedTensorType::get({nb, k, ohw}, f32));
    } else {
      Value x = adaptor.getInput();
      if (llvm::any_of(pads, [](int64_t v) { return v != 0; })) {
        SmallVector<OpFoldResult> low = {
            rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
            rewriter.getIndexAttr(pads[0]), rewriter.getIndexAttr(pads[1])};
        SmallVector<OpFoldResult> high = {
            rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
            rewriter.getIndexAttr(pads[2]), rewriter.getIndexAttr(pads[3])};
        Value zero = arith::ConstantOp::create(rewriter, loc,
                                               rewriter.getF32FloatAttr(0));
        auto padded = RankedTensorType::get(
            {nb, c, xType.getDimSize(2) + pads[0] + pads[2],
             xType.getDimSize(3) + pads[1] + pads[3]},
            f32);
        x = tensor::PadOp::create(rewriter, loc, padded, x, low, high, zero);
      }
      // cols[n, c, i, j, y, x] = xpad[n, c, y*sh + i*dh, x*sw + j*dw]
      MLIRContext *ctx = rewriter.getContext();
      auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
      AffineMap in =
          AffineMap::get(6, 0,
                         {d(0), d(1), d(4) * strides[0] + d(2) * dilations[0],
                          d(5) * strides[1] + d(3) * dilations[1]},
                         ctx);
      auto colType = RankedTensorType::get({nb, c, kh, kw, oh, ow}, f32);
      Value empty =
          tensor::EmptyOp::create(rewriter, loc, colType.getShape(), f32);
      SmallVector<utils::IteratorType> par(6, utils::IteratorType::parallel);
      Value gathered =
          linalg::GenericOp::create(
              rewriter, loc, colType, ValueRange{x}, empty,
              ArrayRef<AffineMap>{in, rewriter.getMultiDimIdentityMap(6)}, par,
              [](OpBuilder &b, Location l, ValueRange args) {
                linalg::YieldOp::create(b, l, args[0]);
              })
              .getResult(0);
      cols = reshapeTo(rewriter, loc, gathered,
                       RankedTensorType::get({nb, k, ohw}, f32));
    }
    Value lhs = createConstant<float>(rewriter, loc,
                                      RankedTensorType::get({1, f, k}, f32), *w,
                                      "conv_weight_fk");
    Value bias = adaptor.getBias();
    Value result = buildTiledMatmul(
        rewriter, loc, lhs, cols, nb, f, k, ohw, /*lhsBatched=*/false,
        /*rhsBatched=*/true, bias, bias ? BiasKind::PerRow : BiasKind::None,
        op.getFusedActivation());
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, type));
    return success();
  }
};

} // namespace

void quantc::populateQCFloatMatMulToVectorPatterns(
    QuantStorageTypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<LowerMatMulTiles, LowerFullyConnectedTiles, LowerConvTiles>(
      converter, patterns.getContext());
}
