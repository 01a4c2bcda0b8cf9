#include "nets/activation.h"

#include <stdexcept>
#include <torch/nn/modules/activation.h>

#include "engine/config/catalog.h"

namespace pavlov::nets {
namespace {

const bool kRegistered = [] {
  for (auto [name, summary] : {std::pair{"relu", "max(0, x)"},
                               {"leaky_relu", "max(0.01 x, x)"},
                               {"elu", "x if x > 0 else exp(x) - 1"},
                               {"gelu", "x * Phi(x), the Gaussian error linear unit"},
                               {"tanh", "hyperbolic tangent"},
                               {"sigmoid", "1 / (1 + exp(-x))"}})
    Catalog::global().add({"activation", name, summary, {}});
  return true;
}();

}  // namespace

torch::nn::AnyModule make_activation(const std::string& name) {
  if (name == "relu") return torch::nn::AnyModule(torch::nn::ReLU());
  if (name == "leaky_relu") return torch::nn::AnyModule(torch::nn::LeakyReLU());
  if (name == "elu") return torch::nn::AnyModule(torch::nn::ELU());
  if (name == "gelu") return torch::nn::AnyModule(torch::nn::GELU());
  if (name == "tanh") return torch::nn::AnyModule(torch::nn::Tanh());
  if (name == "sigmoid") return torch::nn::AnyModule(torch::nn::Sigmoid());
  throw std::invalid_argument("unknown activation '" + name + "'");
}

}  // namespace pavlov::nets
