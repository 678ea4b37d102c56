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
#include <vector>

namespace quantc {

/// How activations are quantized (docs/quantization.md, "Schemes").
struct ActivationScheme {
  /// Storage width: 8 or 16 bits.
  unsigned bits = 8;
  /// Signed (int8/int16) or unsigned (uint8) storage.
  bool isSigned = true;
  /// Symmetric: zero point at the middle of a restricted range.
  bool symmetric = false;

  /// The storage range: the full range for asymmetric schemes; for
  /// symmetric ones the range without the lowest code, so that it is
  /// symmetric around the zero point (int8: [-127, 127], uint8: [1, 255]).
  int64_t qmin() const;
  int64_t qmax() const;
};

/// Scale, zero point and storage range of a quantized activation.
struct ActivationParams {
  float scale;
  int64_t zeroPoint;
  int64_t qmin, qmax;
};

/// A positive real multiplier written as `multiplier * 2^-shift`.
struct FixedPointMultiplier {
  int64_t multiplier;
  int64_t shift;
};

/// Rounds to the nearest integer, ties to even.
double roundHalfEven(double x);

/// Parameters of `scheme` for the range [min, max] (widened to hold 0);
/// the default scheme is int8 asymmetric.
ActivationParams computeActivationParams(double min, double max,
                                         const ActivationScheme &scheme = {});

/// Symmetric int8 weight scale for a maximum magnitude `absMax`.
float computeWeightScale(double absMax);

/// Weights `[channels, ...]` (row-major `values`) quantized to int8
/// symmetric, one scale per channel (dimension 0) or one for the tensor.
struct QuantizedWeights {
  std::vector<int8_t> codes;
  std::vector<double> scales;
};
QuantizedWeights quantizeWeights(const float *values, int64_t size,
                                 int64_t channels, bool perChannel);

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
