//===- VectorizeInt8Matmul.cpp - register-tiled int8 dot-product kernels --===//
//
// The generic linalg vectorizer turns an i8 contraction into i32 multiplies
// and shuffles (../shared/CODEGEN-NOTES.md). This pass writes the kernel in
// the shape the LLVM backends map to their int8 dot instructions instead.
//
//===----------------------------------------------------------------------===//

#include "quantc/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace quantc {
#define GEN_PASS_DEF_QCVECTORIZEINT8MATMUL
#include "quantc/Codegen/Passes.h.inc"
} // namespace quantc

using namespace mlir;
using namespace quantc;

namespace {

/// Static, contiguous (identity layout) memref of the given element type.
MemRefType contiguous(Value v, Type element) {
  auto t = dyn_cast<MemRefType>(v.getType());
  if (!t || !t.hasStaticShape() || !t.getLayout().isIdentity() ||
      t.getElementType() != element || t.getRank() != 2)
    return {};
  return t;
}

/// True for `C[m, n] += sext(A[m, k]) * sext(B[n, k])` on memrefs with
/// i8 operands and an i32 accumulator.
bool isInt8MatmulTransposeB(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return false;
  MLIRContext *ctx = op.getContext();
  Type i8 = IntegerType::get(ctx, 8), i32 = IntegerType::get(ctx, 32);
  if (!contiguous(op.getDpsInputs()[0], i8) ||
      !contiguous(op.getDpsInputs()[1], i8) ||
      !contiguous(op.getDpsInits()[0], i32))
    return false;
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  SmallVector<AffineMap> expected = {AffineMap::get(3, 0, {m, k}, ctx),
                                     AffineMap::get(3, 0, {n, k}, ctx),
                                     AffineMap::get(3, 0, {m, n}, ctx)};
  if (op.getIndexingMapsArray() != ArrayRef<AffineMap>(expected))
    return false;
  auto iters = op.getIteratorTypesArray();
  if (iters[0] != utils::IteratorType::parallel ||
      iters[1] != utils::IteratorType::parallel ||
      iters[2] != utils::IteratorType::reduction)
    return false;
  // extsi, extsi, muli, addi, yield.
  SmallVector<Operation *> body;
  for (Operation &o : op.getBody()->getOperations())
    body.push_back(&o);
  return body.size() == 5 && isa<arith::ExtSIOp>(body[0]) &&
         isa<arith::ExtSIOp>(body[1]) && isa<arith::MulIOp>(body[2]) &&
         isa<arith::AddIOp>(body[3]);
}

struct KernelEmitter {
  OpBuilder &b;
  Location loc;
  Value a, w, c;
  int64_t k, vectorWidth;
  bool avx2;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  /// The vector accumulator type and one multiply-accumulate step.
  VectorType accType() {
    return VectorType::get({avx2 ? vectorWidth / 2 : vectorWidth / 4},
                           b.getI32Type());
  }

  Value mac(Value acc, Value aWide, Value wBytes) {
    if (avx2) {
      auto i16Vec = VectorType::get({vectorWidth}, b.getI16Type());
      Value wWide = arith::ExtSIOp::create(b, loc, i16Vec, wBytes);
      Value pairs =
          LLVM::CallIntrinsicOp::create(
              b, loc, accType(), b.getStringAttr("llvm.x86.avx2.pmadd.wd"),
              ValueRange{aWide, wWide})
              .getResult(0);
      return arith::AddIOp::create(b, loc, acc, pairs);
    }
    auto i32Vec = VectorType::get({vectorWidth}, b.getI32Type());
    Value wWide = arith::ExtSIOp::create(b, loc, i32Vec, wBytes);
    Value prod = arith::MulIOp::create(b, loc, aWide, wWide);
    return LLVM::CallIntrinsicOp::create(
               b, loc, accType(),
               b.getStringAttr("llvm.vector.partial.reduce.add"),
               ValueRange{acc, prod})
        .getResult(0);
  }

  /// Sign-extends `vectorWidth` activation bytes once for all channels.
  Value widenActivation(Value bytes) {
    auto wide =
        VectorType::get({vectorWidth}, avx2 ? b.getI16Type() : b.getI32Type());
    return arith::ExtSIOp::create(b, loc, wide, bytes);
  }

