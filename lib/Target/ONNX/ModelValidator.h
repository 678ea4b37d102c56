//===- ModelValidator.h - structural checks of an ONNX model ----*- C++ -*-===//

#ifndef QUANTC_LIB_TARGET_ONNX_MODELVALIDATOR_H
#define QUANTC_LIB_TARGET_ONNX_MODELVALIDATOR_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"

#include <onnx/onnx_pb.h>

#include <string>

namespace quantc {

/// IR versions quantc reads: 3 (opset imports) to 11 (what opset-23 models
/// carry).
inline constexpr int64_t kMinIRVersion = 3;
inline constexpr int64_t kMaxIRVersion = 11;
/// The newest default-domain opset whose operator forms the importer knows
/// (opset 18 moved the `axes` of reductions and Pad to inputs).
inline constexpr int64_t kMaxONNXOpset = 18;
/// What libonnx 1.12's checker knows; it runs only within these.
inline constexpr int64_t kCheckerMaxIRVersion = 8;
inline constexpr int64_t kCheckerMaxOpset = 17;

/// Checks what the importer relies on: the IR version, one opset per
/// domain with the default domain at a supported version, nodes only in
/// the default domain, the graph in topological order with every input
/// defined and every tensor written once, and the graph outputs defined;
/// then onnx::checker where its schemas apply. Returns the default-domain
/// opset, or failure after a diagnostic at `loc` that names what and where.
mlir::FailureOr<int64_t> validateONNXModel(const onnx::ModelProto &model,
                                           mlir::Location loc);

/// How diagnostics name a node: "node 'NAME' (#INDEX, OP_TYPE)", NAME being
/// its name or else its first output.
std::string describeNode(const onnx::NodeProto &node, int64_t index);

} // namespace quantc

#endif // QUANTC_LIB_TARGET_ONNX_MODELVALIDATOR_H
