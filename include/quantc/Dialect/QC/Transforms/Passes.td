//===- Passes.td - qc dialect transformation passes ---------*- tablegen -*-===//

#ifndef QUANTC_DIALECT_QC_TRANSFORMS_PASSES_TD
#define QUANTC_DIALECT_QC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def QCInsertQDQ : Pass<"qc-insert-qdq", "mlir::ModuleOp"> {
  let summary = "Inserts quantize/dequantize pairs from a calibration file";
  let description = [{
    Reads activation ranges from a calibration file (docs/quantization.md)
    and, for every named float activation (function arguments and op
    results), inserts `quant.qcast` to the activation type computed from its
    range followed by `quant.dcast` back to float. Constant weights of
    `qc.fully_connected` and `qc.conv` become int8 symmetric (per output
    channel by default) constants behind `quant.scast` + `quant.dcast`, and
    their bias an int32 constant with scale `s_in * s_w`. Data-movement ops
    keep their input's parameters. Ops are not changed; `qc-quantize` then
    absorbs the pairs.

    ```mlir
    %y = qc.relu %x : (tensor<4xf32>) -> tensor<4xf32> loc("y")
    // becomes
    %q = quant.qcast %y : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.01:-128>>
    %d = quant.dcast %q : tensor<4x!quant.uniform<i8:f32, 0.01:-128>> to tensor<4xf32>
    ```

    Schemes: `activation-type` (int8 or uint8), `symmetric-activations`,
    `per-channel` weights, and `int16-nodes`: the activations entering and
    leaving the named ONNX nodes (node name or output tensor name) are
    int16, symmetric (16x8). `exclude-nodes` / `exclude-op-types` (ONNX
    operator types such as `Conv`, or qc op names such as
    `fully_connected`) keep ops in float: a tensor gets a pair only when
    its producer or one of its users is quantized, so an excluded region is
    a float island with pairs at its edges.

    `mode=weight-only` quantizes only the weights of `qc.fully_connected`
    (ONNX MatMul/Gemm) and needs no calibration file: activations and bias
    stay float, and the lowering dequantizes the int8 weights inside the
    float kernel.

    An activation missing from the calibration file is an error naming it.
  }];
  let options = [
    Option<"calibrationFile", "calibration-file", "std::string", "",
           "Calibration JSON with a range for every activation tensor">,
    Option<"perChannel", "per-channel", "bool", "true",
           "Quantize weights per output channel (else per tensor)">,
    Option<"activationType", "activation-type", "std::string", "\"int8\"",
           "Activation storage: int8 or uint8">,
    Option<"symmetricActivations", "symmetric-activations", "bool", "false",
           "Symmetric activations (zero point in the middle of the range)">,
    Option<"mode", "mode", "std::string", "\"static\"",
           "static (activations and weights) or weight-only">,
    ListOption<"int16Nodes", "int16-nodes", "std::string",
               "Nodes whose activations are int16 (16x8)">,
    ListOption<"excludeNodes", "exclude-nodes", "std::string",
               "Nodes kept in float (ONNX node or output tensor names)">,
    ListOption<"excludeOpTypes", "exclude-op-types", "std::string",
               "Operator types kept in float (ONNX or qc op names)">,
  ];
  let dependentDialects = ["mlir::quant::QuantDialect",
                           "mlir::arith::ArithDialect"];
}

def QCFuseFloatPatterns : Pass<"qc-fuse-float-patterns", "mlir::func::FuncOp"> {
  let summary = "Recognizes decomposed LayerNormalization and GELU subgraphs";
  let description = [{
    Exporters that target opsets without a fused operator (PyTorch below
    opset 17 for LayerNormalization, below 20 for Gelu) write these as
    chains of element-wise ops and reductions. Left as they are, each
    intermediate tensor is calibrated and quantized on its own (the squared
    deviations and the variance get int8 ranges of their own, which costs
    accuracy) and every step is a separate loop. This pass rewrites them on
    the float model, before calibration, into one `qc.layer_norm` or
    `qc.unary <gelu>`:

    ```mlir
    %m = qc.reduce <mean> %x {axes = array<i64: 2>, keepdims}
    %d = qc.binary <sub> %x, %m
    %p = qc.binary <pow> %d, %two        // or qc.binary <mul> %d, %d
    %v = qc.reduce <mean> %p {axes = array<i64: 2>, keepdims}
    %e = qc.add %v, %eps                 // a scalar constant
    %s = qc.unary <sqrt> %e
    %n = qc.binary <div> %d, %s
    %g = qc.binary <mul> %n, %gamma      // optional, constant
    %y = qc.add %g, %beta                // optional, constant
    // becomes
    %y = qc.layer_norm %x, %gamma, %beta {axis = 2, epsilon = ...}
    ```

    GELU: `x * 0.5 * (1 + erf(x / sqrt(2)))` in the operand orders and
    groupings exporters write (`(x * 0.5) * (...)`, `x * ((...) * 0.5)`,
    `x * (...) * 0.5`, division by sqrt(2) or multiplication by
    1/sqrt(2)) becomes `qc.unary <gelu>`.

    The reductions must run over the trailing axes with `keepdims`, the
    constants must be constants (epsilon a single value, gamma and beta
    broadcasting to the normalized axes); anything else is left unchanged.
    The fused op takes the location (and so the tensor name) of the last op
    it replaces.
  }];
}

def QCDynamicQuantize : Pass<"qc-dynamic-quantize", "mlir::func::FuncOp"> {
  let summary = "Quantizes activations at run time (dynamic quantization)";
  let description = [{
    Rewrites every float `qc.fully_connected` and `qc.conv` with a constant
    weight into the pattern ONNX Runtime's dynamic quantizer writes: the
    input is quantized to uint8 with its own range at run time
    (`qc.dynamic_quantize`), multiplied with the int8 symmetric weights (per
    output channel unless `per-channel=false`) in exact int32
    (`qc.matmul_integer` / `qc.conv_integer`), and the accumulator is scaled
    back to float by `input_scale * weight_scale[channel]` before the float
    bias and activation:

    ```mlir
    %y = qc.fully_connected %x, %w, %b activation <relu> : ...
    // becomes
    %q, %s, %zp = qc.dynamic_quantize %x : ...
    %acc = qc.matmul_integer %q, %wq_t, %zp, %c0 {lhs_unsigned} : ...
    %f = qc.cast %acc : (tensor<1x4xi32>) -> tensor<1x4xf32>
    %scale = qc.binary <mul> %s, %w_scales : ...
    %yf = qc.binary <mul> %f, %scale : ...
    %y = qc.add %yf, %b activation <relu> : ...
    ```

    No calibration is needed. `exclude-nodes` / `exclude-op-types` keep ops
    in float as in `qc-insert-qdq`.
  }];
  let options = [
    Option<"perChannel", "per-channel", "bool", "true",
           "Quantize weights per output channel (else per tensor)">,
    ListOption<"excludeNodes", "exclude-nodes", "std::string",
               "Nodes kept in float (ONNX node or output tensor names)">,
    ListOption<"excludeOpTypes", "exclude-op-types", "std::string",
               "Operator types kept in float (ONNX or qc op names)">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect"];
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
