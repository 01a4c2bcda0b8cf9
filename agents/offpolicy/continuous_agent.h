// pavlov::agents::ContinuousOffPolicy: what SAC and TD3 share: Box actions
// squashed to [-1, 1] inside the agent and mapped to the env's bounds, the
// replay (#3's Replay: uniform, n-step), the training cadence (train_freq,
// gradient_steps, learning_starts with uniformly random actions before it),
// exploration noise added to the behaviour action (none, Gaussian or
// Ornstein-Uhlenbeck, as SB3's action_noise) and checkpoints; twin_critics.h
// holds the critics both use. A subclass supplies the networks, the policy and the update.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <torch/nn/module.h>
#include <torch/types.h>
#include <vector>

#include "engine/config/value.h"
#include "engine/replay/replay.h"
#include "engine/runtime/agent.h"

namespace pavlov::agents {

// The [agent] keys SAC and TD3 share.
std::vector<KeySpec> continuous_off_policy_keys();

// One sampled batch on the agent's device, actions in [-1, 1].
struct OffPolicyBatch {
  torch::Tensor obs, actions, returns, discounts, next_obs;
};

class ContinuousOffPolicy : public Agent {
 public:
  explicit ContinuousOffPolicy(const AgentContext& ctx);

  // The deterministic (mean) action, in the env's bounds.
  ActionInsight insight(ConstArrayView obs) override;
  void act(ConstArrayView obs, std::int64_t n, ArrayView actions, bool explore) final;
  void observe(ConstArrayView obs, ConstArrayView actions, const Batch& result) final;
  std::span<const Metric> train(std::int64_t env_steps) final;
  void save(std::ostream& out) const final;
  void load(std::istream& in) final;

 protected:
  // Actions in [-1, 1] for obs [n, obs_dim] (on the device): sampled when
  // `explore`, else the policy's deterministic action. Returned on the CPU.
  virtual torch::Tensor policy(const torch::Tensor& obs, bool explore) = 0;
  // One gradient step; returns its metrics (in metric_names() order, first ones).
  virtual std::span<const Metric> update(const OffPolicyBatch& batch) = 0;
  // The modules and optimizers a checkpoint holds.
  virtual void save_nets(torch::serialize::OutputArchive& a) const = 0;
  virtual void load_nets(torch::serialize::InputArchive& a) = 0;

  // Fraction of the run done, for schedules.
  double progress() const { return static_cast<double>(env_steps_) / static_cast<double>(std::max<std::int64_t>(1, total_steps_)); }
  const Config& cfg_;
  torch::Device device_;
  std::int64_t obs_dim_, action_dim_;
  std::int64_t updates_ = 0;

 private:
  std::int64_t num_envs_, total_steps_;
  Rng rng_;
  Replay replay_;
  std::int64_t learning_starts_, train_freq_, gradient_steps_;
  std::string noise_;
  double noise_std_, noise_theta_;
  std::vector<float> noise_state_;  // OU: one value per env and action dimension
  std::vector<float> low_, high_;
  std::vector<float> scaled_actions_;  // a sampled batch's actions mapped to [-1, 1]
  std::int64_t env_steps_ = 0;
  std::vector<Metric> sums_;
};

}  // namespace pavlov::agents
