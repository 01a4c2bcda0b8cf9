#include "nets/dcgan.h"

#include <stdexcept>
#include <string>
#include <torch/torch.h>

#include "engine/config/catalog.h"
#include "engine/config/experiment.h"

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

}  // namespace pavlov::nets
