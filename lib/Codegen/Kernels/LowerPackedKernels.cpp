//===- LowerPackedKernels.cpp - qc-lower-packed-kernels -------------------===//
//
// Writes the loop nests and register-tiled microkernels of bufferized
// qc.packed_conv2d ops. The GEMM kernel (convolutions with group 1 and fully
// connected layers) is an implicit GEMM over a padded channels-last copy of
// the input: for each block of output channels and tile of output pixels,
// rows x vectors accumulators start at the bias and run over the taps and
// K groups with the target's dot product; the requantization epilogue runs
// in registers. The instruction sets and the packed order are described in
// quantc/Codegen/Kernels.h.
//
//===----------------------------------------------------------------------===//

#include "quantc/Codegen/Kernels.h"

#include "quantc/Codegen/Passes.h"
#include "quantc/Dialect/QC/IR/QC.h"
#include <numeric>

namespace quantc {
#define GEN_PASS_DEF_QCLOWERPACKEDKERNELS
#include "quantc/Codegen/Passes.h.inc"
} // namespace quantc

using namespace mlir;
using namespace quantc;
using namespace quantc::kernels;

namespace {

/// Builders for index arithmetic and the shared epilogue.
struct Emitter {
  OpBuilder &b;
  Location loc;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value add(Value x, int64_t c) { return c == 0 ? x : add(x, idx(c)); }
  Value mul(Value x, int64_t c) {
    return c == 1 ? x : arith::MulIOp::create(b, loc, x, idx(c)).getResult();
  }
  Value div(Value x, int64_t c) {
    return c == 1 ? x : arith::DivUIOp::create(b, loc, x, idx(c)).getResult();
  }
  Value rem(Value x, int64_t c) {
    return arith::RemUIOp::create(b, loc, x, idx(c));
  }
  Value splat(VectorType type, int64_t v) {
    return arith::ConstantOp::create(
        b, loc, type,
        DenseElementsAttr::get(type, b.getIntegerAttr(type.getElementType(),
                                                      v)));
  }

  /// A counted loop from `lo` to `hi` with `init` carried values.
  template <typename Body>
  ValueRange loop(int64_t lo, int64_t hi, int64_t step, ValueRange init,
                  Body body) {
    auto forOp = scf::ForOp::create(
        b, loc, idx(lo), idx(hi), idx(step), init,
        [&](OpBuilder &, Location, Value iv, ValueRange args) {
          SmallVector<Value> next = body(iv, args);
          scf::YieldOp::create(b, loc, next);
        });
    return forOp.getResults();
  }

  /// Per-channel requantization parameters of one accumulator vector, as
  /// 64-bit lanes: all lanes (`wide`), or the even and odd int32 lanes
  /// apart (`narrow`: one `vpmuldq` each, no widening of the accumulator).
  struct ChannelParams {
    Value mult, shift, round;
    Value multEven, multOdd, shiftEven, shiftOdd, roundEven, roundOdd;
  };

  ChannelParams channelParams(Value mult, Value shift, Value at,
                              int64_t lanes, bool narrow) {
    auto i32v = VectorType::get({lanes}, b.getI32Type());
    Value m32 = vector::LoadOp::create(b, loc, i32v, mult, at);
    Value s32 = vector::LoadOp::create(b, loc, i32v, shift, at);
    ChannelParams p;
    auto roundOf = [&](Value s) -> Value {
      auto type = cast<VectorType>(s.getType());
      return arith::ShLIOp::create(
          b, loc, splat(type, 1),
          arith::SubIOp::create(b, loc, s, splat(type, 1)));
    };
    if (!narrow) {
      auto i64v = VectorType::get({lanes}, b.getI64Type());
      p.mult = arith::ExtSIOp::create(b, loc, i64v, m32);
      p.shift = arith::ExtSIOp::create(b, loc, i64v, s32);
      p.round = roundOf(p.shift);
      return p;
    }
    std::tie(p.multEven, p.multOdd) = evenOdd(m32);
    std::tie(p.shiftEven, p.shiftOdd) = evenOdd(s32);
    p.roundEven = roundOf(p.shiftEven);
    p.roundOdd = roundOf(p.shiftOdd);
    return p;
  }

