// Learner updates per second of an experiment's agent, at several batch
// sizes, on the CPU or on CUDA. An update is one gradient step: for DQN, SAC
// and TD3 one replay batch (sampled on the host, sent through pinned memory,
// forward of the online and target networks, losses, backward passes,
// clipping, optimizer steps, target averaging);
// for PPO and A2C one minibatch of a rollout (the rollout's GAE and the
// minibatch gathers included). Acting is not timed: a replay is filled by
// random play first, PPO's rollouts are played between the timed phases; the
// learner's networks act (experiment.actor_device = "learner"), so no CPU copy
// is refreshed after each phase.
//
// bench/torch_updates.py times the same model, batch and optimizer written in
// PyTorch; bench/gpu.sh runs both on one machine and prints the ratio.
//
// usage: bench_learner_updates EXPERIMENT_FILE [--device cpu|cuda] [--batch 32,256,1024]
//                              [--seconds S] [--label NAME] [key=value overrides...]
// prints: BENCH learner_<label>_<device>_b<batch> <updates per second>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <torch/cuda.h>
#include <torch/utils.h>
#include <vector>

#include "engine/config/experiment.h"
#include "engine/env/vector_env.h"
#include "engine/runtime/agent.h"
#include "engine/runtime/device.h"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void sync(const std::string& device) {
  if (device == "cuda") torch::cuda::synchronize();
}

struct Player {
  pavlov::VectorEnv& venv;
  std::vector<std::byte> obs;
  std::vector<std::byte> actions;
  std::size_t obs_bytes;

  explicit Player(pavlov::VectorEnv& v) : venv(v) {
    const auto& os = venv.observation_space();
    obs_bytes = venv.num_envs() * os.numel() * pavlov::dtype_size(os.dtype());
    obs.resize(obs_bytes);
    const auto& as = venv.action_space();
    actions.resize(venv.num_envs() * std::max<std::int64_t>(1, as.numel()) * 8);
    std::memcpy(obs.data(), venv.reset().obs.data, obs_bytes);
  }
  pavlov::ConstArrayView obs_view() const {
    const auto& os = venv.observation_space();
    return {obs.data(), os.dtype(), venv.num_envs() * os.numel()};
  }
  pavlov::ArrayView action_view() {
    const auto& as = venv.action_space();
    const std::int64_t per = as.is_discrete() ? 1 : as.numel();
    return {actions.data(), as.is_discrete() ? pavlov::DType::kInt64 : pavlov::DType::kFloat32, venv.num_envs() * per};
  }
  // One vector step with the agent's behaviour policy.
  void step(pavlov::Agent& agent) {
    pavlov::ArrayView a = action_view();
    agent.act(obs_view(), venv.num_envs(), a, true);
    const pavlov::ConstArrayView ca(a.data, a.dtype, a.size);
    const auto& b = venv.step(ca);
    agent.observe(obs_view(), ca, b);
    std::memcpy(obs.data(), b.obs.data, obs_bytes);
  }
};

