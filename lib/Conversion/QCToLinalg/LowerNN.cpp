//===- LowerNN.cpp - convolution, pooling and the other qc ops to linalg --===//
//
// Window ops (conv, conv_transpose, pool) become one linalg.generic over an
// explicitly padded input whose loop order puts the reductions outside the
// innermost output dimension, so that the innermost loop runs along
// contiguous memory and LLVM vectorizes it. Element-wise ops become
// linalg.generic with arith/math bodies; softmax, normalizations and
// reductions are built from reduction generics.
//
//===----------------------------------------------------------------------===//

#include "quantc/Conversion/Passes.h"
#include "quantc/Dialect/QC/IR/QC.h"
#include "quantc/Support/Numerics.h"

#include "LinalgBuilders.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;
using namespace quantc::lowering;

namespace {

using Shape = SmallVector<int64_t>;

Value scalarOf(OpBuilder &b, Location loc, Type type, double v) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(ft, v));
  return constI(b, loc, type, static_cast<int64_t>(v));
}

/// Pads `x` with `low`/`high` elements of `value` per dimension (no-op when
/// all are zero).
Value padWith(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> low,
              ArrayRef<int64_t> high, Value value) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  Shape shape(type.getShape());
  SmallVector<OpFoldResult> lo, hi;
  for (size_t i = 0; i < shape.size(); ++i) {
    shape[i] += low[i] + high[i];
    lo.push_back(b.getIndexAttr(low[i]));
    hi.push_back(b.getIndexAttr(high[i]));
  }
  return tensor::PadOp::create(b, loc, type.clone(shape), x, lo, hi, value);
}

/// Reshapes a tensor whose dimension `dim` splits into `parts`.
Value splitDim(OpBuilder &b, Location loc, Value x, int64_t dim,
               ArrayRef<int64_t> parts) {
  auto type = cast<RankedTensorType>(x.getType());
  Shape shape(type.getShape().take_front(dim));
  llvm::append_range(shape, parts);
  llvm::append_range(shape, type.getShape().drop_front(dim + 1));
  SmallVector<ReassociationIndices> reassoc;
  int64_t out = 0;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    ReassociationIndices group;
    int64_t n = i == dim ? parts.size() : 1;
    for (int64_t j = 0; j < n; ++j)
      group.push_back(out++);
    reassoc.push_back(group);
  }
  return tensor::ExpandShapeOp::create(b, loc, type.clone(shape), x, reassoc);
}

/// Inverse of splitDim: merges dimensions [dim, dim + count) into one.
Value mergeDims(OpBuilder &b, Location loc, Value x, int64_t dim,
                int64_t count) {
  auto type = cast<RankedTensorType>(x.getType());
  Shape shape(type.getShape().take_front(dim));
  int64_t merged = 1;
  for (int64_t i = 0; i < count; ++i)
    merged *= type.getDimSize(dim + i);
  shape.push_back(merged);
  llvm::append_range(shape, type.getShape().drop_front(dim + count));
  SmallVector<ReassociationIndices> reassoc;
  for (int64_t i = 0; i < type.getRank();) {
    ReassociationIndices group;
    int64_t n = i == dim ? count : 1;
    for (int64_t j = 0; j < n; ++j)
      group.push_back(i++);
    reassoc.push_back(group);
  }
  return tensor::CollapseShapeOp::create(b, loc, type.clone(shape), x, reassoc);
}

SmallVector<utils::IteratorType> iterators(ArrayRef<bool> reduction) {
  SmallVector<utils::IteratorType> its;
  for (bool r : reduction)
    its.push_back(r ? utils::IteratorType::reduction
                    : utils::IteratorType::parallel);
  return its;
}

/// A map over `rank` dims reading the result-shaped operand with the
/// `axes` dimensions removed (a reduced tensor broadcast back).
AffineMap dropAxesMap(MLIRContext *ctx, int64_t rank, ArrayRef<int64_t> axes) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    if (!llvm::is_contained(axes, i))
      exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// Reduces `x` over `axes` (sorted) into a tensor without those dimensions.
Value reduceAxes(
    OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes, double init,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  Shape outShape;
  SmallVector<bool> red(rank, false);
  for (int64_t i = 0; i < rank; ++i) {
    if (llvm::is_contained(axes, i))
      red[i] = true;
    else
      outShape.push_back(type.getDimSize(i));
  }
  auto outType = RankedTensorType::get(outShape, type.getElementType());
  Value acc = fillTensor(b, loc, outType,
                         scalarOf(b, loc, type.getElementType(), init));
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank),
                                 dropAxesMap(ctx, rank, axes)};
  return linalg::GenericOp::create(
             b, loc, outType, x, acc, maps, iterators(red),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, combine(nb, l, args[1], args[0]));
             })
      .getResult(0);
}

Value addF(OpBuilder &b, Location l, Value a, Value c) {
  return arith::AddFOp::create(b, l, a, c);
}
Value maxF(OpBuilder &b, Location l, Value a, Value c) {
  return arith::MaximumFOp::create(b, l, a, c);
}
Value minF(OpBuilder &b, Location l, Value a, Value c) {
  return arith::MinimumFOp::create(b, l, a, c);
}

/// Maps reading each of `inputs` broadcast NumPy-style into `type`.
SmallVector<AffineMap> broadcastMaps(MLIRContext *ctx, ValueRange inputs,
                                     RankedTensorType type) {
  SmallVector<AffineMap> maps;
  for (Value v : inputs)
    maps.push_back(broadcastMap(
        ctx, cast<RankedTensorType>(v.getType()).getShape(), type.getShape()));
  return maps;
}

