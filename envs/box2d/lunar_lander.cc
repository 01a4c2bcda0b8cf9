#include "envs/box2d/lunar_lander.h"

#include <algorithm>
#include <cmath>

#include "engine/env/env_error.h"
#include "engine/env/registry.h"

namespace pavlov::envs {
namespace {

OptionBinder<LunarLanderOptions> lander_options() {
  return OptionBinder<LunarLanderOptions>()
      .add("gravity", &LunarLanderOptions::gravity, "gravitational acceleration (m/s^2), in (-12, 0)", -11.999, -1e-3)
      .add("enable_wind", &LunarLanderOptions::enable_wind, "wind and turbulence push the lander while it flies")
      .add("wind_power", &LunarLanderOptions::wind_power, "largest wind force (Gymnasium recommends 0..20)", 0.0, 1e3)
      .add("turbulence_power", &LunarLanderOptions::turbulence_power, "largest turbulence torque (recommended 0..2)", 0.0, 1e3);
}

struct Discrete : LunarLander {
  explicit Discrete(const LunarLanderOptions& o) : LunarLander(o, false) {}
};
struct Continuous : LunarLander {
  explicit Continuous(const LunarLanderOptions& o) : LunarLander(o, true) {}
};

const bool kRegistered =
    register_env<Discrete>({.id = "LunarLander-v3", .max_episode_steps = 1000,
                            .summary = "land a rocket on a pad with 4 discrete engine actions (Gymnasium 1.0, Box2D)"},
                           lander_options()) &&
    register_env<Continuous>({.id = "LunarLanderContinuous-v3", .max_episode_steps = 1000,
                              .summary = "land a rocket with continuous main and lateral throttles (Gymnasium 1.0, Box2D)"},
                             lander_options());

Space lander_observation_space() {
  return Space::box({-2.5, -2.5, -10.0, -10.0, -2 * M_PI, -10.0, 0.0, 0.0}, {2.5, 2.5, 10.0, 10.0, 2 * M_PI, 10.0, 1.0, 1.0},
                    {8});
}

}  // namespace

LunarLander::LunarLander(const LunarLanderOptions& options, bool continuous)
    : Env(lander_observation_space(), continuous ? Space::box(-1.0, 1.0, {2}) : Space::discrete(4),
          continuous ? "LunarLanderContinuous" : "LunarLander"),
      continuous_(continuous),
      world_(options) {
  actions_.reserve(2 * 1000);
}

void LunarLander::reset_impl(ArrayView obs) {
  reset_rng_ = rng().state();
  actions_.clear();
  world_.reset(rng());
  // Gymnasium's reset returns the observation after one step with the engines off.
  bool terminated = false;
  world_.step(rng(), 0.0, 0, 0.0, obs.as<float>(), terminated);
}

Transition LunarLander::advance(Rng& rng, const double* a, float* obs) {
  double main = 0.0, side = 0.0;
  int direction = 0;
  if (continuous_) {
    const double m = std::clamp(a[0], -1.0, 1.0), l = std::clamp(a[1], -1.0, 1.0);
    if (m > 0.0) main = (m + 1.0) * 0.5;  // 50% .. 100%: the engine cannot run slower
    if (std::abs(l) > 0.5) {
      direction = l > 0 ? 1 : -1;
      side = std::clamp(std::abs(l), 0.5, 1.0);
    }
  } else {
    const int action = static_cast<int>(a[0]);
    if (action == 2) main = 1.0;
    if (action == 1 || action == 3) {
      direction = action - 2;
      side = 1.0;
    }
  }
  bool terminated = false;
  const double reward = world_.step(rng, main, direction, side, obs, terminated);
  return {reward, terminated};
}

Transition LunarLander::step_impl(ConstArrayView action, ArrayView obs) {
  double a[2] = {0.0, 0.0};
  if (continuous_) {
    a[0] = action.as<float>()[0];
    a[1] = action.as<float>()[1];
  } else {
    a[0] = static_cast<double>(action.as<std::int64_t>()[0]);
  }
  actions_.insert(actions_.end(), a, a + (continuous_ ? 2 : 1));
  return advance(rng(), a, obs.as<float>());
}

std::vector<double> LunarLander::state() const {
  std::vector<double> s;
  s.reserve(8 + actions_.size());
  for (std::uint64_t word : reset_rng_) {  // each 64-bit word as two exact 32-bit halves
    s.push_back(static_cast<double>(word >> 32));
    s.push_back(static_cast<double>(word & 0xffffffffu));
  }
  s.insert(s.end(), actions_.begin(), actions_.end());
  return s;
}

void LunarLander::set_state_impl(std::span<const double> state, ArrayView obs) {
  const std::size_t k = continuous_ ? 2 : 1;
  if (state.size() < 8 || (state.size() - 8) % k != 0)
    throw EnvError(id() + ": set_state() expects 8 generator values and " + std::to_string(k) + " per action taken, got " +
                   std::to_string(state.size()) + " values");
  Rng::State words{};
  for (std::size_t i = 0; i < 4; ++i)
    words[i] = (static_cast<std::uint64_t>(state[2 * i]) << 32) | static_cast<std::uint64_t>(state[2 * i + 1]);
  Rng replay;
  replay.set_state(words);
  reset_rng_ = words;
  actions_.assign(state.begin() + 8, state.end());
  world_.reset(replay);
  bool terminated = false;
  float* o = obs.as<float>();
  world_.step(replay, 0.0, 0, 0.0, o, terminated);
  for (std::size_t i = 0; i < actions_.size(); i += k) advance(replay, &actions_[i], o);
}

}  // namespace pavlov::envs