  /// The even and odd int32 lanes of `v`, sign-extended into 64-bit lanes
  /// (the form `vpmuldq` multiplies).
  std::pair<Value, Value> evenOdd(Value v) {
    auto type = cast<VectorType>(v.getType());
    auto i64v = VectorType::get({type.getNumElements() / 2}, b.getI64Type());
    Value w = vector::BitCastOp::create(b, loc, i64v, v);
    Value c32 = splat(i64v, 32);
    Value even = arith::ShRSIOp::create(
        b, loc, arith::ShLIOp::create(b, loc, w, c32), c32);
    Value odd = arith::ShRSIOp::create(b, loc, w, c32);
    return {even, odd};
  }

  /// docs/quantization.md's requantization of one accumulator vector:
  /// clamp(((acc * M + 2^(S-1)) >> S) + zp, lo, hi) as int8. `narrow`
  /// (qc.packed_conv2d's narrow_requant) computes the same in 32 bits after
  /// the shift.
  Value requantize(Value acc, const ChannelParams &p, bool narrow, int64_t zp,
                   int64_t lo, int64_t hi) {
    auto accType = cast<VectorType>(acc.getType());
    auto bytes = VectorType::get(accType.getShape(), b.getI8Type());
    if (narrow) {
      auto [even, odd] = evenOdd(acc);
      auto scaled = [&](Value x, Value m, Value r, Value s) -> Value {
        Value v = arith::MulIOp::create(b, loc, x, m);
        v = arith::AddIOp::create(b, loc, v, r);
        return arith::ShRSIOp::create(b, loc, v, s);
      };
      Value ye = scaled(even, p.multEven, p.roundEven, p.shiftEven);
      Value yo = scaled(odd, p.multOdd, p.roundOdd, p.shiftOdd);
      // Low dwords of the even results, the odd ones shifted into the high
      // dwords: one blend.
      auto i64v = cast<VectorType>(ye.getType());
      Value yoHigh = arith::ShLIOp::create(b, loc, yo, splat(i64v, 32));
      Value e32 = vector::BitCastOp::create(b, loc, accType, ye);
      Value o32 = vector::BitCastOp::create(b, loc, accType, yoHigh);
      SmallVector<bool> oddLanes(accType.getNumElements());
      for (size_t i = 0; i < oddLanes.size(); ++i)
        oddLanes[i] = i % 2 == 1;
      auto maskType = VectorType::get(accType.getShape(), b.getI1Type());
      Value mask = arith::ConstantOp::create(
          b, loc, maskType,
          DenseElementsAttr::get(maskType, ArrayRef(oddLanes)));
      Value v = arith::SelectOp::create(b, loc, mask, o32, e32);
      v = arith::AddIOp::create(b, loc, v, splat(accType, zp));
      v = arith::MaxSIOp::create(b, loc, v, splat(accType, lo));
      v = arith::MinSIOp::create(b, loc, v, splat(accType, hi));
      return arith::TruncIOp::create(b, loc, bytes, v);
    }
    auto wide = VectorType::get(accType.getShape(), b.getI64Type());
    Value v = arith::ExtSIOp::create(b, loc, wide, acc);
    v = arith::MulIOp::create(b, loc, v, p.mult);
    v = arith::AddIOp::create(b, loc, v, p.round);
    v = arith::ShRSIOp::create(b, loc, v, p.shift);
    v = arith::AddIOp::create(b, loc, v, splat(wide, zp));
    v = arith::MaxSIOp::create(b, loc, v, splat(wide, lo));
    v = arith::MinSIOp::create(b, loc, v, splat(wide, hi));
    return arith::TruncIOp::create(b, loc, bytes, v);
  }

  /// Stores `lanes` int8 values at `out[at]`, only the first `valid`. The
  /// partial vector is stored lane by lane: LLVM 22 lowers a masked store
  /// of a saturating int32 -> int8 truncation for AVX-512 to an unmasked
  /// 4-byte `vpmovsdb`, which writes past the mask (seen with a 1-lane
  /// mask; test_kernels.py's 65-channel GEMM catches it).
  void store(Value v, Value out, Value at, int64_t valid) {
    auto type = cast<VectorType>(v.getType());
    if (valid >= type.getNumElements()) {
      vector::StoreOp::create(b, loc, v, out, at);
      return;
    }
    for (int64_t i = 0; i < valid; ++i)
      memref::StoreOp::create(
          b, loc, vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{i}),
          out, add(at, i));
  }
};

/// A 1-D view of a static, identity-layout memref.
Value flatten(OpBuilder &b, Location loc, Value m) {
  auto t = cast<MemRefType>(m.getType());
  if (t.getRank() == 1)
    return m;
  SmallVector<ReassociationIndices> all(1);
  for (int64_t i = 0; i < t.getRank(); ++i)
    all[0].push_back(i);
  return memref::CollapseShapeOp::create(b, loc, m, all);
}

