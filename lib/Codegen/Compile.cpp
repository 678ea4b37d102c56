//===- Compile.cpp - from the LLVM dialect to machine code ----------------===//

#include "quantc/Codegen/Compile.h"
#include "quantc/Support/CheckedMath.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace quantc;

void quantc::registerLLVMTranslations(MLIRContext &context) {
  registerBuiltinDialectTranslation(context);
  registerLLVMDialectTranslation(context);
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
quantc::createTargetMachine(const TargetSpec &spec) {
  static bool initialized = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    llvm::InitializeAllAsmParsers();
    return true;
  }();
  (void)initialized;
  bool host = spec.triple.empty();
  llvm::Triple triple(host ? llvm::sys::getDefaultTargetTriple()
                           : llvm::Triple::normalize(spec.triple));
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "unknown target '%s': %s",
                                   triple.str().c_str(), error.c_str());
  std::string cpu = spec.cpu;
  std::string features = spec.features;
  if (cpu.empty() && host)
    cpu = llvm::sys::getHostCPUName().str();
  if (cpu.empty())
    cpu = "generic";
  bool native = (spec.cpu.empty() && host) || cpu == "native";
  if (cpu == "native")
    cpu = llvm::sys::getHostCPUName().str();
  // The host's own feature bits, as `clang -march=native` does: the CPU
  // name alone can miss some (LLVM 22 names a Sapphire Rapids guest
  // "rocketlake", which lacks AVX-VNNI and AMX). --mattr comes after, so
  // the user's flags still win.
  if (native) {
    std::vector<std::string> flags;
    for (const auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
      flags.push_back((enabled ? "+" : "-") + name.str());
    llvm::sort(flags); // StringMap order is not part of its contract
    std::string hostFeatures = llvm::join(flags, ",");
    if (!hostFeatures.empty())
      features = features.empty() ? hostFeatures : hostFeatures + "," + features;
  }
  llvm::TargetOptions options;
  // One rounding of each float operation on every target: no FMA
  // contraction, so x86 and ARM64 agree bit for bit.
  options.AllowFPOpFusion = llvm::FPOpFusion::Strict;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!tm)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot create a target machine for '%s'",
                                   triple.str().c_str());
  if (!tm->getMCSubtargetInfo()->isCPUStringValid(cpu))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "unknown CPU '%s' for target '%s'",
                                   cpu.c_str(), triple.str().c_str());
  return tm;
}

std::string quantc::kernelISA(const llvm::TargetMachine &tm) {
  if (tm.getTargetTriple().isX86() &&
      tm.getMCSubtargetInfo()->checkFeatures("+avx2"))
    return "avx2";
  return "generic";
}

std::string quantc::packedKernelISA(const llvm::TargetMachine &tm) {
  if (!tm.getTargetTriple().isX86())
    return "none";
  const llvm::MCSubtargetInfo &sti = *tm.getMCSubtargetInfo();
  if (sti.checkFeatures("+avx512f,+avx512bw,+avx512vnni"))
    return "avx512vnni";
  if (sti.checkFeatures("+avx2,+avxvnni"))
    return "avxvnni";
  if (sti.checkFeatures("+avx2"))
    return "avx2";
  return "none";
}

llvm::Expected<std::unique_ptr<llvm::Module>>
quantc::translateAndOptimize(ModuleOp module, llvm::LLVMContext &llvmContext,
                             llvm::TargetMachine &tm) {
  registerLLVMTranslations(*module.getContext());
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "translation to LLVM IR failed");
  llvmModule->setTargetTriple(tm.getTargetTriple());
  llvmModule->setDataLayout(tm.createDataLayout());
  auto optimize = makeOptimizingTransformer(3, 0, &tm);
  if (llvm::Error err = optimize(llvmModule.get()))
    return std::move(err);
  return llvmModule;
}

llvm::Error quantc::emitMachineCode(llvm::Module &module,
                                    llvm::TargetMachine &tm,
                                    llvm::StringRef path, bool assembly) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError(ec, "cannot open '%s'", path.str().c_str());
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, out.os(), nullptr,
                             assembly ? llvm::CodeGenFileType::AssemblyFile
                                      : llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the target cannot emit this file type");
  pm.run(module);
  out.keep();
  return llvm::Error::success();
}

