//===- InitAll.cpp - register everything quantc's tools use ---------------===//

#include "quantc/InitAll.h"
#include "quantc/Codegen/Kernels.h"
#include "quantc/Codegen/Passes.h"
#include "quantc/Codegen/Pipelines.h"
#include "quantc/Conversion/Passes.h"
#include "quantc/Dialect/QC/IR/QC.h"
#include "quantc/Dialect/QC/Transforms/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"

void quantc::registerAllDialects(mlir::DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<qc::QCDialect>();
  kernels::registerBufferizationInterfaces(registry);
}

void quantc::registerAllPasses() {
  static bool once = [] {
    mlir::registerAllPasses();
    qc::registerQCPasses();
    registerQCConversionPasses();
    registerQCCodegenPasses();
    registerPipelines();
    return true;
  }();
  (void)once;
}
