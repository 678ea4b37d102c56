// RUN: quantc-opt %s -split-input-file --convert-qc-to-linalg | FileCheck %s

!qx = !quant.uniform<i8:f32, 0.01:-28>
!qy = !quant.uniform<i8:f32, 0.02:-128>
!qw = !quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>
!qb = !quant.uniform<i32:f32:0, {0.005, 0.0025}>

// The input zero point is folded into the bias: 10 + 28 * (127 - 64) = 1774
// and -20 + 28 * (127 + 65) = 5356. Multipliers 0.01 * 0.5 / 0.02 = 0.25
// = 2^30 * 2^-32 and 0.125 = 2^30 * 2^-33.
// CHECK-LABEL: func @fc_int8
// CHECK: %[[X:.*]] = linalg.generic
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.maxnumf
// CHECK: arith.minnumf
// CHECK: arith.fptosi %{{.*}} : f32 to i8
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[127, -64], [127, 65]]> : tensor<2x2xi8>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1774, 5356]> : tensor<2xi32>
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<2xi32>)
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[W]] : tensor<1x2xi8>, tensor<2x2xi8>) outs(%[[INIT]] : tensor<1x2xi32>)
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.muli %{{.*}} : i32
// CHECK-DAG: %[[M:.*]] = arith.constant dense<1073741824> : tensor<2xi64>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[32, 33]> : tensor<2xi64>
// CHECK: linalg.generic {{.*}} ins(%[[ACC]], %[[M]], %[[S]] : tensor<1x2xi32>, tensor<2xi64>, tensor<2xi64>) outs(%{{.*}} : tensor<1x2xi8>)
// CHECK: arith.muli %{{.*}} : i64
// CHECK: arith.shli
// CHECK: arith.shrsi
// With the fused relu the lower clamp is the zero point, -128.
// CHECK: arith.maxsi %{{.*}}, %c-128_i64
// CHECK: arith.trunci %{{.*}} : i64 to i8
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @fc_int8(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %xq = quant.qcast %x : tensor<1x2xf32> to tensor<1x2x!qx>
  %wi = arith.constant dense<[[127, -64], [127, 65]]> : tensor<2x2xi8>
  %wq = quant.scast %wi : tensor<2x2xi8> to tensor<2x2x!qw>
  %bi = arith.constant dense<[10, -20]> : tensor<2xi32>
  %bq = quant.scast %bi : tensor<2xi32> to tensor<2x!qb>
  %y = qc.fully_connected %xq, %wq, %bq activation <relu> : (tensor<1x2x!qx>, tensor<2x2x!qw>, tensor<2x!qb>) -> tensor<1x2x!qy>
  %yd = quant.dcast %y : tensor<1x2x!qy> to tensor<1x2xf32>
  return %yd : tensor<1x2xf32>
}

// -----

// CHECK-LABEL: func @fc_float
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%arg2 : tensor<2xf32>)
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<1x3xf32>, tensor<2x3xf32>) outs(%[[INIT]] : tensor<1x2xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[ACC]] : tensor<1x2xf32>)
// CHECK: arith.maximumf
func.func @fc_float(%x: tensor<1x3xf32>, %w: tensor<2x3xf32>, %b: tensor<2xf32>) -> tensor<1x2xf32> {
  %0 = qc.fully_connected %x, %w, %b activation <relu> : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// Add rescale: m_a = 0.01/0.04, m_b = 0.03/0.04 = 0.75 -> S = 31;
// M_a = 0.25 * 2^31 = 536870912, M_b = 1610612736.
!qa = !quant.uniform<i8:f32, 0.01:-28>
!qb = !quant.uniform<i8:f32, 0.03:5>
!qc = !quant.uniform<i8:f32, 0.04:-10>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @add_int8_broadcast
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[ROW]], #{{.*}}]
// CHECK-SAME: ins(%arg0, %arg1 : tensor<2x4xi8>, tensor<4xi8>)
// CHECK-DAG: arith.constant -28 : i64
// CHECK-DAG: arith.constant 536870912 : i64
// CHECK-DAG: arith.constant 5 : i64
// CHECK-DAG: arith.constant 1610612736 : i64
// CHECK: arith.constant 31 : i64
// CHECK: arith.shrsi
// CHECK: arith.constant -10 : i64
func.func @add_int8_broadcast(%a: tensor<2x4x!qa>, %b: tensor<4x!qb>) -> tensor<2x4x!qc> {
  %0 = qc.add %a, %b : (tensor<2x4x!qa>, tensor<4x!qb>) -> tensor<2x4x!qc>
  return %0 : tensor<2x4x!qc>
}

// -----

// CHECK-LABEL: func @reshape_and_matmul
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1, 2, 3]] : tensor<1x1x2x3xf32> into tensor<6xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
// CHECK: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[A:.*]], #[[B:.*]], #[[C:.*]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK:   arith.mulf
// CHECK:   arith.addf
func.func @reshape_and_matmul(%a: tensor<1x1x2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = qc.reshape %a : (tensor<1x1x2x3xf32>) -> tensor<2x3xf32>
  %1 = qc.matmul %0, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}
