// RUN: quantc-opt %s -split-input-file --convert-qc-to-linalg | FileCheck %s

// Lowering of the window, element-wise, normalization and data-movement qc
// ops to linalg/tensor/arith/math.

// A grouped float conv: explicit zero padding, bias broadcast along the
// channels, the accumulator split into [group, per-group] with expand_shape,
// one generic over (n, g, f, c, kh, kw, oh, ow) reducing c, kh, kw with
// strided input reads and grouped channel indices, then the fused relu.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 * 2 + d3, d6 * 2 + d4, d7 * 2 + d5)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1 * 3 + d2, d3, d4, d5)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d6, d7)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func @conv_float
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[ZERO]] : f32
// CHECK: } : tensor<1x4x5x5xf32> to tensor<1x4x7x7xf32>
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[CH]], #{{.*}}]{{.*}} ins(%arg2 : tensor<6xf32>) outs(%{{.*}} : tensor<1x6x3x3xf32>)
// CHECK: %[[AG:.*]] = tensor.expand_shape %[[INIT]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 3, 3, 3]
// CHECK: %[[ACC:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]} ins(%[[PAD]], %arg1 : tensor<1x4x7x7xf32>, tensor<6x2x3x3xf32>) outs(%[[AG]] : tensor<1x2x3x3x3xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[OUT:.*]] = tensor.collapse_shape %[[ACC]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x3x3xf32> into tensor<1x6x3x3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[OUT]] : tensor<1x6x3x3xf32>)
// CHECK: arith.maximumf
func.func @conv_float(%x: tensor<1x4x5x5xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x3x3xf32> {
  %0 = qc.conv %x, %w, %b activation <relu> {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x3x3xf32>
  return %0 : tensor<1x6x3x3xf32>
}

// -----

// A 1-D conv without bias starts from zeros; dilation 2 scales the kernel index.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d5 + d4 * 2)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1 * 3 + d2, d3, d4)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-LABEL: func @conv_1d_dilated
// CHECK: tensor.pad %arg0 low[0, 0, 2] high[0, 0, 2]
// CHECK: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
func.func @conv_1d_dilated(%x: tensor<1x2x8xf32>, %w: tensor<3x2x3xf32>) -> tensor<1x3x8xf32> {
  %0 = qc.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 2>, pads = array<i64: 2, 2>, group = 1 : i64} : (tensor<1x2x8xf32>, tensor<3x2x3xf32>) -> tensor<1x3x8xf32>
  return %0 : tensor<1x3x8xf32>
}

// -----

// An int8 conv pads with the input zero point (-28), folds zp * sum(w) into
// the i32 bias (10 + 28 * 63 = 1774, -20 + 28 * 192 = 5356), accumulates
// sext(x) * sext(w) in i32 and requantizes per output channel with the
// multipliers 0.01 * 0.5 / 0.02 = 2^30 * 2^-32 and 0.125 = 2^30 * 2^-33.
!qx = !quant.uniform<i8:f32, 0.01:-28>
!qy = !quant.uniform<i8:f32, 0.02:-128>
!qw = !quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>
!qb = !quant.uniform<i32:f32:0, {0.005, 0.0025}>
// CHECK-LABEL: func @conv_int8
// CHECK: arith.fptosi %{{.*}} : f32 to i8
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}127]], {{\[\[}}-64]]], {{\[\[\[}}127]], {{\[\[}}65]]]]> : tensor<2x2x1x1xi8>
// CHECK-DAG: %[[ZP:.*]] = arith.constant -28 : i8
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[ZP]] : i8
// CHECK: } : tensor<1x2x3x3xi8> to tensor<1x2x5x5xi8>
// CHECK: %[[B:.*]] = arith.constant dense<[1774, 5356]> : tensor<2xi32>
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<2xi32>) outs(%{{.*}} : tensor<1x2x5x5xi32>)
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]} ins(%[[PAD]], %[[W]] : tensor<1x2x5x5xi8>, tensor<2x2x1x1xi8>) outs(%{{.*}} : tensor<1x1x2x5x5xi32>)
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.muli %{{.*}} : i32
// CHECK: arith.addi %{{.*}} : i32
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[ACC]]
// CHECK-DAG: %[[M:.*]] = arith.constant dense<1073741824> : tensor<2xi64>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[32, 33]> : tensor<2xi64>
// CHECK: linalg.generic {{.*}} ins(%[[C]], %[[M]], %[[S]] : tensor<1x2x5x5xi32>, tensor<2xi64>, tensor<2xi64>) outs(%{{.*}} : tensor<1x2x5x5xi8>)
// CHECK: arith.extsi %{{.*}} : i32 to i64
// CHECK: arith.muli %{{.*}} : i64
// CHECK: arith.shrsi
// CHECK: arith.constant -128 : i64
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.trunci %{{.*}} : i64 to i8
func.func @conv_int8(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x5x5xf32> {
  %xq = quant.qcast %x : tensor<1x2x3x3xf32> to tensor<1x2x3x3x!qx>
  %wi = arith.constant dense<[[[[127]], [[-64]]], [[[127]], [[65]]]]> : tensor<2x2x1x1xi8>
  %wq = quant.scast %wi : tensor<2x2x1x1xi8> to tensor<2x2x1x1x!qw>
  %bi = arith.constant dense<[10, -20]> : tensor<2xi32>
  %bq = quant.scast %bi : tensor<2xi32> to tensor<2x!qb>
  %y = qc.conv %xq, %wq, %bq {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x2x3x3x!qx>, tensor<2x2x1x1x!qw>, tensor<2x!qb>) -> tensor<1x2x5x5x!qy>
  %yd = quant.dcast %y : tensor<1x2x5x5x!qy> to tensor<1x2x5x5xf32>
  return %yd : tensor<1x2x5x5xf32>
}

// -----

// A transposed conv is a stride-1 conv with the flipped, transposed weight
// (w'[f, c, k] = w[c, f, 2 - k]) over the input inserted with stride 2 into
// a zero canvas padded by dilation * (K - 1) - pad (+ output_padding at the end).
// CHECK-DAG: #[[FLIP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, -d3 + 2, -d4 + 2)>
// CHECK-DAG: #[[XS1:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 * 2 + d3, d4 + d6, d5 + d7)>
// CHECK-LABEL: func @conv_transpose
// CHECK: %[[WIN:.*]] = tensor.expand_shape %arg1 {{\[}}[0, 1], [2], [3], [4]] output_shape [1, 2, 1, 3, 3]
// CHECK: %[[F:.*]] = linalg.generic {indexing_maps = [#[[FLIP]], #{{.*}}]{{.*}} ins(%[[WIN]] : tensor<1x2x1x3x3xf32>) outs(%{{.*}} : tensor<1x1x2x3x3xf32>)
// CHECK: %[[WF:.*]] = tensor.collapse_shape %[[F]] {{\[}}[0, 1], [2], [3], [4]] : tensor<1x1x2x3x3xf32> into tensor<1x2x3x3xf32>
// CHECK: %[[CANVAS:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x8x8xf32>)
// CHECK: %[[UP:.*]] = tensor.insert_slice %arg0 into %[[CANVAS]][0, 0, 1, 1] [1, 2, 3, 3] [1, 1, 2, 2] : tensor<1x2x3x3xf32> into tensor<1x2x8x8xf32>
// CHECK: linalg.generic {indexing_maps = [#[[XS1]], {{.*}}ins(%[[UP]], %[[WF]] : tensor<1x2x8x8xf32>, tensor<1x2x3x3xf32>) outs(%{{.*}} : tensor<1x1x1x6x6xf32>)
func.func @conv_transpose(%x: tensor<1x2x3x3xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x1x6x6xf32> {
  %0 = qc.conv_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x2x3x3xf32>, tensor<2x1x3x3xf32>) -> tensor<1x1x6x6xf32>
  return %0 : tensor<1x1x6x6xf32>
}

// -----

// Max pooling pads with -inf, starts from -inf and takes maximumf over a
// window tensor that only carries the kernel shape.
// CHECK-DAG: #[[PX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4 * 2 + d2, d5 * 2 + d3)>
// CHECK-DAG: #[[PK:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d2, d3)>
// CHECK-LABEL: func @max_pool
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEGINF]] : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x4x4xf32>)
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[PX]], #[[PK]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction", "reduction", "parallel", "parallel"]} ins(%[[PAD]], %[[WIN]] : tensor<1x2x9x9xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<1x2x4x4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32, %[[OUT:.*]]: f32):
// CHECK-NEXT: arith.maximumf %[[OUT]], %[[IN]] : f32
// CHECK-NOT: arith.divf
func.func @max_pool(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32> {
  %0 = qc.pool <max> %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// Int8 max pooling pads with -128 and compares the stored integers.
!q = !quant.uniform<i8:f32, 0.1:-5>
// CHECK-LABEL: func @max_pool_int8
// CHECK: %[[MIN:.*]] = arith.constant -128 : i8
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[MIN]] : i8
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x2x2xi8>)
// CHECK: arith.maxsi %{{.*}}, %{{.*}} : i8
func.func @max_pool_int8(%x: tensor<1x1x3x3x!q>) -> tensor<1x1x2x2x!q> {
  %0 = qc.pool <max> %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, ceil_mode} : (tensor<1x1x3x3x!q>) -> tensor<1x1x2x2x!q>
  return %0 : tensor<1x1x2x2x!q>
}

