// V-trace (Espeholt et al., 2018, IMPALA): value targets and policy-gradient
// advantages for trajectories that a behaviour policy mu acted, learned by a
// target policy pi, over T vector steps of N envs laid out [T, N].
//
// With rho_t = min(rho_bar, pi/mu) and c_t = lambda * min(c_bar, pi/mu):
//   delta_t = rho_t * (r_t + gamma * (1 - terminated_t) * V(next_t) - V(x_t))
//   v_t - V(x_t) = delta_t + gamma * c_t * (1 - ended_t) * (v_{t+1} - V(x_{t+1}))
// where next_t is the step's next observation (the episode's final one where
// it ended: a time-limit cut bootstraps from it, a terminal state is worth 0),
// the recursion never crosses an episode's end (ended = terminated or
// truncated), and at t = T - 1 it stops (v_T - V(x_T) = 0: the trajectory's
// last next observation bootstraps with its plain value). Then
//   A_t = rho_t * (r_t + gamma * (1 - terminated_t) * q_t - V(x_t)),
//   q_t = v_{t+1} if the episode goes on within the trajectory, else V(next_t).
// On-policy (pi = mu) with rho_bar, c_bar >= 1 and lambda = 1, v_t is the
// n-step return to the trajectory's end.
#pragma once

#include <cstdint>
#include <span>

namespace pavlov::agents {

struct VtraceInput {
  int steps = 0, envs = 0;                    // T, N
  std::span<const float> log_rhos;            // [T, N] log pi(a_t|x_t) - log mu(a_t|x_t)
  std::span<const float> rewards;             // [T, N]
  std::span<const float> values;              // [T, N] V(x_t)
  std::span<const float> next_values;         // [T, N] V(next_t)
  std::span<const std::uint8_t> terminated;   // [T, N]
  std::span<const std::uint8_t> truncated;    // [T, N]
  double gamma = 0.99, lambda = 1.0, rho_bar = 1.0, c_bar = 1.0;
};

// Writes the value targets v_t and the policy-gradient advantages A_t ([T, N] each).
void compute_vtrace(const VtraceInput& in, std::span<float> value_targets, std::span<float> advantages);

}  // namespace pavlov::agents
