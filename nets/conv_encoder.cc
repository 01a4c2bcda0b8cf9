#include "nets/conv_encoder.h"

#include <stdexcept>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>

#include "engine/config/experiment.h"
#include "engine/env/space.h"
#include "nets/activation.h"

namespace pavlov::nets {
namespace {

std::string shape_text(const std::vector<std::int64_t>& s) {
  std::string t = "(";
  for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + ")";
}

}  // namespace

bool is_conv_net(const std::string& type) {
  return type == "minatar_cnn" || type == "nature_cnn" || type == "impala_cnn" || type == "small_cnn" ||
         type == "resnet";
}

ResidualBlockImpl::ResidualBlockImpl(std::int64_t channels) {
  conv0_ = register_module("conv0", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).padding(1)));
  conv1_ = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).padding(1)));
}

torch::Tensor ResidualBlockImpl::forward(torch::Tensor x) {
  return x + conv1_(torch::relu(conv0_(torch::relu(x))));
}

PreActBlockImpl::PreActBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride) {
  using torch::nn::Conv2dOptions;
  bn0_ = register_module("bn0", torch::nn::BatchNorm2d(in));
  conv0_ = register_module("conv0", torch::nn::Conv2d(Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)));
  bn1_ = register_module("bn1", torch::nn::BatchNorm2d(out));
  conv1_ = register_module("conv1", torch::nn::Conv2d(Conv2dOptions(out, out, 3).padding(1).bias(false)));
  if (in != out || stride != 1)
    projection_ = register_module("projection", torch::nn::Conv2d(Conv2dOptions(in, out, 1).stride(stride).bias(false)));
}

torch::Tensor PreActBlockImpl::forward(torch::Tensor x) {
  const torch::Tensor a = torch::relu(bn0_(x));
  const torch::Tensor shortcut = projection_ ? projection_(a) : x;
  return conv1_(torch::relu(bn1_(conv0_(a)))) + shortcut;
}

std::optional<ConvEncoderOptions> conv_encoder_from(const Config& cfg, const Space& obs_space, const std::string& table) {
  const std::string type = cfg.get_string(table + ".type");
  if (!is_conv_net(type)) return std::nullopt;
  // uint8 pixels in [0, 255] are scaled to [0, 1]; MinAtar's 0/1 grids stay as they are.
  const double high = obs_space.high().empty() ? 1.0 : obs_space.high()[0];
  return ConvEncoderOptions{type,
                            obs_space.shape(),
                            high > 1.0 ? 1.0 / high : 1.0,
                            cfg.get_string(table + ".activation"),
                            cfg.get_string(table + ".norm"),
                            cfg.get_float(table + ".dropout"),
                            type == "resnet" ? cfg.get_int_list(table + ".channels") : std::vector<std::int64_t>{},
                            type == "resnet" ? cfg.get_int(table + ".blocks") : 0};
}

