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

// -----

// Float conv 3x3, pad 1, with constant weight and bias: im2col (a gather
// generic over n, c, kh, kw, oh, ow from the padded input), then the tiled
// matmul W[F, C*9] x cols per image with each row starting at its bias.
// CHECK-LABEL: func @conv_tiles
// CHECK: tensor.pad
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%{{.*}} : tensor<1x2x6x6xf32>) outs(%{{.*}} : tensor<1x2x3x3x4x4xf32>)
// CHECK: scf.for
// CHECK: tensor.extract %{{.*}} : tensor<4xf32>
// CHECK: vector.broadcast
// CHECK: scf.for {{.*}} to %c18
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
func.func @conv_tiles(%x: tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<4x2x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = qc.conv %x, %w, %b activation <relu> {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64}
      : (tensor<1x2x4x4xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// An unpadded 1x1 stride-1 conv reads its input as the columns: no gather.
// CHECK-LABEL: func @conv_1x1
// CHECK-NOT: linalg.generic
// CHECK: scf.for
func.func @conv_1x1(%x: tensor<1x8x4x4xf32>) -> tensor<1x16x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<16x8x1x1xf32>
  %0 = qc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
      : (tensor<1x8x4x4xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}
