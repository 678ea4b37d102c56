// RUN: quantc-opt %s -split-input-file -verify-diagnostics

func.func @fc_k_mismatch(%x: tensor<1x3xf32>, %w: tensor<2x4xf32>) -> tensor<1x2xf32> {
  // expected-error @below {{weight has 4 input features but the input has 3}}
  %0 = qc.fully_connected %x, %w : (tensor<1x3xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @fc_result_shape(%x: tensor<1x3xf32>, %w: tensor<2x3xf32>) -> tensor<1x3xf32> {
  // expected-error @below {{result shape must be [1, 2]}}
  %0 = qc.fully_connected %x, %w : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @fc_bias_size(%x: tensor<1x3xf32>, %w: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<1x2xf32> {
  // expected-error @below {{bias must be 1-D of size 2}}
  %0 = qc.fully_connected %x, %w, %b : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

!q = !quant.uniform<i8:f32, 0.1:0>
func.func @fc_mixed(%x: tensor<1x3x!q>, %w: tensor<2x3xf32>) -> tensor<1x2x!q> {
  // expected-error @below {{mixes float and quantized tensors}}
  %0 = qc.fully_connected %x, %w : (tensor<1x3x!q>, tensor<2x3xf32>) -> tensor<1x2x!q>
  return %0 : tensor<1x2x!q>
}

// -----

!q = !quant.uniform<i8:f32, 0.1:0>
!w = !quant.uniform<i8:f32, 0.1:0>
func.func @fc_weight_full_range(%x: tensor<1x3x!q>, %w: tensor<2x3x!w>) -> tensor<1x2x!q> {
  // expected-error @below {{weight must have i8 storage restricted to [-127, 127]}}
  %0 = qc.fully_connected %x, %w : (tensor<1x3x!q>, tensor<2x3x!w>) -> tensor<1x2x!q>
  return %0 : tensor<1x2x!q>
}

// -----

!q = !quant.uniform<i8:f32, 0.1:0>
!w = !quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>
!b = !quant.uniform<i32:f32:0, {0.05, 0.5}>
func.func @fc_bias_scale(%x: tensor<1x3x!q>, %w: tensor<2x3x!w>, %b: tensor<2x!b>) -> tensor<1x2x!q> {
  // expected-error @below {{bias scale of channel 1 is 5.000000e-01 but must be input scale * weight scale = 2.500000e-02}}
  %0 = qc.fully_connected %x, %w, %b : (tensor<1x3x!q>, tensor<2x3x!w>, tensor<2x!b>) -> tensor<1x2x!q>
  return %0 : tensor<1x2x!q>
}

// -----

!q = !quant.uniform<i8:f32, 0.1:0>
!w = !quant.uniform<i8<-127:127>:f32:1, {0.5, 0.25, 0.1}>
func.func @fc_weight_axis(%x: tensor<1x3x!q>, %w: tensor<2x3x!w>) -> tensor<1x2x!q> {
  // expected-error @below {{per-channel weight must be quantized along axis 0}}
  %0 = qc.fully_connected %x, %w : (tensor<1x3x!q>, tensor<2x3x!w>) -> tensor<1x2x!q>
  return %0 : tensor<1x2x!q>
}

// -----

!q = !quant.uniform<u8:f32, 0.1:0>
func.func @add_u8(%a: tensor<4x!q>) -> tensor<4x!q> {
  // expected-error @below {{lhs must have i8 storage}}
  %0 = qc.add %a, %a : (tensor<4x!q>, tensor<4x!q>) -> tensor<4x!q>
  return %0 : tensor<4x!q>
}

// -----

func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @below {{are not broadcast-compatible}}
  %0 = qc.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @relu_shape(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @below {{result shape must equal the input shape}}
  %0 = qc.relu %a : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @reshape_count(%a: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @below {{cannot reshape 6 elements into 7}}
  %0 = qc.reshape %a : (tensor<2x3xf32>) -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

!q1 = !quant.uniform<i8:f32, 0.1:0>
!q2 = !quant.uniform<i8:f32, 0.2:0>
func.func @reshape_requant(%a: tensor<2x3x!q1>) -> tensor<6x!q2> {
  // expected-error @below {{element type must not change}}
  %0 = qc.reshape %a : (tensor<2x3x!q1>) -> tensor<6x!q2>
  return %0 : tensor<6x!q2>
}

// -----

func.func @matmul_k(%a: tensor<2x3xf32>, %b: tensor<4x4xf32>) -> tensor<2x4xf32> {
  // expected-error @below {{contracting dimensions differ: 3 vs 4}}
  %0 = qc.matmul %a, %b : (tensor<2x3xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
