// Networks of the off-policy continuous-control agents (SAC, TD3):
//
//   PolicyNet   obs -> an MLP torso -> `outputs` numbers: SAC reads them as
//               the mean and log std of a Gaussian (2k outputs), TD3 as a
//               deterministic action before tanh (k outputs); with gSDE
//               (nets/gsde.h) SAC reads k means and the net also holds the
//               exploration weights' log std, a [features, k] matrix
//   QCritic     (obs, action) -> Q: an MLP over the concatenation -> 1 value
//
// Actions inside these agents live in [-1, 1]^k (tanh-squashed); the agent
// maps them to the env's bounds, as Stable-Baselines3 does.
#pragma once

#include <cstdint>
#include <optional>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "nets/mlp.h"

namespace pavlov::nets {

class PolicyNetImpl : public torch::nn::Module {
 public:
  // With `gsde_log_std_init`, also a parameter "log_std" [torso features, outputs] set to it.
  PolicyNetImpl(MLPOptions torso, std::int64_t outputs, std::optional<double> gsde_log_std_init = std::nullopt);
  torch::Tensor forward(const torch::Tensor& obs) { return head(features(obs)); }
  // The torso's output [B, L] (gSDE's phi(s)) and the head over it.
  torch::Tensor features(const torch::Tensor& obs);
  torch::Tensor head(const torch::Tensor& features);
  // gSDE's log std [L, outputs]; undefined without gSDE.
  const torch::Tensor& gsde_log_std() const { return log_std_; }

 private:
  MLP torso_{nullptr};
  torch::nn::Linear head_{nullptr};
  torch::Tensor log_std_;
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
