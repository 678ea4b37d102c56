// RUN: quantc-opt %s -split-input-file "--qc-cluster-weights=clusters=16 min-elements=0" | FileCheck %s
// RUN: quantc-opt %s -split-input-file '--qc-cluster-weights=clusters=16 per-channel=true min-elements=0' | FileCheck %s --check-prefix=CHAN
// RUN: quantc-opt %s -split-input-file "--qc-cluster-weights=clusters=32 min-elements=0" | FileCheck %s --check-prefix=K32
// RUN: not quantc-opt %s -split-input-file --qc-cluster-weights=clusters=8 2>&1 | FileCheck %s --check-prefix=BADK
// RUN: quantc-opt %s -split-input-file --qc-cluster-weights=clusters=16 | FileCheck %s --check-prefix=SMALL
// RUN: quantc-opt %s -split-input-file "--qc-cluster-weights=clusters=16 min-elements=0" 2>&1 >/dev/null | FileCheck %s --check-prefix=WARN

// By default weights under 1024 elements (all of these) stay float.
// SMALL-NOT: qc.codebook_lookup

// BADK: error: qc-cluster-weights: clusters must be in [16, 256], got 8

// 16 distinct values, each twice: the codebook is exactly those values and
// element i's 4-bit index is its value, two per byte (even element low).
// Per channel (8 values a row: 16 bytes of indices and four 8-entry
// tables, 144 bytes) and with 32 clusters (32 + 128 bytes) the clustered
// form would not be smaller than the 128-byte weight: it stays.
// CHECK-LABEL: func @exact
// CHECK-DAG: %[[I:.*]] = arith.constant dense<[16, 50, 84, 118, -104, -70, -36, -2, -17, -51, -85, -119, 103, 69, 35, 1]> : tensor<16xi8>
// CHECK-DAG: %[[T:.*]] = arith.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00, 9.000000e+00, 1.000000e+01, 1.100000e+01, 1.200000e+01, 1.300000e+01, 1.400000e+01, 1.500000e+01]> : tensor<16xf32>
// CHECK: %[[W:.*]] = qc.codebook_lookup %[[I]], %[[T]] {bits = 4 : i64} : (tensor<16xi8>, tensor<16xf32>) -> tensor<4x8xf32>
// CHECK: qc.fully_connected %arg0, %[[W]] : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
// CHAN-LABEL: func @exact
// CHAN-NOT: qc.codebook_lookup
// CHAN: qc.fully_connected %arg0, %cst :
// K32-LABEL: func @exact
// K32-NOT: qc.codebook_lookup
// K32: qc.fully_connected %arg0, %cst :
func.func @exact(%x: tensor<1x8xf32>) -> tensor<1x4xf32> {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0], [15.0, 14.0, 13.0, 12.0, 11.0, 10.0, 9.0, 8.0], [7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.0]]> : tensor<4x8xf32>
  %0 = qc.fully_connected %x, %w : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// 17 distinct values for 16 clusters: 0..14 twice each, 100 and 101. The
