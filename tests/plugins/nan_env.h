// An env that breaks its contract: from the third step on it writes NaN
// into its observation. `pavlov check-env` must catch it.
#pragma once

#include <cmath>
#include <limits>

#include "engine/env/env.h"

namespace pavlov::test {

class NanObs : public Env {
 public:
  NanObs() : Env(Space::box(-1.0, 1.0, {2}), Space::discrete(2), "NanObs") {}

 protected:
  void reset_impl(ArrayView obs) override {
    t_ = 0;
    obs.as<float>()[0] = obs.as<float>()[1] = 0.0f;
  }
  Transition step_impl(ConstArrayView, ArrayView obs) override {
    ++t_;
    obs.as<float>()[0] = t_ >= 3 ? std::numeric_limits<float>::quiet_NaN() : 0.5f;
    obs.as<float>()[1] = 0.0f;
    return {.reward = 1.0};
  }

 private:
  int t_ = 0;
};

}  // namespace pavlov::test
