//===- CheckedMath.h - overflow-checked sizes from untrusted input -*- C++ -*-//
//
// Every size, shape product and byte offset that quantc computes from a file
// it reads (ONNX initializers and graph inputs, .npy/.npz headers, zip
// records, calibration files, the sizes the C header prints) goes through
// these functions, so that a hostile value is a clear error instead of a
// wrapped count, a huge allocation or an out-of-bounds read.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTC_SUPPORT_CHECKEDMATH_H
#define QUANTC_SUPPORT_CHECKEDMATH_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace quantc {

/// The largest tensor quantc accepts, in bytes (16 GiB) and, for any element
/// type, in elements: a declared size above it is refused before anything is
/// allocated (initializers, decompressed .npz entries, graph inputs).
constexpr int64_t kMaxTensorBytes = int64_t(1) << 34;
constexpr int64_t kMaxTensorElements = kMaxTensorBytes;

/// a * b, or nullopt when either is negative or the product overflows.
std::optional<int64_t> checkedMul(int64_t a, int64_t b);

/// a + b, or nullopt when either is negative or the sum overflows.
std::optional<int64_t> checkedAdd(int64_t a, int64_t b);

/// The element count of `shape`, or nullopt when a dimension is negative
/// (dynamic) or the product overflows 63 bits.
std::optional<int64_t> checkedNumElements(llvm::ArrayRef<int64_t> shape);

/// The byte size of `shape` with `elementBytes`-byte elements, or nullopt
/// when it overflows or exceeds kMaxTensorBytes.
std::optional<int64_t> checkedByteSize(llvm::ArrayRef<int64_t> shape,
                                       int64_t elementBytes);

/// Whether the text `text` (MLIR or JSON) nests `{`, `[` and `(` more than
/// `maxDepth` levels deep, outside "strings" and // comments. Recursive
/// descent parsers (MLIR's, llvm::json's) recurse once per level: a file
/// nested 200,000 levels deep overflows their stack, so tools check first.
bool nestsDeeperThan(llvm::StringRef text, int maxDepth);

/// The nesting limit the tools apply to MLIR and JSON input.
constexpr int kMaxNestingDepth = 256;

} // namespace quantc

#endif // QUANTC_SUPPORT_CHECKEDMATH_H
