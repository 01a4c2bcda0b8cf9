// pavlov::envs::LunarLanderWorld: the physics of Gymnasium 1.0's LunarLander-v3
// on Box2D 2.4, apart from how actions reach it (lunar_lander.cc holds the
// discrete and continuous adapters, as EnvPool splits them).
//
// Constants, shapes, the terrain, the engines' impulses (with their random
// dispersion), wind and turbulence, the observation, the shaping reward and
// the termination rules are Gymnasium's. Box2D 2.4 is not pybox2d's 2.3.x, so
// trajectories agree in behaviour, not bit for bit. The flame particles of
// Gymnasium's renderer are decoration (they collide with the ground only) and
// are not simulated.
#pragma once

#include <box2d/box2d.h>

#include <array>
#include <cstdint>
#include <memory>

#include "engine/env/rng.h"
#include "engine/render/canvas.h"
#include "envs/box2d/ground_contacts.h"

namespace pavlov::envs {

struct LunarLanderOptions {
  double gravity = -10.0;        // m/s^2, in (-12, 0)
  bool enable_wind = false;
  double wind_power = 15.0;      // maximum linear wind force
  double turbulence_power = 1.5;  // maximum rotational wind torque
};

class LunarLanderWorld {
 public:
  explicit LunarLanderWorld(const LunarLanderOptions& options);
  ~LunarLanderWorld();
  LunarLanderWorld(const LunarLanderWorld&) = delete;
  LunarLanderWorld& operator=(const LunarLanderWorld&) = delete;

  // New terrain and lander, the random initial push; no step taken yet.
  void reset(Rng& rng);
  // Fires the engines (main in [0.5, 1] or 0; side direction -1 / +1 with
  // power in [0.5, 1], or 0), steps the world 1/50 s and writes the
  // observation. Returns the reward; sets `terminated`.
  double step(Rng& rng, double main_power, int side_direction, double side_power, float* obs, bool& terminated);

  // Gymnasium's picture: 600 x 400, the moon white under a black sky, the
  // lander purple, the helipad's two yellow flags.
  void draw(Canvas& canvas) const;

  // Everything observable about the bodies, for tests and hashes.
  const b2Body* lander() const { return lander_; }
  const b2Body* leg(int i) const { return legs_[i]; }
  bool leg_contact(int i) const { return contacts_.foot_contact(i); }
  double helipad_y() const { return helipad_y_; }
  double helipad_x1() const { return helipad_x1_; }
  double helipad_x2() const { return helipad_x2_; }

 private:
  void destroy_bodies();

  LunarLanderOptions options_;
  std::unique_ptr<b2World> world_;
  GroundContacts contacts_;
  b2Body* moon_ = nullptr;
  b2Body* lander_ = nullptr;
  std::array<b2Body*, 2> legs_{};
  bool has_prev_shaping_ = false;
  double prev_shaping_ = 0.0;
  double helipad_x1_ = 0.0, helipad_x2_ = 0.0, helipad_y_ = 0.0;
  std::int64_t wind_idx_ = 0, torque_idx_ = 0;
};

}  // namespace pavlov::envs
