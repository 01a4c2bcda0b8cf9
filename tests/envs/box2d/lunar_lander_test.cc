// LunarLander: a hand-written PD controller lands it, the same seed gives the
// same world (sync and threaded vector stepping, and after save/load), and
// bad actions get Gymnasium's treatment.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <vector>

#include "engine/env/env_error.h"
#include "engine/env/registry.h"
#include "engine/env/vector_env.h"
#include "envs/box2d/lunar_lander.h"
#include "random_run_hash.h"

using namespace pavlov;

namespace {

// A PD controller: lean towards the pad (the target angle grows with the
// horizontal offset and speed), hover at a height that shrinks with the
// offset, damp both; once a leg touches, only cushion the fall.
struct Command {
  double turn, lift;  // > 0: turn left (counter-clockwise) / push up
};
Command pd(const float* s) {
  const double target_angle = std::clamp(0.5 * s[0] + 1.0 * s[2], -0.4, 0.4);
  const double target_height = 0.55 * std::abs(s[0]);
  Command c{(target_angle - s[4]) * 0.5 - s[5] * 1.0, (target_height - s[1]) * 0.5 - s[3] * 0.5};
  if (s[6] > 0 || s[7] > 0) c = {0.0, -s[3] * 0.5};
  return c;
}
std::int64_t discrete_action(const float* s) {
  const Command c = pd(s);
  if (c.lift > std::abs(c.turn) && c.lift > 0.05) return 2;  // main engine
  if (c.turn < -0.05) return 3;                               // right engine turns clockwise
  if (c.turn > 0.05) return 1;
  return 0;
}
void continuous_action(const float* s, float* a) {
  const Command c = pd(s);
  a[0] = static_cast<float>(std::clamp(c.lift * 20 - 1, -1.0, 1.0));
  a[1] = static_cast<float>(std::clamp(-c.turn * 20, -1.0, 1.0));
}

double episode(Env& env, std::uint64_t seed) {
  std::vector<float> obs(8);
  env.reset(obs, seed);
  double ret = 0;
  for (;;) {
    StepResult r;
    if (env.action_space().is_discrete()) {
      r = env.step(discrete_action(obs.data()), obs);
    } else {
      float a[2];
      continuous_action(obs.data(), a);
      r = env.step(std::span<const float>(a, 2), obs);
    }
    ret += r.reward;
    if (r.terminated || r.truncated) return ret;
  }
}

}  // namespace

TEST_CASE("lunar lander: the PD controller lands, mean return >= 200 over 20 seeds") {
  for (const char* id : {"LunarLander-v3", "LunarLanderContinuous-v3"}) {
    auto env = make_env(id);
    double sum = 0, worst = 1e9;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      const double r = episode(*env, seed);
      sum += r;
      worst = std::min(worst, r);
    }
    MESSAGE(std::string(id) << ": PD controller mean return " << sum / 20 << ", worst " << worst << " (20 seeds)");
    CHECK(sum / 20 >= 200.0);
  }
}

TEST_CASE("lunar lander: doing nothing crashes with -100 at the end") {
  auto env = make_env("LunarLander-v3");
  std::vector<float> obs(8);
  env->reset(obs, 3);
  StepResult r;
  for (int t = 0; t < 1000 && !(r.terminated || r.truncated); ++t) r = env->step(std::int64_t{0}, obs);
  CHECK(r.terminated);
  CHECK(r.reward == -100.0);
}

TEST_CASE("lunar lander: same seed, same world after 1000 random steps, on 1 or 2 threads") {
  for (const char* id : {"LunarLander-v3", "LunarLanderContinuous-v3"}) {
    VectorEnv a(id, {.num_envs = 8, .threads = 1}), b(id, {.num_envs = 8, .threads = 2}), c(id, {.num_envs = 8, .threads = 1});
    const auto ha = testing::random_run_hash(a, 5);
    CHECK(ha == testing::random_run_hash(b, 5));
    CHECK(ha != testing::random_run_hash(c, 6));
  }
}

TEST_CASE("lunar lander: save and load mid-episode continue the same trajectory") {
  auto env = make_env("LunarLanderContinuous-v3");
  std::vector<float> obs(8), obs2(8);
  env->reset(obs, 11);
  const float a[2] = {0.7f, -0.8f};
  for (int t = 0; t < 40; ++t) env->step(std::span<const float>(a, 2), obs);
  std::stringstream saved;
  env->save(saved);
  auto copy = make_env("LunarLanderContinuous-v3");
  copy->load(saved, ArrayView(std::span(obs2)));
  CHECK(obs2 == obs);
  for (int t = 0; t < 60; ++t) {
    const float b[2] = {static_cast<float>(t % 3) - 1.0f, 0.9f};
    const auto r1 = env->step(std::span<const float>(b, 2), obs);
    const auto r2 = copy->step(std::span<const float>(b, 2), obs2);
    REQUIRE(obs == obs2);
    CHECK(r1.reward == r2.reward);
    if (r1.terminated) break;
  }
}

TEST_CASE("lunar lander: continuous actions are clipped, discrete ones checked, NaN rejected") {
  auto c1 = make_env("LunarLanderContinuous-v3"), c2 = make_env("LunarLanderContinuous-v3");
  std::vector<float> o1(8), o2(8);
  c1->reset(o1, 2);
  c2->reset(o2, 2);
  const float big[2] = {5.0f, -7.0f}, edge[2] = {1.0f, -1.0f};
  const auto r1 = c1->step(std::span<const float>(big, 2), o1);
  const auto r2 = c2->step(std::span<const float>(edge, 2), o2);
  CHECK(o1 == o2);  // out-of-bounds throttles act as the bounds
  CHECK(r1.reward == r2.reward);
  const float nan[2] = {std::nanf(""), 0.0f};
  CHECK_THROWS_AS(c1->step(std::span<const float>(nan, 2), o1), EnvError);
  auto d = make_env("LunarLander-v3");
  d->reset(o1, 0);
  CHECK_THROWS_AS(d->step(std::int64_t{4}, o1), EnvError);
  CHECK_THROWS_AS(make_env("LunarLander-v3", {{"gravity", 3.0}}), EnvError);
}
