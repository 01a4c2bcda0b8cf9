// gSDE (nets/gsde.h): the log-probability is that of the Gaussian the noise
// phi(s) theta really has, and the weights are drawn with the variance the
// log-probability assumes.
#include <doctest/doctest.h>

#include <cmath>
#include <torch/torch.h>

#include "nets/continuous_control.h"
#include "nets/gsde.h"

namespace {

// log pi(a | s) of one row written out with loops: u_a = mean_a + sum_l phi_l theta_la
// ~ N(mean_a, sum_l phi_l^2 sigma_la^2 + 1e-6), a = tanh(u).
double log_prob_by_hand(const torch::Tensor& phi, const torch::Tensor& mean, const torch::Tensor& log_std,
                        const torch::Tensor& theta) {
  const auto L = phi.size(0), A = mean.size(0);
  double total = 0;
  for (std::int64_t a = 0; a < A; ++a) {
    double noise = 0, var = 1e-6;
    for (std::int64_t l = 0; l < L; ++l) {
      const double p = phi[l].item<double>(), s = std::exp(log_std[l][a].item<double>());
      noise += p * theta[l][a].item<double>();
      var += p * p * s * s;
    }
    const double u = mean[a].item<double>() + noise, t = std::tanh(u);
    total += -0.5 * noise * noise / var - 0.5 * std::log(var) - 0.5 * std::log(2 * M_PI) - std::log(1 - t * t + 1e-6);
  }
  return total;
}

}  // namespace

TEST_CASE("gsde: the log-probability is the Gaussian of mean + phi theta, squashed, for shared and per-row weights") {
  torch::manual_seed(3);
  const auto opts = torch::TensorOptions(torch::kFloat64);
  const torch::Tensor phi = torch::randn({3, 4}, opts), mean = torch::randn({3, 2}, opts) * 0.5;
  const torch::Tensor log_std = torch::randn({4, 2}, opts) * 0.3 - 1.0;
  const torch::Tensor shared = pavlov::nets::gsde_weights(log_std);
  const torch::Tensor per_row = pavlov::nets::gsde_weights(log_std, 3);
  REQUIRE(shared.sizes() == torch::IntArrayRef({4, 2}));
  REQUIRE(per_row.sizes() == torch::IntArrayRef({3, 4, 2}));

  const auto s = pavlov::nets::gsde_sample(phi, mean, log_std, shared);
  const auto r = pavlov::nets::gsde_sample(phi, mean, log_std, per_row);
  for (std::int64_t i = 0; i < 3; ++i) {
    REQUIRE(s.log_prob[i].item<double>() == doctest::Approx(log_prob_by_hand(phi[i], mean[i], log_std, shared)).epsilon(1e-12));
    REQUIRE(r.log_prob[i].item<double>() == doctest::Approx(log_prob_by_hand(phi[i], mean[i], log_std, per_row[i])).epsilon(1e-12));
    // The action is tanh(mean + phi theta) with this row's weights.
    const torch::Tensor u = mean[i] + phi[i].unsqueeze(0).mm(per_row[i]).squeeze(0);
    REQUIRE(torch::allclose(r.action[i], torch::tanh(u), 1e-12, 1e-12));
  }
  // Rows with their own weights get other actions than rows sharing one matrix.
  REQUIRE(!torch::allclose(s.action, r.action));
}

TEST_CASE("gsde: the weights' draws give phi theta the variance the log-probability assumes") {
  torch::manual_seed(5);
  const torch::Tensor phi = torch::tensor({0.5, -1.0, 2.0}, torch::kFloat64).unsqueeze(0);  // [1, 3]
  const torch::Tensor log_std = torch::tensor({{-1.0, 0.0}, {-2.0, -0.5}, {-3.0, -1.0}}, torch::kFloat64);
  const torch::Tensor theta = pavlov::nets::gsde_weights(log_std, 40000);                    // [40000, 3, 2]
  const torch::Tensor noise = torch::bmm(phi.expand({40000, 3}).unsqueeze(1), theta).squeeze(1);  // [40000, 2]
  const torch::Tensor expected = phi.square().mm((2 * log_std).exp()).squeeze(0);             // sum_l phi_l^2 sigma_la^2
  for (int a = 0; a < 2; ++a) {
    // 40000 draws: the mean's standard error is sqrt(var) / 200, the variance's relative one 0.7 %.
    REQUIRE(std::abs(noise.select(1, a).mean().item<double>()) < 0.03 * std::sqrt(expected[a].item<double>()));
    REQUIRE(noise.select(1, a).var().item<double>() == doctest::Approx(expected[a].item<double>()).epsilon(0.03));
  }
}

TEST_CASE("gsde: the policy net holds the log std matrix as a trainable parameter, set to its initial value") {
  pavlov::nets::MLPOptions torso(5);
  torso.hidden({8, 6});
  pavlov::nets::PolicyNet plain(torso, 4), sde(torso, 2, -3.0);
  REQUIRE(!plain->gsde_log_std().defined());
  REQUIRE(sde->gsde_log_std().sizes() == torch::IntArrayRef({6, 2}));
  REQUIRE(torch::all(sde->gsde_log_std() == -3.0).item<bool>());
  REQUIRE(sde->parameters().size() == plain->parameters().size() + 1);
  REQUIRE(sde->named_parameters().contains("log_std"));
  const torch::Tensor obs = torch::randn({7, 5});
  REQUIRE(sde->forward(obs).sizes() == torch::IntArrayRef({7, 2}));
  REQUIRE(torch::equal(sde->forward(obs), sde->head(sde->features(obs))));
}
