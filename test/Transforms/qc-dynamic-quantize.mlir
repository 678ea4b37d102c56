// RUN: quantc-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(qc-dynamic-quantize))" | FileCheck %s
// RUN: quantc-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(qc-dynamic-quantize{per-channel=false}))" | FileCheck %s --check-prefix=TENSOR
// RUN: quantc-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(qc-dynamic-quantize{exclude-op-types=conv}))" | FileCheck %s --check-prefix=EXCL

// Weights [[1, -0.5], [0.25, 0.127]] per channel: scales 1/127, 0.25/127;
// codes [[127, -64], [127, 65]], transposed to [K, N] for matmul_integer.
// CHECK-LABEL: func @fc
// CHECK: %[[Q:.*]], %[[S:.*]], %[[ZP:.*]] = qc.dynamic_quantize %arg0 : (tensor<1x2xf32>) -> (tensor<1x2xi8>, tensor<f32>, tensor<i8>)
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<0> : tensor<i8>
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[127, 127], [-64, 65]]> : tensor<2x2xi8>
// CHECK: %[[ACC:.*]] = qc.matmul_integer %[[Q]], %[[W]], %[[ZP]], %[[Z]] {lhs_unsigned} : (tensor<1x2xi8>, tensor<2x2xi8>, tensor<i8>, tensor<i8>) -> tensor<1x2xi32>
// CHECK: %[[F:.*]] = qc.cast %[[ACC]] : (tensor<1x2xi32>) -> tensor<1x2xf32>
// CHECK: %[[WS:.*]] = arith.constant dense<[0.00787401571, 0.00196850393]> : tensor<2xf32>
// CHECK: %[[SC:.*]] = qc.binary <mul> %[[S]], %[[WS]] : (tensor<f32>, tensor<2xf32>) -> tensor<2xf32>
// CHECK: %[[Y:.*]] = qc.binary <mul> %[[F]], %[[SC]]
// CHECK: %[[R:.*]] = qc.add %[[Y]], %{{.*}} activation <relu>
// CHECK: return %[[R]]
// TENSOR-LABEL: func @fc
// TENSOR: arith.constant dense<{{\[}}[127, 32], [-64, 16]]> : tensor<2x2xi8>
// TENSOR: arith.constant dense<0.00787401571> : tensor<1xf32>
func.func @fc(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, -0.5], [0.25, 0.127]]> : tensor<2x2xf32>
  %b = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %0 = qc.fully_connected %x, %w, %b activation <relu> : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// conv: conv_integer keeps the weight layout; scale and bias broadcast as
// [C, 1, 1] along the channel dimension.
// CHECK-LABEL: func @conv
// CHECK: qc.dynamic_quantize %arg0
// CHECK: qc.conv_integer {{.*}}input_unsigned{{.*}} -> tensor<1x2x3x3xi32>
// CHECK: qc.binary <mul> %{{.*}}, %{{.*}} : (tensor<f32>, tensor<2x1x1xf32>) -> tensor<2x1x1xf32>
// CHECK: qc.reshape %{{.*}} : (tensor<2xf32>) -> tensor<2x1x1xf32>
// CHECK: qc.add
// EXCL-LABEL: func @conv
// EXCL-NOT: qc.dynamic_quantize
// EXCL: qc.conv
func.func @conv(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0, 0.5], [0.0, -1.0]]], [[[0.25, 0.0], [0.0, 0.125]]]]> : tensor<2x1x2x2xf32>
  %b = arith.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %0 = qc.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}
