// The Transformer blocks (nets/transformer.h): attention with causal and
// padding masks against numbers worked out by hand, and causality of the GPT.
#include "nets/transformer.h"

#include <doctest/doctest.h>

#include <cmath>
#include <torch/torch.h>

namespace {
// Identity projections without bias: attention then mixes the inputs themselves.
pavlov::nets::MultiHeadAttention identity_attention(std::int64_t dim, std::int64_t heads) {
  pavlov::nets::MultiHeadAttention a(dim, heads);
  torch::NoGradGuard no_grad;
  for (auto* l : {&a->query, &a->key, &a->value, &a->out}) {
    (*l)->weight.copy_(torch::eye(dim));
    (*l)->bias.zero_();
  }
  return a;
}
}  // namespace

TEST_CASE("attention: causal and padding masks, by hand") {
  // One head, dim 2, inputs x0 = (1, 0), x1 = (0, 1), x2 = (1, 1); scores x_t . x_s / sqrt(2).
  auto a = identity_attention(2, 1);
  const torch::Tensor x = torch::tensor({1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f}).view({1, 3, 2});
  const torch::Tensor pad = torch::tensor({false, true, false}).view({1, 3});  // key 1 is padding
  const torch::Tensor y = a(x, x, /*causal=*/true, pad);
  // Query 0 sees key 0 only.
  CHECK(y[0][0][0].item<float>() == doctest::Approx(1.0));
  CHECK(y[0][0][1].item<float>() == doctest::Approx(0.0));
  // Query 1 sees keys 0 and 1, but 1 is padding: key 0 alone.
  CHECK(y[0][1][0].item<float>() == doctest::Approx(1.0));
  CHECK(y[0][1][1].item<float>() == doctest::Approx(0.0));
  // Query 2 sees keys 0 and 2: scores 1/sqrt2 and 2/sqrt2, weights 1/(1+e^0.7071) = 0.33023 and 0.66977.
  CHECK(y[0][2][0].item<float>() == doctest::Approx(1.0));
  CHECK(y[0][2][1].item<float>() == doctest::Approx(0.66977).epsilon(1e-4));
  const torch::Tensor w = a->last_weights();
  CHECK(w[0][0][2][1].item<float>() == 0.0f);
  CHECK(w[0][0][2][0].item<float>() == doctest::Approx(0.33023).epsilon(1e-4));

  // Causal alone: query 1 weighs keys 0 and 1 by scores 0 and 1/sqrt2: 0.33023 and 0.66977.
  const torch::Tensor c = a(x, x, true);
  CHECK(c[0][1][0].item<float>() == doctest::Approx(0.33023).epsilon(1e-4));
  CHECK(c[0][1][1].item<float>() == doctest::Approx(0.66977).epsilon(1e-4));
  // No mask: query 0 sees all three, scores 1/sqrt2, 0, 1/sqrt2.
  const torch::Tensor f = a(x, x, false);
  const double e = std::exp(1 / std::sqrt(2.0)), z = 2 * e + 1;
  CHECK(f[0][0][0].item<float>() == doctest::Approx(2 * e / z).epsilon(1e-4));
  CHECK(f[0][0][1].item<float>() == doctest::Approx((1 + e) / z).epsilon(1e-4));
}

TEST_CASE("attention: heads split the dimensions; cross-attention reads another sequence") {
  // dim 4 in 2 heads of 2: head 0 mixes dims 0-1, head 1 dims 2-3, each with its own scores.
  auto a = identity_attention(4, 2);
  const torch::Tensor x = torch::tensor({1.0f, 0.0f, 0.0f, 0.0f}).view({1, 1, 4});
  const torch::Tensor memory = torch::tensor({1.0f, 0.0f, 5.0f, 0.0f, 0.0f, 0.0f, 0.0f, 7.0f}).view({1, 2, 4});
  const torch::Tensor y = a(x, memory, false);
  // Head 0: scores 1/sqrt2 and 0 -> weights 0.66977, 0.33023 over (1,0) and (0,0).
  CHECK(y[0][0][0].item<float>() == doctest::Approx(0.66977).epsilon(1e-4));
  // Head 1: the query's dims 2-3 are 0: equal weights over (5,0) and (0,7).
  CHECK(y[0][0][2].item<float>() == doctest::Approx(2.5));
  CHECK(y[0][0][3].item<float>() == doctest::Approx(3.5));
  CHECK_THROWS_AS(pavlov::nets::MultiHeadAttention(6, 4), std::invalid_argument);
}

TEST_CASE("gpt: the output at step t does not depend on later tokens") {
  torch::manual_seed(1);
  using pavlov::nets::PositionKind;
  for (PositionKind kind : {PositionKind::kLearned, PositionKind::kSinusoidal, PositionKind::kRotary}) {
    pavlov::nets::Gpt gpt(pavlov::nets::GptOptions{.vocab = 11, .context = 16, .dim = 32, .heads = 4, .layers = 2,
                                                   .dropout = 0.0, .encoding = kind});
    gpt->eval();
    torch::Tensor a = torch::randint(0, 11, {2, 12}, torch::kInt64), b = a.clone();
    b.slice(1, 7, 12).random_(0, 11);  // change every token from step 7 on
    b[0][7] = (a[0][7].item<std::int64_t>() + 1) % 11;
    const torch::Tensor la = gpt(a), lb = gpt(b);
    CHECK(la.sizes() == torch::IntArrayRef({2, 12, 11}));
    CHECK(torch::allclose(la.slice(1, 0, 7), lb.slice(1, 0, 7)));
    CHECK(!torch::allclose(la.slice(1, 7, 8), lb.slice(1, 7, 8)));  // and it does on the earlier ones
    CHECK_THROWS_AS(gpt(torch::zeros({1, 17}, torch::kInt64)), std::invalid_argument);
  }
}