//===----------------------------------------------------------------------===//
// Convolution core
//===----------------------------------------------------------------------===//

/// acc[n, f, o...] += x[n, g*Cg + c, o*s + k*d] * w[f, c, k...] over an
/// already padded `x`. Loop order: n, g, f, c, k..., o... so the innermost
/// loop walks the output row.
Value buildConv(OpBuilder &b, Location loc, Value x, Value w, Value acc,
                ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                int64_t group) {
  MLIRContext *ctx = b.getContext();
  auto xt = cast<RankedTensorType>(x.getType());
  auto wt = cast<RankedTensorType>(w.getType());
  int64_t s = xt.getRank() - 2;
  int64_t cg = wt.getDimSize(1), fg = wt.getDimSize(0) / group;
  // Only the accumulator is reshaped to [N, G, Fg, ...]: reshaping the
  // (constant) operands would make canonicalization fold a copy of the
  // weights into the IR.
  Value ag = splitDim(b, loc, acc, 1, {group, fg});
  // dims: n, g, f, c, k0..k(s-1), o0..o(s-1)
  int64_t numDims = 4 + 2 * s;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xe = {d(0), d(1) * cg + d(3)},
                          we = {d(1) * fg + d(2), d(3)},
                          ae = {d(0), d(1), d(2)};
  for (int64_t i = 0; i < s; ++i) {
    xe.push_back(d(4 + s + i) * strides[i] + d(4 + i) * dilations[i]);
    we.push_back(d(4 + i));
    ae.push_back(d(4 + s + i));
  }
  SmallVector<AffineMap> maps = {AffineMap::get(numDims, 0, xe, ctx),
                                 AffineMap::get(numDims, 0, we, ctx),
                                 AffineMap::get(numDims, 0, ae, ctx)};
  SmallVector<bool> red(numDims, false);
  for (int64_t i = 3; i < 4 + s; ++i)
    red[i] = true;
  Value out =
      linalg::GenericOp::create(
          b, loc, ag.getType(), ValueRange{x, w}, ag, maps, iterators(red),
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Type accType = args[2].getType();
            Value sum;
            if (isa<FloatType>(accType)) {
              sum = arith::AddFOp::create(
                  nb, l, args[2],
                  arith::MulFOp::create(nb, l, args[0], args[1]));
            } else {
              // Named locals: creation order must not depend on the
              // compiler's order of evaluating arguments.
              Value lhs = arith::ExtSIOp::create(nb, l, accType, args[0]);
              Value rhs = arith::ExtSIOp::create(nb, l, accType, args[1]);
              Value p = arith::MulIOp::create(nb, l, lhs, rhs);
              sum = arith::AddIOp::create(nb, l, args[2], p);
            }
            linalg::YieldOp::create(nb, l, sum);
          })
          .getResult(0);
  return mergeDims(b, loc, out, 1, 2);
}

struct LowerConv : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t s = op.getType().getRank() - 2;
    ArrayRef<int64_t> pads = op.getPads();
    Shape low(2, 0), high(2, 0);
    low.append(pads.begin(), pads.begin() + s);
    high.append(pads.begin() + s, pads.end());
    if (isQuantizedTensor(op.getType()))
      return lowerQuantized(op, adaptor, rewriter, low, high);
    auto type = op.getType();
    Value x = padWith(rewriter, loc, adaptor.getInput(), low, high,
                      constF(rewriter, loc, 0));
    Value init = adaptor.getBias()
                     ? broadcastChannels(rewriter, loc, adaptor.getBias(), type)
                     : zeroFilled(rewriter, loc, type);
    Value out = buildConv(rewriter, loc, x, adaptor.getWeight(), init,
                          op.getStrides(), op.getDilations(), op.getGroup());
    out = activateTensor(rewriter, loc, out, op.getFusedActivation());
    rewriter.replaceOp(op, out);
    return success();
  }

  LogicalResult lowerQuantized(ConvOp op, OpAdaptor adaptor,
                               ConversionPatternRewriter &rewriter,
                               ArrayRef<int64_t> low,
                               ArrayRef<int64_t> high) const {
    Location loc = op.getLoc();
    FailureOr<RequantPlan> plan = planWeightedRequant(
        op, op.getInput(), op.getWeight(), op.getBias(), op.getResult());
    if (failed(plan))
      return failure();
    // Padding holds the input zero point (real 0), so the zp * sum(w)
    // folded into the bias is exact at the borders too.
    Value x =
        padWith(rewriter, loc, adaptor.getInput(), low, high,
                constI(rewriter, loc, plan->input.type, plan->input.zeroPoint));
    Value acc = buildConv(rewriter, loc, x, adaptor.getWeight(),
                          plan->accumulatorInit(rewriter, loc, op.getType()),
                          op.getStrides(), op.getDilations(), op.getGroup());
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    rewriter.replaceOp(op, plan->requantize(rewriter, loc, acc, resultType,
                                            op.getFusedActivation()));
    return success();
  }
};

