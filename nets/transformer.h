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
//   PositionEncoding    learned (a trained table) or sinusoidal (fixed) positions,
//                       added to the embeddings; or rotary (RoPE, Su et al.,
//                       2021): queries and keys of self-attention rotated by
//                       their position, so scores depend on relative position
//   Gpt                 a decoder-only language model: token embedding plus
//                       positions, blocks with causal self-attention, a final
//                       layer norm and an output layer that shares the token
//                       embedding (weight tying)
//   Bert                an encoder (Devlin et al., 2019, pre-layer-norm): token
//                       embedding plus positions, blocks attending both ways
//                       with padding masked, a final layer norm; a masked-token
//                       head tied to the embedding, and mean pooling for
//                       classifiers
//   Seq2Seq             an encoder-decoder Transformer (Vaswani et al., 2017)
//                       with pre-layer-norm blocks: the encoder's blocks attend
//                       both ways over the source (padding masked), the
//                       decoder's causally over the target prefix and across
//                       to the encoder's output; the output layer shares the
//                       target embedding
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

enum class PositionKind { kLearned, kSinusoidal, kRotary };
// "learned", "sinusoidal" or "rotary"; throws std::invalid_argument for another name.
PositionKind position_kind(const std::string& name);

// RoPE on x [..., T, d] (d even) for positions first .. first + T - 1: each
// pair (x_i, x_{i + d/2}) turned by the angle position * 10000^(-2i/d)
// (the half-split layout of GPT-NeoX).
torch::Tensor rotary_embed(const torch::Tensor& x, std::int64_t first = 0);

class MultiHeadAttentionImpl : public torch::nn::Module {
 public:
  // `rotary`: RoPE on queries and keys (self-attention: both at positions 0 .. T - 1).
  MultiHeadAttentionImpl(std::int64_t dim, std::int64_t heads, double dropout = 0.0, bool rotary = false);
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
  bool rotary_;
  torch::nn::Dropout dropout_{nullptr};
  torch::Tensor weights_;
};
TORCH_MODULE(MultiHeadAttention);

class TransformerBlockImpl : public torch::nn::Module {
 public:
  // `cross`: a cross-attention sub-layer over an encoder's output (a decoder
  // block). `rotary`: RoPE in the self-attention.
  TransformerBlockImpl(std::int64_t dim, std::int64_t heads, double dropout, bool cross = false, bool rotary = false);
  torch::Tensor forward(const torch::Tensor& x, bool causal, const torch::Tensor& padding = {},
                        const torch::Tensor& memory = {}, const torch::Tensor& memory_padding = {});

 private:
  torch::nn::LayerNorm ln_attn_{nullptr}, ln_cross_{nullptr}, ln_mlp_{nullptr};
  MultiHeadAttention attn_{nullptr}, cross_{nullptr};
  torch::nn::Linear fc_{nullptr}, proj_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(TransformerBlock);

// Position encodings for the first `positions` positions: learned (a
// parameter "weight", N(0, 0.02) at the start) or sinusoidal (Vaswani et al.,
// a fixed buffer "weight").
class PositionEncodingImpl : public torch::nn::Module {
 public:
  PositionEncodingImpl(std::int64_t positions, std::int64_t dim, bool sinusoidal);
  // The encodings of positions 0 .. length - 1, [length, dim]; throws
  // std::invalid_argument past the table's end.
  torch::Tensor forward(std::int64_t length);

 private:
  torch::Tensor weight_;
};
TORCH_MODULE(PositionEncoding);

// What Gpt and Bert share: a token embedding, positions, pre-LN blocks and a
// final layer norm, registered into the owning module (as "tokens",
// "position"..., "block<l>", "ln", "dropout").
struct TokenStack {
  std::string name;  // "gpt" or "bert", for errors
  std::int64_t context = 0;
  torch::nn::Embedding tokens{nullptr};
  PositionEncoding positions{nullptr};  // none with rotary positions
  std::vector<TransformerBlock> blocks;
  torch::nn::LayerNorm ln{nullptr};
  torch::nn::Dropout dropout{nullptr};

