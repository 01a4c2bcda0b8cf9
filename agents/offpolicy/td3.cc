// TD3 (Fujimoto et al., 2018), as Stable-Baselines3 runs it: a deterministic
// tanh policy, twin Q critics trained towards the smaller target Q at a
// smoothed target action (clipped Gaussian noise on the target policy's
// action), and the policy and all targets updated every policy_delay
// critic steps. Exploration comes from the shared action noise (action_noise
// = "normal", noise_std 0.1 is the paper's and SB3's zoo's setting).
#include <torch/serialize.h>
#include <torch/torch.h>

#include "agents/offpolicy/continuous_agent.h"
#include "engine/config/experiment.h"
#include "nets/continuous_control.h"
#include "nets/flat_parameters.h"
#include "nets/optim.h"

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
  explicit Td3(const AgentContext& ctx) : ContinuousOffPolicy(ctx) {
    const auto torso = nets::mlp_options_from(cfg_, obs_dim_);
    const auto critic_torso = nets::mlp_options_from(cfg_, obs_dim_ + action_dim_);
    actor_ = nets::PolicyNet(torso, action_dim_);
    actor_target_ = nets::PolicyNet(torso, action_dim_);
    q1_ = nets::QCritic(critic_torso);
    q2_ = nets::QCritic(critic_torso);
    q1_target_ = nets::QCritic(critic_torso);
    q2_target_ = nets::QCritic(critic_torso);
    for (torch::nn::Module* m : std::initializer_list<torch::nn::Module*>{
             actor_.get(), actor_target_.get(), q1_.get(), q2_.get(), q1_target_.get(), q2_target_.get()})
      m->to(device_);
    polyak(*actor_, *actor_target_, 1.0);
    polyak(*q1_, *q1_target_, 1.0);
    polyak(*q2_, *q2_target_, 1.0);
    actor_flat_ = std::make_unique<nets::FlatParameters>(actor_->parameters());
    auto critic_params = q1_->parameters();
    for (const auto& p : q2_->parameters()) critic_params.push_back(p);
    critic_flat_ = std::make_unique<nets::FlatParameters>(critic_params);
    actor_opt_ = nets::make_optimizer(cfg_, {actor_flat_->flat()});
    critic_opt_ = nets::make_optimizer(cfg_, {critic_flat_->flat()});
    schedule_ = std::make_unique<nets::LrSchedule>(cfg_);
    tau_ = cfg_.get_float("agent.tau");
    delay_ = cfg_.get_int("agent.policy_delay");
    smoothing_ = cfg_.get_float("agent.target_policy_noise");
    noise_clip_ = cfg_.get_float("agent.target_noise_clip");
    grad_clip_ = cfg_.get_float("optimizer.grad_clip");
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
    schedule_->apply(*actor_opt_, progress());
    schedule_->apply(*critic_opt_, progress());
    torch::Tensor y;
    {
      torch::NoGradGuard no_grad;
      const torch::Tensor noise = (torch::randn_like(b.actions) * smoothing_).clamp(-noise_clip_, noise_clip_);
      const torch::Tensor a_next = (torch::tanh(actor_target_->forward(b.next_obs)) + noise).clamp(-1.0, 1.0);
      y = b.returns + b.discounts * torch::min(q1_target_->forward(b.next_obs, a_next), q2_target_->forward(b.next_obs, a_next));
    }
    const torch::Tensor q1 = q1_->forward(b.obs, b.actions), q2 = q2_->forward(b.obs, b.actions);
    const torch::Tensor critic_loss = (q1 - y).pow(2).mean() + (q2 - y).pow(2).mean();
    critic_flat_->zero_grad();
    critic_loss.backward();
    critic_flat_->clip_grad_norm(grad_clip_);
    nets::optimizer_step(*critic_opt_);
    metrics_[1] = {"critic_loss", critic_loss.item<double>()};
    metrics_[2] = {"q_mean", q1.detach().mean().item<double>()};

    if ((updates_ + 1) % delay_ == 0) {
      const torch::Tensor actor_loss = -q1_->forward(b.obs, torch::tanh(actor_->forward(b.obs))).mean();
      actor_flat_->zero_grad();
      actor_loss.backward();
      actor_flat_->clip_grad_norm(grad_clip_);
      nets::optimizer_step(*actor_opt_);
      last_actor_loss_ = actor_loss.item<double>();
      polyak(*q1_, *q1_target_, tau_);
      polyak(*q2_, *q2_target_, tau_);
      polyak(*actor_, *actor_target_, tau_);
    }
    metrics_[0] = {"actor_loss", last_actor_loss_};
    return metrics_;
  }

  void save_nets(torch::serialize::OutputArchive& a) const override {
    auto put = [&](const char* key, auto save) {
      torch::serialize::OutputArchive sub;
      save(sub);
      a.write(key, sub);
    };
    put("actor", [&](auto& s) { actor_->save(s); });
    put("actor_target", [&](auto& s) { actor_target_->save(s); });
    put("q1", [&](auto& s) { q1_->save(s); });
    put("q2", [&](auto& s) { q2_->save(s); });
    put("q1_target", [&](auto& s) { q1_target_->save(s); });
    put("q2_target", [&](auto& s) { q2_target_->save(s); });
    put("actor_opt", [&](auto& s) { actor_opt_->save(s); });
    put("critic_opt", [&](auto& s) { critic_opt_->save(s); });
  }

  void load_nets(torch::serialize::InputArchive& a) override {
    auto get = [&](const char* key, auto load) {
      torch::serialize::InputArchive sub;
      a.read(key, sub);
      load(sub);
    };
    get("actor", [&](auto& s) { actor_->load(s); });
    get("actor_target", [&](auto& s) { actor_target_->load(s); });
    get("q1", [&](auto& s) { q1_->load(s); });
    get("q2", [&](auto& s) { q2_->load(s); });
    get("q1_target", [&](auto& s) { q1_target_->load(s); });
    get("q2_target", [&](auto& s) { q2_target_->load(s); });
    actor_flat_->relink();
    critic_flat_->relink();
    get("actor_opt", [&](auto& s) { actor_opt_->load(s); });
    get("critic_opt", [&](auto& s) { critic_opt_->load(s); });
  }

 private:
  nets::PolicyNet actor_{nullptr}, actor_target_{nullptr};
  nets::QCritic q1_{nullptr}, q2_{nullptr}, q1_target_{nullptr}, q2_target_{nullptr};
  std::unique_ptr<nets::FlatParameters> actor_flat_, critic_flat_;
  std::unique_ptr<torch::optim::Optimizer> actor_opt_, critic_opt_;
  std::unique_ptr<nets::LrSchedule> schedule_;
  double tau_ = 0.005, smoothing_ = 0.2, noise_clip_ = 0.5, grad_clip_ = 0.0, last_actor_loss_ = 0.0;
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
