#include "nets/actor_critic.h"

#include <cmath>
#include <torch/nn/init.h>
#include <torch/torch.h>

#include "engine/env/space.h"
#include "nets/mlp_backprop.h"

namespace pavlov::nets {

void orthogonal_init(const MLP& torso, const torch::nn::Linear& head, double head_gain) {
  torch::NoGradGuard no_grad;
  for (const auto& m : torso->modules(/*include_self=*/false))
    if (auto l = std::dynamic_pointer_cast<torch::nn::LinearImpl>(m)) {
      torch::nn::init::orthogonal_(l->weight, std::sqrt(2.0));
      l->bias.zero_();
    }
  torch::nn::init::orthogonal_(head->weight, head_gain);
  head->bias.zero_();
}

ActorCriticOptions actor_critic_options_from(const Config& cfg, const Space& obs_space, std::int64_t action_dim,
                                             bool continuous) {
  const auto encoder = conv_encoder_from(cfg, obs_space);
  const auto history = history_transformer_from(cfg, obs_space);
  const std::int64_t features = encoder   ? ConvEncoder(*encoder)->out_features()
                                : history ? history->dim
                                          : obs_space.numel();
  return ActorCriticOptions(mlp_options_from(cfg, features), action_dim, continuous).encoder(encoder).history(history);
}

ActorCriticImpl::ActorCriticImpl(ActorCriticOptions opts) : options(std::move(opts)) {
  if (options.encoder()) encoder_ = register_module("encoder", ConvEncoder(*options.encoder()));
  if (options.history()) history_ = register_module("history", HistoryTransformer(*options.history()));
  policy_torso_ = register_module("policy_torso", MLP(options.torso()));
  value_torso_ = register_module("value_torso", MLP(options.torso()));
  policy_head_ = register_module("policy_head", torch::nn::Linear(policy_torso_->out_features(), options.action_dim()));
  value_head_ = register_module("value_head", torch::nn::Linear(value_torso_->out_features(), 1));
  if (options.continuous())
    log_std_ = register_parameter("log_std", torch::full({options.action_dim()}, options.log_std_init()));
  if (options.ortho_init()) {
    if (encoder_) {  // convolutions get gain sqrt(2), as SB3 initialises its CNN extractor
      torch::NoGradGuard no_grad;
      for (const auto& m : encoder_->modules(/*include_self=*/false))
        if (auto conv = std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(m)) {
          torch::nn::init::orthogonal_(conv->weight, std::sqrt(2.0));
          conv->bias.zero_();
        }
    }
    orthogonal_init(policy_torso_, policy_head_, 0.01);
    orthogonal_init(value_torso_, value_head_, 1.0);
  }
}

std::pair<torch::Tensor, torch::Tensor> ActorCriticImpl::forward(const torch::Tensor& obs) {
  const torch::Tensor h = features(obs);
  return {policy_head_(policy_torso_(h)), value_head_(value_torso_(h)).squeeze(1)};
}

torch::Tensor ActorCriticImpl::value(const torch::Tensor& obs) { return value_head_(value_torso_(features(obs))).squeeze(1); }

std::optional<ConvFront> ActorCriticImpl::conv_front() const {
  return encoder_ ? encoder_->plain_front(options.torso().activation()) : std::nullopt;
}
std::vector<torch::nn::Linear> ActorCriticImpl::plain_policy_layers() const {
  if (history_ || (encoder_ && !conv_front())) return {};
  return plain_layers(policy_torso_, policy_head_);
}
std::vector<torch::nn::Linear> ActorCriticImpl::plain_value_layers() const {
  if (history_ || (encoder_ && !conv_front())) return {};
  return plain_layers(value_torso_, value_head_);
}

}  // namespace pavlov::nets
