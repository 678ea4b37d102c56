//===- Calibrate.cpp - min/max ranges by running the float model ----------===//
//
// The float model is instrumented (every named activation becomes an extra
// output), lowered through exactly the pipeline of the object file, JIT
// compiled for the host and run sample by sample; the ranges are reduced on
// the fly, so memory does not grow with the number of samples.
//
//===----------------------------------------------------------------------===//

#include "quantc/Calibration/Calibration.h"
#include "quantc/Codegen/Compile.h"
#include "quantc/Codegen/Pipelines.h"
#include "quantc/Dialect/QC/Transforms/Passes.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <cmath>

using namespace mlir;
using namespace quantc;

static llvm::Error calibError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<CalibrationTable>
quantc::calibrateMinMax(ModuleOp original, const NpyArray &samples) {
  OwningOpRef<ModuleOp> module = original.clone();
  MLIRContext *ctx = module->getContext();

  PassManager instrument(ctx);
  instrument.addPass(qc::createQCInstrument());
  if (failed(instrument.run(*module)))
    return calibError("instrumenting the model failed");

  auto funcs = llvm::to_vector(module->getOps<func::FuncOp>());
  if (funcs.size() != 1)
    return calibError("calibration expects a model with one function");
  func::FuncOp func = funcs.front();
  auto observed = func->getAttrOfType<ArrayAttr>("qc.observed");
  auto outNames = func->getAttrOfType<ArrayAttr>("qc.output_names");
  if (!observed || !outNames)
    return calibError("the model lacks qc.observed / qc.output_names");
  if (func.getNumArguments() != 1)
    return calibError(llvm::Twine("the model has ") +
                      llvm::Twine(func.getNumArguments()) +
                      " inputs; calibration from a single .npy array needs "
                      "exactly one");
  // The extra outputs keep their observed names in the C interface.
  SmallVector<Attribute> allNames(outNames.getValue());
  allNames.append(observed.begin(), observed.end());
  func->setAttr("qc.output_names", ArrayAttr::get(ctx, allNames));

  auto inputType = cast<RankedTensorType>(func.getArgumentTypes()[0]);
  if (!inputType.getElementType().isF32())
    return calibError("the model input has element type " +
                      llvm::formatv("{0}", inputType.getElementType()).str() +
                      "; calibration needs a float32 input (compile with "
                      "--precision fp32)");
  ArrayRef<int64_t> inShape = inputType.getShape();
  int64_t sampleSize = inputType.getNumElements();
  // Accept (N, *shape) and, for a batch-1 model, (N, *shape[1:]).
  ArrayRef<int64_t> given(samples.shape);
  bool matches = !given.empty() && given.drop_front() == inShape;
  bool matchesBatch1 = !given.empty() && !inShape.empty() && inShape[0] == 1 &&
                       given.drop_front() == inShape.drop_front();
  if (!matches && !matchesBatch1) {
    std::string want, got;
    llvm::raw_string_ostream w(want), g(got);
    llvm::interleave(inShape, w, "x");
    llvm::interleave(given, g, "x");
    return calibError("calibration data has shape " + got +
                      " but the model input is " + want + "; expected (N, " +
                      want + ") or, for batch 1, (N, " +
                      want.substr(want.find('x') + 1) + ")");
  }
  int64_t numSamples = given[0];
  if (numSamples == 0)
    return calibError("calibration data holds no samples");

  SmallVector<int64_t> resultSizes;
  for (Type t : func.getResultTypes())
    resultSizes.push_back(cast<RankedTensorType>(t).getNumElements());
  size_t firstObserved = outNames.size();

  // Same pipeline as the object file, for the host.
  auto tm = createTargetMachine({});
  if (!tm)
    return tm.takeError();
  PassManager lower(ctx);
  LowerToLLVMOptions options;
  options.modelName = "qc_calibration";
  options.isa = kernelISA(**tm);
  buildLowerToLLVMPipeline(lower, options);
  if (failed(lower.run(*module)))
    return calibError("lowering the instrumented model failed");

  registerLLVMTranslations(*ctx);
  ExecutionEngineOptions engineOptions;
  auto transformer = makeOptimizingTransformer(2, 0, tm->get());
  engineOptions.transformer = transformer;
  auto engine = ExecutionEngine::create(*module, engineOptions);
  if (!engine)
    return engine.takeError();
  auto symbol = (*engine)->lookup("qc_calibration_run");
  if (!symbol)
    return symbol.takeError();
  using RunFn = int (*)(const void *const *, void *const *);
  auto run = reinterpret_cast<RunFn>(*symbol);

  std::vector<std::vector<float>> buffers;
  std::vector<void *> outputs;
  for (int64_t size : resultSizes)
    buffers.emplace_back(size);
  for (auto &b : buffers)
    outputs.push_back(b.data());

  CalibrationTable table;
  std::vector<TensorRange> ranges(observed.size(), {INFINITY, -INFINITY});
  SmallVector<int64_t> skipped;
  for (int64_t s = 0; s < numSamples; ++s) {
    const float *sample = samples.data.data() + s * sampleSize;
    if (!std::all_of(sample, sample + sampleSize,
                     [](float v) { return std::isfinite(v); })) {
      skipped.push_back(s);
      continue;
    }
    const void *inputs[] = {sample};
    if (run(inputs, outputs.data()) != 0)
      return calibError("the calibration model failed to run (out of memory)");
    for (size_t i = 0; i < ranges.size(); ++i) {
      const std::vector<float> &out = buffers[firstObserved + i];
      for (float v : out) {
        // NaN/Inf produced inside the model do not widen the range.
        if (!std::isfinite(v))
          continue;
        ranges[i].min = std::min<double>(ranges[i].min, v);
        ranges[i].max = std::max<double>(ranges[i].max, v);
      }
    }
  }
  if (!skipped.empty()) {
    llvm::errs() << "quantc: warning: skipped " << skipped.size()
                 << " calibration sample(s) containing NaN or Inf: ";
    llvm::interleaveComma(ArrayRef<int64_t>(skipped).take_front(20),
                          llvm::errs());
    if (skipped.size() > 20)
      llvm::errs() << ", ...";
    llvm::errs() << "\n";
  }
  table.numSamples = numSamples - skipped.size();
  if (table.numSamples == 0)
    return calibError("every calibration sample contains NaN or Inf");
  for (auto [i, name] : llvm::enumerate(observed)) {
    TensorRange r = ranges[i];
    if (!std::isfinite(r.min) || !std::isfinite(r.max))
      r = {0, 0}; // Never finite: a degenerate range, quantized as zero.
    table.set(cast<StringAttr>(name).getValue(), r);
  }
  return table;
}
