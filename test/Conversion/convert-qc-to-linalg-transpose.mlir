// RUN: quantc-opt %s -split-input-file --convert-qc-to-linalg | FileCheck %s

// NCHW -> NHWC on int8: [1, 32, 20] viewed as [N, R, S] = [1, 32, 20]
// becomes [1, 20, 32]. Full 16 x 16 blocks: 16 row reads, four rounds of
// 16 interleaves (bytes, 16-, 32-, 64-bit pairs), 16 row writes; the 4
// columns past the last block are copied element by element.
!q = !quant.uniform<i8:f32, 0.1:3>
// CHECK-LABEL: func @nchw_to_nhwc
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK-COUNT-16: vector.transfer_read {{.*}} {in_bounds = [true]} : tensor<1x32x20xi8>, vector<16xi8>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23] : vector<16xi8>, vector<16xi8>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31]
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23]
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23]
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]
// CHECK-COUNT-16: vector.transfer_write {{.*}} {in_bounds = [true]} : vector<16xi8>, tensor<1x20x32xi8>
// CHECK: tensor.extract
// CHECK: tensor.insert
// CHECK-NOT: linalg.transpose
func.func @nchw_to_nhwc(%x: tensor<1x32x4x5x!q>) -> tensor<1x4x5x32x!q> {
  %0 = qc.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x32x4x5x!q>) -> tensor<1x4x5x32x!q>
  return %0 : tensor<1x4x5x32x!q>
}

// -----

// Fewer than 16 channels (an RGB input): linalg.transpose.
!q = !quant.uniform<i8:f32, 0.1:3>
// CHECK-LABEL: func @narrow
// CHECK-NOT: vector.shuffle
// CHECK: linalg.transpose
func.func @narrow(%x: tensor<1x3x16x16x!q>) -> tensor<1x16x16x3x!q> {
  %0 = qc.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x16x16x!q>) -> tensor<1x16x16x3x!q>
  return %0 : tensor<1x16x16x3x!q>
}

// -----

// Not a swap of two trailing groups (the last dimension stays): linalg.
!q = !quant.uniform<i8:f32, 0.1:3>
// CHECK-LABEL: func @inner_kept
// CHECK-NOT: vector.shuffle
// CHECK: linalg.transpose
func.func @inner_kept(%x: tensor<32x32x16x!q>) -> tensor<32x32x16x!q> {
  %0 = qc.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<32x32x16x!q>) -> tensor<32x32x16x!q>
  return %0 : tensor<32x32x16x!q>
}

// -----

// The input quantization of an RGB image fused with its NCHW -> NHWC
// transpose: per 16 pixels, the 3 float rows are read, quantized
// (roundeven(x / 0.1) + 3, clamped) and interleaved into 48 codes written at
// once; the 4 pixels past the last block one code at a time.
!q = !quant.uniform<i8:f32, 0.1:3>
// CHECK-LABEL: func @quantize_rgb
// CHECK-NOT: linalg.transpose
// CHECK-NOT: return
// CHECK: scf.for
// CHECK-COUNT-2: vector.transfer_read {{.*}} : tensor<1x3x20xf32>, vector<16xf32>
// CHECK: vector.shuffle {{.*}} : vector<16xi8>, vector<16xi8>
// CHECK: vector.transfer_read {{.*}} : tensor<1x3x20xf32>, vector<16xf32>
// CHECK: vector.shuffle {{.*}} : vector<32xi8>, vector<16xi8>
// CHECK: vector.shuffle %[[ALL:.*]], %[[ALL]] [0, 16, 32, 1, 17, 33, 2, 18, 34,
// CHECK: vector.transfer_write {{.*}} : vector<48xi8>, tensor<1x60xi8>
// CHECK: tensor.extract {{.*}} : tensor<1x3x20xf32>
// CHECK: math.roundeven {{.*}} : f32
// CHECK: tensor.insert {{.*}} : tensor<1x60xi8>
func.func @quantize_rgb(%x: tensor<1x3x4x5xf32>) -> tensor<1x4x5x3x!q> {
  %q = quant.qcast %x : tensor<1x3x4x5xf32> to tensor<1x3x4x5x!q>
  %0 = qc.transpose %q {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x4x5x!q>) -> tensor<1x4x5x3x!q>
  return %0 : tensor<1x4x5x3x!q>
}
