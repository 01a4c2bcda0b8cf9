// Soft actor-critic (Haarnoja et al., 2018, with the automatic entropy
// tuning of the applications paper), as Stable-Baselines3 runs it: a
// tanh-squashed Gaussian policy whose log std is an output of the network
// (clamped to [-20, 2]), twin Q critics with Polyak-averaged targets, and the
// entropy coefficient alpha learned towards a target entropy of
// -target_entropy_scale * action_dim. Per gradient step: alpha, then the
// critics, then the actor. Alpha's Adam follows the [optimizer] schedule
// like the networks' (SB3 updates all three optimizers' learning rates).
//
// With use_sde the policy explores with gSDE (nets/gsde.h), as rl-zoo's
// recipes for BipedalWalker and MountainCarContinuous do: the network gives the means
// (clipped to [-2, 2]) and holds the log std matrix; acting adds phi(s) theta
// with one theta per env, redrawn every sde_sample_freq vector steps (<= 0:
// every train_freq steps, SB3's -1, once per collection phase); each gradient
// step draws one theta that its batch shares, as SB3's reset_noise() does.
#include <cmath>
#include <torch/serialize.h>
#include <torch/torch.h>

#include "agents/offpolicy/continuous_agent.h"
#include "agents/offpolicy/twin_critics.h"
#include "engine/config/experiment.h"
#include "nets/continuous_control.h"
#include "nets/flat_optimizer.h"
#include "nets/gsde.h"
#include "nets/optim.h"

namespace pavlov::agents {
namespace {

std::vector<KeySpec> sac_keys() {
  auto keys = continuous_off_policy_keys();
  keys.push_back({.name = "auto_entropy", .type = KeyType::kBool, .default_value = true,
                  .help = "learn the entropy coefficient alpha (ent_coef is then its initial value)"});
  KeySpec ent{.name = "ent_coef", .type = KeyType::kFloat, .default_value = 1.0,
              .help = "entropy coefficient alpha (initial value when auto_entropy)", .min = 0.0, .max = 1e6};
  ent.min_exclusive = true;
  keys.push_back(ent);
  keys.push_back({.name = "target_entropy_scale", .type = KeyType::kFloat, .default_value = 1.0,
                  .help = "target entropy = -scale * action_dim", .min = -1e3, .max = 1e3});
  keys.push_back({.name = "target_update_interval", .type = KeyType::kInt, .default_value = std::int64_t{1},
                  .help = "gradient steps between target updates", .min = 1, .max = 1e9});
  keys.push_back({.name = "use_sde", .type = KeyType::kBool, .default_value = false,
                  .help = "explore with generalized state-dependent exploration (gSDE) instead of a fresh Gaussian draw each step"});
  keys.push_back({.name = "sde_log_std_init", .type = KeyType::kFloat, .default_value = -3.0,
                  .help = "use_sde: initial log std of the exploration weights (SB3's log_std_init)", .min = -20.0, .max = 2.0});
  keys.push_back({.name = "sde_sample_freq", .type = KeyType::kInt, .default_value = std::int64_t{-1},
                  .help = "use_sde: vector steps between redraws of the exploration weights (<= 0: once per train_freq steps)",
                  .min = -1, .max = 1e9});
  return keys;
}

nets::PolicyNet make_actor(const Config& cfg, std::int64_t obs_dim, std::int64_t action_dim) {
  if (cfg.get_bool("agent.use_sde"))
    return nets::PolicyNet(nets::mlp_options_from(cfg, obs_dim), action_dim, cfg.get_float("agent.sde_log_std_init"));
  return nets::PolicyNet(nets::mlp_options_from(cfg, obs_dim), 2 * action_dim);
}

constexpr double kHalfLog2Pi = 0.91893853320467274178;

class Sac : public ContinuousOffPolicy {
 public:
  explicit Sac(const AgentContext& ctx)
      : ContinuousOffPolicy(ctx),
        actor_(make_actor(cfg_, obs_dim_, action_dim_)),
        critics_(cfg_, obs_dim_, action_dim_, device_) {
    actor_->to(device_);
    actor_opt_ = std::make_unique<nets::FlatOptimizer>(cfg_, actor_->parameters());
    auto_entropy_ = cfg_.get_bool("agent.auto_entropy");
    log_alpha_ = torch::full({1}, std::log(cfg_.get_float("agent.ent_coef")), torch::TensorOptions(device_)).requires_grad_(auto_entropy_);
    alpha_opt_ = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{log_alpha_},
                                                      torch::optim::AdamOptions(cfg_.get_float("optimizer.lr")));
    target_entropy_ = -cfg_.get_float("agent.target_entropy_scale") * static_cast<double>(action_dim_);
    tau_ = cfg_.get_float("agent.tau");
    target_interval_ = cfg_.get_int("agent.target_update_interval");
    use_sde_ = cfg_.get_bool("agent.use_sde");
    const std::int64_t freq = cfg_.get_int("agent.sde_sample_freq");
    sde_period_ = freq > 0 ? freq : cfg_.get_int("agent.train_freq");
  }

