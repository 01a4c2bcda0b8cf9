// Decoding a sequence model's output one token at a time: greedy (a batch of
// sequences at once) and beam search (one sequence). Both see the model only
// as a function from prefixes to the log-probabilities of the next token, so
// they serve any decoder (nets/transformer.h's Seq2Seq, a GPT) and can be
// tested against a hand-made distribution.
#pragma once

#include <cstdint>
#include <functional>
#include <torch/types.h>
#include <vector>

namespace pavlov::nets {

// prefixes [N, t] int64 -> log-probabilities of token t + 1, [N, vocab] (float, CPU or not).
using NextTokenLogProbs = std::function<torch::Tensor(const torch::Tensor& prefixes)>;

// The likeliest next token, again and again, for `rows` sequences that start
// with `begin`, until each has written `end` or `max_length` tokens. Returns
// each sequence's tokens without `begin` and `end`.
std::vector<std::vector<std::int64_t>> greedy_decode(const NextTokenLogProbs& next, std::int64_t rows, std::int64_t begin,
                                                     std::int64_t end, std::int64_t max_length,
                                                     const torch::Device& device = torch::kCPU);

// Beam search for one sequence: `width` prefixes kept at each step, ranked by
// their summed log-probability; a prefix that writes `end` is finished. The
// search stops when `width` prefixes have finished or after `max_length`
// tokens, and returns the finished one with the best score / length_penalty,
// where length_penalty = ((5 + length) / 6)^alpha (Wu et al., 2016; alpha 0:
// the plain log-probability). If none finished, the best unfinished prefix.
// Without `begin` and `end`. `next` receives up to `width` prefixes at once.
std::vector<std::int64_t> beam_search(const NextTokenLogProbs& next, std::int64_t begin, std::int64_t end,
                                      std::int64_t max_length, int width, double alpha = 0.6,
                                      const torch::Device& device = torch::kCPU);

}  // namespace pavlov::nets
