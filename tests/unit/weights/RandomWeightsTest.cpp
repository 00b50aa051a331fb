#include "frontends/weights/RandomWeights.h"

#include "WeightsTestUtil.h"

#include <cmath>

using namespace netc;
using namespace netc::testing;

namespace {

TensorType f32(std::vector<int64_t> dims) {
  std::vector<Dim> d;
  for (int64_t n : dims)
    d.push_back(Dim::of(n));
  return TensorType(DType::F32, std::move(d));
}

std::vector<uint32_t> bitsOfAll(const std::vector<float> &values) {
  std::vector<uint32_t> bits;
  for (float v : values)
    bits.push_back(bitsOf(v));
  return bits;
}

} // namespace

TEST(RandomWeights, KnownValues) {
  // Reference values from an independent Python model of splitmix64 + xoshiro256**
  // with float32 rounding; any change here changes every random model output.
  Tensor t({4});
  fillUniform(t, 42, -1.0f, 1.0f);
  EXPECT_EQ(bitsOfAll(t.data),
            (std::vector<uint32_t>{0xbf550fea, 0xbe77d938, 0x3eb85d4c, 0x3f59715a}));

  Tensor input = randomInput({2, 2}, 7, "image");
  EXPECT_EQ(input.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(bitsOfAll(input.data),
            (std::vector<uint32_t>{0xbf0635ec, 0x3e528868, 0x3ea5005c, 0xbf010624}));
}

TEST(RandomWeights, SameSeedSameBitsDifferentSeedDifferentBits) {
  Tensor a({1000}), b({1000}), c({1000});
  fillUniform(a, 123, -0.5f, 0.5f);
  fillUniform(b, 123, -0.5f, 0.5f);
  fillUniform(c, 124, -0.5f, 0.5f);
  EXPECT_EQ(bitsOfAll(a.data), bitsOfAll(b.data));
  EXPECT_NE(bitsOfAll(a.data), bitsOfAll(c.data));
  double sum = 0;
  for (float v : a.data) {
    EXPECT_GE(v, -0.5f);
    EXPECT_LT(v, 0.5f);
    sum += v;
  }
  EXPECT_NEAR(sum / a.data.size(), 0.0, 0.05) << "should look uniform around the centre";

  EXPECT_NE(bitsOfAll(randomInput({8}, 1, "a").data), bitsOfAll(randomInput({8}, 1, "b").data));
  EXPECT_EQ(bitsOfAll(randomInput({8}, 1, "a").data), bitsOfAll(randomInput({8}, 1, "a").data));
}

TEST(RandomWeights, FillUniformSizesTheData) {
  Tensor t;
  t.shape = {2, 3};
  fillUniform(t, 0, 0.0f, 1.0f);
  EXPECT_EQ(t.data.size(), 6u);
  Tensor scalar;
  fillUniform(scalar, 0, 0.0f, 1.0f);
  EXPECT_EQ(scalar.data.size(), 1u);
}

TEST(RandomWeights, WeightsDependOnNameNotDeclarationOrder) {
  Graph g1, g2;
  Value *a1 = g1.addWeight("conv1.weight", f32({4, 3, 3, 3}));
  Value *b1 = g1.addWeight("conv1.bias", f32({4}));
  Value *b2 = g2.addWeight("conv1.bias", f32({4}));
  g2.addWeight("extra.weight", f32({7, 7}));
  Value *a2 = g2.addWeight("conv1.weight", f32({4, 3, 3, 3}));
  bindRandomWeights(g1, 5);
  bindRandomWeights(g2, 5);
  ASSERT_TRUE(a1->data() && a2->data() && b1->data() && b2->data());
  EXPECT_EQ(bitsOfAll(a1->data()->data), bitsOfAll(a2->data()->data));
  EXPECT_EQ(bitsOfAll(b1->data()->data), bitsOfAll(b2->data()->data));

  bindRandomWeights(g2, 6);
  EXPECT_NE(bitsOfAll(a1->data()->data), bitsOfAll(a2->data()->data));
}

TEST(RandomWeights, RangesFollowPyTorchDefaults) {
  Graph g;
  Value *conv = g.addWeight("conv.weight", f32({16, 3, 5, 5}));
  Value *fc = g.addWeight("fc.weight", f32({10, 4}));
  Value *bias = g.addWeight("conv.bias", f32({16}));
  Value *gamma = g.addWeight("bn.weight", f32({64}));
  Value *beta = g.addWeight("bn.bias", f32({64}));
  Value *mean = g.addWeight("bn.running_mean", f32({64}));
  Value *var = g.addWeight("bn.running_var", f32({64}));
  bindRandomWeights(g, 1);

  auto expectWithin = [](const Value *w, float lo, float hi) {
    ASSERT_TRUE(w->data()) << w->name();
    EXPECT_EQ(w->data()->shape, w->type().concreteShape(1)) << w->name();
    float seenLo = hi, seenHi = lo;
    for (float v : w->data()->data) {
      EXPECT_GE(v, lo) << w->name();
      EXPECT_LE(v, hi) << w->name();
      seenLo = std::min(seenLo, v);
      seenHi = std::max(seenHi, v);
    }
    // The values should use most of the range, not a sliver of it.
    EXPECT_LT(seenLo, lo + 0.3f * (hi - lo)) << w->name();
    EXPECT_GT(seenHi, hi - 0.3f * (hi - lo)) << w->name();
  };
  float convBound = std::sqrt(6.0f / 75.0f), fcBound = std::sqrt(6.0f / 4.0f);
  expectWithin(conv, -convBound, convBound);
  expectWithin(fc, -fcBound, fcBound);
  expectWithin(bias, -0.1f, 0.1f);
  expectWithin(gamma, 0.5f, 1.5f);
  expectWithin(beta, -0.1f, 0.1f);
  expectWithin(mean, -0.1f, 0.1f);
  expectWithin(var, 0.5f, 1.5f);
}
