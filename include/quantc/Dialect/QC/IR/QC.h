//===- QC.h - The qc dialect ------------------------------------*- C++ -*-===//
//
// Declares the qc dialect, its attributes and ops, and helpers shared by
// everything that looks at qc IR (tensor names, quantized-type queries).
//
//===----------------------------------------------------------------------===//

#ifndef QUANTC_DIALECT_QC_IR_QC_H
#define QUANTC_DIALECT_QC_IR_QC_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/StringSet.h"

#include "quantc/Dialect/QC/IR/QCOpsDialect.h.inc"
#include "quantc/Dialect/QC/IR/QCOpsEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "quantc/Dialect/QC/IR/QCOpsAttrs.h.inc"

namespace quantc {
namespace qc {
/// Fails, naming the value, when a quantized element type of an operand or
/// result of `op` has a NaN, infinite or non-positive scale.
mlir::LogicalResult verifyFiniteQuantScales(mlir::Operation *op);

namespace QCOpTrait {
/// The ODS trait QC_FiniteQuantScales (every qc op).
template <typename ConcreteType>
class FiniteQuantScales
    : public mlir::OpTrait::TraitBase<ConcreteType, FiniteQuantScales> {
public:
  static mlir::LogicalResult verifyTrait(mlir::Operation *op) {
    return verifyFiniteQuantScales(op);
  }
};
} // namespace QCOpTrait
} // namespace qc
} // namespace quantc

#define GET_OP_CLASSES
#include "quantc/Dialect/QC/IR/QCOps.h.inc"

namespace quantc {
namespace qc {

/// The name of a tensor in the model: a function argument's `qc.name`
/// attribute, or the name in an op result's location (the ONNX tensor name
/// the importer attached). Empty when the value has no name.
std::string getTensorName(mlir::Value value);

/// The attribute name that carries an ONNX tensor name on function arguments
/// and results.
inline constexpr llvm::StringLiteral kNameAttr = "qc.name";

/// Returns true when `type` is a tensor of quantized elements.
bool isQuantizedTensor(mlir::Type type);

/// Returns true when `type` (an element type or a tensor of it) is an
/// activation type of docs/quantization.md: per-tensor, with int8, uint8 or
/// int16 storage.
bool isActivationType(mlir::Type type);

/// Returns true for ops that only move or select elements (reshape,
/// transpose, slice, max pooling): quantized, they keep their input's
/// quantization parameters.
bool movesDataOnly(mlir::Operation *op);

/// Returns true when `module` already carries quantization: quant casts
/// (an imported QDQ or QLinear* model) or integer ops with explicit zero
/// points (dynamic quantization). Such a model is compiled without
/// calibration.
bool isPrequantized(mlir::ModuleOp module);

/// Names an op answers to for --exclude-nodes / --int16-nodes (its tensor
/// names and ONNX node names, including those of ops fused into it) and
/// its operator types (ONNX types and the qc op name), read from its
/// location.
struct OpIdentity {
  llvm::StringSet<> names, types;
};
OpIdentity identifyOp(mlir::Operation *op);

/// The --exclude-nodes / --exclude-op-types selection shared by the
/// quantization passes; it remembers which names matched something so that
/// typos can be reported.
struct Exclusions {
  llvm::ArrayRef<std::string> nodes, opTypes;
  llvm::StringSet<> used;

  bool excludes(mlir::Operation *op) { return excludes(identifyOp(op)); }
  bool excludes(const OpIdentity &id);
  /// Emits an error on `where` for the first node name that matched
  /// nothing (`flag` names the option).
  mlir::LogicalResult reportUnused(mlir::Operation *where,
                                   llvm::StringRef flag) const;
};

/// Scales of a quantized element type: one for a per-tensor type, one per
/// channel for a per-axis type; empty for anything else.
llvm::SmallVector<double> getQuantScales(mlir::Type element);

/// Output length of a convolution or pooling window sweep along one
/// dimension (ONNX formula); `ceil` rounds up (pooling `ceil_mode`), and
/// then drops a last window that would start in the end padding, as ONNX
/// and PyTorch do. Returns a value <= 0 for an empty output.
inline int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                int64_t dilation, int64_t padBegin,
                                int64_t padEnd, bool ceil = false) {
  int64_t span = in + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (span < 0)
    return 0;
  int64_t out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

/// The value behind a constant float tensor (dense or dense_resource), or
/// nullopt when `value` is not produced by such a constant.
std::optional<llvm::SmallVector<float>> getConstantFloats(mlir::Value value);

/// Fails, with an error naming the tensor, the op and the first bad
/// element, when a constant weight or bias of a qc.fully_connected or
/// qc.conv in `module` holds NaN or an infinity: int8 quantization has no
/// code for them (docs/quantization.md, "Non-finite weights").
mlir::LogicalResult verifyFiniteWeights(mlir::ModuleOp module);

/// The elements of a constant attribute (dense or dense_resource) as
/// `T`, or nullopt when the attribute holds another element type.
template <typename T>
std::optional<llvm::SmallVector<T>> getElementValues(mlir::Attribute attr);

/// Elements at or above this count are stored as `dense_resource` blobs so
/// that large weights stay out of the textual IR.
inline constexpr int64_t kResourceThreshold = 256;

/// An `arith.constant` of `type` holding `values`: a `dense_resource` blob
/// named after `hint` for large tensors, a dense attribute otherwise.
template <typename T>
mlir::Value createConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::RankedTensorType type,
                           llvm::ArrayRef<T> values,
                           llvm::StringRef hint = "weight");

} // namespace qc
} // namespace quantc

#endif // QUANTC_DIALECT_QC_IR_QC_H
