//===- ONNXImport.cpp - ONNX models to the qc dialect ---------------------===//
//
// Parses the ModelProto with libonnx's protobuf classes, validates it
// (ModelValidator.cpp: IR version, opsets, graph structure, and the ONNX
// checker where its schemas apply) and emits qc ops per supported node. Shapes
// are static and computed here per op, so every error names the node.
// Computations on constants (shape subgraphs, folded weights) are evaluated at
// import time. Large constants become `dense_resource` blobs.
//
//===----------------------------------------------------------------------===//

#include "quantc/Target/ONNX/ONNXImport.h"
#include "ModelValidator.h"
#include "quantc/Dialect/QC/IR/QC.h"
#include "quantc/Support/CheckedMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/SourceMgr.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <numeric>

using namespace mlir;
using namespace quantc;

namespace {

/// A constant tensor known at import time (initializer, Constant node or a
/// folded computation on those).
struct ConstTensor {
  std::vector<int64_t> shape;
  std::vector<float> floats; // for floating-point tensors
  std::vector<int64_t> ints; // for integer and bool tensors
  bool isFloat = true;
  int32_t dataType = 0; // the onnx::TensorProto data type, when known
  /// The element count; shapes are checked (checkShape) before a
  /// ConstTensor is filled, so the product cannot overflow here.
  int64_t numElements() const { return checkedNumElements(shape).value_or(0); }
  double at(int64_t i) const { return isFloat ? floats[i] : ints[i]; }
  static ConstTensor ofInts(std::vector<int64_t> shape,
                            std::vector<int64_t> values) {
    ConstTensor c;
    c.isFloat = false;
    c.shape = std::move(shape);
    c.ints = std::move(values);
    return c;
  }
};

using Shape = SmallVector<int64_t>;

/// Kernel sizes, strides, dilations and pads must stay below this, so that
/// the window arithmetic (products of two of them plus a dimension) cannot
/// overflow 64 bits.
static constexpr int64_t kMaxWindowValue = int64_t(1) << 31;

/// The description of 8-bit graph inputs (argument attribute) and outputs
/// (function attribute, one dictionary per output, empty for float ones)
/// that qc-emit-c-interface (lib/Codegen/EmitCInterface.cpp) puts into the
/// signature: {dtype = "int8" | "uint8", scale, zero_point}.
static constexpr llvm::StringLiteral kQuantizationAttr = "qc.quantization";
static constexpr llvm::StringLiteral kOutputQuantizationAttr =
    "qc.output_quantization";

/// Row-major strides of `shape`.
static Shape stridesOf(ArrayRef<int64_t> shape) {
  Shape strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Applies `f` to the broadcast of `a` and `b`.
template <typename F>
static std::optional<ConstTensor> broadcastConst(const ConstTensor &a,
                                                 const ConstTensor &b,
                                                 bool floatResult, F f) {
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(a.shape, b.shape, shape))
    return std::nullopt;
  ConstTensor r;
  r.shape.assign(shape.begin(), shape.end());
  r.isFloat = floatResult;
  int64_t n = r.numElements(), rank = shape.size();
  Shape rs = stridesOf(shape);
  Shape as = stridesOf(a.shape), bs = stridesOf(b.shape);
  auto index = [&](const ConstTensor &t, ArrayRef<int64_t> ts, int64_t flat) {
    int64_t off = rank - t.shape.size(), idx = 0;
    for (int64_t d = off; d < rank; ++d) {
      int64_t coord = (flat / rs[d]) % shape[d];
      if (t.shape[d - off] != 1)
        idx += coord * ts[d - off];
    }
    return idx;
  };
  (floatResult ? (void)r.floats.resize(n) : r.ints.resize(n));
  for (int64_t i = 0; i < n; ++i) {
    double v = f(a.at(index(a, as, i)), b.at(index(b, bs, i)));
    if (floatResult)
      r.floats[i] = static_cast<float>(v);
    else
      r.ints[i] = static_cast<int64_t>(v);
  }
  return r;
}

class Importer {
public:
  Importer(MLIRContext *ctx, StringRef fileName, const InputShapes &bindings)
      : ctx(ctx), builder(ctx), bindings(bindings),
        fileLoc(FileLineColLoc::get(ctx, fileName, 0, 0)) {}

  /// `opset`: the default-domain opset, as validateONNXModel found it.
  OwningOpRef<ModuleOp> run(const onnx::ModelProto &model, int64_t opset);

private:
  InFlightDiagnostic error() {
    if (!node)
      return emitError(fileLoc);
    return emitError(fileLoc) << describeNode(*node, nodeIndex) << ": ";
  }

  FailureOr<ConstTensor> readTensor(const onnx::TensorProto &t);
  LogicalResult importNode();
  LogicalResult foldConstantNode(bool &folded);
  Value valueOf(const std::string &name);
  const ConstTensor *constantOf(const std::string &name) {
    auto it = constants.find(name);
    return it == constants.end() ? nullptr : &it->second;
  }
  const ConstTensor *constInput(int i) {
    if (i >= node->input_size() || node->input(i).empty())
      return nullptr;
    return constantOf(node->input(i));
  }
  Value materialize(const ConstTensor &c, Location loc);
  Location locFor(const std::string &name) {
    return NameLoc::get(StringAttr::get(ctx, name), fileLoc);
  }
  Type f32Type() { return builder.getF32Type(); }
  RankedTensorType f32Tensor(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }
  static ArrayRef<int64_t> shapeOf(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }

