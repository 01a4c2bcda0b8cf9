// The DQN learner's update time next to the time of the bare matrix
// multiplications of the same network and batch: everything the update does
// besides those matmuls (autograd bookkeeping, the loss, clipping, the
// optimizer, small ops) is overhead. Prints both and their ratio.
//
// With a convolutional net ([agent.net] type = minatar_cnn), the bare ops
// are its convolutions too (forward twice, the weight gradient once; the
// first layer needs no input gradient) next to the matmuls of the MLP on top.
//
// usage: bench_dqn_update [EXPERIMENT_FILE] [--updates N] [--threads T]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <torch/torch.h>

#include "engine/config/experiment.h"
#include "engine/env/registry.h"
#include "engine/env/vector_env.h"
#include "engine/runtime/agent.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The matmuls of one update of an MLP Q network: the online forward, the
// target forward, and the backward (input and weight gradients).
double bare_matmuls_us(const std::vector<std::int64_t>& widths, std::int64_t batch, int reps) {
  std::vector<torch::Tensor> w, x, g;
  for (std::size_t i = 0; i + 1 < widths.size(); ++i) {
    w.push_back(torch::randn({widths[i + 1], widths[i]}));
    x.push_back(torch::randn({batch, widths[i]}));
    g.push_back(torch::randn({batch, widths[i + 1]}));
  }
  auto once = [&] {
    for (std::size_t i = 0; i < w.size(); ++i) {
      torch::mm(x[i], w[i].t());                      // online forward
      torch::mm(x[i], w[i].t());                      // target forward
      torch::mm(g[i].t(), x[i]);                      // weight gradient
      if (i > 0) torch::mm(g[i], w[i]);               // input gradient (not for the first layer)
    }
  };
  for (int i = 0; i < 50; ++i) once();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) once();
  return 1e6 * seconds_since(t0) / reps;
}

// The convolution of the MinAtar network on a batch: online and target
// forwards and the weight (and bias) gradient.
double bare_minatar_conv_us(std::int64_t channels, std::int64_t batch, int reps) {
  const torch::Tensor x = torch::randn({batch, channels, 10, 10}), w = torch::randn({16, channels, 3, 3});
  const torch::Tensor b = torch::randn({16}), g = torch::randn({batch, 16, 8, 8});
  auto once = [&] {
    torch::conv2d(x, w, b);
    torch::conv2d(x, w, b);
    at::convolution_backward(g, x, w, std::vector<std::int64_t>{16}, {1, 1}, {0, 0}, {1, 1}, false, {0, 0}, 1,
                             {false, true, true});
  };
  for (int i = 0; i < 50; ++i) once();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) once();
  return 1e6 * seconds_since(t0) / reps;
}

}  // namespace

int main(int argc, char** argv) {
  std::string file = "experiments/cartpole_dqn.toml";
  int updates = 2000, threads = 1;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--updates") && i + 1 < argc) updates = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::stoi(argv[++i]);
    else file = argv[i];
  }
  torch::set_num_threads(threads);
  // One gradient step per call, from the first call on.
  const pavlov::Config cfg = pavlov::load_experiment(
      file, {"agent.train_freq=1", "agent.gradient_steps=1", "replay.learning_starts=0", "experiment.device=cpu",
             "experiment.threads=" + std::to_string(threads)});
  pavlov::VectorEnv venv(cfg.get_string("env.id"), {.num_envs = 1, .threads = 1, .autoreset = pavlov::AutoresetMode::kSameStep});
  pavlov::AgentContext ctx{cfg, venv.observation_space(), venv.action_space(), 1, "cpu", 0, 1'000'000};
  auto agent = pavlov::make_agent(cfg.get_string("agent.algo"), ctx);

  // Fill the replay with random play.
  const pavlov::Space& os = venv.observation_space();
  const std::size_t obs_bytes = os.numel() * pavlov::dtype_size(os.dtype());
  std::vector<std::byte> obs(obs_bytes);
  const pavlov::ConstArrayView obs_view(obs.data(), os.dtype(), os.numel());
  std::vector<std::int64_t> action(1);
  const auto& first = venv.reset(0);
  std::memcpy(obs.data(), first.obs.data, obs_bytes);
  pavlov::Rng rng(1);
  for (int t = 0; t < 5000; ++t) {
    action[0] = static_cast<std::int64_t>(rng.below(venv.action_space().n()));
    const auto& b = venv.step(pavlov::ConstArrayView(std::span(action)));
    agent->observe(obs_view, pavlov::ConstArrayView(std::span(action)), b);
    std::memcpy(obs.data(), b.obs.data, obs_bytes);
  }
  for (int i = 1; i <= 100; ++i) agent->train(i);  // warm up
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 1; i <= updates; ++i) agent->train(100 + i);
  const double update_us = 1e6 * seconds_since(t0) / updates;

  const std::string net = cfg.get_string("agent.net.type");
  if (net != "mlp" && net != "minatar_cnn") {
    std::fprintf(stderr, "bench_dqn_update: bare ops are written for mlp and minatar_cnn, not %s\n", net.c_str());
    return 2;
  }
  const std::int64_t batch = cfg.get_int("replay.batch_size");
  std::vector<std::int64_t> widths = {net == "mlp" ? os.numel() : 16 * 8 * 8};
  for (auto h : cfg.get_int_list("agent.net.hidden")) widths.push_back(h);
  widths.push_back(venv.action_space().n());
  double mm_us = bare_matmuls_us(widths, batch, updates);
  if (net == "minatar_cnn") mm_us += bare_minatar_conv_us(os.shape()[0], batch, updates);
  std::printf("dqn update (%s, batch %lld, %d thread%s): %.1f us; bare matmuls%s: %.1f us; ratio %.2f\n", file.c_str(),
              static_cast<long long>(batch), threads, threads == 1 ? "" : "s", update_us,
              net == "mlp" ? "" : " and convolutions", mm_us, update_us / mm_us);
  std::printf("BENCH dqn_update_us %.1f\nBENCH dqn_matmul_us %.1f\n", update_us, mm_us);
}
