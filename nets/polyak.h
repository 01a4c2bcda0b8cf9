// Target networks: target <- tau * source + (1 - tau) * target over the
// parameters (Polyak averaging), buffers copied; tau >= 1 copies exactly.
#pragma once

#include <torch/nn/module.h>

namespace pavlov::nets {

void polyak_update(torch::nn::Module& source, torch::nn::Module& target, double tau);

}  // namespace pavlov::nets
