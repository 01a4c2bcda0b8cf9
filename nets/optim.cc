#include "nets/optim.h"

#include <cmath>
#include <torch/types.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/rmsprop.h>
#include <torch/optim/sgd.h>

#include "engine/config/catalog.h"
#include "engine/config/experiment.h"

namespace pavlov::nets {
namespace {

std::vector<KeySpec> common_keys() {
  KeySpec schedule{.name = "schedule", .type = KeyType::kString, .default_value = std::string("constant"),
                   .help = "learning-rate schedule over the run: constant, linear or cosine (to lr_end)"};
  schedule.names_of = "schedule";
  KeySpec lr{.name = "lr", .type = KeyType::kFloat, .default_value = 1e-3, .help = "learning rate", .min = 0.0, .max = 10.0};
  lr.min_exclusive = true;
  return {lr, schedule,
          {.name = "lr_end", .type = KeyType::kFloat, .default_value = 0.0,
           .help = "learning rate at the end of a linear or cosine schedule", .min = 0.0, .max = 10.0},
          {.name = "weight_decay", .type = KeyType::kFloat, .default_value = 0.0, .help = "weight decay", .min = 0.0, .max = 1.0},
          {.name = "grad_clip", .type = KeyType::kFloat, .default_value = 10.0,
           .help = "clip the global gradient norm to this (0: no clipping)", .min = 0.0, .max = 1e9}};
}

KeySpec eps_key(double def) {
  KeySpec k{.name = "eps", .type = KeyType::kFloat, .default_value = def, .help = "term added to the denominator", .min = 0.0, .max = 1.0};
  k.min_exclusive = true;
  return k;
}

const bool kRegistered = [] {
  auto with = [](std::vector<KeySpec> extra) {
    auto keys = common_keys();
    keys.insert(keys.end(), extra.begin(), extra.end());
    return keys;
  };
  KeySpec momentum{.name = "momentum", .type = KeyType::kFloat, .default_value = 0.0, .help = "momentum factor", .min = 0.0, .max = 1.0};
  Catalog& c = Catalog::global();
  c.add({"optimizer", "sgd", "stochastic gradient descent",
         with({momentum, {.name = "nesterov", .type = KeyType::kBool, .default_value = false, .help = "Nesterov momentum"}})});
  KeySpec beta1{.name = "beta1", .type = KeyType::kFloat, .default_value = 0.9, .help = "decay of the first moment", .min = 0.0, .max = 1.0};
  KeySpec beta2{.name = "beta2", .type = KeyType::kFloat, .default_value = 0.999, .help = "decay of the second moment", .min = 0.0, .max = 1.0};
  c.add({"optimizer", "adam", "Adam (Kingma and Ba, 2015)", with({eps_key(1e-8), beta1, beta2})});
  c.add({"optimizer", "adamw", "Adam with decoupled weight decay (Loshchilov and Hutter, 2019)", with({eps_key(1e-8), beta1, beta2})});
  c.add({"optimizer", "rmsprop", "RMSprop",
         with({eps_key(1e-8), momentum,
               {.name = "alpha", .type = KeyType::kFloat, .default_value = 0.99, .help = "smoothing constant", .min = 0.0, .max = 1.0},
               {.name = "centered", .type = KeyType::kBool, .default_value = false,
                .help = "divide by the gradient's estimated variance, not its second moment (the DQN papers' RMSProp)"}})});
  c.add({"schedule", "constant", "the learning rate stays at lr", {}});
  c.add({"schedule", "linear", "from lr to lr_end linearly over the run", {}});
  c.add({"schedule", "cosine", "from lr to lr_end along half a cosine over the run", {}});
  return true;
}();

}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const Config& cfg, std::vector<torch::Tensor> params) {
  const std::string& name = cfg.get_string("optimizer.name");
  const double lr = cfg.get_float("optimizer.lr");
  const double wd = cfg.get_float("optimizer.weight_decay");
  if (name == "sgd")
    return std::make_unique<torch::optim::SGD>(
        params, torch::optim::SGDOptions(lr).momentum(cfg.get_float("optimizer.momentum")).nesterov(cfg.get_bool("optimizer.nesterov")).weight_decay(wd));
  if (name == "adam")
    return std::make_unique<torch::optim::Adam>(
        params, torch::optim::AdamOptions(lr)
                    .betas({cfg.get_float("optimizer.beta1"), cfg.get_float("optimizer.beta2")})
                    .eps(cfg.get_float("optimizer.eps"))
                    .weight_decay(wd));
  if (name == "adamw")
    return std::make_unique<torch::optim::AdamW>(
        params, torch::optim::AdamWOptions(lr)
                    .betas({cfg.get_float("optimizer.beta1"), cfg.get_float("optimizer.beta2")})
                    .eps(cfg.get_float("optimizer.eps"))
                    .weight_decay(wd));
  if (name == "rmsprop")
    return std::make_unique<torch::optim::RMSprop>(
        params, torch::optim::RMSpropOptions(lr)
                    .alpha(cfg.get_float("optimizer.alpha"))
                    .eps(cfg.get_float("optimizer.eps"))
                    .momentum(cfg.get_float("optimizer.momentum"))
                    .centered(cfg.get_bool("optimizer.centered"))
                    .weight_decay(wd));
  throw std::invalid_argument("unknown optimizer '" + name + "'");
}

