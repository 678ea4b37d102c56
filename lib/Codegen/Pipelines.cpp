//===- Pipelines.cpp - the pass pipelines the driver is made of -----------===//

#include "quantc/Codegen/Pipelines.h"
#include "quantc/Codegen/Passes.h"
#include "quantc/Conversion/Passes.h"
#include "quantc/Dialect/QC/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace quantc;

/// Parses `pipeline` (textual, nested under the module) into `pm`. The
/// strings below are the exact pipelines a user can run with quantc-opt.
static void addTextualPipeline(OpPassManager &pm, StringRef pipeline) {
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error("quantc: malformed built-in pipeline: " +
                             pipeline);
}

void quantc::buildSimplifyPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Decomposed LayerNorm / GELU become one op before calibration sees
  // their intermediates.
  pm.addNestedPass<func::FuncOp>(qc::createQCFuseFloatPatterns());
  pm.addPass(createCanonicalizerPass());
}

void quantc::buildQuantizePipeline(OpPassManager &pm,
                                   const QuantizePipelineOptions &options) {
  if (options.mode == "dynamic") {
    qc::QCDynamicQuantizeOptions dynamic;
    dynamic.perChannel = options.perChannel;
    dynamic.excludeNodes.assign(options.excludeNodes.begin(),
                                options.excludeNodes.end());
    dynamic.excludeOpTypes.assign(options.excludeOpTypes.begin(),
                                  options.excludeOpTypes.end());
    pm.addNestedPass<func::FuncOp>(qc::createQCDynamicQuantize(dynamic));
    return;
  }
  qc::QCInsertQDQOptions insert;
  insert.calibrationFile = options.calibrationFile;
  insert.perChannel = options.perChannel;
  insert.activationType = options.activationType;
  insert.symmetricActivations = options.symmetricActivations;
  insert.mode = options.mode;
  insert.int16Nodes.assign(options.int16Nodes.begin(),
                           options.int16Nodes.end());
  insert.excludeNodes.assign(options.excludeNodes.begin(),
                             options.excludeNodes.end());
  insert.excludeOpTypes.assign(options.excludeOpTypes.begin(),
                               options.excludeOpTypes.end());
  pm.addPass(qc::createQCInsertQDQ(insert));
  // No canonicalization afterwards: it would fold the dcast(qcast(x)) pairs
  // left around float-fallback ops and drop their rounding.
  pm.addNestedPass<func::FuncOp>(qc::createQCQuantize());
}

void quantc::buildLowerToLLVMPipeline(OpPassManager &pm,
                                      const LowerToLLVMOptions &options) {
  // Each step, and why it is here:
  std::string pipeline = llvm::formatv(
      // Quantized conv/fully_connected get weights packed for the
      // target's microkernels; the other qc ops become integer/float
      // linalg on tensors.
      "func.func(qc-pack-weights{{isa={3}},convert-qc-to-linalg,"
      "qc-approximate-math),canonicalize,"
      // Tensors become buffers; results become out-params written in place
      // so the caller's output buffers are used directly.
      "one-shot-bufferize{{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map},"
      "buffer-results-to-out-params{{"
      "modify-public-functions},canonicalize,qc-flatten-globals,"
      // Packed ops become microkernels, other int8 contractions vector
      // kernels; everything else loops that LLVM's loop vectorizer handles.
      "func.func(qc-lower-packed-kernels,"
      "qc-vectorize-int8-matmul{{isa={0} vector-width={1}},"
      "qc-copies-to-linalg,convert-linalg-to-loops),"
      // No malloc inside the model: temporaries live in the workspace.
      "qc-assign-workspace,"
      // One function per layer: LLVM's per-function passes are
      // super-linear in function size.
      "qc-outline-kernels,qc-emit-c-interface{{name={2}},"
      "convert-vector-to-scf,convert-scf-to-cf,expand-strided-metadata,"
      "lower-affine,finalize-memref-to-llvm,convert-vector-to-llvm,"
      "convert-math-to-llvm,convert-arith-to-llvm,convert-func-to-llvm,"
      "convert-cf-to-llvm,reconcile-unrealized-casts",
      options.isa.getValue(), options.vectorWidth.getValue(),
      options.modelName.getValue(), options.kernels.getValue());
  addTextualPipeline(pm, pipeline);
}

void quantc::registerPipelines() {
  PassPipelineRegistration<>(
      "qc-simplify", "Canonicalize and CSE a freshly imported float model",
      [](OpPassManager &pm) { buildSimplifyPipeline(pm); });
  PassPipelineRegistration<QuantizePipelineOptions>(
      "qc-quantize-pipeline",
      "Insert Q/DQ from a calibration file and quantize the ops",
      buildQuantizePipeline);
  PassPipelineRegistration<LowerToLLVMOptions>(
      "qc-lower-to-llvm",
      "Lower a qc model (float or quantized) to the LLVM dialect with the C "
      "entry points",
      buildLowerToLLVMPipeline);
}
