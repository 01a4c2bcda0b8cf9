#include "envs/classic/mountain_car.h"

#include <algorithm>
#include <cmath>

#include "engine/env/registry.h"
#include "engine/render/canvas.h"

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

void draw_mountain_car(Canvas& c, double position, double goal) {
  constexpr float kMin = -1.2f, kMax = 0.6f, kScale = 600 / (kMax - kMin);
  const auto height = [](float x) { return std::sin(3 * x) * 0.45f + 0.55f; };
  c.begin(600, 400, colors::kWhite);
  c.set_camera(kMin, 0, kScale);
  Point track[100];
  for (int i = 0; i < 100; ++i) {
    const float x = kMin + (kMax - kMin) * i / 99;
    track[i] = {x, height(x)};
  }
  c.polyline(track, 1.5f, colors::kBlack);
  // The car stands on the slope: 40 x 20 px, 10 px clearance, two gray wheels.
  const float x = static_cast<float>(position), angle = std::atan(1.35f * std::cos(3 * x));
  const float w = 40 / kScale, h = 20 / kScale, clearance = 10 / kScale;
  const Point base{x, height(x)};
  const Point body[4] = {{-w / 2, clearance}, {w / 2, clearance}, {w / 2, clearance + h}, {-w / 2, clearance + h}};
  c.polygon(body, base, angle, colors::kBlack);
  const float ca = std::cos(angle), sa = std::sin(angle);
  for (float wx : {w / 4, -w / 4})
    c.circle({base.x + ca * wx - sa * clearance, base.y + sa * wx + ca * clearance}, h / 2.5f, {128, 128, 128});
  const float gx = static_cast<float>(goal), gy = height(gx);
  c.line({gx, gy}, {gx, gy + 50 / kScale}, 1, colors::kBlack);
  c.polygon({{gx, gy + 50 / kScale}, {gx, gy + 40 / kScale}, {gx + 25 / kScale, gy + 45 / kScale}}, {204, 204, 0});
}

// Gymnasium's picture: 600 x 400 pixels, the hill, the car, the goal flag.
bool MountainCar::render(Canvas& c) const {
  draw_mountain_car(c, state_[0], kGoalPosition);
  return true;
}

}  // namespace pavlov::envs
