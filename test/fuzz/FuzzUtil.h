//===- FuzzUtil.h - shared helpers of the libFuzzer targets -----*- C++ -*-===//

#ifndef QUANTC_TEST_FUZZ_FUZZUTIL_H
#define QUANTC_TEST_FUZZ_FUZZUTIL_H

#include "llvm/Support/raw_ostream.h"

#include "quantc/Support/SanitizerDefaults.h"
#include <cstdint>
#include <string>
#include <unistd.h>

namespace quantc::fuzz {

/// Writes `data` to a per-process scratch file named `stem.ext` and returns
/// its path: the readers under test take paths (they memory-map files).
inline std::string writeScratch(const uint8_t *data, size_t size,
                                const char *ext) {
  std::string path = "/tmp/quantc-fuzz-" + std::to_string(::getpid()) + ext;
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (!ec)
    os.write(reinterpret_cast<const char *>(data), size);
  return path;
}

} // namespace quantc::fuzz

#endif // QUANTC_TEST_FUZZ_FUZZUTIL_H
