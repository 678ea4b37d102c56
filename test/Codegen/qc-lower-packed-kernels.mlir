// RUN: quantc-opt %s --split-input-file --qc-lower-packed-kernels | FileCheck %s

// A fully connected layer as a 1x1 convolution over [1, 1, M, K], 20
// output channels: one 32-wide tail block of 2 zmm accumulators per row,
// vpdpbusd over K groups of 4, the 64-bit requantization, and a masked
// the 4 channels past 16 stored one by one.
// CHECK-LABEL: func.func @fc
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<24xi8>
// CHECK-NOT: linalg.fill
// CHECK: arith.xori
// CHECK: scf.for
// CHECK: vector.load %{{.*}} : memref<256xi8>, vector<64xi8>
// CHECK: vector.broadcast %{{.*}} : i32 to vector<16xi32>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK: arith.muli %{{.*}} : vector<16xi64>
// CHECK: arith.shrsi %{{.*}} : vector<16xi64>
// CHECK: arith.trunci %{{.*}} : vector<16xi64> to vector<16xi8>
// CHECK: vector.store %{{.*}} : memref<60xi8>, vector<16xi8>
// CHECK-COUNT-12: memref.store %{{.*}} : memref<60xi8>
// CHECK-NOT: memref.store
// CHECK: return
func.func @fc(%x: memref<1x1x3x8xi8>, %w: memref<256xi8>, %b: memref<32xi32>, %m: memref<32xi32>, %s: memref<32xi32>, %y: memref<1x1x3x20xi8>) {
  qc.packed_conv2d ins(%x, %w, %b, %m, %s : memref<1x1x3x8xi8>, memref<256xi8>, memref<32xi32>, memref<32xi32>, memref<32xi32>)
      outs(%y : memref<1x1x3x20xi8>)
      {isa = "avx512vnni", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
       pads = array<i64: 0, 0, 0, 0>, input_zero_point = -3 : i64, output_zero_point = -128 : i64,
       clamp_min = -128 : i64, clamp_max = 127 : i64}
  return
}

// -----

// AVX2: int16 operands, vpmaddwd, tiles of 6 rows x 16 channels.
// CHECK-LABEL: func.func @conv_avx2
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<196xi16>
// CHECK: linalg.fill
// CHECK: arith.extsi %{{.*}} : i8 to i16
// CHECK: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// CHECK-SAME: (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
func.func @conv_avx2(%x: memref<1x5x5x3xi8>, %w: memref<576xi16>, %b: memref<16xi32>, %m: memref<16xi32>, %s: memref<16xi32>, %y: memref<1x5x5x16xi8>) {
  qc.packed_conv2d ins(%x, %w, %b, %m, %s : memref<1x5x5x3xi8>, memref<576xi16>, memref<16xi32>, memref<16xi32>, memref<16xi32>)
      outs(%y : memref<1x5x5x16xi8>)
      {isa = "avx2", kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
       pads = array<i64: 1, 1, 1, 1>, input_zero_point = 5 : i64, output_zero_point = 0 : i64,
       clamp_min = 0 : i64, clamp_max = 127 : i64}
  return
}

// -----

// Depthwise: sign-extended bytes against int16 weights in the lower half
// of each lane, one vpdpwssd per tap, the taps unrolled.
// CHECK-LABEL: func.func @depthwise
// CHECK: arith.extsi %{{.*}} : vector<16xi8> to vector<16xi32>
// CHECK: vector.bitcast %{{.*}} : vector<16xi32> to vector<32xi16>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpwssd.512"
// CHECK-COUNT-8: llvm.call_intrinsic "llvm.x86.avx512.vpdpwssd.512"
// CHECK-NOT: arith.muli %{{.*}} : vector<16xi32>
// CHECK-COUNT-3: memref.store %{{.*}} : memref<48xi8>
func.func @depthwise(%x: memref<1x7x7x3xi8>, %w: memref<144xi32>, %b: memref<16xi32>, %m: memref<16xi32>, %s: memref<16xi32>, %y: memref<1x4x4x3xi8>) {
  qc.packed_conv2d ins(%x, %w, %b, %m, %s : memref<1x7x7x3xi8>, memref<144xi32>, memref<16xi32>, memref<16xi32>, memref<16xi32>)
      outs(%y : memref<1x4x4x3xi8>)
      {isa = "avx512vnni", depthwise, kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
       pads = array<i64: 1, 1, 1, 1>, input_zero_point = -3 : i64, output_zero_point = -128 : i64,
       clamp_min = -128 : i64, clamp_max = 127 : i64}
  return
}

// -----

// K split into L1-sized panels: a 512 x 64 weight block is 32 KiB, so the
// row tiles run K groups [0, 64) into an int32 partial-sum buffer of the
// 12 rows x 64 channels, then [64, 128) from it into the epilogue.
// CHECK-LABEL: func.func @k_panels
// CHECK: %[[PART:.*]] = memref.alloc() {alignment = 64 : i64} : memref<768xi32>
// CHECK: scf.for
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C64]]
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK-NOT: arith.trunci
// CHECK-COUNT-24: vector.store %{{.*}}, %[[PART]]
// CHECK: scf.for
// CHECK-COUNT-24: vector.load %[[PART]]
// CHECK: scf.for %{{.*}} = %[[C64]]
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK: arith.trunci %{{.*}} : vector<16xi64> to vector<16xi8>
// CHECK-NOT: vector.store %{{.*}}, %[[PART]]
// CHECK: return
func.func @k_panels(%x: memref<1x1x12x512xi8>, %w: memref<32768xi8>, %b: memref<64xi32>, %m: memref<64xi32>, %s: memref<64xi32>, %y: memref<1x1x12x64xi8>) {
  qc.packed_conv2d ins(%x, %w, %b, %m, %s : memref<1x1x12x512xi8>, memref<32768xi8>, memref<64xi32>, memref<64xi32>, memref<64xi32>)
      outs(%y : memref<1x1x12x64xi8>)
      {isa = "avx512vnni", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
       pads = array<i64: 0, 0, 0, 0>, input_zero_point = 0 : i64, output_zero_point = 0 : i64,
       clamp_min = -128 : i64, clamp_max = 127 : i64}
  return
}
