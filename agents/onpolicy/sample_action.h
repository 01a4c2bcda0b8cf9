// Drawing an action from one row of a policy head's output, as on-policy
// agents act: a categorical distribution over logits, or a diagonal Gaussian
// around means with state-independent log standard deviations. Without
// `explore` the greedy choice (the likeliest index, or the means) and a
// log-probability of 0. The draws come from pavlov's Rng, so a seeded run
// acts the same on every machine.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "engine/env/rng.h"

namespace pavlov::agents {

// Returns the log-probability of the drawn index, written to `pick`.
inline float sample_categorical(const float* logits, std::int64_t n, Rng& rng, bool explore, std::int64_t& pick) {
  pick = std::max_element(logits, logits + n) - logits;
  if (!explore) return 0.0f;
  const float m = logits[pick];
  float s = 0.0f;
  for (std::int64_t j = 0; j < n; ++j) s += std::exp(logits[j] - m);
  float u = static_cast<float>(rng.uniform()) * s;
  pick = n - 1;
  for (std::int64_t j = 0; j < n; ++j) {
    u -= std::exp(logits[j] - m);
    if (u < 0.0f) {
      pick = j;
      break;
    }
  }
  return logits[pick] - m - std::log(s);
}

// Returns the log-probability of the drawn vector, written to `raw` (k values, before any clipping).
inline float sample_gaussian(const float* mean, const float* log_std, std::int64_t k, Rng& rng, bool explore, float* raw) {
  float log_prob = 0.0f;
  for (std::int64_t j = 0; j < k; ++j) {
    raw[j] = mean[j];
    if (explore) {
      const float z = static_cast<float>(rng.normal());
      raw[j] = mean[j] + std::exp(log_std[j]) * z;
      log_prob += -0.5f * z * z - log_std[j] - 0.91893853320467274f;  // log N(z; 0, 1) - log std
    }
  }
  return log_prob;
}

}  // namespace pavlov::agents
