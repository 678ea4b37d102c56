/* A hand-written stand-in for a generated model with one deliberate fault,
 * chosen by FAULT, used to show that guard_harness.c catches each kind:
 *   1: writes one float past its output       (fault at the end guard)
 *   2: reads one float before its input       (fault at the start guard)
 *   3: reads workspace bytes it never wrote   (results differ by pattern)
 *   4: writes to its input                    (input changed)
 *   0: none (the harness must pass). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "faulty.h"

size_t faulty_workspace_size(void) { return faulty_WORKSPACE_SIZE; }

int faulty_run_with_workspace(const void *const *inputs, void *const *outputs,
                              void *workspace) {
  const float *x = inputs[0];
  float *y = outputs[0];
  float *w = workspace;
  float bias = 0.0f;
  if (FAULT == 3)
    bias = w[3]; /* never written */
  if (FAULT == 2)
    bias = x[-1] * 0.0f;
  w[0] = 1.0f;
  for (int i = 0; i < faulty_OUTPUT0_SIZE + (FAULT == 1); ++i)
    y[i] = x[i % faulty_INPUT0_SIZE] * w[0] + bias;
  if (FAULT == 4)
    ((float *)x)[0] += 1.0f;
  return 0;
}

int faulty_run(const void *const *inputs, void *const *outputs) {
  void *w = aligned_alloc(64, faulty_WORKSPACE_SIZE);
  memset(w, 0, faulty_WORKSPACE_SIZE);
  int rc = faulty_run_with_workspace(inputs, outputs, w);
  free(w);
  return rc;
}
