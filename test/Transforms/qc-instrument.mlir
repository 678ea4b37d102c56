// RUN: quantc-opt %s --qc-instrument | FileCheck %s

// CHECK-LABEL: func @m
// CHECK-SAME: -> (tensor<4xf32> {qc.name = "out"}, tensor<4xf32>, tensor<4xf32>, tensor<2x2xf32>)
// CHECK-SAME: qc.observed = ["x", "y", "r"]
// CHECK: %[[Y:.*]] = qc.relu %arg0
// CHECK: %[[R:.*]] = qc.reshape %[[Y]]
// CHECK: return %[[Y]], %arg0, %[[Y]], %[[R]]
func.func @m(%x: tensor<4xf32> {qc.name = "x"}) -> (tensor<4xf32> {qc.name = "out"}) attributes {qc.output_names = ["out"]} {
  %y = qc.relu %x : (tensor<4xf32>) -> tensor<4xf32> loc("y")
  %r = qc.reshape %y : (tensor<4xf32>) -> tensor<2x2xf32> loc("r")
  return %y : tensor<4xf32>
}
