#include "engine/runtime/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iomanip>
#include <iostream>
#include <limits>
#include <sstream>
#include <unistd.h>

#include "engine/config/config_error.h"
#include "engine/config/experiment.h"
#include "engine/env/frame_stack.h"
#include "engine/env/registry.h"
#include "engine/env/vector_env.h"
#include "engine/io/binary.h"
#include "engine/io/checkpoint.h"
#include "engine/io/files.h"
#include "engine/io/metrics.h"
#include "engine/runtime/agent.h"
#include "engine/net/learner_server.h"
#include "engine/runtime/async_runner.h"
#include "engine/runtime/device.h"
#include "engine/runtime/run_dir.h"

namespace pavlov {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kReturnWindow = 100;  // episodes in the rolling return statistics (as SB3's ep_rew_mean)

}  // namespace

OptionMap env_options_from(const Config& cfg) {
  OptionMap m;
  for (const auto& [name, e] : cfg.table("env.options")) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (!std::is_same_v<T, std::vector<std::int64_t>> && !std::is_same_v<T, std::vector<std::string>>)
            m[name] = v;
        },
        e->value);
  }
  return m;
}

namespace {

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<std::int64_t>(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

}  // namespace

// [runtime] remote_envs when the learner listens for remote actors (0 when it
// does not), after checking that listen, mode, remote_envs and token agree.
int checked_remote_envs(const Config& c) {
  const std::string& listen = c.get_string("runtime.listen");
  if (listen.empty()) return 0;
  auto error = [&](const char* key, const std::string& what, const std::string& hint) {
    return ConfigError({c.entry(key).origin + ": error: " + key + ": " + what + "\n  hint: " + hint});
  };
  if (c.get_string("runtime.mode") != "async")
    throw error("runtime.listen", "remote actors need the async runtime", "set [runtime] mode = \"async\"");
  try {
    net::split_host_port(listen);
  } catch (const std::invalid_argument& e) {
    throw error("runtime.listen", e.what(), "write HOST:PORT, e.g. \"127.0.0.1:5555\"");
  }
  if (c.get_int("runtime.remote_envs") < 1)
    throw error("runtime.remote_envs", "is 0, so no remote actor would fit",
                "set it to the envs all remote actors step together (each process: env.num_envs / runtime.actors per actor thread)");
  if (net::resolve_token(c.get_string("runtime.token")).empty())
    throw error("runtime.token", "a listening learner needs a token, and neither [runtime] token nor PAVLOV_TOKEN is set",
                "export PAVLOV_TOKEN=<a secret> for the learner and every actor");
  return static_cast<int>(c.get_int("runtime.remote_envs"));
}

ActorPlan actor_plan_from(const Config& cfg) {
  const int actors = static_cast<int>(cfg.get_int("runtime.actors"));
  return {.env_id = cfg.get_string("env.id"),
          .env_options = env_options_from(cfg),
          .frame_stack = static_cast<int>(cfg.get_int("env.frame_stack")),
          .actors = actors,
          .envs_per_actor = static_cast<int>(cfg.get_int("env.num_envs")) / actors,
          .env_threads = static_cast<int>(std::max<std::int64_t>(1, cfg.get_int("env.threads") / actors)),
          .unroll = static_cast<int>(cfg.get_int("runtime.unroll")),
          .queue = static_cast<int>(cfg.get_int("runtime.queue")),
          .seed = static_cast<std::uint64_t>(cfg.get_int("experiment.seed"))};
}

struct Trainer::State {
  const Config& cfg;
  std::string device;
  bool async;
  int remote_envs;  // async with [runtime] listen: the columns kept for remote actors
  int num_envs;  // the agent's: every env of the run (sync: the VectorEnv's; async: the actors' together)
  std::uint64_t seed;
  std::int64_t total_steps;
  VectorEnv venv;
  std::unique_ptr<Agent> agent;

