// Pendulum-v1: swing a frictionless pendulum up and hold it upright, with the
// dynamics of Gymnasium 1.0.
//
// State (float64): theta [rad, 0 = upright, not wrapped], theta_dot in [-8, 8] [rad/s].
// Observation: cos theta, sin theta, theta_dot (float32).
// Action: Box(-2, 2, (1,)): the torque [N m], clipped to [-2, 2].
// Reward: -(normalize(theta)^2 + 0.1 theta_dot^2 + 0.001 torque^2), in
// [-16.27, 0]. Never terminates. Semi-implicit Euler, dt = 0.05 s, m = l = 1.
// Reset: theta uniform in [-pi, pi), theta_dot uniform in [-1, 1).
// Registered with a 200-step time limit.
#pragma once

#include "envs/classic/state_env.h"

namespace pavlov::envs {

struct PendulumOptions {
  double g = 10.0;  // gravity [m/s^2]
};

class Pendulum : public StateEnv<2> {
 public:
  bool render(Canvas& canvas) const override;
  double render_fps() const override { return 30; }
  using Options = PendulumOptions;
  explicit Pendulum(const PendulumOptions& options = {});

 protected:
  void write_obs(ArrayView obs) const override;
  void reset_impl(ArrayView obs) override;
  Transition step_impl(ConstArrayView action, ArrayView obs) override;

 private:

  PendulumOptions options_;
};

}  // namespace pavlov::envs
