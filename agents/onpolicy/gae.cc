#include "agents/onpolicy/gae.h"

#include <stdexcept>

namespace pavlov::agents {

void compute_gae(const GaeInput& in, std::span<float> advantages, std::span<float> returns) {
  const std::size_t n = static_cast<std::size_t>(in.steps) * in.envs;
  if (in.rewards.size() != n || in.values.size() != n || in.terminated.size() != n || in.truncated.size() != n ||
      in.final_values.size() != n || in.last_values.size() != static_cast<std::size_t>(in.envs) ||
      advantages.size() != n || returns.size() != n)
    throw std::invalid_argument("compute_gae: arrays do not match [steps, envs]");
  const float gamma = static_cast<float>(in.gamma), gl = static_cast<float>(in.gamma * in.lambda);
  for (int e = 0; e < in.envs; ++e) {
    float next_adv = 0.0f;
    for (int t = in.steps - 1; t >= 0; --t) {
      const std::size_t i = static_cast<std::size_t>(t) * in.envs + e;
      const bool term = in.terminated[i] != 0, trunc = in.truncated[i] != 0 && !term;
      float next_value = 0.0f;
      if (trunc) next_value = in.final_values[i];
      else if (!term) next_value = t + 1 == in.steps ? in.last_values[e] : in.values[i + in.envs];
      const float delta = in.rewards[i] + gamma * next_value - in.values[i];
      const bool ended = term || trunc;
      next_adv = delta + (ended ? 0.0f : gl * next_adv);
      advantages[i] = next_adv;
      returns[i] = next_adv + in.values[i];
    }
  }
}

}  // namespace pavlov::agents
