// The loss of PPO (Schulman et al., 2017) and A2C over one minibatch, as
// Stable-Baselines3 defines it:
//   ratio        = exp(log pi(a|s) - log pi_old(a|s))
//   policy_loss  = -mean(min(A * ratio, A * clip(ratio, 1 - clip_range, 1 + clip_range)))
//   value_pred   = V(s), or with clip_range_vf > 0: V_old + clip(V(s) - V_old, -c, c)
//   value_loss   = mean((R - value_pred)^2)
//   loss         = policy_loss - ent_coef * mean(entropy) + vf_coef * value_loss
// A2C is the same loss at ratio 1 (one gradient step on fresh data), where
// the clipped objective's gradient is the plain policy gradient -A grad log pi.
//
// Two implementations of the same numbers: ppo_loss() builds it with autograd
// (any device, any network); ppo_loss_grad() computes the loss and its
// gradient with respect to the network outputs in one loop (CPU, float32),
// for the hand-written backward of MlpBackprop. A test pins one against the other.
#pragma once

#include <cstdint>
#include <torch/types.h>

namespace pavlov::agents {

struct PpoLossOptions {
  bool continuous = false;     // diagonal Gaussian (Box) instead of categorical (Discrete)
  double clip_range = 0.2;
  double clip_range_vf = 0.0;  // 0: no value clipping
  double ent_coef = 0.0;
  double vf_coef = 0.5;
};

// One minibatch of rollout data. actions: [B] int64 (Discrete) or [B, k] float (Box).
struct PpoBatch {
  torch::Tensor actions, old_log_prob, old_values, advantages, returns;  // advantages already normalised if wanted
};

// What one loss evaluation measured (before the gradient step).
struct PpoStats {
  double policy_loss = 0, value_loss = 0, entropy = 0, approx_kl = 0, clip_fraction = 0;
};

// Log-probabilities [B] and entropies [B] of `actions` under the policy whose
// head gave `out` (logits, or means with `log_std`).
std::pair<torch::Tensor, torch::Tensor> log_prob_entropy(const torch::Tensor& out, const torch::Tensor& log_std,
                                                         const torch::Tensor& actions, bool continuous);

// The loss as an autograd graph; fills `stats`.
torch::Tensor ppo_loss(const torch::Tensor& out, const torch::Tensor& log_std, const torch::Tensor& values,
                       const PpoBatch& batch, const PpoLossOptions& options, PpoStats& stats);

// The loss's gradient with respect to `out` ([B, k], written to d_out), the
// values ([B], to d_values) and log_std ([k], to d_log_std; Box only), all
// contiguous float32 CPU tensors allocated by the caller. Fills `stats`.
void ppo_loss_grad(const torch::Tensor& out, const torch::Tensor& log_std, const torch::Tensor& values,
                   const PpoBatch& batch, const PpoLossOptions& options, PpoStats& stats, torch::Tensor& d_out,
                   torch::Tensor& d_values, torch::Tensor& d_log_std);

}  // namespace pavlov::agents
