//===- fuzz-onnx.cpp - libFuzzer target: the ONNX importer ----------------===//
//
// Bytes -> onnx::ModelProto -> checker -> qc dialect -> verifier. Every
// input must end in a diagnostic or a module that verifies.
//
//===----------------------------------------------------------------------===//

#include "FuzzUtil.h"
#include "quantc/InitAll.h"
#include "quantc/Target/ONNX/ONNXImport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry;
    quantc::registerAllDialects(*r);
    return r;
  }();
  mlir::MLIRContext context(*registry, mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::OwningOpRef<mlir::ModuleOp> module = quantc::importONNX(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.onnx",
      &context, {});
  if (module)
    (void)mlir::verify(*module);
  return 0;
}
