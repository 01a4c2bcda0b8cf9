// pavlov::ConfigError: everything wrong with an experiment file or its
// command-line overrides, found before any work starts. Each problem is one
// paragraph that names where (file:line:col, or the override), the key, what
// was expected and a hint; what() joins them all.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace pavlov {

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<std::string> problems)
      : std::runtime_error(join(problems)), problems_(std::move(problems)) {}
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  static std::string join(const std::vector<std::string>& p) {
    std::string s;
    for (const auto& x : p) s += (s.empty() ? "" : "\n\n") + x;
    return s;
  }
  std::vector<std::string> problems_;
};

}  // namespace pavlov
