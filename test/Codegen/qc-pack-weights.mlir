// RUN: quantc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(qc-pack-weights{isa=avx512vnni}))' | FileCheck %s
// RUN: quantc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(qc-pack-weights{isa=avx2}))' | FileCheck %s --check-prefix=AVX2
// RUN: quantc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(qc-pack-weights{isa=none}))' | FileCheck %s --check-prefix=NONE
// RUN: not quantc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(qc-pack-weights{isa=sse2}))' 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: qc-pack-weights: unknown isa 'sse2'

!a = !quant.uniform<i8:f32, 0.05:-3>
!o = !quant.uniform<i8:f32, 0.1:-128>
!w = !quant.uniform<i8<-127:127>:f32, 0.01>
!b = !quant.uniform<i32:f32, 5.0e-4>

// A 3x3 conv: NHWC in and out, 16 channels x 9 taps x 4 input channels of
// weights. All weights 1: sum w = 36; bias' = 10 - (-3) * 36 = 118, and
// -128 * 36 less for the unsigned activations of vpdpbusd.
// CHECK-LABEL: func.func @conv
// CHECK: %[[T:.*]] = qc.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x4x5x5x!quant{{.*}}>) -> tensor<1x5x5x4x!quant
// CHECK-DAG: arith.constant dense<1> : tensor<576xi8>
// CHECK-DAG: arith.constant dense<-4490> : tensor<16xi32>
// CHECK: %[[P:.*]] = qc.packed_conv2d ins(%[[T]],
// CHECK-SAME: outs(%{{.*}} : tensor<1x5x5x16x!quant
// CHECK-SAME: clamp_max = 127 : i64, clamp_min = -128 : i64
// CHECK-SAME: input_zero_point = -3 : i64, isa = "avx512vnni", kernel = array<i64: 3, 3>
// CHECK-SAME: output_zero_point = -128 : i64, pads = array<i64: 1, 1, 1, 1>
// CHECK: qc.transpose %[[P]] {perm = array<i64: 0, 3, 1, 2>}
// AVX2-LABEL: func.func @conv
// AVX2-DAG: arith.constant dense<1> : tensor<576xi16>
// AVX2-DAG: arith.constant dense<118> : tensor<16xi32>
// AVX2: qc.packed_conv2d {{.*}}isa = "avx2"
// NONE-LABEL: func.func @conv
// NONE-NOT: packed_conv2d
// NONE: qc.conv
func.func @conv(%x: tensor<1x4x5x5x!a>) -> tensor<1x16x5x5x!o> {
  %wi = arith.constant dense<1> : tensor<16x4x3x3xi8>
  %w = quant.scast %wi : tensor<16x4x3x3xi8> to tensor<16x4x3x3x!w>
  %bi = arith.constant dense<10> : tensor<16xi32>
  %b = quant.scast %bi : tensor<16xi32> to tensor<16x!b>
  %y = qc.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64}
      : (tensor<1x4x5x5x!a>, tensor<16x4x3x3x!w>, tensor<16x!b>) -> tensor<1x16x5x5x!o>
  return %y : tensor<1x16x5x5x!o>
}

// -----

!a = !quant.uniform<i8:f32, 0.05:-3>
!o = !quant.uniform<i8:f32, 0.1:-128>
!w = !quant.uniform<i8<-127:127>:f32, 0.01>

// 20 output channels: one 32-wide tail block, per-channel arrays padded to
// 32 (multiplier 2^30 and shift 31 in the padding). The relu6 clamps at the
// code of 6.0: rne(6 / 0.1) - 128 = -68.
// CHECK-LABEL: func.func @fc
// CHECK: qc.reshape %{{.*}} : (tensor<2x8x!quant{{.*}}>) -> tensor<1x1x2x8x!quant
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<256xi8>
// CHECK-DAG: arith.constant dense<{{.*}}1073741824{{.*}}> : tensor<32xi32>
// CHECK: qc.packed_conv2d
// CHECK-SAME: clamp_max = -68 : i64, clamp_min = -128 : i64
// CHECK-SAME: kernel = array<i64: 1, 1>
// CHECK: qc.reshape %{{.*}} : (tensor<1x1x2x20x!quant{{.*}}>) -> tensor<2x20x!quant
func.func @fc(%x: tensor<2x8x!a>) -> tensor<2x20x!o> {
  %wi = arith.constant dense<2> : tensor<20x8xi8>
  %w = quant.scast %wi : tensor<20x8xi8> to tensor<20x8x!w>
  %y = qc.fully_connected %x, %w activation <relu6> : (tensor<2x8x!a>, tensor<20x8x!w>) -> tensor<2x20x!o>
  return %y : tensor<2x20x!o>
}

