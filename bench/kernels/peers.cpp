// oneDNN and XNNPACK on the benchmark's GEMM and conv shapes, one thread.
//
//   peers LIB PREC gemm M K N
//   peers LIB PREC conv H W C OC KH KW STRIDE PAD GROUPS
//
// LIB is dnnl or xnnpack, PREC int8 or fp32. Batch 1, NHWC activations for
// XNNPACK; oneDNN chooses its own layouts (format "any") and the weights are
// reordered once, before timing, as a framework does at load time. Prints
// one JSON line (timing.h) whose "impl" names the implementation chosen.
//
// int8 is the requantizing form of a quantized layer, what quantc's int8
// kernels compute:
//   oneDNN   u8 activations (zero point 0) x s8 weights, s32 bias,
//            per-output-channel scales, s8 output;
//   XNNPACK  qs8 activations (zero point 3) x s8 weights, s32 bias, s8 output;
//            fully connected with per-tensor weight scales (the only qs8
//            fully-connected operator of this XNNPACK), conv with
//            per-channel weight scales (qc8).

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>
#include <xnnpack.h>

#include "timing.h"

namespace {

struct Shape {
  bool conv = false;
  long m = 0, k = 0, n = 0;                          // gemm
  long h = 0, w = 0, c = 0, oc = 0, kh = 0, kw = 0;  // conv
  long stride = 1, pad = 0, groups = 1;
  long oh() const { return (h + 2 * pad - kh) / stride + 1; }
  long ow() const { return (w + 2 * pad - kw) / stride + 1; }
};

std::mt19937 rng(42);

template <typename T> std::vector<T> randomInts(size_t n, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<T> v(n);
  for (auto &x : v) x = static_cast<T>(d(rng));
  return v;
}

std::vector<float> randomFloats(size_t n, float scale = 1.0f) {
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(n);
  for (auto &x : v) x = d(rng);
  return v;
}

[[noreturn]] void fail(const std::string &what) {
  std::fprintf(stderr, "peers: %s\n", what.c_str());
  std::exit(1);
}

// ------------------------------------------------------------------ oneDNN

struct DnnlCase {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  dnnl::primitive prim;
  std::unordered_map<int, dnnl::memory> args;
};

void dnnlRun(void *ctx) {
  auto *c = static_cast<DnnlCase *>(ctx);
  c->prim.execute(c->strm, c->args);
  c->strm.wait();
}

dnnl::memory dnnlMemory(DnnlCase &c, const dnnl::memory::desc &md, const dnnl::memory::desc &user,
                        void *data) {
  dnnl::memory src(user, c.eng, data);
  if (md == user) return src;
  dnnl::memory dst(md, c.eng);
  dnnl::reorder(src, dst).execute(c.strm, src, dst);
  c.strm.wait();
  return dst;
}

void benchDnnl(const Shape &s, bool int8) {
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  DnnlCase c;
  const dt act = int8 ? dt::u8 : dt::f32, wei = int8 ? dt::s8 : dt::f32,
           bia = int8 ? dt::s32 : dt::f32, out = int8 ? dt::s8 : dt::f32;
  long outChannels = s.conv ? s.oc : s.n;
  dnnl::primitive_attr attr;
  if (int8) attr.set_output_scales(1 << 1, std::vector<float>(outChannels, 0.05f));

  // Host buffers (plain layouts); sizes in elements.
  size_t srcN = s.conv ? s.c * s.h * s.w : s.m * s.k;
  size_t weiN = s.conv ? s.oc * (s.c / s.groups) * s.kh * s.kw : s.k * s.n;
  auto src8 = randomInts<uint8_t>(srcN, 0, 255);
  auto wei8 = randomInts<int8_t>(weiN, -127, 127);
  auto bias32 = randomInts<int32_t>(outChannels, -1000, 1000);
  auto srcF = randomFloats(srcN), weiF = randomFloats(weiN, 0.1f), biasF = randomFloats(outChannels);
  void *srcP = int8 ? (void *)src8.data() : srcF.data();
  void *weiP = int8 ? (void *)wei8.data() : weiF.data();
  void *biaP = int8 ? (void *)bias32.data() : biasF.data();

  dnnl::memory::desc srcU, weiU, biaU, dstAny, srcAny, weiAny;
  if (s.conv) {
    srcU = {{1, s.c, s.h, s.w}, act, tag::nhwc};
    srcAny = {{1, s.c, s.h, s.w}, act, tag::any};
    if (s.groups == 1) {
      weiU = {{s.oc, s.c, s.kh, s.kw}, wei, tag::ohwi};
      weiAny = {{s.oc, s.c, s.kh, s.kw}, wei, tag::any};
    } else {
      dnnl::memory::dims d = {s.groups, s.oc / s.groups, s.c / s.groups, s.kh, s.kw};
      weiU = {d, wei, tag::goihw};
      weiAny = {d, wei, tag::any};
    }
    biaU = {{s.oc}, bia, tag::x};
    dstAny = {{1, s.oc, s.oh(), s.ow()}, out, tag::any};
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference,
                                      dnnl::algorithm::convolution_direct, srcAny, weiAny, biaU,
                                      dstAny, {s.stride, s.stride}, {s.pad, s.pad},
                                      {s.pad, s.pad});
    dnnl::convolution_forward::primitive_desc pd(d, attr, c.eng);
    c.prim = dnnl::convolution_forward(pd);
    c.args[DNNL_ARG_SRC] = dnnlMemory(c, pd.src_desc(), srcU, srcP);
    c.args[DNNL_ARG_WEIGHTS] = dnnlMemory(c, pd.weights_desc(), weiU, weiP);
    c.args[DNNL_ARG_BIAS] = dnnl::memory(biaU, c.eng, biaP);
    c.args[DNNL_ARG_DST] = dnnl::memory(pd.dst_desc(), c.eng);
    bench_print(pd.impl_info_str(), bench_run(dnnlRun, &c));
  } else {
    srcU = {{s.m, s.k}, act, tag::ab};
    weiU = {{s.k, s.n}, wei, tag::ab};
    weiAny = {{s.k, s.n}, wei, tag::any};
    biaU = {{1, s.n}, bia, tag::ab};
    dnnl::memory::desc dst = {{s.m, s.n}, out, tag::ab};
    dnnl::matmul::desc d(srcU, weiAny, biaU, dst);
    dnnl::matmul::primitive_desc pd(d, attr, c.eng);
    c.prim = dnnl::matmul(pd);
    c.args[DNNL_ARG_SRC] = dnnl::memory(srcU, c.eng, srcP);
    c.args[DNNL_ARG_WEIGHTS] = dnnlMemory(c, pd.weights_desc(), weiU, weiP);
    c.args[DNNL_ARG_BIAS] = dnnl::memory(biaU, c.eng, biaP);
    c.args[DNNL_ARG_DST] = dnnl::memory(pd.dst_desc(), c.eng);
    bench_print(pd.impl_info_str(), bench_run(dnnlRun, &c));
  }
}

