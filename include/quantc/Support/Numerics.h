//===- Numerics.h - the quantization rules of docs/quantization.md -*- C++ -*-//
//
// Every quantization parameter quantc computes comes from these functions, so
// that the rules exist once and match the documentation and the reference.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTC_SUPPORT_NUMERICS_H
#define QUANTC_SUPPORT_NUMERICS_H

#include <cstdint>
#include <optional>

namespace quantc {

/// Scale and zero point of an int8 asymmetric activation.
struct ActivationParams {
  float scale;
  int64_t zeroPoint;
};

/// A positive real multiplier written as `multiplier * 2^-shift`.
struct FixedPointMultiplier {
  int64_t multiplier;
  int64_t shift;
};

/// Rounds to the nearest integer, ties to even.
double roundHalfEven(double x);

/// int8 asymmetric parameters for the range [min, max] (widened to hold 0).
ActivationParams computeActivationParams(double min, double max);

/// Symmetric int8 weight scale for a maximum magnitude `absMax`.
float computeWeightScale(double absMax);

/// Decomposes `m` (> 0) into M in [2^30, 2^31) and shift S <= 62; nullopt
/// when `m` is not finite, not positive, or needs a shift below 1.
std::optional<FixedPointMultiplier> decomposeMultiplier(double m);

/// The shift S of the two-operand rescale rule for the larger multiplier
/// `maxM`; nullopt when out of range.
std::optional<int64_t> rescaleShift(double maxM);

/// The storage value of `x` quantized with `scale` and `zeroPoint`, clamped
/// to [qmin, qmax] (division in double, as for weights and bias).
int64_t quantizeToStorage(double x, double scale, int64_t zeroPoint,
                          int64_t qmin, int64_t qmax);

} // namespace quantc

#endif // QUANTC_SUPPORT_NUMERICS_H
