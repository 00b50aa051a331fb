#include "MachinePeak.h"

#include <gtest/gtest.h>

using netc::driver::MachinePeak;

namespace {

MachinePeak curve() {
  MachinePeak peak;
  peak.windowMs = {0.25, 1, 4, 16};
  peak.gflops = {450, 446, 428, 416};
  return peak;
}

} // namespace

TEST(MachinePeak, BurstIsTheBestWindow) {
  MachinePeak peak = curve();
  peak.gflops[1] = 460; // a short window can beat a shorter one: noise
  EXPECT_DOUBLE_EQ(peak.burst(), 460);
}

TEST(MachinePeak, OverClampsAtTheMeasuredEnds) {
  MachinePeak peak = curve();
  EXPECT_DOUBLE_EQ(peak.over(0.01), 450);
  EXPECT_DOUBLE_EQ(peak.over(0.25), 450);
  EXPECT_DOUBLE_EQ(peak.over(16), 416);
  EXPECT_DOUBLE_EQ(peak.over(500), 416);
}

TEST(MachinePeak, OverInterpolatesOnALogScale) {
  MachinePeak peak = curve();
  EXPECT_DOUBLE_EQ(peak.over(4), 428);
  EXPECT_DOUBLE_EQ(peak.over(2), (446 + 428) / 2.0); // halfway between 1 and 4 ms
  EXPECT_NEAR(peak.over(8), 422, 1e-9);               // halfway between 4 and 16 ms
}

TEST(MachinePeak, AShorterWindowIsAtLeastAsFastAsALongerOne) {
  MachinePeak peak = curve();
  peak.gflops = {450, 446, 410, 430}; // the 4 ms windows ran at a busy moment
  EXPECT_DOUBLE_EQ(peak.over(4), 430);
  EXPECT_DOUBLE_EQ(peak.over(16), 430);
  EXPECT_DOUBLE_EQ(peak.over(2), (446 + 430) / 2.0);
}

TEST(MachinePeak, MeasuresEveryWindowOnEveryThread) {
  MachinePeak peak = netc::driver::measureFmaPeak(2);
  EXPECT_EQ(peak.threads, 2);
  ASSERT_EQ(peak.windowMs.size(), peak.gflops.size());
  ASSERT_GE(peak.windowMs.size(), 3u);
  for (size_t i = 0; i < peak.gflops.size(); ++i) {
    EXPECT_GT(peak.gflops[i], 0);
    if (i) {
      EXPECT_GT(peak.windowMs[i], peak.windowMs[i - 1]);
    }
  }
  EXPECT_TRUE(peak.vectorBits == 128 || peak.vectorBits == 256 || peak.vectorBits == 512);
}
