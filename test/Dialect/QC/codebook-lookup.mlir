// RUN: quantc-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// Round trip of both codebook layouts.
// CHECK-LABEL: func @lookup
// CHECK: qc.codebook_lookup %{{.*}}, %{{.*}} {bits = 4 : i64} : (tensor<4xi8>, tensor<16xf32>) -> tensor<2x4xf32>
// CHECK: qc.codebook_lookup %{{.*}}, %{{.*}} {bits = 8 : i64} : (tensor<6xi8>, tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @lookup(%i4: tensor<4xi8>, %t: tensor<16xf32>, %i8: tensor<6xi8>, %tc: tensor<2x3xf32>) -> (tensor<2x4xf32>, tensor<2x3xf32>) {
  %0 = qc.codebook_lookup %i4, %t {bits = 4 : i64} : (tensor<4xi8>, tensor<16xf32>) -> tensor<2x4xf32>
  %1 = qc.codebook_lookup %i8, %tc {bits = 8 : i64} : (tensor<6xi8>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<2x3xf32>
}

// -----

func.func @odd_count(%i: tensor<3xi8>, %t: tensor<16xf32>) -> tensor<5xf32> {
  // 5 4-bit indices take 3 bytes: accepted.
  %0 = qc.codebook_lookup %i, %t {bits = 4 : i64} : (tensor<3xi8>, tensor<16xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @index_bytes(%i: tensor<8xi8>, %t: tensor<16xf32>) -> tensor<2x4xf32> {
  // expected-error @below {{indices must hold 4 bytes (4-bit indices for 8 elements), got 8}}
  %0 = qc.codebook_lookup %i, %t {bits = 4 : i64} : (tensor<8xi8>, tensor<16xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @too_many_entries(%i: tensor<4xi8>, %t: tensor<17xf32>) -> tensor<2x4xf32> {
  // expected-error @below {{codebook size must be in [1, 16] for 4-bit indices, got 17}}
  %0 = qc.codebook_lookup %i, %t {bits = 4 : i64} : (tensor<4xi8>, tensor<17xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @channel_rows(%i: tensor<8xi8>, %t: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @below {{per-channel codebook must have 2 rows (result dimension 0), got 3}}
  %0 = qc.codebook_lookup %i, %t {bits = 8 : i64} : (tensor<8xi8>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @codebook_rank(%i: tensor<8xi8>, %t: tensor<2x2x2xf32>) -> tensor<2x4xf32> {
  // expected-error @below {{codebook must be [K] or [C, K] with static sizes}}
  %0 = qc.codebook_lookup %i, %t {bits = 8 : i64} : (tensor<8xi8>, tensor<2x2x2xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @bits(%i: tensor<8xi8>, %t: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @below {{attribute 'bits' failed to satisfy constraint}}
  %0 = qc.codebook_lookup %i, %t {bits = 2 : i64} : (tensor<8xi8>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