struct LowerConvTranspose : OpConversionPattern<ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto xt = op.getInput().getType();
    auto wt = op.getWeight().getType();
    int64_t rank = xt.getRank(), s = rank - 2, g = op.getGroup();
    int64_t c = xt.getDimSize(1), cg = c / g, fg = wt.getDimSize(1);
    ArrayRef<int64_t> strides = op.getStrides(), dil = op.getDilations(),
                      pads = op.getPads(), outPad = op.getOutputPadding();

    // The equivalent convolution's weight: w'[g*Fg + f, c, k] =
    // w[g*Cg + c, f, K - 1 - k].
    Shape wShape = {g, fg, cg};
    for (int64_t i = 0; i < s; ++i)
      wShape.push_back(wt.getDimSize(2 + i));
    auto wgType = RankedTensorType::get(wShape, rewriter.getF32Type());
    Value wIn = splitDim(rewriter, loc, adaptor.getWeight(), 0, {g, cg});
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> readExprs = {d(0), d(2), d(1)};
    for (int64_t i = 0; i < s; ++i)
      readExprs.push_back(wt.getDimSize(2 + i) - 1 - d(3 + i));
    Value flipped = buildElementwise(
        rewriter, loc, wIn, {AffineMap::get(3 + s, 0, readExprs, ctx)}, wgType,
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    Value w = mergeDims(rewriter, loc, flipped, 0, 2);

    // Dilate the input by the strides and pad it by d*(K-1) - pad (cropping
    // where that is negative).
    Shape full(xt.getShape().take_front(2)), offsets(rank, 0),
        insertStrides(rank, 1), cropOffsets(rank, 0), cropSizes;
    Shape upShape(xt.getShape());
    for (int64_t i = 0; i < s; ++i) {
      int64_t up = (xt.getDimSize(2 + i) - 1) * strides[i] + 1;
      int64_t k = dil[i] * (wt.getDimSize(2 + i) - 1);
      int64_t lo = k - pads[i], hi = k - pads[s + i] + outPad[i];
      full.push_back(up + std::max<int64_t>(lo, 0) + std::max<int64_t>(hi, 0));
      offsets[2 + i] = std::max<int64_t>(lo, 0);
      insertStrides[2 + i] = strides[i];
      cropOffsets[2 + i] = std::max<int64_t>(-lo, 0);
      upShape[2 + i] = up;
    }
    auto fullType = RankedTensorType::get(full, rewriter.getF32Type());
    Value canvas = zeroFilled(rewriter, loc, fullType);
    SmallVector<OpFoldResult> offs, sizes, strs;
    for (int64_t i = 0; i < rank; ++i) {
      offs.push_back(rewriter.getIndexAttr(offsets[i]));
      sizes.push_back(rewriter.getIndexAttr(xt.getDimSize(i)));
      strs.push_back(rewriter.getIndexAttr(insertStrides[i]));
    }
    Value x = tensor::InsertSliceOp::create(rewriter, loc, adaptor.getInput(),
                                            canvas, offs, sizes, strs);
    auto type = op.getType();
    Shape convIn(full);
    bool crop = false;
    for (int64_t i = 0; i < s; ++i) {
      convIn[2 + i] =
          type.getDimSize(2 + i) + dil[i] * (wt.getDimSize(2 + i) - 1);
      crop |= cropOffsets[2 + i] != 0 || convIn[2 + i] != full[2 + i];
    }
    if (crop) {
      SmallVector<OpFoldResult> co, cs, one;
      for (int64_t i = 0; i < rank; ++i) {
        co.push_back(rewriter.getIndexAttr(cropOffsets[i]));
        cs.push_back(rewriter.getIndexAttr(convIn[i]));
        one.push_back(rewriter.getIndexAttr(1));
      }
      x = tensor::ExtractSliceOp::create(
          rewriter, loc, RankedTensorType::get(convIn, rewriter.getF32Type()),
          x, co, cs, one);
    }
    Value init = adaptor.getBias()
                     ? broadcastChannels(rewriter, loc, adaptor.getBias(), type)
                     : zeroFilled(rewriter, loc, type);
    Shape ones(s, 1);
    rewriter.replaceOp(op, buildConv(rewriter, loc, x, w, init, ones, dil, g));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

struct LowerPool : OpConversionPattern<PoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto outType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Type elt = inType.getElementType();
    bool isFloat = isa<FloatType>(elt);
    bool isMax = op.getKind() == PoolKind::Max;
    int64_t rank = inType.getRank(), s = rank - 2;
    // Channels-last: spatial dimensions 1..s, channels last.
    bool last = op.getChannelsLast();
    int64_t first = last ? 1 : 2;
    ArrayRef<int64_t> k = op.getKernel(), st = op.getStrides(),
                      dl = op.getDilations(), pads = op.getPads();
    // Extra end padding so that ceil-mode windows stay in bounds.
    Shape low(first, 0), high(first, 0);
    for (int64_t i = 0; i < s; ++i) {
      int64_t need = (outType.getDimSize(first + i) - 1) * st[i] +
                     dl[i] * (k[i] - 1) + 1;
      int64_t have = inType.getDimSize(first + i) + pads[i] + pads[s + i];
      low.push_back(pads[i]);
      high.push_back(pads[s + i] + std::max<int64_t>(need - have, 0));
    }
    if (last) {
      low.push_back(0);
      high.push_back(0);
    }
    double padValue = 0;
    if (isMax)
      padValue = isFloat ? -std::numeric_limits<double>::infinity()
                         : static_cast<double>(APInt::getSignedMinValue(
                                                   elt.getIntOrFloatBitWidth())
                                                   .getSExtValue());
    Value x = padWith(rewriter, loc, adaptor.getInput(), low, high,
                      scalarOf(rewriter, loc, elt, padValue));
    Value acc = fillTensor(rewriter, loc, outType,
                           scalarOf(rewriter, loc, elt, padValue));
    Value window = tensor::EmptyOp::create(rewriter, loc, k, elt);
    // dims: n, c, k..., o...
    int64_t numDims = 2 + 2 * s;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    // Loop order n, c, k..., o... (channels-first: the innermost loop walks
    // an output row) or n, o..., k..., c (channels-last: it walks the
    // contiguous channels).
    auto cDim = [&] { return last ? 1 + 2 * s : 1; };
    auto kDim = [&](int64_t i) { return last ? 1 + s + i : 2 + i; };
    auto oDim = [&](int64_t i) { return last ? 1 + i : 2 + s + i; };
    SmallVector<AffineExpr> xe = {d(0)}, ke, oe = {d(0)};
    if (!last) {
      xe.push_back(d(cDim()));
      oe.push_back(d(cDim()));
    }
    for (int64_t i = 0; i < s; ++i) {
      xe.push_back(d(oDim(i)) * st[i] + d(kDim(i)) * dl[i]);
      ke.push_back(d(kDim(i)));
      oe.push_back(d(oDim(i)));
    }
    if (last) {
      xe.push_back(d(cDim()));
      oe.push_back(d(cDim()));
    }
    SmallVector<AffineMap> maps = {AffineMap::get(numDims, 0, xe, ctx),
                                   AffineMap::get(numDims, 0, ke, ctx),
                                   AffineMap::get(numDims, 0, oe, ctx)};
    SmallVector<bool> red(numDims, false);
    for (int64_t i = 0; i < s; ++i)
      red[kDim(i)] = true;
    Value pooled =
        linalg::GenericOp::create(
            rewriter, loc, outType, ValueRange{x, window}, acc, maps,
            iterators(red),
            [&](OpBuilder &nb, Location l, ValueRange args) {
              Value r;
              if (!isMax)
                r = arith::AddFOp::create(nb, l, args[2], args[0]);
              else if (isFloat)
                r = arith::MaximumFOp::create(nb, l, args[2], args[0]);
              else
                r = arith::MaxSIOp::create(nb, l, args[2], args[0]);
              linalg::YieldOp::create(nb, l, r);
            })
            .getResult(0);
    if (isMax) {
      rewriter.replaceOp(op, pooled);
      return success();
    }
    // Divisors: window positions inside the input (or inside the explicit
    // padding with count_include_pad), per output position.
    Shape outSpatial(outType.getShape().slice(first, s));
    SmallVector<SmallVector<int64_t>> counts(s);
    for (int64_t i = 0; i < s; ++i) {
      int64_t lo = op.getCountIncludePad() ? -pads[i] : 0;
      int64_t hi = inType.getDimSize(first + i) +
                   (op.getCountIncludePad() ? pads[s + i] : 0);
      for (int64_t o = 0; o < outSpatial[i]; ++o) {
        int64_t n = 0;
        for (int64_t j = 0; j < k[i]; ++j) {
          int64_t p = o * st[i] + j * dl[i] - pads[i];
          n += p >= lo && p < hi;
        }
        counts[i].push_back(n);
      }
    }
    int64_t total = 1;
    for (int64_t v : outSpatial)
      total *= v;
    SmallVector<float> divisors(total);
    Shape strides(s, 1);
    for (int64_t i = s - 2; i >= 0; --i)
      strides[i] = strides[i + 1] * outSpatial[i + 1];
    for (int64_t flat = 0; flat < total; ++flat) {
      int64_t n = 1;
      for (int64_t i = 0; i < s; ++i)
        n *= counts[i][(flat / strides[i]) % outSpatial[i]];
      divisors[flat] = static_cast<float>(std::max<int64_t>(n, 1));
    }
    auto divType = RankedTensorType::get(outSpatial, rewriter.getF32Type());
    Value div = createConstant<float>(rewriter, loc, divType, divisors,
                                      "pool_divisors");
    SmallVector<AffineExpr> de;
    for (int64_t i = 0; i < s; ++i)
      de.push_back(getAffineDimExpr(first + i, ctx));
    Value avg = buildElementwise(
        rewriter, loc, ValueRange{pooled, div},
        {rewriter.getMultiDimIdentityMap(rank),
         AffineMap::get(rank, 0, de, ctx)},
        outType, [](OpBuilder &nb, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(nb, l, args[0], args[1]);
        });
    rewriter.replaceOp(op, avg);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Element-wise
//===----------------------------------------------------------------------===//

Value unaryBody(OpBuilder &b, Location l, UnaryKind kind, Value x, float alpha,
                float beta) {
  auto c = [&](double v) { return constF(b, l, v); };
  auto exp = [&](Value v) { return math::ExpOp::create(b, l, v); };
  auto mul = [&](Value a, Value v) {
    return arith::MulFOp::create(b, l, a, v);
  };
  auto add = [&](Value a, Value v) {
    return arith::AddFOp::create(b, l, a, v);
  };
  // Ops are created in named locals, in a fixed order: as nested
  // arguments their order would be the C++ compiler's argument evaluation
  // order (g++ and clang differ).
  auto clamp01 = [&](Value v) {
    Value lo = arith::MaximumFOp::create(b, l, v, c(0));
    Value one = c(1);
    return arith::MinimumFOp::create(b, l, lo, one);
  };
  auto isNeg = [&](Value v) {
    return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, v, c(0));
  };
  switch (kind) {
  case UnaryKind::Neg:
    return arith::NegFOp::create(b, l, x);
  case UnaryKind::Abs:
    return math::AbsFOp::create(b, l, x);
  case UnaryKind::Exp:
    return exp(x);
  case UnaryKind::Log:
    return math::LogOp::create(b, l, x);
  case UnaryKind::Sqrt:
    return math::SqrtOp::create(b, l, x);
  case UnaryKind::Reciprocal:
    return arith::DivFOp::create(b, l, c(1), x);
  case UnaryKind::Sigmoid: {
    Value one = c(1);
    Value onePlus = c(1);
    Value e = exp(arith::NegFOp::create(b, l, x));
    return arith::DivFOp::create(b, l, one, add(onePlus, e));
  }
  case UnaryKind::Tanh:
    return math::TanhOp::create(b, l, x);
  case UnaryKind::Erf:
    return math::ErfOp::create(b, l, x);
  case UnaryKind::Gelu: {
    Value e = math::ErfOp::create(b, l, mul(x, c(M_SQRT1_2)));
    Value half = mul(x, c(0.5));
    return mul(half, add(c(1), e));
  }
  case UnaryKind::GeluTanh: {
    Value x3 = mul(mul(x, x), x);
    Value k = c(0.7978845608028654);
    Value cubic = mul(c(0.044715), x3);
    Value inner = mul(k, add(x, cubic));
    Value half = mul(x, c(0.5));
    Value one = c(1);
    Value t = math::TanhOp::create(b, l, inner);
    return mul(half, add(one, t));
  }
  case UnaryKind::HardSigmoid: {
    Value scaled = mul(x, c(alpha));
    return clamp01(add(scaled, c(beta)));
  }
  case UnaryKind::HardSwish: {
    Value scaled = mul(x, c(1.0 / 6.0));
    return mul(x, clamp01(add(scaled, c(0.5))));
  }
  case UnaryKind::LeakyRelu: {
    Value neg = isNeg(x);
    Value scaled = mul(x, c(alpha));
    return arith::SelectOp::create(b, l, neg, scaled, x);
  }
  case UnaryKind::Clip: {
    Value lo = arith::MaximumFOp::create(b, l, x, c(alpha));
    Value hi = c(beta);
    return arith::MinimumFOp::create(b, l, lo, hi);
  }
  case UnaryKind::Elu: {
    Value a = c(alpha);
    Value neg = mul(a, math::ExpM1Op::create(b, l, x));
    return arith::SelectOp::create(b, l, isNeg(x), neg, x);
  }
  case UnaryKind::Selu: {
    Value a = c(alpha);
    Value neg = mul(a, math::ExpM1Op::create(b, l, x));
    Value le = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, x, c(0));
    Value scale = c(beta);
    return mul(scale, arith::SelectOp::create(b, l, le, neg, x));
  }
  case UnaryKind::Softplus: {
    // max(x, 0) + log1p(exp(-|x|)): no overflow for large |x|.
    Value a = math::AbsFOp::create(b, l, x);
    Value t = math::Log1pOp::create(b, l, exp(arith::NegFOp::create(b, l, a)));
    return add(arith::MaximumFOp::create(b, l, x, c(0)), t);
  }
  case UnaryKind::Softsign: {
    Value one = c(1);
    Value a = math::AbsFOp::create(b, l, x);
    return arith::DivFOp::create(b, l, x, add(one, a));
  }
  }
  llvm_unreachable("unknown unary kind");
}

