//===- QCOps.cpp - qc dialect, verifiers, folders and canonicalizations ---===//

#include "quantc/Dialect/QC/IR/QC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

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

LogicalResult quantc::qc::verifyFiniteQuantScales(Operation *op) {
  auto check = [&](Type type, StringRef what, unsigned index) -> LogicalResult {
    for (double scale : getQuantScales(getElementTypeOrSelf(type)))
      if (!std::isfinite(scale) || scale <= 0)
        return op->emitOpError()
               << what << " #" << index << " has quantization scale " << scale
               << "; scales must be finite and positive";
    return success();
  };
  for (auto [i, t] : llvm::enumerate(op->getOperandTypes()))
    if (failed(check(t, "operand", i)))
      return failure();
  for (auto [i, t] : llvm::enumerate(op->getResultTypes()))
    if (failed(check(t, "result", i)))
      return failure();
  return success();
}

bool quantc::qc::isQuantizedTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<quant::QuantizedType>(tensor.getElementType());
}

bool quantc::qc::isActivationType(Type type) {
  auto q = dyn_cast<quant::UniformQuantizedType>(getElementTypeOrSelf(type));
  if (!q)
    return false;
  unsigned bits = q.getStorageTypeIntegralWidth();
  return bits == 8 || (bits == 16 && q.isSigned());
}

bool quantc::qc::movesDataOnly(Operation *op) {
  if (auto pool = dyn_cast<PoolOp>(op))
    return pool.getKind() == PoolKind::Max;
  return isa<ReshapeOp, TransposeOp, SliceOp>(op);
}

OpIdentity quantc::qc::identifyOp(Operation *op) {
  OpIdentity id;
  id.types.insert(op->getName().stripDialect());
  op->getLoc()->walk([&](Location loc) {
    if (auto name = dyn_cast<NameLoc>(loc))
      id.names.insert(name.getName().getValue());
    if (auto fused = dyn_cast<FusedLoc>(loc))
      if (auto info = dyn_cast_or_null<DictionaryAttr>(fused.getMetadata())) {
        if (auto node = info.getAs<StringAttr>("onnx_node"))
          if (!node.getValue().empty())
            id.names.insert(node.getValue());
        if (auto type = info.getAs<StringAttr>("onnx_op"))
          id.types.insert(type.getValue());
      }
    return WalkResult::advance();
  });
  return id;
}

bool Exclusions::excludes(const OpIdentity &id) {
  bool excluded = false;
  for (const std::string &name : nodes)
    if (id.names.contains(name)) {
      used.insert(name);
      excluded = true;
    }
  for (const std::string &type : opTypes)
    excluded |= id.types.contains(type);
  return excluded;
}

LogicalResult Exclusions::reportUnused(Operation *where, StringRef flag) const {
  for (const std::string &name : nodes)
    if (!used.contains(name))
      return where->emitError()
             << flag << ": no node or tensor is named '" << name << "'";
  return success();
}

SmallVector<double> quantc::qc::getQuantScales(Type element) {
  if (auto t = dyn_cast<quant::UniformQuantizedType>(element))
    return {t.getScale()};
  if (auto t = dyn_cast<quant::UniformQuantizedPerAxisType>(element))
    return SmallVector<double>(t.getScales());
  return {};
}

template <typename T>
std::optional<SmallVector<T>> quantc::qc::getElementValues(Attribute attr) {
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(attr)) {
    Type elt = dense.getElementType();
    if constexpr (std::is_floating_point_v<T>) {
      if (!isa<FloatType>(elt))
        return std::nullopt;
    } else {
      if (!elt.isInteger(sizeof(T) * 8))
        return std::nullopt;
    }
    return SmallVector<T>(dense.getValues<T>());
  }
  if (auto res =
          dyn_cast_if_present<mlir::detail::DenseResourceElementsAttrBase<T>>(
              attr)) {
    if (std::optional<ArrayRef<T>> data = res.tryGetAsArrayRef())
      return SmallVector<T>(*data);
  }
  return std::nullopt;
}

std::optional<SmallVector<float>> quantc::qc::getConstantFloats(Value value) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  return getElementValues<float>(attr);
}

