//===- PackWeights.cpp - qc-pack-weights: weights in microkernel order ----===//
//
// Quantized convolutions and fully connected layers become
// qc.packed_conv2d: the weights reordered at compile time for the chosen
// microkernel, every zero-point correction in the bias, the requantization
// parameters as per-channel arrays. The packed order is described once, in
// quantc/Codegen/Kernels.h.
//
//===----------------------------------------------------------------------===//

#include "quantc/Codegen/Kernels.h"
#include "quantc/Codegen/Passes.h"
#include "quantc/Dialect/QC/IR/QC.h"

#include "../../Conversion/QCToLinalg/LinalgBuilders.h"

namespace quantc {
#define GEN_PASS_DEF_QCPACKWEIGHTS
#include "quantc/Codegen/Passes.h.inc"
} // namespace quantc

using namespace mlir;
using namespace quantc;
using namespace quantc::kernels;
using namespace quantc::lowering;

namespace {

/// The packed form of one weighted op.
struct Packed {
  SmallVector<int8_t> weights8;
  SmallVector<int16_t> weights16;
  SmallVector<int32_t> weights32;
  SmallVector<int32_t> bias, multiplier, shift;
  /// Whether every requantized value provably fits in int32.
  bool narrow = false;
};

/// int32 storage of a 64-bit bias, wrapping: the accumulator arithmetic is
/// modulo 2^32, and the true sum fits (planWeightedRequant checks it).
int32_t wrap32(int64_t v) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
}

/// Per-channel arrays padded to `padded` entries (multiplier 1 << 30 and
/// shift 31 in the padding keep the epilogue's arithmetic defined).
void packChannels(const RequantPlan &plan, ArrayRef<int64_t> biasCorrection,
                  int64_t padded, Packed &p) {
  int64_t f = plan.bias.size();
  // |acc| <= |bias| + max|x - zp| * sum|w| with |x - zp| <= 255; the
  // rounded product is then at most |acc| * M / 2^S + 1.
  p.narrow = true;
  for (int64_t i = 0; i < f; ++i) {
    double acc = std::abs(static_cast<double>(plan.bias[i])) +
                 255.0 * static_cast<double>(plan.absWeightSums[i]);
    double m = std::ldexp(static_cast<double>(plan.multipliers[i]),
                          -static_cast<int>(plan.shifts[i]));
    if (!(acc * m + 2 < 2147483648.0 - 512))
      p.narrow = false;
  }
  p.bias.assign(padded, 0);
  p.multiplier.assign(padded, 1 << 30);
  p.shift.assign(padded, 31);
  for (int64_t i = 0; i < f; ++i) {
    p.bias[i] = wrap32(plan.bias[i] - biasCorrection[i]);
    p.multiplier[i] = static_cast<int32_t>(plan.multipliers[i]);
    p.shift[i] = static_cast<int32_t>(plan.shifts[i]);
  }
}

/// GEMM weights `w[f][c][t]` (T taps) in the order of Kernels.h.
void packGemm(const KernelTarget &t, ArrayRef<int8_t> w, int64_t f, int64_t c,
              int64_t taps, Packed &p) {
  ChannelBlocks blocks = channelBlocks(t, f);
  int64_t cp = paddedChannels(t, c), groups = cp / t.kGroup;
  int64_t total = blocks.padded() * taps * cp;
  SmallVector<int64_t> codes(total, 0);
  auto block = [&](int64_t f0, int64_t width, int64_t base) {
    for (int64_t tap = 0; tap < taps; ++tap)
      for (int64_t g = 0; g < groups; ++g)
        for (int64_t j = 0; j < width; ++j)
          for (int64_t q = 0; q < t.kGroup; ++q) {
            int64_t ch = g * t.kGroup + q, out = f0 + j;
            if (ch >= c || out >= f)
              continue;
            codes[base + ((tap * groups + g) * width + j) * t.kGroup + q] =
                w[(out * c + ch) * taps + tap];
          }
  };
  for (int64_t b = 0; b < blocks.full; ++b)
    block(b * blocks.fullWidth, blocks.fullWidth,
          b * blocks.fullWidth * taps * cp);
  if (blocks.tailWidth)
    block(blocks.full * blocks.fullWidth, blocks.tailWidth,
          blocks.full * blocks.fullWidth * taps * cp);
  if (t.elementBits == 16)
    p.weights16.assign(codes.begin(), codes.end());
  else
    p.weights8.assign(codes.begin(), codes.end());
}

