//===- QCOps.td - The qc dialect: ops on float and quantized tensors -----===//
//
// Every qc op works on float tensors and on tensors whose elements are
// upstream `!quant.uniform` types. Quantizing a model is a rewrite of the
// types around an op, not a second op set.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTC_DIALECT_QC_IR_QCOPS_TD
#define QUANTC_DIALECT_QC_IR_QCOPS_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Dialect/Quant/IR/QuantBase.td"

def QC_Dialect : Dialect {
  let name = "qc";
  let cppNamespace = "::quantc::qc";
  let summary = "Neural-network graph ops on float and quantized tensors";
  let description = [{
    The `qc` dialect holds an imported model: a `func.func` of qc ops over
    ranked, statically shaped tensors. Each op accepts either `f32` tensors
    or tensors of upstream `!quant.uniform` element types; the verifier
    checks that the two kinds are not mixed in one op and that quantized
    operands obey the numerics of docs/quantization.md (symmetric int8
    weights, int32 bias with scale `s_in * s_w`).

    ```mlir
    %y = qc.fully_connected %x, %w, %b activation <relu>
        : (tensor<1x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<1x32xf32>
    ```
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::quant::QuantDialect",
                           "::mlir::arith::ArithDialect"];
  let hasConstantMaterializer = 1;
}

class QC_Op<string mnemonic, list<Trait> traits = []>
    : Op<QC_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def QC_ActivationKind : I32EnumAttr<"Activation", "activation fused into an op", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Relu", 1, "relu">
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::quantc::qc";
}

def QC_ActivationAttr : EnumAttr<QC_Dialect, QC_ActivationKind, "activation"> {
  let summary = "An activation function applied to an op's result";
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def QC_ElementType : AnyTypeOf<[F32, quant_QuantizedType]>;
def QC_Tensor : RankedTensorOf<[F32, quant_QuantizedType]>;

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

def QC_FullyConnectedOp : QC_Op<"fully_connected", [Pure]> {
  let summary = "Matrix product with a transposed weight, bias and activation";
  let description = [{
    Computes `result[m, n] = act(sum_k input[m, k] * weight[n, k] + bias[n])`.
    The weight is laid out `[out_features, in_features]`, like ONNX `Gemm`
    with `transB = 1` and PyTorch `Linear`, so that the reduction runs over
    the contiguous dimension of both operands.

    Float form:

    ```mlir
    %y = qc.fully_connected %x, %w, %b activation <relu>
        : (tensor<1x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<1x32xf32>
    ```

    Quantized form: the input and result are per-tensor `!quant.uniform`
    int8 tensors, the weight is int8 with storage range [-127, 127],
    symmetric, per tensor or per output channel (axis 0), and the bias is
    int32 with zero point 0 and scale `s_input * s_weight[n]`. Bias,
    activation and requantization to the result type are part of the op.

    ```mlir
    %y = qc.fully_connected %xq, %wq, %bq activation <relu>
        : (tensor<1x64x!quant.uniform<i8:f32, 0.05:-3>>,
           tensor<32x64x!quant.uniform<i8<-127:127>:f32:0, {...}>>,
           tensor<32x!quant.uniform<i32:f32:0, {...}>>)
        -> tensor<1x32x!quant.uniform<i8:f32, 0.1:-128>>
    ```
  }];
  let arguments = (ins QC_Tensor:$input, QC_Tensor:$weight,
                       Optional<QC_Tensor>:$bias,
                       DefaultValuedAttr<QC_ActivationAttr,
                         "::quantc::qc::Activation::None">:$fused_activation);
  let results = (outs QC_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? (`activation` $fused_activation^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_MatMulOp : QC_Op<"matmul", [Pure]> {
  let summary = "Plain 2-D matrix product of two float tensors";
  let description = [{
    `result[m, n] = sum_k lhs[m, k] * rhs[k, n]`, for operands that are both
    activations (a constant right-hand side is imported as
    `qc.fully_connected`). It stays in float in a quantized model.

    ```mlir
    %c = qc.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$lhs, RankedTensorOf<[F32]>:$rhs);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_AddOp : QC_Op<"add", [Pure, Commutative]> {
  let summary = "Element-wise sum with NumPy broadcasting and activation";
  let description = [{
    `result = act(lhs + rhs)`, broadcasting the operands as NumPy does. The
    result shape is the broadcast shape of the operands.

    On quantized tensors every operand and the result may have its own
    per-tensor scale and zero point; the sum is rescaled to the result type
    with the integer rule of docs/quantization.md.

    ```mlir
    %s = qc.add %a, %b activation <relu>
        : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
    ```
  }];
  let arguments = (ins QC_Tensor:$lhs, QC_Tensor:$rhs,
                       DefaultValuedAttr<QC_ActivationAttr,
                         "::quantc::qc::Activation::None">:$fused_activation);
  let results = (outs QC_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`activation` $fused_activation^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def QC_ReluOp : QC_Op<"relu", [Pure]> {
  let summary = "Rectified linear unit";
  let description = [{
    `result = max(input, 0)`. On quantized tensors, the input is rescaled to
    the result type and clamped at the result's zero point.

    Canonicalization folds a `qc.relu` into the `qc.fully_connected` or
    `qc.add` that produces its only operand:

    ```mlir
    %y = qc.fully_connected %x, %w : (...) -> tensor<1x4xf32>
    %r = qc.relu %y : (tensor<1x4xf32>) -> tensor<1x4xf32>
    // becomes
    %r = qc.fully_connected %x, %w activation <relu> : (...) -> tensor<1x4xf32>
    ```
  }];
  let arguments = (ins QC_Tensor:$input);
  let results = (outs QC_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def QC_ReshapeOp : QC_Op<"reshape", [Pure]> {
  let summary = "Reinterprets a tensor with another static shape";
  let description = [{
    Row-major reshape to the result type's shape; element count and element
    type (including its quantization parameters) are unchanged. ONNX
    `Reshape` and `Flatten` import as this op.

    ```mlir
    %f = qc.reshape %x : (tensor<1x1x8x8xf32>) -> tensor<1x64xf32>
    ```
  }];
  let arguments = (ins QC_Tensor:$input);
  let results = (outs QC_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

#endif // QUANTC_DIALECT_QC_IR_QCOPS_TD
