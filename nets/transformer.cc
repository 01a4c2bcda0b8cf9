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
                    .help = "position encoding: learned (an embedding per position), sinusoidal (fixed) or "
                            "rotary (RoPE: queries and keys rotated by position)"};
  positions.choices = {"learned", "sinusoidal", "rotary"};
  Catalog::global().add({"net", "gpt", "decoder-only Transformer language model ([task] kind = \"language_model\")",
                         {i("dim", 128, "width of the residual stream", 65536), i("heads", 4, "attention heads (divide dim)", 1024),
                          i("layers", 4, "Transformer blocks", 1024), dropout, positions}});
  Catalog::global().add({"net", "bert", "Transformer encoder, pretrained on masked tokens ([task] kind = \"text_classify\")",
                         {i("dim", 128, "width of the residual stream", 65536), i("heads", 4, "attention heads (divide dim)", 1024),
                          i("layers", 2, "Transformer blocks", 1024), dropout, positions}});
  positions.default_value = std::string("sinusoidal");
  Catalog::global().add({"net", "seq2seq", "encoder-decoder Transformer ([task] kind = \"translate\")",
                         {i("dim", 128, "width of the residual stream", 65536), i("heads", 4, "attention heads (divide dim)", 1024),
                          i("layers", 3, "Transformer blocks of the encoder, and as many of the decoder", 1024), dropout,
                          positions}});
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
          .encoding = position_kind(cfg.get_string(table + ".positions"))};
}

PositionKind position_kind(const std::string& name) {
  if (name == "learned") return PositionKind::kLearned;
  if (name == "sinusoidal") return PositionKind::kSinusoidal;
  if (name == "rotary") return PositionKind::kRotary;
  throw std::invalid_argument("positions: learned, sinusoidal or rotary, not \"" + name + "\"");
}

torch::Tensor rotary_embed(const torch::Tensor& x, std::int64_t first) {
  const std::int64_t T = x.size(-2), d = x.size(-1), half = d / 2;
  if (d % 2 != 0) throw std::invalid_argument("rotary positions need an even head width, not " + std::to_string(d));
  const auto opts = x.options().dtype(torch::kFloat32);
  const torch::Tensor freq = torch::pow(10000.0, -torch::arange(half, opts) / static_cast<double>(half));
  const torch::Tensor angle = torch::outer(torch::arange(first, first + T, opts), freq).to(x.scalar_type());  // [T, half]
  const torch::Tensor cos = angle.cos(), sin = angle.sin();
  const torch::Tensor x1 = x.narrow(-1, 0, half), x2 = x.narrow(-1, half, half);
  return torch::cat({x1 * cos - x2 * sin, x2 * cos + x1 * sin}, -1);
}

MultiHeadAttentionImpl::MultiHeadAttentionImpl(std::int64_t dim, std::int64_t heads, double dropout, bool rotary)
    : heads_(heads), rotary_(rotary) {
  if (heads < 1 || dim % heads != 0)
    throw std::invalid_argument("attention: " + std::to_string(heads) + " heads do not divide dim " + std::to_string(dim));
  if (rotary && (dim / heads) % 2 != 0)
    throw std::invalid_argument("attention: rotary positions need an even head width, dim / heads = " +
                                std::to_string(dim / heads));
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
  torch::Tensor q = split(query(x), T), k = split(key(context), S);
  const torch::Tensor v = split(value(context), S);
  if (rotary_) {
    q = rotary_embed(q);
    k = rotary_embed(k);
  }
  torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(d));  // [B, H, T, S]
  torch::Tensor blocked;  // true where a query must not see a key
  if (causal) blocked = torch::ones({T, S}, x.options().dtype(torch::kBool)).triu(1).view({1, 1, T, S});
  if (key_padding.defined()) {
    const torch::Tensor pad = key_padding.to(torch::kBool).view({B, 1, 1, S});
    blocked = blocked.defined() ? blocked.logical_or(pad) : pad;
  }
  if (blocked.defined()) scores = scores.masked_fill(blocked, -std::numeric_limits<float>::infinity());
  weights_ = torch::softmax(scores, -1);
  // With padding, a query whose every key is blocked has a row of NaNs: it
  // attends to nothing. (A causal mask alone always leaves a query its own key.)
  if (key_padding.defined()) weights_ = torch::nan_to_num(weights_, 0.0);
  const torch::Tensor mixed = torch::matmul(dropout_(weights_), v);  // [B, H, T, d]
  return out(mixed.transpose(1, 2).contiguous().view({B, T, D}));
}