  // Attribute access on the current node.
  const onnx::AttributeProto *attr(StringRef name) const {
    for (const auto &a : node->attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  int64_t attrInt(StringRef name, int64_t dflt) const {
    const onnx::AttributeProto *a = attr(name);
    return a ? a->i() : dflt;
  }
  float attrFloat(StringRef name, float dflt) const {
    const onnx::AttributeProto *a = attr(name);
    return a ? a->f() : dflt;
  }
  std::string attrString(StringRef name, StringRef dflt) const {
    const onnx::AttributeProto *a = attr(name);
    return a ? a->s() : dflt.str();
  }
  std::optional<Shape> attrInts(StringRef name) const {
    const onnx::AttributeProto *a = attr(name);
    if (!a)
      return std::nullopt;
    return Shape(a->ints().begin(), a->ints().end());
  }
  /// Integer values of an attribute (older opsets) or a constant input
  /// (newer opsets); nullopt when neither is given; failure when the input
  /// is not a constant.
  FailureOr<std::optional<Shape>> intsFromAttrOrInput(StringRef name,
                                                      int inputIndex);

  /// Normalizes `axis` against `rank`, or reports an error.
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
    if (axis < -rank || axis >= rank) {
      error() << "axis " << axis << " is out of range for rank " << rank;
      return failure();
    }
    return axis < 0 ? axis + rank : axis;
  }

  /// Fails, naming `what`, unless every dimension of `shape` is >= 0 and
  /// its element count fits kMaxTensorElements: run before any arithmetic
  /// on or allocation for a shape that comes from the file.
  LogicalResult checkShape(ArrayRef<int64_t> shape, const Twine &what) {
    for (auto [i, d] : llvm::enumerate(shape))
      if (d < 0) {
        error() << what << " has negative dimension " << d << " at index " << i;
        return failure();
      }
    std::optional<int64_t> n = checkedNumElements(shape);
    if (!n || *n > kMaxTensorElements) {
      error() << what << " has " << shape.size() << " dimensions whose "
              << "element count " << (n ? "exceeds " : "overflows (limit ")
              << kMaxTensorElements << (n ? "" : ")");
      return failure();
    }
    return success();
  }
  /// Fails unless kernel sizes, strides and dilations are all >= 1.
  LogicalResult checkWindow(ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> dilations) {
    auto check = [&](ArrayRef<int64_t> v, StringRef name) {
      for (int64_t x : v)
        if (x < 1 || x >= kMaxWindowValue) {
          error() << name << " entries must be in [1, " << kMaxWindowValue
                  << "), got " << x;
          return failure();
        }
      return success();
    };
    return success(succeeded(check(kernel, "kernel_shape")) &&
                   succeeded(check(strides, "strides")) &&
                   succeeded(check(dilations, "dilations")));
  }

  LogicalResult define(Value v, int output = 0) {
    if (auto t = dyn_cast<RankedTensorType>(v.getType()))
      if (failed(checkShape(t.getShape(), "the result")))
        return failure();
    values[node->output(output)] = v;
    return success();
  }
  LogicalResult defineConst(ConstTensor c, int output = 0) {
    if (failed(checkShape(c.shape, "the constant result")))
      return failure();
    constants[node->output(output)] = std::move(c);
    return success();
  }
  Value reshape(Value v, ArrayRef<int64_t> shape, Location loc) {
    if (shapeOf(v) == shape)
      return v;
    auto t = cast<RankedTensorType>(v.getType());
    return qc::ReshapeOp::create(builder, loc, t.clone(shape), v);
  }
  LogicalResult requireOnlyFirstOutputUsed();

  LogicalResult importBinary(Location loc);
  LogicalResult importUnary(Location loc);
  LogicalResult importMatMul(Location loc);
  LogicalResult importConv(Location loc);
  LogicalResult importConvTranspose(Location loc);
  LogicalResult importPool(Location loc);
  LogicalResult importShapeOp(Location loc);
  LogicalResult importNormalization(Location loc);
  LogicalResult importDataMovement(Location loc);

  // Models that are already quantized: QuantizeLinear/DequantizeLinear
  // (QDQ), QLinearConv/QLinearMatMul, and the integer ops of dynamic
  // quantization. See docs/quantization.md, "QDQ import".
  struct QuantParams {
    SmallVector<double> scales;
    SmallVector<int64_t> zeroPoints;
    int64_t axis = -1; // -1: per tensor
    bool isUnsigned = false;
    unsigned width = 8;
  };
  /// The integers and parameters behind a DequantizeLinear of a constant.
  struct DequantizedConst {
    ConstTensor q;
    QuantParams params;
  };
  struct ConvGeometry {
    Shape strides, dilations, pads, out;
    int64_t group;
  };
  InFlightDiagnostic warning() {
    return emitWarning(fileLoc)
           << "node '"
           << (node->name().empty() ? node->output(0) : node->name()) << "' ("
           << node->op_type() << "): ";
  }
  FailureOr<QuantParams> quantParams(int scaleInput, int zpInput,
                                     ArrayRef<int64_t> dataShape,
                                     int64_t defaultAxis, int32_t dataType,
                                     bool perTensorOnly);
  Type quantElementType(const QuantParams &p);
  int32_t dataTypeOf(Value v);
  const DequantizedConst *dequantizedOf(const std::string &name) {
    auto it = dequantized.find(name);
    return it == dequantized.end() ? nullptr : &it->second;
  }
  Value dequantizeValue(Value q, const QuantParams &p, Location loc);
  Value quantizeValue(Value x, const QuantParams &p, Location loc,
                      bool mayMoveReshape);
  Value reshapeKeepingQuantization(Value v, ArrayRef<int64_t> shape,
                                   Location loc);
  Value quantizedWeight(ArrayRef<int64_t> q, ArrayRef<int64_t> shape,
                        const QuantParams &p, Location loc, std::string &why);
  Value quantizedBias(const DequantizedConst &b, Value input, Value weight,
                      int64_t n, Location loc, std::string &why);
  Value dequantizedFloats(const DequantizedConst &dq, Location loc);
  std::pair<Value, bool> integerOperand(int i, Location loc);
  FailureOr<ConvGeometry> convGeometry(ArrayRef<int64_t> xs,
                                       ArrayRef<int64_t> ws);
  FailureOr<Value> buildConv(Location loc, Value x, Value w, Value bias);
  FailureOr<Value> buildFullyConnected(Location loc, Value a,
                                       const ConstTensor &b,
                                       const DequantizedConst *bq, bool transB,
                                       float alpha, const std::string &bName,
                                       const DequantizedConst *biasq,
                                       bool &biasUsed);
  LogicalResult importQuantizeLinear(Location loc);
  LogicalResult importDequantizeLinear(Location loc);
  LogicalResult importQLinearConv(Location loc);
  LogicalResult importQLinearMatMul(Location loc);
  LogicalResult importIntegerOp(Location loc);

  /// Resolves `auto_pad` into explicit pads for a window op; `kernel` is
  /// the effective (dilated) kernel extent per spatial dimension.
  FailureOr<Shape> resolvePads(ArrayRef<int64_t> in, ArrayRef<int64_t> kernel,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> dilations);

  MLIRContext *ctx;
  OpBuilder builder;
  const InputShapes &bindings;
  Location fileLoc;
  int64_t opset = 0;
  llvm::StringMap<Value> values;
  llvm::StringMap<ConstTensor> constants;
  llvm::StringMap<int> useCounts;
  llvm::StringMap<DequantizedConst> dequantized;
  llvm::DenseSet<Value> unsignedValues; // i8 values that hold uint8
  /// 8-bit graph inputs: function arguments of raw int8 (or uint8) codes,
  /// read only by DequantizeLinear nodes with one set of parameters.
  /// `params` and `quantized` (the argument storage-cast to those
  /// parameters, shared by the nodes) are set by the first such node.
  struct IntegerInput {
    std::string name;
    std::optional<QuantParams> params;
    Value quantized;
  };
  llvm::DenseMap<Value, IntegerInput> integerInputs;
  LogicalResult checkIntegerInputUses(const onnx::GraphProto &graph,
                                      const onnx::ValueInfoProto &input);
  FailureOr<Value> quantizedInput(IntegerInput &input, Value arg,
                                  const QuantParams &p);
  const onnx::NodeProto *node = nullptr;
  int nodeIndex = 0;
  SmallVector<Value> in; // operands of the current node (null: constant)
};

FailureOr<ConstTensor> Importer::readTensor(const onnx::TensorProto &t) {
  ConstTensor c;
  auto fail = [&](const Twine &what) {
    emitError(fileLoc) << "tensor '" << t.name() << "': " << what;
    return failure();
  };
  for (auto [i, d] : llvm::enumerate(t.dims())) {
    if (d < 0)
      return fail("dimension " + Twine(i) + " is negative (" + Twine(d) + ")");
    c.shape.push_back(d);
  }
  // Elements are held as int64 or float: 8 bytes bounds both.
  if (!checkedByteSize(c.shape, 8))
    return fail("its element count overflows or exceeds the limit of " +
                Twine(kMaxTensorBytes / 8) + " elements");
  int64_t n = c.numElements();
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return fail("external data is not supported");
  c.dataType = t.data_type();
  const std::string &raw = t.raw_data();
  // Sizes are checked against the data the file holds before anything is
  // allocated: the declared shape alone does not bound the allocation (a
  // 2^30-element initializer without data made a 4 GiB vector; found by
  // quantc-fuzz-onnx).
  auto readInts = [&](int width, const auto &field) -> LogicalResult {
    c.isFloat = false;
    if (!raw.empty()) {
      if ((int64_t)raw.size() != n * width)
        return fail("raw_data has the wrong size");
      c.ints.resize(n);
      for (int64_t i = 0; i < n; ++i) {
        const char *p = raw.data() + width * i;
        if (width == 8) {
          std::memcpy(&c.ints[i], p, 8);
        } else if (width == 4) {
          int32_t v;
          std::memcpy(&v, p, 4);
          c.ints[i] = v;
        } else {
          c.ints[i] = static_cast<unsigned char>(*p);
        }
      }
      return success();
    }
    if (field.size() != n)
      return fail("the data field has the wrong size");
    c.ints.assign(field.begin(), field.end());
    return success();
  };
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (!raw.empty()) {
      if ((int64_t)raw.size() != n * 4)
        return fail("raw_data has the wrong size");
      c.floats.resize(n);
      std::memcpy(c.floats.data(), raw.data(), raw.size());
    } else {
      if (t.float_data_size() != n)
        return fail("float_data has the wrong size");
      c.floats.assign(t.float_data().begin(), t.float_data().end());
    }
    return c;
  case onnx::TensorProto::DOUBLE:
    if (!raw.empty()) {
      if ((int64_t)raw.size() != n * 8)
        return fail("raw_data has the wrong size");
      c.floats.resize(n);
      for (int64_t i = 0; i < n; ++i) {
        double v;
        std::memcpy(&v, raw.data() + 8 * i, 8);
        c.floats[i] = static_cast<float>(v);
      }
    } else {
      if (t.double_data_size() != n)
        return fail("double_data has the wrong size");
      c.floats.assign(t.double_data().begin(), t.double_data().end());
    }
    return c;
  case onnx::TensorProto::INT64:
    if (failed(readInts(8, t.int64_data())))
      return failure();
    return c;
  case onnx::TensorProto::INT32:
    if (failed(readInts(4, t.int32_data())))
      return failure();
    return c;
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::UINT8:
    if (failed(readInts(1, t.int32_data())))
      return failure();
    return c;
  case onnx::TensorProto::INT8:
    if (failed(readInts(1, t.int32_data())))
      return failure();
    for (int64_t &v : c.ints)
      v = static_cast<int8_t>(v);
    return c;
  default:
    return fail("element type " +
                onnx::TensorProto::DataType_Name(
                    static_cast<onnx::TensorProto::DataType>(t.data_type())) +
                " is not supported");
  }
}

Value Importer::materialize(const ConstTensor &c, Location loc) {
  if (!c.isFloat) {
    auto type = RankedTensorType::get(c.shape, builder.getI64Type());
    return qc::createConstant<int64_t>(builder, loc, type, c.ints);
  }
  return qc::createConstant<float>(builder, loc, f32Tensor(c.shape), c.floats);
}

Value Importer::valueOf(const std::string &name) {
  if (Value v = values.lookup(name))
    return v;
  if (const ConstTensor *c = constantOf(name); c && c->isFloat) {
    // Constants are materialized at the top of the function, once.
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(builder.getInsertionBlock());
    Value v;
    if (const DequantizedConst *dq = dequantizedOf(name);
        dq && dq->params.axis < 0 && dq->params.width == 8) {
      // DequantizeLinear of a per-tensor 8-bit constant used as an
      // activation operand: keep it quantized (scast + dcast).
      SmallVector<int8_t> bytes;
      for (int64_t i : dq->q.ints)
        bytes.push_back(static_cast<int8_t>(static_cast<uint8_t>(i)));
      auto raw = RankedTensorType::get(c->shape, builder.getI8Type());
      Value r =
          qc::createConstant<int8_t>(builder, locFor(name), raw, bytes, "int8");
      Value q = quant::StorageCastOp::create(
          builder, locFor(name), raw.clone(quantElementType(dq->params)), r);
      v = quant::DequantizeCastOp::create(builder, locFor(name),
                                          f32Tensor(c->shape), q);
    } else {
      v = materialize(*c, locFor(name));
    }
    values[name] = v;
    return v;
  }
  return {};
}

FailureOr<std::optional<Shape>> Importer::intsFromAttrOrInput(StringRef name,
                                                              int inputIndex) {
  if (std::optional<Shape> a = attrInts(name))
    return std::optional<Shape>(a);
  if (inputIndex >= node->input_size() || node->input(inputIndex).empty())
    return std::optional<Shape>();
  const ConstTensor *c = constInput(inputIndex);
  if (!c || c->isFloat) {
    error() << "input '" << node->input(inputIndex) << "' (" << name
            << ") must be a constant integer tensor";
    return failure();
  }
  return std::optional<Shape>(Shape(c->ints.begin(), c->ints.end()));
}

LogicalResult Importer::requireOnlyFirstOutputUsed() {
  for (int i = 1; i < node->output_size(); ++i)
    if (!node->output(i).empty() && useCounts.lookup(node->output(i)))
      return error() << "output " << i << " ('" << node->output(i)
                     << "') is used; only the first output is supported";
  return success();
}

//===----------------------------------------------------------------------===//
// Import-time evaluation of constant subgraphs
//===----------------------------------------------------------------------===//

LogicalResult Importer::foldConstantNode(bool &folded) {
  folded = false;
  const std::string &op = node->op_type();
  SmallVector<const ConstTensor *> cs;
  for (int i = 0; i < node->input_size(); ++i) {
    if (node->input(i).empty()) {
      cs.push_back(nullptr);
      continue;
    }
    const ConstTensor *c = constantOf(node->input(i));
    if (!c)
      return success(); // Not all constant: not foldable here.
    cs.push_back(c);
  }
  static const llvm::StringSet<> binary = {"Add",   "Sub",  "Mul",     "Div",
                                           "Equal", "Less", "Greater", "Max",
                                           "Min",   "Pow"};
  if (binary.contains(op) && cs.size() == 2) {
    const ConstTensor &a = *cs[0], &b = *cs[1];
    bool isF = a.isFloat || b.isFloat;
    bool cmp = op == "Equal" || op == "Less" || op == "Greater";
    auto r = broadcastConst(a, b, isF && !cmp, [&](double x, double y) {
      if (op == "Add")
        return x + y;
      if (op == "Sub")
        return x - y;
      if (op == "Mul")
        return x * y;
      if (op == "Div")
        return isF ? x / y : (y == 0 ? 0.0 : std::trunc(x / y));
      if (op == "Max")
        return std::max(x, y);
      if (op == "Min")
        return std::min(x, y);
      if (op == "Pow")
        return std::pow(x, y);
      if (op == "Equal")
        return double(x == y);
      if (op == "Less")
        return double(x < y);
      return double(x > y);
    });
    if (!r)
      return error() << "constant operand shapes are not broadcastable";
    folded = true;
    return defineConst(*r);
  }
  if (op == "Cast") {
    ConstTensor c = *cs[0];
    int64_t to = attrInt("to", 1);
    bool toFloat =
        to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE;
    if (toFloat && !c.isFloat) {
      c.floats.assign(c.ints.begin(), c.ints.end());
      c.ints.clear();
    } else if (!toFloat && c.isFloat) {
      for (float f : c.floats)
        c.ints.push_back(static_cast<int64_t>(f));
      c.floats.clear();
    }
    c.isFloat = toFloat;
    folded = true;
    return defineConst(c);
  }
  if (op == "Where" && cs.size() == 3) {
    Shape shape, all;
    if (!OpTrait::util::getBroadcastedShape(cs[0]->shape, cs[1]->shape,
                                            shape) ||
        !OpTrait::util::getBroadcastedShape(shape, cs[2]->shape, all))
      return error() << "constant operand shapes are not broadcastable";
    // Broadcast each operand to the full shape, then select.
    ConstTensor zeros;
    zeros.isFloat = false;
    zeros.shape.assign(all.begin(), all.end());
    zeros.ints.assign(zeros.numElements(), 0);
    auto expand = [&](const ConstTensor &t) {
      return *broadcastConst(t, zeros, t.isFloat,
                             [](double x, double) { return x; });
    };
    ConstTensor sel = expand(*cs[0]), t = expand(*cs[1]), e = expand(*cs[2]);
    if (t.isFloat != e.isFloat)
      return error() << "X and Y have different element types";
    for (int64_t i = 0; i < t.numElements(); ++i) {
      if (sel.at(i) != 0)
        continue;
      if (t.isFloat)
        t.floats[i] = e.floats[i];
      else
        t.ints[i] = e.ints[i];
    }
    folded = true;
    return defineConst(t);
  }
  if (op == "Unsqueeze" || op == "Squeeze" || op == "Reshape" ||
      op == "Flatten" || op == "Identity") {
    // Shape-only changes: reuse the value path to compute the shape.
    return success();
  }
  if (op == "Concat") {
    FailureOr<int64_t> axis =
        normalizeAxis(attrInt("axis", 0), cs[0]->shape.size());
    if (failed(axis))
      return failure();
    ConstTensor r = *cs[0];
    if (*axis != 0 || r.shape.size() != 1)
      return success(); // General constant concat: materialize instead.
    for (size_t i = 1; i < cs.size(); ++i) {
      if (cs[i]->isFloat != r.isFloat || cs[i]->shape.size() != 1)
        return success();
      r.floats.insert(r.floats.end(), cs[i]->floats.begin(),
                      cs[i]->floats.end());
      r.ints.insert(r.ints.end(), cs[i]->ints.begin(), cs[i]->ints.end());
      r.shape[0] += cs[i]->shape[0];
    }
    folded = true;
    return defineConst(r);
  }
  if (op == "Gather" && cs[0]->shape.size() == 1) {
    const ConstTensor &data = *cs[0], &idx = *cs[1];
    ConstTensor r;
    r.isFloat = data.isFloat;
    r.shape = idx.shape;
    int64_t n = data.shape[0];
    for (int64_t i : idx.ints) {
      if (i < 0)
        i += n;
      if (i < 0 || i >= n)
        return error() << "index " << i << " is out of range";
      if (data.isFloat)
        r.floats.push_back(data.floats[i]);
      else
        r.ints.push_back(data.ints[i]);
    }
    folded = true;
    return defineConst(r);
  }
  if (op == "Slice" && cs[0]->shape.size() == 1 && opset >= 10) {
    const ConstTensor &data = *cs[0];
    int64_t n = data.shape[0];
    int64_t start = cs[1]->ints[0], end = cs[2]->ints[0];
    int64_t step = cs.size() > 4 && cs[4] ? cs[4]->ints[0] : 1;
    if (step != 1)
      return success();
    if (start < 0)
      start += n;
    if (end < 0)
      end += n;
    start = std::clamp<int64_t>(start, 0, n);
    end = std::clamp<int64_t>(end, 0, n);
    ConstTensor r;
    r.isFloat = data.isFloat;
    for (int64_t i = start; i < end; ++i) {
      if (data.isFloat)
        r.floats.push_back(data.floats[i]);
      else
        r.ints.push_back(data.ints[i]);
    }
    r.shape = {std::max<int64_t>(end - start, 0)};
    folded = true;
    return defineConst(r);
  }
  if (op == "ConstantOfShape") {
    ConstTensor r;
    r.shape.assign(cs[0]->ints.begin(), cs[0]->ints.end());
    if (failed(checkShape(r.shape, "the requested shape")))
      return failure();
    float fill = 0;
    r.isFloat = true;
    if (const onnx::AttributeProto *v = attr("value")) {
      FailureOr<ConstTensor> t = readTensor(v->t());
      if (failed(t))
        return failure();
      r.isFloat = t->isFloat;
      fill = static_cast<float>(t->at(0));
    }
    if (r.isFloat)
      r.floats.assign(r.numElements(), fill);
    else
      r.ints.assign(r.numElements(), static_cast<int64_t>(fill));
    folded = true;
    return defineConst(r);
  }
  if (op == "Range") {
    double start = cs[0]->at(0), limit = cs[1]->at(0), delta = cs[2]->at(0);
    if (delta == 0 || !std::isfinite(start) || !std::isfinite(limit) ||
        !std::isfinite(delta))
      return error() << "start, limit and delta must be finite, delta "
                        "non-zero";
    double count = std::max(std::ceil((limit - start) / delta), 0.0);
    if (!(count <= double(kMaxTensorElements)))
      return error() << "the range has " << count << " elements (limit "
                     << kMaxTensorElements << ")";
    int64_t n = static_cast<int64_t>(count);
    ConstTensor r;
    r.isFloat = cs[0]->isFloat;
    r.shape = {n};
    for (int64_t i = 0; i < n; ++i) {
      if (r.isFloat)
        r.floats.push_back(static_cast<float>(start + i * delta));
      else
        r.ints.push_back(static_cast<int64_t>(start + i * delta));
    }
    folded = true;
    return defineConst(r);
  }
  if (op == "Expand") {
    ConstTensor shape;
    shape.isFloat = cs[0]->isFloat;
    shape.shape.assign(cs[1]->ints.begin(), cs[1]->ints.end());
    if (failed(checkShape(shape.shape, "the requested shape")))
      return failure();
    (shape.isFloat ? (void)shape.floats.assign(shape.numElements(), 0)
                   : shape.ints.assign(shape.numElements(), 0));
    auto r = broadcastConst(*cs[0], shape, cs[0]->isFloat,
                            [](double x, double) { return x; });
    if (!r)
      return error() << "cannot expand to the requested shape";
    folded = true;
    return defineConst(*r);
  }
  if (op == "Neg" || op == "Sqrt" || op == "Reciprocal") {
    ConstTensor r = *cs[0];
    for (float &f : r.floats)
      f = op == "Neg" ? -f : op == "Sqrt" ? std::sqrt(f) : 1.0f / f;
    for (int64_t &i : r.ints)
      i = op == "Neg" ? -i : i;
    folded = true;
    return defineConst(r);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Element-wise ops
//===----------------------------------------------------------------------===//

LogicalResult Importer::importBinary(Location loc) {
  const std::string &op = node->op_type();
  if (op == "Sum" || ((op == "Max" || op == "Min") && in.size() != 2)) {
    // Variadic: a chain of binary ops.
    if (in.empty())
      return error() << "needs at least one input";
  } else if (in.size() != 2) {
    return error() << "needs two inputs";
  }
  for (auto [i, v] : llvm::enumerate(in))
    if (!v)
      return error() << "input '" << node->input(i)
                     << "' must be a float tensor";
  // Legacy (opset < 7) broadcasting: rhs aligned at `axis`.
  if (opset < 7 && attrInt("broadcast", 0) && in.size() == 2) {
    int64_t rank = shapeOf(in[0]).size();
    ArrayRef<int64_t> rs = shapeOf(in[1]);
    int64_t axis = attrInt("axis", rank - rs.size());
    if (axis < 0)
      axis += rank;
    Shape aligned(rs);
    aligned.append(rank - axis - rs.size(), 1);
    in[1] = reshape(in[1], aligned, loc);
  }
  Value acc = in[0];
  for (size_t i = 1; i < in.size(); ++i) {
    Shape shape;
    bool isPRelu = op == "PRelu";
    if (!isPRelu && !OpTrait::util::getBroadcastedShape(shapeOf(acc),
                                                        shapeOf(in[i]), shape))
      return error() << "operand shapes are not broadcastable";
    if (op == "Add" || op == "Sum") {
      acc = qc::AddOp::create(builder, loc, f32Tensor(shape), acc, in[i],
                              qc::Activation::None);
      continue;
    }
    qc::BinaryKind kind = llvm::StringSwitch<qc::BinaryKind>(op)
                              .Case("Sub", qc::BinaryKind::Sub)
                              .Case("Mul", qc::BinaryKind::Mul)
                              .Case("Div", qc::BinaryKind::Div)
                              .Case("Max", qc::BinaryKind::Max)
                              .Case("Min", qc::BinaryKind::Min)
                              .Case("Pow", qc::BinaryKind::Pow)
                              .Default(qc::BinaryKind::PRelu);
    Value rhs = in[i];
    if (kind == qc::BinaryKind::PRelu) {
      // A per-channel slope [C] (or [C, 1, ...]) applies along axis 1.
      ArrayRef<int64_t> xs = shapeOf(acc);
      int64_t count = cast<RankedTensorType>(rhs.getType()).getNumElements();
      Shape ignored;
      if (xs.size() > 2 && count == xs[1] && count > 1 &&
          !OpTrait::util::getBroadcastedShape(xs, shapeOf(rhs), ignored)) {
        Shape aligned(xs.size() - 1, 1);
        aligned[0] = count;
        rhs = reshape(rhs, aligned, loc);
      }
      if (!OpTrait::util::getBroadcastedShape(xs, shapeOf(rhs), shape) ||
          ArrayRef<int64_t>(shape) != xs)
        return error() << "slope does not broadcast to the input";
    }
    acc = qc::BinaryOp::create(builder, loc, f32Tensor(shape),
                               qc::BinaryKindAttr::get(ctx, kind), acc, rhs);
  }
  return define(acc);
}

LogicalResult Importer::importUnary(Location loc) {
  const std::string &op = node->op_type();
  if (in.empty() || !in[0])
    return error() << "input must be a float tensor";
  Value x = in[0];
  auto type = cast<RankedTensorType>(x.getType());
  if (op == "Relu")
    return define(qc::ReluOp::create(builder, loc, type, x));
  float alpha = 0, beta = 0;
  std::optional<qc::UnaryKind> kind =
      llvm::StringSwitch<std::optional<qc::UnaryKind>>(op)
          .Case("Neg", qc::UnaryKind::Neg)
          .Case("Abs", qc::UnaryKind::Abs)
          .Case("Exp", qc::UnaryKind::Exp)
          .Case("Log", qc::UnaryKind::Log)
          .Case("Sqrt", qc::UnaryKind::Sqrt)
          .Case("Reciprocal", qc::UnaryKind::Reciprocal)
          .Case("Sigmoid", qc::UnaryKind::Sigmoid)
          .Case("Tanh", qc::UnaryKind::Tanh)
          .Case("Erf", qc::UnaryKind::Erf)
          .Case("Gelu", qc::UnaryKind::Gelu)
          .Case("HardSigmoid", qc::UnaryKind::HardSigmoid)
          .Case("HardSwish", qc::UnaryKind::HardSwish)
          .Case("LeakyRelu", qc::UnaryKind::LeakyRelu)
          .Case("Clip", qc::UnaryKind::Clip)
          .Case("Elu", qc::UnaryKind::Elu)
          .Case("Selu", qc::UnaryKind::Selu)
          .Case("Softplus", qc::UnaryKind::Softplus)
          .Case("Softsign", qc::UnaryKind::Softsign)
          .Default(std::nullopt);
  if (!kind)
    return error() << "unsupported ONNX operator '" << op << "'";
  switch (*kind) {
  case qc::UnaryKind::Gelu:
    if (attrString("approximate", "none") == "tanh")
      kind = qc::UnaryKind::GeluTanh;
    break;
  case qc::UnaryKind::HardSigmoid:
    alpha = attrFloat("alpha", 0.2f);
    beta = attrFloat("beta", 0.5f);
    break;
  case qc::UnaryKind::LeakyRelu:
    alpha = attrFloat("alpha", 0.01f);
    break;
  case qc::UnaryKind::Elu:
    alpha = attrFloat("alpha", 1.0f);
    break;
  case qc::UnaryKind::Selu:
    alpha = attrFloat("alpha", 1.67326319217681884765625f);
    beta = attrFloat("gamma", 1.05070102214813232421875f);
    break;
  case qc::UnaryKind::Clip: {
    alpha = -std::numeric_limits<float>::infinity();
    beta = std::numeric_limits<float>::infinity();
    if (opset < 11) {
      alpha = attrFloat("min", alpha);
      beta = attrFloat("max", beta);
      break;
    }
    for (int i : {1, 2}) {
      if (i >= node->input_size() || node->input(i).empty())
        continue;
      const ConstTensor *c = constInput(i);
      if (!c || c->numElements() != 1)
        return error() << "clip bound '" << node->input(i)
                       << "' must be a constant scalar";
      (i == 1 ? alpha : beta) = static_cast<float>(c->at(0));
    }
    break;
  }
  default:
    break;
  }
  // Clip(0, inf) is a relu.
  if (*kind == qc::UnaryKind::Clip && alpha == 0 && std::isinf(beta) &&
      beta > 0)
    return define(qc::ReluOp::create(builder, loc, type, x));
  return define(qc::UnaryOp::create(
      builder, loc, type, qc::UnaryKindAttr::get(ctx, *kind), x,
      builder.getF32FloatAttr(alpha), builder.getF32FloatAttr(beta)));
}

//===----------------------------------------------------------------------===//
// MatMul and Gemm
//===----------------------------------------------------------------------===//

/// `a` ([..., k], float) times the constant `b` ([k, n], or [n, k] when
/// `transB`) as a qc.fully_connected, reshaped back to [..., n]. With `bq`
/// (B is DequantizeLinear of integers) the weight is int8 behind scast +
/// dcast when that is exact, and `biasq` (a DequantizeLinear of int32 Gemm
/// C) becomes its bias (`biasUsed`).
FailureOr<Value>
Importer::buildFullyConnected(Location loc, Value a, const ConstTensor &b,
                              const DequantizedConst *bq, bool transB,
                              float alpha, const std::string &bName,
                              const DequantizedConst *biasq, bool &biasUsed) {
  Shape aShape(shapeOf(a));
  int64_t k = aShape.back();
  int64_t rows = b.shape[0], cols = b.shape[1];
  int64_t bk = transB ? cols : rows, n = transB ? rows : cols;
  if (bk != k) {
    error() << "A has " << k << " columns but B has " << bk << " rows";
    return failure();
  }
  // The weight is stored [n, k] so the reduction is contiguous.
  auto at = [&](int64_t i, int64_t j) {
    return transB ? i * k + j : j * n + i;
  };
  Value weight;
  if (bq) {
    std::string why;
    QuantParams p = bq->params;
    // B's output-feature axis is 1, or 0 with transB; it becomes axis 0.
    if (p.axis >= 0)
      p.axis = p.axis == (transB ? 0 : 1) ? 0 : 1;
    if (alpha != 1.0f) {
      why = "alpha is not 1";
    } else {
      std::vector<int64_t> t(n * k);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < k; ++j)
          t[i * k + j] = bq->q.ints[at(i, j)];
      weight = quantizedWeight(t, {n, k}, p, locFor(bName), why);
    }
    if (!weight)
      warning() << "B stays float (dequantized at compile time): " << why;
  }
  if (!weight) {
    ConstTensor w;
    w.shape = {n, k};
    w.floats.resize(n * k);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j)
        w.floats[i * k + j] = alpha * b.floats[at(i, j)];
    weight = materialize(w, locFor(bName));
  }
  // Batched A: fold the batch into the rows.
  int64_t m = 1;
  for (int64_t d : ArrayRef<int64_t>(aShape).drop_back())
    m *= d;
  Value a2 = reshapeKeepingQuantization(a, {m, k}, loc);
  Value bias;
  if (biasq && weight.getDefiningOp<quant::DequantizeCastOp>()) {
    std::string why;
    bias = quantizedBias(*biasq, a2, weight, n, locFor(node->input(2)), why);
    if (!bias)
      warning() << "C stays float (so does the product): " << why;
  }
  biasUsed = static_cast<bool>(bias);
  Value result = qc::FullyConnectedOp::create(
      builder, loc, f32Tensor({m, n}), a2, weight, bias, qc::Activation::None);
  Shape outShape(aShape.begin(), aShape.end() - 1);
  outShape.push_back(n);
  return reshape(result, outShape, loc);
}

LogicalResult Importer::importMatMul(Location loc) {
  bool gemm = node->op_type() == "Gemm";
  int64_t transA = gemm ? attrInt("transA", 0) : 0;
  int64_t transB = gemm ? attrInt("transB", 0) : 0;
  float alpha = gemm ? attrFloat("alpha", 1.0f) : 1.0f;
  float beta = gemm ? attrFloat("beta", 1.0f) : 1.0f;
  if (!in[0])
    return error() << "input A must be a float tensor";
  Value a = in[0];
  Shape aShape(shapeOf(a));
  if (gemm && aShape.size() != 2)
    return error() << "Gemm input A must be 2-D, got rank " << aShape.size();
  if (transA) {
    a = qc::TransposeOp::create(builder, loc, f32Tensor({aShape[1], aShape[0]}),
                                a, builder.getDenseI64ArrayAttr({1, 0}));
    std::swap(aShape[0], aShape[1]);
  }
  // A 1-D A is a row vector.
  bool vectorA = aShape.size() == 1;
  if (vectorA) {
    aShape.insert(aShape.begin(), 1);
    a = reshape(a, aShape, loc);
  }
  int64_t k = aShape.back();
  const ConstTensor *bConst = constInput(1);
  Value result;
  Shape outShape;
  bool biasUsed = false;
  if (bConst && bConst->isFloat && bConst->shape.size() == 2) {
    const DequantizedConst *biasq = nullptr;
    if (gemm && node->input_size() > 2 && !node->input(2).empty() &&
        beta == 1.0f && !vectorA)
      biasq = dequantizedOf(node->input(2));
    FailureOr<Value> fc =
        buildFullyConnected(loc, a, *bConst, dequantizedOf(node->input(1)),
                            transB, alpha, node->input(1), biasq, biasUsed);
    if (failed(fc))
      return failure();
    result = *fc;
    outShape.assign(shapeOf(result).begin(), shapeOf(result).end());
  } else {
    Value b = in[1];
    if (!b && bConst)
      b = valueOf(node->input(1));
    if (!b)
      return error() << "input B must be a float tensor";
    Shape bShape(shapeOf(b));
    if (transB) {
      if (bShape.size() != 2)
        return error() << "transB needs a 2-D B";
      b = qc::TransposeOp::create(builder, loc,
                                  f32Tensor({bShape[1], bShape[0]}), b,
                                  builder.getDenseI64ArrayAttr({1, 0}));
      std::swap(bShape[0], bShape[1]);
    }
    bool vectorB = bShape.size() == 1;
    if (vectorB) {
      bShape.push_back(1);
      b = reshape(b, bShape, loc);
    }
    if (bShape[bShape.size() - 2] != k)
      return error() << "A has " << k << " columns but B has "
                     << bShape[bShape.size() - 2] << " rows";
    Shape batch;
    if (!OpTrait::util::getBroadcastedShape(
            ArrayRef<int64_t>(aShape).drop_back(2),
            ArrayRef<int64_t>(bShape).drop_back(2), batch))
      return error() << "batch dimensions do not broadcast";
    outShape = batch;
    outShape.push_back(aShape[aShape.size() - 2]);
    outShape.push_back(bShape.back());
    result = qc::MatMulOp::create(builder, loc, f32Tensor(outShape), a, b);
    if (alpha != 1.0f) {
      Value s = materialize(ConstTensor{{}, {alpha}, {}, true}, loc);
      result = qc::BinaryOp::create(
          builder, loc, f32Tensor(outShape),
          qc::BinaryKindAttr::get(ctx, qc::BinaryKind::Mul), result, s);
    }
    if (vectorB) {
      outShape.pop_back();
      result = reshape(result, outShape, loc);
    }
  }
  if (vectorA) {
    outShape.erase(outShape.end() - (outShape.size() >= 2 ? 2 : 1));
    result = reshape(result, outShape, loc);
  }
  if (gemm && node->input_size() > 2 && !node->input(2).empty() && !biasUsed) {
    const ConstTensor *cConst = constInput(2);
    Value c;
    if (cConst && cConst->isFloat) {
      ConstTensor scaled = *cConst;
      for (float &v : scaled.floats)
        v *= beta;
      c = materialize(scaled, locFor(node->input(2)));
    } else if (beta == 1.0f && in[2]) {
      c = in[2];
    } else {
      return error() << "C must be constant unless beta = 1";
    }
    Shape shape;
    if (!OpTrait::util::getBroadcastedShape(outShape, shapeOf(c), shape) ||
        ArrayRef<int64_t>(shape) != ArrayRef<int64_t>(outShape))
      return error() << "C does not broadcast to the product's shape";
    // Canonicalization folds a per-column constant into the bias.
    result = qc::AddOp::create(builder, loc, f32Tensor(outShape), result, c,
                               qc::Activation::None);
  }
  return define(result);
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

FailureOr<Shape> Importer::resolvePads(ArrayRef<int64_t> inSpatial,
                                       ArrayRef<int64_t> kernel,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> dilations) {
  int64_t s = inSpatial.size();
  std::string autoPad = attrString("auto_pad", "NOTSET");
  Shape pads(2 * s, 0);
  if (autoPad == "NOTSET") {
    if (std::optional<Shape> p = attrInts("pads")) {
      if ((int64_t)p->size() != 2 * s) {
        error() << "has " << p->size() << " pads for " << s
                << " spatial dimensions";
        return failure();
      }
      pads = *p;
    }
    if (llvm::any_of(pads, [](int64_t v) { return v < 0; })) {
      error() << "negative pads are not supported";
      return failure();
    }
    if (llvm::any_of(pads, [](int64_t v) { return v >= kMaxWindowValue; })) {
      error() << "pads must be below " << kMaxWindowValue;
      return failure();
    }
    return pads;
  }
  if (autoPad == "VALID")
    return pads;
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER") {
    error() << "unknown auto_pad '" << autoPad << "'";
    return failure();
  }
  for (int64_t i = 0; i < s; ++i) {
    int64_t out = (inSpatial[i] + strides[i] - 1) / strides[i];
    int64_t total =
        std::max<int64_t>((out - 1) * strides[i] +
                              dilations[i] * (kernel[i] - 1) + 1 - inSpatial[i],
                          0);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[s + i] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

FailureOr<Importer::ConvGeometry> Importer::convGeometry(ArrayRef<int64_t> xs,
                                                         ArrayRef<int64_t> ws) {
  int64_t rank = xs.size(), s = rank - 2;
  if (rank < 3 || (int64_t)ws.size() != rank) {
    error() << "input and weight must have the same rank >= 3, got " << rank
            << " and " << ws.size();
    return failure();
  }
  ConvGeometry g;
  g.strides = attrInts("strides").value_or(Shape(s, 1));
  g.dilations = attrInts("dilations").value_or(Shape(s, 1));
  if ((int64_t)g.strides.size() != s || (int64_t)g.dilations.size() != s) {
    error() << "strides and dilations must have " << s << " entries";
    return failure();
  }
  if (failed(checkWindow(ArrayRef<int64_t>(ws).drop_front(2), g.strides,
                         g.dilations)))
    return failure();
  if (std::optional<Shape> ks = attrInts("kernel_shape"))
    if (ArrayRef<int64_t>(*ks) != ws.drop_front(2)) {
      error() << "kernel_shape does not match the weight shape";
      return failure();
    }
  g.group = attrInt("group", 1);
  if (g.group < 1 || xs[1] % g.group || ws[0] % g.group ||
      ws[1] * g.group != xs[1]) {
    error() << "group " << g.group << " does not fit " << xs[1]
            << " input channels and a weight of shape [" << ws[0] << ", "
            << ws[1] << ", ...]";
    return failure();
  }
  FailureOr<Shape> pads =
      resolvePads(xs.drop_front(2), ws.drop_front(2), g.strides, g.dilations);
  if (failed(pads))
    return failure();
  g.pads = *pads;
  g.out = {xs[0], ws[0]};
  for (int64_t i = 0; i < s; ++i) {
    int64_t o = qc::windowOutputSize(xs[2 + i], ws[2 + i], g.strides[i],
                                     g.dilations[i], g.pads[i], g.pads[s + i]);
    if (o <= 0) {
      error() << "spatial dimension " << i << " is empty after the "
              << "convolution";
      return failure();
    }
    g.out.push_back(o);
  }
  return g;
}

FailureOr<Value> Importer::buildConv(Location loc, Value x, Value w,
                                     Value bias) {
  FailureOr<ConvGeometry> g = convGeometry(shapeOf(x), shapeOf(w));
  if (failed(g))
    return failure();
  return qc::ConvOp::create(builder, loc, f32Tensor(g->out), x, w, bias,
                            builder.getDenseI64ArrayAttr(g->strides),
                            builder.getDenseI64ArrayAttr(g->dilations),
                            builder.getDenseI64ArrayAttr(g->pads),
                            builder.getI64IntegerAttr(g->group),
                            qc::ActivationAttr::get(ctx, qc::Activation::None))
      .getResult();
}

LogicalResult Importer::importConv(Location loc) {
  if (!in[0])
    return error() << "input X must be a float tensor";
  Value w = in[1];
  if (!w)
    return error() << "weight W must be a float tensor";
  Value bias;
  bool hasBias = node->input_size() > 2 && !node->input(2).empty();
  if (hasBias) {
    bias = in[2];
    if (!bias)
      return error() << "bias must be a float tensor";
  }
  // A weight (and bias) from DequantizeLinear of constants: int8 weight
  // behind scast + dcast, so that qc-quantize makes an int8 conv.
  if (const DequantizedConst *dq = dequantizedOf(node->input(1))) {
    std::string why;
    if (Value qw = quantizedWeight(dq->q.ints, dq->q.shape, dq->params,
                                   locFor(node->input(1)), why)) {
      w = qw;
      if (const DequantizedConst *bq =
              hasBias ? dequantizedOf(node->input(2)) : nullptr) {
        if (Value qb = quantizedBias(*bq, in[0], w, shapeOf(w)[0],
                                     locFor(node->input(2)), why))
          bias = qb;
        else
          warning() << "the bias stays float (so does the convolution): "
                    << why;
      }
    } else {
      warning() << "the weight stays float (dequantized at compile time): "
                << why;
    }
  }
  FailureOr<Value> result = buildConv(loc, in[0], w, bias);
  if (failed(result))
    return failure();
  return define(*result);
}

LogicalResult Importer::importConvTranspose(Location loc) {
  if (!in[0] || !in[1])
    return error() << "input and weight must be float tensors";
  Shape xs(shapeOf(in[0])), ws(shapeOf(in[1]));
  int64_t rank = xs.size(), s = rank - 2;
  if (rank < 3 || (int64_t)ws.size() != rank)
    return error() << "input and weight must have the same rank >= 3";
  Shape strides = attrInts("strides").value_or(Shape(s, 1));
  Shape dilations = attrInts("dilations").value_or(Shape(s, 1));
  Shape outPad = attrInts("output_padding").value_or(Shape(s, 0));
  int64_t group = attrInt("group", 1);
  if ((int64_t)strides.size() != s || (int64_t)dilations.size() != s ||
      (int64_t)outPad.size() != s)
    return error() << "strides, dilations and output_padding must have " << s
                   << " entries";
  if (group < 1 || xs[1] % group || ws[0] != xs[1])
    return error() << "weight must be [C, F / group, ...] with C = " << xs[1];
  if (failed(
          checkWindow(ArrayRef<int64_t>(ws).drop_front(2), strides, dilations)))
    return failure();
  for (int64_t p : outPad)
    if (p < 0 || p >= kMaxWindowValue)
      return error() << "output_padding entry " << p << " is out of range";
  Shape pads(2 * s, 0);
  std::string autoPad = attrString("auto_pad", "NOTSET");
  std::optional<Shape> outputShape = attrInts("output_shape");
  if (outputShape && ((int64_t)outputShape->size() < s ||
                      llvm::any_of(*outputShape, [](int64_t d) {
                        return d < 1 || d >= kMaxWindowValue;
                      })))
    return error() << "output_shape must have " << s
                   << " positive spatial entries";
  auto fullSize = [&](int64_t i) {
    return strides[i] * (xs[2 + i] - 1) + outPad[i] +
           dilations[i] * (ws[2 + i] - 1) + 1;
  };
  if (outputShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    Shape target(s);
    for (int64_t i = 0; i < s; ++i)
      target[i] = outputShape ? (*outputShape)[outputShape->size() - s + i]
                              : xs[2 + i] * strides[i];
    for (int64_t i = 0; i < s; ++i) {
      int64_t total = fullSize(i) - target[i];
      if (total < 0)
        return error() << "output_shape is larger than the full output";
      bool lower = autoPad == "SAME_LOWER";
      pads[i] = lower ? total - total / 2 : total / 2;
      pads[s + i] = total - pads[i];
    }
  } else if (autoPad == "NOTSET") {
    if (std::optional<Shape> p = attrInts("pads"))
      pads = *p;
    if ((int64_t)pads.size() != 2 * s || llvm::any_of(pads, [](int64_t v) {
          return v < 0 || v >= kMaxWindowValue;
        }))
      return error() << "pads must have " << 2 * s << " entries in [0, "
                     << kMaxWindowValue << ")";
  } else if (autoPad != "VALID") {
    return error() << "unknown auto_pad '" << autoPad << "'";
  }
  Shape out = {xs[0], ws[1] * group};
  for (int64_t i = 0; i < s; ++i) {
    out.push_back(fullSize(i) - pads[i] - pads[s + i]);
    if (out.back() <= 0)
      return error() << "spatial dimension " << i << " is empty after the "
                     << "transposed convolution";
  }
  Value bias;
  if (node->input_size() > 2 && !node->input(2).empty())
    bias = in[2];
  return define(qc::ConvTransposeOp::create(
      builder, loc, f32Tensor(out), in[0], in[1], bias,
      builder.getDenseI64ArrayAttr(strides),
      builder.getDenseI64ArrayAttr(dilations),
      builder.getDenseI64ArrayAttr(pads), builder.getDenseI64ArrayAttr(outPad),
      builder.getI64IntegerAttr(group)));
}

LogicalResult Importer::importPool(Location loc) {
  const std::string &op = node->op_type();
  if (!in[0])
    return error() << "input must be a float tensor";
  if (failed(requireOnlyFirstOutputUsed()))
    return failure();
  Shape xs(shapeOf(in[0]));
  int64_t rank = xs.size(), s = rank - 2;
  if (rank < 3)
    return error() << "input must have rank >= 3, got " << rank;
  bool isMax = op == "MaxPool" || op == "GlobalMaxPool";
  bool global = op.rfind("Global", 0) == 0;
  Shape kernel, strides(s, 1), dilations(s, 1), pads(2 * s, 0);
  bool ceil = false, countPad = false;
  if (global) {
    kernel.assign(xs.begin() + 2, xs.end());
  } else {
    std::optional<Shape> k = attrInts("kernel_shape");
    if (!k || (int64_t)k->size() != s)
      return error() << "kernel_shape must have " << s << " entries";
    kernel = *k;
    strides = attrInts("strides").value_or(strides);
    dilations = attrInts("dilations").value_or(dilations);
    if ((int64_t)strides.size() != s || (int64_t)dilations.size() != s)
      return error() << "strides and dilations must have " << s << " entries";
    if (failed(checkWindow(kernel, strides, dilations)))
      return failure();
    if (attrInt("storage_order", 0) != 0)
      return error() << "storage_order = 1 is not supported";
    ceil = attrInt("ceil_mode", 0) != 0;
    countPad = attrInt("count_include_pad", 0) != 0;
    FailureOr<Shape> p = resolvePads(ArrayRef<int64_t>(xs).drop_front(2),
                                     kernel, strides, dilations);
    if (failed(p))
      return failure();
    pads = *p;
  }
  Shape out = {xs[0], xs[1]};
  for (int64_t i = 0; i < s; ++i) {
    int64_t o = qc::windowOutputSize(xs[2 + i], kernel[i], strides[i],
                                     dilations[i], pads[i], pads[s + i], ceil);
    if (o <= 0)
      return error() << "spatial dimension " << i << " is empty after pooling";
    out.push_back(o);
  }
  auto kind =
      qc::PoolKindAttr::get(ctx, isMax ? qc::PoolKind::Max : qc::PoolKind::Avg);
  return define(qc::PoolOp::create(
      builder, loc, f32Tensor(out), kind, in[0],
      builder.getDenseI64ArrayAttr(kernel),
      builder.getDenseI64ArrayAttr(strides),
      builder.getDenseI64ArrayAttr(dilations),
      builder.getDenseI64ArrayAttr(pads),
      ceil ? builder.getUnitAttr() : UnitAttr(),
      countPad ? builder.getUnitAttr() : UnitAttr(), UnitAttr()));
}

//===----------------------------------------------------------------------===//
// Normalization, softmax and reductions
//===----------------------------------------------------------------------===//

LogicalResult Importer::importNormalization(Location loc) {
  const std::string &op = node->op_type();
  if (!in[0])
    return error() << "input must be a float tensor";
  Value x = in[0];
  Shape xs(shapeOf(x));
  int64_t rank = xs.size();
  auto type = cast<RankedTensorType>(x.getType());
  if (op == "BatchNormalization") {
    if (failed(requireOnlyFirstOutputUsed()))
      return failure();
    if (attrInt("training_mode", 0) != 0)
      return error() << "training_mode = 1 is not supported";
    if (opset < 9 && attrInt("spatial", 1) == 0)
      return error() << "spatial = 0 (per-element statistics) is not "
                        "supported";
    if (rank < 2)
      return error() << "input must have a channel dimension";
    SmallVector<const ConstTensor *> p;
    for (int i = 1; i <= 4; ++i) {
      const ConstTensor *c = constInput(i);
      if (!c || !c->isFloat || c->numElements() != xs[1])
        return error() << "scale, bias, mean and variance must be constant "
                       << "float tensors of size " << xs[1];
      p.push_back(c);
    }
    float eps = attrFloat("epsilon", 1e-5f);
    ConstTensor scale, shift;
    scale.shape = shift.shape = {xs[1]};
    for (int64_t c = 0; c < xs[1]; ++c) {
      float sc = p[0]->floats[c] / std::sqrt(p[3]->floats[c] + eps);
      scale.floats.push_back(sc);
      shift.floats.push_back(p[1]->floats[c] - p[2]->floats[c] * sc);
    }
    Value sv = materialize(scale, locFor(node->output(0) + ".scale"));
    Value hv = materialize(shift, locFor(node->output(0) + ".shift"));
    return define(qc::BatchNormOp::create(builder, loc, type, x, sv, hv));
  }
  if (op == "LayerNormalization") {
    if (failed(requireOnlyFirstOutputUsed()))
      return failure();
    FailureOr<int64_t> axis = normalizeAxis(attrInt("axis", -1), rank);
    if (failed(axis))
      return failure();
    Value scale = in.size() > 1 ? in[1] : Value();
    if (!scale)
      return error() << "scale must be a float tensor";
    Value bias = in.size() > 2 ? in[2] : Value();
    return define(qc::LayerNormOp::create(
        builder, loc, type, x, scale, bias, builder.getI64IntegerAttr(*axis),
        builder.getF32FloatAttr(attrFloat("epsilon", 1e-5f))));
  }
  if (op == "Softmax" || op == "LogSoftmax") {
    bool log = op == "LogSoftmax";
    FailureOr<int64_t> axis =
        normalizeAxis(attrInt("axis", opset < 13 ? 1 : -1), rank);
    if (failed(axis))
      return failure();
    UnitAttr logAttr = log ? builder.getUnitAttr() : UnitAttr();
    if (opset >= 13 || *axis == rank - 1)
      return define(qc::SoftmaxOp::create(
          builder, loc, type, x, builder.getI64IntegerAttr(*axis), logAttr));
    // Before opset 13 the input is flattened to 2-D at `axis`.
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < rank; ++i)
      (i < *axis ? outer : inner) *= xs[i];
    Value flat = reshape(x, {outer, inner}, loc);
    Value sm =
        qc::SoftmaxOp::create(builder, loc, f32Tensor({outer, inner}), flat,
                              builder.getI64IntegerAttr(1), logAttr);
    return define(reshape(sm, xs, loc));
  }
  // Reductions.
  qc::ReduceKind kind = llvm::StringSwitch<qc::ReduceKind>(op)
                            .Case("ReduceSum", qc::ReduceKind::Sum)
                            .Case("ReduceMean", qc::ReduceKind::Mean)
                            .Case("ReduceMax", qc::ReduceKind::Max)
                            .Default(qc::ReduceKind::Min);
  bool axesAsInput = (op == "ReduceSum" && opset >= 13) || opset >= 18;
  FailureOr<std::optional<Shape>> axesOr =
      axesAsInput ? intsFromAttrOrInput("axes", 1)
                  : FailureOr<std::optional<Shape>>(attrInts("axes"));
  if (failed(axesOr))
    return failure();
  Shape axes;
  if (*axesOr && !(*axesOr)->empty()) {
    for (int64_t a : **axesOr) {
      FailureOr<int64_t> n = normalizeAxis(a, rank);
      if (failed(n))
        return failure();
      axes.push_back(*n);
    }
  } else if (attrInt("noop_with_empty_axes", 0)) {
    return define(x);
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  bool keep = attrInt("keepdims", 1) != 0;
  Shape out;
  for (int64_t i = 0; i < rank; ++i) {
    if (!llvm::is_contained(axes, i))
      out.push_back(xs[i]);
    else if (keep)
      out.push_back(1);
  }
  return define(qc::ReduceOp::create(
      builder, loc, f32Tensor(out), qc::ReduceKindAttr::get(ctx, kind), x,
      builder.getDenseI64ArrayAttr(axes),
      keep ? builder.getUnitAttr() : UnitAttr()));
}

//===----------------------------------------------------------------------===//
// Shape-changing ops (on values and constants)
//===----------------------------------------------------------------------===//

LogicalResult Importer::importShapeOp(Location loc) {
  const std::string &op = node->op_type();
  const ConstTensor *c0 = constInput(0);
  Shape xs;
  if (in[0])
    xs.assign(shapeOf(in[0]).begin(), shapeOf(in[0]).end());
  else if (c0)
    xs.assign(c0->shape.begin(), c0->shape.end());
  else
    return error() << "input must be a tensor";
  int64_t rank = xs.size();
  if (op == "Shape") {
    int64_t start = attrInt("start", 0), end = attrInt("end", rank);
    if (start < 0)
      start += rank;
    if (end < 0)
      end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, start, rank);
    return defineConst(ConstTensor::ofInts(
        {end - start},
        std::vector<int64_t>(xs.begin() + start, xs.begin() + end)));
  }
  if (op == "Size")
    return defineConst(ConstTensor::ofInts(
        {}, {std::accumulate(xs.begin(), xs.end(), int64_t(1),
                             std::multiplies<int64_t>())}));
  Shape target;
  int64_t total = std::accumulate(xs.begin(), xs.end(), int64_t(1),
                                  std::multiplies<int64_t>());
  if (op == "Flatten") {
    FailureOr<int64_t> axis = normalizeAxis(attrInt("axis", 1), rank + 1);
    if (failed(axis))
      return failure();
    int64_t outer = 1;
    for (int64_t i = 0; i < *axis; ++i)
      outer *= xs[i];
    target = {outer, outer ? total / outer : 0};
  } else if (op == "Squeeze" || op == "Unsqueeze") {
    FailureOr<std::optional<Shape>> axesOr =
        opset >= 13 ? intsFromAttrOrInput("axes", 1)
                    : FailureOr<std::optional<Shape>>(attrInts("axes"));
    if (failed(axesOr))
      return failure();
    if (op == "Squeeze") {
      Shape axes;
      if (*axesOr)
        for (int64_t a : **axesOr) {
          FailureOr<int64_t> n = normalizeAxis(a, rank);
          if (failed(n))
            return failure();
          if (xs[*n] != 1)
            return error() << "cannot squeeze dimension " << *n << " of size "
                           << xs[*n];
          axes.push_back(*n);
        }
      for (int64_t i = 0; i < rank; ++i)
        if (*axesOr ? !llvm::is_contained(axes, i) : xs[i] != 1)
          target.push_back(xs[i]);
    } else {
      if (!*axesOr)
        return error() << "needs axes";
      int64_t outRank = rank + (*axesOr)->size();
      SmallVector<bool> inserted(outRank, false);
      for (int64_t a : **axesOr) {
        FailureOr<int64_t> n = normalizeAxis(a, outRank);
        if (failed(n))
          return failure();
        inserted[*n] = true;
      }
      int64_t j = 0;
      for (int64_t i = 0; i < outRank; ++i)
        target.push_back(inserted[i] ? 1 : xs[j++]);
    }
  } else { // Reshape
    FailureOr<std::optional<Shape>> shapeOr =
        opset < 5 ? FailureOr<std::optional<Shape>>(attrInts("shape"))
                  : intsFromAttrOrInput("shape", 1);
    if (failed(shapeOr))
      return failure();
    if (!*shapeOr)
      return error() << "needs a target shape";
    target = **shapeOr;
    bool allowZero = attrInt("allowzero", 0) != 0;
    int64_t known = 1, inferred = -1;
    for (size_t i = 0; i < target.size(); ++i) {
      if (target[i] == 0 && !allowZero) {
        if (i >= xs.size())
          return error() << "0 in shape refers past the input rank";
        target[i] = xs[i];
      }
      if (target[i] == -1) {
        if (inferred >= 0)
          return error() << "shape has more than one -1";
        inferred = i;
        continue;
      }
      if (target[i] < 0)
        return error() << "negative dimension " << target[i];
      std::optional<int64_t> product = checkedMul(known, target[i]);
      if (!product)
        return error() << "the target shape's element count overflows";
      known = *product;
    }
    if (inferred >= 0) {
      if (known == 0 || total % known != 0)
        return error() << "cannot infer the -1 dimension";
      target[inferred] = total / known;
      known *= target[inferred];
    }
    if (known != total)
      return error() << "cannot reshape " << total << " elements into "
                     << known;
  }
  if (!in[0]) {
    ConstTensor r = *c0;
    r.shape.assign(target.begin(), target.end());
    return defineConst(r);
  }
  return define(reshape(in[0], target, loc));
}

//===----------------------------------------------------------------------===//
// Data movement: transpose, concat, pad, slice, split, gather
//===----------------------------------------------------------------------===//

LogicalResult Importer::importDataMovement(Location loc) {
  const std::string &op = node->op_type();
  if (op == "Concat") {
    SmallVector<Value> operands;
    for (auto [i, v] : llvm::enumerate(in)) {
      Value x = v ? v : valueOf(node->input(i));
      if (!x)
        return error() << "input '" << node->input(i)
                       << "' must be a float tensor";
      operands.push_back(x);
    }
    Shape out(shapeOf(operands[0]));
    FailureOr<int64_t> axis = normalizeAxis(attrInt("axis", 0), out.size());
    if (failed(axis))
      return failure();
    out[*axis] = 0;
    for (Value v : operands) {
      ArrayRef<int64_t> s = shapeOf(v);
      if (s.size() != out.size())
        return error() << "inputs have different ranks";
      for (size_t d = 0; d < s.size(); ++d)
        if ((int64_t)d != *axis && s[d] != out[d])
          return error() << "inputs differ in dimension " << d;
      out[*axis] += s[*axis];
    }
    return define(qc::ConcatOp::create(builder, loc, f32Tensor(out), operands,
                                       builder.getI64IntegerAttr(*axis)));
  }
  Value x = in[0] ? in[0] : valueOf(node->input(0));
  if (!x)
    return error() << "input must be a float tensor";
  Shape xs(shapeOf(x));
  int64_t rank = xs.size();
  if (op == "Transpose") {
    Shape perm;
    if (std::optional<Shape> p = attrInts("perm")) {
      perm = *p;
    } else {
      for (int64_t i = rank - 1; i >= 0; --i)
        perm.push_back(i);
    }
    if ((int64_t)perm.size() != rank)
      return error() << "perm must have " << rank << " entries";
    Shape out;
    SmallVector<bool> seen(rank, false);
    for (int64_t p : perm) {
      if (p < 0 || p >= rank)
        return error() << "perm entry " << p << " is out of range";
      if (seen[p])
        return error() << "perm entry " << p << " appears twice";
      seen[p] = true;
      out.push_back(xs[p]);
    }
    return define(qc::TransposeOp::create(builder, loc, f32Tensor(out), x,
                                          builder.getDenseI64ArrayAttr(perm)));
  }
  if (op == "Pad") {
    std::string mode = attrString("mode", "constant");
    std::optional<qc::PadMode> m =
        llvm::StringSwitch<std::optional<qc::PadMode>>(mode)
            .Case("constant", qc::PadMode::Constant)
            .Case("reflect", qc::PadMode::Reflect)
            .Case("edge", qc::PadMode::Edge)
            .Default(std::nullopt);
    if (!m)
      return error() << "pad mode '" << mode << "' is not supported";
    FailureOr<std::optional<Shape>> padsOr =
        opset < 11 ? FailureOr<std::optional<Shape>>(attrInts("pads"))
                   : intsFromAttrOrInput("pads", 1);
    if (failed(padsOr))
      return failure();
    if (!*padsOr || (int64_t)(*padsOr)->size() != 2 * rank)
      return error() << "needs " << 2 * rank << " pads";
    if (opset >= 18 && node->input_size() > 3 && !node->input(3).empty())
      return error() << "the axes input is not supported";
    Shape pads = **padsOr;
    if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
      return error() << "negative pads (cropping) are not supported";
    if (llvm::any_of(pads, [](int64_t p) { return p >= kMaxWindowValue; }))
      return error() << "pads must be below " << kMaxWindowValue;
    float value = attrFloat("value", 0.0f);
    if (opset >= 11 && node->input_size() > 2 && !node->input(2).empty()) {
      const ConstTensor *c = constInput(2);
      if (!c || c->numElements() != 1)
        return error() << "constant_value must be a constant scalar";
      value = static_cast<float>(c->at(0));
    }
    Shape out(xs);
    for (int64_t i = 0; i < rank; ++i) {
      out[i] += pads[i] + pads[rank + i];
      if (*m == qc::PadMode::Reflect &&
          std::max(pads[i], pads[rank + i]) >= xs[i])
        return error() << "reflect padding of dimension " << i
                       << " must be smaller than its size " << xs[i];
    }
    return define(qc::PadOp::create(
        builder, loc, f32Tensor(out), qc::PadModeAttr::get(ctx, *m), x,
        builder.getDenseI64ArrayAttr(pads), builder.getF32FloatAttr(value)));
  }
  if (op == "Slice") {
    Shape starts, ends, axes, steps;
    if (opset < 10) {
      starts = attrInts("starts").value_or(Shape());
      ends = attrInts("ends").value_or(Shape());
      axes = attrInts("axes").value_or(Shape());
    } else {
      auto get = [&](int i, StringRef what, Shape &dst) -> LogicalResult {
        FailureOr<std::optional<Shape>> v = intsFromAttrOrInput(what, i);
        if (failed(v))
          return failure();
        if (*v)
          dst = **v;
        return success();
      };
      if (failed(get(1, "starts", starts)) || failed(get(2, "ends", ends)) ||
          failed(get(3, "axes", axes)) || failed(get(4, "steps", steps)))
        return failure();
    }
    if (starts.size() != ends.size())
      return error() << "starts and ends differ in length";
    if (axes.empty())
      for (size_t i = 0; i < starts.size(); ++i)
        axes.push_back(i);
    if (steps.empty())
      steps.assign(starts.size(), 1);
    Shape offsets(rank, 0), strides(rank, 1), out(xs);
    for (size_t i = 0; i < starts.size(); ++i) {
      FailureOr<int64_t> a = normalizeAxis(axes[i], rank);
      if (failed(a))
        return failure();
      int64_t n = xs[*a], step = steps[i];
      if (step == 0)
        return error() << "step 0";
      int64_t start = starts[i], end = ends[i];
      if (start < 0)
        start += n;
      if (end < 0)
        end += n;
      int64_t size;
      if (step > 0) {
        start = std::clamp<int64_t>(start, 0, n);
        end = std::clamp<int64_t>(end, 0, n);
        size = std::max<int64_t>((end - start + step - 1) / step, 0);
      } else {
        start = std::clamp<int64_t>(start, 0, n - 1);
        end = std::clamp<int64_t>(end, -1, n - 1);
        size = std::max<int64_t>((start - end + (-step) - 1) / (-step), 0);
      }
      if (size == 0)
        return error() << "empty slice of dimension " << *a
                       << " is not supported";
      offsets[*a] = start;
      strides[*a] = step;
      out[*a] = size;
    }
    return define(qc::SliceOp::create(builder, loc, f32Tensor(out), x,
                                      builder.getDenseI64ArrayAttr(offsets),
                                      builder.getDenseI64ArrayAttr(strides)));
  }
  if (op == "Split") {
    FailureOr<int64_t> axis = normalizeAxis(attrInt("axis", 0), rank);
    if (failed(axis))
      return failure();
    FailureOr<std::optional<Shape>> splitOr =
        opset < 13 ? FailureOr<std::optional<Shape>>(attrInts("split"))
                   : intsFromAttrOrInput("split", 1);
    if (failed(splitOr))
      return failure();
    int64_t parts = node->output_size();
    Shape sizes;
    if (*splitOr) {
      sizes = **splitOr;
    } else {
      int64_t n = xs[*axis];
      int64_t chunk = (n + parts - 1) / parts;
      for (int64_t i = 0; i < parts; ++i)
        sizes.push_back(std::min(chunk, n - i * chunk));
    }
    if ((int64_t)sizes.size() != parts ||
        std::accumulate(sizes.begin(), sizes.end(), int64_t(0)) != xs[*axis])
      return error() << "split sizes do not add up to dimension " << *axis;
    int64_t offset = 0;
    for (int64_t i = 0; i < parts; ++i) {
      Shape offsets(rank, 0), steps(rank, 1), out(xs);
      offsets[*axis] = offset;
      out[*axis] = sizes[i];
      offset += sizes[i];
      if (sizes[i] == 0)
        return error() << "empty split output " << i << " is not supported";
      Value part =
          qc::SliceOp::create(builder, locFor(node->output(i)), f32Tensor(out),
                              x, builder.getDenseI64ArrayAttr(offsets),
                              builder.getDenseI64ArrayAttr(steps));
      (void)define(part, i);
    }
    return success();
  }
  if (op == "Gather") {
    FailureOr<int64_t> axis = normalizeAxis(attrInt("axis", 0), rank);
    if (failed(axis))
      return failure();
    Value idx;
    Shape is;
    if (const ConstTensor *c = constInput(1)) {
      if (c->isFloat)
        return error() << "indices must be integers";
      // Constant indices are checked here; ONNX leaves out-of-range ones
      // undefined, and the lowering would clamp them silently.
      for (int64_t i : c->ints)
        if (i < -xs[*axis] || i >= xs[*axis])
          return error() << "index " << i << " is out of range for axis "
                         << *axis << " of size " << xs[*axis];
      idx = materialize(*c, locFor(node->input(1)));
      is.assign(c->shape.begin(), c->shape.end());
    } else {
      idx = values.lookup(node->input(1));
      if (!idx)
        return error() << "indices are not defined";
      is.assign(shapeOf(idx).begin(), shapeOf(idx).end());
    }
    Shape out(xs.begin(), xs.begin() + *axis);
    out.append(is.begin(), is.end());
    out.append(xs.begin() + *axis + 1, xs.end());
    return define(qc::GatherOp::create(builder, loc, f32Tensor(out), x, idx,
                                       builder.getI64IntegerAttr(*axis)));
  }
  return error() << "unsupported ONNX operator '" << op << "'";
}

//===----------------------------------------------------------------------===//
// Quantized models: QDQ, QLinear* and integer ops
//===----------------------------------------------------------------------===//

FailureOr<Importer::QuantParams>
Importer::quantParams(int scaleInput, int zpInput, ArrayRef<int64_t> dataShape,
                      int64_t defaultAxis, int32_t dataType,
                      bool perTensorOnly) {
  QuantParams p;
  auto name = [&](int i) -> std::string {
    return i < node->input_size() ? node->input(i) : std::string();
  };
  const ConstTensor *scale = constInput(scaleInput);
  if (!scale || !scale->isFloat) {
    error() << "scale '" << name(scaleInput)
            << "' must be a constant float tensor (an initializer or a "
               "Constant); runtime scales are not supported here";
    return failure();
  }
  const ConstTensor *zp = nullptr;
  if (zpInput < node->input_size() && !node->input(zpInput).empty()) {
    zp = constInput(zpInput);
    if (!zp || zp->isFloat) {
      error() << "zero point '" << name(zpInput)
              << "' must be a constant integer tensor; runtime zero points "
                 "are not supported here";
      return failure();
    }
    if (dataType && zp->dataType && zp->dataType != dataType) {
      error() << "zero point '" << name(zpInput)
              << "' has a different element type than the data";
      return failure();
    }
  }
  int32_t type = dataType             ? dataType
                 : zp && zp->dataType ? zp->dataType
                                      : (int32_t)onnx::TensorProto::UINT8;
  int64_t lo, hi;
  if (type == onnx::TensorProto::UINT8) {
    p.isUnsigned = true;
    lo = 0, hi = 255;
  } else if (type == onnx::TensorProto::INT8) {
    lo = -128, hi = 127;
  } else if (type == onnx::TensorProto::INT32) {
    p.width = 32;
    lo = INT32_MIN, hi = INT32_MAX;
  } else {
    error() << "quantized element type "
            << onnx::TensorProto::DataType_Name(
                   static_cast<onnx::TensorProto::DataType>(type))
            << " is not supported (int8, uint8, int32)";
    return failure();
  }
  int64_t n = scale->numElements();
  if (scale->shape.size() > 1 || n < 1) {
    error() << "scale '" << name(scaleInput)
            << "' must be a scalar or 1-D, got rank " << scale->shape.size();
    return failure();
  }
  if (zp && zp->numElements() != n) {
    error() << "zero point '" << name(zpInput) << "' has " << zp->numElements()
            << " elements but the scale has " << n;
    return failure();
  }
  if (n > 1) {
    if (perTensorOnly) {
      error() << "scale '" << name(scaleInput) << "' has " << n
              << " elements; this operand must be quantized per tensor";
      return failure();
    }
    FailureOr<int64_t> axis =
        normalizeAxis(attrInt("axis", defaultAxis), dataShape.size());
    if (failed(axis))
      return failure();
    if (dataShape[*axis] != n) {
      error() << "scale '" << name(scaleInput) << "' has " << n
              << " elements but axis " << *axis << " of the data has "
              << dataShape[*axis];
      return failure();
    }
    p.axis = *axis;
  }
  for (int64_t i = 0; i < n; ++i) {
    double s = scale->floats[i];
    if (!(s > 0) || !std::isfinite(s)) {
      error() << "scale '" << name(scaleInput) << "' element " << i << " is "
              << s << "; scales must be positive and finite";
      return failure();
    }
    int64_t z = zp ? zp->ints[i] : 0;
    if (z < lo || z > hi) {
      error() << "zero point " << z << " is out of range [" << lo << ", " << hi
              << "]";
      return failure();
    }
    p.scales.push_back(s);
    p.zeroPoints.push_back(z);
  }
  return p;
}

Type Importer::quantElementType(const QuantParams &p) {
  Type storage = builder.getIntegerType(p.width);
  unsigned flags = p.isUnsigned ? 0 : quant::QuantizationFlags::Signed;
  int64_t lo = p.isUnsigned ? 0 : p.width == 8 ? -128 : INT32_MIN;
  int64_t hi = p.isUnsigned ? 255 : p.width == 8 ? 127 : INT32_MAX;
  if (p.axis < 0)
    return quant::UniformQuantizedType::get(flags, storage,
                                            builder.getF32Type(), p.scales[0],
                                            p.zeroPoints[0], lo, hi);
  return quant::UniformQuantizedPerAxisType::get(flags, storage,
                                                 builder.getF32Type(), p.scales,
                                                 p.zeroPoints, p.axis, lo, hi);
}

int32_t Importer::dataTypeOf(Value v) {
  Type e = cast<RankedTensorType>(v.getType()).getElementType();
  if (auto q = dyn_cast<quant::QuantizedType>(e)) {
    if (q.getStorageTypeIntegralWidth() == 32)
      return onnx::TensorProto::INT32;
    return q.isSigned() ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8;
  }
  if (e.isInteger(8))
    return unsignedValues.contains(v) ? onnx::TensorProto::UINT8
                                      : onnx::TensorProto::INT8;
  if (e.isInteger(32))
    return onnx::TensorProto::INT32;
  return 0;
}

/// `dcast` of a quantized (or raw integer) value with parameters `p`. When
/// the value's own parameters differ, its integers are reinterpreted (two
/// storage casts), which is what DequantizeLinear does with raw data.
Value Importer::dequantizeValue(Value v, const QuantParams &p, Location loc) {
  auto t = cast<RankedTensorType>(v.getType());
  Type target = quantElementType(p);
  Value q = v;
  if (t.getElementType() != target) {
    if (auto qt = dyn_cast<quant::QuantizedType>(t.getElementType()))
      q = quant::StorageCastOp::create(builder, loc,
                                       t.clone(qt.getStorageType()), q);
    q = quant::StorageCastOp::create(builder, loc, t.clone(target), q);
  }
  return quant::DequantizeCastOp::create(builder, loc, t.clone(f32Type()), q);
}

/// `qcast` of a float value to the per-tensor parameters `p`. A reshape
/// right before is moved after it, so that the op producing the data is
/// directly followed by the qcast that qc-quantize absorbs.
Value Importer::quantizeValue(Value x, const QuantParams &p, Location loc,
                              bool mayMoveReshape) {
  Type target = quantElementType(p);
  if (auto r = x.getDefiningOp<qc::ReshapeOp>();
      r && mayMoveReshape && r->use_empty()) {
    Value src = r.getInput();
    auto st = cast<RankedTensorType>(src.getType());
    Value q =
        quant::QuantizeCastOp::create(builder, loc, st.clone(target), src);
    Value out = qc::ReshapeOp::create(
        builder, loc, cast<RankedTensorType>(x.getType()).clone(target), q);
    r->erase();
    return out;
  }
  auto t = cast<RankedTensorType>(x.getType());
  return quant::QuantizeCastOp::create(builder, loc, t.clone(target), x);
}

/// Reshapes `v`; a dequantized value is reshaped before its dcast so that
/// the consumer still sees a dcast.
Value Importer::reshapeKeepingQuantization(Value v, ArrayRef<int64_t> shape,
                                           Location loc) {
  if (shapeOf(v) == shape)
    return v;
  if (auto d = v.getDefiningOp<quant::DequantizeCastOp>()) {
    Value q = reshape(d.getInput(), shape, loc);
    return quant::DequantizeCastOp::create(builder, loc, f32Tensor(shape), q);
  }
  return reshape(v, shape, loc);
}

/// An int8 weight (zero point 0, per tensor or per axis 0) behind scast +
/// dcast from integers `q` with parameters `p`, or null with the reason in
/// `why` when that would not be exact. A nonzero zero point is subtracted
/// at compile time, which is exact when every q - zp fits int8 (always for
/// uint8 weights with zero point 128). -128 is kept: the integer kernels
/// widen both operands before multiplying, so it is exact.
Value Importer::quantizedWeight(ArrayRef<int64_t> q, ArrayRef<int64_t> shape,
                                const QuantParams &p, Location loc,
                                std::string &why) {
  if (p.width != 8) {
    why = "it is not an 8-bit tensor";
    return {};
  }
  if (p.axis > 0) {
    why = "it is quantized per axis along the reduction dimension, not the "
          "output channels";
    return {};
  }
  int64_t channels = shape[0], per = (int64_t)q.size() / channels;
  SmallVector<int8_t> w(q.size());
  bool hasMin = false;
  for (size_t i = 0; i < q.size(); ++i) {
    int64_t c = i / per;
    int64_t zp = p.zeroPoints[p.axis < 0 ? 0 : c];
    int64_t v = q[i] - zp;
    if (v < -128 || v > 127) {
      why = llvm::formatv("value {0} of channel {1} minus its zero point {2} "
                          "does not fit int8",
                          q[i], c, zp)
                .str();
      return {};
    }
    hasMin |= v == -128;
    w[i] = static_cast<int8_t>(v);
  }
  Type i8 = builder.getI8Type();
  int64_t lo = hasMin ? -128 : -127;
  Type elt;
  if (p.axis < 0)
    elt = quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed, i8,
                                           f32Type(), p.scales[0], 0, lo, 127);
  else
    elt = quant::UniformQuantizedPerAxisType::get(
        quant::QuantizationFlags::Signed, i8, f32Type(), p.scales,
        SmallVector<int64_t>(p.scales.size(), 0), 0, lo, 127);
  auto storage = RankedTensorType::get(shape, i8);
  Value raw = qc::createConstant<int8_t>(builder, loc, storage, w, "weight_i8");
  Value wq =
      quant::StorageCastOp::create(builder, loc, storage.clone(elt), raw);
  return quant::DequantizeCastOp::create(builder, loc, f32Tensor(shape), wq);
}

/// The int32 bias behind scast + dcast for an op with the dequantized input
/// `input` and weight `weight` (both dcast), or null with the reason: its
/// scale must be input scale * weight scale (relative 1e-6, as the op
/// verifiers check) and its zero point 0.
Value Importer::quantizedBias(const DequantizedConst &b, Value input,
                              Value weight, int64_t n, Location loc,
                              std::string &why) {
  auto in = input.getDefiningOp<quant::DequantizeCastOp>();
  auto w = weight.getDefiningOp<quant::DequantizeCastOp>();
  auto inType = in ? dyn_cast<quant::UniformQuantizedType>(
                         getElementTypeOrSelf(in.getInput().getType()))
                   : nullptr;
  if (!inType || !w) {
    why = "the input is not a per-tensor DequantizeLinear";
    return {};
  }
  if (b.params.width != 32) {
    why = "it is not an int32 tensor";
    return {};
  }
  if (b.q.numElements() != n) {
    why = llvm::formatv("it has {0} elements for {1} channels",
                        b.q.numElements(), n)
              .str();
    return {};
  }
  if (llvm::any_of(b.params.zeroPoints, [](int64_t z) { return z != 0; })) {
    why = "its zero point is not 0";
    return {};
  }
  SmallVector<double> ws =
      qc::getQuantScales(getElementTypeOrSelf(w.getInput().getType()));
  for (int64_t c = 0; c < n; ++c) {
    double expected = inType.getScale() * ws[ws.size() == 1 ? 0 : c];
    double got = b.params.scales[b.params.scales.size() == 1 ? 0 : c];
    if (std::abs(got - expected) > 1e-6 * expected) {
      why = llvm::formatv("its scale {0} (channel {1}) is not input scale * "
                          "weight scale = {2}",
                          got, c, expected)
                .str();
      return {};
    }
  }
  QuantParams p = b.params;
  if (p.axis >= 0)
    p.axis = 0;
  SmallVector<int32_t> values(b.q.ints.begin(), b.q.ints.end());
  auto storage = RankedTensorType::get({n}, builder.getI32Type());
  Value raw =
      qc::createConstant<int32_t>(builder, loc, storage, values, "bias_i32");
  Value bq = quant::StorageCastOp::create(
      builder, loc, storage.clone(quantElementType(p)), raw);
  return quant::DequantizeCastOp::create(builder, loc, f32Tensor({n}), bq);
}

/// (q - zp) * scale in float32, per element: the value DequantizeLinear
/// computes for constant integers.
static ConstTensor dequantizeConst(const ConstTensor &q,
                                   const SmallVector<double> &scales,
                                   const SmallVector<int64_t> &zps,
                                   int64_t axis) {
  ConstTensor r;
  r.shape = q.shape;
  int64_t n = q.numElements(), inner = 1;
  if (axis >= 0)
    for (size_t d = axis + 1; d < q.shape.size(); ++d)
      inner *= q.shape[d];
  r.floats.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t c = axis < 0 ? 0 : (i / inner) % q.shape[axis];
    r.floats[i] =
        static_cast<float>(q.ints[i] - zps[c]) * static_cast<float>(scales[c]);
  }
  return r;
}

