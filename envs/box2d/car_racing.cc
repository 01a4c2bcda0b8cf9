#include "envs/box2d/car_racing.h"

#include <algorithm>

#include "engine/env/registry.h"

namespace pavlov::envs {
namespace {

constexpr int kStateW = 96, kStateH = 96;

const bool kRegistered = register_env<CarRacing>(
    {.id = "CarRacing-v3", .max_episode_steps = 1000,
     .summary = "race a top-down car around a random track from 96x96 RGB pixels (Gymnasium 1.0, Box2D)"},
    OptionBinder<CarRacingOptions>()
        .add("continuous", &CarRacingOptions::continuous, "Box(steer, gas, brake) actions; false: Discrete(5)")
        .add("domain_randomize", &CarRacingOptions::domain_randomize, "random road, background and grass colours per episode")
        .add("lap_complete_percent", &CarRacingOptions::lap_complete_percent,
             "fraction of tiles to visit before reaching the start tile ends the lap", 0.0, 1.0));

Space car_action_space(bool continuous) {
  return continuous ? Space::box({-1.0, 0.0, 0.0}, {1.0, 1.0, 1.0}, {3}) : Space::discrete(5);
}

}  // namespace

CarRacing::CarRacing(const CarRacingOptions& options)
    : Env(Space::box(0, 255, {kStateH, kStateW, 3}, DType::kUInt8), car_action_space(options.continuous), "CarRacing"),
      continuous_(options.continuous),
      world_(options),
      log_(options.continuous ? 3 : 1) {}

bool CarRacing::render(Canvas& canvas) const {
  world_.draw(canvas);
  return world_.tiles() > 0;
}

void CarRacing::observe(ArrayView obs) {
  world_.draw(canvas_);
  raster_.draw(canvas_, kStateW, kStateH, std::span<std::uint8_t>(obs.as<std::uint8_t>(), static_cast<std::size_t>(obs.size)));
}

void CarRacing::reset_impl(ArrayView obs) {
  log_.start(rng().state());
  world_.reset(rng());
  observe(obs);
}

Transition CarRacing::advance(const double* a, ArrayView obs) {
  if (continuous_) {
    world_.act(std::clamp(a[0], -1.0, 1.0), std::clamp(a[1], 0.0, 1.0), std::clamp(a[2], 0.0, 1.0));
  } else {
    const int k = static_cast<int>(a[0]);  // 0 nothing, 1 left, 2 right, 3 gas, 4 brake
    world_.act(k == 1 ? -0.6 : k == 2 ? 0.6 : 0.0, k == 3 ? 0.2 : 0.0, k == 4 ? 0.8 : 0.0);
  }
  bool terminated = false;
  const double reward = world_.step(/*with_action=*/true, terminated);
  if (obs.data != nullptr) observe(obs);
  return {reward, terminated};
}

Transition CarRacing::step_impl(ConstArrayView action, ArrayView obs) {
  double a[3] = {0, 0, 0};
  if (continuous_) {
    for (int i = 0; i < 3; ++i) a[i] = action.as<float>()[i];
  } else {
    a[0] = static_cast<double>(action.as<std::int64_t>()[0]);
  }
  log_.record(a);
  return advance(a, obs);
}

std::vector<double> CarRacing::state() const { return log_.to_state(); }

void CarRacing::set_state_impl(std::span<const double> state, ArrayView obs) {
  log_.from_state(state, id());
  Rng replay;
  replay.set_state(log_.reset_rng());
  world_.reset(replay);
  for (std::size_t i = 0; i < log_.steps(); ++i) advance(log_.action(i), ArrayView());  // no pictures until the last
  observe(obs);
}

}  // namespace pavlov::envs