struct LowerUnary : OpConversionPattern<UnaryOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnaryOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    UnaryKind kind = op.getKind();
    float alpha = op.getAlpha().convertToFloat();
    float beta = op.getBeta().convertToFloat();
    rewriter.replaceOp(
        op,
        buildElementwise(rewriter, op.getLoc(), adaptor.getInput(),
                         {rewriter.getMultiDimIdentityMap(type.getRank())},
                         type, [&](OpBuilder &b, Location l, ValueRange args) {
                           return unaryBody(b, l, kind, args[0], alpha, beta);
                         }));
    return success();
  }
};

/// x ** y with the semantics of C's powf for the cases that matter: a
/// negative base with an integer exponent keeps its sign (odd) or loses it
/// (even), a non-integer one gives NaN, and y == 0 gives 1.
Value powBody(OpBuilder &b, Location l, Value x, Value y,
              std::optional<float> constExponent) {
  if (constExponent) {
    float e = *constExponent;
    if (e == 1)
      return x;
    if (e == 2)
      return arith::MulFOp::create(b, l, x, x);
    if (e == 3)
      return arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, x, x), x);
    if (e == 0.5f)
      return math::SqrtOp::create(b, l, x);
  }
  auto c = [&](double v) { return constF(b, l, v); };
  auto cmp = [&](arith::CmpFPredicate p, Value u, Value v) {
    return arith::CmpFOp::create(b, l, p, u, v);
  };
  Value r = math::PowFOp::create(b, l, math::AbsFOp::create(b, l, x), y);
  Value yi = math::RoundEvenOp::create(b, l, y);
  Value isInt = cmp(arith::CmpFPredicate::OEQ, yi, y);
  Value half = arith::MulFOp::create(b, l, yi, c(0.5));
  Value isOdd = cmp(arith::CmpFPredicate::ONE,
                    math::RoundEvenOp::create(b, l, half), half);
  Value signedR =
      arith::SelectOp::create(b, l, isOdd, arith::NegFOp::create(b, l, r), r);
  Value negResult = arith::SelectOp::create(
      b, l, isInt, signedR, c(std::numeric_limits<double>::quiet_NaN()));
  Value res = arith::SelectOp::create(
      b, l, cmp(arith::CmpFPredicate::OLT, x, c(0)), negResult, r);
  Value isZero = cmp(arith::CmpFPredicate::OEQ, y, c(0));
  Value one = c(1);
  return arith::SelectOp::create(b, l, isZero, one, res);
}

