// pavlov::Experience: what an actor hands to the learner in the async
// runtime: `steps` vector steps of `num_envs` envs, recorded with one version
// of the policy (IMPALA's unroll; for replay agents, a batch of transitions).
//
// Blocks are recycled, never freed: the actor takes an empty block from the
// runner's free list, fills it, and the learner returns it after use, so
// that acting and learning allocate nothing per step once every block has
// grown to its size. The same block travels over the wire to a remote
// learner (engine/net/protocol.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/env/array_view.h"
#include "engine/env/space.h"
#include "engine/env/vector_env.h"

namespace pavlov {

struct Experience {
  int actor = 0;                    // the actor that recorded it
  int first_env = 0;                // the learner-side index of its first env (a replay column)
  int num_envs = 0;
  int steps = 0;                    // vector steps recorded so far
  std::int64_t policy_version = 0;  // the weights that acted
  std::int64_t obs_bytes = 0, act_bytes = 0;
  DType obs_dtype = DType::kFloat32, act_dtype = DType::kFloat32;

  // [steps, num_envs, ...] in step order.
  std::vector<std::byte> obs, actions, next_obs;  // next_obs: the episode's final observation where it ended
  std::vector<float> rewards, behaviour;          // behaviour: one number per transition the agent asked for (or none)
  std::vector<std::uint8_t> terminated, truncated;
  std::vector<float> episode_return;              // valid where an episode ended
  std::vector<std::int32_t> episode_length;

  // Sizes the block for `capacity` steps of `envs` envs (keeps its memory when it fits).
  void shape(const Space& observation_space, const Space& action_space, int envs, int capacity, bool with_behaviour) {
    obs_dtype = observation_space.dtype();
    act_dtype = action_space.dtype();
    obs_bytes = observation_space.numel() * static_cast<std::int64_t>(dtype_size(obs_dtype));
    act_bytes = action_space.numel() * static_cast<std::int64_t>(dtype_size(act_dtype));
    num_envs = envs;
    const std::size_t n = static_cast<std::size_t>(envs) * capacity;
    obs.resize(n * obs_bytes);
    next_obs.resize(n * obs_bytes);
    actions.resize(n * act_bytes);
    rewards.resize(n);
    behaviour.resize(with_behaviour ? n : 0);
    terminated.resize(n);
    truncated.resize(n);
    episode_return.resize(n);
    episode_length.resize(n);
    steps = 0;
  }
  int capacity() const { return num_envs == 0 ? 0 : static_cast<int>(rewards.size() / num_envs); }

  // Step t's views. The Batch's obs and final_obs are both next_obs: what an
  // off-policy learner stores (the observation to bootstrap from).
  ConstArrayView obs_at(int t) const {
    return ConstArrayView(obs.data() + t * num_envs * obs_bytes, obs_dtype, num_envs * (obs_bytes / static_cast<std::int64_t>(dtype_size(obs_dtype))));
  }
  ConstArrayView actions_at(int t) const {
    return ConstArrayView(actions.data() + t * num_envs * act_bytes, act_dtype, num_envs * (act_bytes / static_cast<std::int64_t>(dtype_size(act_dtype))));
  }
  std::span<const float> behaviour_at(int t) const {
    if (behaviour.empty()) return {};
    return std::span<const float>(behaviour).subspan(static_cast<std::size_t>(t) * num_envs, num_envs);
  }
  Batch step(int t) {
    const std::size_t k = static_cast<std::size_t>(t) * num_envs;
    const ArrayView next(next_obs.data() + k * obs_bytes, obs_dtype,
                         num_envs * (obs_bytes / static_cast<std::int64_t>(dtype_size(obs_dtype))));
    Batch b;
    b.size = num_envs;
    b.obs = next;
    b.final_obs = next;
    b.rewards = std::span<float>(rewards).subspan(k, num_envs);
    b.terminated = std::span<std::uint8_t>(terminated).subspan(k, num_envs);
    b.truncated = std::span<std::uint8_t>(truncated).subspan(k, num_envs);
    b.episode_return = std::span<float>(episode_return).subspan(k, num_envs);
    b.episode_length = std::span<std::int32_t>(episode_length).subspan(k, num_envs);
    return b;
  }
};

}  // namespace pavlov
