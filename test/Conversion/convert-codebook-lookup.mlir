// RUN: quantc-opt %s -split-input-file --convert-qc-to-linalg | FileCheck %s
// RUN: quantc-opt %s -split-input-file --qc-lower-to-llvm=name=m | FileCheck %s --check-prefix=LLVM

// 4-bit indices, one table: a [bytes, 2] loop reads each index byte as a
// generic input, shifts it by 4 * (nibble), masks it and reads the table
// (16 entries: no clamp); the result is reshaped (views) to the weight.
// CHECK-DAG: #[[BYTE:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @per_tensor_4bit
// CHECK-DAG: %[[I:.*]] = arith.constant dense<[16, 50, 84, 118]> : tensor<4xi8>
// CHECK-DAG: %[[T:.*]] = arith.constant dense<{{.*}}> : tensor<16xf32>
// CHECK: %[[PAIRS:.*]] = linalg.generic {indexing_maps = [#[[BYTE]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[I]] : tensor<4xi8>) outs(%{{.*}} : tensor<4x2xf32>)
// CHECK: ^bb0(%[[B:.*]]: i8, %{{.*}}: f32):
// CHECK: %[[HALF:.*]] = linalg.index 1 : index
// CHECK: %[[H8:.*]] = arith.index_castui %[[HALF]] : index to i8
// CHECK: %[[SH:.*]] = arith.muli %[[H8]], %c4_i8 : i8
// CHECK: %[[NIB:.*]] = arith.shrui %[[B]], %[[SH]] : i8
// CHECK: %[[CODE:.*]] = arith.andi %[[NIB]], %c15_i8 : i8
// CHECK: %[[E:.*]] = arith.index_castui %[[CODE]] : i8 to index
// CHECK-NOT: arith.minui
// CHECK: %[[V:.*]] = tensor.extract %[[T]][%[[E]]] : tensor<16xf32>
// CHECK: linalg.yield %[[V]] : f32
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[PAIRS]] {{\[}}[0, 1]] : tensor<4x2xf32> into tensor<8xf32>
// CHECK: %[[W:.*]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [2, 4] : tensor<8xf32> into tensor<2x4xf32>
// CHECK: linalg.generic {{.*}} ins(%arg0, %[[W]] : tensor<1x4xf32>, tensor<2x4xf32>)
// The index and table constants become read-only globals of their packed
// size: 4 bytes and 16 floats, not 8 floats.
// LLVM-NOT: !llvm.array<8 x f32>
// LLVM-DAG: llvm.mlir.global private constant @{{.*}}(dense<[16, 50, 84, 118]> : tensor<4xi8>) {{.*}} : !llvm.array<4 x i8>
// LLVM-DAG: llvm.mlir.global private constant @{{.*}} : !llvm.array<16 x f32>
// LLVM-NOT: !llvm.array<8 x f32>
// LLVM: llvm.func internal @m_impl
func.func @per_tensor_4bit(%x: tensor<1x4xf32> {qc.name = "x"}) -> tensor<1x2xf32> attributes {qc.output_names = ["y"]} {
  %i = arith.constant dense<[16, 50, 84, 118]> : tensor<4xi8>
  %t = arith.constant dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0]> : tensor<16xf32>
  %w = qc.codebook_lookup %i, %t {bits = 4 : i64} : (tensor<4xi8>, tensor<16xf32>) -> tensor<2x4xf32>
  %0 = qc.fully_connected %x, %w : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// 8-bit indices, one table per row of 3 entries: the input byte is the
// index, clamped to the table (2) and read in row position / 3.
// CHECK-LABEL: func @per_channel_8bit
// CHECK: %[[G:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<6xi8>) outs(%{{.*}} : tensor<6xf32>)
// CHECK: ^bb0(%[[B:.*]]: i8, %{{.*}}: f32):
// CHECK: %[[E:.*]] = arith.index_castui %[[B]] : i8 to index
// CHECK: %[[C:.*]] = arith.minui %[[E]], %c2
// CHECK: %[[POS:.*]] = linalg.index 0 : index
// CHECK: %[[ROW:.*]] = arith.divui %[[POS]], %c3
// CHECK: tensor.extract %arg1[%[[ROW]], %[[C]]] : tensor<2x3xf32>
// CHECK: tensor.expand_shape %[[G]] {{\[}}[0, 1]] output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
func.func @per_channel_8bit(%i: tensor<6xi8> {qc.name = "i"}, %t: tensor<2x3xf32> {qc.name = "t"}) -> tensor<2x3xf32> attributes {qc.output_names = ["y"]} {
  %w = qc.codebook_lookup %i, %t {bits = 8 : i64} : (tensor<6xi8>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %w : tensor<2x3xf32>
}

// -----

// 4-bit indices per channel: the row of element 2 * byte + nibble.
// CHECK-LABEL: func @per_channel_4bit
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<4xi8>) outs(%{{.*}} : tensor<4x2xf32>)
// CHECK: %[[HALF:.*]] = linalg.index 1 : index
// CHECK: arith.minui %{{.*}}, %c2
// CHECK: %[[BYTE:.*]] = linalg.index 0 : index
// CHECK: %[[TWICE:.*]] = arith.shli %[[BYTE]], %c1
// CHECK: %[[POS:.*]] = arith.addi %[[TWICE]], %[[HALF]]
// CHECK: %[[ROW:.*]] = arith.divui %[[POS]], %c4
// CHECK: tensor.extract %arg1[%[[ROW]], %{{.*}}] : tensor<2x3xf32>
func.func @per_channel_4bit(%i: tensor<4xi8> {qc.name = "i"}, %t: tensor<2x3xf32> {qc.name = "t"}) -> tensor<2x4xf32> attributes {qc.output_names = ["y"]} {
  %w = qc.codebook_lookup %i, %t {bits = 4 : i64} : (tensor<4xi8>, tensor<2x3xf32>) -> tensor<2x4xf32>
  return %w : tensor<2x4xf32>
}

// -----

// An odd count of 4-bit indices: element i reads byte i / 2 (tensor.extract)
// and nibble i & 1.
// CHECK-LABEL: func @odd_4bit
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<5xf32>)
// CHECK: %[[POS:.*]] = linalg.index 0 : index
// CHECK: %[[HALF:.*]] = arith.shrui %[[POS]], %c1
// CHECK: %[[BYTE:.*]] = tensor.extract %arg0[%[[HALF]]] : tensor<3xi8>
// CHECK: arith.andi %[[POS]], %c1
// CHECK: %[[SH:.*]] = arith.muli %{{.*}}, %c4_i8 : i8
// CHECK: arith.shrui %[[BYTE]], %[[SH]] : i8
// CHECK: arith.andi %{{.*}}, %c15_i8 : i8
// CHECK: tensor.extract %arg1[%{{.*}}] : tensor<16xf32>
func.func @odd_4bit(%i: tensor<3xi8> {qc.name = "i"}, %t: tensor<16xf32> {qc.name = "t"}) -> tensor<5xf32> attributes {qc.output_names = ["y"]} {
  %w = qc.codebook_lookup %i, %t {bits = 4 : i64} : (tensor<3xi8>, tensor<16xf32>) -> tensor<5xf32>
  return %w : tensor<5xf32>
}
