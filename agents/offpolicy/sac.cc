// Soft actor-critic (Haarnoja et al., 2018, with the automatic entropy
// tuning of the applications paper), as Stable-Baselines3 runs it: a
// tanh-squashed Gaussian policy whose log std is an output of the network
// (clamped to [-20, 2]), twin Q critics with Polyak-averaged targets, and the
// entropy coefficient alpha learned towards a target entropy of
// -target_entropy_scale * action_dim. Per gradient step: alpha, then the
// critics, then the actor.
#include <cmath>
#include <torch/serialize.h>
#include <torch/torch.h>

#include "agents/offpolicy/continuous_agent.h"
#include "engine/config/experiment.h"
#include "nets/continuous_control.h"
#include "nets/flat_parameters.h"
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
  return keys;
}

constexpr double kHalfLog2Pi = 0.91893853320467274178;

class Sac : public ContinuousOffPolicy {
 public:
  explicit Sac(const AgentContext& ctx) : ContinuousOffPolicy(ctx) {
    const auto torso = nets::mlp_options_from(cfg_, obs_dim_);
    auto critic_torso = nets::mlp_options_from(cfg_, obs_dim_ + action_dim_);
    actor_ = nets::PolicyNet(torso, 2 * action_dim_);
    q1_ = nets::QCritic(critic_torso);
    q2_ = nets::QCritic(critic_torso);
    q1_target_ = nets::QCritic(critic_torso);
    q2_target_ = nets::QCritic(critic_torso);
    for (torch::nn::Module* m : std::initializer_list<torch::nn::Module*>{actor_.get(), q1_.get(), q2_.get(), q1_target_.get(), q2_target_.get()})
      m->to(device_);
    polyak(*q1_, *q1_target_, 1.0);
    polyak(*q2_, *q2_target_, 1.0);
    actor_flat_ = std::make_unique<nets::FlatParameters>(actor_->parameters());
    auto critic_params = q1_->parameters();
    for (const auto& p : q2_->parameters()) critic_params.push_back(p);
    critic_flat_ = std::make_unique<nets::FlatParameters>(critic_params);
    actor_opt_ = nets::make_optimizer(cfg_, {actor_flat_->flat()});
    critic_opt_ = nets::make_optimizer(cfg_, {critic_flat_->flat()});
    auto_entropy_ = cfg_.get_bool("agent.auto_entropy");
    log_alpha_ = torch::full({1}, std::log(cfg_.get_float("agent.ent_coef")), torch::TensorOptions(device_)).requires_grad_(auto_entropy_);
    alpha_opt_ = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{log_alpha_},
                                                      torch::optim::AdamOptions(cfg_.get_float("optimizer.lr")));
    target_entropy_ = -cfg_.get_float("agent.target_entropy_scale") * static_cast<double>(action_dim_);
    tau_ = cfg_.get_float("agent.tau");
    target_interval_ = cfg_.get_int("agent.target_update_interval");
    grad_clip_ = cfg_.get_float("optimizer.grad_clip");
    schedule_ = std::make_unique<nets::LrSchedule>(cfg_);
  }

  std::vector<std::string> metric_names() const override {
    return {"actor_loss", "critic_loss", "alpha", "entropy", "q_mean", "updates"};
  }
  std::span<const Metric> status() override {
    status_[0] = {"updates", static_cast<double>(updates_)};
    return {status_, 1};
  }

 protected:
  // Squashed Gaussian: a = tanh(u), u ~ N(mean, std); log pi(a) with the tanh correction.
  std::pair<torch::Tensor, torch::Tensor> sample(const torch::Tensor& obs) {
    const auto out = actor_->forward(obs).chunk(2, 1);
    const torch::Tensor mean = out[0], log_std = out[1].clamp(-20.0, 2.0);
    const torch::Tensor z = torch::randn_like(mean);
    const torch::Tensor u = mean + log_std.exp() * z;
    const torch::Tensor a = torch::tanh(u);
    const torch::Tensor log_prob =
        (-0.5 * z * z - log_std - kHalfLog2Pi).sum(1) - torch::log(1.0 - a * a + 1e-6).sum(1);
    return {a, log_prob};
  }

  torch::Tensor policy(const torch::Tensor& obs, bool explore) override {
    if (explore) return sample(obs).first.to(torch::kCPU).contiguous();
    return torch::tanh(actor_->forward(obs).chunk(2, 1)[0]).to(torch::kCPU).contiguous();
  }

  std::span<const Metric> update(const OffPolicyBatch& b) override {
    schedule_->apply(*actor_opt_, progress());
    schedule_->apply(*critic_opt_, progress());
    auto [a_pi, logp_pi] = sample(b.obs);
    double alpha_value;
    if (auto_entropy_) {
      const torch::Tensor alpha_loss = -(log_alpha_ * (logp_pi.detach() + target_entropy_)).mean();
      alpha_opt_->zero_grad();
      alpha_loss.backward();
      alpha_opt_->step();
    }
    const torch::Tensor alpha = log_alpha_.detach().exp();
    alpha_value = alpha.item<double>();

    torch::Tensor y;
    {
      torch::NoGradGuard no_grad;
      auto [a_next, logp_next] = sample(b.next_obs);
      const torch::Tensor q_next = torch::min(q1_target_->forward(b.next_obs, a_next), q2_target_->forward(b.next_obs, a_next));
      y = b.returns + b.discounts * (q_next - alpha * logp_next);
    }
    const torch::Tensor q1 = q1_->forward(b.obs, b.actions), q2 = q2_->forward(b.obs, b.actions);
    const torch::Tensor critic_loss = 0.5 * ((q1 - y).pow(2).mean() + (q2 - y).pow(2).mean());
    critic_flat_->zero_grad();
    critic_loss.backward();
    critic_flat_->clip_grad_norm(grad_clip_);
    nets::optimizer_step(*critic_opt_);

    const torch::Tensor q_pi = torch::min(q1_->forward(b.obs, a_pi), q2_->forward(b.obs, a_pi));
    const torch::Tensor actor_loss = (alpha * logp_pi - q_pi).mean();
    actor_flat_->zero_grad();
    actor_loss.backward();
    actor_flat_->clip_grad_norm(grad_clip_);
    nets::optimizer_step(*actor_opt_);

    if ((updates_ + 1) % target_interval_ == 0) {
      polyak(*q1_, *q1_target_, tau_);
      polyak(*q2_, *q2_target_, tau_);
    }
    metrics_[0] = {"actor_loss", actor_loss.item<double>()};
    metrics_[1] = {"critic_loss", critic_loss.item<double>()};
    metrics_[2] = {"alpha", alpha_value};
    metrics_[3] = {"entropy", -logp_pi.detach().mean().item<double>()};
    metrics_[4] = {"q_mean", q1.detach().mean().item<double>()};
    return metrics_;
  }

  void save_nets(torch::serialize::OutputArchive& a) const override {
    auto put = [&](const char* key, auto save) {
      torch::serialize::OutputArchive sub;
      save(sub);
      a.write(key, sub);
    };
    put("actor", [&](auto& s) { actor_->save(s); });
    put("q1", [&](auto& s) { q1_->save(s); });
    put("q2", [&](auto& s) { q2_->save(s); });
    put("q1_target", [&](auto& s) { q1_target_->save(s); });
    put("q2_target", [&](auto& s) { q2_target_->save(s); });
    put("actor_opt", [&](auto& s) { actor_opt_->save(s); });
    put("critic_opt", [&](auto& s) { critic_opt_->save(s); });
    put("alpha_opt", [&](auto& s) { alpha_opt_->save(s); });
    a.write("log_alpha", log_alpha_);
  }

  void load_nets(torch::serialize::InputArchive& a) override {
    auto get = [&](const char* key, auto load) {
      torch::serialize::InputArchive sub;
      a.read(key, sub);
      load(sub);
    };
    get("actor", [&](auto& s) { actor_->load(s); });
    get("q1", [&](auto& s) { q1_->load(s); });
    get("q2", [&](auto& s) { q2_->load(s); });
    get("q1_target", [&](auto& s) { q1_target_->load(s); });
    get("q2_target", [&](auto& s) { q2_target_->load(s); });
    actor_flat_->relink();
    critic_flat_->relink();
    get("actor_opt", [&](auto& s) { actor_opt_->load(s); });
    get("critic_opt", [&](auto& s) { critic_opt_->load(s); });
    get("alpha_opt", [&](auto& s) { alpha_opt_->load(s); });
    torch::Tensor la;
    a.read("log_alpha", la);
    torch::NoGradGuard no_grad;
    log_alpha_.copy_(la);
  }

 private:
  nets::PolicyNet actor_{nullptr};
  nets::QCritic q1_{nullptr}, q2_{nullptr}, q1_target_{nullptr}, q2_target_{nullptr};
  std::unique_ptr<nets::FlatParameters> actor_flat_, critic_flat_;
  std::unique_ptr<torch::optim::Optimizer> actor_opt_, critic_opt_, alpha_opt_;
  std::unique_ptr<nets::LrSchedule> schedule_;
  torch::Tensor log_alpha_;
  bool auto_entropy_ = true;
  double target_entropy_ = -1.0, tau_ = 0.005, grad_clip_ = 0.0;
  std::int64_t target_interval_ = 1;
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
