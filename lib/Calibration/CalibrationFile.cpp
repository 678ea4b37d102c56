//===- CalibrationFile.cpp - reading and writing calibration JSON ---------===//
//
// Format (docs/quantization.md): version 2 adds per-tensor statistics so
// that ranges can be recomputed with another method without the data;
// version 1 files (ranges only) are still read.
//
//===----------------------------------------------------------------------===//

#include "quantc/Calibration/Calibration.h"
#include "quantc/Support/CheckedMath.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace quantc;
using llvm::createStringError;

void CalibrationTable::set(llvm::StringRef name, TensorRange range) {
  auto [it, inserted] = ranges.try_emplace(name, range);
  if (inserted)
    order.push_back(name.str());
  else
    it->second = range;
}

/// Histogram counts above 2^53 are not exact in the double arithmetic of the
/// range methods, and their sums (bin merging) would overflow 64 bits.
static constexpr int64_t kMaxHistogramCount = int64_t(1) << 53;

/// Reads one side of a histogram: {"width": w, "counts": [...]}; `total`
/// accumulates the counts and fails the read when it passes
/// kMaxHistogramCount.
static bool readSide(const llvm::json::Object *side, double &width,
                     std::array<uint64_t, Histogram::kBins> &counts,
                     int64_t &total) {
  if (!side)
    return false;
  auto w = side->getNumber("width");
  const llvm::json::Array *c = side->getArray("counts");
  if (!w || !std::isfinite(*w) || *w < 0 || !c || c->size() > Histogram::kBins)
    return false;
  width = *w;
  for (auto [i, v] : llvm::enumerate(*c)) {
    auto n = v.getAsInteger();
    if (!n || *n < 0 || *n > kMaxHistogramCount - total)
      return false;
    total += *n;
    counts[i] = *n;
  }
  return true;
}

static std::optional<TensorStatistics>
readStatistics(const llvm::json::Object &t) {
  const llvm::json::Object *h = t.getObject("histogram");
  auto min = t.getNumber("observed_min"), max = t.getNumber("observed_max");
  auto count = t.getInteger("count");
  if (!h || !min || !max || !count || *count < 0 ||
      *count > kMaxHistogramCount || !std::isfinite(*min) ||
      !std::isfinite(*max))
    return std::nullopt;
  TensorStatistics s;
  s.min = *min;
  s.max = *max;
  s.count = *count;
  if (s.count == 0) {
    s.min = INFINITY;
    s.max = -INFINITY;
  }
  auto mmin = t.getNumber("moving_average_min"),
       mmax = t.getNumber("moving_average_max");
  if (mmin && mmax) {
    s.hasMovingAverage = true;
    s.movingMin = *mmin;
    s.movingMax = *mmax;
  }
  int64_t total = 0;
  if (!readSide(h->getObject("positive"), s.histogram.positiveWidth,
                s.histogram.positive, total) ||
      !readSide(h->getObject("negative"), s.histogram.negativeWidth,
                s.histogram.negative, total))
    return std::nullopt;
  // The histogram holds every value counted: the percentile search and the
  // entropy/MSE sweeps rely on it (an empty histogram with a non-zero count
  // crashed the percentile search; found by quantc-fuzz-calibration-file).
  if (total != s.count)
    return std::nullopt;
  return s;
}

