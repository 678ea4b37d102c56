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

#endif // QUANTC_DIALECT_QC_TRANSFORMS_PASSES_TD