ConvEncoderImpl::ConvEncoderImpl(ConvEncoderOptions opts) : options(std::move(opts)) {
  const auto& s = options.shape;
  if (s.size() != 3)
    throw std::invalid_argument("net type " + options.type + " needs image observations of 3 dimensions, got shape " +
                                shape_text(s));
  const ImageLayout layout = image_layout(s);
  channels_last_ = layout.channels_last;
  c_ = layout.channels;
  h_ = layout.height;
  w_ = layout.width;
  using torch::nn::Conv2dOptions;
  std::int64_t h = h_, w = w_, channels = 0;
  auto conv = [&](std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t stride, std::int64_t pad = 0) {
    if (h + 2 * pad < k || w + 2 * pad < k)
      throw std::invalid_argument("net type " + options.type + ": observations of shape " + shape_text(s) +
                                  " are too small for its " + std::to_string(k) + "x" + std::to_string(k) + " convolution");
    convs_->push_back(torch::nn::Conv2d(Conv2dOptions(in, out, k).stride(stride).padding(pad)));
    if (options.norm == "batch") convs_->push_back(torch::nn::BatchNorm2d(out));
    if (options.norm == "layer") convs_->push_back(torch::nn::GroupNorm(torch::nn::GroupNormOptions(1, out)));
    convs_->push_back(make_activation(options.activation));
    if (options.dropout > 0) convs_->push_back(torch::nn::Dropout(options.dropout));
    h = (h + 2 * pad - k) / stride + 1;
    w = (w + 2 * pad - k) / stride + 1;
    channels = out;
  };
  auto max_pool2 = [&] {
    convs_->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
    h /= 2;
    w /= 2;
  };
  if (options.type == "minatar_cnn") {
    conv(c_, 16, 3, 1);
  } else if (options.type == "nature_cnn") {
    conv(c_, 32, 8, 4);
    conv(32, 64, 4, 2);
    conv(64, 64, 3, 1);
  } else if (options.type == "small_cnn") {
    conv(c_, 32, 3, 1, 1);
    max_pool2();
    conv(32, 64, 3, 1, 1);
    max_pool2();
  } else if (options.type == "impala_cnn") {
    std::int64_t in = c_;
    for (std::int64_t out : {16, 32, 32}) {
      convs_->push_back(torch::nn::Conv2d(Conv2dOptions(in, out, 3).padding(1)));
      convs_->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1)));
      convs_->push_back(ResidualBlock(out));
      convs_->push_back(ResidualBlock(out));
      h = (h + 1) / 2;  // 3x3 pool, stride 2, padding 1: ceil(h / 2)
      w = (w + 1) / 2;
      in = out;
    }
    convs_->push_back(torch::nn::ReLU());
    channels = in;
  } else if (options.type == "resnet") {
    if (options.channels.empty() || options.blocks < 1)
      throw std::invalid_argument("net type resnet needs at least one stage ([net] channels) of at least one block");
    convs_->push_back(torch::nn::Conv2d(Conv2dOptions(c_, options.channels[0], 3).padding(1).bias(false)));
    std::int64_t in = options.channels[0];
    for (std::size_t stage = 0; stage < options.channels.size(); ++stage)
      for (std::int64_t b = 0; b < options.blocks; ++b) {
        const std::int64_t stride = stage > 0 && b == 0 ? 2 : 1;
        convs_->push_back(PreActBlock(in, options.channels[stage], stride));
        in = options.channels[stage];
        if (stride == 2) h = (h + 1) / 2, w = (w + 1) / 2;  // 3x3, padding 1, stride 2: ceil(h / 2)
      }
    convs_->push_back(torch::nn::BatchNorm2d(in));
    convs_->push_back(torch::nn::ReLU());
    convs_->push_back(torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions(1)));
    channels = in;
    h = w = 1;
  } else {
    throw std::invalid_argument("unknown convolutional net type '" + options.type + "'");
  }
  out_features_ = channels * h * w;
  register_module("convs", convs_);
}

std::optional<ConvFront> ConvEncoderImpl::plain_front(const std::string& activation) const {
  if (options.type != "minatar_cnn" || options.norm != "none" || options.dropout > 0 || channels_last_ ||
      options.activation != activation)
    return std::nullopt;
  auto conv = std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(convs_->ptr(0));
  if (!conv) return std::nullopt;
  return ConvFront{torch::nn::Conv2d(conv), c_, h_, w_, options.input_scale};
}

torch::Tensor ConvEncoderImpl::forward(torch::Tensor flat) {
  torch::Tensor x = flat.view({flat.size(0), channels_last_ ? h_ : c_, channels_last_ ? w_ : h_, channels_last_ ? c_ : w_});
  if (channels_last_) x = x.permute({0, 3, 1, 2});
  if (options.input_scale != 1.0) x = x * options.input_scale;
  return convs_->forward(x).flatten(1);
}

}  // namespace pavlov::nets
