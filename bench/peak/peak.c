// Register-only throughput peaks of one core: the ceilings that the kernel
// benchmark (bench/kernels) reports its percentages against.
//
//   clang-22 -O2 -o peak bench/peak/peak.c && taskset -c 0 ./peak [SECONDS [NAME...]]
//
// Each sequence is an unrolled loop of independent accumulators (enough to
// cover the instruction's latency at its throughput) reading two registers,
// so nothing touches memory. Output: one line per sequence,
//   NAME GMAC/s MAC/cycle
// or "NAME not available on this CPU (needs FEATURE)". A final line gives
// the clock estimate (a chain of dependent adds retires one per cycle).
// NAMEs after SECONDS are treated as absent, to see the report of a CPU
// without them.

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// CPU time of this thread: time slices lost to other processes (the
// benchmark shares the machine) do not count against the peak.
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

#define REPS 10 // best of

#define R6(x) x x x x x x
#define R12(x) R6(x) R6(x)

// The clock, from a chain of dependent register-register adds (one cycle
// each; an add of an immediate is not used because recent Intel cores
// execute some of those at rename, faster than one per cycle).
static double ghz(void) {
  const long iters = 200000;
  double best = 0;
  for (int rep = 0; rep < REPS; ++rep) {
    uint64_t x = 0, one = 1;
    double t = now();
    for (long i = 0; i < iters; ++i) {
      __asm__ volatile(R6(R12(R12("add %1, %0\n\t"))) : "+r"(x) : "r"(one));  // 864 adds
    }
    t = now() - t;
    double g = iters * 864.0 / t * 1e-9;
    if (g > best) best = g;
  }
  return best;
}

// Accumulators acc0..accN-1 = op(src0, src1, acc): every instruction of one
// iteration is independent of the others of that iteration.
#define ZMM24(op)                                                              \
  op "%%zmm30, %%zmm31, %%zmm0\n\t" op "%%zmm30, %%zmm31, %%zmm1\n\t" op       \
     "%%zmm30, %%zmm31, %%zmm2\n\t" op "%%zmm30, %%zmm31, %%zmm3\n\t" op       \
     "%%zmm30, %%zmm31, %%zmm4\n\t" op "%%zmm30, %%zmm31, %%zmm5\n\t" op       \
     "%%zmm30, %%zmm31, %%zmm6\n\t" op "%%zmm30, %%zmm31, %%zmm7\n\t" op       \
     "%%zmm30, %%zmm31, %%zmm8\n\t" op "%%zmm30, %%zmm31, %%zmm9\n\t" op       \
     "%%zmm30, %%zmm31, %%zmm10\n\t" op "%%zmm30, %%zmm31, %%zmm11\n\t" op     \
     "%%zmm30, %%zmm31, %%zmm12\n\t" op "%%zmm30, %%zmm31, %%zmm13\n\t" op     \
     "%%zmm30, %%zmm31, %%zmm14\n\t" op "%%zmm30, %%zmm31, %%zmm15\n\t" op     \
     "%%zmm30, %%zmm31, %%zmm16\n\t" op "%%zmm30, %%zmm31, %%zmm17\n\t" op     \
     "%%zmm30, %%zmm31, %%zmm18\n\t" op "%%zmm30, %%zmm31, %%zmm19\n\t" op     \
     "%%zmm30, %%zmm31, %%zmm20\n\t" op "%%zmm30, %%zmm31, %%zmm21\n\t" op     \
     "%%zmm30, %%zmm31, %%zmm22\n\t" op "%%zmm30, %%zmm31, %%zmm23\n\t"
#define ZMM_CLOBBERS                                                           \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",      \
      "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16",   \
      "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm30",  \
      "xmm31"
// VEX encodings reach only ymm0-15: 12 accumulators, sources ymm14/ymm15.
#define YMM12(op)                                                              \
  op "%%ymm14, %%ymm15, %%ymm0\n\t" op "%%ymm14, %%ymm15, %%ymm1\n\t" op       \
     "%%ymm14, %%ymm15, %%ymm2\n\t" op "%%ymm14, %%ymm15, %%ymm3\n\t" op       \
     "%%ymm14, %%ymm15, %%ymm4\n\t" op "%%ymm14, %%ymm15, %%ymm5\n\t" op       \
     "%%ymm14, %%ymm15, %%ymm6\n\t" op "%%ymm14, %%ymm15, %%ymm7\n\t" op       \
     "%%ymm14, %%ymm15, %%ymm8\n\t" op "%%ymm14, %%ymm15, %%ymm9\n\t" op       \
     "%%ymm14, %%ymm15, %%ymm10\n\t" op "%%ymm14, %%ymm15, %%ymm11\n\t"
#define YMM_CLOBBERS                                                           \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",      \
      "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
// vpmaddwd into a temporary, then vpaddd into the accumulator.
#define MADD_ZMM(t, a)                                                         \
  "vpmaddwd %%zmm30, %%zmm31, %%zmm" #t "\n\t"                                 \
  "vpaddd %%zmm" #t ", %%zmm" #a ", %%zmm" #a "\n\t"
#define MADD_YMM(t, a)                                                         \
  "vpmaddwd %%ymm14, %%ymm15, %%ymm" #t "\n\t"                                 \
  "vpaddd %%ymm" #t ", %%ymm" #a ", %%ymm" #a "\n\t"

