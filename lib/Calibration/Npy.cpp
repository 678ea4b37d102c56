//===- Npy.cpp - a reader for NumPy .npy arrays ---------------------------===//
//
// Format: magic "\x93NUMPY", version, header length, then a Python dict
// literal with 'descr', 'fortran_order' and 'shape', then the raw data.
//
//===----------------------------------------------------------------------===//

#include "quantc/Calibration/Calibration.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>

using namespace quantc;

static llvm::Error npyError(llvm::StringRef path, const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "'" + path +
                                     "' is not a usable .npy file: " + what);
}

/// The text after `'key':` in the header dict, trimmed.
static llvm::StringRef headerValue(llvm::StringRef header,
                                   llvm::StringRef key) {
  size_t pos = header.find(("'" + key + "'").str());
  if (pos == llvm::StringRef::npos)
    return {};
  llvm::StringRef rest = header.drop_front(pos + key.size() + 2).ltrim();
  if (!rest.consume_front(":"))
    return {};
  return rest.ltrim();
}

llvm::Expected<NpyArray> quantc::readNpy(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(), "cannot read '%s'",
                                   path.str().c_str());
  llvm::StringRef bytes = (*buffer)->getBuffer();
  if (!bytes.starts_with("\x93NUMPY") || bytes.size() < 10)
    return npyError(path, "missing the \\x93NUMPY magic");
  uint8_t major = bytes[6];
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(path, "truncated header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= size_t(uint8_t(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    return npyError(path, "unknown format version " + llvm::Twine(major));
  }
  if (bytes.size() < offset + headerLen)
    return npyError(path, "truncated header");
  llvm::StringRef header = bytes.substr(offset, headerLen);

  llvm::StringRef descr = headerValue(header, "descr");
  size_t elementSize;
  bool isDouble;
  if (descr.starts_with("'<f4'") || descr.starts_with("'=f4'")) {
    elementSize = 4;
    isDouble = false;
  } else if (descr.starts_with("'<f8'") || descr.starts_with("'=f8'")) {
    elementSize = 8;
    isDouble = true;
  } else {
    return npyError(path, "element type " + descr.take_until([](char c) {
      return c == ',';
    }) + " is not float32 or float64");
  }
  if (!headerValue(header, "fortran_order").starts_with("False"))
    return npyError(path, "Fortran-ordered arrays are not supported");
  llvm::StringRef shapeText = headerValue(header, "shape");
  if (!shapeText.consume_front("("))
    return npyError(path, "cannot parse the shape");
  shapeText = shapeText.take_until([](char c) { return c == ')'; });
  NpyArray array;
  llvm::SmallVector<llvm::StringRef> dims;
  shapeText.split(dims, ',', -1, /*KeepEmpty=*/false);
  size_t count = 1;
  for (llvm::StringRef d : dims) {
    int64_t v;
    if (d.trim().getAsInteger(10, v) || v < 0)
      return npyError(path, "bad dimension '" + d.trim() + "'");
    array.shape.push_back(v);
    count *= size_t(v);
  }
  size_t dataOffset = offset + headerLen;
  if (bytes.size() - dataOffset < count * elementSize)
    return npyError(path, "expected " + llvm::Twine(count) +
                              " elements but the file is too short");
  array.data.resize(count);
  const char *data = bytes.data() + dataOffset;
  for (size_t i = 0; i < count; ++i) {
    if (isDouble) {
      double v;
      std::memcpy(&v, data + 8 * i, 8);
      array.data[i] = static_cast<float>(v);
    } else {
      std::memcpy(&array.data[i], data + 4 * i, 4);
    }
  }
  return array;
}
