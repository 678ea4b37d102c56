//===- ONNXImport.h - ONNX models to the qc dialect -------------*- C++ -*-===//

#ifndef QUANTC_TARGET_ONNX_ONNXIMPORT_H
#define QUANTC_TARGET_ONNX_ONNXIMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

namespace quantc {

/// Imports a serialized ONNX ModelProto as a module with one function,
/// `@main`, of qc ops on float tensors. Graph inputs carry their ONNX names
/// in the `qc.name` argument attribute, op results in their locations, and
/// the function lists its output names in `qc.output_names`. Errors (a
/// malformed model, an unsupported operator, a dynamic shape) are emitted as
/// diagnostics naming the node; the result is then null.
mlir::OwningOpRef<mlir::ModuleOp> importONNX(llvm::StringRef bytes,
                                             llvm::StringRef fileName,
                                             mlir::MLIRContext *context);

/// Registers `--import-onnx` with quantc-translate.
void registerONNXImportTranslation();

} // namespace quantc

#endif // QUANTC_TARGET_ONNX_ONNXIMPORT_H
