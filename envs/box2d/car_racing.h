// CarRacing-v3 (Gymnasium 1.0): drive a top-down car around a random track
// from 96 x 96 x 3 pixels. Options: continuous (Box(steer, gas, brake), the
// default, or Discrete(5): nothing, left, right, gas, brake, as Gymnasium's
// continuous=False), domain_randomize, lap_complete_percent.
//
// The pixel observation is the world's picture (car_racing_world.h),
// rasterized straight from its 1000 x 800 frame to 96 x 96 by the software
// rasterizer (Gymnasium renders with pygame and smooth-scales; the pictures
// agree in content, not pixel for pixel). Rendering allocates nothing per
// step. Continuous actions outside the Box are clipped to it.
#pragma once

#include "engine/env/env.h"
#include "engine/render/canvas.h"
#include "engine/render/raster.h"
#include "envs/box2d/car_racing_world.h"
#include "envs/common/episode_log.h"

namespace pavlov::envs {

class CarRacing : public Env {
 public:
  explicit CarRacing(const CarRacingOptions& options);

  bool render(Canvas& canvas) const override;
  std::vector<double> state() const override;
  const CarRacingWorld& world() const { return world_; }

 protected:
  void reset_impl(ArrayView obs) override;
  Transition step_impl(ConstArrayView action, ArrayView obs) override;
  void set_state_impl(std::span<const double> state, ArrayView obs) override;

 private:
  Transition advance(const double* action, ArrayView obs);
  void observe(ArrayView obs);

  bool continuous_;
  CarRacingWorld world_;
  EpisodeLog log_;
  Canvas canvas_;
  Raster raster_;
};

}  // namespace pavlov::envs
