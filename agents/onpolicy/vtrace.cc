#include "agents/onpolicy/vtrace.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pavlov::agents {

void compute_vtrace(const VtraceInput& in, std::span<float> vs, std::span<float> adv) {
  const std::size_t n = static_cast<std::size_t>(in.steps) * in.envs;
  if (in.log_rhos.size() != n || in.rewards.size() != n || in.values.size() != n || in.next_values.size() != n ||
      in.terminated.size() != n || in.truncated.size() != n || vs.size() != n || adv.size() != n)
    throw std::invalid_argument("compute_vtrace: every array must hold steps * envs values");
  for (int e = 0; e < in.envs; ++e) {
    double correction = 0.0;  // v_{t+1} - V(x_{t+1}), 0 past the trajectory's end
    for (int t = in.steps - 1; t >= 0; --t) {
      const std::size_t i = static_cast<std::size_t>(t) * in.envs + e;
      const double ratio = std::exp(static_cast<double>(in.log_rhos[i]));
      const double rho = std::min(in.rho_bar, ratio);
      const double c = in.lambda * std::min(in.c_bar, ratio);
      const bool ended = in.terminated[i] || in.truncated[i];
      const double next_value = in.terminated[i] ? 0.0 : in.next_values[i];
      if (ended || t == in.steps - 1) correction = 0.0;  // nothing flows back across an episode's end
      const double delta = rho * (in.rewards[i] + in.gamma * next_value - in.values[i]);
      // q_t: the next state's V-trace target where the episode goes on inside the trajectory.
      const double q = next_value + correction;
      adv[i] = static_cast<float>(rho * (in.rewards[i] + in.gamma * q - in.values[i]));
      correction = delta + in.gamma * c * correction;
      vs[i] = static_cast<float>(in.values[i] + correction);
    }
  }
}

}  // namespace pavlov::agents