// -----

// Average pooling sums with addf, then divides by a constant of window
// sizes: with ceil_mode on 3x3 the last row/column windows hold 2 and 1
// positions of the input.
// CHECK-LABEL: func @avg_pool_ceil
// CHECK: tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: %[[SUM:.*]] = linalg.generic
// CHECK: arith.addf
// CHECK: %[[DIV:.*]] = arith.constant dense<{{\[}}[4.000000e+00, 2.000000e+00], [2.000000e+00, 1.000000e+00]]> : tensor<2x2xf32>
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %[[DIV]] : tensor<1x1x2x2xf32>, tensor<2x2xf32>)
// CHECK: arith.divf
func.func @avg_pool_ceil(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
  %0 = qc.pool <avg> %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, ceil_mode} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// Without count_include_pad, windows overlapping the begin padding count
// only input positions; with it, the padding counts too.
// CHECK-LABEL: func @avg_pool_pads
// CHECK: arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: arith.divf
// CHECK: arith.constant dense<4.000000e+00> : tensor<2x2xf32>
// CHECK: arith.divf
func.func @avg_pool_pads(%x: tensor<1x1x3x3xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %0 = qc.pool <avg> %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  %1 = qc.pool <avg> %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, count_include_pad} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  return %0, %1 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// -----

