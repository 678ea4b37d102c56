// RUN: quantc-opt %s -split-input-file --convert-qc-to-linalg | FileCheck %s

// Softmax over the innermost axis: one vector<L x f32> per row, fixed-tree
// reductions written out (the same order on every target), one store.
// CHECK-LABEL: func @softmax_rows
// CHECK: %[[X:.*]] = tensor.expand_shape {{.*}} output_shape [6, 16] : tensor<96xf32> into tensor<6x16xf32>
// CHECK: %[[R:.*]] = scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<6x16xf32>)
// CHECK: %[[V:.*]] = vector.transfer_read %[[X]][%[[I]], %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<6x16xf32>, vector<16xf32>
// The maximum as a fixed tree: 16 -> 8 -> 4 -> 2 -> 1 lanes.
// CHECK: %[[LO:.*]] = vector.extract_strided_slice %[[V]] {offsets = [0], sizes = [8], strides = [1]}
// CHECK: %[[HI:.*]] = vector.extract_strided_slice %[[V]] {offsets = [8], sizes = [8], strides = [1]}
// CHECK: arith.maximumf %[[LO]], %[[HI]] : vector<8xf32>
// CHECK: arith.maximumf {{.*}} : vector<4xf32>
// CHECK: arith.maximumf {{.*}} : vector<2xf32>
// CHECK: %[[M1:.*]] = arith.maximumf {{.*}} : vector<1xf32>
// CHECK: %[[M:.*]] = vector.extract %[[M1]][0]
// CHECK-NOT: vector.reduction
// CHECK: %[[MB:.*]] = vector.broadcast %[[M]]
// CHECK: %[[SH:.*]] = arith.subf %[[V]], %[[MB]]
// CHECK: %[[E:.*]] = math.exp %[[SH]] : vector<16xf32>
// CHECK: vector.extract_strided_slice %[[E]] {offsets = [0], sizes = [8], strides = [1]}
// CHECK: arith.addf {{.*}} : vector<8xf32>
// CHECK: %[[S1:.*]] = arith.addf {{.*}} : vector<1xf32>
// CHECK: %[[S:.*]] = vector.extract %[[S1]][0]
// CHECK: %[[SB:.*]] = vector.broadcast %[[S]]
// CHECK: %[[Y:.*]] = arith.divf %[[E]], %[[SB]]
// CHECK: vector.transfer_write %[[Y]], %[[ACC]][%[[I]], %{{.*}}] {in_bounds = [true]}
// CHECK: tensor.collapse_shape %[[R]]
func.func @softmax_rows(%x: tensor<2x3x16xf32>) -> tensor<2x3x16xf32> {
  %0 = qc.softmax %x {axis = 2 : i64} : tensor<2x3x16xf32>
  return %0 : tensor<2x3x16xf32>
}

// -----

// A float island in an int8 model: the codes are read, dequantized,
// normalized, quantized and written by the one row loop; no dcast or qcast
// loop is left. Dequantize: (code - (-3)) * 0.05; quantize: round(y / 0.004)
// + (-128) clamped to [-128, 127].
!qx = !quant.uniform<i8:f32, 0.05:-3>
!qy = !quant.uniform<i8:f32, 0.004:-128>
// CHECK-LABEL: func @softmax_island
// CHECK-NOT: linalg.generic
// CHECK: scf.for
// CHECK: %[[C:.*]] = vector.transfer_read %{{.*}} : tensor<6x16xi8>, vector<16xi8>
// CHECK: %[[W:.*]] = arith.extsi %[[C]] : vector<16xi8> to vector<16xi32>
// CHECK: %[[D:.*]] = arith.subi %[[W]], %{{.*}} : vector<16xi32>
// CHECK: arith.sitofp %[[D]]
// CHECK: arith.mulf
// CHECK: arith.maximumf {{.*}} : vector<8xf32>
// CHECK: math.exp
// CHECK: arith.addf {{.*}} : vector<8xf32>
// CHECK: arith.divf
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.addf
// CHECK: arith.maxnumf
// CHECK: arith.minnumf
// CHECK: arith.fptosi %{{.*}} : vector<16xf32> to vector<16xi32>
// CHECK: arith.trunci %{{.*}} : vector<16xi32> to vector<16xi8>
// CHECK: vector.transfer_write %{{.*}} : vector<16xi8>, tensor<6x16xi8>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @softmax_island(%x: tensor<2x3x16xi8>) -> tensor<2x3x16xi8> {
  %xq = quant.scast %x : tensor<2x3x16xi8> to tensor<2x3x16x!qx>
  %xd = quant.dcast %xq : tensor<2x3x16x!qx> to tensor<2x3x16xf32>
  %s = qc.softmax %xd {axis = 2 : i64} : tensor<2x3x16xf32>
  %sq = quant.qcast %s : tensor<2x3x16xf32> to tensor<2x3x16x!qy>
  %y = quant.scast %sq : tensor<2x3x16x!qy> to tensor<2x3x16xi8>
  return %y : tensor<2x3x16xi8>
}

