#include "nets/transformer.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <torch/torch.h>

#include "engine/config/catalog.h"
#include "engine/config/experiment.h"

namespace pavlov::nets {
namespace {
const bool kRegistered = [] {
  auto i = [](const char* name, std::int64_t def, const char* help, double max) {
    return KeySpec{.name = name, .type = KeyType::kInt, .default_value = def, .help = help, .min = 1, .max = max};
  };
  KeySpec dropout{.name = "dropout", .type = KeyType::kFloat, .default_value = 0.1,
                  .help = "dropout after embeddings, attention weights, attention and MLP outputs", .min = 0.0, .max = 0.9};
  KeySpec positions{.name = "positions", .type = KeyType::kString, .default_value = std::string("learned"),
                    .help = "position encoding: learned (an embedding per position) or sinusoidal (fixed)"};
  positions.choices = {"learned", "sinusoidal"};
  Catalog::global().add({"net", "gpt", "decoder-only Transformer language model ([task] kind = \"language_model\")",
                         {i("dim", 128, "width of the residual stream", 65536), i("heads", 4, "attention heads (divide dim)", 1024),
                          i("layers", 4, "Transformer blocks", 1024), dropout, positions}});
  return true;
}();
}  // namespace

GptOptions gpt_options_from(const Config& cfg, const std::string& table, std::int64_t vocab, std::int64_t context) {
  return {.vocab = vocab,
          .context = context,
          .dim = cfg.get_int(table + ".dim"),
          .heads = cfg.get_int(table + ".heads"),
          .layers = cfg.get_int(table + ".layers"),
          .dropout = cfg.get_float(table + ".dropout"),
          .sinusoidal = cfg.get_string(table + ".positions") == "sinusoidal"};
}

MultiHeadAttentionImpl::MultiHeadAttentionImpl(std::int64_t dim, std::int64_t heads, double dropout) : heads_(heads) {
  if (heads < 1 || dim % heads != 0)
    throw std::invalid_argument("attention: " + std::to_string(heads) + " heads do not divide dim " + std::to_string(dim));
  query = register_module("query", torch::nn::Linear(dim, dim));
  key = register_module("key", torch::nn::Linear(dim, dim));
  value = register_module("value", torch::nn::Linear(dim, dim));
  out = register_module("out", torch::nn::Linear(dim, dim));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
}

torch::Tensor MultiHeadAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& context, bool causal,
                                              const torch::Tensor& key_padding) {
  const std::int64_t B = x.size(0), T = x.size(1), S = context.size(1), D = x.size(2), H = heads_, d = D / H;
  if (causal && T != S) throw std::invalid_argument("attention: a causal mask needs as many queries as keys");
  // [B, T, D] -> [B, H, T, d]
  auto split = [&](const torch::Tensor& t, std::int64_t len) { return t.view({B, len, H, d}).transpose(1, 2); };
  const torch::Tensor q = split(query(x), T), k = split(key(context), S), v = split(value(context), S);
  torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(d));  // [B, H, T, S]
  torch::Tensor blocked;  // true where a query must not see a key
  if (causal) blocked = torch::ones({T, S}, x.options().dtype(torch::kBool)).triu(1).view({1, 1, T, S});
  if (key_padding.defined()) {
    const torch::Tensor pad = key_padding.to(torch::kBool).view({B, 1, 1, S});
    blocked = blocked.defined() ? blocked.logical_or(pad) : pad;
  }
  if (blocked.defined()) scores = scores.masked_fill(blocked, -std::numeric_limits<float>::infinity());
  weights_ = torch::softmax(scores, -1);
  // A query whose every key is blocked has a row of NaNs: it attends to nothing.
  if (blocked.defined()) weights_ = torch::nan_to_num(weights_, 0.0);
  const torch::Tensor mixed = torch::matmul(dropout_(weights_), v);  // [B, H, T, d]
  return out(mixed.transpose(1, 2).contiguous().view({B, T, D}));
}

