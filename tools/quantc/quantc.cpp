//===- quantc.cpp - the compiler driver -----------------------------------===//
//
//   quantc compile MODEL.onnx --calibration-data X.npy -o NAME.o
//
// is a sequence of the pipelines in quantc/Codegen/Pipelines.h; every stage
// can be reproduced with quantc-opt.
//
//===----------------------------------------------------------------------===//

#include "quantc/Calibration/Calibration.h"
#include "quantc/Codegen/Compile.h"
#include "quantc/Codegen/Pipelines.h"
#include "quantc/Dialect/QC/IR/QC.h"
#include "quantc/Dialect/QC/Transforms/Passes.h"
#include "quantc/InitAll.h"
#include "quantc/Target/ONNX/ONNXImport.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/Transforms/Passes.h"
#include "quantc/Support/SanitizerDefaults.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace quantc;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory category("quantc compile options");

cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputPath("o",
                                cl::desc("Output file (NAME.o, NAME.so, ...)"),
                                cl::value_desc("file"), cl::cat(category));
cl::opt<std::string>
    modelName("name",
              cl::desc("C symbol prefix (default: the output file stem)"),
              cl::cat(category));
cl::opt<std::string> calibrationData(
    "calibration-data",
    cl::desc("Representative inputs: a .npy (one sample per row), a .npz "
             "(one array per input, keyed by input name) or a directory of "
             ".npy/.npz files (one sample each)"),
    cl::value_desc("file.npy|file.npz|dir"), cl::cat(category));
cl::opt<std::string>
    saveCalibration("save-calibration",
                    cl::desc("Write the calibration statistics and ranges "
                             "(JSON)"),
                    cl::value_desc("file.json"), cl::cat(category));
cl::opt<std::string> loadCalibration(
    "load-calibration",
    cl::desc("Read calibration ranges (JSON) instead of running calibration; "
             "with another --calibration-method the ranges are recomputed "
             "from the stored histograms"),
    cl::value_desc("file.json"), cl::cat(category));
cl::opt<std::string> calibrationMethod(
    "calibration-method",
    cl::desc("How ranges are chosen: minmax (default), moving-average, "
             "percentile, entropy, mse"),
    cl::init("minmax"), cl::cat(category));
cl::opt<double> percentile(
    "percentile",
    cl::desc("percentile method: keep the [(100-P)th, Pth] percentiles "
             "(default 99.99)"),
    cl::value_desc("P"), cl::init(99.99), cl::cat(category));
cl::opt<double> movingAverageConstant(
    "moving-average-constant",
    cl::desc("moving-average method: c in min += c * (sample_min - min) "
             "(default 0.01)"),
    cl::value_desc("c"), cl::init(0.01), cl::cat(category));
cl::opt<bool> strictCalibration(
    "strict",
    cl::desc("Reject calibration samples containing NaN or Inf instead of "
             "skipping them"),
    cl::cat(category));
enum class Precision { Int8, Fp32 };
cl::opt<Precision> precision(
    "precision", cl::desc("Numeric precision of the compiled model"),
    cl::values(clEnumValN(Precision::Int8, "int8", "int8 (default)"),
               clEnumValN(Precision::Fp32, "fp32", "float32, no quantization")),
    cl::init(Precision::Int8), cl::cat(category));
cl::opt<bool> perTensorWeights("per-tensor-weights",
                               cl::desc("One scale per weight tensor"),
                               cl::cat(category));
enum class Mode { Static, Dynamic, WeightOnly };
cl::opt<Mode> quantMode(
    "mode", cl::desc("Quantization mode"),
    cl::values(
        clEnumValN(Mode::Static, "static",
                   "calibrated activation ranges (default)"),
        clEnumValN(Mode::Dynamic, "dynamic",
                   "activation ranges computed at run time (MatMul/Gemm)"),
        clEnumValN(Mode::WeightOnly, "weight-only",
                   "int8 weights, float activations (MatMul/Gemm)")),
    cl::init(Mode::Static), cl::cat(category));
