// The whole lowering of a quantized convolution down to machine code, for
// each x86 microkernel: the inner loops must use the ISA's dot product.
// RUN: quantc-opt %s --qc-lower-to-llvm="name=cv kernels=avx512vnni" | quantc-translate --mlir-to-llvmir | llc -O3 -mtriple=x86_64-linux-gnu -mcpu=sapphirerapids | FileCheck %s --check-prefix=VNNI512
// RUN: quantc-opt %s --qc-lower-to-llvm="name=cv kernels=avxvnni" | quantc-translate --mlir-to-llvmir | llc -O3 -mtriple=x86_64-linux-gnu -mcpu=alderlake | FileCheck %s --check-prefix=AVXVNNI
// RUN: quantc-opt %s --qc-lower-to-llvm="name=cv kernels=avx2" | quantc-translate --mlir-to-llvmir | llc -O3 -mtriple=x86_64-linux-gnu -mcpu=znver3 | FileCheck %s --check-prefix=AVX2

// VNNI512-LABEL: cv_impl:
// VNNI512: vpbroadcastd
// VNNI512: vpdpbusd {{.*}}%zmm{{[0-9]+}}, %zmm{{[0-9]+}}, %zmm{{[0-9]+}}
// VNNI512-LABEL: cv_run_with_workspace:

// AVXVNNI-LABEL: cv_impl:
// AVXVNNI: {vex} vpdpbusd {{.*}}%ymm{{[0-9]+}}
// AVXVNNI-NOT: zmm
// AVXVNNI-LABEL: cv_run_with_workspace:

// AVX2-LABEL: cv_impl:
// AVX2: vpmaddwd {{.*}}%ymm
// AVX2-NOT: vpdpbusd
// AVX2-LABEL: cv_run_with_workspace:

!qx = !quant.uniform<i8:f32, 0.01:-28>
!qy = !quant.uniform<i8:f32, 0.02:-128>
!qw = !quant.uniform<i8<-127:127>:f32, 0.5>
func.func @cv(%x: tensor<1x16x8x8xf32> {qc.name = "x"}) -> tensor<1x32x8x8xf32> attributes {qc.output_names = ["y"]} {
  %xq = quant.qcast %x : tensor<1x16x8x8xf32> to tensor<1x16x8x8x!qx>
  %wi = arith.constant dense<3> : tensor<32x16x3x3xi8>
  %wq = quant.scast %wi : tensor<32x16x3x3xi8> to tensor<32x16x3x3x!qw>
  %y = qc.conv %xq, %wq {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64}
      : (tensor<1x16x8x8x!qx>, tensor<32x16x3x3x!qw>) -> tensor<1x32x8x8x!qy>
  %yd = quant.dcast %y : tensor<1x32x8x8x!qy> to tensor<1x32x8x8xf32>
  return %yd : tensor<1x32x8x8xf32>
}
