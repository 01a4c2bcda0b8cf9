// pavlov::nets::RecurrentActorCritic: the policy and value networks of a
// recurrent on-policy agent (agents/onpolicy/recurrent_ppo.cc), for partially
// observable tasks. As SB3-contrib's MlpLstmPolicy (with its critic LSTM):
// the policy and the value network each read the observations with an LSTM of
// their own, then an MLP torso ([agent.net]) and a head:
//   obs -> LSTM -> MLP -> policy head (logits, or Gaussian means with free log stds)
//   obs -> LSTM -> MLP -> value head
// The memory of both LSTMs travels as one tensor [B, 4 * lstm]: h and c of
// the policy's LSTM, then of the value's. Zero is the memory of an episode's
// first step.
#pragma once

#include <cstdint>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>
#include <torch/nn/pimpl.h>
#include <tuple>

#include "nets/mlp.h"

namespace pavlov::nets {

struct RecurrentActorCriticOptions {
  std::int64_t obs_dim = 0, action_dim = 0, lstm = 64;
  bool continuous = false;
  double log_std_init = 0.0;
  bool ortho_init = true;
  MLPOptions torso{64};  // its in_features is set to `lstm`
};

class RecurrentActorCriticImpl : public torch::nn::Module {
 public:
  explicit RecurrentActorCriticImpl(RecurrentActorCriticOptions options);

  // Zero memory for `rows` sequences, on the module's device.
  torch::Tensor initial_memory(std::int64_t rows) const;
  // One step of `rows` sequences: obs [B, obs_dim], memory [B, 4 * lstm] ->
  // (logits or means [B, action_dim], values [B], the memory after this step).
  std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> step(const torch::Tensor& obs, const torch::Tensor& memory);
  // T steps of B sequences (time-major): obs [T, B, obs_dim]; starts [T, B]
  // (1 where an episode begins at step t: the memory is zeroed before it);
  // memory [B, 4 * lstm] before step 0 -> (outputs [T * B, action_dim], values [T * B]).
  std::pair<torch::Tensor, torch::Tensor> unroll(const torch::Tensor& obs, const torch::Tensor& starts,
                                                 const torch::Tensor& memory);
  const torch::Tensor& log_std() const { return log_std_; }

  RecurrentActorCriticOptions options;

 private:
  torch::nn::LSTMCell policy_lstm_{nullptr}, value_lstm_{nullptr};
  MLP policy_torso_{nullptr}, value_torso_{nullptr};
  torch::nn::Linear policy_head_{nullptr}, value_head_{nullptr};
  torch::Tensor log_std_;
};
TORCH_MODULE(RecurrentActorCritic);

}  // namespace pavlov::nets