/// GEMM weights, with the bias corrected for the unsigned-activation
/// shift: sum (a + 128) * w = sum a * w + 128 * sum w.
Packed packGemmWeights(const KernelTarget &t, const RequantPlan &plan,
                       ArrayRef<int8_t> w, int64_t f, int64_t c,
                       int64_t taps) {
  Packed p;
  packGemm(t, w, f, c, taps, p);
  SmallVector<int64_t> correction(f, 0);
  if (t.unsignedActivations)
    for (int64_t o = 0; o < f; ++o)
      for (int64_t i = 0; i < c * taps; ++i)
        correction[o] += 128 * w[o * c * taps + i];
  packChannels(plan, correction, channelBlocks(t, f).padded(), p);
  return p;
}

/// The requantization plan and the int8 weights of a weighted op.
template <typename OpTy>
FailureOr<std::pair<RequantPlan, SmallVector<int8_t>>> planOf(OpTy op) {
  FailureOr<RequantPlan> plan = planWeightedRequant(
      op, op.getInput(), op.getWeight(), op.getBias(), op.getResult());
  if (failed(plan))
    return failure();
  return std::make_pair(*plan, *storageConstant<int8_t>(op.getWeight()));
}

template <typename T> Value constant1D(OpBuilder &b, Location loc, Type elem,
                                       ArrayRef<T> values) {
  auto type = RankedTensorType::get({(int64_t)values.size()}, elem);
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, values));
}

struct PackWeightsPass : quantc::impl::QCPackWeightsBase<PackWeightsPass> {
  using QCPackWeightsBase::QCPackWeightsBase;

