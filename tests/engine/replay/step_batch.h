// A Batch (what VectorEnv::step returns) built from plain values for the
// replay's tests: n envs with float observations of one element, none ending.
#pragma once

#include <vector>

#include "engine/env/vector_env.h"

namespace pavlov::test {

struct StepBatch {
  std::vector<float> next, rewards, returns;
  std::vector<std::uint8_t> flags;
  std::vector<std::int32_t> lengths;
  Batch batch;

  StepBatch(std::vector<float> next_obs, std::vector<float> step_rewards)
      : next(std::move(next_obs)), rewards(std::move(step_rewards)), returns(next.size(), 0.0f),
        flags(next.size(), 0), lengths(next.size(), 0) {
    batch.size = static_cast<std::int64_t>(next.size());
    batch.obs = ArrayView(next.data(), DType::kFloat32, batch.size);
    batch.final_obs = batch.obs;
    batch.rewards = rewards;
    batch.terminated = flags;
    batch.truncated = flags;
    batch.episode_return = returns;
    batch.episode_length = lengths;
  }
};

}  // namespace pavlov::test
