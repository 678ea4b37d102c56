//===- Pipelines.h - the pass pipelines the driver is made of ---*- C++ -*-===//
//
// The driver is only a sequence of these pipelines; each is registered in
// quantc-opt so every stage can be reproduced and tested on its own.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTC_CODEGEN_PIPELINES_H
#define QUANTC_CODEGEN_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace quantc {

/// Options of `qc-quantize-pipeline`.
struct QuantizePipelineOptions
    : public mlir::PassPipelineOptions<QuantizePipelineOptions> {
  Option<std::string> calibrationFile{
      *this, "calibration-file",
      llvm::cl::desc("Calibration JSON with the activation ranges")};
  Option<bool> perChannel{*this, "per-channel",
                          llvm::cl::desc("Per-channel weights"),
                          llvm::cl::init(true)};
  Option<std::string> activationType{
      *this, "activation-type",
      llvm::cl::desc("Activation storage: int8 or uint8"),
      llvm::cl::init("int8")};
  Option<bool> symmetricActivations{
      *this, "symmetric-activations",
      llvm::cl::desc("Symmetric activation quantization"),
      llvm::cl::init(false)};
  Option<std::string> mode{*this, "mode",
                           llvm::cl::desc("static, dynamic or weight-only"),
                           llvm::cl::init("static")};
  ListOption<std::string> int16Nodes{
      *this, "int16-nodes",
      llvm::cl::desc("Nodes with int16 activations (16x8)")};
  ListOption<std::string> excludeNodes{*this, "exclude-nodes",
                                       llvm::cl::desc("Nodes kept in float")};
  ListOption<std::string> excludeOpTypes{
      *this, "exclude-op-types",
      llvm::cl::desc("Operator types kept in float")};
};

/// Options of `qc-lower-to-llvm`.
struct LowerToLLVMOptions
    : public mlir::PassPipelineOptions<LowerToLLVMOptions> {
  Option<std::string> modelName{
      *this, "name", llvm::cl::desc("C symbol prefix of the entry points"),
      llvm::cl::init("model")};
  Option<int64_t> vectorWidth{*this, "vector-width",
                              llvm::cl::desc("Bytes of k per vector step"),
                              llvm::cl::init(16)};
  Option<std::string> isa{
      *this, "isa",
      llvm::cl::desc("Inner product instructions: avx2 or generic"),
      llvm::cl::init("generic")};
  Option<std::string> kernels{
      *this, "kernels",
      llvm::cl::desc("Microkernels of quantized conv/fully_connected "
                     "(qc-pack-weights): avx512vnni, avxvnni, avx2 or none"),
      llvm::cl::init("none")};
};

/// Float clean-up after import: canonicalization (bias and activation
/// fusion) and CSE.
void buildSimplifyPipeline(mlir::OpPassManager &pm);

/// Q/DQ insertion from a calibration file, then quantization of the ops.
void buildQuantizePipeline(mlir::OpPassManager &pm,
                           const QuantizePipelineOptions &options);

/// qc (float or quantized) -> linalg -> bufferized -> vector kernels ->
/// workspace -> C interface -> LLVM dialect.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              const LowerToLLVMOptions &options);

/// Registers the pipelines above with the pass registry.
void registerPipelines();

} // namespace quantc

#endif // QUANTC_CODEGEN_PIPELINES_H
