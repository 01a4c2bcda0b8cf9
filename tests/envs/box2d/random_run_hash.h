// A hash of everything a VectorEnv returns over `steps` steps of random
// actions from a seeded generator (resets included): two runs agree on it
// only if they produced the same bytes.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/env/rng.h"
#include "engine/env/vector_env.h"

namespace pavlov::testing {

inline std::uint64_t random_run_hash(VectorEnv& venv, std::uint64_t seed, int steps = 1000) {
  Rng rng(seed);
  const int n = venv.num_envs();
  const Space& as = venv.action_space();
  std::vector<std::int64_t> discrete(n);
  std::vector<float> box(n * as.numel());
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&](const void* p, std::size_t bytes) {
    const auto* c = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < bytes; ++i) h = (h ^ c[i]) * 1099511628211ull;
  };
  const Batch* b = &venv.reset(seed);
  mix(b->obs.data, b->obs.size * dtype_size(b->obs.dtype));
  for (int t = 0; t < steps; ++t) {
    if (as.is_discrete()) {
      for (auto& a : discrete) a = static_cast<std::int64_t>(rng.below(as.n()));
      b = &venv.step(ConstArrayView(std::span(discrete)));
    } else {
      for (auto& a : box) a = static_cast<float>(rng.uniform(-1, 1));
      b = &venv.step(ConstArrayView(std::span(box)));
    }
    mix(b->obs.data, b->obs.size * dtype_size(b->obs.dtype));
    mix(b->rewards.data(), b->rewards.size() * 4);
    mix(b->terminated.data(), b->terminated.size());
  }
  return h;
}

}  // namespace pavlov::testing
