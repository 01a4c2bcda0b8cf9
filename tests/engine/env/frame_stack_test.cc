// FrameStack: shapes and bounds, the stack's contents against the unwrapped
// env, the time limit, save/load, and the VectorEnv option.
#include <doctest/doctest.h>

#include <sstream>
#include <vector>

#include "engine/env/frame_stack.h"
#include "engine/env/registry.h"
#include "engine/env/vector_env.h"

TEST_CASE("frame stack: shapes, bounds and errors") {
  auto breakout = pavlov::stack_frames(pavlov::make_env("MinAtar/Breakout-v1"), 4);
  CHECK(breakout->observation_space().shape() == std::vector<std::int64_t>{16, 10, 10});
  CHECK(breakout->observation_space().dtype() == pavlov::DType::kUInt8);
  auto cartpole = pavlov::stack_frames(pavlov::make_env("CartPole-v1"), 3);
  CHECK(cartpole->observation_space().shape() == std::vector<std::int64_t>{12});
  CHECK(cartpole->observation_space().low()[4] == cartpole->observation_space().low()[0]);
  CHECK(cartpole->max_episode_steps() == 500);
  CHECK(pavlov::stack_frames(pavlov::make_env("CartPole-v1"), 1)->observation_space().numel() == 4);  // no wrapper
  CHECK_THROWS_WITH(pavlov::stack_frames(pavlov::make_env("CartPole-v1"), 0), doctest::Contains("frame_stack must be >= 1"));
  std::vector<float> buffer(8);
  CHECK_THROWS_WITH(pavlov::stack_frames(pavlov::make_env("CartPole-v1"), 2)->step(std::int64_t{0}, buffer),
                    doctest::Contains("reset"));
}

TEST_CASE("frame stack: the stack holds the unwrapped env's last k observations, oldest first") {
  auto stacked = pavlov::stack_frames(pavlov::make_env("Pendulum-v1"), 3);
  auto plain = pavlov::make_env("Pendulum-v1");
  std::vector<float> s(9), p(3);
  stacked->reset(s, 11);
  pavlov::Rng derive;
  derive.seed_with(11);
  plain->reset(p, derive.next());  // the wrapper seeds its inner env from its own generator
  for (int i = 0; i < 3; ++i) CHECK(std::vector<float>(s.begin() + 3 * i, s.begin() + 3 * i + 3) == p);
  std::vector<std::vector<float>> history = {p, p, p};
  const float torque = 0.7f;
  for (int t = 0; t < 5; ++t) {
    const auto rs = stacked->step(std::span<const float>(&torque, 1), s);
    const auto rp = plain->step(std::span<const float>(&torque, 1), p);
    CHECK(rs.reward == rp.reward);
    history.push_back(p);
  }
  for (int i = 0; i < 3; ++i) CHECK(std::vector<float>(s.begin() + 3 * i, s.begin() + 3 * i + 3) == history[history.size() - 3 + i]);
}

TEST_CASE("frame stack: truncation at the inner env's time limit; save and load continue exactly") {
  auto env = pavlov::stack_frames(pavlov::make_env("MountainCar-v0"), 4);
  std::vector<float> obs(8);
  env->reset(obs, 1);
  pavlov::StepResult r;
  int steps = 0;
  do {
    r = env->step(std::int64_t{steps % 3}, obs);
    ++steps;
  } while (!r.terminated && !r.truncated);
  CHECK(r.truncated);
  CHECK(steps == 200);

  auto a = pavlov::stack_frames(pavlov::make_env("MinAtar/Asterix-v1"), 4);
  auto b = pavlov::stack_frames(pavlov::make_env("MinAtar/Asterix-v1"), 4);
  std::vector<std::uint8_t> oa(1600), ob(1600);
  const pavlov::ArrayView va(oa.data(), pavlov::DType::kUInt8, 1600), vb(ob.data(), pavlov::DType::kUInt8, 1600);
  a->reset(va, 3);
  for (int t = 0; t < 12; ++t) {
    const std::int64_t act = t % 5;
    if (a->step(pavlov::ConstArrayView(&act, pavlov::DType::kInt64, 1), va).terminated) a->reset(va, 4);
  }
  std::stringstream saved;
  a->save(saved);
  b->load(saved, vb);
  CHECK(oa == ob);
  for (int t = 0; t < 20; ++t) {
    const std::int64_t act = (t * 7) % 5;
    const auto ra = a->step(pavlov::ConstArrayView(&act, pavlov::DType::kInt64, 1), va);
    const auto rb = b->step(pavlov::ConstArrayView(&act, pavlov::DType::kInt64, 1), vb);
    REQUIRE(ra.reward == rb.reward);
    REQUIRE(oa == ob);
    if (ra.terminated) break;
  }
}

TEST_CASE("frame stack: VectorEnv builds stacked envs") {
  pavlov::VectorEnv venv("MinAtar/Breakout-v1", {.num_envs = 3, .threads = 1, .seed = 2, .frame_stack = 4});
  CHECK(venv.observation_space().numel() == 1600);
  const auto& b = venv.reset(2);
  CHECK(b.obs.size == 3 * 1600);
}
