// Activation schemes, 16x8 nodes, float islands and weight-only mode of
// qc-insert-qdq. Ranges (Inputs/calibration.json): x [-1, 1.55], y [0, 2.55],
// z [-2, 3.1].
// RUN: quantc-opt %s -split-input-file --qc-insert-qdq="calibration-file=%S/Inputs/calibration.json activation-type=uint8" | FileCheck %s --check-prefix=U8
// RUN: quantc-opt %s -split-input-file --qc-insert-qdq="calibration-file=%S/Inputs/calibration.json symmetric-activations=true" | FileCheck %s --check-prefix=SYM
// RUN: quantc-opt %s -split-input-file --qc-insert-qdq="calibration-file=%S/Inputs/calibration.json activation-type=uint8 symmetric-activations=true" | FileCheck %s --check-prefix=USYM
// RUN: quantc-opt %s -split-input-file --qc-insert-qdq="calibration-file=%S/Inputs/calibration.json int16-nodes=gemm1" | FileCheck %s --check-prefix=W16
// RUN: quantc-opt %s -split-input-file --qc-insert-qdq="calibration-file=%S/Inputs/calibration.json exclude-nodes=gemm1" | FileCheck %s --check-prefix=EXN
// RUN: quantc-opt %s -split-input-file --qc-insert-qdq="calibration-file=%S/Inputs/calibration.json exclude-op-types=Relu" | FileCheck %s --check-prefix=EXT
// RUN: quantc-opt %s -split-input-file --qc-insert-qdq="mode=weight-only" | FileCheck %s --check-prefix=WO
// RUN: not quantc-opt %s -split-input-file --qc-insert-qdq="calibration-file=%S/Inputs/calibration.json exclude-nodes=nosuch" 2>&1 | FileCheck %s --check-prefix=TYPO
// RUN: not quantc-opt %s -split-input-file --qc-insert-qdq="calibration-file=%S/Inputs/calibration.json activation-type=int4" 2>&1 | FileCheck %s --check-prefix=BADTYPE

// uint8: x scale 2.55/255 = 0.01, zero point 0 - rne(-1/0.01) = 100; y: 0.
// U8-LABEL: func @chain
// U8: quant.qcast %arg0 : tensor<1x2xf32> to tensor<1x2x!quant.uniform<u8:f32, 0.0099999997764825821:100>>
// U8: quant.qcast %{{.*}} : tensor<1x2xf32> to tensor<1x2x!quant.uniform<u8:f32, 0.0099999997764825821>>
// U8: quant.qcast %{{.*}} : tensor<1x2xf32> to tensor<1x2x!quant.uniform<u8:f32, 0.019999999552965164:100>>

// Symmetric int8: range [-127, 127], zero point 0, scale max|x| / 127:
// x 1.55/127, y 2.55/127, z 3.1/127.
// SYM-LABEL: func @chain
// SYM: tensor<1x2x!quant.uniform<i8<-127:127>:f32, 0.012204724363982677>>
// SYM: tensor<1x2x!quant.uniform<i8<-127:127>:f32, 0.020078741014003754>>
// SYM: tensor<1x2x!quant.uniform<i8<-127:127>:f32, 0.024409448727965355>>

// Symmetric uint8: range [1, 255], zero point 128.
// USYM-LABEL: func @chain
// USYM: tensor<1x2x!quant.uniform<u8<1:255>:f32, 0.012204724363982677:128>>

// 16x8: gemm1's input (y) and output (z) are int16 symmetric (scale
// max|x| / 32767); x, which only gemm0 reads, stays int8.
// W16-LABEL: func @chain
// W16: quant.qcast %arg0 : tensor<1x2xf32> to tensor<1x2x!quant.uniform<i8:f32, 0.0099999997764825821:-28>>
// W16: quant.qcast %{{.*}} : tensor<1x2xf32> to tensor<1x2x!quant.uniform<i16<-32767:32767>:f32, 7.7822202001698315E-5>>
// W16: quant.qcast %{{.*}} : tensor<1x2xf32> to tensor<1x2x!quant.uniform<i16<-32767:32767>:f32, 9.4607377832289785E-5>>

// Excluding gemm1: y still gets a pair (its producer is quantized), gemm1
// keeps float weights and its result z has no pair.
// EXN-LABEL: func @chain
// EXN-COUNT-2: quant.qcast
// EXN-NOT: quant.qcast
// EXN: %[[Z:.*]] = qc.fully_connected %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>)
// EXN-NEXT: return %[[Z]]

// Excluding the op type Relu matches gemm0, whose relu was fused into it.
// EXT-LABEL: func @chain
// EXT: %[[Y:.*]] = qc.fully_connected %arg0, %{{.*}}, %{{.*}} activation <relu> : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>)
// EXT: quant.qcast %[[Y]]

// Weight-only: int8 weights behind scast/dcast, float bias, no activation
// pairs, no calibration file.
// WO-LABEL: func @chain
// WO-NOT: quant.qcast
// WO: quant.scast %{{.*}} : tensor<2x2xi8> to tensor<2x2x!quant.uniform<i8<-127:127>:f32:0, {0.0078740157186985015,0.0019685039296746254}>>
// WO: qc.fully_connected %arg0, %{{.*}}, %cst{{.*}} activation <relu> : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>)
// WO-NOT: quant.qcast

// TYPO: --exclude-nodes: no node or tensor is named 'nosuch'
// BADTYPE: activation-type must be int8 or uint8, got 'int4'
func.func @chain(%x: tensor<1x2xf32> {qc.name = "x"}) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, -0.5], [0.25, 0.127]]> : tensor<2x2xf32>
  %b = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %0 = qc.fully_connected %x, %w, %b activation <relu> : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32> loc(fused["y"(fused<{onnx_node = "relu0", onnx_op = "Relu"}>["m.onnx":0:0]), "y0"(fused<{onnx_node = "gemm0", onnx_op = "Gemm"}>["m.onnx":0:0])])
  %1 = qc.fully_connected %0, %w, %b : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32> loc("z"(fused<{onnx_node = "gemm1", onnx_op = "Gemm"}>["m.onnx":0:0]))
  return %1 : tensor<1x2xf32>
}
