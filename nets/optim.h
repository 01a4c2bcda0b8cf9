// Optimizers, learning-rate schedules and gradient clipping, chosen by name
// from [optimizer]:
//   name          sgd (momentum, nesterov), adam, adamw, rmsprop (alpha, momentum)
//   lr            the base learning rate
//   schedule      constant | linear (to lr_end) | cosine (to lr_end), over the run
//   weight_decay  L2 penalty (decoupled for adamw)
//   grad_clip     clip the global gradient norm to this (0: off; FlatParameters::clip_grad_norm)
#pragma once

#include <memory>
#include <string>
#include <torch/optim/optimizer.h>
#include <vector>

namespace pavlov {
class Config;
}

namespace pavlov::nets {

// The optimizer [optimizer] describes, over `params`.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const Config& cfg, std::vector<torch::Tensor> params);

// The learning rate at `progress` in [0, 1] of the run.
class LrSchedule {
 public:
  explicit LrSchedule(const Config& cfg);
  double at(double progress) const;
  // Sets every parameter group of `opt` to at(progress).
  void apply(torch::optim::Optimizer& opt, double progress) const;

 private:
  std::string kind_;
  double lr_, lr_end_;
};

// One optimizer step. Adam, AdamW and RMSprop (without momentum or weight
// decay) over a single contiguous float32 CPU tensor (FlatParameters) take a
// fused loop: one pass over the parameters instead of five to eight tensor
// ops, with the same arithmetic and the same optimizer state (so checkpoints
// are interchangeable). Everything else calls opt.step().
void optimizer_step(torch::optim::Optimizer& opt);

}  // namespace pavlov::nets
