//===- ONNXImport.cpp - ONNX models to the qc dialect ---------------------===//
//
// Parses the ModelProto with libonnx's protobuf classes, validates it with
// the ONNX checker and emits one qc op (or a constant) per supported node.
// Shapes are static and computed here per op, so every error names the node.
//
//===----------------------------------------------------------------------===//

#include "quantc/Target/ONNX/ONNXImport.h"
#include "quantc/Dialect/QC/IR/QC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/SourceMgr.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <cstring>

using namespace mlir;
using namespace quantc;

namespace {

/// A constant tensor known at import time (initializer or Constant node).
struct ConstTensor {
  std::vector<int64_t> shape;
  std::vector<float> floats; // for FLOAT tensors
  std::vector<int64_t> ints; // for INT64/INT32 tensors
  bool isFloat = true;
  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

class Importer {
public:
  Importer(MLIRContext *ctx, StringRef fileName)
      : ctx(ctx), builder(ctx),
        fileLoc(FileLineColLoc::get(ctx, fileName, 0, 0)) {}

  OwningOpRef<ModuleOp> run(const onnx::ModelProto &model);

private:
  InFlightDiagnostic error(const onnx::NodeProto *node, int index) {
    if (!node)
      return emitError(fileLoc);
    return emitError(fileLoc) << "node '" << node->name() << "' (#" << index
                              << ", " << node->op_type() << "): ";
  }

  FailureOr<ConstTensor> readTensor(const onnx::TensorProto &t);
  LogicalResult importNode(const onnx::NodeProto &node, int index);
  Value valueOf(const std::string &name);
  const ConstTensor *constantOf(const std::string &name) {
    auto it = constants.find(name);
    return it == constants.end() ? nullptr : &it->second;
  }
  Value materialize(const ConstTensor &c, Location loc);
  Location locFor(const std::string &name) {
    return NameLoc::get(StringAttr::get(ctx, name), fileLoc);
  }
  RankedTensorType f32Tensor(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  MLIRContext *ctx;
  OpBuilder builder;
  Location fileLoc;
  int64_t opset = 0;
  llvm::StringMap<Value> values;
  llvm::StringMap<ConstTensor> constants;
};

FailureOr<ConstTensor> Importer::readTensor(const onnx::TensorProto &t) {
  ConstTensor c;
  for (int64_t d : t.dims())
    c.shape.push_back(d);
  int64_t n = c.numElements();
  auto fail = [&](const Twine &what) {
    emitError(fileLoc) << "tensor '" << t.name() << "': " << what;
    return failure();
  };
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return fail("external data is not supported");
  const std::string &raw = t.raw_data();
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    c.floats.resize(n);
    if (!raw.empty()) {
      if ((int64_t)raw.size() != n * 4)
        return fail("raw_data has the wrong size");
      std::memcpy(c.floats.data(), raw.data(), raw.size());
    } else {
      if (t.float_data_size() != n)
        return fail("float_data has the wrong size");
      std::copy(t.float_data().begin(), t.float_data().end(), c.floats.begin());
    }
    return c;
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::INT32: {
    c.isFloat = false;
    c.ints.resize(n);
    bool is64 = t.data_type() == onnx::TensorProto::INT64;
    if (!raw.empty()) {
      if ((int64_t)raw.size() != n * (is64 ? 8 : 4))
        return fail("raw_data has the wrong size");
      for (int64_t i = 0; i < n; ++i) {
        if (is64) {
          std::memcpy(&c.ints[i], raw.data() + 8 * i, 8);
        } else {
          int32_t v;
          std::memcpy(&v, raw.data() + 4 * i, 4);
          c.ints[i] = v;
        }
      }
    } else if (is64) {
      if (t.int64_data_size() != n)
        return fail("int64_data has the wrong size");
      std::copy(t.int64_data().begin(), t.int64_data().end(), c.ints.begin());
    } else {
      if (t.int32_data_size() != n)
        return fail("int32_data has the wrong size");
      std::copy(t.int32_data().begin(), t.int32_data().end(), c.ints.begin());
    }
    return c;
  }
  default:
    return fail("element type " +
                onnx::TensorProto::DataType_Name(
                    static_cast<onnx::TensorProto::DataType>(t.data_type())) +
                " is not supported");
  }
}

Value Importer::materialize(const ConstTensor &c, Location loc) {
  auto type = f32Tensor(c.shape);
  return arith::ConstantOp::create(
      builder, loc, type,
      DenseElementsAttr::get(type, ArrayRef<float>(c.floats)));
}

Value Importer::valueOf(const std::string &name) {
  if (Value v = values.lookup(name))
    return v;
  if (const ConstTensor *c = constantOf(name); c && c->isFloat) {
    Value v = materialize(*c, locFor(name));
    values[name] = v;
    return v;
  }
  return {};
}

static const onnx::AttributeProto *attr(const onnx::NodeProto &node,
                                        StringRef name) {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}
static int64_t attrInt(const onnx::NodeProto &node, StringRef name,
                       int64_t dflt) {
  const onnx::AttributeProto *a = attr(node, name);
  return a ? a->i() : dflt;
}
static float attrFloat(const onnx::NodeProto &node, StringRef name,
                       float dflt) {
  const onnx::AttributeProto *a = attr(node, name);
  return a ? a->f() : dflt;
}

LogicalResult Importer::importNode(const onnx::NodeProto &node, int index) {
  const std::string &op = node.op_type();
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return error(&node, index)
           << "operator domain '" << node.domain() << "' is not supported";
  if (node.output_size() < 1)
    return error(&node, index) << "has no output";
  const std::string &outName = node.output(0);
  Location loc = locFor(outName);

  // Operands: every listed input must be known.
  SmallVector<Value> in;
  for (const std::string &name : node.input()) {
    if (name.empty()) {
      in.push_back({});
      continue;
    }
    Value v = valueOf(name);
    if (!v && !constantOf(name))
      return error(&node, index) << "input '" << name << "' is not defined";
    in.push_back(v);
  }
  auto shapeOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  };
  auto define = [&](Value v) {
    values[outName] = v;
    return success();
  };

