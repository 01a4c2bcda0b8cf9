#include "nets/flat_optimizer.h"

#include <torch/torch.h>

#include "engine/config/experiment.h"

namespace pavlov::nets {

FlatOptimizer::FlatOptimizer(const Config& cfg, std::vector<torch::Tensor> params)
    : flat_(std::move(params)),
      optimizer_(make_optimizer(cfg, {flat_.flat()})),
      schedule_(cfg),
      grad_clip_(cfg.get_float("optimizer.grad_clip")) {}

void FlatOptimizer::step(const torch::Tensor& loss, double progress) {
  schedule_.apply(*optimizer_, progress);
  flat_.zero_grad();
  loss.backward();
  flat_.clip_grad_norm(grad_clip_);
  optimizer_step(*optimizer_);
}

}  // namespace pavlov::nets
