// RUN: quantc-opt %s -pass-pipeline='builtin.module(func.func(qc-fuse-float-patterns))' -split-input-file | FileCheck %s

// The decomposition PyTorch writes for LayerNorm below opset 17.
// CHECK-LABEL: func @layer_norm
// CHECK-DAG: %[[G:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<5.000000e-01> : tensor<4xf32>
// CHECK: %[[Y:.*]] = qc.layer_norm %arg0, %[[G]], %[[B]] {axis = 2 : i64, epsilon = 9.99999974E-6 : f32}
// CHECK-NOT: qc.reduce
// CHECK: return %[[Y]]
func.func @layer_norm(%x: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  %two = arith.constant dense<2.0> : tensor<f32>
  %eps = arith.constant dense<1.0e-5> : tensor<f32>
  %g = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %b = arith.constant dense<0.5> : tensor<4xf32>
  %m = qc.reduce <mean> %x {axes = array<i64: 2>, keepdims} : (tensor<1x3x4xf32>) -> tensor<1x3x1xf32>
  %d = qc.binary <sub> %x, %m : (tensor<1x3x4xf32>, tensor<1x3x1xf32>) -> tensor<1x3x4xf32>
  %p = qc.binary <pow> %d, %two : (tensor<1x3x4xf32>, tensor<f32>) -> tensor<1x3x4xf32>
  %v = qc.reduce <mean> %p {axes = array<i64: 2>, keepdims} : (tensor<1x3x4xf32>) -> tensor<1x3x1xf32>
  %e = qc.add %v, %eps : (tensor<1x3x1xf32>, tensor<f32>) -> tensor<1x3x1xf32>
  %s = qc.unary <sqrt> %e : tensor<1x3x1xf32>
  %n = qc.binary <div> %d, %s : (tensor<1x3x4xf32>, tensor<1x3x1xf32>) -> tensor<1x3x4xf32>
  %y0 = qc.binary <mul> %n, %g : (tensor<1x3x4xf32>, tensor<4xf32>) -> tensor<1x3x4xf32>
  %y = qc.add %y0, %b : (tensor<1x3x4xf32>, tensor<4xf32>) -> tensor<1x3x4xf32>
  return %y : tensor<1x3x4xf32>
}

// -----

// d * d instead of pow, over two trailing axes, no affine part: the scale
// is ones.
// CHECK-LABEL: func @layer_norm_mul_two_axes
// CHECK: %[[ONES:.*]] = arith.constant dense<1.000000e+00> : tensor<2x4xf32>
// CHECK: qc.layer_norm %arg0, %[[ONES]] {axis = 1 : i64, epsilon = 1.000000e-03 : f32}
func.func @layer_norm_mul_two_axes(%x: tensor<3x2x4xf32>) -> tensor<3x2x4xf32> {
  %eps = arith.constant dense<1.0e-3> : tensor<1xf32>
  %m = qc.reduce <mean> %x {axes = array<i64: 1, 2>, keepdims} : (tensor<3x2x4xf32>) -> tensor<3x1x1xf32>
  %d = qc.binary <sub> %x, %m : (tensor<3x2x4xf32>, tensor<3x1x1xf32>) -> tensor<3x2x4xf32>
  %p = qc.binary <mul> %d, %d : (tensor<3x2x4xf32>, tensor<3x2x4xf32>) -> tensor<3x2x4xf32>
  %v = qc.reduce <mean> %p {axes = array<i64: 1, 2>, keepdims} : (tensor<3x2x4xf32>) -> tensor<3x1x1xf32>
  %e = qc.add %eps, %v : (tensor<1xf32>, tensor<3x1x1xf32>) -> tensor<3x1x1xf32>
  %s = qc.unary <sqrt> %e : tensor<3x1x1xf32>
  %n = qc.binary <div> %d, %s : (tensor<3x2x4xf32>, tensor<3x1x1xf32>) -> tensor<3x2x4xf32>
  return %n : tensor<3x2x4xf32>
}

// -----

