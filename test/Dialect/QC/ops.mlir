// RUN: quantc-opt %s | quantc-opt | FileCheck %s
// RUN: quantc-opt %s --mlir-print-op-generic | quantc-opt | FileCheck %s

!qin = !quant.uniform<i8:f32, 0.05:-3>
!qout = !quant.uniform<i8:f32, 0.1:-128>
!qw = !quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>
!qb = !quant.uniform<i32:f32:0, {0.025, 0.0125}>

// CHECK-LABEL: func @fc_float
func.func @fc_float(%x: tensor<1x3xf32>, %w: tensor<2x3xf32>, %b: tensor<2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  // CHECK: qc.fully_connected %{{.*}}, %{{.*}}, %{{.*}} activation <relu> : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %0 = qc.fully_connected %x, %w, %b activation <relu> : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  // CHECK: qc.fully_connected %{{.*}}, %{{.*}} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  %1 = qc.fully_connected %x, %w : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %0, %1 : tensor<1x2xf32>, tensor<1x2xf32>
}

// CHECK-LABEL: func @fc_quantized
func.func @fc_quantized(%x: tensor<1x3x!qin>, %w: tensor<2x3x!qw>, %b: tensor<2x!qb>) -> tensor<1x2x!qout> {
  // CHECK: qc.fully_connected {{.*}} : (tensor<1x3x!quant.uniform<i8:f32, 5.000000e-02:-3>>, tensor<2x3x!quant.uniform<i8<-127:127>:f32:0, {5.000000e-01,2.500000e-01}>>, tensor<2x!quant.uniform<i32:f32:0, {2.500000e-02,1.250000e-02}>>) -> tensor<1x2x!quant.uniform<i8:f32, 1.000000e-01:-128>>
  %0 = qc.fully_connected %x, %w, %b : (tensor<1x3x!qin>, tensor<2x3x!qw>, tensor<2x!qb>) -> tensor<1x2x!qout>
  return %0 : tensor<1x2x!qout>
}

// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<2x4xf32>, %b: tensor<4xf32>, %qa: tensor<2x4x!qin>, %qb: tensor<4x!qout>) -> (tensor<2x4xf32>, tensor<2x4x!qout>, tensor<8x!qin>, tensor<2x4xf32>) {
  // CHECK: qc.add %{{.*}}, %{{.*}} activation <relu> : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %0 = qc.add %a, %b activation <relu> : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  // CHECK: qc.add %{{.*}}, %{{.*}} : (tensor<2x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>, tensor<4x!quant.uniform<i8:f32, 1.000000e-01:-128>>) -> tensor<2x4x!quant.uniform<i8:f32, 1.000000e-01:-128>>
  %1 = qc.add %qa, %qb : (tensor<2x4x!qin>, tensor<4x!qout>) -> tensor<2x4x!qout>
  // CHECK: qc.relu %{{.*}} : (tensor<2x4x!quant.uniform<i8:f32, 1.000000e-01:-128>>) -> tensor<2x4x!quant.uniform<i8:f32, 1.000000e-01:-128>>
  %2 = qc.relu %1 : (tensor<2x4x!qout>) -> tensor<2x4x!qout>
  // CHECK: qc.reshape %{{.*}} : (tensor<2x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>) -> tensor<8x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %3 = qc.reshape %qa : (tensor<2x4x!qin>) -> tensor<8x!qin>
  // CHECK: qc.relu %{{.*}} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %4 = qc.relu %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0, %2, %3, %4 : tensor<2x4xf32>, tensor<2x4x!qout>, tensor<8x!qin>, tensor<2x4xf32>
}

// CHECK-LABEL: func @matmul
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // CHECK: qc.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %0 = qc.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