// -----

!a = !quant.uniform<i8:f32, 0.05:-3>
!o = !quant.uniform<i8:f32, 0.05:-3>
!s = !quant.uniform<i8:f32, 0.1:-20>
!w = !quant.uniform<i8<-127:127>:f32, 0.01>

// Two convolutions and a residual add: the transposes between them cancel
// and the add and max pooling run channels-last; one transpose in, one out.
// CHECK-LABEL: func.func @chain
// CHECK: qc.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NOT: qc.transpose
// CHECK: qc.packed_conv2d
// CHECK-NOT: qc.transpose
// CHECK: qc.packed_conv2d
// CHECK-NOT: qc.transpose
// CHECK: qc.add {{.*}} -> tensor<1x6x6x4x!quant
// CHECK-NOT: qc.transpose
// CHECK: qc.pool <max> {{.*}}channels_last{{.*}} -> tensor<1x3x3x4x!quant
// CHECK: qc.transpose %{{.*}} {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NOT: qc.transpose
// CHECK: return
func.func @chain(%x: tensor<1x4x6x6x!a>) -> tensor<1x4x3x3x!s> {
  %wi = arith.constant dense<1> : tensor<4x4x1x1xi8>
  %w = quant.scast %wi : tensor<4x4x1x1xi8> to tensor<4x4x1x1x!w>
  %y = qc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
      : (tensor<1x4x6x6x!a>, tensor<4x4x1x1x!w>) -> tensor<1x4x6x6x!o>
  %z = qc.conv %y, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
      : (tensor<1x4x6x6x!o>, tensor<4x4x1x1x!w>) -> tensor<1x4x6x6x!o>
  %s = qc.add %y, %z : (tensor<1x4x6x6x!o>, tensor<1x4x6x6x!o>) -> tensor<1x4x6x6x!s>
  %p = qc.pool <max> %s {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x4x6x6x!s>) -> tensor<1x4x3x3x!s>
  return %p : tensor<1x4x3x3x!s>
}

// -----

!a = !quant.uniform<i8:f32, 0.05:-3>
!o = !quant.uniform<i8:f32, 0.1:-128>
!w = !quant.uniform<i8<-127:127>:f32, 0.01>

// Depthwise: weights [taps][channels padded to the vector width], each an
// int16 in the lower half of an int32 lane (-5 -> 0x0000fffb, printed
// little-endian).
// CHECK-LABEL: func.func @depthwise
// CHECK: arith.constant dense<"0xFBFF0000FBFF0000FBFF000000000000{{.*}}"> : tensor<144xi32>
// CHECK: qc.packed_conv2d {{.*}}depthwise
// CHECK-SAME: strides = array<i64: 2, 2>
// AVX2-LABEL: func.func @depthwise
// AVX2: arith.constant dense<{{.*}}> : tensor<72xi32>
func.func @depthwise(%x: tensor<1x3x7x7x!a>) -> tensor<1x3x4x4x!o> {
  %wi = arith.constant dense<-5> : tensor<3x1x3x3xi8>
  %w = quant.scast %wi : tensor<3x1x3x3xi8> to tensor<3x1x3x3x!w>
  %y = qc.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 3 : i64}
      : (tensor<1x3x7x7x!a>, tensor<3x1x3x3x!w>) -> tensor<1x3x4x4x!o>
  return %y : tensor<1x3x4x4x!o>
}
