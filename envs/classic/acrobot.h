// Acrobot-v1: swing a two-link pendulum, actuated at the middle joint, above a
// line (Sutton, 1996), with the dynamics of Gymnasium 1.0 (the "book"
// equations, RK4 over dt = 0.2 s, no torque noise).
//
// State (float64): theta1, theta2 [rad, wrapped to [-pi, pi]], dtheta1 in
// [-4 pi, 4 pi], dtheta2 in [-9 pi, 9 pi] [rad/s].
// Observation: cos theta1, sin theta1, cos theta2, sin theta2, dtheta1, dtheta2 (float32).
// Action: Discrete(3): torque -1, 0, +1 on the joint between the links.
// Reward -1 per step, 0 on the terminating step. Terminates when the free end
// is more than one link length above the pivot: -cos(theta1) - cos(theta1 + theta2) > 1.
// Reset: each state variable uniform in [-0.1, 0.1), rounded to float32.
// Registered with a 500-step time limit.
#pragma once

#include "envs/classic/state_env.h"

namespace pavlov::envs {

class Acrobot : public StateEnv<4> {
 public:
  bool render(Canvas& canvas) const override;
  double render_fps() const override { return 15; }
  Acrobot();

 protected:
  void write_obs(ArrayView obs) const override;
  void reset_impl(ArrayView obs) override;
  Transition step_impl(ConstArrayView action, ArrayView obs) override;
};

}  // namespace pavlov::envs