  // Counters that a checkpoint carries.
  std::int64_t env_steps = 0;
  std::int64_t episodes = 0;
  double wall_before = 0.0;  // seconds trained before this process (resume)
  std::deque<double> returns, lengths;
  EvalResult best{.mean = -std::numeric_limits<double>::infinity()};
  std::vector<double> last_train;  // metrics of the last update, NaN before the first

  std::vector<std::byte> obs, actions;

  explicit State(const Config& c)
      : cfg(c),
        device(setup_compute(c.get_string("experiment.device"), static_cast<int>(c.get_int("experiment.threads")))),
        async(c.get_string("runtime.mode") == "async"),
        remote_envs(checked_remote_envs(c)),
        num_envs(static_cast<int>(c.get_int("env.num_envs")) + remote_envs),
        seed(static_cast<std::uint64_t>(c.get_int("experiment.seed"))),
        total_steps(c.get_int("train.total_steps")),
        // Async: the actors own the envs (AsyncRunner); this one only tells the spaces.
        venv(c.get_string("env.id"), {.num_envs = async ? 1 : num_envs,  // sync: remote_envs is 0
                                      .threads = static_cast<int>(std::min<std::int64_t>(c.get_int("env.threads"), num_envs)),
                                      .autoreset = AutoresetMode::kSameStep,
                                      .seed = seed,
                                      .env_options = env_options_from(c),
                                      .frame_stack = static_cast<int>(c.get_int("env.frame_stack"))}) {
    AgentContext ctx{c, venv.observation_space(), venv.action_space(), num_envs, device, seed, total_steps};
    try {
      agent = make_agent(c.get_string("agent.algo"), ctx);
    } catch (const std::invalid_argument& e) {
      // The agent rejected this combination (its env's spaces, its network, its batch sizes):
      // a configuration error, reported where the agent is chosen.
      throw ConfigError({c.entry("agent.algo").origin + ": error: agent '" + c.get_string("agent.algo") +
                         "' cannot train " + c.get_string("env.id") + " as configured: " + e.what() +
                         "\n  hint: docs/agents.md lists what each agent supports"});
    }
    last_train.assign(agent->metric_names().size(), kNaN);
    const Space& os = venv.observation_space();
    const Space& as = venv.action_space();
    obs.resize(venv.num_envs() * os.numel() * dtype_size(os.dtype()));
    actions.resize(venv.num_envs() * as.numel() * dtype_size(as.dtype()));
    if (async) {
      const auto actors = c.get_int("runtime.actors");
      if ((num_envs - remote_envs) % actors != 0)
        throw ConfigError({c.entry("runtime.actors").origin + ": error: runtime.actors = " + std::to_string(actors) +
                           " does not divide env.num_envs = " + std::to_string(num_envs) +
                           "\n  hint: each actor steps num_envs / actors envs; make num_envs a multiple of actors"});
      if (!agent->make_policy(0, 1, 1, 0))
        throw ConfigError({c.entry("runtime.mode").origin + ": error: runtime.mode = \"async\", but agent '" +
                           c.get_string("agent.algo") + "' trains only synchronously\n  hint: set [runtime] mode = \"sync\"; docs/async.md lists "
                           "the agents with actors"});
    }
  }


  ConstArrayView obs_view() const {
    const Space& os = venv.observation_space();
    return ConstArrayView(obs.data(), os.dtype(), venv.num_envs() * os.numel());
  }
  ArrayView actions_view() {
    const Space& as = venv.action_space();
    return ArrayView(actions.data(), as.dtype(), venv.num_envs() * as.numel());
  }

  io::CheckpointSections checkpoint(double wall) const {
    std::ostringstream t, e, a;
    io::write_pod(t, env_steps);
    io::write_pod(t, episodes);
    io::write_pod(t, wall);
    io::write_vector(t, std::vector<double>(returns.begin(), returns.end()));
    io::write_vector(t, std::vector<double>(lengths.begin(), lengths.end()));
    io::write_vector(t, last_train);
    io::write_vector(t, obs);
    io::write_pod(t, best);
    venv.save(e);
    agent->save(a);
    return {{"trainer", t.str()}, {"envs", e.str()}, {"agent", a.str()}};
  }

