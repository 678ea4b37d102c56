//===- Passes.td - qc dialect transformation passes ---------*- tablegen -*-===//

#ifndef QUANTC_DIALECT_QC_TRANSFORMS_PASSES_TD
#define QUANTC_DIALECT_QC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def QCInsertQDQ : Pass<"qc-insert-qdq", "mlir::ModuleOp"> {
  let summary = "Inserts quantize/dequantize pairs from a calibration file";
  let description = [{
    Reads activation ranges from a calibration file (docs/quantization.md)
    and, for every named float activation (function arguments and op
    results), inserts `quant.qcast` to the int8 asymmetric type computed from
    its range followed by `quant.dcast` back to float. Constant weights of
    `qc.fully_connected` become int8 symmetric (per output channel by
    default) constants behind `quant.scast` + `quant.dcast`, and their bias
    an int32 constant with scale `s_in * s_w`. Reshapes keep their input's
    parameters. Ops are not changed; `qc-quantize` then absorbs the pairs.

    ```mlir
    %y = qc.relu %x : (tensor<4xf32>) -> tensor<4xf32> loc("y")
    // becomes
    %q = quant.qcast %y : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.01:-128>>
    %d = quant.dcast %q : tensor<4x!quant.uniform<i8:f32, 0.01:-128>> to tensor<4xf32>
    ```
    An activation missing from the calibration file is an error naming it.
  }];
  let options = [
    Option<"calibrationFile", "calibration-file", "std::string", "",
           "Calibration JSON with a range for every activation tensor">,
    Option<"perChannel", "per-channel", "bool", "true",
           "Quantize weights per output channel (else per tensor)">,
  ];
  let dependentDialects = ["mlir::quant::QuantDialect",
                           "mlir::arith::ArithDialect"];
}

def QCInstrument : Pass<"qc-instrument", "mlir::ModuleOp"> {
  let summary = "Returns every named activation so calibration can observe it";
  let description = [{
    Appends each named float activation (function arguments and op results
    that carry an ONNX tensor name) to the results of its function, and
    records their names in the function attribute `qc.observed`. The
    calibrator compiles and runs the instrumented float model and reduces
    the extra outputs to ranges.

    ```mlir
    func.func @m(%x: tensor<4xf32> {qc.name = "x"}) -> tensor<4xf32> {
      %y = qc.relu %x : (tensor<4xf32>) -> tensor<4xf32> loc("y")
      return %y : tensor<4xf32>
    }
    // becomes
    func.func @m(%x: tensor<4xf32> {qc.name = "x"}) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
        attributes {qc.observed = ["x", "y"]} {
      %y = qc.relu %x : (tensor<4xf32>) -> tensor<4xf32> loc("y")
      return %y, %x, %y : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
    }
    ```
  }];
}

def QCQuantize : Pass<"qc-quantize", "mlir::func::FuncOp"> {
  let summary = "Rewrites dcast -> op -> qcast into the op on quantized types";
  let description = [{
    Where every operand of a qc op comes from `quant.dcast` and its only use
    is a `quant.qcast`, the op is rebuilt on the quantized types: bias,
    fused activation and requantization become part of the quantized op.
    `quant.qcast(quant.dcast(x))` of one type folds to `x`. Ops that cannot
    be quantized keep their float form between the pairs (float fallback).

    ```mlir
    %a = quant.dcast %xq : tensor<1x4x!q> to tensor<1x4xf32>
    %r = qc.relu %a : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %q = quant.qcast %r : tensor<1x4xf32> to tensor<1x4x!q2>
    // becomes
    %q = qc.relu %xq : (tensor<1x4x!q>) -> tensor<1x4x!q2>
    ```
  }];
  let dependentDialects = ["mlir::quant::QuantDialect"];
}

def QCClusterWeights : Pass<"qc-cluster-weights", "mlir::ModuleOp"> {
  let summary = "Clusters constant float weights into codebooks (k-means)";
  let description = [{
    Replaces the constant float weight of every `qc.fully_connected`,
    `qc.conv`, `qc.conv_transpose` and `qc.matmul` (right operand) by a
    `qc.codebook_lookup` of `clusters` centroids, found by 1-D k-means over
    the whole tensor or over each slice along dimension 0 (`per-channel`).
    k-means starts twice, from `K` evenly spaced levels between the minimum
    and the maximum and from the `K` quantiles, runs Lloyd iterations (exact
    on sorted values: clusters are intervals) until the assignment stops
    changing or 300 iterations, and keeps the run with the lower sum of
    squared errors, which is therefore never above that of uniform
    quantization to `K` levels. An empty cluster is re-seeded at the value
    farthest from its centroid in the cluster with the largest error.
    Indices take 4 bits (two per byte) for `clusters <= 16`, else a byte.

    ```mlir
    %w = arith.constant dense<...> : tensor<32x64xf32>
    %y = qc.fully_connected %x, %w : (tensor<1x64xf32>, tensor<32x64xf32>) -> tensor<1x32xf32>
    // becomes, with clusters=16
    %i = arith.constant dense_resource<cluster_indices> : tensor<1024xi8>
    %t = arith.constant dense<[...]> : tensor<16xf32>
    %w = qc.codebook_lookup %i, %t {bits = 4 : i64}
        : (tensor<1024xi8>, tensor<16xf32>) -> tensor<32x64xf32>
    ```
    A weight stays float (with a warning if it holds NaN or infinity) when
    it is not a finite float constant, has fewer than
    `min-elements` elements (LLVM fully unrolls the lookup loop of a small
    weight and folds the indices into code larger than the float weight),
    or when indices and codebook would not be smaller than the float
    weight. With fewer than `clusters` values per tensor or channel, the
    codebook has one entry per value. Run it on float models:
    `qc-insert-qdq` does not quantize clustered weights.
  }];
  let options = [
    Option<"clusters", "clusters", "int64_t", "256",
           "Centroids per tensor or channel, 16 to 256">,
    Option<"perChannel", "per-channel", "bool", "false",
           "One codebook per slice along dimension 0 (output channel)">,
    Option<"minElements", "min-elements", "int64_t", "1024",
           "Leave weights with fewer elements float">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

#endif // QUANTC_DIALECT_QC_TRANSFORMS_PASSES_TD
