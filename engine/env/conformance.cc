#include "engine/env/conformance.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "engine/env/env_error.h"
#include "engine/env/registry.h"
#include "engine/env/vector_env.h"

namespace pavlov {
namespace {

// An observation or action buffer of a space, bytes underneath.
struct Buffer {
  explicit Buffer(const Space& s) : dtype(s.dtype()), numel(s.numel()), bytes(s.numel() * dtype_size(s.dtype())) {}
  ArrayView view() { return ArrayView(bytes.data(), dtype, numel); }
  bool operator==(const Buffer& o) const { return bytes == o.bytes; }
  DType dtype;
  std::int64_t numel;
  std::vector<std::byte> bytes;
};

struct Recorder {
  std::string id;
  std::vector<std::string> failures;
  void fail(const std::string& what) { failures.push_back(id + ": " + what); }
  // True when `fn` throws EnvError.
  bool throws_env_error(const std::function<void()>& fn) {
    try {
      fn();
    } catch (const EnvError&) {
      return true;
    } catch (const std::exception& e) {
      fail(std::string("threw a non-EnvError exception: ") + e.what());
      return true;
    }
    return false;
  }
};

struct Trace {
  std::vector<std::byte> obs;
  std::vector<double> rewards;
  std::vector<int> flags;
  bool operator==(const Trace&) const = default;
};

// Plays random episodes; checks spaces, finiteness and the end-of-episode contract.
Trace random_play(Recorder& rec, Env& env, std::uint64_t seed, int episodes, std::int64_t max_steps) {
  Trace trace;
  Buffer obs(env.observation_space()), act(env.action_space());
  Rng action_rng(seed ^ 0x5EEDull);
  std::int64_t steps = 0;
  for (int ep = 0; ep < episodes && steps < max_steps; ++ep) {
    env.reset(obs.view(), ep == 0 ? std::optional(seed) : std::nullopt);
    if (!env.observation_space().contains(obs.view())) rec.fail("reset() wrote an observation outside the observation space");
    trace.obs.insert(trace.obs.end(), obs.bytes.begin(), obs.bytes.end());
    for (std::int64_t t = 0; steps < max_steps; ++t, ++steps) {
      env.action_space().sample(action_rng, act.view());
      const StepResult r = env.step(act.view(), obs.view());
      trace.obs.insert(trace.obs.end(), obs.bytes.begin(), obs.bytes.end());
      trace.rewards.push_back(r.reward);
      trace.flags.push_back(r.terminated * 2 + r.truncated);
      if (!std::isfinite(r.reward)) rec.fail("step() returned a non-finite reward");
      if (!env.observation_space().contains(obs.view()))
        rec.fail("step() wrote an observation outside the observation space " + env.observation_space().to_string());
      if (r.info.elapsed_steps != t + 1) rec.fail("info.elapsed_steps does not count the steps of the episode");
      const std::int64_t limit = env.max_episode_steps();
      if (limit > 0 && r.truncated != (t + 1 == limit))
        rec.fail("truncated must be set exactly on step max_episode_steps = " + std::to_string(limit));
      if (r.terminated || r.truncated) {
        if (env.running()) rec.fail("running() is still true after the episode ended");
        if (!rec.throws_env_error([&] { env.step(act.view(), obs.view()); }))
          rec.fail("step() after the episode ended did not throw EnvError");
        break;
      }
    }
  }
  return trace;
}

void check_errors(Recorder& rec, const std::string& id) {
  auto env = make_env(id);
  Buffer obs(env->observation_space()), act(env->action_space());
  Rng rng(3);
  env->action_space().sample(rng, act.view());
  if (!rec.throws_env_error([&] { env->step(act.view(), obs.view()); }))
    rec.fail("step() before reset() did not throw EnvError");
  env->reset(obs.view(), 3);
  const Space& as = env->action_space();
  if (as.kind() == Space::Kind::kDiscrete) {
    for (std::int64_t bad : {as.start() + as.n(), as.start() - 1}) {
      if (!rec.throws_env_error([&] { env->step(ConstArrayView(&bad, DType::kInt64, 1), obs.view()); }))
        rec.fail("the discrete action " + std::to_string(bad) + " outside " + as.to_string() + " did not throw EnvError");
    }
  } else if (as.kind() == Space::Kind::kBox && as.dtype() == DType::kFloat32) {
    std::vector<float> nan(as.numel(), 0.0f);
    nan[0] = std::numeric_limits<float>::quiet_NaN();
    if (!rec.throws_env_error([&] { env->step(ConstArrayView(std::span<const float>(nan)), obs.view()); }))
      rec.fail("a NaN continuous action did not throw EnvError");
  }
  std::vector<std::byte> wrong((act.numel + 1) * dtype_size(act.dtype));
  if (!rec.throws_env_error([&] { env->step(ConstArrayView(wrong.data(), act.dtype, act.numel + 1), obs.view()); }))
    rec.fail("an action buffer of the wrong size did not throw EnvError");
  if (!rec.throws_env_error([&] { env->step(act.view(), ArrayView(obs.bytes.data(), obs.dtype, obs.numel - 1)); }))
    rec.fail("an observation buffer of the wrong size did not throw EnvError");
  // The env is still usable after rejected calls.
  env->step(act.view(), obs.view());
}

void check_time_limit(Recorder& rec, const std::string& id, std::uint64_t seed) {
  auto env = make_env(id);
  env->set_max_episode_steps(3);
  Buffer obs(env->observation_space()), act(env->action_space());
  Rng rng(seed);
  for (int ep = 0; ep < 3; ++ep) {
    env->reset(obs.view(), seed + ep);
    for (int t = 1;; ++t) {
      env->action_space().sample(rng, act.view());
      const StepResult r = env->step(act.view(), obs.view());
      if (r.truncated != (t == 3)) rec.fail("with max_episode_steps = 3, truncated was not set on step 3 exactly");
      if (r.terminated || r.truncated || t >= 3) break;
    }
  }
}

void check_state(Recorder& rec, const std::string& id, std::uint64_t seed) {
  auto env = make_env(id);
  Buffer obs(env->observation_space()), again(env->observation_space()), act(env->action_space());
  env->reset(obs.view(), seed);
  std::vector<double> state;
  try {
    state = env->state();
  } catch (const EnvError&) {
    return;  // optional: the env does not expose its state
  }
  env->set_state(state, again.view());
  if (!(obs == again)) rec.fail("set_state(state()) wrote a different observation than reset()");
  if (env->state() != state) rec.fail("state() after set_state(s) differs from s");
  Rng rng(seed);
  env->action_space().sample(rng, act.view());
  env->step(act.view(), obs.view());
}

void check_vector(Recorder& rec, const std::string& id, std::uint64_t seed) {
  for (AutoresetMode mode : {AutoresetMode::kNextStep, AutoresetMode::kSameStep, AutoresetMode::kDisabled}) {
    VectorEnv venv(id, {.num_envs = 3, .threads = 2, .autoreset = mode, .seed = seed});
    Buffer one(venv.action_space());
    std::vector<std::byte> actions(one.bytes.size() * 3);
    Rng rng(seed);
    venv.reset();
    std::vector<std::uint8_t> done(3, 0);
    for (int t = 0; t < 300; ++t) {
      for (int i = 0; i < 3; ++i) {
        venv.action_space().sample(rng, one.view());
        std::memcpy(actions.data() + i * one.bytes.size(), one.bytes.data(), one.bytes.size());
      }
      const Batch& b = venv.step(ConstArrayView(actions.data(), one.dtype, one.numel * 3));
      for (int i = 0; i < 3; ++i) {
        const ArrayView row = b.obs.slice(i * venv.observation_space().numel(), venv.observation_space().numel());
        if (!venv.observation_space().contains(row)) rec.fail("VectorEnv wrote an observation outside the space");
        done[i] = b.terminated[i] || b.truncated[i];
      }
      if (mode == AutoresetMode::kDisabled && (done[0] || done[1] || done[2])) venv.reset(std::nullopt, done);
    }
  }
}

}  // namespace

std::vector<std::string> check_env_conformance(std::string_view id_view, const ConformanceOptions& options) {
  const std::string id(id_view);
  Recorder rec{id, {}};
  try {
    auto a = make_env(id), b = make_env(id), c = make_env(id);
    if (a->id() != id) rec.fail("make_env did not set the env's id");
    const Trace ta = random_play(rec, *a, options.seed, options.episodes, options.max_steps);
    const Trace tb = random_play(rec, *b, options.seed, options.episodes, options.max_steps);
    if (!(ta == tb)) rec.fail("two runs with the same seed and actions differ");
    const Trace tc = random_play(rec, *c, options.seed + 1, options.episodes, options.max_steps);
    if (ta == tc) rec.fail("runs with different seeds gave the same trajectory");
    check_errors(rec, id);
    check_time_limit(rec, id, options.seed);
    check_state(rec, id, options.seed);
    check_vector(rec, id, options.seed);
  } catch (const std::exception& e) {
    rec.fail(std::string("unexpected exception: ") + e.what());
  }
  return rec.failures;
}

}  // namespace pavlov