LrSchedule::LrSchedule(const Config& cfg)
    : kind_(cfg.get_string("optimizer.schedule")), lr_(cfg.get_float("optimizer.lr")), lr_end_(cfg.get_float("optimizer.lr_end")) {}

double LrSchedule::at(double progress) const {
  const double p = std::clamp(progress, 0.0, 1.0);
  if (kind_ == "linear") return lr_ + (lr_end_ - lr_) * p;
  if (kind_ == "cosine") return lr_end_ + (lr_ - lr_end_) * 0.5 * (1.0 + std::cos(M_PI * p));
  return lr_;
}

void LrSchedule::apply(torch::optim::Optimizer& opt, double progress) const {
  const double lr = at(progress);
  for (auto& group : opt.param_groups()) group.options().set_lr(lr);
}

namespace {

struct AdamArgs {
  float* __restrict w;
  const float* __restrict g;
  float* __restrict m;
  float* __restrict v;
  std::int64_t n;
  float decay, wd_in_grad, b1, b2, c1, c2, step_size, sqrt_bc2, eps;
};

// The element-wise update, compiled for AVX-512, AVX2 and the baseline and
// picked at load time for the CPU at hand (GCC's target_clones): two
// divisions and a square root per weight, 16 lanes instead of 4 on the CI
// machine. The same IEEE operations in every clone (no FMA contraction:
// -ffp-contract=off), so the result does not depend on the CPU.
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void adam_loop(const AdamArgs a) {
  float* __restrict w = a.w;
  const float* __restrict g = a.g;
  float* __restrict m = a.m;
  float* __restrict v = a.v;
  for (std::int64_t i = 0; i < a.n; ++i) {
    w[i] *= a.decay;
    const float gi = g[i] + a.wd_in_grad * w[i];
    m[i] = m[i] * a.b1 + a.c1 * gi;
    v[i] = v[i] * a.b2 + a.c2 * gi * gi;
    w[i] -= a.step_size * (m[i] / (std::sqrt(v[i]) / a.sqrt_bc2 + a.eps));
  }
}

template <class Options, class State>
bool fused_adam(torch::optim::Optimizer& opt, bool decoupled) {
  if (opt.param_groups().size() != 1 || opt.param_groups()[0].params().size() != 1) return false;
  auto& group = opt.param_groups()[0];
  torch::Tensor& p = group.params()[0];
  if (!p.grad().defined() || !p.is_cpu() || p.scalar_type() != torch::kFloat32 || !p.is_contiguous() ||
      !p.grad().is_contiguous())
    return false;
  auto& o = static_cast<Options&>(group.options());
  if (o.amsgrad()) return false;
  // The first step goes through LibTorch, which creates the state; later
  // steps use that state (the optimizer's only one: it has one parameter).
  auto& states = opt.state();
  if (states.size() != 1) return false;
  auto& st = static_cast<State&>(*states.begin()->second);
  st.step(st.step() + 1);
  const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
  const double bc1 = 1 - std::pow(beta1, st.step()), bc2 = 1 - std::pow(beta2, st.step());
  const float step_size = static_cast<float>(o.lr() / bc1), sqrt_bc2 = static_cast<float>(std::sqrt(bc2));
  const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2), c1 = static_cast<float>(1 - beta1),
              c2 = static_cast<float>(1 - beta2), eps = static_cast<float>(o.eps()), wd = static_cast<float>(o.weight_decay());
  const float decay = decoupled ? static_cast<float>(1 - o.lr() * o.weight_decay()) : 1.0f;
  float* __restrict w = p.data_ptr<float>();
  const float* __restrict g = p.grad().data_ptr<float>();
  float* __restrict m = st.exp_avg().template data_ptr<float>();
  float* __restrict v = st.exp_avg_sq().template data_ptr<float>();
  const std::int64_t n = p.numel();
  // Adam adds its L2 penalty to the gradient; AdamW decays the weights instead (decay is 1 for Adam).
  const float wd_in_grad = decoupled ? 0.0f : wd;
  adam_loop({w, g, m, v, n, decay, wd_in_grad, b1, b2, c1, c2, step_size, sqrt_bc2, eps});
  return true;
}

