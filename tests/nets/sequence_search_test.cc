// Greedy decoding and beam search (nets/sequence_search.h) on a hand-made
// next-token distribution whose best sequence greedy decoding misses.
#include "nets/sequence_search.h"

#include <doctest/doctest.h>

#include <cmath>
#include <torch/torch.h>

namespace {
// Tokens: 0 pad, 1 begin, 2 end, 3 "a", 4 "b". The next token depends on the last one:
//   begin -> a 0.6, b 0.4;   a -> a 0.4, b 0.3, end 0.3;   b -> end 0.9, a 0.05, b 0.05.
// Greedy reads a, a, a, ... and never ends; the likeliest finished sequence is "b" (0.36).
torch::Tensor markov_log_probs(const torch::Tensor& prefixes) {
  const double table[5][5] = {{0, 0, 1, 0, 0},          {0, 0, 0, 0.6, 0.4}, {0, 0, 1, 0, 0},
                              {0, 0, 0.3, 0.4, 0.3},    {0, 0, 0.9, 0.05, 0.05}};
  const std::int64_t n = prefixes.size(0);
  torch::Tensor out = torch::empty({n, 5});
  for (std::int64_t r = 0; r < n; ++r) {
    const std::int64_t last = prefixes[r][-1].item<std::int64_t>();
    for (int v = 0; v < 5; ++v) out[r][v] = std::log(std::max(table[last][v], 1e-12));
  }
  return out;
}
}  // namespace

TEST_CASE("sequence search: beam search finds the likelier sequence greedy decoding misses") {
  using pavlov::nets::beam_search;
  using pavlov::nets::greedy_decode;
  CHECK(greedy_decode(markov_log_probs, 2, 1, 2, 5) == std::vector<std::vector<std::int64_t>>{{3, 3, 3, 3, 3}, {3, 3, 3, 3, 3}});
  CHECK(beam_search(markov_log_probs, 1, 2, 5, 2, /*alpha=*/0.0) == std::vector<std::int64_t>{4});
  CHECK(beam_search(markov_log_probs, 1, 2, 5, 1, 0.0) == std::vector<std::int64_t>{3, 3, 3, 3, 3});  // width 1 is greedy
  CHECK_THROWS_AS(beam_search(markov_log_probs, 1, 2, 5, 0), std::invalid_argument);
}

TEST_CASE("sequence search: greedy rows end on their own end token") {
  // Row r's prefix of length t ends when t > r: row 0 writes nothing, row 2 writes two tokens.
  const auto next = [](const torch::Tensor& prefixes) {
    const std::int64_t n = prefixes.size(0), t = prefixes.size(1);
    torch::Tensor out = torch::full({n, 4}, -10.0);
    for (std::int64_t r = 0; r < n; ++r) out[r][t > r ? 2 : 3] = 0.0;
    return out;
  };
  CHECK(pavlov::nets::greedy_decode(next, 3, 1, 2, 10) == std::vector<std::vector<std::int64_t>>{{}, {3}, {3, 3}});
}
