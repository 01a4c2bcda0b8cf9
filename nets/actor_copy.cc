#include "nets/actor_copy.h"

#include <torch/torch.h>

#include "engine/config/experiment.h"

namespace pavlov::nets {

bool wants_cpu_actor(const Config& cfg, const torch::Device& device) {
  return !device.is_cpu() && cfg.get_string("experiment.actor_device") == "cpu";
}

ActorCopy::ActorCopy(FlatParameters& learner, std::vector<torch::Tensor> copy_parameters)
    : learner_(learner), copy_(std::move(copy_parameters)) {
  sync();
}

void ActorCopy::sync() {
  torch::NoGradGuard no_grad;
  copy_.flat().copy_(learner_.flat());
}

}  // namespace pavlov::nets
