//===- Ranges.cpp - streaming statistics and range selection --------------===//
//
// The definitions implemented here are documented in docs/quantization.md
// ("Calibration ranges"); test/e2e/test_calibration.py checks them against
// independent NumPy implementations.
//
//===----------------------------------------------------------------------===//

#include "quantc/Calibration/Calibration.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <limits>

using namespace quantc;

static llvm::Error rangeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::optional<CalibrationMethod>
quantc::parseCalibrationMethod(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<CalibrationMethod>>(name)
      .Case("minmax", CalibrationMethod::MinMax)
      .Case("moving-average", CalibrationMethod::MovingAverage)
      .Case("percentile", CalibrationMethod::Percentile)
      .Case("entropy", CalibrationMethod::Entropy)
      .Case("mse", CalibrationMethod::MSE)
      .Default(std::nullopt);
}

llvm::StringRef quantc::calibrationMethodName(CalibrationMethod method) {
  switch (method) {
  case CalibrationMethod::MinMax:
    return "minmax";
  case CalibrationMethod::MovingAverage:
    return "moving-average";
  case CalibrationMethod::Percentile:
    return "percentile";
  case CalibrationMethod::Entropy:
    return "entropy";
  case CalibrationMethod::MSE:
    return "mse";
  }
  llvm_unreachable("unknown calibration method");
}

//===----------------------------------------------------------------------===//
// Histogram
//===----------------------------------------------------------------------===//

/// Doubles the width of one side: bins 2i and 2i+1 become bin i.
static void mergePairs(std::array<uint64_t, Histogram::kBins> &counts) {
  for (int i = 0; i < Histogram::kBins / 2; ++i)
    counts[i] = counts[2 * i] + counts[2 * i + 1];
  std::fill(counts.begin() + Histogram::kBins / 2, counts.end(), 0);
}

void Histogram::add(const float *values, size_t count, float sampleMin,
                    float sampleMax) {
  double maxAbs = std::max<double>(std::abs(sampleMin), std::abs(sampleMax));
  if (positiveWidth == 0 && maxAbs > 0)
    positiveWidth = negativeWidth = maxAbs / kBins;
  if (positiveWidth > 0) {
    while (sampleMax > kBins * positiveWidth) {
      mergePairs(positive);
      positiveWidth *= 2;
    }
    while (-double(sampleMin) > kBins * negativeWidth) {
      mergePairs(negative);
      negativeWidth *= 2;
    }
  }
  double invPositive = positiveWidth > 0 ? 1 / positiveWidth : 0;
  double invNegative = negativeWidth > 0 ? 1 / negativeWidth : 0;
  for (size_t i = 0; i < count; ++i) {
    double v = values[i];
    if (!std::isfinite(v))
      continue;
    if (v >= 0)
      ++positive[std::min<int64_t>(int64_t(v * invPositive), kBins - 1)];
    else
      ++negative[std::min<int64_t>(int64_t(-v * invNegative), kBins - 1)];
  }
}

std::vector<double> Histogram::folded(double &width) const {
  width = std::max(positiveWidth, negativeWidth);
  std::vector<double> result(kBins, 0.0);
  auto fold = [&](const std::array<uint64_t, kBins> &counts, double w) {
    // w = width / 2^shift exactly (both are the base width times 2^k).
    int shift = w > 0 ? int(std::lround(std::log2(width / w))) : 0;
    for (int i = 0; i < kBins; ++i)
      if (counts[i])
        result[shift < 31 ? (i >> shift) : 0] += double(counts[i]);
  };
  fold(positive, positiveWidth);
  fold(negative, negativeWidth);
  return result;
}

void TensorStatistics::addSample(const float *values, size_t n, double c) {
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  size_t finite = 0;
  for (size_t i = 0; i < n; ++i) {
    float v = values[i];
    if (!std::isfinite(v))
      continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    ++finite;
  }
  if (finite == 0)
    return;
  min = std::min<double>(min, lo);
  max = std::max<double>(max, hi);
  count += finite;
  if (!hasMovingAverage) {
    movingMin = lo;
    movingMax = hi;
    hasMovingAverage = true;
  } else {
    movingMin += c * (lo - movingMin);
    movingMax += c * (hi - movingMax);
  }
  histogram.add(values, n, lo, hi);
}

