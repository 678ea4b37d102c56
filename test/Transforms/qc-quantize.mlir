// RUN: quantc-opt %s -split-input-file --qc-quantize | FileCheck %s

!qx = !quant.uniform<i8:f32, 0.01:-28>
!qy = !quant.uniform<i8:f32, 0.02:-128>
!qw = !quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>
!qb = !quant.uniform<i32:f32:0, {0.005, 0.0025}>

// dcast -> fully_connected -> qcast becomes one quantized op with the bias
// and activation fused; the input pair folds away.
// CHECK-LABEL: func @fc
// CHECK: %[[X:.*]] = quant.qcast %arg0 : tensor<1x2xf32> to tensor<1x2x!quant.uniform<i8:f32, 1.000000e-02:-28>>
// CHECK: %[[W:.*]] = quant.scast
// CHECK: %[[B:.*]] = quant.scast
// CHECK: %[[Y:.*]] = qc.fully_connected %[[X]], %[[W]], %[[B]] activation <relu> : (tensor<1x2x!quant.uniform<i8:f32, 1.000000e-02:-28>>, {{.*}}) -> tensor<1x2x!quant.uniform<i8:f32, 2.000000e-02:-128>>
// CHECK: %[[R:.*]] = quant.dcast %[[Y]]
// CHECK: return %[[R]]
func.func @fc(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %xq = quant.qcast %x : tensor<1x2xf32> to tensor<1x2x!qx>
  %xd = quant.dcast %xq : tensor<1x2x!qx> to tensor<1x2xf32>
  %wi = arith.constant dense<[[127, -64], [127, 65]]> : tensor<2x2xi8>
  %wq = quant.scast %wi : tensor<2x2xi8> to tensor<2x2x!qw>
  %wd = quant.dcast %wq : tensor<2x2x!qw> to tensor<2x2xf32>
  %bi = arith.constant dense<[10, -20]> : tensor<2xi32>
  %bq = quant.scast %bi : tensor<2xi32> to tensor<2x!qb>
  %bd = quant.dcast %bq : tensor<2x!qb> to tensor<2xf32>
  %y = qc.fully_connected %xd, %wd, %bd activation <relu> : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %yq = quant.qcast %y : tensor<1x2xf32> to tensor<1x2x!qy>
  %yd = quant.dcast %yq : tensor<1x2x!qy> to tensor<1x2xf32>
  return %yd : tensor<1x2xf32>
}

// -----

!qa = !quant.uniform<i8:f32, 0.01:-28>
!qb = !quant.uniform<i8:f32, 0.03:5>
!qc = !quant.uniform<i8:f32, 0.04:-10>
// CHECK-LABEL: func @add_relu_reshape
// CHECK: %[[S:.*]] = qc.add %{{.*}}, %{{.*}} : (tensor<2x2x!quant.uniform<i8:f32, 1.000000e-02:-28>>, tensor<2x2x!quant.uniform<i8:f32, 3.000000e-02:5>>) -> tensor<2x2x!quant.uniform<i8:f32, 4.000000e-02:-10>>
// CHECK: %[[R:.*]] = qc.relu %[[S]] : (tensor<2x2x!quant.uniform<i8:f32, 4.000000e-02:-10>>) -> tensor<2x2x!quant.uniform<i8:f32, 4.000000e-02:-10>>
// CHECK: qc.reshape %[[R]] : (tensor<2x2x!quant.uniform<i8:f32, 4.000000e-02:-10>>) -> tensor<4x!quant.uniform<i8:f32, 4.000000e-02:-10>>
func.func @add_relu_reshape(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>) -> tensor<4xf32> {
  %aq = quant.qcast %a : tensor<2x2xf32> to tensor<2x2x!qa>
  %ad = quant.dcast %aq : tensor<2x2x!qa> to tensor<2x2xf32>
  %bq = quant.qcast %b : tensor<2x2xf32> to tensor<2x2x!qb>
  %bd = quant.dcast %bq : tensor<2x2x!qb> to tensor<2x2xf32>
  %s = qc.add %ad, %bd : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %sq = quant.qcast %s : tensor<2x2xf32> to tensor<2x2x!qc>
  %sd = quant.dcast %sq : tensor<2x2x!qc> to tensor<2x2xf32>
  %r = qc.relu %sd : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %rq = quant.qcast %r : tensor<2x2xf32> to tensor<2x2x!qc>
  %rd = quant.dcast %rq : tensor<2x2x!qc> to tensor<2x2xf32>
  %f = qc.reshape %rd : (tensor<2x2xf32>) -> tensor<4xf32>
  %fq = quant.qcast %f : tensor<4xf32> to tensor<4x!qc>
  %fd = quant.dcast %fq : tensor<4x!qc> to tensor<4xf32>
  return %fd : tensor<4xf32>
}

// -----

// qc.matmul of two activations stays in float between the pairs (fallback).
!q = !quant.uniform<i8:f32, 0.01:0>
// CHECK-LABEL: func @fallback
// CHECK: %[[A:.*]] = quant.dcast
// CHECK: %[[M:.*]] = qc.matmul %[[A]], %[[A]] : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
// CHECK: quant.qcast %[[M]]
func.func @fallback(%a: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %aq = quant.qcast %a : tensor<2x2xf32> to tensor<2x2x!q>
  %ad = quant.dcast %aq : tensor<2x2x!q> to tensor<2x2xf32>
  %m = qc.matmul %ad, %ad : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %mq = quant.qcast %m : tensor<2x2xf32> to tensor<2x2x!q>
  %md = quant.dcast %mq : tensor<2x2x!q> to tensor<2x2xf32>
  return %md : tensor<2x2xf32>
}
