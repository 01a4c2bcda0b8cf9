// pavlov::Replay: the experience replay of off-policy agents: uniform
// sampling with n-step returns over the transitions of N parallel envs.
//
// Storage is preallocated at construction, [capacity / num_envs, num_envs]
// rows in env order, observations in their own dtype (uint8 frames stay
// uint8). add() takes one vector step; sample() fills batch buffers that are
// reused from call to call. Neither allocates.
//
// Each env column is its own ring with its own write position, so the
// actors of the async runtime (engine/runtime/async_runner.h), each stepping
// a slice of the columns at its own pace, write their slices independently
// (add with `first_env`). Synchronous runs write every column each step, and
// then the columns stay level. A uniform draw takes a time row below the
// fullest column's count and an env column, and draws again if that column
// has not reached the row yet (never with level columns).
//
// n-step returns. A sampled transition at time t of env e sums
// R = r_t + g r_{t+1} + ... + g^{m-1} r_{t+m-1} over m <= n steps of the same
// env, stopping after the first step that ended its episode, or at the newest
// stored step. `discount` is then 0 if that last step terminated (no
// bootstrap) and g^m otherwise: a time-limit cut (truncated) bootstraps from
// its final observation. The TD target of a value-based agent is
// R + discount * V(next_obs).
//
// Frame-stacked observations (`frame_stack` k > 1: an observation is k
// frames along its first axis, oldest first, each step shifting in one new
// frame, as pavlov::FrameStack makes them) are stored a frame at a time:
// each env column keeps a ring of frames, every step appends the newest frame
// of its next observation (k frames when an episode starts, or when a stack
// does not continue the previous one: checked at insertion, so that what is
// sampled is always exactly what was added), and a transition keeps the ring
// positions of its observation and next observation. About 2 frames per
// transition are held (the ring is sized 2 per row) instead of 2 k.
//
// Prioritized replay (`prioritized`; Schaul et al., 2016, proportional):
// transition i is drawn with probability p_i^alpha / sum_k p_k^alpha
// (stratified: one draw from each of batch_size equal slices of the total
// mass; a SumTree finds it in O(log capacity)), new transitions enter at the
// largest priority seen so far, update_priorities() sets p_i = |TD error| +
// priority_eps, and each sample carries its importance-sampling weight
// (N * P(i))^-beta divided by the largest weight possible, so weights lie in
// (0, 1]. Without it every weight is 1. One replay, with options.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <span>
#include <vector>

#include "engine/env/rng.h"
#include "engine/env/space.h"
#include "engine/env/vector_env.h"
#include "engine/replay/sum_tree.h"

namespace pavlov {

struct ReplayOptions {
  std::int64_t capacity = 100000;  // transitions (all envs together)
  int num_envs = 1;
  int n_step = 1;
  double gamma = 0.99;
  std::int64_t batch_size = 64;
  bool prioritized = false;
  double alpha = 0.6;          // how much priorities count (0: uniform)
  double priority_eps = 1e-6;  // added to |TD error|, so that no transition stops being drawn
  int frame_stack = 1;         // > 1: observations are that many stacked frames, stored once each
};

class Config;

// The options [replay] (capacity, batch_size, n_step, prioritized, alpha,
// priority_eps) and [agent] gamma describe, for num_envs envs.
ReplayOptions replay_options_from(const Config& cfg, int num_envs);

// Views of one sampled batch; valid until the next sample().
struct ReplaySample {
  std::int64_t size = 0;
  ArrayView obs;                 // [B, obs numel]
  ArrayView actions;             // [B, action numel]
  std::span<float> returns;      // [B] n-step return R
  std::span<float> discounts;    // [B] g^m, or 0 after a terminal step
  ArrayView next_obs;            // [B, obs numel] the observation to bootstrap from
  std::span<float> weights;      // [B] importance-sampling weights (all 1 without prioritized replay)
  std::span<std::int64_t> indices;  // [B] the transitions drawn, for update_priorities()
};

class Replay {
 public:
  Replay(const Space& observation_space, const Space& action_space, ReplayOptions options);

