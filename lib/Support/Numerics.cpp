//===- Numerics.cpp - the quantization rules of docs/quantization.md ------===//

#include "quantc/Support/Numerics.h"

#include <algorithm>
#include <cmath>

using namespace quantc;

double quantc::roundHalfEven(double x) { return std::nearbyint(x); }

int64_t ActivationScheme::qmin() const {
  int64_t lowest = isSigned ? -(int64_t(1) << (bits - 1)) : 0;
  return symmetric ? lowest + 1 : lowest;
}

int64_t ActivationScheme::qmax() const {
  return isSigned ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1;
}

ActivationParams
quantc::computeActivationParams(double min, double max,
                                const ActivationScheme &scheme) {
  int64_t qmin = scheme.qmin(), qmax = scheme.qmax();
  double lo = std::min(min, 0.0), hi = std::max(max, 0.0);
  if (scheme.symmetric) {
    // The zero point sits in the middle of the restricted range.
    int64_t zp = (qmin + qmax) / 2;
    double absMax = std::max(-lo, hi);
    if (!(absMax > 0))
      return {1.0f, zp, qmin, qmax};
    float scale = static_cast<float>(absMax / static_cast<double>(qmax - zp));
    return {scale, zp, qmin, qmax};
  }
  if (!(hi > lo))
    return {1.0f, scheme.isSigned ? 0 : (qmax + 1) / 2, qmin, qmax};
  float scale =
      static_cast<float>((hi - lo) / static_cast<double>(qmax - qmin));
  double zp = static_cast<double>(qmin) -
              roundHalfEven(lo / static_cast<double>(scale));
  return {scale,
          static_cast<int64_t>(std::clamp(zp, static_cast<double>(qmin),
                                          static_cast<double>(qmax))),
          qmin, qmax};
}

float quantc::computeWeightScale(double absMax) {
  if (!(absMax > 0))
    return 1.0f;
  return static_cast<float>(absMax / 127.0);
}

std::optional<FixedPointMultiplier> quantc::decomposeMultiplier(double m) {
  if (!std::isfinite(m) || !(m > 0))
    return std::nullopt;
  int exponent = 0;
  double fraction = std::frexp(m, &exponent);
  int64_t multiplier =
      static_cast<int64_t>(roundHalfEven(std::ldexp(fraction, 31)));
  int64_t shift = 31 - exponent;
  if (multiplier == (int64_t(1) << 31)) {
    multiplier = int64_t(1) << 30;
    shift -= 1;
  }
  if (shift > 62) {
    multiplier = static_cast<int64_t>(roundHalfEven(std::ldexp(
        static_cast<double>(multiplier), -static_cast<int>(shift - 62))));
    shift = 62;
  }
  if (shift < 1)
    return std::nullopt;
  return FixedPointMultiplier{multiplier, shift};
}

std::optional<int64_t> quantc::rescaleShift(double maxM) {
  if (!std::isfinite(maxM) || !(maxM > 0))
    return std::nullopt;
  int exponent = 0;
  std::frexp(maxM, &exponent);
  int64_t shift = std::min<int64_t>(31 - exponent, 62);
  if (shift < 1)
    return std::nullopt;
  return shift;
}

int64_t quantc::quantizeToStorage(double x, double scale, int64_t zeroPoint,
                                  int64_t qmin, int64_t qmax) {
  double q = roundHalfEven(x / scale) + static_cast<double>(zeroPoint);
  if (std::isnan(q))
    return qmin;
  return static_cast<int64_t>(
      std::clamp(q, static_cast<double>(qmin), static_cast<double>(qmax)));
}

QuantizedWeights quantc::quantizeWeights(const float *values, int64_t size,
                                         int64_t channels, bool perChannel) {
  int64_t k = size / channels;
  auto absMax = [&](int64_t begin, int64_t end) {
    double m = 0;
    for (int64_t i = begin; i < end; ++i)
      m = std::max(m, std::abs(static_cast<double>(values[i])));
    return m;
  };
  QuantizedWeights w;
  if (perChannel) {
    for (int64_t c = 0; c < channels; ++c)
      w.scales.push_back(computeWeightScale(absMax(c * k, (c + 1) * k)));
  } else {
    w.scales.push_back(computeWeightScale(absMax(0, size)));
  }
  w.codes.resize(size);
  for (int64_t i = 0; i < size; ++i) {
    double s = w.scales[w.scales.size() == 1 ? 0 : i / k];
    w.codes[i] =
        static_cast<int8_t>(quantizeToStorage(values[i], s, 0, -127, 127));
  }
  return w;
}