struct LowerBinary : OpConversionPattern<BinaryOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BinaryOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    BinaryKind kind = op.getKind();
    // A constant splat exponent (x ** 2 in a decomposed layer norm) is
    // specialized at compile time.
    std::optional<float> constExponent;
    if (auto c = getConstantFloats(op.getRhs());
        c && !c->empty() && llvm::all_equal(*c))
      constExponent = c->front();
    Value out = buildElementwise(
        rewriter, op.getLoc(), adaptor.getOperands(),
        broadcastMaps(op.getContext(), adaptor.getOperands(), type), type,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value x = args[0], y = args[1];
          switch (kind) {
          case BinaryKind::Sub:
            return arith::SubFOp::create(b, l, x, y);
          case BinaryKind::Mul:
            return arith::MulFOp::create(b, l, x, y);
          case BinaryKind::Div:
            return arith::DivFOp::create(b, l, x, y);
          case BinaryKind::Max:
            return arith::MaximumFOp::create(b, l, x, y);
          case BinaryKind::Min:
            return arith::MinimumFOp::create(b, l, x, y);
          case BinaryKind::Pow:
            return powBody(b, l, x, y, constExponent);
          case BinaryKind::PRelu: {
            Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT,
                                              x, constF(b, l, 0));
            return arith::SelectOp::create(
                b, l, neg, arith::MulFOp::create(b, l, x, y), x);
          }
          }
          llvm_unreachable("unknown binary kind");
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Softmax, normalization, reductions
//===----------------------------------------------------------------------===//

