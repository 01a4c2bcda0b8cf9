// Ape-X's initial priorities: an async DQN actor's policy writes, for every
// transition of a block, |r + gamma * max Q(s') - Q(s, a)| with its copy of
// the learner's network; checked against the learner's own Q values.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "engine/config/experiment.h"
#include "engine/runtime/agent.h"
#include "engine/runtime/experience.h"

TEST_CASE("dqn: actors compute initial priorities from the learner's weights") {
  const pavlov::Config cfg = pavlov::parse_experiment(R"(
[experiment]
name = "t"
device = "cpu"
[env]
id = "CartPole-v1"
num_envs = 2
[agent]
algo = "dqn"
gamma = 0.9
[agent.net]
hidden = [16]
[replay]
prioritized = true
[train]
total_steps = 1000
)", "inline.toml");
  const auto obs_space = pavlov::Space::box(-5, 5, {4});
  const auto act_space = pavlov::Space::discrete(2);
  auto agent = pavlov::make_agent("dqn", {cfg, obs_space, act_space, 2, "cpu", 3, 1000});
  REQUIRE(agent->behaviour_numbers() == 1);
  auto policy = agent->make_policy(0, 1, 2, 9);
  std::vector<float> w;
  agent->policy_weights(w);
  policy->set_weights(w);

  pavlov::Experience x;
  x.shape(obs_space, act_space, 2, 3, true);
  x.steps = 3;
  auto* o = reinterpret_cast<float*>(x.obs.data());
  auto* n = reinterpret_cast<float*>(x.next_obs.data());
  auto* a = reinterpret_cast<std::int64_t*>(x.actions.data());
  for (int i = 0; i < 6; ++i) {
    for (int j = 0; j < 4; ++j) {
      o[i * 4 + j] = 0.1f * static_cast<float>(i - j);
      n[i * 4 + j] = 0.2f * static_cast<float>(j - i);
    }
    a[i] = i % 2;
    x.rewards[i] = static_cast<float>(i);
    x.terminated[i] = i == 4;
  }
  policy->finish_block(x);
  auto q = [&](const float* obs) { return agent->insight(pavlov::ConstArrayView(obs, pavlov::DType::kFloat32, 4)).values; };
  for (int i = 0; i < 6; ++i) {
    const auto qs = q(o + i * 4), qn = q(n + i * 4);
    const float bootstrap = x.terminated[i] ? 0.0f : std::max(qn[0], qn[1]);
    CAPTURE(i);
    CHECK(x.behaviour[i] == doctest::Approx(std::abs(x.rewards[i] + 0.9f * bootstrap - qs[a[i]])).epsilon(1e-4));
  }
}
