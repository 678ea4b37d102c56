//===- Calibration.h - calibration data, ranges and files -------*- C++ -*-===//
//
// Calibration runs the float model on representative samples, streams every
// named activation into fixed-size statistics (exact min/max, a moving
// average of per-sample min/max, and a histogram) and chooses one range per
// tensor with a method (docs/quantization.md, "Calibration ranges").
//
//===----------------------------------------------------------------------===//

#ifndef QUANTC_CALIBRATION_CALIBRATION_H
#define QUANTC_CALIBRATION_CALIBRATION_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace quantc {

enum class CalibrationMethod {
  MinMax,
  MovingAverage,
  Percentile,
  Entropy,
  MSE
};

/// "minmax", "moving-average", "percentile", "entropy" or "mse".
std::optional<CalibrationMethod> parseCalibrationMethod(llvm::StringRef name);
llvm::StringRef calibrationMethodName(CalibrationMethod method);

struct CalibrationOptions {
  CalibrationMethod method = CalibrationMethod::MinMax;
  /// c in min += c * (sample_min - min) (moving-average).
  double movingAverageConstant = 0.01;
  /// P: the range is the [(100-P)th, Pth] percentile (percentile).
  double percentile = 99.99;
  /// Reject samples with NaN/Inf instead of skipping them.
  bool strict = false;
  /// Draw a progress bar on stderr (only when it is a terminal).
  bool progress = true;
};

/// A histogram of fixed size with 0 as a bin edge: kBins bins of width
/// positiveWidth cover [0, kBins * positiveWidth] and kBins bins of width
/// negativeWidth cover [-kBins * negativeWidth, 0). Both widths are the same
/// base width times a power of two; a side whose range is exceeded doubles
/// its width by merging adjacent bins, so counts stay exact for the final
/// bins and memory does not depend on the number of values.
struct Histogram {
  static constexpr int kBins = 2048;
  /// 0 until a non-zero value was seen (zeros are counted in positive[0]).
  double positiveWidth = 0;
  double negativeWidth = 0;
  /// positive[i] counts [i * w, (i + 1) * w) (the last bin is closed);
  /// negative[i] counts (-(i + 1) * w, -i * w], by increasing magnitude.
  std::array<uint64_t, kBins> positive{};
  std::array<uint64_t, kBins> negative{};

  /// Adds finite values whose extremes are sampleMin/sampleMax.
  void add(const float *values, size_t count, float sampleMin, float sampleMax);
  /// The |x| histogram: kBins bins of width max(positiveWidth,
  /// negativeWidth), negative bins folded onto the positive ones.
  std::vector<double> folded(double &width) const;
};

/// Everything calibration records for one tensor.
struct TensorStatistics {
  /// Exact extremes over all finite values; min > max when none was seen.
  double min = INFINITY;
  double max = -INFINITY;
  uint64_t count = 0;
  /// Moving average of the per-sample min/max (first sample initialises).
  bool hasMovingAverage = false;
  double movingMin = 0, movingMax = 0;
  Histogram histogram;

  /// Adds one sample's values of this tensor (non-finite values are
  /// ignored), with the moving-average constant c.
  void addSample(const float *values, size_t count, double c);
};

/// The observed range of one tensor.
struct TensorRange {
  double min = 0;
  double max = 0;
};

/// The content of a calibration file (docs/quantization.md).
struct CalibrationTable {
  std::string method = "minmax";
  int64_t numSamples = 0;
  /// The parameters the ranges were chosen with.
  double percentile = 99.99;
  double movingAverageConstant = 0.01;
  /// Tensor names in first-seen order, for stable output.
  std::vector<std::string> order;
  /// The chosen ranges (what quantization uses).
  llvm::StringMap<TensorRange> ranges;
  /// Statistics per tensor; empty for files written without them.
  llvm::StringMap<TensorStatistics> stats;

  void set(llvm::StringRef name, TensorRange range);
};

/// The range `options.method` chooses from `stats` (clipped to the exact
/// observed range; {0, 0} when no finite value was seen).
llvm::Expected<TensorRange> chooseRange(const TensorStatistics &stats,
                                        const CalibrationOptions &options);

/// Recomputes every range of `table` from its statistics with `options`
/// and records the method and its parameters.
llvm::Error recomputeRanges(CalibrationTable &table,
                            const CalibrationOptions &options);

llvm::Expected<CalibrationTable> readCalibrationFile(llvm::StringRef path);
llvm::Error writeCalibrationFile(llvm::StringRef path,
                                 const CalibrationTable &table);

/// A model input that calibration data must provide.
struct CalibrationInput {
  enum class Kind { F32, I32, I64 };
  std::string name;
  std::vector<int64_t> shape;
  Kind kind = Kind::F32;
};

/// Calibration samples read one at a time from a .npy file, a .npz file or
/// a directory of .npy/.npz files (one sample per file), validated against
/// the model inputs. Files are memory-mapped; only one sample is converted
/// at a time, so memory does not grow with the number of samples.
class CalibrationData {
public:
  virtual ~CalibrationData();
  virtual int64_t size() const = 0;
  /// Converts sample `index` into one buffer per input (the input's element
  /// type and number of elements).
  virtual llvm::Error read(int64_t index,
                           llvm::ArrayRef<void *> buffers) const = 0;
};

llvm::Expected<std::unique_ptr<CalibrationData>>
openCalibrationData(llvm::StringRef path,
                    llvm::ArrayRef<CalibrationInput> inputs);

/// Runs the float model in `module` (qc dialect, not yet instrumented) on
/// every sample of the calibration data at `dataPath` and returns the
/// statistics and chosen ranges of all its named activations. The model is
/// instrumented, lowered and JIT-compiled for the host. Samples with NaN/Inf
/// inputs are reported on stderr by index and skipped (an error under
/// options.strict).
llvm::Expected<CalibrationTable> calibrate(mlir::ModuleOp module,
                                           llvm::StringRef dataPath,
                                           const CalibrationOptions &options);

} // namespace quantc

#endif // QUANTC_CALIBRATION_CALIBRATION_H