struct LowerSoftmax : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    SmallVector<int64_t> axes = {static_cast<int64_t>(op.getAxis())};
    Value x = adaptor.getInput();
    double inf = std::numeric_limits<double>::infinity();
    Value m = reduceAxes(rewriter, loc, x, axes, -inf, maxF);
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap red = dropAxesMap(op.getContext(), rank, axes);
    Value e = buildElementwise(
        rewriter, loc, ValueRange{x, m}, {id, red}, type,
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return math::ExpOp::create(
              b, l, arith::SubFOp::create(b, l, args[0], args[1]));
        });
    Value sum = reduceAxes(rewriter, loc, e, axes, 0.0, addF);
    Value out;
    if (op.getLog()) {
      out = buildElementwise(
          rewriter, loc, ValueRange{x, m, sum}, {id, red, red}, type,
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
            return arith::SubFOp::create(b, l, shifted,
                                         math::LogOp::create(b, l, args[2]));
          });
    } else {
      out = buildElementwise(
          rewriter, loc, ValueRange{e, sum}, {id, red}, type,
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            return arith::DivFOp::create(b, l, args[0], args[1]);
          });
    }
    rewriter.replaceOp(op, out);
    return success();
  }
};

struct LowerBatchNorm : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    int64_t rank = type.getRank();
    AffineMap cm = channelMap(op.getContext(), rank, 1);
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, op.getLoc(),
                ValueRange{adaptor.getInput(), adaptor.getScale(),
                           adaptor.getShift()},
                {rewriter.getMultiDimIdentityMap(rank), cm, cm}, type,
                [](OpBuilder &b, Location l, ValueRange args) -> Value {
                  return arith::AddFOp::create(
                      b, l, arith::MulFOp::create(b, l, args[0], args[1]),
                      args[2]);
                }));
    return success();
  }
};

struct LowerLayerNorm : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    SmallVector<int64_t> axes;
    int64_t count = 1;
    for (int64_t i = op.getAxis(); i < rank; ++i) {
      axes.push_back(i);
      count *= type.getDimSize(i);
    }
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap red = dropAxesMap(op.getContext(), rank, axes);
    Value x = adaptor.getInput();
    double invCount = 1.0 / static_cast<double>(count);
    Value sum = reduceAxes(rewriter, loc, x, axes, 0.0, addF);
    auto redType = cast<RankedTensorType>(sum.getType());
    auto scaleBy = [&](Value v) {
      return buildElementwise(
          rewriter, loc, v,
          {rewriter.getMultiDimIdentityMap(redType.getRank())}, redType,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            return arith::MulFOp::create(b, l, args[0], constF(b, l, invCount));
          });
    };
    Value mean = scaleBy(sum);
    Value centered = buildElementwise(
        rewriter, loc, ValueRange{x, mean}, {id, red}, type,
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::SubFOp::create(b, l, args[0], args[1]);
        });
    Value sq = reduceAxes(rewriter, loc, centered, axes, 0.0,
                          [](OpBuilder &b, Location l, Value acc, Value v) {
                            return arith::AddFOp::create(
                                b, l, acc, arith::MulFOp::create(b, l, v, v));
                          });
    Value var = scaleBy(sq);
    SmallVector<Value> inputs = {centered, var, adaptor.getScale()};
    if (adaptor.getBias())
      inputs.push_back(adaptor.getBias());
    SmallVector<AffineMap> maps = {id, red};
    for (Value v : ArrayRef<Value>(inputs).drop_front(2))
      maps.push_back(broadcastMap(
          op.getContext(), cast<RankedTensorType>(v.getType()).getShape(),
          type.getShape()));
    double eps = op.getEpsilon().convertToDouble();
    bool hasBias = adaptor.getBias() != nullptr;
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, inputs, maps, type,
                [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                  Value denom = math::SqrtOp::create(
                      b, l,
                      arith::AddFOp::create(b, l, args[1], constF(b, l, eps)));
                  Value y = arith::MulFOp::create(
                      b, l, arith::DivFOp::create(b, l, args[0], denom),
                      args[2]);
                  return hasBias ? arith::AddFOp::create(b, l, y, args[3]) : y;
                }));
    return success();
  }
};

