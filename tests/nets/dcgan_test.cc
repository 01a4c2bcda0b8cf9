// The DCGAN (nets/dcgan.h): the networks' shapes and initialisation, and
// gan_step learning a two-mode distribution of 8x8 images: after training,
// the generator draws both modes, and draws them cleanly.
#include "nets/dcgan.h"

#include <doctest/doctest.h>

#include <torch/torch.h>

#include "nets/flat_parameters.h"

namespace {
using pavlov::nets::DcganOptions;

constexpr DcganOptions kToy{.latent = 8, .width = 8, .channels = 1, .side = 8};

// Mode 0 lights the top half of the image, mode 1 the bottom half (pixels in {-1, 1}).
torch::Tensor prototypes() {
  torch::Tensor p = -torch::ones({2, 8, 8});
  p[0].slice(0, 0, 4).fill_(1.0);
  p[1].slice(0, 4, 8).fill_(1.0);
  return p.view({2, 64});
}
}  // namespace

TEST_CASE("dcgan: shapes, output range and the paper's initialisation") {
  torch::manual_seed(0);
  const DcganOptions o{.latent = 100, .width = 64, .channels = 1, .side = 28};
  pavlov::nets::DcganGenerator g(o);
  pavlov::nets::DcganDiscriminator d(o);
  const torch::Tensor images = g(torch::randn({5, 100}));
  CHECK(images.sizes() == torch::IntArrayRef({5, 784}));
  CHECK(images.abs().max().item<float>() <= 1.0f);
  CHECK(d(images).sizes() == torch::IntArrayRef({5}));
  for (const auto& p : g->named_parameters())
    if (p.key() == "up1.weight") CHECK(p.value().std().item<double>() == doctest::Approx(0.02).epsilon(0.05));
  for (const auto& p : d->named_parameters()) {
    if (p.key() == "bn2.weight") CHECK(p.value().mean().item<double>() == doctest::Approx(1.0).epsilon(0.01));
    if (p.key() == "down1.bias") CHECK(p.value().abs().max().item<double>() == 0.0);
  }
}

TEST_CASE("dcgan: gan_step learns both modes of a two-mode distribution") {
  torch::manual_seed(1);
  pavlov::nets::DcganGenerator g(kToy);
  pavlov::nets::DcganDiscriminator d(kToy);
  pavlov::nets::FlatParameters g_flat(g->parameters()), d_flat(d->parameters());
  auto adam = [](pavlov::nets::FlatParameters& f) {
    return torch::optim::Adam({f.flat()}, torch::optim::AdamOptions(2e-3).betas({0.5, 0.999}));
  };
  auto g_opt = adam(g_flat), d_opt = adam(d_flat);
  pavlov::nets::GanModels m{g, d, &g_flat, &d_flat, &g_opt, &d_opt};
  const torch::Tensor protos = prototypes();
  pavlov::nets::GanStep last;
  for (int step = 0; step < 400; ++step) {
    const torch::Tensor pick = torch::randint(0, 2, {32}, torch::kInt64);
    const torch::Tensor real = protos.index_select(0, pick) + 0.05 * torch::randn({32, 64});
    last = pavlov::nets::gan_step(m, real.clamp(-1, 1), 0.0);
  }
  CHECK(last.d_loss.dim() == 0);
  torch::NoGradGuard no_grad;
  g->eval();
  const torch::Tensor samples = g(torch::randn({500, 8}));
  // Each sample's distance to the nearer prototype (mean absolute pixel error), and which one.
  const torch::Tensor dist = (samples.unsqueeze(1) - protos.unsqueeze(0)).abs().mean(2);  // [500, 2]
  const auto [nearest, which] = dist.min(1);
  const double share_top = which.eq(0).to(torch::kFloat64).mean().item<double>();
  MESSAGE("mean error to the nearer mode " << nearest.mean().item<double>() << ", share of mode 0 " << share_top);
  CHECK(nearest.mean().item<double>() < 0.25);  // an untrained generator's images are ~1 away (grey, near 0)
  CHECK(share_top > 0.2);                       // both modes drawn: no collapse
  CHECK(share_top < 0.8);
}
