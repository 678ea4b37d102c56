//===- ClusterWeights.cpp - k-means weight clustering into codebooks ------===//
//
// Replaces constant float weights by codebook indices and a table of
// centroids (qc.codebook_lookup). The centroids come from 1-D k-means:
// on sorted values every cluster of a nearest-centroid assignment is an
// interval, so one Lloyd iteration is K binary searches and K means over
// prefix sums, and the iterations are exact and cheap even for millions
// of weights.
//
//===----------------------------------------------------------------------===//

#include "quantc/Dialect/QC/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/MapVector.h"

#include <algorithm>
#include <cmath>

namespace quantc::qc {
#define GEN_PASS_DEF_QCCLUSTERWEIGHTS
#include "quantc/Dialect/QC/Transforms/Passes.h.inc"
} // namespace quantc::qc

using namespace mlir;
using namespace quantc;
using namespace quantc::qc;

namespace {

constexpr int kMaxIterations = 300;

/// Sorted values with prefix sums of values and squares: the sum and the
/// sum of squared deviations of any interval in O(1).
struct SortedValues {
  std::vector<double> x, sum, sumSq;

  explicit SortedValues(ArrayRef<float> values)
      : x(values.begin(), values.end()) {
    std::sort(x.begin(), x.end());
    sum.assign(x.size() + 1, 0);
    sumSq.assign(x.size() + 1, 0);
    for (size_t i = 0; i < x.size(); ++i) {
      sum[i + 1] = sum[i] + x[i];
      sumSq[i + 1] = sumSq[i] + x[i] * x[i];
    }
  }
  size_t size() const { return x.size(); }
  double mean(size_t begin, size_t end) const {
    return (sum[end] - sum[begin]) / double(end - begin);
  }
  /// Sum of squared errors of [begin, end) around `c`.
  double sse(size_t begin, size_t end, double c) const {
    double n = double(end - begin), s = sum[end] - sum[begin];
    return std::max(0.0, sumSq[end] - sumSq[begin] - 2 * c * s + n * c * c);
  }
  /// Start of each cluster of the nearest-centroid assignment to the
  /// ascending `centroids` (ties go to the lower centroid), plus size().
  std::vector<size_t> starts(ArrayRef<double> centroids) const {
    std::vector<size_t> result(centroids.size() + 1);
    result[0] = 0;
    for (size_t j = 1; j < centroids.size(); ++j) {
      double boundary = 0.5 * (centroids[j - 1] + centroids[j]);
      result[j] = std::upper_bound(x.begin(), x.end(), boundary) - x.begin();
      result[j] = std::max(result[j], result[j - 1]);
    }
    result.back() = x.size();
    return result;
  }
  double totalSSE(ArrayRef<double> centroids) const {
    std::vector<size_t> s = starts(centroids);
    double total = 0;
    for (size_t j = 0; j < centroids.size(); ++j)
      total += sse(s[j], s[j + 1], centroids[j]);
    return total;
  }
};

/// Moves each centroid of `c` (ascending) that no value is nearest to onto
/// the value farthest from its centroid in the cluster with the largest
/// error, one at a time, and returns the final assignment. This splits
/// that cluster and lowers the error. Needs more distinct values than
/// centroids (then some cluster has two distinct values to split).
std::vector<size_t> fillEmptyClusters(const SortedValues &v,
                                      std::vector<double> &c) {
  for (;;) {
    std::vector<size_t> s = v.starts(c);
    size_t empty = 0;
    while (empty < c.size() && s[empty] != s[empty + 1])
      ++empty;
    if (empty == c.size())
      return s;
    size_t worst = c.size();
    double worstSSE = -1;
    for (size_t i = 0; i < c.size(); ++i) {
      if (s[i + 1] - s[i] < 2 || v.x[s[i]] == v.x[s[i + 1] - 1])
        continue;
      double e = v.sse(s[i], s[i + 1], c[i]);
      if (e > worstSSE)
        worst = i, worstSSE = e;
    }
    if (worst == c.size())
      return s;
    double lo = v.x[s[worst]], hi = v.x[s[worst + 1] - 1];
    c[empty] = std::abs(lo - c[worst]) > std::abs(hi - c[worst]) ? lo : hi;
    std::sort(c.begin(), c.end());
  }
}

/// Lloyd iterations from `c` until the assignment is stable or
/// kMaxIterations; returns ascending centroids. The error never increases
/// from one step to the next.
std::vector<double> lloyd(const SortedValues &v, std::vector<double> c) {
  std::sort(c.begin(), c.end());
  std::vector<size_t> previous;
  for (int iter = 0; iter < kMaxIterations; ++iter) {
    std::vector<size_t> s = fillEmptyClusters(v, c);
    if (s == previous)
      break;
    for (size_t j = 0; j < c.size(); ++j)
      if (s[j] != s[j + 1])
        c[j] = v.mean(s[j], s[j + 1]);
    std::sort(c.begin(), c.end());
    previous = std::move(s);
  }
  return c;
}

/// k-means with `k` centroids of `values`: the better of the runs from
/// evenly spaced levels and from quantiles; ascending. With at most `k`
/// distinct values, those values (the last repeated to fill `k`).
SmallVector<float> kmeans(ArrayRef<float> values, int64_t k) {
  SortedValues v(values);
  std::vector<double> distinct;
  for (double x : v.x)
    if (distinct.empty() || distinct.back() != x)
      distinct.push_back(x);
  std::vector<double> best;
  if (int64_t(distinct.size()) <= k) {
    best = distinct;
    best.resize(k, distinct.back());
  } else {
    double lo = v.x.front(), hi = v.x.back();
    std::vector<double> uniform(k), quantile(k);
    size_t n = v.size();
    for (int64_t j = 0; j < k; ++j) {
      uniform[j] = lo + (hi - lo) * double(j) / double(k - 1);
      // n > k, so every slice is non-empty.
      quantile[j] = v.mean(n * j / k, n * (j + 1) / k);
    }
    std::vector<double> a = lloyd(v, uniform), b = lloyd(v, quantile);
    best = v.totalSSE(b) < v.totalSSE(a) ? b : a;
  }
  // The table is f32; keep it ascending after rounding.
  SmallVector<float> result(best.begin(), best.end());
  std::sort(result.begin(), result.end());
  return result;
}

/// Index of the nearest entry of the ascending `table` to `x`.
uint8_t nearest(ArrayRef<float> table, float x) {
  auto it = std::lower_bound(table.begin(), table.end(), x);
  if (it == table.end())
    return table.size() - 1;
  if (it == table.begin())
    return 0;
  size_t hi = it - table.begin();
  double dLo = double(x) - double(table[hi - 1]), dHi = double(table[hi]) - x;
  return dLo <= dHi ? hi - 1 : hi;
}

struct ClusterWeightsPass
    : quantc::qc::impl::QCClusterWeightsBase<ClusterWeightsPass> {
  using QCClusterWeightsBase::QCClusterWeightsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (clusters < 16 || clusters > 256) {
      module.emitError() << "qc-cluster-weights: clusters must be in [16, "
                            "256], got "
                         << static_cast<int64_t>(clusters);
      return signalPassFailure();
    }
    // Weight operands to cluster: the weight of fully_connected, conv and
    // conv_transpose, the right operand of matmul.
    // The walk is in program order, so each weight's first use comes first.
    llvm::MapVector<Value, SmallVector<OpOperand *>> weights;
    module.walk([&](Operation *op) {
      if (isa<FullyConnectedOp, ConvOp, ConvTransposeOp, MatMulOp>(op))
        weights[op->getOperand(1)].push_back(&op->getOpOperand(1));
    });
    for (auto &[weight, uses] : weights) {
      // The lookup goes right before the first use when all uses are in its
      // block, so that each reconstructed weight is live (and occupies
      // workspace) only while it is used, not for the whole model.
      Operation *first = uses.front()->getOwner();
      bool oneBlock = llvm::all_of(uses, [&](OpOperand *use) {
        return use->getOwner()->getBlock() == first->getBlock();
      });
      Value replacement = cluster(weight, oneBlock ? first : nullptr);
      if (!replacement)
        continue;
      for (OpOperand *use : uses)
        use->set(replacement);
      if (weight.use_empty())
        weight.getDefiningOp()->erase();
    }
  }

