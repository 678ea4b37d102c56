/* Runs a quantc-compiled model with every buffer against an inaccessible
 * guard page, to catch generated code that reads or writes outside its
 * input, output or workspace (the generated code is not compiled by a
 * sanitizing compiler, so this and valgrind are how it is checked).
 *
 *   cc -O2 -I OUTDIR -DMODEL_HEADER='"m.h"' -DMODEL=m guard_harness.c \
 *      OUTDIR/m.o -lm -o guard
 *   ./guard IN.bin OUT.bin
 *
 * IN.bin holds one sample of MODEL_INPUT0_SIZE float32 values; OUT.bin
 * receives the output. The model runs four times:
 *   1. input, output and workspace each ending exactly at a guard page
 *      (an overrun faults), the workspace filled with 0xA5 first;
 *   2. each starting right after a guard page (an underrun faults), the
 *      workspace filled with 0x5A: a result that depends on workspace
 *      contents it did not write differs from run 1;
 *   3. MODEL_run, which allocates its own workspace;
 *   4. run 1 again on the same buffers (no state kept between calls).
 * All four outputs must be equal bit for bit (exit 3 otherwise); the input
 * must be unchanged (exit 4). A fault ends the process with SIGSEGV. */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include MODEL_HEADER

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define SYM(suffix) CAT(MODEL, suffix)

#if SYM(_NUM_INPUTS) != 1 || SYM(_NUM_OUTPUTS) != 1
#error "guard_harness.c handles models with one input and one output"
#endif

enum { IN_BYTES = SYM(_INPUT0_SIZE) * 4, OUT_BYTES = SYM(_OUTPUT0_SIZE) * 4 };

static size_t page;

/* `bytes` usable bytes with a PROT_NONE page after them (`atEnd`) or before
 * them; `align` is the alignment the start must keep. */
static void *guarded(size_t bytes, int atEnd, size_t align) {
  size_t span = (bytes + align - 1) / align * align;
  size_t body = (span + page - 1) / page * page;
  if (body == 0)
    body = page;
  unsigned char *base = mmap(NULL, body + 2 * page, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) {
    perror("mmap");
    exit(2);
  }
  mprotect(base, page, PROT_NONE);
  mprotect(base + page + body, page, PROT_NONE);
  return atEnd ? base + page + body - span : base + page;
}

static int readAll(const char *path, void *to, size_t bytes) {
  FILE *f = fopen(path, "rb");
  if (!f || fread(to, 1, bytes, f) != bytes) {
    fprintf(stderr, "cannot read %zu bytes from %s\n", bytes, path);
    return 0;
  }
  fclose(f);
  return 1;
}

static int runGuarded(int atEnd, unsigned char pattern, const void *sample,
                      void *result) {
  size_t ws = SYM(_workspace_size)();
  void *in = guarded(IN_BYTES, atEnd, 4);
  void *out = guarded(OUT_BYTES, atEnd, 4);
  void *work = guarded(ws, atEnd, 64);
  memcpy(in, sample, IN_BYTES);
  memset(out, 0xEE, OUT_BYTES);
  memset(work, pattern, ws);
  const void *inputs[1] = {in};
  void *outputs[1] = {out};
  int rc = SYM(_run_with_workspace)(inputs, outputs, work);
  if (rc != 0) {
    fprintf(stderr, "run_with_workspace returned %d\n", rc);
    exit(2);
  }
  if (memcmp(in, sample, IN_BYTES) != 0) {
    fprintf(stderr, "the model wrote to its input\n");
    exit(4);
  }
  memcpy(result, out, OUT_BYTES);
  if (atEnd) { /* run again on the same buffers */
    memset(out, 0x11, OUT_BYTES);
    rc = SYM(_run_with_workspace)(inputs, outputs, work);
    if (rc != 0 || memcmp(out, result, OUT_BYTES) != 0) {
      fprintf(stderr, "a second call on the same buffers differs\n");
      exit(3);
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s IN.bin OUT.bin\n", argv[0]);
    return 2;
  }
  page = (size_t)sysconf(_SC_PAGESIZE);
  static unsigned char sample[IN_BYTES], r1[OUT_BYTES], r2[OUT_BYTES],
      r3[OUT_BYTES];
  if (!readAll(argv[1], sample, IN_BYTES))
    return 2;
  runGuarded(1, 0xA5, sample, r1);
  runGuarded(0, 0x5A, sample, r2);
  const void *inputs[1] = {sample};
  void *outputs[1] = {r3};
  if (SYM(_run)(inputs, outputs) != 0) {
    fprintf(stderr, "run returned non-zero\n");
    return 2;
  }
  if (memcmp(r1, r2, OUT_BYTES) != 0) {
    fprintf(stderr, "the output depends on the workspace's initial contents "
                    "or on where the buffers are\n");
    return 3;
  }
  if (memcmp(r1, r3, OUT_BYTES) != 0) {
    fprintf(stderr, "run and run_with_workspace differ\n");
    return 3;
  }
  FILE *f = fopen(argv[2], "wb");
  if (!f || fwrite(r1, 1, OUT_BYTES, f) != OUT_BYTES) {
    perror(argv[2]);
    return 2;
  }
  fclose(f);
  return 0;
}
