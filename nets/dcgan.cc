#include "nets/dcgan.h"

#include <stdexcept>
#include <string>
#include <torch/torch.h>

#include "engine/config/catalog.h"
#include "engine/config/experiment.h"
#include "nets/flat_parameters.h"
#include "nets/optim.h"

namespace pavlov::nets {
namespace {

const bool kRegistered = [] {
  Catalog::global().add(
      {"net", "dcgan", "DCGAN generator and discriminator for small images ([task] kind = \"gan\")",
       {{.name = "latent", .type = KeyType::kInt, .default_value = std::int64_t{100},
         .help = "dimensions of the generator's input noise z ~ N(0, I)", .min = 1, .max = 4096},
        {.name = "width", .type = KeyType::kInt, .default_value = std::int64_t{64},
         .help = "channels of the half-resolution feature maps (the quarter-resolution ones have twice as many)",
         .min = 1, .max = 4096}}});
  return true;
}();

// Radford et al.'s initialisation: convolutions and linear layers N(0, 0.02),
// batch-norm scales N(1, 0.02), biases zero.
void dcgan_init(torch::nn::Module& net) {
  torch::NoGradGuard no_grad;
  for (auto& p : net.named_parameters()) {
    const std::string& name = p.key();
    const bool bn = name.rfind("bn", 0) == 0;
    if (name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0) p.value().zero_();
    else if (bn) p.value().normal_(1.0, 0.02);
    else p.value().normal_(0.0, 0.02);
  }
}

}  // namespace

DcganOptions dcgan_options_from(const Config& cfg, std::int64_t channels, std::int64_t side) {
  if (side % 4 != 0)
    throw std::invalid_argument("net type dcgan: images of side " + std::to_string(side) + " (the side must be divisible by 4)");
  return {.latent = cfg.get_int("net.latent"), .width = cfg.get_int("net.width"), .channels = channels, .side = side};
}

DcganGeneratorImpl::DcganGeneratorImpl(DcganOptions o) : options(o) {
  const std::int64_t q = o.side / 4;
  project_ = register_module("project", torch::nn::Linear(torch::nn::LinearOptions(o.latent, 2 * o.width * q * q).bias(false)));
  bn0_ = register_module("bn0", torch::nn::BatchNorm2d(2 * o.width));
  up1_ = register_module("up1", torch::nn::ConvTranspose2d(
                                    torch::nn::ConvTranspose2dOptions(2 * o.width, o.width, 4).stride(2).padding(1).bias(false)));
  bn1_ = register_module("bn1", torch::nn::BatchNorm2d(o.width));
  up2_ = register_module("up2", torch::nn::ConvTranspose2d(
                                    torch::nn::ConvTranspose2dOptions(o.width, o.channels, 4).stride(2).padding(1)));
  dcgan_init(*this);
}

torch::Tensor DcganGeneratorImpl::forward(const torch::Tensor& z) {
  const std::int64_t q = options.side / 4;
  torch::Tensor h = torch::relu(bn0_(project_(z).view({z.size(0), 2 * options.width, q, q})));
  h = torch::relu(bn1_(up1_(h)));
  return torch::tanh(up2_(h)).flatten(1);
}

DcganDiscriminatorImpl::DcganDiscriminatorImpl(DcganOptions o) : options(o) {
  const std::int64_t q = o.side / 4;
  down1_ = register_module("down1", torch::nn::Conv2d(torch::nn::Conv2dOptions(o.channels, o.width, 4).stride(2).padding(1)));
  down2_ = register_module(
      "down2", torch::nn::Conv2d(torch::nn::Conv2dOptions(o.width, 2 * o.width, 4).stride(2).padding(1).bias(false)));
  bn2_ = register_module("bn2", torch::nn::BatchNorm2d(2 * o.width));
  logit_ = register_module("logit", torch::nn::Linear(2 * o.width * q * q, 1));
  dcgan_init(*this);
}

torch::Tensor DcganDiscriminatorImpl::forward(const torch::Tensor& x) {
  const torch::Tensor img = x.view({x.size(0), options.channels, options.side, options.side});
  torch::Tensor h = torch::leaky_relu(down1_(img), 0.2);
  h = torch::leaky_relu(bn2_(down2_(h)), 0.2);
  return logit_(h.flatten(1)).squeeze(1);
}

GanStep gan_step(GanModels& m, const torch::Tensor& real, double grad_clip) {
  const std::int64_t b = real.size(0);
  const torch::Tensor fake = m.generator(torch::randn({b, m.generator->options.latent}, real.options()));
  const torch::Tensor ones = torch::ones({b}, real.options()), zeros = torch::zeros({b}, real.options());
  const torch::Tensor real_logits = m.discriminator(real), fake_logits = m.discriminator(fake.detach());
  const torch::Tensor d_loss = torch::binary_cross_entropy_with_logits(real_logits, ones) +
                               torch::binary_cross_entropy_with_logits(fake_logits, zeros);
  m.d_flat->zero_grad();
  d_loss.backward();
  m.d_flat->clip_grad_norm(grad_clip);
  optimizer_step(*m.d_optimizer);
  const torch::Tensor g_loss = torch::binary_cross_entropy_with_logits(m.discriminator(fake), ones);
  m.g_flat->zero_grad();
  g_loss.backward();
  m.g_flat->clip_grad_norm(grad_clip);
  optimizer_step(*m.g_optimizer);
  return {d_loss.detach(), g_loss.detach(), torch::sigmoid(real_logits.detach()).mean(),
          torch::sigmoid(fake_logits.detach()).mean()};
}

}  // namespace pavlov::nets
