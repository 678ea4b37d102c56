// RUN: quantc-opt %s -canonicalize -split-input-file | FileCheck %s
// RUN: quantc-opt %s -canonicalize -split-input-file -mlir-print-debuginfo | FileCheck %s --check-prefix=LOC

// CHECK-LABEL: func @fuse_bias_and_relu
// CHECK-DAG: %[[W:.*]] = arith.constant dense<1.000000e+00> : tensor<2x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[R:.*]] = qc.fully_connected %arg0, %[[W]], %[[B]] activation <relu>
// CHECK-NEXT: return %[[R]]
func.func @fuse_bias_and_relu(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x3xf32>
  %b = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %0 = qc.fully_connected %x, %w : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  %1 = qc.add %0, %b : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %2 = qc.relu %1 : (tensor<1x2xf32>) -> tensor<1x2xf32>
  return %2 : tensor<1x2xf32>
}

// -----

// The relu keeps its own result when the producer has another use.
// CHECK-LABEL: func @no_fusion_with_two_uses
// CHECK: %[[A:.*]] = qc.add %arg0, %arg0 :
// CHECK: %[[R:.*]] = qc.relu %[[A]]
// CHECK: return %[[A]], %[[R]]
func.func @no_fusion_with_two_uses(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = qc.add %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = qc.relu %0 : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func @relu_relu
// CHECK: %[[R:.*]] = qc.relu %arg0
// CHECK-NOT: qc.relu
// CHECK: return %[[R]]
func.func @relu_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qc.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = qc.relu %0 : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @reshapes
// CHECK: %[[R:.*]] = qc.reshape %arg0 : (tensor<2x3xf32>) -> tensor<6xf32>
// CHECK: return %[[R]], %arg0
func.func @reshapes(%x: tensor<2x3xf32>) -> (tensor<6xf32>, tensor<2x3xf32>) {
  %0 = qc.reshape %x : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %1 = qc.reshape %0 : (tensor<3x2xf32>) -> tensor<6xf32>
  %2 = qc.reshape %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1, %2 : tensor<6xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @fold_constant_reshape
// CHECK: %[[C:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>
// CHECK: return %[[C]]
func.func @fold_constant_reshape() -> tensor<1x2xf32> {
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = qc.reshape %c : (tensor<2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// Quantized ops are left alone: fusing a relu would change the requantization.
!q = !quant.uniform<i8:f32, 0.1:0>
// CHECK-LABEL: func @quantized_untouched
// CHECK: qc.add
// CHECK: qc.relu
func.func @quantized_untouched(%x: tensor<4x!q>) -> tensor<4x!q> {
  %0 = qc.add %x, %x : (tensor<4x!q>, tensor<4x!q>) -> tensor<4x!q>
  %1 = qc.relu %0 : (tensor<4x!q>) -> tensor<4x!q>
  return %1 : tensor<4x!q>
}

// -----

// A batch norm after a conv with a bias scales the weights per output
// channel and folds into the bias: w * [2, 3], b * [2, 3] + [1, -1].
// CHECK-LABEL: func @fold_batch_norm_into_conv
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00]], {{\[\[}}4.000000e+00]]], {{\[\[\[}}9.000000e+00]], {{\[\[}}1.200000e+01]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[3.000000e+00, 5.000000e+00]> : tensor<2xf32>
// CHECK: %[[C:.*]] = qc.conv %arg0, %[[W]], %[[B]] {
// CHECK-NOT: qc.batch_norm
// CHECK: return %[[C]]
func.func @fold_batch_norm_into_conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %scale = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %shift = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %0 = qc.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = qc.batch_norm %0, %scale, %shift : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// Without a bias, the shift becomes the conv's bias; a following relu fuses too.
// CHECK-LABEL: func @fold_batch_norm_and_relu_into_conv
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00]], {{\[\[}}4.000000e+00]]], {{\[\[\[}}9.000000e+00]], {{\[\[}}1.200000e+01]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK: %[[C:.*]] = qc.conv %arg0, %[[W]], %[[B]] activation <relu>
// CHECK-NOT: qc.batch_norm
// CHECK-NOT: qc.relu
// CHECK: return %[[C]]
func.func @fold_batch_norm_and_relu_into_conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %scale = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %shift = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %0 = qc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = qc.batch_norm %0, %scale, %shift : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %2 = qc.relu %1 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// A depthwise conv (weight [C, 1, ...]) folds per channel as well.
// CHECK-LABEL: func @fold_batch_norm_into_depthwise_conv
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00, 2.000000e+00]]], {{\[\[\[}}-1.000000e+00, -1.000000e+00]]]]> : tensor<2x1x1x2xf32>
// CHECK: qc.conv %arg0, %[[W]], %{{.*}} {{{.*}}group = 2 : i64
// CHECK-NOT: qc.batch_norm
func.func @fold_batch_norm_into_depthwise_conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = arith.constant dense<1.0> : tensor<2x1x1x2xf32>
  %scale = arith.constant dense<[2.0, -1.0]> : tensor<2xf32>
  %shift = arith.constant dense<0.5> : tensor<2xf32>
  %0 = qc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x3xf32>
  %1 = qc.batch_norm %0, %scale, %shift : (tensor<1x2x4x3xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x3xf32>
  return %1 : tensor<1x2x4x3xf32>
}

