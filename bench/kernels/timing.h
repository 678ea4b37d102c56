// Timing shared by the kernel harnesses (peers.cpp, qcrun.c): warm up, then
// time batches of calls (a batch lasts at least ~1 ms, so clock resolution
// and call overhead do not matter), and report the median per-call time of
// at least BENCH_MIN_SAMPLES batches.
//
// Two clocks: the CPU time of the calling thread (every harness runs its
// kernel on that one thread), which time slices taken by other processes
// do not inflate, and the wall clock. The benchmark reports the first; a
// wall median far above it means the machine was shared.
#ifndef QUANTC_BENCH_TIMING_H
#define QUANTC_BENCH_TIMING_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_MIN_SAMPLES 20
#define BENCH_MAX_SAMPLES 200
#define BENCH_BATCH_SECONDS 1e-3
#define BENCH_MIN_SECONDS 0.25 /* past the minimum count, sample this long */

typedef void (*bench_fn)(void *ctx);

static double bench_clock(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int bench_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double bench_median(double *v, int n) {
  qsort(v, n, sizeof v[0], bench_cmp);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

typedef struct {
  double median_us, min_us, wall_median_us;
  int samples, batch;
} bench_result;

static bench_result bench_run(bench_fn fn, void *ctx) {
  bench_result r;
  // Warm-up: at least 3 calls and 0.1 s; it also estimates one call.
  int calls = 0;
  double start = bench_clock(CLOCK_MONOTONIC), t;
  do {
    fn(ctx);
    ++calls;
    t = bench_clock(CLOCK_MONOTONIC) - start;
  } while (calls < 3 || t < 0.1);
  double per_call = t / calls;
  r.batch = per_call >= BENCH_BATCH_SECONDS ? 1 : (int)(BENCH_BATCH_SECONDS / per_call) + 1;
  double cpu[BENCH_MAX_SAMPLES], wall[BENCH_MAX_SAMPLES], total = 0;
  int n = 0;
  while (n < BENCH_MAX_SAMPLES && (n < BENCH_MIN_SAMPLES || total < BENCH_MIN_SECONDS)) {
    double w = bench_clock(CLOCK_MONOTONIC), c = bench_clock(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < r.batch; ++i) fn(ctx);
    c = bench_clock(CLOCK_THREAD_CPUTIME_ID) - c;
    w = bench_clock(CLOCK_MONOTONIC) - w;
    total += w;
    cpu[n] = c / r.batch;
    wall[n++] = w / r.batch;
  }
  r.samples = n;
  r.median_us = 1e6 * bench_median(cpu, n);
  r.min_us = 1e6 * cpu[0];
  r.wall_median_us = 1e6 * bench_median(wall, n);
  return r;
}

// One JSON object per measurement on stdout, read by bench/perf/kernels.py.
static void bench_print(const char *impl, bench_result r) {
  printf("{\"median_us\": %.3f, \"min_us\": %.3f, \"wall_median_us\": %.3f, \"samples\": %d, "
         "\"batch\": %d, \"impl\": \"%s\"}\n",
         r.median_us, r.min_us, r.wall_median_us, r.samples, r.batch, impl);
  fflush(stdout);
}

#endif
