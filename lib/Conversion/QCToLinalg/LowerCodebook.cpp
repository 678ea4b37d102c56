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

    // One flat loop over the weight, reshaped (a view) afterwards: a loop
    // nest with short inner dimensions gets fully unrolled by LLVM, which
    // then folds the index constant into code larger than the weight.
    auto flatType = RankedTensorType::get({n}, type.getElementType());
    Value flat = buildElementwise(
        rewriter, op.getLoc(), ValueRange{}, {}, flatType,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          auto cIdx = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(b, l, v);
          };
          Value pos = linalg::IndexOp::create(b, l, 0);
          Type i8 = b.getI8Type();
          Value code;
          if (bits == 8) {
            code = tensor::ExtractOp::create(b, l, indices, pos);
          } else {
            // Two indices per byte, the even element in the low nibble.
            Value half = arith::ShRUIOp::create(b, l, pos, cIdx(1));
            Value byte = tensor::ExtractOp::create(b, l, indices, half);
            Value odd = arith::IndexCastUIOp::create(
                b, l, i8, arith::AndIOp::create(b, l, pos, cIdx(1)));
            Value shift = arith::MulIOp::create(b, l, odd, constI(b, l, i8, 4));
            code = arith::AndIOp::create(
                b, l, arith::ShRUIOp::create(b, l, byte, shift),
                constI(b, l, i8, 15));
          }
          Value entry =
              arith::IndexCastUIOp::create(b, l, b.getIndexType(), code);
          if (k < (int64_t(1) << bits))
            entry = arith::MinUIOp::create(b, l, entry, cIdx(k - 1));
          SmallVector<Value> at;
          if (perChannel)
            at.push_back(arith::DivUIOp::create(b, l, pos, cIdx(channelSize)));
          at.push_back(entry);
          return tensor::ExtractOp::create(b, l, codebook, at);
        });
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