llvm::Expected<CalibrationTable>
quantc::readCalibrationFile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return createStringError(buffer.getError(),
                             "cannot read calibration file '%s'",
                             path.str().c_str());
  // llvm::json::parse recurses once per level: bound the depth first (a
  // valid file has 5 levels).
  if (nestsDeeperThan((*buffer)->getBuffer(), kMaxNestingDepth))
    return createStringError(llvm::inconvertibleErrorCode(),
                             "calibration file '%s' nests arrays or objects "
                             "more than %d levels deep",
                             path.str().c_str(), kMaxNestingDepth);
  auto json = llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return createStringError(llvm::inconvertibleErrorCode(),
                             "calibration file '%s' is not valid JSON: %s",
                             path.str().c_str(),
                             llvm::toString(json.takeError()).c_str());
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Object *tensors =
      root ? root->getObject("tensors") : nullptr;
  if (!tensors)
    return createStringError(llvm::inconvertibleErrorCode(),
                             "calibration file '%s' has no \"tensors\" object",
                             path.str().c_str());
  CalibrationTable table;
  if (auto method = root->getString("method"))
    table.method = method->str();
  if (auto n = root->getInteger("num_samples"))
    table.numSamples = *n;
  if (auto p = root->getNumber("percentile"))
    table.percentile = *p;
  if (auto c = root->getNumber("moving_average_constant"))
    table.movingAverageConstant = *c;
  // json::Object is unordered: sort names for a deterministic order.
  std::vector<std::string> names;
  for (const auto &entry : *tensors)
    names.push_back(entry.first.str());
  llvm::sort(names);
  for (const std::string &name : names) {
    const llvm::json::Object *t = tensors->getObject(name);
    std::optional<double> min = t ? t->getNumber("min") : std::nullopt;
    std::optional<double> max = t ? t->getNumber("max") : std::nullopt;
    if (!min || !max || !std::isfinite(*min) || !std::isfinite(*max) ||
        *min > *max)
      return createStringError(
          llvm::inconvertibleErrorCode(),
          "calibration file '%s': tensor '%s' needs numbers \"min\" <= \"max\"",
          path.str().c_str(), name.c_str());
    table.set(name, {*min, *max});
    if (t->get("histogram")) {
      std::optional<TensorStatistics> stats = readStatistics(*t);
      if (!stats)
        return createStringError(
            llvm::inconvertibleErrorCode(),
            "calibration file '%s': tensor '%s' has malformed statistics "
            "(observed_min, observed_max, count, histogram)",
            path.str().c_str(), name.c_str());
      table.stats[name] = *stats;
    }
  }
  return table;
}

static llvm::json::Object
writeSide(double width, const std::array<uint64_t, Histogram::kBins> &counts) {
  size_t used = counts.size();
  while (used > 0 && counts[used - 1] == 0)
    --used;
  llvm::json::Array c;
  for (size_t i = 0; i < used; ++i)
    c.push_back(int64_t(counts[i]));
  return llvm::json::Object{{"width", width}, {"counts", std::move(c)}};
}

llvm::Error quantc::writeCalibrationFile(llvm::StringRef path,
                                         const CalibrationTable &table) {
  llvm::json::Object tensors;
  for (const std::string &name : table.order) {
    const TensorRange &r = table.ranges.find(name)->second;
    llvm::json::Object t{{"min", r.min}, {"max", r.max}};
    auto it = table.stats.find(name);
    if (it != table.stats.end()) {
      const TensorStatistics &s = it->second;
      bool seen = s.count > 0;
      t["observed_min"] = seen ? s.min : 0.0;
      t["observed_max"] = seen ? s.max : 0.0;
      t["count"] = int64_t(s.count);
      if (s.hasMovingAverage) {
        t["moving_average_min"] = s.movingMin;
        t["moving_average_max"] = s.movingMax;
      }
      const Histogram &h = s.histogram;
      t["histogram"] = llvm::json::Object{
          {"bins", Histogram::kBins},
          {"positive", writeSide(h.positiveWidth, h.positive)},
          {"negative", writeSide(h.negativeWidth, h.negative)}};
    }
    tensors[name] = std::move(t);
  }
  llvm::json::Object root{{"version", table.stats.empty() ? 1 : 2},
                          {"method", table.method},
                          {"num_samples", table.numSamples},
                          {"tensors", std::move(tensors)}};
  if (table.method == "percentile")
    root["percentile"] = table.percentile;
  if (!table.stats.empty())
    root["moving_average_constant"] = table.movingAverageConstant;
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return createStringError(ec, "cannot write calibration file '%s'",
                             path.str().c_str());
  // Compact: a histogram is up to 2 x 2048 counts per tensor.
  os << llvm::json::Value(std::move(root)) << "\n";
  return llvm::Error::success();
}