struct LowerReduce : OpConversionPattern<ReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = op.getInput().getType();
    ArrayRef<int64_t> axes = op.getAxes();
    double inf = std::numeric_limits<double>::infinity();
    Value r;
    switch (op.getKind()) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
      r = reduceAxes(rewriter, loc, adaptor.getInput(), axes, 0.0, addF);
      break;
    case ReduceKind::Max:
      r = reduceAxes(rewriter, loc, adaptor.getInput(), axes, -inf, maxF);
      break;
    case ReduceKind::Min:
      r = reduceAxes(rewriter, loc, adaptor.getInput(), axes, inf, minF);
      break;
    }
    if (op.getKind() == ReduceKind::Mean) {
      int64_t count = 1;
      for (int64_t a : axes)
        count *= inType.getDimSize(a);
      auto rt = cast<RankedTensorType>(r.getType());
      double inv = 1.0 / static_cast<double>(count);
      r = buildElementwise(
          rewriter, loc, r, {rewriter.getMultiDimIdentityMap(rt.getRank())}, rt,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            return arith::MulFOp::create(b, l, args[0], constF(b, l, inv));
          });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, r, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

struct LowerConcat : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value out = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                        type.getElementType());
    int64_t axis = op.getAxis(), offset = 0;
    for (Value v : adaptor.getInputs()) {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<OpFoldResult> offs, sizes, strides;
      for (int64_t i = 0; i < t.getRank(); ++i) {
        offs.push_back(rewriter.getIndexAttr(i == axis ? offset : 0));
        sizes.push_back(rewriter.getIndexAttr(t.getDimSize(i)));
        strides.push_back(rewriter.getIndexAttr(1));
      }
      out = tensor::InsertSliceOp::create(rewriter, loc, v, out, offs, sizes,
                                          strides);
      offset += t.getDimSize(axis);
    }
    rewriter.replaceOp(op, out);
    return success();
  }
};

struct LowerTranspose : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value init = tensor::EmptyOp::create(rewriter, op.getLoc(), type.getShape(),
                                         type.getElementType());
    auto t = linalg::TransposeOp::create(
        rewriter, op.getLoc(), adaptor.getInput(), init, op.getPerm());
    rewriter.replaceOp(op, t->getResult(0));
    return success();
  }
};

/// A generic with no inputs whose body reads `source` at indices computed
/// from the output indices by `index(b, loc, dim, outIndex)`.
Value gatherGeneric(OpBuilder &b, Location loc, Value source,
                    RankedTensorType type, ValueRange extraInputs,
                    ArrayRef<AffineMap> extraMaps,
                    function_ref<SmallVector<Value>(OpBuilder &, Location,
                                                    ValueRange, ValueRange)>
                        indices) {
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  SmallVector<AffineMap> maps(extraMaps);
  maps.push_back(b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<bool> red(type.getRank(), false);
  return linalg::GenericOp::create(
             b, loc, type, extraInputs, empty, maps, iterators(red),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               SmallVector<Value> outIdx;
               for (int64_t i = 0; i < type.getRank(); ++i)
                 outIdx.push_back(linalg::IndexOp::create(nb, l, i));
               SmallVector<Value> idx =
                   indices(nb, l, outIdx, args.drop_back());
               Value v = tensor::ExtractOp::create(nb, l, source, idx);
               linalg::YieldOp::create(nb, l, v);
             })
      .getResult(0);
}

Value constIdx(OpBuilder &b, Location l, int64_t v) {
  return arith::ConstantIndexOp::create(b, l, v);
}

struct LowerPad : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    if (op.getMode() == PadMode::Constant) {
      rewriter.replaceOp(
          op, padWith(rewriter, loc, adaptor.getInput(), pads.take_front(rank),
                      pads.drop_front(rank),
                      constF(rewriter, loc, op.getValue().convertToDouble())));
      return success();
    }
    auto inType = op.getInput().getType();
    bool reflect = op.getMode() == PadMode::Reflect;
    Value out = gatherGeneric(
        rewriter, loc, adaptor.getInput(), type, {}, {},
        [&](OpBuilder &b, Location l, ValueRange outIdx, ValueRange) {
          SmallVector<Value> idx;
          for (int64_t i = 0; i < rank; ++i) {
            int64_t n = inType.getDimSize(i);
            Value p =
                arith::SubIOp::create(b, l, outIdx[i], constIdx(b, l, pads[i]));
            if (reflect) {
              // p < 0 -> -p; p >= n -> 2(n-1) - p.
              Value neg = arith::SubIOp::create(b, l, constIdx(b, l, 0), p);
              Value isNeg = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::slt, p, constIdx(b, l, 0));
              p = arith::SelectOp::create(b, l, isNeg, neg, p);
              Value over =
                  arith::SubIOp::create(b, l, constIdx(b, l, 2 * (n - 1)), p);
              Value isOver = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::sge, p, constIdx(b, l, n));
              p = arith::SelectOp::create(b, l, isOver, over, p);
            } else {
              p = arith::MaxSIOp::create(b, l, p, constIdx(b, l, 0));
              p = arith::MinSIOp::create(b, l, p, constIdx(b, l, n - 1));
            }
            idx.push_back(p);
          }
          return idx;
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

