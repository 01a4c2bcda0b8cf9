#include "nets/recurrent_actor_critic.h"

#include <cmath>
#include <torch/torch.h>

#include "nets/actor_critic.h"

namespace pavlov::nets {

RecurrentActorCriticImpl::RecurrentActorCriticImpl(RecurrentActorCriticOptions o) : options(std::move(o)) {
  const std::int64_t H = options.lstm;
  policy_lstm_ = register_module("policy_lstm", torch::nn::LSTMCell(options.obs_dim, H));
  value_lstm_ = register_module("value_lstm", torch::nn::LSTMCell(options.obs_dim, H));
  MLPOptions torso = options.torso;
  torso.in_features(H);
  policy_torso_ = register_module("policy_torso", MLP(torso));
  value_torso_ = register_module("value_torso", MLP(torso));
  const std::int64_t width = torso.hidden().empty() ? H : torso.hidden().back();
  policy_head_ = register_module("policy_head", torch::nn::Linear(width, options.action_dim));
  value_head_ = register_module("value_head", torch::nn::Linear(width, 1));
  if (options.continuous)
    log_std_ = register_parameter("log_std", torch::full({options.action_dim}, options.log_std_init));
  if (options.ortho_init) {
    orthogonal_init(policy_torso_, policy_head_, 0.01);
    orthogonal_init(value_torso_, value_head_, 1.0);
  }
}

torch::Tensor RecurrentActorCriticImpl::initial_memory(std::int64_t rows) const {
  return torch::zeros({rows, 4 * options.lstm}, policy_head_->weight.options());
}

std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> RecurrentActorCriticImpl::step(const torch::Tensor& obs,
                                                                                        const torch::Tensor& memory) {
  const auto parts = memory.chunk(4, 1);  // h, c of the policy's LSTM, h, c of the value's
  const auto [hp, cp] = policy_lstm_(obs, std::make_tuple(parts[0], parts[1]));
  const auto [hv, cv] = value_lstm_(obs, std::make_tuple(parts[2], parts[3]));
  return {policy_head_(policy_torso_(hp)), value_head_(value_torso_(hv)).squeeze(-1), torch::cat({hp, cp, hv, cv}, 1)};
}

std::pair<torch::Tensor, torch::Tensor> RecurrentActorCriticImpl::unroll(const torch::Tensor& obs, const torch::Tensor& starts,
                                                                         const torch::Tensor& memory) {
  const std::int64_t T = obs.size(0), H = options.lstm;
  torch::Tensor m = memory;
  std::vector<torch::Tensor> policy_h, value_h;
  for (std::int64_t t = 0; t < T; ++t) {
    m = m * (1 - starts[t]).unsqueeze(1);
    const auto parts = m.chunk(4, 1);
    const auto [hp, cp] = policy_lstm_(obs[t], std::make_tuple(parts[0], parts[1]));
    const auto [hv, cv] = value_lstm_(obs[t], std::make_tuple(parts[2], parts[3]));
    policy_h.push_back(hp);
    value_h.push_back(hv);
    m = torch::cat({hp, cp, hv, cv}, 1);
  }
  // The MLPs and heads run once over all T * B steps.
  const torch::Tensor p = torch::stack(policy_h).view({-1, H}), v = torch::stack(value_h).view({-1, H});
  return {policy_head_(policy_torso_(p)), value_head_(value_torso_(v)).squeeze(-1)};
}

}  // namespace pavlov::nets
