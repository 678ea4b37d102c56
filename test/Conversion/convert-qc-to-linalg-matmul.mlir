// RUN: quantc-opt %s -split-input-file --convert-qc-to-linalg | FileCheck %s

// Float batched matmul, n = 64: tiles of 4 rows x 2 vectors of 16, the 8
// accumulators carried through the k loop; one remaining row (m = 9) as
// 1-row tiles.
// CHECK-LABEL: func @matmul_tiles
// CHECK: scf.for %[[B:.*]] = {{.*}} iter_args
// CHECK: scf.for %[[I:.*]] = %c0{{.*}} to %c8{{.*}} step %c4
// CHECK: scf.for %[[J:.*]] = %c0{{.*}} to %c64{{.*}} step %c32
// CHECK: %[[SUMS:.*]]:8 = scf.for %[[K:.*]] = %c0{{.*}} to %c24{{.*}} step %c1{{.*}} iter_args
// CHECK-COUNT-2: vector.transfer_read {{.*}} : tensor<2x24x64xf32>, vector<16xf32>
// CHECK: tensor.extract
// CHECK: vector.broadcast {{.*}} : f32 to vector<16xf32>
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: scf.yield
// CHECK-COUNT-8: vector.transfer_write
// CHECK: scf.for {{.*}} = %c8{{.*}} to %c9{{.*}} step %c1
// CHECK-NOT: linalg.generic
func.func @matmul_tiles(%a: tensor<2x9x24xf32>, %b: tensor<2x24x64xf32>) -> tensor<2x9x64xf32> {
  %0 = qc.matmul %a, %b : (tensor<2x9x24xf32>, tensor<2x24x64xf32>) -> tensor<2x9x64xf32>
  return %0 : tensor<2x9x64xf32>
}

// -----

// n not a multiple of 16, or a broadcast batch: the linalg lowering.
// CHECK-LABEL: func @matmul_narrow
// CHECK-NOT: vector.transfer_read
// CHECK: linalg.generic
func.func @matmul_narrow(%a: tensor<4x8xf32>, %b: tensor<8x10xf32>) -> tensor<4x10xf32> {
  %0 = qc.matmul %a, %b : (tensor<4x8xf32>, tensor<8x10xf32>) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// CHECK-LABEL: func @matmul_broadcast
// CHECK-NOT: vector.transfer_read
// CHECK: linalg.generic
func.func @matmul_broadcast(%a: tensor<2x4x8xf32>, %b: tensor<8x16xf32>) -> tensor<2x4x16xf32> {
  %0 = qc.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}
