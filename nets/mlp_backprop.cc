#include "nets/mlp_backprop.h"

#include "nets/fast_tanh.h"

#include <stdexcept>
#include <torch/torch.h>

namespace pavlov::nets {

bool MlpBackprop::supports(const std::string& a) {
  return a == "relu" || a == "leaky_relu" || a == "tanh" || a == "sigmoid";
}

MlpBackprop::MlpBackprop(std::vector<torch::nn::Linear> layers, std::string activation, std::int64_t batch)
    : layers_(std::move(layers)), activation_(std::move(activation)) {
  if (!supports(activation_)) throw std::invalid_argument("MlpBackprop: no hand-written backward for " + activation_);
  const auto options = layers_.front()->weight.options();
  for (const auto& l : layers_) {
    const std::int64_t out = l->weight.size(0);
    z_.push_back(torch::empty({batch, out}, options));
    h_.push_back(torch::empty({batch, out}, options));
    dz_.push_back(torch::empty({batch, out}, options));
    dh_.push_back(torch::empty({batch, out}, options));
  }
}

void MlpBackprop::activate(torch::Tensor& out, const torch::Tensor& z) {
  if (activation_ == "relu") torch::clamp_min_out(out, z, 0);
  else if (activation_ == "leaky_relu") torch::leaky_relu_out(out, z, 0.01);
  else if (activation_ == "tanh" && z.is_cpu()) fast_tanh(z.data_ptr<float>(), out.data_ptr<float>(), z.numel());
  else if (activation_ == "tanh") torch::tanh_out(out, z);
  else torch::sigmoid_out(out, z);
}

void MlpBackprop::activate_backward(torch::Tensor& out, const torch::Tensor& grad, const torch::Tensor& z,
                                    const torch::Tensor& h) {
  if (activation_ == "relu") torch::threshold_backward_out(out, grad, z, 0);
  else if (activation_ == "leaky_relu") torch::leaky_relu_backward_out(out, grad, z, 0.01, false);
  else if (activation_ == "tanh") torch::tanh_backward_out(out, grad, h);
  else torch::sigmoid_backward_out(out, grad, h);
}

const torch::Tensor& MlpBackprop::forward(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  input_ = x;
  const torch::Tensor* h = &x;
  const std::size_t n = layers_.size();
  for (std::size_t l = 0; l < n; ++l) {
    const auto& layer = layers_[l];
    torch::addmm_out(z_[l], layer->bias, *h, layer->weight.t());
    if (l + 1 == n) return z_[l];
    activate(h_[l], z_[l]);
    h = &h_[l];
  }
  return z_.back();
}

void MlpBackprop::backward(const torch::Tensor& grad_out) {
  torch::NoGradGuard no_grad;
  const std::size_t n = layers_.size();
  const torch::Tensor* dz = &grad_out;
  for (std::size_t l = n; l-- > 0;) {
    auto& layer = layers_[l];
    const torch::Tensor& below = l == 0 ? input_ : h_[l - 1];
    torch::Tensor wgrad = layer->weight.mutable_grad();
    torch::Tensor bgrad = layer->bias.mutable_grad();
    torch::mm_out(wgrad, dz->t(), below);
    torch::sum_out(bgrad, *dz, {0});
    if (l == 0) break;
    torch::mm_out(dh_[l - 1], *dz, layer->weight);
    activate_backward(dz_[l - 1], dh_[l - 1], z_[l - 1], h_[l - 1]);
    dz = &dz_[l - 1];
  }
}

std::vector<torch::nn::Linear> plain_layers(const MLP& torso, const torch::nn::Linear& head) {
  const MLPOptions& t = torso->options;
  if (t.dropout() > 0 || t.norm() != "none" || !MlpBackprop::supports(t.activation())) return {};
  std::vector<torch::nn::Linear> out;
  for (const auto& m : torso->modules(/*include_self=*/false))
    if (auto l = std::dynamic_pointer_cast<torch::nn::LinearImpl>(m)) out.emplace_back(l);
  out.push_back(head);
  return out;
}

}  // namespace pavlov::nets
