// RUN: quantc-opt %s --qc-approximate-math | FileCheck %s
// RUN: quantc-opt %s --qc-approximate-math | FileCheck %s --check-prefix=NOLIBM

// Transcendental math ops become polynomial approximations on arith (and
// math.fma/floor/absf, which LLVM lowers to instructions, not libm calls).
// NOLIBM-NOT: math.erf
// NOLIBM-NOT: math.tanh
// NOLIBM-NOT: math.exp
// NOLIBM-NOT: math.powf
// NOLIBM-NOT: math.log

// erf: a rational approximation ending in a division, selected per range.
// CHECK-LABEL: func @erf
// CHECK: math.fma
// CHECK: arith.divf
// CHECK: arith.select
// CHECK: return
func.func @erf(%x: f32) -> f32 {
  %0 = math.erf %x : f32
  return %0 : f32
}

// tanh on vectors stays vectorized.
// CHECK-LABEL: func @tanh
// CHECK: math.fma %{{.*}} : vector<8xf32>
// CHECK: arith.divf %{{.*}} : vector<8xf32>
// CHECK: return %{{.*}} : vector<8xf32>
func.func @tanh(%x: vector<8xf32>) -> vector<8xf32> {
  %0 = math.tanh %x : vector<8xf32>
  return %0 : vector<8xf32>
}

// exp: range reduction by log2(e), a polynomial, and 2^n built from the
// exponent bits (n + 127) << 23.
// CHECK-LABEL: func @exp
// CHECK-DAG: %[[C127:.*]] = arith.constant 127 : i32
// CHECK-DAG: %[[C23:.*]] = arith.constant 23 : i32
// CHECK-DAG: %[[LOG2E:.*]] = arith.constant 1.44269502 : f32
// CHECK: math.fma %{{.*}}, %[[LOG2E]], %{{.*}} : f32
// CHECK: math.floor
// CHECK: %[[N:.*]] = arith.fptosi %{{.*}} : f32 to i32
// CHECK: %[[B:.*]] = arith.addi %[[N]], %[[C127]] : i32
// CHECK: %[[S:.*]] = arith.shli %[[B]], %[[C23]] : i32
// CHECK: %[[P:.*]] = arith.bitcast %[[S]] : i32 to f32
// CHECK: %[[R:.*]] = arith.mulf %{{.*}}, %[[P]] : f32
// CHECK: return %[[R]]
func.func @exp(%x: f32) -> f32 {
  %0 = math.exp %x : f32
  return %0 : f32
}

// powf is expanded into exp(y * log(x)) first; both are then approximated:
// log reads the exponent bits of x, exp builds 2^n.
// CHECK-LABEL: func @powf
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.shrui
// CHECK: arith.shli
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK: return
func.func @powf(%x: f32, %y: f32) -> f32 {
  %0 = math.powf %x, %y : f32
  return %0 : f32
}

// Ops nested in linalg.generic bodies are rewritten too.
// CHECK-LABEL: func @in_generic
// CHECK: linalg.generic
// CHECK: math.fma
// CHECK: linalg.yield
func.func @in_generic(%t: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%t : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = math.erf %in : f32
    linalg.yield %1 : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
