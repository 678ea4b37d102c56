//===- fuzz-npy.cpp - libFuzzer target: the .npy/.npz reader --------------===//
//
// The bytes are a .npy (or, starting with "PK", a .npz) file of calibration
// data for a model with one float input of shape [1, 4] (or two inputs x,
// y when the input is a .npz); every sample it claims to hold is read.
//
//===----------------------------------------------------------------------===//

#include "FuzzUtil.h"
#include "quantc/Calibration/Calibration.h"

#include "llvm/Support/Error.h"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bool zip = size >= 2 && data[0] == 'P' && data[1] == 'K';
  std::string path =
      quantc::fuzz::writeScratch(data, size, zip ? ".npz" : ".npy");
  std::vector<quantc::CalibrationInput> inputs = {
      {"x", {1, 4}, quantc::CalibrationInput::Kind::F32}};
  if (zip)
    inputs.push_back({"y", {2}, quantc::CalibrationInput::Kind::I32});
  auto opened = quantc::openCalibrationData(path, inputs);
  if (!opened) {
    llvm::consumeError(opened.takeError());
    return 0;
  }
  std::vector<int64_t> x(4), y(2);
  std::vector<void *> buffers = {x.data(), y.data()};
  buffers.resize(inputs.size());
  int64_t n = std::min<int64_t>((*opened)->size(), 64);
  for (int64_t i = 0; i < n; ++i)
    llvm::consumeError((*opened)->read(i, buffers));
  return 0;
}
