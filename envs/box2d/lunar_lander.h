// LunarLander-v3 (Discrete(4): noop, left engine, main engine, right engine)
// and LunarLanderContinuous-v3 (Box(-1, 1, (2,)): main throttle, lateral
// throttle), Gymnasium 1.0's, as adapters of one LunarLanderWorld.
//
// state() and set_state() go through an EpisodeLog (episode_log.h): the
// generator state of the episode's reset and the actions since, replayed.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/env/env.h"
#include "envs/common/episode_log.h"
#include "envs/box2d/lunar_lander_world.h"

namespace pavlov::envs {

class LunarLander : public Env {
 public:
  bool render(Canvas& canvas) const override;
  LunarLander(const LunarLanderOptions& options, bool continuous);

  std::vector<double> state() const override;
  const LunarLanderWorld& world() const { return world_; }

 protected:
  void reset_impl(ArrayView obs) override;
  Transition step_impl(ConstArrayView action, ArrayView obs) override;
  void set_state_impl(std::span<const double> state, ArrayView obs) override;

 private:
  Transition advance(Rng& rng, const double* action, float* obs);

  bool continuous_;
  LunarLanderWorld world_;
  EpisodeLog log_;
};

}  // namespace pavlov::envs
