#include "agents/dqn/targets.h"

namespace pavlov::agents {

torch::Tensor td_targets(const torch::Tensor& returns, const torch::Tensor& discounts, const torch::Tensor& next_q,
                         const torch::Tensor& online_next_q) {
  torch::Tensor next_v;
  if (online_next_q.defined()) {
    next_v = next_q.gather(1, online_next_q.argmax(1, /*keepdim=*/true)).squeeze(1);
  } else {
    next_v = std::get<0>(next_q.max(1));
  }
  return returns + discounts * next_v;
}

}  // namespace pavlov::agents
