//===- DynamicQuantize.cpp - run-time activation quantization -------------===//
//
// Float fully_connected and conv ops with constant weights become the
// pattern ONNX Runtime's dynamic quantizer writes: DynamicQuantizeLinear of
// the input, an exact int32 product with int8 weights, and a float rescale
// by input_scale * weight_scale before bias and activation.
//
//===----------------------------------------------------------------------===//

#include "quantc/Dialect/QC/Transforms/Passes.h"
#include "quantc/Support/Numerics.h"

#include "mlir/IR/Builders.h"

namespace quantc::qc {
#define GEN_PASS_DEF_QCDYNAMICQUANTIZE
#include "quantc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace quantc::qc

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;

namespace {

struct DynamicQuantizePass
    : qc::impl::QCDynamicQuantizeBase<DynamicQuantizePass> {
  using QCDynamicQuantizeBase::QCDynamicQuantizeBase;

  void runOnOperation() override {
    Exclusions exclusions{excludeNodes, excludeOpTypes, {}};
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<FullyConnectedOp, ConvOp>(op) &&
          !isQuantizedTensor(op->getResultTypes()[0]) &&
          !exclusions.excludes(op))
        ops.push_back(op);
    });
    for (Operation *op : ops)
      rewrite(op);
    if (failed(exclusions.reportUnused(getOperation(), "--exclude-nodes")))
      return signalPassFailure();
  }

  void rewrite(Operation *op);
};

void DynamicQuantizePass::rewrite(Operation *op) {
  Value input = op->getOperand(0), weight = op->getOperand(1);
  Value bias = op->getNumOperands() > 2 ? op->getOperand(2) : Value();
  std::optional<SmallVector<float>> values = getConstantFloats(weight);
  if (!values)
    return; // A computed weight: the op stays in float.
  auto wType = cast<RankedTensorType>(weight.getType());
  auto resultType = cast<RankedTensorType>(op->getResultTypes()[0]);
  int64_t channels = wType.getDimSize(0);
  QuantizedWeights qw = quantc::quantizeWeights(
      values->data(), wType.getNumElements(), channels, perChannel);

  OpBuilder b(op);
  Location loc = op->getLoc();
  MLIRContext *ctx = op->getContext();
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  auto inType = cast<RankedTensorType>(input.getType());
  auto dq = DynamicQuantizeOp::create(b, loc,
                                      TypeRange{inType.clone(i8),
                                                RankedTensorType::get({}, f32),
                                                RankedTensorType::get({}, i8)},
                                      input);
  auto scalarI8 = RankedTensorType::get({}, i8);
  Value zero = arith::ConstantOp::create(
      b, loc, scalarI8, DenseElementsAttr::get(scalarI8, int8_t(0)));
  auto accType = resultType.clone(i32);
  Value acc;
  if (auto fc = dyn_cast<FullyConnectedOp>(op)) {
    // matmul_integer takes the weight as [K, N].
    int64_t n = channels, k = wType.getDimSize(1);
    SmallVector<int8_t> transposed(n * k);
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < k; ++c)
        transposed[c * n + r] = qw.codes[r * k + c];
    Value w = createConstant<int8_t>(b, loc, RankedTensorType::get({k, n}, i8),
                                     transposed, "weight_i8");
    acc = MatMulIntegerOp::create(b, loc, accType, dq.getResult(), w,
                                  dq.getZeroPoint(), zero, b.getUnitAttr(),
                                  UnitAttr());
  } else {
    auto conv = cast<ConvOp>(op);
    Value w =
        createConstant<int8_t>(b, loc, wType.clone(i8), qw.codes, "weight_i8");
    acc = ConvIntegerOp::create(
        b, loc, accType, dq.getResult(), w, dq.getZeroPoint(), zero,
        conv.getStridesAttr(), conv.getDilationsAttr(), conv.getPadsAttr(),
        conv.getGroupAttr(), b.getUnitAttr(), UnitAttr());
  }
  Value f = CastOp::create(b, loc, resultType, acc, UnitAttr());

  // Per-channel values broadcast along dimension 1 of the result: [C] for
  // fully_connected, [C, 1, ...] for conv.
  SmallVector<int64_t> channelShape = {qw.scales.size() == 1 ? 1 : channels};
  for (int64_t d = 2; d < resultType.getRank(); ++d)
    channelShape.push_back(1);
  auto channelType = RankedTensorType::get(channelShape, f32);
  SmallVector<float> wScales(qw.scales.begin(), qw.scales.end());
  Value ws = arith::ConstantOp::create(
      b, loc, channelType,
      DenseElementsAttr::get(channelType, ArrayRef(wScales)));
  auto mul = BinaryKindAttr::get(ctx, BinaryKind::Mul);
  Value scale = BinaryOp::create(b, loc, channelType, mul, dq.getScale(), ws);
  Value y = BinaryOp::create(b, loc, resultType, mul, f, scale);
  auto act = op->getAttrOfType<ActivationAttr>("fused_activation");
  Activation activation = act ? act.getValue() : Activation::None;
  if (!bias && activation != Activation::None) {
    // The activation rides on an add of a zero bias.
    auto biasType = RankedTensorType::get({channels}, f32);
    bias = arith::ConstantOp::create(b, loc, biasType,
                                     DenseElementsAttr::get(biasType, 0.0f));
  }
  if (bias) {
    if (resultType.getRank() > 2) {
      SmallVector<int64_t> biasShape = {channels};
      biasShape.append(resultType.getRank() - 2, 1);
      bias = ReshapeOp::create(b, loc, RankedTensorType::get(biasShape, f32),
                               bias);
    }
    y = AddOp::create(b, loc, resultType, y, bias, activation);
  }
  op->getResult(0).replaceAllUsesWith(y);
  op->erase();
}

} // namespace