// Updates per second of one agent at one batch size.
double updates_per_second(const std::string& file, const std::string& device, std::int64_t batch, double seconds,
                          const std::vector<std::string>& extra) {
  const pavlov::Config probe = pavlov::load_experiment(file, extra);
  const std::string algo = probe.get_string("agent.algo");
  std::vector<std::string> o = extra;
  o.push_back("experiment.device=" + device);
  std::int64_t per_phase = 1;  // gradient steps per train() that learns
  // The learner's own networks act: no CPU copy to refresh after each phase (acting is not timed).
  o.push_back("experiment.actor_device=learner");
  // Replay-based agents train every env step from a replay filled first; the others learn from rollouts.
  const bool from_replay = algo == "dqn" || algo == "sac" || algo == "td3";
  if (from_replay) {
    // One gradient step per env step from the first; the learner's network acts (acting is not timed).
    for (const char* k : {"agent.train_freq=1", "agent.gradient_steps=1", "replay.learning_starts=0"})
      o.push_back(k);
    o.push_back("replay.batch_size=" + std::to_string(batch));
  } else {
    const std::int64_t rollout = probe.get_int("agent.n_steps") * probe.get_int("env.num_envs");
    if (rollout % batch != 0) throw std::runtime_error("batch " + std::to_string(batch) + " does not divide the rollout");
    if (algo == "ppo") o.push_back("agent.batch_size=" + std::to_string(batch));
    per_phase = algo == "ppo" ? probe.get_int("agent.n_epochs") * (rollout / batch) : 1;
  }
  const pavlov::Config cfg = pavlov::load_experiment(file, o);
  pavlov::setup_compute(device, static_cast<int>(cfg.get_int("experiment.threads")));
  pavlov::VectorEnv venv(cfg.get_string("env.id"), {.num_envs = static_cast<int>(cfg.get_int("env.num_envs")),
                                                    .threads = 0,
                                                    .autoreset = pavlov::AutoresetMode::kSameStep,
                                                    .seed = 0});
  const pavlov::AgentContext ctx{cfg, venv.observation_space(), venv.action_space(), venv.num_envs(), device, 0, 1'000'000'000};
  auto agent = pavlov::make_agent(algo, ctx);
  Player player(venv);
  std::int64_t steps = 0;

  if (from_replay) {
    for (int t = 0; t < 5000; ++t) {  // fill the replay (learning_starts is 0, so train() is not called here)
      player.step(*agent);
      steps += venv.num_envs();
    }
    auto train_some = [&](int n) {
      for (int i = 0; i < n; ++i) agent->train(steps += venv.num_envs());
    };
    train_some(100);  // warm up: allocator caches, cuDNN's algorithm choice
    sync(device);
    std::int64_t updates = 0;
    const auto t0 = Clock::now();
    do {
      train_some(100);
      updates += 100;
      if (updates % 1000 == 0) sync(device);
    } while (seconds_since(t0) < seconds);
    sync(device);
    return static_cast<double>(updates) / seconds_since(t0);
  }

  const std::int64_t n_steps = cfg.get_int("agent.n_steps");
  double train_s = 0;
  std::int64_t updates = 0;
  for (int phase = 0; train_s < seconds || phase < 3; ++phase) {
    for (std::int64_t t = 0; t < n_steps; ++t) {
      player.step(*agent);
      steps += venv.num_envs();
    }
    sync(device);
    const auto t0 = Clock::now();
    agent->train(steps);
    sync(device);
    if (phase >= 1) {  // the first phase warms up
      train_s += seconds_since(t0);
      updates += per_phase;
    }
  }
  return static_cast<double>(updates) / train_s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string file, device = "cpu", label;
  std::vector<std::int64_t> batches = {32, 256, 1024};
  double seconds = 3.0;
  std::vector<std::string> extra;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--device" && i + 1 < argc) device = argv[++i];
    else if (a == "--seconds" && i + 1 < argc) seconds = std::stod(argv[++i]);
    else if (a == "--label" && i + 1 < argc) label = argv[++i];
    else if (a == "--batch" && i + 1 < argc) {
      batches.clear();
      std::stringstream ss(argv[++i]);
      for (std::string b; std::getline(ss, b, ',');) batches.push_back(std::stoll(b));
    } else if (a.find('=') != std::string::npos) extra.push_back(a);
    else file = a;
  }
  if (file.empty()) {
    std::fprintf(stderr, "usage: bench_learner_updates EXPERIMENT_FILE [--device cpu|cuda] [--batch 32,256,1024] "
                         "[--seconds S] [--label NAME] [key=value...]\n");
    return 2;
  }
  if (label.empty()) label = std::filesystem::path(file).stem().string();
  try {
    for (const std::int64_t b : batches) {
      const double ups = updates_per_second(file, device, b, seconds, extra);
      std::printf("BENCH learner_%s_%s_b%lld %.1f\n", label.c_str(), device.c_str(), static_cast<long long>(b), ups);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_learner_updates: %s\n", e.what());
    return 1;
  }
}