  std::vector<std::string> metric_names() const override {
    return {"actor_loss", "critic_loss", "alpha", "entropy", "q_mean", "updates"};
  }
  std::span<const Metric> status() override {
    status_[0] = {"updates", static_cast<double>(updates_)};
    return {status_, 1};
  }

 protected:
  // Squashed Gaussian: a = tanh(u), u ~ N(mean, std); log pi(a) with the tanh
  // correction. With gSDE, u = mean + phi(s) theta for the given weights.
  std::pair<torch::Tensor, torch::Tensor> sample(const torch::Tensor& obs, const torch::Tensor& theta = {}) {
    if (use_sde_) {
      const torch::Tensor phi = actor_->features(obs);
      auto s = nets::gsde_sample(phi, gsde_mean(phi), actor_->gsde_log_std(), theta);
      return {s.action, s.log_prob};
    }
    const auto out = actor_->forward(obs).chunk(2, 1);
    const torch::Tensor mean = out[0], log_std = out[1].clamp(-20.0, 2.0);
    const torch::Tensor z = torch::randn_like(mean);
    const torch::Tensor u = mean + log_std.exp() * z;
    const torch::Tensor a = torch::tanh(u);
    const torch::Tensor log_prob =
        (-0.5 * z * z - log_std - kHalfLog2Pi).sum(1) - torch::log(1.0 - a * a + 1e-6).sum(1);
    return {a, log_prob};
  }

  torch::Tensor gsde_mean(const torch::Tensor& phi) { return actor_->head(phi).clamp(-nets::kGsdeMeanClip, nets::kGsdeMeanClip); }

  torch::Tensor policy(const torch::Tensor& obs, bool explore) override {
    if (use_sde_) {
      if (!explore) return torch::tanh(gsde_mean(actor_->features(obs))).to(torch::kCPU).contiguous();
      if (sde_steps_++ % sde_period_ == 0 || !explore_theta_.defined() || explore_theta_.size(0) != obs.size(0))
        explore_theta_ = nets::gsde_weights(actor_->gsde_log_std(), obs.size(0));  // one theta per env
      return sample(obs, explore_theta_).first.to(torch::kCPU).contiguous();
    }
    if (explore) return sample(obs).first.to(torch::kCPU).contiguous();
    return torch::tanh(actor_->forward(obs).chunk(2, 1)[0]).to(torch::kCPU).contiguous();
  }

