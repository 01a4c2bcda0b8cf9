#include "nets/polyak.h"

#include <torch/torch.h>

namespace pavlov::nets {

void polyak_update(torch::nn::Module& source, torch::nn::Module& target, double tau) {
  torch::NoGradGuard no_grad;
  auto src = source.parameters(), dst = target.parameters();
  for (std::size_t i = 0; i < src.size(); ++i) {
    if (tau >= 1.0) dst[i].copy_(src[i]);
    else dst[i].mul_(1.0 - tau).add_(src[i], tau);
  }
  auto sb = source.buffers(), db = target.buffers();
  for (std::size_t i = 0; i < sb.size(); ++i) db[i].copy_(sb[i]);
}

}  // namespace pavlov::nets
