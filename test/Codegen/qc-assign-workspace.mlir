// RUN: quantc-opt %s --qc-assign-workspace -allow-unregistered-dialect | FileCheck %s

// Offsets are 64-byte aligned: 100 bytes, then 2x3xi32 (24 bytes).
// CHECK-LABEL: func @model
// CHECK-SAME: (%arg0: memref<4xf32>, %[[WS:.*]]: memref<?xi8>)
// CHECK-SAME: qc.workspace_size = 192 : i64
// CHECK-NOT: memref.alloc
// CHECK: memref.view %[[WS]][%c0{{.*}}][] : memref<?xi8> to memref<100xi8>
// CHECK: memref.view %[[WS]][%c128{{.*}}][] : memref<?xi8> to memref<2x3xi32>
// CHECK-NOT: memref.dealloc
func.func @model(%out: memref<4xf32>) {
  %a = memref.alloc() : memref<100xi8>
  %b = memref.alloc() : memref<2x3xi32>
  "test.use"(%a, %b) : (memref<100xi8>, memref<2x3xi32>) -> ()
  memref.dealloc %a : memref<100xi8>
  return
}
