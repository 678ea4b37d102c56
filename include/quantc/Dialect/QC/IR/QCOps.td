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
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Dialect/Quant/IR/QuantBase.td"

def QC_Dialect : Dialect {
  let name = "qc";
  let cppNamespace = "::quantc::qc";
  let summary = "Neural-network graph ops on float and quantized tensors";
  let description = [{
    The `qc` dialect holds an imported model: a `func.func` of qc ops over
    ranked, statically shaped tensors. Each op accepts either `f32` tensors
    or tensors of upstream `!quant.uniform` element types; the verifier
    checks that the two kinds are not mixed in one op, that every
    quantization scale is finite and positive (`QC_FiniteQuantScales`:
    upstream's type verifier lets a NaN scale through) and that quantized
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

// Every qc op checks that the `!quant.uniform` types of its operands and
// results have finite, positive scales: upstream's type verifier lets a NaN
// scale through.
def QC_FiniteQuantScales : NativeOpTrait<"FiniteQuantScales"> {
  let cppNamespace = "::quantc::qc::QCOpTrait";
}

class QC_Op<string mnemonic, list<Trait> traits = []>
    : Op<QC_Dialect, mnemonic, !listconcat(traits, [QC_FiniteQuantScales])>;

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def QC_ActivationKind : I32EnumAttr<"Activation", "activation fused into an op", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Relu", 1, "relu">,
    I32EnumAttrCase<"Relu6", 2, "relu6">
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::quantc::qc";
}

def QC_ActivationAttr : EnumAttr<QC_Dialect, QC_ActivationKind, "activation"> {
  let summary = "An activation function applied to an op's result";
  let assemblyFormat = "`<` $value `>`";
}


def QC_UnaryKind : I32EnumAttr<"UnaryKind", "element-wise unary function", [
    I32EnumAttrCase<"Neg", 0, "neg">,
    I32EnumAttrCase<"Abs", 1, "abs">,
    I32EnumAttrCase<"Exp", 2, "exp">,
    I32EnumAttrCase<"Log", 3, "log">,
    I32EnumAttrCase<"Sqrt", 4, "sqrt">,
    I32EnumAttrCase<"Reciprocal", 5, "reciprocal">,
    I32EnumAttrCase<"Sigmoid", 6, "sigmoid">,
    I32EnumAttrCase<"Tanh", 7, "tanh">,
    I32EnumAttrCase<"Erf", 8, "erf">,
    I32EnumAttrCase<"Gelu", 9, "gelu">,
    I32EnumAttrCase<"GeluTanh", 10, "gelu_tanh">,
    I32EnumAttrCase<"HardSigmoid", 11, "hard_sigmoid">,
    I32EnumAttrCase<"HardSwish", 12, "hard_swish">,
    I32EnumAttrCase<"LeakyRelu", 13, "leaky_relu">,
    I32EnumAttrCase<"Clip", 14, "clip">,
    I32EnumAttrCase<"Elu", 15, "elu">,
    I32EnumAttrCase<"Selu", 16, "selu">,
    I32EnumAttrCase<"Softplus", 17, "softplus">,
    I32EnumAttrCase<"Softsign", 18, "softsign">
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::quantc::qc";
}
def QC_UnaryKindAttr : EnumAttr<QC_Dialect, QC_UnaryKind, "unary_kind"> {
  let summary = "An element-wise unary function";
  let assemblyFormat = "`<` $value `>`";
}

def QC_BinaryKind : I32EnumAttr<"BinaryKind", "element-wise binary function", [
    I32EnumAttrCase<"Sub", 0, "sub">,
    I32EnumAttrCase<"Mul", 1, "mul">,
    I32EnumAttrCase<"Div", 2, "div">,
    I32EnumAttrCase<"Max", 3, "max">,
    I32EnumAttrCase<"Min", 4, "min">,
    I32EnumAttrCase<"Pow", 5, "pow">,
    I32EnumAttrCase<"PRelu", 6, "prelu">
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::quantc::qc";
}
def QC_BinaryKindAttr : EnumAttr<QC_Dialect, QC_BinaryKind, "binary_kind"> {
  let summary = "An element-wise binary function";
  let assemblyFormat = "`<` $value `>`";
}

def QC_PoolKind : I32EnumAttr<"PoolKind", "pooling reduction", [
    I32EnumAttrCase<"Max", 0, "max">,
    I32EnumAttrCase<"Avg", 1, "avg">
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::quantc::qc";
}
def QC_PoolKindAttr : EnumAttr<QC_Dialect, QC_PoolKind, "pool_kind"> {
  let summary = "The reduction of a pooling window";
  let assemblyFormat = "`<` $value `>`";
}

def QC_ReduceKind : I32EnumAttr<"ReduceKind", "reduction", [
    I32EnumAttrCase<"Sum", 0, "sum">,
    I32EnumAttrCase<"Mean", 1, "mean">,
    I32EnumAttrCase<"Max", 2, "max">,
    I32EnumAttrCase<"Min", 3, "min">
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::quantc::qc";
}
def QC_ReduceKindAttr : EnumAttr<QC_Dialect, QC_ReduceKind, "reduce_kind"> {
  let summary = "A reduction over tensor axes";
  let assemblyFormat = "`<` $value `>`";
}

def QC_PadMode : I32EnumAttr<"PadMode", "padding mode", [
    I32EnumAttrCase<"Constant", 0, "constant">,
    I32EnumAttrCase<"Reflect", 1, "reflect">,
    I32EnumAttrCase<"Edge", 2, "edge">
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::quantc::qc";
}
def QC_PadModeAttr : EnumAttr<QC_Dialect, QC_PadMode, "pad_mode"> {
  let summary = "How padded elements are filled";
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
  let summary = "Batched matrix product of two float tensors";
  let description = [{
    `result[..., m, n] = sum_k lhs[..., m, k] * rhs[..., k, n]` for operands
    of rank >= 2 whose batch dimensions broadcast NumPy-style, for operands
    that are both activations (a constant 2-D right-hand side is imported as
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

def QC_ConvOp : QC_Op<"conv", [Pure]> {
  let summary = "N-d grouped convolution with bias and activation";
  let description = [{
    ONNX `Conv` semantics for any number of spatial dimensions (1-D, 2-D,
    3-D): the input is `[N, C, D1, ...]`, the weight `[F, C / group, K1, ...]`
    and the result `[N, F, O1, ...]` with
    `O_i = (D_i + pads[i] + pads[S + i] - dilations[i] * (K_i - 1) - 1)
           / strides[i] + 1`.
    `pads` holds the begin paddings of the S spatial dimensions, then the
    end paddings; padded elements are zero (in the real domain: the zero
    point when quantized). `group` = C = F is a depthwise convolution.

    The quantized form follows `qc.fully_connected`: per-tensor int8 input
    and result, symmetric int8 weight (per tensor or per output channel),
    int32 bias with scale `s_input * s_weight[f]`.

    ```mlir
    %y = qc.conv %x, %w, %b {strides = array<i64: 1, 1>,
        dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
        group = 1 : i64} activation <relu>
        : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>)
        -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins QC_Tensor:$input, QC_Tensor:$weight,
                       Optional<QC_Tensor>:$bias,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       I64Attr:$group,
                       DefaultValuedAttr<QC_ActivationAttr,
                         "::quantc::qc::Activation::None">:$fused_activation);
  let results = (outs QC_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? (`activation` $fused_activation^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_ConvTransposeOp : QC_Op<"conv_transpose", [Pure]> {
  let summary = "N-d grouped transposed convolution (float)";
  let description = [{
    ONNX `ConvTranspose`: input `[N, C, D1, ...]`, weight
    `[C, F / group, K1, ...]`, result `[N, F, O1, ...]` with
    `O_i = strides[i] * (D_i - 1) + output_padding[i]
           + dilations[i] * (K_i - 1) + 1 - pads[i] - pads[S + i]`.

    ```mlir
    %y = qc.conv_transpose %x, %w {strides = array<i64: 2, 2>,
        dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
        output_padding = array<i64: 0, 0>, group = 1 : i64}
        : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$input,
                       RankedTensorOf<[F32]>:$weight,
                       Optional<RankedTensorOf<[F32]>>:$bias,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$output_padding,
                       I64Attr:$group);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_PoolOp : QC_Op<"pool", [Pure]> {
  let summary = "N-d max or average pooling";
  let description = [{
    ONNX `MaxPool` / `AveragePool` over the spatial dimensions of an
    `[N, C, D1, ...]` tensor. `pads` holds begin then end paddings. With
    `ceil_mode` the output size rounds up, and windows may run past the
    end padding; those positions are ignored. An average divides by the
    number of window positions inside the input, or inside the padded input
    when `count_include_pad` is set (never counting positions past the
    padding). Max pooling ignores padding.

    On quantized tensors, max pooling requires the input and result types
    to be equal and works on the stored integers.

    With `channels_last` the input and result are `[N, D1, ..., C]` (the
    channels-last tensors between packed convolutions, `qc-pack-weights`).

    ```mlir
    %y = qc.pool <max> %x {kernel = array<i64: 3, 3>,
        strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
        pads = array<i64: 1, 1, 1, 1>}
        : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
    ```
  }];
  let arguments = (ins QC_PoolKindAttr:$kind, QC_Tensor:$input,
                       DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       UnitAttr:$ceil_mode,
                       UnitAttr:$count_include_pad,
                       UnitAttr:$channels_last);
  let results = (outs QC_Tensor:$result);
  let assemblyFormat = [{
    $kind $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_UnaryOp : QC_Op<"unary", [Pure, SameOperandsAndResultType]> {
  let summary = "Element-wise unary function (float)";
  let description = [{
    Applies `kind` to every element. `alpha` and `beta` parameterize some
    kinds, as in ONNX: `leaky_relu` (alpha = slope), `clip` (alpha = min,
    beta = max), `hard_sigmoid` (max(0, min(1, alpha * x + beta))), `elu`
    (alpha), `selu` (alpha, beta = gamma). `gelu` is the exact
    `x * (1 + erf(x / sqrt(2))) / 2`, `gelu_tanh` its tanh approximation.

    ```mlir
    %y = qc.unary <clip> %x {alpha = 0.0 : f32, beta = 6.0 : f32}
        : tensor<1x8xf32>
    ```
  }];
  let arguments = (ins QC_UnaryKindAttr:$kind, RankedTensorOf<[F32]>:$input,
                       DefaultValuedAttr<F32Attr, "0.0f">:$alpha,
                       DefaultValuedAttr<F32Attr, "0.0f">:$beta);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $kind $input attr-dict `:` type($result)
  }];
  // clip(0, 6) after conv, fully_connected or add fuses as `relu6`.
  let hasCanonicalizer = 1;
}

def QC_BinaryOp : QC_Op<"binary", [Pure]> {
  let summary = "Element-wise binary function with broadcasting (float)";
  let description = [{
    `result = kind(lhs, rhs)`, broadcasting NumPy-style. `prelu` is
    `lhs < 0 ? lhs * rhs : lhs` (rhs is the slope). `pow` is `lhs ** rhs`.

    ```mlir
    %y = qc.binary <mul> %a, %b
        : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins QC_BinaryKindAttr:$kind, RankedTensorOf<[F32]>:$lhs,
                       RankedTensorOf<[F32]>:$rhs);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $kind $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_SoftmaxOp : QC_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Softmax or log-softmax along one axis (float)";
  let description = [{
    `exp(x - max) / sum(exp(x - max))` along `axis` (opset >= 13
    semantics; the importer reshapes for the older flattening semantics).
    With `log`, the result is `x - max - log(sum(exp(x - max)))`.

    ```mlir
    %y = qc.softmax %x {axis = 1 : i64} : tensor<2x10xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$input, I64Attr:$axis,
                       UnitAttr:$log);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def QC_BatchNormOp : QC_Op<"batch_norm", [Pure]> {
  let summary = "Per-channel affine transform (inference batch norm)";
  let description = [{
    `result[n, c, ...] = input[n, c, ...] * scale[c] + shift[c]`: ONNX
    `BatchNormalization` in inference mode with `scale = gamma /
    sqrt(var + eps)` and `shift = beta - mean * scale` precomputed.
    Canonicalization folds it into a preceding `qc.conv` or
    `qc.fully_connected` with constant weights.

    ```mlir
    %y = qc.batch_norm %x, %scale, %shift
        : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
        -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$input,
                       RankedTensorOf<[F32]>:$scale,
                       RankedTensorOf<[F32]>:$shift);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $shift attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def QC_LayerNormOp : QC_Op<"layer_norm", [Pure]> {
  let summary = "Layer normalization over the trailing axes (float)";
  let description = [{
    Normalizes over the axes `[axis, rank)`:
    `(x - mean) / sqrt(var + epsilon) * scale + bias`, with the biased
    variance; `scale` and `bias` broadcast against those trailing axes.

    ```mlir
    %y = qc.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-5 : f32}
        : (tensor<1x4x8xf32>, tensor<8xf32>, tensor<8xf32>)
        -> tensor<1x4x8xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$input,
                       RankedTensorOf<[F32]>:$scale,
                       Optional<RankedTensorOf<[F32]>>:$bias,
                       I64Attr:$axis, F32Attr:$epsilon);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_ReduceOp : QC_Op<"reduce", [Pure]> {
  let summary = "Sum, mean, max or min over axes (float)";
  let description = [{
    Reduces `axes` (sorted, non-negative). The result keeps them as
    size-1 dimensions when `keepdims` is set and drops them otherwise.

    ```mlir
    %m = qc.reduce <mean> %x {axes = array<i64: 2>, keepdims}
        : (tensor<1x4x8xf32>) -> tensor<1x4x1xf32>
    ```
  }];
  let arguments = (ins QC_ReduceKindAttr:$kind, RankedTensorOf<[F32]>:$input,
                       DenseI64ArrayAttr:$axes, UnitAttr:$keepdims);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $kind $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_ConcatOp : QC_Op<"concat", [Pure]> {
  let summary = "Concatenation along an axis";
  let description = [{
    Joins the inputs along `axis`. On quantized tensors every input and the
    result must have the same element type.

    ```mlir
    %y = qc.concat %a, %b {axis = 1 : i64}
        : (tensor<1x2x4xf32>, tensor<1x3x4xf32>) -> tensor<1x5x4xf32>
    ```
  }];
  let arguments = (ins Variadic<QC_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs QC_Tensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_TransposeOp : QC_Op<"transpose", [Pure]> {
  let summary = "Permutes dimensions";
  let description = [{
    `result` dimension `i` is `input` dimension `perm[i]`. Element type
    (and quantization parameters) unchanged.

    ```mlir
    %y = qc.transpose %x {perm = array<i64: 0, 2, 1>}
        : (tensor<1x2x3xf32>) -> tensor<1x3x2xf32>
    ```
  }];
  let arguments = (ins QC_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs QC_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def QC_PadOp : QC_Op<"pad", [Pure]> {
  let summary = "Constant, reflect or edge padding";
  let description = [{
    ONNX `Pad`: `pads` holds the begin padding of every dimension, then the
    end padding (all non-negative). `constant` fills with `value`,
    `reflect` mirrors without repeating the edge, `edge` repeats it.

    ```mlir
    %y = qc.pad <reflect> %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>,
        value = 0.0 : f32}
        : (tensor<1x1x4x4xf32>) -> tensor<1x1x6x6xf32>
    ```
  }];
  let arguments = (ins QC_PadModeAttr:$mode, RankedTensorOf<[F32]>:$input,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<F32Attr, "0.0f">:$value);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $mode $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_SliceOp : QC_Op<"slice", [Pure]> {
  let summary = "Strided slice with static offsets";
  let description = [{
    `result[i...] = input[offsets + i * steps...]` for every dimension,
    with the result shape giving the sizes. Steps may be negative.

    ```mlir
    %y = qc.slice %x {offsets = array<i64: 0, 2>, steps = array<i64: 1, 1>}
        : (tensor<2x8xf32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins QC_Tensor:$input, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$steps);
  let results = (outs QC_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_GatherOp : QC_Op<"gather", [Pure]> {
  let summary = "Gathers slices of a tensor along an axis by index";
  let description = [{
    ONNX `Gather`: the result shape is
    `data.shape[:axis] + indices.shape + data.shape[axis + 1:]`. Negative
    indices count from the end; indices out of range are clamped to it
    (ONNX leaves them undefined).

    ```mlir
    %e = qc.gather %table, %ids {axis = 0 : i64}
        : (tensor<10x4xf32>, tensor<1x3xi64>) -> tensor<1x3x4xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$data,
                       RankedTensorOf<[I64, I32]>:$indices, I64Attr:$axis);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $data `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Integer ops with explicit zero points (ONNX DynamicQuantizeLinear,
// MatMulInteger, ConvInteger, Cast). Their operands are plain integer
// tensors, not !quant.uniform: the quantization parameters are runtime
// values. 8-bit tensors are signless `i8`; an operand that holds uint8
// values (bit patterns 0..255) is marked by a `*_unsigned` unit attribute.
//===----------------------------------------------------------------------===//

def QC_DynamicQuantizeOp : QC_Op<"dynamic_quantize", [Pure]> {
  let summary = "Quantizes a float tensor to uint8 with its own range (ONNX "
                "DynamicQuantizeLinear)";
  let description = [{
    Exact ONNX `DynamicQuantizeLinear` semantics, all in float32:

        lo = min(0, min(x)), hi = max(0, max(x))      (NaN elements ignored)
        scale = (hi - lo) / 255, or 1 when hi == lo (all-zero input, as
                ONNX Runtime does)
        zero_point = clamp(rne(0 - lo / scale), 0, 255)
        result = clamp(rne(x / scale) + zero_point, 0, 255)

    where `rne` rounds half to even and `x / scale` is one float32 division
    (NaN elements quantize to 0). The result and the zero point are
    **uint8 values stored in signless `i8`** (bit patterns 0..255); every op
    that consumes them must be told so (`lhs_unsigned` on
    `qc.matmul_integer`, `input_unsigned` on `qc.conv_integer` and
    `qc.cast`). The scale and zero point are 0-d tensors.

    ```mlir
    %q, %s, %zp = qc.dynamic_quantize %x
        : (tensor<4x8xf32>) -> (tensor<4x8xi8>, tensor<f32>, tensor<i8>)
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$input);
  let results = (outs RankedTensorOf<[I8]>:$result,
                      0DTensorOf<[F32]>:$scale,
                      0DTensorOf<[I8]>:$zero_point);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_MatMulIntegerOp : QC_Op<"matmul_integer", [Pure]> {
  let summary = "Batched integer matrix product with zero points (ONNX "
                "MatMulInteger)";
  let description = [{
    `result[..., m, n] = sum_k (lhs[..., m, k] - lhs_zp[m]) *
                               (rhs[..., k, n] - rhs_zp[n])`
    accumulated exactly in int32. Operands are 8-bit, signed or unsigned
    (`lhs_unsigned` / `rhs_unsigned`; a zero point has the signedness of its
    operand), of rank >= 2 with batch dimensions that broadcast NumPy-style.
    `lhs_zero_point` is a scalar (0-d or one element) or one value per row
    of `lhs` (1-D of size M); `rhs_zero_point` a scalar or one value per
    column of `rhs` (1-D of size N). The sums are exact while
    `K * 255 * 255 < 2^31` (K < 33,000).

    ```mlir
    %y = qc.matmul_integer %a, %b, %azp, %bzp {lhs_unsigned}
        : (tensor<4x8xi8>, tensor<8x3xi8>, tensor<i8>, tensor<3xi8>)
        -> tensor<4x3xi32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8]>:$lhs, RankedTensorOf<[I8]>:$rhs,
                       RankedTensorOf<[I8]>:$lhs_zero_point,
                       RankedTensorOf<[I8]>:$rhs_zero_point,
                       UnitAttr:$lhs_unsigned, UnitAttr:$rhs_unsigned);
  let results = (outs RankedTensorOf<[I32]>:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $lhs_zero_point `,` $rhs_zero_point attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_ConvIntegerOp : QC_Op<"conv_integer", [Pure]> {
  let summary = "N-d grouped integer convolution with zero points (ONNX "
                "ConvInteger)";
  let description = [{
    The window arithmetic of `qc.conv` (same `strides`, `dilations`, `pads`,
    `group` attributes and result shape) on 8-bit operands:

        result[n, f, o...] = sum_{c, k...} (input[n, g*Cg + c, o*s + k*d] - input_zp)
                                          * (weight[f, c, k...] - weight_zp[f])

    accumulated exactly in int32; padded input elements equal the input
    zero point, i.e. contribute 0. `input_zero_point` is a scalar (0-d or
    one element), `weight_zero_point` a scalar or one value per output
    channel (1-D of size F). `input_unsigned` / `weight_unsigned` mark uint8
    operands (the zero points have the signedness of their operand).

    ```mlir
    %y = qc.conv_integer %x, %w, %xzp, %wzp {strides = array<i64: 1, 1>,
        dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
        group = 1 : i64, input_unsigned}
        : (tensor<1x3x8x8xi8>, tensor<4x3x3x3xi8>, tensor<i8>, tensor<i8>)
        -> tensor<1x4x6x6xi32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8]>:$input,
                       RankedTensorOf<[I8]>:$weight,
                       RankedTensorOf<[I8]>:$input_zero_point,
                       RankedTensorOf<[I8]>:$weight_zero_point,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       I64Attr:$group,
                       UnitAttr:$input_unsigned, UnitAttr:$weight_unsigned);
  let results = (outs RankedTensorOf<[I32]>:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $input_zero_point `,` $weight_zero_point attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_CastOp : QC_Op<"cast", [Pure]> {
  let summary = "Element type conversion of an integer tensor (ONNX Cast)";
  let description = [{
    Converts each element of an `i8` or `i32` tensor to `f32` (exactly for
    |v| <= 2^24, otherwise rounded to nearest even) or an `i8` tensor to
    `i32` (exact). `input_unsigned` reads 8-bit input as uint8 (0..255).

    ```mlir
    %f = qc.cast %acc : (tensor<4x3xi32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8, I32]>:$input,
                       UnitAttr:$input_unsigned);
  let results = (outs RankedTensorOf<[F32, I32]>:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QC_CodebookLookupOp : QC_Op<"codebook_lookup", [Pure]> {
  let summary = "A clustered weight: codebook indices looked up in a table";
  let description = [{
    The float weight of a clustered layer (`qc-cluster-weights`). `indices`
    holds one unsigned `bits`-bit codebook index per result element, in
    row-major order of the result: with `bits = 8` one byte per element;
    with `bits = 4` two per byte, the even element in the low nibble and the
    odd one in the high nibble (a last odd element leaves the high nibble
    zero). The codebook is `[K]` (one table for the tensor) or `[C, K]` (one
    table per index of result dimension 0, `C` = that size); `K` is at most
    `2^bits`. Element `i` of the result, in channel `c`, is
    `codebook[c][indices[i]]`; an index at or past `K` reads entry `K - 1`.

    ```mlir
    %w = qc.codebook_lookup %idx, %table {bits = 4 : i64}
        : (tensor<4xi8>, tensor<16xf32>) -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins 1DTensorOf<[I8]>:$indices,
                       RankedTensorOf<[F32]>:$codebook,
                       ConfinedAttr<I64Attr, [IntIsOneOf<[4, 8]>]>:$bits);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $indices `,` $codebook attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Kernel layer
//===----------------------------------------------------------------------===//

def QC_PackedConv2DOp : QC_Op<"packed_conv2d", [
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "int8 NHWC convolution on weights packed for one microkernel";
  let description = [{
    The integer core of a quantized `qc.conv` (2-D, `group` 1 or depthwise)
    or `qc.fully_connected` (as a 1x1 convolution over `[1, 1, M, K]`),
    after `qc-pack-weights` chose the target's microkernel. The input and
    result are channels-last (`[N, H, W, C]` and `[N, OH, OW, F]`), storage
    (signed) 8-bit codes; `weights` is a 1-D constant in the exact order the
    microkernel reads it, and `bias`, `multiplier`, `shift` hold, per output
    channel padded to the tile, the int32 accumulator start (the float bias
    with every zero-point and unsigned-shift correction folded in) and the
    fixed-point requantization multiplier and shift of
    docs/quantization.md. The op computes

        acc[p, f]  = bias[f] + sum_{kh, kw, c} a(p, kh, kw, c) * W[f, c, kh, kw]
        result[p, f] = clamp(((acc * M[f] + 2^(S[f]-1)) >> S[f]) + zp_out,
                             clamp_min, clamp_max)

    where `a` is the input code (`input_zero_point` in the padding), plus
    128 for the `avx512vnni`/`avxvnni` kernels (`vpdpbusd` is unsigned x
    signed). `isa` fixes the layout (docs/design.md, "Kernel layer"):

    * `avx512vnni` / `avxvnni`: K groups of 4 bytes; channel blocks of 64
      (16 for `avxvnni`) then one narrower tail block of whole vectors; each
      block `[KH*KW][Cp/4][block][4]` with `Cp` = C rounded up to 4.
    * `avx2`: the same with K groups of 2 int16 weights (`vpmaddwd`),
      blocks of 16, `Cp` = C rounded up to 2.
    * `depthwise`: int32 weights `[KH*KW][Cv]`, `Cv` = C rounded up to the
      vector width (16 with AVX-512, else 8).

    `narrow_requant` says that `qc-pack-weights` proved
    `(acc * M + 2^(S-1)) >> S` within int32 for every input (from the
    weights, the bias and the input range), so the epilogue may narrow it
    to 32 bits before the zero point and the clamp; the result is the same.

    It works on tensors (with a result) and, after bufferization, on
    memrefs; `qc-lower-packed-kernels` writes the loops and microkernels.

    ```mlir
    %y = qc.packed_conv2d ins(%x, %w, %b, %m, %s
        : tensor<1x8x8x16xi8>, tensor<9216xi8>, tensor<64xi32>,
          tensor<64xi32>, tensor<64xi32>)
        outs(%init : tensor<1x8x8x64xi8>)
        {isa = "avx512vnni", kernel = array<i64: 3, 3>,
         strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
         pads = array<i64: 1, 1, 1, 1>, input_zero_point = -3 : i64,
         output_zero_point = -128 : i64, clamp_min = -128 : i64,
         clamp_max = 127 : i64} -> tensor<1x8x8x64xi8>
    ```
  }];
  let arguments = (ins AnyShaped:$input, AnyShaped:$weights,
                       AnyShaped:$bias, AnyShaped:$multiplier,
                       AnyShaped:$shift, AnyShaped:$init,
                       StrAttr:$isa, UnitAttr:$depthwise,
                       DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       I64Attr:$input_zero_point,
                       I64Attr:$output_zero_point,
                       I64Attr:$clamp_min, I64Attr:$clamp_max,
                       UnitAttr:$narrow_requant);
  let results = (outs Variadic<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    `ins` `(` $input `,` $weights `,` $bias `,` $multiplier `,` $shift `:`
      type($input) `,` type($weights) `,` type($bias) `,` type($multiplier)
      `,` type($shift) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict (`->` type($result)^)?
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return ::mlir::MutableOperandRange(getInitMutable());
    }
  }];
  let hasVerifier = 1;
}

#endif // QUANTC_DIALECT_QC_IR_QCOPS_TD