  /// C[m, n0 + j] += dot(A[m, :], W[n0 + j, :]) for j < nt.
  void emitBlock(Value m, Value n0, int64_t nt) {
    Type i32 = b.getI32Type();
    auto bytesType = VectorType::get({vectorWidth}, b.getI8Type());
    SmallVector<Value> rows;
    for (int64_t j = 0; j < nt; ++j)
      rows.push_back(
          j == 0 ? n0 : arith::AddIOp::create(b, loc, n0, idx(j)).getResult());

    int64_t kMain = k - k % vectorWidth;
    SmallVector<Value> sums;
    if (kMain > 0) {
      Value zero = arith::ConstantOp::create(
          b, loc, accType(), DenseElementsAttr::get(accType(), int32_t(0)));
      SmallVector<Value> init(nt, zero);
      auto loop = scf::ForOp::create(
          b, loc, idx(0), idx(kMain), idx(vectorWidth), init,
          [&](OpBuilder &, Location, Value kv, ValueRange accs) {
            Value aWide = widenActivation(
                vector::LoadOp::create(b, loc, bytesType, a, {m, kv}));
            SmallVector<Value> next;
            for (int64_t j = 0; j < nt; ++j) {
              Value wBytes =
                  vector::LoadOp::create(b, loc, bytesType, w, {rows[j], kv});
              next.push_back(mac(accs[j], aWide, wBytes));
            }
            scf::YieldOp::create(b, loc, next);
          });
      for (Value acc : loop.getResults())
        sums.push_back(vector::ReductionOp::create(
            b, loc, vector::CombiningKind::ADD, acc));
    } else {
      sums.assign(nt, arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0))
                          .getResult());
    }
    if (kMain < k) {
      auto tail = scf::ForOp::create(
          b, loc, idx(kMain), idx(k), idx(1), sums,
          [&](OpBuilder &, Location, Value kv, ValueRange partial) {
            Value x = arith::ExtSIOp::create(
                b, loc, i32, memref::LoadOp::create(b, loc, a, {m, kv}));
            SmallVector<Value> next;
            for (int64_t j = 0; j < nt; ++j) {
              Value y = arith::ExtSIOp::create(
                  b, loc, i32,
                  memref::LoadOp::create(b, loc, w, {rows[j], kv}));
              next.push_back(arith::AddIOp::create(
                  b, loc, partial[j], arith::MulIOp::create(b, loc, x, y)));
            }
            scf::YieldOp::create(b, loc, next);
          });
      sums.assign(tail.getResults().begin(), tail.getResults().end());
    }
    for (int64_t j = 0; j < nt; ++j) {
      Value old = memref::LoadOp::create(b, loc, c, {m, rows[j]});
      memref::StoreOp::create(
          b, loc, arith::AddIOp::create(b, loc, old, sums[j]), c, {m, rows[j]});
    }
  }
};

struct VectorizeInt8MatmulPass
    : quantc::impl::QCVectorizeInt8MatmulBase<VectorizeInt8MatmulPass> {
  using QCVectorizeInt8MatmulBase::QCVectorizeInt8MatmulBase;

  void runOnOperation() override {
    if (instructionSet != "avx2" && instructionSet != "generic") {
      getOperation().emitError("qc-vectorize-int8-matmul: unknown isa '")
          << instructionSet << "' (expected avx2 or generic)";
      return signalPassFailure();
    }
    if (vectorWidth < 4 || vectorWidth % 4 != 0 || nTile < 1) {
      getOperation().emitError(
          "qc-vectorize-int8-matmul: vector-width must be a positive multiple "
          "of 4 and n-tile positive");
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> matches;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isInt8MatmulTransposeB(op))
        matches.push_back(op);
    });
    for (linalg::GenericOp op : matches)
      rewrite(op);
  }

  void rewrite(linalg::GenericOp op) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value a = op.getDpsInputs()[0], w = op.getDpsInputs()[1];
    Value c = op.getDpsInits()[0];
    auto aType = cast<MemRefType>(a.getType());
    int64_t m = aType.getDimSize(0), k = aType.getDimSize(1);
    int64_t n = cast<MemRefType>(w.getType()).getDimSize(0);
    KernelEmitter emitter{b, loc, a,           w,
                          c, k,   vectorWidth, instructionSet == "avx2"};
    int64_t nMain = n - n % nTile;
    scf::ForOp::create(
        b, loc, emitter.idx(0), emitter.idx(m), emitter.idx(1), {},
        [&](OpBuilder &, Location, Value mv, ValueRange) {
          if (nMain > 0)
            scf::ForOp::create(
                b, loc, emitter.idx(0), emitter.idx(nMain), emitter.idx(nTile),
                {}, [&](OpBuilder &, Location, Value nv, ValueRange) {
                  emitter.emitBlock(mv, nv, nTile);
                  scf::YieldOp::create(b, loc);
                });
          if (nMain < n)
            scf::ForOp::create(
                b, loc, emitter.idx(nMain), emitter.idx(n), emitter.idx(1), {},
                [&](OpBuilder &, Location, Value nv, ValueRange) {
                  emitter.emitBlock(mv, nv, 1);
                  scf::YieldOp::create(b, loc);
                });
          scf::YieldOp::create(b, loc);
        });
    op.erase();
  }
};

} // namespace
