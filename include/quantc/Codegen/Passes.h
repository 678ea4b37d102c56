//===- Passes.h - code generation passes ------------------------*- C++ -*-===//

#ifndef QUANTC_CODEGEN_PASSES_H
#define QUANTC_CODEGEN_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "quantc/Dialect/QC/IR/QC.h"

namespace quantc {

#define GEN_PASS_DECL
#include "quantc/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "quantc/Codegen/Passes.h.inc"

/// Function attribute holding the workspace size in bytes.
inline constexpr llvm::StringLiteral kWorkspaceSizeAttr = "qc.workspace_size";

} // namespace quantc

#endif // QUANTC_CODEGEN_PASSES_H
