/* Calls the compiled cifar10 model with malformed tensors and prints, for each
 * call, the status string and netc_last_error(); ends with a correct call.
 * Used by tests/lit/codegen/runtime-errors.test. */
#include "cifar10.h"

#include <stdio.h>
#include <stdlib.h>

static float pixels[2 * 3 * 32 * 32];
static float scores[2 * 10];

static void report(const char *what, netc_status status) {
  printf("%s: %s (%d): %s\n", what, netc_status_string(status), (int)status, netc_last_error());
}

int main(void) {
  int64_t in_shape[4] = {1, 3, 32, 32}, out_shape[2] = {1, 10};
  int64_t wrong_in[4] = {1, 3, 28, 28};
  int64_t in_rank3[3] = {3, 32, 32};
  int64_t in_batch2[4] = {2, 3, 32, 32};
  for (size_t i = 0; i < sizeof pixels / sizeof pixels[0]; ++i)
    pixels[i] = (float)(i % 17) / 17.0f;

  netc_tensor image = netc_tensor_f32(pixels, 4, in_shape);
  netc_tensor probs = netc_tensor_f32(scores, 2, out_shape);

  netc_tensor wrong = netc_tensor_f32(pixels, 4, wrong_in);
  report("wrong input shape", cifar10_run(&wrong, &probs));

  report("null input", cifar10_run(NULL, &probs));
  report("null output", cifar10_run(&image, NULL));

  netc_tensor no_data = netc_tensor_f32(NULL, 4, in_shape);
  report("null data", cifar10_run(&no_data, &probs));

  netc_tensor rank3 = netc_tensor_f32(pixels, 3, in_rank3);
  report("wrong rank", cifar10_run(&rank3, &probs));

  netc_tensor bad_rank = image;
  bad_rank.rank = 9;
  report("rank out of range", cifar10_run(&bad_rank, &probs));

  netc_tensor bad_dtype = image;
  bad_dtype.dtype = (netc_dtype)7;
  report("wrong dtype", cifar10_run(&bad_dtype, &probs));

  netc_tensor batch2 = netc_tensor_f32(pixels, 4, in_batch2);
  report("batch mismatch", cifar10_run(&batch2, &probs));

  netc_status status = cifar10_run(&image, &probs);
  report("correct call", status);
  if (status == NETC_OK) {
    float sum = 0;
    for (int i = 0; i < 10; ++i)
      sum += scores[i];
    printf("sum of probabilities: %.3f\n", sum);
  }
  return status == NETC_OK ? 0 : 1;
}