cl::opt<std::string>
    activationType("activation-type",
                   cl::desc("Activation storage: int8 (default) or uint8"),
                   cl::init("int8"), cl::cat(category));
cl::opt<bool> symmetricActivations(
    "symmetric-activations",
    cl::desc("Symmetric activations (zero point in the middle)"),
    cl::cat(category));
cl::list<std::string> int16Nodes(
    "int16-nodes",
    cl::desc("Nodes (ONNX node or output names) with int16 activations and "
             "int8 weights (16x8)"),
    cl::CommaSeparated, cl::value_desc("NAME,..."), cl::cat(category));
cl::list<std::string>
    excludeNodes("exclude-nodes",
                 cl::desc("Nodes (ONNX node or output names) kept in float"),
                 cl::CommaSeparated, cl::value_desc("NAME,..."),
                 cl::cat(category));
cl::list<std::string> excludeOpTypes(
    "exclude-op-types",
    cl::desc("ONNX operator types kept in float, e.g. Conv,Gemm"),
    cl::CommaSeparated, cl::value_desc("TYPE,..."), cl::cat(category));
cl::opt<int64_t> weightClusters(
    "weight-clusters",
    cl::desc("Cluster float weights into K centroids (16..256; k-means, "
             "codebook indices + table lookup; needs --precision fp32)"),
    cl::value_desc("K"), cl::init(0), cl::cat(category));
enum class ClusterGranularity { Tensor, Channel };
cl::opt<ClusterGranularity> clusterGranularity(
    "cluster-granularity",
    cl::desc("One codebook per weight tensor or channel"),
    cl::values(clEnumValN(ClusterGranularity::Tensor, "tensor",
                          "per tensor (default)"),
               clEnumValN(ClusterGranularity::Channel, "channel",
                          "per output channel (weight dimension 0)")),
    cl::init(ClusterGranularity::Tensor), cl::cat(category));
enum class Emit { Obj, Shared, Asm, LLVM, MLIR };
cl::opt<Emit> emit(
    "emit", cl::desc("What to write"),
    cl::values(clEnumValN(Emit::Obj, "obj", "object file + header (default)"),
               clEnumValN(Emit::Shared, "shared", "shared library + header"),
               clEnumValN(Emit::Asm, "asm", "assembly"),
               clEnumValN(Emit::LLVM, "llvm", "LLVM IR"),
               clEnumValN(Emit::MLIR, "mlir",
                          "the qc-dialect model after quantization")),
    cl::init(Emit::Obj), cl::cat(category));
cl::opt<std::string> targetTriple(
    "target",
    cl::desc("Target triple (default: the host), e.g. aarch64-linux-gnu"),
    cl::cat(category));
cl::opt<std::string> targetCPU("mcpu",
                               cl::desc("Target CPU (default: host "
                                        "CPU for the host, else generic)"),
                               cl::cat(category));
cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Bind an input's symbolic dimensions: NAME=D0xD1x... "
                         "(repeatable)"),
                cl::value_desc("NAME=SHAPE"), cl::cat(category));
cl::opt<std::string> targetAttrs("mattr",
                                 cl::desc("Target features, e.g. +dotprod"),
                                 cl::cat(category));

int fail(const llvm::Twine &message) {
  llvm::errs() << "quantc: error: " << message << "\n";
  return 1;
}

/// `stem` made a C identifier.
std::string cIdentifier(llvm::StringRef stem) {
  std::string id;
  for (char c : stem)
    id += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (id.empty() || llvm::isDigit(id[0]))
    id = "_" + id;
  return id;
}