// Not a layer norm: the mean is over a leading axis.
// CHECK-LABEL: func @not_trailing
// CHECK-NOT: qc.layer_norm
func.func @not_trailing(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %two = arith.constant dense<2.0> : tensor<f32>
  %eps = arith.constant dense<1.0e-5> : tensor<f32>
  %m = qc.reduce <mean> %x {axes = array<i64: 0>, keepdims} : (tensor<3x4xf32>) -> tensor<1x4xf32>
  %d = qc.binary <sub> %x, %m : (tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  %p = qc.binary <pow> %d, %two : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  %v = qc.reduce <mean> %p {axes = array<i64: 0>, keepdims} : (tensor<3x4xf32>) -> tensor<1x4xf32>
  %e = qc.add %v, %eps : (tensor<1x4xf32>, tensor<f32>) -> tensor<1x4xf32>
  %s = qc.unary <sqrt> %e : tensor<1x4xf32>
  %n = qc.binary <div> %d, %s : (tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  return %n : tensor<3x4xf32>
}

// -----

// Not a layer norm: the deviation is squared with exponent 3.
// CHECK-LABEL: func @wrong_power
// CHECK-NOT: qc.layer_norm
func.func @wrong_power(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %three = arith.constant dense<3.0> : tensor<f32>
  %eps = arith.constant dense<1.0e-5> : tensor<f32>
  %m = qc.reduce <mean> %x {axes = array<i64: 1>, keepdims} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  %d = qc.binary <sub> %x, %m : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  %p = qc.binary <pow> %d, %three : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  %v = qc.reduce <mean> %p {axes = array<i64: 1>, keepdims} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  %e = qc.add %v, %eps : (tensor<3x1xf32>, tensor<f32>) -> tensor<3x1xf32>
  %s = qc.unary <sqrt> %e : tensor<3x1xf32>
  %n = qc.binary <div> %d, %s : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  return %n : tensor<3x4xf32>
}

// -----

// GELU as torch.onnx writes it at opset 13: (x * (1 + erf(x / sqrt2))) * 0.5.
// CHECK-LABEL: func @gelu
// CHECK: %[[Y:.*]] = qc.unary <gelu> %arg0
// CHECK-NEXT: return %[[Y]]
func.func @gelu(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %sqrt2 = arith.constant dense<1.41421354> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %half = arith.constant dense<0.5> : tensor<f32>
  %a = qc.binary <div> %x, %sqrt2 : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %b = qc.unary <erf> %a : tensor<2x8xf32>
  %c = qc.add %b, %one : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %d = qc.binary <mul> %x, %c : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %y = qc.binary <mul> %d, %half : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// GELU grouped as x * 0.5 * (1 + erf(x * 0.70710678)).
// CHECK-LABEL: func @gelu_half_first
// CHECK: qc.unary <gelu> %arg0
// CHECK-NOT: qc.unary <erf>
func.func @gelu_half_first(%x: tensor<8xf32>) -> tensor<8xf32> {
  %inv = arith.constant dense<0.707106769> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %half = arith.constant dense<0.5> : tensor<f32>
  %h = qc.binary <mul> %x, %half : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %a = qc.binary <mul> %x, %inv : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %b = qc.unary <erf> %a : tensor<8xf32>
  %c = qc.add %one, %b : (tensor<f32>, tensor<8xf32>) -> tensor<8xf32>
  %y = qc.binary <mul> %h, %c : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// Not GELU: erf of a different tensor.
// CHECK-LABEL: func @not_gelu
// CHECK-NOT: qc.unary <gelu>
func.func @not_gelu(%x: tensor<8xf32>, %z: tensor<8xf32>) -> tensor<8xf32> {
  %sqrt2 = arith.constant dense<1.41421354> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %half = arith.constant dense<0.5> : tensor<f32>
  %a = qc.binary <div> %z, %sqrt2 : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %b = qc.unary <erf> %a : tensor<8xf32>
  %c = qc.add %b, %one : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %d = qc.binary <mul> %x, %c : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %y = qc.binary <mul> %d, %half : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}
