//===- QCOps.cpp - qc dialect, verifiers, folders and canonicalizations ---===//

#include "quantc/Dialect/QC/IR/QC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;

#include "quantc/Dialect/QC/IR/QCOpsDialect.cpp.inc"
#include "quantc/Dialect/QC/IR/QCOpsEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "quantc/Dialect/QC/IR/QCOpsAttrs.cpp.inc"

void QCDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "quantc/Dialect/QC/IR/QCOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "quantc/Dialect/QC/IR/QCOpsAttrs.cpp.inc"
      >();
}

Operation *QCDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type)
    return nullptr;
  return arith::ConstantOp::create(builder, loc, type, typed);
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

std::string quantc::qc::getTensorName(Value value) {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    if (auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp()))
      if (auto name =
              func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kNameAttr))
        return name.str();
    return {};
  }
  // Walk the location for the first NameLoc.
  std::string result;
  value.getDefiningOp()->getLoc()->walk([&](Location loc) {
    if (auto nameLoc = dyn_cast<NameLoc>(loc)) {
      result = nameLoc.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return result;
}

bool quantc::qc::isQuantizedTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<quant::QuantizedType>(tensor.getElementType());
}

bool quantc::qc::isInt8ActivationType(Type type) {
  auto q = dyn_cast<quant::UniformQuantizedType>(getElementTypeOrSelf(type));
  return q && q.getStorageTypeIntegralWidth() == 8 && q.isSigned();
}

SmallVector<double> quantc::qc::getQuantScales(Type element) {
  if (auto t = dyn_cast<quant::UniformQuantizedType>(element))
    return {t.getScale()};
  if (auto t = dyn_cast<quant::UniformQuantizedPerAxisType>(element))
    return SmallVector<double>(t.getScales());
  return {};
}

static Type elementOf(Value v) {
  return cast<ShapedType>(v.getType()).getElementType();
}

/// Verifies that `element` is a per-tensor quantized type with signed 8-bit
/// storage (the activation type of docs/quantization.md).
static LogicalResult verifyActivationType(Operation *op, Type element,
                                          StringRef what) {
  if (!isa<quant::UniformQuantizedType>(element))
    return op->emitOpError()
           << what << " must be a per-tensor !quant.uniform type, got "
           << element;
  if (!isInt8ActivationType(element))
    return op->emitOpError()
           << what << " must have i8 storage, got " << element;
  return success();
}

/// Operands and results are either all float or all quantized.
static LogicalResult verifySameKind(Operation *op) {
  std::optional<bool> quantized;
  for (Type t :
       llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
    bool isQ = isQuantizedTensor(t);
    if (quantized && *quantized != isQ)
      return op->emitOpError(
          "mixes float and quantized tensors; insert quant.qcast/quant.dcast "
          "between them");
    quantized = isQ;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// FullyConnectedOp
//===----------------------------------------------------------------------===//

LogicalResult FullyConnectedOp::verify() {
  auto in = getInput().getType();
  auto w = getWeight().getType();
  auto out = getResult().getType();
  if (in.getRank() != 2)
    return emitOpError("input must be 2-D [batch, in_features], got ") << in;
  if (w.getRank() != 2)
    return emitOpError("weight must be 2-D [out_features, in_features], got ")
           << w;
  if (out.getRank() != 2)
    return emitOpError("result must be 2-D, got ") << out;
  int64_t m = in.getDimSize(0), k = in.getDimSize(1);
  int64_t n = w.getDimSize(0);
  if (w.getDimSize(1) != k)
    return emitOpError("weight has ")
           << w.getDimSize(1) << " input features but the input has " << k;
  if (out.getDimSize(0) != m || out.getDimSize(1) != n)
    return emitOpError("result shape must be [")
           << m << ", " << n << "], got " << out;
  if (Value bias = getBias()) {
    auto b = cast<RankedTensorType>(bias.getType());
    if (b.getRank() != 1 || b.getDimSize(0) != n)
      return emitOpError("bias must be 1-D of size ") << n << ", got " << b;
  }
  if (failed(verifySameKind(*this)))
    return failure();
  if (!isQuantizedTensor(in))
    return success();

  if (failed(verifyActivationType(*this, in.getElementType(), "input")) ||
      failed(verifyActivationType(*this, out.getElementType(), "result")))
    return failure();
  Type wElt = w.getElementType();
  auto wq = dyn_cast<quant::QuantizedType>(wElt);
  if (wq.getStorageTypeIntegralWidth() != 8 || !wq.isSigned() ||
      wq.getStorageTypeMin() < -127)
    return emitOpError("weight must have i8 storage restricted to [-127, 127], "
                       "got ")
           << wElt;
  if (auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(wElt)) {
    if (pa.getQuantizedDimension() != 0)
      return emitOpError("per-channel weight must be quantized along axis 0 "
                         "(output features), got axis ")
             << pa.getQuantizedDimension();
    if ((int64_t)pa.getScales().size() != n)
      return emitOpError("per-channel weight has ")
             << pa.getScales().size() << " scales for " << n << " channels";
    if (llvm::any_of(pa.getZeroPoints(), [](int64_t z) { return z != 0; }))
      return emitOpError("weight must be symmetric (zero point 0)");
  } else if (auto pt = dyn_cast<quant::UniformQuantizedType>(wElt)) {
    if (pt.getZeroPoint() != 0)
      return emitOpError("weight must be symmetric (zero point 0)");
  } else {
    return emitOpError("weight must be a !quant.uniform type, got ") << wElt;
  }
  if (Value bias = getBias()) {
    Type bElt = elementOf(bias);
    auto bq = dyn_cast<quant::QuantizedType>(bElt);
    if (bq.getStorageTypeIntegralWidth() != 32 || !bq.isSigned())
      return emitOpError("bias must have i32 storage, got ") << bElt;
    SmallVector<double> bs = getQuantScales(bElt), ws = getQuantScales(wElt);
    double sIn = getQuantScales(in.getElementType())[0];
    if (bs.size() != 1 && bs.size() != ws.size())
      return emitOpError("bias and weight have different numbers of scales");
    for (size_t c = 0; c < std::max(bs.size(), ws.size()); ++c) {
      double expected = sIn * ws[ws.size() == 1 ? 0 : c];
      double got = bs[bs.size() == 1 ? 0 : c];
      if (std::abs(got - expected) > 1e-6 * std::abs(expected))
        return emitOpError("bias scale of channel ")
               << c << " is " << got << " but must be input scale * weight "
               << "scale = " << expected;
    }
    auto zeroPoints =
        isa<quant::UniformQuantizedPerAxisType>(bElt)
            ? SmallVector<int64_t>(
                  cast<quant::UniformQuantizedPerAxisType>(bElt)
                      .getZeroPoints())
            : SmallVector<int64_t>{
                  cast<quant::UniformQuantizedType>(bElt).getZeroPoint()};
    if (llvm::any_of(zeroPoints, [](int64_t z) { return z != 0; }))
      return emitOpError("bias zero point must be 0");
  }
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::verify() {
  auto l = getLhs().getType(), r = getRhs().getType();
  auto out = getResult().getType();
  if (l.getRank() != 2 || r.getRank() != 2 || out.getRank() != 2)
    return emitOpError("operands and result must be 2-D");
  if (l.getDimSize(1) != r.getDimSize(0))
    return emitOpError("contracting dimensions differ: ")
           << l.getDimSize(1) << " vs " << r.getDimSize(0);
  if (out.getDimSize(0) != l.getDimSize(0) ||
      out.getDimSize(1) != r.getDimSize(1))
    return emitOpError("result shape must be [")
           << l.getDimSize(0) << ", " << r.getDimSize(1) << "], got " << out;
  return success();
}

//===----------------------------------------------------------------------===//
// AddOp
//===----------------------------------------------------------------------===//

LogicalResult AddOp::verify() {
  if (failed(verifySameKind(*this)))
    return failure();
  auto l = cast<RankedTensorType>(getLhs().getType());
  auto r = cast<RankedTensorType>(getRhs().getType());
  auto out = cast<RankedTensorType>(getResult().getType());
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(l.getShape(), r.getShape(), shape))
    return emitOpError("operand shapes ")
           << l << " and " << r << " are not broadcast-compatible";
  if (ArrayRef<int64_t>(shape) != out.getShape())
    return emitOpError("result shape must be the broadcast shape of the "
                       "operands");
  if (isQuantizedTensor(l)) {
    for (auto [v, what] :
         {std::pair<Type, StringRef>{l.getElementType(), "lhs"},
          {r.getElementType(), "rhs"},
          {out.getElementType(), "result"}})
      if (failed(verifyActivationType(*this, v, what)))
        return failure();
  } else if (l.getElementType() != r.getElementType() ||
             l.getElementType() != out.getElementType()) {
    return emitOpError("operands and result must have the same element type");
  }
  return success();
}

namespace {
/// add(fully_connected(x, w), c) -> fully_connected(x, w, c) when `c` is a
/// constant that broadcasts along the output features and the product has no
/// bias or activation yet. This is how ONNX MatMul + Add arrives.
struct FoldBiasAddIntoFullyConnected : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    if (isQuantizedTensor(add.getType()))
      return failure();
    for (unsigned i = 0; i < 2; ++i) {
      auto fc = add->getOperand(i).getDefiningOp<FullyConnectedOp>();
      Value other = add->getOperand(1 - i);
      if (!fc || fc.getBias() || !fc->hasOneUse() ||
          fc.getFusedActivation() != Activation::None)
        continue;
      DenseElementsAttr value;
      if (!matchPattern(other, m_Constant(&value)))
        continue;
      auto type = cast<RankedTensorType>(other.getType());
      int64_t n = fc.getType().getDimSize(1);
      // Accept [n] and [1, n].
      if (type.getNumElements() != n || type.getShape().back() != n)
        continue;
      auto biasType = RankedTensorType::get({n}, type.getElementType());
      Value bias = arith::ConstantOp::create(rewriter, other.getLoc(), biasType,
                                             value.reshape(biasType))
                       .getResult();
      auto fused = FullyConnectedOp::create(
          rewriter, add.getLoc(), add.getType(), fc.getInput(), fc.getWeight(),
          bias, add.getFusedActivation());
      rewriter.replaceOp(add, fused.getResult());
      return success();
    }
    return failure();
  }
};
} // namespace

void AddOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<FoldBiasAddIntoFullyConnected>(context);
}

