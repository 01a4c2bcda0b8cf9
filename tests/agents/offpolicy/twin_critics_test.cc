// TwinCritics' forwards for the actor's loss: the gradient reaches the
// actions exactly as through the trainable critics, the critics' weights get
// none, and they are trainable again afterwards.
#include <doctest/doctest.h>

#include <torch/torch.h>

#include "agents/offpolicy/twin_critics.h"
#include "engine/config/experiment.h"

namespace {

pavlov::Config sac_config() {
  return pavlov::parse_experiment(R"(
[experiment]
name = "t"
device = "cpu"
[env]
id = "Pendulum-v1"
[agent]
algo = "sac"
[agent.net]
hidden = [16, 16]
[train]
total_steps = 1000
)", "inline.toml");
}

double grad_sum(const std::vector<torch::Tensor>& params) {
  double s = 0;
  for (const auto& p : params) s += p.grad().abs().sum().item<double>();
  return s;
}

}  // namespace

TEST_CASE("twin critics: the actor's Q gives the actions their gradient and the critics' weights none") {
  torch::manual_seed(7);
  pavlov::agents::TwinCritics critics(sac_config(), 3, 1, torch::kCPU);
  const auto params = critics.parameters();
  REQUIRE(params.size() == 12);  // two critics of three Linear layers
  const torch::Tensor obs = torch::randn({8, 3});
  const torch::Tensor base = torch::rand({8, 1}) * 2 - 1;

  // Reference: Q1 and min(Q1, Q2) through the trainable critics.
  const torch::Tensor a_min = base.clone().requires_grad_(true), a_q1 = base.clone().requires_grad_(true);
  const auto [q1, q2] = critics.forward(obs, a_min);
  torch::min(q1, q2).sum().backward();
  critics.forward(obs, a_q1).first.sum().backward();
  REQUIRE(grad_sum(params) > 0);  // the trainable forward does reach the weights
  for (const auto& p : params) p.grad().zero_();

  const torch::Tensor a = base.clone().requires_grad_(true), b = base.clone().requires_grad_(true);
  critics.policy_min(obs, a).sum().backward();
  critics.policy_q1(obs, b).sum().backward();
  REQUIRE(torch::allclose(a.grad(), a_min.grad()));
  REQUIRE(torch::allclose(b.grad(), a_q1.grad()));
  REQUIRE(a.grad().abs().sum().item<double>() > 0);
  REQUIRE(grad_sum(params) == 0.0);
  for (const auto& p : params) REQUIRE(p.requires_grad());
}
