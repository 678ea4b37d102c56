//===- Passes.td - conversions out of the qc dialect --------*- tablegen -*-===//

#ifndef QUANTC_CONVERSION_PASSES_TD
#define QUANTC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertQCToLinalg : Pass<"convert-qc-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lowers qc ops and quant casts to linalg on integer tensors";
  let description = [{
    Float qc ops become `linalg.generic` / `linalg.matmul` on f32 tensors.
    Quantized ops become integer arithmetic on their storage types
    (`i8`, `i32`): a fully connected layer is an `i8 x i8 -> i32`
    contraction along the contiguous input-feature dimension, initialised
    with the bias (zero-point correction folded in at compile time),
    followed by an element-wise requantization epilogue with per-channel
    multiplier and shift (docs/quantization.md). `quant.qcast` and
    `quant.dcast` become element-wise conversions; `quant.scast` of a
    constant folds into an integer constant.

    ```mlir
    %y = qc.relu %x : (tensor<4xf32>) -> tensor<4xf32>
    // becomes
    %e = tensor.empty() : tensor<4xf32>
    %y = linalg.generic {...} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
      ^bb0(%in: f32, %out: f32):
        %m = arith.maximumf %in, %zero : f32
        linalg.yield %m : f32
    } -> tensor<4xf32>
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::math::MathDialect", "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

#endif // QUANTC_CONVERSION_PASSES_TD
