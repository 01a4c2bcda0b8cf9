// pavlov::nets::ConvEncoder: convolutional torsos for image and grid
// observations, chosen by `[agent.net] type`:
//
//   minatar_cnn  one 3x3 convolution with 16 channels (stride 1, no padding)
//                and ReLU: the network of the MinAtar paper (Young & Tian,
//                2019), whose fully connected part is [agent.net] hidden = [128]
//   nature_cnn   the DQN Nature network's convolutions (Mnih et al., 2015):
//                8x8/4 with 32 channels, 4x4/2 with 64, 3x3/1 with 64, each
//                followed by ReLU; its fully connected part is hidden = [512]
//   small_cnn    the classic small image classifier's convolutions: two 3x3
//                convolutions (32 and 64 channels, padding 1), each followed
//                by the activation and a 2x2 max pool; hidden = [128]
//   impala_cnn   the IMPALA ResNet encoder (Espeholt et al., 2018): three
//                stacks of a 3x3 convolution (16, 32, 32 channels), a 3x3 max
//                pool of stride 2 (padding 1) and two residual blocks (ReLU,
//                3x3 conv, ReLU, 3x3 conv, plus the input), then ReLU;
//                fully connected part hidden = [256]
//   resnet       a pre-activation ResNet for small images (He et al., 2016,
//                "Identity Mappings in Deep Residual Networks"; the CIFAR
//                layout): a 3x3 stem convolution to channels[0], then per
//                stage `blocks` basic blocks (BN, ReLU, 3x3 conv, BN, ReLU,
//                3x3 conv, plus the input, through a 1x1 projection where the
//                width or size changes), each stage after the first halving
//                the size with stride 2; then BN, ReLU and global average
//                pooling, so out_features() = channels.back(). It always uses
//                batch norm ([net] norm is the MLP's); hidden = [] by default.
//
// The encoder takes the flat observation rows the agents use ([n, numel],
// float32), views them as images and returns [n, out_features()]. Images in
// [C, H, W] (MinAtar) are taken as they are; [H, W, C] with C <= 4 (CarRacing's
// pixels) are permuted. Inputs are multiplied by `input_scale` first (1/255 for
// uint8 pixels in [0, 255], 1 for MinAtar's 0/1 grids).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

namespace pavlov {
class Config;
class Space;
}  // namespace pavlov

namespace pavlov::nets {

struct ConvEncoderOptions {
  std::string type;                 // minatar_cnn, nature_cnn, small_cnn, impala_cnn or resnet
  std::vector<std::int64_t> shape;  // one observation's shape
  double input_scale = 1.0;
  // After each convolution of minatar_cnn and nature_cnn, as the MLP's hidden
  // layers ([agent.net] activation, norm, dropout): norm "batch" is
  // BatchNorm2d, "layer" is GroupNorm with one group (normalising each
  // sample over channels and positions). impala_cnn keeps its own ReLUs.
  std::string activation = "relu", norm = "none";
  double dropout = 0.0;
  // resnet: the stages' widths and the basic blocks per stage.
  std::vector<std::int64_t> channels = {16, 32, 64};
  std::int64_t blocks = 2;
};

// One convolution over channels-first images [C, H, W] (no padding,
// dilation or groups), followed by the activation and flattened as
// flatten(1) does: what MlpBackprop can run ahead of its Linear layers.
struct ConvFront {
  torch::nn::Conv2d conv{nullptr};
  std::int64_t channels = 0, height = 0, width = 0;
  double input_scale = 1.0;
};

class ConvEncoderImpl : public torch::nn::Module {
 public:
  explicit ConvEncoderImpl(ConvEncoderOptions options);
  torch::Tensor forward(torch::Tensor flat);
  std::int64_t out_features() const { return out_features_; }
  // The encoder as a ConvFront when it is one convolution and its activation
  // (minatar_cnn without norm or dropout, channels-first) and that activation
  // is `activation` (MlpBackprop applies one activation to every layer), else nothing.
  std::optional<ConvFront> plain_front(const std::string& activation) const;

  ConvEncoderOptions options;

 private:
  bool channels_last_ = false;
  std::int64_t c_ = 0, h_ = 0, w_ = 0, out_features_ = 0;
  torch::nn::Sequential convs_;
};
TORCH_MODULE(ConvEncoder);

// One residual block of the IMPALA encoder: x + conv(relu(conv(relu(x)))).
class ResidualBlockImpl : public torch::nn::Module {
 public:
  explicit ResidualBlockImpl(std::int64_t channels);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Conv2d conv0_{nullptr}, conv1_{nullptr};
};
TORCH_MODULE(ResidualBlock);

// One pre-activation basic block of `resnet`:
// conv(relu(bn(conv(relu(bn(x)))))) + x, or + a 1x1 projection of relu(bn(x))
// when the block changes the width or (stride 2) the size.
class PreActBlockImpl : public torch::nn::Module {
 public:
  PreActBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::BatchNorm2d bn0_{nullptr}, bn1_{nullptr};
  torch::nn::Conv2d conv0_{nullptr}, conv1_{nullptr}, projection_{nullptr};
};
TORCH_MODULE(PreActBlock);

// True for the net types that have a convolutional encoder.
bool is_conv_net(const std::string& type);
// The encoder [agent.net] type asks for, for observations of `obs_space`; none for mlp.
// `table`: the config table of the network ([agent.net] for agents, [net] for the zoo's tasks).
std::optional<ConvEncoderOptions> conv_encoder_from(const Config& cfg, const Space& obs_space,
                                                    const std::string& table = "agent.net");

}  // namespace pavlov::nets
