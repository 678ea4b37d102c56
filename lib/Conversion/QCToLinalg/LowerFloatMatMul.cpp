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
    if (n % kLanes != 0 || m == 0 || k == 0)
      return rewriter.notifyMatchFailure(op, "n not a multiple of 16");
    int64_t batch = type.getNumElements() / (m * n);
    int64_t vectors = n % (2 * kLanes) == 0 ? 2 : 1;

    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    auto vecType = VectorType::get({kLanes}, f32);
    Value lhs = reshapeTo(rewriter, loc, adaptor.getLhs(),
                          RankedTensorType::get({batch, m, k}, f32));
    Value rhs = reshapeTo(rewriter, loc, adaptor.getRhs(),
                          RankedTensorType::get({batch, k, n}, f32));
    Value init = tensor::EmptyOp::create(rewriter, loc,
                                         ArrayRef<int64_t>{batch, m, n}, f32);
    auto idx = [&](OpBuilder &b, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    auto addc = [&](OpBuilder &b, Value x, int64_t c) -> Value {
      return c == 0 ? x : arith::AddIOp::create(b, loc, x, idx(b, c));
    };
    auto forLoop = [&](OpBuilder &b, Value lo, Value hi, int64_t step,
                       ValueRange iter,
                       function_ref<SmallVector<Value>(OpBuilder &, Value,
                                                       ValueRange)>
                           body) {
      return scf::ForOp::create(
                 b, loc, lo, hi, idx(b, step), iter,
                 [&](OpBuilder &nb, Location, Value iv, ValueRange args) {
                   scf::YieldOp::create(nb, loc, body(nb, iv, args));
                 })
          .getResults();
    };
    // One tile of `rows` rows at (bi, i0) and `vectors` column vectors at j0.
    auto tile = [&](OpBuilder &b, Value bi, Value i0, Value j0, int64_t rows,
                    Value acc) -> Value {
      Value zero = arith::ConstantOp::create(
          b, loc, vecType, DenseElementsAttr::get(vecType, b.getF32FloatAttr(0)));
      SmallVector<Value> zeros(rows * vectors, zero);
      Value pad = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
      SmallVector<Value> sums = llvm::to_vector_of<Value>(forLoop(
          b, idx(b, 0), idx(b, k), 1, zeros,
          [&](OpBuilder &b, Value kk, ValueRange accs) {
            SmallVector<Value> cols;
            for (int64_t v = 0; v < vectors; ++v)
              cols.push_back(vector::TransferReadOp::create(
                  b, loc, vecType, rhs, ValueRange{bi, kk, addc(b, j0, v * kLanes)},
                  pad, ArrayRef<bool>{true}));
            SmallVector<Value> next;
            for (int64_t r = 0; r < rows; ++r) {
              Value a = tensor::ExtractOp::create(
                  b, loc, lhs, ValueRange{bi, addc(b, i0, r), kk});
              Value av = vector::BroadcastOp::create(b, loc, vecType, a);
              for (int64_t v = 0; v < vectors; ++v)
                next.push_back(arith::AddFOp::create(
                    b, loc, accs[r * vectors + v],
                    arith::MulFOp::create(b, loc, av, cols[v])));
            }
            return next;
          }));
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t v = 0; v < vectors; ++v)
          acc = vector::TransferWriteOp::create(
                    b, loc, sums[r * vectors + v], acc,
                    ValueRange{bi, addc(b, i0, r), addc(b, j0, v * kLanes)},
                    ArrayRef<bool>{true})
                    .getResult();
      return acc;
    };
    int64_t mainRows = m - m % kTileRows;
    Value result =
        forLoop(rewriter, idx(rewriter, 0), idx(rewriter, batch), 1,
                ValueRange{init},
                [&](OpBuilder &b, Value bi, ValueRange accIn) {
                  Value acc = accIn[0];
                  auto rowsOf = [&](int64_t lo, int64_t hi, int64_t rows) {
                    if (lo >= hi)
                      return;
                    acc = forLoop(
                        b, idx(b, lo), idx(b, hi), rows, ValueRange{acc},
                        [&](OpBuilder &b, Value i0, ValueRange a) {
                          return SmallVector<Value>{forLoop(
                              b, idx(b, 0), idx(b, n), vectors * kLanes, a,
                              [&](OpBuilder &b, Value j0, ValueRange a2) {
                                return SmallVector<Value>{
                                    tile(b, bi, i0, j0, rows, a2[0])};
                              })[0]};
                        })[0];
                  };
                  rowsOf(0, mainRows, kTileRows);
                  rowsOf(mainRows, m, 1);
                  return SmallVector<Value>{acc};
                })[0];
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, type));
    return success();
  }
};

} // namespace

void quantc::populateQCFloatMatMulToVectorPatterns(
    QuantStorageTypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<LowerMatMulTiles>(converter, patterns.getContext());
}
