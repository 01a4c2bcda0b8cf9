// Prioritized replay: the sum tree against brute force, sampling frequencies
// proportional to priority^alpha, importance-sampling weights, new items at the
// largest priority, and priorities surviving save/load.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "engine/replay/replay.h"
#include "engine/replay/sum_tree.h"
#include "engine/replay/step_batch.h"

using pavlov::ConstArrayView;
using pavlov::Replay;
using pavlov::Space;

TEST_CASE("sum tree: totals, minimum and prefix search agree with brute force") {
  pavlov::SumTree tree(13);  // not a power of two
  std::vector<double> p(13, 0.0);
  pavlov::Rng rng(4);
  for (int round = 0; round < 200; ++round) {
    const auto i = static_cast<std::int64_t>(rng.below(13));
    p[i] = rng.uniform() < 0.2 ? 0.0 : rng.uniform(0.1, 5.0);
    tree.set(i, p[i]);
    double total = 0, least = INFINITY;
    for (double v : p) {
      total += v;
      if (v > 0) least = std::min(least, v);
    }
    REQUIRE(tree.total() == doctest::Approx(total));
    REQUIRE(tree.min() == least);
    if (total <= 0) continue;
    const double mass = rng.uniform() * total;
    double below = 0;
    std::int64_t want = 0;
    while (below + p[want] <= mass) below += p[want++];
    REQUIRE(tree.find(mass) == want);
  }
}

namespace {

// A replay of 4 one-dimensional transitions whose observation is their index.
Replay four(bool prioritized, std::int64_t batch) {
  Replay r(Space::box(-10, 10, {1}), Space::discrete(2),
           {.capacity = 4, .num_envs = 1, .batch_size = batch, .prioritized = prioritized, .alpha = 1.0, .priority_eps = 0.0});
  for (int i = 0; i < 4; ++i) {
    const float obs[1] = {static_cast<float>(i)}, rew[1] = {0};
    const std::int64_t a[1] = {0};
    const std::uint8_t no[1] = {0};
    r.add(ConstArrayView(std::span(obs)), ConstArrayView(std::span(a)), rew, ConstArrayView(std::span(obs)), no, no);
  }
  return r;
}

}  // namespace

TEST_CASE("prioritized replay: draws follow priority^alpha, weights correct the bias") {
  Replay r = four(true, 64);
  pavlov::Rng rng(7);
  // Everything enters at the largest priority (1): uniform at first, weights 1.
  const auto& s0 = r.sample(rng, 1.0);
  for (int b = 0; b < 64; ++b) CHECK(s0.weights[b] == doctest::Approx(1.0));
  // Priorities 1, 2, 3, 4 (alpha 1): probabilities 0.1 .. 0.4.
  const std::vector<std::int64_t> idx = {0, 1, 2, 3};
  const std::vector<float> td = {1, -2, 3, -4};  // signs do not matter
  r.update_priorities(idx, td);
  std::vector<int> counts(4, 0);
  for (int k = 0; k < 2000; ++k) {
    const auto& s = r.sample(rng, 1.0);
    for (int b = 0; b < 64; ++b) {
      const int i = static_cast<int>(s.obs.as<float>()[b]);
      CHECK(s.indices[b] == i);
      ++counts[i];
      // beta 1: w_i = (N P_i)^-1 / max_j (N P_j)^-1 = P_min / P_i = 1 / (i + 1)
      CHECK(s.weights[b] == doctest::Approx(1.0 / (i + 1)));
    }
  }
  const double n = 2000.0 * 64;
  for (int i = 0; i < 4; ++i) CHECK(counts[i] / n == doctest::Approx((i + 1) / 10.0).epsilon(0.02));
  // beta 0: no correction.
  const auto& s = r.sample(rng, 0.0);
  for (int b = 0; b < 64; ++b) CHECK(s.weights[b] == doctest::Approx(1.0));
}

