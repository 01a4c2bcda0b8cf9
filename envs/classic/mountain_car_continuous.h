// MountainCarContinuous-v0: MountainCar with a continuous force, with the
// dynamics of Gymnasium 1.0.
//
// State: position in [-1.2, 0.6], velocity in [-0.07, 0.07], kept as float32
// between steps as Gymnasium does (set_state takes float64 values; each step
// computes in float64 and stores float32).
// Action: Box(-1, 1, (1,)): the force, clipped to [-1, 1] (power 0.0015).
// Reward: 100 on reaching the goal, minus 0.1 * action^2 every step (on the
// unclipped action). Terminates when position >= 0.45 and velocity >=
// goal_velocity. Reset: position uniform in [-0.6, -0.4), velocity 0.
// Registered with a 999-step time limit.
#pragma once

#include "envs/classic/state_env.h"

namespace pavlov::envs {

struct MountainCarContinuousOptions {
  double goal_velocity = 0.0;  // the velocity the car must have at the goal
};

class MountainCarContinuous : public StateEnv<2> {
 public:
  bool render(Canvas& canvas) const override;
  double render_fps() const override { return 30; }
  using Options = MountainCarContinuousOptions;
  explicit MountainCarContinuous(const MountainCarContinuousOptions& options = {});

 protected:
  void write_obs(ArrayView obs) const override;
  void reset_impl(ArrayView obs) override;
  Transition step_impl(ConstArrayView action, ArrayView obs) override;

 private:

  MountainCarContinuousOptions options_;
};

}  // namespace pavlov::envs