/// `m` itself when it has the identity layout, else a contiguous copy.
Value contiguous(OpBuilder &b, Location loc, Value m, bool copyIn) {
  auto t = cast<MemRefType>(m.getType());
  if (t.getLayout().isIdentity())
    return m;
  Value buffer = memref::AllocOp::create(
      b, loc, MemRefType::get(t.getShape(), t.getElementType()),
      b.getI64IntegerAttr(64));
  if (copyIn)
    memref::CopyOp::create(b, loc, m, buffer);
  return buffer;
}

struct Geometry {
  int64_t n, h, w, c, oh, ow, f, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  int64_t ph() const { return h + pt + pb; }
  int64_t pw() const { return w + pl + pr; }
};

Geometry geometryOf(qc::PackedConv2DOp op) {
  auto in = cast<MemRefType>(op.getInput().getType());
  auto out = cast<MemRefType>(op.getInit().getType());
  Geometry g;
  g.n = in.getDimSize(0);
  g.h = in.getDimSize(1);
  g.w = in.getDimSize(2);
  g.c = in.getDimSize(3);
  g.oh = out.getDimSize(1);
  g.ow = out.getDimSize(2);
  g.f = out.getDimSize(3);
  g.kh = op.getKernel()[0];
  g.kw = op.getKernel()[1];
  g.sh = op.getStrides()[0];
  g.sw = op.getStrides()[1];
  g.dh = op.getDilations()[0];
  g.dw = op.getDilations()[1];
  g.pt = op.getPads()[0];
  g.pl = op.getPads()[1];
  g.pb = op.getPads()[2];
  g.pr = op.getPads()[3];
  return g;
}

