/*
 * classify: an application embedding the CIFAR-10 network compiled by netc.
 *
 *   netc compile examples/models/cifar10.nn --weights w.safetensors -o out/
 *   cc classify.c -Iout -Iruntime/include out/libcifar10.a libnetc_runtime.a \
 *      -lpthread -ldl -lm -o classify
 *   ./classify [image.npy] [--expect probs.npy] [--batch N] [--threads T]
 *
 * Without an image it classifies a synthetic one. With --expect it compares the
 * probabilities with a reference (e.g. from `netc run --reference`) and exits
 * nonzero on a mismatch, which is how the test suite uses it.
 */
#include "cifar10.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kClasses[10] = {"airplane", "automobile", "bird",  "cat",  "deer",
                                         "dog",      "frog",       "horse", "ship", "truck"};

static int fail(const char *what, netc_status status) {
  fprintf(stderr, "classify: %s: %s: %s\n", what, netc_status_string(status), netc_last_error());
  return 1;
}

int main(int argc, char **argv) {
  const char *imagePath = NULL, *expectPath = NULL;
  int64_t batch = 1;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--expect") && i + 1 < argc)
      expectPath = argv[++i];
    else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
      batch = atoll(argv[++i]);
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
      netc_set_num_threads(atoi(argv[++i]));
    else
      imagePath = argv[i];
  }

  netc_tensor image;
  float *synthetic = NULL;
  if (imagePath) {
    netc_status st = netc_npy_read(imagePath, &image);
    if (st != NETC_OK)
      return fail("reading the image", st);
    batch = image.shape[0];
  } else {
    /* A smooth synthetic image: a colour gradient with a bright disc. */
    int64_t shape[4] = {batch, 3, 32, 32};
    synthetic = malloc(sizeof(float) * (size_t)(batch * 3 * 32 * 32));
    for (int64_t i = 0; i < batch * 3 * 32 * 32; ++i) {
      int64_t x = i % 32, y = (i / 32) % 32, c = (i / 1024) % 3;
      float disc = ((x - 16) * (x - 16) + (y - 12) * (y - 12) < 60) ? 0.8f : 0.0f;
      synthetic[i] = (float)c * 0.1f + (float)y / 64.0f - (float)x / 96.0f + disc;
    }
    image = netc_tensor_f32(synthetic, 4, shape);
  }

  int64_t probsShape[2] = {batch, 10};
  float *probs = malloc(sizeof(float) * (size_t)(batch * 10));
  netc_tensor out = netc_tensor_f32(probs, 2, probsShape);
  netc_status st = cifar10_run(&image, &out);
  if (st != NETC_OK)
    return fail("running cifar10", st);

  for (int64_t n = 0; n < batch; ++n) {
    int order[10];
    for (int k = 0; k < 10; ++k)
      order[k] = k;
    for (int a = 0; a < 10; ++a) /* top classes first */
      for (int b = a + 1; b < 10; ++b)
        if (probs[n * 10 + order[b]] > probs[n * 10 + order[a]]) {
          int t = order[a];
          order[a] = order[b];
          order[b] = t;
        }
    printf("image %lld:", (long long)n);
    for (int k = 0; k < 3; ++k)
      printf(" %s %.4f%s", kClasses[order[k]], probs[n * 10 + order[k]], k < 2 ? "," : "\n");
  }

  int status = 0;
  if (expectPath) {
    netc_tensor expected;
    st = netc_npy_read(expectPath, &expected);
    if (st != NETC_OK)
      return fail("reading the expected output", st);
    if (netc_tensor_num_elements(&expected) != batch * 10) {
      fprintf(stderr, "classify: expected output has %lld values, the model produced %lld\n",
              (long long)netc_tensor_num_elements(&expected), (long long)(batch * 10));
      return 1;
    }
    const float *want = expected.data;
    double worst = 0;
    for (int64_t i = 0; i < batch * 10; ++i) {
      double diff = fabs((double)probs[i] - want[i]);
      worst = diff > worst ? diff : worst;
      if (!(diff <= 1e-5 + 1e-4 * fabs(want[i]))) {
        fprintf(stderr, "classify: probs[%lld] = %g, expected %g\n", (long long)i, probs[i],
                want[i]);
        status = 1;
      }
    }
    printf("%s: max abs difference from the reference %.3g\n", status ? "MISMATCH" : "OK", worst);
    netc_tensor_free_data(&expected);
  }
  if (imagePath)
    netc_tensor_free_data(&image);
  free(synthetic);
  free(probs);
  return status;
}
