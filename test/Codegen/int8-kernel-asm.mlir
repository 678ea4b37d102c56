// The whole lowering of a quantized fully connected layer, down to machine
// code: the inner loop must use the packed multiply-add instructions.
// RUN: quantc-opt %s --qc-lower-to-llvm="name=fc isa=avx2" | quantc-translate --mlir-to-llvmir | llc -O3 -mtriple=x86_64-linux-gnu -mcpu=znver3 | FileCheck %s --check-prefix=X86
// RUN: quantc-opt %s --qc-lower-to-llvm="name=fc isa=generic" | quantc-translate --mlir-to-llvmir | llc -O3 -mtriple=aarch64-linux-gnu -mattr=+dotprod | FileCheck %s --check-prefix=A64
// RUN: quantc-opt %s --qc-lower-to-llvm="name=fc isa=generic" | quantc-translate --mlir-to-llvmir | llc -O3 -mtriple=aarch64-linux-gnu | FileCheck %s --check-prefix=NEON

// X86-LABEL: fc_impl:
// X86: vpmovsxbw
// X86: vpmaddwd
// X86: vpaddd
// X86-LABEL: fc_run_with_workspace:

// A64-LABEL: fc_impl:
// A64: sdot v{{[0-9]+}}.4s, v{{[0-9]+}}.16b, v{{[0-9]+}}.16b
// A64-LABEL: fc_run_with_workspace:

// Without +dotprod: widening multiplies and pairwise accumulation.
// NEON-LABEL: fc_impl:
// NEON: smull{{2?}} v{{[0-9]+}}.8h
// NEON-LABEL: fc_run_with_workspace:

!qx = !quant.uniform<i8:f32, 0.01:-28>
!qy = !quant.uniform<i8:f32, 0.02:-128>
!qw = !quant.uniform<i8<-127:127>:f32, 0.5>
func.func @fc(%x: tensor<1x64xf32> {qc.name = "x"}) -> tensor<1x8xf32> attributes {qc.output_names = ["y"]} {
  %xq = quant.qcast %x : tensor<1x64xf32> to tensor<1x64x!qx>
  %wi = arith.constant dense<3> : tensor<8x64xi8>
  %wq = quant.scast %wi : tensor<8x64xi8> to tensor<8x64x!qw>
  %y = qc.fully_connected %xq, %wq : (tensor<1x64x!qx>, tensor<8x64x!qw>) -> tensor<1x8x!qy>
  %yd = quant.dcast %y : tensor<1x8x!qy> to tensor<1x8xf32>
  return %yd : tensor<1x8xf32>
}
