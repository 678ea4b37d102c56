//===- Npy.cpp - calibration samples from .npy/.npz files -----------------===//
//
// .npy: magic "\x93NUMPY", version, header length, then a Python dict
// literal with 'descr', 'fortran_order' and 'shape', then the raw data.
// .npz: a zip archive of .npy files, one per array (np.savez; entries are
// stored, np.savez_compressed deflates them).
//
// Files are memory-mapped (llvm::MemoryBuffer) and converted one sample at a
// time into the model's input buffers.
//
//===----------------------------------------------------------------------===//

#include "quantc/Calibration/Calibration.h"
#include "quantc/Support/CheckedMath.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <sys/mman.h>

#include <cstring>
#include <zlib.h>

using namespace quantc;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

static Error dataError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "(";
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? ", " : "") + std::to_string(d);
  return s + (shape.size() == 1 ? ",)" : ")");
}

static StringRef kindName(CalibrationInput::Kind kind) {
  switch (kind) {
  case CalibrationInput::Kind::F32:
    return "float32";
  case CalibrationInput::Kind::I32:
    return "int32";
  case CalibrationInput::Kind::I64:
    return "int64";
  }
  llvm_unreachable("unknown kind");
}

/// The element count of a shape already checked by parseNpy or the model.
static int64_t numElements(llvm::ArrayRef<int64_t> shape) {
  return checkedNumElements(shape).value_or(0);
}

namespace {

/// One array inside a mapped file (or inflated into `owned`).
struct NpyView {
  std::string label; // file, or file:entry for .npz members
  char kind = 0;     // 'f' or 'i' (numpy kind) after validation
  int elementSize = 0;
  std::string descr;
  std::vector<int64_t> shape;
  const char *data = nullptr;
  std::shared_ptr<std::vector<char>> owned; // inflated .npz entries

  int64_t count() const { return numElements(shape); }
};

/// The text after `'key':` in the header dict, trimmed.
StringRef headerValue(StringRef header, StringRef key) {
  size_t pos = header.find(("'" + key + "'").str());
  if (pos == StringRef::npos)
    return {};
  StringRef rest = header.drop_front(pos + key.size() + 2).ltrim();
  if (!rest.consume_front(":"))
    return {};
  return rest.ltrim();
}

Expected<NpyView> parseNpy(StringRef bytes, const std::string &label) {
  auto bad = [&](const llvm::Twine &what) {
    return dataError("'" + label + "' is not a usable .npy array: " + what);
  };
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return bad("missing the \\x93NUMPY magic");
  uint8_t major = bytes[6];
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return bad("truncated header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= size_t(uint8_t(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    return bad("unknown format version " + llvm::Twine(unsigned(major)));
  }
  if (bytes.size() < offset + headerLen)
    return bad("truncated header");
  StringRef header = bytes.substr(offset, headerLen);

  NpyView view;
  view.label = label;
  StringRef descr = headerValue(header, "descr");
  if (!descr.consume_front("'"))
    return bad("cannot parse the dtype");
  descr = descr.take_until([](char c) { return c == '\''; });
  view.descr = descr.str();
  // '|' marks single-byte types; '<' little endian; '=' native (x86/ARM64
  // hosts are little endian).
  char order = descr.empty() ? 0 : descr[0];
  if (descr.size() < 3 || (order != '<' && order != '=' && order != '|'))
    return bad("dtype '" + descr + "' is not a little-endian numeric type");
  view.kind = descr[1];
  if (descr.drop_front(2).getAsInteger(10, view.elementSize))
    return bad("cannot parse the dtype '" + descr + "'");
  if (!headerValue(header, "fortran_order").starts_with("False"))
    return bad("Fortran-ordered arrays are not supported");
  StringRef shapeText = headerValue(header, "shape");
  if (!shapeText.consume_front("("))
    return bad("cannot parse the shape");
  shapeText = shapeText.take_until([](char c) { return c == ')'; });
  llvm::SmallVector<StringRef> dims;
  shapeText.split(dims, ',', -1, /*KeepEmpty=*/false);
  for (StringRef d : dims) {
    int64_t v;
    if (d.trim().getAsInteger(10, v) || v < 0)
      return bad("bad dimension '" + d.trim() + "'");
    view.shape.push_back(v);
  }
  if (view.elementSize < 1 || view.elementSize > 16)
    return bad("dtype '" + descr + "' has an unsupported element size");
  std::optional<int64_t> dataBytes =
      checkedByteSize(view.shape, view.elementSize);
  if (!dataBytes)
    return bad("shape " + shapeString(view.shape) +
               " is too large (its byte size overflows or exceeds " +
               llvm::Twine(kMaxTensorBytes) + " bytes)");
  size_t dataOffset = offset + headerLen;
  if (bytes.size() - dataOffset < uint64_t(*dataBytes))
    return bad("expected " + llvm::Twine(view.count()) +
               " elements but the data is too short");
  view.data = bytes.data() + dataOffset;
  return view;
}

/// The dtypes accepted for an input of kind `kind`.
bool acceptsDtype(const NpyView &v, CalibrationInput::Kind kind) {
  if (kind == CalibrationInput::Kind::F32)
    return v.kind == 'f' &&
           (v.elementSize == 2 || v.elementSize == 4 || v.elementSize == 8);
  return v.kind == 'i' && (v.elementSize == 4 || v.elementSize == 8);
}

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float f;
  if (exp == 0) {
    f = std::ldexp(float(mant), -24); // zero or subnormal
    return sign ? -f : f;
  }
  uint32_t bits = exp == 31 ? sign | 0x7f800000 | (mant << 13)
                            : sign | ((exp + 112) << 23) | (mant << 13);
  std::memcpy(&f, &bits, 4);
  return f;
}