//===----------------------------------------------------------------------===//
// Methods
//===----------------------------------------------------------------------===//

namespace {
/// The histogram's bins in increasing value order.
struct Bin {
  double lo, width;
  double count;
};
} // namespace

static std::vector<Bin> orderedBins(const Histogram &h) {
  std::vector<Bin> bins;
  for (int i = Histogram::kBins - 1; i >= 0; --i)
    if (h.negative[i])
      bins.push_back(
          {-(i + 1) * h.negativeWidth, h.negativeWidth, double(h.negative[i])});
  for (int i = 0; i < Histogram::kBins; ++i)
    if (h.positive[i])
      bins.push_back(
          {i * h.positiveWidth, h.positiveWidth, double(h.positive[i])});
  return bins;
}

/// The value below which a fraction q of the values lie, interpolating
/// linearly inside the bin where the cumulative count reaches q * total.
static double quantile(const std::vector<Bin> &bins, double total, double q) {
  double target = q * total, before = 0;
  for (const Bin &b : bins) {
    if (before + b.count >= target)
      return b.lo + (target - before) / b.count * b.width;
    before += b.count;
  }
  return bins.back().lo + bins.back().width;
}

/// KL-divergence threshold (TensorRT's entropy calibration) on the |x|
/// histogram `h` with `levels` quantization levels; returns the number of
/// bins kept.
static int entropyThreshold(const std::vector<double> &h, int levels) {
  int used = 0;
  for (int i = 0; i < int(h.size()); ++i)
    if (h[i] > 0)
      used = i + 1;
  if (used <= levels)
    return used;
  double bestKL = INFINITY;
  int best = used;
  std::vector<double> p, q;
  std::vector<double> chunkSum(levels), chunkNonZero(levels);
  double tail = 0;
  for (int i = used; i < int(h.size()); ++i)
    tail += h[i];
  // Outliers beyond bin i are folded into bin i-1 of the reference.
  std::vector<double> suffix(used + 1, 0);
  for (int i = used - 1; i >= 0; --i)
    suffix[i] = suffix[i + 1] + h[i];
  for (int i = levels; i <= used; ++i) {
    // A threshold that clips more than half of the values is no candidate:
    // with all the mass folded into one bin, P = Q and the divergence is 0
    // (a tensor far from zero, e.g. after global average pooling, would be
    // clipped to its minimum).
    if (suffix[i] + tail > suffix[0] - suffix[i])
      continue;
    std::fill(chunkSum.begin(), chunkSum.end(), 0);
    std::fill(chunkNonZero.begin(), chunkNonZero.end(), 0);
    for (int b = 0; b < i; ++b) {
      int chunk = int(int64_t(b) * levels / i);
      chunkSum[chunk] += h[b];
      chunkNonZero[chunk] += h[b] > 0;
    }
    double pTotal = suffix[0] + tail, qTotal = 0;
    for (int b = 0; b < i; ++b)
      if (h[b] > 0) {
        int chunk = int(int64_t(b) * levels / i);
        qTotal += chunkSum[chunk] / chunkNonZero[chunk];
      }
    double kl = 0;
    for (int b = 0; b < i; ++b) {
      double pb = h[b] + (b == i - 1 ? suffix[i] + tail : 0);
      if (pb == 0)
        continue;
      if (h[b] == 0) {
        kl = INFINITY;
        break;
      }
      int chunk = int(int64_t(b) * levels / i);
      double qb = chunkSum[chunk] / chunkNonZero[chunk] / qTotal;
      pb /= pTotal;
      kl += pb * std::log(pb / qb);
    }
    // Ties go to the larger threshold.
    if (kl <= bestKL) {
      bestKL = kl;
      best = i;
    }
  }
  return best;
}

/// The int8 quantize-dequantize of docs/quantization.md, in double.
namespace {
struct FakeQuant {
  double scale = 1, zp = 0;
  FakeQuant(double lo, double hi) {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
    if (hi == lo)
      return;
    scale = float((hi - lo) / 255);
    zp = std::clamp(-128 - std::nearbyint(lo / scale), -128.0, 127.0);
  }
  double operator()(double x) const {
    double q = std::clamp(std::nearbyint(x / scale) + zp, -128.0, 127.0);
    return (q - zp) * scale;
  }
};
} // namespace

