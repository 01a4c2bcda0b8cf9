// pavlov::nets::ActorCritic: the policy and value networks of on-policy
// agents (PPO, A2C). Two MLP torsos of the same shape with separate weights
// (Stable-Baselines3's default for MLP policies), a policy head and a value head:
//   Discrete(n)  the policy head gives n logits (a categorical distribution)
//   Box(k)       the policy head gives k means of a diagonal Gaussian whose
//                log standard deviations are k free parameters (state-independent)
// With orthogonal initialisation (on by default, as in SB3 and CleanRL) the
// torso layers get gain sqrt(2), the policy head 0.01 and the value head 1,
// biases zero.
#pragma once

#include <cstdint>
#include <optional>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <utility>
#include <vector>

#include "nets/conv_encoder.h"
#include "nets/history_transformer.h"
#include "nets/mlp.h"

namespace pavlov::nets {

struct ActorCriticOptions {
  ActorCriticOptions(MLPOptions torso, std::int64_t action_dim, bool continuous)
      : torso_(std::move(torso)), action_dim_(action_dim), continuous_(continuous) {}
  TORCH_ARG(MLPOptions, torso);
  TORCH_ARG(std::int64_t, action_dim);   // logits (Discrete) or action dimensions (Box)
  TORCH_ARG(bool, continuous);
  TORCH_ARG(double, log_std_init) = 0.0;
  TORCH_ARG(bool, ortho_init) = true;
  // A convolutional encoder shared by the policy and the value network (as
  // SB3's CnnPolicy shares its feature extractor); the torsos then take its output.
  TORCH_ARG(std::optional<ConvEncoderOptions>, encoder) = std::nullopt;
  // Or a Transformer over the last k observations (nets/history_transformer.h), shared the same way.
  TORCH_ARG(std::optional<HistoryTransformerOptions>, history) = std::nullopt;
};

// The options [agent.net] asks for (type: mlp, a convolutional encoder or
// transformer; hidden, activation, ...) for observations of `obs_space`; the
// caller sets the agent's own switches (log_std_init, ortho_init).
ActorCriticOptions actor_critic_options_from(const Config& cfg, const Space& obs_space, std::int64_t action_dim,
                                             bool continuous);

class ActorCriticImpl : public torch::nn::Module {
 public:
  explicit ActorCriticImpl(ActorCriticOptions options);
  // obs [B, in] -> (logits or means [B, action_dim], values [B])
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& obs);
  torch::Tensor value(const torch::Tensor& obs);
  // [action_dim] (Box only; undefined for Discrete)
  const torch::Tensor& log_std() const { return log_std_; }
  // The Linear layers of the policy (torso, head) and of the value network
  // (torso, head) when MlpBackprop can run them (no norm, no dropout, an
  // activation it supports; no encoder, or one that conv_front() gives);
  // empty otherwise.
  std::vector<torch::nn::Linear> plain_policy_layers() const;
  std::vector<torch::nn::Linear> plain_value_layers() const;
  // The shared encoder as MlpBackprop's leading convolution (the MinAtar
  // network with the torsos' activation, no norm or dropout), else nothing.
  std::optional<ConvFront> conv_front() const;

  ActorCriticOptions options;

 private:
  torch::Tensor features(const torch::Tensor& obs) {
    return encoder_ ? encoder_(obs) : history_ ? history_(obs) : obs;
  }

  ConvEncoder encoder_{nullptr};
  HistoryTransformer history_{nullptr};
  MLP policy_torso_{nullptr}, value_torso_{nullptr};
  torch::nn::Linear policy_head_{nullptr}, value_head_{nullptr};
  torch::Tensor log_std_;
};
TORCH_MODULE(ActorCritic);

// Orthogonal initialisation of `torso`'s Linear layers (gain sqrt(2)) and of
// `head` (gain `head_gain`), biases zero.
void orthogonal_init(const MLP& torso, const torch::nn::Linear& head, double head_gain);

}  // namespace pavlov::nets
