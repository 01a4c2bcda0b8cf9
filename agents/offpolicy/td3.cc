// TD3 (Fujimoto et al., 2018), as Stable-Baselines3 runs it: a deterministic
// tanh policy, twin Q critics trained towards the smaller target Q at a
// smoothed target action (clipped Gaussian noise on the target policy's
// action), and the policy and all targets updated every policy_delay
// critic steps. Exploration comes from the shared action noise (action_noise
// = "normal", noise_std 0.1 is the paper's and SB3's zoo's setting).
#include <torch/serialize.h>
#include <torch/torch.h>

#include "agents/offpolicy/continuous_agent.h"
#include "agents/offpolicy/twin_critics.h"
#include "engine/config/experiment.h"
#include "nets/continuous_control.h"
#include "nets/flat_optimizer.h"
#include "nets/polyak.h"

namespace pavlov::agents {
namespace {

std::vector<KeySpec> td3_keys() {
  auto keys = continuous_off_policy_keys();
  keys.push_back({.name = "policy_delay", .type = KeyType::kInt, .default_value = std::int64_t{2},
                  .help = "critic steps per policy (and target) update", .min = 1, .max = 1e6});
  keys.push_back({.name = "target_policy_noise", .type = KeyType::kFloat, .default_value = 0.2,
                  .help = "std of the smoothing noise on the target action", .min = 0.0, .max = 10.0});
  keys.push_back({.name = "target_noise_clip", .type = KeyType::kFloat, .default_value = 0.5,
                  .help = "the smoothing noise is clipped to +-this", .min = 0.0, .max = 10.0});
  return keys;
}

class Td3 : public ContinuousOffPolicy {
 public:
  explicit Td3(const AgentContext& ctx)
      : ContinuousOffPolicy(ctx),
        actor_(nets::mlp_options_from(cfg_, obs_dim_), action_dim_),
        actor_target_(nets::mlp_options_from(cfg_, obs_dim_), action_dim_),
        critics_(cfg_, obs_dim_, action_dim_, device_) {
    actor_->to(device_);
    actor_target_->to(device_);
    nets::polyak_update(*actor_, *actor_target_, 1.0);
    actor_opt_ = std::make_unique<nets::FlatOptimizer>(cfg_, actor_->parameters());
    tau_ = cfg_.get_float("agent.tau");
    delay_ = cfg_.get_int("agent.policy_delay");
    smoothing_ = cfg_.get_float("agent.target_policy_noise");
    noise_clip_ = cfg_.get_float("agent.target_noise_clip");
  }

  std::vector<std::string> metric_names() const override { return {"actor_loss", "critic_loss", "q_mean", "updates"}; }
  std::span<const Metric> status() override {
    status_[0] = {"updates", static_cast<double>(updates_)};
    return {status_, 1};
  }

 protected:
  torch::Tensor policy(const torch::Tensor& obs, bool) override {
    return torch::tanh(actor_->forward(obs)).to(torch::kCPU).contiguous();
  }

  std::span<const Metric> update(const OffPolicyBatch& b) override {
    torch::Tensor y;
    {
      torch::NoGradGuard no_grad;
      const torch::Tensor noise = (torch::randn_like(b.actions) * smoothing_).clamp(-noise_clip_, noise_clip_);
      const torch::Tensor a_next = (torch::tanh(actor_target_->forward(b.next_obs)) + noise).clamp(-1.0, 1.0);
      y = b.returns + b.discounts * critics_.min_target(b.next_obs, a_next);
    }
    const auto [q1, q2] = critics_.forward(b.obs, b.actions);
    const torch::Tensor critic_loss = (q1 - y).pow(2).mean() + (q2 - y).pow(2).mean();
    critics_.step(critic_loss, progress());
    metrics_[1] = {"critic_loss", critic_loss.item<double>()};
    metrics_[2] = {"q_mean", q1.detach().mean().item<double>()};

    if ((updates_ + 1) % delay_ == 0) {  // the policy and every target, every policy_delay critic steps
      const torch::Tensor actor_loss = -critics_.policy_q1(b.obs, torch::tanh(actor_->forward(b.obs))).mean();
      actor_opt_->step(actor_loss, progress());
      last_actor_loss_ = actor_loss.item<double>();
      critics_.update_targets(tau_);
      nets::polyak_update(*actor_, *actor_target_, tau_);
    }
    metrics_[0] = {"actor_loss", last_actor_loss_};
    return metrics_;
  }

  void save_nets(torch::serialize::OutputArchive& a) const override {
    save_under(a, "actor", *actor_);
    save_under(a, "actor_target", *actor_target_);
    save_under(a, "actor_opt", *actor_opt_);
    critics_.save(a);
  }

  void load_nets(torch::serialize::InputArchive& a) override {
    load_under(a, "actor", *actor_);
    load_under(a, "actor_target", *actor_target_);
    actor_opt_->relink();
    load_under(a, "actor_opt", *actor_opt_);
    critics_.load(a);
  }

 private:
  nets::PolicyNet actor_, actor_target_;
  std::unique_ptr<nets::FlatOptimizer> actor_opt_;
  TwinCritics critics_;
  double tau_ = 0.005, smoothing_ = 0.2, noise_clip_ = 0.5, last_actor_loss_ = 0.0;
  std::int64_t delay_ = 2;
  Metric metrics_[3];
  Metric status_[1];
};

const bool kRegistered = register_agent("td3", "twin delayed DDPG: clipped double Q, target smoothing, delayed policy (Box actions)",
                                        td3_keys(), [](const AgentContext& ctx) { return std::make_unique<Td3>(ctx); },
                                        // SB3's: Adam lr 1e-3, no gradient clipping, batch 256, 100 random steps
                                        {{"optimizer.lr", 1e-3}, {"optimizer.grad_clip", 0.0},
                                         {"replay.batch_size", std::int64_t{256}}, {"replay.learning_starts", std::int64_t{100}}});

}  // namespace
}  // namespace pavlov::agents
