#include "engine/config/experiment.h"

#include <doctest/doctest.h>

using pavlov::Config;
using pavlov::ConfigError;
using pavlov::parse_experiment;

namespace {

const char* kGood = R"([experiment]
name = "t"
seed = 3

[env]
id = "Pendulum-v1"
num_envs = 2

[env.options]
g = 9.81

[agent]
algo = "dqn"
gamma = 0.9

[agent.net]
hidden = [32, 16]

[train]
total_steps = 100
)";

std::vector<std::string> problems_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse_experiment(text, "x.toml", overrides);
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

}  // namespace

TEST_CASE("config: values, defaults and origins") {
  const Config cfg = parse_experiment(kGood, "x.toml");
  CHECK(cfg.get_string("experiment.name") == "t");
  CHECK(cfg.get_int("experiment.seed") == 3);
  CHECK(cfg.get_string("experiment.device") == "auto");  // default
  CHECK(cfg.entry("experiment.device").origin == "default");
  CHECK(cfg.entry("agent.gamma").origin == "x.toml:14:9");
  CHECK(cfg.get_float("env.options.g") == doctest::Approx(9.81));
  CHECK(cfg.get_int_list("agent.net.hidden") == std::vector<std::int64_t>{32, 16});
  CHECK(cfg.get_string("optimizer.name") == "adam");
  CHECK(cfg.get_float("optimizer.lr") == doctest::Approx(1e-4));  // DQN's default (SB3's)
  CHECK(cfg.get_int("replay.n_step") == 1);
  CHECK(cfg.table("env.options").size() == 1);
}

TEST_CASE("config: overrides are validated and named") {
  const Config cfg = parse_experiment(kGood, "x.toml", {"agent.gamma=0.5", "env.num_envs=8", "optimizer.name=sgd",
                                                          "optimizer.momentum=0.9", "experiment.name=hello"});
  CHECK(cfg.get_float("agent.gamma") == 0.5);
  CHECK(cfg.entry("agent.gamma").origin == "override 'agent.gamma=0.5'");
  CHECK(cfg.get_int("env.num_envs") == 8);
  CHECK(cfg.get_string("experiment.name") == "hello");  // a bare word is a string
  CHECK(cfg.get_float("optimizer.momentum") == doctest::Approx(0.9));
  const auto p = problems_of(kGood, {"agent.gamma=2"});
  REQUIRE(p.size() == 1);
  CHECK(p[0].find("override 'agent.gamma=2': error: 'agent.gamma' = 2.0 is outside [0, 1]") == 0);
}

TEST_CASE("config: every problem is reported at once, each with its position") {
  const std::string bad = std::string(kGood) + "\n[replay]\nbatch_size = 0\ncapacty = 10\n";
  auto p = problems_of(bad, {"agent.loss=l3"});
  REQUIRE(p.size() == 3);
  std::string all;
  for (const auto& x : p) all += x + "\n";
  CHECK(all.find("x.toml:23:14: error: 'replay.batch_size' = 0 is outside [1, 1000000]") != std::string::npos);
  CHECK(all.find("x.toml:24:1: error: unknown key 'capacty' in [replay]. Did you mean 'capacity'?") != std::string::npos);
  CHECK(all.find("override 'agent.loss=l3': error: unknown value 'l3' for 'agent.loss'") != std::string::npos);
}

TEST_CASE("config: env options follow the env id") {
  auto p = problems_of(std::string(kGood), {"env.id=CartPole-v1"});
  REQUIRE(p.size() == 1);  // g belongs to Pendulum, not CartPole
  CHECK(p[0].find("unknown key 'g' in [env.options]") != std::string::npos);
  CHECK(p[0].find("[env.options] takes: sutton_barto_reward") != std::string::npos);
}

TEST_CASE("config: the resolved TOML reads back to the same configuration") {
  const Config a = parse_experiment(kGood, "x.toml", {"optimizer.name=rmsprop"});
  const Config b = parse_experiment(a.to_toml(), "config.toml");
  CHECK(b.to_toml() == a.to_toml());
  CHECK(b.get_float("optimizer.alpha") == doctest::Approx(0.99));
}

TEST_CASE("config: an agent brings SB3's optimizer and replay defaults; the file's values win") {
  const std::string head = "[experiment]\nname = \"t\"\n[env]\nid = \"CartPole-v1\"\n[train]\ntotal_steps = 10\n";
  const Config a2c = parse_experiment(head + "[agent]\nalgo = \"a2c\"\n", "x.toml");
  CHECK(a2c.get_string("optimizer.name") == "rmsprop");
  CHECK(a2c.get_float("optimizer.lr") == 7e-4);
  CHECK(a2c.get_float("optimizer.eps") == 1e-5);
  CHECK(a2c.get_float("optimizer.grad_clip") == 0.5);
  const Config ppo = parse_experiment(head + "[agent]\nalgo = \"ppo\"\n[optimizer]\nlr = 1e-3\n", "x.toml");
  CHECK(ppo.get_string("optimizer.name") == "adam");
  CHECK(ppo.get_float("optimizer.lr") == 1e-3);  // the file's
  CHECK(ppo.get_float("optimizer.eps") == 1e-5);  // PPO's
  const Config dqn = parse_experiment(head + "[agent]\nalgo = \"dqn\"\n", "x.toml");
  CHECK(dqn.get_int("replay.batch_size") == 32);
  CHECK(dqn.get_int("replay.learning_starts") == 100);
  // A2C with Adam chosen in the file: Adam's keys, RMSprop's alpha is unknown there.
  CHECK_THROWS_AS(parse_experiment(head + "[agent]\nalgo = \"a2c\"\n[optimizer]\nname = \"adam\"\nalpha = 0.9\n", "x.toml"),
                  ConfigError);
}

TEST_CASE("config: a classify task takes [task] and [net]; the tables of reinforcement learning are errors there") {
  const std::string task = "[experiment]\nname = \"c\"\n[task]\nkind = \"classify\"\nepochs = 3\n[net]\ntype = \"small_cnn\"\n";
  const Config cfg = parse_experiment(task, "c.toml");
  CHECK(cfg.get_string("task.dataset") == "fashion_mnist");
  CHECK(cfg.get_int_list("net.hidden") == std::vector<std::int64_t>{128});  // small_cnn's default width
  CHECK(cfg.get_float("optimizer.lr") > 0);
  auto p = problems_of(task + "[env]\nid = \"CartPole-v1\"\n");
  REQUIRE(p.size() == 1);
  CHECK(p[0] == "x.toml:8:2: error: [env] belongs to reinforcement learning, not to a task of kind \"classify\"\n"
                "  hint: a classify task takes its data from [task] dataset, its network from [net] and its length "
                "from [task] epochs");
  p = problems_of(task + "[net]\n", {});
  CHECK(!p.empty());  // a table given twice is not TOML
  p = problems_of(std::string(kGood) + "[net]\nhidden = [8]\n");
  REQUIRE(p.size() == 1);
  CHECK(p[0].find("error: [net] is the network of a supervised task ([task] kind = \"classify\")\n"
                  "  hint: an agent's network is [agent.net]") != std::string::npos);
}