Value Importer::dequantizedFloats(const DequantizedConst &dq, Location loc) {
  return materialize(dequantizeConst(dq.q, dq.params.scales,
                                     dq.params.zeroPoints, dq.params.axis),
                     loc);
}

LogicalResult Importer::importQuantizeLinear(Location loc) {
  if (node->input_size() < 2)
    return error() << "needs x and y_scale";
  if (const ConstTensor *c = constInput(0); c && !in[0]) {
    // A constant (a weight stored in float): quantized at import time.
    if (!c->isFloat)
      return error() << "input '" << node->input(0) << "' must be float";
    FailureOr<QuantParams> p = quantParams(1, 2, c->shape, 1, 0, false);
    if (failed(p))
      return failure();
    ConstTensor r = ConstTensor::ofInts(c->shape, {});
    r.dataType = p->width == 32  ? onnx::TensorProto::INT32
                 : p->isUnsigned ? onnx::TensorProto::UINT8
                                 : onnx::TensorProto::INT8;
    int64_t lo = p->isUnsigned ? 0 : p->width == 8 ? -128 : INT32_MIN;
    int64_t hi = p->isUnsigned ? 255 : p->width == 8 ? 127 : INT32_MAX;
    int64_t inner = 1;
    if (p->axis >= 0)
      for (size_t d = p->axis + 1; d < c->shape.size(); ++d)
        inner *= c->shape[d];
    for (int64_t i = 0; i < c->numElements(); ++i) {
      int64_t ch = p->axis < 0 ? 0 : (i / inner) % c->shape[p->axis];
      // One float32 division, rounded half to even (the default rounding
      // mode), then the zero point and saturation.
      float x = c->floats[i] / static_cast<float>(p->scales[ch]);
      double v = std::isnan(x) ? 0 : std::nearbyint((double)x);
      v = std::clamp(v + p->zeroPoints[ch], (double)lo, (double)hi);
      r.ints.push_back(static_cast<int64_t>(v));
    }
    return defineConst(std::move(r));
  }
  if (!in[0] ||
      !cast<RankedTensorType>(in[0].getType()).getElementType().isF32())
    return error() << "input '" << node->input(0) << "' must be float";
  FailureOr<QuantParams> p = quantParams(1, 2, shapeOf(in[0]), 1, 0, true);
  if (failed(p))
    return failure();
  // The reshape may move only when nothing else in the graph reads it.
  return define(
      quantizeValue(in[0], *p, loc, useCounts.lookup(node->input(0)) == 1));
}

