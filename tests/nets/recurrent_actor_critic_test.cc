// The recurrent actor-critic (nets/recurrent_actor_critic.h): learning's
// unroll gives what acting's steps gave, the memory restarts where an
// episode starts, and the memory is what tells two histories apart.
#include "nets/recurrent_actor_critic.h"

#include <doctest/doctest.h>

#include <torch/torch.h>

namespace {
pavlov::nets::RecurrentActorCritic make_net(bool continuous) {
  torch::manual_seed(3);
  pavlov::nets::MLPOptions torso(0);
  torso.hidden({16}).activation("tanh");
  return pavlov::nets::RecurrentActorCritic(pavlov::nets::RecurrentActorCriticOptions{
      .obs_dim = 3, .action_dim = 2, .lstm = 8, .continuous = continuous, .torso = torso});
}
}  // namespace

TEST_CASE("recurrent actor-critic: unroll equals step by step, memory zeroed at episode starts") {
  auto net = make_net(false);
  const std::int64_t T = 6, B = 3;
  const torch::Tensor obs = torch::randn({T, B, 3});
  torch::Tensor starts = torch::zeros({T, B});
  starts[0][1] = 1;  // sequence 1 starts an episode at once, sequence 2 at step 4
  starts[4][2] = 1;
  const torch::Tensor memory0 = torch::randn({B, 4 * 8});
  const auto [out, values] = net->unroll(obs, starts, memory0);
  CHECK(out.sizes() == torch::IntArrayRef({T * B, 2}));
  CHECK(values.sizes() == torch::IntArrayRef({T * B}));
  torch::Tensor m = memory0;
  for (std::int64_t t = 0; t < T; ++t) {
    m = m * (1 - starts[t]).unsqueeze(1);
    auto [o, v, next] = net->step(obs[t], m);
    m = next;
    CHECK(torch::allclose(o, out.slice(0, t * B, (t + 1) * B), 1e-5, 1e-6));
    CHECK(torch::allclose(v, values.slice(0, t * B, (t + 1) * B), 1e-5, 1e-6));
  }
  // After its start at step 4, sequence 2 reads as a fresh sequence from zero memory would.
  const auto [fresh, fresh_values] = net->unroll(obs.slice(0, 4, 6).slice(1, 2, 3), torch::zeros({2, 1}),
                                                 net->initial_memory(1));
  CHECK(torch::allclose(fresh, torch::stack({out[4 * B + 2], out[5 * B + 2]}), 1e-5, 1e-6));
}

TEST_CASE("recurrent actor-critic: the same observation after different histories gives different outputs") {
  auto net = make_net(true);
  CHECK(net->log_std().sizes() == torch::IntArrayRef({2}));
  const torch::Tensor x = torch::ones({1, 3});
  const auto [o1, v1, m1] = net->step(x, net->initial_memory(1));
  const auto [o2, v2, m2] = net->step(x, m1);  // same input, one step of history
  CHECK(!torch::allclose(o1, o2));
  CHECK(!torch::allclose(v1, v2));
  CHECK(m2.sizes() == torch::IntArrayRef({1, 32}));
}
