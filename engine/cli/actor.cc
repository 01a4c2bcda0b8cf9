// `pavlov actor EXPERIMENT --connect HOST:PORT [--actors N]`: a remote actor
// process for a learner that listens ([runtime] listen; docs/protocol.md).
#include <atomic>
#include <csignal>
#include <iostream>
#include <random>
#include <string>

#include "engine/cli/commands.h"
#include "engine/config/config_error.h"
#include "engine/config/experiment.h"
#include "engine/env/rng.h"
#include "engine/env/vector_env.h"
#include "engine/net/learner_server.h"
#include "engine/net/remote_actor.h"
#include "engine/runtime/agent.h"
#include "engine/runtime/device.h"
#include "engine/runtime/trainer.h"

namespace pavlov::cli {
namespace {
std::atomic<bool> g_actor_stop{false};
extern "C" void on_actor_signal(int) { g_actor_stop.store(true); }
}  // namespace

int actor_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::cout << "usage: pavlov actor EXPERIMENT --connect HOST:PORT [--actors N] [key.path=value ...]\n\n"
                 "Acts for a learner started with the same experiment file and [runtime] mode = \"async\",\n"
                 "listen = \"HOST:PORT\": N actor threads (default [runtime] actors), each stepping\n"
                 "env.num_envs / runtime.actors envs with its own copy of the policy, send their experience\n"
                 "and receive new weights. The token is PAVLOV_TOKEN or [runtime] token. Reconnects when\n"
                 "the learner goes away; Ctrl-C says goodbye and stops. docs/protocol.md.\n";
    return args.empty() ? 2 : 0;
  }
  std::string file, connect;
  int actors = 0;
  std::vector<std::string> overrides;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--connect" && i + 1 < args.size()) connect = args[++i];
    else if (args[i] == "--actors" && i + 1 < args.size()) actors = static_cast<int>(int_option("--actors", args[++i]));
    else if (file.empty() && args[i].rfind("--", 0) != 0) file = args[i];
    else if (args[i].find('=') != std::string::npos && args[i].rfind("--", 0) != 0) overrides.push_back(args[i]);
    else {
      std::cerr << "pavlov actor: unexpected argument '" << args[i] << "' (see --help)\n";
      return 2;
    }
  }
  if (file.empty() || connect.empty()) {
    std::cerr << "pavlov actor: needs an EXPERIMENT file and --connect HOST:PORT (see --help)\n";
    return 2;
  }
  std::pair<std::string, int> where;
  try {
    where = net::split_host_port(connect);
  } catch (const std::invalid_argument& e) {
    std::cerr << "pavlov actor: --connect " << e.what() << "\n";
    return 2;
  }
  // The actor's agent only makes policies: on the CPU, with a replay of one
  // transition (the learner keeps the real one).
  overrides.push_back("experiment.device=cpu");
  overrides.push_back("replay.capacity=1");
  const Config cfg = load_experiment(file, overrides);
  ActorPlan plan = actor_plan_from(cfg);
  if (actors > 0) plan.actors = actors;  // each still steps env.num_envs / runtime.actors envs
  plan.envs_per_actor = std::max(1, plan.envs_per_actor);
  plan.seed = derive_seed(plan.seed, static_cast<std::uint64_t>(std::random_device{}()));  // each process its own episodes
  setup_compute("cpu", static_cast<int>(cfg.get_int("experiment.threads")));
  VectorEnv probe(plan.env_id, {.num_envs = 1, .env_options = plan.env_options, .frame_stack = plan.frame_stack});
  const AgentContext ctx{cfg,       probe.observation_space(), probe.action_space(), plan.actors * plan.envs_per_actor,
                         "cpu",     plan.seed,                 cfg.get_int("train.total_steps")};
  const auto agent = make_agent(cfg.get_string("agent.algo"), ctx);
  std::signal(SIGINT, on_actor_signal);
  std::signal(SIGTERM, on_actor_signal);
  const net::RemoteActorOptions options{
      .host = where.first,
      .port = where.second,
      .token = net::resolve_token(cfg.get_string("runtime.token")),
      .max_payload = static_cast<std::uint32_t>(cfg.get_int("runtime.max_payload_mb") << 20),
      .heartbeat_timeout_s = cfg.get_float("runtime.heartbeat_timeout"),
      .stop = &g_actor_stop,
      .log = [](const std::string& line) { std::cerr << "pavlov actor: " << line << "\n"; }};
  try {
    const auto sent = net::run_remote_actors(*agent, plan, options);
    std::cerr << "pavlov actor: stopped after sending " << sent << " blocks\n";
    return g_actor_stop.load() ? 130 : 0;
  } catch (const net::Refused& e) {
    std::cerr << "pavlov actor: the learner refused this actor: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace pavlov::cli