/// Copies the input into a zero-point-padded channels-last buffer with
/// `cp` channels per pixel, transforming each code: +128 (`toUnsigned`)
/// or widening to int16 (`elemType` i16).
Value padInput(Emitter &e, const Geometry &g, Value input, int64_t cp,
               Type elemType, bool toUnsigned, int64_t padCode) {
  OpBuilder &b = e.b;
  Location loc = e.loc;
  int64_t size = g.n * g.ph() * g.pw() * cp;
  auto type = MemRefType::get({size}, elemType);
  Value pad = memref::AllocOp::create(b, loc, type, b.getI64IntegerAttr(64));
  // The copy below writes every real channel of every interior pixel; the
  // rest holds the pad code. With channels padded to whole K groups every
  // pixel has padding: one fill of everything. Otherwise only the border
  // rows and, on each interior row, the border pixels are filled.
  Value fill = arith::ConstantOp::create(b, loc, elemType,
                                         b.getIntegerAttr(elemType, padCode));
  auto fillRange = [&](Value offset, int64_t length) {
    if (length <= 0)
      return;
    auto range = memref::SubViewOp::create(
        b, loc, pad, ArrayRef<OpFoldResult>{offset},
        ArrayRef<OpFoldResult>{b.getIndexAttr(length)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
    linalg::FillOp::create(b, loc, ValueRange{fill}, ValueRange{range});
  };
  if (cp != g.c) {
    linalg::FillOp::create(b, loc, ValueRange{fill}, ValueRange{pad});
  } else if (g.pt || g.pl || g.pb || g.pr) {
    int64_t image = g.ph() * g.pw() * cp, line = g.pw() * cp;
    e.loop(0, g.n, 1, {}, [&](Value bi, ValueRange) {
      Value base = e.mul(bi, image);
      fillRange(base, g.pt * line);
      fillRange(e.add(base, (g.ph() - g.pb) * line), g.pb * line);
      if (g.pl || g.pr)
        e.loop(g.pt, g.ph() - g.pb, 1, {}, [&](Value y, ValueRange) {
          Value rowBase = e.add(base, e.mul(y, line));
          fillRange(rowBase, g.pl * cp);
          fillRange(e.add(rowBase, (g.pw() - g.pr) * cp), g.pr * cp);
          return SmallVector<Value>{};
        });
      return SmallVector<Value>{};
    });
  }
  Value src = flatten(b, loc, input);
  bool widen = elemType.isInteger(16);
  int64_t chunk = widen ? 16 : (g.c >= 64 ? 64 : (g.c >= 32 ? 32 : 16));
  e.loop(0, g.n * g.h, 1, {}, [&](Value row, ValueRange) {
    Value bi = e.div(row, g.h), hh = e.rem(row, g.h);
    e.loop(0, g.w, 1, {}, [&](Value ww, ValueRange) {
      Value from = e.mul(e.add(e.mul(row, g.w), ww), g.c);
      Value to = e.mul(
          e.add(e.mul(e.add(e.mul(bi, g.ph()), e.add(hh, g.pt)), g.pw()),
                e.add(ww, g.pl)),
          cp);
      // Whole vectors of `chunk` bytes, then halves down to 16 bytes (a
      // 144-channel row is 2 x 64 + 16, not 2 x 64 and 16 scalars).
      int64_t main = 0;
      for (int64_t width = chunk; width >= 16; width /= 2) {
        if (widen && width != chunk)
          break;
        auto bytes = VectorType::get({width}, b.getI8Type());
        for (; main + width <= g.c; main += width) {
          Value v =
              vector::LoadOp::create(b, loc, bytes, src, e.add(from, main));
          if (widen)
            v = arith::ExtSIOp::create(
                b, loc, VectorType::get({width}, b.getI16Type()), v);
          else if (toUnsigned)
            v = arith::XOrIOp::create(b, loc, v, e.splat(bytes, -128));
          vector::StoreOp::create(b, loc, v, pad, e.add(to, main));
        }
      }
      for (int64_t ch = main; ch < g.c; ++ch) {
        Value v = memref::LoadOp::create(b, loc, src, e.add(from, ch));
        if (widen)
          v = arith::ExtSIOp::create(b, loc, b.getI16Type(), v);
        else if (toUnsigned)
          v = arith::XOrIOp::create(
              b, loc, v,
              arith::ConstantOp::create(b, loc, b.getI8Type(),
                                        b.getI8IntegerAttr(-128)));
        memref::StoreOp::create(b, loc, v, pad, e.add(to, ch));
      }
      return SmallVector<Value>{};
    });
    return SmallVector<Value>{};
  });
  return pad;
}

struct Operands {
  Value pad, weights, bias, mult, shift, out;
  /// int32 partial sums of one row chunk x channel block between K panels
  /// (null when K is not split).
  Value partials;
};

/// A slice of the reduction: taps [tap0, tap1) and, within each, K groups
/// [grp0, grp1). The first panel starts from the bias, the last runs the
/// epilogue; between panels the accumulators wait in Operands::partials.
struct Panel {
  int64_t tap0, tap1, grp0, grp1;
  bool first, last;
};

/// Weight bytes of one channel block's K panel: a third of the 48 KiB L1
/// of current x86 cores, leaving the rest for the input rows, the partial
/// sums and the output. A panel is re-read by every row tile of a chunk,
/// so it must stay in L1: a whole 768 x 64 block is 48 KiB, and with the
/// input rows beside it every tile would stream it from L2. Measured on
/// 64x1024^2, 256x768x3072 and 1024^3 (Xeon, AVX-512 VNNI): 16 KiB ahead
/// of 24 and 32 KiB, all ahead of unsplit K by 10-25 %.
constexpr int64_t kPanelBytes = 16 * 1024;

/// The K panels of a channel block `width` wide: whole taps per panel when
/// a tap fits the budget, else each tap's groups split evenly.
SmallVector<Panel> kPanels(const KernelTarget &t, int64_t taps, int64_t groups,
                           int64_t width, bool reused) {
  int64_t tapBytes = groups * t.kGroup * width * (t.elementBits / 8);
  SmallVector<Panel> panels;
  if (!reused || taps * tapBytes <= kPanelBytes) {
    panels.push_back({0, taps, 0, groups, true, true});
    return panels;
  }
  if (tapBytes <= kPanelBytes) {
    int64_t perPanel = kPanelBytes / tapBytes;
    int64_t count = (taps + perPanel - 1) / perPanel;
    for (int64_t i = 0; i < count; ++i)
      panels.push_back({taps * i / count, taps * (i + 1) / count, 0, groups,
                        false, false});
  } else {
    int64_t count = (tapBytes + kPanelBytes - 1) / kPanelBytes;
    for (int64_t tap = 0; tap < taps; ++tap)
      for (int64_t i = 0; i < count; ++i)
        panels.push_back({tap, tap + 1, groups * i / count,
                          groups * (i + 1) / count, false, false});
  }
  panels.front().first = true;
  panels.back().last = true;
  return panels;
}

/// One `rows` x `vectors` register tile of the GEMM kernel at pixel `m0`
/// and output channel `f0`, over a channel block of `width` channels whose
/// packed weights start at `wBase`; `valid` channels of the block are real.
void emitGemmTile(Emitter &e, const KernelTarget &t, const Geometry &g,
                  const Operands &o, qc::PackedConv2DOp op, const Panel &panel,
                  Value m0, Value pRow, int64_t rows, Value f0, int64_t width,
                  Value wBase, int64_t valid) {
  OpBuilder &b = e.b;
  Location loc = e.loc;
  int64_t vectors = width / t.lanes;
  int64_t cp = paddedChannels(t, g.c), groups = cp / t.kGroup;
  Type elem = t.elementBits == 16 ? b.getI16Type() : b.getI8Type();
  auto accType = VectorType::get({t.lanes}, b.getI32Type());
  auto opType = VectorType::get({t.lanes * t.kGroup}, elem);
  auto quadType = VectorType::get({t.kGroup}, elem);
  auto oneWord = VectorType::get({1}, b.getI32Type());

  // Start of each row's receptive field in the padded input.
  SmallVector<Value> bases;
  for (int64_t r = 0; r < rows; ++r) {
    Value m = e.add(m0, r);
    Value bi = e.div(m, g.oh * g.ow), pix = e.rem(m, g.oh * g.ow);
    Value y = e.div(pix, g.ow), x = e.rem(pix, g.ow);
    bases.push_back(e.mul(
        e.add(e.mul(e.add(e.mul(bi, g.ph()), e.mul(y, g.sh)), g.pw()),
              e.mul(x, g.sw)),
        cp));
  }
  // A small tile (M = 1, row tails) has too few independent accumulators
  // to hide the dot product's latency: it then splits K over `splits`
  // accumulator sets, summed before the epilogue.
  int64_t tile = rows * vectors;
  int64_t panelGroups = panel.grp1 - panel.grp0;
  int64_t splits = std::clamp<int64_t>((12 + tile - 1) / tile, 1, 4);
  if (panelGroups < 2 * splits)
    splits = 1;
  auto partialAt = [&](int64_t r, int64_t j) {
    return e.add(e.mul(e.add(pRow, r), width), j * t.lanes);
  };
  SmallVector<Value> init;
  if (panel.first) {
    SmallVector<Value> biasVectors;
    for (int64_t j = 0; j < vectors; ++j)
      biasVectors.push_back(vector::LoadOp::create(
          b, loc, accType, o.bias, e.add(f0, j * t.lanes)));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < vectors; ++j)
        init.push_back(biasVectors[j]);
  } else {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < vectors; ++j)
        init.push_back(
            vector::LoadOp::create(b, loc, accType, o.partials, partialAt(r, j)));
  }
  Value zero = e.splat(accType, 0);
  for (int64_t s = 1; s < splits; ++s)
    init.append(tile, zero);

  auto mac = [&](Value acc, Value a, Value w) -> Value {
    if (t.isa == "avx2") {
      Value pairs = LLVM::CallIntrinsicOp::create(
                        b, loc, accType,
                        b.getStringAttr("llvm.x86.avx2.pmadd.wd"),
                        ValueRange{a, w})
                        .getResult(0);
      return arith::AddIOp::create(b, loc, acc, pairs);
    }
    StringRef name = t.isa == "avx512vnni" ? "llvm.x86.avx512.vpdpbusd.512"
                                           : "llvm.x86.avx512.vpdpbusd.256";
    return LLVM::CallIntrinsicOp::create(b, loc, accType,
                                         b.getStringAttr(name),
                                         ValueRange{acc, a, w})
        .getResult(0);
  };

  // One K group into accumulator set `set` of `acc`.
  auto step = [&](Value tapOff, Value wTap, Value grp,
                  SmallVectorImpl<Value> &acc, int64_t set) {
    Value wOff = e.add(wTap, e.mul(grp, width * t.kGroup));
    SmallVector<Value> w;
    for (int64_t j = 0; j < vectors; ++j)
      w.push_back(vector::LoadOp::create(
          b, loc, opType, o.weights, e.add(wOff, j * t.lanes * t.kGroup)));
    Value kOff = e.add(tapOff, e.mul(grp, t.kGroup));
    for (int64_t r = 0; r < rows; ++r) {
      Value quad = vector::LoadOp::create(b, loc, quadType, o.pad,
                                          e.add(bases[r], kOff));
      Value word = vector::ExtractOp::create(
          b, loc, vector::BitCastOp::create(b, loc, oneWord, quad),
          ArrayRef<int64_t>{0});
      Value a = vector::BitCastOp::create(
          b, loc, opType, vector::BroadcastOp::create(b, loc, accType, word));
      for (int64_t j = 0; j < vectors; ++j) {
        Value &slot = acc[set * tile + r * vectors + j];
        slot = mac(slot, a, w[j]);
      }
    }
  };

  int64_t mainGroups = panel.grp0 + panelGroups - panelGroups % splits;
  ValueRange carried = e.loop(panel.tap0, panel.tap1, 1, init, [&](Value tap,
                                                    ValueRange accs) {
    Value tapOff = e.add(e.mul(e.div(tap, g.kw), g.dh * g.pw() * cp),
                         e.mul(e.rem(tap, g.kw), g.dw * cp));
    Value wTap = e.add(wBase, e.mul(tap, groups * width * t.kGroup));
    ValueRange main = e.loop(panel.grp0, mainGroups, splits, accs, [&](Value grp,
                                                              ValueRange acc) {
      SmallVector<Value> next(acc.begin(), acc.end());
      for (int64_t set = 0; set < splits; ++set)
        step(tapOff, wTap, e.add(grp, set), next, set);
      return next;
    });
    SmallVector<Value> next(main.begin(), main.end());
    for (int64_t grp = mainGroups; grp < panel.grp1; ++grp)
      step(tapOff, wTap, e.idx(grp), next, 0);
    return next;
  });
  SmallVector<Value> sums(carried.begin(), carried.begin() + tile);
  for (int64_t set = 1; set < splits; ++set)
    for (int64_t i = 0; i < tile; ++i)
      sums[i] = arith::AddIOp::create(b, loc, sums[i],
                                      carried[set * tile + i]);
  if (!panel.last) {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < vectors; ++j)
        vector::StoreOp::create(b, loc, sums[r * vectors + j], o.partials,
                                partialAt(r, j));
    return;
  }

  for (int64_t j = 0; j < vectors; ++j) {
    Value at = e.add(f0, j * t.lanes);
    bool narrow = op.getNarrowRequant();
    auto params = e.channelParams(o.mult, o.shift, at, t.lanes, narrow);
    for (int64_t r = 0; r < rows; ++r) {
      Value y = e.requantize(sums[r * vectors + j], params, narrow,
                             op.getOutputZeroPoint(), op.getClampMin(),
                             op.getClampMax());
      Value outAt = e.add(e.mul(e.add(m0, r), g.f), at);
      e.store(y, o.out, outAt, valid - j * t.lanes);
    }
  }
}

