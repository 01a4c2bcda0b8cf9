#include "nets/mlp_backprop.h"

#include "nets/fast_tanh.h"

#include <stdexcept>
#include <type_traits>
#include <torch/torch.h>

namespace pavlov::nets {

namespace {
bool unpadded(const torch::nn::Conv2dOptions::padding_t& p) {
  if (c10::holds_alternative<torch::enumtype::kValid>(p)) return true;
  const auto* sizes = c10::get_if<torch::ExpandingArray<2>>(&p);
  return sizes && (**sizes)[0] == 0 && (**sizes)[1] == 0;
}
}  // namespace

bool MlpBackprop::supports(const std::string& a) {
  return a == "relu" || a == "leaky_relu" || a == "tanh" || a == "sigmoid";
}

MlpBackprop::MlpBackprop(std::vector<torch::nn::Linear> layers, std::string activation, std::int64_t batch,
                         std::optional<ConvFront> front, bool input_grad)
    : layers_(std::move(layers)), activation_(std::move(activation)), front_(std::move(front)) {
  if (!supports(activation_)) throw std::invalid_argument("MlpBackprop: no hand-written backward for " + activation_);
  const auto options = layers_.front()->weight.options();
  if (front_) {
    const auto& o = front_->conv->options;
    kernel_ = (*o.kernel_size())[0];
    stride_ = (*o.stride())[0];
    const bool plain = (*o.kernel_size())[1] == kernel_ && (*o.stride())[1] == stride_ && (*o.dilation())[0] == 1 &&
                       (*o.dilation())[1] == 1 && o.groups() == 1 && o.bias() &&
                       unpadded(o.padding()) && options.device().is_cpu();
    if (!plain) throw std::invalid_argument("MlpBackprop: the leading convolution must be square, unpadded, with a bias, on the CPU");
    out_h_ = (front_->height - kernel_) / stride_ + 1;
    out_w_ = (front_->width - kernel_) / stride_ + 1;
    const std::int64_t rows = batch * out_h_ * out_w_, out = o.out_channels();
    if (layers_.front()->weight.size(1) != out * out_h_ * out_w_)
      throw std::invalid_argument("MlpBackprop: the first Linear layer does not take the convolution's output");
    cols_ = torch::empty({rows, front_->channels * kernel_ * kernel_}, options);
    for (torch::Tensor* t : {&fz_, &fh_, &fdz_, &fdh_}) *t = torch::empty({rows, out}, options);
    flat_ = torch::empty({batch, out * out_h_ * out_w_}, options);
    dflat_ = torch::empty({batch, out * out_h_ * out_w_}, options);
  }
  if (input_grad) dx_ = torch::empty({batch, layers_.front()->weight.size(1)}, options);
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

void MlpBackprop::gather_patches(const torch::Tensor& x) {
  const std::int64_t batch = x.size(0), c = front_->channels, h = front_->height, w = front_->width, k = kernel_;
  const float scale = static_cast<float>(front_->input_scale);
  float* out = cols_.data_ptr<float>();
  // K: the kernel size when known at compile time (MinAtar's 3: the row copies unroll), else 0.
  auto gather = [&]<std::int64_t K>(const auto* in, std::integral_constant<std::int64_t, K>) {
    const std::int64_t kk = K ? K : k;
    for (std::int64_t b = 0; b < batch; ++b)
      for (std::int64_t oy = 0; oy < out_h_; ++oy)
        for (std::int64_t ox = 0; ox < out_w_; ++ox) {
          const auto* corner = in + b * c * h * w + oy * stride_ * w + ox * stride_;
          for (std::int64_t ch = 0; ch < c; ++ch)
            for (std::int64_t ky = 0; ky < kk; ++ky) {
              const auto* row = corner + (ch * h + ky) * w;
              for (std::int64_t kx = 0; kx < kk; ++kx) out[kx] = static_cast<float>(row[kx]) * scale;
              out += kk;
            }
        }
  };
  const bool bytes = x.scalar_type() == torch::kUInt8;
  if (k == 3 && bytes) gather(x.data_ptr<std::uint8_t>(), std::integral_constant<std::int64_t, 3>{});
  else if (k == 3) gather(x.data_ptr<float>(), std::integral_constant<std::int64_t, 3>{});
  else if (bytes) gather(x.data_ptr<std::uint8_t>(), std::integral_constant<std::int64_t, 0>{});
  else gather(x.data_ptr<float>(), std::integral_constant<std::int64_t, 0>{});
}

void MlpBackprop::front_forward(const torch::Tensor& x) {
  if (!x.is_contiguous() || x.size(0) * out_h_ * out_w_ != cols_.size(0) ||
      x.numel() != x.size(0) * front_->channels * front_->height * front_->width)
    throw std::invalid_argument("MlpBackprop: the input does not match the convolution's batch and image size");
  gather_patches(x);
  const auto& conv = front_->conv;
  const std::int64_t out = conv->weight.size(0), positions = out_h_ * out_w_;
  torch::addmm_out(fz_, conv->bias, cols_, conv->weight.view({out, -1}).t());
  activate(fh_, fz_);
  // [batch, positions, channels] -> [batch, channels, positions]: flatten(1)'s order.
  flat_.view({-1, out, positions}).copy_(fh_.view({-1, positions, out}).transpose(1, 2));
}

void MlpBackprop::front_backward(const torch::Tensor& grad_flat) {
  const auto& conv = front_->conv;
  const std::int64_t out = conv->weight.size(0), positions = out_h_ * out_w_;
  fdh_.view({-1, positions, out}).copy_(grad_flat.view({-1, out, positions}).transpose(1, 2));
  activate_backward(fdz_, fdh_, fz_, fh_);
  torch::Tensor wgrad = conv->weight.mutable_grad().view({out, -1});
  torch::Tensor bgrad = conv->bias.mutable_grad();
  torch::mm_out(wgrad, fdz_.t(), cols_);
  torch::sum_out(bgrad, fdz_, {0});
}

const torch::Tensor& MlpBackprop::forward(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  if (front_) front_forward(x);
  input_ = front_ ? flat_ : x;
  const torch::Tensor* h = &input_;
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
  backward_layers(grad_out);
  if (front_) backward_front();
}

void MlpBackprop::backward_front(const torch::Tensor& shared_grad) {
  if (!front_) throw std::logic_error("MlpBackprop::backward_front: this network has no convolution");
  torch::NoGradGuard no_grad;
  if (shared_grad.defined()) dflat_.add_(shared_grad);
  front_backward(dflat_);
}

void MlpBackprop::backward_layers(const torch::Tensor& grad_out) {
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
    if (l == 0) {
      if (front_) torch::mm_out(dflat_, *dz, layer->weight);
      else if (dx_.defined()) torch::mm_out(dx_, *dz, layer->weight);
      break;
    }
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
