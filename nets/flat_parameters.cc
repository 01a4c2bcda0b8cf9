#include "nets/flat_parameters.h"

#include <torch/torch.h>

namespace pavlov::nets {

FlatParameters::FlatParameters(std::vector<torch::Tensor> params) : params_(std::move(params)) {
  std::int64_t total = 0;
  for (const auto& p : params_) total += p.numel();
  const auto options = params_.empty() ? torch::TensorOptions() : params_.front().options();
  flat_ = torch::empty({total}, options);
  grad_ = torch::zeros({total}, options);
  flat_.mutable_grad() = grad_;
  relink();
}

// The flat tensors stay the same objects (an optimizer holds flat_), only
// the parameters are pointed at them again.
void FlatParameters::relink() {
  torch::NoGradGuard no_grad;
  const torch::Tensor& flat = flat_;
  const torch::Tensor& grad = grad_;
  std::int64_t offset = 0;
  for (auto& p : params_) {
    const std::int64_t n = p.numel();
    flat.narrow(0, offset, n).copy_(p.reshape({n}));
    // The parameter becomes a (contiguous) view of the flat storage; its
    // gradient a view of the flat gradient.
    const std::vector<std::int64_t> sizes = p.sizes().vec();
    std::vector<std::int64_t> strides(sizes.size(), 1);
    for (std::int64_t d = static_cast<std::int64_t>(sizes.size()) - 2; d >= 0; --d) strides[d] = strides[d + 1] * sizes[d + 1];
    p.set_(flat.storage(), offset, sizes, strides);
    p.mutable_grad() = grad.narrow(0, offset, n).view(sizes);
    offset += n;
  }
}

torch::Tensor FlatParameters::clip_grad_norm(double max_norm) {
  torch::NoGradGuard no_grad;
  torch::Tensor norm = grad_.norm();
  if (max_norm <= 0) return norm;
  if (grad_.is_cpu()) {
    const double coef = max_norm / (norm.item<double>() + 1e-6);
    if (coef < 1.0) grad_.mul_(coef);
  } else {  // the factor stays on the device: reading the norm would make the host wait for the GPU
    grad_.mul_((max_norm / (norm + 1e-6)).clamp_max(1.0));
  }
  return norm;
}

}  // namespace pavlov::nets
