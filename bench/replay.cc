// Replay throughput at 1 M capacity: inserts per second (one vector step of
// 64 envs per add) and the latency of one sample of batch 256 and 1024,
// uniform and prioritized, for CartPole-sized float observations and
// MinAtar-sized uint8 frames; and the observation memory of 1 M frame-stacked
// pixel transitions, whole against a frame at a time ([env] frame_stack).
//
//   build/bench_replay
#include <chrono>
#include <cstdio>
#include <vector>

#include "engine/replay/replay.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void bench(const char* what, const pavlov::Space& obs_space, bool prioritized, std::int64_t batch) {
  constexpr int kEnvs = 64;
  constexpr std::int64_t kCapacity = 1'000'000;
  pavlov::Replay replay(obs_space, pavlov::Space::discrete(4),
                        {.capacity = kCapacity, .num_envs = kEnvs, .n_step = 3, .batch_size = batch, .prioritized = prioritized});
  const std::size_t obs_bytes = obs_space.numel() * pavlov::dtype_size(obs_space.dtype());
  std::vector<std::byte> obs(kEnvs * obs_bytes, std::byte{1});
  std::vector<std::int64_t> actions(kEnvs, 1);
  std::vector<float> rewards(kEnvs, 1.0f);
  std::vector<std::uint8_t> terminated(kEnvs, 0), truncated(kEnvs, 0);
  const pavlov::ConstArrayView ov(obs.data(), obs_space.dtype(), kEnvs * obs_space.numel());
  const auto t0 = std::chrono::steady_clock::now();
  const std::int64_t steps = kCapacity / kEnvs;
  for (std::int64_t t = 0; t < steps; ++t) {
    terminated[t % kEnvs] = t % 200 == 0;
    replay.add(ov, pavlov::ConstArrayView(std::span(actions)), rewards, ov, terminated, truncated);
  }
  const double insert_s = seconds_since(t0);
  pavlov::Rng rng(1);
  std::vector<float> td(batch, 0.5f);
  for (int i = 0; i < 20; ++i) replay.sample(rng, 0.5);
  const int reps = 200;
  const auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) {
    const auto& s = replay.sample(rng, 0.5);
    replay.update_priorities(s.indices, td);
  }
  const double sample_us = 1e6 * seconds_since(t1) / reps;
  std::printf("%-34s batch %5lld: %6.2f M transitions/s inserted, sample + priority update %8.1f us\n", what,
              static_cast<long long>(batch), steps * kEnvs / insert_s / 1e6, sample_us);
}

}  // namespace

int main() {
  const auto cartpole = pavlov::Space::box(-10, 10, {4});
  const auto minatar = pavlov::Space::box(0, 1, {4, 10, 10}, pavlov::DType::kUInt8);
  for (bool prioritized : {false, true})
    for (std::int64_t batch : {256, 1024}) {
      bench(prioritized ? "float[4], prioritized" : "float[4], uniform", cartpole, prioritized, batch);
      bench(prioritized ? "uint8[4,10,10], prioritized" : "uint8[4,10,10], uniform", minatar, prioritized, batch);
    }
  // Storage for 1 M frame-stacked pixel transitions (4 MinAtar frames [4, 10, 10] per observation,
  // 64 envs, random 200-step episodes): whole obs and next_obs apiece against a frame at a time.
  const auto stacked = pavlov::Space::box(0, 1, {16, 10, 10}, pavlov::DType::kUInt8);
  std::int64_t bytes[2];
  for (int k : {1, 4}) {
    constexpr int kEnvs = 64;
    pavlov::Replay r(stacked, pavlov::Space::discrete(4),
                     {.capacity = 1'000'000, .num_envs = kEnvs, .n_step = 3, .batch_size = 256, .frame_stack = k});
    // Each env's stacks shift in one new frame per step, as FrameStack's do.
    std::vector<std::uint8_t> obs(kEnvs * 1600), next(kEnvs * 1600);
    std::vector<std::int64_t> actions(kEnvs, 1);
    std::vector<float> rewards(kEnvs, 1.0f);
    std::vector<std::uint8_t> terminated(kEnvs, 0), truncated(kEnvs, 0);
    const auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t t = 0; t < 1'000'000 / kEnvs; ++t) {
      for (int e = 0; e < kEnvs; ++e) {
        std::uint8_t* o = &obs[e * 1600];
        std::uint8_t* n = &next[e * 1600];
        std::copy(o + 400, o + 1600, n);                            // the 3 newest frames move up
        std::fill(n + 1200, n + 1600, static_cast<std::uint8_t>((t + e) & 1));  // and a new one arrives
      }
      r.add(pavlov::ConstArrayView(obs.data(), pavlov::DType::kUInt8, kEnvs * 1600),
            pavlov::ConstArrayView(std::span(actions)), rewards,
            pavlov::ConstArrayView(next.data(), pavlov::DType::kUInt8, kEnvs * 1600), terminated, truncated);
      obs.swap(next);
    }
    bytes[k == 4] = r.observation_bytes();
    std::printf("1 M uint8[16,10,10] transitions, %s: %.1f MB of observations, %.2f M inserts/s\n",
                k == 1 ? "obs + next_obs whole" : "frame_stack 4 (each frame once)", bytes[k == 4] / 1e6,
                1.0 / seconds_since(t0));
  }
  std::printf("BENCH replay_pixel_memory_ratio %.3f (frames / naive; target <= 0.5)\n",
              static_cast<double>(bytes[1]) / static_cast<double>(bytes[0]));
}