// optimum merges 100 and 101 (error 0.5; merging any other neighbours
// costs 1.0), and k-means finds it.
// CHECK-LABEL: func @merge
// CHECK-DAG: %[[I:.*]] = arith.constant dense<[0, 17, 34, 51, 68, 85, 102, 119, -120, -103, -86, -69, -52, -35, -18, -1]> : tensor<16xi8>
// CHECK-DAG: %[[T:.*]] = arith.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00, 9.000000e+00, 1.000000e+01, 1.100000e+01, 1.200000e+01, 1.300000e+01, 1.400000e+01, 1.005000e+02]> : tensor<16xf32>
// CHECK: qc.codebook_lookup %[[I]], %[[T]] {bits = 4 : i64}
func.func @merge(%x: tensor<1x8xf32>) -> tensor<1x4xf32> {
  %w = arith.constant dense<[[0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0], [4.0, 4.0, 5.0, 5.0, 6.0, 6.0, 7.0, 7.0], [8.0, 8.0, 9.0, 9.0, 10.0, 10.0, 11.0, 11.0], [12.0, 12.0, 13.0, 13.0, 14.0, 14.0, 100.0, 101.0]]> : tensor<4x8xf32>
  %0 = qc.fully_connected %x, %w : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// Two channels of 16 distinct values each (0..15 and 20..35, each twice).
// Per channel: one exact table per row. With 32 clusters per tensor: 8-bit
// indices into the 32 distinct values.
// CHAN-LABEL: func @channels
// CHAN-DAG: %[[I:.*]] = arith.constant dense<[16, 50, 84, 118, -104, -70, -36, -2, 16, 50, 84, 118, -104, -70, -36, -2, 16, 50, 84, 118, -104, -70, -36, -2, 16, 50, 84, 118, -104, -70, -36, -2]> : tensor<32xi8>
// CHAN-DAG: %[[T:.*]] = arith.constant dense<{{\[}}[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00, 9.000000e+00, 1.000000e+01, 1.100000e+01, 1.200000e+01, 1.300000e+01, 1.400000e+01, 1.500000e+01], [2.000000e+01, 2.100000e+01, 2.200000e+01, 2.300000e+01, 2.400000e+01, 2.500000e+01, 2.600000e+01, 2.700000e+01, 2.800000e+01, 2.900000e+01, 3.000000e+01, 3.100000e+01, 3.200000e+01, 3.300000e+01, 3.400000e+01, 3.500000e+01]]> : tensor<2x16xf32>
// CHAN: qc.codebook_lookup %[[I]], %[[T]] {bits = 4 : i64} : (tensor<32xi8>, tensor<2x16xf32>) -> tensor<2x32xf32>
// K32-LABEL: func @channels
// K32-DAG: %[[I:.*]] = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]> : tensor<64xi8>
// K32-DAG: %[[T:.*]] = arith.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00, 9.000000e+00, 1.000000e+01, 1.100000e+01, 1.200000e+01, 1.300000e+01, 1.400000e+01, 1.500000e+01, 2.000000e+01, 2.100000e+01, 2.200000e+01, 2.300000e+01, 2.400000e+01, 2.500000e+01, 2.600000e+01, 2.700000e+01, 2.800000e+01, 2.900000e+01, 3.000000e+01, 3.100000e+01, 3.200000e+01, 3.300000e+01, 3.400000e+01, 3.500000e+01]> : tensor<32xf32>
// K32: qc.codebook_lookup %[[I]], %[[T]] {bits = 8 : i64} : (tensor<64xi8>, tensor<32xf32>) -> tensor<2x32xf32>
// CHECK-LABEL: func @channels
// CHECK: qc.codebook_lookup %{{.*}}, %{{.*}} {bits = 4 : i64} : (tensor<32xi8>, tensor<16xf32>) -> tensor<2x32xf32>
func.func @channels(%x: tensor<1x32xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0], [20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0]]> : tensor<2x32xf32>
  %0 = qc.fully_connected %x, %w : (tensor<1x32xf32>, tensor<2x32xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// A conv weight (72 values) and a batched matmul's constant right operand
// (2x4x8) are clustered; the bias, a weight that is an argument and a
// weight shared by two ops (clustered once) are handled.
// CHECK-LABEL: func @others
// CHECK: %[[CW:.*]] = qc.codebook_lookup %{{.*}}, %{{.*}} {bits = 4 : i64} : (tensor<36xi8>, tensor<16xf32>) -> tensor<4x2x3x3xf32>
// CHECK: qc.conv %arg0, %[[CW]], %cst
// CHECK: %[[MW:.*]] = qc.codebook_lookup %{{.*}}, %{{.*}} {bits = 4 : i64} : (tensor<32xi8>, tensor<16xf32>) -> tensor<2x4x8xf32>
// CHECK: qc.matmul %arg1, %[[MW]]
// CHECK: qc.matmul %arg2, %[[MW]]
// CHECK: qc.fully_connected %arg3, %arg4 :
// CHECK-NOT: qc.codebook_lookup
func.func @others(%x: tensor<1x2x5x5xf32>, %a: tensor<2x3x4xf32>, %a2: tensor<2x3x4xf32>, %y: tensor<1x8xf32>, %w: tensor<4x8xf32>) -> (tensor<1x4x3x3xf32>, tensor<2x3x8xf32>, tensor<2x3x8xf32>, tensor<1x4xf32>) {
  %cw = arith.constant dense<[[[[0.12600000202655792, -0.13199999928474426, 0.6399999856948853], [0.10499999672174454, -0.5360000133514404, 0.3619999885559082], [1.3040000200271606, 0.9470000267028809, -0.7039999961853027]], [[-1.2649999856948853, -0.6230000257492065, 0.04100000113248825], [-2.325000047683716, -0.21899999678134918, -1.246000051498413], [-0.7319999933242798, -0.5440000295639038, -0.3160000145435333]]], [[[0.41200000047683716, 1.0429999828338623, -0.1289999932050705], [1.3660000562667847, -0.6650000214576721, 0.35199999809265137], [0.902999997138977, 0.09399999678134918, -0.7429999709129333]], [[-0.921999990940094, -0.4580000042915344, 0.2199999988079071], [-1.0099999904632568, -0.20900000631809235, -0.1589999943971634], [0.5410000085830688, 0.2150000035762787, 0.35499998927116394]]], [[[-0.6539999842643738, -0.12999999523162842, 0.7839999794960022], [1.4930000305175781, -1.2589999437332153, 1.5140000581741333], [1.3459999561309814, 0.781000018119812, 0.2639999985694885]], [[-0.3140000104904175, 1.4579999446868896, 1.9600000381469727], [1.8020000457763672, 1.315000057220459, 0.3569999933242798], [-1.2079999446868896, -0.004000000189989805, 0.656000018119812]]], [[[-1.2879999876022339, 0.39500001072883606, 0.4300000071525574], [0.6959999799728394, -1.184000015258789, -0.6620000004768372], [-0.4359999895095825, -1.1699999570846558, 1.7389999628067017]], [[-0.4959999918937683, 0.32899999618530273, -0.2590000033378601], [1.5829999446868896, 1.3200000524520874, 0.6330000162124634], [-2.2039999961853027, 0.052000001072883606, 0.6840000152587891]]]]> : tensor<4x2x3x3xf32>
  %cb = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = qc.conv %x, %cw, %cb {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x5x5xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
  %mw = arith.constant dense<[[[0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875], [1.0, 1.125, 1.25, 1.375, 1.5, 1.625, 1.75, 1.875], [2.0, 2.125, 2.25, 2.375, 2.5, 2.625, 2.75, 2.875], [3.0, 3.125, 3.25, 3.375, 3.5, 3.625, 3.75, 3.875]], [[4.0, 4.125, 4.25, 4.375, 4.5, 4.625, 4.75, 4.875], [5.0, 5.125, 5.25, 5.375, 5.5, 5.625, 5.75, 5.875], [6.0, 6.125, 6.25, 6.375, 6.5, 6.625, 6.75, 6.875], [7.0, 7.125, 7.25, 7.375, 7.5, 7.625, 7.75, 7.875]]]> : tensor<2x4x8xf32>
  %1 = qc.matmul %a, %mw : (tensor<2x3x4xf32>, tensor<2x4x8xf32>) -> tensor<2x3x8xf32>
  %2 = qc.matmul %a2, %mw : (tensor<2x3x4xf32>, tensor<2x4x8xf32>) -> tensor<2x3x8xf32>
  %3 = qc.fully_connected %y, %w : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
  return %0, %1, %2, %3 : tensor<1x4x3x3xf32>, tensor<2x3x8xf32>, tensor<2x3x8xf32>, tensor<1x4xf32>
}

// -----

// The lookup is built right before the weight's first use, not where the
// constant is, so the reconstructed weight is live only while it is used.
// CHECK-LABEL: func @placement
// CHECK: qc.relu
// CHECK-NEXT: arith.constant
// CHECK-NEXT: arith.constant
// CHECK-NEXT: %[[W:.*]] = qc.codebook_lookup
// CHECK-NEXT: qc.fully_connected %{{.*}}, %[[W]]
func.func @placement(%x: tensor<1x8xf32>) -> tensor<1x4xf32> {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0], [24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0]]> : tensor<4x8xf32>
  %r = qc.relu %x : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %0 = qc.fully_connected %r, %w : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// A weight with a NaN is left float, with a warning.
// WARN: warning: weight has non-finite values; it is not clustered
// CHECK-LABEL: func @nan
// CHECK-NOT: qc.codebook_lookup
func.func @nan(%x: tensor<1x8xf32>) -> tensor<1x4xf32> {
  %w = arith.constant dense<[[0x7FC00000, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0], [24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0]]> : tensor<4x8xf32>
  %0 = qc.fully_connected %x, %w : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
