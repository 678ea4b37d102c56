//===- Calibrate.cpp - statistics by running the float model --------------===//
//
// The float model is instrumented (every named activation becomes an extra
// output), lowered through exactly the pipeline of the object file, JIT
// compiled for the host and run sample by sample. Each activation streams
// into fixed-size statistics (TensorStatistics), so memory does not grow
// with the number of samples; the method then chooses the ranges.
//
//===----------------------------------------------------------------------===//

#include "quantc/Calibration/Calibration.h"
#include "quantc/Codegen/Compile.h"
#include "quantc/Codegen/Pipelines.h"
#include "quantc/Dialect/QC/IR/QC.h"
#include "quantc/Dialect/QC/Transforms/Passes.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Process.h"

#include <chrono>
#include <cmath>

using namespace mlir;
using namespace quantc;

static llvm::Error calibError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

namespace {
/// "calibrating [=====>    ] 45/100  ETA 3s" on stderr, redrawn at most
/// ten times a second, only when stderr is a terminal.
class ProgressBar {
public:
  ProgressBar(int64_t total, bool enabled)
      : total(total),
        enabled(enabled && llvm::sys::Process::StandardErrIsDisplayed()),
        start(Clock::now()), last(start) {}
  ~ProgressBar() {
    if (drawn)
      llvm::errs() << "\n";
  }
  void update(int64_t done) {
    if (!enabled)
      return;
    auto now = Clock::now();
    if (done < total && now - last < std::chrono::milliseconds(100))
      return;
    last = now;
    double elapsed = std::chrono::duration<double>(now - start).count();
    constexpr int width = 30;
    int filled = int(width * done / std::max<int64_t>(total, 1));
    std::string bar(filled, '=');
    if (filled < width)
      bar += '>' + std::string(width - filled - 1, ' ');
    llvm::errs() << "\rcalibrating [" << bar << "] " << done << "/" << total;
    if (done > 0 && done < total) {
      int64_t eta = int64_t(elapsed / done * (total - done) + 0.5);
      llvm::errs() << "  ETA " << formatDuration(eta) << "   ";
    } else {
      llvm::errs() << "  " << formatDuration(int64_t(elapsed + 0.5))
                   << "        ";
    }
    drawn = true;
  }

private:
  using Clock = std::chrono::steady_clock;
  static std::string formatDuration(int64_t s) {
    if (s >= 3600)
      return llvm::formatv("{0}h{1:2}m", s / 3600, (s / 60) % 60);
    if (s >= 60)
      return llvm::formatv("{0}m{1:2}s", s / 60, s % 60);
    return llvm::formatv("{0}s", s);
  }
  int64_t total;
  bool enabled;
  bool drawn = false;
  Clock::time_point start, last;
};
} // namespace