/// Links `object` into a shared library with the system's C compiler for
/// the target.
int linkShared(llvm::StringRef object, llvm::StringRef output,
               const llvm::Triple &triple) {
  SmallVector<std::string> candidates;
  llvm::Triple host(llvm::sys::getDefaultTargetTriple());
  if (triple.getArch() == host.getArch())
    candidates = {"cc", "gcc", "clang-22", "clang"};
  else
    candidates = {triple.str() + "-gcc",
                  triple.getArchName().str() + "-linux-gnu-gcc"};
  for (const std::string &name : candidates) {
    auto program = llvm::sys::findProgramByName(name);
    if (!program)
      continue;
    std::string err;
    SmallVector<llvm::StringRef> args = {*program, "-shared", "-o",
                                         output,   object,    "-lm"};
    int rc =
        llvm::sys::ExecuteAndWait(*program, args, std::nullopt, {}, 0, 0, &err);
    if (rc != 0)
      return fail("linking the shared library with " + *program + " failed" +
                  (err.empty() ? "" : ": " + err));
    return 0;
  }
  return fail("no C compiler found to link a shared library for " +
              triple.str() + " (tried " + llvm::join(candidates, ", ") + ")");
}

/// Warns, naming them, about tensors whose calibration saw a single value
/// (all-zero or constant data): their quantized codes carry nothing, which
/// usually means the calibration data is not representative.
void warnDegenerateRanges(const CalibrationTable &table) {
  std::vector<std::string> names;
  for (const std::string &name : table.order) {
    auto stats = table.stats.find(name);
    bool constant =
        stats != table.stats.end()
            ? stats->second.count > 0 && stats->second.min == stats->second.max
            : table.ranges.lookup(name).min == table.ranges.lookup(name).max;
    if (constant)
      names.push_back(name);
  }
  if (names.empty())
    return;
  std::string list;
  for (size_t i = 0; i < names.size() && i < 8; ++i)
    list += (i ? ", '" : "'") + names[i] + "'";
  if (names.size() > 8)
    list += ", ... (" + std::to_string(names.size() - 8) + " more)";
  llvm::errs() << "quantc: warning: calibration saw a single value for "
               << names.size() << " of " << table.order.size() << " tensors ("
               << list
               << "): all-zero or constant calibration data makes their "
                  "int8 ranges degenerate; check --calibration-data\n";
}

