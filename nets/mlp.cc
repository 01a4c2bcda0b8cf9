#include "nets/mlp.h"

#include <stdexcept>

#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/modules/batchnorm.h>

#include "engine/config/experiment.h"
#include "nets/activation.h"

namespace pavlov::nets {

const std::vector<KeySpec>& mlp_keys() {
  static const std::vector<KeySpec> keys = [] {
    KeySpec hidden{.name = "hidden", .type = KeyType::kIntList, .default_value = std::vector<std::int64_t>{64, 64},
                   .help = "widths of the hidden layers, e.g. [256, 256]", .min = 1, .max = 1 << 20};
    KeySpec act{.name = "activation", .type = KeyType::kString, .default_value = std::string("relu"),
                .help = "activation after each hidden layer (pavlov list activations)"};
    act.names_of = "activation";
    KeySpec dropout{.name = "dropout", .type = KeyType::kFloat, .default_value = 0.0,
                    .help = "dropout probability after each hidden layer", .min = 0.0, .max = 0.99};
    KeySpec norm{.name = "norm", .type = KeyType::kString, .default_value = std::string("none"),
                 .help = "normalisation after each hidden Linear: none, layer or batch"};
    norm.choices = {"none", "layer", "batch"};
    return std::vector<KeySpec>{hidden, act, dropout, norm};
  }();
  return keys;
}

void require_mlp_net(const Config& cfg, const std::string& agent) {
  const std::string type = cfg.get_string("agent.net.type");
  if (type != "mlp")
    throw std::invalid_argument(agent + " builds its networks from [agent.net] type = \"mlp\" only; \"" + type +
                                "\" is for " + (type == "transformer" ? "ppo and a2c" : "dqn, ppo and a2c"));
}

MLPOptions mlp_options_from(const Config& cfg, std::int64_t in_features, const std::string& table) {
  return MLPOptions(in_features)
      .hidden(cfg.get_int_list(table + ".hidden"))
      .activation(cfg.get_string(table + ".activation"))
      .dropout(cfg.get_float(table + ".dropout"))
      .norm(cfg.get_string(table + ".norm"));
}

MLPImpl::MLPImpl(MLPOptions opts) : options(std::move(opts)) {
  std::int64_t width = options.in_features();
  for (std::int64_t h : options.hidden()) {
    layers_->push_back(torch::nn::Linear(width, h));
    if (options.norm() == "layer") layers_->push_back(torch::nn::LayerNorm(torch::nn::LayerNormOptions({h})));
    if (options.norm() == "batch") layers_->push_back(torch::nn::BatchNorm1d(h));
    layers_->push_back(make_activation(options.activation()));
    if (options.dropout() > 0) layers_->push_back(torch::nn::Dropout(options.dropout()));
    width = h;
  }
  register_module("layers", layers_);
}

torch::Tensor MLPImpl::forward(torch::Tensor x) { return layers_->is_empty() ? x : layers_->forward(x); }

std::int64_t MLPImpl::out_features() const {
  return options.hidden().empty() ? options.in_features() : options.hidden().back();
}

}  // namespace pavlov::nets
