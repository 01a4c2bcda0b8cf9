// pavlov::nets::Vae: a variational autoencoder (Kingma and Welling, 2014) for
// images whose pixels are Bernoulli variables (binarized Fashion-MNIST).
//
//   encoder  MLP over the pixels, then a Linear to the mean and log-variance
//            of a diagonal Gaussian q(z|x) over `latent` dimensions
//   decoder  MLP over z (the encoder's widths reversed), then a Linear to one
//            logit per pixel: p(x|z) = prod Bernoulli(sigmoid(logit))
//   prior    p(z) = N(0, I)
//
// negative_elbo() is the training loss and the reported score: per image,
// E_q[-log p(x|z)] (one reparameterized sample) + KL(q(z|x) || p(z)) (closed
// form), in nats; it bounds -log p(x) from above. importance_nll() tightens the
// bound with k samples (Burda et al.'s IWAE estimate): -log mean_k w_k,
// w = p(x|z) p(z) / q(z|x), which approaches -log p(x) as k grows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>
#include <vector>

#include "nets/mlp.h"

namespace pavlov {
class Config;
}

namespace pavlov::nets {

struct VaeOptions {
  std::int64_t in_features = 784;
  std::vector<std::int64_t> hidden = {512, 256};  // the encoder's; the decoder runs them backwards
  std::int64_t latent = 16;
  std::string activation = "relu";
};

// [net] type = "vae" of an experiment file, for `in_features` pixels.
VaeOptions vae_options_from(const Config& cfg, std::int64_t in_features);

class VaeImpl : public torch::nn::Module {
 public:
  explicit VaeImpl(VaeOptions options);

  struct Posterior {
    torch::Tensor mu, logvar;  // [B, latent]
  };
  // x: [B, in_features] in [0, 1].
  Posterior encode(const torch::Tensor& x);
  // z: [B, latent] -> pixel logits [B, in_features].
  torch::Tensor decode(const torch::Tensor& z);

  struct Terms {
    torch::Tensor reconstruction;  // [B] -log p(x|z) for one z ~ q(z|x), nats
    torch::Tensor kl;              // [B] KL(q(z|x) || N(0, I)), nats
  };
  // The two terms of the negative ELBO of binary images x [B, in_features];
  // the noise comes from `generator`, a CPU generator (LibTorch's default
  // generator of x's device when none).
  Terms negative_elbo(const torch::Tensor& x, c10::optional<at::Generator> generator = c10::nullopt);
  // [B] the importance-weighted estimate of -log p(x) with k samples per
  // image, the noise from the CPU generator `generator`.
  torch::Tensor importance_nll(const torch::Tensor& x, std::int64_t k, at::Generator generator);

  const VaeOptions& options() const { return options_; }

 private:
  VaeOptions options_;
  MLP encoder_{nullptr}, decoder_{nullptr};
  torch::nn::Linear to_posterior_{nullptr}, to_pixels_{nullptr};
};
TORCH_MODULE(Vae);

}  // namespace pavlov::nets
