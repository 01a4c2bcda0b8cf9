// Golden tests of the DQN TD targets, with numbers computed by hand.
#include "agents/dqn/targets.h"

// LibTorch first: its glog defines a CHECK macro that must not replace doctest's.
#include <torch/torch.h>
#undef CHECK
#include <doctest/doctest.h>

TEST_CASE("dqn targets: max over the target network, discount from the replay") {
  // Row 0: r=1, discount 0.99 (not terminal), next Q = [1, 3] -> 1 + 0.99 * 3 = 3.97
  // Row 1: r=0.5, discount 0 (terminated) -> 0.5
  // Row 2: r=-1, discount 0.99^3 = 0.970299 (3-step return cut by a time limit), next Q = [2, -4] -> -1 + 1.940598
  const auto returns = torch::tensor({1.0f, 0.5f, -1.0f});
  const auto discounts = torch::tensor({0.99f, 0.0f, 0.970299f});
  const auto next_q = torch::tensor({{1.0f, 3.0f}, {2.0f, 5.0f}, {2.0f, -4.0f}});
  const auto y = pavlov::agents::td_targets(returns, discounts, next_q);
  CHECK(y[0].item<float>() == doctest::Approx(3.97));
  CHECK(y[1].item<float>() == doctest::Approx(0.5));
  CHECK(y[2].item<float>() == doctest::Approx(0.940598));
}

TEST_CASE("dqn targets: double DQN rates the online network's choice with the target network") {
  const auto returns = torch::tensor({1.0f, 0.0f});
  const auto discounts = torch::tensor({0.5f, 1.0f});
  const auto next_q = torch::tensor({{10.0f, 2.0f}, {4.0f, 8.0f}});    // target network
  const auto online = torch::tensor({{0.0f, 1.0f}, {3.0f, -3.0f}});    // online picks 1, then 0
  const auto y = pavlov::agents::td_targets(returns, discounts, next_q, online);
  CHECK(y[0].item<float>() == doctest::Approx(1.0 + 0.5 * 2.0));  // not max(10, 2)
  CHECK(y[1].item<float>() == doctest::Approx(4.0));
}
