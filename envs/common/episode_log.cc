#include "envs/common/episode_log.h"

#include <cmath>

#include "engine/env/env_error.h"

namespace pavlov::envs {

EpisodeLog::EpisodeLog(std::size_t action_size, std::size_t reserve_steps) : action_size_(action_size) {
  actions_.reserve(action_size * reserve_steps);
}

void EpisodeLog::start(const Rng::State& s) {
  reset_rng_ = s;
  actions_.clear();
}

void EpisodeLog::record(const double* action) { actions_.insert(actions_.end(), action, action + action_size_); }

std::vector<double> EpisodeLog::to_state() const {
  std::vector<double> s;
  s.reserve(8 + actions_.size());
  for (std::uint64_t word : reset_rng_) {
    s.push_back(static_cast<double>(word >> 32));
    s.push_back(static_cast<double>(word & 0xffffffffu));
  }
  s.insert(s.end(), actions_.begin(), actions_.end());
  return s;
}

void EpisodeLog::from_state(std::span<const double> state, const std::string& id) {
  if (state.size() < 8 || (state.size() - 8) % action_size_ != 0)
    throw EnvError(id + ": set_state() expects 8 generator values and " + std::to_string(action_size_) +
                   " per action taken, got " + std::to_string(state.size()) + " values");
  for (std::size_t i = 0; i < 8; ++i)
    if (!(state[i] >= 0 && state[i] <= 4294967295.0 && state[i] == std::floor(state[i])))
      throw EnvError(id + ": set_state() value " + std::to_string(i) + " is not a 32-bit generator half");
  for (std::size_t i = 0; i < 4; ++i)
    reset_rng_[i] = (static_cast<std::uint64_t>(state[2 * i]) << 32) | static_cast<std::uint64_t>(state[2 * i + 1]);
  actions_.assign(state.begin() + 8, state.end());
}

}  // namespace pavlov::envs
