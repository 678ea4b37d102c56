// RUN: quantc-opt %s --qc-assign-workspace -allow-unregistered-dialect -split-input-file | FileCheck %s
// RUN: quantc-opt %s --qc-assign-workspace -allow-unregistered-dialect -split-input-file | FileCheck %s --check-prefix=REUSE

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

// -----

// Liveness: %a is dead after the op that reads it into %b, so %c (allocated
// after that) reuses its offset; %b is still live when %c is written, and a
// buffer read by the op that writes another never shares with it.
// REUSE-LABEL: func @reuse
// REUSE-SAME: qc.workspace_size = 256 : i64
// REUSE: %[[A:.*]] = memref.view %{{.*}}[%c0{{.*}}][] : memref<?xi8> to memref<128xi8>
// REUSE: %[[B:.*]] = memref.view %{{.*}}[%c128{{.*}}][] : memref<?xi8> to memref<128xi8>
// REUSE: %[[C:.*]] = memref.view %{{.*}}[%c0{{.*}}][] : memref<?xi8> to memref<128xi8>
func.func @reuse(%out: memref<128xi8>) {
  %a = memref.alloc() : memref<128xi8>
  "test.write"(%a) : (memref<128xi8>) -> ()
  %b = memref.alloc() : memref<128xi8>
  "test.copy"(%a, %b) : (memref<128xi8>, memref<128xi8>) -> ()
  %c = memref.alloc() : memref<128xi8>
  "test.copy"(%b, %c) : (memref<128xi8>, memref<128xi8>) -> ()
  "test.copy"(%c, %out) : (memref<128xi8>, memref<128xi8>) -> ()
  return
}

// -----

// A view keeps its buffer alive: %a is used through a collapse_shape after
// %b is allocated, so they do not share.
// REUSE-LABEL: func @through_views
// REUSE-SAME: qc.workspace_size = 128 : i64
// REUSE: memref.view %{{.*}}[%c0{{.*}}][] : memref<?xi8> to memref<2x32xi8>
// REUSE: memref.view %{{.*}}[%c64{{.*}}][] : memref<?xi8> to memref<64xi8>
func.func @through_views(%out: memref<64xi8>) {
  %a = memref.alloc() : memref<2x32xi8>
  %v = memref.collapse_shape %a [[0, 1]] : memref<2x32xi8> into memref<64xi8>
  %b = memref.alloc() : memref<64xi8>
  "test.copy"(%v, %b) : (memref<64xi8>, memref<64xi8>) -> ()
  "test.copy"(%b, %out) : (memref<64xi8>, memref<64xi8>) -> ()
  return
}

// -----

// A buffer carried through a loop is live until the loop's result is last
// used.
// REUSE-LABEL: func @loop_carried
// REUSE-SAME: qc.workspace_size = 128 : i64
func.func @loop_carried(%out: memref<64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = memref.alloc() : memref<64xi8>
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%m = %a) -> (memref<64xi8>) {
    "test.write"(%m) : (memref<64xi8>) -> ()
    scf.yield %m : memref<64xi8>
  }
  %b = memref.alloc() : memref<64xi8>
  "test.copy"(%r, %b) : (memref<64xi8>, memref<64xi8>) -> ()
  "test.copy"(%b, %out) : (memref<64xi8>, memref<64xi8>) -> ()
  return
}
