// MountainCar-v0: drive an under-powered car up a hill (Moore, 1990), with the
// dynamics of Gymnasium 1.0.
//
// State (float64): position in [-1.2, 0.6], velocity in [-0.07, 0.07].
// Observation: the state as float32. Action: Discrete(3): accelerate left,
// do nothing, accelerate right (force 0.001). Gravity term -0.0025 cos(3 position).
// Reward -1 per step. Terminates when position >= 0.5 and velocity >=
// goal_velocity. Reset: position uniform in [-0.6, -0.4), velocity 0.
// Registered with a 200-step time limit.
#pragma once

#include "envs/classic/state_env.h"

namespace pavlov::envs {

struct MountainCarOptions {
  double goal_velocity = 0.0;  // the velocity the car must have at the goal
};

// Draws the hill, the car at `position` and the flag at `goal` (both MountainCar envs).
void draw_mountain_car(Canvas& canvas, double position, double goal);

class MountainCar : public StateEnv<2> {
 public:
  bool render(Canvas& canvas) const override;
  double render_fps() const override { return 30; }
  using Options = MountainCarOptions;
  explicit MountainCar(const MountainCarOptions& options = {});

 protected:
  void write_obs(ArrayView obs) const override;
  void reset_impl(ArrayView obs) override;
  Transition step_impl(ConstArrayView action, ArrayView obs) override;

 private:

  MountainCarOptions options_;
};

}  // namespace pavlov::envs
