//===- Compile.h - from the LLVM dialect to machine code --------*- C++ -*-===//

#ifndef QUANTC_CODEGEN_COMPILE_H
#define QUANTC_CODEGEN_COMPILE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace quantc {

/// Where the code runs.
struct TargetSpec {
  std::string triple; ///< empty: the host
  std::string cpu;    ///< empty: the host CPU for the host, else "generic"
  std::string features;
};

/// Creates the TargetMachine for `spec` (all LLVM targets are initialised).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetSpec &spec);

/// The `isa` option of qc-vectorize-int8-matmul that suits `tm`.
std::string kernelISA(const llvm::TargetMachine &tm);

/// The packed int8 microkernels for `tm` (qc-pack-weights' isa):
/// avx512vnni, avxvnni or avx2 on x86-64 by its features, else none.
std::string packedKernelISA(const llvm::TargetMachine &tm);

/// Translates an LLVM-dialect module to LLVM IR for `tm` and optimizes it
/// at -O3 (loop and SLP vectorizers included).
llvm::Expected<std::unique_ptr<llvm::Module>>
translateAndOptimize(mlir::ModuleOp module, llvm::LLVMContext &llvmContext,
                     llvm::TargetMachine &tm);

/// Writes `module` as an object file or assembly.
llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                            llvm::StringRef path, bool assembly);

/// The JSON signature embedded by qc-emit-c-interface as NAME_signature.
llvm::Expected<std::string> getSignatureJSON(mlir::ModuleOp module,
                                             llvm::StringRef name);

/// The C header declaring the entry points and I/O table of a model.
llvm::Expected<std::string> makeHeader(llvm::StringRef name,
                                       llvm::StringRef signatureJSON);

/// Registers the dialect-to-LLVM-IR translations on `context`.
void registerLLVMTranslations(mlir::MLIRContext &context);

} // namespace quantc

#endif // QUANTC_CODEGEN_COMPILE_H
