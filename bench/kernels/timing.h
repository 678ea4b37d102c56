// Timing shared by the kernel harnesses (peers.cpp, qcrun.c): warm up, then
// time batches of calls (a batch lasts at least ~1 ms, so clock resolution
// and call overhead do not matter), and report the median per-call time of
// at least BENCH_MIN_SAMPLES batches.
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

static double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int bench_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef struct {
  double median_us, min_us;
  int samples, batch;
} bench_result;

static bench_result bench_run(bench_fn fn, void *ctx) {
  bench_result r;
  // Warm-up: at least 3 calls and 0.1 s; it also estimates one call.
  int calls = 0;
  double start = bench_now(), t;
  do {
    fn(ctx);
    ++calls;
    t = bench_now() - start;
  } while (calls < 3 || t < 0.1);
  double per_call = t / calls;
  r.batch = per_call >= BENCH_BATCH_SECONDS ? 1 : (int)(BENCH_BATCH_SECONDS / per_call) + 1;
  double times[BENCH_MAX_SAMPLES], total = 0;
  int n = 0;
  while (n < BENCH_MAX_SAMPLES && (n < BENCH_MIN_SAMPLES || total < BENCH_MIN_SECONDS)) {
    double s = bench_now();
    for (int i = 0; i < r.batch; ++i) fn(ctx);
    double e = bench_now() - s;
    total += e;
    times[n++] = e / r.batch;
  }
  qsort(times, n, sizeof times[0], bench_cmp);
  r.samples = n;
  r.median_us = 1e6 * (n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]));
  r.min_us = 1e6 * times[0];
  return r;
}

// One JSON object per measurement on stdout, read by bench/kernels/run.py.
static void bench_print(const char *impl, bench_result r) {
  printf("{\"median_us\": %.3f, \"min_us\": %.3f, \"samples\": %d, \"batch\": %d, \"impl\": \"%s\"}\n",
         r.median_us, r.min_us, r.samples, r.batch, impl);
  fflush(stdout);
}

#endif
