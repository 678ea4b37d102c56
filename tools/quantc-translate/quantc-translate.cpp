//===- quantc-translate.cpp - ONNX import and LLVM IR export --------------===//

#include "quantc/Target/ONNX/ONNXImport.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Support/LogicalResult.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "quantc/Support/SanitizerDefaults.h"

int main(int argc, char **argv) {
  mlir::registerAllTranslations();
  quantc::registerONNXImportTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "quantc translation driver"));
}