  if (op == "Constant") {
    const onnx::AttributeProto *value = attr(node, "value");
    if (!value || !value->has_t())
      return error(&node, index) << "only the 'value' form of Constant is "
                                    "supported";
    FailureOr<ConstTensor> c = readTensor(value->t());
    if (failed(c))
      return failure();
    constants[outName] = *c;
    return success();
  }
  if (op == "Identity" || op == "Dropout") {
    if (!in[0])
      return error(&node, index) << "needs a float tensor input";
    return define(in[0]);
  }
  if (op == "Relu") {
    return define(qc::ReluOp::create(builder, loc, in[0].getType(), in[0]));
  }
  if (op == "Add") {
    if (!in[0] || !in[1])
      return error(&node, index) << "needs float tensor inputs";
    SmallVector<int64_t> shape;
    if (!OpTrait::util::getBroadcastedShape(shapeOf(in[0]), shapeOf(in[1]),
                                            shape))
      return error(&node, index) << "operand shapes are not broadcastable";
    return define(qc::AddOp::create(builder, loc, f32Tensor(shape), in[0],
                                    in[1], qc::Activation::None));
  }
  if (op == "Flatten") {
    auto shape = shapeOf(in[0]);
    int64_t rank = shape.size();
    int64_t axis = attrInt(node, "axis", 1);
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis > rank)
      return error(&node, index) << "axis " << axis << " is out of range";
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < rank; ++i)
      (i < axis ? outer : inner) *= shape[i];
    return define(
        qc::ReshapeOp::create(builder, loc, f32Tensor({outer, inner}), in[0]));
  }
  if (op == "Reshape") {
    std::vector<int64_t> target;
    if (opset < 5) {
      const onnx::AttributeProto *s = attr(node, "shape");
      if (!s)
        return error(&node, index) << "missing the 'shape' attribute";
      target.assign(s->ints().begin(), s->ints().end());
    } else {
      const ConstTensor *c =
          node.input_size() > 1 ? constantOf(node.input(1)) : nullptr;
      if (!c || c->isFloat)
        return error(&node, index)
               << "the shape input must be a constant int64 tensor";
      target = c->ints;
    }
    auto shape = shapeOf(in[0]);
    int64_t total = cast<RankedTensorType>(in[0].getType()).getNumElements();
    bool allowZero = attrInt(node, "allowzero", 0) != 0;
    int64_t known = 1, inferred = -1;
    for (size_t i = 0; i < target.size(); ++i) {
      if (target[i] == 0 && !allowZero) {
        if (i >= shape.size())
          return error(&node, index) << "0 in shape refers past the input rank";
        target[i] = shape[i];
      }
      if (target[i] == -1) {
        if (inferred >= 0)
          return error(&node, index) << "shape has more than one -1";
        inferred = i;
        continue;
      }
      if (target[i] < 0)
        return error(&node, index) << "negative dimension " << target[i];
      known *= target[i];
    }
    if (inferred >= 0) {
      if (known == 0 || total % known != 0)
        return error(&node, index) << "cannot infer the -1 dimension";
      target[inferred] = total / known;
      known *= target[inferred];
    }
    if (known != total)
      return error(&node, index)
             << "cannot reshape " << total << " elements into " << known;
    return define(
        qc::ReshapeOp::create(builder, loc, f32Tensor(target), in[0]));
  }
  if (op == "Gemm" || op == "MatMul") {
    bool gemm = op == "Gemm";
    int64_t transA = gemm ? attrInt(node, "transA", 0) : 0;
    int64_t transB = gemm ? attrInt(node, "transB", 0) : 0;
    float alpha = gemm ? attrFloat(node, "alpha", 1.0f) : 1.0f;
    float beta = gemm ? attrFloat(node, "beta", 1.0f) : 1.0f;
    if (!in[0])
      return error(&node, index) << "input A must be a float tensor";
    auto aShape = shapeOf(in[0]);
    if (aShape.size() != 2)
      return error(&node, index) << "input A has rank " << aShape.size()
                                 << "; only 2-D products are supported";
    if (transA)
      return error(&node, index) << "transA = 1 is not supported";
    int64_t m = aShape[0], k = aShape[1];
    const ConstTensor *bConst = constantOf(node.input(1));
    Value result;
    int64_t n;
    if (bConst && bConst->isFloat) {
      if (bConst->shape.size() != 2)
        return error(&node, index) << "B must be 2-D";
      int64_t rows = bConst->shape[0], cols = bConst->shape[1];
      int64_t bk = transB ? cols : rows;
      n = transB ? rows : cols;
      if (bk != k)
        return error(&node, index)
               << "A has " << k << " columns but B has " << bk << " rows";
      // The weight is stored [n, k] so the reduction is contiguous.
      ConstTensor w;
      w.shape = {n, k};
      w.floats.resize(n * k);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < k; ++j)
          w.floats[i * k + j] = alpha * (transB ? bConst->floats[i * k + j]
                                                : bConst->floats[j * n + i]);
      Value weight = materialize(w, locFor(node.input(1)));
      result =
          qc::FullyConnectedOp::create(builder, loc, f32Tensor({m, n}), in[0],
                                       weight, Value(), qc::Activation::None);
    } else {
      if (!in[1] || transB || alpha != 1.0f)
        return error(&node, index) << "B must be a constant unless transB = 0 "
                                      "and alpha = 1";
      auto bShape = shapeOf(in[1]);
      if (bShape.size() != 2 || bShape[0] != k)
        return error(&node, index) << "B must be 2-D with " << k << " rows";
      n = bShape[1];
      result =
          qc::MatMulOp::create(builder, loc, f32Tensor({m, n}), in[0], in[1]);
    }
    if (gemm && node.input_size() > 2 && !node.input(2).empty()) {
      const ConstTensor *cConst = constantOf(node.input(2));
      Value c;
      if (cConst && cConst->isFloat) {
        ConstTensor scaled = *cConst;
        for (float &v : scaled.floats)
          v *= beta;
        c = materialize(scaled, locFor(node.input(2)));
      } else if (beta == 1.0f && in[2]) {
        c = in[2];
      } else {
        return error(&node, index) << "C must be constant unless beta = 1";
      }
      SmallVector<int64_t> shape;
      if (!OpTrait::util::getBroadcastedShape({m, n}, shapeOf(c), shape) ||
          shape != SmallVector<int64_t>{m, n})
        return error(&node, index)
               << "C does not broadcast to [" << m << ", " << n << "]";
      // Canonicalization folds a per-column constant into the bias.
      result = qc::AddOp::create(builder, loc, f32Tensor({m, n}), result, c,
                                 qc::Activation::None);
    }
    return define(result);
  }
  return error(&node, index) << "unsupported ONNX operator '" << op << "'";
}

