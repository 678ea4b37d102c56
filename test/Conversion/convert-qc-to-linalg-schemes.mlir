// RUN: quantc-opt %s -split-input-file --pass-pipeline="builtin.module(func.func(convert-qc-to-linalg))" | FileCheck %s

// uint8 is held as q - 128 in an i8: zero point 100 becomes -28 and the
// clamp range [0, 255] becomes [-128, 127].
// CHECK-LABEL: func @qcast_u8
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.constant -2.800000e+01 : f32
// CHECK: arith.constant -1.280000e+02 : f32
// CHECK: arith.constant 1.270000e+02 : f32
// CHECK: arith.fptosi %{{.*}} : f32 to i8
func.func @qcast_u8(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<u8:f32, 0.01:100>> {
  %0 = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<u8:f32, 0.01:100>>
  return %0 : tensor<4x!quant.uniform<u8:f32, 0.01:100>>
}

// -----

// A uint8 constant flips its sign bit on the way into storage.
// CHECK-LABEL: func @scast_u8
// CHECK: arith.constant -128 : i8
// CHECK: arith.xori
func.func @scast_u8(%x: tensor<4xi8>) -> tensor<4xf32> {
  %0 = quant.scast %x : tensor<4xi8> to tensor<4x!quant.uniform<u8:f32, 0.5:128>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<u8:f32, 0.5:128>> to tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Per-axis dcast reads scale and zero point along the axis.
// CHECK-LABEL: func @dcast_per_axis
// CHECK: %[[S:.*]] = arith.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK: %[[Z:.*]] = arith.constant dense<0> : tensor<2xi32>
// CHECK: linalg.generic {{.*}} ins(%arg0, %[[S]], %[[Z]] :
// CHECK: arith.extsi
// CHECK: arith.subi
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @dcast_per_axis(%w: tensor<2x3x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>>) -> tensor<2x3xf32> {
  %0 = quant.dcast %w : tensor<2x3x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>> to tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// 16x8: an int16 input accumulates in i64 and requantizes in i128.
!x = !quant.uniform<i16<-32767:32767>:f32, 0.001>
!w = !quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>
!b = !quant.uniform<i32:f32:0, {0.00001, 0.00002}>
!y = !quant.uniform<i16<-32767:32767>:f32, 0.002>
// CHECK-LABEL: func @fc_16x8
// CHECK: arith.constant dense<[5, -7]> : tensor<2xi64>
// CHECK: linalg.generic
// CHECK: arith.extsi %{{.*}} : i16 to i64
// CHECK: arith.extsi %{{.*}} : i8 to i64
// CHECK: arith.muli %{{.*}} : i64
// CHECK: linalg.generic
// CHECK: arith.extsi %{{.*}} : i64 to i128
// CHECK: arith.muli %{{.*}} : i128
// CHECK: arith.shrsi %{{.*}} : i128
// CHECK: arith.constant -32767 : i128
// CHECK: arith.constant 32767 : i128
// CHECK: arith.trunci %{{.*}} : i128 to i16
func.func @fc_16x8(%x: tensor<1x3x!x>) -> tensor<1x2x!y> {
  %wi = arith.constant dense<[[1, 2, 3], [-4, 5, 127]]> : tensor<2x3xi8>
  %w = quant.scast %wi : tensor<2x3xi8> to tensor<2x3x!w>
  %bi = arith.constant dense<[5, -7]> : tensor<2xi32>
  %b = quant.scast %bi : tensor<2xi32> to tensor<2x!b>
  %0 = qc.fully_connected %x, %w, %b : (tensor<1x3x!x>, tensor<2x3x!w>, tensor<2x!b>) -> tensor<1x2x!y>
  return %0 : tensor<1x2x!y>
}

// -----

// Weight-only: float input times the int8 codes converted in the loop; the
// per-channel scale and the bias are applied to the float accumulator.
!w = !quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>
// CHECK-LABEL: func @fc_weight_only
// CHECK: linalg.generic {{.*}} ins(%arg0, %{{.*}} : tensor<1x3xf32>, tensor<2x3xi8>)
// CHECK: arith.sitofp %{{.*}} : i8 to f32
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: arith.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: arith.maximumf
func.func @fc_weight_only(%x: tensor<1x3xf32>, %b: tensor<2xf32>) -> tensor<1x2xf32> {
  %wi = arith.constant dense<[[1, 2, 3], [-4, 5, 127]]> : tensor<2x3xi8>
  %w = quant.scast %wi : tensor<2x3xi8> to tensor<2x3x!w>
  %wd = quant.dcast %w : tensor<2x3x!w> to tensor<2x3xf32>
  %0 = qc.fully_connected %x, %wd, %b activation <relu> : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// A fused relu6 clamps the requantized result to [zp, code of 6.0]:
// zero point -128, scale 0.025 -> 6 / 0.025 = 240 -> -128 + 240 = 112.
!x = !quant.uniform<i8:f32, 0.05:-3>
!w = !quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>
!y = !quant.uniform<i8:f32, 0.025:-128>
// CHECK-LABEL: func @fc_relu6
// CHECK: arith.constant -128 : i64
// CHECK: arith.maxsi
// CHECK: arith.constant 112 : i64
// CHECK: arith.minsi
// CHECK: arith.trunci %{{.*}} : i64 to i8
func.func @fc_relu6(%x: tensor<1x3x!x>) -> tensor<1x2x!y> {
  %wi = arith.constant dense<[[1, 2, 3], [-4, 5, 127]]> : tensor<2x3xi8>
  %w = quant.scast %wi : tensor<2x3xi8> to tensor<2x3x!w>
  %0 = qc.fully_connected %x, %w activation <relu6> : (tensor<1x3x!x>, tensor<2x3x!w>) -> tensor<1x2x!y>
  return %0 : tensor<1x2x!y>
}