// -----

// A batch norm after a fully_connected scales the weight rows: w[n, :] * s[n].
// CHECK-LABEL: func @fold_batch_norm_into_fully_connected
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[5.000000e-01, 1.000000e+00, 1.500000e+00], [-1.000000e+00, -1.000000e+00, -1.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[2.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK: %[[R:.*]] = qc.fully_connected %arg0, %[[W]], %[[B]] : (tensor<4x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT: return %[[R]]
func.func @fold_batch_norm_into_fully_connected(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]> : tensor<2x3xf32>
  %scale = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %shift = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %0 = qc.fully_connected %x, %w : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  %1 = qc.batch_norm %0, %scale, %shift : (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %1 : tensor<4x2xf32>
}

// -----

// No folding when the weight is not a constant, when the producer already
// applies an activation, or when the producer has another use.
// CHECK-LABEL: func @no_batch_norm_folding
// CHECK-COUNT-3: qc.batch_norm
func.func @no_batch_norm_folding(%x: tensor<1x2x4x4xf32>, %wv: tensor<2x2x1x1xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %s = arith.constant dense<2.0> : tensor<2xf32>
  %0 = qc.conv %x, %wv {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = qc.batch_norm %0, %s, %s : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %2 = qc.conv %x, %w activation <relu> {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %3 = qc.batch_norm %2, %s, %s : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %4 = qc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %5 = qc.batch_norm %4, %s, %s : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1, %3, %4, %5 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// relu(conv) fuses into the conv, whose location leads with the relu's (the
// tensor name) and keeps the conv's.
// CHECK-LABEL: func @fuse_relu_into_conv
// CHECK: %[[C:.*]] = qc.conv %arg0, %arg1 activation <relu> {{.*}} -> tensor<1x2x4x4xf32>
// CHECK-NEXT: return %[[C]]
// LOC-LABEL: func @fuse_relu_into_conv
// LOC: qc.conv %arg0, %arg1 activation <relu> {{.*}} loc(#[[LOC:.*]])
// LOC: #[[RELU:.*]] = loc("the_relu")
// LOC: #[[CONV:.*]] = loc("the_conv")
// LOC: #[[LOC]] = loc(fused[#[[RELU]], #[[CONV]]])
func.func @fuse_relu_into_conv(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %0 = qc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("the_conv")
  %1 = qc.relu %0 : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("the_relu")
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// clip(0, 6) after a conv fuses as relu6; other bounds stay a clip.
// CHECK-LABEL: func @fuse_relu6_into_conv
// CHECK: %[[C:.*]] = qc.conv %arg0, %arg1 activation <relu6>
// CHECK-NEXT: %[[K:.*]] = qc.unary <clip> %[[C]] {beta = 4.000000e+00 : f32}
// CHECK-NEXT: return %[[K]]
func.func @fuse_relu6_into_conv(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %0 = qc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = qc.unary <clip> %0 {alpha = 0.0 : f32, beta = 6.0 : f32} : tensor<1x2x4x4xf32>
  %2 = qc.unary <clip> %1 {alpha = 0.0 : f32, beta = 4.0 : f32} : tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// MatMul on a 3-D input: the bias add and relu reach the fully_connected
// through the reshape the exporter writes.
// CHECK-LABEL: func @fuse_bias_through_reshape
// CHECK: %[[FC:.*]] = qc.fully_connected %arg0, %{{.*}}, %{{.*}} activation <relu> : {{.*}} -> tensor<4x2xf32>
// CHECK-NEXT: %[[R:.*]] = qc.reshape %[[FC]] : (tensor<4x2xf32>) -> tensor<4x1x2xf32>
// CHECK-NEXT: return %[[R]]
func.func @fuse_bias_through_reshape(%x: tensor<4x3xf32>) -> tensor<4x1x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x3xf32>
  %b = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = qc.fully_connected %x, %w : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  %1 = qc.reshape %0 : (tensor<4x2xf32>) -> tensor<4x1x2xf32>
  %2 = qc.add %1, %b : (tensor<4x1x2xf32>, tensor<2xf32>) -> tensor<4x1x2xf32>
  %3 = qc.relu %2 : (tensor<4x1x2xf32>) -> tensor<4x1x2xf32>
  return %3 : tensor<4x1x2xf32>
}

// -----

// A reshape that changes the feature dimension blocks the fold.
// CHECK-LABEL: func @no_bias_through_feature_reshape
// CHECK: qc.fully_connected %arg0, %{{[a-z0-9_]+}} :
// CHECK: qc.add
func.func @no_bias_through_feature_reshape(%x: tensor<4x3xf32>) -> tensor<8xf32> {
  %w = arith.constant dense<1.0> : tensor<2x3xf32>
  %b = arith.constant dense<1.0> : tensor<8xf32>
  %0 = qc.fully_connected %x, %w : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  %1 = qc.reshape %0 : (tensor<4x2xf32>) -> tensor<8xf32>
  %2 = qc.add %1, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %2 : tensor<8xf32>
}
