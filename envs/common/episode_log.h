// pavlov::envs::EpisodeLog: the state of a Box2D env or a game as "where the episode
// started and what was done since". A b2World holds more than a vector of
// numbers can rebuild (contacts, warm-starting impulses, sleep timers), but
// Box2D is deterministic: the generator state before the episode's reset and
// the actions taken since rebuild the world exactly when replayed. Env::state()
// returns to_state(); set_state()/checkpoint loading replays from_state().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/env/rng.h"

namespace pavlov::envs {

class EpisodeLog {
 public:
  // action_size: numbers per action (1 for a Discrete index).
  explicit EpisodeLog(std::size_t action_size, std::size_t reserve_steps = 1000);

  // A new episode whose reset draws from a generator in state `s`.
  void start(const Rng::State& s);
  void record(const double* action);

  const Rng::State& reset_rng() const { return reset_rng_; }
  std::size_t steps() const { return actions_.size() / action_size_; }
  const double* action(std::size_t step) const { return &actions_[step * action_size_]; }

  // 8 values (each generator word as two exact 32-bit halves), then the actions.
  std::vector<double> to_state() const;
  // The inverse; throws EnvError naming `id` for a malformed vector.
  void from_state(std::span<const double> state, const std::string& id);

 private:
  std::size_t action_size_;
  Rng::State reset_rng_{};
  std::vector<double> actions_;
};

}  // namespace pavlov::envs