llvm::Expected<CalibrationTable>
quantc::calibrate(ModuleOp original, llvm::StringRef dataPath,
                  const CalibrationOptions &options) {
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
  // The extra outputs keep their observed names in the C interface.
  SmallVector<Attribute> allNames(outNames.getValue());
  allNames.append(observed.begin(), observed.end());
  func->setAttr("qc.output_names", ArrayAttr::get(ctx, allNames));

  // What the data must provide, input by input.
  std::vector<CalibrationInput> inputs;
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    CalibrationInput input;
    if (auto n = func.getArgAttrOfType<StringAttr>(i, qc::kNameAttr))
      input.name = n.str();
    else
      input.name = "input" + std::to_string(i);
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape())
      return calibError("input '" + input.name +
                        "' has no static shape (bind it with --input-shape)");
    input.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    Type element = tensor.getElementType();
    if (element.isF32())
      input.kind = CalibrationInput::Kind::F32;
    else if (element.isInteger(32))
      input.kind = CalibrationInput::Kind::I32;
    else if (element.isInteger(64))
      input.kind = CalibrationInput::Kind::I64;
    else
      return calibError("input '" + input.name + "' has element type " +
                        llvm::formatv("{0}", element).str() +
                        "; calibration needs float32 (compile with "
                        "--precision fp32), int32 or int64 inputs");
    inputs.push_back(std::move(input));
  }
  auto data = openCalibrationData(dataPath, inputs);
  if (!data)
    return data.takeError();
  int64_t numSamples = (*data)->size();

  // Same pipeline as the object file, for the host.
  auto tm = createTargetMachine({});
  if (!tm)
    return tm.takeError();
  PassManager lower(ctx);
  LowerToLLVMOptions lowerOptions;
  lowerOptions.modelName = "qc_calibration";
  lowerOptions.isa = kernelISA(**tm);
  SmallVector<Type> resultTypes(func.getResultTypes());
  buildLowerToLLVMPipeline(lower, lowerOptions);
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

  // One buffer per input and output, reused for every sample (8 bytes per
  // element covers every element type).
  std::vector<std::vector<int64_t>> inputBuffers, outputBuffers;
  std::vector<void *> inputPtrs, outputPtrs;
  for (const CalibrationInput &input : inputs) {
    int64_t n = 1;
    for (int64_t d : input.shape)
      n *= d;
    inputBuffers.emplace_back(std::max<int64_t>(n, 1));
  }
  for (Type t : resultTypes)
    outputBuffers.emplace_back(
        std::max<int64_t>(cast<RankedTensorType>(t).getNumElements(), 1));
  for (auto &b : inputBuffers)
    inputPtrs.push_back(b.data());
  for (auto &b : outputBuffers)
    outputPtrs.push_back(b.data());
  size_t firstObserved = outNames.size();

  std::vector<TensorStatistics> stats(observed.size());
  SmallVector<int64_t> skipped;
  ProgressBar progress(numSamples, options.progress);
  for (int64_t s = 0; s < numSamples; ++s) {
    progress.update(s);
    if (llvm::Error err = (*data)->read(s, inputPtrs))
      return std::move(err);
    // Float inputs must be finite.
    std::optional<std::string> badInput;
    for (auto [i, input] : llvm::enumerate(inputs)) {
      if (input.kind != CalibrationInput::Kind::F32)
        continue;
      const float *v = reinterpret_cast<const float *>(inputPtrs[i]);
      int64_t n = 1;
      for (int64_t d : input.shape)
        n *= d;
      if (!std::all_of(v, v + n, [](float x) { return std::isfinite(x); })) {
        badInput = input.name;
        break;
      }
    }
    if (badInput) {
      if (options.strict)
        return calibError("calibration sample " + llvm::Twine(s) +
                          " contains NaN or Inf (input '" + *badInput +
                          "'); rejected under --strict");
      skipped.push_back(s);
      continue;
    }
    if (run(inputPtrs.data(), outputPtrs.data()) != 0)
      return calibError("the calibration model failed to run (out of memory)");
    for (size_t i = 0; i < stats.size(); ++i) {
      auto type = cast<RankedTensorType>(resultTypes[firstObserved + i]);
      stats[i].addSample(
          reinterpret_cast<const float *>(outputPtrs[firstObserved + i]),
          type.getNumElements(), options.movingAverageConstant);
    }
  }
  progress.update(numSamples);
  if (!skipped.empty()) {
    llvm::errs() << "quantc: warning: skipped " << skipped.size()
                 << " calibration sample(s) containing NaN or Inf: ";
    llvm::interleaveComma(ArrayRef<int64_t>(skipped).take_front(20),
                          llvm::errs());
    if (skipped.size() > 20)
      llvm::errs() << ", ...";
    llvm::errs() << "\n";
  }
  CalibrationTable table;
  table.numSamples = numSamples - skipped.size();
  if (table.numSamples == 0)
    return calibError("every calibration sample contains NaN or Inf");
  table.movingAverageConstant = options.movingAverageConstant;
  for (auto [i, name] : llvm::enumerate(observed)) {
    StringRef key = cast<StringAttr>(name).getValue();
    table.set(key, {0, 0});
    table.stats[key] = std::move(stats[i]);
  }
  if (llvm::Error err = recomputeRanges(table, options))
    return std::move(err);
  return table;
}
