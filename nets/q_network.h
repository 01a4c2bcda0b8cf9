// pavlov::nets::QNetwork: action values Q(s, .) for a discrete action space:
// an optional convolutional encoder (conv_encoder.h: [agent.net] type
// minatar_cnn or nature_cnn), an MLP torso, then a linear Q head or a dueling
// head (Wang et al., 2016: Q = V + A - mean(A), separate value and advantage
// streams).
#pragma once

#include <cstdint>
#include <optional>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "engine/env/space.h"
#include "nets/conv_encoder.h"
#include "nets/mlp.h"

namespace pavlov::nets {

struct QNetworkOptions {
  QNetworkOptions(MLPOptions torso, std::int64_t num_actions) : torso_(std::move(torso)), num_actions_(num_actions) {}
  TORCH_ARG(MLPOptions, torso);
  TORCH_ARG(std::int64_t, num_actions);
  TORCH_ARG(bool, dueling) = false;
  // Set for the convolutional net types; the torso's in_features is then the encoder's output.
  TORCH_ARG(std::optional<ConvEncoderOptions>, encoder) = std::nullopt;
};

// QNetworkOptions from [agent.net] for observations of `obs_space`.
QNetworkOptions q_network_options_from(const Config& cfg, const Space& obs_space, std::int64_t num_actions);

class QNetworkImpl : public torch::nn::Module {
 public:
  explicit QNetworkImpl(QNetworkOptions options);
  // [batch, in_features] -> [batch, num_actions]
  torch::Tensor forward(torch::Tensor obs);
  // The Linear layers in order (torso, then the Q head), when the network is
  // a plain stack that MlpBackprop can run: no dueling head, norm or dropout,
  // an activation it supports, and either no encoder or one that is a
  // conv_front(). Empty otherwise.
  std::vector<torch::nn::Linear> plain_layers() const;
  // The encoder as MlpBackprop's leading convolution (minatar_cnn with the
  // torso's activation); nothing without an encoder. Pass it with plain_layers().
  std::optional<ConvFront> conv_front() const;

  QNetworkOptions options;

 private:
  ConvEncoder encoder_{nullptr};
  MLP torso_{nullptr};
  torch::nn::Linear q_{nullptr};      // Q head, or the advantage stream when dueling
  torch::nn::Linear value_{nullptr};  // dueling only
};
TORCH_MODULE(QNetwork);

}  // namespace pavlov::nets
