// CartPole-v1: balance a pole on a cart (Barto, Sutton and Anderson, 1983),
// with the dynamics, constants, rewards and termination of Gymnasium 1.0.
//
// State (float64): x [m], x_dot [m/s], theta [rad, 0 = upright], theta_dot [rad/s].
// Observation: the state as float32, Box([-4.8, -inf, -0.419, -inf], [4.8, inf, 0.419, inf]).
// Action: Discrete(2): 0 pushes the cart left, 1 right, with a 10 N force.
// Dynamics: explicit Euler, tau = 0.02 s. Terminates when |x| > 2.4 or
// |theta| > 12 degrees. Reward 1 per step (the terminating step included), or
// with sutton_barto_reward 0 per step and -1 on termination.
// Reset: each state variable uniform in [-0.05, 0.05). Registered with a
// 500-step time limit.
//
// CartPoleNoVel-v1: the same env observed without its velocities, [x, theta],
// Box([-4.8, -0.419], [4.8, 0.419]): a partially observable task that a
// policy solves only with memory (or stacked frames), as in the recurrent-RL
// literature's "CartPole without velocities" (e.g. SB3-contrib's benchmarks).
#pragma once

#include "envs/classic/state_env.h"

namespace pavlov::envs {

struct CartPoleOptions {
  bool sutton_barto_reward = false;  // 0 per step, -1 on failure (Sutton and Barto's formulation)
};

class CartPole : public StateEnv<4> {
 public:
  bool render(Canvas& canvas) const override;
  using Options = CartPoleOptions;
  explicit CartPole(const CartPoleOptions& options = {});

 protected:
  CartPole(const CartPoleOptions& options, bool hide_velocities);
  void write_obs(ArrayView obs) const final;
  void reset_impl(ArrayView obs) override;
  Transition step_impl(ConstArrayView action, ArrayView obs) override;
  void step_many_impl(std::span<StepJob> jobs) override;

 private:
  // Writes the observation of state_ and judges it: the reward and termination of the step that led there.
  Transition finish(ArrayView obs) const;

  CartPoleOptions options_;
  bool hide_velocities_ = false;
};

class CartPoleNoVel : public CartPole {
 public:
  explicit CartPoleNoVel(const CartPoleOptions& options = {}) : CartPole(options, /*hide_velocities=*/true) {}
};

}  // namespace pavlov::envs
