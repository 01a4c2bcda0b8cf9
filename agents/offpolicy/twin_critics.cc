#include "agents/offpolicy/twin_critics.h"

#include <torch/torch.h>

#include "engine/config/experiment.h"
#include "nets/flat_optimizer.h"
#include "nets/polyak.h"

namespace pavlov::agents {

TwinCritics::TwinCritics(const Config& cfg, std::int64_t obs_dim, std::int64_t action_dim, const torch::Device& device) {
  const auto torso = nets::mlp_options_from(cfg, obs_dim + action_dim);
  q1_ = nets::QCritic(torso);
  q2_ = nets::QCritic(torso);
  target1_ = nets::QCritic(torso);
  target2_ = nets::QCritic(torso);
  for (nets::QCritic* q : {&q1_, &q2_, &target1_, &target2_}) (*q)->to(device);
  nets::polyak_update(*q1_, *target1_, 1.0);
  nets::polyak_update(*q2_, *target2_, 1.0);
  optimizer_ = std::make_unique<nets::FlatOptimizer>(cfg, parameters());
  q1_params_ = q1_->parameters();  // after flattening: the same tensors, now views of the flat storage
  q2_params_ = q2_->parameters();
}

std::vector<torch::Tensor> TwinCritics::parameters() const {
  auto params = q1_->parameters();
  for (const auto& p : q2_->parameters()) params.push_back(p);
  return params;
}

TwinCritics::~TwinCritics() = default;

std::pair<torch::Tensor, torch::Tensor> TwinCritics::forward(const torch::Tensor& obs, const torch::Tensor& actions) {
  return {q1_->forward(obs, actions), q2_->forward(obs, actions)};
}

namespace {
// Marks `params` as constants while the graph of a forward pass is recorded
// (requires_grad is read then, so restoring it afterwards leaves that graph
// without the weights' gradient nodes).
class FrozenWeights {
 public:
  explicit FrozenWeights(const std::vector<torch::Tensor>& params) : params_(params) {
    for (auto p : params_) p.requires_grad_(false);
  }
  ~FrozenWeights() {
    for (auto p : params_) p.requires_grad_(true);
  }
  FrozenWeights(const FrozenWeights&) = delete;
  FrozenWeights& operator=(const FrozenWeights&) = delete;

 private:
  const std::vector<torch::Tensor>& params_;
};
}  // namespace

torch::Tensor TwinCritics::policy_q1(const torch::Tensor& obs, const torch::Tensor& actions) {
  const FrozenWeights frozen(q1_params_);
  return q1_->forward(obs, actions);
}

torch::Tensor TwinCritics::policy_min(const torch::Tensor& obs, const torch::Tensor& actions) {
  const FrozenWeights frozen1(q1_params_), frozen2(q2_params_);
  return torch::min(q1_->forward(obs, actions), q2_->forward(obs, actions));
}

torch::Tensor TwinCritics::min_target(const torch::Tensor& obs, const torch::Tensor& actions) {
  return torch::min(target1_->forward(obs, actions), target2_->forward(obs, actions));
}

void TwinCritics::step(const torch::Tensor& loss, double progress) { optimizer_->step(loss, progress); }

void TwinCritics::update_targets(double tau) {
  nets::polyak_update(*q1_, *target1_, tau);
  nets::polyak_update(*q2_, *target2_, tau);
}

void TwinCritics::save(torch::serialize::OutputArchive& a) const {
  save_under(a, "q1", *q1_);
  save_under(a, "q2", *q2_);
  save_under(a, "q1_target", *target1_);
  save_under(a, "q2_target", *target2_);
  save_under(a, "critic_opt", *optimizer_);
}

void TwinCritics::load(torch::serialize::InputArchive& a) {
  load_under(a, "q1", *q1_);
  load_under(a, "q2", *q2_);
  load_under(a, "q1_target", *target1_);
  load_under(a, "q2_target", *target2_);
  optimizer_->relink();  // loading replaced the parameters' storage
  load_under(a, "critic_opt", *optimizer_);
}

}  // namespace pavlov::agents
