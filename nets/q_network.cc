#include "nets/q_network.h"

#include "engine/config/catalog.h"
#include "engine/config/experiment.h"
#include "nets/mlp_backprop.h"

namespace pavlov::nets {
namespace {

const bool kRegistered = [] {
  std::vector<KeySpec> keys = mlp_keys();
  keys.push_back({.name = "dueling", .type = KeyType::kBool, .default_value = false,
                  .help = "value-based agents: separate value and advantage streams (dueling head)"});
  Catalog::global().add({"net", "mlp", "multi-layer perceptron torso with the agent's head", keys});
  return true;
}();

}  // namespace

QNetworkOptions q_network_options_from(const Config& cfg, std::int64_t in_features, std::int64_t num_actions) {
  return QNetworkOptions(mlp_options_from(cfg, in_features), num_actions).dueling(cfg.get_bool("agent.net.dueling"));
}

QNetworkImpl::QNetworkImpl(QNetworkOptions opts) : options(std::move(opts)) {
  torso_ = register_module("torso", MLP(options.torso()));
  const std::int64_t width = torso_->out_features();
  q_ = register_module("q", torch::nn::Linear(width, options.num_actions()));
  if (options.dueling()) value_ = register_module("value", torch::nn::Linear(width, 1));
}

torch::Tensor QNetworkImpl::forward(torch::Tensor obs) {
  torch::Tensor h = torso_(obs);
  torch::Tensor q = q_(h);
  if (!options.dueling()) return q;
  return value_(h) + q - q.mean(1, /*keepdim=*/true);
}

}  // namespace pavlov::nets

namespace pavlov::nets {

std::vector<torch::nn::Linear> QNetworkImpl::plain_layers() const {
  return options.dueling() ? std::vector<torch::nn::Linear>{} : nets::plain_layers(torso_, q_);
}

}  // namespace pavlov::nets