  void runOnOperation() override {
    if (instructionSet == "none")
      return;
    std::optional<KernelTarget> target = getKernelTarget(instructionSet);
    if (!target) {
      getOperation().emitError("qc-pack-weights: unknown isa '")
          << instructionSet << "' (expected avx512vnni, avxvnni, avx2 or none)";
      return signalPassFailure();
    }
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<qc::ConvOp, qc::FullyConnectedOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      LogicalResult result = success();
      if (auto conv = dyn_cast<qc::ConvOp>(op))
        result = packConv(conv, *target);
      else
        result = packFullyConnected(cast<qc::FullyConnectedOp>(op), *target);
      if (failed(result))
        return signalPassFailure();
    }
    propagateLayout();
    cancelTransposes();
  }

  static RankedTensorType toNHWC(Type type) {
    auto t = cast<RankedTensorType>(type);
    return RankedTensorType::get({t.getDimSize(0), t.getDimSize(2),
                                  t.getDimSize(3), t.getDimSize(1)},
                                 t.getElementType());
  }

  /// The channels-last tensor behind `v` when `v` is its NCHW transpose.
  static Value channelsLastSource(Value v) {
    auto t = v.getDefiningOp<qc::TransposeOp>();
    if (!t || t.getPerm() != ArrayRef<int64_t>{0, 3, 1, 2})
      return {};
    return t.getInput();
  }

  /// Moves the NHWC -> NCHW transposes after the packed convolutions past
  /// the int8 ops that do not care about the layout (residual adds, relu,
  /// max pooling), so that they meet the next convolution's NCHW -> NHWC
  /// transpose and cancel. Ops are visited in order, so a transpose moves
  /// along a whole chain in one walk.
  void propagateLayout() {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<qc::AddOp, qc::ReluOp, qc::PoolOp>(op) &&
          qc::isQuantizedTensor(op->getResult(0).getType()) &&
          cast<RankedTensorType>(op->getResult(0).getType()).getRank() == 4)
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      auto type = cast<RankedTensorType>(op->getResult(0).getType());
      bool any = false, sameShapes = true;
      for (Value v : op->getOperands()) {
        any |= static_cast<bool>(channelsLastSource(v));
        sameShapes &=
            cast<RankedTensorType>(v.getType()).getShape() == type.getShape();
      }
      auto pool = dyn_cast<qc::PoolOp>(op);
      if (!any || !sameShapes && !pool ||
          (pool && (pool.getKind() != qc::PoolKind::Max ||
                    pool.getChannelsLast() ||
                    !channelsLastSource(pool.getInput()))))
        continue;
      OpBuilder b(op);
      Location loc = op->getLoc();
      SmallVector<Value> operands;
      for (Value v : op->getOperands()) {
        Value source = channelsLastSource(v);
        operands.push_back(source ? source
                                  : qc::TransposeOp::create(
                                        b, loc, toNHWC(v.getType()), v,
                                        b.getDenseI64ArrayAttr({0, 2, 3, 1}))
                                        .getResult());
      }
      Operation *moved = b.clone(*op);
      moved->setOperands(operands);
      moved->getResult(0).setType(toNHWC(type));
      if (pool)
        moved->setAttr(pool.getChannelsLastAttrName(), b.getUnitAttr());
      Value back = qc::TransposeOp::create(
          b, loc, type, moved->getResult(0),
          b.getDenseI64ArrayAttr({0, 3, 1, 2}));
      op->getResult(0).replaceAllUsesWith(back);
      op->erase();
    }
  }

  /// Folds transpose(transpose(x)) chains, so that consecutive
  /// convolutions pass channels-last tensors directly. (No general
  /// canonicalization here: it would fold the dcast(qcast) pairs around
  /// float-fallback ops.)
  void cancelTransposes() {
    SmallVector<qc::TransposeOp> transposes;
    getOperation().walk([&](qc::TransposeOp t) { transposes.push_back(t); });
    for (qc::TransposeOp t : transposes) {
      auto inner = t.getInput().getDefiningOp<qc::TransposeOp>();
      if (!inner)
        continue;
      OpFoldResult folded = t.fold(qc::TransposeOp::FoldAdaptor({}, t));
      if (auto v = dyn_cast_if_present<Value>(folded); v && v != t.getResult()) {
        t.getResult().replaceAllUsesWith(v);
        t.erase();
      }
      if (inner->use_empty())
        inner.erase();
    }
    // Transposes left without users by propagateLayout.
    transposes.clear();
    getOperation().walk([&](qc::TransposeOp t) { transposes.push_back(t); });
    for (qc::TransposeOp t : llvm::reverse(transposes))
      if (t->use_empty())
        t.erase();
  }

  /// 8-bit per-tensor input and result, i32 accumulation.
  static bool isInt8(Value input, Value result) {
    auto in = perTensor(input), out = perTensor(result);
    return in && out && in.getStorageTypeIntegralWidth() == 8 &&
           out.getStorageTypeIntegralWidth() == 8;
  }

  /// Creates the packed op on an NHWC `input` with result `resultType`.
  Value emitPacked(OpBuilder &b, Location loc, const KernelTarget &t,
                   Value input, RankedTensorType resultType,
                   const Packed &p, const RequantPlan &plan,
                   qc::Activation act, ArrayRef<int64_t> kernel,
                   ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                   ArrayRef<int64_t> pads, bool depthwise) {
    Value weights;
    if (!p.weights8.empty())
      weights = constant1D<int8_t>(b, loc, b.getI8Type(), p.weights8);
    else if (!p.weights16.empty())
      weights = constant1D<int16_t>(b, loc, b.getI16Type(), p.weights16);
    else
      weights = constant1D<int32_t>(b, loc, b.getI32Type(), p.weights32);
    Type i32 = b.getI32Type();
    Value bias = constant1D<int32_t>(b, loc, i32, p.bias);
    Value mult = constant1D<int32_t>(b, loc, i32, p.multiplier);
    Value shift = constant1D<int32_t>(b, loc, i32, p.shift);
    Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                         resultType.getElementType());
    auto op = qc::PackedConv2DOp::create(
        b, loc, TypeRange{resultType}, input, weights, bias, mult, shift, init,
        b.getStringAttr(t.isa), depthwise ? b.getUnitAttr() : UnitAttr(),
        b.getDenseI64ArrayAttr(kernel), b.getDenseI64ArrayAttr(strides),
        b.getDenseI64ArrayAttr(dilations), b.getDenseI64ArrayAttr(pads),
        b.getI64IntegerAttr(plan.input.zeroPoint),
        b.getI64IntegerAttr(plan.output.zeroPoint),
        b.getI64IntegerAttr(lowerBound(act, plan.output)),
        b.getI64IntegerAttr(upperBound(act, plan.output, plan.outputScale)),
        p.narrow ? b.getUnitAttr() : UnitAttr());
    return op.getResult()[0];
  }

  LogicalResult packConv(qc::ConvOp op, const KernelTarget &t) {
    auto type = op.getType();
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    if (type.getRank() != 4 || !isInt8(op.getInput(), op.getResult()))
      return success();
    int64_t c = cast<RankedTensorType>(op.getInput().getType()).getDimSize(1);
    int64_t f = type.getDimSize(1), g = op.getGroup();
    bool depthwise = g > 1 && g == c && g == f && wType.getDimSize(1) == 1;
    if (g != 1 && !depthwise)
      return success();
    auto planned = planOf(op);
    if (failed(planned))
      return failure();
    RequantPlan *plan = &planned->first;
    ArrayRef<int8_t> weights = planned->second;
    int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
    int64_t taps = kh * kw;
    Packed p;
    if (depthwise) {
      int64_t cv = roundUp(c, depthwiseLanes(t));
      p.weights32.assign(taps * cv, 0);
      // One int16 per 32-bit lane, the upper half zero: `vpdpwssd` /
      // `vpmaddwd` against the sign-extended input then yields exactly
      // x * w per lane (the input's upper half, its sign, meets a zero).
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t tap = 0; tap < taps; ++tap)
          p.weights32[tap * cv + ch] = static_cast<int32_t>(
              static_cast<uint16_t>(weights[ch * taps + tap]));
      packChannels(*plan, SmallVector<int64_t>(f, 0), cv, p);
    } else {
      p = packGemmWeights(t, *plan, weights, f, c, taps);
    }
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto nhwc = [](RankedTensorType t) {
      return RankedTensorType::get({t.getDimSize(0), t.getDimSize(2),
                                    t.getDimSize(3), t.getDimSize(1)},
                                   t.getElementType());
    };
    Value x = qc::TransposeOp::create(b, loc, nhwc(inType), op.getInput(),
                                      b.getDenseI64ArrayAttr({0, 2, 3, 1}));
    ArrayRef<int64_t> pads = op.getPads();
    Value y = emitPacked(b, loc, t, x, nhwc(type), p, *plan,
                         op.getFusedActivation(), {kh, kw}, op.getStrides(),
                         op.getDilations(), {pads[0], pads[1], pads[2], pads[3]},
                         depthwise);
    Value back = qc::TransposeOp::create(b, loc, type, y,
                                         b.getDenseI64ArrayAttr({0, 3, 1, 2}));
    op.getResult().replaceAllUsesWith(back);
    op.erase();
    return success();
  }

  LogicalResult packFullyConnected(qc::FullyConnectedOp op,
                                   const KernelTarget &t) {
    auto type = op.getType();
    if (type.getRank() != 2 || !isInt8(op.getInput(), op.getResult()))
      return success();
    auto planned = planOf(op);
    if (failed(planned))
      return failure();
    RequantPlan *plan = &planned->first;
    int64_t m = type.getDimSize(0), n = type.getDimSize(1);
    int64_t k = cast<RankedTensorType>(op.getInput().getType()).getDimSize(1);
    Packed p = packGemmWeights(t, *plan, planned->second, n, k, 1);
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    Value x = qc::ReshapeOp::create(
        b, loc,
        RankedTensorType::get({1, 1, m, k}, inType.getElementType()),
        op.getInput());
    Value y = emitPacked(
        b, loc, t, x,
        RankedTensorType::get({1, 1, m, n}, type.getElementType()), p, *plan,
        op.getFusedActivation(), {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, false);
    Value back = qc::ReshapeOp::create(b, loc, type, y);
    op.getResult().replaceAllUsesWith(back);
    op.erase();
    return success();
  }
};

} // namespace
