// pavlov::Replay: the experience replay of off-policy agents: uniform
// sampling with n-step returns over the transitions of N parallel envs.
//
// Storage is preallocated at construction, [capacity / num_envs, num_envs]
// rows in env order, observations in their own dtype (uint8 frames stay
// uint8). add() takes one vector step; sample() fills batch buffers that are
// reused from call to call. Neither allocates.
//
// n-step returns. A sampled transition at time t of env e sums
// R = r_t + g r_{t+1} + ... + g^{m-1} r_{t+m-1} over m <= n steps of the same
// env, stopping after the first step that ended its episode, or at the newest
// stored step. `discount` is then 0 if that last step terminated (no
// bootstrap) and g^m otherwise: a time-limit cut (truncated) bootstraps from
// its final observation. The TD target of a value-based agent is
// R + discount * V(next_obs).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <span>
#include <vector>

#include "engine/env/rng.h"
#include "engine/env/space.h"
#include "engine/env/vector_env.h"

namespace pavlov {

struct ReplayOptions {
  std::int64_t capacity = 100000;  // transitions (all envs together)
  int num_envs = 1;
  int n_step = 1;
  double gamma = 0.99;
  std::int64_t batch_size = 64;
};

class Config;

// The options [replay] (capacity, batch_size, n_step) and [agent] gamma describe, for num_envs envs.
ReplayOptions replay_options_from(const Config& cfg, int num_envs);

// Views of one sampled batch; valid until the next sample().
struct ReplaySample {
  std::int64_t size = 0;
  ArrayView obs;                 // [B, obs numel]
  ArrayView actions;             // [B, action numel]
  std::span<float> returns;      // [B] n-step return R
  std::span<float> discounts;    // [B] g^m, or 0 after a terminal step
  ArrayView next_obs;            // [B, obs numel] the observation to bootstrap from
};

class Replay {
 public:
  Replay(const Space& observation_space, const Space& action_space, ReplayOptions options);

  // Stores one vector step: `obs` and `actions` have one row per env; the
  // next observation of env e is result.final_obs[e] if its episode ended
  // (same-step autoreset), else result.obs[e].
  void add(ConstArrayView obs, ConstArrayView actions, const Batch& result);
  // Stores one transition per env from explicit arrays (tests, custom loops).
  void add(ConstArrayView obs, ConstArrayView actions, std::span<const float> rewards, ConstArrayView next_obs,
           std::span<const std::uint8_t> terminated, std::span<const std::uint8_t> truncated);

  // Transitions stored.
  std::int64_t size() const { return (full_ ? rows_ : pos_) * options_.num_envs; }

  // Draws batch_size transitions uniformly at random.
  const ReplaySample& sample(Rng& rng);
  // The n-step transition at time row `t` of env `e` written into batch row `b`.
  void gather(std::int64_t t, int e, std::int64_t b);

  void save(std::ostream& out) const;
  void load(std::istream& in);

 private:
  ReplayOptions options_;
  std::int64_t rows_;  // time rows
  std::int64_t obs_bytes_, act_bytes_;
  DType obs_dtype_, act_dtype_;
  std::int64_t obs_numel_, act_numel_;
  std::vector<std::byte> obs_, next_obs_, actions_;
  std::vector<float> rewards_;
  std::vector<std::uint8_t> terminated_, truncated_;
  std::int64_t pos_ = 0;
  bool full_ = false;
  std::vector<double> gamma_pow_;

  std::vector<std::byte> b_obs_, b_next_obs_, b_actions_;
  std::vector<float> b_returns_, b_discounts_;
  ReplaySample sample_;
};

}  // namespace pavlov