LogicalResult quantc::qc::verifyFiniteWeights(ModuleOp module) {
  WalkResult walk = module.walk([&](Operation *op) {
    if (!isa<FullyConnectedOp, ConvOp>(op))
      return WalkResult::advance();
    for (unsigned operand = 1; operand < op->getNumOperands(); ++operand) {
      std::optional<SmallVector<float>> values =
          getConstantFloats(op->getOperand(operand));
      if (!values)
        continue;
      auto bad =
          llvm::find_if(*values, [](float v) { return !std::isfinite(v); });
      if (bad == values->end())
        continue;
      std::string name = getTensorName(op->getOperand(operand));
      std::string opName = getTensorName(op->getResult(0));
      op->emitError() << (operand == 1 ? "weight" : "bias") << " '"
                      << (name.empty() ? "<unnamed>" : name) << "' of '"
                      << (opName.empty() ? "<unnamed>" : opName) << "' holds "
                      << (std::isnan(*bad) ? "NaN"
                          : *bad > 0       ? "+Inf"
                                           : "-Inf")
                      << " at element " << (bad - values->begin())
                      << ": int8 quantization needs finite weights and "
                         "biases (--precision fp32 keeps ONNX's IEEE "
                         "semantics)";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

template <typename T>
Value quantc::qc::createConstant(OpBuilder &b, Location loc,
                                 RankedTensorType type, ArrayRef<T> values,
                                 StringRef hint) {
  ElementsAttr attr;
  if (type.getNumElements() >= kResourceThreshold) {
    attr = cast<ElementsAttr>(DenseResourceElementsAttr::get(
        type, hint, HeapAsmResourceBlob::allocateAndCopyInferAlign(values)));
  } else {
    attr = DenseElementsAttr::get(type, values);
  }
  return arith::ConstantOp::create(b, loc, type, attr);
}

#define QC_INSTANTIATE(T)                                                      \
  template std::optional<SmallVector<T>> quantc::qc::getElementValues<T>(      \
      Attribute);                                                              \
  template Value quantc::qc::createConstant<T>(                                \
      OpBuilder &, Location, RankedTensorType, ArrayRef<T>, StringRef);
QC_INSTANTIATE(float)
QC_INSTANTIATE(int8_t)
QC_INSTANTIATE(int32_t)
QC_INSTANTIATE(int64_t)
#undef QC_INSTANTIATE

static Type elementOf(Value v) {
  return cast<ShapedType>(v.getType()).getElementType();
}

/// Verifies that `element` is a per-tensor quantized type with 8-bit (int8,
/// uint8) or signed 16-bit storage (the activation types of
/// docs/quantization.md).
static LogicalResult verifyActivationType(Operation *op, Type element,
                                          StringRef what) {
  if (!isa<quant::UniformQuantizedType>(element))
    return op->emitOpError()
           << what << " must be a per-tensor !quant.uniform type, got "
           << element;
  if (!isActivationType(element))
    return op->emitOpError()
           << what << " must have i8, u8 or i16 storage, got " << element;
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
  if (!wq || wq.getStorageTypeIntegralWidth() != 8 || !wq.isSigned())
    return emitOpError("weight must have signed i8 storage, got ") << wElt;
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
  if (l.getRank() < 2 || r.getRank() < 2)
    return emitOpError("operands must have rank >= 2");
  int64_t m = l.getShape()[l.getRank() - 2], k = l.getShape().back();
  int64_t rk = r.getShape()[r.getRank() - 2], n = r.getShape().back();
  if (k != rk)
    return emitOpError("contracting dimensions differ: ") << k << " vs " << rk;
  SmallVector<int64_t> batch;
  if (!OpTrait::util::getBroadcastedShape(l.getShape().drop_back(2),
                                          r.getShape().drop_back(2), batch))
    return emitOpError("batch dimensions do not broadcast");
  batch.push_back(m);
  batch.push_back(n);
  if (ArrayRef<int64_t>(batch) != out.getShape())
    return emitOpError("result type must be ")
           << RankedTensorType::get(batch, out.getElementType()) << ", got "
           << out;
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
      // Also through a reshape that keeps the last (feature) dimension, as
      // exporters write for a MatMul on a 3-D input.
      auto reshape = add->getOperand(i).getDefiningOp<ReshapeOp>();
      Value fcResult = reshape ? reshape.getInput() : add->getOperand(i);
      auto fc = fcResult.getDefiningOp<FullyConnectedOp>();
      Value other = add->getOperand(1 - i);
      if (!fc || fc.getBias() || !fc->hasOneUse() ||
          fc.getFusedActivation() != Activation::None)
        continue;
      if (reshape &&
          (!reshape->hasOneUse() || reshape.getType() != add.getType() ||
           reshape.getType().getShape().back() !=
               fc.getType().getShape().back()))
        continue;
      std::optional<SmallVector<float>> value = getConstantFloats(other);
      if (!value)
        continue;
      auto type = cast<RankedTensorType>(other.getType());
      int64_t n = fc.getType().getDimSize(1);
      // Accept [n] and [1, n].
      if (type.getNumElements() != n || type.getShape().back() != n)
        continue;
      auto biasType = RankedTensorType::get({n}, type.getElementType());
      Value bias = createConstant<float>(rewriter, other.getLoc(), biasType,
                                         *value, "bias");
      Type fusedType = reshape ? Type(fc.getType()) : add.getType();
      auto fused = FullyConnectedOp::create(
          rewriter, rewriter.getFusedLoc({add.getLoc(), fc.getLoc()}),
          fusedType, fc.getInput(), fc.getWeight(), bias,
          add.getFusedActivation());
      Value result = fused.getResult();
      if (reshape)
        result =
            ReshapeOp::create(rewriter, add.getLoc(), add.getType(), result)
                .getResult();
      rewriter.replaceOp(add, result);
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
      // The result keeps the relu's tensor name; the producer's location
      // (its ONNX node) stays reachable for --exclude-nodes.
      producer->setLoc(
          rewriter.getFusedLoc({relu.getLoc(), producer->getLoc()}));
    });
    rewriter.replaceOp(relu, producer->getResult(0));
    return success();
  }
};

/// clip(op, 0, 6) -> op activation <relu6> (ReLU6), like FuseReluInto.
template <typename OpTy> struct FuseRelu6Into : OpRewritePattern<UnaryOp> {
  using OpRewritePattern<UnaryOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(UnaryOp clip,
                                PatternRewriter &rewriter) const override {
    if (clip.getKind() != UnaryKind::Clip ||
        clip.getAlpha().convertToDouble() != 0 ||
        clip.getBeta().convertToDouble() != 6)
      return failure();
    auto producer = clip.getInput().template getDefiningOp<OpTy>();
    if (!producer || !producer->hasOneUse() ||
        producer.getFusedActivation() != Activation::None)
      return failure();
    rewriter.modifyOpInPlace(producer, [&] {
      producer.setFusedActivation(Activation::Relu6);
      producer->setLoc(
          rewriter.getFusedLoc({clip.getLoc(), producer->getLoc()}));
    });
    rewriter.replaceOp(clip, producer->getResult(0));
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

void UnaryOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                          MLIRContext *context) {
  results.add<FuseRelu6Into<FullyConnectedOp>, FuseRelu6Into<ConvOp>,
              FuseRelu6Into<AddOp>>(context);
}

namespace {
/// relu(reshape(x)) -> reshape(relu(x)) on float tensors when the reshape
/// has no other use, so that the relu meets (and fuses into) the op behind
/// the reshape, as in MatMul -> Reshape -> Add -> Relu exports.
struct HoistReluAboveReshape : OpRewritePattern<ReluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReluOp relu,
                                PatternRewriter &rewriter) const override {
    auto reshape = relu.getInput().getDefiningOp<ReshapeOp>();
    if (!reshape || !reshape->hasOneUse() ||
        isQuantizedTensor(relu.getType()) ||
        !isa_and_present<FullyConnectedOp, ConvOp, AddOp>(
            reshape.getInput().getDefiningOp()))
      return failure();
    Value input = reshape.getInput();
    auto inner =
        ReluOp::create(rewriter, relu.getLoc(), input.getType(), input);
    rewriter.replaceOpWithNewOp<ReshapeOp>(relu, relu.getType(),
                                           inner.getResult());
    return success();
  }
};
} // namespace

void ReluOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<FuseReluInto<FullyConnectedOp>, FuseReluInto<ConvOp>,
              FuseReluInto<AddOp>, FoldReluRelu, HoistReluAboveReshape>(
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
// ConvOp, ConvTransposeOp, PoolOp
//===----------------------------------------------------------------------===//

/// Checks the window attributes of an op over `spatial` dimensions.
static LogicalResult verifyWindow(Operation *op, int64_t spatial,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> dilations,
                                  ArrayRef<int64_t> pads) {
  if ((int64_t)strides.size() != spatial ||
      (int64_t)dilations.size() != spatial ||
      (int64_t)pads.size() != 2 * spatial)
    return op->emitOpError("needs ")
           << spatial << " strides and dilations and " << 2 * spatial
           << " pads for " << spatial << " spatial dimensions";
  if (llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }))
    return op->emitOpError("strides and dilations must be positive");
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return op->emitOpError("pads must be non-negative");
  return success();
}

/// The window geometry shared by conv and conv_integer: ranks, strides,
/// dilations and pads, groups, and the result shape.
template <typename OpTy> static LogicalResult verifyConvGeometry(OpTy op) {
  auto in = op.getInput().getType(), w = op.getWeight().getType();
  auto out = op.getResult().getType();
  int64_t rank = in.getRank(), spatial = rank - 2;
  if (rank < 3 || w.getRank() != rank || out.getRank() != rank)
    return op.emitOpError("input, weight and result must have the same rank "
                          ">= 3 ([N, C, spatial...])");
  ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(),
                    pads = op.getPads();
  if (failed(
          verifyWindow(op.getOperation(), spatial, strides, dilations, pads)))
    return failure();
  int64_t g = op.getGroup(), c = in.getDimSize(1), f = w.getDimSize(0);
  if (g < 1 || c % g != 0 || f % g != 0)
    return op.emitOpError("group ") << g << " must divide the input channels "
                                    << c << " and the output channels " << f;
  if (w.getDimSize(1) * g != c)
    return op.emitOpError("weight has ")
           << w.getDimSize(1) << " input channels per group; expected "
           << c / g;
  SmallVector<int64_t> expected = {in.getDimSize(0), f};
  for (int64_t i = 0; i < spatial; ++i)
    expected.push_back(
        windowOutputSize(in.getDimSize(2 + i), w.getDimSize(2 + i), strides[i],
                         dilations[i], pads[i], pads[spatial + i]));
  if (ArrayRef<int64_t>(expected) != out.getShape())
    return op.emitOpError("result shape must be ")
           << RankedTensorType::get(expected, out.getElementType());
  return success();
}