  void restore(const io::CheckpointSections& sections) {
    auto section = [&](const char* name) -> const std::string& {
      auto it = sections.find(name);
      if (it == sections.end()) throw std::runtime_error(std::string("the checkpoint has no '") + name + "' section");
      return it->second;
    };
    std::istringstream t(section("trainer")), e(section("envs")), a(section("agent"));
    env_steps = io::read_pod<std::int64_t>(t);
    episodes = io::read_pod<std::int64_t>(t);
    wall_before = io::read_pod<double>(t);
    const auto r = io::read_vector<double>(t), l = io::read_vector<double>(t);
    returns.assign(r.begin(), r.end());
    lengths.assign(l.begin(), l.end());
    last_train = io::read_vector<double>(t);
    const auto o = io::read_vector<std::byte>(t);
    if (o.size() != obs.size()) throw std::runtime_error("the checkpoint was written for other observation shapes");
    obs = o;
    best = io::read_pod<EvalResult>(t);
    venv.load(e);
    agent->load(a);
  }
};

namespace {
// The Trainer is reinforcement learning's; a supervised task's run folder has no agent to load.
const Config& rl_config(const Config& cfg) {
  if (cfg.get_string("task.kind") != "rl")
    throw ConfigError({cfg.source() + ": error: this experiment is a " + cfg.get_string("task.kind") +
                       " task, not an agent learning an env\n  hint: `pavlov run` and `pavlov resume` train it; its "
                       "results are in the run folder's eval.json, metrics.csv and confusion.csv"});
  return cfg;
}
}  // namespace

Trainer::Trainer(const Config& cfg) : s_(std::make_unique<State>(rl_config(cfg))) {}
Trainer::~Trainer() = default;

std::filesystem::path Trainer::create_run_dir() const { return pavlov::create_run_dir(s_->cfg); }

const std::string& Trainer::device() const { return s_->device; }

void Trainer::load_checkpoint(const std::filesystem::path& file) { s_->restore(io::read_checkpoint(file)); }

Agent& Trainer::agent() { return *s_->agent; }

std::unique_ptr<Env> Trainer::make_env() const {
  return stack_frames(pavlov::make_env(s_->cfg.get_string("env.id"), env_options_from(s_->cfg)),
                      static_cast<int>(s_->cfg.get_int("env.frame_stack")));
}

EvalResult Trainer::evaluate(int episodes, std::uint64_t seed) {
  auto env = make_env();
  const Space& os = env->observation_space();
  const Space& as = env->action_space();
  std::vector<std::byte> obs(os.numel() * dtype_size(os.dtype())), act(as.numel() * dtype_size(as.dtype()));
  const ArrayView ov(obs.data(), os.dtype(), os.numel());
  const ArrayView av(act.data(), as.dtype(), as.numel());
  std::vector<double> rets;
  int successes = 0;
  for (int k = 0; k < episodes; ++k) {
    env->reset(ov, derive_seed(seed, static_cast<std::uint64_t>(k)));
    s_->agent->start_greedy_episode();
    double ret = 0.0;
    for (;;) {
      s_->agent->act(ov, 1, av, /*explore=*/false);
      const StepResult r = env->step(av, ov);
      ret += r.reward;
      if (r.terminated || r.truncated) {
        successes += r.info.is_success;
        break;
      }
    }
    rets.push_back(ret);
  }
  EvalResult out;
  out.episodes = episodes;
  out.seed = seed;
  out.step = s_->env_steps;
  if (env->reports_success()) out.success_rate = static_cast<double>(successes) / episodes;
  double sum = 0, sq = 0;
  out.min = *std::min_element(rets.begin(), rets.end());
  out.max = *std::max_element(rets.begin(), rets.end());
  for (double r : rets) sum += r;
  out.mean = sum / episodes;
  for (double r : rets) sq += (r - out.mean) * (r - out.mean);
  out.std = std::sqrt(sq / episodes);
  return out;
}

void write_eval_json(const std::filesystem::path& path, const EvalResult& r, const EvalResult& best) {
  auto object = [](const EvalResult& e, const std::string& indent) {
    std::ostringstream os;
    os.precision(10);
    os << "{\n" << indent << "  \"step\": " << e.step << ",\n" << indent << "  \"episodes\": " << e.episodes << ",\n"
       << indent << "  \"seed\": " << e.seed << ",\n" << indent << "  \"mean\": " << e.mean << ",\n" << indent
       << "  \"std\": " << e.std << ",\n" << indent << "  \"min\": " << e.min << ",\n" << indent << "  \"max\": " << e.max;
    if (e.success_rate >= 0) os << ",\n" << indent << "  \"success_rate\": " << e.success_rate;
    os << "\n" << indent << "}";
    return os.str();
  };
  std::ostringstream os;
  os << "{\n  \"final\": " << object(r, "  ") << ",\n  \"best\": " << object(best, "  ") << ",\n  \"time\": \""
     << io::utc_iso8601() << "\"\n}\n";
  io::write_file_atomic(path, os.str());
}

bool Trainer::run(const std::filesystem::path& run_dir, const TrainOptions& options) {
  State& s = *s_;
  const Config& cfg = s.cfg;
  const std::int64_t log_every = cfg.get_int("train.log_every");
  const std::int64_t eval_every = cfg.get_int("train.eval_every");
  const std::int64_t ckpt_every = cfg.get_int("train.checkpoint_every");
  const int eval_episodes = static_cast<int>(cfg.get_int("train.eval_episodes"));
  const std::uint64_t eval_seed = derive_seed(s.seed, 0xE7A1);

  std::int64_t kept_step = -1;
  if (options.resume) {
    auto latest = io::latest_checkpoint(run_dir);
    if (latest) {
      s.restore(io::read_checkpoint(*latest));
      kept_step = s.env_steps;
    } else {
      kept_step = -1;  // nothing saved yet: start over in the same folder
    }
  }
  const std::size_t obs_bytes = s.obs.size();
  if (kept_step < 0) {
    const Batch& b = s.venv.reset(s.seed);
    std::memcpy(s.obs.data(), b.obs.data, obs_bytes);
  }

  std::vector<std::string> columns = {"step", "wall_time", "sps", "episodes", "return_mean", "return_min", "return_max",
                                      "length_mean"};
  const auto names = s.agent->metric_names();
  columns.insert(columns.end(), names.begin(), names.end());
  if (s.async) columns.push_back("policy_lag");  // learner versions between a block's weights and its learning
  if (s.remote_envs > 0) columns.push_back("remote_steps");  // env steps learned from remote actors, all so far
  columns.push_back("eval_return");
  io::MetricsLog log(run_dir, columns, kept_step);

  const bool tty = ::isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  auto wall = [&] { return s.wall_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  std::int64_t steps_at_start = s.env_steps;
  double last_eval = kNaN;
  double lag_sum = 0.0;
  std::int64_t lag_blocks = 0, remote_steps = 0;

  auto write_row = [&] {
    std::vector<double> v = {static_cast<double>(s.env_steps), wall(),
                             (s.env_steps - steps_at_start) / std::max(1e-9, wall() - s.wall_before),
                             static_cast<double>(s.episodes)};
    if (s.returns.empty()) {
      v.insert(v.end(), {kNaN, kNaN, kNaN, kNaN});
    } else {
      double sum = 0, len = 0;
      for (double r : s.returns) sum += r;
      for (double l : s.lengths) len += l;
      v.push_back(sum / s.returns.size());
      v.push_back(*std::min_element(s.returns.begin(), s.returns.end()));
      v.push_back(*std::max_element(s.returns.begin(), s.returns.end()));
      v.push_back(len / s.lengths.size());
    }
    std::vector<double> agent_values = s.last_train;
    for (const Metric& m : s.agent->status())
      for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == m.name) agent_values[i] = m.value;
    v.insert(v.end(), agent_values.begin(), agent_values.end());
    const double lag = lag_blocks ? lag_sum / lag_blocks : kNaN;
    if (s.async) v.push_back(lag);
    lag_sum = 0.0;
    lag_blocks = 0;
    if (s.remote_envs > 0) v.push_back(static_cast<double>(remote_steps));
    v.push_back(last_eval);
    log.row(v);
    std::ostringstream line;
    line.precision(4);
    const double sps = v[2];
    line << "step " << s.env_steps << "/" << s.total_steps << " (" << std::fixed << std::setprecision(0)
         << 100.0 * s.env_steps / s.total_steps << "%)  SPS " << sps << "  ETA "
         << clock_text((s.total_steps - s.env_steps) / std::max(1.0, sps)) << std::defaultfloat << std::setprecision(4);
    if (!s.returns.empty()) line << "  return " << v[4] << " (last " << s.returns.size() << ")";
    for (std::size_t i = 0; i < names.size(); ++i)
      if (!std::isnan(agent_values[i])) line << "  " << names[i] << " " << agent_values[i];
    if (!std::isnan(lag)) line << "  policy_lag " << lag;
    if (s.remote_envs > 0) line << "  remote_steps " << remote_steps;
    if (tty) std::cerr << "\r\033[K" << line.str() << std::flush;
    else std::cerr << line.str() << "\n";
  };
  auto checkpoint = [&] { io::save_run_checkpoint(run_dir, s.env_steps, s.checkpoint(wall())); };

  // One vector step's experience, from the run's VectorEnv (sync) or an
  // actor's block (async, columns from first_env on): the agent observes and
  // trains; then (after_step) the periodic evaluation, metrics row and checkpoint.
  std::int64_t before = 0;
  bool updated = false;  // the agent trained since the actors' weights were last published
  auto learn_from = [&](int first_env, ConstArrayView obs, ConstArrayView actions, const Batch& b,
                        std::span<const float> behaviour) {
    if (s.async) s.agent->observe_columns(first_env, obs, actions, b, behaviour);
    else s.agent->observe(obs, actions, b);
    before = s.env_steps;
    s.env_steps += b.size;
    for (std::int64_t e = 0; e < b.size; ++e) {
      if (!(b.terminated[e] || b.truncated[e])) continue;
      ++s.episodes;
      s.returns.push_back(b.episode_return[e]);
      s.lengths.push_back(b.episode_length[e]);
      if (s.returns.size() > kReturnWindow) {
        s.returns.pop_front();
        s.lengths.pop_front();
      }
    }
    const auto m = s.agent->train(s.env_steps);
    updated = updated || !m.empty();
    for (const Metric& x : m)
      for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == x.name) s.last_train[i] = x.value;
  };
  auto after_step = [&] {
    for (TrainingObserver* o : options.observers) o->after_step(*s.agent, s.env_steps, run_dir);

    const auto crossed = [&](std::int64_t every) { return every > 0 && s.env_steps / every > before / every; };
    if (crossed(eval_every) && s.env_steps < s.total_steps) {
      const EvalResult e = evaluate(eval_episodes, eval_seed);
      last_eval = e.mean;
      if (e.mean > s.best.mean) {  // the agent is saved by a checkpoint of the whole run, for resume and eval
        s.best = e;
        io::write_checkpoint(run_dir / "checkpoints" / "best.ckpt", s.checkpoint(wall()));
      }
    }
    if (crossed(log_every) && s.env_steps < s.total_steps) {  // the final row comes with the final evaluation
      write_row();
      last_eval = kNaN;
    }
    if (crossed(ckpt_every) && s.env_steps < s.total_steps) checkpoint();
  };
  auto interrupted = [&] {
    checkpoint();
    if (tty) std::cerr << "\n";
    return false;
  };

