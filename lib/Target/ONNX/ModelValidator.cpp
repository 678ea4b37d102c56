//===- ModelValidator.cpp - what the importer relies on in a ModelProto ---===//
//
// Debian's libonnx (1.12) parses models of any IR version (newer fields
// arrive as unknown fields), but its checker refuses IR versions above 8,
// which every model saved by a current onnx package has. The importer
// therefore checks itself what it relies on: the IR version, the opset of
// every domain used, and the graph's structure (topological order, every
// input defined, every tensor produced once). onnx::checker still runs,
// for its per-node schema checks, where its schemas apply (IR <= 8,
// default-domain opset <= 17).
//
//===----------------------------------------------------------------------===//

#include "ModelValidator.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <onnx/checker.h>

using namespace mlir;
using namespace quantc;

namespace {

bool isDefaultDomain(const std::string &domain) {
  return domain.empty() || domain == "ai.onnx";
}

} // namespace

std::string quantc::describeNode(const onnx::NodeProto &node, int64_t index) {
  const std::string &name =
      node.name().empty() && node.output_size() ? node.output(0) : node.name();
  return "node '" + name + "' (#" + std::to_string(index) + ", " +
         node.op_type() + ")";
}

FailureOr<int64_t> quantc::validateONNXModel(const onnx::ModelProto &model,
                                             Location loc) {
  if (!model.has_ir_version() || model.ir_version() <= 0)
    return emitError(loc) << "invalid ONNX model: it has no ir_version (an "
                             "empty file, or not an ONNX model?)";
  if (model.ir_version() < kMinIRVersion)
    return emitError(loc) << "the model's IR version " << model.ir_version()
                          << " predates opset imports; quantc reads IR "
                             "versions "
                          << kMinIRVersion << " to " << kMaxIRVersion;
  if (model.ir_version() > kMaxIRVersion)
    return emitError(loc) << "the model's IR version " << model.ir_version()
                          << " is newer than quantc supports (IR versions "
                          << kMinIRVersion << " to " << kMaxIRVersion << ")";

  // Opsets: one entry per domain, the default domain required.
  llvm::StringMap<int64_t> opsets;
  int64_t opset = 0;
  for (const auto &o : model.opset_import()) {
    std::string domain = isDefaultDomain(o.domain()) ? "" : o.domain();
    std::string shown = domain.empty() ? "ai.onnx" : domain;
    if (o.version() <= 0)
      return emitError(loc) << "the model imports domain '" << shown
                            << "' at version " << o.version();
    if (!opsets.try_emplace(domain, o.version()).second)
      return emitError(loc)
             << "the model imports domain '" << shown << "' twice";
    if (domain.empty())
      opset = o.version();
  }
  if (opset == 0)
    return emitError(loc)
           << "the model does not import the default ONNX domain (ai.onnx)";
  if (opset > kMaxONNXOpset)
    return emitError(loc) << "the model imports ONNX opset " << opset
                          << "; quantc supports opsets up to " << kMaxONNXOpset;

  const onnx::GraphProto &graph = model.graph();
  llvm::StringSet<> defined;
  for (const auto &init : graph.initializer())
    if (!defined.insert(init.name()).second)
      return emitError(loc)
             << "initializer '" << init.name() << "' is defined twice";
  for (const auto &input : graph.input())
    defined.insert(input.name()); // older exporters list initializers too
  for (int i = 0, e = graph.node_size(); i < e; ++i) {
    const onnx::NodeProto &node = graph.node(i);
    if (!isDefaultDomain(node.domain())) {
      if (!opsets.count(node.domain()))
        return emitError(loc)
               << describeNode(node, i) << " is in domain '" << node.domain()
               << "', which the model does not import";
      return emitError(loc)
             << describeNode(node, i) << ": operator domain '" << node.domain()
             << "' is not supported (quantc imports the default ONNX "
                "domain, ai.onnx)";
    }
    for (const std::string &in : node.input())
      if (!in.empty() && !defined.contains(in))
        return emitError(loc)
               << describeNode(node, i) << " reads '" << in
               << "', which no graph input, initializer or earlier node "
                  "defines (the graph must be in topological order)";
    for (const std::string &out : node.output())
      if (!out.empty() && !defined.insert(out).second)
        return emitError(loc) << describeNode(node, i) << " writes '" << out
                              << "', which is already defined";
  }
  for (const auto &out : graph.output())
    if (!defined.contains(out.name()))
      return emitError(loc) << "graph output '" << out.name()
                            << "' is not defined by any node, input or "
                               "initializer";

  // The checker's schemas stop at IR 8 / opset 17 (libonnx 1.12).
  if (model.ir_version() <= kCheckerMaxIRVersion && opset <= kCheckerMaxOpset &&
      opsets.size() == 1) {
    try {
      onnx::checker::check_model(model);
    } catch (const std::exception &e) {
      return emitError(loc) << "invalid ONNX model: " << e.what();
    }
  }
  return opset;
}