LogicalResult ConvOp::verify() {
  if (failed(verifyConvGeometry(*this)))
    return failure();
  auto in = getInput().getType(), out = getResult().getType();
  int64_t f = getWeight().getType().getDimSize(0);
  if (Value bias = getBias()) {
    auto b = cast<RankedTensorType>(bias.getType());
    if (b.getRank() != 1 || b.getDimSize(0) != f)
      return emitOpError("bias must be 1-D of size ") << f << ", got " << b;
  }
  if (failed(verifySameKind(*this)))
    return failure();
  if (isQuantizedTensor(in) &&
      (failed(verifyActivationType(*this, in.getElementType(), "input")) ||
       failed(verifyActivationType(*this, out.getElementType(), "result"))))
    return failure();
  return success();
}

LogicalResult ConvTransposeOp::verify() {
  auto in = getInput().getType(), w = getWeight().getType();
  auto out = getResult().getType();
  int64_t rank = in.getRank(), spatial = rank - 2;
  if (rank < 3 || w.getRank() != rank || out.getRank() != rank)
    return emitOpError("input, weight and result must have the same rank "
                       ">= 3");
  if (failed(verifyWindow(*this, spatial, getStrides(), getDilations(),
                          getPads())))
    return failure();
  if ((int64_t)getOutputPadding().size() != spatial)
    return emitOpError("needs one output padding per spatial dimension");
  int64_t g = getGroup(), c = in.getDimSize(1);
  if (g < 1 || c % g != 0 || w.getDimSize(0) != c)
    return emitOpError("weight must be [C, F / group, ...] with C = ") << c;
  SmallVector<int64_t> expected = {in.getDimSize(0), w.getDimSize(1) * g};
  for (int64_t i = 0; i < spatial; ++i)
    expected.push_back(getStrides()[i] * (in.getDimSize(2 + i) - 1) +
                       getOutputPadding()[i] +
                       getDilations()[i] * (w.getDimSize(2 + i) - 1) + 1 -
                       getPads()[i] - getPads()[spatial + i]);
  if (ArrayRef<int64_t>(expected) != out.getShape())
    return emitOpError("result shape must be ")
           << RankedTensorType::get(expected, out.getElementType());
  if (Value bias = getBias())
    if (cast<RankedTensorType>(bias.getType()).getShape() !=
        ArrayRef<int64_t>{expected[1]})
      return emitOpError("bias must be 1-D of size ") << expected[1];
  return success();
}

LogicalResult PoolOp::verify() {
  auto in = getInput().getType(), out = getResult().getType();
  int64_t rank = in.getRank(), spatial = rank - 2;
  if (rank < 3 || out.getRank() != rank)
    return emitOpError("input and result must have the same rank >= 3");
  if ((int64_t)getKernel().size() != spatial)
    return emitOpError("needs one kernel size per spatial dimension");
  if (llvm::any_of(getKernel(), [](int64_t k) { return k < 1; }))
    return emitOpError("kernel sizes must be positive");
  if (failed(verifyWindow(*this, spatial, getStrides(), getDilations(),
                          getPads())))
    return failure();
  // Spatial dimensions start at 1 channels-last, else at 2.
  int64_t first = getChannelsLast() ? 1 : 2;
  int64_t channels = in.getDimSize(getChannelsLast() ? rank - 1 : 1);
  SmallVector<int64_t> expected = {in.getDimSize(0)};
  if (!getChannelsLast())
    expected.push_back(channels);
  for (int64_t i = 0; i < spatial; ++i)
    expected.push_back(windowOutputSize(
        in.getDimSize(first + i), getKernel()[i], getStrides()[i],
        getDilations()[i], getPads()[i], getPads()[spatial + i],
        getCeilMode()));
  if (getChannelsLast())
    expected.push_back(channels);
  if (ArrayRef<int64_t>(expected) != out.getShape())
    return emitOpError("result shape must be ")
           << RankedTensorType::get(expected, out.getElementType());
  if (isQuantizedTensor(in) || isQuantizedTensor(out)) {
    if (getKind() != PoolKind::Max)
      return emitOpError("only max pooling works on quantized tensors");
    if (in.getElementType() != out.getElementType())
      return emitOpError("quantized max pooling must keep the element type");
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Element-wise and normalization ops
//===----------------------------------------------------------------------===//

LogicalResult BinaryOp::verify() {
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(getLhs().getType().getShape(),
                                          getRhs().getType().getShape(), shape))
    return emitOpError("operand shapes are not broadcast-compatible");
  if (ArrayRef<int64_t>(shape) != getType().getShape())
    return emitOpError("result shape must be the broadcast shape of the "
                       "operands");
  return success();
}

static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return op->emitOpError("axis ")
           << axis << " is out of range for rank " << rank;
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getType().getRank());
}