  // Stores one vector step: `obs` and `actions` have one row per env; the
  // next observation of env e is result.final_obs[e] if its episode ended
  // (same-step autoreset), else result.obs[e].
  // `first_env`: the first column written (the async runtime's actor slices).
  // `priorities` (prioritized replay; one per env, e.g. |TD error| an Ape-X
  // actor computed): the new transitions' priorities instead of the largest so far.
  void add(ConstArrayView obs, ConstArrayView actions, const Batch& result, int first_env = 0,
           std::span<const float> priorities = {});
  // Stores one transition per env from explicit arrays (tests, custom loops).
  void add(ConstArrayView obs, ConstArrayView actions, std::span<const float> rewards, ConstArrayView next_obs,
           std::span<const std::uint8_t> terminated, std::span<const std::uint8_t> truncated);

  // Transitions stored.
  std::int64_t size() const;
  // Bytes held for observations (both sides of every transition).
  std::int64_t observation_bytes() const;
  // Ends the newest step of columns [first_env, first_env + n) as truncated,
  // so that no n-step return runs on into what a later writer of those
  // columns stores (an actor that left; engine/net/).
  void cut(int first_env, int n);

  // Draws batch_size transitions: uniformly, or by priority with weights for
  // the importance-sampling exponent `beta` (annealed towards 1 by the agent).
  const ReplaySample& sample(Rng& rng, double beta = 1.0);
  // New priorities for the transitions of the last sample from their TD errors
  // (absolute values are taken). Does nothing without prioritized replay.
  void update_priorities(std::span<const std::int64_t> indices, std::span<const float> td_errors);
  bool prioritized() const { return tree_ != nullptr; }
  // The n-step transition at time row `t` of env `e` written into batch row `b`.
  void gather(std::int64_t t, int e, std::int64_t b);

  void save(std::ostream& out) const;
  void load(std::istream& in);

 private:
  void enter_new(std::int64_t slot);  // prioritized: a new slot at the largest priority
  void set_priority(std::int64_t slot, float td_error);
  // The observations of one new transition in column e, slot `slot`.
  void store_obs(int e, std::int64_t slot, const std::byte* obs, const std::byte* next, bool done);
  void load_obs(std::int64_t slot, bool next, std::byte* dst) const;
  // Frame rings (frame_stack > 1).
  bool deduplicated() const { return options_.frame_stack > 1; }
  std::int64_t append_frames(int e, const std::byte* frames, int count);  // returns the newest's position
  bool ring_holds(int e, std::int64_t newest, const std::byte* stack, int count) const;  // frames newest-count+1..newest == stack
  const std::byte* frame_at(int e, std::int64_t position) const;
  bool slot_valid(std::int64_t slot) const;  // its frames are still in the ring
  std::int64_t filled(int e) const { return std::min(written_[e], rows_); }
  std::int64_t position(int e) const { return written_[e] % rows_; }
  std::int64_t fullest() const;  // rows of the fullest column

  ReplayOptions options_;
  std::int64_t rows_;  // time rows
  std::int64_t obs_bytes_, act_bytes_;
  DType obs_dtype_, act_dtype_;
  std::int64_t obs_numel_, act_numel_;
  std::vector<std::byte> obs_, next_obs_, actions_;
  std::vector<float> rewards_;
  std::vector<std::uint8_t> terminated_, truncated_;
  std::vector<std::int64_t> written_;  // per env column: steps ever written
  // Frame rings: frames_[e] holds frame_cap_ frames of frame_bytes_; frames_written_[e]
  // counts appends; a slot's obs_pos_/next_pos_ are positions (append counts) of newest frames.
  std::int64_t frame_bytes_ = 0, frame_cap_ = 0;
  std::vector<std::byte> frames_;
  std::vector<std::int64_t> frames_written_, last_next_, obs_pos_, next_pos_;
  std::vector<double> gamma_pow_;

  std::vector<std::byte> b_obs_, b_next_obs_, b_actions_;
  std::vector<float> b_returns_, b_discounts_, b_weights_;
  std::vector<std::int64_t> b_indices_;
  ReplaySample sample_;

  std::unique_ptr<SumTree> tree_;  // priorities^alpha, prioritized replay only
  double max_priority_ = 1.0;
};

}  // namespace pavlov
