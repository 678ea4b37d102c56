//===- KernelTargets.cpp - one description per microkernel ISA ------------===//
//
// Adding an instruction set is adding an entry here and its multiply-
// accumulate step in LowerPackedKernels.cpp.
//
//===----------------------------------------------------------------------===//

#include "quantc/Codegen/Kernels.h"
#include "quantc/Dialect/QC/IR/QC.h"

#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"

using namespace mlir;
using namespace quantc;

std::optional<kernels::KernelTarget>
kernels::getKernelTarget(llvm::StringRef isa) {
  // AVX-512 VNNI: 6 rows x 64 channels = 24 zmm accumulators, 4 weight
  // vectors and one broadcast (oneDNN's and XNNPACK's tile).
  if (isa == "avx512vnni")
    return KernelTarget{"avx512vnni", 16, 4, 4, 24, 8, true, 8};
  // AVX-VNNI: 16 ymm registers: 6 rows x 16 channels = 12 accumulators.
  if (isa == "avxvnni")
    return KernelTarget{"avxvnni", 8, 4, 2, 12, 6, true, 8};
  // AVX2: exact int16 products with `vpmaddwd` on weights widened at
  // compile time; same tile as AVX-VNNI.
  if (isa == "avx2")
    return KernelTarget{"avx2", 8, 2, 2, 12, 6, false, 16};
  return std::nullopt;
}

namespace {

/// Destination-style: the init is written, never read; every other
/// operand is read.
struct PackedConvBufferization
    : bufferization::DstBufferizableOpInterfaceExternalModel<
          PackedConvBufferization, qc::PackedConv2DOp> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const bufferization::AnalysisState &) const {
    return !cast<DestinationStyleOpInterface>(op).isDpsInit(&operand);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const bufferization::BufferizationOptions &options,
                          bufferization::BufferizationState &state) const {
    SmallVector<Value> buffers;
    for (Value v : op->getOperands()) {
      FailureOr<Value> buffer =
          bufferization::getBuffer(rewriter, v, options, state);
      if (failed(buffer))
        return failure();
      buffers.push_back(*buffer);
    }
    rewriter.setInsertionPoint(op);
    OperationState result(op->getLoc(), op->getName());
    result.addOperands(buffers);
    result.addAttributes(op->getAttrs());
    rewriter.create(result);
    bufferization::replaceOpWithBufferizedValues(rewriter, op,
                                                 buffers.back());
    return success();
  }
};

} // namespace

void kernels::registerBufferizationInterfaces(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, qc::QCDialect *) {
    qc::PackedConv2DOp::attachInterface<PackedConvBufferization>(*ctx);
  });
}
