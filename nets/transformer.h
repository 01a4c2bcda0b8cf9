// The zoo's Transformer building blocks, written on LibTorch 1.13's plain
// ops (it has no fused attention):
//
//   MultiHeadAttention  scaled dot-product attention over `heads` heads, for
//                       self-attention (context = x) or cross-attention
//                       (context = an encoder's output); a causal mask (query
//                       t sees keys s <= t) and/or a key padding mask
//   TransformerBlock    pre-layer-norm: x + attn(ln(x)) [+ cross(ln(x), memory)]
//                       + mlp(ln(x)), the MLP 4x wide with GELU, dropout after
//                       attention and MLP
//   Gpt                 a decoder-only language model: token embedding plus
//                       learned or sinusoidal positions, blocks with causal
//                       self-attention, a final layer norm and an output
//                       layer that shares the token embedding (weight tying)
//
// Shapes: sequences are [batch, time, dim]; token ids [batch, time] int64.
#pragma once

#include <cstdint>
#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <string>
#include <vector>

namespace pavlov {
class Config;
}

namespace pavlov::nets {

class MultiHeadAttentionImpl : public torch::nn::Module {
 public:
  MultiHeadAttentionImpl(std::int64_t dim, std::int64_t heads, double dropout = 0.0);
  // x [B, T, D] queries, context [B, S, D] keys and values. `causal` (needs
  // T == S): query t attends to keys 0..t. `key_padding` [B, S] bool: true
  // marks keys nobody attends to. A query with no key left gets zeros.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context, bool causal,
                        const torch::Tensor& key_padding = {});
  // The attention weights of the last forward, [B, heads, T, S] (for tests and plots).
  const torch::Tensor& last_weights() const { return weights_; }

  torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr}, out{nullptr};

 private:
  std::int64_t heads_;
  torch::nn::Dropout dropout_{nullptr};
  torch::Tensor weights_;
};
TORCH_MODULE(MultiHeadAttention);

class TransformerBlockImpl : public torch::nn::Module {
 public:
  // `cross`: a cross-attention sub-layer over an encoder's output (a decoder block).
  TransformerBlockImpl(std::int64_t dim, std::int64_t heads, double dropout, bool cross = false);
  torch::Tensor forward(const torch::Tensor& x, bool causal, const torch::Tensor& padding = {},
                        const torch::Tensor& memory = {}, const torch::Tensor& memory_padding = {});

 private:
  torch::nn::LayerNorm ln_attn_{nullptr}, ln_cross_{nullptr}, ln_mlp_{nullptr};
  MultiHeadAttention attn_{nullptr}, cross_{nullptr};
  torch::nn::Linear fc_{nullptr}, proj_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(TransformerBlock);

struct GptOptions {
  std::int64_t vocab = 0, context = 128, dim = 128, heads = 4, layers = 4;
  double dropout = 0.1;
  bool sinusoidal = false;  // fixed sinusoidal positions instead of learned ones
};

// GptOptions from a [net]-like table (dim, heads, layers, dropout, positions).
GptOptions gpt_options_from(const Config& cfg, const std::string& table, std::int64_t vocab, std::int64_t context);

// Sinusoidal position encodings (Vaswani et al., 2017), [positions, dim].
torch::Tensor sinusoidal_positions(std::int64_t positions, std::int64_t dim);

class GptImpl : public torch::nn::Module {
 public:
  explicit GptImpl(GptOptions options);
  // tokens [B, T] (T <= context) -> next-token logits [B, T, vocab]
  torch::Tensor forward(const torch::Tensor& tokens);

  GptOptions options;

 private:
  torch::nn::Embedding tokens_{nullptr};
  torch::nn::Embedding positions_{nullptr};  // learned positions
  torch::Tensor fixed_positions_;             // or sinusoidal (a buffer)
  std::vector<TransformerBlock> blocks_;
  torch::nn::LayerNorm ln_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(Gpt);

}  // namespace pavlov::nets
