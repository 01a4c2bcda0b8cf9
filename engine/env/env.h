// pavlov::Env: one environment, with Gymnasium's semantics in C++.
//
//   auto env = pavlov::make_env("CartPole-v1");          // registry.h
//   std::vector<float> obs(env->observation_space().numel());
//   env->reset(obs, /*seed=*/42);
//   auto r = env->step(std::int64_t{1}, obs);            // r.reward, r.terminated, r.truncated
//
// Contract:
// - Observations are written into a buffer the caller owns: numel() elements of
//   the observation space's dtype. Nothing is allocated by reset or step.
// - reset(seed) reseeds the env's generator; reset() without a seed continues
//   the current stream (an env never seeded is seeded from std::random_device).
// - step() returns the reward (float64, as Gymnasium), `terminated` (a terminal
//   state of the MDP: do not bootstrap) and `truncated` (the episode was cut by
//   the time limit: bootstrap from the observation written). The time limit of
//   a registered id behaves as Gymnasium's TimeLimit wrapper: the step that
//   makes the elapsed count reach max_episode_steps returns truncated = true
//   (together with terminated when both hold).
// - Errors are EnvError, never undefined behaviour: an action outside the action
//   space (discrete), a NaN or infinite continuous action, a buffer of the wrong
//   size or dtype, step() before reset() or after the episode ended.
//   Continuous actions outside the Box are accepted and clipped by the env, as
//   Gymnasium's environments do.
//
// Writing an environment: derive from Env, pass the two spaces to the
// constructor, implement reset_impl and step_impl (and, to support tests and
// checkpoints, the state methods). The base class does every check, the
// counting and the time limit, so the impl only computes dynamics.
#pragma once

#include <cmath>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/env/array_view.h"
#include "engine/env/rng.h"
#include "engine/env/space.h"

namespace pavlov {

class Canvas;
class Env;

// What the env itself reports from one step (the impl's return value).
struct Transition {
  double reward = 0.0;
  bool terminated = false;
  bool success = false;  // the task counts this state as solved (envs with reports_success())
};

// Small, fixed per-step information (Gymnasium's info dict, without strings).
struct StepInfo {
  std::int64_t elapsed_steps = 0;  // steps taken in this episode, this one included
  bool is_success = false;         // SB3's info["is_success"]: read at an episode's last step
};

struct StepResult {
  double reward = 0.0;
  bool terminated = false;
  bool truncated = false;
  StepInfo info;
};

// One env's part of a batched step (Env::step_many).
struct StepJob {
  Env* env = nullptr;
  ConstArrayView action;
  ArrayView obs;
  Transition transition;  // filled by step_many_impl
};

class Env {
 public:
  virtual ~Env() = default;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  const Space& observation_space() const { return *observation_space_; }
  const Space& action_space() const { return *action_space_; }

  // The registered id ("CartPole-v1"); the class name for an env built directly.
  const std::string& id() const { return id_; }
  // The time limit in steps; 0 means none (an env built directly, like
  // Gymnasium's unwrapped env, has none until this is set).
  std::int64_t max_episode_steps() const { return max_episode_steps_; }
  void set_max_episode_steps(std::int64_t steps);
  // True for tasks with a notion of success (StepInfo::is_success), e.g. a
  // reacher within reach of its target; evaluations then report a success rate.
  virtual bool reports_success() const { return false; }
  // Draws the current state on `canvas` (engine/render/canvas.h): the frame
  // size, the camera and the shapes; returns false if the env cannot draw
  // itself. Pixel observations, windows and recordings all come from it.
  virtual bool render(Canvas& canvas) const;
  // Steps per second of real time (Gymnasium's metadata["render_fps"]): the
  // speed at which a viewer plays the env.
  virtual double render_fps() const { return 50.0; }
  // Steps taken since the last reset.
  std::int64_t elapsed_steps() const { return elapsed_; }
  // True between a reset and the step that ends the episode.
  bool running() const { return running_; }

  // Starts an episode and writes its first observation.
  void reset(ArrayView obs, std::optional<std::uint64_t> seed = std::nullopt);
  void reset(std::span<float> obs, std::optional<std::uint64_t> seed = std::nullopt) { reset(ArrayView(obs), seed); }
  // Advances one step; writes the next observation.
  StepResult step(ConstArrayView action, ArrayView obs);
  // Conveniences for the common cases.
  StepResult step(std::int64_t action, std::span<float> obs) {
    return step(ConstArrayView(&action, DType::kInt64, 1), obs);
  }
  StepResult step(std::span<const float> action, std::span<float> obs) { return step(ConstArrayView(action), obs); }

