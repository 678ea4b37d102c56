// RUN: quantc-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @fuse_bias_and_relu
// CHECK-DAG: %[[W:.*]] = arith.constant dense<1.000000e+00> : tensor<2x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[R:.*]] = qc.fully_connected %arg0, %[[W]], %[[B]] activation <relu>
// CHECK-NEXT: return %[[R]]
func.func @fuse_bias_and_relu(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x3xf32>
  %b = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %0 = qc.fully_connected %x, %w : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  %1 = qc.add %0, %b : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %2 = qc.relu %1 : (tensor<1x2xf32>) -> tensor<1x2xf32>
  return %2 : tensor<1x2xf32>
}

// -----

// The relu keeps its own result when the producer has another use.
// CHECK-LABEL: func @no_fusion_with_two_uses
// CHECK: %[[A:.*]] = qc.add %arg0, %arg0 :
// CHECK: %[[R:.*]] = qc.relu %[[A]]
// CHECK: return %[[A]], %[[R]]
func.func @no_fusion_with_two_uses(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = qc.add %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = qc.relu %0 : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func @relu_relu
// CHECK: %[[R:.*]] = qc.relu %arg0
// CHECK-NOT: qc.relu
// CHECK: return %[[R]]
func.func @relu_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qc.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = qc.relu %0 : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @reshapes
// CHECK: %[[R:.*]] = qc.reshape %arg0 : (tensor<2x3xf32>) -> tensor<6xf32>
// CHECK: return %[[R]], %arg0
func.func @reshapes(%x: tensor<2x3xf32>) -> (tensor<6xf32>, tensor<2x3xf32>) {
  %0 = qc.reshape %x : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %1 = qc.reshape %0 : (tensor<3x2xf32>) -> tensor<6xf32>
  %2 = qc.reshape %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1, %2 : tensor<6xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @fold_constant_reshape
// CHECK: %[[C:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>
// CHECK: return %[[C]]
func.func @fold_constant_reshape() -> tensor<1x2xf32> {
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = qc.reshape %c : (tensor<2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// Quantized ops are left alone: fusing a relu would change the requantization.
!q = !quant.uniform<i8:f32, 0.1:0>
// CHECK-LABEL: func @quantized_untouched
// CHECK: qc.add
// CHECK: qc.relu
func.func @quantized_untouched(%x: tensor<4x!q>) -> tensor<4x!q> {
  %0 = qc.add %x, %x : (tensor<4x!q>, tensor<4x!q>) -> tensor<4x!q>
  %1 = qc.relu %0 : (tensor<4x!q>) -> tensor<4x!q>
  return %1 : tensor<4x!q>
}
