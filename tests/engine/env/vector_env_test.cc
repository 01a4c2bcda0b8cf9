#include "engine/env/vector_env.h"

#include <doctest/doctest.h>

#include <cstring>
#include <map>

#include "alloc_counter.h"
#include "engine/env/env_error.h"
#include "engine/env/registry.h"

using pavlov::AutoresetMode;
using pavlov::ConstArrayView;
using pavlov::VectorEnv;

namespace {

// The action env `e` takes on its k-th step (a fixed pseudo-random pattern).
std::int64_t action_of(int e, int k) { return static_cast<std::int64_t>(pavlov::derive_seed(e, k) & 1); }

// Per env: the sequence of (obs..., reward, terminated, truncated) it produced.
using Traces = std::map<int, std::vector<float>>;

void record(Traces& traces, const pavlov::Batch& b, std::int64_t obs_numel) {
  for (std::int64_t r = 0; r < b.size; ++r) {
    auto& t = traces[b.env_ids[r]];
    const float* o = b.obs.as<float>() + r * obs_numel;
    t.insert(t.end(), o, o + obs_numel);
    t.push_back(b.rewards[r]);
    t.push_back(b.terminated[r]);
    t.push_back(b.truncated[r]);
  }
}

Traces run_sync(int num_envs, int threads, int steps, std::uint64_t seed) {
  VectorEnv venv("CartPole-v1", {.num_envs = num_envs, .threads = threads, .seed = seed});
  Traces traces;
  record(traces, venv.reset(), 4);
  std::vector<std::int64_t> actions(num_envs);
  for (int k = 0; k < steps; ++k) {
    for (int e = 0; e < num_envs; ++e) actions[e] = action_of(e, k);
    record(traces, venv.step(ConstArrayView(std::span(actions))), 4);
  }
  return traces;
}

}  // namespace

TEST_CASE("vector env: one thread, several threads and async batches agree exactly") {
  const Traces one = run_sync(8, 1, 3000, 11);
  CHECK(one == run_sync(8, 2, 3000, 11));
  CHECK(one == run_sync(8, 8, 3000, 11));
  CHECK(one != run_sync(8, 2, 3000, 12));

  // Async: batches of 3 of 8 envs, each env given its own k-th action.
  VectorEnv venv("CartPole-v1", {.num_envs = 8, .threads = 2, .batch_size = 3, .seed = 11});
  Traces traces;
  std::map<int, int> taken;
  venv.async_reset();
  std::vector<std::int64_t> actions(3);
  std::vector<std::int32_t> ids(3);
  for (int round = 0; round < 3000; ++round) {
    const pavlov::Batch& b = venv.recv();
    REQUIRE(b.size == 3);
    record(traces, b, 4);
    for (int r = 0; r < 3; ++r) {
      ids[r] = b.env_ids[r];
      actions[r] = action_of(ids[r], taken[ids[r]]++);
    }
    CHECK((ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]));
    venv.send(ConstArrayView(std::span(actions)), ids);
  }
  // Each env's trace is a prefix of (or equal to) its synchronous trace.
  for (const auto& [e, t] : traces) {
    REQUIRE(t.size() <= one.at(e).size());
    CHECK(std::equal(t.begin(), t.end(), one.at(e).begin()));
  }
}

TEST_CASE("vector env: env i is seeded with derive_seed(seed, i)") {
  VectorEnv venv("CartPole-v1", {.num_envs = 4, .threads = 1});
  const auto& b = venv.reset(99);
  auto single = pavlov::make_env("CartPole-v1");
  std::vector<float> obs(4);
  for (int i = 0; i < 4; ++i) {
    single->reset(obs, pavlov::derive_seed(99, i));
    CHECK(std::equal(obs.begin(), obs.end(), b.obs.as<float>() + 4 * i));
  }
}

TEST_CASE("vector env: next-step autoreset, final observation and episode statistics") {
  VectorEnv venv("CartPole-v1", {.num_envs = 2, .threads = 1, .seed = 3});
  auto single = pavlov::make_env("CartPole-v1");
  std::vector<float> obs(4);
  venv.reset();
  single->reset(obs, pavlov::derive_seed(3, 0));
  std::vector<std::int64_t> actions = {1, 0};  // env 0 always pushes right: falls within ~10 steps
  float total = 0;
  int length = 0;
  for (int t = 0; t < 100; ++t) {
    const auto& b = venv.step(ConstArrayView(std::span(actions)));
    const auto r = single->step(std::int64_t{1}, obs);
    REQUIRE(std::equal(obs.begin(), obs.end(), b.obs.as<float>()));
    total += static_cast<float>(r.reward);
    ++length;
    if (!r.terminated) continue;
    CHECK(b.terminated[0] == 1);
    CHECK(std::equal(obs.begin(), obs.end(), b.final_obs.as<float>()));
    CHECK(b.episode_return[0] == total);
    CHECK(b.episode_length[0] == length);
    // The next step resets env 0 whatever its action: reward 0, flags 0, a fresh observation.
    const auto& next = venv.step(ConstArrayView(std::span(actions)));
    CHECK(next.rewards[0] == 0.0f);
    CHECK(next.terminated[0] == 0);
    CHECK(next.truncated[0] == 0);
    for (int i = 0; i < 4; ++i) CHECK(std::abs(next.obs.as<float>()[i]) <= 0.05f);
    return;
  }
  FAIL("env 0 never terminated");
}

