#include "nets/vae.h"

#include <cmath>
#include <stdexcept>
#include <torch/nn/functional/loss.h>
#include <torch/torch.h>

#include "engine/config/catalog.h"
#include "engine/config/experiment.h"

namespace pavlov::nets {
namespace {

const bool kRegistered = [] {
  KeySpec hidden{.name = "hidden", .type = KeyType::kIntList, .default_value = std::vector<std::int64_t>{512, 256},
                 .help = "widths of the encoder's hidden layers; the decoder uses them in reverse", .min = 1, .max = 1 << 20};
  KeySpec latent{.name = "latent", .type = KeyType::kInt, .default_value = std::int64_t{16},
                 .help = "dimensions of the latent Gaussian z", .min = 1, .max = 4096};
  KeySpec act{.name = "activation", .type = KeyType::kString, .default_value = std::string("relu"),
              .help = "activation after each hidden layer (pavlov list activations)"};
  act.names_of = "activation";
  Catalog::global().add({"net", "vae", "variational autoencoder of Bernoulli pixels ([task] kind = \"vae\")",
                         {hidden, latent, act}});
  return true;
}();

constexpr double kLog2Pi = 1.8378770664093453;  // log(2 pi)

}  // namespace

VaeOptions vae_options_from(const Config& cfg, std::int64_t in_features) {
  return {.in_features = in_features,
          .hidden = cfg.get_int_list("net.hidden"),
          .latent = cfg.get_int("net.latent"),
          .activation = cfg.get_string("net.activation")};
}

VaeImpl::VaeImpl(VaeOptions options) : options_(std::move(options)) {
  if (options_.hidden.empty()) throw std::invalid_argument("vae: [net] hidden needs at least one layer");
  const std::vector<std::int64_t> reversed(options_.hidden.rbegin(), options_.hidden.rend());
  encoder_ = register_module("encoder", MLP(MLPOptions(options_.in_features).hidden(options_.hidden).activation(options_.activation)));
  to_posterior_ = register_module("to_posterior", torch::nn::Linear(options_.hidden.back(), 2 * options_.latent));
  decoder_ = register_module("decoder", MLP(MLPOptions(options_.latent).hidden(reversed).activation(options_.activation)));
  to_pixels_ = register_module("to_pixels", torch::nn::Linear(reversed.back(), options_.in_features));
}

VaeImpl::Posterior VaeImpl::encode(const torch::Tensor& x) {
  const auto both = to_posterior_(encoder_(x)).chunk(2, 1);
  return {both[0], both[1]};
}

torch::Tensor VaeImpl::decode(const torch::Tensor& z) { return to_pixels_(decoder_(z)); }

VaeImpl::Terms VaeImpl::negative_elbo(const torch::Tensor& x, c10::optional<at::Generator> generator) {
  const Posterior q = encode(x);
  // A given generator is a CPU one (repeatable scores on any device): its noise is drawn there and moved.
  const torch::Tensor eps = generator ? torch::randn(q.mu.sizes(), generator, q.mu.options().device(torch::kCPU)).to(q.mu.device())
                                      : torch::randn(q.mu.sizes(), q.mu.options());
  const torch::Tensor z = q.mu + eps * torch::exp(0.5 * q.logvar);
  namespace F = torch::nn::functional;
  const torch::Tensor reconstruction =
      F::binary_cross_entropy_with_logits(decode(z), x, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone))
          .sum(1);
  const torch::Tensor kl = 0.5 * (q.mu.square() + q.logvar.exp() - 1 - q.logvar).sum(1);
  return {reconstruction, kl};
}

torch::Tensor VaeImpl::importance_nll(const torch::Tensor& x, std::int64_t k, at::Generator generator) {
  torch::NoGradGuard no_grad;
  const Posterior q = encode(x);
  const std::int64_t b = x.size(0), d = options_.latent;
  const torch::Tensor eps = torch::randn({k, b, d}, generator, q.mu.options().device(torch::kCPU)).to(q.mu.device());
  const torch::Tensor std = torch::exp(0.5 * q.logvar);
  const torch::Tensor z = q.mu.unsqueeze(0) + eps * std.unsqueeze(0);  // [k, B, d]
  namespace F = torch::nn::functional;
  const torch::Tensor log_px_z =
      -F::binary_cross_entropy_with_logits(decode(z.reshape({k * b, d})), x.repeat({k, 1}),
                                           F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone))
           .sum(1)
           .view({k, b});
  const torch::Tensor log_pz = -0.5 * (z.square() + kLog2Pi).sum(2);
  const torch::Tensor log_qz = -0.5 * (eps.square() + q.logvar.unsqueeze(0) + kLog2Pi).sum(2);
  return -(torch::logsumexp(log_px_z + log_pz - log_qz, 0) - std::log(static_cast<double>(k)));
}

}  // namespace pavlov::nets
