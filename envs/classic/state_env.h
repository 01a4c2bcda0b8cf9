// pavlov::envs::StateEnv<N>: what the classic-control envs share: a state of
// N float64 values (Gymnasium's `env.unwrapped.state`), an observation
// computed from it, and state() / set_state() on it, which the reference
// tests and checkpoints use. An env derives from it and writes write_obs,
// reset_impl and step_impl.
#pragma once

#include <algorithm>
#include <array>
#include <string>

#include "engine/env/env.h"
#include "engine/env/env_error.h"

namespace pavlov::envs {

template <std::size_t N>
class StateEnv : public Env {
 public:
  std::vector<double> state() const override { return {state_.begin(), state_.end()}; }

 protected:
  // `state_names` lists the state variables for error messages, e.g. "position, velocity".
  StateEnv(Space observation_space, Space action_space, std::string default_id, const char* state_names)
      : Env(std::move(observation_space), std::move(action_space), std::move(default_id)), state_names_(state_names) {}

  // Writes the observation of state_.
  virtual void write_obs(ArrayView obs) const = 0;

  void set_state_impl(std::span<const double> state, ArrayView obs) override {
    if (state.size() != N)
      throw EnvError(id() + ": the state is " + state_names_ + " (" + std::to_string(N) + " values), got " +
                     std::to_string(state.size()));
    std::copy(state.begin(), state.end(), state_.begin());
    write_obs(obs);
  }

  std::array<double, N> state_{};

 private:
  const char* state_names_;
};

}  // namespace pavlov::envs
