// pavlov::nets::UNet: the U-Net of Ronneberger, Fischer & Brox (2015) at a
// small scale, for per-pixel classification ([net] type = "unet"). Each level
// of the contracting path is two 3x3 convolutions (padding 1, batch norm when
// asked, ReLU), then a 2x2 max pool; the expanding path goes back up with 2x2
// transposed convolutions, each followed by concatenation with the same
// level's features (the skip connection) and two 3x3 convolutions; a 1x1
// convolution gives one logit per class and pixel. [net] channels = [16, 32,
// 64] are the widths of the levels; images need sides divisible by 2^(levels-1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

namespace pavlov {
class Config;
}

namespace pavlov::nets {

struct UNetOptions {
  std::int64_t in_channels = 3, classes = 2;
  std::vector<std::int64_t> channels = {16, 32, 64};
  bool batch_norm = true;
};

class UNetImpl : public torch::nn::Module {
 public:
  explicit UNetImpl(UNetOptions options);
  // [B, in_channels, H, W] -> [B, classes, H, W]
  torch::Tensor forward(torch::Tensor x);

  UNetOptions options;

 private:
  torch::nn::ModuleList down_, up_, merge_;
  torch::nn::Conv2d head_{nullptr};
};
TORCH_MODULE(UNet);

// [net] type = "unet"'s options from a config table.
UNetOptions unet_options_from(const Config& cfg, const std::string& table, std::int64_t in_channels, std::int64_t classes);

}  // namespace pavlov::nets
