// BipedalWalker-v3 and BipedalWalkerHardcore-v3, Gymnasium 1.0's, on Box2D 2.4.
//
// A hull on two legs (hip and knee joints each, motors driven by torque:
// the sign of a_i picks the motor's direction at its rated speed, |a_i| the
// fraction of the 80 N m torque it may use). The terrain is procedural:
// gently rolling grass, and in the hardcore version also stumps, stairs and
// pits. Observation (24): hull angle, angular speed, horizontal and vertical
// speed, each joint's angle and speed, each lower leg's ground contact, and
// 10 lidar fractions (the closest hit along rays fanning below the hull).
// Reward: 130 per SCALE units of forward progress, -5 per radian of hull tilt
// (both as the change of a shaping term), 0.028 per unit of |a_i| (torque
// cost); -100 and the end when the hull touches the ground or the walker
// leaves the terrain at the left; the end also at the terrain's far end.
// Time limits 1600 and 2000 steps. Gymnasium's clouds are decoration and are
// not drawn from the generator here. The state is an EpisodeLog replay, as
// every Box2D env's.
#pragma once

#include <box2d/box2d.h>

#include <array>
#include <memory>
#include <vector>

#include "engine/env/env.h"
#include "envs/common/episode_log.h"
#include "envs/box2d/ground_contacts.h"

namespace pavlov::envs {

class BipedalWalker : public Env {
 public:
  bool render(Canvas& canvas) const override;
  explicit BipedalWalker(bool hardcore);
  ~BipedalWalker() override;

  std::vector<double> state() const override;
  // The hull's horizontal position (m): the distance walked is its change.
  double hull_x() const { return hull_->GetPosition().x; }

 protected:
  void reset_impl(ArrayView obs) override;
  Transition step_impl(ConstArrayView action, ArrayView obs) override;
  void set_state_impl(std::span<const double> state, ArrayView obs) override;

 private:
  class Lidar;
  void build(Rng& rng);
  void generate_terrain(Rng& rng);
  Transition advance(const double* action, float* obs);

  bool hardcore_;
  std::unique_ptr<b2World> world_;
  GroundContacts contacts_;  // the hull is fatal; the lower legs are the feet
  b2Body* ground_ = nullptr;  // the terrain: edges along the surface, polygons for obstacles
  b2Body* hull_ = nullptr;
  std::array<b2Body*, 4> legs_{};             // upper left, lower left, upper right, lower right
  std::array<b2RevoluteJoint*, 4> joints_{};  // hip, knee, hip, knee
  bool has_prev_shaping_ = false;
  double prev_shaping_ = 0.0;
  int terrain_grass_ = 10;
  std::vector<double> terrain_x_, terrain_y_;
  EpisodeLog log_;
};

}  // namespace pavlov::envs
