#include "frontends/weights/RandomWeights.h"

#include "frontends/weights/RawElements.h"

#include <llvm/ADT/StringRef.h>

#include <cmath>
#include <memory>

// Bit-for-bit reproducibility also needs the float arithmetic here to be evaluated
// exactly as written: the library is compiled with -ffp-contract=off (see
// CMakeLists.txt) so no compiler fuses `lo + span * u` into an FMA on some targets
// and not on others.

namespace netc {

namespace {

/// Sebastiano Vigna's splitmix64: turns any 64-bit seed, however regular, into
/// well-mixed state for the main generator.
class SplitMix64 {
public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

private:
  uint64_t state_;
};

/// Blackman and Vigna's xoshiro256**: fast, 256 bits of state, statistically solid.
class Xoshiro256StarStar {
public:
  explicit Xoshiro256StarStar(uint64_t seed) {
    SplitMix64 seeder(seed);
    for (uint64_t &word : s_)
      word = seeder.next();
  }
  uint64_t next() {
    uint64_t result = rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  /// Uniform in [0, 1) with the 24 bits a float mantissa holds, so every value is exact.
  float nextUnitFloat() { return float(next() >> 40) * 0x1.0p-24f; }

private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

uint64_t fnv1a64(llvm::StringRef text) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

/// The seed of the stream for `name` under the user's `seed`.
uint64_t streamSeed(uint64_t seed, llvm::StringRef name) {
  return SplitMix64(seed).next() ^ fnv1a64(name);
}

struct Range {
  float lo, hi;
};

Range initRange(const std::string &name, const std::vector<int64_t> &shape) {
  if (shape.size() >= 2) {
    int64_t fanIn = 1;
    for (size_t i = 1; i < shape.size(); ++i)
      fanIn *= shape[i];
    // An empty tensor draws no values; any bound will do.
    float bound = fanIn > 0 ? float(std::sqrt(6.0 / double(fanIn))) : 1.0f;
    return {-bound, bound};
  }
  llvm::StringRef n = name;
  if (n.endswith("running_var"))
    return {0.5f, 1.5f};
  if (n.endswith("running_mean"))
    return {-0.1f, 0.1f};
  if (n.endswith(".weight")) // a normalization scale (gamma): keep it near 1
    return {0.5f, 1.5f};
  return {-0.1f, 0.1f};
}

} // namespace

void fillUniform(Tensor &t, uint64_t seed, float lo, float hi) {
  if (auto count = checkedElementCount(t.shape, sizeof(float)))
    t.data.resize(*count);
  Xoshiro256StarStar rng(seed);
  float span = hi - lo;
  for (float &value : t.data)
    value = lo + span * rng.nextUnitFloat();
}

void bindRandomWeights(Graph &graph, uint64_t seed) {
  for (Value *w : graph.weights()) {
    auto tensor = std::make_shared<Tensor>();
    tensor->shape = w->type().concreteShape(/*batch=*/1);
    Range range = initRange(w->name(), tensor->shape);
    fillUniform(*tensor, streamSeed(seed, w->name()), range.lo, range.hi);
    w->setData(std::move(tensor));
  }
}

Tensor randomInput(const std::vector<int64_t> &shape, uint64_t seed, const std::string &name) {
  Tensor t;
  t.shape = shape; // fillUniform sizes the data, and tolerates a bad shape
  fillUniform(t, streamSeed(seed, name), -1.0f, 1.0f);
  return t;
}

} // namespace netc
