#include "nets/continuous_control.h"

#include <torch/torch.h>

namespace pavlov::nets {

PolicyNetImpl::PolicyNetImpl(MLPOptions torso, std::int64_t outputs) {
  torso_ = register_module("torso", MLP(std::move(torso)));
  head_ = register_module("head", torch::nn::Linear(torso_->out_features(), outputs));
}

torch::Tensor PolicyNetImpl::forward(const torch::Tensor& obs) { return head_(torso_(obs)); }

QCriticImpl::QCriticImpl(MLPOptions torso) {
  torso_ = register_module("torso", MLP(std::move(torso)));
  head_ = register_module("head", torch::nn::Linear(torso_->out_features(), 1));
}

torch::Tensor QCriticImpl::forward(const torch::Tensor& obs, const torch::Tensor& action) {
  return head_(torso_(torch::cat({obs, action}, 1))).squeeze(1);
}

}  // namespace pavlov::nets
