// RUN: quantc-opt %s -split-input-file -verify-diagnostics

func.func @dq_shape(%x: tensor<4x8xf32>) -> tensor<8x4xi8> {
  // expected-error @below {{result shape 'tensor<8x4xi8>' differs from the input shape}}
  %q, %s, %z = qc.dynamic_quantize %x : (tensor<4x8xf32>) -> (tensor<8x4xi8>, tensor<f32>, tensor<i8>)
  return %q : tensor<8x4xi8>
}

// -----

func.func @mm_k(%a: tensor<4x8xi8>, %b: tensor<7x3xi8>, %z: tensor<i8>) -> tensor<4x3xi32> {
  // expected-error @below {{lhs has 8 columns but rhs has 7 rows}}
  %m = qc.matmul_integer %a, %b, %z, %z : (tensor<4x8xi8>, tensor<7x3xi8>, tensor<i8>, tensor<i8>) -> tensor<4x3xi32>
  return %m : tensor<4x3xi32>
}

// -----

func.func @mm_zp(%a: tensor<4x8xi8>, %b: tensor<8x3xi8>, %z: tensor<i8>, %bz: tensor<4xi8>) -> tensor<4x3xi32> {
  // expected-error @below {{rhs_zero_point must be a scalar or 1-D of size 3, got 'tensor<4xi8>'}}
  %m = qc.matmul_integer %a, %b, %z, %bz : (tensor<4x8xi8>, tensor<8x3xi8>, tensor<i8>, tensor<4xi8>) -> tensor<4x3xi32>
  return %m : tensor<4x3xi32>
}

// -----

func.func @mm_result(%a: tensor<2x4x8xi8>, %b: tensor<3x8x3xi8>, %z: tensor<i8>) -> tensor<2x4x3xi32> {
  // expected-error @below {{batch dimensions of 'tensor<2x4x8xi8>' and 'tensor<3x8x3xi8>' do not broadcast}}
  %m = qc.matmul_integer %a, %b, %z, %z : (tensor<2x4x8xi8>, tensor<3x8x3xi8>, tensor<i8>, tensor<i8>) -> tensor<2x4x3xi32>
  return %m : tensor<2x4x3xi32>
}

// -----

func.func @conv_shape(%x: tensor<1x3x5x5xi8>, %w: tensor<2x3x3x3xi8>, %z: tensor<i8>) -> tensor<1x2x5x5xi32> {
  // expected-error @below {{result shape must be 'tensor<1x2x3x3xi32>'}}
  %c = qc.conv_integer %x, %w, %z, %z {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x3x5x5xi8>, tensor<2x3x3x3xi8>, tensor<i8>, tensor<i8>) -> tensor<1x2x5x5xi32>
  return %c : tensor<1x2x5x5xi32>
}

// -----

func.func @conv_zp(%x: tensor<1x3x5x5xi8>, %w: tensor<2x3x3x3xi8>, %z: tensor<3xi8>) -> tensor<1x2x3x3xi32> {
  // expected-error @below {{input_zero_point must be a scalar or 1-D of size 1, got 'tensor<3xi8>'}}
  %c = qc.conv_integer %x, %w, %z, %z {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x3x5x5xi8>, tensor<2x3x3x3xi8>, tensor<3xi8>, tensor<3xi8>) -> tensor<1x2x3x3xi32>
  return %c : tensor<1x2x3x3xi32>
}

// -----

func.func @cast_to_i32(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @below {{only i8 inputs cast to i32}}
  %c = qc.cast %x : (tensor<4xi32>) -> tensor<4xi32>
  return %c : tensor<4xi32>
}

// -----

func.func @cast_unsigned(%x: tensor<4xi32>) -> tensor<4xf32> {
  // expected-error @below {{input_unsigned applies to i8 inputs only}}
  %c = qc.cast %x {input_unsigned} : (tensor<4xi32>) -> tensor<4xf32>
  return %c : tensor<4xf32>
}
