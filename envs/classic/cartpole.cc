#include "envs/classic/cartpole.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/env/registry.h"
#include "engine/render/canvas.h"
#include "envs/common/exact_sincos.h"

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

namespace {

double force_of(std::int64_t action) { return action == 1 ? kForceMag : -kForceMag; }

// One step of Gymnasium's CartPoleEnv.step, operation for operation, so that
// float64 results agree to the last bit (the trajectory is chaotic: see the
// tests). The cosine and sine of theta come from the caller.
[[gnu::always_inline]] inline void integrate(double& x, double& x_dot, double& theta, double& theta_dot, double force,
                                             double costheta, double sintheta) {
  const double temp = (force + kPoleMassLength * (theta_dot * theta_dot) * sintheta) / kTotalMass;
  const double thetaacc = (kGravity * sintheta - costheta * temp) /
                          (kLength * (4.0 / 3.0 - kMassPole * (costheta * costheta) / kTotalMass));
  const double xacc = temp - kPoleMassLength * thetaacc * costheta / kTotalMass;
  x = x + kTau * x_dot;
  x_dot = x_dot + kTau * xacc;
  theta = theta + kTau * theta_dot;
  theta_dot = theta_dot + kTau * thetaacc;
}

// Up to kGroup envs side by side (structure of arrays), for step_many_impl.
constexpr std::size_t kGroup = 32;
struct Group {
  alignas(32) double x[kGroup], x_dot[kGroup], theta[kGroup], theta_dot[kGroup], force[kGroup], sin[kGroup], cos[kGroup];
};

// A step is a chain of four dependent divisions: one env at a time, the CPU
// waits on each. A loop over the group's arrays lets the compiler vectorize
// it (4 lanes with AVX2, where the CPU has it), so the
// divisions of different envs overlap. Each lane does integrate()'s
// operations in integrate()'s order, so results are those of stepping alone.
#if defined(__x86_64__)
#define PAVLOV_AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#else
#define PAVLOV_AVX2_CLONE
#endif
PAVLOV_AVX2_CLONE void integrate_group(Group& g, std::size_t lanes) {
  for (std::size_t j = 0; j < lanes; ++j)
    integrate(g.x[j], g.x_dot[j], g.theta[j], g.theta_dot[j], g.force[j], g.cos[j], g.sin[j]);
}

}  // namespace

Transition CartPole::finish(ArrayView obs) const {
  write_obs(obs);
  const auto& [x, x_dot, theta, theta_dot] = state_;
  const bool terminated = x < -kXThreshold || x > kXThreshold || theta < -kThetaThreshold || theta > kThetaThreshold;
  // Gymnasium also defines rewards for steps after termination; pavlov forbids those steps.
  double reward = 1.0;
  if (options_.sutton_barto_reward) reward = terminated ? -1.0 : 0.0;
  return {reward, terminated};
}

Transition CartPole::step_impl(ConstArrayView action, ArrayView obs) {
  auto& [x, x_dot, theta, theta_dot] = state_;
  integrate(x, x_dot, theta, theta_dot, force_of(action.as<std::int64_t>()[0]), std::cos(theta), std::sin(theta));
  return finish(obs);
}

// Gathers a group's states, takes the sines and cosines of all its angles at
// once (exact_sincos: libm's values, four at a time), integrates the group
// and scatters the states back. The lanes are a multiple of 4, exact_sincos's
// width; lanes past the last env repeat the first.
void CartPole::step_many_impl(std::span<StepJob> jobs) {
  Group g;
  for (std::size_t b = 0; b < jobs.size(); b += kGroup) {
    const std::size_t n = std::min(kGroup, jobs.size() - b), lanes = (n + 3) / 4 * 4;
    for (std::size_t j = 0; j < lanes; ++j) {
      const StepJob& job = jobs[b + (j < n ? j : 0)];
      const auto& st = static_cast<const CartPole*>(job.env)->state_;
      g.x[j] = st[0], g.x_dot[j] = st[1], g.theta[j] = st[2], g.theta_dot[j] = st[3];
      g.force[j] = force_of(job.action.as<std::int64_t>()[0]);
    }
    exact_sincos({g.theta, lanes}, {g.sin, lanes}, {g.cos, lanes});
    integrate_group(g, lanes);
    for (std::size_t j = 0; j < n; ++j) {
      StepJob& job = jobs[b + j];
      auto* env = static_cast<CartPole*>(job.env);
      env->state_ = {g.x[j], g.x_dot[j], g.theta[j], g.theta_dot[j]};
      job.transition = env->finish(job.obs);
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