/// Converts `n` elements starting at element `first` of `v` into `dst` of
/// kind `kind`.
Error convert(const NpyView &v, int64_t first, int64_t n,
              const CalibrationInput &input, void *dst) {
  const char *src = v.data + first * v.elementSize;
  if (input.kind == CalibrationInput::Kind::F32) {
    float *out = static_cast<float *>(dst);
    for (int64_t i = 0; i < n; ++i) {
      if (v.elementSize == 4) {
        std::memcpy(&out[i], src + 4 * i, 4);
      } else if (v.elementSize == 8) {
        double d;
        std::memcpy(&d, src + 8 * i, 8);
        out[i] = float(d);
      } else {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        out[i] = halfToFloat(h);
      }
    }
    return Error::success();
  }
  for (int64_t i = 0; i < n; ++i) {
    int64_t value;
    if (v.elementSize == 4) {
      int32_t x;
      std::memcpy(&x, src + 4 * i, 4);
      value = x;
    } else {
      std::memcpy(&value, src + 8 * i, 8);
    }
    if (input.kind == CalibrationInput::Kind::I64) {
      static_cast<int64_t *>(dst)[i] = value;
    } else {
      if (value < INT32_MIN || value > INT32_MAX)
        return dataError("'" + v.label + "': element " +
                         llvm::Twine(first + i) + " (" + llvm::Twine(value) +
                         ") of input '" + input.name +
                         "' does not fit the model's int32");
      static_cast<int32_t *>(dst)[i] = int32_t(value);
    }
  }
  return Error::success();
}

Error checkDtype(const NpyView &v, const CalibrationInput &input) {
  if (acceptsDtype(v, input.kind))
    return Error::success();
  return dataError("'" + v.label + "': input '" + input.name + "' is " +
                   kindName(input.kind) + " in the model; expected dtype " +
                   (input.kind == CalibrationInput::Kind::F32
                        ? "float32, float64 or float16"
                        : "int32 or int64") +
                   ", got '" + v.descr + "'");
}

/// Whether `shape` is one sample of `input` (the input shape or, for a
/// batch-1 input, the shape without the batch dimension).
bool isSampleShape(llvm::ArrayRef<int64_t> shape,
                   llvm::ArrayRef<int64_t> input) {
  return shape == input ||
         (!input.empty() && input[0] == 1 && shape == input.drop_front());
}

std::string expectedShapes(const CalibrationInput &input, bool stacked) {
  llvm::ArrayRef<int64_t> s = input.shape;
  std::string prefix = stacked ? "N, " : "";
  auto fmt = [&](llvm::ArrayRef<int64_t> dims) {
    std::string inner = shapeString(dims);
    if (!stacked)
      return inner;
    inner = inner.substr(1, inner.size() - 2);
    if (!inner.empty() && inner.back() == ',')
      inner.pop_back();
    return "(N" + (inner.empty() ? std::string() : ", " + inner) + ")";
  };
  std::string result = fmt(s);
  if (!s.empty() && s[0] == 1)
    result += " or " + fmt(s.drop_front());
  return result;
}

/// A mapped file that knows its zip members (for .npz).
struct ZipEntry {
  std::string name;
  uint16_t method;
  StringRef compressed;
  uint64_t size;
};

