// RUN: quantc-opt %s --qc-vectorize-int8-matmul --cse | FileCheck %s --check-prefix=GENERIC
// RUN: quantc-opt %s --qc-vectorize-int8-matmul=isa=avx2 | FileCheck %s --check-prefix=AVX2
// RUN: not quantc-opt %s --qc-vectorize-int8-matmul=isa=sse9 2>&1 | FileCheck %s --check-prefix=BADISA

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>

// K = 40: two 16-byte steps and a scalar tail of 8; N = 6: one block of 4
// channels and two single channels.
// GENERIC-LABEL: func @int8_matmul
// GENERIC-NOT: linalg.generic
// GENERIC: scf.for %[[M:.*]] = %c0 to %c2 step %c1
// GENERIC: scf.for %[[N:.*]] = %c0 to %c4 step %c4
// GENERIC: %[[ACC:.*]]:4 = scf.for %[[K:.*]] = %c0 to %c32 step %c16 iter_args({{.*}}) -> (vector<4xi32>, vector<4xi32>, vector<4xi32>, vector<4xi32>)
// GENERIC: %[[A:.*]] = vector.load %arg0[%[[M]], %[[K]]] : memref<2x40xi8>, vector<16xi8>
// GENERIC: %[[AW:.*]] = arith.extsi %[[A]] : vector<16xi8> to vector<16xi32>
// GENERIC: vector.load %arg1[%[[N]], %[[K]]] : memref<6x40xi8>, vector<16xi8>
// GENERIC: arith.muli %[[AW]]
// GENERIC: llvm.call_intrinsic "llvm.vector.partial.reduce.add"({{.*}}) : (vector<4xi32>, vector<16xi32>) -> vector<4xi32>
// GENERIC-COUNT-4: vector.reduction <add>
// GENERIC: scf.for %{{.*}} = %c32 to %c40 step %c1
// GENERIC: memref.store
// GENERIC: scf.for %{{.*}} = %c4 to %c6 step %c1

// AVX2-LABEL: func @int8_matmul
// AVX2: arith.extsi %{{.*}} : vector<16xi8> to vector<16xi16>
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"({{.*}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// AVX2: arith.addi %{{.*}} : vector<8xi32>

// BADISA: unknown isa 'sse9'
func.func @int8_matmul(%a: memref<2x40xi8>, %b: memref<6x40xi8>, %c: memref<2x6xi32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x40xi8>, memref<6x40xi8>) outs(%c : memref<2x6xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %y : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  return
}

// A float contraction is not this pass's business.
// GENERIC-LABEL: func @float_matmul
// GENERIC: linalg.generic
func.func @float_matmul(%a: memref<2x40xf32>, %b: memref<6x40xf32>, %c: memref<2x6xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x40xf32>, memref<6x40xf32>) outs(%c : memref<2x6xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %0 = arith.mulf %x, %y : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  return
}
