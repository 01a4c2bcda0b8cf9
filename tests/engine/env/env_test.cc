#include "engine/env/env.h"

#include <doctest/doctest.h>

#include <functional>

#include <cmath>
#include <limits>

#include "alloc_counter.h"
#include "engine/env/env_error.h"
#include "env_error_message.h"
#include "engine/env/registry.h"

using pavlov::EnvError;
using pavlov::make_env;

using pavlov::test::env_error_message;

TEST_CASE("env: step before reset and after the end are errors that say what to do") {
  auto env = make_env("CartPole-v1");
  std::vector<float> obs(4);
  CHECK(env_error_message([&] { env->step(std::int64_t{0}, obs); }) ==
        "CartPole-v1: step() called before reset(); call reset() first");
  env->reset(obs, 0);
  pavlov::StepResult r;
  while (!(r = env->step(std::int64_t{1}, obs)).terminated) {
  }
  CHECK(env_error_message([&] { env->step(std::int64_t{1}, obs); }).find("after the episode ended") != std::string::npos);
  env->reset(obs);
  CHECK_NOTHROW(env->step(std::int64_t{1}, obs));
}

TEST_CASE("env: a bad action names the env, the value and the valid range") {
  auto env = make_env("Acrobot-v1");
  std::vector<float> obs(6);
  env->reset(obs, 0);
  CHECK(env_error_message([&] { env->step(std::int64_t{3}, obs); }) ==
        "Acrobot-v1: invalid action [3]: outside Discrete(3) (valid: 0 to 2)");
  CHECK(env_error_message([&] { env->step(std::int64_t{-1}, obs); }).find("invalid action [-1]") != std::string::npos);
  auto pendulum = make_env("Pendulum-v1");
  std::vector<float> pobs(3);
  pendulum->reset(pobs, 0);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  CHECK(env_error_message([&] { pendulum->step(std::span<const float>(&nan, 1), pobs); })
            .find("Pendulum-v1: invalid action [nan]: continuous actions must be finite") != std::string::npos);
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(env_error_message([&] { pendulum->step(std::span<const float>(&inf, 1), pobs); }) != "<no EnvError>");
  // Out of the Box but finite: clipped, as Gymnasium does.
  const float big = 10.0f;
  CHECK_NOTHROW(pendulum->step(std::span<const float>(&big, 1), pobs));
  // A discrete action given to a continuous env is a type error.
  CHECK(env_error_message([&] { pendulum->step(std::int64_t{1}, pobs); }).find("takes 1 float32 values") != std::string::npos);
  std::vector<float> short_obs(2);
  CHECK(env_error_message([&] { pendulum->reset(short_obs); }).find("needs 3 float32 values") != std::string::npos);
}

TEST_CASE("env: the time limit truncates exactly as Gymnasium's TimeLimit") {
  auto env = make_env("Pendulum-v1");  // never terminates
  std::vector<float> obs(3);
  const float a = 0.0f;
  for (int episode = 0; episode < 2; ++episode) {
    env->reset(obs, episode);
    for (int t = 1; t <= 200; ++t) {
      const auto r = env->step(std::span<const float>(&a, 1), obs);
      REQUIRE(r.info.elapsed_steps == t);
      REQUIRE(r.truncated == (t == 200));
      REQUIRE_FALSE(r.terminated);
    }
    CHECK_FALSE(env->running());
  }
  env->set_max_episode_steps(0);  // no limit
  env->reset(obs);
  for (int t = 0; t < 1000; ++t) REQUIRE_FALSE(env->step(std::span<const float>(&a, 1), obs).truncated);
}

TEST_CASE("env: reset(seed) reproduces, reset() continues the stream") {
  auto a = make_env("CartPole-v1"), b = make_env("CartPole-v1");
  std::vector<float> oa(4), ob(4);
  a->reset(oa, 123);
  b->reset(ob, 123);
  CHECK(oa == ob);
  for (float x : oa) CHECK(std::abs(x) <= 0.05f);
  a->reset(oa);
  b->reset(ob);
  CHECK(oa == ob);
  b->reset(ob, 124);
  CHECK(oa != ob);
}

TEST_CASE("env: stepping allocates nothing" * doctest::skip(!pavlov::test::kCountsAllocations)) {
  auto env = make_env("CartPole-v1");
  std::vector<float> obs(4);
  env->reset(obs, 0);
  const auto before = pavlov::test::allocations();
  for (int i = 0; i < 10000; ++i) {
    const auto r = env->step(std::int64_t{i % 2}, obs);
    if (r.terminated || r.truncated) env->reset(obs);
  }
  CHECK(pavlov::test::allocations() == before);
}
