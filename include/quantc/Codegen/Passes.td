//===- Passes.td - code generation passes -------------------*- tablegen -*-===//

#ifndef QUANTC_CODEGEN_PASSES_TD
#define QUANTC_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def QCApproximateMath : Pass<"qc-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Replaces transcendental math ops by polynomial approximations";
  let description = [{
    `math.powf` is expanded into `exp`/`log`, and `exp`, `expm1`, `log`,
    `log1p`, `tanh`, `erf` and friends become upstream MLIR's polynomial
    approximations on arith ops. The emitted code then needs no libm for
    them, and LLVM vectorizes loops that contain them.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def QCCopiesToLinalg : Pass<"qc-copies-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Rewrites memref.copy as linalg.copy";
  let description = [{
    Bufferization copies between strided views (e.g. into a padded buffer)
    as `memref.copy`, whose LLVM lowering calls the `memrefCopy` runtime
    function for non-contiguous layouts. As `linalg.copy` they become plain
    loops, and the object file needs no runtime.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def QCFlattenGlobals : Pass<"qc-flatten-globals", "mlir::ModuleOp"> {
  let summary = "Stores constant memref globals as 1-D arrays";
  let description = [{
    A `memref.global` of rank > 1 translates to nested LLVM arrays: one
    LLVM constant per innermost row, which makes translating and optimizing
    a model with large weights slow and memory hungry. This pass gives every
    such global a 1-D type (the same data, dense or `dense_resource`) and
    reads it back through `memref.expand_shape`, so each weight tensor
    becomes one flat LLVM constant array.

    ```mlir
    memref.global "private" constant @w : memref<4x3xf32> = dense<...>
    %0 = memref.get_global @w : memref<4x3xf32>
    // becomes
    memref.global "private" constant @w : memref<12xf32> = dense<...>
    %f = memref.get_global @w : memref<12xf32>
    %0 = memref.expand_shape %f [[0, 1]] output_shape [4, 3]
        : memref<12xf32> into memref<4x3xf32>
    ```
  }];
}

def QCVectorizeInt8Matmul : Pass<"qc-vectorize-int8-matmul", "mlir::func::FuncOp"> {
  let summary = "Turns bufferized i8 x i8 -> i32 contractions into vector kernels";
  let description = [{
    Matches a bufferized `linalg.generic` computing
    `C[m, n] += sext(A[m, k]) * sext(B[n, k])` (both operands contiguous
    along `k`) and replaces it with a register-tiled loop nest: for each row
    and block of `n-tile` output channels, `vector-width` bytes of the row
    are loaded and sign-extended once and multiplied with each channel's
    weights into a vector accumulator, which is reduced after the `k` loop;
    a scalar loop finishes the `k` remainder. The shape (a reduction of
    `mul(sext, sext)` along a contiguous dimension) is what LLVM's x86
    backend turns into `vpmaddwd` and its AArch64 backend into
    `smull`/`saddw` (or `sdot` with `+dotprod`). With `isa=avx2` the
    products are summed in pairs by `llvm.x86.avx2.pmadd.wd` on operands
    sign-extended to i16, which is exact (no `vpmaddubsw` saturation).

    ```mlir
    linalg.generic {indexing_maps = [(m,n,k)->(m,k), (m,n,k)->(n,k), (m,n,k)->(m,n)], ...}
        ins(%A, %B : memref<1x64xi8>, memref<32x64xi8>) outs(%C : memref<1x32xi32>)
    // becomes
    scf.for %m ... { scf.for %n ... step 4 {
      %acc:4 = scf.for %k ... step 16 iter_args(...) -> (vector<16xi32>, ...) {
        %a = vector.load %A[%m, %k] : memref<1x64xi8>, vector<16xi8>
        ... arith.extsi, arith.muli, arith.addi ...
      }
      %s = vector.reduction <add>, %acc#0 : vector<16xi32> into i32 ...
    } }
    ```
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", "16",
           "Bytes of k processed per vector step">,
    Option<"nTile", "n-tile", "int64_t", "4",
           "Output channels computed together (activation reuse)">,
    Option<"instructionSet", "isa", "std::string", "\"generic\"",
           "Instruction set of the inner product: 'avx2' (llvm.x86.avx2.pmadd.wd "
           "on sign-extended i16) or 'generic' (llvm.vector.partial.reduce.add, "
           "which is sdot on AArch64 with +dotprod)">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::LLVM::LLVMDialect"];
}

def QCAssignWorkspace : Pass<"qc-assign-workspace", "mlir::ModuleOp"> {
  let summary = "Places every temporary buffer in one caller-provided workspace";
  let description = [{
    After bufferization and `buffer-results-to-out-params`, replaces each
    static `memref.alloc` in the model function with a `memref.view` at a
    fixed, 64-byte aligned offset of a new trailing `memref<?xi8>` workspace
    argument, so the emitted code never allocates and is re-entrant. The
    total size is recorded in the function attribute `qc.workspace_size`.
    A dynamic allocation is an error.

    Offsets are shared between buffers whose lifetimes do not overlap. A
    buffer lives from the top-level op of the function body that allocates
    it to the last top-level op that uses it or anything that may alias it
    (any memref result or region argument fed by it: views, casts, loop
    iter_args, values yielded out of a region). Buffers are placed first-fit
    in allocation order at the lowest offset no live buffer occupies; one
    read by the op that writes another is live at that op, so the two never
    share (no in-place reuse).

    ```mlir
    %a = memref.alloc() : memref<1x32xi32>
    // becomes (with %ws the new argument)
    %a = memref.view %ws[%c0][] : memref<?xi8> to memref<1x32xi32>
    ```
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def QCOutlineKernels : Pass<"qc-outline-kernels", "mlir::ModuleOp"> {
  let summary =
      "Moves each loop nest of the model function into its own function";
  let description = [{
    Runs on the bufferized, workspace-assigned module. Every top-level op
    with regions and no results in the model function (the one carrying
    `qc.workspace_size`: one layer's loop nest or microkernel) becomes a
    call to a new private `noinline` function `NAME_kN` that holds it. The
    values it uses from the model function are passed as arguments, except
    constants, `memref.get_global` and side-effect-free ops computed from
    them only, which are cloned into the kernel.

    LLVM's function passes (dominator trees, scalar evolution, the loop
    passes) cost more than linear time in the size of one function; one
    function per layer keeps compile time linear in the number of layers.
    A call costs nanoseconds per layer at run time.

    ```mlir
    func.func @main(%x: memref<16xf32>, %y: memref<16xf32>, %ws: memref<?xi8>)
        attributes {qc.workspace_size = 0 : i64} {
      scf.for %i = %c0 to %c16 step %c1 { ... }
      return
    }
    // becomes
    func.func @main(...) { call @main_k0(%x, %y) : (...) -> (); return }
    func.func private @main_k0(%x: memref<16xf32>, %y: memref<16xf32>)
        attributes {no_inline, qc.kernel} { scf.for ... ; return }
    ```
  }];
  let dependentDialects = ["mlir::func::FuncDialect",
                           "mlir::LLVM::LLVMDialect"];
}

def QCEmitCInterface : Pass<"qc-emit-c-interface", "mlir::ModuleOp"> {
  let summary = "Adds the C entry points NAME_run, NAME_run_with_workspace, ...";
  let description = [{
    Runs on the bufferized module whose single public function takes its
    inputs, then its outputs, then a workspace as memrefs. Makes that
    function private (`NAME_impl`) and adds the C ABI of DESIGN.md:

    ```c
    int NAME_run(const void *const *inputs, void *const *outputs);
    int NAME_run_with_workspace(const void *const *inputs,
                                void *const *outputs, void *workspace);
    size_t NAME_workspace_size(void);
    extern const char NAME_signature[];   /* JSON: names, shapes, dtypes */
    ```
    `NAME_run` allocates the workspace with `malloc` and frees it.
  }];
  let options = [
    Option<"modelName", "name", "std::string", "\"model\"",
           "C identifier prefixed to every exported symbol">,
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect",
                           "mlir::func::FuncDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::scf::SCFDialect"];
}

def QCPackWeights : Pass<"qc-pack-weights", "mlir::func::FuncOp"> {
  let summary = "Packs quantized conv/fully_connected weights for a microkernel";
  let description = [{
    Rewrites each quantized `qc.conv` (2-D, `group` 1 or depthwise, 8-bit
    input and result) and `qc.fully_connected` (8-bit, 2-D) into
    `qc.packed_conv2d` for the instruction set `isa` (`avx512vnni`,
    `avxvnni`, `avx2`; `none` leaves everything alone): the weights are
    reordered at compile time into the order the microkernel reads them,
    the zero-point term and the unsigned-activation shift are folded into
    the int32 bias, and the requantization multipliers and shifts become
    per-channel arrays. Convolutions become channels-last: the input is
    transposed NCHW -> NHWC and the result back, and those transposes
    cancel between consecutive convolutions (`qc.transpose` folds) or are
    moved by `qc-propagate-layout`.

    ```mlir
    %y = qc.conv %x, %w, %b {...} : (tensor<1x16x8x8x!q>, ...) -> tensor<1x64x8x8x!q>
    // becomes
    %t = qc.transpose %x {perm = array<i64: 0, 2, 3, 1>} ...
    %p = qc.packed_conv2d ins(%t, %wp, %bias, %mult, %shift : ...)
        outs(%e : tensor<1x8x8x64x!q>) {isa = "avx512vnni", ...}
    %y = qc.transpose %p {perm = array<i64: 0, 3, 1, 2>} ...
    ```
  }];
  let options = [
    Option<"instructionSet", "isa", "std::string", "\"none\"",
           "Microkernel instruction set: avx512vnni, avxvnni, avx2 or none">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::tensor::TensorDialect",
                           "::quantc::qc::QCDialect"];
}

def QCLowerPackedKernels : Pass<"qc-lower-packed-kernels", "mlir::func::FuncOp"> {
  let summary = "Writes the loops and register-tiled microkernels of qc.packed_conv2d";
  let description = [{
    Runs after bufferization. Each `qc.packed_conv2d` on memrefs becomes:

    1. a padded channels-last copy of the input in the workspace (the
       padding holds the input zero point; +128 for the `vpdpbusd`
       kernels, widened to int16 for `avx2`, channels padded to the K
       group);
    2. for each block of output channels and each tile of output pixels, a
       register tile of accumulators that starts at the bias and runs over
       the taps and K groups with the instruction set's dot product
       (`vpdpbusd` zmm or `{vex} vpdpbusd` ymm through
       `llvm.x86.avx512.vpdpbusd.*`, or `vpmaddwd` through
       `llvm.x86.avx2.pmadd.wd`);
    3. the requantization epilogue in registers (docs/quantization.md: 64-bit
       `acc * M`, rounding shift, zero point, clamp), stored as int8 with a
       the last partial vector of channels stored lane by lane.

    Depthwise convolutions get their own channels-last vector loop.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

#endif // QUANTC_CODEGEN_PASSES_TD