/// The range [clip(-t), clip(t)] for threshold t on |x|: the observed range
/// clipped symmetrically.
static TensorRange clipRange(const TensorStatistics &s, double t) {
  return {std::max(s.min, -t), std::min(s.max, t)};
}

llvm::Expected<TensorRange>
quantc::chooseRange(const TensorStatistics &s,
                    const CalibrationOptions &options) {
  if (s.count == 0 || !(s.min <= s.max))
    return TensorRange{0, 0}; // Never finite: quantized as zero.
  const Histogram &h = s.histogram;
  switch (options.method) {
  case CalibrationMethod::MinMax:
    return TensorRange{s.min, s.max};
  case CalibrationMethod::MovingAverage:
    if (!s.hasMovingAverage)
      return rangeError("no moving-average statistics recorded");
    return TensorRange{s.movingMin, s.movingMax};
  case CalibrationMethod::Percentile: {
    double p = options.percentile;
    if (!(p >= 50 && p <= 100))
      return rangeError("--percentile must be in [50, 100], got " +
                        llvm::formatv("{0}", p).str());
    std::vector<Bin> bins = orderedBins(h);
    double total = 0;
    for (const Bin &b : bins)
      total += b.count;
    if (!(total > 0)) // no bins, or only empty ones
      return rangeError("the percentile method needs a histogram, and this "
                        "tensor's holds no values");
    double lo = quantile(bins, total, (100 - p) / 100);
    double hi = quantile(bins, total, p / 100);
    lo = std::clamp(lo, s.min, s.max);
    hi = std::clamp(hi, s.min, s.max);
    return TensorRange{lo, hi};
  }
  case CalibrationMethod::Entropy: {
    double width;
    std::vector<double> folded = h.folded(width);
    int levels = s.min < 0 ? 128 : 256;
    // Bin 0 holds the exact zeros of ReLU outputs (often half the tensor):
    // left in, that spike dominates the divergence and drives the threshold
    // far down (relu(N(0, 1)): 1.8 instead of 4.1), so it is left out.
    if (std::any_of(folded.begin() + 1, folded.end(),
                    [](double c) { return c > 0; }))
      folded[0] = 0;
    int kept = entropyThreshold(folded, levels);
    return clipRange(s, kept * width);
  }
  case CalibrationMethod::MSE: {
    double width;
    std::vector<double> folded = h.folded(width);
    int used = 0;
    for (int i = 0; i < int(folded.size()); ++i)
      if (folded[i] > 0)
        used = i + 1;
    std::vector<Bin> bins = orderedBins(h);
    double bestError = INFINITY;
    TensorRange best{s.min, s.max};
    for (int k = 1; k <= used; ++k) {
      TensorRange r = clipRange(s, k * width);
      FakeQuant fq(r.min, r.max);
      double error = 0;
      for (const Bin &b : bins) {
        double c = b.lo + b.width / 2, d = c - fq(c);
        error += b.count * d * d;
      }
      if (error < bestError) {
        bestError = error;
        best = r;
      }
    }
    return best;
  }
  }
  llvm_unreachable("unknown calibration method");
}

llvm::Error quantc::recomputeRanges(CalibrationTable &table,
                                    const CalibrationOptions &options) {
  if (options.method == CalibrationMethod::MovingAverage &&
      table.movingAverageConstant != options.movingAverageConstant)
    return rangeError(llvm::formatv(
        "the moving averages were recorded with constant {0}; a different "
        "--moving-average-constant ({1}) needs the calibration data again",
        table.movingAverageConstant, options.movingAverageConstant));
  for (const std::string &name : table.order) {
    auto it = table.stats.find(name);
    if (it == table.stats.end())
      return rangeError("tensor '" + name +
                        "' has no statistics to recompute its range from "
                        "(rerun calibration with --calibration-data)");
    auto range = chooseRange(it->second, options);
    if (!range)
      return rangeError("tensor '" + name +
                        "': " + llvm::toString(range.takeError()));
    table.ranges[name] = *range;
  }
  table.method = calibrationMethodName(options.method).str();
  table.percentile = options.percentile;
  return llvm::Error::success();
}