uint64_t le(const char *p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= uint64_t(uint8_t(p[i])) << (8 * i);
  return v;
}

Expected<std::vector<ZipEntry>> listZip(StringRef bytes, StringRef path) {
  auto bad = [&](const llvm::Twine &what) {
    return dataError("'" + path + "' is not a usable .npz file: " + what);
  };
  // End of central directory: 22 bytes + comment, searched from the end.
  if (bytes.size() < 22)
    return bad("too short for a zip archive");
  size_t eocd = StringRef::npos;
  for (size_t i = bytes.size() - 22;; --i) {
    if (le(bytes.data() + i, 4) == 0x06054b50) {
      eocd = i;
      break;
    }
    if (i == 0 || bytes.size() - i > 22 + 65535)
      break;
  }
  if (eocd == StringRef::npos)
    return bad("no zip end-of-central-directory record");
  const char *e = bytes.data() + eocd;
  uint64_t entries = le(e + 10, 2), cdSize = le(e + 12, 4),
           cdOffset = le(e + 16, 4);
  if (entries == 0xffff || cdOffset == 0xffffffff || cdSize == 0xffffffff) {
    // Zip64: the locator sits right before the record.
    if (eocd < 20 || le(e - 20, 4) != 0x07064b50)
      return bad("missing the zip64 locator");
    uint64_t z = le(e - 20 + 8, 8);
    if (z > bytes.size() || bytes.size() - z < 56 ||
        le(bytes.data() + z, 4) != 0x06064b50)
      return bad("bad zip64 end-of-central-directory record");
    entries = le(bytes.data() + z + 32, 8);
    cdSize = le(bytes.data() + z + 40, 8);
    cdOffset = le(bytes.data() + z + 48, 8);
  }
  if (cdOffset > bytes.size() || cdSize > bytes.size() - cdOffset)
    return bad("the central directory lies outside the file");
  std::vector<ZipEntry> result;
  size_t p = cdOffset;
  for (uint64_t n = 0; n < entries; ++n) {
    if (bytes.size() - p < 46 || le(bytes.data() + p, 4) != 0x02014b50)
      return bad("corrupt central directory");
    const char *c = bytes.data() + p;
    uint16_t method = le(c + 10, 2);
    uint64_t csize = le(c + 20, 4), usize = le(c + 24, 4);
    uint64_t nameLen = le(c + 28, 2), extraLen = le(c + 30, 2),
             commentLen = le(c + 32, 2), local = le(c + 42, 4);
    if (bytes.size() - p - 46 < nameLen + extraLen + commentLen)
      return bad("corrupt central directory");
    std::string name(c + 46, nameLen);
    // Zip64 extra field: the 0xffffffff fields, in order usize, csize,
    // local offset.
    const char *x = c + 46 + nameLen, *xe = x + extraLen;
    while (x + 4 <= xe) {
      uint16_t id = le(x, 2), len = le(x + 2, 2);
      if (id == 1) {
        const char *f = x + 4;
        if (usize == 0xffffffff && f + 8 <= x + 4 + len)
          usize = le(f, 8), f += 8;
        if (csize == 0xffffffff && f + 8 <= x + 4 + len)
          csize = le(f, 8), f += 8;
        if (local == 0xffffffff && f + 8 <= x + 4 + len)
          local = le(f, 8);
      }
      x += 4 + len;
    }
    p += 46 + nameLen + extraLen + commentLen;
    if (local > bytes.size() || bytes.size() - local < 30 ||
        le(bytes.data() + local, 4) != 0x04034b50)
      return bad("corrupt local header of '" + name + "'");
    uint64_t start = local + 30 + le(bytes.data() + local + 26, 2) +
                     le(bytes.data() + local + 28, 2);
    if (start > bytes.size() || csize > bytes.size() - start)
      return bad("entry '" + name + "' lies outside the file");
    if (method != 0 && method != 8)
      return bad("entry '" + name + "' uses zip compression method " +
                 llvm::Twine(method) + " (only stored and deflated)");
    result.push_back({name, method, bytes.substr(start, csize), usize});
  }
  return result;
}