LogicalResult BatchNormOp::verify() {
  auto in = getInput().getType();
  if (in.getRank() < 2)
    return emitOpError("input must have a channel dimension");
  for (Value v : {getScale(), getShift()})
    if (cast<RankedTensorType>(v.getType()).getShape() !=
        ArrayRef<int64_t>{in.getDimSize(1)})
      return emitOpError("scale and shift must be 1-D of size ")
             << in.getDimSize(1);
  if (getType() != in)
    return emitOpError("result type must equal the input type");
  return success();
}

LogicalResult LayerNormOp::verify() {
  auto in = getInput().getType();
  if (failed(verifyAxis(*this, getAxis(), in.getRank())))
    return failure();
  ArrayRef<int64_t> trailing = in.getShape().drop_front(getAxis());
  SmallVector<int64_t> shape;
  for (Value v : {getScale(), getBias()})
    if (v &&
        (!OpTrait::util::getBroadcastedShape(
             trailing, cast<RankedTensorType>(v.getType()).getShape(), shape) ||
         ArrayRef<int64_t>(shape) != trailing))
      return emitOpError("scale and bias must broadcast to the normalized "
                         "axes");
  if (getType() != in)
    return emitOpError("result type must equal the input type");
  return success();
}

LogicalResult ReduceOp::verify() {
  auto in = getInput().getType();
  SmallVector<int64_t> expected;
  ArrayRef<int64_t> axes = getAxes();
  for (auto [i, a] : llvm::enumerate(axes))
    if (a < 0 || a >= in.getRank() || (i > 0 && axes[i - 1] >= a))
      return emitOpError("axes must be sorted, unique and in range");
  for (int64_t i = 0; i < in.getRank(); ++i) {
    if (!llvm::is_contained(axes, i))
      expected.push_back(in.getDimSize(i));
    else if (getKeepdims())
      expected.push_back(1);
  }
  if (ArrayRef<int64_t>(expected) != getType().getShape())
    return emitOpError("result shape must be ")
           << RankedTensorType::get(expected, in.getElementType());
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  auto out = getType();
  if (failed(verifyAxis(*this, getAxis(), out.getRank())))
    return failure();
  int64_t total = 0;
  for (Value v : getInputs()) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != out.getRank())
      return emitOpError("inputs must have the result's rank");
    for (int64_t i = 0; i < t.getRank(); ++i)
      if (i != (int64_t)getAxis() && t.getDimSize(i) != out.getDimSize(i))
        return emitOpError("inputs differ from the result outside the axis");
    if (t.getElementType() != out.getElementType())
      return emitOpError("inputs and result must have the same element type");
    total += t.getDimSize(getAxis());
  }
  if (total != out.getDimSize(getAxis()))
    return emitOpError("result size along the axis must be ") << total;
  return success();
}

LogicalResult TransposeOp::verify() {
  auto in = getInput().getType(), out = getType();
  ArrayRef<int64_t> perm = getPerm();
  if ((int64_t)perm.size() != in.getRank() || out.getRank() != in.getRank())
    return emitOpError("perm must have one entry per dimension");
  SmallVector<bool> seen(perm.size());
  for (auto [i, p] : llvm::enumerate(perm)) {
    if (p < 0 || p >= in.getRank() || seen[p])
      return emitOpError("perm is not a permutation");
    seen[p] = true;
    if (out.getDimSize(i) != in.getDimSize(p))
      return emitOpError("result dimension ")
             << i << " must be input dimension " << p;
  }
  if (in.getElementType() != out.getElementType())
    return emitOpError("element type must not change");
  return success();
}