  std::span<const Metric> update(const OffPolicyBatch& b) override {
    // gSDE: one theta for this step's batch (policy and next-state samples alike).
    const torch::Tensor theta = use_sde_ ? nets::gsde_weights(actor_->gsde_log_std()) : torch::Tensor();
    auto [a_pi, logp_pi] = sample(b.obs, theta);
    if (auto_entropy_) {
      const torch::Tensor alpha_loss = -(log_alpha_ * (logp_pi.detach() + target_entropy_)).mean();
      alpha_schedule_.apply(*alpha_opt_, progress());
      alpha_opt_->zero_grad();
      alpha_loss.backward();
      alpha_opt_->step();
    }
    const torch::Tensor alpha = log_alpha_.detach().exp();

    torch::Tensor y;
    {
      torch::NoGradGuard no_grad;
      auto [a_next, logp_next] = sample(b.next_obs, theta);
      y = b.returns + b.discounts * (critics_.min_target(b.next_obs, a_next) - alpha * logp_next);
    }
    const auto [q1, q2] = critics_.forward(b.obs, b.actions);
    const torch::Tensor critic_loss = 0.5 * ((q1 - y).pow(2).mean() + (q2 - y).pow(2).mean());
    critics_.step(critic_loss, progress());

    const torch::Tensor actor_loss = (alpha * logp_pi - critics_.policy_min(b.obs, a_pi)).mean();
    actor_opt_->step(actor_loss, progress());
    if ((updates_ + 1) % target_interval_ == 0) critics_.update_targets(tau_);

    metrics_[0] = {"actor_loss", actor_loss.item<double>()};
    metrics_[1] = {"critic_loss", critic_loss.item<double>()};
    metrics_[2] = {"alpha", alpha.item<double>()};
    metrics_[3] = {"entropy", -logp_pi.detach().mean().item<double>()};
    metrics_[4] = {"q_mean", q1.detach().mean().item<double>()};
    return metrics_;
  }

  void save_nets(torch::serialize::OutputArchive& a) const override {
    save_under(a, "actor", *actor_);
    save_under(a, "actor_opt", *actor_opt_);
    critics_.save(a);
    save_under(a, "alpha_opt", *alpha_opt_);
    a.write("log_alpha", log_alpha_);
    if (use_sde_) {
      a.write("sde_steps", torch::tensor(sde_steps_, torch::kInt64));
      if (explore_theta_.defined()) a.write("sde_theta", explore_theta_);
    }
  }

  void load_nets(torch::serialize::InputArchive& a) override {
    load_under(a, "actor", *actor_);
    actor_opt_->relink();
    load_under(a, "actor_opt", *actor_opt_);
    critics_.load(a);
    load_under(a, "alpha_opt", *alpha_opt_);
    torch::Tensor la;
    a.read("log_alpha", la);
    torch::NoGradGuard no_grad;
    log_alpha_.copy_(la);
    if (use_sde_) {
      torch::Tensor steps, theta;
      a.read("sde_steps", steps);
      sde_steps_ = steps.item<std::int64_t>();
      explore_theta_ = a.try_read("sde_theta", theta) ? theta.to(device_) : torch::Tensor();
    }
  }

 private:
  nets::PolicyNet actor_;
  std::unique_ptr<nets::FlatOptimizer> actor_opt_;
  TwinCritics critics_;
  std::unique_ptr<torch::optim::Optimizer> alpha_opt_;
  nets::LrSchedule alpha_schedule_{cfg_};
  torch::Tensor log_alpha_;
  bool auto_entropy_ = true;
  double target_entropy_ = -1.0, tau_ = 0.005;
  std::int64_t target_interval_ = 1;
  bool use_sde_ = false;
  std::int64_t sde_period_ = 1, sde_steps_ = 0;  // gSDE: vector steps between redraws; explore steps so far
  torch::Tensor explore_theta_;                  // gSDE: the weights acting uses now [envs, L, A]
  Metric metrics_[5];
  Metric status_[1];
};

const bool kRegistered = register_agent("sac", "soft actor-critic with twin critics and automatic entropy tuning (Box actions)",
                                        sac_keys(), [](const AgentContext& ctx) { return std::make_unique<Sac>(ctx); },
                                        // SB3's: Adam lr 3e-4, no gradient clipping, batch 256, 100 random steps
                                        {{"optimizer.lr", 3e-4}, {"optimizer.grad_clip", 0.0},
                                         {"replay.batch_size", std::int64_t{256}}, {"replay.learning_starts", std::int64_t{100}}});

}  // namespace
}  // namespace pavlov::agents