/// The .npy array in a zip entry (inflated into memory when deflated).
Expected<NpyView> openEntry(const ZipEntry &entry, StringRef path) {
  std::string label = (path + ":" + entry.name).str();
  if (entry.method == 0)
    return parseNpy(entry.compressed, label);
  // Deflate expands at most ~1032:1; a larger declared size (or one above
  // the tensor cap) is refused before anything is allocated.
  uint64_t limit = std::min<uint64_t>(
      kMaxTensorBytes, 1032 * uint64_t(entry.compressed.size()) + 1024);
  if (entry.size > limit)
    return dataError(
        "'" + label + "': the entry declares " + llvm::Twine(entry.size) +
        " uncompressed bytes, more than " +
        llvm::Twine(entry.compressed.size()) +
        " deflated bytes can hold (limit " + llvm::Twine(limit) + ")");
  auto owned = std::make_shared<std::vector<char>>(entry.size);
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
    return dataError("'" + label + "': cannot initialise zlib");
  zs.next_in =
      reinterpret_cast<Bytef *>(const_cast<char *>(entry.compressed.data()));
  zs.avail_in = entry.compressed.size();
  zs.next_out = reinterpret_cast<Bytef *>(owned->data());
  zs.avail_out = owned->size();
  int rc = inflate(&zs, Z_FINISH);
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || zs.total_out != entry.size)
    return dataError("'" + label + "': corrupt deflated data");
  auto view = parseNpy(StringRef(owned->data(), owned->size()), label);
  if (view)
    view->owned = owned;
  return view;
}

/// The array for each input from a .npz's entries: by input name (entry
/// NAME.npy); a single-input model accepts any single array.
Expected<std::vector<NpyView>>
arraysForInputs(const std::vector<ZipEntry> &entries, StringRef path,
                llvm::ArrayRef<CalibrationInput> inputs) {
  std::vector<NpyView> views;
  for (const CalibrationInput &input : inputs) {
    const ZipEntry *found = nullptr;
    for (const ZipEntry &e : entries)
      if (e.name == input.name + ".npy" || e.name == input.name)
        found = &e;
    if (!found && inputs.size() == 1 && entries.size() == 1)
      found = &entries.front();
    if (!found) {
      std::string keys;
      for (const ZipEntry &e : entries)
        keys += (keys.empty() ? "" : ", ") +
                StringRef(e.name)
                    .drop_back(4 * StringRef(e.name).ends_with(".npy"))
                    .str();
      return dataError("'" + path + "' has no array for model input '" +
                       input.name + "' (it holds: " + keys + ")");
    }
    auto view = openEntry(*found, path);
    if (!view)
      return view.takeError();
    if (Error err = checkDtype(*view, input))
      return std::move(err);
    views.push_back(std::move(*view));
  }
  return views;
}

/// Tells the kernel that the pages up to the end of [start, start + size) of
/// a read-only file mapping are not needed any more (samples are read in
/// order, so the page shared with the previous sample is done too).
void dropPages(const char *start, size_t size) {
  static const uintptr_t page = llvm::sys::Process::getPageSizeEstimate();
  uintptr_t begin = llvm::alignDown(uintptr_t(start), page);
  uintptr_t end = llvm::alignDown(uintptr_t(start) + size, page);
  if (end > begin)
    ::madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED);
}

/// Samples stacked along the first dimension of one array per input.
class StackedData : public CalibrationData {
public:
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  std::vector<NpyView> arrays;
  std::vector<CalibrationInput> inputs;
  int64_t numSamples = 0;

  int64_t size() const override { return numSamples; }
  Error read(int64_t index, llvm::ArrayRef<void *> buffers) const override {
    for (auto [i, input] : llvm::enumerate(inputs)) {
      int64_t n = numElements(input.shape);
      if (Error err = convert(arrays[i], index * n, n, input, buffers[i]))
        return err;
    }
    // Drop the pages of this sample from the process's resident set, so a
    // pass over a large mapped file does not accumulate them (reading them
    // again faults them back in from the page cache). MemoryBuffer's
    // dontNeedIfMmap uses posix_madvise, which glibc ignores for DONTNEED.
    if (buffer->getBufferKind() == llvm::MemoryBuffer::MemoryBuffer_MMap) {
      for (auto [i, input] : llvm::enumerate(inputs)) {
        int64_t n = numElements(input.shape);
        const NpyView &v = arrays[i];
        dropPages(v.data + index * n * v.elementSize, n * v.elementSize);
      }
    }
    return Error::success();
  }
};

/// One sample per file of a directory.
class DirectoryData : public CalibrationData {
public:
  std::vector<std::string> files;
  std::vector<CalibrationInput> inputs;

