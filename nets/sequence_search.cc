#include "nets/sequence_search.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <torch/torch.h>

namespace pavlov::nets {

std::vector<std::vector<std::int64_t>> greedy_decode(const NextTokenLogProbs& next, std::int64_t rows, std::int64_t begin,
                                                     std::int64_t end, std::int64_t max_length,
                                                     const torch::Device& device) {
  std::vector<std::vector<std::int64_t>> out(static_cast<std::size_t>(rows));
  std::vector<bool> done(static_cast<std::size_t>(rows), false);
  torch::Tensor prefixes = torch::full({rows, 1}, begin, torch::dtype(torch::kInt64).device(device));
  for (std::int64_t t = 0; t < max_length; ++t) {
    const torch::Tensor picks = next(prefixes).argmax(-1);
    const torch::Tensor cpu = picks.to(torch::kCPU);
    const std::int64_t* p = cpu.data_ptr<std::int64_t>();
    bool all_done = true;
    for (std::int64_t r = 0; r < rows; ++r) {
      if (done[r]) continue;
      if (p[r] == end) done[r] = true;
      else out[r].push_back(p[r]);
      all_done = all_done && done[r];
    }
    if (all_done) break;
    // A finished row keeps writing `end`; nothing reads it.
    prefixes = torch::cat({prefixes, picks.view({rows, 1})}, 1);
  }
  return out;
}

std::vector<std::int64_t> beam_search(const NextTokenLogProbs& next, std::int64_t begin, std::int64_t end,
                                      std::int64_t max_length, int width, double alpha, const torch::Device& device) {
  if (width < 1) throw std::invalid_argument("beam search: width must be >= 1");
  struct Hypothesis {
    std::vector<std::int64_t> tokens;  // after `begin`
    double score;                      // summed log-probability
  };
  auto penalised = [alpha](const Hypothesis& h) {
    return h.score / std::pow((5.0 + static_cast<double>(h.tokens.size() + 1)) / 6.0, alpha);
  };
  std::vector<Hypothesis> live{{{}, 0.0}}, finished;
  for (std::int64_t t = 0; t < max_length && !live.empty() && static_cast<int>(finished.size()) < width; ++t) {
    const auto n = static_cast<std::int64_t>(live.size());
    std::vector<std::int64_t> flat;
    for (const auto& h : live) {
      flat.push_back(begin);
      flat.insert(flat.end(), h.tokens.begin(), h.tokens.end());
    }
    const torch::Tensor prefixes = torch::from_blob(flat.data(), {n, t + 1}, torch::kInt64).to(device);
    const torch::Tensor logp = next(prefixes).to(torch::kCPU, torch::kFloat64).contiguous();
    const std::int64_t vocab = logp.size(1);
    // The best 2 * width extensions: enough that `width` stay live after some finish.
    const std::int64_t k = std::min<std::int64_t>(2 * width, n * vocab);
    std::vector<double> scores;
    for (const auto& h : live) scores.push_back(h.score);
    const torch::Tensor total = logp + torch::tensor(scores, torch::kFloat64).view({n, 1});
    const auto [values, indices] = total.view({-1}).topk(k);
    std::vector<Hypothesis> next_live;
    for (std::int64_t i = 0; i < k && static_cast<int>(next_live.size()) < width; ++i) {
      const std::int64_t index = indices[i].item<std::int64_t>(), row = index / vocab, token = index % vocab;
      Hypothesis h{live[row].tokens, values[i].item<double>()};
      if (token == end) {
        if (static_cast<int>(finished.size()) < width) finished.push_back(std::move(h));
      } else {
        h.tokens.push_back(token);
        next_live.push_back(std::move(h));
      }
    }
    live = std::move(next_live);
  }
  const std::vector<Hypothesis>& pool = finished.empty() ? live : finished;
  if (pool.empty()) return {};
  return std::max_element(pool.begin(), pool.end(),
                          [&](const Hypothesis& a, const Hypothesis& b) { return penalised(a) < penalised(b); })
      ->tokens;
}

}  // namespace pavlov::nets
