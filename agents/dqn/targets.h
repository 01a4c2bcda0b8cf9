// The TD targets of value-based agents, kept apart from the agent so that
// golden tests can pin them with numbers computed by hand.
#pragma once

#include <torch/types.h>

namespace pavlov::agents {

// y = returns + discounts * max_a next_q[:, a]                    (DQN)
// y = returns + discounts * next_q[:, argmax_a online_next_q]     (double DQN)
// `returns` and `discounts` come from the replay (n-step: discount is g^m,
// or 0 after a terminal step, so a truncated episode still bootstraps).
// `online_next_q` undefined: plain DQN. Shapes: [B], [B], [B, A], [B, A].
torch::Tensor td_targets(const torch::Tensor& returns, const torch::Tensor& discounts, const torch::Tensor& next_q,
                         const torch::Tensor& online_next_q = {});

}  // namespace pavlov::agents
