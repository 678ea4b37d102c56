//===- fuzz-calibration-file.cpp - libFuzzer target: calibration JSON -----===//
//
// The bytes are a calibration file (--load-calibration); when it reads, its
// ranges are recomputed with every method, as a different
// --calibration-method would, and written back.
//
//===----------------------------------------------------------------------===//

#include "FuzzUtil.h"
#include "quantc/Calibration/Calibration.h"

#include "llvm/Support/Error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = quantc::fuzz::writeScratch(data, size, ".json");
  auto table = quantc::readCalibrationFile(path);
  if (!table) {
    llvm::consumeError(table.takeError());
    return 0;
  }
  for (const char *method :
       {"minmax", "moving-average", "percentile", "entropy", "mse"}) {
    quantc::CalibrationOptions options;
    options.method = *quantc::parseCalibrationMethod(method);
    quantc::CalibrationTable copy = *table;
    llvm::consumeError(quantc::recomputeRanges(copy, options));
  }
  llvm::consumeError(quantc::writeCalibrationFile(path + ".out", *table));
  return 0;
}