/// Input rows of one cache block (see lowerGemm): a quarter of a 1 MiB+
/// L2, leaving room for the weights of a channel block and the output.
constexpr int64_t kRowChunkBytes = 256 * 1024;

void lowerGemm(Emitter &e, const KernelTarget &t, qc::PackedConv2DOp op,
               const Geometry &g, Operands o, Value input) {
  OpBuilder &b = e.b;
  int64_t cp = paddedChannels(t, g.c), taps = g.kh * g.kw;
  int64_t groups = cp / t.kGroup;
  Type elem = t.elementBits == 16 ? b.getI16Type() : b.getI8Type();
  int64_t zp = op.getInputZeroPoint();
  int64_t padCode = t.unsignedActivations ? static_cast<int8_t>(zp + 128) : zp;
  o.pad = padInput(e, g, input, cp, elem, t.unsignedActivations, padCode);
  ChannelBlocks blocks = channelBlocks(t, g.f);
  int64_t m = g.n * g.oh * g.ow;
  // Tiles of rows [start, start + count) of one channel block; a last
  // partial tile when `count` is not a multiple of the tile height.
  auto rowsLoop = [&](const Panel &panel, Value f0, int64_t width, Value wBase,
                      int64_t valid, Value start, int64_t count) {
    int64_t rows = t.rowsFor(width / t.lanes);
    int64_t main = count - count % rows;
    // A remainder of less than half a tile (49 = 8 x 6 + 1 on 7x7 maps)
    // would be a tile as slow as a full one (its weight loads serve one
    // row): the last full tile and it become two tiles of about equal
    // height instead.
    int64_t rest = count - main;
    bool balance = rest > 0 && 2 * rest < rows && main >= rows;
    if (balance)
      main -= rows;
    auto tileAt = [&](Value rel, int64_t height) {
      emitGemmTile(e, t, g, o, op, panel, e.add(start, rel), rel, height, f0,
                   width, wBase, valid);
    };
    if (main > 0)
      e.loop(0, main, rows, {}, [&](Value i, ValueRange) {
        tileAt(i, rows);
        return SmallVector<Value>{};
      });
    if (balance) {
      int64_t first = (rows + rest + 1) / 2;
      tileAt(e.idx(main), first);
      tileAt(e.idx(main + first), rows + rest - first);
    } else if (main < count) {
      tileAt(e.idx(main), count - main);
    }
  };
  // Each channel block runs its K panels in turn over the chunk's rows
  // (kPanels: a panel's weights stay in L1 while every row tile reads
  // them).
  auto blockPanels = [&](Value f0, int64_t width, Value wBase, int64_t valid,
                         Value start, int64_t count) {
    bool reused = count > t.rowsFor(width / t.lanes);
    for (const Panel &panel : kPanels(t, taps, groups, width, reused))
      rowsLoop(panel, f0, width, wBase, valid, start, count);
  };
  auto channelBlocksLoop = [&](Value start, int64_t count) {
    if (blocks.full > 0)
      e.loop(0, blocks.full, 1, {}, [&](Value nb, ValueRange) {
        Value f0 = e.mul(nb, blocks.fullWidth);
        Value wBase = e.mul(nb, blocks.fullWidth * taps * cp);
        blockPanels(f0, blocks.fullWidth, wBase, blocks.fullWidth, start,
                    count);
        return SmallVector<Value>{};
      });
    if (blocks.tailWidth > 0) {
      int64_t f0 = blocks.full * blocks.fullWidth;
      blockPanels(e.idx(f0), blocks.tailWidth, e.idx(f0 * taps * cp),
                  blocks.tailChannels, start, count);
    }
  };
  // Cache blocking over rows: the channel blocks sweep the input rows of
  // one chunk while it stays in L2, instead of streaming the whole input
  // once per channel block (1024^3: A and B together overflow L2).
  int64_t rowBytes = taps * cp * (t.elementBits / 8);
  int64_t chunk = 0;
  if (blocks.full + (blocks.tailWidth > 0) > 1 &&
      m * rowBytes > kRowChunkBytes) {
    int64_t rowsFull = t.rowsFor(blocks.fullWidth / t.lanes);
    int64_t rowsTail =
        blocks.tailWidth > 0 ? t.rowsFor(blocks.tailWidth / t.lanes) : rowsFull;
    int64_t unit = std::lcm(rowsFull, rowsTail);
    chunk = std::max<int64_t>(unit, kRowChunkBytes / rowBytes / unit * unit);
  }
  if (chunk >= m)
    chunk = 0;
  // One partial-sum buffer for the widest block over a chunk's rows, when
  // some block splits K.
  int64_t chunkRows = chunk ? chunk : m;
  int64_t widest = blocks.full > 0 ? blocks.fullWidth : blocks.tailWidth;
  if (kPanels(t, taps, groups, widest,
              chunkRows > t.rowsFor(widest / t.lanes))
          .size() > 1)
    o.partials = memref::AllocOp::create(
        b, e.loc, MemRefType::get({chunkRows * widest}, b.getI32Type()),
        b.getI64IntegerAttr(64));
  if (chunk == 0) {
    channelBlocksLoop(e.idx(0), m);
    return;
  }
  int64_t chunks = m / chunk;
  e.loop(0, chunks, 1, {}, [&](Value ci, ValueRange) {
    channelBlocksLoop(e.mul(ci, chunk), chunk);
    return SmallVector<Value>{};
  });
  if (chunks * chunk < m)
    channelBlocksLoop(e.idx(chunks * chunk), m - chunks * chunk);
}

