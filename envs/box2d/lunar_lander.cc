#include "envs/box2d/lunar_lander.h"

#include <algorithm>
#include <cmath>

#include "engine/env/registry.h"
#include "engine/render/canvas.h"

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
      world_(options),
      log_(continuous ? 2 : 1) {}

void LunarLander::reset_impl(ArrayView obs) {
  log_.start(rng().state());
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
  log_.record(a);
  return advance(rng(), a, obs.as<float>());
}

std::vector<double> LunarLander::state() const { return log_.to_state(); }

void LunarLander::set_state_impl(std::span<const double> state, ArrayView obs) {
  log_.from_state(state, id());
  Rng replay;
  replay.set_state(log_.reset_rng());
  world_.reset(replay);
  bool terminated = false;
  float* o = obs.as<float>();
  world_.step(replay, 0.0, 0, 0.0, o, terminated);
  for (std::size_t i = 0; i < log_.steps(); ++i) advance(replay, log_.action(i), o);
}

bool LunarLander::render(Canvas& c) const {
  if (world_.lander() == nullptr) return false;  // before the first reset
  world_.draw(c);
  return true;
}

}  // namespace pavlov::envs