TransformerBlockImpl::TransformerBlockImpl(std::int64_t dim, std::int64_t heads, double dropout, bool cross) {
  ln_attn_ = register_module("ln_attn", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  attn_ = register_module("attn", MultiHeadAttention(dim, heads, dropout));
  if (cross) {
    ln_cross_ = register_module("ln_cross", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
    cross_ = register_module("cross", MultiHeadAttention(dim, heads, dropout));
  }
  ln_mlp_ = register_module("ln_mlp", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  fc_ = register_module("fc", torch::nn::Linear(dim, 4 * dim));
  proj_ = register_module("proj", torch::nn::Linear(4 * dim, dim));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
}

torch::Tensor TransformerBlockImpl::forward(const torch::Tensor& x, bool causal, const torch::Tensor& padding,
                                            const torch::Tensor& memory, const torch::Tensor& memory_padding) {
  torch::Tensor h = ln_attn_(x);
  torch::Tensor y = x + dropout_(attn_(h, h, causal, padding));
  if (cross_) {
    if (!memory.defined()) throw std::invalid_argument("a decoder block needs the encoder's output");
    y = y + dropout_(cross_(ln_cross_(y), memory, false, memory_padding));
  }
  return y + dropout_(proj_(torch::gelu(fc_(ln_mlp_(y)))));
}

torch::Tensor sinusoidal_positions(std::int64_t positions, std::int64_t dim) {
  torch::Tensor p = torch::zeros({positions, dim});
  for (std::int64_t t = 0; t < positions; ++t)
    for (std::int64_t i = 0; i < dim; i += 2) {
      const double angle = static_cast<double>(t) / std::pow(10000.0, static_cast<double>(i) / static_cast<double>(dim));
      p[t][i] = std::sin(angle);
      if (i + 1 < dim) p[t][i + 1] = std::cos(angle);
    }
  return p;
}

GptImpl::GptImpl(GptOptions o) : options(o) {
  if (o.vocab < 1 || o.context < 1 || o.layers < 1) throw std::invalid_argument("gpt: vocab, context and layers must be >= 1");
  tokens_ = register_module("tokens", torch::nn::Embedding(o.vocab, o.dim));
  if (o.sinusoidal) fixed_positions_ = register_buffer("positions", sinusoidal_positions(o.context, o.dim));
  else positions_ = register_module("positions", torch::nn::Embedding(o.context, o.dim));
  for (std::int64_t l = 0; l < o.layers; ++l)
    blocks_.push_back(register_module("block" + std::to_string(l), TransformerBlock(o.dim, o.heads, o.dropout)));
  ln_ = register_module("ln", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.dim})));
  dropout_ = register_module("dropout", torch::nn::Dropout(o.dropout));
  // GPT-2's initialisation: N(0, 0.02) for embeddings and linear weights, zero biases.
  torch::NoGradGuard no_grad;
  for (auto& p : named_parameters()) {
    if (p.key().find("ln") != std::string::npos) continue;
    if (p.key().size() >= 4 && p.key().substr(p.key().size() - 4) == "bias") p.value().zero_();
    else p.value().normal_(0.0, 0.02);
  }
}

torch::Tensor GptImpl::forward(const torch::Tensor& tokens) {
  const std::int64_t T = tokens.size(1);
  if (T > options.context)
    throw std::invalid_argument("gpt: " + std::to_string(T) + " tokens, the context holds " + std::to_string(options.context));
  const torch::Tensor pos = options.sinusoidal ? fixed_positions_.slice(0, 0, T)
                                               : positions_(torch::arange(T, tokens.options().dtype(torch::kInt64)));
  torch::Tensor x = dropout_(tokens_(tokens) + pos);
  for (auto& b : blocks_) x = b(x, /*causal=*/true);
  // Weight tying: the output layer is the token embedding, transposed.
  return torch::matmul(ln_(x), tokens_->weight.t());
}

}  // namespace pavlov::nets