struct LowerSlice : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    ArrayRef<int64_t> offsets = op.getOffsets(), steps = op.getSteps();
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      SmallVector<OpFoldResult> o, s, st;
      for (int64_t i = 0; i < type.getRank(); ++i) {
        o.push_back(rewriter.getIndexAttr(offsets[i]));
        s.push_back(rewriter.getIndexAttr(type.getDimSize(i)));
        st.push_back(rewriter.getIndexAttr(steps[i]));
      }
      rewriter.replaceOp(op, tensor::ExtractSliceOp::create(rewriter, loc, type,
                                                            adaptor.getInput(),
                                                            o, s, st));
      return success();
    }
    Value out = gatherGeneric(
        rewriter, loc, adaptor.getInput(), type, {}, {},
        [&](OpBuilder &b, Location l, ValueRange outIdx, ValueRange) {
          SmallVector<Value> idx;
          for (int64_t i = 0; i < type.getRank(); ++i) {
            Value offset = constIdx(b, l, offsets[i]);
            Value step = constIdx(b, l, steps[i]);
            Value scaled = arith::MulIOp::create(b, l, outIdx[i], step);
            idx.push_back(arith::AddIOp::create(b, l, offset, scaled));
          }
          return idx;
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

struct LowerGather : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    auto dataType = op.getData().getType();
    auto idxType = op.getIndices().getType();
    int64_t axis = op.getAxis(), q = idxType.getRank();
    int64_t n = dataType.getDimSize(axis);
    MLIRContext *ctx = op.getContext();
    SmallVector<AffineExpr> ie;
    for (int64_t i = 0; i < q; ++i)
      ie.push_back(getAffineDimExpr(axis + i, ctx));
    AffineMap idxMap = AffineMap::get(type.getRank(), 0, ie, ctx);
    Value out = gatherGeneric(
        rewriter, loc, adaptor.getData(), type, adaptor.getIndices(), {idxMap},
        [&](OpBuilder &b, Location l, ValueRange outIdx, ValueRange ins) {
          Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), ins[0]);
          Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i,
                                            constIdx(b, l, 0));
          i = arith::SelectOp::create(
              b, l, neg, arith::AddIOp::create(b, l, i, constIdx(b, l, n)), i);
          i = arith::MaxSIOp::create(b, l, i, constIdx(b, l, 0));
          i = arith::MinSIOp::create(b, l, i, constIdx(b, l, n - 1));
          SmallVector<Value> idx(outIdx.take_front(axis));
          idx.push_back(i);
          llvm::append_range(idx, outIdx.drop_front(axis + q));
          return idx;
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

struct LowerBatchMatMul : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank(), batch = rank - 2;
    // dims: batch..., m, k, n (k outside n: the innermost loop walks rows
    // of B and of the result).
    int64_t numDims = rank + 1;
    SmallVector<AffineMap, 3> mm =
        batchedMatmulMaps(adaptor.getLhs(), adaptor.getRhs(), type);
    SmallVector<AffineMap> maps(mm.begin(), mm.end());
    SmallVector<bool> red(numDims, false);
    red[batch + 1] = true;
    Value init = zeroFilled(rewriter, loc, type);
    Value out =
        linalg::GenericOp::create(
            rewriter, loc, type, ValueRange{adaptor.getLhs(), adaptor.getRhs()},
            init, maps, iterators(red),
            [](OpBuilder &b, Location l, ValueRange args) {
              Value sum = arith::AddFOp::create(
                  b, l, args[2], arith::MulFOp::create(b, l, args[0], args[1]));
              linalg::YieldOp::create(b, l, sum);
            })
            .getResult(0);
    rewriter.replaceOp(op, out);
    return success();
  }
};

} // namespace

Value quantc::lowering::buildConvolution(OpBuilder &b, Location loc, Value x,
                                         Value w, Value acc,
                                         ArrayRef<int64_t> strides,
                                         ArrayRef<int64_t> dilations,
                                         int64_t group) {
  return buildConv(b, loc, x, w, acc, strides, dilations, group);
}

Value quantc::lowering::padTensor(OpBuilder &b, Location loc, Value x,
                                  ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                                  Value value) {
  return padWith(b, loc, x, low, high, value);
}

void quantc::populateQCNNToLinalgPatterns(QuantStorageTypeConverter &converter,
                                          RewritePatternSet &patterns) {
  patterns.add<LowerConv, LowerConvTranspose, LowerPool, LowerUnary,
               LowerBinary, LowerSoftmax, LowerBatchNorm, LowerLayerNorm,
               LowerReduce, LowerConcat, LowerTranspose, LowerPad, LowerSlice,
               LowerGather, LowerBatchMatMul>(converter, patterns.getContext());
  populateQCIntegerToLinalgPatterns(converter, patterns);
}
