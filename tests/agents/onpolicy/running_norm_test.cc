// Running statistics against the batch formulas, and the reward scaler's resets.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "agents/common/running_norm.h"

using namespace pavlov::agents;

TEST_CASE("running norm: merged batches give the mean and variance of all rows") {
  // Rows (x, y): (1, 10) (2, 20) (3, 30) (4, 40) (5, 50), merged as batches of 2 and 3.
  const std::vector<float> a = {1, 10, 2, 20}, b = {3, 30, 4, 40, 5, 50};
  RunningMeanStd rms(2);
  rms.update(a.data(), 2);
  rms.update(b.data(), 3);
  // The 1e-4 prior count at mean 0, var 1 shifts the figures by ~1e-5 relative.
  CHECK(rms.mean()[0] == doctest::Approx(3.0).epsilon(1e-4));
  CHECK(rms.mean()[1] == doctest::Approx(30.0).epsilon(1e-4));
  CHECK(rms.var()[0] == doctest::Approx(2.0).epsilon(1e-3));   // population variance of 1..5
  CHECK(rms.var()[1] == doctest::Approx(200.0).epsilon(1e-3));
  CHECK(rms.count() == doctest::Approx(5.0001));

  ObsNormalizer norm(2, /*clip=*/1.0);
  norm.update(a.data(), 2);
  norm.update(b.data(), 3);
  std::vector<float> out(4);
  const std::vector<float> x = {3, 30, 5, 500};
  norm.normalize(x.data(), 2, out.data());
  CHECK(out[0] == doctest::Approx(0.0).epsilon(1e-3));
  CHECK(out[1] == doctest::Approx(0.0).epsilon(1e-3));
  CHECK(out[2] == doctest::Approx(1.0));  // 2 / sqrt(2) = 1.41, clipped to 1
  CHECK(out[3] == doctest::Approx(1.0));

  std::stringstream s;
  norm.save(s);
  ObsNormalizer other(2, 1.0);
  other.load(s);
  CHECK(other.stats().mean() == norm.stats().mean());
}

TEST_CASE("running norm: rewards are scaled by the std of the discounted return, reset at episode ends") {
  RewardScaler scaler(1, /*gamma=*/0.5);
  std::vector<float> r = {2.0f};
  const std::vector<std::uint8_t> no = {0}, yes = {1};
  scaler.scale(r, no, no);  // G = 2: one sample, variance from the prior only
  std::vector<float> r2 = {2.0f};
  scaler.scale(r2, yes, no);  // G = 0.5 * 2 + 2 = 3, then the episode ends
  // Returns seen: 2 and 3 -> variance 0.25 (plus the prior's tiny weight).
  CHECK(r2[0] == doctest::Approx(2.0 / std::sqrt(0.25)).epsilon(1e-3));
  std::vector<float> r3 = {2.0f};
  scaler.scale(r3, no, no);  // G restarts: 2; returns 2, 3, 2 -> variance 2/9
  CHECK(r3[0] == doctest::Approx(2.0 / std::sqrt(2.0 / 9.0)).epsilon(1e-3));
}