OwningOpRef<ModuleOp> Importer::run(const onnx::ModelProto &model) {
  for (const auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  const onnx::GraphProto &graph = model.graph();
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  for (const auto &init : graph.initializer()) {
    FailureOr<ConstTensor> c = readTensor(init);
    if (failed(c))
      return nullptr;
    constants[init.name()] = std::move(*c);
  }

  // Graph inputs that are not initializers (older exporters list both).
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
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
    if (tt.elem_type() != onnx::TensorProto::FLOAT) {
      emitError(fileLoc) << "graph input '" << input.name()
                         << "' has element type "
                         << onnx::TensorProto::DataType_Name(
                                static_cast<onnx::TensorProto::DataType>(
                                    tt.elem_type()))
                         << "; only float32 inputs are supported";
      return nullptr;
    }
    SmallVector<int64_t> shape;
    for (auto [i, d] : llvm::enumerate(tt.shape().dim())) {
      if (!d.has_dim_value() || d.dim_value() <= 0) {
        emitError(fileLoc) << "graph input '" << input.name()
                           << "' has a symbolic "
                           << "or unknown dimension "
                           << (d.has_dim_param() ? "'" + d.dim_param() + "' "
                                                 : "")
                           << "at index " << i
                           << "; static shapes are required";
        return nullptr;
      }
      shape.push_back(d.dim_value());
    }
    argTypes.push_back(f32Tensor(shape));
    argNames.push_back(input.name());
  }

  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, "main",
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    func.setArgAttr(i, qc::kNameAttr, builder.getStringAttr(name));
    values[name] = entry->getArgument(i);
  }
  builder.setInsertionPointToStart(entry);
  for (auto [i, node] : llvm::enumerate(graph.node()))
    if (failed(importNode(node, i)))
      return nullptr;

  SmallVector<Value> results;
  SmallVector<Attribute> outNames;
  for (const auto &output : graph.output()) {
    Value v = valueOf(output.name());
    if (!v) {
      emitError(fileLoc) << "graph output '" << output.name()
                         << "' is not computed by any supported node";
      return nullptr;
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
  return module;
}

} // namespace

OwningOpRef<ModuleOp> quantc::importONNX(StringRef bytes, StringRef fileName,
                                         MLIRContext *context) {
  context->loadDialect<qc::QCDialect, func::FuncDialect, arith::ArithDialect>();
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(FileLineColLoc::get(context, fileName, 0, 0))
        << "not a valid ONNX model: the protobuf does not parse";
    return nullptr;
  }
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    emitError(FileLineColLoc::get(context, fileName, 0, 0))
        << "invalid ONNX model: " << e.what();
    return nullptr;
  }
  return Importer(context, fileName).run(model);
}

void quantc::registerONNXImportTranslation() {
  TranslateToMLIRRegistration registration(
      "import-onnx", "Import an ONNX model into the qc dialect",
      [](llvm::SourceMgr &sourceMgr, MLIRContext *context) {
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        return OwningOpRef<Operation *>(
            importONNX(buffer->getBuffer(), buffer->getBufferIdentifier(),
                       context)
                .release());
      },
      [](DialectRegistry &registry) {
        registry
            .insert<qc::QCDialect, func::FuncDialect, arith::ArithDialect>();
      });
}