LogicalResult Importer::importDequantizeLinear(Location loc) {
  if (node->input_size() < 2)
    return error() << "needs x and x_scale";
  if (const ConstTensor *c = constInput(0); c && !in[0]) {
    if (c->isFloat || !c->dataType)
      return error() << "input '" << node->input(0)
                     << "' must be an integer tensor";
    FailureOr<QuantParams> p =
        quantParams(1, 2, c->shape, 1, c->dataType, false);
    if (failed(p))
      return failure();
    dequantized[node->output(0)] = DequantizedConst{*c, *p};
    return defineConst(dequantizeConst(*c, p->scales, p->zeroPoints, p->axis));
  }
  int32_t type = in[0] ? dataTypeOf(in[0]) : 0;
  if (!type || type == onnx::TensorProto::INT32)
    return error() << "input '" << node->input(0)
                   << "' must be the output of a QuantizeLinear (an 8-bit "
                      "quantized tensor) or a constant";
  FailureOr<QuantParams> p = quantParams(1, 2, shapeOf(in[0]), 1, type, true);
  if (failed(p))
    return failure();
  if (auto it = integerInputs.find(in[0]); it != integerInputs.end()) {
    FailureOr<Value> q = quantizedInput(it->second, in[0], *p);
    if (failed(q))
      return failure();
    return define(quant::DequantizeCastOp::create(
        builder, loc, f32Tensor(shapeOf(in[0])), *q));
  }
  return define(dequantizeValue(in[0], *p, loc));
}

