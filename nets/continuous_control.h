// Networks of the off-policy continuous-control agents (SAC, TD3):
//
//   PolicyNet   obs -> an MLP torso -> `outputs` numbers: SAC reads them as
//               the mean and log std of a Gaussian (2k outputs), TD3 as a
//               deterministic action before tanh (k outputs)
//   QCritic     (obs, action) -> Q: an MLP over the concatenation -> 1 value
//
// Actions inside these agents live in [-1, 1]^k (tanh-squashed); the agent
// maps them to the env's bounds, as Stable-Baselines3 does.
#pragma once

#include <cstdint>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "nets/mlp.h"

namespace pavlov::nets {

class PolicyNetImpl : public torch::nn::Module {
 public:
  PolicyNetImpl(MLPOptions torso, std::int64_t outputs);
  torch::Tensor forward(const torch::Tensor& obs);

 private:
  MLP torso_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(PolicyNet);

class QCriticImpl : public torch::nn::Module {
 public:
  // torso.in_features() must be obs_dim + action_dim.
  explicit QCriticImpl(MLPOptions torso);
  // [B, obs], [B, k] -> [B]
  torch::Tensor forward(const torch::Tensor& obs, const torch::Tensor& action);

 private:
  MLP torso_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(QCritic);

}  // namespace pavlov::nets
