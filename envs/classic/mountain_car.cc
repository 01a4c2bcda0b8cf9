#include "envs/classic/mountain_car.h"

#include <algorithm>
#include <cmath>

#include "engine/env/registry.h"

namespace pavlov::envs {
namespace {

constexpr double kMinPosition = -1.2;
constexpr double kMaxPosition = 0.6;
constexpr double kMaxSpeed = 0.07;
constexpr double kGoalPosition = 0.5;
constexpr double kForce = 0.001;
constexpr double kGravity = 0.0025;

const bool kRegistered = register_env<MountainCar>(
    {.id = "MountainCar-v0", .max_episode_steps = 200, .summary = "drive an under-powered car up a hill (Gymnasium 1.0)"},
    OptionBinder<MountainCarOptions>().add("goal_velocity", &MountainCarOptions::goal_velocity,
                                           "velocity the car must reach the goal with", -kMaxSpeed, kMaxSpeed));

}  // namespace

MountainCar::MountainCar(const MountainCarOptions& options)
    : StateEnv(Space::box({kMinPosition, -kMaxSpeed}, {kMaxPosition, kMaxSpeed}, {2}), Space::discrete(3), "MountainCar", "position, velocity"),
      options_(options) {}

void MountainCar::write_obs(ArrayView obs) const {
  obs.as<float>()[0] = static_cast<float>(state_[0]);
  obs.as<float>()[1] = static_cast<float>(state_[1]);
}

void MountainCar::reset_impl(ArrayView obs) {
  state_ = {rng().uniform(-0.6, -0.4), 0.0};
  write_obs(obs);
}

Transition MountainCar::step_impl(ConstArrayView action, ArrayView obs) {
  auto& [position, velocity] = state_;
  const auto a = static_cast<double>(action.as<std::int64_t>()[0]);
  velocity += (a - 1) * kForce + std::cos(3 * position) * (-kGravity);
  velocity = std::clamp(velocity, -kMaxSpeed, kMaxSpeed);
  position += velocity;
  position = std::clamp(position, kMinPosition, kMaxPosition);
  if (position == kMinPosition && velocity < 0) velocity = 0;
  write_obs(obs);
  const bool terminated = position >= kGoalPosition && velocity >= options_.goal_velocity;
  return {-1.0, terminated};
}

}  // namespace pavlov::envs
