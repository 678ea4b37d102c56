// RUN: quantc-opt %s --qc-emit-c-interface=name=net | FileCheck %s

// CHECK: func.func private @net_impl
// CHECK: llvm.mlir.global external constant @net_signature("{\22inputs\22:[{\22dtype\22:\22float32\22,\22name\22:\22x\22,\22shape\22:[1,4]}],\22name\22:\22net\22,\22outputs\22:[{\22dtype\22:\22float32\22,\22name\22:\22y\22,\22shape\22:[1,2]}],\22workspace_size\22:64}\00")
// CHECK: func.func @net_workspace_size() -> i64
// CHECK: arith.constant 64 : i64
// CHECK: func.func @net_run_with_workspace(%[[IN:.*]]: !llvm.ptr, %[[OUT:.*]]: !llvm.ptr, %[[WS:.*]]: !llvm.ptr) -> i32
// CHECK: llvm.getelementptr %[[IN]][0]
// CHECK: builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<1x4xf32>
// CHECK: llvm.getelementptr %[[OUT]][0]
// CHECK: to memref<?xi8>
// CHECK: call @net_impl
// CHECK: func.func @net_run(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK: llvm.call @malloc
// CHECK: scf.if
// CHECK: call @net_run_with_workspace
// CHECK: llvm.call @free
func.func @model(%x: memref<1x4xf32> {qc.name = "x"}, %y: memref<1x2xf32>, %ws: memref<?xi8>)
    attributes {qc.output_names = ["y"], qc.workspace_size = 64 : i64} {
  return
}