TEST_CASE("prioritized replay: new transitions enter at the largest priority; uniform replays weigh 1") {
  Replay r = four(true, 8);
  const std::vector<std::int64_t> idx = {0, 1, 2, 3};
  r.update_priorities(idx, std::vector<float>{0.5f, 0.5f, 0.5f, 9.0f});
  // Overwrite slot 0 (capacity 4): it enters at 9, the largest seen.
  const float obs[1] = {7}, rew[1] = {0};
  const std::int64_t a[1] = {0};
  const std::uint8_t no[1] = {0};
  r.add(ConstArrayView(std::span(obs)), ConstArrayView(std::span(a)), rew, ConstArrayView(std::span(obs)), no, no);
  pavlov::Rng rng(1);
  int sevens = 0;
  for (int k = 0; k < 500; ++k) {
    const auto& s = r.sample(rng, 1.0);
    for (int b = 0; b < 8; ++b) sevens += s.obs.as<float>()[b] == 7.0f;
  }
  CHECK(sevens / 4000.0 == doctest::Approx(9.0 / 19.0).epsilon(0.05));  // 9 / (9 + 0.5 + 0.5 + 9)

  Replay uniform = four(false, 8);
  const auto& s = uniform.sample(rng, 0.4);
  for (int b = 0; b < 8; ++b) CHECK(s.weights[b] == 1.0f);
  uniform.update_priorities(s.indices, std::vector<float>(8, 100.0f));  // no effect, no error
}

TEST_CASE("prioritized replay: priorities survive save and load") {
  Replay a = four(true, 16), b = four(true, 16);
  a.update_priorities(std::vector<std::int64_t>{0, 1, 2, 3}, std::vector<float>{0.1f, 5, 0.2f, 7});
  std::stringstream saved;
  a.save(saved);
  b.load(saved);
  pavlov::Rng ra(3), rb(3);
  const auto& sa = a.sample(ra, 0.6);
  std::vector<std::int64_t> ia(sa.indices.begin(), sa.indices.end());
  std::vector<float> wa(sa.weights.begin(), sa.weights.end());
  const auto& sb = b.sample(rb, 0.6);
  CHECK(ia == std::vector<std::int64_t>(sb.indices.begin(), sb.indices.end()));
  CHECK(wa == std::vector<float>(sb.weights.begin(), sb.weights.end()));
}

TEST_CASE("prioritized replay: transitions can enter with priorities an actor computed (Ape-X)") {
  // 2 env columns, alpha 1: the step enters with |TD| 1 and 3, so column 1 is drawn 3 times as often.
  Replay r(Space::box(-10, 10, {1}), Space::discrete(2),
           {.capacity = 8, .num_envs = 2, .n_step = 1, .gamma = 0.9, .batch_size = 1, .prioritized = true, .alpha = 1.0,
            .priority_eps = 0.0});
  const float obs[2] = {0.0f, 1.0f};
  const std::int64_t a[2] = {0, 1};
  const pavlov::test::StepBatch step({5.0f, 6.0f}, {0.0f, 0.0f});
  const pavlov::Batch& b = step.batch;
  const float priorities[2] = {-1.0f, 3.0f};  // signed TD errors: their magnitudes count
  r.add(ConstArrayView(std::span(obs)), ConstArrayView(std::span(a)), b, 0, priorities);
  pavlov::Rng rng(6);
  int ones = 0;
  const int draws = 20000;
  for (int i = 0; i < draws; ++i) ones += r.sample(rng, 1.0).obs.as<float>()[0] == 1.0f;
  CHECK(static_cast<double>(ones) / draws == doctest::Approx(0.75).epsilon(0.03));
  // A later add without priorities enters at the largest seen (3).
  r.add(ConstArrayView(std::span(obs)), ConstArrayView(std::span(a)), b, 0);
  int firsts = 0;
  for (int i = 0; i < draws; ++i) firsts += r.sample(rng, 1.0).obs.as<float>()[0] == 0.0f;
  CHECK(static_cast<double>(firsts) / draws == doctest::Approx((1.0 + 3.0) / (1 + 3 + 3 + 3)).epsilon(0.03));
}
