/* Header of test/e2e/data/faulty_model.c, in the form quantc writes. */
#include <stddef.h>
#define faulty_NUM_INPUTS 1
#define faulty_INPUT0_SIZE 13 /* elements */
#define faulty_NUM_OUTPUTS 1
#define faulty_OUTPUT0_SIZE 7 /* elements */
#define faulty_WORKSPACE_SIZE 64
int faulty_run(const void *const *inputs, void *const *outputs);
int faulty_run_with_workspace(const void *const *inputs, void *const *outputs,
                              void *workspace);
size_t faulty_workspace_size(void);