/// Depthwise: for each output pixel and vector of channels, the taps
/// unrolled. A tap is one int16 multiply-add per lane of the sign-extended
/// codes with the weight in the lane's lower half (upper half zero, see
/// qc-pack-weights): `vpdpwssd` accumulates it in one instruction with VNNI,
/// `vpmaddwd` + `vpaddd` on AVX2; exact, as the products fit in 16 x 16
/// bits.
Value depthwiseMac(OpBuilder &b, Location loc, const KernelTarget &t, Value acc,
                   Value a, Value w) {
  Type accType = acc.getType();
  auto halves = VectorType::get({2 * t.lanes}, b.getI16Type());
  Value a16 = vector::BitCastOp::create(b, loc, halves, a);
  Value w16 = vector::BitCastOp::create(b, loc, halves, w);
  if (t.isa == "avx2") {
    Value pairs =
        LLVM::CallIntrinsicOp::create(b, loc, accType,
                                      b.getStringAttr("llvm.x86.avx2.pmadd.wd"),
                                      ValueRange{a16, w16})
            .getResult(0);
    return arith::AddIOp::create(b, loc, acc, pairs);
  }
  StringRef name = t.isa == "avx512vnni" ? "llvm.x86.avx512.vpdpwssd.512"
                                         : "llvm.x86.avx512.vpdpwssd.256";
  return LLVM::CallIntrinsicOp::create(b, loc, accType, b.getStringAttr(name),
                                       ValueRange{acc, a16, w16})
      .getResult(0);
}

