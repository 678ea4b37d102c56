// Times NAME_run_with_workspace of a model compiled by quantc with
// `--emit shared`, one thread, preallocated buffers (no malloc in the loop).
//
//   qcrun LIB.so NAME IN... -- OUT_BYTES...
//
// An input IN is BYTES of float32, filled with uniform [-1, 1) values (the
// distribution the benchmark calibrates on), or u8:N / i8:N, N random
// bytes. Prints one JSON line (timing.h).

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timing.h"

typedef int (*run_fn)(const void *const *, void *const *, void *);
typedef size_t (*size_fn)(void);

struct ctx {
  run_fn run;
  const void **in;
  void **out;
  void *ws;
};

static void call(void *p) {
  struct ctx *c = p;
  if (c->run(c->in, c->out, c->ws) != 0) {
    fprintf(stderr, "qcrun: the model returned an error\n");
    exit(1);
  }
}

static void *alloc64(size_t n) {
  void *p = aligned_alloc(64, (n + 63) / 64 * 64 + 64);
  if (!p) {
    fprintf(stderr, "qcrun: out of memory\n");
    exit(1);
  }
  return p;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: qcrun LIB.so NAME IN... -- OUT_BYTES...\n");
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "qcrun: %s\n", dlerror());
    return 1;
  }
  char sym[512];
  snprintf(sym, sizeof sym, "%s_run_with_workspace", argv[2]);
  struct ctx c = {0};
  c.run = (run_fn)dlsym(lib, sym);
  snprintf(sym, sizeof sym, "%s_workspace_size", argv[2]);
  size_fn wsSize = (size_fn)dlsym(lib, sym);
  if (!c.run || !wsSize) {
    fprintf(stderr, "qcrun: %s lacks %s_run_with_workspace/_workspace_size\n", argv[1], argv[2]);
    return 1;
  }
  c.in = calloc(argc, sizeof *c.in);
  c.out = calloc(argc, sizeof *c.out);
  int nin = 0, nout = 0, outputs = 0;
  srand(1);
  for (int i = 3; i < argc; ++i) {
    if (!strcmp(argv[i], "--")) {
      outputs = 1;
      continue;
    }
    int codes = !outputs && (!strncmp(argv[i], "u8:", 3) || !strncmp(argv[i], "i8:", 3));
    size_t bytes = strtoull(argv[i] + (codes ? 3 : 0), NULL, 10);
    void *p = alloc64(bytes);
    if (outputs) {
      memset(p, 0, bytes);
      c.out[nout++] = p;
    } else if (codes) {
      unsigned char *b = p;
      for (size_t k = 0; k < bytes; ++k) b[k] = (unsigned char)(rand() >> 7);
      c.in[nin++] = p;
    } else {
      float *f = p;
      for (size_t k = 0; k < bytes / sizeof(float); ++k) f[k] = 2.0f * (float)rand() / (float)RAND_MAX - 1.0f;
      c.in[nin++] = p;
    }
  }
  c.ws = alloc64(wsSize());
  bench_print("quantc", bench_run(call, &c));
  return 0;
}
