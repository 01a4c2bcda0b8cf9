#include "envs/classic/mountain_car_continuous.h"

#include <algorithm>
#include <cmath>

#include "engine/env/registry.h"
#include "engine/render/canvas.h"
#include "envs/classic/mountain_car.h"

namespace pavlov::envs {
namespace {

constexpr double kMinAction = -1.0;
constexpr double kMaxAction = 1.0;
constexpr double kMinPosition = -1.2;
constexpr double kMaxPosition = 0.6;
constexpr double kMaxSpeed = 0.07;
constexpr double kGoalPosition = 0.45;
constexpr double kPower = 0.0015;

const bool kRegistered = register_env<MountainCarContinuous>(
    {.id = "MountainCarContinuous-v0",
     .max_episode_steps = 999,
     .summary = "MountainCar with a continuous force (Gymnasium 1.0)"},
    OptionBinder<MountainCarContinuousOptions>().add("goal_velocity", &MountainCarContinuousOptions::goal_velocity,
                                                     "velocity the car must reach the goal with", -kMaxSpeed,
                                                     kMaxSpeed));

}  // namespace

MountainCarContinuous::MountainCarContinuous(const MountainCarContinuousOptions& options)
    : StateEnv(Space::box({kMinPosition, -kMaxSpeed}, {kMaxPosition, kMaxSpeed}, {2}),
          Space::box(kMinAction, kMaxAction, {1}), "MountainCarContinuous", "position, velocity"),
      options_(options) {}

void MountainCarContinuous::write_obs(ArrayView obs) const {
  obs.as<float>()[0] = static_cast<float>(state_[0]);
  obs.as<float>()[1] = static_cast<float>(state_[1]);
}

void MountainCarContinuous::reset_impl(ArrayView obs) {
  state_ = {static_cast<float>(rng().uniform(-0.6, -0.4)), 0.0};
  write_obs(obs);
}

Transition MountainCarContinuous::step_impl(ConstArrayView action, ArrayView obs) {
  // All arithmetic in float64 from the float32 action and state, as NumPy 1.x does.
  const double a = action.as<float>()[0];
  double position = state_[0];
  double velocity = state_[1];
  const double force = std::min(std::max(a, kMinAction), kMaxAction);
  velocity += force * kPower - 0.0025 * std::cos(3 * position);
  if (velocity > kMaxSpeed) velocity = kMaxSpeed;
  if (velocity < -kMaxSpeed) velocity = -kMaxSpeed;
  position += velocity;
  if (position > kMaxPosition) position = kMaxPosition;
  if (position < kMinPosition) position = kMinPosition;
  if (position == kMinPosition && velocity < 0) velocity = 0;

  const bool terminated = position >= kGoalPosition && velocity >= options_.goal_velocity;
  double reward = terminated ? 100.0 : 0.0;
  reward -= (a * a) * 0.1;
  state_ = {static_cast<float>(position), static_cast<float>(velocity)};
  write_obs(obs);
  return {reward, terminated};
}

bool MountainCarContinuous::render(Canvas& c) const {
  draw_mountain_car(c, state_[0], kGoalPosition);
  return true;
}

}  // namespace pavlov::envs
