/* Runs a quantc-compiled model over a file of samples.
 *
 *   cc -O2 -I OUTDIR -DMODEL_HEADER='"digits.h"' -DMODEL=digits \
 *      harness.c OUTDIR/digits.o -lm -o harness
 *   ./harness IN.bin OUT.bin N
 *
 * IN.bin holds exactly N samples of MODEL_INPUT0_SIZE float32 values;
 * OUT.bin receives N outputs of MODEL_OUTPUT0_SIZE float32 values. Every
 * sample runs through both entry points, MODEL_run_with_workspace (with a
 * caller-allocated workspace) and MODEL_run, which must agree bit for bit.
 * Handles models with one input and one output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include MODEL_HEADER

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define SYM(suffix) CAT(MODEL, suffix)

#if SYM(_NUM_INPUTS) != 1 || SYM(_NUM_OUTPUTS) != 1
#error "harness.c handles models with one input and one output"
#endif

enum { IN_SIZE = SYM(_INPUT0_SIZE), OUT_SIZE = SYM(_OUTPUT0_SIZE) };

static int fail(const char *what) {
  perror(what);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s IN.bin OUT.bin N\n", argv[0]);
    return 2;
  }
  char *end;
  long n = strtol(argv[3], &end, 10);
  if (*end != '\0' || n < 0) {
    fprintf(stderr, "bad sample count '%s'\n", argv[3]);
    return 2;
  }

  FILE *in = fopen(argv[1], "rb");
  if (!in)
    return fail(argv[1]);
  FILE *out = fopen(argv[2], "wb");
  if (!out)
    return fail(argv[2]);

  size_t ws_size = SYM(_workspace_size)();
  /* malloc(0) may return NULL; the model must accept any valid pointer. */
  void *workspace = malloc(ws_size ? ws_size : 1);
  if (!workspace)
    return fail("malloc");

  static float x[IN_SIZE], y[OUT_SIZE], y_ws[OUT_SIZE];
  const void *inputs[1] = {x};
  void *outputs[1] = {y}, *outputs_ws[1] = {y_ws};

  for (long i = 0; i < n; ++i) {
    if (fread(x, sizeof(float), IN_SIZE, in) != IN_SIZE) {
      fprintf(stderr, "%s: short read at sample %ld\n", argv[1], i);
      return 1;
    }
    int rc = SYM(_run_with_workspace)(inputs, outputs_ws, workspace);
    if (rc != 0) {
      fprintf(stderr, "run_with_workspace failed on sample %ld: %d\n", i, rc);
      return 1;
    }
    rc = SYM(_run)(inputs, outputs);
    if (rc != 0) {
      fprintf(stderr, "run failed on sample %ld: %d\n", i, rc);
      return 1;
    }
    if (memcmp(y, y_ws, sizeof y) != 0) {
      fprintf(stderr, "run and run_with_workspace disagree on sample %ld\n", i);
      return 1;
    }
    if (fwrite(y, sizeof(float), OUT_SIZE, out) != OUT_SIZE)
      return fail(argv[2]);
  }
  if (fgetc(in) != EOF) {
    fprintf(stderr, "%s: holds more than %ld samples\n", argv[1], n);
    return 1;
  }
  free(workspace);
  fclose(in);
  if (fclose(out) != 0)
    return fail(argv[2]);
  return 0;
}
