//===- ONNXImport.h - ONNX models to the qc dialect -------------*- C++ -*-===//

#ifndef QUANTC_TARGET_ONNX_ONNXIMPORT_H
#define QUANTC_TARGET_ONNX_ONNXIMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace quantc {

/// Imports a serialized ONNX ModelProto as a module with one function,
/// `@main`, of qc ops on float tensors. Graph inputs carry their ONNX names
/// in the `qc.name` argument attribute, op results in their locations, and
/// the function lists its output names in `qc.output_names`. Errors (a
/// malformed model, an unsupported operator, a dynamic shape) are emitted as
/// diagnostics naming the node; the result is then null.
/// Bindings for symbolic or unknown input dimensions: input name -> shape.
using InputShapes = llvm::StringMap<llvm::SmallVector<int64_t>>;

mlir::OwningOpRef<mlir::ModuleOp>
importONNX(llvm::StringRef bytes, llvm::StringRef fileName,
           mlir::MLIRContext *context, const InputShapes &inputShapes = {});

/// Parses `NAME=D0xD1x...` into `shapes`; returns an error message on
/// malformed text.
std::string parseInputShape(llvm::StringRef text, InputShapes &shapes);

/// Registers `--import-onnx` with quantc-translate.
void registerONNXImportTranslation();

} // namespace quantc

#endif // QUANTC_TARGET_ONNX_ONNXIMPORT_H