TEST_CASE("seq2seq: the decoder is causal; source padding changes nothing") {
  torch::manual_seed(2);
  pavlov::nets::Seq2Seq model(pavlov::nets::Seq2SeqOptions{
      .source_vocab = 13, .target_vocab = 9, .positions = 20, .dim = 32, .heads = 4, .layers = 2, .dropout = 0.0});
  model->eval();
  const torch::Tensor source = torch::randint(1, 13, {2, 6}, torch::kInt64);
  torch::Tensor a = torch::randint(1, 9, {2, 8}, torch::kInt64), b = a.clone();
  b.slice(1, 5, 8).random_(1, 9);
  b[1][5] = a[1][5].item<std::int64_t>() % 8 + 1;  // certainly a different token at step 5
  const torch::Tensor la = model(source, a), lb = model(source, b);
  CHECK(la.sizes() == torch::IntArrayRef({2, 8, 9}));
  CHECK(torch::allclose(la.slice(1, 0, 5), lb.slice(1, 0, 5)));
  CHECK(!torch::allclose(la.slice(1, 5, 6), lb.slice(1, 5, 6)));
  // The same sentences with three padding tokens after them: the same logits.
  const torch::Tensor longer = torch::cat({source, torch::full({2, 3}, pavlov::nets::kPadToken, torch::kInt64)}, 1);
  CHECK(torch::allclose(model(longer, a), la, 1e-5, 1e-5));
  // A different source word does change them.
  torch::Tensor other = source.clone();
  other[0][2] = source[0][2].item<std::int64_t>() % 12 + 1;
  CHECK(!torch::allclose(model(other, a).select(0, 0), la.select(0, 0)));
  CHECK_THROWS_AS(model(source, torch::ones({1, 21}, torch::kInt64).expand({2, 21})), std::invalid_argument);
}

TEST_CASE("rotary positions: identity at position 0, norms kept, scores depend on relative position only") {
  torch::manual_seed(4);
  const torch::Tensor q = torch::randn({2, 3, 7, 8}), k = torch::randn({2, 3, 7, 8});
  const torch::Tensor rq = pavlov::nets::rotary_embed(q), rk = pavlov::nets::rotary_embed(k);
  CHECK(torch::allclose(rq.select(2, 0), q.select(2, 0)));
  CHECK(torch::allclose(rq.norm(2, -1), q.norm(2, -1), 1e-5, 1e-5));
  // Position 1, pair (0, 4) of the first row turns by 1 radian: (a, b) -> (a cos 1 - b sin 1, b cos 1 + a sin 1).
  const double a = q[0][0][1][0].item<double>(), b = q[0][0][1][4].item<double>();
  CHECK(rq[0][0][1][0].item<double>() == doctest::Approx(a * std::cos(1.0) - b * std::sin(1.0)).epsilon(1e-5));
  CHECK(rq[0][0][1][4].item<double>() == doctest::Approx(b * std::cos(1.0) + a * std::sin(1.0)).epsilon(1e-5));
  // Every position moved by 5: the same query-key scores.
  const torch::Tensor scores = torch::matmul(rq, rk.transpose(-2, -1));
  const torch::Tensor shifted = torch::matmul(pavlov::nets::rotary_embed(q, 5), pavlov::nets::rotary_embed(k, 5).transpose(-2, -1));
  CHECK(torch::allclose(scores, shifted, 1e-4, 1e-4));
  CHECK(!torch::allclose(scores, torch::matmul(q, k.transpose(-2, -1)), 1e-3, 1e-3));
  CHECK_THROWS_AS(pavlov::nets::rotary_embed(torch::randn({1, 3, 5})), std::invalid_argument);
  CHECK_THROWS_AS(pavlov::nets::MultiHeadAttention(12, 4, 0.0, /*rotary=*/true), std::invalid_argument);  // head width 3
}

TEST_CASE("bert: padding changes no real token's state; pooling averages the real tokens only") {
  torch::manual_seed(5);
  const int pad = 9;
  pavlov::nets::Bert bert(pavlov::nets::BertOptions{.vocab = 10, .context = 12, .dim = 16, .heads = 2, .layers = 2,
                                                    .dropout = 0.0, .pad = pad});
  bert->eval();
  const torch::Tensor short_one = torch::tensor({{1, 2, 3, 4}}, torch::kInt64);
  const torch::Tensor padded = torch::tensor({{1, 2, 3, 4, pad, pad, pad}}, torch::kInt64);
  const torch::Tensor a = bert(short_one), b = bert(padded);
  CHECK(torch::allclose(a, b.slice(1, 0, 4), 1e-5, 1e-5));
  CHECK(torch::allclose(bert->pooled(a, short_one), a.mean(1), 1e-5, 1e-5));
  CHECK(torch::allclose(bert->pooled(b, padded), a.mean(1), 1e-5, 1e-5));
  // Every token sees every other: changing the last real token changes the first one's state.
  const torch::Tensor c = bert(torch::tensor({{1, 2, 3, 5}}, torch::kInt64));
  CHECK(!torch::allclose(c.select(1, 0), a.select(1, 0)));
  CHECK(bert->token_logits(a).sizes() == torch::IntArrayRef({1, 4, 10}));
  CHECK_THROWS_AS(bert(torch::zeros({1, 13}, torch::kInt64)), std::invalid_argument);
}
