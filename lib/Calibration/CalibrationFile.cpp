//===- CalibrationFile.cpp - reading and writing calibration JSON ---------===//

#include "quantc/Calibration/Calibration.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace quantc;
using llvm::createStringError;

void CalibrationTable::set(llvm::StringRef name, TensorRange range) {
  auto [it, inserted] = ranges.try_emplace(name, range);
  if (inserted)
    order.push_back(name.str());
  else
    it->second = range;
}

llvm::Expected<CalibrationTable>
quantc::readCalibrationFile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return createStringError(buffer.getError(),
                             "cannot read calibration file '%s'",
                             path.str().c_str());
  auto json = llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return createStringError(llvm::inconvertibleErrorCode(),
                             "calibration file '%s' is not valid JSON: %s",
                             path.str().c_str(),
                             llvm::toString(json.takeError()).c_str());
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Object *tensors =
      root ? root->getObject("tensors") : nullptr;
  if (!tensors)
    return createStringError(llvm::inconvertibleErrorCode(),
                             "calibration file '%s' has no \"tensors\" object",
                             path.str().c_str());
  CalibrationTable table;
  if (auto method = root->getString("method"))
    table.method = method->str();
  if (auto n = root->getInteger("num_samples"))
    table.numSamples = *n;
  // json::Object is unordered: sort names for a deterministic order.
  std::vector<std::string> names;
  for (const auto &entry : *tensors)
    names.push_back(entry.first.str());
  llvm::sort(names);
  for (const std::string &name : names) {
    const llvm::json::Object *t = tensors->getObject(name);
    std::optional<double> min = t ? t->getNumber("min") : std::nullopt;
    std::optional<double> max = t ? t->getNumber("max") : std::nullopt;
    if (!min || !max || *min > *max)
      return createStringError(
          llvm::inconvertibleErrorCode(),
          "calibration file '%s': tensor '%s' needs numbers \"min\" <= \"max\"",
          path.str().c_str(), name.c_str());
    table.set(name, {*min, *max});
  }
  return table;
}

llvm::Error quantc::writeCalibrationFile(llvm::StringRef path,
                                         const CalibrationTable &table) {
  llvm::json::Object tensors;
  for (const std::string &name : table.order) {
    const TensorRange &r = table.ranges.find(name)->second;
    tensors[name] = llvm::json::Object{{"min", r.min}, {"max", r.max}};
  }
  llvm::json::Value root = llvm::json::Object{{"version", 1},
                                              {"method", table.method},
                                              {"num_samples", table.numSamples},
                                              {"tensors", std::move(tensors)}};
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return createStringError(ec, "cannot write calibration file '%s'",
                             path.str().c_str());
  os << llvm::formatv("{0:2}", root) << "\n";
  return llvm::Error::success();
}
