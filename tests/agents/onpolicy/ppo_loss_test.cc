// PPO's hand-written loss gradient against autograd, for both policy kinds,
// with clipping and value clipping active in part of the batch.
#include <torch/torch.h>
#undef CHECK
#include <doctest/doctest.h>

#include "agents/onpolicy/ppo_loss.h"

using namespace pavlov::agents;

namespace {

void check_against_autograd(bool continuous) {
  torch::manual_seed(continuous ? 11 : 12);
  const std::int64_t n = 64, k = 3;
  const auto out = torch::randn({n, k}).requires_grad_(true);
  const auto values = torch::randn({n}).requires_grad_(true);
  const auto log_std = (torch::randn({k}) * 0.3).requires_grad_(true);
  PpoBatch b;
  b.actions = continuous ? torch::randn({n, k}) : torch::randint(0, k, {n}, torch::kInt64);
  // Old log-probs near the current ones, so that some ratios fall outside [0.8, 1.2] and some inside.
  {
    torch::NoGradGuard g;
    const auto lp = log_prob_entropy(out, log_std, b.actions, continuous).first;
    b.old_log_prob = lp + torch::randn({n}) * 0.3;
    b.old_values = values + torch::randn({n}) * 0.5;
  }
  b.advantages = torch::randn({n});
  b.returns = torch::randn({n});
  const PpoLossOptions o{.continuous = continuous, .clip_range = 0.2, .clip_range_vf = 0.3, .ent_coef = 0.01, .vf_coef = 0.5};

  PpoStats want, got;
  ppo_loss(out, continuous ? log_std : torch::Tensor(), values, b, o, want).backward();
  auto d_out = torch::zeros({n, k}), d_values = torch::zeros({n, 1}), d_log_std = torch::zeros({k});
  const auto out_d = out.detach(), values_d = values.detach(), log_std_d = log_std.detach();
  ppo_loss_grad(out_d, continuous ? log_std_d : torch::Tensor(), values_d, b, o, got, d_out, d_values,
                continuous ? d_log_std : d_log_std);
  CHECK(want.clip_fraction > 0.1);  // the case exercises clipping
  CHECK(want.clip_fraction < 0.9);
  CHECK(got.policy_loss == doctest::Approx(want.policy_loss).epsilon(1e-5));
  CHECK(got.value_loss == doctest::Approx(want.value_loss).epsilon(1e-5));
  CHECK(got.entropy == doctest::Approx(want.entropy).epsilon(1e-5));
  CHECK(got.approx_kl == doctest::Approx(want.approx_kl).epsilon(1e-4));
  CHECK(got.clip_fraction == doctest::Approx(want.clip_fraction));
  CHECK(torch::allclose(d_out, out.grad(), 1e-4, 1e-6));
  CHECK(torch::allclose(d_values.view({n}), values.grad(), 1e-4, 1e-6));
  if (continuous) CHECK(torch::allclose(d_log_std, log_std.grad(), 1e-4, 1e-6));
}

}  // namespace

TEST_CASE("ppo loss: the hand-written gradient equals autograd's (categorical)") { check_against_autograd(false); }
TEST_CASE("ppo loss: the hand-written gradient equals autograd's (diagonal Gaussian)") { check_against_autograd(true); }

TEST_CASE("ppo loss: log-probabilities and entropies of known distributions") {
  // Categorical with logits log([0.5, 0.25, 0.25]).
  const auto logits = torch::tensor({0.5f, 0.25f, 0.25f}).log().view({1, 3});
  auto [lp, ent] = log_prob_entropy(logits, torch::Tensor(), torch::tensor({1}, torch::kInt64), false);
  CHECK(lp.item<double>() == doctest::Approx(std::log(0.25)));
  CHECK(ent.item<double>() == doctest::Approx(-(0.5 * std::log(0.5) + 0.5 * std::log(0.25))));
  // Standard normal in one dimension at a = 1: log N(1; 0, 1) = -0.5 - 0.5 log(2 pi); entropy 0.5 + 0.5 log(2 pi).
  auto [glp, gent] = log_prob_entropy(torch::zeros({1, 1}), torch::zeros({1}), torch::ones({1, 1}), true);
  CHECK(glp.item<double>() == doctest::Approx(-0.5 - 0.5 * std::log(2 * M_PI)));
  CHECK(gent.item<double>() == doctest::Approx(0.5 + 0.5 * std::log(2 * M_PI)));
}
