#include "envs/classic/cartpole.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/env/registry.h"
#include "engine/render/canvas.h"

namespace pavlov::envs {
namespace {

constexpr double kGravity = 9.8;
constexpr double kMassCart = 1.0;
constexpr double kMassPole = 0.1;
constexpr double kTotalMass = kMassPole + kMassCart;
constexpr double kLength = 0.5;  // half the pole's length
constexpr double kPoleMassLength = kMassPole * kLength;
constexpr double kForceMag = 10.0;
constexpr double kTau = 0.02;
const double kThetaThreshold = 12 * 2 * M_PI / 360;
constexpr double kXThreshold = 2.4;
constexpr double kInf = std::numeric_limits<double>::infinity();

const bool kRegistered = register_env<CartPole>(
    {.id = "CartPole-v1", .max_episode_steps = 500, .summary = "balance a pole on a cart (Gymnasium 1.0)"},
    OptionBinder<CartPoleOptions>().add("sutton_barto_reward", &CartPoleOptions::sutton_barto_reward,
                                        "reward 0 per step and -1 on failure instead of 1 per step"));
const bool kNoVelRegistered = register_env<CartPoleNoVel>(
    {.id = "CartPoleNoVel-v1", .max_episode_steps = 500,
     .summary = "CartPole-v1 observed without velocities, [x, theta]: needs memory (partially observable)"},
    OptionBinder<CartPoleOptions>().add("sutton_barto_reward", &CartPoleOptions::sutton_barto_reward,
                                        "reward 0 per step and -1 on failure instead of 1 per step"));

}  // namespace

CartPole::CartPole(const CartPoleOptions& options) : CartPole(options, false) {}

CartPole::CartPole(const CartPoleOptions& options, bool hide_velocities)
    : StateEnv(hide_velocities ? Space::box({-kXThreshold * 2, -kThetaThreshold * 2}, {kXThreshold * 2, kThetaThreshold * 2}, {2})
                               : Space::box({-kXThreshold * 2, -kInf, -kThetaThreshold * 2, -kInf},
                                            {kXThreshold * 2, kInf, kThetaThreshold * 2, kInf}, {4}),
               Space::discrete(2), hide_velocities ? "CartPoleNoVel" : "CartPole", "x, x_dot, theta, theta_dot"),
      options_(options),
      hide_velocities_(hide_velocities) {}

void CartPole::write_obs(ArrayView obs) const {
  float* o = obs.as<float>();
  if (hide_velocities_) {
    o[0] = static_cast<float>(state_[0]);
    o[1] = static_cast<float>(state_[2]);
    return;
  }
  for (int i = 0; i < 4; ++i) o[i] = static_cast<float>(state_[i]);
}

void CartPole::reset_impl(ArrayView obs) {
  for (double& s : state_) s = rng().uniform(-0.05, 0.05);
  write_obs(obs);
}

// Operation for operation as Gymnasium's CartPoleEnv.step, so that float64
// results agree to the last bit (the trajectory is chaotic: see the tests).
// The cosine and sine of theta come from the caller (see step_many_impl).
Transition CartPole::advance(std::int64_t action, double costheta, double sintheta, ArrayView obs) {
  auto& [x, x_dot, theta, theta_dot] = state_;
  const double force = action == 1 ? kForceMag : -kForceMag;
  const double temp = (force + kPoleMassLength * (theta_dot * theta_dot) * sintheta) / kTotalMass;
  const double thetaacc = (kGravity * sintheta - costheta * temp) /
                          (kLength * (4.0 / 3.0 - kMassPole * (costheta * costheta) / kTotalMass));
  const double xacc = temp - kPoleMassLength * thetaacc * costheta / kTotalMass;
  x = x + kTau * x_dot;
  x_dot = x_dot + kTau * xacc;
  theta = theta + kTau * theta_dot;
  theta_dot = theta_dot + kTau * thetaacc;
  write_obs(obs);

  const bool terminated = x < -kXThreshold || x > kXThreshold || theta < -kThetaThreshold || theta > kThetaThreshold;
  // Gymnasium also defines rewards for steps after termination; pavlov forbids those steps.
  double reward = 1.0;
  if (options_.sutton_barto_reward) reward = terminated ? -1.0 : 0.0;
  return {reward, terminated};
}

Transition CartPole::step_impl(ConstArrayView action, ArrayView obs) {
  return advance(action.as<std::int64_t>()[0], std::cos(state_[2]), std::sin(state_[2]), obs);
}

// One step's arithmetic is a chain of four dependent divisions: stepped one
// env at a time, the CPU waits on it. Taking the sines and cosines of a group
// first and then advancing the group lets the chains of different envs overlap.
void CartPole::step_many_impl(std::span<StepJob> jobs) {
  constexpr std::size_t kGroup = 8;
  for (std::size_t b = 0; b < jobs.size(); b += kGroup) {
    const std::size_t n = std::min(kGroup, jobs.size() - b);
    double c[kGroup], s[kGroup];
    for (std::size_t j = 0; j < n; ++j) {
      const double theta = static_cast<CartPole*>(jobs[b + j].env)->state_[2];
      c[j] = std::cos(theta);
      s[j] = std::sin(theta);
    }
    for (std::size_t j = 0; j < n; ++j) {
      StepJob& job = jobs[b + j];
      job.transition = static_cast<CartPole*>(job.env)->advance(job.action.as<std::int64_t>()[0], c[j], s[j], job.obs);
    }
  }
}

// Gymnasium's picture: 600 x 400 pixels over 2 x_threshold metres, the track
// 100 px above the bottom, a 50 x 30 px cart, a 10 px pole of twice kLength.
bool CartPole::render(Canvas& c) const {
  constexpr float kScale = static_cast<float>(600 / (2 * kXThreshold)), kX = static_cast<float>(kXThreshold);
  c.begin(600, 400, colors::kWhite);
  c.set_camera(-kX, -100 / kScale, kScale);
  const float x = static_cast<float>(state_[0]), theta = static_cast<float>(state_[2]);
  const float cart_w = 50 / kScale, cart_h = 30 / kScale, pole_w = 10 / kScale, pole_len = static_cast<float>(2 * kLength);
  c.line({-2 * kX, 0}, {2 * kX, 0}, 1, colors::kBlack);
  c.polygon({{x - cart_w / 2, -cart_h / 2}, {x + cart_w / 2, -cart_h / 2}, {x + cart_w / 2, cart_h / 2}, {x - cart_w / 2, cart_h / 2}},
            colors::kBlack);
  const Point axle{x, cart_h / 4};
  const Point pole[4] = {{-pole_w / 2, -pole_w / 2}, {pole_w / 2, -pole_w / 2}, {pole_w / 2, pole_len - pole_w / 2},
                         {-pole_w / 2, pole_len - pole_w / 2}};
  c.polygon(pole, axle, -theta, {202, 152, 101});  // theta > 0 leans right: clockwise
  c.circle(axle, pole_w / 2, {129, 132, 203});
  return true;
}

}  // namespace pavlov::envs
