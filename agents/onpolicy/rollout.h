// pavlov::agents::Rollout: the experience of one on-policy rollout, T vector
// steps of N envs, time-major ([T, N] rows), preallocated once.
//
// act() fills the row's observation (as the policy saw it, i.e. normalised),
// action (as sampled, before clipping to the action bounds: the log-probability
// is of this one), log-probability and value; observe() fills the reward,
// the episode flags and, for truncated episodes, the value of the final
// observation. When the rollout is full, finish() computes GAE.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <vector>

namespace pavlov::agents {

struct Rollout {
  // pixels: keep the observations as their raw uint8 bytes (in obs_u8)
  // rather than as float32 rows (in obs): a quarter of the memory, and of
  // what each minibatch sends to a GPU.
  Rollout(int steps, int envs, std::int64_t obs_dim, std::int64_t action_dim, bool pixels = false);

  int steps, envs;
  std::int64_t obs_dim, action_dim;  // action_dim: 1 for Discrete (the index, stored as float)
  int t = 0;                         // rows filled

  std::vector<float> obs, actions, log_probs, values, rewards, final_values, last_values, advantages, returns;
  std::vector<std::uint8_t> obs_u8;  // the observations instead of obs, with pixels
  std::vector<std::uint8_t> terminated, truncated;

  bool full() const { return t == steps; }
  std::int64_t size() const { return static_cast<std::int64_t>(steps) * envs; }
  // GAE(lambda) into advantages and returns (see gae.h); needs last_values.
  void finish(double gamma, double lambda);
  // 1 - Var(returns - values) / Var(returns), as SB3 reports it (NaN when Var(returns) is 0).
  double explained_variance() const;

  void save(std::ostream& out) const;
  void load(std::istream& in);
};

}  // namespace pavlov::agents
