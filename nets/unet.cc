#include "nets/unet.h"

#include <stdexcept>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/pooling.h>
#include <torch/torch.h>

#include "engine/config/catalog.h"
#include "engine/config/experiment.h"

namespace pavlov::nets {
namespace {

const bool kRegistered = [] {
  KeySpec channels{.name = "channels", .type = KeyType::kIntList, .default_value = std::vector<std::int64_t>{16, 32, 64},
                   .help = "widths of the U-Net's levels, from the input down", .min = 1, .max = 4096};
  KeySpec norm{.name = "norm", .type = KeyType::kString, .default_value = std::string("batch"),
               .help = "after each convolution: batch (BatchNorm2d) or none"};
  norm.choices = {"batch", "none"};
  Catalog::global().add({"net", "unet", "U-Net for per-pixel classes ([task] kind = \"segment\")", {channels, norm}});
  return true;
}();

// Two 3x3 convolutions, each followed by batch norm (if asked) and ReLU.
torch::nn::Sequential double_conv(std::int64_t in, std::int64_t out, bool batch_norm) {
  torch::nn::Sequential s;
  for (std::int64_t c : {in, out}) {
    s->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(c, out, 3).padding(1).bias(!batch_norm)));
    if (batch_norm) s->push_back(torch::nn::BatchNorm2d(out));
    s->push_back(torch::nn::ReLU());
  }
  return s;
}

}  // namespace

UNetImpl::UNetImpl(UNetOptions opts) : options(std::move(opts)) {
  if (options.channels.empty()) throw std::invalid_argument("unet: [net] channels needs at least one level");
  std::int64_t in = options.in_channels;
  for (std::int64_t c : options.channels) {
    down_->push_back(double_conv(in, c, options.batch_norm));
    in = c;
  }
  for (std::size_t level = options.channels.size() - 1; level > 0; --level) {
    const std::int64_t from = options.channels[level], to = options.channels[level - 1];
    up_->push_back(torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(from, to, 2).stride(2)));
    merge_->push_back(double_conv(2 * to, to, options.batch_norm));
  }
  head_ = torch::nn::Conv2d(torch::nn::Conv2dOptions(options.channels.front(), options.classes, 1));
  register_module("down", down_);
  register_module("up", up_);
  register_module("merge", merge_);
  register_module("head", head_);
}

torch::Tensor UNetImpl::forward(torch::Tensor x) {
  const std::int64_t levels = static_cast<std::int64_t>(options.channels.size());
  const std::int64_t step = std::int64_t{1} << (levels - 1);
  if (x.size(2) % step != 0 || x.size(3) % step != 0)
    throw std::invalid_argument("unet: images of " + std::to_string(x.size(2)) + "x" + std::to_string(x.size(3)) +
                                " pixels; with " + std::to_string(levels) + " levels their sides must be multiples of " +
                                std::to_string(step));
  std::vector<torch::Tensor> skips;
  for (std::int64_t l = 0; l < levels; ++l) {
    if (l > 0) x = torch::max_pool2d(x, 2);
    x = down_[static_cast<std::size_t>(l)]->as<torch::nn::Sequential>()->forward(x);
    skips.push_back(x);
  }
  for (std::int64_t k = 0; k + 1 < levels; ++k) {
    x = up_[static_cast<std::size_t>(k)]->as<torch::nn::ConvTranspose2d>()->forward(x);
    x = torch::cat({skips[static_cast<std::size_t>(levels - 2 - k)], x}, 1);
    x = merge_[static_cast<std::size_t>(k)]->as<torch::nn::Sequential>()->forward(x);
  }
  return head_(x);
}

UNetOptions unet_options_from(const Config& cfg, const std::string& table, std::int64_t in_channels, std::int64_t classes) {
  return {.in_channels = in_channels,
          .classes = classes,
          .channels = cfg.get_int_list(table + ".channels"),
          .batch_norm = cfg.get_string(table + ".norm") == "batch"};
}

}  // namespace pavlov::nets
