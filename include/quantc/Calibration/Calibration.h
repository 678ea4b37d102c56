//===- Calibration.h - calibration data, ranges and files -------*- C++ -*-===//

#ifndef QUANTC_CALIBRATION_CALIBRATION_H
#define QUANTC_CALIBRATION_CALIBRATION_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace quantc {

/// The observed range of one tensor.
struct TensorRange {
  double min = 0;
  double max = 0;
};

/// The content of a calibration file (docs/quantization.md).
struct CalibrationTable {
  std::string method = "minmax";
  int64_t numSamples = 0;
  /// Tensor names in first-seen order, for stable output.
  std::vector<std::string> order;
  llvm::StringMap<TensorRange> ranges;

  void set(llvm::StringRef name, TensorRange range);
};

llvm::Expected<CalibrationTable> readCalibrationFile(llvm::StringRef path);
llvm::Error writeCalibrationFile(llvm::StringRef path,
                                 const CalibrationTable &table);

/// A dense float32 array read from a .npy file.
struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

/// Reads a little-endian, C-ordered .npy file of float32 or float64.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// Runs the float model in `module` (qc dialect, not yet instrumented) on
/// every sample of `samples` and returns min/max ranges of all its named
/// activations. The model is instrumented, lowered and JIT-compiled for the
/// host. Samples with NaN/Inf are reported on stderr by index and skipped.
llvm::Expected<CalibrationTable> calibrateMinMax(mlir::ModuleOp module,
                                                 const NpyArray &samples);

} // namespace quantc

#endif // QUANTC_CALIBRATION_CALIBRATION_H
