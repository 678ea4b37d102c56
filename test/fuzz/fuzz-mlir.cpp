//===- fuzz-mlir.cpp - libFuzzer target: parse and verify qc IR -----------===//
//
// The bytes are MLIR text over quantc's dialects, checked for nesting depth
// as quantc-opt does, then parsed and verified.
//
//===----------------------------------------------------------------------===//

#include "FuzzUtil.h"
#include "quantc/InitAll.h"
#include "quantc/Support/CheckedMath.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry;
    quantc::registerAllDialects(*r);
    return r;
  }();
  // MLIR's lexer expects a NUL after the buffer, as the tools' file buffers
  // have: a copy provides it.
  std::string text(reinterpret_cast<const char *>(data), size);
  if (quantc::nestsDeeperThan(text, quantc::kMaxNestingDepth))
    return 0;
  mlir::MLIRContext context(*registry, mlir::MLIRContext::Threading::DISABLED);
  context.allowUnregisteredDialects(false);
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::ParserConfig config(&context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, config);
  if (module)
    (void)mlir::verify(*module);
  return 0;
}
