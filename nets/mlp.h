// pavlov::nets::MLP: a multi-layer perceptron, the torso of vector-observation
// agents. Each hidden layer is Linear, then the optional norm, the
// activation and the optional dropout.
//
//   MLP mlp(MLPOptions(4).hidden({256, 256}).activation("relu"));
//   torch::Tensor features = mlp(obs);   // [batch, 256]
#pragma once

#include <cstdint>
#include <string>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>
#include <vector>

#include "engine/config/value.h"

namespace pavlov {
class Config;
}

namespace pavlov::nets {

struct MLPOptions {
  explicit MLPOptions(std::int64_t in_features) : in_features_(in_features) {}
  TORCH_ARG(std::int64_t, in_features);
  TORCH_ARG(std::vector<std::int64_t>, hidden) = {64, 64};
  TORCH_ARG(std::string, activation) = "relu";
  TORCH_ARG(double, dropout) = 0.0;      // probability, 0: none
  TORCH_ARG(std::string, norm) = "none";  // none | layer | batch
};

// The options of [agent.net] for a network whose input has `in_features`.
// Throws std::invalid_argument naming `agent` unless [agent.net] type is mlp
// (for the agents that have no convolutional encoder yet: sac, td3).
void require_mlp_net(const Config& cfg, const std::string& agent);
// `table`: the config table of the network ([agent.net] for agents, [net] for the zoo's tasks).
MLPOptions mlp_options_from(const Config& cfg, std::int64_t in_features, const std::string& table = "agent.net");
// The keys [agent.net] accepts for an MLP (shared by the networks built on one).
const std::vector<KeySpec>& mlp_keys();

class MLPImpl : public torch::nn::Module {
 public:
  explicit MLPImpl(MLPOptions options);
  torch::Tensor forward(torch::Tensor x);
  // Width of the output: the last hidden size, or in_features with no hidden layer.
  std::int64_t out_features() const;

  MLPOptions options;

 private:
  torch::nn::Sequential layers_;
};
TORCH_MODULE(MLP);

}  // namespace pavlov::nets
