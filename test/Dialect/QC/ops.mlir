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

// Batched matmul with broadcast batch dimensions.
// CHECK-LABEL: func @batched_matmul
func.func @batched_matmul(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32> {
  // CHECK: qc.matmul %{{.*}}, %{{.*}} : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
  %0 = qc.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
  return %0 : tensor<2x5x3x6xf32>
}

// Float and quantized convolutions, with and without bias and activation.
// CHECK-LABEL: func @conv
func.func @conv(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>, %x1: tensor<1x2x8xf32>, %w1: tensor<3x2x3xf32>,
                %qx: tensor<1x2x4x4x!qin>, %qw: tensor<2x2x1x1x!qw>, %qb: tensor<2x!qb>) -> (tensor<1x6x4x4xf32>, tensor<1x3x8xf32>, tensor<1x2x4x4x!qout>) {
  // CHECK: qc.conv %{{.*}}, %{{.*}}, %{{.*}} activation <relu> {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  %0 = qc.conv %x, %w, %b activation <relu> {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  // CHECK: qc.conv %{{.*}}, %{{.*}} {dilations = array<i64: 2>, group = 1 : i64, pads = array<i64: 2, 2>, strides = array<i64: 1>} : (tensor<1x2x8xf32>, tensor<3x2x3xf32>) -> tensor<1x3x8xf32>
  %1 = qc.conv %x1, %w1 {strides = array<i64: 1>, dilations = array<i64: 2>, pads = array<i64: 2, 2>, group = 1 : i64} : (tensor<1x2x8xf32>, tensor<3x2x3xf32>) -> tensor<1x3x8xf32>
  // CHECK: qc.conv {{.*}} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>, tensor<2x2x1x1x!quant.uniform<i8<-127:127>:f32:0, {5.000000e-01,2.500000e-01}>>, tensor<2x!quant.uniform<i32:f32:0, {2.500000e-02,1.250000e-02}>>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 1.000000e-01:-128>>
  %2 = qc.conv %qx, %qw, %qb {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x4x4x!qin>, tensor<2x2x1x1x!qw>, tensor<2x!qb>) -> tensor<1x2x4x4x!qout>
  return %0, %1, %2 : tensor<1x6x4x4xf32>, tensor<1x3x8xf32>, tensor<1x2x4x4x!qout>
}

// Transposed convolution: 2 * (3 - 1) + 1 + 2 + 1 - 2 = 6.
// CHECK-LABEL: func @conv_transpose
func.func @conv_transpose(%x: tensor<1x4x3x3xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x6x6xf32> {
  // CHECK: qc.conv_transpose %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64, output_padding = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x3x3xf32>, tensor<4x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x6x6xf32>
  %0 = qc.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x3x3xf32>, tensor<4x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// Max pooling (also on int8 with an unchanged type) and average pooling with its flags.
// CHECK-LABEL: func @pool
func.func @pool(%x: tensor<1x2x7x7xf32>, %q: tensor<1x2x4x4x!qin>) -> (tensor<1x2x4x4xf32>, tensor<1x2x7x7xf32>, tensor<1x2x2x2x!qin>) {
  // CHECK: qc.pool <max> %{{.*}} {ceil_mode, dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  %0 = qc.pool <max> %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, ceil_mode} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  // CHECK: qc.pool <avg> %{{.*}} {count_include_pad, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32>
  %1 = qc.pool <avg> %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, count_include_pad} : (tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32>
  // CHECK: qc.pool <max> {{.*}} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %2 = qc.pool <max> %q {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4x!qin>) -> tensor<1x2x2x2x!qin>
  return %0, %1, %2 : tensor<1x2x4x4xf32>, tensor<1x2x7x7xf32>, tensor<1x2x2x2x!qin>
}

// Every unary kind; alpha and beta print only when they differ from 0.
// CHECK-LABEL: func @unary
func.func @unary(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[A:.*]] = qc.unary <neg> %arg0 : tensor<4xf32>
  // CHECK-NEXT: %[[B:.*]] = qc.unary <abs> %[[A]] : tensor<4xf32>
  // CHECK-NEXT: qc.unary <exp>
  // CHECK-NEXT: qc.unary <log>
  // CHECK-NEXT: qc.unary <sqrt>
  // CHECK-NEXT: qc.unary <reciprocal>
  // CHECK-NEXT: qc.unary <sigmoid>
  // CHECK-NEXT: qc.unary <tanh>
  // CHECK-NEXT: qc.unary <erf>
  // CHECK-NEXT: qc.unary <gelu>
  // CHECK-NEXT: qc.unary <gelu_tanh>
  // CHECK-NEXT: qc.unary <hard_sigmoid> %{{.*}} {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32} : tensor<4xf32>
  // CHECK-NEXT: qc.unary <hard_swish>
  // CHECK-NEXT: qc.unary <leaky_relu> %{{.*}} {alpha = 0.00999999977 : f32} : tensor<4xf32>
  // CHECK-NEXT: qc.unary <clip> %{{.*}} {beta = 6.000000e+00 : f32} : tensor<4xf32>
  // CHECK-NEXT: qc.unary <elu> %{{.*}} {alpha = 1.000000e+00 : f32} : tensor<4xf32>
  // CHECK-NEXT: qc.unary <selu> %{{.*}} {alpha = 1.500000e+00 : f32, beta = 1.000000e+00 : f32} : tensor<4xf32>
  // CHECK-NEXT: qc.unary <softplus>
  // CHECK-NEXT: qc.unary <softsign>
  %0 = qc.unary <neg> %x : tensor<4xf32>
  %1 = qc.unary <abs> %0 : tensor<4xf32>
  %2 = qc.unary <exp> %1 : tensor<4xf32>
  %3 = qc.unary <log> %2 : tensor<4xf32>
  %4 = qc.unary <sqrt> %3 : tensor<4xf32>
  %5 = qc.unary <reciprocal> %4 : tensor<4xf32>
  %6 = qc.unary <sigmoid> %5 : tensor<4xf32>
  %7 = qc.unary <tanh> %6 : tensor<4xf32>
  %8 = qc.unary <erf> %7 : tensor<4xf32>
  %9 = qc.unary <gelu> %8 : tensor<4xf32>
  %10 = qc.unary <gelu_tanh> %9 : tensor<4xf32>
  %11 = qc.unary <hard_sigmoid> %10 {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<4xf32>
  %12 = qc.unary <hard_swish> %11 : tensor<4xf32>
  %13 = qc.unary <leaky_relu> %12 {alpha = 0.01 : f32} : tensor<4xf32>
  %14 = qc.unary <clip> %13 {alpha = 0.0 : f32, beta = 6.0 : f32} : tensor<4xf32>
  %15 = qc.unary <elu> %14 {alpha = 1.0 : f32} : tensor<4xf32>
  %16 = qc.unary <selu> %15 {alpha = 1.5 : f32, beta = 1.0 : f32} : tensor<4xf32>
  %17 = qc.unary <softplus> %16 : tensor<4xf32>
  %18 = qc.unary <softsign> %17 : tensor<4xf32>
  return %18 : tensor<4xf32>
}

// Every binary kind, broadcasting.
// CHECK-LABEL: func @binary
func.func @binary(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %s: tensor<f32>) -> tensor<2x3xf32> {
  // CHECK: qc.binary <sub> %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: qc.binary <mul> %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: qc.binary <div>
  // CHECK-NEXT: qc.binary <max>
  // CHECK-NEXT: qc.binary <min>
  // CHECK-NEXT: qc.binary <pow> %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  // CHECK-NEXT: qc.binary <prelu>
  %0 = qc.binary <sub> %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = qc.binary <mul> %b, %0 : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = qc.binary <div> %1, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = qc.binary <max> %2, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %4 = qc.binary <min> %3, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %5 = qc.binary <pow> %4, %s : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %6 = qc.binary <prelu> %5, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %6 : tensor<2x3xf32>
}

// Softmax, log-softmax, batch norm and layer norm (with and without bias).
// CHECK-LABEL: func @normalization
func.func @normalization(%x: tensor<1x4x8xf32>, %c: tensor<4xf32>, %g: tensor<8xf32>) -> (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) {
  // CHECK: qc.softmax %{{.*}} {axis = 2 : i64} : tensor<1x4x8xf32>
  %0 = qc.softmax %x {axis = 2 : i64} : tensor<1x4x8xf32>
  // CHECK: qc.softmax %{{.*}} {axis = 1 : i64, log} : tensor<1x4x8xf32>
  %1 = qc.softmax %x {axis = 1 : i64, log} : tensor<1x4x8xf32>
  // CHECK: qc.batch_norm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x4x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8xf32>
  %2 = qc.batch_norm %x, %c, %c : (tensor<1x4x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8xf32>
  // CHECK: qc.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<1x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %3 = qc.layer_norm %x, %g, %g {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<1x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  // CHECK: qc.layer_norm %{{.*}}, %{{.*}} {axis = 1 : i64, epsilon = 1.000000e-03 : f32} : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %4 = qc.layer_norm %x, %g {axis = 1 : i64, epsilon = 1.0e-3 : f32} : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  return %0, %1, %2, %3, %4 : tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>
}

// Reductions with and without keepdims.
// CHECK-LABEL: func @reduce
func.func @reduce(%x: tensor<2x3x4xf32>) -> (tensor<2x1x1xf32>, tensor<3xf32>, tensor<f32>) {
  // CHECK: qc.reduce <mean> %{{.*}} {axes = array<i64: 1, 2>, keepdims} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %0 = qc.reduce <mean> %x {axes = array<i64: 1, 2>, keepdims} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  // CHECK: qc.reduce <sum> %{{.*}} {axes = array<i64: 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  %1 = qc.reduce <sum> %x {axes = array<i64: 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  // CHECK: qc.reduce <max> %{{.*}} {axes = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<f32>
  %2 = qc.reduce <max> %x {axes = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<2x1x1xf32>, tensor<3xf32>, tensor<f32>
}

// Data movement: concat (also quantized), transpose, pad modes, slices with negative steps, gather.
// CHECK-LABEL: func @data_movement
func.func @data_movement(%a: tensor<1x2x4xf32>, %b: tensor<1x3x4xf32>, %q: tensor<2x4x!qin>, %ids: tensor<1x3xi64>, %t: tensor<10x4xf32>)
    -> (tensor<1x5x4xf32>, tensor<4x4x!qin>, tensor<4x1x2xf32>, tensor<1x4x8xf32>, tensor<1x2x6xf32>, tensor<1x2x2xf32>, tensor<1x3x4xf32>, tensor<1x3x4xf32>) {
  // CHECK: qc.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<1x2x4xf32>, tensor<1x3x4xf32>) -> tensor<1x5x4xf32>
  %0 = qc.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4xf32>, tensor<1x3x4xf32>) -> tensor<1x5x4xf32>
  // CHECK: qc.concat {{.*}} {axis = 0 : i64} : (tensor<2x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>, tensor<2x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>) -> tensor<4x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>
  %1 = qc.concat %q, %q {axis = 0 : i64} : (tensor<2x4x!qin>, tensor<2x4x!qin>) -> tensor<4x4x!qin>
  // CHECK: qc.transpose %{{.*}} {perm = array<i64: 2, 0, 1>} : (tensor<1x2x4xf32>) -> tensor<4x1x2xf32>
  %3 = qc.transpose %a {perm = array<i64: 2, 0, 1>} : (tensor<1x2x4xf32>) -> tensor<4x1x2xf32>
  // CHECK: qc.pad <constant> %{{.*}} {pads = array<i64: 0, 1, 2, 0, 1, 2>, value = 1.500000e+00 : f32} : (tensor<1x2x4xf32>) -> tensor<1x4x8xf32>
  %4 = qc.pad <constant> %a {pads = array<i64: 0, 1, 2, 0, 1, 2>, value = 1.5 : f32} : (tensor<1x2x4xf32>) -> tensor<1x4x8xf32>
  // CHECK: qc.pad <reflect> %{{.*}} {pads = array<i64: 0, 0, 1, 0, 0, 1>} : (tensor<1x2x4xf32>) -> tensor<1x2x6xf32>
  %5 = qc.pad <reflect> %a {pads = array<i64: 0, 0, 1, 0, 0, 1>} : (tensor<1x2x4xf32>) -> tensor<1x2x6xf32>
  // CHECK: qc.pad <edge> %{{.*}} {pads = array<i64: 0, 0, 3, 0, 0, 0>} : (tensor<1x2x4xf32>) -> tensor<1x2x7xf32>
  %6 = qc.pad <edge> %a {pads = array<i64: 0, 0, 3, 0, 0, 0>} : (tensor<1x2x4xf32>) -> tensor<1x2x7xf32>
  // CHECK: qc.slice %{{.*}} {offsets = array<i64: 0, 1, 3>, steps = array<i64: 1, 1, -2>} : (tensor<1x2x4xf32>) -> tensor<1x1x2xf32>
  %7 = qc.slice %a {offsets = array<i64: 0, 1, 3>, steps = array<i64: 1, 1, -2>} : (tensor<1x2x4xf32>) -> tensor<1x1x2xf32>
  // CHECK: qc.slice %{{.*}} {offsets = array<i64: 0, 0, 0>, steps = array<i64: 1, 1, 2>} : (tensor<1x2x4xf32>) -> tensor<1x2x2xf32>
  %8 = qc.slice %a {offsets = array<i64: 0, 0, 0>, steps = array<i64: 1, 1, 2>} : (tensor<1x2x4xf32>) -> tensor<1x2x2xf32>
  // CHECK: qc.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<10x4xf32>, tensor<1x3xi64>) -> tensor<1x3x4xf32>
  %9 = qc.gather %t, %ids {axis = 0 : i64} : (tensor<10x4xf32>, tensor<1x3xi64>) -> tensor<1x3x4xf32>
  // CHECK: qc.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<1x3x4xf32>, tensor<3xi32>) -> tensor<1x3x4xf32>
  %i32 = arith.constant dense<[2, 0, -1]> : tensor<3xi32>
  %10 = qc.gather %b, %i32 {axis = 1 : i64} : (tensor<1x3x4xf32>, tensor<3xi32>) -> tensor<1x3x4xf32>
  return %0, %1, %3, %4, %5, %8, %9, %10 : tensor<1x5x4xf32>, tensor<4x4x!qin>, tensor<4x1x2xf32>, tensor<1x4x8xf32>, tensor<1x2x6xf32>, tensor<1x2x2xf32>, tensor<1x3x4xf32>, tensor<1x3x4xf32>
}