typedef void (*loop_fn)(long iters);

// One loop per sequence; target() lets clang assemble the instructions
// whatever -march is, main() runs only those the CPU has.
#define LOOP(name, features, body, clobbers)                                   \
  __attribute__((target(features))) static void name(long n) {                 \
    for (long i = 0; i < n; ++i) __asm__ volatile(body ::: clobbers);          \
  }
LOOP(fma_zmm, "avx512f", ZMM24("vfmadd231ps "), ZMM_CLOBBERS)
LOOP(fma_ymm, "avx2,fma", YMM12("vfmadd231ps "), YMM_CLOBBERS)
LOOP(vnni_zmm, "avx512f,avx512vnni", ZMM24("vpdpbusd "), ZMM_CLOBBERS)
LOOP(avxvnni_ymm, "avx2,avxvnni", YMM12("%{vex%} vpdpbusd "), YMM_CLOBBERS)
LOOP(maddwd_zmm, "avx512f,avx512bw",
     MADD_ZMM(12, 0) MADD_ZMM(13, 1) MADD_ZMM(14, 2) MADD_ZMM(15, 3)
         MADD_ZMM(16, 4) MADD_ZMM(17, 5) MADD_ZMM(18, 6) MADD_ZMM(19, 7)
             MADD_ZMM(20, 8) MADD_ZMM(21, 9) MADD_ZMM(22, 10) MADD_ZMM(23, 11),
     ZMM_CLOBBERS)
// 6 accumulators, each fed twice per iteration through its own temporaries.
LOOP(maddwd_ymm, "avx2",
     MADD_YMM(6, 0) MADD_YMM(7, 1) MADD_YMM(8, 2) MADD_YMM(9, 3)
         MADD_YMM(10, 4) MADD_YMM(11, 5) MADD_YMM(12, 0) MADD_YMM(13, 1)
             MADD_YMM(6, 2) MADD_YMM(7, 3) MADD_YMM(8, 4) MADD_YMM(9, 5),
     YMM_CLOBBERS)

struct sequence {
  const char *name;      // as printed and parsed by bench/run.py
  const char *what;      // the instruction sequence
  const char *needs;     // the feature it needs, for the "not available" line
  int available;         // __builtin_cpu_supports; -1: masked by an argument
  loop_fn fn;
  double macs_per_iter;  // multiply-accumulates of one loop iteration
};

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 0.1;  // per repetition
  __builtin_cpu_init();
  struct sequence seqs[] = {
      {"fma_ymm", "vfmadd231ps ymm, 12 accumulators", "fma", 0, fma_ymm, 12 * 8},
      {"fma_zmm", "vfmadd231ps zmm, 24 accumulators", "avx512f", 0, fma_zmm, 24 * 16},
      {"maddwd_ymm", "vpmaddwd + vpaddd ymm (int16 pairs), 6 accumulators x 2", "avx2", 0,
       maddwd_ymm, 12 * 16},
      {"maddwd_zmm", "vpmaddwd + vpaddd zmm (int16 pairs), 12 accumulators", "avx512bw", 0,
       maddwd_zmm, 12 * 32},
      {"avxvnni_ymm", "{vex} vpdpbusd ymm (AVX-VNNI, u8 x s8), 12 accumulators", "avxvnni", 0,
       avxvnni_ymm, 12 * 32},
      {"vnni_zmm", "vpdpbusd zmm (AVX512-VNNI, u8 x s8), 24 accumulators", "avx512vnni", 0,
       vnni_zmm, 24 * 64},
  };
  seqs[0].available = __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx2");
  seqs[1].available = __builtin_cpu_supports("avx512f");
  seqs[2].available = __builtin_cpu_supports("avx2");
  seqs[3].available = __builtin_cpu_supports("avx512bw");
  seqs[4].available = __builtin_cpu_supports("avxvnni");
  seqs[5].available = __builtin_cpu_supports("avx512vnni");
  for (int a = 2; a < argc; ++a)
    for (size_t s = 0; s < sizeof seqs / sizeof seqs[0]; ++s)
      if (!strcmp(argv[a], seqs[s].name)) seqs[s].available = -1;

  double clock = ghz();
  for (size_t s = 0; s < sizeof seqs / sizeof seqs[0]; ++s) {
    struct sequence *q = &seqs[s];
    if (q->available <= 0) {
      printf("%s not available %s (needs %s): %s\n", q->name,
             q->available ? "(masked on the command line)" : "on this CPU", q->needs, q->what);
      fflush(stdout);
      continue;
    }
    // Calibrate the iteration count to about `seconds`, then keep the best
    // of REPS repetitions (the first ones also warm up the wide units).
    long iters = 1000;
    for (;;) {
      double t = now();
      q->fn(iters);
      t = now() - t;
      if (t > seconds / 4) {
        iters = (long)(iters * seconds / t);
        break;
      }
      iters *= 4;
    }
    double best = 0;
    for (int rep = 0; rep < REPS; ++rep) {
      double t = now();
      q->fn(iters);
      t = now() - t;
      double g = iters * q->macs_per_iter / t * 1e-9;
      if (g > best) best = g;
    }
    printf("%s %.1f %.1f : %s\n", q->name, best, best / clock, q->what);
    fflush(stdout);
  }
  printf("clock_ghz %.2f : dependent scalar adds, 1 per cycle\n", clock);
  return 0;
}