//===----------------------------------------------------------------------===//
// ReluOp
//===----------------------------------------------------------------------===//

LogicalResult ReluOp::verify() {
  if (failed(verifySameKind(*this)))
    return failure();
  if (getInput().getType().getShape() != getResult().getType().getShape())
    return emitOpError("result shape must equal the input shape");
  if (isQuantizedTensor(getInput().getType()))
    return success(succeeded(verifyActivationType(*this, elementOf(getInput()),
                                                  "input")) &&
                   succeeded(verifyActivationType(*this, elementOf(getResult()),
                                                  "result")));
  return success();
}

namespace {
/// relu(op) -> op activation <relu> for float ops that take a fused
/// activation and have no other use. The fused op keeps the relu's location,
/// and so its tensor name: calibration observes the activated tensor.
template <typename OpTy> struct FuseReluInto : OpRewritePattern<ReluOp> {
  using OpRewritePattern<ReluOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ReluOp relu,
                                PatternRewriter &rewriter) const override {
    auto producer = relu.getInput().template getDefiningOp<OpTy>();
    if (!producer || !producer->hasOneUse() ||
        producer.getFusedActivation() != Activation::None ||
        isQuantizedTensor(relu.getType()))
      return failure();
    rewriter.modifyOpInPlace(producer, [&] {
      producer.setFusedActivation(Activation::Relu);
      producer->setLoc(relu.getLoc());
    });
    rewriter.replaceOp(relu, producer->getResult(0));
    return success();
  }
};

