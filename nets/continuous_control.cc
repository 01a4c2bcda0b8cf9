#include "nets/continuous_control.h"

#include <torch/torch.h>

namespace pavlov::nets {

PolicyNetImpl::PolicyNetImpl(MLPOptions torso, std::int64_t outputs, std::optional<double> gsde_log_std_init) {
  torso_ = register_module("torso", MLP(std::move(torso)));
  head_ = register_module("head", torch::nn::Linear(torso_->out_features(), outputs));
  if (gsde_log_std_init)
    log_std_ = register_parameter("log_std", torch::full({torso_->out_features(), outputs}, *gsde_log_std_init));
}

torch::Tensor PolicyNetImpl::features(const torch::Tensor& obs) { return torso_(obs); }
torch::Tensor PolicyNetImpl::head(const torch::Tensor& features) { return head_(features); }

QCriticImpl::QCriticImpl(MLPOptions torso) {
  torso_ = register_module("torso", MLP(std::move(torso)));
  head_ = register_module("head", torch::nn::Linear(torso_->out_features(), 1));
}

torch::Tensor QCriticImpl::forward(const torch::Tensor& obs, const torch::Tensor& action) {
  return head_(torso_(torch::cat({obs, action}, 1))).squeeze(1);
}

}  // namespace pavlov::nets