// -----

// Unsigned codes are zero-extended and dequantized with their own zero
// point (130); the result codes are produced on [0, 255].
!qx = !quant.uniform<u8:f32, 0.05:130>
!qy = !quant.uniform<u8:f32, 0.004>
// CHECK-LABEL: func @softmax_island_uint8
// CHECK: arith.extui %{{.*}} : vector<16xi8> to vector<16xi32>
// CHECK: arith.constant dense<130> : vector<16xi32>
// CHECK: arith.constant dense<2.550000e+02> : vector<16xf32>
func.func @softmax_island_uint8(%x: tensor<4x16xi8>) -> tensor<4x16xi8> {
  %xq = quant.scast %x : tensor<4x16xi8> to tensor<4x16x!qx>
  %xd = quant.dcast %xq : tensor<4x16x!qx> to tensor<4x16xf32>
  %s = qc.softmax %xd {axis = 1 : i64} : tensor<4x16xf32>
  %sq = quant.qcast %s : tensor<4x16xf32> to tensor<4x16x!qy>
  %y = quant.scast %sq : tensor<4x16x!qy> to tensor<4x16xi8>
  return %y : tensor<4x16xi8>
}

// -----

// Layer norm over two trailing axes (8 values per row) with constant gamma
// and beta: mean, centered, biased variance, d / sqrt(var + eps) * g + b.
// CHECK-LABEL: func @layer_norm_rows
// CHECK-DAG: %[[G:.*]] = arith.constant dense<2.000000e+00> : vector<8xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<5.000000e-01> : vector<8xf32>
// CHECK: scf.for
// CHECK: %[[V:.*]] = vector.transfer_read {{.*}} : tensor<3x8xf32>, vector<8xf32>
// CHECK: %[[INV:.*]] = arith.constant 1.250000e-01 : f32
// CHECK: arith.addf {{.*}} : vector<4xf32>
// CHECK: %[[SUM1:.*]] = arith.addf {{.*}} : vector<1xf32>
// CHECK: %[[SUM:.*]] = vector.extract %[[SUM1]][0]
// CHECK: %[[MEAN:.*]] = arith.mulf %[[SUM]], %[[INV]] : f32
// CHECK: %[[D:.*]] = arith.subf %[[V]], %{{.*}} : vector<8xf32>
// CHECK: %[[SQ:.*]] = arith.mulf %[[D]], %[[D]] : vector<8xf32>
// CHECK: vector.extract_strided_slice %[[SQ]]
// CHECK: math.sqrt %{{.*}} : f32
// CHECK: %[[N:.*]] = arith.divf %[[D]], %{{.*}} : vector<8xf32>
// CHECK: %[[Y:.*]] = arith.mulf %[[N]], %[[G]] : vector<8xf32>
// CHECK: arith.addf %[[Y]], %[[B]] : vector<8xf32>
func.func @layer_norm_rows(%x: tensor<3x2x4xf32>) -> tensor<3x2x4xf32> {
  %g = arith.constant dense<2.0> : tensor<2x4xf32>
  %b = arith.constant dense<0.5> : tensor<2x4xf32>
  %0 = qc.layer_norm %x, %g, %b {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<3x2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<3x2x4xf32>
  return %0 : tensor<3x2x4xf32>
}

// -----

// Gamma that is not a constant keeps the linalg lowering.
// CHECK-LABEL: func @layer_norm_dynamic_gamma
// CHECK-NOT: scf.for
// CHECK: linalg.generic
func.func @layer_norm_dynamic_gamma(%x: tensor<3x4xf32>, %g: tensor<4xf32>) -> tensor<3x4xf32> {
  %0 = qc.layer_norm %x, %g {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