TEST_CASE("vector env: a truncated episode keeps its final observation for bootstrapping") {
  for (AutoresetMode mode : {AutoresetMode::kNextStep, AutoresetMode::kSameStep}) {
    VectorEnv venv("Pendulum-v1", {.num_envs = 2, .threads = 2, .autoreset = mode, .seed = 5});
    venv.env(1).set_max_episode_steps(7);
    venv.reset();
    std::vector<float> actions = {0.5f, -0.5f};
    std::vector<float> last_obs(3);
    for (int t = 1; t <= 7; ++t) {
      const auto& b = venv.step(ConstArrayView(std::span(actions)));
      if (t < 7) {
        REQUIRE(b.truncated[1] == 0);
        std::copy(b.obs.as<float>() + 3, b.obs.as<float>() + 6, last_obs.begin());
        continue;
      }
      CHECK(b.truncated[1] == 1);
      CHECK(b.terminated[1] == 0);
      CHECK(b.episode_length[1] == 7);
      // The final observation follows the previous one by one step of the dynamics.
      const float* fin = b.final_obs.as<float>() + 3;
      CHECK(std::abs(fin[2] - last_obs[2]) < 1.0f);
      if (mode == AutoresetMode::kSameStep) {
        CHECK_FALSE(std::equal(fin, fin + 3, b.obs.as<float>() + 3));  // obs holds the new episode
      } else {
        CHECK(std::equal(fin, fin + 3, b.obs.as<float>() + 3));
      }
    }
  }
}

TEST_CASE("vector env: disabled autoreset needs an explicit reset of the finished envs") {
  VectorEnv venv("CartPole-v1", {.num_envs = 2, .threads = 1, .autoreset = AutoresetMode::kDisabled, .seed = 1});
  venv.reset();
  std::vector<std::int64_t> actions = {1, 1};
  std::vector<std::uint8_t> done(2, 0);
  while (!(done[0] || done[1])) {
    const auto& b = venv.step(ConstArrayView(std::span(actions)));
    done = {b.terminated[0], b.terminated[1]};
  }
  CHECK_THROWS_AS(venv.step(ConstArrayView(std::span(actions))), pavlov::EnvError);
  venv.reset(std::nullopt, done);
  CHECK_NOTHROW(venv.step(ConstArrayView(std::span(actions))));
}

TEST_CASE("vector env: bad configurations and buffers are errors") {
  CHECK_THROWS_AS(VectorEnv("CartPole-v1", {.num_envs = 0}), pavlov::EnvError);
  CHECK_THROWS_AS(VectorEnv("CartPole-v1", {.num_envs = 2, .threads = 3}), pavlov::EnvError);
  CHECK_THROWS_AS(VectorEnv("CartPole-v1", {.num_envs = 2, .batch_size = 3}), pavlov::EnvError);
  VectorEnv venv("CartPole-v1", {.num_envs = 2, .threads = 1});
  venv.reset();
  std::vector<std::int64_t> three = {0, 1, 0};
  CHECK_THROWS_AS(venv.step(ConstArrayView(std::span(three))), pavlov::EnvError);
  std::vector<std::int64_t> bad = {0, 2};
  CHECK_THROWS_AS(venv.step(ConstArrayView(std::span(bad))), pavlov::EnvError);
  VectorEnv async("CartPole-v1", {.num_envs = 4, .threads = 1, .batch_size = 2});
  CHECK_THROWS_AS(async.recv(), pavlov::EnvError);  // nothing in flight: would wait forever
  CHECK_THROWS_AS(async.step(ConstArrayView(std::span(bad))), pavlov::EnvError);
}

TEST_CASE("vector env: 10k steps allocate nothing" * doctest::skip(!pavlov::test::kCountsAllocations)) {
  VectorEnv venv("CartPole-v1", {.num_envs = 16, .threads = 2, .seed = 0});
  venv.reset();
  std::vector<std::int64_t> actions(16);
  for (int i = 0; i < 16; ++i) actions[i] = i % 2;
  venv.step(ConstArrayView(std::span(actions)));  // first use of the pool
  const auto before = pavlov::test::allocations();
  for (int k = 0; k < 10000; ++k) venv.step(ConstArrayView(std::span(actions)));
  CHECK(pavlov::test::allocations() == before);
}
