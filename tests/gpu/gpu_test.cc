// Tests that need a CUDA device. Without one (CI, Debian's CPU LibTorch) the
// program says so and exits 77, which CTest reports as skipped.
//
// Each test plays the same experience into two agents of the same seed, one
// learning on the CPU and one on the GPU, and compares what they learned. The
// GPU agent acts through its CPU copy of the networks (experiment.actor_device
// = "cpu"), so both see the same actions and the same replay samples; only
// the update itself differs: the CPU's hand-written MLP backward or CPU
// autograd against CUDA kernels.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <torch/cuda.h>
#include <vector>

#include "engine/config/experiment.h"
#include "engine/env/vector_env.h"
#include "engine/runtime/agent.h"

namespace {

// A file of experiments/, or any path with a slash.
std::string experiment(const std::string& name) {
  return name.find('/') != std::string::npos ? name : std::string(PAVLOV_SOURCE_DIR) + "/experiments/" + name;
}

struct Learner {
  pavlov::Config cfg;
  pavlov::VectorEnv venv;
  std::unique_ptr<pavlov::Agent> agent;
  std::vector<std::byte> obs;
  std::vector<std::int64_t> actions;
  std::int64_t steps = 0;

  Learner(const std::string& file, const std::string& device, std::vector<std::string> overrides)
      : cfg(load(file, device, std::move(overrides))),
        venv(cfg.get_string("env.id"), {.num_envs = static_cast<int>(cfg.get_int("env.num_envs")),
                                         .threads = 1,
                                         .autoreset = pavlov::AutoresetMode::kSameStep,
                                         .seed = 3}) {
    const pavlov::AgentContext ctx{cfg,    venv.observation_space(), venv.action_space(), static_cast<int>(venv.num_envs()),
                                   device, 7,
                                   1'000'000};
    agent = pavlov::make_agent(cfg.get_string("agent.algo"), ctx);
    const auto& first = venv.reset();
    obs.resize(bytes());
    std::memcpy(obs.data(), first.obs.data, bytes());
    actions.resize(venv.num_envs());
  }
  static pavlov::Config load(const std::string& file, const std::string& device, std::vector<std::string> overrides) {
    overrides.push_back("experiment.device=" + device);
    return pavlov::load_experiment(experiment(file), overrides);
  }
  std::size_t bytes() const {
    const auto& s = venv.observation_space();
    return venv.num_envs() * s.numel() * pavlov::dtype_size(s.dtype());
  }
  pavlov::ConstArrayView obs_view() const {
    const auto& s = venv.observation_space();
    return {obs.data(), s.dtype(), venv.num_envs() * s.numel()};
  }
  // Plays and learns until train() reports metrics; returns them by name.
  std::map<std::string, double> until_update() {
    for (int i = 0; i < 100000; ++i) {
      agent->act(obs_view(), venv.num_envs(), pavlov::ArrayView(std::span(actions)), true);
      const auto& b = venv.step(pavlov::ConstArrayView(std::span(actions)));
      agent->observe(obs_view(), pavlov::ConstArrayView(std::span(actions)), b);
      std::memcpy(obs.data(), b.obs.data, bytes());
      steps += venv.num_envs();
      const auto m = agent->train(steps);
      if (!m.empty()) {
        std::map<std::string, double> out;
        for (const auto& x : m) out[std::string(x.name)] = x.value;
        return out;
      }
    }
    FAIL("no update in 100000 steps");
    return {};
  }
  // What the agent makes of the first env's current observation, or of `other`'s.
  std::vector<float> insight(const Learner* other = nullptr) {
    const auto& s = venv.observation_space();
    const std::byte* row = (other ? other : this)->obs.data();
    return agent->insight(pavlov::ConstArrayView(row, s.dtype(), s.numel())).values;
  }
};

void check_close(const std::map<std::string, double>& cpu, const std::map<std::string, double>& gpu, double rel) {
  REQUIRE(cpu.size() == gpu.size());
  for (const auto& [name, value] : cpu) {
    INFO(name << ": cpu " << value << ", gpu " << gpu.at(name));
    CHECK(gpu.at(name) == doctest::Approx(value).epsilon(rel).scale(1.0));
  }
}

void check_close(const std::vector<float>& a, const std::vector<float>& b, double rel) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(b[i] == doctest::Approx(a[i]).epsilon(rel).scale(1.0));
}

