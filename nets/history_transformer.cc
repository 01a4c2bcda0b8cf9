#include "nets/history_transformer.h"

#include <stdexcept>
#include <string>
#include <torch/torch.h>

#include "engine/config/catalog.h"
#include "engine/config/experiment.h"
#include "engine/env/space.h"
#include "nets/mlp.h"

namespace pavlov::nets {
namespace {

const bool kRegistered = [] {
  std::vector<KeySpec> keys = mlp_keys();
  for (KeySpec& spec : keys) {
    if (spec.name == "hidden") spec.default_value = std::vector<std::int64_t>{64};
    if (spec.name == "dropout") spec.help = "dropout probability in the Transformer blocks and after each hidden layer";
  }
  auto i = [](const char* name, std::int64_t def, const char* help) {
    return KeySpec{.name = name, .type = KeyType::kInt, .default_value = def, .help = help, .min = 1, .max = 65536};
  };
  keys.push_back(i("dim", 64, "width of the Transformer's residual stream (one token per observation)"));
  keys.push_back(i("heads", 4, "attention heads (divide dim)"));
  keys.push_back(i("layers", 2, "Transformer blocks"));
  Catalog::global().add({"net", "transformer",
                         "a Transformer over the last k observations, one token each ([env] frame_stack = k; ppo, a2c), "
                         "its newest token's output then the MLP (hidden [64])",
                         keys});
  return true;
}();

}  // namespace

std::optional<HistoryTransformerOptions> history_transformer_from(const Config& cfg, const Space& obs_space) {
  if (cfg.get_string("agent.net.type") != "transformer") return std::nullopt;
  const std::int64_t k = cfg.get_int("env.frame_stack"), n = obs_space.numel();
  if (k < 2)
    throw std::invalid_argument("[agent.net] type = \"transformer\" attends over the last k observations: set [env] "
                                "frame_stack = k (e.g. 8), not 1");
  if (n % k != 0)
    throw std::invalid_argument("[agent.net] type = \"transformer\": the observation of " + std::to_string(n) +
                                " numbers is not frame_stack = " + std::to_string(k) + " frames");
  HistoryTransformerOptions o{.frames = k,
                              .obs_dim = n / k,
                              .dim = cfg.get_int("agent.net.dim"),
                              .heads = cfg.get_int("agent.net.heads"),
                              .layers = cfg.get_int("agent.net.layers"),
                              .dropout = cfg.get_float("agent.net.dropout")};
  if (o.dim % o.heads != 0)
    throw std::invalid_argument("[agent.net] heads = " + std::to_string(o.heads) + " does not divide dim = " +
                                std::to_string(o.dim));
  return o;
}

HistoryTransformerImpl::HistoryTransformerImpl(HistoryTransformerOptions opts) : options(opts) {
  embed_ = register_module("embed", torch::nn::Linear(options.obs_dim, options.dim));
  positions_ = register_parameter("positions", torch::randn({options.frames, options.dim}) * 0.02);
  for (std::int64_t l = 0; l < options.layers; ++l)
    blocks_.push_back(register_module("block" + std::to_string(l),
                                      TransformerBlock(options.dim, options.heads, options.dropout)));
  ln_ = register_module("ln", torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.dim})));
}

torch::Tensor HistoryTransformerImpl::forward(const torch::Tensor& obs) {
  torch::Tensor x = embed_(obs.reshape({obs.size(0), options.frames, options.obs_dim})) + positions_;
  for (auto& block : blocks_) x = block(x, /*causal=*/false);
  return ln_(x.select(1, options.frames - 1));
}

}  // namespace pavlov::nets