  if (!s.async) {
    while (s.env_steps < s.total_steps) {
      if (options.stop && options.stop->load()) return interrupted();
      s.agent->act(s.obs_view(), s.num_envs, s.actions_view(), /*explore=*/true);
      const Batch& b = s.venv.step(ConstArrayView(s.actions_view()));
      learn_from(0, s.obs_view(), ConstArrayView(s.actions_view()), b, {});
      std::memcpy(s.obs.data(), b.obs.data, obs_bytes);
      after_step();
    }
  } else {
    AsyncRunner runner(*s.agent, actor_plan_from(cfg));
    runner.start(s.env_steps);
    std::unique_ptr<net::LearnerServer> server;
    if (s.remote_envs > 0) {
      const Space& os = s.venv.observation_space();
      const Space& as = s.venv.action_space();
      server = std::make_unique<net::LearnerServer>(
          net::ServerOptions{.listen = cfg.get_string("runtime.listen"),
                             .token = net::resolve_token(cfg.get_string("runtime.token")),
                             .max_payload = static_cast<std::uint32_t>(cfg.get_int("runtime.max_payload_mb") << 20),
                             .heartbeat_timeout_s = cfg.get_float("runtime.heartbeat_timeout"),
                             .first_column = runner.local_envs(),
                             .columns = s.remote_envs,
                             .env_id = cfg.get_string("env.id"),
                             .observation_space = os,
                             .action_space = as,
                             .unroll = static_cast<int>(cfg.get_int("runtime.unroll")),
                             .behaviour_numbers = s.agent->behaviour_numbers()},
          runner, [tty](const std::string& line) { std::cerr << (tty ? "\r\033[K" : "") << line << "\n"; });
      std::cerr << "listening for remote actors on " << net::split_host_port(cfg.get_string("runtime.listen")).first << ":"
                << server->port() << "\n";
    }
    while (s.env_steps < s.total_steps) {
      if (options.stop && options.stop->load()) {
        server.reset();
        runner.stop();
        return interrupted();
      }
      std::optional<Experience> block = runner.next();
      if (!block) {  // an actor failed: keep what was learned, then report its error
        server.reset();
        runner.stop();
        checkpoint();
        if (tty) std::cerr << "\n";
        runner.rethrow_if_failed();
        throw std::logic_error("the actors stopped without an error");
      }
      if (block->steps == 0) {  // a remote actor left its columns
        s.agent->release_columns(block->first_env, block->num_envs);
        runner.recycle(std::move(*block));
        continue;
      }
      if (block->first_env >= runner.local_envs()) remote_steps += static_cast<std::int64_t>(block->steps) * block->num_envs;
      lag_sum += static_cast<double>(runner.version() - block->policy_version);
      ++lag_blocks;
      for (int t = 0; t < block->steps && s.env_steps < s.total_steps; ++t) {
        learn_from(block->first_env, block->obs_at(t), block->actions_at(t), block->step(t), block->behaviour_at(t));
        after_step();
      }
      runner.recycle(std::move(*block));
      if (updated) runner.publish(s.env_steps);  // versions count updates: the lag is in learner updates
      updated = false;
    }
    server.reset();
    runner.stop();
  }
  const EvalResult r = evaluate(eval_episodes, eval_seed);
  last_eval = r.mean;
  write_row();
  if (tty) std::cerr << "\n";
  checkpoint();
  if (r.mean > s.best.mean) {
    s.best = r;
    io::write_checkpoint(run_dir / "checkpoints" / "best.ckpt", s.checkpoint(wall()));
  }
  write_eval_json(run_dir / "eval.json", r, s.best);
  return true;
}

}  // namespace pavlov
