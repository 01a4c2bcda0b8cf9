#include "envs/classic/acrobot.h"

#include <algorithm>
#include <cmath>

#include "engine/env/registry.h"
#include "engine/render/canvas.h"

namespace pavlov::envs {
namespace {

constexpr double kDt = 0.2;
constexpr double kLinkLength1 = 1.0;
constexpr double kLinkMass1 = 1.0;
constexpr double kLinkMass2 = 1.0;
constexpr double kLinkCom1 = 0.5;
constexpr double kLinkCom2 = 0.5;
constexpr double kLinkMoi = 1.0;
constexpr double kMaxVel1 = 4 * M_PI;
constexpr double kMaxVel2 = 9 * M_PI;
constexpr double kTorques[3] = {-1.0, 0.0, 1.0};

const bool kRegistered = register_env<Acrobot>(
    {.id = "Acrobot-v1", .max_episode_steps = 500, .summary = "swing a two-link pendulum up (Gymnasium 1.0)"});

using State5 = std::array<double, 5>;  // theta1, theta2, dtheta1, dtheta2, torque

// The equations of motion (Gymnasium's AcrobotEnv._dsdt, book variant), term
// for term in the same order so that float64 results agree.
State5 derivatives(const State5& s) {
  constexpr double m1 = kLinkMass1, m2 = kLinkMass2, l1 = kLinkLength1, lc1 = kLinkCom1, lc2 = kLinkCom2;
  constexpr double I1 = kLinkMoi, I2 = kLinkMoi, g = 9.8;
  const double a = s[4];
  const double theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3];
  const double d1 = m1 * (lc1 * lc1) + m2 * ((l1 * l1) + (lc2 * lc2) + 2 * l1 * lc2 * std::cos(theta2)) + I1 + I2;
  const double d2 = m2 * ((lc2 * lc2) + l1 * lc2 * std::cos(theta2)) + I2;
  const double phi2 = m2 * lc2 * g * std::cos(theta1 + theta2 - M_PI / 2.0);
  const double phi1 = -m2 * l1 * lc2 * (dtheta2 * dtheta2) * std::sin(theta2) -
                      2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * std::sin(theta2) +
                      (m1 * lc1 + m2 * l1) * g * std::cos(theta1 - M_PI / 2) + phi2;
  const double ddtheta2 =
      (a + d2 / d1 * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * std::sin(theta2) - phi2) /
      (m2 * (lc2 * lc2) + I2 - (d2 * d2) / d1);
  const double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  return {dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0};
}

// One classic RK4 step over [0, dt], as Gymnasium's rk4 with t = [0, dt].
State5 rk4(const State5& y0, double dt) {
  const double dt2 = dt / 2.0;
  auto shifted = [&](const State5& k, double h) {
    State5 y;
    for (int i = 0; i < 5; ++i) y[i] = y0[i] + h * k[i];
    return y;
  };
  const State5 k1 = derivatives(y0);
  const State5 k2 = derivatives(shifted(k1, dt2));
  const State5 k3 = derivatives(shifted(k2, dt2));
  const State5 k4 = derivatives(shifted(k3, dt));
  State5 y;
  for (int i = 0; i < 5; ++i) y[i] = y0[i] + dt / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  return y;
}

double wrap(double x, double m, double M) {
  const double diff = M - m;
  while (x > M) x = x - diff;
  while (x < m) x = x + diff;
  return x;
}

}  // namespace

Acrobot::Acrobot()
    : StateEnv(Space::box({-1.0, -1.0, -1.0, -1.0, -kMaxVel1, -kMaxVel2}, {1.0, 1.0, 1.0, 1.0, kMaxVel1, kMaxVel2}, {6}),
          Space::discrete(3), "Acrobot", "theta1, theta2, dtheta1, dtheta2") {}

void Acrobot::write_obs(ArrayView obs) const {
  float* o = obs.as<float>();
  o[0] = static_cast<float>(std::cos(state_[0]));
  o[1] = static_cast<float>(std::sin(state_[0]));
  o[2] = static_cast<float>(std::cos(state_[1]));
  o[3] = static_cast<float>(std::sin(state_[1]));
  o[4] = static_cast<float>(state_[2]);
  o[5] = static_cast<float>(state_[3]);
}

void Acrobot::reset_impl(ArrayView obs) {
  for (double& s : state_) s = static_cast<float>(rng().uniform(-0.1, 0.1));
  write_obs(obs);
}

Transition Acrobot::step_impl(ConstArrayView action, ArrayView obs) {
  const double torque = kTorques[action.as<std::int64_t>()[0]];
  const State5 ns = rk4({state_[0], state_[1], state_[2], state_[3], torque}, kDt);
  state_[0] = wrap(ns[0], -M_PI, M_PI);
  state_[1] = wrap(ns[1], -M_PI, M_PI);
  state_[2] = std::min(std::max(ns[2], -kMaxVel1), kMaxVel1);
  state_[3] = std::min(std::max(ns[3], -kMaxVel2), kMaxVel2);
  write_obs(obs);
  const bool terminated = -std::cos(state_[0]) - std::cos(state_[1] + state_[0]) > 1.0;
  return {terminated ? 0.0 : -1.0, terminated};
}

// Gymnasium's picture: 500 x 500 pixels over +-2.2 m, cyan links hanging from
// the pivot, yellow joints, the goal height (y = 1) as a black line.
bool Acrobot::render(Canvas& c) const {
  constexpr float kBound = 2.2f;
  c.begin(500, 500, colors::kWhite);
  c.set_camera(-kBound, -kBound, 500 / (2 * kBound));
  c.line({-kBound, 1}, {kBound, 1}, 1, colors::kBlack);
  const float a1 = static_cast<float>(state_[0]), a2 = static_cast<float>(state_[0] + state_[1]);
  const Point joints[2] = {{0, 0}, {std::sin(a1), -std::cos(a1)}};
  const float angles[2] = {a1 - static_cast<float>(M_PI / 2), a2 - static_cast<float>(M_PI / 2)};
  const Point link[4] = {{0, -0.1f}, {1, -0.1f}, {1, 0.1f}, {0, 0.1f}};
  for (int i = 0; i < 2; ++i) {
    c.polygon(link, joints[i], angles[i], {0, 204, 204});
    c.circle(joints[i], 0.1f, {204, 204, 0});
  }
  return true;
}

}  // namespace pavlov::envs