  /// The clustered form of `weight`, built before `before` (else right
  /// after the weight), or null when the weight is not a finite float
  /// constant, is small, or would not get smaller.
  Value cluster(Value weight, Operation *before) {
    auto type = dyn_cast<RankedTensorType>(weight.getType());
    if (!type || !type.getElementType().isF32() || !type.hasStaticShape() ||
        type.getRank() == 0)
      return {};
    auto values = getConstantFloats(weight);
    if (!values)
      return {};
    if (!llvm::all_of(*values, [](float v) { return std::isfinite(v); })) {
      weight.getDefiningOp()->emitWarning()
          << "weight has non-finite values; it is not clustered";
      return {};
    }
    int64_t n = type.getNumElements();
    if (n < minElements)
      return {};
    int64_t groups = perChannel ? type.getDimSize(0) : 1;
    int64_t groupSize = n / groups;
    int64_t k = std::min<int64_t>(clusters, groupSize);
    int64_t bits = k <= 16 ? 4 : 8;
    int64_t indexBytes = (n * bits + 7) / 8;
    int64_t tableBytes = groups * k * 4;
    if (indexBytes + tableBytes >= n * 4)
      return {};

    SmallVector<float> table;
    SmallVector<int8_t> packed(indexBytes, 0);
    for (int64_t g = 0; g < groups; ++g) {
      ArrayRef<float> slice =
          ArrayRef<float>(*values).slice(g * groupSize, groupSize);
      SmallVector<float> centroids = kmeans(slice, k);
      for (int64_t i = 0; i < groupSize; ++i) {
        int64_t e = g * groupSize + i;
        uint8_t index = nearest(centroids, slice[i]);
        if (bits == 8)
          packed[e] = static_cast<int8_t>(index);
        else
          packed[e / 2] = static_cast<int8_t>(uint8_t(packed[e / 2]) |
                                              (index << (4 * (e % 2))));
      }
      llvm::append_range(table, centroids);
    }

    OpBuilder b(weight.getContext());
    if (before)
      b.setInsertionPoint(before);
    else
      b.setInsertionPointAfterValue(weight);
    Location loc = weight.getLoc();
    auto i8 = b.getIntegerType(8);
    Value indices =
        createConstant<int8_t>(b, loc, RankedTensorType::get({indexBytes}, i8),
                               packed, "cluster_indices");
    auto tableType = perChannel
                         ? RankedTensorType::get({groups, k}, b.getF32Type())
                         : RankedTensorType::get({k}, b.getF32Type());
    Value codebook =
        createConstant<float>(b, loc, tableType, table, "cluster_codebook");
    return CodebookLookupOp::create(b, loc, type, indices, codebook,
                                    b.getI64IntegerAttr(bits));
  }
};

} // namespace