/// How the C interface describes an 8-bit graph input or output: the codes
/// the caller passes or receives (int8 or uint8, uint8 as its real codes)
/// and the scale and zero point that give their real values. qc-emit-c-
/// interface copies it into the signature JSON.
static DictionaryAttr ioQuantizationAttr(Builder &b, bool isUnsigned,
                                         double scale, int64_t zeroPoint) {
  return b.getDictionaryAttr(
      {b.getNamedAttr("dtype", b.getStringAttr(isUnsigned ? "uint8" : "int8")),
       b.getNamedAttr("scale", b.getF64FloatAttr(scale)),
       b.getNamedAttr("zero_point", b.getI64IntegerAttr(zeroPoint))});
}

/// Every node that reads an 8-bit graph input must be a DequantizeLinear
/// taking it as `x` (the function receives the raw codes and storage-casts
/// them to that node's parameters), and there must be one.
LogicalResult
Importer::checkIntegerInputUses(const onnx::GraphProto &graph,
                                const onnx::ValueInfoProto &input) {
  auto fail = [&]() {
    return emitError(fileLoc)
           << "graph input '" << input.name() << "' is "
           << (input.type().tensor_type().elem_type() ==
                       onnx::TensorProto::UINT8
                   ? "a "
                   : "an ")
           << onnx::TensorProto::DataType_Name(
                  static_cast<onnx::TensorProto::DataType>(
                      input.type().tensor_type().elem_type()))
           << " tensor; 8-bit graph inputs must be read only by "
              "DequantizeLinear (as its input x), but ";
  };
  bool dequantized = false;
  for (const auto &n : graph.node())
    for (auto [i, name] : llvm::enumerate(n.input())) {
      if (name != input.name())
        continue;
      if (n.op_type() != "DequantizeLinear" || i != 0)
        return fail() << "node '"
                      << (n.name().empty() && n.output_size() ? n.output(0)
                                                              : n.name())
                      << "' (" << n.op_type() << ") reads it as input " << i;
      dequantized = true;
    }
  for (const auto &o : graph.output())
    if (o.name() == input.name())
      return fail() << "it is also a graph output";
  if (!dequantized)
    return fail() << "no node reads it";
  return success();
}

