//===- LowerCodebook.cpp - qc.codebook_lookup to a table-lookup generic ---===//
//
// A clustered weight becomes a linalg.generic that, for each weight
// element, reads its packed index from the index constant and the centroid
// from the codebook constant (tensor.extract). Both stay constants, so the
// object file holds the indices and tables, not the float weight.
//
//===----------------------------------------------------------------------===//

#include "quantc/Conversion/Passes.h"
#include "quantc/Dialect/QC/IR/QC.h"

#include "LinalgBuilders.h"

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;
using namespace quantc::lowering;

namespace {

struct LowerCodebookLookup : OpConversionPattern<CodebookLookupOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CodebookLookupOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    int64_t bits = op.getBits(), n = type.getNumElements();
    Value indices = adaptor.getIndices(), codebook = adaptor.getCodebook();
    auto tableType = cast<RankedTensorType>(codebook.getType());
    bool perChannel = tableType.getRank() == 2;
    int64_t k = tableType.getShape().back();
    int64_t channelSize = n / type.getDimSize(0);

    // The table read of one element from its unsigned index `code` (i8)
    // and its row-major position (for the channel).
    auto lookup = [&](OpBuilder &b, Location l, Value code,
                      function_ref<Value()> position) -> Value {
      Value entry = arith::IndexCastUIOp::create(b, l, b.getIndexType(), code);
      if (k < (int64_t(1) << bits))
        entry = arith::MinUIOp::create(
            b, l, entry, arith::ConstantIndexOp::create(b, l, k - 1));
      SmallVector<Value> at;
      if (perChannel)
        at.push_back(arith::DivUIOp::create(
            b, l, position(),
            arith::ConstantIndexOp::create(b, l, channelSize)));
      at.push_back(entry);
      return tensor::ExtractOp::create(b, l, codebook, at);
    };
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Type i8 = rewriter.getI8Type();
    Type f32 = type.getElementType();
    // Flat loops over the weight, reshaped (a view) afterwards: a loop nest
    // over the weight's own shape has short inner loops that LLVM fully
    // unrolls, and it then folds the index constant into code larger than
    // the weight. The index bytes are a generic input, read contiguously.
    Value flat;
    if (bits == 8) {
      // [n]: byte i is the index of element i.
      flat = buildElementwise(
          rewriter, loc, indices, {rewriter.getMultiDimIdentityMap(1)},
          RankedTensorType::get({n}, f32),
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            return lookup(b, l, args[0],
                          [&] { return linalg::IndexOp::create(b, l, 0); });
          });
    } else if (n % 2 == 0) {
      // [n / 2, 2]: byte i holds element 2i (low nibble) and 2i + 1 (high).
      auto byteMap = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
      flat = buildElementwise(
          rewriter, loc, indices, {byteMap},
          RankedTensorType::get({n / 2, 2}, f32),
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value half = linalg::IndexOp::create(b, l, 1);
            // Named locals: the order of creation must not depend on the
            // C++ compiler's order of evaluating arguments.
            Value halfI8 = arith::IndexCastUIOp::create(b, l, i8, half);
            Value four = constI(b, l, i8, 4);
            Value shift = arith::MulIOp::create(b, l, halfI8, four);
            Value shifted = arith::ShRUIOp::create(b, l, args[0], shift);
            Value mask = constI(b, l, i8, 15);
            Value code = arith::AndIOp::create(b, l, shifted, mask);
            return lookup(b, l, code, [&]() -> Value {
              Value byte = linalg::IndexOp::create(b, l, 0);
              Value twice = arith::ShLIOp::create(
                  b, l, byte, arith::ConstantIndexOp::create(b, l, 1));
              return arith::AddIOp::create(b, l, twice, half);
            });
          });
    } else {
      // Odd count: [n], element i in byte i / 2.
      flat = buildElementwise(
          rewriter, loc, ValueRange{}, {}, RankedTensorType::get({n}, f32),
          [&](OpBuilder &b, Location l, ValueRange) -> Value {
            Value pos = linalg::IndexOp::create(b, l, 0);
            Value one = arith::ConstantIndexOp::create(b, l, 1);
            Value byte = tensor::ExtractOp::create(
                b, l, indices,
                ValueRange{arith::ShRUIOp::create(b, l, pos, one)});
            Value odd = arith::IndexCastUIOp::create(
                b, l, i8, arith::AndIOp::create(b, l, pos, one));
            Value shift = arith::MulIOp::create(b, l, odd, constI(b, l, i8, 4));
            Value shifted = arith::ShRUIOp::create(b, l, byte, shift);
            Value mask = constI(b, l, i8, 15);
            Value code = arith::AndIOp::create(b, l, shifted, mask);
            return lookup(b, l, code, [&] { return pos; });
          });
    }
    Value out = reshapeTo(rewriter, op.getLoc(), flat, type);
    rewriter.replaceOp(op, out);
    return success();
  }
};

} // namespace

void quantc::populateCodebookToLinalgPatterns(
    QuantStorageTypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<LowerCodebookLookup>(converter, patterns.getContext());
}
