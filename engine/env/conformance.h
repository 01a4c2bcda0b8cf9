// The environment conformance check (OpenSpiel's RandomSimTest for pavlov):
// one function that exercises the Env contract of any registered id, so that
// every environment, a plugin's included, is tested the moment it registers.
//
// It checks, with random actions sampled from the action space:
// - reset and step write observations inside the observation space, rewards are finite;
// - the same seed and actions give the same trajectory, different seeds differ;
// - the time limit: truncated exactly on the max_episode_steps-th step
//   (checked with the registered limit and with a short one set on the env);
// - errors: step before reset, step after the episode ended, discrete actions
//   outside the space, NaN continuous actions, buffers of the wrong size;
// - state() / set_state() round-trip where the env supports them;
// - a VectorEnv of the id steps with every autoreset mode.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pavlov {

struct ConformanceOptions {
  int episodes = 3;             // random episodes played
  std::int64_t max_steps = 5000;  // cap on the steps of the random play
  std::uint64_t seed = 1;
};

// Returns one sentence per violation; empty when `id` conforms.
std::vector<std::string> check_env_conformance(std::string_view id, const ConformanceOptions& options = {});

}  // namespace pavlov