LogicalResult PadOp::verify() {
  auto in = getInput().getType(), out = getType();
  int64_t rank = in.getRank();
  ArrayRef<int64_t> pads = getPads();
  if ((int64_t)pads.size() != 2 * rank)
    return emitOpError("needs ") << 2 * rank << " pads";
  for (int64_t i = 0; i < rank; ++i) {
    if (pads[i] < 0 || pads[rank + i] < 0)
      return emitOpError("pads must be non-negative");
    if (out.getDimSize(i) != in.getDimSize(i) + pads[i] + pads[rank + i])
      return emitOpError("result dimension ") << i << " does not match pads";
    if (getMode() == PadMode::Reflect &&
        std::max(pads[i], pads[rank + i]) >= in.getDimSize(i))
      return emitOpError("reflect padding must be smaller than dimension ")
             << i;
    if (getMode() == PadMode::Edge && in.getDimSize(i) == 0)
      return emitOpError("edge padding of an empty dimension");
  }
  return success();
}

LogicalResult SliceOp::verify() {
  auto in = getInput().getType(), out = getType();
  int64_t rank = in.getRank();
  if ((int64_t)getOffsets().size() != rank ||
      (int64_t)getSteps().size() != rank || out.getRank() != rank)
    return emitOpError("needs one offset and step per dimension");
  for (int64_t i = 0; i < rank; ++i) {
    int64_t o = getOffsets()[i], s = getSteps()[i], n = out.getDimSize(i);
    if (s == 0)
      return emitOpError("steps must be non-zero");
    if (n == 0)
      continue;
    int64_t last = o + (n - 1) * s;
    if (o < 0 || o >= in.getDimSize(i) || last < 0 || last >= in.getDimSize(i))
      return emitOpError("slice of dimension ") << i << " is out of bounds";
  }
  if (in.getElementType() != out.getElementType())
    return emitOpError("element type must not change");
  return success();
}

LogicalResult GatherOp::verify() {
  auto data = getData().getType(), idx = getIndices().getType();
  if (failed(verifyAxis(*this, getAxis(), data.getRank())))
    return failure();
  SmallVector<int64_t> expected(data.getShape().take_front(getAxis()));
  llvm::append_range(expected, idx.getShape());
  llvm::append_range(expected, data.getShape().drop_front(getAxis() + 1));
  if (ArrayRef<int64_t>(expected) != getType().getShape())
    return emitOpError("result shape must be ")
           << RankedTensorType::get(expected, data.getElementType());
  return success();
}

LogicalResult CodebookLookupOp::verify() {
  auto type = getType();
  if (type.getRank() == 0 || !type.hasStaticShape())
    return emitOpError("result must have a static shape of rank >= 1");
  int64_t bits = getBits();
  int64_t expected = (type.getNumElements() * bits + 7) / 8;
  int64_t stored = getIndices().getType().getDimSize(0);
  if (stored != expected)
    return emitOpError("indices must hold ")
           << expected << " bytes (" << bits << "-bit indices for "
           << type.getNumElements() << " elements), got " << stored;
  auto codebook = getCodebook().getType();
  if (!codebook.hasStaticShape() ||
      (codebook.getRank() != 1 && codebook.getRank() != 2))
    return emitOpError("codebook must be [K] or [C, K] with static sizes");
  if (codebook.getRank() == 2 && codebook.getDimSize(0) != type.getDimSize(0))
    return emitOpError("per-channel codebook must have ")
           << type.getDimSize(0) << " rows (result dimension 0), got "
           << codebook.getDimSize(0);
  int64_t k = codebook.getShape().back();
  if (k < 1 || k > (int64_t(1) << bits))
    return emitOpError("codebook size must be in [1, ")
           << (int64_t(1) << bits) << "] for " << bits << "-bit indices, got "
           << k;
  return success();
}

