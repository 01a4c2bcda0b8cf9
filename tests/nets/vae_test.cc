// nets/vae.h: the terms of the negative ELBO against independent estimates,
// the importance-weighted bound, and learning a distribution whose entropy
// is known.
#include <doctest/doctest.h>

#include <ATen/CPUGeneratorImpl.h>
#include <cmath>
#include <torch/torch.h>

#include "nets/vae.h"

using pavlov::nets::Vae;
using pavlov::nets::VaeOptions;

namespace {

// Binary images of 16 pixels: one of two prototypes (each with probability
// 1/2), every pixel flipped with probability 0.05. Entropy per image:
// log 2 + 16 H(0.05) = 3.869 nats, a floor no model's -log p(x) can pass.
torch::Tensor two_prototypes(std::int64_t n, at::Generator gen) {
  const torch::Tensor a = torch::tensor({1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0}, torch::kFloat32);
  const torch::Tensor which = torch::bernoulli(torch::full({n, 1}, 0.5), gen);
  const torch::Tensor clean = which * a + (1 - which) * (1 - a);
  const torch::Tensor flip = torch::bernoulli(torch::full({n, 16}, 0.05), gen);
  return (clean + flip).remainder(2);
}

}  // namespace

TEST_CASE("vae: the KL term is KL(q || N(0, I)), as a Monte-Carlo estimate of E_q[log q - log p] finds it") {
  torch::manual_seed(3);
  Vae vae(VaeOptions{.in_features = 16, .hidden = {32}, .latent = 3});
  const torch::Tensor x = two_prototypes(4, at::detail::createCPUGenerator(1));
  torch::NoGradGuard no_grad;
  const auto terms = vae->negative_elbo(x, at::detail::createCPUGenerator(2));
  const auto q = vae->encode(x);
  // 200k draws of z ~ q(z|x) per image: log q(z) - log p(z) averaged.
  const torch::Tensor eps = torch::randn({200000, 4, 3}, at::detail::createCPUGenerator(4));
  const torch::Tensor sd = torch::exp(0.5 * q.logvar);
  const torch::Tensor z = q.mu + eps * sd;
  const torch::Tensor log_q = (-0.5 * eps.square() - torch::log(sd)).sum(2);
  const torch::Tensor log_p = (-0.5 * z.square()).sum(2);
  const torch::Tensor mc = (log_q - log_p).mean(0);
  for (int i = 0; i < 4; ++i) {
    CHECK(terms.kl[i].item<double>() >= 0.0);
    CHECK(terms.kl[i].item<double>() == doctest::Approx(mc[i].item<double>()).epsilon(0.02));
  }
}

TEST_CASE("vae: the reconstruction term is -log p(x|z) of Bernoulli pixels at the sampled z") {
  torch::manual_seed(5);
  Vae vae(VaeOptions{.in_features = 16, .hidden = {32}, .latent = 2});
  const torch::Tensor x = two_prototypes(3, at::detail::createCPUGenerator(6));
  torch::NoGradGuard no_grad;
  const auto terms = vae->negative_elbo(x, at::detail::createCPUGenerator(7));
  // The same z again: the same generator seed draws the same noise.
  const auto q = vae->encode(x);
  const torch::Tensor z = q.mu + torch::randn({3, 2}, at::detail::createCPUGenerator(7)) * torch::exp(0.5 * q.logvar);
  const torch::Tensor p = torch::sigmoid(vae->decode(z)).to(torch::kFloat64);
  const torch::Tensor xd = x.to(torch::kFloat64);
  const torch::Tensor by_hand = -(xd * torch::log(p) + (1 - xd) * torch::log(1 - p)).sum(1);
  for (int i = 0; i < 3; ++i)
    CHECK(terms.reconstruction[i].item<double>() == doctest::Approx(by_hand[i].item<double>()).epsilon(1e-4));
}

TEST_CASE("vae: learns two noisy prototypes to near their entropy; the importance-weighted bound is tighter") {
  torch::manual_seed(8);
  Vae vae(VaeOptions{.in_features = 16, .hidden = {32}, .latent = 2});
  torch::optim::Adam adam(vae->parameters(), torch::optim::AdamOptions(1e-2));
  at::Generator data = at::detail::createCPUGenerator(9);
  const torch::Tensor test = two_prototypes(2000, at::detail::createCPUGenerator(10));
  auto nelbo = [&] {
    torch::NoGradGuard no_grad;
    const auto t = vae->negative_elbo(test, at::detail::createCPUGenerator(11));
    return (t.reconstruction + t.kl).mean().item<double>();
  };
  const double before = nelbo();
  CHECK(before > 10.0);  // about 16 log 2 = 11.1 nats for a net that knows nothing
  for (int step = 0; step < 600; ++step) {
    const auto t = vae->negative_elbo(two_prototypes(128, data));
    const torch::Tensor loss = (t.reconstruction + t.kl).mean();
    adam.zero_grad();
    loss.backward();
    adam.step();
  }
  const double after = nelbo();
  const double iw = vae->importance_nll(test, 50, at::detail::createCPUGenerator(12)).mean().item<double>();
  MESSAGE("-ELBO " << before << " -> " << after << " nats, IW(50) " << iw << ", entropy 3.869");
  CHECK(after < 5.0);
  CHECK(iw < after);
  CHECK(iw > 3.869 - 0.15);  // an estimate of -log p(x) cannot pass the entropy by more than its noise
}
