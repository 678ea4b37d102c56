//===- CheckedMath.cpp - overflow-checked sizes from untrusted input ------===//

#include "quantc/Support/CheckedMath.h"

#include "llvm/Support/MathExtras.h"

using namespace quantc;

std::optional<int64_t> quantc::checkedMul(int64_t a, int64_t b) {
  int64_t r;
  if (a < 0 || b < 0 || llvm::MulOverflow(a, b, r))
    return std::nullopt;
  return r;
}

std::optional<int64_t> quantc::checkedAdd(int64_t a, int64_t b) {
  int64_t r;
  if (a < 0 || b < 0 || llvm::AddOverflow(a, b, r))
    return std::nullopt;
  return r;
}

std::optional<int64_t>
quantc::checkedNumElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    std::optional<int64_t> next = checkedMul(n, d);
    if (!next)
      return std::nullopt;
    n = *next;
  }
  return n;
}

std::optional<int64_t> quantc::checkedByteSize(llvm::ArrayRef<int64_t> shape,
                                               int64_t elementBytes) {
  std::optional<int64_t> n = checkedNumElements(shape);
  std::optional<int64_t> bytes = n ? checkedMul(*n, elementBytes) : n;
  if (!bytes || *bytes > kMaxTensorBytes)
    return std::nullopt;
  return bytes;
}

bool quantc::nestsDeeperThan(llvm::StringRef text, int maxDepth) {
  int depth = 0;
  for (size_t i = 0, e = text.size(); i < e; ++i) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < e && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
    } else if (c == '/' && i + 1 < e && text[i + 1] == '/') {
      while (i < e && text[i] != '\n')
        ++i;
    } else if (c == '{' || c == '[' || c == '(') {
      if (++depth > maxDepth)
        return true;
    } else if (c == '}' || c == ']' || c == ')') {
      --depth;
    }
  }
  return false;
}
