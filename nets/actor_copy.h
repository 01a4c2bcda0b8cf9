// Where an agent acts while its learner is on an accelerator ([experiment]
// actor_device): "cpu" acts with a CPU copy of the learner's networks,
// refreshed after every training phase (one env step's batch is too small to
// pay for a round trip to the GPU, and on the CPU the hand-written MLP
// forward can act); "learner" acts with the learner's own networks. A learner
// on the CPU always acts itself.
#pragma once

#include <torch/types.h>
#include <vector>

#include "nets/flat_parameters.h"

namespace pavlov {
class Config;
}

namespace pavlov::nets {

// True when `cfg` asks for a CPU copy of a learner on `device`.
bool wants_cpu_actor(const Config& cfg, const torch::Device& device);

// The parameters of the CPU copy (same modules, same order as the learner's),
// kept equal to the learner's flat parameters by sync().
class ActorCopy {
 public:
  ActorCopy(FlatParameters& learner, std::vector<torch::Tensor> copy_parameters);  // syncs once
  void sync();  // one copy of the flat parameters from the learner's device

 private:
  FlatParameters& learner_;
  FlatParameters copy_;
};

// The device acting runs on, given the learner's device and its copy (if any).
inline torch::Device acting_device(const torch::Device& learner, const ActorCopy* copy) {
  return copy ? torch::Device(torch::kCPU) : learner;
}

}  // namespace pavlov::nets