TransformerBlockImpl::TransformerBlockImpl(std::int64_t dim, std::int64_t heads, double dropout, bool cross, bool rotary) {
  ln_attn_ = register_module("ln_attn", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  attn_ = register_module("attn", MultiHeadAttention(dim, heads, dropout, rotary));
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

PositionEncodingImpl::PositionEncodingImpl(std::int64_t positions, std::int64_t dim, bool sinusoidal) {
  if (sinusoidal) weight_ = register_buffer("weight", sinusoidal_positions(positions, dim));
  else weight_ = register_parameter("weight", torch::randn({positions, dim}) * 0.02);
}

torch::Tensor PositionEncodingImpl::forward(std::int64_t length) {
  if (length > weight_.size(0))
    throw std::invalid_argument(std::to_string(length) + " positions, the encoding holds " + std::to_string(weight_.size(0)));
  return weight_.slice(0, 0, length);
}

namespace {
// Registers `m`'s position encoding as "positions"; none (a null module) for rotary positions.
PositionEncoding register_positions(torch::nn::Module& m, PositionKind kind, std::int64_t count, std::int64_t dim) {
  if (kind == PositionKind::kRotary) return nullptr;
  return m.register_module("positions", PositionEncoding(count, dim, kind == PositionKind::kSinusoidal));
}

// x [B, T, dim] plus the encodings of positions 0 .. T - 1, if `positions` adds any.
torch::Tensor with_positions(PositionEncoding& positions, const torch::Tensor& x) {
  return positions ? x + positions(x.size(1)) : x;
}
}  // namespace

GptImpl::GptImpl(GptOptions o) : options(o) {
  stack_ = TokenStack(*this, "gpt", o.vocab, o.context, o.dim, o.heads, o.layers, o.dropout, o.encoding);
  // GPT-2's initialisation: N(0, 0.02) for embeddings and linear weights, zero biases.
  torch::NoGradGuard no_grad;
  for (auto& p : named_parameters()) {
    if (p.key().find("ln") != std::string::npos) continue;
    if (p.key().size() >= 4 && p.key().substr(p.key().size() - 4) == "bias") p.value().zero_();
    else p.value().normal_(0.0, 0.02);
  }
}

TokenStack::TokenStack(torch::nn::Module& owner, std::string name_, std::int64_t vocab, std::int64_t context_,
                       std::int64_t dim, std::int64_t heads, std::int64_t layers, double p, PositionKind encoding)
    : name(std::move(name_)), context(context_) {
  if (vocab < 1 || context < 1 || layers < 1) throw std::invalid_argument(name + ": vocab, context and layers must be >= 1");
  tokens = owner.register_module("tokens", torch::nn::Embedding(vocab, dim));
  const bool rotary = encoding == PositionKind::kRotary;
  positions = register_positions(owner, encoding, context, dim);
  for (std::int64_t l = 0; l < layers; ++l)
    blocks.push_back(owner.register_module("block" + std::to_string(l), TransformerBlock(dim, heads, p, false, rotary)));
  ln = owner.register_module("ln", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  dropout = owner.register_module("dropout", torch::nn::Dropout(p));
}

torch::Tensor TokenStack::forward(const torch::Tensor& tokens_in, bool causal, const torch::Tensor& padding) {
  const std::int64_t T = tokens_in.size(1);
  if (T > context)
    throw std::invalid_argument(name + ": " + std::to_string(T) + " tokens, the context holds " + std::to_string(context));
  torch::Tensor x = dropout(with_positions(positions, tokens(tokens_in)));
  for (auto& b : blocks) x = b(x, causal, padding);
  return ln(x);
}

torch::Tensor GptImpl::forward(const torch::Tensor& tokens) {
  // Weight tying: the output layer is the token embedding, transposed.
  return torch::matmul(stack_.forward(tokens, /*causal=*/true), stack_.tokens->weight.t());
}

}  // namespace pavlov::nets

namespace pavlov::nets {

Seq2SeqOptions seq2seq_options_from(const Config& cfg, const std::string& table, std::int64_t source_vocab,
                                    std::int64_t target_vocab, std::int64_t positions) {
  return {.source_vocab = source_vocab,
          .target_vocab = target_vocab,
          .positions = positions,
          .dim = cfg.get_int(table + ".dim"),
          .heads = cfg.get_int(table + ".heads"),
          .layers = cfg.get_int(table + ".layers"),
          .dropout = cfg.get_float(table + ".dropout"),
          .encoding = position_kind(cfg.get_string(table + ".positions"))};
}

Seq2SeqImpl::Seq2SeqImpl(Seq2SeqOptions o) : options(o) {
  if (o.source_vocab < 1 || o.target_vocab < 1 || o.positions < 1 || o.layers < 1)
    throw std::invalid_argument("seq2seq: vocabularies, positions and layers must be >= 1");
  source_tokens_ = register_module("source_tokens", torch::nn::Embedding(o.source_vocab, o.dim));
  target_tokens_ = register_module("target_tokens", torch::nn::Embedding(o.target_vocab, o.dim));
  const bool rotary = o.encoding == PositionKind::kRotary;
  positions_ = register_positions(*this, o.encoding, o.positions, o.dim);
  for (std::int64_t l = 0; l < o.layers; ++l) {
    encoder_.push_back(
        register_module("encoder" + std::to_string(l), TransformerBlock(o.dim, o.heads, o.dropout, false, rotary)));
    decoder_.push_back(register_module("decoder" + std::to_string(l),
                                       TransformerBlock(o.dim, o.heads, o.dropout, /*cross=*/true, rotary)));
  }
  encoder_ln_ = register_module("encoder_ln", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.dim})));
  decoder_ln_ = register_module("decoder_ln", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.dim})));
  dropout_ = register_module("dropout", torch::nn::Dropout(o.dropout));
  torch::NoGradGuard no_grad;
  for (auto* table : {&source_tokens_, &target_tokens_}) (*table)->weight.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(o.dim)));
}

