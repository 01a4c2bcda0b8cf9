// The one training loop of pavlov: every run, fresh or resumed, goes through it.
//
// Synchronous: per vector step the agent acts on the current observations,
// the VectorEnv steps (same-step autoreset, so `final_obs` holds the last
// observation of each finished episode), the agent observes and trains.
// With a fixed seed the run is deterministic, and a run resumed from a
// checkpoint continues exactly as if it had never stopped.
//
// The run folder holds config.toml (resolved), metrics.csv and TensorBoard
// events, checkpoints/ and, at the end, eval.json. Every train.eval_every
// env steps the greedy policy is evaluated; the best evaluation so far is
// kept as checkpoints/best.ckpt (Stable-Baselines3's EvalCallback keeps its
// best model the same way), since DQN's final policy can be worse than its best.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/env/options.h"

namespace pavlov {

class Agent;
class Config;
class Env;

struct EvalResult {
  double mean = 0.0, std = 0.0, min = 0.0, max = 0.0;
  int episodes = 0;
  std::uint64_t seed = 0;
  std::int64_t step = 0;  // env steps trained when evaluated
  double success_rate = -1.0;  // episodes ending in success (Env::reports_success), -1: the env has none
};

// Watches training from the training thread after every vector step: the
// live view, the periodic episode videos (engine/render/). It may act with
// the agent greedily (Agent::act without explore, Agent::insight), which
// leaves the run's results unchanged; it must not train it.
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void after_step(Agent& agent, std::int64_t env_steps, const std::filesystem::path& run_dir) = 0;
};

struct TrainOptions {
  bool resume = false;                        // continue from the run's latest checkpoint
  const std::atomic<bool>* stop = nullptr;    // set (e.g. by Ctrl-C) to checkpoint and return early
  std::vector<TrainingObserver*> observers;   // called after every vector step
};

// Builds the envs and the agent of `cfg` (errors surface here, before the
// run folder exists when `run_dir` is empty), creates the run folder if
// needed, trains, evaluates. Returns the final evaluation; `stopped` tells
// whether the run was interrupted (checkpointed, not finished).
class Trainer {
 public:
  explicit Trainer(const Config& cfg);
  ~Trainer();

  // Creates <out_dir>/<name>-<UTC time>/ with config.toml and returns it.
  std::filesystem::path create_run_dir() const;
  // Trains in `run_dir`. Returns true when the run finished, false when stopped.
  bool run(const std::filesystem::path& run_dir, const TrainOptions& options);
  // Greedy evaluation of the current agent over `episodes` episodes.
  EvalResult evaluate(int episodes, std::uint64_t seed);
  // "cpu" or "cuda": where the networks run.
  const std::string& device() const;
  // The agent (for viewers: act and insight on single observations).
  Agent& agent();
  // A new env of the experiment (its id and options), not part of training.
  std::unique_ptr<Env> make_env() const;
  // Loads the agent of a checkpoint file (for `pavlov eval`).
  void load_checkpoint(const std::filesystem::path& file);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// The keyword options of cfg's [env.options] table, as envs take them.
OptionMap env_options_from(const Config& cfg);

// Writes eval.json: the final evaluation and the best periodic one
// (train.eval_every), whose agent is kept in checkpoints/best.ckpt.
void write_eval_json(const std::filesystem::path& path, const EvalResult& final_eval, const EvalResult& best);

}  // namespace pavlov
