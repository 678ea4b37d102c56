//===- quantc-opt.cpp - run quantc's passes and pipelines on MLIR ---------===//
//
// MlirOptMain, with one check before parsing: MLIR's parser recurses once
// per level of nesting, so input nested deeper than kMaxNestingDepth (10,000
// `module {` overflow the stack) is refused with an error.
//
//===----------------------------------------------------------------------===//

#include "quantc/InitAll.h"
#include "quantc/Support/CheckedMath.h"

#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "quantc/Support/SanitizerDefaults.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::DialectRegistry registry;
  quantc::registerAllDialects(registry);
  quantc::registerAllPasses();
  auto [inputFilename, outputFilename] = mlir::registerAndParseCLIOptions(
      argc, argv, "quantc optimizer driver\n", registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects() || config.shouldListPasses())
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(argc, argv, inputFilename, outputFilename, registry));

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file =
      mlir::openInputFile(inputFilename, &error);
  if (!file) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (quantc::nestsDeeperThan(file->getBuffer(), quantc::kMaxNestingDepth)) {
    llvm::errs() << "quantc-opt: error: '" << inputFilename
                 << "' nests regions, parentheses or brackets more than "
                 << quantc::kMaxNestingDepth << " levels deep\n";
    return 1;
  }
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (mlir::failed(
          mlir::MlirOptMain(output->os(), std::move(file), registry, config)))
    return 1;
  output->keep();
  return 0;
}
