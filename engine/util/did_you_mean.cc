#include "engine/util/did_you_mean.h"

#include <algorithm>
#include <cctype>

namespace pavlov {

int edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  auto eq = [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); };
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (eq(a[i - 1], b[j - 1]) ? 0 : 1)});
      if (i > 1 && j > 1 && eq(a[i - 1], b[j - 2]) && eq(a[i - 2], b[j - 1])) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

std::vector<std::string> closest_names(std::string_view name, const std::vector<std::string>& candidates,
                                       std::size_t max_count) {
  // A third of the longer name's length, at least 2: "CartPole-v0" finds "CartPole-v1",
  // "cartpole" finds "CartPole-v1", "xyz" finds nothing.
  std::vector<std::pair<int, std::string>> scored;
  for (const auto& c : candidates) {
    const int limit = std::max<int>(2, static_cast<int>(std::max(name.size(), c.size()) / 3));
    const int d = edit_distance(name, c);
    if (d <= limit) scored.emplace_back(d, c);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && i < max_count; ++i) out.push_back(scored[i].second);
  return out;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  const auto close = closest_names(name, candidates);
  if (close.empty()) return "";
  std::string s = " Did you mean ";
  for (std::size_t i = 0; i < close.size(); ++i) {
    if (i) s += i + 1 == close.size() ? " or " : ", ";
    s += "'" + close[i] + "'";
  }
  return s + "?";
}

}  // namespace pavlov
