#include "envs/classic/pendulum.h"

#include <algorithm>
#include <cmath>

#include "engine/env/registry.h"
#include "engine/render/canvas.h"

namespace pavlov::envs {
namespace {

constexpr double kMaxSpeed = 8.0;
constexpr double kMaxTorque = 2.0;
constexpr double kDt = 0.05;
constexpr double kMass = 1.0;
constexpr double kLength = 1.0;

const bool kRegistered = register_env<Pendulum>(
    {.id = "Pendulum-v1", .max_episode_steps = 200, .summary = "swing a pendulum up and hold it (Gymnasium 1.0)"},
    OptionBinder<PendulumOptions>().add("g", &PendulumOptions::g, "gravity (m/s^2)", 0.0, 1000.0));

// Python's ((x + pi) % (2 pi)) - pi: a floored modulo, whose result takes the
// sign of the divisor (NumPy's remainder), unlike C's fmod.
double angle_normalize(double x) {
  constexpr double two_pi = 2 * M_PI;
  double mod = std::fmod(x + M_PI, two_pi);
  if (mod != 0) {
    if (mod < 0) mod += two_pi;
  } else {
    mod = 0.0;
  }
  return mod - M_PI;
}

}  // namespace

Pendulum::Pendulum(const PendulumOptions& options)
    : StateEnv(Space::box({-1.0, -1.0, -kMaxSpeed}, {1.0, 1.0, kMaxSpeed}, {3}), Space::box(-kMaxTorque, kMaxTorque, {1}),
          "Pendulum", "theta, theta_dot"),
      options_(options) {}

void Pendulum::write_obs(ArrayView obs) const {
  float* o = obs.as<float>();
  o[0] = static_cast<float>(std::cos(state_[0]));
  o[1] = static_cast<float>(std::sin(state_[0]));
  o[2] = static_cast<float>(state_[1]);
}

void Pendulum::reset_impl(ArrayView obs) {
  state_ = {rng().uniform(-M_PI, M_PI), rng().uniform(-1.0, 1.0)};
  write_obs(obs);
}

Transition Pendulum::step_impl(ConstArrayView action, ArrayView obs) {
  const double th = state_[0], thdot = state_[1];
  const double g = options_.g, m = kMass, l = kLength, dt = kDt;
  const double u = std::clamp(static_cast<double>(action.as<float>()[0]), -kMaxTorque, kMaxTorque);
  const double th_norm = angle_normalize(th);
  const double costs = th_norm * th_norm + 0.1 * (thdot * thdot) + 0.001 * (u * u);
  double newthdot = thdot + (3 * g / (2 * l) * std::sin(th) + 3.0 / (m * (l * l)) * u) * dt;
  newthdot = std::clamp(newthdot, -kMaxSpeed, kMaxSpeed);
  const double newth = th + newthdot * dt;
  state_ = {newth, newthdot};
  write_obs(obs);
  return {-costs, false};
}

// Gymnasium's picture: 500 x 500 pixels over +-2.2, a red rod of length 1
// with rounded ends pointing up at theta = 0, a black axle.
bool Pendulum::render(Canvas& c) const {
  constexpr float kBound = 2.2f;
  constexpr Color kRod{204, 77, 77};
  c.begin(500, 500, colors::kWhite);
  c.set_camera(-kBound, -kBound, 500 / (2 * kBound));
  const float up = static_cast<float>(state_[0] + M_PI / 2);
  const Point rod[4] = {{0, -0.1f}, {1, -0.1f}, {1, 0.1f}, {0, 0.1f}};
  c.polygon(rod, {0, 0}, up, kRod);
  c.circle({0, 0}, 0.1f, kRod);
  c.circle({std::cos(up), std::sin(up)}, 0.1f, kRod);
  c.circle({0, 0}, 0.05f, colors::kBlack);
  return true;
}

}  // namespace pavlov::envs