llvm::Expected<std::string> quantc::getSignatureJSON(ModuleOp module,
                                                     llvm::StringRef name) {
  auto global =
      module.lookupSymbol<LLVM::GlobalOp>((name + "_signature").str());
  auto value = global ? dyn_cast_or_null<StringAttr>(global.getValueOrNull())
                      : StringAttr();
  if (!value)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "no %s_signature in the module",
                                   name.str().c_str());
  return value.getValue().rtrim('\0').str();
}

llvm::Expected<std::string> quantc::makeHeader(llvm::StringRef name,
                                               llvm::StringRef json) {
  auto parsed = llvm::json::parse(json);
  if (!parsed)
    return parsed.takeError();
  const llvm::json::Object *root = parsed->getAsObject();
  std::string upper = name.str();
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "/* " << name << ".h: generated by quantc. Do not edit.\n"
     << " *\n"
     << " * Inputs and outputs are dense, row-major buffers in the order of "
        "the\n"
     << " * tables below. The object file needs only libc. */\n"
     << "#ifndef QUANTC_MODEL_" << upper << "_H\n"
     << "#define QUANTC_MODEL_" << upper << "_H\n\n"
     << "#include <stddef.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  std::string badShape;
  auto emitTable = [&](llvm::StringRef kind, llvm::StringRef key) {
    const llvm::json::Array *list = root->getArray(key);
    os << "#define " << name << "_NUM_" << kind << "S " << list->size() << "\n";
    for (auto [i, v] : llvm::enumerate(*list)) {
      const llvm::json::Object *t = v.getAsObject();
      std::string prefix = llvm::formatv("{0}_{1}{2}_", name, kind, i).str();
      const llvm::json::Array *shape = t->getArray("shape");
      std::optional<int64_t> numel = 1;
      std::string dims;
      for (auto [j, d] : llvm::enumerate(*shape)) {
        int64_t dim = d.getAsInteger().value_or(-1);
        numel = numel ? checkedMul(*numel, dim) : numel;
        dims += (j ? ", " : "") + std::to_string(dim);
      }
      if (!numel && badShape.empty())
        badShape = prefix + "SHAPE {" + dims + "}";
      os << "#define " << prefix << "NAME \"" << *t->getString("name") << "\"\n"
         << "#define " << prefix << "RANK " << shape->size() << "\n"
         << "#define " << prefix << "SHAPE {" << dims << "}\n"
         << "#define " << prefix << "SIZE " << numel.value_or(0)
         << " /* elements */\n"
         << "#define " << prefix << "DTYPE \"" << *t->getString("dtype")
         << "\"\n";
    }
    os << "\n";
  };
  emitTable("INPUT", "inputs");
  emitTable("OUTPUT", "outputs");
  if (!badShape.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the header's %s has no valid element "
                                   "count (negative or overflowing)",
                                   badShape.c_str());
  if (std::optional<int64_t> ws = root->getInteger("workspace_size"))
    os << "/* Bytes of the workspace " << name
       << "_run_with_workspace needs (= " << name
       << "_workspace_size()):\n * temporaries whose lifetimes do not "
          "overlap share it. */\n"
       << "#define " << name << "_WORKSPACE_SIZE " << *ws << "\n\n";
  os << "/* Runs the model. Returns 0 on success, non-zero if the workspace\n"
     << " * could not be allocated. Thread-safe. */\n"
     << "int " << name
     << "_run(const void *const *inputs, void *const *outputs);\n\n"
     << "/* Runs the model in a caller-provided workspace of at least\n"
     << " * " << name
     << "_workspace_size() bytes, 64-byte aligned; re-entrant. */\n"
     << "int " << name
     << "_run_with_workspace(const void *const *inputs, void *const *outputs,\n"
     << "    void *workspace);\n\n"
     << "size_t " << name << "_workspace_size(void);\n\n"
     << "/* JSON description of the inputs and outputs. */\n"
     << "extern const char " << name << "_signature[];\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n"
     << "#endif /* QUANTC_MODEL_" << upper << "_H */\n";
  return out;
}
