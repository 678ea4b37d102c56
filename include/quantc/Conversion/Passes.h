//===- Passes.h - conversions out of the qc dialect -------------*- C++ -*-===//

#ifndef QUANTC_CONVERSION_PASSES_H
#define QUANTC_CONVERSION_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

namespace quantc {

#define GEN_PASS_DECL
#include "quantc/Conversion/Passes.h.inc"

/// Converts tensors of quantized element types to tensors of their storage
/// types and leaves every other type alone.
class QuantStorageTypeConverter : public mlir::TypeConverter {
public:
  QuantStorageTypeConverter();
};

/// Adds the patterns that lower qc ops and quant casts to linalg.
void populateQCToLinalgPatterns(QuantStorageTypeConverter &converter,
                                mlir::RewritePatternSet &patterns);

/// The patterns for convolution, pooling, normalization, element-wise and
/// data-movement ops (part of populateQCToLinalgPatterns).
void populateQCNNToLinalgPatterns(QuantStorageTypeConverter &converter,
                                  mlir::RewritePatternSet &patterns);

/// Softmax over the last axis and layer_norm over short trailing rows as
/// vector row kernels (scf.for over rows), absorbing a per-tensor dcast
/// before and qcast after the op. Greedy patterns that convert-qc-to-linalg
/// applies before its dialect conversion.
void populateQCRowwiseToVectorPatterns(mlir::RewritePatternSet &patterns);

/// 8-bit transposes that swap two groups of trailing dimensions (NCHW <->
/// NHWC) as 16 x 16 byte blocks transposed in registers (part of
/// populateQCToLinalgPatterns).
void populateQCTransposeToVectorPatterns(QuantStorageTypeConverter &converter,
                                         mlir::RewritePatternSet &patterns);

/// Float qc.matmul with static, unbroadcast operands and n a multiple of 16
/// as register-tiled vector loops (part of populateQCToLinalgPatterns).
void populateQCFloatMatMulToVectorPatterns(QuantStorageTypeConverter &converter,
                                           mlir::RewritePatternSet &patterns);

/// The patterns for the integer ops with explicit zero points
/// (dynamic_quantize, matmul_integer, conv_integer, cast; part of
/// populateQCNNToLinalgPatterns).
void populateQCIntegerToLinalgPatterns(QuantStorageTypeConverter &converter,
                                       mlir::RewritePatternSet &patterns);
/// The table-lookup lowering of qc.codebook_lookup (part of
/// populateQCToLinalgPatterns).
void populateCodebookToLinalgPatterns(QuantStorageTypeConverter &converter,
                                      mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "quantc/Conversion/Passes.h.inc"

} // namespace quantc

#endif // QUANTC_CONVERSION_PASSES_H
