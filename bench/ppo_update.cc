// The on-policy learner's cost: an experiment's agent (PPO or A2C) trained on
// its envs for a number of rollouts, with the time of the update phases
// (train() calls that learned) apart from acting and stepping. Prints the
// microseconds per gradient step and the LibTorch ops one gradient step runs
// (counted with RecordFunction callbacks), the figure that bounds it: at a
// few microseconds of dispatch per op, fewer ops is the way to a faster update.
//
// usage: bench_ppo_update [EXPERIMENT_FILE] [--rollouts N] [--threads T]
#include <ATen/record_function.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <torch/torch.h>

#include "engine/config/experiment.h"
#include "engine/env/vector_env.h"
#include "engine/runtime/agent.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::atomic<long> g_ops{0};
bool g_counting = false;
// op name -> calls and seconds inside it (nested ops included), in the counted rollout
std::map<std::string, std::pair<long, double>> g_names;
std::mutex g_names_mutex;  // with experiment threads >= 2 the two networks record ops from two threads

struct OpStart : at::ObserverContext {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
};

}  // namespace

int main(int argc, char** argv) {
  std::string file = "experiments/cartpole_ppo.toml";
  int rollouts = 200, threads = 1;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--rollouts") && i + 1 < argc) rollouts = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::stoi(argv[++i]);
    else file = argv[i];
  }
  torch::set_num_threads(threads);
  const pavlov::Config cfg = pavlov::load_experiment(file, {"experiment.device=cpu", "experiment.threads=" + std::to_string(threads)});
  const int num_envs = static_cast<int>(cfg.get_int("env.num_envs"));
  const std::int64_t n_steps = cfg.get_int("agent.n_steps");
  const std::int64_t per_rollout = cfg.get_string("agent.algo") == "ppo"
                                       ? cfg.get_int("agent.n_epochs") * (n_steps * num_envs / cfg.get_int("agent.batch_size"))
                                       : 1;
  pavlov::VectorEnv venv(cfg.get_string("env.id"),
                         {.num_envs = num_envs, .threads = 1, .autoreset = pavlov::AutoresetMode::kSameStep, .seed = 0});
  const std::int64_t total = (rollouts + 10) * n_steps * num_envs;
  pavlov::AgentContext ctx{cfg, venv.observation_space(), venv.action_space(), num_envs, "cpu", 0, total};
  auto agent = pavlov::make_agent(cfg.get_string("agent.algo"), ctx);

  const auto& os = venv.observation_space();
  const auto& as = venv.action_space();
  std::vector<std::byte> obs(num_envs * os.numel() * 4), act(num_envs * as.numel() * 8);
  const pavlov::ArrayView ov(obs.data(), os.dtype(), num_envs * os.numel());
  const pavlov::ArrayView av(act.data(), as.dtype(), num_envs * as.numel());
  std::memcpy(obs.data(), venv.reset(0).obs.data, obs.size());

  at::addGlobalCallback(at::RecordFunctionCallback(
                            [](const at::RecordFunction&) -> std::unique_ptr<at::ObserverContext> {
                              if (!g_counting) return nullptr;
                              ++g_ops;
                              return std::make_unique<OpStart>();
                            },
                            [](const at::RecordFunction& fn, at::ObserverContext* ctx) {
                              if (!ctx) return;
                              const std::lock_guard<std::mutex> lock(g_names_mutex);
                              auto& entry = g_names[fn.name()];
                              ++entry.first;
                              entry.second += seconds_since(static_cast<OpStart*>(ctx)->t0);
                            })
                            .scopes({at::RecordScope::FUNCTION}));

  double act_s = 0, train_s = 0;
  std::int64_t steps = 0;
  long ops_first = -1;
  for (int r = 0; r < rollouts + 10; ++r) {
    const bool timed = r >= 10;  // the first rollouts warm up
    for (std::int64_t t = 0; t < n_steps; ++t) {
      auto t0 = std::chrono::steady_clock::now();
      agent->act(ov, num_envs, av, true);
      const auto& b = venv.step(pavlov::ConstArrayView(av));
      agent->observe(ov, pavlov::ConstArrayView(av), b);
      std::memcpy(obs.data(), b.obs.data, obs.size());
      steps += num_envs;
      if (timed) act_s += seconds_since(t0);
      const bool count = r == rollouts + 9 && t + 1 == n_steps;  // the last rollout
      g_counting = count;
      g_ops = 0;
      t0 = std::chrono::steady_clock::now();
      agent->train(steps);
      if (timed) train_s += seconds_since(t0);
      g_counting = false;
      if (count) ops_first = g_ops.load();
    }
  }
  const double per_update_us = 1e6 * train_s / (static_cast<double>(rollouts) * per_rollout);
  const double act_us = 1e6 * act_s / (static_cast<double>(rollouts) * n_steps);
  std::printf("%s (%s, %d envs, %lld gradient steps per rollout, %d thread%s):\n", cfg.get_string("agent.algo").c_str(),
              file.c_str(), num_envs, static_cast<long long>(per_rollout), threads, threads == 1 ? "" : "s");
  std::printf("  update: %.1f us per gradient step, %.1f LibTorch ops per gradient step\n", per_update_us,
              static_cast<double>(ops_first) / per_rollout);
  std::printf("  acting: %.1f us per vector step (act + env step + observe)\n", act_us);
  std::printf("  %lld env steps in %.2f s: %.0f steps/s\n", static_cast<long long>(rollouts * n_steps * num_envs),
              act_s + train_s, rollouts * n_steps * num_envs / (act_s + train_s));
  std::printf("  LibTorch ops of one gradient step (calls, microseconds including nested ops; one rollout's mean):\n");
  for (const auto& [name, entry] : g_names)
    std::printf("    %-32s %6.1f calls %8.1f us\n", name.c_str(), static_cast<double>(entry.first) / per_rollout,
                1e6 * entry.second / per_rollout);
  std::printf("BENCH %s_update_us %.1f\nBENCH %s_ops_per_update %.1f\n", cfg.get_string("agent.algo").c_str(), per_update_us,
              cfg.get_string("agent.algo").c_str(), static_cast<double>(ops_first) / per_rollout);
}