// The body of every unary kind.
// CHECK-LABEL: func @unary_kinds
// neg
// CHECK: linalg.generic
// CHECK: arith.negf
// abs
// CHECK: linalg.generic
// CHECK: math.absf
// exp
// CHECK: linalg.generic
// CHECK: math.exp
// log
// CHECK: linalg.generic
// CHECK: math.log
// sqrt
// CHECK: linalg.generic
// CHECK: math.sqrt
// reciprocal: 1 / x
// CHECK: linalg.generic
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: arith.divf %[[ONE]], %{{.*}} : f32
// sigmoid: 1 / (1 + exp(-x))
// CHECK: linalg.generic
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
// tanh
// CHECK: linalg.generic
// CHECK: math.tanh
// erf
// CHECK: linalg.generic
// CHECK: math.erf
// gelu: x / 2 * (1 + erf(x / sqrt(2)))
// CHECK: linalg.generic
// CHECK: arith.constant 0.707106769 : f32
// CHECK: arith.mulf
// CHECK: math.erf
// CHECK: arith.constant 5.000000e-01 : f32
// gelu_tanh: x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3)))
// CHECK: linalg.generic
// CHECK: arith.constant 0.797884583 : f32
// CHECK: arith.constant 4.471500e-02 : f32
// CHECK: math.tanh
// hard_sigmoid: clamp(alpha * x + beta, 0, 1)
// CHECK: linalg.generic
// CHECK: arith.constant 2.500000e-01 : f32
// CHECK: arith.mulf
// CHECK: arith.constant 3.750000e-01 : f32
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// hard_swish: x * clamp(x / 6 + 1 / 2, 0, 1)
// CHECK: linalg.generic
// CHECK: arith.constant 0.166666672 : f32
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.mulf
// leaky_relu: x < 0 ? alpha * x : x
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[NEG:.*]] = arith.cmpf olt, %[[X]], %{{.*}} : f32
// CHECK: arith.constant 1.250000e-01 : f32
// CHECK: %[[SCALED:.*]] = arith.mulf %[[X]], %{{.*}} : f32
// CHECK: arith.select %[[NEG]], %[[SCALED]], %[[X]] : f32
// clip: min(max(x, alpha), beta)
// CHECK: linalg.generic
// CHECK: %[[LO:.*]] = arith.constant -1.000000e+00 : f32
// CHECK: %[[M:.*]] = arith.maximumf %{{.*}}, %[[LO]] : f32
// CHECK: %[[HI:.*]] = arith.constant 6.000000e+00 : f32
// CHECK: arith.minimumf %[[M]], %[[HI]] : f32
// elu: x < 0 ? alpha * expm1(x) : x
// CHECK: linalg.generic
// CHECK: math.expm1
// CHECK: arith.cmpf olt
// CHECK: arith.select
// selu: gamma * (x <= 0 ? alpha * expm1(x) : x)
// CHECK: linalg.generic
// CHECK: math.expm1
// CHECK: arith.cmpf ole
// CHECK: arith.select
// CHECK: arith.mulf
// softplus: max(x, 0) + log1p(exp(-|x|))
// CHECK: linalg.generic
// CHECK: math.absf
// CHECK: math.exp
// CHECK: math.log1p
// CHECK: arith.maximumf
// CHECK: arith.addf
// softsign: x / (1 + |x|)
// CHECK: linalg.generic
// CHECK: math.absf
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK: return
func.func @unary_kinds(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qc.unary <neg> %x : tensor<4xf32>
  %1 = qc.unary <abs> %0 : tensor<4xf32>
  %2 = qc.unary <exp> %1 : tensor<4xf32>
  %3 = qc.unary <log> %2 : tensor<4xf32>
  %4 = qc.unary <sqrt> %3 : tensor<4xf32>
  %5 = qc.unary <reciprocal> %4 : tensor<4xf32>
  %6 = qc.unary <sigmoid> %5 : tensor<4xf32>
  %7 = qc.unary <tanh> %6 : tensor<4xf32>
  %8 = qc.unary <erf> %7 : tensor<4xf32>
  %9 = qc.unary <gelu> %8 : tensor<4xf32>
  %10 = qc.unary <gelu_tanh> %9 : tensor<4xf32>
  %11 = qc.unary <hard_sigmoid> %10 {alpha = 0.25 : f32, beta = 0.375 : f32} : tensor<4xf32>
  %12 = qc.unary <hard_swish> %11 : tensor<4xf32>
  %13 = qc.unary <leaky_relu> %12 {alpha = 0.125 : f32} : tensor<4xf32>
  %14 = qc.unary <clip> %13 {alpha = -1.0 : f32, beta = 6.0 : f32} : tensor<4xf32>
  %15 = qc.unary <elu> %14 {alpha = 0.5 : f32} : tensor<4xf32>
  %16 = qc.unary <selu> %15 {alpha = 1.5 : f32, beta = 1.25 : f32} : tensor<4xf32>
  %17 = qc.unary <softplus> %16 : tensor<4xf32>
  %18 = qc.unary <softsign> %17 : tensor<4xf32>
  return %18 : tensor<4xf32>
}

