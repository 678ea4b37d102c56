// RUN: quantc-opt %s -split-input-file --qc-insert-qdq=calibration-file=%S/Inputs/calibration.json | FileCheck %s
// RUN: quantc-opt %s -split-input-file --qc-insert-qdq="calibration-file=%S/Inputs/calibration.json per-channel=false" | FileCheck %s --check-prefix=TENSOR
// RUN: not quantc-opt %s -split-input-file --qc-insert-qdq=calibration-file=%S/Inputs/missing.json 2>&1 | FileCheck %s --check-prefix=NOFILE

// Input range [-1, 1.55]: scale 2.55/255 = 0.01, zero point -128 + 100 = -28.
// Output range [0, 2.55]: scale 0.01, zero point -128.
// Weights per channel: amax 1 -> 1/127, amax 0.25 -> 0.25/127;
// -0.5 * 127 = -63.5 rounds to even (-64); 0.127 / (0.25/127) = 64.5 -> 65 (64.516).
// Bias 0.1 / (0.01 * 1/127) = 1270, -0.2 / (0.01 * 0.25/127) = -10160.

// CHECK-LABEL: func @fc
// CHECK: %[[XQ:.*]] = quant.qcast %arg0 : tensor<1x2xf32> to tensor<1x2x!quant.uniform<i8:f32, 0.0099999997764825821:-28>>
// CHECK: %[[XD:.*]] = quant.dcast %[[XQ]]
// CHECK: %[[W:.*]] = arith.constant dense<{{\[}}[127, -64], [127, 65]]> : tensor<2x2xi8>
// CHECK: %[[WQ:.*]] = quant.scast %[[W]] : tensor<2x2xi8> to tensor<2x2x!quant.uniform<i8<-127:127>:f32:0, {0.0078740157186985015,0.0019685039296746254}>>
// CHECK: %[[WD:.*]] = quant.dcast %[[WQ]]
// CHECK: %[[B:.*]] = arith.constant dense<[1270, -10160]> : tensor<2xi32>
// CHECK: %[[BQ:.*]] = quant.scast %[[B]] : tensor<2xi32> to tensor<2x!quant.uniform<i32:f32:0, {7.8740155427005354E-5,1.9685038856751338E-5}>>
// CHECK: %[[BD:.*]] = quant.dcast %[[BQ]]
// CHECK: %[[Y:.*]] = qc.fully_connected %[[XD]], %[[WD]], %[[BD]] activation <relu>
// CHECK: %[[YQ:.*]] = quant.qcast %[[Y]] : tensor<1x2xf32> to tensor<1x2x!quant.uniform<i8:f32, 0.0099999997764825821:-128>>
// CHECK: %[[YD:.*]] = quant.dcast %[[YQ]]
// CHECK: return %[[YD]]

// TENSOR-LABEL: func @fc
// TENSOR-DAG: arith.constant dense<{{\[}}[127, -64], [32, 16]]> : tensor<2x2xi8>
// TENSOR-DAG: quant.scast %{{.*}} : tensor<2x2xi8> to tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.0078740157186985015>>

// NOFILE: cannot read calibration file
func.func @fc(%x: tensor<1x2xf32> {qc.name = "x"}) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, -0.5], [0.25, 0.127]]> : tensor<2x2xf32>
  %b = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %0 = qc.fully_connected %x, %w, %b activation <relu> : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32> loc("y")
  return %0 : tensor<1x2xf32>
}

// -----

// A reshape keeps the parameters of its input; "flat" in the file is unused.
// CHECK-LABEL: func @reshape
// CHECK: quant.qcast %arg0 : tensor<2x2xf32> to tensor<2x2x!quant.uniform<i8:f32, 0.0099999997764825821:-28>>
// CHECK: qc.reshape
// CHECK: quant.qcast %{{.*}} : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.0099999997764825821:-28>>
func.func @reshape(%x: tensor<2x2xf32> {qc.name = "x"}) -> tensor<4xf32> {
  %0 = qc.reshape %x : (tensor<2x2xf32>) -> tensor<4xf32> loc("flat")
  return %0 : tensor<4xf32>
}