/// The 8-bit graph input `arg` storage-cast to the parameters `p` of the
/// DequantizeLinear that reads it. The first such node creates the cast
/// (at the top of the function) and records the parameters for the C
/// interface; the others must agree with it.
FailureOr<Value> Importer::quantizedInput(IntegerInput &input, Value arg,
                                          const QuantParams &p) {
  if (input.params) {
    const QuantParams &first = *input.params;
    if (first.scales != p.scales || first.zeroPoints != p.zeroPoints) {
      auto g = [](double v) {
        return llvm::formatv("{0}", llvm::format("%.7g", v)).str();
      };
      error() << "graph input '" << input.name << "' is dequantized here with "
              << "scale " << g(p.scales[0]) << " and zero point "
              << p.zeroPoints[0] << " but elsewhere with scale "
              << g(first.scales[0]) << " and zero point " << first.zeroPoints[0]
              << "; an 8-bit graph input must have one scale and zero point";
      return failure();
    }
    return input.quantized;
  }
  auto argument = cast<BlockArgument>(arg);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(argument.getOwner());
  auto type = cast<RankedTensorType>(arg.getType());
  input.quantized = quant::StorageCastOp::create(
      builder, locFor(input.name), type.clone(quantElementType(p)), arg);
  input.params = p;
  cast<func::FuncOp>(argument.getOwner()->getParentOp())
      .setArgAttr(argument.getArgNumber(), kQuantizationAttr,
                  ioQuantizationAttr(builder, p.isUnsigned, p.scales[0],
                                     p.zeroPoints[0]));
  return input.quantized;
}