// -----

// Binary kinds with NumPy broadcasting: the [3] operand is read through (d1),
// the scalar through ().
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func @binary_kinds
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]{{.*}} ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<3xf32>)
// CHECK: arith.subf
// CHECK: linalg.generic {indexing_maps = [#[[ROW]], #[[ID]], #[[ID]]]
// CHECK: arith.mulf
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK: linalg.generic
// CHECK: arith.minimumf
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]], #[[ID]]]{{.*}} ins(%{{.*}}, %arg2 : tensor<2x3xf32>, tensor<f32>)
// CHECK: math.powf
// prelu: x < 0 ? x * slope : x
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: f32, %[[S:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[NEG:.*]] = arith.cmpf olt, %[[X]], %{{.*}} : f32
// CHECK: %[[P:.*]] = arith.mulf %[[X]], %[[S]] : f32
// CHECK: arith.select %[[NEG]], %[[P]], %[[X]] : f32
func.func @binary_kinds(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %s: tensor<f32>) -> tensor<2x3xf32> {
  %0 = qc.binary <sub> %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = qc.binary <mul> %b, %0 : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = qc.binary <div> %1, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = qc.binary <max> %2, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %4 = qc.binary <min> %3, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %5 = qc.binary <pow> %4, %s : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %6 = qc.binary <prelu> %5, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %6 : tensor<2x3xf32>
}

// -----

// Softmax over a row longer than a vector row kernel takes (1024): linalg
// reductions. max-reduce from -inf, exp(x - max), sum-reduce, divide.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func @softmax
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MINIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<2x1025xf32>) outs(%[[MINIT]] : tensor<2xf32>)
// CHECK: arith.maximumf
// CHECK: %[[E:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROWS]], #[[ID]]]{{.*}} ins(%arg0, %[[MAX]] : tensor<2x1025xf32>, tensor<2xf32>)
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]} ins(%[[E]] : tensor<2x1025xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[E]], %[[SUM]] : tensor<2x1025xf32>, tensor<2xf32>)
// CHECK: arith.divf
// CHECK-NOT: math.log
// CHECK: return
func.func @softmax(%x: tensor<2x1025xf32>) -> tensor<2x1025xf32> {
  %0 = qc.softmax %x {axis = 1 : i64} : tensor<2x1025xf32>
  return %0 : tensor<2x1025xf32>
}

