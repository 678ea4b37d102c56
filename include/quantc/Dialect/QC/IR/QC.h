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
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "quantc/Dialect/QC/IR/QCOpsDialect.h.inc"
#include "quantc/Dialect/QC/IR/QCOpsEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "quantc/Dialect/QC/IR/QCOpsAttrs.h.inc"

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

/// Returns true when `type` (an element type or a tensor of it) is the int8
/// activation type of docs/quantization.md: per-tensor, signed 8-bit storage.
bool isInt8ActivationType(mlir::Type type);

/// Scales of a quantized element type: one for a per-tensor type, one per
/// channel for a per-axis type; empty for anything else.
llvm::SmallVector<double> getQuantScales(mlir::Type element);

} // namespace qc
} // namespace quantc

#endif // QUANTC_DIALECT_QC_IR_QC_H