/// relu(relu(x)) -> relu(x) on float tensors.
struct FoldReluRelu : OpRewritePattern<ReluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReluOp relu,
                                PatternRewriter &rewriter) const override {
    auto inner = relu.getInput().getDefiningOp<ReluOp>();
    if (!inner || isQuantizedTensor(relu.getType()))
      return failure();
    rewriter.replaceOp(relu, inner.getResult());
    return success();
  }
};
} // namespace

void ReluOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results
      .add<FuseReluInto<FullyConnectedOp>, FuseReluInto<AddOp>, FoldReluRelu>(
          context);
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType(), out = getResult().getType();
  if (!in.hasStaticShape() || !out.hasStaticShape())
    return emitOpError("needs static shapes");
  if (in.getNumElements() != out.getNumElements())
    return emitOpError("cannot reshape ")
           << in.getNumElements() << " elements into " << out.getNumElements();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element type must not change (")
           << in.getElementType() << " vs " << out.getElementType() << ")";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto value = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    return value.reshape(getType());
  return {};
}

namespace {
/// reshape(reshape(x)) -> reshape(x).
struct FoldReshapeChain : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner)
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), inner.getInput());
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<FoldReshapeChain>(context);
}

//===----------------------------------------------------------------------===//
// TableGen'd op definitions
//===----------------------------------------------------------------------===//

#define GET_OP_CLASSES
#include "quantc/Dialect/QC/IR/QCOps.cpp.inc"
