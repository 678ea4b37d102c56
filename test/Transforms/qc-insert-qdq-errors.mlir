// RUN: not quantc-opt %s --qc-insert-qdq=calibration-file=%S/Inputs/calibration.json 2>&1 | FileCheck %s
// RUN: not quantc-opt %s --qc-insert-qdq 2>&1 | FileCheck %s --check-prefix=NOOPT

// CHECK: error: {{.*}}tensor 'nowhere' has no range in calibration file
// NOOPT: error: qc-insert-qdq needs calibration-file=PATH
func.func @missing(%x: tensor<4xf32> {qc.name = "x"}) -> tensor<4xf32> {
  %0 = qc.relu %x : (tensor<4xf32>) -> tensor<4xf32> loc("nowhere")
  return %0 : tensor<4xf32>
}
