//===- InitAll.h - register everything quantc's tools use ---------*- C++
//-*-===//

#ifndef QUANTC_INITALL_H
#define QUANTC_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace quantc {

/// The qc dialect plus the upstream dialects and interface extensions
/// (bufferization, LLVM conversion) the pipelines need.
void registerAllDialects(mlir::DialectRegistry &registry);

/// quantc's passes and pipelines, plus upstream's.
void registerAllPasses();

} // namespace quantc

#endif // QUANTC_INITALL_H
