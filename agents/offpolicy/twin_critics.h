// pavlov::agents::TwinCritics: the clipped double-Q critics of SAC and TD3
// (Fujimoto et al., 2018): two Q(s, a) networks, their Polyak-averaged
// targets, and one optimizer over both (their parameters in one flat tensor).
#pragma once

#include <memory>
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>
#include <utility>
#include <vector>

#include "nets/continuous_control.h"

namespace pavlov {
class Config;
}
namespace pavlov::nets {
class FlatOptimizer;
}

namespace pavlov::agents {

class TwinCritics {
 public:
  TwinCritics(const Config& cfg, std::int64_t obs_dim, std::int64_t action_dim, const torch::Device& device);
  ~TwinCritics();

  // Q1(s, a) and Q2(s, a), [B] each.
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& obs, const torch::Tensor& actions);
  // For the actor's loss: Q1(s, a) alone (TD3's actor follows the first
  // critic) and min(Q1, Q2) (SAC's). Gradients reach `actions` but not the
  // critics' weights: the actor's step never uses those, and leaving them out
  // of the graph saves a weight-gradient matmul per critic layer (about a
  // tenth of a SAC update).
  torch::Tensor policy_q1(const torch::Tensor& obs, const torch::Tensor& actions);
  torch::Tensor policy_min(const torch::Tensor& obs, const torch::Tensor& actions);
  // min(Q1, Q2) of the target critics.
  torch::Tensor min_target(const torch::Tensor& obs, const torch::Tensor& actions);
  // One gradient step on `loss` (zeroes, back-propagates, clips to [optimizer] grad_clip, steps).
  void step(const torch::Tensor& loss, double progress);
  void update_targets(double tau);
  // The online critics' parameters (Q1's, then Q2's).
  std::vector<torch::Tensor> parameters() const;

  void save(torch::serialize::OutputArchive& a) const;
  void load(torch::serialize::InputArchive& a);

 private:
  nets::QCritic q1_{nullptr}, q2_{nullptr}, target1_{nullptr}, target2_{nullptr};
  std::unique_ptr<nets::FlatOptimizer> optimizer_;
  std::vector<torch::Tensor> q1_params_, q2_params_;  // frozen by policy_q1 / policy_min without a list per call
};

// A module's or an optimizer's archive under `key` of `a`.
template <class T>
void save_under(torch::serialize::OutputArchive& a, const char* key, const T& item) {
  torch::serialize::OutputArchive sub;
  item.save(sub);
  a.write(key, sub);
}
template <class T>
void load_under(torch::serialize::InputArchive& a, const char* key, T& item) {
  torch::serialize::InputArchive sub;
  a.read(key, sub);
  item.load(sub);
}

}  // namespace pavlov::agents
