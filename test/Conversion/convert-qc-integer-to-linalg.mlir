// RUN: quantc-opt %s -split-input-file --convert-qc-to-linalg | FileCheck %s

// dynamic_quantize: min and max reductions starting at 0 (minnumf/maxnumf
// skip NaN), scale (hi - lo) / 255 or 1, zero point rne(-lo / scale)
// clamped to [0, 255], then rne(x / scale) + zp clamped, stored as i8.
// CHECK-LABEL: func @dynamic_quantize
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]
// CHECK: arith.minnumf
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]
// CHECK: arith.maxnumf
// CHECK: %[[RANGE:.*]] = arith.subf %[[HI:.*]], %[[LO:.*]] : f32
// CHECK: %[[S0:.*]] = arith.divf %[[RANGE]], %{{.*}} : f32
// CHECK: %[[EQ:.*]] = arith.cmpf oeq, %[[HI]], %[[LO]] : f32
// CHECK: %[[S:.*]] = arith.select %[[EQ]], %{{.*}}, %[[S0]] : f32
// CHECK: arith.divf %[[LO]], %[[S]]
// CHECK: arith.negf
// CHECK: math.roundeven
// CHECK: linalg.generic
// CHECK: arith.divf %{{.*}}, %[[S]] : f32
// CHECK: math.roundeven
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: tensor.from_elements %[[S]] : tensor<f32>
func.func @dynamic_quantize(%x: tensor<4x8xf32>) -> (tensor<4x8xi8>, tensor<f32>, tensor<i8>) {
  %q, %s, %z = qc.dynamic_quantize %x : (tensor<4x8xf32>) -> (tensor<4x8xi8>, tensor<f32>, tensor<i8>)
  return %q, %s, %z : tensor<4x8xi8>, tensor<f32>, tensor<i8>
}

// -----

// matmul_integer: one generic over (batch, m, k, n) reducing k; the uint8
// lhs and its zero point are zero-extended, the int8 rhs and its per-column
// zero points sign-extended; broadcast batch reads index 0.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[AZ:.*]] = affine_map<(d0, d1, d2, d3) -> (0)>
// CHECK-DAG: #[[BZ:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-LABEL: func @matmul_integer
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[AZ]], #[[BZ]], #[[O]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
// CHECK: ^bb0(%[[a:.*]]: i8, %[[b:.*]]: i8, %[[az:.*]]: i8, %[[bz:.*]]: i8, %[[acc:.*]]: i32):
// CHECK: %[[a32:.*]] = arith.extui %[[a]] : i8 to i32
// CHECK: %[[az32:.*]] = arith.extui %[[az]] : i8 to i32
// CHECK: %[[ac:.*]] = arith.subi %[[a32]], %[[az32]] : i32
// CHECK: %[[b32:.*]] = arith.extsi %[[b]] : i8 to i32
// CHECK: %[[bz32:.*]] = arith.extsi %[[bz]] : i8 to i32
// CHECK: %[[bc:.*]] = arith.subi %[[b32]], %[[bz32]] : i32
// CHECK: %[[p:.*]] = arith.muli %[[ac]], %[[bc]] : i32
// CHECK: arith.addi %[[acc]], %[[p]] : i32
func.func @matmul_integer(%a: tensor<4x8xi8>, %b: tensor<2x8x3xi8>, %az: tensor<i8>, %bz: tensor<3xi8>) -> tensor<2x4x3xi32> {
  %m = qc.matmul_integer %a, %b, %az, %bz {lhs_unsigned} : (tensor<4x8xi8>, tensor<2x8x3xi8>, tensor<i8>, tensor<3xi8>) -> tensor<2x4x3xi32>
  return %m : tensor<2x4x3xi32>
}

// -----

// conv_integer: both operands centered in i16 (the input zero point is a
// scalar, the weight's is per output channel), zero padding, then the conv
// core accumulating in i32.
// CHECK-LABEL: func @conv_integer
// CHECK: tensor.extract
// CHECK: arith.extui %{{.*}} : i8 to i16
// CHECK: linalg.generic
// CHECK: arith.extui %{{.*}} : i8 to i16
// CHECK: arith.subi %{{.*}} : i16
// CHECK: linalg.generic
// CHECK: arith.extsi %{{.*}} : i8 to i16
// CHECK: arith.extsi %{{.*}} : i8 to i16
// CHECK: arith.subi %{{.*}} : i16
// CHECK: tensor.pad
// CHECK: linalg.generic
// CHECK: arith.extsi %{{.*}} : i16 to i32
// CHECK: arith.extsi %{{.*}} : i16 to i32
// CHECK: arith.muli %{{.*}} : i32
func.func @conv_integer(%x: tensor<1x3x5x5xi8>, %w: tensor<2x3x3x3xi8>, %xz: tensor<i8>, %wz: tensor<2xi8>) -> tensor<1x2x5x5xi32> {
  %c = qc.conv_integer %x, %w, %xz, %wz {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, input_unsigned} : (tensor<1x3x5x5xi8>, tensor<2x3x3x3xi8>, tensor<i8>, tensor<2xi8>) -> tensor<1x2x5x5xi32>
  return %c : tensor<1x2x5x5xi32>
}

// -----

// CHECK-LABEL: func @casts
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK: arith.uitofp %{{.*}} : i8 to f32
// CHECK: arith.extsi %{{.*}} : i8 to i32
func.func @casts(%a: tensor<4xi32>, %b: tensor<4xi8>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>) {
  %0 = qc.cast %a : (tensor<4xi32>) -> tensor<4xf32>
  %1 = qc.cast %b {input_unsigned} : (tensor<4xi8>) -> tensor<4xf32>
  %2 = qc.cast %b : (tensor<4xi8>) -> tensor<4xi32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xi32>
}