void lowerDepthwise(Emitter &e, const KernelTarget &t, qc::PackedConv2DOp op,
                    const Geometry &g, Operands o, Value input) {
  OpBuilder &b = e.b;
  Location loc = e.loc;
  int64_t lanes = depthwiseLanes(t), cv = roundUp(g.c, lanes);
  o.pad = padInput(e, g, input, cv, b.getI8Type(), false,
                   op.getInputZeroPoint());
  auto accType = VectorType::get({lanes}, b.getI32Type());
  auto bytes = VectorType::get({lanes}, b.getI8Type());
  auto block = [&](Value pixelBase, Value outBase, Value c0, int64_t valid) {
    Value acc = vector::LoadOp::create(b, loc, accType, o.bias, c0);
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        Value at = e.add(e.add(pixelBase, (i * g.dh * g.pw() + j * g.dw) * cv),
                         c0);
        Value a = arith::ExtSIOp::create(
            b, loc, accType, vector::LoadOp::create(b, loc, bytes, o.pad, at));
        Value w = vector::LoadOp::create(b, loc, accType, o.weights,
                                         e.add(c0, (i * g.kw + j) * cv));
        acc = depthwiseMac(b, loc, t, acc, a, w);
      }
    bool narrow = op.getNarrowRequant();
    auto params = e.channelParams(o.mult, o.shift, c0, lanes, narrow);
    Value y = e.requantize(acc, params, narrow, op.getOutputZeroPoint(),
                           op.getClampMin(), op.getClampMax());
    e.store(y, o.out, e.add(outBase, c0), valid);
  };
  e.loop(0, g.n * g.oh, 1, {}, [&](Value row, ValueRange) {
    Value bi = e.div(row, g.oh), y = e.rem(row, g.oh);
    e.loop(0, g.ow, 1, {}, [&](Value x, ValueRange) {
      Value pixelBase = e.mul(
          e.add(e.mul(e.add(e.mul(bi, g.ph()), e.mul(y, g.sh)), g.pw()),
                e.mul(x, g.sw)),
          cv);
      Value outBase = e.mul(e.add(e.mul(row, g.ow), x), g.c);
      int64_t full = g.c / lanes;
      if (full > 0)
        e.loop(0, full, 1, {}, [&](Value cb, ValueRange) {
          block(pixelBase, outBase, e.mul(cb, lanes), lanes);
          return SmallVector<Value>{};
        });
      if (g.c % lanes)
        block(pixelBase, outBase, e.idx(full * lanes), g.c % lanes);
      return SmallVector<Value>{};
    });
    return SmallVector<Value>{};
  });
}