namespace {
/// batch_norm(conv(x, w, b)) -> conv(x, w * scale, b * scale + shift) and
/// the same for fully_connected (on [M, N] results), when the weights are
/// constants and the producer has no other use or activation.
struct FoldBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    Operation *producer = bn.getInput().getDefiningOp();
    if (!producer || !producer->hasOneUse() ||
        !isa<ConvOp, FullyConnectedOp>(producer))
      return failure();
    auto act = producer->getAttrOfType<ActivationAttr>("fused_activation");
    if (act && act.getValue() != Activation::None)
      return failure();
    auto scale = getConstantFloats(bn.getScale());
    auto shift = getConstantFloats(bn.getShift());
    Value weight = producer->getOperand(1);
    auto w = getConstantFloats(weight);
    if (!scale || !shift || !w)
      return failure();
    Value biasValue =
        producer->getNumOperands() > 2 ? producer->getOperand(2) : Value();
    std::optional<SmallVector<float>> bias;
    if (biasValue && !(bias = getConstantFloats(biasValue)))
      return failure();
    int64_t channels = scale->size();
    int64_t perChannel = w->size() / channels;
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < perChannel; ++i)
        (*w)[c * perChannel + i] *= (*scale)[c];
    SmallVector<float> newBias(channels);
    for (int64_t c = 0; c < channels; ++c)
      newBias[c] = (bias ? (*bias)[c] : 0.0f) * (*scale)[c] + (*shift)[c];
    auto wType = cast<RankedTensorType>(weight.getType());
    Value newW = createConstant<float>(rewriter, weight.getLoc(), wType,
                                       ArrayRef<float>(*w));
    Value newB = createConstant<float>(
        rewriter, bn.getShift().getLoc(),
        RankedTensorType::get({channels}, rewriter.getF32Type()),
        ArrayRef<float>(newBias));
    rewriter.modifyOpInPlace(producer, [&] {
      producer->setOperand(1, newW);
      if (biasValue)
        producer->setOperand(2, newB);
      producer->setLoc(rewriter.getFusedLoc({bn.getLoc(), producer->getLoc()}));
    });
    if (!biasValue) {
      if (auto conv = dyn_cast<ConvOp>(producer))
        rewriter.modifyOpInPlace(conv,
                                 [&] { conv.getBiasMutable().assign(newB); });
      else
        rewriter.modifyOpInPlace(producer, [&] {
          cast<FullyConnectedOp>(producer).getBiasMutable().assign(newB);
        });
    }
    rewriter.replaceOp(bn, producer->getResult(0));
    return success();
  }
};
} // namespace

void BatchNormOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<FoldBatchNorm>(context);
}

//===----------------------------------------------------------------------===//
// TableGen'd op definitions
//===----------------------------------------------------------------------===//

#define GET_OP_CLASSES
#include "quantc/Dialect/QC/IR/QCOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Integer ops with explicit zero points
//===----------------------------------------------------------------------===//

LogicalResult DynamicQuantizeOp::verify() {
  if (getResult().getType().getShape() != getInput().getType().getShape())
    return emitOpError("result shape ")
           << getResult().getType() << " differs from the input shape "
           << getInput().getType();
  return success();
}

/// A zero point is a scalar (0-d or one element) or 1-D with `n` elements.
static LogicalResult verifyZeroPoint(Operation *op, Value zp, int64_t n,
                                     StringRef what) {
  auto t = cast<RankedTensorType>(zp.getType());
  if (t.getRank() == 0 || (t.getRank() == 1 && t.getDimSize(0) == 1))
    return success();
  if (t.getRank() == 1 && t.getDimSize(0) == n)
    return success();
  return op->emitOpError() << what << " must be a scalar or 1-D of size " << n
                           << ", got " << t;
}

LogicalResult MatMulIntegerOp::verify() {
  auto a = getLhs().getType(), b = getRhs().getType();
  auto out = getResult().getType();
  if (a.getRank() < 2 || b.getRank() < 2)
    return emitOpError("operands must have rank >= 2, got ")
           << a << " and " << b;
  int64_t m = a.getDimSize(a.getRank() - 2), k = a.getDimSize(a.getRank() - 1);
  int64_t n = b.getDimSize(b.getRank() - 1);
  if (b.getDimSize(b.getRank() - 2) != k)
    return emitOpError("lhs has ") << k << " columns but rhs has "
                                   << b.getDimSize(b.getRank() - 2) << " rows";
  SmallVector<int64_t> batch;
  if (!OpTrait::util::getBroadcastedShape(a.getShape().drop_back(2),
                                          b.getShape().drop_back(2), batch))
    return emitOpError("batch dimensions of ")
           << a << " and " << b << " do not broadcast";
  batch.push_back(m);
  batch.push_back(n);
  if (ArrayRef<int64_t>(batch) != out.getShape())
    return emitOpError("result shape must be ")
           << RankedTensorType::get(batch, out.getElementType());
  if (failed(verifyZeroPoint(*this, getLhsZeroPoint(), m, "lhs_zero_point")) ||
      failed(verifyZeroPoint(*this, getRhsZeroPoint(), n, "rhs_zero_point")))
    return failure();
  return success();
}

LogicalResult ConvIntegerOp::verify() {
  if (failed(verifyConvGeometry(*this)))
    return failure();
  int64_t f = getWeight().getType().getDimSize(0);
  if (failed(
          verifyZeroPoint(*this, getInputZeroPoint(), 1, "input_zero_point")) ||
      failed(
          verifyZeroPoint(*this, getWeightZeroPoint(), f, "weight_zero_point")))
    return failure();
  return success();
}

