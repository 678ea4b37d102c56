// RUN: quantc-opt %s --qc-copies-to-linalg | FileCheck %s

// A copy into a strided view (as bufferization emits for a padded buffer)
// becomes linalg.copy with the same operands and layouts.
// CHECK-LABEL: func @strided_copy
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%arg0 : memref<4x4xf32>) outs(%arg1 : memref<4x4xf32, strided<[8, 1], offset: 2>>)
// CHECK-NEXT: return
func.func @strided_copy(%a: memref<4x4xf32>, %b: memref<4x4xf32, strided<[8, 1], offset: 2>>) {
  memref.copy %a, %b : memref<4x4xf32> to memref<4x4xf32, strided<[8, 1], offset: 2>>
  return
}

// Every copy in the function is rewritten, in order, including copies
// nested in loops and of integer element types.
// CHECK-LABEL: func @several_copies
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%arg0 : memref<8xi8>) outs(%arg1 : memref<8xi8>)
// CHECK: scf.for
// CHECK: %[[SUB:.*]] = memref.subview %arg2
// CHECK: linalg.copy ins(%[[SUB]] : memref<2xf32, strided<[1], offset: ?>>) outs(%arg3 : memref<2xf32>)
// CHECK-NOT: memref.copy
func.func @several_copies(%a: memref<8xi8>, %b: memref<8xi8>, %c: memref<8xf32>, %d: memref<2xf32>) {
  memref.copy %a, %b : memref<8xi8> to memref<8xi8>
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c2 {
    %s = memref.subview %c[%i] [2] [1] : memref<8xf32> to memref<2xf32, strided<[1], offset: ?>>
    memref.copy %s, %d : memref<2xf32, strided<[1], offset: ?>> to memref<2xf32>
  }
  return
}