  // Steps several envs of one class at once, each exactly as step() would
  // (same checks, same results), writing results[i] for jobs[i]. Envs whose
  // dynamics are latency-bound interleave the batch (see step_many_impl);
  // VectorEnv steps its envs through step_many_impl, having checked the
  // actions itself. If a check throws, no env was stepped.
  static void step_many(std::span<StepJob> jobs, StepResult* results);

  // The env's internal physical state as float64 values (Gymnasium's
  // `env.unwrapped.state`), and a way to put the env into a given state during
  // an episode; set_state writes the observation of that state. Envs that do
  // not support it throw EnvError. The step counter is not changed.
  virtual std::vector<double> state() const;
  void set_state(std::span<const double> state, ArrayView obs);
  void set_state(std::span<const double> state, std::span<float> obs) { set_state(state, ArrayView(obs)); }

  // The generator behind reset distributions, e.g. to save it with a checkpoint.
  Rng& rng() { return rng_; }

  // Saves and restores everything that decides the env's future: its state
  // (state()), generator, step counter and episode flags. `obs` receives the
  // observation of the restored state. Needs state() support.
  void save(std::ostream& out) const;
  void load(std::istream& in, ArrayView obs);

 protected:
  Env(Space observation_space, Space action_space, std::string default_id);

  // Draws an initial state from rng() and writes its observation.
  virtual void reset_impl(ArrayView obs) = 0;
  // Advances the dynamics; the action has been checked against the action space
  // (continuous actions may lie outside the Box and are the impl's to clip).
  virtual Transition step_impl(ConstArrayView action, ArrayView obs) = 0;
  // Steps every job (all envs of this env's class; actions checked), setting
  // job.transition. The default calls step_impl for each; an env overrides it
  // to overlap the dependency chains of several envs.
  virtual void step_many_impl(std::span<StepJob> jobs);
  virtual void set_state_impl(std::span<const double> state, ArrayView obs);

 private:
  friend class EnvRegistry;
  friend class VectorEnv;  // checks a batch's actions at once, then step_many_impl and finish_step

  // Whether step() takes `action` (of the space's size and dtype): discrete
  // actions in the space, continuous ones finite (the env clips them).
  static bool acceptable_action(const Space& space, const ConstArrayView& action) {
    if (space.is_discrete()) {
      const std::int64_t a = action.as<std::int64_t>()[0];
      return a >= space.start() && a < space.start() + space.n();
    }
    if (space.is_box()) {
      for (std::int64_t i = 0; i < action.size; ++i)
        if (!std::isfinite(action.as<float>()[i])) return false;
      return true;
    }
    return space.contains(action);
  }
  void check_running() const {
    if (!running_) [[unlikely]] throw_not_running();
  }
  [[noreturn]] void throw_not_running() const;

  void check_obs(ArrayView obs) const;
  void check_step(ConstArrayView action, ArrayView obs) const;
  // The counting and the time limit after step_impl: Gymnasium's TimeLimit.
  // Inline, as VectorEnv calls it for every env it steps.
  StepResult finish_step(const Transition& t) {
    ++elapsed_;
    StepResult r{t.reward, t.terminated, max_episode_steps_ > 0 && elapsed_ >= max_episode_steps_, {elapsed_, t.success}};
    if (r.terminated || r.truncated) {
      running_ = false;
      ended_ = true;
    }
    return r;
  }
  [[noreturn]] void throw_bad_action(ConstArrayView action) const;

  // Layout: what every step reads comes first, next to the vtable pointer, and
  // the spaces live out of line, so that a derived env's state lies within a
  // few cache lines of the object's start (a VectorEnv of 1024 CartPoles
  // touches each env's memory once per step).
  std::int64_t max_episode_steps_ = 0;
  std::int64_t elapsed_ = 0;
  bool running_ = false;
  bool seeded_ = false;
  bool ended_ = false;  // the last step ended an episode and no reset followed
  std::unique_ptr<const Space> observation_space_;
  std::unique_ptr<const Space> action_space_;
  std::string id_;
  Rng rng_;
};

}  // namespace pavlov
