// RUN: quantc-opt %s | quantc-opt | FileCheck %s

// Round trip of the integer ops with explicit zero points.

// CHECK-LABEL: func @integer_ops
// CHECK: %[[Q:.*]], %[[S:.*]], %[[Z:.*]] = qc.dynamic_quantize %arg0 : (tensor<4x8xf32>) -> (tensor<4x8xi8>, tensor<f32>, tensor<i8>)
// CHECK: %[[M:.*]] = qc.matmul_integer %[[Q]], %arg1, %[[Z]], %arg2 {lhs_unsigned} : (tensor<4x8xi8>, tensor<2x8x3xi8>, tensor<i8>, tensor<3xi8>) -> tensor<2x4x3xi32>
// CHECK: qc.cast %[[M]] : (tensor<2x4x3xi32>) -> tensor<2x4x3xf32>
// CHECK: qc.conv_integer %arg3, %arg4, %arg5, %arg6 {dilations = array<i64: 1, 1>, group = 1 : i64, input_unsigned, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x5x5xi8>, tensor<2x3x3x3xi8>, tensor<i8>, tensor<2xi8>) -> tensor<1x2x5x5xi32>
// CHECK: qc.cast %arg3 {input_unsigned} : (tensor<1x3x5x5xi8>) -> tensor<1x3x5x5xi32>
func.func @integer_ops(%x: tensor<4x8xf32>, %b: tensor<2x8x3xi8>, %bzp: tensor<3xi8>,
                       %c: tensor<1x3x5x5xi8>, %w: tensor<2x3x3x3xi8>, %czp: tensor<i8>,
                       %wzp: tensor<2xi8>) -> (tensor<2x4x3xf32>, tensor<1x2x5x5xi32>, tensor<1x3x5x5xi32>) {
  %q, %s, %z = qc.dynamic_quantize %x : (tensor<4x8xf32>) -> (tensor<4x8xi8>, tensor<f32>, tensor<i8>)
  %m = qc.matmul_integer %q, %b, %z, %bzp {lhs_unsigned} : (tensor<4x8xi8>, tensor<2x8x3xi8>, tensor<i8>, tensor<3xi8>) -> tensor<2x4x3xi32>
  %f = qc.cast %m : (tensor<2x4x3xi32>) -> tensor<2x4x3xf32>
  %cv = qc.conv_integer %c, %w, %czp, %wzp {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, input_unsigned} : (tensor<1x3x5x5xi8>, tensor<2x3x3x3xi8>, tensor<i8>, tensor<2xi8>) -> tensor<1x2x5x5xi32>
  %e = qc.cast %c {input_unsigned} : (tensor<1x3x5x5xi8>) -> tensor<1x3x5x5xi32>
  return %f, %cv, %e : tensor<2x4x3xf32>, tensor<1x2x5x5xi32>, tensor<1x3x5x5xi32>
}