// The same experience, one update on each device: same metrics, same network after it.
void same_update(const std::string& file, std::vector<std::string> overrides, double rel) {
  Learner cpu(file, "cpu", overrides), gpu(file, "cuda", overrides);
  const auto m_cpu = cpu.until_update();
  const auto m_gpu = gpu.until_update();
  CHECK(cpu.steps == gpu.steps);
  check_close(m_cpu, m_gpu, rel);
  check_close(cpu.insight(), gpu.insight(), rel);
}

const std::vector<std::string> kDqnNow = {"replay.learning_starts=256", "agent.train_freq=1"};

}  // namespace

TEST_CASE("dqn (mlp): one update gives the same loss on the CPU and the GPU") {
  same_update("cartpole_dqn.toml", kDqnNow, 1e-4);
}

TEST_CASE("dqn (minatar cnn): one update gives the same loss on the CPU and the GPU") {
  same_update("minatar_breakout_dqn.toml", kDqnNow, 1e-3);
}

TEST_CASE("ppo (mlp): one update phase gives the same losses on the CPU and the GPU") {
  same_update("cartpole_ppo.toml", {}, 1e-3);
}

TEST_CASE("ppo (minatar cnn): one update phase gives the same losses on the CPU and the GPU") {
  same_update("minatar_space_invaders_ppo.toml", {"agent.n_steps=16", "agent.batch_size=256"}, 1e-3);
}

TEST_CASE("amp: a bfloat16 DQN update lands near the float32 one") {
  Learner f32("minatar_breakout_dqn.toml", "cuda", kDqnNow);
  auto overrides = kDqnNow;
  overrides.push_back("experiment.amp=true");
  Learner bf16("minatar_breakout_dqn.toml", "cuda", overrides);
  const auto a = f32.until_update(), b = bf16.until_update();
  CHECK(b.at("loss") == doctest::Approx(a.at("loss")).epsilon(0.05));
  CHECK(b.at("q_mean") == doctest::Approx(a.at("q_mean")).epsilon(0.05).scale(1.0));
}

TEST_CASE("checkpoints: written on the GPU they load on the CPU, and the reverse") {
  for (const std::string file : {"cartpole_dqn.toml", "cartpole_ppo.toml", "minatar_space_invaders_ppo.toml"}) {
    INFO(file);
    std::vector<std::string> o = file.find("dqn") != std::string::npos ? kDqnNow : std::vector<std::string>{};
    if (file.find("minatar") != std::string::npos) o = {"agent.n_steps=16", "agent.batch_size=256"};
    // Learns on one device, saves, loads into a fresh agent on the other: the same outputs.
    auto round_trip = [&](const std::string& from, const std::string& to) {
      INFO(from << " -> " << to);
      Learner source(file, from, o);
      source.until_update();
      std::stringstream bytes;
      source.agent->save(bytes);
      Learner target(file, to, o);
      target.agent->load(bytes);
      check_close(source.insight(), target.insight(&source), 1e-5);
    };
    round_trip("cuda", "cpu");
    round_trip("cpu", "cuda");
  }
}

TEST_CASE("actor_device = learner: acting on the GPU picks the CPU copy's actions") {
  auto o = kDqnNow;
  Learner copy("cartpole_dqn.toml", "cuda", o);
  o.push_back("experiment.actor_device=learner");
  Learner direct("cartpole_dqn.toml", "cuda", o);
  copy.until_update();
  direct.until_update();
  check_close(copy.insight(), direct.insight(&copy), 1e-4);
}

TEST_CASE("actor_device = learner: a Gaussian PPO policy acts on the GPU as its CPU copy does") {
  // CarRacing's pixels through the Nature CNN, continuous actions (the actor reads its log std on the host).
  const std::vector<std::string> o = {"agent.n_steps=16", "agent.batch_size=128"};
  auto direct_o = o;
  direct_o.push_back("experiment.actor_device=learner");
  Learner copy(PAVLOV_SOURCE_DIR "/bench/configs/car_racing_ppo_nature.toml", "cuda", o);
  Learner direct(PAVLOV_SOURCE_DIR "/bench/configs/car_racing_ppo_nature.toml", "cuda", direct_o);
  const auto a = copy.until_update(), b = direct.until_update();
  check_close(a, b, 1e-3);
  check_close(copy.insight(), direct.insight(&copy), 1e-4);
}

int main(int argc, char** argv) {
  if (!torch::cuda::is_available()) {
    std::puts("skipped: LibTorch sees no CUDA device (these tests run where there is one: docs/gpu.md)");
    return 77;
  }
  doctest::Context context(argc, argv);
  return context.run();
}
