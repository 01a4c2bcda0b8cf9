// Activation functions by name, as an experiment file names them:
// relu, leaky_relu (slope 0.01), elu, gelu, tanh, sigmoid.
#pragma once

#include <string>
#include <torch/nn/modules/container/any.h>

namespace pavlov::nets {

// The module for `name`; throws std::invalid_argument for an unknown name
// (the config validator has already rejected those).
torch::nn::AnyModule make_activation(const std::string& name);

}  // namespace pavlov::nets