torch::Tensor Seq2SeqImpl::embed(torch::nn::Embedding& table, const torch::Tensor& tokens) {
  if (tokens.size(1) > options.positions)
    throw std::invalid_argument("seq2seq: " + std::to_string(tokens.size(1)) + " tokens, the model holds " +
                                std::to_string(options.positions) + " positions");
  const torch::Tensor x = table(tokens) * std::sqrt(static_cast<double>(options.dim));
  return dropout_(with_positions(positions_, x));
}

torch::Tensor Seq2SeqImpl::encode(const torch::Tensor& source) {
  const torch::Tensor padding = source.eq(kPadToken);
  torch::Tensor x = embed(source_tokens_, source);
  for (auto& b : encoder_) x = b(x, /*causal=*/false, padding);
  return encoder_ln_(x);
}

torch::Tensor Seq2SeqImpl::decode(const torch::Tensor& prefix, const torch::Tensor& memory, const torch::Tensor& source) {
  const torch::Tensor source_padding = source.eq(kPadToken);
  torch::Tensor y = embed(target_tokens_, prefix);
  // No padding mask of its own: a target's padding comes after its end, which causal attention never looks past.
  for (auto& b : decoder_) y = b(y, /*causal=*/true, torch::Tensor(), memory, source_padding);
  return torch::matmul(decoder_ln_(y), target_tokens_->weight.t());
}

}  // namespace pavlov::nets

namespace pavlov::nets {

BertOptions bert_options_from(const Config& cfg, const std::string& table, std::int64_t vocab, std::int64_t context,
                              std::int64_t pad) {
  return {.vocab = vocab,
          .context = context,
          .dim = cfg.get_int(table + ".dim"),
          .heads = cfg.get_int(table + ".heads"),
          .layers = cfg.get_int(table + ".layers"),
          .dropout = cfg.get_float(table + ".dropout"),
          .encoding = position_kind(cfg.get_string(table + ".positions")),
          .pad = pad};
}

BertImpl::BertImpl(BertOptions o) : options(o) {
  stack_ = TokenStack(*this, "bert", o.vocab, o.context, o.dim, o.heads, o.layers, o.dropout, o.encoding);
  output_bias_ = register_parameter("output_bias", torch::zeros({o.vocab}));
  torch::NoGradGuard no_grad;
  stack_.tokens->weight.normal_(0.0, 0.02);
}

torch::Tensor BertImpl::forward(const torch::Tensor& tokens) {
  return stack_.forward(tokens, /*causal=*/false, tokens.eq(options.pad));
}

torch::Tensor BertImpl::token_logits(const torch::Tensor& hidden) {
  return torch::matmul(hidden, stack_.tokens->weight.t()) + output_bias_;
}

torch::Tensor BertImpl::pooled(const torch::Tensor& hidden, const torch::Tensor& tokens) const {
  const torch::Tensor keep = tokens.ne(options.pad).unsqueeze(-1).to(hidden.scalar_type());  // [B, T, 1]
  return (hidden * keep).sum(1) / keep.sum(1).clamp_min(1.0);
}

}  // namespace pavlov::nets