// -----

// Log-softmax over axis 0: x - max - log(sum(exp(x - max))), no division.
// CHECK-DAG: #[[COLS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @log_softmax
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%arg0 : tensor<2x5xf32>) outs(%{{.*}} : tensor<5xf32>)
// CHECK: math.exp
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]}
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[COLS]], #[[COLS]], #{{.*}}]{{.*}} ins(%arg0, %[[MAX]], %[[SUM]] : tensor<2x5xf32>, tensor<5xf32>, tensor<5xf32>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[M:.*]]: f32, %[[S:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[SH:.*]] = arith.subf %[[X]], %[[M]] : f32
// CHECK-NEXT: %[[L:.*]] = math.log %[[S]] : f32
// CHECK-NEXT: arith.subf %[[SH]], %[[L]] : f32
// CHECK-NOT: arith.divf
func.func @log_softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = qc.softmax %x {axis = 0 : i64, log} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Batch norm: x * scale[c] + shift[c] with the per-channel operands read
// along dimension 1.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func @batch_norm
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]], #[[ID]]]{{.*}} ins(%arg0, %arg1, %arg2 : tensor<1x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>)
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[S:.*]]: f32, %[[T:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[X]], %[[S]] : f32
// CHECK-NEXT: arith.addf %[[P]], %[[T]] : f32
func.func @batch_norm(%x: tensor<1x3x2x2xf32>, %s: tensor<3xf32>, %t: tensor<3xf32>) -> tensor<1x3x2x2xf32> {
  %0 = qc.batch_norm %x, %s, %t : (tensor<1x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return %0 : tensor<1x3x2x2xf32>
}

// -----

// Layer norm over the last axis of 4: mean = sum / 4, centered, biased
// variance = sum(d * d) / 4, then d / sqrt(var + eps) * scale + bias.
// CHECK-LABEL: func @layer_norm
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<2x4xf32>)
// CHECK: arith.addf
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<2xf32>)
// CHECK: arith.constant 2.500000e-01 : f32
// CHECK: %[[D:.*]] = linalg.generic {{.*}} ins(%arg0, %[[MEAN]] : tensor<2x4xf32>, tensor<2xf32>)
// CHECK: arith.subf
// CHECK: %[[SQ:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[D]] : tensor<2x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[VAR:.*]] = linalg.generic {{.*}} ins(%[[SQ]] : tensor<2xf32>)
// CHECK: arith.constant 2.500000e-01 : f32
// CHECK: linalg.generic {{.*}} ins(%[[D]], %[[VAR]], %arg1, %arg2 : tensor<2x4xf32>, tensor<2xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: arith.constant 9.99999974E-6 : f32
// CHECK: arith.addf
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @layer_norm(%x: tensor<2x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = qc.layer_norm %x, %g, %b {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Reductions: mean = sum * (1 / 12) then reshaped for keepdims; max from -inf.
// CHECK-LABEL: func @reduce
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK: %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]} ins(%arg0 : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: arith.addf
// CHECK: %[[M:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<2xf32>)
// CHECK: arith.constant 0.0833333358 : f32
// CHECK: arith.mulf
// CHECK: %[[K:.*]] = tensor.expand_shape %[[M]] {{\[}}[0, 1, 2]] output_shape [2, 1, 1] : tensor<2xf32> into tensor<2x1x1xf32>
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<3xf32>)
// CHECK: %[[X:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction"]} ins(%arg0 : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<3xf32>)
// CHECK: arith.maximumf
// CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: linalg.fill ins(%[[INF]] : f32) outs(%{{.*}} : tensor<f32>)
// CHECK: %[[N:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction", "reduction"]} ins(%arg0 : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK: arith.minimumf
// CHECK: return %[[K]], %[[X]], %[[N]]
func.func @reduce(%x: tensor<2x3x4xf32>) -> (tensor<2x1x1xf32>, tensor<3xf32>, tensor<f32>) {
  %0 = qc.reduce <mean> %x {axes = array<i64: 1, 2>, keepdims} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %1 = qc.reduce <max> %x {axes = array<i64: 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  %2 = qc.reduce <min> %x {axes = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<2x1x1xf32>, tensor<3xf32>, tensor<f32>
}

// -----

// Concat inserts each input at its offset along the axis.
// CHECK-LABEL: func @concat
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x5x4xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0, 0] [1, 2, 4] [1, 1, 1] : tensor<1x2x4xf32> into tensor<1x5x4xf32>
// CHECK: %[[B:.*]] = tensor.insert_slice %arg1 into %[[A]][0, 2, 0] [1, 3, 4] [1, 1, 1] : tensor<1x3x4xf32> into tensor<1x5x4xf32>
// CHECK: return %[[B]]
func.func @concat(%a: tensor<1x2x4xf32>, %b: tensor<1x3x4xf32>) -> tensor<1x5x4xf32> {
  %0 = qc.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4xf32>, tensor<1x3x4xf32>) -> tensor<1x5x4xf32>
  return %0 : tensor<1x5x4xf32>
}