LogicalResult CastOp::verify() {
  auto in = getInput().getType(), out = getResult().getType();
  if (in.getShape() != out.getShape())
    return emitOpError("result shape ")
           << out << " differs from the input shape " << in;
  if (out.getElementType().isInteger(32) && !in.getElementType().isInteger(8))
    return emitOpError("only i8 inputs cast to i32, got ") << in;
  if (getInputUnsigned() && !in.getElementType().isInteger(8))
    return emitOpError("input_unsigned applies to i8 inputs only");
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPerm();
  auto isIdentity = [](ArrayRef<int64_t> p) {
    for (auto [i, v] : llvm::enumerate(p))
      if (v != static_cast<int64_t>(i))
        return false;
    return true;
  };
  if (isIdentity(perm) && getInput().getType() == getType())
    return getInput();
  auto inner = getInput().getDefiningOp<TransposeOp>();
  if (!inner)
    return {};
  // result[i] = inner[perm[i]] = x[innerPerm[perm[i]]].
  SmallVector<int64_t> composed;
  for (int64_t p : perm)
    composed.push_back(inner.getPerm()[p]);
  if (isIdentity(composed) && inner.getInput().getType() == getType())
    return inner.getInput();
  setPerm(composed);
  getInputMutable().assign(inner.getInput());
  return getResult();
}

//===----------------------------------------------------------------------===//
// packed_conv2d
//===----------------------------------------------------------------------===//

LogicalResult PackedConv2DOp::verify() {
  StringRef kind = getIsa();
  if (kind != "avx512vnni" && kind != "avxvnni" && kind != "avx2")
    return emitOpError("unknown isa '")
           << kind << "' (expected avx512vnni, avxvnni or avx2)";
  auto in = cast<ShapedType>(getInput().getType());
  auto out = cast<ShapedType>(getInit().getType());
  if (in.getRank() != 4 || out.getRank() != 4 || !in.hasStaticShape() ||
      !out.hasStaticShape())
    return emitOpError("input and init must be static [N, H, W, C] shapes");
  auto bits = [](Type t) -> unsigned {
    if (auto q = dyn_cast<quant::QuantizedType>(t))
      return q.getStorageTypeIntegralWidth();
    return t.isInteger() ? t.getIntOrFloatBitWidth() : 0;
  };
  if (bits(in.getElementType()) != 8 || bits(out.getElementType()) != 8)
    return emitOpError("input and init hold 8-bit codes");
  if (getKernel().size() != 2 || getStrides().size() != 2 ||
      getDilations().size() != 2 || getPads().size() != 4)
    return emitOpError("needs 2 kernel sizes, strides and dilations and 4 "
                       "pads");
  for (int64_t v : llvm::concat<const int64_t>(getKernel(), getStrides(),
                                               getDilations()))
    if (v < 1)
      return emitOpError("kernel sizes, strides and dilations must be >= 1");
  for (int64_t p : getPads())
    if (p < 0)
      return emitOpError("pads must be >= 0");
  for (int i = 0; i < 2; ++i) {
    int64_t span = getDilations()[i] * (getKernel()[i] - 1) + 1;
    int64_t padded = in.getDimSize(1 + i) + getPads()[i] + getPads()[2 + i];
    int64_t expected =
        padded < span ? 0 : (padded - span) / getStrides()[i] + 1;
    if (out.getDimSize(1 + i) != expected)
      return emitOpError("result spatial dimension ")
             << i << " must be " << expected;
  }
  if (out.getDimSize(0) != in.getDimSize(0))
    return emitOpError("batch sizes differ");
  if (getDepthwise() && out.getDimSize(3) != in.getDimSize(3))
    return emitOpError("a depthwise convolution keeps the channel count");
  // I64Attr getters are unsigned.
  int64_t lo = static_cast<int64_t>(getClampMin());
  int64_t hi = static_cast<int64_t>(getClampMax());
  if (lo > hi || lo < -128 || hi > 127)
    return emitOpError("clamp range must lie in [-128, 127]");
  if (getResult().size() > 1u ||
      (getResult().size() == 1) != isa<RankedTensorType>(out))
    return emitOpError("has one tensor result on tensors, none on memrefs");
  return success();
}

void PackedConv2DOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (OpOperand &operand : getOperation()->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    if (&operand == &getInitMutable())
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
    else
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
  }
}

bool quantc::qc::isPrequantized(ModuleOp module) {
  return module
      .walk([](Operation *op) {
        return isa<quant::QuantizeCastOp, quant::DequantizeCastOp,
                   quant::StorageCastOp, DynamicQuantizeOp, MatMulIntegerOp,
                   ConvIntegerOp>(op)
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}
