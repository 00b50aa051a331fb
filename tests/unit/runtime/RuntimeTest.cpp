//===- RuntimeTest.cpp - Tests for libnetc_runtime ------------------------===//
//
// Covers the C API in netc/runtime.h and checks that the Halide runtime
// embedded in the library works (thread pool, allocator, error handler),
// since netc's kernels are compiled without one.
//
//===----------------------------------------------------------------------===//

#include "netc/runtime.h"

#include <HalideRuntime.h>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

// Part of Halide's runtime but not declared in HalideRuntime.h.
extern "C" int halide_host_cpu_count(void);

namespace {

// ---- Helpers ---------------------------------------------------------------

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "netc_runtime_test_" + std::to_string(getpid()) + "_" + name;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A .npy file as NumPy would write it: preamble, header padded to 64 bytes
// with '\n' last, then data. `major` selects the 2- or 4-byte length field.
std::string makeNpy(const std::string &dict, const std::string &data, int major = 1) {
  const size_t preamble = major == 1 ? 10 : 12;
  std::string header = dict;
  while ((preamble + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += static_cast<char>(major);
  bytes += '\0';
  const size_t length = header.size();
  bytes += static_cast<char>(length & 0xff);
  bytes += static_cast<char>((length >> 8) & 0xff);
  if (major != 1) {
    bytes += static_cast<char>((length >> 16) & 0xff);
    bytes += static_cast<char>((length >> 24) & 0xff);
  }
  return bytes + header + data;
}

std::string floatBytes(const std::vector<float> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(float));
}

// ---- Status codes and errors -----------------------------------------------

TEST(RuntimeStatus, StringsAreFixedAndDistinct) {
  EXPECT_STREQ(netc_status_string(NETC_OK), "ok");
  EXPECT_STREQ(netc_status_string(NETC_ERROR_INVALID_ARGUMENT), "invalid argument");
  EXPECT_STREQ(netc_status_string(NETC_ERROR_SHAPE_MISMATCH), "shape mismatch");
  EXPECT_STREQ(netc_status_string(NETC_ERROR_OUT_OF_MEMORY), "out of memory");
  EXPECT_STREQ(netc_status_string(NETC_ERROR_KERNEL_FAILED), "kernel failed");
  EXPECT_STREQ(netc_status_string(NETC_ERROR_IO), "I/O error");
  EXPECT_STREQ(netc_status_string(static_cast<netc_status>(42)), "unknown status");
}

TEST(RuntimeError, FailFormatsAndClearEmpties) {
  netc_rt_clear_error();
  EXPECT_STREQ(netc_last_error(), "");
  EXPECT_EQ(netc_rt_fail(NETC_ERROR_IO, "file '%s' has %d problems", "x.npy", 3), NETC_ERROR_IO);
  EXPECT_STREQ(netc_last_error(), "file 'x.npy' has 3 problems");
  netc_rt_clear_error();
  EXPECT_STREQ(netc_last_error(), "");
}

TEST(RuntimeError, LongMessagesAreTruncatedNotOverflowed) {
  std::string longText(5000, 'x');
  netc_rt_fail(NETC_ERROR_IO, "%s", longText.c_str());
  const size_t length = std::strlen(netc_last_error());
  EXPECT_GT(length, 500u);
  EXPECT_LT(length, longText.size());
}

TEST(RuntimeError, MessagesAreThreadLocal) {
  netc_rt_fail(NETC_ERROR_IO, "main thread");
  std::string seenByOther;
  std::thread other([&] {
    seenByOther = netc_last_error();
    netc_rt_fail(NETC_ERROR_SHAPE_MISMATCH, "other thread");
  });
  other.join();
  EXPECT_EQ(seenByOther, "");
  EXPECT_STREQ(netc_last_error(), "main thread");
}

// ---- Tensors ---------------------------------------------------------------

TEST(RuntimeTensor, ConstructorCopiesShape) {
  float data[6] = {};
  const int64_t shape[] = {2, 3};
  netc_tensor t = netc_tensor_f32(data, 2, shape);
  EXPECT_EQ(t.data, data);
  EXPECT_EQ(t.dtype, NETC_F32);
  EXPECT_EQ(t.rank, 2);
  EXPECT_EQ(t.shape[0], 2);
  EXPECT_EQ(t.shape[1], 3);
  EXPECT_EQ(t.shape[2], 0);
  EXPECT_EQ(netc_tensor_num_elements(&t), 6);
}

TEST(RuntimeTensor, NumElements) {
  netc_tensor scalar = netc_tensor_f32(nullptr, 0, nullptr);
  EXPECT_EQ(netc_tensor_num_elements(&scalar), 1);
  const int64_t empty[] = {4, 0, 3};
  netc_tensor zero = netc_tensor_f32(nullptr, 3, empty);
  EXPECT_EQ(netc_tensor_num_elements(&zero), 0);
  const int64_t negative[] = {4, -1};
  netc_tensor bad = netc_tensor_f32(nullptr, 2, negative);
  EXPECT_EQ(netc_tensor_num_elements(&bad), -1);
  EXPECT_EQ(netc_tensor_num_elements(nullptr), -1);
  const int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  netc_tensor tooDeep = netc_tensor_f32(nullptr, 9, nine);
  EXPECT_EQ(tooDeep.rank, 9);
  EXPECT_EQ(netc_tensor_num_elements(&tooDeep), -1);
}

// ---- netc_rt_check_tensor ----------------------------------------------------

class CheckTensorTest : public ::testing::Test {
protected:
  static constexpr int64_t kImage[4] = {-1, 3, 32, 32};
  static constexpr int64_t kProbs[2] = {-1, 10};
  std::vector<float> storage = std::vector<float>(4 * 3 * 32 * 32);

  netc_tensor tensor(std::initializer_list<int64_t> shape) {
    std::vector<int64_t> dims(shape);
    return netc_tensor_f32(storage.data(), static_cast<int32_t>(dims.size()), dims.data());
  }
};

TEST_F(CheckTensorTest, AcceptsMatchingTensorsAndBindsBatch) {
  int64_t batch = -1;
  netc_tensor image = tensor({4, 3, 32, 32});
  ASSERT_EQ(netc_rt_check_tensor(&image, "input 'image'", 4, kImage, &batch), NETC_OK)
      << netc_last_error();
  EXPECT_EQ(batch, 4);
  netc_tensor probs = tensor({4, 10});
  EXPECT_EQ(netc_rt_check_tensor(&probs, "output 'probs'", 2, kProbs, &batch), NETC_OK)
      << netc_last_error();
  EXPECT_EQ(batch, 4);
}

TEST_F(CheckTensorTest, AcceptsStaticShapesAndScalars) {
  const int64_t weights[] = {16, 3, 5, 5};
  netc_tensor t = tensor({16, 3, 5, 5});
  EXPECT_EQ(netc_rt_check_tensor(&t, "w", 4, weights, nullptr), NETC_OK) << netc_last_error();
  netc_tensor scalar = tensor({});
  EXPECT_EQ(netc_rt_check_tensor(&scalar, "s", 0, nullptr, nullptr), NETC_OK)
      << netc_last_error();
}

TEST_F(CheckTensorTest, RejectsWrongDimWithBatchFromEarlierTensors) {
  int64_t batch = 4;
  netc_tensor image = tensor({4, 3, 32, 31});
  EXPECT_EQ(netc_rt_check_tensor(&image, "input 'image'", 4, kImage, &batch),
            NETC_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(netc_last_error(),
               "input 'image': expected shape [N,3,32,32] (N = 4 from earlier tensors), "
               "got [4,3,32,31]");
}

TEST_F(CheckTensorTest, RejectsWrongDimBeforeBatchIsKnown) {
  int64_t batch = -1;
  netc_tensor image = tensor({4, 1, 32, 32});
  EXPECT_EQ(netc_rt_check_tensor(&image, "input 'image'", 4, kImage, &batch),
            NETC_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(netc_last_error(), "input 'image': expected shape [N,3,32,32], got [4,1,32,32]");
  // A rejected tensor must not bind N for the tensors checked after it.
  EXPECT_EQ(batch, -1);
}

TEST_F(CheckTensorTest, RejectsInconsistentBatch) {
  int64_t batch = -1;
  netc_tensor image = tensor({4, 3, 32, 32});
  ASSERT_EQ(netc_rt_check_tensor(&image, "input 'image'", 4, kImage, &batch), NETC_OK);
  netc_tensor probs = tensor({2, 10});
  EXPECT_EQ(netc_rt_check_tensor(&probs, "output 'probs'", 2, kProbs, &batch),
            NETC_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(netc_last_error(),
               "output 'probs': expected shape [N,10] (N = 4 from earlier tensors), got [2,10]");
  EXPECT_EQ(batch, 4);
}

TEST_F(CheckTensorTest, RejectsWrongRank) {
  int64_t batch = -1;
  netc_tensor image = tensor({4, 3, 32});
  EXPECT_EQ(netc_rt_check_tensor(&image, "input 'image'", 4, kImage, &batch),
            NETC_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(netc_last_error(),
               "input 'image': expected shape [N,3,32,32] (rank 4), got [4,3,32] (rank 3)");
}

TEST_F(CheckTensorTest, RejectsNullTensorAndNullData) {
  int64_t batch = -1;
  EXPECT_EQ(netc_rt_check_tensor(nullptr, "input 'image'", 4, kImage, &batch),
            NETC_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(netc_last_error(), "input 'image': tensor is NULL");
  netc_tensor probs = tensor({4, 10});
  probs.data = nullptr;
  EXPECT_EQ(netc_rt_check_tensor(&probs, "output 'probs'", 2, kProbs, &batch),
            NETC_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(netc_last_error(), "output 'probs': data is NULL");
}

TEST_F(CheckTensorTest, RejectsWrongDtypeAndBadRank) {
  netc_tensor t = tensor({4, 10});
  t.dtype = static_cast<netc_dtype>(7);
  EXPECT_EQ(netc_rt_check_tensor(&t, "output 'probs'", 2, kProbs, nullptr),
            NETC_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(netc_last_error(), "output 'probs': expected dtype f32 (NETC_F32), got dtype code 7");

  netc_tensor deep = tensor({4, 10});
  deep.rank = 12;
  EXPECT_EQ(netc_rt_check_tensor(&deep, "x", 2, kProbs, nullptr), NETC_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(netc_last_error(), "x: rank 12 is outside [0, 8]");
}

TEST_F(CheckTensorTest, RejectsNonPositiveBatch) {
  int64_t batch = -1;
  netc_tensor probs = tensor({0, 10});
  EXPECT_EQ(netc_rt_check_tensor(&probs, "output 'probs'", 2, kProbs, &batch),
            NETC_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(netc_last_error(), "output 'probs': batch dim N must be at least 1, got 0 in "
                                  "shape [0,10]");
  netc_tensor negative = tensor({-1, 10});
  EXPECT_EQ(netc_rt_check_tensor(&negative, "t", 2, kProbs, &batch), NETC_ERROR_SHAPE_MISMATCH);
  // The caller's -1 is shown as a number, not as the symbolic N.
  EXPECT_STREQ(netc_last_error(), "t: batch dim N must be at least 1, got -1 in shape [-1,10]");
}

TEST_F(CheckTensorTest, RejectsTensorsTooLargeForKernels) {
  const int64_t expected[] = {-1, 65536};
  netc_tensor t = tensor({65536, 65536});
  EXPECT_EQ(netc_rt_check_tensor(&t, "t", 2, expected, nullptr), NETC_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(netc_last_error()).find("too many elements"), std::string::npos)
      << netc_last_error();
}

// ---- netc_rt_make_buffer -----------------------------------------------------

TEST(RuntimeBuffer, ReversesDimsAndComputesStrides) {
  std::vector<float> data(2 * 3 * 4 * 5);
  const int64_t shape[] = {2, 3, 4, 5};
  halide_buffer_t buf;
  halide_dimension_t dims[4];
  netc_rt_make_buffer(&buf, dims, data.data(), 4, shape);
  EXPECT_EQ(buf.host, reinterpret_cast<uint8_t *>(data.data()));
  EXPECT_EQ(buf.device, 0u);
  EXPECT_EQ(buf.device_interface, nullptr);
  EXPECT_EQ(buf.flags, 0u);
  EXPECT_EQ(buf.type.code, halide_type_float);
  EXPECT_EQ(buf.type.bits, 32);
  EXPECT_EQ(buf.type.lanes, 1);
  EXPECT_EQ(buf.dimensions, 4);
  EXPECT_EQ(buf.dim, dims);
  const int32_t extents[] = {5, 4, 3, 2};
  const int32_t strides[] = {1, 5, 20, 60};
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(dims[i].min, 0);
    EXPECT_EQ(dims[i].extent, extents[i]);
    EXPECT_EQ(dims[i].stride, strides[i]);
    EXPECT_EQ(dims[i].flags, 0u);
  }
}

TEST(RuntimeBuffer, ScalarHasNoDims) {
  float value = 1.0f;
  halide_buffer_t buf;
  netc_rt_make_buffer(&buf, nullptr, &value, 0, nullptr);
  EXPECT_EQ(buf.dimensions, 0);
  EXPECT_EQ(buf.host, reinterpret_cast<uint8_t *>(&value));
}

// ---- netc_rt_kernel_error ----------------------------------------------------

TEST(RuntimeKernelError, MapsCodesToStatuses) {
  netc_rt_clear_error();
  EXPECT_EQ(netc_rt_kernel_error(0, "k"), NETC_OK);
  EXPECT_EQ(netc_rt_kernel_error(halide_error_code_out_of_memory, "conv1"),
            NETC_ERROR_OUT_OF_MEMORY);
  EXPECT_STREQ(netc_last_error(), "kernel 'conv1' failed: out of memory (Halide error -11)");
  EXPECT_EQ(netc_rt_kernel_error(halide_error_code_access_out_of_bounds, "fc"),
            NETC_ERROR_KERNEL_FAILED);
  EXPECT_STREQ(netc_last_error(), "kernel 'fc' failed: access out of bounds (Halide error -4)");
  EXPECT_EQ(netc_rt_kernel_error(-1000, "fc"), NETC_ERROR_KERNEL_FAILED);
  EXPECT_STREQ(netc_last_error(), "kernel 'fc' failed with Halide error -1000");
}

TEST(RuntimeKernelError, IncludesHalideMessage) {
  netc_rt_clear_error();
  // The runtime's error handler, installed at load time, captures what a
  // kernel reports through halide_error instead of printing it.
  halide_error(nullptr, "Input buffer b0 is NULL.\n");
  EXPECT_EQ(netc_rt_kernel_error(halide_error_code_buffer_argument_is_null, "group0"),
            NETC_ERROR_KERNEL_FAILED);
  EXPECT_STREQ(netc_last_error(),
               "kernel 'group0' failed: Input buffer b0 is NULL. (Halide error -12)");
  // The message is consumed: a later failure does not repeat it.
  netc_rt_kernel_error(halide_error_code_generic_error, "group1");
  EXPECT_STREQ(netc_last_error(), "kernel 'group1' failed: generic error (Halide error -1)");
}

TEST(RuntimeKernelError, ClearErrorDropsStaleHalideMessage) {
  halide_error(nullptr, "stale message from an earlier call");
  netc_rt_clear_error();
  netc_rt_kernel_error(halide_error_code_generic_error, "k");
  EXPECT_STREQ(netc_last_error(), "kernel 'k' failed: generic error (Halide error -1)");
}

// ---- Memory ------------------------------------------------------------------

TEST(RuntimeMemory, AllocIsAlignedAndUsable) {
  for (size_t bytes : {size_t(0), size_t(1), size_t(100), size_t(1) << 20}) {
    SCOPED_TRACE(bytes);
    void *p = netc_rt_alloc(bytes);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
    std::memset(p, 0xab, bytes);
    netc_rt_free(p);
  }
  netc_rt_free(nullptr);
}

TEST(RuntimeMemory, ArenaCacheReusesABigEnoughBlock) {
  netc_rt_arena_cache cache = {nullptr};
  void *first = netc_rt_arena_acquire(&cache, 1000);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % 64, 0u);
  std::memset(first, 0xab, 1000);
  netc_rt_arena_release(&cache, first);
  // A smaller or equal request gets the cached block back.
  EXPECT_EQ(netc_rt_arena_acquire(&cache, 500), first);
  // While that block is out, a concurrent call gets a block of its own.
  void *other = netc_rt_arena_acquire(&cache, 500);
  ASSERT_NE(other, nullptr);
  EXPECT_NE(other, first);
  netc_rt_arena_release(&cache, other);
  netc_rt_arena_release(&cache, first);
  // A bigger request replaces the cached block with a block that fits.
  void *bigger = netc_rt_arena_acquire(&cache, size_t(1) << 20);
  ASSERT_NE(bigger, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(bigger) % 64, 0u);
  std::memset(bigger, 0xcd, size_t(1) << 20);
  netc_rt_arena_release(&cache, bigger);
  netc_rt_arena_release(&cache, nullptr);
  EXPECT_EQ(netc_rt_arena_acquire(&cache, 2000), bigger);
  netc_rt_arena_release(&cache, bigger);
}

TEST(RuntimeMemory, ArenaCacheReportsAnImpossibleSize) {
  netc_rt_arena_cache cache = {nullptr};
  netc_rt_clear_error();
  EXPECT_EQ(netc_rt_arena_acquire(&cache, size_t(-1) - 8), nullptr);
  EXPECT_NE(std::string(netc_last_error()).find("cannot allocate"), std::string::npos);
}

// ---- Threads -----------------------------------------------------------------

TEST(RuntimeThreads, SetAndGet) {
  EXPECT_GE(netc_get_num_threads(), 1);
  netc_set_num_threads(3);
  EXPECT_EQ(netc_get_num_threads(), 3);
  // Reading does not change the setting.
  EXPECT_EQ(netc_get_num_threads(), 3);
  netc_set_num_threads(1);
  EXPECT_EQ(netc_get_num_threads(), 1);
  netc_set_num_threads(-5); // treated as 0
  EXPECT_GE(netc_get_num_threads(), 1);
}

TEST(RuntimeThreads, ZeroMeansOnePerCore) {
  const char *saved = std::getenv("HL_NUM_THREADS");
  std::string savedValue = saved ? saved : "";
  unsetenv("HL_NUM_THREADS");
  unsetenv("HL_NUMTHREADS");
  netc_set_num_threads(0);
  EXPECT_EQ(netc_get_num_threads(), static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
  // Halide's environment override applies to the default as well.
  setenv("HL_NUM_THREADS", "5", 1);
  netc_set_num_threads(0);
  EXPECT_EQ(netc_get_num_threads(), 5);
  if (saved)
    setenv("HL_NUM_THREADS", savedValue.c_str(), 1);
  else
    unsetenv("HL_NUM_THREADS");
  netc_set_num_threads(0);
}

// ---- The embedded Halide runtime ---------------------------------------------

constexpr int kTasks = 1000;

struct ParForClosure {
  std::array<std::atomic<int>, kTasks> hits{};
  std::mutex lock;
  std::set<std::thread::id> threads;
  int failAt = -1;
};

int countingTask(void *userContext, int index, uint8_t *closureBytes) {
  auto *closure = reinterpret_cast<ParForClosure *>(closureBytes);
  closure->hits[index].fetch_add(1);
  {
    std::lock_guard<std::mutex> guard(closure->lock);
    closure->threads.insert(std::this_thread::get_id());
  }
  return index == closure->failAt ? -42 : 0;
}

TEST(EmbeddedHalideRuntime, ParForRunsEveryTaskOnce) {
  netc_set_num_threads(4);
  auto closure = std::make_unique<ParForClosure>();
  ASSERT_EQ(halide_do_par_for(nullptr, countingTask, 0, kTasks,
                              reinterpret_cast<uint8_t *>(closure.get())),
            0);
  for (int i = 0; i < kTasks; ++i)
    ASSERT_EQ(closure->hits[i].load(), 1) << "task " << i;
  // Not asserted (scheduling may legitimately use one thread), but useful.
  std::printf("halide_do_par_for used %zu thread(s)\n", closure->threads.size());
  netc_set_num_threads(0);
}

int sleepingTask(void *userContext, int index, uint8_t *closureBytes) {
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return countingTask(userContext, index, closureBytes);
}

TEST(EmbeddedHalideRuntime, ParForUsesThePool) {
  // Tasks that block leave the calling thread unable to finish alone, so the
  // pool's workers must pick some up: the pool really runs threads.
  netc_set_num_threads(4);
  auto closure = std::make_unique<ParForClosure>();
  ASSERT_EQ(halide_do_par_for(nullptr, sleepingTask, 0, 64,
                              reinterpret_cast<uint8_t *>(closure.get())),
            0);
  for (int i = 0; i < 64; ++i)
    ASSERT_EQ(closure->hits[i].load(), 1) << "task " << i;
  EXPECT_GT(closure->threads.size(), 1u);
  EXPECT_LE(closure->threads.size(), 4u);
  netc_set_num_threads(0);
}

TEST(EmbeddedHalideRuntime, ParForPropagatesTaskFailure) {
  auto closure = std::make_unique<ParForClosure>();
  closure->failAt = 17;
  EXPECT_EQ(halide_do_par_for(nullptr, countingTask, 0, kTasks,
                              reinterpret_cast<uint8_t *>(closure.get())),
            -42);
}

// ---- netc's thread pool (the parallel loops of every kernel) ----------------

TEST(RuntimeThreadPool, IsInstalledAtLoadTime) {
  // Every kernel's parallel loops go through Halide's do_par_for hook; the
  // runtime puts netc's pool there before main(), not Halide's default pool.
  halide_do_par_for_t installed = halide_set_custom_do_par_for(halide_default_do_par_for);
  halide_set_custom_do_par_for(installed);
  EXPECT_NE(installed, nullptr);
  EXPECT_NE(installed, &halide_default_do_par_for);
}

TEST(RuntimeThreadPool, EachThreadStartsOnItsOwnSlice) {
  // Slices are assigned statically and other threads steal from their back:
  // with 2 threads and 8 tasks the caller runs tasks 0-3 and the worker 4-7,
  // so the same core sees the same part of a layer on every call. A preempted
  // thread may lose its slice to the other, so this is checked over many
  // calls rather than for each.
  netc_set_num_threads(2);
  struct Closure {
    std::thread::id caller = std::this_thread::get_id();
    std::array<std::thread::id, 8> ranOn;
  } closure;
  auto task = [](void *, int index, uint8_t *bytes) {
    reinterpret_cast<Closure *>(bytes)->ranOn[index] = std::this_thread::get_id();
    std::this_thread::sleep_for(std::chrono::microseconds(300));
    return 0;
  };
  int asPlanned = 0;
  constexpr int kCalls = 20;
  for (int call = 0; call < kCalls; ++call) {
    ASSERT_EQ(halide_do_par_for(nullptr, task, 0, 8, reinterpret_cast<uint8_t *>(&closure)), 0);
    if (closure.ranOn[0] == closure.caller && closure.ranOn[4] != closure.caller)
      ++asPlanned;
  }
  EXPECT_GE(asPlanned, kCalls * 3 / 4);
  netc_set_num_threads(0);
}

TEST(RuntimeThreadPool, StolenRunsCoverEveryTaskOnce) {
  // Threads claim runs of tasks, several at a time while a slice is long. A
  // worker done with its own slice steals runs from the back of the
  // caller's, whose tasks here are slow: every task must still run exactly
  // once, and the worker must take some of the caller's.
  netc_set_num_threads(2);
  constexpr int kSlow = 200, kAll = 400;
  struct Closure {
    std::thread::id caller = std::this_thread::get_id();
    std::array<std::atomic<int>, kAll> hits{};
    std::atomic<int> stolen{0};
  };
  auto task = [](void *, int index, uint8_t *bytes) {
    auto *closure = reinterpret_cast<Closure *>(bytes);
    closure->hits[index].fetch_add(1);
    if (index < kSlow) {
      if (std::this_thread::get_id() != closure->caller)
        closure->stolen.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
    return 0;
  };
  int stolen = 0;
  for (int call = 0; call < 5; ++call) {
    auto closure = std::make_unique<Closure>();
    ASSERT_EQ(halide_do_par_for(nullptr, task, 0, kAll, reinterpret_cast<uint8_t *>(closure.get())),
              0);
    for (int i = 0; i < kAll; ++i)
      ASSERT_EQ(closure->hits[i].load(), 1) << "task " << i << ", call " << call;
    stolen += closure->stolen.load();
  }
  EXPECT_GT(stolen, 0);
  netc_set_num_threads(0);
}

TEST(RuntimeThreadPool, HonoursTheLoopMinimum) {
  netc_set_num_threads(3);
  auto closure = std::make_unique<ParForClosure>();
  ASSERT_EQ(halide_do_par_for(nullptr, countingTask, 100, 700,
                              reinterpret_cast<uint8_t *>(closure.get())),
            0);
  for (int i = 0; i < kTasks; ++i)
    ASSERT_EQ(closure->hits[i].load(), i >= 100 && i < 800 ? 1 : 0) << "task " << i;
  EXPECT_EQ(halide_do_par_for(nullptr, countingTask, 0, 0, nullptr), 0);
  netc_set_num_threads(0);
}

TEST(RuntimeThreadPool, ManyShortLoopsInARow) {
  // Back-to-back loops of a few tasks are the common case (one per kernel);
  // workers still finishing one loop must not run tasks of the next twice.
  netc_set_num_threads(4);
  auto closure = std::make_unique<ParForClosure>();
  constexpr int kLoops = 20000;
  for (int loop = 0; loop < kLoops; ++loop)
    ASSERT_EQ(halide_do_par_for(nullptr, countingTask, (loop * 7) % (kTasks - 8), 8,
                                reinterpret_cast<uint8_t *>(closure.get())),
              0);
  int total = 0;
  for (auto &hits : closure->hits)
    total += hits.load();
  EXPECT_EQ(total, kLoops * 8);
  netc_set_num_threads(0);
}

struct NestedClosure {
  std::array<std::atomic<int>, 64> inner{};
};

int innerTask(void *, int index, uint8_t *bytes) {
  reinterpret_cast<NestedClosure *>(bytes)->inner[index].fetch_add(1);
  return 0;
}

int outerTask(void *, int index, uint8_t *bytes) {
  // A loop inside a task runs serially on that task's thread.
  return halide_do_par_for(nullptr, innerTask, index * 8, 8, bytes);
}

TEST(RuntimeThreadPool, NestedLoopsRunEveryTaskOnce) {
  netc_set_num_threads(4);
  NestedClosure closure;
  ASSERT_EQ(halide_do_par_for(nullptr, outerTask, 0, 8, reinterpret_cast<uint8_t *>(&closure)),
            0);
  for (int i = 0; i < 64; ++i)
    ASSERT_EQ(closure.inner[i].load(), 1) << "task " << i;
  netc_set_num_threads(0);
}

TEST(RuntimeThreadPool, ConcurrentCallersEachFinishTheirLoops) {
  // Models may run on several application threads at once: a loop that
  // finds the pool busy runs on its own thread.
  netc_set_num_threads(2);
  std::vector<std::unique_ptr<ParForClosure>> closures;
  for (int t = 0; t < 3; ++t)
    closures.push_back(std::make_unique<ParForClosure>());
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 3; ++t)
    callers.emplace_back([&, t] {
      for (int loop = 0; loop < 300; ++loop)
        if (halide_do_par_for(nullptr, countingTask, 0, kTasks,
                              reinterpret_cast<uint8_t *>(closures[t].get())) != 0)
          failures.fetch_add(1);
    });
  for (auto &caller : callers)
    caller.join();
  EXPECT_EQ(failures.load(), 0);
  for (auto &closure : closures)
    for (int i = 0; i < kTasks; ++i)
      ASSERT_EQ(closure->hits[i].load(), 300) << "task " << i;
  netc_set_num_threads(0);
}

TEST(RuntimeThreadPool, FailureIsReportedOnceTasksStop) {
  // The first failing task's code is returned; tasks not yet started are
  // skipped, and a later loop runs normally.
  netc_set_num_threads(2);
  auto failing = std::make_unique<ParForClosure>();
  failing->failAt = 0;
  EXPECT_EQ(halide_do_par_for(nullptr, countingTask, 0, kTasks,
                              reinterpret_cast<uint8_t *>(failing.get())),
            -42);
  EXPECT_EQ(failing->hits[0].load(), 1);
  auto fine = std::make_unique<ParForClosure>();
  ASSERT_EQ(halide_do_par_for(nullptr, countingTask, 0, kTasks,
                              reinterpret_cast<uint8_t *>(fine.get())),
            0);
  for (int i = 0; i < kTasks; ++i)
    ASSERT_EQ(fine->hits[i].load(), 1) << "task " << i;
  netc_set_num_threads(0);
}

TEST(EmbeddedHalideRuntime, MallocAndFree) {
  void *p = halide_malloc(nullptr, 4096);
  ASSERT_NE(p, nullptr);
  // Halide aligns its allocations for vector loads.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 32, 0u);
  std::memset(p, 0, 4096);
  halide_free(nullptr, p);
}

TEST(EmbeddedHalideRuntime, ReportsHostCpus) {
  EXPECT_EQ(halide_host_cpu_count(), static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
}

// ---- .npy files --------------------------------------------------------------

TEST(RuntimeNpy, WriteMatchesNumpyByteForByte) {
  const std::string path = tempPath("numpy_layout.npy");
  std::vector<float> values = {0, 1, 2, 3, 4, 5};
  const int64_t shape[] = {2, 3};
  netc_tensor t = netc_tensor_f32(values.data(), 2, shape);
  ASSERT_EQ(netc_npy_write(path.c_str(), &t), NETC_OK) << netc_last_error();
  // What np.save(path, np.arange(6, dtype='<f4').reshape(2, 3)) writes.
  EXPECT_EQ(readFile(path),
            makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                    floatBytes(values)));
  std::remove(path.c_str());
}

TEST(RuntimeNpy, HeaderIsAlignedAndUsesTupleSyntax) {
  const std::string path = tempPath("vector.npy");
  std::vector<float> values = {1.5f, -2.25f, 3.0f};
  const int64_t shape[] = {3};
  netc_tensor t = netc_tensor_f32(values.data(), 1, shape);
  ASSERT_EQ(netc_npy_write(path.c_str(), &t), NETC_OK) << netc_last_error();
  const std::string bytes = readFile(path);
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const size_t headerLength = static_cast<unsigned char>(bytes[8]) |
                              (static_cast<unsigned char>(bytes[9]) << 8);
  EXPECT_EQ((10 + headerLength) % 64, 0u);
  EXPECT_EQ(bytes.size(), 10 + headerLength + values.size() * sizeof(float));
  EXPECT_NE(bytes.find("'shape': (3,)"), std::string::npos);
  EXPECT_EQ(bytes[10 + headerLength - 1], '\n');
  std::remove(path.c_str());
}

TEST(RuntimeNpy, RoundTripsShapesAndValues) {
  const std::vector<std::vector<int64_t>> shapes = {{}, {7}, {2, 3, 4, 5}, {1, 0, 3}};
  for (const auto &shape : shapes) {
    SCOPED_TRACE(shape.size());
    const std::string path = tempPath("roundtrip.npy");
    netc_tensor out = netc_tensor_f32(nullptr, static_cast<int32_t>(shape.size()), shape.data());
    std::vector<float> values(static_cast<size_t>(netc_tensor_num_elements(&out)));
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = 0.5f * static_cast<float>(i) - 3.0f;
    out.data = values.data();
    ASSERT_EQ(netc_npy_write(path.c_str(), &out), NETC_OK) << netc_last_error();

    netc_tensor in;
    ASSERT_EQ(netc_npy_read(path.c_str(), &in), NETC_OK) << netc_last_error();
    EXPECT_EQ(in.dtype, NETC_F32);
    ASSERT_EQ(in.rank, static_cast<int32_t>(shape.size()));
    for (size_t d = 0; d < shape.size(); ++d)
      EXPECT_EQ(in.shape[d], shape[d]);
    ASSERT_NE(in.data, nullptr);
    if (!values.empty()) {
      EXPECT_EQ(std::memcmp(in.data, values.data(), values.size() * sizeof(float)), 0);
    }
    netc_tensor_free_data(&in);
    EXPECT_EQ(in.data, nullptr);
    std::remove(path.c_str());
  }
}

TEST(RuntimeNpy, ReadsVersion2AndOddButValidHeaders) {
  const std::string path = tempPath("v2.npy");
  std::vector<float> values = {1, 2, 3, 4};
  // Version 2.0, keys in another order, double quotes, trailing comma in shape.
  writeFile(path, makeNpy("{\"shape\": (2, 2,), \"fortran_order\": False, \"descr\": \"<f4\"}",
                          floatBytes(values), 2));
  netc_tensor t;
  ASSERT_EQ(netc_npy_read(path.c_str(), &t), NETC_OK) << netc_last_error();
  EXPECT_EQ(t.rank, 2);
  EXPECT_EQ(t.shape[0], 2);
  EXPECT_EQ(t.shape[1], 2);
  EXPECT_EQ(static_cast<float *>(t.data)[3], 4.0f);
  netc_tensor_free_data(&t);
  std::remove(path.c_str());
}

// Writes `bytes`, reads it back, and returns the error message after checking
// that the read failed with NETC_ERROR_IO and left an empty tensor.
std::string readError(const std::string &name, const std::string &bytes) {
  const std::string path = tempPath(name);
  writeFile(path, bytes);
  netc_tensor t;
  t.data = reinterpret_cast<void *>(0x1); // must be reset on failure
  const netc_status status = netc_npy_read(path.c_str(), &t);
  std::remove(path.c_str());
  EXPECT_EQ(status, NETC_ERROR_IO);
  EXPECT_EQ(t.data, nullptr);
  EXPECT_EQ(t.rank, 0);
  return netc_last_error();
}

::testing::AssertionResult contains(const std::string &text, const std::string &part) {
  if (text.find(part) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

const std::string kGoodDict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

TEST(RuntimeNpy, RejectsMissingFile) {
  netc_tensor t;
  const std::string path = tempPath("does_not_exist.npy");
  EXPECT_EQ(netc_npy_read(path.c_str(), &t), NETC_ERROR_IO);
  EXPECT_TRUE(contains(netc_last_error(), "cannot open '" + path + "' for reading"));
  EXPECT_TRUE(contains(netc_last_error(), "No such file"));
}

TEST(RuntimeNpy, RejectsCorruptFiles) {
  const std::string data = floatBytes(std::vector<float>(6, 1.0f));
  EXPECT_TRUE(contains(readError("magic.npy", "PK\x03\x04 this is a zip file"),
                       "not a .npy file (bad magic string)"));
  EXPECT_TRUE(contains(readError("short.npy", "\x93NUM"), "file is truncated in the preamble"));
  std::string badVersion = makeNpy(kGoodDict, data);
  badVersion[6] = 9;
  EXPECT_TRUE(contains(readError("version.npy", badVersion),
                       "unsupported .npy format version 9.0"));
  std::string truncatedHeader = makeNpy(kGoodDict, data).substr(0, 40);
  EXPECT_TRUE(contains(readError("header.npy", truncatedHeader),
                       "file is truncated in the header"));
  EXPECT_TRUE(contains(readError("data.npy", makeNpy(kGoodDict, data.substr(0, 20))),
                       "file is truncated in the array data (expected 24 bytes, found 20)"));
  EXPECT_TRUE(contains(readError("trailing.npy", makeNpy(kGoodDict, data + "junk")),
                       "unexpected bytes after the array data"));
  EXPECT_TRUE(contains(readError("garbage.npy", makeNpy("not a dict at all", data)),
                       "bad .npy header: the header is not a Python dict"));
  EXPECT_TRUE(contains(
      readError("key.npy", makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), "
                                   "'extra': 1}",
                                   data)),
      "unexpected key"));
  EXPECT_TRUE(contains(readError("nokeys.npy", makeNpy("{'descr': '<f4'}", data)),
                       "lacks 'descr', 'fortran_order' or 'shape'"));
  EXPECT_TRUE(contains(
      readError("shape.npy",
                makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", data)),
      "'shape' holds something other than non-negative integers"));
  EXPECT_TRUE(contains(
      readError("rank.npy", makeNpy("{'descr': '<f4', 'fortran_order': False, "
                                    "'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }",
                                    floatBytes({1.0f}))),
      "more dims than netc supports"));
}

TEST(RuntimeNpy, RejectsUnsupportedArrays) {
  const std::string data = floatBytes(std::vector<float>(6, 1.0f));
  const std::string f8 =
      readError("f8.npy", makeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                                  data));
  EXPECT_TRUE(contains(f8, "dtype '<f8' is not supported"));
  EXPECT_TRUE(contains(f8, "'<f4'"));
  EXPECT_TRUE(contains(
      readError("big_endian.npy",
                makeNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", data)),
      "dtype '>f4' is not supported"));
  EXPECT_TRUE(contains(
      readError("fortran.npy",
                makeNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data)),
      "Fortran-order arrays are not supported"));
  EXPECT_TRUE(contains(readError("structured.npy",
                                 makeNpy("{'descr': [('a', '<f4')], 'fortran_order': False, "
                                         "'shape': (6,), }",
                                         data)),
                       "structured dtypes are not supported"));
}

TEST(RuntimeNpy, AcceptsFortranOrderWhenItCannotMatter) {
  const std::string path = tempPath("fortran_vector.npy");
  writeFile(path, makeNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 3), }",
                          floatBytes({1, 2, 3})));
  netc_tensor t;
  EXPECT_EQ(netc_npy_read(path.c_str(), &t), NETC_OK) << netc_last_error();
  netc_tensor_free_data(&t);
  std::remove(path.c_str());
}

TEST(RuntimeNpy, WriteRejectsBadTensorsAndPaths) {
  const int64_t shape[] = {2};
  netc_tensor noData = netc_tensor_f32(nullptr, 1, shape);
  EXPECT_EQ(netc_npy_write(tempPath("x.npy").c_str(), &noData), NETC_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(netc_last_error(), "data is NULL"));

  float values[2] = {1, 2};
  netc_tensor t = netc_tensor_f32(values, 1, shape);
  EXPECT_EQ(netc_npy_write("/nonexistent-dir/x.npy", &t), NETC_ERROR_IO);
  EXPECT_TRUE(contains(netc_last_error(), "cannot open '/nonexistent-dir/x.npy' for writing"));
  EXPECT_EQ(netc_npy_write(nullptr, &t), NETC_ERROR_INVALID_ARGUMENT);
}

} // namespace