struct LowerPackedKernelsPass
    : quantc::impl::QCLowerPackedKernelsBase<LowerPackedKernelsPass> {
  void runOnOperation() override {
    SmallVector<qc::PackedConv2DOp> ops;
    getOperation().walk([&](qc::PackedConv2DOp op) { ops.push_back(op); });
    for (qc::PackedConv2DOp op : ops) {
      if (!op.getResult().empty()) {
        op.emitOpError("must be bufferized before qc-lower-packed-kernels");
        return signalPassFailure();
      }
      std::optional<KernelTarget> target = getKernelTarget(op.getIsa());
      OpBuilder b(op);
      Location loc = op.getLoc();
      Emitter e{b, loc};
      Geometry g = geometryOf(op);
      Value input = contiguous(b, loc, op.getInput(), true);
      Value out = contiguous(b, loc, op.getInit(), false);
      Operands o;
      o.weights = flatten(b, loc, contiguous(b, loc, op.getWeights(), true));
      o.bias = flatten(b, loc, contiguous(b, loc, op.getBias(), true));
      o.mult = flatten(b, loc, contiguous(b, loc, op.getMultiplier(), true));
      o.shift = flatten(b, loc, contiguous(b, loc, op.getShift(), true));
      o.out = flatten(b, loc, out);
      if (op.getDepthwise())
        lowerDepthwise(e, *target, op, g, o, input);
      else
        lowerGemm(e, *target, op, g, o, input);
      if (out != op.getInit())
        memref::CopyOp::create(b, loc, out, op.getInit());
      op.erase();
    }
  }
};

} // namespace