LogicalResult Importer::importQLinearConv(Location loc) {
  if (node->input_size() < 8)
    return error() << "needs at least 8 inputs";
  Value x = in[0];
  int32_t xType = x ? dataTypeOf(x) : 0;
  if (!xType || xType == onnx::TensorProto::INT32)
    return error() << "input x must be the output of a QuantizeLinear (an "
                      "8-bit quantized tensor)";
  const ConstTensor *w = constInput(3);
  if (!w || w->isFloat || in[3])
    return error() << "weight '" << node->input(3)
                   << "' must be a constant integer tensor";
  FailureOr<QuantParams> xp = quantParams(1, 2, shapeOf(x), 1, xType, true);
  if (failed(xp))
    return failure();
  FailureOr<QuantParams> wp =
      quantParams(4, 5, w->shape, 0, w->dataType, false);
  if (failed(wp))
    return failure();
  FailureOr<QuantParams> yp = quantParams(6, 7, {}, 1, 0, true);
  if (failed(yp))
    return failure();
  Value xd = dequantizeValue(x, *xp, loc);
  std::string why;
  Value wv =
      quantizedWeight(w->ints, w->shape, *wp, locFor(node->input(3)), why);
  if (!wv) {
    warning() << "the weight stays float (dequantized at compile time): "
              << why;
    wv = dequantizedFloats({*w, *wp}, locFor(node->input(3)));
  }
  Value bias;
  if (node->input_size() > 8 && !node->input(8).empty()) {
    const ConstTensor *b = constInput(8);
    if (!b || b->isFloat || in[8] || b->dataType != onnx::TensorProto::INT32)
      return error() << "bias '" << node->input(8)
                     << "' must be a constant int32 tensor";
    int64_t f = w->shape[0];
    if (b->numElements() != f)
      return error() << "bias has " << b->numElements() << " elements for " << f
                     << " output channels";
    // The bias scale is x_scale * w_scale (ONNX QLinearConv).
    DequantizedConst bq{*b, {}};
    bq.params.width = 32;
    bq.params.axis = wp->axis < 0 ? -1 : 0;
    for (double s : wp->scales) {
      bq.params.scales.push_back(xp->scales[0] * s);
      bq.params.zeroPoints.push_back(0);
    }
    if (wv.getDefiningOp<quant::DequantizeCastOp>())
      bias = quantizedBias(bq, xd, wv, f, locFor(node->input(8)), why);
    if (!bias)
      bias = dequantizedFloats(bq, locFor(node->input(8)));
  }
  FailureOr<Value> result = buildConv(loc, xd, wv, bias);
  if (failed(result))
    return failure();
  return define(quantizeValue(*result, *yp, loc, true));
}

LogicalResult Importer::importQLinearMatMul(Location loc) {
  if (node->input_size() != 8)
    return error() << "needs 8 inputs";
  Value a = in[0];
  int32_t aType = a ? dataTypeOf(a) : 0;
  if (!aType || aType == onnx::TensorProto::INT32)
    return error() << "input a must be the output of a QuantizeLinear (an "
                      "8-bit quantized tensor)";
  if (shapeOf(a).size() < 2)
    return error() << "input a must have rank >= 2";
  FailureOr<QuantParams> ap = quantParams(1, 2, shapeOf(a), 1, aType, true);
  FailureOr<QuantParams> yp = quantParams(6, 7, {}, 1, 0, true);
  if (failed(ap) || failed(yp))
    return failure();
  Value ad = dequantizeValue(a, *ap, loc);
  Value result;
  if (const ConstTensor *b = constInput(3); b && !in[3]) {
    if (b->isFloat || b->shape.size() != 2)
      return error() << "constant b must be a 2-D integer tensor";
    FailureOr<QuantParams> bp =
        quantParams(4, 5, b->shape, 1, b->dataType, false);
    if (failed(bp))
      return failure();
    DequantizedConst bq{*b, *bp};
    ConstTensor bf = dequantizeConst(*b, bp->scales, bp->zeroPoints, bp->axis);
    bool unused;
    FailureOr<Value> fc = buildFullyConnected(loc, ad, bf, &bq, false, 1.0f,
                                              node->input(3), nullptr, unused);
    if (failed(fc))
      return failure();
    result = *fc;
  } else {
    Value bv = in[3];
    int32_t bType = bv ? dataTypeOf(bv) : 0;
    if (!bType || bType == onnx::TensorProto::INT32 || shapeOf(bv).size() < 2)
      return error() << "input b must be a constant or an 8-bit quantized "
                        "tensor of rank >= 2";
    FailureOr<QuantParams> bp = quantParams(4, 5, shapeOf(bv), 1, bType, true);
    if (failed(bp))
      return failure();
    Value bd = dequantizeValue(bv, *bp, loc);
    ArrayRef<int64_t> as = shapeOf(ad), bs = shapeOf(bd);
    if (as.back() != bs[bs.size() - 2])
      return error() << "a has " << as.back() << " columns but b has "
                     << bs[bs.size() - 2] << " rows";
    Shape out;
    if (!OpTrait::util::getBroadcastedShape(as.drop_back(2), bs.drop_back(2),
                                            out))
      return error() << "batch dimensions do not broadcast";
    out.push_back(as[as.size() - 2]);
    out.push_back(bs.back());
    result = qc::MatMulOp::create(builder, loc, f32Tensor(out), ad, bd);
  }
  return define(quantizeValue(result, *yp, loc, true));
}

/// Input `i` as a raw 8-bit tensor: a value (e.g. DynamicQuantizeLinear's
/// output) or an int8/uint8 constant; the flag says whether it holds uint8.
std::pair<Value, bool> Importer::integerOperand(int i, Location loc) {
  if (i >= node->input_size() || node->input(i).empty())
    return {};
  if (Value v = in[i]) {
    if (cast<RankedTensorType>(v.getType()).getElementType().isInteger(8))
      return {v, unsignedValues.contains(v)};
    return {};
  }
  const ConstTensor *c = constInput(i);
  if (!c || c->isFloat ||
      (c->dataType != onnx::TensorProto::INT8 &&
       c->dataType != onnx::TensorProto::UINT8))
    return {};
  SmallVector<int8_t> bytes;
  for (int64_t v : c->ints)
    bytes.push_back(static_cast<int8_t>(static_cast<uint8_t>(v)));
  auto type = RankedTensorType::get(c->shape, builder.getI8Type());
  Value v = qc::createConstant<int8_t>(builder, locFor(node->input(i)), type,
                                       bytes, "int8");
  return {v, c->dataType == onnx::TensorProto::UINT8};
}

LogicalResult Importer::importIntegerOp(Location loc) {
  const std::string &op = node->op_type();
  Type i8 = builder.getI8Type(), i32 = builder.getI32Type();
  if (op == "DynamicQuantizeLinear") {
    Value x = in[0] ? in[0] : valueOf(node->input(0));
    if (!x || !cast<RankedTensorType>(x.getType()).getElementType().isF32())
      return error() << "input must be a float tensor";
    auto dq = qc::DynamicQuantizeOp::create(
        builder, loc,
        TypeRange{RankedTensorType::get(shapeOf(x), i8),
                  RankedTensorType::get({}, builder.getF32Type()),
                  RankedTensorType::get({}, i8)},
        x);
    unsignedValues.insert(dq.getResult());
    unsignedValues.insert(dq.getZeroPoint());
    for (int i = 0; i < node->output_size(); ++i)
      if (!node->output(i).empty())
        values[node->output(i)] = dq->getResult(i);
    return success();
  }
  // MatMulInteger and ConvInteger: (A, B, a_zero_point, b_zero_point).
  auto [a, aUnsigned] = integerOperand(0, loc);
  auto [b, bUnsigned] = integerOperand(1, loc);
  if (!a || !b)
    return error() << "inputs must be int8 or uint8 tensors";
  auto zeroPoint = [&](int i, bool isUnsigned, Value &zp) -> LogicalResult {
    if (i >= node->input_size() || node->input(i).empty()) {
      auto t = RankedTensorType::get({}, i8);
      zp = qc::createConstant<int8_t>(builder, loc, t, {int8_t(0)}, "zp");
      return success();
    }
    auto [v, u] = integerOperand(i, loc);
    if (!v)
      return error() << "zero point '" << node->input(i)
                     << "' must be an int8 or uint8 tensor";
    if (u != isUnsigned)
      return error() << "zero point '" << node->input(i)
                     << "' and its operand differ in signedness";
    zp = v;
    return success();
  };
  Value azp, bzp;
  if (failed(zeroPoint(2, aUnsigned, azp)) ||
      failed(zeroPoint(3, bUnsigned, bzp)))
    return failure();
  // Zero points of shape [1] become scalars.
  auto scalarize = [&](Value &zp) {
    if (shapeOf(zp).size() == 1 && shapeOf(zp)[0] == 1)
      zp = reshape(zp, {}, loc);
  };
  scalarize(azp);
  scalarize(bzp);
  UnitAttr au = aUnsigned ? builder.getUnitAttr() : UnitAttr();
  UnitAttr bu = bUnsigned ? builder.getUnitAttr() : UnitAttr();
  if (op == "MatMulInteger") {
    ArrayRef<int64_t> as = shapeOf(a), bs = shapeOf(b);
    if (as.size() < 2 || bs.size() < 2)
      return error() << "operands of rank < 2 are not supported";
    if (as.back() != bs[bs.size() - 2])
      return error() << "A has " << as.back() << " columns but B has "
                     << bs[bs.size() - 2] << " rows";
    Shape out;
    if (!OpTrait::util::getBroadcastedShape(as.drop_back(2), bs.drop_back(2),
                                            out))
      return error() << "batch dimensions do not broadcast";
    out.push_back(as[as.size() - 2]);
    out.push_back(bs.back());
    for (auto [zp, n, what] :
         {std::tuple{azp, as[as.size() - 2], "a_zero_point (per row)"},
          std::tuple{bzp, bs.back(), "b_zero_point (per column)"}}) {
      ArrayRef<int64_t> zs = shapeOf(zp);
      if (!(zs.empty() || (zs.size() == 1 && zs[0] == n)))
        return error() << what << " must be a scalar or 1-D of size " << n;
    }
    return define(qc::MatMulIntegerOp::create(
        builder, loc, RankedTensorType::get(out, i32), a, b, azp, bzp, au, bu));
  }
  // ConvInteger.
  FailureOr<ConvGeometry> g = convGeometry(shapeOf(a), shapeOf(b));
  if (failed(g))
    return failure();
  ArrayRef<int64_t> xz = shapeOf(azp), wz = shapeOf(bzp);
  if (!xz.empty())
    return error() << "x_zero_point must be a scalar";
  if (!(wz.empty() || (wz.size() == 1 && wz[0] == shapeOf(b)[0])))
    return error() << "w_zero_point must be a scalar or one value per output "
                      "channel";
  return define(qc::ConvIntegerOp::create(
      builder, loc, RankedTensorType::get(g->out, i32), a, b, azp, bzp,
      builder.getDenseI64ArrayAttr(g->strides),
      builder.getDenseI64ArrayAttr(g->dilations),
      builder.getDenseI64ArrayAttr(g->pads),
      builder.getI64IntegerAttr(g->group), au, bu));
}

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

