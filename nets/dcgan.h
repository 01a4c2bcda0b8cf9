// pavlov::nets::DcganGenerator and DcganDiscriminator: a DCGAN (Radford,
// Metz and Chintala, 2016) for small square images, e.g. Fashion-MNIST's
// 28x28 (the side must be divisible by 4):
//
//   generator      z [B, latent] -> Linear -> [2w, side/4, side/4], BatchNorm, ReLU
//                  -> 4x4/2 transposed conv to [w, side/2, side/2], BatchNorm, ReLU
//                  -> 4x4/2 transposed conv to [channels, side, side], tanh (pixels in [-1, 1])
//   discriminator  x [B, channels * side * side] -> 4x4/2 conv to w, LeakyReLU(0.2)
//                  -> 4x4/2 conv to 2w, BatchNorm, LeakyReLU(0.2) -> Linear to one logit
//
// with the paper's choices: strided convolutions instead of pooling, batch
// norm in both networks except the generator's output and the
// discriminator's input layer, ReLU / LeakyReLU, and weights initialised
// from N(0, 0.02) (batch-norm scales from N(1, 0.02)). w is `width`.
#pragma once

#include <cstdint>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/optim/optimizer.h>

namespace pavlov {
class Config;
}

namespace pavlov::nets {

struct DcganOptions {
  std::int64_t latent = 100, width = 64, channels = 1, side = 28;
};

// [net] type = "dcgan" of an experiment file, for images of `channels` x `side` x `side`.
DcganOptions dcgan_options_from(const Config& cfg, std::int64_t channels, std::int64_t side);

class DcganGeneratorImpl : public torch::nn::Module {
 public:
  explicit DcganGeneratorImpl(DcganOptions options);
  // z [B, latent] -> images [B, channels * side * side] in [-1, 1]
  torch::Tensor forward(const torch::Tensor& z);

  DcganOptions options;

 private:
  torch::nn::Linear project_{nullptr};
  torch::nn::BatchNorm2d bn0_{nullptr}, bn1_{nullptr};
  torch::nn::ConvTranspose2d up1_{nullptr}, up2_{nullptr};
};
TORCH_MODULE(DcganGenerator);

class DcganDiscriminatorImpl : public torch::nn::Module {
 public:
  explicit DcganDiscriminatorImpl(DcganOptions options);
  // images [B, channels * side * side] in [-1, 1] -> logits [B] (real: high)
  torch::Tensor forward(const torch::Tensor& x);

  DcganOptions options;

 private:
  torch::nn::Conv2d down1_{nullptr}, down2_{nullptr};
  torch::nn::BatchNorm2d bn2_{nullptr};
  torch::nn::Linear logit_{nullptr};
};
TORCH_MODULE(DcganDiscriminator);

class FlatParameters;

// The networks of a GAN and their optimizers (over FlatParameters' flat tensors).
struct GanModels {
  DcganGenerator generator{nullptr};
  DcganDiscriminator discriminator{nullptr};
  FlatParameters* g_flat = nullptr;
  FlatParameters* d_flat = nullptr;
  torch::optim::Optimizer* g_optimizer = nullptr;
  torch::optim::Optimizer* d_optimizer = nullptr;
};

struct GanStep {
  torch::Tensor d_loss, g_loss;  // 0-dim, detached
  torch::Tensor d_real, d_fake;  // mean D(x) of the real images and of the fakes, before the step
};

// One training step on real images [B, pixels] in [-1, 1]: the discriminator
// one step on them (target 1) and on the generator's fakes from fresh noise
// (target 0); then the generator one step on the updated discriminator's
// scores of the same fakes (target 1: Goodfellow et al.'s non-saturating
// loss). Gradients clipped to `grad_clip` (0: not clipped).
GanStep gan_step(GanModels& m, const torch::Tensor& real, double grad_clip);

}  // namespace pavlov::nets