  TokenStack() = default;
  TokenStack(torch::nn::Module& owner, std::string name, std::int64_t vocab, std::int64_t context, std::int64_t dim,
             std::int64_t heads, std::int64_t layers, double dropout, PositionKind encoding);
  // tokens [B, T] (T <= context) -> the final layer norm's output [B, T, dim].
  torch::Tensor forward(const torch::Tensor& tokens, bool causal, const torch::Tensor& padding = {});
};

struct GptOptions {
  std::int64_t vocab = 0, context = 128, dim = 128, heads = 4, layers = 4;
  double dropout = 0.1;
  PositionKind encoding = PositionKind::kLearned;
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
  TokenStack stack_;
};
TORCH_MODULE(Gpt);

struct BertOptions {
  std::int64_t vocab = 0, context = 128, dim = 128, heads = 4, layers = 2;
  double dropout = 0.1;
  PositionKind encoding = PositionKind::kLearned;
  std::int64_t pad = 0;  // the padding token's id (attended by nobody, left out of pooling)
};

class BertImpl : public torch::nn::Module {
 public:
  explicit BertImpl(BertOptions options);
  // tokens [B, T] (T <= context) -> hidden states [B, T, dim]
  torch::Tensor forward(const torch::Tensor& tokens);
  // hidden [B, T, dim] -> logits over the vocabulary [B, T, vocab] (the embedding, transposed, plus a bias)
  torch::Tensor token_logits(const torch::Tensor& hidden);
  // The mean of the hidden states of the non-padding tokens, [B, dim].
  torch::Tensor pooled(const torch::Tensor& hidden, const torch::Tensor& tokens) const;

  BertOptions options;

 private:
  TokenStack stack_;
  torch::Tensor output_bias_;
};
TORCH_MODULE(Bert);

// BertOptions from a [net]-like table (dim, heads, layers, dropout, positions).
BertOptions bert_options_from(const Config& cfg, const std::string& table, std::int64_t vocab, std::int64_t context,
                              std::int64_t pad);

// Token id 0 is padding in both of a Seq2Seq's vocabularies.
constexpr std::int64_t kPadToken = 0;

struct Seq2SeqOptions {
  std::int64_t source_vocab = 0, target_vocab = 0, positions = 128, dim = 128, heads = 4, layers = 3;
  double dropout = 0.1;
  PositionKind encoding = PositionKind::kSinusoidal;
};

// Seq2SeqOptions from a [net]-like table (dim, heads, layers, dropout, positions).
Seq2SeqOptions seq2seq_options_from(const Config& cfg, const std::string& table, std::int64_t source_vocab,
                                    std::int64_t target_vocab, std::int64_t positions);

class Seq2SeqImpl : public torch::nn::Module {
 public:
  // Embeddings start N(0, 1/dim) and enter scaled by sqrt(dim) (Vaswani et
  // al.), so tokens and sinusoidal positions start at the same scale.
  explicit Seq2SeqImpl(Seq2SeqOptions options);
  // source [B, S] (kPadToken after a sentence's end) -> memory [B, S, dim]
  torch::Tensor encode(const torch::Tensor& source);
  // prefix [B, T] target tokens so far (the first a begin token), the
  // encoder's memory and the source it read -> next-token logits [B, T, target_vocab]
  torch::Tensor decode(const torch::Tensor& prefix, const torch::Tensor& memory, const torch::Tensor& source);
  torch::Tensor forward(const torch::Tensor& source, const torch::Tensor& prefix) {
    return decode(prefix, encode(source), source);
  }

  Seq2SeqOptions options;

 private:
  torch::Tensor embed(torch::nn::Embedding& table, const torch::Tensor& tokens);

  torch::nn::Embedding source_tokens_{nullptr}, target_tokens_{nullptr};
  PositionEncoding positions_{nullptr};  // none with rotary positions
  std::vector<TransformerBlock> encoder_, decoder_;
  torch::nn::LayerNorm encoder_ln_{nullptr}, decoder_ln_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(Seq2Seq);

}  // namespace pavlov::nets