LogicalResult Importer::importNode() {
  const std::string &op = node->op_type();
  if (!node->domain().empty() && node->domain() != "ai.onnx")
    return error() << "operator domain '" << node->domain()
                   << "' is not supported";
  if (node->output_size() < 1)
    return error() << "has no output";
  // The node's ONNX name and operator type ride along in the location
  // (for --exclude-nodes / --exclude-op-types); the tensor name comes first.
  NamedAttribute nodeInfo[] = {
      builder.getNamedAttr("onnx_node", builder.getStringAttr(node->name())),
      builder.getNamedAttr("onnx_op", builder.getStringAttr(op))};
  Location loc = NameLoc::get(
      StringAttr::get(ctx, node->output(0)),
      FusedLoc::get(ctx, {fileLoc}, builder.getDictionaryAttr(nodeInfo)));

  if (op == "Constant") {
    if (const onnx::AttributeProto *value = attr("value")) {
      FailureOr<ConstTensor> c = readTensor(value->t());
      if (failed(c))
        return failure();
      return defineConst(*c);
    }
    if (const onnx::AttributeProto *a = attr("value_float"))
      return defineConst(ConstTensor{{}, {a->f()}, {}, true});
    if (const onnx::AttributeProto *a = attr("value_floats"))
      return defineConst(ConstTensor{
          {(int64_t)a->floats_size()},
          std::vector<float>(a->floats().begin(), a->floats().end()),
          {},
          true});
    if (const onnx::AttributeProto *a = attr("value_int"))
      return defineConst(ConstTensor::ofInts({}, {a->i()}));
    if (const onnx::AttributeProto *a = attr("value_ints"))
      return defineConst(ConstTensor::ofInts(
          {(int64_t)a->ints_size()},
          std::vector<int64_t>(a->ints().begin(), a->ints().end())));
    return error() << "this form of Constant is not supported";
  }

  // Every listed input must be known.
  in.clear();
  for (const std::string &name : node->input()) {
    if (name.empty()) {
      in.push_back({});
      continue;
    }
    if (!values.count(name) && !constantOf(name))
      return error() << "input '" << name << "' is not defined";
    // Float constants become values lazily, when an op needs them.
    in.push_back(values.lookup(name));
  }

  if (op == "QuantizeLinear")
    return importQuantizeLinear(loc);
  if (op == "DequantizeLinear")
    return importDequantizeLinear(loc);
  if (op == "QLinearConv")
    return importQLinearConv(loc);
  if (op == "QLinearMatMul")
    return importQLinearMatMul(loc);
  if (op == "DynamicQuantizeLinear" || op == "MatMulInteger" ||
      op == "ConvInteger")
    return importIntegerOp(loc);

  for (auto [i, v] : llvm::enumerate(in))
    if (v && !cast<RankedTensorType>(v.getType()).getElementType().isF32() &&
        !(op == "Gather" && i == 1) && op != "Cast")
      return error() << "input '" << node->input(i) << "' is an integer "
                     << "tensor; integer graph inputs can only be Gather "
                        "indices";

  bool folded = false;
  if (failed(foldConstantNode(folded)))
    return failure();
  if (folded)
    return success();

  // Operands that are float constants are materialized for value ops.
  auto materializeInputs = [&] {
    for (auto [i, v] : llvm::enumerate(in))
      if (!v && !node->input(i).empty())
        v = valueOf(node->input(i));
  };

  static const llvm::StringSet<> binaryOps = {
      "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "PRelu"};
  static const llvm::StringSet<> unaryOps = {
      "Relu", "Neg",         "Abs",       "Exp",       "Log",
      "Sqrt", "Reciprocal",  "Sigmoid",   "Tanh",      "Erf",
      "Gelu", "HardSigmoid", "HardSwish", "LeakyRelu", "Clip",
      "Elu",  "Selu",        "Softplus",  "Softsign"};
  static const llvm::StringSet<> normOps = {
      "BatchNormalization", "LayerNormalization", "Softmax",   "LogSoftmax",
      "ReduceMean",         "ReduceSum",          "ReduceMax", "ReduceMin"};
  static const llvm::StringSet<> shapeOps = {"Shape",   "Size",    "Reshape",
                                             "Flatten", "Squeeze", "Unsqueeze"};
  static const llvm::StringSet<> movementOps = {
      "Transpose", "Concat", "Pad", "Slice", "Split", "Gather"};

  if (op == "Identity" || op == "Dropout") {
    if (op == "Dropout" && failed(requireOnlyFirstOutputUsed()))
      return failure();
    if (const ConstTensor *c = constInput(0); c && !in[0])
      return defineConst(*c);
    return define(in[0]);
  }
  if (op == "Cast") {
    int64_t to = attrInt("to", 0);
    if (in[0] && to == onnx::TensorProto::FLOAT &&
        !isa<quant::QuantizedType>(
            cast<RankedTensorType>(in[0].getType()).getElementType()) &&
        !cast<RankedTensorType>(in[0].getType()).getElementType().isF32()) {
      // An integer activation (e.g. MatMulInteger's int32 result).
      Type e = cast<RankedTensorType>(in[0].getType()).getElementType();
      if (!e.isInteger(8) && !e.isInteger(32))
        return error() << "only int8, uint8 and int32 tensors cast to float";
      return define(qc::CastOp::create(
          builder, loc, f32Tensor(shapeOf(in[0])), in[0],
          unsignedValues.contains(in[0]) ? builder.getUnitAttr() : UnitAttr()));
    }
    if (!in[0] || to != onnx::TensorProto::FLOAT ||
        !cast<RankedTensorType>(in[0].getType()).getElementType().isF32())
      return error() << "only casts of float tensors to float are supported";
    return define(in[0]);
  }
  if (op != "Gemm" && op != "MatMul")
    materializeInputs();
  if (binaryOps.contains(op))
    return importBinary(loc);
  if (unaryOps.contains(op))
    return importUnary(loc);
  if (op == "Gemm" || op == "MatMul")
    return importMatMul(loc);
  if (op == "Conv")
    return importConv(loc);
  if (op == "ConvTranspose")
    return importConvTranspose(loc);
  if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" ||
      op == "GlobalMaxPool")
    return importPool(loc);
  if (normOps.contains(op))
    return importNormalization(loc);
  if (shapeOps.contains(op))
    return importShapeOp(loc);
  if (movementOps.contains(op))
    return importDataMovement(loc);
  return error() << "unsupported ONNX operator '" << op << "'";
}

OwningOpRef<ModuleOp> Importer::run(const onnx::ModelProto &model,
                                    int64_t modelOpset) {
  opset = modelOpset;
  const onnx::GraphProto &graph = model.graph();
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  for (const auto &init : graph.initializer()) {
    FailureOr<ConstTensor> c = readTensor(init);
    if (failed(c))
      return nullptr;
    constants[init.name()] = std::move(*c);
  }
  for (const auto &n : graph.node())
    for (const std::string &name : n.input())
      ++useCounts[name];
  for (const auto &o : graph.output())
    ++useCounts[o.name()];

  // Graph inputs that are not initializers (older exporters list both).
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  SmallVector<int32_t> argDataTypes;
  for (const auto &b : bindings)
    if (constants.count(b.getKey()) ||
        llvm::none_of(graph.input(), [&](const onnx::ValueInfoProto &i) {
          return i.name() == b.getKey();
        })) {
      emitError(fileLoc) << "--input-shape names '" << b.getKey()
                         << "', which is not a graph input";
      return nullptr;
    }
  for (const auto &input : graph.input()) {
    if (constants.count(input.name()))
      continue;
    const auto &type = input.type();
    if (!type.has_tensor_type()) {
      emitError(fileLoc) << "graph input '" << input.name()
                         << "' is not a tensor";
      return nullptr;
    }
    const auto &tt = type.tensor_type();
    Type elementType;
    if (tt.elem_type() == onnx::TensorProto::FLOAT)
      elementType = builder.getF32Type();
    else if (tt.elem_type() == onnx::TensorProto::INT64)
      elementType = builder.getI64Type();
    else if (tt.elem_type() == onnx::TensorProto::INT32)
      elementType = builder.getI32Type();
    else if (tt.elem_type() == onnx::TensorProto::INT8 ||
             tt.elem_type() == onnx::TensorProto::UINT8) {
      // The raw codes of a quantized input, as the caller passes them.
      if (failed(checkIntegerInputUses(graph, input)))
        return nullptr;
      elementType = builder.getI8Type();
    }
    if (!elementType) {
      emitError(fileLoc) << "graph input '" << input.name()
                         << "' has element type "
                         << onnx::TensorProto::DataType_Name(
                                static_cast<onnx::TensorProto::DataType>(
                                    tt.elem_type()))
                         << "; only float32, int8/uint8 (read by "
                            "DequantizeLinear) and int32/int64 (indices) "
                            "inputs are supported";
      return nullptr;
    }
    SmallVector<int64_t> shape;
    auto binding = bindings.find(input.name());
    if (binding != bindings.end()) {
      const auto &dims = tt.shape().dim();
      if (tt.has_shape() && dims.size() != (int)binding->second.size()) {
        emitError(fileLoc) << "--input-shape for '" << input.name()
                           << "' has rank " << binding->second.size()
                           << " but the model declares rank " << dims.size();
        return nullptr;
      }
      for (auto [i, d] : llvm::enumerate(binding->second)) {
        if (tt.has_shape() && dims[i].has_dim_value() &&
            dims[i].dim_value() != d) {
          emitError(fileLoc)
              << "--input-shape for '" << input.name() << "' sets dimension "
              << i << " to " << d << " but the model fixes it to "
              << dims[i].dim_value();
          return nullptr;
        }
      }
      shape = binding->second;
    } else {
      if (!tt.has_shape()) {
        emitError(fileLoc) << "graph input '" << input.name()
                           << "' has no shape; bind one with --input-shape "
                           << input.name() << "=D0xD1x...";
        return nullptr;
      }
      for (auto [i, d] : llvm::enumerate(tt.shape().dim())) {
        if (!d.has_dim_value() || d.dim_value() <= 0) {
          emitError(fileLoc)
              << "graph input '" << input.name() << "' has a symbolic "
              << "or unknown dimension "
              << (d.has_dim_param() ? "'" + d.dim_param() + "' " : "")
              << "at index " << i << "; bind it with --input-shape "
              << input.name() << "=D0xD1x...";
          return nullptr;
        }
        shape.push_back(d.dim_value());
      }
    }
    std::optional<int64_t> count = checkedNumElements(shape);
    if (!count || *count > kMaxTensorElements) {
      emitError(fileLoc) << "graph input '" << input.name() << "' has "
                         << shape.size() << " dimensions whose element count "
                         << (count ? "exceeds the limit of "
                                   : "overflows 64 bits (limit ")
                         << kMaxTensorElements << (count ? "" : ")");
      return nullptr;
    }
    argTypes.push_back(RankedTensorType::get(shape, elementType));
    argNames.push_back(input.name());
    argDataTypes.push_back(tt.elem_type());
  }

  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, "main",
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    func.setArgAttr(i, qc::kNameAttr, builder.getStringAttr(name));
    Value arg = entry->getArgument(i);
    values[name] = arg;
    if (argDataTypes[i] == onnx::TensorProto::INT8 ||
        argDataTypes[i] == onnx::TensorProto::UINT8)
      integerInputs[arg] = {name, std::nullopt, {}};
    if (argDataTypes[i] == onnx::TensorProto::UINT8)
      unsignedValues.insert(arg);
  }
  builder.setInsertionPointToStart(entry);
  for (auto [i, n] : llvm::enumerate(graph.node())) {
    node = &n;
    nodeIndex = i;
    if (failed(importNode()))
      return nullptr;
  }
  node = nullptr;

  SmallVector<Value> results;
  SmallVector<Attribute> outNames, outQuantization;
  bool quantizedOutputs = false;
  for (const auto &output : graph.output()) {
    Value v = valueOf(output.name());
    if (!v) {
      emitError(fileLoc) << "graph output '" << output.name()
                         << "' is not computed by any supported node";
      return nullptr;
    }
    auto t = cast<RankedTensorType>(v.getType());
    auto q = dyn_cast<quant::UniformQuantizedType>(t.getElementType());
    if (q && q.getStorageTypeIntegralWidth() == 8) {
      // A QuantizeLinear result: the caller receives its raw codes.
      v = quant::StorageCastOp::create(builder, locFor(output.name()),
                                       t.clone(q.getStorageType()), v);
      outQuantization.push_back(ioQuantizationAttr(
          builder, !q.isSigned(), q.getScale(), q.getZeroPoint()));
      quantizedOutputs = true;
    } else if (isa<quant::QuantizedType>(t.getElementType()) ||
               t.getElementType().isInteger(8)) {
      emitError(fileLoc) << "graph output '" << output.name()
                         << "' is an 8-bit integer tensor that is not the "
                            "result of a per-tensor int8/uint8 "
                            "QuantizeLinear; only float outputs and such "
                            "QuantizeLinear results are supported";
      return nullptr;
    } else {
      outQuantization.push_back(builder.getDictionaryAttr({}));
    }
    results.push_back(v);
    outNames.push_back(builder.getStringAttr(output.name()));
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, name] : llvm::enumerate(outNames))
    func.setResultAttr(i, qc::kNameAttr, name);
  func->setAttr("qc.output_names", builder.getArrayAttr(outNames));
  // Bufferization turns results into arguments and drops their attributes;
  // the function keeps the description of 8-bit outputs, like their names.
  if (quantizedOutputs)
    func->setAttr(kOutputQuantizationAttr,
                  builder.getArrayAttr(outQuantization));
  return module;
}

} // namespace

std::string quantc::parseInputShape(StringRef text, InputShapes &shapes) {
  auto [name, dims] = text.rsplit('=');
  if (name.empty() || dims.empty() || !text.contains('='))
    return "expected NAME=D0xD1x..., got '" + text.str() + "'";
  SmallVector<int64_t> shape;
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d <= 0)
      return "dimension '" + p.str() + "' in '" + text.str() +
             "' is not a positive integer";
    shape.push_back(d);
  }
  shapes[name] = shape;
  return "";
}

OwningOpRef<ModuleOp> quantc::importONNX(StringRef bytes, StringRef fileName,
                                         MLIRContext *context,
                                         const InputShapes &inputShapes) {
  context->loadDialect<qc::QCDialect, func::FuncDialect, arith::ArithDialect>();
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(FileLineColLoc::get(context, fileName, 0, 0))
        << "not a valid ONNX model: the protobuf does not parse";
    return nullptr;
  }
  FailureOr<int64_t> opset =
      validateONNXModel(model, FileLineColLoc::get(context, fileName, 0, 0));
  if (failed(opset))
    return nullptr;
  return Importer(context, fileName, inputShapes).run(model, *opset);
}

void quantc::registerONNXImportTranslation() {
  // Constructed on registration only, so that tools which do not register
  // the translation can define their own --input-shape.
  static llvm::cl::list<std::string> clInputShapes(
      "input-shape",
      llvm::cl::desc("Bind an input's shape for --import-onnx: "
                     "NAME=D0xD1x..."),
      llvm::cl::ZeroOrMore);
  TranslateToMLIRRegistration registration(
      "import-onnx", "Import an ONNX model into the qc dialect",
      [](llvm::SourceMgr &sourceMgr, MLIRContext *context) {
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        InputShapes shapes;
        for (const std::string &s : clInputShapes) {
          std::string err = parseInputShape(s, shapes);
          if (!err.empty()) {
            emitError(UnknownLoc::get(context)) << "--input-shape: " << err;
            return OwningOpRef<Operation *>();
          }
        }
        return OwningOpRef<Operation *>(
            importONNX(buffer->getBuffer(), buffer->getBufferIdentifier(),
                       context, shapes)
                .release());
      },
      [](DialectRegistry &registry) {
        registry
            .insert<qc::QCDialect, func::FuncDialect, arith::ArithDialect>();
      });
}