  int64_t size() const override { return files.size(); }
  Error read(int64_t index, llvm::ArrayRef<void *> buffers) const override {
    const std::string &path = files[index];
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer)
      return dataError("cannot read '" + path +
                       "': " + buffer.getError().message());
    StringRef bytes = (*buffer)->getBuffer();
    std::vector<NpyView> views;
    if (StringRef(path).ends_with(".npz")) {
      auto entries = listZip(bytes, path);
      if (!entries)
        return entries.takeError();
      auto found = arraysForInputs(*entries, path, inputs);
      if (!found)
        return found.takeError();
      views = std::move(*found);
    } else {
      auto view = parseNpy(bytes, path);
      if (!view)
        return view.takeError();
      if (Error err = checkDtype(*view, inputs[0]))
        return err;
      views.push_back(std::move(*view));
    }
    for (auto [i, input] : llvm::enumerate(inputs)) {
      if (!isSampleShape(views[i].shape, input.shape))
        return dataError("'" + views[i].label + "': input '" + input.name +
                         "' expects one sample of shape " +
                         expectedShapes(input, false) + ", got " +
                         shapeString(views[i].shape));
      if (Error err =
              convert(views[i], 0, numElements(input.shape), input, buffers[i]))
        return err;
    }
    return Error::success();
  }
};

} // namespace

CalibrationData::~CalibrationData() = default;

Expected<std::unique_ptr<CalibrationData>>
quantc::openCalibrationData(StringRef path,
                            llvm::ArrayRef<CalibrationInput> inputs) {
  if (llvm::sys::fs::is_directory(path)) {
    auto data = std::make_unique<DirectoryData>();
    data->inputs.assign(inputs.begin(), inputs.end());
    std::error_code ec;
    bool sawNpy = false;
    for (llvm::sys::fs::directory_iterator it(path, ec), end; !ec && it != end;
         it.increment(ec)) {
      StringRef file = it->path();
      if (file.ends_with(".npy") || file.ends_with(".npz")) {
        sawNpy |= file.ends_with(".npy");
        data->files.push_back(file.str());
      }
    }
    if (ec)
      return dataError("cannot list '" + path + "': " + ec.message());
    if (data->files.empty())
      return dataError("calibration directory '" + path +
                       "' contains no .npy or .npz files");
    if (sawNpy && inputs.size() != 1)
      return dataError("calibration directory '" + path +
                       "' holds .npy files, but the model has " +
                       llvm::Twine(inputs.size()) +
                       " inputs: give one .npz per sample with one array per "
                       "input");
    llvm::sort(data->files);
    return std::unique_ptr<CalibrationData>(std::move(data));
  }

  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return dataError("cannot read '" + path +
                     "': " + buffer.getError().message());
  auto data = std::make_unique<StackedData>();
  data->inputs.assign(inputs.begin(), inputs.end());
  StringRef bytes = (*buffer)->getBuffer();
  if (bytes.starts_with("PK")) {
    auto entries = listZip(bytes, path);
    if (!entries)
      return entries.takeError();
    auto views = arraysForInputs(*entries, path, inputs);
    if (!views)
      return views.takeError();
    data->arrays = std::move(*views);
  } else {
    if (inputs.size() != 1)
      return dataError("the model has " + llvm::Twine(inputs.size()) +
                       " inputs; give calibration data as a .npz with one "
                       "array per input (keyed by input name) or a directory "
                       "of .npz files, not the .npy '" +
                       path + "'");
    auto view = parseNpy(bytes, path.str());
    if (!view)
      return view.takeError();
    if (Error err = checkDtype(*view, inputs[0]))
      return std::move(err);
    data->arrays.push_back(std::move(*view));
  }
  // Every array is (N, *shape) or, for batch 1, (N, *shape[1:]).
  for (auto [i, input] : llvm::enumerate(inputs)) {
    const NpyView &v = data->arrays[i];
    llvm::ArrayRef<int64_t> given = v.shape;
    if (given.empty() || !isSampleShape(given.drop_front(), input.shape))
      return dataError("'" + v.label + "': input '" + input.name +
                       "' has shape " + shapeString(input.shape) +
                       " in the model; expected calibration data of shape " +
                       expectedShapes(input, true) + ", got " +
                       shapeString(given));
    if (i == 0)
      data->numSamples = given[0];
    else if (given[0] != data->numSamples)
      return dataError("'" + v.label + "' holds " + llvm::Twine(given[0]) +
                       " samples for input '" + input.name + "' but '" +
                       data->arrays[0].label + "' holds " +
                       llvm::Twine(data->numSamples) + " for input '" +
                       inputs[0].name + "'");
  }
  if (data->numSamples == 0)
    return dataError("calibration data '" + path + "' holds no samples");
  data->buffer = std::move(*buffer);
  return std::unique_ptr<CalibrationData>(std::move(data));
}
