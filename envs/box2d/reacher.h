// Reacher2D-v0: a planar robot arm of 2 (option `links`: 2 or 3) links on
// revolute joints, driven by motor torques, reaching for a random target.
// MuJoCo's Reacher is the model for the semantics; the arm lives in a Box2D
// world without gravity.
//
//   action       Box(-1, 1, (links,)): each joint's torque as a fraction of the maximum
//   observation  cos q_i, sin q_i (joint angles, each relative to the link before),
//                q_i' (joint speeds), the target's x, y and the fingertip-to-target
//                vector (fingertip - target): 3 * links + 4 values
//   reward       -|fingertip - target| - sum(a_i^2)
//   episodes     50 steps of 0.02 s (two 0.01 s physics steps each); never terminated
//   start        joint angles uniform in [-0.1, 0.1], speeds in [-0.005, 0.005],
//                the target uniform in the disc of radius 0.2 around the shoulder
// An episode is a success when the fingertip ends within 0.05 of the target.
#pragma once

#include <box2d/box2d.h>

#include <memory>
#include <vector>

#include "engine/env/env.h"
#include "envs/common/episode_log.h"

namespace pavlov::envs {

struct ReacherOptions {
  std::int64_t links = 2;
};

class Reacher : public Env {
 public:
  bool render(Canvas& canvas) const override;
  explicit Reacher(const ReacherOptions& options);
  ~Reacher() override;

  std::vector<double> state() const override;
  bool reports_success() const override { return true; }
  // The fingertip's distance to the target now.
  double distance() const;
  int links() const { return static_cast<int>(links_.size()); }

 protected:
  void reset_impl(ArrayView obs) override;
  Transition step_impl(ConstArrayView action, ArrayView obs) override;
  void set_state_impl(std::span<const double> state, ArrayView obs) override;

 private:
  void build(Rng& rng);
  Transition advance(const double* action, float* obs);
  void write_obs(float* obs) const;
  b2Vec2 fingertip() const;

  std::vector<double> lengths_;
  std::unique_ptr<b2World> world_;
  b2Body* ground_ = nullptr;
  std::vector<b2Body*> links_;
  std::vector<b2RevoluteJoint*> joints_;
  b2Vec2 target_{0.0f, 0.0f};
  EpisodeLog log_;
};

}  // namespace pavlov::envs
