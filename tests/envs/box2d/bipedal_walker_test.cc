// BipedalWalker: the same seed gives the same walk (1 or 2 threads, and
// after save/load), a limp walker falls with -100, the lidar sees the ground.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "engine/env/registry.h"
#include "engine/env/vector_env.h"
#include "envs/box2d/bipedal_walker.h"
#include "random_run_hash.h"

using namespace pavlov;

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
