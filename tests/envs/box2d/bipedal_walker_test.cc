// BipedalWalker: a hand-written gait walks the course, the same seed gives the
// same walk (1 or 2 threads, and after save/load), a limp walker falls with
// -100, the lidar sees the ground.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <vector>

#include "engine/env/registry.h"
#include "engine/env/vector_env.h"
#include "envs/box2d/bipedal_walker.h"
#include "random_run_hash.h"

using namespace pavlov;

namespace {
// A gait for BipedalWalker, written for these tests: a three-phase cycle over
// which leg swings, each joint driven by PD control towards its phase's angle
// (observation units: hip angle; knee angle + 1, so 1 is a straight knee).
//   reach  the swing leg goes forward with a bent knee while the body rolls
//          over the support leg, until that leg is behind the hip;
//   land   the swing leg comes down, knee nearly straight, until its foot
//          touches;
//   push   the old support leg straightens its knee to push the body on,
//          then the legs change roles.
// Both hips also keep the hull level; the knees damp vertical bouncing.
struct Gait {
  enum class Phase { kReach, kLand, kPush } phase = Phase::kReach;
  int swing = 0;
  double stance_knee = 0.1;  // the support knee's target: grows back to 0.1 after a push
  std::array<float, 4> act(const float* s) {
    const int stance = 1 - swing;
    auto hip = [&](int k) { return double(s[4 + 5 * k]); };
    auto knee = [&](int k) { return double(s[6 + 5 * k]); };
    const bool swing_down = s[8 + 5 * swing] > 0.5f;
    double hip_t[2] = {NAN, NAN}, knee_t[2] = {NAN, NAN};
    switch (phase) {
      case Phase::kReach:
        hip_t[swing] = 1.1, knee_t[swing] = -0.6;
        stance_knee = std::min(0.1, stance_knee + (s[2] > 0.29 ? 0.06 : 0.03));
        knee_t[stance] = stance_knee;
        if (hip(stance) < 0.1) phase = Phase::kLand;
        break;
      case Phase::kLand:
        hip_t[swing] = 0.1, knee_t[swing] = 0.1, knee_t[stance] = stance_knee;
        if (swing_down) phase = Phase::kPush, stance_knee = std::min(knee(swing), 0.1);
        break;
      case Phase::kPush:
        knee_t[swing] = stance_knee, knee_t[stance] = 1.0;
        // Until the knee is straight, or the walker is fast enough (0.35 here made it fall on most seeds).
        if (knee(stance) > 0.88 || s[2] > 0.3) phase = Phase::kReach, swing = stance;
        break;
    }
    std::array<double, 4> a{};
    for (int k = 0; k < 2; ++k) {
      if (!std::isnan(hip_t[k])) a[2 * k] = 0.9 * (hip_t[k] - hip(k)) - 0.25 * s[5 + 5 * k];
      if (!std::isnan(knee_t[k])) a[2 * k + 1] = 4.0 * (knee_t[k] - knee(k)) - 0.25 * s[7 + 5 * k];
      a[2 * k] += 0.9 * s[0] + 1.5 * s[1];  // both hips turn against the hull's tilt and its rate
      a[2 * k + 1] -= 15.0 * s[3];
    }
    std::array<float, 4> out;
    for (int i = 0; i < 4; ++i) out[i] = static_cast<float>(std::clamp(0.5 * a[i], -1.0, 1.0));
    return out;
  }
};
}  // namespace

TEST_CASE("bipedal walker: a hand-written gait walks >= 20 m without falling, on each of 20 seeds") {
  auto env = make_env("BipedalWalker-v3");
  auto* walker = dynamic_cast<envs::BipedalWalker*>(env.get());
  REQUIRE(walker);
  double least = 1e9, returns = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    std::vector<float> obs(24);
    env->reset(obs, seed);
    Gait gait;
    const double x0 = walker->hull_x();
    StepResult r;
    do {
      const auto a = gait.act(obs.data());
      r = env->step(std::span<const float>(a.data(), 4), obs);
      returns += r.reward;
    } while (!(r.terminated || r.truncated));
    CAPTURE(seed);
    CHECK_FALSE(r.terminated);  // the hull never touched the ground (nor did the walk end at the far edge)
    least = std::min(least, walker->hull_x() - x0);
  }
  MESSAGE("gait: least distance " << least << " m over 20 seeds, mean return " << returns / 20);
  CHECK(least >= 20.0);
}

TEST_CASE("bipedal walker: same seed, same walk after 1000 random steps, on 1 or 2 threads") {
  for (const char* id : {"BipedalWalker-v3", "BipedalWalkerHardcore-v3"}) {
    VectorEnv a(id, {.num_envs = 4, .threads = 1}), b(id, {.num_envs = 4, .threads = 2}), c(id, {.num_envs = 4, .threads = 1});
    const auto ha = testing::random_run_hash(a, 9);
    CHECK(ha == testing::random_run_hash(b, 9));
    CHECK(ha != testing::random_run_hash(c, 10));
  }
}

TEST_CASE("bipedal walker: a limp walker (no torque) falls and gets -100") {
  auto env = make_env("BipedalWalker-v3");
  std::vector<float> obs(24);
  env->reset(obs, 1);
  const float zero[4] = {0, 0, 0, 0};
  StepResult r;
  int t = 0;
  while (!(r.terminated || r.truncated)) {
    r = env->step(std::span<const float>(zero, 4), obs);
    ++t;
  }
  CHECK(r.terminated);
  CHECK(r.reward == -100.0);
  CHECK(t < 1600);
  for (int i = 14; i < 24; ++i) CHECK((obs[i] >= 0.0f && obs[i] <= 1.0f));  // lidar fractions
}

TEST_CASE("bipedal walker: save and load mid-episode continue the same walk") {
  auto a = make_env("BipedalWalkerHardcore-v3"), b = make_env("BipedalWalkerHardcore-v3");
  std::vector<float> oa(24), ob(24);
  a->reset(oa, 3);
  Rng rng(1);
  std::vector<float> act(4);
  for (int t = 0; t < 30; ++t) {
    for (float& x : act) x = static_cast<float>(rng.uniform(-1, 1));
    if (a->step(std::span<const float>(act), oa).terminated) a->reset(oa, 3);
  }
  std::stringstream s;
  a->save(s);
  b->load(s, ArrayView(std::span(ob)));
  CHECK(oa == ob);
  for (int t = 0; t < 30; ++t) {
    for (float& x : act) x = static_cast<float>(rng.uniform(-1, 1));
    const auto ra = a->step(std::span<const float>(act), oa);
    const auto rb = b->step(std::span<const float>(act), ob);
    REQUIRE(oa == ob);
    CHECK(ra.reward == rb.reward);
    if (ra.terminated) break;
  }
}

TEST_CASE("bipedal walker: the lidar sees the ground below and nothing far ahead on flat start") {
  auto env = make_env("BipedalWalker-v3");
  std::vector<float> obs(24);
  env->reset(obs, 0);
  // Ray 0 points straight down from the hull (about 2.3 m above the start pad, range 5.3 m):
  // it hits; the last ray, 1.35 rad from vertical, reaches farther than the pad's 4.7 m.
  CHECK(obs[14] > 0.2f);
  CHECK(obs[14] < 0.8f);
  CHECK(obs[23] > obs[14]);
}
