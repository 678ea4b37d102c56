// RUN: quantc-opt %s --qc-outline-kernels -split-input-file | FileCheck %s

// Each top-level loop nest of the model function (the one with
// qc.workspace_size) becomes a call to its own private noinline function,
// in order. Constants, get_global and views of them are cloned into the
// kernel; the workspace view and the arguments are passed.
// CHECK-LABEL: func.func @model(
// CHECK-SAME: %[[X:.*]]: memref<16xf32>, %[[Y:.*]]: memref<16xf32>, %[[WS:.*]]: memref<?xi8>
// CHECK: %[[T:.*]] = memref.view %[[WS]]
// CHECK-NEXT: call @model_k0(%[[X]], %[[T]]) : (memref<16xf32>, memref<16xf32>) -> ()
// CHECK-NEXT: call @model_k1(%[[T]], %[[Y]]) : (memref<16xf32>, memref<16xf32>) -> ()
// CHECK-NEXT: return
// CHECK: func.func private @model_k0(%[[A:.*]]: memref<16xf32>, %[[B:.*]]: memref<16xf32>)
// CHECK-SAME: attributes {llvm.linkage = #llvm.linkage<internal>, no_inline, passthrough = ["noinline"], qc.kernel}
// CHECK-DAG: arith.constant 0 : index
// CHECK-DAG: memref.get_global @w
// CHECK: scf.for
// CHECK: memref.load %[[A]]
// CHECK: memref.store %{{.*}}, %[[B]]
// CHECK: return
// CHECK: func.func private @model_k1(
memref.global "private" constant @w : memref<16xf32> = dense<2.0>
func.func @model(%x: memref<16xf32>, %y: memref<16xf32>, %ws: memref<?xi8>)
    attributes {qc.workspace_size = 64 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %w = memref.get_global @w : memref<16xf32>
  %t = memref.view %ws[%c0][] : memref<?xi8> to memref<16xf32>
  scf.for %i = %c0 to %c16 step %c1 {
    %a = memref.load %x[%i] : memref<16xf32>
    %b = memref.load %w[%i] : memref<16xf32>
    %s = arith.addf %a, %b : f32
    memref.store %s, %t[%i] : memref<16xf32>
  }
  scf.for %i = %c0 to %c16 step %c1 {
    %a = memref.load %t[%i] : memref<16xf32>
    %s = arith.mulf %a, %a : f32
    memref.store %s, %y[%i] : memref<16xf32>
  }
  return
}

// -----

// Functions without qc.workspace_size are left alone; so are ops with
// results (here an scf.for carrying a value).
// CHECK-LABEL: func.func @helper
// CHECK: scf.for
// CHECK-NOT: call
// CHECK-LABEL: func.func @carried
// CHECK: %[[R:.*]] = scf.for
// CHECK: memref.store %[[R]]
// CHECK-NOT: func.func private
func.func @helper(%y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %f = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %f, %y[%i] : memref<4xf32>
  }
  return
}
func.func @carried(%y: memref<1xf32>, %ws: memref<?xi8>) attributes {qc.workspace_size = 0 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %f = arith.constant 1.0 : f32
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %f) -> f32 {
    %n = arith.addf %acc, %f : f32
    scf.yield %n : f32
  }
  memref.store %r, %y[%c0] : memref<1xf32>
  return
}