// -----

// Transpose is linalg.transpose, also on int8 storage.
!q = !quant.uniform<i8:f32, 0.1:3>
// CHECK-LABEL: func @transpose
// CHECK: linalg.transpose ins(%arg0 : tensor<1x2x3xf32>) outs(%{{.*}} : tensor<3x1x2xf32>) permutation = [2, 0, 1]
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3xi8>) outs(%{{.*}} : tensor<3x2xi8>) permutation = [1, 0]
func.func @transpose(%x: tensor<1x2x3xf32>, %q: tensor<2x3x!q>) -> (tensor<3x1x2xf32>, tensor<3x2x!q>) {
  %0 = qc.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<1x2x3xf32>) -> tensor<3x1x2xf32>
  %1 = qc.transpose %q {perm = array<i64: 1, 0>} : (tensor<2x3x!q>) -> tensor<3x2x!q>
  return %0, %1 : tensor<3x1x2xf32>, tensor<3x2x!q>
}

// -----

// Constant padding is tensor.pad with the value.
// CHECK-LABEL: func @pad_constant
// CHECK: %[[V:.*]] = arith.constant 1.500000e+00 : f32
// CHECK: tensor.pad %arg0 low[1, 2] high[0, 1]
// CHECK: tensor.yield %[[V]] : f32
// CHECK: } : tensor<2x3xf32> to tensor<3x6xf32>
func.func @pad_constant(%x: tensor<2x3xf32>) -> tensor<3x6xf32> {
  %0 = qc.pad <constant> %x {pads = array<i64: 1, 2, 0, 1>, value = 1.5 : f32} : (tensor<2x3xf32>) -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

// Reflect padding reads the input at p = i - 2, mirrored: p < 0 -> -p,
// p >= 4 -> 2 * 3 - p.
// CHECK-LABEL: func @pad_reflect
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<7xf32>)
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[C2:.*]] = arith.constant 2 : index
// CHECK: %[[P:.*]] = arith.subi %[[I]], %[[C2]] : index
// CHECK: %[[NP:.*]] = arith.subi %{{.*}}, %[[P]] : index
// CHECK: %[[LT:.*]] = arith.cmpi slt, %[[P]], %{{.*}} : index
// CHECK: %[[A:.*]] = arith.select %[[LT]], %[[NP]], %[[P]] : index
// CHECK: %[[C6:.*]] = arith.constant 6 : index
// CHECK: %[[R:.*]] = arith.subi %[[C6]], %[[A]] : index
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[GE:.*]] = arith.cmpi sge, %[[A]], %[[C4]] : index
// CHECK: %[[J:.*]] = arith.select %[[GE]], %[[R]], %[[A]] : index
// CHECK: %[[V:.*]] = tensor.extract %arg0[%[[J]]] : tensor<4xf32>
// CHECK: linalg.yield %[[V]] : f32
func.func @pad_reflect(%x: tensor<4xf32>) -> tensor<7xf32> {
  %0 = qc.pad <reflect> %x {pads = array<i64: 2, 1>} : (tensor<4xf32>) -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

// Edge padding clamps p = i - 2 into [0, 3].
// CHECK-LABEL: func @pad_edge
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[P:.*]] = arith.subi %[[I]], %{{.*}} : index
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[LO:.*]] = arith.maxsi %[[P]], %[[C0]] : index
// CHECK: %[[C3:.*]] = arith.constant 3 : index
// CHECK: %[[J:.*]] = arith.minsi %[[LO]], %[[C3]] : index
// CHECK: tensor.extract %arg0[%[[J]]] : tensor<4xf32>
func.func @pad_edge(%x: tensor<4xf32>) -> tensor<7xf32> {
  %0 = qc.pad <edge> %x {pads = array<i64: 2, 1>} : (tensor<4xf32>) -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

// A slice with positive steps is tensor.extract_slice.
// CHECK-LABEL: func @slice
// CHECK: %[[S:.*]] = tensor.extract_slice %arg0[1, 0] [2, 3] [2, 2] : tensor<4x6xf32> to tensor<2x3xf32>
// CHECK-NEXT: return %[[S]]
func.func @slice(%x: tensor<4x6xf32>) -> tensor<2x3xf32> {
  %0 = qc.slice %x {offsets = array<i64: 1, 0>, steps = array<i64: 2, 2>} : (tensor<4x6xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A negative step reads input[i, 5 - 3 * j] in a generic.
// CHECK-LABEL: func @slice_negative_step
// CHECK-NOT: tensor.extract_slice
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4x2xf32>)
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[J:.*]] = linalg.index 1 : index
// CHECK: %[[R:.*]] = arith.addi
// CHECK: %[[C5:.*]] = arith.constant 5 : index
// CHECK: %[[CM3:.*]] = arith.constant -3 : index
// CHECK: %[[T:.*]] = arith.muli %[[J]], %[[CM3]] : index
// CHECK: %[[C:.*]] = arith.addi %[[C5]], %[[T]] : index
// CHECK: tensor.extract %arg0[%[[R]], %[[C]]] : tensor<4x6xf32>
func.func @slice_negative_step(%x: tensor<4x6xf32>) -> tensor<4x2xf32> {
  %0 = qc.slice %x {offsets = array<i64: 0, 5>, steps = array<i64: 1, -3>} : (tensor<4x6xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// Gather reads the index tensor through the output dimensions it spans,
// wraps negative indices, clamps into [0, 9] and extracts along the axis.
// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func @gather
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #{{.*}}]{{.*}} ins(%arg1 : tensor<3xi32>) outs(%{{.*}} : tensor<2x3x4xf32>)
// CHECK: ^bb0(%[[IN:.*]]: i32, %{{.*}}: f32):
// CHECK: %[[D0:.*]] = linalg.index 0 : index
// CHECK: %[[D2:.*]] = linalg.index 2 : index
// CHECK: %[[I:.*]] = arith.index_cast %[[IN]] : i32 to index
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[I]], %{{.*}} : index
// CHECK: %[[C10:.*]] = arith.constant 10 : index
// CHECK: %[[WRAP:.*]] = arith.addi %[[I]], %[[C10]] : index
// CHECK: %[[W:.*]] = arith.select %[[NEG]], %[[WRAP]], %[[I]] : index
// CHECK: %[[LO:.*]] = arith.maxsi %[[W]], %{{.*}} : index
// CHECK: %[[C9:.*]] = arith.constant 9 : index
// CHECK: %[[K:.*]] = arith.minsi %[[LO]], %[[C9]] : index
// CHECK: tensor.extract %arg0[%[[D0]], %[[K]], %[[D2]]] : tensor<2x10x4xf32>
func.func @gather(%t: tensor<2x10x4xf32>, %i: tensor<3xi32>) -> tensor<2x3x4xf32> {
  %0 = qc.gather %t, %i {axis = 1 : i64} : (tensor<2x10x4xf32>, tensor<3xi32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Batched matmul over (b0, b1, m, k, n): the size-1 batch dimension of A is
// broadcast with a constant 0 index, B has one batch dimension fewer.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d4)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-LABEL: func @batched_matmul
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x5x3x6xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]} ins(%arg0, %arg1 : tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) outs(%[[Z]] : tensor<2x5x3x6xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @batched_matmul(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32> {
  %0 = qc.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
  return %0 : tensor<2x5x3x6xf32>
}