struct RmspropArgs {
  float* __restrict w;
  const float* __restrict g;
  float* __restrict square_avg;
  float* __restrict grad_avg;  // null unless centered
  std::int64_t n;
  float alpha, one_minus_alpha, neg_lr, eps;
};

// RMSprop's element-wise update in LibTorch's order of operations (so the
// same numbers as torch::optim::RMSprop), one pass instead of its five ops
// and the parameter-sized temporary it allocates per step; compiled like adam_loop.
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void rmsprop_loop(const RmspropArgs a) {
  float* __restrict w = a.w;
  const float* __restrict g = a.g;
  float* __restrict sq = a.square_avg;
  float* __restrict ga = a.grad_avg;
  // LibTorch's AVX2/AVX-512 kernels fuse addcmul's and add's multiply-add
  // (one rounding): std::fma gives the same numbers in every clone.
  if (ga) {
    for (std::int64_t i = 0; i < a.n; ++i) {
      sq[i] = std::fma(a.one_minus_alpha * g[i], g[i], sq[i] * a.alpha);
      ga[i] = std::fma(g[i], a.one_minus_alpha, ga[i] * a.alpha);
      const float avg = std::sqrt(std::fma(-ga[i], ga[i], sq[i])) + a.eps;
      w[i] = w[i] + a.neg_lr * g[i] / avg;
    }
  } else {
    for (std::int64_t i = 0; i < a.n; ++i) {
      sq[i] = std::fma(a.one_minus_alpha * g[i], g[i], sq[i] * a.alpha);
      w[i] = w[i] + a.neg_lr * g[i] / (std::sqrt(sq[i]) + a.eps);
    }
  }
}

// RMSprop without momentum or weight decay over one flat float32 CPU tensor.
bool fused_rmsprop(torch::optim::Optimizer& opt) {
  if (opt.param_groups().size() != 1 || opt.param_groups()[0].params().size() != 1) return false;
  auto& group = opt.param_groups()[0];
  torch::Tensor& p = group.params()[0];
  if (!p.grad().defined() || !p.is_cpu() || p.scalar_type() != torch::kFloat32 || !p.is_contiguous() ||
      !p.grad().is_contiguous())
    return false;
  auto& o = static_cast<torch::optim::RMSpropOptions&>(group.options());
  if (o.momentum() != 0 || o.weight_decay() != 0) return false;
  auto& states = opt.state();  // as for Adam: the first step creates it through LibTorch
  if (states.size() != 1) return false;
  auto& st = static_cast<torch::optim::RMSpropParamState&>(*states.begin()->second);
  st.step(st.step() + 1);
  rmsprop_loop({p.data_ptr<float>(), p.grad().data_ptr<float>(), st.square_avg().data_ptr<float>(),
                o.centered() ? st.grad_avg().data_ptr<float>() : nullptr, p.numel(), static_cast<float>(o.alpha()),
                static_cast<float>(1 - o.alpha()), static_cast<float>(-o.lr()), static_cast<float>(o.eps())});
  return true;
}

}  // namespace

void optimizer_step(torch::optim::Optimizer& opt) {
  torch::NoGradGuard no_grad;
  if (dynamic_cast<torch::optim::AdamW*>(&opt)) {
    if (fused_adam<torch::optim::AdamWOptions, torch::optim::AdamWParamState>(opt, true)) return;
  } else if (dynamic_cast<torch::optim::Adam*>(&opt)) {
    if (fused_adam<torch::optim::AdamOptions, torch::optim::AdamParamState>(opt, false)) return;
  } else if (dynamic_cast<torch::optim::RMSprop*>(&opt)) {
    if (fused_rmsprop(opt)) return;
  }
  opt.step();
}

}  // namespace pavlov::nets
