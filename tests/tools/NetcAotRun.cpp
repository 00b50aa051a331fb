// netc-aot-run: loads a model compiled with `netc compile --shared`, runs it on
// .npy inputs and writes .npy outputs, so tests can compare ahead-of-time compiled
// code with the reference interpreter and the JIT. With --repeat N it also
// times N more calls and prints the fastest and the median to stderr: a check
// of generated code on a machine that has no netc (a target this one cannot
// run), not a benchmark (that is `netc bench`). A library built with --profile
// also gets its per-kernel times of those calls printed.
//
//   netc-aot-run libm.so --name m --input-dir IN --output-dir OUT [--repeat N]
#include "netc/runtime.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static int usage() {
  std::fprintf(stderr, "usage: netc-aot-run LIB.so --name PREFIX --input-dir DIR --output-dir DIR "
                       "[--repeat N]\n");
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return usage();
  std::string lib = argv[1], name, inputDir, outputDir;
  int repeat = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--name")
      name = argv[i + 1];
    else if (flag == "--input-dir")
      inputDir = argv[i + 1];
    else if (flag == "--output-dir")
      outputDir = argv[i + 1];
    else if (flag == "--repeat")
      repeat = std::atoi(argv[i + 1]);
    else
      return usage();
  }
  if (name.empty() || inputDir.empty() || outputDir.empty())
    return usage();
  void *handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    std::fprintf(stderr, "netc-aot-run: error: %s\n", dlerror());
    return 1;
  }
  using InfoFn = const netc_model_info *(*)();
  auto info = reinterpret_cast<InfoFn>(dlsym(handle, (name + "_model_info").c_str()));
  if (!info) {
    std::fprintf(stderr, "netc-aot-run: error: %s has no %s_model_info\n", lib.c_str(), name.c_str());
    return 1;
  }
  const netc_model_info *model = info();
  std::vector<netc_tensor> inputs(model->num_inputs), outputs(model->num_outputs);
  int64_t batch = 1;
  for (int i = 0; i < model->num_inputs; ++i) {
    std::string path = inputDir + "/" + model->inputs[i].name + ".npy";
    if (netc_npy_read(path.c_str(), &inputs[i]) != NETC_OK) {
      std::fprintf(stderr, "netc-aot-run: error: %s\n", netc_last_error());
      return 1;
    }
    for (int d = 0; d < model->inputs[i].rank; ++d)
      if (model->inputs[i].shape[d] < 0 && d < inputs[i].rank)
        batch = inputs[i].shape[d];
  }
  std::vector<std::vector<float>> storage(model->num_outputs);
  for (int o = 0; o < model->num_outputs; ++o) {
    const netc_tensor_info &ti = model->outputs[o];
    int64_t shape[NETC_MAX_RANK], count = 1;
    for (int d = 0; d < ti.rank; ++d) {
      shape[d] = ti.shape[d] < 0 ? batch : ti.shape[d];
      count *= shape[d];
    }
    storage[o].assign(count, std::nanf(""));
    outputs[o] = netc_tensor_f32(storage[o].data(), ti.rank, shape);
  }
  std::vector<const netc_tensor *> in;
  std::vector<netc_tensor *> out;
  for (auto &t : inputs)
    in.push_back(&t);
  for (auto &t : outputs)
    out.push_back(&t);
  netc_status status = model->run(in.data(), out.data());
  if (status != NETC_OK) {
    std::fprintf(stderr, "netc-aot-run: error: %s: %s\n", netc_status_string(status),
                 netc_last_error());
    return 1;
  }
  // A library built with --profile times its kernels: over the timed calls
  // only, printed after them (netc bench --profile needs netc itself, which
  // a machine that only runs the library may not have).
  using ProfileFn = const netc_profile_entry *(*)(int32_t *);
  using ResetFn = void (*)();
  auto profile = reinterpret_cast<ProfileFn>(dlsym(handle, (name + "_profile").c_str()));
  auto profileReset = reinterpret_cast<ResetFn>(dlsym(handle, (name + "_profile_reset").c_str()));
  if (repeat > 0) {
    if (profile && profileReset)
      profileReset();
    std::vector<double> ms;
    for (int r = 0; r < repeat; ++r) {
      auto start = std::chrono::steady_clock::now();
      model->run(in.data(), out.data());
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
    }
    std::sort(ms.begin(), ms.end());
    std::fprintf(stderr, "netc-aot-run: %d calls: min %.4f ms, median %.4f ms\n", repeat, ms[0],
                 ms[ms.size() / 2]);
    if (profile && profileReset) {
      int32_t count = 0;
      const netc_profile_entry *entries = profile(&count);
      std::fprintf(stderr, "netc-aot-run: per kernel: value op calls mean_ms min_ms\n");
      for (int32_t k = 0; k < count; ++k)
        std::fprintf(stderr, "netc-aot-run:   %s %s %lld %.4f %.4f\n", entries[k].value,
                     entries[k].op, (long long)entries[k].calls,
                     entries[k].calls ? entries[k].total_ns / 1e6 / entries[k].calls : 0.0,
                     entries[k].min_ns / 1e6);
    }
  }
  mkdir(outputDir.c_str(), 0755);
  for (int o = 0; o < model->num_outputs; ++o) {
    std::string path = outputDir + "/" + model->outputs[o].name + ".npy";
    if (netc_npy_write(path.c_str(), &outputs[o]) != NETC_OK) {
      std::fprintf(stderr, "netc-aot-run: error: %s\n", netc_last_error());
      return 1;
    }
  }
  for (auto &t : inputs)
    netc_tensor_free_data(&t);
  return 0;
}