int compile() {
  bool clustering = weightClusters.getNumOccurrences() > 0;
  if (clustering && (weightClusters < 16 || weightClusters > 256))
    return fail("--weight-clusters must be between 16 and 256, got " +
                llvm::Twine(weightClusters));
  if (clustering && precision == Precision::Int8)
    return fail("--weight-clusters clusters float weights and cannot be "
                "combined with int8 quantization: add --precision fp32");
  if (!clustering && clusterGranularity.getNumOccurrences())
    return fail("--cluster-granularity needs --weight-clusters K");

  // The target is checked before any work: an unknown or unsupported one
  // would otherwise fail (or abort inside LLVM) after calibration.
  std::unique_ptr<llvm::TargetMachine> targetMachine;
  if (emit != Emit::MLIR) {
    auto tm = createTargetMachine({targetTriple, targetCPU, targetAttrs});
    if (!tm)
      return fail(llvm::toString(tm.takeError()));
    const llvm::Triple &triple = (*tm)->getTargetTriple();
    if (triple.getArch() != llvm::Triple::x86_64 &&
        triple.getArch() != llvm::Triple::aarch64)
      return fail("--target '" + triple.str() +
                  "' is not supported: quantc generates code for x86_64 "
                  "and aarch64 only");
    targetMachine = std::move(*tm);
  }

  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  // --mlir-timing reports each phase (import, each pass, LLVM codegen).
  DefaultTimingManager timing;
  applyDefaultTimingManagerCLOptions(timing);
  TimingScope rootTimer = timing.getRootScope();
  TimingScope importTimer = rootTimer.nest("ONNX import");
  auto buffer = llvm::MemoryBuffer::getFile(modelPath, /*IsText=*/false);
  if (!buffer)
    return fail("cannot read '" + modelPath +
                "': " + buffer.getError().message());
  InputShapes shapes;
  for (const std::string &text : inputShapes) {
    std::string err = parseInputShape(text, shapes);
    if (!err.empty())
      return fail("--input-shape: " + err);
  }
  OwningOpRef<ModuleOp> module =
      importONNX((*buffer)->getBuffer(), modelPath, &context, shapes);
  if (!module)
    return 1; // The importer reported the error.
  importTimer.stop();

  if (outputPath.empty()) {
    llvm::SmallString<128> p(llvm::sys::path::stem(modelPath));
    p += emit == Emit::Shared ? ".so"
         : emit == Emit::Asm  ? ".s"
         : emit == Emit::LLVM ? ".ll"
         : emit == Emit::MLIR ? ".mlir"
                              : ".o";
    outputPath = std::string(p);
  }
  std::string name = modelName.empty()
                         ? cIdentifier(llvm::sys::path::stem(outputPath))
                         : modelName.getValue();
  if (name != cIdentifier(name))
    return fail("--name '" + name + "' is not a C identifier");

  auto applyCLOptions = [&](PassManager &pm) {
    pm.enableTiming(rootTimer);
    return applyPassManagerCLOptions(pm);
  };
  // A model that arrives quantized (QDQ / QLinear* / integer ops) keeps
  // its scales: no calibration, no qc-insert-qdq. Its simplification runs
  // without folding, which would drop the dcast(qcast(x)) pairs the model
  // is made of.
  bool prequantized = qc::isPrequantized(*module);
  PassManager simplify(&context);
  if (failed(applyCLOptions(simplify)))
    return 1;
  if (prequantized) {
    GreedyRewriteConfig noFolding;
    noFolding.enableFolding(false);
    simplify.addPass(createCanonicalizerPass(noFolding));
    simplify.addPass(createCSEPass());
  } else {
    buildSimplifyPipeline(simplify);
  }
  if (failed(simplify.run(*module)))
    return 1;

  if (clustering) {
    PassManager cluster(&context);
    if (failed(applyCLOptions(cluster)))
      return 1;
    qc::QCClusterWeightsOptions options;
    options.clusters = weightClusters;
    options.perChannel = clusterGranularity == ClusterGranularity::Channel;
    cluster.addPass(qc::createQCClusterWeights(options));
    if (failed(cluster.run(*module)))
      return 1;
  }

  // Non-finite weights have no int8 code: refuse them by name rather than
  // fail later on a derived quantity (multiplier, bias range).
  if (precision == Precision::Int8 && !prequantized &&
      failed(qc::verifyFiniteWeights(*module)))
    return 1;

  // qc-quantize-pipeline with the options every mode shares.
  auto runQuantizePipeline =
      [&](QuantizePipelineOptions &options) -> LogicalResult {
    PassManager quantize(&context);
    if (failed(applyCLOptions(quantize)))
      return failure();
    options.perChannel = !perTensorWeights;
    options.excludeNodes = excludeNodes;
    options.excludeOpTypes = excludeOpTypes;
    buildQuantizePipeline(quantize, options);
    return quantize.run(*module);
  };

  if (prequantized) {
    if (!calibrationData.empty() || !loadCalibration.empty())
      llvm::errs() << "quantc: warning: '" << modelPath
                   << "' is already quantized; its scales are used and the "
                      "calibration options are ignored\n";
    if (precision == Precision::Int8) {
      PassManager quantize(&context);
      if (failed(applyCLOptions(quantize)))
        return 1;
      quantize.addNestedPass<func::FuncOp>(qc::createQCQuantize());
      if (failed(quantize.run(*module)))
        return 1;
    }
  } else if (precision == Precision::Int8 && quantMode != Mode::Static) {
    const char *modeName =
        quantMode == Mode::Dynamic ? "dynamic" : "weight-only";
    // Activation schemes describe calibrated activations.
    if (!int16Nodes.empty() || activationType.getNumOccurrences() ||
        symmetricActivations)
      return fail(llvm::Twine("--int16-nodes, --activation-type and "
                              "--symmetric-activations apply to --mode "
                              "static, not --mode ") +
                  modeName);
    if (!calibrationData.empty() || !loadCalibration.empty())
      llvm::errs() << "quantc: warning: --mode " << modeName
                   << " needs no calibration; the calibration data is "
                      "ignored\n";
    QuantizePipelineOptions options;
    options.mode = modeName;
    if (failed(runQuantizePipeline(options)))
      return 1;
  } else if (precision == Precision::Int8) {
    auto method = parseCalibrationMethod(calibrationMethod);
    if (!method)
      return fail("unknown --calibration-method '" + calibrationMethod +
                  "' (available: minmax, moving-average, percentile, "
                  "entropy, mse)");
    if (!(percentile >= 50 && percentile <= 100))
      return fail("--percentile must be in [50, 100], got " +
                  llvm::formatv("{0}", percentile.getValue()).str());
    if (!(movingAverageConstant > 0 && movingAverageConstant <= 1))
      return fail("--moving-average-constant must be in (0, 1], got " +
                  llvm::formatv("{0}", movingAverageConstant.getValue()).str());
    CalibrationOptions calibOptions;
    calibOptions.method = *method;
    calibOptions.percentile = percentile;
    calibOptions.movingAverageConstant = movingAverageConstant;
    calibOptions.strict = strictCalibration;
    std::string calibFile = loadCalibration;
    llvm::SmallString<128> tempFile;
    std::optional<CalibrationTable> table;
    if (!calibFile.empty()) {
      // A method (or parameter) given explicitly and different from the
      // file's: recompute the ranges from the stored statistics.
      auto loaded = readCalibrationFile(calibFile);
      if (!loaded)
        return fail(llvm::toString(loaded.takeError()));
      warnDegenerateRanges(*loaded);
      bool methodGiven = calibrationMethod.getNumOccurrences() ||
                         percentile.getNumOccurrences() ||
                         movingAverageConstant.getNumOccurrences();
      bool differs = loaded->method != calibrationMethod ||
                     (*method == CalibrationMethod::Percentile &&
                      loaded->percentile != percentile) ||
                     (*method == CalibrationMethod::MovingAverage &&
                      loaded->movingAverageConstant != movingAverageConstant);
      if (methodGiven && differs) {
        if (loaded->stats.empty())
          return fail("calibration file '" + calibFile + "' holds only " +
                      loaded->method +
                      " ranges, no statistics: rerun calibration with "
                      "--calibration-data to use --calibration-method " +
                      calibrationMethod);
        if (llvm::Error err = recomputeRanges(*loaded, calibOptions))
          return fail("calibration file '" + calibFile +
                      "': " + llvm::toString(std::move(err)));
        table = std::move(*loaded);
      } else if (!saveCalibration.empty()) {
        table = std::move(*loaded);
      }
    } else {
      if (calibrationData.empty())
        return fail("int8 compilation needs --calibration-data FILE.npy "
                    "(or .npz, or a directory) or --load-calibration "
                    "FILE.json (or use --precision fp32)");
      TimingScope calibrationTimer = rootTimer.nest("calibration");
      auto calibrated = calibrate(*module, calibrationData, calibOptions);
      calibrationTimer.stop();
      if (!calibrated)
        return fail(llvm::toString(calibrated.takeError()));
      warnDegenerateRanges(*calibrated);
      table = std::move(*calibrated);
    }
    if (table) {
      calibFile = saveCalibration;
      if (calibFile.empty()) {
        int fd;
        if (auto ec = llvm::sys::fs::createTemporaryFile("quantc-calibration",
                                                         "json", fd, tempFile))
          return fail("cannot create a temporary file: " + ec.message());
        llvm::sys::Process::SafelyCloseFileDescriptor(fd);
        calibFile = std::string(tempFile);
      }
      if (llvm::Error err = writeCalibrationFile(calibFile, *table))
        return fail(llvm::toString(std::move(err)));
    }
    QuantizePipelineOptions options;
    options.calibrationFile = calibFile;
    options.activationType = activationType;
    options.symmetricActivations = symmetricActivations;
    options.int16Nodes = int16Nodes;
    LogicalResult result = runQuantizePipeline(options);
    if (!tempFile.empty())
      llvm::sys::fs::remove(tempFile);
    if (failed(result))
      return 1;
  }

  if (emit == Emit::MLIR) {
    std::error_code ec;
    llvm::ToolOutputFile out(outputPath, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return fail("cannot write '" + outputPath + "': " + ec.message());
    module->print(out.os());
    out.keep();
    return 0;
  }

  std::unique_ptr<llvm::TargetMachine> *tm = &targetMachine;
  PassManager lower(&context);
  if (failed(applyCLOptions(lower)))
    return 1;
  LowerToLLVMOptions lowerOptions;
  lowerOptions.modelName = name;
  lowerOptions.isa = kernelISA(**tm);
  lowerOptions.kernels = packedKernelISA(**tm);
  buildLowerToLLVMPipeline(lower, lowerOptions);
  if (failed(lower.run(*module)))
    return 1;
  auto signature = getSignatureJSON(*module, name);
  if (!signature)
    return fail(llvm::toString(signature.takeError()));

  llvm::LLVMContext llvmContext;
  TimingScope llvmTimer = rootTimer.nest("LLVM translation and optimization");
  auto llvmModule = translateAndOptimize(*module, llvmContext, **tm);
  llvmTimer.stop();
  if (!llvmModule)
    return fail(llvm::toString(llvmModule.takeError()));

  if (emit == Emit::LLVM) {
    std::error_code ec;
    llvm::ToolOutputFile out(outputPath, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return fail("cannot write '" + outputPath + "': " + ec.message());
    (*llvmModule)->print(out.os(), nullptr);
    out.keep();
    return 0;
  }
  if (emit == Emit::Asm) {
    if (llvm::Error err = emitMachineCode(**llvmModule, **tm, outputPath, true))
      return fail(llvm::toString(std::move(err)));
    return 0;
  }

  std::string objectPath = outputPath;
  llvm::SmallString<128> tempObject;
  if (emit == Emit::Shared) {
    int fd;
    if (auto ec =
            llvm::sys::fs::createTemporaryFile("quantc", "o", fd, tempObject))
      return fail("cannot create a temporary file: " + ec.message());
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
    objectPath = std::string(tempObject);
  }
  TimingScope codegenTimer = rootTimer.nest("machine code");
  if (llvm::Error err = emitMachineCode(**llvmModule, **tm, objectPath, false))
    return fail(llvm::toString(std::move(err)));
  codegenTimer.stop();
  if (emit == Emit::Shared) {
    int rc = linkShared(objectPath, outputPath, (*tm)->getTargetTriple());
    llvm::sys::fs::remove(tempObject);
    if (rc)
      return rc;
  }

  auto header = makeHeader(name, *signature);
  if (!header)
    return fail(llvm::toString(header.takeError()));
  llvm::SmallString<128> headerPath(outputPath);
  llvm::sys::path::replace_extension(headerPath, ".h");
  std::error_code ec;
  llvm::ToolOutputFile out(headerPath, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail("cannot write '" + headerPath + "': " + ec.message());
  out.os() << *header;
  out.keep();
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  registerAllPasses();
  cl::HideUnrelatedOptions(category);
  if (argc < 2 || llvm::StringRef(argv[1]) != "compile") {
    if (argc >= 2 && (llvm::StringRef(argv[1]) == "--help" ||
                      llvm::StringRef(argv[1]) == "-h")) {
      llvm::outs() << "usage: quantc compile MODEL.onnx [options]\n"
                      "       quantc compile --help\n";
      return 0;
    }
    llvm::errs() << "usage: quantc compile MODEL.onnx [options] "
                    "(see quantc compile --help)\n";
    return 2;
  }
  // Parse everything after the subcommand.
  SmallVector<const char *> args = {argv[0]};
  args.append(argv + 2, argv + argc);
  if (!cl::ParseCommandLineOptions(args.size(), args.data(),
                                   "quantc: ONNX to int8 object files\n",
                                   &llvm::errs()))
    return 2;
  return compile();
}
