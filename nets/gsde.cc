#include "nets/gsde.h"

#include <torch/torch.h>

namespace pavlov::nets {

namespace {
constexpr double kHalfLog2Pi = 0.91893853320467274178;
constexpr double kVarianceFloor = 1e-6;  // SB3's epsilon: keeps the std above 0 where the features vanish
constexpr double kSquashEps = 1e-6;      // inside log(1 - tanh(u)^2 + eps), as SB3's squashed Gaussians
}  // namespace

torch::Tensor gsde_weights(const torch::Tensor& log_std, std::int64_t rows) {
  const torch::Tensor sigma = log_std.exp();
  if (rows == 0) return sigma * torch::randn_like(sigma);
  return sigma.unsqueeze(0) * torch::randn({rows, sigma.size(0), sigma.size(1)}, sigma.options());
}

SquashedSample gsde_sample(const torch::Tensor& features, const torch::Tensor& mean, const torch::Tensor& log_std,
                           const torch::Tensor& theta) {
  const torch::Tensor noise =
      theta.dim() == 2 ? features.mm(theta) : torch::bmm(features.unsqueeze(1), theta).squeeze(1);  // [B, A]
  const torch::Tensor std = (features.square().mm((2.0 * log_std).exp()) + kVarianceFloor).sqrt();
  const torch::Tensor a = torch::tanh(mean + noise);
  const torch::Tensor z = noise / std;
  const torch::Tensor log_prob =
      (-0.5 * z.square() - std.log() - kHalfLog2Pi).sum(1) - torch::log(1.0 - a.square() + kSquashEps).sum(1);
  return {a, log_prob};
}

}  // namespace pavlov::nets
