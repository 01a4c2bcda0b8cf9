// LunarLander-v3 (Discrete(4): noop, left engine, main engine, right engine)
// and LunarLanderContinuous-v3 (Box(-1, 1, (2,)): main throttle, lateral
// throttle), Gymnasium 1.0's, as adapters of one LunarLanderWorld.
//
// state() and set_state(): a Box2D world holds more than a vector of numbers
// can rebuild (contacts, warm-start impulses, sleep timers), so the state of
// these envs is the generator state the episode's reset started from and the
// actions taken since; set_state replays them. Box2D is deterministic, so the
// replayed world is the same world; checkpoints and resumed runs rely on it.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/env/env.h"
#include "envs/box2d/lunar_lander_world.h"

namespace pavlov::envs {

class LunarLander : public Env {
 public:
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
  Rng::State reset_rng_{};       // the generator before this episode's reset
  std::vector<double> actions_;  // the actions since, one (Discrete) or two (Box) values each
};

}  // namespace pavlov::envs