// ----------------------------------------------------------------- XNNPACK

void xnnRun(void *ctx) {
  if (xnn_run_operator(static_cast<xnn_operator_t>(ctx), nullptr) != xnn_status_success)
    fail("xnn_run_operator failed");
}

void check(xnn_status st, const char *what) {
  if (st != xnn_status_success) fail(std::string(what) + " failed with status " + std::to_string(st));
}

void benchXnnpack(const Shape &s, bool int8) {
  check(xnn_initialize(nullptr), "xnn_initialize");
  xnn_operator_t op = nullptr;
  long outChannels = s.conv ? s.oc : s.n;
  long gin = s.conv ? s.c / s.groups : s.k, gout = s.conv ? s.oc / s.groups : s.n;
  size_t srcN = s.conv ? s.h * s.w * s.c : s.m * s.k;
  size_t weiN = s.conv ? s.oc * gin * s.kh * s.kw : s.k * s.n;
  size_t dstN = s.conv ? s.oh() * s.ow() * s.oc : s.m * s.n;
  // Scales whose ratio input*kernel/output stays in XNNPACK's accepted range.
  const float inScale = 0.02f, kScale = 0.01f, outScale = 0.05f;
  std::vector<int8_t> src8 = randomInts<int8_t>(srcN, -128, 127), dst8(dstN);
  std::vector<int8_t> wei8 = randomInts<int8_t>(weiN, -127, 127);
  std::vector<int32_t> bias32 = randomInts<int32_t>(outChannels, -1000, 1000);
  std::vector<float> srcF = randomFloats(srcN), weiF = randomFloats(weiN, 0.1f),
                     biasF = randomFloats(outChannels), dstF(dstN);
  std::vector<float> kScales(outChannels, kScale);
  const float inf = INFINITY;
  std::string impl;
  if (s.conv) {
    uint32_t flags = 0;
    if (int8) {
      check(xnn_create_convolution2d_nhwc_qc8(s.pad, s.pad, s.pad, s.pad, s.kh, s.kw, s.stride,
                                              s.stride, 1, 1, s.groups, gin, gout, s.c, s.oc, 3,
                                              inScale, kScales.data(), wei8.data(), bias32.data(),
                                              -1, outScale, -128, 127, flags, &op),
            "xnn_create_convolution2d_nhwc_qc8");
      check(xnn_setup_convolution2d_nhwc_qc8(op, 1, s.h, s.w, src8.data(), dst8.data(), nullptr),
            "xnn_setup_convolution2d_nhwc_qc8");
      impl = "convolution2d_nhwc_qc8";
    } else {
      check(xnn_create_convolution2d_nhwc_f32(s.pad, s.pad, s.pad, s.pad, s.kh, s.kw, s.stride,
                                              s.stride, 1, 1, s.groups, gin, gout, s.c, s.oc,
                                              weiF.data(), biasF.data(), -inf, inf, flags, &op),
            "xnn_create_convolution2d_nhwc_f32");
      check(xnn_setup_convolution2d_nhwc_f32(op, 1, s.h, s.w, srcF.data(), dstF.data(), nullptr),
            "xnn_setup_convolution2d_nhwc_f32");
      impl = "convolution2d_nhwc_f32";
    }
  } else if (int8) {
    check(xnn_create_fully_connected_nc_qs8(s.k, s.n, s.k, s.n, 3, inScale, kScale, wei8.data(),
                                            bias32.data(), -1, outScale, -128, 127, 0, &op),
          "xnn_create_fully_connected_nc_qs8");
    check(xnn_setup_fully_connected_nc_qs8(op, s.m, src8.data(), dst8.data(), nullptr),
          "xnn_setup_fully_connected_nc_qs8");
    impl = "fully_connected_nc_qs8";
  } else {
    check(xnn_create_fully_connected_nc_f32(s.k, s.n, s.k, s.n, weiF.data(), biasF.data(), -inf,
                                            inf, 0, &op),
          "xnn_create_fully_connected_nc_f32");
    check(xnn_setup_fully_connected_nc_f32(op, s.m, srcF.data(), dstF.data(), nullptr),
          "xnn_setup_fully_connected_nc_f32");
    impl = "fully_connected_nc_f32";
  }
  bench_print(impl.c_str(), bench_run(xnnRun, op));
  xnn_delete_operator(op);
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 4) fail("usage: peers dnnl|xnnpack int8|fp32 gemm M K N | conv H W C OC KH KW STRIDE PAD GROUPS");
  std::string lib = argv[1], prec = argv[2], kind = argv[3];
  if (prec != "int8" && prec != "fp32") fail("precision must be int8 or fp32");
  Shape s;
  auto num = [&](int i) { return i < argc ? std::atol(argv[i]) : (fail("missing argument"), 0L); };
  if (kind == "gemm") {
    s.m = num(4), s.k = num(5), s.n = num(6);
  } else if (kind == "conv") {
    s.conv = true;
    s.h = num(4), s.w = num(5), s.c = num(6), s.oc = num(7), s.kh = num(8), s.kw = num(9);
    s.stride = num(10), s.pad = num(11), s.groups = num(12);
  } else {
    fail("kind must be gemm or conv");
  }
  try {
    if (lib == "dnnl")
      benchDnnl(s, prec == "int8");
    else if (lib == "xnnpack")
      benchXnnpack(s, prec == "int8");
    else
      fail("library must be dnnl or xnnpack");
  } catch (const dnnl::error &e) {
    fail(std::string("oneDNN: ") + e.what());
  }
  return 0;
}
