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
!w = !quant.uniform<u8:f32, 0.1:0>
func.func @fc_weight_unsigned(%x: tensor<1x3x!q>, %w: tensor<2x3x!w>) -> tensor<1x2x!q> {
  // expected-error @below {{weight must have signed i8 storage}}
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

!q = !quant.uniform<u16:f32, 0.1:0>
func.func @add_u16(%a: tensor<4x!q>) -> tensor<4x!q> {
  // expected-error @below {{lhs must have i8, u8 or i16 storage}}
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

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) -> tensor<2x3x5xf32> {
  // expected-error @below {{batch dimensions do not broadcast}}
  %0 = qc.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

func.func @matmul_result(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x6xf32>) -> tensor<2x3x6xf32> {
  // expected-error @below {{result type must be 'tensor<2x5x3x6xf32>'}}
  %0 = qc.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x3x6xf32>
  return %0 : tensor<2x3x6xf32>
}

// -----

func.func @conv_group(%x: tensor<1x4x8x8xf32>, %w: tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @below {{group 3 must divide the input channels 4 and the output channels 6}}
  %0 = qc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 3 : i64} : (tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_weight_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @below {{weight has 4 input channels per group; expected 2}}
  %0 = qc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @below {{result shape must be 'tensor<1x4x4x4xf32>'}}
  %0 = qc.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_pads_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @below {{needs 2 strides and dilations and 4 pads for 2 spatial dimensions}}
  %0 = qc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_negative_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x5x6xf32> {
  // expected-error @below {{pads must be non-negative}}
  %0 = qc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: -1, 0, 0, 0>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x5x6xf32>
  return %0 : tensor<1x4x5x6xf32>
}

// -----

func.func @conv_stride_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @below {{strides and dilations must be positive}}
  %0 = qc.conv %x, %w {strides = array<i64: 0, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @below {{bias must be 1-D of size 4}}
  %0 = qc.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

!q = !quant.uniform<i8:f32, 0.1:0>
func.func @conv_mixed(%x: tensor<1x3x4x4x!q>, %w: tensor<2x3x1x1xf32>) -> tensor<1x2x4x4x!q> {
  // expected-error @below {{mixes float and quantized tensors}}
  %0 = qc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x3x4x4x!q>, tensor<2x3x1x1xf32>) -> tensor<1x2x4x4x!q>
  return %0 : tensor<1x2x4x4x!q>
}

// -----

func.func @conv_transpose_weight(%x: tensor<1x4x3x3xf32>, %w: tensor<2x2x3x3xf32>) -> tensor<1x2x5x5xf32> {
  // expected-error @below {{weight must be [C, F / group, ...] with C = 4}}
  %0 = qc.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x4x3x3xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// -----

func.func @conv_transpose_shape(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @below {{result shape must be 'tensor<1x2x7x7xf32>'}}
  %0 = qc.conv_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32> {
  // expected-error @below {{needs one output padding per spatial dimension}}
  %0 = qc.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0>, group = 1 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// -----

func.func @pool_shape(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @below {{result shape must be 'tensor<1x2x4x4xf32>'}}
  %0 = qc.pool <max> %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, ceil_mode} : (tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

func.func @pool_kernel(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @below {{needs one kernel size per spatial dimension}}
  %0 = qc.pool <max> %x {kernel = array<i64: 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

!q = !quant.uniform<i8:f32, 0.1:0>
func.func @pool_avg_quantized(%x: tensor<1x2x4x4x!q>) -> tensor<1x2x2x2x!q> {
  // expected-error @below {{only max pooling works on quantized tensors}}
  %0 = qc.pool <avg> %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4x!q>) -> tensor<1x2x2x2x!q>
  return %0 : tensor<1x2x2x2x!q>
}

// -----

!q1 = !quant.uniform<i8:f32, 0.1:0>
!q2 = !quant.uniform<i8:f32, 0.2:0>
func.func @pool_max_requant(%x: tensor<1x2x4x4x!q1>) -> tensor<1x2x2x2x!q2> {
  // expected-error @below {{quantized max pooling must keep the element type}}
  %0 = qc.pool <max> %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4x!q1>) -> tensor<1x2x2x2x!q2>
  return %0 : tensor<1x2x2x2x!q2>
}

// -----

func.func @unary_type(%x: tensor<4xf32>) -> tensor<2x2xf32> {
  // expected-error @below {{requires the same type for all operands and results}}
  %0 = "qc.unary"(%x) {kind = #qc<unary_kind<exp>>} : (tensor<4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @binary_broadcast(%a: tensor<2x3xf32>, %b: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @below {{operand shapes are not broadcast-compatible}}
  %0 = qc.binary <mul> %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @binary_result(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @below {{result shape must be the broadcast shape of the operands}}
  %0 = qc.binary <sub> %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @below {{axis 2 is out of range for rank 2}}
  %0 = qc.softmax %x {axis = 2 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @batch_norm_channels(%x: tensor<1x4x2x2xf32>, %s: tensor<2xf32>) -> tensor<1x4x2x2xf32> {
  // expected-error @below {{scale and shift must be 1-D of size 4}}
  %0 = qc.batch_norm %x, %s, %s : (tensor<1x4x2x2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// -----

func.func @layer_norm_scale(%x: tensor<2x3x4xf32>, %g: tensor<3xf32>) -> tensor<2x3x4xf32> {
  // expected-error @below {{scale and bias must broadcast to the normalized axes}}
  %0 = qc.layer_norm %x, %g {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @layer_norm_axis(%x: tensor<2x3x4xf32>, %g: tensor<4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @below {{axis 3 is out of range for rank 3}}
  %0 = qc.layer_norm %x, %g {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @reduce_axes_order(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  // expected-error @below {{axes must be sorted, unique and in range}}
  %0 = qc.reduce <sum> %x {axes = array<i64: 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @reduce_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x3xf32> {
  // expected-error @below {{result shape must be 'tensor<2x3x1xf32>'}}
  %0 = qc.reduce <max> %x {axes = array<i64: 2>, keepdims} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @concat_size(%a: tensor<1x2x4xf32>, %b: tensor<1x3x4xf32>) -> tensor<1x6x4xf32> {
  // expected-error @below {{result size along the axis must be 5}}
  %0 = qc.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4xf32>, tensor<1x3x4xf32>) -> tensor<1x6x4xf32>
  return %0 : tensor<1x6x4xf32>
}

// -----

func.func @concat_other_dims(%a: tensor<1x2x4xf32>, %b: tensor<1x3x5xf32>) -> tensor<1x5x4xf32> {
  // expected-error @below {{inputs differ from the result outside the axis}}
  %0 = qc.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4xf32>, tensor<1x3x5xf32>) -> tensor<1x5x4xf32>
  return %0 : tensor<1x5x4xf32>
}

// -----

!q1 = !quant.uniform<i8:f32, 0.1:0>
!q2 = !quant.uniform<i8:f32, 0.2:0>
func.func @concat_quant_types(%a: tensor<2x!q1>, %b: tensor<2x!q2>) -> tensor<4x!q1> {
  // expected-error @below {{inputs and result must have the same element type}}
  %0 = qc.concat %a, %b {axis = 0 : i64} : (tensor<2x!q1>, tensor<2x!q2>) -> tensor<4x!q1>
  return %0 : tensor<4x!q1>
}

// -----

func.func @transpose_perm(%x: tensor<1x2x3xf32>) -> tensor<1x2x3xf32> {
  // expected-error @below {{perm is not a permutation}}
  %0 = qc.transpose %x {perm = array<i64: 0, 1, 1>} : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32>
  return %0 : tensor<1x2x3xf32>
}

// -----

func.func @transpose_shape(%x: tensor<1x2x3xf32>) -> tensor<1x2x3xf32> {
  // expected-error @below {{result dimension 1 must be input dimension 2}}
  %0 = qc.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32>
  return %0 : tensor<1x2x3xf32>
}

// -----

func.func @pad_count(%x: tensor<2x3xf32>) -> tensor<2x5xf32> {
  // expected-error @below {{needs 4 pads}}
  %0 = qc.pad <constant> %x {pads = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @pad_negative(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  // expected-error @below {{pads must be non-negative}}
  %0 = qc.pad <constant> %x {pads = array<i64: 0, -1, 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @pad_result(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @below {{result dimension 1 does not match pads}}
  %0 = qc.pad <edge> %x {pads = array<i64: 0, 1, 0, 1>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @pad_reflect_too_far(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @below {{reflect padding must be smaller than dimension 1}}
  %0 = qc.pad <reflect> %x {pads = array<i64: 0, 3, 0, 0>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @slice_bounds(%x: tensor<4x6xf32>) -> tensor<4x3xf32> {
  // expected-error @below {{slice of dimension 1 is out of bounds}}
  %0 = qc.slice %x {offsets = array<i64: 0, 1>, steps = array<i64: 1, -1>} : (tensor<4x6xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @slice_step_zero(%x: tensor<4x6xf32>) -> tensor<4x3xf32> {
  // expected-error @below {{steps must be non-zero}}
  %0 = qc.slice %x {offsets = array<i64: 0, 1>, steps = array<i64: 1, 0>} : (tensor<4x6xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @slice_rank(%x: tensor<4x6xf32>) -> tensor<4x3xf32> {
  // expected-error @below {{needs one offset and step per dimension}}
  %0 = qc.slice %x {offsets = array<i64: 0>, steps = array<i64: 1>} : (tensor<4x6xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @gather_shape(%t: tensor<10x4xf32>, %i: tensor<3xi64>) -> tensor<3x10xf32> {
  // expected-error @below {{result shape must be 'tensor<10x3xf32>'}}
  %0 = qc.gather %t, %i {axis = 1 : i64} : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}

// -----

func.func @gather_axis(%t: tensor<10x4xf32>, %i: tensor<3xi64>) -> tensor<3x4xf32> {
  // expected-error @below {{axis 2 is out of range for rank 2}}
  %0 = qc.gather %t, %i {axis = 2 : i64} : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Upstream's !quant.uniform verifier accepts a NaN scale; every qc op
// rejects it (and infinite or non-positive ones).
!q = !quant.uniform<i8:f32, 0x7FF8000000000000:0>
func.func @nan_scale(%x: tensor<1x2x4x4x!q>) -> tensor<1x2x2x2x!q> {
  // expected-error @below {{operand #0 has quantization scale nan; scales must be finite and positive}}
  %0 = qc.pool <max> %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4x!q>) -> tensor<1x2x2x2x!q>
  return %0 : tensor<1x2x2x2x!q>
}

// -----

func.func @pool_kernel_zero(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x9x9xf32> {
  // expected-error @below {{kernel sizes must be positive}}
  %0 = qc.pool <max> %x {kernel = array<i64: 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x9x9xf32>
  return %0 : tensor<1x2x9x9xf32>
}
