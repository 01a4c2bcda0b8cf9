// pavlov::nets::HistoryTransformer: an agent's encoder that attends over its
// last k observations ([agent.net] type = "transformer" with [env]
// frame_stack = k; ppo and a2c). Each observation of the stack [k * n] is one
// token: a linear embedding to `dim`, plus a learned position per slot (oldest
// first), then pre-LN Transformer blocks (nets/transformer.h) attending over
// the whole window, a final layer norm, and the newest slot's output [dim] is
// the feature vector the agent's MLP torsos take.
//
// A window of observations is how DQN's frame stacks see motion, here with
// attention instead of a flat MLP: on CartPoleNoVel-v1 (positions only) the
// agent infers velocities from the window (experiments/cartpole_novel_transformer_ppo.toml).
// After an episode's reset every slot holds the first observation (FrameStack),
// so no masking is needed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <vector>

#include "nets/transformer.h"

namespace pavlov {
class Config;
class Space;
}  // namespace pavlov

namespace pavlov::nets {

struct HistoryTransformerOptions {
  std::int64_t frames = 4, obs_dim = 1, dim = 64, heads = 4, layers = 2;
  double dropout = 0.0;
};

class HistoryTransformerImpl : public torch::nn::Module {
 public:
  explicit HistoryTransformerImpl(HistoryTransformerOptions options);
  // obs [B, frames * obs_dim] -> features [B, dim]
  torch::Tensor forward(const torch::Tensor& obs);
  std::int64_t out_features() const { return options.dim; }

  HistoryTransformerOptions options;

 private:
  torch::nn::Linear embed_{nullptr};
  torch::Tensor positions_;
  std::vector<TransformerBlock> blocks_;
  torch::nn::LayerNorm ln_{nullptr};
};
TORCH_MODULE(HistoryTransformer);

// The options [agent.net] type = "transformer" asks for, none for other types.
// The window is `env.frame_stack` observations of obs_space / frame_stack each;
// throws std::invalid_argument when frame_stack is 1 or does not divide the
// observation.
std::optional<HistoryTransformerOptions> history_transformer_from(const Config& cfg, const Space& obs_space);

}  // namespace pavlov::nets
