// Generalized advantage estimation (Schulman et al., 2016) over a rollout of
// T vector steps of N envs, laid out [T, N] (time-major).
//
// Bootstrapping follows the episode's end, not the rollout's:
//   terminated     the state is terminal: no bootstrap (its value is 0)
//   truncated      the episode was cut (time limit): bootstrap from the value
//                  of the final observation, `final_values[t, e]`
//   last step      (t = T - 1, episode running) bootstrap from `last_values[e]`,
//                  the value of the observation the next rollout starts from
// and the advantage recursion never crosses an episode's end:
//   delta_t = r_t + gamma * next_value_t * (1 - terminated_t) - V(s_t)
//   A_t     = delta_t + gamma * lambda * (1 - ended_t) * A_{t+1}
//   R_t     = A_t + V(s_t)           (the value target)
// Terminated wins when an env reports both flags.
#pragma once

#include <cstdint>
#include <span>

namespace pavlov::agents {

struct GaeInput {
  int steps = 0, envs = 0;                       // T, N
  std::span<const float> rewards;                // [T, N]
  std::span<const float> values;                 // [T, N] V(s_t)
  std::span<const std::uint8_t> terminated;      // [T, N]
  std::span<const std::uint8_t> truncated;       // [T, N]
  std::span<const float> final_values;           // [T, N] V(final obs), read where truncated
  std::span<const float> last_values;            // [N]
  double gamma = 0.99, lambda = 0.95;
};

// Writes the advantages and the value targets ([T, N] each).
void compute_gae(const GaeInput& in, std::span<float> advantages, std::span<float> returns);

}  // namespace pavlov::agents
