//===- Kernels.h - the kernel layer: targets and packed layouts -*- C++ -*-===//
//
// One description per instruction set of the int8 microkernels, shared by
// the pass that packs the weights (qc-pack-weights) and the one that writes
// the loops reading them (qc-lower-packed-kernels), so that the packed
// order exists in one place. docs/design.md, "Kernel layer", explains the
// choices.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTC_CODEGEN_KERNELS_H
#define QUANTC_CODEGEN_KERNELS_H

#include "mlir/IR/DialectRegistry.h"
#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace quantc::kernels {

/// What one instruction set's GEMM microkernel looks like.
struct KernelTarget {
  /// The name used in `isa` attributes and pass options.
  llvm::StringRef isa;
  /// int32 lanes of one accumulator vector (16: zmm, 8: ymm).
  int64_t lanes;
  /// K elements one dot-product step consumes per lane: 4 bytes for
  /// `vpdpbusd`, 2 int16 values for `vpmaddwd`.
  int64_t kGroup;
  /// Accumulator vectors per row in a full channel block.
  int64_t maxVectors;
  /// Accumulator registers the tile may use, and the most rows.
  int64_t accumulatorBudget, maxRows;
  /// `vpdpbusd` multiplies unsigned activations: they are shifted by +128.
  bool unsignedActivations;
  /// Width of a packed weight (and padded activation) element.
  unsigned elementBits;

  int64_t blockWidth() const { return lanes * maxVectors; }
  /// Rows of the register tile for a block of `vectors` accumulators.
  int64_t rowsFor(int64_t vectors) const {
    return std::max<int64_t>(
        1, std::min(maxRows, accumulatorBudget / std::max<int64_t>(1, vectors)));
  }
};

/// The microkernel description of `isa` (avx512vnni, avxvnni, avx2).
std::optional<KernelTarget> getKernelTarget(llvm::StringRef isa);

inline int64_t roundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

/// How `f` output channels split into blocks: `full` blocks of
/// `blockWidth()` channels, then one tail block of `tailWidth` channels
/// (whole vectors, 0 when there is none) that holds the `tailChannels`
/// remaining real channels.
struct ChannelBlocks {
  int64_t full, fullWidth, tailWidth, tailChannels;
  /// Length of the padded per-channel arrays (bias, multiplier, shift).
  int64_t padded() const { return full * fullWidth + tailWidth; }
};
inline ChannelBlocks channelBlocks(const KernelTarget &t, int64_t f) {
  ChannelBlocks b;
  b.fullWidth = t.blockWidth();
  b.full = f / b.fullWidth;
  b.tailChannels = f - b.full * b.fullWidth;
  b.tailWidth = roundUp(b.tailChannels, t.lanes);
  return b;
}

/// Input channels padded to whole K groups.
inline int64_t paddedChannels(const KernelTarget &t, int64_t c) {
  return roundUp(c, t.kGroup);
}

/// Vector width (int32 lanes) of the depthwise kernel.
inline int64_t depthwiseLanes(const KernelTarget &t) { return t.lanes; }

/// Attaches the bufferization model of qc.packed_conv2d.
void registerBufferizationInterfaces(mlir::DialectRegistry &registry);

} // namespace quantc::kernels

#endif // QUANTC_CODEGEN_KERNELS_H
