// Generalized state-dependent exploration (gSDE; Raffin, Kober and Stulp,
// "Smooth Exploration for Robotic Reinforcement Learning", CoRL 2021) for a
// tanh-squashed Gaussian policy, as Stable-Baselines3's SAC runs it with
// use_sde (full_std, learn_features, no expln):
//
//   u = mean(s) + phi(s) theta,   a = tanh(u),   theta ~ N(0, sigma^2), sigma = exp(log_std)
//
// phi(s) [B, L] are the policy torso's features and log_std [L, A] a learned
// matrix. The noise is a linear function of the state, so a fixed theta gives
// smooth exploration: the agent redraws theta every few steps, not every
// step. Given s, u is Gaussian with mean(s) and variance sum_l phi_l^2
// sigma_la^2 per action (+1e-6), which is what the log-probability uses.
#pragma once

#include <cstdint>
#include <torch/types.h>

namespace pavlov::nets {

// gSDE squashes the mean to [-kGsdeMeanClip, kGsdeMeanClip] before the noise
// (SB3's clip_mean = 2, a hard tanh), so that tanh(u) does not saturate.
inline constexpr double kGsdeMeanClip = 2.0;

// Exploration weights drawn from N(0, exp(log_std)^2): one [L, A] matrix
// (rows = 0), which a whole training batch shares, or [rows, L, A], one per
// env. Reparameterised: the draw is differentiable in log_std.
torch::Tensor gsde_weights(const torch::Tensor& log_std, std::int64_t rows = 0);

struct SquashedSample {
  torch::Tensor action;    // tanh(u) [B, A]
  torch::Tensor log_prob;  // log pi(a | s) [B], tanh's change of variables included
};

// One action per row of `features` [B, L], with `mean` [B, A] (already
// clipped), `log_std` [L, A] and weights `theta` [L, A] or [B, L, A].
SquashedSample gsde_sample(const torch::Tensor& features, const torch::Tensor& mean, const torch::Tensor& log_std,
                           const torch::Tensor& theta);

}  // namespace pavlov::nets
