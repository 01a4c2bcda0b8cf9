// pavlov::nets::FlatOptimizer: the [optimizer] of an experiment over a set of
// parameters kept in one flat tensor (FlatParameters), with its learning-rate
// schedule and gradient clipping: one step() per gradient step.
#pragma once

#include <memory>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>
#include <vector>

#include "nets/flat_parameters.h"
#include "nets/optim.h"

namespace pavlov::nets {

class FlatOptimizer {
 public:
  FlatOptimizer(const Config& cfg, std::vector<torch::Tensor> params);

  // Zeroes the gradient, back-propagates `loss`, clips to [optimizer]
  // grad_clip, sets the learning rate for `progress` (0..1 of the run), steps.
  void step(const torch::Tensor& loss, double progress);
  // After the parameters' storage was replaced (loading a module).
  void relink() { flat_.relink(); }
  void save(torch::serialize::OutputArchive& a) const { optimizer_->save(a); }
  void load(torch::serialize::InputArchive& a) { optimizer_->load(a); }

 private:
  FlatParameters flat_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  LrSchedule schedule_;
  double grad_clip_;
};

}  // namespace pavlov::nets
