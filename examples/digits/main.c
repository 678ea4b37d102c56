/* Classifies ten held-out handwritten digits with an int8 MLP compiled by
 * quantc.
 *
 *   quantc compile mlp.onnx --calibration-data calib.npy -o build/digits.o
 *   cc -O2 -I build main.c build/digits.o -lm -o digits_example
 *   ./digits_example
 *
 * For an ARM64 board add `--target aarch64-linux-gnu` and link with
 * aarch64-linux-gnu-gcc. samples.h comes from make_example.py.
 */
#include <stdio.h>
#include <stdlib.h>

#include "digits.h"
#include "samples.h"

_Static_assert(digits_NUM_INPUTS == 1 && digits_NUM_OUTPUTS == 1,
               "the model has one input and one output");
_Static_assert(digits_INPUT0_SIZE == EXAMPLE_SAMPLE_SIZE,
               "the model takes one 8x8 image");

int main(void) {
  /* One workspace for every call (digits_run would allocate one per call);
   * digits_WORKSPACE_SIZE is the same number at compile time. */
  size_t size = (digits_workspace_size() + 63) / 64 * 64;
  void *workspace = aligned_alloc(64, size ? size : 64);
  if (!workspace) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  int correct = 0;
  for (int i = 0; i < EXAMPLE_NUM_SAMPLES; ++i) {
    float logits[digits_OUTPUT0_SIZE];
    const void *inputs[1] = {example_samples[i]};
    void *outputs[1] = {logits};
    int status = digits_run_with_workspace(inputs, outputs, workspace);
    if (status != 0) {
      fprintf(stderr, "digits_run_with_workspace failed on sample %d: %d\n", i,
              status);
      free(workspace);
      return 1;
    }
    int predicted = 0;
    for (int k = 1; k < digits_OUTPUT0_SIZE; ++k)
      if (logits[k] > logits[predicted])
        predicted = k;
    printf("sample %d: predicted %d (label %d)\n", i, predicted,
           example_labels[i]);
    correct += predicted == example_labels[i];
  }
  printf("accuracy: %d/%d\n", correct, EXAMPLE_NUM_SAMPLES);
  free(workspace);
  return 0;
}
